//! The promdef metric schema: one validated model from two front ends.
//!
//! ```text
//! YAML file ─┐                      ┌─ Rust code (promdef-macros)
//!            ├─ Node tree ─ Schema ─┼─ Markdown docs
//! metrics!{}─┘      (checks)        └─ JSON Schema, diff, exposition (CLI)
//! ```
//!
//! This crate has no `proc_macro` dependency so the proc macro, the CLI and
//! build scripts share it.
//!
//! ```
//! let decl = promdef_schema::Declaration::from_yaml(r#"
//! metrics:
//!   - name: jobs_processed_total
//!     type: counter
//!     help: Jobs processed.
//! "#);
//! assert!(decl.diagnostics.is_empty());
//! assert_eq!(decl.schema.metrics[0].name.value, "jobs_processed_total");
//! ```

#![warn(missing_docs)]

pub mod ast;
pub mod check;
pub mod diag;
pub mod diff;
pub mod dsl;
pub mod json_schema;
pub mod markdown;
pub mod model;
pub mod naming;
pub mod node;
pub mod resolve;
pub mod yaml;

pub use diag::{Diagnostic, Loc, Spanned};
pub use model::*;
pub use resolve::{resolve, Resolved, ResolvedEnum, ResolvedLabel, ResolvedMetric};

use diag::Ctxt;

/// A parsed and checked declaration: the schema (best effort, even when it
/// has errors) and every diagnostic found.
#[derive(Debug)]
pub struct Declaration {
    /// The schema as far as it could be built.
    pub schema: Schema,
    /// Every error and lint, in one pass.
    pub diagnostics: Vec<Diagnostic>,
}

impl Declaration {
    /// Parses and checks a YAML schema.
    pub fn from_yaml(text: &str) -> Declaration {
        match yaml::parse(text) {
            Ok(node) => Declaration::from_node(&node),
            Err(d) => Declaration {
                schema: Schema::default(),
                diagnostics: vec![d],
            },
        }
    }

    /// Builds and checks a schema from a node tree (either front end).
    pub fn from_node(node: &node::Node) -> Declaration {
        let mut cx = Ctxt::new();
        let schema = ast::build(&mut cx, node);
        let mut diagnostics = cx.into_diagnostics();
        diagnostics.extend(check::check(&schema));
        Declaration {
            schema,
            diagnostics,
        }
    }

    /// Whether the declaration has no finding at all.
    pub fn is_clean(&self) -> bool {
        self.diagnostics.is_empty()
    }
}
