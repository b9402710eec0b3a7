//! Collect-time values: `on_collect` callbacks and families registered at run time.

use std::sync::atomic::{AtomicUsize, Ordering};

pub static CB: promdef::Registry = promdef::Registry::new();
pub static CLASH: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::CB;
    /// Rows counted at scrape time.
    pub gauge cb_rows;
    /// Queue lengths counted at scrape time.
    label queue { values: [fast, slow] }
    /// Per-queue length.
    pub gauge cb_backlog_jobs(queue);
}

mod clash {
    promdef::metrics! {
        registry = crate::CLASH;
        /// A user metric that happens to use a process metric's name.
        pub gauge process_open_fds;
    }
}

#[test]
fn callbacks_run_before_every_exposition_and_panics_are_contained() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    CB.on_collect(|| {
        let n = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
        CB_ROWS.set(n as f64 * 10.0);
    });
    CB.on_collect(|| panic!("a broken callback"));
    CB.on_collect(|| {
        CB_BACKLOG_JOBS
            .with(CbBacklogJobsLabels { queue: Queue::Slow })
            .set(3.0)
    });
    let text = CB.render_text();
    assert!(text.contains("cb_rows 10\n"), "{text}");
    // The callback after the panicking one still ran.
    assert!(
        text.contains("cb_backlog_jobs{queue=\"slow\"} 3\n"),
        "{text}"
    );
    let om = CB.render_openmetrics();
    assert!(om.contains("cb_rows 20.0\n"), "{om}");
    assert_eq!(CALLS.load(Ordering::SeqCst), 2);
}

#[test]
fn runtime_families_cannot_take_a_declared_name() {
    let err = promdef::process::register(&CLASH).unwrap_err();
    assert_eq!(err.name, "process_open_fds");
    assert_eq!(err.first.krate, "promdef-tests");
    assert_eq!(err.second.krate, "promdef");
    assert!(
        err.to_string()
            .starts_with("metric `process_open_fds` is declared twice"),
        "{err}"
    );
    // The declared family is still the one exposed.
    let f = CLASH.get("process_open_fds").unwrap();
    assert_eq!(
        f.descriptor().help,
        "A user metric that happens to use a process metric's name."
    );
    let text = CLASH.render_text();
    assert_eq!(text.matches("# TYPE process_open_fds").count(), 1, "{text}");

    let exporter_err = promdef::exporter::Exporter::new(&CLASH)
        .process_metrics(true)
        .router::<()>()
        .unwrap_err();
    assert!(
        matches!(exporter_err, promdef::exporter::ExporterError::Duplicate(_)),
        "{exporter_err:?}"
    );
}
