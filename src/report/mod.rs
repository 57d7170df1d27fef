//! The sign-off report: what was done in a migration session, by whom and when, with the
//! proof — for change management to read and sign.
//!
//! [`build`] gathers a [`Report`] (a plain data model) from the session store, the runbook
//! and the deployment profile: the deployment summary; every stage and item with its state,
//! who, when, note and evidence; the job runs and their timings; the verification summary
//! (from the verify job's evidence: rooms and messages compared, differences); the pilot;
//! the troubleshooting runs; the downtime window, planned against actual; and whether the
//! audit trail is intact ([`crate::store::Store::verify_audit`], naming the first broken
//! event if not). One walk over the model (`render`) decides what the report says and in
//! which order, and writes it through a small `Sink` trait; [`markdown`] and [`html`] are
//! the two sinks (each escapes every value its own way), so both formats show the same
//! content. The HTML is one self-contained, print-friendly file (inline CSS, no scripts, no
//! external assets).

mod html;
mod markdown;
mod render;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::deployment::{DeploymentKind, Profile};
use crate::migration::{self, Migration, Verdict};
use crate::pilot::{self, CoexistenceEvidence, PilotProgress, PilotResults};
use crate::planner::{self, Plan, StepStatus, WindowProgress};
use crate::runbook::{JobKind, Runbook, Stage};
use crate::store::{EvidenceRecord, ItemState, Store, StoreError};

pub use html::html;
pub use markdown::markdown;

/// How many verification differences the report lists (the rest are counted).
pub const MAX_DIFFERENCES: usize = 50;

/// The sign-off report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Title.
    pub title: String,
    /// When it was built.
    pub generated_at: DateTime<Utc>,
    /// pchat-migrate's version.
    pub tool_version: String,
    /// The session.
    pub session: SessionInfo,
    /// The deployment.
    pub deployment: DeploymentSummary,
    /// Item counts over the 13 migration stages.
    pub totals: ItemTotals,
    /// The 13 stages in order, then the rollback when any of its items was touched.
    pub stages: Vec<StageReport>,
    /// Job runs, oldest first.
    pub jobs: Vec<JobLine>,
    /// The newest verify job result, if any.
    pub verification: Option<VerificationSummary>,
    /// The pilot.
    pub pilot: PilotSection,
    /// Troubleshooting runs recorded as evidence, oldest first.
    pub troubleshooting: Vec<TroubleshootLine>,
    /// The downtime window, when a plan was saved.
    pub window: Option<WindowSection>,
    /// The audit trail check.
    pub audit: AuditSection,
    /// The newest `-WhatIf` preview: errors, warnings and notes apart, and the losses accepted.
    pub preview: Option<PreviewSection>,
    /// Ready to decommission the legacy pool, or not and why (`migration::Verdict`).
    pub verdict: Verdict,
}

/// The newest `-WhatIf` preview, as the report shows it.
#[derive(Clone, Debug, Serialize)]
pub struct PreviewSection {
    /// When it ran.
    pub at: DateTime<Utc>,
    /// Items the import refuses.
    pub errors: usize,
    /// Items imported but changed.
    pub warnings: usize,
    /// For information.
    pub notes: usize,
    /// Each error: `code "item": what the preview said`.
    pub error_lines: Vec<String>,
    /// Losses accepted by name: `code: item`.
    pub accepted_losses: Vec<String>,
    /// Why it no longer stands (the package was exported again after it, the lab was
    /// re-created after it); `None` while current.
    pub stale: Option<String>,
}

/// The session.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    /// Row id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `lab` or `production`.
    pub deployment: String,
    /// Profile path, if any.
    pub profile: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: String,
}

/// One pool of the deployment.
#[derive(Clone, Debug, Serialize)]
pub struct PoolLine {
    /// Product (`Lync Server 2013 Persistent Chat`, …).
    pub product: String,
    /// FQDN.
    pub fqdn: String,
    /// Servers.
    pub servers: Vec<String>,
    /// SQL instance and database (`sql\inst / mgc`), if any.
    pub database: Option<String>,
    /// File store, if any.
    pub file_store: Option<String>,
}

