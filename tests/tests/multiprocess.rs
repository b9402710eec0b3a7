//! Multi-process mode against Python `prometheus_client`: Rust workers (this
//! test binary re-run with `PROMDEF_MP_WORKER`) and Python workers write
//! into one directory; Python's `MultiProcessCollector` and promdef's merge
//! must report the same exact totals.

use promdef_tests::{python_with_client, skip};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

promdef::metrics! {
    /// Job kind.
    label kind { values: [a, b] }
    /// Queue name.
    label queue { max_values: 10 }
    /// Jobs done.
    pub counter mp_jobs_total(kind, queue);
    /// Plain count.
    pub counter mp_plain_total;
    /// Largest worker id.
    pub gauge mp_max { multiprocess_mode: max }
    /// Worker id, per process.
    pub gauge mp_last { multiprocess_mode: all }
    /// Busy workers.
    pub gauge mp_busy { multiprocess_mode: livesum }
    /// Work latency.
    pub histogram mp_latency_seconds { unit: seconds, buckets: [0.1, 1] }
    /// Payload size.
    pub summary mp_size_bytes { unit: bytes }
    /// Acknowledged increments of the crash worker.
    pub gauge mp_ack { multiprocess_mode: all }
    /// Id of the worker that set it last.
    pub gauge mp_recent { multiprocess_mode: mostrecent }
    /// Item.
    label item { max_values: 100000 }
    /// Many series, to grow the file.
    pub counter mp_grow_total(item);
    /// Flips between two values.
    pub gauge mp_flip { multiprocess_mode: max }
    /// A slot, bounded at 3 values.
    label slot { max_values: 3 }
    /// Capped per process.
    pub counter mp_capped_total(slot);
}

const N: u64 = 500;
/// Series of the growth worker: ~300 KiB of entries, so 64 KiB doubles 3 times.
const GROW: usize = 3000;
const THREAD_INCS: u64 = 10_000;
/// Two values whose halves differ, so a torn read would be neither.
const FLIP: [f64; 2] = [1.0e300, -3.5e-300];

/// Sample name + sorted labels → value, as both collectors report it.
type Samples = BTreeMap<String, f64>;

