//! Compaction: folding dead processes' counter, histogram and summary files
//! into one archive file per type, so scrape time stops growing with every
//! worker restart (Python's most-reported multi-process problem).
//!
//! Crash safety. The archives are `counter_archive.db`,
//! `histogram_archive.db` and `summary_archive.db`, in Python's layout (its
//! collector sums them like any process file), with a generation number in
//! the header's padding bytes (4..8), which Python ignores. One compaction:
//!
//! 1. writes each new archive (old archive + sources, summed per key) to
//!    `<type>_archive.db.tmp` and fsyncs it;
//! 2. commits `compact.journal` (generation G and the source files) by
//!    write-temp, fsync, rename, fsync of the directory;
//! 3. renames each temp archive over its archive (generation G);
//! 4. deletes the sources;
//! 5. deletes the journal.
//!
//! Readers (promdef's [`super::merge_dir`]) skip a journal's source of a
//! type whose archive already has the journal's generation: those counts are
//! in the archive. So after a crash at any point, every count is read
//! exactly once: before step 2 nothing is committed (temp files are not
//! `*.db` and are deleted by the next run); from step 2 on the next run rolls
//! forward (the temp archives were complete before the journal existed).
//! Compactions and promdef scrapes of one directory serialise on a
//! `flock` of `compact.lock`, so a scrape never sees a compaction half-way;
//! Python's collector does not take it and may double-count for the few
//! milliseconds between steps 3 and 4.
//!
//! In a shared directory, nothing here trusts a name: the journal is read
//! only if this user wrote it, a source it names is used only if it is a
//! plain `counter_/histogram_/summary_<pid>.db` name of a process that is not
//! running (anything else is reported and never touched), an archive counts
//! as done only if it is this user's regular file with generation ≥ 1, temp
//! files are created exclusively, and a rename moves only the file this run
//! created.

use super::{classify, format, fs, io, pid_alive, Error};
use crate::family::Kind;
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Types whose files are summed, so they can be folded together.
const KINDS: [&str; 3] = ["counter", "histogram", "summary"];
const JOURNAL: &str = "compact.journal";
const LOCK: &str = "compact.lock";
/// Largest journal read: a source name per line.
const MAX_JOURNAL_BYTES: u64 = 4 << 20;

/// What a compaction did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Compacted {
    /// Source files folded into the archives and deleted.
    pub folded: usize,
    /// Whether an interrupted compaction was finished first.
    pub recovered: bool,
    /// Source files left in place, each with the reason (corrupt, or a
    /// journal entry that is not a process file of this directory).
    pub skipped: Vec<String>,
}

/// An advisory lock on `dir/compact.lock`, released on drop (or when the
/// process dies, crash included).
pub(super) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Opens (creating it if missing) the lock file without following a
    /// symlink, and locks it; the file must be a regular file.
    fn open(dir: &Path, exclusive: bool) -> Result<DirLock, Error> {
        let p = dir.join(LOCK);
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&p)
            .map_err(io(&p))?;
        if !f.metadata().map_err(io(&p))?.file_type().is_file() {
            return Err(Error::Refused {
                path: p,
                reason: "it is not a regular file".into(),
            });
        }
        let op = if exclusive {
            libc::LOCK_EX
        } else {
            libc::LOCK_SH
        };
        // SAFETY: flock on an open descriptor.
        if unsafe { libc::flock(f.as_raw_fd(), op) } != 0 {
            return Err(io(&p)(std::io::Error::last_os_error()));
        }
        Ok(DirLock { _file: f })
    }

    /// For compaction.
    pub(super) fn exclusive(dir: &Path) -> Result<DirLock, Error> {
        DirLock::open(dir, true)
    }

    /// For scrapes: `None` when the directory cannot hold the lock file
    /// (read-only), and then no compaction can run there either.
    pub(super) fn shared(dir: &Path) -> Option<DirLock> {
        DirLock::open(dir, false).ok()
    }
}

fn archive_name(kind: &str) -> String {
    format!("{kind}_archive.db")
}

/// The generation in an archive's header: 0 unless the archive is this
/// user's regular file.
fn generation(path: &Path) -> u32 {
    if !fs::owned_regular(path) {
        return 0;
    }
    match fs::open_read(path) {
        Ok(Some((f, _))) => {
            let mut h = [0u8; 8];
            match std::os::unix::fs::FileExt::read_exact_at(&f, &mut h, 0) {
                Ok(()) => format::generation(&h),
                Err(_) => 0,
            }
        }
        _ => 0,
    }
}

struct Journal {
    generation: u32,
    /// Valid source names (process files of the directory).
    sources: Vec<String>,
    /// Lines that are not, for the report.
    rejected: Vec<String>,
}

