//! Helpers for integration tests that run external tools and servers
//! (promtool, Prometheus, the Pushgateway, node_exporter, Python's
//! `prometheus_client`), saying clearly when a test is skipped because one
//! is missing. They live in this package so its tests need no file outside
//! it; the workspace's `promdef-tests` crate includes the same file.
#![allow(dead_code)] // each test binary uses a part

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether tests that need external tools must run (CI sets `PROMDEF_REQUIRE_TOOLS=1`):
/// then a missing tool fails the test instead of skipping it.
pub fn tools_required() -> bool {
    std::env::var_os("PROMDEF_REQUIRE_TOOLS").is_some_and(|v| v != "0")
}

/// Reports a skipped test on stderr — or panics under
/// `PROMDEF_REQUIRE_TOOLS=1`. Written to the stderr handle itself, not with
/// `eprintln!`, which the test harness captures and shows only for failing
/// tests: a skip must be visible in plain `cargo test` output.
pub fn skip(test: &str, why: &str) {
    if tools_required() {
        panic!("{test}: {why}, and PROMDEF_REQUIRE_TOOLS is set");
    }
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {why}");
}

/// Runs `cmd` with `input` on stdin, killed after `limit`; returns (status ok, stdout, stderr).
pub fn run_with_input(
    cmd: &mut Command,
    input: &str,
    limit: Duration,
) -> Option<(bool, String, String)> {
    let (code, out, err) = run_for_code(cmd, input, limit)?;
    Some((code == Some(0), out, err))
}

/// Runs `cmd` with `input` on stdin, killed after `limit` (then it panics);
/// returns (exit code, `None` if killed by a signal; stdout; stderr), or
/// `None` when it cannot be started.
pub fn run_for_code(
    cmd: &mut Command,
    input: &str,
    limit: Duration,
) -> Option<(Option<i32>, String, String)> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    // Drain the pipes while waiting, so a large output cannot block the child.
    let mut stdout = child.stdout.take()?;
    let mut stderr = child.stderr.take()?;
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{cmd:?} did not finish within {limit:?}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => return None,
        }
    };
    let _ = writer.join();
    let out = out_reader.join().ok()?;
    let err = err_reader.join().ok()?;
    Some((
        status.code(),
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    ))
}

/// `promtool check metrics` on `exposition`: `Some(problems)` (empty = clean),
/// or `None` when promtool is not installed.
pub fn promtool_check(exposition: &str) -> Option<String> {
    let found = Command::new("promtool").arg("--version").output().is_ok();
    if !found {
        return None;
    }
    let (ok, out, err) = run_with_input(
        Command::new("promtool").args(["check", "metrics"]),
        exposition,
        Duration::from_secs(60),
    )?;
    let problems = format!("{out}{err}").trim().to_string();
    assert!(
        ok || !problems.is_empty(),
        "promtool failed without saying why"
    );
    Some(problems)
}

/// Python 3 with `prometheus_client` importable, if available.
pub fn python_with_client() -> Option<String> {
    python_with(&["prometheus_client"])
}

/// Python 3 that can import every module in `modules`, if available.
pub fn python_with(modules: &[&str]) -> Option<String> {
    let import = format!("import {}", modules.join(", "));
    for py in ["python3", "python"] {
        let ok = Command::new(py)
            .args(["-c", &import])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py.to_string());
        }
    }
    None
}
/// Whether golden files should be rewritten instead of compared
/// (`PROMDEF_BLESS=1`).
pub fn blessing() -> bool {
    std::env::var_os("PROMDEF_BLESS").is_some_and(|v| v != "0")
}

