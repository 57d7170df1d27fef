//! The pilot screen: pilot users (rows) × chat test cases (columns), each cell todo, pass,
//! FAIL or n/a in words; the selected cell's detail; progress per test and per user; and
//! the Coexistence items the pilot gives evidence for (26, 27, 66).
//!
//! Every write goes to the store thread; the screen shows a change only when the store's
//! answer comes back (with the whole pilot re-read, its progress and the coexistence
//! verdicts computed there, off the UI task). Each change of a result or of the users also
//! attaches the coexistence evidence to items 26, 27 and 66 — evidence only: the admin
//! ticks the items in the runbook, having read it.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{movement, step};
use crate::pilot::{
    self, CoexistenceEvidence, Counts, PilotCase, PilotClient, PilotOutcome, PilotProgress,
    PilotResultRecord, PilotResults, PilotUser,
};
use crate::store::{EvidenceRecord, Store};
use crate::t;
use crate::tui::app::{App, AppMsg, InputPurpose, Overlay, list_offset};
use crate::tui::keymap::Action;
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

/// Shows a fresh pilot from the store.
fn apply_data(app: &mut App, data: PilotData) {
    app.pilot.selected = app
        .pilot
        .selected
        .min(data.results.users.len().saturating_sub(1));
    app.pilot.data = Some(data);
    app.pilot.load_error = None;
}

/// Adds newly attached evidence to the runbook's view, newest first.
fn apply_evidence(app: &mut App, evidence: Vec<EvidenceRecord>) {
    for ev in evidence {
        app.facts.push_evidence(ev);
    }
    app.rederive();
}

/// Opened: read the pilot through the store thread.
pub fn on_enter(app: &mut App) {
    let (sid, tx) = (app.session.id, app.sender());
    app.submit_store(move |store| {
        let result = PilotData::load(store, sid).map_err(|e| e.to_string());
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match result {
            Ok(data) => apply_data(app, data),
            Err(e) => {
                app.pilot.load_error = Some(e.clone());
                app.set_status(t!("status-pilot-load-failed", error = e), true);
            }
        })));
    });
}

/// Keys of the pilot screen.
pub fn on_action(app: &mut App, action: Action) -> bool {
    if let Some(d) = movement(action) {
        app.pilot.selected = step(app.pilot.selected, d, app.pilot.users());
        return true;
    }
    match action {
        Action::Back if app.pilot.import.is_some() => {
            if let Some(imp) = app.pilot.import.as_mut() {
                imp.cancelled = true;
            }
            app.set_status(t!("status-pilot-import-stopping"), false);
        }
        Action::PrevCase => app.pilot.case = step(app.pilot.case, -1, PilotCase::ALL.len()),
        Action::NextCase => app.pilot.case = step(app.pilot.case, 1, PilotCase::ALL.len()),
        Action::PilotPass => mark(app, PilotOutcome::Pass),
        Action::PilotNotApplicable => mark(app, PilotOutcome::NotApplicable),
        Action::PilotTodo => mark(app, PilotOutcome::Todo),
        Action::PilotFail => {
            if let Some((sip, case)) = target(app, PilotOutcome::Fail) {
                app.open_input(
                    InputPurpose::PilotFailNote {
                        sip,
                        case: case.id().to_string(),
                    },
                    &t!("pilot-note-placeholder"),
                );
            }
        }
        Action::PilotAddProfileUsers => add_profile_users(app),
        Action::PilotImportCsv => {
            app.open_input(InputPurpose::PilotCsvFile, &t!("pilot-csv-placeholder"));
        }
        _ => return false,
    }
    true
}

