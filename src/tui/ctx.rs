//! The context every screen and overlay works with: the session and what it recorded (the
//! facts and the migration derived from them), the shared services (store thread, message
//! sender, jobs, monitor, theme, status line) and the overlay slot. A screen gets `&mut Ctx`
//! with its own state; it never sees another screen's.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use super::monitor_link::MonitorCmd;
use super::msg::AppMsg;
use super::overlays::{
    ConfirmOverlay, GateOverlay, InputOverlay, InputPurpose, IrreversibleOverlay, Overlay,
    PreviewOverlay,
};
use super::store_worker::StoreWorker;
use super::theme::Theme;
use crate::coexistence::Verdict;
use crate::deployment::Profile;
use crate::jobs::runner::{JobHandle, JobStats};
use crate::jobs::{JobEnv, JobKind};
use crate::migration::{self, GateStep, Migration, Request};
use crate::monitor::StatusSnapshot;
use crate::runbook::{Item, Placeholders, Runbook, Stage};
use crate::store::{Evidence, EvidenceRecord, ItemRecord, ItemState, Session, SessionFacts};
use crate::t;
use crate::wizard::{Pending, Screen};

/// A line in the status bar.
#[derive(Clone, Debug)]
pub struct Status {
    /// Text.
    pub text: String,
    /// True for errors.
    pub error: bool,
    /// When it was set.
    pub at: Instant,
}

/// A job that ended during this run, kept for the detail pane.
#[derive(Clone, Debug)]
pub struct FinishedJob {
    /// Which job.
    pub kind: JobKind,
    /// One-line result.
    pub summary: String,
    /// Passed, failed or cancelled.
    pub outcome: &'static str,
    /// Last log lines.
    pub log_tail: Vec<String>,
    /// Throughput statistics at the end.
    pub stats: JobStats,
}

/// The shared context.
pub struct Ctx {
    /// The runbook.
    pub runbook: Arc<Runbook>,
    /// Placeholder values.
    pub placeholders: Placeholders,
    /// Deployment display name.
    pub deployment_name: String,
    /// Lab or production.
    pub deployment_kind: String,
    /// Legacy → target line.
    pub migration_line: String,
    /// The session.
    pub session: Session,
    /// Operator name.
    pub operator: String,
    /// What the session recorded (committed writes only).
    pub facts: SessionFacts,
    /// The migration's state, derived from `facts` after every committed change; every
    /// screen reads it.
    pub migration: Migration,
    /// Items with a write in flight (shown as saving).
    pub pending: HashSet<String>,
    /// Modal overlay.
    pub overlay: Option<Overlay>,
    /// Running jobs by item id.
    pub jobs: HashMap<String, JobHandle>,
    /// Jobs that ended during this run, by item id.
    pub finished: HashMap<String, FinishedJob>,
    /// Theme.
    pub theme: Theme,
    /// Mouse capture on.
    pub mouse: bool,
    /// Set when mouse capture must be switched by the event loop.
    pub mouse_changed: bool,
    /// Terminal size.
    pub size: (u16, u16),
    /// Status line.
    pub status: Option<Status>,
    /// Quit requested.
    pub quit: bool,
    /// Set when the admin picked another session: the wizard reopens on it.
    pub switch_to: Option<String>,
    /// Something changed since the last draw.
    pub dirty: bool,
    /// The screen shown.
    pub screen: Screen,
    /// The deployment profile.
    pub profile: Profile,
    /// Where reports and diagnostics are written (the data directory).
    pub data_dir: Option<PathBuf>,
    /// The profile file, for production sessions.
    pub profile_path: Option<PathBuf>,
    /// The monitor's latest snapshot.
    pub snapshot: Option<Arc<StatusSnapshot>>,
    /// The user last looked up on the pools screen (troubleshooting fills placeholders
    /// with it).
    pub lookup: Option<Result<Verdict, String>>,
    /// Probe items with evidence being written (so a burst of snapshots writes it once).
    pub probe_pending: HashSet<String>,
    pub(super) monitor_cmd: Option<UnboundedSender<MonitorCmd>>,
    /// Per-run environments (production runs with the password the admin typed).
    pub(super) run_env: HashMap<String, JobEnv>,
    pub(super) worker: StoreWorker,
    pub(super) tx: UnboundedSender<AppMsg>,
    pub(super) job_env: Result<JobEnv, String>,
    pub(super) job_logs_dir: Option<PathBuf>,
}

