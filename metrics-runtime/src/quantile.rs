//! Summary quantiles over a sliding time window.
//!
//! As client_golang's summaries, the window is `age_buckets` steps of
//! `max_age / age_buckets`; it reaches back between `max_age − step` and
//! `max_age`. Each step has its own estimator, so an observation updates
//! one; a scrape merges the window's. The estimator is DDSketch
//! (`sketches-ddsketch`): a value within `accuracy` *relative* error of the
//! exact quantile (rank `⌊q·(n−1)⌋` of the window's observations), proved
//! against sorting in this module's property tests.
//!
//! Quantiles of different processes or instances cannot be combined, so
//! multi-process mode (as Python's client) exposes summaries' count and
//! sum only; prefer histograms when you aggregate.
//!
//! ```
//! use promdef::quantile::Quantiles;
//! static Q: Quantiles = Quantiles::new(&[0.5, 0.9]);
//! let s = promdef::Summary::with_quantiles(&Q);
//! for v in 1..=100 {
//!     s.observe(v as f64);
//! }
//! let q = s.quantiles().unwrap();
//! assert_eq!(q[0].0, 0.5);
//! assert!((q[0].1 - 50.0).abs() <= 0.5, "{q:?}");
//! assert!((q[1].1 - 90.0).abs() <= 0.9, "{q:?}");
//! ```

use sketches_ddsketch::{Config, DDSketch};
use std::sync::Mutex;

/// A summary's quantile configuration (schema `quantiles:`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantiles {
    /// The quantiles exposed, each in [0, 1], increasing.
    pub quantiles: &'static [f64],
    /// How far back the window reaches, in seconds (default 600).
    pub max_age_seconds: f64,
    /// Estimators the window is split into (default 5): the window moves
    /// by `max_age / age_buckets`.
    pub age_buckets: u32,
    /// Relative error of the reported values (default 0.01: 1 %).
    pub accuracy: f64,
}

/// Bins of each estimator: with 1 % accuracy 2,048 bins span values from
/// 1e-9 to ~1e9 times larger before the lowest bins merge.
const MAX_BINS: u32 = 2048;
/// Magnitudes below this count as 0.
const MIN_VALUE: f64 = 1e-9;

impl Quantiles {
    /// These quantiles over the last 10 minutes in 5 age buckets, ±1 %.
    pub const fn new(quantiles: &'static [f64]) -> Self {
        Quantiles {
            quantiles,
            max_age_seconds: 600.0,
            age_buckets: 5,
            accuracy: 0.01,
        }
    }

    fn sketch(&self) -> DDSketch {
        DDSketch::new(Config::new(self.accuracy, MAX_BINS, MIN_VALUE))
    }

    fn step(&self) -> u64 {
        (self.max_age_seconds / self.age_buckets.max(1) as f64 * 1e9) as u64
    }

    fn max_age(&self) -> u64 {
        (self.max_age_seconds * 1e9) as u64
    }
}

/// A monotonic clock in nanoseconds, read on every observation. On Linux the
/// coarse clock (~4 ns against ~20 ns for `Instant::now`, measured here;
/// resolution a few milliseconds, far below the 10 s shortest window).
#[cfg(target_os = "linux")]
fn now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC_COARSE
    // exists on every Linux since 2.6.32 and cannot fail with a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// A monotonic clock in nanoseconds since the first call.
#[cfg(not(target_os = "linux"))]
fn now() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

/// Estimators of consecutive steps of the window: closed ones, oldest
/// first, then the one observations go to now.
struct Ring {
    closed: std::collections::VecDeque<(u64, DDSketch)>,
    current: DDSketch,
    /// When `current` started ([`now`] nanoseconds).
    opened: u64,
}

/// The sliding window of one summary series.
#[derive(Default)]
pub(crate) struct Window {
    ring: Mutex<Option<Ring>>,
}

impl std::fmt::Debug for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Window").finish_non_exhaustive()
    }
}

impl Ring {
    fn new(cfg: &Quantiles, now: u64) -> Ring {
        Ring {
            closed: std::collections::VecDeque::new(),
            current: cfg.sketch(),
            opened: now,
        }
    }

    /// Closes the current estimator when its step is over, and drops the
    /// ones that started more than `max_age` ago: the window reaches back
    /// between `max_age − step` and `max_age`, as client_golang's.
    fn rotate(&mut self, cfg: &Quantiles, now: u64) {
        if now.saturating_sub(self.opened) >= cfg.step() {
            let done = std::mem::replace(&mut self.current, cfg.sketch());
            self.closed.push_back((self.opened, done));
            self.opened = now;
        }
        let max_age = cfg.max_age();
        while self
            .closed
            .front()
            .is_some_and(|(opened, _)| now.saturating_sub(*opened) >= max_age)
        {
            self.closed.pop_front();
        }
    }
}

impl Window {
    pub(crate) const fn new() -> Self {
        Window {
            ring: Mutex::new(None),
        }
    }

    pub(crate) fn observe(&self, cfg: &Quantiles, v: f64) {
        self.observe_at(cfg, v, now());
    }

    /// One estimator update per observation (the window's estimators are
    /// merged when read, at scrape time, instead).
    fn observe_at(&self, cfg: &Quantiles, v: f64, now: u64) {
        if !v.is_finite() {
            // NaN has no rank, and the estimator cannot bin ±Inf (its index
            // overflows): counted in `_count` and `_sum` only.
            return;
        }
        let mut g = self.ring.lock().unwrap_or_else(|p| p.into_inner());
        let ring = g.get_or_insert_with(|| Ring::new(cfg, now));
        ring.rotate(cfg, now);
        ring.current.add(v);
    }

