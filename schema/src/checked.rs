//! The one validated artefact: the model, every finding, and the plan of
//! what may be emitted. Code generation, Markdown, `promdef expose` and
//! `diff` read the plan and never re-validate: whatever a rule rejected is
//! simply not in it.

use crate::check::{self, Suppressed};
use crate::diag::{Ctxt, Diagnostic, Loc, Spanned};
use crate::model::*;
use crate::node::Node;
use crate::resolve::{exposed_help, resolve, Resolved, ResolvedMetric};

/// A parsed and checked declaration (one YAML file or one `metrics!`).
///
/// ```
/// let checked = promdef_schema::Checked::from_yaml(r#"
/// metrics:
///   - name: jobs_processed_total
///     type: counter
///     help: Jobs processed.
/// "#);
/// assert!(checked.diagnostics.is_empty());
/// assert_eq!(checked.plan.metrics[0].static_name, "JOBS_PROCESSED_TOTAL");
/// ```
#[derive(Debug)]
pub struct Checked {
    /// The model as far as it could be built.
    pub schema: Schema,
    /// Errors and the lints no `allow` accepted, in one pass.
    pub diagnostics: Vec<Diagnostic>,
    /// Lints an `allow` accepted.
    pub suppressed: Vec<Suppressed>,
    /// What may be emitted.
    pub plan: Plan,
}

/// The registry generated code registers into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryPlan {
    /// `promdef::registry()`.
    Default,
    /// A `static promdef::Registry` at this Rust path.
    Path(String),
}

/// What may be emitted: enums and metrics no rule rejected.
#[derive(Debug, Default)]
pub struct Plan {
    /// `None` when the registry path is invalid: no metric is emitted.
    pub registry: Option<RegistryPlan>,
    /// One enum per closed-set label definition, in definition order.
    pub enums: Vec<EnumPlan>,
    /// The metrics, in declaration order.
    pub metrics: Vec<MetricPlan>,
    /// Objectives no rule rejected, over metrics in `metrics`.
    pub objectives: Vec<ObjectivePlan>,
}

/// A label matcher of an SLI: the label has one of these values.
#[derive(Clone, Debug, PartialEq)]
pub struct Matcher {
    /// Exposed label name.
    pub label: String,
    /// Accepted values (at least one).
    pub values: Vec<String>,
}

impl Matcher {
    /// The PromQL matcher: `label="v"` or `label=~"a|b"` with regex
    /// metacharacters escaped.
    ///
    /// ```
    /// let m = promdef_schema::Matcher { label: "code".into(), values: vec!["5xx".into(), "a.b".into()] };
    /// assert_eq!(m.promql(), r#"code=~"5xx|a\\.b""#);
    /// ```
    pub fn promql(&self) -> String {
        if let [one] = self.values.as_slice() {
            return format!("{}=\"{}\"", self.label, promql_string(one));
        }
        let alts: Vec<String> = self.values.iter().map(|v| regex_escape(v)).collect();
        format!("{}=~\"{}\"", self.label, promql_string(&alts.join("|")))
    }
}

