//! `promdef::testing`: tests that touch the same series in parallel each
//! see exactly their own updates (8 threads × 500 runs, 0 flakes), and a
//! failed assertion shows the family.

use promdef::testing::Scope;
use std::sync::{Arc, Barrier};

promdef::metrics! {
    label outcome { values: [ok, failed] }
    label queue { max_values: 10 }
    /// Jobs handled.
    pub counter testing_jobs_total(outcome, queue);
    /// Job duration.
    pub histogram testing_job_seconds(outcome) { unit: seconds, buckets: [0.1, 1] }
    /// Jobs waiting.
    pub gauge testing_waiting;
    /// Phase of the worker.
    pub stateset testing_phase { states: [idle, busy] }
}

fn reg() -> &'static promdef::Registry {
    promdef::registry()
}

/// What a test under test does: one job, one observation.
fn handle_job(queue: &str, seconds: f64) {
    TESTING_JOBS_TOTAL
        .with(TestingJobsTotalLabels {
            outcome: Outcome::Ok,
            queue,
        })
        .inc();
    TESTING_JOB_SECONDS
        .with(TestingJobSecondsLabels {
            outcome: Outcome::Ok,
        })
        .observe(seconds);
    TESTING_WAITING.add(1.0);
}

#[test]
fn eight_parallel_tests_times_500_runs_see_only_their_own_updates() {
    const THREADS: usize = 8;
    const RUNS: usize = 500;
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                let (mut flakes_scoped, mut flakes_naive) = (0, 0);
                for run in 0..RUNS {
                    // The Python pattern: read, act, expect +1 (races with
                    // the other threads on the same series).
                    let labels = [("outcome", "ok"), ("queue", "default")];
                    let before = reg()
                        .get_sample_value("testing_jobs_total", &labels)
                        .unwrap_or(0.0);
                    let scope = Scope::new();
                    handle_job("default", 0.05 * (1 + run % 30) as f64);
                    let after = reg()
                        .get_sample_value("testing_jobs_total", &labels)
                        .unwrap();
                    if after != before + 1.0 {
                        flakes_naive += 1;
                    }
                    let ok = scope.value(reg(), "testing_jobs_total", &labels) == Some(1.0)
                        && scope.value(reg(), "testing_job_seconds_count", &[("outcome", "ok")])
                            == Some(1.0)
                        && scope.value(reg(), "testing_waiting", &[]) == Some(1.0);
                    if !ok {
                        flakes_scoped += 1;
                    }
                    // The assertion form, too (panics on a flake).
                    scope.assert_value(reg(), "testing_jobs_total", &labels, 1.0);
                    let _ = t;
                }
                (flakes_scoped, flakes_naive)
            })
        })
        .collect();
    let results: Vec<(usize, usize)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let scoped: usize = results.iter().map(|r| r.0).sum();
    let naive: usize = results.iter().map(|r| r.1).sum();
    assert_eq!(scoped, 0, "scoped assertions flaked");
    eprintln!(
        "testing: {} runs, scoped flakes 0, read-act-compare flakes {naive}",
        THREADS * RUNS
    );
    // Every update counted globally.
    assert!(
        reg()
            .get_sample_value(
                "testing_jobs_total",
                &[("outcome", "ok"), ("queue", "default")]
            )
            .unwrap()
            >= (THREADS * RUNS) as f64
    );
}

#[test]
fn buckets_sums_and_other_threads_through_a_handle() {
    let scope = Scope::new();
    let h = scope.handle();
    std::thread::spawn(move || {
        let _in = h.enter();
        handle_job("q", 0.5);
    })
    .join()
    .unwrap();
    handle_job("q", 0.05);
    // Not entered: not counted.
    std::thread::spawn(|| handle_job("q", 0.05)).join().unwrap();
    let ok = [("outcome", "ok")];
    assert_eq!(
        scope.value(
            reg(),
            "testing_jobs_total",
            &[("outcome", "ok"), ("queue", "q")]
        ),
        Some(2.0)
    );
    assert_eq!(
        scope.value(
            reg(),
            "testing_job_seconds_bucket",
            &[("outcome", "ok"), ("le", "0.1")]
        ),
        Some(1.0)
    );
    assert_eq!(
        scope.value(
            reg(),
            "testing_job_seconds_bucket",
            &[("outcome", "ok"), ("le", "1")]
        ),
        Some(2.0)
    );
    assert_eq!(
        scope.value(
            reg(),
            "testing_job_seconds_bucket",
            &[("outcome", "ok"), ("le", "+Inf")]
        ),
        Some(2.0)
    );
    assert_eq!(
        scope.value(reg(), "testing_job_seconds_sum", &ok),
        Some(0.55)
    );
    assert_eq!(
        scope.value(reg(), "testing_job_seconds_count", &[("outcome", "failed")]),
        Some(0.0)
    );
    // Wrong or missing labels: no series.
    assert_eq!(scope.value(reg(), "testing_job_seconds_count", &[]), None);
    assert_eq!(
        scope.value(reg(), "testing_job_seconds_bucket", &ok),
        None,
        "`le` is required on buckets"
    );
    assert_eq!(scope.value(reg(), "testing_jobs", &ok), None);
}

