//! What the overlays share: the popup frame, the one-line editor and its limits, and the
//! terminal cursor placed where an editor's cursor is.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use ratatui_textarea::TextArea;

use crate::tui::theme::Theme;
use crate::tui::wrap::{Paragraph, Wrap};

/// Longest confirmation word typed: the words are short, so anything longer is a paste or
/// a stuck key, and is dropped rather than grown without end.
pub const MAX_CONFIRM_CHARS: usize = 64;

/// Longest one-line field (a reason, a path, a session name, the filter).
pub const MAX_LINE_CHARS: usize = 4096;

/// The frame of a popup, after clearing what is under it (so no text of the screen below
/// shows through at its edges).
pub fn popup<'a>(f: &mut Frame, area: Rect, theme: &Theme, title: String) -> (Block<'a>, Rect) {
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focus)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    (block, inner)
}

/// Puts the terminal's real cursor where the editor's cursor is, so an input method
/// composes Korean, Chinese or Japanese text in the right place.
pub fn place_cursor(f: &mut Frame, area: Rect, editor: &TextArea<'_>) {
    let c = editor.screen_cursor();
    let (top, left) = editor.scroll_offset();
    let row = u16::try_from(c.row).unwrap_or(0).saturating_sub(top);
    let col = u16::try_from(c.col).unwrap_or(0).saturating_sub(left);
    if row < area.height && col < area.width {
        f.set_cursor_position(Position::new(area.x + col, area.y + row));
    }
}

/// A popup at `r` that asks for one typed line: `body` wrapped above, the editor, `hint`
/// (dim) on the last row, the terminal cursor in the editor. The confirmation, override and
/// loss-acceptance dialogs share it.
pub fn line_prompt(
    f: &mut Frame,
    r: Rect,
    theme: &Theme,
    title: String,
    body: Vec<Line<'_>>,
    editor: &TextArea<'_>,
    hint: String,
) {
    let (block, inner) = popup(f, r, theme, title);
    f.render_widget(block, r);
    let [body_area, input, hint_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(body).wrap(Wrap { trim: true }), body_area);
    f.render_widget(editor, input);
    place_cursor(f, input, editor);
    f.render_widget(Paragraph::new(hint).style(theme.dim), hint_area);
}

/// An empty one-line editor showing `placeholder`.
pub fn single_line_editor(placeholder: &str) -> TextArea<'static> {
    let mut e = TextArea::default();
    e.set_placeholder_text(placeholder.to_string());
    e
}

/// The editor's text on one line, trimmed.
pub fn line_text(editor: &TextArea<'_>) -> String {
    editor.lines().join(" ").trim().to_string()
}

/// Characters in an editor (all lines).
pub fn editor_chars(editor: &TextArea<'_>) -> usize {
    editor.lines().iter().map(|l| l.chars().count()).sum()
}

/// `text` on one line, cut to `room` characters.
pub fn one_line(text: &str, room: usize) -> String {
    text.chars()
        .take(room)
        .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
        .collect()
}

/// Whether a key would add a character to a field already holding `limit`.
pub fn over_limit(editor: &TextArea<'_>, k: &KeyEvent, limit: usize) -> bool {
    matches!(k.code, KeyCode::Char(_)) && editor_chars(editor) >= limit
}

/// Types a key into a one-line field of at most `limit` characters.
pub fn type_into(editor: &mut TextArea<'_>, k: KeyEvent, limit: usize) {
    if !over_limit(editor, &k, limit) {
        editor.input(k);
    }
}

/// Pastes `text` into a one-line field of at most `limit` characters.
pub fn paste_into(editor: &mut TextArea<'_>, text: &str, limit: usize) {
    let room = limit.saturating_sub(editor_chars(editor));
    editor.insert_str(one_line(text, room));
}

/// A scroll position that a drawing clamps: the overlay keeps the wanted line, the drawing
/// records how far it can go, so `G`, page-down and the next `k` all land on drawn lines.
#[derive(Debug, Default)]
pub struct Scroll {
    /// The first line shown.
    pub top: u16,
    /// The largest `top` at the last drawing (0 before the first).
    pub max: std::cell::Cell<u16>,
}

impl Scroll {
    /// Moves by `delta` lines within what the last drawing allowed.
    pub fn by(&mut self, delta: i32) {
        let v = i32::from(self.top) + delta;
        self.top = u16::try_from(v.clamp(0, i32::from(self.max.get()))).unwrap_or(0);
    }

    /// To the first line.
    pub fn home(&mut self) {
        self.top = 0;
    }

    /// To the last page.
    pub fn end(&mut self) {
        self.top = self.max.get();
    }

    /// The top to draw with `lines` lines in `height` rows; records the maximum.
    pub fn clamp(&self, lines: usize, height: u16) -> u16 {
        let max = u16::try_from(lines.saturating_sub(usize::from(height))).unwrap_or(u16::MAX);
        self.max.set(max);
        self.top.min(max)
    }

    /// Keys every scrolling overlay shares: j/k, arrows, page up/down, g/G, home/end.
    /// True when the key was one of them.
    pub fn on_key(&mut self, k: &KeyEvent) -> bool {
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => self.by(1),
            KeyCode::Up | KeyCode::Char('k') => self.by(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.by(10),
            KeyCode::PageUp => self.by(-10),
            KeyCode::Home | KeyCode::Char('g') => self.home(),
            KeyCode::End | KeyCode::Char('G') => self.end(),
            _ => return false,
        }
        true
    }

    /// "lines a–b of n" for the frame's bottom edge, or nothing when everything fits.
    pub fn indicator(&self, lines: usize, height: u16) -> Option<String> {
        if lines <= usize::from(height) {
            return None;
        }
        let top = usize::from(self.clamp(lines, height));
        let last = (top + usize::from(height)).min(lines);
        Some(crate::t!(
            "scroll-position",
            first = top + 1,
            last = last,
            total = lines
        ))
    }
}
