//! The live pool monitor: which pools are up right now, in the background.
//!
//! For every pool of the profile and every server of the pool, one probe per service port
//! (5041 Persistent Chat SIP/MTLS, 881 WCF, 443 file transfer, 5061 registrar, 8011
//! inter-server; migration.md §3) does, within one [`MonitorConfig::timeout`]:
//!
//! 1. **DNS**: resolves the server FQDN through the [`Resolver`] (real DNS in production,
//!    the lab's answers in the lab);
//! 2. **TCP**: connects to the answer (or to [`ProbeTarget::connect_to`]) and times it;
//! 3. **TLS** (ports that speak TLS): completes a handshake that accepts *any* certificate,
//!    recording the chain, then judges the certificate itself ([`cert::evaluate_chain`]):
//!    name match against the probed name and the pool FQDN, expiry, self-signed or unknown
//!    issuer against the internal CA ([`MonitorConfig::trusted_cas`]). A bad certificate is
//!    a warning, never a failed probe. A server that presents its certificate and then
//!    wants a client certificate (MTLS on 5041) counts as answering.
//!
//! [`Monitor::spawn`] runs one probe round per [`MonitorConfig::interval`] on tokio tasks
//! (at most [`MonitorConfig::concurrency`] probes at once), publishes an
//! `Arc<`[`StatusSnapshot`]`>` on a `watch` channel after each round, and sends a
//! [`StateChange`] on an mpsc channel whenever a pool's state changes (write those to the
//! session's audit trail with [`audit_detail`] and [`AUDIT_KIND`]).
//!
//! **Pool state rule.** Each (server, port) pair of a pool is one probe. After a round:
//! [`PoolState::Up`] when every server answers on every port; [`PoolState::Degraded`] when
//! some (server, port) pairs answer and others do not; [`PoolState::Down`] when none answers;
//! [`PoolState::Unknown`] before the first round. "Answers" means the TCP connection was
//! accepted and, for TLS ports, the server presented a certificate. DNS failures count as
//! not answering.
//!
//! [`probe_items::evaluate`] turns a snapshot into evidence for the runbook's probe items.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::deployment::{PoolKind, Profile};

pub mod cert;
mod engine;
mod probe;
pub mod probe_items;
mod resolver;

pub use cert::{CertError, CertReport, CertWarning, evaluate_certificate, evaluate_chain};
pub use engine::{Monitor, MonitorHandle};
pub use resolver::{Answer, Resolver, StaticAnswers};

/// Kind of the audit events that record pool state changes.
pub const AUDIT_KIND: &str = "pool-state";

/// Days before expiry from which a certificate draws a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// One thing to probe: a port of a server of a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProbeTarget {
    /// FQDN of the pool the server belongs to.
    pub pool_fqdn: String,
    /// The pool's kind.
    pub kind: PoolKind,
    /// Server FQDN (the name resolved, sent as TLS SNI and matched against the certificate).
    pub server: String,
    /// Service port.
    pub port: u16,
    /// Whether the port speaks TLS (a handshake follows the TCP connect).
    pub tls: bool,
    /// Connect here instead of the resolved address (DNS is still resolved and reported).
    pub connect_to: Option<SocketAddr>,
}

/// How the monitor runs.
#[derive(Clone, Debug)]
pub struct MonitorConfig {
    /// Time from the start of one probe round to the start of the next.
    pub interval: Duration,
    /// Budget of one probe (DNS + TCP + TLS together).
    pub timeout: Duration,
    /// Probes in flight at once (at least 1).
    pub concurrency: usize,
    /// Samples kept per target and per pool (at least 1).
    pub history_len: usize,
    /// DER certificates of the internal CA(s) the servers' certificates must chain to (the
    /// lab CA in the lab). Empty: the issuer is reported but not judged.
    pub trusted_cas: Vec<Vec<u8>>,
    /// Certificates expiring within this many days draw a warning.
    pub expiry_warning_days: i64,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(3),
            concurrency: 16,
            history_len: 60,
            trusted_cas: Vec::new(),
            expiry_warning_days: EXPIRY_WARNING_DAYS,
        }
    }
}

/// A pool's state (see the module docs for the rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoolState {
    /// Every server answers on every port.
    Up,
    /// Some (server, port) pairs answer, others do not.
    Degraded,
    /// Nothing answers.
    Down,
    /// Not probed yet.
    Unknown,
}

impl PoolState {
    /// The word shown to the admin.
    pub fn label(self) -> &'static str {
        match self {
            PoolState::Up => "Up",
            PoolState::Degraded => "Degraded",
            PoolState::Down => "Down",
            PoolState::Unknown => "Unknown",
        }
    }

    /// The rule of the module docs: `answering` of `total` (server, port) pairs answer.
    pub fn from_counts(answering: usize, total: usize) -> PoolState {
        if total == 0 {
            PoolState::Unknown
        } else if answering == total {
            PoolState::Up
        } else if answering == 0 {
            PoolState::Down
        } else {
            PoolState::Degraded
        }
    }
}

