//! What frames every screen: the header (screens, session, progress, running jobs), the
//! status line and the footer's key hints (the shown screen's keymap, or the open overlay's).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::ctx::Ctx;
use super::keymap::{self, Action, Context};
use super::screens::Screen;
use crate::t;

/// The top line.
pub fn draw_header(f: &mut Frame, area: Rect, ctx: &Ctx) {
    let totals = ctx.migration.totals;
    let (done, total) = (totals.closed(), totals.items);
    let mut spans = vec![Span::styled(" pchat-migrate │", ctx.theme.title)];
    for screen in Screen::ALL {
        let style = if screen == ctx.screen {
            ctx.theme.selected
        } else {
            ctx.theme.dim
        };
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!("{} {}", screen.key(), screen.title()),
            style,
        ));
    }
    spans.extend([
        Span::styled(
            format!(
                " │ {} ",
                t!("header-session", name = ctx.session.name.clone())
            ),
            ctx.theme.text,
        ),
        Span::styled(
            format!("│ {} ", t!("items-done", done = done, total = total)),
            ctx.theme.ok,
        ),
        Span::styled(
            format!("│ {} ({}) ", ctx.deployment_name, ctx.deployment_kind),
            ctx.theme.text,
        ),
    ]);
    for job in ctx.jobs.values() {
        let p = job.progress.borrow();
        spans.push(Span::styled(
            // The phase is named: a job's percentage is per phase, as the gauge shows it.
            if p.total > 0 {
                format!(
                    "│ {} · {} {}% ",
                    job.kind.title(),
                    p.phase,
                    crate::progress::percent(&p)
                )
            } else {
                format!("│ {} · {} ", job.kind.title(), p.phase)
            },
            ctx.theme.warn,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The status line: the last message, or what the screen says to do.
pub fn draw_status(f: &mut Frame, area: Rect, ctx: &Ctx, hint: String) {
    let (text, style) = match &ctx.status {
        Some(s) => (
            s.text.clone(),
            if s.error {
                ctx.theme.error
            } else {
                ctx.theme.ok
            },
        ),
        None => (hint, ctx.theme.dim),
    };
    f.render_widget(Paragraph::new(format!(" {text}")).style(style), area);
}

/// The key hints of the shown screen in `context`, without those the screen hides now.
pub fn screen_hints(context: Context, hides: impl Fn(Action) -> bool) -> Vec<(String, String)> {
    keymap::footer(context)
        .filter(|b| !hides(b.action))
        .map(|b| (b.keys[0].label.to_string(), t!(b.help)))
        .collect()
}

/// The footer: `hints` fitted to the width. When they do not all fit, hints are dropped from
/// the end, but `q` (quit) and `?` (all keys) always stay, so every key can still be found.
pub fn draw_footer(f: &mut Frame, area: Rect, ctx: &Ctx, hints: Vec<(String, String)>) {
    let fitted = fit_hints(hints, usize::from(area.width));
    let mut spans = vec![Span::raw(" ")];
    for (k, h) in fitted {
        spans.push(Span::styled(k, ctx.theme.key));
        spans.push(Span::styled(format!(" {h}  "), ctx.theme.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hints the footer never drops.
const KEPT: [&str; 2] = ["q", "?"];

/// The hints that fit in `width` cells (see [`draw_footer`]).
pub fn fit_hints(mut hints: Vec<(String, String)>, width: usize) -> Vec<(String, String)> {
    let cells = |h: &[(String, String)]| -> usize {
        1 + h
            .iter()
            .map(|(k, t)| k.width() + 1 + t.width() + 2)
            .sum::<usize>()
    };
    while cells(&hints) > width {
        match hints.iter().rposition(|(k, _)| !KEPT.contains(&k.as_str())) {
            Some(i) if hints.len() > 1 => {
                hints.remove(i);
            }
            _ => break,
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_cut_from_the_end_and_help_stays() {
        let h = |k: &str, t: &str| (k.to_string(), t.to_string());
        let hints = vec![
            h("?", "all keys"),
            h("q", "quit"),
            h("r", "run job"),
            h("x", "long text here"),
        ];
        let fitted = fit_hints(hints.clone(), 30);
        assert!(fitted.iter().any(|(k, _)| k == "?"));
        assert!(cells_of(&fitted) <= 30, "{fitted:?}");
        assert_eq!(fit_hints(hints.clone(), 200), hints);
    }

    fn cells_of(h: &[(String, String)]) -> usize {
        1 + h
            .iter()
            .map(|(k, t)| k.width() + t.width() + 3)
            .sum::<usize>()
    }
}
