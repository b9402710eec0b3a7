//! promdef metrics registered into an existing `prometheus::Registry`
//! (prometheus' default features, i.e. its protobuf model), gathered and
//! encoded by prometheus' own `TextEncoder` beside a hand-written metric.

use prometheus::Encoder;

pub static APP: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::APP;
    /// HTTP method.
    label method { values: [GET, POST] }
    /// Requests handled.
    pub counter app_requests_total(method);
    /// Latency.
    pub histogram app_latency_seconds { unit: seconds, buckets: [0.1, 1] }
}

#[test]
fn promdef_metrics_appear_in_a_prometheus_registry() {
    let legacy = prometheus::Registry::new();
    let old = prometheus::IntCounter::new("legacy_jobs_total", "Jobs from the old code.").unwrap();
    legacy.register(Box::new(old.clone())).unwrap();
    legacy
        .register(Box::new(promdef::interop::PrometheusCollector::new(&APP)))
        .unwrap();
    old.inc();
    APP_REQUESTS_TOTAL
        .with(AppRequestsTotalLabels {
            method: Method::Post,
        })
        .inc_by(4);
    APP_LATENCY_SECONDS.observe(0.5);

    let mut buf = Vec::new();
    prometheus::TextEncoder::new()
        .encode(&legacy.gather(), &mut buf)
        .unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(text.contains("legacy_jobs_total 1\n"), "{text}");
    assert!(
        text.contains("app_requests_total{method=\"POST\"} 4\n"),
        "{text}"
    );
    assert!(
        text.contains("app_requests_total{method=\"GET\"} 0\n"),
        "{text}"
    );
    assert!(
        text.contains("app_latency_seconds_bucket{le=\"1\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("app_latency_seconds_count 1\n"), "{text}");

    // Registering the same families twice is refused by prometheus' own check.
    let again = legacy.register(Box::new(promdef::interop::PrometheusCollector::new(&APP)));
    assert!(again.is_err());
}
