//! One failing and one passing example per rule and lint. Passing examples
//! must be entirely clean, so each also proves no other rule misfires on it.

use crate::Checked;

fn diags(yaml: &str) -> Vec<crate::Diagnostic> {
    Checked::from_yaml(yaml).diagnostics
}

/// A schema with one metric written as a flow mapping, plus optional label definitions.
fn one(labels: &str, metric: &str) -> String {
    let mut s = String::new();
    if !labels.is_empty() {
        s.push_str(&format!("labels: {{{labels}}}\n"));
    }
    s.push_str(&format!("metrics:\n  - {{{metric}}}\n"));
    s
}

#[track_caller]
fn assert_clean(yaml: &str) {
    let d = diags(yaml);
    assert!(
        d.is_empty(),
        "expected no diagnostics for\n{yaml}\ngot: {:#?}",
        d.iter().map(|d| d.full_message()).collect::<Vec<_>>()
    );
}

#[track_caller]
fn assert_lint(yaml: &str, id: &str) {
    let d = diags(yaml);
    assert!(
        d.iter().any(|d| d.lint.map(|l| l.id()) == Some(id)),
        "expected lint `{id}` for\n{yaml}\ngot: {:#?}",
        d.iter().map(|d| d.full_message()).collect::<Vec<_>>()
    );
    for d in &d {
        assert!(
            d.loc.line().is_some(),
            "diagnostic without a location: {}",
            d.message
        );
    }
}

#[track_caller]
fn assert_error(yaml: &str, needle: &str) {
    let d = diags(yaml);
    assert!(
        d.iter()
            .any(|d| d.lint.is_none() && d.full_message().contains(needle)),
        "expected an error containing {needle:?} for\n{yaml}\ngot: {:#?}",
        d.iter().map(|d| d.full_message()).collect::<Vec<_>>()
    );
}