/// The selected cell, when `outcome` may be recorded there (the status line says why not).
fn target(app: &mut App, outcome: PilotOutcome) -> Option<(String, PilotCase)> {
    let case = app.pilot.selected_case();
    let Some(user) = app.pilot.user().cloned() else {
        app.set_status(t!("status-pilot-no-users"), true);
        return None;
    };
    if app.pilot.pending.contains(&(user.sip.clone(), case)) {
        app.set_status(t!("status-pilot-still-saving"), true);
        return None;
    }
    if matches!(outcome, PilotOutcome::Pass | PilotOutcome::Fail) && !case.applies_to(user.client) {
        app.set_status(
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
fn mark(app: &mut App, outcome: PilotOutcome) {
    if let Some((sip, case)) = target(app, outcome) {
        set_result(app, sip, case, outcome, String::new());
    }
}

/// Records a result on the store thread; when it comes back, shows the re-read pilot and
/// the coexistence evidence attached for it.
fn set_result(app: &mut App, sip: String, case: PilotCase, outcome: PilotOutcome, note: String) {
    let current = app
        .pilot
        .data
        .as_ref()
        .and_then(|d| d.results.get(&sip, case));
    if current.is_some_and(|r| {
        r.recorded() && r.result == outcome && r.note.as_deref().unwrap_or("") == note.trim()
    }) {
        app.set_status(t!("status-unchanged"), false);
        return;
    }
    app.pilot.pending.insert((sip.clone(), case));
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    // While a CSV import runs, the whole pilot is reloaded (with the evidence) only at its
    // end: a tick then costs one row, not the users imported so far.
    let light = app.pilot.import.is_some();
    app.submit_store(move |store| {
        let saved = store
            .set_pilot_result(sid, &sip, case, outcome, note.trim(), &who)
            .map_err(|e| e.to_string());
        let after = saved.map(|rec| match light {
            true => Err(rec),
            false => Ok(reload_with_evidence(store, sid, &who)),
        });
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
            app.pilot.pending.remove(&(sip.clone(), case));
            match after {
                Err(e) => app.set_status(t!("status-save-failed", error = e), true),
                Ok(Err(rec)) => {
                    set_cell(app, rec);
                    app.set_status(
                        t!(
                            "status-pilot-saved",
                            user = sip.clone(),
                            case = case_title(case),
                            result = outcome_label(outcome)
                        ),
                        false,
                    );
                }
                Ok(Ok(after)) => {
                    let user = app
                        .pilot
                        .data
                        .as_ref()
                        .and_then(|d| d.results.user(&sip))
                        .map_or_else(|| sip.clone(), |u| u.display_name.clone());
                    app.set_status(
                        t!(
                            "status-pilot-saved",
                            user = user,
                            case = case_title(case),
                            result = outcome_label(outcome)
                        ),
                        false,
                    );
                    apply_after(app, after);
                }
            }
        })));
    });
}

