//! Value cells: the per-series storage behind every metric.
//!
//! Each cell is a handful of values with `const` constructors, so a metric
//! whose labels are all closed sets is a plain `static` array of cells: no
//! allocation, no lazy initialisation, no lock. Every value is a
//! [`crate::storage::Val`], so multi-process mode can move it into a file
//! without changing cells or generated code.

use crate::exemplar::{Exemplar, ExemplarError, Slots};
use crate::native::{Native, NativeSample, Sparse};
use crate::quantile::{Quantiles, Window};
use crate::storage::{Stored, Val};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// A monotonically increasing count.
///
/// ```
/// let c = promdef::Counter::new();
/// c.inc();
/// c.inc_by(2);
/// assert_eq!(c.get(), 3);
/// ```
#[derive(Debug)]
pub struct Counter(Val, Slots);

impl Default for Counter {
    fn default() -> Self {
        Counter::new()
    }
}

impl Counter {
    /// A new value as a constant: generated code fills a family with
    /// `[ZERO; N]`, which compiles much faster than an inline `const` block.
    #[doc(hidden)]
    #[allow(clippy::declare_interior_mutable_const)]
    pub const ZERO: Self = Self::new();

    /// A counter at 0.
    pub const fn new() -> Self {
        Counter(Val::new(), Slots::new())
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        #[cfg(feature = "testing")]
        crate::testing::count(self, n as f64);
        self.0.add_u64(n);
    }

    /// The current count.
    pub fn get(&self) -> u64 {
        self.0.get_u64()
    }

    /// Adds 1 and keeps `labels` (a trace id) as the latest exemplar. The
    /// increment always counts; an exemplar longer than OpenMetrics allows
    /// (128 characters of names and values) or with an invalid name is not
    /// kept, and the error says why (see [`crate::exemplar`]).
    pub fn inc_with_exemplar(&self, labels: &[(&str, &str)]) -> Result<(), ExemplarError> {
        self.inc_by_with_exemplar(1, labels)
    }

    /// Adds `n`, keeping `labels` as the latest exemplar (value `n`).
    pub fn inc_by_with_exemplar(
        &self,
        n: u64,
        labels: &[(&str, &str)],
    ) -> Result<(), ExemplarError> {
        self.inc_by(n);
        let e = Exemplar::new(labels, n as f64)?;
        self.1.record(1, 0, e);
        Ok(())
    }

    /// The latest exemplar, if one was kept.
    pub fn exemplar(&self) -> Option<Exemplar> {
        self.1.snapshot()?.pop().flatten()
    }
}

/// A counter of fractional amounts (seconds, bytes with fractions), as
/// Python's default counter: schema `value: float`. [`Counter`] (whole
/// counts) stays the faster default.
///
/// ```
/// let c = promdef::FloatCounter::new();
/// c.inc_by(0.25).unwrap();
/// c.inc();
/// assert_eq!(c.get(), 1.25);
/// // A counter never goes down: the increment is refused, the value kept.
/// let err = c.inc_by(-1.0).unwrap_err();
/// assert_eq!(err.to_string(), "counter increment -1 is negative or not a number; counters only go up");
/// assert_eq!(c.get(), 1.25);
/// ```
#[derive(Debug)]
pub struct FloatCounter(Val);

/// A negative or NaN increment, refused by [`FloatCounter::inc_by`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NegativeIncrement(pub f64);

impl std::fmt::Display for NegativeIncrement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "counter increment {} is negative or not a number; counters only go up",
            self.0
        )
    }
}

impl std::error::Error for NegativeIncrement {}

impl Default for FloatCounter {
    fn default() -> Self {
        FloatCounter::new()
    }
}

impl FloatCounter {
    /// A new value as a constant (see [`Counter::ZERO`]).
    #[doc(hidden)]
    #[allow(clippy::declare_interior_mutable_const)]
    pub const ZERO: Self = Self::new();

