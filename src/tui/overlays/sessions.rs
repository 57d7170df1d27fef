//! The session picker: switch to another migration session, or name a new one (`n`).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};
use ratatui_textarea::TextArea;

use super::widgets::{
    MAX_LINE_CHARS, line_text, paste_into, place_cursor, popup, single_line_editor, type_into,
};
use super::{Command, Outcome, Overlay};
use crate::store::Session;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;

/// The session picker.
pub struct SessionsOverlay {
    /// Sessions in the database, most recently opened first.
    pub sessions: Vec<Session>,
    /// Selected row.
    pub selected: usize,
    /// The new session's name, while it is being typed.
    pub new_name: Option<Box<TextArea<'static>>>,
}

impl SessionsOverlay {
    /// The picker with the current session selected.
    pub fn overlay(sessions: Vec<Session>, current: i64) -> Overlay {
        let selected = sessions.iter().position(|s| s.id == current).unwrap_or(0);
        Overlay::Sessions(SessionsOverlay {
            sessions,
            selected,
            new_name: None,
        })
    }

    /// Moves, picks (enter), starts naming a new session (`n`), closes (esc, q).
    pub fn on_key(&mut self, k: KeyEvent, ctx: &Ctx) -> Outcome {
        if let Some(editor) = &mut self.new_name {
            return match k.code {
                KeyCode::Esc => {
                    self.new_name = None;
                    Outcome::keep()
                }
                KeyCode::Enter => {
                    let name = line_text(editor);
                    if name.is_empty() {
                        Outcome::keep_with(vec![Command::Status(t!("status-name-required"), true)])
                    } else {
                        Outcome::close_with(vec![Command::SwitchSession(name)])
                    }
                }
                _ => {
                    type_into(editor, k, MAX_LINE_CHARS);
                    Outcome::keep()
                }
            };
        }
        match k.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(self.sessions.len().saturating_sub(1));
            }
            KeyCode::Enter => {
                return match self.sessions.get(self.selected) {
                    Some(s) if s.id != ctx.session.id => {
                        Outcome::close_with(vec![Command::SwitchSession(s.name.clone())])
                    }
                    _ => Outcome::close(),
                };
            }
            KeyCode::Char('n') => {
                self.new_name = Some(Box::new(single_line_editor(&t!(
                    "session-name-placeholder"
                ))));
            }
            KeyCode::Esc | KeyCode::Char('q') => return Outcome::close(),
            _ => {}
        }
        Outcome::keep()
    }

    /// A paste goes into the new session's name, when it is being typed.
    pub fn on_paste(&mut self, text: &str) {
        if let Some(editor) = &mut self.new_name {
            paste_into(editor, text, MAX_LINE_CHARS);
        }
    }

    /// Draws the list and, while naming, the editor.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let th = &ctx.theme;
        let h = u16::try_from(self.sessions.len()).unwrap_or(20).min(16) + 6;
        let r = centered(area, 72, h);
        let (block, inner) = popup(f, r, th, t!("title-sessions"));
        f.render_widget(block, r);
        let [list_area, input, hint] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let rows: Vec<ListItem> = self
            .sessions
            .iter()
            .map(|s| {
                let current = if s.id == ctx.session.id {
                    format!(" {}", t!("sessions-current"))
                } else {
                    String::new()
                };
                ListItem::new(format!(
                    "{:<24} {:<10} {}{current}",
                    s.name,
                    s.deployment,
                    s.last_opened_at.format("%Y-%m-%d %H:%M UTC")
                ))
            })
            .collect();
        let mut state = ListState::default().with_selected(Some(self.selected));
        f.render_stateful_widget(
            List::new(rows).highlight_style(th.selected),
            list_area,
            &mut state,
        );
        if let Some(editor) = &self.new_name {
            f.render_widget(&**editor, input);
            place_cursor(f, input, editor);
        }
        f.render_widget(Paragraph::new(t!("sessions-hint")).style(th.dim), hint);
    }
}
