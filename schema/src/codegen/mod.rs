//! Code generation for the `metrics!` proc macro (feature `codegen`).
//!
//! The proc-macro crate is a shell around [`metrics_macro`]; everything it
//! does is here, in an ordinary library, so the generated code has golden
//! tests (`schema/tests/codegen/<case>/expected.rs`) and the macro as a whole
//! has property tests without a compiler in the loop.
//!
//! Generation reads only [`Checked::plan`]: what the checks rejected is not
//! there, so one mistake gives one error, not a cascade of "cannot find
//! value". [`fallback`] decides how findings become `compile_error!`s.
//!
//! ```
//! let tokens: proc_macro2::TokenStream = r#"
//!     /// Jobs done.
//!     pub counter jobs_done_total;
//! "#.parse().unwrap();
//! let out = promdef_schema::codegen::metrics_macro(tokens, None).to_string();
//! assert!(out.contains("static JOBS_DONE_TOTAL"));
//! assert!(!out.contains("compile_error"));
//! ```

pub mod fallback;
mod items;

use crate::dsl::{self, Invocation};
use crate::{Checked, Diagnostic, Loc};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::Path;

pub use items::items;

/// Where a declaration came from: its metrics' declaration sites.
#[derive(Clone, Debug)]
pub enum Origin {
    /// `metrics! { … }`: sites are `file!()` and the token's line.
    Inline,
    /// `metrics!(file = "…")`: the path as written, and YAML lines.
    Yaml {
        /// The path as written in the invocation.
        path: String,
    },
}

/// The whole `metrics!` macro: parse the invocation, read the YAML file it
/// names (relative to `manifest_dir`, the calling crate's
/// `CARGO_MANIFEST_DIR`), check, and return the generated items plus a
/// `compile_error!` per finding.
pub fn metrics_macro(input: TokenStream, manifest_dir: Option<&Path>) -> TokenStream {
    match dsl::parse(input) {
        Err(d) => fallback::errors(&[d], &fallback::Source::Inline),
        Ok(Invocation::Inline(node)) => {
            let checked = Checked::from_node(&node);
            let errors = fallback::errors(&checked.diagnostics, &fallback::Source::Inline);
            let code = items(&checked, &Origin::Inline);
            quote!(#errors #code)
        }
        Ok(Invocation::File { path, span }) => file(&path, span, manifest_dir),
    }
}

fn file(path: &str, span: Span, manifest_dir: Option<&Path>) -> TokenStream {
    let full = manifest_dir.unwrap_or(Path::new("")).join(path);
    let bytes = match std::fs::read(&full) {
        Ok(b) => b,
        Err(e) => {
            let msg = format!(
                "cannot read schema `{path}`: {e}; the path is relative to the directory of the crate's Cargo.toml (`CARGO_MANIFEST_DIR`)"
            );
            return syn::Error::new(span, msg).to_compile_error();
        }
    };
    let full_str = full.to_string_lossy().into_owned();
    // Makes cargo rebuild this crate when the schema changes.
    let rebuild = quote!(
        const _: &[u8] = ::core::include_bytes!(#full_str);
    );
    let text = match crate::yaml::text(&bytes) {
        Ok(t) => t,
        Err(d) => {
            let src = fallback::Source::Yaml {
                shown: path,
                text: "",
                span,
            };
            let errors = fallback::errors(&[d], &src);
            return quote!(#rebuild #errors);
        }
    };
    let checked = Checked::from_yaml(text);
    let src = fallback::Source::Yaml {
        shown: path,
        text,
        span,
    };
    let errors = fallback::errors(&checked.diagnostics, &src);
    let code = items(
        &checked,
        &Origin::Yaml {
            path: path.to_string(),
        },
    );
    quote!(#rebuild #errors #code)
}

/// A diagnostic's span for the inline macro.
pub(crate) fn span_of(d: &Diagnostic) -> Span {
    match d.loc {
        Loc::Token(s) => s,
        _ => Span::call_site(),
    }
}

#[cfg(test)]
mod robustness;
