//! The wizard's state and its update logic: keys, mouse, paste and worker messages come in;
//! the state changes; writes go to the store thread and jobs to worker threads. Drawing is
//! in `view.rs` and reads this state only.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use ratatui_textarea::TextArea;
use tokio::sync::mpsc::UnboundedSender;

use super::keymap::{self, Action, Context};
use super::layout::{Areas, layout};
use super::monitor_link::MonitorCmd;
use super::screens::{self, Screen};
use super::store_worker::StoreWorker;
use super::theme::Theme;
use crate::deployment::Profile;
use crate::jobs::runner::{self, JobHandle, JobStats};
use crate::jobs::{JobEnv, JobError, JobKind, JobOutcome};
use crate::migration::{self, GateStep, Migration, OpenItem, Request};
use crate::monitor::{StateChange, StatusSnapshot};
use crate::runbook::{Item, Placeholders, Runbook, Stage};
use crate::store::{
    AuditEvent, Evidence, EvidenceRecord, ItemRecord, ItemState, JobRun, Session, SessionFacts,
};
use crate::t;

pub use crate::migration::{EVENT_DOWNTIME_CONFIRMED, EVENT_GATE_OVERRIDE};

/// Which pane has the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Focus {
    /// The stage list.
    Stages,
    /// The checklist of the selected stage (or the filter's matches).
    Items,
    /// The selected item's detail.
    Detail,
}

/// Something the admin asked for that may first need a confirmation or an override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Open the selected stage's checklist.
    EnterStage(String),
    /// Change an item's state.
    SetState {
        /// Item id.
        item_id: String,
        /// New state.
        state: ItemState,
        /// Reason (skipped, blocked).
        reason: Option<String>,
    },
    /// Run an item's job.
    RunJob(String),
}

/// A modal layer over the main screen.
pub enum Overlay {
    /// Production: the exact script of a job, to read (and confirm) before it runs.
    Script(Box<ScriptReview>),
    /// A single-line input for a screen (a SIP URI, a file path, a note).
    Input {
        /// What it is for.
        purpose: InputPurpose,
        /// The editor.
        editor: Box<TextArea<'static>>,
    },
    /// The `-WhatIf` preview: what the import would do and every warning, to acknowledge.
    Preview {
        /// The preview read from the evidence.
        preview: Box<migration::Preview>,
        /// Scroll offset.
        scroll: u16,
        /// The package's inventory from the inspector (filled in when it has read it).
        inventory: Vec<String>,
    },
    /// The session picker: switch to another migration session or start a new one.
    Sessions {
        /// Sessions in the database, most recently opened first.
        sessions: Vec<Session>,
        /// Selected row.
        selected: usize,
        /// The new session's name, while it is being typed.
        new_name: Option<Box<TextArea<'static>>>,
    },
    /// The key help.
    Help {
        /// Scroll offset.
        scroll: u16,
    },
    /// The notes editor of one item.
    Notes {
        /// Item id.
        item_id: String,
        /// The editor.
        editor: Box<TextArea<'static>>,
    },
    /// A reason for skipped or blocked.
    Reason {
        /// Item id.
        item_id: String,
        /// The state asked for.
        state: ItemState,
        /// The editor.
        editor: Box<TextArea<'static>>,
    },
    /// The typed confirmation of a downtime stage.
    Confirm {
        /// Stage id.
        stage_id: String,
        /// The word to type.
        word: String,
        /// The editor.
        editor: Box<TextArea<'static>>,
        /// What to do once confirmed.
        then: Pending,
    },
    /// Earlier stages are open: warn, and record an override if the admin goes on.
    Gate {
        /// Stage id.
        stage_id: String,
        /// The open items of earlier stages not yet acknowledged.
        open: Vec<OpenItem>,
        /// What to do on override.
        then: Pending,
    },
    /// A step that ends the rollback option without a passing verify: the operator types a
    /// reason to go on (recorded with their name), or goes back.
    Irreversible {
        /// Item id.
        item_id: String,
        /// Why it is not safe yet.
        why: String,
        /// The reason editor.
        editor: Box<TextArea<'static>>,
        /// What to do once recorded.
        then: Pending,
    },
    /// Accept, by name, that one item the preview refuses will not be imported: the operator
    /// types `LOSS`.
    AcceptLoss {
        /// The preview's evidence row.
        evidence_id: i64,
        /// The error's code.
        code: String,
        /// The room or category.
        item: String,
        /// What the preview said.
        message: String,
        /// The confirmation editor.
        editor: Box<TextArea<'static>>,
    },
    /// A message to read (an error, or why something cannot run).
    Message {
        /// Title.
        title: String,
        /// Body.
        body: String,
    },
}

/// The script review before a production job runs.
pub struct ScriptReview {
    /// Item id.
    pub item_id: String,
    /// Which job.
    pub kind: JobKind,
    /// The script as shown (secrets redacted).
    pub display: String,
    /// Where it runs.
    pub runs_on: String,
    /// Notes from the executor (double hop, package share, …).
    pub notes: Vec<String>,
    /// SHA-256 of the exact script, recorded when it is approved.
    pub sha256: String,
    /// The word to type when the script changes the deployment.
    pub confirm_word: Option<String>,
    /// The confirmation input.
    pub confirm: Box<TextArea<'static>>,
    /// The account name input, when the profile names none.
    pub user: Option<Box<TextArea<'static>>>,
    /// The account the profile names.
    pub fixed_user: Option<String>,
    /// The masked password input, when a password is needed.
    pub password: Option<Box<TextArea<'static>>>,
    /// Which input has the keys: 0 confirmation, 1 user, 2 password.
    pub field: usize,
    /// Scroll of the script text.
    pub scroll: u16,
}

impl ScriptReview {
    fn new(
        item_id: &str,
        kind: JobKind,
        script: &crate::exec::Script,
        need: crate::exec::CredentialNeed,
    ) -> ScriptReview {
        let (user, fixed_user, password) = match need {
            crate::exec::CredentialNeed::Prompt { user } => {
                let mut pw = single_line_editor(&t!("password-placeholder"));
                pw.set_mask_char('•');
                let editor = user
                    .is_none()
                    .then(|| Box::new(single_line_editor(&t!("user-placeholder"))));
                (editor, user, Some(Box::new(pw)))
            }
            _ => (None, None, None),
        };
        let confirm_word = script
            .changes_deployment
            .then(|| script.confirm_word.clone())
            .flatten();
        let field = if confirm_word.is_some() {
            0
        } else if user.is_some() {
            1
        } else {
            2
        };
        ScriptReview {
            item_id: item_id.to_string(),
            kind,
            display: script.display.clone(),
            runs_on: script.runs_on.clone(),
            notes: script.notes.clone(),
            sha256: script.sha256(),
            confirm_word: confirm_word.clone(),
            confirm: Box::new(single_line_editor(
                &confirm_word.map_or_else(String::new, |w| t!("confirm-placeholder", word = w)),
            )),
            user,
            fixed_user,
            password,
            field,
            scroll: 0,
        }
    }

    fn fields(&self) -> Vec<usize> {
        let mut f = Vec::new();
        if self.confirm_word.is_some() {
            f.push(0);
        }
        if self.user.is_some() {
            f.push(1);
        }
        if self.password.is_some() {
            f.push(2);
        }
        f
    }

    fn editor(&mut self) -> Option<&mut TextArea<'static>> {
        match self.field {
            0 if self.confirm_word.is_some() => Some(&mut self.confirm),
            1 => self.user.as_deref_mut(),
            2 => self.password.as_deref_mut(),
            _ => None,
        }
    }
}

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