/// The deployment, from the profile.
#[derive(Clone, Debug, Serialize)]
pub struct DeploymentSummary {
    /// Profile name.
    pub name: String,
    /// `lab` or `production`.
    pub kind: String,
    /// SIP domain.
    pub sip_domain: String,
    /// `Lync Server 2010 Group Chat gcpool… → Lync Server 2013 Persistent Chat pchatpool…`.
    pub migration: String,
    /// Every pool.
    pub pools: Vec<PoolLine>,
    /// Sites.
    pub sites: Vec<String>,
    /// Export settings in cmdlet terms (`-Level All`, `-Scope …`, `-StartDate …`).
    pub export_settings: Vec<String>,
    /// The Lookup Server URI kept by the legacy endpoint.
    pub lookup_uri: String,
}

/// Counts of item states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ItemTotals {
    /// Items.
    pub total: usize,
    /// Done.
    pub done: usize,
    /// Skipped (with a reason).
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
    /// Blocked.
    pub blocked: usize,
    /// Not done.
    pub todo: usize,
}

impl ItemTotals {
    fn add(&mut self, s: ItemState) {
        self.total += 1;
        match s {
            ItemState::Done => self.done += 1,
            ItemState::Skipped => self.skipped += 1,
            ItemState::Failed => self.failed += 1,
            ItemState::Blocked => self.blocked += 1,
            ItemState::Todo => self.todo += 1,
        }
    }

    /// Every item done or skipped.
    pub fn complete(&self) -> bool {
        self.total > 0 && self.done + self.skipped == self.total
    }
}

/// One piece of evidence, as the report shows it.
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceLine {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub who: String,
    /// Source (`Verify job`, `pilot`, `troubleshoot: …`, `operator`).
    pub source: String,
    /// One line.
    pub summary: String,
    /// Passed, failed, or informational.
    pub passed: Option<bool>,
}

impl From<&EvidenceRecord> for EvidenceLine {
    fn from(e: &EvidenceRecord) -> Self {
        EvidenceLine {
            at: e.at,
            who: e.who.clone(),
            source: e.evidence.source.clone(),
            summary: e.evidence.summary.clone(),
            passed: e.evidence.passed,
        }
    }
}

/// One checklist item.
#[derive(Clone, Debug, Serialize)]
pub struct ItemReport {
    /// Item id.
    pub id: String,
    /// migration.md §5 number.
    pub checklist: Option<u32>,
    /// Title.
    pub title: String,
    /// manual / probe / task.
    pub kind: String,
    /// State.
    pub state: ItemState,
    /// Reason given with the state.
    pub reason: Option<String>,
    /// Who set the state (none for an untouched item).
    pub who: Option<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
    /// The note.
    pub note: Option<String>,
    /// Who wrote the note.
    pub note_who: Option<String>,
    /// When.
    pub note_at: Option<DateTime<Utc>>,
    /// Evidence, newest first.
    pub evidence: Vec<EvidenceLine>,
    /// What decided the state: `operator`, `evidence` or `untouched`.
    pub decided_by: String,
    /// What the deciding evidence proves about this item, when the item's own evidence lines
    /// do not say it (`migration::ItemStatus::proof_line`).
    pub proof: Option<String>,
    /// What else to know: a contradiction, a stale or missing proof (`migration::Flag`).
    pub flags: Vec<String>,
}

/// One line per flag of an item's state.
pub fn flag_lines(flags: &[migration::Flag]) -> Vec<String> {
    flags
        .iter()
        .map(|f| match f {
            migration::Flag::Contradicted { summary, at, .. } => format!(
                "contradicted by evidence of {}: {summary}",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            migration::Flag::Suggested { summary } => {
                format!("evidence suggests it is done (not its own check): {summary}")
            }
            migration::Flag::Stale { why } => format!("proof stale: {why}"),
            migration::Flag::Unproven => "marked done by hand; no evidence recorded".into(),
        })
        .collect()
}
#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    /// Stage id.
    pub id: String,
    /// 0–12, 99 for the rollback.
    pub number: u32,
    /// Title.
    pub title: String,
    /// Purpose.
    pub summary: String,
    /// Whether it takes the service down.
    pub downtime: bool,
    /// Its items.
    pub items: Vec<ItemReport>,
    /// Their counts.
    pub totals: ItemTotals,
}

