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

mod draw;
mod msg;

pub use msg::*;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

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
        self.apply(ctx, msg);
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
