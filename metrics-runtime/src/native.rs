//! Native (sparse, exponential) histogram buckets, as Prometheus stores
//! them since 2.40: bucket `i` of schema `s` holds observations in
//! `(b^(i-1), b^i]` with `b = 2^(2^-s)`, so the resolution is a property of
//! the histogram, not a list of bounds; observations of at most the zero
//! threshold go to a zero bucket.
//!
//! Why this shape: buckets are slots of a small insert-only table (an index
//! key and a count, both atomic), so an observation is one probe and one
//! `fetch_add`, with no lock. When a histogram would need more than
//! `max_buckets` buckets, its resolution is halved (schema − 1, each pair of
//! buckets merged), as client_golang does: a new table is published, the
//! old one is marked retired and drained into it; an observer that still
//! incremented the old table sees the mark and moves its count over, so no
//! observation is lost or counted twice. At schema −4 the resolution cannot
//! drop further and the table holds every bucket an `f64` can reach.
//!
//! A series allocates its table on its first native observation, so
//! declared but unused series cost one pointer.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::*};
use std::sync::Mutex;

/// A histogram's native parameters (from the schema's `native:` block).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Native {
    /// Initial resolution, −4..=8: boundaries are powers of `2^(2^-schema)`.
    pub schema: i8,
    /// Most buckets (positive and negative together) before the resolution
    /// is halved.
    pub max_buckets: u32,
    /// Observations with `|v| <= zero_threshold` count in the zero bucket.
    pub zero_threshold: f64,
}

impl Native {
    /// Factor 1.1 (schema 3), 160 buckets, zero threshold 2^-128, as
    /// client_golang's defaults.
    pub const DEFAULT: Native = Native {
        schema: 3,
        max_buckets: 160,
        zero_threshold: 2.938735877055719e-39,
    };
}

/// The native buckets of one series at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeSample {
    /// The resolution the buckets are in.
    pub schema: i8,
    /// The zero bucket's width.
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    pub zero_count: u64,
    /// `(index, count)` of non-empty positive buckets, by index.
    pub positive: Vec<(i32, u64)>,
    /// `(index, count)` of non-empty negative buckets (of `|v|`), by index.
    pub negative: Vec<(i32, u64)>,
}

const EMPTY: u64 = u64::MAX;

/// A bucket's table key: the index and the sign.
fn key(index: i32, negative: bool) -> u64 {
    ((index as u32 as u64) << 1) | negative as u64
}

fn unkey(k: u64) -> (i32, bool) {
    ((k >> 1) as u32 as i32, k & 1 == 1)
}

struct Slot {
    key: AtomicU64,
    count: AtomicU64,
}

struct Table {
    schema: i8,
    /// [`bounds`] of the schema, looked up once per table, not per observation.
    bounds: &'static [f64],
    /// Buckets allowed before the resolution must drop (`usize::MAX` at
    /// schema −4, which cannot drop).
    limit: usize,
    used: AtomicUsize,
    retired: AtomicBool,
    slots: Box<[Slot]>,
}

/// Every index an `f64` can reach at schema −4, both signs.
const ALL_AT_MIN_SCHEMA: usize = 2 * 140;

impl Table {
    fn new(schema: i8, max_buckets: u32) -> Table {
        let limit = if schema <= -4 {
            usize::MAX
        } else {
            max_buckets.max(1) as usize
        };
        // Twice the limit, so probing stays short; a few concurrent
        // inserters may pass the limit before one of them reduces.
        let cap = (limit.min(ALL_AT_MIN_SCHEMA) * 2)
            .next_power_of_two()
            .max(16);
        Table {
            schema,
            bounds: if schema > 0 { bounds(schema) } else { &[] },
            limit,
            used: AtomicUsize::new(0),
            retired: AtomicBool::new(false),
            slots: (0..cap)
                .map(|_| Slot {
                    key: AtomicU64::new(EMPTY),
                    count: AtomicU64::new(0),
                })
                .collect(),
        }
    }

