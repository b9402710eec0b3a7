//! Registry behaviour across declarations: duplicates are reported at
//! start-up naming both sites; the default registry is clean.

pub static DUP: promdef::Registry = promdef::Registry::new();

mod inline_decl {
    promdef::metrics! {
        registry = crate::DUP;
        /// Jobs, declared inline.
        pub counter jobs_total;
    }
}

mod yaml_decl {
    promdef::metrics!(file = "fixtures/dup/input.yaml");
}

promdef::metrics! {
    /// A metric of the default registry.
    pub counter default_things_total;
}

#[test]
fn duplicate_name_across_declarations_names_both_sites() {
    let err = DUP.check().unwrap_err();
    assert_eq!(err.duplicates.len(), 1, "{err}");
    let d = &err.duplicates[0];
    assert_eq!(d.name, "jobs_total");
    let sites = [d.first, d.second];
    assert!(
        sites
            .iter()
            .any(|s| s.file == "fixtures/dup/input.yaml" && s.line == 3),
        "{sites:?}"
    );
    assert!(
        sites
            .iter()
            .any(|s| s.file.ends_with("registry.rs") && s.line == 10),
        "{sites:?}"
    );
    assert!(sites.iter().all(|s| s.krate == "promdef-tests"));
    let msg = err.to_string();
    assert!(
        msg.contains("fixtures/dup/input.yaml:3") && msg.contains("registry.rs:10"),
        "{msg}"
    );
    // Exposition still works and shows the name once.
    assert_eq!(
        DUP.render_text()
            .matches("# TYPE jobs_total counter")
            .count(),
        1
    );
    // Both statics still work independently.
    inline_decl::JOBS_TOTAL.inc();
    yaml_decl::JOBS_TOTAL.inc();
}

#[test]
fn default_registry_is_clean() {
    let reg = promdef::init().expect("no duplicates in the default registry");
    DEFAULT_THINGS_TOTAL.inc();
    assert!(reg.render_text().contains("default_things_total 1\n"));
    assert!(
        reg.get("jobs_total").is_none(),
        "custom-registry metrics stay out of the default one"
    );
}
