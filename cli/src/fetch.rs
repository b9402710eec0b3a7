//! Reading an exposition for `promdef import`: a file, stdin (`-`), or an
//! `http(s)://` URL — bounded in size and time, without following
//! redirects (a redirect would carry the bearer token to another place), and
//! never echoing the token or the URL's credentials.

use std::io::Read;
use std::time::Duration;

/// Most bytes read from any source.
pub const MAX_BYTES: u64 = crate::exposition::MAX_BYTES as u64;

/// `source` as shown in messages and the schema's header: a URL without
/// user information or query (which may hold secrets).
pub fn shown(source: &str) -> String {
    if !(source.starts_with("http://") || source.starts_with("https://")) {
        return source.to_string();
    }
    let (scheme, rest) = source.split_once("://").unwrap_or(("", source));
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = authority.rsplit('@').next().unwrap_or(authority);
    format!("{scheme}://{host}{path}")
}

/// The text of `source`, or a one-line reason.
pub fn read(source: &str, token: Option<&str>, timeout_secs: u64) -> Result<String, String> {
    let bytes = if source.starts_with("http://") || source.starts_with("https://") {
        get(source, token, Duration::from_secs(timeout_secs.max(1)))?
    } else {
        if token.is_some() {
            return Err("a bearer token only applies to `http(s)://` sources".into());
        }
        let mut buf = Vec::new();
        let reader: Box<dyn Read> = if source == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(
                std::fs::File::open(source).map_err(|e| format!("cannot read `{source}`: {e}"))?,
            )
        };
        reader
            .take(MAX_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read `{source}`: {e}"))?;
        if buf.len() as u64 > MAX_BYTES {
            return Err(format!("`{source}` is larger than {MAX_BYTES} bytes"));
        }
        buf
    };
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{}` is not UTF-8 (byte offset {})",
            shown(source),
            e.utf8_error().valid_up_to()
        )
    })
}

fn get(url: &str, token: Option<&str>, timeout: Duration) -> Result<Vec<u8>, String> {
    let shown = shown(url);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut req = agent.get(url).header(
        "Accept",
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
    );
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut resp = req.call().map_err(|e| {
        // ureq's message names the host, never the token.
        format!("cannot fetch `{shown}`: {e}")
    })?;
    let status = resp.status().as_u16();
    if (300..400).contains(&status) {
        let to = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(self::shown)
            .unwrap_or_default();
        return Err(format!(
            "`{shown}` redirects ({status}) to `{to}`; import from that URL directly"
        ));
    }
    if !(200..300).contains(&status) {
        let hint = if status == 401 || status == 403 {
            "; pass the endpoint's token with `--bearer-token-file`"
        } else {
            ""
        };
        return Err(format!("`{shown}` answered HTTP {status}{hint}"));
    }
    resp.body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| format!("cannot read the body of `{shown}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_credentials_or_query() {
        assert_eq!(
            shown("https://admin:s3cret@host:9100/metrics?token=x"),
            "https://host:9100/metrics"
        );
        assert_eq!(shown("http://host"), "http://host");
        assert_eq!(shown("metrics.txt"), "metrics.txt");
    }
}
