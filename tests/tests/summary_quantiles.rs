//! Summary quantiles through generated code: exposed with `quantile`
//! labels in text, OpenMetrics and protobuf, accepted by promtool and by
//! Python's parsers, within the declared accuracy, NaN while empty.

use promdef_tests::{promtool_check, python_with_client, run_with_input, skip};
use std::process::Command;
use std::time::Duration;

promdef::metrics! {
    registry = crate::REG;
    label route { max_values: 10 }
    label outcome { values: [ok, failed] }
    /// Request latency.
    pub summary sq_latency_seconds { unit: seconds, quantiles: [0.5, 0.9, 0.99] }
    /// Latency by route.
    pub summary sq_route_seconds(route) { unit: seconds, quantiles: { objectives: [0.5, 0.99], max_age: 1m, age_buckets: 3, accuracy: 0.001 } }
    /// Latency by outcome.
    pub summary sq_outcome_seconds(outcome) { unit: seconds, quantiles: [0.9] }
}

static REG: promdef::Registry = promdef::Registry::new();

fn value(text: &str, series: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("{series} not in\n{text}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

fn observe_all() {
    for ms in 1..=1000 {
        SQ_LATENCY_SECONDS.observe(ms as f64 / 1000.0);
        SQ_ROUTE_SECONDS
            .with(SqRouteSecondsLabels { route: "/a" })
            .observe(ms as f64);
    }
}

#[test]
fn quantiles_are_exposed_in_every_format_and_parse() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(observe_all);
    let text = REG.render_text();
    // Rank ⌊q·(n−1)⌋ of 0.001 … 1.000, within 1 % (0.1 % for the route).
    for (q, exact) in [("0.5", 0.5), ("0.9", 0.9), ("0.99", 0.99)] {
        let v = value(&text, &format!("sq_latency_seconds{{quantile=\"{q}\"}}"));
        assert!((v - exact).abs() <= 0.01 * exact, "q={q}: {v}");
    }
    let v = value(&text, "sq_route_seconds{route=\"/a\",quantile=\"0.99\"}");
    assert!((v - 990.0).abs() <= 0.001 * 990.0, "{v}");
    assert!(text.contains("sq_latency_seconds_count 1000\n"), "{text}");
    // Read back like any sample, by its `quantile` label.
    let v = REG
        .get_sample_value("sq_latency_seconds", &[("quantile", "0.9")])
        .unwrap();
    assert!((v - 0.9).abs() <= 0.009, "{v}");
    assert_eq!(
        REG.get_sample_value("sq_latency_seconds", &[("quantile", "0.7")]),
        None
    );
    assert_eq!(REG.get_sample_value("sq_latency_seconds", &[]), None);
    // Closed-set series exist from the start, their quantiles NaN until observed.
    assert!(
        text.contains("sq_outcome_seconds{outcome=\"ok\",quantile=\"0.9\"} NaN\n"),
        "{text}"
    );

    match promtool_check(&text) {
        Some(p) => assert!(p.is_empty(), "{p}\n{text}"),
        None => skip("summary quantiles: promtool", "promtool not found"),
    }
    let om = REG.render_openmetrics();
    assert!(om.contains("sq_latency_seconds{quantile=\"0.5\"} "), "{om}");
    let Some(py) = python_with_client() else {
        return skip(
            "summary quantiles: Python parsers",
            "prometheus_client not found",
        );
    };
    for (parser, input) in [
        ("prometheus_client.parser", &text),
        ("prometheus_client.openmetrics.parser", &om),
    ] {
        let script = format!(
            "import sys\nfrom {parser} import text_string_to_metric_families\nfor f in text_string_to_metric_families(sys.stdin.read()):\n    if f.name == 'sq_latency_seconds':\n        print(f.type, sorted(s.labels.get('quantile', '') for s in f.samples if 'quantile' in s.labels))\n"
        );
        let (ok, out, err) = run_with_input(
            Command::new(&py).args(["-c", &script]),
            input,
            Duration::from_secs(60),
        )
        .unwrap();
        assert!(ok, "{parser}: {err}");
        assert_eq!(out.trim(), "summary ['0.5', '0.9', '0.99']", "{parser}");
    }
}

#[test]
fn quantiles_are_in_the_protobuf_exposition() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        SQ_OUTCOME_SECONDS
            .with(SqOutcomeSecondsLabels {
                outcome: Outcome::Failed,
            })
            .observe(2.0)
    });
    let mut buf = Vec::new();
    REG.encode_protobuf(&mut buf);
    let fams = promdef_tests::proto::decode(&buf).unwrap();
    let f = fams
        .iter()
        .find(|f| f.name.as_deref() == Some("sq_outcome_seconds"))
        .unwrap();
    let failed = f
        .metric
        .iter()
        .find(|m| m.label.iter().any(|l| l.value.as_deref() == Some("failed")))
        .unwrap();
    let s = failed.summary.as_ref().unwrap();
    assert_eq!(s.quantile.len(), 1);
    assert_eq!(s.quantile[0].quantile, Some(0.9));
    assert!((s.quantile[0].value.unwrap() - 2.0).abs() <= 0.02);
}

promdef::metrics! {
    registry = crate::INF;
    /// Throughput, with infinities (bytes over zero seconds).
    pub summary sq_rate_bytes { unit: bytes, quantiles: [0.5] }
}

static INF: promdef::Registry = promdef::Registry::new();

/// ±Inf and NaN have no rank: counted in `_count` and `_sum`, left out of
/// the quantiles, and no panic (the estimator's bin index would overflow).
#[test]
fn infinite_observations_are_counted_and_do_not_break_the_window() {
    SQ_RATE_BYTES.observe(1.0);
    SQ_RATE_BYTES.observe(f64::INFINITY);
    SQ_RATE_BYTES.observe(f64::NEG_INFINITY);
    SQ_RATE_BYTES.observe(f64::NAN);
    SQ_RATE_BYTES.observe(1.0);
    assert_eq!(SQ_RATE_BYTES.count(), 5);
    let q = SQ_RATE_BYTES.quantiles().unwrap();
    assert!((q[0].1 - 1.0).abs() < 0.02, "{q:?}");
    assert!(INF.render_text().contains("sq_rate_bytes_count 5\n"));
}
