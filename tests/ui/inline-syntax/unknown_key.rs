promdef::metrics! {
    /// Requests handled.
    pub counter requests_total { lables: [x], help: 3 }
    /// Requests handled.
    pub counter other_total { static_name: A, static_name: B }
}

fn main() {}
