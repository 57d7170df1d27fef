//! A message to read: an error, why something cannot run, what a topology import found. Long
//! text wraps and scrolls; only esc, enter or q close it, so a stray key does not throw away
//! what the admin has not read yet.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::widgets::{Scroll, popup};
use super::{Outcome, Overlay};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;
use crate::tui::wrap::{Paragraph, Wrap};

/// A titled message.
#[derive(Debug)]
pub struct MessageOverlay {
    /// Title.
    pub title: String,
    /// Body (may be many lines).
    pub body: String,
    /// Scroll position.
    pub scroll: Scroll,
}

impl MessageOverlay {
    /// A message overlay.
    pub fn overlay(title: String, body: String) -> Overlay {
        Overlay::Message(MessageOverlay {
            title,
            body,
            scroll: Scroll::default(),
        })
    }

    /// Scroll keys; esc, enter and q close.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => Outcome::close(),
            _ => {
                self.scroll.on_key(&k);
                Outcome::keep()
            }
        }
    }

    /// Draws the message, as tall as it needs up to the screen.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let width = 76.min(area.width);
        let text: Vec<Line> = self
            .body
            .lines()
            .map(|l| Line::styled(l.to_string(), th.text))
            .collect();
        let para = Paragraph::new(text).wrap(Wrap { trim: false });
        let rows = para.line_count(width.saturating_sub(2));
        let height = u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(3);
        let r = centered(area, width, height.max(6));
        let (block, inner) = popup(f, r, th, self.title.clone());
        let [body, hint] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let top = self.scroll.clamp(rows, body.height);
        let block = match self.scroll.indicator(rows, body.height) {
            Some(at) => block.title_bottom(Span::styled(format!(" {at} "), th.key)),
            None => block,
        };
        f.render_widget(block, r);
        f.render_widget(para.scroll((top, 0)), body);
        f.render_widget(Paragraph::new(t!("message-hint")).style(th.dim), hint);
    }
}
