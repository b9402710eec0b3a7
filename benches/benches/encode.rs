//! Scrape cost: encoding 10,000 counter series and 100 histogram series
//! (12 buckets) to text, promdef beside every peer crate in one run.

use criterion::{criterion_group, criterion_main, Criterion};
use measured::MetricGroup;
use promdef_benches::BUCKETS;
use std::hint::black_box;
use std::time::Duration;

const COUNTERS: usize = 10_000;
const HISTOGRAMS: usize = 100;

pub static ENC: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::ENC;
    /// Route.
    label route { max_values: 100000 }
    /// Requests.
    pub counter requests_total(route);
    /// Latency.
    pub histogram latency_seconds(route) {
        unit: seconds,
        buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    }
}

fn route(i: usize) -> String {
    format!("/api/v1/resource-{i}")
}

#[derive(Clone, Copy, PartialEq, Debug, measured::LabelGroup)]
#[label(set = RouteSet)]
struct Route<'a> {
    #[label(dynamic_with = paracord::ParaCord)]
    route: &'a str,
}

#[derive(MetricGroup)]
#[metric(new())]
struct MeasuredMetrics {
    /// Requests.
    #[metric(label_set = RouteSet { route: paracord::ParaCord::default() })]
    requests_total: measured::CounterVec<RouteSet>,
    /// Latency.
    #[metric(label_set = RouteSet { route: paracord::ParaCord::default() }, metadata = measured::metric::histogram::Thresholds::with_buckets(BUCKETS))]
    latency_seconds: measured::HistogramVec<RouteSet, 12>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
struct PcRoute {
    route: String,
}

fn encode(c: &mut Criterion) {
    let mut g = c.benchmark_group("encode_10k_counters_100_histograms");
    g.throughput(criterion::Throughput::Elements(
        (COUNTERS + HISTOGRAMS) as u64,
    ));

    for i in 0..COUNTERS {
        REQUESTS_TOTAL
            .with(RequestsTotalLabels { route: &route(i) })
            .inc_by(i as u64);
    }
    for i in 0..HISTOGRAMS {
        LATENCY_SECONDS
            .with(LatencySecondsLabels { route: &route(i) })
            .observe(i as f64 / 50.0);
    }
    let mut out = String::new();
    g.bench_function("promdef", |b| {
        b.iter(|| {
            out.clear();
            ENC.encode_text(&mut out);
            black_box(out.len())
        })
    });

    let mut out = String::new();
    g.bench_function("promdef_openmetrics", |b| {
        b.iter(|| {
            out.clear();
            ENC.encode(promdef::Format::OPENMETRICS, &mut out);
            black_box(out.len())
        })
    });

    let mut pb = Vec::new();
    g.bench_function("promdef_protobuf", |b| {
        b.iter(|| {
            pb.clear();
            ENC.encode_protobuf(&mut pb);
            black_box(pb.len())
        })
    });

    let m = MeasuredMetrics::new();
    for i in 0..COUNTERS {
        m.requests_total
            .inc_by(Route { route: &route(i) }, i as u64);
    }
    for i in 0..HISTOGRAMS {
        m.latency_seconds
            .observe(Route { route: &route(i) }, i as f64 / 50.0);
    }
    let mut enc = measured::text::BufferedTextEncoder::new();
    g.bench_function("measured", |b| {
        b.iter(|| {
            m.collect_group_into(&mut enc).unwrap();
            black_box(enc.finish().len())
        })
    });

    let reg = prometheus::Registry::new();
    let pc = prometheus::IntCounterVec::new(
        prometheus::Opts::new("requests_total", "Requests."),
        &["route"],
    )
    .unwrap();
    let ph = prometheus::HistogramVec::new(
        prometheus::HistogramOpts::new("latency_seconds", "Latency.").buckets(BUCKETS.to_vec()),
        &["route"],
    )
    .unwrap();
    reg.register(Box::new(pc.clone())).unwrap();
    reg.register(Box::new(ph.clone())).unwrap();
    for i in 0..COUNTERS {
        pc.with_label_values(&[&route(i)]).inc_by(i as u64);
    }
    for i in 0..HISTOGRAMS {
        ph.with_label_values(&[&route(i)]).observe(i as f64 / 50.0);
    }
    let mut out = String::new();
    g.bench_function("prometheus", |b| {
        b.iter(|| {
            out.clear();
            prometheus::TextEncoder::new()
                .encode_utf8(&reg.gather(), &mut out)
                .unwrap();
            black_box(out.len())
        })
    });

    let mut preg = prometheus_client::registry::Registry::default();
    let fam = prometheus_client::metrics::family::Family::<
        PcRoute,
        prometheus_client::metrics::counter::Counter,
    >::default();
    let hfam = prometheus_client::metrics::family::Family::<
        PcRoute,
        prometheus_client::metrics::histogram::Histogram,
    >::new_with_constructor(|| {
        prometheus_client::metrics::histogram::Histogram::new(BUCKETS)
    });
    preg.register("requests", "Requests.", fam.clone());
    preg.register("latency_seconds", "Latency.", hfam.clone());
    for i in 0..COUNTERS {
        fam.get_or_create(&PcRoute { route: route(i) })
            .inc_by(i as u64);
    }
    for i in 0..HISTOGRAMS {
        hfam.get_or_create(&PcRoute { route: route(i) })
            .observe(i as f64 / 50.0);
    }
    g.bench_function("prometheus_client_protobuf", |b| {
        b.iter(|| {
            black_box(
                prometheus_client::encoding::prometheus_protobuf::encode_to_vec(&preg)
                    .unwrap()
                    .len(),
            )
        })
    });
    let mut out = String::new();
    g.bench_function("prometheus_client", |b| {
        b.iter(|| {
            out.clear();
            prometheus_client::encoding::text::encode(&mut out, &preg).unwrap();
            black_box(out.len())
        })
    });

    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&BUCKETS)
        .unwrap()
        .build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        for i in 0..COUNTERS {
            metrics::counter!("requests_total", "route" => route(i)).increment(i as u64);
        }
        for i in 0..HISTOGRAMS {
            metrics::histogram!("latency_seconds", "route" => route(i)).record(i as f64 / 50.0);
        }
    });
    g.bench_function("metrics", |b| b.iter(|| black_box(handle.render().len())));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).sample_size(30);
    targets = encode
}
criterion_main!(benches);
