//! Exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0, from one
//! walk over the families, and `Accept`-header negotiation between them.

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
        let _ = write!(out, "{}", v as i64);
    } else if v.abs() >= 1e-4 && v.abs() < 1e15 {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{v:e}");
    }
}

/// Appends a label value, escaping every `\`, `"` and newline.
pub fn escape_label_value(out: &mut String, v: &str) {
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
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics 1.0 text; `created` adds a `_created` sample (seconds since
    /// the Unix epoch) to counters, histograms and summaries: the first use of
    /// an open-label series, or, for series that exist from the start, the
    /// moment the registry collected its declarations. Prometheus stores
    /// `_created` lines as extra series, so leave it off unless you want them.
    OpenMetrics {
        /// Whether to write `_created` samples.
        created: bool,
    },
}

impl Format {
    /// OpenMetrics 1.0 without `_created` samples.
    pub const OPENMETRICS: Format = Format::OpenMetrics { created: false };

    /// The `Content-Type` of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => TEXT_CONTENT_TYPE,
            Format::OpenMetrics { .. } => OPENMETRICS_CONTENT_TYPE,
        }
    }
}

/// Content type of [`crate::Registry::render_openmetrics`]'s output.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Chooses the format from an HTTP `Accept` header, honouring q-values:
/// OpenMetrics when the client prefers it (Prometheus does), text 0.0.4
/// otherwise — also when the header is missing, names nothing we serve, or
/// only says `*/*`. On equal q-values the range listed first wins.
///
/// ```
/// use promdef::encode::{negotiate, Format};
/// let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// assert_eq!(negotiate(Some(prometheus)), Format::OPENMETRICS);
/// assert_eq!(negotiate(Some("text/plain;q=0.9, application/openmetrics-text;q=0.5")), Format::Text);
/// assert_eq!(negotiate(None), Format::Text);
/// ```
pub fn negotiate(accept: Option<&str>) -> Format {
    // (q, position) of the best explicit and wildcard match for each format.
    #[derive(Clone, Copy)]
    struct Best {
        explicit: Option<(f32, usize)>,
        wildcard: Option<(f32, usize)>,
    }
    impl Best {
        fn get(self) -> (f32, usize) {
            // An explicit range overrides a wildcard (RFC 9110 §12.5.1).
            self.explicit.or(self.wildcard).unwrap_or((0.0, usize::MAX))
        }
    }
    fn keep(slot: &mut Option<(f32, usize)>, q: f32, pos: usize) {
        if slot.is_none_or(|(bq, _)| q > bq) {
            *slot = Some((q, pos));
        }
    }
    let Some(accept) = accept else {
        return Format::Text;
    };
    let mut om = Best {
        explicit: None,
        wildcard: None,
    };
    let mut text = om;
    for (pos, range) in accept.split(',').enumerate() {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0f32;
        let mut version = None;
        for p in parts {
            let Some((k, v)) = p.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"');
            match k.trim().to_ascii_lowercase().as_str() {
                // An unreadable q-value is treated as "not acceptable".
                "q" => {
                    q = v
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .unwrap_or(0.0)
                }
                "version" => version = Some(v.to_string()),
                _ => {}
            }
        }
        match media.as_str() {
            "application/openmetrics-text"
                if matches!(version.as_deref(), None | Some("1.0.0") | Some("0.0.1")) =>
            {
                keep(&mut om.explicit, q, pos)
            }
            "text/plain" if matches!(version.as_deref(), None | Some("0.0.4")) => {
                keep(&mut text.explicit, q, pos)
            }
            "application/*" => keep(&mut om.wildcard, q, pos),
            "text/*" => keep(&mut text.wildcard, q, pos),
            "*/*" => {
                keep(&mut text.wildcard, q, pos);
            }
            _ => {}
        }
    }
    let (oq, opos) = om.get();
    let (tq, tpos) = text.get();
    if oq > 0.0 && (oq > tq || (oq == tq && opos < tpos)) {
        Format::OPENMETRICS
    } else {
        Format::Text
    }
}

/// Appends `v` as Go's `strconv.FormatFloat(v, 'g', -1, 64)` followed by `.0`
/// when that has neither `.` nor `e`: the canonical number form of
/// OpenMetrics (`1.0`, `0.005`, `1e-05`, `1e+06`, `+Inf`).
pub fn write_canonical_f64(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits, as Go's -1 precision does.
    let e = format!("{v:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if neg {
        out.push('-');
    }
    // Go's 'g' with the shortest precision switches to %e outside [-4, 6).
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        return;
    }
    let dp = exp + 1; // digits before the decimal point
    if dp <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-dp) as usize));
        out.push_str(&digits);
    } else {
        let dp = dp as usize;
        if digits.len() <= dp {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', dp - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..dp]);
            out.push('.');
            out.push_str(&digits[dp..]);
        }
    }
}

