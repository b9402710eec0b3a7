/**Jobs done.

| | |
|---|---|
| Metric | `jobs_done_total` |
| Type | counter |
| Labels | none |
| Stability | stable |
*/
pub static JOBS_DONE_TOTAL: ::promdef::Dense<
    ::promdef::NoLabels,
    ::promdef::Counter,
    1,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "jobs_done_total",
        help: "Jobs done.",
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
    [<::promdef::Counter>::new()],
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 1usize] = [
        &JOBS_DONE_TOTAL.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