/// The pilot re-read after a change, and the evidence attached for it.
struct After {
    data: Result<PilotData, String>,
    evidence: Result<Vec<EvidenceRecord>, String>,
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

fn apply_after(app: &mut App, after: After) {
    match after.data {
        Ok(data) => apply_data(app, data),
        Err(e) => app.set_status(t!("status-pilot-load-failed", error = e), true),
    }
    match after.evidence {
        Ok(ev) => apply_evidence(app, ev),
        Err(e) => app.set_status(t!("status-pilot-evidence-failed", error = e), true),
    }
}

/// A: adds the profile's users homed on Lync 2013; the users left out are named in the
/// status line (all of them in the log).
fn add_profile_users(app: &mut App) {
    let (users, warnings) = pilot::users_from_profile(&app.profile);
    for w in &warnings {
        tracing::info!("pilot users from the profile: {w}");
    }
    let left_out = left_out_names(&warnings);
    if users.is_empty() {
        app.set_status(
            t!(
                "status-pilot-none-in-profile",
                count = warnings.len(),
                names = left_out
            ),
            true,
        );
        return;
    }
    add_users(
        app,
        users,
        "profile".to_string(),
        None,
        left_out,
        warnings.len(),
    );
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

/// Puts one saved record in place in the screen's copy of the pilot.
fn set_cell(app: &mut App, rec: pilot::PilotResultRecord) {
    let Some(data) = app.pilot.data.as_mut() else {
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
fn start_import(app: &mut App, users: Vec<pilot::NewPilotUser>, source: String, file: String) {
    app.pilot.import = Some(CsvImport {
        file,
        total: users.len(),
        ..CsvImport::default()
    });
    next_batch(app, users.into_iter(), source);
}

/// Queues the next batch, or ends the import when the file is done or esc stopped it.
fn next_batch(app: &mut App, mut rest: std::vec::IntoIter<pilot::NewPilotUser>, source: String) {
    let Some(imp) = app.pilot.import.as_ref() else {
        return;
    };
    if imp.cancelled || rest.len() == 0 {
        finish_import(app);
        return;
    }
    app.set_status(
        t!(
            "status-pilot-import-progress",
            done = imp.done,
            total = imp.total
        ),
        false,
    );
    let batch: Vec<_> = rest.by_ref().take(IMPORT_BATCH).collect();
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    app.submit_store(move |store| {
        let added = store
            .add_pilot_users(sid, &batch, &source, &who)
            .map_err(|e| e.to_string());
        let n = batch.len();
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match added {
            Err(e) => {
                app.set_status(t!("status-save-failed", error = e), true);
                if let Some(imp) = app.pilot.import.as_mut() {
                    imp.cancelled = true;
                }
                finish_import(app);
            }
            Ok(a) => {
                if let Some(imp) = app.pilot.import.as_mut() {
                    imp.done += n;
                    imp.added += a.added.len();
                    imp.updated += a.updated.len();
                    imp.unchanged += a.unchanged;
                }
                next_batch(app, rest, source);
            }
        })));
    });
}

/// Reloads the pilot (and its evidence) once, at the end of an import.
fn finish_import(app: &mut App) {
    let Some(imp) = app.pilot.import.take() else {
        return;
    };
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    app.submit_store(move |store| {
        let after = reload_with_evidence(store, sid, &who);
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
            let status = if imp.done < imp.total {
                t!(
                    "status-pilot-import-stopped",
                    file = imp.file.clone(),
                    done = imp.done,
                    total = imp.total
                )
            } else {
                t!(
                    "status-pilot-imported",
                    file = imp.file.clone(),
                    added = imp.added,
                    updated = imp.updated,
                    unchanged = imp.unchanged
                )
            };
            let error = app.status.as_ref().is_some_and(|s| s.error);
            if !error {
                app.set_status(status, false);
            }
            apply_after(app, after);
        })));
    });
}

/// Adds users on the store thread and reports what happened. `file` names a CSV source.
fn add_users(
    app: &mut App,
    users: Vec<pilot::NewPilotUser>,
    source: String,
    file: Option<String>,
    left_out: String,
    left_out_count: usize,
) {
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    app.set_status(t!("status-pilot-adding", count = users.len()), false);
    app.submit_store(move |store| {
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
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match after {
            Err(e) => app.set_status(t!("status-save-failed", error = e), true),
            Ok((a, after)) => {
                let (added, updated, unchanged) = (a.added.len(), a.updated.len(), a.unchanged);
                let status = match (&file, left_out_count) {
                    (Some(f), _) => t!(
                        "status-pilot-imported",
                        file = f.clone(),
                        added = added,
                        updated = updated,
                        unchanged = unchanged
                    ),
                    (None, 0) => t!(
                        "status-pilot-added",
                        added = added,
                        updated = updated,
                        unchanged = unchanged
                    ),
                    (None, n) => t!(
                        "status-pilot-added-left-out",
                        added = added,
                        updated = updated,
                        count = n,
                        names = left_out
                    ),
                };
                app.set_status(status, false);
                apply_after(app, after);
            }
        })));
    });
}

/// Imports pilot users from a CSV file (the input's text is the path). The file is read
/// and parsed on its own thread; errors name the file, line and column.
pub fn import_csv(app: &mut App, path: &str) {
    let path = path.trim().to_string();
    let profile = app.profile.clone();
    let tx = app.sender();
    app.set_status(t!("status-pilot-reading-csv", file = path.clone()), false);
    std::thread::spawn(move || {
        let read = pilot::users_from_csv_file(std::path::Path::new(&path)).map(|mut users| {
            pilot::enrich_from_profile(&mut users, &profile);
            users
        });
        let name = std::path::Path::new(&path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match read {
            Err(e) => {
                app.set_status(t!("status-pilot-csv-failed", file = name), true);
                app.overlay = Some(Overlay::Message {
                    title: t!("title-pilot-csv-failed"),
                    body: e,
                });
            }
            Ok(users) if users.is_empty() => {
                app.set_status(t!("status-pilot-csv-empty", file = name), true);
            }
            Ok(_) if app.pilot.import.is_some() => {
                app.set_status(t!("status-pilot-import-busy"), true);
            }
            Ok(users) if users.len() <= IMPORT_BATCH => {
                let source = format!("csv:{name}");
                add_users(app, users, source, Some(name), String::new(), 0);
            }
            Ok(users) => {
                let source = format!("csv:{name}");
                start_import(app, users, source, name);
            }
        })));
    });
}

