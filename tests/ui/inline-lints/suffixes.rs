promdef::metrics! {
    /// Jobs done.
    pub counter jobs_done;
    /// Jobs waiting.
    pub gauge jobs_total;
    /// Upload sizes.
    pub summary upload_size_bucket;
    /// Items in the queue.
    pub gauge queue_count;
    /// Value of all carts.
    pub gauge cart_value_sum;
    /// When the job was created.
    pub gauge job_created;
    /// A bound.
    label le { values: ["1"] }
    /// A quantile.
    label quantile { values: ["0.5"] }
    /// Pool size.
    pub gauge pool_size(le);
    /// RPC latency.
    pub histogram rpc_duration_seconds(quantile);
}

fn main() {}
