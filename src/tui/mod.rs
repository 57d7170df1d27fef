//! The full-screen wizard: terminal lifecycle, the event loop, state, keymap, layout,
//! theme and drawing. See `ARCHITECTURE.md` for the flow: input, timer ticks, store acks
//! and job results all arrive as messages; `App` turns each into new state and effects;
//! `view::draw` paints the state, and only when something changed.

pub mod app;
pub mod bench;
pub mod chrome;
pub mod ctx;
mod job_control;
pub mod keymap;
pub mod language_check;
pub mod layout;
pub mod monitor_link;
pub mod msg;
pub mod overlays;
pub mod screens;
pub mod store_worker;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod view;
pub mod wrap;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use self::app::{App, AppInit};
use self::msg::AppMsg;
use self::store_worker::StoreWorker;
use self::theme::Theme;
use crate::jobs::JobEnv;
use crate::runbook::{Placeholders, Runbook};
use crate::store::{Session, Store, StoreError};

/// What the command line hands the wizard.
pub struct WizardSetup {
    /// The runbook.
    pub runbook: Arc<Runbook>,
    /// Placeholder values.
    pub placeholders: Placeholders,
    /// Deployment display name.
    pub deployment_name: String,
    /// "lab" or "production".
    pub deployment_kind: String,
    /// Legacy → target line for the header.
    pub migration_line: String,
    /// The open store.
    pub store: Store,
    /// The session to open.
    pub session: Session,
    /// Operator name.
    pub operator: String,
    /// Theme.
    pub theme: Theme,
    /// Mouse capture.
    pub mouse: bool,
    /// Jobs environment, or why jobs cannot run.
    pub job_env: Result<JobEnv, String>,
    /// Job logs folder.
    pub job_logs_dir: Option<std::path::PathBuf>,
    /// Opens the store and a session by name, for the session picker (None: no switching).
    pub reopen: Option<Reopen>,
    /// The deployment profile.
    pub profile: crate::deployment::Profile,
    /// The data directory (reports, diagnostics); None in tests that write nothing.
    pub data_dir: Option<std::path::PathBuf>,
    /// The lab folder (lab profiles): its pools are served as loopback endpoints.
    pub lab_dir: Option<std::path::PathBuf>,
    /// The profile file (production).
    pub profile_path: Option<std::path::PathBuf>,
    /// Live monitor settings (interval, timeout, concurrency).
    pub monitor: crate::monitor::MonitorConfig,
}

/// Opens the session database again and a session by name (created if new).
pub type Reopen = Box<dyn Fn(&str) -> Result<(Store, Session), String>>;

/// Loads the session's saved state and builds the wizard state (no terminal needed: the
/// snapshot tests use this too). Returns the app and the receiver of its worker messages.
///
/// # Errors
/// A store error reading the session.
pub fn build_app(setup: WizardSetup) -> Result<(App, mpsc::UnboundedReceiver<AppMsg>), StoreError> {
    let WizardSetup {
        runbook,
        placeholders,
        deployment_name,
        deployment_kind,
        migration_line,
        mut store,
        session,
        operator,
        theme,
        mouse,
        job_env,
        job_logs_dir,
        reopen: _,
        profile,
        data_dir,
        profile_path,
        lab_dir: _,
        monitor: _,
    } = setup;
    let sid = session.id;
    store.mark_interrupted_jobs(sid)?;
    let facts = store.facts(sid)?;
    let ui_state = store.load_ui_state(sid)?;
    let (tx, rx) = mpsc::unbounded_channel();
    let app = App::new(AppInit {
        runbook,
        placeholders,
        deployment_name,
        deployment_kind,
        session,
        facts,
        ui_state,
        operator,
        theme,
        mouse,
        worker: StoreWorker::spawn(store),
        tx,
        job_env,
        job_logs_dir,
        migration_line,
        profile,
        data_dir,
        profile_path,
    });
    Ok((app, rx))
}

