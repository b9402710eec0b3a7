//! `promdef scrape-config`: the Prometheus `scrape_configs` entry for a
//! service, from the same `PROMDEF_*` (or `<prefix>*`) settings its
//! exporter reads, interpreted by the exporter's own code
//! ([`promdef::exporter::Exporter::scrape_settings`]), so the two agree.

use promdef::exporter::{Exporter, ScrapeAuth};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where Prometheus finds what the exporter requires.
#[derive(Debug, Default)]
pub struct Options {
    /// `job_name`.
    pub job: String,
    /// `host:port` targets; default: the exporter's listen address.
    pub targets: Vec<String>,
    /// The variables' prefix (`PROMDEF_`, `METRICS_`).
    pub prefix: String,
    /// The metrics path, when the service sets it in code rather than in
    /// its environment.
    pub metrics_path: Option<String>,
    /// The file Prometheus reads the bearer token or basic-auth password from.
    pub credentials_file: Option<PathBuf>,
    /// Basic-auth user, for a web configuration file's users.
    pub username: Option<String>,
    /// CA certificate Prometheus verifies the exporter with.
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key, when the exporter requires one.
    pub cert_file: Option<PathBuf>,
    /// The client certificate's key.
    pub key_file: Option<PathBuf>,
}

/// Most bytes read from an env file.
const MAX_ENV_FILE: u64 = 1 << 20;

/// `KEY=VALUE` lines (`#` comments, optional `export`, optional quotes), as
/// systemd's `EnvironmentFile` and docker's `--env-file` write them.
pub fn read_env_file(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if meta.len() > MAX_ENV_FILE {
        return Err(format!(
            "`{}` is over 1 MiB; is it an env file?",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            // Never echo the line: it may hold a secret.
            return Err(format!(
                "`{}` line {}: expected `KEY=VALUE`",
                path.display(),
                n + 1
            ));
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        out.insert(k.trim().to_string(), v.to_string());
    }
    Ok(out)
}

fn q(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn path_str(p: &Path) -> String {
    q(&p.to_string_lossy())
}

/// The `scrape_configs` document, or a one-line reason.
pub fn render(get: &dyn Fn(&str) -> Option<String>, o: &Options) -> Result<String, String> {
    let token_file = format!("{}BEARER_TOKEN_FILE", o.prefix);
    let token = format!("{}BEARER_TOKEN", o.prefix);
    // What the exporter would refuse at start-up, refused here too (the file
    // itself is not read, so the exporter's own check cannot see these).
    match (get(&token), get(&token_file)) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "set either `{token}` or `{token_file}`, not both (the exporter refuses both)"
            ))
        }
        (None, Some(f)) if f.trim().is_empty() => {
            return Err(format!(
                "invalid `{token_file}`: is set but empty (the exporter refuses it)"
            ))
        }
        _ => {}
    }
    // Only whether a token is required matters here, not the token: the file
    // may exist only on the service's host, so it is not read.
    let lookup = |k: &str| {
        if k == token_file {
            None
        } else if k == token && get(&token_file).is_some_and(|v| !v.trim().is_empty()) {
            Some("required".to_string())
        } else {
            get(k)
        }
    };
    let mut exporter = Exporter::from_lookup_prefix(promdef::registry(), &o.prefix, lookup)
        .map_err(|e| e.to_string())?;
    if let Some(p) = &o.metrics_path {
        exporter = exporter.metrics_path(p.clone());
    }
    let s = exporter.scrape_settings().map_err(|e| e.to_string())?;
    if o.job.trim().is_empty() {
        return Err("`--job` is empty".into());
    }
    let targets = if o.targets.is_empty() {
        if s.listen.ip().is_unspecified() {
            return Err(format!(
                "the exporter listens on `{}`, which is not an address to scrape; pass `--target host:port`",
                s.listen
            ));
        }
        vec![s.listen.to_string()]
    } else {
        o.targets.clone()
    };
    let need_file = |what: &str| -> Result<&PathBuf, String> {
        o.credentials_file.as_ref().ok_or_else(|| {
            format!("the exporter requires {what}; pass `--credentials-file` with the path Prometheus reads it from")
        })
    };
    let mut out = format!(
        "# Generated by `promdef scrape-config` from the exporter's `{}*` settings; do not edit.\n# Check: promtool check config <this file>\nscrape_configs:\n",
        o.prefix
    );
    out.push_str(&format!("  - job_name: {}\n", q(&o.job)));
    out.push_str(&format!("    metrics_path: {}\n", q(&s.metrics_path)));
    out.push_str(&format!(
        "    scheme: {}\n",
        if s.tls { "https" } else { "http" }
    ));
    match &s.auth {
        ScrapeAuth::None if o.credentials_file.is_some() || o.username.is_some() => {
            return Err("the exporter's settings require no credentials, so `--credentials-file` / `--username` would not be used; remove them, or set the credentials the exporter requires in the env file".into())
        }
        ScrapeAuth::None => {}
        ScrapeAuth::Bearer => {
            let f = need_file("a bearer token")?;
            out.push_str("    authorization:\n      type: Bearer\n");
            out.push_str(&format!("      credentials_file: {}\n", path_str(f)));
        }
        ScrapeAuth::Basic { user } => {
            let f = need_file("basic-auth credentials")?;
            out.push_str(&format!(
                "    basic_auth:\n      username: {}\n      password_file: {}\n",
                q(user),
                path_str(f)
            ));
        }
        ScrapeAuth::WebConfigUsers => {
            let f = need_file("basic-auth credentials")?;
            let user = o.username.as_ref().ok_or(
                "the web configuration file lists basic-auth users; pass `--username` with the one Prometheus uses",
            )?;
            out.push_str(&format!(
                "    basic_auth:\n      username: {}\n      password_file: {}\n",
                q(user),
                path_str(f)
            ));
        }
    }
    if s.tls {
        let mut tls = String::new();
        if let Some(ca) = &o.ca_file {
            tls.push_str(&format!("      ca_file: {}\n", path_str(ca)));
        }
        match (&o.cert_file, &o.key_file) {
            (Some(c), Some(k)) => {
                tls.push_str(&format!("      cert_file: {}\n", path_str(c)));
                tls.push_str(&format!("      key_file: {}\n", path_str(k)));
            }
            (None, None) if s.client_certificate => return Err(
                "the exporter requires a client certificate; pass `--cert-file` and `--key-file`"
                    .into(),
            ),
            (None, None) => {}
            _ => return Err("pass both `--cert-file` and `--key-file`, or neither".into()),
        }
        if !tls.is_empty() {
            out.push_str("    tls_config:\n");
            out.push_str(&tls);
        }
    } else if o.ca_file.is_some() || o.cert_file.is_some() {
        return Err("the exporter does not serve TLS (no `tls_server_config` in its web configuration file); remove the TLS options".into());
    }
    out.push_str("    static_configs:\n      - targets:\n");
    for t in &targets {
        out.push_str(&format!("          - {}\n", q(t)));
    }
    Ok(out)
}