impl Ctx {
    // ---- queries ----------------------------------------------------------------------------

    /// An item's effective state (`crate::migration`).
    pub fn state_of(&self, item_id: &str) -> ItemState {
        self.migration.state(item_id)
    }

    /// The operator's record of an item (its note, who ticked it), if any.
    pub fn record(&self, item_id: &str) -> Option<&ItemRecord> {
        self.facts.records.get(item_id)
    }

    /// An item's evidence, newest first.
    pub fn evidence_of(&self, item_id: &str) -> &[EvidenceRecord] {
        self.facts.evidence_of(item_id)
    }

    /// The stage an item belongs to.
    pub fn stage_of(&self, item: &Item) -> &Stage {
        self.runbook
            .stage(&item.stage_id)
            .unwrap_or(&self.runbook.rollback)
    }

    /// Re-derives the migration's state after a committed change (and looks at the lab's
    /// export package again: one `stat` of a local file).
    pub fn rederive(&mut self) {
        crate::jobs::observe_package(self.profile.kind, &self.runbook, &mut self.facts);
        self.migration = migration::derive(&self.runbook, &self.facts);
    }

    /// True while the rollback list still applies (`Migration::rollback_available`).
    pub fn rollback_available(&self) -> bool {
        self.migration.rollback_available
    }

    /// The rendered cmdlet lines of an item (or the render error as one line).
    pub fn rendered_cmdlets(&self, item: &Item) -> Result<Vec<String>, String> {
        crate::runbook::render_cmdlets(item, &self.placeholders).map_err(|e| e.to_string())
    }

    /// Whether the real import may run (`Migration::import`).
    pub fn import_readiness(&self) -> migration::ImportReadiness {
        self.migration.import.clone()
    }

    /// The job environment (lab or production, with the executor settings), or why jobs
    /// cannot run: for screens that run read-only checks.
    pub fn job_env(&self) -> Result<&JobEnv, &str> {
        self.job_env.as_ref().map_err(String::as_str)
    }

    // ---- services ---------------------------------------------------------------------------

    /// Shows a line in the status bar (errors also go to the log).
    pub fn set_status(&mut self, text: String, error: bool) {
        if error {
            tracing::warn!("{text}");
        }
        self.status = Some(Status {
            text,
            error,
            at: Instant::now(),
        });
    }

    /// Opens an overlay.
    pub fn open(&mut self, overlay: Overlay) {
        self.overlay = Some(overlay);
    }

    /// Opens a message to read.
    pub fn message(&mut self, title: String, body: String) {
        self.open(Overlay::message(title, body));
    }

    /// Opens a single-line input for a screen.
    pub fn open_input(&mut self, purpose: InputPurpose, placeholder: &str) {
        self.open(InputOverlay::overlay(purpose, placeholder));
    }

    /// Runs a closure against the store on the store thread (in order with every other
    /// write); it sends its result back as a typed message through [`Ctx::sender`].
    pub fn submit_store(&self, f: impl FnOnce(&mut crate::store::Store) + Send + 'static) {
        self.worker.submit(f);
    }

    /// Where worker results go.
    pub fn sender(&self) -> UnboundedSender<AppMsg> {
        self.tx.clone()
    }

    /// Connects the live monitor's command channel.
    pub fn attach_monitor(&mut self, cmd: UnboundedSender<MonitorCmd>) {
        self.monitor_cmd = Some(cmd);
    }