#[test]
fn a_failed_assertion_shows_the_family_in_the_scope_and_the_registry() {
    let scope = Scope::new();
    handle_job("shown", 0.2);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scope.assert_value(
            reg(),
            "testing_jobs_total",
            &[("outcome", "ok"), ("queue", "shown")],
            2.0,
        )
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    for needle in [
        "metric assertion failed for `testing_jobs_total{outcome=\"ok\",queue=\"shown\"}`",
        "expected: 2",
        "actual: 1",
        "in this scope (series it touched):\n  testing_jobs_total{outcome=\"ok\",queue=\"shown\"} 1",
        "in the registry (all threads):",
    ] {
        assert!(msg.contains(needle), "{needle:?} not in:\n{msg}");
    }
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scope.assert_value(reg(), "testing_jobz_total", &[], 1.0)
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("actual: no such series")
            && msg.contains("no family exposes `testing_jobz_total`"),
        "{msg}"
    );
}

#[test]
fn stateset_changes_are_scoped_too() {
    let scope = Scope::new();
    let phase = |s: &str| scope.value(reg(), "testing_phase", &[("testing_phase", s)]);
    // Not set in the scope: every state 0 (whatever other tests set).
    assert_eq!((phase("idle"), phase("busy")), (Some(0.0), Some(0.0)));
    TESTING_PHASE.set(TestingPhase::Busy);
    assert_eq!((phase("idle"), phase("busy")), (Some(0.0), Some(1.0)));
    assert_eq!(phase("gone"), None);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scope.assert_value(reg(), "testing_phase", &[("testing_phase", "idle")], 1.0)
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("testing_phase{testing_phase=\"busy\"} 1"),
        "{msg}"
    );
}

promdef::metrics! {
    registry = crate::CALLBACKS;
    /// Set by a collect callback.
    pub gauge testing_callback_value;
}

static CALLBACKS: promdef::Registry = promdef::Registry::new();

/// A failed assertion renders the registry, which runs its collect
/// callbacks on the test's thread: one that sets a gauge must neither
/// deadlock on the scope nor be recorded as the test's update.
#[test]
fn a_failed_assertion_with_collect_callbacks_neither_hangs_nor_records_them() {
    CALLBACKS.on_collect(|| TESTING_CALLBACK_VALUE.set(42.0));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let scope = Scope::new();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            scope.assert_value(&CALLBACKS, "testing_callback_value", &[], 1.0)
        }));
        let recorded = scope.value(&CALLBACKS, "testing_callback_value", &[]);
        // Recording resumes once the assertion has rendered.
        TESTING_CALLBACK_VALUE.set(7.0);
        let after = scope.value(&CALLBACKS, "testing_callback_value", &[]);
        tx.send((r.is_err(), recorded, after)).unwrap();
    });
    let (failed, recorded, after) = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the assertion returned (no deadlock)");
    assert!(failed);
    assert_eq!(
        recorded,
        Some(0.0),
        "the callback's update is not the test's"
    );
    assert_eq!(
        after,
        Some(7.0),
        "the scope records again after the assertion"
    );
}

#[test]
fn a_scope_entered_twice_on_a_thread_counts_each_update_once() {
    let scope = Scope::new();
    let _again = scope.handle().enter();
    let _and_again = scope.handle().enter();
    handle_job("twice", 0.05);
    let labels = [("outcome", "ok"), ("queue", "twice")];
    assert_eq!(scope.value(reg(), "testing_jobs_total", &labels), Some(1.0));
    // Leaving the nested entries leaves the scope itself entered.
    drop((_again, _and_again));
    handle_job("twice", 0.05);
    assert_eq!(scope.value(reg(), "testing_jobs_total", &labels), Some(2.0));
    // A thread that entered and left records nothing after leaving.
    let h = scope.handle();
    std::thread::spawn(move || {
        drop(h.enter());
        handle_job("twice", 0.05);
    })
    .join()
    .unwrap();
    assert_eq!(scope.value(reg(), "testing_jobs_total", &labels), Some(2.0));
    // `le` must be a bucket of the exposition.
    assert_eq!(
        scope.value(
            reg(),
            "testing_job_seconds_bucket",
            &[("outcome", "ok"), ("le", "0.5")]
        ),
        None
    );
    assert_eq!(
        scope.value(
            reg(),
            "testing_job_seconds_bucket",
            &[("outcome", "ok"), ("le", "-Inf")]
        ),
        None
    );
}
