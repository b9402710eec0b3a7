//! Families with open (string) labels: an insert-only, lock-free-read hash
//! table whose entries live in a bump arena.
//!
//! Why this shape:
//! - Series are never removed, so entries are never freed: a reader needs no
//!   lock, no reference count and no epoch — one atomic load of the table,
//!   then probing. Writers (first use of a label tuple) serialize on a mutex
//!   that is held only inside this module, never while user code runs.
//! - A grown table is published with one atomic store; the old one is leaked
//!   (tables grow 4×, so all leaked tables together are a third of the live
//!   one). A reader still probing an old table may miss a new entry; it then
//!   takes the locked path, which searches the current table.
//! - One arena record per series (cell, hash, key length, key bytes) keeps a
//!   series near 32 bytes plus its slot, with no allocator overhead; records
//!   are contiguous in insertion order, so a scrape walks the arena chunks
//!   without sorting or following pointers.

use crate::family::{unix_now, Descriptor, Family, KeySink, OpenLabels, SeriesSink};
use crate::value::{Cell, NewCell, Sample};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::ptr::{self, null_mut};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::*};
use std::sync::Mutex;

/// Keys are length-prefixed so distinct tuples never encode alike:
/// `("ab","c")` and `("a","bc")` are different keys.
struct KeyHasher<'h>(foldhash::fast::FoldHasher<'h>);
impl KeySink for KeyHasher<'_> {
    #[inline]
    fn closed(&mut self, index: u16) {
        self.0.write_u16(index);
    }
    #[inline]
    fn open(&mut self, value: &str) {
        self.0.write_usize(value.len());
        self.0.write(value.as_bytes());
    }
    #[inline]
    fn last_open(&mut self, value: &str) {
        self.open(value);
    }
}

/// Counts the bytes a key encodes to.
struct KeyLen(usize);
impl KeySink for KeyLen {
    fn closed(&mut self, _: u16) {
        self.0 += 2;
    }
    fn open(&mut self, value: &str) {
        self.0 += 4 + value.len();
    }
    fn last_open(&mut self, value: &str) {
        self.0 += value.len();
    }
}

/// Writes the key into arena memory reserved with [`KeyLen`].
struct KeyWriter(*mut u8);
impl KeySink for KeyWriter {
    fn closed(&mut self, index: u16) {
        // SAFETY: the caller reserved `KeyLen` bytes at the start pointer.
        unsafe {
            ptr::copy_nonoverlapping(index.to_le_bytes().as_ptr(), self.0, 2);
            self.0 = self.0.add(2);
        }
    }
    fn open(&mut self, value: &str) {
        // SAFETY: as above.
        unsafe {
            ptr::copy_nonoverlapping((value.len() as u32).to_le_bytes().as_ptr(), self.0, 4);
            self.0 = self.0.add(4);
        }
        self.last_open(value);
    }
    fn last_open(&mut self, value: &str) {
        // SAFETY: as above.
        unsafe {
            ptr::copy_nonoverlapping(value.as_ptr(), self.0, value.len());
            self.0 = self.0.add(value.len());
        }
    }
}

/// Compares a label tuple with a stored key without allocating.
struct KeyEq<'k> {
    rest: &'k [u8],
    equal: bool,
}
impl KeySink for KeyEq<'_> {
    #[inline]
    fn closed(&mut self, index: u16) {
        match self.rest.split_first_chunk::<2>() {
            Some((b, rest)) if self.equal && u16::from_le_bytes(*b) == index => self.rest = rest,
            _ => self.equal = false,
        }
    }
    #[inline]
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
    #[inline]
    fn last_open(&mut self, value: &str) {
        if self.equal && self.rest == value.as_bytes() {
            self.rest = &[];
        } else {
            self.equal = false;
        }
    }
}

const SEED: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x70726f6d646566);

/// One series: its cell, its first-use time and its key, which starts right
/// after `created` (in what would otherwise be the struct's tail padding).
#[repr(C)]
struct Entry<C> {
    cell: C,
    hash: u32,
    key_len: u32,
    /// Seconds since the Unix epoch (OpenMetrics `_created`).
    created: u32,
}

