//! Which symptoms fit what the admin has: pasted text (an event's ID and message, a cmdlet's
//! error, a log line, a sentence) or one event read from a log. Every symptom gets a score
//! and the reasons behind it; the ranking keeps those at or above [`MATCH_SCORE`], and when
//! none reaches it, the closest few below.
//!
//! Scores (the best of each kind counts, so one long paste does not win by volume):
//!
//! | what | points |
//! |---|---|
//! | an event key: the ID and the source named in the text (or the event's provider) | 60 |
//! | an event key: the ID in an event context (`Event ID: 53530`, `Id : 53530`) | 45 |
//! | an error key found whole in the text | 50 |
//! | the text is a part of an error key (≥ 24 characters), or holds the key's first 40 | 40 |
//! | a phrase key: all its words in the text | 30 (+5 for each further whole phrase, up to 10) |
//! | a phrase key: at least 60 % and two of its words | 30 × share − 5 |
//! | words shared with the title, what the admin sees and the cause | 3 each, up to 15 |
//!
//! Words are compared without case, with a light stemming (`rooms` = `room`,
//! `connecting` = `connect`) and without the small words of [`STOP_WORDS`].

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Catalog, Symptom};

/// The score from which a symptom counts as a match.
pub const MATCH_SCORE: u32 = 20;

/// How many of the closest symptoms "no match" lists.
pub const CLOSEST: usize = 3;

/// Words that say nothing about a symptom.
pub const STOP_WORDS: [&str; 48] = [
    "a", "an", "the", "to", "of", "in", "on", "for", "is", "are", "was", "were", "be", "been",
    "it", "its", "this", "that", "with", "and", "or", "not", "no", "cannot", "can", "t", "don",
    "doesn", "isn", "my", "our", "we", "i", "they", "their", "at", "by", "from", "as", "after",
    "when", "but", "any", "all", "do", "does", "has", "have",
];

/// Words too common in this domain to tell symptoms apart (ignored in the word overlap,
/// still used in phrases).
const DOMAIN_WORDS: [&str; 8] = [
    "chat",
    "persistent",
    "lync",
    "server",
    "group",
    "microsoft",
    "error",
    "fail",
];

/// Why a symptom matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    /// An event key.
    Event {
        /// The event ID.
        id: u32,
        /// The key's source, when it was found too.
        source: Option<String>,
    },
    /// An error key found whole.
    Error {
        /// The key.
        text: String,
    },
    /// Part of an error key.
    ErrorPart {
        /// The key.
        text: String,
    },
    /// A phrase key.
    Phrase {
        /// The phrase.
        text: String,
        /// Its words found.
        found: usize,
        /// Its words.
        of: usize,
    },
    /// Words shared with the symptom's description.
    Words {
        /// The words.
        words: Vec<String>,
    },
}

impl Reason {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Reason::Event {
                id,
                source: Some(s),
            } => format!("event {id} from a source naming \"{s}\""),
            Reason::Event { id, source: None } => format!("event ID {id}"),
            Reason::Error { text } => format!("error text \"{}\"", clip(text, 90)),
            Reason::ErrorPart { text } => format!("part of the error text \"{}\"", clip(text, 90)),
            Reason::Phrase { text, found, of } if found == of => format!("phrase \"{text}\""),
            Reason::Phrase { text, found, of } => {
                format!("{found} of {of} words of \"{text}\"")
            }
            Reason::Words { words } => format!("words: {}", words.join(", ")),
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// One symptom's score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scored<'c> {
    /// The symptom.
    pub symptom: &'c Symptom,
    /// Its score.
    pub score: u32,
    /// Why, strongest first.
    pub reasons: Vec<Reason>,
}

/// The ranking of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranking<'c> {
    /// Symptoms at or above [`MATCH_SCORE`], best first (ties: catalog order).
    pub matches: Vec<Scored<'c>>,
    /// When nothing matched: up to [`CLOSEST`] symptoms with a score above 0, best first.
    pub closest: Vec<Scored<'c>>,
}

impl Ranking<'_> {
    /// The best match, if any.
    pub fn best(&self) -> Option<&Scored<'_>> {
        self.matches.first()
    }
}

