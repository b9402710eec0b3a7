//! Builds the typed [`Schema`] from a [`Node`] tree, for both front ends.

use crate::diag::{Ctxt, Diagnostic, Loc, Spanned};
use crate::model::*;
use crate::node::{Key, Node, Value};
use crate::yaml::parse_number;

/// Top-level keys of a schema.
pub const SCHEMA_KEYS: &[&str] = &[
    "namespace",
    "registry",
    "max_series",
    "allow",
    "enable",
    "labels",
    "metrics",
    "objectives",
];
/// Keys of an objective.
pub const OBJECTIVE_KEYS: &[&str] = &[
    "name",
    "help",
    "runbook",
    "availability",
    "latency",
    "target",
    "window",
];
/// Keys of an availability SLI.
pub const AVAILABILITY_KEYS: &[&str] = &["metric", "bad", "good", "where"];
/// Keys of a latency SLI.
pub const LATENCY_KEYS: &[&str] = &["metric", "threshold", "where"];
/// Keys of a label definition.
pub const LABEL_KEYS: &[&str] = &["name", "help", "values", "max_values", "rust_type"];
/// Keys of a metric.
pub const METRIC_KEYS: &[&str] = &[
    "name",
    "type",
    "help",
    "unit",
    "labels",
    "buckets",
    "native",
    "const_labels",
    "static_name",
    "stability",
    "deprecated",
    "allow",
    "max_series",
    "note",
    "multiprocess_mode",
    "visibility",
    "sharded",
    "value",
    "quantiles",
    "states",
];
/// Keys of a histogram's `native:` block.
pub const NATIVE_KEYS: &[&str] = &["factor", "schema", "max_buckets", "zero_threshold"];
/// Keys of a `deprecated:` block.
pub const DEPRECATED_KEYS: &[&str] = &["since", "renamed_to", "note"];
/// Keys of a closed-set value written as a mapping.
pub const VALUE_KEYS: &[&str] = &["value", "variant"];

/// Reads a mapping's entries, reporting duplicate and unknown keys.
pub(crate) struct Fields<'a> {
    entries: &'a [(Key, Node)],
    used: Vec<bool>,
    what: &'static str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(cx: &mut Ctxt, node: &'a Node, what: &'static str) -> Option<Self> {
        match &node.value {
            Value::Map(entries) => {
                let mut first: std::collections::HashMap<&str, Loc> =
                    std::collections::HashMap::new();
                for (k, _) in entries {
                    if let Some(f) = first.get(k.name.as_str()) {
                        cx.push(
                            Diagnostic::error(
                                k.loc,
                                format!("duplicate key `{}` in {what}; remove one of them", k.name),
                            )
                            .with_related(*f, "first written"),
                        );
                    } else {
                        first.insert(&k.name, k.loc);
                    }
                }
                Some(Fields {
                    entries,
                    used: vec![false; entries.len()],
                    what,
                })
            }
            other => {
                cx.error(
                    node.loc,
                    format!("expected a mapping for {what}, found {}", other.describe()),
                );
                None
            }
        }
    }

    pub(crate) fn take(&mut self, key: &str) -> Option<&'a Node> {
        let i = self.entries.iter().position(|(k, _)| k.name == key)?;
        self.used[i] = true;
        Some(&self.entries[i].1)
    }

    pub(crate) fn finish(self, cx: &mut Ctxt, allowed: &[&str]) {
        for (i, (k, _)) in self.entries.iter().enumerate() {
            if !self.used[i] && !allowed.contains(&k.name.as_str()) {
                let hint = match did_you_mean(&k.name, allowed) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of {}", list(allowed)),
                };
                cx.error(
                    k.loc,
                    format!("unknown key `{}` in {}; {hint}", k.name, self.what),
                );
            }
        }
    }
}

/// `` `a`, `b` `` for messages.
pub(crate) fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest candidate within a small edit distance.
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

pub(crate) fn string(cx: &mut Ctxt, node: &Node, what: &str) -> Option<Spanned<String>> {
    match &node.value {
        Value::Str(s) => Some(Spanned::new(s.clone(), node.loc)),
        other => {
            cx.error(
                node.loc,
                format!("expected a string for {what}, found {}", other.describe()),
            );
            None
        }
    }
}