/// Where an entry's key starts.
fn key_offset<C>() -> usize {
    std::mem::offset_of!(Entry<C>, created) + size_of::<u32>()
}

/// Bytes an entry with a key of `key_len` bytes takes in the arena.
fn entry_size<C>(key_len: usize) -> usize {
    (key_offset::<C>() + key_len)
        .max(size_of::<Entry<C>>())
        .next_multiple_of(align_of::<Entry<C>>())
}

impl<C> Entry<C> {
    fn key(&self) -> &[u8] {
        // SAFETY: `insert` wrote `key_len` bytes at `key_offset`, inside the
        // entry's arena record.
        unsafe {
            std::slice::from_raw_parts(
                (self as *const Self as *const u8).add(key_offset::<C>()),
                self.key_len as usize,
            )
        }
    }
}

struct Table<C: 'static> {
    mask: usize,
    slots: Box<[AtomicPtr<Entry<C>>]>,
}

impl<C> Table<C> {
    fn with_capacity(cap: usize) -> Self {
        Table {
            mask: cap - 1,
            slots: (0..cap).map(|_| AtomicPtr::new(null_mut())).collect(),
        }
    }

    #[inline]
    fn find(&self, hash: u32, eq: impl Fn(&Entry<C>) -> bool) -> Option<&'static Entry<C>> {
        let mut i = hash as usize & self.mask;
        loop {
            let p = self.slots[i].load(Acquire);
            if p.is_null() {
                return None;
            }
            // SAFETY: slots only ever hold entries leaked into the arena.
            let e = unsafe { &*p };
            if e.hash == hash && eq(e) {
                return Some(e);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Only under the writer lock.
    fn insert(&self, e: *mut Entry<C>, hash: u32) {
        let mut i = hash as usize & self.mask;
        while !self.slots[i].load(Relaxed).is_null() {
            i = (i + 1) & self.mask;
        }
        self.slots[i].store(e, Release);
    }
}

const CHUNK: usize = 64 * 1024;

/// An arena chunk: entries are written from `start` up to `used` bytes,
/// which is published (release) after each entry is complete.
struct Chunk {
    start: *mut u8,
    cap: usize,
    used: AtomicUsize,
    next: AtomicPtr<Chunk>,
}

/// Writer state, only touched under the writer mutex.
struct Writer {
    last: *const Chunk,
    /// Capped families of several labels: each bounded open label's kept
    /// values (first come, first kept; at most its `max_values`), as slices
    /// of the arena keys of the series that first had them, so no value is
    /// stored twice. A family of one label needs none: its values are its
    /// series.
    kept: Vec<std::collections::HashSet<&'static [u8], foldhash::fast::RandomState>>,
    /// Capped families: series created that count against `max_series`
    /// (all but the overflow series themselves).
    counted: usize,
    /// Whether the first overflow was reported.
    warned: bool,
}

// SAFETY: only used under the writer mutex; the pointer is to leaked memory.
unsafe impl Send for Writer {}

/// A family with at least one open (string) label: series are created on
/// first use and looked up by a length-prefixed key, so distinct label tuples
/// never merge. Lookups take no lock; the first use of a tuple takes a
/// writer lock held only inside this type, never while user code runs. Cells
/// live for the program's lifetime, so handles returned by [`Map::with`] can
/// be cached.
pub struct Map<L, C: 'static> {
    #[doc(hidden)]
    pub family: MapFamily<C>,
    _labels: PhantomData<fn(L)>,
}

/// The label-agnostic part of a [`Map`] family, which the registry collects.
#[doc(hidden)]
pub struct MapFamily<C: 'static> {
    desc: Descriptor,
    bounds: &'static [f64],
    native: Option<&'static crate::native::Native>,
    quantiles: Option<&'static crate::quantile::Quantiles>,
    table: AtomicPtr<Table<C>>,
    first: AtomicPtr<Chunk>,
    len: AtomicUsize,
    writer: Mutex<Writer>,
}

