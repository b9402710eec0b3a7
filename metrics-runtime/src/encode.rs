//! Exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0, from one
//! walk over the families, and `Accept`-header negotiation between them.

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

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// The delimited protobuf exposition (`io.prometheus.client.MetricFamily`),
    /// the one that carries native histograms. Binary: render it with
    /// [`crate::Registry::render_bytes`]; the `String` renderers write
    /// text 0.0.4 for it.
    Protobuf,
}

impl Format {
    /// OpenMetrics 1.0 without `_created` samples.
    pub const OPENMETRICS: Format = Format::OpenMetrics { created: false };

    /// The `Content-Type` of this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => TEXT_CONTENT_TYPE,
            Format::OpenMetrics { .. } => OPENMETRICS_CONTENT_TYPE,
            Format::Protobuf => crate::protobuf::PROTOBUF_CONTENT_TYPE,
        }
    }
}

/// Content type of [`crate::Registry::render_openmetrics`]'s output.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Chooses the format from an HTTP `Accept` header, honouring q-values:
/// protobuf or OpenMetrics when the client prefers it (Prometheus does;
/// protobuf first with native histograms enabled), text 0.0.4 otherwise —
/// also when the header is missing, names nothing we serve, or only says
/// `*/*`. On equal q-values the range listed first wins. Protobuf must name
/// `proto=io.prometheus.client.MetricFamily` and `encoding=delimited`.
///
/// ```
/// use promdef::encode::{negotiate, Format};
/// let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// assert_eq!(negotiate(Some(prometheus)), Format::OPENMETRICS);
/// let native = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
/// assert_eq!(negotiate(Some(native)), Format::Protobuf);
/// assert_eq!(negotiate(Some("text/plain;q=0.9, application/openmetrics-text;q=0.5")), Format::Text);
/// assert_eq!(negotiate(None), Format::Text);
/// ```
pub fn negotiate(accept: Option<&str>) -> Format {
    negotiate_among(accept, true, true)
}

/// [`negotiate`] among the formats a server offers: text always, protobuf
/// and OpenMetrics when enabled.
pub fn negotiate_among(accept: Option<&str>, protobuf: bool, openmetrics: bool) -> Format {
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
    let mut pb = om;
    for item in crate::accept::items(accept) {
        let (q, pos, version) = (item.q, item.pos, item.param("version"));
        match item.value.as_str() {
            "application/openmetrics-text"
                if matches!(version, None | Some("1.0.0") | Some("0.0.1")) =>
            {
                keep(&mut om.explicit, q, pos)
            }
            "text/plain" if matches!(version, None | Some("0.0.4")) => {
                keep(&mut text.explicit, q, pos)
            }
            "application/vnd.google.protobuf"
                if item.param("proto") == Some("io.prometheus.client.MetricFamily")
                    && item.param("encoding") == Some("delimited") =>
            {
                keep(&mut pb.explicit, q, pos)
            }
            "application/*" => keep(&mut om.wildcard, q, pos),
            "text/*" | "*/*" => keep(&mut text.wildcard, q, pos),
            _ => {}
        }
    }
    // The best of the three by q, then by position; text when none is
    // acceptable.
    let ranked = [
        (
            pb.explicit.unwrap_or((0.0, usize::MAX)),
            Format::Protobuf,
            protobuf,
        ),
        (om.get(), Format::OPENMETRICS, openmetrics),
        (text.get(), Format::Text, true),
    ];
    ranked
        .iter()
        .filter(|((q, _), _, offered)| *offered && *q > 0.0)
        .map(|(w, f, _)| (w, f))
        .max_by(|((qa, pa), _), ((qb, pb), _)| qa.total_cmp(qb).then(pb.cmp(pa)))
        .map_or(Format::Text, |(_, f)| *f)
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
    // Go's shortest `%g` prints plain decimals for 1e-4 <= |v| < 1e6, with
    // the same shortest round-trip digits as Rust's `Display`: no need to
    // go through the exponent form for the common case.
    if (1e-4..1e6).contains(&v.abs()) {
        if v == v.trunc() {
            out.push_str(itoa::Buffer::new().format(v as i64));
            out.push_str(".0");
        } else {
            let _ = write!(out, "{v}");
        }
        return;
    }
    write_go_g(out, v);
}

