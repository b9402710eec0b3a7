//! The exporter under hostile and heavy load, over real sockets on loopback:
//! idle and byte-by-byte clients past the connection cap do not keep a
//! scrape out, and a burst of concurrent scrapes is one render on a bounded
//! number of threads.

use promdef::exporter::Exporter;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub static LOAD: promdef::Registry = promdef::Registry::new();
pub static BURST: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::LOAD;
    /// Jobs done.
    pub counter load_jobs_total;
}

mod burst {
    promdef::metrics! {
        registry = crate::BURST;
        /// Item.
        label item { max_values: 100000 }
        /// Many series, so a render takes a while.
        pub counter burst_items_total(item);
        /// Threads of this process during the last render.
        pub gauge burst_threads;
    }
}

fn get(addr: SocketAddr, limit: Duration) -> Result<(u16, String), String> {
    let mut s = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(limit)).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or(format!("no status in {text:?}"))?;
    Ok((status, text))
}

/// Whether the server closed `s`: a read returns end of stream or a reset,
/// not a timeout.
fn closed(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut b = [0u8; 64];
    match s.read(&mut b) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn idle_and_slow_clients_past_the_cap_do_not_keep_a_scrape_out() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    LOAD_JOBS_TOTAL.inc();
    let running = rt
        .block_on(
            Exporter::new(&LOAD)
                .listen("127.0.0.1:0".parse().unwrap())
                .max_connections(16)
                .header_timeout(Duration::from_secs(1))
                .idle_timeout(Duration::from_secs(3))
                .manual_shutdown()
                .bind(),
        )
        .unwrap();
    let addr = running.local_addr();
    // 60 clients that connect and say nothing, four times the cap.
    let mut idle: Vec<TcpStream> = (0..60).map(|_| TcpStream::connect(addr).unwrap()).collect();
    // 8 clients sending their headers a byte at a time.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let slow: Vec<_> = (0..8)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                let started = Instant::now();
                for b in b"GET /metrics HTTP/1.1\r\nHost: slow\r\nX-Pad: "
                    .iter()
                    .cycle()
                {
                    if stop.load(Ordering::Relaxed) || s.write_all(&[*b]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                started.elapsed()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // A normal scrape answers promptly, past the crowd.
    let started = Instant::now();
    let (status, body) = get(addr, Duration::from_secs(5)).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("load_jobs_total 1\n"), "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The server shed the idle clients beyond its cap.
    let shed = idle.iter_mut().map(closed).filter(|c| *c).count();
    assert!(shed >= 60 - 16, "only {shed} idle connections were closed");
    // Byte-by-byte clients are cut off after the header timeout (1 s).
    for t in slow {
        let lasted = t.join().unwrap();
        assert!(
            lasted < Duration::from_secs(4),
            "a slow client lasted {lasted:?}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    // And scrapes keep working.
    for _ in 0..20 {
        assert_eq!(get(addr, Duration::from_secs(5)).unwrap().0, 200);
    }
    rt.block_on(running.shutdown()).unwrap();
}

fn threads() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn a_burst_of_scrapes_is_one_render_on_few_threads() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for i in 0..20_000 {
        burst::BURST_ITEMS_TOTAL
            .with(burst::BurstItemsTotalLabels {
                item: &format!("item-{i}"),
            })
            .inc();
    }
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    BURST.on_collect(|| {
        CALLS.fetch_add(1, Ordering::Relaxed);
        // A slow collect callback (a database count): every client of the
        // burst arrives while it runs.
        std::thread::sleep(Duration::from_millis(400));
        burst::BURST_THREADS.set(threads() as f64);
    });
    let running = rt
        .block_on(
            Exporter::new(&BURST)
                .listen("127.0.0.1:0".parse().unwrap())
                .manual_shutdown()
                .bind(),
        )
        .unwrap();
    let addr = running.local_addr();
    let before = threads();
    // 200 concurrent scrapes from async clients (no thread per client).
    let bodies: Vec<String> = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..200 {
            set.spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                s.write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .await
                    .unwrap();
                let mut out = Vec::new();
                s.read_to_end(&mut out).await.unwrap();
                String::from_utf8(out).unwrap()
            });
        }
        let mut bodies = Vec::new();
        while let Some(b) = set.join_next().await {
            bodies.push(b.unwrap());
        }
        bodies
    });
    assert_eq!(bodies.len(), 200);
    for b in &bodies {
        assert!(b.starts_with("HTTP/1.1 200"), "{}", &b[..b.len().min(200)]);
    }
    let renders = running.renders();
    let calls = CALLS.load(Ordering::Relaxed) as u64;
    // One render per burst: 200 clients arriving within the first render's
    // 400 ms share it (a straggler may start a second one).
    assert!(renders <= 2, "{renders} renders for one burst");
    assert_eq!(calls, renders);
    let during = burst::BURST_THREADS.get() as usize;
    assert!(
        during <= before + 4,
        "{during} threads during the burst, {before} before"
    );
    // Every client got one of the renders: no more distinct expositions
    // than renders (a straggler's second render may show other values).
    let distinct: std::collections::HashSet<&str> = bodies
        .iter()
        .map(|b| b.split("\r\n\r\n").nth(1).unwrap_or(""))
        .collect();
    assert!(
        distinct.len() as u64 <= renders,
        "{} distinct bodies from {renders} renders",
        distinct.len()
    );
    rt.block_on(running.shutdown()).unwrap();
}
