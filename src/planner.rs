//! The downtime planner: how long the migration window must be, and, during the window, how
//! each step is doing against its plan.
//!
//! Microsoft gives no duration estimate (migration.md Stage 0: NOT FOUND) and no published
//! throughput figure exists (peers.md §7), so the planner measures: the export, `-WhatIf`
//! and import rates (messages per second) come from a lab rehearsal
//! ([`measured_throughput`]: the passing job evidence of the lab session, whose
//! `JobOutcome` JSON holds `elapsed_ms` and the message counts), or from figures the admin
//! enters. With the size of the source data ([`PlanInputs`]: messages, database MB, file
//! store MB) [`estimate`] builds the window: stop services, backups, export, `-WhatIf`,
//! import, file copy (at a given MB/s), legacy endpoint, start, verify — then a safety
//! factor on top, rounded up to the quarter hour.
//!
//! [`save`] stores the plan with the session (store table `plans`, audit event
//! `plan-saved`); during the window the admin marks steps started and finished
//! ([`crate::store::Store::start_window_step`] / `finish_window_step`), and
//! `crate::migration::window` derives each step's actual times (marks, job runs, checklist
//! items) and elapsed against planned, for the Window screen and the report alike.
//!
//! Inferred: the default durations of the fixed steps ([`FixedSteps::default`]) are our own
//! starting points, to be replaced by the admin's; nothing documented backs them.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::store::{Store, StoreError};

/// One step of the downtime window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    /// Stop all legacy Group Chat services and all Persistent Chat services.
    StopServices,
    /// Final backup of the legacy database, and of `mgc` if anything was pre-created.
    Backups,
    /// `Export-CsPersistentChatData`.
    Export,
    /// `Import-CsPersistentChatData -WhatIf`.
    ImportWhatIf,
    /// `Import-CsPersistentChatData`.
    Import,
    /// Copy the uploaded-files folder to the Persistent Chat file store.
    FileCopy,
    /// Delete the Lookup Server user, create the legacy endpoint.
    Endpoint,
    /// Start the Persistent Chat services on every server.
    Start,
    /// Verify (database comparison, rooms, synthetic test, a legacy client).
    Verify,
}

impl StepId {
    /// Every step, in window order.
    pub const ALL: [StepId; 9] = [
        StepId::StopServices,
        StepId::Backups,
        StepId::Export,
        StepId::ImportWhatIf,
        StepId::Import,
        StepId::FileCopy,
        StepId::Endpoint,
        StepId::Start,
        StepId::Verify,
    ];

    /// The stable id, as stored (`stop-services`, `export`, …).
    pub fn id(self) -> &'static str {
        match self {
            StepId::StopServices => "stop-services",
            StepId::Backups => "backups",
            StepId::Export => "export",
            StepId::ImportWhatIf => "import-whatif",
            StepId::Import => "import",
            StepId::FileCopy => "file-copy",
            StepId::Endpoint => "endpoint",
            StepId::Start => "start",
            StepId::Verify => "verify",
        }
    }

    /// Parses [`StepId::id`].
    pub fn parse(s: &str) -> Option<StepId> {
        StepId::ALL.into_iter().find(|x| x.id() == s)
    }

    /// Title for the planner view and the report.
    pub fn title(self) -> &'static str {
        match self {
            StepId::StopServices => "Stop Group Chat and Persistent Chat services",
            StepId::Backups => "Final backups",
            StepId::Export => "Export",
            StepId::ImportWhatIf => "Import -WhatIf",
            StepId::Import => "Import",
            StepId::FileCopy => "Copy uploaded files",
            StepId::Endpoint => "Legacy endpoint",
            StepId::Start => "Start Persistent Chat",
            StepId::Verify => "Verify",
        }
    }

    /// The runbook items the step covers.
    pub fn items(self) -> &'static [&'static str] {
        match self {
            StepId::StopServices => &["shutdown.stop-legacy", "shutdown.stop-pchat"],
            StepId::Backups => &["shutdown.final-backup", "shutdown.mgc-backup"],
            StepId::Export => &["export.run"],
            StepId::ImportWhatIf => &["import.whatif"],
            StepId::Import => &["import.run"],
            StepId::FileCopy => &["files.copy"],
            StepId::Endpoint => &["endpoint.delete-lookup-user", "endpoint.create"],
            StepId::Start => &["verify.start"],
            StepId::Verify => &["verify.db-compare"],
        }
    }

    /// The job kind (`JobKind::key`) whose runs time this step, if any.
    pub fn job_kind(self) -> Option<&'static str> {
        match self {
            StepId::Export => Some("export"),
            StepId::ImportWhatIf => Some("import-whatif"),
            StepId::Import => Some("import"),
            StepId::Verify => Some("verify"),
            _ => None,
        }
    }
}

