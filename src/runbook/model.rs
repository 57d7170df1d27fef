//! The runbook's data types: stages, items, item kinds and the background jobs that carry
//! items out. The values come from `assets/runbook/*.toml` (see [`super::Runbook`]).

use serde::{Deserialize, Serialize};

/// How an item gets done, as tagged in the checklist of `migration.md` §5.
///
/// An item tagged both probe and task is a [`ItemKind::Task`]; its probe is named in the
/// item's `proof`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// A decision or a check that only a person can make (`[manual]`).
    Manual,
    /// A read-only check that is safe to automate (`[probe: …]`).
    Probe,
    /// A step that changes state (`[task: …]`); it is shown in full before it runs.
    Task,
}

impl ItemKind {
    /// The kind as admins read it in the checklist ("manual", "probe", "task").
    pub fn label(&self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Probe => "probe",
            Self::Task => "task",
        }
    }
}

/// A background job that carries out or checks one checklist item.
///
/// Exactly four items have a job: §5 item 42 → `Export`, 46 → `ImportWhatIf`,
/// 48 → `Import`, 62 → `Verify`. In TOML the values are `"export"`, `"import-whatif"`,
/// `"import"` and `"verify"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// `Export-CsPersistentChatData` against the legacy Group Chat database
    /// (PS/`Export-CsPersistentChatData`; L13/`migration-process-details` step 2).
    Export,
    /// `Import-CsPersistentChatData -WhatIf`, the dry run (L13/`migration-process-details`
    /// step 5).
    #[serde(rename = "import-whatif")]
    ImportWhatIf,
    /// `Import-CsPersistentChatData` for real (L13/`migration-process-details` step 6).
    Import,
    /// The read-only comparison of the legacy and the new database, in the manner of the
    /// Resource Kit's ChatUpgradeVerifier (L13T/`lync-server-2013-persistent-chat-resource-kit-tools`).
    Verify,
}

impl JobKind {
    /// All job kinds, in the order the migration runs them.
    pub const ALL: [JobKind; 4] = [
        JobKind::Export,
        JobKind::ImportWhatIf,
        JobKind::Import,
        JobKind::Verify,
    ];

    /// A short label for screens and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Export => "Export",
            Self::ImportWhatIf => "Import (-WhatIf)",
            Self::Import => "Import",
            Self::Verify => "Verify",
        }
    }

    /// The label in the language of the run (`t!("job-export")`, …), for screens; [`JobKind::label`]
    /// stays English for logs and recorded evidence.
    pub fn title(&self) -> String {
        match self {
            Self::Export => crate::t!("job-export"),
            Self::ImportWhatIf => crate::t!("job-import-whatif"),
            Self::Import => crate::t!("job-import"),
            Self::Verify => crate::t!("job-verify"),
        }
    }

    /// The value used in the runbook files (`"import-whatif"`, …).
    pub fn key(&self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::ImportWhatIf => "import-whatif",
            Self::Import => "import",
            Self::Verify => "verify",
        }
    }
}

/// What recorded evidence proves an item done (TOML `proven_by`). The rules themselves are
/// applied in one place, `crate::migration`, for the wizard, the headless commands, the
/// Window screen and the report alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProvenBy {
    /// The item's own job (`job = …`): its newest run passed and is not stale (an export newer
    /// than a `-WhatIf` preview, an import newer than a verify make them stale). The
    /// `-WhatIf` preview passes only when it holds no error, or every error was accepted as a
    /// named loss.
    Job,
    /// The newest export passed and wrote a non-empty package (item 44).
    ExportPackage,
    /// The newest verify found no category difference (item 59).
    VerifyCategories,
    /// The newest verify found no room difference in settings, disabled flag, managers,
    /// members or presenters (item 60).
    VerifyRooms,
    /// The newest verify found no add-in difference (item 61).
    VerifyAddIns,
    /// The newest verify found no difference in per-room message counts, dates or content
    /// (item 64).
    VerifyMessages,
    /// Pool monitor: DNS names of the Persistent Chat pool resolve (item 14).
    ProbeDns,
    /// Pool monitor: certificates from the internal CA (item 15).
    ProbeCertificates,
    /// Pool monitor: the Persistent Chat pool answers (item 20); evidence after the shutdown
    /// stage was entered does not count (the pool is stopped by design then).
    ProbePoolVisible,
    /// Pool monitor: every Lync 2013 Front End answers (item 24).
    ProbeFrontEnd,
    /// Pool monitor: the legacy Group Chat pool answers (item 28); evidence after the shutdown
    /// stage was entered does not count.
    ProbeLegacyServing,
    /// Pool monitor: no legacy Group Chat server answers (item 38); only evidence after the
    /// shutdown stage was entered counts.
    ProbeLegacyStopped,
    /// Pool monitor: no Persistent Chat server answers (item 40); only evidence from the
    /// shutdown stage until the services are started again (item 57) counts.
    ProbePchatStopped,
    /// Pool monitor: the Persistent Chat pool answers again after the import (item 57).
    ProbePchatStarted,
    /// Legacy database probe: the estate fits the documented capacity limits (item 9).
    ProbeCapacity,
    /// Legacy database probe: every flattened room name fits 256 characters (item 32).
    ProbeRoomNames,
}

