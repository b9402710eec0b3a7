//! Prometheus text exposition format 0.0.4.

use crate::family::{Descriptor, Family, Kind};
use crate::value::Sample;
use std::fmt::Write;

/// Content type of [`crate::Registry::render_text`]'s output.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Appends `v` as the text format writes floats: `NaN`, `+Inf`, `-Inf`,
/// integers without a fraction, otherwise the shortest round-trip form.
pub fn write_f64(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else if v == v.trunc() && v.abs() < 1e15 {
        out.push_str(itoa::Buffer::new().format(v as i64));
    } else if v.abs() >= 1e-4 && v.abs() < 1e15 {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{v:e}");
    }
}

/// Whether `v` contains `\`, `"` or a newline, checking 8 bytes at a time:
/// label values are scanned on every scrape, and most need no escaping.
fn needs_escape(v: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, b: u8| {
        let y = x ^ (LO * b as u64);
        y.wrapping_sub(LO) & !y & HI != 0
    };
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().expect("chunks of 8"));
        if has(x, b'\\') || has(x, b'"') || has(x, b'\n') {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|b| matches!(b, b'\\' | b'"' | b'\n'))
}

/// Appends a label value, escaping every `\`, `"` and newline.
pub fn escape_label_value(out: &mut String, v: &str) {
    // Most values need no escaping: copy them whole.
    if !needs_escape(v.as_bytes()) {
        out.push_str(v);
        return;
    }
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Appends HELP text, escaping every `\` and newline.
pub fn escape_help(out: &mut String, v: &str) {
    if !v.bytes().any(|b| matches!(b, b'\\' | b'\n')) {
        out.push_str(v);
        return;
    }
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// The constant parts of one kind of line of a family, built once per
/// family per scrape so each series costs a few copies: `head`, then label
/// values separated by `seps`, then `tail`; with `extra` (histogram `le`), the
/// extra value and `"} ` follow.
struct Shape {
    head: String,
    seps: Vec<String>,
    tail: String,
    extra: bool,
}

impl Shape {
    fn new(d: &Descriptor, suffix: &str, extra: Option<&str>) -> Shape {
        let mut consts = String::new();
        for (k, v) in d.const_labels {
            consts.push(',');
            consts.push_str(k);
            consts.push_str("=\"");
            escape_label_value(&mut consts, v);
            consts.push('"');
        }
        let close = match extra {
            Some(k) => format!(",{k}=\""),
            None => "} ".to_string(),
        };
        let mut head = format!("{}{suffix}", d.name);
        let (seps, tail) = match d.labels.split_first() {
            None if consts.is_empty() && extra.is_none() => {
                head.push(' ');
                (Vec::new(), String::new())
            }
            None => {
                // `{` + consts without the leading comma + close
                let inner = format!("{consts}{close}");
                head.push('{');
                head.push_str(inner.strip_prefix(',').unwrap_or(&inner));
                (Vec::new(), String::new())
            }
            Some((first, rest)) => {
                head.push('{');
                head.push_str(first.name);
                head.push_str("=\"");
                let seps = rest.iter().map(|l| format!("\",{}=\"", l.name)).collect();
                (seps, format!("\"{consts}{close}"))
            }
        };
        Shape {
            head,
            seps,
            tail,
            extra: extra.is_some(),
        }
    }

    fn write(&self, out: &mut String, values: &[&str], extra: &str) {
        out.push_str(&self.head);
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                out.push_str(&self.seps[i - 1]);
            }
            escape_label_value(out, v);
        }
        out.push_str(&self.tail);
        if self.extra {
            out.push_str(extra);
            out.push_str("\"} ");
        }
    }
}

fn write_u64(out: &mut String, v: u64) {
    out.push_str(itoa::Buffer::new().format(v));
    out.push('\n');
}

fn write_f64_line(out: &mut String, v: f64) {
    write_f64(out, v);
    out.push('\n');
}

/// Appends one family: HELP, TYPE, then every series, contiguous.
pub fn text_family(f: &dyn Family, out: &mut String) {
    let d = f.descriptor();
    out.push_str("# HELP ");
    out.push_str(d.name);
    out.push(' ');
    escape_help(out, d.help);
    out.push_str("\n# TYPE ");
    out.push_str(d.name);
    out.push(' ');
    out.push_str(d.kind.text_type());
    out.push('\n');
    let plain = Shape::new(d, "", None);
    let (sum, count) = (Shape::new(d, "_sum", None), Shape::new(d, "_count", None));
    let bucket = Shape::new(d, "_bucket", Some("le"));
    // `le` values are the same for every series: format them once.
    let mut les: Vec<String> = Vec::new();
    f.collect(&mut |values, sample| match sample {
        Sample::Counter(v) => {
            plain.write(out, values, "");
            write_u64(out, v);
        }
        Sample::Gauge(v) => {
            plain.write(out, values, "");
            write_f64_line(out, v);
        }
        Sample::Info => {
            debug_assert_eq!(d.kind, Kind::Info);
            plain.write(out, values, "");
            out.push_str("1\n");
        }
        Sample::Histogram {
            bounds,
            cumulative,
            sum: s,
        } => {
            if les.len() != bounds.len() + 1 {
                les = bounds
                    .iter()
                    .chain(std::iter::once(&f64::INFINITY))
                    .map(|b| {
                        let mut t = String::new();
                        write_f64(&mut t, *b);
                        t
                    })
                    .collect();
            }
            for (le, c) in les.iter().zip(&cumulative) {
                bucket.write(out, values, le);
                write_u64(out, *c);
            }
            sum.write(out, values, "");
            write_f64_line(out, s);
            count.write(out, values, "");
            write_u64(out, cumulative.last().copied().unwrap_or(0));
        }
        Sample::Summary { count: n, sum: s } => {
            sum.write(out, values, "");
            write_f64_line(out, s);
            count.write(out, values, "");
            write_u64(out, n);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64) -> String {
        let mut s = String::new();
        write_f64(&mut s, v);
        s
    }

    #[test]
    fn floats() {
        assert_eq!(f(f64::NAN), "NaN");
        assert_eq!(f(f64::INFINITY), "+Inf");
        assert_eq!(f(f64::NEG_INFINITY), "-Inf");
        assert_eq!(f(1.0), "1");
        assert_eq!(f(-3.0), "-3");
        assert_eq!(f(0.005), "0.005");
        assert_eq!(f(2.5), "2.5");
        assert_eq!(f(1e-7), "1e-7");
        assert_eq!(f(1e20), "1e20");
        for v in [0.1, 1e-7, 123.456, 1e300, -2.5e-10, 9007199254740993.0] {
            assert_eq!(f(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn escape_detection_matches_bytewise() {
        let special = |v: &str| v.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n'));
        let mut cases = vec![
            String::new(),
            "plain-value-long-enough".into(),
            "ünï\u{10FFFF}".into(),
        ];
        for len in 0..20 {
            for pos in 0..len {
                for c in ['\\', '"', '\n', 'x', '\u{5c5c}', '\u{0a22}'] {
                    let mut s: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().take(len).collect();
                    s[pos] = c;
                    cases.push(s.into_iter().collect());
                }
            }
        }
        for v in &cases {
            assert_eq!(needs_escape(v.as_bytes()), special(v), "{v:?}");
        }
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        escape_label_value(&mut s, "a\\b\"c\nd\\n");
        assert_eq!(s, r#"a\\b\"c\nd\\n"#);
        let mut h = String::new();
        escape_help(&mut h, "x\\y\n\"z\"");
        assert_eq!(h, r#"x\\y\n"z""#);
    }
}
