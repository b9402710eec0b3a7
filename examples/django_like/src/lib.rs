//! The pattern of a Django service's metrics module (the seeds' `metrics/`
//! app: middleware, business metrics, `/metrics/` behind a token and an IP
//! allow-list, health, readiness and liveness probes, a background task
//! that pushes to a Pushgateway), with promdef:
//!
//! - metrics are declared once, in `schema/metrics.yaml` (docs, lints and
//!   label checks included) — no "always import the one shared registry";
//! - promdef's HTTP layer records requests, durations, response sizes and
//!   requests in flight into the schema's `shop_http_server_*` metrics;
//! - `/metrics/` takes its options from `METRICS_*` variables
//!   (`METRICS_BEARER_TOKEN`, `METRICS_ALLOW_CIDRS`, …: promdef's names
//!   under the team's prefix);
//! - `/metrics/health/`, `/metrics/readiness/`, `/metrics/liveness/` answer
//!   without credentials, as Kubernetes probes need;
//! - `POST /admin/tasks/{task}` runs a background task and pushes its
//!   registry, `TASKS`, to the Pushgateway at `PUSHGATEWAY_URL`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use promdef::exporter::{Exporter, ExporterError, Running};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

promdef::metrics!(file = "schema/metrics.yaml");

/// What background tasks push: their own group on the Pushgateway.
pub static TASKS: promdef::Registry = promdef::Registry::new();

/// The background tasks' metrics.
pub mod tasks {
    promdef::metrics! {
        namespace = "shop";
        registry = crate::TASKS;
        /// Background task name.
        label task { values: [send_receipts, rebuild_search_index] }
        /// Run time of the last run of each background task.
        pub gauge shop_task_duration_seconds(task) { unit: seconds }
        /// When each background task last finished, seconds since the Unix epoch.
        pub gauge shop_task_last_success_timestamp_seconds(task) { unit: seconds }
    }
}

/// The application's state.
#[derive(Debug, Default)]
pub struct Shop {
    products: Mutex<Vec<String>>,
    cache: Mutex<std::collections::HashSet<String>>,
    /// Whether the "database" is reachable (readiness).
    pub database_up: AtomicBool,
    /// Where tasks push.
    pub pushgateway: Option<String>,
}

impl Shop {
    /// An empty shop whose database is up; tasks push to `pushgateway`.
    pub fn new(pushgateway: Option<String>) -> Shop {
        Shop {
            database_up: AtomicBool::new(true),
            pushgateway,
            ..Default::default()
        }
    }
}

async fn product(State(shop): State<Arc<Shop>>, Path(name): Path<String>) -> (StatusCode, String) {
    let mut cache = shop.cache.lock().unwrap_or_else(|p| p.into_inner());
    let result = if cache.insert(name.clone()) {
        CacheResult::Miss
    } else {
        CacheResult::Hit
    };
    CACHE_REQUESTS_TOTAL
        .with(CacheRequestsTotalLabels { result })
        .inc();
    let known = shop
        .products
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains(&name);
    if known {
        (StatusCode::OK, name)
    } else {
        (StatusCode::NOT_FOUND, String::new())
    }
}

async fn add_product(State(shop): State<Arc<Shop>>, Path(name): Path<String>) -> StatusCode {
    shop.products
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(name);
    StatusCode::CREATED
}

async fn order(Path(payment): Path<String>) -> StatusCode {
    // Label values from a request: parse into the closed set, else `other`.
    let payment_method = payment.parse().unwrap_or(PaymentMethod::Other);
    ORDERS_CREATED_TOTAL
        .with(OrdersCreatedTotalLabels { payment_method })
        .inc();
    StatusCode::CREATED
}

async fn run_task(State(shop): State<Arc<Shop>>, Path(task): Path<String>) -> (StatusCode, String) {
    let Ok(task) = task.parse::<tasks::Task>() else {
        return (StatusCode::NOT_FOUND, "no such task\n".into());
    };
    let Some(gateway) = shop.pushgateway.clone() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "no PUSHGATEWAY_URL\n".into(),
        );
    };
    let start = Instant::now();
    // … the task's work …
    let labels = || tasks::TaskDurationSecondsLabels { task };
    tasks::TASK_DURATION_SECONDS
        .with(labels())
        .set(start.elapsed().as_secs_f64());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    tasks::TASK_LAST_SUCCESS_TIMESTAMP_SECONDS
        .with(labels())
        .set(now);
    // The push is blocking HTTP: off the async workers.
    let pushed = tokio::task::spawn_blocking(move || {
        promdef::push::Pusher::new(&gateway, "shop_tasks")?.push(&TASKS)
    })
    .await;
    match pushed {
        Ok(Ok(())) => (StatusCode::OK, "pushed\n".into()),
        Ok(Err(e)) => (StatusCode::BAD_GATEWAY, format!("{e}\n")),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "push failed\n".into()),
    }
}

/// The application's routes, instrumented by promdef's HTTP layer, with the
/// probes under `/metrics/` as the Django module serves them.
pub fn app(shop: Arc<Shop>) -> Router {
    let counted = shop.clone();
    promdef::registry().on_collect(move || {
        let n = counted
            .products
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len();
        PRODUCTS.set(n as f64);
    });
    let ready = shop.clone();
    let api = Router::new()
        .route("/products/{name}", get(product).post(add_product))
        .route("/orders/{payment}", post(order))
        .route("/admin/tasks/{task}", post(run_task))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(
            promdef::http::HttpMetrics::new()
                .requests(&HTTP_SERVER_REQUESTS_TOTAL)
                .duration(&HTTP_SERVER_REQUEST_DURATION_SECONDS)
                .response_size(&HTTP_SERVER_RESPONSE_BODY_SIZE_BYTES)
                .active(&HTTP_SERVER_ACTIVE_REQUESTS)
                .layer(),
        )
        .with_state(shop);
    // Probes: no credentials, no data, outside the HTTP metrics.
    let probes = Router::new()
        .route("/metrics/health/", get(|| async { "ok\n" }))
        .route("/metrics/liveness/", get(|| async { "alive\n" }))
        .route(
            "/metrics/readiness/",
            get(move || {
                let ready = ready.database_up.load(Ordering::SeqCst);
                async move {
                    if ready {
                        (StatusCode::OK, "ready\n")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
                    }
                }
            }),
        );
    api.merge(probes)
}

/// The exporter of `/metrics/`, configured from the `METRICS_*` variables
/// read through `env`.
pub fn exporter(env: impl Fn(&str) -> Option<String>) -> Result<Exporter, ExporterError> {
    Ok(
        Exporter::from_lookup_prefix(promdef::registry(), "METRICS_", env)?
            .metrics_path("/metrics/"),
    )
}

/// Serves the shop and `/metrics/` on `addr` until [`Running::shutdown`],
/// SIGTERM or Ctrl-C.
pub async fn start(
    addr: SocketAddr,
    exporter: Exporter,
    shop: Arc<Shop>,
) -> Result<Running, ExporterError> {
    exporter.listen(addr).bind_with(app(shop)).await
}
