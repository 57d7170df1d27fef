//! The troubleshooting screen: the known symptoms of the migration (from the embedded
//! catalog, `assets/troubleshoot/symptoms.toml`) on the left, the selected one's detail on
//! the right (below, on narrow terminals): what the admin sees, the last results, the
//! checks with their lines filled from the deployment, the fix and the source pages.
//!
//! `r` runs the selected symptom's checks on a worker thread, never on the UI task:
//!
//! - `pool-state` is answered from the live monitor's latest snapshot. The monitor sees
//!   whether the pool answers, not whether it is Normal or FailedOver, so a pool that
//!   answers is reported as "could not tell" (the cmdlet check tells), and one that does not
//!   answer as failed.
//! - `dns`, `tcp:<port>` and `tls` run a one-off [`monitor::probe_target`] on a small tokio
//!   runtime inside the worker: in production with the system resolver; in the lab with the
//!   lab's resolver (its answer file and CA, under `<data dir>/lab`) once the monitor has
//!   probed in this run, so the file is the running lab's. Otherwise, and for names the lab
//!   does not serve, they are answered from the monitor's last round, which says so.
//! - cmdlet lines run through the production executor only when the job environment is a
//!   production one and one of its reviewed scripts covers the line (today
//!   `Get-CsWindowsService` on a Persistent Chat server, through the service status task).
//!   Every other line is reported *not run*, with the line to run by hand: never a pass.
//!
//! The results are recorded with [`troubleshoot::record`] on the store thread, and shown
//! (newest first, with text markers) when the store answers.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{movement, step};
use crate::deployment::{DeploymentKind, PoolKind, Profile};
use crate::exec::{Executor, Task};
use crate::jobs::JobEnv;
use crate::monitor::{
    self, MonitorConfig, PoolState, PortOutcome, PortStatus, ProbeTarget, Resolver, StatusSnapshot,
};
use crate::runbook::{Placeholders, render_line};
use crate::store::EvidenceRecord;
use crate::t;
use crate::troubleshoot::{
    self, Catalog, CheckContext, CheckKind, CheckOutcome, CheckResult, CheckStatus, Probe,
    ProbeRequest, Symptom, USER_PLACEHOLDER, fill_text, sql::SqlRequest,
};
use crate::tui::app::{App, AppMsg, list_offset};
use crate::tui::keymap::Action;

/// What the troubleshoot screen keeps.
#[derive(Default)]
pub struct TroubleshootState {
    /// Selected symptom row.
    pub selected: usize,
    /// The catalog, loaded when the screen is first opened (or why it could not be).
    pub catalog: Option<Result<Arc<Catalog>, String>>,
    /// The detail pane has the arrow keys (enter switches).
    pub detail_focus: bool,
    /// Detail pane scroll.
    pub scroll: u16,
    /// The symptom whose checks are running (one run at a time).
    pub running: Option<String>,
    /// A run the store could not record: (symptom id, results, error).
    pub unsaved: Option<(String, Vec<CheckResult>, String)>,
}

/// The loaded catalog, if any.
fn catalog(app: &App) -> Option<&Arc<Catalog>> {
    app.troubleshoot
        .catalog
        .as_ref()
        .and_then(|c| c.as_ref().ok())
}

fn symptom_count(app: &App) -> usize {
    catalog(app).map_or(0, |c| c.symptoms.len())
}

/// The selected symptom.
pub fn selected_symptom(app: &App) -> Option<&Symptom> {
    catalog(app).and_then(|c| c.symptoms.get(app.troubleshoot.selected))
}

/// The user the checks are about: the last user looked up on the pools screen.
fn lookup_user(app: &App) -> Option<String> {
    match &app.pools.lookup {
        Some(Ok(v)) if !v.population => Some(v.user.clone()),
        _ => None,
    }
}

/// Placeholder values for the checks: the deployment's, plus `user` when one was looked up.
fn values(app: &App) -> Placeholders {
    let mut v = app.placeholders.clone();
    if let Some(u) = lookup_user(app) {
        v.insert(USER_PLACEHOLDER.to_string(), vec![u]);
    }
    v
}

/// Opened: load the catalog (embedded text, parsed once).
pub fn on_enter(app: &mut App) {
    if app.troubleshoot.catalog.is_none() {
        app.troubleshoot.catalog =
            Some(Catalog::embedded().map(Arc::new).map_err(|e| e.to_string()));
    }
}

/// Keys of the screen: ↑/↓ choose a symptom (or scroll the detail once enter gave it the
/// keys), PgUp/PgDn scroll the detail, esc gives the keys back to the list, r runs the
/// checks.
pub fn on_action(app: &mut App, action: Action) -> bool {
    if let Some(d) = movement(action) {
        let scroll =
            app.troubleshoot.detail_focus || matches!(action, Action::PageUp | Action::PageDown);
        if scroll {
            let max = max_scroll(app);
            let s = i64::from(app.troubleshoot.scroll) + i64::from(d);
            app.troubleshoot.scroll = u16::try_from(s.clamp(0, i64::from(max))).unwrap_or(0);
        } else {
            let n = step(app.troubleshoot.selected, d, symptom_count(app));
            if n != app.troubleshoot.selected {
                app.troubleshoot.selected = n;
                app.troubleshoot.scroll = 0;
            }
        }
        return true;
    }
    match action {
        Action::Enter => {
            app.troubleshoot.detail_focus = !app.troubleshoot.detail_focus;
            true
        }
        Action::Back if app.troubleshoot.detail_focus => {
            app.troubleshoot.detail_focus = false;
            true
        }
        Action::RunChecks => {
            run_selected(app);
            true
        }
        _ => false,
    }
}

