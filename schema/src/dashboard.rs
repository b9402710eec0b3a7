//! A Grafana dashboard for the checked declarations: one row per
//! declaration, a panel per metric chosen by its type, template variables
//! for closed-set labels, and a row of SLO panels reading the recording
//! rules of [`crate::slo`].
//!
//! The layout ([`layout`]) is computed once and shared with the Markdown
//! reference, which links every metric to its panel.
//!
//! ```
//! let checked = promdef_schema::Checked::from_yaml(r#"
//! labels:
//!   code: {values: [ok, error]}
//! metrics:
//!   - {name: jobs_total, type: counter, help: Jobs., labels: [code]}
//! "#);
//! let json = promdef_schema::dashboard::render(&[("jobs.yaml", &checked)], "jobs");
//! let d: serde_json::Value = serde_json::from_str(&json).unwrap();
//! assert_eq!(d["uid"], "promdef-jobs");
//! let expr = d["panels"][1]["targets"][0]["expr"].as_str().unwrap();
//! assert_eq!(expr, r#"sum by (code) (rate(jobs_total{code=~"$code"}[$__rate_interval]))"#);
//! ```

use crate::slo;
use crate::{Checked, MetricPlan, MetricType, ObjectivePlan};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Quantiles shown for histograms.
pub const QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// A panel of the dashboard, as the docs link to it.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelRef {
    /// Index of the declaration.
    pub decl: usize,
    /// The metric, or the objective (`None` for a row).
    pub subject: Subject,
    /// Grafana panel id (stable for the same input).
    pub id: u64,
    /// Panel title.
    pub title: String,
}

/// What a panel shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    /// A declaration's row.
    Row,
    /// A metric, by name.
    Metric(String),
    /// An objective's budget or burn rate, by objective name.
    Objective(String),
}

/// The dashboard's uid for `name` (Grafana allows 40 characters).
pub fn uid(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut u = format!("promdef-{clean}");
    u.truncate(40);
    u
}

/// The Grafana unit of a metric's values (counters: of their rate).
pub fn grafana_unit(m: &MetricPlan) -> &'static str {
    let rate = m.kind == MetricType::Counter;
    match (m.unit.as_deref(), rate) {
        (Some("seconds"), false) => "s",
        // Seconds per second: the fraction of time spent.
        (Some("seconds"), true) => "percentunit",
        (Some("bytes"), false) => "bytes",
        (Some("bytes"), true) => "Bps",
        (Some("ratio"), _) => "percentunit",
        (Some("percent"), _) => "percent",
        (Some("celsius"), _) => "celsius",
        (Some("meters"), false) => "lengthm",
        (Some("volts"), _) => "volt",
        (Some("amperes"), _) => "amp",
        (Some("joules"), _) => "joule",
        (Some("hertz"), _) => "hertz",
        (_, true) if m.name.contains("requests") => "reqps",
        (_, true) => "cps",
        _ => "short",
    }
}

/// Closed-set labels of a metric: `(name, values)`.
fn closed(m: &MetricPlan) -> Vec<(&str, &[String])> {
    m.labels
        .iter()
        .filter_map(|l| l.values.as_deref().map(|v| (l.name.as_str(), v)))
        .collect()
}

/// Whether a closed label can be a template variable: not named like the
/// data-source variable, and with values Grafana passes through unchanged
/// (it trims custom values, splits them on ` : `, and without a feature
/// flag does not escape `"` when it substitutes a regex variable).
fn templatable(name: &str, values: &[String]) -> bool {
    name != "datasource"
        && values
            .iter()
            .all(|v| !v.contains('"') && !v.contains(" : ") && v.trim() == v && !v.is_empty())
}

/// The closed labels of a metric that have template variables.
fn variable_labels(m: &MetricPlan) -> Vec<(&str, &[String])> {
    closed(m)
        .into_iter()
        .filter(|(l, v)| templatable(l, v))
        .collect()
}

/// `{a=~"$a",b=~"$b"}` over a metric's closed labels (template variables).
fn filters(m: &MetricPlan, extra: &[String]) -> String {
    let mut f: Vec<String> = variable_labels(m)
        .iter()
        .map(|(l, _)| format!("{l}=~\"${l}\""))
        .collect();
    f.extend(extra.iter().cloned());
    if f.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", f.join(","))
    }
}

