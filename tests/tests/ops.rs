//! The operations artefacts generated from the `django_like` example's
//! schema (`promdef rules`, `promdef dashboard`, `promdef scrape-config`):
//! current, valid by promtool and by Grafana's SDK, the alerts proven by
//! `promtool test rules`, and every dashboard query answered by a real
//! Prometheus 2.42 that scraped the example app, with the rules loaded.

use promdef_tests::{
    golden, http_get, prom_query, python_with, run_for_code, skip, start_prometheus,
    start_prometheus_with, temp_dir, tools_required, wait_for,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn ops_dir() -> PathBuf {
    root().join("examples/django_like/ops")
}

fn decls() -> Vec<promdef_cli::input::Decl> {
    promdef_cli::ops::load(&[root().join("examples/django_like/schema/metrics.yaml")]).unwrap()
}

fn env_file() -> std::collections::BTreeMap<String, String> {
    promdef_cli::scrape::read_env_file(&ops_dir().join("shop.env")).unwrap()
}

fn scrape_options(credentials: &Path, target: &str) -> promdef_cli::scrape::Options {
    promdef_cli::scrape::Options {
        job: "shop".into(),
        targets: vec![target.into()],
        prefix: "METRICS_".into(),
        metrics_path: Some("/metrics/".into()),
        credentials_file: Some(credentials.into()),
        ..Default::default()
    }
}

/// The committed files are what the generators produce, for every example
/// with objectives (the README's commands; `PROMDEF_BLESS=1` rewrites them).
#[test]
fn generated_files_are_current() {
    // (example, job, target, variable prefix, env file, metrics path set in code)
    let examples = [
        (
            "django_like",
            "shop",
            "shop:8000",
            "METRICS_",
            "shop.env",
            Some("/metrics/"),
        ),
        (
            "http_service",
            "inventory",
            "inventory:8080",
            "PROMDEF_",
            "inventory.env",
            None,
        ),
    ];
    for (example, job, target, prefix, env, path) in examples {
        let ops = root().join("examples").join(example).join("ops");
        let d = promdef_cli::ops::load(&[root()
            .join("examples")
            .join(example)
            .join("schema/metrics.yaml")])
        .unwrap();
        golden(
            &ops.join("rules.yml"),
            &promdef_cli::ops::rules(&d).unwrap(),
        );
        golden(
            &ops.join("rules.test.yml"),
            &promdef_cli::ops::rule_tests(&d, "rules.yml"),
        );
        golden(
            &ops.join("dashboard.json"),
            &promdef_cli::ops::dashboard(&d, None).unwrap(),
        );
        let vars = promdef_cli::scrape::read_env_file(&ops.join(env)).unwrap();
        let options = promdef_cli::scrape::Options {
            job: job.into(),
            targets: vec![target.into()],
            prefix: prefix.into(),
            metrics_path: path.map(String::from),
            credentials_file: Some(format!("/etc/prometheus/secrets/{job}-metrics-token").into()),
            ..Default::default()
        };
        let scrape = promdef_cli::scrape::render(&|k| vars.get(k).cloned(), &options).unwrap();
        golden(&ops.join("scrape.yml"), &scrape);
    }
}

fn promtool(args: &[&str], dir: &Path) -> Option<(Option<i32>, String)> {
    let mut cmd = Command::new("promtool");
    cmd.args(args).current_dir(dir);
    // Generous: `promtool test rules` over the generated scenarios takes
    // 25–50 s alone on a 2-core machine and more while other tests run; the
    // bound is there to stop a hang, not to time promtool.
    run_for_code(&mut cmd, "", Duration::from_secs(300)).map(|(c, o, e)| (c, format!("{o}{e}")))
}

#[test]
fn rules_pass_promtool_and_their_tests_prove_the_alerts() {
    let dir = temp_dir("ops-rules");
    let d = decls();
    std::fs::write(dir.join("rules.yml"), promdef_cli::ops::rules(&d).unwrap()).unwrap();
    std::fs::write(
        dir.join("rules.test.yml"),
        promdef_cli::ops::rule_tests(&d, "rules.yml"),
    )
    .unwrap();
    let Some((code, out)) = promtool(&["check", "rules", "rules.yml"], &dir) else {
        return skip("rules_pass_promtool", "promtool not found");
    };
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("SUCCESS: 30 rules found"), "{out}");
    let (code, out) = promtool(&["test", "rules", "rules.test.yml"], &dir).unwrap();
    assert_eq!(code, Some(0), "{out}");

    // The tests catch wrong rules: each mutation (a factor moved, a window
    // lengthened, a pair removed) must fail them. Mutations of the shop's
    // availability objective (budget 0.001), run two at a time against that
    // objective's rule group and scenarios only (the others cannot see the
    // mutation, and evaluating them doubled each run).
    let rules = only_items(
        &promdef_cli::ops::rules(&d).unwrap(),
        "  - name: \"promdef-slo-",
        "shop_availability\"",
        1,
    );
    let tests = only_items(
        &std::fs::read_to_string(dir.join("rules.test.yml")).unwrap(),
        "  - name: \"",
        "shop_availability:",
        9,
    );
    let slo = r#"{slo=\"shop_availability\"}"#;
    let w = |window: &str| format!("slo:sli_error:ratio_rate{window}{slo}");
    // Control: the cut-down files, unmutated, pass (else every mutant
    // "fails" for the wrong reason).
    std::fs::write(dir.join("control.yml"), &rules).unwrap();
    std::fs::write(
        dir.join("control.test.yml"),
        tests.replace("\"rules.yml\"", "\"control.yml\""),
    )
    .unwrap();
    let (code, out) = promtool(&["test", "rules", "control.test.yml"], &dir).unwrap();
    assert_eq!(code, Some(0), "{out}");
    let mutations: Vec<(&str, String, String)> = vec![
        (
            "page factor 14.4 → 10",
            format!("{} > 0.0144", w("1h")),
            format!("{} > 0.01", w("1h")),
        ),
        (
            "page short window 5m → 1h",
            format!("{} > 0.0144", w("5m")),
            format!("{} > 0.0144", w("1h")),
        ),
        (
            "slow page long window 6h → 1d",
            format!("({} > 0.006", w("6h")),
            format!("({} > 0.006", w("1d")),
        ),
        (
            "slow page short window 30m → 1h",
            format!("{} > 0.006)", w("30m")),
            format!("{} > 0.006)", w("1h")),
        ),
        (
            "3d ticket pair removed",
            format!(" or ({} > 0.001 and {} > 0.001)", w("3d"), w("6h")),
            String::new(),
        ),
        (
            "ticket factor 1 → 0.5",
            format!("({} > 0.001 and {} > 0.001)", w("3d"), w("6h")),
            format!("({} > 0.0005 and {} > 0.0005)", w("3d"), w("6h")),
        ),
    ];
    let results: Vec<(String, Option<i32>)> = std::thread::scope(|sc| {
        let chunks: Vec<_> = mutations.chunks(mutations.len().div_ceil(2)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(k, chunk)| {
                let (dir, rules, tests) = (&dir, &rules, &tests);
                sc.spawn(move || {
                    chunk
                        .iter()
                        .map(|(name, from, to)| {
                            assert!(
                                rules.contains(from.as_str()),
                                "{name}: `{from}` not in the rules"
                            );
                            let file = format!("mutant{k}.yml");
                            std::fs::write(dir.join(&file), rules.replace(from.as_str(), to))
                                .unwrap();
                            let tests = tests.replace("\"rules.yml\"", &format!("{file:?}"));
                            let test_file = format!("mutant{k}.test.yml");
                            std::fs::write(dir.join(&test_file), tests).unwrap();
                            let (code, _) = promtool(&["test", "rules", &test_file], dir).unwrap();
                            (name.to_string(), code)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for (name, code) in results {
        assert_eq!(code, Some(1), "the rule tests missed: {name}");
    }
}

/// `text` (a generated YAML list under one key, items starting at `item`)
/// with only the items whose first line continues with `keep`; asserts that
/// `expect` items were kept, so a change of the generated layout fails here
/// instead of silently testing nothing.
fn only_items(text: &str, item: &str, keep: &str, expect: usize) -> String {
    let sep = format!("\n{item}");
    let mut parts = text.split(&sep);
    let mut out = parts.next().unwrap().to_string();
    let mut kept = 0;
    for p in parts {
        if p.starts_with(keep) {
            kept += 1;
            out.push_str(&format!("\n{item}{p}"));
        }
    }
    assert_eq!(kept, expect, "items starting `{item}{keep}` in:\n{text}");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// An idle period leaves the error budget a number: the ratios are empty
/// (not NaN) without traffic, and the window's ratio weighs by traffic.
#[test]
fn an_idle_hour_does_not_blank_the_error_budget() {
    let dir = temp_dir("ops-idle");
    let d = decls();
    std::fs::write(dir.join("rules.yml"), promdef_cli::ops::rules(&d).unwrap()).unwrap();
    // 60 minutes at half the budget's rate, 60 idle, 60 more: a budget of
    // 0.001 spent at 0.0005 leaves half.
    let test = r#"rule_files: ["rules.yml"]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'shop_http_server_requests_total{status_class="5xx"}'
        values: '0+0.5x60 30+0x59 30.5+0.5x59'
      - series: 'shop_http_server_requests_total{status_class="2xx"}'
        values: '0+999.5x60 59970+0x59 59970.5+999.5x59'
    promql_expr_test:
      - expr: 'slo:error_budget_remaining:ratio{slo="shop_availability"} > bool 0.45 and slo:error_budget_remaining:ratio{slo="shop_availability"} < bool 0.55'
        eval_time: 180m
        exp_samples:
          - labels: '{slo="shop_availability"}'
            value: 1
"#;
    std::fs::write(dir.join("idle.test.yml"), test).unwrap();
    let Some((code, out)) = promtool(&["test", "rules", "idle.test.yml"], &dir) else {
        return skip(
            "an_idle_hour_does_not_blank_the_error_budget",
            "promtool not found",
        );
    };
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn scrape_config_passes_promtool() {
    let dir = temp_dir("ops-scrape");
    let token = dir.join("token");
    std::fs::write(&token, "t0ken\n").unwrap();
    let vars = env_file();
    let text = promdef_cli::scrape::render(
        &|k| vars.get(k).cloned(),
        &scrape_options(&token, "127.0.0.1:8000"),
    )
    .unwrap();
    assert!(text.contains("metrics_path: \"/metrics/\""), "{text}");
    assert!(text.contains("type: Bearer"), "{text}");
    assert!(!text.contains("t0ken"), "the token itself is never written");
    std::fs::write(dir.join("prometheus.yml"), &text).unwrap();
    let Some((code, out)) = promtool(&["check", "config", "prometheus.yml"], &dir) else {
        return skip("scrape_config_passes_promtool", "promtool not found");
    };
    assert_eq!(code, Some(0), "{out}");
    // Fails closed: a token is required, so the credentials file must be named.
    let mut o = scrape_options(&token, "127.0.0.1:8000");
    o.credentials_file = None;
    let err = promdef_cli::scrape::render(&|k| vars.get(k).cloned(), &o).unwrap_err();
    assert!(err.contains("requires a bearer token"), "{err}");
}

#[test]
fn dashboard_is_valid_per_grafanas_sdk() {
    let Some(py) = python_with(&["grafana_foundation_sdk"]) else {
        return skip(
            "dashboard_is_valid_per_grafanas_sdk",
            "Python's grafana-foundation-sdk not found (pip install 'grafana-foundation-sdk==1769699379!11.6.0')",
        );
    };
    let validator = root().join("tests/tools/validate_dashboard.py");
    let dir = temp_dir("ops-dashboard");
    let json = promdef_cli::ops::dashboard(&decls(), None).unwrap();
    let good = dir.join("dashboard.json");
    std::fs::write(&good, &json).unwrap();
    let run = |p: &Path| {
        let mut cmd = Command::new(&py);
        cmd.arg(&validator).arg(p);
        run_for_code(&mut cmd, "", Duration::from_secs(120)).unwrap()
    };
    let (code, out, err) = run(&good);
    assert_eq!(code, Some(0), "{out}{err}");
    // The validator rejects what Grafana would not load.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, json.replacen("\"gridPos\"", "\"gridPosition\"", 1)).unwrap();
    let (code, _, err) = run(&bad);
    assert_eq!(code, Some(1), "{err}");
}

/// `$__rate_interval` and template variables as Grafana would substitute
/// them with "All" selected.
fn grafana_substitute(expr: &str) -> String {
    let mut out = expr.replace("$__rate_interval", "1m");
    while let Some(i) = out.find("=~\"$") {
        let end = out[i + 3..].find('"').map(|e| i + 3 + e).unwrap();
        out.replace_range(i + 3..end, ".*");
    }
    out
}

#[test]
fn every_dashboard_query_returns_data_from_a_real_prometheus() {
    let dir = temp_dir("ops-e2e");
    let token = dir.join("token");
    std::fs::write(&token, "ops-e2e-token\n").unwrap();
    let env = {
        let token = token.clone();
        move |k: &str| match k {
            "METRICS_BEARER_TOKEN_FILE" => Some(token.display().to_string()),
            "METRICS_ALLOW_CIDRS" => Some("127.0.0.0/8".to_string()),
            _ => None,
        }
    };
    let exporter = django_like::exporter(env.clone())
        .unwrap()
        .manual_shutdown();
    let shop = std::sync::Arc::new(django_like::Shop::new(None));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let running = rt
        .block_on(django_like::start(
            "127.0.0.1:0".parse().unwrap(),
            exporter,
            shop,
        ))
        .unwrap();
    let base = format!("http://{}", running.local_addr());

    // Prometheus scrapes the app with the generated scrape config and
    // evaluates the generated rules every second.
    let d = decls();
    let rules = dir.join("rules.yml");
    std::fs::write(&rules, promdef_cli::ops::rules(&d).unwrap()).unwrap();
    let scrape = promdef_cli::scrape::render(
        &|k| env(k),
        &scrape_options(&token, &running.local_addr().to_string()),
    )
    .unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {:?}\n{scrape}",
        rules.display().to_string()
    );
    let Some(prom) = start_prometheus(&config) else {
        if tools_required() {
            panic!("prometheus not found");
        }
        return skip("every_dashboard_query_returns_data", "prometheus not found");
    };

    // Traffic of every kind the dashboard shows, for the whole test.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let traffic = {
        let (stop, base) = (stop.clone(), base.clone());
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = agent.post(&format!("{base}/products/tea")).send_empty();
                let _ = agent.get(&format!("{base}/products/tea")).call();
                let _ = agent.get(&format!("{base}/products/coffee")).call();
                let _ = agent.post(&format!("{base}/orders/card")).send_empty();
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    wait_for(
        "the generated scrape config to scrape the app",
        Duration::from_secs(60),
        || match prom_query(&prom.url, "up{job=\"shop\"} == 1")?.len() {
            1 => Ok(()),
            _ => Err(format!("{:?}", prom_query(&prom.url, "up"))),
        },
    );
    let dashboard: serde_json::Value =
        serde_json::from_str(&promdef_cli::ops::dashboard(&d, None).unwrap()).unwrap();
    let queries = promdef_schema::dashboard::queries(&dashboard);
    assert!(queries.len() >= 20, "{queries:?}");
    // Rates need two scrapes and the SLO panels a few rule evaluations:
    // wait (bounded) until every query answers with data.
    let mut answers = Vec::new();
    wait_for(
        "every dashboard query to return data",
        Duration::from_secs(90),
        || {
            answers.clear();
            let mut empty = Vec::new();
            for (panel, expr) in &queries {
                let q = grafana_substitute(expr);
                let r =
                    prom_query(&prom.url, &q).map_err(|e| format!("{panel}: `{q}` failed: {e}"))?;
                if r.is_empty() {
                    empty.push(format!("{panel}: `{q}`"));
                }
                answers.push((q, r.len()));
            }
            if empty.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "no data yet for {} queries, e.g. {}",
                    empty.len(),
                    empty[0]
                ))
            }
        },
    );
    // The SLO series are numbers a person can read: nothing is failing.
    let remaining = prom_query(&prom.url, "slo:error_budget_remaining:ratio").unwrap();
    assert_eq!(remaining.len(), 2, "{remaining:?}");
    let firing = prom_query(&prom.url, "ALERTS{alertstate=\"firing\"}").unwrap();
    assert!(
        firing.is_empty(),
        "no alert fires on healthy traffic: {firing:?}"
    );
    // The token file protected the scrape: without it, 401.
    assert_eq!(http_get(&format!("{base}/metrics/"), &[]).unwrap().0, 401);

    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    traffic.join().unwrap();
    rt.block_on(running.shutdown()).unwrap();
    eprintln!("ops e2e: {} dashboard queries answered", answers.len());
}

pub static NAT: promdef::Registry = promdef::Registry::new();
promdef::metrics!(file = "fixtures/ops_native.yaml");

/// Every query of `dashboard` answers with data from `prom` (bounded wait).
fn every_query_answers(prom: &str, dashboard: &serde_json::Value, what: &str) -> usize {
    let queries = promdef_schema::dashboard::queries(dashboard);
    wait_for(what, Duration::from_secs(90), || {
        for (panel, expr) in &queries {
            let q = grafana_substitute(expr);
            let r = prom_query(prom, &q).map_err(|e| format!("{panel}: `{q}` failed: {e}"))?;
            if r.is_empty() {
                return Err(format!("no data yet for {panel}: `{q}`"));
            }
        }
        Ok(())
    });
    queries.len()
}

/// The rules' and panels' native fallback: a Prometheus that ingests native
/// histograms stores no `_bucket` series, and the SLI and the quantile
/// panels still answer; one that does not uses the classic buckets.
#[test]
fn objectives_and_panels_answer_with_and_without_native_ingestion() {
    let dir = temp_dir("ops-native");
    let decls = promdef_cli::ops::load(&[
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ops_native.yaml")
    ])
    .unwrap();
    let rules = dir.join("rules.yml");
    std::fs::write(&rules, promdef_cli::ops::rules(&decls).unwrap()).unwrap();
    let dashboard: serde_json::Value =
        serde_json::from_str(&promdef_cli::ops::dashboard(&decls, None).unwrap()).unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let running = rt
        .block_on(
            promdef::exporter::Exporter::new(&NAT)
                .listen("127.0.0.1:0".parse().unwrap())
                .manual_shutdown()
                .bind(),
        )
        .unwrap();
    let target = running.local_addr();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {:?}\nscrape_configs:\n  - job_name: nat\n    static_configs: [{{targets: [\"{target}\"]}}]\n",
        rules.display().to_string()
    );
    let Some(native) = start_prometheus_with(&config, &["--enable-feature=native-histograms"])
    else {
        if tools_required() {
            panic!("prometheus not found");
        }
        return skip(
            "objectives_and_panels_answer_with_and_without_native_ingestion",
            "prometheus not found",
        );
    };
    let plain = start_prometheus(&config).expect("prometheus was found above");

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let traffic = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // 1 in 50 slower than 250 ms, 1 in 100 an error.
                let v = if i.is_multiple_of(50) {
                    0.5
                } else {
                    0.01 + (i % 20) as f64 * 0.01
                };
                LATENCY_SECONDS.observe(v);
                let code = if i.is_multiple_of(100) {
                    Code::Error
                } else {
                    Code::Ok
                };
                REQUESTS_TOTAL.with(RequestsTotalLabels { code }).inc();
                i += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    // The native Prometheus really stores it native: no `_bucket` series.
    wait_for(
        "a native nat_latency_seconds",
        Duration::from_secs(60),
        || match prom_query(&native.url, "nat_latency_seconds_count").map(|r| r.len()) {
            Ok(0) => {
                let buckets = prom_query(&native.url, "nat_latency_seconds_bucket")?;
                if buckets.is_empty() {
                    Ok(())
                } else {
                    Err("classic buckets stored".into())
                }
            }
            other => Err(format!("{other:?}")),
        },
    );
    let n = every_query_answers(&native.url, &dashboard, "every query (native ingestion)");
    every_query_answers(&plain.url, &dashboard, "every query (classic ingestion)");
    for prom in [&native.url, &plain.url] {
        let r = prom_query(prom, "slo:sli_error:ratio_rate5m{slo=\"nat_fast\"}").unwrap();
        let v = r[0].1;
        // 1 in 50 observations is over the threshold: the ratio is near 0.02.
        assert!((0.005..0.06).contains(&v), "{prom}: {v}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    traffic.join().unwrap();
    rt.block_on(running.shutdown()).unwrap();
    eprintln!("ops native e2e: {n} dashboard queries answered by both");
}
