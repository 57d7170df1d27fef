//! On-site troubleshooting: a catalog of the known symptoms of this migration and of the
//! Persistent Chat, Group Chat and Lookup services around it, each with its cause, the
//! checks that tell its causes apart, the fix and the page it comes from.
//!
//! The catalog is data (`assets/troubleshoot/symptoms.toml`, embedded; schema below), taken
//! from migration.md (the pitfalls of every stage, §3 liveness, §4 pool state) and from
//! Microsoft's reference, support and blog pages and practitioners' reports (each symptom
//! names its source). [`Catalog::embedded`] loads and validates it; [`Catalog::embedded_for`]
//! applies a language overlay ([`overlay`]); [`matching`] ranks the symptoms that fit pasted
//! text or an event; [`events`] reads exported event logs and `Get-WinEvent` output;
//! [`run_checks`] runs a symptom's checks through closures the caller supplies
//! ([`CheckContext`]: the live monitor answers probes, the executor runs cmdlets, the lab's
//! databases answer SQL reads; tests pass fakes); [`record`] stores the results as evidence
//! on the symptom's runbook item, with its audit event.
//!
//! # File schema
//!
//! ```toml
//! [[symptoms]]
//! id = "services-not-started"        # kebab-case, unique
//! title = "…"                        # one line
//! sees = "…"                         # what the admin sees
//! cause = "…"                        # why it happens
//! events = [{ id = 53530, source = "Persistent Chat" }]   # match keys: event ID (+ source)
//! errors = ["…"]                     # match keys: exact log / error / cmdlet text
//! phrases = ["…"]                    # match keys: how an admin or user says it
//! disagreement = "…"                 # optional: where the sources disagree
//! items = ["verify.start"]           # runbook items concerned; evidence goes to the first
//! fix = "…"                          # the remedy, own words
//! fix_cmdlets = ["Start-CsWindowsService -ComputerName {{pchat_server}}"]   # optional
//! source = "L13/…; https://…"        # pages: short names of migration.md §0, or URLs
//! inferred = false                   # true when the fix or a check rests on an inference
//!
//! [[symptoms.checks]]
//! kind = "probe"                     # probe | cmdlet | sql | manual
//! what = "…"                         # what is checked
//! probe = "tcp:5041"                 # probes only: dns | tcp:<port> | tls | pool-state
//! target = "{{pchat_server}}"        # probes only: host (tls: host or host:port)
//! cmdlet = "Get-CsWindowsService …"  # cmdlets only: one line, read-only
//! database = "mgc"                   # sql only: mgc | legacy
//! query = "SELECT … FROM tblNode …"  # sql only: one read-only SELECT
//! healthy = "no-rows"                # sql only: no-rows | rows
//! expect = "…"                       # what a healthy answer looks like
//! ```
//!
//! Every symptom has at least one match key. `{{name}}` placeholders are the deployment
//! profile's ([`crate::deployment::Profile::placeholders`]) plus `user`, the SIP address of
//! the user who has the problem. A line using a per-server name (`{{pchat_server}}`) runs
//! once per server.

pub mod command;
pub mod events;
pub mod matching;
pub mod overlay;
pub mod runner;
pub mod sql;

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::runbook::{Placeholders, RenderError, Runbook, render_line};
use crate::store::{Evidence, EvidenceRecord, Store, StoreError};

/// The embedded catalog (`assets/troubleshoot/symptoms.toml`).
pub const SYMPTOMS_TOML: &str = include_str!("../../assets/troubleshoot/symptoms.toml");

/// The placeholder for the SIP address of the user who has the problem.
pub const USER_PLACEHOLDER: &str = "user";

/// How a check is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// A read-only network or state probe the live monitor implements.
    Probe,
    /// A read-only cmdlet line, run by the executor.
    Cmdlet,
    /// A read-only SQL query against the Persistent Chat (`mgc`) or legacy Group Chat
    /// database: in the lab against its SQLite files, opened read-only.
    Sql,
    /// Something only a person can look at.
    Manual,
}

impl CheckKind {
    /// `probe`, `cmdlet`, `sql`, `manual`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Probe => "probe",
            CheckKind::Cmdlet => "cmdlet",
            CheckKind::Sql => "sql",
            CheckKind::Manual => "manual",
        }
    }
}

/// A probe the live monitor implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Probe {
    /// The name resolves (A records).
    Dns,
    /// A TCP connection to the port opens.
    Tcp(u16),
    /// A TLS handshake completes; the certificate is reported.
    Tls,
    /// `Get-CsPersistentChatState`: the pool's state (Normal or FailedOver).
    PoolState,
}

