//! Inline front end: the token grammar of `metrics! { … }` → [`Node`] tree.
//!
//! ```text
//! metrics! {
//!     namespace = "shop";                 // any top-level schema key: `key = value;`
//!     /// HTTP request method.            // doc comment = help
//!     label method { values: [GET, POST, other] }
//!     label route { max_values: 200 }
//!     /// Total HTTP requests handled.
//!     pub counter shop_http_requests_total(method, route);
//!     pub histogram shop_latency_seconds(method) { unit: seconds, buckets: [0.1, 1] }
//! }
//! ```
//! Inside `{ … }` every key of the YAML format is accepted with the same meaning.

use crate::diag::{Diagnostic, Loc};
use crate::node::{Key, Node, Value};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{braced, bracketed, parenthesized, Attribute, Ident, LitStr, Token};

/// What a `metrics!` invocation asks for.
pub enum Invocation {
    /// `metrics!(file = "path.yaml")`.
    File {
        /// The path as written.
        path: String,
        /// The span of the path literal, where file errors point.
        span: Span,
    },
    /// `metrics! { … }`.
    Inline(Node),
}

/// Parses the tokens of one `metrics!` invocation.
pub fn parse(tokens: TokenStream) -> Result<Invocation, Diagnostic> {
    syn::parse2::<Invocation>(tokens)
        .map_err(|e| Diagnostic::error(Loc::Token(e.span()), e.to_string()))
}

fn tok(span: Span) -> Loc {
    Loc::Token(span)
}

fn key(name: &str, span: Span) -> Key {
    Key {
        name: name.to_string(),
        loc: tok(span),
    }
}

fn str_node(s: String, span: Span) -> Node {
    Node {
        loc: tok(span),
        value: Value::Str(s),
    }
}

impl Parse for Invocation {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Ident) && input.peek2(Token![=]) && input.peek3(LitStr) {
            let fork = input.fork();
            let id: Ident = fork.parse()?;
            if id == "file" {
                input.parse::<Ident>()?;
                input.parse::<Token![=]>()?;
                let lit: LitStr = input.parse()?;
                input.parse::<Option<Token![;]>>()?;
                input.parse::<Option<Token![,]>>()?;
                if !input.is_empty() {
                    return Err(input.error(
                        "unexpected tokens after `file = \"…\"`; put every other setting in the YAML file",
                    ));
                }
                return Ok(Invocation::File {
                    path: lit.value(),
                    span: lit.span(),
                });
            }
        }
        let whole = input.span();
        let mut top: Vec<(Key, Node)> = Vec::new();
        let mut labels: Vec<(Key, Node)> = Vec::new();
        let mut labels_span: Option<Span> = None;
        let mut metrics: Vec<Node> = Vec::new();
        while !input.is_empty() {
            let attrs = input.call(Attribute::parse_outer)?;
            let (help, note) = docs(&attrs)?;
            let vis: syn::Visibility = input.parse()?;
            let vis_text = match &vis {
                syn::Visibility::Inherited => None,
                v => Some(quote_vis(v)),
            };
            let kw: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            let kw_s = kw.to_string();
            if input.peek(Token![=]) {
                // `key = value;` header setting
                if !attrs.is_empty() || vis_text.is_some() {
                    return Err(syn::Error::new(
                        kw.span(),
                        "settings take no attributes or visibility",
                    ));
                }
                input.parse::<Token![=]>()?;
                let v = value(input, 0)?;
                input.parse::<Token![;]>()?;
                top.push((key(&kw_s, kw.span()), v));
                continue;
            }
            if kw_s == "label" {
                if vis_text.is_some() {
                    return Err(syn::Error::new(
                        kw.span(),
                        "labels take no visibility; the generated enum is `pub`",
                    ));
                }
                let name: Ident = input.call(syn::ext::IdentExt::parse_any)?;
                labels_span.get_or_insert(kw.span());
                let mut entries = Vec::new();
                if let Some(h) = help {
                    entries.push((key("help", h.1), str_node(h.0, h.1)));
                }
                if input.peek(syn::token::Brace) {
                    entries.extend(block(input, 0)?);
                } else {
                    input.parse::<Token![;]>()?;
                }
                labels.push((
                    key(&name.to_string(), name.span()),
                    Node {
                        loc: tok(name.span()),
                        value: Value::Map(entries),
                    },
                ));
                continue;
            }
            const KINDS: [&str; 6] = [
                "counter",
                "gauge",
                "histogram",
                "summary",
                "info",
                "stateset",
            ];
            if !KINDS.contains(&kw_s.as_str()) {
                let hint = match crate::ast::did_you_mean(&kw_s, &["counter", "gauge", "histogram", "summary", "info", "stateset", "label"]) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "expected `counter`, `gauge`, `histogram`, `summary`, `info`, `stateset`, `label` or `key = value;`".to_string(),
                };
                return Err(syn::Error::new(
                    kw.span(),
                    format!("unknown item `{kw_s}`; {hint}"),
                ));
            }
            let (name, name_span) = if input.peek(LitStr) {
                let l: LitStr = input.parse()?;
                (l.value(), l.span())
            } else {
                let i: Ident = input.call(syn::ext::IdentExt::parse_any)?;
                (i.to_string(), i.span())
            };
            let mut entries = vec![
                (key("name", name_span), str_node(name, name_span)),
                (key("type", kw.span()), str_node(kw_s.clone(), kw.span())),
            ];
            if let Some(h) = help {
                entries.push((key("help", h.1), str_node(h.0, h.1)));
            }
            if let Some(n) = note {
                entries.push((key("note", n.1), str_node(n.0, n.1)));
            }
            // Written visibility, or "" (private) as in Rust; YAML defaults to `pub`.
            let v = vis_text.unwrap_or_default();
            entries.push((
                key("visibility", vis_span(&vis)),
                str_node(v, vis_span(&vis)),
            ));
            if input.peek(syn::token::Paren) {
                let content;
                let paren = parenthesized!(content in input);
                let items = Punctuated::<Ident, Token![,]>::parse_terminated_with(
                    &content,
                    syn::ext::IdentExt::parse_any,
                )?;
                let list = items
                    .iter()
                    .map(|i| Node {
                        loc: tok(i.span()),
                        value: Value::Path(i.to_string()),
                    })
                    .collect();
                entries.push((
                    key("labels", paren.span.open()),
                    Node {
                        loc: tok(paren.span.open()),
                        value: Value::Seq(list),
                    },
                ));
            }
            if input.peek(syn::token::Brace) {
                entries.extend(block(input, 0)?);
                input.parse::<Option<Token![;]>>()?;
            } else {
                input.parse::<Token![;]>()?;
            }
            metrics.push(Node {
                loc: tok(name_span),
                value: Value::Map(entries),
            });
        }
        if !labels.is_empty() {
            let s = labels_span.unwrap_or(whole);
            top.push((
                key("labels", s),
                Node {
                    loc: tok(s),
                    value: Value::Map(labels),
                },
            ));
        }
        top.push((
            key("metrics", whole),
            Node {
                loc: tok(whole),
                value: Value::Seq(metrics),
            },
        ));
        Ok(Invocation::Inline(Node {
            loc: tok(whole),
            value: Value::Map(top),
        }))
    }
}

