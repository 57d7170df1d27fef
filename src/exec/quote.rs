//! Putting profile values into a PowerShell script without letting them become code.
//!
//! Every value from the profile is written as a **single-quoted literal**. Inside single
//! quotes PowerShell expands nothing (`$`, `` ` ``, `;`, `(`, newlines are all plain text);
//! the only special characters are the single quotes themselves, and PowerShell's tokenizer
//! treats four Unicode look-alikes as single quotes too: U+2018 ‘, U+2019 ’, U+201A ‚ and
//! U+201B ‛ (`CharExtensions.IsSingleQuote` in PowerShell's parser). Two quote characters in
//! a row inside a literal stand for the second one, so each of the five is doubled. NUL is
//! refused: it cannot cross a process boundary intact and no Lync value contains it.
//!
//! Values are never interpolated into double-quoted strings, and the generated script uses
//! no double-quoted strings at all (the tests check this with a small tokenizer).

pub use crate::executor::QuoteError;

/// The characters PowerShell's tokenizer treats as a single quote.
pub const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// The characters PowerShell's tokenizer treats as a double quote.
pub const DOUBLE_QUOTES: [char; 4] = ['"', '\u{201C}', '\u{201D}', '\u{201E}'];

/// True for `'` and its four look-alikes.
pub fn is_single_quote(c: char) -> bool {
    SINGLE_QUOTES.contains(&c)
}

/// `value` as a PowerShell single-quoted literal, quotes included.
///
/// # Errors
/// [`QuoteError`] when the value contains NUL. `what` names the value in the message.
pub fn literal(value: &str, what: &str) -> Result<String, QuoteError> {
    if value.contains('\0') {
        return Err(QuoteError {
            what: what.to_string(),
            reason: "contains a NUL character, which cannot be passed to PowerShell; fix the value in the profile",
        });
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if is_single_quote(c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    Ok(out)
}

/// A list of values as `@('a','b')`.
///
/// # Errors
/// [`QuoteError`] when an element contains NUL.
pub fn literal_array(values: &[String], what: &str) -> Result<String, QuoteError> {
    let items = values
        .iter()
        .map(|v| literal(v, what))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("@({})", items.join(",")))
}

/// True for names we put into scripts as code (cmdlet, parameter and variable names): ASCII
/// letters, digits and `-`/`_` only. Such names come from this program, never the profile;
/// the check guards against a programming mistake.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_wrapped() {
        assert_eq!(literal("abc", "x").unwrap(), "'abc'");
        assert_eq!(literal("", "x").unwrap(), "''");
    }

    #[test]
    fn quotes_and_look_alikes_are_doubled() {
        assert_eq!(literal("O'Neil", "x").unwrap(), "'O''Neil'");
        assert_eq!(
            literal("a\u{2018}b\u{2019}c\u{201A}d\u{201B}e", "x").unwrap(),
            "'a\u{2018}\u{2018}b\u{2019}\u{2019}c\u{201A}\u{201A}d\u{201B}\u{201B}e'"
        );
    }

    #[test]
    fn dollar_backtick_semicolon_newline_stay_literal() {
        assert_eq!(literal("$(x);`n\r\nz", "x").unwrap(), "'$(x);`n\r\nz'");
    }

    #[test]
    fn nul_is_refused_without_echoing_the_value() {
        let e = literal("pass\0word", "the thing").unwrap_err();
        assert!(e.to_string().starts_with("the thing: "));
        assert!(!e.to_string().contains("word"));
    }

    #[test]
    fn arrays() {
        assert_eq!(
            literal_array(&["a".into(), "b'c".into()], "x").unwrap(),
            "@('a','b''c')"
        );
        assert_eq!(literal_array(&[], "x").unwrap(), "@()");
    }
}
