promdef::metrics! {
    /// Method.
    label method { values: [GET, POST] }
    /// Ten values.
    label a { values: [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] }
    /// Build information.
    pub info app_build_info(method) { const_labels: { version: "1" } }
    /// Jobs.
    pub counter jobs_total(method) { const_labels: { method: GET } }
    /// Too many pre-created series.
    pub counter huge_total(a, a2, a3, a4, a5, method);
    /// Ten values.
    label a2 { values: [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] }
    /// Ten values.
    label a3 { values: [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] }
    /// Ten values.
    label a4 { values: [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] }
    /// Ten values.
    label a5 { values: [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] }
}

fn main() {}
