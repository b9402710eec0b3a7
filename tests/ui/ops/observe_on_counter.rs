promdef::metrics! {
    /// Requests handled.
    pub counter requests_total;
}

fn main() {
    REQUESTS_TOTAL.observe(0.5);
}
