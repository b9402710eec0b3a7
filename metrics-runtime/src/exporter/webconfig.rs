//! The Prometheus exporter-toolkit web configuration file (what
//! node_exporter's `--web.config.file` reads), so operators reuse it:
//!
//! ```yaml
//! tls_server_config:
//!   cert_file: server.crt          # relative paths: from the file's directory
//!   key_file: server.key
//!   client_auth_type: RequireAndVerifyClientCert   # mTLS, with client_ca_file
//!   client_ca_file: ca.crt
//!   min_version: TLS12             # TLS12 (default) or TLS13
//! basic_auth_users:
//!   prometheus: $2y$10$…           # bcrypt hashes (`htpasswd -nBC 10 prometheus`)
//! ```
//!
//! Fails closed: an unknown key, a setting promdef cannot honour (TLS 1.0 /
//! 1.1, cipher-suite lists, client-certificate modes that do not verify the
//! certificate), an unreadable file or a hash that is not bcrypt is an error
//! at start-up naming the key, never a silently weaker server. The file is
//! read once, at start-up.

use super::{config, ExporterError};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tls_server_config: Option<Tls>,
    http_server_config: Option<HttpServer>,
    basic_auth_users: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tls {
    cert_file: Option<String>,
    key_file: Option<String>,
    client_auth_type: Option<String>,
    client_ca_file: Option<String>,
    min_version: Option<String>,
    max_version: Option<String>,
    cipher_suites: Option<Vec<String>>,
    curve_preferences: Option<Vec<String>>,
    prefer_server_cipher_suites: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpServer {
    /// promdef serves HTTP/1.1 only; clients negotiate it.
    #[allow(dead_code)]
    http2: Option<bool>,
}

/// What a web configuration file asks for.
#[derive(Clone)]
pub(super) struct WebConfig {
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub users: Option<Arc<Users>>,
    /// Whether a client certificate is required (`RequireAndVerifyClientCert`).
    pub client_cert_required: bool,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("tls", &self.tls.is_some())
            .field("users", &self.users.as_ref().map(|u| u.hashes.len()))
            .finish()
    }
}

/// Basic-auth users with bcrypt hashes, and the credentials already
/// verified (bcrypt is slow by design; Prometheus sends the same ones on
/// every scrape).
pub(super) struct Users {
    hashes: BTreeMap<String, String>,
    verified: Mutex<HashMap<(String, Vec<u8>), ()>>,
    /// A hash of the users' cost, checked for unknown users so their answer
    /// takes as long as a known user's.
    dummy: String,
}

/// Most verified credentials remembered.
const MAX_VERIFIED: usize = 64;

impl Users {
    /// Whether `user`/`password` are valid: remembered, or bcrypt-verified
    /// (call on a blocking thread: it takes tens of milliseconds).
    pub(super) fn verify(&self, user: &str, password: &[u8]) -> bool {
        let key = (user.to_owned(), password.to_vec());
        if self
            .verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&key)
        {
            return true;
        }
        let (hash, known) = match self.hashes.get(user) {
            Some(h) => (h.as_str(), true),
            None => (self.dummy.as_str(), false),
        };
        let ok = bcrypt::verify(password, hash).unwrap_or(false) && known;
        if ok {
            let mut v = self.verified.lock().unwrap_or_else(|p| p.into_inner());
            if v.len() >= MAX_VERIFIED {
                v.clear();
            }
            v.insert(key, ());
        }
        ok
    }
}