fn quote_vis(v: &syn::Visibility) -> String {
    use quote_free::ToText;
    v.to_text()
}

fn vis_span(v: &syn::Visibility) -> Span {
    match v {
        syn::Visibility::Public(p) => p.span,
        syn::Visibility::Restricted(r) => r.pub_token.span,
        syn::Visibility::Inherited => Span::call_site(),
    }
}

/// Turns tokens back into text without depending on `quote`.
mod quote_free {
    pub trait ToText {
        fn to_text(&self) -> String;
    }
    impl ToText for syn::Visibility {
        fn to_text(&self) -> String {
            match self {
                syn::Visibility::Public(_) => "pub".into(),
                syn::Visibility::Restricted(r) => {
                    let path = r
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect::<Vec<_>>()
                        .join("::");
                    if r.in_token.is_some() {
                        format!("pub(in {path})")
                    } else {
                        format!("pub({path})")
                    }
                }
                syn::Visibility::Inherited => String::new(),
            }
        }
    }
}

type Doc = Option<(String, Span)>;

/// Doc comments: the first paragraph is the help, the rest the note.
fn docs(attrs: &[Attribute]) -> syn::Result<(Doc, Doc)> {
    let mut paragraphs: Vec<Vec<String>> = vec![Vec::new()];
    let mut span: Option<Span> = None;
    for a in attrs {
        if !a.path().is_ident("doc") {
            return Err(syn::Error::new_spanned(
                a,
                "`metrics!` items take only doc comments; put options in the `{ … }` block",
            ));
        }
        let syn::Meta::NameValue(nv) = &a.meta else {
            return Err(syn::Error::new_spanned(a, "expected `/// text`"));
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            return Err(syn::Error::new_spanned(a, "expected `/// text`"));
        };
        span.get_or_insert(s.span());
        let text = s.value();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() {
                if !paragraphs.last().is_some_and(|p| p.is_empty()) {
                    paragraphs.push(Vec::new());
                }
            } else if let Some(last) = paragraphs.last_mut() {
                last.push(line.to_string());
            }
        }
    }
    let Some(span) = span else {
        return Ok((None, None));
    };
    let mut paras = paragraphs
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.join(" "));
    let help = paras.next().map(|h| (h, span));
    let rest: Vec<String> = paras.collect();
    let note = (!rest.is_empty()).then(|| (rest.join("\n\n"), span));
    Ok((help.or(Some((String::new(), span))), note))
}