/// One job run.
#[derive(Clone, Debug, Serialize)]
pub struct JobLine {
    /// Run id.
    pub id: i64,
    /// Kind (`export`, …).
    pub kind: String,
    /// Item.
    pub item_id: String,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Status.
    pub status: String,
    /// Summary.
    pub summary: Option<String>,
    /// Duration (seconds, milliseconds precision).
    pub duration_s: Option<f64>,
}

/// A difference found by the verification.
#[derive(Clone, Debug, Serialize)]
pub struct DiffLine {
    /// `category`, `room`, `addin`, `principal`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Field.
    pub field: String,
    /// Expected.
    pub expected: String,
    /// Found.
    pub actual: String,
}

/// The verification, from the newest evidence of the verify job's item.
#[derive(Clone, Debug, Serialize)]
pub struct VerificationSummary {
    /// The item.
    pub item_id: String,
    /// When the evidence was recorded.
    pub at: DateTime<Utc>,
    /// Who.
    pub who: String,
    /// Passed.
    pub passed: bool,
    /// The job's one line.
    pub summary: String,
    /// Categories compared.
    pub categories_compared: u64,
    /// Rooms compared.
    pub rooms_compared: u64,
    /// Messages compared.
    pub messages_compared: u64,
    /// Number of differences.
    pub differences_total: usize,
    /// The first [`MAX_DIFFERENCES`].
    pub differences: Vec<DiffLine>,
    /// Rooms and categories only on the new pool.
    pub target_only: Vec<String>,
    /// How long the comparison took, ms.
    pub elapsed_ms: Option<u64>,
    /// The job's error, when it failed without a report.
    pub error: Option<String>,
    /// Losses accepted by name before the import, which the verify found as expected.
    pub accepted_losses: Vec<String>,
    /// Why it no longer describes the target (an import ran after it, the lab's databases
    /// were reset after it); `None` while current.
    pub stale: Option<String>,
}

/// The pilot.
#[derive(Clone, Debug, Serialize)]
pub struct PilotSection {
    /// Users and results.
    pub results: PilotResults,
    /// Counts.
    pub progress: PilotProgress,
    /// The verdicts for items 26, 27, 66.
    pub coexistence: Vec<CoexistenceEvidence>,
}

/// One troubleshooting run.
#[derive(Clone, Debug, Serialize)]
pub struct TroubleshootLine {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub who: String,
    /// The item it was recorded on.
    pub item_id: String,
    /// The symptom id.
    pub symptom: String,
    /// The run's one line.
    pub summary: String,
    /// Verdict.
    pub passed: Option<bool>,
}

/// The downtime window.
#[derive(Clone, Debug, Serialize)]
pub struct WindowSection {
    /// The saved plan.
    pub plan: Plan,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
    /// By.
    pub saved_by: String,
    /// Each step, elapsed against planned.
    pub steps: Vec<StepStatus>,
    /// The window as a whole.
    pub progress: WindowProgress,
}

/// The audit trail check.
#[derive(Clone, Debug, Serialize)]
pub struct AuditSection {
    /// The whole chain verifies.
    pub intact: bool,
    /// The first event that does not verify.
    pub broken_event: Option<i64>,
    /// Why.
    pub broken_reason: Option<String>,
    /// Events of this session.
    pub session_events: usize,
    /// First event of the session.
    pub first_at: Option<DateTime<Utc>>,
    /// Last event of the session.
    pub last_at: Option<DateTime<Utc>>,
    /// Hash of the session's last event (to quote in the change record).
    pub last_hash: Option<String>,
}

