//! The promdef metric schema: two front ends, one model, one checked plan.
//!
//! ```text
//! YAML file ─┐                                   ┌─ Rust code   (feature `codegen`: the proc macro)
//!            ├─ Node tree ─ Schema ─ check ─ Checked ─┼─ Markdown, JSON Schema, diff (feature `docs`: the CLI)
//! metrics!{}─┘   (ast)     (model)  (rules)  (plan)   └─ exposition of the declared metrics (CLI)
//! ```
//!
//! [`Checked`] is the only thing consumers read: the rules in [`check`]
//! decide what is valid, and what they reject is not in [`Checked::plan`],
//! so generated code, docs and the CLI cannot disagree. This crate has no
//! `proc_macro` dependency, so the proc macro, the CLI and build scripts
//! share it; the macro compiles only what it needs (`codegen`).
//!
//! ```
//! let checked = promdef_schema::Checked::from_yaml(r#"
//! metrics:
//!   - name: jobs_processed_total
//!     type: counter
//!     help: Jobs processed.
//! "#);
//! assert!(checked.is_clean());
//! assert_eq!(checked.plan.metrics[0].name, "jobs_processed_total");
//! ```

#![warn(missing_docs)]

pub mod ast;
pub mod check;
mod checked;
pub mod diag;
pub mod dsl;
pub mod lints;
pub mod model;
pub mod naming;
pub mod node;
pub mod resolve;
pub mod yaml;

#[cfg(feature = "codegen")]
pub mod codegen;
#[cfg(feature = "docs")]
pub mod dashboard;
#[cfg(feature = "docs")]
pub mod diff;
#[cfg(feature = "docs")]
pub mod json_schema;
#[cfg(feature = "docs")]
pub mod markdown;
#[cfg(feature = "docs")]
pub mod slo;

pub use check::Suppressed;

/// The label value of a family's overflow series: an open label past its
/// `max_values`, or every open label once a family reaches its series cap,
/// takes this value (the runtime's `promdef::OVERFLOW`).
pub const OVERFLOW_VALUE: &str = "__overflow__";

/// The series cap of a family with an open label declared without any
/// bound (accepted with `allow: [unbounded-label]`): as the OpenTelemetry
/// SDK's default cardinality limit. `max_values: unlimited` has no cap.
pub const DEFAULT_SERIES_CAP: u64 = 2000;
pub use checked::{
    duration_seconds, le_spellings, promql_float, promql_string, schema_of_factor, selector,
    Checked, DeprecationPlan, EnumPlan, LabelPlan, Matcher, MetricPlan, NativePlan, ObjectivePlan,
    Plan, QuantilesPlan, RegistryPlan, SliPlan, Storage,
};
pub use diag::{Diagnostic, Loc, Related, Spanned};
pub use lints::{Citation, Lint};
pub use model::*;
