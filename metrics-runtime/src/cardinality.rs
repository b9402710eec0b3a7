//! Bounded cardinality at run time: what happens when a family with open
//! labels reaches its declared bounds.
//!
//! A family's bounds come from its schema: each open label's `max_values`,
//! and the family's `max_series` (the metric's, else the schema's; an open
//! label declared without any bound is capped at 2,000 series, and
//! `max_values: unlimited` with no `max_series` is not capped). They are
//! checked only when a label tuple is about to become a **new** series —
//! looking up an existing series costs nothing more — and they are kept
//! first come, first kept, never by eviction (which would reset counters):
//!
//! 1. an open label whose value is new while the label already has
//!    `max_values` distinct values takes the value [`OVERFLOW`]
//!    (`__overflow__`) instead;
//! 2. if the resulting tuple is an existing series, that series is used;
//! 3. otherwise, if the family already has `max_series` series (overflow
//!    series not counted), every open label takes [`OVERFLOW`] — the
//!    family's overflow series for that combination of closed labels;
//! 4. otherwise the tuple becomes a new series, and its values are kept.
//!
//! So nothing is dropped or counted twice: the sum over a family's series
//! is every update made, and `sum by (closed_label)` stays right. The same
//! label names are kept, so queries go on working; closed sets may not
//! contain `__overflow__` (the schema check rejects it).
//!
//! Every update that lands on an overflow series through a lookup is
//! counted in [`PROMDEF_SERIES_OVERFLOW_TOTAL`]`{metric="…"}`, which every
//! registry exposes for its own families once one has overflowed. The first
//! overflow of each family is reported once, on stderr or to the handler
//! set with [`set_overflow_handler`]; the report names the metric and the
//! bound, never a label value (values come from requests, so they may be
//! hostile).
//!
//! ```
//! pub static APP: promdef::Registry = promdef::Registry::new();
//! promdef::metrics! {
//!     registry = crate::APP;
//!     /// Route template.
//!     label route { max_values: 2 }
//!     /// Requests by route.
//!     pub counter hits_total(route);
//! }
//! # fn main() {
//! for route in ["/a", "/b", "/c", "/d"] {
//!     HITS_TOTAL.with(HitsTotalLabels { route }).inc();
//! }
//! let text = APP.render_text();
//! assert!(text.contains("hits_total{route=\"/a\"} 1\n"));
//! assert!(text.contains("hits_total{route=\"/b\"} 1\n"));
//! assert!(text.contains("hits_total{route=\"__overflow__\"} 2\n"));
//! assert!(text.contains("promdef_series_overflow_total{metric=\"hits_total\"} 2\n"));
//! // Typed read-back of the overflow series.
//! let overflow = HITS_TOTAL.get(HitsTotalLabels { route: promdef::OVERFLOW });
//! assert_eq!(overflow.map(|c| c.get()), Some(2));
//! # }
//! ```

use crate::family::{Descriptor, Family, SeriesSink};
use crate::value::Sample;
use std::collections::HashSet;
use std::sync::RwLock;

/// The label value of a family's overflow series.
pub const OVERFLOW: &str = "__overflow__";

/// Where the self-metric is declared: a registry of its own, never exposed
/// as such — each registry shows the series of its own families.
#[doc(hidden)]
pub static SELF: crate::Registry = crate::Registry::new();

crate::metrics! {
    registry = crate::cardinality::SELF;
    /// Name of the family whose update went to its overflow series.
    label metric { max_values: unlimited }
    /// Updates that went to a family's overflow series because a label's
    /// `max_values` or the family's `max_series` was reached.
    pub counter promdef_series_overflow_total(metric);
}

/// Why an update went to an overflow series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A new value of this label, which already had `max_values` values.
    Label {
        /// The label's name.
        label: &'static str,
        /// Its bound.
        max_values: u64,
    },
    /// A new series, while the family already had `max_series`.
    Series {
        /// The family's cap.
        max_series: u64,
    },
    /// The caller wrote [`OVERFLOW`] as a label value.
    Asked,
}

