//! A secured `/metrics` endpoint on axum 0.8 / hyper 1 / tokio (feature
//! `exporter`).
//!
//! One call serves the default registry:
//!
//! ```no_run
//! # async fn run() -> Result<(), promdef::exporter::ExporterError> {
//! promdef::exporter::serve("0.0.0.0:9464".parse().unwrap()).await
//! # }
//! ```
//!
//! or, configured from the environment (twelve-factor):
//!
//! ```no_run
//! # async fn run() -> Result<(), promdef::exporter::ExporterError> {
//! promdef::exporter::Exporter::from_env(promdef::registry())?.serve().await
//! # }
//! ```
//!
//! Applications that already run axum mount [`Exporter::router`] on their
//! own server (serve it with `into_make_service_with_connect_info::<SocketAddr>()`
//! when an allow-list is configured, so the client address is known).
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PROMDEF_LISTEN` | listen address, `ip:port` | `0.0.0.0:9464` |
//! | `PROMDEF_BEARER_TOKEN` | required `Authorization: Bearer` token | none |
//! | `PROMDEF_BEARER_TOKEN_FILE` | file holding the token (trailing newline ignored) | none |
//! | `PROMDEF_BASIC_AUTH` | required basic credentials, `user:password` | none |
//! | `PROMDEF_ALLOW_CIDRS` | comma-separated client networks, e.g. `10.0.0.0/8,::1/128` | everyone |
//! | `PROMDEF_OPENMETRICS` | `false` serves text 0.0.4 whatever the `Accept` header | `true` |
//! | `PROMDEF_CREATED` | `true` adds OpenMetrics `_created` samples | `false` |
//! | `PROMDEF_GZIP` | `false` never compresses | `true` |
//! | `PROMDEF_PROCESS_METRICS` | `true` adds [`crate::process`] metrics | `false` |
//!
//! Endpoints: `GET /metrics` (allow-list → 403, then credentials → 401 with
//! `WWW-Authenticate`, both checked only here); `GET /health` and
//! `/health/live` (200 while the process serves); `GET /health/ready` (200,
//! or 503 once shutdown began or when the [`Exporter::readiness`] check says
//! no). Health endpoints carry no data and need no credentials, so probes
//! work without secrets. When a bearer token and basic credentials are both
//! set, either is accepted. Secrets are compared in constant time and never
//! appear in `Debug` output, errors or responses.

use crate::encode::{negotiate, Format};
use crate::registry::{DuplicateMetric, Registry, RegistryError};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use ipnet::IpNet;
use std::fmt;
use std::future::Future;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use subtle::ConstantTimeEq as _;

/// The listen address when none is configured.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:9464";

/// A secret string: compared in constant time, never printed.
#[derive(Clone)]
struct Secret(Vec<u8>);

impl Secret {
    fn matches(&self, candidate: &[u8]) -> bool {
        // Constant time in the content; the length is not secret.
        bool::from(self.0.as_slice().ct_eq(candidate))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

type ReadyCheck = Arc<dyn Fn() -> bool + Send + Sync>;

/// Options of the `/metrics` endpoint; build with [`Exporter::new`] or
/// [`Exporter::from_env`], then [`Exporter::serve`], [`Exporter::bind`] or
/// [`Exporter::router`].
///
/// ```
/// use promdef::exporter::Exporter;
/// let exporter = Exporter::new(promdef::registry())
///     .listen("127.0.0.1:0".parse().unwrap())
///     .bearer_token("s3cret")
///     .allow_cidrs("127.0.0.0/8, ::1/128")
///     .unwrap();
/// assert!(!format!("{exporter:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct Exporter {
    registry: &'static Registry,
    listen: SocketAddr,
    bearer: Option<Secret>,
    basic: Option<(String, Secret)>,
    allow: Vec<IpNet>,
    openmetrics: bool,
    created: bool,
    gzip: bool,
    process: bool,
    ready: Option<ReadyCheck>,
}

