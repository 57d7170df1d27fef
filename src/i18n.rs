//! The one lookup every user-facing string of the program goes through.
//!
//! Messages live in Fluent files under `assets/locales/<lang>/main.ftl`, embedded at compile
//! time by `fluent-templates`: English (`en-US`, the fallback), Italian (`it-IT`), Spanish
//! (`es-ES`) and Korean (`ko-KR`). A message missing in a language falls back to English,
//! message by message; `pchat-migrate i18n check` lists what is missing. The runbook's text
//! is localized separately, by overlays (see [`crate::runbook::Runbook::embedded_for`]).
//! Fluent's Unicode bidi isolation marks are turned off: in a terminal they are invisible
//! characters that break width arithmetic.
//!
//! The language is chosen once per run ([`resolve_language`], then [`set_language`]): the
//! `--lang` flag, else `lang` in the config file, else the system locale, else English.
//!
//! Use [`t!`](crate::t) for a message, with `name = value` pairs for its variables.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::RwLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./assets/locales",
        fallback_language: "en-US",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The English language tag, the fallback for every message and runbook text.
pub const ENGLISH: &str = "en-US";

/// The languages that ship, as (tag, Fluent source): English first.
pub const LANGUAGES: [(&str, &str); 4] = [
    (ENGLISH, include_str!("../assets/locales/en-US/main.ftl")),
    ("it-IT", include_str!("../assets/locales/it-IT/main.ftl")),
    ("es-ES", include_str!("../assets/locales/es-ES/main.ftl")),
    ("ko-KR", include_str!("../assets/locales/ko-KR/main.ftl")),
];

static LANG: RwLock<Option<LanguageIdentifier>> = RwLock::new(None);

fn current() -> LanguageIdentifier {
    LANG.read()
        .ok()
        .and_then(|l| l.clone())
        .unwrap_or_else(|| fluent_templates::langid!("en-US"))
}

/// The supported language a tag names, as its full tag (`"it"` → `"it-IT"`,
/// `"es-MX"` → `"es-ES"`, `"ko_KR.UTF-8"` → `"ko-KR"`, `"en-GB"` → `"en-US"`); `None` for a
/// language that does not ship (`"fr"`, `"C"`, `""`). Case, `_` for `-`, and POSIX
/// `.charset`/`@modifier` suffixes are accepted.
pub fn normalize(tag: &str) -> Option<&'static str> {
    let tag = tag.trim();
    let tag = tag.split(['.', '@']).next().unwrap_or("");
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    LANGUAGES
        .iter()
        .map(|(t, _)| *t)
        .find(|t| t.split('-').next() == Some(primary.as_str()))
}

/// The tags accepted by `--lang` and `lang =`, for messages.
pub const ACCEPTED: &str = "en, it, es, ko (or it-IT, es-ES, es-MX, ko-KR, en-US)";

/// The language of this run, in order: the `--lang` flag, the config file's `lang`, the
/// system locale, English. Values naming a language that does not ship are passed over.
/// Returns the full tag (`"it-IT"`, `"es-ES"`, `"ko-KR"` or `"en-US"`).
pub fn resolve_language(flag: Option<&str>, config: Option<&str>) -> String {
    resolve_language_with(flag, config, sys_locale::get_locale().as_deref())
}

/// [`resolve_language`] with the system locale given (for tests).
pub fn resolve_language_with(
    flag: Option<&str>,
    config: Option<&str>,
    system: Option<&str>,
) -> String {
    [flag, config, system]
        .into_iter()
        .flatten()
        .find_map(normalize)
        .unwrap_or(ENGLISH)
        .to_string()
}

/// Sets the language for the rest of the run (`it`, `es-ES`, …, normalized with
/// [`normalize`]). A language that does not ship selects English.
pub fn set_language(tag: &str) {
    let tag = normalize(tag).unwrap_or(ENGLISH);
    if let Ok(id) = tag.parse::<LanguageIdentifier>()
        && let Ok(mut l) = LANG.write()
    {
        *l = Some(id);
    }
}

/// The language in use, as its full tag (`"en-US"` until [`set_language`] is called).
pub fn current_language() -> String {
    current().to_string()
}

fn lang_id(tag: &str) -> LanguageIdentifier {
    normalize(tag)
        .unwrap_or(ENGLISH)
        .parse()
        .unwrap_or_else(|_| fluent_templates::langid!("en-US"))
}