/// Text prepared once for every symptom.
struct Prepared {
    /// Lower case, white space collapsed, typographic quotes made plain.
    flat: String,
    /// Tokens in order (lower case, split on anything not alphanumeric).
    tokens: Vec<String>,
    /// Stemmed content words.
    words: BTreeSet<String>,
}

fn flatten(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            c => c,
        })
        .collect();
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn tokens(flat: &str) -> Vec<String> {
    flat.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The stem of a lower-case word.
pub fn stem(w: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if w.len() > suffix.len() + 3
            && let Some(s) = w.strip_suffix(suffix)
        {
            return s.to_string();
        }
    }
    w.to_string()
}

fn content_words(tokens: &[String]) -> BTreeSet<String> {
    tokens
        .iter()
        .filter(|t| !STOP_WORDS.contains(&t.as_str()))
        .map(|t| stem(t))
        .collect()
}

impl Prepared {
    fn new(text: &str) -> Prepared {
        let flat = flatten(text);
        let tokens = tokens(&flat);
        let words = content_words(&tokens);
        Prepared {
            flat,
            tokens,
            words,
        }
    }

    /// Whether `id` appears as a token right after an event-ID label.
    fn id_in_event_context(&self, id: u32) -> bool {
        let id = id.to_string();
        self.tokens.iter().enumerate().any(|(i, t)| {
            *t == id
                && self.tokens[i.saturating_sub(3)..i]
                    .iter()
                    .any(|p| matches!(p.as_str(), "event" | "eventid" | "id"))
        })
    }

    fn has_token(&self, id: u32) -> bool {
        let id = id.to_string();
        self.tokens.contains(&id)
    }
}

/// An event read from a log, for [`rank_event`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFacts<'a> {
    /// The event ID.
    pub id: u32,
    /// The provider (source) name.
    pub provider: &'a str,
    /// The message, if the log carries one.
    pub message: &'a str,
}

fn score_symptom<'c>(s: &'c Symptom, p: &Prepared, event: Option<&EventFacts<'_>>) -> Scored<'c> {
    let mut reasons = Vec::new();
    let mut score = 0u32;

    // Events.
    let mut best_event: Option<(u32, Reason)> = None;
    for k in &s.events {
        let src = k.source.as_deref().map(str::to_lowercase);
        let hit = match event {
            Some(ev) => {
                let provider = ev.provider.to_lowercase();
                (ev.id == k.id && src.as_deref().is_none_or(|x| provider.contains(x))).then_some(60)
            }
            None => match &src {
                Some(x) if p.has_token(k.id) && p.flat.contains(x.as_str()) => Some(60),
                _ if p.id_in_event_context(k.id) => Some(45),
                _ => None,
            },
        };
        if let Some(points) = hit {
            let found_src = match event {
                Some(_) => k.source.clone(),
                None => k
                    .source
                    .clone()
                    .filter(|x| p.flat.contains(&x.to_lowercase())),
            };
            if best_event.as_ref().is_none_or(|(b, _)| points > *b) {
                best_event = Some((
                    points,
                    Reason::Event {
                        id: k.id,
                        source: found_src,
                    },
                ));
            }
        }
    }
    if let Some((points, r)) = best_event {
        score += points;
        reasons.push(r);
    }

    // Error text.
    let mut best_error: Option<(u32, Reason)> = None;
    for e in &s.errors {
        let key = flatten(e);
        let whole = p.flat.contains(&key);
        let head: String = key.chars().take(40).collect();
        let part = !whole
            && ((p.flat.chars().count() >= 24 && key.contains(&p.flat))
                || (key.chars().count() > 40 && p.flat.contains(&head)));
        let hit = if whole {
            Some((50, Reason::Error { text: e.clone() }))
        } else if part {
            Some((40, Reason::ErrorPart { text: e.clone() }))
        } else {
            None
        };
        if let Some((points, r)) = hit
            && best_error.as_ref().is_none_or(|(b, _)| points > *b)
        {
            best_error = Some((points, r));
        }
    }
    if let Some((points, r)) = best_error {
        score += points;
        reasons.push(r);
    }

    // Phrases.
    let mut phrase_scores: Vec<(u32, Reason)> = Vec::new();
    for ph in &s.phrases {
        let words = content_words(&tokens(&flatten(ph)));
        if words.is_empty() {
            continue;
        }
        let found = words.iter().filter(|w| p.words.contains(*w)).count();
        let of = words.len();
        let points = if found == of {
            30
        } else if found >= 2 && found * 10 >= of * 6 {
            (30 * found / of).saturating_sub(5) as u32
        } else {
            0
        };
        if points > 0 {
            phrase_scores.push((
                points,
                Reason::Phrase {
                    text: ph.clone(),
                    found,
                    of,
                },
            ));
        }
    }
    phrase_scores.sort_by_key(|x| std::cmp::Reverse(x.0));
    if let Some((best, r)) = phrase_scores.first() {
        score += best;
        reasons.push(r.clone());
        let extra = phrase_scores
            .iter()
            .skip(1)
            .filter(|(pts, _)| *pts == 30)
            .count() as u32;
        score += (extra * 5).min(10);
    }

    // Words of the description.
    let described = content_words(&tokens(&flatten(&format!(
        "{} {} {}",
        s.title, s.sees, s.cause
    ))));
    let shared: Vec<String> = described
        .iter()
        .filter(|w| {
            p.words.contains(*w)
                && w.len() > 2
                && !DOMAIN_WORDS.contains(&w.as_str())
                && !w.chars().all(|c| c.is_ascii_digit())
        })
        .cloned()
        .collect();
    if !shared.is_empty() {
        score += (3 * shared.len() as u32).min(15);
        reasons.push(Reason::Words { words: shared });
    }

    Scored {
        symptom: s,
        score,
        reasons,
    }
}

