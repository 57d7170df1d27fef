//! The troubleshooting screen: the known symptoms of the migration (from the embedded
//! catalog, `assets/troubleshoot/symptoms.toml`) on the left, the selected one's detail on
//! the right (below, on narrow terminals): what the admin sees, the last results, the
//! checks with their lines filled from the deployment, the fix and the source pages.
//!
//! `r` runs the selected symptom's checks on a worker thread, never on the UI task, with
//! [`crate::troubleshoot::runner`] (which says how each kind of check is answered).
//!
//! The results are recorded with [`troubleshoot::record`] on the store thread, and shown
//! (newest first, with text markers) when the store answers.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::{movement, step};
use crate::runbook::{Placeholders, render_line};
use crate::store::EvidenceRecord;
use crate::t;
use crate::troubleshoot::runner::{Cmdlets, Probes, RunnerInputs, Sqls, execute};
use crate::troubleshoot::{
    self, Catalog, CheckKind, CheckResult, CheckStatus, Symptom, USER_PLACEHOLDER, fill_text,
};
use crate::tui::app::{App, AppMsg, InputPurpose, list_offset};
use crate::tui::keymap::Action;
use crate::tui::wrap::{Paragraph, Wrap};

/// What the troubleshoot screen keeps.
#[derive(Default)]
pub struct TroubleshootState {
    /// Selected symptom row.
    pub selected: usize,
    /// The catalog, loaded when the screen is first opened (or why it could not be).
    pub catalog: Option<Result<Arc<Catalog>, String>>,
    /// The detail pane has the arrow keys (enter switches).
    pub detail_focus: bool,
    /// Detail pane scroll.
    pub scroll: u16,
    /// The symptom whose checks are running (one run at a time).
    pub running: Option<String>,
    /// A run the store could not record: (symptom id, results, error).
    pub unsaved: Option<(String, Vec<CheckResult>, String)>,
    /// What the admin pasted or the event log read, and the symptoms it matched.
    pub query: Option<Query>,
    /// An event log being read (its path).
    pub reading: Option<String>,
}

/// A match the screen shows: pasted text or an event log, and the ranked symptoms.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// What was matched, one line (the pasted text, or the file and what it held).
    pub label: String,
    /// True when nothing reached the match score: `ranked` holds the closest candidates.
    pub no_match: bool,
    /// Symptom ids, best first, with their score and why.
    pub ranked: Vec<(String, u32, Vec<String>)>,
}

/// Catalog positions in the order the list shows them: the query's ranking, else the
/// catalog's order.
fn visible(app: &App) -> Vec<usize> {
    let Some(cat) = catalog(app) else {
        return Vec::new();
    };
    match &app.troubleshoot.query {
        Some(q) if !q.ranked.is_empty() => q
            .ranked
            .iter()
            .filter_map(|(id, _, _)| cat.symptoms.iter().position(|s| s.id == *id))
            .collect(),
        _ => (0..cat.symptoms.len()).collect(),
    }
}

/// The loaded catalog, if any.
fn catalog(app: &App) -> Option<&Arc<Catalog>> {
    app.troubleshoot
        .catalog
        .as_ref()
        .and_then(|c| c.as_ref().ok())
}

fn symptom_count(app: &App) -> usize {
    visible(app).len()
}

/// Rows the list wants: the symptoms, and two for what was matched.
fn list_rows(app: &App) -> usize {
    symptom_count(app)
        + if app.troubleshoot.query.is_some() {
            2
        } else {
            0
        }
}

/// The selected symptom (in the list's order).
pub fn selected_symptom(app: &App) -> Option<&Symptom> {
    let i = *visible(app).get(app.troubleshoot.selected)?;
    catalog(app).and_then(|c| c.symptoms.get(i))
}

/// The user the checks are about: the last user looked up on the pools screen.
fn lookup_user(app: &App) -> Option<String> {
    match &app.pools.lookup {
        Some(Ok(v)) if !v.population => Some(v.user.clone()),
        _ => None,
    }
}

/// Placeholder values for the checks: the deployment's, plus `user` when one was looked up.
fn values(app: &App) -> Placeholders {
    let mut v = app.placeholders.clone();
    if let Some(u) = lookup_user(app) {
        v.insert(USER_PLACEHOLDER.to_string(), vec![u]);
    }
    v
}

