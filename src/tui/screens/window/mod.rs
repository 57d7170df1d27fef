//! The downtime window screen: the plan, then, during the window, each step against it.
//!
//! `e` estimates the window (off the UI task): the size of the source comes from this
//! session's latest passing export evidence (`detail.detail.messages`), else from counting
//! the lab's legacy `tblChat` on a worker thread; the rates come from this session's lab
//! rehearsal ([`planner::measured_throughput`]) on the store thread, which also saves the
//! plan ([`planner::save`], audit event `plan-saved`). When a rate is missing the screen
//! says which job to rehearse.
//!
//! During the window, `s` / `f` mark the selected step started / finished (store
//! `start_window_step` / `finish_window_step`); the table shows elapsed against planned with
//! a gauge and a word per step. The step times are derived by `crate::migration::window`
//! from the session's facts the wizard holds (marks, job runs — running ones included — and
//! the checklist items each step covers), the same derivation the report uses.

mod draw;
mod msg;

pub use msg::*;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge};

use super::Component;
use super::{Screen, movement, step};
use crate::deployment::DeploymentKind;
use crate::migration::window as derived;
use crate::planner::{
    self, Plan, PlanError, PlanInputs, Rate, StepId, StepState, StepStatus, Throughput,
    fmt_duration,
};
use crate::runbook::JobKind;
use crate::store::Store;
use crate::store::WindowStepRecord;
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Context};
use crate::tui::msg::AppMsg;
use crate::tui::wrap::{Paragraph, Wrap};

/// How often the marks are reloaded while the screen shows a running step (another writer,
/// the command line, may mark steps too).
const REFRESH: Duration = Duration::from_secs(5);

/// What the window screen keeps.
#[derive(Default)]
pub struct WindowState {
    /// Selected row (a step of the plan, or of [`StepId::ALL`] before there is one).
    pub selected: usize,
    /// The session's saved plan.
    pub plan: Option<Plan>,
    /// When and by whom the plan was saved.
    pub saved: Option<(DateTime<Utc>, String)>,
    /// The rates this session's lab rehearsal measured.
    pub throughput: Option<Throughput>,
    /// Why the last estimate made no plan (shown until the next one).
    pub problem: Option<String>,
    /// Where the size of the source came from, for the last estimate.
    pub size_note: Option<String>,
    /// A load from the store has come back at least once.
    pub loaded: bool,
    /// A load is in flight.
    pub loading: bool,
    /// An estimate is in flight.
    pub estimating: bool,
    /// When the last load was asked for.
    pub refreshed: Option<Instant>,
}

/// The size of the source data, measured off the UI task.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSize {
    /// Messages to move.
    pub messages: u64,
    /// The legacy database, MB (0 when unknown).
    pub database_mb: f64,
    /// Where the figures come from.
    pub note: String,
    /// File posts in the source (0 when not known).
    pub file_posts: u64,
}

/// What a load from the store brings back.
#[derive(Debug)]
pub struct Loaded {
    /// The saved plan, if any.
    pub plan: Result<Option<Plan>, String>,
    /// When and by whom it was saved.
    pub saved: Option<(DateTime<Utc>, String)>,
    /// Rates measured from this session's job runs.
    pub throughput: Result<Throughput, String>,
    /// The operator's start and finish marks.
    pub marks: Result<Vec<crate::store::WindowStepRecord>, String>,
}

fn load(store: &Store, sid: i64) -> Loaded {
    let e = |e: crate::store::StoreError| e.to_string();
    Loaded {
        plan: planner::load(store, sid).map_err(e),
        saved: store
            .plan(sid)
            .ok()
            .flatten()
            .map(|r| (r.saved_at, r.saved_by)),
        throughput: planner::measured_throughput(store, sid).map_err(e),
        marks: store.window_steps(sid).map_err(e),
    }
}

/// The step's name in the language of the run.
pub fn step_title(s: StepId) -> String {
    match s {
        StepId::StopServices => t!("window-step-stop-services"),
        StepId::Backups => t!("window-step-backups"),
        StepId::Export => t!("window-step-export"),
        StepId::ImportWhatIf => t!("window-step-import-whatif"),
        StepId::Import => t!("window-step-import"),
        StepId::FileCopy => t!("window-step-file-copy"),
        StepId::Endpoint => t!("window-step-endpoint"),
        StepId::Start => t!("window-step-start"),
        StepId::Verify => t!("window-step-verify"),
    }
}

/// The word for a step's state (the colour only repeats it).
pub fn state_word(s: StepState) -> String {
    match s {
        StepState::Pending => t!("window-state-pending"),
        StepState::Running => t!("window-state-running"),
        StepState::RunningLate => t!("window-state-late"),
        StepState::Done => t!("window-state-done"),
        StepState::DoneLate => t!("window-state-done-late"),
    }
}

