//! The writer side: this process's memory-mapped files, binding cells'
//! values to slots in them, and re-binding in a fork child.

use super::format::{self, INITIAL};
use super::{fs, Error, RESERVED};
use crate::family::{Descriptor, Family, Kind};
use crate::storage::{self, Stored};
use crate::value::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering::*};
use std::sync::{Mutex, Once};

/// One memory-mapped file of this process.
struct MpFile {
    path: PathBuf,
    file: File,
    base: *mut u8,
    cap: usize,
    used: usize,
    /// Entries already in the file (a stale file of a dead process with the
    /// same pid is continued, as Python does, so its counts are not lost).
    positions: HashMap<Vec<u8>, usize>,
}

// SAFETY: only used under the state lock; the mapping is shared memory.
unsafe impl Send for MpFile {}

impl MpFile {
    fn open(path: PathBuf) -> Result<MpFile, Error> {
        let file = fs::open_own(&path)?;
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let mut cap = file.metadata().map_err(io)?.len() as usize;
        if cap == 0 {
            cap = INITIAL;
            file.set_len(cap as u64).map_err(io)?;
        }
        if cap > RESERVED {
            return Err(Error::Corrupt {
                path,
                reason: format!("the file is larger than {RESERVED} bytes"),
            });
        }
        // SAFETY: a fresh shared mapping of a file this process owns and
        // (mode 0644) only its user can write; pages past the file's end are
        // never accessed (see the module notes).
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                RESERVED,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(Error::Io {
                path,
                source: std::io::Error::last_os_error(),
            });
        }
        let base = base as *mut u8;
        let mut f = MpFile {
            path,
            file,
            base,
            cap,
            used: 0,
            positions: HashMap::new(),
        };
        let used = f.header().load(Acquire);
        if used == 0 {
            f.used = 8;
            f.header().store(8, Release);
        } else {
            // SAFETY: `cap` bytes are mapped and backed by the file.
            let data = unsafe { std::slice::from_raw_parts(base, cap) };
            let entries = format::entries(data).map_err(|reason| Error::Corrupt {
                path: f.path.clone(),
                reason,
            })?;
            f.used = used as usize;
            for e in entries {
                f.positions.insert(e.key.to_owned(), e.pos);
            }
        }
        Ok(f)
    }

    fn header(&self) -> &AtomicI32 {
        // SAFETY: the first 4 bytes, 4-aligned (page start).
        unsafe { &*(self.base as *const AtomicI32) }
    }

    /// The value slot of `key`, appending the entry (value `init`) if new.
    fn slot(&mut self, key: &str, init: f64, add: bool) -> Result<*mut AtomicU64, Error> {
        if let Some(&pos) = self.positions.get(key.as_bytes()) {
            // SAFETY: `pos` is an 8-aligned value slot inside the file.
            let v = unsafe { &*(self.base.add(pos) as *const AtomicU64) };
            let old = if add {
                f64::from_bits(v.load(Relaxed))
            } else {
                0.0
            };
            v.store((old + init).to_bits(), Relaxed);
            return Ok(v as *const AtomicU64 as *mut AtomicU64);
        }
        let k = key.as_bytes();
        let (padded, size) = format::entry_size(k.len());
        if self.used + size > RESERVED || k.len() > i32::MAX as usize {
            return Err(Error::Io {
                path: self.path.clone(),
                source: std::io::Error::other(format!(
                    "more than {RESERVED} bytes of series in one file"
                )),
            });
        }
        let mut cap = self.cap;
        while self.used + size > cap {
            cap *= 2;
        }
        if cap != self.cap {
            self.file.set_len(cap as u64).map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
            self.cap = cap;
        }
        let pos = self.used;
        // SAFETY: `pos + size <= cap`, inside the file and the mapping; no
        // reader looks past `used`, which is published after the entry.
        unsafe {
            let p = self.base.add(pos);
            std::ptr::copy_nonoverlapping((k.len() as i32).to_ne_bytes().as_ptr(), p, 4);
            std::ptr::copy_nonoverlapping(k.as_ptr(), p.add(4), k.len());
            std::ptr::write_bytes(p.add(4 + k.len()), b' ', padded - k.len());
            let v = p.add(4 + padded) as *const AtomicU64;
            (*v).store(init.to_bits(), Relaxed);
            (*v.add(1)).store(0f64.to_bits(), Relaxed);
        }
        self.used += size;
        self.header().store(self.used as i32, Release);
        self.positions.insert(k.to_owned(), pos + 4 + padded);
        // SAFETY: as above.
        Ok(unsafe { self.base.add(pos + 4 + padded) } as *mut AtomicU64)
    }
}