/// Messages from the store thread and the job threads.
pub enum AppMsg {
    /// A result computed off the UI task, applied to the state as it arrives.
    Apply(Box<dyn FnOnce(&mut App) + Send>),
    /// An item's state or note was committed (or not).
    Saved {
        /// Item id.
        item_id: String,
        /// The committed record or the error.
        result: Result<ItemRecord, String>,
        /// Status text to show on success.
        what: String,
    },
    /// An audit event (confirmation, override, acknowledgement, accepted loss) was committed.
    EventRecorded {
        /// The committed event or the error.
        result: Result<AuditEvent, String>,
        /// What to do next.
        then: Option<Pending>,
    },
    /// A job run was recorded as started; the job may start.
    JobRecorded {
        /// Item id.
        item_id: String,
        /// Which job.
        kind: JobKind,
        /// The run or the error.
        result: Result<JobRun, String>,
    },
    /// A job thread ended.
    JobDone {
        /// Item id.
        item_id: String,
        /// Run id.
        run_id: i64,
        /// Which job.
        kind: JobKind,
        /// The outcome.
        result: Result<JobOutcome, JobError>,
    },
    /// The session list for the picker.
    SessionsListed(Result<Vec<Session>, String>),
    /// The legacy database probe's results (items 9 and 32).
    LegacyProbe {
        /// The results, or why the probe could not run.
        result: Result<Vec<crate::chatdata::precheck::PrecheckEvidence>, String>,
        /// The admin asked for it.
        asked: bool,
    },
    /// A job's or probe's result was committed: its evidence, and the finished run.
    JobResultSaved {
        /// Item id.
        item_id: String,
        /// The evidence.
        evidence: Result<EvidenceRecord, String>,
        /// The finished job run (none for probe evidence).
        run: Option<JobRun>,
    },
}

/// Everything the wizard needs to start.
pub struct AppInit {
    /// The deployment profile.
    pub profile: Profile,
    /// The data directory (reports, diagnostics).
    pub data_dir: Option<PathBuf>,
    /// The profile file (production).
    pub profile_path: Option<PathBuf>,
    /// The runbook.
    pub runbook: Arc<Runbook>,
    /// Placeholder values from the deployment.
    pub placeholders: Placeholders,
    /// Deployment display name.
    pub deployment_name: String,
    /// Lab or production.
    pub deployment_kind: String,
    /// The session.
    pub session: Session,
    /// Everything the session recorded that the migration's state derives from.
    pub facts: SessionFacts,
    /// Saved UI position (JSON).
    pub ui_state: Option<String>,
    /// Operator name.
    pub operator: String,
    /// The theme.
    pub theme: Theme,
    /// Mouse capture on.
    pub mouse: bool,
    /// Store thread.
    pub worker: StoreWorker,
    /// Where messages go.
    pub tx: UnboundedSender<AppMsg>,
    /// The job environment (None: jobs unavailable, with the reason).
    pub job_env: Result<JobEnv, String>,
    /// Folder for job logs.
    pub job_logs_dir: Option<PathBuf>,
    /// Legacy → target description for the header.
    pub migration_line: String,
}

/// The wizard state.
pub struct App {
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
    /// Focused pane.
    pub focus: Focus,
    /// Selected stage: 0..stages, then the rollback list.
    pub stage_idx: usize,
    /// Selected row in the checklist.
    pub item_idx: usize,
    /// Detail pane scroll.
    pub detail_scroll: u16,
    /// Filter text.
    pub filter: String,
    /// Typing into the filter.
    pub filter_editing: bool,
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
    /// Pools and coexistence screen.
    pub pools: screens::pools::PoolsState,
    /// Pilot screen.
    pub pilot: screens::pilot::PilotState,
    /// Troubleshooting screen.
    pub troubleshoot: screens::troubleshoot::TroubleshootState,
    /// Downtime window screen.
    pub window: screens::window::WindowState,
    /// Probe items with evidence being written (so a burst of snapshots writes it once).
    pub probe_pending: HashSet<String>,
    monitor_cmd: Option<UnboundedSender<MonitorCmd>>,
    /// Per-run environments (production runs with the password the admin typed).
    run_env: HashMap<String, JobEnv>,
    worker: StoreWorker,
    tx: UnboundedSender<AppMsg>,
    job_env: Result<JobEnv, String>,
    job_logs_dir: Option<PathBuf>,
    saved_ui: String,
}

/// What a single-line input is for; the text goes to the screen that asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputPurpose {
    /// Pools: a SIP URI to look up.
    LookupUser,
    /// Pools: a topology file to import.
    TopologyFile,
    /// Pilot: a CSV file of pilot users.
    PilotCsvFile,
    /// Pilot: the note a failed test case needs.
    PilotFailNote {
        /// The pilot user.
        sip: String,
        /// The test case's stable name.
        case: String,
    },
}

#[derive(serde::Serialize, serde::Deserialize)]
struct UiState {
    stage: String,
    item: Option<String>,
    focus: Focus,
}

impl App {
    /// Builds the state and restores the saved position.
    pub fn new(init: AppInit) -> App {
        let migration = migration::derive(&init.runbook, &init.facts);
        let mut app = App {
            runbook: init.runbook,
            placeholders: init.placeholders,
            deployment_name: init.deployment_name,
            deployment_kind: init.deployment_kind,
            migration_line: init.migration_line,
            session: init.session,
            operator: init.operator,
            facts: init.facts,
            migration,
            pending: HashSet::new(),
            focus: Focus::Stages,
            stage_idx: 0,
            item_idx: 0,
            detail_scroll: 0,
            filter: String::new(),
            filter_editing: false,
            overlay: None,
            jobs: HashMap::new(),
            finished: HashMap::new(),
            theme: init.theme,
            mouse: init.mouse,
            mouse_changed: false,
            size: (80, 24),
            status: None,
            quit: false,
            switch_to: None,
            dirty: true,
            worker: init.worker,
            tx: init.tx,
            job_env: init.job_env,
            job_logs_dir: init.job_logs_dir,
            saved_ui: String::new(),
            screen: Screen::Runbook,
            profile: init.profile,
            data_dir: init.data_dir,
            profile_path: init.profile_path,
            pools: Default::default(),
            pilot: Default::default(),
            troubleshoot: Default::default(),
            window: Default::default(),
            probe_pending: HashSet::new(),
            monitor_cmd: None,
            run_env: HashMap::new(),
        };
        if let Some(ui) = init
            .ui_state
            .as_deref()
            .and_then(|s| serde_json::from_str::<UiState>(s).ok())
        {
            if let Some(i) = app.stage_ids().iter().position(|s| *s == ui.stage) {
                app.stage_idx = i;
            }
            if let Some(item) = ui.item
                && let Some(i) = app.visible_items().iter().position(|it| it.id == item)
            {
                app.item_idx = i;
            }
            app.focus = ui.focus;
            app.saved_ui = init.ui_state.unwrap_or_default();
        }
        app
    }

    // ---- queries used by the view -------------------------------------------------------

    /// Number of rows in the stage list (the stages, then the rollback list).
    pub fn stage_count(&self) -> usize {
        self.runbook.stages.len() + 1
    }

    /// The stage at a stage-list row.
    pub fn stage_at(&self, idx: usize) -> &Stage {
        self.runbook
            .stages
            .get(idx)
            .unwrap_or(&self.runbook.rollback)
    }

    /// The selected stage.
    pub fn stage(&self) -> &Stage {
        self.stage_at(self.stage_idx)
    }

    fn stage_ids(&self) -> Vec<String> {
        (0..self.stage_count())
            .map(|i| self.stage_at(i).id.clone())
            .collect()
    }

    /// The stage an item belongs to.
    pub fn stage_of(&self, item: &Item) -> &Stage {
        self.runbook
            .stage(&item.stage_id)
            .unwrap_or(&self.runbook.rollback)
    }

    /// The checklist rows: the selected stage's items, or every item matching the filter.
    pub fn visible_items(&self) -> Vec<&Item> {
        let f = self.filter.trim().to_lowercase();
        if f.is_empty() {
            return self.stage().items.iter().collect();
        }
        self.runbook
            .stages
            .iter()
            .chain(std::iter::once(&self.runbook.rollback))
            .flat_map(|s| s.items.iter())
            .filter(|it| {
                it.title.to_lowercase().contains(&f)
                    || it.id.to_lowercase().contains(&f)
                    || it.checklist.is_some_and(|n| n.to_string() == f)
                    || it.cmdlets.iter().any(|c| c.to_lowercase().contains(&f))
            })
            .collect()
    }

