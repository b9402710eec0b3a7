//! The `metrics!` proc macro. Use it through the `promdef` crate, which
//! documents it. Everything it does — parse, check, generate, report — is
//! the ordinary library `promdef_schema::codegen`, where it is tested.

/// Declares metrics from a YAML file (`metrics!(file = "schema/metrics.yaml")`,
/// relative to the calling crate's `Cargo.toml`) or inline (`metrics! { … }`).
///
/// ```ignore
/// promdef::metrics! {
///     namespace = "shop";                      // any top-level key: `key = value;`
///     /// HTTP request method.                 // doc comment = help
///     label method { values: [GET, POST, other] }
///     /// Route template, never the raw path.
///     label route { max_values: 200 }
///     /// Total HTTP requests handled.
///     pub counter shop_http_requests_total(method, route);
///     /// Time spent handling a request.
///     pub histogram shop_http_request_duration_seconds(method) {
///         unit: seconds,
///         buckets: { exponential: { start: 0.005, factor: 2, count: 10 } },
///     }
/// }
/// // generates `HTTP_REQUESTS_TOTAL` (namespace dropped, SCREAMING_CASE),
/// // `HttpRequestsTotalLabels { method: Method, route: &str }`, `enum Method`, …
/// ```
///
/// The grammar of both forms, what is generated (statics, enums, labels
/// structs; a keyword label `type` becomes the field `r#type`), every check
/// and lint with its fix, and the features are in the reference:
/// [`promdef::reference`](https://docs.rs/promdef/latest/promdef/reference/index.html).
#[proc_macro]
pub fn metrics(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    promdef_schema::codegen::metrics_macro(input.into(), dir.as_deref()).into()
}
