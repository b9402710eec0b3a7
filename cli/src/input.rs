//! Turning command-line inputs (YAML schemas, Rust files, crate directories)
//! into declarations, with the same front ends the proc macro uses.

use promdef_schema::dsl::{self, Invocation};
use promdef_schema::{Checked, Diagnostic, Loc, Plan, Schema};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// One declaration: a YAML file, or one inline `metrics!` invocation.
pub struct Decl {
    /// The file that declares it, as shown to users.
    pub path: String,
    /// That file's text, for rendering diagnostics with the offending line.
    pub text: std::rc::Rc<str>,
    /// The checked declaration (with the findings across declarations added).
    pub checked: Checked,
    /// The crate it belongs to, which scopes `registry = crate::…` paths.
    pub crate_dir: Option<PathBuf>,
}

impl Decl {
    /// Findings that are errors rather than convention lints.
    pub fn errors(&self) -> usize {
        self.checked.errors()
    }
}

/// A declaration that could not even be parsed: one finding, no model.
fn failed(d: Diagnostic) -> Checked {
    Checked {
        schema: Schema::default(),
        diagnostics: vec![d],
        suppressed: Vec::new(),
        plan: Plan::default(),
    }
}

/// Input that cannot be used at all (exit status 2), with a one-line reason.
#[derive(Debug)]
pub struct Unusable(pub String);

fn shown(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Loads inputs for commands that need a schema that makes sense: convention
/// lints are tolerated (the model is complete), errors are not.
pub fn usable(inputs: &[PathBuf]) -> Result<Vec<Decl>, Unusable> {
    let decls = load(inputs)?;
    let bad: Vec<String> = decls
        .iter()
        .filter(|d| d.errors() > 0)
        .map(|d| format!("`{}` ({})", d.path, d.errors()))
        .collect();
    if bad.is_empty() {
        return Ok(decls);
    }
    let args: Vec<String> = inputs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    Err(Unusable(format!(
        "errors in {}; run `promdef check {}` and fix them first",
        bad.join(", "),
        args.join(" ")
    )))
}

/// Reads every input. Declarations keep input order; a YAML file reached
/// twice (named directly and through a crate's `file = …`) is read once.
pub fn load(inputs: &[PathBuf]) -> Result<Vec<Decl>, Unusable> {
    let mut loader = Loader::default();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| Unusable(format!("cannot read `{}`: {e}", shown(input))))?;
        if meta.is_dir() {
            loader.dir(input)?;
        } else {
            loader.file(input)?;
        }
    }
    if loader.decls.is_empty() {
        let names: Vec<String> = inputs.iter().map(|p| format!("`{}`", shown(p))).collect();
        return Err(Unusable(format!(
            "no schema or `metrics!` invocation found in {}; pass YAML schemas, Rust files or crate directories",
            names.join(", ")
        )));
    }
    duplicates(&mut loader.decls);
    Ok(loader.decls)
}

#[derive(Default)]
struct Loader {
    decls: Vec<Decl>,
    seen_yaml: HashSet<PathBuf>,
}

impl Loader {
    fn file(&mut self, path: &Path) -> Result<(), Unusable> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml" | "yml") => {
                let bytes = read_bytes(path)?;
                self.yaml(path, &bytes);
                Ok(())
            }
            Some("rs") => self.rust(path),
            _ => Err(Unusable(format!(
                "`{}` is not a `.yaml`, `.yml` or `.rs` file or a crate directory",
                shown(path)
            ))),
        }
    }

    fn yaml(&mut self, path: &Path, bytes: &[u8]) {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !self.seen_yaml.insert(key) {
            return;
        }
        let (text, checked) = match promdef_schema::yaml::text(bytes) {
            Ok(t) => (t.into(), Checked::from_yaml(t)),
            // Shown with the bad bytes replaced, so the caret has a line.
            Err(d) => (String::from_utf8_lossy(bytes).into_owned(), failed(d)),
        };
        self.decls.push(Decl {
            path: shown(path),
            text: text.into(),
            checked,
            crate_dir: crate_dir(path),
        });
    }

    fn rust(&mut self, path: &Path) -> Result<(), Unusable> {
        let text = read(path)?;
        let file = syn::parse_file(&text).map_err(|e| {
            let at = e.span().start();
            Unusable(format!(
                "`{}` is not valid Rust ({e} at line {}, column {})",
                shown(path),
                at.line,
                at.column + 1
            ))
        })?;
        let mut found = Invocations(Vec::new());
        found.visit_file(&file);
        let text: std::rc::Rc<str> = text.into();
        let krate = crate_dir(path);
        for tokens in found.0 {
            let checked = match dsl::parse(tokens) {
                Ok(Invocation::Inline(node)) => Checked::from_node(&node),
                Ok(Invocation::File { path: rel, span }) => {
                    // As the proc macro does: relative to the crate's Cargo.toml.
                    let base = krate.clone().unwrap_or_default();
                    let yaml = base.join(&rel);
                    match std::fs::read(&yaml) {
                        Ok(bytes) => {
                            self.yaml(&yaml, &bytes);
                            continue;
                        }
                        Err(e) => failed(Diagnostic::error(
                            Loc::Token(span),
                            format!("cannot read schema `{rel}` (`{}`): {e}; the path is relative to the directory of the crate's Cargo.toml", shown(&yaml)),
                        )),
                    }
                }
                Err(d) => failed(d),
            };
            self.decls.push(Decl {
                path: shown(path),
                text: text.clone(),
                checked,
                crate_dir: krate.clone(),
            });
        }
        Ok(())
    }

    /// A crate directory (its `src/`), or a directory holding crates (each
    /// crate's `src/`, so a whole workspace is one input), or else any
    /// directory of `.rs` files (`src/` itself). `target/` and hidden
    /// directories are skipped; trybuild cases and fixtures outside a crate's
    /// `src/` are not declarations of the crate.
    fn dir(&mut self, dir: &Path) -> Result<(), Unusable> {
        let mut crates = Vec::new();
        find_crates(dir, &mut crates, 0);
        let mut files = Vec::new();
        for krate in &crates {
            rust_files(&krate.join("src"), &mut files, 0);
        }
        if crates.is_empty() {
            rust_files(dir, &mut files, 0);
        }
        if files.is_empty() {
            return Err(Unusable(format!(
                "`{}` holds no crate and no `.rs` file; pass a crate directory, `.rs` or `.yaml` files",
                shown(dir)
            )));
        }
        for f in files {
            self.rust(&f)?;
        }
        Ok(())
    }
}

