promdef::metrics! {
    /// Requests handled.
    pub counter requests_total { buckets: [1, +] }
}

fn main() {}
