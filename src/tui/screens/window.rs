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

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Screen, movement, step};
use crate::deployment::DeploymentKind;
use crate::migration::window as derived;
use crate::planner::{
    self, Plan, PlanError, PlanInputs, Rate, StepId, StepState, StepStatus, Throughput,
    fmt_duration,
};
use crate::runbook::JobKind;
use crate::store::Store;
use crate::t;
use crate::tui::app::{App, AppMsg};
use crate::tui::keymap::Action;
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
struct Loaded {
    plan: Result<Option<Plan>, String>,
    saved: Option<(DateTime<Utc>, String)>,
    throughput: Result<Throughput, String>,
    marks: Result<Vec<crate::store::WindowStepRecord>, String>,
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

fn apply_loaded(app: &mut App, l: Loaded) {
    let w = &mut app.window;
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
                app.facts.upsert_window_step(m);
            }
        }
        Err(e) => errors.push(e),
    }
    let w = &mut app.window;
    match l.throughput {
        Ok(t) => w.throughput = Some(t),
        Err(e) => errors.push(e),
    }
    let n = rows(app).len();
    app.window.selected = app.window.selected.min(n.saturating_sub(1));
    if let Some(e) = errors.into_iter().next() {
        app.set_status(t!("status-save-failed", error = e), true);
    }
}

/// Reloads the plan and the measured rates on the store thread.
pub fn refresh(app: &mut App) {
    app.window.loading = true;
    app.window.refreshed = Some(Instant::now());
    let (sid, tx) = (app.session.id, app.sender());
    app.submit_store(move |store| {
        let l = load(store, sid);
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
            apply_loaded(app, l);
        })));
    });
}

/// Opened: load the plan and the rates.
pub fn on_enter(app: &mut App) {
    refresh(app);
}

/// The animation tick: while a step runs on the shown screen, reload the marks every few
/// seconds (the command line may mark steps too); the step times themselves are derived.
pub fn on_tick(app: &mut App) {
    if app.screen != Screen::Window || app.window.loading {
        return;
    }
    if app.window.refreshed.is_none_or(|t| t.elapsed() >= REFRESH) && animating(app) {
        refresh(app);
    }
}

/// True while the screen shows a step running (its elapsed time moves): the app should
/// keep ticking.
pub fn animating(app: &App) -> bool {
    app.screen == Screen::Window
        && statuses(app, Utc::now())
            .iter()
            .any(|s| matches!(s.state, StepState::Running | StepState::RunningLate))
}

/// The rows: the plan's steps, or every step before there is a plan.
pub fn rows(app: &App) -> Vec<StepId> {
    match &app.window.plan {
        Some(p) => p.steps.iter().map(|s| s.step).collect(),
        None => StepId::ALL.to_vec(),
    }
}

