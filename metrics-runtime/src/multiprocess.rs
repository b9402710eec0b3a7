//! Multi-process mode, compatible with Python `prometheus_client`'s
//! `PROMETHEUS_MULTIPROC_DIR` (feature `multiprocess`, Unix only).
//!
//! Each worker process calls [`enable`] (or [`enable_from_env`]) at start-up:
//! from then on the values of its metrics live in memory-mapped files of the
//! shared directory — `counter_<pid>.db`, `gauge_<mode>_<pid>.db`,
//! `histogram_<pid>.db`, `summary_<pid>.db` — in the exact layout Python's
//! client writes, and the default registry's expositions merge every file of
//! the directory (Rust and Python workers alike), as Python's
//! `MultiProcessCollector` does.
//!
//! ```
//! promdef::metrics! {
//!     /// Jobs done.
//!     pub counter jobs_done_total;
//! }
//! # fn main() -> Result<(), promdef::multiprocess::Error> {
//! let dir = std::env::temp_dir().join(format!("promdef-doc-{}", std::process::id()));
//! // In the supervisor, before starting workers:
//! promdef::multiprocess::wipe_dir(&dir)?;
//! // In every worker (and in the process serving /metrics), or
//! // `enable_from_env()` for `PROMETHEUS_MULTIPROC_DIR`:
//! promdef::multiprocess::enable(&dir)?;
//! JOBS_DONE_TOTAL.inc_by(2);
//! assert!(dir.join(format!("counter_{}.db", std::process::id())).exists());
//! // Every process's files, merged:
//! assert!(promdef::registry().render_text().contains("jobs_done_total 2\n"));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```
//!
//! Design notes (why):
//! - A cell's values keep their in-memory atomics; each gains a slot pointer
//!   that is null in single-process mode, so an update costs one extra
//!   relaxed load and a predictable branch. Once bound, the file slot is the
//!   value: an update is an atomic `f64` add (CAS loop) or store directly in
//!   the shared mapping, so a reader never sees a torn value and a SIGKILL
//!   loses at most the update in flight.
//! - Files grow, but slot pointers handed to cells must never move. Each file
//!   is mapped once with a large reserved length ([`RESERVED`]) over a file
//!   that starts at 64 KiB and doubles with `ftruncate`, as Python's does;
//!   Linux makes the grown part of a shared mapping valid in place, so there
//!   is no remapping and no pointer to fix up. Only address space is
//!   reserved: pages past the file's end are never touched.
//! - Fork: a child inherits the parent's mapping, so its updates would land
//!   in the parent's files. A `pthread_atfork` child handler re-binds every
//!   cell to fresh files named with the child's pid, starting at zero (as
//!   Python does on its next update after a fork); otherwise the parent's
//!   counts would be counted twice.

use crate::family::{Descriptor, Family, Kind, LabelDescriptor, Site};
use crate::value::{Cell, MpSlot, Sample};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering::*};
use std::sync::{Mutex, Once};

mod compact;
pub use compact::{compact, compact_until, Compacted};

/// Bytes of address space reserved per file: the most a file can grow to.
pub const RESERVED: usize = if cfg!(target_pointer_width = "64") {
    1 << 30
} else {
    16 << 20
};
const INITIAL: usize = 64 * 1024;

/// Errors of multi-process mode; each names the file or directory.
#[derive(Debug)]
pub enum Error {
    /// The directory is missing or unusable.
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file could not be created, mapped or grown.
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A file's content is not in the expected layout; it was skipped.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Dir { path, reason } => write!(
                f,
                "multi-process directory `{}`: {reason}; create it before enabling multi-process mode",
                path.display()
            ),
            Error::Io { path, source } => write!(f, "`{}`: {source}", path.display()),
            Error::Corrupt { path, reason } => write!(
                f,
                "corrupt multi-process file `{}` skipped: {reason}; delete it or wipe the directory at service start",
                path.display()
            ),
        }
    }
}

impl std::error::Error for Error {}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

// ---------------------------------------------------------------------------
// Hot-path helpers called from `value.rs`.

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

/// Writes the current time into the timestamp that follows `slot`.
pub(crate) fn stamp(slot: &AtomicU64) {
    // SAFETY: every entry has a timestamp word right after its value.
    let ts = unsafe { &*(slot as *const AtomicU64).add(1) };
    ts.store(crate::family::unix_now().to_bits(), Relaxed);
}