impl fmt::Debug for Exporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exporter")
            .field("listen", &self.listen)
            .field("bearer_token", &self.bearer)
            .field("basic_auth_user", &self.basic.as_ref().map(|(u, _)| u))
            .field("basic_auth_password", &self.basic.as_ref().map(|(_, p)| p))
            .field("allow", &self.allow)
            .field("openmetrics", &self.openmetrics)
            .field("created", &self.created)
            .field("gzip", &self.gzip)
            .field("process_metrics", &self.process)
            .finish()
    }
}

/// Why the exporter could not be configured or started.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExporterError {
    /// An environment variable or option has an invalid value (the value
    /// itself is not repeated: it may be a secret).
    Config {
        /// The variable or option.
        name: &'static str,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Two declarations use the same metric name (from [`Registry::check`]).
    Registry(RegistryError),
    /// A process metric's name is already declared in the registry.
    Duplicate(DuplicateMetric),
    /// The listen address could not be bound.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The server failed while running.
    Serve(std::io::Error),
}

impl fmt::Display for ExporterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExporterError::Config { name, reason } => write!(f, "invalid `{name}`: {reason}"),
            ExporterError::Registry(e) => write!(f, "{e}"),
            ExporterError::Duplicate(e) => write!(f, "{e}"),
            ExporterError::Bind { addr, source } => {
                write!(
                    f,
                    "cannot listen on `{addr}`: {source}; choose a free address"
                )
            }
            ExporterError::Serve(e) => write!(f, "metrics server failed: {e}"),
        }
    }
}

impl std::error::Error for ExporterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExporterError::Registry(e) => Some(e),
            ExporterError::Bind { source, .. } => Some(source),
            ExporterError::Serve(e) => Some(e),
            _ => None,
        }
    }
}

fn config(name: &'static str, reason: impl Into<String>) -> ExporterError {
    ExporterError::Config {
        name,
        reason: reason.into(),
    }
}

fn parse_bool(name: &'static str, v: &str) -> Result<bool, ExporterError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(config(name, "expected `true` or `false`")),
    }
}

fn parse_cidrs(name: &'static str, list: &str) -> Result<Vec<IpNet>, ExporterError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| {
                    config(
                        name,
                        format!("`{s}` is not a network; write e.g. `10.0.0.0/8` or `::1/128`"),
                    )
                })
        })
        .collect()
}

impl Exporter {
    /// Defaults: listen on [`DEFAULT_LISTEN`], no credentials, every client,
    /// OpenMetrics when asked for, gzip when accepted, no process metrics.
    pub fn new(registry: &'static Registry) -> Self {
        Exporter {
            registry,
            listen: DEFAULT_LISTEN.parse().expect("valid default address"),
            bearer: None,
            basic: None,
            allow: Vec::new(),
            openmetrics: true,
            created: false,
            gzip: true,
            process: false,
            ready: None,
        }
    }

    /// The defaults, overridden by the `PROMDEF_*` variables of the module
    /// docs; builder methods called afterwards override both.
    pub fn from_env(registry: &'static Registry) -> Result<Self, ExporterError> {
        Self::from_lookup(registry, |k| std::env::var(k).ok())
    }

