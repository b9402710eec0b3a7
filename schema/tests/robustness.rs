//! Property tests for both front ends: random and mutated input never panics,
//! every diagnostic points into the input, whatever the plan holds can be
//! generated (valid names, buckets and Rust identifiers) whatever else is
//! wrong, and a clean declaration plans every metric.
//!
//! Bounded: proptest's default 256 cases per test; CI sets `PROPTEST_CASES=2000`.

use promdef_schema::{dsl, naming, Checked, Diagnostic, Loc, MetricType, Storage};
use proptest::prelude::*;
use std::str::FromStr;

const QUICKSTART: &str = include_str!("../../examples/quickstart/schema/metrics.yaml");

/// A valid inline declaration using every construct of the grammar.
const INLINE: &str = r#"
    namespace = "shop";
    max_series = 5000;
    /// HTTP request method.
    label method { values: [GET, POST, other] }
    /// Status class.
    label status_class { values: ["2xx", "5xx"], rust_type: StatusClass }
    /// Route template.
    label route { max_values: 200 }
    /// Total HTTP requests handled.
    pub counter shop_http_requests_total(method, status_class, route);
    /// Time spent handling a request.
    ///
    /// A longer note.
    pub(crate) histogram shop_http_request_duration_seconds(method) {
        unit: seconds,
        buckets: [0.005, 0.01, 0.1, 1, 2.5e1],
        stability: stable,
    }
    /// Build information.
    pub info shop_build_info { const_labels: { version: "1.4.2", "git_sha": "abc" } }
    /// Queue length.
    gauge shop_queue_length { multiprocess_mode: livesum, max_series: 10 }
    /// Old name.
    counter shop_orders { allow: [counter-total-suffix], deprecated: { since: "1.2", renamed_to: shop_http_requests_total } }
    /// Sizes.
    summary "shop_payload_bytes" { unit: bytes }
"#;

/// Checks that hold for any input: messages follow the style, YAML
/// diagnostics point inside the text, and a clean declaration is generable.
fn check_yaml_outcome(text: &str) {
    let decl = Checked::from_yaml(text);
    let lines = promdef_schema::diag::yaml_lines(text).count().max(1);
    for d in &decl.diagnostics {
        check_message(d);
        match d.loc {
            Loc::Yaml { line, col } => {
                assert!(
                    line >= 1 && line <= lines + 1 && col >= 1,
                    "{d:?} outside {lines} lines"
                );
            }
            other => panic!("YAML diagnostic without a YAML location: {other:?} {d:?}"),
        }
        let shown = d.render("schema.yaml", text);
        assert!(shown.contains("--> schema.yaml:"), "{shown}");
    }
    check_generable(&decl);
}

fn check_message(d: &Diagnostic) {
    let m = &d.message;
    assert!(!m.is_empty());
    assert!(!m.ends_with('.'), "trailing period: {m}");
}

/// What the code generator relies on: every planned item is valid, even
/// when the declaration has errors; with none, every metric is planned.
fn check_generable(decl: &Checked) {
    let plan = &decl.plan;
    if decl.is_clean() {
        assert_eq!(plan.metrics.len(), decl.schema.metrics.len());
        assert!(plan.registry.is_some());
    }
    let mut statics = std::collections::HashSet::new();
    for m in &plan.metrics {
        assert!(naming::is_metric_name(&m.name));
        assert!(naming::is_rust_ident(&m.static_name), "{}", m.static_name);
        assert!(statics.insert(&m.static_name), "{} twice", m.static_name);
        for l in &m.labels {
            assert!(naming::is_field_name(&l.name), "{}", l.name);
            if let Some(e) = l.closed {
                assert!(e < plan.enums.len());
            }
        }
        if let Some(st) = &m.labels_struct {
            assert!(naming::is_rust_ident(st));
        }
        if m.kind == MetricType::Histogram {
            assert!(!m.buckets.is_empty());
            assert!(m.buckets.iter().all(|b| b.is_finite()));
            assert!(m.buckets.windows(2).all(|w| w[0] < w[1]));
        }
        if let Storage::Dense(n) = m.storage {
            assert!(n as u128 <= promdef_schema::check::MAX_DENSE_SERIES);
        }
    }
    let mut types = std::collections::HashSet::new();
    for e in &plan.enums {
        assert!(naming::is_rust_ident(&e.type_name));
        assert!(types.insert(&e.type_name), "{} twice", e.type_name);
        assert!(!e.variants.is_empty());
        let mut variants = std::collections::HashSet::new();
        for (v, _) in &e.variants {
            assert!(naming::is_rust_ident(v), "{v}");
            assert!(variants.insert(v), "{v} twice");
        }
    }
}

