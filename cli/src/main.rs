//! `promdef`: check, document, expose and diff promdef metric schemas
//! without building the application.
//!
//! Inputs are YAML schema files, Rust files and crate directories (whose
//! `metrics!` invocations are read with the proc macro's own front end).
//! Exit status: 0 clean, 1 findings (or stale docs, or breaking changes),
//! 2 unusable input, with a one-line reason on stderr.

use clap::{Parser, Subcommand, ValueEnum};
use promdef_cli::input::{self, Decl, Unusable};
use promdef_cli::{expose, ops, text_diff};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "promdef",
    version,
    about = "Check, document, expose and diff promdef metric schemas"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every compile-time check and convention lint, plus duplicate names across all inputs.
    Check {
        /// YAML schemas, Rust files or crate directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// The Markdown reference of the declared metrics.
    Docs {
        /// YAML schemas, Rust files or crate directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Write to this file (only when it changes) instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Do not write: exit 1 and print a diff when the output file is stale.
        #[arg(long, requires = "output")]
        check: bool,
    },
    /// The text exposition the declared metrics produce at start-up (closed-set series at 0).
    Expose {
        /// YAML schemas, Rust files or crate directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Also show one series per metric with open labels, using this
        /// placeholder value, so label names can be checked too
        /// (`… | promtool check metrics`).
        #[arg(long, value_name = "VALUE")]
        open_label_value: Option<String>,
    },
    /// A promdef YAML schema from an existing exposition (a file, `-` for
    /// stdin, or an `http(s)://…/metrics` URL), so a port compiles on the first try.
    Import {
        /// The exposition: a file, `-`, or a URL.
        source: String,
        /// Write the schema here (only when it changes) instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Send `Authorization: Bearer <token read from this file>` (URLs).
        #[arg(long, value_name = "FILE", conflicts_with = "bearer_token")]
        bearer_token_file: Option<PathBuf>,
        /// Send `Authorization: Bearer <TOKEN>` (URLs; visible to other users in
        /// the process list: prefer `--bearer-token-file`).
        #[arg(long, value_name = "TOKEN")]
        bearer_token: Option<String>,
        /// Declare this namespace (names outside it get an `allow`ed lint).
        #[arg(long)]
        namespace: Option<String>,
        /// Give up on a URL after this many seconds.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Prometheus recording rules and multi-window burn-rate alerts for the
    /// declared `objectives:` (check them with `promtool check rules`).
    Rules {
        /// YAML schemas, Rust files or crate directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Write to this file (only when it changes) instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Also write `promtool test rules` tests of the alerts here (next to `--output`).
        #[arg(long, value_name = "FILE", requires = "output")]
        tests: Option<PathBuf>,
        /// Do not write: exit 1 and print a diff when an output file is stale.
        #[arg(long, requires = "output")]
        check: bool,
    },
    /// A Grafana dashboard: a panel per metric, closed-set label variables, SLO panels.
    Dashboard {
        /// YAML schemas, Rust files or crate directories.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Dashboard title and uid (`promdef-<name>`); default: the first namespace.
        #[arg(long)]
        name: Option<String>,
        /// Write to this file (only when it changes) instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Do not write: exit 1 and print a diff when the output file is stale.
        #[arg(long, requires = "output")]
        check: bool,
    },
    /// The Prometheus `scrape_configs` entry for a service, from the settings
    /// its exporter reads (`PROMDEF_*` or `<prefix>*`; the environment, or `--env-file`).
    ScrapeConfig {
        /// The job name.
        #[arg(long)]
        job: String,
        /// `host:port` to scrape (repeatable); default: the exporter's listen address.
        #[arg(long = "target", value_name = "HOST:PORT")]
        targets: Vec<String>,
        /// The exporter's variable prefix, as passed to `Exporter::from_env_prefix`.
        #[arg(long, default_value = "PROMDEF_")]
        env_prefix: String,
        /// The metrics path, when the service sets it in code (`.metrics_path("/metrics/")`).
        #[arg(long, value_name = "PATH")]
        metrics_path: Option<String>,
        /// Read the settings from this `KEY=VALUE` file instead of the environment.
        #[arg(long, value_name = "FILE")]
        env_file: Option<PathBuf>,
        /// Where Prometheus reads the bearer token or basic-auth password.
        #[arg(long, value_name = "FILE")]
        credentials_file: Option<PathBuf>,
        /// Basic-auth user (for a web configuration file's users).
        #[arg(long)]
        username: Option<String>,
        /// CA certificate to verify the exporter's TLS certificate with.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
        /// Client certificate, when the exporter requires one.
        #[arg(long, value_name = "FILE")]
        cert_file: Option<PathBuf>,
        /// The client certificate's key.
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        /// Write to this file (only when it changes) instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Do not write: exit 1 and print a diff when the output file is stale.
        #[arg(long, requires = "output")]
        check: bool,
    },
    /// Breaking changes from OLD to NEW, by each metric's stability in OLD.
    Diff {
        /// The previous version: a YAML schema, Rust file or crate directory.
        old: PathBuf,
        /// The new version.
        new: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// What a command concluded; unusable input is an `Err(Unusable)` instead.
enum Outcome {
    Clean,
    Findings,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { inputs, format } => check(&inputs, format),
        Command::Docs {
            inputs,
            output,
            check,
        } => docs(&inputs, output.as_deref(), check),
        Command::Expose {
            inputs,
            open_label_value,
        } => input::usable(&inputs).map(|decls| {
            emit(&expose::render(&decls, open_label_value.as_deref()));
            Outcome::Clean
        }),
        Command::Import {
            source,
            output,
            bearer_token_file,
            bearer_token,
            namespace,
            timeout,
        } => import(
            &source,
            output.as_deref(),
            bearer_token_file.as_deref(),
            bearer_token,
            namespace.as_deref(),
            timeout,
        ),
        Command::Rules {
            inputs,
            output,
            tests,
            check,
        } => rules(&inputs, output.as_deref(), tests.as_deref(), check),
        Command::Dashboard {
            inputs,
            name,
            output,
            check,
        } => dashboard(&inputs, name, output.as_deref(), check),
        Command::ScrapeConfig {
            job,
            targets,
            env_prefix,
            metrics_path,
            env_file,
            credentials_file,
            username,
            ca_file,
            cert_file,
            key_file,
            output,
            check,
        } => scrape_config(
            env_file.as_deref(),
            &promdef_cli::scrape::Options {
                job,
                targets,
                prefix: env_prefix,
                metrics_path,
                credentials_file,
                username,
                ca_file,
                cert_file,
                key_file,
            },
            output.as_deref(),
            check,
        ),
        Command::Diff { old, new } => diff(&old, &new),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(Unusable(reason)) => {
            eprintln!("error: {reason}");
            ExitCode::from(2)
        }
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Writes to stdout; a closed pipe (`promdef expose | head`) is not an error.
fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Most findings shown per declaration, as the macro caps them: a generated
/// or corrupt schema cannot flood the terminal (the count is still exact).
const MAX_SHOWN: usize = 100;

fn check(inputs: &[PathBuf], format: Format) -> Result<Outcome, Unusable> {
    let decls = input::load(inputs)?;
    let findings: usize = decls.iter().map(|d| d.checked.diagnostics.len()).sum();
    let metrics: usize = decls.iter().map(|d| d.checked.schema.metrics.len()).sum();
    match format {
        Format::Human => {
            let mut out = String::new();
            for d in &decls {
                // Split the file into lines once, not once per finding.
                let lines: Vec<&str> = promdef_schema::diag::yaml_lines(&d.text).collect();
                let diags = &d.checked.diagnostics;
                for diag in diags.iter().take(MAX_SHOWN) {
                    let line = diag
                        .loc
                        .line()
                        .and_then(|l| lines.get(l.saturating_sub(1)))
                        .copied()
                        .unwrap_or("");
                    out.push_str("error: ");
                    out.push_str(&diag.render_line(&d.path, line));
                    out.push_str("\n\n");
                }
                if diags.len() > MAX_SHOWN {
                    out.push_str(&format!(
                        "note: {} more findings in `{}` are not shown; fix the ones above first\n\n",
                        diags.len() - MAX_SHOWN,
                        d.path
                    ));
                }
            }
            let scope = format!(
                "{} in {}",
                plural(metrics, "metric"),
                plural(decls.len(), "declaration")
            );
            out.push_str(&match findings {
                0 => format!("ok: {scope}, no findings\n"),
                n => format!("{} in {scope}\n", plural(n, "finding")),
            });
            emit(&out);
        }
        Format::Json => {
            let finding = |path: &str, diag: &promdef_schema::Diagnostic| {
                let (line, column) = diag.loc.line_col().unzip();
                serde_json::json!({
                    "file": path,
                    "line": line,
                    "column": column,
                    "lint": diag.lint.map(|l| l.id()),
                    "message": diag.message,
                })
            };
            let list: Vec<serde_json::Value> = decls
                .iter()
                .flat_map(|d| {
                    d.checked
                        .diagnostics
                        .iter()
                        .map(|diag| finding(&d.path, diag))
                })
                .collect();
            // Accepted lints stay visible to tools, with the `allow` that accepted them.
            let suppressed: Vec<serde_json::Value> = decls
                .iter()
                .flat_map(|d| {
                    d.checked.suppressed.iter().map(|s| {
                        let mut f = finding(&d.path, &s.diagnostic);
                        let (line, column) = s.by.line_col().unzip();
                        f["allowed_at"] = serde_json::json!({"line": line, "column": column});
                        f
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "findings": list,
                "suppressed": suppressed,
                "declarations": decls.len(),
                "metrics": metrics,
            });
            emit(&format!("{doc:#}\n"));
        }
    }
    Ok(if findings == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn docs(
    inputs: &[PathBuf],
    output: Option<&std::path::Path>,
    check: bool,
) -> Result<Outcome, Unusable> {
    let decls = input::usable(inputs)?;
    let text = ops::docs(&decls);
    match output {
        None => {
            emit(&text);
            Ok(Outcome::Clean)
        }
        Some(out) => write_or_check(&text, out, check),
    }
}

fn rules(
    inputs: &[PathBuf],
    output: Option<&std::path::Path>,
    tests: Option<&std::path::Path>,
    check: bool,
) -> Result<Outcome, Unusable> {
    let decls = ops::load(inputs)?;
    let text = ops::rules(&decls)?;
    let Some(out) = output else {
        emit(&text);
        return Ok(Outcome::Clean);
    };
    let mut outcome = write_or_check(&text, out, check)?;
    if let Some(t) = tests {
        let dir = |p: &std::path::Path| {
            std::path::absolute(p)
                .ok()
                .and_then(|p| p.parent().map(|d| d.to_path_buf()))
        };
        if dir(t) != dir(out) {
            return Err(Unusable(format!(
                "write `--tests` next to `--output` (`{}`), so the test file can name the rules file",
                out.display()
            )));
        }
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = ops::rule_tests(&decls, &name);
        if let Outcome::Findings = write_or_check(&text, t, check)? {
            outcome = Outcome::Findings;
        }
    }
    Ok(outcome)
}

fn dashboard(
    inputs: &[PathBuf],
    name: Option<String>,
    output: Option<&std::path::Path>,
    check: bool,
) -> Result<Outcome, Unusable> {
    let decls = ops::load(inputs)?;
    let text = ops::dashboard(&decls, name)?;
    match output {
        None => {
            emit(&text);
            Ok(Outcome::Clean)
        }
        Some(out) => write_or_check(&text, out, check),
    }
}

fn scrape_config(
    env_file: Option<&std::path::Path>,
    options: &promdef_cli::scrape::Options,
    output: Option<&std::path::Path>,
    check: bool,
) -> Result<Outcome, Unusable> {
    let text = match env_file {
        Some(f) => {
            let vars = promdef_cli::scrape::read_env_file(f).map_err(Unusable)?;
            promdef_cli::scrape::render(&|k| vars.get(k).cloned(), options)
        }
        None => promdef_cli::scrape::render(&|k| std::env::var(k).ok(), options),
    }
    .map_err(Unusable)?;
    match output {
        None => {
            emit(&text);
            Ok(Outcome::Clean)
        }
        Some(out) => write_or_check(&text, out, check),
    }
}

/// Writes `text` to `out` only when it changes, or with `check` reports
/// (exit 1, with a diff) that `out` is stale.
fn write_or_check(text: &str, out: &std::path::Path, check: bool) -> Result<Outcome, Unusable> {
    let text = text.to_string();
    let shown = out.to_string_lossy();
    let current = std::fs::read_to_string(out).ok();
    if current.as_deref() == Some(text.as_str()) {
        return Ok(Outcome::Clean);
    }
    if check {
        let diff = match &current {
            Some(old) => text_diff::unified(old, &text),
            None => String::new(),
        };
        let what = if current.is_some() {
            "is stale"
        } else {
            "does not exist"
        };
        emit(&diff);
        eprintln!("`{shown}` {what}; regenerate it with the same command without `--check`");
        return Ok(Outcome::Findings);
    }
    std::fs::write(out, &text).map_err(|e| Unusable(format!("cannot write `{shown}`: {e}")))?;
    Ok(Outcome::Clean)
}

fn diff(old: &std::path::Path, new: &std::path::Path) -> Result<Outcome, Unusable> {
    let old_decls = input::usable(&[old.to_path_buf()])?;
    let new_decls = input::usable(&[new.to_path_buf()])?;
    fn checked(d: &[Decl]) -> Vec<&promdef_schema::Checked> {
        d.iter().map(|d| &d.checked).collect()
    }
    let changes =
        promdef_schema::diff::breaking_changes(&checked(&old_decls), &checked(&new_decls));
    let compared: usize = old_decls
        .iter()
        .map(|d| d.checked.schema.metrics.len())
        .sum();
    let mut out = String::new();
    for c in &changes {
        out.push_str(&format!("breaking: {c}\n"));
    }
    out.push_str(&match changes.len() {
        0 => format!("ok: no breaking change in {}\n", plural(compared, "metric")),
        n => format!("{}\n", plural(n, "breaking change")),
    });
    emit(&out);
    Ok(if changes.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

fn import(
    source: &str,
    output: Option<&std::path::Path>,
    token_file: Option<&std::path::Path>,
    token: Option<String>,
    namespace: Option<&str>,
    timeout: u64,
) -> Result<Outcome, Unusable> {
    let token = match (token_file, token) {
        (Some(path), _) => {
            let t = std::fs::read_to_string(path).map_err(|e| {
                Unusable(format!(
                    "cannot read the token file `{}`: {e}",
                    path.display()
                ))
            })?;
            let t = t.trim().to_string();
            if t.is_empty() {
                return Err(Unusable(format!(
                    "the token file `{}` is empty",
                    path.display()
                )));
            }
            Some(t)
        }
        (None, Some(t)) if t.trim().is_empty() => {
            return Err(Unusable("`--bearer-token` is empty".into()))
        }
        (None, t) => t.map(|t| t.trim().to_string()),
    };
    let text = promdef_cli::fetch::read(source, token.as_deref(), timeout).map_err(Unusable)?;
    let exp = promdef_cli::exposition::parse(&text)
        .map_err(|e| Unusable(format!("`{source}` is not an exposition: {e}")))?;
    if let Some(ns) = namespace {
        if !promdef_schema::naming::is_label_name(ns) || ns.ends_with('_') {
            return Err(Unusable(format!(
                "`--namespace {ns}` is not a valid name prefix; use letters, digits and `_`"
            )));
        }
    }
    let shown = promdef_cli::fetch::shown(source);
    let yaml = promdef_cli::import::schema(&exp, &shown, namespace);
    let checked = promdef_schema::Checked::from_yaml(&yaml);
    if !checked.is_clean() {
        // The importer adjusts its draft until promdef accepts it; reaching
        // here is a promdef bug, said plainly rather than writing a schema
        // that does not compile.
        let first = checked.diagnostics[0].full_message().replace('\n', " ");
        return Err(Unusable(format!(
            "the imported schema still has findings ({first}); please report this"
        )));
    }
    match output {
        None => emit(&yaml),
        Some(out) => {
            if std::fs::read_to_string(out).ok().as_deref() != Some(yaml.as_str()) {
                std::fs::write(out, &yaml)
                    .map_err(|e| Unusable(format!("cannot write `{}`: {e}", out.display())))?;
            }
            eprintln!(
                "wrote `{}`: {} metrics; run `promdef check {}`",
                out.display(),
                checked.schema.metrics.len(),
                out.display()
            );
        }
    }
    Ok(Outcome::Clean)
}