fn sample_key(name: &str, labels: &BTreeMap<String, String>) -> String {
    format!("{name}{}", serde_json::to_string(labels).unwrap())
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("promdef-mp-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    promdef::multiprocess::wipe_dir(&d).unwrap();
    d
}

/// The worker body, run in a child process.
fn rust_worker(dir: &str, id: u64, n: u64) {
    // `spawn_worker` sets PROMETHEUS_MULTIPROC_DIR to `dir` for these.
    assert_eq!(
        std::env::var("PROMETHEUS_MULTIPROC_DIR").as_deref(),
        Ok(dir)
    );
    assert!(promdef::multiprocess::enable_from_env().unwrap());
    let _busy = MP_BUSY.track_inprogress();
    MP_MAX.set(id as f64);
    MP_LAST.set(id as f64);
    MP_RECENT.set(id as f64);
    for _ in 0..n {
        MP_JOBS_TOTAL
            .with(MpJobsTotalLabels {
                kind: Kind::A,
                queue: "x",
            })
            .inc();
        MP_JOBS_TOTAL
            .with(MpJobsTotalLabels {
                kind: Kind::B,
                queue: "y",
            })
            .inc_by(2);
        MP_PLAIN_TOTAL.inc();
        MP_LATENCY_SECONDS.observe(0.05);
        MP_LATENCY_SECONDS.observe(0.5);
        MP_LATENCY_SECONDS.observe(5.0);
        MP_SIZE_BYTES.observe(2.0);
    }
}

/// Entry point of worker processes; a no-op in a normal test run.
#[test]
fn worker_entry() {
    let Ok(spec) = std::env::var("PROMDEF_MP_WORKER") else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    match parts[0] {
        "work" => rust_worker(parts[1], parts[2].parse().unwrap(), N),
        "crash" => {
            promdef::multiprocess::enable(parts[1]).unwrap();
            // Bounded, in case the test dies before killing it.
            let end = std::time::Instant::now() + Duration::from_secs(30);
            let mut i = 0u64;
            while !i.is_multiple_of(65536) || std::time::Instant::now() < end {
                MP_PLAIN_TOTAL.inc();
                i += 1;
                MP_ACK.set(i as f64);
            }
        }
        "fork" => {
            promdef::multiprocess::enable(parts[1]).unwrap();
            MP_PLAIN_TOTAL.inc_by(10);
            MP_GROW_TOTAL
                .with(MpGrowTotalLabels { item: "old" })
                .inc_by(7);
            // SAFETY: the child only updates metrics and exits.
            let pid = unsafe { libc_fork() };
            if pid == 0 {
                MP_PLAIN_TOTAL.inc_by(3);
                // An open-label series the parent created, and a new one.
                MP_GROW_TOTAL.with(MpGrowTotalLabels { item: "old" }).inc();
                MP_GROW_TOTAL.with(MpGrowTotalLabels { item: "new" }).inc();
                std::process::exit(0);
            }
            assert!(pid > 0);
            let mut status = 0;
            // SAFETY: waiting for our own child.
            unsafe { waitpid(pid, &mut status, 0) };
            MP_PLAIN_TOTAL.inc();
            println!("CHILD {pid}");
        }
        "grow" => {
            promdef::multiprocess::enable(parts[1]).unwrap();
            // A handle taken before the file grows must stay valid after.
            let first = MP_GROW_TOTAL.with(MpGrowTotalLabels { item: "item-0" });
            for i in 0..GROW {
                if i % 100 == 0 {
                    // Slow enough for the test to scrape while files grow.
                    std::thread::sleep(Duration::from_millis(2));
                }
                MP_GROW_TOTAL
                    .with(MpGrowTotalLabels {
                        item: &format!("item-{i}"),
                    })
                    .inc();
            }
            first.inc_by(5);
            std::thread::scope(|s| {
                for _ in 0..4 {
                    s.spawn(|| (0..THREAD_INCS).for_each(|_| MP_PLAIN_TOTAL.inc()));
                }
            });
        }
        "live" => {
            promdef::multiprocess::enable(parts[1]).unwrap();
            MP_BUSY.set(1.0);
            println!("READY");
            std::thread::sleep(Duration::from_secs(60));
        }
        "flip" => {
            promdef::multiprocess::enable(parts[1]).unwrap();
            let end = std::time::Instant::now() + Duration::from_secs(30);
            while std::time::Instant::now() < end {
                for _ in 0..4096 {
                    MP_FLIP.set(FLIP[0]);
                    MP_FLIP.set(FLIP[1]);
                }
            }
        }
        "overflow" => {
            promdef::multiprocess::enable(parts[1]).unwrap();
            for i in 0..10 {
                MP_CAPPED_TOTAL
                    .with(MpCappedTotalLabels {
                        slot: &format!("s{i}"),
                    })
                    .inc();
            }
        }
        other => panic!("unknown worker {other}"),
    }
}

extern "C" {
    #[link_name = "fork"]
    fn libc_fork() -> i32;
    fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
}

fn spawn_worker(spec: &str) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["worker_entry", "--exact", "--nocapture", "--test-threads=1"])
        .env("PROMDEF_MP_WORKER", spec)
        .env(
            "PROMETHEUS_MULTIPROC_DIR",
            spec.split('|').nth(1).unwrap_or(""),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap()
}

fn run_rust_workers(dir: &Path, ids: std::ops::Range<u64>) {
    let children: Vec<_> = ids
        .map(|id| spawn_worker(&format!("work|{}|{id}", dir.display())))
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "rust worker failed");
    }
}

