//! Value storage: where a cell's numbers live. The only module that knows
//! there can be two places.
//!
//! A [`Val`] is one 64-bit value of a cell (counts as integers, gauges and
//! sums as `f64` bits). In single-process mode it is exactly an `AtomicU64`.
//! With feature `multiprocess` it also carries a pointer to an 8-aligned `f64`
//! slot in this process's memory-mapped file, null until
//! `promdef::multiprocess::enable` binds it: one extra relaxed load and a
//! predictable branch per update while unbound, the slot itself once bound
//! (Python's layout stores every value as `f64`, counts included). The
//! pointer's low bit says "also stamp the time after the value" (gauges in
//! `mostrecent` modes).
//!
//! The rest of the runtime reaches storage through three seams, none of them
//! behind a `cfg`: [`crate::value::Cell::visit_values`] (every `Val` of a
//! cell), [`crate::Family::visit_cells`] (every cell of a family) and the
//! new-series hook (`set_new_series_hook`) that open-label tables call when
//! they create a series.

use crate::family::Descriptor;
use crate::value::Cell;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering::*};

pub(crate) fn add_f64(cell: &AtomicU64, v: f64) {
    let mut cur = cell.load(Relaxed);
    loop {
        let new = (f64::from_bits(cur) + v).to_bits();
        match cell.compare_exchange_weak(cur, new, Relaxed, Relaxed) {
            Ok(_) => return,
            Err(actual) => cur = actual,
        }
    }
}

/// One value of a cell; see the module notes.
#[doc(hidden)]
#[derive(Debug)]
pub struct Val {
    local: AtomicU64,
    #[cfg(feature = "multiprocess")]
    slot: AtomicPtr<AtomicU64>,
}

impl Default for Val {
    fn default() -> Self {
        Val::new()
    }
}

/// Splits a tagged slot pointer: the value, and whether to stamp the time.
#[inline(always)]
pub(crate) fn untag(p: *mut AtomicU64) -> (&'static AtomicU64, bool) {
    let stamp = p as usize & 1 == 1;
    // SAFETY: non-null slot pointers point into a mapping that is never
    // unmapped, 8-aligned (the tag lives in the low bit).
    (
        unsafe { &*(((p as usize) & !1) as *const AtomicU64) },
        stamp,
    )
}

/// Writes the current time into the timestamp word that follows `slot`.
#[cfg(feature = "multiprocess")]
pub(crate) fn stamp(slot: &AtomicU64) {
    // SAFETY: every file entry has a timestamp word right after its value.
    let ts = unsafe { &*(slot as *const AtomicU64).add(1) };
    ts.store(crate::family::unix_now().to_bits(), Relaxed);
}

#[cfg(feature = "multiprocess")]
#[inline(never)]
fn slot_add(p: *mut AtomicU64, v: f64) {
    let (slot, stamp) = untag(p);
    add_f64(slot, v);
    if stamp {
        self::stamp(slot);
    }
}

#[cfg(feature = "multiprocess")]
#[inline(never)]
fn slot_set(p: *mut AtomicU64, v: f64) {
    let (slot, stamp) = untag(p);
    slot.store(v.to_bits(), Relaxed);
    if stamp {
        self::stamp(slot);
    }
}

