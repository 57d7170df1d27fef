//! The command line: the wizard (no subcommand) and the headless commands, which run the
//! same jobs as the wizard and record their results in the same session.
//!
//! Exit codes: 0 success; 1 the job ran and found a problem (verify differences) or failed;
//! 2 bad input or set-up (missing lab, bad profile, unknown session).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::config::{self, Config};
use crate::deployment::{DeploymentKind, Profile, ProfileError};
use crate::exec::{self, ExecutorConfig};
use crate::jobs::runner::StderrReporter;
use crate::jobs::{self, JobEnv, JobKind, JobOutcome};
use crate::paths::Paths;
use crate::runbook::Runbook;
use crate::store::{ItemState, Session, Store};
use crate::tui::theme::{Theme, ThemeName};

/// pchat-migrate: a guided, resumable, verifiable migration of Lync Server 2010 Group Chat
/// or OCS 2007 R2 Group Chat to Lync Server 2013 Persistent Chat.
#[derive(Debug, Parser)]
#[command(name = "pchat-migrate", version, about, long_about = None)]
pub struct Cli {
    /// Data directory (session database, logs, lab deployment).
    #[arg(long, global = true, env = crate::paths::DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Migration session to open or create (default: the last one used, else "lab").
    #[arg(long, global = true, value_name = "NAME")]
    pub session: Option<String>,
    /// Deployment profile (TOML); default: the built-in lab deployment.
    #[arg(long, global = true, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Operator name recorded with every change (default: config, then the OS user).
    #[arg(long, global = true, value_name = "NAME")]
    pub operator: Option<String>,
    /// Colour theme (NO_COLOR forces mono).
    #[arg(long, global = true, value_enum)]
    pub theme: Option<ThemeName>,
    /// Do not capture the mouse (lets the terminal select text).
    #[arg(long, global = true)]
    pub no_mouse: bool,
    /// Language: en, it, es, ko (also it-IT, es-ES, es-MX, ko-KR); default: config, then the
    /// system locale, then English.
    #[arg(long, global = true, env = "PCHAT_MIGRATE_LANG", value_name = "LANG", value_parser = parse_lang)]
    pub lang: Option<String>,
    /// What to do; without a command the wizard opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the wizard (the default).
    Wizard,
    /// The lab deployment.
    Lab {
        /// Lab action.
        #[command(subcommand)]
        action: LabAction,
    },
    /// Export the legacy Group Chat data to a package (Export-CsPersistentChatData).
    Export {
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Production: the confirmation word, when the export changes the deployment
        /// (-DisableExportedNodes); without it the word is asked on the terminal.
        #[arg(long, value_name = "WORD")]
        confirm: Option<String>,
    },
    /// Import the package into the Persistent Chat database (Import-CsPersistentChatData).
    Import {
        /// Preview only: report what would be imported and every warning, write nothing.
        #[arg(long)]
        what_if: bool,
        /// Acknowledge the latest -WhatIf preview's warnings and notes (recorded in the audit
        /// trail).
        #[arg(long, conflicts_with = "what_if")]
        accept_warnings: bool,
        /// Accept, by name, each item the latest -WhatIf preview refuses (its errors): they
        /// will not be imported, and verify lists them as accepted losses (each recorded in
        /// the audit trail).
        #[arg(long, conflicts_with = "what_if")]
        accept_losses: bool,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Production: the confirmation word for the real import (IMPORT); without it the
        /// word is asked on the terminal.
        #[arg(long, value_name = "WORD")]
        confirm: Option<String>,
    },
    /// Production: print the PowerShell script a task runs, exactly, or write it to
    /// `DIR/<task>.ps1` for change review (dry run: nothing runs). Tasks: export,
    /// import-whatif, import, verify, topology, services, stop-services, start-services,
    /// legacy-endpoint, test-message, or all.
    Script {
        /// The task.
        task: String,
        /// Write the script(s) to this folder instead of printing.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Inspect an export package (ours or a real one) and list the pre-flight warnings.
    Inspect {
        /// The package (.zip).
        file: PathBuf,
        /// Also plan against this Persistent Chat (mgc) database: items the import would
        /// overwrite, the pool check.
        #[arg(long, value_name = "MGC")]
        target: Option<PathBuf>,
        /// Print the inspection as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Build a lab and time lab init, export, import and verify (each in its own process).
    Bench(crate::bench::BenchArgs),
    /// Compare the legacy and Persistent Chat databases room by room.
    Verify {
        /// Print the report as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Also write the JSON report to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Production: run a read-only PowerShell probe and print its result: topology
    /// (`Get-CsTopology -AsXml`; --out writes the XML for the topology import), services, or
    /// test-message. Tasks that change the deployment run from the wizard's items.
    Probe {
        /// legacy-db (lab: items 9 and 32 from the legacy database, recorded), or, in
        /// production, topology, services or test-message.
        task: String,
        /// Topology: write the XML to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// List sessions, or create one.
    Sessions {
        /// Create a session with this name.
        #[arg(long, value_name = "NAME")]
        new: Option<String>,
    },
    /// Print the runbook with the deployment's values filled in.
    Runbook {
        /// Only this stage (id, e.g. "export").
        #[arg(long)]
        stage: Option<String>,
    },
    /// The audit trail.
    Audit {
        /// Audit action.
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Which pools are up: probe every pool's servers and ports (in the lab, its loopback
    /// endpoints) and print the result; without --once, keep probing until Ctrl-C.
    Status {
        /// Print JSON (one snapshot with the probe items; without --once, one per round).
        #[arg(long)]
        json: bool,
        /// One probe round, then exit (1 when a pool is not Up).
        #[arg(long)]
        once: bool,
        /// Seconds between probe rounds.
        #[arg(long, default_value_t = 10)]
        interval: u64,
        /// Seconds one probe may take.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
    /// Print where state, logs and the lab live.
    Paths,
    /// Topology documents (Get-CsTopology -AsXml output, Topology Builder .tbxml files).
    Topology {
        /// Topology action.
        #[command(subcommand)]
        action: TopologyAction,
    },
    /// On-site troubleshooting: match pasted text or an event log against the known
    /// symptoms, pull the servers' event logs, run a symptom's checks.
    Troubleshoot {
        /// Troubleshooting action.
        #[command(subcommand)]
        action: crate::troubleshoot::command::TroubleshootAction,
    },
    /// Translations.
    I18n {
        /// Translation action.
        #[command(subcommand)]
        action: I18nAction,
    },
    /// Write the sign-off report of the session (Markdown or one self-contained HTML file).
    /// Exit code 1 when the audit trail is broken (the report says so too).
    Report {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
        format: ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Collect logs, the profile without secrets, probe history, job logs and the session
    /// state into one zip for support.
    Diagnostics {
        /// The zip to write (default: diagnostics-<session>-<time>.zip in the data directory).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

impl Command {
    /// Commands that only read the data directory: they must work on a read-only folder or
    /// a full disk (no log file, no session written).
    fn is_read_only(&self) -> bool {
        matches!(
            self,
            Command::Paths
                | Command::Audit { .. }
                | Command::Report { .. }
                | Command::Runbook { .. }
                | Command::Inspect { .. }
                | Command::Status { .. }
                | Command::Script { .. }
                | Command::I18n { .. }
        )
    }
}

/// Topology actions.
#[derive(Debug, Subcommand)]
pub enum TopologyAction {
    /// Read a topology and report its sites, pools, servers, roles, ports, SQL instances and
    /// stores, and what the migration is still missing.
    Import {
        /// The topology file (UTF-8 or UTF-16, as Out-File writes it).
        file: PathBuf,
        /// Add or update the pools found in this profile, keeping everything else in it
        /// (created when it does not exist).
        #[arg(long, value_name = "PROFILE.toml")]
        merge_into: Option<PathBuf>,
        /// Print the findings (and the merge report) as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// Translation actions.
#[derive(Debug, Subcommand)]
pub enum I18nAction {
    /// List, per language, the messages and runbook text that fall back to English; exit 1
    /// if anything is missing.
    Check {
        /// Print the report as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// `--lang` accepts only languages that ship.
fn parse_lang(s: &str) -> Result<String, String> {
    crate::i18n::normalize(s)
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "no translation for \"{s}\"; use one of {}",
                crate::i18n::ACCEPTED
            )
        })
}

/// Formats of the sign-off report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown.
    #[value(alias = "markdown")]
    Md,
    /// One self-contained HTML file (inline CSS, print-friendly).
    Html,
}

/// Lab actions.
#[derive(Debug, Subcommand)]
pub enum LabAction {
    /// Create the lab databases (done automatically on first start).
    Init(crate::lab::init_args::LabInitArgs),
    /// Empty the lab's Persistent Chat database (to rehearse the import again).
    ResetTarget,
}

/// Audit actions.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// List the session's audit trail.
    List,
    /// Check the hash chain; names the first broken event.
    Verify,
}

/// Everything a command needs, resolved from flags, environment and files.
struct Context {
    paths: Paths,
    config: Config,
    operator: String,
    profile: Profile,
    profile_path: Option<PathBuf>,
    executor: ExecutorConfig,
    runbook: Arc<Runbook>,
}

impl Context {
    /// The runbook's placeholder values: the profile's, and each task's command lines as its
    /// job script renders them (`exec::runbook_placeholders`).
    fn runbook_placeholders(&self) -> crate::runbook::Placeholders {
        exec::runbook_placeholders(&self.profile, &self.work_dir(), &self.executor)
    }

    fn work_dir(&self) -> String {
        match self.profile.kind {
            DeploymentKind::Lab => self.paths.lab_dir.join("exports").display().to_string(),
            DeploymentKind::Production => self.profile.migration.work_dir.clone(),
        }
    }

    fn job_env(&self) -> Result<JobEnv, String> {
        match self.profile.kind {
            DeploymentKind::Lab => Ok(JobEnv::lab(self.profile.clone(), &self.paths.lab_dir)),
            DeploymentKind::Production => Ok(JobEnv::production(
                self.profile.clone(),
                self.executor.clone(),
                &self.paths.data_dir,
            )),
        }
    }

    fn open_store(&self) -> Result<Store, String> {
        Store::open(&self.paths.state_db).map_err(|e| e.to_string())
    }

    /// For the read-only commands: the session database opened without writing and the
    /// session found without touching it, so they work on a read-only folder or a full
    /// disk. Falls back to [`Context::open_store`] and [`Context::session`] only when there
    /// is nothing to read yet (no database, or no such session), which creates them.
    fn read_session(&self, name: Option<&str>) -> Result<(Store, Session), String> {
        if self.paths.state_db.exists() {
            let store = Store::open_read_only(&self.paths.state_db).map_err(|e| e.to_string())?;
            if let Some(session) = self.find_session(&store, name)? {
                return Ok((store, session));
            }
        }
        let mut store = self.open_store()?;
        let session = self.session(&mut store, name)?;
        Ok((store, session))
    }

    /// The session [`Context::session`] would open, if it exists.
    fn find_session(&self, store: &Store, name: Option<&str>) -> Result<Option<Session>, String> {
        let kind = self.kind_name();
        let found = match name {
            Some(n) => store.session(n),
            None => match store.last_session().map_err(|e| e.to_string())? {
                Some(s) if s.deployment == kind => return Ok(Some(s)),
                _ => store.session(kind),
            },
        };
        // Another deployment's session: the writing path reports the mismatch.
        Ok(found
            .map_err(|e| e.to_string())?
            .filter(|s| s.deployment == kind))
    }

    fn kind_name(&self) -> &'static str {
        match self.profile.kind {
            DeploymentKind::Lab => "lab",
            DeploymentKind::Production => "production",
        }
    }

    fn session(&self, store: &mut Store, name: Option<&str>) -> Result<Session, String> {
        let kind = match self.profile.kind {
            DeploymentKind::Lab => "lab",
            DeploymentKind::Production => "production",
        };
        let profile = self.profile_path_string();
        let name = match name {
            Some(n) => n.to_string(),
            None => match store.last_session().map_err(|e| e.to_string())? {
                Some(s) if s.deployment == kind => s.name,
                _ => kind.to_string(),
            },
        };
        store
            .open_or_create_session(&name, kind, profile.as_deref(), &self.operator)
            .map_err(|e| e.to_string())
    }

    fn profile_path_string(&self) -> Option<String> {
        self.profile_path.as_ref().map(|p| p.display().to_string())
    }
}

/// Output piped into `head` or `less` closes early: exit quietly on SIGPIPE, as Unix tools
/// do, instead of panicking on a failed print. (Rust starts with SIGPIPE ignored, which the
/// wizard and the jobs need: their sockets and pipes report a closed peer as an error.)
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to the default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Only for commands that just print: the wizard, the monitor and the jobs talk to
    // sockets and child processes, where a closed peer must be an error, not a kill.
    if matches!(
        cli.command,
        Some(
            Command::Runbook { .. }
                | Command::Audit { .. }
                | Command::Sessions { .. }
                | Command::Inspect { .. }
                | Command::Report { .. }
                | Command::Script { .. }
                | Command::Topology { .. }
                | Command::I18n { .. }
                | Command::Paths
                | Command::Troubleshoot {
                    action: crate::troubleshoot::command::TroubleshootAction::Match { .. }
                        | crate::troubleshoot::command::TroubleshootAction::Events { .. }
                        | crate::troubleshoot::command::TroubleshootAction::List { .. }
                }
        )
    ) {
        restore_sigpipe();
    }
    let _ = color_eyre::install();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!(
                "pchat-migrate: {}",
                crate::safe_text::escape_multiline(&msg)
            );
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let paths = Paths::resolve(cli.data_dir.as_deref())?;
    // Read-only commands work on a read-only data directory or a full disk: without the
    // folders and the log file they go on (saying so); every other command stops here.
    let read_only = cli.command.as_ref().is_some_and(Command::is_read_only);
    let _log_guard = match paths
        .create()
        .and_then(|()| crate::logging::init(&paths.logs_dir))
    {
        Ok(guard) => guard,
        Err(e) if read_only => {
            eprintln!("note: {e}; going on without a log file");
            None
        }
        Err(e) => return Err(e),
    };
    let config = Config::load(&paths.config_file)?;
    if let Some(lang) = config.lang.as_deref()
        && crate::i18n::normalize(lang).is_none()
    {
        tracing::warn!("config: no translation for lang = \"{lang}\"; ignored");
    }
    let lang = crate::i18n::resolve_language(cli.lang.as_deref(), config.lang.as_deref());
    crate::i18n::set_language(&lang);
    let operator = config::operator_name(cli.operator.as_deref(), &config);
    let (profile, executor) = match &cli.profile {
        Some(p) => match load_profile(p) {
            Ok(pair) => pair,
            // Diagnostics are wanted most when the profile is broken: collect anyway.
            Err(e) if matches!(cli.command, Some(Command::Diagnostics { .. })) => {
                eprintln!("note: the profile does not load ({e}); collecting diagnostics anyway");
                (Profile::lab(), ExecutorConfig::default())
            }
            Err(e) => return Err(e),
        },
        None => (Profile::lab(), ExecutorConfig::default()),
    };
    let runbook = Arc::new(
        Runbook::embedded_for(&lang)
            .or_else(|e| {
                tracing::warn!("runbook translation {lang} unusable, showing English: {e}");
                Runbook::embedded()
            })
            .map_err(|e| e.to_string())?,
    );
    let ctx = Context {
        paths,
        config,
        operator,
        profile,
        profile_path: cli.profile.clone(),
        executor,
        runbook,
    };
    tracing::info!(operator = %ctx.operator, "pchat-migrate {} starting", env!("CARGO_PKG_VERSION"));
    match cli.command.unwrap_or(Command::Wizard) {
        Command::Wizard => wizard(
            &ctx,
            &ViewOptions {
                session: cli.session,
                theme: cli.theme,
                no_mouse: cli.no_mouse,
            },
        ),
        Command::Lab { action } => lab(&ctx, action),
        Command::Export { json, confirm } => headless_job(
            &ctx,
            cli.session.as_deref(),
            JobKind::Export,
            json,
            None,
            confirm,
        ),
        Command::Import {
            what_if,
            accept_warnings,
            accept_losses,
            json,
            confirm,
        } => {
            if what_if {
                headless_job(
                    &ctx,
                    cli.session.as_deref(),
                    JobKind::ImportWhatIf,
                    json,
                    None,
                    confirm,
                )
            } else {
                let mut store = ctx.open_store()?;
                let session = ctx.session(&mut store, cli.session.as_deref())?;
                ensure_import_ready(&mut store, &session, &ctx, accept_warnings, accept_losses)?;
                drop(store);
                headless_job(
                    &ctx,
                    cli.session.as_deref(),
                    JobKind::Import,
                    json,
                    None,
                    confirm,
                )
            }
        }
        Command::Inspect { file, target, json } => inspect(&file, target.as_deref(), json),
        Command::Bench(args) => crate::bench::run(&args, Some(&ctx.paths.data_dir)),
        Command::Verify { json, out } => headless_job(
            &ctx,
            cli.session.as_deref(),
            JobKind::Verify,
            json,
            out,
            None,
        ),
        Command::Script { task, out } => script_command(&ctx, &task, out.as_deref()),
        Command::Probe { task, out, json } => {
            probe_command(&ctx, cli.session.as_deref(), &task, out.as_deref(), json)
        }
        Command::Sessions { new } => sessions(&ctx, new.as_deref()),
        Command::Runbook { stage } => print_runbook(&ctx, stage.as_deref()),
        Command::Audit { action } => audit(&ctx, cli.session.as_deref(), action),
        Command::Status {
            json,
            once,
            interval,
            timeout,
        } => status(&ctx, json, once, interval, timeout),
        Command::Topology { action } => topology(action),
        Command::Troubleshoot { action } => {
            troubleshoot(&ctx, cli.session.as_deref(), &lang, action)
        }
        Command::I18n {
            action: I18nAction::Check { json },
        } => i18n_check(json),
        Command::Report { format, out } => report(&ctx, cli.session.as_deref(), format, out),
        Command::Diagnostics { out } => diagnostics(&ctx, cli.session.as_deref(), out),
        Command::Paths => {
            let p = &ctx.paths;
            println!("data directory: {}", p.data_dir.display());
            println!("session database: {}", p.state_db.display());
            println!(
                "logs: {}",
                p.logs_dir.join(crate::logging::LOG_FILE).display()
            );
            println!("job logs: {}", p.job_logs_dir.display());
            println!("crash reports: {}", p.logs_dir.display());
            println!("lab: {}", p.lab_dir.display());
            println!("config: {}", p.config_file.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The wizard's own flags.
struct ViewOptions {
    session: Option<String>,
    theme: Option<ThemeName>,
    no_mouse: bool,
}

/// Creates the lab on first start, with progress on stderr (before the screen is taken).
fn ensure_lab(ctx: &Context) -> Result<(), String> {
    if ctx.profile.kind != DeploymentKind::Lab {
        return Ok(());
    }
    let lab = crate::lab::LabPaths::in_dir(&ctx.paths.lab_dir);
    if lab.exists() {
        return Ok(());
    }
    eprintln!(
        "First start: creating the lab deployment in {}",
        ctx.paths.lab_dir.display()
    );
    let r = StderrReporter::new(false);
    crate::lab::init(
        &ctx.paths.lab_dir,
        &crate::lab::LabSpec::default(),
        false,
        &r,
    )
    .map(|_| ())
    .map_err(|e| format!("cannot create the lab: {e}"))
}

fn wizard(ctx: &Context, view: &ViewOptions) -> Result<ExitCode, String> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(
            "the wizard needs a terminal; for scripts use the headless commands (see --help)"
                .into(),
        );
    }
    ensure_lab(ctx)?;
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, view.session.as_deref())?;
    let theme_name = view
        .theme
        .or_else(|| {
            ctx.config
                .theme
                .as_deref()
                .and_then(|t| <ThemeName as clap::ValueEnum>::from_str(t, true).ok())
        })
        .unwrap_or(ThemeName::Dark);
    let migration_line = match (ctx.profile.legacy_pool(), ctx.profile.pchat_pool()) {
        (Some(l), Some(p)) => format!(
            "{} {} → {} {}",
            l.kind.product_name(),
            l.fqdn,
            p.kind.product_name(),
            p.fqdn
        ),
        _ => String::new(),
    };
    crate::tui::terminal::install_panic_hook(ctx.paths.logs_dir.clone());
    let setup = crate::tui::WizardSetup {
        runbook: ctx.runbook.clone(),
        placeholders: ctx.runbook_placeholders(),
        deployment_name: ctx.profile.name.clone(),
        deployment_kind: session.deployment.clone(),
        migration_line,
        store,
        session,
        operator: ctx.operator.clone(),
        theme: Theme::pick(theme_name, Theme::no_color_env()),
        mouse: !view.no_mouse && ctx.config.mouse.unwrap_or(true),
        job_env: ctx.job_env(),
        job_logs_dir: Some(ctx.paths.job_logs_dir.clone()),
        reopen: Some(reopen_fn(ctx)),
        profile: ctx.profile.clone(),
        data_dir: Some(ctx.paths.data_dir.clone()),
        lab_dir: (ctx.profile.kind == DeploymentKind::Lab).then(|| ctx.paths.lab_dir.clone()),
        profile_path: ctx.profile_path.clone(),
        monitor: ctx
            .config
            .monitor(ctx.profile.kind == DeploymentKind::Lab)?,
    };
    crate::tui::run(setup).map_err(|e| format!("{e:#}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The session picker's way back into the database.
fn reopen_fn(ctx: &Context) -> crate::tui::Reopen {
    let db = ctx.paths.state_db.clone();
    let kind = if ctx.profile.kind == DeploymentKind::Lab {
        "lab"
    } else {
        "production"
    };
    let profile = ctx.profile_path_string();
    let operator = ctx.operator.clone();
    Box::new(move |name: &str| {
        let mut store = Store::open(&db).map_err(|e| e.to_string())?;
        let session = store
            .open_or_create_session(name, kind, profile.as_deref(), &operator)
            .map_err(|e| e.to_string())?;
        Ok((store, session))
    })
}

fn lab(ctx: &Context, action: LabAction) -> Result<ExitCode, String> {
    let r = StderrReporter::new(false);
    match action {
        LabAction::Init(args) => {
            let spec = args.spec()?;
            let paths = crate::lab::init(&ctx.paths.lab_dir, &spec, args.force, &r)
                .map_err(|e| e.to_string())?;
            println!("legacy Group Chat database: {}", paths.legacy_db.display());
            println!("Persistent Chat mgc database: {}", paths.mgc_db.display());
        }
        LabAction::ResetTarget => {
            let paths = crate::lab::LabPaths::in_dir(&ctx.paths.lab_dir);
            crate::lab::reset_target(&paths).map_err(|e| e.to_string())?;
            println!("emptied {}", paths.mgc_db.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn headless_job(
    ctx: &Context,
    session_name: Option<&str>,
    kind: JobKind,
    json: bool,
    out: Option<PathBuf>,
    confirm: Option<String>,
) -> Result<ExitCode, String> {
    let mut env = ctx.job_env()?;
    if ctx.profile.kind == DeploymentKind::Production {
        env = prepare_production(&env, kind, confirm.as_deref())?;
    }
    ensure_lab(ctx)?;
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, session_name)?;
    let item = ctx
        .runbook
        .items()
        .find(|it| it.job == Some(kind))
        .map(|it| it.id.clone())
        .ok_or_else(|| format!("the runbook has no item for the {} job", kind.label()))?;
    let run = store
        .job_started(session.id, &item, kind.key(), None, &ctx.operator)
        .map_err(|e| e.to_string())?;
    let reporter = StderrReporter::new(json);
    let cancel = reporter.cancel.clone();
    // Ctrl-C asks the job to stop at its next batch; a second Ctrl-C kills as usual.
    let _ = ctrlc_flag(cancel);
    // The verify lists the losses accepted for the newest preview as such.
    let env = env.with_accepted_losses(
        crate::migration::derive(
            &ctx.runbook,
            &store.facts(session.id).map_err(|e| e.to_string())?,
        )
        .losses_for_verify(),
    );
    let result = jobs::run(kind, &env, &reporter);
    let code = record_result(
        &mut store,
        &session,
        &item,
        run.id,
        kind,
        &result,
        &ctx.operator,
    )?;
    match result {
        Ok(outcome) => {
            if let Some(path) = out {
                let text =
                    serde_json::to_string_pretty(&outcome.detail).map_err(|e| e.to_string())?;
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&outcome).map_err(|e| e.to_string())?
                );
            } else {
                println!("{}", outcome.summary);
                if kind == JobKind::Verify && !outcome.passed {
                    print_differences(&outcome);
                }
            }
        }
        Err(jobs::JobError::Cancelled(c)) => {
            let line = crate::migration::cancel_statement(kind, &c);
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "kind": kind, "passed": false, "cancelled": c, "statement": line })
                );
            }
            eprintln!("pchat-migrate: {line}");
        }
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "kind": kind, "passed": false, "error": e.to_string() })
                );
            }
            eprintln!("pchat-migrate: {} failed: {e}", kind.label());
        }
    }
    Ok(code)
}

/// Largest profile file read (real ones are a few kilobytes).
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// Reads a profile file; its `[executor]` table is read by the executor and taken out of
/// the text (line numbers kept) before the profile parser, which refuses unknown tables,
/// sees it.
fn load_profile(path: &std::path::Path) -> Result<(Profile, ExecutorConfig), String> {
    let read_err = |source| {
        ProfileError::Read {
            path: path.to_path_buf(),
            source,
        }
        .to_string()
    };
    // A profile is a few kilobytes: refuse a huge file before reading it (an 8 MB one took
    // half a gigabyte to parse and reject).
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_PROFILE_BYTES {
        return Err(format!(
            "{}: {size} bytes is over the {MAX_PROFILE_BYTES}-byte limit for a profile; check \
             that this is the deployment profile",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    let text = crate::pilot::utf8_or_line(&bytes, &path.display().to_string())
        .map_err(|e| e.to_string())?
        .to_string();
    match exec::split_profile_text(&text) {
        Ok((rest, executor)) => Ok((
            Profile::parse(&rest, path).map_err(|e| e.to_string())?,
            executor,
        )),
        // A TOML syntax error is better reported by the profile parser (line and column).
        Err(e) if toml::from_str::<toml::Table>(&text).is_err() => Err(Profile::parse(&text, path)
            .err()
            .map_or_else(|| format!("{}: {e}", path.display()), |pe| pe.to_string())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Production, before a headless job: says which script runs, asks for the confirmation
/// word when the script changes the deployment, and asks for the password when needed.
fn prepare_production(
    env: &JobEnv,
    kind: JobKind,
    confirm: Option<&str>,
) -> Result<JobEnv, String> {
    use std::io::IsTerminal;
    let cfg = env.executor.clone().unwrap_or_default();
    let script = exec::script_for(kind, env, &cfg).map_err(|e| e.to_string())?;
    eprintln!(
        "{}: PowerShell on {}, script sha256 {} (print it with: pchat-migrate script {})",
        kind.label(),
        script.runs_on,
        script.sha256(),
        kind.key()
    );
    if script.changes_deployment {
        let word = script.confirm_word.clone().unwrap_or_else(|| "YES".into());
        let typed = match confirm {
            Some(w) => w.to_string(),
            None if std::io::stdin().is_terminal() => {
                eprint!("This changes the deployment. Type {word} to go on: ");
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .map_err(|e| e.to_string())?;
                line.trim().to_string()
            }
            None => {
                return Err(format!(
                    "this {} changes the deployment: pass --confirm {word}",
                    kind.label()
                ));
            }
        };
        if typed != word {
            return Err(format!("not confirmed (expected {word}); nothing ran"));
        }
    }
    match exec::credential_need(env) {
        exec::CredentialNeed::Prompt { user } => {
            let cred = exec::credential::prompt_terminal(user.as_deref())?;
            Ok(env.clone().with_credential(cred))
        }
        _ => Ok(env.clone()),
    }
}

fn script_command(
    ctx: &Context,
    task: &str,
    out: Option<&std::path::Path>,
) -> Result<ExitCode, String> {
    if ctx.profile.kind != DeploymentKind::Production {
        return Err("scripts are for production profiles (kind = \"production\"); the lab runs its jobs natively".into());
    }
    let tasks: Vec<exec::Task> = if task == "all" {
        exec::Task::ALL.to_vec()
    } else {
        vec![exec::Task::from_key(task).ok_or_else(|| {
            format!(
                "no task \"{task}\"; tasks: {}, all",
                exec::Task::ALL.map(exec::Task::key).join(", ")
            )
        })?]
    };
    let env = ctx.job_env()?;
    let cfg = ctx.executor.clone();
    let scripts = tasks
        .into_iter()
        .map(|t| exec::script_for_task(t, &env, &cfg))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    match out {
        None => {
            for s in &scripts {
                print!("{}", s.display);
            }
        }
        Some(dir) => {
            let paths = exec::write_dry_run(dir, &scripts).map_err(|e| e.to_string())?;
            for (s, p) in scripts.iter().zip(paths) {
                println!(
                    "{}  sha256 {}  changes the deployment: {}{}",
                    p.display(),
                    s.sha256(),
                    if s.changes_deployment { "yes" } else { "no" },
                    s.confirm_word
                        .as_ref()
                        .map(|w| format!(" (confirm word {w})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn probe_command(
    ctx: &Context,
    session: Option<&str>,
    task: &str,
    out: Option<&std::path::Path>,
    json: bool,
) -> Result<ExitCode, String> {
    if task == "legacy-db" {
        return legacy_db_probe(ctx, session, json);
    }
    let task = match task {
        "topology" => exec::Task::Topology,
        "services" => exec::Task::Services,
        "test-message" => exec::Task::TestMessage,
        other => {
            return Err(format!(
                "no probe \"{other}\"; probes: legacy-db, topology, services, test-message"
            ));
        }
    };
    if ctx.profile.kind != DeploymentKind::Production {
        return Err(
            "probes run the cmdlets of a production profile (kind = \"production\")".into(),
        );
    }
    let env = ctx.job_env()?;
    let env = match exec::credential_need(&env) {
        exec::CredentialNeed::Prompt { user } => {
            env.with_credential(exec::credential::prompt_terminal(user.as_deref())?)
        }
        _ => env,
    };
    let reporter = StderrReporter::new(json);
    let _ = ctrlc_flag(reporter.cancel.clone());
    let outcome = exec::run_task(task, &env, &reporter).map_err(|e| e.to_string())?;
    if let (Some(path), Some(xml)) = (out, outcome.topology_xml.as_ref()) {
        std::fs::write(path, xml).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&outcome).map_err(|e| e.to_string())?
        );
    } else {
        println!("{}", outcome.summary);
    }
    Ok(if outcome.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `probe legacy-db`: items 9 and 32 from the lab's legacy database, recorded as evidence
/// in the session (the model then ticks or fails them).
fn legacy_db_probe(ctx: &Context, session: Option<&str>, json: bool) -> Result<ExitCode, String> {
    ensure_lab(ctx)?;
    let env = ctx.job_env()?;
    let results = jobs::legacy_probe(&env).map_err(|e| e.to_string())?;
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, session)?;
    for r in &results {
        store
            .add_evidence(session.id, r.item_id, &r.to_evidence(), &ctx.operator)
            .map_err(|e| e.to_string())?;
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?
        );
    } else {
        for r in &results {
            println!(
                "{} {}: {}",
                if r.passed { "passed" } else { "FAILED" },
                r.item_id,
                r.summary
            );
        }
    }
    Ok(if results.iter().all(|r| r.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn inspect(
    file: &std::path::Path,
    target: Option<&std::path::Path>,
    json: bool,
) -> Result<ExitCode, String> {
    let r = StderrReporter::new(json);
    match crate::chatdata::inspect(file, target, &r) {
        Ok(i) => {
            if json {
                let mut v = serde_json::to_value(&i).map_err(|e| e.to_string())?;
                v["digest"] = serde_json::Value::String(i.digest());
                println!(
                    "{}",
                    serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", crate::safe_text::escape_multiline(&i.to_text()));
            }
            Ok(if i.warning_counts.errors > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(e) => {
            if json {
                println!("{}", serde_json::json!({ "error": e.to_string() }));
            }
            eprintln!(
                "pchat-migrate: inspect failed: {}",
                crate::safe_text::escape_multiline(&e.to_string())
            );
            Ok(ExitCode::from(2))
        }
    }
}

fn print_differences(outcome: &JobOutcome) {
    if let Some(diffs) = outcome.detail.get("differences").and_then(|d| d.as_array()) {
        for d in diffs {
            let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            println!(
                "  {} \"{}\" {}: expected {} / found {}",
                s("kind"),
                s("name"),
                s("field"),
                s("expected"),
                s("actual")
            );
        }
    }
}

/// The headless side of the import gate (`migration::Migration::import`): the latest
/// `-WhatIf` preview must have completed after the latest export; each item it refuses (an
/// error) must be accepted by name (`--accept-losses`, one recorded event per loss); its
/// warnings and notes must be acknowledged (`--accept-warnings`, recorded). Both flags print
/// what they accept.
fn ensure_import_ready(
    store: &mut Store,
    session: &Session,
    ctx: &Context,
    accept_warnings: bool,
    accept_losses: bool,
) -> Result<(), String> {
    use crate::migration::{self, ImportReadiness};
    let whatif_item = ctx
        .runbook
        .job_item(JobKind::ImportWhatIf)
        .map(|i| i.id.clone());
    loop {
        let facts = store.facts(session.id).map_err(|e| e.to_string())?;
        let m = migration::derive(&ctx.runbook, &facts);
        let preview = m.preview.clone();
        match (&m.import, preview) {
            (ImportReadiness::Ready, _) => return Ok(()),
            (ImportReadiness::LossesNotAccepted { items }, Some(p)) if accept_losses => {
                for w in p.errors() {
                    if !items.contains(&format!("{}: {}", w.code, w.item)) {
                        continue;
                    }
                    eprintln!(
                        "  accepting the loss of {} \"{}\": {}",
                        w.code, w.item, w.message
                    );
                    let detail = serde_json::to_string(&migration::LossAcceptance {
                        evidence_id: p.evidence_id,
                        code: w.code.clone(),
                        item: w.item.clone(),
                    })
                    .map_err(|e| e.to_string())?;
                    store
                        .record_event(
                            session.id,
                            migration::EVENT_LOSS_ACCEPTED,
                            whatif_item.as_deref(),
                            &detail,
                            &ctx.operator,
                        )
                        .map_err(|e| e.to_string())?;
                }
                eprintln!(
                    "accepted {} losses of the -WhatIf preview (recorded)",
                    items.len()
                );
            }
            (ImportReadiness::LossesNotAccepted { items }, _) => {
                return Err(format!(
                    "the -WhatIf preview refuses {} item{} that the import would not import: {}. Fix {} and export \
                     again, or accept each loss by name: pchat-migrate import --accept-warnings --accept-losses \
                     (recorded in the audit trail; verify then lists them as accepted losses)",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" },
                    items.join("; "),
                    if items.len() == 1 { "it" } else { "them" }
                ));
            }
            (ImportReadiness::NotAcknowledged { warnings, notes }, Some(p)) if accept_warnings => {
                for w in p.warnings.iter().filter(|w| !w.is_error()) {
                    eprintln!("  {:<8} {} {}: {}", w.severity, w.code, w.item, w.message);
                }
                store
                    .record_event(
                        session.id,
                        migration::EVENT_WHATIF_ACK,
                        whatif_item.as_deref(),
                        &migration::ack_detail(&p),
                        &ctx.operator,
                    )
                    .map_err(|e| e.to_string())?;
                eprintln!(
                    "acknowledged {warnings} warnings and {notes} notes of the -WhatIf preview (recorded)"
                );
            }
            (ImportReadiness::NotAcknowledged { warnings, notes }, _) => {
                return Err(format!(
                    "the -WhatIf preview raised {warnings} warnings and {notes} notes: read them (pchat-migrate import \
                     --what-if), then run pchat-migrate import --accept-warnings to acknowledge them (recorded in the \
                     audit trail)"
                ));
            }
            (other, _) => return Err(crate::i18n::tr(other.message_id())),
        }
    }
}

/// Records a headless job's result in the session exactly as the wizard does
/// ([`jobs::record::JobRecord`]) and chooses the exit code: 0 passed, 1 failed or cancelled,
/// 2 a set-up problem.
fn record_result(
    store: &mut Store,
    session: &Session,
    item: &str,
    run_id: i64,
    kind: JobKind,
    result: &Result<JobOutcome, jobs::JobError>,
    who: &str,
) -> Result<ExitCode, String> {
    jobs::record::JobRecord::of(kind, result)
        .save(store, session.id, item, run_id, who)
        .map_err(|e| e.to_string())?;
    Ok(match result {
        Ok(o) if o.passed => ExitCode::SUCCESS,
        Err(jobs::JobError::Setup(_)) => ExitCode::from(2),
        _ => ExitCode::from(1),
    })
}

/// Sets `flag` on the first Ctrl-C (headless jobs stop cleanly at the next batch).
fn ctrlc_flag(flag: Arc<std::sync::atomic::AtomicBool>) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    std::thread::Builder::new()
        .name("ctrl-c".into())
        .spawn(move || {
            rt.block_on(async {
                if tokio::signal::ctrl_c().await.is_ok() {
                    eprintln!("cancelling at the next batch (Ctrl-C again to kill)");
                    flag.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            });
        })?;
    Ok(())
}

fn sessions(ctx: &Context, new: Option<&str>) -> Result<ExitCode, String> {
    let mut store = ctx.open_store()?;
    if let Some(name) = new {
        let kind = if ctx.profile.kind == DeploymentKind::Lab {
            "lab"
        } else {
            "production"
        };
        let s = store
            .create_session(name, kind, None, &ctx.operator)
            .map_err(|e| e.to_string())?;
        println!("created session {} ({})", s.name, s.deployment);
        return Ok(ExitCode::SUCCESS);
    }
    for s in store.sessions().map_err(|e| e.to_string())? {
        let recs = store.item_records(s.id).map_err(|e| e.to_string())?;
        let done = recs
            .values()
            .filter(|r| matches!(r.state, ItemState::Done | ItemState::Skipped))
            .count();
        println!(
            "{:<20} {:<10} {:>3}/{} done   last opened {}",
            s.name,
            s.deployment,
            done,
            ctx.runbook.items().count(),
            s.last_opened_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_runbook(ctx: &Context, stage: Option<&str>) -> Result<ExitCode, String> {
    let values = ctx.runbook_placeholders();
    let stages: Vec<_> = ctx
        .runbook
        .stages
        .iter()
        .chain(std::iter::once(&ctx.runbook.rollback))
        .filter(|s| stage.is_none_or(|id| s.id == id))
        .collect();
    if stages.is_empty() {
        return Err(format!(
            "no stage \"{}\"; stages: {}",
            stage.unwrap_or(""),
            ctx.runbook
                .stages
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for s in stages {
        println!("== {} {} ==", s.number, s.title);
        for it in &s.items {
            let num = it
                .checklist
                .map_or_else(|| "--".into(), |n| format!("{n:>2}"));
            println!("[{num}] {} ({})", it.title, it.id);
            for line in crate::runbook::render_cmdlets(it, &values)
                .map_err(|e| format!("{}: {e}", it.id))?
            {
                println!("      {line}");
            }
        }
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

/// `pchat-migrate i18n check`: exit 0 when every language is complete, 1 otherwise.
fn i18n_check(json: bool) -> Result<ExitCode, String> {
    let reports = crate::tui::language_check::check_all()?;
    let complete = reports.iter().all(crate::i18n::LanguageReport::complete);
    if json {
        let value = serde_json::json!({ "complete": complete, "languages": reports });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?
        );
    } else {
        for r in &reports {
            if r.complete() {
                println!("{}: complete", r.lang);
                continue;
            }
            println!("{}: incomplete", r.lang);
            for (what, ids) in [
                ("missing message", &r.missing_messages),
                ("unknown message", &r.unknown_messages),
                ("variables differ from English", &r.variable_mismatches),
                ("error", &r.errors),
            ] {
                for id in ids {
                    println!("  {what}: {id}");
                }
            }
            for g in &r.missing_runbook {
                println!(
                    "  runbook {} {}: {} (English shown)",
                    g.file,
                    g.id,
                    g.fields.join(", ")
                );
            }
            for g in &r.missing_troubleshoot {
                println!(
                    "  troubleshoot {}: {} (English shown)",
                    g.id,
                    g.fields.join(", ")
                );
            }
            for g in r.english_on_screen.iter().chain(&r.broken_borders) {
                println!(
                    "  screen {} at {}, row {}: {} ({} views)\n      {}",
                    g.view, g.size, g.row, g.problem, g.views, g.text
                );
            }
        }
    }
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn troubleshoot(
    ctx: &Context,
    session: Option<&str>,
    lang: &str,
    action: crate::troubleshoot::command::TroubleshootAction,
) -> Result<ExitCode, String> {
    let open = || {
        let mut store = ctx.open_store()?;
        let s = ctx.session(&mut store, session)?;
        Ok((store, s))
    };
    crate::troubleshoot::command::run(
        action,
        crate::troubleshoot::command::CommandEnv {
            lang,
            placeholders: ctx.profile.placeholders(&ctx.work_dir()),
            inputs: crate::troubleshoot::runner::RunnerInputs {
                snapshot: None,
                profile: ctx.profile.clone(),
                data_dir: Some(ctx.paths.data_dir.clone()),
                job_env: ctx.job_env(),
            },
            open_session: &open,
            operator: &ctx.operator,
        },
    )
}

fn audit(
    ctx: &Context,
    session_name: Option<&str>,
    action: AuditAction,
) -> Result<ExitCode, String> {
    let (store, session) = ctx.read_session(session_name)?;
    match action {
        AuditAction::List => {
            for e in store.audit(session.id).map_err(|e| e.to_string())? {
                println!(
                    "{:>5} {} {:<12} {:<20} {:<24} {} → {} {}",
                    e.id,
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    e.who,
                    e.kind,
                    e.item_id.unwrap_or_default(),
                    e.old.unwrap_or_default(),
                    e.new.unwrap_or_default(),
                    e.detail.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditAction::Verify => match store.verify_audit(session.id) {
            Ok(()) => {
                println!("audit trail intact");
                Ok(ExitCode::SUCCESS)
            }
            Err(b) => {
                println!("audit trail BROKEN at event {}: {}", b.id, b.reason);
                Ok(ExitCode::from(1))
            }
        },
    }
}

fn status(
    ctx: &Context,
    json: bool,
    once: bool,
    interval: u64,
    timeout: u64,
) -> Result<ExitCode, String> {
    use crate::monitor::{self, MonitorConfig, status as st};
    // The flags set interval and timeout; config.toml adds the internal CA.
    let cfg = MonitorConfig {
        interval: std::time::Duration::from_secs(interval.max(1)),
        timeout: std::time::Duration::from_secs(timeout.max(1)),
        ..ctx
            .config
            .monitor(ctx.profile.kind == DeploymentKind::Lab)?
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let profile = ctx.profile.clone();
    let lab_dir = ctx.paths.lab_dir.clone();
    rt.block_on(async move {
        if once {
            let report = st::status_once(&profile, &lab_dir, cfg).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", st::render_text(&report.snapshot));
                print!("{}", st::render_items(&report.probe_items));
            }
            return Ok(if report.all_up() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        let (lab, resolver, cfg) = st::prepare(&profile, &lab_dir, cfg).await?;
        let targets = monitor::targets_from_profile(&profile);
        let (handle, mut snaps, mut changes) = monitor::Monitor::spawn(targets, cfg, resolver);
        eprintln!("probing every {interval} s; Ctrl-C to stop");
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                Some(c) = changes.recv() => {
                    if !json {
                        println!("{}", monitor::audit_detail(&c));
                    }
                }
                r = snaps.changed() => {
                    if r.is_err() {
                        break;
                    }
                    let s = snaps.borrow_and_update().clone();
                    if json {
                        println!("{}", serde_json::to_string(&*s).map_err(|e| e.to_string())?);
                    } else {
                        print!("{}", st::render_text(&s));
                    }
                }
            }
        }
        handle.stop().await;
        if let Some(lab) = lab {
            lab.shutdown().await;
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn topology(action: TopologyAction) -> Result<ExitCode, String> {
    let TopologyAction::Import {
        file,
        merge_into,
        json,
    } = action;
    let out = crate::deployment::topology::import_command(&file, merge_into.as_deref(), json)?;
    print!("{}", crate::safe_text::escape_multiline(&out));
    Ok(ExitCode::SUCCESS)
}

fn report(
    ctx: &Context,
    session_name: Option<&str>,
    format: ReportFormat,
    out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let (store, session) = ctx.read_session(session_name)?;
    let r = crate::report::build(&store, session.id, &ctx.runbook, &ctx.profile)
        .map_err(|e| e.to_string())?;
    let text = match format {
        ReportFormat::Md => crate::report::markdown(&r),
        ReportFormat::Html => crate::report::html(&r),
    };
    match &out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    if r.audit.intact {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("pchat-migrate: {}", r.audit.verdict());
        Ok(ExitCode::from(1))
    }
}

fn diagnostics(
    ctx: &Context,
    session_name: Option<&str>,
    out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    // Read-only where possible: an existing session is read without writing (no lab/production
    // check either, since the profile may be the broken part).
    let existing = match ctx.paths.state_db.exists() {
        true => {
            let store = Store::open_read_only(&ctx.paths.state_db).map_err(|e| e.to_string())?;
            let found = match session_name {
                Some(n) => store.session(n).map_err(|e| e.to_string())?,
                None => store.last_session().map_err(|e| e.to_string())?,
            };
            found.map(|s| (store, s))
        }
        false => None,
    };
    let (store, session) = match existing {
        Some(pair) => pair,
        None => {
            let mut store = ctx.open_store()?;
            let session = ctx.session(&mut store, session_name)?;
            (store, session)
        }
    };
    let out = out.unwrap_or_else(|| {
        let safe: String = session
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        ctx.paths.data_dir.join(format!(
            "diagnostics-{safe}-{}.zip",
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        ))
    });
    let s = crate::diagnostics::collect(
        &ctx.paths,
        &store,
        session.id,
        ctx.profile_path.as_deref(),
        &out,
    )
    .map_err(|e| e.to_string())?;
    for w in &s.warnings {
        eprintln!("note: {w}");
    }
    if !s.removed_keys.is_empty() {
        eprintln!("removed from the profile: {}", s.removed_keys.join(", "));
    }
    println!("{}", s.out.display());
    Ok(ExitCode::SUCCESS)
}
