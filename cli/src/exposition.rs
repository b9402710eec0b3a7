//! A reader of the Prometheus text format 0.0.4 and OpenMetrics 1.0 text,
//! for `promdef import`: families with their type, help, unit and samples.
//!
//! Why not a crate: `prometheus-parse` splits label values at `,` and `}` and
//! ignores escapes, and `openmetrics-parser` is LGPL-3.0. The grammar is
//! small; this reader follows Prometheus' own (samples belong to the family
//! whose `# TYPE` precedes them when their name is the family name plus one
//! of its type's suffixes), is bounded in size and count, and never panics
//! on hostile input — every problem is an error with its line.
//!
//! ```
//! let text = "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total{queue=\"a\"} 3\n";
//! let exp = promdef_cli::exposition::parse(text).unwrap();
//! assert_eq!(exp.families[0].name, "jobs_total");
//! assert_eq!(exp.families[0].samples[0].labels, [("queue".to_string(), "a".to_string())]);
//! ```

use std::fmt;

/// Largest exposition read, in bytes.
pub const MAX_BYTES: usize = 64 << 20;
/// Most families read.
pub const MAX_FAMILIES: usize = 100_000;
/// Most labels on one sample.
pub const MAX_LABELS: usize = 256;

/// A family's type as exposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// `counter`.
    Counter,
    /// `gauge`.
    Gauge,
    /// `histogram`.
    Histogram,
    /// `summary`.
    Summary,
    /// `untyped` (0.0.4), `unknown` (OpenMetrics), or no `# TYPE` line.
    Untyped,
    /// OpenMetrics `info`.
    Info,
    /// OpenMetrics `stateset`.
    StateSet,
    /// OpenMetrics `gaugehistogram`.
    GaugeHistogram,
}

impl Type {
    fn parse(s: &str) -> Option<Type> {
        Some(match s {
            "counter" => Type::Counter,
            "gauge" => Type::Gauge,
            "histogram" => Type::Histogram,
            "summary" => Type::Summary,
            "untyped" | "unknown" => Type::Untyped,
            "info" => Type::Info,
            "stateset" => Type::StateSet,
            "gaugehistogram" => Type::GaugeHistogram,
            _ => return None,
        })
    }

    /// The sample-name suffixes a family of this type exposes.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Type::Counter => &["_total", "_created", ""],
            Type::Histogram => &["_bucket", "_count", "_sum", "_created"],
            Type::GaugeHistogram => &["_bucket", "_gcount", "_gsum"],
            Type::Summary => &["", "_count", "_sum", "_created"],
            Type::Info => &["_info", ""],
            Type::Gauge | Type::Untyped | Type::StateSet => &[""],
        }
    }
}

/// One sample line.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The sample's metric name (`x_bucket`, `x_total`, …).
    pub name: String,
    /// Label pairs in the order written.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

/// One family.
#[derive(Clone, Debug, PartialEq)]
pub struct Family {
    /// The family name as in `# TYPE` (OpenMetrics counters: without `_total`).
    pub name: String,
    /// Its type.
    pub kind: Type,
    /// `# HELP`, unescaped.
    pub help: Option<String>,
    /// OpenMetrics `# UNIT`.
    pub unit: Option<String>,
    /// Its samples, in order.
    pub samples: Vec<Sample>,
    /// 1-based line where the family starts.
    pub line: usize,
}

/// A parsed exposition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exposition {
    /// Families in the order they appear.
    pub families: Vec<Family>,
    /// Whether it was OpenMetrics (ended with `# EOF`).
    pub openmetrics: bool,
}

/// Why an exposition could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        message: message.into(),
    })
}

fn is_name(s: &str, colon: bool) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c == '_' || c.is_ascii_alphabetic() || (colon && c == ':'))
        && cs.all(|c| c == '_' || c.is_ascii_alphanumeric() || (colon && c == ':'))
}