/// Keys of the window screen.
pub fn on_action(app: &mut App, action: Action) -> bool {
    if let Some(d) = movement(action) {
        app.window.selected = step(app.window.selected, d, rows(app).len());
        return true;
    }
    match action {
        Action::SavePlan => {
            estimate(app);
            true
        }
        Action::StepStart => {
            mark(app, true);
            true
        }
        Action::StepFinish => {
            mark(app, false);
            true
        }
        _ => false,
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

fn export_evidence(app: &App) -> Option<ExportFigures> {
    let item = app.runbook.job_item(JobKind::Export)?;
    app.evidence_of(&item.id).iter().find_map(|ev| {
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

fn lab_legacy_db(app: &App) -> Option<PathBuf> {
    if app.profile.kind != DeploymentKind::Lab {
        return None;
    }
    let dir = crate::paths::Paths::in_dir(app.data_dir.as_deref()?).lab_dir;
    Some(crate::lab::LabPaths::in_dir(&dir).legacy_db)
}

fn estimate(app: &mut App) {
    if app.window.estimating {
        app.set_status(t!("status-estimating"), false);
        return;
    }
    app.window.estimating = true;
    let export = export_evidence(app);
    let legacy = lab_legacy_db(app);
    let start = crate::chatdata::ticks::parse_date(&app.profile.migration.start_date);
    app.set_status(
        if export.is_some() {
            t!("status-estimating")
        } else {
            t!("status-counting-messages")
        },
        false,
    );
    let tx = app.sender();
    std::thread::spawn(move || {
        let size = measure_source(export, legacy.as_deref(), start);
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match size {
            Ok(size) => plan_and_save(app, size),
            Err(e) => {
                app.window.estimating = false;
                app.window.problem = Some(e.clone());
                app.set_status(t!("status-plan-failed", error = e), true);
            }
        })));
    });
}

/// The estimate from a measured source: rates and plan on the store thread, then saved.
fn plan_and_save(app: &mut App, size: SourceSize) {
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    app.window.size_note = Some(size.note.clone());
    app.submit_store(move |store| {
        let result: Result<Result<Plan, PlanError>, String> = (|| {
            let throughput = planner::measured_throughput(store, sid).map_err(|e| e.to_string())?;
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
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
            app.window.estimating = false;
            apply_loaded(app, l);
            match result {
                Ok(Ok(plan)) => {
                    app.window.problem = None;
                    app.set_status(
                        t!("status-plan-saved", window = fmt_duration(plan.window_s)),
                        false,
                    );
                }
                Ok(Err(e)) => {
                    let text = plan_error_text(&e);
                    app.window.problem = Some(text.clone());
                    app.set_status(t!("status-plan-failed", error = text), true);
                }
                Err(e) => app.set_status(t!("status-save-failed", error = e), true),
            }
        })));
    });
}

fn mark(app: &mut App, start: bool) {
    let Some(s) = rows(app).get(app.window.selected).copied() else {
        return;
    };
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    app.set_status(t!("status-saving"), false);
    app.submit_store(move |store| {
        let result = if start {
            store.start_window_step(sid, s.id(), &who)
        } else {
            store.finish_window_step(sid, s.id(), &who)
        }
        .map_err(|e| e.to_string());
        let l = load(store, sid);
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
            apply_loaded(app, l);
            let name = step_title(s);
            if let Ok(rec) = &result {
                app.facts.upsert_window_step(rec.clone());
            }
            match result {
                Ok(rec) => match rec.finished_at {
                    Some(end) if !start => {
                        let secs = u64::try_from((end - rec.started_at).num_seconds()).unwrap_or(0);
                        app.set_status(
                            t!(
                                "status-step-finished",
                                step = name,
                                elapsed = fmt_duration(secs)
                            ),
                            false,
                        );
                    }
                    _ => app.set_status(t!("status-step-started", step = name), false),
                },
                Err(e) => app.set_status(t!("status-step-refused", step = name, error = e), true),
            }
        })));
    });
}

/// The rows' statuses at `now`: the step times `crate::migration::window` derives from the
/// session's facts, against the plan when there is one.
pub fn statuses(app: &App, now: DateTime<Utc>) -> Vec<StepStatus> {
    let actuals = derived::actuals(&app.runbook, &app.facts, &app.migration);
    derived::statuses(app.window.plan.as_ref(), &actuals, now)
}

// ---- drawing ----------------------------------------------------------------------------

/// `s` cut to `w` display cells (with `…`) and padded to exactly `w`.
fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    if s.width() <= w {
        out.push_str(s);
        used = s.width();
    } else if w > 0 {
        for ch in s.chars() {
            let cw = ch.width().unwrap_or(0);
            if used + cw + 1 > w {
                break;
            }
            out.push(ch);
            used += cw;
        }
        out.push('…');
        used += 1;
    }
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

fn offset(secs: u64) -> String {
    if secs == 0 {
        "+0m".into()
    } else {
        format!("+{}", fmt_duration(secs))
    }
}

