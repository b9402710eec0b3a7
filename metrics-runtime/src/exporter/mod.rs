//! A secured `/metrics` endpoint on axum 0.8 / hyper 1 / tokio (feature
//! `exporter`).
//!
//! One call serves the default registry until SIGTERM or Ctrl-C:
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
//! when an allow-list is configured, so the client address is known; the
//! connection limits below are then that server's to set).
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `PROMDEF_LISTEN` | listen address, `ip:port` | `0.0.0.0:9464` |
//! | `PROMDEF_BEARER_TOKEN` | required `Authorization: Bearer` token (surrounding whitespace trimmed) | none |
//! | `PROMDEF_BEARER_TOKEN_FILE` | file holding the token (trimmed, as Prometheus trims `credentials_file`) | none |
//! | `PROMDEF_BASIC_AUTH` | required basic credentials, `user:password` | none |
//! | `PROMDEF_ALLOW_CIDRS` | comma-separated client networks, e.g. `10.0.0.0/8,::1/128` | everyone |
//! | `PROMDEF_TRUSTED_PROXIES` | comma-separated proxy networks whose `X-Forwarded-For` names the client | none |
//! | `PROMDEF_METRICS_PATH` | path of the metrics endpoint, e.g. `/metrics/` | `/metrics` |
//! | `PROMDEF_MAX_CONNECTIONS` | connections served at once; past it the longest-idle one is closed | 256 |
//! | `PROMDEF_HEADER_TIMEOUT` | seconds a client has to send its request headers | 10 |
//! | `PROMDEF_IDLE_TIMEOUT` | seconds a keep-alive connection may sit idle | 120 |
//! | `PROMDEF_OPENMETRICS` | `false` serves text 0.0.4 whatever the `Accept` header | `true` |
//! | `PROMDEF_CREATED` | `true` adds OpenMetrics `_created` samples | `false` |
//! | `PROMDEF_PROTOBUF` | `false` never serves the protobuf exposition (which native histograms need) | `true` |
//! | `PROMDEF_GZIP` | `false` never compresses | `true` |
//! | `PROMDEF_PROCESS_METRICS` | `true` adds [`crate::process`] metrics | `false` |
//! | `PROMDEF_WEB_CONFIG_FILE` | a Prometheus exporter-toolkit web configuration file (TLS, client certificates, bcrypt users; feature `web-config`) | none |
//!
//! A security variable (token, token file, basic credentials, allow-list,
//! trusted proxies) that is set to nothing, or to `user:` / `:password`, or to
//! a list of no network, is a configuration error naming it: an empty value
//! never means "no authentication". Other variables set to nothing mean
//! their default.
//!
//! Endpoints: `GET /metrics` (allow-list → 403, then credentials → 401 with
//! `WWW-Authenticate`, both checked only here); `GET /health` and
//! `/health/live` (200 while the process serves); `GET /health/ready` (200,
//! or 503 once shutdown began or when the [`Exporter::readiness`] check says
//! no). Health endpoints carry no data and need no credentials, so probes
//! work without secrets. When a bearer token and basic credentials are both
//! set, either is accepted. Secrets are compared in constant time and never
//! appear in `Debug` output, errors or responses.
//!
//! # TLS and the web configuration file
//!
//! [`Exporter::web_config_file`] (or `PROMDEF_WEB_CONFIG_FILE`) reads the
//! file node_exporter's `--web.config.file` reads: `tls_server_config`
//! (`cert_file`, `key_file`, `client_auth_type: RequireAndVerifyClientCert`
//! or `VerifyClientCertIfGiven` with `client_ca_file`, `min_version` /
//! `max_version` `TLS12`/`TLS13`) and `basic_auth_users` (bcrypt hashes,
//! verified off the async workers and remembered once valid). Relative paths
//! are from the file's directory; the file is read when the exporter starts.
//! Anything it cannot honour — TLS 1.0/1.1, cipher or curve lists, client
//! certificates nobody verifies, an unknown key, a hash that is not bcrypt —
//! stops start-up with an error naming it. Built without the `web-config`
//! feature, setting the file is an error too, never a server without TLS.
//!
//! Under load: concurrent scrapes of one format share one render (so an
//! exposition is built at most once per format at a time, and held once,
//! whatever the number of clients); at most [`Exporter::max_connections`]
//! connections are served, and past it the one idle the longest is closed
//! so a scrape still gets in; a client gets [`Exporter::header_timeout`] to
//! send its headers (a byte-by-byte client is cut off) and a keep-alive
//! connection [`Exporter::idle_timeout`] of silence.