/// Why no plan could be made, in the language of the run.
pub fn plan_error_text(e: &PlanError) -> String {
    match e {
        PlanError::MissingRate { step, job } => {
            let name = StepId::ALL
                .into_iter()
                .find(|s| s.title() == *step)
                .map_or_else(|| (*step).to_string(), step_title);
            t!(
                "window-missing-rate",
                step = name,
                command = (*job).to_string()
            )
        }
        PlanError::Invalid { field, problem } => t!(
            "window-invalid",
            field = (*field).to_string(),
            problem = problem.clone()
        ),
    }
}

/// The newest passing export evidence of the session: (messages, package bytes, when, file
/// posts).
type ExportFigures = (u64, Option<u64>, DateTime<Utc>, u64);

fn export_evidence(ctx: &Ctx) -> Option<ExportFigures> {
    let item = ctx.runbook.job_item(JobKind::Export)?;
    ctx.evidence_of(&item.id).iter().find_map(|ev| {
        if ev.evidence.passed != Some(true) {
            return None;
        }
        let d = ev.evidence.detail.get("detail")?;
        let messages = d.get("messages")?.as_u64()?;
        Some((
            messages,
            d.get("bytes").and_then(|b| b.as_u64()),
            ev.at,
            d.get("file_posts").and_then(|b| b.as_u64()).unwrap_or(0),
        ))
    })
}

/// Measures the source: the export evidence's message count when there is one, else the
/// lab's legacy database (counted: a full scan, so never on the UI task).
///
/// # Errors
/// No export evidence and no lab database, or the database cannot be read.
pub fn measure_source(
    export: Option<ExportFigures>,
    legacy_db: Option<&Path>,
    start_ticks: Option<i64>,
) -> Result<SourceSize, String> {
    let db = legacy_db.filter(|p| p.is_file());
    let database_mb = db
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0.0, |m| m.len() as f64 / 1_048_576.0);
    if let Some((messages, bytes, at, file_posts)) = export {
        let mut note = format!(
            "{messages} messages from the export evidence of {}",
            at.format("%Y-%m-%d %H:%M UTC")
        );
        if let Some(b) = bytes {
            note.push_str(&format!(", package {:.1} MB", b as f64 / 1_048_576.0));
        }
        if file_posts > 0 {
            note.push_str(&format!(", {file_posts} file posts"));
        }
        return Ok(SourceSize {
            messages,
            database_mb,
            note,
            file_posts,
        });
    }
    let Some(db) = db else {
        return Err(t!("window-no-size"));
    };
    let legacy = crate::chatdata::legacy::LegacyDb::open(db).map_err(|e| e.to_string())?;
    let messages = legacy
        .count_messages(start_ticks)
        .map_err(|e| e.to_string())?;
    let file_posts = legacy
        .count_file_posts(start_ticks)
        .map_err(|e| e.to_string())?;
    Ok(SourceSize {
        messages,
        database_mb,
        note: format!(
            "{messages} messages ({file_posts} file posts) counted in {}",
            db.display()
        ),
        file_posts,
    })
}

fn lab_legacy_db(ctx: &Ctx) -> Option<PathBuf> {
    if ctx.profile.kind != DeploymentKind::Lab {
        return None;
    }
    let dir = crate::paths::Paths::in_dir(ctx.data_dir.as_deref()?).lab_dir;
    Some(crate::lab::LabPaths::in_dir(&dir).legacy_db)
}

impl WindowState {
    fn apply_loaded(&mut self, ctx: &mut Ctx, l: Loaded) {
        let w = &mut *self;
        w.loaded = true;
        w.loading = false;
        let mut errors = Vec::new();
        match l.plan {
            Ok(p) => w.plan = p,
            Err(e) => errors.push(e),
        }
        w.saved = l.saved;
        match l.marks {
            Ok(marks) => {
                for m in marks {
                    ctx.facts.upsert_window_step(m);
                }
            }
            Err(e) => errors.push(e),
        }
        let w = &mut *self;
        match l.throughput {
            Ok(t) => w.throughput = Some(t),
            Err(e) => errors.push(e),
        }
        let n = self.rows().len();
        self.selected = self.selected.min(n.saturating_sub(1));
        if let Some(e) = errors.into_iter().next() {
            ctx.set_status(t!("status-save-failed", error = e), true);
        }
    }

    /// Reloads the plan and the measured rates on the store thread.
    pub fn refresh(&mut self, ctx: &mut Ctx) {
        self.loading = true;
        self.refreshed = Some(Instant::now());
        let (sid, tx) = (ctx.session.id, ctx.sender());
        ctx.submit_store(move |store| {
            let l = load(store, sid);
            let _ = tx.send(AppMsg::Window(Box::new(WindowMsg::Loaded { l })));
        });
    }

    /// Opened: load the plan and the rates.
    fn enter(&mut self, ctx: &mut Ctx) {
        self.refresh(ctx);
    }

    /// The animation tick: while a step runs on the shown screen, reload the marks every few
    /// seconds (the command line may mark steps too); the step times themselves are derived.
    fn tick(&mut self, ctx: &mut Ctx) {
        if ctx.screen != Screen::Window || self.loading {
            return;
        }
        if self.refreshed.is_none_or(|t| t.elapsed() >= REFRESH) && self.moving(ctx) {
            self.refresh(ctx);
        }
    }

