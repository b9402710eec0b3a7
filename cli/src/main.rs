//! `promdef`: check, document, expose and diff promdef metric schemas
//! without building the application.
//!
//! Inputs are YAML schema files, Rust files and crate directories (whose
//! `metrics!` invocations are read with the proc macro's own front end).
//! Exit status: 0 clean, 1 findings (or stale docs, or breaking changes),
//! 2 unusable input, with a one-line reason on stderr.

use clap::{Parser, Subcommand, ValueEnum};
use promdef_cli::input::{self, Decl, Unusable};
use promdef_cli::{expose, text_diff};
use promdef_schema::markdown;
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
        } => usable(&inputs).map(|decls| {
            emit(&expose::render(&decls, open_label_value.as_deref()));
            Outcome::Clean
        }),
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

fn check(inputs: &[PathBuf], format: Format) -> Result<Outcome, Unusable> {
    let decls = input::load(inputs)?;
    let findings: usize = decls.iter().map(|d| d.diagnostics.len()).sum();
    let metrics: usize = decls.iter().map(|d| d.schema.metrics.len()).sum();
    match format {
        Format::Human => {
            let mut out = String::new();
            for d in &decls {
                for diag in &d.diagnostics {
                    out.push_str("error: ");
                    out.push_str(&diag.render(&d.path, &d.text));
                    out.push_str("\n\n");
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
            let list: Vec<serde_json::Value> = decls
                .iter()
                .flat_map(|d| {
                    d.diagnostics.iter().map(|diag| {
                        let (line, column) = diag.loc.line_col().unzip();
                        serde_json::json!({
                            "file": d.path,
                            "line": line,
                            "column": column,
                            "lint": diag.lint,
                            "message": diag.message,
                        })
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "findings": list,
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

/// Loads inputs for commands that need a schema that makes sense: convention
/// lints are tolerated (the model is complete), errors are not.
fn usable(inputs: &[PathBuf]) -> Result<Vec<Decl>, Unusable> {
    let decls = input::load(inputs)?;
    let bad: Vec<String> = decls
        .iter()
        .filter(|d| d.errors() > 0)
        .map(|d| format!("`{}` ({})", d.path, d.errors()))
        .collect();
    if bad.is_empty() {
        return Ok(decls);
    }
    let args: Vec<String> = inputs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    Err(Unusable(format!(
        "errors in {}; run `promdef check {}` and fix them first",
        bad.join(", "),
        args.join(" ")
    )))
}

fn docs(
    inputs: &[PathBuf],
    output: Option<&std::path::Path>,
    check: bool,
) -> Result<Outcome, Unusable> {
    let decls = usable(inputs)?;
    let sources: Vec<markdown::Source<'_>> = decls
        .iter()
        .map(|d| markdown::Source {
            path: &d.path,
            schema: &d.schema,
        })
        .collect();
    let text = markdown::render(&sources);
    let Some(out) = output else {
        emit(&text);
        return Ok(Outcome::Clean);
    };
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
    let old_decls = usable(&[old.to_path_buf()])?;
    let new_decls = usable(&[new.to_path_buf()])?;
    fn schemas(d: &[Decl]) -> Vec<&promdef_schema::Schema> {
        d.iter().map(|d| &d.schema).collect()
    }
    let changes =
        promdef_schema::diff::breaking_changes(&schemas(&old_decls), &schemas(&new_decls));
    let compared: usize = old_decls.iter().map(|d| d.schema.metrics.len()).sum();
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
