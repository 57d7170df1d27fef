//! The pilot screen: pilot users (rows) × chat test cases (columns), each cell todo, pass,
//! FAIL or n/a in words; the selected cell's detail; progress per test and per user; and
//! the Coexistence items the pilot gives evidence for (26, 27, 66).
//!
//! Every write goes to the store thread; the screen shows a change only when the store's
//! answer comes back (with the whole pilot re-read, its progress and the coexistence
//! verdicts computed there, off the UI task). Each change of a result or of the users also
//! attaches the coexistence evidence to items 26, 27 and 66 — evidence only: the admin
//! ticks the items in the runbook, having read it.

mod draw;
mod msg;

pub use msg::*;

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use unicode_width::UnicodeWidthStr;

use super::Component;
use super::{movement, step};
use crate::pilot::{
    self, CoexistenceEvidence, Counts, PilotCase, PilotClient, PilotOutcome, PilotProgress,
    PilotResultRecord, PilotResults, PilotUser,
};
use crate::store::PilotAdded;
use crate::store::{EvidenceRecord, Store};
use crate::t;
use crate::tui::ctx::Ctx;
use crate::tui::keymap::{Action, Context};
use crate::tui::layout::list_offset;
use crate::tui::msg::AppMsg;
use crate::tui::overlays::InputPurpose;
use crate::tui::wrap::{Paragraph, Wrap};

/// The pilot as the store last reported it, with what is derived from it.
#[derive(Clone, Debug, Default)]
pub struct PilotData {
    /// Users and the users × cases matrix.
    pub results: PilotResults,
    /// Counts per case and per user.
    pub progress: PilotProgress,
    /// The verdicts for items 26, 27 and 66.
    pub coexistence: Vec<CoexistenceEvidence>,
}

impl PilotData {
    /// Reads the session's pilot and derives progress and verdicts (on the store thread).
    ///
    /// # Errors
    /// Store errors.
    pub fn load(store: &Store, session_id: i64) -> Result<PilotData, crate::store::StoreError> {
        let results = store.pilot_results(session_id)?;
        Ok(PilotData {
            progress: pilot::progress(&results),
            coexistence: pilot::coexistence_evidence(&results),
            results,
        })
    }

    /// The record of user `u` (row) and case `c` (column). The store lists the records
    /// user by user in [`PilotCase::ALL`] order; the search is the fallback.
    pub fn cell(&self, u: usize, c: usize) -> Option<&PilotResultRecord> {
        let user = self.results.users.get(u)?;
        let case = *PilotCase::ALL.get(c)?;
        match self.results.results.get(u * PilotCase::ALL.len() + c) {
            Some(r) if r.case == case && r.sip.eq_ignore_ascii_case(&user.sip) => Some(r),
            _ => self.results.get(&user.sip, case),
        }
    }
}

/// What the pilot screen keeps.
#[derive(Default)]
pub struct PilotState {
    /// Selected user (row).
    pub selected: usize,
    /// Selected test case (column, index into [`PilotCase::ALL`]).
    pub case: usize,
    /// The pilot (None until the store has answered).
    pub data: Option<PilotData>,
    /// Why the pilot could not be read.
    pub load_error: Option<String>,
    /// Cells with a write in flight (SIP URI, case).
    pub pending: HashSet<(String, PilotCase)>,
    /// A CSV import going to the store in batches.
    pub import: Option<CsvImport>,
}

/// Users per store transaction of a CSV import: each batch commits in well under a second,
/// and a tick or a note queued meanwhile waits for one batch at most.
pub const IMPORT_BATCH: usize = 2_000;

/// A CSV import in progress. One batch is queued on the store thread at a time; the next
/// is queued only when the screen has the previous one's answer, so other writes interleave
/// and quit waits for one batch at most. What was committed stays (whole batches).
#[derive(Debug, Default)]
pub struct CsvImport {
    /// The file's name.
    pub file: String,
    /// Users read from the file.
    pub total: usize,
    /// Users committed so far.
    pub done: usize,
    /// Added, updated and unchanged users so far.
    pub added: usize,
    /// See `added`.
    pub updated: usize,
    /// See `added`.
    pub unchanged: usize,
    /// Esc asked to stop after the batch in flight.
    pub cancelled: bool,
}