const PY_WORKER: &str = r#"
import os, sys
from prometheus_client import Counter, Gauge, Histogram, Summary
wid = int(sys.argv[1]); n = int(sys.argv[2])
jobs = Counter('mp_jobs_total', 'Jobs done.', ['kind', 'queue'])
plain = Counter('mp_plain_total', 'Plain count.')
mx = Gauge('mp_max', 'Largest worker id.', multiprocess_mode='max')
last = Gauge('mp_last', 'Worker id, per process.', multiprocess_mode='all')
busy = Gauge('mp_busy', 'Busy workers.', multiprocess_mode='livesum')
recent = Gauge('mp_recent', 'Id of the worker that set it last.', multiprocess_mode='mostrecent')
recent.set(wid)
Counter('mp_frac_total', 'Fractional increments.').inc(0.25)
lat = Histogram('mp_latency_seconds', 'Work latency.', buckets=[0.1, 1])
size = Summary('mp_size_bytes', 'Payload size.')
busy.inc()
mx.set(wid); last.set(wid)
for _ in range(n):
    jobs.labels('a', 'x').inc(); jobs.labels('b', 'y').inc(2); plain.inc()
    lat.observe(0.05); lat.observe(0.5); lat.observe(5.0); size.observe(2.0)
busy.dec()
"#;

const PY_READER: &str = r#"
import json, sys
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
import glob
from prometheus_client.mmap_dict import MmapedDict
for f in glob.glob(sys.argv[1] + '/*.db'):
    for k, _, _, _ in MmapedDict.read_all_values_from_file(f):
        # Every key, Rust's included, is exactly what Python's mmap_key writes.
        m, n, labels, h = json.loads(k)
        assert json.dumps([m, n, labels, h], sort_keys=True) == k, (f, k)
r = CollectorRegistry()
MultiProcessCollector(r, path=sys.argv[1])
out = {}
for m in r.collect():
    for s in m.samples:
        out[s.name + json.dumps(s.labels, sort_keys=True, separators=(',', ':'))] = s.value
print(json.dumps(out))
"#;

fn run_python_workers(py: &str, dir: &Path, ids: std::ops::Range<u64>) {
    let children: Vec<_> = ids
        .map(|id| {
            Command::new(py)
                .args(["-c", PY_WORKER, &id.to_string(), &N.to_string()])
                .env("PROMETHEUS_MULTIPROC_DIR", dir)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "python worker failed");
    }
}

fn python_read(py: &str, dir: &Path) -> Samples {
    let (ok, out, err) = promdef_tests::run_with_input(
        Command::new(py).args(["-c", PY_READER, dir.to_str().unwrap()]),
        "",
        Duration::from_secs(60),
    )
    .unwrap();
    assert!(ok, "python reader failed: {err}");
    let m: BTreeMap<String, f64> = serde_json::from_str(&out).unwrap();
    // Python adds `pid` labels only to `all` gauges, as promdef does.
    m
}

fn promdef_read(dir: &Path) -> Samples {
    let merged = promdef::multiprocess::merge_dir(dir);
    assert!(merged.errors.is_empty(), "{:?}", merged.errors);
    let mut out = Samples::new();
    for f in &merged.families {
        for (name, labels, v) in f.samples() {
            out.insert(sample_key(&name, &labels), v);
        }
    }
    out
}

/// Exact totals of `workers` workers with ids `0..workers` (pids as given).
fn expected(pids: &[u32]) -> Samples {
    let w = pids.len() as f64;
    let n = N as f64 * w;
    let mut e = Samples::new();
    let l = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    e.insert(
        sample_key("mp_jobs_total", &l(&[("kind", "a"), ("queue", "x")])),
        n,
    );
    e.insert(
        sample_key("mp_jobs_total", &l(&[("kind", "b"), ("queue", "y")])),
        2.0 * n,
    );
    e.insert(sample_key("mp_plain_total", &l(&[])), n);
    e.insert(sample_key("mp_max", &l(&[])), w - 1.0);
    e.insert(
        sample_key("mp_latency_seconds_bucket", &l(&[("le", "0.1")])),
        n,
    );
    e.insert(
        sample_key("mp_latency_seconds_bucket", &l(&[("le", "1.0")])),
        2.0 * n,
    );
    e.insert(
        sample_key("mp_latency_seconds_bucket", &l(&[("le", "+Inf")])),
        3.0 * n,
    );
    e.insert(sample_key("mp_latency_seconds_count", &l(&[])), 3.0 * n);
    e.insert(sample_key("mp_latency_seconds_sum", &l(&[])), 5.55 * n);
    e.insert(sample_key("mp_size_bytes_count", &l(&[])), n);
    e.insert(sample_key("mp_size_bytes_sum", &l(&[])), 2.0 * n);
    e
}