// Mappings are never unmapped: cells keep pointers into them for the life of
// the process (a fork child's parent files stay mapped but unused).

struct State {
    dir: PathBuf,
    pid: u32,
    files: HashMap<String, MpFile>,
    errors: Vec<Error>,
}

/// A lock that a fork child can take over: `std::sync::Mutex` cannot be
/// held from `pthread_atfork`'s prepare handler to its parent/child handlers.
struct SpinLock(AtomicBool);

impl SpinLock {
    fn lock(&self) {
        while self
            .0
            .compare_exchange_weak(false, true, Acquire, Relaxed)
            .is_err()
        {
            std::thread::yield_now();
        }
    }
    fn unlock(&self) {
        self.0.store(false, Release);
    }
}

static LOCK: SpinLock = SpinLock(AtomicBool::new(false));
static STATE: Mutex<Option<State>> = Mutex::new(None);
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Runs `f` with the state; `LOCK` (taken by the fork prepare handler too)
/// guards it, the `Mutex` only provides interior mutability.
fn with_state<R>(f: impl FnOnce(&mut Option<State>) -> R) -> R {
    LOCK.lock();
    let r = {
        let mut g = STATE.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    };
    LOCK.unlock();
    r
}

fn file_prefix(desc: &Descriptor) -> Option<String> {
    Some(match desc.kind {
        Kind::Counter => "counter".into(),
        Kind::Histogram => "histogram".into(),
        Kind::Summary => "summary".into(),
        Kind::Gauge => format!("gauge_{}", desc.multiprocess_mode),
        // Computed from the enum in each process; Python's `Enum` has no
        // multi-process mode either.
        Kind::Info | Kind::StateSet => return None,
    })
}

/// Points every value of `cell` at its entry in this process's file.
/// `fresh`: a fork child, whose values start at zero in its own files.
fn bind(st: &mut State, desc: &Descriptor, values: &[&str], cell: &dyn Cell, fresh: bool) {
    let Some(prefix) = file_prefix(desc) else {
        return;
    };
    let mut labels: Vec<(&str, &str)> = desc
        .labels
        .iter()
        .map(|l| l.name)
        .zip(values.iter().copied())
        .collect();
    labels.extend(desc.const_labels.iter().copied());
    let metric = match desc.kind {
        Kind::Counter => desc.name.strip_suffix("_total").unwrap_or(desc.name),
        _ => desc.name,
    };
    let stamp = desc.kind == Kind::Gauge && desc.multiprocess_mode.ends_with("mostrecent");
    let (dir, pid) = (st.dir.clone(), st.pid);
    let file = match st.files.entry(prefix.clone()) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => {
            match MpFile::open(dir.join(format!("{prefix}_{pid}.db"))) {
                Ok(f) => v.insert(f),
                Err(e) => {
                    st.errors.push(e);
                    return;
                }
            }
        }
    };
    let mut le = String::new();
    cell.visit_values(&mut |s: Stored<'_>| {
        if !fresh && s.val.is_bound() {
            return; // already bound (enable raced with a new series)
        }
        let sample = format!("{}{}", desc.name, s.suffix);
        let k = match s.le {
            Some(b) => {
                le = format::float_to_go_string(b);
                let mut l = labels.clone();
                l.push(("le", &le));
                format::key(metric, &sample, &l, desc.help)
            }
            None => format::key(metric, &sample, &labels, desc.help),
        };
        let init = if fresh { 0.0 } else { s.val.local_f64(s.int) };
        // Gauges restart from this process's value; counts continue a
        // stale file of a dead process that had the same pid (as Python),
        // so its counts are not lost.
        let add = desc.kind != Kind::Gauge;
        match file.slot(&k, init, add) {
            Ok(p) => {
                if stamp {
                    // SAFETY: `p` is a value slot of a live mapping.
                    storage::stamp(unsafe { &*p });
                }
                let tagged = (p as usize | usize::from(stamp)) as *mut AtomicU64;
                s.val.set_slot(tagged);
            }
            Err(e) => {
                // The series keeps counting in memory; report once per file.
                s.val.set_slot(std::ptr::null_mut());
                st.errors.push(e);
            }
        }
    });
}

