//! The registry: every metric linked into the binary, found at start-up.

use crate::encode;
use crate::family::{Family, Site};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;

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
}

struct State {
    families: Vec<&'static dyn Family>,
    errors: Vec<DuplicateMetric>,
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
            State { families, errors }
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

    /// The families, sorted by name.
    pub fn families(&'static self) -> &'static [&'static dyn Family] {
        &self.state().families
    }

    /// The family with this name, if declared.
    pub fn get(&'static self, name: &str) -> Option<&'static dyn Family> {
        let fams = self.families();
        fams.binary_search_by(|f| f.descriptor().name.cmp(name))
            .ok()
            .map(|i| fams[i])
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
        let mut out = String::new();
        self.encode_text(&mut out);
        out
    }

    /// Appends text format 0.0.4 to `out`.
    pub fn encode_text(&'static self, out: &mut String) {
        let start = out.len();
        out.reserve(self.size_hint.load(Relaxed));
        for f in self.families() {
            encode::text_family(*f, out);
        }
        self.size_hint.store(out.len() - start, Relaxed);
    }
}

/// The default registry.
#[doc(hidden)]
pub static DEFAULT: Registry = Registry::new();
