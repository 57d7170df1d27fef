//! Filling the `{{name}}` placeholders of cmdlet lines with the deployment profile's values.
//!
//! Placeholders use double braces because PowerShell itself uses single braces for script
//! blocks and hashtables (`-Filter {PersistentChatPolicy -eq $Null}`, `@{Add="x"}`); those
//! pass through untouched. A name is `[a-z0-9_]+`. A line that uses a name with several
//! values (one per server) becomes one line per value.

use std::collections::BTreeMap;

use super::model::Item;

/// Placeholder values: each name maps to one value, or to several (one per server). The
/// deployment profile builds it (`deployment::Profile::placeholders`).
pub type Placeholders = BTreeMap<String, Vec<String>>;

/// Why a cmdlet line could not be filled in.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The line uses a name that has no value (absent, or an empty list).
    #[error(
        "no value for {{{{{name}}}}}: the deployment profile does not provide it; \
         fill in the matching entry of the profile (see README, \"Deployment profile\")"
    )]
    Missing {
        /// The placeholder name.
        name: String,
    },
    /// The line uses two different names that both have several values, so it is unclear
    /// which values pair up.
    #[error(
        "{{{{{first}}}}} and {{{{{second}}}}} both have several values in one line: \
         split the line so that each uses at most one per-server placeholder"
    )]
    TwoMultiValued {
        /// The first many-valued name in the line.
        first: String,
        /// The second many-valued name in the line.
        second: String,
    },
    /// A `{{` has no matching `}}`.
    #[error("unclosed \"{{{{\" at column {column}: close it with \"}}}}\" in: {line}")]
    Unclosed {
        /// 1-based column (in characters) of the `{{`.
        column: usize,
        /// The line as written.
        line: String,
    },
    /// Text between `{{` and `}}` is not a name of lowercase letters, digits and `_`.
    #[error(
        "bad placeholder name \"{name}\" at column {column}: names are lowercase letters, \
         digits and '_', written {{{{name}}}} with no spaces"
    )]
    BadName {
        /// The text between the braces.
        name: String,
        /// 1-based column (in characters) of the `{{`.
        column: usize,
    },
}

/// A piece of a line: literal text or a placeholder name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// Splits a line into text and placeholder names.
pub(crate) fn parse(line: &str) -> Result<Vec<Segment<'_>>, RenderError> {
    let mut out = Vec::new();
    let mut rest = line;
    let mut offset = 0;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(Segment::Text(&rest[..open]));
        }
        let column = line[..offset + open].chars().count() + 1;
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err(RenderError::Unclosed {
                column,
                line: line.to_string(),
            });
        };
        let name = &after[..close];
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err(RenderError::BadName {
                name: name.to_string(),
                column,
            });
        }
        out.push(Segment::Name(name));
        let consumed = open + 2 + close + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    Ok(out)
}

/// The placeholder names a line uses, in order of appearance (repeats included).
///
/// # Errors
/// [`RenderError::Unclosed`] or [`RenderError::BadName`] for bad syntax.
pub(crate) fn names(line: &str) -> Result<Vec<&str>, RenderError> {
    Ok(parse(line)?
        .into_iter()
        .filter_map(|s| match s {
            Segment::Name(n) => Some(n),
            Segment::Text(_) => None,
        })
        .collect())
}

