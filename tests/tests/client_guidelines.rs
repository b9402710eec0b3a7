//! The client-library guidelines' types and operations, through generated
//! code: build info from the build's environment, generated bucket series,
//! timestamps and timers (sync and async).

promdef::metrics! {
    registry = crate::REG;
    /// Build of this test binary.
    pub info guide_build_info { const_labels: { version: { env: CARGO_PKG_VERSION }, crate_name: { env: CARGO_PKG_NAME } } }
    /// Exponential buckets, generated.
    pub histogram guide_exp_seconds { unit: seconds, buckets: { exponential: { start: 0.001, factor: 10, count: 4 } } }
    /// Linear buckets, generated.
    pub histogram guide_lin_bytes { unit: bytes, buckets: { linear: { start: 100, width: 100, count: 3 } } }
    /// Last success.
    pub gauge guide_last_success_timestamp_seconds { unit: seconds }
    /// Task time.
    pub summary guide_task_seconds { unit: seconds }
    /// Busy time, in fractions of seconds.
    pub counter guide_busy_seconds_total { unit: seconds, value: float }
}

static REG: promdef::Registry = promdef::Registry::new();

#[test]
fn build_info_comes_from_the_build() {
    let text = REG.render_text();
    let line = format!(
        "guide_build_info{{version=\"{}\",crate_name=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_NAME")
    );
    assert!(text.contains(&line), "{line} not in\n{text}");
}

#[test]
fn generated_buckets_are_exposed() {
    GUIDE_EXP_SECONDS.observe(0.05);
    GUIDE_LIN_BYTES.observe(250.0);
    let text = REG.render_text();
    for le in ["0.001", "0.01", "0.1", "1", "+Inf"] {
        assert!(
            text.contains(&format!("guide_exp_seconds_bucket{{le=\"{le}\"}}")),
            "{le}\n{text}"
        );
    }
    assert!(
        text.contains("guide_lin_bytes_bucket{le=\"300\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("guide_lin_bytes_bucket{le=\"200\"} 0"),
        "{text}"
    );
}

#[test]
fn timestamps_and_timers() {
    GUIDE_LAST_SUCCESS_TIMESTAMP_SECONDS.set_to_current_time();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((GUIDE_LAST_SUCCESS_TIMESTAMP_SECONDS.get() - now).abs() < 5.0);
    {
        let _t = GUIDE_TASK_SECONDS.start_timer();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(GUIDE_TASK_SECONDS.count(), 1);
    assert!(GUIDE_TASK_SECONDS.sum() >= 0.02);
    // Async: the time to completion, suspended time included; a future
    // dropped before completing is not observed.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let out = rt.block_on(GUIDE_TASK_SECONDS.time_async(async {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        7
    }));
    assert_eq!(out, 7);
    assert_eq!(GUIDE_TASK_SECONDS.count(), 2);
    assert!(GUIDE_TASK_SECONDS.sum() >= 0.05);
    rt.block_on(async {
        let slow =
            GUIDE_TASK_SECONDS.time_async(tokio::time::sleep(std::time::Duration::from_secs(60)));
        let _ = tokio::time::timeout(std::time::Duration::from_millis(10), slow).await;
    });
    assert_eq!(
        GUIDE_TASK_SECONDS.count(),
        2,
        "a cancelled future is not observed"
    );
    let h = GUIDE_EXP_SECONDS.time_async(async { 1 });
    assert_eq!(rt.block_on(h), 1);
}

#[test]
fn float_counters_take_fractions_and_refuse_to_go_down() {
    GUIDE_BUSY_SECONDS_TOTAL.inc_by(0.25).unwrap();
    GUIDE_BUSY_SECONDS_TOTAL.inc_by(0.5).unwrap();
    assert!(GUIDE_BUSY_SECONDS_TOTAL.inc_by(-0.1).is_err());
    assert!(GUIDE_BUSY_SECONDS_TOTAL.inc_by(f64::NAN).is_err());
    let text = REG.render_text();
    assert!(
        text.contains("# TYPE guide_busy_seconds_total counter\nguide_busy_seconds_total 0.75\n"),
        "{text}"
    );
    let om = REG.render_openmetrics();
    assert!(om.contains("guide_busy_seconds_total 0.75\n"), "{om}");
    assert_eq!(
        REG.get_sample_value("guide_busy_seconds_total", &[]),
        Some(0.75)
    );
    // Parsed by promtool like any counter.
    if let Some(problems) = promdef_tests::promtool_check(&text) {
        assert!(problems.is_empty(), "{problems}");
    }
}

