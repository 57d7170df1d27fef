//! The command line's clap definitions: global flags, commands and their actions. What a
//! command does lives in the module of its group.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::tui::theme::ThemeName;

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
    pub(super) fn is_read_only(&self) -> bool {
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

    /// Commands that just print: output piped into `head` closes early, and they exit
    /// quietly on SIGPIPE. (The wizard, the monitor and the jobs talk to sockets and child
    /// processes, where a closed peer must be an error, not a kill.)
    pub(super) fn prints_only(&self) -> bool {
        use crate::troubleshoot::command::TroubleshootAction;
        matches!(
            self,
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
                    action: TroubleshootAction::Match { .. }
                        | TroubleshootAction::Events { .. }
                        | TroubleshootAction::List { .. }
                }
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
