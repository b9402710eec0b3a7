//! Semantic checks: errors (the schema is wrong) and convention lints (the
//! schema works but breaks Prometheus practice). Every rule runs on the one
//! model, so YAML and the inline macro get the same messages.

use crate::ast::did_you_mean;
use crate::diag::{Ctxt, Diagnostic, Loc, Spanned};
use crate::model::*;
use crate::naming;
use crate::resolve::{resolve, Resolved};
use std::collections::{HashMap, HashSet};

/// Every lint id `allow:` accepts, with a one-line description.
pub const LINTS: &[(&str, &str)] = &[
    ("help-missing", "metric has no help text"),
    ("help-period", "help text does not end with a period"),
    (
        "counter-total-suffix",
        "counter name does not end with `_total`",
    ),
    (
        "total-suffix-non-counter",
        "non-counter name ends with `_total`",
    ),
    (
        "reserved-suffix",
        "name ends with `_bucket`, `_count`, `_sum` or `_created` on the wrong type",
    ),
    (
        "reserved-label",
        "`le` on a non-histogram or `quantile` on a non-summary",
    ),
    ("type-in-name", "name contains a metric type word"),
    (
        "colon-in-name",
        "name contains `:`, reserved for recording rules",
    ),
    ("camel-case", "metric or label name is not snake_case"),
    (
        "abbreviated-unit",
        "name uses an abbreviated unit such as `ms`",
    ),
    (
        "non-base-unit",
        "name uses a non-base unit such as `milliseconds` or `percent`",
    ),
    (
        "namespace-prefix",
        "name does not start with the schema's namespace",
    ),
    (
        "label-in-name",
        "a label name is repeated in the metric name",
    ),
    (
        "target-label",
        "label name is one Prometheus sets on targets, or `type`",
    ),
    ("unbounded-label", "open label without `max_values`"),
    (
        "high-cardinality-label",
        "label name usually carries unbounded values",
    ),
    ("series-budget", "series budget exceeds `max_series`"),
];

const TYPE_WORDS: &[&str] = &["counter", "gauge", "histogram", "summary", "untyped"];
const ABBREVIATED: &[&str] = &[
    "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d",
];
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
    ("miles", "meters"),
    ("yards", "meters"),
    ("feet", "meters"),
    ("pounds", "grams"),
    ("ounces", "grams"),
    ("calories", "joules"),
    ("fahrenheit", "celsius"),
    ("rankine", "celsius"),
    ("kelvins", "kelvin"),
    ("percent", "ratio"),
    ("percentage", "ratio"),
];
// promlint's list (with its `mibi`) plus the rest of SI and IEC.
const SI_PREFIXES: &[&str] = &[
    "exa", "peta", "tera", "giga", "mega", "kilo", "hecto", "deca", "deci", "centi", "milli",
    "micro", "nano", "pico", "femto", "atto", "kibi", "mebi", "mibi", "gibi", "tebi", "pebi",
    "exbi",
];
const TARGET_LABELS: &[&str] = &[
    "job", "instance", "region", "zone", "cluster", "env", "service", "type",
];
const UNBOUNDED_LABELS: &[&str] = &[
    "user_id",
    "userid",
    "user",
    "uid",
    "uuid",
    "guid",
    "email",
    "ip",
    "ip_address",
    "address",
    "path",
    "url",
    "uri",
    "query",
    "session",
    "session_id",
    "trace_id",
    "span_id",
    "request_id",
    "id",
    "token",
    "username",
    "timestamp",
];
const SAMPLE_SUFFIXES: &[&str] = &["_total", "_created", "_count", "_sum", "_bucket", "_info"];
/// Values of `multiprocess_mode`, as Python's client names them.
pub const MP_MODES: &[&str] = &[
    "all",
    "liveall",
    "min",
    "max",
    "sum",
    "livemin",
    "livemax",
    "livesum",
    "mostrecent",
    "livemostrecent",
];
/// Most series a fully closed-set metric may pre-create.
pub const MAX_DENSE_SERIES: u128 = 100_000;

fn at(loc: Loc) -> String {
    loc.describe()
}