    /// A counter at 0.
    pub const fn new() -> Self {
        FloatCounter(Val::new())
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.add(1.0);
    }

    /// Adds `v`, which must not be negative nor NaN (`+Inf` is accepted,
    /// as Prometheus does).
    #[inline]
    pub fn inc_by(&self, v: f64) -> Result<(), NegativeIncrement> {
        if v >= 0.0 {
            self.add(v);
            Ok(())
        } else {
            Err(NegativeIncrement(v))
        }
    }

    #[inline]
    fn add(&self, v: f64) {
        #[cfg(feature = "testing")]
        crate::testing::count(self, v);
        self.0.add_f64(v);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        self.0.get_f64()
    }
}

impl Cell for FloatCounter {
    fn sample(&self) -> Sample<'_> {
        Sample::CounterFloat(self.get())
    }
    fn visit_values(&self, f: &mut dyn FnMut(Stored<'_>)) {
        f(stored("", false, &self.0));
    }
}

impl NewCell for FloatCounter {
    fn new_cell(
        _: &'static [f64],
        _: Option<&'static Native>,
        _: Option<&'static Quantiles>,
    ) -> Self {
        FloatCounter::new()
    }
}

/// A value that can go up and down.
///
/// ```
/// let g = promdef::Gauge::new();
/// g.set(5.0);
/// g.dec();
/// g.add(0.5);
/// assert_eq!(g.get(), 4.5);
/// ```
#[derive(Debug)]
pub struct Gauge(Val);

impl Default for Gauge {
    fn default() -> Self {
        Gauge::new()
    }
}

impl Gauge {
    /// A new value as a constant: generated code fills a family with
    /// `[ZERO; N]`, which compiles much faster than an inline `const` block.
    #[doc(hidden)]
    #[allow(clippy::declare_interior_mutable_const)]
    pub const ZERO: Self = Self::new();

    /// A gauge at 0.
    pub const fn new() -> Self {
        Gauge(Val::new())
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: f64) {
        #[cfg(feature = "testing")]
        crate::testing::gauge_set(self, v);
        self.0.set_f64(v);
    }

    /// Sets the value to the current Unix time in seconds (a "last success"
    /// timestamp, as Python's `set_to_current_time`).
    ///
    /// ```
    /// let g = promdef::Gauge::new();
    /// g.set_to_current_time();
    /// assert!(g.get() > 1.7e9);
    /// ```
    pub fn set_to_current_time(&self) {
        self.set(crate::family::unix_now());
    }

    /// Sets the value to the seconds `f` took, and returns what it returned
    /// (Python's `Gauge.time()`; for the last run's duration).
    ///
    /// ```
    /// let g = promdef::Gauge::new();
    /// let n = g.time(|| 40 + 2);
    /// assert_eq!(n, 42);
    /// assert!(g.get() >= 0.0);
    /// ```
    pub fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.set(start.elapsed().as_secs_f64());
        out
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.add(1.0);
    }

    /// Subtracts 1.
    #[inline]
    pub fn dec(&self) {
        self.add(-1.0);
    }

    /// Adds `v`.
    #[inline]
    pub fn add(&self, v: f64) {
        #[cfg(feature = "testing")]
        crate::testing::gauge_add(self, v);
        self.0.add_f64(v);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: f64) {
        self.add(-v);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        self.0.get_f64()
    }

    /// Increments now and decrements when the guard drops: an in-progress count.
    ///
    /// ```
    /// let g = promdef::Gauge::new();
    /// {
    ///     let _busy = g.track_inprogress();
    ///     assert_eq!(g.get(), 1.0);
    /// }
    /// assert_eq!(g.get(), 0.0);
    /// ```
    pub fn track_inprogress(&self) -> InProgress<'_> {
        self.inc();
        InProgress(self)
    }
}

