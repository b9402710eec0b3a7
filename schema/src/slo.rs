//! Prometheus recording and alerting rules for the checked objectives, and
//! `promtool test rules` unit tests proving the alerts fire when they should.
//!
//! Every objective gets its error ratio recorded over the windows the
//! alerts read (`slo:sli_error:ratio_rate5m{slo="…"}` … `_rate3d`) and over
//! its own window (an average of the 5-minute ratio, as recomputing a
//! 28-day rate from raw samples would be too costly), the remaining error
//! budget, and the multi-window, multi-burn-rate alerts of the Google SRE
//! workbook (chapter 5, "Alerting on SLOs", table 5-8):
//!
//! | severity | burn rate | long window | short window | budget spent |
//! |----------|-----------|-------------|--------------|--------------|
//! | page     | 14.4×     | 1h          | 5m           | 2 % in 1 h   |
//! | page     | 6×        | 6h          | 30m          | 5 % in 6 h   |
//! | ticket   | 3×        | 1d          | 2h           | 10 % in 1 d  |
//! | ticket   | 1×        | 3d          | 6h           | 10 % in 3 d  |
//!
//! (The percentages are of a 30-day budget; the workbook applies the same
//! factors to other windows, and so does this module.)
//!
//! ```
//! let checked = promdef_schema::Checked::from_yaml(r#"
//! labels:
//!   code: {values: [ok, error]}
//! metrics:
//!   - {name: jobs_total, type: counter, help: Jobs., labels: [code]}
//! objectives:
//!   - name: jobs
//!     availability: {metric: jobs_total, bad: {code: error}}
//!     target: 99.9
//!     window: 28d
//! "#);
//! assert!(checked.is_clean(), "{:?}", checked.diagnostics);
//! let rules = promdef_schema::slo::rules(&[&checked], "jobs.yaml");
//! assert!(rules.contains("record: slo:sli_error:ratio_rate5m"));
//! assert!(rules.contains("alert: JobsErrorBudgetBurn"));
//! ```

use crate::{Checked, ObjectivePlan, SliPlan};
use std::fmt::Write;

/// The windows error ratios are recorded over: every window the alerts read.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// One burn-rate alert condition: both windows above `factor` × budget.
#[derive(Clone, Copy, Debug)]
pub struct BurnRate {
    /// `page` or `ticket`.
    pub severity: &'static str,
    /// Multiple of the sustainable error rate.
    pub factor: f64,
    /// The window that makes the alert significant.
    pub long: &'static str,
    /// The window that makes it reset soon after the problem stops.
    pub short: &'static str,
}

/// The SRE workbook's recommended pairs, page first.
pub const BURN_RATES: [BurnRate; 4] = [
    BurnRate {
        severity: "page",
        factor: 14.4,
        long: "1h",
        short: "5m",
    },
    BurnRate {
        severity: "page",
        factor: 6.0,
        long: "6h",
        short: "30m",
    },
    BurnRate {
        severity: "ticket",
        factor: 3.0,
        long: "1d",
        short: "2h",
    },
    BurnRate {
        severity: "ticket",
        factor: 1.0,
        long: "3d",
        short: "6h",
    },
];

/// The objectives of every declaration, in input order.
pub fn objectives<'a>(decls: &[&'a Checked]) -> Vec<&'a ObjectivePlan> {
    decls
        .iter()
        .flat_map(|c| c.plan.objectives.iter())
        .collect()
}

/// The name of the recorded error ratio over `window`.
pub fn ratio_rule(window: &str) -> String {
    format!("slo:sli_error:ratio_rate{window}")
}

