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
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::Component;
use super::{movement, step};
use crate::runbook::{Placeholders, render_line};
use crate::store::EvidenceRecord;
use crate::t;
use crate::troubleshoot::runner::{Cmdlets, Probes, RunnerInputs, Sqls, execute};
use crate::troubleshoot::{
    self, Catalog, CheckKind, CheckResult, CheckStatus, Symptom, USER_PLACEHOLDER, fill_text,
};
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Context};
use crate::tui::layout::list_offset;
use crate::tui::msg::AppMsg;
use crate::tui::overlays::InputPurpose;

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

/// The user the checks are about: the last user looked up on the pools screen.
fn lookup_user(ctx: &Ctx) -> Option<String> {
    match &ctx.lookup {
        Some(Ok(v)) if !v.population => Some(v.user.clone()),
        _ => None,
    }
}

/// Placeholder values for the checks: the deployment's, plus `user` when one was looked up.
fn values(ctx: &Ctx) -> Placeholders {
    let mut v = ctx.placeholders.clone();
    if let Some(u) = lookup_user(ctx) {
        v.insert(USER_PLACEHOLDER.to_string(), vec![u]);
    }
    v
}

// ---- running the checks ------------------------------------------------------------------

/// Records a run on the store thread; the evidence shows when it is committed.
fn save(ctx: &mut Ctx, symptom: Symptom, results: Vec<CheckResult>) {
    let (sid, who, tx) = (ctx.session.id, ctx.operator.clone(), ctx.sender());
    ctx.submit_store(move |store| {
        let saved =
            troubleshoot::record(store, sid, &symptom, &results, &who).map_err(|e| e.to_string());
        let _ = tx.send(AppMsg::Troubleshoot(Box::new(TroubleshootMsg::RunSaved {
            symptom,
            results,
            saved,
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

/// Rows a line takes when word-wrapped at `w` cells (greedy, as the paragraph wraps; a
/// word wider than the pane is broken).
fn wrapped_rows(text: &str, w: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    let (mut rows, mut col) = (1usize, 0usize);
    for (i, word) in text.split(' ').enumerate() {
        let ww = word.width();
        let need = if i == 0 { ww } else { col + 1 + ww };
        if need <= w {
            col = need;
        } else if ww <= w {
            rows += 1;
            col = ww;
        } else {
            if col > 0 {
                rows += 1;
            }
            rows += (ww - 1) / w;
            col = (ww - 1) % w + 1;
        }
    }
    rows
}

fn block<'a>(ctx: &Ctx, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            ctx.theme.border_focus
        } else {
            ctx.theme.border
        })
        .title(Span::styled(format!(" {title} "), ctx.theme.title))
}

/// This symptom's recorded runs, newest first.
fn runs<'a>(ctx: &'a Ctx, s: &Symptom) -> Vec<&'a EvidenceRecord> {
    let source = troubleshoot::evidence_source(s);
    s.items
        .first()
        .map(|i| {
            ctx.evidence_of(i)
                .iter()
                .filter(|e| e.evidence.source == source)
                .collect()
        })
        .unwrap_or_default()
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

/// A check status as a word in brackets, styled.
fn status_mark(ctx: &Ctx, s: CheckStatus) -> Span<'static> {
    let (id, style) = match s {
        CheckStatus::Passed => ("ts-mark-passed", ctx.theme.ok),
        CheckStatus::Failed => ("ts-mark-failed", ctx.theme.error),
        CheckStatus::Unknown => ("ts-mark-unknown", ctx.theme.warn),
        CheckStatus::Manual => ("ts-mark-manual", ctx.theme.dim),
        CheckStatus::NotRun => ("ts-mark-not-run", ctx.theme.warn),
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

fn result_lines(ctx: &Ctx, results: &[CheckResult], out: &mut Vec<Line<'static>>) {
    for r in results {
        let head = match (r.kind, &r.command) {
            (CheckKind::Manual, _) | (_, None) => r.what.clone(),
            (_, Some(c)) => c.clone(),
        };
        out.push(Line::from(vec![
            status_mark(ctx, r.status),
            Span::styled(format!(" {}. {head}", r.check), ctx.theme.text),
        ]));
        if !r.output.is_empty() {
            out.push(Line::styled(format!("    {}", r.output), ctx.theme.dim));
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

/// A cmdlet line filled from the deployment (one per server for per-server names), or as
/// written with why it cannot be filled.
fn code_lines(ctx: &Ctx, line: &str, v: &Placeholders, out: &mut Vec<Line<'static>>) {
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
                out.push(Line::styled(prompt(&l), ctx.theme.code));
            }
        }
        Err(e) => {
            out.push(Line::styled(prompt(line), ctx.theme.code));
            out.push(Line::styled(format!("   ({e})"), ctx.theme.warn));
        }
    }
}

impl TroubleshootState {
    /// Catalog positions in the order the list shows them: the query's ranking, else the
    /// catalog's order.
    fn visible(&self) -> Vec<usize> {
        let Some(cat) = self.catalog() else {
            return Vec::new();
        };
        match &self.query {
            Some(q) if !q.ranked.is_empty() => q
                .ranked
                .iter()
                .filter_map(|(id, _, _)| cat.symptoms.iter().position(|s| s.id == *id))
                .collect(),
            _ => (0..cat.symptoms.len()).collect(),
        }
    }

    /// The loaded catalog, if any.
    fn catalog(&self) -> Option<&Arc<Catalog>> {
        self.catalog.as_ref().and_then(|c| c.as_ref().ok())
    }

    fn symptom_count(&self) -> usize {
        self.visible().len()
    }

    /// Rows the list wants: the symptoms, and two for what was matched.
    fn list_rows(&self) -> usize {
        self.symptom_count() + if self.query.is_some() { 2 } else { 0 }
    }

    /// The selected symptom (in the list's order).
    pub fn selected_symptom(&self) -> Option<&Symptom> {
        let i = *self.visible().get(self.selected)?;
        self.catalog().and_then(|c| c.symptoms.get(i))
    }

    /// Opened: load the catalog (embedded text, parsed once).
    fn enter(&mut self) {
        if self.catalog.is_none() {
            let lang = crate::i18n::current_language();
            self.catalog = Some(
                Catalog::embedded_for(&lang)
                    .or_else(|_| Catalog::embedded())
                    .map(Arc::new)
                    .map_err(|e| e.to_string()),
            );
        }
    }

    /// Ranks the symptoms against pasted or typed text and shows the ranking in the list.
    pub fn match_text(&mut self, ctx: &mut Ctx, text: &str) {
        self.enter();
        let Some(cat) = self.catalog().cloned() else {
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
        ctx.set_status(status, no_match);
        self.show_query(query);
    }

    fn show_query(&mut self, query: Query) {
        self.query = Some(query);
        self.selected = 0;
        self.scroll = 0;
        self.detail_focus = false;
    }

    /// Reads an event log file (`.evtx` or Get-WinEvent JSON) on a worker thread and shows the
    /// symptoms its events match.
    pub fn read_event_log(&mut self, ctx: &mut Ctx, path: &str) {
        self.enter();
        let Some(cat) = self.catalog().cloned() else {
            return;
        };
        let path = path.trim().trim_matches('"').to_string();
        if path.is_empty() || self.reading.is_some() {
            return;
        }
        // A number is hours to pull from the servers (production).
        if let Ok(hours) = path.parse::<u32>() {
            self.pull_events(ctx, cat, hours);
            return;
        }
        self.reading = Some(path.clone());
        ctx.set_status(t!("status-ts-reading", file = path.clone()), false);
        let tx = ctx.sender();
        let spawned = std::thread::Builder::new()
            .name("event-log".into())
            .spawn(move || {
                let read = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    troubleshoot::command::read_file(std::path::Path::new(&path), &cat)
                }));
                let report = match read {
                    Ok(Ok(report)) => Ok(report),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(t!("status-ts-crashed")),
                };
                let _ = tx.send(AppMsg::Troubleshoot(Box::new(TroubleshootMsg::EventsRead(
                    report,
                ))));
            });
        if let Err(e) = spawned {
            self.reading = None;
            ctx.set_status(t!("status-save-failed", error = e.to_string()), true);
        }
    }

    /// Production: reads the last `hours` of the servers' event logs through the executor
    /// (read-only `Get-WinEvent`, the `events` task) on a worker thread.
    fn pull_events(&mut self, ctx: &mut Ctx, cat: Arc<Catalog>, hours: u32) {
        let env = match ctx.job_env() {
            Ok(env) if env.profile.kind == crate::deployment::DeploymentKind::Production => {
                env.clone()
            }
            _ => {
                ctx.set_status(t!("status-ts-pull-production"), true);
                return;
            }
        };
        let label = format!("Get-WinEvent, {hours} h");
        self.reading = Some(label.clone());
        ctx.set_status(t!("status-ts-reading", file = label.clone()), false);
        let tx = ctx.sender();
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
                let report = run.map_err(|e| e.to_string()).map(|o| {
                    let objects = o.detail["events"].as_array().cloned().unwrap_or_default();
                    troubleshoot::events::from_pull(
                        &format!("{label} ({})", o.summary),
                        &objects,
                        &cat,
                    )
                });
                let _ = tx.send(AppMsg::Troubleshoot(Box::new(TroubleshootMsg::EventsRead(
                    report,
                ))));
            });
        if let Err(e) = spawned {
            self.reading = None;
            ctx.set_status(t!("status-save-failed", error = e.to_string()), true);
        }
    }

    /// Shows an event report: the matched symptoms, ranked by their best event.
    pub fn show_report(&mut self, ctx: &mut Ctx, report: &troubleshoot::events::EventReport) {
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
        ctx.set_status(status, damaged > 0 || ranked.is_empty());
        let no_match = ranked.is_empty();
        self.show_query(Query {
            label: report.source.clone(),
            no_match,
            ranked,
        });
    }

    /// Keys of the screen: ↑/↓ choose a symptom (or scroll the detail once enter gave it the
    /// keys), PgUp/PgDn scroll the detail, esc gives the keys back to the list, r runs the
    /// checks.
    fn act(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        if let Some(d) = movement(action) {
            let scroll = self.detail_focus || matches!(action, Action::PageUp | Action::PageDown);
            if scroll {
                let max = self.max_scroll(ctx);
                let s = i64::from(self.scroll) + i64::from(d);
                self.scroll = u16::try_from(s.clamp(0, i64::from(max))).unwrap_or(0);
            } else {
                let n = step(self.selected, d, self.symptom_count());
                if n != self.selected {
                    self.selected = n;
                    self.scroll = 0;
                }
            }
            return true;
        }
        match action {
            Action::Enter => {
                self.detail_focus = !self.detail_focus;
                true
            }
            Action::Back if self.detail_focus => {
                self.detail_focus = false;
                true
            }
            Action::Back if self.query.is_some() => {
                self.query = None;
                self.selected = 0;
                self.scroll = 0;
                true
            }
            Action::MatchText => {
                ctx.open_input(InputPurpose::TroubleshootText, &t!("ts-match-placeholder"));
                true
            }
            Action::ReadEventLog => {
                ctx.open_input(
                    InputPurpose::TroubleshootEventLog,
                    &t!("ts-events-placeholder"),
                );
                true
            }
            Action::RunChecks => {
                self.run_selected(ctx);
                true
            }
            _ => false,
        }
    }

    /// Starts the selected symptom's checks on a worker thread; the results are recorded on the
    /// store thread and shown when it answers.
    fn run_selected(&mut self, ctx: &mut Ctx) {
        let Some(symptom) = self.selected_symptom().cloned() else {
            return;
        };
        if let Some(id) = &self.running {
            let title = self
                .catalog()
                .and_then(|c| c.symptom(id))
                .map_or_else(|| id.clone(), |s| s.title.clone());
            ctx.set_status(t!("status-ts-busy", symptom = title), true);
            return;
        }
        let values = values(ctx);
        let inputs = RunnerInputs {
            snapshot: ctx.snapshot.clone(),
            profile: ctx.profile.clone(),
            data_dir: ctx.data_dir.clone(),
            job_env: ctx.job_env().cloned().map_err(str::to_string),
        };
        let mut probes = Probes::new(&inputs);
        let mut cmdlets = Cmdlets::new(&inputs);
        let sqls = Sqls::new(&inputs);
        let tx = ctx.sender();
        self.running = Some(symptom.id.clone());
        self.scroll = 0;
        ctx.set_status(
            t!("status-ts-running", symptom = symptom.title.clone()),
            false,
        );
        let spawned = std::thread::Builder::new()
            .name("troubleshoot".into())
            .spawn(move || {
                let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    execute(&symptom, &values, &mut probes, &mut cmdlets, &sqls)
                }));
                let _ = tx.send(AppMsg::Troubleshoot(Box::new(
                    TroubleshootMsg::ChecksDone {
                        symptom,
                        results: run.ok(),
                    },
                )));
            });
        if let Err(e) = spawned {
            self.running = None;
            ctx.set_status(t!("status-save-failed", error = e.to_string()), true);
        }
    }

    /// A run was recorded (or not): show it; an unrecorded run stays on screen with the error.
    fn on_run_saved(
        &mut self,
        ctx: &mut Ctx,
        symptom: Symptom,
        results: Vec<CheckResult>,
        saved: Result<EvidenceRecord, String>,
    ) {
        self.running = None;
        match saved {
            Ok(ev) => {
                let count = |s: CheckStatus| results.iter().filter(|r| r.status == s).count();
                let failed = count(CheckStatus::Failed);
                let passed = count(CheckStatus::Passed);
                let open = results.len() - failed - passed;
                ctx.set_status(
                    t!(
                        "status-ts-recorded",
                        item = ev.item_id.clone(),
                        failed = failed,
                        passed = passed,
                        open = open
                    ),
                    failed > 0,
                );
                ctx.facts.push_evidence(ev);
                ctx.rederive();
                self.unsaved = None;
            }
            Err(e) => {
                ctx.set_status(t!("status-save-failed", error = e.clone()), true);
                self.unsaved = Some((symptom.id, results, e));
            }
        }
    }

    /// The checks ended on their worker thread (None: the thread panicked).
    fn on_checks_done(
        &mut self,
        ctx: &mut Ctx,
        symptom: Symptom,
        results: Option<Vec<CheckResult>>,
    ) {
        match results {
            Some(results) => save(ctx, symptom, results),
            None => {
                self.running = None;
                ctx.set_status(t!("status-ts-crashed"), true);
            }
        }
    }

    /// An event log was read or pulled: show the symptoms it matches.
    fn on_events_read(
        &mut self,
        ctx: &mut Ctx,
        report: Result<troubleshoot::events::EventReport, String>,
    ) {
        self.reading = None;
        match report {
            Ok(report) => self.show_report(ctx, &report),
            Err(e) => ctx.set_status(e, true),
        }
    }

    /// Rows the detail text takes at its width, minus the visible height: the largest scroll.
    fn max_scroll(&self, ctx: &Ctx) -> u16 {
        let Some(s) = self.selected_symptom() else {
            return 0;
        };
        let (_, detail) = panes(body_for(ctx.size), self.list_rows());
        let w = usize::from(detail.width.saturating_sub(2)).max(1);
        let rows: usize = self
            .detail_lines(ctx, s)
            .iter()
            .map(|l| {
                let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
                wrapped_rows(&text, w)
            })
            .sum();
        u16::try_from(rows.saturating_sub(usize::from(detail.height.saturating_sub(2))))
            .unwrap_or(u16::MAX)
    }

    /// The list marker of a symptom: running, never run, or the last verdict (text, so it
    /// reads without colour).
    fn marker(&self, ctx: &Ctx, s: &Symptom) -> (&'static str, ratatui::style::Style) {
        if self.running.as_deref() == Some(s.id.as_str()) {
            return ("…", ctx.theme.warn);
        }
        match runs(ctx, s).first().map(|e| e.evidence.passed) {
            None => ("·", ctx.theme.dim),
            Some(Some(true)) => ("✓", ctx.theme.ok),
            Some(Some(false)) => ("✗", ctx.theme.error),
            Some(None) => ("?", ctx.theme.warn),
        }
    }

    /// Draws the screen.
    fn paint(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let cat = match &self.catalog {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                f.render_widget(
                    Paragraph::new(t!("ts-catalog-error", error = e.clone()))
                        .style(ctx.theme.error)
                        .wrap(Wrap { trim: false })
                        .block(block(ctx, t!("title-ts-symptoms", count = 0), false)),
                    area,
                );
                return;
            }
            None => return,
        };
        let (list, detail) = panes(area, self.list_rows());
        self.draw_list(f, list, ctx, cat);
        self.draw_detail(f, detail, ctx);
    }

    fn draw_list(&self, f: &mut Frame, area: Rect, ctx: &Ctx, cat: &Catalog) {
        let order = self.visible();
        let query = self.query.as_ref();
        let title = match query {
            Some(q) if q.no_match => t!("title-ts-no-match", count = order.len()),
            Some(_) => t!("title-ts-matches", count = order.len()),
            None => t!("title-ts-symptoms", count = cat.symptoms.len()),
        };
        let b = block(ctx, title, !self.detail_focus);
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
                ctx.theme.warn
            } else {
                ctx.theme.dim
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
        let first = list_offset(self.selected, rows);
        for (pos, &i) in order.iter().enumerate().skip(first).take(rows) {
            let s = &cat.symptoms[i];
            let (mark, style) = self.marker(ctx, s);
            let score = query.and_then(|q| q.ranked.iter().find(|(id, _, _)| *id == s.id));
            let mut spans = vec![Span::styled(format!("{mark} "), style)];
            if let Some((_, sc, _)) = score {
                spans.push(Span::styled(format!("{sc:>3} "), ctx.theme.dim));
            }
            spans.push(Span::styled(s.title.clone(), ctx.theme.text));
            let mut line = Line::from(spans);
            if pos == self.selected {
                line = line.style(ctx.theme.selected);
            }
            lines.push(line);
            if per == 2 {
                let second = match score {
                    Some((_, _, why)) if !why.is_empty() => why.join("; "),
                    _ => s.sees.clone(),
                };
                lines.push(Line::styled(format!("  {second}"), ctx.theme.dim));
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_detail(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        let Some(s) = self.selected_symptom() else {
            return;
        };
        let lines = self.detail_lines(ctx, s);
        // After a resize the scroll may be past the end: show the end.
        let scroll = self.scroll.min(self.max_scroll(ctx));
        f.render_widget(
            Paragraph::new(lines)
                .block(block(ctx, s.id.clone(), self.detail_focus))
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            area,
        );
    }

    /// Everything the detail pane shows for a symptom.
    fn detail_lines(&self, ctx: &Ctx, s: &Symptom) -> Vec<Line<'static>> {
        let v = values(ctx);
        let th = &ctx.theme;
        let mut out = vec![Line::styled(s.title.clone(), th.title)];
        out.push(Line::from(vec![
            Span::styled(format!("{} ", t!("ts-sees")), th.dim),
            Span::styled(fill_text(&s.sees, &v), th.text),
        ]));
        if let Some((_, score, why)) = self
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
                match lookup_user(ctx) {
                    Some(u) => t!("ts-user", user = u),
                    None => t!("ts-no-user"),
                },
                th.dim,
            ));
        }

        // The last results first: they are what the admin looks for after r.
        out.push(Line::raw(""));
        out.push(Line::styled(t!("ts-results"), th.title));
        if self.running.as_deref() == Some(s.id.as_str()) {
            out.push(Line::styled(t!("ts-running"), th.warn));
        }
        if let Some((id, results, e)) = &self.unsaved
            && *id == s.id
        {
            out.push(Line::styled(t!("ts-unsaved", error = e.clone()), th.error));
            result_lines(ctx, results, &mut out);
        }
        let runs = runs(ctx, s);
        match runs.first() {
            None if self.running.is_none() => {
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
                    serde_json::from_value(ev.evidence.detail["checks"].clone())
                        .unwrap_or_default();
                result_lines(ctx, &results, &mut out);
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
                code_lines(ctx, line, &v, &mut out);
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
            code_lines(ctx, line, &v, &mut out);
        }
        out.push(Line::styled(
            t!("ts-source", source = s.source.clone()),
            th.dim,
        ));
        out
    }
}

