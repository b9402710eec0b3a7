//! `promdef expose`: the exposition an application declaring these schemas
//! produces at start-up, written by the runtime's own encoder.
//!
//! Each planned metric becomes a [`Family`] over a leaked `'static`
//! [`Descriptor`] filled field for field from the same [`MetricPlan`] the
//! proc macro generates its descriptor from (help, labels, const labels,
//! buckets, multi-process mode), whose series are what the runtime
//! pre-creates: every closed-set combination at 0, one series for
//! unlabelled and info metrics, none for metrics with an open label — or,
//! with a placeholder value, one per open label, as after a first update.
//! What the checks rejected is not in the plan, so it is left out exactly as
//! the macro leaves it out.

use crate::input::Decl;
use promdef::family::LabelDescriptor;
use promdef::{Descriptor, Family, Kind, Sample, Site};
use promdef_schema::{Checked, MetricPlan, MetricType};

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
    /// A summary's quantiles (NaN until observed, as the runtime).
    quantiles: Option<Vec<f64>>,
    /// A stateset's states (the first is current at start).
    states: &'static [&'static str],
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
                Kind::StateSet => Sample::StateSet {
                    states: self.states,
                    current: 0,
                },
                Kind::Summary => Sample::Summary {
                    count: 0,
                    sum: 0.0,
                    quantiles: self
                        .quantiles
                        .as_ref()
                        .map(|q| q.iter().map(|q| (*q, f64::NAN)).collect()),
                },
                Kind::Histogram => Sample::Histogram {
                    bounds: self.buckets,
                    cumulative: vec![0; self.buckets.len() + 1],
                    sum: 0.0,
                    // `expose` writes text formats, which show no native buckets.
                    native: None,
                    exemplars: None,
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
        MetricType::StateSet => Kind::StateSet,
    }
}

/// The runtime descriptor of a planned metric, as the generated code writes it.
pub fn descriptor(path: &str, m: &MetricPlan) -> &'static Descriptor {
    let labels: Vec<LabelDescriptor> = m
        .labels
        .iter()
        .map(|l| LabelDescriptor {
            name: leak(&l.name),
            values: l
                .values
                .as_ref()
                .map(|v| leak_slice(v.iter().map(|v| leak(v)).collect())),
            max_values: l.runtime_bound(),
        })
        .collect();
    Box::leak(Box::new(Descriptor {
        name: leak(&m.name),
        help: leak(&m.help),
        kind: kind(m.kind),
        unit: m.unit.as_deref().map(leak),
        labels: leak_slice(labels),
        const_labels: leak_slice(
            m.const_labels
                .iter()
                .map(|(k, v)| (leak(k), leak(v)))
                // Known only when the crate compiles: shown as `${VAR}`.
                .chain(
                    m.const_labels_env
                        .iter()
                        .map(|(k, var)| (leak(k), leak(&format!("${{{var}}}")))),
                )
                .collect(),
        ),
        site: Site {
            krate: "",
            file: leak(path),
            line: m.loc.line().unwrap_or(0) as u32,
        },
        multiprocess_mode: leak(&m.multiprocess_mode),
        max_series: m.series_cap,
    }))
}

fn family(path: &str, m: &MetricPlan, open: Option<&'static str>) -> AtStart {
    let desc = descriptor(path, m);
    // Same order as `Dense`: the last label varies fastest.
    let mut series: Vec<Vec<&'static str>> = vec![Vec::new()];
    if m.kind != MetricType::Info {
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
        quantiles: m.quantiles.as_ref().map(|q| q.quantiles.clone()),
        states: leak_slice(
            m.state_enum
                .iter()
                .flat_map(|e| e.variants.iter().map(|(_, v)| leak(v)))
                .collect(),
        ),
        series,
    }
}

/// Text format 0.0.4 of every declared metric, sorted by name as the
/// registry sorts them; a duplicated name keeps its first declaration.
/// With `open`, metrics with open labels show one series using that value.
pub fn render(decls: &[Decl], open: Option<&str>) -> String {
    let checked: Vec<(&str, &Checked)> = decls
        .iter()
        .map(|d| (d.path.as_str(), &d.checked))
        .collect();
    render_checked(&checked, open)
}

/// [`render`] for declarations given as `(path shown as the declaration site, checked)`.
pub fn render_checked(decls: &[(&str, &Checked)], open: Option<&str>) -> String {
    let open = open.map(leak);
    let mut families: Vec<AtStart> = decls
        .iter()
        .flat_map(|(path, c)| c.plan.metrics.iter().map(|m| family(path, m, open)))
        .collect();
    families.sort_by_key(|f| f.desc.name);
    families.dedup_by_key(|f| f.desc.name);
    let mut out = String::new();
    for f in &families {
        promdef::encode::text_family(f, &mut out);
    }
    out
}
