//! Metric families: a descriptor plus the cells of every series.

use crate::value::{Cell, Sample};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// The exposition type of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Counter.
    Counter,
    /// Gauge.
    Gauge,
    /// Histogram.
    Histogram,
    /// Summary (count and sum).
    Summary,
    /// Info (OpenMetrics); a gauge of value 1 in text 0.0.4.
    Info,
    /// StateSet (OpenMetrics): one series per state, exactly one of them 1;
    /// gauges in text 0.0.4 and protobuf, as Python's `Enum`.
    StateSet,
}

impl Kind {
    /// The `# TYPE` word in text format 0.0.4.
    pub fn text_type(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge | Kind::Info | Kind::StateSet => "gauge",
            Kind::Histogram => "histogram",
            Kind::Summary => "summary",
        }
    }
}

/// Where a metric was declared, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    /// Package that declared it.
    pub krate: &'static str,
    /// Source file (`.rs` or `.yaml`), relative to the package.
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} (crate `{}`)", self.file, self.line, self.krate)
    }
}

/// A label of a family.
#[derive(Debug)]
pub struct LabelDescriptor {
    /// Label name.
    pub name: &'static str,
    /// The closed set of values, or `None` for an open label.
    pub values: Option<&'static [&'static str]>,
    /// An open label's `max_values`: past it, new values become
    /// [`OVERFLOW`](crate::OVERFLOW). `None`: no bound on this label.
    pub max_values: Option<u64>,
}

/// Static description of a metric family, generated from the schema.
#[derive(Debug)]
pub struct Descriptor {
    /// Full metric name.
    pub name: &'static str,
    /// HELP text.
    pub help: &'static str,
    /// Type.
    pub kind: Kind,
    /// Unit, if declared.
    pub unit: Option<&'static str>,
    /// Variable labels in order.
    pub labels: &'static [LabelDescriptor],
    /// Labels with a fixed value on every series.
    pub const_labels: &'static [(&'static str, &'static str)],
    /// Where it was declared.
    pub site: Site,
    /// How multi-process mode merges a gauge's per-process values (the
    /// schema's `multiprocess_mode`, one of Python's client's modes: `all`,
    /// `liveall`, `min`, `max`, `sum`, `livemin`, `livemax`, `livesum`,
    /// `mostrecent`, `livemostrecent`); `all` when not declared, as Python.
    pub multiprocess_mode: &'static str,
    /// Families with open labels: the most series created before new label
    /// tuples go to the overflow series (see [`Map`](crate::Map)). `None`:
    /// only the labels' `max_values` bound it.
    pub max_series: Option<u64>,
}

/// Receives one series: label values, sample, and creation time (seconds
/// since the Unix epoch) when known.
pub type SeriesSink<'s> = dyn FnMut(&[&str], Sample<'_>, Option<f64>) + 's;

/// A family the registry can collect.
pub trait Family: Sync + Send + 'static {
    /// The static description.
    fn descriptor(&self) -> &Descriptor;
    /// Calls `f` for every series: variable label values (in descriptor order) and sample.
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>));
    /// As [`Family::collect`], with each series' creation time in seconds
    /// since the Unix epoch when the family records it (OpenMetrics
    /// `_created`); `None` means "when the registry started".
    fn collect_created(&self, f: &mut SeriesSink<'_>) {
        self.collect(&mut |values, sample| f(values, sample, None));
    }
    /// Calls `f` with every series' label values and cell, so their stored
    /// values can be moved (multi-process mode binds them to file slots).
    /// Families computed at collection time keep the default: nothing stored.
    #[doc(hidden)]
    fn visit_cells(&self, f: &mut dyn FnMut(&[&str], &dyn Cell)) {
        let _ = f;
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Labels of a metric whose labels are all closed sets (generated).
///
/// # Safety
/// `index` must return a value below the family's `N` (the product of the
/// closed sets' sizes), computed as documented on [`Dense`].
pub unsafe trait DenseLabels: Copy {
    /// The labels' descriptors, which the metric's [`Descriptor`] points
    /// to: one constant per labels struct, not a slice per metric, since a
    /// slice literal in each static was a large part of compile time.
    const LABELS: &'static [LabelDescriptor];
    /// Mixed-radix index of this label tuple.
    fn index(&self) -> usize;
}

/// Labels of a metric with no labels.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLabels;

// SAFETY: always 0, and a family without labels has N = 1.
unsafe impl DenseLabels for NoLabels {
    const LABELS: &'static [LabelDescriptor] = &[];
    fn index(&self) -> usize {
        0
    }
}

/// A family whose labels are all closed sets: every series is pre-created
/// at 0 in a static array, so an update is an index computation and one
/// atomic operation — no hashing, no lock, no allocation.
///
/// The index of `(v0, v1, …)` with set sizes `(n0, n1, …)` is
/// `((v0 · n1) + v1) · n2 + v2 …`, the last label varying fastest.
pub struct Dense<L, C, const N: usize> {
    #[doc(hidden)]
    pub family: DenseFamily<C, N>,
    _labels: PhantomData<fn(L)>,
}

/// The label-agnostic part of a [`Dense`] family, which the registry
/// collects: one `Family` implementation per cell shape, not per metric.
///
/// Aligned to 128 bytes, cells first, so no two metrics' cells share a
/// cache line or an adjacent-line prefetch pair: threads updating different
/// hot metrics never false-share, and a contended series costs no more than
/// a lone atomic. The price is at most 120 bytes of padding per metric.
#[doc(hidden)]
#[repr(C, align(128))]
pub struct DenseFamily<C, const N: usize> {
    cells: [C; N],
    // By value, not a `&'static`: a reference to a separate allocation in
    // every generated static was a measurable part of compile time.
    desc: Descriptor,
}

impl<L, C, const N: usize> Dense<L, C, N> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(desc: Descriptor, cells: [C; N]) -> Self {
        Dense {
            family: DenseFamily { cells, desc },
            _labels: PhantomData,
        }
    }
}

