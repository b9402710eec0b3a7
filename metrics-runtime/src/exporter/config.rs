//! Configuration from `PROMDEF_*` variables, failing closed: a security
//! variable that is set must say something (an empty token, user, password
//! or network list is an error naming the variable, never "no auth").

use super::auth::{parse_cidrs, Secret};
use super::{config, Exporter, ExporterError};
use std::time::Duration;

/// Variables that weaken security when mistaken for "unset".
const SECURITY: &[&str] = &[
    "BEARER_TOKEN",
    "BEARER_TOKEN_FILE",
    "BASIC_AUTH",
    "ALLOW_CIDRS",
    "TRUSTED_PROXIES",
    "WEB_CONFIG_FILE",
];

fn parse_bool(name: &str, v: &str) -> Result<bool, ExporterError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(config(name, "expected `true` or `false`")),
    }
}

fn parse_seconds(name: &str, v: &str) -> Result<Duration, ExporterError> {
    match v.trim().parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
        _ => Err(config(
            name,
            "expected a number of seconds greater than 0 (at most 86400)",
        )),
    }
}

/// Trims a secret the way Prometheus trims a `credentials_file`: surrounding
/// whitespace, newline included, is not part of it.
pub(super) fn trimmed(s: &str) -> &str {
    s.trim()
}

/// Reads `get(prefix + key)`: `None` when unset; an error when a security
/// variable is set to nothing but whitespace. Other variables set to nothing
/// mean "the default".
struct Vars<'a, F: Fn(&str) -> Option<String>> {
    prefix: &'a str,
    get: F,
}

impl<F: Fn(&str) -> Option<String>> Vars<'_, F> {
    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn get(&self, key: &str) -> Result<Option<String>, ExporterError> {
        let name = self.name(key);
        match (self.get)(&name) {
            None => Ok(None),
            Some(v) if v.trim().is_empty() && SECURITY.contains(&key) => Err(config(
                &name,
                "is set but empty; set a value, or unset it (an empty value never means \"no authentication\")",
            )),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => Ok(Some(v)),
        }
    }
}

impl Exporter {
    /// The defaults, overridden by the `PROMDEF_*` variables of the module
    /// docs; builder methods called afterwards override both.
    pub fn from_env(registry: &'static crate::Registry) -> Result<Self, ExporterError> {
        Self::from_lookup(registry, |k| std::env::var(k).ok())
    }

    /// As [`Exporter::from_env`] with variables named `<prefix>LISTEN`,
    /// `<prefix>BEARER_TOKEN` … instead of `PROMDEF_…`, for teams that keep
    /// their own names (`Exporter::from_env_prefix(reg, "METRICS_")`).
    pub fn from_env_prefix(
        registry: &'static crate::Registry,
        prefix: &str,
    ) -> Result<Self, ExporterError> {
        Self::from_lookup_prefix(registry, prefix, |k| std::env::var(k).ok())
    }

    /// As [`Exporter::from_env`], reading variables through `get` (for
    /// tests, or configuration that is not the process environment).
    ///
    /// ```
    /// use promdef::exporter::Exporter;
    /// let env = |k: &str| match k {
    ///     "PROMDEF_LISTEN" => Some("127.0.0.1:9100".to_string()),
    ///     "PROMDEF_BEARER_TOKEN" => Some("  ".to_string()),
    ///     _ => None,
    /// };
    /// let err = Exporter::from_lookup(promdef::registry(), env).unwrap_err();
    /// assert!(err.to_string().starts_with("invalid `PROMDEF_BEARER_TOKEN`: is set but empty"));
    /// ```
    pub fn from_lookup(
        registry: &'static crate::Registry,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ExporterError> {
        Self::from_lookup_prefix(registry, "PROMDEF_", get)
    }

