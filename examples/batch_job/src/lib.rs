//! A nightly import job: does its work, then pushes its metrics to a
//! Pushgateway as one group (`job="nightly_import"`, `instance=<source>`).
//! The metrics live in their own registry, `BATCH`, which is exactly what
//! is pushed.

use promdef::push::{PushError, Pusher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The batch job's registry: the group of metrics that is pushed.
pub static BATCH: promdef::Registry = promdef::Registry::new();

promdef::metrics!(file = "schema/metrics.yaml");

/// The Pushgateway group of this job for one data source.
pub fn group(gateway: &str, source: &str) -> Result<Pusher, PushError> {
    Ok(Pusher::new(gateway, "nightly_import")?
        .grouping("instance", source)?
        .timeout(Duration::from_secs(10)))
}

/// Imports `rows` rows from `source`, then pushes (PUT) the metrics.
pub fn run(gateway: &str, source: &str, rows: u64) -> Result<(), PushError> {
    let start = Instant::now();
    for _ in 0..rows {
        ROWS_IMPORTED_TOTAL.inc();
    }
    RUN_DURATION_SECONDS.set(start.elapsed().as_secs_f64());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    LAST_SUCCESS_TIMESTAMP_SECONDS.set(now);
    group(gateway, source)?.push(&BATCH)
}
