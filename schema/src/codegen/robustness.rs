//! The whole macro (parse, check, expand, report) on random and mutated
//! input: it never panics, and its output is always valid Rust items — the
//! generated code when the declaration is clean, `compile_error!`s plus what
//! validated otherwise. `PROPTEST_CASES` cases per test (proptest default 256, CI 2000).

use super::fallback::{errors, Source, MAX_REPORTED};
use super::metrics_macro;
use crate::{Diagnostic, Loc};
use proc_macro2::TokenStream;
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
    let out = metrics_macro(tokens, None);
    let printed = out.to_string();
    if let Err(e) = syn::parse2::<syn::File>(out) {
        panic!("output is not valid Rust ({e}):\n{printed}\nfrom:\n{text}");
    }
}

#[test]
fn base_expands_without_errors() {
    let out = metrics_macro(TokenStream::from_str(BASE).unwrap(), None).to_string();
    assert!(!out.contains("compile_error"), "{out}");
    assert!(out.contains("static HTTP_REQUESTS_TOTAL"), "{out}");
    check(BASE);
}

#[test]
fn at_most_max_reported_diagnostics_then_a_summary() {
    let diags: Vec<_> = (0..MAX_REPORTED + 50)
        .map(|i| Diagnostic::error(Loc::None, format!("problem {i}")))
        .collect();
    let out = errors(&diags, &Source::Inline).to_string();
    assert_eq!(out.matches("compile_error").count(), MAX_REPORTED + 1);
    assert!(out.contains("problem 99"));
    assert!(!out.contains("problem 100"));
    assert!(out.contains("50 more problems in this declaration are not shown"));
    let few = errors(&diags[..3], &Source::Inline).to_string();
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