/// Whether `name` is a file compaction may fold: a plain
/// `counter_/histogram_/summary_<pid>.db` name.
fn is_source(name: &str) -> bool {
    classify(name).is_some_and(|f| f.pid.is_some() && f.kind != Kind::Gauge)
}

fn read_journal(dir: &Path) -> Option<Journal> {
    let bytes = fs::read_own_small(&dir.join(JOURNAL), MAX_JOURNAL_BYTES)?;
    let text = String::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()? != "promdef-compact 1" {
        return None;
    }
    let generation: u32 = lines.next()?.strip_prefix("generation ")?.parse().ok()?;
    if generation == 0 {
        return None;
    }
    let (sources, rejected) = lines.map(str::to_owned).partition(|l| is_source(l));
    Some(Journal {
        generation,
        sources,
        rejected,
    })
}

/// Source files a reader must skip: folded into an archive already renamed
/// in place by a compaction that did not get to delete them. A source of a
/// running process is never skipped, whatever the journal says.
pub(super) fn folded_sources(dir: &Path) -> HashSet<String> {
    let Some(j) = read_journal(dir) else {
        return HashSet::new();
    };
    let done: Vec<&str> = KINDS
        .into_iter()
        .filter(|k| generation(&dir.join(archive_name(k))) == j.generation)
        .collect();
    j.sources
        .into_iter()
        .filter(|s| done.iter().any(|k| s.starts_with(&format!("{k}_"))))
        .filter(|s| {
            classify(s)
                .and_then(|f| f.pid)
                .is_some_and(|p| !pid_alive(p))
        })
        .collect()
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

/// Writes a new file exclusively and syncs it; returns it open, so the
/// rename that follows can check it still is the file at that name.
fn write_synced(path: &Path, data: &[u8]) -> Result<File, Error> {
    let mut f = fs::create_new(path)?;
    f.write_all(data).map_err(io(path))?;
    f.sync_all().map_err(io(path))?;
    Ok(f)
}

/// Renames `from` (opened as `f`) to `to`, only if `from` still is `f`.
fn rename_own(f: &File, from: &Path, to: &Path) -> Result<(), Error> {
    if !fs::still_names(f, from) {
        return Err(Error::Refused {
            path: from.to_owned(),
            reason: "it was replaced while compaction ran".into(),
        });
    }
    std::fs::rename(from, to).map_err(io(from))
}

/// Finishes an interrupted compaction (roll forward), or removes the temp
/// files of one that did not commit. Returns whether there was one.
fn recover(dir: &Path, done: &mut Compacted) -> Result<bool, Error> {
    let Some(j) = read_journal(dir) else {
        // Nothing committed: remove our temp files (a planted name of
        // another user stays; `create_new` refuses it later).
        for name in std::iter::once(format!("{JOURNAL}.tmp"))
            .chain(KINDS.iter().map(|k| format!("{}.tmp", archive_name(k))))
            .chain(std::iter::once(JOURNAL.to_string()))
        {
            let p = dir.join(name);
            if fs::owned_regular(&p) {
                fs::remove(&p)?;
            }
        }
        return Ok(false);
    };
    for r in &j.rejected {
        done.skipped.push(format!(
            "journal entry `{}` is not a process file of this directory; left alone",
            fs::quote(r.as_bytes())
        ));
    }
    for k in KINDS {
        let tmp = dir.join(format!("{}.tmp", archive_name(k)));
        if fs::owned_regular(&tmp) {
            std::fs::rename(&tmp, dir.join(archive_name(k))).map_err(io(&tmp))?;
        }
    }
    sync_dir(dir)?;
    for s in &j.sources {
        if classify(s)
            .and_then(|f| f.pid)
            .is_some_and(|p| !pid_alive(p))
        {
            fs::remove(&dir.join(s))?;
        }
    }
    sync_dir(dir)?;
    fs::remove(&dir.join(JOURNAL))?;
    sync_dir(dir)?;
    Ok(true)
}

/// Entries summed per exact key (values are non-cumulative, so summing
/// keys is merging), in first-seen order.
#[derive(Default)]
struct Sums {
    index: HashMap<Vec<u8>, usize>,
    entries: Vec<(Vec<u8>, f64)>,
}

/// A file's entries, or why it cannot be read.
fn read_entries(path: &Path) -> Result<Vec<(Vec<u8>, f64)>, Error> {
    let corrupt = |reason| Error::Corrupt {
        path: path.to_owned(),
        reason,
    };
    let Some(data) = fs::read_file(path).map_err(corrupt)? else {
        return Ok(Vec::new());
    };
    let entries = format::entries(&data).map_err(corrupt)?;
    Ok(entries
        .into_iter()
        .map(|e| (e.key.to_vec(), format::value_at(&data, e.pos).0))
        .collect())
}

impl Sums {
    fn add(&mut self, entries: Vec<(Vec<u8>, f64)>) {
        for (k, v) in entries {
            match self.index.get(&k) {
                Some(&i) => self.entries[i].1 += v,
                None => {
                    self.index.insert(k.clone(), self.entries.len());
                    self.entries.push((k, v));
                }
            }
        }
    }
}

/// Folds the counter, histogram and summary files of processes that no
/// longer run into one archive file per type (gauge files are left: their
/// modes do not sum). Safe to interrupt at any point — a crash loses and
/// double-counts nothing, and the next call finishes the job (see the module
/// notes). Run it from one process, e.g. the supervisor, periodically or
/// when a worker exits. A corrupt source file is left in place and reported.
///
/// ```no_run
/// let done = promdef::multiprocess::compact("/run/app-metrics")?;
/// println!("folded {} files", done.folded);
/// # Ok::<(), promdef::multiprocess::Error>(())
/// ```
pub fn compact(dir: impl AsRef<Path>) -> Result<Compacted, Error> {
    compact_until(dir, u8::MAX)
}

/// [`compact`] stopping right after step `stop` (1–5 of the module notes;
/// 6 = the deletion of half the sources) as if the process crashed there:
/// for crash tests.
#[doc(hidden)]
pub fn compact_until(dir: impl AsRef<Path>, stop: u8) -> Result<Compacted, Error> {
    let dir = dir.as_ref();
    fs::check_dir(dir)?;
    let _lock = DirLock::exclusive(dir)?;
    let mut done = Compacted::default();
    done.recovered = recover(dir, &mut done)?;
    let mut sources: Vec<(usize, String)> = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let name = e.map_err(io(dir))?.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_source(name) {
            continue;
        }
        let Some(f) = classify(name) else { continue };
        let k = KINDS
            .iter()
            .position(|x| name.starts_with(&format!("{x}_")))
            .expect("sources are of the three summed kinds");
        if f.pid.is_some_and(|p| !pid_alive(p)) {
            sources.push((k, name.to_owned()));
        }
    }
    if sources.is_empty() {
        return Ok(done);
    }
    sources.sort();
    let generation = KINDS
        .iter()
        .map(|k| generation(&dir.join(archive_name(k))))
        .max()
        .unwrap_or(0)
        + 1;
    // Step 1: the new archives, complete and durable before anything commits.
    let mut folded: Vec<String> = Vec::new();
    let mut tmps: Vec<(File, PathBuf, PathBuf)> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let mine: Vec<&String> = sources.iter().filter(|s| s.0 == k).map(|s| &s.1).collect();
        if mine.is_empty() {
            continue;
        }
        let archive = dir.join(archive_name(kind));
        let mut sums = Sums::default();
        if archive.exists() {
            if !fs::owned_regular(&archive) {
                return Err(Error::Refused {
                    path: archive,
                    reason: "the archive is not this user's regular file".into(),
                });
            }
            sums.add(read_entries(&archive)?);
        }
        for s in mine {
            match read_entries(&dir.join(s)) {
                Ok(entries) => {
                    sums.add(entries);
                    folded.push(s.clone());
                }
                Err(e) => done.skipped.push(e.to_string()),
            }
        }
        let tmp = dir.join(format!("{}.tmp", archive_name(kind)));
        let f = write_synced(&tmp, &format::file_bytes(&sums.entries, generation))?;
        tmps.push((f, tmp, archive));
    }
    if stop == 1 {
        return Ok(done);
    }
    // Step 2: the commit point.
    let mut journal = format!("promdef-compact 1\ngeneration {generation}\n");
    for s in &folded {
        journal.push_str(s);
        journal.push('\n');
    }
    let jtmp = dir.join(format!("{JOURNAL}.tmp"));
    let jf = write_synced(&jtmp, journal.as_bytes())?;
    rename_own(&jf, &jtmp, &dir.join(JOURNAL))?;
    sync_dir(dir)?;
    if stop == 2 {
        return Ok(done);
    }
    // Step 3.
    for (i, (f, tmp, archive)) in tmps.iter().enumerate() {
        rename_own(f, tmp, archive)?;
        if stop == 3 && i == 0 {
            return Ok(done);
        }
    }
    sync_dir(dir)?;
    // Step 4.
    for (i, s) in folded.iter().enumerate() {
        if stop == 6 && i == folded.len() / 2 {
            return Ok(done);
        }
        fs::remove(&dir.join(s))?;
    }
    sync_dir(dir)?;
    if stop == 4 {
        return Ok(done);
    }
    // Step 5.
    fs::remove(&dir.join(JOURNAL))?;
    sync_dir(dir)?;
    done.folded = folded.len();
    Ok(done)
}