/// Appends OpenMetrics HELP text, escaping every `\`, `"` and newline.
pub fn escape_openmetrics_help(out: &mut String, v: &str) {
    escape_label_value(out, v);
}

struct Labels<'a> {
    names: &'a [crate::family::LabelDescriptor],
    values: &'a [&'a str],
    consts: &'a [(&'static str, &'static str)],
}

impl Labels<'_> {
    fn write(&self, out: &mut String, extra: Option<(&str, f64)>, om: bool) {
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
            if om {
                write_canonical_f64(out, v);
            } else {
                write_f64(out, v);
            }
            out.push('"');
        }
        out.push('}');
    }
}

/// The parts in which the two formats differ.
struct Style<'a> {
    /// OpenMetrics (else text 0.0.4).
    om: bool,
    /// Sample name prefix: the family name in OpenMetrics, the metric name in text.
    base: &'a str,
    /// `_created` fallback time, when `_created` samples are wanted.
    created: Option<f64>,
}

impl Style<'_> {
    fn float(&self, out: &mut String, v: f64) {
        if self.om {
            write_canonical_f64(out, v);
        } else {
            write_f64(out, v);
        }
        out.push('\n');
    }
    fn line(
        &self,
        out: &mut String,
        suffix: &str,
        labels: &Labels<'_>,
        extra: Option<(&str, f64)>,
    ) {
        out.push_str(self.base);
        out.push_str(suffix);
        labels.write(out, extra, self.om);
        out.push(' ');
    }
    /// `_count` and `_sum` (and `_created`) of a histogram or summary, in
    /// each format's customary order.
    fn count_sum(
        &self,
        out: &mut String,
        labels: &Labels<'_>,
        count: u64,
        sum: f64,
        created: Option<f64>,
    ) {
        let count_line = |out: &mut String| {
            self.line(out, "_count", labels, None);
            let _ = writeln!(out, "{count}");
        };
        if self.om {
            count_line(out);
        }
        self.line(out, "_sum", labels, None);
        self.float(out, sum);
        if self.om {
            self.created(out, labels, created);
        } else {
            count_line(out);
        }
    }
    fn created(&self, out: &mut String, labels: &Labels<'_>, series: Option<f64>) {
        if let Some(fallback) = self.created {
            self.line(out, "_created", labels, None);
            self.float(out, series.unwrap_or(fallback));
        }
    }
}

/// OpenMetrics family name: counters drop `_total`, info metrics drop `_info`.
pub fn openmetrics_family_name(name: &str, kind: Kind) -> &str {
    match kind {
        Kind::Counter => name.strip_suffix("_total").unwrap_or(name),
        Kind::Info => name.strip_suffix("_info").unwrap_or(name),
        _ => name,
    }
}

fn openmetrics_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Counter => "counter",
        Kind::Gauge => "gauge",
        Kind::Histogram => "histogram",
        Kind::Summary => "summary",
        Kind::Info => "info",
    }
}

/// Appends one family in text format 0.0.4: HELP, TYPE, then every series, contiguous.
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
    samples(
        f,
        out,
        &Style {
            om: false,
            base: d.name,
            created: None,
        },
    );
}

/// Appends one family in OpenMetrics 1.0: TYPE, UNIT (when the name ends with
/// the declared unit), HELP, then every series. `created` is the `_created`
/// time of series that carry none of their own, or `None` for no `_created`
/// samples. The caller writes the final `# EOF`.
pub fn openmetrics_family(f: &dyn Family, out: &mut String, created: Option<f64>) {
    let d = f.descriptor();
    let fam = openmetrics_family_name(d.name, d.kind);
    out.push_str("# TYPE ");
    out.push_str(fam);
    out.push(' ');
    out.push_str(openmetrics_type(d.kind));
    out.push('\n');
    if let Some(unit) = d.unit {
        // Prometheus rejects a UNIT that is not the family name's suffix.
        if fam.strip_suffix(unit).is_some_and(|p| p.ends_with('_')) {
            let _ = writeln!(out, "# UNIT {fam} {unit}");
        }
    }
    out.push_str("# HELP ");
    out.push_str(fam);
    out.push(' ');
    escape_openmetrics_help(out, d.help);
    out.push('\n');
    samples(
        f,
        out,
        &Style {
            om: true,
            base: fam,
            created,
        },
    );
}

