/**Very hot calls.

| | |
|---|---|
| Metric | `hot_calls_total` |
| Type | counter |
| Labels | none |
| Stability | alpha |
*/
pub static HOT_CALLS_TOTAL: ::promdef::Dense<
    ::promdef::NoLabels,
    ::promdef::ShardedCounter,
    1,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "hot_calls_total",
        help: "Very hot calls.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: ::promdef::__private::NO_LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 3u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::ShardedCounter>::new()],
);
/**Old name.

| | |
|---|---|
| Metric | `calls` |
| Type | counter |
| Labels | none |
| Stability | alpha |
*/
#[deprecated(
    note = "deprecated since 1.2; use `HOT_CALLS_TOTAL` (metric `hot_calls_total`) instead; removed in 2.0"
)]
pub static CALLS: ::promdef::Dense<::promdef::NoLabels, ::promdef::Counter, 1> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "calls",
        help: "Old name. (deprecated since 1.2; use hot_calls_total)",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: ::promdef::__private::NO_LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 7u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::Counter>::new()],
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 2usize] = [
        &HOT_CALLS_TOTAL.family,
        &CALLS.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
