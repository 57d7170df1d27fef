//! Reading and validating the runbook files.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::model::{Item, ItemKind, JobKind, ProvenBy, Stage};
use super::render;
use super::{ROLLBACK_ID, Runbook, STAGE_IDS};

/// The §5 checklist numbers of each stage, in stage order (`migration.md` §5 groups A–M).
pub(crate) const CHECKLIST_RANGES: [(u32, u32); 13] = [
    (1, 11),
    (12, 23),
    (24, 28),
    (29, 37),
    (38, 41),
    (42, 45),
    (46, 49),
    (50, 52),
    (53, 56),
    (57, 66),
    (67, 71),
    (72, 76),
    (77, 81),
];

/// The stage number of the rollback.
pub(crate) const ROLLBACK_NUMBER: u32 = 99;

/// Errors reading the runbook files. Each names the file and, where it can, the line and
/// column (of the stage or item `id`), and says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunbookError {
    /// The file is not valid TOML or does not match the stage-file schema.
    #[error(
        "{file}:{line}:{column}: {message}\n  fix the entry there (see the schema in src/runbook/mod.rs)"
    )]
    Parse {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The `[stage] id` is not one of the known stages.
    #[error("{file}:{line}: unknown stage id \"{id}\": use one of {known} or \"rollback\"")]
    UnknownStage {
        /// File name.
        file: String,
        /// Line of the stage id.
        line: usize,
        /// The id found.
        id: String,
        /// The known ids, comma separated.
        known: String,
    },
    /// The stage number does not match the stage id.
    #[error("{file}:{line}: stage \"{id}\" has number {number}, expected {expected}")]
    StageNumber {
        /// File name.
        file: String,
        /// Line of the stage id.
        line: usize,
        /// The stage id.
        id: String,
        /// The number found.
        number: u32,
        /// The number that goes with this id.
        expected: u32,
    },
    /// Two files define the same stage.
    #[error("{file}: stage \"{id}\" is already defined in {first_file}; keep one of the two files")]
    DuplicateStage {
        /// File name.
        file: String,
        /// The stage id.
        id: String,
        /// The file that defined it first.
        first_file: String,
    },
    /// A migration stage has no file.
    #[error(
        "no runbook file defines stage {number} \"{id}\": add assets/runbook/{number:02}-{id}.toml"
    )]
    MissingStage {
        /// The missing stage id.
        id: String,
        /// Its number.
        number: u32,
    },
    /// No file defines the rollback stage.
    #[error("no runbook file defines the \"rollback\" stage: add assets/runbook/rollback.toml")]
    MissingRollback,
    /// A downtime stage has no `confirm_word`, or a `confirm_word` is given without downtime.
    #[error("{file}:{line}: stage \"{stage}\": {message}")]
    ConfirmWord {
        /// File name.
        file: String,
        /// Line of the stage id.
        line: usize,
        /// The stage id.
        stage: String,
        /// What to change.
        message: String,
    },
    /// `available_until` is missing on the rollback, names no migration stage, or is set on
    /// a migration stage.
    #[error("{file}:{line}: stage \"{stage}\": {message}")]
    AvailableUntil {
        /// File name.
        file: String,
        /// Line of the stage id.
        line: usize,
        /// The stage id.
        stage: String,
        /// What to change.
        message: String,
    },
    /// An item id is not `<stage id>.<slug>` with a slug of lowercase letters, digits and `-`.
    #[error(
        "{file}:{line}: item id \"{id}\" is malformed: write it \"<stage id>.<slug>\", the slug in lowercase letters, digits and '-'"
    )]
    BadItemId {
        /// File name.
        file: String,
        /// Line of the item id.
        line: usize,
        /// The id found.
        id: String,
    },
    /// An item's id names another stage than the file's (the item is in the wrong file).
    #[error(
        "{file}:{line}: item \"{id}\" is in the file of stage \"{stage}\": move it to its stage's file or rename it \"{stage}.…\""
    )]
    ItemInWrongStage {
        /// File name.
        file: String,
        /// Line of the item id.
        line: usize,
        /// The item id.
        id: String,
        /// The stage of the file.
        stage: String,
    },
    /// Two items share an id.
    #[error(
        "{file}:{line}: item id \"{id}\" is already used in {first_file}; ids must be unique and are never renumbered"
    )]
    DuplicateItem {
        /// File name.
        file: String,
        /// Line of the second use.
        line: usize,
        /// The id.
        id: String,
        /// The file of the first use.
        first_file: String,
    },
    /// Two items carry the same §5 checklist number.
    #[error(
        "{file}:{line}: item \"{id}\" has checklist number {number}, already used by \"{first_id}\""
    )]
    DuplicateChecklist {
        /// File name.
        file: String,
        /// Line of the item id.
        line: usize,
        /// The item id.
        id: String,
        /// The number.
        number: u32,
        /// The item that has it first.
        first_id: String,
    },
    /// A checklist number is outside the range of the item's stage (or set on a rollback item).
    #[error(
        "{file}:{line}: item \"{id}\" has checklist number {number}, but stage \"{stage}\" holds {expected}"
    )]
    ChecklistWrongStage {
        /// File name.
        file: String,
        /// Line of the item id.
        line: usize,
        /// The item id.
        id: String,
        /// The number.
        number: u32,
        /// The stage of the item.
        stage: String,
        /// The numbers the stage holds, e.g. "42–45", or "none".
        expected: String,
    },
    /// A job on a rollback item, or the same job on two items.
    #[error("{file}:{line}: item \"{id}\": {message}")]
    BadJob {
        /// File name.
        file: String,
        /// Line of the item id.
        line: usize,
        /// The item id.
        id: String,
        /// What to change.
        message: String,
    },
    /// Bad `{{name}}` syntax, or a placeholder outside the cmdlet lines.
    #[error("{file}:{line}: {owner}, {field}: {message}")]
    Placeholder {
        /// File name.
        file: String,
        /// Line of the item (or stage) id.
        line: usize,
        /// The item id, or "stage <id>".
        owner: String,
        /// The field (`cmdlets`, `guidance`, …).
        field: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// A localisation overlay file has no English counterpart.
    #[error(
        "{file}: no English runbook file has this name; overlay files are named like the English ones ({known})"
    )]
    OverlayUnknownFile {
        /// The overlay file (`i18n/<lang>/<name>`).
        file: String,
        /// The English file names.
        known: String,
    },
    /// A localisation overlay names an item that its English stage file does not have.
    #[error(
        "{file}:{line}: unknown item id \"{id}\": stage \"{stage}\" has no such item; translate only ids of the English file"
    )]
    OverlayUnknownItem {
        /// The overlay file (`i18n/<lang>/<name>`).
        file: String,
        /// Line of the item's table.
        line: usize,
        /// The id found.
        id: String,
        /// The stage of the file.
        stage: String,
    },
    /// A required text field is empty.
    #[error("{file}:{line}: {owner}: \"{field}\" is empty; write it")]
    EmptyField {
        /// File name.
        file: String,
        /// Line of the item (or stage) id.
        line: usize,
        /// The item id, or "stage <id>".
        owner: String,
        /// The field.
        field: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    stage: RawStage,
    #[serde(default)]
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    id: Spanned<String>,
    number: u32,
    title: String,
    summary: String,
    #[serde(default)]
    downtime: bool,
    #[serde(default)]
    confirm_word: Option<String>,
    source: String,
    #[serde(default)]
    available_until: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    #[serde(default)]
    checklist: Option<u32>,
    title: String,
    kind: ItemKind,
    guidance: String,
    #[serde(default)]
    cmdlets: Vec<String>,
    proof: String,
    #[serde(default)]
    pitfalls: Vec<String>,
    source: String,
    #[serde(default)]
    inferred: bool,
    #[serde(default)]
    job: Option<JobKind>,
    #[serde(default)]
    proven_by: Option<ProvenBy>,
    #[serde(default)]
    irreversible: bool,
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where an item came from, for errors about a later duplicate.
struct Seen {
    file: String,
}

/// Per-file context for building errors.
struct FileCtx<'a> {
    name: &'a str,
    text: &'a str,
}

