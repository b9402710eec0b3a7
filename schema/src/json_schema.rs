//! A JSON Schema (draft-07) of the YAML format, for editors running
//! yaml-language-server: completion, hover help and validation of keys,
//! metric types, stability levels and lint ids.
//!
//! It is built from the key lists the parser itself accepts
//! ([`ast::SCHEMA_KEYS`](crate::ast::SCHEMA_KEYS) and the others),
//! [`Lint::ALL`], [`MetricType::ALL`] and [`Stability::ALL`], so a key added
//! to the parser without a description here fails this module's tests, and
//! the committed `schema/promdef.schema.json` fails its staleness test.
//!
//! ```
//! let text = promdef_schema::json_schema::generate();
//! assert!(text.contains(r#""stability": {"#));
//! assert!(text.contains(r#""counter-total-suffix""#));
//! ```

use crate::ast::{
    AVAILABILITY_KEYS, DEPRECATED_KEYS, LABEL_KEYS, LATENCY_KEYS, METRIC_KEYS, OBJECTIVE_KEYS,
    SCHEMA_KEYS, VALUE_KEYS,
};
use crate::check::MP_MODES;
use crate::lints::Lint;
use crate::model::{MetricType, Stability};
use serde_json::{json, Map, Value};

/// Where the committed file lives, relative to the workspace root.
pub const COMMITTED_PATH: &str = "schema/promdef.schema.json";

fn typed(ty: &str, description: &str) -> Value {
    json!({"type": ty, "description": description})
}

fn count(description: &str) -> Value {
    json!({"type": "integer", "description": description, "minimum": 1})
}

/// YAML scalars users write as label values: `2xx`, `200`, `true`.
fn scalar(description: &str) -> Value {
    json!({"type": ["string", "number", "boolean"], "description": description})
}

fn one_of<'a>(values: impl IntoIterator<Item = &'a str>, description: &str) -> Value {
    json!({"enum": values.into_iter().collect::<Vec<_>>(), "description": description})
}

fn closed(properties: Map<String, Value>, required: &[&str]) -> Value {
    let mut o = json!({"type": "object", "additionalProperties": false});
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o["properties"] = Value::Object(properties);
    o
}

/// The schema of one key of a mapping, if described.
type Describe = fn(&str) -> Option<Value>;

/// The properties of one mapping, in the parser's key order; an undescribed
/// key gets `{}` (and fails a test).
fn properties(keys: &[&str], describe: Describe) -> Map<String, Value> {
    keys.iter()
        .map(|k| (k.to_string(), describe(k).unwrap_or_else(|| json!({}))))
        .collect()
}

fn lint_list(description: &str, lints: &[Lint]) -> Value {
    let what: Vec<String> = lints
        .iter()
        .map(|l| format!("`{}`: {}", l.id(), l.fires()))
        .collect();
    json!({
        "type": "array",
        "description": description,
        "items": {
            "enum": lints.iter().map(|l| l.id()).collect::<Vec<_>>(),
            "description": what.join("; "),
        },
    })
}

fn schema_key(key: &str) -> Option<Value> {
    Some(match key {
        "namespace" => typed(
            "string",
            "Required prefix of every metric name, without the trailing `_`.",
        ),
        "registry" => typed(
            "string",
            "Rust path of a `static promdef::Registry` (`crate::BATCH`); default: `promdef::registry()`.",
        ),
        "max_series" => count("Series cap of every metric: past it, new label tuples go to the `__overflow__` series (and lint `series-budget` compares it with the label bounds)."),
        "allow" => lint_list("Convention lints accepted for every metric.", Lint::ALL),
        "enable" => {
            let opt_in: Vec<Lint> = Lint::ALL.iter().copied().filter(|l| !l.default_on()).collect();
            lint_list("Opt-in lints to turn on for every metric.", &opt_in)
        }
        "labels" => json!({
            "type": "object",
            "description": "Label definitions, referenced by key from metrics' `labels`.",
            "additionalProperties": {"anyOf": [{"type": "null"}, label_def()]},
        }),
        "metrics" => json!({
            "type": "array",
            "description": "The metrics, in declaration order.",
            "items": metric(),
        }),
        "objectives" => json!({
            "type": "array",
            "description": "Service-level objectives over the metrics, for `promdef rules` and `promdef dashboard`.",
            "items": closed(properties(OBJECTIVE_KEYS, objective_key), &["name", "target", "window"]),
        }),
        _ => return None,
    })
}

