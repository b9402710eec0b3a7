promdef::metrics! {
    /// HTTP method.
    label method { values: [GET, POST, GET] }
    /// No values at all.
    label empty { values: [] }
    /// Defined, never used.
    label unused { values: [a] }
    /// Closed and open at once.
    label both { values: [a], max_values: 3 }
    /// Reserved prefix.
    label __meta { values: [a] }
    /// Not a Rust field name.
    label self { max_values: 3 }
    /// The histogram's own label.
    label le { values: ["1"] }
    /// Jobs done.
    pub counter jobs_total(method, methd, method, empty, both, __meta, self);
    /// RPC latency.
    pub histogram rpc_latency_seconds(le);
    /// RPC sizes.
    pub summary rpc_size_bytes { const_labels: { quantile: "0.5", "bad-name": "x" } }
    /// Build information.
    pub info app_build { const_labels: { version: "1" } }
}

fn main() {}
