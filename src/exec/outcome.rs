//! Reading a run: did the script get to its end, what did the cmdlets say, and what does that
//! mean for the task (a one-line summary, pass or fail, and the detail kept as evidence).

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use super::config::{ExecutorConfig, Remote};
use super::credential::Credential;
use super::powershell::{ErrorInfo, RawRun};
use super::script::{Script, Task};
use super::{ExecError, Redactor};
use crate::chatdata::package::{PackageLimits, PackageReader};
use crate::executor::JobEnv;
use crate::progress::Reporter;

/// What a finished task produced.
#[derive(Clone, Debug, Serialize)]
pub struct TaskOutcome {
    /// Which task.
    pub task: Task,
    /// True when it did what it should and found nothing wrong.
    pub passed: bool,
    /// One line for the checklist.
    pub summary: String,
    /// Everything else, as evidence (redacted).
    pub detail: Value,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
    /// Export: the package on this computer, for the inspector (None when it stays on the
    /// server because no `package_share` is set).
    pub package: Option<PathBuf>,
    /// Topology: the XML `Get-CsTopology -AsXml` returned.
    #[serde(skip)]
    pub topology_xml: Option<String>,
}

/// One verdict of the verify and service tasks.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// The verdict.
    pub passed: bool,
    /// Whether a failure fails the task (false: reported only).
    pub required: bool,
    /// What was found.
    pub detail: String,
}

/// Objects kept per step in the evidence.
const KEEP_OBJECTS: usize = 200;

/// Judges `run`.
///
/// # Errors
/// [`ExecError::Script`] / [`ExecError::Exit`] when the script did not reach its end;
/// [`ExecError::Io`] when the export package cannot be copied.
pub fn interpret(
    script: &Script,
    env: &JobEnv,
    cfg: &ExecutorConfig,
    credential: Option<&Credential>,
    run: RawRun,
    redactor: &Redactor,
    r: &dyn Reporter,
) -> Result<TaskOutcome, ExecError> {
    let stop_steps: Vec<&str> = script
        .steps
        .iter()
        .filter(|s| s.stop_on_error)
        .map(|s| s.key.as_str())
        .collect();
    if !run.done {
        let first = run
            .errors
            .iter()
            .find(|e| stop_steps.contains(&e.step.as_str()))
            .or_else(|| run.errors.first());
        if let Some(e) = first {
            return Err(ExecError::Script {
                step: if e.step.is_empty() {
                    "PowerShell".into()
                } else {
                    script.step_label(&e.step)
                },
                message: e.message.clone(),
                fqid: e.fqid.clone(),
                category: e.category.clone(),
                hint: hint_for(e, cfg),
            });
        }
        return Err(exit_error(
            &run,
            "the script stopped before its end without an error record; read the job log (PowerShell's own messages are under stderr)",
        ));
    }
    if run.errors.is_empty() && run.exit_code != Some(0) {
        return Err(exit_error(
            &run,
            "the script finished but PowerShell reported a failure; read the job log",
        ));
    }

    let ctx = Ctx {
        script,
        env,
        cfg,
        run: &run,
    };
    let mut out = match script.task {
        Task::Export => ctx.export(r)?,
        Task::ImportWhatIf | Task::Import => ctx.import(),
        Task::Verify => ctx.verify(),
        Task::Topology => ctx.topology(),
        Task::Services | Task::StopServices | Task::StartServices => ctx.services(),
        Task::LegacyEndpoint => ctx.endpoint(),
        Task::TestMessage => ctx.message_test(),
        Task::VerifyRows => {
            // the rows went to the verify's copies; the job compares them (exec::verify)
            let read = script
                .steps
                .iter()
                .filter(|s| run.completed.contains(&s.key))
                .count();
            outcome(
                Task::VerifyRows,
                run.errors.is_empty() && read == script.steps.len(),
                format!(
                    "read the rows of {read} of {} tables{}",
                    script.steps.len(),
                    if run.errors.is_empty() {
                        String::new()
                    } else {
                        format!("; {} error(s)", run.errors.len())
                    }
                ),
                json!({}),
            )
        }
        Task::Events => ctx.events(),
        Task::Check => ctx.check(),
    };
    // Common evidence.
    let mut data = serde_json::Map::new();
    for (k, objs) in &run.data {
        if k == "topology" {
            continue;
        }
        let kept: Vec<Value> = objs.iter().take(KEEP_OBJECTS).cloned().collect();
        data.insert(
            k.clone(),
            json!({ "count": objs.len(), "objects": kept, "truncated": objs.len() > KEEP_OBJECTS }),
        );
    }
    let common = json!({
        "executor": "powershell",
        "shell": cfg.shell,
        "runs_on": cfg.runs_on(),
        "run_as": credential.map(|c| c.user.clone()),
        "script_sha256": script.sha256(),
        "steps_completed": run.completed,
        "exit_code": run.exit_code,
        "warnings": run.warnings,
        "errors": run.errors,
        "data": data,
        "notes": script.notes,
    });
    if let (Value::Object(d), Value::Object(c)) = (&mut out.detail, common) {
        for (k, v) in c {
            d.entry(k).or_insert(v);
        }
    }
    redactor.apply_json(&mut out.detail);
    out.summary = redactor.apply(&out.summary).into_owned();
    out.elapsed_ms = u64::try_from(run.elapsed.as_millis()).unwrap_or(u64::MAX);
    Ok(out)
}

