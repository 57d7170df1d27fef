//! The scripts: which cmdlets each task runs, with which values from the profile, and the
//! PowerShell around them that frames their output.
//!
//! # Output protocol (one line each on stdout, UTF-8)
//!
//! ```text
//! @@pcm-<16 hex> BEGIN <i>/<n> <step key> run|data
//! @@pcm-<16 hex> JSON <step key> <one object, ConvertTo-Json -Depth 6 -Compress>
//! @@pcm-<16 hex> ERROR {"step":…,"category":…,"fqid":…,"exception":…,"message":…,"target":…}
//! @@pcm-<16 hex> END <i>/<n> <step key>
//! @@pcm-<16 hex> DONE
//! ```
//!
//! Every other line (verbose, warning, host and `-WhatIf` output) is a log line. The marker
//! is derived from a hash of the script's plan, so the script shown before the run is the
//! script that runs, and data read from the deployment cannot forge a marker line (a JSON
//! line is a single line with escaped content).
//!
//! # Shape of a script
//!
//! The cmdlets run inside a script block (`$pcmInner`). For `remote = "none"` it runs in
//! place; otherwise `Invoke-Command -ComputerName … -Credential $pcmCred` (WinRM) or
//! `Invoke-Command -HostName … -UserName …` (SSH) runs it on the server, where the Lync
//! module lives, and objects come back deserialized. The block uses only PowerShell 2.0
//! language (a Lync 2013 server on Windows Server 2008 R2 may not have more); the JSON
//! conversion and all framing run in the local PowerShell (5.1 or 7), which classifies
//! every record of every stream (`*>&1`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::cmdlet::{CmdletCall, ParamValue};
use super::config::{ExecutorConfig, Remote};
use super::credential::{self, CredentialNeed};
use super::quote::{self, literal};
use super::{ExecError, Redactor};
use crate::executor::{JobEnv, JobKind};

/// Everything the executor can run. The first four are the wizard's jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// `Export-CsPersistentChatData` from the legacy database (Stage 5).
    Export,
    /// `Import-CsPersistentChatData -WhatIf` (Stage 6).
    ImportWhatIf,
    /// `Import-CsPersistentChatData` for real (Stage 6).
    Import,
    /// Read-only probes of the new pool, and the synthetic message test (Stage 9).
    Verify,
    /// `Get-CsTopology -AsXml`, for the topology import.
    Topology,
    /// `Get-CsService -PersistentChatServer` and `Get-CsWindowsService` on every PChat server.
    Services,
    /// `Stop-CsWindowsService` on every PChat server (Stage 4).
    StopServices,
    /// `Start-CsWindowsService` on every PChat server (Stage 9).
    StartServices,
    /// `New-CsPersistentChatEndpoint` with the legacy Lookup Server URI (Stage 8).
    LegacyEndpoint,
    /// `Test-CsPersistentChatMessage` alone.
    TestMessage,
    /// Verify, level 2: read-only SqlClient reads of the rows the verifier compares, from the
    /// legacy and the `mgc` database (run by the verify job before its cmdlet checks).
    VerifyRows,
    /// Read-only: `Get-WinEvent` on every Persistent Chat and legacy Group Chat server for
    /// the last hours ([`TaskOptions::events_hours`]), grouped on the server.
    Events,
    /// Read-only: one check cmdlet of the troubleshooting catalog ([`TaskOptions::check`]).
    Check,
}

/// The cmdlets a troubleshooting check may run through the executor: read-only `Get-` and
/// `Test-` cmdlets of the catalog, and nothing else.
pub const CHECK_CMDLETS: [&str; 15] = [
    "Get-CsUser",
    "Get-CsPersistentChatPolicy",
    "Get-CsPersistentChatRoom",
    "Get-CsPersistentChatCategory",
    "Get-CsPersistentChatEndpoint",
    "Get-CsPersistentChatConfiguration",
    "Get-CsPersistentChatState",
    "Get-CsWindowsService",
    "Get-CsService",
    "Get-CsRegistrarConfiguration",
    "Get-CsCertificate",
    "Get-CsAdminRoleAssignment",
    "Get-CsPersistentChatAddin",
    "Test-CsTopology",
    "Test-CsDatabase",
];

/// A catalog check line, typed: the cmdlet (one of [`CHECK_CMDLETS`]) with its parameters
/// as quoted values, an optional `| ? Property` filter and an optional
/// `| select A,B` projection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckCall {
    /// The cmdlet and its parameters.
    pub call: CmdletCall,
    /// `| ? Property`: keep objects whose property is true.
    pub filter: Option<String>,
    /// `| select A,B`: the properties kept (as strings).
    pub select: Vec<String>,
}

fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            None => cur.push(c),
        }
    }
    if quote.is_some() {
        return Err("an unclosed quote".into());
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

impl CheckCall {
    /// Parses one filled-in catalog line: `Verb-Noun -Param value -Switch … [| ? Prop]
    /// [| select A,B]`. Values become single-quoted literals when rendered; nothing in the
    /// line is run as code.
    ///
    /// # Errors
    /// Why the line is not a read-only check the executor runs (another cmdlet, a variable,
    /// a script block, an unknown pipeline stage).
    pub fn parse(line: &str) -> Result<CheckCall, String> {
        let mut stages = line.split('|');
        let head = split_words(stages.next().unwrap_or(""))?;
        let Some((name, args)) = head.split_first() else {
            return Err("an empty line".into());
        };
        let name = CHECK_CMDLETS
            .iter()
            .find(|c| c.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("{name} is not one of the read-only cmdlets checks run"))?;
        let mut call = CmdletCall::new(name);
        let mut i = 0;
        while i < args.len() {
            let p = args[i]
                .strip_prefix('-')
                .filter(|p| quote::is_plain_name(p))
                .ok_or_else(|| format!("{:?} is not a parameter", args[i]))?;
            match args.get(i + 1) {
                Some(v) if !v.starts_with('-') => {
                    if v.contains('$') || v.contains('{') || v.contains('(') {
                        return Err(format!("the value of -{p} is not a plain value"));
                    }
                    call = call.arg(p, v.clone());
                    i += 2;
                }
                _ => {
                    call = call.switch(p);
                    i += 1;
                }
            }
        }
        let mut filter = None;
        let mut select = Vec::new();
        for stage in stages {
            let w = split_words(stage)?;
            match w.as_slice() {
                [q, prop]
                    if (q == "?" || q.eq_ignore_ascii_case("Where-Object"))
                        && quote::is_plain_name(prop) =>
                {
                    filter = Some(prop.clone());
                }
                [sel, props]
                    if sel.eq_ignore_ascii_case("select")
                        || sel.eq_ignore_ascii_case("Select-Object") =>
                {
                    for p in props.split(',') {
                        if !quote::is_plain_name(p) {
                            return Err(format!("{p:?} is not a property name"));
                        }
                        select.push(p.to_string());
                    }
                }
                _ => {
                    return Err(format!(
                        "the pipeline stage {:?} is not one checks run",
                        stage.trim()
                    ));
                }
            }
        }
        Ok(CheckCall {
            call,
            filter,
            select,
        })
    }
}

/// Options of a task beyond the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskOptions {
    /// [`Task::Events`]: how many hours back to read (1 to 720).
    pub events_hours: u32,
    /// [`Task::Check`]: the check to run.
    pub check: Option<CheckCall>,
}

impl Default for TaskOptions {
    fn default() -> Self {
        TaskOptions {
            events_hours: 24,
            check: None,
        }
    }
}

