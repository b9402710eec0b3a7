//! The protobuf exposition, decoded by an independent decoder
//! (`promdef_tests::proto`, prost over `metrics.proto`'s field numbers):
//! every type maps as Prometheus expects, native buckets reproduce the
//! observations exactly (property test), exemplars ride where Prometheus
//! 2.42 reads them.

use promdef::native::Native;
use promdef::{Descriptor, Format, Histogram, Kind, Site};
use promdef_tests::proto::{self, expand};
use proptest::prelude::*;

pub static ALL: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::ALL;
    /// Method.
    label method { values: [get, post] }
    /// Route.
    label route { max_values: 10 }
    /// Requests.
    pub counter pb_requests_total(method);
    /// Queue depth.
    pub gauge pb_queue_depth;
    /// Classic latency.
    pub histogram pb_classic_seconds { unit: seconds, buckets: [0.1, 1] }
    /// Native latency.
    pub histogram pb_native_seconds { unit: seconds, native: true }
    /// Both, by route.
    pub histogram pb_both_seconds(route) { unit: seconds, buckets: [1], native: { factor: 2 } }
    /// Sizes.
    pub summary pb_size_bytes { unit: bytes }
    /// Build.
    pub info pb_build_info { const_labels: { version: "1.2" } }
}

fn family<'a>(fams: &'a [proto::MetricFamily], name: &str) -> &'a proto::MetricFamily {
    fams.iter()
        .find(|f| f.name.as_deref() == Some(name))
        .unwrap_or_else(|| {
            panic!(
                "no family {name} in {:?}",
                fams.iter().map(|f| &f.name).collect::<Vec<_>>()
            )
        })
}

fn labels(m: &proto::Metric) -> Vec<(String, String)> {
    let mut l: Vec<_> = m
        .label
        .iter()
        .map(|p| (p.name.clone().unwrap(), p.value.clone().unwrap()))
        .collect();
    l.sort();
    l
}

