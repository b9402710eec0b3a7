//! Shared by the lint corpus tests: rendering what a schema's statics
//! expose, and promtool's problem classes with the promdef lint for each.

use promdef_schema::{Checked, Schema};

/// What the schema's statics expose, written by the CLI's `expose` (the
/// runtime's own encoder): every closed-set series, and with `used`, one
/// series per open label (value `v`), as after the first update. Metric by
/// metric, so a duplicated name shows up twice, as a registry that did not
/// reject it would expose it.
pub fn render(schema: &Schema, used: bool) -> String {
    schema
        .metrics
        .iter()
        .map(|m| {
            let one = Checked::from_schema(Schema {
                metrics: vec![m.clone()],
                ..schema.clone()
            });
            promdef_cli::expose::render_checked(&[("corpus.yaml", &one)], used.then_some("v"))
        })
        .collect()
}

/// promtool's problem classes (client_golang promlint, as in Prometheus 2.42),
/// and the parse error a duplicate or clashing family causes, with the promdef
/// check that catches each.
pub const PROMTOOL_CLASSES: &[(&str, &str)] = &[
    ("no help text", "help-missing"),
    (
        "counter metrics should have \"_total\" suffix",
        "counter-total-suffix",
    ),
    (
        "non-counter metrics should not have \"_total\" suffix",
        "total-suffix-non-counter",
    ),
    (
        "non-histogram metrics should not have \"_bucket\" suffix",
        "reserved-suffix",
    ),
    (
        "non-histogram and non-summary metrics should not have \"_count\" suffix",
        "reserved-suffix",
    ),
    (
        "non-histogram and non-summary metrics should not have \"_sum\" suffix",
        "reserved-suffix",
    ),
    (
        "non-histogram metrics should not have \"le\" label",
        "reserved-label",
    ),
    (
        "non-summary metrics should not have \"quantile\" label",
        "reserved-label",
    ),
    ("metric name should not include type", "type-in-name"),
    ("metric names should not contain ':'", "colon-in-name"),
    (
        "metric names should be written in 'snake_case' not 'camelCase'",
        "camel-case",
    ),
    (
        "label names should be written in 'snake_case' not 'camelCase'",
        "camel-case",
    ),
    (
        "metric names should not contain abbreviated units",
        "abbreviated-unit",
    ),
    ("use base unit", "non-base-unit"),
    ("second HELP line for metric name", "declared twice"),
];