fn exit_error(run: &RawRun, hint: &str) -> ExecError {
    ExecError::Exit {
        code: run
            .exit_code
            .map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}")),
        stderr: if run.stderr_tail.is_empty() {
            String::new()
        } else {
            format!(": {}", run.stderr_tail.join(" | "))
        },
        hint: hint.into(),
    }
}

/// What to do about an error record, by its id, exception and message.
pub fn hint_for(e: &ErrorInfo, cfg: &ExecutorConfig) -> String {
    let m = e.message.to_ascii_lowercase();
    let id = e.fqid.to_ascii_lowercase();
    let ex = e.exception.to_ascii_lowercase();
    if m.starts_with("pcm-guard:") {
        return "the script checks this before it changes anything; nothing was changed".into();
    }
    if id.contains("modules_modulenotfound") || id.contains("commandnotfound") {
        return format!(
            "the cmdlets are not there: run on a server with the Lync Server Management Shell, or fix [executor] module (now \"{}\"; \"SkypeForBusiness\" on Skype for Business Server 2015)",
            cfg.module
        );
    }
    if ex.contains("psremotingtransport")
        || id.contains("psremotingtransport")
        || id.contains("psremoting")
        || m.contains("winrm")
    {
        return format!(
            "the remote session to {} did not open: check the name, that WinRM is enabled there (Enable-PSRemoting, ports 5985/5986), the firewall and the credential",
            cfg.computer
        );
    }
    if m.contains("access is denied")
        || id.contains("unauthorizedaccess")
        || e.category == "PermissionDenied"
    {
        return "the account lacks rights: export and import need CsPersistentChatAdministrator, the service cmdlets RTCUniversalServerAdmins".into();
    }
    if m.contains("sql") || m.contains("login failed") || m.contains("database") {
        let hop = if cfg.remote == Remote::WinRm && cfg.authentication() != Some("Credssp") {
            "; through WinRM the server cannot pass your credential on to SQL (Kerberos double hop): set [executor] authentication = \"CredSSP\" or run on the server (remote = \"none\")"
        } else {
            ""
        };
        return format!(
            "check the SQL instance in the profile and that the server reaches it{hop}"
        );
    }
    "read the cmdlet's -Report file and the job log; the error record is kept in the evidence"
        .into()
}

struct Ctx<'a> {
    script: &'a Script,
    env: &'a JobEnv,
    cfg: &'a ExecutorConfig,
    run: &'a RawRun,
}

fn s(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Null) | None => String::new(),
        Some(o) => o.to_string(),
    }
}

