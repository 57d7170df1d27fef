//! Drawing. `draw` reads the [`App`] and paints a frame; it changes nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Gauge, List, ListItem, ListState, Sparkline};

use super::app::{App, Focus, InputPurpose, Overlay, list_offset};
use super::keymap::{self, BINDINGS, Context};
use super::layout::{MIN_HEIGHT, MIN_WIDTH, centered, layout};
use super::screens::{self, Screen};
use super::wrap::{Paragraph, Wrap};
use crate::runbook::{Item, ItemKind};
use crate::store::ItemState;
use crate::t;

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(f, area, app);
        return;
    }
    let a = layout(area);
    draw_header(f, a.header, app);
    if app.screen == Screen::Runbook {
        draw_stages(f, a.stages, app);
        draw_items(f, a.items, app);
        draw_detail(f, a.detail, app);
    } else {
        let body = Rect::new(
            area.x,
            a.header.bottom(),
            area.width,
            a.status.y - a.header.bottom(),
        );
        screens::draw(f, body, app);
    }
    draw_status(f, a.status, app);
    draw_footer(f, a.footer, app);
    if let Some(o) = &app.overlay {
        draw_overlay(f, area, app, o);
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

fn state_marker(state: ItemState) -> &'static str {
    match state {
        ItemState::Todo => "[ ]",
        ItemState::Done => "[x]",
        ItemState::Skipped => "[-]",
        ItemState::Blocked => "[!]",
        ItemState::Failed => "[F]",
    }
}

fn state_style(app: &App, state: ItemState) -> Style {
    match state {
        ItemState::Todo => app.theme.text,
        ItemState::Done => app.theme.ok,
        ItemState::Skipped => app.theme.warn,
        ItemState::Blocked | ItemState::Failed => app.theme.error,
    }
}

fn kind_letter(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Manual => "M",
        ItemKind::Probe => "P",
        ItemKind::Task => "T",
    }
}

fn pane_block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            app.theme.border_focus
        } else {
            app.theme.border
        })
        .title(Span::styled(
            format!(" {title} "),
            if focused {
                app.theme.title
            } else {
                app.theme.text
            },
        ))
}

fn draw_header(f: &mut Frame, area: Rect, app: &App) {
    let totals = app.migration.totals;
    let (done, total) = (totals.closed(), totals.items);
    let mut spans = vec![Span::styled(" pchat-migrate │", app.theme.title)];
    for screen in Screen::ALL {
        let style = if screen == app.screen {
            app.theme.selected
        } else {
            app.theme.dim
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
                t!("header-session", name = app.session.name.clone())
            ),
            app.theme.text,
        ),
        Span::styled(
            format!("│ {} ", t!("items-done", done = done, total = total)),
            app.theme.ok,
        ),
        Span::styled(
            format!("│ {} ({}) ", app.deployment_name, app.deployment_kind),
            app.theme.text,
        ),
    ]);
    for job in app.jobs.values() {
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
            app.theme.warn,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_stages(f: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Stages;
    let inner_w = usize::from(area.width.saturating_sub(2));
    let rows: Vec<ListItem> = (0..app.stage_count())
        .map(|i| {
            let s = app.stage_at(i);
            let st = app.migration.stage(&s.id);
            let (done, total, bad) = (st.closed, st.total, st.problems);
            let marker = if bad > 0 {
                "!"
            } else if total > 0 && done == total {
                "x"
            } else if done > 0 {
                "~"
            } else {
                " "
            };
            let num = if s.id == app.runbook.rollback.id {
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
                app.theme.error
            } else if total > 0 && done == total {
                app.theme.ok
            } else {
                app.theme.text
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{marker}{num} "), style),
                Span::styled(title, style),
                Span::raw(" ".repeat(pad + 1)),
                Span::styled(count, app.theme.dim),
            ]))
        })
        .collect();
    let height = usize::from(area.height.saturating_sub(2));
    let mut state = ListState::default()
        .with_offset(list_offset(app.stage_idx, height))
        .with_selected(Some(app.stage_idx));
    let list = List::new(rows)
        .block(pane_block(app, t!("pane-stages"), focused))
        .highlight_style(if focused {
            app.theme.selected
        } else {
            app.theme.selected.remove_modifier(Modifier::BOLD)
        });
    f.render_stateful_widget(list, area, &mut state);
}

