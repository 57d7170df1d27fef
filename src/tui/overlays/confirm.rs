//! The typed confirmation of a downtime stage: the stage's word, typed exactly, is recorded as
//! an audit event before the action goes on.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui_textarea::TextArea;

use super::widgets::{MAX_CONFIRM_CHARS, line_prompt, paste_into, single_line_editor, type_into};
use super::{Command, Outcome, Overlay};
use crate::migration::EVENT_DOWNTIME_CONFIRMED;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;
use crate::wizard::Pending;

/// The downtime confirmation.
pub struct ConfirmOverlay {
    /// Stage id.
    pub stage_id: String,
    /// The word to type.
    pub word: String,
    /// The editor.
    pub editor: Box<TextArea<'static>>,
    /// What to do once confirmed.
    pub then: Pending,
}

impl ConfirmOverlay {
    /// Asks for `word` before `then` on `stage_id`.
    pub fn overlay(stage_id: String, word: String, then: Pending) -> Overlay {
        let editor = Box::new(single_line_editor(&t!(
            "confirm-placeholder",
            word = word.clone()
        )));
        Overlay::Confirm(ConfirmOverlay {
            stage_id,
            word,
            editor,
            then,
        })
    }

    /// Enter records the confirmation when the word matches; esc goes back.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc => {
                Outcome::close_with(vec![Command::Status(t!("status-not-confirmed"), false)])
            }
            KeyCode::Enter => {
                let typed = self.editor.lines().join("").trim().to_string();
                if typed != self.word {
                    return Outcome::keep_with(vec![Command::Status(
                        t!("status-confirm-mismatch", word = self.word.clone()),
                        true,
                    )]);
                }
                let detail = format!(
                    "typed {} to start the downtime stage {}",
                    self.word, self.stage_id
                );
                Outcome::close_with(vec![Command::RecordEvent {
                    kind: EVENT_DOWNTIME_CONFIRMED,
                    subject: self.stage_id.clone(),
                    detail,
                    then: Some(self.then.clone()),
                }])
            }
            _ => {
                type_into(&mut self.editor, k, MAX_CONFIRM_CHARS);
                Outcome::keep()
            }
        }
    }

    /// A paste goes in on one line, bounded to the confirmation's length.
    pub fn on_paste(&mut self, text: &str) {
        paste_into(&mut self.editor, text, MAX_CONFIRM_CHARS);
    }

    /// Draws the stage, the warning and the editor.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let r = centered(area, 72, 11);
        let stage = ctx.runbook.stage(&self.stage_id);
        let title = stage.map_or_else(
            || self.stage_id.clone(),
            |s| format!("{} {}", s.number, s.title),
        );
        let summary = stage.map(|s| s.summary.clone()).unwrap_or_default();
        line_prompt(
            f,
            r,
            th,
            t!("title-confirm", stage = title),
            vec![
                Line::styled(t!("confirm-body"), th.warn),
                Line::styled(summary, th.text),
                Line::raw(""),
                Line::styled(t!("confirm-type", word = self.word.clone()), th.key),
            ],
            &self.editor,
            t!("confirm-hint"),
        );
    }
}
