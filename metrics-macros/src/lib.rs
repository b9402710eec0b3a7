//! The `metrics!` proc macro. Use it through the `promdef` crate, which
//! documents it; this crate only parses, reports and expands.

mod expand;

use proc_macro2::{Span, TokenStream};
use promdef_schema::dsl::{self, Invocation};
use promdef_schema::{Declaration, Diagnostic, Loc};
use quote::quote;
use std::path::PathBuf;

/// Declares metrics from a YAML file (`metrics!(file = "schema/metrics.yaml")`,
/// relative to the calling crate's `Cargo.toml`) or inline (`metrics! { … }`).
/// See the `promdef` crate documentation for the grammar.
#[proc_macro]
pub fn metrics(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand_invocation(input.into()).into()
}

fn expand_invocation(input: TokenStream) -> TokenStream {
    match dsl::parse(input) {
        Err(d) => to_errors(&[d], &ErrorSource::Inline),
        Ok(Invocation::Inline(node)) => {
            let decl = Declaration::from_node(&node);
            let errors = to_errors(&decl.diagnostics, &ErrorSource::Inline);
            let code = expand::expand(&decl.schema, &expand::Origin::Inline);
            quote!(#errors #code)
        }
        Ok(Invocation::File { path, span }) => file(&path, span),
    }
}

enum ErrorSource<'a> {
    Inline,
    Yaml {
        shown: &'a str,
        text: &'a str,
        span: Span,
    },
}

fn file(path: &str, span: Span) -> TokenStream {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let full = dir.join(path);
    let text = match std::fs::read_to_string(&full) {
        Ok(t) => t,
        Err(e) => {
            let msg = format!(
                "cannot read schema `{path}`: {e}; the path is relative to the directory of the crate's Cargo.toml (`CARGO_MANIFEST_DIR`)"
            );
            return syn::Error::new(span, msg).to_compile_error();
        }
    };
    let full_str = full.to_string_lossy().into_owned();
    let decl = Declaration::from_yaml(&text);
    let errors = to_errors(
        &decl.diagnostics,
        &ErrorSource::Yaml {
            shown: path,
            text: &text,
            span,
        },
    );
    let code = expand::expand(
        &decl.schema,
        &expand::Origin::Yaml {
            path: path.to_string(),
        },
    );
    quote! {
        // Makes cargo rebuild this crate when the schema changes.
        const _: &[u8] = ::core::include_bytes!(#full_str);
        #errors
        #code
    }
}

fn to_errors(diags: &[Diagnostic], src: &ErrorSource<'_>) -> TokenStream {
    let mut combined: Option<syn::Error> = None;
    for d in diags {
        let e = match (src, d.loc) {
            (ErrorSource::Yaml { shown, text, span }, _) => {
                syn::Error::new(*span, d.render_yaml(shown, text))
            }
            (ErrorSource::Inline, Loc::Token(s)) => syn::Error::new(s, d.full_message()),
            (ErrorSource::Inline, _) => syn::Error::new(Span::call_site(), d.full_message()),
        };
        match &mut combined {
            Some(c) => c.combine(e),
            None => combined = Some(e),
        }
    }
    combined.map(|e| e.to_compile_error()).unwrap_or_default()
}