impl Probe {
    /// Parses `dns`, `tcp:<port>`, `tls`, `pool-state`.
    pub fn parse(s: &str) -> Option<Probe> {
        match s {
            "dns" => Some(Probe::Dns),
            "tls" => Some(Probe::Tls),
            "pool-state" => Some(Probe::PoolState),
            _ => s
                .strip_prefix("tcp:")
                .and_then(|p| p.parse::<u16>().ok())
                .filter(|p| *p > 0)
                .map(Probe::Tcp),
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Probe::Dns => f.write_str("dns"),
            Probe::Tcp(p) => write!(f, "tcp:{p}"),
            Probe::Tls => f.write_str("tls"),
            Probe::PoolState => f.write_str("pool-state"),
        }
    }
}

/// One check of a symptom, as written in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Probe, cmdlet or manual.
    pub kind: CheckKind,
    /// What is checked.
    pub what: String,
    /// Probes: the probe name (`dns`, `tcp:<port>`, `tls`, `pool-state`).
    #[serde(default)]
    pub probe: Option<String>,
    /// Probes: the host (placeholders allowed).
    #[serde(default)]
    pub target: Option<String>,
    /// Cmdlets: the line (placeholders allowed).
    #[serde(default)]
    pub cmdlet: Option<String>,
    /// SQL reads: which database, `mgc` or `legacy`.
    #[serde(default)]
    pub database: Option<String>,
    /// SQL reads: one `SELECT` (no `;`, nothing that writes), valid in T-SQL and SQLite.
    #[serde(default)]
    pub query: Option<String>,
    /// SQL reads: `no-rows` (healthy when the query returns nothing: it looks for the
    /// problem) or `rows` (healthy when it returns something).
    #[serde(default)]
    pub healthy: Option<String>,
    /// What a healthy answer looks like.
    pub expect: String,
}

/// An event a symptom is known by: its ID and, when the ID alone is ambiguous, a part of
/// its source (provider) name, compared without case (`"Persistent Chat"` matches the
/// provider `LS Persistent Chat Server`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventKey {
    /// The event ID.
    pub id: u32,
    /// A part of the provider name; none: any provider.
    #[serde(default)]
    pub source: Option<String>,
}

/// A known symptom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symptom {
    /// Stable id.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What the admin sees.
    pub sees: String,
    /// Why it happens.
    pub cause: String,
    /// Match keys: events (ID and source).
    #[serde(default)]
    pub events: Vec<EventKey>,
    /// Match keys: exact log, error and cmdlet text, as the product prints it (compared
    /// without case and with runs of white space as one space).
    #[serde(default)]
    pub errors: Vec<String>,
    /// Match keys: how an admin or a user would say it.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Where the sources disagree, and how.
    #[serde(default)]
    pub disagreement: Option<String>,
    /// Runbook items concerned; check results are recorded on the first.
    pub items: Vec<String>,
    /// The checks, in the order to run them.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// The remedy.
    pub fix: String,
    /// Cmdlet lines of the remedy (shown, never run by [`run_checks`]); `#` lines describe a
    /// step that is not PowerShell.
    #[serde(default)]
    pub fix_cmdlets: Vec<String>,
    /// The Microsoft pages behind it.
    pub source: String,
    /// True when the fix or a check rests on an inference.
    #[serde(default)]
    pub inferred: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    symptoms: Vec<Symptom>,
}

/// The catalog of symptoms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    /// The symptoms, in file order.
    pub symptoms: Vec<Symptom>,
}

/// Why the catalog could not be loaded. Names the file and, for syntax errors, the line and
/// column; for rule errors, the symptom and check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Not TOML, or not the schema.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// File name.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A rule of the schema is broken.
    #[error("{file}: symptom {symptom:?}{}: {message}", check.map(|c| format!(", check {c}")).unwrap_or_default())]
    Invalid {
        /// File name.
        file: String,
        /// The symptom id (or its position when the id is the problem).
        symptom: String,
        /// 1-based check number, when a check is at fault.
        check: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// Whether a placeholder name is one the profile provides (or `user`).
pub fn known_placeholder(name: &str) -> bool {
    const SINGLE: [&str; 20] = [
        "sip_domain",
        "deployment_name",
        "lookup_uri",
        "work_dir",
        "export_file",
        "export_report",
        "whatif_report",
        "import_report",
        "mgc_backup_file",
        "verify_report",
        "export_level",
        "start_date",
        "test_room",
        "pchat_policy",
        "operator_group",
        "test_user1",
        "test_user2",
        "site",
        "export_scope",
        "pchat_port",
    ];
    const POOL_FIELDS: [&str; 9] = [
        "pool_fqdn",
        "server",
        "sql_instance",
        "db",
        "compliance_db",
        "file_store",
        "sql_fqdn",
        "sql_instance_name",
        "product",
    ];
    if name == USER_PLACEHOLDER || SINGLE.contains(&name) {
        return true;
    }
    ["legacy_fe_", "legacy_", "pchat_", "fe_"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|f| POOL_FIELDS.contains(&f))
    })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Checks the placeholder syntax and names of one text.
