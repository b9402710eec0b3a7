//! Multi-process mode in a hostile shared directory: what another local user
//! may plant there (symlinks to victims, FIFOs, sparse giants, journals
//! naming `../victim`, files truncated mid-scrape) must never change a file
//! outside the directory, block or crash a scrape, or leak file contents into
//! messages. Writers run in child processes (this binary re-run with
//! `PROMDEF_HOSTILE_WORKER`), since `enable` is once per process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

promdef::metrics! {
    /// Jobs done.
    pub counter hostile_jobs_total;
    /// Queue length.
    pub gauge hostile_queue { multiprocess_mode: all }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("promdef-hostile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A file outside the directory that must stay byte-identical.
fn victim(tag: &str) -> (PathBuf, Vec<u8>) {
    let d = temp_dir(&format!("victim-{tag}"));
    let p = d.join("secret.txt");
    let content = b"TOP SECRET \x1b[31m credentials=hunter2\n".to_vec();
    std::fs::write(&p, &content).unwrap();
    (p, content)
}

/// A pid that no process has (beyond the kernel's maximum).
fn dead_pid() -> u32 {
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(4_194_304);
    max + 7
}

/// A valid process file with one counter entry.
fn process_file(name: &str, value: f64) -> Vec<u8> {
    let key = format!(r#"["hostile_jobs", "hostile_jobs_total", {{}}, "{name}"]"#);
    let mut data = vec![0u8; 8];
    data.extend_from_slice(&(key.len() as i32).to_ne_bytes());
    data.extend_from_slice(key.as_bytes());
    data.extend(std::iter::repeat_n(b' ', 8 - (key.len() + 4) % 8));
    data.extend_from_slice(&value.to_ne_bytes());
    data.extend_from_slice(&0f64.to_ne_bytes());
    let used = data.len() as i32;
    data[..4].copy_from_slice(&used.to_ne_bytes());
    data.resize(4096, 0);
    data
}

fn total(dir: &Path) -> (f64, Vec<String>) {
    let merged = promdef::multiprocess::merge_dir(dir);
    let sum = merged
        .families
        .iter()
        .flat_map(|f| f.samples())
        .filter(|(n, _, _)| n == "hostile_jobs_total")
        .map(|(_, _, v)| v)
        .sum();
    (sum, merged.errors.iter().map(|e| e.to_string()).collect())
}

/// Entry point of worker processes; a no-op in a normal test run.
#[test]
fn worker_entry() {
    let Ok(spec) = std::env::var("PROMDEF_HOSTILE_WORKER") else {
        return;
    };
    let (what, dir) = spec.split_once('|').unwrap();
    let pid = std::process::id();
    let dir = Path::new(dir);
    let own = dir.join(format!("counter_{pid}.db"));
    match what {
        // The attacker predicted this worker's pid.
        "symlink" => std::os::unix::fs::symlink(std::env::var("VICTIM").unwrap(), &own).unwrap(),
        "hardlink" => std::fs::hard_link(std::env::var("VICTIM").unwrap(), &own).unwrap(),
        "fifo" => {
            let c = std::ffi::CString::new(own.as_os_str().as_encoded_bytes()).unwrap();
            // SAFETY: mkfifo with a valid path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        }
        _ => {}
    }
    match promdef::multiprocess::enable(dir) {
        Ok(()) => println!("ENABLED"),
        Err(e) => println!("ERROR {e}"),
    }
    HOSTILE_JOBS_TOTAL.inc_by(5);
    HOSTILE_QUEUE.set(2.0);
    // Refused series keep counting in memory.
    println!("COUNT {}", HOSTILE_JOBS_TOTAL.get());
}

fn run_worker(what: &str, dir: &Path, victim: Option<&Path>) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["worker_entry", "--exact", "--nocapture", "--test-threads=1"])
        .env(
            "PROMDEF_HOSTILE_WORKER",
            format!("{what}|{}", dir.display()),
        );
    if let Some(v) = victim {
        cmd.env("VICTIM", v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn writers_never_follow_or_reuse_a_planted_file() {
    for what in ["symlink", "hardlink", "fifo"] {
        let dir = temp_dir(what);
        let (v, content) = victim(what);
        let out = run_worker(what, &dir, Some(&v));
        assert!(out.contains("ERROR refusing to write"), "{what}: {out}");
        assert!(out.contains("COUNT 5"), "{what}: {out}");
        assert_eq!(
            std::fs::read(&v).unwrap(),
            content,
            "{what}: the victim changed"
        );
        // No secret in the message.
        assert!(!out.contains("hunter2"), "{what}: {out}");
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(v.parent().unwrap());
    }
    // An ordinary directory: enabled, and the value is in the file.
    let dir = temp_dir("plain");
    let out = run_worker("plain", &dir, None);
    assert!(out.contains("ENABLED"), "{out}");
    assert_eq!(total(&dir).0, 5.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn world_writable_directory_without_sticky_bit_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("world");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = run_worker("plain", &dir, None);
    assert!(
        out.contains("world-writable without the sticky bit (mode 777)"),
        "{out}"
    );
    let (_, errors) = total(&dir);
    assert!(errors[0].contains("world-writable"), "{errors:?}");
    assert!(promdef::multiprocess::compact(&dir).is_err());
    // The usual `/tmp`-style mode is fine.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let out = run_worker("plain", &dir, None);
    assert!(out.contains("ENABLED"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compaction_never_touches_what_a_journal_names_outside_its_files() {
    let dir = temp_dir("journal");
    let (v, content) = victim("journal");
    let dead = dead_pid();
    std::fs::write(
        dir.join(format!("counter_{dead}.db")),
        process_file("a", 3.0),
    )
    .unwrap();
    let rel = Path::new("..")
        .join(v.parent().unwrap().file_name().unwrap())
        .join("secret.txt");
    std::fs::write(
        dir.join("compact.journal"),
        format!(
            "promdef-compact 1\ngeneration 1\n{}\n{}\ncounter_{dead}.db.tmp\ngauge_all_{dead}.db\n",
            rel.display(),
            v.display()
        ),
    )
    .unwrap();
    let done = promdef::multiprocess::compact(&dir).unwrap();
    assert!(done.recovered);
    assert_eq!(done.skipped.len(), 4, "{:?}", done.skipped);
    assert!(done.skipped[0].contains("is not a process file of this directory"));
    assert_eq!(std::fs::read(&v).unwrap(), content, "the victim changed");
    // The real dead source was folded, once.
    assert_eq!(done.folded, 1);
    assert_eq!(total(&dir).0, 3.0);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(v.parent().unwrap());
}

#[test]
fn a_planted_journal_hides_no_live_file() {
    let dir = temp_dir("hide");
    // This test process is alive: its file must always count.
    let me = format!("counter_{}.db", std::process::id());
    std::fs::write(dir.join(&me), process_file("a", 4.0)).unwrap();
    for generation in [0, 1, 7] {
        std::fs::write(
            dir.join("compact.journal"),
            format!("promdef-compact 1\ngeneration {generation}\n{me}\n"),
        )
        .unwrap();
        assert_eq!(total(&dir).0, 4.0, "generation {generation}");
    }
    // Even with an archive of that generation in place.
    std::fs::write(dir.join("counter_archive.db"), {
        let mut a = process_file("b", 1.0);
        a[4..8].copy_from_slice(&7u32.to_ne_bytes());
        a
    })
    .unwrap();
    assert_eq!(total(&dir).0, 5.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compaction_temp_files_and_the_lock_never_follow_symlinks() {
    let dir = temp_dir("tmp");
    let (v, content) = victim("tmp");
    let dead = dead_pid();
    std::fs::write(
        dir.join(format!("counter_{dead}.db")),
        process_file("a", 2.0),
    )
    .unwrap();
    std::os::unix::fs::symlink(&v, dir.join("counter_archive.db.tmp")).unwrap();
    let err = promdef::multiprocess::compact(&dir)
        .unwrap_err()
        .to_string();
    assert!(err.contains("counter_archive.db.tmp"), "{err}");
    assert_eq!(std::fs::read(&v).unwrap(), content, "the victim changed");
    assert_eq!(total(&dir).0, 2.0, "nothing committed, nothing lost");
    std::fs::remove_file(dir.join("counter_archive.db.tmp")).unwrap();

    // A lock symlink to a path that does not exist: a scrape creates nothing there.
    let target = v.parent().unwrap().join("created-by-scrape");
    std::fs::remove_file(dir.join("compact.lock")).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("compact.lock")).unwrap();
    assert_eq!(total(&dir).0, 2.0);
    assert!(
        !target.exists(),
        "a scrape created a file through the lock symlink"
    );
    assert!(promdef::multiprocess::compact(&dir).is_err());
    assert!(!target.exists());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(v.parent().unwrap());
}

/// Runs `f` on a thread and fails if it does not finish within `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).expect("did not finish in time")
}

#[test]
fn fifos_giants_and_symlinks_are_skipped_quickly_and_named() {
    let dir = temp_dir("odd");
    let (v, _) = victim("odd");
    let dead = dead_pid();
    std::fs::write(
        dir.join(format!("counter_{dead}.db")),
        process_file("a", 1.0),
    )
    .unwrap();
    let fifo =
        std::ffi::CString::new(dir.join("counter_1.db").as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo with a valid path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    // A sparse 2 GiB file claiming almost all of it is used.
    let giant = std::fs::File::create(dir.join("counter_2.db")).unwrap();
    giant.set_len(2 << 30).unwrap();
    std::os::unix::fs::FileExt::write_at(&giant, &(i32::MAX).to_ne_bytes(), 0).unwrap();
    std::os::unix::fs::symlink(&v, dir.join("counter_3.db")).unwrap();
    let d = dir.clone();
    let started = Instant::now();
    let (sum, errors) = within(Duration::from_secs(10), move || total(&d));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sum, 1.0);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("counter_1.db") && e.contains("not a regular file")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("counter_2.db") && e.contains("more than the 268435456")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("counter_3.db") && e.contains("symlink")),
        "{errors:?}"
    );
    assert!(errors.iter().all(|e| !e.contains("hunter2")), "{errors:?}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(v.parent().unwrap());
}

#[test]
fn messages_quote_and_cut_file_content() {
    let dir = temp_dir("msg");
    // A 10 MB key of escape sequences and newlines.
    let key: String = "\u{1b}[2J\n".repeat(2_000_000);
    let mut data = vec![0u8; 8];
    data.extend_from_slice(&(key.len() as i32).to_ne_bytes());
    data.extend_from_slice(key.as_bytes());
    data.extend(std::iter::repeat_n(b' ', 8 - (key.len() + 4) % 8));
    data.extend_from_slice(&[0u8; 16]);
    let used = data.len() as i32;
    data[..4].copy_from_slice(&used.to_ne_bytes());
    std::fs::write(dir.join(format!("counter_{}.db", dead_pid())), &data).unwrap();
    // A file name with control characters.
    std::fs::write(dir.join("counter_4.db\u{1b}[31m"), b"x").unwrap();
    let (_, errors) = total(&dir);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert!(e.len() < 400, "{} bytes", e.len());
    assert!(!e.contains('\u{1b}') && !e.contains('\n'), "{e:?}");
    assert!(e.contains("\\u{1b}[2J\\n"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_truncated_while_being_scraped_never_crashes_the_scraper() {
    let dir = temp_dir("trunc");
    let path = dir.join(format!("counter_{}.db", dead_pid()));
    let full = {
        let mut f = process_file("a", 9.0);
        f.resize(1 << 20, 0);
        f
    };
    std::fs::write(&path, &full).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s = stop.clone();
    let p = path.clone();
    let truncator = std::thread::spawn(move || {
        let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
        while !s.load(std::sync::atomic::Ordering::Relaxed) {
            f.set_len(0).unwrap();
            std::os::unix::fs::FileExt::write_at(&f, &full, 0).unwrap();
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    let mut seen = 0;
    let mut why = std::collections::BTreeSet::new();
    let end = Instant::now() + Duration::from_secs(1);
    let mut scrapes = 0;
    while Instant::now() < end {
        scrapes += 1;
        // A read races with truncation: the whole value, or a skipped file.
        let (sum, errors) = total(&dir);
        assert!(sum == 9.0 || sum == 0.0, "{sum}");
        seen += usize::from(sum == 9.0);
        why.extend(errors);
    }
    eprintln!("{seen} of {scrapes} scrapes read the file; skipped because: {why:?}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    truncator.join().unwrap();
    assert!(seen > 0);
    let _ = std::fs::remove_dir_all(&dir);
}
