//! The `promdef` binary end to end: exit codes, output, inputs.
//! Every input is inside this package (`tests/fixtures/`, or written to a
//! scratch directory), so the tests run from the published package too.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// This package's directory: the tests read only files inside it
/// (`tests/fixtures/`), so they also run from the published package.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Runs `promdef args…` in `dir`: (exit code, stdout, stderr).
fn promdef_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let (code, out, err) = support::run_for_code(
        Command::new(env!("CARGO_BIN_EXE_promdef"))
            .args(args)
            .current_dir(dir),
        "",
        Duration::from_secs(60),
    )
    .expect("the promdef binary starts");
    (code.expect("promdef exits, not killed"), out, err)
}

fn promdef(args: &[&str]) -> (i32, String, String) {
    promdef_in(&root(), args)
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "promdef-cli-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, rel: &str, text: &str) -> String {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const QUICKSTART: &str = "tests/fixtures/quickstart.yaml";

/// A crate directory declaring the quick start's schema with `metrics!(file = …)`.
fn quickstart_crate(s: &Scratch) -> String {
    s.write("qs/Cargo.toml", "[package]\nname = \"quickstart\"\n");
    s.write(
        "qs/schema/metrics.yaml",
        &std::fs::read_to_string(root().join(QUICKSTART)).unwrap(),
    );
    s.write(
        "qs/src/main.rs",
        "promdef::metrics!(file = \"schema/metrics.yaml\");\nfn main() {}\n",
    );
    s.0.join("qs").display().to_string()
}

#[test]
fn check_clean_schema_exits_0() {
    let (code, out, err) = promdef(&["check", QUICKSTART]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "ok: 4 metrics in 1 declaration, no findings\n");
    let s = Scratch::new();
    let (code, out, _) = promdef(&["check", &quickstart_crate(&s)]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "ok: 4 metrics in 1 declaration, no findings\n");
}

#[test]
fn check_reports_every_finding_with_its_location_and_exits_1() {
    let (code, out, err) = promdef(&["check", "tests/fixtures/errors.yaml"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains(
        "error: unknown metric type `countr`; did you mean `counter`?\n --> tests/fixtures/errors.yaml:3:11\n  |\n3 |     type: countr\n  |           ^\n"
    ), "{out}");
    assert!(out.contains("unknown key `lables` in a metric; did you mean `labels`?\n --> tests/fixtures/errors.yaml:8:5"), "{out}");
    assert!(out.contains("duplicate key `help`"), "{out}");
    assert!(
        out.ends_with("3 findings in 1 metric in 1 declaration\n"),
        "{out}"
    );
}

#[test]
fn check_json_for_tools() {
    let (code, out, _) = promdef(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/cardinality_mixed.yaml",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!(f["file"], "tests/fixtures/cardinality_mixed.yaml");
        assert!(f["line"].as_u64().unwrap() >= 1, "{f}");
        assert!(f["column"].as_u64().unwrap() >= 1, "{f}");
        assert!(!f["message"].as_str().unwrap().is_empty());
    }
    assert!(findings.iter().any(|f| f["lint"].is_string()), "{out}");

    let (code, out, _) = promdef(&["check", "--format", "json", QUICKSTART]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["metrics"], 4);
}

#[test]
fn accepted_findings_stay_visible_to_tools() {
    let s = Scratch::new();
    let f = s.write(
        "port.yaml",
        "allow: [help-missing]\nmetrics:\n  - {name: jobs_total, type: counter}\n  - {name: queue_length, type: gauge, allow: [help-missing]}\n",
    );
    let (code, out, _) = promdef(&["check", "--format", "json", &f]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]));
    let sup = v["suppressed"].as_array().unwrap();
    assert_eq!(sup.len(), 2, "{out}");
    // The metric's own `allow` (line 4) wins over the top-level one (line 1).
    assert_eq!(sup[0]["lint"], "help-missing");
    assert_eq!(sup[0]["allowed_at"]["line"], 1);
    assert_eq!(sup[1]["allowed_at"]["line"], 4);
}