// ---------------------------------------------------------------------------
// Writer side: this process's files.

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
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io(&path))?;
        let mut cap = file.metadata().map_err(io(&path))?.len() as usize;
        if cap == 0 {
            cap = INITIAL;
            file.set_len(cap as u64).map_err(io(&path))?;
        }
        if cap > RESERVED {
            return Err(Error::Corrupt {
                path,
                reason: format!("file is larger than {RESERVED} bytes"),
            });
        }
        // SAFETY: a fresh shared mapping of a file we own; pages past the
        // file's end are never accessed (see the module notes).
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
            let entries = parse(data, &f.path)?;
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
        let padded = k.len() + (8 - (k.len() + 4) % 8);
        let size = 4 + padded + 16;
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
            self.file.set_len(cap as u64).map_err(io(&self.path))?;
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
    errors: Vec<String>,
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
static IN_CHILD: AtomicBool = AtomicBool::new(false);

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

pub(crate) fn in_fork_child() -> bool {
    IN_CHILD.load(Relaxed)
}

/// Python's `json.dumps` of a string (`ensure_ascii=True`).
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// `json.dumps([metric_name, sample_name, labels, help], sort_keys=True)`.
fn key(metric: &str, sample: &str, labels: &[(&str, &str)], help: &str) -> String {
    let mut sorted = labels.to_vec();
    sorted.sort();
    let mut k = String::with_capacity(64);
    k.push('[');
    json_str(&mut k, metric);
    k.push_str(", ");
    json_str(&mut k, sample);
    k.push_str(", {");
    for (i, (n, v)) in sorted.iter().enumerate() {
        if i > 0 {
            k.push_str(", ");
        }
        json_str(&mut k, n);
        k.push_str(": ");
        json_str(&mut k, v);
    }
    k.push_str("}, ");
    json_str(&mut k, help);
    k.push(']');
    k
}

/// Python's `floatToGoString`, for `le` label values.
pub fn float_to_go_string(d: f64) -> String {
    if d == f64::INFINITY {
        return "+Inf".into();
    }
    if d == f64::NEG_INFINITY {
        return "-Inf".into();
    }
    if d.is_nan() {
        return "NaN".into();
    }
    let s = python_repr(d);
    match s.find('.') {
        Some(dot) if d > 0.0 && dot > 6 => {
            let digits = format!("{}{}", &s[1..dot], &s[dot + 1..]);
            let mantissa = format!("{}.{}", &s[..1], digits);
            let mantissa = mantissa.trim_end_matches(['0', '.']);
            format!("{mantissa}e+{:02}", dot - 1)
        }
        _ => s,
    }
}

/// Python's `repr(float)`: shortest round-trip digits, `1.0` not `1`,
/// exponent form below 1e-4 and from 1e16.
fn python_repr(d: f64) -> String {
    let a = d.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        // Rust: `1e-5`, `1.5e20`; Python: `1e-05`, `1.5e+20`.
        let s = format!("{d:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", e.abs());
    }
    let s = format!("{d:?}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

fn file_prefix(desc: &Descriptor) -> Option<String> {
    Some(match desc.kind {
        Kind::Counter => "counter".into(),
        Kind::Histogram => "histogram".into(),
        Kind::Summary => "summary".into(),
        Kind::Gauge => format!("gauge_{}", desc.multiprocess_mode),
        Kind::Info => return None,
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
                    st.errors.push(e.to_string());
                    return;
                }
            }
        }
    };
    let mut le = String::new();
    cell.mp_slots(&mut |s: MpSlot<'_>| {
        if !fresh && !s.val.slot().is_null() {
            return; // already bound (enable raced with a new series)
        }
        let sample = format!("{}{}", desc.name, s.suffix);
        let k = match s.le {
            Some(b) => {
                le = float_to_go_string(b);
                let mut l = labels.clone();
                l.push(("le", &le));
                key(metric, &sample, &l, desc.help)
            }
            None => key(metric, &sample, &labels, desc.help),
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
                    self::stamp(unsafe { &*p });
                }
                let tagged = (p as usize | usize::from(stamp)) as *mut AtomicU64;
                s.val.set_slot(tagged);
            }
            Err(e) => {
                // The series keeps counting in memory; report once per file.
                s.val.set_slot(std::ptr::null_mut());
                st.errors.push(e.to_string());
            }
        }
    });
}