/// A throughput: messages per second, and where the figure comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Messages per second.
    pub messages_per_s: f64,
    /// Where it comes from (`lab session "rehearsal": 48000 messages in 12.3 s …` or
    /// `entered by the admin`), in English.
    pub source: String,
    /// The same, worded on the screen in the language of the run (none in plans saved
    /// before it was kept: the screen shows `source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_msg: Option<Msg>,
}

impl Rate {
    /// A figure the admin enters.
    pub fn entered(messages_per_s: f64) -> Rate {
        Rate::with_source(messages_per_s, Msg::new("rate-entered"))
    }

    /// A rate whose source is worded by `source` (English in [`Rate::source`]).
    pub fn with_source(messages_per_s: f64, source: Msg) -> Rate {
        Rate {
            messages_per_s,
            source: source.english(),
            source_msg: Some(source),
        }
    }

    /// Where it comes from, in the language of the run.
    pub fn source_shown(&self) -> String {
        self.source_msg
            .as_ref()
            .map_or_else(|| self.source.clone(), Msg::shown)
    }
}

/// The message naming a job kind (`JobKind::key`) as the source of a rate or a step's
/// times (`export job`); an unknown kind as it is.
pub fn job_msg(kind: &str) -> Msg {
    match kind {
        "export" | "import-whatif" | "import" | "verify" => Msg::new(&format!("rate-job-{kind}")),
        other => Msg::new("rate-job-other").text("kind", other),
    }
}

/// `msg` with the variable `source`: the rate's worded source, or its English text for a
/// rate saved before the wording was kept.
fn with_rate_source(msg: Msg, r: &Rate) -> Msg {
    match &r.source_msg {
        Some(m) => msg.msg("source", m.clone()),
        None => msg.text("source", r.source.clone()),
    }
}

/// The rates of the data-moving steps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Throughput {
    /// Export.
    pub export: Option<Rate>,
    /// Import `-WhatIf`.
    pub import_whatif: Option<Rate>,
    /// Import.
    pub import: Option<Rate>,
    /// Database comparison (verify job).
    pub verify: Option<Rate>,
}

