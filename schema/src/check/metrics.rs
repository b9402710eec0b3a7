//! Rules about metrics (errors). Convention lints are in `lints.rs`.

use super::{Cx, MP_MODES};
use crate::ast::did_you_mean;
use crate::diag::{Diagnostic, Loc};
use crate::model::{Metric, MetricType};
use crate::naming;
use std::collections::{HashMap, HashSet};

/// Most series a fully closed-set metric may pre-create.
pub const MAX_DENSE_SERIES: u128 = 100_000;

pub(super) fn check(cx: &mut Cx<'_>) {
    names_are_valid(cx);
    names_are_declared_once(cx);
    families_do_not_clash(cx);
    let defined: Vec<&str> = cx.s.labels.iter().map(|l| l.key.value.as_str()).collect();
    let defined_set: HashSet<&str> = defined.iter().copied().collect();
    let mut suggestions_left = 64usize;
    for i in 0..cx.s.metrics.len() {
        info_metrics_take_const_labels(cx, i);
        labels_are_defined(cx, i, &defined, &defined_set, &mut suggestions_left);
        labels_are_listed_once(cx, i);
        le_and_quantile_belong_to_their_types(cx, i);
        const_labels_are_valid(cx, i);
        buckets_are_valid(cx, i);
        native_is_valid(cx, i);
        dense_series_are_bounded(cx, i);
        unit_is_the_suffix(cx, i);
        renamed_to_is_declared(cx, i);
        visibility_is_rust(cx, i);
        multiprocess_mode_is_known(cx, i);
        sharded_only_on_counters(cx, i);
        float_values_only_on_plain_counters(cx, i);
        quantiles_are_valid(cx, i);
        states_are_a_valid_set(cx, i);
        let allow = &cx.s.metrics[i].allow;
        super::schema::lint_ids_are_known(cx, allow, "allow", Some(i));
        if naming::is_metric_name(&cx.s.metrics[i].name.value) {
            super::lints::check(cx, i);
        }
    }
}

/// Rule: metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*` and do not start with `__`.
///   shop_orders_total ok    shop-orders   error
fn names_are_valid(cx: &mut Cx<'_>) {
    for (i, m) in cx.s.metrics.iter().enumerate() {
        let name = &m.name.value;
        if !naming::is_metric_name(name) {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    m.name.loc,
                    format!("`{name}` is not a valid metric name; use letters, digits, `_` and `:`, not starting with a digit"),
                ),
            );
        } else if name.starts_with("__") {
            cx.error_on(
                i,
                Diagnostic::error(
                    m.name.loc,
                    format!(
                    "metric names starting with `__` are reserved for Prometheus; rename `{name}`"
                ),
                ),
            );
        }
    }
}

/// Rule: a metric name is declared once; reported at the second site, which
/// is not generated.
///   - name: a_total … - name: a_total   error at the second
fn names_are_declared_once(cx: &mut Cx<'_>) {
    let mut first: HashMap<&str, Loc> = HashMap::new();
    for (i, m) in cx.s.metrics.iter().enumerate() {
        match first.get(m.name.value.as_str()) {
            Some(f) => cx.reject_metric(
                i,
                Diagnostic::error(
                    m.name.loc,
                    format!(
                        "metric `{}` is declared twice; remove or rename one",
                        m.name.value
                    ),
                )
                .with_related(*f, "first declared"),
            ),
            None => {
                first.insert(&m.name.value, m.name.loc);
            }
        }
    }
}

