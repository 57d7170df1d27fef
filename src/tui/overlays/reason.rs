//! The reason a skipped or blocked state needs: typed, then asked for through the gates.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::widgets::{
    MAX_LINE_CHARS, line_text, paste_into, place_cursor, popup, single_line_editor, type_into,
};
use super::{Command, Outcome, Overlay};
use crate::store::ItemState;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;
use crate::wizard::Pending;

/// The reason editor.
pub struct ReasonOverlay {
    /// Item id.
    pub item_id: String,
    /// The state asked for.
    pub state: ItemState,
    /// The editor.
    pub editor: Box<TextArea<'static>>,
}

impl ReasonOverlay {
    /// Asks why `item_id` is to be `state`.
    pub fn overlay(item_id: String, state: ItemState) -> Overlay {
        Overlay::Reason(ReasonOverlay {
            item_id,
            state,
            editor: Box::new(single_line_editor(&t!("reason-placeholder"))),
        })
    }

    /// Enter asks for the state with the reason (an empty reason is refused); esc cancels.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc => {
                Outcome::close_with(vec![Command::Status(t!("status-unchanged"), false)])
            }
            KeyCode::Enter => {
                let reason = line_text(&self.editor);
                if reason.is_empty() {
                    return Outcome::keep_with(vec![Command::Status(
                        t!("status-reason-required"),
                        true,
                    )]);
                }
                Outcome::close_with(vec![Command::Request(Pending::SetState {
                    item_id: self.item_id.clone(),
                    state: self.state,
                    reason: Some(reason),
                })])
            }
            _ => {
                type_into(&mut self.editor, k, MAX_LINE_CHARS);
                Outcome::keep()
            }
        }
    }

    /// A paste goes in on one line, bounded.
    pub fn on_paste(&mut self, text: &str) {
        paste_into(&mut self.editor, text, MAX_LINE_CHARS);
    }

    /// Draws the question and the editor.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let r = centered(area, 70, 6);
        let title = t!(
            "title-reason",
            state = t!(crate::tui::screens::runbook::state_message(self.state)),
            item = self.item_id.clone()
        );
        let (block, inner) = popup(f, r, &ctx.theme, title);
        f.render_widget(block, r);
        let [q, input, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        f.render_widget(
            Paragraph::new(t!("reason-question")).style(ctx.theme.text),
            q,
        );
        f.render_widget(&*self.editor, input);
        place_cursor(f, input, &self.editor);
        f.render_widget(Paragraph::new(t!("reason-hint")).style(ctx.theme.dim), hint);
    }
}
