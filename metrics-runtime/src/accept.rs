//! The one reader of `Accept` and `Accept-Encoding` values: comma-separated
//! items, each a media range or content coding with `;`-separated
//! parameters and an optional `q` weight (RFC 9110 §12.4.2). Used for format
//! negotiation ([`crate::encode::negotiate`]) and gzip.

/// One item of the header.
#[derive(Debug, PartialEq)]
pub(crate) struct Item<'a> {
    /// The media range or coding, lowercased (`text/plain`, `gzip`, `*/*`).
    pub value: String,
    /// Other parameters, names lowercased, values unquoted.
    pub params: Vec<(String, &'a str)>,
    /// The weight: 1 unless given; an unreadable or out-of-range `q` is 0,
    /// "not acceptable", so garbage never selects anything.
    pub q: f32,
    /// Position in the header (ties go to the first).
    pub pos: usize,
}

impl Item<'_> {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
}

/// The items of a header value, in order; empty items are skipped.
pub(crate) fn items(header: &str) -> impl Iterator<Item = Item<'_>> {
    header
        .split(',')
        .filter(|i| !i.trim().is_empty())
        .enumerate()
        .map(|(pos, item)| {
            let mut parts = item.split(';');
            let value = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut q = 1.0f32;
            let mut params = Vec::new();
            for p in parts {
                let Some((k, v)) = p.split_once('=') else {
                    continue;
                };
                let k = k.trim().to_ascii_lowercase();
                let v = v.trim().trim_matches('"');
                if k == "q" {
                    q = v
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .unwrap_or(0.0);
                } else {
                    params.push((k, v));
                }
            }
            Item {
                value,
                params,
                q,
                pos,
            }
        })
}

#[cfg_attr(not(feature = "exporter"), allow(dead_code))]
/// Whether an `Accept-Encoding` value accepts gzip: q > 0 for `gzip` (or
/// `x-gzip`), failing that for `*`.
pub(crate) fn accepts_gzip(value: Option<&str>) -> bool {
    let Some(value) = value else {
        return false;
    };
    let (mut gzip, mut star) = (None, None);
    for i in items(value) {
        match i.value.as_str() {
            "gzip" | "x-gzip" => gzip = Some(i.q),
            "*" => star = Some(i.q),
            _ => {}
        }
    }
    gzip.or(star).is_some_and(|q| q > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_weights() {
        let v: Vec<Item<'_>> =
            items("Text/Plain; Version=\"0.0.4\"; q=0.5, , gzip;q=2, x").collect();
        assert_eq!(v[0].value, "text/plain");
        assert_eq!(v[0].param("version"), Some("0.0.4"));
        assert_eq!(v[0].q, 0.5);
        assert_eq!((v[1].value.as_str(), v[1].q), ("gzip", 0.0));
        assert_eq!((v[2].value.as_str(), v[2].q, v[2].pos), ("x", 1.0, 2));
    }

    #[test]
    fn gzip_acceptance() {
        assert!(accepts_gzip(Some("gzip")));
        assert!(accepts_gzip(Some("deflate, gzip;q=0.5")));
        assert!(accepts_gzip(Some("*")));
        assert!(!accepts_gzip(Some("gzip;q=0")));
        assert!(!accepts_gzip(Some("gzip;q=0, *")));
        assert!(!accepts_gzip(Some("gzip;q=7")));
        assert!(!accepts_gzip(Some("identity")));
        assert!(!accepts_gzip(None));
    }
}
