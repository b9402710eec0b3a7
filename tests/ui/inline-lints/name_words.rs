promdef::metrics! {
    /// Queue depth.
    pub gauge queue_depth_gauge;
    /// Recording-rule style.
    pub gauge "job:requests:rate5m";
    /// Requests in flight.
    pub gauge requestsInFlight;
    /// Status code.
    label statusCode { values: [ok] }
    /// Responses.
    pub counter responses_total(statusCode);
    /// RPC latency.
    pub gauge rpc_latency_ms;
    /// RPC latency.
    pub gauge rpc_latency_milliseconds;
    /// Cache size.
    pub gauge cache_kilobytes;
    /// Disk usage.
    pub gauge disk_usage_percent;
}

fn main() {}