/// Guard from [`Gauge::track_inprogress`]; decrements on drop.
#[must_use = "the gauge is decremented when this guard drops"]
#[derive(Debug)]
pub struct InProgress<'a>(&'a Gauge);

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Bucketed observations with `B` finite upper bounds (plus `+Inf`).
///
/// ```
/// static BOUNDS: [f64; 3] = [0.1, 1.0, 10.0];
/// let h = promdef::Histogram::new(&BOUNDS);
/// h.observe(0.5);
/// h.observe(20.0);
/// assert_eq!(h.count(), 2);
/// assert_eq!(h.sum(), 20.5);
/// assert_eq!(h.cumulative_counts(), vec![0, 1, 1, 2]);
/// ```
#[derive(Debug)]
pub struct Histogram<const B: usize> {
    bounds: &'static [f64; B],
    buckets: [Val; B],
    inf: Val,
    sum: Val,
    native: Option<&'static Native>,
    sparse: Sparse,
    exemplars: Slots,
}

impl<const B: usize> Histogram<B> {
    /// An empty histogram with these upper bounds (strictly increasing, finite).
    pub const fn new(bounds: &'static [f64; B]) -> Self {
        Histogram {
            bounds,
            buckets: [const { Val::new() }; B],
            inf: Val::new(),
            sum: Val::new(),
            native: None,
            sparse: Sparse::new(),
            exemplars: Slots::new(),
        }
    }