/// Strings and bare identifiers both read as text (label names, `allow` ids, enum values).
fn word(cx: &mut Ctxt, node: &Node, what: &str) -> Option<Spanned<String>> {
    match &node.value {
        Value::Str(s) | Value::Path(s) => Some(Spanned::new(s.clone(), node.loc)),
        other => {
            cx.error(
                node.loc,
                format!("expected a name for {what}, found {}", other.describe()),
            );
            None
        }
    }
}

fn count(cx: &mut Ctxt, node: &Node, what: &str) -> Option<Spanned<u64>> {
    match &node.value {
        Value::Num(s) => match s.parse::<u64>() {
            Ok(n) if n > 0 => Some(Spanned::new(n, node.loc)),
            _ => {
                cx.error(
                    node.loc,
                    format!("{what} must be a whole number greater than 0, found `{s}`"),
                );
                None
            }
        },
        other => {
            cx.error(
                node.loc,
                format!(
                    "expected a whole number for {what}, found {}",
                    other.describe()
                ),
            );
            None
        }
    }
}

/// A number (`place`: "in `buckets`", "for `factor`", for the message).
fn number(cx: &mut Ctxt, n: &Node, place: &str) -> Option<Spanned<f64>> {
    match &n.value {
        Value::Num(s) => match parse_number(s) {
            Some(v) => Some(Spanned::new(v, n.loc)),
            None => {
                cx.error(n.loc, format!("`{s}` is not a number"));
                None
            }
        },
        other => {
            cx.error(
                n.loc,
                format!("expected a number {place}, found {}", other.describe()),
            );
            None
        }
    }
}

/// Keys of a summary's `quantiles:` block.
pub const QUANTILE_KEYS: &[&str] = &["objectives", "max_age", "age_buckets", "accuracy"];

/// `quantiles: [0.5, 0.9]` or `{objectives: […], max_age, age_buckets, accuracy}`.
fn quantiles(cx: &mut Ctxt, node: &Node) -> Option<Spanned<QuantileSpec>> {
    let list = |cx: &mut Ctxt, n: &Node| -> Vec<Spanned<f64>> {
        seq(cx, n, "`objectives`")
            .iter()
            .filter_map(|i| number(cx, i, "in `quantiles`"))
            .collect()
    };
    let spec = match &node.value {
        Value::Map(_) => {
            let mut f = Fields::new(cx, node, "`quantiles`")?;
            let objectives = f.take("objectives").map(|n| list(cx, n));
            let max_age = f.take("max_age").and_then(|n| word(cx, n, "`max_age`"));
            let age_buckets = f
                .take("age_buckets")
                .and_then(|n| count(cx, n, "`age_buckets`"));
            let accuracy = f
                .take("accuracy")
                .and_then(|n| number(cx, n, "for `accuracy`"));
            f.finish(cx, QUANTILE_KEYS);
            let Some(objectives) = objectives else {
                cx.error(node.loc, "`quantiles` needs `objectives: [0.5, 0.9, 0.99]`");
                return None;
            };
            QuantileSpec {
                objectives,
                max_age,
                age_buckets,
                accuracy,
            }
        }
        _ => QuantileSpec {
            objectives: list(cx, node),
            max_age: None,
            age_buckets: None,
            accuracy: None,
        },
    };
    Some(Spanned::new(spec, node.loc))
}

/// Keys of `buckets: {exponential: …}` / `{linear: …}`.
pub const BUCKET_SERIES_KEYS: &[&str] = &["exponential", "linear"];
/// Most buckets a generated series may have.
pub const MAX_BUCKET_SERIES: u64 = 256;

