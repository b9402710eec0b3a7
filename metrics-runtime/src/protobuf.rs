//! The protobuf exposition: `uvarint(length)` + `io.prometheus.client.MetricFamily`,
//! repeated — what Prometheus ≥ 2.40 asks for first when native histograms
//! are enabled, and the only format that carries them.
//!
//! Written by hand rather than through generated message types: the
//! messages are few and fixed, each family's label names are encoded once
//! per scrape, and no per-series allocation is needed, so the encoder keeps
//! up with the text one (`benches/benches/encode.rs`). An independent decoder
//! (prost, from `metrics.proto`'s field numbers) checks it in
//! `tests/tests/protobuf.rs`.
//!
//! Mapping: counter families keep `_total`; histograms and summaries use the
//! base name; info metrics are gauges of value 1 named `<x>_info`. Native
//! histograms carry schema, zero threshold and count, spans and
//! delta-encoded counts; an empty one still carries a `{0, 0}` span, and the
//! zero threshold is always set, because Prometheus 2.42 decides "native"
//! from the first series only. Exemplars ride on counters and on classic
//! buckets (an `+Inf` bucket is added for its exemplar), which is where
//! Prometheus 2.42 reads them.

use crate::exemplar::Exemplar;
use crate::family::{Family, Kind};
use crate::native::NativeSample;
use crate::value::Sample;

/// Content type of the protobuf exposition.
pub const PROTOBUF_CONTENT_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