    /// True while the screen shows a step running (its elapsed time moves): the ctx should
    /// keep ticking.
    fn moving(&self, ctx: &Ctx) -> bool {
        ctx.screen == Screen::Window
            && self
                .statuses(ctx, Utc::now())
                .iter()
                .any(|s| matches!(s.state, StepState::Running | StepState::RunningLate))
    }

    /// The rows: the plan's steps, or every step before there is a plan.
    pub fn rows(&self) -> Vec<StepId> {
        match &self.plan {
            Some(p) => p.steps.iter().map(|s| s.step).collect(),
            None => StepId::ALL.to_vec(),
        }
    }

    /// Keys of the window screen.
    fn act(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        if let Some(d) = movement(action) {
            self.selected = step(self.selected, d, self.rows().len());
            return true;
        }
        match action {
            Action::SavePlan => {
                self.estimate(ctx);
                true
            }
            Action::StepStart => {
                self.mark(ctx, true);
                true
            }
            Action::StepFinish => {
                self.mark(ctx, false);
                true
            }
            _ => false,
        }
    }

    fn estimate(&mut self, ctx: &mut Ctx) {
        if self.estimating {
            ctx.set_status(t!("status-estimating"), false);
            return;
        }
        self.estimating = true;
        let export = export_evidence(ctx);
        let legacy = lab_legacy_db(ctx);
        let start = crate::chatdata::ticks::parse_date(&ctx.profile.migration.start_date);
        ctx.set_status(
            if export.is_some() {
                t!("status-estimating")
            } else {
                t!("status-counting-messages")
            },
            false,
        );
        let tx = ctx.sender();
        std::thread::spawn(move || {
            let size = measure_source(export, legacy.as_deref(), start);
            let _ = tx.send(AppMsg::Window(Box::new(WindowMsg::Measured { size })));
        });
    }

    /// The estimate from a measured source: rates and plan on the store thread, then saved.
    fn plan_and_save(&mut self, ctx: &mut Ctx, size: SourceSize) {
        let (sid, who, tx) = (ctx.session.id, ctx.operator.clone(), ctx.sender());
        self.size_note = Some(size.note.clone());
        ctx.submit_store(move |store| {
            let result: Result<Result<Plan, PlanError>, String> = (|| {
                let throughput =
                    planner::measured_throughput(store, sid).map_err(|e| e.to_string())?;
                let inputs = PlanInputs {
                    messages: size.messages,
                    database_mb: size.database_mb,
                    file_posts: size.file_posts,
                    throughput,
                    ..PlanInputs::default()
                };
                match planner::estimate(&inputs) {
                    Ok(plan) => {
                        planner::save(store, sid, &plan, &who).map_err(|e| e.to_string())?;
                        Ok(Ok(plan))
                    }
                    Err(e) => Ok(Err(e)),
                }
            })();
            let l = load(store, sid);
            let _ = tx.send(AppMsg::Window(Box::new(WindowMsg::PlanSaved {
                result: Box::new(result),
                l,
            })));
        });
    }

    fn mark(&mut self, ctx: &mut Ctx, start: bool) {
        let Some(s) = self.rows().get(self.selected).copied() else {
            return;
        };
        let (sid, who, tx) = (ctx.session.id, ctx.operator.clone(), ctx.sender());
        ctx.set_status(t!("status-saving"), false);
        ctx.submit_store(move |store| {
            let result = if start {
                store.start_window_step(sid, s.id(), &who)
            } else {
                store.finish_window_step(sid, s.id(), &who)
            }
            .map_err(|e| e.to_string());
            let l = load(store, sid);
            let _ = tx.send(AppMsg::Window(Box::new(WindowMsg::StepMarked {
                l,
                s,
                start,
                result,
            })));
        });
    }

    /// The rows' statuses at `now`: the step times `crate::migration::window` derives from the
    /// session's facts, against the plan when there is one.
    pub fn statuses(&self, ctx: &Ctx, now: DateTime<Utc>) -> Vec<StepStatus> {
        let actuals = derived::actuals(&ctx.runbook, &ctx.facts, &ctx.migration);
        derived::statuses(self.plan.as_ref(), &actuals, now)
    }
}

impl Component for WindowState {
    type Msg = WindowMsg;

    fn on_enter(&mut self, ctx: &mut Ctx) {
        self.enter(ctx);
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        self.act(ctx, action)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: WindowMsg) {
        self.apply(ctx, msg);
    }

    fn on_tick(&mut self, ctx: &mut Ctx) {
        self.tick(ctx);
    }

    fn animating(&self, ctx: &Ctx) -> bool {
        self.moving(ctx)
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        self.paint(f, area, ctx);
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Window]
    }

    fn hint(&self, _ctx: &Ctx) -> String {
        t!("hint-window")
    }
}
