//! The optional configuration file `config.toml` in the data directory.
//!
//! ```toml
//! operator = "Jane Admin"   # who ticks items; default: the OS user
//! theme = "dark"            # dark | light | mono (NO_COLOR forces mono)
//! mouse = true              # mouse capture (click to select, wheel to scroll)
//! probe_interval_secs = 10  # live monitor: seconds between probe rounds
//! probe_timeout_secs = 3    # live monitor: seconds one probe may take
//! probe_concurrency = 16    # live monitor: probes at once
//! trusted_ca_files = ["/etc/pchat/contoso-root.pem"]  # the internal CA (PEM or DER)
//! lang = "it"               # en | it | es | ko; default: the system locale, else English
//! ```

use std::path::Path;

use serde::Deserialize;

/// Settings read from `config.toml`; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Operator name recorded with every change.
    pub operator: Option<String>,
    /// Theme name: dark, light or mono.
    pub theme: Option<String>,
    /// Mouse capture on (default) or off.
    pub mouse: Option<bool>,
    /// Language tag (`en`, `it`, `es`, `ko`, or a full tag such as `es-MX`); `--lang` wins.
    pub lang: Option<String>,
    /// Live monitor: seconds between probe rounds (default 2 in the lab, 10 in production).
    pub probe_interval_secs: Option<u64>,
    /// Live monitor: seconds one probe may take (default 3).
    pub probe_timeout_secs: Option<u64>,
    /// Live monitor: probes running at once (default 16).
    pub probe_concurrency: Option<usize>,
    /// Live monitor: the internal CA certificates (PEM or DER files) the pools' certificates
    /// must chain to; item 15 (certificates from the internal CA) passes only against these.
    /// The lab adds its own CA.
    #[serde(default)]
    pub trusted_ca_files: Vec<std::path::PathBuf>,
}

impl Config {
    /// The monitor settings for a deployment kind, with this file's overrides.
    ///
    /// # Errors
    /// A CA file that cannot be read or holds no certificate, named with what to do.
    pub fn monitor(&self, lab: bool) -> Result<crate::monitor::MonitorConfig, String> {
        let d = crate::monitor::MonitorConfig::default();
        let mut trusted_cas = Vec::new();
        for path in &self.trusted_ca_files {
            let bytes = std::fs::read(path).map_err(|e| {
                format!(
                    "config: trusted_ca_files: cannot read {}: {e}",
                    path.display()
                )
            })?;
            trusted_cas.push(ca_der(&bytes).ok_or_else(|| {
                format!(
                    "config: trusted_ca_files: {} holds no certificate (PEM or DER expected)",
                    path.display()
                )
            })?);
        }
        Ok(crate::monitor::MonitorConfig {
            trusted_cas,
            interval: std::time::Duration::from_secs(
                self.probe_interval_secs
                    .unwrap_or(if lab { 2 } else { 10 })
                    .max(1),
            ),
            timeout: self
                .probe_timeout_secs
                .map_or(d.timeout, |s| std::time::Duration::from_secs(s.max(1))),
            concurrency: self.probe_concurrency.unwrap_or(d.concurrency).max(1),
            ..d
        })
    }
}

/// The DER bytes of a certificate file, PEM (`-----BEGIN CERTIFICATE-----`) or DER.
fn ca_der(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(bytes).ok()?;
        pem.parse_x509().ok()?;
        return Some(pem.contents);
    }
    x509_parser::parse_x509_certificate(bytes).ok()?;
    Some(bytes.to_vec())
}

impl Config {
    /// Reads the file if it exists; a missing file is the default configuration.
    ///
    /// # Errors
    /// A message naming the file, line and column of a syntax error.
    pub fn load(path: &Path) -> Result<Config, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str::<Config>(&text)
                .map_err(|e| {
                    let pos = e.span().map_or((1, 1), |s| {
                        let before = &text[..s.start.min(text.len())];
                        (
                            before.matches('\n').count() + 1,
                            before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                        )
                    });
                    format!(
                        "{}:{}:{}: {} (fix or delete the file)",
                        path.display(),
                        pos.0,
                        pos.1,
                        e.message()
                    )
                })
                .and_then(|c| c.checked(path, &text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

impl Config {
    /// Values the type cannot check: the theme must be one that exists.
    fn checked(self, path: &Path, text: &str) -> Result<Config, String> {
        if let Some(theme) = self.theme.as_deref()
            && !["dark", "light", "mono"].contains(&theme.to_ascii_lowercase().as_str())
        {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("theme"))
                .map_or(1, |i| i + 1);
            return Err(format!(
                "{}:{line}: theme = \"{theme}\" is not a theme; use dark, light or mono",
                path.display()
            ));
        }
        Ok(self)
    }
}

/// The operator name: the explicit value, else the config's, else the OS user, else "operator".
pub fn operator_name(explicit: Option<&str>, config: &Config) -> String {
    explicit
        .map(str::to_string)
        .or_else(|| config.operator.clone())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "operator".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_settings_come_from_the_file_with_per_deployment_defaults() {
        let c: Config =
            toml::from_str("probe_interval_secs = 30\nprobe_concurrency = 4\n").unwrap();
        let m = c.monitor(false).unwrap();
        assert_eq!(m.interval.as_secs(), 30);
        assert_eq!(m.concurrency, 4);
        assert_eq!(m.timeout.as_secs(), 3);
        let d = Config::default();
        assert_eq!(d.monitor(true).unwrap().interval.as_secs(), 2);
        assert_eq!(d.monitor(false).unwrap().interval.as_secs(), 10);
    }

    #[test]
    fn trusted_ca_files_load_pem_and_der_and_name_a_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let ca = crate::lab::endpoints::LabCa::generate("Contoso Test Root").unwrap();
        let pem = dir.path().join("root.pem");
        let der = dir.path().join("root.cer");
        let bad = dir.path().join("bad.pem");
        std::fs::write(&pem, ca.cert_pem()).unwrap();
        std::fs::write(&der, ca.cert_der()).unwrap();
        std::fs::write(&bad, "not a certificate").unwrap();
        let c = Config {
            trusted_ca_files: vec![pem, der],
            ..Config::default()
        };
        let m = c.monitor(false).unwrap();
        assert_eq!(m.trusted_cas.len(), 2);
        assert_eq!(m.trusted_cas[0], ca.cert_der());
        assert_eq!(m.trusted_cas[1], ca.cert_der());
        let c = Config {
            trusted_ca_files: vec![bad],
            ..Config::default()
        };
        let e = c.monitor(false).unwrap_err();
        assert!(e.contains("bad.pem") && e.contains("no certificate"), "{e}");
    }

    #[test]
    fn a_typo_names_the_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "theme = \"dark\"\nprobe_intervall_secs = 5\n").unwrap();
        let e = Config::load(&p).unwrap_err();
        assert!(e.contains("config.toml:2:1"), "{e}");
    }
}
