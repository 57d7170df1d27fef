//! The pilot screen (being built).

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::app::App;
use crate::tui::keymap::Action;

/// What the pilot screen keeps.
#[derive(Default)]
pub struct PilotState {
    /// Selected row.
    pub selected: usize,
}

/// Opened.
pub fn on_enter(_app: &mut App) {}

/// Keys of the screen.
pub fn on_action(_app: &mut App, _action: Action) -> bool {
    false
}

/// Draws the screen.
pub fn draw(_f: &mut Frame, _area: Rect, _app: &App) {}

/// Imports pilot users from a CSV file (the input's text is the path).
pub fn import_csv(_app: &mut App, _path: &str) {}

/// Records a failed test case with its note.
pub fn record_failure(_app: &mut App, _sip: &str, _case: &str, _note: &str) {}
