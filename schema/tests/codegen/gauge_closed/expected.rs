///Values of the `queue` label. Queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum Queue {
    ///`low`
    Low = 0u16,
    ///`high`
    High = 1u16,
}
impl Queue {
    /// Every value, in declaration order.
    pub const ALL: [Queue; 2usize] = [Queue::Low, Queue::High];
    /// The exposed text of every value, in declaration order.
    pub const VALUES: &'static [&'static str] = &["low", "high"];
    /// The label's name.
    pub const LABEL: &'static str = "queue";
    /// The value as exposed.
    pub const fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}
impl ::core::str::FromStr for Queue {
    type Err = ::promdef::UnknownLabelValue;
    fn from_str(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        match s {
            "low" => ::core::result::Result::Ok(Queue::Low),
            "high" => ::core::result::Result::Ok(Queue::High),
            _ => {
                ::core::result::Result::Err(::promdef::UnknownLabelValue {
                    label: "queue",
                    value: ::std::string::ToString::to_string(s),
                    allowed: Self::VALUES,
                })
            }
        }
    }
}
impl ::core::convert::TryFrom<&str> for Queue {
    type Error = ::promdef::UnknownLabelValue;
    fn try_from(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        ::core::str::FromStr::from_str(s)
    }
}
impl ::core::fmt::Display for Queue {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
///Values of the `state` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum State {
    ///`2xx`
    V2xx = 0u16,
    ///`/`
    Root = 1u16,
}
impl State {
    /// Every value, in declaration order.
    pub const ALL: [State; 2usize] = [State::V2xx, State::Root];
    /// The exposed text of every value, in declaration order.
    pub const VALUES: &'static [&'static str] = &["2xx", "/"];
    /// The label's name.
    pub const LABEL: &'static str = "state";
    /// The value as exposed.
    pub const fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}
impl ::core::str::FromStr for State {
    type Err = ::promdef::UnknownLabelValue;
    fn from_str(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        match s {
            "2xx" => ::core::result::Result::Ok(State::V2xx),
            "/" => ::core::result::Result::Ok(State::Root),
            _ => {
                ::core::result::Result::Err(::promdef::UnknownLabelValue {
                    label: "state",
                    value: ::std::string::ToString::to_string(s),
                    allowed: Self::VALUES,
                })
            }
        }
    }
}
impl ::core::convert::TryFrom<&str> for State {
    type Error = ::promdef::UnknownLabelValue;
    fn try_from(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        ::core::str::FromStr::from_str(s)
    }
}
impl ::core::fmt::Display for State {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
///Label values of [`JOBS_WAITING`] (`jobs_waiting`).
#[derive(Clone, Copy, Debug)]
pub struct JobsWaitingLabels {
    ///`queue`: Queue.
    pub queue: Queue,
    ///`state`
    pub state: State,
}
unsafe impl ::promdef::__private::DenseLabels for JobsWaitingLabels {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "queue",
            values: ::core::option::Option::Some(Queue::VALUES),
            max_values: ::core::option::Option::None,
        },
        ::promdef::__private::LabelDescriptor {
            name: "state",
            values: ::core::option::Option::Some(State::VALUES),
            max_values: ::core::option::Option::None,
        },
    ];
    #[inline(always)]
    fn index(&self) -> usize {
        let mut i = 0usize;
        i = i * 2usize + self.queue as usize;
        i = i * 2usize + self.state as usize;
        i
    }
}
/**Jobs waiting.

| | |
|---|---|
| Metric | `jobs_waiting` |
| Type | gauge |
| Label `queue` | [`Queue`]: `low`, `high` |
| Label `state` | [`State`]: `2xx`, `/` |
| Stability | alpha |
*/
pub(crate) static JOBS_WAITING: ::promdef::Dense<
    JobsWaitingLabels,
    ::promdef::Gauge,
    4usize,
> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "jobs_waiting",
        help: "Jobs waiting.",
        kind: ::promdef::Kind::Gauge,
        unit: ::core::option::Option::None,
        labels: <JobsWaitingLabels as ::promdef::__private::DenseLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 7u32,
        },
        multiprocess_mode: "livesum",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::Gauge>::ZERO; 4usize],
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 1usize] = [&JOBS_WAITING.family];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &::promdef::__private::DEFAULT,
        families: &FAMILIES,
    };
};