/// Lints: (failing schema, lint id, passing schema).
fn lint_cases() -> Vec<(String, &'static str, String)> {
    let good = |m: &str| one("", m);
    vec![
        // help-missing
        (
            good("name: jobs_total, type: counter"),
            "help-missing",
            good("name: jobs_total, type: counter, help: Jobs done."),
        ),
        (
            good("name: jobs_total, type: counter, help: ' '"),
            "help-missing",
            good("name: jobs_total, type: counter, help: Jobs done."),
        ),
        // help-period (opt-in)
        (
            format!("enable: [help-period]\n{}", good("name: jobs_total, type: counter, help: Jobs done")),
            "help-period",
            format!("enable: [help-period]\n{}", good("name: jobs_total, type: counter, help: Jobs done.")),
        ),
        // counter-total-suffix
        (
            good("name: jobs_done, type: counter, help: Jobs done."),
            "counter-total-suffix",
            good("name: jobs_done_total, type: counter, help: Jobs done."),
        ),
        // total-suffix-non-counter
        (
            good("name: jobs_total, type: gauge, help: Jobs waiting."),
            "total-suffix-non-counter",
            good("name: jobs_waiting, type: gauge, help: Jobs waiting."),
        ),
        (
            good("name: jobs_total, type: histogram, help: Jobs."),
            "total-suffix-non-counter",
            good("name: job_duration_seconds, type: histogram, help: Jobs."),
        ),
        // reserved-suffix
        (
            good("name: queue_count, type: gauge, help: Queue length."),
            "reserved-suffix",
            good("name: request_size_count, type: summary, help: Sizes."),
        ),
        (
            good("name: queue_sum, type: gauge, help: Queue length."),
            "reserved-suffix",
            good("name: request_size_sum, type: histogram, help: Sizes."),
        ),
        (
            good("name: rpc_size_bucket, type: summary, help: Sizes."),
            "reserved-suffix",
            good("name: rpc_size_bucket, type: histogram, help: Sizes."),
        ),
        // created-suffix
        (
            good("name: job_created, type: gauge, help: Creation time."),
            "created-suffix",
            good("name: job_creation_timestamp_seconds, type: gauge, help: Creation time."),
        ),
        // reserved-label
        (
            one(
                "le: {values: [a]}",
                "name: pool_size, type: gauge, help: Size., labels: [le]",
            ),
            "reserved-label",
            one(
                "bound: {values: [a]}",
                "name: pool_size, type: gauge, help: Size., labels: [bound]",
            ),
        ),
        (
            one(
                "quantile: {values: [a]}",
                "name: rpc_seconds, type: histogram, help: Latency., labels: [quantile]",
            ),
            "reserved-label",
            one(
                "phase: {values: [a]}",
                "name: rpc_seconds, type: histogram, help: Latency., labels: [phase]",
            ),
        ),
        (
            good("name: pool_size, type: gauge, help: Size., const_labels: {le: '1'}"),
            "reserved-label",
            good("name: pool_size, type: gauge, help: Size., const_labels: {shard: '1'}"),
        ),
        // type-in-name
        (
            good("name: jobs_gauge, type: gauge, help: Jobs."),
            "type-in-name",
            good("name: jobs_waiting, type: gauge, help: Jobs."),
        ),
        (
            good("name: http_counter_total, type: counter, help: Requests."),
            "type-in-name",
            good("name: http_requests_total, type: counter, help: Requests."),
        ),
        (
            good("name: rpc_histogram_seconds, type: histogram, help: Latency."),
            "type-in-name",
            good("name: rpc_latency_seconds, type: histogram, help: Latency."),
        ),
        (
            good("name: rpc_Summary_seconds, type: summary, help: Latency."),
            "type-in-name",
            good("name: rpc_latency_seconds, type: summary, help: Latency."),
        ),
        // colon-in-name
        (
            good("name: 'rpc:calls_total', type: counter, help: Calls."),
            "colon-in-name",
            good("name: rpc_calls_total, type: counter, help: Calls."),
        ),
        // camel-case (metric, label, const label)
        (
            good("name: jobsWaiting, type: gauge, help: Jobs."),
            "camel-case",
            good("name: jobs_waiting, type: gauge, help: Jobs."),
        ),
        (
            one(
                "statusCode: {values: [ok]}",
                "name: jobs_total, type: counter, help: Jobs., labels: [statusCode]",
            ),
            "camel-case",
            one(
                "status_code: {values: [ok]}",
                "name: jobs_total, type: counter, help: Jobs., labels: [status_code]",
            ),
        ),
        (
            good("name: app_build_info, type: info, help: Build., const_labels: {gitSha: abc}"),
            "camel-case",
            good("name: app_build_info, type: info, help: Build., const_labels: {git_sha: abc}"),
        ),
        // abbreviated-unit
        (
            good("name: rpc_latency_ms, type: gauge, help: Latency."),
            "abbreviated-unit",
            good("name: rpc_latency_seconds, type: gauge, help: Latency."),
        ),
        (
            good("name: cache_kb, type: gauge, help: Cache size."),
            "abbreviated-unit",
            good("name: cache_bytes, type: gauge, help: Cache size."),
        ),
        (
            good("name: uptime_sec_total, type: counter, help: Uptime."),
            "abbreviated-unit",
            good("name: uptime_seconds_total, type: counter, help: Uptime."),
        ),
        // non-base-unit: time, SI prefixes, IEC prefixes, bits, percent, temperature, length
        (
            good("name: rpc_latency_milliseconds, type: gauge, help: Latency."),
            "non-base-unit",
            good("name: rpc_latency_seconds, type: gauge, help: Latency."),
        ),
        (
            good("name: uptime_hours, type: gauge, help: Uptime."),
            "non-base-unit",
            good("name: uptime_seconds, type: gauge, help: Uptime."),
        ),
        (
            good("name: cache_kilobytes, type: gauge, help: Cache size."),
            "non-base-unit",
            good("name: cache_bytes, type: gauge, help: Cache size."),
        ),
        (
            good("name: cache_mebibytes, type: gauge, help: Cache size."),
            "non-base-unit",
            good("name: cache_bytes, type: gauge, help: Cache size."),
        ),
        (
            good("name: net_sent_bits_total, type: counter, help: Sent."),
            "non-base-unit",
            good("name: net_sent_bytes_total, type: counter, help: Sent."),
        ),
        (
            good("name: net_sent_megabits_total, type: counter, help: Sent."),
            "non-base-unit",
            good("name: net_sent_bytes_total, type: counter, help: Sent."),
        ),
        (
            good("name: disk_usage_percent, type: gauge, help: Disk use."),
            "non-base-unit",
            good("name: disk_usage_ratio, type: gauge, help: Disk use."),
        ),
        (
            good("name: cpu_temperature_kelvins, type: gauge, help: Heat."),
            "non-base-unit",
            good("name: cpu_temperature_kelvin, type: gauge, help: Heat."),
        ),
        (
            good("name: cpu_temperature_fahrenheit, type: gauge, help: Heat."),
            "non-base-unit",
            good("name: cpu_temperature_celsius, type: gauge, help: Heat."),
        ),
        (
            good("name: trip_kilometres_total, type: counter, help: Distance."),
            "non-base-unit",
            good("name: trip_metres_total, type: counter, help: Distance."),
        ),
        // namespace-prefix
        (
            "namespace: shop\nmetrics: [{name: orders_total, type: counter, help: Orders.}]"
                .into(),
            "namespace-prefix",
            "namespace: shop\nmetrics: [{name: shop_orders_total, type: counter, help: Orders.}]"
                .into(),
        ),
        // label-in-name: only a spelled-out breakdown; a label naming the
        // measured object (`node_cpu_seconds_total{cpu}`) is the ecosystem's style.
        (
            one(
                "method: {values: [GET]}",
                "name: requests_by_method_total, type: counter, help: Requests., labels: [method]",
            ),
            "label-in-name",
            one(
                "method: {values: [GET]}",
                "name: requests_total, type: counter, help: Requests., labels: [method]",
            ),
        ),
        (
            one(
                "status_class: {values: [2xx]}",
                "name: http_responses_by_status_class_total, type: counter, help: Responses., labels: [status_class]",
            ),
            "label-in-name",
            one(
                "cpu: {max_values: 64}",
                "name: node_cpu_seconds_total, type: counter, help: CPU time., labels: [cpu]",
            ),
        ),
        // target-label, and `type`
        (
            one(
                "instance: {values: [a]}",
                "name: jobs_total, type: counter, help: Jobs., labels: [instance]",
            ),
            "target-label",
            one(
                "worker: {values: [a]}",
                "name: jobs_total, type: counter, help: Jobs., labels: [worker]",
            ),
        ),
        (
            good("name: jobs_total, type: counter, help: Jobs., const_labels: {job: batch}"),
            "target-label",
            good("name: jobs_total, type: counter, help: Jobs., const_labels: {queue: batch}"),
        ),
        // const-target-label: as a constant only; a resource the application
        // has (a DNS zone, a Kubernetes Service) is a fine variable label.
        (
            good("name: jobs_total, type: counter, help: Jobs., const_labels: {region: eu}"),
            "const-target-label",
            one(
                "zone: {max_values: 100}",
                "name: coredns_dns_requests_total, type: counter, help: Requests., labels: [zone]",
            ),
        ),
        (
            good("name: jobs_total, type: counter, help: Jobs., const_labels: {service: api}"),
            "const-target-label",
            one(
                "service: {max_values: 1000}",
                "name: kube_service_info, type: gauge, help: Services., labels: [service]",
            ),
        ),
        // generic-label
        (
            one(
                "type: {values: [a]}",
                "name: jobs_total, type: counter, help: Jobs., labels: [type]",
            ),
            "generic-label",
            one(
                "kind: {values: [a]}",
                "name: jobs_total, type: counter, help: Jobs., labels: [kind]",
            ),
        ),
        // unbounded-label
        (
            one(
                "route: {}",
                "name: requests_total, type: counter, help: Requests., labels: [route]",
            ),
            "unbounded-label",
            one(
                "route: {max_values: 100}",
                "name: requests_total, type: counter, help: Requests., labels: [route]",
            ),
        ),
        // high-cardinality-label
        (
            one(
                "user_id: {}",
                "name: logins_total, type: counter, help: Logins., labels: [user_id]",
            ),
            "high-cardinality-label",
            one(
                "user_id: {max_values: 50}",
                "name: logins_total, type: counter, help: Logins., labels: [user_id]",
            ),
        ),
        // series-budget: per metric, per schema, and unbounded
        (
            one(
                "method: {values: [a, b, c]}, route: {max_values: 100}",
                "name: requests_total, type: counter, help: Requests., labels: [method, route], max_series: 200",
            ),
            "series-budget",
            one(
                "method: {values: [a, b, c]}, route: {max_values: 100}",
                "name: requests_total, type: counter, help: Requests., labels: [method, route], max_series: 300",
            ),
        ),
        (
            "max_series: 2\nlabels: {method: {values: [a, b, c]}}\nmetrics: [{name: requests_total, type: counter, help: Requests., labels: [method]}]".into(),
            "series-budget",
            "max_series: 3\nlabels: {method: {values: [a, b, c]}}\nmetrics: [{name: requests_total, type: counter, help: Requests., labels: [method]}]".into(),
        ),
        // unbounded-label: `unlimited` is a declared bound (no cap at run time)
        (
            one(
                "route: {}",
                "name: requests_total, type: counter, help: Requests., labels: [route]",
            ),
            "unbounded-label",
            one(
                "route: {max_values: unlimited}",
                "name: requests_total, type: counter, help: Requests., labels: [route]",
            ),
        ),
        // high-cardinality-label: `unlimited` does not silence it
        (
            one(
                "user_id: {max_values: unlimited}",
                "name: logins_total, type: counter, help: Logins., labels: [user_id]",
            ),
            "high-cardinality-label",
            one(
                "user_id: {max_values: 50}",
                "name: logins_total, type: counter, help: Logins., labels: [user_id]",
            ),
        ),
    ]
}