/// The sample names a family can expose in text 0.0.4 or OpenMetrics, and its
/// OpenMetrics family name (`# TYPE` line).
fn exposed_names(m: &Metric) -> (Vec<String>, String) {
    let n = m.name.value.as_str();
    match m.kind.value {
        MetricType::Counter => {
            let fam = n.strip_suffix("_total").unwrap_or(n);
            (
                vec![n.into(), format!("{fam}_total"), format!("{fam}_created")],
                fam.into(),
            )
        }
        MetricType::Gauge | MetricType::StateSet => (vec![n.into()], n.into()),
        MetricType::Info => {
            let fam = n.strip_suffix("_info").unwrap_or(n);
            (vec![n.into(), format!("{fam}_info")], fam.into())
        }
        MetricType::Histogram => (
            ["_bucket", "_count", "_sum", "_created"]
                .iter()
                .map(|s| format!("{n}{s}"))
                .collect(),
            n.into(),
        ),
        MetricType::Summary => (
            ["", "_count", "_sum", "_created"]
                .iter()
                .map(|s| format!("{n}{s}"))
                .collect(),
            n.into(),
        ),
    }
}

/// Rule: no two families can expose the same sample name, or the same
/// OpenMetrics family name — judged by what each family's type really
/// exposes, so two gauges `x` and `x_sum` are fine (a lint may still fire),
/// while a histogram `x` and a gauge `x_sum` clash.
///   gauge `foo` and counter `foo_total`   error (OpenMetrics family `foo` twice)
///   counter `jobs_total` and gauge `jobs_created`   error (`jobs_created` twice)
fn families_do_not_clash(cx: &mut Cx<'_>) {
    let mut samples: HashMap<String, usize> = HashMap::new();
    let mut families: HashMap<String, usize> = HashMap::new();
    let mut names: HashSet<&str> = HashSet::new();
    for (i, m) in cx.s.metrics.iter().enumerate() {
        // A name declared twice is reported once, as a duplicate.
        if !names.insert(&m.name.value) {
            continue;
        }
        let (own, family) = exposed_names(m);
        let clash = own
            .iter()
            .find_map(|s| samples.get(s).map(|&o| (o, format!("the sample `{s}`"))))
            .or_else(|| {
                families
                    .get(&family)
                    .map(|&o| (o, format!("the OpenMetrics family `{family}`")))
            });
        if let Some((o, what)) = clash {
            let other = &cx.s.metrics[o];
            cx.error_on(
                i,
                Diagnostic::error(
                    m.name.loc,
                    format!(
                        "{} `{}` clashes with {} `{}`: both would expose {what}; rename one",
                        m.kind.value.as_str(),
                        m.name.value,
                        other.kind.value.as_str(),
                        other.name.value
                    ),
                )
                .with_related(other.name.loc, format!("`{}` declared", other.name.value)),
            );
        }
        for s in own {
            samples.entry(s).or_insert(i);
        }
        families.entry(family).or_insert(i);
    }
}

/// Rule: an info metric's name ends with `_info` and it takes const labels only.
///   type: info, name: build_info, const_labels: {version: "1"}   ok
fn info_metrics_take_const_labels(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    if m.kind.value != MetricType::Info {
        return;
    }
    let name = &m.name.value;
    if !name.ends_with("_info") {
        cx.error_on(
            i,
            Diagnostic::error(
                m.name.loc,
                format!("info metric `{name}` must end with `_info`; rename it to `{name}_info`"),
            ),
        );
    }
    if let Some(l) = m.labels.first() {
        cx.error_on(i, Diagnostic::error(l.loc, "info metrics take `const_labels`, not `labels`; move the values to `const_labels`, or declare a gauge with labels"));
    }
}

/// Rule: every referenced label is defined (the metric is not generated otherwise).
///   labels: [methd]   error, did you mean `method`?
fn labels_are_defined(
    cx: &mut Cx<'_>,
    i: usize,
    defined: &[&str],
    defined_set: &HashSet<&str>,
    suggestions_left: &mut usize,
) {
    for l in &cx.s.metrics[i].labels {
        if defined_set.contains(l.value.as_str()) {
            continue;
        }
        // Suggestions cost an edit distance per defined label: bounded per declaration.
        let suggestion = if *suggestions_left > 0 {
            *suggestions_left -= 1;
            did_you_mean(&l.value, defined)
        } else {
            None
        };
        let hint = match suggestion {
            Some(s) => format!("; did you mean `{s}`?"),
            None if defined.is_empty() => {
                "; define it under `labels:` (none is defined yet)".to_string()
            }
            None if defined.len() <= 10 => {
                format!(
                    "; define it under `labels:` (defined: {})",
                    defined.join(", ")
                )
            }
            None => "; define it under `labels:`".to_string(),
        };
        cx.reject_metric(
            i,
            Diagnostic::error(l.loc, format!("label `{}` is not defined{hint}", l.value)),
        );
    }
}

