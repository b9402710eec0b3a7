/**RPC latency.

| | |
|---|---|
| Metric | `rpc_duration_seconds` |
| Type | histogram |
| Unit | seconds |
| Labels | none |
| Native buckets | schema 3 (each bucket 1.0905× the previous), at most 160 buckets (then the resolution halves), zero bucket up to 2.938735877055719e-39 |
| Stability | alpha |
*/
pub static RPC_DURATION_SECONDS: ::promdef::Dense<
    ::promdef::NoLabels,
    ::promdef::Histogram<0usize>,
    1,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "rpc_duration_seconds",
        help: "RPC latency.",
        kind: ::promdef::Kind::Histogram,
        unit: ::core::option::Option::Some("seconds"),
        labels: ::promdef::__private::NO_LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 6u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [
        ::promdef::Histogram::with_native(
            &[],
            &::promdef::native::Native {
                schema: 3i8,
                max_buckets: 160u32,
                zero_threshold: 0.000000000000000000000000000000000000002938735877055719f64,
            },
        ),
    ],
);
/**Request size.

| | |
|---|---|
| Metric | `request_size_bytes` |
| Type | histogram |
| Unit | bytes |
| Labels | none |
| Buckets | 100, 1000 |
| Native buckets | schema 0 (each bucket 2.0000× the previous), at most 40 buckets (then the resolution halves), zero bucket up to 5e-1 |
| Stability | alpha |
*/
pub static REQUEST_SIZE_BYTES: ::promdef::Dense<
    ::promdef::NoLabels,
    ::promdef::Histogram<2usize>,
    1,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "request_size_bytes",
        help: "Request size.",
        kind: ::promdef::Kind::Histogram,
        unit: ::core::option::Option::Some("bytes"),
        labels: ::promdef::__private::NO_LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 11u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [
        ::promdef::Histogram::with_native(
            &[100f64, 1000f64],
            &::promdef::native::Native {
                schema: 0i8,
                max_buckets: 40u32,
                zero_threshold: 0.5f64,
            },
        ),
    ],
);
///Label values of [`ROUTE_DURATION_SECONDS`] (`route_duration_seconds`).
#[derive(Clone, Copy, Debug)]
pub struct RouteDurationSecondsLabels<'a> {
    ///`route`: Route template.
    pub route: &'a str,
}
impl ::promdef::__private::OpenLabels for RouteDurationSecondsLabels<'static> {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "route",
            values: ::core::option::Option::None,
            max_values: ::core::option::Option::Some(10u64),
        },
    ];
    type Borrowed<'a> = RouteDurationSecondsLabels<'a>;
    #[inline]
    fn write_key<S: ::promdef::__private::KeySink>(
        labels: &RouteDurationSecondsLabels<'_>,
        sink: &mut S,
    ) {
        sink.last_open(labels.route);
    }
}
impl ::promdef::http::OpenHttpLabels for RouteDurationSecondsLabels<'static> {
    fn from_http<'a>(
        info: &::promdef::http::HttpInfo<'a>,
    ) -> RouteDurationSecondsLabels<'a> {
        RouteDurationSecondsLabels {
            route: info.route,
        }
    }
}
impl ::promdef::http::RequestLabels for RouteDurationSecondsLabels<'static> {}
/**Latency by route.

| | |
|---|---|
| Metric | `route_duration_seconds` |
| Type | histogram |
| Unit | seconds |
| Label `route` | `&str`, at most 10 values (more go to `__overflow__`) |
| Native buckets | schema 1 (each bucket 1.4142× the previous), at most 160 buckets (then the resolution halves), zero bucket up to 2.938735877055719e-39 |
| Stability | alpha |
*/
pub static ROUTE_DURATION_SECONDS: ::promdef::Map<
    RouteDurationSecondsLabels<'static>,
    ::promdef::Histogram<0usize>,
> = ::promdef::Map::native(
    ::promdef::Descriptor {
        name: "route_duration_seconds",
        help: "Latency by route.",
        kind: ::promdef::Kind::Histogram,
        unit: ::core::option::Option::Some("seconds"),
        labels: <RouteDurationSecondsLabels<
            'static,
        > as ::promdef::__private::OpenLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 17u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    ::promdef::__private::NO_BUCKETS,
    ::core::option::Option::Some(
        &::promdef::native::Native {
            schema: 1i8,
            max_buckets: 160u32,
            zero_threshold: 0.000000000000000000000000000000000000002938735877055719f64,
        },
    ),
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 3usize] = [
        &RPC_DURATION_SECONDS.family,
        &REQUEST_SIZE_BYTES.family,
        &ROUTE_DURATION_SECONDS.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