/// Records a failed test case with its note (the note is required).
pub fn record_failure(app: &mut App, sip: &str, case: &str, note: &str) {
    let note = note.trim();
    if note.is_empty() {
        app.set_status(t!("status-pilot-note-needed"), true);
        return;
    }
    let case: PilotCase = match case.parse() {
        Ok(c) => c,
        Err(e) => {
            app.set_status(t!("status-save-failed", error = e), true);
            return;
        }
    };
    set_result(
        app,
        sip.to_string(),
        case,
        PilotOutcome::Fail,
        note.to_string(),
    );
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

/// Cuts `s` to `w` display cells and pads it to exactly `w`.
fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if used + cw > w {
            break;
        }
        out.push(ch);
        used += cw;
    }
    out.push_str(&" ".repeat(w - used));
    out
}

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

// ---- drawing --------------------------------------------------------------------------------

fn block<'a>(app: &App, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.border)
        .title(Span::styled(format!(" {title} "), app.theme.title))
}

fn outcome_style(app: &App, r: &PilotResultRecord) -> Style {
    match r.result {
        PilotOutcome::Pass => app.theme.ok,
        PilotOutcome::Fail => app.theme.error,
        PilotOutcome::NotApplicable => app.theme.dim,
        PilotOutcome::Todo => app.theme.text,
    }
}

/// Draws the screen: the grid on top; below it the selected cell's detail, the coexistence
/// items and (on wide screens) the progress per test.
pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let users = u16::try_from(app.pilot.users()).unwrap_or(u16::MAX);
    let wide = area.width >= 120;
    // Header row, footer row, borders; at least one user row.
    let want = users.max(1).saturating_add(4);
    if wide {
        let grid_h = want.min(area.height / 2).max(6);
        let [grid, rest] =
            Layout::vertical([Constraint::Length(grid_h), Constraint::Min(6)]).areas(area);
        draw_grid(f, grid, app);
        let [detail, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(rest);
        draw_detail(f, detail, app);
        let [coex, prog] =
            Layout::vertical([Constraint::Min(6), Constraint::Length(10)]).areas(right);
        draw_coexistence(f, coex, app, true);
        draw_case_progress(f, prog, app);
    } else {
        let grid_h = want.min(area.height.saturating_sub(12)).max(5);
        let [grid, detail, coex] = Layout::vertical([
            Constraint::Length(grid_h),
            Constraint::Min(7),
            Constraint::Length(5),
        ])
        .areas(area);
        draw_grid(f, grid, app);
        draw_detail(f, detail, app);
        draw_coexistence(f, coex, app, false);
    }
}

fn grid_title(app: &App) -> String {
    match &app.pilot.data {
        Some(d) => t!(
            "pilot-grid-title",
            users = d.progress.users,
            pass = d.progress.totals.pass,
            fail = d.progress.totals.fail,
            todo = d.progress.totals.todo
        ),
        None => t!("screen-pilot"),
    }
}

