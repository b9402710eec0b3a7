promdef::metrics! {
    /// Requests handled.
    pub countr requests_total;
}

fn main() {}
