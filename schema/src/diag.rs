//! Locations and diagnostics shared by both front ends.

use crate::lints::Lint;
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

/// Another place a diagnostic refers to, such as the first declaration of a
/// name declared twice.
#[derive(Clone, Debug)]
pub struct Related {
    /// Where.
    pub loc: Loc,
    /// What is there, e.g. "first declared here".
    pub note: String,
}

/// One problem found in a schema.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Where the offending token is.
    pub loc: Loc,
    /// Lowercase, no trailing period, code in backticks; says what to do.
    pub message: String,
    /// For convention lints: the lint, whose id `allow:` takes.
    pub lint: Option<Lint>,
    /// Index of the metric a finding is about (for `allow:` and reports).
    pub metric: Option<usize>,
    /// Index of the label definition a finding is about.
    pub label: Option<usize>,
    /// Other places the finding refers to.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// An error that no `allow` can suppress.
    pub fn error(loc: Loc, message: impl Into<String>) -> Self {
        Diagnostic {
            loc,
            message: message.into(),
            lint: None,
            metric: None,
            label: None,
            related: Vec::new(),
        }
    }

    /// A convention lint.
    pub fn lint(loc: Loc, lint: Lint, message: impl Into<String>) -> Self {
        Diagnostic {
            lint: Some(lint),
            ..Diagnostic::error(loc, message)
        }
    }

    /// Adds a related location.
    pub fn with_related(mut self, loc: Loc, note: impl Into<String>) -> Self {
        self.related.push(Related {
            loc,
            note: note.into(),
        });
        self
    }

    /// Whether this is an error rather than a convention lint.
    pub fn is_error(&self) -> bool {
        self.lint.is_none()
    }

    /// The message as one text, for places without source lines (the inline
    /// macro, `Display`): the message, lint id, related places and how to
    /// accept a lint.
    pub fn full_message(&self) -> String {
        let mut out = self.headline();
        for r in &self.related {
            out.push_str(&format!("\n  = note: {}{}", r.note, at(r.loc)));
        }
        if let Some(note) = self.accept_note() {
            out.push_str(&format!("\n  = help: {note}"));
        }
        out
    }

    /// The message with the lint id, if any.
    fn headline(&self) -> String {
        match self.lint {
            Some(l) => format!("{} [{}]", self.message, l.id()),
            None => self.message.clone(),
        }
    }

    /// How to accept a lint.
    fn accept_note(&self) -> Option<String> {
        self.lint.map(|l| {
            format!(
                "to accept this, add `allow: [{}]` to the metric (or to the schema's top level)",
                l.id()
            )
        })
    }

    /// Renders the diagnostic in rustc's style for the file `text` was read
    /// from, YAML or Rust (`metrics!` tokens parsed from a file carry lines):
    /// the message, `--> path:line:col`, a window of the offending line with
    /// a caret, related places and how to accept a lint.
    ///
    /// ```
    /// let text = "metrics:\n  - {name: a_total, type: countr}\n";
    /// let checked = promdef_schema::Checked::from_yaml(text);
    /// let shown = checked.diagnostics[0].render("m.yaml", text);
    /// assert!(shown.contains(" --> m.yaml:2:27\n"), "{shown}");
    /// ```
    pub fn render(&self, path: &str, text: &str) -> String {
        let src = self
            .loc
            .line_col()
            .and_then(|(line, _)| yaml_lines(text).nth(line.saturating_sub(1)))
            .unwrap_or("");
        self.render_line(path, src)
    }

    /// [`Diagnostic::render`] given the offending line itself, so a caller
    /// rendering many diagnostics splits the file into lines once. A long
    /// line is shown as a window of at most [`WINDOW`] characters around the
    /// column, so a one-line schema cannot multiply its size per finding.
    ///
    /// ```
    /// use promdef_schema::{Diagnostic, Loc};
    /// let d = Diagnostic::error(Loc::Yaml { line: 2, col: 3 }, "bad");
    /// let text = d.render_line("m.yaml", "  oops");
    /// assert!(text.starts_with("bad\n --> m.yaml:2:3\n"));
    /// ```
    pub fn render_line(&self, path: &str, src: &str) -> String {
        let Some((line, col)) = self.loc.line_col() else {
            return self.full_message();
        };
        let pad = " ".repeat(line.to_string().len());
        let (shown, caret_col) = window(src, col);
        let caret_pad: String = shown
            .chars()
            .take(caret_col.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let mut out = format!(
            "{}\n{pad}--> {path}:{line}:{col}\n{pad} |\n{line} | {shown}\n{pad} | {caret_pad}^",
            self.headline()
        );
        for r in &self.related {
            let place = match r.loc.line_col() {
                Some((l, c)) => format!(" at {path}:{l}:{c}"),
                None => String::new(),
            };
            out.push_str(&format!("\n{pad} = note: {}{place}", r.note));
        }
        if let Some(note) = self.accept_note() {
            out.push_str(&format!("\n{pad} = help: {note}"));
        }
        out
    }
}

/// Most characters of a source line shown under a diagnostic.
pub const WINDOW: usize = 120;

/// The part of `src` shown for a caret at 1-based column `col`: the whole
/// line when short, else [`WINDOW`] characters around the column with `…`
/// marking what was cut, and the caret's column within what is shown.
/// Control characters are shown as `\u{…}` escapes: a schema's bytes are
/// never echoed raw to a terminal.
fn window(src: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = src.chars().collect();
    let (start, end) = if chars.len() <= WINDOW {
        (0, chars.len())
    } else {
        let start = col.saturating_sub(1 + WINDOW / 2).min(chars.len() - WINDOW);
        (start, start + WINDOW)
    };
    let mut shown = String::new();
    let mut caret = col.saturating_sub(start);
    if start > 0 {
        shown.push('…');
        caret += 1;
    }
    for (i, c) in chars[start..end].iter().enumerate() {
        if c.is_control() && *c != '\t' {
            let esc = c.escape_unicode().to_string();
            if start + i + 1 < col {
                caret += esc.chars().count() - 1;
            }
            shown.push_str(&esc);
        } else {
            shown.push(*c);
        }
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, caret)
}

fn at(loc: Loc) -> String {
    match loc.line_col() {
        Some((line, col)) => format!(" at line {line}, column {col}"),
        None => String::new(),
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

impl std::error::Error for Diagnostic {}

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

    /// Everything recorded, in the order found.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_windowed_around_the_column() {
        let line = format!("{}X{}", "a".repeat(10_000), "b".repeat(10_000));
        let d = Diagnostic::error(
            Loc::Yaml {
                line: 1,
                col: 10_001,
            },
            "bad",
        );
        let shown = d.render_line("m.yaml", &line);
        let src_line = shown.lines().nth(3).unwrap();
        assert!(src_line.chars().count() < WINDOW + 10, "{src_line}");
        let caret_line = shown.lines().nth(4).unwrap();
        let caret_at = caret_line.chars().position(|c| c == '^').unwrap();
        assert_eq!(src_line.chars().nth(caret_at), Some('X'), "{shown}");
    }

    #[test]
    fn control_characters_are_escaped() {
        let d = Diagnostic::error(Loc::Yaml { line: 1, col: 3 }, "bad");
        let shown = d.render_line("m.yaml", "\u{1b}[X");
        assert!(!shown.contains('\u{1b}'), "{shown:?}");
        let src_line = shown.lines().nth(3).unwrap();
        let caret_at = shown.lines().nth(4).unwrap().find('^').unwrap();
        assert_eq!(&src_line[caret_at..caret_at + 1], "X", "{shown}");
    }
}
