//! The troubleshooting screen's results: event logs read, checks run, runs recorded.

use super::*;

/// The troubleshooting screen's results.
#[derive(Debug)]
pub enum TroubleshootMsg {
    /// An event log was read (file) or pulled (production), or why not.
    EventsRead(Result<troubleshoot::events::EventReport, String>),
    /// A symptom's checks ended (None: the worker thread panicked).
    ChecksDone {
        /// The symptom.
        symptom: Symptom,
        /// The results.
        results: Option<Vec<CheckResult>>,
    },
    /// A run was recorded as evidence (or not).
    RunSaved {
        /// The symptom.
        symptom: Symptom,
        /// The results.
        results: Vec<CheckResult>,
        /// The evidence, or the error.
        saved: Result<EvidenceRecord, String>,
    },
}

impl TroubleshootMsg {
    /// What the message is, for the debug log.
    pub fn describe(&self) -> String {
        match self {
            TroubleshootMsg::EventsRead(r) => format!("events read: {}", r.is_ok()),
            TroubleshootMsg::ChecksDone { symptom, results } => format!(
                "checks of {} done: {}",
                symptom.id,
                results.as_ref().map_or(0, Vec::len)
            ),
            TroubleshootMsg::RunSaved { symptom, saved, .. } => {
                format!("run of {} saved: {}", symptom.id, saved.is_ok())
            }
        }
    }
}

impl TroubleshootState {
    /// Applies one of the screen's results.
    pub(super) fn apply(&mut self, ctx: &mut Ctx, msg: TroubleshootMsg) {
        match msg {
            TroubleshootMsg::EventsRead(report) => self.on_events_read(ctx, report),
            TroubleshootMsg::ChecksDone { symptom, results } => {
                self.on_checks_done(ctx, symptom, results);
            }
            TroubleshootMsg::RunSaved {
                symptom,
                results,
                saved,
            } => self.on_run_saved(ctx, symptom, results, saved),
        }
    }
}
