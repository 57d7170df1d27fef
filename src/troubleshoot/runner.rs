//! Running a symptom's checks here: the probes (live, or from the monitor's last round),
//! the cmdlet lines (through the production executor where one of its reviewed scripts
//! covers them) and the SQL reads (the lab's SQLite databases, read-only). Used by the
//! Troubleshoot screen (on a worker thread) and by `pchat-migrate troubleshoot check`.
//!
//! - `pool-state` is answered from the live monitor's latest snapshot. The monitor sees
//!   whether the pool answers, not whether it is Normal or FailedOver, so a pool that
//!   answers is reported as "could not tell" (the cmdlet check tells), and one that does not
//!   answer as failed.
//! - `dns`, `tcp:<port>` and `tls` run a one-off [`monitor::probe_target`] on a small tokio
//!   runtime: in production with the system resolver; in the lab with the lab's resolver
//!   (its answer file and CA, under `<data dir>/lab`) once the monitor has probed in this
//!   run, so the file is the running lab's. Otherwise, and for names the lab does not serve,
//!   they are answered from the monitor's last round, which says so.
//! - cmdlet lines run through the production executor only when the job environment is a
//!   production one: `Get-CsWindowsService` on a Persistent Chat server through the service
//!   status task (pass or fail), any other line through the read-only check task
//!   ([`crate::exec::CheckCall`]: only the `Get-`/`Test-` cmdlets of
//!   [`crate::exec::CHECK_CMDLETS`], values quoted) with what it returned and the verdict
//!   left to the admin ("could not tell"). In the lab, or a line the check task refuses,
//!   the line is reported *not run*, with the line to run by hand: never a pass.
//! - SQL reads run against the lab's databases; in production this program never connects
//!   to SQL Server, so they are *not run*, with the query to run by hand.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;

use super::sql::SqlRequest;
use super::{
    self as troubleshoot, CheckContext, CheckKind, CheckOutcome, CheckResult, CheckStatus, Probe,
    ProbeRequest, Symptom,
};
use crate::deployment::{DeploymentKind, PoolKind, Profile};
use crate::exec::Task;
use crate::jobs::JobEnv;
use crate::monitor::{
    self, MonitorConfig, PoolState, PortOutcome, PortStatus, ProbeTarget, Resolver, StatusSnapshot,
};
use crate::runbook::Placeholders;

/// What a run needs to know of its surroundings.
#[derive(Clone)]
pub struct RunnerInputs {
    /// The monitor's latest snapshot, if it has probed.
    pub snapshot: Option<Arc<StatusSnapshot>>,
    /// The deployment.
    pub profile: Profile,
    /// The data directory (the lab lives under it).
    pub data_dir: Option<PathBuf>,
    /// The job environment, or why there is none.
    pub job_env: Result<JobEnv, String>,
}