fn draw_items(f: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Items;
    let items = app.visible_items();
    let filtering = !app.filter.is_empty();
    let inner_w = usize::from(area.width.saturating_sub(2));
    let rows: Vec<ListItem> = items
        .iter()
        .map(|it| {
            let state = app.state_of(&it.id);
            let marker = if app.pending.contains(&it.id) {
                "[*]"
            } else {
                state_marker(state)
            };
            let num = match (filtering, it.checklist) {
                (true, Some(n)) => format!("{}.{n:<2}", app.stage_of(it).number),
                (true, None) => format!("{}.- ", app.stage_of(it).number),
                (false, Some(n)) => format!("{n:>2}"),
                (false, None) => " -".to_string(),
            };
            let job = if app.jobs.contains_key(&it.id) {
                "~"
            } else if it.job.is_some() {
                ">"
            } else {
                " "
            };
            let head = format!("{marker} {num} {}{job} ", kind_letter(it.kind));
            let title = truncate(&it.title, inner_w.saturating_sub(head.chars().count()));
            ListItem::new(Line::from(vec![
                Span::styled(head, state_style(app, state)),
                Span::styled(title, app.theme.text),
            ]))
        })
        .collect();
    let title = if filtering {
        t!(
            "pane-filter-results",
            filter = app.filter.clone(),
            count = items.len()
        )
    } else {
        let s = app.stage();
        let mut title = format!(
            "{} {}",
            if s.id == app.runbook.rollback.id {
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
        .with_offset(list_offset(app.item_idx, height))
        .with_selected((!items.is_empty()).then_some(app.item_idx));
    let mut block = pane_block(app, title, focused);
    if !filtering && app.stage().id == app.runbook.rollback.id && !app.rollback_available() {
        block = block.title_bottom(Span::styled(
            format!(" {} ", t!("rollback-unavailable")),
            app.theme.error,
        ));
    }
    let list = List::new(rows).block(block).highlight_style(if focused {
        app.theme.selected
    } else {
        app.theme.selected.remove_modifier(Modifier::BOLD)
    });
    f.render_stateful_widget(list, area, &mut state);
    if items.is_empty() {
        let inner = area.inner(ratatui::layout::Margin::new(2, 1));
        f.render_widget(Paragraph::new(t!("no-items")).style(app.theme.dim), inner);
    }
}

fn draw_detail(f: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Detail;
    let Some(item) = app.item() else {
        f.render_widget(pane_block(app, t!("pane-detail"), focused), area);
        return;
    };
    let block = pane_block(app, t!("pane-detail"), focused);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let job_height = if app.jobs.contains_key(&item.id) || app.finished.contains_key(&item.id) {
        6
    } else {
        0
    };
    let [job_area, text_area] =
        Layout::vertical([Constraint::Length(job_height), Constraint::Min(1)]).areas(inner);
    if job_height > 0 {
        draw_job(f, job_area, app, item);
    }
    let text = detail_text(app, item);
    f.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        text_area,
    );
}

fn draw_job(f: &mut Frame, area: Rect, app: &App, item: &Item) {
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .split(area);
    if let Some(job) = app.jobs.get(&item.id) {
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
                .gauge_style(app.theme.ok)
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
        f.render_widget(Paragraph::new(line).style(app.theme.text), rows[1]);
        let data: Vec<u64> = job.stats.history.iter().copied().collect();
        f.render_widget(
            Sparkline::default().data(&data).style(app.theme.ok),
            rows[2],
        );
        let tail = job.log_tail(1).pop().unwrap_or_default();
        f.render_widget(Paragraph::new(tail).style(app.theme.dim), rows[3]);
        f.render_widget(
            Paragraph::new(t!("job-running-hint")).style(app.theme.dim),
            rows[4],
        );
    } else if let Some(done) = app.finished.get(&item.id) {
        let style = match done.outcome {
            "succeeded" => app.theme.ok,
            "cancelled" => app.theme.warn,
            _ => app.theme.error,
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
            f.render_widget(Sparkline::default().data(&data).style(app.theme.ok), spark);
        } else if let Some(last) = done.log_tail.iter().rev().find(|l| **l != done.summary) {
            f.render_widget(Paragraph::new(last.clone()).style(app.theme.dim), spark);
        }
        f.render_widget(
            Paragraph::new(t!("job-done-hint")).style(app.theme.dim),
            hint,
        );
    }
}

fn heading(app: &App, text: String) -> Line<'static> {
    Line::styled(text, app.theme.title)
}

fn detail_text(app: &App, item: &Item) -> Text<'static> {
    let th = &app.theme;
    let stage = app.stage_of(item);
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.push(Line::styled(item.title.clone(), th.title));
    let kind = match item.kind {
        ItemKind::Manual => t!("kind-manual"),
        ItemKind::Probe => t!("kind-probe"),
        ItemKind::Task => t!("kind-task"),
    };
    let mut meta = vec![Span::styled(
        format!(
            "{} · {} · {}",
            item.checklist
                .map_or_else(|| item.id.clone(), |n| format!("#{n} {}", item.id)),
            kind,
            format_args!("{} {}", stage.number, stage.title)
        ),
        th.dim,
    )];
    if item.inferred {
        meta.push(Span::styled(
            format!(" · {}", t!("inferred-badge")),
            th.warn,
        ));
    }
    lines.push(Line::from(meta));
    let state = app.state_of(&item.id);
    let mut state_line = vec![Span::styled(
        format!("{} {}", state_marker(state), t!(state_message(state))),
        state_style(app, state),
    )];
    let status = app.migration.item(&item.id);
    if let (Some(who), Some(at)) = (status.who(), status.at()) {
        let by = match &status.source {
            crate::migration::Source::Evidence { .. } => t!("state-by-evidence"),
            _ => String::new(),
        };
        state_line.push(Span::styled(
            format!(
                " — {}{by}",
                t!(
                    "state-by",
                    who = who.to_string(),
                    when = at.format("%Y-%m-%d %H:%M UTC").to_string()
                )
            ),
            th.dim,
        ));
        if let Some(reason) = &status.reason {
            state_line.push(Span::styled(format!(" — {reason}"), th.text));
        }
    }
    if app.pending.contains(&item.id) {
        state_line.push(Span::styled(format!(" ({})", t!("saving")), th.warn));
    }
    lines.push(Line::from(state_line));
    for flag in crate::report::flag_lines(&status.flags) {
        lines.push(Line::styled(format!("⚠ {flag}"), th.warn));
    }
    if let Some(rule) = item.proven_by {
        lines.push(Line::styled(
            t!("proven-by", rule = rule.key().to_string()),
            th.dim,
        ));
    }
    lines.push(Line::raw(""));
    lines.push(heading(app, t!("section-notes")));
    match app
        .facts
        .records
        .get(&item.id)
        .and_then(|r| r.note.clone())
        .filter(|n| !n.is_empty())
    {
        Some(note) => {
            for l in note.lines() {
                lines.push(Line::styled(l.to_string(), th.text));
            }
        }
        None => lines.push(Line::styled(t!("no-notes"), th.dim)),
    }
    let evs = app.evidence_of(&item.id);
    if !evs.is_empty() {
        lines.push(Line::raw(""));
        lines.push(heading(app, t!("section-evidence")));
        for (i, e) in evs.iter().take(5).enumerate() {
            let verdict = match e.evidence.passed {
                Some(true) => Span::styled(format!("{} ", t!("passed")), th.ok),
                Some(false) => Span::styled(format!("{} ", t!("failed")), th.error),
                None => Span::raw(""),
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("{} {} · ", e.at.format("%Y-%m-%d %H:%M"), e.evidence.source),
                    th.dim,
                ),
                verdict,
                Span::styled(e.evidence.summary.clone(), th.text),
            ]));
            if i == 0 {
                lines.extend(evidence_details(app, &e.evidence.detail));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(heading(app, t!("section-guidance")));
    for l in item.guidance.lines() {
        lines.push(Line::styled(l.to_string(), th.text));
    }
    if !item.cmdlets.is_empty() {
        lines.push(Line::raw(""));
        lines.push(heading(app, t!("section-commands")));
        match app.rendered_cmdlets(item) {
            Ok(cmds) => lines.extend(
                cmds.into_iter()
                    .map(|c| Line::styled(format!("  {c}"), th.code)),
            ),
            Err(e) => lines.push(Line::styled(e, th.error)),
        }
    }
    if let Some(job) = item.job {
        lines.push(Line::raw(""));
        lines.push(Line::styled(t!("job-available", job = job.title()), th.key));
    }
    lines.push(Line::raw(""));
    lines.push(heading(app, t!("section-proof")));
    lines.push(Line::styled(item.proof.clone(), th.text));
    if !item.pitfalls.is_empty() {
        lines.push(Line::raw(""));
        lines.push(heading(app, t!("section-pitfalls")));
        for p in &item.pitfalls {
            lines.push(Line::styled(format!("- {p}"), th.warn));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("{}: {}", t!("section-source"), item.source),
        th.dim,
    ));
    Text::from(lines)
}