    /// The selected item.
    pub fn item(&self) -> Option<&Item> {
        self.visible_items().get(self.item_idx).copied()
    }

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

    /// Re-derives the migration's state after a committed change.
    pub fn rederive(&mut self) {
        self.migration = migration::derive(&self.runbook, &self.facts);
    }

    /// The stage of the migration: the first with open items.
    pub fn migration_stage(&self) -> &Stage {
        self.runbook
            .stage(&self.migration.current_stage)
            .unwrap_or(&self.runbook.rollback)
    }

    /// True while the rollback list still applies (`Migration::rollback_available`).
    pub fn rollback_available(&self) -> bool {
        self.migration.rollback_available
    }

    /// The rendered cmdlet lines of an item (or the render error as one line).
    pub fn rendered_cmdlets(&self, item: &Item) -> Result<Vec<String>, String> {
        crate::runbook::render_cmdlets(item, &self.placeholders).map_err(|e| e.to_string())
    }

    /// The key context of the focused pane.
    pub fn context(&self) -> Context {
        if let Some(c) = self.screen.context() {
            return c;
        }
        match self.focus {
            Focus::Stages => Context::Stages,
            Focus::Items | Focus::Detail => Context::Items,
        }
    }

    /// The screen areas for the current size.
    pub fn areas(&self) -> Areas {
        layout(Rect::new(0, 0, self.size.0, self.size.1))
    }

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

    // ---- input ----------------------------------------------------------------------------

    /// Handles one terminal event. Only key presses act: Windows consoles report every key
    /// twice (press, then release), and a held key there repeats as presses; releases (and
    /// the kitty protocol's repeats, which are not enabled) change nothing, not even a redraw.
    pub fn on_event(&mut self, ev: Event) {
        if matches!(&ev, Event::Key(k) if k.kind != KeyEventKind::Press) {
            return;
        }
        self.dirty = true;
        match ev {
            Event::Key(k) => self.on_key(k),
            Event::Mouse(m) => self.on_mouse(m),
            Event::Paste(text) => self.on_paste(&text),
            Event::Resize(w, h) => self.size = (w, h),
            _ => {}
        }
        // The checklist may have changed under the selection (filter, stage, paste).
        let n = self.visible_items().len();
        if self.item_idx >= n {
            self.item_idx = n.saturating_sub(1);
        }
        self.save_ui_position();
    }

    fn on_paste(&mut self, text: &str) {
        match &mut self.overlay {
            Some(Overlay::Notes { editor, .. }) => {
                editor.insert_str(text);
            }
            Some(
                Overlay::Reason { editor, .. }
                | Overlay::Confirm { editor, .. }
                | Overlay::Input { editor, .. },
            ) => {
                editor.insert_str(text.replace(['\r', '\n'], " "));
            }
            _ if self.filter_editing => {
                self.filter.push_str(&text.replace(['\r', '\n'], " "));
                self.item_idx = 0;
            }
            _ => {}
        }
    }

    fn on_key(&mut self, k: KeyEvent) {
        if self.overlay.is_some() {
            self.on_overlay_key(k);
            return;
        }
        if self.filter_editing {
            match k.code {
                KeyCode::Esc => {
                    self.filter.clear();
                    self.filter_editing = false;
                    self.item_idx = 0;
                }
                KeyCode::Enter => {
                    self.filter_editing = false;
                    self.focus = Focus::Items;
                }
                KeyCode::Backspace => {
                    self.filter.pop();
                    self.item_idx = 0;
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.filter.push(c);
                    self.item_idx = 0;
                }
                _ => {}
            }
            return;
        }
        if let Some(action) = keymap::lookup(self.context(), &k) {
            self.on_action(action);
        }
    }

