//! The `[executor]` table of a production profile: which PowerShell runs the cmdlets, where,
//! and as whom.
//!
//! ```toml
//! [executor]
//! shell = "powershell.exe"        # or "pwsh", or a full path to either
//! remote = "winrm"                # "none" (this computer) | "winrm" | "ssh"
//! computer = "pchat01.contoso.com" # the Front End or Persistent Chat server (winrm/ssh)
//! credential = ""                 # "" or "prompt": ask; "credman:TARGET": Windows Credential
//!                                 # Manager; or a CliXml path (see credential.rs)
//! user = "CONTOSO\\pchatadmin"    # account for the prompt; the SSH user for ssh
//! authentication = ""             # winrm -Authentication: Default|Kerberos|Negotiate|CredSSP…
//! timeout_secs = 14400            # whole run; 0 = no limit
//! module = "Lync"                 # "SkypeForBusiness" on Skype for Business Server 2015
//! package_share = '\\pchat01\PChatMigration'  # remote runs: the server's work_dir, as
//!                                 # this computer sees it (the export package is copied
//!                                 # from here for the inspector)
//! graceful_stop = false           # Stop-CsWindowsService -Graceful
//! ```
//!
//! The deployment module owns the profile schema, which refuses unknown tables; until the
//! table is folded into it, [`split_profile_text`] takes `[executor]` out of the text (keeping
//! line numbers) before the profile parser sees it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ExecError;

/// Where the cmdlets run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Remote {
    /// On this computer, as the Windows user running pchat-migrate.
    #[default]
    None,
    /// `Invoke-Command -ComputerName` over WinRM, with `-Credential`.
    #[serde(rename = "winrm")]
    WinRm,
    /// `Invoke-Command -HostName` over SSH (PowerShell 7 `pwsh` only), with SSH keys.
    Ssh,
}

impl Remote {
    /// The value as written in the profile.
    pub fn as_str(self) -> &'static str {
        match self {
            Remote::None => "none",
            Remote::WinRm => "winrm",
            Remote::Ssh => "ssh",
        }
    }
}

/// The `[executor]` table. Field docs are in the module documentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExecutorConfig {
    /// `powershell.exe`, `pwsh`, or a path to either.
    pub shell: String,
    /// Where the cmdlets run.
    pub remote: Remote,
    /// Remote computer FQDN (winrm/ssh).
    pub computer: String,
    /// `""`/`"prompt"`, `"credman:TARGET"` or a CliXml path.
    pub credential: String,
    /// Account name for the prompt; SSH user name.
    pub user: String,
    /// WinRM `-Authentication` value; empty leaves PowerShell's default.
    pub authentication: String,
    /// Limit for one run in seconds; 0 = none.
    pub timeout_secs: u64,
    /// The management module to import.
    pub module: String,
    /// The server's work folder as this computer sees it (remote runs).
    pub package_share: String,
    /// Stop the services with `-Graceful` (drains sessions; can take long).
    pub graceful_stop: bool,
}

/// Default time limit for one run: four hours (big exports are slow).
pub const DEFAULT_TIMEOUT_SECS: u64 = 4 * 60 * 60;

