//! The generated artefacts of `promdef docs`, `rules` and `dashboard`,
//! shared by the binary and the tests that keep the examples' generated
//! files current.

use crate::input::{self, Decl, Unusable};
use promdef_schema::{dashboard, slo, Checked};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The inputs as generated files' headers name them: file names only, so
/// the output does not depend on the directory the command ran in.
pub fn sources(decls: &[Decl]) -> String {
    let mut names: Vec<String> = decls
        .iter()
        .map(|d| {
            let name = Path::new(&d.path)
                .file_name()
                .map_or(d.path.clone(), |n| n.to_string_lossy().into_owned());
            format!("`{name}`")
        })
        .collect();
    names.dedup();
    names.join(", ")
}

/// Loads inputs without errors (lints are fine), with objective names
/// unique across declarations (they name rules and alerts).
pub fn load(inputs: &[PathBuf]) -> Result<Vec<Decl>, Unusable> {
    let decls = input::usable(inputs)?;
    let mut seen = HashMap::new();
    for d in &decls {
        for o in &d.checked.plan.objectives {
            if let Some(first) = seen.insert(o.name.clone(), d.path.clone()) {
                return Err(Unusable(format!(
                    "objective `{}` is declared in `{first}` and `{}`; rename one",
                    o.name, d.path
                )));
            }
        }
    }
    Ok(decls)
}

/// The Markdown reference of `decls` (`promdef docs`).
pub fn docs(decls: &[Decl]) -> String {
    let sources: Vec<promdef_schema::markdown::Source<'_>> = decls
        .iter()
        .map(|d| promdef_schema::markdown::Source {
            path: &d.path,
            checked: &d.checked,
        })
        .collect();
    promdef_schema::markdown::render(&sources)
}

fn checked(decls: &[Decl]) -> Vec<&Checked> {
    decls.iter().map(|d| &d.checked).collect()
}

/// The rules file; an error when nothing declares an objective.
pub fn rules(decls: &[Decl]) -> Result<String, Unusable> {
    let c = checked(decls);
    if slo::objectives(&c).is_empty() {
        return Err(Unusable(
            "no `objectives:` declared; add one to the schema (see the `Objectives` section of the reference)".into(),
        ));
    }
    Ok(slo::rules(&c, &sources(decls)))
}

/// The `promtool test rules` file for a rules file named `rules_file`.
pub fn rule_tests(decls: &[Decl], rules_file: &str) -> String {
    slo::rule_tests(&checked(decls), rules_file, &sources(decls))
}

/// The dashboard, named `name` or after the first namespace.
pub fn dashboard(decls: &[Decl], name: Option<String>) -> Result<String, Unusable> {
    let name = name
        .or_else(|| {
            decls
                .iter()
                .find_map(|d| d.checked.schema.namespace.as_ref().map(|n| n.value.clone()))
        })
        .ok_or_else(|| {
            Unusable("no namespace to name the dashboard after; pass `--name`".into())
        })?;
    let names: Vec<String> = decls
        .iter()
        .map(|d| {
            Path::new(&d.path)
                .file_name()
                .map_or(d.path.clone(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    let list: Vec<(&str, &Checked)> = decls
        .iter()
        .zip(&names)
        .map(|(d, n)| (n.as_str(), &d.checked))
        .collect();
    Ok(dashboard::render(&list, &name))
}
