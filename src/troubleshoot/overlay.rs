//! The catalog in other languages, like the runbook's overlays: one file per language,
//! `assets/troubleshoot/i18n/<lang>/symptoms.toml`, translating text fields only.
//!
//! ```toml
//! [symptoms."services-not-started"]
//! title = "…"
//! sees = "…"
//! cause = "…"
//! fix = "…"
//! disagreement = "…"                      # when the English symptom has one
//! checks = [{ what = "…", expect = "…" }] # as many as the English checks, in order
//! phrases = ["…"]                         # optional: more match keys in this language
//! ```
//!
//! Ids, kinds, probes, cmdlets, queries, event IDs, error texts (the product prints them in
//! English) and sources always come from the English file. A field left out shows the
//! English text, and `pchat-migrate i18n check` lists it. A translation must use the same
//! `{{placeholders}}` as the English text it replaces. An unknown symptom id is an error
//! naming the file and line.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Catalog, CatalogError};

/// The languages with a catalog overlay, and its text.
pub const EMBEDDED_OVERLAYS: [(&str, &str); 3] = [
    (
        "it-IT",
        include_str!("../../assets/troubleshoot/i18n/it-IT/symptoms.toml"),
    ),
    (
        "es-ES",
        include_str!("../../assets/troubleshoot/i18n/es-ES/symptoms.toml"),
    ),
    (
        "ko-KR",
        include_str!("../../assets/troubleshoot/i18n/ko-KR/symptoms.toml"),
    ),
];

/// A language's overlay: (normalized tag, text); none for English and languages without.
pub fn overlay_text(lang: &str) -> Option<(&'static str, &'static str)> {
    let tag = crate::i18n::normalize(lang)?;
    EMBEDDED_OVERLAYS.iter().find(|(l, _)| *l == tag).copied()
}

/// A symptom whose text an overlay does not (fully) translate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CatalogGap {
    /// The symptom id.
    pub id: String,
    /// The untranslated fields (`title`, `sees`, `cause`, `fix`, `disagreement`, `checks`).
    pub fields: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverlay {
    #[serde(default)]
    symptoms: BTreeMap<String, RawSymptom>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSymptom {
    title: Option<String>,
    sees: Option<String>,
    cause: Option<String>,
    fix: Option<String>,
    disagreement: Option<String>,
    checks: Option<Vec<RawCheck>>,
    #[serde(default)]
    phrases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    what: String,
    expect: String,
}

fn label(lang: &str) -> String {
    format!("assets/troubleshoot/i18n/{lang}/symptoms.toml")
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.insert(after[..close].to_string());
        rest = &after[close + 2..];
    }
    out
}

fn line_of(text: &str, id: &str) -> usize {
    let needle = format!("\"{id}\"");
    text.find(&needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

fn parse(english: &Catalog, lang: &str, text: &str) -> Result<RawOverlay, CatalogError> {
    let file = label(lang);
    let raw: RawOverlay = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let before = &text[..at.min(text.len())];
        CatalogError::Parse {
            file: file.clone(),
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            message: e.message().trim().to_string(),
        }
    })?;
    for (id, t) in &raw.symptoms {
        let invalid = |message: String| CatalogError::Invalid {
            file: format!("{file}:{}", line_of(text, id)),
            symptom: id.clone(),
            check: None,
            message,
        };
        let Some(s) = english.symptom(id) else {
            return Err(invalid(
                "no English symptom has this id; overlay ids are those of assets/troubleshoot/symptoms.toml".into(),
            ));
        };
        let mut pairs: Vec<(&str, &str, &str)> = Vec::new();
        for (field, en, tr) in [
            ("title", Some(&s.title), &t.title),
            ("sees", Some(&s.sees), &t.sees),
            ("cause", Some(&s.cause), &t.cause),
            ("fix", Some(&s.fix), &t.fix),
            ("disagreement", s.disagreement.as_ref(), &t.disagreement),
        ] {
            if let Some(tr) = tr {
                let Some(en) = en else {
                    return Err(invalid(format!(
                        "{field} is translated but the English symptom has none"
                    )));
                };
                pairs.push((field, en, tr));
            }
        }
        if let Some(checks) = &t.checks {
            for (c, en) in checks.iter().zip(&s.checks) {
                pairs.push(("checks.what", &en.what, &c.what));
                pairs.push(("checks.expect", &en.expect, &c.expect));
            }
        }
        for (field, en, tr) in pairs {
            if tr.trim().is_empty() {
                return Err(invalid(format!("{field} is empty")));
            }
            if placeholders(en) != placeholders(tr) {
                return Err(invalid(format!(
                    "{field} uses other placeholders than the English text ({:?} in English)",
                    placeholders(en)
                )));
            }
        }
        if t.phrases.iter().any(|p| p.trim().is_empty()) {
            return Err(invalid("a phrase is empty".into()));
        }
    }
    Ok(raw)
}