/// `{label: value or [values]}`.
fn selector(description: &str) -> Value {
    json!({
        "type": "object",
        "description": description,
        "additionalProperties": {"anyOf": [
            {"type": ["string", "number", "boolean"]},
            {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
        ]},
    })
}

fn objective_key(key: &str) -> Option<Value> {
    Some(match key {
        "name" => typed(
            "string",
            "Identifier naming the rules and alerts (`checkout_availability`).",
        ),
        "help" => typed(
            "string",
            "What the objective promises; the alerts' summary.",
        ),
        "runbook" => typed("string", "Runbook URL, the alerts' `runbook_url`."),
        "availability" => closed(properties(AVAILABILITY_KEYS, availability_key), &["metric"]),
        "latency" => closed(
            properties(LATENCY_KEYS, latency_key),
            &["metric", "threshold"],
        ),
        "target" => json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100,
            "description": "Percent of good events, e.g. 99.9."}),
        "window" => json!({"type": "string", "pattern": "^[1-9][0-9]*[dw]$",
            "description": "The error budget's period, whole days or weeks from 1d to 90d (`28d`)."}),
        _ => return None,
    })
}

fn availability_key(key: &str) -> Option<Value> {
    Some(match key {
        "metric" => typed("string", "A counter of this schema, ending in `_total`."),
        "bad" => selector("Bad events, by closed-set label values."),
        "good" => selector("Good events (instead of `bad`), by closed-set label values."),
        "where" => selector("Events counted at all."),
        _ => return None,
    })
}

fn latency_key(key: &str) -> Option<Value> {
    Some(match key {
        "metric" => typed("string", "A histogram of this schema."),
        "threshold" => typed(
            "number",
            "One of the histogram's bucket bounds: observations at most this are good.",
        ),
        "where" => selector("Observations counted at all."),
        _ => return None,
    })
}

fn label_def() -> Value {
    closed(properties(LABEL_KEYS, label_key), &[])
}

fn label_key(key: &str) -> Option<Value> {
    Some(match key {
        "name" => json!({
            "type": "string",
            "pattern": "^[a-zA-Z_][a-zA-Z0-9_]*$",
            "description": "The exposed label name, when it differs from the key (two definitions may expose the same name with different values).",
        }),
        "help" => typed("string", "Description of the label, for docs."),
        "values" => json!({
            "type": "array",
            "description": "A closed set of values: generates an enum, and every series is created at 0.",
            "items": {"anyOf": [
                scalar("A value, exposed as written."),
                closed(properties(VALUE_KEYS, value_key), &["value"]),
            ]},
        }),
        "max_values" => json!({
            "description": "Bound on the distinct values of an open label; more go to the `__overflow__` series. `unlimited`: no cap.",
            "oneOf": [{"type": "integer", "minimum": 1}, {"const": "unlimited"}],
        }),
        "rust_type" => typed(
            "string",
            "Name of the generated enum (default: the CamelCase key).",
        ),
        _ => return None,
    })
}

fn value_key(key: &str) -> Option<Value> {
    Some(match key {
        "value" => scalar("The value as exposed."),
        "variant" => typed("string", "The enum variant's name."),
        _ => return None,
    })
}

fn metric() -> Value {
    closed(properties(METRIC_KEYS, metric_key), &["name", "type"])
}

