//! Metric families: a descriptor plus the cells of every series.

use crate::value::{Cell, NewCell, Sample};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::RwLock;

/// The exposition type of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Counter.
    Counter,
    /// Gauge.
    Gauge,
    /// Histogram.
    Histogram,
    /// Summary (count and sum).
    Summary,
    /// Info (OpenMetrics); a gauge of value 1 in text 0.0.4.
    Info,
}

impl Kind {
    /// The `# TYPE` word in text format 0.0.4.
    pub fn text_type(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge | Kind::Info => "gauge",
            Kind::Histogram => "histogram",
            Kind::Summary => "summary",
        }
    }
}

/// Where a metric was declared, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    /// Package that declared it.
    pub krate: &'static str,
    /// Source file (`.rs` or `.yaml`), relative to the package.
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} (crate `{}`)", self.file, self.line, self.krate)
    }
}

/// A label of a family.
#[derive(Debug)]
pub struct LabelDescriptor {
    /// Label name.
    pub name: &'static str,
    /// The closed set of values, or `None` for an open label.
    pub values: Option<&'static [&'static str]>,
}

/// Static description of a metric family, generated from the schema.
#[derive(Debug)]
pub struct Descriptor {
    /// Full metric name.
    pub name: &'static str,
    /// HELP text.
    pub help: &'static str,
    /// Type.
    pub kind: Kind,
    /// Unit, if declared.
    pub unit: Option<&'static str>,
    /// Variable labels in order.
    pub labels: &'static [LabelDescriptor],
    /// Labels with a fixed value on every series.
    pub const_labels: &'static [(&'static str, &'static str)],
    /// Where it was declared.
    pub site: Site,
}

/// Receives one series: label values, sample, and creation time (seconds
/// since the Unix epoch) when known.
pub type SeriesSink<'s> = dyn FnMut(&[&str], Sample<'_>, Option<f64>) + 's;

/// A family the registry can collect.
pub trait Family: Sync + Send + 'static {
    /// The static description.
    fn descriptor(&self) -> &'static Descriptor;
    /// Calls `f` for every series: variable label values (in descriptor order) and sample.
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>));
    /// As [`Family::collect`], with each series' creation time in seconds
    /// since the Unix epoch when the family records it (OpenMetrics
    /// `_created`); `None` means "when the registry started".
    fn collect_created(&self, f: &mut SeriesSink<'_>) {
        self.collect(&mut |values, sample| f(values, sample, None));
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Labels of a metric whose labels are all closed sets (generated).
///
/// # Safety
/// `index` must return a value below the family's `N` (the product of the
/// closed sets' sizes), computed as documented on [`Dense`].
pub unsafe trait DenseLabels: Copy {
    /// Mixed-radix index of this label tuple.
    fn index(&self) -> usize;
}

/// Labels of a metric with no labels.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoLabels;

// SAFETY: always 0, and a family without labels has N = 1.
unsafe impl DenseLabels for NoLabels {
    fn index(&self) -> usize {
        0
    }
}

/// A family whose labels are all closed sets: every series is pre-created
/// at 0 in a static array, so an update is an index computation and one
/// atomic operation — no hashing, no lock, no allocation.
///
/// The index of `(v0, v1, …)` with set sizes `(n0, n1, …)` is
/// `((v0 · n1) + v1) · n2 + v2 …`, the last label varying fastest.
pub struct Dense<L, C, const N: usize> {
    desc: &'static Descriptor,
    cells: [C; N],
    _labels: PhantomData<fn(L)>,
}

impl<L, C, const N: usize> Dense<L, C, N> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(desc: &'static Descriptor, cells: [C; N]) -> Self {
        Dense {
            desc,
            cells,
            _labels: PhantomData,
        }
    }
}

impl<L: DenseLabels, C, const N: usize> Dense<L, C, N> {
    /// The series for these label values.
    #[inline(always)]
    pub fn with(&self, labels: L) -> &C {
        let i = labels.index();
        debug_assert!(i < N);
        // SAFETY: `DenseLabels::index` is below N by its contract.
        unsafe { self.cells.get_unchecked(i) }
    }

