//! Native histograms and exemplars end to end against Prometheus 2.42:
//! one started with `--enable-feature=native-histograms,exemplar-storage`
//! negotiates protobuf and stores the histogram native, answers
//! `histogram_quantile` within one bucket, and returns the recorded trace
//! ids; one started without the flags scrapes the same exporter over
//! OpenMetrics. Skipped, with a message, when `prometheus` is missing.

use promdef::exporter::Exporter;
use promdef_tests::{
    http_get, prom_query, prometheus_config, skip, start_prometheus, start_prometheus_with,
    url_encode, wait_for, wait_for_value,
};
use std::time::Duration;

pub static APP: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::APP;
    /// Request latency, native buckets only.
    pub histogram e2e_latency_seconds { unit: seconds, native: true }
    /// Requests handled.
    pub counter e2e_requests_total;
    /// Classic latency with exemplars.
    pub histogram e2e_classic_seconds { unit: seconds, buckets: [10, 50, 100] }
}

const LIMIT: Duration = Duration::from_secs(60);

/// The first result of an instant query, whole (native histograms answer
/// with a `histogram` field instead of `value`).
fn query_raw(prom: &str, q: &str) -> Result<Vec<serde_json::Value>, String> {
    let (status, _, body) = http_get(&format!("{prom}/api/v1/query?query={}", url_encode(q)), &[])?;
    let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{status}: {v}"));
    }
    Ok(v["data"]["result"].as_array().cloned().unwrap_or_default())
}

#[test]
fn prometheus_stores_native_histograms_and_exemplars() {
    // Known observations: 1..=100, so the true 0.9-quantile is 90.
    for v in 1..=100 {
        E2E_LATENCY_SECONDS.observe(v as f64);
        E2E_CLASSIC_SECONDS
            .observe_with_exemplar(v as f64, &[("trace_id", &format!("trace-{v}"))])
            .unwrap();
    }
    E2E_REQUESTS_TOTAL
        .inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")])
        .unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let running = rt
        .block_on(
            Exporter::new(&APP)
                .listen("127.0.0.1:0".parse().unwrap())
                .manual_shutdown()
                .bind(),
        )
        .unwrap();
    let target = running.local_addr();
    let config = prometheus_config(&format!(
        "  - job_name: app\n    static_configs: [{{targets: [\"{target}\"]}}]\n"
    ));
    let Some(native) = start_prometheus_with(
        &config,
        &["--enable-feature=native-histograms,exemplar-storage"],
    ) else {
        return skip(
            "prometheus_stores_native_histograms_and_exemplars",
            "`prometheus` not found (apt-get install prometheus)",
        );
    };
    let plain = start_prometheus(&config).expect("prometheus was found above");

    // Stored native: the series has a `histogram`, and no `_bucket` series.
    let h = wait_for("a native `e2e_latency_seconds`", LIMIT, || {
        let r = query_raw(&native.url, "e2e_latency_seconds")?;
        match r.first() {
            Some(s) if s.get("histogram").is_some() => Ok(s["histogram"][1].clone()),
            _ => Err(format!("{r:?}")),
        }
    });
    assert_eq!(h["count"], "100", "{h}");
    assert_eq!(h["sum"], "5050", "{h}");
    assert!(
        query_raw(&native.url, "e2e_latency_seconds_bucket")
            .unwrap()
            .is_empty(),
        "a native histogram has no classic bucket series"
    );
    // Within one bucket (×1.0905 at schema 3) of the true quantile.
    let q = wait_for_value(
        &native.url,
        "histogram_quantile(0.9, e2e_latency_seconds)",
        LIMIT,
    );
    let factor = (2f64).powf(1.0 / 8.0);
    assert!(q > 90.0 / factor && q < 90.0 * factor, "quantile {q}");

    // Exemplars: the counter's and the classic histogram buckets' trace ids.
    let exemplars = |query: &str| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let url = format!(
            "{}/api/v1/query_exemplars?query={}&start={}&end={}",
            native.url,
            url_encode(query),
            now - 600,
            now + 60
        );
        let (status, _, body) = http_get(&url, &[])?;
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("{status}: {v}"));
        }
        let ids: Vec<String> = v["data"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["exemplars"].as_array().cloned().unwrap_or_default())
            .filter_map(|e| e["labels"]["trace_id"].as_str().map(String::from))
            .collect();
        if ids.is_empty() {
            Err(format!("no exemplars yet: {v}"))
        } else {
            Ok(ids)
        }
    };
    let ids = wait_for("the counter's exemplar", LIMIT, || {
        exemplars("e2e_requests_total")
    });
    assert!(
        ids.contains(&"4bf92f3577b34da6a3ce929d0e0e4736".to_string()),
        "{ids:?}"
    );
    let ids = wait_for("classic bucket exemplars", LIMIT, || {
        exemplars("e2e_classic_seconds_bucket")
    });
    // The latest exemplar of each bucket: le=10 got 10, le=50 got 50, le=100 got 100.
    for id in ["trace-10", "trace-50", "trace-100"] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }

    // Without the flags, Prometheus scrapes the same exporter over
    // OpenMetrics: the native-only histogram shows its count and `+Inf`.
    let count = wait_for_value(&plain.url, "e2e_latency_seconds_count", LIMIT);
    assert_eq!(count, 100.0);
    let inf = prom_query(&plain.url, "e2e_latency_seconds_bucket{le=\"+Inf\"}").unwrap();
    assert_eq!(inf.len(), 1, "{inf:?}");
    assert_eq!(
        wait_for_value(&plain.url, "up", LIMIT),
        1.0,
        "the plain Prometheus scrapes fine"
    );
    rt.block_on(running.shutdown()).unwrap();
}
