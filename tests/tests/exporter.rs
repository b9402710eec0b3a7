//! The `/metrics` exporter over real HTTP on loopback: credentials,
//! allow-list, negotiation, gzip, health, shutdown, start-up checks.

use promdef::exporter::{Exporter, ExporterError};
use promdef_tests::http_get;
use std::io::Read;
use std::net::SocketAddr;

pub static EXP: promdef::Registry = promdef::Registry::new();
pub static DUP: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::EXP;
    /// Requests served.
    pub counter exp_requests_total;
    /// Latency.
    pub histogram exp_latency_seconds { unit: seconds, buckets: [0.1, 1] }
    /// Queue length, computed at scrape time.
    pub gauge exp_queue_length;
}

mod dup_a {
    promdef::metrics! {
        registry = crate::DUP;
        /// Declared twice.
        pub counter dup_events_total;
    }
}
mod dup_b {
    promdef::metrics! {
        registry = crate::DUP;
        /// Declared twice.
        pub counter dup_events_total;
    }
}

const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const TOKEN: &str = "correct-horse-battery";

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn header<'a>(hs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    hs.iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn secured_metrics_endpoint() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    EXP_REQUESTS_TOTAL.inc_by(5);
    EXP.on_collect(|| EXP_QUEUE_LENGTH.set(17.0));
    let running = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .bearer_token(TOKEN)
                .readiness(|| true)
                .bind(),
        )
        .unwrap();
    let url = format!("http://{}", running.local_addr());
    let metrics = format!("{url}/metrics");
    let bearer = format!("Bearer {TOKEN}");

    // No credentials, wrong token, wrong scheme: 401 with a challenge, no secret echoed.
    for auth in [None, Some("Bearer wrong"), Some("Basic Y29ycmVjdA==")] {
        let hs: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        let (status, headers, body) = http_get(&metrics, &hs).unwrap();
        assert_eq!(status, 401, "{auth:?}");
        assert_eq!(
            header(&headers, "www-authenticate"),
            ["Bearer realm=\"metrics\""]
        );
        let body = String::from_utf8(body).unwrap();
        assert!(
            !body.contains(TOKEN) && !body.contains("exp_requests"),
            "{body}"
        );
    }

    // Prometheus' Accept header: OpenMetrics.
    let (status, headers, body) = http_get(
        &metrics,
        &[("Authorization", &bearer), ("Accept", PROMETHEUS_ACCEPT)],
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "content-type"),
        ["application/openmetrics-text; version=1.0.0; charset=utf-8"]
    );
    let om = String::from_utf8(body).unwrap();
    assert!(om.contains("# TYPE exp_requests counter\n"), "{om}");
    assert!(om.contains("exp_requests_total 5\n"), "{om}");
    assert!(om.contains("exp_queue_length 17.0\n"), "{om}");
    assert!(om.ends_with("# EOF\n"));
    assert!(!om.contains("_created"));

    // No Accept header: text 0.0.4.
    let (_, headers, body) = http_get(&metrics, &[("Authorization", &bearer)]).unwrap();
    assert_eq!(
        header(&headers, "content-type"),
        ["text/plain; version=0.0.4; charset=utf-8"]
    );
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("exp_requests_total 5\n") && !text.contains("# EOF"),
        "{text}"
    );

    // gzip when accepted; the same exposition once decompressed.
    let (status, headers, body) = http_get(
        &metrics,
        &[("Authorization", &bearer), ("Accept-Encoding", "gzip")],
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), ["gzip"]);
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, text);

    // Health endpoints need no credentials.
    assert_eq!(http_get(&format!("{url}/health"), &[]).unwrap().0, 200);
    assert_eq!(http_get(&format!("{url}/health/live"), &[]).unwrap().0, 200);
    assert_eq!(
        http_get(&format!("{url}/health/ready"), &[]).unwrap().0,
        200
    );

    // Graceful shutdown: the server ends, the port stops answering.
    rt.block_on(running.shutdown()).unwrap();
    assert!(http_get(&format!("{url}/health"), &[]).is_err());
}

