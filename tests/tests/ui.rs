//! Compile-fail tests: `tests/ui/<category>/*.rs` with `.stderr` snapshots.
//! Regenerate with `TRYBUILD=overwrite cargo test -p promdef-tests --test ui`
//! and review every changed snapshot.
//!
//! YAML cases name their file relative to trybuild's project directory
//! (`target/tests/trybuild/promdef-tests/`), which is where
//! `CARGO_MANIFEST_DIR` points while trybuild compiles them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/labels/*.rs");
    t.compile_fail("ui/ops/*.rs");
    t.compile_fail("ui/inline/*.rs");
    t.compile_fail("ui/yaml/*.rs");
}
