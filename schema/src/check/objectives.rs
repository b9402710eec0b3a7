//! Rules about service-level objectives: each must be computable from the
//! exposition of the metrics it names, or the generated rules would be
//! PromQL that silently returns nothing.

use super::Cx;
use crate::ast::did_you_mean;
use crate::diag::{Diagnostic, Loc, Spanned};
use crate::model::{MetricType, Objective, Sli};
use crate::resolve::ResolvedMetric;
use std::collections::HashMap;

/// Shortest window: the slowest burn-rate alert looks back 3 days, but a
/// shorter window still makes sense for the page alerts.
pub const MIN_WINDOW_DAYS: u64 = 1;
/// Longest window: Prometheus would need more than this much retention to
/// evaluate the budget, and the SRE workbook's burn rates assume ~a month.
pub const MAX_WINDOW_DAYS: u64 = 90;

pub(super) fn check(cx: &mut Cx<'_>) {
    names_are_unique_identifiers(cx);
    for i in 0..cx.s.objectives.len() {
        target_is_a_percentage(cx, i);
        window_is_whole_days(cx, i);
        match &cx.s.objectives[i].sli {
            Some(Sli::Availability { .. }) => availability_counts_a_counter(cx, i),
            Some(Sli::Latency { .. }) => latency_threshold_is_a_bucket_bound(cx, i),
            // The front end reported it.
            None => cx.reject_objective(i, None),
        }
    }
}

/// Rule: objective names are identifiers (they name recording rules and
/// alerts), each used once.
///   name: checkout_availability   ok      name: checkout-latency   error
fn names_are_unique_identifiers(cx: &mut Cx<'_>) {
    let mut seen: HashMap<&str, Loc> = HashMap::new();
    for (i, o) in cx.s.objectives.iter().enumerate() {
        let n = &o.name;
        if !is_identifier(&n.value) {
            cx.reject_objective(
                i,
                Some(Diagnostic::error(
                    n.loc,
                    format!(
                        "objective name `{}` is not an identifier; use lowercase letters, digits and `_` (it names rules and alerts)",
                        n.value
                    ),
                )),
            );
        } else if let Some(first) = seen.get(n.value.as_str()) {
            cx.reject_objective(
                i,
                Some(
                    Diagnostic::error(
                        n.loc,
                        format!("objective `{}` is declared twice; rename one", n.value),
                    )
                    .with_related(*first, "first declared here"),
                ),
            );
        } else {
            seen.insert(&n.value, n.loc);
        }
    }
}

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Rule: the target is a percentage of good events strictly between 0 and
/// 100 (100 % leaves no error budget; burn rates divide by it).
///   target: 99.9   ok      target: 100   error      target: 0.999   error (a fraction)
fn target_is_a_percentage(cx: &mut Cx<'_>, i: usize) {
    let o = &cx.s.objectives[i];
    let Some(t) = &o.target else {
        let d = Diagnostic::error(
            o.loc,
            format!(
                "objective `{}` has no `target:`; add the percentage of good events it promises, e.g. `target: 99.9`",
                o.name.value
            ),
        );
        return cx.reject_objective(i, Some(d));
    };
    let msg = if !(t.value > 0.0 && t.value < 100.0) {
        Some(format!(
            "target `{}` is not a percentage strictly between 0 and 100; write e.g. `99.9` (100 leaves no error budget)",
            t.value
        ))
    } else if t.value < 1.0 {
        Some(format!(
            "target `{}` % promises almost nothing; targets are percentages, write `{}` for {} of events",
            t.value,
            t.value * 100.0,
            t.value
        ))
    } else {
        None
    };
    let msg = msg.or_else(|| {
        // The fastest page needs 14.4 × the budget in errors: above 100 %,
        // that alert could never fire.
        let budget = 1.0 - t.value / 100.0;
        (14.4 * budget >= 1.0).then(|| {
            format!(
                "target `{}` leaves a budget of {}% of events, and the 14.4× page would need more than 100 % errors, so the objective could never page; use a target above 93.06",
                t.value,
                (budget * 1e4).round() / 100.0
            )
        })
    });
    if let Some(m) = msg {
        cx.reject_objective(i, Some(Diagnostic::error(t.loc, m)));
    }
}