/// The general case of [`write_canonical_f64`]: from Rust's exponent form to
/// Go's `%g` layout (exponent outside `-4..6`, at least two exponent digits).
fn write_go_g(out: &mut String, v: f64) {
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
    fn new(d: &Descriptor, base: &str, suffix: &str, extra: Option<&str>) -> Shape {
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
        let mut head = format!("{base}{suffix}");
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

/// Appends an OpenMetrics exemplar, ` # {labels} value timestamp`, before
/// the caller's newline.
fn write_exemplar(out: &mut String, e: &crate::Exemplar) {
    out.push_str(" # {");
    for (i, (k, v)) in e.labels().into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push_str("=\"");
        escape_label_value(out, v);
        out.push('"');
    }
    out.push_str("} ");
    write_canonical_f64(out, e.value);
    out.push(' ');
    write_f64(out, e.timestamp);
}

/// A count, then the exemplar in OpenMetrics, then the newline.
fn write_u64_exemplar(out: &mut String, v: u64, e: Option<&crate::Exemplar>, st: &Style) {
    out.push_str(itoa::Buffer::new().format(v));
    if let (true, Some(e)) = (st.om, e) {
        write_exemplar(out, e);
    }
    out.push('\n');
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
        Kind::StateSet => "stateset",
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
        d.name,
        &Style {
            om: false,
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
    // OpenMetrics: info and stateset families have no unit.
    if let Some(unit) = d
        .unit
        .filter(|_| !matches!(d.kind, Kind::Info | Kind::StateSet))
    {
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
    samples(f, out, fam, &Style { om: true, created });
}

/// The parts in which the two formats differ.
struct Style {
    om: bool,
    /// `_created` fallback for series without their own time; `None`: no `_created`.
    created: Option<f64>,
}

impl Style {
    fn float(&self, out: &mut String, v: f64) {
        if self.om {
            write_canonical_f64(out, v);
        } else {
            write_f64(out, v);
        }
        out.push('\n');
    }
}

/// Line shapes of one family in one format, built once per scrape.
struct Shapes {
    value: Shape,
    bucket: Shape,
    quantile: Shape,
    state: Shape,
    sum: Shape,
    count: Shape,
    created: Shape,
}

impl Shapes {
    fn count_sum(
        &self,
        st: &Style,
        out: &mut String,
        values: &[&str],
        n: u64,
        s: f64,
        created: Option<f64>,
    ) {
        // OpenMetrics orders `_count` before `_sum`; text 0.0.4 the reverse.
        if st.om {
            self.count.write(out, values, "");
            write_u64(out, n);
        }
        self.sum.write(out, values, "");
        st.float(out, s);
        if st.om {
            self.created(st, out, values, created);
        } else {
            self.count.write(out, values, "");
            write_u64(out, n);
        }
    }

    fn created(&self, st: &Style, out: &mut String, values: &[&str], series: Option<f64>) {
        if let Some(fallback) = st.created {
            self.created.write(out, values, "");
            st.float(out, series.unwrap_or(fallback));
        }
    }
}

fn samples(f: &dyn Family, out: &mut String, base: &str, st: &Style) {
    let d = f.descriptor();
    let value_suffix = match (st.om, d.kind) {
        (true, Kind::Counter) => "_total",
        (true, Kind::Info) => "_info",
        _ => "",
    };
    let shapes = Shapes {
        value: Shape::new(d, base, value_suffix, None),
        bucket: Shape::new(d, base, "_bucket", Some("le")),
        quantile: Shape::new(d, base, "", Some("quantile")),
        // OpenMetrics: a stateset's label is named after the family.
        state: Shape::new(d, base, "", Some(d.name)),
        sum: Shape::new(d, base, "_sum", None),
        count: Shape::new(d, base, "_count", None),
        created: Shape::new(d, base, "_created", None),
    };
    // `le` values are the same for every series: format them once.
    let mut les: Vec<String> = Vec::new();
    f.collect_created(&mut |values, sample, created| match sample {
        Sample::Counter(v) => {
            shapes.value.write(out, values, "");
            write_u64(out, v);
            if d.kind == Kind::Counter {
                shapes.created(st, out, values, created);
            }
        }
        Sample::CounterWithExemplar(v, e) => {
            shapes.value.write(out, values, "");
            write_u64_exemplar(out, v, Some(&e), st);
            shapes.created(st, out, values, created);
        }
        Sample::CounterFloat(v) => {
            shapes.value.write(out, values, "");
            st.float(out, v);
            shapes.created(st, out, values, created);
        }
        Sample::Gauge(v) => {
            shapes.value.write(out, values, "");
            st.float(out, v);
        }
        Sample::Info => {
            debug_assert_eq!(d.kind, Kind::Info);
            shapes.value.write(out, values, "");
            out.push_str("1\n");
        }
        Sample::StateSet { states, current } => {
            for (i, s) in states.iter().enumerate() {
                let mut v = String::new();
                escape_label_value(&mut v, s);
                shapes.state.write(out, values, &v);
                out.push_str(if i == current { "1\n" } else { "0\n" });
            }
        }
        Sample::Histogram {
            bounds,
            cumulative,
            sum,
            exemplars,
            ..
        } => {
            if les.len() != bounds.len() + 1 {
                les = bounds
                    .iter()
                    .chain(std::iter::once(&f64::INFINITY))
                    .map(|b| {
                        let mut t = String::new();
                        if st.om {
                            write_canonical_f64(&mut t, *b);
                        } else {
                            write_f64(&mut t, *b);
                        }
                        t
                    })
                    .collect();
            }
            for (i, (le, c)) in les.iter().zip(&cumulative).enumerate() {
                shapes.bucket.write(out, values, le);
                let e = exemplars
                    .as_ref()
                    .and_then(|x| x.get(i))
                    .and_then(Option::as_ref);
                write_u64_exemplar(out, *c, e, st);
            }
            let n = cumulative.last().copied().unwrap_or(0);
            shapes.count_sum(st, out, values, n, sum, created);
        }
        Sample::Summary {
            count,
            sum,
            quantiles,
        } => {
            for (q, v) in quantiles.iter().flat_map(|q| q.iter()) {
                let mut t = String::new();
                if st.om {
                    write_canonical_f64(&mut t, *q);
                } else {
                    write_f64(&mut t, *q);
                }
                shapes.quantile.write(out, values, &t);
                st.float(out, *v);
            }
            shapes.count_sum(st, out, values, count, sum, created)
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
    fn canonical_fast_path_matches_the_general_path() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for i in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Spread over the fast range, with integers and negatives mixed in.
            let mag = 10f64.powf(-4.0 + 10.0 * (x % 1_000_000) as f64 / 1_000_000.0);
            let v = match i % 3 {
                0 => mag.trunc().max(1.0),
                1 => -mag,
                _ => mag,
            };
            if !(1e-4..1e6).contains(&v.abs()) {
                continue;
            }
            let (mut fast, mut general) = (String::new(), String::new());
            write_canonical_f64(&mut fast, v);
            write_go_g(&mut general, v);
            assert_eq!(fast, general, "{v:?}");
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
