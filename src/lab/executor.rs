//! The lab executor: the four jobs on the lab's SQLite databases, run in this process by the
//! native data plane ([`crate::chatdata`]: export, the `-WhatIf` preview and the import,
//! verify).

use std::time::Instant;

use crate::chatdata::{self, ImportOptions, VerifyOptions};
use crate::executor::{Executor, JobEnv, JobError, JobKind, JobOutcome, need};
use crate::progress::Reporter;

/// Runs the jobs of a lab deployment natively on `env.lab`'s files.
#[derive(Clone, Copy, Debug, Default)]
pub struct LabExecutor;

impl Executor for LabExecutor {
    fn run(&self, kind: JobKind, env: &JobEnv, r: &dyn Reporter) -> Result<JobOutcome, JobError> {
        let started = Instant::now();
        let map_err = |e: chatdata::ChatDataError| match e {
            chatdata::ChatDataError::Cancelled(c) => JobError::Cancelled(c),
            other => JobError::Data(other),
        };
        let mut findings = None;
        let (passed, summary, detail) = match kind {
            JobKind::Export => {
                need(
                    &env.lab.legacy_db,
                    "the lab's legacy Group Chat database",
                    "pchat-migrate lab init",
                )?;
                let opts = env.export_options()?;
                let s = chatdata::export(&env.lab.legacy_db, &env.package, &opts, r)
                    .map_err(map_err)?;
                let line = format!(
                    "exported {} categories, {} rooms ({} disabled), {} principals, {} messages to {} ({} bytes)",
                    s.categories,
                    s.rooms,
                    s.disabled_rooms,
                    s.principals,
                    s.messages,
                    env.package.display(),
                    s.bytes
                );
                (true, line, serde_json::to_value(&s).unwrap_or_default())
            }
            JobKind::ImportWhatIf | JobKind::Import => {
                need(
                    &env.package,
                    "the export package",
                    "run the Export item first",
                )?;
                let what_if = kind == JobKind::ImportWhatIf;
                let opts = ImportOptions {
                    what_if,
                    target_pool_fqdn: env.profile.pchat_pool().map(|p| p.fqdn.clone()),
                    ..ImportOptions::default()
                };
                let s =
                    chatdata::import(&env.package, &env.lab.mgc_db, &opts, r).map_err(map_err)?;
                let c = chatdata::preflight::Counts::of_warnings(&s.warnings);
                let line = import_line(&s, &c, what_if);
                // A preview that refuses items did its work but found losses: it does not pass
                // until each loss is accepted by name (migration::preview decides the gate).
                let passed = !what_if || c.errors == 0;
                findings = Some(c);
                (passed, line, serde_json::to_value(&s).unwrap_or_default())
            }
            JobKind::Verify => {
                need(
                    &env.lab.legacy_db,
                    "the lab's legacy Group Chat database",
                    "pchat-migrate lab init",
                )?;
                need(
                    &env.lab.mgc_db,
                    "the lab's Persistent Chat mgc database",
                    "pchat-migrate lab init",
                )?;
                let opts = VerifyOptions {
                    start_date_ticks: env.start_date_ticks()?,
                    scope: env.profile.migration.scope.clone(),
                    disable_exported_nodes: env.profile.migration.disable_exported_nodes,
                    accepted_losses: env.accepted_losses.clone(),
                };
                let v = chatdata::verify(&env.lab.legacy_db, &env.lab.mgc_db, &opts, r)
                    .map_err(map_err)?;
                let line = if v.passed {
                    let accepted = if v.accepted_losses.is_empty() {
                        "no differences".to_string()
                    } else {
                        format!(
                            "no differences beyond {} accepted losses ({})",
                            v.accepted_losses.len(),
                            v.accepted_losses
                                .iter()
                                .map(|l| format!("{} \"{}\"", l.code, l.item))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    format!(
                        "verify passed: {} categories, {} rooms, {} messages compared, {accepted}",
                        v.categories_compared, v.rooms_compared, v.messages_compared
                    )
                } else {
                    let first = v
                        .differences
                        .first()
                        .map(|d| format!(" (first: {} \"{}\" {})", d.kind, d.name, d.field))
                        .unwrap_or_default();
                    format!(
                        "verify FAILED: {}{first}",
                        crate::i18n::count(v.differences.len(), "difference", "differences")
                    )
                };
                (v.passed, line, serde_json::to_value(&v).unwrap_or_default())
            }
        };
        Ok(JobOutcome {
            kind,
            passed,
            summary,
            detail,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            findings,
        })
    }
}

/// The evidence line of an import or a `-WhatIf`: what this run did, not only what the target
/// now holds (a re-run of a complete import writes nothing; a resumed one writes the rest).
fn import_line(
    s: &chatdata::ImportSummary,
    c: &chatdata::preflight::Counts,
    what_if: bool,
) -> String {
    format!(
        "{}{} categories, {} rooms, {} principals{}, {} messages{}; {}; {} overwritten{}",
        if what_if {
            "-WhatIf: would import "
        } else if s.already_complete {
            "already imported before, nothing written by this run (target checked): "
        } else {
            "imported "
        },
        s.categories,
        s.rooms,
        s.principals,
        if s.principals_left_out.is_empty() {
            String::new()
        } else {
            format!(
                " (of {} in the package; left out: {})",
                s.principals_in_package,
                s.principals_left_out.join("; ")
            )
        },
        s.messages,
        if s.resumed {
            format!(" (resumed: {} written by this run)", s.messages_this_run)
        } else {
            String::new()
        },
        c.phrase(),
        s.overwritten.len(),
        if s.already_complete {
            " by the earlier run"
        } else {
            ""
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_line_says_what_this_run_wrote() {
        let none = chatdata::preflight::Counts::default();
        let s = chatdata::ImportSummary {
            categories: 2,
            rooms: 3,
            principals: 4,
            messages: 20,
            messages_this_run: 20,
            overwritten: vec!["room: A".into()],
            ..Default::default()
        };
        assert_eq!(
            import_line(&s, &none, false),
            "imported 2 categories, 3 rooms, 4 principals, 20 messages; 0 errors, 0 warnings, 0 notes; 1 overwritten"
        );
        assert!(import_line(&s, &none, true).starts_with("-WhatIf: would import 2 categories"));
        let resumed = chatdata::ImportSummary {
            resumed: true,
            messages_this_run: 5,
            ..s.clone()
        };
        assert!(
            import_line(&resumed, &none, false)
                .contains("20 messages (resumed: 5 written by this run); ")
        );
        let again = chatdata::ImportSummary {
            already_complete: true,
            messages_this_run: 0,
            ..s
        };
        let line = import_line(&again, &none, false);
        assert!(
            line.starts_with("already imported before, nothing written by this run (target checked): 2 categories"),
            "{line}"
        );
        assert!(line.ends_with("1 overwritten by the earlier run"), "{line}");
    }
}
