//! Text from a file (a package entry name, a site name, a CSV field) on its way to a terminal,
//! a log or a file we write: control characters and bidirectional overrides are shown as
//! `\u{1b}` escapes instead of reaching the terminal, where an escape sequence can recolour
//! it, set its title or hide text.

use std::borrow::Cow;

/// Characters never passed through: C0 and C1 controls, DEL, and the bidirectional
/// embedding, override and isolate marks (U+202A–U+202E, U+2066–U+2069).
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every [`is_unsafe`] character written as a Rust-style `\u{…}` escape (a
/// backslash is left as it is). Borrowed when nothing needed escaping.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_keeping(s, &[])
}

/// As [`escape`], but keeps line ends and tabs: for multi-line output.
pub fn escape_multiline(s: &str) -> Cow<'_, str> {
    escape_keeping(s, &['\n', '\t'])
}

fn escape_keeping<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    let bad = |c: char| is_unsafe(c) && !keep.contains(&c);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_marks_are_escaped_and_plain_text_borrowed() {
        assert!(matches!(escape("Milano é 東京"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(escape("Mil\0ano"), "Mil\\u{0}ano");
        assert_eq!(escape("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{9b}");
        assert_eq!(escape("a\nb"), "a\\u{a}b");
        assert_eq!(escape_multiline("a\nb\t\u{1b}[2J"), "a\nb\t\\u{1b}[2J");
    }
}
