//! Test support (feature `testing`, for `[dev-dependencies]`): per-test
//! isolation of metric updates, and assertions that show the family on
//! failure.
//!
//! The Python habit "read the value, act, assert value + 1" is racy under
//! cargo's parallel tests: another test touching the same series in between
//! makes it fail now and then. A [`Scope`] instead records the updates made
//! *on the threads it is entered on* while it lives, so a test sees exactly
//! its own increments, whatever other tests do at the same time:
//!
//! ```
//! promdef::metrics! {
//!     label result { values: [ok, failed] }
//!     /// Jobs processed.
//!     pub counter doc_jobs_total(result);
//! }
//! use promdef::testing::Scope;
//!
//! let scope = Scope::new();
//! DOC_JOBS_TOTAL.with(DocJobsTotalLabels { result: Result::Ok }).inc();
//! scope.assert_value(promdef::registry(), "doc_jobs_total", &[("result", "ok")], 1.0);
//! assert_eq!(scope.value(promdef::registry(), "doc_jobs_total", &[("result", "failed")]), Some(0.0));
//! // A series that does not exist is `None`, not 0.
//! assert_eq!(scope.value(promdef::registry(), "doc_jobs_total", &[("result", "maybe")]), None);
//! ```
//!
//! Work the test hands to other threads is attributed when those threads
//! enter the scope ([`Scope::handle`], [`ScopeHandle::enter`]). A stateset's
//! series (`x{x="running"}`) are 1 for the state last set in the scope, 0
//! for the others (and for all of them when the scope set none).
//!
//! **Cost**: with the feature off (the normal build), nothing of this
//! module exists and updates are not touched. Cargo's feature resolver 2
//! (edition 2021+) enables a dev-dependency's features only for the targets
//! that use dev-dependencies (tests, examples, benches), so
//! `promdef = { features = ["testing"] }` under `[dev-dependencies]` never
//! reaches a release build. With the feature on, an update costs one
//! thread-local read when no scope is entered on its thread (3.5 → 4.3 ns
//! for a closed-label counter, `testing_scope` group of the `hot_path`
//! benchmark), and a lock and a map update inside one (~80 ns).
//!
//! [`Registry::get_sample_value`](crate::Registry::get_sample_value) reads
//! the current (all-thread) value of any sample, like Python's
//! `REGISTRY.get_sample_value`.

use crate::family::{Descriptor, Kind};
use crate::lookup::{find_family, labels_match, split_le, split_state, suffixes};
use crate::Registry;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Write;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

/// What one scope recorded for one cell.
#[derive(Clone, Debug)]
enum Rec {
    /// Counter increments.
    Count(f64),
    /// A gauge: the last value set in the scope, and what was added since.
    Gauge { set: Option<f64>, add: f64 },
    /// A stateset: the index of the state last set in the scope.
    State(usize),
    /// Histogram or summary observations: per classic bucket (non-cumulative,
    /// `+Inf` last), sum, count.
    Observed {
        bounds: &'static [f64],
        buckets: Vec<u64>,
        sum: f64,
        count: u64,
    },
}

#[derive(Debug, Default)]
struct Recorder {
    cells: Mutex<HashMap<usize, Rec>>,
}

