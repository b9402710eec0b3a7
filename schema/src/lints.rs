//! The convention lints: ids, what each enforces, and the guide sentence it
//! cites. A lint that no guide supports is opt-in ([`Lint::default_on`]).
//!
//! The README's lint table is generated from [`Lint::ALL`] (a test fails when
//! it is stale), so ids, descriptions and citations live only here.
//!
//! ```
//! use promdef_schema::Lint;
//! assert_eq!(Lint::parse("camel-case"), Some(Lint::CamelCase));
//! assert!(Lint::CamelCase.citation().url.starts_with("https://"));
//! assert!(!Lint::HelpPeriod.default_on());
//! ```

/// Where a lint's rule comes from.
#[derive(Clone, Copy, Debug)]
pub struct Citation {
    /// The document, as people call it.
    pub source: &'static str,
    /// The page (with section anchor where there is one).
    pub url: &'static str,
    /// The sentence, quoted exactly.
    pub quote: &'static str,
}

macro_rules! lints {
    ($( $variant:ident = $id:literal, on: $on:literal,
        fires: $fires:literal, fix: $fix:literal,
        cite: ($source:literal, $url:literal, $quote:literal); )*) => {
        /// A convention lint: the schema works, but breaks a naming or
        /// instrumentation guideline. `allow: [<id>]` accepts one (on the
        /// metric, or at the schema's top level for every metric).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Lint {
            $(
                #[doc = concat!("`", $id, "`: fires when ", $fires, ". Fix: ", $fix, ".\n\n",
                    "Enforces [", $source, "](", $url, "): “", $quote, "”")]
                $variant,
            )*
        }

        impl Lint {
            /// Every lint, in documentation order.
            pub const ALL: &'static [Lint] = &[ $( Lint::$variant, )* ];

            /// The stable id written in `allow:` and `enable:`.
            pub fn id(self) -> &'static str {
                match self { $( Lint::$variant => $id, )* }
            }

            /// Whether the lint runs without `enable:`.
            pub fn default_on(self) -> bool {
                match self { $( Lint::$variant => $on, )* }
            }

            /// When it fires, in one line (Markdown).
            pub fn fires(self) -> &'static str {
                match self { $( Lint::$variant => $fires, )* }
            }

            /// How to fix it, in one line (Markdown).
            pub fn fix(self) -> &'static str {
                match self { $( Lint::$variant => $fix, )* }
            }

            /// The guide sentence it enforces.
            pub fn citation(self) -> Citation {
                match self { $( Lint::$variant => Citation { source: $source, url: $url, quote: $quote }, )* }
            }
        }
    };
}

