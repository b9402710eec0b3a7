promdef::metrics! {
    /// Requests.
    pub gauge requests;
    /// Requests, as a counter.
    pub counter requests_total;
    /// RPC latency.
    pub summary rpc_seconds;
    /// Something else, named like the summary's count.
    pub summary rpc_seconds_count;
    /// Jobs done.
    pub counter jobs_total;
    /// Named like the counter's OpenMetrics creation time.
    pub gauge jobs_created { allow: [created-suffix] }
    /// Application.
    pub gauge app;
    /// Build information.
    pub info app_info { const_labels: { version: "1" } }
    /// Colon name.
    pub counter "rpc:calls_total" { allow: [colon-in-name] }
    /// Same Rust name.
    pub counter rpc_calls_total;
}

fn main() {}
