//! What to emit after findings: one `compile_error!` per diagnostic, spanned
//! on the offending token (inline) or on the file path with `file:line:col`
//! and the YAML line (YAML), at most [`MAX_REPORTED`] per declaration. The
//! items the plan holds are emitted beside them (see the module above), so
//! uses of what did validate still compile.

use crate::Diagnostic;
use proc_macro2::{Span, TokenStream};

/// Most diagnostics reported for one declaration: enough to fix in one go,
/// few enough that a generated or corrupt schema cannot flood the compiler.
pub const MAX_REPORTED: usize = 100;

/// Where the diagnostics of a declaration point.
pub enum Source<'a> {
    /// `metrics! { … }`: each diagnostic at its token.
    Inline,
    /// `metrics!(file = "…")`: at the path literal, rendered with the line.
    Yaml {
        /// The path as written.
        shown: &'a str,
        /// The file's text.
        text: &'a str,
        /// The span of the path literal.
        span: Span,
    },
}

/// The `compile_error!`s for `diags`.
pub fn errors(diags: &[Diagnostic], src: &Source<'_>) -> TokenStream {
    let lines: Vec<&str> = match src {
        Source::Yaml { text, .. } => crate::diag::yaml_lines(text).collect(),
        Source::Inline => Vec::new(),
    };
    let mut combined: Option<syn::Error> = None;
    for d in diags.iter().take(MAX_REPORTED) {
        let e = match src {
            Source::Yaml { shown, span, .. } => {
                let line = d
                    .loc
                    .line()
                    .and_then(|l| lines.get(l.saturating_sub(1)))
                    .copied()
                    .unwrap_or("");
                syn::Error::new(*span, d.render_line(shown, line))
            }
            Source::Inline => syn::Error::new(super::span_of(d), d.full_message()),
        };
        match &mut combined {
            Some(c) => c.combine(e),
            None => combined = Some(e),
        }
    }
    if let (Some(c), Some(more)) = (&mut combined, diags.len().checked_sub(MAX_REPORTED)) {
        if more > 0 {
            let span = match src {
                Source::Yaml { span, .. } => *span,
                Source::Inline => Span::call_site(),
            };
            c.combine(syn::Error::new(
                span,
                format!("{more} more problems in this declaration are not shown; fix the ones above first"),
            ));
        }
    }
    combined.map(|e| e.to_compile_error()).unwrap_or_default()
}