// ---- running the checks ------------------------------------------------------------------

/// Starts the selected symptom's checks on a worker thread; the results are recorded on the
/// store thread and shown when it answers.
fn run_selected(app: &mut App) {
    let Some(symptom) = selected_symptom(app).cloned() else {
        return;
    };
    if let Some(id) = &app.troubleshoot.running {
        let title = catalog(app)
            .and_then(|c| c.symptom(id))
            .map_or_else(|| id.clone(), |s| s.title.clone());
        app.set_status(t!("status-ts-busy", symptom = title), true);
        return;
    }
    let values = values(app);
    let mut probes = Probes::new(app);
    let mut cmdlets = Cmdlets::new(app);
    let sqls = Sqls::new(app);
    let tx = app.sender();
    app.troubleshoot.running = Some(symptom.id.clone());
    app.troubleshoot.scroll = 0;
    app.set_status(
        t!("status-ts-running", symptom = symptom.title.clone()),
        false,
    );
    let spawned = std::thread::Builder::new()
        .name("troubleshoot".into())
        .spawn(move || {
            let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
                execute(&symptom, &values, &mut probes, &mut cmdlets, &sqls)
            }));
            let msg: Box<dyn FnOnce(&mut App) + Send> = match run {
                Ok(results) => Box::new(move |app: &mut App| save(app, symptom, results)),
                Err(_) => Box::new(|app: &mut App| {
                    app.troubleshoot.running = None;
                    app.set_status(t!("status-ts-crashed"), true);
                }),
            };
            let _ = tx.send(AppMsg::Apply(msg));
        });
    if let Err(e) = spawned {
        app.troubleshoot.running = None;
        app.set_status(t!("status-save-failed", error = e.to_string()), true);
    }
}

/// Runs every check of `symptom` (blocking: on a worker thread). Cmdlet lines that were
/// not run are reported [`CheckStatus::NotRun`], never as a pass.
fn execute(
    symptom: &Symptom,
    values: &Placeholders,
    probes: &mut Probes,
    cmdlets: &mut Cmdlets,
    sqls: &Sqls,
) -> Vec<CheckResult> {
    let mut not_run: HashSet<String> = HashSet::new();
    let mut sql_not_run = false;
    let mut sql = |r: &SqlRequest| match sqls {
        Sqls::Lab(lab) => troubleshoot::sql::run_lab(lab, r),
        Sqls::NotRun(why) => {
            sql_not_run = true;
            CheckOutcome::unknown(format!(
                "query not run: {why}; run it read-only in SQL Server Management Studio: {}",
                r.query
            ))
        }
    };
    let mut probe = |r: &ProbeRequest| probes.probe(r);
    let mut cmdlet = |line: &str| {
        let (outcome, ran) = cmdlets.run(line, values);
        if !ran {
            not_run.insert(line.to_string());
        }
        outcome
    };
    let mut results = troubleshoot::run_checks(
        symptom,
        &mut CheckContext {
            values,
            probe: &mut probe,
            cmdlet: &mut cmdlet,
            sql: &mut sql,
        },
    );
    for r in &mut results {
        let cmdlet_not_run =
            r.kind == CheckKind::Cmdlet && r.command.as_ref().is_some_and(|c| not_run.contains(c));
        if cmdlet_not_run || (r.kind == CheckKind::Sql && sql_not_run) {
            r.status = CheckStatus::NotRun;
        }
    }
    results
}

/// Where the SQL reads run (moved to the worker thread).
enum Sqls {
    /// The lab's SQLite databases, opened read-only.
    Lab(crate::lab::LabPaths),
    /// Not here: why.
    NotRun(String),
}

impl Sqls {
    fn new(app: &App) -> Sqls {
        match (app.profile.kind, app.job_env()) {
            (DeploymentKind::Lab, Ok(env)) => Sqls::Lab(env.lab.clone()),
            (DeploymentKind::Lab, Err(_)) => match &app.data_dir {
                Some(dir) => Sqls::Lab(crate::lab::LabPaths::in_dir(
                    &crate::paths::Paths::in_dir(dir).lab_dir,
                )),
                None => Sqls::NotRun("no lab folder".into()),
            },
            (DeploymentKind::Production, _) => Sqls::NotRun(
                "the production executor runs no SQL; this program never connects to the production SQL Server"
                    .into(),
            ),
        }
    }
}

/// Records a run on the store thread; the evidence shows when it is committed.
fn save(app: &mut App, symptom: Symptom, results: Vec<CheckResult>) {
    let (sid, who, tx) = (app.session.id, app.operator.clone(), app.sender());
    app.submit_store(move |store| {
        let saved =
            troubleshoot::record(store, sid, &symptom, &results, &who).map_err(|e| e.to_string());
        let _ = tx.send(AppMsg::Apply(Box::new(move |app: &mut App| {
            app.troubleshoot.running = None;
            match saved {
                Ok(ev) => {
                    let count = |s: CheckStatus| results.iter().filter(|r| r.status == s).count();
                    let failed = count(CheckStatus::Failed);
                    let passed = count(CheckStatus::Passed);
                    let open = results.len() - failed - passed;
                    app.set_status(
                        t!(
                            "status-ts-recorded",
                            item = ev.item_id.clone(),
                            failed = failed,
                            passed = passed,
                            open = open
                        ),
                        failed > 0,
                    );
                    app.evidence
                        .entry(ev.item_id.clone())
                        .or_default()
                        .insert(0, ev);
                    app.troubleshoot.unsaved = None;
                }
                Err(e) => {
                    app.set_status(t!("status-save-failed", error = e.clone()), true);
                    app.troubleshoot.unsaved = Some((symptom.id, results, e));
                }
            }
        })));
    });
}