#[test]
fn every_type_decodes_as_prometheus_expects() {
    PB_REQUESTS_TOTAL
        .with(PbRequestsTotalLabels {
            method: Method::Post,
        })
        .inc_with_exemplar(&[("trace_id", "abc123")])
        .unwrap();
    PB_QUEUE_DEPTH.set(2.5);
    PB_CLASSIC_SECONDS.observe(0.05);
    PB_CLASSIC_SECONDS
        .observe_with_exemplar(0.5, &[("trace_id", "t-classic")])
        .unwrap();
    PB_CLASSIC_SECONDS.observe(5.0);
    for v in [1.0, 1.0, 3.0, 0.0] {
        PB_NATIVE_SECONDS.observe(v);
    }
    PB_NATIVE_SECONDS
        .observe_with_exemplar(7.0, &[("trace_id", "t-native")])
        .unwrap();
    PB_BOTH_SECONDS
        .with(PbBothSecondsLabels { route: "/a" })
        .observe(3.0);
    PB_SIZE_BYTES.observe(10.0);

    let body = ALL.render_bytes(Format::Protobuf);
    let fams = proto::decode(&body).expect("every family decodes, nothing left over");

    // Counters keep `_total`; type COUNTER; both closed-set series exist.
    let c = family(&fams, "pb_requests_total");
    assert_eq!(c.r#type, Some(0));
    assert_eq!(c.help.as_deref(), Some("Requests."));
    assert_eq!(c.metric.len(), 2);
    let post = c
        .metric
        .iter()
        .find(|m| labels(m) == [("method".into(), "post".into())])
        .unwrap();
    let counter = post.counter.as_ref().unwrap();
    assert_eq!(counter.value, Some(1.0));
    let ex = counter.exemplar.as_ref().expect("counter exemplar");
    assert_eq!(ex.label[0].value.as_deref(), Some("abc123"));
    assert_eq!(ex.value, Some(1.0));
    assert!(ex.timestamp.as_ref().unwrap().seconds.unwrap() > 1_600_000_000);

    let g = family(&fams, "pb_queue_depth");
    assert_eq!(
        (g.r#type, g.metric[0].gauge.as_ref().unwrap().value),
        (Some(1), Some(2.5))
    );

    // Classic histogram: base name, cumulative buckets without +Inf, count, sum.
    let h = family(&fams, "pb_classic_seconds");
    assert_eq!(h.r#type, Some(4));
    let hist = h.metric[0].histogram.as_ref().unwrap();
    assert_eq!((hist.sample_count, hist.sample_sum), (Some(3), Some(5.55)));
    let b: Vec<_> = hist
        .bucket
        .iter()
        .map(|b| (b.upper_bound.unwrap(), b.cumulative_count.unwrap()))
        .collect();
    assert_eq!(b, [(0.1, 1), (1.0, 2)]);
    assert_eq!(
        hist.bucket[1].exemplar.as_ref().unwrap().label[0]
            .value
            .as_deref(),
        Some("t-classic")
    );
    assert!(
        hist.schema.is_none() && hist.positive_span.is_empty(),
        "classic only"
    );

    // Native-only: schema 3, zero bucket, spans; the exemplar rides on an
    // +Inf bucket, the only classic bucket.
    let n = family(&fams, "pb_native_seconds").metric[0]
        .histogram
        .clone()
        .unwrap();
    assert_eq!(n.schema, Some(3));
    assert_eq!(n.zero_threshold, Some(2.938735877055719e-39));
    assert_eq!(
        (n.zero_count, n.sample_count, n.sample_sum),
        (Some(1), Some(5), Some(12.0))
    );
    let pos = expand(&n.positive_span, &n.positive_delta).unwrap();
    let expected_idx = |v: f64| (v.log2() * 8.0).ceil() as i32;
    assert_eq!(
        pos,
        vec![(0, 2), (expected_idx(3.0), 1), (expected_idx(7.0), 1)]
    );
    assert_eq!(n.bucket.len(), 1);
    assert_eq!(n.bucket[0].upper_bound, Some(f64::INFINITY));
    assert_eq!(n.bucket[0].exemplar.as_ref().unwrap().value, Some(7.0));

    // Native and classic together, schema 0 from factor 2; every child of
    // the family is native.
    let both = family(&fams, "pb_both_seconds");
    for m in &both.metric {
        let h = m.histogram.as_ref().unwrap();
        assert_eq!(h.schema, Some(0));
        assert_eq!(h.bucket.len(), 1);
        assert_eq!(
            expand(&h.positive_span, &h.positive_delta).unwrap(),
            vec![(2, 1)]
        );
    }

    let s = family(&fams, "pb_size_bytes");
    assert_eq!(s.r#type, Some(2));
    let sum = s.metric[0].summary.as_ref().unwrap();
    assert_eq!((sum.sample_count, sum.sample_sum), (Some(1), Some(10.0)));

    let i = family(&fams, "pb_build_info");
    assert_eq!(i.r#type, Some(1));
    assert_eq!(labels(&i.metric[0]), [("version".into(), "1.2".into())]);
    assert_eq!(i.metric[0].gauge.as_ref().unwrap().value, Some(1.0));

    // Text formats: the native-only histogram shows +Inf, count and sum;
    // OpenMetrics carries the exemplars, text 0.0.4 does not.
    let text = ALL.render_text();
    assert!(text.contains("pb_native_seconds_bucket{le=\"+Inf\"} 5\npb_native_seconds_sum 12\npb_native_seconds_count 5\n"), "{text}");
    assert!(!text.contains("trace_id"));
    let om = ALL.render_openmetrics();
    assert!(
        om.contains("pb_requests_total{method=\"post\"} 1 # {trace_id=\"abc123\"} 1.0 "),
        "{om}"
    );
    assert!(
        om.contains("pb_classic_seconds_bucket{le=\"1.0\"} 2 # {trace_id=\"t-classic\"} 0.5 "),
        "{om}"
    );
    assert!(
        om.contains("pb_native_seconds_bucket{le=\"+Inf\"} 5 # {trace_id=\"t-native\"} 7.0 "),
        "{om}"
    );
}

/// A native histogram family around one cell, for the property test.
fn one(
    schema: i8,
    max_buckets: u32,
    zero: f64,
) -> &'static promdef::Dense<promdef::NoLabels, Histogram<0>, 1> {
    let cfg: &'static Native = Box::leak(Box::new(Native {
        schema,
        max_buckets,
        zero_threshold: zero,
    }));
    Box::leak(Box::new(promdef::Dense::new(
        Descriptor {
            name: "prop_seconds",
            help: "Property test.",
            kind: Kind::Histogram,
            unit: None,
            labels: &[],
            const_labels: &[],
            site: Site {
                krate: "promdef-tests",
                file: "protobuf.rs",
                line: 0,
            },
            multiprocess_mode: "all",
            max_series: None,
        },
        [Histogram::with_native(&[], cfg)],
    )))
}

/// The bucket of `a > 0` at `schema` by the definition: the smallest `i`
/// with `a <= 2^(i · 2^-schema)`, computed with logarithms, not with the
/// runtime's frexp tables.
fn reference_index(a: f64, schema: i32) -> i32 {
    let scale = (schema as f64).exp2();
    let upper = |i: i32| (i as f64 / scale).exp2();
    let mut i = (a.log2() * scale).ceil() as i32;
    while a > upper(i) {
        i += 1;
    }
    while i > i32::MIN && a <= upper(i - 1) {
        i -= 1;
    }
    i
}

fn values() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1e6f64..1e6),
        (1e-9f64..1e-3),
        (-40i32..40).prop_map(|e| (e as f64).exp2()),
        Just(0.0),
        Just(1e-40),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Random observations → decoded spans and deltas give exactly the
    /// bucket counts the definition gives, at the schema the histogram
    /// ended at (it halves its resolution past `max_buckets`).
    #[test]
    fn decoded_native_buckets_reproduce_the_observations(
        obs in proptest::collection::vec(values(), 0..300),
        schema in -4i8..=8,
        max_buckets in 4u32..200,
    ) {
        let zero = 1e-30;
        let fam = one(schema, max_buckets, zero);
        for v in &obs {
            fam.observe(*v);
        }
        let mut out = Vec::new();
        promdef::protobuf::protobuf_family(&fam.family, &mut out, &mut Vec::new());
        let fams = proto::decode(&out).map_err(TestCaseError::fail)?;
        let h = fams[0].metric[0].histogram.clone().unwrap();
        let s = h.schema.unwrap();
        prop_assert!(s <= schema as i32 && s >= -4);
        let mut want_pos = std::collections::BTreeMap::new();
        let mut want_neg = std::collections::BTreeMap::new();
        let mut want_zero = 0u64;
        for v in &obs {
            if v.abs() <= zero {
                want_zero += 1;
            } else if *v > 0.0 {
                *want_pos.entry(reference_index(*v, s)).or_insert(0u64) += 1;
            } else {
                *want_neg.entry(reference_index(-v, s)).or_insert(0u64) += 1;
            }
        }
        let pos = expand(&h.positive_span, &h.positive_delta).map_err(TestCaseError::fail)?;
        let neg = expand(&h.negative_span, &h.negative_delta).map_err(TestCaseError::fail)?;
        prop_assert_eq!(pos, want_pos.into_iter().collect::<Vec<_>>());
        prop_assert_eq!(neg, want_neg.into_iter().collect::<Vec<_>>());
        prop_assert_eq!(h.zero_count, Some(want_zero));
        prop_assert_eq!(h.sample_count, Some(obs.len() as u64));
        prop_assert!(h.zero_threshold.unwrap() > 0.0);
        if obs.is_empty() {
            // The no-op span keeps an empty histogram native.
            prop_assert_eq!(h.positive_span.len(), 1);
        }
        let buckets = h.positive_delta.len() + h.negative_delta.len();
        prop_assert!(buckets <= max_buckets as usize || s == -4, "{} buckets at schema {}", buckets, s);
    }
}

/// The protobuf exposition is negotiated from Prometheus' native-histogram
/// `Accept` header, and an exemplar too long for OpenMetrics is refused
/// with a typed error while the observation counts.
#[test]
fn long_exemplars_are_refused_and_counted() {
    let long = "x".repeat(129);
    let err = PB_PROBE_BYTES
        .observe_with_exemplar(1.0, &[("t", &long)])
        .unwrap_err();
    assert_eq!(err, promdef::ExemplarError::TooLong { chars: 130 });
    assert!(err.to_string().contains("128"));
    assert_eq!(PB_PROBE_BYTES.count(), 1);
    assert!(PB_PROBE_BYTES.exemplars().is_none());
    let bad = promdef::Counter::new();
    assert_eq!(
        bad.inc_with_exemplar(&[("9bad", "x")]),
        Err(promdef::ExemplarError::InvalidName { index: 0 })
    );
    assert_eq!(bad.get(), 1);
}

promdef::metrics! {
    /// Probe for exemplar limits.
    pub histogram pb_probe_bytes { unit: bytes, buckets: [1] }
}
