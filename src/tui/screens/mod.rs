//! The wizard's screens: the runbook, pools and coexistence, pilot, troubleshooting and the
//! downtime window. Each is its own module with its own state, and implements [`Component`]:
//! it gets the keymap's actions and its own typed results, draws its body, and names its keys
//! (the footer and `?` read them). The header, status line and footer are `tui::chrome`.

pub mod pilot;
pub mod pools;
pub mod runbook;
pub mod troubleshoot;
pub mod window;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::ctx::Ctx;
use super::keymap::{Action, Context};

pub use crate::wizard::Screen;

/// What every screen offers the router (`tui::app`).
pub trait Component {
    /// The screen's own results (from its store reads and worker threads).
    type Msg;

    /// The screen was opened (load what it shows, through the store thread).
    fn on_enter(&mut self, _ctx: &mut Ctx) {}

    /// A keymap action while the screen is shown; true when it was the screen's.
    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> bool;

    /// One of the screen's own results arrived.
    fn on_msg(&mut self, _ctx: &mut Ctx, _msg: Self::Msg) {}

    /// The animation tick (4 Hz, only while something animates).
    fn on_tick(&mut self, _ctx: &mut Ctx) {}

    /// True while the screen animates (the loop ticks).
    fn animating(&self, _ctx: &Ctx) -> bool {
        false
    }

    /// Paints the body (between the header and the status line).
    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx);

    /// The keymap sections of the screen, for `?`.
    fn contexts(&self) -> Vec<Context>;

    /// The keymap section the keys go to now (the runbook's depends on the focused pane).
    fn context(&self, _ctx: &Ctx) -> Context {
        self.contexts()[0]
    }

    /// The status line when nothing else is said.
    fn hint(&self, ctx: &Ctx) -> String;

    /// True when the footer should not offer `action` now (e.g. `r run job` on an item
    /// without a job).
    fn footer_hides(&self, _ctx: &Ctx, _action: Action) -> bool {
        false
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
