//! Bounded cardinality at run time: declared bounds hold, nothing is lost.
//! Each test uses its own registry and metrics, since the self-metric and
//! the first-overflow reports are process-wide.

use promdef_tests::{promtool_check, skip, tools_required};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub static RACE: promdef::Registry = promdef::Registry::new();
pub static TWO: promdef::Registry = promdef::Registry::new();
pub static MIXED: promdef::Registry = promdef::Registry::new();
pub static DEFAULTS: promdef::Registry = promdef::Registry::new();
pub static QUIET: promdef::Registry = promdef::Registry::new();

mod race {
    promdef::metrics! {
        registry = crate::RACE;
        /// Route template.
        label route { max_values: 100 }
        /// Requests by route.
        pub counter race_requests_total(route);
    }
}

mod two {
    promdef::metrics! {
        registry = crate::TWO;
        /// First open label.
        label a { max_values: 10 }
        /// Second open label.
        label b { max_values: 5 }
        /// Events by a and b.
        pub counter two_events_total(a, b) { max_series: 20, allow: [series-budget] }
    }
}

mod mixed {
    promdef::metrics! {
        registry = crate::MIXED;
        /// HTTP method.
        label method { values: [get, post] }
        /// Tenant.
        label tenant { max_values: 2 }
        /// Requests by method and tenant.
        pub counter mixed_requests_total(method, tenant);
        /// Latency by tenant.
        pub histogram mixed_latency_seconds(tenant) { unit: seconds, buckets: [0.1, 1] }
    }
}

mod defaults {
    promdef::metrics! {
        registry = crate::DEFAULTS;
        /// Accepted without a bound: capped at the default.
        label raw { }
        /// Explicitly unlimited.
        label free { max_values: unlimited }
        /// Raw values, capped by default.
        pub counter defaults_raw_total(raw) { allow: [unbounded-label] }
        /// Unlimited values.
        pub counter defaults_free_total(free);
    }
}

mod quiet {
    promdef::metrics! {
        registry = crate::QUIET;
        /// Slot.
        label slot { max_values: 1 }
        /// Reported once.
        pub counter quiet_total(slot);
        /// Reported once too.
        pub gauge quiet_level(slot);
    }
}

/// Every sample line of `name` in `text`, by its labels.
fn samples(text: &str, name: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k[name.len()..].to_string(), v.parse().unwrap())
        })
        .collect()
}

fn promtool_clean(what: &str, text: &str) {
    match promtool_check(text) {
        Some(problems) => assert!(problems.is_empty(), "{what}: {problems}"),
        None if tools_required() => panic!("promtool not found"),
        None => skip(what, "promtool not found"),
    }
}

/// The test: 2 threads × 50,000 distinct values into a label
/// bounded at 100.
#[test]
fn two_threads_of_distinct_values_keep_the_bound_and_every_increment() {
    use race::*;
    std::thread::scope(|s| {
        for t in 0..2 {
            s.spawn(move || {
                for i in 0..50_000 {
                    let route = format!("/t{t}/{i}");
                    RACE_REQUESTS_TOTAL
                        .with(RaceRequestsTotalLabels { route: &route })
                        .inc();
                }
            });
        }
    });
    assert!(
        RACE_REQUESTS_TOTAL.len() <= 101,
        "{} series",
        RACE_REQUESTS_TOTAL.len()
    );
    let text = RACE.render_text();
    let series = samples(&text, "race_requests_total");
    assert_eq!(series.len(), 101, "100 kept values and the overflow series");
    assert_eq!(series.values().sum::<f64>(), 100_000.0);
    let overflow = series["{route=\"__overflow__\"}"];
    assert_eq!(overflow, 100_000.0 - 100.0);
    assert_eq!(
        RACE_REQUESTS_TOTAL
            .get(RaceRequestsTotalLabels {
                route: promdef::OVERFLOW
            })
            .map(|c| c.get()),
        Some(overflow as u64)
    );
    assert!(
        text.contains(&format!(
            "promdef_series_overflow_total{{metric=\"race_requests_total\"}} {overflow}\n"
        )),
        "{}",
        &text[text.len().saturating_sub(600)..]
    );
    assert!(text.contains("# TYPE promdef_series_overflow_total counter\n"));
    promtool_clean("two_threads_of_distinct_values", &text);
    let om = RACE.render_openmetrics();
    assert!(om.contains("promdef_series_overflow_total{metric=\"race_requests_total\"} "));
}