const LEN: u8 = 2;
const I64: u8 = 1;
const VARINT: u8 = 0;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn tag(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

fn bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    tag(out, field, LEN);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn double(out: &mut Vec<u8>, field: u32, v: f64) {
    tag(out, field, I64);
    out.extend_from_slice(&v.to_le_bytes());
}

fn uint(out: &mut Vec<u8>, field: u32, v: u64) {
    tag(out, field, VARINT);
    varint(out, v);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Writes a nested message that `body` builds, length first.
fn message(out: &mut Vec<u8>, field: u32, scratch: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    let start = scratch.len();
    body(scratch);
    tag(out, field, LEN);
    varint(out, (scratch.len() - start) as u64);
    out.extend_from_slice(&scratch[start..]);
    scratch.truncate(start);
}

/// One label pair, `name_part` being the pre-encoded name field.
fn label(out: &mut Vec<u8>, name_part: &[u8], value: &str) {
    let v = value.as_bytes();
    let inner = name_part.len() + 1 + varint_len(v.len() as u64) + v.len();
    tag(out, 1, LEN);
    varint(out, inner as u64);
    out.extend_from_slice(name_part);
    bytes(out, 2, v);
}

fn name_part(name: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(name.len() + 2);
    bytes(&mut p, 1, name.as_bytes());
    p
}

fn exemplar(out: &mut Vec<u8>, field: u32, e: &Exemplar, scratch: &mut Vec<u8>) {
    message(out, field, scratch, |m| {
        for (k, v) in e.labels() {
            label(m, &name_part(k), v);
        }
        double(m, 2, e.value);
        let secs = e.timestamp.floor();
        let nanos = ((e.timestamp - secs) * 1e9) as u64;
        let mut ts = Vec::with_capacity(16);
        uint(&mut ts, 1, secs as i64 as u64);
        uint(&mut ts, 2, nanos.min(999_999_999));
        bytes(m, 3, &ts);
    });
}

/// Spans and deltas of sorted `(index, count)` buckets.
fn spans(
    out: &mut Vec<u8>,
    span_field: u32,
    delta_field: u32,
    buckets: &[(i32, u64)],
    scratch: &mut Vec<u8>,
) {
    let mut spans: Vec<(i32, u32)> = Vec::new();
    let mut prev: Option<i32> = None;
    for &(i, _) in buckets {
        match prev {
            Some(p) if i == p + 1 => spans.last_mut().expect("a span is open").1 += 1,
            Some(p) => spans.push((i - p - 1, 1)),
            None => spans.push((i, 1)),
        }
        prev = Some(i);
    }
    for (offset, length) in spans {
        message(out, span_field, scratch, |m| {
            uint(m, 1, zigzag(i64::from(offset)));
            uint(m, 2, u64::from(length));
        });
    }
    if buckets.is_empty() {
        return;
    }
    message(out, delta_field, scratch, |m| {
        let mut last = 0i64;
        for &(_, c) in buckets {
            varint(m, zigzag(c as i64 - last));
            last = c as i64;
        }
    });
}

fn native(h: &mut Vec<u8>, n: &NativeSample, scratch: &mut Vec<u8>) {
    uint(h, 5, zigzag(i64::from(n.schema)));
    double(h, 6, n.zero_threshold);
    uint(h, 7, n.zero_count);
    spans(h, 9, 10, &n.negative, scratch);
    spans(h, 12, 13, &n.positive, scratch);
    if n.negative.is_empty() && n.positive.is_empty() {
        // The no-op span: marks the histogram native even when empty.
        message(h, 12, scratch, |m| {
            uint(m, 1, 0);
            uint(m, 2, 0);
        });
    }
}

/// Writes the length of the message written since `start` into the one
/// byte reserved at `start - 1`, widening it when the message is 128 bytes
/// or more (rare: histograms). Writing in place saves copying every series.
fn close(out: &mut Vec<u8>, start: usize) {
    let len = out.len() - start;
    if len < 0x80 {
        out[start - 1] = len as u8;
    } else {
        let mut v = Vec::with_capacity(5);
        varint(&mut v, len as u64);
        out.splice(start - 1..start, v);
    }
}

/// Opens a length-delimited field whose length [`close`] writes.
fn open(out: &mut Vec<u8>, field: u32) -> usize {
    tag(out, field, LEN);
    out.push(0);
    out.len()
}

/// A double field inside a one-field message: `field { 1: v }`.
fn value_message(out: &mut Vec<u8>, field: u32, v: f64) {
    tag(out, field, LEN);
    out.push(9);
    double(out, 1, v);
}

/// Appends one family, length-delimited. `scratch` is reused across calls.
pub fn protobuf_family(f: &dyn Family, out: &mut Vec<u8>, scratch: &mut Vec<u8>) {
    let d = f.descriptor();
    // The family's length goes in front once known; reserve the most a
    // varint of it can take and close the gap afterwards (one move per family).
    let fam_start = out.len();
    out.extend_from_slice(&[0; 5]);
    let body_start = out.len();
    bytes(out, 1, d.name.as_bytes());
    bytes(out, 2, d.help.as_bytes());
    let kind = match d.kind {
        Kind::Counter => 0,
        Kind::Gauge | Kind::Info | Kind::StateSet => 1,
        Kind::Summary => 2,
        Kind::Histogram => 4,
    };
    uint(out, 3, kind);
    let names: Vec<Vec<u8>> = d.labels.iter().map(|l| name_part(l.name)).collect();
    let consts: Vec<(Vec<u8>, &str)> = d
        .const_labels
        .iter()
        .map(|(k, v)| (name_part(k), *v))
        .collect();
    let state_label = name_part(d.name);
    f.collect(&mut |values, sample| {
        // Opens a `Metric` with the series' labels.
        let start = |out: &mut Vec<u8>| {
            let m = open(out, 4);
            for (n, v) in names.iter().zip(values) {
                label(out, n, v);
            }
            for (n, v) in &consts {
                label(out, n, v);
            }
            m
        };
        // A stateset is one gauge per state, with the state as a label.
        if let Sample::StateSet { states, current } = sample {
            for (i, s) in states.iter().enumerate() {
                let m = start(out);
                label(out, &state_label, s);
                value_message(out, 2, if i == current { 1.0 } else { 0.0 });
                close(out, m);
            }
            return;
        }
        let m = start(out);
        match sample {
            Sample::Counter(v) => value_message(out, 3, v as f64),
            Sample::CounterFloat(v) => value_message(out, 3, v),
            Sample::Gauge(v) => value_message(out, 2, v),
            Sample::Info => value_message(out, 2, 1.0),
            Sample::StateSet { .. } => unreachable!("statesets are written above"),
            Sample::CounterWithExemplar(v, e) => {
                let c = open(out, 3);
                double(out, 1, v as f64);
                exemplar(out, 2, &e, scratch);
                close(out, c);
            }
            Sample::Summary {
                count,
                sum,
                quantiles,
            } => {
                let c = open(out, 4);
                uint(out, 1, count);
                double(out, 2, sum);
                // `Summary.quantile` (3): repeated `Quantile {quantile = 1, value = 2}`.
                for (q, v) in quantiles.iter().flat_map(|q| q.iter()) {
                    let m = open(out, 3);
                    double(out, 1, *q);
                    double(out, 2, *v);
                    close(out, m);
                }
                close(out, c);
            }
            Sample::Histogram {
                bounds,
                cumulative,
                sum,
                native: n,
                exemplars,
            } => {
                let h = open(out, 7);
                let count = cumulative.last().copied().unwrap_or(0);
                uint(out, 1, count);
                double(out, 2, sum);
                let ex = |i: usize| {
                    exemplars
                        .as_ref()
                        .and_then(|x| x.get(i))
                        .and_then(Option::as_ref)
                };
                for (i, (b, c)) in bounds.iter().zip(&cumulative).enumerate() {
                    let bk = open(out, 3);
                    uint(out, 1, *c);
                    double(out, 2, *b);
                    if let Some(e) = ex(i) {
                        exemplar(out, 3, e, scratch);
                    }
                    close(out, bk);
                }
                if let Some(e) = ex(bounds.len()) {
                    let bk = open(out, 3);
                    uint(out, 1, count);
                    double(out, 2, f64::INFINITY);
                    exemplar(out, 3, e, scratch);
                    close(out, bk);
                }
                if let Some(n) = &n {
                    native(out, n, scratch);
                }
                close(out, h);
            }
        }
        close(out, m);
    });
    let mut len = Vec::with_capacity(5);
    varint(&mut len, (out.len() - body_start) as u64);
    let gap = 5 - len.len();
    out.copy_within(body_start.., fam_start + len.len());
    out.truncate(out.len() - gap);
    out[fam_start..fam_start + len.len()].copy_from_slice(&len);
}
