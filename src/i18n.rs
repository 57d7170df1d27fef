//! The one lookup every user-facing string of the program goes through.
//!
//! Messages live in Fluent files under `assets/locales/<lang>/main.ftl`, embedded at compile
//! time by `fluent-templates`. Only English ships today; adding a language means adding a
//! folder, not touching the screens. Fluent's Unicode bidi isolation marks are turned off:
//! in a terminal they are invisible characters that break width arithmetic.
//!
//! Use [`t!`](crate::t) for a message, with `name = value` pairs for its variables.

use std::borrow::Cow;
use std::collections::HashMap;
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

static LANG: RwLock<Option<LanguageIdentifier>> = RwLock::new(None);

fn current() -> LanguageIdentifier {
    LANG.read()
        .ok()
        .and_then(|l| l.clone())
        .unwrap_or_else(|| fluent_templates::langid!("en-US"))
}

/// Sets the language for the rest of the run (`en`, `en-US`, …). Unknown languages fall back
/// to English message by message.
pub fn set_language(tag: &str) {
    if let Ok(id) = tag.parse::<LanguageIdentifier>()
        && let Ok(mut l) = LANG.write()
    {
        *l = Some(id);
    }
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
    let map: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
        .collect();
    LOCALES
        .try_lookup_with_args(&current(), id, &map)
        .unwrap_or_else(|| id.to_string())
}

/// The English messages, the fallback for every other language.
const EN_US: &str = include_str!("../assets/locales/en-US/main.ftl");

/// The message ids defined in a Fluent file (lines `id = …` at the start of a line).
pub fn message_ids(ftl: &str) -> std::collections::BTreeSet<&str> {
    ftl.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim()))
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