/// Reads the rates a lab rehearsal measured: for each of export, `-WhatIf`, import and
/// verify, the newest passing job evidence of the session (detail = the job's
/// `JobOutcome` JSON: `elapsed_ms`, and `detail.messages` or, for verify,
/// `detail.messages_compared`; for a resumed import `detail.messages_this_run`, the messages
/// that run wrote in its time), falling back to the job run's start and finish when the
/// evidence has no time. Jobs that moved no messages give no rate.
///
/// # Errors
/// Store errors.
pub fn measured_throughput(store: &Store, lab_session: i64) -> Result<Throughput, StoreError> {
    let name = store
        .sessions()?
        .into_iter()
        .find(|s| s.id == lab_session)
        .map(|s| s.name)
        .unwrap_or_else(|| format!("#{lab_session}"));
    let evidence = store.all_evidence(lab_session)?;
    let runs = store.job_runs(lab_session)?;
    let rate = |kind: &str| -> Option<Rate> {
        let ev = evidence.iter().rev().find(|e| {
            e.evidence.passed == Some(true)
                && e.evidence.detail.get("kind").and_then(|k| k.as_str()) == Some(kind)
        })?;
        let d = &ev.evidence.detail;
        let count_key = if kind == "verify" {
            "messages_compared"
        } else {
            "messages"
        };
        let summary = d.get("detail")?;
        // A resumed import wrote only part of the messages in this run's time.
        let resumed = summary.get("resumed").and_then(|v| v.as_bool()) == Some(true);
        let messages = if resumed {
            summary.get("messages_this_run")?.as_u64()?
        } else {
            summary.get(count_key)?.as_u64()?
        };
        let ms = d
            .get("elapsed_ms")
            .and_then(|v| v.as_u64())
            .filter(|ms| *ms > 0)
            .or_else(|| {
                runs.iter()
                    .filter(|r| r.kind == kind && r.status == "succeeded" && r.started_at <= ev.at)
                    .max_by_key(|r| r.started_at)
                    .and_then(|r| r.finished_at.map(|f| (f - r.started_at).num_milliseconds()))
                    .and_then(|ms| u64::try_from(ms).ok())
            })?
            .max(1);
        if messages == 0 {
            return None;
        }
        let per_s = messages as f64 * 1000.0 / ms as f64;
        Some(Rate::with_source(
            per_s,
            Msg::new("rate-lab")
                .text("session", name.clone())
                .num("messages", messages)
                .text("seconds", format!("{:.1}", ms as f64 / 1000.0))
                .msg("job", job_msg(kind))
                .text("when", ev.at.format("%Y-%m-%d %H:%M UTC").to_string()),
        ))
    };
    Ok(Throughput {
        export: rate("export"),
        import_whatif: rate("import-whatif"),
        import: rate("import"),
        verify: rate("verify"),
    })
}

/// Durations of the steps that do not scale with the data, in minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedSteps {
    /// Stopping every legacy and Persistent Chat service.
    pub stop_services_min: u32,
    /// The final backups, when no backup rate is given.
    pub backups_min: u32,
    /// Deleting the Lookup Server user and creating the legacy endpoint.
    pub endpoint_min: u32,
    /// Starting the Persistent Chat services.
    pub start_min: u32,
    /// The verification beyond the database comparison (rooms, synthetic test, a legacy
    /// client).
    pub verify_min: u32,
    /// The file copy when files were posted but the folder's size is not known.
    #[serde(default = "default_file_copy_unknown_min")]
    pub file_copy_unknown_min: u32,
}

fn default_file_copy_unknown_min() -> u32 {
    30
}

impl Default for FixedSteps {
    /// 15, 30, 15, 15 and 60 minutes (30 for a file copy of unknown size). Inferred: our
    /// starting points, not Microsoft's.
    fn default() -> Self {
        FixedSteps {
            stop_services_min: 15,
            backups_min: 30,
            endpoint_min: 15,
            start_min: 15,
            verify_min: 60,
            file_copy_unknown_min: default_file_copy_unknown_min(),
        }
    }
}

/// What the estimate is built from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanInputs {
    /// Messages in the source (legacy) database, after the cut-off date.
    pub messages: u64,
    /// Size of the legacy database in MB (for the backup, when a backup rate is given).
    pub database_mb: f64,
    /// Size of the legacy uploaded-files folder in MB (0: not known).
    pub file_store_mb: f64,
    /// File posts (`ma-filelink:` messages) in the source: when the folder's size is not
    /// known but files were posted, the plan says so instead of "nothing to copy".
    #[serde(default)]
    pub file_posts: u64,
    /// Copy speed of the file copy, MB/s.
    pub copy_mb_per_s: f64,
    /// Backup speed, MB/s; `None` uses [`FixedSteps::backups_min`].
    pub backup_mb_per_s: Option<f64>,
    /// Export, `-WhatIf`, import and verify rates.
    pub throughput: Throughput,
    /// The fixed steps.
    pub fixed: FixedSteps,
    /// Whether the `-WhatIf` run happens inside the window (it must follow the final
    /// export, so normally yes).
    pub include_whatif: bool,
    /// Multiplier on the total (≥ 1.0), for what the lab does not show.
    pub safety_factor: f64,
    /// When the window starts, if booked.
    pub starts_at: Option<DateTime<Utc>>,
}

