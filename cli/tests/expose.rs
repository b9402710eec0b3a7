//! `promdef expose` is the start-up exposition of an application declaring
//! the same schema: this test binary declares the quick start's schema with
//! the real macro and compares its untouched registry with the CLI's output.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

promdef::metrics!(file = "../examples/quickstart/schema/metrics.yaml");

fn expose(args: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (code, out, err) = promdef_tests::run_for_code(
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
    assert_eq!(expose(&["examples/quickstart/schema/metrics.yaml"]), app);
    // The crate directory finds the same schema through `metrics!(file = …)`.
    assert_eq!(expose(&["examples/quickstart"]), app);
}

#[test]
fn expose_closed_sets_at_zero_in_dense_order() {
    let out = expose(&["tests/fixtures/lifecycle/input.yaml"]);
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
        "examples/quickstart/schema/metrics.yaml",
        "tests/fixtures/lifecycle/input.yaml",
        "tests/fixtures/escaping/input.yaml",
    ] {
        let out = expose(&[input]);
        match promdef_tests::promtool_check(&out) {
            None => {
                promdef_tests::skip("expose_passes_promtool", "promtool is not installed");
                return;
            }
            Some(problems) => assert_eq!(problems, "", "{input}:\n{out}"),
        }
    }
}
