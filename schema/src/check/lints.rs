//! Convention lints of one metric. Each opens with what it fires on and an
//! example; the guide sentence each enforces is [`Lint::citation`]. Where
//! promlint (`promtool check metrics`) has the same rule, the lint matches
//! promlint's algorithm, so a name promtool accepts is not rejected here for
//! a reason promtool has a rule about.

use super::Cx;
use crate::lints::Lint;
use crate::model::MetricType;
use crate::resolve::ResolvedMetric;

pub(super) fn check(cx: &mut Cx<'_>, i: usize) {
    let r = cx.r;
    let rm = &r.metrics[i];
    help_is_present(cx, i, rm);
    counters_end_with_total(cx, i, rm);
    sample_suffixes_match_the_type(cx, i, rm);
    le_and_quantile_only_on_their_types(cx, i, rm);
    no_type_word(cx, i, rm);
    no_colon(cx, i, rm);
    snake_case(cx, i, rm);
    no_abbreviated_unit(cx, i, rm);
    base_units(cx, i, rm);
    namespace_prefix(cx, i, rm);
    no_breakdown_in_name(cx, i, rm);
    no_target_labels(cx, i, rm);
    series_budget(cx, i, rm);
}

/// Every label name of the metric (variable, then const) with its location.
fn all_label_names<'a>(
    rm: &'a ResolvedMetric<'_>,
) -> impl Iterator<Item = (&'a str, crate::diag::Loc, bool)> + 'a {
    rm.labels.iter().map(|l| (l.name(), l.loc, false)).chain(
        rm.metric
            .const_label_names()
            .map(|k| (k.value.as_str(), k.loc, true)),
    )
}

/// help-missing / help-period: every metric has help; opt-in, it ends with a period.
///   help: Total requests handled.   ok      (no help)   help-missing
fn help_is_present(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let m = rm.metric;
    let name = &m.name.value;
    match &m.help {
        None => cx.lint(
            i,
            m.name.loc,
            Lint::HelpMissing,
            format!("`{name}` has no help text; add `help:` (or a `///` doc comment)"),
        ),
        Some(h) if h.value.trim().is_empty() => cx.lint(
            i,
            h.loc,
            Lint::HelpMissing,
            format!("`{name}` has empty help text; describe what it measures"),
        ),
        Some(h) if !h.value.trim_end().ends_with('.') => cx.lint(
            i,
            h.loc,
            Lint::HelpPeriod,
            "help text should be a sentence ending with a period; add `.`",
        ),
        _ => {}
    }
}

/// counter-total-suffix / total-suffix-non-counter.
///   counter requests   counter-total-suffix: rename to `requests_total`
fn counters_end_with_total(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let m = rm.metric;
    let name = &m.name.value;
    let counter = m.kind.value == MetricType::Counter;
    if counter && !name.ends_with("_total") {
        cx.lint(
            i,
            m.name.loc,
            Lint::CounterTotalSuffix,
            format!("counter `{name}` should end with `_total`; rename it to `{name}_total`"),
        );
    }
    if !counter && name.ends_with("_total") {
        cx.lint(
            i,
            m.name.loc,
            Lint::TotalSuffixNonCounter,
            format!("only counters end with `_total`; rename `{name}` or make it a counter"),
        );
    }
}

/// reserved-suffix / created-suffix: `_bucket` only on histograms, `_count`
/// and `_sum` only on histograms and summaries; `_created` on nothing.
///   gauge queue_count   reserved-suffix      summary rpc_size_count   ok
///   gauge kube_pod_created   created-suffix
fn sample_suffixes_match_the_type(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let m = rm.metric;
    let name = &m.name.value;
    let kind = m.kind.value;
    let hist_or_summary = matches!(kind, MetricType::Histogram | MetricType::Summary);
    for (suf, ok, owner) in [
        ("_bucket", kind == MetricType::Histogram, "histograms"),
        ("_count", hist_or_summary, "histograms and summaries"),
        ("_sum", hist_or_summary, "histograms and summaries"),
    ] {
        if !ok && name.ends_with(suf) {
            cx.lint(
                i,
                m.name.loc,
                Lint::ReservedSuffix,
                format!("`{suf}` is a sample suffix that only {owner} expose; rename `{name}`"),
            );
        }
    }
    if let Some(stem) = name.strip_suffix("_created") {
        cx.lint(
            i,
            m.name.loc,
            Lint::CreatedSuffix,
            format!("`{name}` reads as the OpenMetrics creation time of a counter, histogram or summary `{stem}`, and OpenMetrics says exposers SHOULD avoid such names; rename it (e.g. `{stem}_creation_timestamp_seconds`), or accept it where the name is established"),
        );
    }
}

/// reserved-label: `le` only on histograms, `quantile` only on summaries (on
/// their own types they are errors, see `metrics.rs`).
///   gauge with labels: [quantile]   lint
fn le_and_quantile_only_on_their_types(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let kind = rm.metric.kind.value;
    for (l, loc, _) in all_label_names(rm) {
        let owner = match (l, kind) {
            ("le", k) if k != MetricType::Histogram => "histogram buckets",
            ("quantile", k) if k != MetricType::Summary => "summary quantiles",
            _ => continue,
        };
        cx.lint(
            i,
            loc,
            Lint::ReservedLabel,
            format!("`{l}` is the label Prometheus reserves for {owner}; rename it"),
        );
    }
}

/// Whether the lowercased name has `part` as a `_`-separated part after the
/// first: promlint's `Contains("_"+w+"_") || HasSuffix("_"+w)`.
fn later_part(lower: &str, part: &str) -> bool {
    lower.contains(&format!("_{part}_")) || lower.ends_with(&format!("_{part}"))
}

/// type-in-name: a metric type word is a later name part, whatever the metric's type
/// (promlint as shipped with Prometheus 2.42).
///   http_requests_counter   lint      counter_resets_total   ok (first part)
fn no_type_word(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let name = &rm.metric.name.value;
    let lower = name.to_ascii_lowercase();
    for w in ["counter", "gauge", "histogram", "summary"] {
        if later_part(&lower, w) {
            cx.lint(
                i,
                rm.metric.name.loc,
                Lint::TypeInName,
                format!("`{name}` contains the type word `{w}`; the type is metadata, drop it from the name"),
            );
        }
    }
}

/// colon-in-name: `:` is for recording rules.
///   job:requests:rate5m   lint
fn no_colon(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let name = &rm.metric.name.value;
    if name.contains(':') {
        cx.lint(
            i,
            rm.metric.name.loc,
            Lint::ColonInName,
            format!("`{name}` contains `:`, which is reserved for recording rules; use `_`"),
        );
    }
}

/// Whether a lowercase ASCII letter is followed by an uppercase one
/// (promlint's `[a-z][A-Z]`).
fn is_camel(s: &str) -> bool {
    s.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// camel-case: metric, label and const label names are snake_case (by
/// promlint's test, so `node_memory_Active_bytes` passes as promtool lets it).
///   httpRequests_total   lint
fn snake_case(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let name = &rm.metric.name.value;
    if is_camel(name) {
        cx.lint(
            i,
            rm.metric.name.loc,
            Lint::CamelCase,
            format!(
                "metric names are snake_case; rename `{name}` to `{}`",
                snake(name)
            ),
        );
    }
    for (l, loc, _) in all_label_names(rm) {
        if is_camel(l) {
            cx.lint(
                i,
                loc,
                Lint::CamelCase,
                format!("label names are snake_case; rename `{l}` to `{}`", snake(l)),
            );
        }
    }
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c);
        }
    }
    out
}

