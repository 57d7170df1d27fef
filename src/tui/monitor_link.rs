//! The wizard's link to the live monitor: starts the lab's loopback pool endpoints (lab
//! profiles) and the monitor inside the wizard's tokio runtime, and runs a small control
//! task that owns them, so the UI only sends commands (probe now, stop or start a lab pool,
//! shut down) and receives snapshots and state changes.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use crate::deployment::{DeploymentKind, Profile};
use crate::lab::endpoints::LabEndpoints;
use crate::monitor::{
    Monitor, MonitorConfig, Resolver, StateChange, StatusSnapshot, targets_from_profile,
};

/// What the UI can ask of the monitor.
#[derive(Debug)]
pub enum MonitorCmd {
    /// Probe every target now.
    ProbeNow,
    /// Stop the lab pool if it runs, start it if it is stopped; the answer says which.
    TogglePool {
        /// Pool FQDN.
        fqdn: String,
        /// Where the answer goes.
        reply: mpsc::UnboundedSender<Result<bool, String>>,
    },
    /// Stop everything (on quit).
    Shutdown,
}

/// The receiving ends the event loop selects on, and the command sender.
pub struct MonitorLink {
    /// Commands to the control task.
    pub cmd: mpsc::UnboundedSender<MonitorCmd>,
    /// Latest snapshot.
    pub snapshots: watch::Receiver<Arc<StatusSnapshot>>,
    /// Pool state changes.
    pub changes: mpsc::Receiver<StateChange>,
    /// True for the lab (pools can be stopped and started).
    pub lab: bool,
}

/// Starts the endpoints (lab) and the monitor. Must run inside the wizard's runtime.
///
/// # Errors
/// When the lab endpoints cannot start (certificates, sockets); the message says why.
/// `stopped`: the lab pools the admin left stopped (from the audit trail): they stay stopped,
/// so a restarted wizard serves the lab as the admin left it.
pub async fn start(
    profile: &Profile,
    lab_dir: Option<&Path>,
    mut cfg: MonitorConfig,
    stopped: &std::collections::BTreeSet<String>,
) -> Result<MonitorLink, String> {
    let lab = match (profile.kind, lab_dir) {
        (DeploymentKind::Lab, Some(dir)) => {
            let l = LabEndpoints::start(dir, profile)
                .await
                .map_err(|e| format!("cannot start the lab pools: {e}"))?;
            for fqdn in stopped {
                if l.pool_running(fqdn) == Some(true) {
                    l.stop_pool(fqdn)
                        .await
                        .map_err(|e| format!("cannot stop the lab pool {fqdn} again: {e}"))?;
                }
            }
            Some(l)
        }
        _ => None,
    };
    let resolver = match &lab {
        Some(l) => {
            cfg.trusted_cas.push(l.ca_der());
            l.resolver()
        }
        None => Resolver::system(),
    };
    let (handle, snapshots, changes) = Monitor::spawn(targets_from_profile(profile), cfg, resolver);
    let (cmd, mut rx) = mpsc::unbounded_channel::<MonitorCmd>();
    let is_lab = lab.is_some();
    tokio::spawn(async move {
        while let Some(c) = rx.recv().await {
            match c {
                MonitorCmd::ProbeNow => handle.probe_now(),
                MonitorCmd::TogglePool { fqdn, reply } => {
                    let result = match &lab {
                        None => Err("only the lab's pools can be stopped from here".to_string()),
                        Some(l) => match l.pool_running(&fqdn) {
                            Some(true) => l
                                .stop_pool(&fqdn)
                                .await
                                .map(|()| false)
                                .map_err(|e| e.to_string()),
                            Some(false) => l
                                .start_pool(&fqdn)
                                .await
                                .map(|()| true)
                                .map_err(|e| e.to_string()),
                            None => Err(format!("{fqdn} is not one of the lab's pools")),
                        },
                    };
                    handle.probe_now();
                    let _ = reply.send(result);
                }
                MonitorCmd::Shutdown => break,
            }
        }
        if let Some(l) = &lab {
            l.shutdown().await;
        }
        handle.stop().await;
    });
    Ok(MonitorLink {
        cmd,
        snapshots,
        changes,
        lab: is_lab,
    })
}
