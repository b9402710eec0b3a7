//! Exposition behaviour and golden files (`fixtures/<case>/{input.yaml,expected.txt}`,
//! and `expected.om.txt` for OpenMetrics).
//! Regenerate goldens with `PROMDEF_BLESS=1 cargo test -p promdef-tests --test exposition`
//! and review the diff.

use std::path::Path;

pub static SHOP: promdef::Registry = promdef::Registry::new();
pub static ESCAPING: promdef::Registry = promdef::Registry::new();
pub static INLINE: promdef::Registry = promdef::Registry::new();

mod shop {
    promdef::metrics!(file = "fixtures/shop/input.yaml");
}
mod escaping {
    promdef::metrics!(file = "fixtures/escaping/input.yaml");
}
mod inline {
    promdef::metrics! {
        registry = crate::INLINE;
        label left { max_values: 10 }
        label right { max_values: 10 }
        /// Jobs by queue.
        label queue { values: [default, "high-priority", "/"] }

        /// Pairs of strings, to prove distinct tuples never merge.
        pub counter pairs_total(left, right);
        /// Jobs waiting per queue.
        pub gauge jobs_waiting(queue);
        /// Time spent per job.
        pub histogram job_duration_seconds(queue) { unit: seconds, buckets: [0.5, 1, 2] }
        /// Job payload sizes.
        pub summary job_payload_bytes(queue) { unit: bytes }
        /// Set to special values by one test only.
        pub gauge special_value;
        /// A very hot counter, sharded per thread.
        pub counter hot_path_total(queue) { sharded: true }
        /// Values whose variants are also the names of `FromStr::Err` and
        /// `TryFrom::Error`: generated code must not be ambiguous.
        label outcome { values: [ok, err, error] }
        /// Calls by outcome.
        pub counter calls_total(outcome);
        /// Never touched by any test: must still be exported.
        pub counter never_touched_total;
    }
}

fn golden(case: &str, actual: &str) {
    golden_file(case, "expected.txt", actual)
}

fn golden_file(case: &str, file: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(case)
        .join(file);
    promdef_tests::golden(&path, actual);
}

#[test]
fn shop_golden() {
    use shop::*;
    // Closed-set series exist at 0 before first use (gauge, info); the
    // open-label families appear once used.
    let fresh = SHOP.render_text();
    assert!(fresh.contains("shop_http_requests_in_progress 0\n"));
    assert!(fresh.contains("shop_build_info{version=\"1.4.2\"} 1\n"));

    HTTP_REQUESTS_TOTAL
        .with(HttpRequestsTotalLabels {
            method: Method::Get,
            status_class: StatusClass::V2xx,
            route: "/products",
        })
        .inc_by(3);
    HTTP_REQUESTS_TOTAL
        .with(HttpRequestsTotalLabels {
            method: Method::Post,
            status_class: StatusClass::V5xx,
            route: "/checkout",
        })
        .inc();
    let h = HTTP_REQUEST_DURATION_SECONDS.with(HttpRequestDurationSecondsLabels {
        method: Method::Get,
        route: "/products",
    });
    for v in [0.001, 0.03, 0.03, 7.0, 100.0] {
        h.observe(v);
    }
    HTTP_REQUESTS_IN_PROGRESS.set(2.0);
    golden("shop", &SHOP.render_text());
    golden_file("shop", "expected.om.txt", &SHOP.render_openmetrics());
}

#[test]
fn escaping_golden() {
    use escaping::*;
    for v in [
        "plain",
        "quote\"d",
        "back\\slash",
        "line\nbreak",
        "ünïcödé ✓",
        "",
        "a\\\"b\\n",
    ] {
        ESCAPING_EVENTS_TOTAL
            .with(EscapingEventsTotalLabels { path_template: v })
            .inc();
    }
    ESCAPING_OUTCOMES_TOTAL
        .with(EscapingOutcomesTotalLabels {
            outcome: Outcome::NewLine,
        })
        .inc();
    ESCAPING_TEMPERATURE_CELSIUS.set(f64::NEG_INFINITY);
    ESCAPING_PAYLOAD_BYTES.observe(f64::INFINITY);
    ESCAPING_PAYLOAD_BYTES.observe(1.5e-7);
    golden("escaping", &ESCAPING.render_text());
    golden_file(
        "escaping",
        "expected.om.txt",
        &ESCAPING.render_openmetrics(),
    );
}