fn ranking<'c>(mut scored: Vec<Scored<'c>>) -> Ranking<'c> {
    // Stable: ties keep catalog order.
    scored.sort_by_key(|x| std::cmp::Reverse(x.score));
    let matches: Vec<Scored<'c>> = scored
        .iter()
        .filter(|s| s.score >= MATCH_SCORE)
        .cloned()
        .collect();
    let closest = if matches.is_empty() {
        scored
            .into_iter()
            .filter(|s| s.score > 0)
            .take(CLOSEST)
            .collect()
    } else {
        Vec::new()
    };
    Ranking { matches, closest }
}

/// Ranks the catalog's symptoms against pasted text.
pub fn rank<'c>(catalog: &'c Catalog, text: &str) -> Ranking<'c> {
    let p = Prepared::new(text);
    ranking(
        catalog
            .symptoms
            .iter()
            .map(|s| score_symptom(s, &p, None))
            .collect(),
    )
}

/// Ranks the catalog's symptoms against one event: its ID and provider against the event
/// keys, its message against the error and phrase keys.
pub fn rank_event<'c>(catalog: &'c Catalog, event: &EventFacts<'_>) -> Ranking<'c> {
    let p = Prepared::new(event.message);
    ranking(
        catalog
            .symptoms
            .iter()
            .map(|s| score_symptom(s, &p, Some(event)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalog {
        Catalog::embedded().unwrap()
    }

    #[test]
    fn stems_and_stop_words() {
        assert_eq!(stem("rooms"), "room");
        assert_eq!(stem("connecting"), "connect");
        assert_eq!(stem("is"), "is");
        let p = Prepared::new("The   Rooms are ‘missing’");
        assert_eq!(p.flat, "the rooms are 'missing'");
        assert!(p.words.contains("room") && !p.words.contains("the"));
    }

    #[test]
    fn a_bare_number_is_not_an_event() {
        let c = cat();
        // 5061 is a port everywhere in the catalog; without "event" before it, no event key.
        let r = rank(&c, "5061");
        assert!(
            r.matches
                .iter()
                .all(|m| !m.reasons.iter().any(|x| matches!(x, Reason::Event { .. }))),
            "{r:?}"
        );
    }

    #[test]
    fn nonsense_is_no_match_with_no_candidates() {
        let c = cat();
        let r = rank(&c, "zzzz qqqq");
        assert!(r.matches.is_empty());
        assert!(r.closest.is_empty());
    }
}
