//! The wizard's screens besides the runbook: pools and coexistence, pilot, troubleshooting
//! and the downtime window. Each module keeps its own state (a field of [`App`]) and offers
//! the same three entry points, which `App` and `view` call:
//!
//! - `on_enter(app)`: the screen was opened (load what it shows, through the store thread);
//! - `on_action(app, action) -> bool`: a keymap action while the screen is shown (true when
//!   handled; unhandled actions fall through to the global ones);
//! - `draw(frame, area, app)`: paint the body (header, status and footer are shared).
//!
//! Keys live in `keymap.rs` with a context per screen, so the footer and `?` list them.

pub mod pilot;
pub mod pools;
pub mod troubleshoot;
pub mod window;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::App;
use super::keymap::{Action, Context};
use crate::t;

/// The screens, in tab order (keys 1–5).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Screen {
    /// Stages, checklists, item detail.
    #[default]
    Runbook,
    /// Pool status, client × pool reach, user lookup.
    Pools,
    /// Pilot users and their test cases.
    Pilot,
    /// Known symptoms, their checks and fixes.
    Troubleshoot,
    /// The downtime window: plan against actual.
    Window,
}

impl Screen {
    /// Every screen in tab order.
    pub const ALL: [Screen; 5] = [
        Screen::Runbook,
        Screen::Pools,
        Screen::Pilot,
        Screen::Troubleshoot,
        Screen::Window,
    ];

    /// The tab title.
    pub fn title(self) -> String {
        match self {
            Screen::Runbook => t!("screen-runbook"),
            Screen::Pools => t!("screen-pools"),
            Screen::Pilot => t!("screen-pilot"),
            Screen::Troubleshoot => t!("screen-troubleshoot"),
            Screen::Window => t!("screen-window"),
        }
    }

    /// The key that opens it.
    pub fn key(self) -> char {
        match self {
            Screen::Runbook => '1',
            Screen::Pools => '2',
            Screen::Pilot => '3',
            Screen::Troubleshoot => '4',
            Screen::Window => '5',
        }
    }

    /// The keymap context of the screen (the runbook's depends on the focused pane).
    pub fn context(self) -> Option<Context> {
        match self {
            Screen::Runbook => None,
            Screen::Pools => Some(Context::Pools),
            Screen::Pilot => Some(Context::Pilot),
            Screen::Troubleshoot => Some(Context::Troubleshoot),
            Screen::Window => Some(Context::Window),
        }
    }
}

/// Called when a screen is opened.
pub fn on_enter(app: &mut App, screen: Screen) {
    match screen {
        Screen::Runbook => {}
        Screen::Pools => pools::on_enter(app),
        Screen::Pilot => pilot::on_enter(app),
        Screen::Troubleshoot => troubleshoot::on_enter(app),
        Screen::Window => window::on_enter(app),
    }
}

/// Offers an action to the shown screen; true when it was handled there.
pub fn on_action(app: &mut App, action: Action) -> bool {
    match app.screen {
        Screen::Runbook => false,
        Screen::Pools => pools::on_action(app, action),
        Screen::Pilot => pilot::on_action(app, action),
        Screen::Troubleshoot => troubleshoot::on_action(app, action),
        Screen::Window => window::on_action(app, action),
    }
}

/// Draws the shown screen's body.
pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    match app.screen {
        Screen::Runbook => {}
        Screen::Pools => pools::draw(f, area, app),
        Screen::Pilot => pilot::draw(f, area, app),
        Screen::Troubleshoot => troubleshoot::draw(f, area, app),
        Screen::Window => window::draw(f, area, app),
    }
}

/// Moves a selection by `delta` within `len` rows (clamped).
pub fn step(selected: usize, delta: i32, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let n = i64::try_from(selected).unwrap_or(0) + i64::from(delta);
    usize::try_from(n.clamp(0, i64::try_from(len - 1).unwrap_or(0))).unwrap_or(0)
}

/// The row delta of a movement action, if it is one.
pub fn movement(action: Action) -> Option<i32> {
    match action {
        Action::Up => Some(-1),
        Action::Down => Some(1),
        Action::PageUp => Some(-10),
        Action::PageDown => Some(10),
        Action::Top => Some(-100_000),
        Action::Bottom => Some(100_000),
        _ => None,
    }
}