/// The troubleshooting screen's results.
#[derive(Debug)]
pub enum TroubleshootMsg {
    /// An event log was read (file) or pulled (production), or why not.
    EventsRead(Result<troubleshoot::events::EventReport, String>),
    /// A symptom's checks ended (None: the worker thread panicked).
    ChecksDone {
        /// The symptom.
        symptom: Symptom,
        /// The results.
        results: Option<Vec<CheckResult>>,
    },
    /// A run was recorded as evidence (or not).
    RunSaved {
        /// The symptom.
        symptom: Symptom,
        /// The results.
        results: Vec<CheckResult>,
        /// The evidence, or the error.
        saved: Result<EvidenceRecord, String>,
    },
}

impl TroubleshootMsg {
    /// What the message is, for the debug log.
    pub fn describe(&self) -> String {
        match self {
            TroubleshootMsg::EventsRead(r) => format!("events read: {}", r.is_ok()),
            TroubleshootMsg::ChecksDone { symptom, results } => format!(
                "checks of {} done: {}",
                symptom.id,
                results.as_ref().map_or(0, Vec::len)
            ),
            TroubleshootMsg::RunSaved { symptom, saved, .. } => {
                format!("run of {} saved: {}", symptom.id, saved.is_ok())
            }
        }
    }
}

impl Component for TroubleshootState {
    type Msg = TroubleshootMsg;

    fn on_enter(&mut self, _ctx: &mut Ctx) {
        self.enter();
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        self.act(ctx, action)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: TroubleshootMsg) {
        match msg {
            TroubleshootMsg::EventsRead(report) => self.on_events_read(ctx, report),
            TroubleshootMsg::ChecksDone { symptom, results } => {
                self.on_checks_done(ctx, symptom, results);
            }
            TroubleshootMsg::RunSaved {
                symptom,
                results,
                saved,
            } => self.on_run_saved(ctx, symptom, results, saved),
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        self.paint(f, area, ctx);
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Troubleshoot]
    }

    fn hint(&self, _ctx: &Ctx) -> String {
        t!("hint-troubleshoot")
    }
}