thread_local! {
    static ENTERED: RefCell<Vec<Arc<Recorder>>> = const { RefCell::new(Vec::new()) };
    /// `ENTERED.len()`, kept beside it: a `Cell` without a destructor is a
    /// plain thread-local read, where `ENTERED` (which owns `Arc`s) costs a
    /// registration check and a `RefCell` borrow. Updates on threads with no
    /// scope — every thread of a test binary but the tests' own — stop here.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Keeps `DEPTH` equal to the number of scopes entered on this thread.
fn set_depth(e: &[Arc<Recorder>]) {
    DEPTH.with(|d| d.set(e.len()));
}

/// Applies `f` to the record of `cell` in every scope entered on this thread.
/// The check is inlined into the update; the recording is out of line, so
/// the update's own code stays as small as without the feature.
#[inline(always)]
fn record(cell: *const (), f: impl Fn(&mut Option<Rec>)) {
    if DEPTH.with(Cell::get) != 0 {
        record_in_scopes(cell, &f);
    }
}

#[cold]
#[inline(never)]
fn record_in_scopes(cell: *const (), f: &dyn Fn(&mut Option<Rec>)) {
    let _ = ENTERED.try_with(|e| {
        let e = e.borrow();
        for (k, r) in e.iter().enumerate() {
            // A scope entered twice on a thread (a handle entered where the
            // scope lives, nested `enter`s) records each update once.
            if e[..k].iter().any(|x| Arc::ptr_eq(x, r)) {
                continue;
            }
            let mut cells = r.cells.lock().unwrap_or_else(|p| p.into_inner());
            let mut slot = cells.remove(&(cell as usize));
            f(&mut slot);
            if let Some(s) = slot {
                cells.insert(cell as usize, s);
            }
        }
    });
}

#[inline]
pub(crate) fn count<T>(cell: &T, n: f64) {
    record(cell as *const T as *const (), |r| match r {
        Some(Rec::Count(c)) => *c += n,
        _ => *r = Some(Rec::Count(n)),
    });
}

#[inline]
pub(crate) fn gauge_set<T>(cell: &T, v: f64) {
    record(cell as *const T as *const (), |r| {
        *r = Some(Rec::Gauge {
            set: Some(v),
            add: 0.0,
        })
    });
}

#[inline]
pub(crate) fn gauge_add<T>(cell: &T, d: f64) {
    record(cell as *const T as *const (), |r| match r {
        Some(Rec::Gauge { add, .. }) => *add += d,
        _ => *r = Some(Rec::Gauge { set: None, add: d }),
    });
}

#[inline]
pub(crate) fn state<T>(cell: &T, index: usize) {
    record(cell as *const T as *const (), |r| {
        *r = Some(Rec::State(index))
    });
}

/// One observation that went to classic bucket `bucket` (`bounds.len()`: `+Inf`).
#[inline]
pub(crate) fn observed<T>(cell: &T, bounds: &'static [f64], bucket: usize, v: f64) {
    record(cell as *const T as *const (), |r| {
        if !matches!(r, Some(Rec::Observed { .. })) {
            *r = Some(Rec::Observed {
                bounds,
                buckets: vec![0; bounds.len() + 1],
                sum: 0.0,
                count: 0,
            });
        }
        if let Some(Rec::Observed {
            buckets,
            sum,
            count,
            ..
        }) = r
        {
            if let Some(b) = buckets.get_mut(bucket) {
                *b += 1;
            }
            *sum += v;
            *count += 1;
        }
    });
}

/// Records the updates made on the threads it is entered on, from
/// [`Scope::new`] until it is dropped. Not `Send`: it is entered on the
/// thread that made it; see [`Scope::handle`] for other threads.
#[derive(Debug)]
pub struct Scope {
    recorder: Arc<Recorder>,
    _not_send: PhantomData<*const ()>,
}

/// A `Send` handle to enter a [`Scope`] from another thread.
#[derive(Clone, Debug)]
pub struct ScopeHandle(Arc<Recorder>);

/// The scope stays entered on this thread until this guard is dropped.
#[derive(Debug)]
pub struct Entered {
    recorder: Arc<Recorder>,
    _not_send: PhantomData<*const ()>,
}

fn enter(r: &Arc<Recorder>) {
    ENTERED.with(|e| {
        let mut e = e.borrow_mut();
        e.push(r.clone());
        set_depth(&e);
    });
}

fn leave(r: &Arc<Recorder>) {
    let _ = ENTERED.try_with(|e| {
        let mut e = e.borrow_mut();
        if let Some(i) = e.iter().rposition(|x| Arc::ptr_eq(x, r)) {
            e.remove(i);
        }
        set_depth(&e);
    });
}

impl Default for Scope {
    fn default() -> Self {
        Scope::new()
    }
}

impl Scope {
    /// Starts recording this thread's updates.
    pub fn new() -> Scope {
        let recorder = Arc::new(Recorder::default());
        enter(&recorder);
        Scope {
            recorder,
            _not_send: PhantomData,
        }
    }

    /// A handle other threads can enter, so work the test hands them counts.
    ///
    /// ```
    /// promdef::metrics! {
    ///     /// Tasks run.
    ///     pub counter doc_tasks_total;
    /// }
    /// let scope = promdef::testing::Scope::new();
    /// let h = scope.handle();
    /// std::thread::spawn(move || {
    ///     let _in = h.enter();
    ///     DOC_TASKS_TOTAL.inc();
    /// })
    /// .join()
    /// .unwrap();
    /// scope.assert_value(promdef::registry(), "doc_tasks_total", &[], 1.0);
    /// ```
    pub fn handle(&self) -> ScopeHandle {
        ScopeHandle(self.recorder.clone())
    }

    /// This scope's value of a sample: `name` as exposed in the text
    /// format (`x_total`, `x_bucket` with `le`, `x_sum`, `x_count`, a
    /// gauge's name), `labels` the series' labels (const labels may be
    /// left out). Counters, histograms and summaries: what the scope added.
    /// Gauges: the value last set in the scope plus what was added since,
    /// or only what was added. `None`: no such series in `registry`.
    pub fn value(
        &self,
        registry: &'static Registry,
        name: &str,
        labels: &[(&str, &str)],
    ) -> Option<f64> {
        let cells = self
            .recorder
            .cells
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut found = None;
        for_each_series(registry, name, labels, &mut |d, suffix, le, cell, state| {
            let rec = cells.get(&cell);
            found = match (state, rec) {
                // A stateset: 1 for the state the scope set last.
                (Some(i), Some(Rec::State(set))) => Some(if i == *set { 1.0 } else { 0.0 }),
                (Some(_), _) => Some(0.0),
                (None, rec) => Some(scoped_value(d.kind, suffix, le, rec)),
            };
        });
        found
    }

    /// Asserts this scope's value of a sample (see [`Scope::value`]); on
    /// failure, the panic shows the family as this scope saw it and as the
    /// registry holds it.
    #[track_caller]
    pub fn assert_value(
        &self,
        registry: &'static Registry,
        name: &str,
        labels: &[(&str, &str)],
        expected: f64,
    ) {
        let actual = self.value(registry, name, labels);
        if actual.is_some_and(|a| a == expected || (a - expected).abs() <= 1e-9 * expected.abs()) {
            return;
        }
        panic!("{}", self.explain(registry, name, labels, expected, actual));
    }

    fn explain(
        &self,
        registry: &'static Registry,
        name: &str,
        labels: &[(&str, &str)],
        expected: f64,
        actual: Option<f64>,
    ) -> String {
        let mut out = format!(
            "metric assertion failed for `{}`\n  expected: {expected}\n    actual: {}\n",
            series_text(name, labels, None),
            actual.map_or("no such series".to_string(), |a| a.to_string())
        );
        let Some(family) = find_family(registry, name) else {
            let names: Vec<&str> = registry
                .all_families()
                .iter()
                .map(|f| f.descriptor().name)
                .collect();
            let _ = writeln!(
                out,
                "no family exposes `{name}`; families: {}",
                names.join(", ")
            );
            return out;
        };
        let d = family.descriptor();
        let cells = self
            .recorder
            .cells
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(out, "in this scope (series it touched):");
        let mut any = false;
        family.visit_cells(&mut |values, cell| {
            let addr = cell as *const dyn crate::value::Cell as *const () as usize;
            if let Some(rec) = cells.get(&addr) {
                any = true;
                let mut l: Vec<(&str, &str)> = d
                    .labels
                    .iter()
                    .map(|l| l.name)
                    .zip(values.iter().copied())
                    .collect();
                if let (Rec::State(set), crate::value::Sample::StateSet { states, .. }) =
                    (rec, cell.sample())
                {
                    for (i, st) in states.iter().enumerate() {
                        l.push((d.name, st));
                        let v = if i == *set { 1 } else { 0 };
                        let _ = writeln!(out, "  {} {v}", series_text(d.name, &l, None));
                        l.pop();
                    }
                    return;
                }
                for (suffix, le) in sample_names(d, rec) {
                    let v = scoped_value(d.kind, suffix, le, Some(rec));
                    let _ = writeln!(
                        out,
                        "  {} {v}",
                        series_text(&format!("{}{suffix}", d.name), &l, le)
                    );
                }
            }
        });
        drop(cells);
        if !any {
            out.push_str("  (none: no update of this family was made on a thread in the scope)\n");
        }
        let _ = writeln!(out, "in the registry (all threads):");
        // Rendering runs the registry's collect callbacks on this thread:
        // their updates are not the test's, and recording them would take
        // the scope's lock again. Suspend every scope of this thread meanwhile.
        let suspended = ENTERED.with(|e| {
            let mut e = e.borrow_mut();
            let s = std::mem::take(&mut *e);
            set_depth(&e);
            s
        });
        let text = registry.render_text();
        ENTERED.with(|e| {
            let mut e = e.borrow_mut();
            let entered_meanwhile = std::mem::replace(&mut *e, suspended);
            e.extend(entered_meanwhile);
            set_depth(&e);
        });
        let prefix = |n: &str| {
            n == d.name
                || n.strip_prefix(d.name).is_some_and(|s| {
                    ["_bucket", "_sum", "_count", "_total", "_created", "_info"].contains(&s)
                })
        };
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && l.split(['{', ' ']).next().is_some_and(prefix))
        {
            let _ = writeln!(out, "  {line}");
        }
        out
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        leave(&self.recorder);
    }
}

