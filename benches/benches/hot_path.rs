//! Hot-path costs, promdef beside every peer crate in one run.
//! Group names and function ids are what `benches/report.py` reads.

use criterion::{criterion_group, criterion_main, Criterion};
use promdef_benches::*;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Barrier;
use std::time::{Duration, Instant};

const SEQ: usize = 1024;

mod peers {
    use measured::FixedCardinalityLabel;
    use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};

    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, FixedCardinalityLabel, EncodeLabelValue)]
    pub enum M {
        Get,
        Post,
        Put,
        Delete,
    }
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, FixedCardinalityLabel, EncodeLabelValue)]
    pub enum C {
        S2xx,
        S3xx,
        S4xx,
        S5xx,
    }
    pub const MS: [M; 4] = [M::Get, M::Post, M::Put, M::Delete];
    pub const CS: [C; 4] = [C::S2xx, C::S3xx, C::S4xx, C::S5xx];

    #[derive(Clone, Copy, PartialEq, Debug, measured::LabelGroup)]
    #[label(set = ReqSet)]
    pub struct Req {
        pub method: M,
        pub class: C,
    }

    #[derive(Clone, Copy, PartialEq, Debug, measured::LabelGroup)]
    #[label(set = RouteSet)]
    pub struct Route<'a> {
        #[label(dynamic_with = paracord::ParaCord)]
        pub route: &'a str,
    }

    #[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct PcReq {
        pub method: M,
        pub class: C,
    }

    #[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
    pub struct PcRoute {
        pub route: &'static str,
    }

    prometheus_static_metric::make_static_metric! {
        pub label_enum Methods { get, post, put, delete, }
        pub label_enum Classes { c2xx, c3xx, c4xx, c5xx, }
        pub struct StaticReqs: IntCounter {
            "method" => Methods,
            "class" => Classes,
        }
    }
    pub const SMS: [Methods; 4] = [Methods::get, Methods::post, Methods::put, Methods::delete];
    pub const SCS: [Classes; 4] = [Classes::c2xx, Classes::c3xx, Classes::c4xx, Classes::c5xx];
}
use peers::*;

/// Runs `op` over the label sequence; every implementation pays the same loop.
fn bench_seq(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    op: impl Fn(usize, usize),
) {
    let seq = label_sequence(SEQ);
    c.bench_function(id, |b| {
        let mut i = 0usize;
        b.iter(|| {
            let (m, k) = seq[i & (SEQ - 1)];
            i = i.wrapping_add(1);
            op(black_box(m), black_box(k));
        })
    });
}

static FLOOR: AtomicU64 = AtomicU64::new(0);

fn counter_closed(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter_closed_4x4");
    bench_seq(&mut g, "floor_atomic", |_, _| {
        FLOOR.fetch_add(1, Relaxed);
    });
    bench_seq(&mut g, "promdef", |m, k| {
        BENCH_REQUESTS_TOTAL
            .with(BenchRequestsTotalLabels {
                method: method(m),
                class: class(k),
            })
            .inc();
    });
    let set = ReqSet {
        method: measured::label::StaticLabelSet::new(),
        class: measured::label::StaticLabelSet::new(),
    };
    let mv = measured::CounterVec::with_label_set(set);
    bench_seq(&mut g, "measured", |m, k| {
        mv.inc(Req {
            method: MS[m],
            class: CS[k],
        })
    });
    let pv = prometheus::IntCounterVec::new(
        prometheus::Opts::new("reqs_total", "h"),
        &["method", "class"],
    )
    .unwrap();
    bench_seq(&mut g, "prometheus", |m, k| {
        pv.with_label_values(&[METHODS[m], CLASSES[k]]).inc()
    });
    let sv = StaticReqs::from(&pv);
    bench_seq(&mut g, "prometheus_static_metric", |m, k| {
        sv.get(SMS[m]).get(SCS[k]).inc()
    });
    let fam = prometheus_client::metrics::family::Family::<
        PcReq,
        prometheus_client::metrics::counter::Counter,
    >::default();
    bench_seq(&mut g, "prometheus_client", |m, k| {
        fam.get_or_create(&PcReq {
            method: MS[m],
            class: CS[k],
        })
        .inc();
    });
    bench_seq(&mut g, "metrics", |m, k| {
        metrics::counter!("reqs_total", "method" => METHODS[m], "class" => CLASSES[k]).increment(1);
    });
    g.finish();
}

const ROUTES: usize = 64;

fn routes() -> Vec<&'static str> {
    (0..ROUTES)
        .map(|i| &*Box::leak(format!("/api/v1/resource-{i}/:id").into_boxed_str()))
        .collect()
}

