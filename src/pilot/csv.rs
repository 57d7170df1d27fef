//! Pilot users from a CSV file: a header `sip,display_name,client`, then one user per line.
//!
//! Fields may be quoted (`"Doe, Jane"`, `""` for a quote inside quotes); blank lines are
//! skipped; a UTF-8 byte-order mark and CRLF line ends are accepted. Every error names the
//! file, the line and the column (1-based field number and its name) and says what to write.

use std::collections::HashMap;
use std::fmt;

use super::{NewPilotUser, PilotClient, default_display_name};

/// The columns, in order.
pub const COLUMNS: [&str; 3] = ["sip", "display_name", "client"];

/// Longest field accepted, in characters: a SIP URI or a display name is far shorter.
pub const MAX_FIELD_CHARS: usize = 256;

/// Largest CSV file read, in bytes (a million users take about 60 MB).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a pilot CSV file: at most [`MAX_FILE_BYTES`], UTF-8 (an error names the line of
/// the first byte that is not), then [`users_from_csv`].
///
/// # Errors
/// The file cannot be read or is too large, is not UTF-8, or a line is wrong; the message
/// names the file (and the line).
pub fn users_from_csv_file(path: &std::path::Path) -> Result<Vec<NewPilotUser>, String> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| format!("{file}: {e}"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{file}: {} bytes is over the {MAX_FILE_BYTES}-byte limit for a pilot CSV; split it",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{file}: {e}"))?;
    let text = utf8_or_line(&bytes, &file).map_err(|e| e.to_string())?;
    users_from_csv(text, &file).map_err(|e| e.to_string())
}

/// `bytes` as UTF-8 text, or an error naming the line and column of the first bad byte.
pub fn utf8_or_line<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, CsvError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
        CsvError {
            file: file.to_string(),
            line,
            column: 0,
            message: format!(
                "byte {} is not UTF-8 text; save the file as UTF-8",
                e.valid_up_to() + 1
            ),
        }
    })
}

/// Refuses control characters and over-long values in a field.
fn check_field(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|&c| crate::safe_text::is_unsafe(c)) {
        return Err(format!(
            "contains the control character U+{:04X}; remove it",
            u32::from(c)
        ));
    }
    let n = value.chars().count();
    if n > MAX_FIELD_CHARS {
        return Err(format!(
            "{n} characters, over the limit of {MAX_FIELD_CHARS}; shorten it"
        ));
    }
    Ok(())
}

/// A CSV line that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// The file, as given to [`users_from_csv`].
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (field number); 0 when the whole line is at fault.
    pub column: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column == 0 {
            write!(f, "{} line {}: {}", self.file, self.line, self.message)
        } else {
            let name = COLUMNS.get(self.column - 1).copied().unwrap_or("extra");
            write!(
                f,
                "{} line {}, column {} ({name}): {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for CsvError {}

/// Splits one line into fields. Errors give the 1-based field number.
fn split(line: &str) -> Result<Vec<String>, (usize, String)> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        let field_no = fields.len() + 1;
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut cur = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err((
                            field_no,
                            "a quoted field is not closed; end it with \"".into(),
                        ));
                    }
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cur.push('"');
                    }
                    Some('"') => break,
                    Some(c) => cur.push(c),
                }
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            match chars.next() {
                None => {
                    fields.push(cur);
                    return Ok(fields);
                }
                Some(',') => fields.push(cur),
                Some(_) => {
                    return Err((
                        field_no,
                        "text after a closing quote; quote the whole field".into(),
                    ));
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(cur);
                        return Ok(fields);
                    }
                    Some(',') => {
                        fields.push(cur);
                        break;
                    }
                    Some(c) => cur.push(c),
                }
            }
        }
    }
}

/// Normalises and checks a SIP URI; adds the `sip:` prefix when it is missing.
pub(crate) fn normalise_sip(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("the SIP address is empty; write sip:user@domain".into());
    }
    let bare = t
        .strip_prefix("sip:")
        .or_else(|| t.strip_prefix("SIP:"))
        .unwrap_or(t);
    let mut parts = bare.split('@');
    let (user, domain) = (parts.next().unwrap_or(""), parts.next());
    let ok = !user.is_empty()
        && domain.is_some_and(|d| !d.is_empty() && !d.starts_with('.') && !d.ends_with('.'))
        && parts.next().is_none()
        && !bare
            .chars()
            .any(|c| c.is_whitespace() || c == ';' || c == '<');
    if !ok {
        return Err(format!("{t:?} is not a SIP address; write sip:user@domain"));
    }
    Ok(format!("sip:{}", bare.to_ascii_lowercase()))
}

/// Reads pilot users from CSV text. `file` only names the source in errors.
///
/// # Errors
/// The first [`CsvError`]: a missing or wrong header, a line with the wrong number of
/// fields, a bad SIP address, an unknown client, a user listed twice.
pub fn users_from_csv(text: &str, file: &str) -> Result<Vec<NewPilotUser>, CsvError> {
    let err = |line: usize, column: usize, message: String| CsvError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((hline, header)) = lines.next() else {
        return Err(err(
            1,
            0,
            "the file is empty; the first line must be the header sip,display_name,client".into(),
        ));
    };
    let head = split(header).map_err(|(c, m)| err(hline, c, m))?;
    for (i, want) in COLUMNS.iter().enumerate() {
        let got = head.get(i).map(|h| h.trim().to_ascii_lowercase());
        if got.as_deref() != Some(*want) {
            return Err(err(
                hline,
                i + 1,
                format!(
                    "the header must be sip,display_name,client; found {:?} here",
                    head.get(i).map(String::as_str).unwrap_or("")
                ),
            ));
        }
    }
    if head.len() > COLUMNS.len() {
        return Err(err(
            hline,
            COLUMNS.len() + 1,
            "the header has more than three columns; keep sip,display_name,client".into(),
        ));
    }
    let mut users = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, line) in lines {
        let f = split(line).map_err(|(c, m)| err(n, c, m))?;
        if f.len() != COLUMNS.len() {
            return Err(err(
                n,
                f.len().min(COLUMNS.len() + 1),
                format!(
                    "{} fields where 3 are expected (sip,display_name,client); quote a value \
                     that contains a comma",
                    f.len()
                ),
            ));
        }
        for (i, field) in f.iter().enumerate() {
            check_field(field).map_err(|m| err(n, i + 1, m))?;
        }
        let sip = normalise_sip(&f[0]).map_err(|m| err(n, 1, m))?;
        if let Some(first) = seen.insert(sip.clone(), n) {
            return Err(err(
                n,
                1,
                format!("{sip} is already listed on line {first}; keep one line per user"),
            ));
        }
        let client_text = f[2].trim();
        if client_text.is_empty() {
            return Err(err(
                n,
                3,
                format!(
                    "the client is empty; write one of {}",
                    PilotClient::ALL.map(PilotClient::as_str).join(", ")
                ),
            ));
        }
        let client: PilotClient = client_text.parse().map_err(|m| err(n, 3, m))?;
        let display_name = match f[1].trim() {
            "" => default_display_name(&sip),
            d => d.to_string(),
        };
        users.push(NewPilotUser {
            sip,
            display_name,
            client,
            pool: None,
            pchat_policy: None,
            homed_on_2013: None,
        });
    }
    Ok(users)
}