impl Default for PlanInputs {
    fn default() -> Self {
        PlanInputs {
            messages: 0,
            database_mb: 0.0,
            file_store_mb: 0.0,
            file_posts: 0,
            copy_mb_per_s: 50.0,
            backup_mb_per_s: None,
            throughput: Throughput::default(),
            fixed: FixedSteps::default(),
            include_whatif: true,
            safety_factor: 1.5,
            starts_at: None,
        }
    }
}

/// Why no plan could be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A data-moving step has no rate.
    #[error(
        "no {step} rate: rehearse it in the lab (pchat-migrate {job} on the lab deployment) \
         or enter the messages per second"
    )]
    MissingRate {
        /// The step title.
        step: &'static str,
        /// The headless command that measures it.
        job: &'static str,
    },
    /// A figure is out of range.
    #[error("{field}: {problem}")]
    Invalid {
        /// The input.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// One step of the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedStep {
    /// The step.
    pub step: StepId,
    /// Its title.
    pub title: String,
    /// How the duration was reached (`48000 messages at 3900 msg/s (lab …)`, `fixed`), in
    /// English.
    pub basis: String,
    /// The same, worded on the screen in the language of the run (none in plans saved
    /// before it was kept: the screen shows `basis`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis_msg: Option<Msg>,
    /// Planned duration, seconds (whole minutes).
    pub planned_s: u64,
    /// Planned start, seconds after the window starts.
    pub offset_s: u64,
}

impl PlannedStep {
    /// How the duration was reached, in the language of the run.
    pub fn basis_shown(&self) -> String {
        self.basis_msg
            .as_ref()
            .map_or_else(|| self.basis.clone(), Msg::shown)
    }
}

/// A downtime plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// What it was built from.
    pub inputs: PlanInputs,
    /// The steps, in order.
    pub steps: Vec<PlannedStep>,
    /// Sum of the steps, seconds.
    pub total_s: u64,
    /// The window to book: total × safety factor, rounded up to 15 minutes.
    pub window_s: u64,
    /// When the window starts, if booked.
    pub starts_at: Option<DateTime<Utc>>,
    /// When it ends (start + window), if booked.
    pub ends_at: Option<DateTime<Utc>>,
}

impl Plan {
    /// One line: `window 6h 15m (steps 4h 05m × 1.5), Sat 2024-06-01 20:00 UTC → …`.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "window {} (steps {} × {})",
            fmt_duration(self.window_s),
            fmt_duration(self.total_s),
            self.inputs.safety_factor
        );
        if let (Some(a), Some(b)) = (self.starts_at, self.ends_at) {
            s.push_str(&format!(
                ", {} → {}",
                a.format("%a %Y-%m-%d %H:%M UTC"),
                b.format("%a %Y-%m-%d %H:%M UTC")
            ));
        }
        s
    }

    /// The planned step.
    pub fn step(&self, id: StepId) -> Option<&PlannedStep> {
        self.steps.iter().find(|s| s.step == id)
    }
}

/// `2h 05m`, `45m`, `30s`, `3d 04h`.
pub fn fmt_duration(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        (secs % 86_400) / 3600,
        (secs % 3600) / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        if s > 0 {
            format!("{m}m {s:02}s")
        } else {
            format!("{m}m")
        }
    } else {
        format!("{s}s")
    }
}