impl Val {
    /// Zero.
    pub const fn new() -> Self {
        Val {
            local: AtomicU64::new(0),
            #[cfg(feature = "multiprocess")]
            slot: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The bound file slot (tagged), if any.
    #[inline(always)]
    fn bound(&self) -> Option<*mut AtomicU64> {
        #[cfg(feature = "multiprocess")]
        {
            let p = self.slot.load(Relaxed);
            if !p.is_null() {
                return Some(p);
            }
        }
        None
    }

    /// Whether the value lives in a file slot.
    #[inline(always)]
    pub(crate) fn is_bound(&self) -> bool {
        self.bound().is_some()
    }

    #[inline(always)]
    pub(crate) fn add_u64(&self, n: u64) {
        #[cfg(feature = "multiprocess")]
        if let Some(p) = self.bound() {
            return slot_add(p, n as f64);
        }
        self.local.fetch_add(n, Relaxed);
    }

    #[inline(always)]
    pub(crate) fn add_f64(&self, v: f64) {
        #[cfg(feature = "multiprocess")]
        if let Some(p) = self.bound() {
            return slot_add(p, v);
        }
        add_f64(&self.local, v);
    }

    #[inline(always)]
    pub(crate) fn set_f64(&self, v: f64) {
        #[cfg(feature = "multiprocess")]
        if let Some(p) = self.bound() {
            return slot_set(p, v);
        }
        self.local.store(v.to_bits(), Relaxed);
    }

    #[inline]
    pub(crate) fn get_u64(&self) -> u64 {
        match self.bound() {
            Some(p) => f64::from_bits(untag(p).0.load(Relaxed)) as u64,
            None => self.local.load(Relaxed),
        }
    }

    #[inline]
    pub(crate) fn get_f64(&self) -> f64 {
        match self.bound() {
            Some(p) => f64::from_bits(untag(p).0.load(Relaxed)),
            None => f64::from_bits(self.local.load(Relaxed)),
        }
    }

    /// Adds to the in-memory value, bound or not (a sharded counter folds
    /// its shards in before its value moves to a file).
    pub(crate) fn add_local_u64(&self, n: u64) {
        self.local.fetch_add(n, Relaxed);
    }

    /// The in-memory value as `f64` (`int`: it holds an integer count).
    #[cfg(feature = "multiprocess")]
    pub(crate) fn local_f64(&self, int: bool) -> f64 {
        let b = self.local.load(Relaxed);
        if int {
            b as f64
        } else {
            f64::from_bits(b)
        }
    }

    /// Points this value at a file slot (or back to memory with null).
    #[cfg(feature = "multiprocess")]
    pub(crate) fn set_slot(&self, p: *mut AtomicU64) {
        self.slot.store(p, Relaxed);
    }
}

/// One stored value of a cell, as [`Cell::visit_values`] reports it: the
/// sample name's suffix (`""`, `_bucket`, `_sum`, `_count`), the bucket bound
/// for `_bucket`, whether it counts (an integer in memory) and the value.
#[doc(hidden)]
#[derive(Debug)]
pub struct Stored<'a> {
    pub suffix: &'static str,
    pub le: Option<f64>,
    pub int: bool,
    pub val: &'a Val,
}

/// What open-label tables call when they create a series.
pub(crate) type NewSeriesHook = fn(&Descriptor, &[&str], &dyn Cell);

static NEW_SERIES: AtomicPtr<()> = AtomicPtr::new(std::ptr::null_mut());
static IN_FORK_CHILD: AtomicBool = AtomicBool::new(false);

/// Installs the hook run (under the table's writer lock, before the series
/// is published) for every series an open-label table creates from now on.
#[cfg(feature = "multiprocess")]
pub(crate) fn set_new_series_hook(hook: NewSeriesHook) {
    NEW_SERIES.store(hook as *mut (), Release);
}

/// The installed new-series hook.
#[inline]
pub(crate) fn new_series_hook() -> Option<NewSeriesHook> {
    let p = NEW_SERIES.load(Acquire);
    // SAFETY: only `set_new_series_hook` stores here, and it stores a
    // `NewSeriesHook` function pointer.
    (!p.is_null()).then(|| unsafe { std::mem::transmute::<*mut (), NewSeriesHook>(p) })
}

/// Whether this is a fork child re-binding its values, single-threaded:
/// locks held by the parent's other threads must not be waited for.
pub(crate) fn in_fork_child() -> bool {
    IN_FORK_CHILD.load(Relaxed)
}

/// Marks the start and end of a fork child's re-binding.
#[cfg(feature = "multiprocess")]
pub(crate) fn set_in_fork_child(on: bool) {
    IN_FORK_CHILD.store(on, Relaxed);
}