fn outcome(task: Task, passed: bool, summary: String, detail: Value) -> TaskOutcome {
    TaskOutcome {
        task,
        passed,
        summary,
        detail,
        elapsed_ms: 0,
        package: None,
        topology_xml: None,
    }
}

impl Ctx<'_> {
    fn data(&self, key: &str) -> &[Value] {
        self.run.data.get(key).map_or(&[], Vec::as_slice)
    }

    fn error_of(&self, key: &str) -> Option<&ErrorInfo> {
        self.run.errors.iter().find(|e| e.step == key)
    }

    fn placeholder(&self, key: &str) -> String {
        let wd = self.env.profile.migration.work_dir.trim();
        self.env
            .profile
            .placeholders(wd)
            .get(key)
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default()
    }

    fn server_keys(&self) -> Vec<(String, String)> {
        self.script
            .steps
            .iter()
            .filter(|s| s.key.starts_with("services-"))
            .map(|s| {
                (
                    s.key.clone(),
                    s.label
                        .trim_start_matches("Get-CsWindowsService ")
                        .to_string(),
                )
            })
            .collect()
    }

    /// One check per server: every Lync service in `want` state.
    fn service_checks(&self, want: &str, required: bool) -> Vec<Check> {
        self.server_keys()
            .into_iter()
            .map(|(key, server)| {
                if let Some(e) = self.error_of(&key) {
                    return Check {
                        name: format!("services on {server}"),
                        passed: false,
                        required,
                        detail: e.message.clone(),
                    };
                }
                let objs = self.data(&key);
                let off: Vec<String> = objs
                    .iter()
                    .filter(|o| !s(o, "Status").eq_ignore_ascii_case(want))
                    .map(|o| format!("{} {}", s(o, "Name"), s(o, "Status")))
                    .collect();
                Check {
                    name: format!("services on {server}"),
                    passed: !objs.is_empty() && off.is_empty(),
                    required,
                    detail: if objs.is_empty() {
                        "no Lync services listed".into()
                    } else if off.is_empty() {
                        format!("{} service(s) {want}", objs.len())
                    } else {
                        format!("not {want}: {}", off.join(", "))
                    },
                }
            })
            .collect()
    }

    fn export(&self, r: &dyn Reporter) -> Result<TaskOutcome, ExecError> {
        let server_file = self.placeholder("export_file");
        let size = self
            .data("package")
            .first()
            .map(|o| s(o, "Length"))
            .and_then(|l| l.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let mut problems = Vec::new();
        if size == 0 {
            problems.push("the package file is empty".to_string());
        }
        let local = match self.cfg.remote {
            Remote::None => Some(PathBuf::from(&server_file)),
            _ => match self.cfg.package_share() {
                Some(share) => {
                    let name = server_file
                        .rsplit(['\\', '/'])
                        .next()
                        .unwrap_or("GroupChatExport.zip");
                    let src = share.join(name);
                    r.log(format!(
                        "copying the package from {} to {}",
                        src.display(),
                        self.env.package.display()
                    ));
                    copy_package(&src, &self.env.package, size)?;
                    Some(self.env.package.clone())
                }
                None => None,
            },
        };
        let mut inspect = Value::Null;
        if let Some(p) = &local {
            match inspect_package(p) {
                Ok(v) => inspect = v,
                Err(e) => problems.push(format!("the package does not read: {e}")),
            }
        }
        let where_ = match &local {
            Some(p) => format!("inspect it at {}", p.display()),
            None => {
                "it stays on the server: set [executor] package_share to inspect it here".into()
            }
        };
        let passed = problems.is_empty();
        let summary = if passed {
            format!(
                "exported to {server_file} ({size} bytes, {} warnings); {where_}",
                self.run.warnings.len()
            )
        } else {
            format!("export FAILED: {}", problems.join("; "))
        };
        let mut o = outcome(
            Task::Export,
            passed,
            summary,
            json!({
                "package": {
                    "server_path": server_file,
                    "bytes": size,
                    "local": local.as_ref().map(|p| p.display().to_string()),
                    "inspection": inspect,
                },
                "report": self.placeholder("export_report"),
                "problems": problems,
            }),
        );
        o.package = local;
        Ok(o)
    }

    fn import(&self) -> TaskOutcome {
        let what_if = self.script.task == Task::ImportWhatIf;
        let mut notes: Vec<String> = Vec::new();
        if what_if {
            for c in self.service_checks("Stopped", false) {
                if !c.passed {
                    notes.push(format!(
                        "{}: {} (the real import needs every service stopped)",
                        c.name, c.detail
                    ));
                }
            }
        }
        for e in &self.run.errors {
            notes.push(format!(
                "{}: {}",
                self.script.step_label(&e.step),
                e.message
            ));
        }
        let report = self.placeholder(if what_if {
            "whatif_report"
        } else {
            "import_report"
        });
        let file = self.placeholder("export_file");
        let sql = self.placeholder("pchat_sql_instance");
        let summary = format!(
            "{} {file} into {sql}: {} warnings{}; report {report}",
            if what_if {
                "-WhatIf: previewed importing"
            } else {
                "imported"
            },
            self.run.warnings.len(),
            if notes.is_empty() {
                String::new()
            } else {
                format!(", {} note(s)", notes.len())
            }
        );
        outcome(
            self.script.task,
            true,
            summary,
            json!({ "report": report, "package": file, "target": sql, "notes_from_run": notes }),
        )
    }

    fn step_check(
        &self,
        checks: &mut Vec<Check>,
        key: &str,
        name: &str,
        required: bool,
        f: impl Fn(&[Value]) -> (bool, String),
    ) {
        if !self.script.steps.iter().any(|s| s.key == key) {
            return;
        }
        let (passed, detail) = match self.error_of(key) {
            Some(e) => (false, e.message.clone()),
            None => f(self.data(key)),
        };
        checks.push(Check {
            name: name.into(),
            passed,
            required,
            detail,
        });
    }

    fn verify(&self) -> TaskOutcome {
        let pool = self.placeholder("pchat_pool_fqdn").to_ascii_lowercase();
        let mut checks = Vec::new();
        self.step_check(&mut checks, "pool", "pool in the topology", true, |objs| {
            let found = objs
                .iter()
                .any(|o| o.to_string().to_ascii_lowercase().contains(&pool));
            (
                found,
                if found {
                    format!("{pool} listed by Get-CsService -PersistentChatServer")
                } else {
                    format!("{pool} not among {} Persistent Chat service(s)", objs.len())
                },
            )
        });
        self.step_check(&mut checks, "state", "pool state", true, |objs| {
            let o = objs
                .iter()
                .find(|o| s(o, "Identity").to_ascii_lowercase().ends_with(&pool))
                .or(if objs.len() == 1 { objs.first() } else { None });
            match o {
                Some(o) => {
                    let st = s(o, "PoolState");
                    (st.eq_ignore_ascii_case("Normal"), format!("PoolState {st}"))
                }
                None => (false, format!("no state for {pool}")),
            }
        });
        checks.extend(self.service_checks("Running", true));
        self.step_check(
            &mut checks,
            "database",
            "mgc database reachable",
            true,
            |objs| {
                let failed = objs.iter().any(|o| {
                    matches!(o.get("Succeed"), Some(Value::Bool(false)))
                        || s(o, "Succeed").eq_ignore_ascii_case("false")
                });
                (
                    !objs.is_empty() && !failed,
                    format!(
                        "Test-CsDatabase returned {} result(s){}",
                        objs.len(),
                        if failed { ", one not succeeded" } else { "" }
                    ),
                )
            },
        );
        for (key, name) in [
            ("categories", "categories"),
            ("rooms", "rooms"),
            ("addins", "add-ins"),
        ] {
            self.step_check(&mut checks, key, name, true, |objs| {
                (true, format!("{} on the pool", objs.len()))
            });
        }
        let lookup = self.placeholder("lookup_uri").to_ascii_lowercase();
        self.step_check(&mut checks, "endpoints", "legacy endpoint", false, |objs| {
            let found = objs
                .iter()
                .any(|o| o.to_string().to_ascii_lowercase().contains(&lookup));
            (
                found,
                if found {
                    format!("{lookup} is an endpoint of the pool")
                } else {
                    format!("no endpoint with {lookup} (Stage 8)")
                },
            )
        });
        self.step_check(
            &mut checks,
            "policies",
            "Persistent Chat enabled by a policy",
            false,
            |objs| {
                let on: Vec<String> = objs
                    .iter()
                    .filter(|o| s(o, "EnablePersistentChat").eq_ignore_ascii_case("true"))
                    .map(|o| s(o, "Identity"))
                    .collect();
                (
                    !on.is_empty(),
                    if on.is_empty() {
                        "no policy enables Persistent Chat yet (Stage 11)".into()
                    } else {
                        format!("enabled by {}", on.join(", "))
                    },
                )
            },
        );
        self.step_check(
            &mut checks,
            "message-test",
            "synthetic message test",
            true,
            message_verdict,
        );
        // Rooms on the pool against the rooms in the package, when the package is here.
        let rooms_on_pool = self.data("rooms").len();
        let package_rooms = inspect_package(&self.env.package)
            .ok()
            .and_then(|v| v.get("rooms").and_then(Value::as_u64));
        if let Some(n) = package_rooms {
            checks.push(Check {
                name: "rooms against the package".into(),
                passed: rooms_on_pool as u64 >= n,
                required: false,
                detail: format!("{rooms_on_pool} on the pool, {n} in the package"),
            });
        }
        let failed: Vec<&Check> = checks.iter().filter(|c| c.required && !c.passed).collect();
        let passed = failed.is_empty();
        let summary = if passed {
            format!(
                "verify passed: {} categories, {} rooms, {} add-ins on {pool}; {} check(s) passed",
                self.data("categories").len(),
                rooms_on_pool,
                self.data("addins").len(),
                checks.iter().filter(|c| c.passed).count()
            )
        } else {
            format!(
                "verify FAILED: {} check(s) failed (first: {}: {})",
                failed.len(),
                failed[0].name,
                failed[0].detail
            )
        };
        outcome(Task::Verify, passed, summary, json!({ "checks": checks }))
    }

    fn topology(&self) -> TaskOutcome {
        let xml: String = self
            .data("topology")
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("\n");
        let passed = xml.contains("<Topology") || xml.contains("<TopologyBuilder");
        let mut o = outcome(
            Task::Topology,
            passed,
            if passed {
                format!("read the topology ({} characters)", xml.len())
            } else {
                "Get-CsTopology -AsXml returned no topology document".into()
            },
            json!({ "characters": xml.len() }),
        );
        o.topology_xml = Some(xml);
        o
    }

    fn services(&self) -> TaskOutcome {
        let task = self.script.task;
        let want = match task {
            Task::StopServices => "Stopped",
            _ => "Running",
        };
        let checks = self.service_checks(want, task != Task::Services);
        // The read-only probe reports services that are not running without failing, but a
        // server it could not ask (an error record) is a failed probe.
        let passed = checks.iter().all(|c| c.passed || !c.required) && self.run.errors.is_empty();
        let summary = checks
            .iter()
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect::<Vec<_>>()
            .join("; ");
        outcome(
            task,
            passed,
            if passed {
                summary
            } else {
                format!("{} FAILED: {summary}", task.label())
            },
            json!({ "checks": checks }),
        )
    }

    fn endpoint(&self) -> TaskOutcome {
        let n = self.data("endpoint").len();
        outcome(
            Task::LegacyEndpoint,
            n == 1,
            format!(
                "legacy endpoint {}: {n} endpoint(s) with that address",
                self.placeholder("lookup_uri")
            ),
            json!({}),
        )
    }

    /// Events: the grouped objects of every server; a server whose logs could not be read
    /// fails the task (the others are still reported).
    fn events(&self) -> TaskOutcome {
        let mut objects = Vec::new();
        let mut unread = Vec::new();
        for step in self
            .script
            .steps
            .iter()
            .filter(|s| s.key.starts_with("events-"))
        {
            objects.extend(self.data(&step.key).iter().cloned());
            for e in self.run.errors.iter().filter(|e| e.step == step.key) {
                unread.push(format!("{}: {}", step.label, e.message));
            }
        }
        let count: u64 = objects
            .iter()
            .map(|o| o["Count"].as_u64().unwrap_or(1))
            .sum();
        let mut summary = format!(
            "{count} events in {} groups from {} servers",
            objects.len(),
            self.script
                .steps
                .iter()
                .filter(|s| s.key.starts_with("events-"))
                .count()
        );
        if !unread.is_empty() {
            summary.push_str(&format!("; {} logs could not be read", unread.len()));
        }
        outcome(
            Task::Events,
            unread.is_empty(),
            summary,
            json!({ "events": objects, "unread": unread }),
        )
    }

    /// A catalog check: what the cmdlet returned (or the error it wrote); the verdict is the
    /// admin's, against what a healthy answer looks like.
    fn check(&self) -> TaskOutcome {
        let objects = self.data("check");
        let error = self.error_of("check").map(|e| e.message.clone());
        let summary = match &error {
            Some(e) => format!("the cmdlet reported: {e}"),
            None => format!("{} objects", objects.len()),
        };
        outcome(
            Task::Check,
            error.is_none(),
            summary,
            json!({ "objects": objects, "error": error }),
        )
    }

    fn message_test(&self) -> TaskOutcome {
        let (passed, detail) = match self.error_of("message-test") {
            Some(e) => (false, e.message.clone()),
            None => message_verdict(self.data("message-test")),
        };
        outcome(
            Task::TestMessage,
            passed,
            format!("Test-CsPersistentChatMessage: {detail}"),
            json!({}),
        )
    }
}