fn when(t: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let weekday = match t.weekday() {
        chrono::Weekday::Mon => t!("weekday-mon"),
        chrono::Weekday::Tue => t!("weekday-tue"),
        chrono::Weekday::Wed => t!("weekday-wed"),
        chrono::Weekday::Thu => t!("weekday-thu"),
        chrono::Weekday::Fri => t!("weekday-fri"),
        chrono::Weekday::Sat => t!("weekday-sat"),
        chrono::Weekday::Sun => t!("weekday-sun"),
    };
    t!(
        "datetime-utc",
        weekday = weekday,
        date = t.format("%Y-%m-%d").to_string(),
        time = t.format("%H:%M").to_string()
    )
}

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(Span::styled(format!(" {title} "), app.theme.title))
}

fn state_style(app: &App, s: StepState) -> Style {
    match s {
        StepState::Pending => app.theme.dim,
        StepState::Running => app.theme.text,
        StepState::RunningLate => app.theme.error,
        StepState::Done => app.theme.ok,
        StepState::DoneLate => app.theme.warn,
    }
}

/// Column widths: step, planned, start, end, elapsed, state, gauge, basis (0: not shown).
struct Columns {
    step: usize,
    planned: usize,
    start: usize,
    end: usize,
    elapsed: usize,
    state: usize,
    gauge: usize,
    basis: usize,
}

impl Columns {
    fn for_width(w: u16) -> Columns {
        let w = usize::from(w);
        let (step, planned, start, end, elapsed, state) = if w >= 120 {
            (26, 8, 9, 9, 9, 12)
        } else {
            (20, 7, 8, 8, 7, 11)
        };
        // Two cells of selection marker, one space after each column.
        let fixed = 2 + step + planned + start + end + elapsed + state + 6;
        let rest = w.saturating_sub(fixed);
        let (gauge, basis) = if w >= 120 {
            (20.min(rest), rest.saturating_sub(21))
        } else {
            (rest, 0)
        };
        Columns {
            step,
            planned,
            start,
            end,
            elapsed,
            state,
            gauge,
            basis,
        }
    }

    /// Where the gauge starts, from the row's left edge.
    fn gauge_x(&self) -> usize {
        2 + self.step + self.planned + self.start + self.end + self.elapsed + self.state + 6
    }
}

/// Draws the screen.
pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let now = Utc::now();
    let statuses = statuses(app, now);
    let n = u16::try_from(statuses.len()).unwrap_or(9);
    let [table, info] =
        Layout::vertical([Constraint::Length(n + 3), Constraint::Min(4)]).areas(area);
    draw_table(f, table, app, &statuses);
    draw_info(f, info, app, &statuses, now);
}

