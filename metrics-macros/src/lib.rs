//! The `metrics!` proc macro. Use it through the `promdef` crate, which
//! documents it. Everything it does — parse, check, generate, report — is
//! the ordinary library `promdef_schema::codegen`, where it is tested.

/// Declares metrics from a YAML file (`metrics!(file = "schema/metrics.yaml")`,
/// relative to the calling crate's `Cargo.toml`) or inline (`metrics! { … }`).
/// See the `promdef` crate documentation for the grammar.
#[proc_macro]
pub fn metrics(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    promdef_schema::codegen::metrics_macro(input.into(), dir.as_deref()).into()
}