/// The window's length in days, if it is `<n>d` or `<n>w`.
pub fn window_days(w: &str) -> Option<u64> {
    let (n, unit) = w.split_at(w.len().checked_sub(1)?);
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    let n: u64 = n.parse().ok()?;
    match unit {
        "d" => Some(n),
        "w" => n.checked_mul(7),
        _ => None,
    }
}

/// Rule: the window is whole days or weeks between 1 and 90 days
/// (`28d`, `4w`): the error budget is spent over it.
///   window: 28d   ok      window: 30 days   error      window: 1y   error
fn window_is_whole_days(cx: &mut Cx<'_>, i: usize) {
    let o = &cx.s.objectives[i];
    let Some(w) = &o.window else {
        let d = Diagnostic::error(
            o.loc,
            format!(
                "objective `{}` has no `window:`; add the period its error budget covers, e.g. `window: 28d`",
                o.name.value
            ),
        );
        return cx.reject_objective(i, Some(d));
    };
    let ok = window_days(&w.value).filter(|d| (MIN_WINDOW_DAYS..=MAX_WINDOW_DAYS).contains(d));
    if ok.is_none() {
        let d = Diagnostic::error(
            w.loc,
            format!(
                "window `{}` is not whole days or weeks from {MIN_WINDOW_DAYS}d to {MAX_WINDOW_DAYS}d; write e.g. `28d` or `4w`",
                w.value
            ),
        );
        cx.reject_objective(i, Some(d));
    }
}

/// The metric an SLI names, with a hint when it is missing.
fn find_metric<'s>(
    cx: &mut Cx<'s>,
    i: usize,
    name: &Spanned<String>,
    want: MetricType,
) -> Option<&'s ResolvedMetric<'s>> {
    let r = cx.r;
    if let Some(m) = r.metrics.iter().find(|m| m.metric.name.value == name.value) {
        if m.metric.kind.value != want {
            let d = Diagnostic::error(
                name.loc,
                format!(
                    "`{}` is a {}, but this SLI needs a {}; name a {} of this schema",
                    name.value,
                    m.metric.kind.value.as_str(),
                    want.as_str(),
                    want.as_str()
                ),
            )
            .with_related(m.metric.name.loc, "declared here");
            cx.reject_objective(i, Some(d));
            return None;
        }
        return Some(m);
    }
    let candidates: Vec<&str> = r
        .metrics
        .iter()
        .filter(|m| m.metric.kind.value == want)
        .map(|m| m.metric.name.value.as_str())
        .collect();
    // `requests_total` for `shop_requests_total`: the namespace is part of the name.
    let prefixed =
        cx.s.namespace
            .as_ref()
            .map(|ns| format!("{}_{}", ns.value, name.value));
    let hint = match prefixed.as_deref().filter(|p| candidates.contains(p)) {
        Some(p) => format!("did you mean `{p}`? (the namespace is part of the name)"),
        None => match did_you_mean(&name.value, &candidates) {
            Some(s) => format!("did you mean `{s}`?"),
            None if candidates.is_empty() => format!("this schema declares no {}", want.as_str()),
            None => format!("{}s: {}", want.as_str(), super::list(&candidates)),
        },
    };
    let d = Diagnostic::error(
        name.loc,
        format!(
            "metric `{}` is not declared in this schema; {hint}",
            name.value
        ),
    );
    cx.reject_objective(i, Some(d));
    None
}