#[test]
fn huge_one_line_schemas_print_a_bounded_report_quickly() {
    // 5,000 lint findings on one 200 KB line: at most 100 are shown, each
    // with a window of the line, not the whole line (which was 1.86 GB of
    // output for a 155 KB schema).
    let s = Scratch::new();
    let metrics: Vec<String> = (0..5000)
        .map(|i| format!("{{name: c{i:05}_jobs, type: counter, help: Jobs.}}"))
        .collect();
    let f = s.write("flat.yaml", &format!("metrics: [{}]\n", metrics.join(", ")));
    assert!(std::fs::metadata(&f).unwrap().len() > 150_000);
    let started = std::time::Instant::now();
    let (code, out, _) = promdef(&["check", &f]);
    assert_eq!(code, 1);
    assert!(out.len() < 100_000, "{} bytes of output", out.len());
    assert_eq!(out.matches("should end with `_total`").count(), 100);
    assert!(
        out.contains("note: 4900 more findings in"),
        "{}",
        &out[out.len() - 300..]
    );
    assert!(out.ends_with("5000 findings in 5000 metrics in 1 declaration\n"));
    let longest = out.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest < 200, "a {longest}-character line");
    // Generous: this took seconds and gigabytes before; now milliseconds.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn invalid_utf8_is_located() {
    let s = Scratch::new();
    let p = s.0.join("bad.yaml");
    std::fs::write(
        &p,
        b"metrics:\n  - {name: a\xff_total, type: counter, help: A.}\n",
    )
    .unwrap();
    let (code, out, _) = promdef(&["check", p.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("is not valid UTF-8 (byte 0xff at byte offset 21)"),
        "{out}"
    );
    assert!(out.contains("bad.yaml:2:13"), "{out}");
    // The line is shown with the bad byte replaced, and the caret under it.
    assert!(out.contains("2 |   - {name: a\u{fffd}_total"), "{out}");
    assert!(out.contains("  |             ^"), "{out}");
}

#[test]
fn unusable_input_exits_2_with_a_one_line_reason() {
    let s = Scratch::new();
    let bad_rust = s.write("bad.rs", "fn main( {");
    let text = s.write("notes.txt", "x");
    let empty_dir = s.0.join("empty");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let no_metrics = s.write("plain.rs", "fn main() {}\n");
    let broken_yaml = s.write("broken.yaml", "metrics: [\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["check", "does/not/exist.yaml"],
            "cannot read `does/not/exist.yaml`",
        ),
        (vec!["check", &bad_rust], "is not valid Rust"),
        (
            vec!["check", &text],
            "is not a `.yaml`, `.yml` or `.rs` file",
        ),
        (
            vec!["check", empty_dir.to_str().unwrap()],
            "holds no crate and no `.rs` file",
        ),
        (
            vec!["docs", &no_metrics],
            "no schema or `metrics!` invocation found",
        ),
        (vec!["expose", &broken_yaml], "run `promdef check"),
        (vec!["diff", QUICKSTART, &broken_yaml], "errors in"),
    ];
    for (args, reason) in cases {
        let (code, out, err) = promdef(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(reason),
            "{args:?}: {err}"
        );
    }
    // A YAML syntax error is a finding of `check`, located, not unusable input.
    let (code, out, _) = promdef(&["check", &broken_yaml]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("broken.yaml:"), "{out}");
}

/// A crate whose metrics are declared inline in two modules and from YAML.
fn scratch_crate(s: &Scratch) {
    s.write("app/Cargo.toml", "[package]\nname = \"app\"\n");
    s.write(
        "app/schema/jobs.yaml",
        "metrics:\n  - name: app_jobs_total\n    type: counter\n    help: Jobs run.\n",
    );
    s.write(
        "app/src/lib.rs",
        r#"mod web;
promdef::metrics!(file = "schema/jobs.yaml");
"#,
    );
    s.write(
        "app/src/web/mod.rs",
        r#"fn handler() {}

mod inner {
    promdef::metrics! {
        /// Requests served.
        pub counter app_requests_total;
        /// Queue depth.
        pub gauge app_queue_depth_total;
    }
}

use promdef::metrics;
metrics! {
    /// Jobs again, by mistake.
    pub counter app_jobs_total;
}
"#,
    );
}

