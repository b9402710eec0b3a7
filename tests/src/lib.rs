//! Helpers shared by promdef's integration tests: finding external tools
//! (promtool, Python's `prometheus_client`) and saying clearly when a test
//! is skipped because one is missing.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether tests that need external tools must run (CI sets `PROMDEF_REQUIRE_TOOLS=1`):
/// then a missing tool fails the test instead of skipping it.
pub fn tools_required() -> bool {
    std::env::var_os("PROMDEF_REQUIRE_TOOLS").is_some_and(|v| v != "0")
}

/// Reports a skipped test on stderr (shown by `cargo test`) — or panics under
/// `PROMDEF_REQUIRE_TOOLS=1`.
pub fn skip(test: &str, why: &str) {
    if tools_required() {
        panic!("{test}: {why}, and PROMDEF_REQUIRE_TOOLS is set");
    }
    eprintln!("SKIPPED {test}: {why}");
}

/// Runs `cmd` with `input` on stdin, killed after `limit`; returns (status ok, stdout, stderr).
pub fn run_with_input(
    cmd: &mut Command,
    input: &str,
    limit: Duration,
) -> Option<(bool, String, String)> {
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
    // Drain both pipes while the child runs: a child blocked on a full pipe never exits.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
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
    Some((status.success(), out.join().ok()?, err.join().ok()?))
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
    for py in ["python3", "python"] {
        let ok = Command::new(py)
            .args(["-c", "import prometheus_client"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py.to_string());
        }
    }
    None
}
