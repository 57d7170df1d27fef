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
use crate::deployment::{DeploymentKind, Profile};
use crate::jobs::runner::StderrReporter;
use crate::jobs::{self, JobEnv, JobKind, JobOutcome};
use crate::paths::Paths;
use crate::runbook::Runbook;
use crate::store::{Evidence, ItemState, Session, Store};
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
    },
    /// Import the package into the Persistent Chat database (Import-CsPersistentChatData).
    Import {
        /// Preview only: report what would be imported and every warning, write nothing.
        #[arg(long)]
        what_if: bool,
        /// Print the result as JSON on stdout.
        #[arg(long)]
        json: bool,
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
    /// Print where state, logs and the lab live.
    Paths,
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
    runbook: Arc<Runbook>,
}

impl Context {
    fn work_dir(&self) -> String {
        match self.profile.kind {
            DeploymentKind::Lab => self.paths.lab_dir.join("exports").display().to_string(),
            DeploymentKind::Production => self.profile.migration.work_dir.clone(),
        }
    }

    fn job_env(&self) -> Result<JobEnv, String> {
        match self.profile.kind {
            DeploymentKind::Lab => Ok(JobEnv::lab(self.profile.clone(), &self.paths.lab_dir)),
            DeploymentKind::Production => Err(
                "This profile is a production deployment. Running the cmdlets through PowerShell \
                 is not built yet: run the cmdlet lines shown in each item on the Lync server, \
                 then tick the item and attach the output in its notes."
                    .to_string(),
            ),
        }
    }