fn counter_open(c: &mut Criterion) {
    let mut g = c.benchmark_group("counter_open_label");
    let r = routes();
    let route = |m: usize, k: usize| r[(m * 4 + k) * 4 % ROUTES];
    bench_seq(&mut g, "floor_atomic", |_, _| {
        FLOOR.fetch_add(1, Relaxed);
    });
    bench_seq(&mut g, "promdef", |m, k| {
        BENCH_OPEN_REQUESTS_TOTAL
            .with(BenchOpenRequestsTotalLabels { route: route(m, k) })
            .inc();
    });
    let mv = measured::CounterVec::with_label_set(RouteSet {
        route: paracord::ParaCord::default(),
    });
    bench_seq(&mut g, "measured", |m, k| {
        mv.inc(Route { route: route(m, k) })
    });
    let pv = prometheus::IntCounterVec::new(prometheus::Opts::new("routes_total", "h"), &["route"])
        .unwrap();
    bench_seq(&mut g, "prometheus", |m, k| {
        pv.with_label_values(&[route(m, k)]).inc()
    });
    let fam = prometheus_client::metrics::family::Family::<
        PcRoute,
        prometheus_client::metrics::counter::Counter,
    >::default();
    bench_seq(&mut g, "prometheus_client", |m, k| {
        fam.get_or_create(&PcRoute { route: route(m, k) }).inc();
    });
    bench_seq(&mut g, "metrics", |m, k| {
        metrics::counter!("routes_total", "route" => route(m, k)).increment(1);
    });
    g.finish();
}

/// An update whose label value is past its bound (it goes to the overflow
/// series through the locked insert path), beside one of a kept value.
fn overflowing(c: &mut Criterion) {
    let mut g = c.benchmark_group("overflowing_call");
    let kept: Vec<String> = (0..10).map(|i| format!("slot-{i}")).collect();
    for s in &kept {
        BENCH_CAPPED_TOTAL
            .with(BenchCappedTotalLabels { slot: s })
            .inc();
    }
    let past: Vec<String> = (0..SEQ).map(|i| format!("past-{i}")).collect();
    promdef::cardinality::set_overflow_handler(|_| {});
    bench_seq(&mut g, "promdef_kept_value", |m, k| {
        BENCH_CAPPED_TOTAL
            .with(BenchCappedTotalLabels {
                slot: &kept[(m * 4 + k) % 10],
            })
            .inc();
    });
    let mut i = 0usize;
    g.bench_function("promdef_past_the_bound", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            BENCH_CAPPED_TOTAL
                .with(BenchCappedTotalLabels {
                    slot: black_box(&past[i & (SEQ - 1)]),
                })
                .inc();
        })
    });
    g.finish();
}

/// Two threads incrementing one series; time per increment per thread.
fn contended(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: &str,
    threads: usize,
    op: &(dyn Fn() + Sync),
) {
    g.bench_function(id, |b| {
        b.iter_custom(|iters| {
            let barrier = Barrier::new(threads + 1);
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(|| {
                        barrier.wait();
                        for _ in 0..iters {
                            op();
                        }
                        barrier.wait();
                    });
                }
                barrier.wait();
                let start = Instant::now();
                barrier.wait();
                start.elapsed()
            })
        })
    });
}

fn contention(c: &mut Criterion) {
    let mut g = c.benchmark_group("contended_2_threads");
    g.measurement_time(Duration::from_secs(4));
    contended(&mut g, "floor_atomic_1_thread", 1, &|| {
        black_box(&FLOOR).fetch_add(1, Relaxed);
    });
    contended(&mut g, "floor_atomic", 2, &|| {
        black_box(&FLOOR).fetch_add(1, Relaxed);
    });
    contended(&mut g, "promdef", 2, &|| BENCH_PLAIN_TOTAL.inc());
    contended(&mut g, "promdef_sharded", 2, &|| BENCH_HOT_TOTAL.inc());
    let set = ReqSet {
        method: measured::label::StaticLabelSet::new(),
        class: measured::label::StaticLabelSet::new(),
    };
    let mv = measured::CounterVec::with_label_set(set);
    contended(&mut g, "measured", 2, &|| {
        mv.inc(Req {
            method: M::Get,
            class: C::S2xx,
        })
    });
    let pv = prometheus::IntCounterVec::new(
        prometheus::Opts::new("reqs2_total", "h"),
        &["method", "class"],
    )
    .unwrap();
    contended(&mut g, "prometheus", 2, &|| {
        pv.with_label_values(&["GET", "2xx"]).inc()
    });
    let fam = prometheus_client::metrics::family::Family::<
        PcReq,
        prometheus_client::metrics::counter::Counter,
    >::default();
    contended(&mut g, "prometheus_client", 2, &|| {
        fam.get_or_create(&PcReq {
            method: M::Get,
            class: C::S2xx,
        })
        .inc();
    });
    g.finish();
}