/// Opened: load the catalog (embedded text, parsed once).
pub fn on_enter(app: &mut App) {
    if app.troubleshoot.catalog.is_none() {
        let lang = crate::i18n::current_language();
        app.troubleshoot.catalog = Some(
            Catalog::embedded_for(&lang)
                .or_else(|_| Catalog::embedded())
                .map(Arc::new)
                .map_err(|e| e.to_string()),
        );
    }
}

/// Ranks the symptoms against pasted or typed text and shows the ranking in the list.
pub fn match_text(app: &mut App, text: &str) {
    on_enter(app);
    let Some(cat) = catalog(app).cloned() else {
        return;
    };
    if text.trim().is_empty() {
        return;
    }
    let r = troubleshoot::matching::rank(&cat, text);
    let no_match = r.matches.is_empty();
    let ranked = if no_match { &r.closest } else { &r.matches };
    let query = Query {
        label: text.split_whitespace().collect::<Vec<_>>().join(" "),
        no_match,
        ranked: ranked
            .iter()
            .map(|m| {
                (
                    m.symptom.id.clone(),
                    m.score,
                    m.reasons.iter().map(|x| x.describe()).collect(),
                )
            })
            .collect(),
    };
    let status = if no_match {
        t!("status-ts-no-match", closest = query.ranked.len())
    } else {
        t!("status-ts-matched", count = query.ranked.len())
    };
    app.set_status(status, no_match);
    show_query(app, query);
}

fn show_query(app: &mut App, query: Query) {
    app.troubleshoot.query = Some(query);
    app.troubleshoot.selected = 0;
    app.troubleshoot.scroll = 0;
    app.troubleshoot.detail_focus = false;
}

/// Reads an event log file (`.evtx` or Get-WinEvent JSON) on a worker thread and shows the
/// symptoms its events match.
pub fn read_event_log(app: &mut App, path: &str) {
    on_enter(app);
    let Some(cat) = catalog(app).cloned() else {
        return;
    };
    let path = path.trim().trim_matches('"').to_string();
    if path.is_empty() || app.troubleshoot.reading.is_some() {
        return;
    }
    // A number is hours to pull from the servers (production).
    if let Ok(hours) = path.parse::<u32>() {
        pull_events(app, cat, hours);
        return;
    }
    app.troubleshoot.reading = Some(path.clone());
    app.set_status(t!("status-ts-reading", file = path.clone()), false);
    let tx = app.sender();
    let spawned = std::thread::Builder::new()
        .name("event-log".into())
        .spawn(move || {
            let read = std::panic::catch_unwind(AssertUnwindSafe(|| {
                troubleshoot::command::read_file(std::path::Path::new(&path), &cat)
            }));
            let msg: Box<dyn FnOnce(&mut App) + Send> = Box::new(move |app: &mut App| {
                app.troubleshoot.reading = None;
                match read {
                    Ok(Ok(report)) => show_report(app, &report),
                    Ok(Err(e)) => app.set_status(e.to_string(), true),
                    Err(_) => app.set_status(t!("status-ts-crashed"), true),
                }
            });
            let _ = tx.send(AppMsg::Apply(msg));
        });
    if let Err(e) = spawned {
        app.troubleshoot.reading = None;
        app.set_status(t!("status-save-failed", error = e.to_string()), true);
    }
}