/// The first lines of a job result worth reading: verify differences, import warnings.
fn evidence_details(app: &App, detail: &serde_json::Value) -> Vec<Line<'static>> {
    let inner = detail.get("detail").unwrap_or(detail);
    let mut out = Vec::new();
    if let Some(diffs) = inner.get("differences").and_then(|d| d.as_array()) {
        for d in diffs.iter().take(12) {
            let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            out.push(Line::styled(
                format!(
                    "  {} \"{}\" {}: {} → {}",
                    s("kind"),
                    s("name"),
                    s("field"),
                    s("expected"),
                    s("actual")
                ),
                app.theme.error,
            ));
        }
        if diffs.len() > 12 {
            out.push(Line::styled(
                t!("more-differences", count = diffs.len() - 12),
                app.theme.dim,
            ));
        }
    }
    if let Some(warns) = inner.get("warnings").and_then(|d| d.as_array()) {
        for w in warns.iter().take(12) {
            let s = |k: &str| w.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            out.push(Line::styled(
                format!("  {} {}: {}", s("code"), s("item"), s("message")),
                app.theme.warn,
            ));
        }
        if warns.len() > 12 {
            out.push(Line::styled(
                t!("more-warnings", count = warns.len() - 12),
                app.theme.dim,
            ));
        }
    }
    out
}