/// Rule: a selector names labels of the metric; where a label has a closed
/// set, every value is in it (an open label's values are not known here, so
/// only `where:` may select on one).
///   bad: {status_class: [5xx]}   ok      bad: {status_class: [500]}   error
fn selector_is_valid(
    cx: &mut Cx<'_>,
    i: usize,
    m: &ResolvedMetric<'_>,
    sel: &[(Spanned<String>, Vec<Spanned<String>>)],
    what: &str,
    open_ok: bool,
) {
    let mut seen: HashMap<&str, Loc> = HashMap::new();
    for (label, values) in sel {
        let Some(l) = m.labels.iter().find(|l| l.name() == label.value) else {
            let names: Vec<&str> = m.labels.iter().map(|l| l.name()).collect();
            let hint = match did_you_mean(&label.value, &names) {
                Some(s) => format!("did you mean `{s}`?"),
                None if names.is_empty() => "it has no labels".to_string(),
                None => format!("its labels: {}", super::list(&names)),
            };
            let d = Diagnostic::error(
                label.loc,
                format!(
                    "`{}` is not a label of `{}`; {hint}",
                    label.value, m.metric.name.value
                ),
            );
            cx.reject_objective(i, Some(d));
            continue;
        };
        if let Some(first) = seen.insert(&label.value, label.loc) {
            let d = Diagnostic::error(
                label.loc,
                format!(
                    "label `{}` is selected twice in `{what}`; merge the lists",
                    label.value
                ),
            )
            .with_related(first, "first selected here");
            cx.reject_objective(i, Some(d));
        }
        if values.is_empty() {
            let d = Diagnostic::error(
                label.loc,
                format!(
                    "`{what}` lists no value of `{}`; list at least one",
                    label.value
                ),
            );
            cx.reject_objective(i, Some(d));
        }
        match &l.def.values {
            Some(set) => {
                let allowed: Vec<&str> = set.value.iter().map(|v| v.value.value.as_str()).collect();
                if !open_ok && allowed.iter().all(|a| values.iter().any(|v| v.value == *a)) {
                    let d = Diagnostic::error(
                        label.loc,
                        format!(
                            "`{what}` lists every value of `{}`, so every event would be {what}; leave at least one out",
                            label.value
                        ),
                    );
                    cx.reject_objective(i, Some(d));
                }
                for v in values {
                    if !allowed.contains(&v.value.as_str()) {
                        let hint = match did_you_mean(&v.value, &allowed) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("its values: {}", super::list(&allowed)),
                        };
                        let d = Diagnostic::error(
                            v.loc,
                            format!(
                                "`{}` is not a value of label `{}`; {hint}",
                                v.value, label.value
                            ),
                        );
                        cx.reject_objective(i, Some(d));
                    }
                }
            }
            None if open_ok => {
                for v in values.iter().filter(|v| v.value.is_empty()) {
                    let d =
                        Diagnostic::error(v.loc, "an empty label value selects nothing; remove it");
                    cx.reject_objective(i, Some(d));
                }
            }
            None => {
                let d = Diagnostic::error(
                    label.loc,
                    format!(
                        "label `{}` is open, so good and bad events cannot be told apart by its values; select on a closed-set label, or move it to `where:`",
                        label.value
                    ),
                );
                cx.reject_objective(i, Some(d));
            }
        }
    }
}