promdef::metrics! {
    registry = crate::SETS;
    label pool { values: [primary, replica] }
    label worker { max_values: 10 }
    /// Phase of the service.
    pub stateset guide_phase { states: [starting, running, "shutting-down"] }
    /// Phase of each pool.
    pub stateset guide_pool_phase(pool) { states: [down, up] }
    /// Phase of each worker.
    pub stateset guide_worker_phase(worker) { states: [idle, busy] }
}

static SETS: promdef::Registry = promdef::Registry::new();

#[test]
fn statesets_have_exactly_one_state_set_in_every_format() {
    assert_eq!(GUIDE_PHASE.get(), GuidePhase::Starting);
    GUIDE_PHASE.set(GuidePhase::Running);
    GUIDE_POOL_PHASE
        .with(GuidePoolPhaseLabels {
            pool: Pool::Replica,
        })
        .set(GuidePoolPhase::Up);
    GUIDE_WORKER_PHASE
        .with(GuideWorkerPhaseLabels { worker: "w1" })
        .set(GuideWorkerPhase::Busy);
    let text = SETS.render_text();
    for line in [
        "# TYPE guide_phase gauge\n",
        "guide_phase{guide_phase=\"starting\"} 0\n",
        "guide_phase{guide_phase=\"running\"} 1\n",
        "guide_phase{guide_phase=\"shutting-down\"} 0\n",
        "guide_pool_phase{pool=\"primary\",guide_pool_phase=\"down\"} 1\n",
        "guide_pool_phase{pool=\"replica\",guide_pool_phase=\"up\"} 1\n",
        "guide_worker_phase{worker=\"w1\",guide_worker_phase=\"busy\"} 1\n",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    let om = SETS.render_openmetrics();
    assert!(om.contains("# TYPE guide_phase stateset\n"), "{om}");
    assert_eq!(
        SETS.get_sample_value("guide_phase", &[("guide_phase", "running")]),
        Some(1.0)
    );
    assert_eq!(
        SETS.get_sample_value("guide_phase", &[("guide_phase", "starting")]),
        Some(0.0)
    );
    assert_eq!(
        SETS.get_sample_value("guide_phase", &[("guide_phase", "gone")]),
        None
    );
    if let Some(problems) = promdef_tests::promtool_check(&text) {
        assert!(problems.is_empty(), "{problems}");
    }
    // Python's OpenMetrics parser knows statesets: exactly one state at 1.
    let Some(py) = promdef_tests::python_with_client() else {
        return promdef_tests::skip("statesets: Python parser", "prometheus_client not found");
    };
    let script = "import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families\nfor f in text_string_to_metric_families(sys.stdin.read()):\n    print(f.name, f.type, sum(s.value for s in f.samples))\n";
    let (ok, out, err) = promdef_tests::run_with_input(
        std::process::Command::new(&py).args(["-c", script]),
        &om,
        std::time::Duration::from_secs(60),
    )
    .unwrap();
    assert!(ok, "{err}\n{om}");
    assert!(out.contains("guide_phase stateset 1"), "{out}");
    assert!(out.contains("guide_pool_phase stateset 2"), "{out}");
    // Protobuf: a gauge per state.
    let mut buf = Vec::new();
    SETS.encode_protobuf(&mut buf);
    let fams = promdef_tests::proto::decode(&buf).unwrap();
    let f = fams
        .iter()
        .find(|f| f.name.as_deref() == Some("guide_phase"))
        .unwrap();
    assert_eq!(f.metric.len(), 3);
}