/// Called by `Map` when a series is created: gives it its file entry.
pub(crate) fn bind_new(desc: &Descriptor, values: &[&str], cell: &dyn Cell) {
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
        fam.mp_cells(&mut |values, cell| {
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
    IN_CHILD.store(true, Relaxed);
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
    IN_CHILD.store(false, Relaxed);
}

/// Moves this process's metrics into memory-mapped files of `dir` (which
/// must exist) and makes the default registry expose the merge of every
/// process's files. Call it at start-up, before other threads update
/// metrics: an update racing with it may be lost. Calling it again with
/// the same directory does nothing; series created later get their entry
/// when first used. Errors for individual files (a full disk) leave those
/// series counting in memory and are reported by [`take_errors`].
pub fn enable(dir: impl AsRef<Path>) -> Result<(), Error> {
    let dir = dir.as_ref();
    if !dir.is_dir() {
        return Err(Error::Dir {
            path: dir.to_owned(),
            reason: "not a directory".into(),
        });
    }
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
    ENABLED.store(true, Release);
    bind_all(false);
    set_merged(crate::registry(), dir);
    let errors = take_errors();
    match errors.into_iter().next() {
        Some(e) => Err(Error::Dir {
            path: dir.to_owned(),
            reason: e,
        }),
        None => Ok(()),
    }
}

/// [`enable`] with `PROMETHEUS_MULTIPROC_DIR` (or the deprecated lower-case
/// `prometheus_multiproc_dir`), as Python's client; `Ok(false)` when unset.
pub fn enable_from_env() -> Result<bool, Error> {
    let dir = std::env::var_os("PROMETHEUS_MULTIPROC_DIR")
        .or_else(|| std::env::var_os("prometheus_multiproc_dir"));
    match dir {
        Some(d) if !d.is_empty() => enable(d).map(|()| true),
        _ => Ok(false),
    }
}

/// Whether this process writes its metrics to files.
pub fn is_enabled() -> bool {
    ENABLED.load(Acquire)
}

/// Errors recorded since the last call: files that could not be created or
/// grown (their series count in memory only).
pub fn take_errors() -> Vec<String> {
    with_state(|s| {
        s.as_mut()
            .map(|st| std::mem::take(&mut st.errors))
            .unwrap_or_default()
    })
}

/// Makes `registry`'s expositions show the merge of every process file in
/// `dir` (plus its families that are not stored in files: info metrics and
/// those added with `Registry::register`, such as process metrics).
/// [`enable`] does this for the default registry. Use it alone in a process
/// that only serves `/metrics` for workers.
pub fn set_merged(registry: &'static crate::Registry, dir: impl AsRef<Path>) {
    registry.set_multiprocess_dir(Some(dir.as_ref().to_owned()));
}

/// Python's `mark_process_dead`: removes `pid`'s `gauge_live*` files, so
/// its live gauges stop counting. Call it when a worker exits.
pub fn mark_process_dead(dir: impl AsRef<Path>, pid: u32) -> Result<(), Error> {
    let dir = dir.as_ref();
    for mode in ["liveall", "livemin", "livemax", "livesum", "livemostrecent"] {
        let p = dir.join(format!("gauge_{mode}_{pid}.db"));
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&p)(e)),
        }
    }
    Ok(())
}

/// Removes every `*.db` file of `dir` and what [`compact`] leaves
/// (creating `dir` if missing): call it when the service starts, before any
/// worker, as Python's docs require.
pub fn wipe_dir(dir: impl AsRef<Path>) -> Result<(), Error> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let p = e.map_err(io(dir))?.path();
        let compaction = p.file_name().is_some_and(|n| n == "compact.journal");
        if compaction || p.extension().is_some_and(|x| x == "db" || x == "tmp") {
            std::fs::remove_file(&p).map_err(io(&p))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Reader side: merging every file of the directory.

/// Reports a file skipped at scrape time on stderr, once per file and reason
/// (a scrape cannot fail for one bad file; [`merge_dir`] returns the errors).
pub(crate) fn report(e: &Error) {
    static SEEN: Mutex<Option<std::collections::HashSet<String>>> = Mutex::new(None);
    let msg = e.to_string();
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if seen
        .get_or_insert_with(Default::default)
        .insert(msg.clone())
    {
        eprintln!("promdef: {msg}");
    }
}

struct RawEntry<'a> {
    /// The key's bytes, UTF-8 checked when first parsed (keys repeat in
    /// every process's file; checking once per scrape is enough).
    key: &'a [u8],
    /// Offset of the value (the timestamp follows).
    pos: usize,
}

