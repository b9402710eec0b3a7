//! Semantic checks: errors (the schema is wrong) and convention lints (the
//! schema works but breaks a Prometheus guideline), over the one resolved
//! model, so YAML and the inline macro get the same messages.
//!
//! Every rule is a small function that opens with the rule and an example.
//! A rule that finds something code generation cannot emit *rejects* the
//! metric or label definition it is about; [`crate::Checked`] then plans code
//! only for what no rule rejected. So validity is decided here, once:
//! codegen, docs and the CLI consume the plan and never re-validate.

mod allow;
mod labels;
mod lints;
mod metrics;
mod objectives;
mod rust_names;
mod schema;

use crate::diag::{Diagnostic, Loc};
use crate::lints::Lint;
use crate::model::Schema;
use crate::resolve::Resolved;

pub use allow::Suppressed;
pub use metrics::MAX_DENSE_SERIES;
pub use objectives::{window_days, MAX_WINDOW_DAYS, MIN_WINDOW_DAYS};

/// Values of `multiprocess_mode`, as Python's client names them.
pub const MP_MODES: &[&str] = &[
    "all",
    "liveall",
    "min",
    "max",
    "sum",
    "livemin",
    "livemax",
    "livesum",
    "mostrecent",
    "livemostrecent",
];

/// Most values a closed set may have: its enum is `#[repr(u16)]` and the
/// open-label key stores a closed value as a `u16`.
pub const MAX_CLOSED_VALUES: usize = u16::MAX as usize;

/// What the checks concluded.
pub(crate) struct Verdict {
    /// Errors and the lints no `allow` accepted, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Lints an `allow` accepted.
    pub suppressed: Vec<Suppressed>,
    /// Per metric: a rule found something code cannot be generated for.
    pub bad_metric: Vec<bool>,
    /// Per label definition: likewise (its enum, and the metrics using it).
    pub bad_label: Vec<bool>,
    /// The registry path is not a Rust path: no metric can be registered.
    pub bad_registry: bool,
    /// Per objective: a rule found it cannot be computed.
    pub bad_objective: Vec<bool>,
}

/// The state every rule works on.
pub(crate) struct Cx<'s> {
    pub s: &'s Schema,
    pub r: &'s Resolved<'s>,
    diags: Vec<Diagnostic>,
    bad_metric: Vec<bool>,
    bad_label: Vec<bool>,
    bad_registry: bool,
    bad_objective: Vec<bool>,
}

impl<'s> Cx<'s> {
    fn new(s: &'s Schema, r: &'s Resolved<'s>) -> Self {
        Cx {
            s,
            r,
            diags: Vec::new(),
            bad_metric: vec![false; s.metrics.len()],
            bad_label: vec![false; s.labels.len()],
            bad_registry: false,
            bad_objective: vec![false; s.objectives.len()],
        }
    }

    /// An error that does not stop code generation (the code would compile
    /// and mean what the user wrote; the error says what to change).
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(loc, message));
    }

    /// Records any finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// An error about metric `i` that does not stop its code generation.
    pub fn error_on(&mut self, i: usize, d: Diagnostic) {
        self.diags.push(Diagnostic {
            metric: Some(i),
            ..d
        });
    }

    /// An error about label definition `i` that does not stop its code generation.
    pub fn label_error(&mut self, i: usize, d: Diagnostic) {
        self.diags.push(Diagnostic {
            label: Some(i),
            ..d
        });
    }

    /// An error that stops code generation for metric `i`.
    pub fn reject_metric(&mut self, i: usize, d: Diagnostic) {
        self.bad_metric[i] = true;
        self.diags.push(Diagnostic {
            metric: Some(i),
            ..d
        });
    }

    /// An error that stops code generation for label definition `i`, its
    /// enum and every metric using it.
    pub fn reject_label(&mut self, i: usize, d: Diagnostic) {
        self.bad_label[i] = true;
        self.diags.push(Diagnostic {
            label: Some(i),
            ..d
        });
    }

    /// An error that keeps objective `i` out of the plan (`None`: one the
    /// front end already reported).
    pub fn reject_objective(&mut self, i: usize, d: Option<Diagnostic>) {
        self.bad_objective[i] = true;
        self.diags.extend(d);
    }

    /// An error that stops code generation for every metric.
    pub fn reject_all(&mut self, d: Diagnostic) {
        self.bad_registry = true;
        self.diags.push(d);
    }

    /// Whether a lint runs for this schema: on by default, or `enable:`d.
    pub fn enabled(&self, lint: Lint) -> bool {
        lint.default_on() || self.s.enable.iter().any(|e| e.value == lint.id())
    }

    /// A lint about metric `i`, when the lint is enabled.
    pub fn lint(&mut self, i: usize, loc: Loc, lint: Lint, message: impl Into<String>) {
        if self.enabled(lint) {
            let mut d = Diagnostic::lint(loc, lint, message);
            d.metric = Some(i);
            self.diags.push(d);
        }
    }
}

/// Runs every rule on `schema` (resolved once by the caller) and applies
/// `allow:`. An unused `allow` is an error.
pub(crate) fn check(schema: &Schema, r: &Resolved<'_>) -> Verdict {
    let mut cx = Cx::new(schema, r);
    schema::check(&mut cx);
    labels::check(&mut cx);
    metrics::check(&mut cx);
    rust_names::check(&mut cx);
    objectives::check(&mut cx);
    let (diagnostics, suppressed) = allow::apply(schema, cx.diags);
    Verdict {
        diagnostics,
        suppressed,
        bad_metric: cx.bad_metric,
        bad_label: cx.bad_label,
        bad_registry: cx.bad_registry,
        bad_objective: cx.bad_objective,
    }
}

/// `` `a`, `b` `` for messages.
pub(crate) fn list(items: &[&str]) -> String {
    crate::ast::list(items)
}

#[cfg(test)]
mod tests;