fn args_map(
    args: &[(&'static str, FluentValue<'static>)],
) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    args.iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect()
}

/// Looks up a message by id. A missing id returns the id itself (tests guarantee none is
/// missing in English).
pub fn tr(id: &str) -> String {
    LOCALES
        .try_lookup(&current(), id)
        .unwrap_or_else(|| id.to_string())
}

/// Looks up a message with variables.
pub fn tr_args(id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    LOCALES
        .try_lookup_with_args(&current(), id, &args_map(args))
        .unwrap_or_else(|| id.to_string())
}

/// Looks up a message in a given language, without changing the language of the run
/// (English where the language lacks the message).
pub fn tr_in(lang: &str, id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    let id_lang = lang_id(lang);
    if args.is_empty() {
        LOCALES.try_lookup(&id_lang, id)
    } else {
        LOCALES.try_lookup_with_args(&id_lang, id, &args_map(args))
    }
    .unwrap_or_else(|| id.to_string())
}

/// The Fluent source of a shipped language (full tag or short form).
pub fn source(lang: &str) -> Option<&'static str> {
    let tag = normalize(lang)?;
    LANGUAGES.iter().find(|(t, _)| *t == tag).map(|(_, s)| *s)
}

/// The English messages, the fallback for every other language.
const EN_US: &str = LANGUAGES[0].1;

/// The message ids defined in a Fluent file (lines `id = …` at the start of a line).
pub fn message_ids(ftl: &str) -> BTreeSet<&str> {
    ftl.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim()))
        .collect()
}

/// Each message of a Fluent file with its source text (the `id = …` line and its indented
/// continuation lines, joined).
pub fn messages(ftl: &str) -> BTreeMap<&str, String> {
    let mut out: BTreeMap<&str, String> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in ftl.lines() {
        if line.starts_with(|c: char| c.is_ascii_alphabetic())
            && let Some((id, value)) = line.split_once('=')
        {
            let id = id.trim();
            out.insert(id, value.trim().to_string());
            current = Some(id);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(text) = current.and_then(|id| out.get_mut(id)) {
                text.push('\n');
                text.push_str(line.trim());
            }
        } else {
            current = None;
        }
    }
    out
}

/// The variables (`{$name}`, also in selectors) each message of a Fluent file uses.
pub fn message_variables(ftl: &str) -> BTreeMap<&str, BTreeSet<String>> {
    messages(ftl)
        .into_iter()
        .map(|(id, text)| {
            let vars = text
                .match_indices('$')
                .map(|(i, _)| {
                    text[i + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect::<String>()
                })
                .filter(|v| !v.is_empty())
                .collect();
            (id, vars)
        })
        .collect()
}

/// True when the message exists in English (the fallback language). Checked on the
/// source, because a lookup without its variables reports an error for some messages.
pub fn exists(id: &str) -> bool {
    message_ids(EN_US).contains(id)
}

/// Converts a value into a Fluent argument; used by [`t!`](crate::t).
pub fn arg<T: Into<FluentValue<'static>>>(v: T) -> FluentValue<'static> {
    v.into()
}

/// `t!("id")` or `t!("id", name = value, …)`: a localized message.
#[macro_export]
macro_rules! t {
    ($id:expr) => {
        $crate::i18n::tr($id)
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::tr_args($id, &[$((stringify!($name), $crate::i18n::arg($value))),+])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t!("…")` id used in the sources exists in the English messages.
    #[test]
    fn every_used_message_id_exists() {
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        let mut seen = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("i18n.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (i, _) in text.match_indices("t!(\"") {
                        // `format!(` also ends in `t!(`: only a standalone `t!` counts.
                        if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                            continue;
                        }
                        let rest = &text[i + 4..];
                        let id = &rest[..rest.find('"').unwrap()];
                        seen += 1;
                        if !exists(id) {
                            missing.push(format!("{}: {id}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(seen > 10, "the scan found too few message uses ({seen})");
        assert!(
            missing.is_empty(),
            "missing message ids:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn variables_are_substituted_without_isolation_marks() {
        let s = t!("items-done", done = 3, total = 81);
        assert_eq!(s, "3/81 done");
        assert!(!s.contains('\u{2068}'));
        let e = t!("status-save-failed", error = "disk full".to_string());
        assert_eq!(e, "NOT saved: disk full");
    }
}
