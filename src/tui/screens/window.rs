//! The window screen (being built).

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::app::App;
use crate::tui::keymap::Action;

/// What the window screen keeps.
#[derive(Default)]
pub struct WindowState {
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