/// Escapes RE2 metacharacters.
fn regex_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The body of a double-quoted PromQL string.
pub fn promql_string(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// `{a="b",c=~"d|e"}`, or nothing when there is no matcher.
pub fn selector(matchers: &[&Matcher]) -> String {
    if matchers.is_empty() {
        return String::new();
    }
    let m: Vec<String> = matchers.iter().map(|m| m.promql()).collect();
    format!("{{{}}}", m.join(","))
}

/// A checked objective, ready for rules, dashboards and docs.
#[derive(Clone, Debug)]
pub struct ObjectivePlan {
    /// Identifier (`checkout_availability`).
    pub name: String,
    /// What it promises.
    pub help: Option<String>,
    /// Runbook URL for the alerts.
    pub runbook: Option<String>,
    /// Percent of good events (0 < target < 100).
    pub target: f64,
    /// The window as written (`28d`).
    pub window: String,
    /// The window in days.
    pub window_days: u64,
    /// The indicator.
    pub sli: SliPlan,
    /// Where it is declared.
    pub loc: Loc,
}

/// A checked indicator.
#[derive(Clone, Debug)]
pub enum SliPlan {
    /// Events of a counter, bad ones selected (or good ones: `bad == false`).
    Availability {
        /// The counter (ends in `_total`).
        metric: String,
        /// Events counted at all.
        scope: Vec<Matcher>,
        /// The selected events.
        selected: Vec<Matcher>,
        /// Whether `selected` are the bad events (else the good ones).
        bad: bool,
        /// Values of the first selected label that are not selected (at
        /// least one): a series of the other kind, for generated tests.
        unselected: Vec<String>,
    },
    /// Observations of a histogram at most `threshold`.
    Latency {
        /// The histogram.
        metric: String,
        /// Observations counted at all.
        scope: Vec<Matcher>,
        /// The bucket bound.
        threshold: f64,
        /// The histogram also has native buckets.
        native: bool,
    },
}

impl SliPlan {
    /// The metric it reads.
    pub fn metric(&self) -> &str {
        match self {
            SliPlan::Availability { metric, .. } | SliPlan::Latency { metric, .. } => metric,
        }
    }
}

impl ObjectivePlan {
    /// The error budget as a ratio (`0.001` for 99.9 %).
    pub fn error_budget(&self) -> f64 {
        // Rounded so 100 - 99.9 prints as 0.001, not 0.0010000000000047748.
        let e = (100.0 - self.target) / 100.0;
        (e * 1e12).round() / 1e12
    }

    /// PromQL for the per-second rates of bad events and of all events over
    /// `range` (`5m`). A selected series that does not exist yet counts 0,
    /// so the bad rate is 0, not nothing, before the first bad event.
    pub fn rates(&self, range: &str) -> (String, String) {
        match &self.sli {
            SliPlan::Availability {
                metric,
                scope,
                selected,
                bad,
                ..
            } => {
                let all: Vec<&Matcher> = scope.iter().collect();
                let mut sel = all.clone();
                sel.extend(selected.iter());
                let total = format!("sum(rate({metric}{}[{range}]))", selector(&all));
                let part = format!(
                    "(sum(rate({metric}{}[{range}])) or 0 * {total})",
                    selector(&sel)
                );
                let bad_rate = if *bad {
                    part
                } else {
                    format!("({total} - {part})")
                };
                (bad_rate, total)
            }
            SliPlan::Latency {
                metric,
                scope,
                threshold,
                native,
            } => {
                let all: Vec<&Matcher> = scope.iter().collect();
                let le = Matcher {
                    label: "le".into(),
                    values: le_spellings(*threshold),
                };
                let mut sel = all.clone();
                sel.push(&le);
                let total = format!("sum(rate({metric}_count{}[{range}]))", selector(&all));
                let bad_rate = format!(
                    "({total} - (sum(rate({metric}_bucket{}[{range}])) or 0 * {total}))",
                    selector(&sel)
                );
                if !*native {
                    return (bad_rate, total);
                }
                // A Prometheus that ingests native histograms stores no
                // `_bucket` or `_count` series: the native count and fraction.
                let hist = format!("sum(rate({metric}{}[{range}]))", selector(&all));
                let native_total = format!("histogram_count({hist})");
                let native_bad = format!(
                    "({native_total} * (1 - histogram_fraction(-Inf, {}, {hist})))",
                    promql_float(*threshold)
                );
                (
                    format!("({bad_rate} or {native_bad})"),
                    format!("({total} or {native_total})"),
                )
            }
        }
    }

    /// PromQL for the ratio of bad events over `range`: in [0, 1], 0 (not
    /// nothing) without bad events, nothing (not NaN) without traffic, so
    /// an idle period leaves no gap-poisoning NaN in averages over it.
    pub fn error_ratio(&self, range: &str) -> String {
        let (bad, total) = self.rates(range);
        format!("{bad} / ({total} > 0)")
    }
}

/// A float as a PromQL literal.
pub fn promql_float(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    format!("{v}")
}

/// The ways a bucket bound is written as `le`: the text format writes
/// integers without a fraction (`1`), OpenMetrics canonically (`1.0`), so a
/// matcher must accept both.
pub fn le_spellings(v: f64) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    if v == v.trunc() && v.abs() < 1e15 {
        add(format!("{}", v as i64));
        add(format!("{}.0", v as i64));
    }
    add(format!("{v}"));
    // Exponent forms: Rust's (`5e-5`, what promdef's text format writes
    // below 1e-4) and Go's (`5e-05`, `1e+06`: OpenMetrics canonical numbers
    // and Python's multi-process output).
    let e = format!("{v:e}");
    add(e.clone());
    if let Some((mantissa, exp)) = e.split_once('e') {
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        add(format!("{mantissa}e{sign}{digits:0>2}"));
    }
    out
}