/// Rule: a metric lists each label once, by reference or by exposed name (two
/// definitions exposing `method` cannot both be on one metric).
///   labels: [method, method]   error
fn labels_are_listed_once(cx: &mut Cx<'_>, i: usize) {
    let rm = &cx.r.metrics[i];
    let mut seen: HashMap<&str, Loc> = HashMap::new();
    for l in &rm.labels {
        match seen.get(l.name()) {
            Some(first) => cx.reject_metric(
                i,
                Diagnostic::error(
                    l.loc,
                    format!(
                        "label `{}` is listed twice on `{}`; remove one",
                        l.name(),
                        rm.metric.name.value
                    ),
                )
                .with_related(*first, "first listed"),
            ),
            None => {
                seen.insert(l.name(), l.loc);
            }
        }
    }
}

/// Rule: `le` is the histogram's own label and `quantile` the summary's; on
/// other types the `reserved-label` lint applies (in `lints.rs`).
///   histogram with labels: [le]   error
fn le_and_quantile_belong_to_their_types(cx: &mut Cx<'_>, i: usize) {
    let rm = &cx.r.metrics[i];
    let kind = rm.metric.kind.value;
    let names = rm.labels.iter().map(|l| (l.name(), l.loc)).chain(
        rm.metric
            .const_label_names()
            .map(|k| (k.value.as_str(), k.loc)),
    );
    for (l, loc) in names {
        match (l, kind) {
            ("le", MetricType::Histogram) => cx.error_on(
                i,
                Diagnostic::error(
                    loc,
                    "`le` is reserved for histogram buckets; rename the label",
                ),
            ),
            ("quantile", MetricType::Summary) => cx.error_on(
                i,
                Diagnostic::error(
                    loc,
                    "`quantile` is reserved for summary quantiles; rename the label",
                ),
            ),
            _ => {}
        }
    }
}

/// Rule: const labels have valid names and differ from the metric's labels
/// (a const label set twice is a duplicate key, reported when reading).
///   const_labels: {method: x} with labels: [method]   error
fn const_labels_are_valid(cx: &mut Cx<'_>, i: usize) {
    let rm = &cx.r.metrics[i];
    for (k, var) in &rm.metric.const_labels_env {
        let ok = var
            .value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && var
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            cx.error_on(
                i,
                Diagnostic::error(
                    var.loc,
                    format!(
                        "`{}` is not an environment variable name (const label `{}`); use letters, digits and `_`, e.g. `CARGO_PKG_VERSION`",
                        var.value, k.value
                    ),
                ),
            );
        }
    }
    for k in rm.metric.const_label_names() {
        if let Some(msg) = super::labels::invalid_label_name(k) {
            cx.error_on(i, Diagnostic::error(k.loc, msg));
        }
        if rm.labels.iter().any(|l| l.name() == k.value) {
            cx.error_on(
                i,
                Diagnostic::error(
                    k.loc,
                    format!(
                        "`{}` is both a label and a const label of `{}`; keep one",
                        k.value, rm.metric.name.value
                    ),
                ),
            );
        }
    }
}