/// An unbounded label with `max_series` is held to the cap at run time, so
/// `series-budget` no longer calls the budget impossible.
#[test]
fn a_series_cap_holds_an_unbounded_label() {
    assert_clean(&one(
        "route: {}",
        "name: requests_total, type: counter, help: Requests., labels: [route], max_series: 10, allow: [unbounded-label]",
    ));
    let c = Checked::from_yaml(&one(
        "route: {}",
        "name: requests_total, type: counter, help: Requests., labels: [route], max_series: 10, allow: [unbounded-label]",
    ));
    assert_eq!(c.plan.metrics[0].series_cap, Some(10));
}

/// The plan's native parameters: defaults, factor → schema, and classic
/// buckets only when declared.
#[test]
fn native_histograms_in_the_plan() {
    let m = |native: &str, extra: &str| {
        let c = Checked::from_yaml(&format!(
            "metrics: [{{name: rpc_seconds, type: histogram, help: Latency., native: {native}{extra}}}]\n"
        ));
        assert!(
            c.is_clean(),
            "{:?}",
            c.diagnostics
                .iter()
                .map(|d| d.full_message())
                .collect::<Vec<_>>()
        );
        c.plan.metrics[0].clone()
    };
    let d = m("true", "");
    assert_eq!(d.native, Some(crate::NativePlan::DEFAULT));
    assert!(d.buckets.is_empty(), "no classic buckets unless declared");
    assert_eq!(m("{factor: 2}", "").native.unwrap().schema, 0);
    assert_eq!(m("{factor: 1.0028}", "").native.unwrap().schema, 8);
    assert_eq!(
        m("{factor: 4, max_buckets: 20}", "")
            .native
            .unwrap()
            .max_buckets,
        20
    );
    assert_eq!(m("true", ", buckets: [1, 2]").buckets, vec![1.0, 2.0]);
    assert!(m("false", "").native.is_none());
    assert_eq!(crate::schema_of_factor(1.1), Some(3));
    assert_eq!(crate::schema_of_factor(65536.0), Some(-4));
    assert_eq!(crate::schema_of_factor(1.0), None);
}

/// The run-time caps the plan gives codegen and `expose`: `max_series`
/// (metric, else schema), else the default for an undeclared bound, else
/// none; label bounds only for open labels with a number.
#[test]
fn the_plan_carries_the_runtime_caps() {
    let plan = |labels: &str, extra: &str| {
        let allow = if labels.ends_with("r: {}") {
            ", allow: [unbounded-label]"
        } else {
            ""
        };
        let c = Checked::from_yaml(&format!(
            "{extra}labels: {{{labels}}}\nmetrics: [{{name: hits_total, type: counter, help: Hits., labels: [m, r]{allow}}}]\n"
        ));
        assert!(
            c.is_clean(),
            "{:?}",
            c.diagnostics
                .iter()
                .map(|d| d.full_message())
                .collect::<Vec<_>>()
        );
        let m = c.plan.metrics[0].clone();
        (
            m.series_cap,
            m.labels
                .iter()
                .map(|l| l.runtime_bound())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        plan("m: {values: [a]}, r: {max_values: 7}", ""),
        (None, vec![None, Some(7)])
    );
    assert_eq!(
        plan("m: {values: [a]}, r: {}", ""),
        (Some(crate::DEFAULT_SERIES_CAP), vec![None, None])
    );
    assert_eq!(
        plan("m: {values: [a]}, r: {max_values: unlimited}", ""),
        (None, vec![None, None])
    );
    assert_eq!(
        plan("m: {values: [a]}, r: {max_values: 7}", "max_series: 9\n"),
        (Some(9), vec![None, Some(7)])
    );
    // Closed-only metrics are pre-created: no cap.
    let c = Checked::from_yaml("labels: {m: {values: [a]}}\nmetrics: [{name: hits_total, type: counter, help: Hits., labels: [m], max_series: 5}]\n");
    assert_eq!(c.plan.metrics[0].series_cap, None);
}

#[test]
fn every_lint_fails_its_example_and_passes_the_fix() {
    let cases = lint_cases();
    for (bad, id, fixed) in &cases {
        assert_lint(bad, id);
        assert_clean(fixed);
    }
    // Every lint id has at least one case, so a new lint cannot ship untested.
    for id in crate::Lint::ids() {
        assert!(
            cases.iter().any(|(_, i, _)| *i == id),
            "lint `{id}` has no test case"
        );
    }
}

#[test]
fn every_lint_can_be_allowed_and_an_unused_allow_is_an_error() {
    for (bad, id, fixed) in lint_cases() {
        // `allow` lives on the metric: add it to the (single) flow-mapping metric.
        let with_allow = |s: &str| match s.find("allow: [") {
            Some(i) => format!("{}allow: [{id}, {}", &s[..i], &s[i + 8..]),
            None => {
                let i = s.rfind('}').unwrap();
                format!("{}, allow: [{id}]{}", &s[..i], &s[i..])
            }
        };
        let allowed = with_allow(&bad);
        let d = diags(&allowed);
        assert!(
            !d.iter().any(|d| d.lint.map(|l| l.id()) == Some(id)),
            "`allow: [{id}]` did not suppress it:\n{allowed}"
        );
        let unused = with_allow(&fixed);
        assert_error(&unused, &format!("`allow: [{id}]` suppresses nothing"));
    }
}

#[test]
fn each_finding_reports_one_lint_per_cause() {
    // A high-cardinality name gets the specific lint, not also `unbounded-label`.
    let d = diags(&one(
        "user_id: {}",
        "name: logins_total, type: counter, help: Logins., labels: [user_id]",
    ));
    let ids: Vec<_> = d.iter().filter_map(|d| d.lint.map(|l| l.id())).collect();
    assert_eq!(ids, ["high-cardinality-label"]);
}

#[test]
fn an_invalid_name_reports_one_error_not_an_unused_allow() {
    let d = diags(&one(
        "",
        "name: 'rpc:calls-total', type: counter, help: Calls., allow: [colon-in-name]",
    ));
    let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("is not a valid metric name"), "{msgs:?}");
}

