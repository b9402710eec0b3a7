//! File access in a shared, possibly hostile directory.
//!
//! The directory is often world-writable (`/tmp/prometheus_multiproc`), so
//! another local user may plant any name in it: a symlink to a file of ours,
//! a FIFO, a sparse file of gigabytes, a journal naming `../victim`. So:
//! - every open uses `O_NOFOLLOW` (a symlink is never followed) and
//!   `O_CLOEXEC`; reads add `O_NONBLOCK` (a FIFO cannot block a scrape) and
//!   check that what was opened is a regular file of bounded size;
//! - files promdef writes are created with `O_EXCL` (never an existing name),
//!   or, when continuing this pid's stale file, opened only if it is a
//!   regular file owned by this user with one link;
//! - a world-writable directory without the sticky bit is refused: there,
//!   anyone may rename or delete anyone's files, which no care can survive;
//! - other processes' files are read with `pread` into memory, never mapped:
//!   a writer truncating its file cannot fault the reader;
//! - messages quote names and content escaped and cut to 80 characters.

use super::Error;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Largest file read from the directory: a process's file grows by doubling
/// from 64 KiB as it gains series, so this is a few million series; a
/// bigger file is reported and skipped, not read.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// A name or content in a message: escaped, at most 80 characters.
pub(crate) fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.escape_debug().take(80).collect();
    if text.escape_debug().nth(80).is_some() {
        out.push('…');
    }
    out
}

/// A path in a message (file names in a shared directory are untrusted).
pub(crate) fn shown(path: &Path) -> String {
    quote(path.as_os_str().as_encoded_bytes())
}

fn euid() -> u32 {
    // SAFETY: geteuid has no failure mode.
    unsafe { libc::geteuid() }
}

/// The directory exists, is a directory, and is not world-writable without
/// the sticky bit.
pub(crate) fn check_dir(dir: &Path) -> Result<(), Error> {
    let dir_err = |reason: String| Error::Dir {
        path: dir.to_owned(),
        reason,
    };
    let meta = std::fs::metadata(dir).map_err(|e| dir_err(format!("{e}")))?;
    if !meta.is_dir() {
        return Err(dir_err("not a directory".into()));
    }
    let mode = meta.permissions().mode();
    if mode & 0o002 != 0 && mode & 0o1000 == 0 {
        return Err(dir_err(format!(
            "it is world-writable without the sticky bit (mode {:o}), so any local user could replace or delete other processes' files; `chmod +t` it, or use a directory only the service's user can write",
            mode & 0o7777
        )));
    }
    Ok(())
}

/// Opens another process's file for reading, if it is a regular file of at
/// most [`MAX_FILE_BYTES`]; `Ok(None)` when it vanished (removed between
/// listing and opening).
pub(crate) fn open_read(path: &Path) -> Result<Option<(File, u64)>, String> {
    let f = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err("it is a symlink, which is never followed".into())
        }
        Err(e) => return Err(e.to_string()),
    };
    let meta = f.metadata().map_err(|e| e.to_string())?;
    if !meta.file_type().is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "it is {} bytes, more than the {MAX_FILE_BYTES} promdef reads",
            meta.len()
        ));
    }
    Ok(Some((f, meta.len())))
}

