//! Python `prometheus_client`'s file layout and key format, byte for byte.
//!
//! A file (native byte order): an `i32` `used` byte count and 4 bytes of
//! padding (where compaction archives keep their generation), then entries:
//! `i32` key length, the UTF-8 key, spaces to 8-byte alignment, an `f64`
//! value and an `f64` timestamp. The key is
//! `json.dumps([metric_name, sample_name, labels, help], sort_keys=True)`.

/// Size a new file starts at (Python's too); files double from there.
pub(crate) const INITIAL: usize = 64 * 1024;

/// Python's `json.dumps` of a string (`ensure_ascii=True`).
fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// `json.dumps([metric_name, sample_name, labels, help], sort_keys=True)`.
/// Written by hand, not with serde_json: Python's separators (`", "`,
/// `": "`) and `\uXXXX` escapes must match byte for byte.
pub(crate) fn key(metric: &str, sample: &str, labels: &[(&str, &str)], help: &str) -> String {
    let mut sorted = labels.to_vec();
    sorted.sort();
    let mut k = String::with_capacity(64);
    k.push('[');
    json_str(&mut k, metric);
    k.push_str(", ");
    json_str(&mut k, sample);
    k.push_str(", {");
    for (i, (n, v)) in sorted.iter().enumerate() {
        if i > 0 {
            k.push_str(", ");
        }
        json_str(&mut k, n);
        k.push_str(": ");
        json_str(&mut k, v);
    }
    k.push_str("}, ");
    json_str(&mut k, help);
    k.push(']');
    k
}

/// A parsed key: `[metric_name, sample_name, {labels}, help]`.
pub(crate) struct Key {
    pub metric: String,
    pub sample: String,
    pub labels: Vec<(String, String)>,
    pub help: String,
}

/// Reads a key (any JSON Python can write: keys are read with a real JSON
/// parser, not by position).
pub(crate) fn parse_key(k: &[u8]) -> Option<Key> {
    type Raw = (
        String,
        String,
        std::collections::BTreeMap<String, String>,
        String,
    );
    let (metric, sample, labels, help): Raw = serde_json::from_slice(k).ok()?;
    Some(Key {
        metric,
        sample,
        labels: labels.into_iter().collect(),
        help,
    })
}

/// Python's `floatToGoString`, for `le` label values.
pub fn float_to_go_string(d: f64) -> String {
    if d == f64::INFINITY {
        return "+Inf".into();
    }
    if d == f64::NEG_INFINITY {
        return "-Inf".into();
    }
    if d.is_nan() {
        return "NaN".into();
    }
    let s = python_repr(d);
    match s.find('.') {
        Some(dot) if d > 0.0 && dot > 6 => {
            let digits = format!("{}{}", &s[1..dot], &s[dot + 1..]);
            let mantissa = format!("{}.{}", &s[..1], digits);
            let mantissa = mantissa.trim_end_matches(['0', '.']);
            format!("{mantissa}e+{:02}", dot - 1)
        }
        _ => s,
    }
}

/// Python's `repr(float)`: shortest round-trip digits, `1.0` not `1`,
/// exponent form below 1e-4 and from 1e16.
fn python_repr(d: f64) -> String {
    let a = d.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        // Rust: `1e-5`, `1.5e20`; Python: `1e-05`, `1.5e+20`.
        let s = format!("{d:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", e.abs());
    }
    let s = format!("{d:?}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Bytes of padding after a key of `len` bytes, and the entry's whole size.
pub(crate) fn entry_size(len: usize) -> (usize, usize) {
    let padded = len + (8 - (len + 4) % 8);
    (padded, 4 + padded + 16)
}

/// One entry of a file: its key's bytes and the offset of its value (the
/// timestamp follows).
#[derive(Debug)]
pub(crate) struct RawEntry<'a> {
    pub key: &'a [u8],
    pub pos: usize,
}

/// The `used` header.
pub(crate) fn used(data: &[u8]) -> i32 {
    data.get(..4)
        .map_or(0, |b| i32::from_ne_bytes(b.try_into().unwrap_or_default()))
}