fn draw_table(f: &mut Frame, area: Rect, app: &App, statuses: &[StepStatus]) {
    let title = match &app.window.plan {
        Some(p) => t!("window-title-plan", window = fmt_duration(p.window_s)),
        None => t!("window-title-no-plan"),
    };
    let b = block(app, title);
    let inner = b.inner(area);
    f.render_widget(b, area);
    if inner.height == 0 {
        return;
    }
    let c = Columns::for_width(inner.width);
    let mut header = format!(
        "  {} {} {} {} {} {} {}",
        fit(&t!("window-col-step"), c.step),
        fit(&t!("window-col-planned"), c.planned),
        fit(&t!("window-col-start"), c.start),
        fit(&t!("window-col-end"), c.end),
        fit(&t!("window-col-elapsed"), c.elapsed),
        fit(&t!("window-col-state"), c.state),
        fit(&t!("window-col-gauge"), c.gauge),
    );
    if c.basis > 0 {
        header.push(' ');
        header.push_str(&fit(&t!("window-col-basis"), c.basis));
    }
    f.render_widget(
        Paragraph::new(Line::styled(header, app.theme.dim)),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let selected = app.window.selected.min(statuses.len().saturating_sub(1));
    for (i, st) in statuses.iter().enumerate() {
        let Ok(y) = u16::try_from(i) else { break };
        if y + 1 >= inner.height {
            break;
        }
        let row = Rect::new(inner.x, inner.y + 1 + y, inner.width, 1);
        let planned = app.window.plan.as_ref().and_then(|p| p.step(st.step));
        let dash = "—".to_string();
        let (p, s, e) = planned.map_or((dash.clone(), dash.clone(), dash.clone()), |p| {
            (
                fmt_duration(p.planned_s),
                offset(p.offset_s),
                offset(p.offset_s + p.planned_s),
            )
        });
        let elapsed = st.elapsed_s.map_or(dash.clone(), fmt_duration);
        let is_sel = i == selected;
        let mut spans = vec![
            Span::styled(if is_sel { "> " } else { "  " }, app.theme.key),
            Span::styled(
                format!("{} ", fit(&step_title(st.step), c.step)),
                app.theme.text,
            ),
            Span::styled(format!("{} ", fit(&p, c.planned)), app.theme.text),
            Span::styled(format!("{} ", fit(&s, c.start)), app.theme.dim),
            Span::styled(format!("{} ", fit(&e, c.end)), app.theme.dim),
            Span::styled(format!("{} ", fit(&elapsed, c.elapsed)), app.theme.text),
            Span::styled(
                format!("{} ", fit(&state_word(st.state), c.state)),
                state_style(app, st.state),
            ),
        ];
        if c.basis > 0 {
            spans.push(Span::raw(" ".repeat(c.gauge + 1)));
            spans.push(Span::styled(
                fit(
                    &planned.map_or_else(String::new, |p| p.basis_shown()),
                    c.basis,
                ),
                app.theme.dim,
            ));
        }
        let mut line = Line::from(spans);
        if is_sel {
            line = line.style(app.theme.selected);
        }
        f.render_widget(Paragraph::new(line), row);
        let gx = u16::try_from(c.gauge_x()).unwrap_or(u16::MAX);
        let gw = u16::try_from(c.gauge).unwrap_or(0);
        if gw > 1 && gx < row.width {
            let ratio = match (st.elapsed_s, st.planned_s) {
                (Some(e), p) if p > 0 => (e as f64 / p as f64).clamp(0.0, 1.0),
                (Some(_), _) if matches!(st.state, StepState::Done | StepState::DoneLate) => 1.0,
                _ => 0.0,
            };
            let gauge = LineGauge::default()
                .ratio(ratio)
                .label("")
                .filled_symbol(symbols::line::THICK_HORIZONTAL)
                .unfilled_symbol(symbols::line::HORIZONTAL)
                .filled_style(state_style(app, st.state))
                .unfilled_style(app.theme.dim);
            let w = gw.min(row.width - gx);
            f.render_widget(gauge, Rect::new(row.x + gx, row.y, w, 1));
        }
    }
}

fn rate_lines(app: &App, heading: String, t: &Throughput) -> Vec<Line<'static>> {
    let rows: [(StepId, &Option<Rate>, &str); 4] = [
        (StepId::Export, &t.export, "export"),
        (StepId::ImportWhatIf, &t.import_whatif, "import --what-if"),
        (StepId::Import, &t.import, "import"),
        (StepId::Verify, &t.verify, "verify"),
    ];
    let mut lines = vec![Line::styled(heading, app.theme.title)];
    for (s, r, cmd) in rows {
        lines.push(match r {
            Some(r) => Line::styled(
                t!(
                    "window-rate",
                    job = step_title(s),
                    rate = format!("{:.0}", r.messages_per_s),
                    source = r.source_shown()
                ),
                app.theme.text,
            ),
            None => Line::styled(
                t!(
                    "window-rate-missing",
                    job = step_title(s),
                    command = cmd.to_string()
                ),
                app.theme.warn,
            ),
        });
    }
    lines
}

