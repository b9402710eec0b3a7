//! The generated items, from the plan: one enum per closed set, one static
//! (plus a labels struct) per metric, one registration per declaration.

use super::Origin;
use crate::{
    Checked, EnumPlan, Loc, MaxValues, MetricPlan, MetricType, Plan, RegistryPlan, Storage,
};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::HashMap;

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Label names are valid Rust identifiers except keywords (`type`): those
/// become raw identifiers (`r#type`).
fn field_ident(name: &str) -> Ident {
    if crate::naming::is_rust_ident(name) {
        ident(name)
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}

/// Every item of a checked declaration.
pub fn items(checked: &Checked, origin: &Origin) -> TokenStream {
    let plan = &checked.plan;
    let mut out = TokenStream::new();
    for e in &plan.enums {
        out.extend(enum_code(e));
    }
    for e in plan.metrics.iter().filter_map(|m| m.state_enum.as_ref()) {
        out.extend(enum_code(e));
        let ty = ident(&e.type_name);
        out.extend(quote! {
            impl ::promdef::value::StateEnum for #ty {
                const NAMES: &'static [&'static str] = #ty::VALUES;
                #[inline]
                fn index(self) -> usize {
                    self as usize
                }
                #[inline]
                fn from_index(i: usize) -> Self {
                    #ty::ALL[i]
                }
            }
        });
    }
    let registry = match &plan.registry {
        None => return out,
        Some(RegistryPlan::Default) => quote!(&::promdef::__private::DEFAULT),
        Some(RegistryPlan::Path(p)) => {
            let path: syn::Path = syn::parse_str(p).expect("the checks validated the path");
            quote!(&#path)
        }
    };
    let mut families: Vec<TokenStream> = Vec::new();
    let mut shapes = HashMap::new();
    for m in &plan.metrics {
        let (code, family) = metric_code(checked, m, origin, &mut shapes);
        out.extend(code);
        families.push(family);
    }
    let n = families.len();
    if n > 0 {
        // One registration per declaration: linkme's per-element expansion
        // is a large part of compile time for big schemas.
        out.extend(quote! {
            #[allow(deprecated)]
            const _: () = {
                static FAMILIES: [&'static dyn ::promdef::Family; #n] = [ #( #families ),* ];
                #[::promdef::__private::linkme::distributed_slice(::promdef::__private::METRICS)]
                #[linkme(crate = ::promdef::__private::linkme)]
                static REGISTRATION: ::promdef::__private::Registration = ::promdef::__private::Registration {
                    registry: #registry,
                    families: &FAMILIES,
                };
            };
        });
    }
    out
}

fn enum_code(e: &EnumPlan) -> TokenStream {
    let ty = ident(&e.type_name);
    let label = &e.label;
    let variants: Vec<Ident> = e.variants.iter().map(|(v, _)| ident(v)).collect();
    let values: Vec<&String> = e.variants.iter().map(|(_, v)| v).collect();
    let idx = 0..e.variants.len() as u16;
    let n = e.variants.len();
    let help = e.help.as_deref().unwrap_or_default();
    let doc = format!(
        "Values of the `{label}` label.{}{help}",
        if help.is_empty() { "" } else { " " }
    );
    let vdocs = values.iter().map(|v| format!("`{v}`"));
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum #ty {
            #( #[doc = #vdocs] #variants = #idx, )*
        }

        impl #ty {
            /// Every value, in declaration order.
            pub const ALL: [#ty; #n] = [ #( #ty::#variants ),* ];
            /// The exposed text of every value, in declaration order.
            pub const VALUES: &'static [&'static str] = &[ #( #values ),* ];
            /// The label's name.
            pub const LABEL: &'static str = #label;

            /// The value as exposed.
            pub const fn as_str(self) -> &'static str {
                Self::VALUES[self as usize]
            }
        }

        impl ::core::str::FromStr for #ty {
            type Err = ::promdef::UnknownLabelValue;
            fn from_str(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
                match s {
                    #( #values => ::core::result::Result::Ok(#ty::#variants), )*
                    _ => ::core::result::Result::Err(::promdef::UnknownLabelValue {
                        label: #label,
                        value: ::std::string::ToString::to_string(s),
                        allowed: Self::VALUES,
                    }),
                }
            }
        }

        impl ::core::convert::TryFrom<&str> for #ty {
            type Error = ::promdef::UnknownLabelValue;
            fn try_from(s: &str) -> ::core::result::Result<Self, ::promdef::UnknownLabelValue> {
                ::core::str::FromStr::from_str(s)
            }
        }

        impl ::core::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// The static's rustdoc: help, note, then a table of what it exposes.
