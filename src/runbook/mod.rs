//! The runbook: the migration's stages and checklist items, as data.
//!
//! The facts live in TOML under `assets/runbook/`, one file per stage (`00-plan.toml` …
//! `12-hadr.toml`) plus `rollback.toml`, embedded into the binary. They follow
//! `migration.md` (the team's digest of Microsoft's pages): the 13 stages of §1, the 81
//! checklist items of §5 (each exactly once, in its group's stage), a few extra items where
//! a stage's documented actions have no §5 entry, and the Group Chat rollback that
//! `migration.md` Stage 0 reconstructs (Microsoft documents none). The primary pages are
//! L13/`migration-process-details`, L13/`standard-migration-scenario-high-level`,
//! L13/`coexistence-considerations`, L13/`run-backward-compatibility-for-persistent-chat-server`
//! and the cmdlet reference PS/`<Cmdlet>`; every stage and item names its own.
//!
//! # Stage file schema
//!
//! ```toml
//! [stage]
//! id = "export"              # one of STAGE_IDS, or "rollback"
//! number = 5                 # index in STAGE_IDS; 99 for the rollback
//! title = "Export"
//! summary = "purpose of the stage"
//! downtime = true            # entering asks for confirm_word to be typed
//! confirm_word = "EXPORT"    # required when downtime = true, refused otherwise
//! source = "L13/migration-process-details"
//! # available_until = "decommission"   # rollback only
//!
//! [[items]]
//! id = "export.run"          # "<stage id>.<slug>", stable, unique
//! checklist = 42             # migration.md §5 number, within the stage's group; optional
//! title = "…"
//! kind = "task"              # manual | probe | task
//! guidance = """…"""         # own words; "Inferred: …" where it rests on an inference
//! cmdlets = ['Export-CsPersistentChatData -DBInstance "{{legacy_sql_instance}}" …']
//! proof = "…"
//! pitfalls = ["…"]
//! source = "…"
//! inferred = false
//! job = "export"             # export | import-whatif | import | verify; optional
//! ```
//!
//! Placeholders (`{{name}}`, see [`render_line`]) are allowed in `cmdlets` only; the other
//! fields are shown as written.

mod load;
mod model;
mod overlay;
mod render;

use std::collections::BTreeSet;

pub use load::RunbookError;
pub use model::{Item, ItemKind, JobKind, ProvenBy, Stage};
pub use overlay::{
    EMBEDDED_OVERLAYS, INFERRED_MARKERS, OverlayGap, is_comment, kept_tokens, overlay_files,
};
pub use render::{Placeholders, RenderError, render_cmdlets, render_line};

/// The ids of the 13 migration stages, in order; the index is the stage number
/// (`migration.md` §1, Stages 0–12).
pub const STAGE_IDS: [&str; 13] = [
    "plan",
    "build",
    "coexistence",
    "prepare",
    "shutdown",
    "export",
    "import",
    "files",
    "endpoint",
    "verify",
    "decommission",
    "enable",
    "hadr",
];

/// The id of the rollback stage.
pub const ROLLBACK_ID: &str = "rollback";

/// The runbook files compiled into the binary: (file name, text).
pub const EMBEDDED_FILES: [(&str, &str); 14] = [
    (
        "00-plan.toml",
        include_str!("../../assets/runbook/00-plan.toml"),
    ),
    (
        "01-build.toml",
        include_str!("../../assets/runbook/01-build.toml"),
    ),
    (
        "02-coexistence.toml",
        include_str!("../../assets/runbook/02-coexistence.toml"),
    ),
    (
        "03-prepare.toml",
        include_str!("../../assets/runbook/03-prepare.toml"),
    ),
    (
        "04-shutdown.toml",
        include_str!("../../assets/runbook/04-shutdown.toml"),
    ),
    (
        "05-export.toml",
        include_str!("../../assets/runbook/05-export.toml"),
    ),
    (
        "06-import.toml",
        include_str!("../../assets/runbook/06-import.toml"),
    ),
    (
        "07-files.toml",
        include_str!("../../assets/runbook/07-files.toml"),
    ),
    (
        "08-endpoint.toml",
        include_str!("../../assets/runbook/08-endpoint.toml"),
    ),
    (
        "09-verify.toml",
        include_str!("../../assets/runbook/09-verify.toml"),
    ),
    (
        "10-decommission.toml",
        include_str!("../../assets/runbook/10-decommission.toml"),
    ),
    (
        "11-enable.toml",
        include_str!("../../assets/runbook/11-enable.toml"),
    ),
    (
        "12-hadr.toml",
        include_str!("../../assets/runbook/12-hadr.toml"),
    ),
    (
        "rollback.toml",
        include_str!("../../assets/runbook/rollback.toml"),
    ),
];

/// The whole runbook: the 13 migration stages in order, and the rollback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runbook {
    /// Stages 0–12, in order (`stages[n].number == n`).
    pub stages: Vec<Stage>,
    /// The rollback stage (id `rollback`, number 99), offered until `available_until`.
    pub rollback: Stage,
}

impl Runbook {
    /// Parses and validates the runbook compiled into the binary ([`EMBEDDED_FILES`]).
    ///
    /// # Errors
    /// [`RunbookError`] if an embedded file is broken; a test guards against that, so a
    /// released build does not fail here.
    pub fn embedded() -> Result<Runbook, RunbookError> {
        Self::from_sources(&EMBEDDED_FILES)
    }