/// Parses entries up to the `used` header, as Python's `_read_all_values`.
fn parse<'a>(data: &'a [u8], path: &Path) -> Result<Vec<RawEntry<'a>>, Error> {
    let used = data
        .get(..4)
        .map_or(0, |b| i32::from_ne_bytes(b.try_into().unwrap_or_default()));
    parse_used(data, used, path)
}

/// [`parse`] with the `used` value read once by the caller: a live file's
/// header may grow while it is parsed.
fn parse_used<'a>(data: &'a [u8], used: i32, path: &Path) -> Result<Vec<RawEntry<'a>>, Error> {
    let corrupt = |reason: String| Error::Corrupt {
        path: path.to_owned(),
        reason,
    };
    if data.len() < 8 {
        return Err(corrupt(format!(
            "{} bytes, shorter than the 8-byte header",
            data.len()
        )));
    }
    if used == 0 {
        // A writer sized the file but has not written the header yet
        // (Python's reader also reads no entries then).
        return Ok(Vec::new());
    }
    if used < 8 || used as usize > data.len() {
        return Err(corrupt(format!(
            "header says {used} bytes used, file has {}",
            data.len()
        )));
    }
    let used = used as usize;
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < used {
        let len = data
            .get(pos..pos + 4)
            .map(|b| i32::from_ne_bytes(b.try_into().unwrap_or_default()))
            .unwrap_or(-1);
        if len < 0 {
            return Err(corrupt(format!("bad key length at byte {pos}")));
        }
        let len = len as usize;
        let padded = len + (8 - (len + 4) % 8);
        let end = pos + 4 + padded + 16;
        if end > used {
            return Err(corrupt(format!(
                "entry at byte {pos} runs past the used size {used}"
            )));
        }
        let key = &data[pos + 4..pos + 4 + len];
        out.push(RawEntry {
            key,
            pos: pos + 4 + padded,
        });
        pos = end;
    }
    Ok(out)
}

/// A parsed key: `[metric_name, sample_name, {labels}, help]`.
struct Key {
    metric: String,
    sample: String,
    labels: Vec<(String, String)>,
    help: String,
}

/// A minimal JSON reader for keys (strings, one flat object of strings).
struct Json<'a> {
    s: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.s.get(self.i) == Some(&c)).then(|| self.i += 1)
    }
    fn hex4(&mut self) -> Option<u32> {
        let h = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let c = *self.s.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return None;
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?)
                            } else {
                                hi
                            };
                            char::from_u32(cp)?
                        }
                        _ => return None,
                    };
                    let mut b = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }
}

fn parse_key(k: &[u8]) -> Option<Key> {
    let mut j = Json { s: k, i: 0 };
    j.eat(b'[')?;
    let metric = j.string()?;
    j.eat(b',')?;
    let sample = j.string()?;
    j.eat(b',')?;
    j.eat(b'{')?;
    let mut labels = Vec::new();
    if j.eat(b'}').is_none() {
        loop {
            let n = j.string()?;
            j.eat(b':')?;
            let v = j.string()?;
            labels.push((n, v));
            if j.eat(b'}').is_some() {
                break;
            }
            j.eat(b',')?;
        }
    }
    j.eat(b',')?;
    let help = j.string()?;
    j.eat(b']')?;
    j.ws();
    (j.i == j.s.len()).then_some(Key {
        metric,
        sample,
        labels,
        help,
    })
}

/// A read-only mapping of a file being read.
struct ReadMap {
    ptr: *mut libc::c_void,
    len: usize,
    /// The `used` header, read once (atomically) after mapping.
    used: i32,
}

impl ReadMap {
    /// Maps the file; when its writer grew it between the size check and
    /// the header read (`used` past the mapping), maps it again.
    fn open(path: &Path) -> Result<Option<ReadMap>, std::io::Error> {
        let mut tries = 0;
        loop {
            let Some(m) = ReadMap::open_once(path)? else {
                return Ok(None);
            };
            tries += 1;
            if m.used as usize <= m.len || tries == 3 {
                return Ok(Some(m));
            }
        }
    }

    fn open_once(path: &Path) -> Result<Option<ReadMap>, std::io::Error> {
        let f = File::open(path)?;
        let len = f.metadata()?.len() as usize;
        if len < 8 {
            // Just created (Python truncates it to 64 KiB right after), or
            // damaged: too short for a header either way.
            return if len == 0 {
                Ok(None)
            } else {
                Err(std::io::Error::other(format!(
                    "{len} bytes, shorter than the 8-byte header"
                )))
            };
        }
        // SAFETY: a read-only shared mapping of `len` bytes of an open file.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                f.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: the first 4 bytes of a page-aligned mapping.
        let used = unsafe { (*(ptr as *const AtomicI32)).load(Acquire) };
        Ok(Some(ReadMap { ptr, len, used }))
    }