impl ScopeHandle {
    /// Enters the scope on this thread until the guard is dropped.
    pub fn enter(&self) -> Entered {
        enter(&self.0);
        Entered {
            recorder: self.0.clone(),
            _not_send: PhantomData,
        }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        leave(&self.recorder);
    }
}

/// The samples a record has, for showing it: `(suffix, le)`.
fn sample_names(d: &Descriptor, rec: &Rec) -> Vec<(&'static str, Option<f64>)> {
    match (d.kind, rec) {
        (Kind::Histogram, Rec::Observed { bounds, .. }) => {
            let mut v: Vec<(&'static str, Option<f64>)> =
                bounds.iter().map(|b| ("_bucket", Some(*b))).collect();
            v.push(("_bucket", Some(f64::INFINITY)));
            v.push(("_sum", None));
            v.push(("_count", None));
            v
        }
        (Kind::Summary, _) => vec![("_sum", None), ("_count", None)],
        _ => vec![("", None)],
    }
}

fn scoped_value(kind: Kind, suffix: &str, le: Option<f64>, rec: Option<&Rec>) -> f64 {
    match rec {
        None => 0.0,
        Some(Rec::Count(c)) => *c,
        Some(Rec::State(_)) => 0.0,
        Some(Rec::Gauge { set, add }) => set.unwrap_or(0.0) + add,
        Some(Rec::Observed {
            bounds,
            buckets,
            sum,
            count,
        }) => match suffix {
            "_sum" => *sum,
            "_count" => *count as f64,
            "_bucket" if kind == Kind::Histogram => {
                let le = le.unwrap_or(f64::INFINITY);
                let upto = bounds.iter().take_while(|b| **b <= le).count();
                let n: u64 = if le == f64::INFINITY {
                    buckets.iter().sum()
                } else {
                    buckets[..upto].iter().sum()
                };
                n as f64
            }
            _ => 0.0,
        },
    }
}

fn series_text(name: &str, labels: &[(&str, &str)], le: Option<f64>) -> String {
    let mut l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    if let Some(le) = le {
        let mut s = String::new();
        crate::encode::write_f64(&mut s, le);
        l.push(format!("le={s:?}"));
    }
    if l.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{}}}", l.join(","))
    }
}