/// The logs the events task reads: the Lync Server log (2010 and 2013), the log of Office
/// Communications Server 2007 R2, and the Application log (Group Chat's `OCS MGC` source,
/// SQL Server and Message Queuing), and the System log for the service control manager.
pub const EVENT_LOGS: [&str; 4] = [
    "Lync Server",
    "Office Communications Server",
    "Application",
    "System",
];

impl Task {
    /// Every task that renders from the profile alone, in migration order.
    /// (Not [`Task::Check`]: it runs one catalog line and has no script of its own to
    /// review.)
    pub const ALL: [Task; 12] = [
        Task::Topology,
        Task::Services,
        Task::StopServices,
        Task::Export,
        Task::ImportWhatIf,
        Task::Import,
        Task::LegacyEndpoint,
        Task::StartServices,
        Task::VerifyRows,
        Task::Verify,
        Task::TestMessage,
        Task::Events,
    ];

    /// The key used on the command line and in file names.
    pub fn key(self) -> &'static str {
        match self {
            Task::Export => "export",
            Task::ImportWhatIf => "import-whatif",
            Task::Import => "import",
            Task::Verify => "verify",
            Task::Topology => "topology",
            Task::Services => "services",
            Task::StopServices => "stop-services",
            Task::StartServices => "start-services",
            Task::LegacyEndpoint => "legacy-endpoint",
            Task::TestMessage => "test-message",
            Task::VerifyRows => "verify-rows",
            Task::Events => "events",
            Task::Check => "check",
        }
    }

    /// The task for a key.
    pub fn from_key(key: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.key() == key)
    }

    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Task::Export => "Export",
            Task::ImportWhatIf => "Import (-WhatIf)",
            Task::Import => "Import",
            Task::Verify => "Verify",
            Task::Topology => "Read the topology",
            Task::Services => "Service status",
            Task::StopServices => "Stop the Persistent Chat services",
            Task::StartServices => "Start the Persistent Chat services",
            Task::LegacyEndpoint => "Create the legacy endpoint",
            Task::TestMessage => "Synthetic message test",
            Task::VerifyRows => "Read the compared rows from both databases",
            Task::Events => "Read the event logs (Get-WinEvent)",
            Task::Check => "Troubleshooting check (read-only cmdlet)",
        }
    }

    /// The wizard job this task is, if any.
    pub fn job(self) -> Option<JobKind> {
        match self {
            Task::Export => Some(JobKind::Export),
            Task::ImportWhatIf => Some(JobKind::ImportWhatIf),
            Task::Import => Some(JobKind::Import),
            Task::Verify => Some(JobKind::Verify),
            _ => None,
        }
    }
}

impl From<JobKind> for Task {
    fn from(k: JobKind) -> Task {
        match k {
            JobKind::Export => Task::Export,
            JobKind::ImportWhatIf => Task::ImportWhatIf,
            JobKind::Import => Task::Import,
            JobKind::Verify => Task::Verify,
        }
    }
}

/// A check the script makes before a step that changes something; a failed guard stops the
/// script with a `pcm-guard:` error.
#[derive(Clone, Debug, Serialize)]
pub enum Guard {
    /// Every Lync service on the computer is Stopped (the import needs all PChat services
    /// stopped; migration.md Stage 4).
    ServicesStopped(String),
    /// The pool's state is Normal, not FailedOver (the import must hit the current primary;
    /// migration.md §4, inferred).
    PoolStateNormal(String),
    /// No user holds the Lookup Server URI any more (migration.md Stage 8).
    LookupUserAbsent(String),
    /// The test user's credential is registered with `Set-CsTestUserCredential`, which
    /// `Test-CsPersistentChatMessage` without `-SenderCredential`/`-ReceiverCredential` needs
    /// (PS/Test-CsPersistentChatMessage, PS/Set-CsTestUserCredential).
    TestUserRegistered(String),
}

/// What the events step of one server reads.
#[derive(Clone, Debug, Serialize)]
pub struct EventsPull {
    /// The server.
    pub computer: String,
    /// Hours back.
    pub hours: u32,
    /// True for the first server's step, which defines the helper function the others call
    /// (one definition keeps the script within a Windows command line).
    pub define: bool,
}

/// One read of [`Body::SqlRows`].
#[derive(Clone, Debug, Serialize)]
pub struct SqlRead {
    /// What the header names it (`legacy.tblNode`: `crate::chatdata::mirror::MirrorQuery::label`).
    pub label: String,
    /// `server\instance` (or `server`).
    pub instance: String,
    /// The database.
    pub database: String,
    /// The query (`crate::chatdata::mirror::queries`).
    pub sql: String,
}

/// What a step runs.
#[derive(Clone, Debug, Serialize)]
pub enum Body {
    /// A cmdlet; its output objects are logged (run steps) or returned as JSON (data steps).
    Call(CmdletCall),
    /// A cmdlet whose objects are projected to these properties, each as a string (so
    /// enums read the same from Windows PowerShell 5.1 and 7, local or deserialized).
    Select(CmdletCall, &'static [&'static str]),
    /// A guard.
    Guard(Guard),
    /// Read-only queries on SQL Server instances (Windows authentication, read-only intent,
    /// through .NET's SqlClient): for each, a header line naming it and its columns, then each
    /// row as one JSON array string, so the rows stream through the output without being
    /// collected on either side.
    SqlRows(Vec<SqlRead>),
    /// Read-only event log pull of one server, grouped by provider and event ID.
    Events(EventsPull),
    /// A troubleshooting check cmdlet.
    Check(CheckCall),
}

/// One step of a script.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// Key in marker lines (`[a-z0-9-]`, ours, never from the profile).
    pub key: String,
    /// Label for the log and the screen (may name a server).
    pub label: String,
    /// True when the output objects are data (JSON lines).
    pub data: bool,
    /// True when an error ends the script; false for probes that let the others run.
    pub stop_on_error: bool,
    /// What it runs.
    pub body: Body,
}

impl Step {
    fn run(key: &str, label: impl Into<String>, call: CmdletCall) -> Step {
        Step {
            key: key.into(),
            label: label.into(),
            data: false,
            stop_on_error: true,
            body: Body::Call(call),
        }
    }

    fn probe(key: &str, label: impl Into<String>, body: Body) -> Step {
        Step {
            key: key.into(),
            label: label.into(),
            data: true,
            stop_on_error: false,
            body,
        }
    }

    fn guard(key: &str, label: impl Into<String>, g: Guard) -> Step {
        Step {
            key: key.into(),
            label: label.into(),
            data: false,
            stop_on_error: true,
            body: Body::Guard(g),
        }
    }
}

/// A step as the screen lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepInfo {
    /// Marker key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Returns data.
    pub data: bool,
    /// Stops the script on error.
    pub stop_on_error: bool,
}

/// A rendered script.
#[derive(Clone, Debug, Serialize)]
pub struct Script {
    /// The task.
    pub task: Task,
    /// Exactly what runs (the `-EncodedCommand` payload, decoded).
    pub text: String,
    /// The same with secrets redacted: what the screen, the dry-run file and the log show.
    pub display: String,
    /// True when the script changes the deployment (import, service stop/start, endpoint,
    /// an export with `-DisableExportedNodes`): ask for [`Script::confirm_word`] first.
    pub changes_deployment: bool,
    /// The word to type to confirm, when `changes_deployment`.
    pub confirm_word: Option<String>,
    /// The steps, in order.
    pub steps: Vec<StepInfo>,
    /// The marker prefix of this script's output lines (without the trailing space).
    pub marker: String,
    /// Where it runs, for screens.
    pub runs_on: String,
    /// Notes for the admin (inferences, documented oddities that apply to this run).
    pub notes: Vec<String>,
}

