//! The records the store hands out, and the timestamp format it writes.
//!
//! Every timestamp is stored as RFC 3339 text in UTC with exactly three fractional digits
//! (milliseconds) and a `Z` suffix, e.g. `2024-05-01T09:30:00.123Z`. Values handed out by
//! the store are truncated to milliseconds, so a record returned by a write method compares
//! equal to the same record read back later.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The state of one checklist item in one session.
///
/// Serialised (serde, [`ItemState::as_str`], the database) in lowercase: `todo`, `done`,
/// `skipped`, `blocked`, `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    /// Not done yet. Also the state of an item that has a note but was never ticked.
    Todo,
    /// Done.
    Done,
    /// Deliberately not done; needs a reason.
    Skipped,
    /// Cannot be done now; needs a reason.
    Blocked,
    /// Attempted and failed.
    Failed,
}

impl ItemState {
    /// Every state, in checklist order.
    pub const ALL: [ItemState; 5] = [
        ItemState::Todo,
        ItemState::Done,
        ItemState::Skipped,
        ItemState::Blocked,
        ItemState::Failed,
    ];

    /// The lowercase name, as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Todo => "todo",
            ItemState::Done => "done",
            ItemState::Skipped => "skipped",
            ItemState::Blocked => "blocked",
            ItemState::Failed => "failed",
        }
    }

    /// Whether moving an item into this state needs a non-blank reason
    /// (true for [`ItemState::Skipped`] and [`ItemState::Blocked`]).
    pub fn requires_reason(self) -> bool {
        matches!(self, ItemState::Skipped | ItemState::Blocked)
    }
}

impl fmt::Display for ItemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemState {
    type Err = StoreError;

    /// Parses the lowercase name (surrounding whitespace and case are ignored).
    /// Fails with [`StoreError::InvalidState`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        ItemState::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| StoreError::InvalidState(s.to_string()))
    }
}

/// One migration session: a named run of the runbook against one deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Database row id; what the other methods take as `session_id`.
    pub id: i64,
    /// Unique name chosen by the admin.
    pub name: String,
    /// `"lab"` or `"production"`.
    pub deployment: String,
    /// Path of the deployment profile the session was opened with, if any.
    pub profile: Option<String>,
    /// When the session was created (UTC, milliseconds).
    pub created_at: DateTime<Utc>,
    /// Who created it (operator name as given to the wizard).
    pub created_by: String,
    /// When the session was last created or opened (UTC, milliseconds).
    pub last_opened_at: DateTime<Utc>,
}

/// The current state and note of one item in one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    /// Current state ([`ItemState::Todo`] for an item that only has a note).
    pub state: ItemState,
    /// Reason given with the current state (always present for skipped/blocked).
    pub reason: Option<String>,
    /// Who set the current state. For an item that only has a note: the note's author.
    pub who: String,
    /// When the current state was set. For an item that only has a note: the note's time.
    pub at: DateTime<Utc>,
    /// The note, if any (a blank note is stored as none).
    pub note: Option<String>,
    /// Who last wrote (or cleared) the note.
    pub note_who: Option<String>,
    /// When the note was last written (or cleared).
    pub note_at: Option<DateTime<Utc>>,
}

/// One event of the append-only, hash-chained audit trail (see the `store` module docs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Position in the database-wide chain (1, 2, 3, ...).
    pub id: i64,
    /// Session the event belongs to.
    pub session_id: i64,
    /// When it happened (UTC, milliseconds).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub who: String,
    /// What happened, e.g. `item-state`, `note`, `evidence-added`, `downtime-confirmed`.
    pub kind: String,
    /// The checklist item concerned, if any.
    pub item_id: Option<String>,
    /// Value before the change, if the event is a change.
    pub old: Option<String>,
    /// Value after the change, if the event is a change.
    pub new: Option<String>,
    /// Free text (a reason, a job summary, ...).
    pub detail: Option<String>,
    /// Hash of the previous event of the database, or 64 zeros for the first.
    pub prev_hash: String,
    /// SHA-256 (lowercase hex) of this event's canonical serialisation.
    pub hash: String,
}

/// A piece of evidence attached to an item: a job result, a pasted cmdlet output, ...
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it came from, e.g. `"verify job"`, `"operator"`.
    pub source: String,
    /// One line for the checklist screen.
    pub summary: String,
    /// Whether the check passed; `None` when the evidence is informational.
    pub passed: Option<bool>,
    /// Anything structured (counts, hashes, file names); stored as JSON text.
    pub detail: serde_json::Value,
}

/// Evidence as stored, with its id and provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRecord {
    /// Database row id.
    pub id: i64,
    /// Item the evidence belongs to.
    pub item_id: String,
    /// When it was attached (UTC, milliseconds).
    pub at: DateTime<Utc>,
    /// Who attached it.
    pub who: String,
    /// The evidence itself.
    pub evidence: Evidence,
}