/// Compares `actual` with the golden file at `path`, or rewrites it under
/// `PROMDEF_BLESS=1` (only when it changed, so mtimes and diffs stay quiet).
/// On a mismatch, panics with the first differing lines.
pub fn golden(path: &Path, actual: &str) {
    if blessing() {
        if std::fs::read_to_string(path).ok().as_deref() != Some(actual) {
            std::fs::write(path, actual).unwrap();
        }
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with PROMDEF_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(10)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "{} is stale ({} vs {} lines):\n{}\nrun with PROMDEF_BLESS=1 to update, then review the diff",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// A port that was free a moment ago on 127.0.0.1 (the OS picks it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Calls `f` every 100 ms until it returns `Some`, or panics after `limit`
/// saying what was awaited and the last observation.
pub fn wait_for<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Result<T, String>) -> T {
    let start = Instant::now();
    loop {
        match f() {
            Ok(v) => return v,
            Err(last) if start.elapsed() > limit => {
                panic!("timed out after {limit:?} waiting for {what}; last: {last}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// An HTTP answer: status, headers, body.
pub type HttpAnswer = (u16, Vec<(String, String)>, Vec<u8>);

/// A GET on loopback: (status, headers, body), any status; `Err` when nothing answered.
pub fn http_get(url: &str, headers: &[(&str, &str)]) -> Result<HttpAnswer, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = req.call().map_err(|e| e.to_string())?;
    let hs = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .map_err(|e| e.to_string())?;
    Ok((resp.status().as_u16(), hs, body))
}

/// A server process started by a test: killed, and its data directory
/// removed, on drop.
pub struct Server {
    child: std::process::Child,
    dir: std::path::PathBuf,
    /// Its HTTP address, `http://127.0.0.1:<port>`.
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("promdef-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn binary(name: &str) -> Option<String> {
    Command::new(name)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()
        .map(|_| name.to_string())
}

/// Starts `bin` with `args(dir, port)` on a free port, waiting (bounded)
/// until `ready_path` answers 200; retries with another port if the process
/// exits first (the port was taken in between). `None` if `bin` is missing.
pub fn start_server(
    bin: &str,
    name: &str,
    ready_path: &str,
    args: impl Fn(&std::path::Path, u16) -> Vec<String>,
) -> Option<Server> {
    let bin = binary(bin)?;
    let mut last = String::new();
    for _ in 0..3 {
        let dir = temp_dir(name);
        let port = free_port();
        let log = std::fs::File::create(dir.join("log.txt")).expect("log file");
        let child = Command::new(&bin)
            .args(args(&dir, port))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("spawn server");
        let mut server = Server {
            child,
            dir,
            url: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(_)) = server.child.try_wait() {
                last = std::fs::read_to_string(server.dir.join("log.txt")).unwrap_or_default();
                break;
            }
            if http_get(&format!("{}{ready_path}", server.url), &[]).is_ok_and(|r| r.0 == 200) {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if server.child.try_wait().ok().flatten().is_none() {
            panic!("{bin} did not become ready within 60s");
        }
    }
    panic!("{bin} exited three times; last log:\n{last}");
}

/// A Prometheus configuration scraping every second with these
/// `scrape_configs` entries (YAML list items, indented by two spaces).
pub fn prometheus_config(scrape_configs: &str) -> String {
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n{}",
        scrape_configs.trim_start_matches('\n')
    )
}

/// Starts Prometheus with `config` (YAML) on a free loopback port and a
/// temporary data directory; `None` when the binary is missing.
pub fn start_prometheus(config: &str) -> Option<Server> {
    start_prometheus_with(config, &[])
}

/// [`start_prometheus`] with extra flags, e.g.
/// `--enable-feature=native-histograms`.
pub fn start_prometheus_with(config: &str, flags: &[&str]) -> Option<Server> {
    let config = config.to_string();
    let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    start_server("prometheus", "prometheus", "/-/ready", move |dir, port| {
        let file = dir.join("prometheus.yml");
        std::fs::write(&file, &config).expect("write config");
        let mut args = vec![
            format!("--config.file={}", file.display()),
            format!("--storage.tsdb.path={}", dir.join("data").display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--log.level=warn".into(),
        ];
        args.extend(flags.iter().cloned());
        args
    })
}

/// Starts a Pushgateway on a free loopback port; `None` when the binary is missing.
pub fn start_pushgateway() -> Option<Server> {
    start_server(
        "prometheus-pushgateway",
        "pushgateway",
        "/-/ready",
        |_, port| {
            vec![
                format!("--web.listen-address=127.0.0.1:{port}"),
                "--log.level=warn".into(),
            ]
        },
    )
}

/// Starts Debian's node_exporter (`prometheus-node-exporter`) on a free
/// loopback port; `None` when the binary is missing.
pub fn start_node_exporter() -> Option<Server> {
    start_server(
        "prometheus-node-exporter",
        "node-exporter",
        "/metrics",
        |_, port| {
            vec![
                format!("--web.listen-address=127.0.0.1:{port}"),
                "--log.level=warn".into(),
            ]
        },
    )
}

/// Runs an instant PromQL query: each result's labels and value.
pub fn prom_query(prometheus: &str, query: &str) -> Result<Vec<(serde_json::Value, f64)>, String> {
    let url = format!("{prometheus}/api/v1/query?query={}", url_encode(query));
    let (status, _, body) = http_get(&url, &[])?;
    let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("{status}: {v}"));
    }
    Ok(v["data"]["result"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let value = r["value"][1]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            (r["metric"].clone(), value)
        })
        .collect())
}

/// Waits (bounded) until `query` returns exactly one series, and returns its value.
pub fn wait_for_value(prometheus: &str, query: &str, limit: Duration) -> f64 {
    wait_for(&format!("`{query}` to return one series"), limit, || {
        let r = prom_query(prometheus, query)?;
        match r.as_slice() {
            [(_, v)] => Ok(*v),
            _ => Err(format!("{r:?}")),
        }
    })
}

/// Percent-encodes a query-string value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