impl<L: DenseLabels, C, const N: usize> Dense<L, C, N> {
    /// The series for these label values.
    #[inline(always)]
    pub fn with(&self, labels: L) -> &C {
        let i = labels.index();
        debug_assert!(i < N);
        // SAFETY: `DenseLabels::index` is below N by its contract.
        unsafe { self.family.cells.get_unchecked(i) }
    }

    /// Every series with its label values, in declaration order (the last
    /// label varies fastest), e.g. to assert on values in tests.
    ///
    /// ```
    /// promdef::metrics! {
    ///     /// Queue.
    ///     label queue { values: [low, high] }
    ///     /// Outcome.
    ///     label outcome { values: [ok, error] }
    ///     /// Jobs run.
    ///     pub counter jobs_run_total(queue, outcome);
    /// }
    /// # fn main() {
    /// JOBS_RUN_TOTAL.with(JobsRunTotalLabels { queue: Queue::High, outcome: Outcome::Ok }).inc_by(3);
    /// let all: Vec<(Vec<&str>, u64)> = JOBS_RUN_TOTAL.series().map(|(v, c)| (v, c.get())).collect();
    /// assert_eq!(all, [
    ///     (vec!["low", "ok"], 0),
    ///     (vec!["low", "error"], 0),
    ///     (vec!["high", "ok"], 3),
    ///     (vec!["high", "error"], 0),
    /// ]);
    /// # }
    /// ```
    pub fn series(&self) -> impl Iterator<Item = (Vec<&'static str>, &C)> {
        let desc = &self.family.desc;
        self.family.cells.iter().enumerate().map(move |(i, c)| {
            let mut vals = vec![""; desc.labels.len()];
            dense_values(desc, i, &mut vals);
            (vals, c)
        })
    }
}

/// Inverse of [`DenseLabels::index`]: the label values of series `i`.
fn dense_values(desc: &Descriptor, mut i: usize, out: &mut [&'static str]) {
    for (k, l) in desc.labels.iter().enumerate().rev() {
        let vals = l.values.unwrap_or(&[]);
        let n = vals.len().max(1);
        out[k] = vals.get(i % n).copied().unwrap_or("");
        i /= n;
    }
}

impl<C, const N: usize> Deref for Dense<NoLabels, C, N> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.family.cells[0]
    }
}

impl<C: Cell, const N: usize> Family for DenseFamily<C, N> {
    fn descriptor(&self) -> &Descriptor {
        &self.desc
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        let mut values = vec![""; self.desc.labels.len()];
        for (i, cell) in self.cells.iter().enumerate() {
            dense_values(&self.desc, i, &mut values);
            f(&values, cell.sample());
        }
    }
    fn visit_cells(&self, f: &mut dyn FnMut(&[&str], &dyn Cell)) {
        let mut values = vec![""; self.desc.labels.len()];
        for (i, cell) in self.cells.iter().enumerate() {
            dense_values(&self.desc, i, &mut values);
            f(&values, cell);
        }
    }
}

impl<L, C, const N: usize> fmt::Debug for Dense<L, C, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dense")
            .field("name", &self.family.desc.name)
            .field("series", &N)
            .finish()
    }
}

/// Receives the parts of a label tuple, in label order (generated code calls it).
pub trait KeySink {
    /// A closed-set label's value index.
    fn closed(&mut self, index: u16);
    /// An open label's value.
    fn open(&mut self, value: &str);
    /// The value of an open label that is the last label: its length is
    /// implied by the key's, so it needs no prefix.
    fn last_open(&mut self, value: &str);
}

/// Labels of a metric with at least one open label (generated).
pub trait OpenLabels: 'static {
    /// The labels' descriptors (see [`DenseLabels::LABELS`]).
    const LABELS: &'static [LabelDescriptor];
    /// The labels struct, borrowing its string values.
    type Borrowed<'a>;
    /// Feeds each label to `sink`, in descriptor order.
    fn write_key<S: KeySink>(labels: &Self::Borrowed<'_>, sink: &mut S);
}

/// An info family: one series of value 1 carrying its const labels.
#[derive(Debug)]
pub struct Info {
    desc: Descriptor,
}

impl Info {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(desc: Descriptor) -> Self {
        Info { desc }
    }

    /// The const labels this info metric exposes.
    pub fn labels(&self) -> &'static [(&'static str, &'static str)] {
        self.desc.const_labels
    }
}

impl Family for Info {
    fn descriptor(&self) -> &Descriptor {
        &self.desc
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        f(&[], Sample::Info);
    }
}