/// Where the network probes come from.
enum Live {
    /// No live probes: answer from the monitor's last round.
    Snapshot,
    /// Production: the system resolver.
    System,
    /// The lab: its answer file and CA under this folder.
    Lab(PathBuf),
}

/// Answers the probes of a run (moved to the worker thread).
struct Probes {
    snapshot: Option<Arc<StatusSnapshot>>,
    profile: Profile,
    live: Live,
    /// Built on first use: the runtime, resolver and configuration of the live probes, or
    /// none when they cannot be had (then the snapshot answers).
    ready: Option<Option<(tokio::runtime::Runtime, Resolver, MonitorConfig)>>,
}

impl Probes {
    fn new(app: &App) -> Probes {
        let snapshot = app.pools.snapshot.clone();
        let live = match app.profile.kind {
            DeploymentKind::Production => Live::System,
            // The lab's answer file is current only while this run's lab endpoints are up,
            // which the monitor's first round proves.
            DeploymentKind::Lab => match (&app.data_dir, snapshot.as_deref()) {
                (Some(dir), Some(s)) if s.round >= 1 => {
                    Live::Lab(crate::paths::Paths::in_dir(dir).lab_dir)
                }
                _ => Live::Snapshot,
            },
        };
        Probes {
            snapshot,
            profile: app.profile.clone(),
            live,
            ready: None,
        }
    }

    fn setup(&mut self) -> Option<&(tokio::runtime::Runtime, Resolver, MonitorConfig)> {
        if self.ready.is_none() {
            let made = (|| {
                let (resolver, cfg) = match &self.live {
                    Live::Snapshot => return None,
                    Live::System => (Resolver::system(), MonitorConfig::default()),
                    Live::Lab(dir) => {
                        let resolver = Resolver::from_answer_file(
                            &dir.join(crate::lab::endpoints::ANSWERS_FILE),
                        )
                        .ok()?;
                        let mut cfg = MonitorConfig::default();
                        let ca = dir
                            .join(crate::lab::endpoints::PKI_DIR)
                            .join("lab-ca.crt.pem");
                        if let Ok(pem) = std::fs::read(ca)
                            && let Ok((_, p)) = x509_parser::pem::parse_x509_pem(&pem)
                        {
                            cfg.trusted_cas.push(p.contents);
                        }
                        (resolver, cfg)
                    }
                };
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                Some((rt, resolver, cfg))
            })();
            self.ready = Some(made);
        }
        self.ready.as_ref().and_then(Option::as_ref)
    }

    fn probe(&mut self, req: &ProbeRequest) -> CheckOutcome {
        if req.probe == Probe::PoolState {
            return pool_state_outcome(self.snapshot.as_deref(), &req.target);
        }
        let (host, port) = probe_host_port(req, &self.profile);
        // The lab serves only its pools' ports; anything else the snapshot answers.
        let lab = matches!(self.live, Live::Lab(_));
        if lab && !profile_serves(&self.profile, &host, port) {
            return snapshot_outcome(self.snapshot.as_deref(), req, &self.profile);
        }
        let pool = pool_of(&self.profile, &host);
        let snapshot = self.snapshot.clone();
        let Some((rt, resolver, cfg)) = self.setup() else {
            return snapshot_outcome(snapshot.as_deref(), req, &self.profile);
        };
        let at = || Utc::now().format("%H:%M:%S UTC").to_string();
        match req.probe {
            Probe::Dns => match rt.block_on(resolver.resolve(&host, port)) {
                Ok(addrs) => CheckOutcome::pass(format!(
                    "{host} resolves to {} (live probe at {})",
                    addresses(&addrs, lab),
                    at()
                )),
                Err(e) => CheckOutcome::fail(format!("{e} (live probe at {})", at())),
            },
            Probe::Tcp(_) | Probe::Tls => {
                let tls = req.probe == Probe::Tls;
                let (pool_fqdn, kind) =
                    pool.unwrap_or_else(|| (host.clone(), PoolKind::Lync2013PersistentChat));
                let target = ProbeTarget {
                    pool_fqdn,
                    kind,
                    server: host.clone(),
                    port,
                    tls,
                    connect_to: None,
                };
                let st = rt.block_on(monitor::probe_target(&target, resolver, cfg));
                port_outcome(&host, &st, tls, &format!("live probe at {}", at()))
            }
            Probe::PoolState => unreachable!("answered above"),
        }
    }
}

/// The addresses a name resolved to (the lab's listener ports are its own, so they show).
fn addresses(addrs: &[std::net::SocketAddr], with_port: bool) -> String {
    let mut v: Vec<String> = addrs
        .iter()
        .map(|a| {
            if with_port {
                a.to_string()
            } else {
                a.ip().to_string()
            }
        })
        .collect();
    v.dedup();
    v.join(", ")
}

/// The host and port of a probe request: `tcp:<port>`'s port; a `tls` target's own
/// `host:port`, else 443; for `dns`, the first port the profile serves on the name (the
/// lab's answers are per port), else 443.
fn probe_host_port(req: &ProbeRequest, profile: &Profile) -> (String, u16) {
    let (host, port) = match req.target.rsplit_once(':') {
        Some((h, p)) if p.parse::<u16>().is_ok() => (h.to_string(), p.parse::<u16>().ok()),
        _ => (req.target.clone(), None),
    };
    let port = match req.probe {
        Probe::Tcp(p) => p,
        Probe::Tls => port.unwrap_or(443),
        Probe::Dns | Probe::PoolState => port
            .or_else(|| {
                profile
                    .pools
                    .iter()
                    .find(|p| names_host(p, &host))
                    .and_then(|p| p.ports.first().copied())
            })
            .unwrap_or(443),
    };
    (host, port)
}

