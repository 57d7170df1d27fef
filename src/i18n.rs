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
//!
//! For `pchat-migrate i18n check` the lookup can also run pseudo-localized
//! ([`set_pseudo`]): every message's own letters come out as accented look-alikes
//! (`Ŝţéṕ`), its variables as given, so that a plain ASCII word on a screen drawn that way
//! did not come through a message.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use serde::{Deserialize, Serialize};

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

static PSEUDO: AtomicBool = AtomicBool::new(false);

/// Turns pseudo-localization on or off for the rest of the run (see the module docs):
/// [`t!`](crate::t) then gives the English message with its letters replaced by
/// [`pseudo`], leaving the values of its variables as they are.
pub fn set_pseudo(on: bool) {
    PSEUDO.store(on, Ordering::SeqCst);
}

/// `n` and the English noun that agrees with it ("1 difference", "4 differences"), for the
/// texts that are English only (the report, evidence lines, the CLI's summaries).
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// True while [`set_pseudo`] is on.
pub fn pseudo_on() -> bool {
    PSEUDO.load(Ordering::SeqCst)
}

/// Accented look-alikes of `a`–`z`, then `A`–`Z`: one terminal cell each, like the letter.
const PSEUDO_LETTERS: [char; 52] = [
    'á', 'ƀ', 'ç', 'đ', 'é', 'ƒ', 'ĝ', 'ĥ', 'í', 'ĵ', 'ķ', 'ĺ', 'ḿ', 'ñ', 'ó', 'ṕ', 'ʠ', 'ŕ', 'š',
    'ţ', 'ú', 'ṽ', 'ŵ', 'ẋ', 'ý', 'ž', 'Á', 'Ɓ', 'Ç', 'Đ', 'É', 'Ƒ', 'Ĝ', 'Ĥ', 'Í', 'Ĵ', 'Ķ', 'Ĺ',
    'Ḿ', 'Ñ', 'Ó', 'Ṕ', 'Ɋ', 'Ŕ', 'Š', 'Ţ', 'Ú', 'Ṽ', 'Ŵ', 'Ẋ', 'Ý', 'Ž',
];

/// `text` with every ASCII letter replaced by its accented look-alike (same width, still
/// readable); everything else as it is.
pub fn pseudo(text: &str) -> String {
    text.chars().map(pseudo_char).collect()
}

fn pseudo_char(c: char) -> char {
    match c {
        'a'..='z' => PSEUDO_LETTERS[c as usize - 'a' as usize],
        'A'..='Z' => PSEUDO_LETTERS[26 + c as usize - 'A' as usize],
        _ => c,
    }
}

/// Private-use marks around a variable's value while a pseudo message is formatted.
const VALUE_START: char = '\u{E000}';
const VALUE_END: char = '\u{E001}';

/// The English message in pseudo letters, the values of its variables untouched.
fn pseudo_lookup(id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    pseudo_lookup_map(id, &args_map(args))
}

fn pseudo_lookup_map(id: &str, args: &HashMap<Cow<'static, str>, FluentValue<'static>>) -> String {
    let marked: HashMap<Cow<'static, str>, FluentValue<'static>> = args
        .iter()
        .map(|(k, v)| {
            let v = match v {
                FluentValue::String(s) => FluentValue::from(format!("{VALUE_START}{s}{VALUE_END}")),
                other => other.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    let en = fluent_templates::langid!("en-US");
    let Some(text) = (if args.is_empty() {
        LOCALES.try_lookup(&en, id)
    } else {
        LOCALES.try_lookup_with_args(&en, id, &marked)
    }) else {
        return id.to_string();
    };
    let mut depth = 0usize;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            VALUE_START => depth += 1,
            VALUE_END => depth = depth.saturating_sub(1),
            c if depth > 0 => out.push(c),
            c => out.push(pseudo_char(c)),
        }
    }
    out
}

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
    if pseudo_on() {
        return pseudo_lookup(id, &[]);
    }
    LOCALES
        .try_lookup(&current(), id)
        .unwrap_or_else(|| id.to_string())
}