    /// Sends a command to the monitor (nothing happens when none runs).
    pub fn monitor_command(&self, cmd: MonitorCmd) {
        if let Some(tx) = &self.monitor_cmd {
            let _ = tx.send(cmd);
        }
    }

    // ---- gates ------------------------------------------------------------------------------

    /// Puts an action through the gates (`Migration::gate`: refused by evidence, earlier
    /// items open, irreversible, downtime word, in that order). Returns the action when
    /// nothing stands in front of it; otherwise opens the overlay that asks.
    pub fn gate(&mut self, pending: Pending) -> Option<Pending> {
        let req = match &pending {
            Pending::EnterStage(s) => Request::EnterStage(s),
            Pending::SetState { item_id, state, .. } => Request::SetState {
                item: item_id,
                state: *state,
            },
            Pending::RunJob(item_id) => Request::RunJob(item_id),
        };
        match self.migration.gate(&self.runbook, &req) {
            GateStep::Proceed => return Some(pending),
            GateStep::Refused { why, .. } => self.message(t!("title-refused"), why),
            GateStep::EarlierOpen { stage_id, open } => {
                self.open(GateOverlay::overlay(stage_id, open, pending));
            }
            GateStep::Irreversible { item_id, why } => {
                self.open(IrreversibleOverlay::overlay(item_id, why, pending));
            }
            GateStep::ConfirmWord { stage_id, word } => {
                self.open(ConfirmOverlay::overlay(stage_id, word, pending));
            }
        }
        None
    }

    // ---- writes (on the store thread; the screen shows them when committed) -----------------

    /// Saves an item's state.
    pub fn save_state(&mut self, item_id: &str, state: ItemState, reason: Option<String>) {
        self.pending.insert(item_id.to_string());
        self.set_status(t!("status-saving"), false);
        let (sid, who, tx, id) = (
            self.session.id,
            self.operator.clone(),
            self.tx.clone(),
            item_id.to_string(),
        );
        self.worker.submit(move |store| {
            let result = store
                .set_item_state(sid, &id, state, reason.as_deref(), &who)
                .map_err(|e| e.to_string());
            let what = format!("{id}: {}", state.as_str());
            let _ = tx.send(AppMsg::Saved {
                item_id: id,
                result,
                what,
            });
        });
    }

    /// Saves an item's note.
    pub fn save_note(&mut self, item_id: &str, text: String) {
        self.pending.insert(item_id.to_string());
        self.set_status(t!("status-saving"), false);
        let (sid, who, tx, id) = (
            self.session.id,
            self.operator.clone(),
            self.tx.clone(),
            item_id.to_string(),
        );
        self.worker.submit(move |store| {
            let result = store
                .set_note(sid, &id, &text, &who)
                .map_err(|e| e.to_string());
            let what = format!("{id}: note");
            let _ = tx.send(AppMsg::Saved {
                item_id: id,
                result,
                what,
            });
        });
    }

    /// Records an audit event on the store thread; once committed it joins the facts, the
    /// state is derived again, and `then` is asked for again (the next gate, or the action).
    pub fn record_event(
        &mut self,
        kind: &'static str,
        subject: &str,
        detail: String,
        then: Option<Pending>,
    ) {
        let (sid, who, tx, subject) = (
            self.session.id,
            self.operator.clone(),
            self.tx.clone(),
            subject.to_string(),
        );
        self.set_status(t!("status-saving"), false);
        self.worker.submit(move |store| {
            let result = store
                .record_event(sid, kind, Some(&subject), &detail, &who)
                .map_err(|e| e.to_string());
            let _ = tx.send(AppMsg::EventRecorded { result, then });
        });
    }

    /// Writes one probe result as evidence on the store thread.
    pub fn record_probe(&mut self, ev: crate::monitor::probe_items::ProbeEvidence) {
        let mut detail = ev.detail.clone();
        if let Some(obj) = detail.as_object_mut() {
            obj.insert("authoritative".into(), ev.authoritative.into());
        }
        let evidence = Evidence {
            source: crate::monitor::probe_items::EVIDENCE_SOURCE.into(),
            summary: ev.summary.clone(),
            passed: Some(ev.passed),
            detail,
        };
        self.record_evidence(ev.item_id, evidence);
    }