    /// As [`Exporter::from_env`], reading variables through `get` (for
    /// tests, or configuration that is not the process environment).
    ///
    /// ```
    /// use promdef::exporter::Exporter;
    /// let env = |k: &str| match k {
    ///     "PROMDEF_LISTEN" => Some("127.0.0.1:9100".to_string()),
    ///     "PROMDEF_ALLOW_CIDRS" => Some("not-a-network".to_string()),
    ///     _ => None,
    /// };
    /// let err = Exporter::from_lookup(promdef::registry(), env).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid `PROMDEF_ALLOW_CIDRS`: `not-a-network` is not a network; write e.g. `10.0.0.0/8` or `::1/128`"
    /// );
    /// ```
    pub fn from_lookup(
        registry: &'static Registry,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ExporterError> {
        let mut e = Exporter::new(registry);
        let var = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = var("PROMDEF_LISTEN") {
            e.listen = v.trim().parse().map_err(|_| {
                config(
                    "PROMDEF_LISTEN",
                    format!("`{}` is not `ip:port`; write e.g. `0.0.0.0:9464`", v.trim()),
                )
            })?;
        }
        let token =
            match (
                var("PROMDEF_BEARER_TOKEN"),
                var("PROMDEF_BEARER_TOKEN_FILE"),
            ) {
                (Some(_), Some(_)) => return Err(config(
                    "PROMDEF_BEARER_TOKEN",
                    "set either `PROMDEF_BEARER_TOKEN` or `PROMDEF_BEARER_TOKEN_FILE`, not both",
                )),
                (Some(t), None) => Some(t),
                (None, Some(path)) => Some(
                    std::fs::read_to_string(path.trim())
                        .map_err(|err| {
                            config(
                                "PROMDEF_BEARER_TOKEN_FILE",
                                format!("cannot read `{}`: {err}", path.trim()),
                            )
                        })?
                        .trim_end_matches(['\r', '\n'])
                        .to_string(),
                ),
                (None, None) => None,
            };
        if let Some(t) = token {
            if t.is_empty() {
                return Err(config(
                    "PROMDEF_BEARER_TOKEN_FILE",
                    "the token file is empty",
                ));
            }
            e = e.bearer_token(t);
        }
        if let Some(v) = var("PROMDEF_BASIC_AUTH") {
            let Some((user, pass)) = v.split_once(':') else {
                return Err(config("PROMDEF_BASIC_AUTH", "expected `user:password`"));
            };
            e = e.basic_auth(user, pass);
        }
        if let Some(v) = var("PROMDEF_ALLOW_CIDRS") {
            e.allow = parse_cidrs("PROMDEF_ALLOW_CIDRS", &v)?;
        }
        if let Some(v) = var("PROMDEF_OPENMETRICS") {
            e.openmetrics = parse_bool("PROMDEF_OPENMETRICS", &v)?;
        }
        if let Some(v) = var("PROMDEF_CREATED") {
            e.created = parse_bool("PROMDEF_CREATED", &v)?;
        }
        if let Some(v) = var("PROMDEF_GZIP") {
            e.gzip = parse_bool("PROMDEF_GZIP", &v)?;
        }
        if let Some(v) = var("PROMDEF_PROCESS_METRICS") {
            e.process = parse_bool("PROMDEF_PROCESS_METRICS", &v)?;
        }
        Ok(e)
    }

