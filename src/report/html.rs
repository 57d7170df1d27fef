//! The report as one self-contained HTML file: inline CSS, no scripts, no external assets
//! (no links to style sheets, fonts or images), every value escaped, print-friendly
//! (A4/Letter margins, tables that break between rows, colours that survive greyscale). A
//! [`Sink`] for the one walk over the report ([`super::render`]).

use std::fmt::Write;

use super::Report;
use super::render::{Align, Sink, Span, Table, render};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ok: #1a7f37; --bad: #b3261e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10.5pt;
       color: #1f2328; margin: 2em auto; max-width: 72em; padding: 0 1.5em; line-height: 1.4; }
h1 { font-size: 1.7em; margin-bottom: .2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid var(--line); padding-bottom: .2em; margin-top: 1.8em; }
h3 { font-size: 1.1em; margin: 1.4em 0 .3em; }
.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
th, td { border: 1px solid var(--line); padding: .25em .45em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.ts { white-space: nowrap; font-variant-numeric: tabular-nums; }
.state { font-weight: bold; white-space: nowrap; }
.done, .passed, .pass { color: var(--ok); }
.failed, .fail, .blocked, .broken { color: var(--bad); }
.skipped, .todo, .info, .manual, .na { color: var(--warn); }
.note { white-space: pre-wrap; }
.banner { border: 2px solid; padding: .6em .9em; margin: 1em 0; font-weight: bold; }
.banner.ok { border-color: var(--ok); color: var(--ok); }
.banner.bad { border-color: var(--bad); color: var(--bad); }
ul.summary li { margin: .15em 0; }
.item { margin: .35em 0 .6em; padding-left: .6em; border-left: 3px solid var(--line); }
.item .title { font-weight: bold; }
.item .id { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; color: var(--muted); }
.item ul { margin: .2em 0; padding-left: 1.3em; }
code, .hash { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .9em; word-break: break-all; }
.signoff td { height: 2.6em; }
@page { margin: 15mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  tr, .item { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .banner { border-width: 3px; }
}
"#;

/// Renders the report as one self-contained HTML document.
pub fn html(r: &Report) -> String {
    let mut h = Html {
        out: String::with_capacity(64 * 1024),
    };
    render(r, &mut h);
    h.out.push_str("</body>\n</html>\n");
    h.out
}

/// Writes HTML into a string. (`write!` to a String cannot fail.)
struct Html {
    out: String,
}

/// Inline HTML for spans; every text escaped.
fn inline(spans: &[Span<'_>]) -> String {
    let mut o = String::new();
    for s in spans {
        let _ = match s {
            Span::Text(t) => write!(o, "{}", escape(t)),
            Span::Strong(t) => write!(o, "<strong>{}</strong>", escape(t)),
            Span::State(class, t) => {
                write!(o, "<span class=\"state {class}\">{}</span>", escape(t))
            }
            Span::Code(t) => write!(o, "<code>{}</code>", escape(t)),
            Span::Styled(class, t) => write!(o, "<span class=\"{class}\">{}</span>", escape(t)),
        };
    }
    o
}

/// ` class="…"` when there is a class.
fn class_attr(class: Option<&str>) -> String {
    class.map(|c| format!(" class=\"{c}\"")).unwrap_or_default()
}

impl Sink for Html {
    fn start(&mut self, title: &str, page_title: &str, meta: &[Span<'_>]) {
        let _ = write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n\
             <h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n",
            escape(page_title),
            escape(title),
            inline(meta)
        );
    }

    fn banner(&mut self, id: &str, ok: bool, spans: &[Span<'_>]) {
        let _ = writeln!(
            self.out,
            "<div class=\"banner {}\" id=\"{}\">{}</div>",
            if ok { "ok" } else { "bad" },
            escape(id),
            inline(spans)
        );
    }

    fn section(&mut self, id: &str, title: &str) {
        let _ = writeln!(
            self.out,
            "<section id=\"{}\"><h2>{}</h2>",
            escape(id),
            escape(title)
        );
    }

    fn end_section(&mut self) {
        self.out.push_str("</section>\n");
    }

    fn heading(&mut self, id: &str, text: &str) {
        let _ = writeln!(self.out, "<h3 id=\"{}\">{}</h3>", escape(id), escape(text));
    }

    fn para(&mut self, class: Option<&'static str>, spans: &[Span<'_>]) {
        let _ = writeln!(self.out, "<p{}>{}</p>", class_attr(class), inline(spans));
    }

    fn list(&mut self, class: Option<&'static str>, items: &[Vec<Span<'_>>]) {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(self.out, "<ul{}>", class_attr(class));
        for it in items {
            let _ = writeln!(self.out, "<li>{}</li>", inline(it));
        }
        self.out.push_str("</ul>\n");
    }

    fn item(
        &mut self,
        id: &str,
        number: &str,
        title: &str,
        head: &[Span<'_>],
        details: &[Vec<Span<'_>>],
    ) {
        let o = &mut self.out;
        let _ = write!(
            o,
            "<div class=\"item\" id=\"item-{id}\"><span class=\"title\">[{}] {}</span> \
             <span class=\"id\">{id}</span> · {}",
            escape(number),
            escape(title),
            inline(head),
            id = escape(id)
        );
        if !details.is_empty() {
            o.push_str("<ul>");
            for d in details {
                let _ = write!(o, "<li>{}</li>", inline(d));
            }
            o.push_str("</ul>");
        }
        o.push_str("</div>\n");
    }

    fn table(&mut self, t: &Table<'_>) {
        let o = &mut self.out;
        let _ = write!(o, "<table{}><thead><tr>", class_attr(t.class));
        for h in &t.head {
            let _ = write!(o, "<th>{}</th>", escape(h));
        }
        o.push_str("</tr></thead><tbody>\n");
        let rows = t.rows.iter().map(|r| ("td", r));
        for (tag, cells) in rows.chain(t.foot.iter().map(|r| ("th", r))) {
            o.push_str("<tr>");
            for c in cells {
                let class = match c.align {
                    Align::Text => String::new(),
                    Align::Num => " class=\"num\"".into(),
                    Align::Time => " class=\"ts\"".into(),
                    Align::State(s) => format!(" class=\"state {s}\""),
                };
                let _ = write!(o, "<{tag}{class}>{}</{tag}>", inline(&c.spans));
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</tbody></table>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::render::Cell;

    const EVIL: &str = "<script>alert('x')</script> & \"q\" <img src=x>";

    fn every_span() -> Vec<Span<'static>> {
        vec![
            Span::Text(EVIL.into()),
            Span::Strong(EVIL.into()),
            Span::State("done", EVIL.into()),
            Span::Code(EVIL.into()),
            Span::Styled("note", EVIL.into()),
        ]
    }

    #[test]
    fn report_html_sink_escapes_every_block_span_and_attribute() {
        let mut h = Html { out: String::new() };
        let spans = every_span();
        h.start(EVIL, EVIL, &spans);
        h.banner(EVIL, false, &spans);
        h.section(EVIL, EVIL);
        h.heading(EVIL, EVIL);
        h.para(Some("muted"), &spans);
        h.list(None, std::slice::from_ref(&spans));
        h.item(EVIL, EVIL, EVIL, &spans, std::slice::from_ref(&spans));
        let cell = || Cell {
            align: Align::State("failed"),
            spans: every_span(),
        };
        h.table(&Table {
            class: None,
            head: vec![EVIL.into()],
            rows: vec![vec![cell()]],
            foot: Some(vec![cell()]),
        });
        h.end_section();
        let lower = h.out.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{}", h.out);
        assert!(!lower.contains("<img"), "{}", h.out);
        assert!(!h.out.contains("'x'"), "{}", h.out);
        assert!(!h.out.contains("\"q\""), "{}", h.out);
        // Every value arrived, escaped: 2 titles and 5 spans at the start, the banner's id and
        // 5 spans, 2 for the section and 2 for the heading, 5 + 5 for the paragraph and the
        // list, 4 for the item's id (twice), number and title and 5 + 5 for its lines, 1 + 5
        // + 5 in the table: 52.
        let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;";
        assert_eq!(h.out.matches(escaped).count(), 52, "{}", h.out);
    }

    #[test]
    fn report_html_sink_leaves_empty_lists_out() {
        let mut h = Html { out: String::new() };
        h.list(Some("summary"), &[]);
        assert_eq!(h.out, "");
    }
}
