//! Compile-fail tests: `tests/ui/<category>/*.rs` with `.stderr` snapshots.
//! Regenerate with `TRYBUILD=overwrite cargo test -p promdef-tests --test ui`
//! and review every changed snapshot.
//!
//! While trybuild compiles a case, `CARGO_MANIFEST_DIR` is trybuild's project
//! directory (`<target>/tests/trybuild/promdef-tests/`), so the YAML schemas
//! of every `ui/yaml-<category>/` are copied there first and cases name them
//! as `file = "ui/yaml-<category>/<case>.yaml"`, whatever the target directory is.
//!
//! Each rule category has an `inline-<category>` directory (the `metrics!`
//! macro) and a `yaml-<category>` one (a schema file), with the same cases.

use std::path::{Path, PathBuf};

fn trybuild_project_dir() -> PathBuf {
    // <target>/debug/deps/ui-<hash>
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .expect("test binary lives in <target>/<profile>/deps");
    target
        .join("tests")
        .join("trybuild")
        .join(env!("CARGO_PKG_NAME"))
}

fn copy_yaml(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// Rule categories, each with an `inline-` and a `yaml-` directory.
const CATEGORIES: &[&str] = &[
    "names",
    "labels",
    "fields",
    "lints",
    "allow",
    "syntax",
    "diagnostics",
    "native",
    "objectives",
];

#[test]
fn ui() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let project = trybuild_project_dir();
    for c in CATEGORIES {
        let dir = format!("yaml-{c}");
        copy_yaml(&ui.join(&dir), &project.join("ui").join(&dir));
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/labels/*.rs");
    t.compile_fail("ui/ops/*.rs");
    t.compile_fail("ui/deprecated/*.rs");
    t.compile_fail("ui/http/*.rs");
    for c in CATEGORIES {
        t.compile_fail(format!("ui/inline-{c}/*.rs"));
        t.compile_fail(format!("ui/yaml-{c}/*.rs"));
    }
}

#[test]
fn every_category_has_both_front_ends() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    for entry in std::fs::read_dir(&ui).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if let Some(c) = name
            .strip_prefix("inline-")
            .or_else(|| name.strip_prefix("yaml-"))
        {
            assert!(CATEGORIES.contains(&c), "ui/{name} is not in CATEGORIES");
        }
    }
    for c in CATEGORIES {
        for fe in ["inline", "yaml"] {
            let dir = ui.join(format!("{fe}-{c}"));
            let cases = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .path()
                        .extension()
                        .is_some_and(|x| x == "rs")
                })
                .count();
            assert!(cases > 0, "{} has no case", dir.display());
        }
    }
}
