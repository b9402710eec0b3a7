//! The resolved view of a schema that code and docs are generated from.
//!
//! Resolution is best effort: it never fails, it skips what cannot be
//! resolved (the checks report it), so code generation can still emit every
//! metric that makes sense and users see one error instead of a cascade.

use crate::model::*;
use crate::naming;

/// Prometheus' default histogram buckets, used when a histogram declares none.
pub const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A label as used by one metric.
#[derive(Clone, Debug)]
pub struct ResolvedLabel<'s> {
    /// The shared definition.
    pub def: &'s LabelDef,
    /// Index of the definition in `schema.labels`.
    pub def_index: usize,
    /// Where the metric references the label.
    pub loc: crate::diag::Loc,
}

impl ResolvedLabel<'_> {
    /// Exposed label name.
    pub fn name(&self) -> &str {
        &self.def.exposed().value
    }
}

/// A metric with its labels resolved and its Rust names derived.
#[derive(Clone, Debug)]
pub struct ResolvedMetric<'s> {
    /// The declaration.
    pub metric: &'s Metric,
    /// Labels in declared order, undefined references skipped.
    pub labels: Vec<ResolvedLabel<'s>>,
    /// Name of the generated static.
    pub static_name: String,
    /// Name of the generated labels struct.
    pub labels_struct: String,
    /// Bucket bounds (histograms only), defaults applied.
    pub buckets: Vec<f64>,
}

impl ResolvedMetric<'_> {
    /// Whether every label is a closed set, so all series are pre-created.
    pub fn is_dense(&self) -> bool {
        self.labels.iter().all(|l| l.def.is_closed())
    }

    /// Number of pre-created series when dense.
    pub fn dense_cardinality(&self) -> u128 {
        self.labels
            .iter()
            .map(|l| l.def.values.as_ref().map_or(1, |v| v.value.len() as u128))
            .product()
    }

    /// Upper bound on series: closed-set sizes times open bounds (`None` if unbounded).
    pub fn series_budget(&self) -> Option<u128> {
        let mut total: u128 = 1;
        for l in &self.labels {
            let n = match (&l.def.values, &l.def.max_values) {
                (Some(v), _) => v.value.len() as u128,
                (None, Some(m)) => match m.value {
                    MaxValues::Count(n) => n as u128,
                    MaxValues::Unlimited => return None,
                },
                (None, None) => return None,
            };
            total = total.saturating_mul(n);
        }
        Some(total)
    }
}

/// The enum generated for a closed-set label.
#[derive(Clone, Debug)]
pub struct ResolvedEnum<'s> {
    /// The definition.
    pub def: &'s LabelDef,
    /// Index of the definition in `schema.labels`.
    pub def_index: usize,
    /// Rust type name.
    pub type_name: String,
    /// `(variant name, exposed value)` in declared order.
    pub variants: Vec<(String, String)>,
}

/// A whole resolved schema.
#[derive(Clone, Debug)]
pub struct Resolved<'s> {
    /// The schema resolved.
    pub schema: &'s Schema,
    /// Metrics in declared order.
    pub metrics: Vec<ResolvedMetric<'s>>,
    /// One enum per closed-set label definition.
    pub enums: Vec<ResolvedEnum<'s>>,
}

/// The metric name without the namespace prefix.
pub fn short_name<'a>(schema: &Schema, name: &'a str) -> &'a str {
    match &schema.namespace {
        Some(ns) => name
            .strip_prefix(ns.value.as_str())
            .and_then(|r| r.strip_prefix('_'))
            .filter(|r| !r.is_empty())
            .unwrap_or(name),
        None => name,
    }
}

/// Resolves a schema; see the module docs.
pub fn resolve(schema: &Schema) -> Resolved<'_> {
    // Label definitions by key (a YAML mapping's keys are unique; the
    // duplicate-key error covers the inline macro).
    let mut defs: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, d) in schema.labels.iter().enumerate() {
        defs.entry(d.key.value.as_str()).or_insert(i);
    }
    let metrics = schema
        .metrics
        .iter()
        .map(|m| {
            let labels = m
                .labels
                .iter()
                .filter_map(|r| {
                    defs.get(r.value.as_str()).map(|&i| ResolvedLabel {
                        def: &schema.labels[i],
                        def_index: i,
                        loc: r.loc,
                    })
                })
                .collect();
            let short = short_name(schema, &m.name.value);
            let static_name = m
                .static_name
                .as_ref()
                .map(|s| s.value.clone())
                .unwrap_or_else(|| naming::screaming_snake(short));
            let labels_struct = format!("{}Labels", naming::camel(&static_name.to_lowercase()));
            let buckets = match (&m.buckets, m.kind.value) {
                (Some(b), MetricType::Histogram) => b.value.iter().map(|v| v.value).collect(),
                // A native histogram has classic buckets only when declared.
                (None, MetricType::Histogram) if m.native.is_some() => Vec::new(),
                (None, MetricType::Histogram) => DEFAULT_BUCKETS.to_vec(),
                _ => Vec::new(),
            };
            ResolvedMetric {
                metric: m,
                labels,
                static_name,
                labels_struct,
                buckets,
            }
        })
        .collect();
    let enums = schema
        .labels
        .iter()
        .enumerate()
        .filter_map(|(def_index, d)| {
            let values = d.values.as_ref()?;
            Some(ResolvedEnum {
                def: d,
                def_index,
                type_name: enum_type_name(d),
                variants: values
                    .value
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let name = v
                            .variant
                            .as_ref()
                            .map(|s| s.value.clone())
                            .unwrap_or_else(|| naming::variant_name(&v.value.value, i));
                        (name, v.value.value.clone())
                    })
                    .collect(),
            })
        })
        .collect();
    Resolved {
        schema,
        metrics,
        enums,
    }
}

/// Rust type name of a label's enum: `rust_type`, or the definition's key
/// in CamelCase (so two definitions exposing the same label name get
/// different enums).
pub fn enum_type_name(d: &LabelDef) -> String {
    d.rust_type
        .as_ref()
        .map(|s| s.value.clone())
        .unwrap_or_else(|| naming::camel(&d.key.value))
}

/// The HELP text as exposed: the declared help, plus `(deprecated since …)`
/// and the replacement for deprecated metrics.
pub fn exposed_help(m: &Metric) -> String {
    let mut help = m.help.as_ref().map(|h| h.value.clone()).unwrap_or_default();
    if let Some(d) = &m.deprecated {
        if !help.is_empty() {
            help.push(' ');
        }
        help.push_str(&format!("(deprecated since {}", d.since.value));
        if let Some(to) = &d.renamed_to {
            help.push_str(&format!("; use {}", to.value));
        }
        help.push(')');
    }
    help
}