/// Rounds to 12 significant digits, so `0.1 + 2 × 0.1` is written `0.3`.
fn tidy(v: f64) -> f64 {
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// `buckets: {exponential: {start, factor, count}}` or
/// `{linear: {start, width, count}}`, expanded here (as client_golang's
/// `ExponentialBuckets` / `LinearBuckets`), so every consumer sees the bounds.
fn bucket_series(cx: &mut Ctxt, node: &Node) -> Option<Vec<Spanned<f64>>> {
    let mut f = Fields::new(cx, node, "`buckets`")?;
    let exp = f.take("exponential");
    let lin = f.take("linear");
    let misspelt = f
        .entries
        .iter()
        .any(|(k, _)| !BUCKET_SERIES_KEYS.contains(&k.name.as_str()));
    f.finish(cx, BUCKET_SERIES_KEYS);
    let (n, keys, step_key) = match (exp, lin) {
        (Some(n), None) => (n, &["start", "factor", "count"], "factor"),
        (None, Some(n)) => (n, &["start", "width", "count"], "width"),
        (Some(_), Some(l)) => {
            cx.error(
                l.loc,
                "`buckets` has both `exponential` and `linear`; keep one",
            );
            return None;
        }
        (None, None) => {
            if misspelt {
                return None;
            }
            cx.error(
                node.loc,
                "`buckets` as a mapping needs `exponential: {start, factor, count}` or `linear: {start, width, count}`",
            );
            return None;
        }
    };
    let mut g = Fields::new(cx, n, "a bucket series")?;
    let start = g.take("start").and_then(|v| number(cx, v, "for `start`"));
    let step = g
        .take(step_key)
        .and_then(|v| number(cx, v, &format!("for `{step_key}`")));
    let count = g.take("count").and_then(|v| count(cx, v, "`count`"));
    // Only a missing key gets this message: a present but invalid or
    // misspelt one was reported already.
    let missing = keys
        .iter()
        .any(|k| !g.entries.iter().any(|(e, _)| e.name == *k));
    let misspelt = g
        .entries
        .iter()
        .any(|(k, _)| !keys.contains(&k.name.as_str()));
    g.finish(cx, keys);
    let (Some(start), Some(step), Some(count)) = (start, step, count) else {
        if missing && !misspelt {
            cx.error(
                n.loc,
                format!("a bucket series needs `{}`", keys.join("`, `")),
            );
        }
        return None;
    };
    let exponential = step_key == "factor";
    let positive = |v: f64| v > 0.0 && v.is_finite();
    let bad = if exponential && !positive(start.value) {
        Some((
            start.loc,
            "`start` of exponential buckets must be greater than 0".to_string(),
        ))
    } else if exponential && !(step.value > 1.0 && step.value.is_finite()) {
        Some((step.loc, "`factor` must be greater than 1".to_string()))
    } else if !exponential && !positive(step.value) {
        Some((step.loc, "`width` must be greater than 0".to_string()))
    } else if !start.value.is_finite() {
        Some((start.loc, "`start` must be finite".to_string()))
    } else if count.value > MAX_BUCKET_SERIES {
        Some((
            count.loc,
            format!(
                "`count` is at most {MAX_BUCKET_SERIES}; for finer resolution use `native: true`"
            ),
        ))
    } else {
        None
    };
    if let Some((loc, msg)) = bad {
        cx.error(loc, msg);
        return None;
    }
    let bounds = (0..count.value)
        .map(|i| {
            let v = if exponential {
                start.value * step.value.powi(i as i32)
            } else {
                start.value + step.value * i as f64
            };
            Spanned::new(tidy(v), n.loc)
        })
        .collect::<Vec<Spanned<f64>>>();
    if let Some(i) = bounds.iter().position(|b| !b.value.is_finite()) {
        cx.error(
            count.loc,
            format!("bucket {} of this series is not finite (it overflows); lower `start`, the step or `count`", i + 1),
        );
        return None;
    }
    Some(bounds)
}

/// Whether a mapping lacks `env:` (else its error was reported).
fn ef_missing(n: &Node) -> bool {
    matches!(&n.value, Value::Map(e) if e.is_empty())
}

/// `native:` — `true`, `false`, or a block of [`NATIVE_KEYS`].
fn native(cx: &mut Ctxt, node: &Node) -> Option<Spanned<Native>> {
    match &node.value {
        Value::Bool(true) => Some(Spanned::new(Native::default(), node.loc)),
        Value::Bool(false) => None,
        Value::Map(_) => {
            let mut f = Fields::new(cx, node, "`native`")?;
            let factor = f.take("factor").and_then(|n| number(cx, n, "for `factor`"));
            let schema = f.take("schema").and_then(|n| match &n.value {
                Value::Num(s) => match s.parse::<i64>() {
                    Ok(v) => Some(Spanned::new(v, n.loc)),
                    Err(_) => {
                        cx.error(
                            n.loc,
                            format!("`schema` must be a whole number from -4 to 8, found `{s}`"),
                        );
                        None
                    }
                },
                other => {
                    cx.error(
                        n.loc,
                        format!(
                            "expected a whole number for `schema`, found {}",
                            other.describe()
                        ),
                    );
                    None
                }
            });
            let max_buckets = f
                .take("max_buckets")
                .and_then(|n| count(cx, n, "`max_buckets`"));
            let zero_threshold = f
                .take("zero_threshold")
                .and_then(|n| number(cx, n, "for `zero_threshold`"));
            f.finish(cx, NATIVE_KEYS);
            Some(Spanned::new(
                Native {
                    factor,
                    schema,
                    max_buckets,
                    zero_threshold,
                },
                node.loc,
            ))
        }
        other => {
            cx.error(
                node.loc,
                format!(
                    "expected `true`, `false` or a block (`factor`, `max_buckets`, `zero_threshold`) for `native`, found {}",
                    other.describe()
                ),
            );
            None
        }
    }
}

/// `max_values`: a whole number, or `unlimited`.
fn max_values(cx: &mut Ctxt, node: &Node) -> Option<Spanned<MaxValues>> {
    match &node.value {
        Value::Str(s) | Value::Path(s) if s == "unlimited" => {
            Some(Spanned::new(MaxValues::Unlimited, node.loc))
        }
        Value::Str(s) | Value::Path(s) => {
            cx.error(
                node.loc,
                format!("expected a whole number or `unlimited` for `max_values`, found `{s}`"),
            );
            None
        }
        _ => {
            count(cx, node, "`max_values`").map(|n| Spanned::new(MaxValues::Count(n.value), n.loc))
        }
    }
}

fn seq<'a>(cx: &mut Ctxt, node: &'a Node, what: &str) -> &'a [Node] {
    match &node.value {
        Value::Seq(items) => items,
        other => {
            cx.error(
                node.loc,
                format!("expected a list for {what}, found {}", other.describe()),
            );
            &[]
        }
    }
}

