/**Payload sizes.

Measured after compression.

| | |
|---|---|
| Metric | `payload_bytes` |
| Type | summary |
| Unit | bytes |
| Labels | none |
| Const label `codec` | `json` |
| Stability | alpha |
*/
pub static PAYLOAD_BYTES: ::promdef::Dense<::promdef::NoLabels, ::promdef::Summary, 1> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "payload_bytes",
        help: "Payload sizes.",
        kind: ::promdef::Kind::Summary,
        unit: ::core::option::Option::Some("bytes"),
        labels: ::promdef::__private::NO_LABELS,
        const_labels: &[("codec", "json")],
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 3u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::Summary>::new()],
);
/**Build information.

| | |
|---|---|
| Metric | `app_build_info` |
| Type | info |
| Labels | none |
| Const label `version` | `1.4.2` |
| Stability | alpha |
*/
pub static APP_BUILD_INFO: ::promdef::Info = ::promdef::Info::new(::promdef::Descriptor {
    name: "app_build_info",
    help: "Build information.",
    kind: ::promdef::Kind::Info,
    unit: ::core::option::Option::None,
    labels: ::promdef::__private::NO_LABELS,
    const_labels: &[("version", "1.4.2")],
    site: ::promdef::Site {
        krate: ::core::env!("CARGO_PKG_NAME"),
        file: "input.yaml",
        line: 9u32,
    },
    multiprocess_mode: "all",
    max_series: ::core::option::Option::None,
});
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 2usize] = [
        &PAYLOAD_BYTES.family,
        &APP_BUILD_INFO,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
