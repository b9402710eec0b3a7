//! The `django_like` example end to end on loopback: `/metrics/` behind a
//! token and an allow-list from `METRICS_*` variables, probes without
//! credentials, the HTTP layer's and business metrics, and a task pushed
//! on demand to a real Pushgateway. The Pushgateway part is skipped, with
//! a message, when it is not installed; CI installs it.

use promdef_tests::{http_get, skip, start_pushgateway, tools_required};
use std::sync::atomic::Ordering;
use std::sync::Arc;

const TOKEN: &str = "django-like-token";

fn post(url: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent.post(url).send_empty().unwrap().status().as_u16()
}

#[test]
fn the_full_pattern_works_end_to_end() {
    let gateway = start_pushgateway();
    if gateway.is_none() && tools_required() {
        panic!("prometheus-pushgateway not found");
    }
    let env = |k: &str| match k {
        "METRICS_BEARER_TOKEN" => Some(TOKEN.to_string()),
        "METRICS_ALLOW_CIDRS" => Some("127.0.0.0/8, ::1/128".to_string()),
        _ => None,
    };
    let exporter = django_like::exporter(env).unwrap().manual_shutdown();
    let shop = Arc::new(django_like::Shop::new(
        gateway.as_ref().map(|g| g.url.clone()),
    ));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let running = rt
        .block_on(django_like::start(
            "127.0.0.1:0".parse().unwrap(),
            exporter,
            shop.clone(),
        ))
        .unwrap();
    let base = format!("http://{}", running.local_addr());

    assert_eq!(post(&format!("{base}/products/tea")), 201);
    assert_eq!(
        http_get(&format!("{base}/products/tea"), &[]).unwrap().0,
        200
    );
    assert_eq!(
        http_get(&format!("{base}/products/tea"), &[]).unwrap().0,
        200
    );
    assert_eq!(
        http_get(&format!("{base}/products/coffee"), &[]).unwrap().0,
        404
    );
    assert_eq!(post(&format!("{base}/orders/card")), 201);
    assert_eq!(post(&format!("{base}/orders/bitcoin")), 201);
    assert_eq!(
        http_get(&format!("{base}/../../etc/passwd"), &[])
            .unwrap()
            .0,
        404
    );

    // Probes need no credentials; readiness follows the database.
    for p in [
        "/metrics/health/",
        "/metrics/liveness/",
        "/metrics/readiness/",
    ] {
        assert_eq!(http_get(&format!("{base}{p}"), &[]).unwrap().0, 200, "{p}");
    }
    shop.database_up.store(false, Ordering::SeqCst);
    assert_eq!(
        http_get(&format!("{base}/metrics/readiness/"), &[])
            .unwrap()
            .0,
        503
    );
    shop.database_up.store(true, Ordering::SeqCst);

    // `/metrics/` (the Django path) needs the token.
    let metrics = format!("{base}/metrics/");
    assert_eq!(http_get(&metrics, &[]).unwrap().0, 401);
    let bearer = format!("Bearer {TOKEN}");
    let (status, _, body) = http_get(&metrics, &[("Authorization", &bearer)]).unwrap();
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    for line in [
        "shop_http_server_requests_total{method=\"POST\",route=\"/products/{name}\",status_class=\"2xx\"} 1\n",
        "shop_http_server_requests_total{method=\"GET\",route=\"/products/{name}\",status_class=\"2xx\"} 2\n",
        "shop_http_server_requests_total{method=\"GET\",route=\"/products/{name}\",status_class=\"4xx\"} 1\n",
        "shop_http_server_requests_total{method=\"GET\",route=\"unmatched\",status_class=\"4xx\"} 1\n",
        "shop_orders_created_total{payment_method=\"card\"} 1\n",
        "shop_orders_created_total{payment_method=\"other\"} 1\n",
        "shop_cache_requests_total{result=\"hit\"} 1\n",
        "shop_cache_requests_total{result=\"miss\"} 2\n",
        "shop_products 1\n",
        "shop_http_server_active_requests 0\n",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    // Probes and scrapes are not API requests.
    assert!(!text.contains("route=\"/metrics/"), "{text}");

    // A task run on demand pushes its own registry.
    match &gateway {
        Some(g) => {
            assert_eq!(post(&format!("{base}/admin/tasks/send_receipts")), 200);
            let (status, _, body) = http_get(&format!("{}/metrics", g.url), &[]).unwrap();
            assert_eq!(status, 200);
            let pushed = String::from_utf8(body).unwrap();
            assert!(
                pushed.contains("shop_task_last_success_timestamp_seconds{instance=\"\",job=\"shop_tasks\",task=\"send_receipts\"}"),
                "{pushed}"
            );
            assert!(
                !text.contains("shop_task_"),
                "task metrics are not served by /metrics/"
            );
        }
        None => skip(
            "the_full_pattern_works_end_to_end (push part)",
            "prometheus-pushgateway not found (apt-get install prometheus-pushgateway)",
        ),
    }
    rt.block_on(running.shutdown()).unwrap();
}