fn draw_grid(f: &mut Frame, area: Rect, app: &App) {
    let b = block(app, grid_title(app));
    let inner = b.inner(area);
    f.render_widget(b, area);
    let th = &app.theme;
    let Some(data) = &app.pilot.data else {
        let text = match &app.pilot.load_error {
            Some(e) => Line::styled(t!("status-pilot-load-failed", error = e.clone()), th.error),
            None => Line::styled(t!("pilot-loading"), th.dim),
        };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        return;
    };
    if data.results.users.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled(t!("pilot-empty"), th.dim)).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    let total_w = usize::from(inner.width);
    let ncases = PilotCase::ALL.len();
    let done_w = 9;
    let user_w = if total_w >= 140 { 30 } else { 20 };
    let case_w = (total_w.saturating_sub(user_w + done_w) / ncases).clamp(4, 18);
    let full = PilotCase::ALL
        .iter()
        .all(|&c| width(&case_title(c)) < case_w);
    let label = |c: PilotCase| if full { case_title(c) } else { case_short(c) };

    // Header.
    let mut header = vec![Span::styled(fit(&t!("pilot-col-user"), user_w), th.dim)];
    for (i, &c) in PilotCase::ALL.iter().enumerate() {
        let style = if i == app.pilot.case {
            th.selected
        } else {
            th.title
        };
        header.push(Span::styled(fit(&label(c), case_w - 1), style));
        header.push(Span::raw(" "));
    }
    header.push(Span::styled(fit(&t!("pilot-col-done"), done_w), th.dim));
    let mut lines = vec![Line::from(header)];

    // Users.
    let rows = usize::from(inner.height.saturating_sub(2));
    let offset = list_offset(app.pilot.selected, rows);
    let name_w = user_w - 2 - 8;
    for (u, user) in data
        .results
        .users
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
    {
        let selected_row = u == app.pilot.selected;
        let marker = if selected_row { "▶ " } else { "  " };
        let mut spans = vec![Span::styled(
            format!(
                "{marker}{}{}",
                fit(&user.display_name, name_w),
                fit(&format!(" {}", client_short(user.client)), 8)
            ),
            if selected_row { th.selected } else { th.text },
        )];
        for c in 0..ncases {
            let selected_cell = selected_row && c == app.pilot.case;
            let (text, style) = match data.cell(u, c) {
                None => ("?".to_string(), th.dim),
                Some(r) if app.pilot.pending.contains(&(user.sip.clone(), r.case)) => {
                    ("…".to_string(), th.warn)
                }
                Some(r) => (outcome_label(r.result), outcome_style(app, r)),
            };
            let text = if selected_cell && width(&text) + 2 < case_w {
                format!("[{text}]")
            } else {
                text
            };
            let style = if selected_cell {
                style.patch(th.selected)
            } else {
                style
            };
            spans.push(Span::styled(fit(&text, case_w - 1), style));
            spans.push(Span::raw(" "));
        }
        if let Some(p) = data.progress.per_user.get(u) {
            spans.push(Span::styled(
                fit(&p.counts.passed_label(), done_w),
                if p.counts.fail > 0 { th.error } else { th.dim },
            ));
        }
        lines.push(Line::from(spans));
    }

    // Progress per test, under its column.
    let mut footer = vec![Span::styled(fit(&t!("pilot-row-done"), user_w), th.dim)];
    for cp in &data.progress.per_case {
        let c = &cp.counts;
        let text = c.passed_label();
        let style = if c.fail > 0 { th.error } else { th.dim };
        footer.push(Span::styled(fit(&text, case_w - 1), style));
        footer.push(Span::raw(" "));
    }
    let t = &data.progress.totals;
    footer.push(Span::styled(
        fit(&t.passed_label(), done_w),
        if t.fail > 0 { th.error } else { th.dim },
    ));
    // Keep the footer on the last row even when there are few users.
    while lines.len() < usize::from(inner.height.saturating_sub(1)) {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(footer));
    f.render_widget(Paragraph::new(lines), inner);
}

fn counts_line(c: &Counts) -> String {
    t!(
        "pilot-counts",
        pass = c.pass,
        fail = c.fail,
        na = c.na,
        todo = c.todo
    )
}