impl ProvenBy {
    /// The TOML value (`job`, `export-package`, `probe-dns`, …).
    pub fn key(self) -> &'static str {
        match self {
            Self::Job => "job",
            Self::ExportPackage => "export-package",
            Self::VerifyCategories => "verify-categories",
            Self::VerifyRooms => "verify-rooms",
            Self::VerifyAddIns => "verify-add-ins",
            Self::VerifyMessages => "verify-messages",
            Self::ProbeDns => "probe-dns",
            Self::ProbeCertificates => "probe-certificates",
            Self::ProbePoolVisible => "probe-pool-visible",
            Self::ProbeFrontEnd => "probe-front-end",
            Self::ProbeLegacyServing => "probe-legacy-serving",
            Self::ProbeLegacyStopped => "probe-legacy-stopped",
            Self::ProbePchatStopped => "probe-pchat-stopped",
            Self::ProbePchatStarted => "probe-pchat-started",
            Self::ProbeCapacity => "probe-capacity",
            Self::ProbeRoomNames => "probe-room-names",
        }
    }

    /// True for the rules answered by a probe whose evidence is attached to the item itself.
    pub fn is_probe(self) -> bool {
        self.key().starts_with("probe-")
    }
}

/// One checklist item of a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Stable id `"<stage id>.<slug>"`, never renumbered (the session store keys on it).
    pub id: String,
    /// Id of the stage the item belongs to.
    pub stage_id: String,
    /// Number of the item in `migration.md` §5 (1–81); `None` for items added from a
    /// stage's documented actions that §5 lacks, and for rollback items.
    pub checklist: Option<u32>,
    /// One-line title.
    pub title: String,
    /// Manual, probe or task.
    pub kind: ItemKind,
    /// What to do and why, in our own words (2–6 sentences). When the item rests on an
    /// inference, the text says which part, starting "Inferred:".
    pub guidance: String,
    /// Cmdlet lines with `{{name}}` placeholders, exactly as documented; lines starting
    /// with `#` describe a step that is not PowerShell. Fill them with
    /// [`super::render_cmdlets`]. May be empty for manual items.
    pub cmdlets: Vec<String>,
    /// What proves the item done.
    pub proof: String,
    /// What goes wrong here, and the remedy where one is documented.
    pub pitfalls: Vec<String>,
    /// The Microsoft pages behind the item, by the short names of `migration.md` §0
    /// (`L13/<slug>`, `PS/<Cmdlet>`, `SfB15/…`, `L13T/…`, `L10 …`).
    pub source: String,
    /// True when the guidance or a cmdlet line rests on an inference (`[I]`) rather than
    /// on documented fact.
    pub inferred: bool,
    /// The background job that carries out or checks this item, if any.
    pub job: Option<JobKind>,
    /// What recorded evidence proves the item done (TOML `proven_by`); `None`: the
    /// operator's tick is the proof.
    pub proven_by: Option<ProvenBy>,
    /// True when doing the item ends the rollback option (uninstalling or removing the legacy
    /// Group Chat pool): it needs a passing verify, or a named override with a typed reason.
    pub irreversible: bool,
}

/// A stage of the migration (or the rollback), with its items in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Stable id (`plan`, `build`, … `hadr`, or `rollback`).
    pub id: String,
    /// 0–12 for the migration stages, 99 for the rollback.
    pub number: u32,
    /// Title as shown in the stage list.
    pub title: String,
    /// One or two sentences: the purpose of the stage.
    pub summary: String,
    /// True when entering the stage takes the chat service down (shutdown, export, import,
    /// rollback); the program then asks for [`Stage::confirm_word`] to be typed.
    pub downtime: bool,
    /// The word the admin types to enter a downtime stage (`SHUTDOWN`, `EXPORT`, …).
    /// Always `Some` when `downtime` is true, `None` otherwise.
    pub confirm_word: Option<String>,
    /// The Microsoft pages behind the stage (short names of `migration.md` §0).
    pub source: String,
    /// For the rollback only: the id of the first stage at which the rollback is no longer
    /// offered (`decommission`). See [`super::Runbook::rollback_available`].
    pub available_until: Option<String>,
    /// The items, in the order they are worked.
    pub items: Vec<Item>,
}

impl Stage {
    /// The item with this id in this stage.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}