impl Default for ExecutorConfig {
    fn default() -> Self {
        ExecutorConfig {
            shell: if cfg!(windows) {
                "powershell.exe".into()
            } else {
                "pwsh".into()
            },
            remote: Remote::None,
            computer: String::new(),
            credential: String::new(),
            user: String::new(),
            authentication: String::new(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            module: "Lync".into(),
            package_share: String::new(),
            graceful_stop: false,
        }
    }
}

/// `Invoke-Command -Authentication` values (System.Management.Automation.Runspaces.AuthenticationMechanism).
const AUTH_VALUES: [&str; 7] = [
    "Default",
    "Basic",
    "Negotiate",
    "NegotiateWithImplicitCredential",
    "Credssp",
    "Digest",
    "Kerberos",
];

impl ExecutorConfig {
    /// Reads the `[executor]` table of a profile's TOML text, ignoring everything else. A
    /// profile without the table gets the defaults (local `powershell.exe`/`pwsh`, module
    /// `Lync`).
    ///
    /// # Errors
    /// [`ExecError::Config`] for malformed TOML, unknown keys, bad values.
    pub fn from_profile_toml(text: &str) -> Result<ExecutorConfig, ExecError> {
        let value: toml::Table = toml::from_str(text)
            .map_err(|e| ExecError::Config(format!("profile: {}", e.message())))?;
        let cfg = match value.get("executor") {
            None => ExecutorConfig::default(),
            Some(t @ toml::Value::Table(_)) => {
                t.clone().try_into().map_err(|e: toml::de::Error| {
                    ExecError::Config(format!(
                        "profile [executor]: {} (see README, \"Production executor\")",
                        e.message()
                    ))
                })?
            }
            Some(_) => {
                return Err(ExecError::Config(
                    "profile: executor must be a table ([executor])".into(),
                ));
            }
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the values that do not depend on the job.
    ///
    /// # Errors
    /// [`ExecError::Config`] naming the field and what to write instead.
    pub fn validate(&self) -> Result<(), ExecError> {
        let bad = |m: String| Err(ExecError::Config(format!("profile [executor]: {m}")));
        let name = std::path::Path::new(self.shell.trim())
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if !matches!(
            name.as_str(),
            "powershell.exe" | "powershell" | "pwsh" | "pwsh.exe"
        ) {
            return bad(format!(
                "shell \"{}\" is not powershell.exe or pwsh (a full path to either is fine)",
                self.shell
            ));
        }
        if self.remote != Remote::None && self.computer.trim().is_empty() {
            return bad(format!(
                "remote = \"{}\" needs computer = \"<server fqdn>\"",
                self.remote.as_str()
            ));
        }
        if self.remote == Remote::None && !self.credential.trim().is_empty() {
            return bad(
                "credential is only used with remote = \"winrm\"; with remote = \"none\" the cmdlets run as the Windows user running pchat-migrate"
                    .into(),
            );
        }
        if self.remote == Remote::Ssh {
            if !self.credential.trim().is_empty() {
                return bad("remote = \"ssh\" authenticates with SSH keys; leave credential empty and set user".into());
            }
            if !name.starts_with("pwsh") {
                return bad("remote = \"ssh\" needs PowerShell 7: set shell = \"pwsh\"".into());
            }
        }
        if super::credman::target_of(&self.credential).is_some_and(str::is_empty) {
            return bad(
                "credential = \"credman:\" needs the Credential Manager target after the colon, e.g. \"credman:pchat-migrate\""
                    .into(),
            );
        }
        let auth = self.authentication.trim();
        if !auth.is_empty() && !AUTH_VALUES.iter().any(|a| a.eq_ignore_ascii_case(auth)) {
            return bad(format!(
                "authentication \"{auth}\" is not one of {}",
                AUTH_VALUES.join(", ")
            ));
        }
        if self.module.trim().is_empty() {
            return bad("module is empty; use \"Lync\" (or \"SkypeForBusiness\")".into());
        }
        Ok(())
    }

    /// The `-Authentication` value, normalised, or `None` for PowerShell's default.
    pub fn authentication(&self) -> Option<&'static str> {
        let a = self.authentication.trim();
        AUTH_VALUES
            .iter()
            .find(|v| !a.is_empty() && v.eq_ignore_ascii_case(a))
            .copied()
    }

    /// The time limit, if any.
    pub fn timeout(&self) -> Option<std::time::Duration> {
        (self.timeout_secs > 0).then(|| std::time::Duration::from_secs(self.timeout_secs))
    }

    /// Where the cmdlets run, for screens: "this computer" or "pchat01 (WinRM)".
    pub fn runs_on(&self) -> String {
        match self.remote {
            Remote::None => "this computer".into(),
            Remote::WinRm => format!("{} (WinRM)", self.computer.trim()),
            Remote::Ssh => format!("{} (SSH)", self.computer.trim()),
        }
    }

    /// The share folder for remote runs, if set.
    pub fn package_share(&self) -> Option<PathBuf> {
        let s = self.package_share.trim();
        (!s.is_empty()).then(|| PathBuf::from(s))
    }
}

/// Splits a profile's text into (the text without the `[executor]` table, the executor
/// settings). The table's lines are blanked, not removed, so the profile parser's line and
/// column numbers still match the file.
///
/// # Errors
/// [`ExecError::Config`] when the `[executor]` table is malformed or written in a form this
/// function cannot take out (dotted keys, inline table).
pub fn split_profile_text(text: &str) -> Result<(String, ExecutorConfig), ExecError> {
    let cfg = ExecutorConfig::from_profile_toml(text)?;
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('[') {
            let header = t.split('#').next().unwrap_or("").trim();
            inside = header.replace(' ', "") == "[executor]";
        }
        if inside {
            // Keep the line break so numbering is unchanged.
            if line.ends_with("\r\n") {
                out.push_str("\r\n");
            } else if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    // Make sure the table really is gone and nothing else went with it.
    let before: toml::Table = toml::from_str(text).map_err(|e| ExecError::Config(e.to_string()))?;
    let after: toml::Table = toml::from_str(&out).map_err(|_| {
        ExecError::Config(
            "profile: cannot take the [executor] table out of the profile; write it as a plain [executor] table with key = value lines"
                .into(),
        )
    })?;
    let mut expected = before.clone();
    expected.remove("executor");
    if after != expected {
        return Err(ExecError::Config(
            "profile: write executor settings as a plain [executor] table (not dotted keys or an inline table)"
                .into(),
        ));
    }
    Ok((out, cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_table() {
        let c = ExecutorConfig::from_profile_toml("name = \"x\"\n").unwrap();
        assert_eq!(c.module, "Lync");
        assert_eq!(c.remote, Remote::None);
        assert_eq!(c.timeout_secs, DEFAULT_TIMEOUT_SECS);
    }

    #[test]
    fn reads_the_table_and_ignores_the_rest() {
        let text = "name = \"x\"\n[migration]\nwork_dir = 'C:\\x'\n[executor]\nshell = \"pwsh\"\nremote = \"winrm\"\ncomputer = \"fe.contoso.com\"\nauthentication = \"credssp\"\n[[pools]]\nid = \"a\"\n";
        let c = ExecutorConfig::from_profile_toml(text).unwrap();
        assert_eq!(c.remote, Remote::WinRm);
        assert_eq!(c.authentication(), Some("Credssp"));
        let (rest, _) = split_profile_text(text).unwrap();
        assert_eq!(rest.lines().count(), text.lines().count());
        assert!(!rest.contains("executor"));
        assert!(rest.contains("[[pools]]"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        for (t, want) in [
            ("[executor]\nshel = \"pwsh\"\n", "unknown field"),
            ("[executor]\nshell = \"cmd.exe\"\n", "not powershell.exe"),
            ("[executor]\nremote = \"winrm\"\n", "needs computer"),
            (
                "[executor]\nremote = \"ssh\"\ncomputer = \"a\"\nshell = \"powershell.exe\"\n",
                "PowerShell 7",
            ),
            ("[executor]\ncredential = \"x.xml\"\n", "only used with"),
            ("[executor]\nauthentication = \"magic\"\n", "not one of"),
            (
                "[executor]\nremote = \"winrm\"\ncomputer = \"a\"\ncredential = \"credman: \"\n",
                "needs the Credential Manager target",
            ),
            ("executor.shell = \"pwsh\"\n", ""),
        ] {
            let r = split_profile_text(t);
            let e = r.expect_err(t).to_string();
            assert!(e.contains(want), "{t}: {e}");
        }
    }
}