/// Receives a found series: descriptor, suffix, `le`, cell address.
type SeriesFound<'f> = dyn FnMut(&Descriptor, &'static str, Option<f64>, usize, Option<usize>) + 'f;

/// Calls `f` with the series of sample `name` whose labels are `labels`:
/// descriptor, suffix, `le`, cell address.
fn for_each_series(
    registry: &'static Registry,
    name: &str,
    labels: &[(&str, &str)],
    f: &mut SeriesFound<'_>,
) {
    let Some(family) = find_family(registry, name) else {
        return;
    };
    let d = family.descriptor();
    let Some(suffix) = suffixes(d.kind)
        .iter()
        .copied()
        .find(|s| name.strip_suffix(s) == Some(d.name))
    else {
        return;
    };
    let Some((le, mut rest)) = split_le(d.kind, suffix, labels) else {
        return;
    };
    let Some(state) = split_state(d, &mut rest) else {
        return;
    };
    family.visit_cells(&mut |values, cell| {
        if labels_match(d, values, &rest) {
            let index = match (state, cell.sample()) {
                (Some(s), crate::value::Sample::StateSet { states, .. }) => {
                    match states.iter().position(|x| *x == s) {
                        Some(i) => Some(i),
                        None => return,
                    }
                }
                // `le` must be a bucket of the exposition: a bound or `+Inf`.
                (_, crate::value::Sample::Histogram { bounds, .. })
                    if le.is_some_and(|le| le != f64::INFINITY && !bounds.contains(&le)) =>
                {
                    return
                }
                _ => None,
            };
            let addr = cell as *const dyn crate::value::Cell as *const () as usize;
            f(d, suffix, le, addr, index);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Counter, Gauge};

    #[test]
    fn scopes_record_only_their_threads_and_nest() {
        static C: Counter = Counter::new();
        let outer = Scope::new();
        C.inc();
        {
            let inner = Scope::new();
            C.inc_by(2);
            let cells = inner.recorder.cells.lock().unwrap();
            assert!(
                matches!(cells.get(&(&C as *const Counter as usize)), Some(Rec::Count(n)) if *n == 2.0)
            );
        }
        std::thread::spawn(|| C.inc_by(100)).join().unwrap();
        let cells = outer.recorder.cells.lock().unwrap();
        assert!(
            matches!(cells.get(&(&C as *const Counter as usize)), Some(Rec::Count(n)) if *n == 3.0)
        );
        assert_eq!(C.get(), 103);
    }

    #[test]
    fn gauges_record_the_last_set_plus_adds() {
        static G: Gauge = Gauge::new();
        let s = Scope::new();
        let scoped = |s: &Scope| {
            let cells = s.recorder.cells.lock().unwrap();
            scoped_value(
                Kind::Gauge,
                "",
                None,
                cells.get(&(&G as *const Gauge as usize)),
            )
        };
        G.add(5.0);
        assert_eq!(scoped(&s), 5.0);
        G.set(2.0);
        G.inc();
        assert_eq!(scoped(&s), 3.0);
        drop(s);
        G.inc();
        assert_eq!(G.get(), 4.0);
    }
}
