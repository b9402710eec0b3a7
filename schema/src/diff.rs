//! Breaking changes between two versions of a set of schemas, by stability.
//!
//! | old stability | breaking |
//! |---|---|
//! | `stable` | removed (unless it was already `deprecated`), type, unit, buckets, labels (added or removed, const labels included), a closed-set value removed, stability lowered |
//! | `beta` | removed (unless it was already `deprecated`), type changed, a label removed, stability lowered |
//! | `alpha`, `internal` | nothing |
//!
//! A rename is a removal of the old name. Metrics are matched by exposed name
//! across all declarations of each side, so moving a metric between files or
//! from YAML to the inline macro is not a change.
//!
//! ```
//! use promdef_schema::{diff, Checked};
//!
//! let old = Checked::from_yaml("metrics:\n  - {name: a_total, type: counter, help: A., stability: stable}\n");
//! let new = Checked::from_yaml("metrics:\n  - {name: a_total, type: gauge, help: A., stability: stable}\n");
//! let changes = diff::breaking_changes(&[&old], &[&new]);
//! assert_eq!(changes[0].to_string(), "stable metric `a_total`: type changed from `counter` to `gauge`");
//! ```

use crate::ast::list;
use crate::model::*;
use crate::Checked;
use std::collections::BTreeMap;
use std::fmt;

/// One breaking change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakingChange {
    /// The metric's name in the old version.
    pub metric: String,
    /// Its stability in the old version.
    pub stability: Stability,
    /// What changed, lowercase.
    pub what: String,
}

impl fmt::Display for BreakingChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} metric `{}`: {}",
            self.stability.as_str(),
            self.metric,
            self.what
        )
    }
}

/// What `diff` compares of one metric.
struct Shape<'s> {
    metric: &'s Metric,
    labels: Vec<(&'s str, Option<Vec<&'s str>>)>,
    buckets: Vec<f64>,
}

fn shapes<'s>(declarations: &[&'s Checked]) -> BTreeMap<&'s str, Shape<'s>> {
    let mut out = BTreeMap::new();
    for c in declarations {
        for m in &c.plan.metrics {
            let labels = m
                .labels
                .iter()
                .map(|l| {
                    let values = l
                        .values
                        .as_ref()
                        .map(|v| v.iter().map(String::as_str).collect());
                    (l.name.as_str(), values)
                })
                .collect();
            // The first declaration of a duplicated name wins, as in the registry.
            out.entry(m.name.as_str()).or_insert(Shape {
                metric: m.metric(&c.schema),
                labels,
                buckets: m.buckets.clone(),
            });
        }
    }
    out
}

