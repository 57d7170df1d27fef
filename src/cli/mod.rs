//! The command line: the wizard (no subcommand) and the headless commands, which run the
//! same jobs as the wizard and record their results in the same session.
//!
//! Exit codes: 0 success; 1 the job ran and found a problem (verify differences) or failed;
//! 2 bad input or set-up (missing lab, bad profile, unknown session).
//!
//! One module per command group: `args` (the clap definitions), `context` (what every
//! command needs, and its session), `wizard` (the launch), `jobs` (export, import, verify,
//! inspect), `lab`, `production` (script, probe), `troubleshoot`, `status` (status,
//! topology), and `readouts` (report, diagnostics, audit, sessions, runbook, i18n, paths).

mod args;
mod context;
mod jobs;
mod lab;
mod production;
mod readouts;
mod status;
mod troubleshoot;
mod wizard;

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

pub use args::{AuditAction, Cli, Command, I18nAction, LabAction, ReportFormat, TopologyAction};

use crate::config::{self, Config};
use crate::deployment::Profile;
use crate::exec::ExecutorConfig;
use crate::jobs::JobKind;
use crate::paths::Paths;
use crate::runbook::Runbook;
use context::{Context, load_profile};

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
    // Only for commands that just print (see `Command::prints_only`).
    if cli.command.as_ref().is_some_and(Command::prints_only) {
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

/// Resolves the context and runs the command; an `Err` is printed and exits 2.
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
        Command::Wizard => wizard::wizard(
            &ctx,
            &wizard::ViewOptions {
                session: cli.session,
                theme: cli.theme,
                no_mouse: cli.no_mouse,
            },
        ),
        Command::Lab { action } => lab::lab(&ctx, action),
        Command::Export { json, confirm } => jobs::headless_job(
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
        } => jobs::import(
            &ctx,
            cli.session.as_deref(),
            what_if,
            accept_warnings,
            accept_losses,
            json,
            confirm,
        ),
        Command::Inspect { file, target, json } => jobs::inspect(&file, target.as_deref(), json),
        Command::Bench(args) => crate::bench::run(&args, Some(&ctx.paths.data_dir)),
        Command::Verify { json, out } => jobs::headless_job(
            &ctx,
            cli.session.as_deref(),
            JobKind::Verify,
            json,
            out,
            None,
        ),
        Command::Script { task, out } => production::script_command(&ctx, &task, out.as_deref()),
        Command::Probe { task, out, json } => {
            production::probe_command(&ctx, cli.session.as_deref(), &task, out.as_deref(), json)
        }
        Command::Sessions { new } => readouts::sessions(&ctx, new.as_deref()),
        Command::Runbook { stage } => readouts::print_runbook(&ctx, stage.as_deref()),
        Command::Audit { action } => readouts::audit(&ctx, cli.session.as_deref(), action),
        Command::Status {
            json,
            once,
            interval,
            timeout,
        } => status::status(&ctx, json, once, interval, timeout),
        Command::Topology { action } => status::topology(action),
        Command::Troubleshoot { action } => {
            troubleshoot::troubleshoot(&ctx, cli.session.as_deref(), &lang, action)
        }
        Command::I18n {
            action: I18nAction::Check { json },
        } => readouts::i18n_check(json),
        Command::Report { format, out } => {
            readouts::report(&ctx, cli.session.as_deref(), format, out)
        }
        Command::Diagnostics { out } => readouts::diagnostics(&ctx, cli.session.as_deref(), out),
        Command::Paths => Ok(readouts::paths(&ctx)),
    }
}

/// Sets `flag` on the first Ctrl-C (headless jobs stop cleanly at the next batch).
pub(super) fn ctrlc_flag(flag: Arc<std::sync::atomic::AtomicBool>) -> std::io::Result<()> {
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