fn names_host(pool: &crate::deployment::Pool, host: &str) -> bool {
    pool.fqdn.eq_ignore_ascii_case(host)
        || pool.servers.iter().any(|s| s.eq_ignore_ascii_case(host))
}

/// The pool (FQDN, kind) a host is, or is a server of.
fn pool_of(profile: &Profile, host: &str) -> Option<(String, PoolKind)> {
    profile
        .pools
        .iter()
        .find(|p| names_host(p, host))
        .map(|p| (p.fqdn.clone(), p.kind))
}

/// Whether the lab serves `port` on `host` (a pool of the profile, or one of its servers).
fn profile_serves(profile: &Profile, host: &str, port: u16) -> bool {
    profile
        .pools
        .iter()
        .any(|p| names_host(p, host) && p.ports.contains(&port))
}

/// A TCP or TLS probe's verdict.
fn port_outcome(host: &str, st: &PortStatus, tls: bool, when: &str) -> CheckOutcome {
    let port = st.port;
    match (st.outcome, tls) {
        (PortOutcome::Up, false) | (PortOutcome::TlsFailed, false) => CheckOutcome::pass(format!(
            "{host}:{port} accepts connections{}{} ({when})",
            st.address.map(|a| format!(" at {a}")).unwrap_or_default(),
            st.connect_ms
                .map(|ms| format!(", {ms} ms"))
                .unwrap_or_default()
        )),
        (PortOutcome::Up, true) => {
            let cert = st.cert.as_ref().map_or_else(String::new, |c| {
                format!(
                    "; certificate {} issued by {}, expires {}",
                    c.subject,
                    c.issuer,
                    c.not_after.format("%Y-%m-%d")
                )
            });
            let line = format!(
                "{host}:{port} TLS handshake completes{}{cert}",
                st.tls_version
                    .as_deref()
                    .map(|v| format!(" ({v})"))
                    .unwrap_or_default()
            );
            if st.cert_warnings.is_empty() {
                CheckOutcome::pass(format!("{line} ({when})"))
            } else {
                CheckOutcome::fail(format!(
                    "{line}, but: {} ({when})",
                    st.cert_warnings.join("; ")
                ))
            }
        }
        (PortOutcome::NotProbed, _) => {
            CheckOutcome::unknown(format!("{host}:{port} not probed yet ({when})"))
        }
        (o, _) => CheckOutcome::fail(format!(
            "{host}:{port} {}: {} ({when})",
            o.label(),
            st.detail
        )),
    }
}

fn round_time(snap: &StatusSnapshot) -> String {
    snap.taken_at
        .map_or_else(|| "?".into(), |t| t.format("%H:%M:%S UTC").to_string())
}

/// `pool-state` from the monitor: it sees whether the pool answers, not Normal/FailedOver.
fn pool_state_outcome(snap: Option<&StatusSnapshot>, target: &str) -> CheckOutcome {
    let by_hand = format!(
        "run on the server: Get-CsPersistentChatState -Identity PersistentChatServer:{target}"
    );
    let Some(snap) = snap.filter(|s| s.round >= 1) else {
        return CheckOutcome::unknown(format!(
            "the monitor has not probed the pools yet; {by_hand}"
        ));
    };
    let when = format!("from the last monitor round at {}", round_time(snap));
    match snap.pool(target) {
        None => CheckOutcome::unknown(format!("the monitor does not probe {target}; {by_hand}")),
        Some(p) => match p.state {
            PoolState::Down => CheckOutcome::fail(format!(
                "{target} is Down: {} ({when}); a pool that does not answer is not serving, \
                 whatever its state",
                p.why
            )),
            PoolState::Unknown => {
                CheckOutcome::unknown(format!("{target} not probed yet ({when}); {by_hand}"))
            }
            s => CheckOutcome::unknown(format!(
                "{target} is {} to the monitor: {} ({when}); Normal or FailedOver is not \
                 visible on the network: {by_hand}",
                s.label(),
                p.why
            )),
        },
    }
}

