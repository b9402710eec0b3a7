//! The HTTP metrics layer on an axum `Router`: schema-declared metrics
//! bound at compile time, route templates (never raw paths), `other`
//! methods, durations that include a streaming body, body sizes, the
//! in-flight gauge. Requests go through the router with `tower::ServiceExt`
//! (no sockets).

use axum::body::Body;
use axum::routing::{get, post};
use axum::Router;
use http_body::Frame;
use promdef::http::HttpMetrics;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::ServiceExt;

pub static WEB: promdef::Registry = promdef::Registry::new();

mod web {
    // The fragment promdef ships, as a user would copy it.
    promdef::metrics!(file = "../metrics-runtime/http-metrics.yaml");
}

mod bound {
    use super::*;
    promdef::metrics! {
        registry = crate::WEB;
        /// HTTP method.
        label method { values: [GET, POST, other] }
        /// Route template.
        label route { max_values: 50 }
        /// Status class.
        label status_class { values: ["1xx", "2xx", "3xx", "4xx", "5xx"] }
        /// Status code.
        label code { max_values: 20 }
        /// Requests.
        pub counter web_requests_total(method, route, status_class);
        /// Requests by code.
        pub counter web_codes_total(code);
        /// Latency.
        pub histogram web_request_duration_seconds(method, route) { unit: seconds, buckets: [0.1, 0.3, 1, 5] }
        /// Response sizes.
        pub histogram web_response_body_size_bytes(route) { unit: bytes, buckets: [10, 1000] }
        /// Request sizes.
        pub histogram web_request_body_size_bytes(route) { unit: bytes, buckets: [10, 1000] }
        /// In flight, by method.
        pub gauge web_active_requests(method);
    }
    pub fn layer() -> promdef::http::HttpMetricsLayer {
        HttpMetrics::new()
            .requests(&WEB_REQUESTS_TOTAL)
            .duration(&WEB_REQUEST_DURATION_SECONDS)
            .response_size(&WEB_RESPONSE_BODY_SIZE_BYTES)
            .request_size(&WEB_REQUEST_BODY_SIZE_BYTES)
            .active(&WEB_ACTIVE_REQUESTS)
            .layer()
    }
    pub fn codes() -> promdef::http::HttpMetricsLayer {
        HttpMetrics::new().requests(&WEB_CODES_TOTAL).layer()
    }
}

/// A body that yields three chunks, 150 ms apart.
struct Slow {
    left: u8,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl http_body::Body for Slow {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(150))));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        self.left -= 1;
        Poll::Ready(Some(Ok(Frame::data(bytes::Bytes::from_static(
            b"0123456789",
        )))))
    }
}

use std::future::Future;

fn app() -> Router {
    Router::new()
        .route("/items", get(|| async { "a\nb" }))
        .route(
            "/items/{name}",
            post(|| async { (axum::http::StatusCode::CREATED, "") }),
        )
        .route(
            "/stream",
            get(|| async {
                Body::new(Slow {
                    left: 3,
                    sleep: None,
                })
            }),
        )
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        .layer(bound::layer())
        .layer(bound::codes())
}

async fn send(app: &Router, method: &str, uri: &str, body: &'static str) -> (u16, bytes::Bytes) {
    let req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header("content-length", body.len())
        .body(Body::from(body))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    (
        status,
        axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap(),
    )
}

fn line(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix).and_then(|v| v.trim().parse().ok()))
        .unwrap_or_else(|| panic!("no `{prefix}` in\n{text}"))
}