impl AuditSection {
    /// `audit trail intact` or `audit trail BROKEN at event #n: reason`.
    pub fn verdict(&self) -> String {
        if self.intact {
            "audit trail intact".into()
        } else {
            format!(
                "audit trail BROKEN at event #{}: {}",
                self.broken_event.unwrap_or(0),
                self.broken_reason.as_deref().unwrap_or("")
            )
        }
    }
}

fn u64_at(v: &serde_json::Value, k: &str) -> u64 {
    v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0)
}

fn str_at(v: &serde_json::Value, k: &str) -> String {
    match v.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn verification(runbook: &Runbook, evidence: &[EvidenceRecord]) -> Option<VerificationSummary> {
    let item = runbook.job_item(JobKind::Verify)?.id.clone();
    // Newest evidence from the verify job (not the operator's or the pilot's).
    let e = evidence
        .iter()
        .filter(|e| e.item_id == item)
        .filter(|e| {
            e.evidence.detail.get("kind").and_then(|k| k.as_str()) == Some("verify")
                || e.evidence.detail.get("error").is_some()
        })
        .max_by_key(|e| e.id)?;
    let d = &e.evidence.detail;
    let report = d.get("detail").cloned().unwrap_or(serde_json::Value::Null);
    let diffs = report
        .get("differences")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    Some(VerificationSummary {
        item_id: item,
        at: e.at,
        who: e.who.clone(),
        passed: e.evidence.passed == Some(true),
        summary: e.evidence.summary.clone(),
        categories_compared: u64_at(&report, "categories_compared"),
        rooms_compared: u64_at(&report, "rooms_compared"),
        messages_compared: u64_at(&report, "messages_compared"),
        differences_total: diffs.len(),
        differences: diffs
            .iter()
            .take(MAX_DIFFERENCES)
            .map(|x| DiffLine {
                kind: str_at(x, "kind"),
                name: str_at(x, "name"),
                field: str_at(x, "field"),
                expected: str_at(x, "expected"),
                actual: str_at(x, "actual"),
            })
            .collect(),
        target_only: report
            .get("target_only")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        elapsed_ms: d
            .get("elapsed_ms")
            .and_then(serde_json::Value::as_u64)
            .or_else(|| report.get("elapsed_ms").and_then(serde_json::Value::as_u64)),
        error: d.get("error").and_then(|v| v.as_str()).map(str::to_string),
        accepted_losses: Vec::new(),
        stale: None,
    })
}

fn deployment_summary(profile: &Profile) -> DeploymentSummary {
    let pools = profile
        .pools
        .iter()
        .map(|p| PoolLine {
            product: p.kind.product_name().to_string(),
            fqdn: p.fqdn.clone(),
            servers: p.servers.clone(),
            database: match (&p.sql_instance, &p.database) {
                (Some(s), Some(d)) => Some(format!("{s} / {d}")),
                (Some(s), None) => Some(s.clone()),
                (None, Some(d)) => Some(d.clone()),
                (None, None) => None,
            },
            file_store: p.file_store.clone(),
        })
        .collect();
    let migration = match (profile.legacy_pool(), profile.pchat_pool()) {
        (Some(l), Some(p)) => format!(
            "{} {} → {} {}",
            l.kind.product_name(),
            l.fqdn,
            p.kind.product_name(),
            p.fqdn
        ),
        _ => "the profile names no legacy pool or no Persistent Chat pool".into(),
    };
    let m = &profile.migration;
    let mut export_settings = vec![format!("-Level {}", m.export_level)];
    if !m.scope.is_empty() {
        export_settings.push(format!("-Scope {}", m.scope.join(", ")));
    }
    if !m.start_date.is_empty() {
        export_settings.push(format!("-StartDate {}", m.start_date));
    }
    if m.disable_exported_nodes {
        export_settings.push("-DisableExportedNodes".into());
    }
    let lookup_uri = profile
        .legacy_pool()
        .and_then(|p| p.lookup_uri.clone())
        .unwrap_or_else(|| format!("sip:ocschat@{}", profile.sip_domain));
    DeploymentSummary {
        name: profile.name.clone(),
        kind: match profile.kind {
            DeploymentKind::Lab => "lab".into(),
            DeploymentKind::Production => "production".into(),
        },
        sip_domain: profile.sip_domain.clone(),
        migration,
        pools,
        sites: profile.sites.iter().map(|s| s.name.clone()).collect(),
        export_settings,
        lookup_uri,
    }
}

fn stage_report(
    stage: &Stage,
    m: &Migration,
    records: &std::collections::HashMap<String, crate::store::ItemRecord>,
    evidence: &[EvidenceRecord],
) -> StageReport {
    let mut totals = ItemTotals::default();
    let items = stage
        .items
        .iter()
        .map(|it| {
            let rec = records.get(&it.id);
            let st = m.item(&it.id);
            totals.add(st.state);
            let mut ev: Vec<EvidenceLine> = evidence
                .iter()
                .filter(|e| e.item_id == it.id)
                .map(EvidenceLine::from)
                .collect();
            ev.reverse();
            // An item that only has a note was never ticked: no who/when for its state.
            let note_only = matches!(st.source, migration::Source::Operator { .. })
                && rec.is_some_and(|r| r.state == ItemState::Todo && r.note.is_some());
            ItemReport {
                id: it.id.clone(),
                checklist: it.checklist,
                title: it.title.clone(),
                kind: it.kind.label().to_string(),
                state: st.state,
                reason: st.reason.clone(),
                who: st.who().filter(|_| !note_only).map(str::to_string),
                at: st.at().filter(|_| !note_only),
                note: rec.and_then(|r| r.note.clone()),
                note_who: rec.and_then(|r| r.note.as_ref().and(r.note_who.clone())),
                note_at: rec.and_then(|r| r.note.as_ref().and(r.note_at)),
                decided_by: match st.source {
                    migration::Source::Untouched => "untouched",
                    migration::Source::Operator { .. } => "operator",
                    migration::Source::Evidence { .. } => "evidence",
                }
                .into(),
                proof: st
                    .proof_line(ev.iter().map(|e| e.summary.as_str()))
                    .map(str::to_string),
                evidence: ev,
                flags: flag_lines(&st.flags),
            }
        })
        .collect();
    StageReport {
        id: stage.id.clone(),
        number: stage.number,
        title: stage.title.clone(),
        summary: stage.summary.clone(),
        downtime: stage.downtime,
        items,
        totals,
    }
}

/// Gathers the report of a session.
///
/// # Errors
/// Store errors ([`StoreError::UnknownSession`] for an unknown id). A broken audit trail is
/// not an error: the report says so.
pub fn build(
    store: &Store,
    session_id: i64,
    runbook: &Runbook,
    profile: &Profile,
) -> Result<Report, StoreError> {
    build_at(store, session_id, runbook, profile, Utc::now())
}

/// [`build`] as of `now` (for the running step of the window).
///
/// # Errors
/// As [`build`].
pub fn build_at(
    store: &Store,
    session_id: i64,
    runbook: &Runbook,
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<Report, StoreError> {
    let session = store
        .sessions()?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or_else(|| StoreError::UnknownSession {
            db: store
                .path()
                .map_or_else(|| ":memory:".into(), |p| p.display().to_string()),
            id: session_id,
        })?;
    let mut facts = store.facts(session_id)?;
    crate::jobs::observe_package(profile.kind, runbook, &mut facts);
    let m = migration::derive(runbook, &facts);
    let records = &facts.records;
    let evidence = store.all_evidence(session_id)?;

    let mut totals = ItemTotals::default();
    let mut stages: Vec<StageReport> = runbook
        .stages
        .iter()
        .map(|s| {
            let r = stage_report(s, &m, records, &evidence);
            for it in &r.items {
                totals.add(it.state);
            }
            r
        })
        .collect();
    if runbook
        .rollback
        .items
        .iter()
        .any(|i| records.contains_key(&i.id) || evidence.iter().any(|e| e.item_id == i.id))
    {
        stages.push(stage_report(&runbook.rollback, &m, records, &evidence));
    }

    let mut jobs: Vec<JobLine> = store
        .job_runs(session_id)?
        .into_iter()
        .map(|j| JobLine {
            id: j.id,
            duration_s: j
                .finished_at
                .map(|f| (f - j.started_at).num_milliseconds() as f64 / 1000.0),
            kind: j.kind,
            item_id: j.item_id,
            started_at: j.started_at,
            finished_at: j.finished_at,
            status: j.status,
            summary: j.summary,
        })
        .collect();
    jobs.sort_by_key(|j| j.id);

    let results = store.pilot_results(session_id)?;
    let pilot = PilotSection {
        progress: pilot::progress(&results),
        coexistence: pilot::coexistence_evidence(&results),
        results,
    };

    let troubleshooting = evidence
        .iter()
        .filter_map(|e| {
            let symptom = e.evidence.source.strip_prefix("troubleshoot: ")?;
            Some(TroubleshootLine {
                at: e.at,
                who: e.who.clone(),
                item_id: e.item_id.clone(),
                symptom: symptom.to_string(),
                summary: e.evidence.summary.clone(),
                passed: e.evidence.passed,
            })
        })
        .collect();

    let window = match (store.plan(session_id)?, planner::load(store, session_id)?) {
        (Some(rec), Some(plan)) => {
            let actual = migration::window::actuals(runbook, &facts, &m);
            let steps = migration::window::statuses(Some(&plan), &actual, now);
            let progress = migration::window::progress(&plan, &steps, now);
            Some(WindowSection {
                plan,
                saved_at: rec.saved_at,
                saved_by: rec.saved_by,
                steps,
                progress,
            })
        }
        _ => None,
    };

    let events = store.audit(session_id)?;
    let audit = match store.verify_audit(session_id) {
        Ok(()) => AuditSection {
            intact: true,
            broken_event: None,
            broken_reason: None,
            session_events: events.len(),
            first_at: events.first().map(|e| e.at),
            last_at: events.last().map(|e| e.at),
            last_hash: events.last().map(|e| e.hash.clone()),
        },
        Err(b) => AuditSection {
            intact: false,
            broken_event: Some(b.id),
            broken_reason: Some(b.reason),
            session_events: events.len(),
            first_at: events.first().map(|e| e.at),
            last_at: events.last().map(|e| e.at),
            last_hash: events.last().map(|e| e.hash.clone()),
        },
    };

    Ok(Report {
        title: "Persistent Chat migration: sign-off report".into(),
        generated_at: now,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        session: SessionInfo {
            id: session.id,
            name: session.name,
            deployment: session.deployment,
            profile: session.profile,
            created_at: session.created_at,
            created_by: session.created_by,
        },
        deployment: deployment_summary(profile),
        totals,
        stages,
        jobs,
        verification: verification(runbook, &evidence).map(|mut v| {
            if let Some(state) = &m.verify {
                v.accepted_losses = state.accepted_losses.clone();
                v.stale.clone_from(&state.stale);
            }
            v
        }),
        pilot,
        troubleshooting,
        window,
        audit,
        preview: m.preview.as_ref().map(|p| PreviewSection {
            at: p.at,
            errors: p.counts.errors,
            warnings: p.counts.warnings,
            notes: p.counts.notes,
            error_lines: p
                .errors()
                .map(|w| format!("{} \"{}\": {}", w.code, w.item, w.message))
                .collect(),
            accepted_losses: m
                .accepted_losses
                .iter()
                .map(|l| format!("{}: {}", l.code, l.item))
                .collect(),
            stale: p.stale.clone(),
        }),
        verdict: m.verdict.clone(),
    })
}

/// `2024-06-01 20:00:05 UTC`.
pub(crate) fn fmt_ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// `passed` / `FAILED` / `info`.
pub(crate) fn passed_label(p: Option<bool>) -> &'static str {
    match p {
        Some(true) => "passed",
        Some(false) => "FAILED",
        None => "info",
    }
}

/// `1 event`, `243 events`.
pub(crate) fn events(n: usize) -> String {
    if n == 1 {
        "1 event".into()
    } else {
        format!("{n} events")
    }
}
