//! Rust names derived from metric and label names.

/// `shop_http_requests_total` → `SHOP_HTTP_REQUESTS_TOTAL`.
pub fn screaming_snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

/// Splits into words at non-alphanumerics and at lower→upper case changes.
fn words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// `status_class` → `StatusClass`, `GET` → `Get`.
pub fn camel(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(cs.flat_map(|c| c.to_lowercase()))
                    .collect(),
                None => String::new(),
            }
        })
        .collect()
}

/// Deterministic enum variant name for a label value:
/// `GET` → `Get`, `2xx` → `V2xx`, `/` → `Root`, `` → `Empty`, `self` → `Self_`.
pub fn variant_name(value: &str, index: usize) -> String {
    if value.is_empty() {
        return "Empty".into();
    }
    if value == "/" {
        return "Root".into();
    }
    let mut v = camel(value);
    if v.is_empty() || !v.is_ascii() {
        v = format!("Value{index}");
    }
    if v.starts_with(|c: char| c.is_ascii_digit()) {
        v.insert(0, 'V');
    }
    if v == "Self" {
        v.push('_');
    }
    v
}

/// Whether `s` is a valid (non-keyword) Rust identifier.
pub fn is_rust_ident(s: &str) -> bool {
    let mut cs = s.chars();
    let ok = match cs.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {
            cs.all(|c| c == '_' || c.is_ascii_alphanumeric())
        }
        _ => false,
    };
    ok && s != "_" && !is_keyword(s)
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

/// Whether a label name can be a struct field: an identifier, or a keyword
/// written raw (`r#type`); `_`, `self`, `super`, `crate` and `Self` cannot.
pub fn is_field_name(s: &str) -> bool {
    is_label_name(s) && !matches!(s, "_" | "self" | "super" | "crate" | "Self")
}

/// Whether `s` matches `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn is_metric_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c == '_' || c == ':' || c.is_ascii_alphabetic())
        && cs.all(|c| c == '_' || c == ':' || c.is_ascii_alphanumeric())
}

/// Whether `s` matches `[a-zA-Z_][a-zA-Z0-9_]*`.
pub fn is_label_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && cs.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            screaming_snake("http_requests_total"),
            "HTTP_REQUESTS_TOTAL"
        );
        assert_eq!(screaming_snake("a:b"), "A_B");
        assert_eq!(camel("status_class"), "StatusClass");
        assert_eq!(camel("fooBar"), "FooBar");
        assert_eq!(variant_name("GET", 0), "Get");
        assert_eq!(variant_name("2xx", 0), "V2xx");
        assert_eq!(variant_name("/", 0), "Root");
        assert_eq!(variant_name("", 0), "Empty");
        assert_eq!(variant_name("self", 0), "Self_");
        assert_eq!(variant_name("//", 3), "Value3");
        assert_eq!(variant_name("/api/v1", 0), "ApiV1");
        assert!(is_rust_ident("FOO_1"));
        assert!(!is_rust_ident("1FOO"));
        assert!(!is_rust_ident("type"));
        assert!(is_metric_name("a:b_c1"));
        assert!(!is_metric_name("1a"));
        assert!(!is_label_name("a:b"));
    }
}