/// `dns`, `tcp:<port>` and `tls` from the monitor's last round (the lab without its
/// resolver, or names the lab does not serve).
fn snapshot_outcome(
    snap: Option<&StatusSnapshot>,
    req: &ProbeRequest,
    profile: &Profile,
) -> CheckOutcome {
    let (host, port) = probe_host_port(req, profile);
    let Some(snap) = snap.filter(|s| s.round >= 1) else {
        return CheckOutcome::unknown(format!(
            "the monitor has not probed the pools yet: {} {} cannot be answered",
            req.probe, req.target
        ));
    };
    let when = format!("from the last monitor round at {}", round_time(snap));
    let pool = snap.pool(&host);
    let server = snap
        .pools
        .iter()
        .flat_map(|p| &p.servers)
        .find(|s| s.fqdn.eq_ignore_ascii_case(&host));
    let not_probed =
        |what: String| CheckOutcome::unknown(format!("the monitor does not probe {what} ({when})"));
    if req.probe == Probe::Dns {
        let dns = pool.map(|p| &p.dns).or(server.map(|s| &s.dns));
        return match dns {
            Some(d) if d.ok => CheckOutcome::pass(format!(
                "{host} resolves to {} ({when})",
                addresses(&d.addresses, false)
            )),
            Some(d) if !d.name.is_empty() => CheckOutcome::fail(format!(
                "{host} does not resolve: {} ({when})",
                d.error.as_deref().unwrap_or("no addresses")
            )),
            _ => not_probed(host),
        };
    }
    let tls = req.probe == Probe::Tls;
    // A pool name is answered by every server behind it: clients land on any of them.
    let ports: Vec<(&str, &PortStatus)> = match (pool, server) {
        (Some(p), _) => p
            .servers
            .iter()
            .flat_map(|s| s.ports.iter().map(move |pt| (s.fqdn.as_str(), pt)))
            .filter(|(_, pt)| pt.port == port)
            .collect(),
        (None, Some(s)) => s
            .ports
            .iter()
            .filter(|pt| pt.port == port)
            .map(|pt| (s.fqdn.as_str(), pt))
            .collect(),
        (None, None) => Vec::new(),
    };
    if ports.is_empty() {
        return not_probed(format!("port {port} of {host}"));
    }
    let outs: Vec<CheckOutcome> = ports
        .iter()
        .map(|(srv, st)| port_outcome(srv, st, tls, &when))
        .collect();
    let failed: Vec<&CheckOutcome> = outs.iter().filter(|o| o.passed == Some(false)).collect();
    let unknown = outs.iter().any(|o| o.passed.is_none());
    let text = outs
        .iter()
        .map(|o| o.output.clone())
        .collect::<Vec<_>>()
        .join("; ");
    if !failed.is_empty() {
        CheckOutcome::fail(text)
    } else if unknown {
        CheckOutcome::unknown(text)
    } else {
        CheckOutcome::pass(text)
    }
}

/// Runs the cmdlet lines of a run (moved to the worker thread).
enum Cmdlets {
    /// Nothing runs: why (the lab, or no executor).
    NotRun(String),
    /// Production: the job environment, and the service status task's checks once run.
    Production {
        env: Box<JobEnv>,
        services: Option<Result<serde_json::Value, String>>,
    },
}

impl Cmdlets {
    fn new(app: &App) -> Cmdlets {
        match app.job_env() {
            Ok(env) => match Executor::of(env) {
                Executor::Lab => Cmdlets::NotRun("lab deployment".into()),
                Executor::PowerShell(_) => Cmdlets::Production {
                    env: Box::new(env.clone()),
                    services: None,
                },
            },
            Err(_) if app.profile.kind == DeploymentKind::Lab => {
                Cmdlets::NotRun("lab deployment".into())
            }
            Err(why) => Cmdlets::NotRun(format!("no executor ({why})")),
        }
    }

    /// Runs one filled line; the flag is false when it was not run.
    fn run(&mut self, line: &str, values: &Placeholders) -> (CheckOutcome, bool) {
        let by_hand = |why: &str| {
            (
                CheckOutcome::unknown(format!(
                    "cmdlet not run: {why}; run it on the server: {line}"
                )),
                false,
            )
        };
        match self {
            Cmdlets::NotRun(why) => by_hand(why),
            Cmdlets::Production { env, services } => {
                let pchat_servers = values.get("pchat_server").cloned().unwrap_or_default();
                let server = line
                    .strip_prefix("Get-CsWindowsService -ComputerName ")
                    .map(str::trim)
                    .filter(|s| pchat_servers.iter().any(|p| p.eq_ignore_ascii_case(s)));
                let Some(server) = server else {
                    return by_hand(
                        "the production executor runs only its reviewed scripts, and none \
                         covers this line",
                    );
                };
                let checks = services.get_or_insert_with(|| {
                    crate::exec::run_task(
                        Task::Services,
                        env,
                        &crate::progress::NullReporter::default(),
                    )
                    .map(|o| o.detail["checks"].clone())
                    .map_err(|e| e.to_string())
                });
                match checks {
                    Err(e) => (
                        CheckOutcome::unknown(format!(
                            "the executor could not run the service status task: {e}; run it \
                             on the server: {line}"
                        )),
                        true,
                    ),
                    Ok(v) => {
                        let name = format!("services on {server}");
                        let found = v.as_array().and_then(|a| {
                            a.iter().find(|c| {
                                c["name"]
                                    .as_str()
                                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                            })
                        });
                        match found {
                            Some(c) => {
                                let detail = format!(
                                    "{name}: {} (service status task)",
                                    c["detail"].as_str().unwrap_or("")
                                );
                                let outcome = if c["passed"].as_bool() == Some(true) {
                                    CheckOutcome::pass(detail)
                                } else {
                                    CheckOutcome::fail(detail)
                                };
                                (outcome, true)
                            }
                            None => (
                                CheckOutcome::unknown(format!(
                                    "the service status task did not report {server}; run it \
                                     on the server: {line}"
                                )),
                                true,
                            ),
                        }
                    }
                }
            }
        }
    }
}

// ---- drawing ------------------------------------------------------------------------------

/// The list and detail panes of the body: side by side from 120 columns, else the list
/// above the detail.
fn panes(area: Rect, n: usize) -> (Rect, Rect) {
    if area.width >= 120 {
        let [l, d] = Layout::horizontal([Constraint::Percentage(38), Constraint::Percentage(62)])
            .areas(area);
        (l, d)
    } else {
        let want = u16::try_from(n).unwrap_or(u16::MAX).saturating_add(2);
        let h = want.min(area.height * 2 / 5).max(4);
        let [l, d] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(area);
        (l, d)
    }
}

/// The body area for the terminal size (header above; status and footer below).
fn body_for(size: (u16, u16)) -> Rect {
    Rect::new(0, 1, size.0, size.1.saturating_sub(3))
}

