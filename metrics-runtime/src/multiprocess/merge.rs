//! The reader side: merging every process's file of the directory, as
//! Python's `MultiProcessCollector` does, and the [`Collector`] that makes a
//! registry expose that merge.

use super::format::{self, RawEntry};
use super::{compact, fs, Error};
use crate::family::{Descriptor, Family, Kind, LabelDescriptor, Site};
use crate::registry::Collector;
use crate::value::Sample;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Exposes the merge of a directory's files in place of the declared
/// families whose values live in files (all but info metrics); reports each
/// skipped file once.
pub(super) struct MergeCollector {
    pub dir: PathBuf,
}

impl Collector for MergeCollector {
    fn collect(&self) -> Vec<Box<dyn Family>> {
        let merged = merge_dir(&self.dir);
        for e in &merged.errors {
            report(e);
        }
        merged
            .families
            .into_iter()
            .map(|f| Box::new(f) as Box<dyn Family>)
            .collect()
    }

    fn supersedes(&self, declared: &dyn Family) -> bool {
        // Neither is in the files: each process computes them.
        !matches!(declared.descriptor().kind, Kind::Info | Kind::StateSet)
    }
}

/// Most distinct problems reported on stderr: a directory an attacker
/// fills with bad files cannot make the log grow without bound.
const MAX_REPORTED: usize = 256;

/// Reports a file skipped at scrape time on stderr, once per file and reason
/// (a scrape cannot fail for one bad file; [`merge_dir`] returns the errors).
fn report(e: &Error) {
    static SEEN: Mutex<Option<std::collections::HashSet<String>>> = Mutex::new(None);
    let msg = e.to_string();
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    let seen = seen.get_or_insert_with(Default::default);
    if seen.len() < MAX_REPORTED && seen.insert(msg.clone()) {
        eprintln!("promdef: {msg}");
        if seen.len() == MAX_REPORTED {
            eprintln!("promdef: {MAX_REPORTED} distinct multi-process problems reported; further ones are not shown");
        }
    }
}

/// One metric being merged.
struct Acc {
    kind: Kind,
    help: String,
    /// Gauges: the mode of the first file seen.
    mode: String,
    /// The exposed name: counters keep their sample name (`x_total`).
    family_name: String,
    index: HashMap<Vec<(String, String)>, usize>,
    series: Vec<(Vec<(String, String)>, SeriesAcc)>,
}

impl Acc {
    fn series(&mut self, labels: Vec<(String, String)>) -> usize {
        let n = self.series.len();
        *self.index.entry(labels).or_insert_with_key(|l| {
            self.series.push((l.clone(), SeriesAcc::default()));
            n
        })
    }
}

#[derive(Default)]
struct SeriesAcc {
    value: f64,
    ts: f64,
    seen: bool,
    sum: f64,
    count: f64,
    buckets: Vec<(f64, f64)>,
}

/// Which value of a series a key holds.
#[derive(Clone, Copy)]
enum Role {
    Value,
    Count,
    Sum,
    Bucket(f64),
    Ignore,
}

/// A key resolved once per scrape: keys repeat in every process's file.
struct Resolved {
    metric: usize,
    /// `None` for `all`/`liveall` gauges, whose series also depends on the pid.
    series: Option<usize>,
    labels: Vec<(String, String)>,
    role: Role,
}

#[derive(Default)]
struct Merger {
    metrics: Vec<Acc>,
    by_name: HashMap<String, usize>,
    /// Per file type (kind, gauge mode): key → resolution (`None`: bad key).
    cache: HashMap<(u8, String), foldhash::HashMap<Vec<u8>, Option<Resolved>>>,
}