    /// Writes evidence for an item on the store thread; the state follows once committed.
    pub fn record_evidence(&mut self, item_id: String, evidence: Evidence) {
        self.probe_pending.insert(item_id.clone());
        let (sid, who, tx) = (self.session.id, self.operator.clone(), self.tx.clone());
        self.worker.submit(move |store| {
            let added = store
                .add_evidence(sid, &item_id, &evidence, &who)
                .map_err(|e| e.to_string());
            let _ = tx.send(AppMsg::JobResultSaved {
                item_id,
                evidence: added,
                run: None,
            });
        });
    }

    /// Adds committed evidence (from a screen's own write) to the facts and derives again.
    pub fn add_evidence(&mut self, evidence: Vec<EvidenceRecord>) {
        for ev in evidence {
            self.facts.push_evidence(ev);
        }
        self.rederive();
    }

    // ---- the -WhatIf preview ----------------------------------------------------------------

    /// Opens the latest `-WhatIf` preview, or says there is none yet.
    pub fn open_preview(&mut self) {
        match self.migration.preview.clone() {
            Some(p) => {
                self.open(PreviewOverlay::overlay(p));
                self.inspect_package_for_preview();
            }
            None => self.set_status(t!("import-no-preview"), true),
        }
    }

    /// Reads the package's inventory with the inspector (off the UI task); it arrives as
    /// [`AppMsg::PreviewInventory`] and joins the open preview.
    fn inspect_package_for_preview(&self) {
        let Ok(env) = &self.job_env else { return };
        let (package, target) = (env.package.clone(), env.lab.mgc_db.clone());
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            let target = target.exists().then_some(target);
            let r = crate::progress::NullReporter::default();
            let lines = match crate::chatdata::inspect(&package, target.as_deref(), &r) {
                Ok(i) => inventory_lines(&i.inventory),
                Err(e) => vec![e.to_string()],
            };
            let _ = tx.send(AppMsg::PreviewInventory(lines));
        });
    }

    // ---- probes and pools -------------------------------------------------------------------

    /// Runs the legacy database probe (items 9 and 32) on a worker thread. `asked`: the admin
    /// asked for it (`r`), so every result is recorded; otherwise (at start) only results that
    /// change what the model counts.
    pub fn run_legacy_probe(&mut self, asked: bool) {
        let Ok(env) = self.job_env.clone() else {
            return;
        };
        if asked {
            self.set_status(t!("status-legacy-probe"), false);
        }
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            let result = crate::jobs::legacy_probe(&env).map_err(|e| e.to_string());
            let _ = tx.send(AppMsg::LegacyProbe { result, asked });
        });
    }

    /// Stops or starts a lab pool; the answer arrives as [`AppMsg::LabPoolToggled`].
    pub fn toggle_lab_pool(&mut self, fqdn: String) {
        let Some(cmd) = &self.monitor_cmd else {
            self.set_status(t!("status-no-monitor"), true);
            return;
        };
        let (reply, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _ = cmd.send(MonitorCmd::TogglePool {
            fqdn: fqdn.clone(),
            reply,
        });
        let tx = self.tx.clone();
        self.set_status(t!("status-toggling-pool", pool = fqdn.clone()), false);
        std::thread::spawn(move || {
            if let Some(result) = rx.blocking_recv() {
                let _ = tx.send(AppMsg::LabPoolToggled { fqdn, result });
            }
        });
    }

    /// A lab pool was stopped or started: say so, and record it so a restarted wizard serves
    /// the pool as the admin left it.
    pub(super) fn on_lab_pool_toggled(&mut self, fqdn: String, result: Result<bool, String>) {
        match result {
            Ok(running) => {
                let detail = serde_json::to_string(&migration::LabPoolChange {
                    pool: fqdn.clone(),
                    running,
                })
                .unwrap_or_default();
                self.set_status(
                    if running {
                        t!("status-pool-started", pool = fqdn)
                    } else {
                        t!("status-pool-stopped", pool = fqdn)
                    },
                    false,
                );
                let (sid, who, tx) = (self.session.id, self.operator.clone(), self.tx.clone());
                self.worker.submit(move |store| {
                    let result = store
                        .record_event(sid, migration::EVENT_LAB_POOL, None, &detail, &who)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(AppMsg::EventRecorded { result, then: None });
                });
            }
            Err(e) => self.set_status(e, true),
        }
    }

    /// A new monitor snapshot: keep it, and record the probe items' results as evidence when
    /// the model says they count now and differ from the newest counted one
    /// (`Migration::probe_wants`); the item's state follows from the evidence.
    pub fn on_snapshot(&mut self, snap: Arc<StatusSnapshot>) {
        self.snapshot = Some(snap.clone());
        if snap.round == 0 {
            return;
        }
        for ev in crate::monitor::probe_items::evaluate(&snap, &self.profile) {
            if self.runbook.item(&ev.item_id).is_none()
                || self.probe_pending.contains(&ev.item_id)
                || !self.migration.probe_wants(&ev.item_id, ev.passed)
            {
                continue;
            }
            self.probe_pending.insert(ev.item_id.clone());
            self.record_probe(ev);
        }
    }

    // ---- files: report, diagnostics, topology -----------------------------------------------

    /// Writes the sign-off report (Markdown and HTML) into the data directory.
    pub fn write_report(&mut self) {
        let Some(dir) = self.data_dir.clone() else {
            self.set_status(t!("status-no-data-dir"), true);
            return;
        };
        let (sid, runbook, profile, tx) = (
            self.session.id,
            self.runbook.clone(),
            self.profile.clone(),
            self.tx.clone(),
        );
        let name = self.session.name.clone();
        self.set_status(t!("status-writing-report"), false);
        self.worker.submit(move |store| {
            let result = crate::report::build(store, sid, &runbook, &profile)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
                    let md = dir.join(format!("report-{name}-{stamp}.md"));
                    let html = dir.join(format!("report-{name}-{stamp}.html"));
                    std::fs::write(&md, crate::report::markdown(&r))
                        .map_err(|e| format!("{}: {e}", md.display()))?;
                    std::fs::write(&html, crate::report::html(&r))
                        .map_err(|e| format!("{}: {e}", html.display()))?;
                    Ok(html)
                });
            let _ = tx.send(AppMsg::ReportWritten(result));
        });
    }

    /// Collects the diagnostics zip into the data directory.
    pub fn collect_diagnostics(&mut self) {
        let Some(dir) = self.data_dir.clone() else {
            self.set_status(t!("status-no-data-dir"), true);
            return;
        };
        let (sid, tx, profile_path) = (self.session.id, self.tx.clone(), self.profile_path.clone());
        self.set_status(t!("status-collecting"), false);
        self.worker.submit(move |store| {
            let paths = crate::paths::Paths::in_dir(&dir);
            let out = dir.join(format!(
                "diagnostics-{}.zip",
                chrono::Utc::now().format("%Y%m%dT%H%M%S")
            ));
            let result =
                crate::diagnostics::collect(&paths, store, sid, profile_path.as_deref(), &out)
                    .map(|_| out)
                    .map_err(|e| e.to_string());
            let _ = tx.send(AppMsg::DiagnosticsWritten(result));
        });
    }

    /// Reads a topology file off the UI task; in production it is merged into the profile
    /// file. The answer arrives as [`AppMsg::TopologyRead`].
    pub fn import_topology(&mut self, path: String) {
        let tx = self.tx.clone();
        let profile_path = self.profile_path.clone();
        self.set_status(t!("status-reading-topology"), false);
        std::thread::spawn(move || {
            let result = read_topology(&path, profile_path.as_deref());
            let _ = tx.send(AppMsg::TopologyRead(result));
        });
    }

    /// Reopens the wizard on another session (refused while jobs run).
    pub fn switch_session(&mut self, name: String) {
        if !self.jobs.is_empty() {
            self.set_status(t!("status-jobs-running"), true);
            return;
        }
        self.switch_to = Some(name);
        self.quit = true;
    }

    /// Cancels running jobs and waits for queued writes (on quit).
    pub fn shutdown(&mut self) {
        self.monitor_command(MonitorCmd::Shutdown);
        for j in self.jobs.values() {
            j.cancel();
        }
        self.worker.finish();
    }
}