/// Rule: buckets only on histograms; finite, strictly increasing, not empty.
///   buckets: [0.1, 0.1]   error      buckets: [.inf]   error (+Inf is implicit)
fn buckets_are_valid(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    let Some(b) = &m.buckets else { return };
    let kind = m.kind.value;
    if kind != MetricType::Histogram {
        cx.error_on(
            i,
            Diagnostic::error(
                b.loc,
                format!(
                    "`buckets` only apply to histograms, and `{}` is a {}; remove them",
                    m.name.value,
                    kind.as_str()
                ),
            ),
        );
        return;
    }
    if b.value.is_empty() {
        cx.reject_metric(
            i,
            Diagnostic::error(
                b.loc,
                "`buckets` is empty; list at least one upper bound or remove it for the defaults",
            ),
        );
    }
    for (j, v) in b.value.iter().enumerate() {
        if !v.value.is_finite() {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    v.loc,
                    "bucket bounds must be finite; the `+Inf` bucket is added for you",
                ),
            );
        } else if j > 0 && b.value[j - 1].value.is_finite() && v.value <= b.value[j - 1].value {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    v.loc,
                    format!(
                        "buckets must be strictly increasing, but {} follows {}",
                        v.value,
                        b.value[j - 1].value
                    ),
                ),
            );
        }
    }
}

/// Rule: `native` only on histograms; `factor` or `schema`, not both; the
/// schema within −4..8 (factors from 2^(2^−8) ≈ 1.002712 to below 2^32);
/// `max_buckets` at most 4,096; `zero_threshold` finite and not negative.
///   native: {factor: 1}   error      native: {factor: 1.1}   ok (schema 3)
fn native_is_valid(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    let Some(n) = &m.native else { return };
    if m.kind.value != MetricType::Histogram {
        let msg = format!(
            "`native` only applies to histograms, and `{}` is a {}; remove it",
            m.name.value,
            m.kind.value.as_str()
        );
        cx.error_on(i, Diagnostic::error(n.loc, msg));
        return;
    }
    let mut errors = Vec::new();
    if let (Some(_), Some(s)) = (&n.value.factor, &n.value.schema) {
        errors.push(Diagnostic::error(
            s.loc,
            "`native` has both `factor` and `schema`; keep one",
        ));
    }
    if let Some(f) = &n.value.factor {
        if crate::checked::schema_of_factor(f.value).is_none() {
            errors.push(Diagnostic::error(
                f.loc,
                format!(
                    "`factor` must be at least 1.002712 (2^(2^-8), schema 8) and below 4294967296 (2^32, schema -4), found {}",
                    f.value
                ),
            ));
        }
    }
    if let Some(s) = &n.value.schema {
        if !(-4..=8).contains(&s.value) {
            errors.push(Diagnostic::error(
                s.loc,
                format!("`schema` must be from -4 to 8, found {}", s.value),
            ));
        }
    }
    if let Some(b) = &n.value.max_buckets {
        if b.value > MAX_NATIVE_BUCKETS {
            errors.push(Diagnostic::error(
                b.loc,
                format!(
                    "`max_buckets` is at most {MAX_NATIVE_BUCKETS} (each series keeps two slots per bucket), found {}",
                    b.value
                ),
            ));
        }
    }
    if let Some(z) = &n.value.zero_threshold {
        if !(z.value.is_finite() && z.value >= 0.0) {
            errors.push(Diagnostic::error(
                z.loc,
                format!(
                    "`zero_threshold` must be a finite number, 0 or more, found {}",
                    z.value
                ),
            ));
        }
    }
    for e in errors {
        cx.reject_metric(i, e);
    }
}

/// Most native buckets a histogram may declare.
pub(crate) const MAX_NATIVE_BUCKETS: u64 = 4096;

/// Rule: a fully closed-set metric pre-creates at most MAX_DENSE_SERIES series.
///   five labels of 10 values and one of 2 (200,000 series)   error
fn dense_series_are_bounded(cx: &mut Cx<'_>, i: usize) {
    let rm = &cx.r.metrics[i];
    if rm.is_dense() && rm.dense_cardinality() > MAX_DENSE_SERIES {
        let msg = format!("`{}` would pre-create {} series (more than {MAX_DENSE_SERIES}); drop a label or make one open with `max_values`", rm.metric.name.value, rm.dense_cardinality());
        cx.reject_metric(i, Diagnostic::error(rm.metric.name.loc, msg));
    }
}