/// Production: reads the last `hours` of the servers' event logs through the executor
/// (read-only `Get-WinEvent`, the `events` task) on a worker thread.
fn pull_events(app: &mut App, cat: Arc<Catalog>, hours: u32) {
    let env = match app.job_env() {
        Ok(env) if env.profile.kind == crate::deployment::DeploymentKind::Production => env.clone(),
        _ => {
            app.set_status(t!("status-ts-pull-production"), true);
            return;
        }
    };
    let label = format!("Get-WinEvent, {hours} h");
    app.troubleshoot.reading = Some(label.clone());
    app.set_status(t!("status-ts-reading", file = label.clone()), false);
    let tx = app.sender();
    let spawned = std::thread::Builder::new()
        .name("event-pull".into())
        .spawn(move || {
            let opts = crate::exec::TaskOptions {
                events_hours: hours,
                ..Default::default()
            };
            let run = crate::exec::run_task_with(
                crate::exec::Task::Events,
                &env,
                &opts,
                &crate::progress::NullReporter::default(),
            );
            let msg: Box<dyn FnOnce(&mut App) + Send> = Box::new(move |app: &mut App| {
                app.troubleshoot.reading = None;
                match run {
                    Ok(o) => {
                        let objects = o.detail["events"].as_array().cloned().unwrap_or_default();
                        let report = troubleshoot::events::from_pull(
                            &format!("{label} ({})", o.summary),
                            &objects,
                            &cat,
                        );
                        show_report(app, &report);
                    }
                    Err(e) => app.set_status(e.to_string(), true),
                }
            });
            let _ = tx.send(AppMsg::Apply(msg));
        });
    if let Err(e) = spawned {
        app.troubleshoot.reading = None;
        app.set_status(t!("status-save-failed", error = e.to_string()), true);
    }
}

/// Shows an event report: the matched symptoms, ranked by their best event.
pub fn show_report(app: &mut App, report: &troubleshoot::events::EventReport) {
    let mut ranked: Vec<(String, u32, Vec<String>)> = Vec::new();
    for g in &report.groups {
        for m in &g.symptoms {
            let why = format!(
                "event {} {} ×{} ({})",
                g.id,
                g.provider,
                g.count,
                m.reasons.join("; ")
            );
            match ranked.iter_mut().find(|(id, _, _)| *id == m.id) {
                Some(r) => {
                    r.1 = r.1.max(m.score);
                    r.2.push(why);
                }
                None => ranked.push((m.id.clone(), m.score, vec![why])),
            }
        }
    }
    ranked.sort_by_key(|x| std::cmp::Reverse(x.1));
    let damaged = report.damage.as_ref().map_or(0, |d| d.errors);
    let status = if damaged > 0 {
        t!(
            "status-ts-events-damaged",
            kept = report.kept,
            symptoms = ranked.len()
        )
    } else {
        t!(
            "status-ts-events",
            kept = report.kept,
            symptoms = ranked.len()
        )
    };
    app.set_status(status, damaged > 0 || ranked.is_empty());
    let no_match = ranked.is_empty();
    show_query(
        app,
        Query {
            label: report.source.clone(),
            no_match,
            ranked,
        },
    );
}

/// Keys of the screen: ↑/↓ choose a symptom (or scroll the detail once enter gave it the
/// keys), PgUp/PgDn scroll the detail, esc gives the keys back to the list, r runs the
/// checks.
pub fn on_action(app: &mut App, action: Action) -> bool {
    if let Some(d) = movement(action) {
        let scroll =
            app.troubleshoot.detail_focus || matches!(action, Action::PageUp | Action::PageDown);
        if scroll {
            let max = max_scroll(app);
            let s = i64::from(app.troubleshoot.scroll) + i64::from(d);
            app.troubleshoot.scroll = u16::try_from(s.clamp(0, i64::from(max))).unwrap_or(0);
        } else {
            let n = step(app.troubleshoot.selected, d, symptom_count(app));
            if n != app.troubleshoot.selected {
                app.troubleshoot.selected = n;
                app.troubleshoot.scroll = 0;
            }
        }
        return true;
    }
    match action {
        Action::Enter => {
            app.troubleshoot.detail_focus = !app.troubleshoot.detail_focus;
            true
        }
        Action::Back if app.troubleshoot.detail_focus => {
            app.troubleshoot.detail_focus = false;
            true
        }
        Action::Back if app.troubleshoot.query.is_some() => {
            app.troubleshoot.query = None;
            app.troubleshoot.selected = 0;
            app.troubleshoot.scroll = 0;
            true
        }
        Action::MatchText => {
            app.open_input(InputPurpose::TroubleshootText, &t!("ts-match-placeholder"));
            true
        }
        Action::ReadEventLog => {
            app.open_input(
                InputPurpose::TroubleshootEventLog,
                &t!("ts-events-placeholder"),
            );
            true
        }
        Action::RunChecks => {
            run_selected(app);
            true
        }
        _ => false,
    }
}

// ---- running the checks ------------------------------------------------------------------

