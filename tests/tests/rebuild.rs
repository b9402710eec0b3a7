//! Editing a schema file must rebuild the crate that reads it: the macro
//! emits `include_bytes!` of the YAML, so rustc lists it in the dep-info file
//! cargo uses for freshness.

promdef::metrics!(file = "fixtures/dup/input.yaml");
pub static DUP: promdef::Registry = promdef::Registry::new();

#[test]
fn dep_info_lists_the_yaml_schema() {
    JOBS_TOTAL.inc();
    let exe = std::env::current_exe().unwrap();
    let dep_info = exe.with_extension("d");
    let text = std::fs::read_to_string(&dep_info)
        .unwrap_or_else(|e| panic!("{}: {e}", dep_info.display()));
    let yaml = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dup/input.yaml");
    assert!(
        text.contains(yaml.to_str().unwrap()),
        "{} does not list {}:\n{text}",
        dep_info.display(),
        yaml.display()
    );
}