/// Rows the detail text takes at its width, minus the visible height: the largest scroll.
fn max_scroll(app: &App) -> u16 {
    let Some(s) = selected_symptom(app) else {
        return 0;
    };
    let (_, detail) = panes(body_for(app.size), symptom_count(app));
    let w = usize::from(detail.width.saturating_sub(2)).max(1);
    let rows: usize = detail_lines(app, s)
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            wrapped_rows(&text, w)
        })
        .sum();
    u16::try_from(rows.saturating_sub(usize::from(detail.height.saturating_sub(2))))
        .unwrap_or(u16::MAX)
}

/// Rows a line takes when word-wrapped at `w` cells (greedy, as the paragraph wraps; a
/// word wider than the pane is broken).
fn wrapped_rows(text: &str, w: usize) -> usize {
    use unicode_width::UnicodeWidthStr;
    let (mut rows, mut col) = (1usize, 0usize);
    for (i, word) in text.split(' ').enumerate() {
        let ww = word.width();
        let need = if i == 0 { ww } else { col + 1 + ww };
        if need <= w {
            col = need;
        } else if ww <= w {
            rows += 1;
            col = ww;
        } else {
            if col > 0 {
                rows += 1;
            }
            rows += (ww - 1) / w;
            col = (ww - 1) % w + 1;
        }
    }
    rows
}

fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            app.theme.border_focus
        } else {
            app.theme.border
        })
        .title(Span::styled(format!(" {title} "), app.theme.title))
}

/// This symptom's recorded runs, newest first.
fn runs<'a>(app: &'a App, s: &Symptom) -> Vec<&'a EvidenceRecord> {
    let source = troubleshoot::evidence_source(s);
    s.items
        .first()
        .and_then(|i| app.evidence.get(i))
        .map(|v| v.iter().filter(|e| e.evidence.source == source).collect())
        .unwrap_or_default()
}

/// The list marker of a symptom: running, never run, or the last verdict (text, so it
/// reads without colour).
fn marker(app: &App, s: &Symptom) -> (&'static str, ratatui::style::Style) {
    if app.troubleshoot.running.as_deref() == Some(s.id.as_str()) {
        return ("…", app.theme.warn);
    }
    match runs(app, s).first().map(|e| e.evidence.passed) {
        None => ("·", app.theme.dim),
        Some(Some(true)) => ("✓", app.theme.ok),
        Some(Some(false)) => ("✗", app.theme.error),
        Some(None) => ("?", app.theme.warn),
    }
}

/// Draws the screen.
pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let cat = match &app.troubleshoot.catalog {
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(t!("ts-catalog-error", error = e.clone()))
                    .style(app.theme.error)
                    .wrap(Wrap { trim: false })
                    .block(block(app, t!("title-ts-symptoms", count = 0), false)),
                area,
            );
            return;
        }
        None => return,
    };
    let (list, detail) = panes(area, cat.symptoms.len());
    draw_list(f, list, app, cat);
    draw_detail(f, detail, app);
}

