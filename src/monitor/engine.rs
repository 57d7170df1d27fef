//! The background loop: a probe round per interval, snapshots on a `watch` channel, state
//! changes on an mpsc channel.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use super::probe::{CertPolicy, probe};
use super::{
    DnsStatus, MonitorConfig, PoolState, PoolStatus, PortOutcome, PortStatus, ProbeSample,
    ProbeTarget, Resolver, ServerStatus, StateChange, StatusSnapshot,
};

/// State changes buffered for a slow receiver before further ones are dropped (and counted
/// in [`StatusSnapshot::dropped_changes`]).
const CHANGE_BUFFER: usize = 1024;
/// Failing ports named in a pool's `why`.
const WHY_PORTS: usize = 3;

/// Starts monitors.
pub struct Monitor;

/// Controls a running monitor. Dropping it does not stop the monitor: call
/// [`MonitorHandle::cancel`] or [`MonitorHandle::stop`] (or cancel the token it was spawned
/// with).
#[derive(Debug)]
pub struct MonitorHandle {
    cancel: CancellationToken,
    wake: Arc<Notify>,
    task: JoinHandle<()>,
}

impl MonitorHandle {
    /// Starts a probe round now instead of at the next interval (after a lab pool was
    /// stopped or started, say). A round under way finishes first.
    pub fn probe_now(&self) {
        self.wake.notify_one();
    }

    /// Asks the monitor to stop; probes under way are abandoned.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The monitor's cancellation token.
    pub fn token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Whether the monitor task has ended.
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Stops the monitor and waits for its task to end.
    pub async fn stop(self) {
        self.cancel.cancel();
        let _ = self.task.await;
    }
}

impl Monitor {
    /// Spawns the monitor on the current tokio runtime (call from inside it, or from a
    /// thread that entered it with `Handle::enter`). Returns its handle, the snapshot channel
    /// (starts with every pool [`PoolState::Unknown`], round 0) and the state-change stream.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn spawn(
        targets: Vec<ProbeTarget>,
        cfg: MonitorConfig,
        resolver: Resolver,
    ) -> (
        MonitorHandle,
        watch::Receiver<Arc<StatusSnapshot>>,
        mpsc::Receiver<StateChange>,
    ) {
        Self::spawn_with_token(targets, cfg, resolver, CancellationToken::new())
    }

    /// [`Monitor::spawn`] with the caller's token (e.g. a child of the application's).
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn spawn_with_token(
        targets: Vec<ProbeTarget>,
        cfg: MonitorConfig,
        resolver: Resolver,
        cancel: CancellationToken,
    ) -> (
        MonitorHandle,
        watch::Receiver<Arc<StatusSnapshot>>,
        mpsc::Receiver<StateChange>,
    ) {
        let mut engine = Engine::new(targets, cfg, resolver);
        let (snap_tx, snap_rx) = watch::channel(Arc::new(engine.snapshot()));
        let (change_tx, change_rx) = mpsc::channel(CHANGE_BUFFER);
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn({
            let cancel = cancel.clone();
            let wake = wake.clone();
            async move {
                engine.run(cancel, wake, snap_tx, change_tx).await;
            }
        });
        (MonitorHandle { cancel, wake, task }, snap_rx, change_rx)
    }
}

struct PoolTrack {
    fqdn: String,
    kind: crate::deployment::PoolKind,
    /// (server, indexes into targets)
    servers: Vec<(String, Vec<usize>)>,
    dns_port: u16,
    dns: DnsStatus,
    state: PoolState,
    last_change: Option<chrono::DateTime<Utc>>,
    latency: VecDeque<u64>,
    states: VecDeque<PoolState>,
}

struct Engine {
    targets: Arc<Vec<ProbeTarget>>,
    cfg: MonitorConfig,
    resolver: Resolver,
    policy: CertPolicy,
    last: Vec<Option<PortStatus>>,
    history: Vec<VecDeque<ProbeSample>>,
    pools: Vec<PoolTrack>,
    round: u64,
    round_ms: u64,
    taken_at: Option<chrono::DateTime<Utc>>,
    dropped: u64,
}

fn push_bounded<T>(q: &mut VecDeque<T>, v: T, cap: usize) {
    q.push_back(v);
    while q.len() > cap {
        q.pop_front();
    }
}

