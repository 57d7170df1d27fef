//! Collect diagnostics: one zip to hand to support, with what it takes to understand a
//! problem on site and nothing secret.
//!
//! Contents of the zip:
//!
//! * `README.txt` — what is inside, when and by which version it was made, what was removed;
//! * `session.json` — the session state exported through the store (items, notes, audit
//!   trail and its check, evidence, job runs, pilot, plan, window steps); the database file
//!   itself is not copied (the wizard holds its lock, and it is more than support needs);
//! * `profile.toml` — the deployment profile with every key named like a password, secret,
//!   credential or token removed (at any depth); a profile that is not valid TOML is left
//!   out, with the parse position;
//! * `logs/…` — the log files and crash reports of the logs folder;
//! * `job-logs/…` — one log per job run;
//! * `probe-history/…` — the live monitor's probe history, if a file exists
//!   ([`PROBE_HISTORY_FILES`] in the data or logs folder);
//! * `environment.txt` — version, OS, the resolved paths.
//!
//! Every text put in the zip is also scrubbed of the values of the removed keys (a secret
//! that found its way into a log or a note is replaced by `<removed>`). Files over
//! [`MAX_FILE_BYTES`] keep their last part.
//!
//! Inferred: the probe history file names; the monitor (another module) owns that file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::paths::Paths;
use crate::store::Store;

/// Probe history files looked for in the data folder and the logs folder.
pub const PROBE_HISTORY_FILES: [&str; 2] = ["probe-history.jsonl", "probes.jsonl"];

/// Largest part of one file kept (its end); 20 MiB.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// Fragments of key names whose values are removed from the profile (case-insensitive).
pub const SECRET_KEY_PARTS: [&str; 8] = [
    "password",
    "passwd",
    "secret",
    "credential",
    "token",
    "apikey",
    "api_key",
    "private_key",
];

/// What replaces a removed value.
pub const REMOVED: &str = "<removed>";

/// Why the zip could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DiagnosticsError {
    /// The zip file could not be created or written (nothing is left behind).
    #[error(
        "cannot write the diagnostics zip {path}: {source}; nothing was written: free some \
         space or choose another folder with --out"
    )]
    Write {
        /// The zip.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The zip library failed (nothing is left behind).
    #[error(
        "cannot write the diagnostics zip {path}: {source}; nothing was written: free some \
         space or choose another folder with --out"
    )]
    Zip {
        /// The zip.
        path: PathBuf,
        /// The error.
        source: zip::result::ZipError,
    },
    /// The session could not be read.
    #[error("cannot read the session: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// What went into the zip.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DiagnosticsSummary {
    /// The zip written.
    pub out: PathBuf,
    /// Entry names, in order.
    pub entries: Vec<String>,
    /// Profile keys removed (dotted paths, e.g. `powershell.credential`).
    pub removed_keys: Vec<String>,
    /// Things left out, and why.
    pub warnings: Vec<String>,
}

/// Whether a key name looks like it holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_KEY_PARTS.iter().any(|p| k.contains(p))
}

fn collect_strings(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        toml::Value::Table(t) => t.values().for_each(|x| collect_strings(x, out)),
        other => out.push(other.to_string()),
    }
}