fn draw_info(f: &mut Frame, area: Rect, app: &App, statuses: &[StepStatus], now: DateTime<Utc>) {
    let mut lines: Vec<Line> = Vec::new();
    if let Some(p) = &app.window.problem {
        lines.push(Line::styled(p.clone(), app.theme.error));
    }
    match &app.window.plan {
        None => {
            if !app.window.loaded {
                lines.push(Line::styled(t!("window-loading"), app.theme.dim));
            } else {
                lines.push(Line::styled(t!("window-no-plan"), app.theme.text));
            }
            if let Some(t) = &app.window.throughput {
                lines.extend(rate_lines(app, t!("window-rates"), t));
            }
        }
        Some(plan) => {
            lines.push(Line::styled(
                t!(
                    "window-book",
                    window = fmt_duration(plan.window_s),
                    steps = fmt_duration(plan.total_s),
                    factor = plan.inputs.safety_factor.to_string()
                ),
                app.theme.title,
            ));
            let progress = derived::progress(plan, statuses, now);
            let end_line = match (plan.starts_at, plan.ends_at, progress.started_at) {
                (Some(s), Some(e), _) => t!("window-booked", start = when(s), end = when(e)),
                (_, _, Some(s)) => {
                    let e = s + chrono::Duration::seconds(
                        i64::try_from(plan.window_s).unwrap_or(i64::MAX),
                    );
                    t!("window-started", start = when(s), end = when(e))
                }
                _ => t!("window-not-booked", window = fmt_duration(plan.window_s)),
            };
            lines.push(Line::styled(end_line, app.theme.text));
            if let (Some(a), Some(p)) = (progress.actual_s, progress.projected_s) {
                lines.push(if progress.within_window {
                    Line::styled(
                        t!(
                            "window-progress-fits",
                            elapsed = fmt_duration(a),
                            projected = fmt_duration(p)
                        ),
                        app.theme.ok,
                    )
                } else {
                    Line::styled(
                        t!(
                            "window-progress-over",
                            elapsed = fmt_duration(a),
                            projected = fmt_duration(p),
                            over = fmt_duration(p.saturating_sub(plan.window_s))
                        ),
                        app.theme.error,
                    )
                });
            }
            let selected = app.window.selected.min(statuses.len().saturating_sub(1));
            if let Some(st) = statuses.get(selected) {
                let basis = plan
                    .step(st.step)
                    .map_or_else(String::new, |p| p.basis_shown());
                lines.push(Line::styled(
                    t!("window-selected", step = step_title(st.step), basis = basis),
                    app.theme.text,
                ));
                if let (Some(src), Some(at)) = (st.source_shown(), st.started_at) {
                    lines.push(Line::styled(
                        t!("window-actual", source = src, start = when(at)),
                        app.theme.dim,
                    ));
                }
            }
            lines.push(Line::styled(
                t!(
                    "window-size",
                    messages = plan.inputs.messages.to_string(),
                    mb = format!("{:.1}", plan.inputs.database_mb)
                ),
                app.theme.dim,
            ));
            if let Some((at, who)) = &app.window.saved {
                lines.push(Line::styled(
                    t!("window-saved", when = when(*at), who = who.clone()),
                    app.theme.dim,
                ));
            }
            lines.push(Line::raw(""));
            lines.extend(rate_lines(
                app,
                t!("window-plan-rates"),
                &plan.inputs.throughput,
            ));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block(app, t!("window-info-title")))
            .wrap(Wrap { trim: false }),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-01T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::minutes(min)
    }

    #[test]
    fn fit_pads_and_cuts_by_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("시작 전", 4).width(), 4);
        assert_eq!(fit("시작 전 단계", 6).width(), 6);
    }

    #[test]
    fn the_source_size_comes_from_the_export_evidence_first() {
        let s = measure_source(Some((1234, Some(2 * 1_048_576), at(0), 7)), None, None).unwrap();
        assert_eq!(s.messages, 1234);
        assert!(s.note.contains("package 2.0 MB"), "{}", s.note);
        let e = measure_source(None, Some(Path::new("/nonexistent/legacy.db")), None);
        assert!(e.is_err());
    }
}
