//! The messages that come back to the wizard from the store thread, job threads, probes and
//! file readers: one typed variant per result (a screen's own results in its own enum), so a
//! test can inject any of them and the log names each one as it arrives.

use std::path::PathBuf;

use super::ctx::TopologyRead;
use super::screens::pilot::PilotMsg;
use super::screens::troubleshoot::TroubleshootMsg;
use super::screens::window::WindowMsg;
use crate::jobs::{JobError, JobKind, JobOutcome};
use crate::store::{AuditEvent, EvidenceRecord, ItemRecord, JobRun, Session};
use crate::wizard::Pending;

/// A result arriving on the UI task.
pub enum AppMsg {
    /// An item's state or note was committed (or not).
    Saved {
        /// Item id.
        item_id: String,
        /// The committed record or the error.
        result: Result<ItemRecord, String>,
        /// Status text to show on success.
        what: String,
    },
    /// An audit event (confirmation, override, acknowledgement, accepted loss) was committed.
    EventRecorded {
        /// The committed event or the error.
        result: Result<AuditEvent, String>,
        /// What to do next.
        then: Option<Pending>,
    },
    /// A job run was recorded as started; the job may start.
    JobRecorded {
        /// Item id.
        item_id: String,
        /// Which job.
        kind: JobKind,
        /// The run or the error.
        result: Result<JobRun, String>,
    },
    /// A job thread ended.
    JobDone {
        /// Item id.
        item_id: String,
        /// Run id.
        run_id: i64,
        /// Which job.
        kind: JobKind,
        /// The outcome.
        result: Result<JobOutcome, JobError>,
    },
    /// A job's or probe's result was committed: its evidence, and the finished run.
    JobResultSaved {
        /// Item id.
        item_id: String,
        /// The evidence.
        evidence: Result<EvidenceRecord, String>,
        /// The finished job run (none for probe evidence).
        run: Option<JobRun>,
    },
    /// The session list for the picker.
    SessionsListed(Result<Vec<Session>, String>),
    /// The legacy database probe's results (items 9 and 32).
    LegacyProbe {
        /// The results, or why the probe could not run.
        result: Result<Vec<crate::chatdata::precheck::PrecheckEvidence>, String>,
        /// The admin asked for it.
        asked: bool,
    },
    /// The package inspector's inventory for the open `-WhatIf` preview.
    PreviewInventory(Vec<String>),
    /// A lab pool was stopped or started (true: now running), or why not.
    LabPoolToggled {
        /// The pool.
        fqdn: String,
        /// Running after the change, or the error.
        result: Result<bool, String>,
    },
    /// A topology file was read (and, in production, merged into the profile).
    TopologyRead(Result<TopologyRead, String>),
    /// The sign-off report was written (the HTML file), or why not.
    ReportWritten(Result<PathBuf, String>),
    /// The diagnostics zip was written, or why not.
    DiagnosticsWritten(Result<PathBuf, String>),
    /// A result for the pilot screen.
    Pilot(Box<PilotMsg>),
    /// A result for the troubleshooting screen.
    Troubleshoot(Box<TroubleshootMsg>),
    /// A result for the downtime window screen.
    Window(Box<WindowMsg>),
}

impl AppMsg {
    /// What the message is, for the debug log (ids and outcomes, never payloads).
    pub fn describe(&self) -> String {
        fn ok<T, E>(r: &Result<T, E>) -> &'static str {
            if r.is_ok() { "ok" } else { "error" }
        }
        match self {
            AppMsg::Saved {
                item_id, result, ..
            } => format!("saved {item_id}: {}", ok(result)),
            AppMsg::EventRecorded { result, then } => format!(
                "event recorded: {}{}",
                match result {
                    Ok(e) => e.kind.clone(),
                    Err(_) => "error".into(),
                },
                if then.is_some() {
                    ", then ask again"
                } else {
                    ""
                }
            ),
            AppMsg::JobRecorded {
                item_id,
                kind,
                result,
            } => {
                format!("job recorded {item_id} {}: {}", kind.key(), ok(result))
            }
            AppMsg::JobDone {
                item_id,
                run_id,
                kind,
                result,
            } => format!(
                "job done {item_id} {} run {run_id}: {}",
                kind.key(),
                ok(result)
            ),
            AppMsg::JobResultSaved {
                item_id,
                evidence,
                run,
            } => format!(
                "result saved {item_id}: {}{}",
                ok(evidence),
                if run.is_some() { " (job run)" } else { "" }
            ),
            AppMsg::SessionsListed(r) => format!("sessions listed: {}", ok(r)),
            AppMsg::LegacyProbe { result, asked } => {
                format!("legacy probe (asked {asked}): {}", ok(result))
            }
            AppMsg::PreviewInventory(l) => format!("preview inventory: {} lines", l.len()),
            AppMsg::LabPoolToggled { fqdn, result } => format!("lab pool {fqdn}: {result:?}"),
            AppMsg::TopologyRead(r) => format!("topology read: {}", ok(r)),
            AppMsg::ReportWritten(r) => format!("report written: {}", ok(r)),
            AppMsg::DiagnosticsWritten(r) => format!("diagnostics written: {}", ok(r)),
            AppMsg::Pilot(m) => format!("pilot: {}", m.describe()),
            AppMsg::Troubleshoot(m) => format!("troubleshoot: {}", m.describe()),
            AppMsg::Window(m) => format!("window: {}", m.describe()),
        }
    }
}