/// Reads and checks the file at `path`; `name` is what errors name.
pub(super) fn load(name: &str, path: &Path) -> Result<WebConfig, ExporterError> {
    let err = |what: String| config(name, what);
    let meta = std::fs::metadata(path)
        .map_err(|e| err(format!("cannot read `{}`: {e}", path.display())))?;
    if meta.len() > 1 << 20 {
        return Err(err(format!(
            "`{}` is over 1 MiB; is it the web configuration file?",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| err(format!("cannot read `{}`: {e}", path.display())))?;
    let file: File = if text.trim().is_empty() {
        File {
            tls_server_config: None,
            http_server_config: None,
            basic_auth_users: None,
        }
    } else {
        serde_saphyr::from_str(&text).map_err(|e| {
            // The parser's message names the key and line, not values.
            err(format!(
                "`{}`: {}",
                path.display(),
                first_line(&e.to_string())
            ))
        })?
    };
    let _ = file.http_server_config;
    let dir = path.parent().unwrap_or(Path::new("."));
    let client_cert_required = file
        .tls_server_config
        .as_ref()
        .is_some_and(|t| t.client_auth_type.as_deref() == Some("RequireAndVerifyClientCert"));
    let tls = file
        .tls_server_config
        .map(|t| tls(name, dir, t))
        .transpose()?;
    let users = match file.basic_auth_users {
        None => None,
        Some(u) if u.is_empty() => None,
        Some(u) => {
            let mut cost = bcrypt::DEFAULT_COST;
            for (user, hash) in &u {
                if user.is_empty() || user.contains(':') {
                    return Err(err(
                        "`basic_auth_users` has an empty user or one with `:`".into()
                    ));
                }
                match hash.parse::<bcrypt::HashParts>() {
                    Ok(parts) => cost = parts.get_cost(),
                    Err(_) => {
                        return Err(err(format!(
                            "`basic_auth_users.{user}` is not a bcrypt hash; make one with `htpasswd -nBC 10 {user}`"
                        )))
                    }
                }
            }
            let dummy = bcrypt::hash("promdef: no such user", cost)
                .map_err(|e| err(format!("`basic_auth_users`: {e}")))?;
            Some(Arc::new(Users {
                hashes: u,
                verified: Mutex::new(HashMap::new()),
                dummy,
            }))
        }
    };
    Ok(WebConfig {
        tls,
        users,
        client_cert_required,
    })
}

fn first_line(s: &str) -> String {
    let l = s.lines().next().unwrap_or("");
    l.chars().take(200).collect()
}

fn resolve(dir: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

fn tls(name: &str, dir: &Path, t: Tls) -> Result<Arc<rustls::ServerConfig>, ExporterError> {
    let err = |what: String| config(name, what);
    if t.cipher_suites.is_some()
        || t.curve_preferences.is_some()
        || t.prefer_server_cipher_suites.is_some()
    {
        return Err(err(
            "`cipher_suites`, `curve_preferences` and `prefer_server_cipher_suites` are not supported (rustls chooses only strong suites); remove them".into(),
        ));
    }
    let version = |key: &str,
                   v: &Option<String>,
                   default: &'static str|
     -> Result<&'static str, ExporterError> {
        match v.as_deref().unwrap_or(default) {
            "TLS12" => Ok("TLS12"),
            "TLS13" => Ok("TLS13"),
            "TLS10" | "TLS11" => Err(err(format!(
                "`{key}`: TLS 1.0 and 1.1 are not supported; use `TLS12` or `TLS13`"
            ))),
            other => Err(err(format!(
                "`{key}`: unknown version `{}`; use `TLS12` or `TLS13`",
                other.escape_debug()
            ))),
        }
    };
    let min = version("min_version", &t.min_version, "TLS12")?;
    let max = version("max_version", &t.max_version, "TLS13")?;
    let versions: Vec<&'static rustls::SupportedProtocolVersion> = match (min, max) {
        ("TLS12", "TLS12") => vec![&rustls::version::TLS12],
        ("TLS12", "TLS13") => vec![&rustls::version::TLS12, &rustls::version::TLS13],
        ("TLS13", "TLS13") => vec![&rustls::version::TLS13],
        _ => return Err(err("`min_version` is above `max_version`".into())),
    };
    let auth = t.client_auth_type.as_deref().unwrap_or("NoClientCert");
    match auth {
        "NoClientCert" if t.client_ca_file.is_some() => {
            return Err(err(
                "`client_ca_file` is set but `client_auth_type` is `NoClientCert`; set `RequireAndVerifyClientCert` or remove `client_ca_file`".into(),
            ))
        }
        "NoClientCert" => {}
        "RequireAndVerifyClientCert" | "VerifyClientCertIfGiven" if t.client_ca_file.is_none() => {
            return Err(err(format!("`client_auth_type: {auth}` needs `client_ca_file`")))
        }
        "RequireAndVerifyClientCert" | "VerifyClientCertIfGiven" => {}
        "RequestClientCert" | "RequireAnyClientCert" => {
            return Err(err(format!(
                "`client_auth_type: {auth}` accepts certificates nobody verified; use `RequireAndVerifyClientCert` with `client_ca_file`"
            )))
        }
        other => {
            return Err(err(format!(
                "unknown `client_auth_type` `{}`; use `NoClientCert`, `VerifyClientCertIfGiven` or `RequireAndVerifyClientCert`",
                other.escape_debug()
            )))
        }
    }
    let (Some(cert), Some(key)) = (&t.cert_file, &t.key_file) else {
        return Err(err(
            "`tls_server_config` needs `cert_file` and `key_file`".into()
        ));
    };
    let cert_path = resolve(dir, cert);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|i| i.collect::<Result<Vec<_>, _>>())
        .map_err(|e| err(format!("`cert_file` `{}`: {e}", cert_path.display())))?;
    if certs.is_empty() {
        return Err(err(format!(
            "`cert_file` `{}` holds no certificate",
            cert_path.display()
        )));
    }
    let key_path = resolve(dir, key);
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| err(format!("`key_file` `{}`: {e}", key_path.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| err(format!("TLS versions: {e}")))?;
    let builder = match (auth, &t.client_ca_file) {
        (_, None) => builder.with_no_client_auth(),
        (_, Some(ca)) => {
            let ca_path = resolve(dir, ca);
            let mut roots = rustls::RootCertStore::empty();
            let cas = CertificateDer::pem_file_iter(&ca_path)
                .and_then(|i| i.collect::<Result<Vec<_>, _>>())
                .map_err(|e| err(format!("`client_ca_file` `{}`: {e}", ca_path.display())))?;
            for c in cas {
                roots
                    .add(c)
                    .map_err(|e| err(format!("`client_ca_file` `{}`: {e}", ca_path.display())))?;
            }
            if roots.is_empty() {
                return Err(err(format!(
                    "`client_ca_file` `{}` holds no certificate",
                    ca_path.display()
                )));
            }
            let v = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            );
            let v = if auth == "VerifyClientCertIfGiven" {
                v.allow_unauthenticated()
            } else {
                v
            };
            builder.with_client_cert_verifier(
                v.build()
                    .map_err(|e| err(format!("`client_ca_file`: {e}")))?,
            )
        }
    };
    let mut cfg = builder.with_single_cert(certs, key).map_err(|e| {
        err(format!(
            "`cert_file` and `key_file` do not make a certificate: {e}"
        ))
    })?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("promdef-webcfg-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn error(text: &str) -> String {
        let d = dir("err");
        let p = write(&d, "web.yml", text);
        load("PROMDEF_WEB_CONFIG_FILE", &p).unwrap_err().to_string()
    }

    #[test]
    fn refuses_what_it_cannot_honour() {
        let e = error("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS10\n");
        assert!(e.contains("TLS 1.0 and 1.1 are not supported"), "{e}");
        let e = error("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n");
        assert!(e.contains("not supported"), "{e}");
        let e = error("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAnyClientCert\n");
        assert!(e.contains("nobody verified"), "{e}");
        let e = error("tls_server_config:\n  cert_file: missing.crt\n  key_file: b\n");
        assert!(e.contains("missing.crt"), "{e}");
        let e = error("basic_auth_users:\n  alice: plaintext-password\n");
        assert!(
            e.contains("not a bcrypt hash") && !e.contains("plaintext-password"),
            "{e}"
        );
        let e = error("tls_server_confg: {}\n");
        assert!(e.contains("tls_server_confg"), "{e}");
        assert!(e.starts_with("invalid `PROMDEF_WEB_CONFIG_FILE`"), "{e}");
    }

    #[test]
    fn bcrypt_users_are_verified_and_remembered() {
        let d = dir("users");
        let hash = bcrypt::hash("s3cret", 4).unwrap();
        let p = write(
            &d,
            "web.yml",
            &format!("basic_auth_users:\n  prom: '{hash}'\n"),
        );
        let cfg = load("web", &p).unwrap();
        assert!(cfg.tls.is_none());
        let users = cfg.users.unwrap();
        assert!(users.verify("prom", b"s3cret"));
        assert!(users.verify("prom", b"s3cret"), "from the cache");
        assert!(!users.verify("prom", b"wrong"));
        assert!(!users.verify("eve", b"s3cret"));
        assert!(load("web", &write(&d, "empty.yml", ""))
            .unwrap()
            .users
            .is_none());
    }
}
