//! The report as Markdown (GitHub-flavoured: tables, escaped values): a [`Sink`] for the
//! one walk over the report ([`super::render`]).

use std::fmt::Write;

use super::Report;
use super::render::{Sink, Span, Table, render};

/// Escapes text for inline Markdown: punctuation that could start emphasis, links, code,
/// HTML or a table cell is backslash-escaped, `&` becomes `&amp;`, and line breaks become
/// `<br>`. A value is always written after some text of ours on the same line, and never
/// contains a line break, so it cannot start a list or a heading.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders the report as Markdown.
pub fn markdown(r: &Report) -> String {
    let mut md = Markdown::default();
    render(r, &mut md);
    md.out
}

/// Writes Markdown into a string. (`write!` to a String cannot fail.)
#[derive(Default)]
struct Markdown {
    out: String,
}

/// Inline Markdown for spans: bold for labels and states, backticks for code (a backtick
/// inside becomes `'`, since code spans cannot escape).
fn inline(spans: &[Span<'_>]) -> String {
    let mut o = String::new();
    for s in spans {
        match s {
            Span::Text(t) | Span::Styled(_, t) => o.push_str(&escape(t)),
            Span::Strong(t) | Span::State(_, t) => {
                let _ = write!(o, "**{}**", escape(t));
            }
            Span::Code(t) => {
                let _ = write!(o, "`{}`", t.replace('`', "'"));
            }
        }
    }
    o
}

/// One table row: `| a | b |`, an empty cell as `| |`.
fn row(cells: impl Iterator<Item = String>) -> String {
    let mut o = String::from("|");
    for c in cells {
        if c.is_empty() {
            o.push_str(" |");
        } else {
            let _ = write!(o, " {c} |");
        }
    }
    o
}

impl Markdown {
    /// A block starts after a blank line (the checklist items before it have none).
    fn block(&mut self) -> &mut String {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
        &mut self.out
    }
}

impl Sink for Markdown {
    fn start(&mut self, title: &str, _page_title: &str, meta: &[Span<'_>]) {
        let _ = write!(self.out, "# {}\n\n{}\n\n", escape(title), inline(meta));
    }

    fn banner(&mut self, _id: &str, _ok: bool, spans: &[Span<'_>]) {
        let _ = write!(self.block(), "> **{}**\n\n", inline(spans));
    }

    fn section(&mut self, _id: &str, title: &str) {
        let _ = write!(self.block(), "## {}\n\n", escape(title));
    }

    fn end_section(&mut self) {}

    fn heading(&mut self, _id: &str, text: &str) {
        let _ = write!(self.block(), "### {}\n\n", escape(text));
    }

    fn para(&mut self, _class: Option<&'static str>, spans: &[Span<'_>]) {
        let _ = write!(self.block(), "{}\n\n", inline(spans));
    }

    fn list(&mut self, _class: Option<&'static str>, items: &[Vec<Span<'_>>]) {
        if items.is_empty() {
            return;
        }
        let o = self.block();
        for it in items {
            let _ = writeln!(o, "- {}", inline(it));
        }
        o.push('\n');
    }

    fn item(
        &mut self,
        id: &str,
        number: &str,
        title: &str,
        head: &[Span<'_>],
        details: &[Vec<Span<'_>>],
    ) {
        let _ = writeln!(
            self.out,
            "- **[{number}] {}** (`{}`): {}",
            escape(title),
            id.replace('`', "'"),
            inline(head)
        );
        for d in details {
            let _ = writeln!(self.out, "  - {}", inline(d));
        }
    }

    fn table(&mut self, t: &Table<'_>) {
        let o = self.block();
        let _ = writeln!(o, "{}", row(t.head.iter().map(|h| escape(h))));
        let _ = writeln!(o, "|{}", "---|".repeat(t.head.len()));
        for r in t.rows.iter().chain(&t.foot) {
            let _ = writeln!(o, "{}", row(r.iter().map(|c| inline(&c.spans))));
        }
        o.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::{Align, Cell};

    const EVIL: &str = "a|b *c* _d_ [e](f) `g` <h>\n# i ~j~ $k & l";

    #[test]
    fn report_markdown_sink_escapes_every_span_and_keeps_one_line_per_value() {
        let spans = vec![
            Span::Text(EVIL.into()),
            Span::Strong(EVIL.into()),
            Span::State("done", EVIL.into()),
            Span::Styled("note", EVIL.into()),
        ];
        let mut md = Markdown::default();
        md.para(None, &spans);
        md.table(&Table {
            class: None,
            head: vec![EVIL.into()],
            rows: vec![vec![Cell {
                align: Align::Num,
                spans: spans.clone(),
            }]],
            foot: None,
        });
        let escaped =
            "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` \\<h\\><br># i \\~j\\~ \\$k &amp; l";
        assert_eq!(md.out.matches(escaped).count(), 9, "{}", md.out);
        // No value starts a line of its own (a heading, a list) or splits a table cell.
        for line in md.out.lines().filter(|l| !l.is_empty()) {
            assert!(!line.starts_with('#'), "{line}");
            if line.starts_with('|') && !line.starts_with("|---") {
                assert_eq!(line.matches(" |").count(), 1, "one cell: {line}");
            }
        }
    }

    #[test]
    fn report_markdown_code_spans_cannot_be_closed_by_a_value() {
        let mut md = Markdown::default();
        md.para(None, &[Span::Code("x` **y** `z".into())]);
        assert_eq!(md.out, "`x' **y** 'z`\n\n");
    }
}