/// The English catalog with `lang`'s text substituted (see the module docs); `lang` labels
/// errors.
///
/// # Errors
/// The overlay's first error.
pub fn apply(english: Catalog, lang: &str, text: &str) -> Result<Catalog, CatalogError> {
    let raw = parse(&english, lang, text)?;
    let mut cat = english;
    for s in &mut cat.symptoms {
        let Some(t) = raw.symptoms.get(&s.id) else {
            continue;
        };
        for (field, value) in [
            (&mut s.title, &t.title),
            (&mut s.sees, &t.sees),
            (&mut s.cause, &t.cause),
            (&mut s.fix, &t.fix),
        ] {
            if let Some(v) = value {
                *field = v.clone();
            }
        }
        if let (Some(d), Some(_)) = (&t.disagreement, &s.disagreement) {
            s.disagreement = Some(d.clone());
        }
        if let Some(checks) = &t.checks
            && checks.len() == s.checks.len()
        {
            for (c, tr) in s.checks.iter_mut().zip(checks) {
                c.what = tr.what.clone();
                c.expect = tr.expect.clone();
            }
        }
        // Phrases in the admin's language are added to the English ones.
        s.phrases.extend(t.phrases.iter().cloned());
    }
    Ok(cat)
}

/// What `lang`'s overlay leaves untranslated, in catalog order (a language without an
/// overlay lacks everything).
///
/// # Errors
/// The overlay's first error.
pub fn gaps(english: &Catalog, lang: &str) -> Result<Vec<CatalogGap>, CatalogError> {
    let tag = crate::i18n::normalize(lang).unwrap_or(lang);
    let raw = match overlay_text(tag) {
        Some((_, text)) => parse(english, tag, text)?,
        None => RawOverlay::default(),
    };
    Ok(gaps_of(english, &raw))
}

/// [`gaps`] for overlay text given directly (tests).
///
/// # Errors
/// The overlay's first error.
pub fn gaps_in(english: &Catalog, lang: &str, text: &str) -> Result<Vec<CatalogGap>, CatalogError> {
    Ok(gaps_of(english, &parse(english, lang, text)?))
}

fn gaps_of(english: &Catalog, raw: &RawOverlay) -> Vec<CatalogGap> {
    let empty = RawSymptom::default();
    english
        .symptoms
        .iter()
        .filter_map(|s| {
            let t = raw.symptoms.get(&s.id).unwrap_or(&empty);
            let mut fields = Vec::new();
            for (name, missing) in [
                ("title", t.title.is_none()),
                ("sees", t.sees.is_none()),
                ("cause", t.cause.is_none()),
                ("fix", t.fix.is_none()),
                (
                    "disagreement",
                    s.disagreement.is_some() && t.disagreement.is_none(),
                ),
                (
                    "checks",
                    t.checks.as_ref().is_none_or(|c| c.len() != s.checks.len()),
                ),
            ] {
                if missing {
                    fields.push(name.to_string());
                }
            }
            (!fields.is_empty()).then(|| CatalogGap {
                id: s.id.clone(),
                fields,
            })
        })
        .collect()
}