    fn entries(&self, path: &Path) -> Result<Vec<RawEntry<'_>>, Error> {
        parse_used(self.bytes(), self.used, path)
    }
    fn bytes(&self) -> &[u8] {
        // SAFETY: mapped above. Bytes below `used` are no longer written
        // except values, which are read with atomic loads (`value`).
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }
    fn value(&self, pos: usize) -> (f64, f64) {
        // SAFETY: `parse` checked `pos + 16 <= used <= len`; `pos` is
        // 8-aligned, so these are whole-word atomic loads: never torn.
        unsafe {
            let v = &*((self.ptr as *const u8).add(pos) as *const AtomicU64);
            let t = &*((self.ptr as *const u8).add(pos + 8) as *const AtomicU64);
            (
                f64::from_bits(v.load(Relaxed)),
                f64::from_bits(t.load(Relaxed)),
            )
        }
    }
}

impl Drop for ReadMap {
    fn drop(&mut self) {
        // SAFETY: mapped in `open`, not used after.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

/// What a file name says: type, gauge mode, pid (None for archives).
fn classify(name: &str) -> Option<(Kind, &str, Option<u32>)> {
    let stem = name.strip_suffix(".db")?;
    let mut parts = stem.split('_');
    let kind = match parts.next()? {
        "counter" => Kind::Counter,
        "gauge" => Kind::Gauge,
        "histogram" => Kind::Histogram,
        "summary" => Kind::Summary,
        _ => return None,
    };
    let mode = if kind == Kind::Gauge {
        parts.next()?
    } else {
        ""
    };
    let pid = parts.next()?;
    Some((kind, mode, pid.parse().ok()))
}

fn pid_alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// One metric being merged.
struct Acc {
    kind: Kind,
    help: String,
    /// Gauges: the mode of the first file seen.
    mode: String,
    /// The exposed name: counters keep their sample name (`x_total`).
    family_name: String,
    index: HashMap<Vec<(String, String)>, usize>,
    series: Vec<(Vec<(String, String)>, SeriesAcc)>,
}

impl Acc {
    fn series(&mut self, labels: Vec<(String, String)>) -> usize {
        let n = self.series.len();
        *self.index.entry(labels).or_insert_with_key(|l| {
            self.series.push((l.clone(), SeriesAcc::default()));
            n
        })
    }
}

#[derive(Default)]
struct SeriesAcc {
    value: f64,
    ts: f64,
    seen: bool,
    sum: f64,
    count: f64,
    buckets: Vec<(f64, f64)>,
}

/// Which value of a series a key holds.
#[derive(Clone, Copy)]
enum Role {
    Value,
    Count,
    Sum,
    Bucket(f64),
    Ignore,
}

/// A key resolved once per scrape: keys repeat in every process's file.
struct Resolved {
    metric: usize,
    /// `None` for `all`/`liveall` gauges, whose series also depends on the pid.
    series: Option<usize>,
    labels: Vec<(String, String)>,
    role: Role,
}

#[derive(Default)]
struct Merger {
    metrics: Vec<Acc>,
    by_name: HashMap<String, usize>,
    /// Per file type (kind, gauge mode): key → resolution (`None`: bad key).
    cache: HashMap<(u8, String), foldhash::HashMap<Vec<u8>, Option<Resolved>>>,
}

impl Merger {
    fn resolve(&mut self, kind: Kind, mode: &str, key: &[u8]) -> Option<Resolved> {
        let k = parse_key(key)?;
        let metric = match self.by_name.get(&k.metric) {
            Some(&i) => i,
            None => {
                self.metrics.push(Acc {
                    kind,
                    help: k.help.clone(),
                    mode: mode.to_owned(),
                    family_name: if kind == Kind::Counter {
                        k.sample.clone()
                    } else {
                        k.metric.clone()
                    },
                    index: HashMap::new(),
                    series: Vec::new(),
                });
                self.by_name
                    .insert(k.metric.clone(), self.metrics.len() - 1);
                self.metrics.len() - 1
            }
        };
        let mut labels = k.labels;
        let role = match kind {
            Kind::Histogram => match labels.iter().position(|(n, _)| n == "le") {
                Some(i) => {
                    let (_, v) = labels.remove(i);
                    match v.as_str() {
                        "+Inf" => Role::Bucket(f64::INFINITY),
                        v => Role::Bucket(v.parse().ok()?),
                    }
                }
                None if k.sample.ends_with("_sum") => Role::Sum,
                None => Role::Ignore,
            },
            Kind::Summary if k.sample.ends_with("_count") => Role::Count,
            Kind::Summary if k.sample.ends_with("_sum") => Role::Sum,
            Kind::Summary => Role::Ignore,
            _ => Role::Value,
        };
        labels.sort();
        let per_pid = kind == Kind::Gauge && (mode == "all" || mode == "liveall");
        let series = (!per_pid).then(|| self.metrics[metric].series(labels.clone()));
        Some(Resolved {
            metric,
            series,
            labels,
            role,
        })
    }

    fn add_file(
        &mut self,
        kind: Kind,
        mode: &str,
        pid: &str,
        map: &ReadMap,
        entries: &[RawEntry<'_>],
    ) -> Result<(), String> {
        let mut cache = self
            .cache
            .remove(&(kind as u8, mode.to_owned()))
            .unwrap_or_default();
        // Check every new key first, so a bad file is skipped whole.
        let bad = entries
            .iter()
            .find(|e| !cache.contains_key(e.key) && parse_key(e.key).is_none());
        let result = match bad {
            Some(e) => Err(format!(
                "key `{}` is not Python's JSON key",
                String::from_utf8_lossy(e.key)
            )),
            None => Ok(()),
        };
        for e in entries.iter().take_while(|_| result.is_ok()) {
            if !cache.contains_key(e.key) {
                let r = self.resolve(kind, mode, e.key);
                cache.insert(e.key.to_owned(), r);
            }
            let Some(Some(r)) = cache.get(e.key) else {
                continue; // a histogram `le` that is not a number
            };
            let (value, ts) = map.value(e.pos);
            let acc = &mut self.metrics[r.metric];
            let i = match r.series {
                Some(i) => i,
                None => {
                    let mut l = r.labels.clone();
                    l.push(("pid".into(), pid.into()));
                    l.sort();
                    acc.series(l)
                }
            };
            let gauge = acc.kind == Kind::Gauge;
            let s = &mut acc.series[i].1;
            match r.role {
                Role::Value if gauge => {
                    match acc.mode.trim_start_matches("live") {
                        "min" if !s.seen || value < s.value => s.value = value,
                        "max" if !s.seen || value > s.value => s.value = value,
                        "sum" => s.value += value,
                        "mostrecent" if !s.seen || ts > s.ts => {
                            s.value = value;
                            s.ts = ts;
                        }
                        "all" => s.value = value,
                        _ => {}
                    }
                    s.seen = true;
                }
                Role::Value => s.value += value,
                Role::Count => s.count += value,
                Role::Sum => s.sum += value,
                Role::Bucket(b) => match s.buckets.iter_mut().find(|(x, _)| *x == b) {
                    Some((_, c)) => *c += value,
                    None => s.buckets.push((b, value)),
                },
                Role::Ignore => {}
            }
        }
        self.cache.insert((kind as u8, mode.to_owned()), cache);
        result
    }
}

/// The merged view of a directory: families plus the files that were skipped.
pub struct Merged {
    /// One family per metric name, sorted by name.
    pub families: Vec<MergedFamily>,
    /// Files that could not be read or parsed (each skipped).
    pub errors: Vec<Error>,
}

/// One merged metric family (a [`Family`] the encoders can write).
pub struct MergedFamily {
    desc: &'static Descriptor,
    series: Vec<(Vec<String>, MergedValue)>,
}

enum MergedValue {
    Counter(f64),
    Gauge(f64),
    Histogram {
        bounds: Vec<f64>,
        cumulative: Vec<u64>,
        sum: f64,
    },
    Summary {
        count: f64,
        sum: f64,
    },
}

impl Family for MergedFamily {
    fn descriptor(&self) -> &'static Descriptor {
        self.desc
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        let mut vals: Vec<&str> = Vec::new();
        for (labels, v) in &self.series {
            vals.clear();
            vals.extend(labels.iter().map(String::as_str));
            let s = match v {
                // Whole counts keep the integer rendering; Python's
                // fractional increments stay exact.
                MergedValue::Counter(c) if c.fract() == 0.0 && (0.0..9.0e15).contains(c) => {
                    Sample::Counter(*c as u64)
                }
                MergedValue::Counter(c) => Sample::CounterFloat(*c),
                MergedValue::Gauge(g) => Sample::Gauge(*g),
                MergedValue::Histogram {
                    bounds,
                    cumulative,
                    sum,
                } => Sample::Histogram {
                    bounds,
                    cumulative: cumulative.clone(),
                    sum: *sum,
                },
                MergedValue::Summary { count, sum } => Sample::Summary {
                    count: *count as u64,
                    sum: *sum,
                },
            };
            f(&vals, s);
        }
    }
}

impl MergedFamily {
    /// Every sample as Python's collector reports it: sample name, labels,
    /// value (histograms: `_bucket` cumulative with `le`, `_count`, `_sum`).
    pub fn samples(&self) -> Vec<(String, BTreeMap<String, String>, f64)> {
        let mut out = Vec::new();
        let name = self.desc.name;
        for (l, v) in &self.series {
            let labels: BTreeMap<String, String> = self
                .desc
                .labels
                .iter()
                .map(|d| d.name.to_owned())
                .zip(l.iter().cloned())
                .collect();
            match v {
                MergedValue::Counter(c) | MergedValue::Gauge(c) => {
                    out.push((name.to_owned(), labels, *c))
                }
                MergedValue::Summary { count, sum } => {
                    out.push((format!("{name}_count"), labels.clone(), *count));
                    out.push((format!("{name}_sum"), labels, *sum));
                }
                MergedValue::Histogram {
                    bounds,
                    cumulative,
                    sum,
                } => {
                    let les = bounds.iter().copied().chain([f64::INFINITY]);
                    for (b, c) in les.zip(cumulative) {
                        let mut l = labels.clone();
                        l.insert("le".into(), float_to_go_string(b));
                        out.push((format!("{name}_bucket"), l, *c as f64));
                    }
                    let n = cumulative.last().copied().unwrap_or(0) as f64;
                    out.push((format!("{name}_count"), labels.clone(), n));
                    out.push((format!("{name}_sum"), labels, *sum));
                }
            }
        }
        out
    }
}

/// Descriptors of merged families, interned so that scrapes do not leak:
/// one per distinct (name, type, help, label names).
fn intern(name: &str, kind: Kind, help: &str, labels: &[String]) -> &'static Descriptor {
    type Interned = HashMap<(String, u8, String, Vec<String>), &'static Descriptor>;
    static TABLE: Mutex<Option<Interned>> = Mutex::new(None);
    let mut t = TABLE.lock().unwrap_or_else(|p| p.into_inner());
    let k = (
        name.to_owned(),
        kind as u8,
        help.to_owned(),
        labels.to_vec(),
    );
    t.get_or_insert_with(HashMap::new)
        .entry(k)
        .or_insert_with(|| {
            let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
            let labels: Vec<LabelDescriptor> = labels
                .iter()
                .map(|l| LabelDescriptor {
                    name: leak(l),
                    values: None,
                })
                .collect();
            Box::leak(Box::new(Descriptor {
                name: leak(name),
                help: leak(help),
                kind,
                unit: None,
                labels: Box::leak(labels.into_boxed_slice()),
                const_labels: &[],
                site: Site {
                    krate: "promdef",
                    file: "multiprocess",
                    line: 0,
                },
                multiprocess_mode: "all",
            }))
        })
}

/// Reads and merges every `*.db` file of `dir`, as Python's
/// `MultiProcessCollector`: counters, histograms and summaries summed
/// (histogram buckets accumulated), gauges by their file's mode — `all` and
/// `liveall` with a `pid` label per process, `min`/`max`/`sum`, `mostrecent`
/// (largest timestamp); `live*` files of processes that no longer exist are
/// left out. A file that cannot be parsed is skipped and reported in
/// [`Merged::errors`], naming it.
pub fn merge_dir(dir: impl AsRef<Path>) -> Merged {
    let dir = dir.as_ref();
    let mut errors = Vec::new();
    // Never see a compaction half-way (listing included); then skip sources
    // an interrupted one already folded into its archive (see `compact`).
    // A read-only directory cannot hold the lock file: read without it.
    let _lock = compact::DirLock::take(dir, false);
    let mut names: Vec<(String, PathBuf)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .filter(|(n, _)| n.ends_with(".db"))
            .collect(),
        Err(e) => {
            errors.push(io(dir)(e));
            Vec::new()
        }
    };
    names.sort();
    let folded = compact::folded_sources(dir);
    let mut merger = Merger::default();
    for (name, path) in names {
        if folded.contains(&name) {
            continue;
        }
        let Some((kind, mode, pid)) = classify(&name) else {
            continue;
        };
        if kind == Kind::Gauge && mode.starts_with("live") && pid.is_some_and(|p| !pid_alive(p)) {
            continue;
        }
        let map = match ReadMap::open(&path) {
            Ok(Some(m)) => m,
            Ok(None) => continue, // just created, nothing written yet
            // Removed between listing and reading (mark_process_dead).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                errors.push(io(&path)(e));
                continue;
            }
        };
        let entries = match map.entries(&path) {
            Ok(e) => e,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let pid_label = pid.map_or_else(|| "archive".to_owned(), |p| p.to_string());
        if let Err(reason) = merger.add_file(kind, mode, &pid_label, &map, &entries) {
            errors.push(Error::Corrupt { path, reason });
        }
    }
    let mut families: Vec<MergedFamily> = merger.metrics.into_iter().filter_map(finish).collect();
    families.sort_by_key(|f| f.desc.name);
    Merged { families, errors }
}