/// Builds the schema; every problem is recorded in `cx`, and as much as
/// possible is still returned so later passes and code generation can run.
pub fn build(cx: &mut Ctxt, root: &Node) -> Schema {
    let mut schema = Schema::default();
    if matches!(root.value, Value::Null) {
        cx.error(root.loc, "the schema is empty; declare at least `metrics:`");
        return schema;
    }
    let Some(mut f) = Fields::new(cx, root, "the schema") else {
        return schema;
    };
    schema.namespace = f
        .take("namespace")
        .and_then(|n| string(cx, n, "`namespace`"));
    schema.registry = f.take("registry").and_then(|n| match &n.value {
        Value::Str(s) | Value::Path(s) => Some(Spanned::new(s.clone(), n.loc)),
        other => {
            cx.error(
                n.loc,
                format!(
                    "expected a Rust path for `registry`, found {}",
                    other.describe()
                ),
            );
            None
        }
    });
    schema.max_series = f
        .take("max_series")
        .and_then(|n| count(cx, n, "`max_series`"));
    schema.allow = f
        .take("allow")
        .map(|n| lint_ids(cx, n, "`allow`"))
        .unwrap_or_default();
    schema.enable = f
        .take("enable")
        .map(|n| lint_ids(cx, n, "`enable`"))
        .unwrap_or_default();
    if let Some(labels) = f.take("labels") {
        if let Some(mut lf) = Fields::new(cx, labels, "`labels`") {
            for (key, node) in lf.entries {
                schema.labels.push(label_def(cx, key, node));
            }
            lf.used.iter_mut().for_each(|u| *u = true);
            lf.finish(cx, &[]);
        }
    }
    match f.take("metrics") {
        Some(m) => {
            for item in seq(cx, m, "`metrics`") {
                if let Some(metric) = metric(cx, item) {
                    schema.metrics.push(metric);
                }
            }
        }
        None => cx.error(root.loc, "the schema has no `metrics:` list; add one"),
    }
    if let Some(o) = f.take("objectives") {
        for item in seq(cx, o, "`objectives`") {
            if let Some(obj) = objective(cx, item) {
                schema.objectives.push(obj);
            }
        }
    }
    f.finish(cx, SCHEMA_KEYS);
    schema
}

type Selector = Vec<(Spanned<String>, Vec<Spanned<String>>)>;

/// `{label: [values]}` (a single value may be written without brackets).
fn selector(cx: &mut Ctxt, node: &Node, what: &'static str) -> Selector {
    let Some(mut f) = Fields::new(cx, node, what) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in f.entries.iter() {
        let values = match &v.value {
            Value::Seq(items) => items.iter().filter_map(|i| scalar_text(cx, i)).collect(),
            _ => scalar_text(cx, v).into_iter().collect(),
        };
        out.push((Spanned::new(k.name.clone(), k.loc), values));
    }
    f.used.iter_mut().for_each(|u| *u = true);
    f.finish(cx, &[]);
    out
}