    /// As [`Exporter::from_lookup`] with variables named `<prefix>…`.
    pub fn from_lookup_prefix(
        registry: &'static crate::Registry,
        prefix: &str,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ExporterError> {
        let vars = Vars { prefix, get };
        let mut e = Exporter::new(registry);
        if let Some(v) = vars.get("LISTEN")? {
            e.listen = v.trim().parse().map_err(|_| {
                config(
                    &vars.name("LISTEN"),
                    format!("`{}` is not `ip:port`; write e.g. `0.0.0.0:9464`", v.trim()),
                )
            })?;
        }
        let token = match (vars.get("BEARER_TOKEN")?, vars.get("BEARER_TOKEN_FILE")?) {
            (Some(_), Some(_)) => {
                return Err(config(
                    &vars.name("BEARER_TOKEN"),
                    format!(
                        "set either `{}` or `{}`, not both",
                        vars.name("BEARER_TOKEN"),
                        vars.name("BEARER_TOKEN_FILE")
                    ),
                ))
            }
            (Some(t), None) => Some(t),
            (None, Some(path)) => {
                let name = vars.name("BEARER_TOKEN_FILE");
                let t = std::fs::read_to_string(path.trim()).map_err(|err| {
                    config(&name, format!("cannot read `{}`: {err}", path.trim()))
                })?;
                if trimmed(&t).is_empty() {
                    return Err(config(&name, "the token file is empty"));
                }
                Some(t)
            }
            (None, None) => None,
        };
        if let Some(t) = token {
            e.credentials.bearer = Some(Secret::new(trimmed(&t)));
        }
        if let Some(v) = vars.get("BASIC_AUTH")? {
            let name = vars.name("BASIC_AUTH");
            let Some((user, pass)) = v.split_once(':') else {
                return Err(config(&name, "expected `user:password`"));
            };
            e = e.basic_auth(user.trim(), pass.trim());
            e.check_credentials(&name)?;
        }
        if let Some(v) = vars.get("WEB_CONFIG_FILE")? {
            e.web_config = Some(v.trim().into());
        }
        if let Some(v) = vars.get("ALLOW_CIDRS")? {
            e.allow = parse_cidrs(&vars.name("ALLOW_CIDRS"), &v)?;
        }
        if let Some(v) = vars.get("TRUSTED_PROXIES")? {
            e.trusted = parse_cidrs(&vars.name("TRUSTED_PROXIES"), &v)?;
        }
        for (key, slot) in [
            ("OPENMETRICS", &mut e.openmetrics),
            ("PROTOBUF", &mut e.protobuf),
            ("CREATED", &mut e.created),
            ("GZIP", &mut e.gzip),
            ("PROCESS_METRICS", &mut e.process),
        ] {
            if let Some(v) = vars.get(key)? {
                *slot = parse_bool(&vars.name(key), &v)?;
            }
        }
        if let Some(v) = vars.get("MAX_CONNECTIONS")? {
            let name = vars.name("MAX_CONNECTIONS");
            e.limits.max_connections = v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| config(&name, "expected a whole number greater than 0"))?;
        }
        if let Some(v) = vars.get("HEADER_TIMEOUT")? {
            e.limits.header_timeout = parse_seconds(&vars.name("HEADER_TIMEOUT"), &v)?;
        }
        if let Some(v) = vars.get("IDLE_TIMEOUT")? {
            e.limits.idle_timeout = parse_seconds(&vars.name("IDLE_TIMEOUT"), &v)?;
        }
        if let Some(v) = vars.get("METRICS_PATH")? {
            let name = vars.name("METRICS_PATH");
            e = e.metrics_path(v.trim());
            e.check_paths(&name)?;
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderMap, HeaderValue};

    fn lookup(vars: &[(&str, &str)]) -> Result<Exporter, ExporterError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Exporter::from_lookup(crate::registry(), move |k| {
            vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    fn bearer_ok(e: &Exporter, token: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        e.credentials.authorized(&h)
    }

    #[test]
    fn environment() {
        let e = lookup(&[
            ("PROMDEF_LISTEN", "127.0.0.1:9100"),
            ("PROMDEF_BEARER_TOKEN", "  hunter2\n"),
            ("PROMDEF_BASIC_AUTH", "prom:correct-horse"),
            (
                "PROMDEF_ALLOW_CIDRS",
                "10.1.2.3/8, ::1, 192.168.0.7, ::ffff:127.0.0.1/128",
            ),
            ("PROMDEF_TRUSTED_PROXIES", "10.0.0.1"),
            ("PROMDEF_OPENMETRICS", "false"),
            ("PROMDEF_CREATED", "yes"),
            ("PROMDEF_GZIP", "0"),
            ("PROMDEF_PROCESS_METRICS", "on"),
            ("PROMDEF_MAX_CONNECTIONS", "32"),
            ("PROMDEF_HEADER_TIMEOUT", "2.5"),
            ("PROMDEF_IDLE_TIMEOUT", "30"),
            ("PROMDEF_METRICS_PATH", "/metrics/"),
            ("PROMDEF_GZIP_UNRELATED", ""),
        ])
        .unwrap();
        assert_eq!(e.listen, "127.0.0.1:9100".parse().unwrap());
        // Trimmed as Prometheus trims the client's credentials file.
        assert!(bearer_ok(&e, "hunter2"));
        assert_eq!(e.credentials.basic.as_ref().unwrap().0, "prom");
        let nets: Vec<String> = e.allow.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            nets,
            ["10.0.0.0/8", "::1/128", "192.168.0.7/32", "127.0.0.1/32"]
        );
        assert_eq!(e.trusted.len(), 1);
        assert!((!e.openmetrics, e.created, !e.gzip, e.process) == (true, true, true, true));
        assert_eq!(e.limits.max_connections, 32);
        assert_eq!(e.limits.header_timeout, Duration::from_millis(2500));
        assert_eq!(e.limits.idle_timeout, Duration::from_secs(30));
        assert_eq!(e.metrics_path, "/metrics/");
        let debug = format!("{e:?}");
        assert!(
            !debug.contains("hunter2") && !debug.contains("correct-horse"),
            "{debug}"
        );
    }

    #[test]
    fn security_variables_set_to_nothing_fail_closed() {
        for (var, value, reason) in [
            ("PROMDEF_BEARER_TOKEN", "", "is set but empty"),
            ("PROMDEF_BEARER_TOKEN", " \t ", "is set but empty"),
            ("PROMDEF_BEARER_TOKEN_FILE", "", "is set but empty"),
            ("PROMDEF_BASIC_AUTH", "", "is set but empty"),
            (
                "PROMDEF_BASIC_AUTH",
                "user:",
                "the basic-auth password is empty",
            ),
            (
                "PROMDEF_BASIC_AUTH",
                ":pass",
                "the basic-auth user is empty",
            ),
            ("PROMDEF_BASIC_AUTH", ":", "the basic-auth user is empty"),
            ("PROMDEF_BASIC_AUTH", "nocolon", "expected `user:password`"),
            ("PROMDEF_ALLOW_CIDRS", "", "is set but empty"),
            ("PROMDEF_ALLOW_CIDRS", " , ,", "lists no network"),
            ("PROMDEF_TRUSTED_PROXIES", ",", "lists no network"),
            (
                "PROMDEF_ALLOW_CIDRS",
                "10.0.0.0/33",
                "`10.0.0.0/33` is not a network",
            ),
            ("PROMDEF_LISTEN", "nine", "`nine` is not `ip:port`"),
            ("PROMDEF_OPENMETRICS", "maybe", "expected `true` or `false`"),
            (
                "PROMDEF_MAX_CONNECTIONS",
                "0",
                "expected a whole number greater than 0",
            ),
            (
                "PROMDEF_HEADER_TIMEOUT",
                "-1",
                "expected a number of seconds greater than 0",
            ),
            (
                "PROMDEF_METRICS_PATH",
                "metrics",
                "`metrics` is not a plain absolute path",
            ),
        ] {
            let err = lookup(&[(var, value)]).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid `{var}`: {reason}")),
                "{var}={value:?}: {err}"
            );
        }
        // Non-security variables set to nothing mean the default.
        let e = lookup(&[("PROMDEF_LISTEN", ""), ("PROMDEF_GZIP", " ")]).unwrap();
        assert_eq!(e.listen, DEFAULT_LISTEN_ADDR.parse().unwrap());
        let err = lookup(&[
            ("PROMDEF_BEARER_TOKEN", "x"),
            ("PROMDEF_BEARER_TOKEN_FILE", "y"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
        // Builder methods fail closed too, when the server is prepared.
        let err = Exporter::new(crate::registry())
            .bearer_token("  ")
            .router::<()>()
            .unwrap_err();
        assert!(
            err.to_string().contains("the bearer token is empty"),
            "{err}"
        );
        let err = Exporter::new(crate::registry())
            .basic_auth("u", "")
            .router::<()>()
            .unwrap_err();
        assert!(err.to_string().contains("password is empty"), "{err}");
    }

    const DEFAULT_LISTEN_ADDR: &str = super::super::DEFAULT_LISTEN;

    #[test]
    fn token_file_and_prefix() {
        let dir = std::env::temp_dir().join(format!("promdef-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        std::fs::write(&path, "from-file\n").unwrap();
        let p = path.to_string_lossy().into_owned();
        let e = lookup(&[("PROMDEF_BEARER_TOKEN_FILE", &p)]).unwrap();
        assert!(bearer_ok(&e, "from-file"));
        std::fs::write(&path, " \n\n").unwrap();
        let err = lookup(&[("PROMDEF_BEARER_TOKEN_FILE", &p)]).unwrap_err();
        assert!(err.to_string().contains("the token file is empty"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        let err = lookup(&[("PROMDEF_BEARER_TOKEN_FILE", "/nonexistent/promdef")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid `PROMDEF_BEARER_TOKEN_FILE`: cannot read"),
            "{err}"
        );
        // Teams keeping their own variable names.
        let e = Exporter::from_lookup_prefix(crate::registry(), "METRICS_", |k| {
            (k == "METRICS_BEARER_TOKEN").then(|| "tok".to_string())
        })
        .unwrap();
        assert!(bearer_ok(&e, "tok"));
        let err = Exporter::from_lookup_prefix(crate::registry(), "METRICS_", |k| {
            (k == "METRICS_ALLOW_CIDRS").then(String::new)
        })
        .unwrap_err();
        assert!(
            err.to_string().starts_with("invalid `METRICS_ALLOW_CIDRS`"),
            "{err}"
        );
    }
}