    /// The address [`Exporter::serve`] and [`Exporter::bind`] listen on.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/metrics`.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer = Some(Secret(token.into().into_bytes()));
        self
    }

    /// Requires HTTP basic credentials on `/metrics`.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic = Some((user.into(), Secret(password.into().into_bytes())));
        self
    }

    /// Serves `/metrics` only to clients in these comma-separated networks
    /// (`10.0.0.0/8`, `::1/128`, or a bare address); others get 403.
    pub fn allow_cidrs(mut self, list: &str) -> Result<Self, ExporterError> {
        self.allow = parse_cidrs("allow_cidrs", list)?;
        Ok(self)
    }

    /// `false` always serves text 0.0.4, whatever the client prefers.
    pub fn openmetrics(mut self, on: bool) -> Self {
        self.openmetrics = on;
        self
    }

    /// Adds OpenMetrics `_created` samples (off by default: Prometheus
    /// stores them as extra series).
    pub fn created(mut self, on: bool) -> Self {
        self.created = on;
        self
    }

    /// `false` never compresses responses.
    pub fn gzip(mut self, on: bool) -> Self {
        self.gzip = on;
        self
    }

    /// Adds the [`crate::process`] metrics to the registry.
    pub fn process_metrics(mut self, on: bool) -> Self {
        self.process = on;
        self
    }

    /// `/health/ready` answers 503 while `check` returns `false` (e.g. until
    /// a database connection is up).
    pub fn readiness(mut self, check: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        self.ready = Some(Arc::new(check));
        self
    }

    fn prepare(&self) -> Result<Arc<Inner>, ExporterError> {
        self.registry.check().map_err(ExporterError::Registry)?;
        if self.process {
            crate::process::register(self.registry).map_err(ExporterError::Duplicate)?;
        }
        Ok(Arc::new(Inner {
            opts: self.clone(),
            stopping: AtomicBool::new(false),
        }))
    }

    /// The `/metrics` and `/health` routes, to merge into an application's
    /// own axum router. Fails when the registry has duplicate names.
    ///
    /// ```
    /// # fn main() -> Result<(), promdef::exporter::ExporterError> {
    /// let metrics = promdef::exporter::Exporter::new(promdef::registry())
    ///     .bearer_token("s3cret")
    ///     .router()?;
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/", axum::routing::get(|| async { "hello" }))
    ///     .merge(metrics);
    /// # let _ = app;
    /// # Ok(())
    /// # }
    /// ```
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Result<Router<S>, ExporterError> {
        Ok(routes(self.prepare()?))
    }

    /// Binds the listen address and serves the metrics and health routes
    /// in a tokio task until [`Running::shutdown`]; call inside a tokio runtime.
    pub async fn bind(self) -> Result<Running, ExporterError> {
        self.bind_with(Router::new()).await
    }

    /// As [`Exporter::bind`], serving the application's own routes `app`
    /// beside `/metrics` and `/health` on the same port, with client
    /// addresses recorded for the allow-list.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), promdef::exporter::ExporterError> {
    /// use axum::routing::get;
    /// let app = axum::Router::new().route("/hello", get(|| async { "hi" }));
    /// let running = promdef::exporter::Exporter::new(promdef::registry())
    ///     .listen("127.0.0.1:0".parse().unwrap())
    ///     .bearer_token("s3cret")
    ///     .bind_with(app)
    ///     .await?;
    /// println!("serving on {}", running.local_addr());
    /// running.shutdown().await
    /// # }
    /// ```
    pub async fn bind_with(self, app: Router) -> Result<Running, ExporterError> {
        let inner = self.prepare()?;
        let addr = self.listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ExporterError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| ExporterError::Bind { addr, source })?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = app
            .merge(routes::<()>(inner.clone()))
            .into_make_service_with_connect_info::<SocketAddr>();
        let stopping = inner.clone();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                    stopping.stopping.store(true, Ordering::SeqCst);
                })
                .await
        });
        Ok(Running {
            addr: local,
            inner,
            shutdown: Some(tx),
            task,
        })
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully
    /// (in-flight scrapes finish).
    pub async fn serve(self) -> Result<(), ExporterError> {
        self.serve_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn serve_with_shutdown(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ExporterError> {
        let running = self.bind().await?;
        signal.await;
        running.shutdown().await
    }
}

/// Serves the default registry on `addr` until SIGTERM or Ctrl-C, with the
/// defaults of [`Exporter::new`].
pub async fn serve(addr: SocketAddr) -> Result<(), ExporterError> {
    Exporter::new(crate::registry()).listen(addr).serve().await
}

async fn shutdown_signal() {
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

/// A server started by [`Exporter::bind`].
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// The bound address (useful after listening on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets in-flight requests finish, and
    /// waits for the server to end.
    pub async fn shutdown(mut self) -> Result<(), ExporterError> {
        self.inner.stopping.store(true, Ordering::SeqCst);
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(r) => r.map_err(ExporterError::Serve),
            Err(e) => Err(ExporterError::Serve(std::io::Error::other(e.to_string()))),
        }
    }
}

#[derive(Debug)]
struct Inner {
    opts: Exporter,
    stopping: AtomicBool,
}

fn routes<S: Clone + Send + Sync + 'static>(inner: Arc<Inner>) -> Router<S> {
    let m = inner.clone();
    let r = inner;
    Router::new()
        .route(
            "/metrics",
            get(move |req: Request| {
                let inner = m.clone();
                async move { metrics(inner, req).await }
            }),
        )
        .route("/health", get(|| async { "ok\n" }))
        .route("/health/live", get(|| async { "ok\n" }))
        .route(
            "/health/ready",
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

/// The client address, unwrapping IPv4-mapped IPv6 so `127.0.0.0/8` matches
/// a dual-stack listener's `::ffff:127.0.0.1`.
fn client_ip(req: &Request) -> Option<IpAddr> {
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    })
}