/// Runs every rule and returns all findings, errors and lints, in source order
/// of discovery. `allow:` entries suppress lints; an unused `allow` is an error.
pub fn check(schema: &Schema) -> Vec<Diagnostic> {
    let mut cx = Ctxt::new();
    let r = resolve(schema);
    check_schema(&mut cx, schema);
    check_labels(&mut cx, schema, &r);
    check_metrics(&mut cx, schema, &r);
    check_rust_names(&mut cx, &r);
    let diags = cx.into_diagnostics();
    apply_allow(schema, diags)
}

fn valid_namespace(ns: &str) -> bool {
    naming::is_label_name(ns) && !ns.ends_with('_')
}

fn check_schema(cx: &mut Ctxt, schema: &Schema) {
    // Rule: the namespace is a valid metric name without `:` or a trailing `_`.
    //   namespace: shop        ok
    //   namespace: shop-app    error
    if let Some(ns) = &schema.namespace {
        if !valid_namespace(&ns.value) {
            cx.error(
                ns.loc,
                format!(
                    "namespace `{}` is not a valid name prefix; use letters, digits and `_`, without a trailing `_`",
                    ns.value
                ),
            );
        }
    }
    // Rule: the registry is a Rust path.
    //   registry: crate::REGISTRY   ok
    if let Some(reg) = &schema.registry {
        if syn::parse_str::<syn::Path>(&reg.value).is_err() {
            cx.error(
                reg.loc,
                format!(
                    "registry `{}` is not a Rust path; write it like `crate::metrics::REGISTRY`",
                    reg.value
                ),
            );
        }
    }
}

fn check_labels(cx: &mut Ctxt, schema: &Schema, r: &Resolved<'_>) {
    let used: HashSet<usize> = r
        .metrics
        .iter()
        .flat_map(|m| m.labels.iter().map(|l| l.def_index))
        .collect();
    for (i, d) in schema.labels.iter().enumerate() {
        let name = &d.name.value;
        // Rule: label names match `[a-zA-Z_][a-zA-Z0-9_]*` and do not start with `__`.
        //   method   ok       http-method   error      __meta   error
        check_label_name(cx, &d.name);
        // Rule: a label is a closed set or an open label, not both.
        //   values: [a, b] + max_values: 10   error
        if let (Some(_), Some(m)) = (&d.values, &d.max_values) {
            cx.error(
                m.loc,
                format!("label `{name}` has both `values` and `max_values`; a closed set is already bounded, remove `max_values`"),
            );
        }
        if let Some(values) = &d.values {
            // Rule: a closed set is not empty.
            //   values: []   error
            if values.value.is_empty() {
                cx.error(
                    values.loc,
                    format!("label `{name}` has an empty `values` list; list its values or remove `values` to make it an open label"),
                );
            }
            // Rule: values in a closed set are unique.
            //   values: [GET, GET]   error at the second
            let mut first: HashMap<&str, Loc> = HashMap::new();
            for v in &values.value {
                if let Some(f) = first.get(v.value.value.as_str()) {
                    cx.error(
                        v.value.loc,
                        format!(
                            "value `{}` is listed twice in label `{name}`{}; remove one",
                            v.value.value,
                            at(*f)
                        ),
                    );
                } else {
                    first.insert(&v.value.value, v.value.loc);
                }
            }
        }
        // Rule: a defined label is used by at least one metric.
        //   labels: {route: …} but no metric lists `route`   error
        if !used.contains(&i) {
            cx.error(
                d.name.loc,
                format!("label `{name}` is defined but no metric uses it; remove it or add it to a metric's `labels`"),
            );
        }
    }
    // Lint unbounded-label: an open label declares `max_values`. Names that usually
    // carry unbounded values get the more specific `high-cardinality-label` instead.
    //   route: {}   lint      route: {max_values: 200}   ok
    for (mi, m) in r.metrics.iter().enumerate() {
        for l in &m.labels {
            let name = l.name();
            if l.def.values.is_none()
                && l.def.max_values.is_none()
                && !UNBOUNDED_LABELS.contains(&name)
            {
                let mut lint = Diagnostic::lint(
                    l.loc,
                    "unbounded-label",
                    format!("label `{name}` of `{}` is open with no bound; list its `values` or declare `max_values`", m.metric.name.value),
                );
                lint.metric = Some(mi);
                cx.push(lint);
            }
        }
    }
}

