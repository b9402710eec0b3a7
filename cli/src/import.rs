//! `promdef import`: an existing exposition → a promdef YAML schema that
//! compiles on the first try.
//!
//! From each family: its name (OpenMetrics counters get their `_total`
//! back), type, help, label names, histogram buckets (from `le`) and unit (from
//! `# UNIT`, else the name's suffix). A label seen with few values is
//! proposed as a closed set of those values; otherwise it is open with a
//! `max_values` from the count seen. The draft is then checked by promdef's
//! own rules and adjusted until clean: each convention lint becomes an
//! `allow:` entry with its message as a comment (the team decides what to
//! fix), a closed set that cannot be an enum becomes open, and a family no
//! `allow` can save (an OpenMetrics name clash, an invalid name) is left out
//! with the reason as a comment.
//!
//! ```
//! let exp = promdef_cli::exposition::parse(
//!     "# HELP jobs Jobs done.\n# TYPE jobs counter\njobs{queue=\"fast\"} 3\n",
//! ).unwrap();
//! let yaml = promdef_cli::import::schema(&exp, "metrics.txt", None);
//! let checked = promdef_schema::Checked::from_yaml(&yaml);
//! assert!(checked.is_clean(), "{yaml}");
//! assert!(yaml.contains("- counter-total-suffix  # counter `jobs` should end with `_total`"));
//! ```

use crate::exposition::{Exposition, Family, Type};
use promdef_schema::{Checked, Lint, MetricType};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Most distinct values seen for a label to be proposed as a closed set.
pub const CLOSED_MAX: usize = 10;
/// Most series a metric's proposed closed sets may pre-create together.
const DENSE_MAX: usize = 1_000;

/// Base units a name may end with (before `_total`), for `unit:`.
const UNITS: &[&str] = &[
    "seconds", "bytes", "meters", "metres", "grams", "celsius", "kelvin", "volts", "amperes",
    "joules", "ratio",
];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Proposal {
    Closed(Vec<String>),
    Open { seen: usize },
}

struct Draft {
    name: String,
    kind: MetricType,
    help: Option<String>,
    unit: Option<String>,
    /// `(label name, proposal)` in first-seen order.
    labels: Vec<(String, Proposal)>,
    buckets: Vec<f64>,
    const_labels: Vec<(String, String)>,
    notes: Vec<String>,
    allow: BTreeMap<Lint, String>,
}

/// Every value seen per label name, in first-seen order, without `skip`.
fn label_values(f: &Family, skip: &[&str]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for s in &f.samples {
        for (k, v) in &s.labels {
            if skip.contains(&k.as_str()) {
                continue;
            }
            let i = match out.iter().position(|(n, _)| n == k) {
                Some(i) => i,
                None => {
                    out.push((k.clone(), Vec::new()));
                    out.len() - 1
                }
            };
            if !out[i].1.contains(v) && out[i].1.len() <= CLOSED_MAX * 1000 {
                out[i].1.push(v.clone());
            }
        }
    }
    out
}