    /// Every series with its label values, in declaration order.
    pub fn series(&self) -> impl Iterator<Item = (Vec<&'static str>, &C)> {
        (0..N).map(move |i| {
            let mut vals = vec![""; self.desc.labels.len()];
            dense_values(self.desc, i, &mut vals);
            (vals, &self.cells[i])
        })
    }
}

/// Inverse of [`DenseLabels::index`]: the label values of series `i`.
fn dense_values(desc: &Descriptor, mut i: usize, out: &mut [&'static str]) {
    for (k, l) in desc.labels.iter().enumerate().rev() {
        let vals = l.values.unwrap_or(&[]);
        let n = vals.len().max(1);
        out[k] = vals.get(i % n).copied().unwrap_or("");
        i /= n;
    }
}

impl<C, const N: usize> Deref for Dense<NoLabels, C, N> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.cells[0]
    }
}

impl<L: 'static, C: Cell, const N: usize> Family for Dense<L, C, N> {
    fn descriptor(&self) -> &'static Descriptor {
        self.desc
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        let mut values = vec![""; self.desc.labels.len()];
        for (i, cell) in self.cells.iter().enumerate() {
            dense_values(self.desc, i, &mut values);
            f(&values, cell.sample());
        }
    }
}

impl<L, C, const N: usize> fmt::Debug for Dense<L, C, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dense")
            .field("name", &self.desc.name)
            .field("series", &N)
            .finish()
    }
}

/// Receives the parts of a label tuple, in label order (generated code calls it).
pub trait KeySink {
    /// A closed-set label's value index.
    fn closed(&mut self, index: u16);
    /// An open label's value.
    fn open(&mut self, value: &str);
}

/// Labels of a metric with at least one open label (generated).
pub trait OpenLabels: 'static {
    /// The labels struct, borrowing its string values.
    type Borrowed<'a>;
    /// Feeds each label to `sink`, in descriptor order.
    fn write_key<S: KeySink>(labels: &Self::Borrowed<'_>, sink: &mut S);
}

/// Keys are length-prefixed so distinct tuples never encode alike:
/// `("ab","c")` and `("a","bc")` are different keys.
struct KeyHasher<'h>(foldhash::fast::FoldHasher<'h>);
impl KeySink for KeyHasher<'_> {
    fn closed(&mut self, index: u16) {
        self.0.write_u16(index);
    }
    fn open(&mut self, value: &str) {
        self.0.write_usize(value.len());
        self.0.write(value.as_bytes());
    }
}

struct KeyBytes(Vec<u8>);
impl KeySink for KeyBytes {
    fn closed(&mut self, index: u16) {
        self.0.extend_from_slice(&index.to_le_bytes());
    }
    fn open(&mut self, value: &str) {
        self.0
            .extend_from_slice(&(value.len() as u32).to_le_bytes());
        self.0.extend_from_slice(value.as_bytes());
    }
}

/// Compares a label tuple with a stored key without allocating.
struct KeyEq<'k> {
    rest: &'k [u8],
    equal: bool,
}
impl KeySink for KeyEq<'_> {
    fn closed(&mut self, index: u16) {
        match self.rest.split_first_chunk::<2>() {
            Some((b, rest)) if self.equal && u16::from_le_bytes(*b) == index => self.rest = rest,
            _ => self.equal = false,
        }
    }
    fn open(&mut self, value: &str) {
        if !self.equal {
            return;
        }
        match self.rest.split_first_chunk::<4>() {
            Some((len, rest))
                if u32::from_le_bytes(*len) as usize == value.len()
                    && rest.starts_with(value.as_bytes()) =>
            {
                self.rest = &rest[value.len()..];
            }
            _ => self.equal = false,
        }
    }
}

/// Series are never removed, so keys and cells are leaked on purpose: a
/// scrape can copy two pointers per series and release the lock at once.
struct Entry<C: 'static> {
    hash: u64,
    key: &'static [u8],
    cell: &'static C,
    created: f64,
}

const SEED: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x70726f6d646566);

/// A family with at least one open (string) label: series are created on
/// first use and looked up by a length-prefixed key, so distinct label tuples
/// never merge. The lock is held only inside this lookup, never while user
/// code runs; cells live for the program's lifetime, so handles returned by
/// [`Map::with`] can be cached.
pub struct Map<L, C: 'static> {
    desc: &'static Descriptor,
    bounds: &'static [f64],
    table: RwLock<hashbrown::HashTable<Entry<C>>>,
    _labels: PhantomData<fn(L)>,
}