impl<L, C> Map<L, C> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(desc: Descriptor, bounds: &'static [f64]) -> Self {
        Self::native(desc, bounds, None)
    }

    /// Used by generated code: a summary map with quantiles.
    #[doc(hidden)]
    pub const fn with_quantiles(desc: Descriptor, q: &'static crate::quantile::Quantiles) -> Self {
        let mut m = Self::native(desc, &[], None);
        m.family.quantiles = Some(q);
        m
    }

    /// Used by generated code: a histogram map with native buckets.
    #[doc(hidden)]
    pub const fn native(
        desc: Descriptor,
        bounds: &'static [f64],
        native: Option<&'static crate::native::Native>,
    ) -> Self {
        Map {
            family: MapFamily {
                desc,
                bounds,
                native,
                quantiles: None,
                table: AtomicPtr::new(null_mut()),
                first: AtomicPtr::new(null_mut()),
                len: AtomicUsize::new(0),
                writer: Mutex::new(Writer {
                    last: ptr::null(),
                    kept: Vec::new(),
                    counted: 0,
                    warned: false,
                }),
            },
            _labels: PhantomData,
        }
    }

    /// Number of series created so far.
    pub fn len(&self) -> usize {
        self.family.len.load(Relaxed)
    }

    /// Whether no series was created yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<C> MapFamily<C> {
    /// Every entry, in insertion order, without locking.
    fn entries(&self) -> impl Iterator<Item = &'static Entry<C>> {
        // SAFETY: chunks are leaked once linked.
        let mut chunk: Option<&'static Chunk> = unsafe { self.first.load(Acquire).as_ref() };
        let mut offset = 0usize;
        let mut used = chunk.map_or(0, |c| c.used.load(Acquire));
        std::iter::from_fn(move || loop {
            let c = chunk?;
            if offset < used {
                // SAFETY: bytes below `used` hold complete, aligned entries.
                let e = unsafe { &*(c.start.add(offset) as *const Entry<C>) };
                offset += entry_size::<C>(e.key_len as usize);
                return Some(e);
            }
            // SAFETY: as above.
            chunk = unsafe { c.next.load(Acquire).as_ref() };
            offset = 0;
            used = chunk.map_or(0, |c| c.used.load(Acquire));
        })
    }

    /// Reserves `size` bytes for an entry; only under the writer lock.
    fn alloc(&self, w: &mut Writer, size: usize) -> (&'static Chunk, usize) {
        // SAFETY: `last` is null or a leaked chunk.
        if let Some(c) = unsafe { w.last.as_ref() } {
            let used = c.used.load(Relaxed);
            if used + size <= c.cap {
                return (c, used);
            }
        }
        let cap = CHUNK.max(size);
        let mem: &'static mut [u64] = Box::leak(vec![0u64; cap.div_ceil(8)].into_boxed_slice());
        let c: &'static Chunk = Box::leak(Box::new(Chunk {
            start: mem.as_mut_ptr() as *mut u8,
            cap: mem.len() * 8,
            used: AtomicUsize::new(0),
            next: AtomicPtr::new(null_mut()),
        }));
        let cp = c as *const Chunk as *mut Chunk;
        // SAFETY: as above.
        match unsafe { w.last.as_ref() } {
            None => self.first.store(cp, Release),
            Some(last) => last.next.store(cp, Release),
        }
        w.last = c;
        (c, 0)
    }
}

/// The hash of a label tuple's key.
#[inline]
fn hash_of<L: OpenLabels>(labels: &L::Borrowed<'_>) -> u32 {
    let mut h = KeyHasher(SEED.build_hasher());
    L::write_key(labels, &mut h);
    h.0.finish() as u32
}

/// Whether an entry's key is this label tuple's.
#[inline]
fn is_key_of<L: OpenLabels, C>(labels: &L::Borrowed<'_>, e: &Entry<C>) -> bool {
    let mut k = KeyEq {
        rest: e.key(),
        equal: true,
    };
    L::write_key(labels, &mut k);
    k.equal && k.rest.is_empty()
}