/// Two open labels bounded at 10 and 5 with `max_series: 20`, fed every
/// pair of 20 `a` values × 8 `b` values in order (a-major), with the rules
/// of `promdef::cardinality`: a value past its label's bound becomes
/// `__overflow__` for that label; a tuple that would be a new series once
/// 20 series exist goes to the family's overflow series (both labels
/// `__overflow__`); values are kept only when a series is created with them.
#[test]
fn two_bounded_labels_and_a_series_cap_overflow_as_documented() {
    use two::*;
    let a: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
    let b: Vec<String> = (0..8).map(|i| format!("b{i}")).collect();
    let mut total = 0u64;
    for x in &a {
        for y in &b {
            TWO_EVENTS_TOTAL
                .with(TwoEventsTotalLabels { a: x, b: y })
                .inc();
            total += 1;
        }
    }
    let text = TWO.render_text();
    let series = samples(&text, "two_events_total");
    assert_eq!(series.values().sum::<f64>(), total as f64);
    // b5..b7 are past b's bound (5): with a0 they become (a0, __overflow__),
    // a new tuple, kept while under the cap. Walk: a0 × b0..b4 (5 series),
    // (a0, ov) (6), a1 × b0..b4 (11), (a1, ov) (12), a2 × b0..b4 (17),
    // (a2, ov) (18), a3 × b0, b1 (20): the cap. Everything after goes to
    // (ov, ov).
    let mut expected = BTreeMap::new();
    let key = |x: &str, y: &str| format!("{{a=\"{x}\",b=\"{y}\"}}");
    for x in ["a0", "a1", "a2"] {
        for y in &b[..5] {
            expected.insert(key(x, y), 1.0);
        }
        expected.insert(key(x, "__overflow__"), 3.0);
    }
    expected.insert(key("a3", "b0"), 1.0);
    expected.insert(key("a3", "b1"), 1.0);
    let kept: f64 = expected.values().sum();
    expected.insert(key("__overflow__", "__overflow__"), total as f64 - kept);
    assert_eq!(series, expected);
    // At most `max_series` series plus the one overflow series.
    assert_eq!(TWO_EVENTS_TOTAL.len(), 21);
    // Updates that landed on a series with an `__overflow__` label: all
    // but the 15 + 2 on fully kept tuples.
    let counted = samples(&text, "promdef_series_overflow_total");
    assert_eq!(
        counted["{metric=\"two_events_total\"}"],
        total as f64 - 17.0
    );
    // `a` never reached its bound: only a0..a3 were ever kept, because the
    // series cap was reached first.
    assert!(!series.keys().any(|k| k.contains("a4")));
    promtool_clean("two_bounded_labels", &text);
}

/// Closed labels keep their values on the overflow series, so `sum by
/// (method)` stays exact; histograms overflow the same way; cached handles
/// stay valid after the bound is reached.
#[test]
fn closed_labels_survive_overflow_and_cached_handles_keep_counting() {
    use mixed::*;
    let cached = MIXED_REQUESTS_TOTAL.with(MixedRequestsTotalLabels {
        method: Method::Get,
        tenant: "t0",
    });
    for (i, tenant) in ["t0", "t1", "t2", "t3"].iter().enumerate() {
        for method in [Method::Get, Method::Post] {
            MIXED_REQUESTS_TOTAL
                .with(MixedRequestsTotalLabels { method, tenant })
                .inc_by(i as u64 + 1);
        }
        MIXED_LATENCY_SECONDS
            .with(MixedLatencySecondsLabels { tenant })
            .observe(0.5);
    }
    cached.inc_by(100);
    let text = MIXED.render_text();
    let series = samples(&text, "mixed_requests_total");
    let key = |m: &str, t: &str| format!("{{method=\"{m}\",tenant=\"{t}\"}}");
    assert_eq!(series[&key("get", "t0")], 101.0);
    assert_eq!(series[&key("post", "t0")], 1.0);
    assert_eq!(series[&key("get", "t1")], 2.0);
    assert_eq!(series[&key("get", "__overflow__")], 3.0 + 4.0);
    assert_eq!(series[&key("post", "__overflow__")], 3.0 + 4.0);
    assert_eq!(series.len(), 6);
    let buckets = samples(&text, "mixed_latency_seconds_count");
    assert_eq!(buckets["{tenant=\"__overflow__\"}"], 2.0);
    assert_eq!(buckets.values().sum::<f64>(), 4.0);
    let counted = samples(&text, "promdef_series_overflow_total");
    assert_eq!(counted["{metric=\"mixed_requests_total\"}"], 4.0);
    assert_eq!(counted["{metric=\"mixed_latency_seconds\"}"], 2.0);
    promtool_clean("closed_labels_survive_overflow", &text);
}