fn check_placeholders(text: &str) -> Result<(), String> {
    // Render against a map that has every name the text uses, if known; unknown names
    // surface as Missing.
    let mut values = Placeholders::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        let name = &after[..close];
        if known_placeholder(name) {
            values.insert(name.to_string(), vec!["x".into()]);
        }
        rest = &after[close + 2..];
    }
    match render_line(text, &values) {
        Ok(_) => Ok(()),
        Err(RenderError::Missing { name }) => Err(format!(
            "unknown placeholder {{{{{name}}}}}: use a name the deployment profile provides \
             (e.g. pchat_pool_fqdn, fe_pool_fqdn, pchat_server, lookup_uri) or {{{{user}}}}"
        )),
        Err(e) => Err(e.to_string()),
    }
}

impl Catalog {
    /// Loads the embedded catalog.
    ///
    /// # Errors
    /// A [`CatalogError`]; a test guards the embedded file, so a released build does not
    /// fail here.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        Self::parse(SYMPTOMS_TOML, "assets/troubleshoot/symptoms.toml")
    }

    /// The embedded catalog with the text of `lang`'s overlay (see [`overlay`]); English and
    /// languages without an overlay give [`Catalog::embedded`].
    ///
    /// # Errors
    /// The English catalog's error, or the overlay's (a file that does not parse, an
    /// unknown symptom, a placeholder that differs from the English text).
    pub fn embedded_for(lang: &str) -> Result<Catalog, CatalogError> {
        let english = Self::embedded()?;
        match overlay::overlay_text(lang) {
            Some((tag, text)) => overlay::apply(english, tag, text),
            None => Ok(english),
        }
    }

    /// Parses and validates catalog text; `file` names the source in errors.
    ///
    /// Rules: at least one symptom; ids kebab-case and unique; no blank text; at least one
    /// item and one check per symptom; a probe has a known `probe` and a `target` and no
    /// `cmdlet`; a cmdlet check has a `cmdlet` and no probe fields; a manual check has none
    /// of them; placeholders well-formed and known ([`known_placeholder`]) in every text.
    ///
    /// # Errors
    /// The first [`CatalogError`].
    pub fn parse(text: &str, file: &str) -> Result<Catalog, CatalogError> {
        let parsed: File = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            CatalogError::Parse {
                file: file.to_string(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        let cat = Catalog {
            symptoms: parsed.symptoms,
        };
        cat.validate(file)?;
        Ok(cat)
    }

    fn validate(&self, file: &str) -> Result<(), CatalogError> {
        let invalid = |symptom: &str, check: Option<usize>, message: String| {
            Err(CatalogError::Invalid {
                file: file.to_string(),
                symptom: symptom.to_string(),
                check,
                message,
            })
        };
        if self.symptoms.is_empty() {
            return invalid("-", None, "the catalog has no symptoms".into());
        }
        let mut ids = BTreeSet::new();
        for (i, s) in self.symptoms.iter().enumerate() {
            let id_ok = !s.id.is_empty()
                && s.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok {
                return invalid(
                    &format!("#{}", i + 1),
                    None,
                    format!("id {:?} must be kebab-case (a-z, 0-9, -)", s.id),
                );
            }
            if !ids.insert(s.id.as_str()) {
                return invalid(&s.id, None, "the id is used twice".into());
            }
            for (name, v) in [
                ("title", &s.title),
                ("sees", &s.sees),
                ("cause", &s.cause),
                ("fix", &s.fix),
                ("source", &s.source),
            ] {
                if v.trim().is_empty() {
                    return invalid(&s.id, None, format!("{name} is empty"));
                }
            }
            if s.events.is_empty() && s.errors.is_empty() && s.phrases.is_empty() {
                return invalid(
                    &s.id,
                    None,
                    "a symptom needs at least one match key (events, errors or phrases)".into(),
                );
            }
            if let Some(e) = s.events.iter().find(|e| e.id == 0) {
                return invalid(&s.id, None, format!("event id 0 ({e:?}) is not an event"));
            }
            if s.events
                .iter()
                .any(|e| e.source.as_deref().is_some_and(|x| x.trim().is_empty()))
                || s.errors
                    .iter()
                    .chain(&s.phrases)
                    .any(|t| t.trim().is_empty())
                || s.disagreement
                    .as_deref()
                    .is_some_and(|d| d.trim().is_empty())
            {
                return invalid(
                    &s.id,
                    None,
                    "a match key or the disagreement is empty".into(),
                );
            }
            if s.items.is_empty() || s.items.iter().any(|i| i.trim().is_empty()) {
                return invalid(
                    &s.id,
                    None,
                    "items must name at least one runbook item".into(),
                );
            }
            if s.checks.is_empty() {
                return invalid(&s.id, None, "a symptom needs at least one check".into());
            }
            for text in [&s.title, &s.sees, &s.cause, &s.fix]
                .into_iter()
                .chain(s.fix_cmdlets.iter())
            {
                if let Err(m) = check_placeholders(text) {
                    return invalid(&s.id, None, m);
                }
            }
            for (n, c) in s.checks.iter().enumerate() {
                let n = Some(n + 1);
                if c.what.trim().is_empty() || c.expect.trim().is_empty() {
                    return invalid(&s.id, n, "what and expect must not be empty".into());
                }
                let sql_fields = c.database.is_some() || c.query.is_some() || c.healthy.is_some();
                if c.kind != CheckKind::Sql && sql_fields {
                    return invalid(
                        &s.id,
                        n,
                        "database, query and healthy belong to sql checks".into(),
                    );
                }
                match c.kind {
                    CheckKind::Sql => {
                        if c.probe.is_some() || c.target.is_some() || c.cmdlet.is_some() {
                            return invalid(
                                &s.id,
                                n,
                                "an sql check has no probe, target or cmdlet".into(),
                            );
                        }
                        if let Err(m) = sql::SqlRequest::from_check(c) {
                            return invalid(&s.id, n, m);
                        }
                    }
                    CheckKind::Probe => {
                        let Some(p) = c.probe.as_deref() else {
                            return invalid(&s.id, n, "a probe check needs probe = …".into());
                        };
                        if Probe::parse(p).is_none() {
                            return invalid(
                                &s.id,
                                n,
                                format!(
                                    "unknown probe {p:?}; the monitor implements dns, \
                                     tcp:<port>, tls and pool-state"
                                ),
                            );
                        }
                        if c.target.as_deref().is_none_or(|t| t.trim().is_empty()) {
                            return invalid(&s.id, n, "a probe check needs a target".into());
                        }
                        if c.cmdlet.is_some() {
                            return invalid(&s.id, n, "a probe check has no cmdlet".into());
                        }
                    }
                    CheckKind::Cmdlet => {
                        if c.cmdlet.as_deref().is_none_or(|t| t.trim().is_empty()) {
                            return invalid(&s.id, n, "a cmdlet check needs cmdlet = …".into());
                        }
                        if c.probe.is_some() || c.target.is_some() {
                            return invalid(
                                &s.id,
                                n,
                                "a cmdlet check has no probe or target".into(),
                            );
                        }
                    }
                    CheckKind::Manual => {
                        if c.probe.is_some() || c.target.is_some() || c.cmdlet.is_some() {
                            return invalid(
                                &s.id,
                                n,
                                "a manual check has no probe, target or cmdlet".into(),
                            );
                        }
                    }
                }
                for text in [
                    Some(&c.what),
                    Some(&c.expect),
                    c.target.as_ref(),
                    c.cmdlet.as_ref(),
                ]
                .into_iter()
                .flatten()
                {
                    if let Err(m) = check_placeholders(text) {
                        return invalid(&s.id, n, m);
                    }
                }
            }
        }
        Ok(())
    }

    /// The symptom with this id.
    pub fn symptom(&self, id: &str) -> Option<&Symptom> {
        self.symptoms.iter().find(|s| s.id == id)
    }

    /// Items named by symptoms that the runbook does not have (empty when all exist).
    pub fn unknown_items(&self, runbook: &Runbook) -> Vec<(String, String)> {
        self.symptoms
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s.id.clone(), i.clone())))
            .filter(|(_, i)| runbook.item(i).is_none())
            .collect()
    }
}