impl<L, C> Map<L, C> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(desc: &'static Descriptor, bounds: &'static [f64]) -> Self {
        Map {
            desc,
            bounds,
            table: RwLock::new(hashbrown::HashTable::new()),
            _labels: PhantomData,
        }
    }
}

impl<L: OpenLabels, C: NewCell> Map<L, C> {
    /// The series for these label values, created at 0 on first use.
    #[inline]
    pub fn with(&self, labels: L::Borrowed<'_>) -> &C {
        let mut h = KeyHasher(SEED.build_hasher());
        L::write_key(&labels, &mut h);
        let hash = h.0.finish();
        let eq = |e: &Entry<C>| {
            if e.hash != hash {
                return false;
            }
            let mut k = KeyEq {
                rest: e.key,
                equal: true,
            };
            L::write_key(&labels, &mut k);
            k.equal && k.rest.is_empty()
        };
        {
            let table = self.table.read().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = table.find(hash, eq) {
                return e.cell;
            }
        }
        let mut table = self.table.write().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = table.find(hash, eq) {
            return e.cell;
        }
        let mut key = KeyBytes(Vec::new());
        L::write_key(&labels, &mut key);
        let created = unix_now();
        let cell: &'static C = Box::leak(Box::new(C::new_cell(self.bounds)));
        table.insert_unique(
            hash,
            Entry {
                hash,
                key: Box::leak(key.0.into_boxed_slice()),
                cell,
                created,
            },
            |e| e.hash,
        );
        cell
    }

    /// Number of series created so far.
    pub fn len(&self) -> usize {
        self.table.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no series was created yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn decode_key(desc: &'static Descriptor, mut key: &'static [u8], out: &mut Vec<&'static str>) {
    out.clear();
    for l in desc.labels {
        match l.values {
            Some(vals) => {
                let Some((b, rest)) = key.split_first_chunk::<2>() else {
                    return;
                };
                out.push(
                    vals.get(u16::from_le_bytes(*b) as usize)
                        .copied()
                        .unwrap_or(""),
                );
                key = rest;
            }
            None => {
                let Some((len, rest)) = key.split_first_chunk::<4>() else {
                    return;
                };
                let len = u32::from_le_bytes(*len) as usize;
                let (s, rest) = rest.split_at(len.min(rest.len()));
                // Keys are built from `&str` only, so they are valid UTF-8.
                out.push(std::str::from_utf8(s).unwrap_or(""));
                key = rest;
            }
        }
    }
}

impl<L: 'static, C: Cell> Family for Map<L, C> {
    fn descriptor(&self) -> &'static Descriptor {
        self.desc
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        self.collect_created(&mut |values, sample, _| f(values, sample));
    }
    fn collect_created(&self, f: &mut SeriesSink<'_>) {
        let entries: Vec<(&'static [u8], &'static C, f64)> = {
            let table = self.table.read().unwrap_or_else(|p| p.into_inner());
            table.iter().map(|e| (e.key, e.cell, e.created)).collect()
        };
        let mut rows: Vec<(Vec<&'static str>, &'static C, f64)> = entries
            .into_iter()
            .map(|(key, cell, created)| {
                let mut vals = Vec::with_capacity(self.desc.labels.len());
                decode_key(self.desc, key, &mut vals);
                (vals, cell, created)
            })
            .collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (vals, cell, created) in &rows {
            f(vals, cell.sample(), Some(*created));
        }
    }
}

impl<L, C> fmt::Debug for Map<L, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("name", &self.desc.name)
            .finish()
    }
}

/// An info family: one series of value 1 carrying its const labels.
#[derive(Debug)]
pub struct Info {
    desc: &'static Descriptor,
}

impl Info {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(desc: &'static Descriptor) -> Self {
        Info { desc }
    }

    /// The const labels this info metric exposes.
    pub fn labels(&self) -> &'static [(&'static str, &'static str)] {
        self.desc.const_labels
    }
}

impl Family for Info {
    fn descriptor(&self) -> &'static Descriptor {
        self.desc
    }
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        f(&[], Sample::Info);
    }
}