/// An open label accepted without a bound is capped at the documented
/// default; `max_values: unlimited` is not capped.
#[test]
fn unbounded_labels_get_the_default_cap_and_unlimited_has_none() {
    use defaults::*;
    let cap = promdef_schema::DEFAULT_SERIES_CAP as usize;
    for i in 0..cap + 500 {
        let v = i.to_string();
        DEFAULTS_RAW_TOTAL
            .with(DefaultsRawTotalLabels { raw: &v })
            .inc();
        DEFAULTS_FREE_TOTAL
            .with(DefaultsFreeTotalLabels { free: &v })
            .inc();
    }
    assert_eq!(DEFAULTS_RAW_TOTAL.len(), cap + 1);
    assert_eq!(
        DEFAULTS_RAW_TOTAL
            .get(DefaultsRawTotalLabels {
                raw: promdef::OVERFLOW
            })
            .map(|c| c.get()),
        Some(500)
    );
    assert_eq!(DEFAULTS_FREE_TOTAL.len(), cap + 500);
    assert!(DEFAULTS_FREE_TOTAL
        .get(DefaultsFreeTotalLabels {
            free: promdef::OVERFLOW
        })
        .is_none());
    // Reading does not create a series.
    assert_eq!(DEFAULTS_FREE_TOTAL.len(), cap + 500);
    let text = DEFAULTS.render_text();
    assert!(text.contains("promdef_series_overflow_total{metric=\"defaults_raw_total\"} 500\n"));
    assert!(!text.contains("metric=\"defaults_free_total\""));
}

/// The first overflow of each family is reported once, to the handler,
/// naming the metric and bound but never a label value; registries show
/// only their own families' overflow counts.
#[test]
fn first_overflow_is_reported_once_per_family_without_label_values() {
    use quiet::*;
    static REPORTS: Mutex<Vec<String>> = Mutex::new(Vec::new());
    promdef::cardinality::set_overflow_handler(|o| {
        if o.metric.starts_with("quiet_") {
            REPORTS.lock().unwrap().push(o.to_string());
        }
    });
    for i in 0..50 {
        let slot = format!("secret-\u{1b}[31m-{i}");
        QUIET_TOTAL.with(QuietTotalLabels { slot: &slot }).inc();
        QUIET_LEVEL.with(QuietLevelLabels { slot: &slot }).set(1.0);
    }
    let reports = REPORTS.lock().unwrap().clone();
    assert_eq!(reports.len(), 2, "{reports:?}");
    for r in &reports {
        assert!(!r.contains("secret") && !r.contains('\u{1b}'), "{r}");
        assert!(
            r.contains("`max_values` = 1") && r.contains("__overflow__"),
            "{r}"
        );
    }
    assert!(reports.iter().any(|r| r.starts_with("`quiet_total`")));
    assert!(reports.iter().any(|r| r.starts_with("`quiet_level`")));
    // Only this registry's families are in its self-metric.
    let text = QUIET.render_text();
    let counted = samples(&text, "promdef_series_overflow_total");
    assert!(counted.keys().all(|k| k.contains("quiet_")), "{counted:?}");
    assert_eq!(counted["{metric=\"quiet_total\"}"], 49.0);
    // A registry none of whose families overflowed shows no self-metric.
    pub static CLEAN: promdef::Registry = promdef::Registry::new();
    promdef::metrics! {
        registry = CLEAN;
        /// Nothing overflows here.
        pub counter clean_things_total;
    }
    CLEAN_THINGS_TOTAL.inc();
    assert!(!CLEAN
        .render_text()
        .contains("promdef_series_overflow_total"));
}