lints! {
    HelpMissing = "help-missing", on: true,
        fires: "a metric has no help text, or only whitespace",
        fix: "add `help:` or a `///` doc comment",
        cite: ("Writing client libraries, Metric description and help",
            "https://prometheus.io/docs/instrumenting/writing_clientlibs/#metric-description-and-help",
            "Gauge/Counter/Summary/Histogram MUST require metric descriptions/help to be provided.");
    HelpPeriod = "help-period", on: false,
        fires: "help text does not end with a period (opt-in: `enable: [help-period]`; no Prometheus guide asks for it)",
        fix: "write the help as a sentence ending with `.`",
        cite: ("none (a house style)", "https://prometheus.io/docs/instrumenting/writing_clientlibs/#metric-description-and-help", "none");
    CounterTotalSuffix = "counter-total-suffix", on: true,
        fires: "a counter's name does not end with `_total`",
        fix: "rename it to `<name>_total`",
        cite: ("Writing exporters, Naming", "https://prometheus.io/docs/instrumenting/writing_exporters/#naming",
            "`_total` is a convention for counters, you should use it if you’re using the COUNTER type.");
    TotalSuffixNonCounter = "total-suffix-non-counter", on: true,
        fires: "a non-counter's name ends with `_total`",
        fix: "drop `_total`, or make it a counter",
        cite: ("Writing exporters, Naming", "https://prometheus.io/docs/instrumenting/writing_exporters/#naming",
            "The `_sum`, `_count`, `_bucket` and `_total` suffixes are used by Summaries, Histograms and Counters. Unless you’re producing one of those, avoid these suffixes.");
    ReservedSuffix = "reserved-suffix", on: true,
        fires: "`_bucket` ends a non-histogram's name, or `_count`/`_sum` a name that is neither a histogram nor a summary",
        fix: "rename the metric",
        cite: ("Writing exporters, Naming", "https://prometheus.io/docs/instrumenting/writing_exporters/#naming",
            "The `_sum`, `_count`, `_bucket` and `_total` suffixes are used by Summaries, Histograms and Counters. Unless you’re producing one of those, avoid these suffixes.");
    CreatedSuffix = "created-suffix", on: true,
        fires: "a name ends with `_created`, the suffix of OpenMetrics creation-time samples",
        fix: "rename it (e.g. `<x>_creation_timestamp_seconds`), or accept it where the name is established",
        cite: ("OpenMetrics 1.0, Suffixes", "https://prometheus.io/docs/specs/om/open_metrics_spec/#suffixes",
            "Exposers SHOULD avoid names that could be confused with the suffixes that text format sample metric names use.");
    ReservedLabel = "reserved-label", on: true,
        fires: "a label or const label is `le` on a non-histogram, or `quantile` on a non-summary",
        fix: "rename the label",
        cite: ("Writing exporters, Labels", "https://prometheus.io/docs/instrumenting/writing_exporters/#labels",
            "The label `le` has special meaning for Histograms, and `quantile` for Summaries. Avoid these labels generally.");
    TypeInName = "type-in-name", on: true,
        fires: "`counter`, `gauge`, `histogram` or `summary` is a name part after the first (any case; as promlint)",
        fix: "drop the type word; the type is metadata",
        cite: ("OpenMetrics 1.0, Metric Naming and Namespaces", "https://prometheus.io/docs/specs/om/open_metrics_spec/#metric-naming-and-namespaces",
            "Avoid redundancy in metric names. Avoid substrings like \"metric\", \"timer\", \"stats\", \"counter\", \"total\", \"float64\" and so on");
    ColonInName = "colon-in-name", on: true,
        fires: "the name contains `:`",
        fix: "use `_`",
        cite: ("Prometheus data model, Metric names and labels", "https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels",
            "Colons (':') are reserved for user-defined recording rules. They SHOULD NOT be used by exporters or direct instrumentation.");
    CamelCase = "camel-case", on: true,
        fires: "a lowercase letter is followed by an uppercase one in a metric, label or const label name (as promlint)",
        fix: "use snake_case (the message spells it out)",
        cite: ("Writing exporters, Naming", "https://prometheus.io/docs/instrumenting/writing_exporters/#naming",
            "Prometheus metrics and label names are written in `snake_case`.");
    AbbreviatedUnit = "abbreviated-unit", on: true,
        fires: "`s`, `ms`, `us`, `ns`, `sec`, `b`, `kb`, `mb`, `gb`, `tb`, `pb`, `m`, `h` or `d` is a name part after the first (any case; as promlint)",
        fix: "spell out the base unit",
        cite: ("promlint, as run by `promtool check metrics`", "https://github.com/prometheus/client_golang/blob/254e5468413f19fb75cdad45f5ddc0b8c975188c/prometheus/testutil/promlint/promlint.go",
            "metric names should not contain abbreviated units");
    NonBaseUnit = "non-base-unit", on: true,
        fires: "a name part is a non-base unit (`minutes`…`weeks`, `bits`, `inches`, `feet`, `yards`, `miles`, `pounds`, `ounces`, `calories`, `fahrenheit`, `rankine`, `kelvins`, `percent`) or an SI/IEC prefix on a unit (`milliseconds`, `kilobytes`, `mebibytes`, …)",
        fix: "use the base unit the message names (`seconds`, `bytes`, `meters`, `grams`, `joules`, `celsius`, `kelvin`, `ratio`)",
        cite: ("Prometheus naming best practices, Metric names", "https://prometheus.io/docs/practices/naming/#metric-names",
            "…SHOULD use base units (e.g. seconds, bytes, meters - not milliseconds, megabytes, kilometers).");
    NamespacePrefix = "namespace-prefix", on: true,
        fires: "with `namespace: x`, a name does not start with `x_`",
        fix: "rename it to `x_<name>`",
        cite: ("Prometheus naming best practices, Metric names", "https://prometheus.io/docs/practices/naming/#metric-names",
            "…SHOULD have a (single-word) application prefix relevant to the domain the metric belongs to.");
    LabelInName = "label-in-name", on: true,
        fires: "the name spells out a breakdown by one of its labels: `by_<label>` (`requests_by_method_total` with label `method`)",
        fix: "drop `by_<label>` from the name",
        cite: ("Writing exporters, Naming", "https://prometheus.io/docs/instrumenting/writing_exporters/#naming",
            "Metric names should not include the labels that they’re exported with, e.g. `by_type`, as that won’t make sense if the label is aggregated away.");
    TargetLabel = "target-label", on: true,
        fires: "a label or const label is `job` or `instance`, which Prometheus attaches to every scraped series",
        fix: "rename it to say what it holds",
        cite: ("Jobs and instances", "https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series",
            "When Prometheus scrapes a target, it attaches some labels automatically to the scraped time series which serve to identify the scraped target");
    ConstTargetLabel = "const-target-label", on: true,
        fires: "a const label is `region`, `zone`, `cluster`, `availability_zone`, `az`, `datacenter`, `dc`, `owner`, `customer`, `stage`, `service`, `environment` or `env` (as a variable label, naming a resource the application has, it is fine)",
        fix: "set it in Prometheus' target relabelling instead",
        cite: ("Writing exporters, Labels", "https://prometheus.io/docs/instrumenting/writing_exporters/#labels",
            "You should also try where possible to avoid names that are likely to clash with target labels, such as `region`, `zone`, `cluster`, `availability_zone`, `az`, `datacenter`, `dc`, `owner`, `customer`, `stage`, `service`, `environment` and `env`.");
    GenericLabel = "generic-label", on: true,
        fires: "a label or const label is named `type`",
        fix: "rename it to say which type (`device_type`, `error_kind`, …)",
        cite: ("Writing exporters, Labels", "https://prometheus.io/docs/instrumenting/writing_exporters/#labels",
            "Avoid `type` as a label name, it’s too generic and often meaningless.");
    UnboundedLabel = "unbounded-label", on: true,
        fires: "an open label has no `max_values` (accepted, it is capped at 2,000 series at run time; `max_values: unlimited` declares no cap)",
        fix: "list its `values` or declare `max_values`",
        cite: ("Prometheus naming best practices, Labels", "https://prometheus.io/docs/practices/naming/#labels",
            "Remember that every unique combination of key-value label pairs represents a new time series, which can dramatically increase the amount of data stored.");
    HighCardinalityLabel = "high-cardinality-label", on: true,
        fires: "an open label named like `user_id`, `uuid`, `email`, `ip`, `path`, `url`, `session`, `trace_id`, `request_id`, `token` … has no numeric `max_values` (`unlimited` included)",
        fix: "aggregate it away, or bound it",
        cite: ("Prometheus naming best practices, Labels", "https://prometheus.io/docs/practices/naming/#labels",
            "Do not use labels to store dimensions with high cardinality (many different label values), such as user IDs, email addresses, or other unbounded sets of values.");
    SeriesBudget = "series-budget", on: true,
        fires: "closed-set sizes × open bounds exceed `max_series` (metric, else schema), so tuples within the label bounds would still go to the overflow series",
        fix: "drop a label, or lower a bound",
        cite: ("Prometheus instrumentation, Do not overuse labels", "https://prometheus.io/docs/practices/instrumentation/#do-not-overuse-labels",
            "If you have a metric that has a cardinality over 100 or the potential to grow that large, investigate alternate solutions such as reducing the number of dimensions");
}

