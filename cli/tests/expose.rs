//! `promdef expose` is the start-up exposition of an application declaring
//! the same schema: this test binary declares the quick start's schema with
//! the real macro and compares its untouched registry with the CLI's output.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

promdef::metrics!(file = "tests/fixtures/quickstart.yaml");

fn root_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn expose(args: &[&str]) -> String {
    // Only files of this package: the tests run from the published package too.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = support::run_for_code(
        Command::new(env!("CARGO_BIN_EXE_promdef"))
            .arg("expose")
            .args(args)
            .current_dir(root),
        "",
        Duration::from_secs(60),
    )
    .expect("the promdef binary starts");
    assert_eq!(code, Some(0), "{err}");
    out
}

#[test]
fn expose_equals_the_runtime_registry_at_start_up() {
    let app = promdef::registry().render_text();
    // Sanity: the closed-set series exist at 0, the open-label ones do not.
    assert!(app.contains("shop_http_requests_in_progress 0\n"));
    assert!(app.contains("shop_build_info{version=\"1.4.2\"} 1\n"));
    assert_eq!(expose(&["tests/fixtures/quickstart.yaml"]), app);
    // A crate directory finds the same schema through `metrics!(file = …)`.
    let dir = std::env::temp_dir().join(format!("promdef-expose-crate-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("schema")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"qs\"\n").unwrap();
    std::fs::copy(
        root_dir().join("tests/fixtures/quickstart.yaml"),
        dir.join("schema/metrics.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        "promdef::metrics!(file = \"schema/metrics.yaml\");\n",
    )
    .unwrap();
    let from_crate = expose(&[dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(from_crate, app);
}

#[test]
fn expose_closed_sets_at_zero_in_dense_order() {
    let out = expose(&["tests/fixtures/lifecycle.yaml"]);
    let series: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("billing_invoices_total"))
        .collect();
    assert_eq!(
        series,
        [
            r#"billing_invoices_total{plan="free",currency="EUR"} 0"#,
            r#"billing_invoices_total{plan="free",currency="USD"} 0"#,
            r#"billing_invoices_total{plan="pro",currency="EUR"} 0"#,
            r#"billing_invoices_total{plan="pro",currency="USD"} 0"#,
            r#"billing_invoices_total{plan="enterprise",currency="EUR"} 0"#,
            r#"billing_invoices_total{plan="enterprise",currency="USD"} 0"#,
        ]
    );
    assert!(out.contains(
        "# HELP billing_invoices_issued_total Invoices issued, by plan only. (deprecated since 2.3; use billing_invoices_total)\n"
    ));
    assert!(out.contains("billing_payment_duration_seconds_bucket{plan=\"pro\",le=\"+Inf\"} 0\n"));
    // Open label: HELP and TYPE only, as the runtime's `Map` before first use.
    assert!(out.contains("# TYPE billing_refund_size_bytes summary\n"));
    assert!(!out.contains("billing_refund_size_bytes_sum"), "{out}");
}

#[test]
fn expose_passes_promtool() {
    for input in [
        "tests/fixtures/quickstart.yaml",
        "tests/fixtures/lifecycle.yaml",
        "tests/fixtures/escaping.yaml",
    ] {
        let out = expose(&[input]);
        match support::promtool_check(&out) {
            None => {
                support::skip("expose_passes_promtool", "promtool is not installed");
                return;
            }
            Some(problems) => assert_eq!(problems, "", "{input}:\n{out}"),
        }
    }
}
