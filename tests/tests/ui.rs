//! Compile-fail tests: `tests/ui/<category>/*.rs` with `.stderr` snapshots.
//! Regenerate with `TRYBUILD=overwrite cargo test -p promdef-tests --test ui`
//! and review every changed snapshot.
//!
//! While trybuild compiles a case, `CARGO_MANIFEST_DIR` is trybuild's project
//! directory (`<target>/tests/trybuild/promdef-tests/`), so the YAML schemas
//! of `ui/yaml/` are copied there first and cases name them as
//! `file = "ui/yaml/<case>.yaml"`, whatever the target directory is.

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

#[test]
fn ui() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    copy_yaml(
        &ui.join("yaml"),
        &trybuild_project_dir().join("ui").join("yaml"),
    );
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/labels/*.rs");
    t.compile_fail("ui/ops/*.rs");
    t.compile_fail("ui/inline/*.rs");
    t.compile_fail("ui/yaml/*.rs");
    t.compile_fail("ui/deprecated/*.rs");
}