/// The inspector's inventory as the preview shows it.
fn inventory_lines(v: &crate::chatdata::inspect::Inventory) -> Vec<String> {
    let mut l = vec![
        t!(
            "inventory-nodes",
            categories = v.categories,
            subcategories = v.subcategories,
            rooms = v.rooms,
            disabled = v.disabled_rooms
        ),
        t!(
            "inventory-principals",
            users = v.users,
            groups = v.groups,
            federated = v.federated,
            affiliations = v.affiliations
        ),
    ];
    match v.messages {
        Some(m) => l.push(t!(
            "inventory-messages",
            messages = m,
            files = v.file_posts.unwrap_or(0)
        )),
        None => l.push(t!("inventory-no-content")),
    }
    l
}

/// What a topology import found, and whether the profile changed: in production the profile
/// file is merged (its changes listed, or "no change"); in the lab nothing is written.
fn read_topology(
    path: &str,
    profile_path: Option<&std::path::Path>,
) -> Result<TopologyRead, String> {
    let limits = crate::deployment::topology::Limits::default();
    let imp = crate::deployment::topology::import_file(std::path::Path::new(path), &limits)
        .map_err(|e| e.to_string())?;
    let text = imp.to_text();
    let profile = match profile_path {
        Some(p) => match crate::deployment::topology::merge_file(&imp, p) {
            Ok((report, _)) if report.changes.is_empty() => {
                ProfileChange::Unchanged(p.display().to_string())
            }
            Ok((report, _)) => ProfileChange::Changed {
                file: p.display().to_string(),
                changes: report.changes.iter().map(|c| c.to_string()).collect(),
            },
            Err(e) => ProfileChange::Failed(e.to_string()),
        },
        None => ProfileChange::Lab,
    };
    Ok(TopologyRead { text, profile })
}