/// A closed-set label's enum.
#[derive(Clone, Debug)]
pub struct EnumPlan {
    /// Index of the definition in `schema.labels`.
    pub def: usize,
    /// Rust type name.
    pub type_name: String,
    /// The exposed label name.
    pub label: String,
    /// The label's help.
    pub help: Option<String>,
    /// `(variant name, exposed value)` in declared order.
    pub variants: Vec<(String, String)>,
}

/// How a metric's series are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// An info metric: one series of value 1 with const labels.
    Info,
    /// No labels: one series.
    Single,
    /// Every label closed: this many series pre-created in a static array.
    Dense(usize),
    /// At least one open label: series created on first use.
    Map,
}

/// A label as one metric uses it.
#[derive(Clone, Debug)]
pub struct LabelPlan {
    /// Exposed name (and struct field name; keywords become `r#…`).
    pub name: String,
    /// The definition's help.
    pub help: Option<String>,
    /// Index into [`Plan::enums`] for a closed set.
    pub closed: Option<usize>,
    /// The closed set's values, in order.
    pub values: Option<Vec<String>>,
    /// The open label's declared bound (`None`: not declared).
    pub max_values: Option<MaxValues>,
}

/// A deprecation, resolved.
#[derive(Clone, Debug)]
pub struct DeprecationPlan {
    /// Since which version.
    pub since: String,
    /// The replacement metric.
    pub renamed_to: Option<String>,
    /// The replacement's Rust static, when it is emitted too.
    pub replacement_static: Option<String>,
    /// Free-form note.
    pub note: Option<String>,
}

/// A metric that may be emitted, with everything derived.
#[derive(Clone, Debug)]
pub struct MetricPlan {
    /// Index in `schema.metrics`.
    pub index: usize,
    /// Full name.
    pub name: String,
    /// Where the name is written.
    pub loc: Loc,
    /// Type.
    pub kind: MetricType,
    /// HELP as exposed (help plus the deprecation note).
    pub help: String,
    /// Unit, if declared.
    pub unit: Option<String>,
    /// Rust static name.
    pub static_name: String,
    /// Rust visibility: `pub`, `pub(crate)`, … or empty for private.
    pub visibility: String,
    /// Variable labels, in order.
    pub labels: Vec<LabelPlan>,
    /// The labels struct's name (labelled, non-info metrics).
    pub labels_struct: Option<String>,
    /// Const labels, in order.
    pub const_labels: Vec<(String, String)>,
    /// Const labels from build-time environment variables: label, variable
    /// (generated code reads them with `env!`).
    pub const_labels_env: Vec<(String, String)>,
    /// Histogram bounds (defaults applied); empty for other types.
    pub buckets: Vec<f64>,
    /// Storage shape.
    pub storage: Storage,
    /// Counters: per-thread shards.
    pub sharded: bool,
    /// Counters: fractional increments (`value: float`).
    pub float: bool,
    /// Summaries: quantiles over a sliding window.
    pub quantiles: Option<QuantilesPlan>,
    /// Statesets: the enum of the states (its label is the metric's name).
    pub state_enum: Option<EnumPlan>,
    /// Gauges: how multi-process mode merges processes (`all` by default).
    pub multiprocess_mode: String,
    /// Deprecation.
    pub deprecated: Option<DeprecationPlan>,
    /// Upper bound on series from closed-set sizes and open bounds; `None`
    /// when an open label is unbounded.
    pub series_bound: Option<u128>,
    /// Histograms with native buckets: their parameters.
    pub native: Option<NativePlan>,
    /// Map families: the most series created at run time before new label
    /// tuples go to the overflow series (`max_series` of the metric, else
    /// of the schema; else [`crate::DEFAULT_SERIES_CAP`] when an open label
    /// has no declared bound; else none: `max_values` bounds it).
    pub series_cap: Option<u64>,
}

/// A summary's quantiles, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantilesPlan {
    /// Quantiles, increasing, in [0, 1].
    pub quantiles: Vec<f64>,
    /// The window, in seconds (default 600).
    pub max_age_seconds: f64,
    /// Estimators the window is split into (default 5).
    pub age_buckets: u32,
    /// Relative error of reported values (default 0.01).
    pub accuracy: f64,
}

