//! Opt-in process metrics, read from `/proc` at scrape time on Linux — the
//! names and meanings of Prometheus' client libraries:
//!
//! | metric | type | what |
//! |---|---|---|
//! | `process_cpu_seconds_total` | counter | user + system CPU time |
//! | `process_resident_memory_bytes` | gauge | resident set size |
//! | `process_virtual_memory_bytes` | gauge | virtual memory size |
//! | `process_open_fds` | gauge | open file descriptors |
//! | `process_max_fds` | gauge | the soft limit on open file descriptors |
//! | `process_start_time_seconds` | gauge | start time, seconds since the Unix epoch |
//! | `process_threads` | gauge | OS threads |
//!
//! ```
//! pub static APP: promdef::Registry = promdef::Registry::new();
//! promdef::process::register(&APP).unwrap();
//! let text = APP.render_text();
//! assert!(text.contains("# TYPE process_cpu_seconds_total counter\n"));
//! # #[cfg(target_os = "linux")]
//! assert!(!text.contains("process_open_fds 0\n"));
//! ```
//!
//! On other systems the families are registered and stay at 0.

use crate::family::{Dense, Descriptor, Family, Kind, NoLabels, Site};
use crate::registry::{DuplicateMetric, Registry};
use crate::value::Gauge;

type One = Dense<NoLabels, Gauge, 1>;

macro_rules! process_metric {
    ($stat:ident, $name:literal, $kind:ident, $unit:expr, $help:literal) => {
        static $stat: One = Dense::new(
            Descriptor {
                name: $name,
                help: $help,
                kind: Kind::$kind,
                unit: $unit,
                labels: &[],
                const_labels: &[],
                site: Site {
                    krate: "promdef",
                    file: file!(),
                    line: line!(),
                },
                multiprocess_mode: "all",
                max_series: None,
            },
            [Gauge::new()],
        );
    };
}

// CPU seconds are fractional, so this counter is stored in a gauge cell;
// the encoders write it by its declared kind, counter.
process_metric!(
    CPU,
    "process_cpu_seconds_total",
    Counter,
    Some("seconds"),
    "Total user and system CPU time spent in seconds."
);
process_metric!(
    RSS,
    "process_resident_memory_bytes",
    Gauge,
    Some("bytes"),
    "Resident memory size in bytes."
);
process_metric!(
    VSIZE,
    "process_virtual_memory_bytes",
    Gauge,
    Some("bytes"),
    "Virtual memory size in bytes."
);
process_metric!(
    OPEN_FDS,
    "process_open_fds",
    Gauge,
    None,
    "Number of open file descriptors."
);
process_metric!(
    MAX_FDS,
    "process_max_fds",
    Gauge,
    None,
    "Maximum number of open file descriptors."
);
process_metric!(
    START,
    "process_start_time_seconds",
    Gauge,
    Some("seconds"),
    "Start time of the process since unix epoch in seconds."
);
process_metric!(
    THREADS,
    "process_threads",
    Gauge,
    None,
    "Number of OS threads in the process."
);

/// Adds the process families to `registry` and refreshes them before each
/// exposition. Calling it again for the same registry does nothing; a name
/// already declared in the registry is an error ([`DuplicateMetric`], a
/// `std::error::Error`, so `?` works in `main`):
///
/// ```
/// pub static APP: promdef::Registry = promdef::Registry::new();
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     promdef::process::register(&APP)?;
///     assert!(APP.render_text().contains("process_threads"));
///     Ok(())
/// }
/// ```
pub fn register(registry: &'static Registry) -> Result<(), DuplicateMetric> {
    let all: [&'static dyn Family; 7] = [
        &CPU.family,
        &RSS.family,
        &VSIZE.family,
        &OPEN_FDS.family,
        &MAX_FDS.family,
        &START.family,
        &THREADS.family,
    ];
    let fresh = registry.get(CPU.family.descriptor().name).is_none();
    for f in all {
        registry.register(f)?;
    }
    if fresh {
        registry.on_collect(refresh);
    }
    Ok(())
}

/// Reads `/proc/self` once and sets every process gauge; a file that cannot
/// be read leaves its gauges unchanged.
fn refresh() {
    #[cfg(target_os = "linux")]
    linux::refresh();
}