impl std::fmt::Display for PoolState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What one probe of one port found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortOutcome {
    /// Connected (and, on a TLS port, the server presented its certificate).
    Up,
    /// The name did not resolve.
    DnsFailed,
    /// The connection was refused (nothing listens).
    Refused,
    /// No answer within the timeout (TCP connect or TLS handshake; `detail` says which).
    NoAnswer,
    /// TCP connected but no TLS certificate came back (not a TLS service, or reset).
    TlsFailed,
    /// Another network error (unreachable, or an address the lab does not probe).
    Unreachable,
    /// Not probed yet.
    NotProbed,
}

impl PortOutcome {
    /// Short words for the admin.
    pub fn label(self) -> &'static str {
        match self {
            PortOutcome::Up => "answers",
            PortOutcome::DnsFailed => "DNS failed",
            PortOutcome::Refused => "refused",
            PortOutcome::NoAnswer => "no answer",
            PortOutcome::TlsFailed => "TLS failed",
            PortOutcome::Unreachable => "unreachable",
            PortOutcome::NotProbed => "not probed",
        }
    }
}

/// One sample of a target's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ProbeSample {
    /// When the probe finished.
    pub at: DateTime<Utc>,
    /// Whether the port answered.
    pub up: bool,
    /// TCP connect + TLS handshake time, when it answered.
    pub latency_ms: Option<u64>,
}

/// A name resolution.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DnsStatus {
    /// The name resolved.
    pub name: String,
    /// Resolution succeeded with at least one address.
    pub ok: bool,
    /// The answers (address and the port asked for).
    pub addresses: Vec<SocketAddr>,
    /// Why it failed.
    pub error: Option<String>,
}

/// The last probe of one port of one server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortStatus {
    /// Service port.
    pub port: u16,
    /// Whether the port speaks TLS.
    pub tls: bool,
    /// What the last probe found.
    pub outcome: PortOutcome,
    /// One line: what happened, with the error where there was one.
    pub detail: String,
    /// The server name's resolution as this probe saw it.
    pub dns: DnsStatus,
    /// The address connected to.
    pub address: Option<SocketAddr>,
    /// TCP connect time.
    pub connect_ms: Option<u64>,
    /// TLS handshake time (up to the certificate, for servers that then want MTLS).
    pub handshake_ms: Option<u64>,
    /// Negotiated TLS version.
    pub tls_version: Option<String>,
    /// The server certificate, judged.
    pub cert: Option<CertReport>,
    /// Warnings about the certificate (wrong name, expiry, issuer, pool FQDN missing).
    pub cert_warnings: Vec<String>,
    /// When the last probe finished.
    pub checked_at: Option<DateTime<Utc>>,
    /// Recent samples, oldest first (at most `history_len`).
    pub history: Vec<ProbeSample>,
}

impl PortStatus {
    /// Whether the port answered at the last probe.
    pub fn is_up(&self) -> bool {
        self.outcome == PortOutcome::Up
    }

    /// TCP connect + TLS handshake time when it answered.
    pub fn latency_ms(&self) -> Option<u64> {
        if !self.is_up() {
            return None;
        }
        Some(self.connect_ms.unwrap_or(0) + self.handshake_ms.unwrap_or(0))
    }
}

/// One server of a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerStatus {
    /// Server FQDN.
    pub fqdn: String,
    /// The server name's resolution (all ports' answers together).
    pub dns: DnsStatus,
    /// One entry per probed port, in profile order.
    pub ports: Vec<PortStatus>,
    /// Every port answered at the last probe.
    pub answering: bool,
}

/// One pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PoolStatus {
    /// Pool FQDN.
    pub fqdn: String,
    /// The pool's kind.
    pub kind: PoolKind,
    /// The state by the rule of the module docs.
    pub state: PoolState,
    /// One line: why the pool is in this state.
    pub why: String,
    /// When the state last changed (the first probe counts as a change from Unknown).
    pub last_change: Option<DateTime<Utc>>,
    /// The pool FQDN's own resolution (one address per member expected).
    pub dns: DnsStatus,
    /// The servers, in profile order.
    pub servers: Vec<ServerStatus>,
    /// Per probe round, the slowest answering port's connect + handshake time (rounds where
    /// nothing answered add no sample), oldest first, at most `history_len`.
    pub latency_history_ms: Vec<u64>,
    /// Per probe round, the pool's state, oldest first, at most `history_len`.
    pub state_history: Vec<PoolState>,
    /// Certificate warnings of all servers, each prefixed with `server:port`.
    pub cert_warnings: Vec<String>,
}

impl PoolStatus {
    /// (answering, total) (server, port) pairs.
    pub fn counts(&self) -> (usize, usize) {
        let ports = self.servers.iter().flat_map(|s| &s.ports);
        let total = ports.clone().count();
        let up = ports.filter(|p| p.is_up()).count();
        (up, total)
    }
}