fn minutes(m: u32) -> u64 {
    u64::from(m) * 60
}

/// Seconds rounded up to whole minutes, at least one minute.
fn round_up_min(secs: f64) -> u64 {
    let s = secs.max(0.0).ceil() as u64;
    (s.div_ceil(60)).max(1) * 60
}

/// Builds the plan.
///
/// # Errors
/// [`PlanError::MissingRate`] when export or import (or `-WhatIf`, when included) has no
/// rate and there are messages to move; [`PlanError::Invalid`] for a negative or non-finite
/// figure, a safety factor below 1, a copy speed of 0 with files to copy.
pub fn estimate(inputs: &PlanInputs) -> Result<Plan, PlanError> {
    let bad = |field, problem: &str| {
        Err(PlanError::Invalid {
            field,
            problem: problem.to_string(),
        })
    };
    for (field, v) in [
        ("database MB", inputs.database_mb),
        ("file store MB", inputs.file_store_mb),
        ("copy MB/s", inputs.copy_mb_per_s),
    ] {
        if !v.is_finite() || v < 0.0 {
            return bad(field, "must be a number of zero or more");
        }
    }
    if !inputs.safety_factor.is_finite() || inputs.safety_factor < 1.0 {
        return bad("safety factor", "must be 1.0 or more (1.5 adds half again)");
    }
    if inputs.file_store_mb > 0.0 && inputs.copy_mb_per_s <= 0.0 {
        return bad(
            "copy MB/s",
            "must be more than 0 when there are files to copy",
        );
    }
    if let Some(b) = inputs.backup_mb_per_s
        && (!b.is_finite() || b <= 0.0)
    {
        return bad("backup MB/s", "must be more than 0 (or left empty)");
    }
    let t = &inputs.throughput;
    for r in [&t.export, &t.import_whatif, &t.import, &t.verify]
        .into_iter()
        .flatten()
    {
        if !r.messages_per_s.is_finite() || r.messages_per_s <= 0.0 {
            return bad("messages per second", "must be more than 0");
        }
    }
    let moving =
        |rate: &Option<Rate>, step: StepId, job: &'static str| -> Result<(u64, Msg), PlanError> {
            if inputs.messages == 0 {
                return Ok((60, Msg::new("plan-basis-no-messages")));
            }
            let r = rate.as_ref().ok_or(PlanError::MissingRate {
                step: step.title(),
                job,
            })?;
            Ok((
                round_up_min(inputs.messages as f64 / r.messages_per_s),
                with_rate_source(
                    Msg::new("plan-basis-messages")
                        .num("messages", inputs.messages)
                        .text("rate", format!("{:.0}", r.messages_per_s)),
                    r,
                ),
            ))
        };
    let f = &inputs.fixed;
    let fixed = || Msg::new("plan-basis-fixed");
    let mut steps: Vec<(StepId, u64, Msg)> = Vec::new();
    steps.push((StepId::StopServices, minutes(f.stop_services_min), fixed()));
    match inputs.backup_mb_per_s {
        Some(rate) if inputs.database_mb > 0.0 => steps.push((
            StepId::Backups,
            round_up_min(inputs.database_mb / rate),
            Msg::new("plan-basis-size")
                .text("mb", format!("{:.0}", inputs.database_mb))
                .text("rate", rate.to_string()),
        )),
        _ => steps.push((StepId::Backups, minutes(f.backups_min), fixed())),
    }
    let (s, b) = moving(&t.export, StepId::Export, "export")?;
    steps.push((StepId::Export, s, b));
    if inputs.include_whatif {
        let rate = t.import_whatif.clone().or_else(|| t.import.clone());
        let (s, b) = moving(&rate, StepId::ImportWhatIf, "import --what-if")?;
        steps.push((StepId::ImportWhatIf, s, b));
    }
    let (s, b) = moving(&t.import, StepId::Import, "import")?;
    steps.push((StepId::Import, s, b));
    if inputs.file_store_mb > 0.0 {
        steps.push((
            StepId::FileCopy,
            round_up_min(inputs.file_store_mb / inputs.copy_mb_per_s),
            Msg::new("plan-basis-size")
                .text("mb", format!("{:.0}", inputs.file_store_mb))
                .text("rate", inputs.copy_mb_per_s.to_string()),
        ));
    } else if inputs.file_posts > 0 {
        // Files were posted, but the folder's size is not known: say so rather than plan
        // nothing (the fixed time is a placeholder until the size is entered).
        steps.push((
            StepId::FileCopy,
            minutes(f.file_copy_unknown_min),
            Msg::new("plan-basis-files-unsized").num("posts", inputs.file_posts),
        ));
    } else {
        steps.push((StepId::FileCopy, 60, Msg::new("plan-basis-no-file-posts")));
    }
    steps.push((StepId::Endpoint, minutes(f.endpoint_min), fixed()));
    steps.push((StepId::Start, minutes(f.start_min), fixed()));
    let (verify_s, verify_basis) = match &t.verify {
        Some(r) if inputs.messages > 0 => (
            minutes(f.verify_min) + round_up_min(inputs.messages as f64 / r.messages_per_s),
            with_rate_source(
                Msg::new("plan-basis-verify")
                    .num("minutes", u64::from(f.verify_min))
                    .num("messages", inputs.messages)
                    .text("rate", format!("{:.0}", r.messages_per_s)),
                r,
            ),
        ),
        _ => (minutes(f.verify_min), fixed()),
    };
    steps.push((StepId::Verify, verify_s, verify_basis));

    let mut offset = 0;
    let steps: Vec<PlannedStep> = steps
        .into_iter()
        .map(|(step, planned_s, basis)| {
            let p = PlannedStep {
                step,
                title: step.title().to_string(),
                basis: basis.english(),
                basis_msg: Some(basis),
                planned_s,
                offset_s: offset,
            };
            offset += planned_s;
            p
        })
        .collect();
    let total_s = offset;
    let quarter = 15 * 60;
    let window_s =
        ((total_s as f64 * inputs.safety_factor).ceil() as u64).div_ceil(quarter) * quarter;
    let ends_at = inputs
        .starts_at
        .map(|s| s + Duration::seconds(i64::try_from(window_s).unwrap_or(i64::MAX)));
    Ok(Plan {
        inputs: inputs.clone(),
        steps,
        total_s,
        window_s,
        starts_at: inputs.starts_at,
        ends_at,
    })
}