    /// `(quantile, value)` for each configured quantile; NaN without
    /// observations in the window (as client_golang).
    pub(crate) fn quantiles(&self, cfg: &Quantiles) -> Vec<(f64, f64)> {
        self.quantiles_at(cfg, now())
    }

    fn quantiles_at(&self, cfg: &Quantiles, now: u64) -> Vec<(f64, f64)> {
        let merged = {
            let mut g = self.ring.lock().unwrap_or_else(|p| p.into_inner());
            g.as_mut().map(|ring| {
                ring.rotate(cfg, now);
                let mut m = ring.current.clone();
                for (_, s) in &ring.closed {
                    // Same configuration: merging cannot fail.
                    let _ = m.merge(s);
                }
                m
            })
        };
        cfg.quantiles
            .iter()
            .map(|&q| {
                let v = merged
                    .as_ref()
                    .and_then(|s| s.quantile(q).ok().flatten())
                    .unwrap_or(f64::NAN);
                (q, v)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn secs(s: u64) -> u64 {
        s * 1_000_000_000
    }

    static Q: Quantiles = Quantiles::new(&[0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0]);

    /// The exact quantile the sketch estimates: rank `⌊q·(n−1)⌋`.
    fn exact(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() as f64 - 1.0)) as usize]
    }

    fn within(est: f64, exact: f64, accuracy: f64) -> bool {
        if exact.abs() < MIN_VALUE {
            est.abs() <= MIN_VALUE * (1.0 + accuracy)
        } else {
            (est - exact).abs() <= accuracy * exact.abs() * (1.0 + 1e-9)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Every quantile is within the relative accuracy of the exact one,
        /// for positive, negative and mixed data over 12 orders of magnitude.
        #[test]
        fn quantiles_are_within_the_relative_accuracy(
            values in prop::collection::vec(
                prop_oneof![
                    (1e-6f64..1e6),
                    (-1e6f64..-1e-6),
                    Just(0.0),
                    (0.001f64..10.0),
                ],
                1..2000,
            )
        ) {
            let w = Window::new();
            let t = now();
            for v in &values {
                w.observe_at(&Q, *v, t);
            }
            let mut sorted = values.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            for (q, est) in w.quantiles_at(&Q, t) {
                let ex = exact(&sorted, q);
                prop_assert!(within(est, ex, Q.accuracy), "q={q} est={est} exact={ex} n={}", values.len());
            }
        }

        /// Observations older than the window stop counting: after
        /// `max_age`, only what came later is in the quantiles.
        #[test]
        fn the_window_slides(old in prop::collection::vec(1000f64..2000.0, 1..200),
                             new in prop::collection::vec(1f64..2.0, 1..200)) {
            let w = Window::new();
            let t0 = now();
            for v in &old {
                w.observe_at(&Q, *v, t0);
            }
            // Still inside the window: the old values count.
            let max = w.quantiles_at(&Q, t0 + secs(599)).last().unwrap().1;
            prop_assert!(max >= 1000.0 * (1.0 - Q.accuracy));
            let t1 = t0 + secs(601);
            for v in &new {
                w.observe_at(&Q, *v, t1);
            }
            let mut sorted = new.clone();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
            for (q, est) in w.quantiles_at(&Q, t1) {
                prop_assert!(within(est, exact(&sorted, q), Q.accuracy), "q={q} est={est}");
            }
        }
    }

    #[test]
    fn an_empty_window_is_nan_and_a_long_pause_empties_it() {
        let w = Window::new();
        assert!(w.quantiles(&Q).iter().all(|(_, v)| v.is_nan()));
        let t = now();
        w.observe_at(&Q, 5.0, t);
        assert!(w.quantiles_at(&Q, t)[3].1 > 4.9);
        // A day later, without observations in between.
        let later = t + secs(86_400);
        assert!(w.quantiles_at(&Q, later).iter().all(|(_, v)| v.is_nan()));
        w.observe_at(&Q, 7.0, later);
        assert!((w.quantiles_at(&Q, later)[3].1 - 7.0).abs() < 0.1);
        // NaN and ±Inf observations have no rank in the window.
        w.observe_at(&Q, f64::NAN, later);
        w.observe_at(&Q, f64::INFINITY, later);
        w.observe_at(&Q, f64::NEG_INFINITY, later);
        assert!((w.quantiles_at(&Q, later)[3].1 - 7.0).abs() < 0.1);
    }

    #[test]
    fn part_of_the_window_expires_step_by_step() {
        // 60 s in 3 buckets of 20 s.
        static W: Quantiles = Quantiles {
            quantiles: &[1.0],
            max_age_seconds: 60.0,
            age_buckets: 3,
            accuracy: 0.01,
        };
        let w = Window::new();
        let t = now();
        w.observe_at(&W, 100.0, t);
        w.observe_at(&W, 10.0, t + secs(30));
        // 59 s: both in the window.
        assert!(w.quantiles_at(&W, t + secs(59))[0].1 > 99.0);
        // 61 s: the first one expired with its estimator, the second remains.
        let v = w.quantiles_at(&W, t + secs(61))[0].1;
        assert!((v - 10.0).abs() < 0.2, "{v}");
    }
}