impl PilotState {
    /// The selected user.
    pub fn user(&self) -> Option<&PilotUser> {
        self.data.as_ref()?.results.users.get(self.selected)
    }

    /// The selected case.
    pub fn selected_case(&self) -> PilotCase {
        PilotCase::ALL[self.case.min(PilotCase::ALL.len() - 1)]
    }

    fn users(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.results.users.len())
    }
}

/// The pilot re-read after a change, and the evidence attached for it.
#[derive(Debug)]
pub struct After {
    /// The pilot, or why it could not be read.
    pub data: Result<PilotData, String>,
    /// The coexistence evidence attached, or why not.
    pub evidence: Result<Vec<EvidenceRecord>, String>,
}

/// On the store thread, after a committed change: re-reads the pilot and attaches the
/// coexistence evidence (items 26, 27, 66; no item is ticked).
fn reload_with_evidence(store: &mut Store, sid: i64, who: &str) -> After {
    match PilotData::load(store, sid) {
        Err(e) => After {
            data: Err(e.to_string()),
            evidence: Ok(Vec::new()),
        },
        Ok(data) => {
            let evidence = pilot::record_coexistence_evidence(store, sid, &data.results, who)
                .map_err(|e| e.to_string());
            After {
                data: Ok(data),
                evidence,
            }
        }
    }
}

/// `sip:legacy01@contoso.lab: left out, …` → `legacy01`, for the status line.
fn left_out_names(warnings: &[String]) -> String {
    const MAX: usize = 4;
    let mut names: Vec<String> = warnings
        .iter()
        .take(MAX)
        .map(|w| {
            let sip = w.split(": ").next().unwrap_or(w);
            pilot_name(sip)
        })
        .collect();
    if warnings.len() > MAX {
        names.push("…".into());
    }
    names.join(", ")
}

fn pilot_name(sip: &str) -> String {
    let s = sip.trim();
    let s = s.strip_prefix("sip:").unwrap_or(s);
    s.split('@').next().unwrap_or(s).to_string()
}

// ---- words ----------------------------------------------------------------------------------

/// The case's title, as column headers on wide screens show it.
pub fn case_title(case: PilotCase) -> String {
    match case {
        PilotCase::SignIn => t!("pilot-case-sign-in"),
        PilotCase::SeesRooms => t!("pilot-case-sees-rooms"),
        PilotCase::JoinsRoom => t!("pilot-case-joins-room"),
        PilotCase::Posts => t!("pilot-case-posts"),
        PilotCase::History => t!("pilot-case-history"),
        PilotCase::LegacyEndpoint => t!("pilot-case-legacy-endpoint"),
        PilotCase::Files => t!("pilot-case-files"),
    }
}

/// The case's abbreviation (narrow screens).
fn case_short(case: PilotCase) -> String {
    match case {
        PilotCase::SignIn => t!("pilot-short-sign-in"),
        PilotCase::SeesRooms => t!("pilot-short-sees-rooms"),
        PilotCase::JoinsRoom => t!("pilot-short-joins-room"),
        PilotCase::Posts => t!("pilot-short-posts"),
        PilotCase::History => t!("pilot-short-history"),
        PilotCase::LegacyEndpoint => t!("pilot-short-legacy-endpoint"),
        PilotCase::Files => t!("pilot-short-files"),
    }
}

/// What the tester does and what counts as a pass.
fn case_description(case: PilotCase) -> String {
    match case {
        PilotCase::SignIn => t!("pilot-desc-sign-in"),
        PilotCase::SeesRooms => t!("pilot-desc-sees-rooms"),
        PilotCase::JoinsRoom => t!("pilot-desc-joins-room"),
        PilotCase::Posts => t!("pilot-desc-posts"),
        PilotCase::History => t!("pilot-desc-history"),
        PilotCase::LegacyEndpoint => t!("pilot-desc-legacy-endpoint"),
        PilotCase::Files => t!("pilot-desc-files"),
    }
}

/// The cell marker: a word, so the grid reads without colour.
pub fn outcome_label(outcome: PilotOutcome) -> String {
    match outcome {
        PilotOutcome::Pass => t!("pilot-mark-pass"),
        PilotOutcome::Fail => t!("pilot-mark-fail"),
        PilotOutcome::NotApplicable => t!("pilot-mark-na"),
        PilotOutcome::Todo => t!("pilot-mark-todo"),
    }
}

