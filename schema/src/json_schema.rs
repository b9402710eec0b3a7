//! A JSON Schema (draft-07) of the YAML format, for editors running
//! yaml-language-server: completion, hover help and validation of keys,
//! metric types, stability levels and lint ids.
//!
//! It is built from the key lists the parser itself accepts
//! ([`ast::SCHEMA_KEYS`](crate::ast::SCHEMA_KEYS) and the others),
//! [`check::LINTS`](crate::check::LINTS), [`MetricType::ALL`] and
//! [`Stability::ALL`], so a key added to the parser without a description
//! here fails this module's tests, and the committed
//! `schema/promdef.schema.json` fails its staleness test.
//!
//! ```
//! let text = promdef_schema::json_schema::generate();
//! assert!(text.contains(r#""stability": {"#));
//! assert!(text.contains(r#""counter-total-suffix""#));
//! ```

use crate::ast::{DEPRECATED_KEYS, LABEL_KEYS, METRIC_KEYS, SCHEMA_KEYS, VALUE_KEYS};
use crate::check::{LINTS, MP_MODES};
use crate::model::{MetricType, Stability};
use std::fmt::Write;

/// Where the committed file lives, relative to the workspace root.
pub const COMMITTED_PATH: &str = "schema/promdef.schema.json";

/// A JSON value, just enough to write a schema deterministically.
enum J {
    Str(String),
    Num(u64),
    Bool(bool),
    Arr(Vec<J>),
    /// Keys keep insertion order, so the output is stable.
    Obj(Vec<(String, J)>),
}

fn s(v: &str) -> J {
    J::Str(v.to_string())
}

fn obj<const N: usize>(entries: [(&str, J); N]) -> J {
    J::Obj(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> J {
    J::Arr(items.into_iter().map(s).collect())
}

impl J {
    fn with(mut self, key: &str, v: J) -> J {
        if let J::Obj(entries) = &mut self {
            entries.push((key.to_string(), v));
        }
        self
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = "  ".repeat(indent + 1);
        let close = "  ".repeat(indent);
        match self {
            J::Str(v) => write_str(out, v),
            J::Num(n) => {
                let _ = write!(out, "{n}");
            }
            J::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            J::Arr(items) if items.is_empty() => out.push_str("[]"),
            J::Arr(items) => {
                // Short scalar lists on one line keep the file readable.
                if items.iter().all(|i| matches!(i, J::Str(_) | J::Num(_))) {
                    out.push('[');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        item.write(out, indent);
                    }
                    out.push(']');
                    return;
                }
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad);
                    item.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&close);
                out.push(']');
            }
            J::Obj(entries) if entries.is_empty() => out.push_str("{}"),
            J::Obj(entries) => {
                out.push_str("{\n");
                for (i, (k, v)) in entries.iter().enumerate() {
                    out.push_str(&pad);
                    write_str(out, k);
                    out.push_str(": ");
                    v.write(out, indent + 1);
                    out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
                }
                out.push_str(&close);
                out.push('}');
            }
        }
    }
}

