//! `METRICS_BEARER_TOKEN=s3cret METRICS_ALLOW_CIDRS=127.0.0.0/8 cargo run -p django-like`,
//! then `curl -X POST localhost:8000/products/tea`, `curl localhost:8000/metrics/readiness/`
//! and `curl -H 'Authorization: Bearer s3cret' localhost:8000/metrics/`.
//! `PUSHGATEWAY_URL` enables `POST /admin/tasks/send_receipts`.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let exporter = django_like::exporter(|k| std::env::var(k).ok())?;
    let shop = Arc::new(django_like::Shop::new(
        std::env::var("PUSHGATEWAY_URL").ok(),
    ));
    let addr = std::env::var("SHOP_LISTEN").unwrap_or_else(|_| "127.0.0.1:8000".into());
    let running = django_like::start(addr.parse()?, exporter, shop).await?;
    eprintln!("listening on http://{}", running.local_addr());
    // Stops gracefully on SIGTERM or Ctrl-C.
    running.wait().await?;
    Ok(())
}
