//! `pchat-migrate i18n check`: what each shipped language lacks against English, across
//! everything that is translated: the messages ([`crate::i18n`]), the runbook overlays and the
//! troubleshooting catalog's overlays. It sits above all three, so the message lookup itself
//! stays a leaf that every module can use.

use serde::Serialize;

use crate::i18n::{LANGUAGES, message_ids, message_variables};
use crate::{runbook, troubleshoot};

/// The English messages, the reference every other language is checked against.
const EN_US: &str = LANGUAGES[0].1;

/// What one language lacks, as `pchat-migrate i18n check` reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LanguageReport {
    /// The language tag (`it-IT`, …).
    pub lang: String,
    /// Message ids of the English `main.ftl` that this language's `main.ftl` lacks.
    pub missing_messages: Vec<String>,
    /// Message ids this language defines that English does not (never shown).
    pub unknown_messages: Vec<String>,
    /// Messages whose variables differ from the English message's.
    pub variable_mismatches: Vec<String>,
    /// Runbook stages and items whose text the overlay does not translate, with the fields.
    pub missing_runbook: Vec<runbook::OverlayGap>,
    /// Troubleshooting symptoms whose text the catalog overlay does not translate.
    pub missing_troubleshoot: Vec<troubleshoot::overlay::CatalogGap>,
    /// Screen rows that show English which did not come through a message (a literal in
    /// the code, English data), found by drawing every screen pseudo-localized; the same
    /// for every language. Filled by `crate::tui::language_check`.
    pub english_on_screen: Vec<ScreenGap>,
    /// Screen rows where a box's right border breaks when drawn in this language (a wide
    /// character over it). Filled by `crate::tui::language_check`.
    pub broken_borders: Vec<ScreenGap>,
    /// Overlay errors (a file that does not parse, an unknown item id); the English text
    /// is shown instead of the whole overlay.
    pub errors: Vec<String>,
}

/// A problem on one row of a drawn screen, as `i18n check` reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ScreenGap {
    /// The first view that shows it (`window row 2`, `runbook item plan.ntfs`, `help`).
    pub view: String,
    /// The terminal size it was drawn at (`80x24`).
    pub size: String,
    /// The 0-based screen row.
    pub row: u16,
    /// What is wrong (`English not from a message: fixed`).
    pub problem: String,
    /// The row as drawn.
    pub text: String,
    /// How many views of the tour show the same row.
    pub views: usize,
}

impl LanguageReport {
    /// True when nothing is missing or wrong.
    pub fn complete(&self) -> bool {
        self.missing_messages.is_empty()
            && self.unknown_messages.is_empty()
            && self.variable_mismatches.is_empty()
            && self.missing_runbook.is_empty()
            && self.missing_troubleshoot.is_empty()
            && self.english_on_screen.is_empty()
            && self.broken_borders.is_empty()
            && self.errors.is_empty()
    }
}

/// Checks every shipped language other than English against English: the messages of
/// `main.ftl` (ids and variables), the runbook overlays (items and fields) and the
/// troubleshooting catalog's overlays (symptoms and fields).
pub fn check() -> Vec<LanguageReport> {
    let en_ids = message_ids(EN_US);
    let en_vars = message_variables(EN_US);
    let english = runbook::Runbook::embedded();
    let catalog = troubleshoot::Catalog::embedded();
    LANGUAGES[1..]
        .iter()
        .map(|&(lang, ftl)| {
            let ids = message_ids(ftl);
            let vars = message_variables(ftl);
            let mut report = LanguageReport {
                lang: lang.to_string(),
                missing_messages: en_ids.difference(&ids).map(|s| s.to_string()).collect(),
                unknown_messages: ids.difference(&en_ids).map(|s| s.to_string()).collect(),
                variable_mismatches: en_vars
                    .iter()
                    .filter(|(id, v)| vars.get(*id).is_some_and(|w| w != *v))
                    .map(|(id, _)| id.to_string())
                    .collect(),
                ..LanguageReport::default()
            };
            if let Err(e) =
                fluent_templates::fluent_bundle::FluentResource::try_new(ftl.to_string())
            {
                report.errors.push(format!(
                    "{lang}/main.ftl: {} Fluent syntax errors",
                    e.1.len()
                ));
            }
            match &english {
                Ok(rb) => match runbook::overlay_gaps(rb, lang) {
                    Ok(gaps) => report.missing_runbook = gaps,
                    Err(e) => report.errors.push(e.to_string()),
                },
                Err(e) => report.errors.push(format!("English runbook: {e}")),
            }
            match &catalog {
                Ok(c) => match troubleshoot::overlay::gaps(c, lang) {
                    Ok(gaps) => report.missing_troubleshoot = gaps,
                    Err(e) => report.errors.push(e.to_string()),
                },
                Err(e) => report
                    .errors
                    .push(format!("English troubleshooting catalog: {e}")),
            }
            report
        })
        .collect()
}