/// Rule: an availability SLI counts a counter ending in `_total` (so its
/// series has the same name in every exposition format), with either `bad:`
/// or `good:` events selected by closed-set labels.
///   availability: {metric: http_requests_total, bad: {status_class: [5xx]}}   ok
fn availability_counts_a_counter(cx: &mut Cx<'_>, i: usize) {
    let o: &Objective = &cx.s.objectives[i];
    let Some(Sli::Availability {
        metric,
        bad,
        good,
        r#where,
        loc,
    }) = &o.sli
    else {
        return;
    };
    match (bad.is_empty(), good.is_empty()) {
        (true, true) => {
            let d = Diagnostic::error(
                *loc,
                "`availability` selects no events; add `bad: {label: [values]}` (or `good:`)",
            );
            cx.reject_objective(i, Some(d));
        }
        (false, false) => {
            let d = Diagnostic::error(
                good[0].0.loc,
                "`availability` has both `bad:` and `good:`; keep one (the other is the rest)",
            );
            cx.reject_objective(i, Some(d));
        }
        _ => {}
    }
    let Some(m) = find_metric(cx, i, metric, MetricType::Counter) else {
        return;
    };
    if !metric.value.ends_with("_total") {
        let d = Diagnostic::error(
            metric.loc,
            format!(
                "counter `{}` does not end in `_total`, so OpenMetrics exposes it as `{}_total` and the SLI would depend on the scrape format; rename it",
                metric.value, metric.value
            ),
        );
        cx.reject_objective(i, Some(d));
    }
    let side = if bad.is_empty() { good } else { bad };
    let what = if bad.is_empty() { "good" } else { "bad" };
    selector_is_valid(cx, i, m, side, what, false);
    selector_is_valid(cx, i, m, r#where, "where", true);
    scope_and_selection_use_different_labels(cx, i, side, r#where, what);
}

/// Rule: a label selects either the events counted (`where:`) or the bad
/// (good) ones, not both: `where: {code: [2xx]}, bad: {code: [5xx]}` would
/// count no bad event ever, and overlapping values make series with one
/// label twice.
///   where: {route: /a}, bad: {code: 5xx}   ok      where: {code: 2xx}, bad: {code: 5xx}   error
fn scope_and_selection_use_different_labels(
    cx: &mut Cx<'_>,
    i: usize,
    side: &[(Spanned<String>, Vec<Spanned<String>>)],
    scope: &[(Spanned<String>, Vec<Spanned<String>>)],
    what: &str,
) {
    for (label, _) in scope {
        if let Some((first, _)) = side.iter().find(|(l, _)| l.value == label.value) {
            let d = Diagnostic::error(
                label.loc,
                format!(
                    "label `{}` is in both `where:` and `{what}:`; select events by it in one place (put the values in `{what}:`)",
                    label.value
                ),
            )
            .with_related(first.loc, format!("selected in `{what}:`"));
            cx.reject_objective(i, Some(d));
        }
    }
}

/// Rule: a latency threshold is one of the histogram's classic bucket
/// bounds: the fraction of observations at most the threshold is only
/// exact there (`_bucket{le="0.25"}`).
///   buckets: [0.1, 0.25, 1], threshold: 0.25   ok      threshold: 0.3   error
fn latency_threshold_is_a_bucket_bound(cx: &mut Cx<'_>, i: usize) {
    let o: &Objective = &cx.s.objectives[i];
    let Some(Sli::Latency {
        metric,
        threshold,
        r#where,
        ..
    }) = &o.sli
    else {
        return;
    };
    let Some(m) = find_metric(cx, i, metric, MetricType::Histogram) else {
        return;
    };
    if m.buckets.is_empty() {
        let d = Diagnostic::error(
            threshold.loc,
            format!(
                "`{}` has only native buckets, whose bounds are not known at compile time, so the SLI would be an interpolation; declare classic `buckets:` that include `{}`",
                metric.value, threshold.value
            ),
        );
        cx.reject_objective(i, Some(d));
    } else if !m.buckets.contains(&threshold.value) {
        let bounds: Vec<String> = m
            .buckets
            .iter()
            .filter(|b| b.is_finite())
            .map(|b| b.to_string())
            .collect();
        let d = Diagnostic::error(
            threshold.loc,
            format!(
                "threshold `{}` is not a bucket bound of `{}`, so the fraction of observations below it cannot be computed from the exposition; use one of [{}] or add it to `buckets`",
                threshold.value,
                metric.value,
                bounds.join(", ")
            ),
        );
        cx.reject_objective(i, Some(d));
    }
    selector_is_valid(cx, i, m, r#where, "where", true);
}