    /// An empty histogram with native (sparse, exponential) buckets, and
    /// classic ones at `bounds` (none: `&[]`). See [`crate::native`].
    ///
    /// ```
    /// use promdef::native::Native;
    /// static NATIVE: Native = Native::DEFAULT;
    /// let h = promdef::Histogram::<0>::with_native(&[], &NATIVE);
    /// h.observe(1.0);
    /// h.observe(1.05);
    /// h.observe(-3.0);
    /// let n = h.native_buckets().unwrap();
    /// assert_eq!(n.schema, 3);
    /// assert_eq!(n.positive, vec![(0, 1), (1, 1)]);
    /// assert_eq!(n.negative.len(), 1);
    /// assert_eq!(h.count(), 3);
    /// ```
    pub const fn with_native(bounds: &'static [f64; B], native: &'static Native) -> Self {
        let mut h = Histogram::new(bounds);
        h.native = Some(native);
        h
    }

    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        self.observe_at(v);
    }

    /// Whether the count comes from the native buckets: a histogram with
    /// no classic buckets whose `+Inf` value is not in a multi-process file.
    /// `+Inf` then counts only NaN observations (which have no bucket), so
    /// an observation is one bucket update and the sum, as a classic one,
    /// and the count always equals the buckets a scrape reads.
    #[inline(always)]
    fn native_only(&self) -> bool {
        B == 0 && self.native.is_some() && !self.inf.is_bound()
    }

    /// Records one observation; the classic bucket it went to (`B`: `+Inf`).
    #[inline]
    fn observe_at(&self, v: f64) -> usize {
        let i = self.bounds.iter().position(|b| v <= *b).unwrap_or(B);
        match (self.native, v.is_nan()) {
            (Some(cfg), false) => {
                if !self.native_only() {
                    // Classic first: they make the count, which must never
                    // be below the native buckets a concurrent scrape reads.
                    self.classic(i);
                }
                self.sparse.observe(cfg, v);
            }
            _ => self.classic(i),
        }
        self.sum.add_f64(v);
        #[cfg(feature = "testing")]
        crate::testing::observed(self, self.bounds, i, v);
        i
    }

    #[inline(always)]
    fn classic(&self, i: usize) {
        match self.buckets.get(i) {
            Some(b) => b.add_u64(1),
            None => self.inf.add_u64(1),
        }
    }

    /// Records one observation and keeps `labels` as the latest exemplar
    /// of the classic bucket it falls in (`+Inf` for a native-only
    /// histogram). The observation always counts; see
    /// [`Counter::inc_with_exemplar`] for when the exemplar is refused.
    pub fn observe_with_exemplar(
        &self,
        v: f64,
        labels: &[(&str, &str)],
    ) -> Result<(), ExemplarError> {
        let i = self.observe_at(v);
        let e = Exemplar::new(labels, v)?;
        self.exemplars.record(B + 1, i, e);
        Ok(())
    }

    /// The latest exemplar of each classic bucket (`+Inf` last), if any
    /// was kept.
    pub fn exemplars(&self) -> Option<Vec<Option<Exemplar>>> {
        self.exemplars.snapshot()
    }

    /// The native buckets, for a histogram declared `native`.
    pub fn native_buckets(&self) -> Option<NativeSample> {
        self.native.map(|cfg| self.sparse.sample(cfg))
    }

    /// Starts a timer that observes the elapsed seconds when dropped.
    ///
    /// ```
    /// static BOUNDS: [f64; 1] = [1.0];
    /// let h = promdef::Histogram::new(&BOUNDS);
    /// {
    ///     let _t = h.start_timer();
    /// }
    /// assert_eq!(h.count(), 1);
    /// ```
    pub fn start_timer(&self) -> HistogramTimer<'_, B> {
        HistogramTimer {
            hist: self,
            start: Instant::now(),
            armed: true,
        }
    }

    /// Observes how long the future `f` takes to complete, in seconds, and
    /// returns its output. Time suspended counts (the latency a caller
    /// sees); a future dropped before completing (a timeout, a cancelled
    /// request) is not observed. The guard of [`Histogram::start_timer`] is
    /// `Send` too, for timing part of an `async fn`.
    ///
    /// ```
    /// static BOUNDS: [f64; 1] = [1.0];
    /// static H: promdef::Histogram<1> = promdef::Histogram::new(&BOUNDS);
    /// let timed = std::pin::pin!(H.time_async(async { 42 }));
    /// // Any executor; a no-op waker suffices for a future that is ready.
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert_eq!(std::future::Future::poll(timed, &mut cx), std::task::Poll::Ready(42));
    /// assert_eq!(H.count(), 1);
    /// ```
    pub async fn time_async<F: std::future::Future>(&self, f: F) -> F::Output {
        let start = Instant::now();
        let out = f.await;
        self.observe(start.elapsed().as_secs_f64());
        out
    }

    /// The bucket upper bounds.
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.cumulative_counts().last().copied().unwrap_or(0)
    }

    /// Sum of observations.
    pub fn sum(&self) -> f64 {
        self.sum.get_f64()
    }

    /// Cumulative counts per bucket, the last one being `+Inf` (= count).
    pub fn cumulative_counts(&self) -> Vec<u64> {
        self.counts_with(self.native_buckets().as_ref())
    }

    /// [`Histogram::cumulative_counts`] given the native buckets read
    /// first (for a native-only histogram, they are the count).
    fn counts_with(&self, native: Option<&NativeSample>) -> Vec<u64> {
        if let (true, Some(n)) = (self.native_only(), native) {
            return vec![self.inf.get_u64() + Sparse::total(n)];
        }
        let mut acc = 0;
        let mut out: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| {
                acc += b.get_u64();
                acc
            })
            .collect();
        out.push(acc + self.inf.get_u64());
        out
    }
}

/// Timer from [`Histogram::start_timer`].
#[must_use = "the timer observes when it drops; dropping it at once records ~0s"]
#[derive(Debug)]
pub struct HistogramTimer<'a, const B: usize> {
    hist: &'a Histogram<B>,
    start: Instant,
    armed: bool,
}

impl<const B: usize> HistogramTimer<'_, B> {
    /// Observes now and returns the seconds observed.
    pub fn observe_duration(mut self) -> f64 {
        self.armed = false;
        let s = self.start.elapsed().as_secs_f64();
        self.hist.observe(s);
        s
    }

    /// Drops the timer without observing.
    pub fn discard(mut self) {
        self.armed = false;
    }
}

impl<const B: usize> Drop for HistogramTimer<'_, B> {
    fn drop(&mut self) {
        if self.armed {
            self.hist.observe(self.start.elapsed().as_secs_f64());
        }
    }
}

