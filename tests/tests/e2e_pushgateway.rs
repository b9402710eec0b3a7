//! End to end against the real Pushgateway (1.5 in Debian) and Prometheus:
//! the `batch_job` example pushes, Prometheus scrapes the gateway with
//! `honor_labels`, the values arrive under the pushed grouping key
//! (including a base64-encoded value with `/`); DELETE removes the group;
//! an inconsistent push is a typed `Rejected` error. Skipped, with a
//! message, when the binaries are missing; CI installs them.

use promdef::push::{PushError, Pusher};
use promdef_tests::{
    http_get, prom_query, prometheus_config, skip, start_prometheus, start_pushgateway, wait_for,
    wait_for_value,
};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// A registry whose `nightly_rows_imported_total` is a gauge: pushing it
/// beside the batch job's counter makes the gateway's metrics inconsistent.
pub static CONFLICT: promdef::Registry = promdef::Registry::new();
promdef::metrics! {
    registry = crate::CONFLICT;
    /// Same name, other type.
    pub gauge nightly_rows_imported_total { allow: [total-suffix-non-counter] }
}

fn groups(gateway: &str) -> Result<serde_json::Value, String> {
    let (status, _, body) = http_get(&format!("{gateway}/api/v1/metrics"), &[])?;
    if status != 200 {
        return Err(format!("status {status}"));
    }
    let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    Ok(v["data"].clone())
}

#[test]
fn batch_job_pushes_prometheus_scrapes_delete_removes() {
    let Some(gw) = start_pushgateway() else {
        return skip(
            "batch_job_pushes_prometheus_scrapes_delete_removes",
            "`prometheus-pushgateway` not found (apt-get install prometheus-pushgateway)",
        );
    };
    let g = gw.url.as_str();
    // A source name with `/`: sent as `instance@base64/…`.
    let source = "db/primary";
    batch_job::run(g, source, 1200).unwrap();

    let data = groups(g).unwrap();
    let group = data
        .as_array()
        .unwrap()
        .iter()
        .find(|grp| grp["labels"]["job"] == "nightly_import")
        .unwrap_or_else(|| panic!("{data}"));
    assert_eq!(group["labels"]["instance"], source, "{group}");

    let config = prometheus_config(&format!(
        r#"
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{{targets: ["{}"]}}]
"#,
        g.trim_start_matches("http://")
    ));
    let Some(prom) = start_prometheus(&config) else {
        return skip(
            "batch_job_pushes_prometheus_scrapes_delete_removes",
            "`prometheus` not found (apt-get install prometheus)",
        );
    };
    let p = prom.url.as_str();
    let rows = r#"nightly_rows_imported_total{job="nightly_import",instance="db/primary"}"#;
    assert_eq!(wait_for_value(p, rows, LIMIT), 1200.0);
    let success = wait_for_value(
        p,
        r#"nightly_last_success_timestamp_seconds{job="nightly_import",instance="db/primary"}"#,
        LIMIT,
    );
    assert!(success > 1.6e9, "{success}");
    // The gateway's own stamp proves the value came through it.
    assert!(wait_for_value(p, r#"push_time_seconds{job="nightly_import"}"#, LIMIT) > 1.6e9);

    // POST replaces same-named metrics only; PUT replaced the group.
    batch_job::ROWS_IMPORTED_TOTAL.inc_by(5);
    batch_job::group(g, source)
        .unwrap()
        .push_add(&batch_job::BATCH)
        .unwrap();
    wait_for("1205 rows after POST", LIMIT, || {
        match prom_query(p, rows)?.as_slice() {
            [(_, v)] if *v == 1205.0 => Ok(()),
            r => Err(format!("{r:?}")),
        }
    });

    // Another group pushing the same name with another type: the gateway
    // refuses with 400, which is `Rejected`, not a transport failure.
    let other = Pusher::new(g, "conflicting").unwrap();
    let err = other.push(&CONFLICT).unwrap_err();
    assert!(matches!(err, PushError::Rejected { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the pushgateway rejected the metrics (400)"),
        "{err}"
    );

    // DELETE removes the group at the gateway, then in Prometheus (stale).
    batch_job::group(g, source).unwrap().delete().unwrap();
    let data = groups(g).unwrap();
    assert!(
        !data
            .as_array()
            .unwrap()
            .iter()
            .any(|grp| grp["labels"]["job"] == "nightly_import"),
        "{data}"
    );
    wait_for("the deleted series to go stale", LIMIT, || {
        let r = prom_query(p, rows)?;
        if r.is_empty() {
            Ok(())
        } else {
            Err(format!("{r:?}"))
        }
    });
    // Deleting a group that is gone is still a success for the gateway.
    batch_job::group(g, source).unwrap().delete().unwrap();
}

#[test]
fn unreachable_gateway_is_a_transport_error() {
    let port = promdef_tests::free_port();
    // Not `batch_job::run`: the other test counts that job's rows exactly.
    let err = Pusher::new(&format!("http://127.0.0.1:{port}"), "x")
        .unwrap()
        .push(&CONFLICT)
        .unwrap_err();
    assert!(matches!(err, PushError::Transport(_)), "{err:?}");
}

/// A stand-in gateway behind basic auth (Debian's Pushgateway needs a bcrypt
/// web config for that): checks the credentials the client sends and that
/// statuses other than 400 stay `PushError::Status`.
#[test]
fn basic_auth_is_sent_and_other_statuses_are_typed() {
    use axum::http::{HeaderMap, StatusCode};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = axum::Router::new().route(
        "/metrics/job/{job}",
        axum::routing::put(|headers: HeaderMap, body: String| async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            // "pusher:pa:ss"
            if auth != "Basic cHVzaGVyOnBhOnNz" {
                return (StatusCode::UNAUTHORIZED, "bad credentials".to_string());
            }
            if !body.contains("# TYPE nightly_rows_imported_total gauge") {
                return (StatusCode::INTERNAL_SERVER_ERROR, body);
            }
            (StatusCode::OK, String::new())
        }),
    );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, app).await });

    let pusher = Pusher::new(&url, "j").unwrap();
    pusher
        .clone()
        .basic_auth("pusher", "pa:ss")
        .push(&CONFLICT)
        .unwrap();
    let err = pusher
        .basic_auth("pusher", "wrong")
        .push(&CONFLICT)
        .unwrap_err();
    match &err {
        PushError::Status { status, message } => {
            assert_eq!((*status, message.as_str()), (401, "bad credentials"))
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains("wrong"), "{err}");
}