#[test]
fn allow_rejects_unknown_and_repeated_ids() {
    assert_error(
        &one(
            "",
            "name: jobs, type: counter, help: Jobs., allow: [counter-total-sufix]",
        ),
        "did you mean `counter-total-suffix`?",
    );
    assert_error(
        &one(
            "",
            "name: jobs, type: counter, help: Jobs., allow: [counter-total-suffix, counter-total-suffix]",
        ),
        "listed twice in `allow`",
    );
    assert_clean(&one(
        "",
        "name: jobs, type: counter, help: Jobs., allow: [counter-total-suffix]",
    ));
}

/// Errors: (failing schema, message fragment, passing schema).
fn error_cases() -> Vec<(String, &'static str, String)> {
    let ok = |m: &str| one("", m);
    let counter = "type: counter, help: Jobs.";
    vec![
        // schema level
        (
            "namespace: shop-app\nmetrics: [{name: shop-app_jobs_total, type: counter, help: Jobs.}]".into(),
            "namespace `shop-app` is not a valid name prefix",
            "namespace: shop_app\nmetrics: [{name: shop_app_jobs_total, type: counter, help: Jobs.}]".into(),
        ),
        (
            "registry: 'not a path'\nmetrics: [{name: jobs_total, type: counter, help: Jobs.}]".into(),
            "is not a Rust path",
            "registry: crate::REG\nmetrics: [{name: jobs_total, type: counter, help: Jobs.}]".into(),
        ),
        // metric names
        (
            ok(&format!("name: jobs-done_total, {counter}")),
            "is not a valid metric name",
            ok(&format!("name: jobs_done_total, {counter}")),
        ),
        (
            ok(&format!("name: __jobs_total, {counter}")),
            "reserved for Prometheus",
            ok(&format!("name: jobs_total, {counter}")),
        ),
        (
            "metrics: [{name: jobs_total, type: counter, help: Jobs.}, {name: jobs_total, type: counter, help: Jobs.}]".into(),
            "is declared twice; remove or rename one\n  = note: first declared at line 1",
            "metrics: [{name: jobs_total, type: counter, help: Jobs.}, {name: tasks_total, type: counter, help: Tasks.}]".into(),
        ),
        // family/sample clashes, every suffix
        (
            "metrics: [{name: jobs, type: gauge, help: Jobs.}, {name: jobs_total, type: counter, help: Jobs.}]".into(),
            "counter `jobs_total` clashes with gauge `jobs`: both would expose the OpenMetrics family `jobs`",
            "metrics: [{name: jobs_waiting, type: gauge, help: Jobs.}, {name: jobs_total, type: counter, help: Jobs.}]".into(),
        ),
        (
            "metrics: [{name: rpc_seconds, type: summary, help: Jobs.}, {name: rpc_seconds_count, type: summary, help: Jobs.}]".into(),
            "clashes with summary `rpc_seconds`: both would expose the sample `rpc_seconds_count`",
            "metrics: [{name: rpc_seconds, type: summary, help: Jobs.}, {name: rpc_calls_count, type: summary, help: Jobs.}]".into(),
        ),
        (
            "metrics: [{name: rpc_seconds_sum, type: summary, help: Jobs.}, {name: rpc_seconds, type: summary, help: Jobs.}]".into(),
            "both would expose the sample `rpc_seconds_sum`",
            "metrics: [{name: rpc_total_sum, type: summary, help: Jobs.}, {name: rpc_seconds, type: summary, help: Jobs.}]".into(),
        ),
        (
            "metrics: [{name: rpc_seconds, type: histogram, help: Jobs.}, {name: rpc_seconds_bucket, type: gauge, help: Jobs., allow: [reserved-suffix]}]".into(),
            "both would expose the sample `rpc_seconds_bucket`",
            "metrics: [{name: rpc_seconds, type: histogram, help: Jobs.}, {name: rpc_wait_seconds, type: histogram, help: Jobs.}]".into(),
        ),
        (
            "metrics: [{name: jobs_total, type: counter, help: Jobs.}, {name: jobs_created, type: gauge, help: Jobs., allow: [created-suffix]}]".into(),
            "both would expose the sample `jobs_created`",
            "metrics: [{name: jobs_total, type: counter, help: Jobs.}, {name: jobs_made_total, type: counter, help: Jobs.}]".into(),
        ),
        (
            "metrics: [{name: rpc_seconds, type: summary, help: Jobs.}, {name: rpc_seconds_created, type: gauge, help: Jobs., allow: [created-suffix]}]".into(),
            "both would expose the sample `rpc_seconds_created`",
            "metrics: [{name: rpc_seconds, type: summary, help: Jobs.}, {name: rpc_calls, type: gauge, help: Jobs.}]".into(),
        ),
        (
            "metrics: [{name: app, type: gauge, help: App.}, {name: app_info, type: info, help: App.}]".into(),
            "both would expose the OpenMetrics family `app`",
            "metrics: [{name: app_up, type: gauge, help: App.}, {name: app_info, type: info, help: App.}]".into(),
        ),
        // what a type cannot expose is no clash: gauges `x` and `x_sum` (kafka_exporter)
        (
            "metrics: [{name: rpc_seconds, type: histogram, help: Jobs.}, {name: rpc_seconds_sum, type: gauge, help: Jobs., allow: [reserved-suffix]}]".into(),
            "both would expose the sample `rpc_seconds_sum`",
            "metrics: [{name: kafka_lag, type: gauge, help: Lag.}, {name: kafka_lag_sum, type: gauge, help: Lag., allow: [reserved-suffix]}]".into(),
        ),
        // two names, one Rust identifier
        (
            "metrics: [{name: 'rpc:calls_total', type: counter, help: Calls., allow: [colon-in-name]}, {name: rpc_calls_total, type: counter, help: Calls.}]".into(),
            "both become the Rust static `RPC_CALLS_TOTAL`",
            "metrics: [{name: 'rpc:calls_total', type: counter, help: Calls., allow: [colon-in-name], static_name: RPC_CALLS_RULE}, {name: rpc_calls_total, type: counter, help: Calls.}]".into(),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, static_name: 'not-ident'")),
            "not a valid Rust identifier for the static",
            ok(&format!("name: jobs_total, {counter}, static_name: JOBS")),
        ),
        // info metrics
        (
            ok("name: app_build, type: info, help: Build., const_labels: {version: '1'}"),
            "must end with `_info`",
            ok("name: app_build_info, type: info, help: Build., const_labels: {version: '1'}"),
        ),
        (
            one("version: {values: ['1']}", "name: app_build_info, type: info, help: Build., labels: [version]"),
            "info metrics take `const_labels`",
            ok("name: app_build_info, type: info, help: Build., const_labels: {version: '1'}"),
        ),
        // label names and references
        (
            one("http-method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [http-method]")),
            "is not a valid label name",
            one("http_method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [http_method]")),
        ),
        (
            one("__meta: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [__meta]")),
            "label names starting with `__` are reserved",
            one("meta: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [meta]")),
        ),
        (
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [methd]")),
            "label `methd` is not defined; did you mean `method`?",
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method]")),
        ),
        (
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method, method]")),
            "is listed twice on `jobs_total`",
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method]")),
        ),
        (
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}")),
            "is defined but no metric uses it",
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method]")),
        ),
        (
            one("self: {values: [a]}", &format!("name: jobs_total, {counter}, labels: [self]")),
            "cannot be a Rust field name",
            one("owner: {values: [a]}", &format!("name: jobs_total, {counter}, labels: [owner]")),
        ),
        (
            one("le: {values: ['1']}", "name: rpc_seconds, type: histogram, help: Latency., labels: [le]"),
            "`le` is reserved for histogram buckets",
            one("phase: {values: ['1']}", "name: rpc_seconds, type: histogram, help: Latency., labels: [phase]"),
        ),
        (
            ok("name: rpc_seconds, type: summary, help: Latency., const_labels: {quantile: '0.5'}"),
            "`quantile` is reserved for summary quantiles",
            ok("name: rpc_seconds, type: summary, help: Latency., const_labels: {phase: '0.5'}"),
        ),
        // closed sets
        (
            one("method: {values: []}", &format!("name: jobs_total, {counter}, labels: [method]")),
            "has an empty `values` list",
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method]")),
        ),
        (
            one("method: {values: [GET, POST, GET]}", &format!("name: jobs_total, {counter}, labels: [method]")),
            "value `GET` is listed twice in label `method`; remove one\n  = note: first listed at line",
            one("method: {values: [GET, POST]}", &format!("name: jobs_total, {counter}, labels: [method]")),
        ),
        (
            one("method: {values: [GET], max_values: 3}", &format!("name: jobs_total, {counter}, labels: [method]")),
            "has both `values` and `max_values`",
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method]")),
        ),
        (
            one("code: {values: [a-b, a_b]}", &format!("name: jobs_total, {counter}, labels: [code]")),
            "both become the variant `Code::AB`",
            one("code: {values: [a-b, {value: a_b, variant: AUnderB}]}", &format!("name: jobs_total, {counter}, labels: [code]")),
        ),
        (
            one("code: {values: [{value: a, variant: 'x y'}]}", &format!("name: jobs_total, {counter}, labels: [code]")),
            "is not a valid enum variant name",
            one("code: {values: [{value: a, variant: Xy}]}", &format!("name: jobs_total, {counter}, labels: [code]")),
        ),
        (
            one("code: {values: [a], rust_type: 'x y'}", &format!("name: jobs_total, {counter}, labels: [code]")),
            "is not a valid Rust type name for label `code`",
            one("code: {values: [a], rust_type: Code}", &format!("name: jobs_total, {counter}, labels: [code]")),
        ),
        (
            "labels: {a: {values: [x], rust_type: Kind}, b: {values: [y], rust_type: Kind}}\nmetrics: [{name: jobs_total, type: counter, help: Jobs., labels: [a, b]}]".into(),
            "both become the Rust type `Kind`",
            "labels: {a: {values: [x], rust_type: KindA}, b: {values: [y], rust_type: KindB}}\nmetrics: [{name: jobs_total, type: counter, help: Jobs., labels: [a, b]}]".into(),
        ),
        (
            one("code: {values: [a], rust_type: JobsTotalLabels}", &format!("name: jobs_total, {counter}, labels: [code]")),
            "has the name of a label enum",
            one("code: {values: [a], rust_type: JobCode}", &format!("name: jobs_total, {counter}, labels: [code]")),
        ),
        (
            one("a: {values: [x, y, z, w, v, u, t, s, r, q]}, b: {values: [x, y, z, w, v, u, t, s, r, q]}, c: {values: [x, y, z, w, v, u, t, s, r, q]}, d: {values: [x, y, z, w, v, u, t, s, r, q]}, e: {values: [x, y, z, w, v, u, t, s, r, q]}, f: {values: [x, y]}", &format!("name: jobs_total, {counter}, labels: [a, b, c, d, e, f]")),
            "would pre-create 200000 series",
            one("a: {values: [x, y, z, w, v, u, t, s, r, q]}, b: {values: [x, y, z, w, v, u, t, s, r, q]}", &format!("name: jobs_total, {counter}, labels: [a, b]")),
        ),
        // const labels
        (
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method], const_labels: {{method: GET}}")),
            "is both a label and a const label",
            one("method: {values: [GET]}", &format!("name: jobs_total, {counter}, labels: [method], const_labels: {{shard: a}}")),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, const_labels: {{'shard id': a}}")),
            "is not a valid label name",
            ok(&format!("name: jobs_total, {counter}, const_labels: {{shard_id: a}}")),
        ),
        // buckets
        (
            ok("name: rpc_seconds, type: gauge, help: Latency., buckets: [1, 2]"),
            "`buckets` only apply to histograms",
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: [1, 2]"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: []"),
            "`buckets` is empty",
            ok("name: rpc_seconds, type: histogram, help: Latency."),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: [1, .inf]"),
            "bucket bounds must be finite",
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: [1]"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: [.nan]"),
            "bucket bounds must be finite",
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: [0.5]"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: [1, 1]"),
            "buckets must be strictly increasing, but 1 follows 1",
            ok("name: rpc_seconds, type: histogram, help: Latency., buckets: [1, 2]"),
        ),
        // unit
        (
            ok("name: rpc_latency, type: gauge, help: Latency., unit: seconds"),
            "unit `seconds` is not the suffix of `rpc_latency`",
            ok("name: rpc_latency_seconds, type: gauge, help: Latency., unit: seconds"),
        ),
        (
            ok("name: sent_bytes_total, type: counter, help: Sent., unit: seconds"),
            "rename the metric to end with `_seconds`",
            ok("name: sent_bytes_total, type: counter, help: Sent., unit: bytes"),
        ),
        // deprecation
        (
            ok(&format!("name: jobs_total, {counter}, deprecated: {{since: '1.2', renamed_to: jobs_done_totl}}")),
            "`renamed_to` names `jobs_done_totl`, which this schema does not declare",
            "metrics: [{name: jobs_total, type: counter, help: Jobs., deprecated: {since: '1.2', renamed_to: jobs_done_total}}, {name: jobs_done_total, type: counter, help: Jobs.}]".into(),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, deprecated: {{since: '1.2', renamed_to: jobs_total}}")),
            "names `jobs_total` itself",
            ok(&format!("name: jobs_total, {counter}, deprecated: {{since: '1.2'}}")),
        ),
        // multiprocess mode
        (
            ok("name: jobs_waiting, type: gauge, help: Jobs., multiprocess_mode: livsum"),
            "did you mean `livesum`?",
            ok("name: jobs_waiting, type: gauge, help: Jobs., multiprocess_mode: livesum"),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, multiprocess_mode: livesum")),
            "only applies to gauges",
            ok(&format!("name: jobs_total, {counter}")),
        ),
        // visibility
        (
            ok(&format!("name: jobs_total, {counter}, visibility: public")),
            "is not a Rust visibility",
            ok(&format!("name: jobs_total, {counter}, visibility: pub(crate)")),
        ),
        // YAML shape: unknown keys, wrong types, duplicate keys, missing keys
        (
            ok(&format!("name: jobs_total, {counter}, bukets: [1]")),
            "unknown key `bukets` in a metric; did you mean `buckets`?",
            ok(&format!("name: jobs_total, {counter}")),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, labels: method")),
            "expected a list for `labels`, found a string",
            ok(&format!("name: jobs_total, {counter}, labels: []")),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, help: Again.")),
            "duplicate key `help` in a metric",
            ok(&format!("name: jobs_total, {counter}")),
        ),
        (
            ok("name: jobs_total, type: countr, help: Jobs."),
            "unknown metric type `countr`; did you mean `counter`?",
            ok(&format!("name: jobs_total, {counter}")),
        ),
        (
            ok("type: counter, help: Jobs."),
            "a metric needs a `name:`",
            ok(&format!("name: jobs_total, {counter}")),
        ),
        (
            one("m: {values: [a, __overflow__]}", &format!("name: jobs_total, {counter}, labels: [m]")),
            "`__overflow__` is reserved for the overflow series",
            one("m: {values: [a, overflow]}", &format!("name: jobs_total, {counter}, labels: [m]")),
        ),
        (
            one("r: {max_values: lots}", &format!("name: jobs_total, {counter}, labels: [r]")),
            "expected a whole number or `unlimited` for `max_values`, found `lots`",
            one("r: {max_values: unlimited}", &format!("name: jobs_total, {counter}, labels: [r]")),
        ),
        // native histograms
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {factor: 1}"),
            "`factor` must be at least 1.002712",
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {factor: 1.1}"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {schema: 9}"),
            "`schema` must be from -4 to 8, found 9",
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {schema: 8}"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {factor: 2, schema: 0}"),
            "`native` has both `factor` and `schema`; keep one",
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {schema: 0}"),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, native: true")),
            "`native` only applies to histograms, and `jobs_total` is a counter; remove it",
            ok(&format!("name: jobs_total, {counter}")),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {zero_threshold: -1}"),
            "`zero_threshold` must be a finite number, 0 or more",
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {zero_threshold: 0}"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {max_buckets: 5000}"),
            "`max_buckets` is at most 4096",
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {max_buckets: 4096}"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {factr: 1.1}"),
            "factr",
            ok("name: rpc_seconds, type: histogram, help: Latency., native: {}"),
        ),
        (
            ok("name: rpc_seconds, type: histogram, help: Latency., native: yes"),
            "for `native`",
            ok("name: rpc_seconds, type: histogram, help: Latency., native: false"),
        ),
        (
            ok(&format!("name: jobs_total, {counter}, max_series: 0")),
            "`max_series` must be a whole number greater than 0",
            ok(&format!("name: jobs_total, {counter}, max_series: 1")),
        ),
    ]
}