fn by(labels: &[&str]) -> String {
    if labels.is_empty() {
        String::new()
    } else {
        format!(" by ({})", labels.join(", "))
    }
}

/// The queries of a metric's panel: `(expr, legend)`.
pub fn metric_queries(m: &MetricPlan) -> Vec<(String, String)> {
    let names: Vec<&str> = closed(m).iter().map(|(l, _)| *l).collect();
    let legend = |extra: &str| {
        let mut parts: Vec<String> = names.iter().map(|l| format!("{{{{{l}}}}}")).collect();
        if !extra.is_empty() {
            parts.push(extra.to_string());
        }
        if parts.is_empty() {
            m.name.clone()
        } else {
            parts.join(" ")
        }
    };
    let n = &m.name;
    let f = filters(m, &[]);
    match m.kind {
        MetricType::Counter => vec![(
            format!("sum{} (rate({n}{f}[$__rate_interval]))", by(&names)),
            legend(""),
        )],
        // Instances in each state.
        MetricType::StateSet => {
            let mut by_state = vec![n.as_str()];
            by_state.extend(&names);
            vec![(
                format!("sum by ({}) ({n}{f})", by_state.join(", ")),
                legend(&format!("{{{{{n}}}}}")),
            )]
        }
        MetricType::Gauge if names.is_empty() => vec![(n.clone(), "{{instance}}".into())],
        MetricType::Gauge => vec![(format!("sum{} ({n}{f})", by(&names)), legend(""))],
        MetricType::Histogram => {
            let mut le_names = names.clone();
            le_names.push("le");
            QUANTILES
                .iter()
                .map(|q| {
                    let classic = format!(
                        "histogram_quantile({q}, sum{} (rate({n}_bucket{f}[$__rate_interval])))",
                        by(&le_names)
                    );
                    let expr = if m.native.is_some() {
                        // A Prometheus that ingests native histograms has no
                        // `_bucket` series; one that does not has no native one.
                        format!(
                            "histogram_quantile({q}, sum{} (rate({n}{f}[$__rate_interval]))) or {classic}",
                            by(&names)
                        )
                    } else {
                        classic
                    };
                    (expr, legend(&format!("p{}", (q * 100.0).round())))
                })
                .collect()
        }
        MetricType::Summary => vec![(
            format!(
                "sum{b} (rate({n}_sum{f}[$__rate_interval])) / sum{b} (rate({n}_count{f}[$__rate_interval]))",
                b = by(&names)
            ),
            legend("mean"),
        )],
        MetricType::Info => vec![(n.clone(), String::new())],
    }
}

/// A panel's queries: `(expr, legend)`.
pub type Queries = Vec<(String, String)>;

/// The queries of an objective's panels: `(title, unit, queries)`.
pub fn objective_panels(o: &ObjectivePlan) -> Vec<(String, &'static str, Queries)> {
    let sel = format!("{{slo=\"{}\"}}", o.name);
    vec![
        (
            format!("{}: error budget remaining ({})", o.name, o.window),
            "percentunit",
            vec![(
                format!("slo:error_budget_remaining:ratio{sel}"),
                "remaining".into(),
            )],
        ),
        (
            format!("{}: burn rate", o.name),
            // A multiple of the sustainable rate; Grafana has no "×" unit.
            "none",
            ["5m", "1h", "6h", "3d"]
                .iter()
                .map(|w| {
                    (
                        format!(
                            "{}{sel} / on (slo) slo:error_budget:ratio{sel}",
                            slo::ratio_rule(w)
                        ),
                        w.to_string(),
                    )
                })
                .collect(),
        ),
        (
            format!("{}: good events ({}% target)", o.name, o.target),
            "percentunit",
            vec![
                (
                    format!("1 - {}{sel}", slo::ratio_rule("5m")),
                    "SLI (5m)".into(),
                ),
                (format!("slo:objective:ratio{sel}"), "objective".into()),
            ],
        ),
    ]
}