impl Script {
    /// SHA-256 of [`Script::text`], hex: recorded with the run so it can be matched with the
    /// reviewed dry-run file.
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }

    /// The `-EncodedCommand` value: base64 of the UTF-16LE text.
    pub fn encoded(&self) -> String {
        use base64::Engine;
        let bytes: Vec<u8> = self
            .text
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// The shell's arguments (the last one is the encoded script).
    pub fn args(&self) -> Vec<String> {
        vec![
            "-NoLogo".into(),
            "-NoProfile".into(),
            "-NonInteractive".into(),
            "-ExecutionPolicy".into(),
            "Bypass".into(),
            "-EncodedCommand".into(),
            self.encoded(),
        ]
    }

    /// A step's label by key.
    pub fn step_label(&self, key: &str) -> String {
        self.steps
            .iter()
            .find(|s| s.key == key)
            .map_or_else(|| key.to_string(), |s| s.label.clone())
    }
}

/// Longest command line Windows accepts is 32,767 characters; keep a margin for the shell path.
const MAX_ENCODED: usize = 32_000;

/// The key prefix of the verify's row-reading steps: `rows-<n>` reads the n-th query of
/// `crate::chatdata::mirror::queries` (1-based).
pub const ROWS_STEP: &str = "rows-";

/// The script that [`crate::jobs::run`] runs for `job`, exactly.
///
/// # Errors
/// [`ExecError::Config`] for a value the profile lacks (the message names the field),
/// [`ExecError::Quote`] for a value that cannot be quoted.
pub fn script_for(job: JobKind, env: &JobEnv, cfg: &ExecutorConfig) -> Result<Script, ExecError> {
    script_for_task(Task::from(job), env, cfg)
}

/// The script for any [`Task`].
///
/// # Errors
/// As [`script_for`].
pub fn script_for_task(
    task: Task,
    env: &JobEnv,
    cfg: &ExecutorConfig,
) -> Result<Script, ExecError> {
    script_for_task_with(task, env, cfg, &TaskOptions::default())
}

/// The script for any [`Task`] with options ([`TaskOptions`]).
///
/// # Errors
/// As [`script_for`]; [`ExecError::Config`] for options out of range.
pub fn script_for_task_with(
    task: Task,
    env: &JobEnv,
    cfg: &ExecutorConfig,
    opts: &TaskOptions,
) -> Result<Script, ExecError> {
    cfg.validate()?;
    if !(1..=720).contains(&opts.events_hours) {
        return Err(ExecError::Config(format!(
            "events: {} hours is out of range; read 1 to 720 hours (30 days)",
            opts.events_hours
        )));
    }
    let v = Values::new(env)?;
    let plan = plan(task, &v, cfg, opts)?;
    let marker = marker_for(task, &plan, cfg);
    let text = render(task, &plan, cfg, &marker)?;
    let encoded_len = text.encode_utf16().count() * 2 / 3 * 4 + 4;
    if encoded_len > MAX_ENCODED {
        return Err(ExecError::Config(format!(
            "the {} script is too long for a Windows command line ({} characters encoded); fewer servers per run, or run it from the dry-run file",
            task.key(),
            encoded_len
        )));
    }
    let redactor = Redactor::new(env.credential.iter().map(|c| &c.password));
    let display = redactor.apply(&text).into_owned();
    Ok(Script {
        task,
        display,
        text,
        changes_deployment: plan.changes_deployment,
        confirm_word: plan.confirm_word.map(str::to_string),
        steps: plan
            .steps
            .iter()
            .map(|s| StepInfo {
                key: s.key.clone(),
                label: s.label.clone(),
                data: s.data,
                stop_on_error: s.stop_on_error,
            })
            .collect(),
        marker,
        runs_on: cfg.runs_on(),
        notes: plan.notes,
    })
}

/// Writes each script's [`Script::display`] to `<dir>/<task>.ps1` (UTF-8 with a byte-order
/// mark, so Windows PowerShell 5.1 reads it right) and returns the paths.
///
/// # Errors
/// [`ExecError::Io`] naming the file.
pub fn write_dry_run(dir: &Path, scripts: &[Script]) -> Result<Vec<PathBuf>, ExecError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| ExecError::Io(format!("cannot create {}: {e}", dir.display())))?;
    let mut out = Vec::new();
    for s in scripts {
        let path = dir.join(format!("{}.ps1", s.task.key()));
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(s.display.as_bytes());
        std::fs::write(&path, bytes)
            .map_err(|e| ExecError::Io(format!("cannot write {}: {e}", path.display())))?;
        out.push(path);
    }
    Ok(out)
}

// ---- values from the profile ----------------------------------------------------------------

/// The profile's values, as the runbook's placeholders name them.
struct Values {
    ph: BTreeMap<String, Vec<String>>,
    env: JobEnv,
}

impl Values {
    fn new(env: &JobEnv) -> Result<Values, ExecError> {
        let work_dir = env.profile.migration.work_dir.trim();
        if work_dir.is_empty() {
            return Err(ExecError::Config(
                "profile: [migration] work_dir is empty; set it to a folder on the server where the cmdlets write the package and reports, e.g. 'C:\\PChatMigration'".into(),
            ));
        }
        Ok(Values {
            ph: env.profile.placeholders(work_dir),
            env: env.clone(),
        })
    }

    fn one(&self, key: &str) -> Result<String, ExecError> {
        self.ph
            .get(key)
            .and_then(|v| v.first())
            .cloned()
            .ok_or_else(|| ExecError::Config(format!("profile: {}", missing_hint(key))))
    }

    fn opt(&self, key: &str) -> Option<String> {
        self.ph.get(key).and_then(|v| v.first()).cloned()
    }

    fn many(&self, key: &str) -> Result<Vec<String>, ExecError> {
        self.ph
            .get(key)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| ExecError::Config(format!("profile: {}", missing_hint(key))))
    }
}

fn missing_hint(key: &str) -> String {
    let (what, fix) = match key {
        "legacy_sql_instance" => (
            "the legacy Group Chat pool has no sql_instance",
            "set sql_instance = 'sqlfqdn\\instance' on the [[pools]] entry of kind lync2010-groupchat or ocs2007r2-groupchat",
        ),
        "pchat_sql_instance" | "pchat_sql_fqdn" => (
            "the Persistent Chat pool has no sql_instance",
            "set sql_instance on the [[pools]] entry of kind lync2013-persistentchat",
        ),
        "pchat_pool_fqdn" => (
            "there is no Persistent Chat pool",
            "add a [[pools]] entry of kind lync2013-persistentchat",
        ),
        "pchat_server" => (
            "the Persistent Chat pool lists no servers",
            "set servers = [\"…\"] on the lync2013-persistentchat pool",
        ),
        "lookup_uri" => (
            "there is no Lookup Server URI",
            "set sip_domain or lookup_uri",
        ),
        other => (other, "add it to the profile"),
    };
    format!("{what}: {fix}")
}

// ---- plans ----------------------------------------------------------------------------------

struct Plan {
    steps: Vec<Step>,
    changes_deployment: bool,
    confirm_word: Option<&'static str>,
    notes: Vec<String>,
}