impl<L: OpenLabels, C: NewCell> Map<L, C> {
    /// The series for these label values, created at 0 on first use (a new
    /// tuple past the family's bounds goes to its overflow series: see
    /// [`crate::cardinality`]).
    #[inline]
    pub fn with(&self, labels: L::Borrowed<'_>) -> &C {
        let hash = hash_of::<L>(&labels);
        let eq = |e: &Entry<C>| is_key_of::<L, C>(&labels, e);
        let f = &self.family;
        if let Some(e) = f.find_current(hash, eq) {
            return &e.cell;
        }
        f.insert::<L>(hash, &labels, eq)
    }

    /// The series for these label values if it exists, without creating
    /// it (typed read-back, e.g. of the [`OVERFLOW`](crate::OVERFLOW)
    /// series in a test).
    pub fn get(&self, labels: L::Borrowed<'_>) -> Option<&C> {
        let hash = hash_of::<L>(&labels);
        let eq = |e: &Entry<C>| is_key_of::<L, C>(&labels, e);
        let f = &self.family;
        if let Some(e) = f.find_current(hash, eq) {
            return Some(&e.cell);
        }
        // A reader may see an older table: look again where no newer one can be.
        let _w = f.writer.lock().unwrap_or_else(|p| p.into_inner());
        f.find_current(hash, eq).map(|e| &e.cell)
    }
}

impl<C: NewCell> MapFamily<C> {
    #[cold]
    fn insert<L: OpenLabels>(
        &self,
        hash: u32,
        labels: &L::Borrowed<'_>,
        eq: impl Fn(&Entry<C>) -> bool,
    ) -> &C {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = self.find_current(hash, &eq) {
            return &e.cell;
        }
        if !self.capped() {
            let mut klen = KeyLen(0);
            L::write_key(labels, &mut klen);
            let e = self.create(&mut w, hash, klen.0, |dst| {
                L::write_key(labels, &mut KeyWriter(dst))
            });
            return &e.cell;
        }
        let mut key = KeyVec(Vec::new());
        L::write_key(labels, &mut key);
        let (e, overflow) = self.insert_capped(&mut w, &key.0);
        let first = overflow.filter(|_| !std::mem::replace(&mut w.warned, true));
        drop(w);
        if let Some(reason) = overflow {
            crate::cardinality::overflowed(&self.desc, reason, first.is_some());
        }
        &e.cell
    }

