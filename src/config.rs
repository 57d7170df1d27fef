//! The optional configuration file `config.toml` in the data directory.
//!
//! ```toml
//! operator = "Jane Admin"   # who ticks items; default: the OS user
//! theme = "dark"            # dark | light | mono (NO_COLOR forces mono)
//! mouse = true              # mouse capture (click to select, wheel to scroll)
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
}

impl Config {
    /// Reads the file if it exists; a missing file is the default configuration.
    ///
    /// # Errors
    /// A message naming the file, line and column of a syntax error.
    pub fn load(path: &Path) -> Result<Config, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
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
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
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
