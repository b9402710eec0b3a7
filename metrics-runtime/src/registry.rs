//! The registry: every metric linked into the binary, found at start-up.

use crate::encode::{self, Format};
use crate::family::{unix_now, Family, Site};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// A callback run before every exposition (see [`Registry::on_collect`]).
type Hook = Arc<dyn Fn() + Send + Sync>;

/// A source of families computed at each exposition, which the registry
/// iterates beside its declared families. Optional sources plug in here
/// without touching the core: multi-process mode's merge of every process's
/// files is one (`promdef::multiprocess::set_merged`).
///
/// ```
/// use promdef::{Collector, Family};
/// struct Nothing;
/// impl Collector for Nothing {
///     fn collect(&self) -> Vec<Box<dyn Family>> { Vec::new() }
/// }
/// pub static REG: promdef::Registry = promdef::Registry::new();
/// REG.set_collector("nothing", Some(std::sync::Arc::new(Nothing)));
/// assert_eq!(REG.render_text(), "");
/// ```
pub trait Collector: Send + Sync + 'static {
    /// The families to expose now.
    fn collect(&self) -> Vec<Box<dyn Family>>;
    /// Whether this collector exposes a declared family in its stead (the
    /// declared one is then left out); by default none.
    fn supersedes(&self, declared: &dyn Family) -> bool {
        let _ = declared;
        false
    }
}

type Collectors = Vec<(&'static str, Arc<dyn Collector>)>;

/// The families of one declaration and the registry they belong to
/// (generated code adds one per `metrics!` invocation to [`METRICS`]).
#[doc(hidden)]
pub struct Registration {
    pub registry: &'static Registry,
    pub families: &'static [&'static dyn Family],
}

/// Every metric of every crate linked into the binary.
#[doc(hidden)]
#[linkme::distributed_slice]
#[linkme(crate = crate::__private::linkme)]
pub static METRICS: [Registration];

/// A set of metric families, exposed together.
///
/// Metrics are never registered by hand: each declaration names its registry
/// (the default [`crate::registry()`] unless it says `registry = …`), and the
/// registry finds all of them, from every module and crate, on first use.
///
/// ```
/// pub static BATCH: promdef::Registry = promdef::Registry::new();
/// promdef::metrics! {
///     registry = crate::BATCH;
///     /// Rows imported.
///     pub counter import_rows_total;
/// }
/// # fn main() {
/// IMPORT_ROWS_TOTAL.inc_by(3);
/// assert!(BATCH.render_text().contains("import_rows_total 3\n"));
/// assert!(!promdef::registry().render_text().contains("import_rows_total"));
/// # }
/// ```
pub struct Registry {
    state: OnceLock<State>,
    /// Size of the last exposition, to allocate the next one at once.
    size_hint: AtomicUsize,
    /// Families added at run time ([`Registry::register`]), sorted by name.
    extra: RwLock<Vec<&'static dyn Family>>,
    hooks: Mutex<Vec<Hook>>,
    /// Sources of families computed at exposition, by key.
    collectors: RwLock<Collectors>,
}

struct State {
    families: Vec<&'static dyn Family>,
    errors: Vec<DuplicateMetric>,
    /// When the declarations were collected: the `_created` time of series
    /// that exist from the start.
    started: f64,
}

/// The same metric name declared twice in one registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateMetric {
    /// The metric name.
    pub name: &'static str,
    /// The declaration that is exposed.
    pub first: Site,
    /// The declaration that is ignored.
    pub second: Site,
}

impl fmt::Display for DuplicateMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "metric `{}` is declared twice: at {} and at {}; remove or rename one",
            self.name, self.second, self.first
        )
    }
}

impl std::error::Error for DuplicateMetric {}

/// Errors found when a registry collected its declarations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryError {
    /// Every duplicate name.
    pub duplicates: Vec<DuplicateMetric>,
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.duplicates.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RegistryError {}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("families", &self.state.get().map(|s| s.families.len()))
            .finish()
    }
}