fn metric_key(key: &str) -> Option<Value> {
    Some(match key {
        "name" => typed("string", "Full exposed name, namespace included."),
        "type" => one_of(MetricType::ALL.iter().map(|t| t.as_str()), "The metric type."),
        "help" => typed("string", "HELP text: what the metric measures."),
        "unit" => typed(
            "string",
            "Base unit (`seconds`, `bytes`); must be the name's suffix (before `_total`).",
        ),
        "labels" => json!({
            "type": "array",
            "description": "Keys of label definitions under `labels:`.",
            "items": {"type": "string"},
        }),
        "buckets" => json!({
            "description": "Histogram bucket upper bounds, increasing, or a generated series; default: Prometheus' defaults.",
            "oneOf": [
                {"type": "array", "items": {"type": "number"}},
                {
                    "type": "object", "additionalProperties": false, "required": ["exponential"],
                    "properties": {"exponential": {
                        "type": "object", "additionalProperties": false,
                        "required": ["start", "factor", "count"],
                        "description": "`start`, `start × factor`, … (`count` bounds).",
                        "properties": {
                            "start": {"type": "number", "exclusiveMinimum": 0},
                            "factor": {"type": "number", "exclusiveMinimum": 1},
                            "count": {"type": "integer", "minimum": 1, "maximum": crate::ast::MAX_BUCKET_SERIES},
                        },
                    }},
                },
                {
                    "type": "object", "additionalProperties": false, "required": ["linear"],
                    "properties": {"linear": {
                        "type": "object", "additionalProperties": false,
                        "required": ["start", "width", "count"],
                        "description": "`start`, `start + width`, … (`count` bounds).",
                        "properties": {
                            "start": {"type": "number"},
                            "width": {"type": "number", "exclusiveMinimum": 0},
                            "count": {"type": "integer", "minimum": 1, "maximum": crate::ast::MAX_BUCKET_SERIES},
                        },
                    }},
                },
            ],
        }),
        "native" => json!({
            "description": "Native (sparse, exponential) buckets: `true`, or a block; served in the protobuf exposition.",
            "oneOf": [
                {"type": "boolean"},
                {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "factor": {"type": "number", "description": "Growth factor of one bucket to the next (default 1.1, schema 3)."},
                        "schema": {"type": "integer", "minimum": -4, "maximum": 8, "description": "The schema itself, instead of `factor`."},
                        "max_buckets": {"type": "integer", "minimum": 1, "maximum": 4096, "description": "Most buckets before the resolution halves (default 160)."},
                        "zero_threshold": {"type": "number", "minimum": 0, "description": "Width of the zero bucket (default 2^-128)."},
                    },
                },
            ],
        }),
        "const_labels" => json!({
            "type": "object",
            "description": "Labels with one fixed value on every series: a value, or `{env: VARIABLE}` read when the crate compiles (`CARGO_PKG_VERSION`).",
            "additionalProperties": {"anyOf": [
                scalar("The label's value."),
                {"type": "object", "additionalProperties": false, "required": ["env"],
                 "properties": {"env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                    "description": "A build-time environment variable (`env!`)."}}},
            ]},
        }),
        "static_name" => typed(
            "string",
            "Name of the generated static (default: the name without namespace, SCREAMING_CASE).",
        ),
        "stability" => one_of(
            Stability::ALL.iter().map(|t| t.as_str()),
            "What `promdef diff` lets change: `stable` freezes name, type, labels, unit and buckets; `beta` may add labels; `alpha` (default) and `internal` may change.",
        ),
        "deprecated" => {
            let mut d = closed(properties(DEPRECATED_KEYS, deprecated_key), &["since"]);
            d["description"] = json!("Marks the metric deprecated: rustc warns at every use, help gets `(deprecated since …)`.");
            d
        }
        "allow" => lint_list("Convention lints accepted for this metric.", Lint::ALL),
        "max_series" => count("Series cap of this metric: past it, new label tuples go to the `__overflow__` series (and lint `series-budget` compares it with the label bounds)."),
        "note" => typed("string", "Longer explanation, shown in the generated docs."),
        "multiprocess_mode" => one_of(
            MP_MODES.iter().copied(),
            "How gauges combine across processes in multi-process mode.",
        ),
        "visibility" => typed(
            "string",
            "Rust visibility of the static (`pub`, `pub(crate)`); default `pub`.",
        ),
        "quantiles" => json!({
            "description": "Summaries: quantiles over a sliding window, as a list (10 minutes in 5 age buckets, ±1 %) or a block.",
            "oneOf": [
                {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}},
                {"type": "object", "additionalProperties": false, "required": ["objectives"], "properties": {
                    "objectives": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}},
                    "max_age": {"type": "string", "pattern": "^[0-9]+[smh]$", "description": "Window length, 10s to 24h (default 10m)."},
                    "age_buckets": {"type": "integer", "minimum": 1, "maximum": 60, "description": "Estimators the window is split into (default 5)."},
                    "accuracy": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.5, "description": "Relative error of reported values (default 0.01)."},
                }},
            ],
        }),
        "states" => json!({
            "type": "array", "items": {"type": "string"}, "minItems": 1,
            "description": "Statesets: the states (an enum is generated), the first one current at start.",
        }),
        "value" => json!({"enum": ["integer", "float"],
            "description": "Counters: `float` for fractional increments (`inc_by(0.25)`, as Python's counters); default `integer`, the faster whole count."}),
        "sharded" => typed(
            "boolean",
            "Counters only: spread the count over per-thread shards for very hot series (2 KiB per series).",
        ),
        _ => return None,
    })
}

fn deprecated_key(key: &str) -> Option<Value> {
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
    let mut root = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "promdef metric schema",
        "description": "Prometheus metrics declared once for promdef. Generated by `promdef_schema::json_schema::generate`; do not edit.",
    });
    let Value::Object(body) = closed(properties(SCHEMA_KEYS, schema_key), &["metrics"]) else {
        unreachable!("closed() builds an object")
    };
    root.as_object_mut().expect("an object").extend(body);
    let mut out = serde_json::to_string_pretty(&root).expect("JSON values serialise");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parser_key_is_described() {
        let lists: [(&[&str], Describe); 8] = [
            (OBJECTIVE_KEYS, objective_key),
            (AVAILABILITY_KEYS, availability_key),
            (LATENCY_KEYS, latency_key),
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
}