/// Fills a text's placeholders for display: several values are joined with ", "; a text
/// whose placeholders cannot be filled is returned as written.
pub fn fill_text(text: &str, values: &Placeholders) -> String {
    match render_line(text, values) {
        Ok(lines) => lines.join(", "),
        Err(_) => text.to_string(),
    }
}

/// What a probe or cmdlet closure reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// `Some(true)` healthy, `Some(false)` not, `None` could not tell (not run, no executor).
    pub passed: Option<bool>,
    /// What it saw (the cmdlet output, "resolved to 10.0.0.5", the error…).
    pub output: String,
}

impl CheckOutcome {
    /// Healthy.
    pub fn pass(output: impl Into<String>) -> Self {
        CheckOutcome {
            passed: Some(true),
            output: output.into(),
        }
    }

    /// Not healthy.
    pub fn fail(output: impl Into<String>) -> Self {
        CheckOutcome {
            passed: Some(false),
            output: output.into(),
        }
    }

    /// Could not tell.
    pub fn unknown(output: impl Into<String>) -> Self {
        CheckOutcome {
            passed: None,
            output: output.into(),
        }
    }
}

/// A probe to run: which one, against which host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeRequest {
    /// The probe.
    pub probe: Probe,
    /// The host (tls: host or host:port), placeholders filled.
    pub target: String,
}