impl Exporter {
    fn authorized(&self, headers: &HeaderMap) -> bool {
        if self.bearer.is_none() && self.basic.is_none() {
            return true;
        }
        let Some(auth) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
        else {
            return false;
        };
        let (scheme, cred) = auth.trim().split_once(' ').unwrap_or((auth, ""));
        let cred = cred.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            if let Some(token) = &self.bearer {
                return token.matches(cred.as_bytes());
            }
        }
        if scheme.eq_ignore_ascii_case("basic") {
            if let Some((user, pass)) = &self.basic {
                let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(cred) else {
                    return false;
                };
                let Some(colon) = decoded.iter().position(|b| *b == b':') else {
                    return false;
                };
                // Evaluate both halves so timing does not tell which was wrong.
                let user_ok = user.as_bytes().ct_eq(&decoded[..colon]);
                let pass_ok = pass.0.as_slice().ct_eq(&decoded[colon + 1..]);
                return bool::from(user_ok & pass_ok);
            }
        }
        false
    }

    fn challenge(&self) -> Response {
        let mut resp = plain(
            StatusCode::UNAUTHORIZED,
            "unauthorized: send the configured credentials in the `Authorization` header\n",
        );
        let h = resp.headers_mut();
        if self.bearer.is_some() {
            h.append(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"metrics\""),
            );
        }
        if self.basic.is_some() {
            h.append(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"metrics\", charset=\"UTF-8\""),
            );
        }
        resp
    }
}

/// Whether an `Accept-Encoding` header accepts gzip (q > 0 for `gzip` or,
/// failing that, `*`).
fn accepts_gzip(value: Option<&str>) -> bool {
    let Some(value) = value else {
        return false;
    };
    let (mut gzip, mut star) = (None, None);
    for item in value.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, v)| v.trim().parse::<f32>().unwrap_or(0.0));
        match coding.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    gzip.or(star).is_some_and(|q| q > 0.0)
}