/// Saves the plan with the session, durably, with a `plan-saved` audit event.
///
/// # Errors
/// Store errors.
pub fn save(store: &mut Store, session_id: i64, plan: &Plan, who: &str) -> Result<(), StoreError> {
    let json = serde_json::to_string(plan).map_err(|e| StoreError::Corrupt {
        db: "plan".into(),
        detail: e.to_string(),
    })?;
    store.save_plan(session_id, &json, &plan.summary(), who)?;
    Ok(())
}

/// The session's saved plan, if any.
///
/// # Errors
/// Store errors; [`StoreError::Corrupt`] when the stored JSON is not a plan.
pub fn load(store: &Store, session_id: i64) -> Result<Option<Plan>, StoreError> {
    store
        .plan(session_id)?
        .map(|r| {
            serde_json::from_str(&r.json).map_err(|e| StoreError::Corrupt {
                db: store
                    .path()
                    .map_or_else(|| ":memory:".into(), |p| p.display().to_string()),
                detail: format!("the saved plan is not readable: {e}"),
            })
        })
        .transpose()
}

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    /// Not started.
    Pending,
    /// Running, within its planned time.
    Running,
    /// Running, past its planned time.
    RunningLate,
    /// Finished within its planned time.
    Done,
    /// Finished, later than planned.
    DoneLate,
}