/// Starts the selected symptom's checks on a worker thread; the results are recorded on the
/// store thread and shown when it answers.
fn run_selected(app: &mut App) {
    let Some(symptom) = selected_symptom(app).cloned() else {
        return;
    };
    if let Some(id) = &app.troubleshoot.running {
        let title = catalog(app)
            .and_then(|c| c.symptom(id))
            .map_or_else(|| id.clone(), |s| s.title.clone());
        app.set_status(t!("status-ts-busy", symptom = title), true);
        return;
    }
    let values = values(app);
    let inputs = RunnerInputs {
        snapshot: app.pools.snapshot.clone(),
        profile: app.profile.clone(),
        data_dir: app.data_dir.clone(),
        job_env: app.job_env().cloned().map_err(str::to_string),
    };
    let mut probes = Probes::new(&inputs);
    let mut cmdlets = Cmdlets::new(&inputs);
    let sqls = Sqls::new(&inputs);
    let tx = app.sender();
    app.troubleshoot.running = Some(symptom.id.clone());
    app.troubleshoot.scroll = 0;
    app.set_status(
        t!("status-ts-running", symptom = symptom.title.clone()),
        false,
    );
    let spawned = std::thread::Builder::new()
        .name("troubleshoot".into())
        .spawn(move || {
            let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
                execute(&symptom, &values, &mut probes, &mut cmdlets, &sqls)
            }));
            let msg: Box<dyn FnOnce(&mut App) + Send> = match run {
                Ok(results) => Box::new(move |app: &mut App| save(app, symptom, results)),
                Err(_) => Box::new(|app: &mut App| {
                    app.troubleshoot.running = None;
                    app.set_status(t!("status-ts-crashed"), true);
                }),
            };
            let _ = tx.send(AppMsg::Apply(msg));
        });
    if let Err(e) = spawned {
        app.troubleshoot.running = None;
        app.set_status(t!("status-save-failed", error = e.to_string()), true);
    }
}

/// Records a run on the store thread; the evidence shows when it is committed.
fn save(app: &mut App, symptom: Symptom, results: Vec<CheckResult>) {
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    app.submit_store(move |store| {
        let saved =
            troubleshoot::record(store, sid, &symptom, &results, &who).map_err(|e| e.to_string());
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
            app.troubleshoot.running = None;
            match saved {
                Ok(ev) => {
                    let count = |s: CheckStatus| results.iter().filter(|r| r.status == s).count();
                    let failed = count(CheckStatus::Failed);
                    let passed = count(CheckStatus::Passed);
                    let open = results.len() - failed - passed;
                    app.set_status(
                        t!(
                            "status-ts-recorded",
                            item = ev.item_id.clone(),
                            failed = failed,
                            passed = passed,
                            open = open
                        ),
                        failed > 0,
                    );
                    app.facts.push_evidence(ev);
                    app.rederive();
                    app.troubleshoot.unsaved = None;
                }
                Err(e) => {
                    app.set_status(t!("status-save-failed", error = e.clone()), true);
                    app.troubleshoot.unsaved = Some((symptom.id, results, e));
                }
            }
        })));
    });
}

// ---- drawing ------------------------------------------------------------------------------

/// The list and detail panes of the body: side by side from 120 columns, else the list
/// above the detail.
fn panes(area: Rect, n: usize) -> (Rect, Rect) {
    if area.width >= 120 {
        let [l, d] = Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)])
            .areas(area);
        (l, d)
    } else {
        let want = u16::try_from(n).unwrap_or(u16::MAX).saturating_add(2);
        let h = want.min(area.height * 2 / 5).max(4);
        let [l, d] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(area);
        (l, d)
    }
}

/// The body area for the terminal size (header above; status and footer below).
fn body_for(size: (u16, u16)) -> Rect {
    Rect::new(0, 1, size.0, size.1.saturating_sub(3))
}

/// Rows the detail text takes at its width, minus the visible height: the largest scroll.
fn max_scroll(app: &App) -> u16 {
    let Some(s) = selected_symptom(app) else {
        return 0;
    };
    let (_, detail) = panes(body_for(app.size), list_rows(app));
    let w = usize::from(detail.width.saturating_sub(2)).max(1);
    let rows: usize = detail_lines(app, s)
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            wrapped_rows(&text, w)
        })
        .sum();
    u16::try_from(rows.saturating_sub(usize::from(detail.height.saturating_sub(2))))
        .unwrap_or(u16::MAX)
}

