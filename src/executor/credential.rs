//! Credentials for PowerShell remoting: where they come from and how they travel.
//!
//! Three sources, chosen by `[executor] credential` in the profile:
//!
//! * **prompt** (empty or `"prompt"`): the admin types the password, masked (the wizard's
//!   dialog, or [`prompt_terminal`] for the headless commands). It lives in a [`Secret`]
//!   that zeroizes its memory on drop and never prints its content. It reaches PowerShell
//!   on **standard input** only (first line the user name, second line the password); the
//!   script reads it character by character into a `SecureString`. It is never on a command
//!   line, in an environment variable, in a file, in the log or in the audit trail, and the
//!   [`Redactor`](crate::exec::redact::Redactor) removes it from every output line anyway.
//! * **CliXml file** (a path ending in `.xml`): a `PSCredential` saved with
//!   `Get-Credential | Export-Clixml <path>`. Windows protects the password with DPAPI, so
//!   the file only opens for the same Windows user on the same computer that wrote it: the
//!   computer where pchat-migrate starts PowerShell. The script reads it with
//!   `Import-Clixml`; nothing secret passes through pchat-migrate.
//!
//! * **Windows Credential Manager** (`credman:TARGET`): a generic credential the admin
//!   stored once with `cmdkey`; read when the run starts ([`super::credman`]) and passed on
//!   exactly like a typed password (standard input, redacted, zeroized).
//!
//! With `remote = "none"` the cmdlets run as the Windows user running pchat-migrate and no
//! credential is used; with `remote = "ssh"` PowerShell's SSH transport authenticates with
//! the user's SSH keys (it cannot take a password from a script).

use std::fmt;
use std::io::Write;

use zeroize::Zeroizing;

use super::{ExecutorConfig, Remote};

/// A secret string: zeroized on drop, no `Debug`/`Display` of its content, not serializable.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes ownership of `value` (its buffer is zeroized when the secret is dropped).
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }

    /// The secret's text. Only for handing it to the child process and to the redactor.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A user name and password for `Invoke-Command -Credential`.
#[derive(Clone, Debug)]
pub struct Credential {
    /// `DOMAIN\user` or `user@domain`. Not secret; recorded as "run as".
    pub user: String,
    /// The password.
    pub password: Secret,
}

impl Credential {
    /// A credential, checked: the user name and password must be non-empty and must not
    /// contain line breaks or NUL (they travel as lines on standard input).
    ///
    /// # Errors
    /// A message naming the problem, never the password.
    pub fn new(user: String, password: Secret) -> Result<Credential, String> {
        if user.trim().is_empty() {
            return Err("the user name is empty".into());
        }
        if user.contains(['\r', '\n', '\0']) {
            return Err("the user name contains a line break or NUL".into());
        }
        if password.is_empty() {
            return Err("the password is empty".into());
        }
        if password.expose().contains(['\r', '\n', '\0']) {
            return Err("the password contains a line break or NUL, which cannot be passed on standard input".into());
        }
        Ok(Credential { user, password })
    }

    /// The bytes written to the child's standard input: user line, password line (UTF-8).
    pub(crate) fn stdin_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut v = Zeroizing::new(Vec::with_capacity(
            self.user.len() + self.password.expose().len() + 2,
        ));
        v.extend_from_slice(self.user.as_bytes());
        v.push(b'\n');
        v.extend_from_slice(self.password.expose().as_bytes());
        v.push(b'\n');
        v
    }
}

/// What a run needs before it can start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialNeed {
    /// Nothing: local run (current Windows user) or SSH keys.
    None,
    /// Ask the admin for a password (masked). `user` is the profile's `[executor] user`;
    /// when empty, ask for the user name too.
    Prompt {
        /// The account, if the profile names one.
        user: Option<String>,
    },
    /// Read the generic credential `target` from Windows Credential Manager when the run
    /// starts; it then travels like a typed password (standard input).
    CredMan {
        /// The Credential Manager target name.
        target: String,
    },
    /// The script imports a saved `PSCredential` from this CliXml path.
    CliXml {
        /// Path on the computer that runs PowerShell.
        path: String,
    },
}

/// What `cfg` needs in the way of a credential.
pub fn need(cfg: &ExecutorConfig) -> CredentialNeed {
    match cfg.remote {
        Remote::None | Remote::Ssh => CredentialNeed::None,
        Remote::WinRm => {
            let c = cfg.credential.trim();
            if c.is_empty() || c.eq_ignore_ascii_case("prompt") {
                CredentialNeed::Prompt {
                    user: Some(cfg.user.trim().to_string()).filter(|u| !u.is_empty()),
                }
            } else if let Some(target) = super::credman::target_of(c) {
                CredentialNeed::CredMan {
                    target: target.to_string(),
                }
            } else {
                CredentialNeed::CliXml {
                    path: c.to_string(),
                }
            }
        }
    }
}

/// Asks for a password on the terminal with the input masked (`*` per character), for the
/// headless commands. Asks for the user name first when `user` is `None`. Esc or Ctrl-C
/// aborts.
///
/// # Errors
/// No terminal, aborted, or an invalid credential (the message never holds the password).
pub fn prompt_terminal(user: Option<&str>) -> Result<Credential, String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err("a password is needed and there is no terminal to ask on; run the command in a terminal, or set [executor] credential to a CliXml file".into());
    }
    let user = match user {
        Some(u) => u.to_string(),
        None => {
            eprint!("User name for the remote session (DOMAIN\\user): ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the user name: {e}"))?;
            line.trim().to_string()
        }
    };
    eprint!("Password for {user}: ");
    let _ = std::io::stderr().flush();
    let password = read_masked()?;
    eprintln!();
    Credential::new(user, password)
}

fn read_masked() -> Result<Secret, String> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    crossterm::terminal::enable_raw_mode().map_err(|e| format!("terminal: {e}"))?;
    let mut buf = Zeroizing::new(String::new());
    let result = loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Esc => break Err("aborted".to_string()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err("aborted".to_string());
                }
                KeyCode::Backspace if buf.pop().is_some() => eprint!("\u{8} \u{8}"),
                KeyCode::Char(c) => {
                    buf.push(c);
                    eprint!("*");
                }
                _ => {}
            },
            Ok(_) => {}
            Err(e) => break Err(format!("terminal: {e}")),
        }
        let _ = std::io::stderr().flush();
    };
    let _ = crossterm::terminal::disable_raw_mode();
    result?;
    Ok(Secret::new(std::mem::take(&mut *buf)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2".into());
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        let c = Credential::new("CONTOSO\\admin".into(), s).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn credential_rejects_line_breaks_without_echo() {
        let e = Credential::new("u".into(), Secret::new("a\nb-secret".into())).unwrap_err();
        assert!(!e.contains("secret"));
        assert!(Credential::new(" ".into(), Secret::new("x".into())).is_err());
        assert!(Credential::new("u".into(), Secret::new(String::new())).is_err());
    }

    #[test]
    fn stdin_is_two_lines() {
        let c = Credential::new("u".into(), Secret::new("pä".into())).unwrap();
        assert_eq!(&c.stdin_bytes()[..], "u\npä\n".as_bytes());
    }
}