/// Rule: the unit is the name's suffix (before `_total`); info and stateset
/// metrics have none (OpenMetrics: their unit MUST be empty).
///   name: x_seconds, unit: seconds   ok      unit: bytes   error
fn unit_is_the_suffix(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    if let (Some(u), MetricType::Info | MetricType::StateSet) = (&m.unit, m.kind.value) {
        let msg = format!(
            "{} metrics have no unit (OpenMetrics); remove `unit: {}`",
            m.kind.value.as_str(),
            u.value
        );
        return cx.error_on(i, Diagnostic::error(u.loc, msg));
    }
    if let Some(u) = &m.unit {
        let name = &m.name.value;
        let stem = name.strip_suffix("_total").unwrap_or(name);
        if !stem.ends_with(&format!("_{}", u.value)) {
            cx.error_on(
                i,
                Diagnostic::error(
                    u.loc,
                    format!(
                    "unit `{}` is not the suffix of `{name}`; rename the metric to end with `_{}`",
                    u.value, u.value
                ),
                ),
            );
        }
    }
}

/// Rule: `renamed_to` names another metric of this schema.
///   deprecated: {since: "1.2", renamed_to: shop_orders_total}   ok if declared
fn renamed_to_is_declared(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    let Some(to) = m.deprecated.as_ref().and_then(|d| d.renamed_to.as_ref()) else {
        return;
    };
    let name = &m.name.value;
    if to.value == *name {
        cx.error_on(
            i,
            Diagnostic::error(
                to.loc,
                format!("`renamed_to` names `{name}` itself; name the metric that replaces it"),
            ),
        );
    } else if !cx.s.metrics.iter().any(|o| o.name.value == to.value) {
        let names: Vec<&str> = cx.s.metrics.iter().map(|o| o.name.value.as_str()).collect();
        let hint = did_you_mean(&to.value, &names)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        cx.error_on(
            i,
            Diagnostic::error(
                to.loc,
                format!(
                    "`renamed_to` names `{}`, which this schema does not declare{hint}",
                    to.value
                ),
            ),
        );
    }
}

/// Rule: `visibility` is a Rust visibility (the static is `pub` otherwise).
///   visibility: pub(crate)   ok      visibility: public   error
fn visibility_is_rust(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    if let Some(v) = &m.visibility {
        if !v.is_empty() && syn::parse_str::<syn::Visibility>(v).is_err() {
            cx.error_on(i, Diagnostic::error(
                m.loc,
                format!("`visibility: {v}` is not a Rust visibility; write `pub`, `pub(crate)`, `pub(super)` or `pub(in path)`"),
            ));
        }
    }
}

/// Rule: `multiprocess_mode` is one of Python's modes, and only on gauges.
///   gauge, multiprocess_mode: livesum   ok      counter, multiprocess_mode: max   error
fn multiprocess_mode_is_known(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    let Some(mode) = &m.multiprocess_mode else {
        return;
    };
    if m.kind.value != MetricType::Gauge {
        cx.error_on(i, Diagnostic::error(mode.loc, "`multiprocess_mode` only applies to gauges; counters, histograms and summaries are always summed"));
    } else if !MP_MODES.contains(&mode.value.as_str()) {
        let hint = did_you_mean(&mode.value, MP_MODES)
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("expected one of {}", MP_MODES.join(", ")));
        cx.error_on(
            i,
            Diagnostic::error(
                mode.loc,
                format!("unknown multiprocess mode `{}`; {hint}", mode.value),
            ),
        );
    }
}