    fn open_store(&self) -> Result<Store, String> {
        Store::open(&self.paths.state_db).map_err(|e| e.to_string())
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

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = color_eyre::install();
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("pchat-migrate: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let paths = Paths::resolve(cli.data_dir.as_deref())?;
    paths.create()?;
    let _log_guard = crate::logging::init(&paths.logs_dir);
    let config = Config::load(&paths.config_file)?;
    if let Some(lang) = &config.lang {
        crate::i18n::set_language(lang);
    }
    let operator = config::operator_name(cli.operator.as_deref(), &config);
    let profile = match &cli.profile {
        Some(p) => Profile::load(p).map_err(|e| e.to_string())?,
        None => Profile::lab(),
    };
    let runbook = Arc::new(Runbook::embedded().map_err(|e| e.to_string())?);
    let ctx = Context {
        paths,
        config,
        operator,
        profile,
        profile_path: cli.profile.clone(),
        runbook,
    };
    tracing::info!(operator = %ctx.operator, "pchat-migrate {} starting", env!("CARGO_PKG_VERSION"));
    match cli.command.unwrap_or(Command::Wizard) {
        Command::Wizard => wizard(&ctx, &cli_view(cli.session, cli.theme, cli.no_mouse)),
        Command::Lab { action } => lab(&ctx, action),
        Command::Export { json } => {
            headless_job(&ctx, cli.session.as_deref(), JobKind::Export, json, None)
        }
        Command::Import { what_if, json } => {
            let kind = if what_if {
                JobKind::ImportWhatIf
            } else {
                JobKind::Import
            };
            headless_job(&ctx, cli.session.as_deref(), kind, json, None)
        }
        Command::Inspect { file, target, json } => inspect(&file, target.as_deref(), json),
        Command::Bench(args) => crate::bench::run(&args, Some(&ctx.paths.data_dir)),
        Command::Verify { json, out } => {
            headless_job(&ctx, cli.session.as_deref(), JobKind::Verify, json, out)
        }
        Command::Sessions { new } => sessions(&ctx, new.as_deref()),
        Command::Runbook { stage } => print_runbook(&ctx, stage.as_deref()),
        Command::Audit { action } => audit(&ctx, cli.session.as_deref(), action),
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

struct ViewOptions {
    session: Option<String>,
    theme: Option<ThemeName>,
    no_mouse: bool,
}

fn cli_view(session: Option<String>, theme: Option<ThemeName>, no_mouse: bool) -> ViewOptions {
    ViewOptions {
        session,
        theme,
        no_mouse,
    }
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
        placeholders: ctx.profile.placeholders(&ctx.work_dir()),
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
) -> Result<ExitCode, String> {
    let env = ctx.job_env()?;
    ensure_lab(ctx)?;
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, session_name)?;
    let item = ctx
        .runbook
        .items()
        .find(|it| it.job == Some(kind))
        .map(|it| it.id.clone())
        .ok_or_else(|| format!("the runbook has no item for the {} job", kind.label()))?;
    if kind == JobKind::Import && !whatif_passed(&store, &session, &ctx.runbook)? {
        return Err("run the -WhatIf preview first: pchat-migrate import --what-if".into());
    }
    let run = store
        .job_started(session.id, &item, kind.key(), None, &ctx.operator)
        .map_err(|e| e.to_string())?;
    let reporter = StderrReporter::new(json);
    let cancel = reporter.cancel.clone();
    // Ctrl-C asks the job to stop at its next batch; a second Ctrl-C kills as usual.
    let _ = ctrlc_flag(cancel);
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
                print!("{}", i.to_text());
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
            eprintln!("pchat-migrate: inspect failed: {e}");
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

fn whatif_passed(store: &Store, session: &Session, runbook: &Runbook) -> Result<bool, String> {
    let latest = |kind: JobKind| -> Result<Option<(chrono::DateTime<chrono::Utc>, bool)>, String> {
        let Some(item) = runbook.items().find(|it| it.job == Some(kind)) else {
            return Ok(None);
        };
        let ev = store
            .evidence(session.id, &item.id)
            .map_err(|e| e.to_string())?;
        Ok(ev.first().map(|e| (e.at, e.evidence.passed == Some(true))))
    };
    Ok(
        match (latest(JobKind::ImportWhatIf)?, latest(JobKind::Export)?) {
            (Some((w, true)), Some((e, _))) => w >= e,
            (Some((_, true)), None) => true,
            _ => false,
        },
    )
}

/// Records a headless job's result in the session exactly as the wizard does: the job run,
/// the evidence, and the item's new state.
fn record_result(
    store: &mut Store,
    session: &Session,
    item: &str,
    run_id: i64,
    kind: JobKind,
    result: &Result<JobOutcome, jobs::JobError>,
    who: &str,
) -> Result<ExitCode, String> {
    let e = |e: crate::store::StoreError| e.to_string();
    match result {
        Ok(o) => {
            store
                .job_finished(
                    run_id,
                    if o.passed { "succeeded" } else { "failed" },
                    &o.summary,
                )
                .map_err(e)?;
            let ev = Evidence {
                source: format!("{} job", kind.label()),
                summary: o.summary.clone(),
                passed: Some(o.passed),
                detail: serde_json::to_value(o).unwrap_or_default(),
            };
            store.add_evidence(session.id, item, &ev, who).map_err(e)?;
            let (state, reason) = if o.passed {
                (ItemState::Done, None)
            } else {
                (ItemState::Failed, Some(o.summary.as_str()))
            };
            store
                .set_item_state(session.id, item, state, reason, who)
                .map_err(e)?;
            Ok(if o.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(jobs::JobError::Cancelled) => {
            store
                .job_finished(run_id, "cancelled", "cancelled")
                .map_err(e)?;
            Ok(ExitCode::from(1))
        }
        Err(err) => {
            let msg = err.to_string();
            store.job_finished(run_id, "failed", &msg).map_err(e)?;
            let ev = Evidence {
                source: format!("{} job", kind.label()),
                summary: msg.clone(),
                passed: Some(false),
                detail: serde_json::json!({ "error": msg }),
            };
            store.add_evidence(session.id, item, &ev, who).map_err(e)?;
            store
                .set_item_state(session.id, item, ItemState::Failed, Some(&msg), who)
                .map_err(e)?;
            Ok(ExitCode::from(if matches!(err, jobs::JobError::Setup(_)) {
                2
            } else {
                1
            }))
        }
    }
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
    let values = ctx.profile.placeholders(&ctx.work_dir());
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

fn audit(
    ctx: &Context,
    session_name: Option<&str>,
    action: AuditAction,
) -> Result<ExitCode, String> {
    let mut store = ctx.open_store()?;
    let session = ctx.session(&mut store, session_name)?;
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
