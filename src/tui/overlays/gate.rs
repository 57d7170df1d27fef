//! Earlier stages have open items: say how many per stage; `o` goes on and records the
//! override with the open items' ids (they are not asked about again), esc goes back.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::widgets::popup;
use super::{Command, Outcome, Overlay};
use crate::migration::{self, EVENT_GATE_OVERRIDE, OpenItem};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;
use crate::tui::wrap::{Paragraph, Wrap};
use crate::wizard::Pending;

/// The earlier-items gate.
pub struct GateOverlay {
    /// Stage id.
    pub stage_id: String,
    /// The open items of earlier stages not yet acknowledged.
    pub open: Vec<OpenItem>,
    /// What to do on override.
    pub then: Pending,
}

impl GateOverlay {
    /// The gate in front of `then`.
    pub fn overlay(stage_id: String, open: Vec<OpenItem>, then: Pending) -> Overlay {
        Overlay::Gate(GateOverlay {
            stage_id,
            open,
            then,
        })
    }

    /// `o` records the override and goes on; esc or q goes back; other keys do nothing.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Char('o') => {
                let detail = serde_json::to_string(&migration::GateOverride {
                    open: self.open.iter().map(|o| o.item_id.clone()).collect(),
                    reason: String::new(),
                    why: format!("{} earlier items open", self.open.len()),
                })
                .unwrap_or_default();
                Outcome::close_with(vec![Command::RecordEvent {
                    kind: EVENT_GATE_OVERRIDE,
                    subject: self.stage_id.clone(),
                    detail,
                    then: Some(self.then.clone()),
                }])
            }
            KeyCode::Esc | KeyCode::Char('q') => {
                Outcome::close_with(vec![Command::Status(t!("status-unchanged"), false)])
            }
            _ => Outcome::keep(),
        }
    }

    /// Draws the open counts per stage.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let mut by_stage: Vec<(String, usize)> = Vec::new();
        for o in &self.open {
            match by_stage.last_mut() {
                Some((s, n)) if *s == o.stage => *n += 1,
                _ => by_stage.push((o.stage.clone(), 1)),
            }
        }
        let h = u16::try_from(by_stage.len()).unwrap_or(20).min(14) + 7;
        let r = centered(area, 72, h);
        let stage = ctx.runbook.stage(&self.stage_id).map_or_else(
            || self.stage_id.clone(),
            |s| format!("{} {}", s.number, s.title),
        );
        let mut lines = vec![
            Line::styled(t!("gate-body", stage = stage), th.warn),
            Line::raw(""),
        ];
        for (s, n) in &by_stage {
            lines.push(Line::styled(
                format!("  {s}: {}", t!("open-count", count = *n)),
                th.text,
            ));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(t!("gate-hint"), th.key));
        let (block, _) = popup(f, r, th, t!("title-gate"));
        f.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            r,
        );
    }
}
