//! `promdef import` end to end: live sources (a Python `prometheus_client`
//! app, plain and in multi-process mode; Prometheus 2.42, the Pushgateway and
//! node_exporter from Debian) → a schema → `promdef check` clean → `promdef
//! expose` gives back the same families: names, types, label names and
//! buckets, except the families the schema's header says it left out.
//! Also: bearer tokens, redirects and errors on URLs. Sources that are not
//! installed are `SKIPPED` (CI installs them and sets `PROMDEF_REQUIRE_TOOLS=1`).

mod support;

use promdef_cli::exposition::{self, Type};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use support::{
    python_with_client, skip, start_node_exporter, start_prometheus, start_pushgateway,
    start_server, Server,
};

fn promdef(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_promdef"))
        .args(args)
        .output()
        .expect("promdef runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A family as Prometheus would see it: type, label names (without `le`
/// and `quantile`) and bucket bounds, keyed by the name promdef declares.
type Shape = BTreeMap<String, (String, BTreeSet<String>, Vec<String>)>;

fn shape(text: &str) -> Shape {
    let exp = exposition::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut out = Shape::new();
    for f in exp.families {
        let kind = match f.kind {
            Type::Counter => "counter",
            Type::Histogram => "histogram",
            Type::Summary => "summary",
            // Every other type is a gauge in text format 0.0.4.
            _ => "gauge",
        };
        let mut labels = BTreeSet::new();
        let mut buckets: Vec<String> = Vec::new();
        for s in &f.samples {
            for (k, v) in &s.labels {
                if k == "le" && kind == "histogram" {
                    if !buckets.contains(v) && v != "+Inf" {
                        buckets.push(v.clone());
                    }
                } else if !(k == "quantile" && kind == "summary") {
                    labels.insert(k.clone());
                }
            }
        }
        buckets.sort_by(|a, b| a.parse::<f64>().unwrap().total_cmp(&b.parse().unwrap()));
        let buckets = buckets
            .iter()
            .map(|b| format!("{}", b.parse::<f64>().unwrap()))
            .collect();
        out.insert(f.name, (kind.to_string(), labels, buckets));
    }
    out
}

/// Imports `url` (text 0.0.4 is fetched separately as the reference), then
/// checks the schema and compares what it exposes with the source.
fn round_trip(name: &str, url: &str, token_file: Option<&Path>) -> String {
    let dir = support::temp_dir(&format!("import-{name}"));
    let out = dir.join("metrics.yaml");
    let mut args = vec!["import", url, "-o", out.to_str().unwrap()];
    let tf;
    if let Some(f) = token_file {
        tf = f.to_string_lossy().into_owned();
        args.extend(["--bearer-token-file", &tf]);
    }
    let (code, _, err) = promdef(&args);
    assert_eq!(code, 0, "{name}: {err}");
    let yaml = std::fs::read_to_string(&out).unwrap();
    let (code, check, _) = promdef(&["check", out.to_str().unwrap()]);
    assert_eq!(
        code, 0,
        "{name}: the imported schema has findings:\n{check}\n{yaml}"
    );
    let (code, exposed, err) =
        promdef(&["expose", "--open-label-value", "v", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{name}: {err}");
    // The reference: the source's text 0.0.4, as Prometheus reads it.
    let mut headers = vec![("Accept", "text/plain;version=0.0.4".to_string())];
    if let Some(f) = token_file {
        headers.push((
            "Authorization",
            format!("Bearer {}", std::fs::read_to_string(f).unwrap().trim()),
        ));
    }
    let hdrs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = support::http_get(url, &hdrs).unwrap();
    assert_eq!(status, 200, "{name}");
    let source = shape(&String::from_utf8(body).unwrap());
    let ours = shape(&exposed);
    let mut left_out: BTreeSet<String> = yaml
        .lines()
        .filter_map(|l| l.strip_prefix("# Left out `"))
        .map(|l| l.split('`').next().unwrap().to_string())
        .collect();
    // In text format, Python writes the creation time of a counter,
    // histogram or summary `x` as a gauge family `x_created`; in OpenMetrics
    // (what `import` asks for) it is a sample of `x`, which promdef writes
    // itself. Not a family of its own either way.
    for (fam, (kind, _, _)) in &source {
        if let Some(stem) = fam.strip_suffix("_created") {
            let of_family = source.iter().any(|(n, (k, _, _))| {
                k != "gauge" && n.strip_suffix("_total").unwrap_or(n) == stem
            });
            if kind == "gauge" && of_family {
                left_out.insert(fam.clone());
            }
        }
    }
    for (fam, want) in &source {
        if left_out.contains(fam) {
            assert!(
                !ours.contains_key(fam),
                "{name}: `{fam}` left out but exposed"
            );
            continue;
        }
        let got = ours
            .get(fam)
            .unwrap_or_else(|| panic!("{name}: `{fam}` missing from the import\n{yaml}"));
        assert_eq!(got, want, "{name}: `{fam}` differs (type, labels, buckets)");
    }
    for fam in ours.keys() {
        assert!(
            source.contains_key(fam),
            "{name}: `{fam}` exposed but not in the source"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "import {name}: {} families round-trip, {} left out ({})",
        ours.len(),
        left_out.len(),
        left_out.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    yaml
}

const PYTHON_APP: &str = r#"
import os, sys, time
port, mp_dir = int(sys.argv[1]), sys.argv[2]
if mp_dir != "-":
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = mp_dir
from prometheus_client import Counter, Gauge, Histogram, Summary, Info, Enum, CollectorRegistry, start_http_server
from prometheus_client import multiprocess
requests = Counter("http_requests_total", "HTTP requests", ["method", "path"])
latency = Histogram("http_request_duration_seconds", "Request latency", ["method"], buckets=[0.05, 0.25, 1, 5])
sizes = Summary("http_response_size_bytes", "Response sizes")
inflight = Gauge("http_requests_in_flight", "In flight", multiprocess_mode="livesum")
temperature = Gauge("room_temperature_celsius", "Temperature")
for i in range(30):
    requests.labels("GET" if i % 3 else "POST", "/items/%d" % i).inc()
    latency.labels("GET").observe(0.01 * i)
    sizes.observe(100 + i)
inflight.inc(2)
temperature.set(21.5)
if mp_dir == "-":
    Info("app_build", "Build").info({"version": "1.4.2", "commit": "abc"})
    Enum("app_state", "State", states=["starting", "running"]).state("running")
    start_http_server(port, addr="127.0.0.1")
else:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(port, addr="127.0.0.1", registry=registry)
while True:
    time.sleep(1)
"#;

fn start_python_app(py: &str, mp_dir: Option<&Path>) -> Server {
    let mp = mp_dir.map_or("-".to_string(), |d| d.to_string_lossy().into_owned());
    start_server(py, "python-app", "/metrics", move |dir, port| {
        let script = dir.join("app.py");
        std::fs::write(&script, PYTHON_APP).unwrap();
        vec![
            script.to_string_lossy().into_owned(),
            port.to_string(),
            mp.clone(),
        ]
    })
    .expect("python starts")
}

#[test]
fn python_app_plain_and_multiprocess_round_trip() {
    let Some(py) = python_with_client() else {
        return skip(
            "python_app_plain_and_multiprocess_round_trip",
            "python3 with prometheus_client is not installed",
        );
    };
    let app = start_python_app(&py, None);
    let yaml = round_trip("python", &format!("{}/metrics", app.url), None);
    assert!(yaml.contains("buckets: [0.05, 0.25, 1.0, 5.0]"), "{yaml}");
    assert!(yaml.contains("type: info"), "{yaml}");
    drop(app);

    let mp = support::temp_dir("import-mp");
    let app = start_python_app(&py, Some(&mp));
    let yaml = round_trip("python-multiprocess", &format!("{}/metrics", app.url), None);
    assert!(
        yaml.contains("`pid` looks like Python multi-process mode"),
        "{yaml}"
    );
    drop(app);
    let _ = std::fs::remove_dir_all(&mp);
}

#[test]
fn real_exporters_round_trip() {
    let mut ran = 0;
    if let Some(p) = start_prometheus(&support::prometheus_config("")) {
        round_trip("prometheus", &format!("{}/metrics", p.url), None);
        ran += 1;
    }
    if let Some(g) = start_pushgateway() {
        round_trip("pushgateway", &format!("{}/metrics", g.url), None);
        ran += 1;
    }
    if let Some(n) = start_node_exporter() {
        let yaml = round_trip("node_exporter", &format!("{}/metrics", n.url), None);
        assert!(yaml.matches("\n  - name: ").count() > 100, "{yaml}");
        ran += 1;
    }
    if ran < 3 {
        skip(
            "real_exporters_round_trip",
            "prometheus, prometheus-pushgateway or prometheus-node-exporter is not installed",
        );
    }
}

promdef::metrics! {
    registry = crate::PROTECTED;
    /// Jobs done.
    pub counter import_jobs_total;
}
pub static PROTECTED: promdef::Registry = promdef::Registry::new();

#[test]
fn bearer_tokens_redirects_and_errors() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    const TOKEN: &str = "import-token-5f3a";
    let running = rt
        .block_on(
            promdef::exporter::Exporter::new(&PROTECTED)
                .listen("127.0.0.1:0".parse().unwrap())
                .bearer_token(TOKEN)
                .bind(),
        )
        .unwrap();
    IMPORT_JOBS_TOTAL.inc();
    let url = format!("http://{}/metrics", running.local_addr());
    let dir = support::temp_dir("import-token");
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let yaml = round_trip("token", &url, Some(&token_file));
    assert!(yaml.contains("name: \"import_jobs_total\""), "{yaml}");

    // Without or with a wrong token: exit 2, one line, no secret echoed.
    std::fs::write(dir.join("wrong"), "nope").unwrap();
    for extra in [
        vec![],
        vec!["--bearer-token-file", dir.join("wrong").to_str().unwrap()],
    ] {
        let mut args = vec!["import", url.as_str()];
        args.extend(extra.iter().copied());
        let (code, out, err) = promdef(&args);
        assert_eq!(code, 2, "{out}{err}");
        assert!(
            err.contains("answered HTTP 401; pass the endpoint's token"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!err.contains("nope") && !err.contains(TOKEN), "{err}");
    }
    // An empty token file fails closed.
    std::fs::write(dir.join("empty"), "\n").unwrap();
    let (code, _, err) = promdef(&[
        "import",
        &url,
        "--bearer-token-file",
        dir.join("empty").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is empty"), "{err}");

    // A redirect is not followed (the token would go along): its target is named.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let redirector = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        let request = String::from_utf8_lossy(&buf[..n]).into_owned();
        s.write_all(b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.invalid/metrics?k=secret\r\nContent-Length: 0\r\n\r\n").unwrap();
        request
    });
    let creds = format!("http://admin:hunter2@{addr}/metrics");
    let (code, _, err) = promdef(&[
        "import",
        &creds,
        "--bearer-token-file",
        token_file.to_str().unwrap(),
    ]);
    let request = redirector.join().unwrap();
    assert_eq!(code, 2);
    assert!(
        err.contains("redirects (302) to `http://elsewhere.invalid/metrics`"),
        "{err}"
    );
    assert!(!err.contains("hunter2") && !err.contains("secret"), "{err}");
    assert!(
        request.contains(&format!("authorization: Bearer {TOKEN}"))
            || request.contains(&format!("Authorization: Bearer {TOKEN}")),
        "{request}"
    );

    // A file that is not an exposition: exit 2 with the line.
    std::fs::write(dir.join("bad.txt"), "ok 1\nnot a sample\n").unwrap();
    let (code, _, err) = promdef(&["import", dir.join("bad.txt").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 2"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    rt.block_on(running.shutdown()).unwrap();
}