#[test]
fn every_error_fails_its_example_and_passes_the_fix() {
    for (bad, needle, fixed) in error_cases() {
        assert_error(&bad, needle);
        assert_clean(&fixed);
    }
}

#[test]
fn messages_follow_the_style_guide() {
    // lowercase start (or code), no trailing period
    let mut all: Vec<crate::Diagnostic> = Vec::new();
    for (bad, _, _) in lint_cases().into_iter().chain(error_cases()) {
        all.extend(diags(&bad));
    }
    for d in all {
        let m = &d.message;
        assert!(!m.ends_with('.'), "trailing period: {m}");
        let first = m.chars().next().unwrap();
        assert!(
            first.is_lowercase() || first == '`' || first.is_ascii_digit(),
            "not lowercase: {m}"
        );
    }
}

#[test]
fn all_errors_of_a_declaration_come_in_one_pass() {
    let d = diags(
        "labels: {method: {values: [GET, GET]}}\nmetrics:\n  - {name: jobs_total, type: counter, help: Jobs., labels: [methd]}\n  - {name: jobs_total, type: counter, help: Jobs.}\n  - {name: rpc_seconds, type: histogram, help: Latency., buckets: [2, 1]}\n",
    );
    for needle in [
        "listed twice in label `method`",
        "label `methd` is not defined",
        "declared twice",
        "strictly increasing",
        "defined but no metric uses it",
    ] {
        assert!(
            d.iter().any(|d| d.message.contains(needle)),
            "missing {needle:?} in {d:#?}"
        );
    }
}