fn samples(f: &dyn Family, out: &mut String, st: &Style<'_>) {
    let d = f.descriptor();
    // Sample suffix of the value line: OpenMetrics names counters `_total`
    // and info series `_info` after their family; text uses the metric name.
    let value_suffix = match (st.om, d.kind) {
        (true, Kind::Counter) => "_total",
        (true, Kind::Info) => "_info",
        _ => "",
    };
    f.collect_created(&mut |values, sample, created| {
        let labels = Labels {
            names: d.labels,
            values,
            consts: d.const_labels,
        };
        match sample {
            Sample::Counter(v) => {
                st.line(out, value_suffix, &labels, None);
                let _ = writeln!(out, "{v}");
                if d.kind == Kind::Counter {
                    st.created(out, &labels, created);
                }
            }
            Sample::Gauge(v) => {
                st.line(out, value_suffix, &labels, None);
                st.float(out, v);
                if d.kind == Kind::Counter {
                    st.created(out, &labels, created);
                }
            }
            Sample::Info => {
                debug_assert_eq!(d.kind, Kind::Info);
                st.line(out, value_suffix, &labels, None);
                out.push_str("1\n");
            }
            Sample::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                for (i, c) in cumulative.iter().enumerate() {
                    let le = bounds.get(i).copied().unwrap_or(f64::INFINITY);
                    st.line(out, "_bucket", &labels, Some(("le", le)));
                    let _ = writeln!(out, "{c}");
                }
                let count = cumulative.last().copied().unwrap_or(0);
                st.count_sum(out, &labels, count, sum, created);
            }
            Sample::Summary { count, sum } => st.count_sum(out, &labels, count, sum, created),
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

    fn c(v: f64) -> String {
        let mut s = String::new();
        write_canonical_f64(&mut s, v);
        s
    }

    #[test]
    fn canonical_numbers_match_go() {
        // Expected strings are Go's FormatFloat(v, 'g', -1, 64) plus ".0" when bare.
        let cases = [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-1.0, "-1.0"),
            (0.005, "0.005"),
            (0.25, "0.25"),
            (2.5, "2.5"),
            (10.0, "10.0"),
            (100000.0, "100000.0"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (1e21, "1e+21"),
            (-2.5e-10, "-2.5e-10"),
            (123.456, "123.456"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ];
        for (v, want) in cases {
            assert_eq!(c(v), want, "{v}");
        }
        for v in [
            0.1,
            1e-7,
            123.456,
            1e300,
            -2.5e-10,
            9007199254740993.0,
            5e-324,
        ] {
            assert_eq!(c(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn negotiation() {
        let (om, text) = (Format::OPENMETRICS, Format::Text);
        let cases = [
            ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", om),
            ("", text),
            ("*/*", text),
            ("application/json", text),
            ("text/plain;version=0.0.4", text),
            ("application/openmetrics-text", om),
            ("Application/OpenMetrics-Text; Version=\"1.0.0\"", om),
            ("application/openmetrics-text;version=0.0.1", om),
            // A version we do not write is not a match.
            ("application/openmetrics-text;version=2.0.0", text),
            // q-values decide, whatever the order.
            ("text/plain;q=0.2,application/openmetrics-text;q=0.8", om),
            ("application/openmetrics-text;q=0.3, text/plain;q=0.4", text),
            // q=0 means "not acceptable", even when nothing else is offered.
            ("application/openmetrics-text;q=0", text),
            ("application/openmetrics-text;q=bogus,text/plain;q=0.1", text),
            // Equal q: the range listed first wins.
            ("application/openmetrics-text,text/plain", om),
            ("text/plain,application/openmetrics-text", text),
            // An explicit range overrides a wildcard of the same type.
            ("application/*;q=0.9,application/openmetrics-text;q=0.1,text/plain;q=0.5", text),
            ("application/*,text/plain;q=0.5", om),
        ];
        for (accept, want) in cases {
            assert_eq!(negotiate(Some(accept)), want, "{accept}");
        }
        assert_eq!(negotiate(None), text);
    }

    #[test]
    fn family_names() {
        assert_eq!(openmetrics_family_name("a_total", Kind::Counter), "a");
        assert_eq!(openmetrics_family_name("a", Kind::Counter), "a");
        assert_eq!(openmetrics_family_name("build_info", Kind::Info), "build");
        assert_eq!(openmetrics_family_name("a_total", Kind::Gauge), "a_total");
    }
}
