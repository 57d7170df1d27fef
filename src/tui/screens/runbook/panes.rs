//! The runbook screen's three panes: the stage list, the checklist and the item detail (with
//! a running or finished job's progress above the text).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, List, ListItem, ListState, Sparkline};

use super::RunbookScreen;
use crate::runbook::{Item, ItemKind};
use crate::store::ItemState;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::layout::list_offset;
use crate::tui::text::{fmt_duration, truncate};
use crate::tui::wrap::{Paragraph, Wrap};
use crate::wizard::{Focus, RunbookNav};

pub(super) fn state_marker(state: ItemState) -> &'static str {
    match state {
        ItemState::Todo => "[ ]",
        ItemState::Done => "[x]",
        ItemState::Skipped => "[-]",
        ItemState::Blocked => "[!]",
        ItemState::Failed => "[F]",
    }
}

pub(super) fn state_style(ctx: &Ctx, state: ItemState) -> Style {
    match state {
        ItemState::Todo => ctx.theme.text,
        ItemState::Done => ctx.theme.ok,
        ItemState::Skipped => ctx.theme.warn,
        ItemState::Blocked | ItemState::Failed => ctx.theme.error,
    }
}

fn kind_letter(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Manual => "M",
        ItemKind::Probe => "P",
        ItemKind::Task => "T",
    }
}

fn pane_block<'a>(ctx: &Ctx, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            ctx.theme.border_focus
        } else {
            ctx.theme.border
        })
        .title(Span::styled(
            format!(" {title} "),
            if focused {
                ctx.theme.title
            } else {
                ctx.theme.text
            },
        ))
}

pub(super) fn draw_stages(f: &mut Frame, area: Rect, screen: &RunbookScreen, ctx: &Ctx) {
    let focused = screen.nav.focus == Focus::Stages;
    let inner_w = usize::from(area.width.saturating_sub(2));
    let rows: Vec<ListItem> = (0..RunbookNav::stage_count(&ctx.runbook))
        .map(|i| {
            let s = RunbookNav::stage_at(&ctx.runbook, i);
            let st = ctx.migration.stage(&s.id);
            let (done, total, bad) = (st.closed, st.total, st.problems);
            let marker = if bad > 0 {
                "!"
            } else if total > 0 && done == total {
                "x"
            } else if done > 0 {
                "+"
            } else {
                " "
            };
            let num = if s.id == ctx.runbook.rollback.id {
                " R".to_string()
            } else {
                format!("{:>2}", s.number)
            };
            let count = if bad > 0 {
                format!("{done}/{total} !{bad}")
            } else {
                format!("{done}/{total}")
            };
            let title_w = inner_w.saturating_sub(count.len() + 6);
            let title = truncate(&s.title, title_w);
            let pad = inner_w.saturating_sub(
                4 + unicode_width::UnicodeWidthStr::width(title.as_str()) + 1 + count.len(),
            );
            let style = if bad > 0 {
                ctx.theme.error
            } else if total > 0 && done == total {
                ctx.theme.ok
            } else {
                ctx.theme.text
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{marker}{num} "), style),
                Span::styled(title, style),
                Span::raw(" ".repeat(pad + 1)),
                Span::styled(count, ctx.theme.dim),
            ]))
        })
        .collect();
    let height = usize::from(area.height.saturating_sub(2));
    let mut state = ListState::default()
        .with_offset(list_offset(screen.nav.stage_idx, height))
        .with_selected(Some(screen.nav.stage_idx));
    let list = List::new(rows)
        .block(pane_block(ctx, t!("pane-stages"), focused))
        .highlight_style(if focused {
            ctx.theme.selected
        } else {
            ctx.theme.selected.remove_modifier(Modifier::BOLD)
        });
    f.render_stateful_widget(list, area, &mut state);
}

pub(super) fn draw_items(f: &mut Frame, area: Rect, screen: &RunbookScreen, ctx: &Ctx) {
    let focused = screen.nav.focus == Focus::Items;
    let items = screen.nav.visible_items(&ctx.runbook);
    let filtering = !screen.nav.filter.is_empty();
    let inner_w = usize::from(area.width.saturating_sub(2));
    let rows: Vec<ListItem> = items
        .iter()
        .map(|it| {
            let state = ctx.state_of(&it.id);
            let marker = if ctx.pending.contains(&it.id) {
                "[*]"
            } else {
                state_marker(state)
            };
            let num = match (filtering, it.checklist) {
                (true, Some(n)) => format!("{}.{n:<2}", ctx.stage_of(it).number),
                (true, None) => format!("{}.- ", ctx.stage_of(it).number),
                (false, Some(n)) => format!("{n:>2}"),
                (false, None) => " -".to_string(),
            };
            let job = if ctx.jobs.contains_key(&it.id) {
                "~"
            } else if it.job.is_some() {
                ">"
            } else {
                " "
            };
            let head = format!("{marker} {num} {}{job} ", kind_letter(it.kind));
            let title = truncate(&it.title, inner_w.saturating_sub(head.chars().count()));
            ListItem::new(Line::from(vec![
                Span::styled(head, state_style(ctx, state)),
                Span::styled(title, ctx.theme.text),
            ]))
        })
        .collect();
    let title = if filtering {
        t!(
            "pane-filter-results",
            filter = screen.nav.filter.clone(),
            count = items.len()
        )
    } else {
        let s = screen.nav.stage(&ctx.runbook);
        let mut title = format!(
            "{} {}",
            if s.id == ctx.runbook.rollback.id {
                "R".into()
            } else {
                s.number.to_string()
            },
            s.title
        );
        if s.downtime {
            title.push_str(&format!(" · {}", t!("downtime")));
        }

        title
    };
    let height = usize::from(area.height.saturating_sub(2));
    let mut state = ListState::default()
        .with_offset(list_offset(screen.nav.item_idx, height))
        .with_selected((!items.is_empty()).then_some(screen.nav.item_idx));
    let mut block = pane_block(ctx, title, focused);
    if !filtering
        && screen.nav.stage(&ctx.runbook).id == ctx.runbook.rollback.id
        && !ctx.rollback_available()
    {
        block = block.title_bottom(Span::styled(
            format!(" {} ", t!("rollback-unavailable")),
            ctx.theme.error,
        ));
    }
    let list = List::new(rows).block(block).highlight_style(if focused {
        ctx.theme.selected
    } else {
        ctx.theme.selected.remove_modifier(Modifier::BOLD)
    });
    f.render_stateful_widget(list, area, &mut state);
    if items.is_empty() {
        let inner = area.inner(ratatui::layout::Margin::new(2, 1));
        f.render_widget(Paragraph::new(t!("no-items")).style(ctx.theme.dim), inner);
    }
}

