//! The accept corpus through the real macro: every schema in
//! `cli/tests/fixtures/lint-corpus/accept/` compiles, and the exposition its generated
//! statics produce at start-up passes `promtool check metrics`.
//! (`cli/tests/lint_corpus.rs` covers the same files, and any added later, without
//! compiling them; list a new file here too to compile it.)

#![allow(dead_code)]

use promdef_tests::{promtool_check, skip};

mod base_units {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/base_units.yaml");
}
mod bounded_open {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/bounded_open.yaml");
}
mod build_info {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/build_info.yaml");
}
mod closed_values {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/closed_values.yaml");
}
mod default_buckets {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/default_buckets.yaml");
}
mod deprecated {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/deprecated.yaml");
}
mod help_text {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/help_text.yaml");
}
mod http_server {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/http_server.yaml");
}
mod job_queue {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/job_queue.yaml");
}
mod multiprocess {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/multiprocess.yaml");
}
mod rpc_summary {
    promdef::metrics!(file = "../cli/tests/fixtures/lint-corpus/accept/rpc_summary.yaml");
}

#[test]
fn every_accept_file_is_compiled_here() {
    let here = include_str!("lint_corpus_compiled.rs");
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cli/tests/fixtures/lint-corpus/accept"
    );
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if let Some(stem) = name.strip_suffix(".yaml") {
            assert!(
                here.contains(&format!("mod {stem} {{")),
                "add `mod {stem}` for accept/{name} to this file"
            );
        }
    }
}

#[test]
fn compiled_accept_corpus_passes_promtool_at_start_up() {
    let registry = promdef::init().expect("the accept corpus declares each name once");
    let text = registry.render_text();
    for f in [
        "shop_http_requests_total",
        "lab_disk_usage_ratio",
        "odd_entries_total",
    ] {
        assert!(
            text.contains(&format!("# TYPE {f} ")),
            "{f} missing from\n{text}"
        );
    }
    let Some(problems) = promtool_check(&text) else {
        return skip(
            "compiled_accept_corpus_passes_promtool_at_start_up",
            "promtool not found (apt-get install prometheus)",
        );
    };
    assert_eq!(problems, "", "{text}");
}
