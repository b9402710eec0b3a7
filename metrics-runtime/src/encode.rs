//! Prometheus text exposition format 0.0.4.

use crate::family::{Family, Kind};
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

/// Appends a label value, escaping every `\`, `"` and newline.
pub fn escape_label_value(out: &mut String, v: &str) {
    // Most values need no escaping: copy them whole.
    if !v.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n')) {
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

struct Labels<'a> {
    names: &'a [crate::family::LabelDescriptor],
    values: &'a [&'a str],
    consts: &'a [(&'static str, &'static str)],
}

impl Labels<'_> {
    fn write(&self, out: &mut String, extra: Option<(&str, f64)>) {
        if self.values.is_empty() && self.consts.is_empty() && extra.is_none() {
            return;
        }
        out.push('{');
        let mut first = true;
        let mut pair = |out: &mut String, k: &str| {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(k);
            out.push_str("=\"");
        };
        for (l, v) in self.names.iter().zip(self.values) {
            pair(out, l.name);
            escape_label_value(out, v);
            out.push('"');
        }
        for (k, v) in self.consts {
            pair(out, k);
            escape_label_value(out, v);
            out.push('"');
        }
        if let Some((k, v)) = extra {
            pair(out, k);
            write_f64(out, v);
            out.push('"');
        }
        out.push('}');
    }
}

fn line(
    out: &mut String,
    name: &str,
    suffix: &str,
    labels: &Labels<'_>,
    extra: Option<(&str, f64)>,
) {
    out.push_str(name);
    out.push_str(suffix);
    labels.write(out, extra);
    out.push(' ');
}

fn write_u64(out: &mut String, v: u64) {
    out.push_str(itoa::Buffer::new().format(v));
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
    f.collect(&mut |values, sample| {
        let labels = Labels {
            names: d.labels,
            values,
            consts: d.const_labels,
        };
        match sample {
            Sample::Counter(v) => {
                line(out, d.name, "", &labels, None);
                write_u64(out, v);
            }
            Sample::Gauge(v) => {
                line(out, d.name, "", &labels, None);
                write_f64(out, v);
                out.push('\n');
            }
            Sample::Info => {
                debug_assert_eq!(d.kind, Kind::Info);
                line(out, d.name, "", &labels, None);
                out.push_str("1\n");
            }
            Sample::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                for (i, c) in cumulative.iter().enumerate() {
                    let le = bounds.get(i).copied().unwrap_or(f64::INFINITY);
                    line(out, d.name, "_bucket", &labels, Some(("le", le)));
                    write_u64(out, *c);
                }
                line(out, d.name, "_sum", &labels, None);
                write_f64(out, sum);
                out.push('\n');
                line(out, d.name, "_count", &labels, None);
                write_u64(out, cumulative.last().copied().unwrap_or(0));
            }
            Sample::Summary { count, sum } => {
                line(out, d.name, "_sum", &labels, None);
                write_f64(out, sum);
                out.push('\n');
                line(out, d.name, "_count", &labels, None);
                write_u64(out, count);
            }
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
    fn escaping() {
        let mut s = String::new();
        escape_label_value(&mut s, "a\\b\"c\nd\\n");
        assert_eq!(s, r#"a\\b\"c\nd\\n"#);
        let mut h = String::new();
        escape_help(&mut h, "x\\y\n\"z\"");
        assert_eq!(h, r#"x\\y\n"z""#);
    }
}
