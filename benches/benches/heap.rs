//! Heap bytes per open-label counter series (100,000 series), counted with a
//! counting global allocator: promdef beside every peer crate in one run.
//! Prints `heap <impl> <bytes per series>` lines that `benches/report.py` reads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

const N: usize = 100_000;

fn user(i: usize) -> String {
    format!("user-{i:06}")
}

fn measure(name: &str, f: impl FnOnce()) {
    let before = LIVE.load(Relaxed);
    f();
    let after = LIVE.load(Relaxed);
    println!("heap {name} {:.1}", (after - before) as f64 / N as f64);
}

promdef::metrics! {
    /// A visitor, bounded at 100 values.
    label visitor { max_values: 100 }
    /// Visits: 10 million distinct visitors into a bounded label.
    pub counter visits_total(visitor);
    /// A user (deliberately unbounded, for this benchmark).
    label user { max_values: 1000000 }
    /// Logins.
    pub counter logins_total(user);
}

#[derive(Clone, Copy, PartialEq, Debug, measured::LabelGroup)]
#[label(set = UserSet)]
struct User<'a> {
    #[label(dynamic_with = paracord::ParaCord)]
    user: &'a str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct PcUser {
    user: String,
}

fn main() {
    // Keep every structure alive until all are measured.
    measure("promdef", || {
        for i in 0..N {
            LOGINS_TOTAL
                .with(LoginsTotalLabels { user: &user(i) })
                .inc();
        }
    });
    let mv = measured::CounterVec::with_label_set(UserSet {
        user: paracord::ParaCord::default(),
    });
    measure("measured", || {
        for i in 0..N {
            mv.inc(User { user: &user(i) });
        }
    });
    let fam = prometheus_client::metrics::family::Family::<
        PcUser,
        prometheus_client::metrics::counter::Counter,
    >::default();
    measure("prometheus_client", || {
        for i in 0..N {
            fam.get_or_create(&PcUser { user: user(i) }).inc();
        }
    });
    let pv = prometheus::IntCounterVec::new(prometheus::Opts::new("logins_total", "h"), &["user"])
        .unwrap();
    measure("prometheus", || {
        for i in 0..N {
            pv.with_label_values(&[&user(i)]).inc();
        }
    });
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    measure("metrics", || {
        metrics::with_local_recorder(&recorder, || {
            for i in 0..N {
                metrics::counter!("logins_total", "user" => user(i)).increment(1);
            }
        })
    });
    std::hint::black_box((&mv, &fam, &pv, &recorder));
    assert_eq!(LOGINS_TOTAL.len(), N);
    capped();
}

/// Heap growth while 10 million distinct values go into a label bounded at
/// 100: the kept values, their series and the overflow series, nothing per
/// value past the bound.
fn capped() {
    const VALUES: usize = 10_000_000;
    promdef::cardinality::set_overflow_handler(|_| {});
    let before = LIVE.load(Relaxed);
    let mut peak = 0isize;
    for i in 0..VALUES {
        VISITS_TOTAL
            .with(VisitsTotalLabels { visitor: &user(i) })
            .inc();
        if i % 100_000 == 0 {
            peak = peak.max(LIVE.load(Relaxed) - before);
        }
    }
    let grown = LIVE.load(Relaxed) - before;
    assert_eq!(VISITS_TOTAL.len(), 101);
    println!(
        "capped 10M distinct values into max_values 100: {} series, heap grew {grown} bytes (peak sampled {peak})",
        VISITS_TOTAL.len()
    );
}