/// Checks `got` has every expected sample (sums within float rounding),
/// one `mp_last` per worker pid, and that live gauges of exited workers are 0/absent.
fn check(what: &str, got: &Samples, pids: usize) {
    let want = expected(&vec![0; pids]);
    for (k, v) in &want {
        let g = got
            .get(k)
            .unwrap_or_else(|| panic!("{what}: missing {k} in {got:#?}"));
        let tol = if k.contains("_sum") {
            1e-9 * v.abs()
        } else {
            0.0
        };
        assert!((g - v).abs() <= tol, "{what}: {k} = {g}, want {v}");
    }
    let lasts: Vec<f64> = got
        .iter()
        .filter(|(k, _)| k.starts_with("mp_last{"))
        .map(|(_, v)| *v)
        .collect();
    let mut ids = lasts.clone();
    ids.sort_by(f64::total_cmp);
    assert_eq!(
        ids,
        (0..pids).map(|i| i as f64).collect::<Vec<_>>(),
        "{what}: mp_last per pid"
    );
}

fn python_or_skip(test: &str) -> Option<String> {
    let py = python_with_client();
    if py.is_none() {
        skip(test, "python3 with prometheus_client not found");
    }
    py
}

#[test]
fn rust_workers_python_reads_exact_totals() {
    let Some(py) = python_or_skip("rust_workers_python_reads_exact_totals") else {
        return;
    };
    let dir = temp_dir("rust");
    run_rust_workers(&dir, 0..4);
    let py_view = python_read(&py, &dir);
    check("python over rust files", &py_view, 4);
    let ours = promdef_read(&dir);
    check("promdef over rust files", &ours, 4);
    // Python's collector does not check liveness; promdef leaves the exited
    // workers' `livesum` out, Python counts their final 0.
    assert_eq!(py_view.get("mp_busy{}"), Some(&0.0));
    assert_eq!(ours.get("mp_busy{}"), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn python_workers_promdef_reads_exact_totals() {
    let Some(py) = python_or_skip("python_workers_promdef_reads_exact_totals") else {
        return;
    };
    let dir = temp_dir("py");
    run_python_workers(&py, &dir, 0..3);
    let ours = promdef_read(&dir);
    check("promdef over python files", &ours, 3);
    let py_view = python_read(&py, &dir);
    for (k, v) in &py_view {
        if k.starts_with("mp_busy") {
            continue; // liveness, see above
        }
        let o = ours.get(k).unwrap_or_else(|| panic!("promdef lacks {k}"));
        assert!(
            (o - v).abs() <= 1e-9 * v.abs(),
            "{k}: promdef {o}, python {v}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mixed_rust_and_python_workers_one_exposition() {
    let Some(py) = python_or_skip("mixed_rust_and_python_workers_one_exposition") else {
        return;
    };
    let dir = temp_dir("mixed");
    run_rust_workers(&dir, 0..2);
    run_python_workers(&py, &dir, 2..4);
    check("promdef over mixed files", &promdef_read(&dir), 4);
    check("python over mixed files", &python_read(&py, &dir), 4);
    // The same merge through the registry's normal text exposition.
    static SCRAPE: promdef::Registry = promdef::Registry::new();
    promdef::multiprocess::set_merged(&SCRAPE, &dir);
    let text = SCRAPE.render_text();
    assert!(text.contains("mp_plain_total 2000\n"), "{text}");
    // Python counters may grow by fractions: exposed exactly.
    assert!(text.contains("mp_frac_total 0.5\n"), "{text}");
    assert!(
        text.contains("mp_latency_seconds_bucket{le=\"1\"} 4000\n"),
        "{text}"
    );
    assert!(
        text.contains("mp_jobs_total{kind=\"b\",queue=\"y\"} 4000\n"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_file_is_named_and_skipped() {
    let dir = temp_dir("corrupt");
    run_rust_workers(&dir, 0..1);
    std::fs::write(dir.join("counter_999999.db"), [0xff_u8; 64]).unwrap();
    // A sound layout whose second key is not Python's JSON: the whole file
    // is skipped, its first (valid) entry included.
    let mut bad = vec![0u8; 8];
    for key in [
        r#"["mp_plain", "mp_plain_total", {}, "Plain count."]"#,
        "[not json",
    ] {
        bad.extend_from_slice(&(key.len() as i32).to_ne_bytes());
        bad.extend_from_slice(key.as_bytes());
        bad.extend(std::iter::repeat_n(b' ', 8 - (key.len() + 4) % 8));
        bad.extend_from_slice(&7f64.to_ne_bytes());
        bad.extend_from_slice(&0f64.to_ne_bytes());
    }
    let used = bad.len() as i32;
    bad[..4].copy_from_slice(&used.to_ne_bytes());
    std::fs::write(dir.join("counter_999998.db"), &bad).unwrap();
    let merged = promdef::multiprocess::merge_dir(&dir);
    let errors: Vec<String> = merged.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].contains("counter_999998.db") && errors[0].contains("[not json"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("counter_999999.db") && errors[1].contains("corrupt"),
        "{errors:?}"
    );
    let total: f64 = merged
        .families
        .iter()
        .flat_map(|f| f.samples())
        .filter(|(n, _, _)| n == "mp_plain_total")
        .map(|(_, _, v)| v)
        .sum();
    assert_eq!(total, N as f64);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigkill_loses_at_most_the_increment_in_flight() {
    let dir = temp_dir("kill");
    for round in 0..3 {
        let mut child = spawn_worker(&format!("crash|{}", dir.display()));
        std::thread::sleep(Duration::from_millis(300 + 100 * round));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let merged = promdef::multiprocess::merge_dir(&dir);
    assert!(merged.errors.is_empty(), "{:?}", merged.errors);
    let all: Vec<_> = merged.families.iter().flat_map(|f| f.samples()).collect();
    let mut acks = 0;
    for (name, labels, ack) in all.iter().filter(|(n, _, _)| n == "mp_ack") {
        let pid = &labels["pid"];
        let count = plain_total_in(&dir.join(format!("counter_{pid}.db")));
        assert!(*ack > 0.0, "{name}: worker made no progress");
        assert!(
            count == *ack || count == *ack + 1.0,
            "pid {pid}: file has {count}, worker acknowledged {ack}"
        );
        acks += 1;
    }
    assert_eq!(acks, 3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The samples of one process's file alone (merged from a directory
/// holding only a copy of it).
fn samples_in(file: &Path) -> Samples {
    let d = file.with_extension("one");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(file, d.join(file.file_name().unwrap())).unwrap();
    let s = promdef_read(&d);
    let _ = std::fs::remove_dir_all(&d);
    s
}

/// `mp_plain_total` in one process's counter file.
fn plain_total_in(file: &Path) -> f64 {
    samples_in(file)
        .get("mp_plain_total{}")
        .copied()
        .unwrap_or(0.0)
}

#[test]
fn fork_child_writes_its_own_file_from_zero() {
    let dir = temp_dir("fork");
    let child = spawn_worker(&format!("fork|{}", dir.display()));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    let child_pid: u32 = out
        .lines()
        .find_map(|l| l.split("CHILD ").nth(1))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The child's 3 went to its own file, not the parent's (10 + 1).
    assert_eq!(
        plain_total_in(&dir.join(format!("counter_{child_pid}.db"))),
        3.0
    );
    let total: f64 = promdef_read(&dir)
        .iter()
        .filter(|(k, _)| k.starts_with("mp_plain_total"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(total, 14.0);
    let child = samples_in(&dir.join(format!("counter_{child_pid}.db")));
    assert_eq!(
        child[r#"mp_grow_total{"item":"old"}"#], 1.0,
        "child's own file"
    );
    assert_eq!(child[r#"mp_grow_total{"item":"new"}"#], 1.0);
    let all = promdef_read(&dir);
    assert_eq!(
        all[r#"mp_grow_total{"item":"old"}"#], 8.0,
        "7 parent + 1 child"
    );
    assert_eq!(all[r#"mp_grow_total{"item":"new"}"#], 1.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `a` and `b` hold the same samples (sums within float rounding: folding
/// changes the order of additions).
fn assert_same(what: &str, a: &Samples, b: &Samples) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: sample sets differ"
    );
    for (k, v) in a {
        let w = b[k];
        assert!(
            (v - w).abs() <= 1e-9 * v.abs(),
            "{what}: {k} = {w}, want {v}"
        );
    }
}

fn process_files(dir: &Path, kind: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.strip_prefix(kind)
                .and_then(|r| r.strip_prefix('_'))
                .and_then(|r| r.strip_suffix(".db"))
                .is_some_and(|p| p.parse::<u32>().is_ok())
        })
        .count()
}

#[test]
fn compaction_interrupted_at_each_step_loses_and_duplicates_nothing() {
    let py = python_with_client();
    // 1: temp archives written; 2: journal committed; 3: one archive renamed;
    // 6: half the sources deleted; 4: all deleted; MAX: finished.
    for stop in [1u8, 2, 3, 6, 4, u8::MAX] {
        let dir = temp_dir(&format!("compact-{stop}"));
        // An archive from an earlier compaction, then more dead workers.
        run_rust_workers(&dir, 0..1);
        promdef::multiprocess::compact(&dir).unwrap();
        run_rust_workers(&dir, 1..3);
        let before = promdef_read(&dir);
        assert_eq!(before["mp_plain_total{}"], 3.0 * N as f64);

        promdef::multiprocess::compact_until(&dir, stop).unwrap();
        assert_same(
            &format!("crashed after step {stop}"),
            &before,
            &promdef_read(&dir),
        );

        let done = promdef::multiprocess::compact(&dir).unwrap();
        let committed = (2..=6).contains(&stop);
        assert_eq!(done.recovered, committed, "stop {stop}");
        assert_same(
            &format!("recovered from step {stop}"),
            &before,
            &promdef_read(&dir),
        );
        for kind in ["counter", "histogram", "summary"] {
            assert_eq!(
                process_files(&dir, kind),
                0,
                "stop {stop}: {kind} files left"
            );
            assert!(dir.join(format!("{kind}_archive.db")).exists());
        }
        assert!(!dir.join("compact.journal").exists());
        if let Some(py) = &py {
            // Python's collector reads the archives as ordinary files.
            let theirs = python_read(py, &dir);
            for (k, v) in &before {
                let t = theirs.get(k).unwrap_or_else(|| panic!("python lacks {k}"));
                assert!(
                    (v - t).abs() <= 1e-9 * v.abs(),
                    "python {k} = {t}, want {v}"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn mostrecent_gauge_is_the_last_writer_rust_or_python() {
    let Some(py) = python_or_skip("mostrecent_gauge_is_the_last_writer_rust_or_python") else {
        return;
    };
    for order in [["rust", "python", "rust"], ["python", "rust", "python"]] {
        let dir = temp_dir(&format!("recent-{}", order[0]));
        for (id, who) in order.iter().enumerate() {
            let id = id as u64;
            match *who {
                "rust" => run_rust_workers(&dir, id..id + 1),
                _ => run_python_workers(&py, &dir, id..id + 1),
            }
        }
        assert_eq!(promdef_read(&dir)["mp_recent{}"], 2.0, "{order:?}");
        assert_eq!(python_read(&py, &dir)["mp_recent{}"], 2.0, "{order:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn descriptors_carry_the_declared_multiprocess_mode() {
    let mode = |name: &str| {
        promdef::registry()
            .get(name)
            .unwrap()
            .descriptor()
            .multiprocess_mode
    };
    assert_eq!(mode("mp_max"), "max");
    assert_eq!(mode("mp_busy"), "livesum");
    assert_eq!(mode("mp_plain_total"), "all"); // Python's default
}

#[test]
fn files_grow_and_early_handles_stay_valid_under_threads() {
    let dir = temp_dir("grow");
    let mut child = spawn_worker(&format!("grow|{}", dir.display()));
    // Scrapes while the file grows see no error and never lose a series
    // they saw before.
    let mut seen = 0;
    while child.try_wait().unwrap().is_none() {
        let m = promdef::multiprocess::merge_dir(&dir);
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        let n = m
            .families
            .iter()
            .flat_map(|f| f.samples())
            .filter(|(n, _, _)| n == "mp_grow_total")
            .count();
        assert!(n >= seen, "{n} series after {seen}");
        seen = n;
    }
    assert!(child.wait().unwrap().success());
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("counter_"))
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].metadata().unwrap().len(),
        512 * 1024,
        "64 KiB doubled 3 times"
    );
    let ours = promdef_read(&dir);
    let grow: Vec<f64> = ours
        .iter()
        .filter(|(k, _)| k.starts_with("mp_grow_total{"))
        .map(|(_, v)| *v)
        .collect();
    assert_eq!(grow.len(), GROW);
    assert_eq!(ours[r#"mp_grow_total{"item":"item-0"}"#], 6.0);
    assert_eq!(grow.iter().sum::<f64>(), GROW as f64 + 5.0);
    assert_eq!(ours["mp_plain_total{}"], 4.0 * THREAD_INCS as f64);
    if let Some(py) = python_with_client() {
        let theirs = python_read(&py, &dir);
        assert_eq!(theirs[r#"mp_grow_total{"item":"item-2999"}"#], 1.0);
        assert_eq!(theirs[r#"mp_grow_total{"item":"item-0"}"#], 6.0);
        assert_eq!(theirs["mp_plain_total{}"], 4.0 * THREAD_INCS as f64);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readers_never_see_a_torn_value() {
    let dir = temp_dir("flip");
    let mut child = spawn_worker(&format!("flip|{}", dir.display()));
    let mut reads = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while reads < 300 && std::time::Instant::now() < deadline {
        if let Some(v) = promdef_read(&dir).get("mp_flip{}") {
            // 0.0 before the first set.
            assert!(FLIP.contains(v) || *v == 0.0, "torn read: {v:e}");
            reads += 1;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(reads, 300);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mark_process_dead_removes_only_live_gauges_of_that_pid() {
    let dir = temp_dir("dead");
    let mut child = spawn_worker(&format!("live|{}", dir.display()));
    let pid = child.id();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    while !line.contains("READY") {
        line.clear();
        assert!(std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0);
    }
    assert_eq!(
        promdef_read(&dir).get("mp_busy{}"),
        Some(&1.0),
        "alive: counted"
    );
    promdef::multiprocess::mark_process_dead(&dir, pid).unwrap();
    let after = promdef_read(&dir);
    assert_eq!(after.get("mp_busy{}"), None, "marked dead: left out");
    assert!(after.contains_key("mp_plain_total{}"), "counters stay");
    assert!(dir.join(format!("gauge_max_{pid}.db")).exists());
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each process enforces its own cap; the overflow series and the
/// self-metric are ordinary series in its files, so Python's collector and
/// promdef's merge both show them, with every increment.
#[test]
fn capped_families_overflow_per_process_and_both_readers_see_it() {
    let dir = temp_dir("overflow");
    let children: Vec<_> = (0..2)
        .map(|_| spawn_worker(&format!("overflow|{}", dir.display())))
        .collect();
    for c in children {
        assert!(
            c.wait_with_output().unwrap().status.success(),
            "worker failed"
        );
    }
    let ours = promdef_read(&dir);
    let slot = |v: &str| format!("mp_capped_total{{\"slot\":\"{v}\"}}");
    for v in ["s0", "s1", "s2"] {
        assert_eq!(ours.get(&slot(v)), Some(&2.0), "{ours:?}");
    }
    assert_eq!(ours.get(&slot("__overflow__")), Some(&14.0), "{ours:?}");
    assert!(!ours.contains_key(&slot("s3")));
    let counted = "promdef_series_overflow_total{\"metric\":\"mp_capped_total\"}";
    assert_eq!(ours.get(counted), Some(&14.0), "{ours:?}");
    let Some(py) = python_or_skip("capped_families_overflow_per_process_and_both_readers_see_it")
    else {
        return;
    };
    let theirs = python_read(&py, &dir);
    for k in [slot("s0"), slot("__overflow__"), counted.to_string()] {
        assert_eq!(theirs.get(&k), ours.get(&k), "{k}: python {theirs:?}");
    }
}
