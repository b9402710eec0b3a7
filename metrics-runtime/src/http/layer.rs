//! The `tower` layer: per request, the in-flight gauge while it runs, then
//! the request counter, the duration and the body sizes — recorded when the
//! response body ends (or is dropped), so a streaming response is timed to
//! its last byte.

use super::{HttpFamily, HttpInfo};
use crate::value::{Counter, Gauge, Histogram};
use http_body::{Body, Frame, SizeHint};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Instant;

type Record = Arc<dyn Fn(&HttpInfo<'_>, f64) + Send + Sync>;
type Active = Arc<dyn Fn(&HttpInfo<'_>) -> &'static Gauge + Send + Sync>;
type RouteFn =
    Arc<dyn Fn(&http::Uri, &http::Extensions) -> Option<Cow<'static, str>> + Send + Sync>;

/// Builds the HTTP metrics layer from your schema's statics (see
/// [`crate::http`] for which metrics bind).
///
/// ```
/// # #[cfg(feature = "axum")] {
/// promdef::metrics! {
///     /// HTTP method.
///     label method { values: [GET, POST, other] }
///     /// Route template.
///     label route { max_values: 20 }
///     /// Status class.
///     label status_class { values: ["1xx", "2xx", "3xx", "4xx", "5xx"] }
///     /// Requests.
///     pub counter http_server_requests_total(method, route, status_class);
///     /// Latency.
///     pub histogram http_server_request_duration_seconds(method, route) { unit: seconds, buckets: [0.01, 0.1, 1] }
///     /// In flight.
///     pub gauge http_server_active_requests;
/// }
/// # fn main() {
/// let layer = promdef::http::HttpMetrics::new()
///     .requests(&HTTP_SERVER_REQUESTS_TOTAL)
///     .duration(&HTTP_SERVER_REQUEST_DURATION_SECONDS)
///     .active(&HTTP_SERVER_ACTIVE_REQUESTS)
///     .layer();
/// let app: axum::Router = axum::Router::new()
///     .route("/users/{id}", axum::routing::get(|| async { "hi" }))
///     .layer(layer);
/// # }
/// # }
/// ```
#[derive(Clone)]
pub struct HttpMetrics {
    requests: Option<Record>,
    duration: Option<Record>,
    request_size: Option<Record>,
    response_size: Option<Record>,
    active: Option<Active>,
    route: Option<RouteFn>,
    unmatched: &'static str,
}

impl std::fmt::Debug for HttpMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpMetrics")
            .field("requests", &self.requests.is_some())
            .field("duration", &self.duration.is_some())
            .field("request_size", &self.request_size.is_some())
            .field("response_size", &self.response_size.is_some())
            .field("active", &self.active.is_some())
            .field("unmatched", &self.unmatched)
            .finish()
    }
}

impl Default for HttpMetrics {
    fn default() -> Self {
        HttpMetrics::new()
    }
}

