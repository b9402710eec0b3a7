//! The ecosystem corpus: the metric families of 13 flagship exporters and
//! client libraries (`fixtures/ecosystem/<source>.yaml`, names, types, label
//! names and buckets byte for byte from each source named in its header),
//! checked by promdef and by `promtool check metrics` on the exposition the
//! same schema produces.
//!
//! What is asserted:
//! - **Every finding is the expected one** (`fixtures/ecosystem/expected.tsv`,
//!   `source<TAB>family<TAB>lint id or error`; regenerate with
//!   `PROMDEF_BLESS=1 cargo test -p promdef-cli --test ecosystem` and review).
//! - **No miss**: every problem promtool reports is a promdef lint with the
//!   matching id on that family.
//! - **No false positive**: a family promtool accepts is flagged only by a lint
//!   that enforces a guide sentence beyond promlint (`GUIDE_ONLY`), or by
//!   the OpenMetrics family clash; a lint that mirrors a promlint rule never
//!   fires where promtool is silent.
//!
//! The counts are printed (`--nocapture`) and reported in the README.

mod support;

mod common;

use common::{render, PROMTOOL_CLASSES};
use promdef_schema::{Checked, Lint};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::{promtool_check, skip};

/// Lints whose rule goes beyond promlint, each citing the guide sentence
/// that discourages what it flags (see `Lint::citation`). `non-base-unit`
/// is here for `percent` (naming guide: ratios, 0–1) and for later unit
/// words promlint stops before.
const GUIDE_ONLY: &[Lint] = &[
    Lint::CreatedSuffix,
    Lint::GenericLabel,
    Lint::TargetLabel,
    Lint::ConstTargetLabel,
    Lint::LabelInName,
    Lint::NonBaseUnit,
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ecosystem")
}

/// `(source, checked)` for every corpus file, sorted by source.
fn corpus() -> Vec<(String, String, Checked)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let source = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(
                text.starts_with("# Source: "),
                "{source}: the header must name the source"
            );
            let checked = Checked::from_yaml(&text);
            (source, text, checked)
        })
        .collect()
}

/// What promdef reports per family: lint ids and error messages.
fn findings(c: &Checked) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in &c.diagnostics {
        let family = d
            .metric
            .map(|i| c.schema.metrics[i].name.value.clone())
            .unwrap_or_else(|| "(schema)".to_string());
        let what = match d.lint {
            Some(l) => l.id().to_string(),
            None => format!("error: {}", d.message),
        };
        out.entry(family).or_default().insert(what);
    }
    out
}

#[test]
fn findings_are_the_expected_ones() {
    let mut rows = String::new();
    let mut families = 0;
    for (source, _, c) in corpus() {
        families += c.schema.metrics.len();
        assert!(
            c.schema.metrics.len() >= 10,
            "{source}: {} families",
            c.schema.metrics.len()
        );
        for (family, what) in findings(&c) {
            for w in what {
                rows.push_str(&format!("{source}\t{family}\t{w}\n"));
            }
        }
    }
    assert!(families >= 3000, "{families} families");
    support::golden(&dir().join("expected.tsv"), &rows);
}

#[test]
fn no_misses_and_no_false_positives_against_promtool() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let (mut total, mut accepted, mut flagged_accepted) = (0, 0, 0);
    let mut by_lint: BTreeMap<String, usize> = BTreeMap::new();
    for (source, _, c) in corpus() {
        let expo = render(&c.schema, true);
        let Some(problems) = promtool_check(&expo) else {
            return skip(
                "no_misses_and_no_false_positives_against_promtool",
                "promtool not found (apt-get install prometheus)",
            );
        };
        assert!(
            !problems.contains("error while linting"),
            "{source}: the exposition does not parse:\n{problems}"
        );
        let mut rejected: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for line in problems.lines() {
            let (family, problem) = line.split_once(' ').unwrap();
            match PROMTOOL_CLASSES.iter().find(|(c, _)| problem.contains(c)) {
                Some((_, id)) => {
                    rejected.entry(family).or_default().insert(id);
                }
                None => failures.push(format!("{source}: unknown promtool problem: {line}")),
            }
        }
        let found = findings(&c);
        let none = BTreeSet::new();
        for m in &c.schema.metrics {
            total += 1;
            let name = m.name.value.as_str();
            let ours = found.get(name).unwrap_or(&none);
            let theirs = rejected.get(name);
            // No miss: what promtool reports, promdef reports with the same id.
            for id in theirs.into_iter().flatten() {
                if !ours.contains(*id) {
                    failures.push(format!(
                        "{source}: promtool flags `{name}` ({id}); promdef reports {ours:?}"
                    ));
                }
            }
            if theirs.is_some() {
                continue;
            }
            accepted += 1;
            if ours.is_empty() {
                continue;
            }
            flagged_accepted += 1;
            // No false positive: only guide-only lints (and the OpenMetrics
            // family clash) flag what promtool accepts.
            for w in ours {
                let ok = GUIDE_ONLY.iter().any(|l| l.id() == w)
                    || w.contains("would expose the OpenMetrics family");
                if !ok {
                    failures.push(format!(
                        "{source}: `{name}` passes promtool, but promdef reports `{w}`"
                    ));
                }
                *by_lint
                    .entry(w.split(':').next().unwrap().to_string())
                    .or_default() += 1;
            }
        }
        report.push(format!("{source}: {} families", c.schema.metrics.len()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "ecosystem corpus: {total} families, {accepted} accepted by promtool, of which promdef flags {flagged_accepted} (guide-only: {by_lint:?}); 0 misses\n{}",
        report.join("\n")
    );
}
