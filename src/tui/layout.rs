//! Screen geometry, computed in one place so that drawing and mouse hit-testing agree.

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal the wizard draws in; below it shows a "too small" screen.
pub const MIN_WIDTH: u16 = 80;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 24;

/// The panes of the main screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// Top line: session, deployment, progress.
    pub header: Rect,
    /// Stage list.
    pub stages: Rect,
    /// Checklist.
    pub items: Rect,
    /// Item detail.
    pub detail: Rect,
    /// Status line.
    pub status: Rect,
    /// Key hints.
    pub footer: Rect,
}

/// Lays out the main screen. At 120 columns and wider the checklist and the detail sit side
/// by side; narrower, the detail goes below the checklist.
pub fn layout(area: Rect) -> Areas {
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let stage_w = if area.width >= 120 { 36 } else { 30 };
    let [stages, rest] =
        Layout::horizontal([Constraint::Length(stage_w), Constraint::Min(10)]).areas(body);
    let (items, detail) = if area.width >= 120 {
        let [i, d] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
            .areas(rest);
        (i, d)
    } else {
        let [i, d] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(rest);
        (i, d)
    };
    Areas {
        header,
        stages,
        items,
        detail,
        status,
        footer,
    }
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The first visible row of a list of `height` rows showing `selected`: the view and the
/// mouse handler both use it, so a click lands on the row that is drawn there.
pub fn list_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}