    /// The slot of `k`, inserting it when there is room (`force`: past the
    /// limit too, while draining); `None` when full.
    fn slot(&self, k: u64, force: bool) -> Option<&Slot> {
        let mask = self.slots.len() - 1;
        let mut i = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & mask;
        for _ in 0..self.slots.len() {
            let s = &self.slots[i];
            let cur = s.key.load(Acquire);
            if cur == k {
                return Some(s);
            }
            if cur == EMPTY {
                if !force && self.used.load(Relaxed) >= self.limit {
                    return None;
                }
                match s.key.compare_exchange(EMPTY, k, AcqRel, Acquire) {
                    Ok(_) => {
                        self.used.fetch_add(1, Relaxed);
                        return Some(s);
                    }
                    Err(other) if other == k => return Some(s),
                    Err(_) => {}
                }
            }
            i = (i + 1) & mask;
        }
        None
    }
}

/// The native buckets of one histogram series.
#[derive(Debug)]
pub(crate) struct Sparse {
    table: AtomicPtr<Table>,
    zero: AtomicU64,
    /// The tables replaced so far (at most one per schema step). Held while
    /// the resolution changes, while counts move out of a replaced table,
    /// and while a scrape reads, so a scrape never misses a count that is
    /// moving: counts still in a replaced table are read from it.
    retired: Mutex<Vec<&'static Table>>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("schema", &self.schema)
            .finish()
    }
}

type Retired<'a> = std::sync::MutexGuard<'a, Vec<&'static Table>>;

impl Sparse {
    pub(crate) const fn new() -> Sparse {
        Sparse {
            table: AtomicPtr::new(std::ptr::null_mut()),
            zero: AtomicU64::new(0),
            retired: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> Retired<'_> {
        self.retired.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one observation (not NaN: the caller counts those).
    #[inline]
    pub(crate) fn observe(&self, cfg: &Native, v: f64) {
        let a = v.abs();
        if a <= cfg.zero_threshold {
            self.zero.fetch_add(1, Relaxed);
            return;
        }
        let negative = v < 0.0;
        loop {
            let t = self.current(cfg);
            let k = key(index_with(a, t.schema, t.bounds), negative);
            let Some(slot) = t.slot(k, false) else {
                let mut g = self.lock();
                if std::ptr::eq(self.table.load(Acquire), t) {
                    self.reduce(&mut g, cfg, t);
                }
                continue;
            };
            slot.count.fetch_add(1, SeqCst);
            if t.retired.load(SeqCst) {
                // The table was replaced after we loaded it: move what the
                // slot holds now (our count, unless the drain took it).
                let mut g = self.lock();
                let n = slot.count.swap(0, SeqCst);
                self.put(&mut g, cfg, t.schema, k, n);
            }
            return;
        }
    }

    /// Adds `n` (counted at `schema`, key `k`) to the current table, under
    /// the lock; past the limit, halves the resolution.
    fn put(&self, g: &mut Retired<'_>, cfg: &Native, schema: i8, k: u64, n: u64) {
        if n == 0 {
            return;
        }
        let t = self.current(cfg);
        let (i, neg) = unkey(k);
        t.slot(key(coarser(i, schema - t.schema), neg), true)
            .expect("a table has room past its limit")
            .count
            .fetch_add(n, SeqCst);
        if t.used.load(Relaxed) > t.limit {
            self.reduce(g, cfg, t);
        }
    }

    fn current(&self, cfg: &Native) -> &'static Table {
        let p = self.table.load(Acquire);
        if !p.is_null() {
            // SAFETY: tables are leaked once published, never freed.
            return unsafe { &*p };
        }
        let new: *mut Table = Box::into_raw(Box::new(Table::new(cfg.schema, cfg.max_buckets)));
        match self
            .table
            .compare_exchange(std::ptr::null_mut(), new, AcqRel, Acquire)
        {
            // SAFETY: published now, never freed.
            Ok(_) => unsafe { &*new },
            Err(other) => {
                // SAFETY: `new` was never shared; `other` was published.
                drop(unsafe { Box::from_raw(new) });
                unsafe { &*other }
            }
        }
    }

    /// Halves the resolution of the current table `full` until the buckets
    /// fit (under the lock).
    #[cold]
    fn reduce(&self, g: &mut Retired<'_>, cfg: &Native, full: &'static Table) {
        let mut old = full;
        loop {
            let new: &'static Table = Box::leak(Box::new(Table::new(
                (old.schema - 1).max(-4),
                cfg.max_buckets,
            )));
            self.table.store(new as *const Table as *mut Table, SeqCst);
            old.retired.store(true, SeqCst);
            g.push(old);
            for s in old.slots.iter() {
                let k = s.key.load(Acquire);
                if k == EMPTY {
                    continue;
                }
                let n = s.count.swap(0, SeqCst);
                if n > 0 {
                    let (i, neg) = unkey(k);
                    let nk = key(coarser(i, old.schema - new.schema), neg);
                    new.slot(nk, true)
                        .expect("a coarser table has room for the buckets it replaces")
                        .count
                        .fetch_add(n, SeqCst);
                }
            }
            if new.used.load(Relaxed) <= new.limit {
                return;
            }
            old = new;
        }
    }

    /// The buckets now, with every observation counted once: under the
    /// lock, the current table plus what observers left in replaced ones.
    pub(crate) fn sample(&self, cfg: &Native) -> NativeSample {
        let g = self.lock();
        let mut s = NativeSample {
            schema: cfg.schema,
            zero_threshold: cfg.zero_threshold,
            zero_count: self.zero.load(SeqCst),
            positive: Vec::new(),
            negative: Vec::new(),
        };
        // SAFETY: tables are leaked once published.
        let Some(t) = (unsafe { self.table.load(Acquire).as_ref() }) else {
            return s;
        };
        s.schema = t.schema;
        let mut add = |table: &Table| {
            for slot in table.slots.iter() {
                let k = slot.key.load(Acquire);
                let n = if k == EMPTY {
                    0
                } else {
                    slot.count.load(SeqCst)
                };
                if n == 0 {
                    continue;
                }
                let (i, neg) = unkey(k);
                let i = coarser(i, table.schema - t.schema);
                if neg {
                    s.negative.push((i, n));
                } else {
                    s.positive.push((i, n));
                }
            }
        };
        add(t);
        for old in g.iter() {
            add(old);
        }
        for side in [&mut s.positive, &mut s.negative] {
            side.sort_unstable();
            // Merge entries of one index (from replaced tables).
            side.dedup_by(|b, a| {
                let same = a.0 == b.0;
                if same {
                    a.1 += b.1;
                }
                same
            });
        }
        s
    }

    /// Observations counted in the buckets and the zero bucket.
    pub(crate) fn total(s: &NativeSample) -> u64 {
        s.zero_count
            + s.positive
                .iter()
                .chain(&s.negative)
                .map(|(_, n)| n)
                .sum::<u64>()
    }
}