impl std::fmt::Display for Lint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Lint {
    /// The lint with this id.
    pub fn parse(id: &str) -> Option<Lint> {
        Lint::ALL.iter().copied().find(|l| l.id() == id)
    }

    /// Every id, in documentation order (for "did you mean" and docs).
    pub fn ids() -> Vec<&'static str> {
        Lint::ALL.iter().map(|l| l.id()).collect()
    }

    /// The README's lint table (Markdown), generated so it cannot drift:
    /// id, when it fires, the fix, and the cited guide sentence.
    pub fn markdown_table() -> String {
        let mut out =
            String::from("| id | fires when | fix | guide it enforces |\n|---|---|---|---|\n");
        for l in Lint::ALL {
            let c = l.citation();
            let cite = if l.default_on() {
                format!("[{}]({}): “{}”", c.source, c.url, c.quote)
            } else {
                "none — so it is opt-in".to_string()
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                l.id(),
                l.fires(),
                l.fix(),
                cite
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_cited() {
        let mut seen = std::collections::HashSet::new();
        for l in Lint::ALL {
            assert!(seen.insert(l.id()), "{} twice", l.id());
            assert!(
                l.id().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                l.id()
            );
            assert_eq!(Lint::parse(l.id()), Some(*l));
            if l.default_on() {
                let c = l.citation();
                assert!(c.url.starts_with("https://"), "{}", l.id());
                assert!(c.quote.len() > 10, "{}", l.id());
            }
        }
    }
}
