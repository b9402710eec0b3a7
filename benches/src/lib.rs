//! The metrics every benchmark declares with promdef, and the label
//! choices shared by all implementations so each does the same work.

promdef::metrics! {
    /// Request method (4 values).
    label method { values: [GET, POST, PUT, DELETE] }
    /// Status class (4 values).
    label class { values: ["2xx", "3xx", "4xx", "5xx"] }
    /// Route (open).
    label route { max_values: 100000 }

    /// Requests by method and class: 16 pre-created series.
    pub counter bench_requests_total(method, class);
    /// Requests by route: an open label.
    pub counter bench_open_requests_total(route);
    /// Hot series, sharded per thread.
    pub counter bench_hot_total { sharded: true }
    /// One plain series.
    pub counter bench_plain_total;
    /// Latency by method and class, 12 buckets.
    pub histogram bench_latency_seconds(method, class) {
        unit: seconds,
        buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    }
    /// One series, classic buckets only (the native benchmark's baseline).
    pub histogram bench_classic_seconds {
        unit: seconds,
        buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    }
    /// One series, native buckets only (schema 3, 160 buckets).
    pub histogram bench_native_seconds { unit: seconds, native: true }
    /// One series, count and sum only (the quantile benchmark's baseline).
    pub summary bench_plain_task_seconds { unit: seconds }
    /// One series, quantiles over 10 minutes in 5 age buckets, ±1 %.
    pub summary bench_quantile_task_seconds { unit: seconds, quantiles: [0.5, 0.9, 0.99] }
    /// A slot, bounded at 10 values.
    label slot { max_values: 10 }
    /// Capped at 10 slots, for the cost of an overflowing call.
    pub counter bench_capped_total(slot);
    /// Latency by route, for the encoding benchmark.
    pub histogram bench_open_latency_seconds(route) {
        unit: seconds,
        buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    }
}

/// The 12 histogram bucket bounds used by every implementation.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
];

/// Method names, in enum order.
pub const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
/// Status classes, in enum order.
pub const CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];

/// A fixed xorshift64 sequence: the same inputs for every implementation and run.
fn xorshift(seed: u64) -> impl Iterator<Item = u64> {
    let mut x = seed;
    std::iter::repeat_with(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    })
}

/// Pseudo-random `(method, class)` indices, so label values change on every
/// call and branch predictors can't learn them.
pub fn label_sequence(len: usize) -> Vec<(usize, usize)> {
    xorshift(0x9E37_79B9_7F4A_7C15)
        .take(len)
        .map(|x| ((x % 4) as usize, ((x >> 8) % 4) as usize))
        .collect()
}

/// Observations spread over the buckets.
pub fn values(len: usize) -> Vec<f64> {
    xorshift(0x2545_F491_4F6C_DD1D)
        .take(len)
        .map(|x| (x % 6000) as f64 / 1000.0)
        .collect()
}

/// `Method` for an index.
pub fn method(i: usize) -> Method {
    Method::ALL[i]
}

/// `Class` for an index.
pub fn class(i: usize) -> Class {
    Class::ALL[i]
}