/// One run of a background job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    /// Database row id; what [`super::Store::job_finished`] takes.
    pub id: i64,
    /// Session the job ran in.
    pub session_id: i64,
    /// Checklist item that started it.
    pub item_id: String,
    /// Job kind, e.g. `"export"`, `"verify"`.
    pub kind: String,
    /// When it started (UTC, milliseconds).
    pub started_at: DateTime<Utc>,
    /// When it finished, if it did.
    pub finished_at: Option<DateTime<Utc>>,
    /// One of [`JOB_STATUSES`]: `running`, `succeeded`, `failed`, `cancelled`, `interrupted`.
    pub status: String,
    /// Final one-line summary, if finished.
    pub summary: Option<String>,
    /// Path of the job's log file, if any.
    pub log_path: Option<String>,
}

/// What [`super::Store::add_pilot_users`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PilotAdded {
    /// SIP URIs of users that were new to the session.
    pub added: Vec<String>,
    /// SIP URIs of users already there whose name, client, pool or policy changed.
    pub updated: Vec<String>,
    /// Users given again with nothing changed.
    pub unchanged: usize,
}

/// The downtime plan saved for a session (the planner's JSON; see `crate::planner`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// The plan, as the planner serialised it.
    pub json: String,
    /// When it was saved.
    pub saved_at: DateTime<Utc>,
    /// Who saved it.
    pub saved_by: String,
}

/// When one step of the downtime window actually started and finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowStepRecord {
    /// The step id (the planner's, e.g. `stop-services`, `export`).
    pub step: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Who started it.
    pub started_by: String,
    /// When it finished, if it did.
    pub finished_at: Option<DateTime<Utc>>,
    /// Who finished it.
    pub finished_by: Option<String>,
}

/// Everything recorded in one session that the migration's state is derived from
/// (`crate::migration::derive`): one read of the store, handed to a pure function.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionFacts {
    /// The session's row id.
    pub session_id: i64,
    /// The operator's item states and notes, by item id.
    pub records: std::collections::HashMap<String, ItemRecord>,
    /// Evidence per item id, newest first.
    pub evidence: std::collections::HashMap<String, Vec<EvidenceRecord>>,
    /// The session's audit events, oldest first.
    pub events: Vec<AuditEvent>,
    /// The session's job runs, newest first.
    pub runs: Vec<JobRun>,
    /// The downtime window's step marks, in the order they were started.
    pub window_steps: Vec<WindowStepRecord>,
    /// What the file system showed of the newest export's package when it was last looked
    /// at (`jobs::observe_package`, lab only); `None`: not looked at. Not stored: observed.
    #[serde(skip)]
    pub package_on_disk: Option<PackageOnDisk>,
}

/// The export package as found on disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageOnDisk {
    /// The path the export recorded.
    pub path: String,
    /// Its size in bytes; `None`: no file there.
    pub bytes: Option<u64>,
}

impl SessionFacts {
    /// Evidence of an item, newest first (empty when none).
    pub fn evidence_of(&self, item_id: &str) -> &[EvidenceRecord] {
        self.evidence.get(item_id).map_or(&[], Vec::as_slice)
    }

    /// Adds evidence as the newest of its item.
    pub fn push_evidence(&mut self, e: EvidenceRecord) {
        self.evidence
            .entry(e.item_id.clone())
            .or_default()
            .insert(0, e);
    }

    /// Adds or replaces a job run (by id), keeping newest first.
    pub fn upsert_run(&mut self, run: JobRun) {
        self.runs.retain(|r| r.id != run.id);
        self.runs.push(run);
        self.runs.sort_by_key(|r| std::cmp::Reverse(r.id));
    }

    /// Adds or replaces a window step mark (by step).
    pub fn upsert_window_step(&mut self, step: WindowStepRecord) {
        match self.window_steps.iter_mut().find(|w| w.step == step.step) {
            Some(w) => *w = step,
            None => self.window_steps.push(step),
        }
    }
}

/// Every job status. `running` is set by `job_started`; `interrupted` by
/// `mark_interrupted_jobs`; the others by `job_finished` (which also accepts `interrupted`).
pub const JOB_STATUSES: [&str; 5] = ["running", "succeeded", "failed", "cancelled", "interrupted"];

/// The deployments a session may target.
pub const DEPLOYMENTS: [&str; 2] = ["lab", "production"];

/// Now, truncated to milliseconds.
pub(crate) fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// The stored form of a timestamp: RFC 3339, UTC, milliseconds, `Z`.
pub(crate) fn fmt_ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses a stored timestamp; `None` when it is not RFC 3339.
pub(crate) fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