fn check_inline_outcome(tokens: proc_macro2::TokenStream) {
    match dsl::parse(tokens) {
        Err(d) => check_message(&d),
        Ok(dsl::Invocation::File { .. }) => {}
        Ok(dsl::Invocation::Inline(node)) => {
            let decl = Checked::from_node(&node);
            for d in &decl.diagnostics {
                check_message(d);
                assert!(
                    !matches!(d.loc, Loc::Yaml { .. }),
                    "inline diagnostic with a YAML location: {d:?}"
                );
            }
            check_generable(&decl);
            let again = Checked::from_node(&node);
            assert_eq!(
                messages(&decl.diagnostics),
                messages(&again.diagnostics),
                "checks are not deterministic"
            );
        }
    }
}

fn messages(d: &[Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.full_message()).collect()
}

/// Pieces that matter to YAML's grammar and to promdef's schema.
const YAML_PIECES: &[&str] = &[
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!tag ",
    "|",
    ">",
    "'",
    "\"",
    "#",
    "\n",
    "  ",
    "\t",
    "---\n",
    "...",
    "~",
    "null",
    "true",
    ".inf",
    "-.inf",
    ".nan",
    "0x1f",
    "1e999",
    "-1",
    "0",
    "name",
    "type",
    "help",
    "labels",
    "values",
    "buckets",
    "allow",
    "unit",
    "counter",
    "gauge",
    "histogram",
    "summary",
    "info",
    "max_values",
    "max_series",
    "const_labels",
    "deprecated",
    "renamed_to",
    "since",
    "static_name",
    "rust_type",
    "variant",
    "value",
    "le",
    "quantile",
    "_total",
    "_count",
    "__x",
    "self",
    "type-in-name",
    "é",
    "\u{0}",
    "\r\n",
    "\\",
    "?",
    "%YAML 1.2\n",
    "<<: *a",
    "&b [*b]",
];

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    DupLine(usize),
    SwapLines(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, p)| Edit::Insert(a, p)),
        any::<usize>().prop_map(Edit::DupLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ];
    prop::collection::vec(edit, 1..8)
}

/// Applies edits on characters (never splitting one) and lines.
fn mutate(base: &str, edits: &[Edit], pieces: &[&str]) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for e in edits {
        match *e {
            Edit::Delete(at, n) => {
                let at = at % (chars.len() + 1);
                let end = (at + n).min(chars.len());
                chars.drain(at..end);
            }
            Edit::Insert(at, p) => {
                let at = at % (chars.len() + 1);
                let piece = pieces[p % pieces.len()];
                chars.splice(at..at, piece.chars());
            }
            Edit::DupLine(l) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<&str> = text.lines().collect();
                let i = l % lines.len().max(1);
                if let Some(line) = lines.get(i).copied() {
                    lines.insert(i, line);
                }
                chars = lines.join("\n").chars().collect();
            }
            Edit::SwapLines(a, b) => {
                let text: String = chars.iter().collect();
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let n = lines.len();
                    lines.swap(a % n, b % n);
                }
                chars = lines.join("\n").chars().collect();
            }
        }
    }
    chars.into_iter().collect()
}

/// Token texts of a stream, delimiters as separate pieces, so edits keep
/// (or deliberately break) the token structure.
fn flatten(ts: proc_macro2::TokenStream, out: &mut Vec<String>) {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    for tt in ts {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::None => ("", ""),
                };
                out.push(open.into());
                flatten(g.stream(), out);
                out.push(close.into());
            }
            TokenTree::Punct(p) => {
                let mut s = p.as_char().to_string();
                if p.spacing() == Spacing::Joint {
                    s.push('\u{1}'); // glued to the next token when joined
                }
                out.push(s);
            }
            other => out.push(other.to_string()),
        }
    }
}

fn join(tokens: &[String]) -> String {
    let mut s = String::new();
    for t in tokens {
        match t.strip_suffix('\u{1}') {
            Some(glued) => s.push_str(glued),
            None => {
                s.push_str(t);
                s.push(' ');
            }
        }
    }
    s
}

const TOKEN_PIECES: &[&str] = &[
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
    "#",
    "!",
    "::",
    "pub",
    "pub(crate)",
    "label",
    "counter",
    "gauge",
    "histogram",
    "summary",
    "info",
    "self",
    "crate",
    "type",
    "\"s\"",
    "\"\"",
    "\"a-b\"",
    "1",
    "0",
    "1e999",
    "2.5",
    "-1",
    "1xx",
    "'c'",
    "b\"x\"",
    "true",
    "values",
    "buckets",
    "allow",
    "unit",
    "help",
    "max_values",
    "const_labels",
    "le",
    "quantile",
    "__x",
    "x_total",
    "/// doc",
    "#[doc = \"d\"]",
    "#[allow(x)]",
];

#[derive(Debug, Clone)]
enum TokEdit {
    Delete(usize),
    Insert(usize, usize),
    Dup(usize),
    Swap(usize, usize),
}

