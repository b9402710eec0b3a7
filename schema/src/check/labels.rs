//! Rules about label definitions.

use super::{Cx, MAX_CLOSED_VALUES};
use crate::diag::{Diagnostic, Spanned};
use crate::lints::Lint;
use crate::model::MaxValues;
use crate::naming;
use std::collections::{HashMap, HashSet};

pub(super) fn check(cx: &mut Cx<'_>) {
    for i in 0..cx.s.labels.len() {
        label_name_is_valid(cx, i);
        closed_or_open_not_both(cx, i);
        closed_set_is_not_empty(cx, i);
        closed_values_are_unique(cx, i);
        closed_set_avoids_the_overflow_value(cx, i);
        closed_set_fits_an_enum(cx, i);
        label_is_a_rust_field(cx, i);
    }
    defined_labels_are_used(cx);
    open_labels_are_bounded(cx);
}

/// A label or const label name's validity, shared with const labels:
/// `Some(message)` when invalid.
pub(super) fn invalid_label_name(n: &Spanned<String>) -> Option<String> {
    if !naming::is_label_name(&n.value) {
        Some(format!(
            "`{}` is not a valid label name; use letters, digits and `_`, not starting with a digit",
            n.value
        ))
    } else if n.value.starts_with("__") {
        Some(format!(
            "label names starting with `__` are reserved for Prometheus; rename `{}`",
            n.value
        ))
    } else {
        None
    }
}

/// Rule: label names match `[a-zA-Z_][a-zA-Z0-9_]*` and do not start with `__`.
///   method   ok       http-method   error      __meta   error
fn label_name_is_valid(cx: &mut Cx<'_>, i: usize) {
    let name = cx.s.labels[i].exposed();
    if let Some(msg) = invalid_label_name(name) {
        cx.reject_label(i, Diagnostic::error(name.loc, msg));
    }
}

/// Rule: a label is a closed set or an open label, not both.
///   values: [a, b] + max_values: 10   error
fn closed_or_open_not_both(cx: &mut Cx<'_>, i: usize) {
    let d = &cx.s.labels[i];
    if let (Some(_), Some(m)) = (&d.values, &d.max_values) {
        let key = &d.key.value;
        cx.label_error(i, Diagnostic::error(
            m.loc,
            format!("label `{key}` has both `values` and `max_values`; a closed set is already bounded, remove `max_values`"),
        ));
    }
}

/// Rule: a closed set is not empty.
///   values: []   error
fn closed_set_is_not_empty(cx: &mut Cx<'_>, i: usize) {
    let d = &cx.s.labels[i];
    if let Some(values) = d.values.as_ref().filter(|v| v.value.is_empty()) {
        let key = &d.key.value;
        cx.reject_label(
            i,
            Diagnostic::error(
                values.loc,
                format!("label `{key}` has an empty `values` list; list its values or remove `values` to make it an open label"),
            ),
        );
    }
}

/// Rule: values in a closed set are unique.
///   values: [GET, GET]   error at the second
fn closed_values_are_unique(cx: &mut Cx<'_>, i: usize) {
    let d = &cx.s.labels[i];
    let Some(values) = &d.values else { return };
    let mut first: HashMap<&str, crate::diag::Loc> = HashMap::new();
    for v in &values.value {
        match first.get(v.value.value.as_str()) {
            Some(f) => cx.reject_label(
                i,
                Diagnostic::error(
                    v.value.loc,
                    format!(
                        "value `{}` is listed twice in label `{}`; remove one",
                        v.value.value, d.key.value
                    ),
                )
                .with_related(*f, "first listed"),
            ),
            None => {
                first.insert(&v.value.value, v.value.loc);
            }
        }
    }
}

/// Rule: a closed set does not contain `__overflow__`, the value the
/// runtime gives open labels of a family's overflow series (so a query can
/// always tell overflow from a real value).
///   values: [a, __overflow__]   error
fn closed_set_avoids_the_overflow_value(cx: &mut Cx<'_>, i: usize) {
    let d = &cx.s.labels[i];
    let Some(values) = &d.values else { return };
    if let Some(v) = values
        .value
        .iter()
        .find(|v| v.value.value == crate::OVERFLOW_VALUE)
    {
        let loc = v.value.loc;
        let key = d.key.value.clone();
        cx.reject_label(
            i,
            Diagnostic::error(
                loc,
                format!("`{}` is reserved for the overflow series of capped labels; remove it from label `{key}`", crate::OVERFLOW_VALUE),
            ),
        );
    }
}