/// The next 1-2-5 step at or above `n`.
fn round_up(n: usize) -> usize {
    let mut step = 1usize;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= n {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

fn unit_of(name: &str) -> Option<String> {
    let stem = name.strip_suffix("_total").unwrap_or(name);
    UNITS
        .iter()
        .find(|u| stem.ends_with(&format!("_{u}")))
        .map(|u| u.to_string())
}

/// A family as a draft metric, or why it is left out.
fn draft(f: &Family) -> Result<Draft, String> {
    let has = |suffix: &str| {
        let want = format!("{}{suffix}", f.name);
        f.samples.iter().any(|s| s.name == want)
    };
    let mut notes = Vec::new();
    let (name, kind, skip): (String, MetricType, &[&str]) = match f.kind {
        Type::Counter => {
            // OpenMetrics names the family without `_total`; its samples have it.
            let name = if !f.name.ends_with("_total") && (has("_total") || f.samples.is_empty()) {
                format!("{}_total", f.name)
            } else {
                f.name.clone()
            };
            (name, MetricType::Counter, &[])
        }
        Type::Gauge => (f.name.clone(), MetricType::Gauge, &[]),
        Type::Untyped => {
            notes.push("untyped in the source; declared as a gauge".into());
            (f.name.clone(), MetricType::Gauge, &[])
        }
        Type::StateSet => {
            notes.push(
                "an OpenMetrics stateset in the source; declared as a gauge with its state label"
                    .into(),
            );
            (f.name.clone(), MetricType::Gauge, &[])
        }
        Type::Histogram => (f.name.clone(), MetricType::Histogram, &["le"]),
        Type::Summary => {
            if f.samples
                .iter()
                .any(|s| s.labels.iter().any(|(k, _)| k == "quantile"))
            {
                notes.push(
                    "quantiles in the source; a promdef summary exposes `_count` and `_sum`".into(),
                );
            }
            (f.name.clone(), MetricType::Summary, &["quantile"])
        }
        Type::Info => {
            let name = format!("{}_info", f.name);
            let series: BTreeSet<&Vec<(String, String)>> =
                f.samples.iter().map(|s| &s.labels).collect();
            if series.len() == 1 {
                let labels = series.into_iter().next().cloned().unwrap_or_default();
                return Ok(Draft {
                    name,
                    kind: MetricType::Info,
                    help: f.help.clone(),
                    unit: None,
                    labels: Vec::new(),
                    buckets: Vec::new(),
                    const_labels: labels,
                    notes: vec![
                        "an info metric: its label values are constants of the build; edit them"
                            .into(),
                    ],
                    allow: BTreeMap::new(),
                });
            }
            notes
                .push("an OpenMetrics info metric with several series; declared as a gauge".into());
            (name, MetricType::Gauge, &[])
        }
        Type::GaugeHistogram => {
            return Err("an OpenMetrics gaugehistogram, which promdef has no type for".into())
        }
    };
    let mut labels: Vec<(String, Proposal)> = label_values(f, skip)
        .into_iter()
        .map(|(k, vals)| {
            let p = if vals.len() <= CLOSED_MAX {
                let mut v = vals;
                v.sort();
                Proposal::Closed(v)
            } else {
                Proposal::Open { seen: vals.len() }
            };
            (k, p)
        })
        .collect();
    // Python's multi-process mode adds a `pid` label to `all`-mode gauges.
    if kind == MetricType::Gauge && labels.iter().any(|(k, _)| k == "pid") {
        notes.push("`pid` looks like Python multi-process mode's per-process label: in promdef's multi-process mode, drop it and set `multiprocess_mode: all`".into());
    }
    // Closed sets pre-create every combination: keep that small.
    loop {
        let dense: usize = labels
            .iter()
            .map(|(_, p)| match p {
                Proposal::Closed(v) => v.len().max(1),
                Proposal::Open { .. } => 1,
            })
            .product();
        if dense <= DENSE_MAX {
            break;
        }
        let widest = labels
            .iter_mut()
            .filter(|(_, p)| matches!(p, Proposal::Closed(_)))
            .max_by_key(|(_, p)| match p {
                Proposal::Closed(v) => v.len(),
                Proposal::Open { .. } => 0,
            })
            .expect("a closed set exists while the product is over 1");
        let seen = match &widest.1 {
            Proposal::Closed(v) => v.len(),
            Proposal::Open { seen } => *seen,
        };
        widest.1 = Proposal::Open { seen };
    }
    let mut buckets: Vec<f64> = Vec::new();
    if kind == MetricType::Histogram {
        for s in &f.samples {
            for (k, v) in &s.labels {
                if k == "le" {
                    if let Ok(b) = v.parse::<f64>() {
                        if b.is_finite() && !buckets.contains(&b) {
                            buckets.push(b);
                        }
                    }
                }
            }
        }
        buckets.sort_by(f64::total_cmp);
    }
    let unit = f
        .unit
        .clone()
        .filter(|u| name.trim_end_matches("_total").ends_with(&format!("_{u}")))
        .or_else(|| unit_of(&name));
    Ok(Draft {
        name,
        kind,
        help: f.help.clone(),
        unit,
        labels,
        buckets,
        const_labels: Vec::new(),
        notes,
        allow: BTreeMap::new(),
    })
}

/// YAML double-quoted scalar.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment's text: one line, no control characters.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Label definitions: one per distinct (name, proposal); the first keeps the
/// name as its key, the others are keyed `<metric>_<label>` with `name:`.
fn definitions(drafts: &[Draft]) -> Vec<(String, String, Proposal)> {
    let mut defs: Vec<(String, String, Proposal)> = Vec::new();
    for d in drafts {
        for (name, p) in &d.labels {
            if defs.iter().any(|(_, n, q)| n == name && q == p) {
                continue;
            }
            let key = if defs.iter().any(|(k, _, _)| k == name) {
                format!("{}_{name}", d.name)
            } else {
                name.clone()
            };
            defs.push((key, name.clone(), p.clone()));
        }
    }
    defs
}

fn render(
    drafts: &[Draft],
    skipped: &[(String, String)],
    source: &str,
    namespace: Option<&str>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported by `promdef import` from {}.",
        comment(source)
    );
    out.push_str(
        "# Closed sets are the values seen; `max_values` bounds come from the count seen.\n",
    );
    out.push_str("# Each `allow` entry accepts a convention lint, with its message: fix the name or keep it.\n");
    for (name, why) in skipped {
        let _ = writeln!(out, "# Left out `{name}`: {}.", comment(why));
    }
    if let Some(ns) = namespace {
        let _ = writeln!(out, "namespace: {ns}");
    }
    let defs = definitions(drafts);
    if !defs.is_empty() {
        out.push_str("labels:\n");
        for (key, name, p) in &defs {
            let _ = write!(out, "  {key}: {{");
            if key != name {
                let _ = write!(out, "name: {name}, ");
            }
            match p {
                Proposal::Closed(v) => {
                    let vals: Vec<String> = v.iter().map(|v| quoted(v)).collect();
                    let _ = writeln!(out, "values: [{}]}}", vals.join(", "));
                }
                Proposal::Open { seen } => {
                    let bound = round_up((seen * 2).max(10));
                    let _ = writeln!(out, "max_values: {bound}}}  # {seen} values seen");
                }
            }
        }
    }
    out.push_str("metrics:\n");
    for d in drafts {
        let _ = writeln!(out, "  - name: {}", quoted(&d.name));
        for n in &d.notes {
            let _ = writeln!(out, "    # {}", comment(n));
        }
        let _ = writeln!(out, "    type: {}", d.kind.as_str());
        if let Some(h) = &d.help {
            let _ = writeln!(out, "    help: {}", quoted(h));
        }
        if let Some(u) = &d.unit {
            let _ = writeln!(out, "    unit: {u}");
        }
        if !d.labels.is_empty() {
            let keys: Vec<&str> = d
                .labels
                .iter()
                .map(|(n, p)| {
                    defs.iter()
                        .find(|(_, dn, dp)| dn == n && dp == p)
                        .map(|(k, _, _)| k.as_str())
                        .expect("every label has a definition")
                })
                .collect();
            let _ = writeln!(out, "    labels: [{}]", keys.join(", "));
        }
        if !d.buckets.is_empty() {
            let b: Vec<String> = d.buckets.iter().map(|b| format!("{b:?}")).collect();
            let _ = writeln!(out, "    buckets: [{}]", b.join(", "));
        }
        if !d.const_labels.is_empty() {
            out.push_str("    const_labels:\n");
            for (k, v) in &d.const_labels {
                let _ = writeln!(out, "      {k}: {}", quoted(v));
            }
        }
        if !d.allow.is_empty() {
            out.push_str("    allow:\n");
            for (l, msg) in &d.allow {
                let _ = writeln!(out, "      - {}  # {}", l.id(), comment(msg));
            }
        }
    }
    out
}

/// The schema for `exp`, as YAML that `promdef check` accepts; `source` is
/// named in the header comment.
pub fn schema(exp: &Exposition, source: &str, namespace: Option<&str>) -> String {
    let mut skipped: Vec<(String, String)> = Vec::new();
    // Python's text format adds a `<x>_created` gauge per counter, histogram
    // and summary `x`; promdef writes `_created` itself (OpenMetrics).
    let stems: BTreeSet<String> = exp
        .families
        .iter()
        .filter(|f| matches!(f.kind, Type::Counter | Type::Histogram | Type::Summary))
        .map(|f| f.name.strip_suffix("_total").unwrap_or(&f.name).to_string())
        .collect();
    let mut drafts: Vec<Draft> = Vec::new();
    for f in &exp.families {
        let created_of = f
            .name
            .strip_suffix("_created")
            .filter(|stem| stems.contains(*stem) && matches!(f.kind, Type::Gauge | Type::Untyped));
        if created_of.is_some() {
            skipped.push((f.name.clone(), "the creation time of a counter, histogram or summary, which promdef exposes itself in OpenMetrics (`_created`)".into()));
            continue;
        }
        match draft(f) {
            Ok(d) if drafts.iter().any(|o| o.name == d.name) => {
                skipped.push((d.name, "declared twice in the source".into()))
            }
            Ok(d) => drafts.push(d),
            Err(why) => skipped.push((f.name.clone(), why)),
        }
    }
    // Check the draft with promdef's own rules and adjust until clean: each
    // round fixes at least one finding, so this ends.
    for _ in 0..drafts.len() * 4 + 8 {
        let yaml = render(&drafts, &skipped, source, namespace);
        let checked = Checked::from_yaml(&yaml);
        if checked.diagnostics.is_empty() {
            return yaml;
        }
        let mut drop: BTreeSet<usize> = BTreeSet::new();
        let mut open: BTreeSet<String> = BTreeSet::new();
        let reason = |d: &promdef_schema::Diagnostic| {
            d.message
                .split("; ")
                .next()
                .unwrap_or(&d.message)
                .to_string()
        };
        for d in &checked.diagnostics {
            match (d.lint, d.metric, d.label) {
                (Some(l), Some(i), _) => {
                    drafts[i]
                        .allow
                        .entry(l)
                        .or_insert_with(|| d.message.clone());
                }
                (None, Some(i), _) => {
                    drop.insert(i);
                    skipped.push((drafts[i].name.clone(), reason(d)));
                }
                // A closed set that cannot be an enum becomes open; a label
                // promdef cannot have at all takes its metrics out.
                (None, None, Some(l)) => {
                    let def = &checked.schema.labels[l];
                    if def.is_closed() {
                        open.insert(def.key.value.clone());
                    } else {
                        for (i, m) in checked.schema.metrics.iter().enumerate() {
                            if m.labels.iter().any(|r| r.value == def.key.value) && drop.insert(i) {
                                skipped.push((drafts[i].name.clone(), reason(d)));
                            }
                        }
                    }
                }
                // Nothing left to adjust: the caller's check reports it.
                _ => return yaml,
            }
        }
        let defs = definitions(&drafts);
        for d in &mut drafts {
            for (n, p) in &mut d.labels {
                let key = defs
                    .iter()
                    .find(|(_, dn, dp)| dn == n && dp == p)
                    .map(|(k, _, _)| k.clone());
                if key.is_some_and(|k| open.contains(&k)) {
                    if let Proposal::Closed(v) = p {
                        *p = Proposal::Open { seen: v.len() };
                    }
                }
            }
        }
        let mut i = 0;
        drafts.retain(|_| {
            i += 1;
            !drop.contains(&(i - 1))
        });
    }
    render(&drafts, &skipped, source, namespace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition::parse;

    fn import(text: &str) -> String {
        schema(&parse(text).unwrap(), "test", None)
    }

    #[test]
    fn python_text_format_port_compiles() {
        let t = "# HELP req_total Requests.\n# TYPE req_total counter\nreq_total{method=\"GET\",path=\"/a\"} 1\n\
                 # HELP req_created Requests.\n# TYPE req_created gauge\nreq_created{method=\"GET\",path=\"/a\"} 1.7e9\n\
                 # HELP lat_seconds Latency\n# TYPE lat_seconds histogram\nlat_seconds_bucket{le=\"0.1\"} 1\nlat_seconds_bucket{le=\"+Inf\"} 1\nlat_seconds_sum 0.05\nlat_seconds_count 1\n\
                 # HELP inflight In flight.\n# TYPE inflight gauge\ninflight{pid=\"12\"} 1\ninflight{pid=\"13\"} 2\n";
        let y = import(t);
        let c = Checked::from_yaml(&y);
        assert!(c.is_clean(), "{y}\n{:?}", c.diagnostics);
        assert!(y.contains("# Left out `req_created`"), "{y}");
        assert!(y.contains("buckets: [0.1]"), "{y}");
        assert!(y.contains("unit: seconds"), "{y}");
        assert!(y.contains("`pid` looks like Python multi-process"), "{y}");
        assert!(y.contains("  method: {values: [\"GET\"]}"), "{y}");
    }

    #[test]
    fn clashes_are_left_out_and_bad_enums_become_open() {
        // go_memstats_alloc_bytes{,_total}: one OpenMetrics family twice.
        let t = "# TYPE go_memstats_alloc_bytes gauge\ngo_memstats_alloc_bytes 1\n\
                 # TYPE go_memstats_alloc_bytes_total counter\ngo_memstats_alloc_bytes_total 2\n\
                 # TYPE codes gauge\ncodes{code=\"a-b\"} 1\ncodes{code=\"a_b\"} 1\n";
        let y = import(t);
        let c = Checked::from_yaml(&y);
        assert!(c.is_clean(), "{y}\n{:?}", c.diagnostics);
        assert!(
            y.contains("# Left out `go_memstats_alloc_bytes_total`"),
            "{y}"
        );
        assert!(y.contains("code: {max_values: 10}  # 2 values seen"), "{y}");
    }

    #[test]
    fn same_label_name_with_different_sets_gets_two_definitions() {
        let t = "# TYPE a_total counter\na_total{method=\"GET\"} 1\n# TYPE b_total counter\nb_total{method=\"sso\"} 1\n";
        let y = import(t);
        assert!(Checked::from_yaml(&y).is_clean(), "{y}");
        assert!(
            y.contains("b_total_method: {name: method, values: [\"sso\"]}"),
            "{y}"
        );
    }

    #[test]
    fn bounds_round_up() {
        assert_eq!(round_up(10), 10);
        assert_eq!(round_up(11), 20);
        assert_eq!(round_up(24), 50);
        assert_eq!(round_up(260), 500);
    }
}
