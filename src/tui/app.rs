//! The router: terminal events, keymap actions and typed results come in and go to the layer
//! that owns them — the open overlay, else the shown screen — and the overlays' commands are
//! carried out here. State lives in the screens and the shared [`Ctx`]; drawing is `view`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{Event, KeyEvent, KeyEventKind};
use tokio::sync::mpsc::UnboundedSender;

use super::ctx::Ctx;
use super::keymap::{self, Action, Context};
use super::overlays::{Command, HelpOverlay, SessionsOverlay};
use super::screens::pilot::PilotState;
use super::screens::pools::PoolsState;
use super::screens::runbook::RunbookScreen;
use super::screens::troubleshoot::TroubleshootState;
use super::screens::window::WindowState;
use super::screens::{Component, Screen};
use super::store_worker::StoreWorker;
use super::theme::Theme;
use crate::deployment::Profile;
use crate::jobs::JobEnv;
use crate::migration;
use crate::monitor::{StateChange, StatusSnapshot};
use crate::runbook::{Placeholders, Runbook};
use crate::store::{ItemState, Session, SessionFacts};
use crate::t;

pub use super::ctx::{FinishedJob, Status};
pub use super::msg::AppMsg;
pub use super::overlays::{InputPurpose, MAX_CONFIRM_CHARS, MAX_LINE_CHARS, Overlay};
pub use crate::wizard::{Focus, Pending};

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

/// The wizard: the shared context and one state per screen.
pub struct App {
    /// What every screen and overlay shares.
    pub ctx: Ctx,
    /// The runbook screen.
    pub checklist: RunbookScreen,
    /// Pools and coexistence screen.
    pub pools: PoolsState,
    /// Pilot screen.
    pub pilot: PilotState,
    /// Troubleshooting screen.
    pub troubleshoot: TroubleshootState,
    /// Downtime window screen.
    pub window: WindowState,
}

impl std::ops::Deref for App {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl std::ops::DerefMut for App {
    fn deref_mut(&mut self) -> &mut Ctx {
        &mut self.ctx
    }
}

/// Calls `$body` with the shown screen's state as `$s` (one arm per screen).
macro_rules! with_screen {
    ($app:expr, |$s:ident| $body:expr) => {
        match $app.ctx.screen {
            Screen::Runbook => {
                let $s = &mut $app.checklist;
                $body
            }
            Screen::Pools => {
                let $s = &mut $app.pools;
                $body
            }
            Screen::Pilot => {
                let $s = &mut $app.pilot;
                $body
            }
            Screen::Troubleshoot => {
                let $s = &mut $app.troubleshoot;
                $body
            }
            Screen::Window => {
                let $s = &mut $app.window;
                $body
            }
        }
    };
}

/// Read-only twin of `with_screen`.
macro_rules! with_screen_ref {
    ($app:expr, |$s:ident| $body:expr) => {
        match $app.ctx.screen {
            Screen::Runbook => {
                let $s = &$app.checklist;
                $body
            }
            Screen::Pools => {
                let $s = &$app.pools;
                $body
            }
            Screen::Pilot => {
                let $s = &$app.pilot;
                $body
            }
            Screen::Troubleshoot => {
                let $s = &$app.troubleshoot;
                $body
            }
            Screen::Window => {
                let $s = &$app.window;
                $body
            }
        }
    };
}
pub(crate) use with_screen_ref;

impl App {
    /// Builds the state and restores the saved position.
    pub fn new(init: AppInit) -> App {
        let mut init = init;
        crate::jobs::observe_package(init.profile.kind, &init.runbook, &mut init.facts);
        let migration = migration::derive(&init.runbook, &init.facts);
        let ctx = Ctx {
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
            screen: Screen::Runbook,
            profile: init.profile,
            data_dir: init.data_dir,
            profile_path: init.profile_path,
            snapshot: None,
            lookup: None,
            probe_pending: HashSet::new(),
            monitor_cmd: None,
            run_env: HashMap::new(),
            worker: init.worker,
            tx: init.tx,
            job_env: init.job_env,
            job_logs_dir: init.job_logs_dir,
        };
        let checklist = RunbookScreen::restore(&ctx, init.ui_state);
        App {
            ctx,
            checklist,
            pools: PoolsState::default(),
            pilot: PilotState::default(),
            troubleshoot: TroubleshootState::default(),
            window: WindowState::default(),
        }
    }