fn check_label_name(cx: &mut Ctxt, n: &Spanned<String>) {
    if !naming::is_label_name(&n.value) {
        cx.error(
            n.loc,
            format!("`{}` is not a valid label name; use letters, digits and `_`, not starting with a digit", n.value),
        );
    } else if n.value.starts_with("__") {
        cx.error(
            n.loc,
            format!(
                "label names starting with `__` are reserved for Prometheus; rename `{}`",
                n.value
            ),
        );
    }
}

fn check_metrics(cx: &mut Ctxt, schema: &Schema, r: &Resolved<'_>) {
    // First declaration of each name, among the metrics checked so far.
    let mut seen: HashMap<&str, &Metric> = HashMap::new();
    let defined: Vec<&str> = schema
        .labels
        .iter()
        .map(|l| l.name.value.as_str())
        .collect();
    let defined_set: HashSet<&str> = defined.iter().copied().collect();
    let mut suggestions_left = 64usize;
    for (mi, rm) in r.metrics.iter().enumerate() {
        let m = rm.metric;
        let name = m.name.value.as_str();
        let kind = m.kind.value;
        // Rule: metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*` and do not start with `__`.
        //   shop_orders_total ok    shop-orders   error
        let valid = naming::is_metric_name(name);
        if !valid {
            cx.error(
                m.name.loc,
                format!("`{name}` is not a valid metric name; use letters, digits, `_` and `:`, not starting with a digit"),
            );
        } else if name.starts_with("__") {
            cx.error(
                m.name.loc,
                format!(
                    "metric names starting with `__` are reserved for Prometheus; rename `{name}`"
                ),
            );
        }
        // Rule: a metric name is declared once; reported at the second site.
        //   - name: a_total … - name: a_total   error at the second
        if let Some(first) = seen.get(name) {
            cx.error(
                m.name.loc,
                format!(
                    "metric `{name}` is declared twice{}; remove or rename one",
                    at(first.name.loc).replace(" at", ", first at")
                ),
            );
        }
        // Rule: no family's name plus a sample suffix is another family's name.
        //   gauge `foo` and counter `foo_total`   error at the later one
        for suf in SAMPLE_SUFFIXES {
            let longer = format!("{name}{suf}");
            let shorter = name.strip_suffix(suf).and_then(|s| seen.get(s));
            for other in [seen.get(longer.as_str()), shorter].into_iter().flatten() {
                cx.error(
                    m.name.loc,
                    format!(
                        "`{name}` clashes with `{}`{}: one is the other plus `{suf}`, so their exposed samples can collide; rename one",
                        other.name.value,
                        at(other.name.loc).replace(" at", " declared at")
                    ),
                );
            }
        }
        // Rule: a counter `foo_total` exposes `foo_created` in OpenMetrics, so no other
        // family may be named `foo_created`.
        //   counter `jobs_total` and gauge `jobs_created`   error at the later one
        let created_clash =
            if let (MetricType::Counter, Some(stem)) = (kind, name.strip_suffix("_total")) {
                seen.get(format!("{stem}_created").as_str())
                    .map(|o| (*o, name, o.name.value.as_str()))
            } else if let Some(stem) = name.strip_suffix("_created") {
                seen.get(format!("{stem}_total").as_str())
                    .filter(|o| o.kind.value == MetricType::Counter)
                    .map(|o| (*o, o.name.value.as_str(), name))
            } else {
                None
            };
        if let Some((other, counter, created)) = created_clash {
            cx.error(
                m.name.loc,
                format!(
                    "`{name}` clashes with `{}`{}: OpenMetrics exposes the creation time of counter `{counter}` as `{created}`; rename one",
                    other.name.value,
                    at(other.name.loc).replace(" at", " declared at")
                ),
            );
        }
        seen.entry(name).or_insert(m);
        // Rule: an info metric's name ends with `_info` and it takes const labels only.
        //   type: info, name: build_info, const_labels: {version: "1"}   ok
        if kind == MetricType::Info {
            if !name.ends_with("_info") {
                cx.error(
                    m.name.loc,
                    format!(
                        "info metric `{name}` must end with `_info`; rename it to `{name}_info`"
                    ),
                );
            }
            if let Some(l) = m.labels.first() {
                cx.error(l.loc, "info metrics take `const_labels`, not `labels`; move the values to `const_labels`");
            }
        }
        // Rule: every referenced label is defined, at most once per metric.
        //   labels: [methd]   error, did you mean `method`?
        let mut on_metric: HashSet<&str> = HashSet::new();
        for l in &m.labels {
            if !defined_set.contains(l.value.as_str()) {
                // Suggestions cost an edit distance per defined label: bounded per declaration.
                let suggestion = if suggestions_left > 0 {
                    suggestions_left -= 1;
                    did_you_mean(&l.value, &defined)
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
                cx.error(l.loc, format!("label `{}` is not defined{hint}", l.value));
            }
            if !on_metric.insert(&l.value) {
                cx.error(
                    l.loc,
                    format!(
                        "label `{}` is listed twice on `{name}`; remove one",
                        l.value
                    ),
                );
            }
        }
        // Rule: `le` is the histogram's own label and `quantile` the summary's.
        //   histogram with labels: [le]   error
        // Lint reserved-label: `le` only on histograms, `quantile` only on summaries (promlint).
        //   gauge with labels: [quantile]   lint
        for (l, lloc) in m
            .labels
            .iter()
            .map(|l| (&l.value, l.loc))
            .chain(m.const_labels.iter().map(|(k, _)| (&k.value, k.loc)))
        {
            match (l.as_str(), kind) {
                ("le", MetricType::Histogram) => cx.error(
                    lloc,
                    "`le` is reserved for histogram buckets; rename the label",
                ),
                ("quantile", MetricType::Summary) => cx.error(
                    lloc,
                    "`quantile` is reserved for summary quantiles; rename the label",
                ),
                ("le", _) | ("quantile", _) => {
                    let owner = if l == "le" {
                        "histogram buckets"
                    } else {
                        "summary quantiles"
                    };
                    let mut lint = Diagnostic::lint(
                        lloc,
                        "reserved-label",
                        format!("`{l}` is the label Prometheus reserves for {owner}; rename it"),
                    );
                    lint.metric = Some(mi);
                    cx.push(lint);
                }
                _ => {}
            }
        }
        // Rule: const labels have valid names and differ from variable labels
        // (a const label set twice is a duplicate key, reported when reading the mapping).
        //   const_labels: {method: x} with labels: [method]   error
        for (k, _) in &m.const_labels {
            check_label_name(cx, k);
            if on_metric.contains(k.value.as_str()) {
                cx.error(
                    k.loc,
                    format!(
                        "`{}` is both a label and a const label of `{name}`; keep one",
                        k.value
                    ),
                );
            }
        }
        // Rule: buckets only on histograms; finite, strictly increasing, not empty.
        //   buckets: [0.1, 0.1]   error      buckets: [.inf]   error (+Inf is implicit)
        if let Some(b) = &m.buckets {
            if kind != MetricType::Histogram {
                cx.error(
                    b.loc,
                    format!(
                        "`buckets` only apply to histograms, and `{name}` is a {}; remove them",
                        kind.as_str()
                    ),
                );
            } else if b.value.is_empty() {
                cx.error(b.loc, "`buckets` is empty; list at least one upper bound or remove it for the defaults");
            }
            for (j, v) in b.value.iter().enumerate() {
                if !v.value.is_finite() {
                    cx.error(
                        v.loc,
                        "bucket bounds must be finite; the `+Inf` bucket is added for you",
                    );
                } else if j > 0
                    && b.value[j - 1].value.is_finite()
                    && v.value <= b.value[j - 1].value
                {
                    cx.error(
                        v.loc,
                        format!(
                            "buckets must be strictly increasing, but {} follows {}",
                            v.value,
                            b.value[j - 1].value
                        ),
                    );
                }
            }
        }
        // Rule: a fully closed-set metric pre-creates at most MAX_DENSE_SERIES series.
        //   five labels of 10 values and one of 2 (200,000 series)   error
        if rm.is_dense() && rm.dense_cardinality() > MAX_DENSE_SERIES {
            cx.error(m.name.loc, format!("`{name}` would pre-create {} series (more than {MAX_DENSE_SERIES}); drop a label or make one open with `max_values`", rm.dense_cardinality()));
        }
        // Rule: the unit is the name's suffix (before `_total`).
        //   name: x_seconds, unit: seconds   ok      unit: bytes   error
        if let Some(u) = &m.unit {
            let stem = name.strip_suffix("_total").unwrap_or(name);
            if !stem.ends_with(&format!("_{}", u.value)) {
                cx.error(u.loc, format!("unit `{}` is not the suffix of `{name}`; rename the metric to end with `_{}`", u.value, u.value));
            }
        }
        // Rule: `renamed_to` names another metric of this schema.
        //   deprecated: {since: "1.2", renamed_to: shop_orders_total}   ok if declared
        if let Some(d) = &m.deprecated {
            if let Some(to) = &d.renamed_to {
                if to.value == name {
                    cx.error(
                        to.loc,
                        format!(
                            "`renamed_to` names `{name}` itself; name the metric that replaces it"
                        ),
                    );
                } else if !schema.metrics.iter().any(|o| o.name.value == to.value) {
                    let names: Vec<&str> = schema
                        .metrics
                        .iter()
                        .map(|o| o.name.value.as_str())
                        .collect();
                    let hint = did_you_mean(&to.value, &names)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    cx.error(
                        to.loc,
                        format!(
                            "`renamed_to` names `{}`, which this schema does not declare{hint}",
                            to.value
                        ),
                    );
                }
            }
        }
        // Rule: `visibility` is a Rust visibility.
        //   visibility: pub(crate)   ok      visibility: public   error
        if let Some(v) = &m.visibility {
            if !v.is_empty() && syn::parse_str::<syn::Visibility>(v).is_err() {
                cx.error(
                    m.loc,
                    format!("`visibility: {v}` is not a Rust visibility; write `pub`, `pub(crate)`, `pub(super)` or `pub(in path)`"),
                );
            }
        }
        // Rule: `multiprocess_mode` is one of Python's modes, and only on gauges.
        //   gauge, multiprocess_mode: livesum   ok      counter, multiprocess_mode: max   error
        if let Some(mode) = &m.multiprocess_mode {
            if kind != MetricType::Gauge {
                cx.error(mode.loc, "`multiprocess_mode` only applies to gauges; counters, histograms and summaries are always summed");
            } else if !MP_MODES.contains(&mode.value.as_str()) {
                let hint = did_you_mean(&mode.value, MP_MODES)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("expected one of {}", MP_MODES.join(", ")));
                cx.error(
                    mode.loc,
                    format!("unknown multiprocess mode `{}`; {hint}", mode.value),
                );
            }
        }
        // Rule: `sharded` only applies to counters.
        //   gauge with sharded: true   error
        if let Some(sh) = &m.sharded {
            if kind != MetricType::Counter && sh.value {
                cx.error(
                    sh.loc,
                    format!(
                        "`sharded` only applies to counters, and `{name}` is a {}; remove it",
                        kind.as_str()
                    ),
                );
            }
        }
        // Rule: `allow` names known lints, each once.
        //   allow: [counter-total-sufix]   error, did you mean `counter-total-suffix`?
        for (ai, a) in m.allow.iter().enumerate() {
            if m.allow[..ai].iter().any(|p| p.value == a.value) {
                cx.error(
                    a.loc,
                    format!("`{}` is listed twice in `allow`; remove one", a.value),
                );
                continue;
            }
            if !LINTS.iter().any(|(id, _)| *id == a.value) {
                let ids: Vec<&str> = LINTS.iter().map(|(id, _)| *id).collect();
                let hint = did_you_mean(&a.value, &ids)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| "see the README for the list of lint ids".into());
                cx.error(
                    a.loc,
                    format!("unknown lint `{}` in `allow`; {hint}", a.value),
                );
            }
        }
        if valid {
            let mut lx = Ctxt::new();
            lint_metric(&mut lx, schema, rm);
            for mut d in lx.into_diagnostics() {
                d.metric = Some(mi);
                cx.push(d);
            }
        }
    }
}