fn plan(
    task: Task,
    v: &Values,
    cfg: &ExecutorConfig,
    opts: &TaskOptions,
) -> Result<Plan, ExecError> {
    let mut steps = vec![Step::run(
        "import-module",
        format!("Import-Module {}", cfg.module.trim()),
        CmdletCall::new("Import-Module").arg("Name", cfg.module.trim()),
    )];
    let mut notes = Vec::new();
    let mut changes = false;
    let mut word = None;
    let mig = &v.env.profile.migration;
    match task {
        Task::Export => {
            let file = v.one("export_file")?;
            let mut call = CmdletCall::new("Export-CsPersistentChatData")
                .arg("DBInstance", v.one("legacy_sql_instance")?);
            if let Some(db) = v.opt("legacy_db") {
                call = call.arg("DBName", db);
                notes.push("-DBName is passed the legacy pool's database name; the reference describes it ambiguously (inferred, migration.md Stage 5).".into());
            }
            call = call
                .arg("FileName", file.clone())
                .arg("Level", export_level(&mig.export_level)?);
            if !mig.scope.is_empty() {
                call = call.param("Scope", ParamValue::List(mig.scope.clone()));
            }
            let start = mig.start_date.trim();
            if !start.is_empty() {
                let d = chrono::NaiveDate::parse_from_str(start, "%Y-%m-%d").map_err(|e| {
                    ExecError::Config(format!(
                        "profile: start_date \"{start}\" is not a date like 2010-01-01 ({e})"
                    ))
                })?;
                call = call.param("StartDate", ParamValue::Date(d));
                notes.push("-StartDate is documented as valid only with -Level RoomDirectory (migration.md §6.2); check its effect in the lab.".into());
            }
            if mig.disable_exported_nodes {
                call = call.switch("DisableExportedNodes");
                changes = true;
                word = Some("EXPORT");
                notes.push("-DisableExportedNodes disables every exported category and room in the legacy database; a rollback must re-enable them.".into());
            }
            call = call
                .arg("Report", v.one("export_report")?)
                .switch("Verbose");
            steps.push(Step::run("export", "Export-CsPersistentChatData", call));
            let mut pkg = Step::probe(
                "package",
                format!("Get-Item {file}"),
                Body::Select(
                    CmdletCall::new("Get-Item").arg("LiteralPath", file),
                    &["FullName", "Length", "LastWriteTimeUtc"],
                ),
            );
            pkg.stop_on_error = true;
            steps.push(pkg);
            steps.push(report_step(&v.one("export_report")?));
        }
        Task::ImportWhatIf | Task::Import => {
            let what_if = task == Task::ImportWhatIf;
            let pool = v.one("pchat_pool_fqdn")?;
            if what_if {
                steps.push(state_step());
                for (i, s) in v.many("pchat_server")?.iter().enumerate() {
                    steps.push(services_step(i, s));
                }
            } else {
                steps.push(Step::guard(
                    "guard-state",
                    format!("pool state of {pool} is Normal"),
                    Guard::PoolStateNormal(pool.clone()),
                ));
                for (i, s) in v.many("pchat_server")?.iter().enumerate() {
                    steps.push(Step::guard(
                        &format!("guard-services-{}", i + 1),
                        format!("services stopped on {s}"),
                        Guard::ServicesStopped(s.clone()),
                    ));
                }
                changes = true;
                word = Some("IMPORT");
            }
            let report = v.one(if what_if {
                "whatif_report"
            } else {
                "import_report"
            })?;
            let mut call = CmdletCall::new("Import-CsPersistentChatData")
                .arg("DBInstance", v.one("pchat_sql_instance")?)
                .arg("FileName", v.one("export_file")?)
                .arg("Report", report.clone());
            call = if what_if {
                call.switch("WhatIf")
            } else {
                call.param("Confirm", ParamValue::Bool(false))
            };
            call = call.switch("Verbose");
            steps.push(Step::run(
                "import",
                if what_if {
                    "Import-CsPersistentChatData -WhatIf"
                } else {
                    "Import-CsPersistentChatData"
                },
                call,
            ));
            steps.push(report_step(&report));
            notes.push("Same-named categories, rooms and add-ins already on the pool are overwritten; the cmdlet has no -ReplaceExisting (migration.md §6.1).".into());
        }
        Task::Verify => {
            let pool = v.one("pchat_pool_fqdn")?;
            steps.push(Step::probe(
                "pool",
                "Get-CsService -PersistentChatServer",
                Body::Call(CmdletCall::new("Get-CsService").switch("PersistentChatServer")),
            ));
            steps.push(state_step());
            for (i, s) in v.many("pchat_server")?.iter().enumerate() {
                steps.push(services_step(i, s));
            }
            let mut db = CmdletCall::new("Test-CsDatabase")
                .arg("DatabaseType", "PersistentChat")
                .arg("SqlServerFqdn", v.one("pchat_sql_fqdn")?);
            if let Some(inst) = v.opt("pchat_sql_instance_name") {
                db = db.arg("SqlInstanceName", inst);
            }
            steps.push(Step::probe(
                "database",
                "Test-CsDatabase -DatabaseType PersistentChat",
                Body::Call(db),
            ));
            steps.push(Step::probe(
                "categories",
                "Get-CsPersistentChatCategory",
                Body::Select(
                    CmdletCall::new("Get-CsPersistentChatCategory")
                        .arg("PersistentChatPoolFqdn", pool.clone()),
                    &["Identity", "Name"],
                ),
            ));
            steps.push(Step::probe(
                "rooms",
                "Get-CsPersistentChatRoom",
                Body::Select(
                    CmdletCall::new("Get-CsPersistentChatRoom")
                        .arg("PersistentChatPoolFqdn", pool.clone()),
                    &[
                        "Identity",
                        "Name",
                        "Category",
                        "Disabled",
                        "Privacy",
                        "Type",
                        "Invitations",
                        "Managers",
                        "Members",
                    ],
                ),
            ));
            steps.push(Step::probe(
                "addins",
                "Get-CsPersistentChatAddin",
                Body::Select(
                    CmdletCall::new("Get-CsPersistentChatAddin")
                        .arg("PersistentChatPoolFqdn", pool.clone()),
                    &["Identity", "Name", "Url"],
                ),
            ));
            steps.push(Step::probe(
                "endpoints",
                "Get-CsPersistentChatEndpoint",
                Body::Call(
                    CmdletCall::new("Get-CsPersistentChatEndpoint")
                        .arg("PersistentChatPoolFqdn", pool.clone()),
                ),
            ));
            steps.push(Step::probe(
                "policies",
                "Get-CsPersistentChatPolicy",
                Body::Select(
                    CmdletCall::new("Get-CsPersistentChatPolicy"),
                    &["Identity", "EnablePersistentChat"],
                ),
            ));
            if let Some(s) = message_test_steps(v)? {
                steps.extend(s);
            } else {
                notes.push("No Lync 2013 Front End pool in the profile: the synthetic message test is left out.".into());
            }
            notes.push("Before these checks the verify job runs the verify-rows script: it reads the rows it compares from the legacy and the mgc database on their SQL Server instances, read-only (a login with db_datareader suffices), and compares them on this computer with the lab's verifier; the room list is also compared with the export package.".into());
        }
        Task::Topology => {
            let mut s = Step::probe(
                "topology",
                "Get-CsTopology -AsXml",
                Body::Call(CmdletCall::new("Get-CsTopology").switch("AsXml")),
            );
            s.stop_on_error = true;
            steps.push(s);
        }
        Task::Services => {
            steps.push(Step::probe(
                "pool",
                "Get-CsService -PersistentChatServer",
                Body::Call(CmdletCall::new("Get-CsService").switch("PersistentChatServer")),
            ));
            for (i, s) in v.many("pchat_server")?.iter().enumerate() {
                steps.push(services_step(i, s));
            }
        }
        Task::StopServices | Task::StartServices => {
            let stop = task == Task::StopServices;
            let servers = v.many("pchat_server")?;
            for (i, s) in servers.iter().enumerate() {
                let mut call = CmdletCall::new(if stop {
                    "Stop-CsWindowsService"
                } else {
                    "Start-CsWindowsService"
                })
                .arg("ComputerName", s.clone());
                if stop && cfg.graceful_stop {
                    call = call.switch("Graceful");
                }
                call = call.switch("Verbose");
                steps.push(Step::run(
                    &format!("{}-{}", if stop { "stop" } else { "start" }, i + 1),
                    format!("{} {s}", call.name),
                    call,
                ));
            }
            for (i, s) in servers.iter().enumerate() {
                steps.push(services_step(i, s));
            }
            changes = true;
            word = Some(if stop { "STOP" } else { "START" });
        }
        Task::LegacyEndpoint => {
            let uri = v.one("lookup_uri")?;
            let pool = v.one("pchat_pool_fqdn")?;
            steps.push(Step::guard(
                "guard-lookup-user",
                format!("no user holds {uri}"),
                Guard::LookupUserAbsent(uri.clone()),
            ));
            steps.push(Step::run(
                "endpoint-new",
                "New-CsPersistentChatEndpoint",
                CmdletCall::new("New-CsPersistentChatEndpoint")
                    .arg("SipAddress", uri.clone())
                    .arg("PersistentChatPoolFqdn", pool)
                    .switch("Verbose"),
            ));
            steps.push(Step::probe(
                "endpoint",
                "Get-CsPersistentChatEndpoint",
                Body::Call(CmdletCall::new("Get-CsPersistentChatEndpoint").arg("Identity", uri)),
            ));
            changes = true;
            word = Some("ENDPOINT");
        }
        Task::Events => {
            let mut servers = v.many("pchat_server")?;
            for legacy in v.ph.get("legacy_server").cloned().unwrap_or_default() {
                if !servers.iter().any(|s| s.eq_ignore_ascii_case(&legacy)) {
                    servers.push(legacy);
                }
            }
            for (i, s) in servers.iter().enumerate() {
                steps.push(Step::probe(
                    &format!("events-{}", i + 1),
                    format!("Get-WinEvent {s} (last {} h)", opts.events_hours),
                    Body::Events(EventsPull {
                        computer: s.clone(),
                        hours: opts.events_hours,
                        define: i == 0,
                    }),
                ));
            }
            notes.push("Read-only: Get-WinEvent reads the Lync Server, Office Communications Server, Application and System logs of each server (Critical, Error and Warning; Application and System only for Lync, Group Chat, SQL Server and Message Queuing sources) and returns one object per provider and event ID. Remote event log reading must be allowed through the servers' firewalls.".into());
        }
        Task::Check => {
            let Some(check) = &opts.check else {
                return Err(ExecError::Config(
                    "the check task runs one catalog check: pchat-migrate troubleshoot check ID"
                        .into(),
                ));
            };
            steps.push(Step::probe(
                "check",
                check.call.render()?,
                Body::Check(check.clone()),
            ));
        }
        Task::VerifyRows => {
            // no Lync module: SqlClient only
            steps.clear();
            // Level 2: the rows the lab verify compares, read from both databases (read-only).
            let start = crate::chatdata::ticks::parse_date(&mig.start_date);
            let (li, ld) = (v.one("legacy_sql_instance")?, v.one("legacy_db")?);
            let (pi, pd) = (v.one("pchat_sql_instance")?, v.one("pchat_db")?);
            let reads = crate::chatdata::mirror::queries(start)
                .iter()
                .map(|q| {
                    let (instance, database) = match q.side {
                        crate::chatdata::mirror::Side::Legacy => (li.clone(), ld.clone()),
                        crate::chatdata::mirror::Side::Mgc => (pi.clone(), pd.clone()),
                    };
                    SqlRead {
                        label: q.label(),
                        instance,
                        database,
                        sql: q.sql.clone(),
                    }
                })
                .collect();
            // one step: the reads' wrappers would not fit a Windows command line one by one
            steps.push(Step::probe(
                &format!("{ROWS_STEP}1"),
                format!("read the compared rows from {ld} and {pd}"),
                Body::SqlRows(reads),
            ));
            notes.push("Read-only: each query opens its own SqlClient connection with ApplicationIntent=ReadOnly and Windows authentication; nothing is written.".into());
        }
        Task::TestMessage => match message_test_steps(v)? {
            Some(s) => steps.extend(s),
            None => {
                return Err(ExecError::Config(
                    "profile: the message test needs a Lync 2013 Front End pool (the Registrar it logs on to): add a [[pools]] entry of kind lync2013-frontend".into(),
                ));
            }
        },
    }
    Ok(Plan {
        steps,
        changes_deployment: changes,
        confirm_word: word,
        notes,
    })
}

