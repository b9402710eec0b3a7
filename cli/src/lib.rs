//! Library side of the `promdef` command: reading inputs (YAML schemas, Rust
//! files, crate directories) and rendering the start-up exposition, shared by
//! the binary and by tests that need "what would this schema expose".

pub mod expose;
pub mod exposition;
pub mod fetch;
pub mod import;
pub mod input;
pub mod ops;
pub mod scrape;
pub mod text_diff;