/// Index `i` at a schema `d` steps finer, in the coarser schema: bucket
/// `(b^(i-1), b^i]` lies in `ceil(i / 2^d)`.
fn coarser(i: i32, d: i8) -> i32 {
    if d <= 0 {
        return i;
    }
    let d = d as u32;
    ((i as i64 + (1i64 << d) - 1) >> d) as i32
}

/// `v = frac × 2^exp` with `frac` in `[0.5, 1)`, for positive finite `v`.
fn frexp(v: f64) -> (f64, i32) {
    let bits = v.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i32;
    if e == 0 {
        // Subnormal: scale into the normal range first.
        let (f, e) = frexp(v * f64::from_bits(0x43f0_0000_0000_0000)); // 2^64
        return (f, e - 64);
    }
    let frac = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (frac, e - 1022)
}

/// `2^(j/2^s − 1)` for `j` in `0..2^s`: the fractions in `[0.5, 1)` at
/// which a schema-`s` bucket ends within one power of two.
fn bounds(s: i8) -> &'static [f64] {
    static TABLES: std::sync::OnceLock<Vec<Vec<f64>>> = std::sync::OnceLock::new();
    let t = TABLES.get_or_init(|| {
        (1..=8)
            .map(|s| {
                let n = 1usize << s;
                (0..n).map(|j| (j as f64 / n as f64 - 1.0).exp2()).collect()
            })
            .collect()
    });
    &t[s as usize - 1]
}

/// The index of the bucket holding magnitude `a > 0` at `schema`: the
/// smallest `i` with `a <= 2^(i · 2^-schema)` (Go's frexp algorithm, as
/// client_golang). `+Inf` goes to the bucket whose bound is `2^1024`.
#[cfg(test)]
fn bucket_index(a: f64, schema: i8) -> i32 {
    index_with(a, schema, if schema > 0 { bounds(schema) } else { &[] })
}