fn finish(mut acc: Acc) -> Option<MergedFamily> {
    let kind = acc.kind;
    let fam_name = acc.family_name;
    acc.series.sort_by(|a, b| a.0.cmp(&b.0));
    let mut label_names: Vec<String> = acc
        .series
        .iter()
        .flat_map(|(l, _)| l.iter().map(|(n, _)| n.clone()))
        .collect();
    label_names.sort();
    label_names.dedup();
    let desc = intern(&fam_name, kind, &acc.help, &label_names);
    let series = acc
        .series
        .into_iter()
        .map(|(labels, mut s)| {
            let values = label_names
                .iter()
                .map(|n| {
                    labels
                        .iter()
                        .find(|(l, _)| l == n)
                        .map_or_else(String::new, |(_, v)| v.clone())
                })
                .collect();
            let v = match kind {
                Kind::Counter => MergedValue::Counter(s.value),
                Kind::Gauge => MergedValue::Gauge(s.value),
                Kind::Summary => MergedValue::Summary {
                    count: s.count,
                    sum: s.sum,
                },
                _ => {
                    s.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
                    let mut acc = 0.0;
                    let mut bounds = Vec::new();
                    let mut cumulative = Vec::new();
                    for (b, c) in &s.buckets {
                        acc += c;
                        if b.is_finite() {
                            bounds.push(*b);
                            cumulative.push(acc as u64);
                        }
                    }
                    cumulative.push(acc as u64);
                    MergedValue::Histogram {
                        bounds,
                        cumulative,
                        sum: s.sum,
                    }
                }
            };
            (values, v)
        })
        .collect();
    Some(MergedFamily { desc, series })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_python_json_dumps() {
        assert_eq!(
            key("jobs", "jobs_total", &[("b", "x\"y"), ("a", "é")], "Jobs."),
            r#"["jobs", "jobs_total", {"a": "\u00e9", "b": "x\"y"}, "Jobs."]"#
        );
        assert_eq!(key("g", "g", &[], "H\n"), r#"["g", "g", {}, "H\n"]"#);
        let k =
            parse_key(key("m", "m_bucket", &[("le", "0.5"), ("p", "😀")], "h").as_bytes()).unwrap();
        assert_eq!(k.labels[1], ("p".to_string(), "😀".to_string()));
    }

    #[test]
    fn le_matches_float_to_go_string() {
        for (v, s) in [
            (0.005, "0.005"),
            (1.0, "1.0"),
            (2.5, "2.5"),
            (10.0, "10.0"),
            (1e-5, "1e-05"),
            (1234567.0, "1.234567e+06"),
            (100000.0, "100000.0"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(float_to_go_string(v), s, "{v}");
        }
    }

    #[test]
    fn corrupt_files_are_named_errors() {
        let p = Path::new("/x/counter_1.db");
        let mut data = vec![0u8; 64];
        data[..4].copy_from_slice(&100i32.to_ne_bytes());
        let e = parse(&data, p).err().unwrap().to_string();
        assert!(
            e.contains("`/x/counter_1.db`") && e.contains("100 bytes used"),
            "{e}"
        );
        data[..4].copy_from_slice(&40i32.to_ne_bytes());
        data[8..12].copy_from_slice(&30i32.to_ne_bytes());
        let e = parse(&data, p).err().unwrap().to_string();
        assert!(e.contains("runs past"), "{e}");
    }
}
