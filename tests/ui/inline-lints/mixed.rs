promdef::metrics! {
    namespace = "shop";
    /// Requests handled
    pub counter shop_requests;
    /// Latency in milliseconds.
    pub gauge shop_latency_ms;
    pub gauge requestsInFlight;
    /// Allowed lint, and an allow that suppresses nothing.
    pub counter shop_orders { allow: [counter-total-suffix, type-in-name] }
}

fn main() {}