    /// The embedded runbook in a language (any tag [`crate::i18n::normalize`] accepts:
    /// `it`, `es-MX`, `ko-KR`, …): the English runbook with the text of the language's overlay
    /// (`assets/runbook/i18n/<lang>/`) substituted. Ids, kinds, cmdlets, jobs, checklist
    /// numbers and sources stay English; a field the overlay lacks stays English. English and
    /// languages without an overlay give [`Runbook::embedded`].
    ///
    /// # Errors
    /// [`RunbookError`] if an embedded file or overlay is broken or an overlay names an
    /// unknown id (naming the file and the id); tests guard against that.
    pub fn embedded_for(lang: &str) -> Result<Runbook, RunbookError> {
        let english = Self::embedded()?;
        match (crate::i18n::normalize(lang), overlay_files(lang)) {
            (Some(tag), Some(files)) => english.with_overlay(tag, files),
            _ => Ok(english),
        }
    }

    /// This runbook with an overlay's text substituted; `files` are (English file name,
    /// overlay text), `lang` only labels errors (`i18n/<lang>/<file>`).
    ///
    /// # Errors
    /// The overlay's first error: TOML syntax or schema, a file or item id the English
    /// runbook lacks, an empty text or a placeholder in text.
    pub fn with_overlay(self, lang: &str, files: &[(&str, &str)]) -> Result<Runbook, RunbookError> {
        overlay::apply(self, lang, files)
    }

    /// Parses and validates runbook files given as (file name, text); the name only labels
    /// errors. Files may come in any order; the rollback file is recognised by its stage id
    /// `rollback`.
    ///
    /// Checks: the schema (unknown keys are errors); each of the 13 stages present exactly
    /// once with the number matching its id; the rollback present with `available_until`
    /// naming a stage; `downtime` ⇔ `confirm_word`; item ids `<stage id>.<slug>`, unique across
    /// all files; checklist numbers unique and within their stage's §5 group; each job on at
    /// most one item and never on a rollback item; placeholder syntax in cmdlet lines, and no
    /// placeholders elsewhere; no empty text fields.
    ///
    /// # Errors
    /// The first [`RunbookError`] found, naming the file and line.
    pub fn from_sources(files: &[(&str, &str)]) -> Result<Runbook, RunbookError> {
        load::from_sources(files)
    }

    /// The stage with this id, the rollback included.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages
            .iter()
            .chain(std::iter::once(&self.rollback))
            .find(|s| s.id == id)
    }

    /// The item with this id, rollback items included.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.stages
            .iter()
            .chain(std::iter::once(&self.rollback))
            .flat_map(|s| s.items.iter())
            .find(|i| i.id == id)
    }

    /// All migration items in stage order (rollback items excluded).
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.stages.iter().flat_map(|s| s.items.iter())
    }

    /// The position of a migration stage in [`Runbook::stages`] (equal to its number);
    /// `None` for the rollback and unknown ids.
    pub fn stage_index(&self, stage_id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == stage_id)
    }

    /// The item that a background job carries out or checks.
    pub fn job_item(&self, job: JobKind) -> Option<&Item> {
        self.items().find(|i| i.job == Some(job))
    }

    /// Whether the rollback is still offered while the admin works in `current_stage`: true
    /// when that stage comes before the rollback's `available_until` (the decommission
    /// stage, which uninstalls the legacy servers). Unknown ids give false.
    pub fn rollback_available(&self, current_stage: &str) -> bool {
        let until = self
            .rollback
            .available_until
            .as_deref()
            .and_then(|u| self.stage_index(u));
        match (self.stage_index(current_stage), until) {
            (Some(current), Some(until)) => current < until,
            _ => false,
        }
    }

    /// Every placeholder name used in any cmdlet line, rollback included. The deployment
    /// profile must provide each of them.
    pub fn placeholder_names(&self) -> BTreeSet<String> {
        self.stages
            .iter()
            .chain(std::iter::once(&self.rollback))
            .flat_map(|s| s.items.iter())
            .flat_map(|i| i.cmdlets.iter())
            .filter_map(|line| render::names(line).ok())
            .flatten()
            .map(str::to_string)
            .collect()
    }
}

/// What the embedded overlay of `lang` leaves untranslated in `english` (every stage and
/// item, with the fields that fall back to English). A language without an overlay lacks
/// everything.
///
/// # Errors
/// The overlay's first error (see [`Runbook::with_overlay`]).
pub fn overlay_gaps(english: &Runbook, lang: &str) -> Result<Vec<OverlayGap>, RunbookError> {
    let tag = crate::i18n::normalize(lang).unwrap_or(lang);
    overlay::gaps(english, tag, overlay_files(lang).unwrap_or(&[]))
}

/// [`overlay_gaps`] for overlay files given as (English file name, text).
///
/// # Errors
/// The overlay's first error (see [`Runbook::with_overlay`]).
pub fn overlay_gaps_in(
    english: &Runbook,
    lang: &str,
    files: &[(&str, &str)],
) -> Result<Vec<OverlayGap>, RunbookError> {
    overlay::gaps(english, lang, files)
}

#[cfg(test)]
mod tests;