/// Every panel, in order, with stable ids.
pub fn layout(decls: &[(&str, &Checked)]) -> Vec<PanelRef> {
    let mut out = Vec::new();
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    for (i, (path, c)) in decls.iter().enumerate() {
        out.push(PanelRef {
            decl: i,
            subject: Subject::Row,
            id: next(),
            title: row_title(path, c),
        });
        for m in &c.plan.metrics {
            out.push(PanelRef {
                decl: i,
                subject: Subject::Metric(m.name.clone()),
                id: next(),
                title: m.name.clone(),
            });
        }
    }
    let objectives: Vec<(usize, &ObjectivePlan)> = decls
        .iter()
        .enumerate()
        .flat_map(|(i, (_, c))| c.plan.objectives.iter().map(move |o| (i, o)))
        .collect();
    if !objectives.is_empty() {
        out.push(PanelRef {
            decl: usize::MAX,
            subject: Subject::Row,
            id: next(),
            title: "Objectives".into(),
        });
    }
    for (i, o) in objectives {
        for (title, _, _) in objective_panels(o) {
            out.push(PanelRef {
                decl: i,
                subject: Subject::Objective(o.name.clone()),
                id: next(),
                title,
            });
        }
    }
    out
}

fn row_title(path: &str, c: &Checked) -> String {
    match &c.schema.namespace {
        Some(ns) => format!("{} ({path})", ns.value),
        None => path.to_string(),
    }
}

fn datasource() -> Value {
    json!({"type": "prometheus", "uid": "${datasource}"})
}

fn targets(queries: &[(String, String)], table: bool) -> Value {
    let refs = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    Value::Array(
        queries
            .iter()
            .enumerate()
            .map(|(i, (expr, legend))| {
                let mut t = json!({
                    "refId": &refs[i % 26..i % 26 + 1],
                    "datasource": datasource(),
                    "expr": expr,
                    "legendFormat": legend,
                    "range": !table,
                    "instant": table,
                });
                if table {
                    t["format"] = json!("table");
                }
                t
            })
            .collect(),
    )
}

fn panel(
    id: u64,
    kind: &str,
    title: &str,
    description: &str,
    unit: &str,
    grid: (u64, u64, u64, u64),
) -> Value {
    let (x, y, w, h) = grid;
    let mut p = json!({
        "id": id,
        "type": kind,
        "title": title,
        "description": description,
        "datasource": datasource(),
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
    });
    p["options"] = match kind {
        "timeseries" => json!({
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": []},
            "tooltip": {"mode": "multi", "sort": "none"},
        }),
        "stat" => json!({
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": false},
            "colorMode": "value",
            "graphMode": "area",
            "justifyMode": "auto",
            "orientation": "auto",
            "textMode": "auto",
        }),
        _ => json!({"showHeader": true, "cellHeight": "sm"}),
    };
    p
}

/// Template variables: the data source, then one multi-value variable per
/// closed-set label name (values merged when two definitions expose the
/// same name).
fn variables(decls: &[(&str, &Checked)]) -> Vec<Value> {
    let mut labels: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (_, c) in decls {
        for m in &c.plan.metrics {
            for (l, values) in variable_labels(m) {
                let e = labels.entry(l).or_default();
                for v in values {
                    if !e.contains(&v.as_str()) {
                        e.push(v);
                    }
                }
            }
        }
    }
    let mut out = vec![json!({
        "type": "datasource",
        "name": "datasource",
        "label": "Data source",
        "query": "prometheus",
        "hide": 0,
        "current": {},
    })];
    for (l, values) in labels {
        // Grafana's custom variable is comma-separated; `\,` keeps a comma.
        let query: Vec<String> = values.iter().map(|v| v.replace(',', "\\,")).collect();
        out.push(json!({
            "type": "custom",
            "name": l,
            "label": l,
            "query": query.join(","),
            "multi": true,
            "includeAll": true,
            "allValue": ".*",
            "hide": 0,
            "current": {"selected": true, "text": ["All"], "value": ["$__all"]},
            "options": [],
        }));
    }
    out
}