/// Count and sum of observations (as Python's client `Summary`, without quantiles).
///
/// ```
/// let s = promdef::Summary::new();
/// s.observe(2.0);
/// s.observe(3.0);
/// assert_eq!((s.count(), s.sum()), (2, 5.0));
/// ```
#[derive(Debug, Default)]
pub struct Summary {
    count: Val,
    sum: Val,
    quantiles: Option<&'static Quantiles>,
    window: Window,
}

impl Summary {
    /// A new value as a constant: generated code fills a family with
    /// `[ZERO; N]`, which compiles much faster than an inline `const` block.
    #[doc(hidden)]
    #[allow(clippy::declare_interior_mutable_const)]
    pub const ZERO: Self = Self::new();

    /// An empty summary.
    pub const fn new() -> Self {
        Summary {
            count: Val::new(),
            sum: Val::new(),
            quantiles: None,
            window: Window::new(),
        }
    }

    /// An empty summary that also exposes quantiles over a sliding window
    /// (schema `quantiles:`; see [`crate::quantile`]).
    pub const fn with_quantiles(q: &'static Quantiles) -> Self {
        let mut s = Summary::new();
        s.quantiles = Some(q);
        s
    }

    /// The configured quantiles' current values (NaN with no observation
    /// in the window); `None` without `quantiles:`.
    pub fn quantiles(&self) -> Option<Vec<(f64, f64)>> {
        self.quantiles.map(|q| self.window.quantiles(q))
    }

    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        #[cfg(feature = "testing")]
        crate::testing::observed(self, &[], 0, v);
        // Count first: a scrape never sees an observation in the quantiles
        // that `_count` does not include yet.
        self.sum.add_f64(v);
        self.count.add_u64(1);
        if let Some(q) = self.quantiles {
            self.window.observe(q, v);
        }
    }

    /// Starts a timer that observes the elapsed seconds when dropped.
    ///
    /// ```
    /// let s = promdef::Summary::new();
    /// {
    ///     let _t = s.start_timer();
    /// }
    /// assert_eq!(s.count(), 1);
    /// ```
    pub fn start_timer(&self) -> SummaryTimer<'_> {
        SummaryTimer {
            summary: self,
            start: Instant::now(),
        }
    }

    /// Observes how long the future `f` takes to complete, in seconds,
    /// and returns its output (time spent suspended counts: this is the
    /// latency a caller sees). A future dropped before completing is not
    /// observed.
    pub async fn time_async<F: std::future::Future>(&self, f: F) -> F::Output {
        let start = Instant::now();
        let out = f.await;
        self.observe(start.elapsed().as_secs_f64());
        out
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count.get_u64()
    }

    /// Sum of observations.
    pub fn sum(&self) -> f64 {
        self.sum.get_f64()
    }
}

/// The states of a stateset metric: the enum generated from `states:`.
pub trait StateEnum: Copy + Send + Sync + 'static {
    /// Every state's exposed name, in order.
    const NAMES: &'static [&'static str];
    /// This state's position in [`StateEnum::NAMES`].
    fn index(self) -> usize;
    /// The state at `i` (below `NAMES.len()`).
    fn from_index(i: usize) -> Self;
}

/// A stateset (OpenMetrics) or Python's `Enum`: exactly one of a closed set
/// of states is current, the first one at start. One atomic holds the
/// index, so a scrape never sees zero or two states at 1.
///
/// ```
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// enum Phase { Starting, Running }
/// impl promdef::value::StateEnum for Phase {
///     const NAMES: &'static [&'static str] = &["starting", "running"];
///     fn index(self) -> usize { self as usize }
///     fn from_index(i: usize) -> Self { [Phase::Starting, Phase::Running][i] }
/// }
/// let s = promdef::State::<Phase>::new();
/// assert_eq!(s.get(), Phase::Starting);
/// s.set(Phase::Running);
/// assert_eq!(s.get(), Phase::Running);
/// ```
pub struct State<E> {
    current: AtomicU64,
    _states: std::marker::PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for State<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("current", &self.current.load(Relaxed))
            .finish()
    }
}