fn write_str(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn typed(ty: &str, description: &str) -> J {
    obj([("type", s(ty)), ("description", s(description))])
}

fn count(description: &str) -> J {
    typed("integer", description).with("minimum", J::Num(1))
}

/// YAML scalars users write as label values: `2xx`, `200`, `true`.
fn scalar(description: &str) -> J {
    obj([
        ("type", strings(["string", "number", "boolean"])),
        ("description", s(description)),
    ])
}

fn one_of(values: J, description: &str) -> J {
    obj([("enum", values), ("description", s(description))])
}

fn closed(properties: Vec<(String, J)>, required: &[&str]) -> J {
    let mut o = obj([
        ("type", s("object")),
        ("additionalProperties", J::Bool(false)),
    ]);
    if !required.is_empty() {
        o = o.with("required", strings(required.iter().copied()));
    }
    o.with("properties", J::Obj(properties))
}

/// The schema of one key of a mapping, if described.
type Describe = fn(&str) -> Option<J>;

/// The properties of one mapping, in the parser's key order; `None` marks a
/// key this module does not describe (a test fails on it).
fn properties(keys: &[&str], describe: Describe) -> Vec<(String, J)> {
    keys.iter()
        .map(|k| (k.to_string(), describe(k).unwrap_or_else(|| obj([]))))
        .collect()
}

fn schema_key(key: &str) -> Option<J> {
    Some(match key {
        "namespace" => typed(
            "string",
            "Required prefix of every metric name, without the trailing `_`.",
        ),
        "registry" => typed(
            "string",
            "Rust path of a `static promdef::Registry` (`crate::BATCH`); default: `promdef::registry()`.",
        ),
        "max_series" => count("Series budget of every metric (lint `series-budget`)."),
        "labels" => obj([
            ("type", s("object")),
            (
                "description",
                s("Shared label definitions, referenced by name from metrics' `labels`."),
            ),
            (
                "propertyNames",
                obj([("pattern", s("^[a-zA-Z_][a-zA-Z0-9_]*$"))]),
            ),
            (
                "additionalProperties",
                obj([
                    ("anyOf", J::Arr(vec![obj([("type", s("null"))]), label_def()])),
                ]),
            ),
        ]),
        "metrics" => obj([
            ("type", s("array")),
            ("description", s("The metrics, in declaration order.")),
            ("items", metric()),
        ]),
        _ => return None,
    })
}

fn label_def() -> J {
    closed(properties(LABEL_KEYS, label_key), &[])
}

fn label_key(key: &str) -> Option<J> {
    Some(match key {
        "help" => typed("string", "Description of the label, for docs."),
        "values" => obj([
            ("type", s("array")),
            (
                "description",
                s("A closed set of values: generates an enum, and every series is created at 0."),
            ),
            (
                "items",
                obj([(
                    "anyOf",
                    J::Arr(vec![
                        scalar("A value, exposed as written."),
                        closed(properties(VALUE_KEYS, value_key), &["value"]),
                    ]),
                )]),
            ),
        ]),
        "max_values" => count("Bound on the distinct values of an open label."),
        "rust_type" => typed(
            "string",
            "Name of the generated enum (default: the CamelCase label name).",
        ),
        _ => return None,
    })
}

fn value_key(key: &str) -> Option<J> {
    Some(match key {
        "value" => scalar("The value as exposed."),
        "variant" => typed("string", "The enum variant's name."),
        _ => return None,
    })
}

fn metric() -> J {
    closed(properties(METRIC_KEYS, metric_key), &["name", "type"])
}

fn metric_key(key: &str) -> Option<J> {
    Some(match key {
        "name" => typed("string", "Full exposed name, namespace included."),
        "type" => one_of(
            strings(MetricType::ALL.iter().map(|t| t.as_str())),
            "The metric type.",
        ),
        "help" => typed("string", "HELP text: one sentence ending with a period."),
        "unit" => typed(
            "string",
            "Base unit (`seconds`, `bytes`); must be the name's suffix (before `_total`).",
        ),
        "labels" => obj([
            ("type", s("array")),
            ("description", s("Names of labels defined under `labels:`.")),
            ("items", obj([("type", s("string"))])),
        ]),
        "buckets" => obj([
            ("type", s("array")),
            (
                "description",
                s("Histogram bucket upper bounds, increasing; default: Prometheus' defaults."),
            ),
            ("items", obj([("type", s("number"))])),
        ]),
        "const_labels" => obj([
            ("type", s("object")),
            ("description", s("Labels with one fixed value on every series.")),
            ("additionalProperties", scalar("The label's value.")),
        ]),
        "static_name" => typed(
            "string",
            "Name of the generated static (default: the name without namespace, SCREAMING_CASE).",
        ),
        "stability" => one_of(
            strings(Stability::ALL.iter().map(|t| t.as_str())),
            "What `promdef diff` lets change: `stable` freezes name, type, labels, unit and buckets; `beta` may add labels; `alpha` (default) and `internal` may change.",
        ),
        "deprecated" => closed(properties(DEPRECATED_KEYS, deprecated_key), &["since"])
            .with(
                "description",
                s("Marks the metric deprecated: rustc warns at every use, help gets `(deprecated since …)`."),
            ),
        "allow" => obj([
            ("type", s("array")),
            ("description", s("Convention lints accepted for this metric.")),
            (
                "items",
                J::Obj(vec![
                    (
                        "enum".to_string(),
                        strings(LINTS.iter().map(|(id, _)| *id)),
                    ),
                    (
                        "description".to_string(),
                        s(&LINTS
                            .iter()
                            .map(|(id, what)| format!("`{id}`: {what}"))
                            .collect::<Vec<_>>()
                            .join("; ")),
                    ),
                ]),
            ),
        ]),
        "max_series" => count("Series budget of this metric (lint `series-budget`)."),
        "note" => typed("string", "Longer explanation, shown in the generated docs."),
        "multiprocess_mode" => one_of(
            strings(MP_MODES.iter().copied()),
            "How gauges combine across processes in multi-process mode.",
        ),
        "visibility" => typed(
            "string",
            "Rust visibility of the static (`pub`, `pub(crate)`); default `pub`.",
        ),
        "sharded" => typed(
            "boolean",
            "Counters only: spread the count over per-thread shards for very hot series (2 KiB per series).",
        ),
        _ => return None,
    })
}

fn deprecated_key(key: &str) -> Option<J> {
    Some(match key {
        "since" => scalar("Version that deprecated the metric."),
        "renamed_to" => typed(
            "string",
            "The metric that replaces it (declared in this schema).",
        ),
        "note" => typed("string", "Free-form note for users."),
        _ => return None,
    })
}

/// The JSON Schema text, pretty-printed with a trailing newline.
pub fn generate() -> String {
    let root = closed(properties(SCHEMA_KEYS, schema_key), &["metrics"]);
    let J::Obj(body) = root else {
        unreachable!("closed() builds an object")
    };
    let mut entries = vec![
        (
            "$schema".to_string(),
            s("http://json-schema.org/draft-07/schema#"),
        ),
        ("title".to_string(), s("promdef metric schema")),
        (
            "description".to_string(),
            s("Prometheus metrics declared once for promdef. Generated by `promdef_schema::json_schema::generate`; do not edit."),
        ),
    ];
    entries.extend(body);
    let mut out = String::new();
    J::Obj(entries).write(&mut out, 0);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parser_key_is_described() {
        let lists: [(&[&str], Describe); 5] = [
            (SCHEMA_KEYS, schema_key),
            (LABEL_KEYS, label_key),
            (VALUE_KEYS, value_key),
            (METRIC_KEYS, metric_key),
            (DEPRECATED_KEYS, deprecated_key),
        ];
        for (keys, describe) in lists {
            for k in keys {
                assert!(describe(k).is_some(), "key `{k}` has no JSON Schema entry");
            }
        }
    }

    #[test]
    fn strings_are_escaped() {
        let mut out = String::new();
        write_str(&mut out, "a\"b\\c\nd\u{1}");
        assert_eq!(out, r#""a\"b\\c\nd\u0001""#);
    }
}
