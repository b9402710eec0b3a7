//! YAML front end: saphyr-parser events → [`Node`] tree with line/column per node.
//!
//! The tree is built from events rather than a ready-made DOM so that every
//! node keeps its position, duplicate keys survive to be reported, and alias
//! expansion, nesting depth and input size are bounded (billion-laughs input
//! must fail fast with a clear error, never hang).

use crate::diag::{Diagnostic, Loc};
use crate::node::{Key, Node, Value};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// Largest schema file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of lists and mappings accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes a document may expand to, aliases included.
pub const MAX_NODES: usize = 200_000;

fn loc(span: &Span) -> Loc {
    Loc::Yaml {
        line: span.start.line(),
        col: span.start.col() + 1,
    }
}

enum Frame {
    Seq(Loc, Vec<Node>, usize),
    Map(Loc, Vec<(Key, Node)>, Option<Key>, usize),
}

/// A schema file's bytes as text: invalid UTF-8 is an error at the line and
/// column of the first bad byte (the bytes themselves are not echoed).
///
/// ```
/// let err = promdef_schema::yaml::text(b"metrics:\n  - name: \xff\n").unwrap_err();
/// assert_eq!(err.loc.line_col(), Some((2, 11)));
/// assert!(err.message.contains("not valid UTF-8"));
/// ```
pub fn text(bytes: &[u8]) -> Result<&str, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t),
        Err(e) => {
            // Everything before the bad byte is valid UTF-8.
            let good = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            let line = crate::diag::yaml_lines(good).count().max(1);
            let last = good.rfind(['\n', '\r']).map_or(good, |i| &good[i + 1..]);
            let (line, col) = if good.ends_with(['\n', '\r']) {
                (line + 1, 1)
            } else {
                (line, last.chars().count() + 1)
            };
            Err(Diagnostic::error(
                Loc::Yaml { line, col },
                format!(
                    "the schema file is not valid UTF-8 (byte 0x{:02x} at byte offset {}); save it as UTF-8",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                ),
            ))
        }
    }
}

/// Parses one YAML document into a node tree.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            Loc::Yaml { line: 1, col: 1 },
            format!(
                "schema file is {} bytes, more than the {MAX_FILE_BYTES} promdef reads; split it into several files",
                text.len()
            ),
        ));
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    let mut docs = 0usize;

    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| {
            let at = Loc::Yaml {
                line: e.marker().line(),
                col: e.marker().col() + 1,
            };
            if e.info().contains("recursion limit") {
                too_deep(at)
            } else {
                Diagnostic::error(at, format!("invalid YAML: {}", e.info()))
            }
        })?;
        let here = loc(&span);
        let (node, anchor) = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    return Err(Diagnostic::error(
                        here,
                        "a schema file holds one YAML document; remove the extra `---`",
                    ));
                }
                continue;
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(here));
                }
                stack.push(Frame::Seq(here, Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(too_deep(here));
                }
                stack.push(Frame::Map(here, Vec::new(), None, anchor));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(l, items, anchor)) => (
                    Node {
                        loc: l,
                        value: Value::Seq(items),
                    },
                    anchor,
                ),
                _ => return Err(Diagnostic::error(here, "invalid YAML: unbalanced sequence")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(l, entries, _, anchor)) => (
                    Node {
                        loc: l,
                        value: Value::Map(entries),
                    },
                    anchor,
                ),
                _ => return Err(Diagnostic::error(here, "invalid YAML: unbalanced mapping")),
            },
            Event::Scalar(text, style, anchor, _tag) => (
                Node {
                    loc: here,
                    value: resolve_scalar(&text, style),
                },
                anchor,
            ),
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(Diagnostic::error(
                        here,
                        "invalid YAML: alias to an unknown anchor",
                    ));
                };
                let size = count(target);
                nodes += size;
                if nodes > MAX_NODES {
                    return Err(Diagnostic::error(
                        here,
                        format!("YAML aliases expand to more than {MAX_NODES} nodes; write the values out or use fewer aliases"),
                    ));
                }
                let mut n = target.clone();
                n.loc = here;
                (n, 0)
            }
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(Diagnostic::error(
                here,
                format!("schema has more than {MAX_NODES} YAML nodes; split it into several files"),
            ));
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(_, items, _)) => items.push(node),
            Some(Frame::Map(_, entries, pending, _)) => match pending.take() {
                None => {
                    let name = match &node.value {
                        Value::Str(s) | Value::Num(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => "null".to_string(),
                        _ => {
                            return Err(Diagnostic::error(
                                node.loc,
                                "mapping keys must be plain strings",
                            ))
                        }
                    };
                    *pending = Some(Key {
                        name,
                        loc: node.loc,
                    });
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }
    Ok(root.unwrap_or(Node {
        loc: Loc::Yaml { line: 1, col: 1 },
        value: Value::Null,
    }))
}

fn too_deep(here: Loc) -> Diagnostic {
    Diagnostic::error(
        here,
        format!("YAML nests deeper than {MAX_DEPTH} levels; a schema never needs that"),
    )
}

fn count(n: &Node) -> usize {
    match &n.value {
        Value::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|(_, v)| 1 + count(v)).sum::<usize>(),
        _ => 1,
    }
}