/// Abbreviations promlint rejects.
const ABBREVIATED: &[&str] = &[
    "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
];

/// abbreviated-unit: an abbreviated unit is a later name part (promlint).
///   latency_ms   lint
fn no_abbreviated_unit(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let name = &rm.metric.name.value;
    let lower = name.to_ascii_lowercase();
    for a in ABBREVIATED {
        if later_part(&lower, a) {
            cx.lint(i, rm.metric.name.loc, Lint::AbbreviatedUnit, format!("`{name}` uses the abbreviated unit `{a}`; spell out the base unit (`seconds`, `bytes`, …)"));
        }
    }
}

const BASE_UNITS: &[&str] = &[
    "seconds", "bytes", "meters", "metres", "grams", "celsius", "kelvin", "volts", "amperes",
    "joules", "ratio",
];
const NON_BASE: &[(&str, &str)] = &[
    ("minutes", "seconds"),
    ("hours", "seconds"),
    ("days", "seconds"),
    ("weeks", "seconds"),
    ("bits", "bytes"),
    ("inches", "meters"),
    ("feet", "meters"),
    ("yards", "meters"),
    ("miles", "meters"),
    ("pounds", "grams"),
    ("ounces", "grams"),
    ("calories", "joules"),
    ("fahrenheit", "celsius"),
    ("rankine", "celsius"),
    ("kelvins", "kelvin"),
    ("percent", "ratio"),
    ("percentage", "ratio"),
];
/// promlint's prefixes (with its `mibi`) plus the rest of SI and IEC.
const SI_PREFIXES: &[&str] = &[
    "exa", "peta", "tera", "giga", "mega", "kilo", "hecto", "deca", "deci", "centi", "milli",
    "micro", "nano", "pico", "femto", "atto", "kibi", "mebi", "mibi", "gibi", "tebi", "pebi",
    "exbi",
];

