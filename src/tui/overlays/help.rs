//! The key help (`?`): the keys of the screen it was opened on, read from the keymap (the
//! same table the handlers and the footer use), scrolling with a position indicator.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::widgets::{Scroll, popup};
use super::{Outcome, Overlay};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{self, Action, BINDINGS, Context};
use crate::tui::layout::centered;
use crate::tui::wrap::{Paragraph, Wrap};

/// The help of one screen.
#[derive(Debug)]
pub struct HelpOverlay {
    /// The keymap sections shown: the global keys, then the screen's.
    pub sections: Vec<Context>,
    /// True on the runbook screen: the checklist markers are explained too.
    pub markers: bool,
    /// Scroll position.
    pub scroll: Scroll,
}

impl HelpOverlay {
    /// The help for a screen whose keys are in `sections` (global first).
    pub fn overlay(sections: Vec<Context>, markers: bool) -> Overlay {
        Overlay::Help(HelpOverlay {
            sections,
            markers,
            scroll: Scroll::default(),
        })
    }

    /// Scroll and close keys.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc | KeyCode::Char('q' | '?') | KeyCode::Enter => Outcome::close(),
            _ => {
                self.scroll.on_key(&k);
                Outcome::keep()
            }
        }
    }

    /// The lines of the help (long ones wrap when drawn).
    pub fn lines(&self, ctx: &Ctx) -> Vec<Line<'static>> {
        let th = &ctx.theme;
        let mut lines = Vec::new();
        for section in &self.sections {
            let bindings: Vec<_> = BINDINGS
                .iter()
                .filter(|b| b.context == *section && (self.markers || !runbook_only(b.action)))
                .collect();
            if bindings.is_empty() {
                continue;
            }
            lines.push(Line::styled(section_title(*section), th.title));
            for b in bindings {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<22}", keymap::key_labels(b)), th.key),
                    Span::styled(t!(b.help), th.text),
                ]));
            }
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(t!("help-overlays"), th.title));
        let mut dialogs = vec!["help-input-keys", "help-scroll-keys"];
        if self.markers {
            dialogs.extend([
                "help-notes-keys",
                "help-reason-keys",
                "help-confirm-keys",
                "help-gate-keys",
                "help-filter-keys",
                "help-mouse",
            ]);
        }
        for id in dialogs {
            lines.push(Line::styled(format!("  {}", t!(id)), th.text));
        }
        if self.markers {
            lines.push(Line::raw(""));
            lines.push(Line::styled(t!("help-markers"), th.dim));
            lines.push(Line::styled(t!("help-stage-markers"), th.dim));
        }
        lines
    }

    /// Draws the help over the screen.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let r = centered(area, 96, area.height.saturating_sub(2));
        let (block, inner) = popup(f, r, &ctx.theme, t!("title-help"));
        let lines = self.lines(ctx);
        let [body, hint] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let para = Paragraph::new(lines).wrap(Wrap { trim: false });
        let rows = para.line_count(body.width);
        let top = self.scroll.clamp(rows, body.height);
        let block = match self.scroll.indicator(rows, body.height) {
            Some(at) => block.title_bottom(Span::styled(format!(" {at} "), ctx.theme.key)),
            None => block,
        };
        f.render_widget(block, r);
        f.render_widget(para.scroll((top, 0)), body);
        f.render_widget(Paragraph::new(t!("help-hint")).style(ctx.theme.dim), hint);
    }
}

/// Global keys that act on the runbook screen only (the filter, the rollback list, the
/// panes): the other screens' help leaves them out, as their footers do.
fn runbook_only(a: Action) -> bool {
    matches!(
        a,
        Action::Filter | Action::Rollback | Action::FocusNext | Action::FocusPrev
    )
}

/// The heading of a keymap section.
fn section_title(c: Context) -> String {
    t!(match c {
        Context::Global => "help-global",
        Context::Stages => "help-stages",
        Context::Items => "help-items",
        Context::Pools => "help-pools",
        Context::Pilot => "help-pilot",
        Context::Troubleshoot => "help-troubleshoot",
        Context::Window => "help-window",
    })
}
