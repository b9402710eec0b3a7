///Label values of [`TENANT_REQUESTS_TOTAL`] (`tenant_requests_total`).
#[derive(Clone, Copy, Debug)]
pub struct TenantRequestsTotalLabels<'a> {
    ///`tenant`: Tenant.
    pub tenant: &'a str,
}
impl ::promdef::__private::OpenLabels for TenantRequestsTotalLabels<'static> {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "tenant",
            values: ::core::option::Option::None,
            max_values: ::core::option::Option::Some(50u64),
        },
    ];
    type Borrowed<'a> = TenantRequestsTotalLabels<'a>;
    #[inline]
    fn write_key<S: ::promdef::__private::KeySink>(
        labels: &TenantRequestsTotalLabels<'_>,
        sink: &mut S,
    ) {
        sink.last_open(labels.tenant);
    }
}
/**Requests by tenant.

| | |
|---|---|
| Metric | `tenant_requests_total` |
| Type | counter |
| Label `tenant` | `&str`, at most 50 values (more go to `__overflow__`) |
| Series cap | 40; then open labels are `__overflow__` |
| Stability | alpha |
*/
pub static TENANT_REQUESTS_TOTAL: ::promdef::Map<
    TenantRequestsTotalLabels<'static>,
    ::promdef::Counter,
> = ::promdef::Map::new(
    ::promdef::Descriptor {
        name: "tenant_requests_total",
        help: "Requests by tenant.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <TenantRequestsTotalLabels<
            'static,
        > as ::promdef::__private::OpenLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 8u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::Some(40u64),
    },
    ::promdef::__private::NO_BUCKETS,
);
///Label values of [`RAW_EVENTS_TOTAL`] (`raw_events_total`).
#[derive(Clone, Copy, Debug)]
pub struct RawEventsTotalLabels<'a> {
    ///`raw`: Raw value.
    pub raw: &'a str,
}
impl ::promdef::__private::OpenLabels for RawEventsTotalLabels<'static> {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "raw",
            values: ::core::option::Option::None,
            max_values: ::core::option::Option::None,
        },
    ];
    type Borrowed<'a> = RawEventsTotalLabels<'a>;
    #[inline]
    fn write_key<S: ::promdef::__private::KeySink>(
        labels: &RawEventsTotalLabels<'_>,
        sink: &mut S,
    ) {
        sink.last_open(labels.raw);
    }
}
/**Raw events.

| | |
|---|---|
| Metric | `raw_events_total` |
| Type | counter |
| Label `raw` | `&str`, no declared bound |
| Series cap | 2000; then open labels are `__overflow__` |
| Stability | alpha |
*/
pub static RAW_EVENTS_TOTAL: ::promdef::Map<
    RawEventsTotalLabels<'static>,
    ::promdef::Counter,
> = ::promdef::Map::new(
    ::promdef::Descriptor {
        name: "raw_events_total",
        help: "Raw events.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <RawEventsTotalLabels<
            'static,
        > as ::promdef::__private::OpenLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 14u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::Some(2000u64),
    },
    ::promdef::__private::NO_BUCKETS,
);
///Label values of [`FREE_EVENTS_TOTAL`] (`free_events_total`).
#[derive(Clone, Copy, Debug)]
pub struct FreeEventsTotalLabels<'a> {
    ///`free`: Explicitly unbounded.
    pub free: &'a str,
}
impl ::promdef::__private::OpenLabels for FreeEventsTotalLabels<'static> {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "free",
            values: ::core::option::Option::None,
            max_values: ::core::option::Option::None,
        },
    ];
    type Borrowed<'a> = FreeEventsTotalLabels<'a>;
    #[inline]
    fn write_key<S: ::promdef::__private::KeySink>(
        labels: &FreeEventsTotalLabels<'_>,
        sink: &mut S,
    ) {
        sink.last_open(labels.free);
    }
}
/**Free events.

| | |
|---|---|
| Metric | `free_events_total` |
| Type | counter |
| Label `free` | `&str`, unlimited |
| Stability | alpha |
*/
pub static FREE_EVENTS_TOTAL: ::promdef::Map<
    FreeEventsTotalLabels<'static>,
    ::promdef::Counter,
> = ::promdef::Map::new(
    ::promdef::Descriptor {
        name: "free_events_total",
        help: "Free events.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <FreeEventsTotalLabels<
            'static,
        > as ::promdef::__private::OpenLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 19u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    ::promdef::__private::NO_BUCKETS,
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 3usize] = [
        &TENANT_REQUESTS_TOTAL.family,
        &RAW_EVENTS_TOTAL.family,
        &FREE_EVENTS_TOTAL.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