impl Registry {
    /// A registry; declare it as a `static` and name it in declarations.
    pub const fn new() -> Self {
        Registry {
            state: OnceLock::new(),
            size_hint: AtomicUsize::new(0),
            extra: RwLock::new(Vec::new()),
            hooks: Mutex::new(Vec::new()),
            collectors: RwLock::new(Vec::new()),
        }
    }

    /// Adds (or, with `None`, removes) the collector named `key`, replacing
    /// one already added under that key.
    pub fn set_collector(&'static self, key: &'static str, collector: Option<Arc<dyn Collector>>) {
        let mut cs = self.collectors.write().unwrap_or_else(|p| p.into_inner());
        cs.retain(|(k, _)| *k != key);
        if let Some(c) = collector {
            cs.push((key, c));
        }
    }

    fn state(&'static self) -> &'static State {
        self.state.get_or_init(|| {
            let mut families: Vec<&'static dyn Family> = METRICS
                .iter()
                .filter(|r| std::ptr::eq(r.registry, self))
                .flat_map(|r| r.families.iter().copied())
                .collect();
            // Declaration order across crates is link order; sort for determinism.
            families.sort_by(|a, b| {
                let (a, b) = (a.descriptor(), b.descriptor());
                (a.name, a.site.krate, a.site.file, a.site.line).cmp(&(
                    b.name,
                    b.site.krate,
                    b.site.file,
                    b.site.line,
                ))
            });
            let mut errors = Vec::new();
            families.dedup_by(|second, first| {
                let (s, f) = (second.descriptor(), first.descriptor());
                if s.name == f.name {
                    errors.push(DuplicateMetric {
                        name: s.name,
                        first: f.site,
                        second: s.site,
                    });
                    true
                } else {
                    false
                }
            });
            State {
                families,
                errors,
                started: unix_now(),
            }
        })
    }

    /// Collects the declarations and reports duplicate names; call it once at
    /// start-up (the exporter does). Exposition keeps working either way,
    /// exposing the first declaration of a duplicated name.
    pub fn check(&'static self) -> Result<(), RegistryError> {
        let errors = &self.state().errors;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(RegistryError {
                duplicates: errors.clone(),
            })
        }
    }