/// One series: native observe against classic observe, and against
/// prometheus-client's native histogram.
fn native(c: &mut Criterion) {
    let mut g = c.benchmark_group("histogram_native");
    let vals = values(SEQ);
    let v = |m: usize, k: usize| vals[(m * 131 + k * 17) & (SEQ - 1)];
    bench_seq(&mut g, "promdef_classic", |m, k| {
        BENCH_CLASSIC_SECONDS.observe(v(m, k))
    });
    bench_seq(&mut g, "promdef_native", |m, k| {
        BENCH_NATIVE_SECONDS.observe(v(m, k))
    });
    let pc = prometheus_client::metrics::histogram::Histogram::new_native(
        prometheus_client::metrics::histogram::NativeHistogramConfig::default(),
    );
    bench_seq(&mut g, "prometheus_client_native", |m, k| {
        pc.observe(v(m, k))
    });
    g.finish();
}

/// Summary quantiles: promdef's sliding window (DDSketch per age bucket,
/// behind a mutex) beside metrics-exporter-prometheus, whose histograms are
/// exposed as summaries with quantiles (its handle queues observations;
/// the sketch is filled at render).
fn summary_quantiles(c: &mut Criterion) {
    let mut g = c.benchmark_group("summary_quantiles");
    let vals = values(SEQ);
    let v = |m: usize, k: usize| vals[(m * 131 + k * 17) & (SEQ - 1)];
    bench_seq(&mut g, "promdef_plain", |m, k| {
        BENCH_PLAIN_TASK_SECONDS.observe(v(m, k))
    });
    bench_seq(&mut g, "promdef_quantiles", |m, k| {
        BENCH_QUANTILE_TASK_SECONDS.observe(v(m, k))
    });
    let h = metrics::histogram!("summary_seconds");
    bench_seq(&mut g, "metrics_exporter_prometheus", |m, k| {
        h.record(v(m, k))
    });
    g.finish();
}

/// What the `testing` feature costs an update: the same closed-label counter
/// and histogram with no scope entered (what a test binary's other threads
/// pay) and inside an entered scope (a lock and a map update per call). Only
/// with `--features testing`; compare `counter_closed_4x4/promdef` of a run
/// without it for the feature-off cost.
#[cfg(feature = "testing")]
fn testing_scope(c: &mut Criterion) {
    let mut g = c.benchmark_group("testing_scope");
    let inc = |m: usize, k: usize| {
        BENCH_REQUESTS_TOTAL
            .with(BenchRequestsTotalLabels {
                method: method(m),
                class: class(k),
            })
            .inc()
    };
    bench_seq(&mut g, "counter_no_scope", inc);
    let scope = promdef::testing::Scope::new();
    bench_seq(&mut g, "counter_in_scope", inc);
    drop(scope);
    g.finish();
}

fn histogram(c: &mut Criterion) {
    let mut g = c.benchmark_group("histogram_closed_4x4");
    let vals = values(SEQ);
    let v = |m: usize, k: usize| vals[(m * 131 + k * 17) & (SEQ - 1)];
    bench_seq(&mut g, "floor_atomic", |_, _| {
        FLOOR.fetch_add(1, Relaxed);
    });
    bench_seq(&mut g, "promdef", |m, k| {
        BENCH_LATENCY_SECONDS
            .with(BenchLatencySecondsLabels {
                method: method(m),
                class: class(k),
            })
            .observe(v(m, k));
    });
    let set = ReqSet {
        method: measured::label::StaticLabelSet::new(),
        class: measured::label::StaticLabelSet::new(),
    };
    let mh = measured::HistogramVec::with_label_set_and_metadata(
        set,
        measured::metric::histogram::Thresholds::<12>::with_buckets(BUCKETS),
    );
    bench_seq(&mut g, "measured", |m, k| {
        mh.observe(
            Req {
                method: MS[m],
                class: CS[k],
            },
            v(m, k),
        )
    });
    let ph = prometheus::HistogramVec::new(
        prometheus::HistogramOpts::new("lat", "h").buckets(BUCKETS.to_vec()),
        &["method", "class"],
    )
    .unwrap();
    bench_seq(&mut g, "prometheus", |m, k| {
        ph.with_label_values(&[METHODS[m], CLASSES[k]])
            .observe(v(m, k))
    });
    let fam = prometheus_client::metrics::family::Family::<
        PcReq,
        prometheus_client::metrics::histogram::Histogram,
    >::new_with_constructor(|| {
        prometheus_client::metrics::histogram::Histogram::new(BUCKETS)
    });
    bench_seq(&mut g, "prometheus_client", |m, k| {
        fam.get_or_create(&PcReq {
            method: MS[m],
            class: CS[k],
        })
        .observe(v(m, k));
    });
    g.finish();
}

fn setup() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    metrics::set_global_recorder(recorder).expect("one recorder per benchmark process");
}

fn all(c: &mut Criterion) {
    setup();
    counter_closed(c);
    counter_open(c);
    overflowing(c);
    contention(c);
    histogram(c);
    native(c);
    summary_quantiles(c);
    #[cfg(feature = "testing")]
    testing_scope(c);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(50);
    targets = all
}
criterion_main!(benches);
