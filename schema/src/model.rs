//! The typed schema both front ends produce.

use crate::diag::{Loc, Spanned};

/// One declaration: a YAML file or one `metrics!` invocation.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Required prefix (without the trailing `_`) of every metric name.
    pub namespace: Option<Spanned<String>>,
    /// Rust path of the registry the metrics belong to; `None` = `promdef::registry()`.
    pub registry: Option<Spanned<String>>,
    /// Default series budget for every metric.
    pub max_series: Option<Spanned<u64>>,
    /// Convention lints accepted for every metric.
    pub allow: Vec<Spanned<String>>,
    /// Opt-in lints turned on for every metric.
    pub enable: Vec<Spanned<String>>,
    /// Label definitions, referenced by key.
    pub labels: Vec<LabelDef>,
    /// The metrics, in declaration order.
    pub metrics: Vec<Metric>,
    /// Service-level objectives over the metrics.
    pub objectives: Vec<Objective>,
}

/// A service-level objective: an SLI over one of the schema's metrics, a
/// target and a window.
#[derive(Clone, Debug)]
pub struct Objective {
    /// Identifier, used in rule and alert names (`checkout_availability`).
    pub name: Spanned<String>,
    /// What it promises, for alert summaries and docs.
    pub help: Option<Spanned<String>>,
    /// Runbook URL, for the alerts' `runbook_url`.
    pub runbook: Option<Spanned<String>>,
    /// The indicator.
    pub sli: Option<Sli>,
    /// Percent of good events, in (0, 100).
    pub target: Option<Spanned<f64>>,
    /// The window, a Prometheus duration in days (`28d`).
    pub window: Option<Spanned<String>>,
    /// Where it is declared.
    pub loc: Loc,
}

/// How an objective counts good events.
#[derive(Clone, Debug)]
pub enum Sli {
    /// A counter's events; good or bad ones selected by closed-set labels.
    Availability {
        /// The counter.
        metric: Spanned<String>,
        /// Bad events: `{label: [values]}`.
        bad: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
        /// Good events (instead of `bad`).
        good: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
        /// Events counted at all (both sides of the ratio).
        r#where: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
        /// Where the block is.
        loc: Loc,
    },
    /// A histogram's observations at most `threshold`.
    Latency {
        /// The histogram.
        metric: Spanned<String>,
        /// A bucket bound.
        threshold: Spanned<f64>,
        /// Observations counted at all.
        r#where: Vec<(Spanned<String>, Vec<Spanned<String>>)>,
        /// Where the block is.
        loc: Loc,
    },
}

/// A label definition.
#[derive(Clone, Debug)]
pub struct LabelDef {
    /// The key metrics reference it by (and its enum is named after).
    pub key: Spanned<String>,
    /// The exposed label name, when it differs from the key (`name:`), so
    /// two metrics can each have a `method` label with its own closed set.
    pub name: Option<Spanned<String>>,
    /// Description, for docs.
    pub help: Option<Spanned<String>>,
    /// A closed set of values (generates an enum).
    pub values: Option<Spanned<Vec<LabelValue>>>,
    /// Bound on distinct values of an open label (`max_values: 100`), or
    /// `max_values: unlimited`.
    pub max_values: Option<Spanned<MaxValues>>,
    /// Name of the generated enum, overriding the CamelCase label name.
    pub rust_type: Option<Spanned<String>>,
}

impl LabelDef {
    /// The label name as exposed: `name:`, or the key.
    pub fn exposed(&self) -> &Spanned<String> {
        self.name.as_ref().unwrap_or(&self.key)
    }

    /// Whether the label has a closed set of values.
    pub fn is_closed(&self) -> bool {
        self.values.is_some()
    }
}

/// A histogram's `native:` block; unset keys take the defaults.
#[derive(Clone, Debug, Default)]
pub struct Native {
    /// Growth factor of one bucket to the next (`1.1` → schema 3).
    pub factor: Option<Spanned<f64>>,
    /// The schema itself (−4..8), instead of a factor.
    pub schema: Option<Spanned<i64>>,
    /// Most buckets before the resolution is halved.
    pub max_buckets: Option<Spanned<u64>>,
    /// Observations of at most this magnitude count in the zero bucket.
    pub zero_threshold: Option<Spanned<f64>>,
}

/// A summary's `quantiles:`; unset keys take the defaults.
#[derive(Clone, Debug)]
pub struct QuantileSpec {
    /// The quantiles exposed.
    pub objectives: Vec<Spanned<f64>>,
    /// Window length (`10m`).
    pub max_age: Option<Spanned<String>>,
    /// Estimators the window is split into.
    pub age_buckets: Option<Spanned<u64>>,
    /// Relative error of reported values.
    pub accuracy: Option<Spanned<f64>>,
}

/// An open label's declared bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxValues {
    /// At most this many distinct values; more go to the overflow series.
    Count(u64),
    /// Explicitly unbounded: no cap at run time.
    Unlimited,
}

impl MaxValues {
    /// The bound, unless unlimited.
    pub fn count(self) -> Option<u64> {
        match self {
            MaxValues::Count(n) => Some(n),
            MaxValues::Unlimited => None,
        }
    }
}

