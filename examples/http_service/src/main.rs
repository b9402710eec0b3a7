//! `PROMDEF_BEARER_TOKEN=s3cret cargo run -p http-service`, then
//! `curl -X POST localhost:8080/items/apple` and
//! `curl -H 'Authorization: Bearer s3cret' localhost:8080/metrics`.
//! `/metrics` options come from the `PROMDEF_*` variables (see
//! `promdef::exporter`); `HTTP_SERVICE_LISTEN` sets the address.

use promdef::exporter::Exporter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let exporter = Exporter::from_env(promdef::registry())?;
    let addr = std::env::var("HTTP_SERVICE_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let service = http_service::start(addr.parse()?, exporter).await?;
    eprintln!("listening on http://{}", service.local_addr());
    tokio::signal::ctrl_c().await?;
    service.shutdown().await?;
    Ok(())
}