impl Merger {
    fn resolve(&mut self, kind: Kind, mode: &str, key: &[u8]) -> Option<Resolved> {
        let k = format::parse_key(key)?;
        let metric = match self.by_name.get(&k.metric) {
            Some(&i) => i,
            None => {
                self.metrics.push(Acc {
                    kind,
                    help: k.help.clone(),
                    mode: mode.to_owned(),
                    family_name: if kind == Kind::Counter {
                        k.sample.clone()
                    } else {
                        k.metric.clone()
                    },
                    index: HashMap::new(),
                    series: Vec::new(),
                });
                self.by_name
                    .insert(k.metric.clone(), self.metrics.len() - 1);
                self.metrics.len() - 1
            }
        };
        let mut labels = k.labels;
        let role = match kind {
            Kind::Histogram => match labels.iter().position(|(n, _)| n == "le") {
                Some(i) => {
                    let (_, v) = labels.remove(i);
                    match v.as_str() {
                        "+Inf" => Role::Bucket(f64::INFINITY),
                        v => Role::Bucket(v.parse().ok()?),
                    }
                }
                None if k.sample.ends_with("_sum") => Role::Sum,
                None => Role::Ignore,
            },
            Kind::Summary if k.sample.ends_with("_count") => Role::Count,
            Kind::Summary if k.sample.ends_with("_sum") => Role::Sum,
            Kind::Summary => Role::Ignore,
            _ => Role::Value,
        };
        labels.sort();
        let per_pid = kind == Kind::Gauge && (mode == "all" || mode == "liveall");
        let series = (!per_pid).then(|| self.metrics[metric].series(labels.clone()));
        Some(Resolved {
            metric,
            series,
            labels,
            role,
        })
    }

    fn add_file(
        &mut self,
        kind: Kind,
        mode: &str,
        pid: &str,
        data: &[u8],
        entries: &[RawEntry<'_>],
    ) -> Result<(), String> {
        let mut cache = self
            .cache
            .remove(&(kind as u8, mode.to_owned()))
            .unwrap_or_default();
        // Check every new key first, so a bad file is skipped whole.
        let bad = entries
            .iter()
            .find(|e| !cache.contains_key(e.key) && format::parse_key(e.key).is_none());
        let result = match bad {
            Some(e) => Err(format!(
                "key `{}` is not Python's JSON key",
                fs::quote(e.key)
            )),
            None => Ok(()),
        };
        for e in entries.iter().take_while(|_| result.is_ok()) {
            if !cache.contains_key(e.key) {
                let r = self.resolve(kind, mode, e.key);
                cache.insert(e.key.to_owned(), r);
            }
            let Some(Some(r)) = cache.get(e.key) else {
                continue; // a histogram `le` that is not a number
            };
            let (value, ts) = format::value_at(data, e.pos);
            let acc = &mut self.metrics[r.metric];
            let i = match r.series {
                Some(i) => i,
                None => {
                    let mut l = r.labels.clone();
                    l.push(("pid".into(), pid.into()));
                    l.sort();
                    acc.series(l)
                }
            };
            let gauge = acc.kind == Kind::Gauge;
            let s = &mut acc.series[i].1;
            match r.role {
                Role::Value if gauge => {
                    match acc.mode.trim_start_matches("live") {
                        "min" if !s.seen || value < s.value => s.value = value,
                        "max" if !s.seen || value > s.value => s.value = value,
                        "sum" => s.value += value,
                        "mostrecent" if !s.seen || ts > s.ts => {
                            s.value = value;
                            s.ts = ts;
                        }
                        "all" => s.value = value,
                        _ => {}
                    }
                    s.seen = true;
                }
                Role::Value => s.value += value,
                Role::Count => s.count += value,
                Role::Sum => s.sum += value,
                Role::Bucket(b) => match s.buckets.iter_mut().find(|(x, _)| *x == b) {
                    Some((_, c)) => *c += value,
                    None => s.buckets.push((b, value)),
                },
                Role::Ignore => {}
            }
        }
        self.cache.insert((kind as u8, mode.to_owned()), cache);
        result
    }
}

/// The merged view of a directory: families plus the files that were skipped.
pub struct Merged {
    /// One family per metric name, sorted by name.
    pub families: Vec<MergedFamily>,
    /// Files that could not be read or parsed (each skipped).
    pub errors: Vec<Error>,
}

/// One merged metric family (a [`Family`] the encoders can write).
pub struct MergedFamily {
    desc: &'static Descriptor,
    series: Vec<(Vec<String>, MergedValue)>,
}

enum MergedValue {
    Counter(f64),
    Gauge(f64),
    Histogram {
        bounds: Vec<f64>,
        cumulative: Vec<u64>,
        sum: f64,
    },
    Summary {
        count: f64,
        sum: f64,
    },
}

impl Family for MergedFamily {
    fn descriptor(&self) -> &'static Descriptor {
        self.desc
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        let mut vals: Vec<&str> = Vec::new();
        for (labels, v) in &self.series {
            vals.clear();
            vals.extend(labels.iter().map(String::as_str));
            let s = match v {
                // Whole counts keep the integer rendering; Python's
                // fractional increments stay exact.
                MergedValue::Counter(c) if c.fract() == 0.0 && (0.0..9.0e15).contains(c) => {
                    Sample::Counter(*c as u64)
                }
                MergedValue::Counter(c) => Sample::CounterFloat(*c),
                MergedValue::Gauge(g) => Sample::Gauge(*g),
                MergedValue::Histogram {
                    bounds,
                    cumulative,
                    sum,
                } => Sample::Histogram {
                    bounds,
                    cumulative: cumulative.clone(),
                    sum: *sum,
                    native: None,
                    exemplars: None,
                },
                // Quantiles of processes cannot be merged (as Python's client).
                MergedValue::Summary { count, sum } => Sample::Summary {
                    quantiles: None,
                    count: *count as u64,
                    sum: *sum,
                },
            };
            f(&vals, s);
        }
    }
}

