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
//! The directory is shared and often world-writable; what promdef does about
//! files other local users may plant there is in the module `fs` and the
//! README's security section.
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

mod compact;
mod format;
mod fs;
mod merge;
mod writer;

pub use compact::{compact, compact_until, Compacted};
pub use format::float_to_go_string;
pub use fs::MAX_FILE_BYTES;
pub use merge::{merge_dir, Merged, MergedFamily};

use crate::family::Kind;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bytes of address space reserved per file: the most a file can grow to.
pub const RESERVED: usize = if cfg!(target_pointer_width = "64") {
    1 << 30
} else {
    16 << 20
};

/// Errors of multi-process mode; each names the file or directory (escaped:
/// names in a shared directory are untrusted).
#[derive(Debug)]
#[non_exhaustive]
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
    /// A file's content is not in the expected layout, or it cannot be read
    /// safely (a symlink, not a regular file, too large); it was skipped.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file promdef would write is not one it created (a symlink, another
    /// user's file, a file with other links); it was left alone.
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Dir { path, reason } => write!(
                f,
                "multi-process directory `{}`: {reason}",
                fs::shown(path)
            ),
            Error::Io { path, source } => write!(f, "`{}`: {source}", fs::shown(path)),
            Error::Corrupt { path, reason } => write!(
                f,
                "multi-process file `{}` skipped: {reason}; delete it or wipe the directory at service start",
                fs::shown(path)
            ),
            Error::Refused { path, reason } => {
                write!(f, "refusing to write `{}`: {reason}", fs::shown(path))
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Modes of `gauge_<mode>_<pid>.db` files.
const GAUGE_MODES: &[&str] = &[
    "all",
    "liveall",
    "min",
    "max",
    "sum",
    "livemin",
    "livemax",
    "livesum",
    "mostrecent",
    "livemostrecent",
];

/// What a process file's name says.
pub(crate) struct FileName<'a> {
    pub kind: Kind,
    /// The gauge mode (`""` for other types).
    pub mode: &'a str,
    /// `None` for a compaction archive.
    pub pid: Option<u32>,
}

/// Parses `counter_<pid>.db`, `gauge_<mode>_<pid>.db`, … and
/// `<type>_archive.db`; anything else is not a process file.
pub(crate) fn classify(name: &str) -> Option<FileName<'_>> {
    let stem = name.strip_suffix(".db")?;
    let (kind, rest) = stem.split_once('_')?;
    let kind = match kind {
        "counter" => Kind::Counter,
        "gauge" => Kind::Gauge,
        "histogram" => Kind::Histogram,
        "summary" => Kind::Summary,
        _ => return None,
    };
    let (mode, pid) = if kind == Kind::Gauge {
        let (mode, pid) = rest.rsplit_once('_')?;
        (GAUGE_MODES.iter().find(|m| **m == mode).copied()?, pid)
    } else {
        ("", rest)
    };
    let pid = match pid {
        "archive" if kind != Kind::Gauge => None,
        p if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        _ => return None,
    };
    Some(FileName { kind, mode, pid })
}

fn pid_alive(pid: u32) -> bool {
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence.
    let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Moves this process's metrics into memory-mapped files of `dir` (which
/// must exist, and must not be world-writable without the sticky bit) and
/// makes the default registry expose the merge of every process's files.
/// Call it at start-up, before other threads update metrics: an update
/// racing with it may be lost. Calling it again with the same directory does
/// nothing; series created later get their entry when first used. Errors for
/// individual files (a full disk, a name another user planted) leave those
/// series counting in memory and are reported by [`take_errors`].
pub fn enable(dir: impl AsRef<Path>) -> Result<(), Error> {
    let dir = dir.as_ref();
    writer::enable(dir)?;
    set_merged(crate::registry(), dir);
    Ok(())
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
    writer::is_enabled()
}

/// Errors recorded since the last call: files that could not be created or
/// grown (their series count in memory only).
pub fn take_errors() -> Vec<String> {
    writer::take_errors()
}

/// Makes `registry`'s expositions show the merge of every process file in
/// `dir` (plus its families that are not stored in files: info metrics and
/// those added with `Registry::register`, such as process metrics).
/// [`enable`] does this for the default registry. Use it alone in a process
/// that only serves `/metrics` for workers.
pub fn set_merged(registry: &'static crate::Registry, dir: impl AsRef<Path>) {
    let c = merge::MergeCollector {
        dir: dir.as_ref().to_owned(),
    };
    registry.set_collector("multiprocess", Some(Arc::new(c)));
}

/// Python's `mark_process_dead`: removes `pid`'s `gauge_live*` files, so
/// its live gauges stop counting. Call it when a worker exits.
pub fn mark_process_dead(dir: impl AsRef<Path>, pid: u32) -> Result<(), Error> {
    let dir = dir.as_ref();
    for mode in ["liveall", "livemin", "livemax", "livesum", "livemostrecent"] {
        fs::remove(&dir.join(format!("gauge_{mode}_{pid}.db")))?;
    }
    Ok(())
}

/// Removes every `*.db` file of `dir` and what [`compact`] leaves
/// (creating `dir` if missing): call it when the service starts, before any
/// worker, as Python's docs require. Symlinks are removed, never followed.
pub fn wipe_dir(dir: impl AsRef<Path>) -> Result<(), Error> {
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    fs::check_dir(dir)?;
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let p = e.path();
        if e.file_type().map_err(io(&p))?.is_dir() {
            continue;
        }
        let compaction = p
            .file_name()
            .is_some_and(|n| n == "compact.journal" || n == "compact.journal.tmp");
        if compaction || p.extension().is_some_and(|x| x == "db" || x == "tmp") {
            fs::remove(&p)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_classified_strictly() {
        let c = |n: &str| classify(n).map(|f| (f.kind, f.mode.to_string(), f.pid));
        assert_eq!(
            c("counter_12.db"),
            Some((Kind::Counter, String::new(), Some(12)))
        );
        assert_eq!(
            c("gauge_livesum_7.db"),
            Some((Kind::Gauge, "livesum".into(), Some(7)))
        );
        assert_eq!(
            c("histogram_archive.db"),
            Some((Kind::Histogram, String::new(), None))
        );
        for bad in [
            "counter_1_2.db",
            "counter_.db",
            "counter_-1.db",
            "gauge_archive.db",
            "gauge_bogus_1.db",
            "gauge_1.db",
            "counter_99999999999.db",
            "../counter_1.db",
            "counter_1.db.tmp",
        ] {
            assert!(c(bad).is_none(), "{bad}");
        }
    }
}