/// The alert's name: `checkout_latency` → `CheckoutLatencyErrorBudgetBurn`.
pub fn alert_name(o: &ObjectivePlan) -> String {
    let mut out = String::new();
    for part in o.name.split('_').filter(|p| !p.is_empty()) {
        let mut c = part.chars();
        if let Some(f) = c.next() {
            out.extend(f.to_uppercase());
            out.push_str(c.as_str());
        }
    }
    out.push_str("ErrorBudgetBurn");
    out
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// A number as the rules write it: `0.001`, `14.4`.
fn num(v: f64) -> String {
    format!("{v}")
}

/// What an objective promises, in words.
pub fn describe(o: &ObjectivePlan) -> String {
    match &o.sli {
        SliPlan::Availability { metric, bad, .. } => format!(
            "{}% of `{metric}` events {} over {}",
            num(o.target),
            if *bad { "not bad" } else { "good" },
            o.window
        ),
        SliPlan::Latency {
            metric, threshold, ..
        } => format!(
            "{}% of `{metric}` observations at most {} over {}",
            num(o.target),
            num(*threshold),
            o.window
        ),
    }
}

/// The annotations of an objective's alert at `severity`, as the rules
/// file writes them and the tests expect them.
pub fn annotations(o: &ObjectivePlan, severity: &str) -> Vec<(&'static str, String)> {
    let pairs: Vec<String> = BURN_RATES
        .iter()
        .filter(|b| b.severity == severity)
        .map(|b| format!("{}× over {} and {}", num(b.factor), b.long, b.short))
        .collect();
    let mut out = vec![
        (
            "summary",
            match &o.help {
                Some(h) => format!(
                    "{} (objective `{}` at risk)",
                    h.trim_end_matches('.'),
                    o.name
                ),
                None => format!("objective `{}` is burning its error budget", o.name),
            },
        ),
        (
            "description",
            format!(
                "the error budget of `{}` ({}) is being spent faster than it can last: {}",
                o.name,
                describe(o),
                pairs.join(", or ")
            ),
        ),
    ];
    if let Some(r) = &o.runbook {
        out.push(("runbook_url", r.clone()));
    }
    out
}

/// The alert expression of one severity: any of its burn-rate pairs.
fn alert_expr(o: &ObjectivePlan, severity: &str) -> String {
    let e = o.error_budget();
    let sel = format!("{{slo={}}}", q(&o.name));
    let pairs: Vec<String> = BURN_RATES
        .iter()
        .filter(|b| b.severity == severity)
        .map(|b| {
            let t = num((b.factor * e * 1e12).round() / 1e12);
            format!(
                "({long}{sel} > {t} and {short}{sel} > {t})",
                long = ratio_rule(b.long),
                short = ratio_rule(b.short),
            )
        })
        .collect();
    pairs.join(" or ")
}

/// The rules file: one group per objective with its recording rules, then
/// its alerts, deterministic for the same input.
pub fn rules(decls: &[&Checked], source: &str) -> String {
    let mut out = format!(
        "# Generated by `promdef rules` from {source}; do not edit.\n# Check: promtool check rules <this file>\ngroups:\n"
    );
    let list = objectives(decls);
    if list.is_empty() {
        out.push_str("  []\n");
        return out;
    }
    for o in list {
        let labels = format!("        labels:\n          slo: {}\n", q(&o.name));
        let _ = writeln!(out, "  - name: {}", q(&format!("promdef-slo-{}", o.name)));
        out.push_str("    rules:\n");
        for w in WINDOWS {
            let _ = writeln!(out, "      - record: {}", ratio_rule(w));
            let _ = writeln!(out, "        expr: {}", q(&o.error_ratio(w)));
            out.push_str(&labels);
        }
        let window_rule = ratio_rule(&o.window);
        let _ = writeln!(out, "      - record: {window_rule}");
        let _ = writeln!(
            out,
            "        expr: {}",
            q(&format!(
                "avg_over_time({}{{slo={}}}[{}])",
                ratio_rule("5m"),
                q(&o.name),
                o.window
            ))
        );
        out.push_str(&labels);
        for (record, expr) in [
            (
                "slo:objective:ratio",
                format!("vector({})", num((o.target * 1e10).round() / 1e12)),
            ),
            (
                "slo:error_budget:ratio",
                format!("vector({})", num(o.error_budget())),
            ),
            (
                "slo:error_budget_remaining:ratio",
                format!(
                    "1 - {window_rule}{{slo={}}} / {}",
                    q(&o.name),
                    num(o.error_budget())
                ),
            ),
        ] {
            let _ = writeln!(out, "      - record: {record}");
            let _ = writeln!(out, "        expr: {}", q(&expr));
            out.push_str(&labels);
        }
        for severity in ["page", "ticket"] {
            let _ = writeln!(out, "      - alert: {}", alert_name(o));
            let _ = writeln!(out, "        expr: {}", q(&alert_expr(o, severity)));
            out.push_str("        labels:\n");
            let _ = writeln!(out, "          severity: {severity}");
            let _ = writeln!(out, "          slo: {}", q(&o.name));
            out.push_str("        annotations:\n");
            for (k, v) in annotations(o, severity) {
                let _ = writeln!(out, "          {k}: {}", q(&v));
            }
        }
    }
    out
}

/// A synthetic traffic scenario: a constant error ratio of `burn` × budget.
struct Scenario {
    burn: f64,
    eval: &'static str,
    fires: &'static [&'static str],
}

/// Above the first page pair (16× > 14.4×; then 6× and the tickets hold
/// too), between the page and ticket thresholds (5×: under 6×, over 3×),
/// and well under every threshold (0.5×).
const SCENARIOS: [Scenario; 3] = [
    Scenario {
        burn: 16.0,
        eval: "70m",
        fires: &["page", "ticket"],
    },
    Scenario {
        burn: 5.0,
        eval: "130m",
        fires: &["ticket"],
    },
    Scenario {
        burn: 0.5,
        eval: "130m",
        fires: &[],
    },
];

