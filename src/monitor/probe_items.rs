//! The runbook's probe items that the monitor can answer from a snapshot.
//!
//! | checklist | item id | passes when |
//! |---|---|---|
//! | 14 | `build.dns` | every Persistent Chat server name and the pool FQDN resolve, and the pool FQDN answers with every member's address |
//! | 15 | `build.certificates` | every TLS port of the Persistent Chat and Lync 2013 Front End servers presented a certificate issued by the internal CA (the lab CA), naming the server, not expired |
//! | 20 | `build.pool-visible` | the Persistent Chat pool is Up or Degraded |
//! | 24 | `coexistence.fe-services` | the Lync 2013 Front End pool is Up (every Front End answers on every port) |
//! | 28 | `coexistence.legacy-serving` | the legacy Group Chat pool is Up |
//! | 38 | `shutdown.stop-legacy` | no legacy Group Chat server answers (Down) |
//! | 40 | `shutdown.stop-pchat` | no Persistent Chat server answers (Down) |
//! | 57 | `verify.start` | the Persistent Chat pool is Up again |
//!
//! When each item takes these results (before or after the shutdown, after the import) is
//! the migration model's rule (`crate::migration`, `proven_by` in the runbook); this module
//! only says what the pools look like.
//!
//! Inferred: a port that answers stands for the service behind it running. The runbook's
//! documented checks for 20, 24 and 28 are cmdlets and a SQL read
//! (`Get-CsService -PersistentChatServer`, `Get-CsWindowsService`, legacy
//! `serverLastPingTime`); in the lab the endpoints *are* the services, so the probe is the
//! check. In production those three are marked `authoritative = false`: show them as
//! supporting evidence, and do not tick the item on them alone. Items 14 and 15 observe
//! exactly what the item asks, in both deployments.
//!
//! An item whose pool is missing from the profile or not probed yet gets no evidence.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::json;

use super::{PoolState, PoolStatus, StatusSnapshot};
use crate::deployment::{DeploymentKind, Profile};

/// `build.dns` (checklist 14).
pub const ITEM_DNS: &str = "build.dns";
/// `build.certificates` (checklist 15).
pub const ITEM_CERTIFICATES: &str = "build.certificates";
/// `build.pool-visible` (checklist 20).
pub const ITEM_POOL_VISIBLE: &str = "build.pool-visible";
/// `coexistence.fe-services` (checklist 24).
pub const ITEM_FE_SERVICES: &str = "coexistence.fe-services";
/// `coexistence.legacy-serving` (checklist 28).
pub const ITEM_LEGACY_SERVING: &str = "coexistence.legacy-serving";
/// `shutdown.stop-legacy` (checklist 38).
pub const ITEM_LEGACY_STOPPED: &str = "shutdown.stop-legacy";
/// `shutdown.stop-pchat` (checklist 40).
pub const ITEM_PCHAT_STOPPED: &str = "shutdown.stop-pchat";
/// `verify.start` (checklist 57).
pub const ITEM_PCHAT_STARTED: &str = "verify.start";

/// The items this module evaluates, with their checklist numbers.
pub const ITEMS: [(&str, u32); 8] = [
    (ITEM_DNS, 14),
    (ITEM_CERTIFICATES, 15),
    (ITEM_POOL_VISIBLE, 20),
    (ITEM_FE_SERVICES, 24),
    (ITEM_LEGACY_SERVING, 28),
    (ITEM_LEGACY_STOPPED, 38),
    (ITEM_PCHAT_STOPPED, 40),
    (ITEM_PCHAT_STARTED, 57),
];

/// The items that say whether the estate is healthy (14, 15, 20, 24, 28), as opposed to the
/// downtime steps (38, 40, 57) whose pass means a pool is down or back.
pub const HEALTH_ITEMS: [&str; 5] = [
    ITEM_DNS,
    ITEM_CERTIFICATES,
    ITEM_POOL_VISIBLE,
    ITEM_FE_SERVICES,
    ITEM_LEGACY_SERVING,
];

/// Source text for the store's evidence rows.
pub const EVIDENCE_SOURCE: &str = "pool monitor";

/// The monitor's verdict on one probe item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeEvidence {
    /// Runbook item id.
    pub item_id: String,
    /// Checklist number (migration.md §5).
    pub checklist: u32,
    /// Whether the check passed.
    pub passed: bool,
    /// Whether the probe is the item's own check (lab: all; production: 14 and 15). Tick the
    /// item on passed *and* authoritative evidence only.
    pub authoritative: bool,
    /// One line for the admin.
    pub summary: String,
    /// The facts: names, addresses, certificates, states, when.
    pub detail: serde_json::Value,
}