mod auth;
mod config;
mod server;
#[cfg(feature = "web-config")]
mod webconfig;

use crate::registry::{DuplicateMetric, Registry, RegistryError};
use auth::{Credentials, Secret};
use axum::Router;
use ipnet::IpNet;
use server::Inner;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The listen address when none is configured.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:9464";

type ReadyCheck = Arc<dyn Fn() -> bool + Send + Sync>;
type ShutdownFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Connection limits of the built-in server.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    /// How long shutdown waits for requests in progress.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 256,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            drain: Duration::from_secs(10),
        }
    }
}

/// When the built-in server stops by itself.
#[derive(Clone, Default)]
enum StopOn {
    /// SIGTERM or Ctrl-C.
    #[default]
    Signals,
    /// Only [`Running::shutdown`].
    Manual,
    /// This future, once (taken by the first `bind`).
    Future(Arc<std::sync::Mutex<Option<ShutdownFuture>>>),
}

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
    credentials: Credentials,
    allow: Vec<IpNet>,
    trusted: Vec<IpNet>,
    openmetrics: bool,
    protobuf: bool,
    created: bool,
    gzip: bool,
    process: bool,
    ready: Option<ReadyCheck>,
    limits: Limits,
    metrics_path: String,
    prefix: String,
    stop_on: StopOn,
    web_config: Option<std::path::PathBuf>,
}

/// How a Prometheus must scrape an exporter ([`Exporter::scrape_settings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScrapeSettings {
    /// The metrics path, with the path prefix.
    pub metrics_path: String,
    /// Served over TLS (`scheme: https`).
    pub tls: bool,
    /// A verified client certificate is required.
    pub client_certificate: bool,
    /// The credentials the exporter requires.
    pub auth: ScrapeAuth,
    /// The address it listens on.
    pub listen: SocketAddr,
}

/// The credentials an exporter requires of its scraper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScrapeAuth {
    /// None (an allow-list may still apply).
    None,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// Basic auth as this user (`PROMDEF_BASIC_AUTH`).
    Basic {
        /// The user name (not secret; the password is).
        user: String,
    },
    /// Basic auth as one of the web configuration file's users.
    WebConfigUsers,
}

impl fmt::Debug for Exporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.credentials;
        f.debug_struct("Exporter")
            .field("listen", &self.listen)
            .field("bearer_token", &c.bearer)
            .field("basic_auth_user", &c.basic.as_ref().map(|(u, _)| u))
            .field("basic_auth_password", &c.basic.as_ref().map(|(_, p)| p))
            .field("allow", &self.allow)
            .field("trusted_proxies", &self.trusted)
            .field(
                "metrics_path",
                &format!("{}{}", self.prefix, self.metrics_path),
            )
            .field("openmetrics", &self.openmetrics)
            .field("protobuf", &self.protobuf)
            .field("created", &self.created)
            .field("gzip", &self.gzip)
            .field("process_metrics", &self.process)
            .field("limits", &self.limits)
            .field("web_config", &self.web_config)
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
        name: String,
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
            ExporterError::Duplicate(e) => Some(e),
            ExporterError::Bind { source, .. } => Some(source),
            ExporterError::Serve(e) => Some(e),
            _ => None,
        }
    }
}

fn config(name: &str, reason: impl Into<String>) -> ExporterError {
    ExporterError::Config {
        name: name.to_string(),
        reason: reason.into(),
    }
}

impl Exporter {
    /// Defaults: listen on [`DEFAULT_LISTEN`], no credentials, every client,
    /// `/metrics`, OpenMetrics when asked for, gzip when accepted, no process
    /// metrics, the limits in the module docs, stop on SIGTERM or Ctrl-C.
    pub fn new(registry: &'static Registry) -> Self {
        Exporter {
            registry,
            listen: DEFAULT_LISTEN.parse().expect("valid default address"),
            credentials: Credentials::default(),
            allow: Vec::new(),
            trusted: Vec::new(),
            openmetrics: true,
            protobuf: true,
            created: false,
            gzip: true,
            process: false,
            ready: None,
            limits: Limits::default(),
            metrics_path: "/metrics".into(),
            prefix: String::new(),
            stop_on: StopOn::Signals,
            web_config: None,
        }
    }