impl MergedFamily {
    /// Every sample as Python's collector reports it: sample name, labels,
    /// value (histograms: `_bucket` cumulative with `le`, `_count`, `_sum`).
    pub fn samples(&self) -> Vec<(String, BTreeMap<String, String>, f64)> {
        let mut out = Vec::new();
        let name = self.desc.name;
        for (l, v) in &self.series {
            let labels: BTreeMap<String, String> = self
                .desc
                .labels
                .iter()
                .map(|d| d.name.to_owned())
                .zip(l.iter().cloned())
                .collect();
            match v {
                MergedValue::Counter(c) | MergedValue::Gauge(c) => {
                    out.push((name.to_owned(), labels, *c))
                }
                MergedValue::Summary { count, sum } => {
                    out.push((format!("{name}_count"), labels.clone(), *count));
                    out.push((format!("{name}_sum"), labels, *sum));
                }
                MergedValue::Histogram {
                    bounds,
                    cumulative,
                    sum,
                } => {
                    let les = bounds.iter().copied().chain([f64::INFINITY]);
                    for (b, c) in les.zip(cumulative) {
                        let mut l = labels.clone();
                        l.insert("le".into(), format::float_to_go_string(b));
                        out.push((format!("{name}_bucket"), l, *c as f64));
                    }
                    let n = cumulative.last().copied().unwrap_or(0) as f64;
                    out.push((format!("{name}_count"), labels.clone(), n));
                    out.push((format!("{name}_sum"), labels, *sum));
                }
            }
        }
        out
    }
}

/// Descriptors of merged families, interned so that scrapes do not leak:
/// one per distinct (name, type, help, label names).
fn intern(name: &str, kind: Kind, help: &str, labels: &[String]) -> &'static Descriptor {
    type Interned = HashMap<(String, u8, String, Vec<String>), &'static Descriptor>;
    static TABLE: Mutex<Option<Interned>> = Mutex::new(None);
    let mut t = TABLE.lock().unwrap_or_else(|p| p.into_inner());
    let k = (
        name.to_owned(),
        kind as u8,
        help.to_owned(),
        labels.to_vec(),
    );
    t.get_or_insert_with(HashMap::new)
        .entry(k)
        .or_insert_with(|| {
            let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
            let labels: Vec<LabelDescriptor> = labels
                .iter()
                .map(|l| LabelDescriptor {
                    name: leak(l),
                    values: None,
                    max_values: None,
                })
                .collect();
            Box::leak(Box::new(Descriptor {
                name: leak(name),
                help: leak(help),
                kind,
                unit: None,
                labels: Box::leak(labels.into_boxed_slice()),
                const_labels: &[],
                site: Site {
                    krate: "promdef",
                    file: "multiprocess",
                    line: 0,
                },
                multiprocess_mode: "all",
                max_series: None,
            }))
        })
}

