//! Word wrap by display width, and the paragraph widget the screens draw wrapped text with.
//!
//! ratatui 0.30's own word wrap (`Paragraph::wrap`, ratatui-widgets 0.3.2, the newest
//! release) can emit a line one cell wider than the area: it decides whether a word still
//! fits before adding the character, so a two-cell character (Hangul, CJK) that lands on
//! the last cell hangs over the pane's right border, and the terminal draws it there. The
//! screens therefore draw wrapped text with [`Paragraph`], which breaks the lines here by
//! [`wrap_line`] (never wider than the area) and hands ratatui lines that need no wrapping.
//! `clippy.toml` forbids ratatui's `Paragraph::wrap`, so new code cannot bring the bug back.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Widget};
use unicode_width::UnicodeWidthStr;

pub use ratatui::widgets::Wrap;

/// One grapheme to place: its symbol, style and width in cells.
type Cell = (String, Style, usize);

/// A paragraph like ratatui's, whose [`wrap`](Paragraph::wrap) breaks lines by display
/// width (see the module docs). Only the builder methods the screens use exist.
#[derive(Clone, Debug, Default)]
pub struct Paragraph<'a> {
    text: Text<'a>,
    block: Option<Block<'a>>,
    style: Style,
    wrap: Option<Wrap>,
    scroll: (u16, u16),
}

impl<'a> Paragraph<'a> {
    /// A paragraph of `text`.
    pub fn new<T: Into<Text<'a>>>(text: T) -> Self {
        Paragraph {
            text: text.into(),
            ..Paragraph::default()
        }
    }

    /// Draws it inside `block`.
    #[must_use]
    pub fn block(mut self, block: Block<'a>) -> Self {
        self.block = Some(block);
        self
    }

    /// The style of the whole area.
    #[must_use]
    pub fn style<S: Into<Style>>(mut self, style: S) -> Self {
        self.style = style.into();
        self
    }

    /// Breaks lines wider than the area ([`wrap_line`]); `trim` drops the spaces that
    /// start a line.
    #[must_use]
    pub fn wrap(mut self, wrap: Wrap) -> Self {
        self.wrap = Some(wrap);
        self
    }

    /// Scrolls by (rows, columns) before drawing.
    #[must_use]
    pub fn scroll(mut self, offset: (u16, u16)) -> Self {
        self.scroll = offset;
        self
    }

    /// Rows the paragraph takes when drawn `width` cells wide, its block's borders
    /// included: the lines as [`wrap_text`] breaks them (with a wrap set), else one row a
    /// line. For scroll limits and pop-up heights.
    pub fn line_count(&self, width: u16) -> usize {
        let tall = Rect::new(0, 0, width, u16::MAX / 2);
        let inner = self.block.as_ref().map_or(tall, |b| b.inner(tall));
        let frame = usize::from(tall.height - inner.height);
        let rows = match self.wrap {
            Some(w) => wrap_text(&self.text, inner.width, w.trim).lines.len(),
            None => self.text.lines.len(),
        };
        rows + frame
    }
}

impl Widget for Paragraph<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let inner = self.block.as_ref().map_or(area, |b| b.inner(area));
        let text = match self.wrap {
            Some(w) => wrap_text(&self.text, inner.width, w.trim),
            None => self.text,
        };
        let mut p = ratatui::widgets::Paragraph::new(text)
            .style(self.style)
            .scroll(self.scroll);
        if let Some(b) = self.block {
            p = p.block(b);
        }
        p.render(area, buf);
    }
}

/// Every line of `text` broken to at most `width` cells ([`wrap_line`]), the text's style
/// patched into the spans.
pub fn wrap_text<'a>(text: &Text<'a>, width: u16, trim: bool) -> Text<'a> {
    let lines: Vec<Line<'a>> = text
        .lines
        .iter()
        .flat_map(|l| wrap_line(l, text.style, width, trim))
        .collect();
    Text::from(lines)
}