/// Evidence for every item the snapshot can answer.
pub fn evaluate(snapshot: &StatusSnapshot, profile: &Profile) -> Vec<ProbeEvidence> {
    let lab = profile.kind == DeploymentKind::Lab;
    let probed = |fqdn: Option<&str>| {
        fqdn.and_then(|f| snapshot.pool(f))
            .filter(|p| p.state != PoolState::Unknown)
    };
    let pchat = probed(profile.pchat_pool().map(|p| p.fqdn.as_str()));
    let fe = probed(profile.frontend_pool().map(|p| p.fqdn.as_str()));
    let legacy = probed(profile.legacy_pool().map(|p| p.fqdn.as_str()));
    let at = snapshot.taken_at.map(|t| t.to_rfc3339());
    let mut out = Vec::new();
    let mut push = |item: &str,
                    passed: bool,
                    authoritative: bool,
                    summary: String,
                    mut detail: serde_json::Value| {
        let checklist = ITEMS
            .iter()
            .find(|(i, _)| *i == item)
            .map_or(0, |(_, n)| *n);
        if let Some(obj) = detail.as_object_mut() {
            obj.insert("taken_at".into(), json!(at));
            obj.insert(
                "deployment".into(),
                json!(if lab { "lab" } else { "production" }),
            );
        }
        out.push(ProbeEvidence {
            item_id: item.to_string(),
            checklist,
            passed,
            authoritative,
            summary,
            detail,
        });
    };

    if let Some(p) = pchat {
        let (passed, summary, detail) = dns_check(p);
        push(ITEM_DNS, passed, true, summary, detail);
    }
    let cert_pools: Vec<&PoolStatus> = [pchat, fe].into_iter().flatten().collect();
    if !cert_pools.is_empty() {
        let (passed, summary, detail) = cert_check(&cert_pools);
        push(ITEM_CERTIFICATES, passed, true, summary, detail);
    }
    if let Some(p) = pchat {
        let passed = matches!(p.state, PoolState::Up | PoolState::Degraded);
        let summary = pool_said("Persistent Chat", p, passed, "", ": not visible");
        push(ITEM_POOL_VISIBLE, passed, lab, summary, pool_detail(p));
    }
    if let Some(p) = fe {
        let passed = p.state == PoolState::Up;
        let (up, total) = p.counts();
        let summary = format!(
            "Front End pool {}: {up} of {total} server ports answer ({})",
            p.fqdn, p.state
        );
        push(ITEM_FE_SERVICES, passed, lab, summary, pool_detail(p));
    }
    if let Some(p) = legacy {
        let passed = p.state == PoolState::Up;
        let summary = pool_said(
            p.kind.product_name(),
            p,
            passed,
            ": still serving",
            ": not every server answers",
        );
        push(ITEM_LEGACY_SERVING, passed, lab, summary, pool_detail(p));
        let stopped = p.state == PoolState::Down;
        let summary = pool_said(
            p.kind.product_name(),
            p,
            stopped,
            ": no server answers (services stopped)",
            ": still answering (stop every service)",
        );
        push(ITEM_LEGACY_STOPPED, stopped, lab, summary, pool_detail(p));
    }
    if let Some(p) = pchat {
        let stopped = p.state == PoolState::Down;
        let summary = pool_said(
            "Persistent Chat",
            p,
            stopped,
            ": no server answers (services stopped)",
            ": still answering (stop every service)",
        );
        push(ITEM_PCHAT_STOPPED, stopped, lab, summary, pool_detail(p));
        let up = p.state == PoolState::Up;
        let summary = pool_said(
            "Persistent Chat",
            p,
            up,
            ": every server answers (services started)",
            ": not every server answers yet",
        );
        push(ITEM_PCHAT_STARTED, up, lab, summary, pool_detail(p));
    }
    out
}

/// `<product> pool <fqdn> is <state>` and what that means for the item: `yes` when it
/// passed, `no` when not.
fn pool_said(product: &str, p: &PoolStatus, passed: bool, yes: &str, no: &str) -> String {
    format!(
        "{product} pool {} is {}{}",
        p.fqdn,
        p.state,
        if passed { yes } else { no }
    )
}

