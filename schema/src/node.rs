//! The generic, spanned value tree that both front ends lower to.
//!
//! YAML and the inline macro are parsed into [`Node`]s first; one builder
//! ([`crate::ast`]) turns nodes into the typed schema, so both front ends share
//! every "unknown key" and "expected a list" message.

use crate::diag::Loc;

/// A value in the schema tree.
#[derive(Clone, Debug)]
pub struct Node {
    /// Where the value starts.
    pub loc: Loc,
    /// The value.
    pub value: Value,
}

/// The kinds of value a schema can hold.
#[derive(Clone, Debug)]
pub enum Value {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, kept as written (`0.005`, `1e3`, `.inf`).
    Num(String),
    /// A string.
    Str(String),
    /// A Rust path written in the inline macro (`crate::REGISTRY`, `GET`).
    Path(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in source order; duplicate keys are kept for the builder to report.
    Map(Vec<(Key, Node)>),
}

/// A mapping key.
#[derive(Clone, Debug)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Where the key is written.
    pub loc: Loc,
}

impl Value {
    /// How the value is described in "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Path(_) => "a path",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The text of a scalar, whatever its kind.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Bool(b) => Some(b.to_string()),
            Value::Num(s) | Value::Str(s) | Value::Path(s) => Some(s.clone()),
            _ => None,
        }
    }
}
