//! Drawing. `draw` reads the [`App`] and paints a frame; it changes nothing. The header,
//! status and footer are `chrome`; the body is the shown screen's; an open overlay is drawn
//! last, over everything.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};

use super::app::{App, with_screen_ref};
use super::chrome;
use super::layout::{MIN_HEIGHT, MIN_WIDTH, layout};
use super::screens::{Component, Screen};
use super::wrap::{Paragraph, Wrap};
use crate::t;

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let ctx = &app.ctx;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(f, area, app);
        return;
    }
    let a = layout(area);
    chrome::draw_header(f, a.header, ctx);
    let body = Rect::new(
        area.x,
        a.header.bottom(),
        area.width,
        a.status.y - a.header.bottom(),
    );
    with_screen_ref!(app, |s| s.draw(f, body, ctx));
    let hint = with_screen_ref!(app, |s| s.hint(ctx));
    chrome::draw_status(f, a.status, ctx, hint);
    let hints = match &ctx.overlay {
        Some(o) => o.hints(),
        None if ctx.screen == Screen::Runbook && app.checklist.nav.filter_editing => vec![
            ("enter".into(), t!("key-keep-filter")),
            ("esc".into(), t!("key-clear-filter")),
        ],
        None => {
            let context = app.context();
            with_screen_ref!(app, |s| chrome::screen_hints(context, |a| s
                .footer_hides(ctx, a)))
        }
    };
    chrome::draw_footer(f, a.footer, ctx, hints);
    if let Some(o) = &ctx.overlay {
        o.draw(f, area, ctx);
    }
}

fn draw_too_small(f: &mut Frame, area: Rect, app: &App) {
    let text = Text::from(vec![
        Line::styled(t!("too-small-title"), app.theme.title),
        Line::raw(""),
        Line::raw(t!(
            "too-small-body",
            width = area.width,
            height = area.height,
            min_width = MIN_WIDTH,
            min_height = MIN_HEIGHT
        )),
        Line::raw(""),
        Line::raw(t!("too-small-quit")),
    ]);
    f.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .style(app.theme.text),
        area,
    );
}