/// [`bucket_index`] with the schema's bounds table at hand.
#[inline]
fn index_with(a: f64, schema: i8, b: &[f64]) -> i32 {
    if a.is_infinite() {
        return if schema > 0 {
            1024 << schema
        } else {
            1024 >> -schema
        };
    }
    let (frac, exp) = frexp(a);
    if schema > 0 {
        let j = b.partition_point(|x| *x < frac) as i32;
        j + (exp - 1) * b.len() as i32
    } else {
        let mut k = exp;
        if frac == 0.5 {
            k -= 1;
        }
        let shift = -schema as u32;
        (k + (1 << shift) - 1) >> shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upper bound of bucket `i` at `schema`.
    fn upper(i: i32, schema: i8) -> f64 {
        (i as f64 * (-(schema as f64)).exp2()).exp2()
    }

    #[test]
    fn indices_follow_the_bucket_definition() {
        for schema in -4..=8i8 {
            for v in [
                1e-300, 1e-9, 0.001, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 1e3, 1e9, 1e300, 3e-310,
            ] {
                let i = bucket_index(v, schema);
                // Within rounding of the boundary computation.
                assert!(
                    v <= upper(i, schema) * (1.0 + 1e-12),
                    "{v} schema {schema} index {i}"
                );
                assert!(
                    v > upper(i - 1, schema) * (1.0 - 1e-12),
                    "{v} schema {schema} index {i}"
                );
            }
            // Powers of two are upper bounds, inclusive.
            for e in [-10, -1, 0, 1, 10] {
                let v = (e as f64).exp2();
                let i = bucket_index(v, schema);
                let expected = if schema >= 0 {
                    e << schema
                } else {
                    e >> -schema
                };
                if schema >= 0 || e % (1 << -schema) == 0 {
                    assert_eq!(i, expected, "2^{e} at schema {schema}");
                }
            }
        }
        // The smallest subnormal: below 2^-1074's neighbours, which the
        // reference above cannot compute, but ordered.
        for schema in -4..=8i8 {
            assert!(bucket_index(5e-324, schema) <= bucket_index(3e-310, schema));
        }
        // Examples at schema 0: buckets (1, 2], (2, 4], …
        assert_eq!(bucket_index(1.0, 0), 0);
        assert_eq!(bucket_index(1.5, 0), 1);
        assert_eq!(bucket_index(2.0, 0), 1);
        assert_eq!(bucket_index(2.5, 0), 2);
    }

    #[test]
    fn coarser_indices_contain_the_finer_buckets() {
        for i in -20..20 {
            for d in 1..4i8 {
                let j = coarser(i, d);
                let (lo, hi) = (upper(i - 1, 3), upper(i, 3));
                let (clo, chi) = (upper(j - 1, 3 - d), upper(j, 3 - d));
                assert!(
                    clo <= lo * (1.0 + 1e-12) && hi <= chi * (1.0 + 1e-12),
                    "{i} {d}"
                );
            }
        }
    }

    #[test]
    fn reductions_keep_every_observation() {
        let cfg = Native {
            schema: 8,
            max_buckets: 8,
            zero_threshold: 0.0,
        };
        static S: Sparse = Sparse::new();
        let done = AtomicBool::new(false);
        std::thread::scope(|sc| {
            // A scraper during the resolution changes: the total it reads
            // never goes down (a dip would look like a counter reset).
            let scraper = sc.spawn(|| {
                let mut last = 0;
                let mut reads = 0;
                while !done.load(Relaxed) || reads == 0 {
                    let t = Sparse::total(&S.sample(&cfg));
                    assert!(t >= last, "total went from {last} to {t}");
                    last = t;
                    reads += 1;
                }
                reads
            });
            let observers: Vec<_> = (0..3)
                .map(|t| {
                    sc.spawn(move || {
                        for i in 0..6000u32 {
                            let v = 1.0 + (i * 3 + t) as f64 * 0.37;
                            S.observe(&cfg, if i % 3 == 0 { -v } else { v });
                        }
                    })
                })
                .collect();
            for o in observers {
                o.join().unwrap();
            }
            done.store(true, Relaxed);
            assert!(scraper.join().unwrap() > 0);
        });
        let s = S.sample(&cfg);
        assert_eq!(Sparse::total(&s), 18_000);
        assert!(s.schema < 8, "resolution was halved: {}", s.schema);
        assert!(s.positive.len() + s.negative.len() <= 8, "{s:?}");
    }
}