fn objective(cx: &mut Ctxt, node: &Node) -> Option<Objective> {
    let mut f = Fields::new(cx, node, "an objective")?;
    let name = f.take("name").and_then(|n| word(cx, n, "`name`"));
    let help = f.take("help").and_then(|n| string(cx, n, "`help`"));
    let runbook = f.take("runbook").and_then(|n| string(cx, n, "`runbook`"));
    let availability = f.take("availability").and_then(|n| {
        let mut a = Fields::new(cx, n, "`availability`")?;
        let metric = a.take("metric").and_then(|m| word(cx, m, "`metric`"));
        let bad = a
            .take("bad")
            .map(|b| selector(cx, b, "`bad`"))
            .unwrap_or_default();
        let good = a
            .take("good")
            .map(|b| selector(cx, b, "`good`"))
            .unwrap_or_default();
        let r#where = a
            .take("where")
            .map(|b| selector(cx, b, "`where`"))
            .unwrap_or_default();
        a.finish(cx, AVAILABILITY_KEYS);
        let Some(metric) = metric else {
            cx.error(
                n.loc,
                "`availability` needs `metric:` (a counter of this schema)",
            );
            return None;
        };
        Some(Sli::Availability {
            metric,
            bad,
            good,
            r#where,
            loc: n.loc,
        })
    });
    let latency = f.take("latency").and_then(|n| {
        let mut l = Fields::new(cx, n, "`latency`")?;
        let metric = l.take("metric").and_then(|m| word(cx, m, "`metric`"));
        let threshold = l.take("threshold").and_then(|t| number(cx, t, "for `threshold`"));
        let r#where = l.take("where").map(|b| selector(cx, b, "`where`")).unwrap_or_default();
        l.finish(cx, LATENCY_KEYS);
        match (metric, threshold) {
            (Some(metric), Some(threshold)) => Some(Sli::Latency { metric, threshold, r#where, loc: n.loc }),
            _ => {
                cx.error(n.loc, "`latency` needs `metric:` (a histogram) and `threshold:` (one of its bucket bounds)");
                None
            }
        }
    });
    let target = f.take("target").and_then(|n| number(cx, n, "for `target`"));
    let window = f.take("window").and_then(|n| word(cx, n, "`window`"));
    // A misspelt `availabilty:` is reported as an unknown key; saying the
    // SLI is missing too would be a second error for one mistake.
    let misspelt = f
        .entries
        .iter()
        .any(|(k, _)| !OBJECTIVE_KEYS.contains(&k.name.as_str()));
    f.finish(cx, OBJECTIVE_KEYS);
    let sli = match (availability, latency) {
        (Some(_), Some(l)) => {
            let loc = match &l {
                Sli::Latency { loc, .. } | Sli::Availability { loc, .. } => *loc,
            };
            cx.error(
                loc,
                "an objective has either `availability` or `latency`, not both; split it in two",
            );
            None
        }
        (a, l) => a.or(l),
    };
    if sli.is_none() && name.is_some() && !misspelt {
        cx.error(
            node.loc,
            "an objective needs `availability:` (a counter) or `latency:` (a histogram)",
        );
    }
    Some(Objective {
        name: name.or_else(|| {
            cx.error(node.loc, "an objective needs a `name:`");
            None
        })?,
        help,
        runbook,
        sli,
        target,
        window,
        loc: node.loc,
    })
}

/// A list of lint ids (`allow:`, `enable:`).
fn lint_ids(cx: &mut Ctxt, node: &Node, what: &str) -> Vec<Spanned<String>> {
    seq(cx, node, what)
        .iter()
        .filter_map(|i| word(cx, i, "a lint id"))
        .collect()
}

fn label_def(cx: &mut Ctxt, key: &Key, node: &Node) -> LabelDef {
    let mut def = LabelDef {
        key: Spanned::new(key.name.clone(), key.loc),
        name: None,
        help: None,
        values: None,
        max_values: None,
        rust_type: None,
    };
    if matches!(node.value, Value::Null) {
        return def;
    }
    let Some(mut f) = Fields::new(cx, node, "a label definition") else {
        return def;
    };
    def.name = f.take("name").and_then(|n| word(cx, n, "`name`"));
    def.help = f.take("help").and_then(|n| string(cx, n, "`help`"));
    def.max_values = f.take("max_values").and_then(|n| max_values(cx, n));
    def.rust_type = f.take("rust_type").and_then(|n| word(cx, n, "`rust_type`"));
    // A `values` that is not a list is reported once, as a wrong type, not again as empty.
    if let Some(v) = f.take("values").filter(|v| {
        let is_list = matches!(v.value, Value::Seq(_));
        if !is_list {
            seq(cx, v, "`values`");
        }
        is_list
    }) {
        let mut values = Vec::new();
        for item in seq(cx, v, "`values`") {
            match &item.value {
                Value::Map(_) => {
                    let Some(mut vf) = Fields::new(cx, item, "a label value") else {
                        continue;
                    };
                    let value = vf.take("value").and_then(|n| scalar_text(cx, n));
                    let variant = vf.take("variant").and_then(|n| word(cx, n, "`variant`"));
                    vf.finish(cx, VALUE_KEYS);
                    match value {
                        Some(value) => values.push(LabelValue { value, variant }),
                        None => cx.error(
                            item.loc,
                            "a label value written as a mapping needs `value:`",
                        ),
                    }
                }
                _ => {
                    if let Some(value) = scalar_text(cx, item) {
                        values.push(LabelValue {
                            value,
                            variant: None,
                        });
                    }
                }
            }
        }
        def.values = Some(Spanned::new(values, v.loc));
    }
    f.finish(cx, LABEL_KEYS);
    def
}

fn scalar_text(cx: &mut Ctxt, node: &Node) -> Option<Spanned<String>> {
    match node.value.scalar_text() {
        Some(t) => Some(Spanned::new(t, node.loc)),
        None => {
            cx.error(
                node.loc,
                format!("expected a label value, found {}", node.value.describe()),
            );
            None
        }
    }
}

fn metric(cx: &mut Ctxt, node: &Node) -> Option<Metric> {
    let mut f = Fields::new(cx, node, "a metric")?;
    let name = match f.take("name") {
        Some(n) => string(cx, n, "`name`"),
        None => {
            cx.error(node.loc, "a metric needs a `name:`");
            None
        }
    };
    let kind = match f.take("type") {
        Some(n) => match &n.value {
            Value::Str(s) | Value::Path(s) => match MetricType::parse(s) {
                Some(t) => Some(Spanned::new(t, n.loc)),
                None => {
                    let all: Vec<&str> = MetricType::ALL.iter().map(|t| t.as_str()).collect();
                    let hint = match did_you_mean(s, &all) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("expected one of {}", list(&all)),
                    };
                    cx.error(n.loc, format!("unknown metric type `{s}`; {hint}"));
                    None
                }
            },
            other => {
                cx.error(
                    n.loc,
                    format!(
                        "expected a metric type for `type`, found {}",
                        other.describe()
                    ),
                );
                None
            }
        },
        None => {
            cx.error(
                node.loc,
                "a metric needs a `type:` (counter, gauge, histogram, summary or info)",
            );
            None
        }
    };
    let help = f.take("help").and_then(|n| string(cx, n, "`help`"));
    let unit = f.take("unit").and_then(|n| word(cx, n, "`unit`"));
    let labels = f
        .take("labels")
        .map(|n| {
            seq(cx, n, "`labels`")
                .iter()
                .filter_map(|i| word(cx, i, "a label reference"))
                .collect()
        })
        .unwrap_or_default();
    let buckets = f.take("buckets").and_then(|n| {
        let items = match &n.value {
            // A series with an error is reported; no buckets, not empty ones.
            Value::Map(_) => bucket_series(cx, n).filter(|b| !b.is_empty())?,
            _ => seq(cx, n, "`buckets`")
                .iter()
                .filter_map(|i| number(cx, i, "in `buckets`"))
                .collect(),
        };
        Some(Spanned::new(items, n.loc))
    });
    let native = f.take("native").and_then(|n| native(cx, n));
    let quantiles = f.take("quantiles").and_then(|n| quantiles(cx, n));
    let states = f.take("states").map(|n| {
        let items = seq(cx, n, "`states`")
            .iter()
            .filter_map(|i| scalar_text(cx, i))
            .collect();
        Spanned::new(items, n.loc)
    });
    let mut const_labels = Vec::new();
    let mut const_labels_env = Vec::new();
    if let Some(n) = f.take("const_labels") {
        if let Some(mut cf) = Fields::new(cx, n, "`const_labels`") {
            for (k, v) in cf.entries {
                let key = Spanned::new(k.name.clone(), k.loc);
                // `{env: VAR}`: the value of a build-time environment variable.
                if let Value::Map(_) = &v.value {
                    let Some(mut ef) = Fields::new(cx, v, "a const label from the environment")
                    else {
                        continue;
                    };
                    let var = ef.take("env").and_then(|n| word(cx, n, "`env`"));
                    ef.finish(cx, &["env"]);
                    match var {
                        Some(var) => const_labels_env.push((key, var)),
                        None if ef_missing(v) => cx.error(
                            v.loc,
                            "a const label value is a string or `{env: VARIABLE}`",
                        ),
                        None => {}
                    }
                } else if let Some(val) = scalar_text(cx, v) {
                    const_labels.push((key, val));
                }
            }
            cf.used.iter_mut().for_each(|u| *u = true);
            cf.finish(cx, &[]);
        }
    }
    let static_name = f
        .take("static_name")
        .and_then(|n| word(cx, n, "`static_name`"));
    let stability = f.take("stability").and_then(|n| {
        let w = word(cx, n, "`stability`")?;
        match Stability::parse(&w.value) {
            Some(s) => Some(Spanned::new(s, w.loc)),
            None => {
                cx.error(
                    w.loc,
                    format!(
                        "unknown stability `{}`; expected one of `internal`, `alpha`, `beta`, `stable`",
                        w.value
                    ),
                );
                None
            }
        }
    });
    let deprecated = f.take("deprecated").and_then(|n| {
        let mut df = Fields::new(cx, n, "`deprecated`")?;
        let since = df.take("since").and_then(|s| scalar_text(cx, s));
        let renamed_to = df
            .take("renamed_to")
            .and_then(|s| word(cx, s, "`renamed_to`"));
        let note = df.take("note").and_then(|s| string(cx, s, "`note`"));
        df.finish(cx, DEPRECATED_KEYS);
        match since {
            Some(since) => Some(Deprecated {
                since,
                renamed_to,
                note,
                loc: n.loc,
            }),
            None => {
                cx.error(
                    n.loc,
                    "`deprecated` needs `since:` (the version that deprecated it)",
                );
                None
            }
        }
    });
    let allow = f
        .take("allow")
        .map(|n| lint_ids(cx, n, "`allow`"))
        .unwrap_or_default();
    let max_series = f
        .take("max_series")
        .and_then(|n| count(cx, n, "`max_series`"));
    let note = f.take("note").and_then(|n| string(cx, n, "`note`"));
    let multiprocess_mode = f
        .take("multiprocess_mode")
        .and_then(|n| word(cx, n, "`multiprocess_mode`"));
    let sharded = f.take("sharded").and_then(|n| match n.value {
        Value::Bool(b) => Some(Spanned::new(b, n.loc)),
        ref other => {
            cx.error(
                n.loc,
                format!(
                    "expected `true` or `false` for `sharded`, found {}",
                    other.describe()
                ),
            );
            None
        }
    });
    let float = f.take("value").and_then(|n| match &n.value {
        Value::Str(s) | Value::Path(s) if s == "float" => Some(Spanned::new(true, n.loc)),
        Value::Str(s) | Value::Path(s) if s == "integer" => Some(Spanned::new(false, n.loc)),
        other => {
            let shown = match other {
                Value::Str(s) | Value::Num(s) | Value::Path(s) => format!("`{s}`"),
                o => o.describe().to_string(),
            };
            cx.error(
                n.loc,
                format!("expected `integer` or `float` for `value`, found {shown}"),
            );
            None
        }
    });
    let visibility = f
        .take("visibility")
        .and_then(|n| string(cx, n, "`visibility`"))
        .map(|s| s.value);
    f.finish(cx, METRIC_KEYS);
    Some(Metric {
        name: name?,
        kind: kind?,
        help,
        unit,
        labels,
        buckets,
        native,
        const_labels,
        const_labels_env,
        static_name,
        stability,
        deprecated,
        allow,
        max_series,
        note,
        multiprocess_mode,
        sharded,
        float,
        quantiles,
        states,
        visibility,
        loc: node.loc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("bukets", METRIC_KEYS), Some("buckets"));
        assert_eq!(did_you_mean("lables", METRIC_KEYS), Some("labels"));
        assert_eq!(did_you_mean("zzzzzz", METRIC_KEYS), None);
    }
}