#[tokio::test]
async fn routes_methods_statuses_sizes_and_streaming_durations() {
    let app = app();
    assert_eq!(send(&app, "GET", "/items", "").await.0, 200);
    assert_eq!(send(&app, "POST", "/items/apple", "fresh").await.0, 201);
    assert_eq!(send(&app, "PROPFIND", "/items", "").await.0, 405);
    // A scanner: 10,000 random paths, one route value between them.
    for i in 0..10_000 {
        let (s, _) = send(&app, "GET", &format!("/wp-admin/{i}/x.php?q={i}"), "").await;
        assert_eq!(s, 404);
    }
    // A streaming response is timed to its last byte (3 × 150 ms).
    let (s, body) = send(&app, "GET", "/stream", "").await;
    assert_eq!((s, body.len()), (200, 30));

    let text = WEB.render_text();
    assert_eq!(
        line(
            &text,
            "web_requests_total{method=\"GET\",route=\"/items\",status_class=\"2xx\"}"
        ),
        1.0
    );
    assert_eq!(
        line(
            &text,
            "web_requests_total{method=\"POST\",route=\"/items/{name}\",status_class=\"2xx\"}"
        ),
        1.0
    );
    // PROPFIND is outside the set: `other`.
    assert_eq!(
        line(
            &text,
            "web_requests_total{method=\"other\",route=\"/items\",status_class=\"4xx\"}"
        ),
        1.0
    );
    assert_eq!(
        line(
            &text,
            "web_requests_total{method=\"GET\",route=\"unmatched\",status_class=\"4xx\"}"
        ),
        10_000.0
    );
    // Routes + 1 values, whatever the scanner sent.
    let routes: std::collections::BTreeSet<&str> = text
        .lines()
        .filter(|l| l.starts_with("web_requests_total{"))
        .filter_map(|l| l.split("route=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(
        routes.into_iter().collect::<Vec<_>>(),
        ["/items", "/items/{name}", "/stream", "unmatched"]
    );
    assert_eq!(line(&text, "web_codes_total{code=\"404\"}"), 10_000.0);
    assert_eq!(line(&text, "web_codes_total{code=\"201\"}"), 1.0);
    let stream_secs = line(
        &text,
        "web_request_duration_seconds_sum{method=\"GET\",route=\"/stream\"}",
    );
    assert!(
        stream_secs >= 0.4,
        "the body took 450 ms, measured {stream_secs}"
    );
    assert_eq!(
        line(&text, "web_response_body_size_bytes_sum{route=\"/stream\"}"),
        30.0
    );
    assert_eq!(
        line(&text, "web_response_body_size_bytes_sum{route=\"/items\"}"),
        3.0 + 0.0
    );
    assert_eq!(
        line(
            &text,
            "web_request_body_size_bytes_sum{route=\"/items/{name}\"}"
        ),
        5.0
    );
    // Nothing left in flight.
    for l in text
        .lines()
        .filter(|l| l.starts_with("web_active_requests{"))
    {
        assert!(l.ends_with(" 0"), "{l}");
    }
}

pub static SLOW: promdef::Registry = promdef::Registry::new();

mod slow {
    promdef::metrics! {
        registry = crate::SLOW;
        /// Route template.
        label route { max_values: 5 }
        /// Requests.
        pub counter slow_requests_total(route);
        /// In flight.
        pub gauge slow_active_requests;
    }
}

/// Until the body ends, the request is in flight and not yet counted.
#[tokio::test]
async fn a_request_counts_when_its_body_ends() {
    let layer = HttpMetrics::new()
        .requests(&slow::SLOW_REQUESTS_TOTAL)
        .active(&slow::SLOW_ACTIVE_REQUESTS)
        .layer();
    let app = Router::new()
        .route(
            "/slow",
            get(|| async {
                Body::new(Slow {
                    left: 2,
                    sleep: None,
                })
            }),
        )
        .layer(layer);
    let req = axum::http::Request::builder()
        .uri("/slow")
        .body(Body::empty())
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();
    let key = "slow_requests_total{route=\"/slow\"}";
    let text = SLOW.render_text();
    assert!(!text.contains(key), "counted before the body ended");
    assert!(text.contains("slow_active_requests 1\n"), "{text}");
    let _ = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = SLOW.render_text();
    assert_eq!(line(&text, key), 1.0);
    assert!(text.contains("slow_active_requests 0\n"), "{text}");
}

/// The shipped fragment is a clean schema with the names the layer expects.
#[test]
fn the_shipped_fragment_is_clean_and_binds() {
    let c = promdef_schema::Checked::from_yaml(promdef::http::SCHEMA);
    assert!(
        c.is_clean(),
        "{:?}",
        c.diagnostics
            .iter()
            .map(|d| d.full_message())
            .collect::<Vec<_>>()
    );
    let _layer = HttpMetrics::new()
        .requests(&web::HTTP_SERVER_REQUESTS_TOTAL)
        .duration(&web::HTTP_SERVER_REQUEST_DURATION_SECONDS)
        .active(&web::HTTP_SERVER_ACTIVE_REQUESTS)
        .request_size(&web::HTTP_SERVER_REQUEST_BODY_SIZE_BYTES)
        .response_size(&web::HTTP_SERVER_RESPONSE_BODY_SIZE_BYTES)
        .layer();
}