    /// Applies one keymap action (also used by tests).
    pub fn on_action(&mut self, action: Action) {
        if screens::on_action(self, action) {
            return;
        }
        match action {
            Action::GoTo(screen) => {
                self.screen = screen;
                screens::on_enter(self, screen);
            }
            Action::WriteReport => self.write_report(),
            Action::CollectDiagnostics => self.collect_diagnostics(),
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Back => self.back(),
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Stages => Focus::Items,
                    Focus::Items => Focus::Detail,
                    Focus::Detail => Focus::Stages,
                };
            }
            Action::FocusPrev => {
                self.focus = match self.focus {
                    Focus::Stages => Focus::Detail,
                    Focus::Items => Focus::Stages,
                    Focus::Detail => Focus::Items,
                };
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-10),
            Action::PageDown => self.move_by(10),
            Action::Top => self.move_by(-10_000),
            Action::Bottom => self.move_by(10_000),
            Action::Enter => match self.focus {
                Focus::Stages => {
                    let id = self.stage().id.clone();
                    self.request(Pending::EnterStage(id));
                }
                Focus::Items => self.focus = Focus::Detail,
                Focus::Detail => {}
            },
            Action::ToggleDone => {
                if let Some(item) = self.item() {
                    let id = item.id.clone();
                    let state = if self.state_of(&id) == ItemState::Done {
                        ItemState::Todo
                    } else {
                        ItemState::Done
                    };
                    self.request(Pending::SetState {
                        item_id: id,
                        state,
                        reason: None,
                    });
                }
            }
            Action::Skip | Action::Block => {
                if let Some(item) = self.item() {
                    let state = if action == Action::Skip {
                        ItemState::Skipped
                    } else {
                        ItemState::Blocked
                    };
                    self.overlay = Some(Overlay::Reason {
                        item_id: item.id.clone(),
                        state,
                        editor: Box::new(single_line_editor(&t!("reason-placeholder"))),
                    });
                }
            }
            Action::Fail | Action::Reset => {
                if let Some(item) = self.item() {
                    let state = if action == Action::Fail {
                        ItemState::Failed
                    } else {
                        ItemState::Todo
                    };
                    let id = item.id.clone();
                    self.request(Pending::SetState {
                        item_id: id,
                        state,
                        reason: None,
                    });
                }
            }
            Action::Notes => {
                if let Some(item) = self.item() {
                    let text = self
                        .facts
                        .records
                        .get(&item.id)
                        .and_then(|r| r.note.clone())
                        .unwrap_or_default();
                    let mut editor = TextArea::new(text.lines().map(str::to_string).collect());
                    editor.move_cursor(ratatui_textarea::CursorMove::Bottom);
                    editor.move_cursor(ratatui_textarea::CursorMove::End);
                    self.overlay = Some(Overlay::Notes {
                        item_id: item.id.clone(),
                        editor: Box::new(editor),
                    });
                }
            }
            Action::RunJob => {
                if let Some(item) = self.item() {
                    let id = item.id.clone();
                    if matches!(
                        item.proven_by,
                        Some(
                            crate::runbook::ProvenBy::ProbeCapacity
                                | crate::runbook::ProvenBy::ProbeRoomNames
                        )
                    ) {
                        self.run_legacy_probe(true);
                    } else if item.job.is_none() {
                        self.set_status(t!("status-no-job"), true);
                    } else {
                        self.request(Pending::RunJob(id));
                    }
                }
            }
            Action::CancelJob => {
                if let Some(item) = self.item() {
                    if let Some(job) = self.jobs.get(&item.id) {
                        job.cancel();
                        self.set_status(t!("status-cancelling"), false);
                    } else {
                        self.set_status(t!("status-no-running-job"), true);
                    }
                }
            }
            Action::Rollback => {
                if !self.rollback_available() {
                    self.set_status(t!("status-rollback-unavailable"), true);
                }
                self.screen = Screen::Runbook;
                self.stage_idx = self.stage_count() - 1;
                self.item_idx = 0;
                self.focus = Focus::Items;
                self.filter.clear();
            }
            Action::Filter if self.screen != Screen::Runbook => {}
            Action::Filter => {
                self.filter_editing = true;
                self.focus = Focus::Items;
            }
            // Keys of the other screens do nothing on the runbook.
            Action::ProbeNow
            | Action::TogglePool
            | Action::LookupUser
            | Action::ImportTopology
            | Action::PilotPass
            | Action::PilotFail
            | Action::PilotNotApplicable
            | Action::PilotTodo
            | Action::PrevCase
            | Action::NextCase
            | Action::PilotAddProfileUsers
            | Action::PilotImportCsv
            | Action::RunChecks
            | Action::SavePlan
            | Action::StepStart
            | Action::StepFinish => {}
            Action::CycleTheme => self.theme = self.theme.next(),
            Action::Preview => self.open_preview(),
            Action::Sessions => {
                let tx = self.tx.clone();
                self.worker.submit(move |store| {
                    let _ = tx.send(AppMsg::SessionsListed(
                        store.sessions().map_err(|e| e.to_string()),
                    ));
                });
            }
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                self.mouse_changed = true;
                let msg = if self.mouse {
                    t!("status-mouse-on")
                } else {
                    t!("status-mouse-off")
                };
                self.set_status(msg, false);
            }
        }
    }

    fn back(&mut self) {
        if !self.filter.is_empty() {
            self.filter.clear();
            self.item_idx = 0;
            return;
        }
        self.focus = match self.focus {
            Focus::Detail => Focus::Items,
            Focus::Items | Focus::Stages => Focus::Stages,
        };
    }

    fn move_by(&mut self, delta: i32) {
        fn step(v: usize, delta: i32, len: usize) -> usize {
            if len == 0 {
                return 0;
            }
            let n = i64::try_from(v).unwrap_or(0) + i64::from(delta);
            usize::try_from(n.clamp(0, i64::try_from(len - 1).unwrap_or(0))).unwrap_or(0)
        }
        match self.focus {
            Focus::Stages => {
                let new = step(self.stage_idx, delta, self.stage_count());
                if new != self.stage_idx {
                    self.stage_idx = new;
                    self.item_idx = 0;
                    self.detail_scroll = 0;
                }
            }
            Focus::Items => {
                let new = step(self.item_idx, delta, self.visible_items().len());
                if new != self.item_idx {
                    self.item_idx = new;
                    self.detail_scroll = 0;
                }
            }
            Focus::Detail => {
                let v = i32::from(self.detail_scroll) + delta;
                self.detail_scroll = u16::try_from(v.clamp(0, 2000)).unwrap_or(0);
            }
        }
    }

    fn on_overlay_key(&mut self, k: KeyEvent) {
        let Some(overlay) = self.overlay.take() else {
            return;
        };
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match overlay {
            Overlay::Help { scroll } => match k.code {
                KeyCode::Esc | KeyCode::Char('q' | '?') | KeyCode::Enter => {}
                KeyCode::Down | KeyCode::Char('j') => {
                    self.overlay = Some(Overlay::Help {
                        scroll: scroll.saturating_add(1),
                    })
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    self.overlay = Some(Overlay::Help {
                        scroll: scroll.saturating_sub(1),
                    })
                }
                KeyCode::PageDown => {
                    self.overlay = Some(Overlay::Help {
                        scroll: scroll.saturating_add(10),
                    })
                }
                KeyCode::PageUp => {
                    self.overlay = Some(Overlay::Help {
                        scroll: scroll.saturating_sub(10),
                    })
                }
                _ => self.overlay = Some(Overlay::Help { scroll }),
            },
            Overlay::Message { .. } => {}
            Overlay::Script(mut review) => match k.code {
                KeyCode::Esc => self.set_status(t!("status-not-run"), false),
                KeyCode::PageDown => {
                    review.scroll = review.scroll.saturating_add(10);
                    self.overlay = Some(Overlay::Script(review));
                }
                KeyCode::PageUp => {
                    review.scroll = review.scroll.saturating_sub(10);
                    self.overlay = Some(Overlay::Script(review));
                }
                KeyCode::Tab | KeyCode::BackTab => {
                    let fields = review.fields();
                    if let Some(i) = fields.iter().position(|f| *f == review.field) {
                        review.field = fields[(i + 1) % fields.len()];
                    }
                    self.overlay = Some(Overlay::Script(review));
                }
                KeyCode::Enter => self.approve_script(review),
                _ => {
                    if let Some(e) = review.editor() {
                        e.input(k);
                    }
                    self.overlay = Some(Overlay::Script(review));
                }
            },
            Overlay::Input {
                purpose,
                mut editor,
            } => match k.code {
                KeyCode::Esc => self.set_status(t!("status-unchanged"), false),
                KeyCode::Enter => {
                    let text = editor.lines().join(" ").trim().to_string();
                    if text.is_empty() {
                        self.overlay = Some(Overlay::Input { purpose, editor });
                    } else {
                        self.on_input(purpose, text);
                    }
                }
                _ => {
                    editor.input(k);
                    self.overlay = Some(Overlay::Input { purpose, editor });
                }
            },
            Overlay::Preview {
                preview,
                scroll,
                inventory,
            } => match k.code {
                KeyCode::Char('a') => match &self.migration.import {
                    migration::ImportReadiness::NotAcknowledged { .. } => {
                        let item = self
                            .runbook
                            .job_item(JobKind::ImportWhatIf)
                            .map(|i| i.id.clone())
                            .unwrap_or_default();
                        let detail = migration::ack_detail(&preview);
                        self.record_event(migration::EVENT_WHATIF_ACK, &item, detail, None);
                    }
                    migration::ImportReadiness::LossesNotAccepted { .. } => {
                        self.set_status(t!("import-losses-not-accepted"), true);
                        self.overlay = Some(Overlay::Preview {
                            preview,
                            scroll,
                            inventory,
                        });
                    }
                    migration::ImportReadiness::Ready => {
                        self.set_status(t!("status-already-acknowledged"), false);
                    }
                    other => {
                        self.set_status(t!(other.message_id()), true);
                        self.overlay = Some(Overlay::Preview {
                            preview,
                            scroll,
                            inventory,
                        });
                    }
                },
                // Accept the next refused item's loss by name (typed confirmation).
                KeyCode::Char('L') => {
                    let accepted = &self.migration.accepted_losses;
                    let next = preview
                        .errors()
                        .find(|w| {
                            !accepted
                                .iter()
                                .any(|a| a.code == w.code && a.item == w.item)
                        })
                        .cloned();
                    match next {
                        Some(w) if preview.completed && !preview.stale => {
                            self.overlay = Some(Overlay::AcceptLoss {
                                evidence_id: preview.evidence_id,
                                code: w.code,
                                item: w.item,
                                message: w.message,
                                editor: Box::new(single_line_editor(&t!(
                                    "confirm-placeholder",
                                    word = "LOSS"
                                ))),
                            });
                        }
                        _ => {
                            self.set_status(t!("status-no-loss-to-accept"), false);
                            self.overlay = Some(Overlay::Preview {
                                preview,
                                scroll,
                                inventory,
                            });
                        }
                    }
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    self.overlay = Some(Overlay::Preview {
                        preview,
                        scroll: scroll.saturating_add(1),
                        inventory,
                    })
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    self.overlay = Some(Overlay::Preview {
                        preview,
                        scroll: scroll.saturating_sub(1),
                        inventory,
                    })
                }
                KeyCode::PageDown => {
                    self.overlay = Some(Overlay::Preview {
                        preview,
                        scroll: scroll.saturating_add(10),
                        inventory,
                    })
                }
                KeyCode::PageUp => {
                    self.overlay = Some(Overlay::Preview {
                        preview,
                        scroll: scroll.saturating_sub(10),
                        inventory,
                    })
                }
                KeyCode::Esc | KeyCode::Char('q') => {}
                _ => {
                    self.overlay = Some(Overlay::Preview {
                        preview,
                        scroll,
                        inventory,
                    })
                }
            },
            Overlay::Sessions {
                sessions,
                selected,
                new_name: Some(mut editor),
            } => match k.code {
                KeyCode::Esc => {
                    self.overlay = Some(Overlay::Sessions {
                        sessions,
                        selected,
                        new_name: None,
                    })
                }
                KeyCode::Enter => {
                    let name = editor.lines().join(" ").trim().to_string();
                    if name.is_empty() {
                        self.set_status(t!("status-name-required"), true);
                        self.overlay = Some(Overlay::Sessions {
                            sessions,
                            selected,
                            new_name: Some(editor),
                        });
                    } else {
                        self.switch_session(name);
                    }
                }
                _ => {
                    editor.input(k);
                    self.overlay = Some(Overlay::Sessions {
                        sessions,
                        selected,
                        new_name: Some(editor),
                    });
                }
            },
            Overlay::Sessions {
                sessions,
                selected,
                new_name: None,
            } => match k.code {
                KeyCode::Up | KeyCode::Char('k') => {
                    self.overlay = Some(Overlay::Sessions {
                        sessions,
                        selected: selected.saturating_sub(1),
                        new_name: None,
                    });
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    let selected = (selected + 1).min(sessions.len().saturating_sub(1));
                    self.overlay = Some(Overlay::Sessions {
                        sessions,
                        selected,
                        new_name: None,
                    });
                }
                KeyCode::Enter => match sessions.get(selected) {
                    Some(s) if s.id == self.session.id => {}
                    Some(s) => {
                        let name = s.name.clone();
                        self.switch_session(name);
                    }
                    None => {}
                },
                KeyCode::Char('n') => {
                    let editor = Box::new(single_line_editor(&t!("session-name-placeholder")));
                    self.overlay = Some(Overlay::Sessions {
                        sessions,
                        selected,
                        new_name: Some(editor),
                    });
                }
                KeyCode::Esc | KeyCode::Char('q') => {}
                _ => {
                    self.overlay = Some(Overlay::Sessions {
                        sessions,
                        selected,
                        new_name: None,
                    })
                }
            },
            Overlay::Notes {
                item_id,
                mut editor,
            } => {
                // Esc and ctrl-s both save: nothing typed is thrown away.
                if k.code == KeyCode::Esc || (ctrl && k.code == KeyCode::Char('s')) {
                    let text = editor.lines().join("\n");
                    let old = self
                        .facts
                        .records
                        .get(&item_id)
                        .and_then(|r| r.note.clone())
                        .unwrap_or_default();
                    if text != old {
                        self.save_note(&item_id, text);
                    }
                    if k.code != KeyCode::Esc {
                        self.overlay = Some(Overlay::Notes { item_id, editor });
                    }
                } else {
                    editor.input(k);
                    self.overlay = Some(Overlay::Notes { item_id, editor });
                }
            }
            Overlay::Reason {
                item_id,
                state,
                mut editor,
            } => match k.code {
                KeyCode::Esc => self.set_status(t!("status-unchanged"), false),
                KeyCode::Enter => {
                    let reason = editor.lines().join(" ").trim().to_string();
                    if reason.is_empty() {
                        self.set_status(t!("status-reason-required"), true);
                        self.overlay = Some(Overlay::Reason {
                            item_id,
                            state,
                            editor,
                        });
                    } else {
                        self.request(Pending::SetState {
                            item_id,
                            state,
                            reason: Some(reason),
                        });
                    }
                }
                _ => {
                    editor.input(k);
                    self.overlay = Some(Overlay::Reason {
                        item_id,
                        state,
                        editor,
                    });
                }
            },
            Overlay::Confirm {
                stage_id,
                word,
                mut editor,
                then,
            } => match k.code {
                KeyCode::Esc => self.set_status(t!("status-not-confirmed"), false),
                KeyCode::Enter => {
                    let typed = editor.lines().join("").trim().to_string();
                    if typed == word {
                        let detail = format!("typed {word} to start the downtime stage {stage_id}");
                        self.record_event(EVENT_DOWNTIME_CONFIRMED, &stage_id, detail, Some(then));
                    } else {
                        self.set_status(t!("status-confirm-mismatch", word = word.clone()), true);
                        self.overlay = Some(Overlay::Confirm {
                            stage_id,
                            word,
                            editor,
                            then,
                        });
                    }
                }
                _ => {
                    editor.input(k);
                    self.overlay = Some(Overlay::Confirm {
                        stage_id,
                        word,
                        editor,
                        then,
                    });
                }
            },
            Overlay::Irreversible {
                item_id,
                why,
                mut editor,
                then,
            } => match k.code {
                KeyCode::Esc => self.set_status(t!("status-unchanged"), false),
                KeyCode::Enter => {
                    let reason = editor.lines().join(" ").trim().to_string();
                    if reason.chars().count() < 10 {
                        self.set_status(t!("status-override-reason-required"), true);
                        self.overlay = Some(Overlay::Irreversible {
                            item_id,
                            why,
                            editor,
                            then,
                        });
                    } else {
                        let detail = serde_json::to_string(&migration::GateOverride {
                            open: Vec::new(),
                            reason,
                            why,
                        })
                        .unwrap_or_default();
                        self.record_event(
                            migration::EVENT_IRREVERSIBLE_OVERRIDE,
                            &item_id,
                            detail,
                            Some(then),
                        );
                    }
                }
                _ => {
                    editor.input(k);
                    self.overlay = Some(Overlay::Irreversible {
                        item_id,
                        why,
                        editor,
                        then,
                    });
                }
            },
            Overlay::AcceptLoss {
                evidence_id,
                code,
                item,
                message,
                mut editor,
            } => match k.code {
                KeyCode::Esc => {
                    self.set_status(t!("status-unchanged"), false);
                    self.open_preview();
                }
                KeyCode::Enter => {
                    let typed = editor.lines().join("").trim().to_string();
                    if typed == "LOSS" {
                        let detail = serde_json::to_string(&migration::LossAcceptance {
                            evidence_id,
                            code,
                            item,
                        })
                        .unwrap_or_default();
                        let subject = self
                            .runbook
                            .job_item(JobKind::ImportWhatIf)
                            .map(|i| i.id.clone())
                            .unwrap_or_default();
                        self.record_event(migration::EVENT_LOSS_ACCEPTED, &subject, detail, None);
                    } else {
                        self.set_status(t!("status-confirm-mismatch", word = "LOSS"), true);
                        self.overlay = Some(Overlay::AcceptLoss {
                            evidence_id,
                            code,
                            item,
                            message,
                            editor,
                        });
                    }
                }
                _ => {
                    editor.input(k);
                    self.overlay = Some(Overlay::AcceptLoss {
                        evidence_id,
                        code,
                        item,
                        message,
                        editor,
                    });
                }
            },
            Overlay::Gate {
                stage_id,
                open,
                then,
            } => match k.code {
                KeyCode::Char('o') => {
                    // The open items are recorded by id: they are not asked about again.
                    let detail = serde_json::to_string(&migration::GateOverride {
                        open: open.iter().map(|o| o.item_id.clone()).collect(),
                        reason: String::new(),
                        why: format!("{} earlier items open", open.len()),
                    })
                    .unwrap_or_default();
                    self.record_event(EVENT_GATE_OVERRIDE, &stage_id, detail, Some(then));
                }
                KeyCode::Esc | KeyCode::Char('q') => self.set_status(t!("status-unchanged"), false),
                _ => {
                    self.overlay = Some(Overlay::Gate {
                        stage_id,
                        open,
                        then,
                    })
                }
            },
        }
    }

    fn on_mouse(&mut self, m: crossterm::event::MouseEvent) {
        if self.overlay.is_some() {
            return;
        }
        let a = self.areas();
        let p = Position::new(m.column, m.row);
        let pane = if a.stages.contains(p) {
            Some(Focus::Stages)
        } else if a.items.contains(p) {
            Some(Focus::Items)
        } else if a.detail.contains(p) {
            Some(Focus::Detail)
        } else {
            None
        };
        let Some(pane) = pane else { return };
        match m.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if m.kind == MouseEventKind::ScrollDown {
                    1
                } else {
                    -1
                };
                let before = self.focus;
                self.focus = pane;
                self.move_by(if pane == Focus::Detail {
                    delta * 3
                } else {
                    delta
                });
                self.focus = before;
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                let (area, selected, len) = match pane {
                    Focus::Stages => (a.stages, self.stage_idx, self.stage_count()),
                    Focus::Items => (a.items, self.item_idx, self.visible_items().len()),
                    Focus::Detail => return,
                };
                let inner_y = area.y + 1;
                let height = usize::from(area.height.saturating_sub(2));
                if m.row < inner_y || height == 0 {
                    return;
                }
                let row = list_offset(selected, height) + usize::from(m.row - inner_y);
                if row < len {
                    if pane == Focus::Stages && row != self.stage_idx {
                        self.stage_idx = row;
                        self.item_idx = 0;
                        self.detail_scroll = 0;
                    } else if pane == Focus::Items && row != self.item_idx {
                        self.item_idx = row;
                        self.detail_scroll = 0;
                    }
                }
            }
            _ => {}
        }
    }

    // ---- requests: gating, downtime confirmation, then the action ------------------------

    /// Asks for an action: the model decides which gate stands in front of it
    /// (`Migration::gate`: refused by evidence, earlier items open, irreversible, downtime
    /// word, in that order) and the overlay that asks is shown; with none, it is done.
    pub fn request(&mut self, pending: Pending) {
        let req = match &pending {
            Pending::EnterStage(s) => Request::EnterStage(s),
            Pending::SetState { item_id, state, .. } => Request::SetState {
                item: item_id,
                state: *state,
            },
            Pending::RunJob(item_id) => Request::RunJob(item_id),
        };
        match self.migration.gate(&self.runbook, &req) {
            GateStep::Proceed => self.perform(pending),
            GateStep::Refused { why, .. } => {
                self.overlay = Some(Overlay::Message {
                    title: t!("title-refused"),
                    body: why,
                });
            }
            GateStep::EarlierOpen { stage_id, open } => {
                self.overlay = Some(Overlay::Gate {
                    stage_id,
                    open,
                    then: pending,
                });
            }
            GateStep::Irreversible { item_id, why } => {
                self.overlay = Some(Overlay::Irreversible {
                    item_id,
                    why,
                    editor: Box::new(single_line_editor(&t!("reason-placeholder"))),
                    then: pending,
                });
            }
            GateStep::ConfirmWord { stage_id, word } => {
                self.overlay = Some(Overlay::Confirm {
                    stage_id,
                    word: word.clone(),
                    editor: Box::new(single_line_editor(&t!("confirm-placeholder", word = word))),
                    then: pending,
                });
            }
        }
    }

    fn perform(&mut self, pending: Pending) {
        match pending {
            Pending::EnterStage(_) => {
                self.focus = Focus::Items;
                self.item_idx = self
                    .item_idx
                    .min(self.visible_items().len().saturating_sub(1));
            }
            Pending::SetState {
                item_id,
                state,
                reason,
            } => self.save_state(&item_id, state, reason),
            Pending::RunJob(item_id) => self.start_job(&item_id),
        }
    }

    fn save_state(&mut self, item_id: &str, state: ItemState, reason: Option<String>) {
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

    fn save_note(&mut self, item_id: &str, text: String) {
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
    fn record_event(
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

    fn start_job(&mut self, item_id: &str) {
        let Some(kind) = self.runbook.item(item_id).and_then(|it| it.job) else {
            return;
        };
        if self.jobs.contains_key(item_id) {
            self.set_status(t!("status-job-already-running"), true);
            return;
        }
        if let Err(why) = &self.job_env {
            self.overlay = Some(Overlay::Message {
                title: t!("title-job-unavailable"),
                body: why.clone(),
            });
            return;
        }
        if kind == JobKind::Import {
            match &self.migration.import {
                migration::ImportReadiness::Ready => {}
                migration::ImportReadiness::NotAcknowledged { .. }
                | migration::ImportReadiness::LossesNotAccepted { .. } => {
                    self.set_status(t!(self.migration.import.message_id()), true);
                    self.open_preview();
                    return;
                }
                other => {
                    self.overlay = Some(Overlay::Message {
                        title: t!("title-whatif-first"),
                        body: t!(other.message_id()),
                    });
                    return;
                }
            }
        }
        // Production: the admin sees the exact script first, types the confirmation word of
        // a step that changes the deployment, and gives a password when the profile asks.
        if let Ok(env) = &self.job_env
            && let Some(cfg) = env.executor.clone()
        {
            match crate::exec::script_for(kind, env, &cfg) {
                Ok(script) => {
                    let need = crate::exec::credential_need(env);
                    self.overlay = Some(Overlay::Script(Box::new(ScriptReview::new(
                        item_id, kind, &script, need,
                    ))));
                }
                Err(e) => {
                    self.overlay = Some(Overlay::Message {
                        title: t!("title-job-unavailable"),
                        body: e.to_string(),
                    });
                }
            }
            return;
        }
        self.begin_job(item_id, kind, None);
    }

    /// The session's job environment with what the model adds (the accepted losses).
    fn session_env(&self) -> Result<JobEnv, String> {
        self.job_env
            .clone()
            .map(|e| e.with_accepted_losses(self.migration.losses_for_verify()))
    }

    /// Records the job run, then starts it (on the answer) with `env` or the session's.
    fn begin_job(&mut self, item_id: &str, kind: JobKind, env: Option<JobEnv>) {
        if let Some(env) = env {
            self.run_env.insert(item_id.to_string(), env);
        }
        let (sid, who, tx, id) = (
            self.session.id,
            self.operator.clone(),
            self.tx.clone(),
            item_id.to_string(),
        );
        let log_path = self.job_logs_dir.as_ref().map(|d| {
            d.join(format!(
                "{}-{}.log",
                chrono::Utc::now().format("%Y%m%dT%H%M%S"),
                kind.key()
            ))
        });
        let log = log_path.as_ref().map(|p| p.display().to_string());
        self.pending.insert(item_id.to_string());
        self.worker.submit(move |store| {
            let result = store
                .job_started(sid, &id, kind.key(), log.as_deref(), &who)
                .map_err(|e| e.to_string());
            let _ = tx.send(AppMsg::JobRecorded {
                item_id: id,
                kind,
                result,
            });
        });
        self.set_status(t!("status-job-starting", job = kind.title()), false);
    }

    /// Whether the real import may run (`Migration::import`).
    pub fn import_readiness(&self) -> migration::ImportReadiness {
        self.migration.import.clone()
    }

    /// Opens the latest `-WhatIf` preview, or says there is none yet.
    pub fn open_preview(&mut self) {
        match self.migration.preview.clone() {
            Some(p) => {
                self.overlay = Some(Overlay::Preview {
                    preview: Box::new(p),
                    scroll: 0,
                    inventory: Vec::new(),
                });
                self.inspect_package_for_preview();
            }
            None => self.set_status(t!("import-no-preview"), true),
        }
    }

    /// Reads the package's inventory with the inspector (off the UI task) and adds it to the
    /// open preview: what the package holds, next to what the import will do with it.
    fn inspect_package_for_preview(&self) {
        let Ok(env) = &self.job_env else { return };
        let (package, target) = (env.package.clone(), env.lab.mgc_db.clone());
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            let target = target.exists().then_some(target);
            let r = crate::progress::NullReporter::default();
            let lines = match crate::chatdata::inspect(&package, target.as_deref(), &r) {
                Ok(i) => {
                    let v = &i.inventory;
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
                Err(e) => vec![e.to_string()],
            };
            let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
                if let Some(Overlay::Preview { inventory, .. }) = &mut app.overlay {
                    *inventory = lines;
                }
            })));
        });
    }

    // ---- messages from workers ------------------------------------------------------------

    /// Handles a message from the store thread or a job thread.
    pub fn on_msg(&mut self, msg: AppMsg) {
        self.dirty = true;
        match msg {
            AppMsg::Apply(f) => f(self),
            AppMsg::Saved {
                item_id,
                result,
                what,
            } => {
                self.pending.remove(&item_id);
                match result {
                    Ok(rec) => {
                        self.facts.records.insert(item_id.clone(), rec);
                        self.rederive();
                        let st = self.migration.item(&item_id);
                        // Say what the checklist now shows, when the evidence decides otherwise.
                        if let (migration::Source::Evidence { summary, .. }, true) =
                            (&st.source, st.state != ItemState::Done)
                        {
                            self.set_status(
                                t!(
                                    "status-saved-evidence",
                                    what = what,
                                    evidence = summary.clone()
                                ),
                                false,
                            );
                        } else {
                            self.set_status(t!("status-saved", what = what), false);
                        }
                    }
                    Err(e) => self.set_status(t!("status-save-failed", error = e), true),
                }
            }
            AppMsg::EventRecorded { result, then } => match result {
                Ok(event) => {
                    let reopen_preview = event.kind == migration::EVENT_LOSS_ACCEPTED;
                    self.facts.events.push(event);
                    self.rederive();
                    self.set_status(t!("status-recorded"), false);
                    if let Some(then) = then {
                        self.request(then);
                    } else if reopen_preview {
                        self.open_preview();
                    }
                }
                Err(e) => self.set_status(t!("status-save-failed", error = e), true),
            },
            AppMsg::JobRecorded {
                item_id,
                kind,
                result,
            } => {
                self.pending.remove(&item_id);
                let env = self
                    .run_env
                    .remove(&item_id)
                    .map(|e| e.with_accepted_losses(self.migration.losses_for_verify()))
                    .ok_or(())
                    .or_else(|()| self.session_env());
                match (result, &env) {
                    (Ok(run), Ok(env)) => {
                        self.facts.upsert_run(run.clone());
                        let tx = self.tx.clone();
                        let (id2, run_id) = (item_id.clone(), run.id);
                        let log_path = run.log_path.as_ref().map(PathBuf::from);
                        let handle = runner::spawn(
                            kind,
                            &item_id,
                            run.id,
                            env.clone(),
                            log_path,
                            move |result| {
                                let _ = tx.send(AppMsg::JobDone {
                                    item_id: id2,
                                    run_id,
                                    kind,
                                    result,
                                });
                            },
                        );
                        self.finished.remove(&item_id);
                        self.jobs.insert(item_id, handle);
                        self.set_status(t!("status-job-started", job = kind.title()), false);
                    }
                    (Err(e), _) => self.set_status(t!("status-save-failed", error = e), true),
                    (_, Err(e)) => self.set_status(e.clone(), true),
                }
            }
            AppMsg::JobDone {
                item_id,
                run_id,
                kind,
                result,
            } => self.on_job_done(item_id, run_id, kind, result),
            AppMsg::SessionsListed(Ok(sessions)) => {
                let selected = sessions
                    .iter()
                    .position(|s| s.id == self.session.id)
                    .unwrap_or(0);
                self.overlay = Some(Overlay::Sessions {
                    sessions,
                    selected,
                    new_name: None,
                });
            }
            AppMsg::LegacyProbe { result, asked } => match result {
                Ok(results) => {
                    for r in results {
                        if asked || self.migration.probe_wants(r.item_id, r.passed) {
                            self.record_evidence(r.item_id.to_string(), r.to_evidence());
                        }
                    }
                }
                Err(e) if asked => self.set_status(e, true),
                Err(e) => tracing::info!("legacy database probe not run: {e}"),
            },
            AppMsg::SessionsListed(Err(e)) => {
                self.set_status(t!("status-save-failed", error = e), true)
            }
            AppMsg::JobResultSaved {
                item_id,
                evidence,
                run,
            } => {
                self.pending.remove(&item_id);
                self.probe_pending.remove(&item_id);
                let mut show_preview = false;
                if let Some(run) = run {
                    self.facts.upsert_run(run);
                }
                match evidence {
                    Ok(ev) => {
                        let is_whatif = self
                            .runbook
                            .job_item(JobKind::ImportWhatIf)
                            .is_some_and(|i| i.id == item_id);
                        // A preview that completed opens, errors or not: they must be read.
                        show_preview = is_whatif && ev.evidence.detail.get("detail").is_some();
                        self.facts.push_evidence(ev);
                    }
                    Err(e) => self.set_status(t!("status-save-failed", error = e), true),
                }
                self.rederive();
                // The -WhatIf view: show what the import would do, to read and acknowledge.
                if show_preview && self.overlay.is_none() {
                    self.open_preview();
                }
            }
        }
    }

    fn on_job_done(
        &mut self,
        item_id: String,
        run_id: i64,
        kind: JobKind,
        result: Result<JobOutcome, JobError>,
    ) {
        let handle = self.jobs.remove(&item_id);
        let (log_tail, stats) = handle
            .map(|h| (h.log_tail(8), h.stats.clone()))
            .unwrap_or_default();
        let rec = crate::jobs::record::JobRecord::of(kind, &result);
        let status = rec.status;
        // A cancel says what it left (migration::cancel_statement), the same line the
        // evidence records.
        let summary = rec.summary.clone();
        self.finished.insert(
            item_id.clone(),
            FinishedJob {
                kind,
                summary: summary.clone(),
                outcome: status,
                log_tail,
                stats,
            },
        );
        let changed =
            matches!(&result, Err(JobError::Cancelled(c)) if migration::cancel_changed(c));
        self.set_status(summary.clone(), status == "failed" || changed);
        self.pending.insert(item_id.clone());
        let (sid, who, tx) = (self.session.id, self.operator.clone(), self.tx.clone());
        self.worker.submit(move |store| {
            let (evidence, run) = match rec.save(store, sid, &item_id, run_id, &who) {
                Ok((run, ev)) => (Ok(ev), Some(run)),
                Err(e) => (Err(e.to_string()), None),
            };
            let _ = tx.send(AppMsg::JobResultSaved {
                item_id,
                evidence,
                run,
            });
        });
    }

    /// Samples running jobs' progress (called on the animation tick).
    pub fn on_tick(&mut self) {
        if self.screen == Screen::Window {
            screens::window::on_tick(self);
        }
        let now = Instant::now();
        for job in self.jobs.values_mut() {
            let p = job.progress.borrow().clone();
            job.stats.sample(now, &p);
        }
        if self
            .status
            .as_ref()
            .is_some_and(|s| !s.error && s.at.elapsed().as_secs() > 8)
        {
            self.status = None;
        }
        self.dirty = true;
    }

    /// True while something animates (a job runs), so the loop ticks.
    pub fn animating(&self) -> bool {
        !self.jobs.is_empty() || screens::window::animating(self)
    }

    /// Saves where the admin is, when it changed (no audit event: it is not a change of
    /// the migration's state).
    fn save_ui_position(&mut self) {
        let ui = UiState {
            stage: self.stage().id.clone(),
            item: self.item().map(|i| i.id.clone()),
            focus: self.focus,
        };
        let Ok(json) = serde_json::to_string(&ui) else {
            return;
        };
        if json == self.saved_ui {
            return;
        }
        self.saved_ui = json.clone();
        let sid = self.session.id;
        self.worker.submit(move |store| {
            if let Err(e) = store.save_ui_state(sid, &json) {
                tracing::warn!("cannot save the UI position: {e}");
            }
        });
    }

    fn switch_session(&mut self, name: String) {
        if !self.jobs.is_empty() {
            self.set_status(t!("status-jobs-running"), true);
            return;
        }
        self.switch_to = Some(name);
        self.quit = true;
    }

    /// The admin pressed enter on a script review: check the word and the credential, record
    /// the approval (the script's SHA-256, never the password), then start the job.
    fn approve_script(&mut self, mut review: Box<ScriptReview>) {
        if let Some(word) = &review.confirm_word {
            let typed = review.confirm.lines().join("").trim().to_string();
            if &typed != word {
                self.set_status(t!("status-confirm-mismatch", word = word.clone()), true);
                review.field = 0;
                self.overlay = Some(Overlay::Script(review));
                return;
            }
        }
        let Ok(mut env) = self.job_env.clone() else {
            return;
        };
        if let Some(pw) = review.password.as_mut() {
            let user = review
                .fixed_user
                .clone()
                .or_else(|| {
                    review
                        .user
                        .as_ref()
                        .map(|u| u.lines().join("").trim().to_string())
                })
                .unwrap_or_default();
            let password = pw.lines().join("");
            pw.clear();
            match crate::exec::Credential::new(user, crate::exec::credential::Secret::new(password))
            {
                Ok(c) => env = env.with_credential(c),
                Err(e) => {
                    self.set_status(e, true);
                    self.overlay = Some(Overlay::Script(review));
                    return;
                }
            }
        }
        let detail = format!(
            "{} script approved: sha256 {} · runs on {}",
            review.kind.key(),
            review.sha256,
            review.runs_on
        );
        let (sid, who, item) = (
            self.session.id,
            self.operator.clone(),
            review.item_id.clone(),
        );
        self.worker.submit(move |store| {
            if let Err(e) = store.record_event(sid, "script-approved", Some(&item), &detail, &who) {
                tracing::warn!("cannot record the script approval: {e}");
            }
        });
        let (item, kind) = (review.item_id.clone(), review.kind);
        drop(review);
        self.begin_job(&item, kind, Some(env));
    }

    // ---- services for the screens -------------------------------------------------------

    /// Opens a single-line input for a screen.
    pub fn open_input(&mut self, purpose: InputPurpose, placeholder: &str) {
        self.overlay = Some(Overlay::Input {
            purpose,
            editor: Box::new(single_line_editor(placeholder)),
        });
    }

    fn on_input(&mut self, purpose: InputPurpose, text: String) {
        match purpose {
            InputPurpose::LookupUser => screens::pools::lookup(self, &text),
            InputPurpose::TopologyFile => self.import_topology(text),
            InputPurpose::PilotCsvFile => screens::pilot::import_csv(self, &text),
            InputPurpose::PilotFailNote { sip, case } => {
                screens::pilot::record_failure(self, &sip, &case, &text);
            }
        }
    }

    /// Runs a closure against the store on the store thread (in order with every other
    /// write); it may send results back with [`App::sender`].
    pub fn submit_store(&self, f: impl FnOnce(&mut crate::store::Store) + Send + 'static) {
        self.worker.submit(f);
    }

    /// Where worker results go: send `AppMsg::Apply(Box::new(|app| …))`.
    pub fn sender(&self) -> UnboundedSender<AppMsg> {
        self.tx.clone()
    }

    /// The job environment (lab or production, with the executor settings and any
    /// credential typed), or why jobs cannot run: for screens that run read-only checks.
    pub fn job_env(&self) -> Result<&JobEnv, &str> {
        self.job_env.as_ref().map_err(String::as_str)
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

    /// Stops or starts a lab pool; the status line says which when it is done.
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
        let (sid, who) = (self.session.id, self.operator.clone());
        self.set_status(t!("status-toggling-pool", pool = fqdn.clone()), false);
        // The answer comes from the monitor task; record it from the store thread.
        let worker_tx = tx.clone();
        std::thread::spawn(move || {
            let Some(result) = rx.blocking_recv() else {
                return;
            };
            let _ = worker_tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match result {
                Ok(running) => {
                    let detail = serde_json::to_string(&migration::LabPoolChange {
                        pool: fqdn.clone(),
                        running,
                    })
                    .unwrap_or_default();
                    app.set_status(
                        if running {
                            t!("status-pool-started", pool = fqdn.clone())
                        } else {
                            t!("status-pool-stopped", pool = fqdn.clone())
                        },
                        false,
                    );
                    // Recorded, so a restarted wizard serves the pool as the admin left it.
                    let tx = app.sender();
                    app.submit_store(move |store| {
                        let result = store
                            .record_event(sid, migration::EVENT_LAB_POOL, None, &detail, &who)
                            .map_err(|e| e.to_string());
                        let _ = tx.send(AppMsg::EventRecorded { result, then: None });
                    });
                }
                Err(e) => app.set_status(e, true),
            })));
        });
    }

    /// A new monitor snapshot: keep it, refresh the verdicts, and record the probe items'
    /// results as evidence when the model says they count now and differ from the newest
    /// counted one (`Migration::probe_wants`); the item's state follows from the evidence.
    pub fn on_snapshot(&mut self, snap: Arc<StatusSnapshot>) {
        self.pools.snapshot = Some(snap.clone());
        screens::pools::refresh(self);
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
    fn record_evidence(&mut self, item_id: String, evidence: Evidence) {
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

    /// A pool changed state: show it and write it to the audit trail (the first round's
    /// Unknown → X is not a change worth recording).
    pub fn on_state_change(&mut self, c: StateChange) {
        let line = format!(
            "{} {} {} → {} ({})",
            c.at.format("%H:%M:%S"),
            c.pool_fqdn,
            c.from.label(),
            c.to.label(),
            c.why
        );
        self.pools.changes.insert(0, line);
        self.pools.changes.truncate(20);
        if c.from == crate::monitor::PoolState::Unknown {
            return;
        }
        let detail = crate::monitor::audit_detail(&c);
        let (sid, who) = (self.session.id, self.operator.clone());
        self.worker.submit(move |store| {
            if let Err(e) = store.record_event(sid, "pool-state", None, &detail, &who) {
                tracing::warn!("cannot record a pool state change: {e}");
            }
        });
    }

    fn import_topology(&mut self, path: String) {
        let tx = self.tx.clone();
        let profile_path = self.profile_path.clone();
        self.set_status(t!("status-reading-topology"), false);
        std::thread::spawn(move || {
            let limits = crate::deployment::topology::Limits::default();
            let result =
                crate::deployment::topology::import_file(std::path::Path::new(&path), &limits)
                    .map_err(|e| e.to_string())
                    .map(|imp| {
                        let mut text = imp.to_text();
                        match &profile_path {
                            Some(p) => match crate::deployment::topology::merge_file(&imp, p) {
                                Ok((report, _)) => text.push_str(&format!(
                                    "\n{}\n{:?}",
                                    t!("topology-merged", file = p.display().to_string()),
                                    report.changes
                                )),
                                Err(e) => text.push_str(&format!("\n{e}")),
                            },
                            None => text.push_str(&format!(
                                "\n{}",
                                t!("topology-lab-note", file = path.clone())
                            )),
                        }
                        text
                    });
            let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
                let (title, body) = match result {
                    Ok(text) => (t!("title-topology"), text),
                    Err(e) => (t!("title-topology-failed"), e),
                };
                app.overlay = Some(Overlay::Message { title, body });
            })));
        });
    }

    fn write_report(&mut self) {
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
            let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match result {
                Ok(html) => app.set_status(
                    t!("status-report-written", file = html.display().to_string()),
                    false,
                ),
                Err(e) => app.set_status(t!("status-save-failed", error = e), true),
            })));
        });
    }

    fn collect_diagnostics(&mut self) {
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
            let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| match result {
                Ok(out) => app.set_status(
                    t!(
                        "status-diagnostics-written",
                        file = out.display().to_string()
                    ),
                    false,
                ),
                Err(e) => app.set_status(t!("status-save-failed", error = e), true),
            })));
        });
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

/// The first visible row of a list of `height` rows showing `selected`: the view and the
/// mouse handler both use it, so a click lands on the row that is drawn there.
pub fn list_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}

fn single_line_editor(placeholder: &str) -> TextArea<'static> {
    let mut e = TextArea::default();
    e.set_placeholder_text(placeholder.to_string());
    e
}