#[test]
fn basic_auth_options_and_readiness() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let running = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .basic_auth("prom", "pa:ss")
                .openmetrics(false)
                .gzip(false)
                .readiness(|| false)
                .bind(),
        )
        .unwrap();
    let url = format!("http://{}", running.local_addr());
    let metrics = format!("{url}/metrics");
    let (status, headers, _) = http_get(&metrics, &[]).unwrap();
    assert_eq!(status, 401);
    assert_eq!(
        header(&headers, "www-authenticate"),
        ["Basic realm=\"metrics\", charset=\"UTF-8\""]
    );
    // "prom:pa:ss" — the password may contain a colon.
    let good = "Basic cHJvbTpwYTpzcw==";
    let (status, headers, _) = http_get(
        &metrics,
        &[
            ("Authorization", good),
            ("Accept", PROMETHEUS_ACCEPT),
            ("Accept-Encoding", "gzip"),
        ],
    )
    .unwrap();
    assert_eq!(status, 200);
    // OpenMetrics and gzip both switched off.
    assert_eq!(
        header(&headers, "content-type"),
        ["text/plain; version=0.0.4; charset=utf-8"]
    );
    assert!(header(&headers, "content-encoding").is_empty());
    assert_eq!(
        http_get(&format!("{url}/health/ready"), &[]).unwrap().0,
        503
    );
    assert_eq!(http_get(&format!("{url}/health/live"), &[]).unwrap().0, 200);
    rt.block_on(running.shutdown()).unwrap();
}

#[test]
fn allow_list() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let denied = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .allow_cidrs("10.0.0.0/8, 192.168.1.1")
                .unwrap()
                .bind(),
        )
        .unwrap();
    let allowed = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .allow_cidrs("127.0.0.0/8")
                .unwrap()
                .bearer_token(TOKEN)
                .bind(),
        )
        .unwrap();
    let get = |r: &promdef::exporter::Running, path: &str, hs: &[(&str, &str)]| {
        http_get(&format!("http://{}{path}", r.local_addr()), hs).unwrap()
    };
    // 403 comes before credentials are even looked at.
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        get(&denied, "/metrics", &[("Authorization", &bearer)]).0,
        403
    );
    assert_eq!(get(&denied, "/health", &[]).0, 200);
    assert_eq!(get(&allowed, "/metrics", &[]).0, 401);
    assert_eq!(
        get(&allowed, "/metrics", &[("Authorization", &bearer)]).0,
        200
    );
    rt.block_on(denied.shutdown()).unwrap();
    rt.block_on(allowed.shutdown()).unwrap();
}

#[test]
fn forwarded_clients_and_mapped_entries() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let get = |r: &promdef::exporter::Running, hs: &[(&str, &str)]| {
        http_get(&format!("http://{}/metrics", r.local_addr()), hs)
            .unwrap()
            .0
    };
    // An IPv4-mapped entry matches the IPv4 client it names.
    let mapped = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .allow_cidrs("::ffff:127.0.0.1/128")
                .unwrap()
                .bind(),
        )
        .unwrap();
    assert_eq!(get(&mapped, &[]), 200);
    // Behind a trusted proxy (this loopback client), `X-Forwarded-For`
    // names the client; without the proxy configured it is ignored.
    let proxied = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .allow_cidrs("198.51.100.0/24")
                .unwrap()
                .trusted_proxies("127.0.0.1")
                .unwrap()
                .bind(),
        )
        .unwrap();
    let direct = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .allow_cidrs("198.51.100.0/24")
                .unwrap()
                .bind(),
        )
        .unwrap();
    let xff = |v: &'static str| [("X-Forwarded-For", v)];
    assert_eq!(get(&proxied, &xff("198.51.100.7")), 200);
    assert_eq!(get(&proxied, &xff("198.51.100.7, 127.0.0.1")), 200);
    // A spoofed left part does not help an outside client.
    assert_eq!(get(&proxied, &xff("198.51.100.7, 203.0.113.1")), 403);
    assert_eq!(get(&proxied, &xff("not-an-ip")), 403);
    assert_eq!(get(&proxied, &[]), 403);
    assert_eq!(get(&direct, &xff("198.51.100.7")), 403);
    for r in [mapped, proxied, direct] {
        rt.block_on(r.shutdown()).unwrap();
    }
}

