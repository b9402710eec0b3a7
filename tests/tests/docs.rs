//! Generated Markdown (goldens `fixtures/<case>/expected.md`) and the
//! committed JSON Schema. Regenerate both with
//! `PROMDEF_BLESS=1 cargo test -p promdef-tests --test docs` and review the diff.

use promdef_schema::{json_schema, markdown, Checked};
use std::path::Path;

fn fixtures() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.yaml").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

fn render(case: &str) -> String {
    let shown = format!("fixtures/{case}/input.yaml");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&shown)).unwrap();
    let decl = Checked::from_yaml(&text);
    assert!(decl.is_clean(), "{case}: {:?}", decl.diagnostics);
    markdown::render(&[markdown::Source {
        path: &shown,
        checked: &decl,
    }])
}

#[test]
fn markdown_goldens() {
    let cases = fixtures();
    assert!(cases.len() >= 4, "fixtures not found: {cases:?}");
    for case in cases {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(&case)
            .join("expected.md");
        promdef_tests::golden(&path, &render(&case));
    }
}

#[test]
fn markdown_is_deterministic() {
    for case in fixtures() {
        assert_eq!(render(&case), render(&case), "{case}");
    }
}

#[test]
fn markdown_documents_every_metric_with_its_query() {
    let md = render("lifecycle");
    let decl = Checked::from_yaml(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lifecycle/input.yaml"),
        )
        .unwrap(),
    );
    for m in &decl.schema.metrics {
        let name = &m.name.value;
        assert!(
            md.contains(&format!("## `{name}`")),
            "no section for {name}"
        );
        assert!(
            md.contains(&format!("| [`{name}`](#{name}) |")),
            "no row for {name}"
        );
    }
    // Queries fit the type.
    assert!(md.contains("sum by (plan, currency) (rate(billing_invoices_total[5m]))"));
    assert!(md.contains(
        "histogram_quantile(0.95, sum by (le, plan) (rate(billing_payment_duration_seconds_bucket[5m])))"
    ));
    assert!(md.contains("rate(billing_refund_size_bytes_sum[5m])"));
    // Deprecation names the replacement and links it.
    assert!(md.contains(
        "**Deprecated** since 2.3: use [`billing_invoices_total`](#billing_invoices_total) instead."
    ));
    // A `|` in a description cannot break the table.
    assert!(md.contains("(`free` \\| `pro` \\| `enterprise`)"));
}

#[test]
fn json_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(json_schema::COMMITTED_PATH);
    promdef_tests::golden(&path, &json_schema::generate());
}

#[test]
fn json_schema_lists_what_the_parser_accepts() {
    let v: serde_json::Value = serde_json::from_str(&json_schema::generate()).unwrap();
    // serde_json's map is sorted: compare as sorted sets.
    let keys = |o: &serde_json::Value| {
        let mut k: Vec<String> = o["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let sorted = |k: &[&str]| {
        let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v), sorted(promdef_schema::ast::SCHEMA_KEYS));
    let metric = &v["properties"]["metrics"]["items"];
    assert_eq!(keys(metric), sorted(promdef_schema::ast::METRIC_KEYS));
    assert_eq!(metric["additionalProperties"], false);
    let types: Vec<&str> = metric["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "counter",
            "gauge",
            "histogram",
            "summary",
            "info",
            "stateset"
        ]
    );
    let lints = metric["properties"]["allow"]["items"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(lints.len(), promdef_schema::Lint::ALL.len());
    assert_eq!(
        metric["properties"]["stability"]["enum"],
        serde_json::json!(["internal", "alpha", "beta", "stable"])
    );
}

