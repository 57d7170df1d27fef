//! The notes editor of one item. Esc and ctrl-s both save: nothing typed is thrown away.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;
use ratatui_textarea::{CursorMove, TextArea};

use super::widgets::{place_cursor, popup};
use super::{Command, Outcome, Overlay};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;

/// The notes editor.
pub struct NotesOverlay {
    /// Item id.
    pub item_id: String,
    /// The note as saved when the editor opened (or last saved).
    pub saved: String,
    /// The editor.
    pub editor: Box<TextArea<'static>>,
}

impl NotesOverlay {
    /// Opens the editor on an item's saved note, cursor at the end.
    pub fn overlay(item_id: &str, note: String) -> Overlay {
        let mut editor = TextArea::new(note.lines().map(str::to_string).collect());
        editor.move_cursor(CursorMove::Bottom);
        editor.move_cursor(CursorMove::End);
        Overlay::Notes(NotesOverlay {
            item_id: item_id.to_string(),
            saved: note,
            editor: Box::new(editor),
        })
    }

    /// Typing edits; esc saves and closes, ctrl-s saves and stays.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        let ctrl_s = k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('s');
        if k.code != KeyCode::Esc && !ctrl_s {
            self.editor.input(k);
            return Outcome::keep();
        }
        let text = self.editor.lines().join("\n");
        let mut commands = Vec::new();
        if text != self.saved {
            self.saved = text.clone();
            commands.push(Command::SaveNote {
                item_id: self.item_id.clone(),
                text,
            });
        }
        Outcome {
            close: k.code == KeyCode::Esc,
            commands,
        }
    }

    /// A paste goes in as typed (notes are multi-line).
    pub fn on_paste(&mut self, text: &str) {
        self.editor.insert_str(text);
    }

    /// Draws the editor.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let r = centered(area, 78, 16);
        let title = ctx
            .runbook
            .item(&self.item_id)
            .map_or_else(|| self.item_id.clone(), |i| i.title.clone());
        let (block, inner) = popup(f, r, &ctx.theme, t!("title-notes", item = title));
        f.render_widget(block, r);
        let [text_area, hint] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        f.render_widget(&*self.editor, text_area);
        place_cursor(f, text_area, &self.editor);
        f.render_widget(Paragraph::new(t!("notes-hint")).style(ctx.theme.dim), hint);
    }
}
