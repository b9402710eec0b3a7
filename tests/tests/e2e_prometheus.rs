//! End to end against the real Prometheus (2.42 in Debian): it scrapes the
//! `http_service` example's token-protected `/metrics` in both negotiated
//! formats, and a wrong token yields `up == 0` and a 401. Skipped, with a
//! message, when `prometheus` is not installed; CI installs it and sets
//! `PROMDEF_REQUIRE_TOOLS=1`.

use promdef::exporter::Exporter;
use promdef_tests::{
    http_get, prom_query, prometheus_config, skip, start_prometheus, url_encode, wait_for,
    wait_for_value,
};
use std::time::Duration;

const TOKEN: &str = "e2e-token-8c1f";
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn prometheus_scrapes_the_example_service_in_both_formats() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let local = "127.0.0.1:0".parse().unwrap();
    // The example service: API and `/metrics` (OpenMetrics when asked for) on one port.
    let service = rt
        .block_on(http_service::start(
            local,
            Exporter::new(promdef::registry()).bearer_token(TOKEN),
        ))
        .unwrap();
    // The same registry on a second port with OpenMetrics switched off, so
    // Prometheus' preference for OpenMetrics yields text 0.0.4 there.
    let text_only = rt
        .block_on(
            Exporter::new(promdef::registry())
                .listen(local)
                .bearer_token(TOKEN)
                .openmetrics(false)
                .bind(),
        )
        .unwrap();
    let api = format!("http://{}", service.local_addr());

    // Traffic before Prometheus starts, so every scrape sees the final values.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for item in ["apple", "pear"] {
        let r = agent
            .post(format!("{api}/items/{item}"))
            .send_empty()
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
    }
    for _ in 0..3 {
        assert_eq!(http_get(&format!("{api}/items"), &[]).unwrap().0, 200);
    }
    assert_eq!(
        http_get(&format!("{api}/items/nope/x"), &[]).unwrap().0,
        404
    );

    let config = prometheus_config(&format!(
        r#"
  - job_name: openmetrics
    authorization: {{type: Bearer, credentials: "{TOKEN}"}}
    static_configs: [{{targets: ["{om}"]}}]
  - job_name: text
    authorization: {{credentials: "{TOKEN}"}}
    static_configs: [{{targets: ["{text}"]}}]
  - job_name: wrong_token
    authorization: {{credentials: "not-the-token"}}
    static_configs: [{{targets: ["{om}"]}}]
"#,
        om = service.local_addr(),
        text = text_only.local_addr()
    ));
    let Some(prom) = start_prometheus(&config) else {
        return skip(
            "prometheus_scrapes_the_example_service_in_both_formats",
            "`prometheus` not found (apt-get install prometheus)",
        );
    };
    let p = prom.url.as_str();

    for job in ["openmetrics", "text"] {
        assert_eq!(
            wait_for_value(p, &format!("up{{job=\"{job}\"}}"), LIMIT),
            1.0,
            "{job}"
        );
        let q = |m: &str| format!("{m}{{job=\"{job}\"}}");
        assert_eq!(
            wait_for_value(
                p,
                &q(r#"inventory_http_requests_total{method="GET",route="/items",status_class="2xx"}"#)
                    .replace("}{", ","),
                LIMIT
            ),
            3.0,
            "{job}"
        );
        assert_eq!(
            wait_for_value(
                p,
                &q(r#"inventory_http_requests_total{method="POST",route="/items/{name}",status_class="2xx"}"#)
                    .replace("}{", ","),
                LIMIT
            ),
            2.0
        );
        assert_eq!(
            wait_for_value(
                p,
                &q(r#"inventory_http_requests_total{route="unmatched",status_class="4xx"}"#)
                    .replace("}{", ","),
                LIMIT
            ),
            1.0
        );
        // The callback gauge, computed at scrape time.
        assert_eq!(
            wait_for_value(p, &q("inventory_items"), LIMIT),
            2.0,
            "{job}"
        );
        assert_eq!(
            wait_for_value(p, &q("inventory_http_requests_in_progress"), LIMIT),
            0.0
        );
        assert_eq!(
            wait_for_value(
                p,
                &q(r#"inventory_http_request_duration_seconds_count{method="GET",route="/items"}"#)
                    .replace("}{", ","),
                LIMIT
            ),
            3.0
        );
        assert_eq!(
            wait_for_value(
                p,
                &q(r#"inventory_build_info{version="0.0.0"}"#).replace("}{", ","),
                LIMIT
            ),
            1.0
        );
    }

    // Which format each job got, as Prometheus recorded it: OpenMetrics
    // carries the UNIT line and names counter families without `_total`.
    let metadata = |job: &str, metric: &str| -> Vec<serde_json::Value> {
        let url = format!(
            "{p}/api/v1/targets/metadata?match_target={}&metric={metric}",
            url_encode(&format!("{{job=\"{job}\"}}"))
        );
        let (_, _, body) = http_get(&url, &[]).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        v["data"].as_array().cloned().unwrap_or_default()
    };
    let unit = |job: &str| {
        wait_for(&format!("metadata of job {job}"), LIMIT, || {
            let m = metadata(job, "inventory_http_request_duration_seconds");
            m.first()
                .map(|e| e["unit"].as_str().unwrap_or("").to_string())
                .ok_or_else(|| "no metadata yet".to_string())
        })
    };
    assert_eq!(unit("openmetrics"), "seconds");
    assert_eq!(unit("text"), "");
    assert_eq!(
        metadata("openmetrics", "inventory_http_requests")[0]["type"],
        "counter"
    );
    assert!(metadata("text", "inventory_http_requests").is_empty());
    assert_eq!(
        metadata("text", "inventory_http_requests_total")[0]["type"],
        "counter"
    );

    // The wrong token: the target is down, Prometheus saw a 401.
    assert_eq!(wait_for_value(p, r#"up{job="wrong_token"}"#, LIMIT), 0.0);
    let last_error = wait_for("the wrong_token target's last error", LIMIT, || {
        let (_, _, body) = http_get(&format!("{p}/api/v1/targets"), &[])?;
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        v["data"]["activeTargets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["labels"]["job"] == "wrong_token")
            .and_then(|t| t["lastError"].as_str())
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .ok_or_else(|| format!("{v}"))
    });
    assert!(last_error.contains("401"), "{last_error}");
    assert!(!last_error.contains(TOKEN));
    // …and the exporter answers 401 to that token directly.
    let (status, _, _) = http_get(
        &format!("{api}/metrics"),
        &[("Authorization", "Bearer not-the-token")],
    )
    .unwrap();
    assert_eq!(status, 401);
    let series = prom_query(p, r#"inventory_items{job="wrong_token"}"#).unwrap();
    assert!(series.is_empty(), "{series:?}");

    drop(prom);
    rt.block_on(text_only.shutdown()).unwrap();
    rt.block_on(service.shutdown()).unwrap();
}
