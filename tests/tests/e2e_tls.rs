//! The exporter behind a Prometheus exporter-toolkit web configuration file
//! (TLS, client certificates, bcrypt users), scraped by Prometheus 2.42 with
//! a CA the test generates. Skipped, with a message, when `prometheus` is
//! missing; CI installs it and sets `PROMDEF_REQUIRE_TOOLS=1`.

use promdef::exporter::Exporter;
use promdef_tests::{prometheus_config, skip, start_prometheus, temp_dir, wait_for_value};
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use std::path::Path;
use std::time::Duration;

pub static TLS: promdef::Registry = promdef::Registry::new();

promdef::metrics! {
    registry = crate::TLS;
    /// Jobs done.
    pub counter tls_jobs_total;
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate,
/// as PEM files in `dir`.
fn certificates(dir: &Path) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf = |name: &str, usage: ExtendedKeyUsagePurpose| {
        let mut p = CertificateParams::new(vec![name.to_string()]).unwrap();
        p.subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        p.extended_key_usages = vec![usage];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().unwrap();
        let cert = p.signed_by(&key, &issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    };
    let (server, server_key) = leaf("localhost", ExtendedKeyUsagePurpose::ServerAuth);
    let (client, client_key) = leaf("prometheus", ExtendedKeyUsagePurpose::ClientAuth);
    for (name, text) in [
        ("ca.crt", ca_cert.pem()),
        ("server.crt", server),
        ("server.key", server_key),
        ("client.crt", client),
        ("client.key", client_key),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn prometheus_scrapes_over_tls_with_client_certificates_and_bcrypt_users() {
    let dir = temp_dir("tls");
    certificates(&dir);
    let hash = bcrypt::hash("scrape-secret", 4).unwrap();
    std::fs::write(
        dir.join("web.yml"),
        format!(
            "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\nbasic_auth_users:\n  prometheus: '{hash}'\n"
        ),
    )
    .unwrap();
    TLS_JOBS_TOTAL.inc_by(7);
    let rt = tokio::runtime::Runtime::new().unwrap();
    // From the environment, as an operator would configure it.
    let env = |k: &str| match k {
        "PROMDEF_LISTEN" => Some("127.0.0.1:0".to_string()),
        "PROMDEF_WEB_CONFIG_FILE" => Some(dir.join("web.yml").display().to_string()),
        _ => None,
    };
    let running = rt
        .block_on(
            Exporter::from_lookup(&TLS, env)
                .unwrap()
                .manual_shutdown()
                .bind(),
        )
        .unwrap();
    let target = running.local_addr();
    let d = dir.display();
    let config = prometheus_config(&format!(
        r#"
  - job_name: mtls
    scheme: https
    tls_config: {{ca_file: "{d}/ca.crt", cert_file: "{d}/client.crt", key_file: "{d}/client.key"}}
    basic_auth: {{username: prometheus, password: scrape-secret}}
    static_configs: [{{targets: ["{target}"]}}]
  - job_name: no_client_cert
    scheme: https
    tls_config: {{ca_file: "{d}/ca.crt"}}
    basic_auth: {{username: prometheus, password: scrape-secret}}
    static_configs: [{{targets: ["{target}"]}}]
  - job_name: wrong_password
    scheme: https
    tls_config: {{ca_file: "{d}/ca.crt", cert_file: "{d}/client.crt", key_file: "{d}/client.key"}}
    basic_auth: {{username: prometheus, password: nope}}
    static_configs: [{{targets: ["{target}"]}}]
  - job_name: plain_http
    static_configs: [{{targets: ["{target}"]}}]
"#
    ));
    let Some(prom) = start_prometheus(&config) else {
        return skip(
            "prometheus_scrapes_over_tls_with_client_certificates_and_bcrypt_users",
            "`prometheus` not found (apt-get install prometheus)",
        );
    };
    let limit = Duration::from_secs(60);
    assert_eq!(
        wait_for_value(&prom.url, "tls_jobs_total{job=\"mtls\"}", limit),
        7.0
    );
    assert_eq!(wait_for_value(&prom.url, "up{job=\"mtls\"}", limit), 1.0);
    for job in ["no_client_cert", "wrong_password", "plain_http"] {
        assert_eq!(
            wait_for_value(&prom.url, &format!("up{{job=\"{job}\"}}"), limit),
            0.0,
            "{job} must not scrape"
        );
    }
    rt.block_on(running.shutdown()).unwrap();
}

/// A web configuration that cannot be honoured stops start-up, naming the
/// variable; without the `web-config` feature the variable is refused too
/// (tested in the runtime's unit tests for the parser).
#[test]
fn an_unusable_web_configuration_fails_start_up() {
    let dir = temp_dir("tls-bad");
    std::fs::write(
        dir.join("web.yml"),
        "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLS11\n",
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let e = rt
        .block_on(
            Exporter::new(&TLS)
                .listen("127.0.0.1:0".parse().unwrap())
                .web_config_file(dir.join("web.yml"))
                .bind(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("web_config_file") && e.contains("TLS 1.0 and 1.1"),
        "{e}"
    );
    let env = |k: &str| (k == "PROMDEF_WEB_CONFIG_FILE").then(|| " ".to_string());
    let e = Exporter::from_lookup(&TLS, env).unwrap_err().to_string();
    assert!(
        e.contains("PROMDEF_WEB_CONFIG_FILE") && e.contains("set but empty"),
        "{e}"
    );
}