/// A topology file read, and what became of the profile.
#[derive(Clone, Debug)]
pub struct TopologyRead {
    /// The sites, pools and servers found, as text.
    pub text: String,
    /// What happened to the profile.
    pub profile: ProfileChange,
}

/// What a topology import did to the profile.
#[derive(Clone, Debug)]
pub enum ProfileChange {
    /// A lab session: the profile file is not written.
    Lab,
    /// The profile file already said the same.
    Unchanged(String),
    /// The profile file was changed.
    Changed {
        /// The file.
        file: String,
        /// One line per change.
        changes: Vec<String>,
    },
    /// The merge failed; the profile is as it was.
    Failed(String),
}

impl TopologyRead {
    /// The message the topology dialog shows.
    pub fn message(&self) -> String {
        let mut out = match &self.profile {
            ProfileChange::Lab => t!("topology-profile-lab"),
            ProfileChange::Unchanged(file) => t!("topology-profile-unchanged", file = file.clone()),
            ProfileChange::Changed { file, changes } => {
                let mut s = t!(
                    "topology-profile-changed",
                    file = file.clone(),
                    count = changes.len()
                );
                for c in changes {
                    s.push_str(&format!("\n  • {c}"));
                }
                s
            }
            ProfileChange::Failed(e) => t!("topology-profile-failed", error = e.clone()),
        };
        out.push_str("\n\n");
        out.push_str(&self.text);
        out
    }
}