    /// The address [`Exporter::serve`] and [`Exporter::bind`] listen on.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/metrics`. Surrounding
    /// whitespace is trimmed; an empty token fails when the server starts.
    pub fn bearer_token(mut self, token: impl AsRef<str>) -> Self {
        self.credentials.bearer = Some(Secret::new(config::trimmed(token.as_ref())));
        self
    }

    /// Requires HTTP basic credentials on `/metrics`; an empty user or
    /// password fails when the server starts.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl AsRef<str>) -> Self {
        self.credentials.basic = Some((user.into(), Secret::new(password.as_ref())));
        self
    }

    /// Serves `/metrics` only to clients in these comma-separated networks
    /// (`10.0.0.0/8`, `::1/128`, `::ffff:10.0.0.0/104`, or a bare address);
    /// others get 403. An empty list is an error.
    pub fn allow_cidrs(mut self, list: &str) -> Result<Self, ExporterError> {
        self.allow = auth::parse_cidrs("allow_cidrs", list)?;
        Ok(self)
    }

    /// Reverse proxies (comma-separated networks) whose `X-Forwarded-For`
    /// header names the client: behind them, the client is the right-most
    /// address of the header that is not a trusted proxy. The header is
    /// ignored from every other peer.
    pub fn trusted_proxies(mut self, list: &str) -> Result<Self, ExporterError> {
        self.trusted = auth::parse_cidrs("trusted_proxies", list)?;
        Ok(self)
    }

    /// The path of the metrics endpoint (default `/metrics`), e.g. `/metrics/`.
    pub fn metrics_path(mut self, path: impl Into<String>) -> Self {
        self.metrics_path = path.into();
        self
    }

    /// A prefix for every route of the exporter (`/internal` serves
    /// `/internal/metrics` and `/internal/health…`).
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// `false` always serves text 0.0.4, whatever the client prefers.
    pub fn openmetrics(mut self, on: bool) -> Self {
        self.openmetrics = on;
        self
    }

    /// `false` never serves the protobuf exposition, whatever the client
    /// prefers (native histograms then show only their classic buckets).
    pub fn protobuf(mut self, on: bool) -> Self {
        self.protobuf = on;
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

    /// Most connections served at once (default 256). Past it, the
    /// connection idle the longest is closed to admit the new one; when all
    /// are handling requests, the new one is refused.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.limits.max_connections = n.max(1);
        self
    }

    /// Time a client has to send its request headers (default 10 s).
    pub fn header_timeout(mut self, t: Duration) -> Self {
        self.limits.header_timeout = t;
        self
    }

    /// Time a keep-alive connection may stay silent (default 120 s).
    pub fn idle_timeout(mut self, t: Duration) -> Self {
        self.limits.idle_timeout = t;
        self
    }

    /// Stops the server when `signal` completes instead of on SIGTERM or
    /// Ctrl-C ([`Running::shutdown`] always works too).
    pub fn shutdown_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.stop_on = StopOn::Future(Arc::new(std::sync::Mutex::new(Some(Box::pin(signal)))));
        self
    }

    /// Reads TLS settings and bcrypt basic-auth users from a Prometheus
    /// exporter-toolkit web configuration file (the `--web.config.file` of
    /// node_exporter; see the [module docs](self#tls-and-the-web-configuration-file)),
    /// checked when the exporter starts. Needs the `web-config` feature: without
    /// it, starting fails rather than serving without the file's protection.
    pub fn web_config_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.web_config = Some(path.into());
        self
    }

    /// Stops the server only on [`Running::shutdown`] (no signal handling).
    pub fn manual_shutdown(mut self) -> Self {
        self.stop_on = StopOn::Manual;
        self
    }

    /// Configured credentials must be usable: no empty token, user or password.
    fn check_credentials(&self, name: &str) -> Result<(), ExporterError> {
        if self
            .credentials
            .bearer
            .as_ref()
            .is_some_and(Secret::is_empty)
        {
            return Err(config(name, "the bearer token is empty"));
        }
        if let Some((user, pass)) = &self.credentials.basic {
            if user.is_empty() {
                return Err(config(name, "the basic-auth user is empty"));
            }
            if pass.is_empty() {
                return Err(config(name, "the basic-auth password is empty"));
            }
        }
        Ok(())
    }

    /// Paths must be absolute and plain (no route syntax).
    /// What a Prometheus needs to scrape this exporter: the path, the
    /// scheme, and which credentials it must present (never their values),
    /// reading the web configuration file if one is set. This is what
    /// `promdef scrape-config` writes a `scrape_configs` entry from.
    ///
    /// ```
    /// let e = promdef::exporter::Exporter::from_lookup(promdef::registry(), |k| match k {
    ///     "PROMDEF_BEARER_TOKEN" => Some("s3cret".into()),
    ///     "PROMDEF_METRICS_PATH" => Some("/metrics/".into()),
    ///     _ => None,
    /// })
    /// .unwrap();
    /// let s = e.scrape_settings().unwrap();
    /// assert_eq!(s.metrics_path, "/metrics/");
    /// assert_eq!(s.auth, promdef::exporter::ScrapeAuth::Bearer);
    /// assert!(!s.tls);
    /// ```
    pub fn scrape_settings(&self) -> Result<ScrapeSettings, ExporterError> {
        self.check_paths("metrics_path")?;
        let prefix = self.prefix.trim_end_matches('/');
        #[cfg_attr(not(feature = "web-config"), allow(unused_mut))]
        // only the web config changes it
        let mut s = ScrapeSettings {
            metrics_path: format!("{prefix}{}", self.metrics_path),
            tls: false,
            client_certificate: false,
            auth: if self.credentials.bearer.is_some() {
                ScrapeAuth::Bearer
            } else if let Some((user, _)) = &self.credentials.basic {
                ScrapeAuth::Basic { user: user.clone() }
            } else {
                ScrapeAuth::None
            },
            listen: self.listen,
        };
        #[cfg(feature = "web-config")]
        if let Some(path) = &self.web_config {
            let w = webconfig::load("PROMDEF_WEB_CONFIG_FILE", path)?;
            s.tls = w.tls.is_some();
            s.client_certificate = w.client_cert_required;
            if w.users.is_some() && s.auth == ScrapeAuth::None {
                s.auth = ScrapeAuth::WebConfigUsers;
            }
        }
        #[cfg(not(feature = "web-config"))]
        if self.web_config.is_some() {
            return Err(config(
                "PROMDEF_WEB_CONFIG_FILE",
                "a web configuration file needs promdef's `web-config` feature",
            ));
        }
        Ok(s)
    }

    fn check_paths(&self, name: &str) -> Result<(), ExporterError> {
        let plain = |p: &str| {
            p.starts_with('/')
                && p.len() > 1
                && p.bytes().all(|b| {
                    b.is_ascii_graphic() && !matches!(b, b'{' | b'}' | b'*' | b':' | b'?' | b'#')
                })
        };
        if !plain(&self.metrics_path) {
            return Err(config(
                name,
                format!(
                    "`{}` is not a plain absolute path; write e.g. `/metrics/`",
                    self.metrics_path.escape_debug()
                ),
            ));
        }
        if !self.prefix.is_empty() && !plain(&self.prefix) {
            return Err(config(
                name,
                format!(
                    "prefix `{}` is not a plain absolute path; write e.g. `/internal`",
                    self.prefix.escape_debug()
                ),
            ));
        }
        Ok(())
    }

    fn prepare(&self) -> Result<Arc<Inner>, ExporterError> {
        self.check_credentials("credentials")?;
        self.check_paths("metrics_path")?;
        #[allow(unused_mut)]
        let mut opts = self.clone();
        #[cfg(feature = "web-config")]
        let mut tls = None;
        if let Some(path) = &self.web_config {
            #[cfg(feature = "web-config")]
            {
                let web = webconfig::load("web_config_file", path)?;
                if web.users.is_some() && self.credentials.basic.is_some() {
                    return Err(config(
                        "web_config_file",
                        "the file's `basic_auth_users` and basic credentials (`PROMDEF_BASIC_AUTH`) are both set; keep one",
                    ));
                }
                opts.credentials.users = web.users;
                tls = web.tls;
            }
            #[cfg(not(feature = "web-config"))]
            return Err(config(
                "web_config_file",
                format!(
                    "`{}` cannot be honoured: promdef was built without its `web-config` feature; enable it",
                    path.display()
                ),
            ));
        }
        self.registry.check().map_err(ExporterError::Registry)?;
        if self.process {
            crate::process::register(self.registry).map_err(ExporterError::Duplicate)?;
        }
        Ok(Arc::new(Inner {
            opts,
            stopping: AtomicBool::new(false),
            renders: Default::default(),
            #[cfg(feature = "web-config")]
            tls,
        }))
    }

    /// The metrics and health routes, to merge into an application's own
    /// axum router. Fails when the registry has duplicate names or the
    /// credentials are empty.
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
        let inner = self.prepare()?;
        #[cfg(feature = "web-config")]
        if inner.tls.is_some() {
            return Err(config(
                "web_config_file",
                "its `tls_server_config` needs the exporter's own server (`bind`, `bind_with`, `serve`), not `router`",
            ));
        }
        Ok(server::routes(inner))
    }

    /// Binds the listen address and serves the metrics and health routes
    /// in a tokio task until [`Running::shutdown`] or SIGTERM / Ctrl-C (see
    /// [`Exporter::shutdown_on`]); call inside a tokio runtime.
    pub async fn bind(self) -> Result<Running, ExporterError> {
        self.bind_with(Router::new()).await
    }

    /// As [`Exporter::bind`], serving the application's own routes `app`
    /// beside `/metrics` and `/health` on the same port, with client
    /// addresses recorded for the allow-list and the same connection limits.
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
        let app = app.merge(server::routes::<()>(inner.clone()));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stop_tx = Arc::new(stop_tx);
        // What stops the server by itself.
        let trigger: Option<ShutdownFuture> = match &self.stop_on {
            StopOn::Signals => Some(Box::pin(server::shutdown_signal())),
            StopOn::Manual => None,
            StopOn::Future(f) => f.lock().unwrap_or_else(|p| p.into_inner()).take(),
        };
        if let Some(trigger) = trigger {
            let (tx, stopping) = (stop_tx.clone(), inner.clone());
            tokio::spawn(async move {
                trigger.await;
                stopping.stopping.store(true, Ordering::SeqCst);
                let _ = tx.send(true);
            });
        }
        let tls = server::Tls {
            #[cfg(feature = "web-config")]
            acceptor: inner.tls.clone().map(tokio_rustls::TlsAcceptor::from),
        };
        let task = tokio::spawn(server::serve(listener, app, self.limits, stop_rx, tls));
        Ok(Running {
            addr: local,
            inner,
            stop: stop_tx,
            task,
        })
    }

    /// Serves until SIGTERM or Ctrl-C (or the [`Exporter::shutdown_on`]
    /// future), then shuts down gracefully: requests in progress finish.
    pub async fn serve(self) -> Result<(), ExporterError> {
        self.bind().await?.wait().await
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn serve_with_shutdown(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ExporterError> {
        self.shutdown_on(signal).serve().await
    }
}

/// Serves the default registry on `addr` until SIGTERM or Ctrl-C, with the
/// defaults of [`Exporter::new`].
pub async fn serve(addr: SocketAddr) -> Result<(), ExporterError> {
    Exporter::new(crate::registry()).listen(addr).serve().await
}

/// A server started by [`Exporter::bind`].
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    inner: Arc<Inner>,
    stop: Arc<tokio::sync::watch::Sender<bool>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The bound address (useful after listening on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many expositions were rendered so far (concurrent scrapes of one
    /// format share one): for tests and load checks.
    pub fn renders(&self) -> u64 {
        self.inner.renders.started.load(Ordering::Relaxed)
    }

    /// Stops accepting connections, lets in-flight requests finish (at most
    /// 10 s), and waits for the server to end.
    pub async fn shutdown(self) -> Result<(), ExporterError> {
        self.inner.stopping.store(true, Ordering::SeqCst);
        let _ = self.stop.send(true);
        self.wait().await
    }

    /// Waits until the server stops (a signal, the shutdown future, or
    /// [`Running::shutdown`] from a clone of the stop channel).
    pub async fn wait(self) -> Result<(), ExporterError> {
        self.task
            .await
            .map_err(|e| ExporterError::Serve(std::io::Error::other(e.to_string())))
    }
}
