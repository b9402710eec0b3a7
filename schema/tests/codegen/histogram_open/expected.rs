///Values of the `method` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum Method {
    ///`GET`
    Get = 0u16,
    ///`POST`
    Post = 1u16,
}
impl Method {
    /// Every value, in declaration order.
    pub const ALL: [Method; 2usize] = [Method::Get, Method::Post];
    /// The exposed text of every value, in declaration order.
    pub const VALUES: &'static [&'static str] = &["GET", "POST"];
    /// The label's name.
    pub const LABEL: &'static str = "method";
    /// The value as exposed.
    pub const fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}
impl ::core::str::FromStr for Method {
    type Err = ::promdef::UnknownLabelValue;
    fn from_str(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        match s {
            "GET" => ::core::result::Result::Ok(Method::Get),
            "POST" => ::core::result::Result::Ok(Method::Post),
            _ => {
                ::core::result::Result::Err(::promdef::UnknownLabelValue {
                    label: "method",
                    value: ::std::string::ToString::to_string(s),
                    allowed: Self::VALUES,
                })
            }
        }
    }
}
impl ::core::convert::TryFrom<&str> for Method {
    type Error = ::promdef::UnknownLabelValue;
    fn try_from(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        ::core::str::FromStr::from_str(s)
    }
}
impl ::core::fmt::Display for Method {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
///Label values of [`REQUEST_DURATION_SECONDS`] (`shop_request_duration_seconds`).
#[derive(Clone, Copy, Debug)]
pub struct RequestDurationSecondsLabels<'a> {
    ///`method`
    pub method: Method,
    ///`route`: Route template.
    pub route: &'a str,
}
impl ::promdef::__private::OpenLabels for RequestDurationSecondsLabels<'static> {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "method",
            values: ::core::option::Option::Some(Method::VALUES),
            max_values: ::core::option::Option::None,
        },
        ::promdef::__private::LabelDescriptor {
            name: "route",
            values: ::core::option::Option::None,
            max_values: ::core::option::Option::Some(100u64),
        },
    ];
    type Borrowed<'a> = RequestDurationSecondsLabels<'a>;
    #[inline]
    fn write_key<S: ::promdef::__private::KeySink>(
        labels: &RequestDurationSecondsLabels<'_>,
        sink: &mut S,
    ) {
        sink.closed(labels.method as u16);
        sink.last_open(labels.route);
    }
}
/**Request latency.

| | |
|---|---|
| Metric | `shop_request_duration_seconds` |
| Type | histogram |
| Unit | seconds |
| Label `method` | [`Method`]: `GET`, `POST` |
| Label `route` | `&str`, at most 100 values (more go to `__overflow__`) |
| Buckets | 0.1, 0.5, 1 |
| Stability | alpha |
*/
pub static REQUEST_DURATION_SECONDS: ::promdef::Map<
    RequestDurationSecondsLabels<'static>,
    ::promdef::Histogram<3usize>,
> = ::promdef::Map::new(
    ::promdef::Descriptor {
        name: "shop_request_duration_seconds",
        help: "Request latency.",
        kind: ::promdef::Kind::Histogram,
        unit: ::core::option::Option::Some("seconds"),
        labels: <RequestDurationSecondsLabels<
            'static,
        > as ::promdef::__private::OpenLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 7u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    &[0.1f64, 0.5f64, 1f64],
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 1usize] = [
        &REQUEST_DURATION_SECONDS.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