/// The enum of a stateset's states: its static in CamelCase
/// (`TASK_STATE` → `TaskState`).
pub fn state_enum_name(static_name: &str) -> String {
    crate::naming::camel(&static_name.to_lowercase())
}

/// Seconds of a `<n>s|m|h` duration.
pub fn duration_seconds(s: &str) -> Option<f64> {
    let (n, unit) = s.split_at(s.len().checked_sub(1)?);
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    })
}

/// A native histogram's parameters, defaults applied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NativePlan {
    /// Resolution: bucket boundaries are powers of `2^(2^-schema)`.
    pub schema: i8,
    /// Most buckets before the resolution is halved.
    pub max_buckets: u32,
    /// Observations of at most this magnitude count in the zero bucket.
    pub zero_threshold: f64,
}

impl NativePlan {
    /// One line for docs: resolution, growth factor, limits.
    pub fn describe(&self) -> String {
        let factor = (-(self.schema as f64)).exp2().exp2();
        format!(
            "schema {} (each bucket {:.4}× the previous), at most {} buckets (then the resolution halves), zero bucket up to {:e}",
            self.schema, factor, self.max_buckets, self.zero_threshold
        )
    }

    /// The defaults: factor 1.1 (schema 3), 160 buckets, zero threshold
    /// 2^-128 (as client_golang).
    pub const DEFAULT: NativePlan = NativePlan {
        schema: 3,
        max_buckets: 160,
        zero_threshold: 2.938735877055719e-39,
    };
}

/// The native schema of a growth factor, `-floor(log2(log2(factor)))`
/// (1.1 → 3, 2 → 0), if within −4..8.
pub fn schema_of_factor(factor: f64) -> Option<i8> {
    if !(factor.is_finite() && factor > 1.0) {
        return None;
    }
    let s = -(factor.log2().log2().floor());
    (-4.0..=8.0).contains(&s).then_some(s as i8)
}

impl LabelPlan {
    /// The bound the runtime enforces on an open label's distinct values.
    pub fn runtime_bound(&self) -> Option<u64> {
        match (&self.values, self.max_values) {
            (None, Some(m)) => m.count(),
            _ => None,
        }
    }
}

impl Checked {
    /// Parses and checks a YAML schema.
    pub fn from_yaml(text: &str) -> Checked {
        match crate::yaml::parse(text) {
            Ok(node) => Checked::from_node(&node),
            Err(d) => Checked {
                schema: Schema::default(),
                diagnostics: vec![d],
                suppressed: Vec::new(),
                plan: Plan::default(),
            },
        }
    }

    /// Builds, resolves and checks a schema from a node tree (either front end).
    pub fn from_node(node: &Node) -> Checked {
        let mut cx = Ctxt::new();
        let schema = crate::ast::build(&mut cx, node);
        Checked::with_findings(schema, cx.into_diagnostics())
    }

    /// Resolves and checks a schema built in code (a build script, a test
    /// that checks one metric of a file alone).
    pub fn from_schema(schema: Schema) -> Checked {
        Checked::with_findings(schema, Vec::new())
    }

    fn with_findings(schema: Schema, mut diagnostics: Vec<Diagnostic>) -> Checked {
        let r = resolve(&schema);
        let mut verdict = check::check(&schema, &r);
        let plan = plan(&r, &verdict);
        diagnostics.append(&mut verdict.diagnostics);
        let suppressed = verdict.suppressed;
        Checked {
            schema,
            diagnostics,
            suppressed,
            plan,
        }
    }

    /// Whether there is no finding at all.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// How many findings are errors rather than lints.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

fn plan(r: &Resolved<'_>, v: &check::Verdict) -> Plan {
    let mut enum_of = vec![None; r.schema.labels.len()];
    let mut enums = Vec::new();
    for e in &r.enums {
        if v.bad_label[e.def_index] {
            continue;
        }
        enum_of[e.def_index] = Some(enums.len());
        enums.push(EnumPlan {
            def: e.def_index,
            type_name: e.type_name.clone(),
            label: e.def.exposed().value.clone(),
            help: e.def.help.as_ref().map(|h| h.value.clone()),
            variants: e.variants.clone(),
        });
    }
    let registry = if v.bad_registry {
        None
    } else {
        Some(match &r.schema.registry {
            Some(p) => RegistryPlan::Path(p.value.clone()),
            None => RegistryPlan::Default,
        })
    };
    let emitted = |i: usize, m: &ResolvedMetric<'_>| {
        !v.bad_metric[i]
            && m.labels.len() == m.metric.labels.len()
            && m.labels.iter().all(|l| !v.bad_label[l.def_index])
    };
    let metrics = if registry.is_none() {
        Vec::new()
    } else {
        r.metrics
            .iter()
            .enumerate()
            .filter(|(i, m)| emitted(*i, m))
            .map(|(i, m)| metric_plan(r, i, m, &enum_of, &|j| emitted(j, &r.metrics[j])))
            .collect()
    };
    let objectives = r
        .schema
        .objectives
        .iter()
        .enumerate()
        .filter(|(i, _)| !v.bad_objective[*i])
        .filter_map(|(_, o)| objective_plan(o, &metrics))
        .collect();
    Plan {
        registry,
        enums,
        metrics,
        objectives,
    }
}