fn export_level(level: &str) -> Result<&'static str, ExecError> {
    Ok(match level.trim().to_ascii_lowercase().as_str() {
        "" | "all" => "All",
        "user" => "User",
        "category" => "Category",
        "roomdirectory" => "RoomDirectory",
        "content" => "Content",
        other => {
            return Err(ExecError::Config(format!(
                "profile: export_level \"{other}\" is not one of All, User, Category, RoomDirectory, Content"
            )));
        }
    })
}

fn state_step() -> Step {
    Step::probe(
        "state",
        "Get-CsPersistentChatState",
        Body::Select(
            CmdletCall::new("Get-CsPersistentChatState"),
            &["Identity", "PoolState"],
        ),
    )
}

fn services_step(i: usize, server: &str) -> Step {
    Step::probe(
        &format!("services-{}", i + 1),
        format!("Get-CsWindowsService {server}"),
        Body::Select(
            CmdletCall::new("Get-CsWindowsService").arg("ComputerName", server),
            &["Name", "DisplayName", "Status"],
        ),
    )
}

fn report_step(path: &str) -> Step {
    Step::probe(
        "report",
        format!("Get-Item {path}"),
        Body::Select(
            CmdletCall::new("Get-Item").arg("LiteralPath", path),
            &["FullName", "Length", "LastWriteTimeUtc"],
        ),
    )
}

