//! A step that ends the rollback option without a passing verify: the operator types a reason
//! (at least ten characters) to go on, recorded with their name, or goes back.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui_textarea::TextArea;

use super::widgets::{
    MAX_LINE_CHARS, line_prompt, line_text, paste_into, single_line_editor, type_into,
};
use super::{Command, Outcome, Overlay};
use crate::migration;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;
use crate::wizard::Pending;

/// The shortest override reason accepted (characters).
pub const MIN_REASON_CHARS: usize = 10;

/// The irreversible-step override.
pub struct IrreversibleOverlay {
    /// Item id.
    pub item_id: String,
    /// Why it is not safe yet.
    pub why: String,
    /// The reason editor.
    pub editor: Box<TextArea<'static>>,
    /// What to do once recorded.
    pub then: Pending,
}

impl IrreversibleOverlay {
    /// The override in front of `then`.
    pub fn overlay(item_id: String, why: String, then: Pending) -> Overlay {
        Overlay::Irreversible(IrreversibleOverlay {
            item_id,
            why,
            editor: Box::new(single_line_editor(&t!("reason-placeholder"))),
            then,
        })
    }

    /// Enter records the override with the reason; esc goes back.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc => {
                Outcome::close_with(vec![Command::Status(t!("status-unchanged"), false)])
            }
            KeyCode::Enter => {
                let reason = line_text(&self.editor);
                if reason.chars().count() < MIN_REASON_CHARS {
                    return Outcome::keep_with(vec![Command::Status(
                        t!("status-override-reason-required"),
                        true,
                    )]);
                }
                let detail = serde_json::to_string(&migration::GateOverride {
                    open: Vec::new(),
                    reason,
                    why: self.why.clone(),
                })
                .unwrap_or_default();
                Outcome::close_with(vec![Command::RecordEvent {
                    kind: migration::EVENT_IRREVERSIBLE_OVERRIDE,
                    subject: self.item_id.clone(),
                    detail,
                    then: Some(self.then.clone()),
                }])
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

    /// Draws the warning and the reason editor.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let r = centered(area, 76, 12);
        let title = ctx
            .runbook
            .item(&self.item_id)
            .map_or_else(|| self.item_id.clone(), |i| i.title.clone());
        line_prompt(
            f,
            r,
            th,
            t!("title-irreversible"),
            vec![
                Line::styled(t!("irreversible-body", item = title), th.warn),
                Line::styled(self.why.clone(), th.error),
                Line::raw(""),
                Line::styled(t!("irreversible-type", who = ctx.operator.clone()), th.key),
            ],
            &self.editor,
            t!("confirm-hint"),
        );
    }
}
