//! Per-request cost of HTTP metrics middleware on an axum `Router`: no
//! layer, a layer that does nothing (what axum charges for any layer),
//! promdef's layer (requests, duration, in-flight, bound to schema
//! metrics), and axum-prometheus, in one run. Requests go through the
//! router in-process (`tower::ServiceExt::oneshot`), so the numbers are the
//! router plus the middleware, without sockets.

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tower::ServiceExt;

promdef::metrics!(file = "../metrics-runtime/http-metrics.yaml");

fn app() -> Router {
    Router::new().route("/users/{id}", get(|| async { "ok" }))
}

fn run(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut g = c.benchmark_group("http_request");
    let bench = |g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
                 id: &str,
                 app: Router| {
        let mut i = 0u32;
        g.bench_function(id, |b| {
            b.iter(|| {
                i = i.wrapping_add(1);
                let req = axum::http::Request::builder()
                    .uri(format!("/users/{}", i % 1000))
                    .body(Body::empty())
                    .unwrap();
                rt.block_on(async {
                    let resp = app.clone().oneshot(req).await.unwrap();
                    black_box(
                        axum::body::to_bytes(resp.into_body(), 64)
                            .await
                            .unwrap()
                            .len(),
                    )
                })
            })
        });
    };
    bench(&mut g, "no_layer", app());
    // What any layer costs inside axum (the route service is wrapped again).
    bench(
        &mut g,
        "identity_layer",
        app().layer(tower::layer::util::Identity::new()),
    );
    bench(
        &mut g,
        "promdef",
        app().layer(
            promdef::http::HttpMetrics::new()
                .requests(&HTTP_SERVER_REQUESTS_TOTAL)
                .duration(&HTTP_SERVER_REQUEST_DURATION_SECONDS)
                .active(&HTTP_SERVER_ACTIVE_REQUESTS)
                .layer(),
        ),
    );
    // It spawns an upkeep task, so it is built inside the runtime.
    let (layer, _handle) = rt.block_on(async { axum_prometheus::PrometheusMetricLayer::pair() });
    bench(&mut g, "axum_prometheus", app().layer(layer));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).sample_size(30);
    targets = run
}
criterion_main!(benches);
