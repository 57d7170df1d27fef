//! The production verify, room by room, read-only, in two levels:
//!
//! 1. **Room list** (no database rights needed): the rooms of the export package, converted as
//!    the import converts them, against `Get-CsPersistentChatRoom` — each room present, its
//!    disabled flag, its managers and members ([`crate::chatdata::verify::compare_room_list`]).
//! 2. **Databases**: the verify script reads, on the server, the rows the lab verify compares
//!    from the legacy and the `mgc` database (`crate::chatdata::mirror::queries`, read-only
//!    SqlClient connections); they stream into local SQLite copies as they arrive
//!    ([`crate::chatdata::mirror::Mirror`]), and the lab verify ([`crate::chatdata::verify()`])
//!    compares the copies — the same code, so production and lab check the same things:
//!    categories, rooms and their settings, principals, roles, per-room message counts, first
//!    and last message time and content digests, honouring `-StartDate`, `-Scope` and the
//!    losses accepted by name.
//!
//! Transport (see ARCHITECTURE.md): the PowerShell executor, because .NET's SqlClient is on
//! every Lync server, Windows authentication works from the same session (no second
//! credential, no SQL login), and the rows use the executor's framing and redaction; a native
//! TDS client would need its own Kerberos set-up on the management server.

use std::cell::RefCell;

use serde_json::{Value, json};

use super::script::{ROWS_STEP, Task};
use super::{ExecError, TaskOutcome};
use crate::chatdata::mirror::{self, Mirror};
use crate::chatdata::verify::{ListedRoom, compare_room_list};
use crate::chatdata::{self, VerifyOptions, VerifyReport};
use crate::executor::JobEnv;
use crate::progress::Reporter;

