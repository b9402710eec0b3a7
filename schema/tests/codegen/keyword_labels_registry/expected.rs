///Values of the `type` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum JobKind {
    ///`batch`
    Batch = 0u16,
    ///`stream`
    Stream = 1u16,
}
impl JobKind {
    /// Every value, in declaration order.
    pub const ALL: [JobKind; 2usize] = [JobKind::Batch, JobKind::Stream];
    /// The exposed text of every value, in declaration order.
    pub const VALUES: &'static [&'static str] = &["batch", "stream"];
    /// The label's name.
    pub const LABEL: &'static str = "type";
    /// The value as exposed.
    pub const fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}
impl ::core::str::FromStr for JobKind {
    type Err = ::promdef::UnknownLabelValue;
    fn from_str(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        match s {
            "batch" => ::core::result::Result::Ok(JobKind::Batch),
            "stream" => ::core::result::Result::Ok(JobKind::Stream),
            _ => {
                ::core::result::Result::Err(::promdef::UnknownLabelValue {
                    label: "type",
                    value: ::std::string::ToString::to_string(s),
                    allowed: Self::VALUES,
                })
            }
        }
    }
}
impl ::core::convert::TryFrom<&str> for JobKind {
    type Error = ::promdef::UnknownLabelValue;
    fn try_from(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        ::core::str::FromStr::from_str(s)
    }
}
impl ::core::fmt::Display for JobKind {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
///Values of the `method` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum LoginMethod {
    ///`password`
    Password = 0u16,
    ///`sso`
    Sso = 1u16,
}
impl LoginMethod {
    /// Every value, in declaration order.
    pub const ALL: [LoginMethod; 2usize] = [LoginMethod::Password, LoginMethod::Sso];
    /// The exposed text of every value, in declaration order.
    pub const VALUES: &'static [&'static str] = &["password", "sso"];
    /// The label's name.
    pub const LABEL: &'static str = "method";
    /// The value as exposed.
    pub const fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}
impl ::core::str::FromStr for LoginMethod {
    type Err = ::promdef::UnknownLabelValue;
    fn from_str(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        match s {
            "password" => ::core::result::Result::Ok(LoginMethod::Password),
            "sso" => ::core::result::Result::Ok(LoginMethod::Sso),
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
impl ::core::convert::TryFrom<&str> for LoginMethod {
    type Error = ::promdef::UnknownLabelValue;
    fn try_from(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
        ::core::str::FromStr::from_str(s)
    }
}
impl ::core::fmt::Display for LoginMethod {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.write_str(self.as_str())
    }
}
///Label values of [`RUNS_TOTAL`] (`runs_total`).
#[derive(Clone, Copy, Debug)]
pub struct RunsTotalLabels {
    ///`type`
    pub r#type: JobKind,
    ///`method`
    pub method: LoginMethod,
}
unsafe impl ::promdef::__private::DenseLabels for RunsTotalLabels {
    const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[
        ::promdef::__private::LabelDescriptor {
            name: "type",
            values: ::core::option::Option::Some(JobKind::VALUES),
            max_values: ::core::option::Option::None,
        },
        ::promdef::__private::LabelDescriptor {
            name: "method",
            values: ::core::option::Option::Some(LoginMethod::VALUES),
            max_values: ::core::option::Option::None,
        },
    ];
    #[inline(always)]
    fn index(&self) -> usize {
        let mut i = 0usize;
        i = i * 2usize + self.r#type as usize;
        i = i * 2usize + self.method as usize;
        i
    }
}
/**Runs.

| | |
|---|---|
| Metric | `runs_total` |
| Type | counter |
| Label `type` (field `r#type`) | [`JobKind`]: `batch`, `stream` |
| Label `method` | [`LoginMethod`]: `password`, `sso` |
| Stability | alpha |
*/
pub static RUNS_TOTAL: ::promdef::Dense<RunsTotalLabels, ::promdef::Counter, 4usize> = ::promdef::Dense::new(
    ::promdef::Descriptor {
        name: "runs_total",
        help: "Runs.",
        kind: ::promdef::Kind::Counter,
        unit: ::core::option::Option::None,
        labels: <RunsTotalLabels as ::promdef::__private::DenseLabels>::LABELS,
        const_labels: ::promdef::__private::NO_CONST_LABELS,
        site: ::promdef::Site {
            krate: ::core::env!("CARGO_PKG_NAME"),
            file: "input.yaml",
            line: 8u32,
        },
        multiprocess_mode: "all",
        max_series: ::core::option::Option::None,
    },
    [<::promdef::Counter>::ZERO; 4usize],
);
#[allow(deprecated)]
const _: () = {
    static FAMILIES: [&'static dyn ::promdef::Family; 1usize] = [&RUNS_TOTAL.family];
    #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
    #[linkme(crate = ::promdef::__private::linkme)]
    static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
        registry: &crate::BATCH,
        families: &FAMILIES,
    };
};