impl<E: StateEnum> Default for State<E> {
    fn default() -> Self {
        State::new()
    }
}

impl<E: StateEnum> State<E> {
    /// A new value as a constant (see [`Counter::ZERO`]).
    #[doc(hidden)]
    #[allow(clippy::declare_interior_mutable_const)]
    pub const ZERO: Self = Self::new();

    /// At the first state.
    pub const fn new() -> Self {
        State {
            current: AtomicU64::new(0),
            _states: std::marker::PhantomData,
        }
    }

    /// Makes `state` the current one.
    #[inline]
    pub fn set(&self, state: E) {
        #[cfg(feature = "testing")]
        crate::testing::state(self, state.index());
        self.current.store(state.index() as u64, Relaxed);
    }

    /// The current state.
    pub fn get(&self) -> E {
        let i = self.current.load(Relaxed) as usize;
        E::from_index(i.min(E::NAMES.len().saturating_sub(1)))
    }
}

impl<E: StateEnum> Cell for State<E> {
    fn sample(&self) -> Sample<'_> {
        Sample::StateSet {
            states: E::NAMES,
            current: self.get().index(),
        }
    }
}

impl<E: StateEnum> NewCell for State<E> {
    fn new_cell(
        _: &'static [f64],
        _: Option<&'static Native>,
        _: Option<&'static Quantiles>,
    ) -> Self {
        State::new()
    }
}

/// Guard from [`Summary::start_timer`]; observes the elapsed seconds on drop.
#[must_use = "the duration is observed when this guard drops"]
#[derive(Debug)]
pub struct SummaryTimer<'a> {
    summary: &'a Summary,
    start: Instant,
}

impl Drop for SummaryTimer<'_> {
    fn drop(&mut self) {
        self.summary.observe(self.start.elapsed().as_secs_f64());
    }
}

/// The constant value of an info metric.
#[derive(Debug, Default)]
pub struct InfoValue;

/// What a cell reports at collection time.
#[derive(Debug)]
pub enum Sample<'a> {
    /// A counter's count.
    Counter(u64),
    /// A counter whose value is not a whole count: multi-process merges of
    /// Python workers' counters, which accept fractional increments.
    CounterFloat(f64),
    /// A gauge's value.
    Gauge(f64),
    /// A counter's count with its latest exemplar.
    CounterWithExemplar(u64, Box<Exemplar>),
    /// A histogram's bounds, cumulative counts (last = `+Inf`) and sum.
    Histogram {
        /// Finite upper bounds.
        bounds: &'a [f64],
        /// Cumulative counts, one more than `bounds`.
        cumulative: Vec<u64>,
        /// Sum of observations.
        sum: f64,
        /// Native buckets, for histograms declared `native` (boxed: samples
        /// are passed by value for every series of every scrape).
        native: Option<Box<NativeSample>>,
        /// The latest exemplar of each classic bucket (`+Inf` last), if any.
        exemplars: Option<Box<[Option<Exemplar>]>>,
    },
    /// A summary's count and sum.
    Summary {
        /// Number of observations.
        count: u64,
        /// Sum of observations.
        sum: f64,
        /// `(quantile, value)` over the sliding window, if configured.
        quantiles: Option<Box<[(f64, f64)]>>,
    },
    /// An info metric (value 1).
    Info,
    /// A stateset: its states, and the index of the current one.
    StateSet {
        /// Every state, in declared order.
        states: &'static [&'static str],
        /// Index of the state that is 1.
        current: usize,
    },
}

/// A value cell that can be collected.
pub trait Cell: Sync + Send + 'static {
    /// Reads the current value.
    fn sample(&self) -> Sample<'_>;
    /// Calls `f` with each stored value (for multi-process mode, which moves
    /// them into files). Cells computed at collection time store nothing.
    #[doc(hidden)]
    fn visit_values(&self, f: &mut dyn FnMut(Stored<'_>)) {
        let _ = f;
    }
}