/// Rule: `quantiles` only on summaries; objectives in [0, 1], strictly
/// increasing, at least one; `max_age` a duration from 10s to 1d;
/// `age_buckets` at most 60; `accuracy` in (0, 0.5).
///   quantiles: [0.5, 0.9, 0.99]   ok      quantiles: [0.9, 0.5]   error      quantiles: [99]   error
fn quantiles_are_valid(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    let Some(q) = &m.quantiles else { return };
    if m.kind.value != MetricType::Summary {
        let msg = format!(
            "`quantiles` only apply to summaries, and `{}` is a {}; remove them (histograms give quantiles with `histogram_quantile`)",
            m.name.value,
            m.kind.value.as_str()
        );
        return cx.error_on(i, Diagnostic::error(q.loc, msg));
    }
    let q = &q.value;
    let mut errors = Vec::new();
    if q.objectives.is_empty() {
        errors.push(Diagnostic::error(
            m.quantiles.as_ref().map_or(m.loc, |q| q.loc),
            "`quantiles` lists none; list some, e.g. `[0.5, 0.9, 0.99]`, or remove it",
        ));
    }
    for (k, o) in q.objectives.iter().enumerate() {
        if !(0.0..=1.0).contains(&o.value) {
            errors.push(Diagnostic::error(
                o.loc,
                format!("quantile `{}` is not between 0 and 1; write e.g. `0.99` for the 99th percentile", o.value),
            ));
        } else if k > 0 && o.value <= q.objectives[k - 1].value {
            errors.push(Diagnostic::error(
                o.loc,
                format!(
                    "quantiles must be strictly increasing, but {} follows {}",
                    o.value,
                    q.objectives[k - 1].value
                ),
            ));
        }
    }
    if let Some(a) = &q.max_age {
        let ok =
            crate::checked::duration_seconds(&a.value).filter(|s| (10.0..=86_400.0).contains(s));
        if ok.is_none() {
            errors.push(Diagnostic::error(
                a.loc,
                format!(
                    "`max_age` `{}` is not a duration from 10s to 24h; write e.g. `10m`",
                    a.value
                ),
            ));
        }
    }
    if let Some(b) = q.age_buckets.as_ref().filter(|b| b.value > 60) {
        errors.push(Diagnostic::error(
            b.loc,
            format!(
                "`age_buckets` is at most 60 (each costs an estimator per series), found {}",
                b.value
            ),
        ));
    }
    if let Some(a) = q
        .accuracy
        .as_ref()
        .filter(|a| !(a.value > 0.0 && a.value < 0.5))
    {
        errors.push(Diagnostic::error(
            a.loc,
            format!(
                "`accuracy` is a relative error between 0 and 0.5 (0.01 = 1 %), found {}",
                a.value
            ),
        ));
    }
    for d in errors {
        cx.error_on(i, d);
    }
}

