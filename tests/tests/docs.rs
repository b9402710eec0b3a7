//! Generated Markdown (goldens `fixtures/<case>/expected.md`) and the
//! committed JSON Schema. Regenerate both with
//! `PROMDEF_BLESS=1 cargo test -p promdef-tests --test docs` and review the diff.

use promdef_schema::{json_schema, markdown, Declaration};
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
    let decl = Declaration::from_yaml(&text);
    assert!(decl.is_clean(), "{case}: {:?}", decl.diagnostics);
    markdown::render(&[markdown::Source {
        path: &shown,
        schema: &decl.schema,
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
    let decl = Declaration::from_yaml(
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
    assert_eq!(types, ["counter", "gauge", "histogram", "summary", "info"]);
    let lints = metric["properties"]["allow"]["items"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(lints.len(), promdef_schema::check::LINTS.len());
    assert_eq!(
        metric["properties"]["stability"]["enum"],
        serde_json::json!(["internal", "alpha", "beta", "stable"])
    );
}
