//! A one-line input a screen asked for (a SIP URI, a file path, text to match, a note); the
//! text goes back to the screen that asked, as [`Command::Input`].

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use super::widgets::{
    MAX_LINE_CHARS, line_text, paste_into, place_cursor, popup, single_line_editor, type_into,
};
use super::{Command, Outcome, Overlay};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::centered;

/// What a single-line input is for; the text goes to the screen that asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputPurpose {
    /// Pools: a SIP URI to look up.
    LookupUser,
    /// Pools: a topology file to import.
    TopologyFile,
    /// Pilot: a CSV file of pilot users.
    PilotCsvFile,
    /// Troubleshoot: text to match against the symptoms.
    TroubleshootText,
    /// Troubleshoot: an event log file to read.
    TroubleshootEventLog,
    /// Pilot: the note a failed test case needs.
    PilotFailNote {
        /// The pilot user.
        sip: String,
        /// The test case's stable name.
        case: String,
    },
}

/// The input overlay.
pub struct InputOverlay {
    /// What it is for.
    pub purpose: InputPurpose,
    /// The editor.
    pub editor: Box<TextArea<'static>>,
}

impl InputOverlay {
    /// An empty input showing `placeholder`.
    pub fn overlay(purpose: InputPurpose, placeholder: &str) -> Overlay {
        Overlay::Input(InputOverlay {
            purpose,
            editor: Box::new(single_line_editor(placeholder)),
        })
    }

    /// Enter hands the text over (nothing happens while it is empty); esc cancels.
    pub fn on_key(&mut self, k: KeyEvent) -> Outcome {
        match k.code {
            KeyCode::Esc => {
                Outcome::close_with(vec![Command::Status(t!("status-unchanged"), false)])
            }
            KeyCode::Enter => {
                let text = line_text(&self.editor);
                if text.is_empty() {
                    Outcome::keep()
                } else {
                    Outcome::close_with(vec![Command::Input(self.purpose.clone(), text)])
                }
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

    /// Draws the input.
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let r = centered(area, 72, 5);
        let title = match &self.purpose {
            InputPurpose::LookupUser => t!("title-lookup"),
            InputPurpose::TopologyFile => t!("title-topology-file"),
            InputPurpose::PilotCsvFile => t!("title-pilot-csv"),
            InputPurpose::TroubleshootText => t!("title-ts-match"),
            InputPurpose::TroubleshootEventLog => t!("title-ts-event-log"),
            InputPurpose::PilotFailNote { sip, .. } => t!("title-pilot-note", user = sip.clone()),
        };
        let (block, inner) = popup(f, r, &ctx.theme, title);
        f.render_widget(block, r);
        let [input, hint] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        f.render_widget(&*self.editor, input);
        place_cursor(f, input, &self.editor);
        f.render_widget(Paragraph::new(t!("input-hint")).style(ctx.theme.dim), hint);
    }
}