    /// Searches the table published last (under the writer lock, no newer
    /// one can exist; without it, a reader may miss a series being added).
    #[inline]
    fn find_current(&self, hash: u32, eq: impl Fn(&Entry<C>) -> bool) -> Option<&'static Entry<C>> {
        // SAFETY: tables are leaked once published.
        unsafe { self.table.load(Acquire).as_ref() }.and_then(|t| t.find(hash, eq))
    }

    /// Whether new series are bounded: a label's `max_values` or the
    /// family's `max_series`.
    fn capped(&self) -> bool {
        self.desc.max_series.is_some() || self.desc.labels.iter().any(|l| l.max_values.is_some())
    }

    /// The insert path of a capped family, for a tuple not in the table
    /// (its encoded `key`). First come, first kept: an open label's value
    /// past its `max_values` becomes [`crate::OVERFLOW`]; a tuple that would
    /// be a new series past `max_series` has every open label set to it.
    /// The series found or created, and why it overflowed (if it did).
    fn insert_capped(
        &self,
        w: &mut Writer,
        key: &[u8],
    ) -> (&'static Entry<C>, Option<crate::cardinality::Reason>) {
        use crate::cardinality::Reason;
        let labels = self.desc.labels;
        let mut parts: Vec<Part<'_>> = split_key(&self.desc, key).collect();
        if w.kept.len() != labels.len() {
            w.kept = labels.iter().map(|_| Default::default()).collect();
        }
        let mut reason = None;
        let single = labels.len() == 1;
        for (i, l) in labels.iter().enumerate() {
            let Part::Open(v) = parts[i] else { continue };
            if v == crate::OVERFLOW.as_bytes() {
                // Written by the caller: the overflow series itself.
                reason.get_or_insert(Reason::Asked);
                continue;
            }
            if let Some(max) = l.max_values {
                // One label: the tuple is not in the table, so its value is
                // new, and the kept values are the counted series.
                let full = if single {
                    w.counted as u64 >= max
                } else {
                    !w.kept[i].contains(v) && w.kept[i].len() as u64 >= max
                };
                if full {
                    parts[i] = Part::Open(crate::OVERFLOW.as_bytes());
                    reason = Some(Reason::Label {
                        label: l.name,
                        max_values: max,
                    });
                }
            }
        }
        let (k, h) = encode_parts(&parts);
        if let Some(e) = self.find_current(h, |e| e.key() == k.as_slice()) {
            return (e, reason);
        }
        let all_overflow = |parts: &[Part<'_>]| {
            parts.iter().all(|p| {
                matches!(p, Part::Closed(_)) || *p == Part::Open(crate::OVERFLOW.as_bytes())
            })
        };
        if let Some(max) = self.desc.max_series {
            if !all_overflow(&parts) && w.counted as u64 >= max {
                for p in parts.iter_mut() {
                    if let Part::Open(_) = p {
                        *p = Part::Open(crate::OVERFLOW.as_bytes());
                    }
                }
                let (k, h) = encode_parts(&parts);
                let reason = Some(Reason::Series { max_series: max });
                if let Some(e) = self.find_current(h, |e| e.key() == k.as_slice()) {
                    return (e, reason);
                }
                // The overflow series of this closed-label combination: not
                // counted against the cap, so it always exists.
                return (
                    self.create(w, h, k.len(), |dst| write_bytes(dst, &k)),
                    reason,
                );
            }
        }
        let e = self.create(w, h, k.len(), |dst| write_bytes(dst, &k));
        if !all_overflow(&parts) {
            w.counted += 1;
        }
        if !single {
            for (i, p) in split_key(&self.desc, e.key()).enumerate() {
                if let (Part::Open(v), Some(_)) = (p, labels[i].max_values) {
                    if v != crate::OVERFLOW.as_bytes() {
                        w.kept[i].insert(v);
                    }
                }
            }
        }
        (e, reason)
    }

    /// Adds a series (not in the table) whose key `write` puts at the
    /// pointer it is given, `key_len` bytes; only under the writer lock.
    fn create(
        &self,
        w: &mut Writer,
        hash: u32,
        key_len: usize,
        write: impl FnOnce(*mut u8),
    ) -> &'static Entry<C> {
        let mut table = self.table.load(Acquire);
        let len = self.len.load(Relaxed);
        // SAFETY: tables are leaked once published.
        let cap = unsafe { table.as_ref() }.map_or(0, |t| t.mask + 1);
        if (len + 1) * 4 > cap * 3 {
            let grown = Table::with_capacity((cap * 4).max(16));
            for e in self.entries() {
                grown.insert(e as *const _ as *mut _, e.hash);
            }
            table = Box::into_raw(Box::new(grown));
            self.table.store(table, Release);
        }

        let size = entry_size::<C>(key_len);
        let (chunk, offset) = self.alloc(w, size);
        const { assert!(align_of::<Entry<C>>() <= 8) };
        // SAFETY: chunks are 8-aligned and entry sizes are multiples of the
        // entry's alignment (at most 8), so `p` is aligned, and `alloc`
        // reserved `size` free bytes from it.
        let p = unsafe { chunk.start.add(offset) } as *mut Entry<C>;
        unsafe {
            p.write(Entry {
                cell: C::new_cell(self.bounds, self.native, self.quantiles),
                hash,
                key_len: key_len as u32,
                created: unix_now() as u32,
            });
            write((p as *mut u8).add(key_offset::<C>()));
        }
        // SAFETY: the entry was fully written above and is never freed.
        let e: &'static Entry<C> = unsafe { &*p };
        // The new-series hook (multi-process mode: the series' file entry)
        // runs before anyone can use the series, under the writer lock, so a
        // pass over the existing series cannot miss it.
        if let Some(hook) = crate::storage::new_series_hook() {
            let mut values = vec![""; self.desc.labels.len()];
            decode_key(&self.desc, e.key(), &mut values);
            hook(&self.desc, &values, &e.cell);
        }
        // Publish to scrapes, then to lookups.
        chunk.used.store(offset + size, Release);
        // SAFETY: `table` is the published current table.
        unsafe { &*table }.insert(p, hash);
        self.len.store(len + 1, Relaxed);
        e
    }
}

