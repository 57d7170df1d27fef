//! Localisation overlays: the runbook's text in another language.
//!
//! An overlay is a folder `assets/runbook/i18n/<lang>/` holding files named like the English
//! ones (`00-plan.toml` … `12-hadr.toml`, `rollback.toml`). Each translates text fields only:
//!
//! ```toml
//! [stage]
//! title = "Pianificazione"
//! summary = "…"
//!
//! [items."plan.single-source"]
//! title = "…"
//! guidance = """…"""
//! proof = "…"
//! pitfalls = ["…", "…"]     # as many entries as the English list
//! comments = ["# …"]        # the item's `#` cmdlet lines, in order, as many as in English
//! ```
//!
//! Ids, kinds, cmdlets, jobs, checklist numbers and sources always come from the English
//! files; of the cmdlet lines only the `#` comment lines (steps that are not PowerShell)
//! are prose, and `comments` translates them: each keeps its English line's
//! `{{placeholders}}`, cmdlet names (`Get-CsService`) and parameters (`-Identity`). A field
//! the overlay leaves out (or a `pitfalls` or `comments` list of another length than the
//! English one) shows the English text; `pchat-migrate i18n check` lists such gaps. An
//! overlay naming a stage file or an item that the English runbook does not have is an
//! error naming the file and the id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::load::line_col;
use super::{ROLLBACK_ID, Runbook, RunbookError, Stage};

/// The 14 overlay files of one language folder, in the order of [`super::EMBEDDED_FILES`].
macro_rules! overlay_folder {
    ($lang:literal) => {
        [
            overlay_folder!(@one $lang, "00-plan.toml"),
            overlay_folder!(@one $lang, "01-build.toml"),
            overlay_folder!(@one $lang, "02-coexistence.toml"),
            overlay_folder!(@one $lang, "03-prepare.toml"),
            overlay_folder!(@one $lang, "04-shutdown.toml"),
            overlay_folder!(@one $lang, "05-export.toml"),
            overlay_folder!(@one $lang, "06-import.toml"),
            overlay_folder!(@one $lang, "07-files.toml"),
            overlay_folder!(@one $lang, "08-endpoint.toml"),
            overlay_folder!(@one $lang, "09-verify.toml"),
            overlay_folder!(@one $lang, "10-decommission.toml"),
            overlay_folder!(@one $lang, "11-enable.toml"),
            overlay_folder!(@one $lang, "12-hadr.toml"),
            overlay_folder!(@one $lang, "rollback.toml"),
        ]
    };
    (@one $lang:literal, $file:literal) => {
        (
            $file,
            include_str!(concat!("../../assets/runbook/i18n/", $lang, "/", $file)),
        )
    };
}

/// The languages with a runbook overlay, and the files of each (file name, text).
pub const EMBEDDED_OVERLAYS: [(&str, [(&str, &str); 14]); 3] = [
    ("it-IT", overlay_folder!("it-IT")),
    ("es-ES", overlay_folder!("es-ES")),
    ("ko-KR", overlay_folder!("ko-KR")),
];

/// How each language writes the "Inferred:" that opens a sentence resting on an inference.
pub const INFERRED_MARKERS: [(&str, &str); 4] = [
    ("en-US", "Inferred:"),
    ("it-IT", "Dedotto:"),
    ("es-ES", "Inferido:"),
    ("ko-KR", "추론:"),
];

/// The overlay files of a language (any tag [`crate::i18n::normalize`] accepts); `None` for
/// English and for languages without an overlay.
pub fn overlay_files(lang: &str) -> Option<&'static [(&'static str, &'static str)]> {
    let tag = crate::i18n::normalize(lang)?;
    EMBEDDED_OVERLAYS
        .iter()
        .find(|(l, _)| *l == tag)
        .map(|(_, files)| &files[..])
}