    /// The keymap section the keys go to now.
    pub fn context(&self) -> Context {
        with_screen_ref!(self, |s| s.context(&self.ctx))
    }

    // ---- input ------------------------------------------------------------------------------

    /// Handles one terminal event. Only key presses act: Windows consoles report every key
    /// twice (press, then release), and a held key there repeats as presses; releases (and
    /// the kitty protocol's repeats, which are not enabled) change nothing, not even a redraw.
    pub fn on_event(&mut self, ev: Event) {
        if matches!(&ev, Event::Key(k) if k.kind != KeyEventKind::Press) {
            return;
        }
        self.ctx.dirty = true;
        match ev {
            Event::Key(k) => self.on_key(k),
            Event::Mouse(m) if self.ctx.overlay.is_none() && self.ctx.screen == Screen::Runbook => {
                self.checklist.on_mouse(&self.ctx, m);
            }
            Event::Paste(text) => self.on_paste(&text),
            Event::Resize(w, h) => self.ctx.size = (w, h),
            _ => {}
        }
        self.checklist.nav.clamp(&self.ctx.runbook);
        self.checklist.save_position(&self.ctx);
    }

    fn on_paste(&mut self, text: &str) {
        if let Some(o) = &mut self.ctx.overlay {
            o.on_paste(text);
        } else if self.checklist.on_paste(&self.ctx, text) {
        } else if self.ctx.screen == Screen::Troubleshoot {
            // A paste on the troubleshooting screen is an error or event to match.
            self.troubleshoot.match_text(&mut self.ctx, text);
        }
    }

    fn on_key(&mut self, k: KeyEvent) {
        if let Some(mut overlay) = self.ctx.overlay.take() {
            let outcome = overlay.on_key(k, &self.ctx);
            if !outcome.close {
                self.ctx.overlay = Some(overlay);
            }
            for c in outcome.commands {
                self.run(c);
            }
            return;
        }
        if self.ctx.screen == Screen::Runbook && self.checklist.on_filter_key(&self.ctx, &k) {
            return;
        }
        if let Some(action) = keymap::lookup(self.context(), &k) {
            self.on_action(action);
        }
    }

    /// Applies one keymap action (also used by tests): the global ones here, the rest to the
    /// shown screen.
    pub fn on_action(&mut self, action: Action) {
        let ctx = &mut self.ctx;
        match action {
            Action::GoTo(screen) => {
                ctx.screen = screen;
                with_screen!(self, |s| s.on_enter(&mut self.ctx));
            }
            Action::WriteReport => ctx.write_report(),
            Action::CollectDiagnostics => ctx.collect_diagnostics(),
            Action::Quit => ctx.quit = true,
            Action::Help => {
                let mut sections = vec![Context::Global];
                sections.extend(with_screen_ref!(self, |s| s.contexts()));
                let runbook = self.ctx.screen == Screen::Runbook;
                self.ctx.open(HelpOverlay::overlay(sections, runbook));
            }
            Action::CycleTheme => ctx.theme = ctx.theme.next(),
            Action::Preview => ctx.open_preview(),
            Action::Sessions => {
                let tx = ctx.sender();
                ctx.submit_store(move |store| {
                    let _ = tx.send(AppMsg::SessionsListed(
                        store.sessions().map_err(|e| e.to_string()),
                    ));
                });
            }
            Action::ToggleMouse => {
                ctx.mouse = !ctx.mouse;
                ctx.mouse_changed = true;
                let msg = if ctx.mouse {
                    t!("status-mouse-on")
                } else {
                    t!("status-mouse-off")
                };
                ctx.set_status(msg, false);
            }
            _ => {
                with_screen!(self, |s| s.on_action(&mut self.ctx, action));
            }
        }
    }