/// Unescapes `\\`, `\n` and (with `quote`) `\"`; other escapes are kept as written.
fn unescape(s: &str, quote: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut cs = s.chars();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('"') if quote => out.push('"'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Short, escaped text of a line for messages: never raw bytes of the input.
fn shown(s: &str) -> String {
    let mut t: String = s
        .chars()
        .take(60)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if s.chars().count() > 60 {
        t.push('…');
    }
    t
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// Parses `name{labels} value [ts] [# exemplar]` into a sample.
fn sample(line: &str, n: usize) -> Result<Sample, ParseError> {
    let name_end = line
        .find(|c: char| c == '{' || c.is_ascii_whitespace())
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if !is_name(name, true) {
        return err(n, format!("`{}` is not a metric name", shown(name)));
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(body) = rest.strip_prefix('{') {
        let mut r = body;
        loop {
            r = r.trim_start();
            if let Some(after) = r.strip_prefix('}') {
                r = after;
                break;
            }
            let eq = r.find('=').ok_or_else(|| ParseError {
                line: n,
                message: "a label without `=`".into(),
            })?;
            let lname = r[..eq].trim();
            if !is_name(lname, false) {
                return err(n, format!("`{}` is not a label name", shown(lname)));
            }
            r = r[eq + 1..].trim_start();
            let Some(v) = r.strip_prefix('"') else {
                return err(n, format!("the value of label `{lname}` is not quoted"));
            };
            // The closing quote is the first `"` not escaped by a backslash.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in v.char_indices() {
                match (c, escaped) {
                    ('\\', false) => escaped = true,
                    ('"', false) => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let Some(end) = end else {
                return err(n, format!("the value of label `{lname}` is not closed"));
            };
            if labels.len() >= MAX_LABELS {
                return err(n, format!("more than {MAX_LABELS} labels on one sample"));
            }
            labels.push((lname.to_string(), unescape(&v[..end], true)));
            r = v[end + 1..].trim_start();
            if let Some(after) = r.strip_prefix(',') {
                r = after;
            } else if !r.starts_with('}') {
                return err(n, "expected `,` or `}` after a label");
            }
        }
        rest = r;
    }
    // The exemplar (OpenMetrics) follows ` # `; it is not needed here.
    let rest = rest.split(" # ").next().unwrap_or("");
    let mut parts = rest.split_ascii_whitespace();
    let Some(value) = parts.next().and_then(parse_value) else {
        return err(n, format!("sample `{}` has no valid value", shown(name)));
    };
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

/// The family a sample of `name` belongs to: the current one when its name
/// fits the family's type.
fn belongs(f: &Family, name: &str) -> bool {
    f.kind
        .suffixes()
        .iter()
        .any(|s| name.strip_suffix(s) == Some(f.name.as_str()))
}

/// Parses an exposition in text format 0.0.4 or OpenMetrics 1.0.
pub fn parse(text: &str) -> Result<Exposition, ParseError> {
    if text.len() > MAX_BYTES {
        return err(
            1,
            format!("the exposition is larger than {MAX_BYTES} bytes"),
        );
    }
    // OpenMetrics also escapes `"` in HELP; it ends with `# EOF`.
    let om = text.trim_end().ends_with("# EOF");
    let mut exp = Exposition::default();
    // Families named by `# HELP`/`# TYPE` before their first sample.
    let mut current: Option<Family> = None;
    let mut eof = false;
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if eof {
            if line.trim().is_empty() {
                continue;
            }
            return err(n, "content after `# EOF`");
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim_start();
            if comment == "EOF" {
                eof = true;
                exp.openmetrics = true;
                continue;
            }
            let mut words = comment.splitn(3, ' ');
            let (kw, name, rest) = (words.next(), words.next(), words.next());
            let (Some(kw @ ("HELP" | "TYPE" | "UNIT")), Some(name)) = (kw, name) else {
                continue; // a plain comment
            };
            if !is_name(name, true) {
                return err(n, format!("`{}` is not a metric name", shown(name)));
            }
            let same = current.as_ref().is_some_and(|f| f.name == name);
            if !same {
                if let Some(f) = current.take() {
                    exp.families.push(f);
                }
                if exp.families.iter().any(|f| f.name == name) {
                    return err(n, format!("family `{name}` appears twice"));
                }
                if exp.families.len() >= MAX_FAMILIES {
                    return err(n, format!("more than {MAX_FAMILIES} families"));
                }
                current = Some(Family {
                    name: name.to_string(),
                    kind: Type::Untyped,
                    help: None,
                    unit: None,
                    samples: Vec::new(),
                    line: n,
                });
            }
            let f = current.as_mut().expect("set above");
            let rest = rest.unwrap_or("");
            match kw {
                "HELP" => f.help = Some(unescape(rest, om)),
                "TYPE" => {
                    f.kind = Type::parse(rest.trim()).ok_or_else(|| ParseError {
                        line: n,
                        message: format!("unknown type `{}`", shown(rest.trim())),
                    })?
                }
                _ => f.unit = Some(rest.trim().to_string()).filter(|u| !u.is_empty()),
            }
            continue;
        }
        let s = sample(line.trim_start(), n)?;
        if !current.as_ref().is_some_and(|f| belongs(f, &s.name)) {
            if let Some(f) = current.take() {
                exp.families.push(f);
            }
            if exp.families.iter().any(|f| f.name == s.name) {
                return err(n, format!("samples of `{}` are not contiguous", s.name));
            }
            if exp.families.len() >= MAX_FAMILIES {
                return err(n, format!("more than {MAX_FAMILIES} families"));
            }
            current = Some(Family {
                name: s.name.clone(),
                kind: Type::Untyped,
                help: None,
                unit: None,
                samples: Vec::new(),
                line: n,
            });
        }
        current.as_mut().expect("set above").samples.push(s);
    }
    if let Some(f) = current.take() {
        exp.families.push(f);
    }
    Ok(exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_families_and_escapes() {
        let t = "# HELP a_total Jobs \\\\ done\\n.\n# TYPE a_total counter\na_total{q=\"x\\\"y,}z\",r=\"\\\\\"} 3 1700000000\n\
                 # TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3.5\nh_count 2\nloose 7\n";
        let e = parse(t).unwrap();
        assert_eq!(e.families.len(), 3);
        let a = &e.families[0];
        assert_eq!(a.help.as_deref(), Some("Jobs \\ done\n."));
        assert_eq!(
            a.samples[0].labels,
            [("q".into(), "x\"y,}z".into()), ("r".into(), "\\".into())]
        );
        assert_eq!(e.families[1].kind, Type::Histogram);
        assert_eq!(e.families[1].samples.len(), 4);
        assert_eq!(e.families[2].kind, Type::Untyped);
        assert!(!e.openmetrics);
    }

    #[test]
    fn openmetrics_families_exemplars_and_eof() {
        let t = "# TYPE jobs counter\n# UNIT jobs \n# HELP jobs Jobs \\\"done\\\".\njobs_total 3 # {trace_id=\"a b\"} 1 1.5\njobs_created 1.7e9\n\
                 # TYPE build info\nbuild_info{version=\"1\"} 1\n# EOF\n";
        let e = parse(t).unwrap();
        assert!(e.openmetrics);
        assert_eq!(e.families[0].name, "jobs");
        assert_eq!(e.families[0].help.as_deref(), Some("Jobs \"done\"."));
        assert_eq!(e.families[0].samples.len(), 2);
        assert_eq!(e.families[1].kind, Type::Info);
    }

    #[test]
    fn bad_input_is_an_error_with_a_line_never_a_panic() {
        for (t, line) in [
            ("a{b=\"c} 1\n", 1),
            ("# TYPE a wrong\n", 1),
            ("a 1\nb 2\na 3\n", 3),
            ("a{1=\"x\"} 1\n", 1),
            ("a{b=c} 1\n", 1),
            ("a nope\n", 1),
            ("a 1\n# EOF\nb 2\n", 3),
            ("\u{1b}[31m 1\n", 1),
        ] {
            let e = parse(t).unwrap_err();
            assert_eq!(e.line, line, "{t:?}: {e}");
            assert!(!e.message.contains('\u{1b}'), "{e}");
        }
        // Arbitrary bytes: an error or a result, never a panic.
        let mut x: u64 = 0x1234_5678_9abc_def1;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(x % 40) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                {
                    let t = b"a_{}=\",# \\\n1.e+INfTYPEHELP";
                    s.push(t[(x % t.len() as u64) as usize] as char);
                }
            }
            let _ = parse(&s);
        }
    }
}
