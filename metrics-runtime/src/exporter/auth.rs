//! Who may read `/metrics`: the client's address (through trusted proxies
//! only) against the allow-list, then credentials compared in constant time.

use super::{config, ExporterError};
use axum::http::{header, HeaderMap};
use base64::Engine as _;
use ipnet::{IpNet, Ipv4Net};
use std::fmt;
use std::net::IpAddr;
use subtle::ConstantTimeEq as _;

/// A secret string: compared in constant time, never printed.
#[derive(Clone)]
pub(super) struct Secret(Vec<u8>);

impl Secret {
    pub(super) fn new(s: &str) -> Secret {
        Secret(s.as_bytes().to_vec())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

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

/// An address as clients are matched: IPv4-mapped IPv6 (`::ffff:10.0.0.1`,
/// what a dual-stack listener reports) as the IPv4 address it is.
pub(super) fn normalize(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// A network as clients are matched: `::ffff:10.0.0.0/104` is `10.0.0.0/8`.
fn normalize_net(n: IpNet) -> IpNet {
    if let IpNet::V6(v6) = n {
        if let (Some(v4), p) = (v6.addr().to_ipv4_mapped(), v6.prefix_len()) {
            if p >= 96 {
                if let Ok(net) = Ipv4Net::new(v4, p - 96) {
                    return IpNet::V4(net).trunc();
                }
            }
        }
    }
    n
}

/// Comma-separated networks (`10.0.0.0/8`, `::1/128`, or bare addresses);
/// at least one, or an error naming `name`.
pub(super) fn parse_cidrs(name: &str, list: &str) -> Result<Vec<IpNet>, ExporterError> {
    let nets = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map(|n| normalize_net(n.trunc()))
                .map_err(|_| {
                    config(
                        name,
                        format!("`{s}` is not a network; write e.g. `10.0.0.0/8` or `::1/128`"),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if nets.is_empty() {
        return Err(config(
            name,
            "lists no network; name at least one, or unset it",
        ));
    }
    Ok(nets)
}

/// The client a request is from: the peer, or — when the peer is a trusted
/// proxy — the right-most address of `X-Forwarded-For` that is not one of
/// the trusted proxies. `None` (refused by an allow-list) when the peer is
/// unknown, or the header is needed but unreadable.
pub(super) fn client(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = normalize(peer?);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Every `X-Forwarded-For` line, in order, then right to left.
    let mut hops: Vec<&str> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        hops.extend(v.to_str().ok()?.split(','));
    }
    let mut leftmost = peer;
    for hop in hops.iter().rev() {
        let ip = normalize(hop.trim().parse::<IpAddr>().ok()?);
        if !is_trusted(&ip) {
            return Some(ip);
        }
        leftmost = ip;
    }
    // Every hop is a trusted proxy: the request started at one.
    Some(leftmost)
}

/// The credentials a request must carry.
#[derive(Clone, Default)]
pub(super) struct Credentials {
    pub bearer: Option<Secret>,
    pub basic: Option<(String, Secret)>,
    /// bcrypt users of a web configuration file.
    #[cfg(feature = "web-config")]
    pub users: Option<std::sync::Arc<super::webconfig::Users>>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("bearer", &self.bearer)
            .field("basic", &self.basic.as_ref().map(|(u, _)| u))
            .finish()
    }
}

/// The user and password of a `Basic` `Authorization` header.
pub(super) fn basic_pair(headers: &HeaderMap) -> Option<(String, Vec<u8>)> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, cred) = auth.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(cred.trim())
        .ok()?;
    let colon = decoded.iter().position(|b| *b == b':')?;
    let user = String::from_utf8(decoded[..colon].to_vec()).ok()?;
    Some((user, decoded[colon + 1..].to_vec()))
}

impl Credentials {
    pub(super) fn required(&self) -> bool {
        #[cfg(feature = "web-config")]
        if self.users.is_some() {
            return true;
        }
        self.bearer.is_some() || self.basic.is_some()
    }

    /// Whether basic credentials are accepted (for the challenge).
    pub(super) fn takes_basic(&self) -> bool {
        #[cfg(feature = "web-config")]
        if self.users.is_some() {
            return true;
        }
        self.basic.is_some()
    }

    /// [`Credentials::authorized`], then the web configuration's bcrypt
    /// users, verified on a blocking thread (bcrypt is slow by design).
    pub(super) async fn authorized_async(&self, headers: &HeaderMap) -> bool {
        if self.authorized(headers) {
            return true;
        }
        #[cfg(feature = "web-config")]
        if let (Some(users), Some((user, pass))) = (&self.users, basic_pair(headers)) {
            let users = users.clone();
            return tokio::task::spawn_blocking(move || users.verify(&user, &pass))
                .await
                .unwrap_or(false);
        }
        false
    }

    /// Whether `headers` carry one of the configured credentials.
    pub(super) fn authorized(&self, headers: &HeaderMap) -> bool {
        if !self.required() {
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
        if let Some((user, pass)) = &self.basic {
            if let Some((u, p)) = basic_pair(headers) {
                // Evaluate both halves so timing does not tell which was wrong.
                let user_ok = user.as_bytes().ct_eq(u.as_bytes());
                let pass_ok = pass.0.as_slice().ct_eq(&p);
                return bool::from(user_ok & pass_ok);
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &'static str, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn auth(c: &Credentials, value: &str) -> bool {
        c.authorized(&with("authorization", &[value]))
    }

    #[test]
    fn credentials() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let c = Credentials {
            bearer: Some(Secret::new("tok")),
            ..Default::default()
        };
        assert!(auth(&c, "Bearer tok"));
        assert!(auth(&c, "bearer tok"));
        assert!(!auth(&c, "Bearer tok2"));
        assert!(!auth(&c, "Bearer to"));
        assert!(!auth(&c, "Bearer "));
        assert!(!auth(&c, &format!("Basic {}", b64("u:tok"))));
        assert!(!c.authorized(&HeaderMap::new()));

        let c = Credentials {
            basic: Some(("user".into(), Secret::new("pa:ss"))),
            ..Default::default()
        };
        assert!(auth(&c, &format!("Basic {}", b64("user:pa:ss"))));
        assert!(!auth(&c, &format!("Basic {}", b64("user:pa"))));
        assert!(!auth(&c, &format!("Basic {}", b64("usr:pa:ss"))));
        assert!(!auth(&c, "Basic !!!"));
        assert!(!auth(&c, "Bearer pa:ss"));
        assert!(Credentials::default().authorized(&HeaderMap::new()));
    }

    #[test]
    fn mapped_networks_match_the_clients_they_name() {
        let nets = parse_cidrs("x", "::ffff:127.0.0.1/128, ::ffff:10.0.0.0/104, ::1").unwrap();
        let s: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
        assert_eq!(s, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        let ip = normalize("::ffff:127.0.0.1".parse().unwrap());
        assert!(nets[0].contains(&ip));
        assert!(parse_cidrs("x", " , ,").is_err());
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let trusted = parse_cidrs("t", "10.0.0.0/8").unwrap();
        let proxy = Some("10.1.1.1".parse().unwrap());
        let outsider = Some("203.0.113.9".parse().unwrap());
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // From an untrusted peer the header is ignored.
        let h = with("x-forwarded-for", &["127.0.0.1"]);
        assert_eq!(client(outsider, &h, &trusted), outsider);
        // Behind the proxy: the right-most untrusted hop; a spoofed left part is ignored.
        let h = with("x-forwarded-for", &["127.0.0.1, 198.51.100.7, 10.2.2.2"]);
        assert_eq!(client(proxy, &h, &trusted), ip("198.51.100.7"));
        // Several header lines read as one list.
        let h = with("x-forwarded-for", &["1.1.1.1", "198.51.100.8"]);
        assert_eq!(client(proxy, &h, &trusted), ip("198.51.100.8"));
        // Unreadable hop: unknown, so an allow-list refuses.
        let h = with("x-forwarded-for", &["1.1.1.1, garbage"]);
        assert_eq!(client(proxy, &h, &trusted), None);
        // No header: the proxy itself.
        assert_eq!(client(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(client(None, &HeaderMap::new(), &trusted), None);
    }
}