/// The first overflow of a family, as reported once.
#[derive(Debug)]
pub struct Overflow<'a> {
    /// The family's metric name.
    pub metric: &'a str,
    /// Which bound was reached.
    pub reason: Reason,
}

impl std::fmt::Display for Overflow<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.metric;
        match self.reason {
            Reason::Label { label, max_values } => write!(
                f,
                "`{m}`: label `{label}` reached `max_values` = {max_values}; new values are counted in its `{OVERFLOW}` series (raise the bound, or keep the label's values to a fixed set)"
            ),
            Reason::Series { max_series } => write!(
                f,
                "`{m}` reached `max_series` = {max_series}; new label combinations are counted in its `{OVERFLOW}` series (raise the cap, or drop a label)"
            ),
            Reason::Asked => write!(f, "`{m}`: an update named the `{OVERFLOW}` series"),
        }
    }
}

type Handler = Box<dyn Fn(&Overflow<'_>) + Send + Sync>;
static HANDLER: RwLock<Option<Handler>> = RwLock::new(None);

/// Sends the one report per family of its first overflow to `handler`
/// instead of stderr (a logger, a test). The handler runs on the thread
/// whose update overflowed, with no promdef lock held.
///
/// ```
/// promdef::cardinality::set_overflow_handler(|o| eprintln!("metrics: {o}"));
/// ```
pub fn set_overflow_handler(handler: impl Fn(&Overflow<'_>) + Send + Sync + 'static) {
    *HANDLER.write().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(handler));
}

/// Called by a family after an update went to an overflow series (with no
/// family lock held): counts it, and reports a family's first overflow.
pub(crate) fn overflowed(desc: &Descriptor, reason: Reason, first: bool) {
    PROMDEF_SERIES_OVERFLOW_TOTAL
        .with(PromdefSeriesOverflowTotalLabels { metric: desc.name })
        .inc();
    if first && reason != Reason::Asked {
        let o = Overflow {
            metric: desc.name,
            reason,
        };
        match &*HANDLER.read().unwrap_or_else(|p| p.into_inner()) {
            Some(h) => h(&o),
            None => eprintln!("promdef: {o}"),
        }
    }
}

/// The self-metric's series about `families`, as one family a registry
/// adds to its exposition; `None` when none of them overflowed.
pub(crate) fn view_for(families: &[&dyn Family]) -> Option<OverflowView> {
    if PROMDEF_SERIES_OVERFLOW_TOTAL.is_empty() {
        return None;
    }
    let name = PROMDEF_SERIES_OVERFLOW_TOTAL.family.descriptor().name;
    if families.iter().any(|f| f.descriptor().name == name) {
        // Already exposed (multi-process mode merges it from the files).
        return None;
    }
    let names: HashSet<String> = families
        .iter()
        .map(|f| f.descriptor().name.to_owned())
        .collect();
    let mut any = false;
    PROMDEF_SERIES_OVERFLOW_TOTAL
        .family
        .collect(&mut |v, _| any |= names.contains(v[0]));
    any.then_some(OverflowView { names })
}

/// [`PROMDEF_SERIES_OVERFLOW_TOTAL`] restricted to one registry's families.
pub(crate) struct OverflowView {
    names: HashSet<String>,
}

impl Family for OverflowView {
    fn descriptor(&self) -> &Descriptor {
        PROMDEF_SERIES_OVERFLOW_TOTAL.family.descriptor()
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        PROMDEF_SERIES_OVERFLOW_TOTAL.family.collect(&mut |v, s| {
            if self.names.contains(v[0]) {
                f(v, s)
            }
        });
    }
    fn collect_created(&self, f: &mut SeriesSink<'_>) {
        PROMDEF_SERIES_OVERFLOW_TOTAL
            .family
            .collect_created(&mut |v, s, t| {
                if self.names.contains(v[0]) {
                    f(v, s, t)
                }
            });
    }
}
