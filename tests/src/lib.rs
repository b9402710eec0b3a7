//! Helpers shared by promdef's integration tests: finding external tools
//! (promtool, Python's `prometheus_client`) and saying clearly when a test
//! is skipped because one is missing.

pub mod proto;

// The helpers live in the CLI package (whose tests must not read files
// outside it) and are shared from there.
#[path = "../../cli/tests/support/mod.rs"]
mod support;
pub use support::*;
