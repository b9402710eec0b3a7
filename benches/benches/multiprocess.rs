//! Multi-process mode: the update cost with the mode off and on, and scrape
//! time against the number of worker processes' files, beside Python
//! `prometheus_client`'s `MultiProcessCollector` over the same directory
//! (timed in a `python3` subprocess; skipped when it is missing).
//!
//! `cargo bench -p promdef-benches --features multiprocess --bench multiprocess`

use criterion::{criterion_group, criterion_main, Criterion};
use promdef_benches::*;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One file in Python's layout: `used` header, then (len, key, padding, value, timestamp).
fn write_db(path: &Path, entries: &[(String, f64)]) {
    let mut data = vec![0u8; 8];
    for (k, v) in entries {
        let pad = 8 - (k.len() + 4) % 8;
        data.extend_from_slice(&(k.len() as i32).to_ne_bytes());
        data.extend_from_slice(k.as_bytes());
        data.extend(std::iter::repeat_n(b' ', pad));
        data.extend_from_slice(&v.to_ne_bytes());
        data.extend_from_slice(&0f64.to_ne_bytes());
    }
    let used = data.len() as i32;
    data[..4].copy_from_slice(&used.to_ne_bytes());
    data.resize(data.len().next_multiple_of(64 * 1024), 0);
    std::fs::write(path, data).unwrap();
}

/// `procs` fake worker processes, each with a counter file (20 series), a
/// histogram file (4 series × 13 buckets + sum) and a `max` gauge file (5 series).
fn make_dir(procs: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("promdef-mp-bench-{procs}-{}", std::process::id()));
    promdef::multiprocess::wipe_dir(&dir).unwrap();
    let les = [
        "0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1.0", "2.0",
        "5.0", "+Inf",
    ];
    for p in 0..procs {
        let pid = 4_000_000 + p;
        let counters: Vec<_> = (0..20)
            .map(|q| {
                let k = format!(r#"["jobs", "jobs_total", {{"queue": "q{q}"}}, "Jobs."]"#);
                (k, (p + q) as f64)
            })
            .collect();
        write_db(&dir.join(format!("counter_{pid}.db")), &counters);
        let mut hist = Vec::new();
        for r in 0..4 {
            for le in les {
                let k = format!(
                    r#"["latency_seconds", "latency_seconds_bucket", {{"le": "{le}", "route": "/r{r}"}}, "Latency."]"#
                );
                hist.push((k, 1.0));
            }
            let k = format!(
                r#"["latency_seconds", "latency_seconds_sum", {{"route": "/r{r}"}}, "Latency."]"#
            );
            hist.push((k, 0.5));
        }
        write_db(&dir.join(format!("histogram_{pid}.db")), &hist);
        let gauges: Vec<_> = (0..5)
            .map(|g| {
                let k = format!(r#"["pool_size", "pool_size", {{"pool": "p{g}"}}, "Pool."]"#);
                (k, p as f64)
            })
            .collect();
        write_db(&dir.join(format!("gauge_max_{pid}.db")), &gauges);
    }
    dir
}

const PY_TIMER: &str = r#"
import sys, time
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
r = CollectorRegistry()
MultiProcessCollector(r, path=sys.argv[1])
generate_latest(r)
times = []
end = time.perf_counter() + float(sys.argv[2])
while time.perf_counter() < end or len(times) < 5:
    t = time.perf_counter()
    generate_latest(r)
    times.append(time.perf_counter() - t)
times.sort()
print(times[len(times) // 2])
"#;

fn python_median(dir: &Path) -> Option<f64> {
    let out = Command::new("python3")
        .args(["-c", PY_TIMER, dir.to_str()?, "3"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

fn median_of(mut f: impl FnMut(), budget: Duration) -> f64 {
    let mut times = Vec::new();
    let end = Instant::now() + budget;
    while Instant::now() < end || times.len() < 5 {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

static SCRAPE: [promdef::Registry; 3] = [
    promdef::Registry::new(),
    promdef::Registry::new(),
    promdef::Registry::new(),
];

fn scrape(c: &mut Criterion) {
    let mut g = c.benchmark_group("mp_scrape");
    g.sample_size(10);
    for (i, procs) in [10usize, 100, 1000].into_iter().enumerate() {
        let dir = make_dir(procs);
        let reg = &SCRAPE[i];
        promdef::multiprocess::set_merged(reg, &dir);
        let text = reg.render_text();
        assert!(text.contains("jobs_total{queue=\"q0\"}"), "{text}");
        g.bench_function(format!("promdef_{procs}_procs_{}_files", procs * 3), |b| {
            b.iter(|| black_box(reg.render_text()))
        });
        let ours = median_of(
            || drop(black_box(reg.render_text())),
            Duration::from_secs(2),
        );
        match python_median(&dir) {
            Some(py) => eprintln!(
                "mp_scrape {procs} processes ({} files): promdef {:.3} ms, python prometheus_client {:.3} ms, python/promdef = {:.1}x",
                procs * 3,
                ours * 1e3,
                py * 1e3,
                py / ours
            ),
            None => eprintln!("mp_scrape {procs}: python3 with prometheus_client not found, no ratio"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    g.finish();
}

const SEQ: usize = 1024;

fn hot(c: &mut Criterion, mode: &str) {
    let mut g = c.benchmark_group("mp_hot");
    let seq = label_sequence(SEQ);
    let vals: Vec<f64> = (0..SEQ).map(|i| (i % 97) as f64 * 0.01).collect();
    g.bench_function(format!("counter_closed_4x4_{mode}"), |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (m, k) = seq[i & (SEQ - 1)];
            i = i.wrapping_add(1);
            BENCH_REQUESTS_TOTAL
                .with(BenchRequestsTotalLabels {
                    method: method(black_box(m)),
                    class: class(black_box(k)),
                })
                .inc();
        })
    });
    g.bench_function(format!("histogram_closed_4x4_{mode}"), |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (m, k) = seq[i & (SEQ - 1)];
            i = i.wrapping_add(1);
            BENCH_LATENCY_SECONDS
                .with(BenchLatencySecondsLabels {
                    method: method(black_box(m)),
                    class: class(black_box(k)),
                })
                .observe(vals[i & (SEQ - 1)]);
        })
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    hot(c, "mode_off");
    let dir = std::env::temp_dir().join(format!("promdef-mp-bench-hot-{}", std::process::id()));
    promdef::multiprocess::wipe_dir(&dir).unwrap();
    promdef::multiprocess::enable(&dir).unwrap();
    hot(c, "mode_on");
    scrape(c);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(50);
    targets = all
}
criterion_main!(benches);