/// Rule: a closed set has at most 65,535 values (its enum is `#[repr(u16)]`).
///   values: [v0, …, v70000]   error
fn closed_set_fits_an_enum(cx: &mut Cx<'_>, i: usize) {
    let d = &cx.s.labels[i];
    if let Some(values) = d
        .values
        .as_ref()
        .filter(|v| v.value.len() > MAX_CLOSED_VALUES)
    {
        cx.reject_label(
            i,
            Diagnostic::error(
                values.loc,
                format!(
                    "label `{}` lists {} values, more than the {MAX_CLOSED_VALUES} a closed set can hold; make it an open label with `max_values`",
                    d.key.value,
                    values.value.len()
                ),
            ),
        );
    }
}

/// Rule: labels become struct fields, so a label name must work as a Rust
/// field (keywords are written raw, `r#type`, but `_`, `self`, `super`,
/// `crate` and `Self` cannot be).
///   label self   error
fn label_is_a_rust_field(cx: &mut Cx<'_>, i: usize) {
    let name = cx.s.labels[i].exposed();
    if naming::is_label_name(&name.value) && !naming::is_field_name(&name.value) {
        cx.reject_label(
            i,
            Diagnostic::error(
                name.loc,
                format!(
                    "label `{}` cannot be a Rust field name; rename it",
                    name.value
                ),
            ),
        );
    }
}

/// Rule: a defined label is used by at least one metric.
///   labels: {route: …} but no metric lists `route`   error
fn defined_labels_are_used(cx: &mut Cx<'_>) {
    let used: HashSet<usize> =
        cx.r.metrics
            .iter()
            .flat_map(|m| m.labels.iter().map(|l| l.def_index))
            .collect();
    for (i, d) in cx.s.labels.iter().enumerate() {
        if !used.contains(&i) {
            cx.label_error(i, Diagnostic::error(
                d.key.loc,
                format!("label `{}` is defined but no metric uses it; remove it or add it to a metric's `labels`", d.key.value),
            ));
        }
    }
}

/// Names that usually carry unbounded values (one series each).
pub(super) const UNBOUNDED_LABELS: &[&str] = &[
    "user_id",
    "userid",
    "user",
    "uid",
    "uuid",
    "guid",
    "email",
    "ip",
    "ip_address",
    "address",
    "path",
    "url",
    "uri",
    "query",
    "session",
    "session_id",
    "trace_id",
    "span_id",
    "request_id",
    "id",
    "token",
    "username",
    "timestamp",
];

/// Lint unbounded-label / high-cardinality-label: an open label declares
/// `max_values`; names that usually carry unbounded values get the more
/// specific lint, which `max_values: unlimited` does not silence. One
/// finding per metric and label.
///   route: {}   unbounded-label      user_id: {}   high-cardinality-label
///   route: {max_values: 200}   ok    route: {max_values: unlimited}   ok
///   user_id: {max_values: unlimited}   high-cardinality-label
fn open_labels_are_bounded(cx: &mut Cx<'_>) {
    for mi in 0..cx.r.metrics.len() {
        let rm = &cx.r.metrics[mi];
        let metric = rm.metric.name.value.as_str();
        for l in &rm.labels {
            let bound = l.def.max_values.as_ref().map(|m| m.value);
            if l.def.values.is_some() || matches!(bound, Some(MaxValues::Count(_))) {
                continue;
            }
            let name = l.name();
            if UNBOUNDED_LABELS.contains(&name) {
                cx.lint(mi, l.loc, Lint::HighCardinalityLabel, format!("`{name}` usually carries unbounded values (one series each); aggregate it away, or bound it with `max_values`"));
            } else if bound.is_none() {
                cx.lint(
                    mi,
                    l.loc,
                    Lint::UnboundedLabel,
                    format!("label `{name}` of `{metric}` is open with no bound; list its `values` or declare `max_values`"),
                );
            }
        }
    }
}