#[test]
fn rust_sources_and_crate_directories_use_the_macro_front_end() {
    let s = Scratch::new();
    scratch_crate(&s);
    // `src/` alone finds the same declarations as the crate directory.
    let (_, from_src, _) = promdef_in(&s.0, &["check", "app/src"]);
    let (code, out, err) = promdef_in(&s.0, &["check", "app"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(from_src, out);
    // A lint inside an inline invocation points into the .rs file.
    assert!(out.contains(
        "error: only counters end with `_total`; rename `app_queue_depth_total` or make it a counter [total-suffix-non-counter]\n --> app/src/web/mod.rs:8:19\n  |\n8 |         pub gauge app_queue_depth_total;\n  |                   ^\n  = help: to accept this, add `allow: [total-suffix-non-counter]` to the metric (or to the schema's top level)\n"
    ), "{out}");
    // The same name from YAML (through `file = …`) and inline: both sites named.
    assert!(out.contains(
        "error: metric `app_jobs_total` is already declared at app/schema/jobs.yaml:2 for the same registry; remove or rename one\n  --> app/src/web/mod.rs:15:17\n"
    ), "{out}");
    assert!(
        out.ends_with("2 findings in 4 metrics in 3 declarations\n"),
        "{out}"
    );

    // Docs from Rust sources say where each metric is declared.
    std::fs::write(
        s.0.join("app/src/web/mod.rs"),
        "promdef::metrics! {\n    /// Requests served.\n    pub counter app_requests_total;\n}\n",
    )
    .unwrap();
    let (code, out, err) = promdef_in(&s.0, &["docs", "app"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("| Declared in | `app/src/web/mod.rs:3` |"),
        "{out}"
    );
    assert!(
        out.contains("| Declared in | `app/schema/jobs.yaml:2` |"),
        "{out}"
    );
}

#[test]
fn duplicates_across_yaml_files_name_both_sites() {
    let s = Scratch::new();
    let m = "metrics:\n  - name: jobs_total\n    type: counter\n    help: Jobs.\n";
    let a = s.write("a.yaml", m);
    let b = s.write("b.yaml", &format!("# second\n{m}"));
    let (code, out, _) = promdef(&["check", &a, &b]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("metric `jobs_total` is already declared at {a}:2")),
        "{out}"
    );
    assert!(out.contains(&format!("--> {b}:3:11")), "{out}");
    // Different registries may reuse a name.
    let c = s.write("c.yaml", &format!("registry: crate::OTHER\n{m}"));
    let (code, out, _) = promdef(&["check", &a, &c]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn docs_check_reports_stale_output_with_a_diff() {
    let s = Scratch::new();
    let out_md = s.0.join("METRICS.md");
    let out_s = out_md.to_str().unwrap();
    let (code, _, err) = promdef(&["docs", QUICKSTART, "-o", out_s, "--check"]);
    assert_eq!(code, 1);
    assert!(err.contains("does not exist"), "{err}");
    let (code, out, err) = promdef(&["docs", QUICKSTART, "-o", out_s]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let written = std::fs::read_to_string(&out_md).unwrap();
    let (_, stdout, _) = promdef(&["docs", QUICKSTART]);
    assert_eq!(written, stdout);
    let (code, out, _) = promdef(&["docs", QUICKSTART, "-o", out_s, "--check"]);
    assert_eq!((code, out.as_str()), (0, ""));

    let stale = written.replace("Total HTTP requests handled.", "Old help.");
    std::fs::write(&out_md, &stale).unwrap();
    let (code, out, err) = promdef(&["docs", QUICKSTART, "-o", out_s, "--check"]);
    assert_eq!(code, 1);
    assert!(err.contains("is stale"), "{err}");
    assert!(out.contains("-| [`shop_http_requests_total`](#shop_http_requests_total) | counter |  | `method`, `status_class`, `route` | alpha | Old help. |\n+| [`shop_http_requests_total`]"), "{out}");
    assert!(
        out.contains("\n-Old help.\n+Total HTTP requests handled.\n"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(&out_md).unwrap(),
        stale,
        "--check never writes"
    );
    // `--check` needs `-o`: a usage error (clap's status 2).
    assert_eq!(promdef(&["docs", QUICKSTART, "--check"]).0, 2);
}

#[test]
fn diff_lists_each_breaking_change_by_stability() {
    let s = Scratch::new();
    let old = s.write(
        "old.yaml",
        r#"labels:
  method: {help: Method., values: [GET, POST]}
metrics:
  - {name: a_total, type: counter, help: A., labels: [method], stability: stable}
  - {name: b_seconds, type: histogram, unit: seconds, help: B., labels: [method], buckets: [1, 2], stability: stable}
  - {name: c_total, type: counter, help: C., labels: [method], stability: beta}
  - {name: d_total, type: counter, help: D., stability: alpha}
"#,
    );
    let new = s.write(
        "new.yaml",
        r#"labels:
  method: {help: Method., values: [GET, POST]}
metrics:
  - {name: b_seconds, type: histogram, unit: seconds, help: B., labels: [method], buckets: [1, 5], stability: stable}
  - {name: c_total, type: counter, help: C., stability: beta}
  - {name: e_total, type: counter, help: E., labels: [method]}
"#,
    );
    let (code, out, err) = promdef(&["diff", &old, &new]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "breaking: stable metric `a_total`: removed or renamed without being deprecated first; restore it, or mark it `deprecated` in a release before removing it\n\
         breaking: stable metric `b_seconds`: buckets changed from [1, 2] to [1, 5]\n\
         breaking: beta metric `c_total`: labels removed: `method`\n\
         3 breaking changes\n"
    );
    let (code, out, _) = promdef(&["diff", &old, &old]);
    assert_eq!(code, 0);
    assert_eq!(out, "ok: no breaking change in 4 metrics\n");
}

#[test]
fn expose_with_a_placeholder_shows_open_label_metrics_too() {
    let (code, start, _) = promdef(&["expose", QUICKSTART]);
    assert_eq!(code, 0);
    assert!(
        !start.contains("shop_http_requests_total{"),
        "open-label series exist only once used:\n{start}"
    );
    let (code, used, err) = promdef(&["expose", "--open-label-value", "/x", QUICKSTART]);
    assert_eq!(code, 0, "{err}");
    // Every closed-set combination, with the placeholder for the open label.
    assert_eq!(
        used.matches("shop_http_requests_total{").count(),
        6 * 5,
        "{used}"
    );
    assert!(
        used.contains(
            "shop_http_requests_total{method=\"GET\",status_class=\"2xx\",route=\"/x\"} 0\n"
        ),
        "{used}"
    );
    assert!(used.contains("shop_http_request_duration_seconds_bucket{method=\"other\",route=\"/x\",le=\"+Inf\"} 0\n"), "{used}");
    match support::promtool_check(&used) {
        Some(problems) => assert_eq!(problems, "", "{used}"),
        None => support::skip(
            "expose_with_a_placeholder_shows_open_label_metrics_too",
            "promtool not found (apt-get install prometheus)",
        ),
    }
}

const WITH_OBJECTIVE: &str = "namespace: app
labels:
  code: {values: [ok, error]}
metrics:
  - {name: app_jobs_total, type: counter, help: Jobs., labels: [code]}
objectives:
  - {name: jobs, target: 99.9, window: 28d, availability: {metric: app_jobs_total, bad: {code: error}}}
";

#[test]
fn rules_and_dashboard_write_check_and_refuse_what_they_cannot_generate() {
    let s = Scratch::new();
    let schema = s.write("m.yaml", WITH_OBJECTIVE);
    let rules = s.0.join("rules.yml").display().to_string();
    let tests = s.0.join("rules.test.yml").display().to_string();
    let (code, _, err) = promdef(&["rules", &schema, "-o", &rules, "--tests", &tests]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&rules).unwrap();
    assert!(text.contains("alert: JobsErrorBudgetBurn"), "{text}");
    assert!(std::fs::read_to_string(&tests)
        .unwrap()
        .contains("rule_files:\n  - \"rules.yml\""));
    // Current: `--check` is clean; stale: exit 1 with a one-line reason.
    let (code, _, _) = promdef(&["rules", &schema, "-o", &rules, "--tests", &tests, "--check"]);
    assert_eq!(code, 0);
    std::fs::write(&rules, "stale\n").unwrap();
    let (code, _, err) = promdef(&["rules", &schema, "-o", &rules, "--check"]);
    assert_eq!(code, 1);
    assert!(err.contains("is stale"), "{err}");
    // The tests name the rules file by name, so they must sit beside it.
    let other = Scratch::new();
    let elsewhere = other.0.join("rules.test.yml").display().to_string();
    let (code, _, err) = promdef(&["rules", &schema, "-o", &rules, "--tests", &elsewhere]);
    assert_eq!(code, 2);
    assert!(err.contains("next to `--output`"), "{err}");

    let none = s.write(
        "none.yaml",
        "metrics:\n  - {name: a_total, type: counter, help: A.}\n",
    );
    let (code, _, err) = promdef(&["rules", &none]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    assert!(err.contains("no `objectives:` declared"), "{err}");
    let (code, _, err) = promdef(&["dashboard", &none]);
    assert_eq!(code, 2);
    assert!(err.contains("pass `--name`"), "{err}");
    let (code, out, _) = promdef(&["dashboard", &none, "--name", "a"]);
    assert_eq!(code, 0);
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["uid"], "promdef-a");
    let bad = s.write("bad.yaml", &WITH_OBJECTIVE.replace("99.9", "100"));
    let (code, _, err) = promdef(&["rules", &bad]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn scrape_config_fails_closed_and_never_writes_secrets() {
    let s = Scratch::new();
    let env = s.write("svc.env", "APP_BEARER_TOKEN=hunter2\nAPP_METRICS_PATH=/m\n");
    let args = [
        "scrape-config",
        "--job",
        "svc",
        "--target",
        "127.0.0.1:9",
        "--env-prefix",
        "APP_",
        "--env-file",
        &env,
    ];
    let (code, out, err) = promdef(&args);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("pass `--credentials-file`"), "{err}");
    assert!(!err.contains("hunter2"));
    let mut with = args.to_vec();
    with.extend(["--credentials-file", "/etc/prometheus/svc.token"]);
    let (code, out, err) = promdef(&with);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("metrics_path: \"/m\"")
            && out.contains("credentials_file: \"/etc/prometheus/svc.token\""),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "{out}");
    // `scrape-config` for the settings in `env` (an env file), with a credentials file.
    let scrape_with = |name: &str, env: &str| {
        let f = s.write(name, env);
        promdef(&[
            "scrape-config",
            "--job",
            "svc",
            "--target",
            "127.0.0.1:9",
            "--env-prefix",
            "APP_",
            "--env-file",
            &f,
            "--credentials-file",
            "/etc/t",
        ])
    };
    // What the exporter would refuse is refused here, without reading files.
    for (env, needle) in [
        ("APP_BEARER_TOKEN_FILE=\n", "is set but empty"),
        (
            "APP_BEARER_TOKEN=x\nAPP_BEARER_TOKEN_FILE=/run/t\n",
            "not both",
        ),
    ] {
        let (code, _, err) = scrape_with("refused.env", env);
        assert_eq!((code, err.lines().count()), (2, 1), "{env}: {err}");
        assert!(err.contains(needle), "{env}: {err}");
    }
    // Credentials the exporter does not require would be dropped: refused.
    let (code, _, err) = scrape_with("none.env", "APP_ALLOW_CIDRS=127.0.0.0/8\n");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("require no credentials"), "{err}");
    // An invalid setting is the exporter's own error, one line.
    let bad = s.write("bad.env", "APP_BEARER_TOKEN=\n");
    let (code, _, err) = promdef(&[
        "scrape-config",
        "--job",
        "svc",
        "--env-prefix",
        "APP_",
        "--env-file",
        &bad,
    ]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    assert!(err.contains("is set but empty"), "{err}");
}
