//! OpenMetrics output read back by a strict, independent parser: Python
//! `prometheus_client`'s OpenMetrics parser (which rejects a missing `# EOF`,
//! a counter sample without `_total`, a UNIT that is not the name's suffix,
//! non-canonical `le` values…). Skipped, with a message, when Python or
//! `prometheus_client` is missing; CI installs both.

use promdef::Format;
use promdef_tests::{python_with_client, run_with_input, skip};
use std::process::Command;
use std::time::Duration;

pub static OM: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::OM;
    /// Open label.
    label path { max_values: 10 }
    /// Closed label.
    label queue { values: [default, "a\"b\\c\nd"] }

    /// Help with \ backslash and "quotes".
    pub counter om_events_total(path);
    /// Jobs waiting.
    pub gauge om_jobs_waiting(queue);
    /// Time per job.
    pub histogram om_job_duration_seconds(queue) { unit: seconds, buckets: [0.00001, 0.5, 1, 1000000] }
    /// Payload sizes.
    pub summary om_payload_bytes { unit: bytes }
    /// Build information.
    pub info om_build_info { const_labels: { version: "1.0" } }
}

/// Prints `family|type|unit` per family, then `sample|labels-json|value` per sample.
const PARSE: &str = r#"
import sys, json
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(sys.stdin.read()):
    print("F", fam.name, fam.type, fam.unit, json.dumps(fam.documentation), sep="|")
    for s in fam.samples:
        print("S", s.name, json.dumps(s.labels, sort_keys=True), repr(s.value), sep="|")
"#;

fn parse(py: &str, text: &str) -> Vec<String> {
    let (ok, out, err) = run_with_input(
        Command::new(py).args(["-c", PARSE]),
        text,
        Duration::from_secs(60),
    )
    .expect("python runs");
    assert!(
        ok,
        "the OpenMetrics parser rejected our output: {err}\n{text}"
    );
    out.lines().map(str::to_string).collect()
}

#[test]
fn openmetrics_parses_strictly() {
    let Some(py) = python_with_client() else {
        return skip(
            "openmetrics_parses_strictly",
            "python3 with prometheus_client not found (pip install prometheus_client)",
        );
    };
    OM_EVENTS_TOTAL
        .with(OmEventsTotalLabels { path: "x\"y\\z\n" })
        .inc_by(7);
    let h = OM_JOB_DURATION_SECONDS.with(OmJobDurationSecondsLabels {
        queue: Queue::Default,
    });
    for v in [0.000001, 0.7, 2.0] {
        h.observe(v);
    }
    OM_PAYLOAD_BYTES.observe(512.0);

    for format in [Format::OPENMETRICS, Format::OpenMetrics { created: true }] {
        let text = OM.render(format);
        let lines = parse(&py, &text);
        let has = |l: &str| lines.iter().any(|x| x == l);
        assert!(
            has(r#"F|om_events|counter||"Help with \\ backslash and \"quotes\".""#),
            "{lines:#?}"
        );
        assert!(
            has(r#"S|om_events_total|{"path": "x\"y\\z\n"}|7"#),
            "{lines:#?}"
        );
        assert!(has(
            "F|om_job_duration_seconds|histogram|seconds|\"Time per job.\""
        ));
        assert!(has(
            r#"S|om_job_duration_seconds_bucket|{"le": "1e-05", "queue": "default"}|1"#
        ));
        assert!(has(
            r#"S|om_job_duration_seconds_bucket|{"le": "1e+06", "queue": "default"}|3"#
        ));
        assert!(has(
            r#"S|om_job_duration_seconds_bucket|{"le": "1.0", "queue": "default"}|2"#
        ));
        assert!(has(r#"S|om_jobs_waiting|{"queue": "a\"b\\c\nd"}|0.0"#));
        assert!(has("F|om_payload_bytes|summary|bytes|\"Payload sizes.\""));
        assert!(has(r#"S|om_payload_bytes_sum|{}|512.0"#));
        assert!(has("F|om_build|info||\"Build information.\""));
        assert!(has(r#"S|om_build_info|{"version": "1.0"}|1"#));

        let created: Vec<&String> = lines.iter().filter(|l| l.contains("_created|")).collect();
        if format == Format::OPENMETRICS {
            assert!(created.is_empty(), "{created:?}");
        } else {
            // counter (1 series), histogram (2 queues), summary: never gauges or info
            assert_eq!(created.len(), 4, "{created:?}");
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64();
            for l in created {
                let v: f64 = l.rsplit('|').next().unwrap().parse().unwrap();
                assert!(v > now - 600.0 && v <= now + 1.0, "{l}");
            }
        }
    }
}

#[test]
fn goldens_parse_strictly() {
    let Some(py) = python_with_client() else {
        return skip(
            "goldens_parse_strictly",
            "python3 with prometheus_client not found (pip install prometheus_client)",
        );
    };
    for case in ["shop", "escaping"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(case)
            .join("expected.om.txt");
        let text = std::fs::read_to_string(&path).unwrap();
        let lines = parse(&py, &text);
        assert!(
            lines.iter().any(|l| l.starts_with("S|")),
            "{case}: {lines:?}"
        );
    }
}

pub static EX: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::EX;
    /// Requests.
    pub counter ex_requests_total;
    /// Latency.
    pub histogram ex_latency_seconds { unit: seconds, buckets: [0.1, 1] }
    /// Native latency.
    pub histogram ex_native_seconds { unit: seconds, native: true }
}

const EXEMPLARS: &str = r#"
import sys, json
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        if s.exemplar:
            print(s.name, json.dumps(s.labels, sort_keys=True), json.dumps(s.exemplar.labels, sort_keys=True), repr(s.exemplar.value), s.exemplar.timestamp is not None, sep="|")
"#;

/// Exemplars in OpenMetrics, escaped, with value and timestamp, read by the
/// strict parser on counters and on the buckets they fell in.
#[test]
fn exemplars_parse_strictly() {
    let Some(py) = python_with_client() else {
        return skip(
            "exemplars_parse_strictly",
            "python3 with prometheus_client not found (pip install prometheus_client)",
        );
    };
    EX_REQUESTS_TOTAL
        // No `"` in the value: Python's parser (prometheus_client 0.2x) cannot
        // read an escaped quote inside an exemplar, though OpenMetrics allows
        // it; `\` and newlines are escaped and read back.
        .inc_by_with_exemplar(3, &[("trace_id", "a\\c\nd"), ("span", "1")])
        .unwrap();
    EX_LATENCY_SECONDS
        .observe_with_exemplar(0.5, &[("trace_id", "t1")])
        .unwrap();
    EX_NATIVE_SECONDS
        .observe_with_exemplar(2.0, &[("trace_id", "t2")])
        .unwrap();
    let text = EX.render(Format::OPENMETRICS);
    let (ok, out, err) = run_with_input(
        Command::new(&py).args(["-c", EXEMPLARS]),
        &text,
        Duration::from_secs(60),
    )
    .expect("python runs");
    assert!(ok, "the parser rejected our exemplars: {err}\n{text}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            r#"ex_latency_seconds_bucket|{"le": "1.0"}|{"trace_id": "t1"}|0.5|True"#,
            r#"ex_native_seconds_bucket|{"le": "+Inf"}|{"trace_id": "t2"}|2.0|True"#,
            r#"ex_requests_total|{}|{"span": "1", "trace_id": "a\\c\nd"}|3.0|True"#,
        ],
        "{text}"
    );
}