impl FileCtx<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        line_col(self.text, s.span().start).0
    }
}

pub(crate) fn from_sources(files: &[(&str, &str)]) -> Result<Runbook, RunbookError> {
    let mut stages: Vec<Option<(String, Stage)>> = vec![None; STAGE_IDS.len()];
    let mut rollback: Option<(String, Stage)> = None;
    let mut item_ids: HashMap<String, Seen> = HashMap::new();
    let mut checklist: BTreeMap<u32, String> = BTreeMap::new();
    let mut jobs: BTreeMap<JobKind, String> = BTreeMap::new();

    for &(name, text) in files {
        let ctx = FileCtx { name, text };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            RunbookError::Parse {
                file: name.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let number = check_stage_id(&ctx, &raw.stage)?;
        let slot = if number == ROLLBACK_NUMBER {
            &mut rollback
        } else {
            &mut stages[number as usize]
        };
        if let Some((first_file, _)) = slot {
            return Err(RunbookError::DuplicateStage {
                file: name.to_string(),
                id: raw.stage.id.into_inner(),
                first_file: first_file.clone(),
            });
        }
        let stage = build_stage(&ctx, raw, &mut item_ids, &mut checklist, &mut jobs)?;
        *slot = Some((name.to_string(), stage));
    }

    let mut ordered = Vec::with_capacity(STAGE_IDS.len());
    for (number, slot) in stages.into_iter().enumerate() {
        let Some((_, stage)) = slot else {
            return Err(RunbookError::MissingStage {
                id: STAGE_IDS[number].to_string(),
                number: number as u32,
            });
        };
        ordered.push(stage);
    }
    let Some((_, rollback)) = rollback else {
        return Err(RunbookError::MissingRollback);
    };
    Ok(Runbook {
        stages: ordered,
        rollback,
    })
}

/// Checks the stage id and number; returns the number.
fn check_stage_id(ctx: &FileCtx<'_>, rs: &RawStage) -> Result<u32, RunbookError> {
    let line = ctx.line(&rs.id);
    let id = rs.id.get_ref();
    let expected = if id == ROLLBACK_ID {
        ROLLBACK_NUMBER
    } else {
        match STAGE_IDS.iter().position(|s| s == id) {
            Some(n) => n as u32,
            None => {
                return Err(RunbookError::UnknownStage {
                    file: ctx.name.to_string(),
                    line,
                    id: id.clone(),
                    known: STAGE_IDS.join(", "),
                });
            }
        }
    };
    if rs.number != expected {
        return Err(RunbookError::StageNumber {
            file: ctx.name.to_string(),
            line,
            id: id.clone(),
            number: rs.number,
            expected,
        });
    }
    Ok(expected)
}

/// Builds a stage whose id and number [`check_stage_id`] accepted.
fn build_stage(
    ctx: &FileCtx<'_>,
    raw: RawFile,
    item_ids: &mut HashMap<String, Seen>,
    checklist: &mut BTreeMap<u32, String>,
    jobs: &mut BTreeMap<JobKind, String>,
) -> Result<Stage, RunbookError> {
    let file = ctx.name.to_string();
    let rs = raw.stage;
    let line = ctx.line(&rs.id);
    let id = rs.id.into_inner();
    let is_rollback = id == ROLLBACK_ID;
    let owner = format!("stage {id}");
    for (field, value) in [
        ("title", &rs.title),
        ("summary", &rs.summary),
        ("source", &rs.source),
    ] {
        check_text(ctx, line, &owner, field, value)?;
    }
    let confirm_word = rs.confirm_word.filter(|w| !w.trim().is_empty());
    match (rs.downtime, &confirm_word) {
        (true, None) => {
            return Err(RunbookError::ConfirmWord {
                file,
                line,
                stage: id,
                message: "downtime = true needs a confirm_word, the word the admin types to \
                          enter the stage (e.g. \"EXPORT\")"
                    .into(),
            });
        }
        (false, Some(_)) => {
            return Err(RunbookError::ConfirmWord {
                file,
                line,
                stage: id,
                message: "confirm_word is only asked for on downtime stages: set downtime = true \
                          or remove confirm_word"
                    .into(),
            });
        }
        _ => {}
    }
    match (is_rollback, &rs.available_until) {
        (true, None) => {
            return Err(RunbookError::AvailableUntil {
                file,
                line,
                stage: id,
                message: "the rollback needs available_until, the stage from which it is no \
                          longer offered (\"decommission\")"
                    .into(),
            });
        }
        (true, Some(until)) if !STAGE_IDS.contains(&until.as_str()) => {
            return Err(RunbookError::AvailableUntil {
                file,
                line,
                stage: id,
                message: format!(
                    "available_until = \"{until}\" names no stage; use one of {}",
                    STAGE_IDS.join(", ")
                ),
            });
        }
        (false, Some(_)) => {
            return Err(RunbookError::AvailableUntil {
                file,
                line,
                stage: id,
                message: "available_until belongs to the rollback stage only; remove it".into(),
            });
        }
        _ => {}
    }

    let mut items = Vec::with_capacity(raw.items.len());
    for ri in raw.items {
        items.push(build_item(ctx, &id, ri, item_ids, checklist, jobs)?);
    }
    Ok(Stage {
        id,
        number: rs.number,
        title: rs.title,
        summary: rs.summary,
        downtime: rs.downtime,
        confirm_word,
        source: rs.source,
        available_until: rs.available_until,
        items,
    })
}

fn build_item(
    ctx: &FileCtx<'_>,
    stage_id: &str,
    ri: RawItem,
    item_ids: &mut HashMap<String, Seen>,
    checklist: &mut BTreeMap<u32, String>,
    jobs: &mut BTreeMap<JobKind, String>,
) -> Result<Item, RunbookError> {
    let file = ctx.name.to_string();
    let line = ctx.line(&ri.id);
    let id = ri.id.into_inner();

    let Some((prefix, slug)) = id.split_once('.') else {
        return Err(RunbookError::BadItemId { file, line, id });
    };
    let slug_ok = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !slug_ok {
        return Err(RunbookError::BadItemId { file, line, id });
    }
    if prefix != stage_id {
        return Err(RunbookError::ItemInWrongStage {
            file,
            line,
            id,
            stage: stage_id.to_string(),
        });
    }
    if let Some(first) = item_ids.get(&id) {
        return Err(RunbookError::DuplicateItem {
            file,
            line,
            first_file: first.file.clone(),
            id,
        });
    }
    item_ids.insert(id.clone(), Seen { file: file.clone() });

    if let Some(number) = ri.checklist {
        let range = STAGE_IDS
            .iter()
            .position(|s| *s == stage_id)
            .map(|i| CHECKLIST_RANGES[i]);
        if !range.is_some_and(|(lo, hi)| (lo..=hi).contains(&number)) {
            return Err(RunbookError::ChecklistWrongStage {
                file,
                line,
                id,
                number,
                stage: stage_id.to_string(),
                expected: range.map_or("none".into(), |(lo, hi)| format!("{lo}–{hi}")),
            });
        }
        if let Some(first_id) = checklist.get(&number) {
            return Err(RunbookError::DuplicateChecklist {
                file,
                line,
                id,
                number,
                first_id: first_id.clone(),
            });
        }
        checklist.insert(number, id.clone());
    }

    if ri.proven_by == Some(ProvenBy::Job) && ri.job.is_none() {
        return Err(RunbookError::BadJob {
            file,
            line,
            id,
            message: "proven_by = \"job\" needs the item's job = …; name the job or another rule"
                .into(),
        });
    }
    if ri.job.is_some() && ri.proven_by.is_some_and(|p| p != ProvenBy::Job) {
        return Err(RunbookError::BadJob {
            file,
            line,
            id,
            message: "an item with a job is proven by its job: use proven_by = \"job\"".into(),
        });
    }
    if let Some(job) = ri.job {
        if stage_id == ROLLBACK_ID {
            return Err(RunbookError::BadJob {
                file,
                line,
                id,
                message: "rollback items have no background job; remove job".into(),
            });
        }
        if let Some(first) = jobs.get(&job) {
            return Err(RunbookError::BadJob {
                file,
                line,
                message: format!(
                    "job \"{}\" is already attached to \"{first}\"; each job ticks one item",
                    job.key()
                ),
                id,
            });
        }
        jobs.insert(job, id.clone());
    }

    for (field, value) in [
        ("title", &ri.title),
        ("guidance", &ri.guidance),
        ("proof", &ri.proof),
        ("source", &ri.source),
    ] {
        check_text(ctx, line, &id, field, value)?;
    }
    for p in &ri.pitfalls {
        check_text(ctx, line, &id, "pitfalls", p)?;
    }
    for c in &ri.cmdlets {
        if c.trim().is_empty() {
            return Err(RunbookError::EmptyField {
                file,
                line,
                owner: id,
                field: "cmdlets".into(),
            });
        }
        render::names(c).map_err(|e| RunbookError::Placeholder {
            file: file.clone(),
            line,
            owner: id.clone(),
            field: "cmdlets".into(),
            message: e.to_string(),
        })?;
    }

    Ok(Item {
        id,
        stage_id: stage_id.to_string(),
        checklist: ri.checklist,
        title: ri.title,
        kind: ri.kind,
        guidance: ri.guidance,
        cmdlets: ri.cmdlets,
        proof: ri.proof,
        pitfalls: ri.pitfalls,
        source: ri.source,
        inferred: ri.inferred,
        job: ri.job,
        proven_by: ri.proven_by,
        irreversible: ri.irreversible,
    })
}

/// A text field must be non-empty and free of `{{…}}` (placeholders are filled only in
/// cmdlet lines).
fn check_text(
    ctx: &FileCtx<'_>,
    line: usize,
    owner: &str,
    field: &str,
    value: &str,
) -> Result<(), RunbookError> {
    if value.trim().is_empty() {
        return Err(RunbookError::EmptyField {
            file: ctx.name.to_string(),
            line,
            owner: owner.to_string(),
            field: field.to_string(),
        });
    }
    if value.contains("{{") {
        return Err(RunbookError::Placeholder {
            file: ctx.name.to_string(),
            line,
            owner: owner.to_string(),
            field: field.to_string(),
            message: "placeholders are filled only in cmdlet lines; name the thing in words here"
                .into(),
        });
    }
    Ok(())
}