/// Client abbreviations for the grid (product names are not translated).
fn client_short(c: PilotClient) -> &'static str {
    match c {
        PilotClient::Lync2013 => "L2013",
        PilotClient::Lync2013Basic => "L2013B",
        PilotClient::SkypeForBusiness => "SfB",
        PilotClient::Lync2010GroupChat => "L2010GC",
        PilotClient::Ocs2007R2GroupChat => "OC07GC",
    }
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => t!("pilot-yes"),
        Some(false) => t!("pilot-no"),
        None => t!("pilot-unknown"),
    }
}

impl PilotState {
    /// Shows a fresh pilot from the store.
    fn apply_data(&mut self, data: PilotData) {
        self.selected = self
            .selected
            .min(data.results.users.len().saturating_sub(1));
        self.data = Some(data);
        self.load_error = None;
    }

    /// Opened: read the pilot through the store thread.
    fn enter(&mut self, ctx: &mut Ctx) {
        let (sid, tx) = (ctx.session.id, ctx.sender());
        ctx.submit_store(move |store| {
            let result = PilotData::load(store, sid).map_err(|e| e.to_string());
            let _ = tx.send(AppMsg::Pilot(Box::new(PilotMsg::Loaded { result })));
        });
    }

    /// Keys of the pilot screen.
    fn act(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        if let Some(d) = movement(action) {
            self.selected = step(self.selected, d, self.users());
            return true;
        }
        match action {
            Action::Back if self.import.is_some() => {
                if let Some(imp) = self.import.as_mut() {
                    imp.cancelled = true;
                }
                ctx.set_status(t!("status-pilot-import-stopping"), false);
            }
            Action::PrevCase => self.case = step(self.case, -1, PilotCase::ALL.len()),
            Action::NextCase => self.case = step(self.case, 1, PilotCase::ALL.len()),
            Action::PilotPass => self.mark(ctx, PilotOutcome::Pass),
            Action::PilotNotApplicable => self.mark(ctx, PilotOutcome::NotApplicable),
            Action::PilotTodo => self.mark(ctx, PilotOutcome::Todo),
            Action::PilotFail => {
                if let Some((sip, case)) = self.target(ctx, PilotOutcome::Fail) {
                    ctx.open_input(
                        InputPurpose::PilotFailNote {
                            sip,
                            case: case.id().to_string(),
                        },
                        &t!("pilot-note-placeholder"),
                    );
                }
            }
            Action::PilotAddProfileUsers => self.add_profile_users(ctx),
            Action::PilotImportCsv => {
                ctx.open_input(InputPurpose::PilotCsvFile, &t!("pilot-csv-placeholder"));
            }
            _ => return false,
        }
        true
    }

    /// The selected cell, when `outcome` may be recorded there (the status line says why not).
    fn target(&mut self, ctx: &mut Ctx, outcome: PilotOutcome) -> Option<(String, PilotCase)> {
        let case = self.selected_case();
        let Some(user) = self.user().cloned() else {
            ctx.set_status(t!("status-pilot-no-users"), true);
            return None;
        };
        if self.pending.contains(&(user.sip.clone(), case)) {
            ctx.set_status(t!("status-pilot-still-saving"), true);
            return None;
        }
        if matches!(outcome, PilotOutcome::Pass | PilotOutcome::Fail)
            && !case.applies_to(user.client)
        {
            ctx.set_status(
                t!(
                    "status-pilot-not-applicable",
                    case = case_title(case),
                    client = user.client.product_name()
                ),
                true,
            );
            return None;
        }
        Some((user.sip, case))
    }

    /// p, a, u: records the outcome of the selected cell.
    fn mark(&mut self, ctx: &mut Ctx, outcome: PilotOutcome) {
        if let Some((sip, case)) = self.target(ctx, outcome) {
            self.set_result(ctx, sip, case, outcome, String::new());
        }
    }

