//! Exemplars: a trace id (or other labels) attached to one observation, so
//! a dashboard can jump from a latency spike to a trace. The most recent
//! exemplar of each counter, and of each histogram bucket, is kept with its
//! value and time; OpenMetrics and protobuf expositions carry it (text 0.0.4
//! has no syntax for exemplars).
//!
//! ```
//! let c = promdef::Counter::new();
//! c.inc_with_exemplar(&[("trace_id", "4bf92f3577b34da6")]).unwrap();
//! assert_eq!(c.get(), 1);
//! let e = c.exemplar().unwrap();
//! assert_eq!(e.labels(), [("trace_id", "4bf92f3577b34da6")]);
//! assert_eq!(e.value, 1.0);
//!
//! // OpenMetrics allows 128 characters of label names and values together.
//! let long = "x".repeat(200);
//! let err = c.inc_with_exemplar(&[("trace_id", &long)]).unwrap_err();
//! assert_eq!(err, promdef::ExemplarError::TooLong { chars: 208 });
//! assert_eq!(c.get(), 2, "the increment counts; only the exemplar is refused");
//! ```

use std::fmt;
use std::sync::atomic::{AtomicPtr, Ordering::*};
use std::sync::Mutex;

/// Most UTF-8 characters of an exemplar's label names and values together
/// (OpenMetrics 1.0).
pub const MAX_EXEMPLAR_CHARS: usize = 128;

/// One exemplar: labels, the observed value, and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Exemplar {
    /// Names and values, `name\0value\0…`, in the order given.
    text: Box<str>,
    /// The observed value (the increment, for counters).
    pub value: f64,
    /// Seconds since the Unix epoch.
    pub timestamp: f64,
}

impl Exemplar {
    /// Checks and builds an exemplar.
    pub fn new(labels: &[(&str, &str)], value: f64) -> Result<Exemplar, ExemplarError> {
        let mut chars = 0;
        let mut text = String::new();
        for (i, (k, v)) in labels.iter().enumerate() {
            if !is_label_name(k) {
                return Err(ExemplarError::InvalidName { index: i });
            }
            if v.contains('\0') {
                return Err(ExemplarError::InvalidValue);
            }
            chars += k.chars().count() + v.chars().count();
            text.push_str(k);
            text.push('\0');
            text.push_str(v);
            text.push('\0');
        }
        if chars > MAX_EXEMPLAR_CHARS {
            return Err(ExemplarError::TooLong { chars });
        }
        Ok(Exemplar {
            text: text.into_boxed_str(),
            value,
            timestamp: crate::family::unix_now(),
        })
    }

    /// The labels, in the order given.
    pub fn labels(&self) -> Vec<(&str, &str)> {
        let parts: Vec<&str> = self.text.split_terminator('\0').collect();
        parts
            .chunks(2)
            .map(|c| (c[0], c.get(1).copied().unwrap_or("")))
            .collect()
    }
}

fn is_label_name(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Why an exemplar was not kept (the observation itself always counts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExemplarError {
    /// Label names and values are longer than [`MAX_EXEMPLAR_CHARS`] together.
    TooLong {
        /// Their length, in characters.
        chars: usize,
    },
    /// The label at this position has an invalid name.
    InvalidName {
        /// Position in the slice given.
        index: usize,
    },
    /// A label value contains a NUL character.
    InvalidValue,
}

impl fmt::Display for ExemplarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExemplarError::TooLong { chars } => write!(
                f,
                "exemplar labels are {chars} characters long; OpenMetrics allows {MAX_EXEMPLAR_CHARS} for names and values together"
            ),
            ExemplarError::InvalidName { index } => write!(
                f,
                "exemplar label {index} has an invalid name; use letters, digits and `_`, not starting with a digit"
            ),
            ExemplarError::InvalidValue => f.write_str("an exemplar label value contains a NUL character"),
        }
    }
}

impl std::error::Error for ExemplarError {}

/// Where a cell keeps its latest exemplars: `n` slots allocated on the
/// first exemplar, so cells that never get one cost a pointer.
#[derive(Debug)]
pub(crate) struct Slots(AtomicPtr<Vec<Mutex<Option<Exemplar>>>>);

impl Slots {
    pub(crate) const fn new() -> Slots {
        Slots(AtomicPtr::new(std::ptr::null_mut()))
    }

    fn get_or_alloc(&self, n: usize) -> &Vec<Mutex<Option<Exemplar>>> {
        let p = self.0.load(Acquire);
        if !p.is_null() {
            // SAFETY: installed below, freed only by `drop` (`&mut self`).
            return unsafe { &*p };
        }
        let fresh = Box::into_raw(Box::new((0..n).map(|_| Mutex::new(None)).collect()));
        match self
            .0
            .compare_exchange(std::ptr::null_mut(), fresh, AcqRel, Acquire)
        {
            // SAFETY: as above.
            Ok(_) => unsafe { &*fresh },
            Err(other) => {
                // SAFETY: `fresh` was never shared.
                drop(unsafe { Box::from_raw(fresh) });
                // SAFETY: as above.
                unsafe { &*other }
            }
        }
    }

    /// Keeps `e` as slot `i`'s latest, of `n` slots.
    pub(crate) fn record(&self, n: usize, i: usize, e: Exemplar) {
        if let Some(slot) = self.get_or_alloc(n).get(i) {
            *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        }
    }

    /// Whether any exemplar was recorded: the check every scrape makes per
    /// cell, so it is one load, inlined.
    #[inline(always)]
    pub(crate) fn any(&self) -> bool {
        !self.0.load(Relaxed).is_null()
    }

    /// The latest exemplar of every slot, or `None` if none was recorded.
    pub(crate) fn snapshot(&self) -> Option<Vec<Option<Exemplar>>> {
        let p = self.0.load(Acquire);
        // SAFETY: as above.
        let slots = unsafe { p.as_ref() }?;
        Some(
            slots
                .iter()
                .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).clone())
                .collect(),
        )
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        let p = *self.0.get_mut();
        if !p.is_null() {
            // SAFETY: we own it; no other reference exists with `&mut self`.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}