impl Engine {
    fn new(targets: Vec<ProbeTarget>, mut cfg: MonitorConfig, resolver: Resolver) -> Engine {
        cfg.concurrency = cfg.concurrency.max(1);
        cfg.history_len = cfg.history_len.max(1);
        cfg.interval = cfg.interval.max(Duration::from_millis(10));
        let mut pools: Vec<PoolTrack> = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            let pi = match pools
                .iter()
                .position(|p| p.fqdn.eq_ignore_ascii_case(&t.pool_fqdn))
            {
                Some(pi) => pi,
                None => {
                    pools.push(PoolTrack {
                        fqdn: t.pool_fqdn.clone(),
                        kind: t.kind,
                        servers: Vec::new(),
                        dns_port: t.port,
                        dns: DnsStatus {
                            name: t.pool_fqdn.clone(),
                            ..DnsStatus::default()
                        },
                        state: PoolState::Unknown,
                        last_change: None,
                        latency: VecDeque::new(),
                        states: VecDeque::new(),
                    });
                    pools.len() - 1
                }
            };
            let pool = &mut pools[pi];
            match pool
                .servers
                .iter_mut()
                .find(|(s, _)| s.eq_ignore_ascii_case(&t.server))
            {
                Some((_, idx)) => idx.push(i),
                None => pool.servers.push((t.server.clone(), vec![i])),
            }
        }
        let policy = CertPolicy {
            trusted_cas: Arc::new(cfg.trusted_cas.clone()),
            warn_days: cfg.expiry_warning_days,
        };
        Engine {
            last: vec![None; targets.len()],
            history: vec![VecDeque::new(); targets.len()],
            targets: Arc::new(targets),
            cfg,
            resolver,
            policy,
            pools,
            round: 0,
            round_ms: 0,
            taken_at: None,
            dropped: 0,
        }
    }

    async fn run(
        &mut self,
        cancel: CancellationToken,
        wake: Arc<Notify>,
        snap_tx: watch::Sender<Arc<StatusSnapshot>>,
        change_tx: mpsc::Sender<StateChange>,
    ) {
        let mut next = tokio::time::Instant::now();
        loop {
            let started = Instant::now();
            let results = tokio::select! {
                () = cancel.cancelled() => break,
                r = self.probe_round() => r,
            };
            self.round_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            for change in self.apply(results) {
                match change_tx.try_send(change) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(c)) => {
                        self.dropped += 1;
                        tracing::warn!(pool = %c.pool_fqdn, "state change dropped: receiver is behind");
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => {}
                }
            }
            snap_tx.send_replace(Arc::new(self.snapshot()));
            next += self.cfg.interval;
            let now = tokio::time::Instant::now();
            if next < now {
                next = now;
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep_until(next) => {}
                () = wake.notified() => { next = tokio::time::Instant::now(); }
            }
        }
        tracing::debug!("monitor stopped after {} round(s)", self.round);
    }

    /// Probes every target and resolves every pool FQDN, `concurrency` at a time. Dropping
    /// the future aborts the probes.
    async fn probe_round(&self) -> (Vec<PortStatus>, Vec<DnsStatus>) {
        let sem = Arc::new(Semaphore::new(self.cfg.concurrency));
        let mut set = JoinSet::new();
        for i in 0..self.targets.len() {
            let (sem, targets, resolver, policy) = (
                sem.clone(),
                self.targets.clone(),
                self.resolver.clone(),
                self.policy.clone(),
            );
            let budget = self.cfg.timeout;
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                (i, probe(&targets[i], &resolver, budget, &policy).await)
            });
        }
        let mut dns_set = JoinSet::new();
        for (pi, p) in self.pools.iter().enumerate() {
            let (sem, resolver, name, port) = (
                sem.clone(),
                self.resolver.clone(),
                p.fqdn.clone(),
                p.dns_port,
            );
            let budget = self.cfg.timeout;
            dns_set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let mut d = DnsStatus {
                    name: name.clone(),
                    ..DnsStatus::default()
                };
                match tokio::time::timeout(budget, resolver.resolve(&name, port)).await {
                    Ok(Ok(a)) => {
                        d.ok = true;
                        d.addresses = a;
                    }
                    Ok(Err(e)) => d.error = Some(e),
                    Err(_) => d.error = Some(format!("no DNS answer within {budget:?}")),
                }
                (pi, d)
            });
        }
        let mut ports: Vec<Option<PortStatus>> = vec![None; self.targets.len()];
        while let Some(r) = set.join_next().await {
            if let Ok((i, st)) = r {
                ports[i] = Some(st);
            }
        }
        let mut dns: Vec<Option<DnsStatus>> = vec![None; self.pools.len()];
        while let Some(r) = dns_set.join_next().await {
            if let Ok((i, d)) = r {
                dns[i] = Some(d);
            }
        }
        let ports = ports
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                p.unwrap_or_else(|| PortStatus {
                    outcome: PortOutcome::Unreachable,
                    detail: "the probe task failed".into(),
                    ..not_probed(&self.targets[i])
                })
            })
            .collect();
        let dns = dns
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                d.unwrap_or_else(|| DnsStatus {
                    name: self.pools[i].fqdn.clone(),
                    error: Some("the lookup task failed".into()),
                    ..DnsStatus::default()
                })
            })
            .collect();
        (ports, dns)
    }

    fn apply(&mut self, (ports, dns): (Vec<PortStatus>, Vec<DnsStatus>)) -> Vec<StateChange> {
        let now = Utc::now();
        self.round += 1;
        self.taken_at = Some(now);
        for (i, st) in ports.into_iter().enumerate() {
            push_bounded(
                &mut self.history[i],
                ProbeSample {
                    at: st.checked_at.unwrap_or(now),
                    up: st.is_up(),
                    latency_ms: st.latency_ms(),
                },
                self.cfg.history_len,
            );
            self.last[i] = Some(st);
        }
        let mut changes = Vec::new();
        for (pi, d) in dns.into_iter().enumerate() {
            let idx: Vec<usize> = self.pools[pi]
                .servers
                .iter()
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            let answering: Vec<&PortStatus> = idx
                .iter()
                .filter_map(|&i| self.last[i].as_ref())
                .filter(|p| p.is_up())
                .collect();
            let state = PoolState::from_counts(answering.len(), idx.len());
            let slowest = answering.iter().filter_map(|p| p.latency_ms()).max();
            let why = self.why(pi, answering.len(), idx.len());
            let cap = self.cfg.history_len;
            let pool = &mut self.pools[pi];
            pool.dns = d;
            if let Some(ms) = slowest {
                push_bounded(&mut pool.latency, ms, cap);
            }
            push_bounded(&mut pool.states, state, cap);
            if state != pool.state {
                changes.push(StateChange {
                    pool_fqdn: pool.fqdn.clone(),
                    kind: pool.kind,
                    from: pool.state,
                    to: state,
                    at: now,
                    why,
                });
                pool.state = state;
                pool.last_change = Some(now);
            }
        }
        changes
    }

    fn why(&self, pi: usize, answering: usize, total: usize) -> String {
        let pool = &self.pools[pi];
        let mut s = format!("{answering} of {total} server ports answer");
        let failing: Vec<String> = pool
            .servers
            .iter()
            .flat_map(|(server, v)| v.iter().map(move |&i| (server, i)))
            .filter_map(|(server, i)| {
                let p = self.last[i].as_ref()?;
                (!p.is_up()).then(|| format!("{server}:{} {}", p.port, p.outcome.label()))
            })
            .collect();
        if !failing.is_empty() {
            s.push_str("; ");
            s.push_str(&failing[..failing.len().min(WHY_PORTS)].join(", "));
            if failing.len() > WHY_PORTS {
                s.push_str(&format!(" and {} more", failing.len() - WHY_PORTS));
            }
        }
        s
    }

    fn snapshot(&self) -> StatusSnapshot {
        let pools = self
            .pools
            .iter()
            .enumerate()
            .map(|(pi, p)| {
                let mut cert_warnings = Vec::new();
                let servers = p
                    .servers
                    .iter()
                    .map(|(server, idx)| {
                        let ports: Vec<PortStatus> = idx
                            .iter()
                            .map(|&i| {
                                let mut st = self.last[i]
                                    .clone()
                                    .unwrap_or_else(|| not_probed(&self.targets[i]));
                                st.history = self.history[i].iter().copied().collect();
                                st
                            })
                            .collect();
                        for port in &ports {
                            for w in &port.cert_warnings {
                                let line = format!("{server}:{}: {w}", port.port);
                                if !cert_warnings.contains(&line) {
                                    cert_warnings.push(line);
                                }
                            }
                        }
                        let mut dns = DnsStatus {
                            name: server.clone(),
                            ok: ports.iter().all(|p| p.dns.ok),
                            ..DnsStatus::default()
                        };
                        for port in &ports {
                            dns.addresses.extend(port.dns.addresses.iter().copied());
                            if dns.error.is_none() {
                                dns.error.clone_from(&port.dns.error);
                            }
                        }
                        dns.addresses.sort();
                        dns.addresses.dedup();
                        ServerStatus {
                            fqdn: server.clone(),
                            dns,
                            answering: ports.iter().all(PortStatus::is_up),
                            ports,
                        }
                    })
                    .collect();
                let (answering, total) =
                    p.servers
                        .iter()
                        .flat_map(|(_, v)| v.iter())
                        .fold((0, 0), |(a, t), &i| {
                            let up = self.last[i].as_ref().is_some_and(PortStatus::is_up);
                            (a + usize::from(up), t + 1)
                        });
                PoolStatus {
                    fqdn: p.fqdn.clone(),
                    kind: p.kind,
                    state: p.state,
                    why: if self.round == 0 {
                        "not probed yet".to_string()
                    } else {
                        self.why(pi, answering, total)
                    },
                    last_change: p.last_change,
                    dns: p.dns.clone(),
                    servers,
                    latency_history_ms: p.latency.iter().copied().collect(),
                    state_history: p.states.iter().copied().collect(),
                    cert_warnings,
                }
            })
            .collect();
        StatusSnapshot {
            taken_at: self.taken_at,
            round: self.round,
            round_ms: self.round_ms,
            pools,
            dropped_changes: self.dropped,
        }
    }
}

fn not_probed(t: &ProbeTarget) -> PortStatus {
    PortStatus {
        port: t.port,
        tls: t.tls,
        outcome: PortOutcome::NotProbed,
        detail: "not probed yet".into(),
        dns: DnsStatus {
            name: t.server.clone(),
            ..DnsStatus::default()
        },
        address: None,
        connect_ms: None,
        handshake_ms: None,
        tls_version: None,
        cert: None,
        cert_warnings: Vec::new(),
        checked_at: None,
        history: Vec::new(),
    }
}