fn state_message(state: ItemState) -> &'static str {
    match state {
        ItemState::Todo => "state-todo",
        ItemState::Done => "state-done",
        ItemState::Skipped => "state-skipped",
        ItemState::Blocked => "state-blocked",
        ItemState::Failed => "state-failed",
    }
}

fn draw_status(f: &mut Frame, area: Rect, app: &App) {
    let (text, style) = match &app.status {
        Some(s) => (
            s.text.clone(),
            if s.error {
                app.theme.error
            } else {
                app.theme.ok
            },
        ),
        None if app.filter_editing => (
            t!("hint-filter", filter = app.filter.clone()),
            app.theme.key,
        ),
        None => (where_hint(app), app.theme.dim),
    };
    f.render_widget(Paragraph::new(format!(" {text}")).style(style), area);
}

fn where_hint(app: &App) -> String {
    match app.screen {
        Screen::Runbook => {}
        Screen::Pools => return t!("hint-pools"),
        Screen::Pilot => return t!("hint-pilot"),
        Screen::Troubleshoot => return t!("hint-troubleshoot"),
        Screen::Window => return t!("hint-window"),
    }
    match app.focus {
        Focus::Stages => t!("hint-stages"),
        Focus::Items => match app.item() {
            Some(it) if it.job.is_some() => t!("hint-item-job"),
            Some(_) => t!("hint-item"),
            None => t!("no-items"),
        },
        Focus::Detail => t!("hint-detail"),
    }
}

