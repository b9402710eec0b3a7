//! A small inventory service instrumented with promdef: promdef's HTTP
//! layer records a request counter, a latency histogram and an in-progress
//! gauge declared in `schema/metrics.yaml`, beside a gauge computed at scrape
//! time, with `/metrics` behind a bearer token. `main.rs` runs it; the
//! end-to-end tests start it in-process and point a real Prometheus at it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use promdef::exporter::{Exporter, ExporterError, Running};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

promdef::metrics!(file = "schema/metrics.yaml");

/// The items, in memory.
#[derive(Debug, Default)]
pub struct Store {
    items: Mutex<Vec<String>>,
}

impl Store {
    fn items(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

async fn list(State(store): State<Arc<Store>>) -> String {
    store.items().join("\n")
}

async fn add(State(store): State<Arc<Store>>, Path(name): Path<String>) -> StatusCode {
    store.items().push(name);
    StatusCode::CREATED
}

async fn remove(State(store): State<Arc<Store>>, Path(name): Path<String>) -> StatusCode {
    let mut items = store.items();
    match items.iter().position(|i| *i == name) {
        Some(i) => {
            items.remove(i);
            StatusCode::NO_CONTENT
        }
        None => StatusCode::NOT_FOUND,
    }
}

/// The API routes, instrumented by promdef's HTTP layer bound to the
/// schema's metrics: requests by method, route template and status class,
/// duration to the end of the body, requests in flight. `/metrics` is served
/// beside them (outside the layer, so scrapes are not counted as API requests).
pub fn api(store: Arc<Store>) -> Router {
    // A gauge computed at scrape time: the registry calls this before every exposition.
    let counted = store.clone();
    promdef::registry().on_collect(move || ITEMS.set(counted.items().len() as f64));
    Router::new()
        .route("/items", get(list))
        .route("/items/{name}", post(add).delete(remove))
        // Set before `layer`, so unknown paths are recorded too (as `unmatched`).
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(
            promdef::http::HttpMetrics::new()
                .requests(&HTTP_REQUESTS_TOTAL)
                .duration(&HTTP_REQUEST_DURATION_SECONDS)
                .active(&HTTP_REQUESTS_IN_PROGRESS)
                .layer(),
        )
        .with_state(store)
}

/// Serves the API and `/metrics` (with `exporter`'s options) on `addr`
/// until [`Running::shutdown`].
pub async fn start(addr: SocketAddr, exporter: Exporter) -> Result<Running, ExporterError> {
    exporter
        .listen(addr)
        .bind_with(api(Arc::new(Store::default())))
        .await
}