/// Copies an encoded key into reserved arena memory.
fn write_bytes(dst: *mut u8, key: &[u8]) {
    // SAFETY: the caller reserved `key.len()` bytes at `dst`.
    unsafe { ptr::copy_nonoverlapping(key.as_ptr(), dst, key.len()) }
}

/// Collects an encoded key (the capped insert path inspects it).
struct KeyVec(Vec<u8>);
impl KeySink for KeyVec {
    fn closed(&mut self, index: u16) {
        self.0.extend_from_slice(&index.to_le_bytes());
    }
    fn open(&mut self, value: &str) {
        self.0
            .extend_from_slice(&(value.len() as u32).to_le_bytes());
        self.last_open(value);
    }
    fn last_open(&mut self, value: &str) {
        self.0.extend_from_slice(value.as_bytes());
    }
}

/// One label of an encoded key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part<'k> {
    Closed(u16),
    Open(&'k [u8]),
}

/// The labels of a key written by a labels struct's `write_key`, in order.
fn split_key<'k, 'd>(
    desc: &'d Descriptor,
    mut key: &'k [u8],
) -> impl Iterator<Item = Part<'k>> + use<'k, 'd> {
    let last = desc.labels.len().saturating_sub(1);
    desc.labels
        .iter()
        .enumerate()
        .map(move |(i, l)| match l.values {
            Some(_) => {
                let (b, rest) = key.split_first_chunk::<2>().unwrap_or((&[0, 0], &[]));
                key = rest;
                Part::Closed(u16::from_le_bytes(*b))
            }
            // The last open label has no length prefix: it is the rest of the key.
            None if i == last => Part::Open(std::mem::take(&mut key)),
            None => {
                let (len, rest) = key.split_first_chunk::<4>().unwrap_or((&[0; 4], &[]));
                let (v, rest) = rest.split_at((u32::from_le_bytes(*len) as usize).min(rest.len()));
                key = rest;
                Part::Open(v)
            }
        })
}

/// The key and hash of a label tuple, as `write_key` and [`Map::with`]
/// compute them (so later lookups find the series this creates).
fn encode_parts(parts: &[Part<'_>]) -> (Vec<u8>, u32) {
    let mut key = Vec::new();
    let mut h = SEED.build_hasher();
    let last = parts.len().saturating_sub(1);
    for (i, p) in parts.iter().enumerate() {
        match *p {
            Part::Closed(v) => {
                key.extend_from_slice(&v.to_le_bytes());
                h.write_u16(v);
            }
            Part::Open(v) => {
                if i != last {
                    key.extend_from_slice(&(v.len() as u32).to_le_bytes());
                }
                key.extend_from_slice(v);
                h.write_usize(v.len());
                h.write(v);
            }
        }
    }
    (key, h.finish() as u32)
}

fn decode_key(desc: &Descriptor, key: &'static [u8], out: &mut [&'static str]) {
    for ((slot, l), part) in out.iter_mut().zip(desc.labels).zip(split_key(desc, key)) {
        *slot = match (part, l.values) {
            (Part::Closed(i), Some(vals)) => vals.get(i as usize).copied().unwrap_or(""),
            // SAFETY: keys are written from `&str` only, so each open
            // segment is valid UTF-8; re-validating costs every scrape.
            (Part::Open(v), _) => unsafe { std::str::from_utf8_unchecked(v) },
            (Part::Closed(_), None) => "",
        };
    }
}