fn draw_footer(f: &mut Frame, area: Rect, app: &App) {
    let hints: Vec<(String, String)> = if app.filter_editing {
        vec![
            ("enter".into(), t!("key-keep-filter")),
            ("esc".into(), t!("key-clear-filter")),
        ]
    } else {
        match &app.overlay {
            Some(Overlay::Sessions { .. }) => vec![
                ("enter".into(), t!("key-submit")),
                ("n".into(), t!("key-sessions")),
                ("esc".into(), t!("key-close")),
            ],
            Some(Overlay::Notes { .. }) => vec![
                ("esc".into(), t!("key-save-close")),
                ("ctrl-s".into(), t!("key-save")),
            ],
            Some(Overlay::Reason { .. } | Overlay::Confirm { .. } | Overlay::Input { .. }) => vec![
                ("enter".into(), t!("key-submit")),
                ("esc".into(), t!("key-cancel-overlay")),
            ],
            Some(Overlay::Gate { .. }) => vec![
                ("o".into(), t!("key-override")),
                ("esc".into(), t!("key-cancel-overlay")),
            ],
            Some(_) => vec![("esc".into(), t!("key-close"))],
            None => keymap::footer(app.context())
                .map(|b| (b.keys[0].label.to_string(), t!(b.help)))
                .collect(),
        }
    };
    let mut spans = vec![Span::raw(" ")];
    for (k, h) in hints {
        spans.push(Span::styled(k, app.theme.key));
        spans.push(Span::styled(format!(" {h}  "), app.theme.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_overlay(f: &mut Frame, area: Rect, app: &App, overlay: &Overlay) {
    let th = &app.theme;
    let popup_block = |title: String| {
        Block::default()
            .borders(Borders::ALL)
            .border_style(th.border_focus)
            .title(Span::styled(format!(" {title} "), th.title))
    };
    match overlay {
        Overlay::Script(review) => {
            let r = centered(area, 110, area.height.saturating_sub(2));
            f.render_widget(Clear, r);
            let block = popup_block(t!("title-script", job = review.kind.title()));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let inputs = u16::from(review.confirm_word.is_some())
                + u16::from(review.user.is_some())
                + u16::from(review.password.is_some());
            let [head, body, fields, hint] = Layout::vertical([
                Constraint::Length(2),
                Constraint::Min(3),
                Constraint::Length(inputs * 2),
                Constraint::Length(1),
            ])
            .areas(inner);
            let mut head_lines = vec![Line::styled(
                t!(
                    "script-runs-on",
                    host = review.runs_on.clone(),
                    sha = review.sha256.chars().take(16).collect::<String>()
                ),
                th.text,
            )];
            if let Some(n) = review.notes.first() {
                head_lines.push(Line::styled(n.clone(), th.warn));
            }
            f.render_widget(Paragraph::new(head_lines).wrap(Wrap { trim: true }), head);
            let code: Vec<Line> = review
                .display
                .lines()
                .map(|l| Line::styled(l.to_string(), th.code))
                .collect();
            f.render_widget(
                Paragraph::new(code)
                    .block(
                        Block::default()
                            .borders(Borders::TOP | Borders::BOTTOM)
                            .border_style(th.border),
                    )
                    .scroll((review.scroll, 0)),
                body,
            );
            let mut y = fields.y;
            let mut field =
                |label: String, editor: &ratatui_textarea::TextArea<'_>, active: bool| {
                    let label_area = Rect::new(fields.x, y, fields.width, 1);
                    let input_area = Rect::new(fields.x, y + 1, fields.width, 1);
                    f.render_widget(
                        Paragraph::new(label).style(if active { th.key } else { th.dim }),
                        label_area,
                    );
                    f.render_widget(editor, input_area);
                    if active {
                        place_cursor(f, input_area, editor);
                    }
                    y += 2;
                };
            if let Some(word) = &review.confirm_word {
                field(
                    t!("confirm-type", word = word.clone()),
                    &review.confirm,
                    review.field == 0,
                );
            }
            if let Some(u) = &review.user {
                field(t!("script-user"), u, review.field == 1);
            }
            if let Some(p) = &review.password {
                let label = match &review.fixed_user {
                    Some(u) => t!("script-password-for", user = u.clone()),
                    None => t!("script-password"),
                };
                field(label, p, review.field == 2);
            }
            f.render_widget(Paragraph::new(t!("script-hint")).style(th.dim), hint);
        }
        Overlay::Input { purpose, editor } => {
            let r = centered(area, 72, 5);
            f.render_widget(Clear, r);
            let title = match purpose {
                InputPurpose::LookupUser => t!("title-lookup"),
                InputPurpose::TopologyFile => t!("title-topology-file"),
                InputPurpose::PilotCsvFile => t!("title-pilot-csv"),
                InputPurpose::TroubleshootText => t!("title-ts-match"),
                InputPurpose::TroubleshootEventLog => t!("title-ts-event-log"),
                InputPurpose::PilotFailNote { sip, .. } => {
                    t!("title-pilot-note", user = sip.clone())
                }
            };
            let block = popup_block(title);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [input, hint] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
            f.render_widget(&**editor, input);
            place_cursor(f, input, editor);
            f.render_widget(Paragraph::new(t!("input-hint")).style(th.dim), hint);
        }
        Overlay::Preview {
            preview,
            scroll,
            inventory,
        } => {
            let r = centered(area, 100, area.height.saturating_sub(2));
            f.render_widget(Clear, r);
            let readiness = &app.migration.import;
            let acknowledged = *readiness == crate::migration::ImportReadiness::Ready;
            let c = preview.counts;
            let mut lines = vec![
                Line::styled(
                    preview.summary.clone(),
                    if preview.completed && c.errors == 0 {
                        th.ok
                    } else {
                        th.error
                    },
                ),
                Line::styled(
                    t!(
                        "preview-counts",
                        errors = c.errors,
                        warnings = c.warnings,
                        notes = c.notes
                    ),
                    if c.errors > 0 { th.error } else { th.title },
                ),
                Line::styled(
                    t!(
                        "preview-ran",
                        when = preview.at.format("%Y-%m-%d %H:%M UTC").to_string()
                    ),
                    th.dim,
                ),
                Line::raw(""),
            ];
            if inventory.is_empty() {
                lines.push(Line::styled(t!("inventory-reading"), th.dim));
            } else {
                lines.push(Line::styled(t!("inventory-title"), th.title));
                lines.extend(
                    inventory
                        .iter()
                        .map(|l| Line::styled(format!("  {l}"), th.text)),
                );
            }
            lines.push(Line::raw(""));
            if preview.warnings.is_empty() {
                lines.push(Line::styled(t!("preview-no-warnings"), th.ok));
            }
            if c.errors > 0 {
                lines.push(Line::styled(
                    t!("preview-losses", count = c.errors),
                    th.error,
                ));
                for w in preview.errors() {
                    let accepted = app
                        .migration
                        .accepted_losses
                        .iter()
                        .any(|a| a.code == w.code && a.item == w.item);
                    lines.push(Line::from(vec![
                        Span::styled(
                            if accepted {
                                format!("{} ", t!("loss-accepted"))
                            } else {
                                format!("{} ", t!("loss-open"))
                            },
                            if accepted { th.warn } else { th.error },
                        ),
                        Span::styled(format!("{} ", w.code), th.key),
                        Span::styled(format!("{}: ", w.item), th.text),
                        Span::styled(w.message.clone(), th.text),
                    ]));
                }
                lines.push(Line::raw(""));
            }
            for w in preview.warnings.iter().filter(|w| !w.is_error()) {
                let style = match w.severity.as_str() {
                    "error" => th.error,
                    "info" => th.dim,
                    _ => th.warn,
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<8}", w.severity), style),
                    Span::styled(format!("{} ", w.code), th.key),
                    Span::styled(format!("{}: ", w.item), th.text),
                    Span::styled(w.message.clone(), th.text),
                ]));
            }
            let block = popup_block(t!("title-preview"));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [body, hint] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .scroll((*scroll, 0)),
                body,
            );
            let hint_text = match readiness {
                crate::migration::ImportReadiness::Ready => t!("preview-acknowledged"),
                crate::migration::ImportReadiness::LossesNotAccepted { .. } => {
                    t!("preview-hint-losses")
                }
                _ => t!("preview-hint"),
            };
            f.render_widget(
                Paragraph::new(hint_text).style(if acknowledged { th.ok } else { th.key }),
                hint,
            );
        }
        Overlay::Help { scroll } => {
            let r = centered(area, 76, area.height.saturating_sub(2));
            f.render_widget(Clear, r);
            let mut lines = Vec::new();
            for (ctx, title) in [
                (Context::Global, t!("help-global")),
                (Context::Stages, t!("help-stages")),
                (Context::Items, t!("help-items")),
            ] {
                lines.push(Line::styled(title, th.title));
                for b in BINDINGS.iter().filter(|b| b.context == ctx) {
                    lines.push(Line::from(vec![
                        Span::styled(format!("  {:<22}", keymap::key_labels(b)), th.key),
                        Span::styled(t!(b.help), th.text),
                    ]));
                }
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(t!("help-overlays"), th.title));
            for id in [
                "help-notes-keys",
                "help-reason-keys",
                "help-confirm-keys",
                "help-gate-keys",
                "help-filter-keys",
                "help-mouse",
            ] {
                lines.push(Line::styled(format!("  {}", t!(id)), th.text));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(t!("help-markers"), th.dim));
            f.render_widget(
                Paragraph::new(lines)
                    .block(popup_block(t!("title-help")))
                    .scroll((*scroll, 0))
                    .wrap(Wrap { trim: false }),
                r,
            );
        }
        Overlay::Sessions {
            sessions,
            selected,
            new_name,
        } => {
            let h = u16::try_from(sessions.len()).unwrap_or(20).min(16) + 6;
            let r = centered(area, 72, h);
            f.render_widget(Clear, r);
            let block = popup_block(t!("title-sessions"));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [list_area, input, hint] = Layout::vertical([
                Constraint::Min(1),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            let rows: Vec<ListItem> = sessions
                .iter()
                .map(|s| {
                    let current = if s.id == app.session.id {
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
            let mut state = ListState::default().with_selected(Some(*selected));
            f.render_stateful_widget(
                List::new(rows).highlight_style(th.selected),
                list_area,
                &mut state,
            );
            if let Some(editor) = new_name {
                f.render_widget(&**editor, input);
                place_cursor(f, input, editor);
            }
            f.render_widget(Paragraph::new(t!("sessions-hint")).style(th.dim), hint);
        }
        Overlay::Notes { item_id, editor } => {
            let r = centered(area, 78, 16);
            f.render_widget(Clear, r);
            let title = app
                .runbook
                .item(item_id)
                .map_or_else(|| item_id.clone(), |i| i.title.clone());
            let block = popup_block(t!("title-notes", item = title));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [text_area, hint] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
            f.render_widget(&**editor, text_area);
            place_cursor(f, text_area, editor);
            f.render_widget(Paragraph::new(t!("notes-hint")).style(th.dim), hint);
        }
        Overlay::Reason {
            item_id,
            state,
            editor,
        } => {
            let r = centered(area, 70, 6);
            f.render_widget(Clear, r);
            let title = t!(
                "title-reason",
                state = t!(state_message(*state)),
                item = item_id.clone()
            );
            let block = popup_block(title);
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [q, input, hint] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            f.render_widget(Paragraph::new(t!("reason-question")).style(th.text), q);
            f.render_widget(&**editor, input);
            place_cursor(f, input, editor);
            f.render_widget(Paragraph::new(t!("reason-hint")).style(th.dim), hint);
        }
        Overlay::Confirm {
            stage_id,
            word,
            editor,
            ..
        } => {
            let r = centered(area, 72, 11);
            f.render_widget(Clear, r);
            let stage = app.runbook.stage(stage_id);
            let title =
                stage.map_or_else(|| stage_id.clone(), |s| format!("{} {}", s.number, s.title));
            let block = popup_block(t!("title-confirm", stage = title));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [body, input, hint] = Layout::vertical([
                Constraint::Min(1),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            let summary = stage.map(|s| s.summary.clone()).unwrap_or_default();
            f.render_widget(
                Paragraph::new(vec![
                    Line::styled(t!("confirm-body"), th.warn),
                    Line::styled(summary, th.text),
                    Line::raw(""),
                    Line::styled(t!("confirm-type", word = word.clone()), th.key),
                ])
                .wrap(Wrap { trim: true }),
                body,
            );
            f.render_widget(&**editor, input);
            place_cursor(f, input, editor);
            f.render_widget(Paragraph::new(t!("confirm-hint")).style(th.dim), hint);
        }
        Overlay::Gate { stage_id, open, .. } => {
            let mut by_stage: Vec<(String, usize)> = Vec::new();
            for o in open {
                match by_stage.last_mut() {
                    Some((s, n)) if *s == o.stage => *n += 1,
                    _ => by_stage.push((o.stage.clone(), 1)),
                }
            }
            let h = u16::try_from(by_stage.len()).unwrap_or(20).min(14) + 7;
            let r = centered(area, 72, h);
            f.render_widget(Clear, r);
            let stage = app
                .runbook
                .stage(stage_id)
                .map_or_else(|| stage_id.clone(), |s| format!("{} {}", s.number, s.title));
            let mut lines = vec![
                Line::styled(t!("gate-body", stage = stage), th.warn),
                Line::raw(""),
            ];
            for (s, n) in &by_stage {
                lines.push(Line::styled(
                    format!("  {s}: {}", t!("open-count", count = *n)),
                    th.text,
                ));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(t!("gate-hint"), th.key));
            f.render_widget(
                Paragraph::new(lines)
                    .block(popup_block(t!("title-gate")))
                    .wrap(Wrap { trim: true }),
                r,
            );
        }
        Overlay::Irreversible {
            item_id,
            why,
            editor,
            ..
        } => {
            let r = centered(area, 76, 12);
            f.render_widget(Clear, r);
            let title = app
                .runbook
                .item(item_id)
                .map_or_else(|| item_id.clone(), |i| i.title.clone());
            let block = popup_block(t!("title-irreversible"));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [body, input, hint] = Layout::vertical([
                Constraint::Min(1),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            f.render_widget(
                Paragraph::new(vec![
                    Line::styled(t!("irreversible-body", item = title), th.warn),
                    Line::styled(why.clone(), th.error),
                    Line::raw(""),
                    Line::styled(t!("irreversible-type", who = app.operator.clone()), th.key),
                ])
                .wrap(Wrap { trim: true }),
                body,
            );
            f.render_widget(&**editor, input);
            place_cursor(f, input, editor);
            f.render_widget(Paragraph::new(t!("confirm-hint")).style(th.dim), hint);
        }
        Overlay::AcceptLoss {
            code,
            item,
            message,
            editor,
            ..
        } => {
            let r = centered(area, 76, 12);
            f.render_widget(Clear, r);
            let block = popup_block(t!("title-accept-loss"));
            let inner = block.inner(r);
            f.render_widget(block, r);
            let [body, input, hint] = Layout::vertical([
                Constraint::Min(1),
                Constraint::Length(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            f.render_widget(
                Paragraph::new(vec![
                    Line::styled(
                        t!("accept-loss-body", code = code.clone(), item = item.clone()),
                        th.warn,
                    ),
                    Line::styled(message.clone(), th.text),
                    Line::raw(""),
                    Line::styled(t!("confirm-type", word = "LOSS"), th.key),
                ])
                .wrap(Wrap { trim: true }),
                body,
            );
            f.render_widget(&**editor, input);
            place_cursor(f, input, editor);
            f.render_widget(Paragraph::new(t!("confirm-hint")).style(th.dim), hint);
        }
        Overlay::Message { title, body } => {
            let r = centered(area, 72, 10);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(vec![
                    Line::styled(body.clone(), th.text),
                    Line::raw(""),
                    Line::styled(t!("message-hint"), th.dim),
                ])
                .block(popup_block(title.clone()))
                .wrap(Wrap { trim: true }),
                r,
            );
        }
    }
}

/// Puts the terminal's real cursor where the editor's cursor is, so an input method
/// composes Korean, Chinese or Japanese text in the right place.
fn place_cursor(f: &mut Frame, area: Rect, editor: &ratatui_textarea::TextArea<'_>) {
    let c = editor.screen_cursor();
    let (top, left) = editor.scroll_offset();
    let row = u16::try_from(c.row).unwrap_or(0).saturating_sub(top);
    let col = u16::try_from(c.col).unwrap_or(0).saturating_sub(left);
    if row < area.height && col < area.width {
        f.set_cursor_position(Position::new(area.x + col, area.y + row));
    }
}

fn truncate(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total = unicode_width::UnicodeWidthStr::width(s);
    if total <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

fn fmt_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_display_width() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
        // Hangul takes two cells each: never cut a character in half.
        let t = truncate("서버온라인", 5);
        assert_eq!(unicode_width::UnicodeWidthStr::width(t.as_str()), 5);
        assert_eq!(t, "서버…");
    }
}
