//! Scrape load on the exporter: `exporter_load <series> <clients> <seconds>`
//! serves a registry of `<series>` open-label counter series on loopback,
//! runs `<clients>` concurrent clients scraping `/metrics` in a loop for
//! `<seconds>`, and prints one line: scrapes per second, the peak resident
//! memory of this process (`VmHWM`) and the most threads seen. Run one
//! client count per process, so each peak is its own (`benches/exporter_load.sh`).
//! Uses only API that every promdef version has, so the same binary source
//! measures before and after a change.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub static LOAD: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::LOAD;
    /// Item.
    label item { max_values: 1000000 }
    /// Events per item.
    pub counter load_events_total(item);
}

fn status(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.split_whitespace().next().and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: <series> <clients> <seconds>"))
        .collect();
    let [series, clients, seconds] = args[..] else {
        panic!("usage: exporter_load <series> <clients> <seconds>");
    };
    for i in 0..series {
        LOAD_EVENTS_TOTAL
            .with(LoadEventsTotalLabels {
                item: &format!("item-{i:07}"),
            })
            .inc_by(i);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let running = rt
        .block_on(
            promdef::exporter::Exporter::new(&LOAD)
                .listen("127.0.0.1:0".parse().unwrap())
                .gzip(false)
                .bind(),
        )
        .unwrap();
    let addr = running.local_addr();
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let max_threads = Arc::new(AtomicUsize::new(0));
    {
        let (stop, max_threads) = (stop.clone(), max_threads.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                max_threads.fetch_max(status("Threads:") as usize, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
    }
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..clients {
            let (done, failed) = (done.clone(), failed.clone());
            set.spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                while Instant::now() < end {
                    let left = end.saturating_duration_since(Instant::now());
                    let one = async {
                        let mut s = tokio::net::TcpStream::connect(addr).await?;
                        s.write_all(
                            b"GET /metrics HTTP/1.1\r\nHost: l\r\nConnection: close\r\n\r\n",
                        )
                        .await?;
                        // Read and discard: the peak RSS is the server's.
                        let mut buf = vec![0u8; 64 * 1024];
                        let mut first = true;
                        let mut ok = false;
                        loop {
                            let n = s.read(&mut buf).await?;
                            if n == 0 {
                                break;
                            }
                            if first {
                                ok = buf[..n].starts_with(b"HTTP/1.1 200");
                                first = false;
                            }
                        }
                        Ok::<bool, std::io::Error>(ok)
                    };
                    match tokio::time::timeout(left, one).await {
                        Ok(Ok(true)) => done.fetch_add(1, Ordering::Relaxed),
                        Ok(_) => failed.fetch_add(1, Ordering::Relaxed),
                        Err(_) => break, // still waiting when time ran out
                    };
                }
            });
        }
        while set.join_next().await.is_some() {}
    });
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    println!(
        "series={series} clients={clients} scrapes={} failed={} scrapes_per_s={:.1} peak_rss_mib={:.0} max_threads={}",
        done.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        done.load(Ordering::Relaxed) as f64 / elapsed,
        status("VmHWM:") as f64 / 1024.0,
        max_threads.load(Ordering::Relaxed)
    );
    // Exit without draining: a server stuck in renders would hang shutdown.
    std::process::exit(0);
}