/// Rows a line takes when word-wrapped at `w` cells, as the paragraph wraps it
/// ([`crate::tui::wrap::wrap_line`]).
fn wrapped_rows(text: &str, w: usize) -> usize {
    let w = u16::try_from(w).unwrap_or(u16::MAX);
    crate::tui::wrap::wrap_line(&Line::raw(text), ratatui::style::Style::default(), w, false)
        .len()
        .max(1)
}

fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            app.theme.border_focus
        } else {
            app.theme.border
        })
        .title(Span::styled(format!(" {title} "), app.theme.title))
}

/// This symptom's recorded runs, newest first.
fn runs<'a>(app: &'a App, s: &Symptom) -> Vec<&'a EvidenceRecord> {
    let source = troubleshoot::evidence_source(s);
    s.items
        .first()
        .map(|i| {
            app.evidence_of(i)
                .iter()
                .filter(|e| e.evidence.source == source)
                .collect()
        })
        .unwrap_or_default()
}

/// The list marker of a symptom: running, never run, or the last verdict (text, so it
/// reads without colour).
fn marker(app: &App, s: &Symptom) -> (&'static str, ratatui::style::Style) {
    if app.troubleshoot.running.as_deref() == Some(s.id.as_str()) {
        return ("…", app.theme.warn);
    }
    match runs(app, s).first().map(|e| e.evidence.passed) {
        None => ("·", app.theme.dim),
        Some(Some(true)) => ("✓", app.theme.ok),
        Some(Some(false)) => ("✗", app.theme.error),
        Some(None) => ("?", app.theme.warn),
    }
}

/// Draws the screen.
pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let cat = match &app.troubleshoot.catalog {
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(t!("ts-catalog-error", error = e.clone()))
                    .style(app.theme.error)
                    .wrap(Wrap { trim: false })
                    .block(block(app, t!("title-ts-symptoms", count = 0), false)),
                area,
            );
            return;
        }
        None => return,
    };
    let (list, detail) = panes(area, list_rows(app));
    draw_list(f, list, app, cat);
    draw_detail(f, detail, app);
}