fn pool_detail(p: &PoolStatus) -> serde_json::Value {
    json!({
        "method": "TCP connect and TLS handshake to every server port",
        "pool": p.fqdn,
        "state": p.state,
        "why": p.why,
        "servers": p.servers.iter().map(|s| json!({
            "server": s.fqdn,
            "ports": s.ports.iter().map(|port| json!({
                "port": port.port,
                "outcome": port.outcome,
                "detail": port.detail,
                "latency_ms": port.latency_ms(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn dns_check(p: &PoolStatus) -> (bool, String, serde_json::Value) {
    let mut problems = Vec::new();
    for s in &p.servers {
        if !s.dns.ok {
            problems.push(format!(
                "{} does not resolve ({})",
                s.fqdn,
                s.dns.error.as_deref().unwrap_or("no answer")
            ));
        }
    }
    if !p.dns.ok {
        problems.push(format!(
            "pool FQDN {} does not resolve ({})",
            p.fqdn,
            p.dns.error.as_deref().unwrap_or("no answer")
        ));
    } else {
        // Compare at the port the pool name was resolved for: one answer per member.
        let pool_addrs: BTreeSet<_> = p.dns.addresses.iter().collect();
        let port = p.dns.addresses.first().map(std::net::SocketAddr::port);
        for s in &p.servers {
            let member: Vec<_> = s
                .ports
                .iter()
                .filter(|x| Some(x.port) == port)
                .flat_map(|x| &x.dns.addresses)
                .collect();
            if !member.is_empty() && !member.iter().any(|a| pool_addrs.contains(a)) {
                problems.push(format!(
                    "pool FQDN {} has no address of member {}",
                    p.fqdn, s.fqdn
                ));
            }
        }
    }
    let passed = problems.is_empty();
    let summary = if passed {
        format!(
            "{} and its {} server name(s) resolve; the pool name answers for every member",
            p.fqdn,
            p.servers.len()
        )
    } else {
        problems.join("; ")
    };
    let detail = json!({
        "method": "DNS resolution",
        "pool": { "name": p.fqdn, "ok": p.dns.ok, "addresses": p.dns.addresses, "error": p.dns.error },
        "servers": p.servers.iter().map(|s| json!({
            "name": s.fqdn, "ok": s.dns.ok, "addresses": s.dns.addresses, "error": s.dns.error,
        })).collect::<Vec<_>>(),
        "problems": problems,
    });
    (passed, summary, detail)
}

fn cert_check(pools: &[&PoolStatus]) -> (bool, String, serde_json::Value) {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    let mut checked = 0usize;
    for p in pools {
        for s in &p.servers {
            for port in s.ports.iter().filter(|x| x.tls) {
                let place = format!("{}:{}", s.fqdn, port.port);
                let Some(c) = &port.cert else {
                    problems.push(format!(
                        "{place}: no certificate seen ({})",
                        port.outcome.label()
                    ));
                    continue;
                };
                checked += 1;
                match c.issuer_trusted {
                    Some(true) => {}
                    Some(false) => problems.push(format!(
                        "{place}: issuer {} is not the internal CA",
                        c.issuer
                    )),
                    None => problems.push(format!(
                        "{place}: issuer {} not compared: no internal CA configured",
                        c.issuer
                    )),
                }
                if !c.name_matches {
                    problems.push(format!("{place}: certificate does not name {}", s.fqdn));
                }
                if c.days_to_expiry < 0 || c.not_after <= chrono::Utc::now() {
                    problems.push(format!(
                        "{place}: certificate expired {}",
                        c.not_after.format("%Y-%m-%d")
                    ));
                }
                seen.push(json!({
                    "server": s.fqdn, "port": port.port, "subject": c.subject, "issuer": c.issuer,
                    "san": c.san, "not_after": c.not_after, "days_to_expiry": c.days_to_expiry,
                    "issuer_trusted": c.issuer_trusted, "warnings": port.cert_warnings,
                }));
            }
        }
    }
    let passed = problems.is_empty() && checked > 0;
    let names: Vec<&str> = pools.iter().map(|p| p.fqdn.as_str()).collect();
    let summary = if passed {
        format!(
            "{checked} certificate(s) on {} issued by the internal CA, names match, none expired",
            names.join(" and ")
        )
    } else if problems.is_empty() {
        "no TLS port to check".to_string()
    } else {
        let mut s = problems[..problems.len().min(3)].join("; ");
        if problems.len() > 3 {
            s.push_str(&format!(" and {} more", problems.len() - 3));
        }
        s
    };
    let detail = json!({
        "method": "TLS handshake; certificate chain checked against the internal CA",
        "certificates": seen,
        "problems": problems,
    });
    (passed, summary, detail)
}