    /// The declared families, sorted by name (without those added with
    /// [`Registry::register`]).
    pub fn families(&'static self) -> &'static [&'static dyn Family] {
        &self.state().families
    }

    /// Every family, declared and registered at run time, sorted by name.
    pub fn all_families(&'static self) -> Vec<&'static dyn Family> {
        let extra = self.extra.read().unwrap_or_else(|p| p.into_inner());
        if extra.is_empty() {
            return self.families().to_vec();
        }
        let mut all: Vec<&'static dyn Family> = self.families().to_vec();
        all.extend(extra.iter().copied());
        all.sort_by_key(|f| f.descriptor().name);
        all
    }

    /// The family with this name, if declared or registered.
    pub fn get(&'static self, name: &str) -> Option<&'static dyn Family> {
        let fams = self.families();
        if let Ok(i) = fams.binary_search_by(|f| f.descriptor().name.cmp(name)) {
            return Some(fams[i]);
        }
        let extra = self.extra.read().unwrap_or_else(|p| p.into_inner());
        extra.iter().copied().find(|f| f.descriptor().name == name)
    }

    /// Adds a family at run time — one built outside a schema, such as
    /// [`crate::process`]'s. Fails, naming both sites, when the name is
    /// taken; registering the same family twice is a no-op.
    pub fn register(&'static self, family: &'static dyn Family) -> Result<(), DuplicateMetric> {
        let d = family.descriptor();
        let mut extra = self.extra.write().unwrap_or_else(|p| p.into_inner());
        let same = |f: &&'static dyn Family| f.descriptor().name == d.name;
        let taken = self
            .families()
            .iter()
            .chain(extra.iter())
            .find(|f| same(f))
            .copied();
        match taken {
            Some(f) if std::ptr::addr_eq(f as *const dyn Family, family as *const dyn Family) => {
                Ok(())
            }
            Some(f) => Err(DuplicateMetric {
                name: d.name,
                first: f.descriptor().site,
                second: d.site,
            }),
            None => {
                extra.push(family);
                extra.sort_by_key(|f| f.descriptor().name);
                Ok(())
            }
        }
    }

    /// Runs `f` before every exposition of this registry (each scrape,
    /// push and `render_*` call), so values computed at that moment — a row
    /// count, a queue length, a pool's idle connections — are set on the
    /// declared gauges just in time. `f` runs without any promdef lock held;
    /// a panic in `f` is caught and the exposition goes on with the values
    /// already set.
    ///
    /// ```
    /// pub static APP: promdef::Registry = promdef::Registry::new();
    /// promdef::metrics! {
    ///     registry = crate::APP;
    ///     /// Rows in the inventory table, counted at scrape time.
    ///     pub gauge inventory_rows;
    /// }
    /// # fn main() {
    /// # fn count_rows() -> usize { 42 }
    /// APP.on_collect(|| INVENTORY_ROWS.set(count_rows() as f64));
    /// assert!(APP.render_text().contains("inventory_rows 42\n"));
    /// # }
    /// ```
    pub fn on_collect(&'static self, f: impl Fn() + Send + Sync + 'static) {
        self.hooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::new(f));
    }

    /// Runs the [`Registry::on_collect`] callbacks; the `render_*` and
    /// `encode` methods call it first.
    pub fn run_collect_callbacks(&'static self) {
        // Copy the list so no lock is held while user code runs (a callback
        // may itself call `on_collect` or render).
        let hooks: Vec<Hook> = self.hooks.lock().unwrap_or_else(|p| p.into_inner()).clone();
        for h in hooks {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| h()));
        }
    }

    /// Prometheus text format 0.0.4 of every family.
    ///
    /// ```
    /// promdef::metrics! {
    ///     /// Jobs done.
    ///     pub counter jobs_done_total;
    /// }
    /// # fn main() {
    /// JOBS_DONE_TOTAL.inc();
    /// let text = promdef::registry().render_text();
    /// assert!(text.contains("# TYPE jobs_done_total counter\njobs_done_total 1\n"));
    /// # }
    /// ```
    pub fn render_text(&'static self) -> String {
        self.render(Format::Text)
    }

    /// OpenMetrics 1.0 text of every family, ending with `# EOF`, without
    /// `_created` samples (use [`Registry::render`] with
    /// `Format::OpenMetrics { created: true }` for them).
    ///
    /// ```
    /// promdef::metrics! {
    ///     /// Batches done.
    ///     pub counter batches_done_total;
    ///     /// Time per batch.
    ///     pub histogram batch_duration_seconds { unit: seconds, buckets: [0.5, 1] }
    /// }
    /// # fn main() {
    /// BATCHES_DONE_TOTAL.inc();
    /// let om = promdef::registry().render_openmetrics();
    /// assert!(om.contains("# TYPE batches_done counter\n# HELP batches_done Batches done.\nbatches_done_total 1\n"));
    /// assert!(om.contains("# UNIT batch_duration_seconds seconds\n"));
    /// assert!(om.contains("batch_duration_seconds_bucket{le=\"1.0\"} 0\n"));
    /// assert!(om.ends_with("# EOF\n"));
    /// # }
    /// ```
    pub fn render_openmetrics(&'static self) -> String {
        self.render(Format::OPENMETRICS)
    }

    /// Every family in `format`.
    pub fn render(&'static self, format: Format) -> String {
        let mut out = String::new();
        self.encode(format, &mut out);
        out
    }

    /// Appends text format 0.0.4 to `out`.
    pub fn encode_text(&'static self, out: &mut String) {
        self.encode(Format::Text, out);
    }

