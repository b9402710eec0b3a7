//! Pushgateway client (feature `push`; `push-rustls` adds HTTPS), on the
//! blocking `ureq` client, so batch jobs need no async runtime.
//!
//! A registry is the group of metrics that is pushed: declare a batch job's
//! metrics with `registry = crate::BATCH` and push `&BATCH`.
//!
//! ```no_run
//! pub static BATCH: promdef::Registry = promdef::Registry::new();
//! promdef::metrics! {
//!     registry = crate::BATCH;
//!     /// Rows imported by the nightly job.
//!     pub counter import_rows_total;
//! }
//! # fn main() -> Result<(), promdef::push::PushError> {
//! IMPORT_ROWS_TOTAL.inc_by(1200);
//! let gateway = promdef::push::Pusher::new("http://pushgateway:9091", "nightly_import")?
//!     .grouping("instance", "db-1")?
//!     .timeout(std::time::Duration::from_secs(10));
//! gateway.push(&BATCH)?;      // PUT: replaces the group
//! // gateway.push_add(&BATCH)?;  POST: replaces only same-named metrics
//! // gateway.delete()?;          DELETE: removes the group
//! # Ok(())
//! # }
//! ```

use crate::encode::TEXT_CONTENT_TYPE;
use crate::registry::{Registry, RegistryError};
use base64::Engine as _;
use std::fmt;
use std::time::Duration;

/// Why a push failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum PushError {
    /// The gateway URL, job or a grouping label is invalid (nothing was sent).
    Config(String),
    /// The registry has duplicate names (nothing was sent).
    Registry(RegistryError),
    /// The gateway refused the metrics as inconsistent (HTTP 400), e.g. a
    /// name pushed with another type or help by another group.
    Rejected {
        /// The gateway's explanation.
        message: String,
    },
    /// The gateway answered with another non-success status (401, 403, 404, 5xx…).
    Status {
        /// HTTP status.
        status: u16,
        /// The start of the response body.
        message: String,
    },
    /// The gateway redirected the request. A push is never re-sent
    /// elsewhere: a redirected PUT or POST would lose its body (clients
    /// re-send it as a GET) and look successful.
    Redirect {
        /// HTTP status (301, 302, 303, 307, 308).
        status: u16,
        /// Where it points (without credentials or query), to configure instead.
        location: String,
    },
    /// No answer: connection refused, DNS, TLS, timeout.
    Transport(Box<ureq::Error>),
}

impl PushError {
    /// Whether the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, PushError::Transport(e) if matches!(**e, ureq::Error::Timeout(_)))
    }
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Config(m) => f.write_str(m),
            PushError::Registry(e) => write!(f, "{e}"),
            PushError::Rejected { message } => write!(
                f,
                "the pushgateway rejected the metrics (400): {message}; fix the metric that conflicts with another group"
            ),
            PushError::Status { status, message } => {
                write!(f, "the pushgateway answered {status}: {message}")
            }
            PushError::Redirect { status, location } => write!(
                f,
                "the pushgateway redirects ({status}) to `{location}`; nothing was pushed, configure that URL instead"
            ),
            PushError::Transport(e) => write!(
                f,
                "cannot reach the pushgateway: {e}; check its address and that it is running"
            ),
        }
    }
}

impl std::error::Error for PushError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PushError::Registry(e) => Some(e),
            PushError::Transport(e) => Some(&**e),
            _ => None,
        }
    }
}

fn valid_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !s.starts_with("__")
}

/// Appends `/<name>/<value>` (or `/<name>@base64/<urlsafe base64>` for a
/// value the gateway could not read from a plain path segment: one that
/// contains `/` or is empty).
fn push_segment(url: &mut String, name: &str, value: &str) {
    url.push('/');
    url.push_str(name);
    if value.is_empty() || value.contains('/') {
        url.push_str("@base64/");
        let b64 = base64::engine::general_purpose::URL_SAFE.encode(value);
        // The gateway reads `=` as the empty value.
        url.push_str(if b64.is_empty() { "=" } else { &b64 });
    } else {
        url.push('/');
        for b in value.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                url.push(b as char);
            } else {
                url.push_str(&format!("%{b:02X}"));
            }
        }
    }
}

/// `url` as shown in messages: without user information or query.
fn redacted(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), url),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    format!("{scheme}{host}{path}").escape_debug().to_string()
}

