//! HTTP request metrics declared in your schema.
//!
//! promdef ships no HTTP metric of its own: copy the fragment
//! [`SCHEMA`] (`metrics-runtime/http-metrics.yaml`, the OpenTelemetry HTTP
//! server conventions as Prometheus names) into your schema, rename or
//! re-bucket what you like, and hand the statics to [`HttpMetrics`] (feature
//! `tower`), a `tower::Layer` for axum, hyper and tonic services. Names,
//! help, buckets, stability, docs and lints are yours, as for any metric.
//!
//! The layer binds to any metric whose labels it can fill: each labels
//! struct whose labels are all among these gets a generated implementation
//! of [`OpenHttpLabels`] or [`DenseHttpLabels`]:
//!
//! | label | filled with | declared as |
//! |---|---|---|
//! | `method` | the request method; outside a closed set: its `other` value | closed with an `other` value, or open |
//! | `route` | the matched route template (axum's `MatchedPath`, or your function), never the raw path; unmatched requests: one fixed value | open, or closed with `unmatched` or `other` |
//! | `status_class` | `1xx` … `5xx` | closed with all five, or open |
//! | `status`, `code` | the status code (`200`) | open |
//!
//! A metric with any other label does not bind, and the call to the
//! builder does not compile. The in-flight gauge is updated before the
//! response exists, so its labels may not include a status (a compile-time
//! error too).

#[cfg(feature = "tower")]
mod layer;
#[cfg(feature = "tower")]
pub use layer::{HttpMetrics, HttpMetricsLayer, HttpMetricsService, MeteredBody, ResponseFuture};

use crate::family::{Dense, DenseLabels, NoLabels, OpenLabels};
use crate::map::Map;
use crate::value::NewCell;

/// The HTTP metrics fragment to copy into a schema (`http-metrics.yaml`).
pub const SCHEMA: &str = include_str!("../../http-metrics.yaml");

/// What the layer knows of one request when it records it.
#[derive(Clone, Copy, Debug)]
pub struct HttpInfo<'a> {
    /// The request method (`GET`, or an extension method as sent).
    pub method: &'a str,
    /// The matched route template, or the unmatched value.
    pub route: &'a str,
    /// The response status; 0 while there is no response yet.
    pub status: u16,
    /// `status` as text (`"200"`).
    pub status_code: &'a str,
}

impl HttpInfo<'_> {
    /// The status class: `1xx` … `5xx` (anything below 200 is `1xx`, anything
    /// from 500 on is `5xx`, so a closed set of the five always has a value).
    pub fn status_class(&self) -> &'static str {
        match self.status {
            0..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        }
    }
}

/// Labels (with an open label) that [`HttpMetrics`] can fill (generated).
#[diagnostic::on_unimplemented(
    message = "the HTTP layer cannot fill the labels `{Self}`",
    note = "it binds to metrics whose labels are all among `method` (open, or closed with `other`), `route` (open, or closed with `unmatched`), `status_class` (open, or all five classes) and `status`/`code` (open); see `promdef::http`"
)]
pub trait OpenHttpLabels: OpenLabels {
    /// The label values for a request.
    fn from_http<'a>(info: &HttpInfo<'a>) -> Self::Borrowed<'a>;
}

/// Closed-set labels that [`HttpMetrics`] can fill (generated).
#[diagnostic::on_unimplemented(
    message = "the HTTP layer cannot fill the labels `{Self}`",
    note = "it binds to metrics whose labels are all among `method` (open, or closed with `other`), `route` (open, or closed with `unmatched`), `status_class` (open, or all five classes) and `status`/`code` (open); see `promdef::http`"
)]
pub trait DenseHttpLabels: DenseLabels {
    /// The label values for a request.
    fn from_http(info: &HttpInfo<'_>) -> Self;
}

/// Labels that need no response (no status label): what the in-flight
/// gauge may have (generated beside the above).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has a status label, but the in-flight gauge is updated before the response exists",
    note = "give the in-flight gauge labels among `method` and `route` only"
)]
pub trait RequestLabels {}

impl DenseHttpLabels for NoLabels {
    fn from_http(_: &HttpInfo<'_>) -> Self {
        NoLabels
    }
}
impl RequestLabels for NoLabels {}

/// A family [`HttpMetrics`] can record into: its cell for a request.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a metric of the type this HTTP measurement records",
    note = "requests take a counter, durations and sizes a histogram, the in-flight count a gauge"
)]
pub trait HttpFamily<C>: Sync + 'static {
    /// The series for this request.
    fn cell(&'static self, info: &HttpInfo<'_>) -> &'static C;
}

/// A family whose labels need no response: the in-flight gauge's.
pub trait RequestFamily {}

impl<L: OpenHttpLabels, C: NewCell> HttpFamily<C> for Map<L, C> {
    fn cell(&'static self, info: &HttpInfo<'_>) -> &'static C {
        self.with(L::from_http(info))
    }
}
impl<L: OpenHttpLabels + RequestLabels, C> RequestFamily for Map<L, C> {}

impl<L: DenseHttpLabels + 'static, C: Sync + Send + 'static, const N: usize> HttpFamily<C>
    for Dense<L, C, N>
{
    fn cell(&'static self, info: &HttpInfo<'_>) -> &'static C {
        self.with(L::from_http(info))
    }
}
impl<L: DenseHttpLabels + RequestLabels, C, const N: usize> RequestFamily for Dense<L, C, N> {}

/// The value of a closed set for `text`, compared without case; `fallback`
/// when none matches (generated code passes the `other` value).
#[doc(hidden)]
pub fn pick<E: Copy>(all: &[E], values: &[&str], text: &str, fallback: E) -> E {
    values
        .iter()
        .position(|v| v.eq_ignore_ascii_case(text))
        .map_or(fallback, |i| all[i])
}
