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

use super::{io, pid_alive, Error, ReadMap};
use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// Types whose files are summed, so they can be folded together.
const KINDS: [&str; 3] = ["counter", "histogram", "summary"];
const JOURNAL: &str = "compact.journal";
const LOCK: &str = "compact.lock";

/// What a compaction did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Compacted {
    /// Source files folded into the archives and deleted.
    pub folded: usize,
    /// Whether an interrupted compaction was finished first.
    pub recovered: bool,
    /// Corrupt source files left in place, each with the reason.
    pub skipped: Vec<String>,
}

/// An advisory lock on `dir/compact.lock`, released on drop (or when the
/// process dies, crash included).
pub(super) struct DirLock {
    _file: File,
}

impl DirLock {
    pub(super) fn take(dir: &Path, exclusive: bool) -> Result<DirLock, Error> {
        let p = dir.join(LOCK);
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&p)
            .map_err(io(&p))?;
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
}

fn archive_name(kind: &str) -> String {
    format!("{kind}_archive.db")
}

/// The generation in an archive's header, 0 when it has none.
fn generation(path: &Path) -> u32 {
    let mut h = [0u8; 8];
    match File::open(path).and_then(|f| std::os::unix::fs::FileExt::read_exact_at(&f, &mut h, 0)) {
        Ok(()) => u32::from_ne_bytes([h[4], h[5], h[6], h[7]]),
        Err(_) => 0,
    }
}

struct Journal {
    generation: u32,
    sources: Vec<String>,
}

fn read_journal(dir: &Path) -> Option<Journal> {
    let text = std::fs::read_to_string(dir.join(JOURNAL)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != "promdef-compact 1" {
        return None;
    }
    let generation = lines.next()?.strip_prefix("generation ")?.parse().ok()?;
    let sources = lines.map(str::to_owned).collect();
    Some(Journal {
        generation,
        sources,
    })
}

/// Source files a reader must skip: folded into an archive already renamed
/// in place by a compaction that did not get to delete them.
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
        .collect()
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
}

fn write_synced(path: &Path, data: &[u8]) -> Result<(), Error> {
    let mut f = File::create(path).map_err(io(path))?;
    f.write_all(data).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

fn remove(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

/// Finishes an interrupted compaction (roll forward), or removes the temp
/// files of one that did not commit. Returns whether there was one.
fn recover(dir: &Path) -> Result<bool, Error> {
    let Some(j) = read_journal(dir) else {
        remove(&dir.join(format!("{JOURNAL}.tmp")))?;
        for k in KINDS {
            remove(&dir.join(format!("{}.tmp", archive_name(k))))?;
        }
        remove(&dir.join(JOURNAL))?; // unreadable journal: not committed
        return Ok(false);
    };
    for k in KINDS {
        let tmp = dir.join(format!("{}.tmp", archive_name(k)));
        if tmp.exists() {
            std::fs::rename(&tmp, dir.join(archive_name(k))).map_err(io(&tmp))?;
        }
    }
    sync_dir(dir)?;
    for s in &j.sources {
        remove(&dir.join(s))?;
    }
    sync_dir(dir)?;
    remove(&dir.join(JOURNAL))?;
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
    let Some(map) = ReadMap::open(path).map_err(io(path))? else {
        return Ok(Vec::new());
    };
    Ok(map
        .entries(path)?
        .into_iter()
        .map(|e| (e.key.to_vec(), map.value(e.pos).0))
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

    /// The archive file's bytes: Python's layout, generation in the padding.
    fn bytes(&self, generation: u32) -> Vec<u8> {
        let mut data = vec![0u8; 8];
        for (k, v) in &self.entries {
            let pad = 8 - (k.len() + 4) % 8;
            data.extend_from_slice(&(k.len() as i32).to_ne_bytes());
            data.extend_from_slice(k);
            data.extend(std::iter::repeat_n(b' ', pad));
            data.extend_from_slice(&v.to_ne_bytes());
            data.extend_from_slice(&0f64.to_ne_bytes());
        }
        let used = data.len() as i32;
        data[..4].copy_from_slice(&used.to_ne_bytes());
        data[4..8].copy_from_slice(&generation.to_ne_bytes());
        data.resize(data.len().next_multiple_of(64 * 1024), 0);
        data
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
    let _lock = DirLock::take(dir, true)?;
    let mut done = Compacted {
        recovered: recover(dir)?,
        ..Compacted::default()
    };
    let mut sources: Vec<(usize, String)> = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let name = e.map_err(io(dir))?.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(stem) = name.strip_suffix(".db") else {
            continue;
        };
        let Some((kind, pid)) = stem.split_once('_') else {
            continue;
        };
        let Some(k) = KINDS.iter().position(|x| *x == kind) else {
            continue;
        };
        if pid.parse::<u32>().is_ok_and(|p| !pid_alive(p)) {
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
    let mut tmps: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let mine: Vec<&String> = sources.iter().filter(|s| s.0 == k).map(|s| &s.1).collect();
        if mine.is_empty() {
            continue;
        }
        let archive = dir.join(archive_name(kind));
        let mut sums = Sums::default();
        if archive.exists() {
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
        write_synced(&tmp, &sums.bytes(generation))?;
        tmps.push((tmp, archive));
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
    write_synced(&jtmp, journal.as_bytes())?;
    std::fs::rename(&jtmp, dir.join(JOURNAL)).map_err(io(&jtmp))?;
    sync_dir(dir)?;
    if stop == 2 {
        return Ok(done);
    }
    // Step 3.
    for (i, (tmp, archive)) in tmps.iter().enumerate() {
        std::fs::rename(tmp, archive).map_err(io(tmp))?;
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
        remove(&dir.join(s))?;
    }
    sync_dir(dir)?;
    if stop == 4 {
        return Ok(done);
    }
    // Step 5.
    remove(&dir.join(JOURNAL))?;
    sync_dir(dir)?;
    done.folded = folded.len();
    Ok(done)
}