/// The dashboard JSON (pretty-printed, deterministic) for `decls`, named `name`.
pub fn render(decls: &[(&str, &Checked)], name: &str) -> String {
    let refs = layout(decls);
    let mut panels = Vec::new();
    // Rows and panels are laid out in one pass over the shared layout.
    let mut cursor_y = 0u64;
    let mut cursor_col = 0u64;
    let mut objective_panel = BTreeMap::<String, usize>::new();
    for r in &refs {
        let mut grid = |w: u64, h: u64| {
            if cursor_col + w > 24 {
                cursor_col = 0;
                cursor_y += h;
            }
            let at = (cursor_col, cursor_y, w, h);
            cursor_col += w;
            if cursor_col >= 24 {
                cursor_col = 0;
                cursor_y += h;
            }
            at
        };
        match &r.subject {
            Subject::Row => {
                if cursor_col > 0 {
                    cursor_col = 0;
                    cursor_y += 8;
                }
                panels.push(json!({
                    "id": r.id,
                    "type": "row",
                    "title": r.title,
                    "collapsed": false,
                    "gridPos": {"x": 0, "y": cursor_y, "w": 24, "h": 1},
                    "panels": [],
                }));
                cursor_y += 1;
            }
            Subject::Metric(name) => {
                let (_, c) = decls[r.decl];
                let Some(m) = c.plan.metrics.iter().find(|m| &m.name == name) else {
                    continue;
                };
                let table = m.kind == MetricType::Info;
                let kind = if table { "table" } else { "timeseries" };
                let mut p = panel(r.id, kind, &r.title, &m.help, grafana_unit(m), grid(12, 8));
                p["targets"] = targets(&metric_queries(m), table);
                panels.push(p);
            }
            Subject::Objective(name) => {
                let (_, c) = decls[r.decl];
                let Some(o) = c.plan.objectives.iter().find(|o| &o.name == name) else {
                    continue;
                };
                let k = objective_panel.entry(name.clone()).or_insert(0);
                let specs = objective_panels(o);
                let (_, unit, queries) = &specs[*k];
                let kind = if *k == 0 { "stat" } else { "timeseries" };
                let w = if *k == 0 { 6 } else { 9 };
                let description = format!(
                    "{} Objective: {}.",
                    o.help.as_deref().unwrap_or(""),
                    slo::describe(o)
                );
                let mut p = panel(r.id, kind, &r.title, description.trim(), unit, grid(w, 8));
                p["targets"] = targets(queries, false);
                panels.push(p);
                *k += 1;
            }
        }
    }
    let d = json!({
        "uid": uid(name),
        "title": format!("{name} (promdef)"),
        "description": "Generated by `promdef dashboard` from the metric schema; regenerate instead of editing.",
        "tags": ["promdef"],
        "editable": true,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "refresh": "30s",
        "links": [],
        "annotations": {"list": []},
        "templating": {"list": variables(decls)},
        "panels": panels,
    });
    let mut s = serde_json::to_string_pretty(&d).expect("json serializes");
    s.push('\n');
    s
}

/// Every query of a rendered dashboard: `(panel title, expr)`.
pub fn queries(dashboard: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for p in dashboard["panels"].as_array().into_iter().flatten() {
        for t in p["targets"].as_array().into_iter().flatten() {
            if let Some(e) = t["expr"].as_str() {
                out.push((p["title"].as_str().unwrap_or("").to_string(), e.to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A closed label named `datasource`, or with values Grafana would
    /// mangle, gets no template variable (it would break every panel).
    #[test]
    fn labels_grafana_cannot_template_get_no_variable() {
        let c = Checked::from_yaml(
            r#"
labels:
  datasource: {values: [a, b]}
  quote: {values: ["say \"hi\"", plain]}
  code: {values: [ok, error]}
metrics:
  - {name: x_total, type: counter, help: X., labels: [datasource, quote, code]}
"#,
        );
        assert!(c.is_clean(), "{:?}", c.diagnostics);
        let d: Value = serde_json::from_str(&render(&[("x.yaml", &c)], "x")).unwrap();
        let vars: Vec<&str> = d["templating"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        assert_eq!(vars, ["datasource", "code"]);
        let expr = d["panels"][1]["targets"][0]["expr"].as_str().unwrap();
        assert_eq!(
            expr,
            r#"sum by (datasource, quote, code) (rate(x_total{code=~"$code"}[$__rate_interval]))"#
        );
    }
}