/// Runs the wizard until the admin quits, an ending signal (SIGTERM, SIGHUP, SIGINT,
/// SIGQUIT) arrives or the terminal closes.
///
/// # Errors
/// Terminal I/O errors and store errors at start-up.
pub fn run(mut setup: WizardSetup) -> color_eyre::Result<()> {
    let reopen = setup.reopen.take();
    let shared = Shared::of(&setup);
    let (mut app, mut rx) = build_app(setup)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    // Before the terminal changes mode: from here on an ending signal quits the loop instead
    // of killing the process with the terminal in raw mode.
    let mut signals = {
        let _rt = runtime.enter();
        Signals::new()?
    };
    let (mut terminal, guard) = terminal::setup(app.mouse)?;
    let mut input = spawn_input_reader();
    loop {
        let size = terminal.size()?;
        app.size = (size.width, size.height);
        // The live monitor (and, in the lab, the loopback pools) runs with the session.
        let link = match runtime.block_on(monitor_link::start(
            &shared.profile,
            shared.lab_dir.as_deref(),
            shared.monitor.clone(),
            &app.migration.lab_pools_stopped,
        )) {
            Ok(link) => {
                app.attach_monitor(link.cmd.clone());
                Some(link)
            }
            Err(e) => {
                app.set_status(e, true);
                None
            }
        };
        // Items 9 and 32 from the legacy database, recorded when they change what counts.
        app.run_legacy_probe(false);
        let result = runtime.block_on(event_loop(
            &mut terminal,
            &mut app,
            rx,
            link,
            &mut signals,
            &mut input,
        ));
        app.shutdown();
        let (Some(name), Some(reopen), Ok(())) = (app.switch_to.take(), reopen.as_ref(), &result)
        else {
            drop(guard);
            tracing::info!("wizard closed");
            return result;
        };
        // Another session: the store thread has finished, so the file can be opened again.
        let (theme, mouse) = (app.theme, app.mouse);
        drop(app);
        let (store, session) = match reopen(&name) {
            Ok(pair) => pair,
            Err(e) => {
                drop(guard);
                return Err(color_eyre::eyre::eyre!("cannot open session {name}: {e}"));
            }
        };
        tracing::info!(session = %name, "switching session");
        // No terminal.clear(): it asks the terminal for the cursor position, and the answer
        // can be taken by the input reader still running. The next frame is diffed against
        // the last one, which is what the screen shows.
        (app, rx) = build_app(shared.setup(store, session, theme, mouse))?;
    }
}

/// What stays the same when the admin switches sessions: everything in [`WizardSetup`] but
/// the store, the session and the picker.
#[derive(Clone)]
struct Shared {
    runbook: Arc<Runbook>,
    placeholders: Placeholders,
    deployment_name: String,
    deployment_kind: String,
    migration_line: String,
    operator: String,
    job_env: Result<JobEnv, String>,
    job_logs_dir: Option<std::path::PathBuf>,
    profile: crate::deployment::Profile,
    data_dir: Option<std::path::PathBuf>,
    lab_dir: Option<std::path::PathBuf>,
    profile_path: Option<std::path::PathBuf>,
    monitor: crate::monitor::MonitorConfig,
}

impl Shared {
    fn of(s: &WizardSetup) -> Shared {
        Shared {
            runbook: s.runbook.clone(),
            placeholders: s.placeholders.clone(),
            deployment_name: s.deployment_name.clone(),
            deployment_kind: s.deployment_kind.clone(),
            migration_line: s.migration_line.clone(),
            operator: s.operator.clone(),
            job_env: s.job_env.clone(),
            job_logs_dir: s.job_logs_dir.clone(),
            profile: s.profile.clone(),
            data_dir: s.data_dir.clone(),
            lab_dir: s.lab_dir.clone(),
            profile_path: s.profile_path.clone(),
            monitor: s.monitor.clone(),
        }
    }

    fn setup(&self, store: Store, session: Session, theme: Theme, mouse: bool) -> WizardSetup {
        let s = self.clone();
        WizardSetup {
            runbook: s.runbook,
            placeholders: s.placeholders,
            deployment_name: s.deployment_name,
            deployment_kind: s.deployment_kind,
            migration_line: s.migration_line,
            store,
            session,
            operator: s.operator,
            theme,
            mouse,
            job_env: s.job_env,
            job_logs_dir: s.job_logs_dir,
            reopen: None,
            profile: s.profile,
            data_dir: s.data_dir,
            lab_dir: s.lab_dir,
            profile_path: s.profile_path,
            monitor: s.monitor,
        }
    }
}

/// Input events waiting for the loop; a full queue makes the reader wait (back-pressure on
/// the terminal), never grows memory.
const INPUT_QUEUE: usize = 8192;

/// Reads the terminal's input on its own thread with crossterm's blocking `read`, for the
/// life of the process (it outlives session switches), into a bounded queue the loop drains
/// in bursts. crossterm is built with `use-dev-tty` (level-triggered `poll`): its default
/// edge-triggered reader takes 1 KB per wake-up, and once the terminal's input buffer is
/// full no new wake-up comes, so the wizard stopped reading under a flood of keys.
fn spawn_input_reader() -> mpsc::Receiver<std::io::Result<crossterm::event::Event>> {
    let (tx, rx) = mpsc::channel(INPUT_QUEUE);
    let spawned = std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                let ev = crossterm::event::read();
                let failed = ev.is_err();
                if tx.blocking_send(ev).is_err() || failed {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("cannot start the input reader: {e}");
    }
    rx
}

/// Most input events handled between two frames, and the longest time spent on them.
const INPUT_BURST: usize = 4096;
const INPUT_BURST_TIME: Duration = Duration::from_millis(50);