/// Reads and merges every `*.db` file of `dir`, as Python's
/// `MultiProcessCollector`: counters, histograms and summaries summed
/// (histogram buckets accumulated), gauges by their file's mode — `all` and
/// `liveall` with a `pid` label per process, `min`/`max`/`sum`, `mostrecent`
/// (largest timestamp); `live*` files of processes that no longer exist are
/// left out. A file that cannot be read safely (a symlink, not a regular
/// file, too large) or parsed is skipped and reported in [`Merged::errors`],
/// naming it; the others are merged.
pub fn merge_dir(dir: impl AsRef<Path>) -> Merged {
    let dir = dir.as_ref();
    let mut errors = Vec::new();
    if let Err(e) = fs::check_dir(dir) {
        errors.push(e);
        return Merged {
            families: Vec::new(),
            errors,
        };
    }
    // Never see a compaction half-way (listing included); then skip sources
    // an interrupted one already folded into its archive (see `compact`).
    // A read-only directory cannot hold the lock file: read without it.
    let _lock = compact::DirLock::shared(dir);
    let mut names: Vec<(String, PathBuf)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .filter(|(n, _)| n.ends_with(".db"))
            .collect(),
        Err(e) => {
            errors.push(Error::Io {
                path: dir.to_owned(),
                source: e,
            });
            Vec::new()
        }
    };
    names.sort();
    let folded = compact::folded_sources(dir);
    let mut merger = Merger::default();
    for (name, path) in names {
        if folded.contains(&name) {
            continue;
        }
        let Some(file) = super::classify(&name) else {
            continue;
        };
        if file.kind == Kind::Gauge
            && file.mode.starts_with("live")
            && file.pid.is_some_and(|p| !super::pid_alive(p))
        {
            continue;
        }
        let data = match fs::read_file(&path) {
            Ok(Some(d)) => d,
            Ok(None) => continue, // just created, or removed (mark_process_dead)
            Err(reason) => {
                errors.push(Error::Corrupt { path, reason });
                continue;
            }
        };
        let entries = match format::entries(&data) {
            Ok(e) => e,
            Err(reason) => {
                errors.push(Error::Corrupt { path, reason });
                continue;
            }
        };
        let pid_label = file
            .pid
            .map_or_else(|| "archive".to_owned(), |p| p.to_string());
        if let Err(reason) = merger.add_file(file.kind, file.mode, &pid_label, &data, &entries) {
            errors.push(Error::Corrupt { path, reason });
        }
    }
    let mut families: Vec<MergedFamily> = merger.metrics.into_iter().filter_map(finish).collect();
    families.sort_by_key(|f| f.desc.name);
    Merged { families, errors }
}

fn finish(mut acc: Acc) -> Option<MergedFamily> {
    let kind = acc.kind;
    let fam_name = acc.family_name;
    acc.series.sort_by(|a, b| a.0.cmp(&b.0));
    let mut label_names: Vec<String> = acc
        .series
        .iter()
        .flat_map(|(l, _)| l.iter().map(|(n, _)| n.clone()))
        .collect();
    label_names.sort();
    label_names.dedup();
    let desc = intern(&fam_name, kind, &acc.help, &label_names);
    let series = acc
        .series
        .into_iter()
        .map(|(labels, mut s)| {
            let values = label_names
                .iter()
                .map(|n| {
                    labels
                        .iter()
                        .find(|(l, _)| l == n)
                        .map_or_else(String::new, |(_, v)| v.clone())
                })
                .collect();
            let v = match kind {
                Kind::Counter => MergedValue::Counter(s.value),
                Kind::Gauge => MergedValue::Gauge(s.value),
                Kind::Summary => MergedValue::Summary {
                    count: s.count,
                    sum: s.sum,
                },
                _ => {
                    s.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
                    let mut acc = 0.0;
                    let mut bounds = Vec::new();
                    let mut cumulative = Vec::new();
                    for (b, c) in &s.buckets {
                        acc += c;
                        if b.is_finite() {
                            bounds.push(*b);
                            cumulative.push(acc as u64);
                        }
                    }
                    cumulative.push(acc as u64);
                    MergedValue::Histogram {
                        bounds,
                        cumulative,
                        sum: s.sum,
                    }
                }
            };
            (values, v)
        })
        .collect();
    Some(MergedFamily { desc, series })
}