/// Everything the monitor knows after a probe round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusSnapshot {
    /// When the round finished; none before the first round.
    pub taken_at: Option<DateTime<Utc>>,
    /// Rounds done (0 before the first).
    pub round: u64,
    /// How long the last round took.
    pub round_ms: u64,
    /// Pools, in the order of the targets.
    pub pools: Vec<PoolStatus>,
    /// State changes the receiver did not take in time and were dropped (its channel was
    /// full). The snapshot is still right.
    pub dropped_changes: u64,
}

impl StatusSnapshot {
    /// The pool with this FQDN (case-insensitive).
    pub fn pool(&self, fqdn: &str) -> Option<&PoolStatus> {
        self.pools
            .iter()
            .find(|p| p.fqdn.eq_ignore_ascii_case(fqdn))
    }
}

/// A pool changed state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateChange {
    /// Pool FQDN.
    pub pool_fqdn: String,
    /// The pool's kind.
    pub kind: PoolKind,
    /// State before ([`PoolState::Unknown`] on the first round).
    pub from: PoolState,
    /// State now.
    pub to: PoolState,
    /// When the round that saw it finished.
    pub at: DateTime<Utc>,
    /// Why: the counts and the first failing ports.
    pub why: String,
}

/// The audit trail's detail text for a state change (kind [`AUDIT_KIND`], no item), e.g.
/// `pchatpool.contoso.lab (Lync Server 2013 Persistent Chat): Up → Down at
/// 2025-01-01T10:00:00Z: 0 of 6 ports answer; pchat01.contoso.lab:5041 refused`.
pub fn audit_detail(change: &StateChange) -> String {
    format!(
        "{} ({}): {} → {} at {}: {}",
        change.pool_fqdn,
        change.kind.product_name(),
        change.from,
        change.to,
        change.at.format("%Y-%m-%dT%H:%M:%SZ"),
        change.why
    )
}

/// Probes one target now, outside any monitor (a "test now" button, or tests), with the
/// configuration's timeout and certificate policy. The result has no history.
pub async fn probe_target(
    target: &ProbeTarget,
    resolver: &Resolver,
    cfg: &MonitorConfig,
) -> PortStatus {
    let policy = probe::CertPolicy {
        trusted_cas: std::sync::Arc::new(cfg.trusted_cas.clone()),
        warn_days: cfg.expiry_warning_days,
    };
    probe::probe(target, resolver, cfg.timeout, &policy).await
}

/// Whether a service port speaks TLS: every Lync port does except the inter-server 8011
/// (plain TCP per the components page) and plain HTTP/SIP (80, 5060).
pub fn port_uses_tls(port: u16) -> bool {
    !matches!(port, 80 | 5060 | 8011)
}

/// One target per (pool, server, port) of the profile, in profile order. A pool without
/// servers is probed by its own FQDN; a pool without ports has nothing to probe and is left
/// out. `connect_to` is none: the [`Resolver`] (the lab's, in the lab) gives the addresses.
pub fn targets_from_profile(profile: &Profile) -> Vec<ProbeTarget> {
    let mut out = Vec::new();
    for pool in &profile.pools {
        let servers: Vec<&str> = if pool.servers.is_empty() {
            vec![pool.fqdn.as_str()]
        } else {
            pool.servers.iter().map(String::as_str).collect()
        };
        for server in servers {
            for &port in &pool.ports {
                out.push(ProbeTarget {
                    pool_fqdn: pool.fqdn.clone(),
                    kind: pool.kind,
                    server: server.to_string(),
                    port,
                    tls: port_uses_tls(port),
                    connect_to: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_rule() {
        assert_eq!(PoolState::from_counts(0, 0), PoolState::Unknown);
        assert_eq!(PoolState::from_counts(3, 3), PoolState::Up);
        assert_eq!(PoolState::from_counts(1, 3), PoolState::Degraded);
        assert_eq!(PoolState::from_counts(0, 3), PoolState::Down);
    }

    #[test]
    fn lab_profile_targets() {
        let t = targets_from_profile(&Profile::lab());
        // legacy FE 1x1, legacy GC 2x1, FE 3x2, PChat 2x3
        assert_eq!(t.len(), 1 + 2 + 6 + 6);
        assert!(t.iter().all(|t| t.tls && t.connect_to.is_none()));
        assert!(
            t.iter()
                .any(|t| t.server == "pchat02.contoso.lab" && t.port == 881)
        );
        assert!(!port_uses_tls(8011));
    }

    #[test]
    fn audit_detail_names_pool_states_and_why() {
        let c = StateChange {
            pool_fqdn: "pchatpool.contoso.lab".into(),
            kind: PoolKind::Lync2013PersistentChat,
            from: PoolState::Up,
            to: PoolState::Down,
            at: DateTime::from_timestamp(1_735_725_600, 0).unwrap(),
            why: "0 of 6 ports answer".into(),
        };
        assert_eq!(
            audit_detail(&c),
            "pchatpool.contoso.lab (Lync Server 2013 Persistent Chat): Up → Down at \
             2025-01-01T10:00:00Z: 0 of 6 ports answer"
        );
    }
}