/// A schema with a counter, a histogram (one of them native), and `objectives`.
fn with_objective(objective: &str) -> String {
    format!(
        r#"namespace: shop
labels:
  code: {{values: ["2xx", "4xx", "5xx"]}}
  route: {{max_values: 10}}
metrics:
  - {{name: shop_requests_total, type: counter, help: Requests., labels: [code, route]}}
  - {{name: shop_latency_seconds, type: histogram, unit: seconds, help: Latency., labels: [route], buckets: [0.1, 0.25, 1]}}
  - {{name: shop_native_seconds, type: histogram, unit: seconds, help: Latency., native: true}}
  - {{name: shop_up, type: gauge, help: Up.}}
objectives:
  - {objective}
"#
    )
}

#[test]
fn objectives_that_are_computable_pass_and_are_planned() {
    for o in [
        "{name: avail, target: 99.9, window: 28d, availability: {metric: shop_requests_total, bad: {code: [5xx]}}}",
        "{name: avail, target: 99.5, window: 4w, availability: {metric: shop_requests_total, good: {code: [2xx, 4xx]}, where: {route: /checkout}}}",
        "{name: fast, target: 99, window: 7d, latency: {metric: shop_latency_seconds, threshold: 0.25, where: {route: [/a, /b]}}}",
    ] {
        let y = with_objective(o);
        assert_clean(&y);
        let c = Checked::from_yaml(&y);
        assert_eq!(c.plan.objectives.len(), 1, "{y}");
    }
    let c = Checked::from_yaml(&with_objective(
        "{name: avail, target: 99.9, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
    ));
    let o = &c.plan.objectives[0];
    assert_eq!(o.error_budget(), 0.001);
    assert_eq!(o.window_days, 28);
    assert_eq!(
        o.error_ratio("5m"),
        r#"(sum(rate(shop_requests_total{code="5xx"}[5m])) or 0 * sum(rate(shop_requests_total[5m]))) / (sum(rate(shop_requests_total[5m])) > 0)"#
    );
}