fn stored<'a>(suffix: &'static str, int: bool, val: &'a Val) -> Stored<'a> {
    Stored {
        suffix,
        le: None,
        int,
        val,
    }
}

impl Cell for Counter {
    fn sample(&self) -> Sample<'_> {
        if self.1.any() {
            if let Some(e) = self.exemplar() {
                return Sample::CounterWithExemplar(self.get(), Box::new(e));
            }
        }
        Sample::Counter(self.get())
    }
    fn visit_values(&self, f: &mut dyn FnMut(Stored<'_>)) {
        f(stored("", true, &self.0));
    }
}
impl Cell for Gauge {
    fn sample(&self) -> Sample<'_> {
        Sample::Gauge(self.get())
    }
    fn visit_values(&self, f: &mut dyn FnMut(Stored<'_>)) {
        f(stored("", false, &self.0));
    }
}
impl<const B: usize> Cell for Histogram<B> {
    fn sample(&self) -> Sample<'_> {
        // Native buckets before the classic counts (see `observe_at`).
        let native = self.native_buckets().map(Box::new);
        Sample::Histogram {
            bounds: self.bounds,
            cumulative: self.counts_with(native.as_deref()),
            sum: self.sum(),
            native,
            exemplars: if self.exemplars.any() {
                self.exemplars().map(Vec::into_boxed_slice)
            } else {
                None
            },
        }
    }
    /// Buckets non-cumulative, as Python stores them; `+Inf` included. A
    /// native-only histogram's count moves into `+Inf` first, which then
    /// counts every observation (files hold no native buckets).
    fn visit_values(&self, f: &mut dyn FnMut(Stored<'_>)) {
        if let (true, Some(n)) = (self.native_only(), self.native_buckets()) {
            self.inf.add_local_u64(Sparse::total(&n));
        }
        for (b, v) in self.bounds.iter().zip(&self.buckets) {
            f(Stored {
                le: Some(*b),
                ..stored("_bucket", true, v)
            });
        }
        f(Stored {
            le: Some(f64::INFINITY),
            ..stored("_bucket", true, &self.inf)
        });
        f(stored("_sum", false, &self.sum));
    }
}
impl Cell for Summary {
    fn sample(&self) -> Sample<'_> {
        Sample::Summary {
            // Quantiles read first: observations update the count before
            // the window, so these are never ahead of the count read next.
            quantiles: self.quantiles().map(Vec::into_boxed_slice),
            count: self.count(),
            sum: self.sum(),
        }
    }
    fn visit_values(&self, f: &mut dyn FnMut(Stored<'_>)) {
        f(stored("_count", true, &self.count));
        f(stored("_sum", false, &self.sum));
    }
}
impl Cell for InfoValue {
    fn sample(&self) -> Sample<'_> {
        Sample::Info
    }
}

/// Cells that open-label families create on first use of a label tuple.
pub trait NewCell: Cell {
    /// Creates a cell at its zero value; `bounds` and `native` for
    /// histograms, `quantiles` for summaries.
    fn new_cell(
        bounds: &'static [f64],
        native: Option<&'static Native>,
        quantiles: Option<&'static Quantiles>,
    ) -> Self;
}

impl NewCell for Counter {
    fn new_cell(
        _: &'static [f64],
        _: Option<&'static Native>,
        _: Option<&'static Quantiles>,
    ) -> Self {
        Counter::new()
    }
}
impl NewCell for Gauge {
    fn new_cell(
        _: &'static [f64],
        _: Option<&'static Native>,
        _: Option<&'static Quantiles>,
    ) -> Self {
        Gauge::new()
    }
}
impl NewCell for Summary {
    fn new_cell(
        _: &'static [f64],
        _: Option<&'static Native>,
        q: Option<&'static Quantiles>,
    ) -> Self {
        match q {
            Some(q) => Summary::with_quantiles(q),
            None => Summary::new(),
        }
    }
}
impl<const B: usize> NewCell for Histogram<B> {
    fn new_cell(
        bounds: &'static [f64],
        native: Option<&'static Native>,
        _: Option<&'static Quantiles>,
    ) -> Self {
        let bounds: &'static [f64; B] = bounds
            .try_into()
            .expect("generated code passes exactly B bounds");
        match native {
            Some(n) => Histogram::with_native(bounds, n),
            None => Histogram::new(bounds),
        }
    }
}