#[test]
fn router_in_an_app_without_client_addresses_fails_closed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let exporter = Exporter::new(&EXP).allow_cidrs("127.0.0.1").unwrap();
    let app: axum::Router = axum::Router::new()
        .route("/", axum::routing::get(|| async { "app" }))
        .merge(exporter.router().unwrap());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    // Served without `into_make_service_with_connect_info`: the client
    // address is unknown, so the allow-list must refuse.
    rt.spawn(async move { axum::serve(listener, app).await });
    let (status, _, body) = http_get(&format!("http://{addr}/metrics"), &[]).unwrap();
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    assert_eq!(http_get(&format!("http://{addr}/"), &[]).unwrap().2, b"app");
    // Without an allow-list the merged route serves.
    let open = Exporter::new(&EXP).router::<()>().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, open).await });
    let (status, _, body) = http_get(&format!("http://{addr}/metrics"), &[]).unwrap();
    assert_eq!(status, 200);
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("exp_requests_total"));
}

#[test]
fn start_up_fails_on_duplicates_and_taken_ports() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let err = rt
        .block_on(Exporter::new(&DUP).listen(local()).bind())
        .unwrap_err();
    match &err {
        ExporterError::Registry(e) => assert_eq!(e.duplicates[0].name, "dup_events_total"),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("metric `dup_events_total` is declared twice"),
        "{err}"
    );
    assert!(matches!(
        Exporter::new(&DUP).router::<()>(),
        Err(ExporterError::Registry(_))
    ));

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let err = rt
        .block_on(Exporter::new(&EXP).listen(addr).bind())
        .unwrap_err();
    assert!(matches!(err, ExporterError::Bind { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot listen on `{addr}`")),
        "{err}"
    );
}

#[test]
fn process_metrics_are_opt_in() {
    pub static PLAIN: promdef::Registry = promdef::Registry::new();
    pub static WITH: promdef::Registry = promdef::Registry::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let plain = rt
        .block_on(Exporter::new(&PLAIN).listen(local()).bind())
        .unwrap();
    let with = rt
        .block_on(
            Exporter::new(&WITH)
                .listen(local())
                .process_metrics(true)
                .bind(),
        )
        .unwrap();
    let body = |r: &promdef::exporter::Running| {
        String::from_utf8(
            http_get(&format!("http://{}/metrics", r.local_addr()), &[])
                .unwrap()
                .2,
        )
        .unwrap()
    };
    assert!(!body(&plain).contains("process_"));
    let text = body(&with);
    assert!(
        text.contains("# TYPE process_cpu_seconds_total counter\n"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE process_resident_memory_bytes gauge\n"),
        "{text}"
    );
    rt.block_on(plain.shutdown()).unwrap();
    rt.block_on(with.shutdown()).unwrap();
}

const NATIVE_ACCEPT: &str = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/// Prometheus' native-histogram `Accept` header gets the protobuf
/// exposition (gzipped when asked), which decodes; `.protobuf(false)` falls
/// back to the next preference, OpenMetrics.
#[test]
fn protobuf_is_negotiated_and_can_be_switched_off() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let on = rt
        .block_on(Exporter::new(&EXP).listen(local()).manual_shutdown().bind())
        .unwrap();
    let off = rt
        .block_on(
            Exporter::new(&EXP)
                .listen(local())
                .protobuf(false)
                .manual_shutdown()
                .bind(),
        )
        .unwrap();
    let url = |r: &promdef::exporter::Running| format!("http://{}/metrics", r.local_addr());
    let (status, hs, body) = http_get(&url(&on), &[("Accept", NATIVE_ACCEPT)]).unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        header(&hs, "content-type"),
        [promdef::protobuf::PROTOBUF_CONTENT_TYPE]
    );
    let fams = promdef_tests::proto::decode(&body).unwrap();
    assert!(fams
        .iter()
        .any(|f| f.name.as_deref() == Some("exp_requests_total")));
    let (_, hs, gz) = http_get(
        &url(&on),
        &[("Accept", NATIVE_ACCEPT), ("Accept-Encoding", "gzip")],
    )
    .unwrap();
    assert_eq!(header(&hs, "content-encoding"), ["gzip"]);
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(
        promdef_tests::proto::decode(&plain).unwrap().len(),
        fams.len()
    );
    let (_, hs, body) = http_get(&url(&off), &[("Accept", NATIVE_ACCEPT)]).unwrap();
    assert!(header(&hs, "content-type")[0].starts_with("application/openmetrics-text"));
    assert!(String::from_utf8(body).unwrap().ends_with("# EOF\n"));
    rt.block_on(on.shutdown()).unwrap();
    rt.block_on(off.shutdown()).unwrap();
}