pub(super) fn draw_detail(f: &mut Frame, area: Rect, screen: &RunbookScreen, ctx: &Ctx) {
    let focused = screen.nav.focus == Focus::Detail;
    let Some(item) = screen.nav.item(&ctx.runbook) else {
        f.render_widget(pane_block(ctx, t!("pane-detail"), focused), area);
        return;
    };
    let block = pane_block(ctx, t!("pane-detail"), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let job_height = if ctx.jobs.contains_key(&item.id) || ctx.finished.contains_key(&item.id) {
        6
    } else {
        0
    };
    let [job_area, text_area] =
        Layout::vertical([Constraint::Length(job_height), Constraint::Min(1)]).areas(inner);
    if job_height > 0 {
        draw_job(f, job_area, ctx, item);
    }
    let text = super::detail::detail_text(ctx, item);
    f.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((screen.nav.detail_scroll, 0)),
        text_area,
    );
}

fn draw_job(f: &mut Frame, area: Rect, ctx: &Ctx, item: &Item) {
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .split(area);
    if let Some(job) = ctx.jobs.get(&item.id) {
        let p = job.progress.borrow().clone();
        let ratio = p.fraction();
        let label = if p.total > 0 {
            format!(
                "{} {}: {}/{} ({}%)",
                job.kind.title(),
                p.phase,
                p.done,
                p.total,
                crate::progress::percent(&p)
            )
        } else {
            format!("{} {}: {}", job.kind.title(), p.phase, p.done)
        };
        f.render_widget(
            Gauge::default()
                .ratio(ratio)
                .label(label)
                .gauge_style(ctx.theme.ok)
                .use_unicode(true),
            rows[0],
        );
        let eta = job
            .stats
            .eta(&p)
            .map_or_else(|| "–".to_string(), fmt_duration);
        let elapsed = fmt_duration(job.started.elapsed());
        let mb = p.bytes as f64 / 1_048_576.0 / job.started.elapsed().as_secs_f64().max(0.001);
        let mut line = t!(
            "job-stats",
            rate = format!("{:.0}", job.stats.rate),
            eta = eta,
            elapsed = elapsed,
            mb = format!("{mb:.1}")
        );
        if job.cancel_requested() {
            line.push_str(&format!(" · {}", t!("job-cancelling")));
        }
        f.render_widget(Paragraph::new(line).style(ctx.theme.text), rows[1]);
        let data: Vec<u64> = job.stats.history.iter().copied().collect();
        f.render_widget(
            Sparkline::default().data(&data).style(ctx.theme.ok),
            rows[2],
        );
        let tail = job.log_tail(1).pop().unwrap_or_default();
        f.render_widget(Paragraph::new(tail).style(ctx.theme.dim), rows[3]);
        f.render_widget(
            Paragraph::new(t!("job-running-hint")).style(ctx.theme.dim),
            rows[4],
        );
    } else if let Some(done) = ctx.finished.get(&item.id) {
        let style = match done.outcome {
            "succeeded" => ctx.theme.ok,
            "cancelled" => ctx.theme.warn,
            _ => ctx.theme.error,
        };
        let [summary, spark, hint] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(area);
        let text = format!("{} {}: {}", done.kind.title(), done.outcome, done.summary);
        f.render_widget(
            Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
            summary,
        );
        if !done.stats.history.is_empty() {
            let data: Vec<u64> = done.stats.history.iter().copied().collect();
            f.render_widget(Sparkline::default().data(&data).style(ctx.theme.ok), spark);
        } else if let Some(last) = done.log_tail.iter().rev().find(|l| **l != done.summary) {
            f.render_widget(Paragraph::new(last.clone()).style(ctx.theme.dim), spark);
        }
        f.render_widget(
            Paragraph::new(t!("job-done-hint")).style(ctx.theme.dim),
            hint,
        );
    }
}