impl StepState {
    /// `pending`, `running`, `RUNNING LATE`, `done`, `done late`.
    pub fn label(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::RunningLate => "RUNNING LATE",
            StepState::Done => "done",
            StepState::DoneLate => "done late",
        }
    }
}

/// Elapsed against planned for one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStatus {
    /// The step.
    pub step: StepId,
    /// Its title.
    pub title: String,
    /// Planned duration, seconds.
    pub planned_s: u64,
    /// Elapsed so far (running) or in all (finished), seconds; `None` when not started.
    pub elapsed_s: Option<u64>,
    /// Where it stands.
    pub state: StepState,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Where the times come from, in English.
    pub source: Option<String>,
    /// The same, worded on the screen in the language of the run.
    #[serde(skip)]
    pub source_msg: Option<Msg>,
}

impl StepStatus {
    /// Where the times come from, in the language of the run.
    pub fn source_shown(&self) -> Option<String> {
        self.source_msg
            .as_ref()
            .map(Msg::shown)
            .or_else(|| self.source.clone())
    }
}

/// The window as a whole: planned against actual.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowProgress {
    /// The booked window, seconds.
    pub window_s: u64,
    /// The planned steps, seconds.
    pub planned_s: u64,
    /// From the first step's start to the last finish (or `now` while a step runs or some
    /// are pending), seconds; `None` before anything started.
    pub actual_s: Option<u64>,
    /// When the first step started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the last step finished, when every step has.
    pub finished_at: Option<DateTime<Utc>>,
    /// Projected end: elapsed so far plus the planned time of what is left (running steps
    /// count their remaining planned time, at least zero).
    pub projected_s: Option<u64>,
    /// Whether the projection fits in the booked window.
    pub within_window: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> PlanInputs {
        PlanInputs {
            messages: 1_200_000,
            database_mb: 0.0,
            file_store_mb: 30_000.0,
            copy_mb_per_s: 50.0,
            throughput: Throughput {
                export: Some(Rate::entered(1000.0)),
                import_whatif: None,
                import: Some(Rate::entered(500.0)),
                verify: None,
            },
            ..PlanInputs::default()
        }
    }

    #[test]
    fn planner_estimate_adds_steps_and_safety_factor() {
        let p = estimate(&inputs()).unwrap();
        let ids: Vec<_> = p.steps.iter().map(|s| s.step).collect();
        assert_eq!(ids, StepId::ALL);
        let get = |id| p.step(id).unwrap().planned_s;
        assert_eq!(get(StepId::Export), 1200);
        assert_eq!(get(StepId::Import), 2400);
        assert_eq!(
            get(StepId::ImportWhatIf),
            2400,
            "falls back to the import rate"
        );
        assert_eq!(get(StepId::FileCopy), 10 * 60);
        assert_eq!(get(StepId::StopServices), 15 * 60);
        let total: u64 = p.steps.iter().map(|s| s.planned_s).sum();
        assert_eq!(p.total_s, total);
        assert_eq!(
            p.steps[3].offset_s,
            p.steps[0].planned_s + p.steps[1].planned_s + p.steps[2].planned_s
        );
        assert!(p.window_s as f64 >= p.total_s as f64 * 1.5);
        assert_eq!(p.window_s % 900, 0);
        assert!(p.window_s < p.total_s * 3 / 2 + 900);
        assert!(p.summary().contains("× 1.5"), "{}", p.summary());
        assert!(p.steps[2].basis.contains("entered by the admin"));
    }

    /// The plan keeps its English wording (the report and the audit trail read it) and the
    /// same wording as a message, which the screen shows in the language of the run.
    #[test]
    fn the_basis_is_english_in_the_plan_and_worded_per_language() {
        let p = estimate(&inputs()).unwrap();
        let stop = p.step(StepId::StopServices).unwrap();
        assert_eq!(stop.basis, "fixed");
        let msg = stop.basis_msg.as_ref().unwrap();
        assert_eq!(msg.in_language("it-IT"), "fisso");
        assert_eq!(msg.in_language("ko-KR"), "고정");
        let export = p.step(StepId::Export).unwrap();
        assert_eq!(
            export.basis,
            "1200000 messages at 1000 msg/s (entered by the admin)"
        );
        assert_eq!(
            export.basis_msg.as_ref().unwrap().in_language("es-ES"),
            "1200000 mensajes a 1000 msg/s (introducido por el administrador)"
        );
        // Saved and loaded, the wording survives; a plan saved before it was kept has none
        // and the screen falls back to the English text.
        let json = serde_json::to_string(&p).unwrap();
        let back: Plan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let old = json.replace(r#","basis_msg":{"id":"plan-basis-fixed"}"#, "");
        let old: Plan = serde_json::from_str(&old).unwrap();
        let stop = old.step(StepId::StopServices).unwrap();
        assert_eq!(stop.basis_msg, None);
        assert_eq!(stop.basis_shown(), "fixed");
    }

    #[test]
    fn planner_missing_rate_and_bad_figures_are_refused() {
        let mut i = inputs();
        i.throughput.export = None;
        let e = estimate(&i).unwrap_err();
        assert!(e.to_string().contains("no Export rate"), "{e}");
        assert!(e.to_string().contains("pchat-migrate export"), "{e}");
        let mut i = inputs();
        i.safety_factor = 0.9;
        assert!(matches!(estimate(&i), Err(PlanError::Invalid { .. })));
        let mut i = inputs();
        i.copy_mb_per_s = 0.0;
        assert!(matches!(estimate(&i), Err(PlanError::Invalid { .. })));
        let mut i = inputs();
        i.throughput.import = Some(Rate::entered(f64::NAN));
        assert!(matches!(estimate(&i), Err(PlanError::Invalid { .. })));
        // No messages: no rate needed.
        let i = PlanInputs::default();
        assert!(estimate(&i).is_ok());
    }

    #[test]
    fn planner_backup_rate_and_booked_start() {
        let mut i = inputs();
        i.database_mb = 9000.0;
        i.backup_mb_per_s = Some(30.0);
        let start = DateTime::parse_from_rfc3339("2024-06-01T20:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        i.starts_at = Some(start);
        let p = estimate(&i).unwrap();
        assert_eq!(p.step(StepId::Backups).unwrap().planned_s, 5 * 60);
        assert_eq!(
            p.ends_at.unwrap(),
            start + Duration::seconds(p.window_s as i64)
        );
        assert!(p.summary().contains("2024-06-01 20:00"));
        i.include_whatif = false;
        assert!(estimate(&i).unwrap().step(StepId::ImportWhatIf).is_none());
    }

    #[test]
    fn posted_files_of_unknown_size_are_not_nothing_to_copy() {
        let mut i = inputs();
        i.file_store_mb = 0.0;
        i.file_posts = 366;
        let p = estimate(&i).unwrap();
        let copy = p.step(StepId::FileCopy).unwrap();
        assert!(copy.basis.contains("366 file posts"), "{}", copy.basis);
        assert!(copy.basis.contains("item 37"), "{}", copy.basis);
        assert_eq!(copy.planned_s, 30 * 60);
        i.file_posts = 0;
        let p = estimate(&i).unwrap();
        assert!(
            p.step(StepId::FileCopy)
                .unwrap()
                .basis
                .contains("nothing to copy")
        );
    }

    #[test]
    fn planner_fmt_duration() {
        assert_eq!(fmt_duration(30), "30s");
        assert_eq!(fmt_duration(45 * 60), "45m");
        assert_eq!(fmt_duration(90), "1m 30s");
        assert_eq!(fmt_duration(2 * 3600 + 5 * 60), "2h 05m");
        assert_eq!(fmt_duration(3 * 86_400 + 4 * 3600), "3d 04h");
    }
}
