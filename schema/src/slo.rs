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

/// The recorded rate of bad events over 5 minutes.
pub const BAD_RATE: &str = "slo:sli_bad:rate5m";
/// The recorded rate of all events over 5 minutes.
pub const TOTAL_RATE: &str = "slo:sli_total:rate5m";
/// The recorded error ratio over the objective's window (its own name, so
/// a `1d` or `3d` window cannot collide with the alerts' ratios).
pub const WINDOW_RATIO: &str = "slo:sli_error:ratio_window";

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

/// A YAML double-quoted scalar: a JSON string (valid YAML), with every
/// character YAML would fold or refuse (DEL, C1 controls such as U+0085,
/// the line and paragraph separators) escaped as well.
fn q(s: &str) -> String {
    let json = serde_json::to_string(s).expect("strings serialize");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c as u32 {
            0x7f..=0x9f | 0x2028 | 0x2029 | 0xfeff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            _ => out.push(c),
        }
    }
    out
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
        // The window's ratio weighs each 5 minutes by its traffic: the
        // recorded rates are summed over the window, so idle periods (no
        // sample) and quiet nights count for what they had.
        let (bad, total) = o.rates("5m");
        for (record, expr) in [(BAD_RATE, bad), (TOTAL_RATE, total)] {
            let _ = writeln!(out, "      - record: {record}");
            let _ = writeln!(out, "        expr: {}", q(&expr));
            out.push_str(&labels);
        }
        let sel = format!("{{slo={}}}", q(&o.name));
        let window_rule = WINDOW_RATIO;
        let _ = writeln!(out, "      - record: {window_rule}");
        let _ = writeln!(
            out,
            "        expr: {}",
            q(&format!(
                "sum_over_time({BAD_RATE}{sel}[{w}]) / (sum_over_time({TOTAL_RATE}{sel}[{w}]) > 0)",
                w = o.window
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

/// A synthetic traffic scenario: phases of `(minutes, burn rate)` — the
/// error ratio is `burn` × the error budget — evaluated at the end, or
/// `settle` minutes after.
struct Scenario {
    name: &'static str,
    phases: &'static [(u32, f64)],
    fires: &'static [&'static str],
}

/// Each page pair is shown to fire where the other cannot, each factor to
/// sit between a burn that must page and one that must not, and each short
/// window to reset its alert, so a wrong factor or window or a missing pair
/// fails a test (`tests/tests/ops.rs` mutates the rules to check). The
/// 3×/1d+2h ticket is implied by the 1×/3d+6h one (its 2h window lies in
/// the 6h one), so outcomes cannot tell its factor apart; it is kept as the
/// workbook has it.
const SCENARIOS: [Scenario; 9] = [
    // 1h ≈ 16× and 5m over 14.4×, 6h ≈ 2.7× (under 6×): the fast page.
    Scenario {
        name: "a 32× burst for 30 minutes after 6 healthy hours pages (1h and 5m)",
        phases: &[(360, 0.0), (30, 32.0)],
        fires: &["page", "ticket"],
    },
    // 1h ≈ 12×, under 14.4×: a lower page factor would page.
    Scenario {
        name: "a 24× burst for 30 minutes after 6 healthy hours does not page (1h under 14.4×)",
        phases: &[(360, 0.0), (30, 24.0)],
        fires: &["ticket"],
    },
    // The 32× burst, over for 10 minutes: 1h still over 14.4× but 5m
    // clean; 30m over 6× but 6h under.
    Scenario {
        name: "the 32× burst, over for 10 minutes, pages no more (5m resets it)",
        phases: &[(360, 0.0), (30, 32.0), (10, 0.0)],
        fires: &["ticket"],
    },
    Scenario {
        name: "a steady 16× burn pages and opens a ticket",
        phases: &[(70, 16.0)],
        fires: &["page", "ticket"],
    },
    // 6h at 7× after 6 healthy hours: the slow page (1h under 14.4×,
    // 1d ≈ 3.5× — a longer long window would not page).
    Scenario {
        name: "a 7× burn for the last 6 of 12 hours pages (6h and 30m)",
        phases: &[(360, 0.0), (360, 7.0)],
        fires: &["page", "ticket"],
    },
    // 6h ≈ 18× but over for 35 minutes: 30m clean, 1h ≈ 8.5× (so a
    // longer short window would page), 5m clean (no fast page).
    Scenario {
        name: "a 20× burn for 6 hours, over for 35 minutes, pages no more (30m resets it)",
        phases: &[(370, 20.0), (35, 0.0)],
        fires: &["ticket"],
    },
    Scenario {
        name: "a steady 5× burn opens a ticket and does not page (6h under 6×)",
        phases: &[(130, 5.0)],
        fires: &["ticket"],
    },
    // Under 3× but over 1× for 6 hours: the 3d/6h ticket.
    Scenario {
        name: "a steady 1.5× burn for 6 hours opens a ticket (3d and 6h)",
        phases: &[(370, 1.5)],
        fires: &["ticket"],
    },
    // Under 1× (a lower ticket factor would fire).
    Scenario {
        name: "a steady 0.7× burn fires nothing",
        phases: &[(370, 0.7)],
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
            // As promdef's text format writes the bound.
            let t = *threshold;
            let le = if t == t.trunc() && t.abs() < 1e15 {
                format!("{}", t as i64)
            } else if t.abs() >= 1e-4 {
                format!("{t}")
            } else {
                format!("{t:e}")
            };
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

/// A counter's samples, one a minute from 0, in promtool's expanding
/// notation: for each phase `(minutes, increase per minute)` one segment
/// starting where the previous one ended.
fn counter_values(phases: &[(u32, f64)]) -> String {
    let r = |v: f64| num((v * 1e9).round() / 1e9);
    let mut parts = Vec::new();
    let mut last = 0.0;
    for (i, (minutes, inc)) in phases.iter().enumerate() {
        if *minutes == 0 {
            continue;
        }
        // `a+bxn` is a, a+b, …, a+n·b: n + 1 samples, so the first segment
        // starts at 0 and the later ones one increase after the last sample.
        let (start, n) = if i == 0 {
            (0.0, *minutes)
        } else {
            (last + inc, minutes - 1)
        };
        parts.push(format!("{}+{}x{n}", r(start), r(*inc)));
        last = start + inc * n as f64;
    }
    parts.join(" ")
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
            let worst = s.phases.iter().map(|p| p.1).fold(0.0, f64::max);
            if worst * e >= 1.0 {
                let _ = writeln!(
                    out,
                    "  # {}: {} — needs more than 100 % errors at this target; not testable",
                    o.name, s.name
                );
                continue;
            }
            let _ = writeln!(out, "  - name: {}", q(&format!("{}: {}", o.name, s.name)));
            out.push_str("    interval: 1m\n    input_series:\n");
            // The same series in every phase, each with its per-minute increase.
            let per_phase: Vec<Vec<(String, f64)>> = s
                .phases
                .iter()
                .map(|(_, burn)| input_series(o, burn * e))
                .collect();
            for k in 0..per_phase[0].len() {
                let phases: Vec<(u32, f64)> = s
                    .phases
                    .iter()
                    .zip(&per_phase)
                    .map(|((minutes, _), series)| (*minutes, series[k].1))
                    .collect();
                let _ = writeln!(out, "      - series: {}", q(&per_phase[0][k].0));
                let _ = writeln!(out, "        values: {}", q(&counter_values(&phases)));
            }
            let eval: u32 = s.phases.iter().map(|p| p.0).sum();
            out.push_str("    alert_rule_test:\n");
            let _ = writeln!(out, "      - eval_time: {eval}m");
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

#[cfg(test)]
mod tests {
    use super::*;

    /// YAML would fold U+0085 into a line break and refuse DEL and C1
    /// controls inside a double-quoted scalar: they are escaped.
    #[test]
    fn yaml_scalars_escape_what_yaml_would_change() {
        assert_eq!(q("a\u{85}b\u{7f}c\u{2028}"), r#""a\u0085b\u007fc\u2028""#);
        assert_eq!(q("plain \"x\"\n"), r#""plain \"x\"\n""#);
    }

    #[test]
    fn counter_values_continue_across_phases() {
        assert_eq!(counter_values(&[(3, 2.0), (2, 5.0)]), "0+2x3 11+5x1");
    }
}