/// Events per minute in the synthetic series.
const PER_MINUTE: f64 = 1000.0;

/// `{a="b",c="d"}` of first values.
fn series_labels(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let l: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", crate::promql_string(v)))
        .collect();
    format!("{{{}}}", l.join(","))
}

/// The input series of an objective at a bad-event ratio of `ratio`:
/// `(series, per-minute increase)`.
fn input_series(o: &ObjectivePlan, ratio: f64) -> Vec<(String, f64)> {
    let bad = PER_MINUTE * ratio;
    let good = PER_MINUTE - bad;
    match &o.sli {
        SliPlan::Availability {
            metric,
            scope,
            selected,
            bad: selects_bad,
            unselected,
        } => {
            let base: Vec<(&str, &str)> = scope
                .iter()
                .map(|m| (m.label.as_str(), m.values[0].as_str()))
                .collect();
            let mut sel = base.clone();
            sel.extend(
                selected
                    .iter()
                    .map(|m| (m.label.as_str(), m.values[0].as_str())),
            );
            let mut other = base;
            other.push((selected[0].label.as_str(), unselected[0].as_str()));
            let (sel_rate, other_rate) = if *selects_bad {
                (bad, good)
            } else {
                (good, bad)
            };
            vec![
                (format!("{metric}{}", series_labels(&sel)), sel_rate),
                (format!("{metric}{}", series_labels(&other)), other_rate),
            ]
        }
        SliPlan::Latency {
            metric,
            scope,
            threshold,
            ..
        } => {
            let base: Vec<(&str, &str)> = scope
                .iter()
                .map(|m| (m.label.as_str(), m.values[0].as_str()))
                .collect();
            let le = crate::le_spellings(*threshold).remove(0);
            let mut bucket = base.clone();
            bucket.push(("le", le.as_str()));
            let mut inf = base.clone();
            inf.push(("le", "+Inf"));
            vec![
                (format!("{metric}_bucket{}", series_labels(&bucket)), good),
                (
                    format!("{metric}_bucket{}", series_labels(&inf)),
                    PER_MINUTE,
                ),
                (
                    format!("{metric}_count{}", series_labels(&base)),
                    PER_MINUTE,
                ),
            ]
        }
    }
}

/// `promtool test rules` tests of [`rules`]: per objective, synthetic
/// traffic above, between and below the burn-rate thresholds, and which
/// alerts must fire. `rules_file` is how the test file names the rules
/// file (relative to the test file).
pub fn rule_tests(decls: &[&Checked], rules_file: &str, source: &str) -> String {
    let mut out = format!(
        "# Generated by `promdef rules --tests` from {source}; do not edit.\n# Run: promtool test rules <this file>\nrule_files:\n  - {}\nevaluation_interval: 1m\ntests:\n",
        q(rules_file)
    );
    let list = objectives(decls);
    if list.is_empty() {
        out.push_str("  []\n");
        return out;
    }
    for o in list {
        let e = o.error_budget();
        for s in &SCENARIOS {
            let ratio = s.burn * e;
            if ratio >= 1.0 {
                let _ = writeln!(
                    out,
                    "  # {}: a {}× burn needs more than 100 % errors at this target; not testable",
                    o.name,
                    num(s.burn)
                );
                continue;
            }
            let _ = writeln!(
                out,
                "  - name: {}",
                q(&format!(
                    "{}: {}× burn rate fires {}",
                    o.name,
                    num(s.burn),
                    if s.fires.is_empty() {
                        "nothing".to_string()
                    } else {
                        s.fires.join(" and ")
                    }
                ))
            );
            out.push_str("    interval: 1m\n    input_series:\n");
            for (series, per_minute) in input_series(o, ratio) {
                let _ = writeln!(out, "      - series: {}", q(&series));
                let _ = writeln!(
                    out,
                    "        values: {}",
                    q(&format!("0+{}x180", num((per_minute * 1e9).round() / 1e9)))
                );
            }
            out.push_str("    alert_rule_test:\n");
            let _ = writeln!(out, "      - eval_time: {}", s.eval);
            let _ = writeln!(out, "        alertname: {}", alert_name(o));
            if s.fires.is_empty() {
                out.push_str("        exp_alerts: []\n");
                continue;
            }
            out.push_str("        exp_alerts:\n");
            for severity in s.fires {
                let _ = writeln!(out, "          - exp_labels:");
                let _ = writeln!(out, "              severity: {severity}");
                let _ = writeln!(out, "              slo: {}", q(&o.name));
                let _ = writeln!(out, "            exp_annotations:");
                for (k, v) in annotations(o, severity) {
                    let _ = writeln!(out, "              {k}: {}", q(&v));
                }
            }
        }
    }
    out
}