/// YAML 1.2 core schema resolution of plain scalars; quoted scalars stay strings.
fn resolve_scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if is_yaml_number(text) {
        Value::Num(text.to_string())
    } else {
        Value::Str(text.to_string())
    }
}

fn is_yaml_number(t: &str) -> bool {
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(t, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    if let Some(hex) = t.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c));
    }
    // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit()))
                && !(a.is_empty() && b.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.chars().all(|c| c.is_ascii_digit()),
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => {
            let d = e.strip_prefix(['+', '-']).unwrap_or(e);
            !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
        }
    };
    mantissa_ok && exp_ok
}

/// Parses a YAML number as written (`1`, `0.5`, `1e3`, `.inf`, `-.inf`, `.nan`, `0x10`).
pub fn parse_number(t: &str) -> Option<f64> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = match body {
        ".inf" | ".Inf" | ".INF" => f64::INFINITY,
        ".nan" | ".NaN" | ".NAN" => f64::NAN,
        _ => {
            if let Some(h) = body.strip_prefix("0x") {
                u64::from_str_radix(h, 16).ok()? as f64
            } else if let Some(o) = body.strip_prefix("0o") {
                u64::from_str_radix(o, 8).ok()? as f64
            } else {
                body.parse::<f64>().ok()?
            }
        }
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_col(n: &Node) -> (usize, usize) {
        match n.loc {
            Loc::Yaml { line, col } => (line, col),
            _ => panic!("no yaml loc"),
        }
    }

    #[test]
    fn nodes_carry_line_and_column() {
        let doc = parse("a: 1\nb:\n  - x\n  - 'y'\n").unwrap();
        let Value::Map(entries) = &doc.value else {
            panic!()
        };
        assert_eq!(entries[0].0.name, "a");
        assert!(matches!(entries[0].1.value, Value::Num(ref s) if s == "1"));
        let Value::Seq(items) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!(line_col(&items[0]), (3, 5));
        assert_eq!(line_col(&items[1]), (4, 5));
        assert!(matches!(items[1].value, Value::Str(ref s) if s == "y"));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let doc = parse("v: ['1xx', \"2\", 3, true, ~]").unwrap();
        let Value::Map(e) = &doc.value else { panic!() };
        let Value::Seq(items) = &e[0].1.value else {
            panic!()
        };
        assert!(matches!(items[0].value, Value::Str(_)));
        assert!(matches!(items[1].value, Value::Str(_)));
        assert!(matches!(items[2].value, Value::Num(_)));
        assert!(matches!(items[3].value, Value::Bool(true)));
        assert!(matches!(items[4].value, Value::Null));
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&s).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let s = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(&s).unwrap_err();
        assert!(err.message.contains("nests deeper"), "{}", err.message);
    }

    #[test]
    fn file_size_is_bounded() {
        let s = format!("# {}\nmetrics: []\n", "x".repeat(MAX_FILE_BYTES));
        let err = parse(&s).unwrap_err();
        assert!(
            err.message.contains("more than the 4194304 promdef reads"),
            "{}",
            err.message
        );
        assert!(matches!(err.loc, Loc::Yaml { line: 1, col: 1 }));
        let tail = "\nmetrics: []\n";
        let fits = format!("# {}{tail}", "x".repeat(MAX_FILE_BYTES - 2 - tail.len()));
        assert_eq!(fits.len(), MAX_FILE_BYTES);
        assert!(parse(&fits).is_ok());
    }

    #[test]
    fn node_count_is_bounded() {
        let s = format!("metrics: [{}]\n", "x, ".repeat(MAX_NODES));
        let err = parse(&s).unwrap_err();
        assert!(
            err.message.contains("more than 200000 YAML nodes"),
            "{}",
            err.message
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML"));
        assert!(matches!(err.loc, Loc::Yaml { .. }));
    }

    #[test]
    fn invalid_utf8_is_located() {
        for (bytes, at) in [
            (&b"\xffmetrics: []"[..], (1, 1)),
            (b"a: b\n\xc3", (2, 1)),
            (b"a: \xc3\xa9\xc3", (1, 5)),
            (b"a: b\r\nc: \x80", (2, 4)),
        ] {
            let e = text(bytes).unwrap_err();
            assert_eq!(e.loc.line_col(), Some(at), "{bytes:?}: {}", e.message);
        }
        assert_eq!(text(b"a: \xc3\xa9").unwrap(), "a: \u{e9}");
    }

    #[test]
    fn numbers_parse_like_yaml() {
        assert_eq!(parse_number("0.005"), Some(0.005));
        assert_eq!(parse_number("-.inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert!(parse_number(".nan").unwrap().is_nan());
        assert!(is_yaml_number(".5"));
        assert!(!is_yaml_number("1xx"));
        assert!(!is_yaml_number("."));
    }
}