impl<C: Cell> Family for MapFamily<C> {
    fn descriptor(&self) -> &Descriptor {
        &self.desc
    }
    /// Series in the order they were first used.
    fn collect(&self, f: &mut dyn FnMut(&[&str], Sample<'_>)) {
        self.collect_created(&mut |values, sample, _| f(values, sample));
    }
    fn collect_created(&self, f: &mut SeriesSink<'_>) {
        let mut values = vec![""; self.desc.labels.len()];
        for e in self.entries() {
            decode_key(&self.desc, e.key(), &mut values);
            f(&values, e.cell.sample(), Some(f64::from(e.created)));
        }
    }
    /// Holds the writer lock so no series is created meanwhile — except in
    /// a fork child, where this runs single-threaded and the lock may be
    /// held by a thread of the parent that does not exist here.
    fn visit_cells(&self, f: &mut dyn FnMut(&[&str], &dyn Cell)) {
        let _w = if crate::storage::in_fork_child() {
            None
        } else {
            Some(self.writer.lock().unwrap_or_else(|p| p.into_inner()))
        };
        let mut values = vec![""; self.desc.labels.len()];
        for e in self.entries() {
            decode_key(&self.desc, e.key(), &mut values);
            f(&values, &e.cell);
        }
    }
}

impl<L, C> fmt::Debug for Map<L, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("name", &self.family.desc.name)
            .field("series", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{Kind, LabelDescriptor, Site};
    use crate::value::Counter;
    use std::collections::HashMap;

    struct Key;
    impl OpenLabels for Key {
        const LABELS: &'static [LabelDescriptor] = DESC.labels;
        type Borrowed<'a> = (u16, &'a str);
        fn write_key<S: KeySink>(l: &(u16, &str), sink: &mut S) {
            sink.closed(l.0);
            sink.last_open(l.1);
        }
    }

    const DESC: Descriptor = Descriptor {
        name: "stress_total",
        help: "Stress.",
        kind: Kind::Counter,
        unit: None,
        labels: &[
            LabelDescriptor {
                name: "kind",
                values: Some(&["a", "b"]),
                max_values: None,
            },
            LabelDescriptor {
                name: "name",
                values: None,
                max_values: None,
            },
        ],
        const_labels: &[],
        site: Site {
            krate: "promdef",
            file: "map.rs",
            line: 0,
        },
        multiprocess_mode: "all",
        max_series: None,
    };

