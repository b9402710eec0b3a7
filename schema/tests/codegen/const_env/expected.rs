/**Build of the running binary.

| | |
|---|---|
| Metric | `app_build_info` |
| Type | info |
| Labels | none |
| Const label `channel` | `stable` |
| Const label `version` | `CARGO_PKG_VERSION` at build time |
| Const label `name` | `CARGO_PKG_NAME` at build time |
| Stability | alpha |
*/
pub static BUILD_INFO: ::promdef::Info = ::promdef::Info::new(::promdef::Descriptor {
    name: "app_build_info",
    help: "Build of the running binary.",
    kind: ::promdef::Kind::Info,
    unit: ::core::option::Option::None,
    labels: ::promdef::__private::NO_LABELS,
    const_labels: &[
        ("channel", "stable"),
        ("version", ::core::env!("CARGO_PKG_VERSION")),
        ("name", ::core::env!("CARGO_PKG_NAME")),
    ],
    site: ::promdef::Site {
        krate: ::core::env!("CARGO_PKG_NAME"),
        file: "input.yaml",
        line: 3u32,
    },
    multiprocess_mode: "all",
    max_series: ::core::option::Option::None,
});
/**Request latency.

| | |
|---|---|
| Metric | `app_request_seconds` |
| Type | histogram |
| Unit | seconds |
| Labels | none |
| Buckets | 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64 |
| Stability | alpha |
*/
pub static REQUEST_SECONDS: ::promdef::Dense<
    ::promdef::NoLabels,
    ::promdef::Histogram<8usize>,
    1,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "app_request_seconds",
        help: "Request latency.",
        kind: ::promdef::Kind::Histogram,
        unit: ::core::option::Option::Some("seconds"),
        labels: ::promdef::__private::NO_LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 10u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [
        ::promdef::Histogram::new(
            &[0.005f64, 0.01f64, 0.02f64, 0.04f64, 0.08f64, 0.16f64, 0.32f64, 0.64f64],
        ),
    ],
);
/**Task time.

| | |
|---|---|
| Metric | `app_task_seconds` |
| Type | summary |
| Unit | seconds |
| Labels | none |
| Quantiles | 0.5, 0.99 over the last 300 s (±0.01 relative) |
| Stability | alpha |
*/
pub static TASK_SECONDS: ::promdef::Dense<::promdef::NoLabels, ::promdef::Summary, 1> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "app_task_seconds",
        help: "Task time.",
        kind: ::promdef::Kind::Summary,
        unit: ::core::option::Option::Some("seconds"),
        labels: ::promdef::__private::NO_LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 15u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [
        ::promdef::Summary::with_quantiles(
            &::promdef::quantile::Quantiles {
                quantiles: &[0.5f64, 0.99f64],
                max_age_seconds: 300f64,
                age_buckets: 5u32,
                accuracy: 0.01f64,
            },
        ),
    ],
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 3usize] = [
        &BUILD_INFO,
        &REQUEST_SECONDS.family,
        &TASK_SECONDS.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
