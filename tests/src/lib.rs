//! Helpers shared by promdef's integration tests: finding external tools
//! (promtool, Python's `prometheus_client`) and saying clearly when a test
//! is skipped because one is missing.

use std::io::Write;
use std::path::Path;
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
