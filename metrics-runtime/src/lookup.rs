//! Finding a sample by name and labels, as the text format names it
//! (`x_bucket{le="0.5"}`): shared by [`Registry::get_sample_value`] and the
//! `testing` feature's scopes.

use crate::family::{Descriptor, Kind};
use crate::value::Sample;
use crate::Registry;

/// The suffixes a family's samples can have.
pub(crate) fn suffixes(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Histogram => &["_bucket", "_sum", "_count"],
        // `""`: a quantile sample, `x{quantile="0.5"}`.
        Kind::Summary => &["_sum", "_count", ""],
        Kind::Counter | Kind::Gauge => &[""],
        Kind::Info | Kind::StateSet => &[""],
    }
}

/// The family exposing sample `name`, and the suffix.
pub(crate) fn find_family(
    registry: &'static Registry,
    name: &str,
) -> Option<&'static dyn crate::Family> {
    registry.all_families().into_iter().find(|f| {
        let d = f.descriptor();
        suffixes(d.kind)
            .iter()
            .any(|s| name.strip_suffix(s) == Some(d.name))
    })
}

/// A stateset's state, told apart by a label named after the family and
/// taken out of `rest`: `Some(None)` for other kinds, `None` when a
/// stateset's state label is missing.
pub(crate) fn split_state<'a>(d: &Descriptor, rest: &mut Labels<'a>) -> Option<Option<&'a str>> {
    if d.kind != Kind::StateSet {
        return Some(None);
    }
    let i = rest.iter().position(|(k, _)| *k == d.name)?;
    Some(Some(rest.remove(i).1))
}

/// Label pairs as callers pass them.
pub(crate) type Labels<'a> = Vec<(&'a str, &'a str)>;

/// A histogram bucket's `le` (required there, refused elsewhere), and the
/// other labels.
pub(crate) fn split_le<'a>(
    kind: Kind,
    suffix: &str,
    labels: &[(&'a str, &'a str)],
) -> Option<(Option<f64>, Labels<'a>)> {
    let le = labels
        .iter()
        .find(|(k, _)| *k == "le")
        .map(|(_, v)| v.parse::<f64>());
    let rest: Vec<(&str, &str)> = labels.iter().filter(|(k, _)| *k != "le").copied().collect();
    match (kind == Kind::Histogram && suffix == "_bucket", le) {
        (true, Some(Ok(le))) => Some((Some(le), rest)),
        (false, None) => Some((None, rest)),
        _ => None,
    }
}

/// Whether `given` names exactly the series' labels (const labels optional).
pub(crate) fn labels_match(d: &Descriptor, values: &[&str], given: &[(&str, &str)]) -> bool {
    let variable = d.labels.iter().map(|l| l.name).zip(values.iter().copied());
    let mut matched = 0;
    for (k, v) in variable {
        if !given.iter().any(|(gk, gv)| *gk == k && *gv == v) {
            return false;
        }
        matched += 1;
    }
    for (gk, gv) in given {
        if d.labels.iter().any(|l| l.name == *gk) {
            continue;
        }
        if d.const_labels.iter().any(|(k, v)| k == gk && v == gv) {
            matched += 1;
        } else {
            return false;
        }
    }
    matched == given.len()
}

impl Registry {
    /// The current value of one sample, as Python's
    /// `REGISTRY.get_sample_value(name, labels)`: `name` as the text format
    /// writes it (`x_total`, `x_bucket` with an `le` label, `x_sum`,
    /// `x_count`, a gauge's name), `labels` the series' labels (const labels
    /// may be left out). `None` when no such series exists. Values from all
    /// threads: for a test's own updates use `promdef::testing::Scope`.
    ///
    /// ```
    /// promdef::metrics! {
    ///     label code { values: ["2xx", "5xx"] }
    ///     /// Request duration.
    ///     pub histogram doc_sample_seconds(code) { unit: seconds, buckets: [0.1, 1] }
    /// }
    /// let h = DOC_SAMPLE_SECONDS.with(DocSampleSecondsLabels { code: Code::V2xx });
    /// h.observe(0.05);
    /// h.observe(0.5);
    /// let r = promdef::registry();
    /// assert_eq!(r.get_sample_value("doc_sample_seconds_bucket", &[("code", "2xx"), ("le", "0.1")]), Some(1.0));
    /// assert_eq!(r.get_sample_value("doc_sample_seconds_bucket", &[("code", "2xx"), ("le", "+Inf")]), Some(2.0));
    /// assert_eq!(r.get_sample_value("doc_sample_seconds_count", &[("code", "2xx")]), Some(2.0));
    /// assert_eq!(r.get_sample_value("doc_sample_seconds_sum", &[("code", "5xx")]), Some(0.0));
    /// assert_eq!(r.get_sample_value("doc_sample_seconds_count", &[("code", "4xx")]), None);
    /// ```
    pub fn get_sample_value(&'static self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let family = find_family(self, name)?;
        let d = family.descriptor();
        let suffix = suffixes(d.kind)
            .iter()
            .copied()
            .find(|s| name.strip_suffix(s) == Some(d.name))?;
        let (le, mut rest) = split_le(d.kind, suffix, labels)?;
        let state = split_state(d, &mut rest)?;
        // A summary's quantile samples, by their `quantile` label.
        let quantile = if d.kind == Kind::Summary && suffix.is_empty() {
            let i = rest.iter().position(|(k, _)| *k == "quantile")?;
            Some(rest.remove(i).1.parse::<f64>().ok()?)
        } else {
            None
        };
        let mut found = None;
        family.collect(&mut |values, sample| {
            if found.is_none() && labels_match(d, values, &rest) {
                found = match (&sample, state, quantile) {
                    (Sample::StateSet { states, current }, Some(s), _) => states
                        .iter()
                        .position(|x| *x == s)
                        .map(|i| if i == *current { 1.0 } else { 0.0 }),
                    (Sample::Summary { quantiles, .. }, _, Some(q)) => quantiles
                        .as_ref()
                        .and_then(|qs| qs.iter().find(|(x, _)| *x == q))
                        .map(|(_, v)| *v),
                    _ => value_of(&sample, suffix, le),
                };
            }
        });
        found
    }
}

fn value_of(sample: &Sample<'_>, suffix: &str, le: Option<f64>) -> Option<f64> {
    Some(match (sample, suffix) {
        (Sample::Counter(n), "") => *n as f64,
        (Sample::CounterWithExemplar(n, _), "") => *n as f64,
        (Sample::CounterFloat(v), "") | (Sample::Gauge(v), "") => *v,
        (Sample::Info, "") => 1.0,
        (Sample::Summary { sum, .. }, "_sum") | (Sample::Histogram { sum, .. }, "_sum") => *sum,
        (Sample::Summary { count, .. }, "_count") => *count as f64,
        (Sample::Histogram { cumulative, .. }, "_count") => *cumulative.last()? as f64,
        (
            Sample::Histogram {
                bounds, cumulative, ..
            },
            "_bucket",
        ) => {
            let le = le?;
            if le.is_infinite() && le > 0.0 {
                *cumulative.last()? as f64
            } else {
                let i = bounds.iter().position(|b| *b == le)?;
                cumulative[i] as f64
            }
        }
        _ => return None,
    })
}