    /// Asks for an action through the gates (as the runbook screen does).
    pub fn request(&mut self, pending: Pending) {
        self.checklist.request(&mut self.ctx, pending);
    }

    /// Carries out an overlay's command.
    pub fn run(&mut self, command: Command) {
        let ctx = &mut self.ctx;
        match command {
            Command::Status(text, error) => ctx.set_status(text, error),
            Command::Request(p) => self.request(p),
            Command::RecordEvent {
                kind,
                subject,
                detail,
                then,
            } => ctx.record_event(kind, &subject, detail, then),
            Command::SaveNote { item_id, text } => ctx.save_note(&item_id, text),
            Command::Input(purpose, text) => self.on_input(purpose, text),
            Command::SwitchSession(name) => ctx.switch_session(name),
            Command::RunApproved(a) => ctx.run_approved(*a),
            Command::OpenPreview => ctx.open_preview(),
            Command::Open(o) => ctx.open(o),
        }
    }

    fn on_input(&mut self, purpose: InputPurpose, text: String) {
        let ctx = &mut self.ctx;
        match purpose {
            InputPurpose::LookupUser => self.pools.lookup(ctx, &text),
            InputPurpose::TopologyFile => ctx.import_topology(text),
            InputPurpose::PilotCsvFile => self.pilot.import_csv(ctx, &text),
            InputPurpose::TroubleshootText => self.troubleshoot.match_text(ctx, &text),
            InputPurpose::TroubleshootEventLog => self.troubleshoot.read_event_log(ctx, &text),
            InputPurpose::PilotFailNote { sip, case } => {
                self.pilot.record_failure(ctx, &sip, &case, &text);
            }
        }
    }

    // ---- results ----------------------------------------------------------------------------

