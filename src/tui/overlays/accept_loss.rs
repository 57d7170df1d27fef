//! Accept, by name, that one item the `-WhatIf` preview refuses will not be imported: the
//! operator types `LOSS`; the acceptance is an audit event naming the preview, code and item.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui_textarea::TextArea;

use super::widgets::{MAX_CONFIRM_CHARS, line_prompt, paste_into, single_line_editor, type_into};
use super::{Command, Outcome, Overlay};
use crate::jobs::JobKind;
use crate::migration::{self, PreviewWarning};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;

/// The word that accepts a loss.
pub const LOSS_WORD: &str = "LOSS";

/// The loss acceptance.
pub struct AcceptLossOverlay {
    /// The preview's evidence row.
    pub evidence_id: i64,
    /// The refused finding.
    pub finding: PreviewWarning,
    /// The confirmation editor.
    pub editor: Box<TextArea<'static>>,
}

impl AcceptLossOverlay {
    /// Asks to accept `finding` of the preview recorded as `evidence_id`.
    pub fn overlay(evidence_id: i64, finding: PreviewWarning) -> Overlay {
        Overlay::AcceptLoss(AcceptLossOverlay {
            evidence_id,
            finding,
            editor: Box::new(single_line_editor(&t!(
                "confirm-placeholder",
                word = LOSS_WORD
            ))),
        })
    }

    /// Enter records the acceptance when `LOSS` was typed; esc goes back to the preview.
    pub fn on_key(&mut self, k: KeyEvent, ctx: &Ctx) -> Outcome {
        match k.code {
            KeyCode::Esc => Outcome::close_with(vec![
                Command::Status(t!("status-unchanged"), false),
                Command::OpenPreview,
            ]),
            KeyCode::Enter => {
                let typed = self.editor.lines().join("").trim().to_string();
                if typed != LOSS_WORD {
                    return Outcome::keep_with(vec![Command::Status(
                        t!("status-confirm-mismatch", word = LOSS_WORD),
                        true,
                    )]);
                }
                let detail = serde_json::to_string(&migration::LossAcceptance {
                    evidence_id: self.evidence_id,
                    code: self.finding.code.clone(),
                    item: self.finding.item.clone(),
                })
                .unwrap_or_default();
                let subject = ctx
                    .runbook
                    .job_item(JobKind::ImportWhatIf)
                    .map(|i| i.id.clone())
                    .unwrap_or_default();
                Outcome::close_with(vec![Command::RecordEvent {
                    kind: migration::EVENT_LOSS_ACCEPTED,
                    subject,
                    detail,
                    then: None,
                }])
            }
            _ => {
                type_into(&mut self.editor, k, MAX_CONFIRM_CHARS);
                Outcome::keep()
            }
        }
    }

    /// A paste goes in on one line, bounded.
    pub fn on_paste(&mut self, text: &str) {
        paste_into(&mut self.editor, text, MAX_CONFIRM_CHARS);
    }

    /// Draws the refused item and the editor.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let r = centered(area, 76, 12);
        let w = &self.finding;
        line_prompt(
            f,
            r,
            th,
            t!("title-accept-loss"),
            vec![
                Line::styled(
                    t!(
                        "accept-loss-body",
                        code = w.code.clone(),
                        item = w.item.clone()
                    ),
                    th.warn,
                ),
                Line::styled(w.message.clone(), th.text),
                Line::raw(""),
                Line::styled(t!("confirm-type", word = LOSS_WORD), th.key),
            ],
            &self.editor,
            t!("confirm-hint"),
        );
    }
}