/// `Test-CsPersistentChatMessage`'s TaskOutput: Result Success, or the error and diagnosis.
fn message_verdict(objs: &[Value]) -> (bool, String) {
    match objs.first() {
        None => (false, "no result".into()),
        Some(o) => {
            let result = s(o, "Result");
            let ok = result.eq_ignore_ascii_case("Success");
            let mut d = format!(
                "{result} against {} in {}",
                s(o, "TargetFqdn"),
                s(o, "Latency")
            );
            if !ok {
                let err = s(o, "Error");
                let diag = s(o, "Diagnosis");
                if !err.trim().is_empty() {
                    d.push_str(&format!(
                        "; error: {}",
                        err.split_whitespace().collect::<Vec<_>>().join(" ")
                    ));
                }
                if !diag.trim().is_empty() {
                    d.push_str(&format!("; diagnosis: {}", diag.trim()));
                }
            }
            (ok, d)
        }
    }
}

fn copy_package(src: &Path, dst: &Path, expected: u64) -> Result<(), ExecError> {
    if let Some(dir) = dst.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ExecError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let tmp = dst.with_extension("zip.part");
    let n = std::fs::copy(src, &tmp).map_err(|e| {
        ExecError::Io(format!(
            "the export ran, but the package cannot be copied from {} ({e}); check [executor] package_share and that this computer can read it",
            src.display()
        ))
    })?;
    if expected > 0 && n != expected {
        let _ = std::fs::remove_file(&tmp);
        return Err(ExecError::Io(format!(
            "the package copied from {} has {n} bytes, the server reported {expected}; copy it again",
            src.display()
        )));
    }
    std::fs::rename(&tmp, dst)
        .map_err(|e| ExecError::Io(format!("cannot move the package to {}: {e}", dst.display())))
}

/// Opens the package with the same reader the lab's inspector uses.
fn inspect_package(path: &Path) -> Result<Value, String> {
    let mut rd = PackageReader::open(path, PackageLimits::default()).map_err(|e| e.to_string())?;
    let c = rd.read_directory().map_err(|e| e.to_string())?;
    Ok(json!({
        "rooms": c.directory.rooms().count(),
        "categories": c.directory.categories().count(),
        "principals": c.directory.principals.len(),
        "addins": c.directory.addins.len(),
        "notes": c.notes,
        "unknown_entries": c.unknown_entries,
    }))
}
