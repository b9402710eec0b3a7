//! Code generation from the resolved model.
//!
//! Generation is total: whatever failed validation is skipped (its error is
//! already emitted), everything else is still generated, so one mistake gives
//! one error rather than a cascade of "cannot find value".

use proc_macro2::{Ident, Span, TokenStream};
use promdef_schema::naming::is_rust_ident;
use promdef_schema::resolve::{exposed_help, resolve, ResolvedEnum, ResolvedMetric};
use promdef_schema::{Loc, MetricType, Schema};
use quote::quote;
use std::collections::HashSet;

/// Where the declaration came from, for the registry's declaration sites.
pub enum Origin {
    Inline,
    Yaml { path: String },
}

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

pub fn expand(schema: &Schema, origin: &Origin) -> TokenStream {
    let r = resolve(schema);
    let mut out = TokenStream::new();
    let mut types: HashSet<String> = HashSet::new();
    let mut good_enums: HashSet<usize> = HashSet::new();
    for (i, e) in r.enums.iter().enumerate() {
        let variants: HashSet<&String> = e.variants.iter().map(|(v, _)| v).collect();
        let ok = is_rust_ident(&e.type_name)
            && variants.len() == e.variants.len()
            && !e.variants.is_empty()
            && e.variants.iter().all(|(v, _)| is_rust_ident(v))
            && e.variants.len() <= u16::MAX as usize
            && types.insert(e.type_name.clone());
        if ok {
            out.extend(enum_code(e));
            good_enums.insert(i);
        }
    }
    let enum_of = |def: &promdef_schema::LabelDef| {
        r.enums
            .iter()
            .position(|e| std::ptr::eq(e.def, def))
            .filter(|i| good_enums.contains(i))
    };
    let registry = match &schema.registry {
        Some(p) => match syn::parse_str::<syn::Path>(&p.value) {
            Ok(path) => quote!(&#path),
            Err(_) => return out,
        },
        None => quote!(&::promdef::__private::DEFAULT),
    };
    let mut statics: HashSet<String> = HashSet::new();
    let mut names: HashSet<&str> = HashSet::new();
    let mut families: Vec<TokenStream> = Vec::new();
    for m in &r.metrics {
        let name_ok = promdef_schema::naming::is_metric_name(&m.metric.name.value);
        let labels_ok = m.labels.len() == m.metric.labels.len()
            && m.labels
                .iter()
                .all(|l| !l.def.is_closed() || enum_of(l.def).is_some())
            && m.labels
                .iter()
                .all(|l| promdef_schema::naming::is_field_name(l.name()))
            && (m.labels.is_empty() || is_rust_ident(&m.labels_struct))
            // Bounds become float literals, which must be finite.
            && m.buckets.iter().all(|b| b.is_finite())
            && m.buckets.windows(2).all(|w| w[0] < w[1])
            && (m.metric.kind.value != MetricType::Histogram || !m.buckets.is_empty())
            && !(m.is_dense() && m.dense_cardinality() > promdef_schema::check::MAX_DENSE_SERIES);
        if !name_ok
            || !labels_ok
            || !is_rust_ident(&m.static_name)
            || types.contains(&m.labels_struct)
            || !statics.insert(m.static_name.clone())
            || !names.insert(&m.metric.name.value)
        {
            continue;
        }
        let enums: Vec<Option<&ResolvedEnum<'_>>> = m
            .labels
            .iter()
            .map(|l| enum_of(l.def).map(|i| &r.enums[i]))
            .collect();
        // rustc's deprecation note names the static users should switch to.
        let replacement = m
            .metric
            .deprecated
            .as_ref()
            .and_then(|d| d.renamed_to.as_ref())
            .and_then(|to| r.metrics.iter().find(|x| x.metric.name == *to))
            .map(|x| x.static_name.as_str());
        let (code, family) = metric_code(m, &enums, replacement, origin);
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

fn enum_code(e: &ResolvedEnum<'_>) -> TokenStream {
    let ty = ident(&e.type_name);
    let label = &e.def.name.value;
    let variants: Vec<Ident> = e.variants.iter().map(|(v, _)| ident(v)).collect();
    let values: Vec<&String> = e.variants.iter().map(|(_, v)| v).collect();
    let idx = 0..e.variants.len() as u16;
    let n = e.variants.len();
    let help = e
        .def
        .help
        .as_ref()
        .map(|h| h.value.clone())
        .unwrap_or_default();
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

fn static_doc(m: &ResolvedMetric<'_>, enums: &[Option<&ResolvedEnum<'_>>]) -> String {
    let md = m.metric;
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
        md.name.value,
        md.kind.value.as_str()
    ));
    if let Some(u) = &md.unit {
        d.push_str(&format!("| Unit | {} |\n", u.value));
    }
    if m.labels.is_empty() {
        d.push_str("| Labels | none |\n");
    }
    for (l, e) in m.labels.iter().zip(enums) {
        let what = match (e, &l.def.max_values) {
            (Some(e), _) => format!(
                "[`{}`]: {}",
                e.type_name,
                e.variants
                    .iter()
                    .map(|(_, v)| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (None, Some(n)) => format!("`&str`, at most {} values", n.value),
            (None, None) => "`&str`, unbounded".to_string(),
        };
        d.push_str(&format!("| Label `{}` | {what} |\n", l.name()));
    }
    for (k, v) in &md.const_labels {
        d.push_str(&format!("| Const label `{}` | `{}` |\n", k.value, v.value));
    }
    if md.kind.value == MetricType::Histogram {
        let b: Vec<String> = m.buckets.iter().map(|b| b.to_string()).collect();
        d.push_str(&format!("| Buckets | {} |\n", b.join(", ")));
    }
    d.push_str(&format!("| Stability | {} |\n", md.stability().as_str()));
    d
}

/// The metric's items, and the expression of its `&dyn Family` for the registration.
fn metric_code(
    m: &ResolvedMetric<'_>,
    enums: &[Option<&ResolvedEnum<'_>>],
    replacement: Option<&str>,
    origin: &Origin,
) -> (TokenStream, TokenStream) {
    let md = m.metric;
    let name = &md.name.value;
    let stat = ident(&m.static_name);
    let help = exposed_help(md);
    let doc = static_doc(m, enums);
    let vis: TokenStream = match &md.visibility {
        None => quote!(pub),
        // An invalid visibility is already reported; `pub` keeps the static usable.
        Some(v) => match syn::parse_str::<syn::Visibility>(v) {
            Ok(vis) => quote!(#vis),
            Err(_) => quote!(pub),
        },
    };
    let kind = match md.kind.value {
        MetricType::Counter => quote!(Counter),
        MetricType::Gauge => quote!(Gauge),
        MetricType::Histogram => quote!(Histogram),
        MetricType::Summary => quote!(Summary),
        MetricType::Info => quote!(Info),
    };
    let unit = match &md.unit {
        Some(u) => {
            let u = &u.value;
            quote!(::core::option::Option::Some(#u))
        }
        None => quote!(::core::option::Option::None),
    };
    let label_descs = m.labels.iter().zip(enums).map(|(l, e)| {
        let n = l.name();
        match e {
            Some(e) => {
                let ty = ident(&e.type_name);
                quote!(::promdef::__private::LabelDescriptor { name: #n, values: ::core::option::Option::Some(#ty::VALUES) })
            }
            None => quote!(::promdef::__private::LabelDescriptor { name: #n, values: ::core::option::Option::None }),
        }
    });
    let const_labels = md.const_labels.iter().map(|(k, v)| {
        let (k, v) = (&k.value, &v.value);
        quote!((#k, #v))
    });
    let (file, line) = match (origin, md.name.loc) {
        (Origin::Yaml { path }, Loc::Yaml { line, .. }) => (quote!(#path), line as u32),
        (Origin::Yaml { path }, _) => (quote!(#path), 0),
        (Origin::Inline, Loc::Token(s)) => (quote!(::core::file!()), s.start().line as u32),
        (Origin::Inline, _) => (quote!(::core::file!()), 0),
    };
    let mp_mode = md
        .multiprocess_mode
        .as_ref()
        .map_or("all", |m| m.value.as_str());
    let desc = quote! {
        &::promdef::Descriptor {
            name: #name,
            help: #help,
            kind: ::promdef::Kind::#kind,
            unit: #unit,
            labels: &[ #( #label_descs ),* ],
            const_labels: &[ #( #const_labels ),* ],
            site: ::promdef::Site { krate: ::core::env!("CARGO_PKG_NAME"), file: #file, line: #line },
            multiprocess_mode: #mp_mode,
        }
    };
    let deprecated = md.deprecated.as_ref().map(|d| {
        // `since` goes into the note: schema versions like "1.2" are not semver, and
        // `#[deprecated(since = "1.2")]` fails `cargo clippy` (deprecated_semver).
        // The note names the static users should switch to.
        let mut note = format!("deprecated since {}", d.since.value);
        match (&d.renamed_to, replacement) {
            (Some(to), Some(st)) => {
                note.push_str(&format!("; use `{st}` (metric `{}`) instead", to.value))
            }
            (Some(to), None) => note.push_str(&format!("; use `{}` instead", to.value)),
            (None, _) => {}
        }
        if let Some(n) = &d.note {
            note.push_str("; ");
            note.push_str(&n.value);
        }
        quote!(#[deprecated(note = #note)])
    });

    let buckets = &m.buckets;
    let nb = buckets.len();
    let sharded = md.sharded.as_ref().is_some_and(|s| s.value);
    let cell = match md.kind.value {
        MetricType::Counter if sharded => quote!(::promdef::ShardedCounter),
        MetricType::Counter => quote!(::promdef::Counter),
        MetricType::Gauge => quote!(::promdef::Gauge),
        MetricType::Histogram => quote!(::promdef::Histogram<#nb>),
        MetricType::Summary => quote!(::promdef::Summary),
        MetricType::Info => quote!(::promdef::value::InfoValue),
    };
    let new_cell = match md.kind.value {
        MetricType::Histogram => quote!(::promdef::Histogram::new(&[ #( #buckets ),* ])),
        MetricType::Info => quote!(::promdef::value::InfoValue),
        _ => quote!(#cell::new()),
    };

    let (ty, init, labels_item) = if md.kind.value == MetricType::Info {
        (
            quote!(::promdef::Info),
            quote!(::promdef::Info::new(#desc)),
            quote!(),
        )
    } else if m.labels.is_empty() {
        (
            quote!(::promdef::Dense<::promdef::NoLabels, #cell, 1>),
            quote!(::promdef::Dense::new(#desc, [#new_cell])),
            quote!(),
        )
    } else {
        let st = ident(&m.labels_struct);
        let fields: Vec<Ident> = m.labels.iter().map(|l| field_ident(l.name())).collect();
        let dense = m.is_dense();
        let field_tys: Vec<TokenStream> = enums
            .iter()
            .map(|e| match e {
                Some(e) => {
                    let t = ident(&e.type_name);
                    quote!(#t)
                }
                None => quote!(&'a str),
            })
            .collect();
        let field_docs = m.labels.iter().map(|l| {
            l.def
                .help
                .as_ref()
                .map(|h| format!("`{}`: {}", l.name(), h.value))
                .unwrap_or_else(|| format!("`{}`", l.name()))
        });
        let sdoc = format!("Label values of [`{}`] (`{}`).", m.static_name, name);
        if dense {
            let n = m.dense_cardinality() as usize;
            let sizes = enums.iter().map(|e| e.map_or(1, |e| e.variants.len()));
            (
                quote!(::promdef::Dense<#st, #cell, #n>),
                quote!(::promdef::Dense::new(#desc, [const { #new_cell }; #n])),
                quote! {
                    #[doc = #sdoc]
                    #[derive(Clone, Copy, Debug)]
                    pub struct #st {
                        #( #[doc = #field_docs] pub #fields: #field_tys, )*
                    }
                    // SAFETY: each field is below its set's size, so the
                    // mixed-radix index is below the product `N`.
                    unsafe impl ::promdef::__private::DenseLabels for #st {
                        #[inline(always)]
                        fn index(&self) -> usize {
                            let mut i = 0usize;
                            #( i = i * #sizes + self.#fields as usize; )*
                            i
                        }
                    }
                },
            )
        } else {
            let last = fields.len() - 1;
            let writes = enums
                .iter()
                .zip(&fields)
                .enumerate()
                .map(|(i, (e, f))| match e {
                    Some(_) => quote!(sink.closed(labels.#f as u16);),
                    // The last label's length is implied by the key's.
                    None if i == last => quote!(sink.last_open(labels.#f);),
                    None => quote!(sink.open(labels.#f);),
                });
            (
                quote!(::promdef::Map<#st<'static>, #cell>),
                quote!(::promdef::Map::new(#desc, &[ #( #buckets ),* ])),
                quote! {
                    #[doc = #sdoc]
                    #[derive(Clone, Copy, Debug)]
                    pub struct #st<'a> {
                        #( #[doc = #field_docs] pub #fields: #field_tys, )*
                    }
                    impl ::promdef::__private::OpenLabels for #st<'static> {
                        type Borrowed<'a> = #st<'a>;
                        #[inline]
                        fn write_key<S: ::promdef::__private::KeySink>(labels: &#st<'_>, sink: &mut S) {
                            #( #writes )*
                        }
                    }
                },
            )
        }
    };
    let family = if md.kind.value == MetricType::Info {
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

/// Label names are valid Rust identifiers except keywords (`type`): use a raw identifier.
fn field_ident(name: &str) -> Ident {
    if is_rust_ident(name) {
        ident(name)
    } else {
        Ident::new_raw(name, Span::call_site())
    }
}
