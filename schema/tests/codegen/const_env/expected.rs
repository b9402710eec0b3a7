///Values of the `app_phase` label. Phase of the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum Phase {
    ///`starting`
    Starting = 0u16,
    ///`running`
    Running = 1u16,
    ///`shutting-down`
    ShuttingDown = 2u16,
}
impl Phase {
    /// Every value, in declaration order.
    pub const ALL: [Phase; 3usize] = [
        Phase::Starting,
        Phase::Running,
        Phase::ShuttingDown,
    ];
    /// The exposed text of every value, in declaration order.
    pub const VALUES: &'static [&'static str] = &[
        "starting",
        "running",
        "shutting-down",
    ];
    /// The label's name.
    pub const LABEL: &'static str = "app_phase";
    /// The value as exposed.
    pub const fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}
impl ::core::str::FromStr for Phase {
    type Err = ::promdef::UnknownLabelValue;
    fn from_str(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        match s {
            "starting" => ::core::result::Result::Ok(Phase::Starting),
            "running" => ::core::result::Result::Ok(Phase::Running),
            "shutting-down" => ::core::result::Result::Ok(Phase::ShuttingDown),
            _ => {
                ::core::result::Result::Err(::promdef::UnknownLabelValue {
                    label: "app_phase",
                    value: ::std::string::ToString::to_string(s),
                    allowed: Self::VALUES,
                })
            }
        }
    }
}
impl ::core::convert::TryFrom<&str> for Phase {
    type Error = ::promdef::UnknownLabelValue;
    fn try_from(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        ::core::str::FromStr::from_str(s)
    }
}
impl ::core::fmt::Display for Phase {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
impl ::promdef::value::StateEnum for Phase {
    const NAMES: &'static [&'static str] = Phase::VALUES;
    #[inline]
    fn index(self) -> usize {
        self as usize
    }
    #[inline]
    fn from_index(i: usize) -> Self {
        Phase::ALL[i]
    }
}
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
/**Phase of the service.

| | |
|---|---|
| Metric | `app_phase` |
| Type | stateset |
| Labels | none |
| Stability | alpha |
*/
pub static PHASE: ::promdef::Dense<::promdef::NoLabels, ::promdef::State<Phase>, 1> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "app_phase",
        help: "Phase of the service.",
        kind: ::promdef::Kind::StateSet,
        unit: ::core::option::Option::None,
        labels: ::promdef::__private::NO_LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 20u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::State<Phase>>::new()],
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 4usize] = [
        &BUILD_INFO,
        &REQUEST_SECONDS.family,
        &TASK_SECONDS.family,
        &PHASE.family,
    ];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
