//! Locations and diagnostics shared by both front ends.

use std::fmt;

/// Where a piece of the schema came from.
#[derive(Clone, Copy, Debug, Default)]
pub enum Loc {
    /// Synthesised by promdef, or unknown.
    #[default]
    None,
    /// A position in a YAML file: 1-based line, 1-based column.
    Yaml {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        col: usize,
    },
    /// A token of the inline `metrics!` macro.
    Token(proc_macro2::Span),
}

impl Loc {
    /// The 1-based line and column, where known.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match self {
            Loc::Yaml { line, col } => Some((*line, *col)),
            Loc::Token(s) => {
                let start = s.start();
                (start.line > 0).then_some((start.line, start.column + 1))
            }
            Loc::None => None,
        }
    }

    /// The 1-based line, where known.
    pub fn line(&self) -> Option<usize> {
        self.line_col().map(|(l, _)| l)
    }

    /// `" at line L, column C"`, or nothing when the location is unknown.
    pub fn describe(&self) -> String {
        match self.line_col() {
            Some((line, col)) => format!(" at line {line}, column {col}"),
            None => String::new(),
        }
    }
}

/// A value with the location it was written at.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub loc: Loc,
}

impl<T> Spanned<T> {
    /// Pairs a value with its location.
    pub fn new(value: T, loc: Loc) -> Self {
        Spanned { value, loc }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// One problem found in a schema.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Where the offending token is.
    pub loc: Loc,
    /// Lowercase, no trailing period, code in backticks.
    pub message: String,
    /// For convention lints: the stable id that `allow:` takes.
    pub lint: Option<&'static str>,
    /// Index of the metric a lint is about, for `allow:`.
    pub metric: Option<usize>,
}

impl Diagnostic {
    /// An error that no `allow` can suppress.
    pub fn error(loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            loc,
            message: message.into(),
            lint: None,
            metric: None,
        }
    }

    /// A convention lint with a stable id.
    pub fn lint(loc: Loc, lint: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            loc,
            message: message.into(),
            lint: Some(lint),
            metric: None,
        }
    }

    /// The message with the lint id and how to allow it, as users see it.
    pub fn full_message(&self) -> String {
        match self.note() {
            Some(note) => format!("{}\n  = note: {note}", self.headline()),
            None => self.headline(),
        }
    }

    /// The message with the lint id, if any.
    fn headline(&self) -> String {
        match self.lint {
            Some(id) => format!("{} [{id}]", self.message),
            None => self.message.clone(),
        }
    }

    /// How to accept a lint.
    fn note(&self) -> Option<String> {
        self.lint
            .map(|id| format!("to accept this, add `allow: [{id}]` to the metric"))
    }

    /// Renders the diagnostic for a YAML file in rustc's style:
    /// the message, `--> path:line:col` and the offending line with a caret.
    pub fn render_yaml(&self, path: &str, text: &str) -> String {
        self.render(path, text)
    }

    /// Renders the diagnostic in rustc's style for the file `text` was read
    /// from, YAML or Rust (`metrics!` tokens parsed from a file carry lines):
    /// the message, `--> path:line:col`, the offending line with a caret, and
    /// for lints how to accept them.
    ///
    /// ```
    /// let text = "metrics:\n  - {name: a_total, type: countr}\n";
    /// let decl = promdef_schema::Declaration::from_yaml(text);
    /// let shown = decl.diagnostics[0].render("m.yaml", text);
    /// assert!(shown.contains(" --> m.yaml:2:27\n"), "{shown}");
    /// ```
    pub fn render(&self, path: &str, text: &str) -> String {
        let src = self
            .loc
            .line_col()
            .and_then(|(line, _)| yaml_lines(text).nth(line.saturating_sub(1)))
            .unwrap_or("");
        self.render_yaml_line(path, src)
    }

    /// [`Diagnostic::render`] given the offending line itself, so a caller
    /// rendering many diagnostics splits the file into lines once.
    ///
    /// ```
    /// use promdef_schema::{Diagnostic, Loc};
    /// let d = Diagnostic::error(Loc::Yaml { line: 2, col: 3 }, "bad");
    /// let text = d.render_yaml_line("m.yaml", "  oops");
    /// assert!(text.starts_with("bad\n --> m.yaml:2:3\n"));
    /// ```
    pub fn render_yaml_line(&self, path: &str, src: &str) -> String {
        let Some((line, col)) = self.loc.line_col() else {
            return self.full_message();
        };
        let pad = " ".repeat(line.to_string().len());
        let caret_pad: String = src
            .chars()
            .take(col.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let mut out = format!(
            "{}\n{pad}--> {path}:{line}:{col}\n{pad} |\n{line} | {src}\n{pad} | {caret_pad}^",
            self.headline()
        );
        if let Some(note) = self.note() {
            out.push_str(&format!("\n{pad} = note: {note}"));
        }
        out
    }
}

/// The lines of a YAML text as YAML counts them: `\n`, `\r\n` and a lone
/// `\r` each end a line (`str::lines` does not split at a lone `\r`).
///
/// ```
/// let lines: Vec<&str> = promdef_schema::diag::yaml_lines("a\rb\r\nc\n").collect();
/// assert_eq!(lines, ["a", "b", "c"]);
/// ```
pub fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = (!text.is_empty()).then_some(text);
    std::iter::from_fn(move || {
        let t = rest?;
        match t.find(['\n', '\r']) {
            Some(i) => {
                let skip = if t[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&t[i + skip..]).filter(|r| !r.is_empty());
                Some(&t[..i])
            }
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full_message())
    }
}

/// Collects every diagnostic of one pass, so users see them all at once.
#[derive(Default, Debug)]
pub struct Ctxt {
    diags: Vec<Diagnostic>,
}

impl Ctxt {
    /// An empty context.
    pub fn new() -> Self {
        Ctxt::default()
    }

    /// Records an error.
    pub fn error(&mut self, loc: Loc, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(loc, message));
    }

    /// Records any diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.diags.is_empty()
    }

    /// Everything recorded, in the order found.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }
}
