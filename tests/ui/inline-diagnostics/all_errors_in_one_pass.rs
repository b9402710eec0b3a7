promdef::metrics! {
    /// HTTP method.
    label method { values: [GET, POST, GET] }
    /// Requests handled.
    pub counter requests_total(methd);
    /// Requests handled again.
    pub counter requests_total;
    /// Latency.
    pub histogram latency_seconds { buckets: [0.5, 0.1], bukets: [1] }
}

fn main() {}
