promdef::metrics! {
    /// Codes whose values become one variant.
    label code { values: ["a-b", a_b] }
    /// A variant that is not an identifier.
    label kind { values: [{ value: x, variant: "not ident" }] }
    /// Two labels, one enum name.
    label first { values: [a], rust_type: Shared }
    /// Two labels, one enum name.
    label second { values: [b], rust_type: Shared }
    /// An enum named like a labels struct.
    label phase { values: [a], rust_type: JobsTotalLabels }
    /// Jobs.
    pub counter jobs_total(code, kind, first, second, phase);
    /// A name whose labels struct would start with a digit.
    pub counter _1_total(code);
}

fn main() {}
