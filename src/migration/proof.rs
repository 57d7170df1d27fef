//! The `proven_by` rules: which recorded evidence proves an item, and whether it passes.

use chrono::{DateTime, Utc};

use super::VerifyState;
use super::lab_reset::{self, LabReset};
use super::preview::{self, AcceptedLoss, Preview};
use crate::runbook::{Item, JobKind, ProvenBy, Runbook};
use crate::store::{EvidenceRecord, ItemState, SessionFacts};

/// What the rules need besides the item.
pub(super) struct Ctx<'a> {
    pub runbook: &'a Runbook,
    pub facts: &'a SessionFacts,
    /// When the shutdown stage's word was typed: the pools go down by design from then on.
    pub shutdown_at: Option<DateTime<Utc>>,
    pub preview: Option<&'a Preview>,
    pub accepted: &'a [AcceptedLoss],
    pub verify: Option<&'a VerifyState>,
}

/// The newest evidence that decides an item.
#[derive(Clone, Debug)]
pub(super) struct Proof {
    pub passed: bool,
    /// The evidence is the item's own check (false: production pool probes).
    pub authoritative: bool,
    pub evidence_id: i64,
    pub at: DateTime<Utc>,
    pub who: String,
    pub summary: String,
    /// Later work made it stale.
    pub stale: Option<String>,
    /// The state a failing proof gives: `Failed`, or `Todo` for "not yet" checks (services
    /// not stopped yet, pool not started yet).
    pub fail_state: ItemState,
}

fn proof_of(e: &EvidenceRecord, passed: bool) -> Proof {
    Proof {
        passed,
        authoritative: e
            .evidence
            .detail
            .get("authoritative")
            .and_then(|a| a.as_bool())
            .unwrap_or(true),
        evidence_id: e.id,
        at: e.at,
        who: e.who.clone(),
        summary: e.evidence.summary.clone(),
        stale: None,
        fail_state: ItemState::Failed,
    }
}

/// The newest passing import that a lab reset has not voided since, if any.
fn newest_import(ctx: &Ctx<'_>) -> Option<DateTime<Utc>> {
    preview::newest_result(ctx.runbook, ctx.facts, JobKind::Import)
        .filter(|e| e.evidence.passed == Some(true))
        .map(|e| e.at)
        .filter(|at| lab_reset::after(ctx.runbook, ctx.facts, *at, "import", |_| true).is_none())
}

/// The newest verify result.
pub(super) fn latest_verify(runbook: &Runbook, facts: &SessionFacts) -> Option<VerifyState> {
    let e = preview::newest_result(runbook, facts, JobKind::Verify)?;
    let report = e.evidence.detail.get("detail");
    let differences = report
        .and_then(|r| r.get("differences"))
        .and_then(|d| d.as_array())
        .map_or(0, Vec::len);
    let accepted_losses = report
        .and_then(|r| r.get("accepted_losses"))
        .and_then(|d| d.as_array())
        .map(|a| {
            a.iter()
                .map(|l| {
                    let s = |k: &str| l.get(k).and_then(|v| v.as_str()).unwrap_or("");
                    format!("{}: {}", s("code"), s("item"))
                })
                .collect()
        })
        .unwrap_or_default();
    // An import that wrote anything after this verify (finished or partial) makes it stale.
    let import_after = runbook
        .job_item(JobKind::Import)
        .map(|it| facts.evidence_of(&it.id))
        .unwrap_or_default()
        .iter()
        .any(|i| i.at > e.at && i.evidence.passed.is_some());
    let stale = if import_after {
        Some("an import ran after this verify".to_string())
    } else {
        lab_reset::after(runbook, facts, e.at, "verify", |_| true)
    };
    Some(VerifyState {
        evidence_id: e.id,
        at: e.at,
        passed: e.evidence.passed == Some(true),
        summary: e.evidence.summary.clone(),
        differences,
        accepted_losses,
        stale,
    })
}