/// One line broken into lines of at most `width` cells: at spaces, the spaces where it
/// breaks dropped; a word wider than `width` starts a line of its own and is broken
/// between characters. A character never straddles the end of a line: one that does not
/// fit starts the next. Spaces that start the line are kept (indentation) unless `trim`.
/// An empty line stays one empty line; with `width` 0 nothing is returned.
pub fn wrap_line<'a>(line: &Line<'a>, base: Style, width: u16, trim: bool) -> Vec<Line<'a>> {
    let width = usize::from(width);
    if width == 0 {
        return Vec::new();
    }
    // Words and the spaces between them, as (symbol, style, cells).
    let mut tokens: Vec<(bool, Vec<Cell>)> = Vec::new();
    for g in line.styled_graphemes(base) {
        let space = g.symbol.chars().all(char::is_whitespace);
        let cell = (g.symbol.to_string(), g.style, g.symbol.width());
        match tokens.last_mut() {
            Some((s, run)) if *s == space => run.push(cell),
            _ => tokens.push((space, vec![cell])),
        }
    }
    let cells = |run: &[Cell]| run.iter().map(|c| c.2).sum::<usize>();
    let mut out: Vec<Vec<Cell>> = Vec::new();
    let mut cur: Vec<Cell> = Vec::new();
    let mut used = 0;
    let mut gap: Vec<Cell> = Vec::new();
    let mut first = true;
    for (space, run) in tokens {
        if space {
            if first && !trim {
                // Indentation: kept, as far as it fits.
                for c in run {
                    if used + c.2 <= width {
                        used += c.2;
                        cur.push(c);
                    }
                }
            } else if !first {
                gap = run;
            }
            first = false;
            continue;
        }
        first = false;
        // The spaces before the word count only between words on the same line.
        let sep = std::mem::take(&mut gap);
        let sep_w = if cur.is_empty() { 0 } else { cells(&sep) };
        if used + sep_w + cells(&run) <= width {
            if !cur.is_empty() {
                cur.extend(sep);
            }
            cur.extend(run);
            used = cells(&cur);
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            used = 0;
        }
        for c in run {
            if used + c.2 > width && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
                used = 0;
            }
            if c.2 > width {
                // Wider than the whole area: it cannot be shown.
                continue;
            }
            used += c.2;
            cur.push(c);
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out.into_iter()
        .map(|cells| {
            let mut spans: Vec<Span<'a>> = Vec::new();
            for (sym, style, _) in cells {
                match spans.last_mut() {
                    Some(s) if s.style == style => s.content.to_mut().push_str(&sym),
                    _ => spans.push(Span::styled(sym, style)),
                }
            }
            let mut l = Line::from(spans);
            l.alignment = line.alignment;
            l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Stylize};
    use ratatui::widgets::Borders;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn wrap(s: &str, w: u16, trim: bool) -> Vec<String> {
        plain(&wrap_line(&Line::raw(s), Style::default(), w, trim))
    }

    #[test]
    fn line_count_is_the_rows_drawn_with_the_block_included() {
        let p = Paragraph::new(vec![Line::raw("the quick brown fox"), Line::raw("")]);
        assert_eq!(p.clone().line_count(10), 2, "no wrap: a row a line");
        let wrapped = p.wrap(Wrap { trim: false });
        assert_eq!(wrapped.clone().line_count(10), 3);
        let boxed = wrapped.block(Block::bordered());
        // 12 cells wide leaves 10 inside; two border rows
        assert_eq!(boxed.line_count(12), 5);
        // a two-cell character never straddles the edge: 5 syllables in 9 cells take 2 rows
        let hangul = Paragraph::new("가나다라마").wrap(Wrap { trim: false });
        assert_eq!(hangul.line_count(9), 2);
    }

    #[test]
    fn breaks_at_spaces_and_drops_them() {
        assert_eq!(
            wrap("the quick brown fox", 10, false),
            ["the quick", "brown fox"]
        );
        assert_eq!(
            wrap("the quick brown fox", 9, true),
            ["the quick", "brown fox"]
        );
        assert_eq!(wrap("", 10, false), [""]);
        assert!(wrap("abc", 0, false).is_empty());
    }

    #[test]
    fn a_long_word_is_broken_on_its_own_lines() {
        assert_eq!(
            wrap("see C:\\PChatMigration\\export.zip now", 10, false),
            ["see", "C:\\PChatMi", "gration\\ex", "port.zip", "now"]
        );
    }

    #[test]
    fn indentation_is_kept_unless_trimmed() {
        assert_eq!(wrap("   PS> Get-CsUser", 40, false), ["   PS> Get-CsUser"]);
        assert_eq!(wrap("   PS> Get-CsUser", 40, true), ["PS> Get-CsUser"]);
    }

    /// Hangul takes two cells: no line may end half a character over the width, which is
    /// what ratatui's own wrap does with this text (the line before the fix was 11 cells
    /// wide in a 10-cell area).
    #[test]
    fn wide_characters_never_pass_the_width() {
        let text = "가나다라 마바사아 자차카타 파하";
        for w in 2..=20u16 {
            for trim in [false, true] {
                for l in wrap(text, w, trim) {
                    assert!(
                        l.width() <= usize::from(w),
                        "{w}: {l:?} is {} cells",
                        l.width()
                    );
                }
            }
        }
        assert_eq!(wrap("abcdefghi 가나", 10, false), ["abcdefghi", "가나"]);
        assert_eq!(wrap("가나다라마", 5, false), ["가나", "다라", "마"]);
    }

    #[test]
    fn styles_and_alignment_survive() {
        let line = Line::from(vec!["red words ".red(), "blue words".blue()]).centered();
        let out = wrap_line(&line, Style::default(), 10, false);
        assert_eq!(plain(&out), ["red words", "blue words"]);
        assert_eq!(out[0].spans[0].style.fg, Some(Color::Red));
        assert_eq!(out[1].spans[0].style.fg, Some(Color::Blue));
        assert_eq!(out[1].alignment, line.alignment);
    }

    /// The paragraph keeps the border where ratatui's wrap loses it: the same Korean text
    /// drawn in a 12-cell box both ways.
    #[test]
    fn the_border_holds_where_ratatuis_wrap_breaks_it() {
        let text = "한국어 텍스트가 오른쪽 테두리를 넘지 않아야 합니다 정말로";
        let area = Rect::new(0, 0, 12, 10);
        let broken = {
            let mut buf = Buffer::empty(area);
            #[allow(clippy::disallowed_methods)] // the bug this module works around
            ratatui::widgets::Paragraph::new(text)
                .block(Block::default().borders(Borders::ALL))
                .wrap(Wrap { trim: false })
                .render(area, &mut buf);
            crate::tui::language_check::border_problems(&buf)
        };
        assert!(
            !broken.is_empty(),
            "ratatui's wrap no longer overflows: drop this module"
        );
        let mut buf = Buffer::empty(area);
        Paragraph::new(text)
            .block(Block::default().borders(Borders::ALL))
            .wrap(Wrap { trim: false })
            .render(area, &mut buf);
        assert_eq!(crate::tui::language_check::border_problems(&buf), []);
    }
}
