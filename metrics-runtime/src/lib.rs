//! # promdef
//!
//! Declare Prometheus metrics once — in a YAML schema or inline with
//! [`metrics!`] — and get typed statics whose label sets the compiler checks,
//! compile-time errors for duplicate and badly named metrics, and one
//! registry that finds every metric linked into the binary.
//!
//! ```
//! promdef::metrics! {
//!     namespace = "shop";
//!     /// HTTP request method.
//!     label method { values: [GET, POST, other] }
//!     /// Route template, never the raw path.
//!     label route { max_values: 100 }
//!
//!     /// Total HTTP requests handled.
//!     pub counter shop_http_requests_total(method, route);
//!     /// HTTP requests currently being handled.
//!     pub gauge shop_http_requests_in_progress;
//! }
//!
//! # fn main() {
//! HTTP_REQUESTS_TOTAL
//!     .with(HttpRequestsTotalLabels { method: Method::Get, route: "/users/:id" })
//!     .inc();
//! let _busy = HTTP_REQUESTS_IN_PROGRESS.track_inprogress();
//!
//! let text = promdef::registry().render_text();
//! assert!(text.contains(r#"shop_http_requests_total{method="GET",route="/users/:id"} 1"#));
//! # }
//! ```
//!
//! The grammar, the naming rules of generated code, every check and lint
//! with its fix, and the features: [`reference`].
//!
//! From a YAML file, relative to the crate's `Cargo.toml`:
//!
//! ```ignore
//! promdef::metrics!(file = "schema/metrics.yaml");
//! ```

#![warn(missing_docs)]

// Lets this crate declare its own metrics with `metrics!`, whose generated
// code names `::promdef`.
extern crate self as promdef;

mod accept;
pub mod cardinality;
pub mod encode;
pub mod exemplar;
pub mod family;
pub mod http;
mod lookup;
mod map;
pub mod native;
pub mod process;
pub mod protobuf;
pub mod quantile;
mod registry;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;
pub mod value;

/// The reference: the YAML format and the inline macro, what is generated
/// (static, enum and labels-struct naming), runtime bounds, testing, every
/// check and lint with its fix and citation, and the features. The same text
/// as the README's reference part (a test keeps them equal).
#[doc = include_str!("../docs/reference.md")]
pub mod reference {}

#[cfg(feature = "prometheus")]
pub mod interop;

#[cfg(feature = "exporter")]
pub mod exporter;

#[cfg(feature = "push")]
pub mod push;

#[cfg(feature = "multiprocess")]
pub mod multiprocess;

pub use cardinality::OVERFLOW;
pub use encode::Format;
pub use exemplar::{Exemplar, ExemplarError};
pub use family::{Dense, Descriptor, Family, Info, Kind, NoLabels, Site};
pub use map::Map;
pub use promdef_macros::metrics;
pub use registry::{Collector, DuplicateMetric, Registry, RegistryError};
pub use value::{
    Counter, FloatCounter, Gauge, Histogram, HistogramTimer, InProgress, NegativeIncrement, Sample,
    ShardedCounter, State, Summary, SummaryTimer,
};

/// The default registry, holding every metric declared without `registry = …`.
///
/// ```
/// promdef::metrics! {
///     /// Things seen.
///     pub counter things_total;
/// }
/// # fn main() {
/// assert!(promdef::registry().get("things_total").is_some());
/// # }
/// ```
pub fn registry() -> &'static Registry {
    &registry::DEFAULT
}

/// Checks the default registry at start-up: fails when two declarations
/// (in different files or crates) use the same metric name, naming both.
///
/// ```
/// fn main() -> Result<(), promdef::RegistryError> {
///     promdef::init()?;
///     Ok(())
/// }
/// ```
pub fn init() -> Result<&'static Registry, RegistryError> {
    registry().check().map(|()| registry())
}

/// A label value that is not in the label's closed set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLabelValue {
    /// The label.
    pub label: &'static str,
    /// The value received.
    pub value: String,
    /// The values the label accepts.
    pub allowed: &'static [&'static str],
}

impl std::fmt::Display for UnknownLabelValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a value of label `{}`; expected one of: {}",
            self.value,
            self.label,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownLabelValue {}

/// Used by generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::family::{DenseLabels, KeySink, LabelDescriptor, OpenLabels};
    pub use crate::registry::{Registration, DEFAULT, METRICS};
    pub use linkme;

    /// The const labels of a metric without any: a named constant, because
    /// an empty slice literal per static costs compile time.
    pub const NO_CONST_LABELS: &[(&str, &str)] = &[];
    /// The variable labels of a metric without any (see [`NO_CONST_LABELS`]).
    pub const NO_LABELS: &[LabelDescriptor] = &[];
    /// The bucket bounds of a map family that is not a histogram.
    pub const NO_BUCKETS: &[f64] = &[];
}