/// A request's route value.
enum Route {
    Text(Cow<'static, str>),
    /// axum's template, kept as axum shares it (no copy per request).
    #[cfg(feature = "axum")]
    Matched(axum::extract::MatchedPath),
}

impl Route {
    fn as_str(&self) -> &str {
        match self {
            Route::Text(t) => t,
            #[cfg(feature = "axum")]
            Route::Matched(m) => m.as_str(),
        }
    }
}

/// No route function: axum's matched template when the layer runs inside a
/// `Router` (feature `axum`), else none.
fn default_route(ext: &http::Extensions) -> Option<Route> {
    #[cfg(feature = "axum")]
    if let Some(p) = ext.get::<axum::extract::MatchedPath>() {
        return Some(Route::Matched(p.clone()));
    }
    let _ = ext;
    None
}

fn histogram<F, const B: usize>(m: &'static F) -> Record
where
    F: HttpFamily<Histogram<B>>,
{
    Arc::new(move |i, v| m.cell(i).observe(v))
}

impl HttpMetrics {
    /// Nothing recorded yet; routes from axum's `MatchedPath` (feature
    /// `axum`), unmatched requests as `unmatched`.
    pub fn new() -> Self {
        HttpMetrics {
            requests: None,
            duration: None,
            request_size: None,
            response_size: None,
            active: None,
            route: None,
            unmatched: "unmatched",
        }
    }

    /// Counts each request once its response body ends.
    pub fn requests<F: HttpFamily<Counter>>(mut self, metric: &'static F) -> Self {
        self.requests = Some(Arc::new(move |i, _| metric.cell(i).inc()));
        self
    }

    /// Observes seconds from the request to the end of the response body.
    pub fn duration<F: HttpFamily<Histogram<B>>, const B: usize>(
        mut self,
        metric: &'static F,
    ) -> Self {
        self.duration = Some(histogram(metric));
        self
    }

    /// Observes the request body size, when the request declares it
    /// (`Content-Length`, or an exact size hint).
    pub fn request_size<F: HttpFamily<Histogram<B>>, const B: usize>(
        mut self,
        metric: &'static F,
    ) -> Self {
        self.request_size = Some(histogram(metric));
        self
    }

    /// Observes the bytes of the response body as sent.
    pub fn response_size<F: HttpFamily<Histogram<B>>, const B: usize>(
        mut self,
        metric: &'static F,
    ) -> Self {
        self.response_size = Some(histogram(metric));
        self
    }

    /// Counts requests in flight, until their response body ends. Its
    /// labels cannot include a status (there is no response yet): that is
    /// a compile-time error.
    pub fn active<F: HttpFamily<Gauge> + super::RequestFamily>(
        mut self,
        metric: &'static F,
    ) -> Self {
        self.active = Some(Arc::new(move |i| metric.cell(i)));
        self
    }

    /// The route template of a request, when it matched one (for services
    /// other than axum, e.g. a tonic method path). Must return a template,
    /// never the raw path: the label's bound counts distinct values.
    pub fn route_with(
        mut self,
        f: impl Fn(&http::Uri, &http::Extensions) -> Option<Cow<'static, str>> + Send + Sync + 'static,
    ) -> Self {
        self.route = Some(Arc::new(f));
        self
    }

    /// The route value of requests no route matched (default `unmatched`).
    pub fn unmatched(mut self, value: &'static str) -> Self {
        self.unmatched = value;
        self
    }

    /// The layer.
    pub fn layer(self) -> HttpMetricsLayer {
        HttpMetricsLayer(Arc::new(self))
    }
}

/// The `tower::Layer` [`HttpMetrics::layer`] builds.
#[derive(Clone, Debug)]
pub struct HttpMetricsLayer(Arc<HttpMetrics>);

impl<S> tower_layer::Layer<S> for HttpMetricsLayer {
    type Service = HttpMetricsService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        HttpMetricsService {
            inner,
            cfg: self.0.clone(),
        }
    }
}

/// The service [`HttpMetricsLayer`] wraps around yours.
#[derive(Clone, Debug)]
pub struct HttpMetricsService<S> {
    inner: S,
    cfg: Arc<HttpMetrics>,
}

/// One request being measured; records when dropped (once).
struct Measure {
    cfg: Arc<HttpMetrics>,
    start: Instant,
    method: Cow<'static, str>,
    route: Route,
    request_size: Option<u64>,
    active: Option<&'static Gauge>,
    status: u16,
    sent: u64,
}

impl Drop for Measure {
    fn drop(&mut self) {
        let secs = self.start.elapsed().as_secs_f64();
        let mut code = itoa::Buffer::new();
        let info = HttpInfo {
            method: &self.method,
            route: self.route.as_str(),
            status: self.status,
            status_code: code.format(self.status),
        };
        let c = &self.cfg;
        if let Some(r) = &c.requests {
            r(&info, 1.0);
        }
        if let Some(r) = &c.duration {
            r(&info, secs);
        }
        if let (Some(r), Some(n)) = (&c.request_size, self.request_size) {
            r(&info, n as f64);
        }
        if let Some(r) = &c.response_size {
            r(&info, self.sent as f64);
        }
        if let Some(g) = self.active {
            g.dec();
        }
    }
}

impl<S, ReqB, ResB> tower_service::Service<http::Request<ReqB>> for HttpMetricsService<S>
where
    S: tower_service::Service<http::Request<ReqB>, Response = http::Response<ResB>>,
    ReqB: Body,
    ResB: Body,
{
    type Response = http::Response<MeteredBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<ReqB>) -> Self::Future {
        let cfg = self.cfg.clone();
        let method = match req.method().as_str() {
            // The standard methods are `'static`; others are copied.
            m @ ("GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS" | "CONNECT"
            | "TRACE") => Cow::Borrowed(standard(m)),
            m => Cow::Owned(m.to_owned()),
        };
        let route = match &cfg.route {
            Some(f) => f(req.uri(), req.extensions()).map(Route::Text),
            None => default_route(req.extensions()),
        }
        .unwrap_or(Route::Text(Cow::Borrowed(cfg.unmatched)));
        let request_size = req
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .or_else(|| req.body().size_hint().exact());
        let active = cfg.active.as_ref().map(|a| {
            let g = a(&HttpInfo {
                method: &method,
                route: route.as_str(),
                status: 0,
                status_code: "",
            });
            g.inc();
            g
        });
        let measure = Measure {
            cfg,
            start: Instant::now(),
            method,
            route,
            request_size,
            active,
            // A request whose service fails or is cancelled counts as 500.
            status: 500,
            sent: 0,
        };
        ResponseFuture {
            inner: self.inner.call(req),
            measure: Some(measure),
        }
    }
}

fn standard(m: &str) -> &'static str {
    match m {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        "CONNECT" => "CONNECT",
        _ => "TRACE",
    }
}

pin_project_lite::pin_project! {
    /// The future of [`HttpMetricsService`].
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        measure: Option<Measure>,
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
{
    type Output = Result<http::Response<MeteredBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let res = ready!(this.inner.poll(cx));
        let mut measure = this.measure.take();
        Poll::Ready(res.map(|resp| {
            if let Some(m) = &mut measure {
                m.status = resp.status().as_u16();
            }
            resp.map(|inner| MeteredBody { inner, measure })
        }))
    }
}

pin_project_lite::pin_project! {
    /// A response body that records the request's metrics when it ends
    /// (or is dropped before its end: a client that went away).
    pub struct MeteredBody<B> {
        #[pin]
        inner: B,
        measure: Option<Measure>,
    }
}

impl<B: Body> Body for MeteredBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(f)) => {
                if let (Some(m), Some(d)) = (this.measure.as_mut(), f.data_ref()) {
                    m.sent += bytes::Buf::remaining(d) as u64;
                }
            }
            // The end, or an error: record now, not when the body is dropped.
            Some(Err(_)) | None => drop(this.measure.take()),
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