#[test]
fn gauge_special_values() {
    use inline::*;
    let mut seen = Vec::new();
    for v in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        SPECIAL_VALUE.set(v);
        let text = INLINE.render_text();
        let line = text
            .lines()
            .find(|l| l.starts_with("special_value "))
            .unwrap();
        seen.push(line.rsplit(' ').next().unwrap().to_string());
    }
    assert_eq!(seen, ["+Inf", "-Inf", "NaN"]);
}

#[test]
fn distinct_tuples_never_merge() {
    use inline::*;
    PAIRS_TOTAL
        .with(PairsTotalLabels {
            left: "ab",
            right: "c",
        })
        .inc();
    PAIRS_TOTAL
        .with(PairsTotalLabels {
            left: "a",
            right: "bc",
        })
        .inc_by(5);
    PAIRS_TOTAL
        .with(PairsTotalLabels {
            left: "",
            right: "abc",
        })
        .inc_by(7);
    assert_eq!(
        PAIRS_TOTAL
            .with(PairsTotalLabels {
                left: "ab",
                right: "c"
            })
            .get(),
        1
    );
    assert_eq!(
        PAIRS_TOTAL
            .with(PairsTotalLabels {
                left: "a",
                right: "bc"
            })
            .get(),
        5
    );
    assert_eq!(
        PAIRS_TOTAL
            .with(PairsTotalLabels {
                left: "",
                right: "abc"
            })
            .get(),
        7
    );
    let text = INLINE.render_text();
    assert!(
        text.contains("pairs_total{left=\"ab\",right=\"c\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("pairs_total{left=\"a\",right=\"bc\"} 5\n"),
        "{text}"
    );
    assert!(
        text.contains("pairs_total{left=\"\",right=\"abc\"} 7\n"),
        "{text}"
    );
}

#[test]
fn closed_set_series_exported_at_zero_and_unused_metrics_registered() {
    let text = INLINE.render_text();
    for q in ["default", "high-priority", "/"] {
        assert!(
            text.contains(&format!("jobs_waiting{{queue=\"{q}\"}} ")),
            "{q} missing:\n{text}"
        );
        assert!(
            text.contains(&format!(
                "job_duration_seconds_bucket{{queue=\"{q}\",le=\"+Inf\"}} "
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("job_payload_bytes_count{{queue=\"{q}\"}} ")),
            "{text}"
        );
    }
    // Nothing references this static; the registry still finds it.
    assert!(
        text.contains("# TYPE never_touched_total counter\nnever_touched_total 0\n"),
        "{text}"
    );
    assert!(INLINE.get("never_touched_total").is_some());
}

#[test]
fn typed_read_back_and_operations() {
    use inline::*;
    let g = JOBS_WAITING.with(JobsWaitingLabels { queue: Queue::Root });
    g.set(10.0);
    g.inc();
    g.dec();
    g.dec();
    g.add(2.5);
    g.sub(0.5);
    assert_eq!(g.get(), 11.0);

    let h = JOB_DURATION_SECONDS.with(JobDurationSecondsLabels {
        queue: Queue::HighPriority,
    });
    h.observe(0.5);
    h.observe(1.5);
    h.observe(3.0);
    assert_eq!(h.count(), 3);
    assert_eq!(h.sum(), 5.0);
    assert_eq!(h.cumulative_counts(), vec![1, 1, 2, 3]);
    {
        let _t = h.start_timer();
    }
    assert_eq!(h.count(), 4);
    h.start_timer().discard();
    assert_eq!(h.count(), 4);

    let s = JOB_PAYLOAD_BYTES.with(JobPayloadBytesLabels {
        queue: Queue::Default,
    });
    s.observe(100.0);
    s.observe(50.0);
    assert_eq!((s.count(), s.sum()), (2, 150.0));

    let text = INLINE.render_text();
    // 0.5 and the timer's near-zero observation
    assert!(
        text.contains("job_duration_seconds_bucket{queue=\"high-priority\",le=\"0.5\"} 2\n"),
        "{text}"
    );
    assert!(
        text.contains("job_duration_seconds_bucket{queue=\"high-priority\",le=\"2\"} 3\n"),
        "{text}"
    );
    assert!(
        text.contains("job_duration_seconds_bucket{queue=\"high-priority\",le=\"+Inf\"} 4\n"),
        "{text}"
    );
    assert!(
        text.contains("job_duration_seconds_count{queue=\"high-priority\"} 4\n"),
        "{text}"
    );
}

#[test]
fn enums_parse_display_and_reject_unknown_values() {
    use shop::{Method, StatusClass};
    assert_eq!("GET".parse::<Method>(), Ok(Method::Get));
    assert_eq!(Method::try_from("other"), Ok(Method::Other));
    assert_eq!(StatusClass::V2xx.to_string(), "2xx");
    assert_eq!(StatusClass::ALL.len(), 5);
    assert_eq!(
        Method::VALUES,
        ["GET", "POST", "PUT", "DELETE", "PATCH", "other"]
    );
    let err = "get".parse::<Method>().unwrap_err();
    assert_eq!(err.label, "method");
    assert_eq!(err.to_string(), "`get` is not a value of label `method`; expected one of: GET, POST, PUT, DELETE, PATCH, other");
}

#[test]
fn concurrent_updates_are_exact() {
    use inline::*;
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let names = ["x", "y", "z"];
                for i in 0..10_000 {
                    let right = names[(i + t) % 3];
                    PAIRS_TOTAL
                        .with(PairsTotalLabels {
                            left: "concurrent",
                            right,
                        })
                        .inc();
                    JOBS_WAITING
                        .with(JobsWaitingLabels {
                            queue: Queue::Default,
                        })
                        .add(1.0);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let total: u64 = ["x", "y", "z"]
        .iter()
        .map(|r| {
            PAIRS_TOTAL
                .with(PairsTotalLabels {
                    left: "concurrent",
                    right: r,
                })
                .get()
        })
        .sum();
    assert_eq!(total, 40_000);
    assert_eq!(
        JOBS_WAITING
            .with(JobsWaitingLabels {
                queue: Queue::Default
            })
            .get(),
        40_000.0
    );
}

#[test]
fn sharded_counter_sums_its_shards() {
    use inline::*;
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..5_000 {
                    HOT_PATH_TOTAL
                        .with(HotPathTotalLabels {
                            queue: Queue::HighPriority,
                        })
                        .inc();
                }
            });
        }
    });
    let c: &promdef::ShardedCounter = HOT_PATH_TOTAL.with(HotPathTotalLabels {
        queue: Queue::HighPriority,
    });
    assert_eq!(c.get(), 40_000);
    let text = INLINE.render_text();
    assert!(
        text.contains("hot_path_total{queue=\"high-priority\"} 40000\n"),
        "{text}"
    );
    assert!(
        text.contains("hot_path_total{queue=\"default\"} 0\n"),
        "{text}"
    );
}

#[test]
fn variants_named_like_error_types_work() {
    use inline::*;
    assert_eq!("error".parse::<Outcome>(), Ok(Outcome::Error));
    assert_eq!(Outcome::try_from("err"), Ok(Outcome::Err));
    assert_eq!("nope".parse::<Outcome>().unwrap_err().label, "outcome");
    CALLS_TOTAL
        .with(CallsTotalLabels {
            outcome: Outcome::Error,
        })
        .inc();
    assert!(INLINE
        .render_text()
        .contains("calls_total{outcome=\"error\"} 1\n"));
}
