//! A small inventory service instrumented with promdef: a request counter,
//! a latency histogram, an in-progress gauge and a gauge computed at scrape
//! time, with `/metrics` behind a bearer token. `main.rs` runs it; the
//! end-to-end tests start it in-process and point a real Prometheus at it.

use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{Method as HttpMethod, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
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

/// Records every API request: in progress while it runs, then counted by
/// route template and status class, and timed.
async fn record(req: Request, next: Next) -> Response {
    let _busy = HTTP_REQUESTS_IN_PROGRESS.track_inprogress();
    let method = match *req.method() {
        HttpMethod::GET => Method::Get,
        HttpMethod::POST => Method::Post,
        HttpMethod::DELETE => Method::Delete,
        _ => Method::Other,
    };
    // The template (`/items/{name}`), never the raw path: bounded cardinality.
    let route: &'static str = match req.extensions().get::<MatchedPath>().map(|p| p.as_str()) {
        Some("/items") => "/items",
        Some("/items/{name}") => "/items/{name}",
        _ => "unmatched",
    };
    let timer = HTTP_REQUEST_DURATION_SECONDS
        .with(HttpRequestDurationSecondsLabels { method, route })
        .start_timer();
    let resp = next.run(req).await;
    drop(timer);
    let status_class = match resp.status().as_u16() {
        100..=199 => StatusClass::V1xx,
        200..=299 => StatusClass::V2xx,
        300..=399 => StatusClass::V3xx,
        400..=499 => StatusClass::V4xx,
        _ => StatusClass::V5xx,
    };
    HTTP_REQUESTS_TOTAL
        .with(HttpRequestsTotalLabels {
            method,
            route,
            status_class,
        })
        .inc();
    resp
}

/// The API routes, instrumented. `/metrics` is served beside them (not
/// through `record`, so scrapes are not counted as API requests).
pub fn api(store: Arc<Store>) -> Router {
    // A gauge computed at scrape time: the registry calls this before every exposition.
    let counted = store.clone();
    promdef::registry().on_collect(move || ITEMS.set(counted.items().len() as f64));
    Router::new()
        .route("/items", get(list))
        .route("/items/{name}", post(add).delete(remove))
        // Set before `layer`, so unknown paths are recorded too (as `unmatched`).
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(middleware::from_fn(record))
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