/// Every breaking change from `old` to `new` (checked declarations without
/// errors), sorted by metric name.
pub fn breaking_changes(old: &[&Checked], new: &[&Checked]) -> Vec<BreakingChange> {
    let (old, new) = (shapes(old), shapes(new));
    let mut out = Vec::new();
    for (name, o) in &old {
        let stability = o.metric.stability();
        if stability < Stability::Beta {
            continue;
        }
        let strict = stability == Stability::Stable;
        let mut push = |what: String| {
            out.push(BreakingChange {
                metric: name.to_string(),
                stability,
                what,
            })
        };
        let Some(n) = new.get(name) else {
            if o.metric.deprecated.is_none() {
                push("removed or renamed without being deprecated first; restore it, or mark it `deprecated` in a release before removing it".to_string());
            }
            continue;
        };
        let (om, nm) = (o.metric, n.metric);
        if om.kind.value != nm.kind.value {
            push(format!(
                "type changed from `{}` to `{}`",
                om.kind.value.as_str(),
                nm.kind.value.as_str()
            ));
        }
        if nm.stability() < stability {
            push(format!(
                "stability lowered from `{}` to `{}`",
                stability.as_str(),
                nm.stability().as_str()
            ));
        }
        let ol: Vec<&str> = o.labels.iter().map(|l| l.0).collect();
        let nl: Vec<&str> = n.labels.iter().map(|l| l.0).collect();
        let removed: Vec<&str> = ol.iter().filter(|l| !nl.contains(l)).copied().collect();
        if !removed.is_empty() {
            push(format!("labels removed: {}", list(&removed)));
        }
        if !strict {
            continue;
        }
        let added: Vec<&str> = nl.iter().filter(|l| !ol.contains(l)).copied().collect();
        if !added.is_empty() {
            push(format!("labels added: {}", list(&added)));
        }
        for (label, values) in &o.labels {
            let (Some(values), Some((_, Some(now)))) =
                (values, n.labels.iter().find(|(l, _)| l == label))
            else {
                continue;
            };
            let gone: Vec<&str> = values
                .iter()
                .filter(|v| !now.contains(v))
                .copied()
                .collect();
            if !gone.is_empty() {
                push(format!(
                    "values removed from label `{label}`: {}",
                    list(&gone)
                ));
            }
        }
        let consts = |m: &'_ Metric| {
            let mut c: Vec<String> = m.const_label_names().map(|k| k.value.clone()).collect();
            c.sort();
            c
        };
        if consts(om) != consts(nm) {
            push(format!(
                "const labels changed from [{}] to [{}]",
                consts(om).join(", "),
                consts(nm).join(", ")
            ));
        }
        let unit = |m: &'_ Metric| m.unit.as_ref().map(|u| u.value.clone());
        if unit(om) != unit(nm) {
            push(format!(
                "unit changed from {} to {}",
                unit(om).map_or("none".to_string(), |u| format!("`{u}`")),
                unit(nm).map_or("none".to_string(), |u| format!("`{u}`"))
            ));
        }
        if om.kind.value == nm.kind.value && o.buckets != n.buckets {
            let fmt = |b: &[f64]| b.iter().map(f64::to_string).collect::<Vec<_>>().join(", ");
            push(format!(
                "buckets changed from [{}] to [{}]",
                fmt(&o.buckets),
                fmt(&n.buckets)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    fn changes(old: &str, new: &str) -> Vec<String> {
        let (o, n) = (Checked::from_yaml(old), Checked::from_yaml(new));
        // Lints are fine here (a counter retyped to a gauge keeps `_total`).
        for d in o.diagnostics.iter().chain(&n.diagnostics) {
            assert!(d.lint.is_some(), "{d}");
        }
        breaking_changes(&[&o], &[&n])
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const BASE: &str = r#"
labels:
  method: {help: Method., values: [GET, POST]}
  route: {help: Route., max_values: 10}
metrics:
  - name: req_total
    type: counter
    help: Requests.
    labels: [method]
    stability: STAB
  - name: lat_seconds
    type: histogram
    unit: seconds
    help: Latency.
    labels: [method, route]
    buckets: [0.1, 1]
    stability: STAB
  - {name: route_hits_total, type: counter, help: Hits., labels: [route]}
"#;

    fn base(stability: &str) -> String {
        BASE.replace("STAB", stability)
    }

    #[test]
    fn identical_is_clean_at_every_level() {
        for s in Stability::ALL {
            assert_eq!(
                changes(&base(s.as_str()), &base(s.as_str())),
                Vec::<String>::new()
            );
        }
    }

    #[test]
    fn stable_freezes_labels_unit_buckets_values() {
        let new = base("stable")
            .replace("labels: [method]\n", "labels: [method, route]\n")
            .replace(
                "labels: [method, route]\n    buckets",
                "labels: [method]\n    buckets",
            )
            .replace("[0.1, 1]", "[0.1, 1, 10]")
            .replace("[GET, POST]", "[GET]");
        assert_eq!(
            changes(&base("stable"), &new),
            [
                "stable metric `lat_seconds`: labels removed: `route`",
                "stable metric `lat_seconds`: values removed from label `method`: `POST`",
                "stable metric `lat_seconds`: buckets changed from [0.1, 1] to [0.1, 1, 10]",
                "stable metric `req_total`: labels added: `route`",
                "stable metric `req_total`: values removed from label `method`: `POST`",
            ]
        );
    }

    #[test]
    fn beta_may_add_labels_but_not_remove_them() {
        let added = base("beta").replace("labels: [method]\n", "labels: [method, route]\n");
        assert_eq!(changes(&base("beta"), &added), Vec::<String>::new());
        let removed = base("beta").replace("labels: [method, route]\n", "labels: [method]\n");
        assert_eq!(
            changes(&base("beta"), &removed),
            ["beta metric `lat_seconds`: labels removed: `route`"]
        );
        let buckets = base("beta").replace("[0.1, 1]", "[0.5]");
        assert_eq!(changes(&base("beta"), &buckets), Vec::<String>::new());
    }

    #[test]
    fn alpha_and_internal_may_change() {
        for s in ["alpha", "internal"] {
            let new = "metrics:\n  - {name: other_total, type: counter, help: Other.}\n";
            assert_eq!(changes(&base(s), new), Vec::<String>::new());
        }
    }

    #[test]
    fn removal_needs_deprecation_first() {
        let new = "metrics:\n  - {name: other_total, type: counter, help: Other.}\n";
        let got = changes(&base("stable"), new);
        assert_eq!(got.len(), 2);
        assert!(got[1].starts_with("stable metric `req_total`: removed or renamed"));
        let deprecated = base("stable").replace(
            "    stability: stable\n",
            "    stability: stable\n    deprecated: {since: \"2.0\"}\n",
        );
        assert_eq!(changes(&deprecated, new), Vec::<String>::new());
    }

    #[test]
    fn retype_and_lowered_stability() {
        let retyped = base("stable").replacen("type: counter", "type: gauge", 1);
        assert_eq!(
            changes(&base("stable"), &retyped),
            ["stable metric `req_total`: type changed from `counter` to `gauge`"]
        );
        let lowered = base("stable").replacen("stability: stable", "stability: beta", 1);
        assert_eq!(
            changes(&base("stable"), &lowered),
            ["stable metric `req_total`: stability lowered from `stable` to `beta`"]
        );
    }
}