fn tok_edits() -> impl Strategy<Value = Vec<TokEdit>> {
    let e = prop_oneof![
        any::<usize>().prop_map(TokEdit::Delete),
        (any::<usize>(), any::<usize>()).prop_map(|(a, p)| TokEdit::Insert(a, p)),
        any::<usize>().prop_map(TokEdit::Dup),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| TokEdit::Swap(a, b)),
    ];
    prop::collection::vec(e, 1..6)
}

fn inline_base() -> Vec<String> {
    let mut toks = Vec::new();
    flatten(
        proc_macro2::TokenStream::from_str(INLINE).unwrap(),
        &mut toks,
    );
    toks
}

#[test]
fn the_bases_are_clean() {
    // Mutations start from valid input, so they explore near-valid schemas.
    let d = Checked::from_yaml(QUICKSTART);
    assert!(d.is_clean(), "{:?}", messages(&d.diagnostics));
    let tokens = proc_macro2::TokenStream::from_str(&join(&inline_base())).unwrap();
    let Ok(dsl::Invocation::Inline(node)) = dsl::parse(tokens) else {
        panic!("inline base does not parse")
    };
    let d = Checked::from_node(&node);
    assert!(d.is_clean(), "{:?}", messages(&d.diagnostics));
    assert_eq!(d.schema.metrics.len(), 6);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn yaml_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_yaml_outcome(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn yaml_random_pieces(pieces in prop::collection::vec(0..YAML_PIECES.len(), 0..200)) {
        let text: String = pieces.iter().map(|&i| YAML_PIECES[i]).collect();
        check_yaml_outcome(&text);
    }

    #[test]
    fn yaml_mutated_quickstart(e in edits()) {
        check_yaml_outcome(&mutate(QUICKSTART, &e, YAML_PIECES));
    }

    #[test]
    fn inline_random_text(s in "[ -~\n]{0,400}") {
        if let Ok(tokens) = proc_macro2::TokenStream::from_str(&s) {
            check_inline_outcome(tokens);
        }
    }

    #[test]
    fn inline_random_tokens(pieces in prop::collection::vec(0..TOKEN_PIECES.len(), 0..120)) {
        let text = pieces.iter().map(|&i| TOKEN_PIECES[i]).collect::<Vec<_>>().join(" ");
        if let Ok(tokens) = proc_macro2::TokenStream::from_str(&text) {
            check_inline_outcome(tokens);
        }
    }

    #[test]
    fn inline_mutated_declaration(e in tok_edits()) {
        let mut toks = inline_base();
        for edit in &e {
            let n = toks.len().max(1);
            match *edit {
                TokEdit::Delete(i) => { if !toks.is_empty() { toks.remove(i % n); } }
                TokEdit::Insert(i, p) => toks.insert(i % (toks.len() + 1), TOKEN_PIECES[p % TOKEN_PIECES.len()].to_string()),
                TokEdit::Dup(i) => { if !toks.is_empty() { let t = toks[i % n].clone(); toks.insert(i % n, t); } }
                TokEdit::Swap(a, b) => { if !toks.is_empty() { toks.swap(a % n, b % n); } }
            }
        }
        if let Ok(tokens) = proc_macro2::TokenStream::from_str(&join(&toks)) {
            check_inline_outcome(tokens);
        }
    }
}

#[test]
fn deep_inline_nesting_is_an_error_not_a_stack_overflow() {
    let text = format!("x = {}1{};", "[".repeat(2_000), "]".repeat(2_000));
    let tokens = proc_macro2::TokenStream::from_str(&text).unwrap();
    let err = match dsl::parse(tokens) {
        Err(e) => e,
        Ok(_) => panic!("2,000 nested lists were accepted"),
    };
    assert!(err.message.contains("nest deeper than"), "{}", err.message);
    let minus = format!("x = {}1;", "- ".repeat(2_000));
    let err = match dsl::parse(proc_macro2::TokenStream::from_str(&minus).unwrap()) {
        Err(e) => e,
        Ok(_) => panic!("2,000 minus signs were accepted"),
    };
    assert!(err.message.contains("nest deeper than"), "{}", err.message);
}

#[test]
fn large_schemas_are_checked_in_linear_time_not_rejected() {
    // 20,000 metrics and a 20,000-value closed set: every check is a hash
    // lookup, so this finishes quickly (a quadratic check would take minutes).
    let mut s = String::from("labels:\n  l:\n    values: [");
    for i in 0..20_000 {
        s.push_str(&format!("v{i},"));
    }
    s.push_str("]\nmetrics:\n");
    for i in 0..20_000 {
        s.push_str(&format!(
            "- {{name: m{i}_total, type: counter, help: x.}}\n"
        ));
    }
    s.push_str("- {name: m0_total, type: counter, help: x., labels: [l]}\n");
    let d = Checked::from_yaml(&s);
    assert_eq!(d.schema.metrics.len(), 20_001);
    let errors: Vec<&str> = d.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        errors.iter().any(|m| m.contains("declared twice")),
        "{errors:?}"
    );
}