#[cfg(target_os = "linux")]
mod linux {
    use super::*;

    /// The kernel reports `/proc` times in USER_HZ ticks, fixed at 100 by
    /// the user-space ABI on every architecture Rust targets.
    const USER_HZ: f64 = 100.0;

    pub(super) fn refresh() {
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
            if let Some(s) = parse_stat(&stat) {
                CPU.set((s.utime + s.stime) as f64 / USER_HZ);
                THREADS.set(s.threads as f64);
                VSIZE.set(s.vsize as f64);
                if let Some(boot) = boot_time() {
                    START.set(boot as f64 + s.starttime as f64 / USER_HZ);
                }
            }
        }
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            if let Some(kb) = status_kb(&status, "VmRSS:") {
                RSS.set(kb as f64 * 1024.0);
            }
        }
        if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
            // The directory handle itself is one of the entries.
            OPEN_FDS.set(dir.count().saturating_sub(1) as f64);
        }
        if let Ok(limits) = std::fs::read_to_string("/proc/self/limits") {
            if let Some(max) = max_open_files(&limits) {
                MAX_FDS.set(max);
            }
        }
    }

    #[derive(Debug, PartialEq)]
    pub(super) struct Stat {
        pub utime: u64,
        pub stime: u64,
        pub threads: u64,
        pub starttime: u64,
        pub vsize: u64,
    }

    /// Fields of `/proc/self/stat`; the command name (field 2) may contain
    /// spaces and parentheses, so fields are counted after its last `)`.
    pub(super) fn parse_stat(s: &str) -> Option<Stat> {
        let rest = &s[s.rfind(')')? + 1..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        // `rest` starts at field 3 (state): field n is f[n - 3].
        let n = |i: usize| f.get(i - 3)?.parse::<u64>().ok();
        Some(Stat {
            utime: n(14)?,
            stime: n(15)?,
            threads: n(20)?,
            starttime: n(22)?,
            vsize: n(23)?,
        })
    }

    pub(super) fn status_kb(s: &str, key: &str) -> Option<u64> {
        let line = s.lines().find(|l| l.starts_with(key))?;
        line[key.len()..].split_whitespace().next()?.parse().ok()
    }

    pub(super) fn max_open_files(s: &str) -> Option<f64> {
        let line = s.lines().find(|l| l.starts_with("Max open files"))?;
        let soft = line["Max open files".len()..].split_whitespace().next()?;
        Some(if soft == "unlimited" {
            f64::INFINITY
        } else {
            soft.parse::<u64>().ok()? as f64
        })
    }

    fn boot_time() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("btime "))?;
        line[6..].trim().parse().ok()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::*;

    #[test]
    fn parses_proc_files() {
        let stat = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 75 0 0 20 0 9 0 123456 987654321 5000 18446744073709551615";
        assert_eq!(
            parse_stat(stat),
            Some(Stat {
                utime: 250,
                stime: 75,
                threads: 9,
                starttime: 123456,
                vsize: 987654321
            })
        );
        assert_eq!(parse_stat("garbage"), None);
        assert_eq!(
            status_kb("Name:\tx\nVmRSS:\t  10240 kB\n", "VmRSS:"),
            Some(10240)
        );
        let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n";
        assert_eq!(max_open_files(limits), Some(1024.0));
        assert_eq!(
            max_open_files(
                "Max open files            unlimited            unlimited            files\n"
            ),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn reads_this_process() {
        static R: crate::Registry = crate::Registry::new();
        super::register(&R).unwrap();
        super::register(&R).unwrap();
        let text = R.render_text();
        let value = |name: &str| -> f64 {
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("{name} ")))
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"));
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        // This test process has stdin/stdout/stderr open and is running.
        assert!(value("process_open_fds") >= 3.0, "{text}");
        assert!(value("process_resident_memory_bytes") > 0.0);
        assert!(value("process_threads") >= 1.0);
        let start = value("process_start_time_seconds");
        assert!(
            start > 1.6e9 && start <= crate::family::unix_now() + 1.0,
            "{start}"
        );
        // Registered twice, exposed once.
        assert_eq!(text.matches("# TYPE process_open_fds gauge").count(), 1);
    }
}