/// Percent-decodes user information (`p%40ss` → `p@ss`).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Most bytes of an error response kept in the message.
const MAX_ERROR_BODY: u64 = 4096;

/// A Pushgateway group: the gateway address, the job and the grouping key.
#[derive(Clone)]
pub struct Pusher {
    base: String,
    job: String,
    grouping: Vec<(String, String)>,
    basic: Option<(String, String)>,
    timeout: Duration,
}

impl fmt::Debug for Pusher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pusher")
            .field("url", &self.url())
            .field("basic_auth_user", &self.basic.as_ref().map(|(u, _)| u))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Pusher {
    /// A group for `job` on the gateway at `gateway` (`http://host:9091`,
    /// optionally with a path prefix). Credentials in the URL
    /// (`http://user:pass@host:9091`) become basic auth and leave the URL,
    /// so they never appear in `Debug`, errors or logs. The default timeout
    /// is 10 seconds.
    ///
    /// ```
    /// let p = promdef::push::Pusher::new("http://admin:s3cret@gw:9091", "backup")?;
    /// assert_eq!(p.url(), "http://gw:9091/metrics/job/backup");
    /// assert!(!format!("{p:?}").contains("s3cret"));
    /// # Ok::<(), promdef::push::PushError>(())
    /// ```
    pub fn new(gateway: &str, job: &str) -> Result<Self, PushError> {
        let trimmed = gateway.trim().trim_end_matches('/');
        let scheme_ok = trimmed.starts_with("http://") || trimmed.starts_with("https://");
        if !scheme_ok || trimmed.ends_with("//") {
            return Err(PushError::Config(format!(
                "`{}` is not a pushgateway URL; write e.g. `http://pushgateway:9091`",
                redacted(gateway.trim())
            )));
        }
        let (scheme, rest) = trimmed.split_once("://").expect("checked above");
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut basic = None;
        let host = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let (u, p) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let (Some(u), Some(p)) = (percent_decode(u), percent_decode(p)) else {
                    return Err(PushError::Config(format!(
                        "the credentials in `{}` are not valid percent-encoding",
                        redacted(trimmed)
                    )));
                };
                basic = Some((u, p));
                host
            }
            None => authority,
        };
        if host.is_empty() {
            return Err(PushError::Config(format!(
                "`{}` has no host; write e.g. `http://pushgateway:9091`",
                redacted(trimmed)
            )));
        }
        let base = format!("{scheme}://{host}{path}");
        if job.is_empty() {
            return Err(PushError::Config(
                "the job name is empty; name the batch job".to_string(),
            ));
        }
        Ok(Pusher {
            base,
            job: job.to_string(),
            grouping: Vec::new(),
            basic,
            timeout: Duration::from_secs(10),
        })
    }

    /// Adds a grouping label (e.g. `instance`); any value is allowed.
    pub fn grouping(mut self, name: &str, value: &str) -> Result<Self, PushError> {
        if !valid_label_name(name) || name == "job" {
            return Err(PushError::Config(format!(
                "`{name}` cannot be a grouping label; use a label name like `instance` (not `job`, not `__…`)"
            )));
        }
        if self.grouping.iter().any(|(n, _)| n == name) {
            return Err(PushError::Config(format!(
                "grouping label `{name}` is given twice; keep one"
            )));
        }
        self.grouping.push((name.to_string(), value.to_string()));
        Ok(self)
    }

    /// Sends HTTP basic credentials.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.basic = Some((user.to_string(), password.to_string()));
        self
    }

    /// Bounds each request as a whole (connect, send, answer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The group's URL.
    ///
    /// ```
    /// let p = promdef::push::Pusher::new("http://gw:9091/", "backup")?
    ///     .grouping("instance", "db-1")?
    ///     .grouping("path", "/var/lib")?
    ///     .grouping("empty", "")?;
    /// assert_eq!(
    ///     p.url(),
    ///     "http://gw:9091/metrics/job/backup/instance/db-1/path@base64/L3Zhci9saWI=/empty@base64/="
    /// );
    /// # Ok::<(), promdef::push::PushError>(())
    /// ```
    pub fn url(&self) -> String {
        let mut url = format!("{}/metrics", self.base);
        push_segment(&mut url, "job", &self.job);
        for (n, v) in &self.grouping {
            push_segment(&mut url, n, v);
        }
        url
    }

    fn agent(&self) -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(self.timeout))
            .http_status_as_error(false)
            // A redirect is reported, never followed: see `PushError::Redirect`.
            .max_redirects(0)
            .build()
            .into()
    }

    fn auth_header(&self) -> Option<String> {
        self.basic.as_ref().map(|(u, p)| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        })
    }

    fn send(&self, method: &str, body: Option<String>) -> Result<(), PushError> {
        let agent = self.agent();
        let url = self.url();
        let auth = self.auth_header();
        let result = match (method, body) {
            ("DELETE", _) => {
                let mut req = agent.delete(&url);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.call()
            }
            (m, body) => {
                let mut req = if m == "PUT" {
                    agent.put(&url)
                } else {
                    agent.post(&url)
                };
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                req.header("Content-Type", TEXT_CONTENT_TYPE)
                    .send(body.unwrap_or_default())
            }
        };
        let mut resp = result.map_err(|e| PushError::Transport(Box::new(e)))?;
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        if (300..400).contains(&status) {
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(redacted)
                .unwrap_or_default();
            return Err(PushError::Redirect { status, location });
        }
        // The start of the body, whatever its length: a long body keeps its
        // first 4 KiB (escaped), never becomes an empty message.
        let mut start = Vec::new();
        let _ = std::io::Read::read_to_end(
            &mut std::io::Read::take(resp.body_mut().as_reader(), MAX_ERROR_BODY),
            &mut start,
        );
        let message = String::from_utf8_lossy(&start)
            .trim()
            .escape_debug()
            .to_string();
        Err(if status == 400 {
            PushError::Rejected { message }
        } else {
            PushError::Status { status, message }
        })
    }

    fn body(registry: &'static Registry) -> Result<String, PushError> {
        registry.check().map_err(PushError::Registry)?;
        Ok(registry.render_text())
    }

    /// PUT: replaces every metric of the group with `registry`'s.
    pub fn push(&self, registry: &'static Registry) -> Result<(), PushError> {
        self.send("PUT", Some(Self::body(registry)?))
    }

    /// POST: replaces only the group's metrics that `registry` also has.
    pub fn push_add(&self, registry: &'static Registry) -> Result<(), PushError> {
        self.send("POST", Some(Self::body(registry)?))
    }

    /// DELETE: removes the group from the gateway.
    pub fn delete(&self) -> Result<(), PushError> {
        self.send("DELETE", None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let p = |job: &str| Pusher::new("http://gw:9091", job).unwrap();
        assert_eq!(p("batch").url(), "http://gw:9091/metrics/job/batch");
        // Path prefixes and trailing slashes.
        assert_eq!(
            Pusher::new(" https://example.com/pgw/ ", "j")
                .unwrap()
                .url(),
            "https://example.com/pgw/metrics/job/j"
        );
        // `/` in a value: url-safe base64 (`-` and `_`, padded).
        assert_eq!(p("a/b").url(), "http://gw:9091/metrics/job@base64/YS9i");
        assert_eq!(
            p("j").grouping("path", "/??>").unwrap().url(),
            "http://gw:9091/metrics/job/j/path@base64/Lz8_Pg=="
        );
        // Empty value.
        assert_eq!(
            p("j").grouping("instance", "").unwrap().url(),
            "http://gw:9091/metrics/job/j/instance@base64/="
        );
        // Other characters are percent-encoded in a plain segment.
        assert_eq!(
            p("j").grouping("host", "a b%c?é").unwrap().url(),
            "http://gw:9091/metrics/job/j/host/a%20b%25c%3F%C3%A9"
        );
        // Order is kept.
        assert_eq!(
            p("j")
                .grouping("b", "2")
                .unwrap()
                .grouping("a", "1")
                .unwrap()
                .url(),
            "http://gw:9091/metrics/job/j/b/2/a/1"
        );
    }

    #[test]
    fn invalid_configuration() {
        let msg = |r: Result<Pusher, PushError>| r.unwrap_err().to_string();
        assert_eq!(
            msg(Pusher::new("gw:9091", "j")),
            "`gw:9091` is not a pushgateway URL; write e.g. `http://pushgateway:9091`"
        );
        assert!(msg(Pusher::new("http://gw", "")).contains("job name is empty"));
        let p = Pusher::new("http://gw", "j").unwrap();
        for bad in ["job", "__x", "1a", "a-b", ""] {
            assert!(
                msg(p.clone().grouping(bad, "v")).contains("cannot be a grouping label"),
                "{bad}"
            );
        }
        assert!(msg(p.grouping("a", "1").unwrap().grouping("a", "2")).contains("given twice"));
    }

    #[test]
    fn credentials_in_the_url_move_to_basic_auth() {
        let p = Pusher::new("https://ad%40min:p%3Ass@gw:9091/pgw", "j").unwrap();
        assert_eq!(p.url(), "https://gw:9091/pgw/metrics/job/j");
        assert_eq!(p.basic, Some(("ad@min".into(), "p:ss".into())));
        let d = format!("{p:?}");
        assert!(!d.contains("p:ss") && !d.contains("p%3Ass"), "{d}");
        let err = Pusher::new("ftp://u:hunter2@gw", "j")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        let err = Pusher::new("http://u:%zz@gw", "j").unwrap_err().to_string();
        assert!(
            err.contains("percent-encoding") && !err.contains("%zz"),
            "{err}"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let p = Pusher::new("http://gw", "j")
            .unwrap()
            .basic_auth("user", "hunter2");
        let d = format!("{p:?}");
        assert!(d.contains("user") && !d.contains("hunter2"), "{d}");
    }

    /// A stand-in gateway answering one request with `response`; returns
    /// the gateway URL and what it received.
    fn answering(response: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then the body of the PUT.
            while let Ok(n) = s.read(&mut buf) {
                got.extend_from_slice(&buf[..n]);
                if n == 0 || got.windows(4).any(|w| w == b"\r\n\r\n") && got.ends_with(b"\n") {
                    break;
                }
            }
            s.write_all(&response).unwrap();
            String::from_utf8_lossy(&got).into_owned()
        });
        (url, t)
    }

    pub static PUSHED: Registry = Registry::new();

    #[test]
    fn a_redirect_is_an_error_naming_where_not_a_silent_loss() {
        let (url, gw) = answering(
            b"HTTP/1.1 301 Moved\r\nLocation: https://u:pw@new-gw:9091/metrics/job/j?x=1\r\nContent-Length: 0\r\n\r\n".to_vec(),
        );
        let err = Pusher::new(&url, "j").unwrap().push(&PUSHED).unwrap_err();
        let request = gw.join().unwrap();
        assert!(request.starts_with("PUT /metrics/job/j"), "{request}");
        match &err {
            PushError::Redirect { status, location } => {
                assert_eq!(*status, 301);
                assert_eq!(location, "https://new-gw:9091/metrics/job/j");
            }
            other => panic!("{other:?}"),
        }
        assert!(!err.to_string().contains("pw"), "{err}");
    }

    #[test]
    fn a_long_error_body_keeps_its_first_4_kib_escaped() {
        let body = format!("\u{1b}[31mboom {}", "x".repeat(20_000));
        let (url, gw) = answering(
            format!(
                "HTTP/1.1 503 Busy\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        );
        let err = Pusher::new(&url, "j").unwrap().delete().unwrap_err();
        gw.join().unwrap();
        let PushError::Status { status, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*status, 503);
        assert!(message.starts_with("\\u{1b}[31mboom xxx"), "{message}");
        assert!(
            message.len() <= 4096 + 16 && message.len() > 4000,
            "{}",
            message.len()
        );
    }

    #[test]
    fn a_silent_gateway_times_out() {
        // Connections are accepted by the kernel (backlog) but never answered.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap();
        let p = Pusher::new(&format!("http://{addr}"), "j")
            .unwrap()
            .timeout(Duration::from_millis(300));
        let err = p.delete().unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        drop(silent);
    }

    #[test]
    fn transport_errors_are_typed() {
        // A port nothing listens on: bind one, note it, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let p = Pusher::new(&format!("http://127.0.0.1:{port}"), "j")
            .unwrap()
            .timeout(Duration::from_secs(5));
        let err = p.delete().unwrap_err();
        assert!(matches!(err, PushError::Transport(_)), "{err:?}");
        assert!(err.to_string().starts_with("cannot reach the pushgateway"));
    }
}