    /// Records a result on the store thread; when it comes back, shows the re-read pilot and
    /// the coexistence evidence attached for it.
    fn set_result(
        &mut self,
        ctx: &mut Ctx,
        sip: String,
        case: PilotCase,
        outcome: PilotOutcome,
        note: String,
    ) {
        let current = self.data.as_ref().and_then(|d| d.results.get(&sip, case));
        if current.is_some_and(|r| {
            r.recorded() && r.result == outcome && r.note.as_deref().unwrap_or("") == note.trim()
        }) {
            ctx.set_status(t!("status-unchanged"), false);
            return;
        }
        self.pending.insert((sip.clone(), case));
        let (sid, who, tx) = (ctx.session.id, ctx.operator.clone(), ctx.sender());
        // While a CSV import runs, the whole pilot is reloaded (with the evidence) only at its
        // end: a tick then costs one row, not the users imported so far.
        let light = self.import.is_some();
        ctx.submit_store(move |store| {
            let saved = store
                .set_pilot_result(sid, &sip, case, outcome, note.trim(), &who)
                .map_err(|e| e.to_string());
            let after = saved.map(|rec| match light {
                true => Err(rec),
                false => Ok(reload_with_evidence(store, sid, &who)),
            });
            let _ = tx.send(AppMsg::Pilot(Box::new(PilotMsg::ResultSaved {
                sip,
                case,
                outcome,
                after,
            })));
        });
    }

    fn apply_after(&mut self, ctx: &mut Ctx, after: After) {
        match after.data {
            Ok(data) => self.apply_data(data),
            Err(e) => ctx.set_status(t!("status-pilot-load-failed", error = e), true),
        }
        match after.evidence {
            Ok(ev) => ctx.add_evidence(ev),
            Err(e) => ctx.set_status(t!("status-pilot-evidence-failed", error = e), true),
        }
    }

    /// A: adds the profile's users homed on Lync 2013; the users left out are named in the
    /// status line (all of them in the log).
    fn add_profile_users(&mut self, ctx: &mut Ctx) {
        let (users, warnings) = pilot::users_from_profile(&ctx.profile);
        for w in &warnings {
            tracing::info!("pilot users from the profile: {w}");
        }
        let left_out = left_out_names(&warnings);
        if users.is_empty() {
            ctx.set_status(
                t!(
                    "status-pilot-none-in-profile",
                    count = warnings.len(),
                    names = left_out
                ),
                true,
            );
            return;
        }
        self.add_users(
            ctx,
            users,
            "profile".to_string(),
            None,
            left_out,
            warnings.len(),
        );
    }

    /// Puts one saved record in place in the screen's copy of the pilot.
    fn set_cell(&mut self, rec: pilot::PilotResultRecord) {
        let Some(data) = self.data.as_mut() else {
            return;
        };
        let cases = PilotCase::ALL.len();
        let Some(u) = data
            .results
            .users
            .iter()
            .position(|u| u.sip.eq_ignore_ascii_case(&rec.sip))
        else {
            return;
        };
        let Some(c) = PilotCase::ALL.iter().position(|c| *c == rec.case) else {
            return;
        };
        if let Some(slot) = data.results.results.get_mut(u * cases + c)
            && slot.case == rec.case
        {
            *slot = rec;
        }
    }

    /// Starts a CSV import in batches (see [`CsvImport`]).
    fn start_import(
        &mut self,
        ctx: &mut Ctx,
        users: Vec<pilot::NewPilotUser>,
        source: String,
        file: String,
    ) {
        self.import = Some(CsvImport {
            file,
            total: users.len(),
            ..CsvImport::default()
        });
        self.next_batch(ctx, users.into_iter(), source);
    }

    /// Queues the next batch, or ends the import when the file is done or esc stopped it.
    fn next_batch(
        &mut self,
        ctx: &mut Ctx,
        mut rest: std::vec::IntoIter<pilot::NewPilotUser>,
        source: String,
    ) {
        let Some(imp) = self.import.as_ref() else {
            return;
        };
        if imp.cancelled || rest.len() == 0 {
            self.finish_import(ctx);
            return;
        }
        ctx.set_status(
            t!(
                "status-pilot-import-progress",
                done = imp.done,
                total = imp.total
            ),
            false,
        );
        let batch: Vec<_> = rest.by_ref().take(IMPORT_BATCH).collect();
        let (sid, who, tx) = (ctx.session.id, ctx.operator.clone(), ctx.sender());
        ctx.submit_store(move |store| {
            let added = store
                .add_pilot_users(sid, &batch, &source, &who)
                .map_err(|e| e.to_string());
            let n = batch.len();
            let _ = tx.send(AppMsg::Pilot(Box::new(PilotMsg::BatchAdded {
                added,
                n,
                rest,
                source,
            })));
        });
    }

