//! Gradual adoption: expose a promdef registry through an existing
//! `prometheus::Registry` (feature `prometheus`).
//!
//! ```
//! promdef::metrics! {
//!     /// Orders placed.
//!     pub counter orders_placed_total;
//! }
//! # fn main() {
//! let legacy = prometheus::Registry::new();
//! legacy
//!     .register(Box::new(promdef::interop::PrometheusCollector::new(promdef::registry())))
//!     .unwrap();
//! ORDERS_PLACED_TOTAL.inc();
//! let mut text = Vec::new();
//! prometheus::Encoder::encode(&prometheus::TextEncoder::new(), &legacy.gather(), &mut text).unwrap();
//! assert!(String::from_utf8(text).unwrap().contains("orders_placed_total 1\n"));
//! # }
//! ```

use crate::family::Kind;
use crate::registry::Registry;
use crate::value::Sample;
use prometheus::core::{Collector, Desc};
use prometheus::proto;
use std::collections::HashMap;

/// A `prometheus::core::Collector` over every family of a promdef registry.
pub struct PrometheusCollector {
    registry: &'static Registry,
    descs: Vec<Desc>,
}

impl std::fmt::Debug for PrometheusCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrometheusCollector")
            .field("families", &self.descs.len())
            .finish()
    }
}

impl PrometheusCollector {
    /// Wraps `registry`; register the result into a `prometheus::Registry`.
    pub fn new(registry: &'static Registry) -> Self {
        let descs = registry
            .families()
            .iter()
            .filter_map(|f| {
                let d = f.descriptor();
                let help = if d.help.is_empty() { d.name } else { d.help };
                let consts: HashMap<String, String> = d
                    .const_labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                Desc::new(
                    d.name.to_string(),
                    help.to_string(),
                    d.labels.iter().map(|l| l.name.to_string()).collect(),
                    consts,
                )
                .ok()
            })
            .collect();
        PrometheusCollector { registry, descs }
    }
}

fn pair(name: &str, value: &str) -> proto::LabelPair {
    let mut p = proto::LabelPair::default();
    p.set_name(name.to_string());
    p.set_value(value.to_string());
    p
}

impl Collector for PrometheusCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<proto::MetricFamily> {
        self.registry.run_collect_callbacks();
        let mut out = Vec::new();
        for f in self.registry.families() {
            let d = f.descriptor();
            let mut fam = proto::MetricFamily::default();
            fam.set_name(d.name.to_string());
            fam.set_help(if d.help.is_empty() { d.name } else { d.help }.to_string());
            fam.set_field_type(match d.kind {
                Kind::Counter => proto::MetricType::COUNTER,
                Kind::Gauge | Kind::Info | Kind::StateSet => proto::MetricType::GAUGE,
                Kind::Histogram => proto::MetricType::HISTOGRAM,
                Kind::Summary => proto::MetricType::SUMMARY,
            });
            let mut metrics = Vec::new();
            f.collect(&mut |values, sample| {
                // The series' labels, plus `extra` (a stateset's state).
                let metric = |extra: Option<(&str, &str)>| {
                    let mut m = proto::Metric::default();
                    let mut labels: Vec<proto::LabelPair> = d
                        .labels
                        .iter()
                        .zip(values)
                        .map(|(l, v)| pair(l.name, v))
                        .collect();
                    labels.extend(d.const_labels.iter().map(|(k, v)| pair(k, v)));
                    labels.extend(extra.map(|(k, v)| pair(k, v)));
                    labels.sort_by(|a, b| a.name().cmp(b.name()));
                    m.set_label(labels);
                    m
                };
                // A stateset is one gauge per state, with the state as a label.
                if let Sample::StateSet { states, current } = sample {
                    for (i, s) in states.iter().enumerate() {
                        let mut m = metric(Some((d.name, s)));
                        let mut g = proto::Gauge::default();
                        g.set_value(if i == current { 1.0 } else { 0.0 });
                        m.set_gauge(g);
                        metrics.push(m);
                    }
                    return;
                }
                let mut m = metric(None);
                match sample {
                    Sample::Counter(v) | Sample::CounterWithExemplar(v, _) => {
                        let mut c = proto::Counter::default();
                        c.set_value(v as f64);
                        m.set_counter(c);
                    }
                    Sample::CounterFloat(v) => {
                        let mut c = proto::Counter::default();
                        c.set_value(v);
                        m.set_counter(c);
                    }
                    Sample::Gauge(v) => {
                        let mut g = proto::Gauge::default();
                        g.set_value(v);
                        m.set_gauge(g);
                    }
                    Sample::StateSet { .. } => unreachable!("statesets are handled above"),
                    Sample::Info => {
                        let mut g = proto::Gauge::default();
                        g.set_value(1.0);
                        m.set_gauge(g);
                    }
                    Sample::Histogram {
                        bounds,
                        cumulative,
                        sum,
                        ..
                    } => {
                        let mut h = proto::Histogram::default();
                        h.set_sample_count(cumulative.last().copied().unwrap_or(0));
                        h.set_sample_sum(sum);
                        h.set_bucket(
                            bounds
                                .iter()
                                .zip(&cumulative)
                                .map(|(b, c)| {
                                    let mut bucket = proto::Bucket::default();
                                    bucket.set_upper_bound(*b);
                                    bucket.set_cumulative_count(*c);
                                    bucket
                                })
                                .collect(),
                        );
                        m.set_histogram(h);
                    }
                    Sample::Summary {
                        count,
                        sum,
                        quantiles,
                    } => {
                        let mut s = proto::Summary::default();
                        s.set_sample_count(count);
                        s.set_sample_sum(sum);
                        s.set_quantile(
                            quantiles
                                .iter()
                                .flat_map(|q| q.iter())
                                .map(|(q, v)| {
                                    let mut x = proto::Quantile::default();
                                    x.set_quantile(*q);
                                    x.set_value(*v);
                                    x
                                })
                                .collect(),
                        );
                        m.set_summary(s);
                    }
                }
                metrics.push(m);
            });
            fam.set_metric(metrics);
            out.push(fam);
        }
        out
    }
}
