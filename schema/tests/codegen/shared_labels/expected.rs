///Values of the `method` label. Method.
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
///Label values of [`REQUESTS_TOTAL`] (`requests_total`).
#[derive(Clone, Copy, Debug)]
pub struct RequestsTotalLabels {
    ///`method`: Method.
    pub method: Method,
}
unsafe impl ::promdef::__private::DenseLabels for RequestsTotalLabels {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "method",
            values: ::core::option::Option::Some(Method::VALUES),
            max_values: ::core::option::Option::None,
        },
    ];
    #[inline(always)]
    fn index(&self) -> usize {
        let mut i = 0usize;
        i = i * 2usize + self.method as usize;
        i
    }
}
/**Requests.

| | |
|---|---|
| Metric | `requests_total` |
| Type | counter |
| Label `method` | [`Method`]: `GET`, `POST` |
| Stability | alpha |
*/
pub static REQUESTS_TOTAL: ::promdef::Dense<
    RequestsTotalLabels,
    ::promdef::Counter,
    2usize,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "requests_total",
        help: "Requests.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <RequestsTotalLabels as ::promdef::__private::DenseLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 7u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::Counter>::ZERO; 2usize],
);
///Label values of [`ERRORS_TOTAL`] (`errors_total`). The same struct as [`RequestsTotalLabels`]: metrics with the same labels share one.
pub type ErrorsTotalLabels = RequestsTotalLabels;
/**Errors.

| | |
|---|---|
| Metric | `errors_total` |
| Type | counter |
| Label `method` | [`Method`]: `GET`, `POST` |
| Stability | alpha |
*/
pub static ERRORS_TOTAL: ::promdef::Dense<
    ErrorsTotalLabels,
    ::promdef::Counter,
    2usize,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "errors_total",
        help: "Errors.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <ErrorsTotalLabels as ::promdef::__private::DenseLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 11u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::Counter>::ZERO; 2usize],
);
///Label values of [`HITS_TOTAL`] (`hits_total`).
#[derive(Clone, Copy, Debug)]
pub struct HitsTotalLabels<'a> {
    ///`method`: Method.
    pub method: Method,
    ///`route`: Route template.
    pub route: &'a str,
}
impl ::promdef::__private::OpenLabels for HitsTotalLabels<'static> {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "method",
            values: ::core::option::Option::Some(Method::VALUES),
            max_values: ::core::option::Option::None,
        },
        ::promdef::__private::LabelDescriptor {
            name: "route",
            values: ::core::option::Option::None,
            max_values: ::core::option::Option::Some(50u64),
        },
    ];
    type Borrowed<'a> = HitsTotalLabels<'a>;
    #[inline]
    fn write_key<S: ::promdef::__private::KeySink>(
        labels: &HitsTotalLabels<'_>,
        sink: &mut S,
    ) {
        sink.closed(labels.method as u16);
        sink.last_open(labels.route);
    }
}
/**Hits.

| | |
|---|---|
| Metric | `hits_total` |
| Type | counter |
| Label `method` | [`Method`]: `GET`, `POST` |
| Label `route` | `&str`, at most 50 values (more go to `__overflow__`) |
| Stability | alpha |
*/
pub static HITS_TOTAL: ::promdef::Map<HitsTotalLabels<'static>, ::promdef::Counter> = ::promdef::Map::new(
    ::promdef::Descriptor {
        name: "hits_total",
        help: "Hits.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <HitsTotalLabels<'static> as ::promdef::__private::OpenLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 15u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    ::promdef::__private::NO_BUCKETS,
);
///Label values of [`MISSES_TOTAL`] (`misses_total`). The same struct as [`HitsTotalLabels`]: metrics with the same labels share one.
pub type MissesTotalLabels<'a> = HitsTotalLabels<'a>;
/**Misses.

| | |
|---|---|
| Metric | `misses_total` |
| Type | counter |
| Label `method` | [`Method`]: `GET`, `POST` |
| Label `route` | `&str`, at most 50 values (more go to `__overflow__`) |
| Stability | alpha |
*/
pub static MISSES_TOTAL: ::promdef::Map<
    MissesTotalLabels<'static>,
    ::promdef::Counter,
> = ::promdef::Map::new(
    ::promdef::Descriptor {
        name: "misses_total",
        help: "Misses.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <MissesTotalLabels<'static> as ::promdef::__private::OpenLabels>::LABELS,
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
///Label values of [`BYTES_TOTAL`] (`bytes_total`).
#[derive(Clone, Copy, Debug)]
pub struct BytesTotalLabels<'a> {
    ///`route`: Route template.
    pub route: &'a str,
    ///`method`: Method.
    pub method: Method,
}
impl ::promdef::__private::OpenLabels for BytesTotalLabels<'static> {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "route",
            values: ::core::option::Option::None,
            max_values: ::core::option::Option::Some(50u64),
        },
        ::promdef::__private::LabelDescriptor {
            name: "method",
            values: ::core::option::Option::Some(Method::VALUES),
            max_values: ::core::option::Option::None,
        },
    ];
    type Borrowed<'a> = BytesTotalLabels<'a>;
    #[inline]
    fn write_key<S: ::promdef::__private::KeySink>(
        labels: &BytesTotalLabels<'_>,
        sink: &mut S,
    ) {
        sink.open(labels.route);
        sink.closed(labels.method as u16);
    }
}
/**Bytes.

| | |
|---|---|
| Metric | `bytes_total` |
| Type | counter |
| Label `route` | `&str`, at most 50 values (more go to `__overflow__`) |
| Label `method` | [`Method`]: `GET`, `POST` |
| Stability | alpha |
*/
pub static BYTES_TOTAL: ::promdef::Map<BytesTotalLabels<'static>, ::promdef::Counter> = ::promdef::Map::new(
    ::promdef::Descriptor {
        name: "bytes_total",
        help: "Bytes.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <BytesTotalLabels<'static> as ::promdef::__private::OpenLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 23u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    ::promdef::__private::NO_BUCKETS,
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 5usize] = [
        &REQUESTS_TOTAL.family,
        &ERRORS_TOTAL.family,
        &HITS_TOTAL.family,
        &MISSES_TOTAL.family,
        &BYTES_TOTAL.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