/// `Test-CsPersistentChatMessage` in its server form (the health-monitoring test users, or
/// the two test users named in the profile), against the Front End pool as Registrar.
///
/// Without `-SenderCredential`/`-ReceiverCredential` the cmdlet logs on with the credentials
/// registered by `Set-CsTestUserCredential` (PS/Test-CsPersistentChatMessage): with test users
/// in the profile, a guard checks each is registered first and says how to register it
/// (runbook items 27 and 65 show the registration).
fn message_test_steps(v: &Values) -> Result<Option<Vec<Step>>, ExecError> {
    let Some(fe) = v.opt("fe_pool_fqdn") else {
        return Ok(None);
    };
    let mut steps = Vec::new();
    let mut call = CmdletCall::new("Test-CsPersistentChatMessage").arg("TargetFqdn", fe);
    if let (Some(a), Some(b)) = (v.opt("test_user1"), v.opt("test_user2")) {
        for (i, u) in [&a, &b].into_iter().enumerate() {
            steps.push(Step::guard(
                &format!("guard-test-user-{}", i + 1),
                format!("a credential is registered for {u}"),
                Guard::TestUserRegistered(u.clone()),
            ));
        }
        call = call.arg("SenderSipAddress", a).arg("ReceiverSipAddress", b);
    }
    if let Some(room) = v.opt("test_room") {
        call = call.arg(
            "ChatRoomUri",
            format!("{}\\{room}", v.one("pchat_pool_fqdn")?),
        );
    }
    steps.push(Step::probe(
        "message-test",
        "Test-CsPersistentChatMessage",
        Body::Select(
            call,
            &["TargetFqdn", "Result", "Latency", "Error", "Diagnosis"],
        ),
    ));
    Ok(Some(steps))
}

// ---- the runbook's command lines ------------------------------------------------------------

/// The tasks whose main cmdlet lines the runbook shows through a `{{task_<key>}}`
/// placeholder (`task_export`, `task_import_whatif`, …): the same calls the task's script
/// runs, rendered the same way, so the runbook and the job cannot differ.
pub const RUNBOOK_TASKS: [Task; 7] = [
    Task::Export,
    Task::ImportWhatIf,
    Task::Import,
    Task::StopServices,
    Task::StartServices,
    Task::LegacyEndpoint,
    Task::TestMessage,
];

/// The placeholder name of a task's lines (`task_import_whatif`).
pub fn task_placeholder(task: Task) -> String {
    format!("task_{}", task.key().replace('-', "_"))
}

/// The cmdlet lines a task runs, one per call, exactly as its script renders them (the
/// module import, the guards and the read-backs left out: they are the script's own checks).
///
/// # Errors
/// As [`script_for`]: a value the profile lacks, or one that cannot be quoted.
pub fn task_lines(
    task: Task,
    env: &JobEnv,
    cfg: &ExecutorConfig,
) -> Result<Vec<String>, ExecError> {
    let v = Values::new(env)?;
    let plan = plan(task, &v, cfg, &TaskOptions::default())?;
    // the message test is a data step: it is the task itself
    plan.steps
        .iter()
        .filter(|s| (!s.data || task == Task::TestMessage) && s.key != "import-module")
        .filter_map(|s| match &s.body {
            Body::Call(c) | Body::Select(c, _) => Some(c.render().map_err(ExecError::Quote)),
            Body::Guard(_) | Body::SqlRows(_) | Body::Events(_) | Body::Check(_) => None,
        })
        .collect()
}

/// The runbook's placeholders for a profile: the profile's own values
/// (`Profile::placeholders`) and, for each of [`RUNBOOK_TASKS`], the task's lines
/// ([`task_lines`]); a task the profile cannot fill yet shows one comment line saying what is
/// missing. An empty `work_dir` in the profile takes `work_dir`.
pub fn runbook_placeholders(
    profile: &crate::deployment::Profile,
    work_dir: &str,
    cfg: &ExecutorConfig,
) -> crate::runbook::Placeholders {
    let mut ph = profile.placeholders(work_dir);
    let mut p = profile.clone();
    if p.migration.work_dir.trim().is_empty() {
        p.migration.work_dir = work_dir.to_string();
    }
    let env = JobEnv::production(p, cfg.clone(), Path::new("."));
    for task in RUNBOOK_TASKS {
        let lines = task_lines(task, &env, cfg).unwrap_or_else(|e| {
            vec![format!(
                "# {}: the profile cannot fill this command yet ({})",
                task.label(),
                e.to_string().replace('\n', " ")
            )]
        });
        ph.insert(task_placeholder(task), lines);
    }
    ph
}

// ---- rendering ----------------------------------------------------------------------------

fn marker_for(task: Task, plan: &Plan, cfg: &ExecutorConfig) -> String {
    let mut h = Sha256::new();
    h.update(task.key().as_bytes());
    h.update(serde_json::to_vec(&plan.steps).unwrap_or_default());
    h.update(serde_json::to_vec(cfg).unwrap_or_default());
    let d = h.finalize();
    format!("@@pcm-{}", hex::encode(&d[..8]))
}

