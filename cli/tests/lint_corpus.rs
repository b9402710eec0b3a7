//! Agreement with the reference linter, `promtool check metrics`, both ways.
//!
//! - `fixtures/lint-corpus/accept/*.yaml`: promdef accepts each with no
//!   diagnostic and no `allow`; the exposition it produces (at start-up, and
//!   with one series per open label) passes promtool with no problem.
//! - `fixtures/lint-corpus/reject/*.yaml`: each names, in header comments,
//!   what promtool reports on the exposition the schema would produce
//!   (`# promtool: <text>`) and what promdef reports at compile time
//!   (`# promdef: <lint id or error text>`); both are asserted. A sibling
//!   `<case>.prom` replaces the rendered exposition where one is needed.
//! - A generated corpus: a few thousand one-metric schemas built from words
//!   that trip every promlint rule; every problem promtool reports on one of
//!   them must be a promdef lint with the matching id.
//!
//! More corpus directories with the same layout can be added with
//! `PROMDEF_LINT_CORPUS=dir1:dir2`. Expositions are rendered from the
//! schema by `promdef expose` (the runtime's own encoder, over the families
//! the generated statics would register).

mod support;

mod common;

use common::{render, PROMTOOL_CLASSES};
use promdef_schema::{Checked, Lint};
use std::path::{Path, PathBuf};
use support::{promtool_check, skip};

fn corpus_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint-corpus")];
    if let Some(extra) = std::env::var_os("PROMDEF_LINT_CORPUS") {
        dirs.extend(std::env::split_paths(&extra));
    }
    dirs
}

