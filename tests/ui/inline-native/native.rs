promdef::metrics! {
    /// Factor too small: schema 9.
    pub histogram tiny_factor_seconds { native: { factor: 1.001 } }
    /// Schema out of range.
    pub histogram wide_seconds { native: { schema: -5 } }
    /// Both factor and schema.
    pub histogram both_seconds { native: { factor: 2, schema: 0 } }
    /// Native on a counter.
    pub counter native_jobs_total { native: true }
    /// A typo in the block.
    pub histogram typo_seconds { native: { max_bucket: 20 } }
    /// Fine: native and classic together.
    pub histogram fine_seconds { buckets: [1], native: { factor: 1.1, max_buckets: 40 } }
}

fn main() {}