/// What [`run_checks`] needs from the caller: the placeholder values (the profile's, plus
/// `user` when the symptom concerns one user), and closures that run a probe (the live
/// monitor), a cmdlet line (the executor) and a SQL read (the lab's databases).
pub struct CheckContext<'a> {
    /// Placeholder values: `Profile::placeholders(work_dir)` plus `user`.
    pub values: &'a Placeholders,
    /// Runs one probe.
    pub probe: &'a mut dyn FnMut(&ProbeRequest) -> CheckOutcome,
    /// Runs one filled-in cmdlet line.
    pub cmdlet: &'a mut dyn FnMut(&str) -> CheckOutcome,
    /// Runs one read-only SQL query.
    pub sql: &'a mut dyn FnMut(&sql::SqlRequest) -> CheckOutcome,
}

/// The state of one check after [`run_checks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    /// Healthy.
    Passed,
    /// Not healthy: a likely cause.
    Failed,
    /// The probe or cmdlet could not tell.
    Unknown,
    /// A person has to look (manual checks).
    Manual,
    /// Could not be run: a placeholder has no value in the profile.
    NotRun,
}

impl CheckStatus {
    /// `passed`, `FAILED`, `unknown`, `manual`, `not run`.
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "FAILED",
            CheckStatus::Unknown => "unknown",
            CheckStatus::Manual => "manual",
            CheckStatus::NotRun => "not run",
        }
    }
}

/// The result of one check (one per server for per-server lines).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The symptom.
    pub symptom: String,
    /// 1-based check number in the symptom.
    pub check: usize,
    /// Probe, cmdlet or manual.
    pub kind: CheckKind,
    /// What was checked (placeholders filled).
    pub what: String,
    /// What ran: the filled cmdlet line, or `tcp:5061 pool.contoso.com`; none for manual.
    pub command: Option<String>,
    /// What a healthy answer looks like (placeholders filled).
    pub expect: String,
    /// The verdict.
    pub status: CheckStatus,
    /// What the probe or cmdlet saw, or why it did not run.
    pub output: String,
}