    #[test]
    fn concurrent_first_use_during_growth_is_exact() {
        static MAP: Map<Key, Counter> = Map::new(DESC, &[]);
        const THREADS: usize = 4;
        const KEYS: usize = 3000;
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                std::thread::spawn(move || {
                    let mut cells: HashMap<String, usize> = HashMap::new();
                    for i in 0..KEYS {
                        // Every thread touches every shared key, and its own keys.
                        let shared = format!("shared-{i}");
                        let c = MAP.with(((i % 2) as u16, &shared));
                        c.inc();
                        cells.insert(shared, c as *const Counter as usize);
                        MAP.with((1, &format!("own-{t}-{i}"))).inc_by(2);
                    }
                    // Handles are stable: the same key still maps to the same cell.
                    for (k, p) in &cells {
                        let i: usize = k[7..].parse().unwrap();
                        assert_eq!(MAP.with(((i % 2) as u16, k)) as *const Counter as usize, *p);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(MAP.len(), KEYS + THREADS * KEYS);
        let mut seen = HashMap::new();
        MAP.family.collect(&mut |values, sample| {
            let Sample::Counter(v) = sample else { panic!() };
            let key = format!("{}/{}", values[0], values[1]);
            assert!(seen.insert(key, v).is_none(), "series collected twice");
        });
        assert_eq!(seen.len(), KEYS + THREADS * KEYS);
        for i in 0..KEYS {
            let kind = if i % 2 == 0 { "a" } else { "b" };
            assert_eq!(seen[&format!("{kind}/shared-{i}")], THREADS as u64);
            for t in 0..THREADS {
                assert_eq!(seen[&format!("b/own-{t}-{i}")], 2);
            }
        }
    }

    #[test]
    fn keys_differing_only_in_split_or_closed_part_stay_distinct() {
        static MAP: Map<Key, Counter> = Map::new(DESC, &[]);
        MAP.with((0, "ab")).inc();
        MAP.with((1, "ab")).inc_by(2);
        MAP.with((0, "abc")).inc_by(3);
        MAP.with((0, "")).inc_by(4);
        assert_eq!(MAP.with((0, "ab")).get(), 1);
        assert_eq!(MAP.with((1, "ab")).get(), 2);
        assert_eq!(MAP.with((0, "abc")).get(), 3);
        assert_eq!(MAP.with((0, "")).get(), 4);
        assert_eq!(MAP.len(), 4);
    }

    #[test]
    fn huge_keys_get_their_own_chunk() {
        static MAP: Map<Key, Counter> = Map::new(DESC, &[]);
        let big = "x".repeat(200_000);
        MAP.with((0, &big)).inc();
        MAP.with((0, "small")).inc();
        assert_eq!(MAP.with((0, &big)).get(), 1);
        let mut lens = Vec::new();
        MAP.family.collect(&mut |v, _| lens.push(v[1].len()));
        assert_eq!(lens, [200_000, 5]);
    }

    /// Labels (open, closed, open): an open label with a length prefix, a
    /// closed one, and a last open one without.
    struct Three;
    impl OpenLabels for Three {
        const LABELS: &'static [LabelDescriptor] = CAPPED.labels;
        type Borrowed<'a> = (&'a str, u16, &'a str);
        fn write_key<S: KeySink>(l: &(&str, u16, &str), sink: &mut S) {
            sink.open(l.0);
            sink.closed(l.1);
            sink.last_open(l.2);
        }
    }

    const CAPPED: Descriptor = Descriptor {
        name: "capped_total",
        labels: &[
            LabelDescriptor {
                name: "a",
                values: None,
                max_values: Some(3),
            },
            LabelDescriptor {
                name: "k",
                values: Some(&["x", "y"]),
                max_values: None,
            },
            LabelDescriptor {
                name: "b",
                values: None,
                max_values: None,
            },
        ],
        max_series: Some(8),
        ..DESC
    };

    /// Series the capped path creates are found by the lock-free lookup
    /// (its key and hash are exactly `write_key`'s), the bounds hold, and
    /// every update is counted once.
    #[test]
    fn capped_inserts_match_lookups_and_hold_the_bounds() {
        static MAP: Map<Three, Counter> = Map::new(CAPPED, &[]);
        let mut total = 0;
        for i in 0..6 {
            for k in 0..2u16 {
                for j in 0..3 {
                    let a = format!("a{i}");
                    let b = format!("b{j}");
                    MAP.with((&a, k, &b)).inc();
                    total += 1;
                }
            }
        }
        // a0 × (x, y) × b0..b2 = 6 series, a1 × x × b0, b1 = 8: the cap.
        for (a, k, b) in [("a0", 0, "b0"), ("a0", 1, "b2"), ("a1", 0, "b1")] {
            let c = MAP.get((a, k, b)).expect("kept series found by lookup");
            assert_eq!(c.get(), 1);
        }
        assert!(MAP.get(("a1", 1, "b0")).is_none());
        let x = MAP
            .get((crate::OVERFLOW, 0, crate::OVERFLOW))
            .unwrap()
            .get();
        let y = MAP
            .get((crate::OVERFLOW, 1, crate::OVERFLOW))
            .unwrap()
            .get();
        assert_eq!(x + y + 8, total);
        assert_eq!(
            MAP.len(),
            10,
            "8 kept and one overflow series per closed value"
        );
        let mut sum = 0;
        MAP.family.collect(&mut |v, s| {
            let Sample::Counter(n) = s else { panic!() };
            assert!(v[0] != "a2" && v[0] != "a3", "{v:?}");
            sum += n;
        });
        assert_eq!(sum, total);
    }
}