/// The new-series hook: gives a series an open-label table just created its
/// file entry.
fn bind_new(desc: &Descriptor, values: &[&str], cell: &dyn Cell) {
    if !ENABLED.load(Acquire) {
        return;
    }
    with_state(|s| {
        if let Some(st) = s.as_mut() {
            bind(st, desc, values, cell, false);
        }
    });
}

fn all_families() -> impl Iterator<Item = &'static dyn Family> {
    crate::registry::METRICS
        .iter()
        .flat_map(|r| r.families.iter().copied())
}

fn bind_all(fresh: bool) {
    for fam in all_families() {
        let desc = fam.descriptor();
        fam.visit_cells(&mut |values, cell| {
            with_state(|s| {
                if let Some(st) = s.as_mut() {
                    bind(st, desc, values, cell, fresh);
                }
            })
        });
    }
}

extern "C" fn atfork_prepare() {
    LOCK.lock();
}
extern "C" fn atfork_parent() {
    LOCK.unlock();
}
extern "C" fn atfork_child() {
    LOCK.unlock();
    if !ENABLED.load(Acquire) {
        return;
    }
    storage::set_in_fork_child(true);
    // The parent's files stay mapped (cells may be mid-update in this very
    // instant in no thread: the child has one thread) but are never written
    // again from here: every value is re-bound to this pid's files.
    with_state(|s| {
        if let Some(st) = s.as_mut() {
            // `files` hold the parent's fds and mappings; leak them.
            std::mem::forget(std::mem::take(&mut st.files));
            st.pid = std::process::id();
        }
    });
    bind_all(true);
    storage::set_in_fork_child(false);
}

/// See [`super::enable`].
pub(super) fn enable(dir: &Path) -> Result<(), Error> {
    fs::check_dir(dir)?;
    let already = with_state(|s| {
        if let Some(st) = s {
            return Some(st.dir == dir);
        }
        *s = Some(State {
            dir: dir.to_owned(),
            pid: std::process::id(),
            files: HashMap::new(),
            errors: Vec::new(),
        });
        None
    });
    match already {
        Some(true) => return Ok(()),
        Some(false) => {
            return Err(Error::Dir {
                path: dir.to_owned(),
                reason: "multi-process mode is already enabled with another directory".into(),
            })
        }
        None => {}
    }
    static ATFORK: Once = Once::new();
    ATFORK.call_once(|| {
        // SAFETY: registering plain `extern "C"` handlers.
        unsafe {
            libc::pthread_atfork(
                Some(atfork_prepare),
                Some(atfork_parent),
                Some(atfork_child),
            );
        }
    });
    storage::set_new_series_hook(bind_new);
    ENABLED.store(true, Release);
    bind_all(false);
    let first = with_state(|s| s.as_mut().and_then(|st| st.errors.drain(..).next()));
    match first {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// See [`super::is_enabled`].
pub(super) fn is_enabled() -> bool {
    ENABLED.load(Acquire)
}

/// See [`super::take_errors`].
pub(super) fn take_errors() -> Vec<String> {
    with_state(|s| {
        s.as_mut()
            .map(|st| st.errors.drain(..).map(|e| e.to_string()).collect())
            .unwrap_or_default()
    })
}