/// Rule: a stateset lists `states` (and only statesets do): at least one,
/// each once, each a Rust variant after naming, at most 65,535; no label
/// is named like the metric (OpenMetrics names the state label after the
/// family); its enum (the static in CamelCase) is a free Rust type name.
///   type: stateset, states: [starting, running]   ok      states: [a, a]   error
fn states_are_a_valid_set(cx: &mut Cx<'_>, i: usize) {
    let rm = &cx.r.metrics[i];
    let m = rm.metric;
    let is_set = m.kind.value == MetricType::StateSet;
    let Some(states) = &m.states else {
        if is_set {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    m.name.loc,
                    format!(
                        "stateset `{}` needs `states: [first, second, …]`",
                        m.name.value
                    ),
                ),
            );
        }
        return;
    };
    if !is_set {
        let msg = format!(
            "`states` only apply to statesets, and `{}` is a {}; remove them, or make it `type: stateset`",
            m.name.value,
            m.kind.value.as_str()
        );
        return cx.error_on(i, Diagnostic::error(states.loc, msg));
    }
    if states.value.is_empty() {
        return cx.reject_metric(
            i,
            Diagnostic::error(
                states.loc,
                "`states` is empty; list the states, the first one current at start",
            ),
        );
    }
    if states.value.len() > super::MAX_CLOSED_VALUES {
        return cx.reject_metric(
            i,
            Diagnostic::error(
                states.loc,
                format!("a stateset has at most {} states", super::MAX_CLOSED_VALUES),
            ),
        );
    }
    let mut seen: HashMap<&str, Loc> = HashMap::new();
    let mut variants: HashMap<String, &str> = HashMap::new();
    for (k, s) in states.value.iter().enumerate() {
        if let Some(first) = seen.get(s.value.as_str()) {
            let d = Diagnostic::error(
                s.loc,
                format!("state `{}` is listed twice; remove one", s.value),
            )
            .with_related(*first, "first listed");
            cx.reject_metric(i, d);
            continue;
        }
        seen.insert(&s.value, s.loc);
        let v = naming::variant_name(&s.value, k);
        if !naming::is_rust_ident(&v) {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    s.loc,
                    format!(
                        "state `{}` does not make a Rust variant name (`{v}`); rename it",
                        s.value
                    ),
                ),
            );
        } else if let Some(other) = variants.insert(v.clone(), &s.value) {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    s.loc,
                    format!(
                        "states `{other}` and `{}` both become the variant `{v}`; rename one",
                        s.value
                    ),
                ),
            );
        }
    }
    if !naming::is_label_name(&m.name.value) {
        return cx.reject_metric(i, Diagnostic::error(m.name.loc, format!("stateset `{}` names its state label, and `:` is not allowed in label names; rename it", m.name.value)));
    }
    if let Some(k) = m.const_label_names().find(|k| k.value == m.name.value) {
        return cx.reject_metric(i, Diagnostic::error(k.loc, format!("const label `{}` has the stateset's name, which OpenMetrics gives the state label; rename it", k.value)));
    }
    if let Some(l) = rm.labels.iter().find(|l| l.name() == m.name.value) {
        // Its enum would also clash with the states enum: one mistake, one error.
        return cx.reject_metric(i, Diagnostic::error(l.loc, format!("label `{}` has the stateset's name, which OpenMetrics gives the state label; rename the label", m.name.value)));
    }
    let ty = crate::checked::state_enum_name(&rm.static_name);
    let clash = cx.r.enums.iter().any(|e| e.type_name == ty)
        || cx
            .r
            .metrics
            .iter()
            .any(|o| !o.labels.is_empty() && o.labels_struct == ty);
    if !naming::is_rust_ident(&ty) {
        cx.reject_metric(i, Diagnostic::error(m.name.loc, format!("the states enum of `{}` would be `{ty}`, not a Rust type name; set `static_name`", m.name.value)));
    } else if clash {
        cx.reject_metric(i, Diagnostic::error(m.name.loc, format!("the states enum `{ty}` of `{}` has the name of another generated type; set `static_name` (or `rust_type` on the label)", m.name.value)));
    }
}

/// Rule: `value: float` only applies to counters (gauges, histograms and
/// summaries are floats already), and not with `sharded` (shards are
/// whole counts).
///   counter with value: float   ok      gauge with value: float   error
fn float_values_only_on_plain_counters(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    let Some(f) = m.float.as_ref().filter(|f| f.value) else {
        return;
    };
    let msg = if m.kind.value != MetricType::Counter {
        format!(
            "`value: float` only applies to counters, and `{}` is a {} (already a float); remove it",
            m.name.value,
            m.kind.value.as_str()
        )
    } else if m.sharded.as_ref().is_some_and(|s| s.value) {
        "`value: float` and `sharded: true` do not combine (shards hold whole counts); remove one"
            .to_string()
    } else {
        return;
    };
    cx.error_on(i, Diagnostic::error(f.loc, msg));
}

/// Rule: `sharded` only applies to counters.
///   gauge with sharded: true   error
fn sharded_only_on_counters(cx: &mut Cx<'_>, i: usize) {
    let m = &cx.s.metrics[i];
    if let Some(sh) = &m.sharded {
        if m.kind.value != MetricType::Counter && sh.value {
            cx.error_on(
                i,
                Diagnostic::error(
                    sh.loc,
                    format!(
                        "`sharded` only applies to counters, and `{}` is a {}; remove it",
                        m.name.value,
                        m.kind.value.as_str()
                    ),
                ),
            );
        }
    }
}