async fn event_loop(
    terminal: &mut terminal::Term,
    app: &mut App,
    mut rx: mpsc::UnboundedReceiver<AppMsg>,
    link: Option<monitor_link::MonitorLink>,
    signals: &mut Signals,
    input: &mut mpsc::Receiver<std::io::Result<crossterm::event::Event>>,
) -> color_eyre::Result<()> {
    let (mut snapshots, mut changes) = match link {
        Some(l) => (Some(l.snapshots), Some(l.changes)),
        None => (None, None),
    };
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // A deliberate crash after the first frame, to rehearse crash handling on site
    // (terminal restored, crash report written, session intact). See README.
    let crash_test = std::env::var_os("PCHAT_MIGRATE_CRASH_TEST").is_some();
    loop {
        if app.mouse_changed {
            terminal::set_mouse(app.mouse);
            app.mouse_changed = false;
        }
        if app.dirty {
            terminal.draw(|f| view::draw(f, app))?;
            app.dirty = false;
            if crash_test {
                panic!("crash requested by PCHAT_MIGRATE_CRASH_TEST");
            }
        }
        if app.quit {
            return Ok(());
        }
        tokio::select! {
            ev = input.recv() => match ev {
                Some(Ok(ev)) => {
                    app.on_event(ev);
                    // Coalesce: take every event already read (an unbracketed paste, a flood
                    // of keys) before drawing once, within a bound so the screen still
                    // moves; quit is seen at once.
                    let started = std::time::Instant::now();
                    for _ in 0..INPUT_BURST {
                        if app.quit || started.elapsed() > INPUT_BURST_TIME {
                            break;
                        }
                        match input.try_recv() {
                            Ok(Ok(ev)) => app.on_event(ev),
                            Ok(Err(e)) => return Err(e.into()),
                            Err(_) => break,
                        }
                    }
                }
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => app.on_msg(msg),
            Some(snap) = async {
                match snapshots.as_mut() {
                    Some(r) => r.changed().await.ok().map(|()| r.borrow_and_update().clone()),
                    None => std::future::pending().await,
                }
            } => {
                app.on_snapshot(snap);
                app.dirty = true;
            }
            Some(change) = async {
                match changes.as_mut() {
                    Some(r) => r.recv().await,
                    None => std::future::pending().await,
                }
            } => {
                app.on_state_change(change);
                app.dirty = true;
            }
            _ = tick.tick(), if app.animating() => app.on_tick(),
            () = signals.next() => {
                tracing::info!("termination signal: closing the wizard");
                app.quit = true;
            }
        }
        // Take whatever else already arrived before drawing again (bursts of job messages).
        while let Ok(msg) = rx.try_recv() {
            app.on_msg(msg);
        }
    }
}

/// What ends the wizard from outside, as a normal quit (terminal restored, store thread
/// drained, session intact): SIGTERM, SIGHUP, and SIGINT and SIGQUIT from outside on Unix (in
/// raw mode ctrl-c and ctrl-\\ are keys, so these come from `kill`); on Windows the console's
/// Ctrl+C and Ctrl+Break (when they arrive as signals rather than keys), closing the console
/// window, log-off and shut-down. For the last three Windows ends the process once the handler
/// returns; tokio's handler does not return, so the loop ends normally first (Windows allows
/// about five seconds: Microsoft, "HandlerRoutine callback function").
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    quit: tokio::signal::unix::Signal,
    #[cfg(windows)]
    ctrl_c: tokio::signal::windows::CtrlC,
    #[cfg(windows)]
    ctrl_break: tokio::signal::windows::CtrlBreak,
    #[cfg(windows)]
    close: tokio::signal::windows::CtrlClose,
    #[cfg(windows)]
    logoff: tokio::signal::windows::CtrlLogoff,
    #[cfg(windows)]
    shutdown: tokio::signal::windows::CtrlShutdown,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
                int: signal(SignalKind::interrupt())?,
                quit: signal(SignalKind::quit())?,
            })
        }
        #[cfg(windows)]
        {
            use tokio::signal::windows;
            Ok(Signals {
                ctrl_c: windows::ctrl_c()?,
                ctrl_break: windows::ctrl_break()?,
                close: windows::ctrl_close()?,
                logoff: windows::ctrl_logoff()?,
                shutdown: windows::ctrl_shutdown()?,
            })
        }
        #[cfg(not(any(unix, windows)))]
        Ok(Signals {})
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {},
            _ = self.hup.recv() => {},
            _ = self.int.recv() => {},
            _ = self.quit.recv() => {},
        }
        #[cfg(windows)]
        tokio::select! {
            _ = self.ctrl_c.recv() => {},
            _ = self.ctrl_break.recv() => {},
            _ = self.close.recv() => {},
            _ = self.logoff.recv() => {},
            _ = self.shutdown.recv() => {},
        }
        #[cfg(not(any(unix, windows)))]
        std::future::pending::<()>().await;
    }
}
