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

pub static SHARED: promdef::Registry = promdef::Registry::new();

mod shared_labels {
    promdef::metrics! {
        registry = crate::SHARED;
        label method { values: [get, post] }
        label route { max_values: 10 }
        /// Requests.
        pub counter shared_requests_total(method);
        /// Errors.
        pub counter shared_errors_total(method);
        /// Route hits.
        pub counter shared_hits_total(method, route);
        /// Route misses.
        pub counter shared_misses_total(method, route);
    }
}

/// Metrics with the same labels share one labels struct (the others' names
/// are aliases): each metric's own name still builds its labels, and each
/// series lands in its own metric.
#[test]
fn metrics_with_the_same_labels_share_a_struct_and_keep_their_series() {
    use shared_labels::*;
    SHARED_REQUESTS_TOTAL
        .with(SharedRequestsTotalLabels {
            method: Method::Get,
        })
        .inc();
    SHARED_ERRORS_TOTAL
        .with(SharedErrorsTotalLabels {
            method: Method::Post,
        })
        .inc_by(2);
    let route = String::from("/a");
    SHARED_HITS_TOTAL
        .with(SharedHitsTotalLabels {
            method: Method::Get,
            route: &route,
        })
        .inc();
    SHARED_MISSES_TOTAL
        .with(SharedMissesTotalLabels {
            method: Method::Post,
            route: "/b",
        })
        .inc_by(3);
    let text = SHARED.render_text();
    for line in [
        "shared_requests_total{method=\"get\"} 1\n",
        "shared_errors_total{method=\"post\"} 2\n",
        "shared_hits_total{method=\"get\",route=\"/a\"} 1\n",
        "shared_misses_total{method=\"post\",route=\"/b\"} 3\n",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert!(
        !text.contains("shared_errors_total{method=\"get\"} 1"),
        "{text}"
    );
}