fn draw_list(f: &mut Frame, area: Rect, app: &App, cat: &Catalog) {
    let b = block(
        app,
        t!("title-ts-symptoms", count = cat.symptoms.len()),
        !app.troubleshoot.detail_focus,
    );
    let inner = b.inner(area);
    f.render_widget(b, area);
    // Wide: two rows a symptom (the title, what the admin sees); narrow: the title.
    let per = if area.width >= 60 && inner.height as usize >= cat.symptoms.len() * 2 {
        2
    } else {
        1
    };
    let rows = usize::from(inner.height) / per;
    let first = list_offset(app.troubleshoot.selected, rows);
    let mut lines = Vec::new();
    for (i, s) in cat.symptoms.iter().enumerate().skip(first).take(rows) {
        let (mark, style) = marker(app, s);
        let mut line = Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(s.title.clone(), app.theme.text),
        ]);
        if i == app.troubleshoot.selected {
            line = line.style(app.theme.selected);
        }
        lines.push(line);
        if per == 2 {
            lines.push(Line::styled(format!("  {}", s.sees), app.theme.dim));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_detail(f: &mut Frame, area: Rect, app: &App) {
    let Some(s) = selected_symptom(app) else {
        return;
    };
    let lines = detail_lines(app, s);
    // After a resize the scroll may be past the end: show the end.
    let scroll = app.troubleshoot.scroll.min(max_scroll(app));
    f.render_widget(
        Paragraph::new(lines)
            .block(block(app, s.id.clone(), app.troubleshoot.detail_focus))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// A check status as a word in brackets, styled.
fn status_mark(app: &App, s: CheckStatus) -> Span<'static> {
    let (id, style) = match s {
        CheckStatus::Passed => ("ts-mark-passed", app.theme.ok),
        CheckStatus::Failed => ("ts-mark-failed", app.theme.error),
        CheckStatus::Unknown => ("ts-mark-unknown", app.theme.warn),
        CheckStatus::Manual => ("ts-mark-manual", app.theme.dim),
        CheckStatus::NotRun => ("ts-mark-not-run", app.theme.warn),
    };
    Span::styled(format!("[{}]", t!(id)), style)
}

fn kind_word(k: CheckKind) -> String {
    match k {
        CheckKind::Probe => t!("ts-kind-probe"),
        CheckKind::Cmdlet => t!("ts-kind-cmdlet"),
        CheckKind::Sql => t!("ts-kind-sql"),
        CheckKind::Manual => t!("ts-kind-manual"),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn result_lines(app: &App, results: &[CheckResult], out: &mut Vec<Line<'static>>) {
    for r in results {
        let head = match (r.kind, &r.command) {
            (CheckKind::Manual, _) | (_, None) => r.what.clone(),
            (_, Some(c)) => c.clone(),
        };
        out.push(Line::from(vec![
            status_mark(app, r.status),
            Span::styled(format!(" {}. {head}", r.check), app.theme.text),
        ]));
        if !r.output.is_empty() {
            out.push(Line::styled(format!("    {}", r.output), app.theme.dim));
        }
    }
}

/// Whether a symptom's checks or fix name the user who has the problem.
fn uses_user(s: &Symptom) -> bool {
    let mark = format!("{{{{{USER_PLACEHOLDER}}}}}");
    s.checks
        .iter()
        .flat_map(|c| {
            [
                Some(&c.what),
                Some(&c.expect),
                c.target.as_ref(),
                c.cmdlet.as_ref(),
            ]
        })
        .flatten()
        .chain(std::iter::once(&s.fix))
        .chain(s.fix_cmdlets.iter())
        .any(|t| t.contains(&mark))
}

/// Everything the detail pane shows for a symptom.
fn detail_lines(app: &App, s: &Symptom) -> Vec<Line<'static>> {
    let v = values(app);
    let th = &app.theme;
    let mut out = vec![Line::styled(s.title.clone(), th.title)];
    out.push(Line::from(vec![
        Span::styled(format!("{} ", t!("ts-sees")), th.dim),
        Span::styled(fill_text(&s.sees, &v), th.text),
    ]));
    if s.inferred {
        out.push(Line::styled(t!("ts-inferred"), th.warn));
    }
    out.push(Line::styled(
        t!("ts-items", items = s.items.join(", ")),
        th.dim,
    ));
    if uses_user(s) {
        out.push(Line::styled(
            match lookup_user(app) {
                Some(u) => t!("ts-user", user = u),
                None => t!("ts-no-user"),
            },
            th.dim,
        ));
    }

    // The last results first: they are what the admin looks for after r.
    out.push(Line::raw(""));
    out.push(Line::styled(t!("ts-results"), th.title));
    if app.troubleshoot.running.as_deref() == Some(s.id.as_str()) {
        out.push(Line::styled(t!("ts-running"), th.warn));
    }
    if let Some((id, results, e)) = &app.troubleshoot.unsaved
        && *id == s.id
    {
        out.push(Line::styled(t!("ts-unsaved", error = e.clone()), th.error));
        result_lines(app, results, &mut out);
    }
    let runs = runs(app, s);
    match runs.first() {
        None if app.troubleshoot.running.is_none() => {
            out.push(Line::styled(t!("ts-no-results"), th.dim));
        }
        None => {}
        Some(ev) => {
            out.push(Line::styled(
                t!(
                    "ts-run-at",
                    when = when(ev.at),
                    who = ev.who.clone(),
                    summary = ev.evidence.summary.clone()
                ),
                th.text,
            ));
            let results: Vec<CheckResult> =
                serde_json::from_value(ev.evidence.detail["checks"].clone()).unwrap_or_default();
            result_lines(app, &results, &mut out);
            for older in runs.iter().skip(1).take(3) {
                out.push(Line::styled(
                    t!(
                        "ts-run-at",
                        when = when(older.at),
                        who = older.who.clone(),
                        summary = older.evidence.summary.clone()
                    ),
                    th.dim,
                ));
            }
        }
    }

    out.push(Line::raw(""));
    out.push(Line::styled(t!("ts-checks"), th.title));
    for (i, c) in s.checks.iter().enumerate() {
        out.push(Line::from(vec![
            Span::styled(format!("{}. {} · ", i + 1, kind_word(c.kind)), th.dim),
            Span::styled(fill_text(&c.what, &v), th.text),
        ]));
        if let (Some(p), Some(target)) = (&c.probe, &c.target) {
            out.push(Line::styled(
                format!("   {p} {}", fill_text(target, &v)),
                th.code,
            ));
        }
        if let Some(line) = &c.cmdlet {
            code_lines(app, line, &v, &mut out);
        }
        if let (Some(db), Some(q)) = (&c.database, &c.query) {
            out.push(Line::styled(format!("   SQL ({db})> {q}"), th.code));
        }
        out.push(Line::styled(
            t!("ts-expect", text = fill_text(&c.expect, &v)),
            th.dim,
        ));
    }

    out.push(Line::raw(""));
    out.push(Line::styled(t!("ts-fix"), th.title));
    out.push(Line::styled(fill_text(&s.fix, &v), th.text));
    for line in &s.fix_cmdlets {
        code_lines(app, line, &v, &mut out);
    }
    out.push(Line::styled(
        t!("ts-source", source = s.source.clone()),
        th.dim,
    ));
    out
}

/// A cmdlet line filled from the deployment (one per server for per-server names), or as
/// written with why it cannot be filled.
fn code_lines(app: &App, line: &str, v: &Placeholders, out: &mut Vec<Line<'static>>) {
    let prompt = |l: &str| {
        if l.starts_with('#') {
            format!("   {l}")
        } else {
            format!("   PS> {l}")
        }
    };
    match render_line(line, v) {
        Ok(lines) => {
            for l in lines {
                out.push(Line::styled(prompt(&l), app.theme.code));
            }
        }
        Err(e) => {
            out.push(Line::styled(prompt(line), app.theme.code));
            out.push(Line::styled(format!("   ({e})"), app.theme.warn));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{DnsStatus, PoolStatus, ServerStatus};

    fn port(port: u16, outcome: PortOutcome) -> PortStatus {
        PortStatus {
            port,
            tls: true,
            outcome,
            detail: format!("{} detail", outcome.label()),
            dns: DnsStatus::default(),
            address: None,
            connect_ms: Some(2),
            handshake_ms: Some(3),
            tls_version: None,
            cert: None,
            cert_warnings: Vec::new(),
            checked_at: None,
            history: Vec::new(),
        }
    }

    fn snapshot(fe02: PortOutcome) -> StatusSnapshot {
        let server = |name: &str, o: PortOutcome| ServerStatus {
            fqdn: name.into(),
            dns: DnsStatus {
                name: name.into(),
                ok: true,
                addresses: vec!["10.0.0.5:5061".parse().unwrap()],
                error: None,
            },
            ports: vec![port(5061, o)],
            answering: o == PortOutcome::Up,
        };
        StatusSnapshot {
            taken_at: DateTime::from_timestamp(1_735_725_600, 0),
            round: 3,
            round_ms: 10,
            pools: vec![PoolStatus {
                fqdn: "lyncpool.contoso.lab".into(),
                kind: PoolKind::Lync2013FrontEnd,
                state: PoolState::Degraded,
                why: "1 of 2 ports answer".into(),
                last_change: None,
                dns: DnsStatus {
                    name: "lyncpool.contoso.lab".into(),
                    ok: false,
                    addresses: vec![],
                    error: Some("NXDOMAIN".into()),
                },
                servers: vec![
                    server("lyncfe01.contoso.lab", PortOutcome::Up),
                    server("lyncfe02.contoso.lab", fe02),
                ],
                latency_history_ms: vec![],
                state_history: vec![],
                cert_warnings: vec![],
            }],
            dropped_changes: 0,
        }
    }

    fn req(probe: Probe, target: &str) -> ProbeRequest {
        ProbeRequest {
            probe,
            target: target.into(),
        }
    }

    #[test]
    fn snapshot_answers_say_where_they_come_from_and_fail_on_one_dead_server() {
        let p = Profile::lab();
        let snap = snapshot(PortOutcome::Refused);
        let o = snapshot_outcome(
            Some(&snap),
            &req(Probe::Tcp(5061), "lyncpool.contoso.lab"),
            &p,
        );
        assert_eq!(o.passed, Some(false), "{}", o.output);
        assert!(
            o.output.contains("lyncfe02.contoso.lab:5061 refused"),
            "{}",
            o.output
        );
        assert!(
            o.output
                .contains("from the last monitor round at 10:00:00 UTC"),
            "{}",
            o.output
        );
        let o = snapshot_outcome(
            Some(&snap),
            &req(Probe::Tcp(5061), "lyncfe01.contoso.lab"),
            &p,
        );
        assert_eq!(o.passed, Some(true), "{}", o.output);
        let o = snapshot_outcome(Some(&snap), &req(Probe::Dns, "lyncpool.contoso.lab"), &p);
        assert_eq!(o.passed, Some(false), "{}", o.output);
        assert!(o.output.contains("NXDOMAIN"), "{}", o.output);
        let o = snapshot_outcome(Some(&snap), &req(Probe::Dns, "lyncfe01.contoso.lab"), &p);
        assert_eq!(o.passed, Some(true), "{}", o.output);
        // A port or a name the monitor does not probe cannot be told.
        let o = snapshot_outcome(
            Some(&snap),
            &req(Probe::Tcp(443), "lyncpool.contoso.lab"),
            &p,
        );
        assert_eq!(o.passed, None, "{}", o.output);
        let o = snapshot_outcome(Some(&snap), &req(Probe::Dns, "pchatsql.contoso.lab"), &p);
        assert_eq!(o.passed, None, "{}", o.output);
        // TLS: the handshake on every server, named by the target's port.
        let snap = snapshot(PortOutcome::Up);
        let o = snapshot_outcome(
            Some(&snap),
            &req(Probe::Tls, "lyncpool.contoso.lab:5061"),
            &p,
        );
        assert_eq!(o.passed, Some(true), "{}", o.output);
        let snap = snapshot(PortOutcome::TlsFailed);
        let o = snapshot_outcome(
            Some(&snap),
            &req(Probe::Tls, "lyncpool.contoso.lab:5061"),
            &p,
        );
        assert_eq!(o.passed, Some(false), "{}", o.output);
        let o = snapshot_outcome(
            Some(&snap),
            &req(Probe::Tcp(5061), "lyncpool.contoso.lab"),
            &p,
        );
        assert_eq!(o.passed, Some(true), "TCP connected: {}", o.output);
        // Before the first round nothing is known.
        let o = snapshot_outcome(None, &req(Probe::Dns, "lyncfe01.contoso.lab"), &p);
        assert_eq!(o.passed, None);
    }

    #[test]
    fn pool_state_never_passes_from_the_network_view() {
        let mut snap = snapshot(PortOutcome::Up);
        snap.pools[0].state = PoolState::Up;
        let o = pool_state_outcome(Some(&snap), "lyncpool.contoso.lab");
        assert_eq!(o.passed, None, "{}", o.output);
        assert!(
            o.output.contains("Get-CsPersistentChatState"),
            "{}",
            o.output
        );
        snap.pools[0].state = PoolState::Down;
        let o = pool_state_outcome(Some(&snap), "lyncpool.contoso.lab");
        assert_eq!(o.passed, Some(false), "{}", o.output);
        let o = pool_state_outcome(None, "lyncpool.contoso.lab");
        assert_eq!(o.passed, None);
    }
}