/// Up to `len` bytes from offset 0 (fewer when the file shrank).
fn read_at_most(f: &File, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut done = 0;
    while done < len {
        match f.read_at(&mut buf[done..], done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(done);
    Ok(buf)
}

/// Reads `len` bytes so that every 8-byte word is one a writer stored: two
/// reads are compared, and a word that differs (a writer stored it meanwhile)
/// is read alone until two reads agree. Writers store whole aligned words,
/// but a copy from the page cache is only guaranteed atomic per byte.
///
/// The header word is kept from the second read: a writer publishes `used`
/// only after the entries it covers, and one read copies the header before
/// them, so that read's header matches its entries; a newer header read
/// alone could point past them.
fn read_consistent(f: &File, len: usize) -> io::Result<Vec<u8>> {
    let first = read_at_most(f, len)?;
    let mut out = read_at_most(f, first.len())?;
    let n = out.len().min(first.len()) / 8 * 8;
    for at in (8..n).step_by(8) {
        if first[at..at + 8] == out[at..at + 8] {
            continue;
        }
        let mut prev: [u8; 8] = out[at..at + 8].try_into().expect("8 bytes");
        for _ in 0..4 {
            let mut cur = [0u8; 8];
            if f.read_at(&mut cur, at as u64)? < 8 || cur == prev {
                break;
            }
            prev = cur;
        }
        out[at..at + 8].copy_from_slice(&prev);
    }
    Ok(out)
}

/// The bytes of a process's file up to its `used` header (re-read when the
/// writer grew it meanwhile), or why it was skipped; `Ok(None)` when it
/// vanished or was just created (empty).
pub(crate) fn read_file(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let Some((f, mut len)) = open_read(path)? else {
        return Ok(None);
    };
    if len == 0 {
        return Ok(None); // just created; Python truncates it to 64 KiB next
    }
    for _ in 0..3 {
        let data = read_consistent(&f, len as usize).map_err(|e| e.to_string())?;
        let used = super::format::used(&data);
        let now = f.metadata().map_err(|e| e.to_string())?.len();
        if now > MAX_FILE_BYTES {
            return Err(format!(
                "it is {now} bytes, more than the {MAX_FILE_BYTES} promdef reads"
            ));
        }
        // Consistent: the header covers what was read. A short read of a
        // file that is longer now (shrunk and refilled meanwhile) or a
        // header past what was read (grown meanwhile) is read again.
        let short = data.len() < 8 && now >= 8;
        if !short && used >= 0 && (used as usize) <= data.len() {
            return Ok(Some(data));
        }
        if !short && (used as u64) > now {
            return Err(format!("header says {used} bytes used, file has {now}"));
        }
        len = now;
    }
    Err("it kept changing size while being read".into())
}

/// Opens (creating it exclusively if missing) a file this process writes
/// and maps: this pid's own file. An existing one (a stale file of a dead
/// process that had this pid, which Python continues too) is opened only if
/// it is a regular file owned by this user with one link.
pub(crate) fn open_own(path: &Path) -> Result<File, Error> {
    let io_err = |source: io::Error| Error::Io {
        path: path.to_owned(),
        source,
    };
    let created = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path);
    match created {
        Ok(f) => return Ok(f),
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(io_err(e)),
        Err(_) => {}
    }
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                refused(path, "it is a symlink")
            } else {
                io_err(e)
            }
        })?;
    let meta = f.metadata().map_err(io_err)?;
    if !meta.file_type().is_file() {
        return Err(refused(path, "it is not a regular file"));
    }
    if meta.uid() != euid() {
        return Err(refused(path, "it belongs to another user"));
    }
    if meta.nlink() != 1 {
        return Err(refused(path, "it has other hard links"));
    }
    Ok(f)
}

fn refused(path: &Path, why: &str) -> Error {
    Error::Refused {
        path: path.to_owned(),
        reason: format!("{why}; promdef writes only files it created"),
    }
}

/// Creates a new file exclusively (a temp file of compaction): a stale one
/// of ours from a crashed run is removed first; a name another user planted
/// is an error (their file is left alone).
pub(crate) fn create_new(path: &Path) -> Result<File, Error> {
    let open = || {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
    };
    match open() {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let meta = std::fs::symlink_metadata(path).map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })?;
            if !(meta.file_type().is_file() && meta.uid() == euid()) {
                return Err(refused(
                    path,
                    "a file of another user or a symlink has this name",
                ));
            }
            remove(path)?;
            open().map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })
        }
        Err(source) => Err(Error::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Whether `path` still names the file `f` is open on (so a rename moves
/// what promdef wrote, not a file swapped in meanwhile).
pub(crate) fn still_names(f: &File, path: &Path) -> bool {
    match (f.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Removes `path` (a symlink itself, never its target); missing is fine.
pub(crate) fn remove(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::Io {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Reads a small control file promdef wrote (the compaction journal): only a
/// regular file owned by this user, of at most `max` bytes.
pub(crate) fn read_own_small(path: &Path, max: u64) -> Option<Vec<u8>> {
    let (f, len) = open_read(path).ok()??;
    let meta = f.metadata().ok()?;
    if meta.uid() != euid() || len > max {
        return None;
    }
    read_at_most(&f, len as usize).ok()
}

/// The file's metadata says it is ours: regular, owned by this user.
pub(crate) fn owned_regular(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file() && m.uid() == euid())
}