/// `{ key: value, … }`
fn block(input: ParseStream, depth: usize) -> syn::Result<Vec<(Key, Node)>> {
    let content;
    braced!(content in input);
    let mut out = Vec::new();
    while !content.is_empty() {
        // Keys are names; a string key allows any label name in `const_labels`.
        let (k, span) = if content.peek(LitStr) {
            let l: LitStr = content.parse()?;
            (l.value(), l.span())
        } else if content.peek(Ident::peek_any) {
            let i = content.call(Ident::parse_any)?;
            (i.to_string(), i.span())
        } else {
            return Err(content.error("expected a key: `name: value`"));
        };
        content.parse::<Token![:]>()?;
        let v = value(&content, depth + 1)?;
        out.push((key(&k, span), v));
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(out)
}

/// A value: literal, path, `[…]` list or `{ k: v }` mapping.
fn value(input: ParseStream, depth: usize) -> syn::Result<Node> {
    // Bounded like YAML, so nested lists, mappings or `- - -` cannot exhaust the stack.
    if depth >= crate::yaml::MAX_DEPTH {
        return Err(input.error(format!(
            "values nest deeper than {} levels; a schema never needs that",
            crate::yaml::MAX_DEPTH
        )));
    }
    if input.peek(syn::token::Bracket) {
        let content;
        let b = bracketed!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(value(&content, depth + 1)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return Ok(Node {
            loc: tok(b.span.open()),
            value: Value::Seq(items),
        });
    }
    if input.peek(syn::token::Brace) {
        let span = input.span();
        let entries = block(input, depth)?;
        return Ok(Node {
            loc: tok(span),
            value: Value::Map(entries),
        });
    }
    if input.peek(Token![-]) {
        let minus: Token![-] = input.parse()?;
        let n = value(input, depth + 1)?;
        return match n.value {
            Value::Num(s) => Ok(Node {
                loc: tok(minus.span),
                value: Value::Num(format!("-{s}")),
            }),
            _ => Err(syn::Error::new(minus.span, "expected a number after `-`")),
        };
    }
    if input.peek(syn::Lit) {
        let lit: syn::Lit = input.parse()?;
        let span = lit.span();
        let value = match lit {
            syn::Lit::Str(s) => Value::Str(s.value()),
            // `1xx`, `2xx`: an integer with a suffix is a word, not a number
            syn::Lit::Int(i) if !i.suffix().is_empty() => Value::Str(i.to_string()),
            syn::Lit::Int(i) => Value::Num(i.base10_digits().to_string()),
            syn::Lit::Float(f) => Value::Num(f.base10_digits().to_string()),
            syn::Lit::Bool(b) => Value::Bool(b.value),
            other => {
                return Err(syn::Error::new(
                    other.span(),
                    "expected a string, number or boolean",
                ))
            }
        };
        return Ok(Node {
            loc: tok(span),
            value,
        });
    }
    if input.peek(Ident::peek_any) && !input.peek2(Token![::]) {
        // A bare word; lint ids are kebab-case and may contain keywords (`type-in-name`).
        let span = input.span();
        let mut text = Ident::parse_any(input)?.to_string();
        while input.peek(Token![-]) && input.peek2(Ident::peek_any) {
            input.parse::<Token![-]>()?;
            text = format!("{text}-{}", Ident::parse_any(input)?);
        }
        let v = match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Path(text),
        };
        return Ok(Node {
            loc: tok(span),
            value: v,
        });
    }
    if input.peek(Ident)
        || input.peek(Token![crate])
        || input.peek(Token![::])
        || input.peek(Token![self])
        || input.peek(Token![super])
    {
        let span = input.span();
        let path: syn::Path = input.call(syn::Path::parse_mod_style)?;
        let text = path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect::<Vec<_>>()
            .join("::");
        let text = if path.leading_colon.is_some() {
            format!("::{text}")
        } else {
            text
        };
        return Ok(Node {
            loc: tok(span),
            value: Value::Path(text),
        });
    }
    Err(input.error("expected a value: a string, number, name, `[…]` list or `{ … }` mapping"))
}