/// Inside the block: one read-only SqlClient query; its column names, then each row, written
/// as one JSON array string (GUIDs as text, dates as `yyyy-MM-dd HH:mm:ss`, bits as 0/1,
/// binary left out).
const READ_ROWS: &str = r#"    function Read-PcmRows {
        param([string]$Label, [string]$Instance, [string]$Database, [string]$Query)
        $pcmCs = New-Object -TypeName System.Data.SqlClient.SqlConnectionStringBuilder
        $pcmCs['Data Source'] = $Instance
        $pcmCs['Initial Catalog'] = $Database
        $pcmCs['Integrated Security'] = $true
        $pcmCs['ApplicationIntent'] = 'ReadOnly'
        $pcmCs['Application Name'] = 'pchat-migrate verify'
        $pcmCn = New-Object -TypeName System.Data.SqlClient.SqlConnection -ArgumentList $pcmCs.ConnectionString
        $pcmCn.Open()
        try {
            $pcmCmd = $pcmCn.CreateCommand()
            $pcmCmd.CommandText = $Query
            $pcmCmd.CommandTimeout = 0
            $pcmRd = $pcmCmd.ExecuteReader()
            $pcmNames = New-Object -TypeName 'string[]' -ArgumentList ($pcmRd.FieldCount + 2)
            $pcmNames[0] = '#table'
            $pcmNames[1] = $Label
            for ($pcmI = 0; $pcmI -lt $pcmRd.FieldCount; $pcmI++) { $pcmNames[$pcmI + 2] = $pcmRd.GetName($pcmI) }
            ConvertTo-Json -InputObject $pcmNames -Compress
            while ($pcmRd.Read()) {
                $pcmRow = New-Object -TypeName 'object[]' -ArgumentList $pcmRd.FieldCount
                for ($pcmI = 0; $pcmI -lt $pcmRd.FieldCount; $pcmI++) {
                    $pcmV = $pcmRd.GetValue($pcmI)
                    if ($pcmV -is [System.DBNull]) { $pcmV = $null }
                    elseif ($pcmV -is [System.Guid]) { $pcmV = $pcmV.ToString() }
                    elseif ($pcmV -is [System.DateTime]) { $pcmV = $pcmV.ToString('yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture) }
                    elseif ($pcmV -is [System.Boolean]) { $pcmV = [int]$pcmV }
                    elseif ($pcmV -is [System.Byte[]]) { $pcmV = $null }
                    $pcmRow[$pcmI] = $pcmV
                }
                ConvertTo-Json -InputObject $pcmRow -Compress
            }
            $pcmRd.Close()
        } finally { $pcmCn.Close() }
    }
"#;

/// The local part that frames every record as a line. No profile value appears in it.
const PRELUDE: &str = r#"Set-StrictMode -Off
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$pcmOut = New-Object -TypeName System.IO.StreamWriter -ArgumentList ([Console]::OpenStandardOutput()), (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false)
$pcmOut.AutoFlush = $true
$script:pcmStep = ''
$script:pcmData = $false
$script:pcmErrors = 0
function Write-PcmLine {
    param([string]$Text)
    $pcmOut.WriteLine($Text)
}
function Write-PcmItem {
    param($Item)
    if ($null -eq $Item) { return }
    if ($Item -is [System.Management.Automation.ErrorRecord]) {
        $script:pcmErrors++
        $pcmInfo = [ordered]@{
            step = $script:pcmStep
            category = [string]$Item.CategoryInfo.Category
            fqid = [string]$Item.FullyQualifiedErrorId
            exception = [string]$Item.Exception.GetType().FullName
            message = [string]$Item.Exception.Message
            target = [string]$Item.TargetObject
        }
        Write-PcmLine ($pcmMark + ' ERROR ' + (ConvertTo-Json -InputObject $pcmInfo -Compress))
    } elseif ($Item -is [System.Management.Automation.WarningRecord]) {
        Write-PcmLine ('WARNING: ' + $Item.Message)
    } elseif ($Item -is [System.Management.Automation.VerboseRecord]) {
        Write-PcmLine ('VERBOSE: ' + $Item.Message)
    } elseif ($Item -is [System.Management.Automation.DebugRecord]) {
        Write-PcmLine ('DEBUG: ' + $Item.Message)
    } elseif ($Item -is [System.Management.Automation.InformationRecord]) {
        Write-PcmLine ([string]$Item.MessageData)
    } elseif (($Item -is [string]) -and $Item.StartsWith($pcmMark + ' ')) {
        $pcmParts = $Item.Split(' ')
        if ($pcmParts[1] -eq 'BEGIN') {
            $script:pcmStep = $pcmParts[3]
            $script:pcmData = ($pcmParts[4] -eq 'data')
        } elseif ($pcmParts[1] -eq 'END') {
            $script:pcmData = $false
        }
        Write-PcmLine $Item
    } elseif ($script:pcmData) {
        if (($Item -isnot [string]) -and ($Item -isnot [ValueType])) {
            $Item = $Item | Select-Object -Property * -ExcludeProperty PSComputerName, RunspaceId, PSShowComputerName
        }
        Write-PcmLine ($pcmMark + ' JSON ' + $script:pcmStep + ' ' + (ConvertTo-Json -InputObject $Item -Depth 6 -Compress))
    } else {
        foreach ($pcmLine in ((($Item | Out-String -Width 250)) -split '\r?\n')) {
            if ($pcmLine.Trim().Length -gt 0) { Write-PcmLine $pcmLine }
        }
    }
}
"#;

/// Reads the credential from standard input: the user name line, then the password one
/// character at a time into a SecureString (it never exists as one string in the script).
const READ_CREDENTIAL: &str = r#"$pcmIn = New-Object -TypeName System.IO.StreamReader -ArgumentList ([Console]::OpenStandardInput()), (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false)
$pcmUser = $pcmIn.ReadLine()
$pcmPass = New-Object -TypeName System.Security.SecureString
while ($true) {
    $pcmCh = $pcmIn.Read()
    if (($pcmCh -lt 0) -or ($pcmCh -eq 10)) { break }
    if ($pcmCh -ne 13) { $pcmPass.AppendChar([char]$pcmCh) }
}
$pcmPass.MakeReadOnly()
$pcmCred = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList $pcmUser, $pcmPass
Remove-Variable -Name pcmIn, pcmCh
"#;

fn render(
    task: Task,
    plan: &Plan,
    cfg: &ExecutorConfig,
    marker: &str,
) -> Result<String, ExecError> {
    let mut s = String::new();
    let need = credential::need(cfg);
    // Header comments: fixed text only, never a profile value (a value with a line break
    // would otherwise leave the comment).
    let _ = writeln!(s, "# pchat-migrate: {}", task.label());
    s.push_str("# Generated from the deployment profile. This is exactly the script that runs.\n");
    s.push_str(match cfg.remote {
        Remote::None => "# Runs on this computer, as the Windows user running pchat-migrate.\n",
        Remote::WinRm => {
            "# Runs on the computer named in the profile, through WinRM (Invoke-Command).\n"
        }
        Remote::Ssh => {
            "# Runs on the computer named in the profile, through SSH (Invoke-Command -HostName).\n"
        }
    });
    match &need {
        CredentialNeed::Prompt { .. } => s.push_str(
            "# The credential is read from standard input (user name line, then password line); it is never in this script.\n",
        ),
        CredentialNeed::CliXml { .. } => {
            s.push_str("# The credential is a PSCredential saved with Export-Clixml on this computer.\n");
        }
        CredentialNeed::CredMan { .. } => s.push_str(
            "# The credential comes from Windows Credential Manager on standard input (user name line, then password line); it is never in this script.\n",
        ),
        CredentialNeed::None => {}
    }
    let _ = writeln!(
        s,
        "# Changes the deployment: {}",
        if plan.changes_deployment { "yes" } else { "no" }
    );
    for n in &plan.notes {
        // Notes are this program's text; keep them on one line each regardless.
        let _ = writeln!(s, "# Note: {}", n.replace(['\r', '\n'], " "));
    }
    let mark = literal(marker, "marker")?;
    let _ = writeln!(s, "$pcmMark = {mark}");
    s.push_str(PRELUDE);
    match &need {
        CredentialNeed::Prompt { .. } | CredentialNeed::CredMan { .. } => {
            s.push_str(READ_CREDENTIAL)
        }
        CredentialNeed::CliXml { path } => {
            let _ = writeln!(
                s,
                "$pcmCred = Import-Clixml -LiteralPath {}",
                literal(path, "[executor] credential")?
            );
            s.push_str("if ($pcmCred -isnot [System.Management.Automation.PSCredential]) { throw 'pcm-guard: the CliXml file named by [executor] credential does not hold a PSCredential' }\n");
        }
        CredentialNeed::None => {}
    }
    // The inner block: PowerShell 2.0 language only.
    s.push_str("$pcmInner = {\n");
    s.push_str("    Set-StrictMode -Off\n    $ErrorActionPreference = 'Stop'\n    $ProgressPreference = 'SilentlyContinue'\n");
    if plan
        .steps
        .iter()
        .any(|st| matches!(st.body, Body::SqlRows(_)))
    {
        s.push_str(READ_ROWS);
    }
    let n = plan.steps.len();
    for (i, step) in plan.steps.iter().enumerate() {
        assert!(quote::is_plain_name(&step.key), "step key {}", step.key);
        let pos = format!("{}/{n}", i + 1);
        let _ = writeln!(
            s,
            "    {}",
            literal(
                &format!(
                    "{marker} BEGIN {pos} {} {}",
                    step.key,
                    if step.data { "data" } else { "run" }
                ),
                "marker"
            )?
        );
        s.push_str("    try {\n");
        for line in render_body(&step.body)? {
            let _ = writeln!(s, "        {line}");
        }
        s.push_str("    } catch {\n        Write-Error -ErrorRecord $_ -ErrorAction Continue\n");
        if step.stop_on_error {
            s.push_str("        return\n");
        }
        s.push_str("    }\n");
        let _ = writeln!(
            s,
            "    {}",
            literal(&format!("{marker} END {pos} {}", step.key), "marker")?
        );
    }
    let _ = writeln!(s, "    {}", literal(&format!("{marker} DONE"), "marker")?);
    s.push_str("}\n");
    // Run it here or there, every stream through Write-PcmItem.
    let invoke = match cfg.remote {
        Remote::None => "& $pcmInner".to_string(),
        Remote::WinRm => {
            let mut c = CmdletCall::new("Invoke-Command").arg("ComputerName", cfg.computer.trim());
            if !matches!(need, CredentialNeed::None) {
                c = c.param("Credential", ParamValue::Var("pcmCred"));
            }
            if let Some(a) = cfg.authentication() {
                c = c.arg("Authentication", a);
            }
            c.param("ScriptBlock", ParamValue::Var("pcmInner"))
                .arg("ErrorAction", "Continue")
                .render()?
        }
        Remote::Ssh => {
            let mut c = CmdletCall::new("Invoke-Command").arg("HostName", cfg.computer.trim());
            if !cfg.user.trim().is_empty() {
                c = c.arg("UserName", cfg.user.trim());
            }
            c.param("ScriptBlock", ParamValue::Var("pcmInner"))
                .arg("ErrorAction", "Continue")
                .render()?
        }
    };
    let _ = writeln!(
        s,
        "try {{\n    {invoke} *>&1 | ForEach-Object {{ Write-PcmItem $_ }}\n}} catch {{\n    Write-PcmItem $_\n}}"
    );
    s.push_str("$pcmOut.Flush()\nif ($script:pcmErrors -gt 0) { exit 1 }\nexit 0\n");
    Ok(s)
}

fn render_body(body: &Body) -> Result<Vec<String>, ExecError> {
    Ok(match body {
        Body::Call(c) => vec![c.render()?],
        Body::Select(c, props) => {
            let sel = props
                .iter()
                .map(|p| {
                    assert!(quote::is_plain_name(p), "property {p}");
                    format!("@{{Name='{p}';Expression={{[string]$_.{p}}}}}")
                })
                .collect::<Vec<_>>()
                .join(", ");
            vec![format!("{} | Select-Object -Property {sel}", c.render()?)]
        }
        Body::Guard(Guard::ServicesStopped(server)) => {
            let q = literal(server, "server name")?;
            vec![
                format!(
                    "$pcmRunning = @(Get-CsWindowsService -ComputerName {q} | Where-Object {{ ([string]$_.Status) -ne 'Stopped' }} | ForEach-Object {{ [string]$_.Name }})"
                ),
                format!(
                    "if ($pcmRunning.Count -gt 0) {{ throw ('pcm-guard: services not stopped on ' + {q} + ': ' + ($pcmRunning -join ', ') + '. Stop them first (Stop-CsWindowsService).') }}"
                ),
            ]
        }
        Body::Guard(Guard::PoolStateNormal(pool)) => {
            let q = literal(&pool.to_lowercase(), "pool FQDN")?;
            vec![
                format!(
                    "$pcmState = @(Get-CsPersistentChatState | Where-Object {{ ([string]$_.Identity).ToLowerInvariant().EndsWith({q}) }})"
                ),
                format!(
                    "if (($pcmState.Count -gt 0) -and (([string]$pcmState[0].PoolState) -ne 'Normal')) {{ throw ('pcm-guard: the pool state of ' + {q} + ' is ' + [string]$pcmState[0].PoolState + ', not Normal; import only into the current primary database.') }}"
                ),
            ]
        }
        Body::SqlRows(reads) => reads
            .iter()
            .map(|q| {
                Ok(format!(
                    "Read-PcmRows -Label {} -Instance {} -Database {} -Query {}",
                    literal(&q.label, "query label")?,
                    literal(&q.instance, "SQL instance")?,
                    literal(&q.database, "database")?,
                    literal(&q.sql, "query")?
                ))
            })
            .collect::<Result<Vec<String>, ExecError>>()?,
        Body::Guard(Guard::TestUserRegistered(uri)) => {
            let q = literal(uri, "test user")?;
            vec![
                format!(
                    "$pcmTestUser = @(Get-CsTestUserCredential -SipAddress {q} -ErrorAction SilentlyContinue)"
                ),
                format!(
                    "if ($pcmTestUser.Count -eq 0) {{ throw ('pcm-guard: no credential is registered for ' + {q} + '; register it first: Set-CsTestUserCredential -SipAddress ' + {q} + ' -Credential (Get-Credential)') }}"
                ),
            ]
        }
        Body::Check(check) => {
            let mut line = check.call.render()?;
            if let Some(p) = &check.filter {
                assert!(quote::is_plain_name(p), "property {p}");
                line.push_str(&format!(" | Where-Object {{ $_.{p} }}"));
            }
            if !check.select.is_empty() {
                let sel = check
                    .select
                    .iter()
                    .map(|p| {
                        assert!(quote::is_plain_name(p), "property {p}");
                        format!("@{{Name='{p}';Expression={{[string]$_.{p}}}}}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                line.push_str(&format!(" | Select-Object -Property {sel}"));
            }
            vec![line]
        }
        Body::Events(pull) => {
            let q = literal(&pull.computer, "server name")?;
            let mut lines = Vec::new();
            if pull.define {
                let logs = quote::literal_array(
                    &EVENT_LOGS.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
                    "event log names",
                )?;
                lines.extend([
                    "function Get-PcmEvents {".to_string(),
                    "    param([string]$Computer, [int]$Hours)".into(),
                    "    $since = (Get-Date).AddHours(-$Hours)".into(),
                    format!("    foreach ($log in {logs}) {{"),
                    "        $ev = @()".into(),
                    "        try { $ev = @(Get-WinEvent -ComputerName $Computer -FilterHashtable @{LogName=$log; StartTime=$since; Level=1,2,3} -MaxEvents 20000 -ErrorAction Stop) }".into(),
                    "        catch { if ((([string]$_.FullyQualifiedErrorId) -notlike 'NoMatchingEventsFound*') -and (([string]$_.Exception.Message) -notlike '*There is not an event log*')) { Write-Error -ErrorRecord $_ -ErrorAction Continue } }".into(),
                    "        if (($log -eq 'Application') -or ($log -eq 'System')) { $ev = @($ev | Where-Object { ($_.ProviderName -match '^(MSSQL|SQL.*Agent|MSMQ|LS |OCS)') -or ($_.ProviderName -match 'MGC|Group Chat|Persistent Chat') -or (($_.ProviderName -eq 'Service Control Manager') -and (([string]$_.Message) -match 'Lync|Persistent Chat|Group Chat|Communications Server')) }) }".into(),
                    "        $ev | Group-Object -Property ProviderName, Id | ForEach-Object {".into(),
                    "            $s = @($_.Group | Sort-Object -Property TimeCreated)".into(),
                    "            $last = $s[$s.Count - 1]".into(),
                    "            New-Object -TypeName PSObject -Property @{ Computer = $Computer; LogName = $log; ProviderName = [string]$last.ProviderName; Id = [int]$last.Id; Level = [int]$last.Level; Count = $s.Count; First = $s[0].TimeCreated.ToUniversalTime().ToString('o'); Last = $last.TimeCreated.ToUniversalTime().ToString('o'); Message = [string]$last.Message }".into(),
                    "        }".into(),
                    "    }".into(),
                    "}".into(),
                ]);
            }
            lines.push(format!("Get-PcmEvents -Computer {q} -Hours {}", pull.hours));
            lines
        }
        Body::Guard(Guard::LookupUserAbsent(uri)) => {
            let q = literal(uri, "lookup URI")?;
            vec![
                format!(
                    "$pcmLookupUser = @(Get-CsUser -Identity {q} -ErrorAction SilentlyContinue)"
                ),
                format!(
                    "if ($pcmLookupUser.Count -gt 0) {{ throw ('pcm-guard: a user still holds ' + {q} + '; disable and delete it before creating the endpoint.') }}"
                ),
            ]
        }
    })
}
