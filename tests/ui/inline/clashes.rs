promdef::metrics! {
    /// Requests.
    pub gauge requests;
    /// Requests, as a counter.
    pub counter requests_total;
    /// Colon name.
    pub counter "rpc:calls_total" { allow: [colon-in-name] }
    /// Same Rust name.
    pub counter rpc_calls_total;
    /// Reserved labels.
    label le { values: [a] }
    /// Latency.
    pub histogram rpc_latency_seconds(le);
}

fn main() {}
