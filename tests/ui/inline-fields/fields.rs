promdef::metrics! {
    /// Queue length.
    pub gauge queue_length { buckets: [1, 2] }
    /// Empty buckets.
    pub histogram empty_buckets_seconds { buckets: [] }
    /// Out of order and infinite.
    pub histogram unordered_seconds { buckets: [0.5, 0.1, 1e999] }
    /// Unit not in the name.
    pub gauge rpc_latency { unit: seconds }
    /// Renamed to a metric that does not exist.
    pub counter old_jobs_total { deprecated: { since: "1.2", renamed_to: new_jobs_totl } }
    /// Jobs done.
    pub counter new_jobs_total;
    /// Multi-process mode on a counter.
    pub counter jobs_summed_total { multiprocess_mode: livesum }
    /// Unknown multi-process mode.
    pub gauge jobs_idle { multiprocess_mode: livsum }
    /// Not a Rust identifier.
    pub counter jobs_named_total { static_name: "E-TOTAL" }
}

fn main() {}