/// non-base-unit: every name part is a base unit, not a non-base unit or a
/// prefixed unit (promlint's units, plus `feet` and `percent`; promlint
/// stops at the first unit it finds, this checks every part).
///   latency_milliseconds   lint: use `seconds`      disk_usage_percent   lint: use `ratio`
fn base_units(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let name = &rm.metric.name.value;
    for p in name.split(['_', ':']).filter(|p| !p.is_empty()) {
        let lp = p.to_ascii_lowercase();
        let non_base = NON_BASE.iter().find(|(u, _)| *u == lp).map(|(_, b)| *b);
        let prefixed = SI_PREFIXES.iter().find_map(|pre| {
            let rest = lp.strip_prefix(pre)?;
            if BASE_UNITS.contains(&rest) {
                Some(BASE_UNITS[BASE_UNITS.iter().position(|b| *b == rest)?])
            } else {
                NON_BASE.iter().find(|(u, _)| *u == rest).map(|(_, b)| *b)
            }
        });
        if let Some(base) = non_base.or(prefixed) {
            cx.lint(
                i,
                rm.metric.name.loc,
                Lint::NonBaseUnit,
                format!("`{name}` uses `{p}`; use the base unit `{base}` instead"),
            );
        }
    }
}

/// namespace-prefix: with a namespace, every name starts with `<namespace>_`
/// (an invalid namespace is already an error; checking names against it is noise).
///   namespace: shop, name: orders_total   lint      shop_orders_total   ok
fn namespace_prefix(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let name = &rm.metric.name.value;
    let Some(ns) =
        cx.s.namespace
            .as_ref()
            .filter(|ns| super::schema::valid_namespace(&ns.value))
    else {
        return;
    };
    if !name.starts_with(&format!("{}_", ns.value)) {
        let msg = format!(
            "`{name}` does not start with the namespace `{ns}_`; rename it to `{ns}_{name}`",
            ns = ns.value
        );
        cx.lint(i, rm.metric.name.loc, Lint::NamespacePrefix, msg);
    }
}

/// label-in-name: the name spells out a breakdown by one of its labels
/// (`by_<label>`), which is wrong once the label is aggregated away. A name
/// that names the measured object (`node_cpu_seconds_total{cpu}`) is fine.
///   http_requests_by_method_total with label method   lint
fn no_breakdown_in_name(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let name = &rm.metric.name.value;
    let parts: Vec<&str> = name.split(['_', ':']).collect();
    for (l, _, _) in all_label_names(rm) {
        let mut want = vec!["by"];
        want.extend(l.split('_'));
        if parts.windows(want.len()).any(|w| w == want.as_slice()) {
            cx.lint(
                i,
                rm.metric.name.loc,
                Lint::LabelInName,
                format!("`{name}` spells out its breakdown by label `{l}`, which is wrong once `{l}` is aggregated away; drop `by_{l}` from the name"),
            );
        }
    }
}

/// Names likely to clash with target labels (writing exporters, Labels).
const TARGET_LIKE: &[&str] = &[
    "region",
    "zone",
    "cluster",
    "availability_zone",
    "az",
    "datacenter",
    "dc",
    "owner",
    "customer",
    "stage",
    "service",
    "environment",
    "env",
];

/// target-label / const-target-label / generic-label.
///   labels: [instance]   target-label      const_labels: {region: eu}   const-target-label
///   labels: [zone] (a DNS zone)   ok       labels: [type]   generic-label
fn no_target_labels(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    for (l, loc, constant) in all_label_names(rm) {
        if l == "job" || l == "instance" {
            cx.lint(i, loc, Lint::TargetLabel, format!("`{l}` is attached by Prometheus to every series it scrapes, so yours would be renamed `exported_{l}`; rename it to say what it holds"));
        } else if constant && TARGET_LIKE.contains(&l) {
            cx.lint(i, loc, Lint::ConstTargetLabel, format!("const label `{l}` describes where the application runs, which Prometheus' target labels say; set it in relabelling, or make it a variable label if it names a resource of the application"));
        } else if l == "type" {
            cx.lint(
                i,
                loc,
                Lint::GenericLabel,
                "`type` is too generic a label name; rename it to say which type (`device_type`, `error_kind`, …)",
            );
        }
    }
}

/// series-budget: closed-set sizes times open bounds stay within `max_series`,
/// so the cap at run time never sends a tuple the bounds allow to overflow.
///   labels: 3 values × max_values 100 with max_series: 200   lint (300 series)
///   an unbounded label with max_series: 200                  ok (capped at 200)
fn series_budget(cx: &mut Cx<'_>, i: usize, rm: &ResolvedMetric<'_>) {
    let m = rm.metric;
    let name = &m.name.value;
    let Some(max) = m.max_series.as_ref().or(cx.s.max_series.as_ref()) else {
        return;
    };
    match rm.series_budget() {
        Some(b) if b > max.value as u128 => cx.lint(
            i,
            m.name.loc,
            Lint::SeriesBudget,
            format!(
                "`{name}` may create {b} series, more than `max_series` = {}; drop a label or lower a bound",
                max.value
            ),
        ),
        // An unbounded label is capped at `max_series` at run time (its own
        // lint, `unbounded-label`, says it has no bound).
        _ => {}
    }
}