fn lint_metric(cx: &mut Ctxt, schema: &Schema, rm: &crate::resolve::ResolvedMetric<'_>) {
    let m = rm.metric;
    let name = m.name.value.as_str();
    let loc = m.name.loc;
    let kind = m.kind.value;
    // Lint help-missing / help-period: every metric has help ending with a period.
    //   help: Total requests handled.   ok
    match &m.help {
        None => cx.push(Diagnostic::lint(
            loc,
            "help-missing",
            format!("`{name}` has no help text; add `help:` (or a `///` doc comment)"),
        )),
        Some(h) if h.value.trim().is_empty() => cx.push(Diagnostic::lint(
            h.loc,
            "help-missing",
            format!("`{name}` has empty help text; describe what it measures"),
        )),
        Some(h) if !h.value.trim_end().ends_with('.') => cx.push(Diagnostic::lint(
            h.loc,
            "help-period",
            "help text should be a sentence ending with a period; add `.`",
        )),
        _ => {}
    }
    // Lint counter-total-suffix / total-suffix-non-counter.
    //   counter requests   lint: rename to `requests_total`
    if kind == MetricType::Counter && !name.ends_with("_total") {
        cx.push(Diagnostic::lint(
            loc,
            "counter-total-suffix",
            format!("counter `{name}` should end with `_total`; rename it to `{name}_total`"),
        ));
    }
    if kind != MetricType::Counter && name.ends_with("_total") {
        cx.push(Diagnostic::lint(
            loc,
            "total-suffix-non-counter",
            format!("only counters end with `_total`; rename `{name}` or make it a counter"),
        ));
    }
    // Lint reserved-suffix: `_bucket` only on histograms, `_count` and `_sum` only on
    // histograms and summaries, `_created` on nothing (OpenMetrics generates it).
    //   gauge queue_count   lint      summary rpc_size_count   ok
    let hist_or_summary = matches!(kind, MetricType::Histogram | MetricType::Summary);
    for (suf, ok, owner) in [
        ("_bucket", kind == MetricType::Histogram, "histograms"),
        ("_count", hist_or_summary, "histograms and summaries"),
        ("_sum", hist_or_summary, "histograms and summaries"),
        ("_created", false, ""),
    ] {
        if ok || !name.ends_with(suf) {
            continue;
        }
        let what = if owner.is_empty() {
            "`_created` samples are generated, so no metric may end with it".to_string()
        } else {
            format!("`{suf}` is a sample suffix Prometheus gives only {owner}")
        };
        cx.push(Diagnostic::lint(
            loc,
            "reserved-suffix",
            format!("{what}; rename `{name}`"),
        ));
    }
    let parts: Vec<&str> = name.split(['_', ':']).filter(|p| !p.is_empty()).collect();
    // Lint type-in-name: no part of the name is a metric type word.
    //   http_requests_counter   lint
    for p in &parts {
        if TYPE_WORDS.contains(&p.to_ascii_lowercase().as_str()) {
            cx.push(Diagnostic::lint(loc, "type-in-name", format!("`{name}` contains the type word `{p}`; the type is metadata, drop it from the name")));
        }
    }
    // Lint colon-in-name: `:` is for recording rules.
    //   job:requests:rate5m   lint
    if name.contains(':') {
        cx.push(Diagnostic::lint(
            loc,
            "colon-in-name",
            format!("`{name}` contains `:`, which is reserved for recording rules; use `_`"),
        ));
    }
    // Lint camel-case: names are snake_case.
    //   httpRequests_total   lint
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        cx.push(Diagnostic::lint(
            loc,
            "camel-case",
            format!(
                "metric names are snake_case; rename `{name}` to `{}`",
                snake(name)
            ),
        ));
    }
    for (l, lloc) in rm.labels.iter().map(|l| (l.name(), l.loc)).chain(
        m.const_labels
            .iter()
            .map(|(k, _)| (k.value.as_str(), k.loc)),
    ) {
        if l.chars().any(|c| c.is_ascii_uppercase()) {
            cx.push(Diagnostic::lint(
                lloc,
                "camel-case",
                format!("label names are snake_case; rename `{l}` to `{}`", snake(l)),
            ));
        }
        // Lint target-label: labels Prometheus attaches to targets, and `type`.
        //   labels: [instance]   lint      labels: [worker]   ok
        if TARGET_LABELS.contains(&l) {
            let why = if l == "type" {
                "`type` is too generic a label name".to_string()
            } else {
                format!("`{l}` is a target label, which Prometheus or relabelling puts on every series of a target, so yours would clash with it")
            };
            cx.push(Diagnostic::lint(
                lloc,
                "target-label",
                format!("{why}; rename it to say what it holds"),
            ));
        }
        // Lint label-in-name: the name does not repeat a label name.
        //   http_requests_by_method_total with label method   lint
        let lp: Vec<&str> = l.split('_').collect();
        if parts.windows(lp.len()).any(|w| w == lp.as_slice()) {
            cx.push(Diagnostic::lint(loc, "label-in-name", format!("`{name}` repeats its label `{l}`; the label already says it, drop it from the name")));
        }
    }
    // Lint high-cardinality-label: names that usually hold unbounded values must be bounded.
    //   user_id without values or max_values   lint
    for l in &rm.labels {
        if UNBOUNDED_LABELS.contains(&l.name())
            && l.def.values.is_none()
            && l.def.max_values.is_none()
        {
            cx.push(Diagnostic::lint(l.loc, "high-cardinality-label", format!("`{}` usually carries unbounded values (one series each); aggregate it away, or bound it with `max_values`", l.name())));
        }
    }
    // Lint abbreviated-unit / non-base-unit.
    //   latency_ms   lint: use `seconds`      size_kilobytes   lint: use `bytes`
    for p in &parts {
        let lp = p.to_ascii_lowercase();
        if ABBREVIATED.contains(&lp.as_str()) {
            cx.push(Diagnostic::lint(loc, "abbreviated-unit", format!("`{name}` uses the abbreviated unit `{p}`; spell out the base unit (`seconds`, `bytes`, …)")));
        }
        if let Some((_, base)) = NON_BASE.iter().find(|(u, _)| *u == lp) {
            cx.push(Diagnostic::lint(
                loc,
                "non-base-unit",
                format!("`{name}` uses `{p}`; use the base unit `{base}` instead"),
            ));
        }
        for pre in SI_PREFIXES {
            if let Some(rest) = lp.strip_prefix(pre) {
                if BASE_UNITS.contains(&rest) || NON_BASE.iter().any(|(u, _)| *u == rest) {
                    let base = NON_BASE
                        .iter()
                        .find(|(u, _)| *u == rest)
                        .map_or(rest, |(_, b)| b);
                    cx.push(Diagnostic::lint(
                        loc,
                        "non-base-unit",
                        format!("`{name}` uses `{p}`; use the base unit `{base}` instead"),
                    ));
                }
            }
        }
    }
    // Lint namespace-prefix: with a namespace, every name starts with `<namespace>_`.
    //   namespace: shop, name: orders_total   lint      shop_orders_total   ok
    // (An invalid namespace is already an error; checking names against it is noise.)
    if let Some(ns) = schema
        .namespace
        .as_ref()
        .filter(|ns| valid_namespace(&ns.value))
    {
        if !name.starts_with(&format!("{}_", ns.value)) {
            cx.push(Diagnostic::lint(
                loc,
                "namespace-prefix",
                format!(
                    "`{name}` does not start with the namespace `{}_`; rename it to `{}_{name}`",
                    ns.value, ns.value
                ),
            ));
        }
    }
    // Lint series-budget: the product of closed-set sizes and open bounds stays within `max_series`.
    //   labels: 3 values × max_values 100 with max_series: 200   lint (300 series)
    if let Some(max) = m.max_series.as_ref().or(schema.max_series.as_ref()) {
        match rm.series_budget() {
            Some(b) if b > max.value as u128 => cx.push(Diagnostic::lint(loc, "series-budget", format!("`{name}` may create {b} series, more than `max_series` = {}; drop a label or lower a bound", max.value))),
            None => cx.push(Diagnostic::lint(loc, "series-budget", format!("`{name}` has an unbounded label, so its series cannot be held to `max_series` = {}", max.value))),
            _ => {}
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

fn check_rust_names(cx: &mut Ctxt, r: &Resolved<'_>) {
    // Rule: generated Rust names are valid identifiers and unique.
    //   `a:b` and `a_b` both become `A_B`   error at the second
    let mut statics: HashMap<String, (&str, Loc)> = HashMap::new();
    for m in &r.metrics {
        let loc = m
            .metric
            .static_name
            .as_ref()
            .map_or(m.metric.name.loc, |s| s.loc);
        if !naming::is_rust_ident(&m.static_name) {
            cx.error(
                loc,
                format!(
                    "`{}` is not a valid Rust identifier for the static; set `static_name`",
                    m.static_name
                ),
            );
            continue;
        }
        if let Some((other, oloc)) = statics.get(&m.static_name) {
            if *other != m.metric.name.value {
                cx.error(loc, format!("`{}` and `{other}`{} both become the Rust static `{}`; set `static_name` on one", m.metric.name.value, at(*oloc).replace(" at", " declared at"), m.static_name));
            }
        } else {
            statics.insert(
                m.static_name.clone(),
                (&m.metric.name.value, m.metric.name.loc),
            );
        }
    }
    let mut types: HashMap<String, &LabelDef> = HashMap::new();
    for e in &r.enums {
        let loc = e.def.rust_type.as_ref().map_or(e.def.name.loc, |s| s.loc);
        if !naming::is_rust_ident(&e.type_name) {
            cx.error(
                loc,
                format!(
                    "`{}` is not a valid Rust type name for label `{}`; set `rust_type`",
                    e.type_name, e.def.name.value
                ),
            );
        } else if let Some(first) = types.get(&e.type_name) {
            cx.error(
                loc,
                format!(
                    "labels `{}` and `{}`{} both become the Rust type `{}`; set `rust_type` on one",
                    e.def.name.value,
                    first.name.value,
                    at(first.name.loc).replace(" at", " declared at"),
                    e.type_name
                ),
            );
        } else {
            types.insert(e.type_name.clone(), e.def);
        }
        let values = &e
            .def
            .values
            .as_ref()
            .expect("enums come from closed sets")
            .value;
        let mut first_variant: HashMap<&str, usize> = HashMap::new();
        for (j, (v, _)) in e.variants.iter().enumerate() {
            let vloc = values[j]
                .variant
                .as_ref()
                .map_or(values[j].value.loc, |s| s.loc);
            if !naming::is_rust_ident(v) {
                cx.error(vloc, format!("`{v}` is not a valid enum variant name; write the value as `{{value: \"{}\", variant: Name}}`", values[j].value.value));
            } else if let Some(&k) = first_variant
                .get(v.as_str())
                .filter(|&&k| e.variants[k].1 != values[j].value.value)
            {
                cx.error(vloc, format!("values `{}` and `{}` of label `{}` both become the variant `{}::{v}`; write one as `{{value: \"{}\", variant: Name}}`", e.variants[k].1, values[j].value.value, e.def.name.value, e.type_name, values[j].value.value));
            }
            first_variant.entry(v).or_insert(j);
        }
    }
    // Rule: labels become struct fields, so a label name must work as a Rust field
    // (keywords are written raw, `r#type`, but `_`, `self`, `super`, `crate`, `Self` cannot be).
    //   label self   error
    for d in &r.schema.labels {
        if naming::is_label_name(&d.name.value) && !naming::is_field_name(&d.name.value) {
            cx.error(
                d.name.loc,
                format!(
                    "label `{}` cannot be a Rust field name; rename it",
                    d.name.value
                ),
            );
        }
    }
    for m in &r.metrics {
        // Rule: the labels struct's derived name is a Rust type name.
        //   `_1_total` with labels → `1TotalLabels`   error, set `static_name`
        if !m.labels.is_empty()
            && naming::is_rust_ident(&m.static_name)
            && !naming::is_rust_ident(&m.labels_struct)
        {
            cx.error(
                m.metric.name.loc,
                format!(
                    "the labels struct of `{}` would be named `{}`, which is not a Rust type name; set `static_name`",
                    m.metric.name.value, m.labels_struct
                ),
            );
        }
        if types.contains_key(&m.labels_struct) {
            cx.error(m.metric.name.loc, format!("the labels struct `{}` of `{}` has the name of a label enum; set `rust_type` on that label", m.labels_struct, m.metric.name.value));
        }
    }
}

/// Drops lints that a metric allows; reports `allow` entries that allowed nothing.
fn apply_allow(schema: &Schema, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut used: Vec<Vec<bool>> = schema
        .metrics
        .iter()
        .map(|m| vec![false; m.allow.len()])
        .collect();
    let mut out = Vec::new();
    for d in diags {
        if let (Some(id), Some(mi)) = (d.lint, d.metric) {
            if let Some(ai) = schema.metrics[mi].allow.iter().position(|a| a.value == id) {
                used[mi][ai] = true;
                continue;
            }
        }
        out.push(d);
    }
    for (mi, m) in schema.metrics.iter().enumerate() {
        // An invalid name is not linted, so its `allow` cannot be judged.
        if !naming::is_metric_name(&m.name.value) {
            continue;
        }
        for (ai, a) in m.allow.iter().enumerate() {
            let first = !m.allow[..ai].iter().any(|p| p.value == a.value);
            if first && !used[mi][ai] && LINTS.iter().any(|(id, _)| *id == a.value) {
                out.push(Diagnostic::error(
                    a.loc,
                    format!(
                        "`allow: [{}]` suppresses nothing on `{}`; remove it",
                        a.value, m.name.value
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
