//! Rules about the Rust names generated code uses: statics, label enums and
//! their variants, labels structs. Two schema names that map to one Rust name
//! are reported at the second, which is then not generated.

use super::Cx;
use crate::diag::{Diagnostic, Loc};
use crate::naming;
use std::collections::HashMap;

pub(super) fn check(cx: &mut Cx<'_>) {
    statics_are_unique_identifiers(cx);
    let enums = enum_types_are_unique_identifiers(cx);
    variants_are_unique_identifiers(cx);
    labels_structs_are_unique_type_names(cx, &enums);
}

/// Rule: each static's name is a Rust identifier, and no two metrics share one.
///   `a:b` and `a_b` both become `A_B`   error at the second
fn statics_are_unique_identifiers(cx: &mut Cx<'_>) {
    let r = cx.r;
    let mut statics: HashMap<&str, (&str, Loc)> = HashMap::new();
    for (i, m) in r.metrics.iter().enumerate() {
        let loc = m
            .metric
            .static_name
            .as_ref()
            .map_or(m.metric.name.loc, |s| s.loc);
        if !naming::is_rust_ident(&m.static_name) {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    loc,
                    format!(
                        "`{}` is not a valid Rust identifier for the static; set `static_name`",
                        m.static_name
                    ),
                ),
            );
            continue;
        }
        match statics.get(m.static_name.as_str()) {
            // The same name twice is reported as a duplicate metric.
            Some((other, _)) if *other == m.metric.name.value => {}
            Some((other, oloc)) => cx.reject_metric(
                i,
                Diagnostic::error(
                    loc,
                    format!(
                        "`{}` and `{other}` both become the Rust static `{}`; set `static_name` on one",
                        m.metric.name.value, m.static_name
                    ),
                )
                .with_related(*oloc, format!("`{other}` declared")),
            ),
            None => {
                statics.insert(&m.static_name, (&m.metric.name.value, m.metric.name.loc));
            }
        }
    }
}

/// Rule: each closed-set label's enum name is a Rust type name, and no two
/// label definitions share one. Returns the enum names generated.
///   labels `http_method` and `http-method` both become `HttpMethod`   error at the second
fn enum_types_are_unique_identifiers(cx: &mut Cx<'_>) -> HashMap<String, Loc> {
    let r = cx.r;
    let mut types: HashMap<String, (String, Loc)> = HashMap::new();
    for e in &r.enums {
        let loc = e.def.rust_type.as_ref().map_or(e.def.key.loc, |s| s.loc);
        if !naming::is_rust_ident(&e.type_name) {
            cx.reject_label(
                e.def_index,
                Diagnostic::error(
                    loc,
                    format!(
                        "`{}` is not a valid Rust type name for label `{}`; set `rust_type`",
                        e.type_name, e.def.key.value
                    ),
                ),
            );
        } else if let Some((first, floc)) = types.get(&e.type_name) {
            cx.reject_label(
                e.def_index,
                Diagnostic::error(
                    loc,
                    format!(
                        "labels `{}` and `{first}` both become the Rust type `{}`; set `rust_type` on one",
                        e.def.key.value, e.type_name
                    ),
                )
                .with_related(*floc, format!("`{first}` defined")),
            );
        } else {
            types.insert(
                e.type_name.clone(),
                (e.def.key.value.clone(), e.def.key.loc),
            );
        }
    }
    types.into_iter().map(|(k, (_, loc))| (k, loc)).collect()
}

/// Rule: each value's variant name is a Rust identifier, unique in its enum.
///   values `a-b` and `a_b` both become `AB`   error at the second
fn variants_are_unique_identifiers(cx: &mut Cx<'_>) {
    let r = cx.r;
    for e in &r.enums {
        let values = &e
            .def
            .values
            .as_ref()
            .expect("enums come from closed sets")
            .value;
        let mut first_variant: HashMap<&str, usize> = HashMap::new();
        for (j, (v, _)) in e.variants.iter().enumerate() {
            let vloc = values[j]
                .variant
                .as_ref()
                .map_or(values[j].value.loc, |s| s.loc);
            if !naming::is_rust_ident(v) {
                cx.reject_label(e.def_index, Diagnostic::error(vloc, format!("`{v}` is not a valid enum variant name; write the value as `{{value: \"{}\", variant: Name}}`", values[j].value.value)));
            } else if let Some(&k) = first_variant
                .get(v.as_str())
                .filter(|&&k| e.variants[k].1 != values[j].value.value)
            {
                cx.reject_label(e.def_index, Diagnostic::error(vloc, format!("values `{}` and `{}` of label `{}` both become the variant `{}::{v}`; write one as `{{value: \"{}\", variant: Name}}`", e.variants[k].1, values[j].value.value, e.def.key.value, e.type_name, values[j].value.value)).with_related(values[k].value.loc, format!("`{}` listed", e.variants[k].1)));
            }
            first_variant.entry(v).or_insert(j);
        }
    }
}

/// Rule: a labelled metric's `<Static>Labels` struct name is a Rust type
/// name, unlike any label enum and any other metric's labels struct.
///   `_1_total` with labels → `1TotalLabels`   error, set `static_name`
fn labels_structs_are_unique_type_names(cx: &mut Cx<'_>, enums: &HashMap<String, Loc>) {
    let r = cx.r;
    let mut structs: HashMap<&str, (&str, Loc)> = HashMap::new();
    for (i, m) in r.metrics.iter().enumerate() {
        if m.labels.is_empty() || !naming::is_rust_ident(&m.static_name) {
            continue;
        }
        let name = &m.metric.name;
        if !naming::is_rust_ident(&m.labels_struct) {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    name.loc,
                    format!(
                        "the labels struct of `{}` would be named `{}`, which is not a Rust type name; set `static_name`",
                        name.value, m.labels_struct
                    ),
                ),
            );
        } else if let Some(eloc) = enums.get(&m.labels_struct) {
            cx.reject_metric(
                i,
                Diagnostic::error(
                    name.loc,
                    format!(
                        "the labels struct `{}` of `{}` has the name of a label enum; set `rust_type` on that label",
                        m.labels_struct, name.value
                    ),
                )
                .with_related(*eloc, "the label"),
            );
        } else if let Some((other, oloc)) = structs.get(m.labels_struct.as_str()) {
            if *other != name.value {
                cx.reject_metric(
                    i,
                    Diagnostic::error(
                        name.loc,
                        format!(
                            "`{}` and `{other}` would both have the labels struct `{}`; set `static_name` on one",
                            name.value, m.labels_struct
                        ),
                    )
                    .with_related(*oloc, format!("`{other}` declared")),
                );
            }
        } else {
            structs.insert(&m.labels_struct, (&name.value, name.loc));
        }
    }
}