/// The committed JSON Schema accepts every valid schema of the repository and
/// rejects a typo'd key and type, as an editor would (Python's `jsonschema`
/// stands in for yaml-language-server).
#[test]
fn json_schema_validates_like_an_editor() {
    let Some(py) = promdef_tests::python_with(&["jsonschema", "yaml"]) else {
        promdef_tests::skip(
            "json_schema_validates_like_an_editor",
            "python3 with `jsonschema` and `yaml` is not installed",
        );
        return;
    };
    const SCRIPT: &str = r#"
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
for f in sys.argv[2:]:
    errors = [e.message for e in v.iter_errors(yaml.safe_load(open(f)))]
    print(f, "OK" if not errors else " | ".join(sorted(errors)))
"#;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec!["examples/quickstart/schema/metrics.yaml".to_string()];
    files.extend(
        fixtures()
            .iter()
            .map(|c| format!("tests/fixtures/{c}/input.yaml")),
    );
    files.push("tests/ui/yaml-syntax/errors.yaml".to_string());
    let (ok, out, err) = promdef_tests::run_with_input(
        std::process::Command::new(py)
            .arg("-")
            .arg(json_schema::COMMITTED_PATH)
            .args(&files)
            .current_dir(&root),
        SCRIPT,
        std::time::Duration::from_secs(60),
    )
    .expect("python starts");
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), files.len(), "{out}");
    for (file, line) in files.iter().zip(&lines) {
        if file.ends_with("errors.yaml") {
            assert!(line.contains("'countr' is not one of ['counter'"), "{line}");
            assert!(line.contains("('lables' was unexpected)"), "{line}");
        } else {
            assert_eq!(*line, format!("{file} OK"));
        }
    }
}

/// The README's lint table is generated from `Lint::ALL` (ids, when each
/// fires, the fix, the guide sentence it cites), so it cannot drift.
#[test]
fn readme_lint_table_is_generated() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let open = readme
        .find("<!-- lints:")
        .and_then(|i| readme[i..].find("-->\n").map(|j| i + j + 4))
        .expect("README has a `<!-- lints: … -->` marker");
    let close = readme[open..]
        .find("<!-- /lints -->")
        .map(|j| open + j)
        .expect("README has a `<!-- /lints -->` marker");
    let table = promdef_schema::Lint::markdown_table();
    let fresh = format!("{}{table}{}", &readme[..open], &readme[close..]);
    promdef_tests::golden(&path, &fresh);
    for l in promdef_schema::Lint::ALL {
        assert!(readme.contains(&format!("| `{}` |", l.id())), "{}", l.id());
    }
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap()
}

/// The docs.rs reference (`promdef::reference`) is the README's reference
/// part, byte for byte: the two cannot drift.
#[test]
fn docs_rs_reference_is_the_readme_part() {
    let text = readme();
    let start = text.find("<!-- reference:").expect("reference marker");
    let start = start + text[start..].find("-->\n").unwrap() + 4;
    let end = text.find("<!-- /reference -->").expect("end marker");
    let part = format!(
        "<!-- Generated from the README by `PROMDEF_BLESS=1 cargo test -p promdef-tests --test docs`; edit the README. -->\n\n{}",
        &text[start..end]
    );
    promdef_tests::golden(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../metrics-runtime/docs/reference.md"),
        &part,
    );
}

/// Every feature of `promdef` is in the README's feature table, and only those.
#[test]
fn feature_table_lists_every_feature() {
    let toml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../metrics-runtime/Cargo.toml"),
    )
    .unwrap();
    let section = toml.split("[features]").nth(1).unwrap();
    let section = section.split("\n[").next().unwrap();
    let features: Vec<&str> = section
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| l.split('=').next().unwrap().trim())
        .filter(|f| *f != "default")
        .collect();
    assert!(features.len() >= 9, "{features:?}");
    let text = readme();
    let table = text
        .split("<!-- features:")
        .nth(1)
        .unwrap()
        .split("<!-- /reference")
        .next()
        .unwrap();
    let listed: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .map(|l| l.split('`').next().unwrap())
        .collect();
    let mut a = features.clone();
    a.sort();
    let mut b = listed.clone();
    b.sort();
    assert_eq!(a, b, "README feature table vs metrics-runtime/Cargo.toml");
}

/// The examples' committed references are what `promdef docs` writes
/// (`.ci/run` runs the command with `--check` too).
#[test]
fn committed_example_docs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let examples: &[(&str, &str)] = &[(
        "examples/quickstart/schema/metrics.yaml",
        "examples/quickstart/METRICS.md",
    )];
    for &(input, out) in examples {
        let mut decls = promdef_cli::input::usable(&[root.join(input)]).unwrap();
        // As shown when run from the workspace root, as CI does.
        decls[0].path = input.to_string();
        promdef_tests::golden(&root.join(out), &promdef_cli::ops::docs(&decls));
    }
}