/// Shards of a [`ShardedCounter`].
pub const COUNTER_SHARDS: usize = 16;

#[repr(align(128))]
#[derive(Debug)]
struct Padded(AtomicU64);

/// A counter split over [`COUNTER_SHARDS`] cache-line-padded atomics, so
/// threads incrementing the same very hot series don't contend on one cache
/// line. Each thread picks a shard once (round robin). Costs 2 KiB per
/// series instead of 8 bytes; reading sums the shards. Declare it with
/// `sharded: true` on a counter.
///
/// ```
/// let c = promdef::ShardedCounter::new();
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| (0..1000).for_each(|_| c.inc()));
///     }
/// });
/// assert_eq!(c.get(), 4000);
/// ```
#[derive(Debug)]
pub struct ShardedCounter {
    shards: [Padded; COUNTER_SHARDS],
    /// Once bound to a file slot (multi-process mode), every thread adds to
    /// it instead of its shard (one word shared by the process's threads,
    /// as Python's).
    file: Val,
}

impl Default for ShardedCounter {
    fn default() -> Self {
        ShardedCounter::new()
    }
}

fn shard() -> usize {
    use std::cell::Cell as StdCell;
    use std::sync::atomic::AtomicUsize;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SHARD: StdCell<usize> = const { StdCell::new(usize::MAX) };
    }
    SHARD.with(|s| {
        let v = s.get();
        if v != usize::MAX {
            return v;
        }
        let v = NEXT.fetch_add(1, Relaxed) % COUNTER_SHARDS;
        s.set(v);
        v
    })
}

impl ShardedCounter {
    /// A new value as a constant: generated code fills a family with
    /// `[ZERO; N]`, which compiles much faster than an inline `const` block.
    #[doc(hidden)]
    #[allow(clippy::declare_interior_mutable_const)]
    pub const ZERO: Self = Self::new();

    /// A counter at 0.
    pub const fn new() -> Self {
        ShardedCounter {
            shards: [const { Padded(AtomicU64::new(0)) }; COUNTER_SHARDS],
            file: Val::new(),
        }
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        #[cfg(feature = "testing")]
        crate::testing::count(self, n as f64);
        if self.file.is_bound() {
            return self.file.add_u64(n);
        }
        self.shards[shard()].0.fetch_add(n, Relaxed);
    }

    /// The current count (sum of the shards).
    pub fn get(&self) -> u64 {
        if self.file.is_bound() {
            return self.file.get_u64();
        }
        // Unbound, `file` holds what was folded in for a binding that failed.
        self.file.get_u64() + self.shards.iter().map(|s| s.0.load(Relaxed)).sum::<u64>()
    }
}

impl Cell for ShardedCounter {
    fn sample(&self) -> Sample<'_> {
        Sample::Counter(self.get())
    }
    fn visit_values(&self, f: &mut dyn FnMut(Stored<'_>)) {
        // Fold the shards into `file`'s in-memory value, which binding
        // moves into the file.
        let n: u64 = self.shards.iter().map(|s| s.0.swap(0, Relaxed)).sum();
        self.file.add_local_u64(n);
        f(stored("", true, &self.file));
    }
}

impl NewCell for ShardedCounter {
    fn new_cell(
        _: &'static [f64],
        _: Option<&'static Native>,
        _: Option<&'static Quantiles>,
    ) -> Self {
        ShardedCounter::new()
    }
}