fn draw_detail(f: &mut Frame, area: Rect, app: &App) {
    let th = &app.theme;
    let case = app.pilot.selected_case();
    let data = app.pilot.data.as_ref();
    let Some(user) = app.pilot.user() else {
        f.render_widget(
            Paragraph::new(Line::styled(case_description(case), th.text))
                .block(block(app, case_title(case)))
                .wrap(Wrap { trim: false }),
            area,
        );
        return;
    };
    let title = t!(
        "pilot-detail-title",
        case = case_title(case),
        user = user.display_name.clone()
    );
    // Most important first: the result and its note, then who and when (at 80×24 the
    // last lines may be cut; the grid shows the progress too).
    let mut lines = Vec::new();
    if app.pilot.pending.contains(&(user.sip.clone(), case)) {
        lines.push(Line::styled(t!("pilot-saving"), th.warn));
    }
    if let Some(r) = data.and_then(|d| d.cell(app.pilot.selected, app.pilot.case)) {
        let mut spans = vec![Span::styled(
            t!("pilot-detail-result", result = outcome_label(r.result)),
            outcome_style(app, r),
        )];
        match (&r.note, r.recorded()) {
            (_, false) if r.result == PilotOutcome::NotApplicable => {
                spans.push(Span::styled(format!(" — {}", t!("pilot-auto-na")), th.dim));
            }
            (Some(note), _) => spans.push(Span::styled(format!(" — {note}"), th.text)),
            _ => {}
        }
        lines.push(Line::from(spans));
        lines.push(match (&r.who, r.at) {
            (Some(who), Some(at)) => Line::styled(
                t!(
                    "pilot-detail-recorded",
                    who = who.clone(),
                    when = at.format("%Y-%m-%d %H:%M UTC").to_string()
                ),
                th.dim,
            ),
            _ => Line::styled(t!("pilot-detail-not-recorded"), th.dim),
        });
    }
    lines.push(Line::styled(
        t!(
            "pilot-detail-user",
            sip = user.sip.clone(),
            client = user.client.product_name(),
            pool = user.pool.clone().unwrap_or_else(|| t!("pilot-unknown")),
            policy = yes_no(user.pchat_policy),
            on2013 = yes_no(user.homed_on_2013)
        ),
        th.text,
    ));
    lines.push(Line::styled(case_description(case), th.dim));
    if let Some(d) = data {
        if let Some(cp) = d.progress.per_case.get(app.pilot.case) {
            lines.push(Line::styled(
                format!("{} {}", t!("pilot-this-test"), counts_line(&cp.counts)),
                th.dim,
            ));
        }
        if let Some(up) = d.progress.per_user.get(app.pilot.selected) {
            lines.push(Line::styled(
                format!("{} {}", t!("pilot-this-user"), counts_line(&up.counts)),
                th.dim,
            ));
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block(app, title))
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn draw_coexistence(f: &mut Frame, area: Rect, app: &App, wrap: bool) {
    let th = &app.theme;
    let b = block(app, t!("pilot-coex-title"));
    let inner = b.inner(area);
    f.render_widget(b, area);
    let Some(data) = &app.pilot.data else { return };
    let mut lines = Vec::new();
    for e in &data.coexistence {
        let item = app.runbook.item(e.item_id);
        let number = item
            .and_then(|i| i.checklist)
            .map_or_else(String::new, |n| n.to_string());
        let (verdict, style) = if e.passed {
            (t!("pilot-coex-proven"), th.ok)
        } else {
            (t!("pilot-coex-not-proven"), th.warn)
        };
        let mut spans = vec![
            Span::styled(format!("{number:>2} "), th.key),
            Span::styled(format!("{verdict} "), style),
        ];
        if wrap && let Some(i) = item {
            spans.push(Span::styled(format!("{}: ", i.title), th.title));
        }
        spans.push(Span::styled(e.summary.clone(), th.text));
        lines.push(Line::from(spans));
    }
    lines.push(Line::styled(t!("pilot-coex-note"), th.dim));
    let p = Paragraph::new(lines);
    let p = if wrap {
        p.wrap(Wrap { trim: false })
    } else {
        p
    };
    f.render_widget(p, inner);
}

fn draw_case_progress(f: &mut Frame, area: Rect, app: &App) {
    let th = &app.theme;
    let b = block(app, t!("pilot-progress-title"));
    let inner = b.inner(area);
    f.render_widget(b, area);
    let Some(data) = &app.pilot.data else { return };
    let name_w = PilotCase::ALL
        .iter()
        .map(|&c| width(&case_title(c)))
        .max()
        .unwrap_or(10)
        + 2;
    let lines: Vec<Line> = data
        .progress
        .per_case
        .iter()
        .map(|cp| {
            let style = if cp.counts.fail > 0 {
                th.error
            } else {
                th.text
            };
            Line::from(vec![
                Span::styled(fit(&case_title(cp.case), name_w), th.title),
                Span::styled(counts_line(&cp.counts), style),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