/// A stage or item whose text an overlay does not (fully) translate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverlayGap {
    /// The English file name (`00-plan.toml`).
    pub file: String,
    /// The item id, or `stage <id>` for the stage's own title and summary.
    pub id: String,
    /// The untranslated fields (`title`, `summary`, `guidance`, `proof`, `pitfalls`,
    /// `comments`).
    pub fields: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverlay {
    #[serde(default)]
    stage: RawStageText,
    #[serde(default)]
    items: BTreeMap<String, RawItemText>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStageText {
    title: Option<String>,
    summary: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItemText {
    title: Option<String>,
    guidance: Option<String>,
    proof: Option<String>,
    pitfalls: Option<Vec<String>>,
    comments: Option<Vec<String>>,
}

/// True for a cmdlet line that is a comment: a step described in words, not PowerShell.
pub fn is_comment(cmdlet_line: &str) -> bool {
    cmdlet_line.trim_start().starts_with('#')
}

/// The item's comment lines ([`is_comment`]), in order.
fn comment_lines(item: &super::Item) -> Vec<&str> {
    item.cmdlets
        .iter()
        .map(String::as_str)
        .filter(|l| is_comment(l))
        .collect()
}

/// The words of a comment line that a translation keeps as they are: `{{placeholders}}`,
/// cmdlet names (`Verb-Noun`) and parameters (`-Identity`).
pub fn kept_tokens(line: &str) -> std::collections::BTreeSet<String> {
    let mut out: std::collections::BTreeSet<String> = super::render::names(line)
        .unwrap_or_default()
        .into_iter()
        .map(|n| format!("{{{{{n}}}}}"))
        .collect();
    for token in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let token = token.trim_end_matches('-');
        let cmdlet = token.split_once('-').is_some_and(|(verb, noun)| {
            verb.len() > 1
                && verb.starts_with(|c: char| c.is_ascii_uppercase())
                && verb[1..].chars().all(|c| c.is_ascii_lowercase())
                && noun.starts_with(|c: char| c.is_ascii_uppercase())
                && noun.chars().all(|c| c.is_ascii_alphanumeric())
        });
        let parameter = token.strip_prefix('-').is_some_and(|p| {
            p.starts_with(|c: char| c.is_ascii_uppercase())
                && p.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if cmdlet || parameter {
            out.insert(token.to_string());
        }
    }
    out
}

/// A translated comment line: not empty, a comment, and keeping the English line's
/// [`kept_tokens`] (checked when the English item has a line at that place).
fn check_comment(
    file: &str,
    line: usize,
    owner: &str,
    english: Option<&str>,
    value: &str,
) -> Result<(), RunbookError> {
    let bad = |message: String| RunbookError::Placeholder {
        file: file.to_string(),
        line,
        owner: owner.to_string(),
        field: "comments".to_string(),
        message,
    };
    if value.trim().trim_start_matches('#').trim().is_empty() {
        return Err(RunbookError::EmptyField {
            file: file.to_string(),
            line,
            owner: owner.to_string(),
            field: "comments".to_string(),
        });
    }
    if !is_comment(value) {
        return Err(bad(format!(
            "\"{value}\" is not a comment line: start it with # like the English one"
        )));
    }
    super::render::names(value).map_err(|e| bad(e.to_string()))?;
    if let Some(english) = english {
        let (want, got) = (kept_tokens(english), kept_tokens(value));
        let lost: Vec<&str> = want.difference(&got).map(String::as_str).collect();
        let added: Vec<&str> = got.difference(&want).map(String::as_str).collect();
        if !lost.is_empty() || !added.is_empty() {
            return Err(bad(format!(
                "\"{value}\" must keep the English line's placeholders, cmdlets and parameters as they are (missing: {}; not in English: {})",
                if lost.is_empty() {
                    "none".to_string()
                } else {
                    lost.join(", ")
                },
                if added.is_empty() {
                    "none".to_string()
                } else {
                    added.join(", ")
                },
            )));
        }
    }
    Ok(())
}

/// The English file name of a stage: `NN-<id>.toml`, or `rollback.toml`.
pub(crate) fn file_name(stage: &Stage) -> String {
    if stage.id == ROLLBACK_ID {
        "rollback.toml".to_string()
    } else {
        format!("{:02}-{}.toml", stage.number, stage.id)
    }
}

/// The 1-based line where an item's table starts, for errors.
fn item_line(text: &str, id: &str) -> usize {
    let needle = format!("\"{id}\"");
    text.find(&needle).map_or(1, |at| line_col(text, at).0)
}

fn parse(lang: &str, name: &str, text: &str) -> Result<RawOverlay, RunbookError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        RunbookError::Parse {
            file: label(lang, name),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

fn label(lang: &str, name: &str) -> String {
    format!("i18n/{lang}/{name}")
}

/// Parses every overlay file and pairs it with its English stage; checks that every file
/// and item id exists in English and that no text is empty or holds a placeholder.
fn parsed<'r>(
    english: &'r Runbook,
    lang: &str,
    files: &[(&str, &str)],
) -> Result<Vec<(&'r Stage, String, RawOverlay)>, RunbookError> {
    let stages: Vec<&Stage> = english
        .stages
        .iter()
        .chain(std::iter::once(&english.rollback))
        .collect();
    let mut out = Vec::with_capacity(files.len());
    for &(name, text) in files {
        let file = label(lang, name);
        let raw = parse(lang, name, text)?;
        let Some(stage) = stages.iter().find(|s| file_name(s) == name) else {
            return Err(RunbookError::OverlayUnknownFile {
                file,
                known: stages
                    .iter()
                    .map(|s| file_name(s))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let owner = format!("stage {}", stage.id);
        for (field, value) in [("title", &raw.stage.title), ("summary", &raw.stage.summary)] {
            if let Some(v) = value {
                check_text(&file, 1, &owner, field, v)?;
            }
        }
        for (id, item) in &raw.items {
            let line = item_line(text, id);
            if stage.item(id).is_none() {
                return Err(RunbookError::OverlayUnknownItem {
                    file,
                    line,
                    id: id.clone(),
                    stage: stage.id.clone(),
                });
            }
            for (field, value) in [
                ("title", &item.title),
                ("guidance", &item.guidance),
                ("proof", &item.proof),
            ] {
                if let Some(v) = value {
                    check_text(&file, line, id, field, v)?;
                }
            }
            for p in item.pitfalls.iter().flatten() {
                check_text(&file, line, id, "pitfalls", p)?;
            }
            if let (Some(comments), Some(english)) = (&item.comments, stage.item(id)) {
                let english = comment_lines(english);
                for (n, c) in comments.iter().enumerate() {
                    check_comment(&file, line, id, english.get(n).copied(), c)?;
                }
            }
        }
        out.push((*stage, file, raw));
    }
    Ok(out)
}

fn check_text(
    file: &str,
    line: usize,
    owner: &str,
    field: &str,
    value: &str,
) -> Result<(), RunbookError> {
    if value.trim().is_empty() {
        return Err(RunbookError::EmptyField {
            file: file.to_string(),
            line,
            owner: owner.to_string(),
            field: field.to_string(),
        });
    }
    if value.contains("{{") {
        return Err(RunbookError::Placeholder {
            file: file.to_string(),
            line,
            owner: owner.to_string(),
            field: field.to_string(),
            message: "placeholders are filled only in cmdlet lines; name the thing in words here"
                .into(),
        });
    }
    Ok(())
}

/// The English runbook with the overlay's text substituted (see the module docs).
pub(crate) fn apply(
    english: Runbook,
    lang: &str,
    files: &[(&str, &str)],
) -> Result<Runbook, RunbookError> {
    let mut rb = english.clone();
    for (stage, _, raw) in parsed(&english, lang, files)? {
        let target = if stage.id == ROLLBACK_ID {
            &mut rb.rollback
        } else {
            &mut rb.stages[stage.number as usize]
        };
        if let Some(t) = raw.stage.title {
            target.title = t;
        }
        if let Some(s) = raw.stage.summary {
            target.summary = s;
        }
        for item in &mut target.items {
            let Some(text) = raw.items.get(&item.id) else {
                continue;
            };
            if let Some(t) = &text.title {
                item.title = t.clone();
            }
            if let Some(g) = &text.guidance {
                item.guidance = g.clone();
            }
            if let Some(p) = &text.proof {
                item.proof = p.clone();
            }
            if let Some(p) = &text.pitfalls
                && p.len() == item.pitfalls.len()
            {
                item.pitfalls = p.clone();
            }
            if let Some(c) = &text.comments
                && c.len() == comment_lines(item).len()
            {
                let mut translated = c.iter();
                for line in item.cmdlets.iter_mut().filter(|l| is_comment(l)) {
                    if let Some(t) = translated.next() {
                        line.clone_from(t);
                    }
                }
            }
        }
    }
    Ok(rb)
}

/// What the overlay files leave untranslated, in runbook order: every English stage and item
/// with the fields that fall back to English (a missing file lists all of its stage).
///
/// # Errors
/// The overlay's first error (parse error, unknown file or id, empty text).
pub fn gaps(
    english: &Runbook,
    lang: &str,
    files: &[(&str, &str)],
) -> Result<Vec<OverlayGap>, RunbookError> {
    let parsed = parsed(english, lang, files)?;
    let empty = RawOverlay::default();
    let mut out = Vec::new();
    for stage in english
        .stages
        .iter()
        .chain(std::iter::once(&english.rollback))
    {
        let raw = parsed
            .iter()
            .find(|(s, _, _)| s.id == stage.id)
            .map_or(&empty, |(_, _, r)| r);
        let file = file_name(stage);
        let mut fields = Vec::new();
        if raw.stage.title.is_none() {
            fields.push("title".to_string());
        }
        if raw.stage.summary.is_none() {
            fields.push("summary".to_string());
        }
        if !fields.is_empty() {
            out.push(OverlayGap {
                file: file.clone(),
                id: format!("stage {}", stage.id),
                fields,
            });
        }
        for item in &stage.items {
            let text = raw.items.get(&item.id);
            let mut fields = Vec::new();
            let t = |f: fn(&RawItemText) -> bool| text.is_none_or(|x| !f(x));
            if t(|x| x.title.is_some()) {
                fields.push("title".to_string());
            }
            if t(|x| x.guidance.is_some()) {
                fields.push("guidance".to_string());
            }
            if t(|x| x.proof.is_some()) {
                fields.push("proof".to_string());
            }
            let pitfalls_ok = item.pitfalls.is_empty()
                || text
                    .and_then(|x| x.pitfalls.as_ref())
                    .is_some_and(|p| p.len() == item.pitfalls.len());
            if !pitfalls_ok {
                fields.push("pitfalls".to_string());
            }
            let comments = comment_lines(item).len();
            let comments_ok = comments == 0
                || text
                    .and_then(|x| x.comments.as_ref())
                    .is_some_and(|c| c.len() == comments);
            if !comments_ok {
                fields.push("comments".to_string());
            }
            if !fields.is_empty() {
                out.push(OverlayGap {
                    file: file.clone(),
                    id: item.id.clone(),
                    fields,
                });
            }
        }
    }
    Ok(out)
}