/// Fills one line. Returns one line, or one line per value when the line uses a name with
/// several values (the same name used twice takes the same value in each copy).
/// Single braces are literal text.
///
/// ```
/// use pchat_migrate::runbook::{render_line, Placeholders};
/// let mut v = Placeholders::new();
/// v.insert("pchat_server".into(), vec!["pc01".into(), "pc02".into()]);
/// let lines = render_line("Start-CsWindowsService -ComputerName {{pchat_server}}", &v).unwrap();
/// assert_eq!(lines, ["Start-CsWindowsService -ComputerName pc01",
///                    "Start-CsWindowsService -ComputerName pc02"]);
/// ```
///
/// # Errors
/// [`RenderError::Missing`] names a placeholder with no value;
/// [`RenderError::TwoMultiValued`] when two different many-valued names meet in one line;
/// [`RenderError::Unclosed`] / [`RenderError::BadName`] for bad syntax.
pub fn render_line(line: &str, values: &Placeholders) -> Result<Vec<String>, RenderError> {
    let segments = parse(line)?;
    let mut multi: Option<(&str, &[String])> = None;
    for seg in &segments {
        let Segment::Name(name) = seg else { continue };
        let vals = lookup(values, name)?;
        if vals.len() > 1 {
            match multi {
                Some((first, _)) if first != *name => {
                    return Err(RenderError::TwoMultiValued {
                        first: first.to_string(),
                        second: (*name).to_string(),
                    });
                }
                _ => multi = Some((name, vals)),
            }
        }
    }
    let copies = multi.map_or(1, |(_, v)| v.len());
    let mut out = Vec::with_capacity(copies);
    for i in 0..copies {
        let mut s = String::with_capacity(line.len());
        for seg in &segments {
            match seg {
                Segment::Text(t) => s.push_str(t),
                Segment::Name(name) => {
                    let vals = lookup(values, name)?;
                    let v = if vals.len() > 1 { &vals[i] } else { &vals[0] };
                    s.push_str(v);
                }
            }
        }
        out.push(s);
    }
    Ok(out)
}

fn lookup<'v>(values: &'v Placeholders, name: &str) -> Result<&'v [String], RenderError> {
    values
        .get(name)
        .map(Vec::as_slice)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| RenderError::Missing {
            name: name.to_string(),
        })
}

/// Fills every cmdlet line of an item, in order; see [`render_line`].
///
/// # Errors
/// The first [`RenderError`] of any line.
pub fn render_cmdlets(item: &Item, values: &Placeholders) -> Result<Vec<String>, RenderError> {
    let mut out = Vec::new();
    for line in &item.cmdlets {
        out.extend(render_line(line, values)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &[&str])]) -> Placeholders {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn single_values_fill_in_place() {
        let v = values(&[("a", &["x"]), ("b", &["y"])]);
        assert_eq!(render_line("{{a}}-{{b}}-{{a}}", &v).unwrap(), ["x-y-x"]);
    }

    #[test]
    fn powershell_braces_are_literal() {
        let v = values(&[("pool", &["p.contoso.lab"])]);
        let line = r#"Get-CsUser -Filter {PersistentChatPolicy -eq $Null}; @{Add="{{pool}}"}"#;
        assert_eq!(
            render_line(line, &v).unwrap(),
            [r#"Get-CsUser -Filter {PersistentChatPolicy -eq $Null}; @{Add="p.contoso.lab"}"#]
        );
    }

    #[test]
    fn many_values_repeat_the_line_and_pair_with_themselves() {
        let v = values(&[("s", &["a", "b", "c"]), ("d", &["x"])]);
        assert_eq!(
            render_line("{{s}} {{d}} {{s}}", &v).unwrap(),
            ["a x a", "b x b", "c x c"]
        );
    }

    #[test]
    fn two_many_valued_names_are_refused() {
        let v = values(&[("s", &["a", "b"]), ("t", &["c", "d"])]);
        assert_eq!(
            render_line("{{s}} {{t}}", &v).unwrap_err(),
            RenderError::TwoMultiValued {
                first: "s".into(),
                second: "t".into()
            }
        );
    }

    #[test]
    fn missing_and_empty_values_name_the_placeholder() {
        let v = values(&[("empty", &[])]);
        for name in ["nope", "empty"] {
            let err = render_line(&format!("x {{{{{name}}}}}"), &v).unwrap_err();
            assert_eq!(err, RenderError::Missing { name: name.into() });
            assert!(
                err.to_string().contains(&format!("{{{{{name}}}}}")),
                "{err}"
            );
        }
    }

    #[test]
    fn syntax_errors_give_the_column() {
        let v = Placeholders::new();
        assert!(matches!(
            render_line("abc {{name", &v),
            Err(RenderError::Unclosed { column: 5, .. })
        ));
        assert!(matches!(
            render_line("é{{Bad Name}}", &v),
            Err(RenderError::BadName { column: 2, .. })
        ));
        assert!(matches!(
            render_line("{{}}", &v),
            Err(RenderError::BadName { column: 1, .. })
        ));
    }

    #[test]
    fn lone_closing_braces_are_text() {
        let v = Placeholders::new();
        assert_eq!(render_line("a }} b", &v).unwrap(), ["a }} b"]);
    }
}