/// Runs every check of a symptom, in order, through the context's closures: probes with
/// their target filled (one run per value of a per-server placeholder), cmdlet lines filled
/// (likewise), manual checks listed as [`CheckStatus::Manual`]. A check whose placeholders
/// the profile cannot fill is [`CheckStatus::NotRun`], with the reason.
pub fn run_checks(symptom: &Symptom, ctx: &mut CheckContext<'_>) -> Vec<CheckResult> {
    let mut out = Vec::new();
    for (i, c) in symptom.checks.iter().enumerate() {
        let what = fill_text(&c.what, ctx.values);
        let expect = fill_text(&c.expect, ctx.values);
        let base = |command: Option<String>, status: CheckStatus, output: String| CheckResult {
            symptom: symptom.id.clone(),
            check: i + 1,
            kind: c.kind,
            what: what.clone(),
            command,
            expect: expect.clone(),
            status,
            output,
        };
        let status_of = |o: &CheckOutcome| match o.passed {
            Some(true) => CheckStatus::Passed,
            Some(false) => CheckStatus::Failed,
            None => CheckStatus::Unknown,
        };
        match c.kind {
            CheckKind::Manual => out.push(base(None, CheckStatus::Manual, String::new())),
            CheckKind::Sql => match sql::SqlRequest::from_check(c) {
                Ok(req) => {
                    let o = (ctx.sql)(&req);
                    out.push(base(Some(req.describe()), status_of(&o), o.output));
                }
                Err(e) => out.push(base(None, CheckStatus::NotRun, e)),
            },
            CheckKind::Probe => {
                let probe = c.probe.as_deref().and_then(Probe::parse);
                let target = c.target.as_deref().unwrap_or("");
                match (probe, render_line(target, ctx.values)) {
                    (Some(probe), Ok(targets)) => {
                        for t in targets {
                            let req = ProbeRequest {
                                probe,
                                target: t.clone(),
                            };
                            let o = (ctx.probe)(&req);
                            out.push(base(Some(format!("{probe} {t}")), status_of(&o), o.output));
                        }
                    }
                    (None, _) => out.push(base(
                        None,
                        CheckStatus::NotRun,
                        format!("unknown probe {:?}", c.probe),
                    )),
                    (_, Err(e)) => out.push(base(
                        Some(target.to_string()),
                        CheckStatus::NotRun,
                        e.to_string(),
                    )),
                }
            }
            CheckKind::Cmdlet => {
                let line = c.cmdlet.as_deref().unwrap_or("");
                match render_line(line, ctx.values) {
                    Ok(lines) => {
                        for l in lines {
                            let o = (ctx.cmdlet)(&l);
                            out.push(base(Some(l), status_of(&o), o.output));
                        }
                    }
                    Err(e) => out.push(base(
                        Some(line.to_string()),
                        CheckStatus::NotRun,
                        e.to_string(),
                    )),
                }
            }
        }
    }
    out
}

/// A one-line account of a run: `services-not-started: 2 passed, 1 FAILED (…), 1 manual`.
pub fn summarize(symptom: &Symptom, results: &[CheckResult]) -> String {
    let count = |s: CheckStatus| results.iter().filter(|r| r.status == s).count();
    let mut parts = Vec::new();
    for s in [
        CheckStatus::Passed,
        CheckStatus::Failed,
        CheckStatus::Unknown,
        CheckStatus::Manual,
        CheckStatus::NotRun,
    ] {
        let n = count(s);
        if n > 0 {
            parts.push(format!("{n} {}", s.label()));
        }
    }
    let mut line = format!("{}: {}", symptom.title, parts.join(", "));
    if let Some(f) = results.iter().find(|r| r.status == CheckStatus::Failed) {
        line.push_str(&format!(" (first failure: {})", f.what));
    }
    line
}

/// The verdict of a run: `Some(false)` if any check failed; `Some(true)` if every check
/// passed (none manual, unknown or not run); otherwise `None`.
pub fn verdict(results: &[CheckResult]) -> Option<bool> {
    if results.iter().any(|r| r.status == CheckStatus::Failed) {
        Some(false)
    } else if !results.is_empty() && results.iter().all(|r| r.status == CheckStatus::Passed) {
        Some(true)
    } else {
        None
    }
}

/// The evidence source of troubleshooting runs: `troubleshoot: <symptom id>`.
pub fn evidence_source(symptom: &Symptom) -> String {
    format!("troubleshoot: {}", symptom.id)
}

/// Records a run as evidence on the symptom's first runbook item (source
/// `troubleshoot: <id>`, summary from [`summarize`], passed from [`verdict`], detail: the
/// symptom id and title and every [`CheckResult`]), durably with its `evidence-added` audit
/// event. The item's note is left alone.
///
/// # Errors
/// Store errors.
pub fn record(
    store: &mut Store,
    session_id: i64,
    symptom: &Symptom,
    results: &[CheckResult],
    who: &str,
) -> Result<EvidenceRecord, StoreError> {
    let item = symptom.items.first().map(String::as_str).unwrap_or("");
    store.add_evidence(
        session_id,
        item,
        &Evidence {
            source: evidence_source(symptom),
            summary: summarize(symptom, results),
            passed: verdict(results),
            detail: serde_json::json!({
                "symptom": symptom.id,
                "title": symptom.title,
                "checks": results,
            }),
        },
        who,
    )
}

#[cfg(test)]
mod tests;