async fn metrics(inner: Arc<Inner>, req: Request) -> Response {
    let opts = &inner.opts;
    if !opts.allow.is_empty() {
        let allowed = client_ip(&req).is_some_and(|ip| opts.allow.iter().any(|n| n.contains(&ip)));
        if !allowed {
            // Fails closed when the server did not record client addresses.
            return plain(
                StatusCode::FORBIDDEN,
                "forbidden: this client's address is not in the allow-list\n",
            );
        }
    }
    let headers = req.headers();
    if !opts.authorized(headers) {
        return opts.challenge();
    }
    let header_str = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let format = match (opts.openmetrics, negotiate(header_str(header::ACCEPT))) {
        (true, Format::OpenMetrics { .. }) => Format::OpenMetrics {
            created: opts.created,
        },
        _ => Format::Text,
    };
    let gzip = opts.gzip && accepts_gzip(header_str(header::ACCEPT_ENCODING));
    let registry = opts.registry;
    // Collect callbacks may block (a database count): keep them off the
    // async workers.
    let body = tokio::task::spawn_blocking(move || {
        let text = registry.render(format);
        if gzip {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(text.as_bytes())
                .and_then(|()| enc.finish())
                .map_err(|e| e.to_string())
        } else {
            Ok(text.into_bytes())
        }
    })
    .await;
    let body = match body {
        Ok(Ok(b)) => b,
        _ => {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: the exposition could not be rendered\n",
            )
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_acceptance() {
        assert!(accepts_gzip(Some("gzip")));
        assert!(accepts_gzip(Some("deflate, gzip;q=0.5")));
        assert!(accepts_gzip(Some("*")));
        assert!(!accepts_gzip(Some("gzip;q=0")));
        assert!(!accepts_gzip(Some("gzip;q=0, *")));
        assert!(!accepts_gzip(Some("identity")));
        assert!(!accepts_gzip(None));
    }

    fn exporter() -> Exporter {
        Exporter::new(crate::registry())
    }

    fn auth(e: &Exporter, value: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        e.authorized(&h)
    }

    #[test]
    fn credentials() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let e = exporter().bearer_token("tok");
        assert!(auth(&e, "Bearer tok"));
        assert!(auth(&e, "bearer tok"));
        assert!(!auth(&e, "Bearer tok2"));
        assert!(!auth(&e, "Bearer to"));
        assert!(!auth(&e, "Bearer "));
        assert!(!auth(&e, &format!("Basic {}", b64("u:tok"))));
        assert!(!e.authorized(&HeaderMap::new()));

        let e = exporter().basic_auth("user", "pa:ss");
        assert!(auth(&e, &format!("Basic {}", b64("user:pa:ss"))));
        assert!(!auth(&e, &format!("Basic {}", b64("user:pa"))));
        assert!(!auth(&e, &format!("Basic {}", b64("usr:pa:ss"))));
        assert!(!auth(&e, "Basic !!!"));
        assert!(!auth(&e, "Bearer pa:ss"));

        let both = exporter().bearer_token("tok").basic_auth("u", "p");
        assert!(auth(&both, "Bearer tok"));
        assert!(auth(&both, &format!("Basic {}", b64("u:p"))));
        assert!(exporter().authorized(&HeaderMap::new()));
    }

    #[test]
    fn environment() {
        let vars = [
            ("PROMDEF_LISTEN", "127.0.0.1:9100"),
            ("PROMDEF_BEARER_TOKEN", "hunter2"),
            ("PROMDEF_BASIC_AUTH", "prom:correct-horse"),
            ("PROMDEF_ALLOW_CIDRS", "10.1.2.3/8, ::1, 192.168.0.7"),
            ("PROMDEF_OPENMETRICS", "false"),
            ("PROMDEF_CREATED", "yes"),
            ("PROMDEF_GZIP", "0"),
            ("PROMDEF_PROCESS_METRICS", "on"),
        ];
        let get = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let e = Exporter::from_lookup(crate::registry(), get).unwrap();
        assert_eq!(e.listen, "127.0.0.1:9100".parse().unwrap());
        assert!(auth(&e, "Bearer hunter2"));
        assert_eq!(e.basic.as_ref().unwrap().0, "prom");
        let nets: Vec<String> = e.allow.iter().map(|n| n.to_string()).collect();
        assert_eq!(nets, ["10.0.0.0/8", "::1/128", "192.168.0.7/32"]);
        assert!((!e.openmetrics, e.created, !e.gzip, e.process) == (true, true, true, true));
        let debug = format!("{e:?}");
        assert!(
            !debug.contains("hunter2") && !debug.contains("correct-horse"),
            "{debug}"
        );

        for (var, value, reason) in [
            ("PROMDEF_LISTEN", "nine", "`nine` is not `ip:port`"),
            ("PROMDEF_BASIC_AUTH", "nocolon", "expected `user:password`"),
            ("PROMDEF_OPENMETRICS", "maybe", "expected `true` or `false`"),
            (
                "PROMDEF_ALLOW_CIDRS",
                "10.0.0.0/33",
                "`10.0.0.0/33` is not a network",
            ),
        ] {
            let err =
                Exporter::from_lookup(crate::registry(), |k| (k == var).then(|| value.to_string()))
                    .unwrap_err()
                    .to_string();
            assert!(
                err.starts_with(&format!("invalid `{var}`: {reason}")),
                "{err}"
            );
        }
        let err = Exporter::from_lookup(crate::registry(), |k| {
            k.starts_with("PROMDEF_BEARER_TOKEN")
                .then(|| "x".to_string())
        })
        .unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
    }

    #[test]
    fn token_file() {
        let dir = std::env::temp_dir().join(format!("promdef-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "from-file\n").unwrap();
        let p = path.to_string_lossy().into_owned();
        let e = Exporter::from_lookup(crate::registry(), |k| {
            (k == "PROMDEF_BEARER_TOKEN_FILE").then(|| p.clone())
        })
        .unwrap();
        assert!(auth(&e, "Bearer from-file"));
        std::fs::remove_dir_all(&dir).unwrap();
        let err = Exporter::from_lookup(crate::registry(), |k| {
            (k == "PROMDEF_BEARER_TOKEN_FILE").then(|| "/nonexistent/promdef".to_string())
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid `PROMDEF_BEARER_TOKEN_FILE`: cannot read"),
            "{err}"
        );
    }
}
