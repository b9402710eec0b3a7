//! `promdef expose`: the exposition an application declaring these schemas
//! produces at start-up, written by the runtime's own encoder.
//!
//! Each metric becomes a [`Family`] over a leaked `'static` [`Descriptor`]
//! built exactly as the proc macro builds it (same help, labels, const
//! labels and buckets, from the same resolved model), whose series are what
//! the runtime pre-creates: every closed-set combination at 0, one series for
//! unlabelled and info metrics, none for metrics with an open label — or, with
//! a placeholder value, one per open label, as after a first update.
//! Metrics the proc macro would not generate (invalid names, unresolved
//! labels) are left out, as the macro leaves them out.

use crate::input::Decl;
use promdef::family::LabelDescriptor;
use promdef::{Descriptor, Family, Kind, Sample, Site};
use promdef_schema::resolve::{exposed_help, resolve, ResolvedMetric};
use promdef_schema::{MetricType, Schema};

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn leak_slice<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

/// A declared metric as it is at start-up.
struct AtStart {
    desc: &'static Descriptor,
    buckets: &'static [f64],
    series: Vec<Vec<&'static str>>,
}

impl Family for AtStart {
    fn descriptor(&self) -> &'static Descriptor {
        self.desc
    }

    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        for values in &self.series {
            let sample = match self.desc.kind {
                Kind::Counter => Sample::Counter(0),
                Kind::Gauge => Sample::Gauge(0.0),
                Kind::Info => Sample::Info,
                Kind::Summary => Sample::Summary { count: 0, sum: 0.0 },
                Kind::Histogram => Sample::Histogram {
                    bounds: self.buckets,
                    cumulative: vec![0; self.buckets.len() + 1],
                    sum: 0.0,
                },
            };
            f(values, sample);
        }
    }
}

fn kind(t: MetricType) -> Kind {
    match t {
        MetricType::Counter => Kind::Counter,
        MetricType::Gauge => Kind::Gauge,
        MetricType::Histogram => Kind::Histogram,
        MetricType::Summary => Kind::Summary,
        MetricType::Info => Kind::Info,
    }
}

fn family(path: &str, m: &ResolvedMetric<'_>, open: Option<&'static str>) -> AtStart {
    let md = m.metric;
    let labels: Vec<LabelDescriptor> = m
        .labels
        .iter()
        .map(|l| LabelDescriptor {
            name: leak(l.name()),
            values: l
                .def
                .values
                .as_ref()
                .map(|v| leak_slice(v.value.iter().map(|v| leak(&v.value.value)).collect())),
        })
        .collect();
    let desc: &'static Descriptor = Box::leak(Box::new(Descriptor {
        name: leak(&md.name.value),
        help: leak(&exposed_help(md)),
        kind: kind(md.kind.value),
        unit: md.unit.as_ref().map(|u| leak(&u.value)),
        labels: leak_slice(labels),
        const_labels: leak_slice(
            md.const_labels
                .iter()
                .map(|(k, v)| (leak(&k.value), leak(&v.value)))
                .collect(),
        ),
        site: Site {
            krate: "",
            file: leak(path),
            line: md.name.loc.line().unwrap_or(0) as u32,
        },
        multiprocess_mode: "all",
    }));
    // Same order as `Dense`: the last label varies fastest.
    let mut series: Vec<Vec<&'static str>> = vec![Vec::new()];
    if md.kind.value != MetricType::Info {
        for l in desc.labels {
            let values = match (l.values, open) {
                (Some(values), _) => values,
                (None, Some(v)) => leak_slice(vec![v]),
                (None, None) => {
                    series.clear();
                    break;
                }
            };
            series = series
                .iter()
                .flat_map(|prefix| {
                    values.iter().map(move |v| {
                        let mut s = prefix.clone();
                        s.push(*v);
                        s
                    })
                })
                .collect();
        }
    }
    AtStart {
        desc,
        buckets: leak_slice(m.buckets.clone()),
        series,
    }
}

/// Whether the proc macro generates this metric (the same conditions).
fn generated(m: &ResolvedMetric<'_>) -> bool {
    promdef_schema::naming::is_metric_name(&m.metric.name.value)
        && m.labels.len() == m.metric.labels.len()
}

/// Text format 0.0.4 of every declared metric, sorted by name as the
/// registry sorts them; a duplicated name keeps its first declaration.
/// With `open`, metrics with open labels show one series using that value.
pub fn render(decls: &[Decl], open: Option<&str>) -> String {
    let schemas: Vec<(&str, &Schema)> =
        decls.iter().map(|d| (d.path.as_str(), &d.schema)).collect();
    render_schemas(&schemas, open)
}

/// [`render`] for schemas given as `(path shown as the declaration site, schema)`.
pub fn render_schemas(schemas: &[(&str, &Schema)], open: Option<&str>) -> String {
    let open = open.map(leak);
    let mut families: Vec<AtStart> = schemas
        .iter()
        .flat_map(|(path, schema)| {
            resolve(schema)
                .metrics
                .iter()
                .filter(|m| generated(m))
                .map(|m| family(path, m, open))
                .collect::<Vec<_>>()
        })
        .collect();
    families.sort_by_key(|f| f.desc.name);
    families.dedup_by_key(|f| f.desc.name);
    let mut out = String::new();
    for f in &families {
        promdef::encode::text_family(f, &mut out);
    }
    out
}