    /// Every family to expose, sorted by name: declared ones no collector
    /// supersedes, those registered at run time, and the collected ones (a
    /// collected family wins over another of the same name).
    fn exposed<'a>(
        &'static self,
        collectors: &Collectors,
        collected: &'a [Box<dyn Family>],
    ) -> Vec<&'a dyn Family> {
        if collectors.is_empty() {
            return self.all_families();
        }
        let names: std::collections::HashSet<&str> =
            collected.iter().map(|f| f.descriptor().name).collect();
        let declared = self
            .families()
            .iter()
            .copied()
            .filter(|f| !collectors.iter().any(|(_, c)| c.supersedes(*f)));
        let extra = self.extra.read().unwrap_or_else(|p| p.into_inner()).clone();
        let mut out: Vec<&'a dyn Family> = declared
            .chain(extra)
            .filter(|f| !names.contains(f.descriptor().name))
            .collect();
        out.extend(collected.iter().map(|f| &**f));
        out.sort_by_key(|f| f.descriptor().name);
        out
    }

    /// Every family in `format`, as bytes (the only renderer of
    /// [`Format::Protobuf`]).
    ///
    /// ```
    /// pub static R: promdef::Registry = promdef::Registry::new();
    /// promdef::metrics! { registry = crate::R; /// Jobs.
    /// pub counter jobs_total; }
    /// # fn main() {
    /// JOBS_TOTAL.inc();
    /// let pb = R.render_bytes(promdef::Format::Protobuf);
    /// assert_eq!(pb[0] as usize, pb.len() - 1, "one length-delimited family");
    /// assert_eq!(R.render_bytes(promdef::Format::Text), R.render_text().into_bytes());
    /// # }
    /// ```
    pub fn render_bytes(&'static self, format: Format) -> Vec<u8> {
        if format != Format::Protobuf {
            return self.render(format).into_bytes();
        }
        let mut out = Vec::new();
        self.encode_protobuf(&mut out);
        out
    }

    /// Runs the collect callbacks, then appends every family to `out` in
    /// the delimited protobuf exposition ([`Format::Protobuf`]).
    pub fn encode_protobuf(&'static self, out: &mut Vec<u8>) {
        let start = out.len();
        out.reserve(self.size_hint.load(Relaxed));
        let mut scratch = Vec::new();
        self.each_family(|f| crate::protobuf::protobuf_family(f, out, &mut scratch));
        self.size_hint.store(out.len() - start, Relaxed);
    }

    /// Runs the collect callbacks, then appends every family in `format` to
    /// `out` (text 0.0.4 for [`Format::Protobuf`], which a `String` cannot
    /// hold: use [`Registry::render_bytes`]).
    pub fn encode(&'static self, format: Format, out: &mut String) {
        let start = out.len();
        out.reserve(self.size_hint.load(Relaxed));
        let started = self.state().started;
        self.each_family(|f| match format {
            Format::Text | Format::Protobuf => encode::text_family(f, out),
            Format::OpenMetrics { created } => {
                encode::openmetrics_family(f, out, created.then_some(started))
            }
        });
        if let Format::OpenMetrics { .. } = format {
            out.push_str("# EOF\n");
        }
        self.size_hint.store(out.len() - start, Relaxed);
    }

    /// Runs the collect callbacks, then calls `f` with every family to
    /// expose, sorted by name: the one walk every format shares.
    fn each_family(&'static self, mut f: impl FnMut(&dyn Family)) {
        self.run_collect_callbacks();
        let collectors: Collectors = self
            .collectors
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let collected: Vec<Box<dyn Family>> =
            collectors.iter().flat_map(|(_, c)| c.collect()).collect();
        let mut families = self.exposed(&collectors, &collected);
        let overflow = crate::cardinality::view_for(&families);
        if let Some(v) = &overflow {
            families.push(v);
            families.sort_by_key(|f| f.descriptor().name);
        }
        for fam in families {
            f(fam);
        }
    }
}

/// The default registry.
#[doc(hidden)]
pub static DEFAULT: Registry = Registry::new();