/// The verify's differences of one aspect (items 59, 60, 61, 64).
fn verify_aspect(ctx: &Ctx<'_>, rule: ProvenBy) -> Option<Proof> {
    let v = ctx.verify?;
    let e = preview::newest_result(ctx.runbook, ctx.facts, JobKind::Verify)?;
    let diffs: Vec<&serde_json::Value> = e
        .evidence
        .detail
        .get("detail")
        .and_then(|r| r.get("differences"))
        .and_then(|d| d.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if diffs.is_empty() && !v.passed && e.evidence.detail.get("error").is_some() {
        // the verify did not run to the end: it proves nothing about the aspects
        return None;
    }
    let is_message_field = |f: &str| {
        f == "messages"
            || f.starts_with("first message")
            || f.starts_with("last message")
            || f.starts_with("content digest")
            || f.starts_with("message")
    };
    let (what, matching): (&str, Vec<&serde_json::Value>) = {
        let of = |pred: &dyn Fn(&str, &str) -> bool| {
            diffs
                .iter()
                .copied()
                .filter(|d| {
                    let k = d.get("kind").and_then(|v| v.as_str()).unwrap_or("");
                    let f = d.get("field").and_then(|v| v.as_str()).unwrap_or("");
                    pred(k, f)
                })
                .collect::<Vec<_>>()
        };
        match rule {
            ProvenBy::VerifyCategories => ("categories", of(&|k, _| k == "category")),
            ProvenBy::VerifyAddIns => ("add-ins", of(&|k, _| k == "addin")),
            ProvenBy::VerifyMessages => (
                "message volumes and content",
                of(&|k, f| k == "room" && is_message_field(f)),
            ),
            _ => (
                "rooms, their settings and role holders",
                of(&|k, f| (k == "room" && !is_message_field(f)) || k == "principal"),
            ),
        }
    };
    let passed = matching.is_empty();
    let summary = if passed {
        let accepted = if v.accepted_losses.is_empty() {
            String::new()
        } else {
            format!(" ({} accepted losses)", v.accepted_losses.len())
        };
        format!("verify: no difference in {what}{accepted}")
    } else {
        let first = matching[0];
        let s = |k: &str| first.get(k).and_then(|v| v.as_str()).unwrap_or("");
        format!(
            "verify: {} in {what} (first: {} \"{}\" {})",
            crate::i18n::count(matching.len(), "difference", "differences"),
            s("kind"),
            s("name"),
            s("field")
        )
    };
    let mut p = proof_of(e, passed);
    p.summary = summary;
    if let Some(why) = &v.stale {
        p.stale = Some(format!("{why}: verify again"));
    }
    Some(p)
}

/// Why the package an export wrote is not what is on disk now, when it was looked at
/// (`SessionFacts::package_on_disk`, the lab's only): gone, or another size.
fn package_gone(facts: &SessionFacts, path: &str, wrote: u64) -> Option<String> {
    let seen = facts.package_on_disk.as_ref().filter(|d| d.path == path)?;
    match seen.bytes {
        None => Some(format!("the package {path} is no longer on disk")),
        Some(b) if b != wrote => Some(format!(
            "the package {path} changed after this export ({b} bytes on disk; the export wrote {wrote})"
        )),
        Some(_) => None,
    }
}

/// Evaluates one item's rule.
pub(super) fn evaluate(ctx: &Ctx<'_>, item: &Item, rule: ProvenBy) -> Option<Proof> {
    match rule {
        ProvenBy::Job => {
            let kind = item.job?;
            match kind {
                JobKind::ImportWhatIf => {
                    let p = ctx.preview?;
                    let e = ctx
                        .facts
                        .evidence_of(&item.id)
                        .iter()
                        .find(|e| e.id == p.evidence_id)?;
                    let errors = p.counts.errors;
                    let accepted = ctx.accepted.len();
                    let passed = p.completed && accepted >= errors;
                    let mut proof = proof_of(e, passed);
                    proof.summary = if !p.completed {
                        e.evidence.summary.clone()
                    } else if errors > accepted {
                        let names: Vec<String> = p
                            .errors()
                            .filter(|w| {
                                !ctx.accepted
                                    .iter()
                                    .any(|a| a.code == w.code && a.item == w.item)
                            })
                            .map(|w| format!("{} \"{}\"", w.code, w.item))
                            .collect();
                        format!(
                            "-WhatIf: {} errors not accepted as losses ({}); {} warnings, {} notes",
                            errors - accepted,
                            names.join(", "),
                            p.counts.warnings,
                            p.counts.notes
                        )
                    } else {
                        use crate::i18n::count;
                        let errors = if errors == 0 {
                            "no errors".to_string()
                        } else {
                            format!(
                                "{} (each accepted as a loss)",
                                count(errors, "error", "errors")
                            )
                        };
                        format!(
                            "-WhatIf: {errors}, {}, {}",
                            count(p.counts.warnings, "warning", "warnings"),
                            count(p.counts.notes, "note", "notes")
                        )
                    };
                    proof.stale.clone_from(&p.stale);
                    Some(proof)
                }
                JobKind::Verify => {
                    let v = ctx.verify?;
                    let e = ctx
                        .facts
                        .evidence_of(&item.id)
                        .iter()
                        .find(|e| e.id == v.evidence_id)?;
                    let mut proof = proof_of(e, v.passed);
                    if let Some(why) = &v.stale {
                        proof.stale = Some(format!("{why}: verify again"));
                    }
                    Some(proof)
                }
                _ => {
                    let e = preview::newest_result(ctx.runbook, ctx.facts, kind)?;
                    let mut p = proof_of(e, e.evidence.passed == Some(true));
                    p.stale = match kind {
                        JobKind::Export => {
                            lab_reset::after(ctx.runbook, ctx.facts, e.at, "export", |r| {
                                r == LabReset::All
                            })
                            .map(|why| format!("{why}: export again"))
                        }
                        JobKind::Import => {
                            lab_reset::after(ctx.runbook, ctx.facts, e.at, "import", |_| true)
                                .map(|why| format!("{why}: import again"))
                        }
                        _ => None,
                    };
                    Some(p)
                }
            }
        }
        ProvenBy::ExportPackage => {
            let e = preview::newest_result(ctx.runbook, ctx.facts, JobKind::Export)?;
            let s = e.evidence.detail.get("detail");
            let n = |k: &str| {
                s.and_then(|s| s.get(k))
                    .and_then(|v| v.as_u64())
                    .unwrap_or(0)
            };
            let bytes = n("bytes");
            let passed = e.evidence.passed == Some(true) && bytes > 0;
            let mut p = proof_of(e, passed);
            p.summary = if passed {
                format!(
                    "package of {bytes} bytes written by the export of {}: {} categories, {} rooms, {} principals, {} messages",
                    e.at.format("%Y-%m-%d %H:%M UTC"),
                    n("categories"),
                    n("rooms"),
                    n("principals"),
                    n("messages")
                )
            } else {
                format!("no package: {}", e.evidence.summary)
            };
            p.stale = lab_reset::after(ctx.runbook, ctx.facts, e.at, "export", |r| {
                r == LabReset::All
            })
            .or_else(|| {
                package_gone(
                    ctx.facts,
                    preview::export_package(ctx.runbook, ctx.facts)?,
                    bytes,
                )
            })
            .map(|why| format!("{why}: export again"));
            Some(p)
        }
        ProvenBy::VerifyCategories
        | ProvenBy::VerifyRooms
        | ProvenBy::VerifyAddIns
        | ProvenBy::VerifyMessages => verify_aspect(ctx, rule),
        _ => probe(ctx, item, rule),
    }
}

/// The evidence sources that answer probe rules: the pool monitor (and the name it had
/// before), and the legacy database probe. Troubleshooting runs and pilot results attached to
/// the same items inform; they do not decide.
pub const PROBE_SOURCES: [&str; 3] = [
    "pool monitor",
    "monitor probe",
    crate::chatdata::precheck::EVIDENCE_SOURCE,
];

/// (from, until): the time during which evidence counts; `None` ends are open.
pub(super) type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The time during which a probe rule's evidence counts: (from, until), `None` when it cannot
/// count yet (the shutdown stage was not entered, no import passed).
pub(super) fn probe_window(ctx: &Ctx<'_>, rule: ProvenBy) -> Option<Window> {
    let shutdown = ctx.shutdown_at;
    let imported = newest_import(ctx);
    Some(match rule {
        // checks of the coexistence period: the pools go down by design at shutdown
        ProvenBy::ProbePoolVisible | ProvenBy::ProbeLegacyServing => (None, shutdown),
        ProvenBy::ProbeLegacyStopped => (Some(shutdown?), None),
        ProvenBy::ProbePchatStopped => (Some(shutdown?), imported),
        ProvenBy::ProbePchatStarted => (Some(imported?), None),
        _ => (None, None),
    })
}

/// Probe rules: the newest probe evidence on the item within the time the rule holds.
fn probe(ctx: &Ctx<'_>, item: &Item, rule: ProvenBy) -> Option<Proof> {
    let (from, until) = probe_window(ctx, rule)?;
    let fail_state = match rule {
        ProvenBy::ProbeLegacyStopped
        | ProvenBy::ProbePchatStopped
        | ProvenBy::ProbePchatStarted => ItemState::Todo,
        _ => ItemState::Failed,
    };
    let e = ctx.facts.evidence_of(&item.id).iter().find(|e| {
        e.evidence.passed.is_some()
            && PROBE_SOURCES.contains(&e.evidence.source.as_str())
            && from.is_none_or(|f| e.at >= f)
            && until.is_none_or(|u| e.at <= u)
    })?;
    let mut p = proof_of(e, e.evidence.passed == Some(true));
    p.fail_state = fail_state;
    Some(p)
}
