//! Serving: the routes, the `/metrics` handler with single-flight
//! rendering, and an accept loop that bounds connections and sheds idle and
//! slow clients before they can exhaust the process's descriptors.

use super::{auth, Exporter, Limits};
use crate::encode::{negotiate_among, Format};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{watch, Notify};
use tower::ServiceExt as _;

/// What every request handler shares.
#[derive(Debug)]
pub(super) struct Inner {
    pub opts: Exporter,
    pub stopping: AtomicBool,
    pub renders: Renders,
    /// TLS from a web configuration file.
    #[cfg(feature = "web-config")]
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
}

/// One exposition's bytes per format and encoding, rendered once per burst.
type Key = (Format, bool);
type Flight = watch::Receiver<Option<Result<Bytes, ()>>>;

/// Single-flight rendering: scrapes that arrive while an exposition of their
/// format and encoding is being rendered wait for it and share its bytes,
/// so concurrent renders are bounded by the number of formats, and memory by
/// one exposition each — whatever the number of clients.
#[derive(Debug, Default)]
pub(super) struct Renders {
    flights: Mutex<HashMap<Key, Flight>>,
    /// Renders started, for tests.
    pub started: AtomicU64,
}

fn render(registry: &'static crate::Registry, (format, gzip): Key) -> Result<Bytes, ()> {
    let body = registry.render_bytes(format);
    if !gzip {
        return Ok(Bytes::from(body));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&body).map_err(|_| ())?;
    enc.finish().map(Bytes::from).map_err(|_| ())
}

impl Inner {
    /// The bytes for `key`: a render in flight is joined, else one starts.
    /// The render runs on its own blocking task, so a client that goes away
    /// cancels nothing the others wait for.
    async fn exposition(self: &Arc<Self>, key: Key) -> Result<Bytes, ()> {
        let mut rx = {
            let mut flights = self
                .renders
                .flights
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match flights.get(&key) {
                Some(rx) => rx.clone(),
                None => {
                    let (tx, rx) = watch::channel(None);
                    flights.insert(key, rx.clone());
                    self.renders.started.fetch_add(1, Ordering::Relaxed);
                    let inner = self.clone();
                    tokio::task::spawn_blocking(move || {
                        // Collect callbacks may block (a database count):
                        // keep them off the async workers.
                        let r = render(inner.opts.registry, key);
                        // Later scrapes render afresh.
                        inner
                            .renders
                            .flights
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&key);
                        let _ = tx.send(Some(r));
                    });
                    rx
                }
            }
        };
        let done = rx.wait_for(Option::is_some).await.map_err(|_| ())?;
        done.clone().unwrap_or(Err(()))
    }
}

/// The exporter's routes, under its path prefix.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(inner: Arc<Inner>) -> Router<S> {
    let m = inner.clone();
    let r = inner.clone();
    let prefix = inner.opts.prefix.trim_end_matches('/').to_string();
    let path = format!("{prefix}{}", inner.opts.metrics_path);
    Router::new()
        .route(
            &path,
            get(move |req: Request| {
                let inner = m.clone();
                async move { metrics(inner, req).await }
            }),
        )
        .route(&format!("{prefix}/health"), get(|| async { "ok\n" }))
        .route(&format!("{prefix}/health/live"), get(|| async { "ok\n" }))
        .route(
            &format!("{prefix}/health/ready"),
            get(move || {
                let inner = r.clone();
                async move {
                    let ready = !inner.stopping.load(Ordering::SeqCst)
                        && inner.opts.ready.as_ref().is_none_or(|f| f());
                    if ready {
                        (StatusCode::OK, "ready\n")
                    } else {
                        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
                    }
                }
            }),
        )
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

fn challenge(opts: &Exporter) -> Response {
    let mut resp = plain(
        StatusCode::UNAUTHORIZED,
        "unauthorized: send the configured credentials in the `Authorization` header\n",
    );
    let h = resp.headers_mut();
    if opts.credentials.bearer.is_some() {
        h.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
    }
    if opts.credentials.takes_basic() {
        h.append(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"metrics\", charset=\"UTF-8\""),
        );
    }
    resp
}

async fn metrics(inner: Arc<Inner>, req: Request) -> Response {
    let opts = &inner.opts;
    let headers = req.headers();
    if !opts.allow.is_empty() {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let client = auth::client(peer, headers, &opts.trusted);
        let allowed = client.is_some_and(|ip| opts.allow.iter().any(|n| n.contains(&ip)));
        if !allowed {
            // Fails closed when the server did not record client addresses.
            return plain(
                StatusCode::FORBIDDEN,
                "forbidden: this client's address is not in the allow-list\n",
            );
        }
    }
    if !opts.credentials.authorized_async(headers).await {
        return challenge(opts);
    }
    let header_str = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let format = match negotiate_among(header_str(header::ACCEPT), opts.protobuf, opts.openmetrics)
    {
        Format::OpenMetrics { .. } => Format::OpenMetrics {
            created: opts.created,
        },
        other => other,
    };
    let gzip = opts.gzip && crate::accept::accepts_gzip(header_str(header::ACCEPT_ENCODING));
    let Ok(body) = inner.exposition((format, gzip)).await else {
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error: the exposition could not be rendered\n",
        );
    };
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    resp
}

/// A served connection, as the accept loop sees it.
#[derive(Debug)]
struct Conn {
    /// Requests being handled.
    busy: AtomicUsize,
    /// Milliseconds since the server started, at the last byte in or out.
    last: AtomicU64,
    /// Closes the connection at once.
    kill: Notify,
}