/// One value of a closed-set label.
#[derive(Clone, Debug)]
pub struct LabelValue {
    /// Text as exposed.
    pub value: Spanned<String>,
    /// Enum variant name, overriding the derived one.
    pub variant: Option<Spanned<String>>,
}

/// The metric types promdef supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricType {
    /// Monotonic counter.
    Counter,
    /// Value that goes up and down.
    Gauge,
    /// Bucketed observations.
    Histogram,
    /// Count and sum of observations.
    Summary,
    /// Constant `1` carrying labels.
    Info,
    /// One of a closed set of states (OpenMetrics stateset, Python's `Enum`).
    StateSet,
}

impl MetricType {
    /// Every type, in documentation order.
    pub const ALL: [MetricType; 6] = [
        MetricType::Counter,
        MetricType::Gauge,
        MetricType::Histogram,
        MetricType::Summary,
        MetricType::Info,
        MetricType::StateSet,
    ];

    /// The schema keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
        }
    }

    /// Parses the schema keyword.
    pub fn parse(s: &str) -> Option<Self> {
        MetricType::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Stability level of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stability {
    /// For the team's own debugging; may change at any time.
    Internal,
    /// New; may change at any time (the default).
    Alpha,
    /// Labels may be added, not removed.
    Beta,
    /// Name, type, labels, unit and buckets are frozen.
    Stable,
}

impl Stability {
    /// Every level.
    pub const ALL: [Stability; 4] = [
        Stability::Internal,
        Stability::Alpha,
        Stability::Beta,
        Stability::Stable,
    ];

    /// The schema keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Stability::Internal => "internal",
            Stability::Alpha => "alpha",
            Stability::Beta => "beta",
            Stability::Stable => "stable",
        }
    }

    /// Parses the schema keyword.
    pub fn parse(s: &str) -> Option<Self> {
        Stability::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Deprecation of a metric.
#[derive(Clone, Debug)]
pub struct Deprecated {
    /// Version since which the metric is deprecated.
    pub since: Spanned<String>,
    /// The metric that replaces it.
    pub renamed_to: Option<Spanned<String>>,
    /// Free-form note.
    pub note: Option<Spanned<String>>,
    /// Where `deprecated:` is written.
    pub loc: Loc,
}

/// One metric family.
#[derive(Clone, Debug)]
pub struct Metric {
    /// Full exposed name, including the namespace.
    pub name: Spanned<String>,
    /// Metric type.
    pub kind: Spanned<MetricType>,
    /// HELP text.
    pub help: Option<Spanned<String>>,
    /// Unit, which must be the name's suffix (before `_total`).
    pub unit: Option<Spanned<String>>,
    /// Referenced label names, in order.
    pub labels: Vec<Spanned<String>>,
    /// Histogram bucket upper bounds.
    pub buckets: Option<Spanned<Vec<Spanned<f64>>>>,
    /// Histograms: native (sparse, exponential) buckets (`native: true` or
    /// a block); `None` when not declared or `native: false`.
    pub native: Option<Spanned<Native>>,
    /// Labels with one fixed value on every series.
    pub const_labels: Vec<(Spanned<String>, Spanned<String>)>,
    /// Const labels whose value is a build-time environment variable
    /// (`{env: CARGO_PKG_VERSION}`): label, variable.
    pub const_labels_env: Vec<(Spanned<String>, Spanned<String>)>,
    /// Override of the generated static's name.
    pub static_name: Option<Spanned<String>>,
    /// Stability level; `None` = alpha.
    pub stability: Option<Spanned<Stability>>,
    /// Deprecation, if any.
    pub deprecated: Option<Deprecated>,
    /// Convention lints accepted for this metric.
    pub allow: Vec<Spanned<String>>,
    /// Series budget for this metric.
    pub max_series: Option<Spanned<u64>>,
    /// Longer explanation for the docs.
    pub note: Option<Spanned<String>>,
    /// Counters only: spread the value over per-thread shards for very hot series.
    pub sharded: Option<Spanned<bool>>,
    /// Summaries: quantiles over a sliding window.
    pub quantiles: Option<Spanned<QuantileSpec>>,
    /// Statesets: the states, the first one current at start.
    pub states: Option<Spanned<Vec<Spanned<String>>>>,
    /// Counters only: `value: float` (fractional increments) rather than
    /// whole counts.
    pub float: Option<Spanned<bool>>,
    /// How gauges combine across processes in multi-process mode.
    pub multiprocess_mode: Option<Spanned<String>>,
    /// Rust visibility of the static as written in the macro (`pub`, `pub(crate)`, empty).
    pub visibility: Option<String>,
    /// Where the metric's declaration starts.
    pub loc: Loc,
}

impl Metric {
    /// Every const label's name: literal ones, then those from the environment.
    pub fn const_label_names(&self) -> impl Iterator<Item = &Spanned<String>> {
        self.const_labels
            .iter()
            .chain(&self.const_labels_env)
            .map(|(k, _)| k)
    }

    /// Stability with the default applied.
    pub fn stability(&self) -> Stability {
        self.stability
            .as_ref()
            .map(|s| s.value)
            .unwrap_or(Stability::Alpha)
    }
}
