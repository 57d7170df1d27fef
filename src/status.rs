//! The headless `status` command's library side: one snapshot of the deployment's pools,
//! with the probe items it answers, as text or JSON.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::deployment::{DeploymentKind, Profile};
use crate::lab::endpoints::LabEndpoints;
use crate::monitor::probe_items::{self, ProbeEvidence};
use crate::monitor::{
    Monitor, MonitorConfig, PoolState, Resolver, StatusSnapshot, targets_from_profile,
};

/// A snapshot and the probe items it answers.
#[derive(Clone, Debug, Serialize)]
pub struct StatusReport {
    /// The pools.
    pub snapshot: StatusSnapshot,
    /// Evidence for the runbook's probe items.
    pub probe_items: Vec<ProbeEvidence>,
}

impl StatusReport {
    /// Whether every pool is Up.
    pub fn all_up(&self) -> bool {
        self.snapshot.pools.iter().all(|p| p.state == PoolState::Up)
    }
}

/// Starts what the deployment needs to be probed: in the lab, its endpoints (under
/// `lab_dir`) and their resolver and CA; in production, the system resolver and no CA.
///
/// # Errors
/// The lab endpoints could not start.
pub async fn prepare(
    profile: &Profile,
    lab_dir: &Path,
    mut cfg: MonitorConfig,
) -> Result<(Option<LabEndpoints>, Resolver, MonitorConfig), String> {
    match profile.kind {
        DeploymentKind::Lab => {
            let lab = LabEndpoints::start(lab_dir, profile)
                .await
                .map_err(|e| format!("cannot start the lab endpoints: {e}"))?;
            cfg.trusted_cas.push(lab.ca_der());
            let resolver = lab.resolver();
            Ok((Some(lab), resolver, cfg))
        }
        DeploymentKind::Production => Ok((None, Resolver::system(), cfg)),
    }
}

/// Probes every pool of `profile` once and returns the snapshot. In the lab it starts the
/// lab endpoints first and stops them after.
///
/// # Errors
/// The lab endpoints could not start, or no round finished in time.
pub async fn status_once(
    profile: &Profile,
    lab_dir: &Path,
    cfg: MonitorConfig,
) -> Result<StatusReport, String> {
    let (lab, resolver, cfg) = prepare(profile, lab_dir, cfg).await?;
    let targets = targets_from_profile(profile);
    let rounds = targets.len().div_ceil(cfg.concurrency.max(1)) as u32 + 1;
    let limit = cfg.timeout * rounds + Duration::from_secs(2);
    let (handle, mut snaps, _changes) = Monitor::spawn(targets, cfg, resolver);
    let got = tokio::time::timeout(limit, snaps.wait_for(|s| s.round >= 1)).await;
    let snapshot = match got {
        Ok(Ok(s)) => Ok((**s).clone()),
        _ => Err("no probe round finished in time".to_string()),
    };
    handle.stop().await;
    if let Some(lab) = lab {
        lab.shutdown().await;
    }
    let snapshot = snapshot?;
    // The health checks only: whether the downtime steps (38, 40, 57) are done depends on
    // where the migration is, which the wizard's model knows and a status line does not.
    let probe_items = probe_items::evaluate(&snapshot, profile)
        .into_iter()
        .filter(|e| probe_items::HEALTH_ITEMS.contains(&e.item_id.as_str()))
        .collect();
    Ok(StatusReport {
        snapshot,
        probe_items,
    })
}

/// The snapshot as text, one block per pool.
pub fn render_text(s: &StatusSnapshot) -> String {
    let mut out = String::new();
    if let Some(t) = s.taken_at {
        out.push_str(&format!(
            "pools at {} (round {}, {} ms)\n",
            t.format("%Y-%m-%d %H:%M:%S UTC"),
            s.round,
            s.round_ms
        ));
    }
    for p in &s.pools {
        out.push_str(&format!(
            "{:<9} {} ({}): {}\n",
            p.state.label(),
            p.fqdn,
            p.kind.product_name(),
            p.why
        ));
        for srv in &p.servers {
            for port in &srv.ports {
                let latency = port
                    .latency_ms()
                    .map(|ms| format!("{ms} ms"))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {}:{:<5} {:<12} {:>7}  {}\n",
                    srv.fqdn,
                    port.port,
                    port.outcome.label(),
                    latency,
                    port.detail
                ));
                if let Some(c) = &port.cert {
                    out.push_str(&format!(
                        "        certificate {} issued by {}, expires {} ({} days)\n",
                        c.subject,
                        c.issuer,
                        c.not_after.format("%Y-%m-%d"),
                        c.days_to_expiry
                    ));
                }
            }
        }
        for w in &p.cert_warnings {
            out.push_str(&format!("    warning: {w}\n"));
        }
    }
    out
}

/// The probe items as text.
pub fn render_items(items: &[ProbeEvidence]) -> String {
    let mut out = String::new();
    for e in items {
        out.push_str(&format!(
            "[{:>2}] {:<28} {}{}  {}\n",
            e.checklist,
            e.item_id,
            if e.passed { "pass" } else { "FAIL" },
            if e.authoritative { "" } else { "*" },
            e.summary
        ));
    }
    if items.iter().any(|e| !e.authoritative) {
        out.push_str("     * supporting evidence only: run the item's own check to tick it\n");
    }
    out
}
