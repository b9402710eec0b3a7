// Objectives are checked against the metrics they name, spanned on the token.
promdef::metrics! {
    namespace = "shop";
    objectives = [
        { name: fast, target: 99, window: 28d,
          latency: { metric: shop_latency_seconds, threshold: 0.3 } },
        { name: up, target: 100, window: 28d,
          availability: { metric: shop_requests_total, bad: { code: [500] } } },
    ];
    label code { values: ["2xx", "5xx"] }
    /// Latency.
    histogram shop_latency_seconds { unit: seconds, buckets: [0.1, 0.25, 1] }
    /// Requests.
    counter shop_requests_total(code);
}

fn main() {}
