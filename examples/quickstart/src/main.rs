//! Declares the shop's metrics from `schema/metrics.yaml`, serves a few
//! simulated requests, and prints the Prometheus exposition.
//!
//! Run it with `cargo run -p quickstart`.

promdef::metrics!(file = "schema/metrics.yaml");

/// One simulated request: what a handler would record.
fn handle(method: &str, route: &'static str, status: u16, seconds: f64) {
    let _in_progress = HTTP_REQUESTS_IN_PROGRESS.track_inprogress();
    // Methods arrive as strings; anything unexpected is counted as `other`.
    let method: Method = method.parse().unwrap_or(Method::Other);
    let status_class = match status {
        100..=199 => StatusClass::V1xx,
        200..=299 => StatusClass::V2xx,
        300..=399 => StatusClass::V3xx,
        400..=499 => StatusClass::V4xx,
        _ => StatusClass::V5xx,
    };
    HTTP_REQUESTS_TOTAL
        .with(HttpRequestsTotalLabels {
            method,
            status_class,
            route,
        })
        .inc();
    HTTP_REQUEST_DURATION_SECONDS
        .with(HttpRequestDurationSecondsLabels { method, route })
        .observe(seconds);
}

fn main() -> Result<(), promdef::RegistryError> {
    // Fails if two linked crates declare the same metric name.
    let registry = promdef::init()?;

    let work = [
        ("GET", "/products", 200, 0.012),
        ("GET", "/products/:id", 200, 0.004),
        ("GET", "/products/:id", 404, 0.002),
        ("POST", "/cart", 201, 0.120),
        ("POST", "/checkout", 500, 1.7),
        ("BREW", "/coffee", 418, 0.3),
    ];
    for (method, route, status, seconds) in work {
        handle(method, route, status, seconds);
    }

    print!("{}", registry.render_text());
    Ok(())
}
