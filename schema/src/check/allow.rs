//! `allow:` — on a metric, or at the schema's top level for every metric.

use crate::diag::{Diagnostic, Loc, Spanned};
use crate::lints::Lint;
use crate::model::Schema;
use crate::naming;

/// A lint that an `allow` accepted: still reported by `promdef check
/// --format json`, so a port's accepted findings stay visible.
#[derive(Clone, Debug)]
pub struct Suppressed {
    /// The finding.
    pub diagnostic: Diagnostic,
    /// The `allow` entry that accepted it.
    pub by: Loc,
}

/// Rule: an accepted lint is not reported; an `allow` entry that accepts
/// nothing is an error (so stale entries do not pile up).
///   allow: [counter-total-suffix] on `jobs_total`   error: suppresses nothing
pub(super) fn apply(schema: &Schema, diags: Vec<Diagnostic>) -> (Vec<Diagnostic>, Vec<Suppressed>) {
    let mut used_metric: Vec<Vec<bool>> = schema
        .metrics
        .iter()
        .map(|m| vec![false; m.allow.len()])
        .collect();
    let mut used_schema = vec![false; schema.allow.len()];
    let mut out = Vec::new();
    let mut suppressed = Vec::new();
    let find = |list: &[Spanned<String>], id: &str| list.iter().position(|a| a.value == id);
    for d in diags {
        let by = match (d.lint, d.metric) {
            (Some(l), Some(mi)) => match find(&schema.metrics[mi].allow, l.id()) {
                Some(ai) => {
                    used_metric[mi][ai] = true;
                    Some(schema.metrics[mi].allow[ai].loc)
                }
                None => find(&schema.allow, l.id()).map(|ai| {
                    used_schema[ai] = true;
                    schema.allow[ai].loc
                }),
            },
            _ => None,
        };
        match by {
            Some(by) => suppressed.push(Suppressed { diagnostic: d, by }),
            None => out.push(d),
        }
    }
    let known = |a: &Spanned<String>| Lint::parse(&a.value).is_some();
    for (mi, m) in schema.metrics.iter().enumerate() {
        // An invalid name is not linted, so its `allow` cannot be judged.
        if !naming::is_metric_name(&m.name.value) {
            continue;
        }
        for (ai, a) in m.allow.iter().enumerate() {
            let first = !m.allow[..ai].iter().any(|p| p.value == a.value);
            if first && !used_metric[mi][ai] && known(a) {
                let mut d = Diagnostic::error(
                    a.loc,
                    format!(
                        "`allow: [{}]` suppresses nothing on `{}`; remove it",
                        a.value, m.name.value
                    ),
                );
                d.metric = Some(mi);
                out.push(d);
            }
        }
    }
    for (ai, a) in schema.allow.iter().enumerate() {
        let first = !schema.allow[..ai].iter().any(|p| p.value == a.value);
        if first && !used_schema[ai] && known(a) {
            out.push(Diagnostic::error(
                a.loc,
                format!(
                    "`allow: [{}]` at the top level suppresses nothing in this schema; remove it",
                    a.value
                ),
            ));
        }
    }
    (out, suppressed)
}