/// Runs the verify script with its row reads streaming into the copies, then compares.
///
/// # Errors
/// As [`super::run_task`]; the copies' own failures (disk full) as [`ExecError::Io`].
pub fn run(env: &JobEnv, r: &dyn Reporter) -> Result<TaskOutcome, ExecError> {
    // Both scripts render before anything runs: a profile value they cannot carry stops here.
    if let Some(cfg) = super::powershell_config(env) {
        super::script_for_task(Task::VerifyRows, env, &cfg)?;
        super::script_for_task(Task::Verify, env, &cfg)?;
    }
    let start = crate::chatdata::ticks::parse_date(&env.profile.migration.start_date);
    let queries = mirror::queries(start);
    let m = RefCell::new(
        Mirror::create(&env.mirror_dir)
            .map_err(|e| ExecError::Io(format!("cannot create the verify copies: {e}")))?,
    );
    let mut sink = |_key: &str, line: &str| -> Result<(), String> {
        m.borrow_mut()
            .line(&queries, line)
            .map_err(|e| e.to_string())
    };
    let none = super::TaskOptions::default();
    let (rows_outcome, _) =
        super::run_task_streaming(Task::VerifyRows, env, &none, r, Some(&mut sink))?;
    let copied = m.borrow().rows();
    let (legacy, mgc) = m
        .into_inner()
        .finish()
        .map_err(|e| ExecError::Io(format!("cannot finish the verify copies: {e}")))?;

    // Which row reads failed (no rights, a column the server lacks): level 2 cannot run.
    let row_errors: Vec<String> = rows_outcome
        .detail
        .get("errors")
        .and_then(Value::as_array)
        .map(|errs| {
            errs.iter()
                .filter(|e| {
                    e.get("step")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.starts_with(ROWS_STEP))
                })
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.get("step").and_then(Value::as_str).unwrap_or(""),
                        e.get("message").and_then(Value::as_str).unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();

    let opts = VerifyOptions {
        start_date_ticks: start,
        scope: env.profile.migration.scope.clone(),
        disable_exported_nodes: env.profile.migration.disable_exported_nodes,
        accepted_losses: env.accepted_losses.clone(),
    };
    // Every row read must have run to its end: a script that stopped early read nothing.
    let completed: Vec<&str> = rows_outcome
        .detail
        .get("steps_completed")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let missing: Vec<String> = [format!("{ROWS_STEP}1")]
        .into_iter()
        .filter(|k| !completed.contains(&k.as_str()))
        .collect();
    let level2: Result<VerifyReport, String> = if !missing.is_empty() && row_errors.is_empty() {
        Err("the row reads did not run to their end (the read step did not finish)".to_string())
    } else if row_errors.is_empty() {
        chatdata::verify(&legacy, &mgc, &opts, r)
            .map_err(|e| match e {
                chatdata::ChatDataError::Cancelled(_) => "cancelled".to_string(),
                other => other.to_string(),
            })
            .and_then(|rep| {
                // an empty source compares nothing: that is not a pass
                if rep.categories_compared == 0 && rep.rooms_compared == 0 {
                    Err("the legacy database returned no category and no room: check legacy_db and \
                         legacy sql_instance in the profile"
                        .to_string())
                } else {
                    Ok(rep)
                }
            })
    } else {
        Err(format!(
            "the databases could not be read ({}); grant the account db_datareader on both databases, or compare them \
             with the Resource Kit's ChatUpgradeVerifier",
            row_errors.join("; ")
        ))
    };
    if matches!(&level2, Err(e) if e == "cancelled") {
        return Err(ExecError::Cancelled);
    }

    // The cmdlet checks (pool, services, database, categories, rooms, endpoint, policy,
    // message test).
    let (mut o, rooms) = super::run_task_streaming(Task::Verify, env, &none, r, None)?;

    // Level 1: the package's rooms against the pool's.
    let level1 = room_list(env, rooms.as_deref(), &opts);

    let checks_passed = o.passed;
    let mut detail = match &level2 {
        Ok(report) => serde_json::to_value(report).unwrap_or_default(),
        Err(_) => json!({ "passed": false, "differences": [] }),
    };
    let (l1_diffs, l1_note) = match &level1 {
        Ok(d) => (d.clone(), None),
        Err(e) => (Vec::new(), Some(e.clone())),
    };
    let level2_passed = level2.as_ref().is_ok_and(|r| r.passed);
    let passed = checks_passed && level2_passed && l1_diffs.is_empty();
    if let Value::Object(d) = &mut detail {
        d.insert("passed".into(), json!(passed));
        d.insert("rows_copied".into(), json!(copied));
        d.insert(
            "database_comparison".into(),
            match &level2 {
                Ok(_) => json!("compared"),
                Err(e) => json!(format!("not run: {e}")),
            },
        );
        d.insert("room_list_differences".into(), json!(l1_diffs));
        if let Some(n) = &l1_note {
            d.insert("room_list".into(), json!(format!("not compared: {n}")));
        }
        if let Value::Object(cmdlets) = std::mem::take(&mut o.detail) {
            for (k, v) in cmdlets {
                d.entry(k).or_insert(v);
            }
        }
        d.insert("rows_script".into(), rows_outcome.detail.clone());
    }
    o.summary = if passed {
        let rep = level2.as_ref().expect("passed means compared");
        format!(
            "verify passed: {} categories, {} rooms, {} messages compared on the databases, the room list matches the \
             package{}",
            rep.categories_compared,
            rep.rooms_compared,
            rep.messages_compared,
            if rep.accepted_losses.is_empty() {
                String::new()
            } else {
                format!("; {} accepted losses", rep.accepted_losses.len())
            }
        )
    } else {
        // every reason, the cmdlet checks first
        let mut parts = Vec::new();
        if !checks_passed {
            parts.push(o.summary.trim_start_matches("verify FAILED: ").to_string());
        }
        match &level2 {
            Ok(rep) if !rep.passed => parts.push(format!(
                "{} in the databases{}",
                crate::i18n::count(rep.differences.len(), "difference", "differences"),
                rep.differences
                    .first()
                    .map(|d| format!(" (first: {} \"{}\" {})", d.kind, d.name, d.field))
                    .unwrap_or_default()
            )),
            Ok(_) => {}
            Err(e) => parts.push(e.clone()),
        }
        if let Some(d) = l1_diffs.first() {
            parts.push(format!(
                "{} in the room list (first: {} \"{}\" {})",
                crate::i18n::count(l1_diffs.len(), "difference", "differences"),
                d.kind,
                d.name,
                d.field
            ));
        }
        format!("verify FAILED: {}", parts.join("; "))
    };
    o.passed = passed;
    o.detail = detail;
    Ok(o)
}

/// Level 1, from the cmdlet output already in the outcome and the package on this computer.
fn room_list(
    env: &JobEnv,
    rooms: Option<&[Value]>,
    opts: &VerifyOptions,
) -> Result<Vec<chatdata::Difference>, String> {
    let listed: Vec<ListedRoom> = rooms
        .ok_or("the pool's room list was not read")?
        .iter()
        .map(|v| {
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let list = |k: &str| {
                s(k).split([' ', ',', ';'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            ListedRoom {
                name: s("Name"),
                disabled: match s("Disabled").to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                managers: list("Managers"),
                members: list("Members"),
            }
        })
        .collect();
    let mut rd = chatdata::package::PackageReader::open(
        &env.package,
        chatdata::package::PackageLimits::default(),
    )
    .map_err(|e| format!("the export package cannot be read ({e})"))?;
    let mut contents = rd.read_directory().map_err(|e| e.to_string())?;
    chatdata::convert::restrict_to_scope(&mut contents.directory, &opts.scope)?;
    let conv = chatdata::convert::convert(&contents.directory);
    Ok(compare_room_list(
        &conv,
        &contents.directory,
        &listed,
        &opts.accepted_losses,
    ))
}