    /// Reloads the pilot (and its evidence) once, at the end of an import.
    fn finish_import(&mut self, ctx: &mut Ctx) {
        let Some(imp) = self.import.take() else {
            return;
        };
        let (sid, who, tx) = (ctx.session.id, ctx.operator.clone(), ctx.sender());
        ctx.submit_store(move |store| {
            let after = reload_with_evidence(store, sid, &who);
            let _ = tx.send(AppMsg::Pilot(Box::new(PilotMsg::ImportFinished {
                imp,
                after,
            })));
        });
    }

    /// Adds users on the store thread and reports what happened. `file` names a CSV source.
    fn add_users(
        &mut self,
        ctx: &mut Ctx,
        users: Vec<pilot::NewPilotUser>,
        source: String,
        file: Option<String>,
        left_out: String,
        left_out_count: usize,
    ) {
        let (sid, who, tx) = (ctx.session.id, ctx.operator.clone(), ctx.sender());
        ctx.set_status(t!("status-pilot-adding", count = users.len()), false);
        ctx.submit_store(move |store| {
            let added = store
                .add_pilot_users(sid, &users, &source, &who)
                .map_err(|e| e.to_string());
            let after = added.map(|a| {
                let after = if a.added.is_empty() && a.updated.is_empty() {
                    // Nothing changed: no new evidence.
                    After {
                        data: PilotData::load(store, sid).map_err(|e| e.to_string()),
                        evidence: Ok(Vec::new()),
                    }
                } else {
                    reload_with_evidence(store, sid, &who)
                };
                (a, after)
            });
            let _ = tx.send(AppMsg::Pilot(Box::new(PilotMsg::UsersAdded {
                after,
                file,
                left_out,
                left_out_count,
            })));
        });
    }

    /// Imports pilot users from a CSV file (the input's text is the path). The file is read
    /// and parsed on its own thread; errors name the file, line and column.
    pub fn import_csv(&mut self, ctx: &mut Ctx, path: &str) {
        let path = path.trim().to_string();
        let profile = ctx.profile.clone();
        let tx = ctx.sender();
        ctx.set_status(t!("status-pilot-reading-csv", file = path.clone()), false);
        std::thread::spawn(move || {
            let read = pilot::users_from_csv_file(std::path::Path::new(&path)).map(|mut users| {
                pilot::enrich_from_profile(&mut users, &profile);
                users
            });
            let name = std::path::Path::new(&path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
            let _ = tx.send(AppMsg::Pilot(Box::new(PilotMsg::CsvRead { read, name })));
        });
    }

    /// Records a failed test case with its note (the note is required).
    pub fn record_failure(&mut self, ctx: &mut Ctx, sip: &str, case: &str, note: &str) {
        let note = note.trim();
        if note.is_empty() {
            ctx.set_status(t!("status-pilot-note-needed"), true);
            return;
        }
        let case: PilotCase = match case.parse() {
            Ok(c) => c,
            Err(e) => {
                ctx.set_status(t!("status-save-failed", error = e), true);
                return;
            }
        };
        self.set_result(
            ctx,
            sip.to_string(),
            case,
            PilotOutcome::Fail,
            note.to_string(),
        );
    }
}

impl Component for PilotState {
    type Msg = PilotMsg;

    fn on_enter(&mut self, ctx: &mut Ctx) {
        self.enter(ctx);
    }

    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> bool {
        self.act(ctx, action)
    }

    fn on_msg(&mut self, ctx: &mut Ctx, msg: PilotMsg) {
        self.apply(ctx, msg);
    }

    fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        self.paint(f, area, ctx);
    }

    fn contexts(&self) -> Vec<Context> {
        vec![Context::Pilot]
    }

    fn hint(&self, _ctx: &Ctx) -> String {
        t!("hint-pilot")
    }
}