fn redact_table(
    t: &mut toml::Table,
    prefix: &str,
    removed: &mut Vec<String>,
    values: &mut Vec<String>,
) {
    let keys: Vec<String> = t.keys().cloned().collect();
    for k in keys {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if is_secret_key(&k) {
            if let Some(v) = t.remove(&k) {
                collect_strings(&v, values);
            }
            removed.push(path);
            continue;
        }
        match t.get_mut(&k) {
            Some(toml::Value::Table(inner)) => redact_table(inner, &path, removed, values),
            Some(toml::Value::Array(arr)) => {
                for (i, v) in arr.iter_mut().enumerate() {
                    if let toml::Value::Table(inner) = v {
                        redact_table(inner, &format!("{path}[{i}]"), removed, values);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The profile text with secret keys removed: `(text, removed key paths, removed values)`,
/// or an error (with the parse position) when the text is not TOML — then nothing of it
/// should be shared.
pub fn redact_profile(text: &str) -> Result<(String, Vec<String>, Vec<String>), String> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| {
        let pos = e.span().map_or((1, 1), |s| {
            let before = &text[..s.start.min(text.len())];
            (
                before.matches('\n').count() + 1,
                before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            )
        });
        format!(
            "not valid TOML at line {}, column {}: {}",
            pos.0,
            pos.1,
            e.message()
        )
    })?;
    let mut removed = Vec::new();
    let mut values = Vec::new();
    redact_table(&mut table, "", &mut removed, &mut values);
    removed.sort();
    let body = toml::to_string(&table).map_err(|e| e.to_string())?;
    let mut out =
        String::from("# Deployment profile, as collected by pchat-migrate diagnostics.\n");
    if removed.is_empty() {
        out.push_str("# No key looked like a secret.\n");
    } else {
        out.push_str(&format!("# Removed (secrets): {}\n", removed.join(", ")));
    }
    out.push('\n');
    out.push_str(&body);
    Ok((out, removed, values))
}

/// Replaces every occurrence of each secret (4 bytes or longer) with [`REMOVED`].
fn scrub(data: &[u8], secrets: &[Vec<u8>]) -> Vec<u8> {
    let mut out = data.to_vec();
    for s in secrets {
        if s.len() < 4 {
            continue;
        }
        let mut res = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out[i..].starts_with(s) {
                res.extend_from_slice(REMOVED.as_bytes());
                i += s.len();
            } else {
                res.push(out[i]);
                i += 1;
            }
        }
        out = res;
    }
    out
}

/// Reads a file, keeping its last [`MAX_FILE_BYTES`].
fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len <= MAX_FILE_BYTES {
        let mut v = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        f.read_to_end(&mut v)?;
        return Ok(v);
    }
    f.seek(SeekFrom::Start(len - MAX_FILE_BYTES))?;
    let mut v = format!(
        "[pchat-migrate diagnostics: the first {} bytes of this file were left out]\n",
        len - MAX_FILE_BYTES
    )
    .into_bytes();
    f.take(MAX_FILE_BYTES).read_to_end(&mut v)?;
    Ok(v)
}

/// Regular files directly inside a folder, sorted by name.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Writes the diagnostics zip for a session to `out_zip` (created or replaced; its folder
/// is created). `profile_path` is the profile file in use; `None` means the built-in lab
/// profile, which is included as is.
///
/// # Errors
/// [`DiagnosticsError`] when the zip cannot be written or the session cannot be read.
/// Unreadable logs are left out and listed in the summary's warnings instead.
pub fn collect(
    paths: &Paths,
    store: &Store,
    session_id: i64,
    profile_path: Option<&Path>,
    out_zip: &Path,
) -> Result<DiagnosticsSummary, DiagnosticsError> {
    let werr = |source| DiagnosticsError::Write {
        path: out_zip.to_path_buf(),
        source,
    };
    let zerr = |source| DiagnosticsError::Zip {
        path: out_zip.to_path_buf(),
        source,
    };
    let mut summary = DiagnosticsSummary {
        out: out_zip.to_path_buf(),
        ..DiagnosticsSummary::default()
    };

    // Gather everything first, so secrets found in the profile scrub every entry.
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut secrets: Vec<Vec<u8>> = Vec::new();

    match profile_path {
        Some(p) => match fs::read_to_string(p) {
            Ok(text) => match redact_profile(&text) {
                Ok((red, removed, values)) => {
                    summary.removed_keys = removed;
                    secrets.extend(values.into_iter().map(String::into_bytes));
                    entries.push(("profile.toml".into(), red.into_bytes()));
                }
                Err(e) => summary
                    .warnings
                    .push(format!("profile {} left out: {e}", p.display())),
            },
            Err(e) => summary
                .warnings
                .push(format!("profile {} left out: {e}", p.display())),
        },
        None => entries.push((
            "profile.toml".into(),
            format!(
                "# The built-in lab profile (no --profile given).\n\n{}",
                crate::deployment::LAB_PROFILE_TOML
            )
            .into_bytes(),
        )),
    }
    // Longest first, so a secret that contains another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();

    let session = store.export_session_json(session_id)?;
    entries.push((
        "session.json".into(),
        serde_json::to_vec_pretty(&session).unwrap_or_default(),
    ));

    let mut add_files = |dir: &Path, prefix: &str, filter: &dyn Fn(&Path) -> bool| {
        for f in files_in(dir).into_iter().filter(|f| filter(f)) {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match read_capped(&f) {
                Ok(data) => entries.push((format!("{prefix}/{name}"), data)),
                Err(e) => summary
                    .warnings
                    .push(format!("{} left out: {e}", f.display())),
            }
        }
    };
    let is_probe = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| PROBE_HISTORY_FILES.contains(&n))
    };
    add_files(&paths.logs_dir, "logs", &|p| !is_probe(p));
    add_files(&paths.job_logs_dir, "job-logs", &|_| true);
    add_files(&paths.data_dir, "probe-history", &is_probe);
    add_files(&paths.logs_dir, "probe-history", &is_probe);

    let env = format!(
        "pchat-migrate {}\nos: {} ({})\ndata directory: {}\nsession database: {}\nlogs: {}\n\
         job logs: {}\nsession id: {session_id}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        paths.data_dir.display(),
        paths.state_db.display(),
        paths.logs_dir.display(),
        paths.job_logs_dir.display(),
    );
    entries.push(("environment.txt".into(), env.into_bytes()));

    let names: Vec<String> = entries.iter().map(|(n, _)| n.clone()).collect();
    let readme = format!(
        "pchat-migrate diagnostics\n\ncollected: {}\nversion: {}\nsession id: {session_id}\n\n\
         Entries:\n{}\n\nRemoved from the profile (secrets): {}\nValues of those keys were also \
         replaced by {REMOVED} wherever they appeared.\n{}\nThe session database itself is not \
         included; session.json holds its content for this session.\n",
        chrono::Utc::now().to_rfc3339(),
        env!("CARGO_PKG_VERSION"),
        names
            .iter()
            .map(|n| format!("  {n}"))
            .collect::<Vec<_>>()
            .join("\n"),
        if summary.removed_keys.is_empty() {
            "none".to_string()
        } else {
            summary.removed_keys.join(", ")
        },
        if summary.warnings.is_empty() {
            String::new()
        } else {
            format!("\nLeft out:\n  {}\n", summary.warnings.join("\n  "))
        }
    );
    entries.insert(0, ("README.txt".into(), readme.into_bytes()));

    if let Some(dir) = out_zip.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(werr)?;
    }
    let tmp = out_zip.with_extension("zip.partial");
    let written = (|| {
        let file = fs::File::create(&tmp).map_err(werr)?;
        let mut zip = ZipWriter::new(file);
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o600);
        for (name, data) in &entries {
            zip.start_file(name.as_str(), opts).map_err(zerr)?;
            zip.write_all(&scrub(data, &secrets)).map_err(werr)?;
            summary.entries.push(name.clone());
        }
        let file = zip.finish().map_err(zerr)?;
        file.sync_all().map_err(werr)?;
        drop(file);
        fs::rename(&tmp, out_zip).map_err(werr)
    })();
    if written.is_err() {
        // A full disk or a write error leaves nothing half-written behind.
        let _ = fs::remove_file(&tmp);
    }
    written.map(|()| summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_redacts_secret_keys_at_any_depth() {
        let text = r#"
name = "x"
admin_password = "hunter2hunter2"
[powershell]
host = "mgmt01"
Credential = "DOMAIN\\svc:S3cr3t!"
[[accounts]]
user = "a"
api_token = "tok-123456"
"#;
        let (red, removed, values) = redact_profile(text).unwrap();
        assert_eq!(
            removed,
            [
                "accounts[0].api_token",
                "admin_password",
                "powershell.Credential"
            ]
        );
        for v in ["hunter2hunter2", "S3cr3t!", "tok-123456"] {
            assert!(!red.contains(v), "{red}");
            assert!(values.iter().any(|x| x.contains(v)));
        }
        assert!(red.contains("mgmt01"));
        assert!(red.contains("# Removed (secrets): accounts[0].api_token, admin_password"));
        assert!(redact_profile("a = ").unwrap_err().contains("line 1"));
    }

    #[test]
    fn diagnostics_scrub_replaces_every_occurrence() {
        let out = scrub(
            b"x hunter2hunter2 y hunter2hunter2",
            &[b"hunter2hunter2".to_vec(), b"ab".to_vec()],
        );
        assert_eq!(out, b"x <removed> y <removed>");
    }

    #[test]
    fn diagnostics_secret_key_names() {
        for k in [
            "password",
            "SqlPassword",
            "client_secret",
            "token",
            "Credential",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["name", "sip_domain", "test_users", "pool"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }
}