fn yaml_files(sub: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in corpus_dirs() {
        let Ok(rd) = std::fs::read_dir(d.join(sub)) else {
            continue;
        };
        for e in rd {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn describe(d: &Checked) -> String {
    d.diagnostics
        .iter()
        .map(|d| format!("  {}", d.full_message().replace('\n', "\n  ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn accepted_schemas_pass_promtool() {
    let files = yaml_files("accept");
    assert!(files.len() >= 10, "accept corpus is missing: {files:?}");
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let decl = Checked::from_yaml(&text);
        if !decl.is_clean() {
            failures.push(format!(
                "{}: promdef reports\n{}",
                f.display(),
                describe(&decl)
            ));
            continue;
        }
        if decl.schema.metrics.iter().any(|m| !m.allow.is_empty()) {
            failures.push(format!(
                "{}: the accept corpus must not use `allow`",
                f.display()
            ));
            continue;
        }
        for used in [false, true] {
            let expo = render(&decl.schema, used);
            assert!(
                expo.contains("# TYPE "),
                "{}: nothing rendered",
                f.display()
            );
            let Some(problems) = promtool_check(&expo) else {
                return skip(
                    "accepted_schemas_pass_promtool",
                    "promtool not found (apt-get install prometheus)",
                );
            };
            if !problems.is_empty() {
                failures.push(format!(
                    "{} ({}): promtool reports\n{problems}\non\n{expo}",
                    f.display(),
                    if used { "used" } else { "start-up" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

struct RejectCase {
    path: PathBuf,
    promtool: Vec<String>,
    promdef: Vec<String>,
}

fn reject_cases() -> Vec<RejectCase> {
    yaml_files("reject")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let header = |key: &str| -> Vec<String> {
                text.lines()
                    .filter_map(|l| l.strip_prefix(&format!("# {key}:")))
                    .map(|v| v.trim().to_string())
                    .collect()
            };
            let case = RejectCase {
                promtool: header("promtool"),
                promdef: header("promdef"),
                path,
            };
            assert!(
                !case.promtool.is_empty() && !case.promdef.is_empty(),
                "{}: needs `# promtool: …` and `# promdef: …` header lines",
                case.path.display()
            );
            case
        })
        .collect()
}

#[test]
fn what_promtool_flags_promdef_rejects_with_the_matching_lint() {
    let cases = reject_cases();
    let mut failures = Vec::new();
    for c in &cases {
        let text = std::fs::read_to_string(&c.path).unwrap();
        let decl = Checked::from_yaml(&text);
        for want in &c.promdef {
            let found = decl.diagnostics.iter().any(|d| {
                d.lint.map(Lint::id) == Some(want.as_str())
                    || d.full_message().contains(want.as_str())
            });
            if !found {
                failures.push(format!(
                    "{}: promdef should report `{want}`, but reports\n{}",
                    c.path.display(),
                    describe(&decl)
                ));
            }
        }
        let prom = c.path.with_extension("prom");
        let expo = match std::fs::read_to_string(&prom) {
            Ok(t) => t,
            Err(_) => render(&decl.schema, true),
        };
        let Some(problems) = promtool_check(&expo) else {
            return skip(
                "what_promtool_flags_promdef_rejects_with_the_matching_lint",
                "promtool not found (apt-get install prometheus)",
            );
        };
        for want in &c.promtool {
            if !problems.contains(want.as_str()) {
                failures.push(format!(
                    "{}: promtool should report `{want}` on\n{expo}\nbut reports\n{problems}",
                    c.path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_promtool_problem_class_has_a_reject_case() {
    let cases = reject_cases();
    for (class, check) in PROMTOOL_CLASSES {
        assert!(
            cases
                .iter()
                .any(|c| c.promtool.iter().any(|p| p.contains(class))
                    && c.promdef.iter().any(|p| p == check)),
            "no reject case pairs promtool's `{class}` with promdef's `{check}`"
        );
    }
}

/// Deterministic xorshift, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const WORDS: &[&str] = &[
    "http",
    "requests",
    "jobs",
    "queue",
    "cache",
    "disk",
    "rpc",
    "latency",
    "size",
    "total",
    "count",
    "sum",
    "bucket",
    "created",
    "info",
    "counter",
    "gauge",
    "histogram",
    "summary",
    "Counter",
    "seconds",
    "milliseconds",
    "bytes",
    "kilobytes",
    "mibibytes",
    "bits",
    "megabits",
    "minutes",
    "hours",
    "days",
    "weeks",
    "meters",
    "metres",
    "kilometres",
    "inches",
    "miles",
    "grams",
    "pounds",
    "celsius",
    "fahrenheit",
    "kelvin",
    "kelvins",
    "rankine",
    "joules",
    "calories",
    "volts",
    "amperes",
    "percent",
    "ratio",
    "s",
    "ms",
    "us",
    "ns",
    "sec",
    "b",
    "kb",
    "mb",
    "gb",
    "m",
    "h",
    "d",
    "inFlight",
    "fooBar",
    "HTTP",
    "rpc:calls",
    "method",
    "route",
];
const LABELS: &[&str] = &[
    "method",
    "route",
    "le",
    "quantile",
    "statusCode",
    "job",
    "type",
    "user_id",
    "shard",
    "phase",
];

/// One-metric schema: `c<i>_` keeps every family distinct from the others in one exposition.
fn candidate(rng: &mut Rng, i: usize) -> String {
    let n = 1 + rng.next() % 4;
    let words: Vec<&str> = (0..n).map(|_| rng.pick(WORDS)).collect();
    let name = format!("c{i:05}_{}", words.join("_"));
    let kind = rng.pick(&["counter", "gauge", "histogram", "summary", "info"]);
    let help = rng.pick(&["Things measured.", "Things measured", "' '", ""]);
    let mut labels = Vec::new();
    for _ in 0..rng.next() % 3 {
        let l = rng.pick(LABELS);
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    let mut s = String::new();
    if !labels.is_empty() && kind != "info" {
        s.push_str("labels:\n");
        for l in &labels {
            if rng.chance(50) {
                s.push_str(&format!("  {l}: {{values: [a, b]}}\n"));
            } else {
                s.push_str(&format!("  {l}: {{max_values: 10}}\n"));
            }
        }
    }
    s.push_str(&format!("metrics:\n  - name: '{name}'\n    type: {kind}\n"));
    if !help.is_empty() {
        s.push_str(&format!("    help: {help}\n"));
    }
    if kind == "info" {
        let l = rng.pick(LABELS);
        s.push_str(&format!("    const_labels: {{{l}: x}}\n"));
    } else if !labels.is_empty() {
        s.push_str(&format!("    labels: [{}]\n", labels.join(", ")));
    }
    s
}

#[test]
fn generated_corpus_every_promtool_problem_is_a_promdef_lint() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut expo = String::new();
    let mut decls = std::collections::HashMap::new();
    let mut clean = 0;
    for i in 0..3000 {
        let yaml = candidate(&mut rng, i);
        let decl = Checked::from_yaml(&yaml);
        // Only schemas whose sole findings are lints produce an exposition
        // (with `allow`); errors stop the build and are covered above.
        if decl.diagnostics.iter().any(|d| d.lint.is_none()) {
            continue;
        }
        clean += usize::from(decl.is_clean());
        expo.push_str(&render(&decl.schema, true));
        decls.insert(decl.schema.metrics[0].name.value.clone(), (yaml, decl));
    }
    assert!(
        clean >= 20 && decls.len() >= 1000,
        "generator too narrow: {clean} clean of {}",
        decls.len()
    );
    let Some(problems) = promtool_check(&expo) else {
        return skip(
            "generated_corpus_every_promtool_problem_is_a_promdef_lint",
            "promtool not found (apt-get install prometheus)",
        );
    };
    assert!(
        !problems.contains("error while linting"),
        "generated exposition does not parse:\n{problems}"
    );
    let mut seen = std::collections::HashSet::new();
    let mut failures = Vec::new();
    for line in problems.lines() {
        let (metric, problem) = line.split_once(' ').unwrap();
        let Some((yaml, decl)) = decls.get(metric) else {
            failures.push(format!("unknown metric in promtool output: {line}"));
            continue;
        };
        let Some((class, id)) = PROMTOOL_CLASSES.iter().find(|(c, _)| problem.contains(c)) else {
            failures.push(format!(
                "promtool problem class promdef does not know: {line}"
            ));
            continue;
        };
        seen.insert(*class);
        if !decl
            .diagnostics
            .iter()
            .any(|d| d.lint.map(Lint::id) == Some(*id))
        {
            failures.push(format!(
                "promtool: {line}\npromdef should report `{id}` for\n{yaml}but reports\n{}",
                describe(decl)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!(
        "generated corpus: {} schemas rendered ({clean} clean), {} promtool problems, all matched by promdef lints",
        decls.len(),
        problems.lines().count()
    );
    // The generator must exercise every lint class promtool has.
    for (class, _) in &PROMTOOL_CLASSES[..PROMTOOL_CLASSES.len() - 1] {
        assert!(seen.contains(class), "generator never triggered `{class}`");
    }
}