#[test]
fn objective_rules_reject_what_the_exposition_cannot_answer() {
    let cases = [
        ("{name: a, target: 99, window: 28d, availability: {metric: requests_total, bad: {code: 5xx}}}",
         "metric `requests_total` is not declared in this schema; did you mean `shop_requests_total`? (the namespace is part of the name)"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requets_total, bad: {code: 5xx}}}",
         "did you mean `shop_requests_total`?"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_up, bad: {code: 5xx}}}",
         "`shop_up` is a gauge, but this SLI needs a counter"),
        ("{name: a, target: 99, window: 28d, latency: {metric: shop_requests_total, threshold: 1}}",
         "`shop_requests_total` is a counter, but this SLI needs a histogram"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {code: [500]}}}",
         "`500` is not a value of label `code`; its values: `2xx`, `4xx`, `5xx`"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {cod: [5xx]}}}",
         "`cod` is not a label of `shop_requests_total`; did you mean `code`?"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {route: [/x]}}}",
         "label `route` is open, so good and bad events cannot be told apart"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {code: [2xx, 4xx, 5xx]}}}",
         "`bad` lists every value of `code`"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total}}",
         "`availability` selects no events"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}, good: {code: 2xx}}}",
         "has both `bad:` and `good:`"),
        ("{name: a, target: 99, window: 28d, latency: {metric: shop_latency_seconds, threshold: 0.3}}",
         "threshold `0.3` is not a bucket bound of `shop_latency_seconds`, so the fraction of observations below it cannot be computed from the exposition; use one of [0.1, 0.25, 1]"),
        ("{name: a, target: 99, window: 28d, latency: {metric: shop_native_seconds, threshold: 0.25}}",
         "has only native buckets"),
        ("{name: a, target: 100, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "target `100` is not a percentage strictly between 0 and 100"),
        ("{name: a, target: 0, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "target `0` is not a percentage"),
        ("{name: a, target: 0.999, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "targets are percentages, write `99.9`"),
        ("{name: a, target: 99, window: 30 days, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "window `30 days` is not whole days or weeks"),
        ("{name: a, target: 99, window: 1y, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "window `1y` is not whole days or weeks from 1d to 90d"),
        ("{name: a, target: 99, window: 91d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "window `91d`"),
        ("{name: a, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "objective `a` has no `target:`"),
        ("{name: a, target: 99, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "objective `a` has no `window:`"),
        ("{name: a, target: 90, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "the 14.4× page would need more than 100 % errors, so the objective could never page"),
        ("{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}, where: {code: [2xx, 4xx]}}}",
         "label `code` is in both `where:` and `bad:`"),
        ("{name: Bad-Name, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}",
         "objective name `Bad-Name` is not an identifier"),
        ("{name: a, target: 99, window: 28d}",
         "an objective needs `availability:` (a counter) or `latency:` (a histogram)"),
        ("{name: a, target: 99, window: 28d, availabilty: {}}",
         "did you mean `availability`?"),
    ];
    for (o, needle) in cases {
        let y = with_objective(o);
        assert_error(&y, needle);
        let c = Checked::from_yaml(&y);
        assert!(c.plan.objectives.is_empty(), "{o} must not be planned");
        // One mistake, one error, with a line.
        assert_eq!(c.diagnostics.len(), 1, "{o}: {:#?}", c.diagnostics);
        assert!(c.diagnostics[0].loc.line().is_some());
    }
}

#[test]
fn objective_errors_point_at_the_token() {
    let y = with_objective(
        "{name: a, target: 99, window: 28d, latency: {metric: shop_latency_seconds, threshold: 0.3}}",
    );
    let d = &Checked::from_yaml(&y).diagnostics[0];
    let (line, col) = d.loc.line_col().unwrap();
    let text = y.lines().nth(line - 1).unwrap();
    assert!(text[col - 1..].starts_with("0.3"), "{text} at {col}");
}

#[test]
fn duplicate_objective_names_are_one_error_each() {
    let o = "{name: a, target: 99, window: 28d, availability: {metric: shop_requests_total, bad: {code: 5xx}}}";
    let y = with_objective(&format!("{o}\n  - {o}"));
    let c = Checked::from_yaml(&y);
    assert_eq!(c.diagnostics.len(), 1, "{:#?}", c.diagnostics);
    assert!(c.diagnostics[0]
        .message
        .contains("objective `a` is declared twice"));
    assert_eq!(c.plan.objectives.len(), 1);
}

#[test]
fn inline_objectives_get_the_same_checks() {
    let tokens: proc_macro2::TokenStream = r#"
        namespace = "shop";
        objectives = [{ name: fast, target: 99, window: 28d,
                        latency: { metric: shop_latency_seconds, threshold: 0.3 } }];
        label route { max_values: 10 }
        /// Latency.
        histogram shop_latency_seconds(route) { unit: seconds, buckets: [0.1, 0.25, 1] }
    "#
    .parse()
    .unwrap();
    let crate::dsl::Invocation::Inline(node) = crate::dsl::parse(tokens).unwrap() else {
        panic!("inline expected")
    };
    let c = Checked::from_node(&node);
    assert_eq!(c.diagnostics.len(), 1, "{:#?}", c.diagnostics);
    assert!(c.diagnostics[0]
        .message
        .contains("threshold `0.3` is not a bucket bound"));
}

#[test]
fn bucket_series_expand_at_compile_time() {
    let c = Checked::from_yaml(&one(
        "",
        "name: a_seconds, type: histogram, unit: seconds, help: A., buckets: {exponential: {start: 0.001, factor: 10, count: 4}}",
    ));
    assert!(c.is_clean(), "{:?}", c.diagnostics);
    assert_eq!(c.plan.metrics[0].buckets, vec![0.001, 0.01, 0.1, 1.0]);
    let c = Checked::from_yaml(&one(
        "",
        "name: a_seconds, type: histogram, unit: seconds, help: A., buckets: {linear: {start: 0.1, width: 0.1, count: 5}}",
    ));
    assert!(c.is_clean(), "{:?}", c.diagnostics);
    // Rounded: 0.1 + 2 × 0.1 is 0.3, not 0.30000000000000004.
    assert_eq!(c.plan.metrics[0].buckets, vec![0.1, 0.2, 0.3, 0.4, 0.5]);
    for (buckets, needle) in [
        (
            "{exponential: {start: 0, factor: 2, count: 3}}",
            "`start` of exponential buckets must be greater than 0",
        ),
        (
            "{exponential: {start: 1, factor: 1, count: 3}}",
            "`factor` must be greater than 1",
        ),
        (
            "{linear: {start: 1, width: -1, count: 3}}",
            "`width` must be greater than 0",
        ),
        (
            "{linear: {start: 1, width: 1, count: 0}}",
            "`count` must be a whole number greater than 0",
        ),
        (
            "{linear: {start: 1, width: 1, count: 1000}}",
            "`count` is at most 256",
        ),
        (
            "{linear: {start: 1, width: 1}}",
            "a bucket series needs `start`, `width`, `count`",
        ),
        (
            "{linear: {start: 1, widht: 1, count: 2}}",
            "unknown key `widht` in a bucket series",
        ),
        (
            "{exponental: {start: 1, factor: 2, count: 2}}",
            "did you mean `exponential`?",
        ),
        (
            "{exponential: {start: 1e300, factor: 1e10, count: 3}}",
            "bucket 2 of this series is not finite",
        ),
    ] {
        let y = one(
            "",
            &format!(
                "name: a_seconds, type: histogram, unit: seconds, help: A., buckets: {buckets}"
            ),
        );
        assert_error(&y, needle);
        assert_eq!(diags(&y).len(), 1, "{buckets}: {:#?}", diags(&y));
    }
}

#[test]
fn float_values_are_for_plain_counters() {
    assert_clean(&one(
        "",
        "name: a_seconds_total, type: counter, unit: seconds, help: A., value: float",
    ));
    let c = Checked::from_yaml(&one(
        "",
        "name: a_seconds_total, type: counter, unit: seconds, help: A., value: float",
    ));
    assert!(c.plan.metrics[0].float);
    for (m, needle) in [
        (
            "name: a_seconds, type: gauge, unit: seconds, help: A., value: float",
            "`value: float` only applies to counters, and `a_seconds` is a gauge",
        ),
        (
            "name: a_total, type: counter, help: A., value: float, sharded: true",
            "do not combine",
        ),
        (
            "name: a_total, type: counter, help: A., value: double",
            "expected `integer` or `float` for `value`, found `double`",
        ),
    ] {
        let y = one("", m);
        assert_error(&y, needle);
        assert_eq!(diags(&y).len(), 1, "{m}: {:#?}", diags(&y));
    }
}

#[test]
fn summary_quantiles_are_checked() {
    let ok = "name: a_seconds, type: summary, unit: seconds, help: A., quantiles: {objectives: [0.5, 0.99], max_age: 5m, age_buckets: 4, accuracy: 0.001}";
    assert_clean(&one("", ok));
    let q = Checked::from_yaml(&one("", ok)).plan.metrics[0]
        .quantiles
        .clone()
        .unwrap();
    assert_eq!(
        (q.quantiles, q.max_age_seconds, q.age_buckets, q.accuracy),
        (vec![0.5, 0.99], 300.0, 4, 0.001)
    );
    let q = Checked::from_yaml(&one(
        "",
        "name: a_seconds, type: summary, unit: seconds, help: A., quantiles: [0.9]",
    ))
    .plan
    .metrics[0]
        .quantiles
        .clone()
        .unwrap();
    assert_eq!(
        (q.max_age_seconds, q.age_buckets, q.accuracy),
        (600.0, 5, 0.01)
    );
    for (m, needle) in [
        ("name: a_seconds, type: histogram, unit: seconds, help: A., quantiles: [0.5]", "`quantiles` only apply to summaries"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: [0.9, 0.5]", "quantiles must be strictly increasing, but 0.5 follows 0.9"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: [99]", "quantile `99` is not between 0 and 1"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: []", "`quantiles` lists none"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: {objectives: [0.5], max_age: 2d}", "`max_age` `2d` is not a duration from 10s to 24h"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: {objectives: [0.5], age_buckets: 100}", "`age_buckets` is at most 60"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: {objectives: [0.5], accuracy: 1}", "`accuracy` is a relative error between 0 and 0.5"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: {max_age: 1m}", "`quantiles` needs `objectives"),
        ("name: a_seconds, type: summary, unit: seconds, help: A., quantiles: {objectives: [0.5], max_agе: 1m}", "unknown key"),
    ] {
        let y = one("", m);
        assert_error(&y, needle);
        assert_eq!(diags(&y).len(), 1, "{m}: {:#?}", diags(&y));
    }
}

#[test]
fn statesets_are_checked() {
    let ok = "name: app_phase, type: stateset, help: Phase., states: [starting, running]";
    assert_clean(&one("", ok));
    let c = Checked::from_yaml(&one("", ok));
    let e = c.plan.metrics[0].state_enum.as_ref().unwrap();
    assert_eq!(e.type_name, "AppPhase");
    assert_eq!(
        e.variants,
        vec![
            ("Starting".to_string(), "starting".to_string()),
            ("Running".to_string(), "running".to_string())
        ]
    );
    for (labels, m, needle) in [
        (
            "",
            "name: app_phase, type: stateset, help: Phase.",
            "stateset `app_phase` needs `states: [first, second, …]`",
        ),
        (
            "",
            "name: app_phase, type: gauge, help: Phase., states: [a]",
            "`states` only apply to statesets",
        ),
        (
            "",
            "name: app_phase, type: stateset, help: Phase., states: []",
            "`states` is empty",
        ),
        (
            "",
            "name: app_phase, type: stateset, help: Phase., states: [a, b, a]",
            "state `a` is listed twice",
        ),
        (
            "",
            "name: app_phase, type: stateset, help: Phase., states: [a-b, a_b]",
            "both become the variant",
        ),
        (
            "app_phase: {values: [x]}",
            "name: app_phase, type: stateset, help: Phase., states: [a], labels: [app_phase]",
            "label `app_phase` has the stateset's name",
        ),
        ("", "name: app_phase, type: stateset, help: Phase., states: [a], const_labels: {app_phase: x}", "const label `app_phase` has the stateset's name"),
        ("", "name: \"app:phase\", type: stateset, help: Phase., states: [a], allow: [colon-in-name]", "`:` is not allowed in label names"),
        ("", "name: app_phase_seconds, type: stateset, unit: seconds, help: Phase., states: [a]", "stateset metrics have no unit"),
        (
            "app_phase: {values: [x]}\n  other: {values: [y]}",
            "name: app_phase, type: stateset, help: Phase., states: [a], labels: [other]",
            "the states enum `AppPhase` of `app_phase` has the name of another generated type",
        ),
    ] {
        let y = if labels == "app_phase: {values: [x]}\n  other: {values: [y]}" {
            format!("labels:\n  app_phase: {{values: [x]}}\n  other: {{values: [y]}}\nmetrics:\n  - {{{m}}}\n  - {{name: app_x, type: gauge, help: X., labels: [app_phase]}}\n")
        } else {
            one(labels, m)
        };
        assert_error(&y, needle);
        assert_eq!(diags(&y).len(), 1, "{m}: {:#?}", diags(&y));
    }
}
