//! Rules about the schema as a whole.

use super::Cx;
use crate::ast::did_you_mean;
use crate::diag::{Diagnostic, Spanned};
use crate::lints::Lint;
use crate::naming;

pub(super) fn check(cx: &mut Cx<'_>) {
    namespace_is_a_name_prefix(cx);
    registry_is_a_rust_path(cx);
    let s = cx.s;
    lint_ids_are_known(cx, &s.allow, "allow", None);
    enable_names_opt_in_lints(cx);
}

/// Whether `ns` can prefix metric names.
pub(super) fn valid_namespace(ns: &str) -> bool {
    naming::is_label_name(ns) && !ns.ends_with('_')
}

/// Rule: the namespace is a valid metric name without `:` or a trailing `_`.
///   namespace: shop        ok
///   namespace: shop-app    error
fn namespace_is_a_name_prefix(cx: &mut Cx<'_>) {
    if let Some(ns) = &cx.s.namespace {
        if !valid_namespace(&ns.value) {
            cx.error(
                ns.loc,
                format!(
                    "namespace `{}` is not a valid name prefix; use letters, digits and `_`, without a trailing `_`",
                    ns.value
                ),
            );
        }
    }
}

/// Rule: the registry is a Rust path (no metric can be registered otherwise).
///   registry: crate::REGISTRY   ok      registry: "a b"   error
fn registry_is_a_rust_path(cx: &mut Cx<'_>) {
    if let Some(reg) = &cx.s.registry {
        if syn::parse_str::<syn::Path>(&reg.value).is_err() {
            cx.reject_all(Diagnostic::error(
                reg.loc,
                format!(
                    "registry `{}` is not a Rust path; write it like `crate::metrics::REGISTRY`",
                    reg.value
                ),
            ));
        }
    }
}

/// Rule: `allow` and `enable` name known lints, each once (shared with the
/// metric-level `allow`).
///   allow: [counter-total-sufix]   error, did you mean `counter-total-suffix`?
pub(super) fn lint_ids_are_known(
    cx: &mut Cx<'_>,
    ids: &[Spanned<String>],
    key: &str,
    metric: Option<usize>,
) {
    for (i, a) in ids.iter().enumerate() {
        if let Some(first) = ids[..i].iter().find(|p| p.value == a.value) {
            let mut d = Diagnostic::error(
                a.loc,
                format!("`{}` is listed twice in `{key}`; remove one", a.value),
            )
            .with_related(first.loc, "first listed");
            d.metric = metric;
            cx.push(d);
            continue;
        }
        if Lint::parse(&a.value).is_none() {
            let hint = did_you_mean(&a.value, &Lint::ids())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "see the README for the list of lint ids".into());
            let mut d = Diagnostic::error(
                a.loc,
                format!("unknown lint `{}` in `{key}`; {hint}", a.value),
            );
            d.metric = metric;
            cx.push(d);
        }
    }
}

/// Rule: `enable` turns on opt-in lints; naming one that is always on does nothing.
///   enable: [help-period]   ok      enable: [camel-case]   error
fn enable_names_opt_in_lints(cx: &mut Cx<'_>) {
    let s = cx.s;
    lint_ids_are_known(cx, &s.enable, "enable", None);
    let opt_in: Vec<&str> = Lint::ALL
        .iter()
        .filter(|l| !l.default_on())
        .map(|l| l.id())
        .collect();
    for e in &s.enable {
        if Lint::parse(&e.value).is_some_and(|l| l.default_on()) {
            cx.error(
                e.loc,
                format!(
                    "`{}` is always on; remove it from `enable` (opt-in lints: {})",
                    e.value,
                    super::list(&opt_in)
                ),
            );
        }
    }
}