fn draw_list(f: &mut Frame, area: Rect, app: &App, cat: &Catalog) {
    let order = visible(app);
    let query = app.troubleshoot.query.as_ref();
    let title = match query {
        Some(q) if q.no_match => t!("title-ts-no-match", count = order.len()),
        Some(_) => t!("title-ts-matches", count = order.len()),
        None => t!("title-ts-symptoms", count = cat.symptoms.len()),
    };
    let b = block(app, title, !app.troubleshoot.detail_focus);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let mut lines = Vec::new();
    let mut height = usize::from(inner.height);
    if let Some(q) = query {
        let what = if q.no_match {
            t!("ts-query-none", text = q.label.clone())
        } else {
            t!("ts-query", text = q.label.clone())
        };
        // Two rows at most, cut by display width (Korean takes two cells a character).
        let style = if q.no_match {
            app.theme.warn
        } else {
            app.theme.dim
        };
        let width = usize::from(inner.width.max(1));
        let mut rest = what.as_str();
        for _ in 0..2 {
            if rest.is_empty() {
                break;
            }
            let (row, tail) = split_at_width(rest, width);
            lines.push(Line::styled(row.to_string(), style));
            rest = tail;
        }
        height = height.saturating_sub(lines.len());
    }
    // Wide: two rows a symptom (the title, what the admin sees or why it matched);
    // narrow: the title.
    let per = if area.width >= 60 && height >= order.len() * 2 {
        2
    } else {
        1
    };
    let rows = height / per;
    let first = list_offset(app.troubleshoot.selected, rows);
    for (pos, &i) in order.iter().enumerate().skip(first).take(rows) {
        let s = &cat.symptoms[i];
        let (mark, style) = marker(app, s);
        let score = query.and_then(|q| q.ranked.iter().find(|(id, _, _)| *id == s.id));
        let mut spans = vec![Span::styled(format!("{mark} "), style)];
        if let Some((_, sc, _)) = score {
            spans.push(Span::styled(format!("{sc:>3} "), app.theme.dim));
        }
        spans.push(Span::styled(s.title.clone(), app.theme.text));
        let mut line = Line::from(spans);
        if pos == app.troubleshoot.selected {
            line = line.style(app.theme.selected);
        }
        lines.push(line);
        if per == 2 {
            let second = match score {
                Some((_, _, why)) if !why.is_empty() => why.join("; "),
                _ => s.sees.clone(),
            };
            lines.push(Line::styled(format!("  {second}"), app.theme.dim));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// The longest head of `s` that fits in `width` cells, and the rest.
fn split_at_width(s: &str, width: usize) -> (&str, &str) {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            return (&s[..i], &s[i..]);
        }
        used += w;
    }
    (s, "")
}

fn draw_detail(f: &mut Frame, area: Rect, app: &App) {
    let Some(s) = selected_symptom(app) else {
        return;
    };
    let lines = detail_lines(app, s);
    // After a resize the scroll may be past the end: show the end.
    let scroll = app.troubleshoot.scroll.min(max_scroll(app));
    f.render_widget(
        Paragraph::new(lines)
            .block(block(app, s.id.clone(), app.troubleshoot.detail_focus))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// A check status as a word in brackets, styled.
fn status_mark(app: &App, s: CheckStatus) -> Span<'static> {
    let (id, style) = match s {
        CheckStatus::Passed => ("ts-mark-passed", app.theme.ok),
        CheckStatus::Failed => ("ts-mark-failed", app.theme.error),
        CheckStatus::Unknown => ("ts-mark-unknown", app.theme.warn),
        CheckStatus::Manual => ("ts-mark-manual", app.theme.dim),
        CheckStatus::NotRun => ("ts-mark-not-run", app.theme.warn),
    };
    Span::styled(format!("[{}]", t!(id)), style)
}

fn kind_word(k: CheckKind) -> String {
    match k {
        CheckKind::Probe => t!("ts-kind-probe"),
        CheckKind::Cmdlet => t!("ts-kind-cmdlet"),
        CheckKind::Sql => t!("ts-kind-sql"),
        CheckKind::Manual => t!("ts-kind-manual"),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn result_lines(app: &App, results: &[CheckResult], out: &mut Vec<Line<'static>>) {
    for r in results {
        let head = match (r.kind, &r.command) {
            (CheckKind::Manual, _) | (_, None) => r.what.clone(),
            (_, Some(c)) => c.clone(),
        };
        out.push(Line::from(vec![
            status_mark(app, r.status),
            Span::styled(format!(" {}. {head}", r.check), app.theme.text),
        ]));
        if !r.output.is_empty() {
            out.push(Line::styled(format!("    {}", r.output), app.theme.dim));
        }
    }
}

/// Whether a symptom's checks or fix name the user who has the problem.
fn uses_user(s: &Symptom) -> bool {
    let mark = format!("{{{{{USER_PLACEHOLDER}}}}}");
    s.checks
        .iter()
        .flat_map(|c| {
            [
                Some(&c.what),
                Some(&c.expect),
                c.target.as_ref(),
                c.cmdlet.as_ref(),
            ]
        })
        .flatten()
        .chain(std::iter::once(&s.fix))
        .chain(s.fix_cmdlets.iter())
        .any(|t| t.contains(&mark))
}

/// Everything the detail pane shows for a symptom.
fn detail_lines(app: &App, s: &Symptom) -> Vec<Line<'static>> {
    let v = values(app);
    let th = &app.theme;
    let mut out = vec![Line::styled(s.title.clone(), th.title)];
    out.push(Line::from(vec![
        Span::styled(format!("{} ", t!("ts-sees")), th.dim),
        Span::styled(fill_text(&s.sees, &v), th.text),
    ]));
    if let Some((_, score, why)) = app
        .troubleshoot
        .query
        .as_ref()
        .and_then(|q| q.ranked.iter().find(|(id, _, _)| *id == s.id))
    {
        out.push(Line::styled(
            t!("ts-why", score = *score, why = why.join("; ")),
            th.warn,
        ));
    }
    out.push(Line::from(vec![
        Span::styled(format!("{} ", t!("ts-cause")), th.dim),
        Span::styled(fill_text(&s.cause, &v), th.text),
    ]));
    if let Some(d) = &s.disagreement {
        out.push(Line::styled(
            t!("ts-disagreement", text = d.clone()),
            th.warn,
        ));
    }
    if s.inferred {
        out.push(Line::styled(t!("ts-inferred"), th.warn));
    }
    out.push(Line::styled(
        t!("ts-items", items = s.items.join(", ")),
        th.dim,
    ));
    if uses_user(s) {
        out.push(Line::styled(
            match lookup_user(app) {
                Some(u) => t!("ts-user", user = u),
                None => t!("ts-no-user"),
            },
            th.dim,
        ));
    }

    // The last results first: they are what the admin looks for after r.
    out.push(Line::raw(""));
    out.push(Line::styled(t!("ts-results"), th.title));
    if app.troubleshoot.running.as_deref() == Some(s.id.as_str()) {
        out.push(Line::styled(t!("ts-running"), th.warn));
    }
    if let Some((id, results, e)) = &app.troubleshoot.unsaved
        && *id == s.id
    {
        out.push(Line::styled(t!("ts-unsaved", error = e.clone()), th.error));
        result_lines(app, results, &mut out);
    }
    let runs = runs(app, s);
    match runs.first() {
        None if app.troubleshoot.running.is_none() => {
            out.push(Line::styled(t!("ts-no-results"), th.dim));
        }
        None => {}
        Some(ev) => {
            out.push(Line::styled(
                t!(
                    "ts-run-at",
                    when = when(ev.at),
                    who = ev.who.clone(),
                    summary = ev.evidence.summary.clone()
                ),
                th.text,
            ));
            let results: Vec<CheckResult> =
                serde_json::from_value(ev.evidence.detail["checks"].clone()).unwrap_or_default();
            result_lines(app, &results, &mut out);
            for older in runs.iter().skip(1).take(3) {
                out.push(Line::styled(
                    t!(
                        "ts-run-at",
                        when = when(older.at),
                        who = older.who.clone(),
                        summary = older.evidence.summary.clone()
                    ),
                    th.dim,
                ));
            }
        }
    }

    out.push(Line::raw(""));
    out.push(Line::styled(t!("ts-checks"), th.title));
    for (i, c) in s.checks.iter().enumerate() {
        out.push(Line::from(vec![
            Span::styled(format!("{}. {} · ", i + 1, kind_word(c.kind)), th.dim),
            Span::styled(fill_text(&c.what, &v), th.text),
        ]));
        if let (Some(p), Some(target)) = (&c.probe, &c.target) {
            out.push(Line::styled(
                format!("   {p} {}", fill_text(target, &v)),
                th.code,
            ));
        }
        if let Some(line) = &c.cmdlet {
            code_lines(app, line, &v, &mut out);
        }
        if let (Some(db), Some(q)) = (&c.database, &c.query) {
            out.push(Line::styled(format!("   SQL ({db})> {q}"), th.code));
        }
        out.push(Line::styled(
            t!("ts-expect", text = fill_text(&c.expect, &v)),
            th.dim,
        ));
    }

    out.push(Line::raw(""));
    out.push(Line::styled(t!("ts-fix"), th.title));
    out.push(Line::styled(fill_text(&s.fix, &v), th.text));
    for line in &s.fix_cmdlets {
        code_lines(app, line, &v, &mut out);
    }
    out.push(Line::styled(
        t!("ts-source", source = s.source.clone()),
        th.dim,
    ));
    out
}

/// A cmdlet line filled from the deployment (one per server for per-server names), or as
/// written with why it cannot be filled.
fn code_lines(app: &App, line: &str, v: &Placeholders, out: &mut Vec<Line<'static>>) {
    let prompt = |l: &str| {
        if l.starts_with('#') {
            format!("   {l}")
        } else {
            format!("   PS> {l}")
        }
    };
    match render_line(line, v) {
        Ok(lines) => {
            for l in lines {
                out.push(Line::styled(prompt(&l), app.theme.code));
            }
        }
        Err(e) => {
            out.push(Line::styled(prompt(line), app.theme.code));
            out.push(Line::styled(format!("   ({e})"), app.theme.warn));
        }
    }
}