/// The entries up to the `used` header, as Python's `_read_all_values`; an
/// error says what is wrong (without the file's bytes).
pub(crate) fn entries(data: &[u8]) -> Result<Vec<RawEntry<'_>>, String> {
    if data.len() < 8 {
        return Err(format!(
            "{} bytes, shorter than the 8-byte header",
            data.len()
        ));
    }
    let used = used(data);
    if used == 0 {
        // A writer sized the file but has not written the header yet
        // (Python's reader also reads no entries then).
        return Ok(Vec::new());
    }
    if used < 8 || used as usize > data.len() {
        return Err(format!(
            "header says {used} bytes used, file has {}",
            data.len()
        ));
    }
    let used = used as usize;
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < used {
        let len = data
            .get(pos..pos + 4)
            .map(|b| i32::from_ne_bytes(b.try_into().unwrap_or_default()))
            .unwrap_or(-1);
        if len < 0 {
            return Err(format!("bad key length at byte {pos}"));
        }
        let (padded, size) = entry_size(len as usize);
        let end = pos.saturating_add(size);
        if end > used {
            return Err(format!(
                "entry at byte {pos} runs past the used size {used}"
            ));
        }
        out.push(RawEntry {
            key: &data[pos + 4..pos + 4 + len as usize],
            pos: pos + 4 + padded,
        });
        pos = end;
    }
    Ok(out)
}

/// The value and timestamp at `pos` (checked by [`entries`] to be inside).
pub(crate) fn value_at(data: &[u8], pos: usize) -> (f64, f64) {
    let word = |at: usize| {
        f64::from_ne_bytes(
            data.get(at..at + 8)
                .and_then(|b| b.try_into().ok())
                .unwrap_or_default(),
        )
    };
    (word(pos), word(pos + 8))
}

/// A whole file's bytes from `(key, value)` entries, with `generation` in
/// the header's padding (which Python ignores), padded to 64 KiB.
pub(crate) fn file_bytes(entries: &[(Vec<u8>, f64)], generation: u32) -> Vec<u8> {
    let mut data = vec![0u8; 8];
    for (k, v) in entries {
        let (padded, _) = entry_size(k.len());
        data.extend_from_slice(&(k.len() as i32).to_ne_bytes());
        data.extend_from_slice(k);
        data.extend(std::iter::repeat_n(b' ', padded - k.len()));
        data.extend_from_slice(&v.to_ne_bytes());
        data.extend_from_slice(&0f64.to_ne_bytes());
    }
    let used = data.len() as i32;
    data[..4].copy_from_slice(&used.to_ne_bytes());
    data[4..8].copy_from_slice(&generation.to_ne_bytes());
    data.resize(data.len().next_multiple_of(INITIAL), 0);
    data
}

/// The generation in an archive's header.
pub(crate) fn generation(data: &[u8]) -> u32 {
    data.get(4..8)
        .map_or(0, |b| u32::from_ne_bytes(b.try_into().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_python_json_dumps() {
        assert_eq!(
            key("jobs", "jobs_total", &[("b", "x\"y"), ("a", "é")], "Jobs."),
            r#"["jobs", "jobs_total", {"a": "\u00e9", "b": "x\"y"}, "Jobs."]"#
        );
        assert_eq!(key("g", "g", &[], "H\n"), r#"["g", "g", {}, "H\n"]"#);
        let k =
            parse_key(key("m", "m_bucket", &[("le", "0.5"), ("p", "😀")], "h").as_bytes()).unwrap();
        assert_eq!(k.labels[1], ("p".to_string(), "😀".to_string()));
        assert!(parse_key(b"[not json").is_none());
        assert!(parse_key(br#"["a", "b", {"x": 1}, "h"]"#).is_none());
    }

    #[test]
    fn le_matches_float_to_go_string() {
        for (v, s) in [
            (0.005, "0.005"),
            (1.0, "1.0"),
            (2.5, "2.5"),
            (10.0, "10.0"),
            (1e-5, "1e-05"),
            (1234567.0, "1.234567e+06"),
            (100000.0, "100000.0"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(float_to_go_string(v), s, "{v}");
        }
    }

    #[test]
    fn layouts_round_trip_and_bad_headers_are_errors() {
        let data = file_bytes(&[(b"[\"a\"]".to_vec(), 3.0)], 7);
        assert_eq!(generation(&data), 7);
        let e = entries(&data).unwrap();
        assert_eq!(e[0].key, b"[\"a\"]");
        assert_eq!(value_at(&data, e[0].pos).0, 3.0);
        let mut bad = vec![0u8; 64];
        bad[..4].copy_from_slice(&100i32.to_ne_bytes());
        assert!(entries(&bad).unwrap_err().contains("100 bytes used"));
        bad[..4].copy_from_slice(&40i32.to_ne_bytes());
        bad[8..12].copy_from_slice(&30i32.to_ne_bytes());
        assert!(entries(&bad).unwrap_err().contains("runs past"));
        bad[8..12].copy_from_slice(&i32::MAX.to_ne_bytes());
        assert!(entries(&bad).unwrap_err().contains("runs past"));
    }
}
