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

/// Most diagnostics reported for one declaration: enough to fix in one go,
/// few enough that a generated or corrupt schema cannot flood the compiler.
const MAX_REPORTED: usize = 100;

fn to_errors(diags: &[Diagnostic], src: &ErrorSource<'_>) -> TokenStream {
    let lines: Vec<&str> = match src {
        ErrorSource::Yaml { text, .. } => promdef_schema::diag::yaml_lines(text).collect(),
        ErrorSource::Inline => Vec::new(),
    };
    let mut combined: Option<syn::Error> = None;
    for d in diags.iter().take(MAX_REPORTED) {
        let e = match (src, d.loc) {
            (ErrorSource::Yaml { shown, span, .. }, loc) => {
                let line = loc
                    .line()
                    .and_then(|l| lines.get(l.saturating_sub(1)))
                    .copied()
                    .unwrap_or("");
                syn::Error::new(*span, d.render_yaml_line(shown, line))
            }
            (ErrorSource::Inline, Loc::Token(s)) => syn::Error::new(s, d.full_message()),
            (ErrorSource::Inline, _) => syn::Error::new(Span::call_site(), d.full_message()),
        };
        match &mut combined {
            Some(c) => c.combine(e),
            None => combined = Some(e),
        }
    }
    if let (Some(c), Some(more)) = (&mut combined, diags.len().checked_sub(MAX_REPORTED)) {
        if more > 0 {
            let span = match src {
                ErrorSource::Yaml { span, .. } => *span,
                ErrorSource::Inline => Span::call_site(),
            };
            c.combine(syn::Error::new(
                span,
                format!("{more} more problems in this declaration are not shown; fix the ones above first"),
            ));
        }
    }
    combined.map(|e| e.to_compile_error()).unwrap_or_default()
}

/// The whole macro (parse, check, expand, report) on random and mutated
/// input: it never panics, and its output is always valid Rust items — the
/// generated code when the declaration is clean, `compile_error!`s plus what
/// validated otherwise. `PROPTEST_CASES` cases per test (proptest default 256, CI 2000).
#[cfg(test)]
mod robustness {
    use super::{expand_invocation, to_errors, ErrorSource, MAX_REPORTED};
    use proc_macro2::TokenStream;
    use promdef_schema::{Diagnostic, Loc};
    use proptest::prelude::*;
    use std::str::FromStr;

    // `#[doc]` rather than `///`: mutations rejoin words on one line.
    const BASE: &str = r#"
        namespace = "shop";
        #[doc = "HTTP request method."]
        label method { values: [GET, POST, other] }
        #[doc = "Route template."]
        label route { max_values: 200 }
        #[doc = "Total HTTP requests handled."]
        pub counter shop_http_requests_total(method, route);
        #[doc = "Time spent handling a request."]
        pub(crate) histogram shop_http_request_duration_seconds(method) { unit: seconds, buckets: [0.1, 1] }
        #[doc = "Build information."]
        pub info shop_build_info { const_labels: { version: "1.4.2" } }
        #[doc = "Queue length."]
        gauge shop_queue_length;
        #[doc = "Sizes."]
        summary shop_payload_bytes { unit: bytes }
    "#;

    const PIECES: &[&str] = &[
        ";",
        ",",
        ":",
        "=",
        "-",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "pub",
        "label",
        "counter",
        "gauge",
        "histogram",
        "summary",
        "info",
        "self",
        "type",
        "\"s\"",
        "\"\"",
        "1",
        "0",
        "1e999",
        "-1",
        "values",
        "buckets",
        "allow",
        "unit",
        "le",
        "quantile",
        "x_total",
        "max_values",
        "static_name",
        "rust_type",
        "\"a b\"",
        "/// d",
        "_",
        "Self",
    ];

    fn check(text: &str) {
        let Ok(tokens) = TokenStream::from_str(text) else {
            return;
        };
        let out = expand_invocation(tokens);
        let printed = out.to_string();
        if let Err(e) = syn::parse2::<syn::File>(out) {
            panic!("output is not valid Rust ({e}):\n{printed}\nfrom:\n{text}");
        }
    }

    #[test]
    fn base_expands_without_errors() {
        let out = expand_invocation(TokenStream::from_str(BASE).unwrap()).to_string();
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("static HTTP_REQUESTS_TOTAL"), "{out}");
        check(BASE);
    }

    #[test]
    fn at_most_max_reported_diagnostics_then_a_summary() {
        let diags: Vec<_> = (0..MAX_REPORTED + 50)
            .map(|i| Diagnostic::error(Loc::None, format!("problem {i}")))
            .collect();
        let out = to_errors(&diags, &ErrorSource::Inline).to_string();
        assert_eq!(out.matches("compile_error").count(), MAX_REPORTED + 1);
        assert!(out.contains("problem 99"));
        assert!(!out.contains("problem 100"));
        assert!(out.contains("50 more problems in this declaration are not shown"));
        let few = to_errors(&diags[..3], &ErrorSource::Inline).to_string();
        assert_eq!(few.matches("compile_error").count(), 3);
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn random_tokens(p in prop::collection::vec(0..PIECES.len(), 0..80)) {
            check(&p.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" "));
        }

        #[test]
        fn mutated_base(edits in prop::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 1..5)) {
            let mut words: Vec<String> = BASE.split_whitespace().map(String::from).collect();
            for (at, piece, insert) in edits {
                let i = at % words.len().max(1);
                if insert || words.is_empty() {
                    words.insert(i.min(words.len()), PIECES[piece % PIECES.len()].to_string());
                } else {
                    words.remove(i);
                }
            }
            check(&words.join(" "));
        }
    }
}