fn static_doc(checked: &Checked, m: &MetricPlan) -> String {
    let md = m.metric(&checked.schema);
    let mut d = String::new();
    let help = md.help.as_ref().map(|h| h.value.as_str()).unwrap_or("");
    d.push_str(if help.is_empty() {
        "(no help text)"
    } else {
        help
    });
    if let Some(note) = &md.note {
        d.push_str("\n\n");
        d.push_str(&note.value);
    }
    d.push_str(&format!(
        "\n\n| | |\n|---|---|\n| Metric | `{}` |\n| Type | {} |\n",
        m.name,
        m.kind.as_str()
    ));
    if let Some(u) = &m.unit {
        d.push_str(&format!("| Unit | {u} |\n"));
    }
    if m.labels.is_empty() {
        d.push_str("| Labels | none |\n");
    }
    for l in &m.labels {
        let what = match (l.closed, &l.max_values) {
            (Some(e), _) => {
                let e = &checked.plan.enums[e];
                format!(
                    "[`{}`]: {}",
                    e.type_name,
                    e.variants
                        .iter()
                        .map(|(_, v)| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            (None, Some(MaxValues::Count(n))) => format!(
                "`&str`, at most {n} values (more go to `{}`)",
                crate::OVERFLOW_VALUE
            ),
            (None, Some(MaxValues::Unlimited)) => "`&str`, unlimited".to_string(),
            (None, None) => "`&str`, no declared bound".to_string(),
        };
        let field = if crate::naming::is_rust_ident(&l.name) {
            format!("`{}`", l.name)
        } else {
            format!("`{}` (field `r#{}`)", l.name, l.name)
        };
        d.push_str(&format!("| Label {field} | {what} |\n"));
    }
    for (k, v) in &m.const_labels {
        d.push_str(&format!("| Const label `{k}` | `{v}` |\n"));
    }
    if let Some(q) = &m.quantiles {
        let list: Vec<String> = q.quantiles.iter().map(|v| v.to_string()).collect();
        d.push_str(&format!(
            "| Quantiles | {} over the last {} s (±{} relative) |\n",
            list.join(", "),
            q.max_age_seconds,
            q.accuracy
        ));
    }
    for (k, var) in &m.const_labels_env {
        d.push_str(&format!("| Const label `{k}` | `{var}` at build time |\n"));
    }
    if let Some(cap) = m.series_cap {
        d.push_str(&format!(
            "| Series cap | {cap}; then open labels are `{}` |\n",
            crate::OVERFLOW_VALUE
        ));
    }
    if m.kind == MetricType::Histogram && (!m.buckets.is_empty() || m.native.is_none()) {
        let b: Vec<String> = m.buckets.iter().map(|b| b.to_string()).collect();
        d.push_str(&format!("| Buckets | {} |\n", b.join(", ")));
    }
    if let Some(n) = &m.native {
        d.push_str(&format!("| Native buckets | {} |\n", n.describe()));
    }
    d.push_str(&format!("| Stability | {} |\n", md.stability().as_str()));
    d
}

fn kind_ident(k: MetricType) -> Ident {
    ident(match k {
        MetricType::Counter => "Counter",
        MetricType::Gauge => "Gauge",
        MetricType::Histogram => "Histogram",
        MetricType::Summary => "Summary",
        MetricType::Info => "Info",
        MetricType::StateSet => "StateSet",
    })
}

/// The rustc deprecation note: since when, and the static to switch to.
/// (`since` goes into the note: schema versions like "1.2" are not semver,
/// and `#[deprecated(since = "1.2")]` fails clippy's `deprecated_semver`.)
fn deprecation_note(m: &MetricPlan) -> Option<String> {
    let d = m.deprecated.as_ref()?;
    let mut note = format!("deprecated since {}", d.since);
    match (&d.renamed_to, &d.replacement_static) {
        (Some(to), Some(st)) => note.push_str(&format!("; use `{st}` (metric `{to}`) instead")),
        (Some(to), None) => note.push_str(&format!("; use `{to}` instead")),
        (None, _) => {}
    }
    if let Some(n) = &d.note {
        note.push_str("; ");
        note.push_str(n);
    }
    Some(note)
}

/// The metric's items, and the expression of its `&dyn Family` for the registration.
/// The implementation that lets `promdef::http::HttpMetrics` fill this
/// labels struct from a request, when every label is one it knows (see
/// `promdef::http`); otherwise nothing, and binding it does not compile.
fn http_labels(plan: &Plan, m: &MetricPlan, st: &Ident, fields: &[Ident]) -> TokenStream {
    let mut values = Vec::new();
    let mut needs_response = false;
    for (l, f) in m.labels.iter().zip(fields) {
        let set = l.closed.map(|e| &plan.enums[e]);
        let pick = |source: TokenStream, fallbacks: &[&str]| -> Option<TokenStream> {
            let e = set?;
            let fallback = e
                .variants
                .iter()
                .find(|(_, v)| fallbacks.iter().any(|f| v.eq_ignore_ascii_case(f)))?;
            let ty = ident(&e.type_name);
            let var = ident(&fallback.0);
            Some(quote!(::promdef::http::pick(&#ty::ALL, #ty::VALUES, #source, #ty::#var)))
        };
        let value = match (l.name.as_str(), set) {
            ("method", None) => quote!(info.method),
            ("method", Some(_)) => match pick(quote!(info.method), &["other"]) {
                Some(v) => v,
                None => return TokenStream::new(),
            },
            ("route", None) => quote!(info.route),
            ("route", Some(_)) => match pick(quote!(info.route), &["unmatched", "other"]) {
                Some(v) => v,
                None => return TokenStream::new(),
            },
            ("status_class", None) => {
                needs_response = true;
                quote!(info.status_class())
            }
            ("status_class", Some(e)) => {
                let classes = ["1xx", "2xx", "3xx", "4xx", "5xx"];
                if !classes
                    .iter()
                    .all(|c| e.variants.iter().any(|(_, v)| v == c))
                {
                    return TokenStream::new();
                }
                needs_response = true;
                match pick(quote!(info.status_class()), &["5xx"]) {
                    Some(v) => v,
                    None => return TokenStream::new(),
                }
            }
            ("status" | "code", None) => {
                needs_response = true;
                quote!(info.status_code)
            }
            _ => return TokenStream::new(),
        };
        values.push(quote!(#f: #value));
    }
    let (ty, imp) = match m.storage {
        Storage::Dense(_) => (
            quote!(#st),
            quote! {
                impl ::promdef::http::DenseHttpLabels for #st {
                    fn from_http(info: &::promdef::http::HttpInfo<'_>) -> Self {
                        #st { #( #values ),* }
                    }
                }
            },
        ),
        _ => (
            quote!(#st<'static>),
            quote! {
                impl ::promdef::http::OpenHttpLabels for #st<'static> {
                    fn from_http<'a>(info: &::promdef::http::HttpInfo<'a>) -> #st<'a> {
                        #st { #( #values ),* }
                    }
                }
            },
        ),
    };
    let request_only =
        (!needs_response).then(|| quote!(impl ::promdef::http::RequestLabels for #ty {}));
    quote!(#imp #request_only)
}

/// A labels struct's shape: storage, field names, types and docs. Metrics of
/// one shape share one struct (the others get a type alias): a struct with
/// its derives and trait impl per metric was most of the compile time of a
/// large schema, where many metrics carry the same labels.
type Shapes = HashMap<String, Ident>;

fn metric_code(
    checked: &Checked,
    m: &MetricPlan,
    origin: &Origin,
    shapes: &mut Shapes,
) -> (TokenStream, TokenStream) {
    let plan: &Plan = &checked.plan;
    let name = &m.name;
    let stat = ident(&m.static_name);
    let help = &m.help;
    let doc = static_doc(checked, m);
    let vis: TokenStream = syn::parse_str::<syn::Visibility>(&m.visibility)
        .map(|v| quote!(#v))
        .unwrap_or_else(|_| quote!(pub));
    let kind = kind_ident(m.kind);
    let unit = match &m.unit {
        Some(u) => quote!(::core::option::Option::Some(#u)),
        None => quote!(::core::option::Option::None),
    };
    let option = |v: Option<u64>| match v {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    };
    let label_descs: Vec<TokenStream> = m
        .labels
        .iter()
        .map(|l| {
            let n = &l.name;
            let bound = option(l.runtime_bound());
            match l.closed {
                Some(e) => {
                    let ty = ident(&plan.enums[e].type_name);
                    quote!(::promdef::__private::LabelDescriptor { name: #n, values: ::core::option::Option::Some(#ty::VALUES), max_values: #bound })
                }
                None => quote!(::promdef::__private::LabelDescriptor { name: #n, values: ::core::option::Option::None, max_values: #bound }),
            }
        })
        .collect();
    let max_series = option(m.series_cap);
    // Empty slices are named constants: a slice literal in each static is a
    // large part of a big schema's compile time (measured with
    // `benches/compile_cost.py`).
    let const_labels = if m.const_labels.is_empty() && m.const_labels_env.is_empty() {
        quote!(::promdef::__private::NO_CONST_LABELS)
    } else {
        let pairs = m.const_labels.iter().map(|(k, v)| quote!((#k, #v)));
        // Read when the user's crate compiles: `CARGO_PKG_VERSION` is its own.
        let env = m
            .const_labels_env
            .iter()
            .map(|(k, var)| quote!((#k, ::core::env!(#var))));
        quote!(&[ #( #pairs, )* #( #env ),* ])
    };
    // A labelled metric points at its labels struct's constant, shared by
    // every metric of that struct.
    let labels = match m.labels_struct.as_deref() {
        Some(st) if !m.labels.is_empty() => {
            let st = ident(st);
            match m.storage {
                Storage::Dense(_) => quote!(<#st as ::promdef::__private::DenseLabels>::LABELS),
                _ => quote!(<#st<'static> as ::promdef::__private::OpenLabels>::LABELS),
            }
        }
        _ => quote!(::promdef::__private::NO_LABELS),
    };
    let (file, line) = match (origin, m.loc) {
        (Origin::Yaml { path }, Loc::Yaml { line, .. }) => (quote!(#path), line as u32),
        (Origin::Yaml { path }, _) => (quote!(#path), 0),
        (Origin::Inline, Loc::Token(s)) => (quote!(::core::file!()), s.start().line as u32),
        (Origin::Inline, _) => (quote!(::core::file!()), 0),
    };
    let mp_mode = &m.multiprocess_mode;
    let desc = quote! {
        ::promdef::Descriptor {
            name: #name,
            help: #help,
            kind: ::promdef::Kind::#kind,
            unit: #unit,
            labels: #labels,
            const_labels: #const_labels,
            site: ::promdef::Site { krate: ::core::env!("CARGO_PKG_NAME"), file: #file, line: #line },
            multiprocess_mode: #mp_mode,
            max_series: #max_series,
        }
    };
    let deprecated = deprecation_note(m).map(|note| quote!(#[deprecated(note = #note)]));

    let buckets = &m.buckets;
    let nb = buckets.len();
    let cell = match m.kind {
        MetricType::Counter if m.float => quote!(::promdef::FloatCounter),
        MetricType::Counter if m.sharded => quote!(::promdef::ShardedCounter),
        MetricType::Counter => quote!(::promdef::Counter),
        MetricType::Gauge => quote!(::promdef::Gauge),
        MetricType::Histogram => quote!(::promdef::Histogram<#nb>),
        MetricType::Summary => quote!(::promdef::Summary),
        MetricType::Info => quote!(::promdef::value::InfoValue),
        MetricType::StateSet => {
            let ty = ident(
                &m.state_enum
                    .as_ref()
                    .expect("statesets have states")
                    .type_name,
            );
            quote!(::promdef::State<#ty>)
        }
    };
    let native = m.native.map(|n| {
        let (schema, max, zero) = (n.schema, n.max_buckets, n.zero_threshold);
        quote!(&::promdef::native::Native { schema: #schema, max_buckets: #max, zero_threshold: #zero })
    });
    let quantiles = m.quantiles.as_ref().map(|q| {
        let (qs, age, n, acc) = (&q.quantiles, q.max_age_seconds, q.age_buckets, q.accuracy);
        quote!(&::promdef::quantile::Quantiles {
            quantiles: &[ #( #qs ),* ],
            max_age_seconds: #age,
            age_buckets: #n,
            accuracy: #acc,
        })
    });
    let new_cell = match (m.kind, &native) {
        (MetricType::Summary, _) if quantiles.is_some() => {
            quote!(::promdef::Summary::with_quantiles(#quantiles))
        }
        (MetricType::Histogram, Some(n)) => {
            quote!(::promdef::Histogram::with_native(&[ #( #buckets ),* ], #n))
        }
        (MetricType::Histogram, None) => quote!(::promdef::Histogram::new(&[ #( #buckets ),* ])),
        (MetricType::Info, _) => quote!(::promdef::value::InfoValue),
        _ => quote!(<#cell>::new()),
    };

    // `[C::ZERO; N]` where the cell has one: an inline `const` block per
    // static costs compile time (histograms need their bounds, so keep one).
    let zero = match m.kind {
        MetricType::Histogram | MetricType::Info => quote!(const { #new_cell }),
        MetricType::Summary if quantiles.is_some() => quote!(const { #new_cell }),
        _ => quote!(<#cell>::ZERO),
    };
    let map_buckets = if buckets.is_empty() {
        quote!(::promdef::__private::NO_BUCKETS)
    } else {
        quote!(&[ #( #buckets ),* ])
    };
    let enum_ty = |l: &crate::LabelPlan| l.closed.map(|e| ident(&plan.enums[e].type_name));
    let (ty, init, labels_item) = match m.storage {
        Storage::Info => (
            quote!(::promdef::Info),
            quote!(::promdef::Info::new(#desc)),
            quote!(),
        ),
        Storage::Single => (
            quote!(::promdef::Dense<::promdef::NoLabels, #cell, 1>),
            quote!(::promdef::Dense::new(#desc, [#new_cell])),
            quote!(),
        ),
        storage => {
            let st = ident(
                m.labels_struct
                    .as_deref()
                    .expect("labelled metrics have a struct"),
            );
            let fields: Vec<Ident> = m.labels.iter().map(|l| field_ident(&l.name)).collect();
            let field_tys: Vec<TokenStream> = m
                .labels
                .iter()
                .map(|l| match enum_ty(l) {
                    Some(t) => quote!(#t),
                    None => quote!(&'a str),
                })
                .collect();
            let field_docs: Vec<String> = m
                .labels
                .iter()
                .map(|l| match &l.help {
                    Some(h) => format!("`{}`: {h}", l.name),
                    None => format!("`{}`", l.name),
                })
                .collect();
            let sdoc = format!("Label values of [`{}`] (`{name}`).", m.static_name);
            let http = http_labels(plan, m, &st, &fields);
            let dense = matches!(storage, Storage::Dense(_));
            let shape = format!(
                "{dense} {} {}",
                quote!(#( #[doc = #field_docs] #fields: #field_tys, )*),
                quote!(#( #label_descs ),*)
            );
            let first = shapes.entry(shape).or_insert_with(|| st.clone()).clone();
            let lt = (!dense).then(|| quote!(<'a>));
            let alias = (first != st).then(|| {
                let adoc = format!(
                    "{sdoc} The same struct as [`{first}`]: metrics with the same labels share one."
                );
                quote! {
                    #[doc = #adoc]
                    pub type #st #lt = #first #lt;
                }
            });
            if let Storage::Dense(n) = storage {
                let sizes = m
                    .labels
                    .iter()
                    .map(|l| l.values.as_ref().map_or(1, Vec::len));
                (
                    quote!(::promdef::Dense<#st, #cell, #n>),
                    quote!(::promdef::Dense::new(#desc, [#zero; #n])),
                    alias.unwrap_or_else(|| quote! {
                        #[doc = #sdoc]
                        #[derive(Clone, Copy, Debug)]
                        pub struct #st {
                            #( #[doc = #field_docs] pub #fields: #field_tys, )*
                        }
                        // SAFETY: each field is below its set's size, so the
                        // mixed-radix index is below the product `N`.
                        unsafe impl ::promdef::__private::DenseLabels for #st {
                            const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[ #( #label_descs ),* ];
                            #[inline(always)]
                            fn index(&self) -> usize {
                                let mut i = 0usize;
                                #( i = i * #sizes + self.#fields as usize; )*
                                i
                            }
                        }
                        #http
                    }),
                )
            } else {
                let last = fields.len() - 1;
                let writes = m.labels.iter().zip(&fields).enumerate().map(|(i, (l, f))| {
                    match l.closed {
                        Some(_) => quote!(sink.closed(labels.#f as u16);),
                        // The last label's length is implied by the key's.
                        None if i == last => quote!(sink.last_open(labels.#f);),
                        None => quote!(sink.open(labels.#f);),
                    }
                });
                (
                    quote!(::promdef::Map<#st<'static>, #cell>),
                    match (&native, &quantiles) {
                        (Some(n), _) => quote!(::promdef::Map::native(#desc, #map_buckets, ::core::option::Option::Some(#n))),
                        (None, Some(q)) => quote!(::promdef::Map::with_quantiles(#desc, #q)),
                        (None, None) => quote!(::promdef::Map::new(#desc, #map_buckets)),
                    },
                    alias.unwrap_or_else(|| quote! {
                        #[doc = #sdoc]
                        #[derive(Clone, Copy, Debug)]
                        pub struct #st<'a> {
                            #( #[doc = #field_docs] pub #fields: #field_tys, )*
                        }
                        impl ::promdef::__private::OpenLabels for #st<'static> {
                            const LABELS: &'static [::promdef::__private::LabelDescriptor] = &[ #( #label_descs ),* ];
                            type Borrowed<'a> = #st<'a>;
                            #[inline]
                            fn write_key<S: ::promdef::__private::KeySink>(labels: &#st<'_>, sink: &mut S) {
                                #( #writes )*
                            }
                        }
                        #http
                    }),
                )
            }
        }
    };
    let family = if m.storage == Storage::Info {
        quote!(&#stat)
    } else {
        quote!(&#stat.family)
    };
    let code = quote! {
        #labels_item
        #[doc = #doc]
        #deprecated
        #vis static #stat: #ty = #init;
    };
    (code, family)
}