    /// Handles a result from the store thread, a job, a probe or a reader.
    pub fn on_msg(&mut self, msg: AppMsg) {
        tracing::debug!(msg = %msg.describe(), "message");
        self.ctx.dirty = true;
        let ctx = &mut self.ctx;
        match msg {
            AppMsg::Saved {
                item_id,
                result,
                what,
            } => {
                ctx.pending.remove(&item_id);
                match result {
                    Ok(rec) => {
                        ctx.facts.records.insert(item_id.clone(), rec);
                        ctx.rederive();
                        let st = ctx.migration.item(&item_id);
                        // Say what the checklist now shows, when the evidence decides otherwise.
                        if let (migration::Source::Evidence { summary, .. }, true) =
                            (&st.source, st.state != ItemState::Done)
                        {
                            let text = t!(
                                "status-saved-evidence",
                                what = what,
                                evidence = summary.clone()
                            );
                            ctx.set_status(text, false);
                        } else {
                            ctx.set_status(t!("status-saved", what = what), false);
                        }
                    }
                    Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
                }
            }
            AppMsg::EventRecorded { result, then } => match result {
                Ok(event) => {
                    let reopen_preview = event.kind == migration::EVENT_LOSS_ACCEPTED;
                    ctx.facts.events.push(event);
                    ctx.rederive();
                    ctx.set_status(t!("status-recorded"), false);
                    if let Some(then) = then {
                        self.request(then);
                    } else if reopen_preview {
                        ctx.open_preview();
                    }
                }
                Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
            },
            AppMsg::JobRecorded {
                item_id,
                kind,
                result,
            } => ctx.on_job_recorded(item_id, kind, result),
            AppMsg::JobDone {
                item_id,
                run_id,
                kind,
                result,
            } => ctx.on_job_done(item_id, run_id, kind, result),
            AppMsg::JobResultSaved {
                item_id,
                evidence,
                run,
            } => {
                ctx.pending.remove(&item_id);
                ctx.probe_pending.remove(&item_id);
                let mut show_preview = false;
                if let Some(run) = run {
                    ctx.facts.upsert_run(run);
                }
                match evidence {
                    Ok(ev) => {
                        let is_whatif = ctx
                            .runbook
                            .job_item(crate::jobs::JobKind::ImportWhatIf)
                            .is_some_and(|i| i.id == item_id);
                        // A preview that completed opens, errors or not: they must be read.
                        show_preview = is_whatif && ev.evidence.detail.get("detail").is_some();
                        ctx.facts.push_evidence(ev);
                    }
                    Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
                }
                ctx.rederive();
                if show_preview && ctx.overlay.is_none() {
                    ctx.open_preview();
                }
            }
            AppMsg::SessionsListed(Ok(sessions)) => {
                let current = ctx.session.id;
                ctx.open(SessionsOverlay::overlay(sessions, current));
            }
            AppMsg::SessionsListed(Err(e)) => {
                ctx.set_status(t!("status-save-failed", error = e), true);
            }
            AppMsg::LegacyProbe { result, asked } => match result {
                Ok(results) => {
                    for r in results {
                        if asked || ctx.migration.probe_wants(r.item_id, r.passed) {
                            ctx.record_evidence(r.item_id.to_string(), r.to_evidence());
                        }
                    }
                }
                Err(e) if asked => ctx.set_status(e, true),
                Err(e) => tracing::info!("legacy database probe not run: {e}"),
            },
            AppMsg::PreviewInventory(lines) => {
                if let Some(Overlay::Preview(p)) = &mut ctx.overlay {
                    p.inventory = lines;
                }
            }
            AppMsg::LabPoolToggled { fqdn, result } => ctx.on_lab_pool_toggled(fqdn, result),
            AppMsg::TopologyRead(result) => {
                let (title, body) = match result {
                    Ok(read) => (t!("title-topology"), read.message()),
                    Err(e) => (t!("title-topology-failed"), e),
                };
                ctx.message(title, body);
            }
            AppMsg::ReportWritten(result) => match result {
                Ok(html) => ctx.set_status(
                    t!("status-report-written", file = html.display().to_string()),
                    false,
                ),
                Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
            },
            AppMsg::DiagnosticsWritten(result) => match result {
                Ok(out) => ctx.set_status(
                    t!(
                        "status-diagnostics-written",
                        file = out.display().to_string()
                    ),
                    false,
                ),
                Err(e) => ctx.set_status(t!("status-save-failed", error = e), true),
            },
            AppMsg::Pilot(m) => self.pilot.on_msg(ctx, *m),
            AppMsg::Troubleshoot(m) => self.troubleshoot.on_msg(ctx, *m),
            AppMsg::Window(m) => self.window.on_msg(ctx, *m),
        }
    }

    /// A new monitor snapshot: the context keeps it and records probe evidence; the pools
    /// screen recomputes its grid.
    pub fn on_snapshot(&mut self, snap: Arc<StatusSnapshot>) {
        self.ctx.on_snapshot(snap);
        self.pools.refresh(&self.ctx);
    }

    /// A pool changed state: the pools screen lists it and it goes to the audit trail.
    pub fn on_state_change(&mut self, c: StateChange) {
        self.pools.on_state_change(&mut self.ctx, c);
    }

    /// The animation tick: the shown screen's, and the running jobs' progress.
    pub fn on_tick(&mut self) {
        with_screen!(self, |s| s.on_tick(&mut self.ctx));
        self.ctx.sample_jobs();
        self.ctx.dirty = true;
    }

    /// True while something animates (a job runs, or the shown screen does), so the loop
    /// ticks.
    pub fn animating(&self) -> bool {
        !self.ctx.jobs.is_empty() || with_screen_ref!(self, |s| s.animating(&self.ctx))
    }
}