impl Conn {
    fn touch(&self, epoch: Instant) {
        self.last
            .store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

/// IO that records activity on its connection.
struct Tracked<T> {
    io: T,
    conn: Arc<Conn>,
    epoch: Instant,
}

impl<T: AsyncRead + Unpin> AsyncRead for Tracked<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.conn.touch(self.epoch);
        }
        r
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tracked<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.conn.touch(self.epoch);
        }
        r
    }
    // Vectored writes let hyper send the shared exposition bytes as they
    // are; without them it copies every body into a per-connection buffer
    // (200 clients of a 5 MB exposition: 1 GB).
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.conn.touch(self.epoch);
        }
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Decrements a connection's busy count however the request ends.
struct Busy(Arc<Conn>, Instant);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
        self.0.touch(self.1);
    }
}

/// The connections being served.
#[derive(Default)]
struct Conns(Mutex<Vec<Arc<Conn>>>);

impl Conns {
    fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
    fn add(&self, c: Arc<Conn>) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(c);
    }
    fn remove(&self, c: &Arc<Conn>) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|x| !Arc::ptr_eq(x, c));
    }
    /// Closes the connection idle the longest (no request in progress), to
    /// make room: `false` when every connection is handling a request.
    fn shed_one(&self) -> bool {
        let list = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let victim = list
            .iter()
            .filter(|c| c.busy.load(Ordering::Relaxed) == 0)
            .min_by_key(|c| c.last.load(Ordering::Relaxed));
        match victim {
            Some(v) => {
                v.kill.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Serves `app` on `listener` until `stop` is true, with `limits`; then
/// lets requests in progress finish (at most `limits.drain`).
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    tls: Tls,
) {
    let conns = Arc::new(Conns::default());
    let epoch = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            a = listener.accept() => a,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of descriptors (or a transient accept error): free one
                // and back off instead of spinning.
                // EMFILE and ENFILE (the same numbers on Linux and the BSDs).
                if matches!(e.raw_os_error(), Some(24 | 23)) {
                    conns.shed_one();
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        if conns.len() >= limits.max_connections && !conns.shed_one() {
            // Every connection is handling a request: refuse this one.
            drop(stream);
            continue;
        }
        let conn = Arc::new(Conn {
            busy: AtomicUsize::new(0),
            last: AtomicU64::new(0),
            kill: Notify::new(),
        });
        conn.touch(epoch);
        conns.add(conn.clone());
        let (conns, app, stop) = (conns.clone(), app.clone(), stop.clone());
        let tls = tls.clone();
        tasks.spawn(async move {
            match tls.accept(stream, limits.header_timeout).await {
                Some(Stream::Plain(s)) => {
                    serve_conn(s, peer, app, conn.clone(), limits, epoch, stop).await
                }
                #[cfg(feature = "web-config")]
                Some(Stream::Tls(s)) => {
                    serve_conn(*s, peer, app, conn.clone(), limits, epoch, stop).await
                }
                None => {}
            }
            conns.remove(&conn);
        });
    }
    drop(listener);
    let drain = tokio::time::timeout(limits.drain, async {
        while tasks.join_next().await.is_some() {}
    });
    if drain.await.is_err() {
        tasks.abort_all();
    }
}

/// TLS for accepted connections (none without a web configuration).
#[derive(Clone, Default)]
pub(super) struct Tls {
    #[cfg(feature = "web-config")]
    pub acceptor: Option<tokio_rustls::TlsAcceptor>,
}

/// An accepted connection, after the TLS handshake if there is one.
enum Stream {
    Plain(tokio::net::TcpStream),
    #[cfg(feature = "web-config")]
    Tls(Box<tokio_rustls::server::TlsStream<tokio::net::TcpStream>>),
}

impl Tls {
    /// The connection to serve: `None` when the handshake fails or takes
    /// longer than the header timeout (a slow handshake is a slow client).
    async fn accept(&self, s: tokio::net::TcpStream, timeout: Duration) -> Option<Stream> {
        #[cfg(feature = "web-config")]
        if let Some(a) = &self.acceptor {
            return match tokio::time::timeout(timeout, a.accept(s)).await {
                Ok(Ok(t)) => Some(Stream::Tls(Box::new(t))),
                _ => None,
            };
        }
        let _ = timeout;
        Some(Stream::Plain(s))
    }
}

async fn serve_conn<T: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: T,
    peer: SocketAddr,
    app: Router,
    conn: Arc<Conn>,
    limits: Limits,
    epoch: Instant,
    mut stop: watch::Receiver<bool>,
) {
    let c = conn.clone();
    let svc =
        hyper::service::service_fn(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            c.busy.fetch_add(1, Ordering::Relaxed);
            let busy = Busy(c.clone(), epoch);
            let app = app.clone();
            async move {
                let r = app.oneshot(req.map(Body::new)).await;
                drop(busy);
                r
            }
        });
    let io = hyper_util::rt::TokioIo::new(Tracked {
        io,
        conn: conn.clone(),
        epoch,
    });
    let served = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024)
        .keep_alive(true)
        .serve_connection(io, svc);
    tokio::pin!(served);
    let mut tick = tokio::time::interval(Duration::from_millis(200).min(limits.idle_timeout / 2));
    let idle_ms = limits.idle_timeout.as_millis() as u64;
    let mut draining = false;
    loop {
        tokio::select! {
            _ = &mut served => return,
            _ = conn.kill.notified() => return,
            _ = stop.wait_for(|s| *s), if !draining => {
                draining = true;
                served.as_mut().graceful_shutdown();
            }
            _ = tick.tick() => {
                let idle = epoch.elapsed().as_millis() as u64 - conn.last.load(Ordering::Relaxed);
                if conn.busy.load(Ordering::Relaxed) == 0 && idle >= idle_ms {
                    return;
                }
            }
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