fn matchers(sel: &[(Spanned<String>, Vec<Spanned<String>>)]) -> Vec<Matcher> {
    sel.iter()
        .map(|(l, vs)| Matcher {
            label: l.value.clone(),
            values: vs.iter().map(|v| v.value.clone()).collect(),
        })
        .collect()
}

/// The plan of an objective the rules accepted, if its metric is emitted.
fn objective_plan(o: &Objective, metrics: &[MetricPlan]) -> Option<ObjectivePlan> {
    let closed = |metric: &str, label: &str| -> Vec<String> {
        metrics
            .iter()
            .find(|m| m.name == metric)
            .and_then(|m| m.labels.iter().find(|l| l.name == label))
            .and_then(|l| l.values.clone())
            .unwrap_or_default()
    };
    let sli = o.sli.as_ref()?;
    let (name, sli) = match sli {
        Sli::Availability {
            metric,
            bad,
            good,
            r#where,
            ..
        } => (&metric.value, {
            let selected = matchers(if bad.is_empty() { good } else { bad });
            let first = selected.first()?;
            let unselected = closed(&metric.value, &first.label)
                .into_iter()
                .filter(|v| !first.values.contains(v))
                .collect();
            SliPlan::Availability {
                metric: metric.value.clone(),
                scope: matchers(r#where),
                selected,
                bad: !bad.is_empty(),
                unselected,
            }
        }),
        Sli::Latency {
            metric,
            threshold,
            r#where,
            ..
        } => (
            &metric.value,
            SliPlan::Latency {
                metric: metric.value.clone(),
                scope: matchers(r#where),
                threshold: threshold.value,
                native: metrics
                    .iter()
                    .any(|m| m.name == metric.value && m.native.is_some()),
            },
        ),
    };
    if !metrics.iter().any(|m| &m.name == name) {
        return None;
    }
    let window = o.window.as_ref()?.value.clone();
    Some(ObjectivePlan {
        name: o.name.value.clone(),
        help: o.help.as_ref().map(|h| h.value.clone()),
        runbook: o.runbook.as_ref().map(|h| h.value.clone()),
        target: o.target.as_ref()?.value,
        window_days: check::window_days(&window)?,
        window,
        sli,
        loc: o.loc,
    })
}

fn metric_plan(
    r: &Resolved<'_>,
    index: usize,
    m: &ResolvedMetric<'_>,
    enum_of: &[Option<usize>],
    emitted: &dyn Fn(usize) -> bool,
) -> MetricPlan {
    let md = m.metric;
    let kind = md.kind.value;
    let labels: Vec<LabelPlan> = if kind == MetricType::Info {
        Vec::new()
    } else {
        m.labels
            .iter()
            .map(|l| LabelPlan {
                name: l.name().to_string(),
                help: l.def.help.as_ref().map(|h| h.value.clone()),
                closed: enum_of[l.def_index],
                values: l
                    .def
                    .values
                    .as_ref()
                    .map(|v| v.value.iter().map(|v| v.value.value.clone()).collect()),
                max_values: l
                    .def
                    .max_values
                    .as_ref()
                    .filter(|_| l.def.values.is_none())
                    .map(|m| m.value),
            })
            .collect()
    };
    let storage = if kind == MetricType::Info {
        Storage::Info
    } else if labels.is_empty() {
        Storage::Single
    } else if m.is_dense() {
        Storage::Dense(m.dense_cardinality() as usize)
    } else {
        Storage::Map
    };
    let visibility = match &md.visibility {
        None => "pub".to_string(),
        // An invalid visibility is reported; `pub` keeps the static usable.
        Some(v) if !v.is_empty() && syn::parse_str::<syn::Visibility>(v).is_err() => {
            "pub".to_string()
        }
        Some(v) => v.clone(),
    };
    let deprecated = md.deprecated.as_ref().map(|d| {
        let renamed_to = d.renamed_to.as_ref().map(|t| t.value.clone());
        let replacement_static = renamed_to.as_ref().and_then(|to| {
            r.metrics
                .iter()
                .enumerate()
                .find(|(j, x)| x.metric.name.value == *to && emitted(*j))
                .map(|(_, x)| x.static_name.clone())
        });
        DeprecationPlan {
            since: d.since.value.clone(),
            renamed_to,
            replacement_static,
            note: d.note.as_ref().map(|n| n.value.clone()),
        }
    });
    let multiprocess_mode = md
        .multiprocess_mode
        .as_ref()
        .map(|m| m.value.clone())
        .filter(|m| kind == MetricType::Gauge && check::MP_MODES.contains(&m.as_str()))
        .unwrap_or_else(|| "all".to_string());
    let series_cap = if storage != Storage::Map {
        None
    } else if let Some(max) = md.max_series.as_ref().or(r.schema.max_series.as_ref()) {
        Some(max.value)
    } else if labels
        .iter()
        .any(|l| l.values.is_none() && l.max_values.is_none())
    {
        Some(crate::DEFAULT_SERIES_CAP)
    } else {
        None
    };
    MetricPlan {
        index,
        name: md.name.value.clone(),
        loc: md.name.loc,
        kind,
        help: exposed_help(md),
        unit: md.unit.as_ref().map(|u| u.value.clone()),
        static_name: m.static_name.clone(),
        visibility,
        labels_struct: (!labels.is_empty()).then(|| m.labels_struct.clone()),
        labels,
        const_labels: md
            .const_labels
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect(),
        const_labels_env: md
            .const_labels_env
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect(),
        buckets: m.buckets.clone(),
        storage,
        sharded: kind == MetricType::Counter && md.sharded.as_ref().is_some_and(|s| s.value),
        float: kind == MetricType::Counter && md.float.as_ref().is_some_and(|f| f.value),
        state_enum: md
            .states
            .as_ref()
            .filter(|_| kind == MetricType::StateSet)
            .map(|s| EnumPlan {
                def: usize::MAX,
                type_name: state_enum_name(&m.static_name),
                label: md.name.value.clone(),
                help: md.help.as_ref().map(|h| h.value.clone()),
                variants: s
                    .value
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (crate::naming::variant_name(&v.value, i), v.value.clone()))
                    .collect(),
            }),
        quantiles: md
            .quantiles
            .as_ref()
            .filter(|_| kind == MetricType::Summary)
            .map(|q| {
                let q = &q.value;
                QuantilesPlan {
                    quantiles: q.objectives.iter().map(|o| o.value).collect(),
                    max_age_seconds: q
                        .max_age
                        .as_ref()
                        .and_then(|m| duration_seconds(&m.value))
                        .unwrap_or(600.0),
                    age_buckets: q.age_buckets.as_ref().map_or(5, |b| b.value.min(60) as u32),
                    accuracy: q.accuracy.as_ref().map_or(0.01, |a| a.value),
                }
            }),
        multiprocess_mode,
        deprecated,
        series_bound: m.series_budget(),
        series_cap,
        native: (kind == MetricType::Histogram)
            .then_some(md.native.as_ref())
            .flatten()
            .map(|n| {
                let n = &n.value;
                let d = NativePlan::DEFAULT;
                NativePlan {
                    schema: match (&n.schema, &n.factor) {
                        (Some(s), _) => s.value.clamp(-4, 8) as i8,
                        (None, Some(f)) => schema_of_factor(f.value).unwrap_or(d.schema),
                        (None, None) => d.schema,
                    },
                    max_buckets: n
                        .max_buckets
                        .as_ref()
                        .map_or(d.max_buckets, |b| b.value.min(u32::MAX as u64) as u32),
                    zero_threshold: n
                        .zero_threshold
                        .as_ref()
                        .map_or(d.zero_threshold, |z| z.value),
                }
            }),
    }
}

impl MetricPlan {
    /// The declaration in the model.
    pub fn metric<'a>(&self, schema: &'a Schema) -> &'a Metric {
        &schema.metrics[self.index]
    }
}
