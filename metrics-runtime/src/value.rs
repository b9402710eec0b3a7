//! Value cells: the per-series storage behind every metric.
//!
//! Each cell is a handful of atomics with `const` constructors, so a metric
//! whose labels are all closed sets is a plain `static` array of cells: no
//! allocation, no lazy initialisation, no lock. Storage lives only here, so a
//! later multi-process mode can swap it without changing generated code.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

fn add_f64(cell: &AtomicU64, v: f64) {
    let mut cur = cell.load(Relaxed);
    loop {
        let new = (f64::from_bits(cur) + v).to_bits();
        match cell.compare_exchange_weak(cur, new, Relaxed, Relaxed) {
            Ok(_) => return,
            Err(actual) => cur = actual,
        }
    }
}

/// A monotonically increasing count.
///
/// ```
/// let c = promdef::Counter::new();
/// c.inc();
/// c.inc_by(2);
/// assert_eq!(c.get(), 3);
/// ```
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    /// A counter at 0.
    pub const fn new() -> Self {
        Counter(AtomicU64::new(0))
    }

    /// Adds 1.
    #[inline]
    pub fn inc(&self) {
        self.0.fetch_add(1, Relaxed);
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    /// The current count.
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
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
pub struct Gauge(AtomicU64);

impl Default for Gauge {
    fn default() -> Self {
        Gauge::new()
    }
}

impl Gauge {
    /// A gauge at 0.
    pub const fn new() -> Self {
        Gauge(AtomicU64::new(0))
    }

    /// Sets the value.
    #[inline]
    pub fn set(&self, v: f64) {
        self.0.store(v.to_bits(), Relaxed);
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
        add_f64(&self.0, v);
    }

    /// Subtracts `v`.
    #[inline]
    pub fn sub(&self, v: f64) {
        add_f64(&self.0, -v);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Relaxed))
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
    buckets: [AtomicU64; B],
    inf: AtomicU64,
    sum: AtomicU64,
}

impl<const B: usize> Histogram<B> {
    /// An empty histogram with these upper bounds (strictly increasing, finite).
    pub const fn new(bounds: &'static [f64; B]) -> Self {
        Histogram {
            bounds,
            buckets: [const { AtomicU64::new(0) }; B],
            inf: AtomicU64::new(0),
            sum: AtomicU64::new(0),
        }
    }

    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        match self.bounds.iter().position(|b| v <= *b) {
            Some(i) => self.buckets[i].fetch_add(1, Relaxed),
            None => self.inf.fetch_add(1, Relaxed),
        };
        add_f64(&self.sum, v);
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

    /// The bucket upper bounds.
    pub fn bounds(&self) -> &'static [f64] {
        self.bounds
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Relaxed)).sum::<u64>() + self.inf.load(Relaxed)
    }

    /// Sum of observations.
    pub fn sum(&self) -> f64 {
        f64::from_bits(self.sum.load(Relaxed))
    }

    /// Cumulative counts per bucket, the last one being `+Inf` (= count).
    pub fn cumulative_counts(&self) -> Vec<u64> {
        let mut acc = 0;
        let mut out: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| {
                acc += b.load(Relaxed);
                acc
            })
            .collect();
        out.push(acc + self.inf.load(Relaxed));
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
    count: AtomicU64,
    sum: AtomicU64,
}

impl Summary {
    /// An empty summary.
    pub const fn new() -> Self {
        Summary {
            count: AtomicU64::new(0),
            sum: AtomicU64::new(0),
        }
    }

    /// Records one observation.
    #[inline]
    pub fn observe(&self, v: f64) {
        add_f64(&self.sum, v);
        self.count.fetch_add(1, Relaxed);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    /// Sum of observations.
    pub fn sum(&self) -> f64 {
        f64::from_bits(self.sum.load(Relaxed))
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
    /// A gauge's value.
    Gauge(f64),
    /// A histogram's bounds, cumulative counts (last = `+Inf`) and sum.
    Histogram {
        /// Finite upper bounds.
        bounds: &'a [f64],
        /// Cumulative counts, one more than `bounds`.
        cumulative: Vec<u64>,
        /// Sum of observations.
        sum: f64,
    },
    /// A summary's count and sum.
    Summary {
        /// Number of observations.
        count: u64,
        /// Sum of observations.
        sum: f64,
    },
    /// An info metric (value 1).
    Info,
}

/// A value cell that can be collected.
pub trait Cell: Sync + Send + 'static {
    /// Reads the current value.
    fn sample(&self) -> Sample<'_>;
}

impl Cell for Counter {
    fn sample(&self) -> Sample<'_> {
        Sample::Counter(self.get())
    }
}
impl Cell for Gauge {
    fn sample(&self) -> Sample<'_> {
        Sample::Gauge(self.get())
    }
}
impl<const B: usize> Cell for Histogram<B> {
    fn sample(&self) -> Sample<'_> {
        Sample::Histogram {
            bounds: self.bounds,
            cumulative: self.cumulative_counts(),
            sum: self.sum(),
        }
    }
}
impl Cell for Summary {
    fn sample(&self) -> Sample<'_> {
        Sample::Summary {
            count: self.count(),
            sum: self.sum(),
        }
    }
}
impl Cell for InfoValue {
    fn sample(&self) -> Sample<'_> {
        Sample::Info
    }
}

/// Cells that open-label families create on first use of a label tuple.
pub trait NewCell: Cell {
    /// Creates a cell at its zero value; `bounds` for histograms.
    fn new_cell(bounds: &'static [f64]) -> Self;
}

impl NewCell for Counter {
    fn new_cell(_: &'static [f64]) -> Self {
        Counter::new()
    }
}
impl NewCell for Gauge {
    fn new_cell(_: &'static [f64]) -> Self {
        Gauge::new()
    }
}
impl NewCell for Summary {
    fn new_cell(_: &'static [f64]) -> Self {
        Summary::new()
    }
}
impl<const B: usize> NewCell for Histogram<B> {
    fn new_cell(bounds: &'static [f64]) -> Self {
        let bounds: &'static [f64; B] = bounds
            .try_into()
            .expect("generated code passes exactly B bounds");
        Histogram::new(bounds)
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
    /// A counter at 0.
    pub const fn new() -> Self {
        ShardedCounter {
            shards: [const { Padded(AtomicU64::new(0)) }; COUNTER_SHARDS],
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
        self.shards[shard()].0.fetch_add(n, Relaxed);
    }

    /// The current count (sum of the shards).
    pub fn get(&self) -> u64 {
        self.shards.iter().map(|s| s.0.load(Relaxed)).sum()
    }
}

impl Cell for ShardedCounter {
    fn sample(&self) -> Sample<'_> {
        Sample::Counter(self.get())
    }
}

impl NewCell for ShardedCounter {
    fn new_cell(_: &'static [f64]) -> Self {
        ShardedCounter::new()
    }
}