/// Runs every check of `symptom` (blocking: on a worker thread). Cmdlet lines that were
/// not run are reported [`CheckStatus::NotRun`], never as a pass.
pub fn execute(
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
pub enum Sqls {
    /// The lab's SQLite databases, opened read-only.
    Lab(crate::lab::LabPaths),
    /// Not here: why.
    NotRun(String),
}

impl Sqls {
    pub fn new(inp: &RunnerInputs) -> Sqls {
        match (inp.profile.kind, inp.job_env.as_ref()) {
            (DeploymentKind::Lab, Ok(env)) => Sqls::Lab(env.lab.clone()),
            (DeploymentKind::Lab, Err(_)) => match &inp.data_dir {
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
pub struct Probes {
    snapshot: Option<Arc<StatusSnapshot>>,
    profile: Profile,
    live: Live,
    /// Built on first use: the runtime, resolver and configuration of the live probes, or
    /// none when they cannot be had (then the snapshot answers).
    ready: Option<Option<(tokio::runtime::Runtime, Resolver, MonitorConfig)>>,
}

impl Probes {
    /// The probes of a run: live where possible, else from the monitor's last round.
    pub fn new(inp: &RunnerInputs) -> Probes {
        let snapshot = inp.snapshot.clone();
        let live = match inp.profile.kind {
            DeploymentKind::Production => Live::System,
            // The lab's answer file is current only while this run's lab endpoints are up,
            // which the monitor's first round proves.
            DeploymentKind::Lab => match (&inp.data_dir, snapshot.as_deref()) {
                (Some(dir), Some(s)) if s.round >= 1 => {
                    Live::Lab(crate::paths::Paths::in_dir(dir).lab_dir)
                }
                _ => Live::Snapshot,
            },
        };
        Probes {
            snapshot,
            profile: inp.profile.clone(),
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

    /// Runs one probe (blocking).
    pub fn probe(&mut self, req: &ProbeRequest) -> CheckOutcome {
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

/// Runs one catalog cmdlet line through the executor's read-only check task. What the
/// cmdlet returned is the output; the verdict stays the admin's ("could not tell"), since
/// a healthy answer is sometimes an error (a user that must not exist).
fn run_check_line(env: &JobEnv, line: &str) -> (CheckOutcome, bool) {
    let check = match crate::exec::CheckCall::parse(line) {
        Ok(c) => c,
        Err(why) => {
            return (
                CheckOutcome::unknown(format!(
                    "cmdlet not run: the production executor runs only read-only catalog cmdlets ({why}); run it on the server: {line}"
                )),
                false,
            );
        }
    };
    let opts = crate::exec::TaskOptions {
        check: Some(check),
        ..Default::default()
    };
    match crate::exec::run_task_with(
        Task::Check,
        env,
        &opts,
        &crate::progress::NullReporter::default(),
    ) {
        Ok(o) => {
            let objects = o.detail["objects"].as_array().cloned().unwrap_or_default();
            let shown: Vec<String> = objects.iter().take(5).map(|v| v.to_string()).collect();
            let text = match o.detail["error"].as_str() {
                Some(e) => format!("ran through the executor; the cmdlet reported: {e}"),
                None if objects.is_empty() => {
                    "ran through the executor; it returned nothing".to_string()
                }
                None => format!(
                    "ran through the executor; {} object(s): {}{}",
                    objects.len(),
                    shown.join("; "),
                    if objects.len() > shown.len() {
                        "; …"
                    } else {
                        ""
                    }
                ),
            };
            (
                CheckOutcome::unknown(format!("{text} (compare with the expected answer)")),
                true,
            )
        }
        Err(e) => (
            CheckOutcome::unknown(format!(
                "the executor could not run it: {e}; run it on the server: {line}"
            )),
            true,
        ),
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
pub enum Cmdlets {
    /// Nothing runs: why (the lab, or no executor).
    NotRun(String),
    /// Production: the job environment, and the service status task's checks once run.
    Production {
        env: Box<JobEnv>,
        services: Option<Result<serde_json::Value, String>>,
    },
}

impl Cmdlets {
    /// The cmdlet runner of a run: the production executor, or nothing (with why).
    pub fn new(inp: &RunnerInputs) -> Cmdlets {
        match inp.job_env.as_ref() {
            Ok(env) => match env.profile.kind {
                DeploymentKind::Lab => Cmdlets::NotRun("lab deployment".into()),
                DeploymentKind::Production => Cmdlets::Production {
                    env: Box::new(env.clone()),
                    services: None,
                },
            },
            Err(_) if inp.profile.kind == DeploymentKind::Lab => {
                Cmdlets::NotRun("lab deployment".into())
            }
            Err(why) => Cmdlets::NotRun(format!("no executor ({why})")),
        }
    }

    /// Runs one filled line; the flag is false when it was not run.
    pub fn run(&mut self, line: &str, values: &Placeholders) -> (CheckOutcome, bool) {
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
                    return run_check_line(env, line);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{DnsStatus, PoolStatus, ServerStatus};
    use chrono::DateTime;

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