/// Looks up a message with variables.
pub fn tr_args(id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
    if pseudo_on() {
        return pseudo_lookup(id, args);
    }
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

/// A message worded when it is shown: its id and the values of its variables. What the
/// program records (a saved plan, the report) keeps the English wording
/// ([`Msg::english`]); a screen words the same value in the language of the run
/// ([`Msg::shown`]). Serialized as `{"id": "…", "args": [["name", value], …]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    /// The message id (in `assets/locales/*/main.ftl`).
    pub id: String,
    /// The variables, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, MsgArg)>,
}

/// The value of one variable of a [`Msg`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MsgArg {
    /// A count (plural rules apply).
    Number(i64),
    /// Text shown as it is: a name, a date, a figure already formatted.
    Text(String),
    /// Another message, worded in the same language.
    Msg(Box<Msg>),
}

impl Msg {
    /// The message `id` without variables.
    pub fn new(id: &str) -> Msg {
        Msg {
            id: id.to_string(),
            args: Vec::new(),
        }
    }

    /// With a count.
    #[must_use]
    pub fn num(mut self, name: &str, n: u64) -> Msg {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        self.args.push((name.to_string(), MsgArg::Number(n)));
        self
    }

    /// With text shown as it is.
    #[must_use]
    pub fn text(mut self, name: &str, value: impl Into<String>) -> Msg {
        self.args
            .push((name.to_string(), MsgArg::Text(value.into())));
        self
    }

    /// With another message.
    #[must_use]
    pub fn msg(mut self, name: &str, value: Msg) -> Msg {
        self.args
            .push((name.to_string(), MsgArg::Msg(Box::new(value))));
        self
    }

    /// The English wording, for what is recorded.
    pub fn english(&self) -> String {
        self.word(Some(ENGLISH))
    }

    /// The wording in `lang` (any tag [`normalize`] accepts; English for others).
    pub fn in_language(&self, lang: &str) -> String {
        self.word(Some(lang))
    }

    /// The wording in the language of the run (pseudo-localized while [`set_pseudo`] is
    /// on), for the screen.
    pub fn shown(&self) -> String {
        self.word(None)
    }

    fn word(&self, lang: Option<&str>) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = self
            .args
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    MsgArg::Number(n) => FluentValue::from(*n),
                    MsgArg::Text(t) => FluentValue::from(t.clone()),
                    MsgArg::Msg(m) => FluentValue::from(m.word(lang)),
                };
                (Cow::Owned(k.clone()), v)
            })
            .collect();
        let id_lang = match lang {
            Some(l) => lang_id(l),
            None if pseudo_on() => return pseudo_lookup_map(&self.id, &args),
            None => current(),
        };
        if args.is_empty() {
            LOCALES.try_lookup(&id_lang, &self.id)
        } else {
            LOCALES.try_lookup_with_args(&id_lang, &self.id, &args)
        }
        .unwrap_or_else(|| self.id.clone())
    }
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

    /// Every `t!("…")` and `Msg::new("…")` id used in the sources exists in the English
    /// messages.
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
                    let uses = text
                        .match_indices("t!(\"")
                        .map(|(i, m)| (i, m.len()))
                        .chain(text.match_indices("Msg::new(\"").map(|(i, m)| (i, m.len())));
                    for (i, len) in uses {
                        // `format!(` also ends in `t!(`: only a standalone `t!` counts.
                        if len == 4
                            && text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                        {
                            continue;
                        }
                        let rest = &text[i + len..];
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
    fn pseudo_letters_keep_the_width_and_leave_values_alone() {
        use unicode_width::UnicodeWidthStr;
        let all: String = ('a'..='z').chain('A'..='Z').collect();
        let p = pseudo(&all);
        assert_eq!(p.width(), all.width());
        assert!(!p.chars().any(|c| c.is_ascii_alphabetic()), "{p}");
        assert_eq!(
            p.chars().collect::<BTreeSet<_>>().len(),
            52,
            "one look-alike each"
        );
        assert_eq!(pseudo("3/81 -x"), "3/81 -ẋ");
        // The message's own words change; a variable's value does not.
        let looked = pseudo_lookup(
            "status-save-failed",
            &[("error", FluentValue::from("disk full".to_string()))],
        );
        assert_eq!(looked, format!("{}: disk full", pseudo("NOT saved")));
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
