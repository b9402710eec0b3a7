promdef::metrics! {
    /// Requests handled.
    #[allow(dead_code)]
    pub counter requests_total;
}

fn main() {}
