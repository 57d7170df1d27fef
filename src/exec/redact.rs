//! Removing secrets from everything PowerShell prints before it reaches the job log, the
//! outcome, an error message or the screen.
//!
//! For each secret the redactor knows its plain text and the forms in which a script or a
//! cmdlet could echo it: JSON-escaped (as `ConvertTo-Json` writes it, including Windows
//! PowerShell 5.1's `\u0027`-style escapes), PowerShell single-quote escaped, and base64 of
//! its UTF-8, UTF-16LE and UTF-16BE bytes (standard and URL-safe alphabets). A base64 form
//! of a secret embedded in a longer value depends on where it starts modulo 3, so all three
//! alignments are covered by the part of the encoding that only depends on the secret.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

use super::credential::Secret;

/// What replaces a secret.
pub const MASK: &str = "[REDACTED]";

/// Removes known secrets (in all their forms) from text.
#[derive(Default)]
pub struct Redactor {
    /// Longest first, so a longer form is replaced before a shorter one inside it.
    patterns: Vec<Zeroizing<String>>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} patterns)", self.patterns.len())
    }
}

impl Redactor {
    /// A redactor that removes nothing.
    pub fn none() -> Redactor {
        Redactor::default()
    }

    /// A redactor for these secrets.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Redactor {
        let mut r = Redactor::default();
        for s in secrets {
            r.add(s);
        }
        r
    }

    /// Adds a secret and its derived forms.
    pub fn add(&mut self, secret: &Secret) {
        let plain = secret.expose();
        if plain.is_empty() {
            return;
        }
        let mut forms: Vec<Zeroizing<String>> = vec![Zeroizing::new(plain.to_string())];
        // JSON (serde's escaping, then Windows PowerShell 5.1's extra escapes).
        if let Ok(j) = serde_json::to_string(plain) {
            let inner = Zeroizing::new(j[1..j.len() - 1].to_string());
            let ps51 = Zeroizing::new(
                inner
                    .replace('<', "\\u003c")
                    .replace('>', "\\u003e")
                    .replace('&', "\\u0026")
                    .replace('\'', "\\u0027"),
            );
            forms.push(inner);
            forms.push(ps51);
        }
        // PowerShell single-quoted form.
        let mut quoted = Zeroizing::new(String::new());
        for c in plain.chars() {
            if super::quote::is_single_quote(c) {
                quoted.push(c);
            }
            quoted.push(c);
        }
        forms.push(quoted);
        // Byte encodings, then base64 at every alignment.
        let utf8 = Zeroizing::new(plain.as_bytes().to_vec());
        let utf16le = Zeroizing::new(
            plain
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>(),
        );
        let utf16be = Zeroizing::new(
            plain
                .encode_utf16()
                .flat_map(u16::to_be_bytes)
                .collect::<Vec<u8>>(),
        );
        // UTF-16 text read as Latin-1 (a log that mis-decodes UTF-16): "p\0a\0…".
        forms.push(Zeroizing::new(
            utf16le.iter().map(|&b| char::from(b)).collect::<String>(),
        ));
        for bytes in [&utf8, &utf16le, &utf16be] {
            for skip in 0..3 {
                if bytes.len() <= skip {
                    continue;
                }
                let rest = &bytes[skip..];
                let whole = rest.len() / 3 * 3;
                if whole == 0 {
                    continue;
                }
                // The full encoding (with padding) when the secret is the whole value…
                if skip == 0 {
                    forms.push(Zeroizing::new(
                        base64::engine::general_purpose::STANDARD.encode(&bytes[..]),
                    ));
                }
                // …and the alignment-independent middle part when it is embedded.
                forms.push(Zeroizing::new(STANDARD_NO_PAD.encode(&rest[..whole])));
                forms.push(Zeroizing::new(URL_SAFE_NO_PAD.encode(&rest[..whole])));
            }
        }
        for f in forms {
            if !f.is_empty() && !self.patterns.iter().any(|p| **p == *f) {
                self.patterns.push(f);
            }
        }
        self.patterns.sort_by_key(|p| std::cmp::Reverse(p.len()));
    }

    /// True when the redactor knows no secret.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// `text` with every known secret form replaced by [`MASK`].
    pub fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(text);
        for p in &self.patterns {
            if out.contains(p.as_str()) {
                out = Cow::Owned(out.replace(p.as_str(), MASK));
            }
        }
        out
    }

    /// Redacts every string inside a JSON value (keys included).
    pub fn apply_json(&self, v: &mut serde_json::Value) {
        if self.is_empty() {
            return;
        }
        match v {
            serde_json::Value::String(s) => {
                if let Cow::Owned(o) = self.apply(s) {
                    *s = o;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| self.apply_json(x)),
            serde_json::Value::Object(m) => {
                let old = std::mem::take(m);
                for (k, mut x) in old {
                    self.apply_json(&mut x);
                    m.insert(self.apply(&k).into_owned(), x);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    fn r(s: &str) -> Redactor {
        Redactor::new([&Secret::new(s.into())])
    }

    #[test]
    fn plain_and_json_forms() {
        let red = r("p\"a<ss'w");
        assert_eq!(red.apply("x p\"a<ss'w y"), format!("x {MASK} y"));
        assert_eq!(
            red.apply(r#"{"m":"p\"a<ss'w"}"#),
            format!(r#"{{"m":"{MASK}"}}"#)
        );
        assert_eq!(
            red.apply(r#"{"m":"p\"a\u003css\u0027w"}"#),
            format!(r#"{{"m":"{MASK}"}}"#)
        );
        assert_eq!(red.apply("nothing here"), "nothing here");
    }

    #[test]
    fn base64_forms_at_every_alignment() {
        let secret = "Correct-Horse-Battery-Staple";
        let red = r(secret);
        for prefix in ["", "a", "ab", "abc", "abcd"] {
            for enc in [
                format!("{prefix}{secret}xyz").into_bytes(),
                format!("{prefix}{secret}xyz")
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect(),
            ] {
                let b64 = STANDARD.encode(&enc);
                let out = red.apply(&b64);
                assert!(out.contains(MASK), "prefix {prefix:?}: {b64} -> {out}");
                // What is left cannot decode back to the secret.
                assert!(!out.contains(&STANDARD.encode(secret)));
            }
        }
    }

    #[test]
    fn json_values_are_redacted_deeply() {
        let red = r("s3cr3t!");
        let mut v = serde_json::json!({"a": ["x s3cr3t! y"], "s3cr3t!": 1});
        red.apply_json(&mut v);
        let text = v.to_string();
        assert!(!text.contains("s3cr3t!"), "{text}");
    }
}