/// Bounds directory walks, so a symlink loop cannot hang the command.
const MAX_DIR_DEPTH: usize = 32;

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    entries
}

fn skipped(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') || n == "target")
}

fn find_crates(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > MAX_DIR_DEPTH {
        return;
    }
    if dir.join("Cargo.toml").is_file() && dir.join("src").is_dir() {
        out.push(dir.to_path_buf());
    }
    for p in sorted_entries(dir) {
        if p.is_dir() && !skipped(&p) && p.file_name().is_none_or(|n| n != "src") {
            find_crates(&p, out, depth + 1);
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > MAX_DIR_DEPTH {
        return;
    }
    for p in sorted_entries(dir) {
        if p.is_dir() && !skipped(&p) {
            rust_files(&p, out, depth + 1);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, Unusable> {
    std::fs::read(path).map_err(|e| Unusable(format!("cannot read `{}`: {e}", shown(path))))
}

fn read(path: &Path) -> Result<String, Unusable> {
    let bytes = read_bytes(path)?;
    match promdef_schema::yaml::text(&bytes) {
        Ok(_) => Ok(String::from_utf8(bytes).expect("checked above")),
        Err(d) => {
            let (line, col) = d.loc.line_col().unwrap_or((1, 1));
            Err(Unusable(format!(
                "`{}` is not valid UTF-8 at line {line}, column {col}; save it as UTF-8",
                shown(path)
            )))
        }
    }
}

/// The nearest directory at or above `path` holding a `Cargo.toml`, kept
/// relative when `path` is, so paths shown to users stay short.
fn crate_dir(path: &Path) -> Option<PathBuf> {
    let found = |p: &Path| {
        p.ancestors()
            .skip(1)
            .find(|d| d.join("Cargo.toml").is_file())
            .map(Path::to_path_buf)
    };
    found(path).or_else(|| found(&std::fs::canonicalize(path).ok()?))
}

/// Collects the token streams of every `metrics!` / `promdef::metrics!`
/// invocation in a file: items, statements and expressions.
struct Invocations(Vec<proc_macro2::TokenStream>);

impl<'ast> Visit<'ast> for Invocations {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "metrics")
        {
            self.0.push(mac.tokens.clone());
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Adds an error for every metric name declared by two declarations of one
/// registry: the default registry, or the same `registry = …` path in the
/// same crate. This is what `promdef::init()` reports at start-up, found
/// before the binary is built.
fn duplicates(decls: &mut [Decl]) {
    type Key = (Option<(Option<PathBuf>, String)>, String);
    let mut first: BTreeMap<Key, (usize, Loc)> = BTreeMap::new();
    let mut found = Vec::new();
    for (i, d) in decls.iter().enumerate() {
        let registry = d
            .checked
            .schema
            .registry
            .as_ref()
            .map(|r| (d.crate_dir.clone(), r.value.clone()));
        for m in &d.checked.schema.metrics {
            let key = (registry.clone(), m.name.value.clone());
            match first.get(&key) {
                // Within one declaration the schema checks already report it.
                Some((j, _)) if *j == i => {}
                Some((j, loc)) => found.push((i, *j, *loc, m.name.clone())),
                None => {
                    first.insert(key, (i, m.name.loc));
                }
            }
        }
    }
    for (i, j, first_loc, name) in found {
        let at = match first_loc.line() {
            Some(line) => format!("{}:{line}", decls[j].path),
            None => decls[j].path.clone(),
        };
        decls[i].checked.diagnostics.push(Diagnostic::error(
            name.loc,
            format!(
                "metric `{}` is already declared at {at} for the same registry; remove or rename one",
                name.value
            ),
        ));
    }
}
