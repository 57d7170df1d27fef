//! The pool monitor against real loopback listeners: up, refused, no answer, wrong name,
//! expired, self-signed, foreign issuer; the lab endpoints stopping and starting; probe items;
//! the headless status. Every address is on 127.0.0.1; every wait is bounded.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use pchat_migrate::deployment::{DeploymentKind, PoolKind, Profile};
use pchat_migrate::lab::endpoints::{LabCa, LabEndpoints, Listener, ServerIdentity};
use pchat_migrate::monitor::probe_items::{self, ITEMS};
use pchat_migrate::monitor::{
    self, CertWarning, Monitor, MonitorConfig, PoolState, PortOutcome, ProbeTarget, Resolver,
    StateChange, StaticAnswers, StatusSnapshot,
};
use tokio::sync::{mpsc, watch};

const SERVER: &str = "srv01.test.lab";
const POOL: &str = "pool.test.lab";
/// Upper bound of any wait in these tests.
const WAIT: Duration = Duration::from_secs(10);

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

fn target(port: u16) -> ProbeTarget {
    ProbeTarget {
        pool_fqdn: POOL.into(),
        kind: PoolKind::Lync2013PersistentChat,
        server: SERVER.into(),
        port,
        tls: true,
        connect_to: None,
    }
}

/// A resolver that answers SERVER (and POOL) at `port` with `addr`, loopback only.
fn resolver_for(addr: SocketAddr, port: u16) -> Resolver {
    let a = StaticAnswers::default();
    a.set(SERVER, port, vec![addr]);
    a.set(POOL, port, vec![addr]);
    Resolver::fixed(a, true)
}

fn cfg(ca: Option<&LabCa>) -> MonitorConfig {
    MonitorConfig {
        interval: Duration::from_millis(200),
        timeout: Duration::from_millis(500),
        concurrency: 4,
        history_len: 5,
        trusted_cas: ca.map(|c| vec![c.cert_der().to_vec()]).unwrap_or_default(),
        ..MonitorConfig::default()
    }
}

async fn wait_for(
    rx: &mut watch::Receiver<Arc<StatusSnapshot>>,
    what: &str,
    f: impl FnMut(&Arc<StatusSnapshot>) -> bool,
) -> Arc<StatusSnapshot> {
    let got = match tokio::time::timeout(WAIT, rx.wait_for(f)).await {
        Ok(Ok(s)) => Some(s.clone()),
        _ => None,
    };
    got.unwrap_or_else(|| panic!("timed out waiting for {what}: {:#?}", rx.borrow()))
}

/// One monitor round over one target; returns the snapshot.
async fn one_round(t: ProbeTarget, cfg: MonitorConfig, r: Resolver) -> StatusSnapshot {
    let (h, mut rx, _c) = Monitor::spawn(vec![t], cfg, r);
    let s = wait_for(&mut rx, "the first round", |s| s.round >= 1).await;
    h.stop().await;
    (*s).clone()
}

/// A TLS listener on 127.0.0.1 presenting `id`.
async fn tls_listener(id: &ServerIdentity) -> Listener {
    Listener::bind(
        "127.0.0.1:0".parse().unwrap(),
        Some(id.server_config().unwrap()),
        "test".into(),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_with_a_good_certificate() {
    let ca = LabCa::generate("Test CA").unwrap();
    let now = Utc::now();
    let id = ca
        .issue(&names(&[SERVER, POOL]), now - days(1), now + days(365))
        .unwrap();
    let l = tls_listener(&id).await;
    let port = 5041;
    let s = one_round(
        target(port),
        cfg(Some(&ca)),
        resolver_for(l.local_addr(), port),
    )
    .await;
    let pool = s.pool(POOL).unwrap();
    assert_eq!(pool.state, PoolState::Up, "{pool:#?}");
    let p = &pool.servers[0].ports[0];
    assert_eq!(p.outcome, PortOutcome::Up);
    assert_eq!(p.address, Some(l.local_addr()));
    assert!(p.connect_ms.is_some() && p.handshake_ms.is_some());
    let c = p.cert.as_ref().unwrap();
    assert_eq!(c.issuer_trusted, Some(true));
    assert!(c.name_matches && c.names(POOL));
    assert!(c.issuer.contains("Test CA"), "{}", c.issuer);
    assert!(c.days_to_expiry >= 363, "{}", c.days_to_expiry);
    assert!(pool.cert_warnings.is_empty(), "{:?}", pool.cert_warnings);
    assert_eq!(pool.latency_history_ms.len(), 1);
    assert!(pool.last_change.is_some());
    l.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_when_nothing_listens() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    }; // closed here
    let s = one_round(target(443), cfg(None), resolver_for(addr, 443)).await;
    let pool = s.pool(POOL).unwrap();
    assert_eq!(pool.state, PoolState::Down);
    let p = &pool.servers[0].ports[0];
    assert_eq!(p.outcome, PortOutcome::Refused, "{}", p.detail);
    assert!(
        pool.why.contains("0 of 1") && pool.why.contains("refused"),
        "{}",
        pool.why
    );
    assert!(pool.latency_history_ms.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_when_tls_never_comes() {
    // Accepts TCP (the kernel completes it from the backlog) but never speaks TLS.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let mut c = cfg(None);
    c.timeout = Duration::from_millis(300);
    let t0 = Instant::now();
    let s = one_round(target(5041), c, resolver_for(addr, 5041)).await;
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    let pool = s.pool(POOL).unwrap();
    assert_eq!(pool.state, PoolState::Down);
    let p = &pool.servers[0].ports[0];
    assert_eq!(p.outcome, PortOutcome::NoAnswer, "{}", p.detail);
    assert!(p.detail.contains("no TLS answer"), "{}", p.detail);
    assert!(p.connect_ms.is_some());
    drop(silent);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_name_is_a_dns_failure() {
    let s = one_round(
        target(5041),
        cfg(None),
        Resolver::fixed(StaticAnswers::default(), true),
    )
    .await;
    let pool = s.pool(POOL).unwrap();
    assert_eq!(pool.state, PoolState::Down);
    assert_eq!(pool.servers[0].ports[0].outcome, PortOutcome::DnsFailed);
    assert!(!pool.servers[0].dns.ok && !pool.dns.ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_resolver_refuses_non_loopback_addresses() {
    let mut t = target(5041);
    t.connect_to = Some("192.0.2.1:5041".parse().unwrap()); // TEST-NET-1, never contacted
    let a = StaticAnswers::default();
    a.set(SERVER, 5041, vec!["127.0.0.1:9".parse().unwrap()]);
    let p = monitor::probe_target(&t, &Resolver::fixed(a, true), &cfg(None)).await;
    assert_eq!(p.outcome, PortOutcome::Unreachable);
    assert!(p.detail.contains("only probes loopback"), "{}", p.detail);
    assert!(p.connect_ms.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_name_is_a_warning_not_a_failure() {
    let ca = LabCa::generate("Test CA").unwrap();
    let now = Utc::now();
    let id = ca
        .issue(&names(&["other.test.lab"]), now - days(1), now + days(365))
        .unwrap();
    let l = tls_listener(&id).await;
    let s = one_round(
        target(443),
        cfg(Some(&ca)),
        resolver_for(l.local_addr(), 443),
    )
    .await;
    let pool = s.pool(POOL).unwrap();
    assert_eq!(pool.state, PoolState::Up);
    let c = pool.servers[0].ports[0].cert.as_ref().unwrap();
    assert!(!c.name_matches);
    assert!(c.warnings.iter().any(
        |w| matches!(w, CertWarning::WrongName { probed, names } if probed == SERVER && names == &["other.test.lab"])
    ));
    assert!(
        pool.cert_warnings
            .iter()
            .any(|w| w.contains("does not name srv01.test.lab")),
        "{:?}",
        pool.cert_warnings
    );
    assert!(
        pool.cert_warnings
            .iter()
            .any(|w| w.contains("pool FQDN pool.test.lab")),
        "{:?}",
        pool.cert_warnings
    );
    l.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_expiring_certificates_warn() {
    let ca = LabCa::generate("Test CA").unwrap();
    let now = Utc::now();
    let expired = ca
        .issue(&names(&[SERVER, POOL]), now - days(400), now - days(3))
        .unwrap();
    let l = tls_listener(&expired).await;
    let s = one_round(
        target(5061),
        cfg(Some(&ca)),
        resolver_for(l.local_addr(), 5061),
    )
    .await;
    let pool = s.pool(POOL).unwrap();
    assert_eq!(
        pool.state,
        PoolState::Up,
        "an expired certificate still answers"
    );
    let c = pool.servers[0].ports[0].cert.as_ref().unwrap();
    assert!(c.days_to_expiry < 0);
    assert!(
        c.warnings
            .iter()
            .any(|w| matches!(w, CertWarning::Expired { days_ago } if (2..=4).contains(days_ago))),
        "{:?}",
        c.warnings
    );
    assert!(pool.cert_warnings.iter().any(|w| w.contains("expired")));
    l.close().await;

    let soon = ca
        .issue(
            &names(&[SERVER, POOL]),
            now - days(300),
            now + days(10) + chrono::Duration::hours(1),
        )
        .unwrap();
    let l = tls_listener(&soon).await;
    let p = monitor::probe_target(
        &target(5061),
        &resolver_for(l.local_addr(), 5061),
        &cfg(Some(&ca)),
    )
    .await;
    let c = p.cert.as_ref().unwrap();
    assert_eq!(c.warnings, vec![CertWarning::ExpiresSoon { days: 10 }]);
    assert!(
        p.cert_warnings[0].contains("expires in 10 day"),
        "{:?}",
        p.cert_warnings
    );
    l.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_signed_and_foreign_issuers_warn() {
    let lab_ca = LabCa::generate("Lab CA").unwrap();
    let now = Utc::now();
    let self_signed =
        ServerIdentity::self_signed(&names(&[SERVER, POOL]), now - days(1), now + days(90))
            .unwrap();
    let l = tls_listener(&self_signed).await;
    let p = monitor::probe_target(
        &target(443),
        &resolver_for(l.local_addr(), 443),
        &cfg(Some(&lab_ca)),
    )
    .await;
    let c = p.cert.as_ref().unwrap();
    assert!(c.self_signed);
    assert_eq!(c.issuer_trusted, Some(false));
    assert!(
        c.warnings.contains(&CertWarning::SelfSigned),
        "{:?}",
        c.warnings
    );
    l.close().await;

    let other_ca = LabCa::generate("Someone Else CA").unwrap();
    let foreign = other_ca
        .issue(&names(&[SERVER, POOL]), now - days(1), now + days(90))
        .unwrap();
    let l = tls_listener(&foreign).await;
    let p = monitor::probe_target(
        &target(443),
        &resolver_for(l.local_addr(), 443),
        &cfg(Some(&lab_ca)),
    )
    .await;
    let c = p.cert.as_ref().unwrap();
    assert_eq!(c.issuer_trusted, Some(false));
    assert!(
        c.warnings
            .iter()
            .any(|w| matches!(w, CertWarning::UnknownIssuer { issuer } if issuer.contains("Someone Else CA"))),
        "{:?}",
        c.warnings
    );
    // Same certificate, no CA to compare with: the issuer is reported, not judged.
    let p =
        monitor::probe_target(&target(443), &resolver_for(l.local_addr(), 443), &cfg(None)).await;
    assert_eq!(p.cert.as_ref().unwrap().issuer_trusted, None);
    assert!(p.cert_warnings.is_empty(), "{:?}", p.cert_warnings);
    l.close().await;
}

#[test]
fn evaluate_certificate_is_pure() {
    let ca = LabCa::generate("Test CA").unwrap();
    let now = Utc::now();
    let id = ca
        .issue(&names(&["*.test.lab"]), now - days(100), now - days(1))
        .unwrap();
    let r = monitor::evaluate_certificate(id.cert_der(), "SRV01.test.lab.", now).unwrap();
    assert!(r.name_matches, "wildcard matches one label");
    assert_eq!(r.issuer_trusted, None);
    assert!(!r.self_signed);
    assert_eq!(r.warnings, vec![CertWarning::Expired { days_ago: 1 }]);
    // The same certificate, judged 39 days before it expired.
    let r = monitor::evaluate_certificate(id.cert_der(), "a.b.test.lab", now - days(40)).unwrap();
    assert!(!r.name_matches);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(matches!(r.warnings[0], CertWarning::WrongName { .. }));
    let r = monitor::evaluate_chain(
        &[id.cert_der()],
        "x.test.lab",
        now - days(40),
        &[ca.cert_der().to_vec()],
        30,
    )
    .unwrap();
    assert_eq!(r.issuer_trusted, Some(true));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_does_not_wait_for_slow_probes() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut c = cfg(None);
    c.timeout = Duration::from_secs(30);
    let (h, rx, _ch) = Monitor::spawn(
        vec![target(5041)],
        c,
        resolver_for(silent.local_addr().unwrap(), 5041),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t0 = Instant::now();
    h.stop().await;
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    assert_eq!(rx.borrow().round, 0);
    assert_eq!(rx.borrow().pools[0].state, PoolState::Unknown);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_bounded() {
    let ca = LabCa::generate("Test CA").unwrap();
    let now = Utc::now();
    let id = ca
        .issue(&names(&[SERVER, POOL]), now - days(1), now + days(90))
        .unwrap();
    let l = tls_listener(&id).await;
    let mut c = cfg(Some(&ca));
    c.interval = Duration::from_millis(20);
    c.history_len = 3;
    let (h, mut rx, _ch) = Monitor::spawn(vec![target(443)], c, resolver_for(l.local_addr(), 443));
    let s = wait_for(&mut rx, "six rounds", |s| s.round >= 6).await;
    h.stop().await;
    let pool = &s.pools[0];
    assert_eq!(pool.latency_history_ms.len(), 3);
    assert_eq!(pool.state_history, vec![PoolState::Up; 3]);
    assert_eq!(pool.servers[0].ports[0].history.len(), 3);
    l.close().await;
}

async fn recv_change(
    rx: &mut mpsc::Receiver<StateChange>,
    pool: &str,
    to: PoolState,
) -> StateChange {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(c)) if c.pool_fqdn == pool && c.to == to => return c,
            Ok(Some(_)) => {}
            _ => panic!("no change of {pool} to {to}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_pool_stops_and_starts_within_an_interval() {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::lab();
    let lab = LabEndpoints::start(dir.path(), &profile).await.unwrap();
    let pchat = "pchatpool.contoso.lab";

    // Every served address is loopback, one per server and port.
    let addrs = lab.addresses();
    assert_eq!(addrs.len(), monitor::targets_from_profile(&profile).len());
    assert!(
        addrs
            .iter()
            .all(|a| a.address.ip().is_loopback() && a.running)
    );
    // The pool name resolves to one answer per member.
    let pool_answer = lab.resolver().resolve(pchat, 5041).await.unwrap();
    assert_eq!(pool_answer.len(), 2);

    let mut c = cfg(None);
    c.trusted_cas.push(lab.ca_der());
    c.concurrency = 8;
    let interval = c.interval;
    let (h, mut rx, mut changes) =
        Monitor::spawn(monitor::targets_from_profile(&profile), c, lab.resolver());
    let s = wait_for(&mut rx, "every pool Up", |s| {
        s.round >= 1 && s.pools.iter().all(|p| p.state == PoolState::Up)
    })
    .await;
    assert_eq!(s.pools.len(), 4);
    assert!(
        s.pools.iter().all(|p| p.cert_warnings.is_empty()),
        "{:#?}",
        s.pools
    );
    let first = recv_change(&mut changes, pchat, PoolState::Up).await;
    assert_eq!(first.from, PoolState::Unknown);

    let before: Vec<_> = lab
        .addresses()
        .into_iter()
        .filter(|a| a.pool_fqdn == pchat)
        .collect();
    lab.stop_pool(pchat).await.unwrap();
    assert_eq!(lab.pool_running(pchat), Some(false));
    let stopped_at = Instant::now();
    let r0 = rx.borrow().round;
    // A round under way may have begun before the stop; the one after it sees it.
    let s = wait_for(&mut rx, "pchat Down", |s| {
        s.round > r0 && s.pool(pchat).unwrap().state == PoolState::Down
    })
    .await;
    let took = stopped_at.elapsed();
    assert!(
        s.round <= r0 + 2,
        "seen at round {} (stopped at {r0})",
        s.round
    );
    assert!(
        took <= interval * 2 + Duration::from_millis(800),
        "{took:?}"
    );
    assert!(
        s.pool(pchat).unwrap().why.contains("refused"),
        "{}",
        s.pool(pchat).unwrap().why
    );
    for other in s.pools.iter().filter(|p| p.fqdn != pchat) {
        assert_eq!(other.state, PoolState::Up, "{}", other.fqdn);
    }
    let change = recv_change(&mut changes, pchat, PoolState::Down).await;
    assert_eq!(change.from, PoolState::Up);
    let line = monitor::audit_detail(&change);
    assert!(
        line.starts_with("pchatpool.contoso.lab (Lync Server 2013 Persistent Chat): Up → Down"),
        "{line}"
    );

    lab.start_pool(pchat).await.unwrap();
    h.probe_now();
    wait_for(&mut rx, "pchat Up again", |s| {
        s.pool(pchat).unwrap().state == PoolState::Up
    })
    .await;
    recv_change(&mut changes, pchat, PoolState::Up).await;
    let after: Vec<_> = lab
        .addresses()
        .into_iter()
        .filter(|a| a.pool_fqdn == pchat)
        .collect();
    assert_eq!(
        before.iter().map(|a| a.address).collect::<Vec<_>>(),
        after.iter().map(|a| a.address).collect::<Vec<_>>(),
        "restarted on the same ports"
    );

    h.stop().await;
    let one = after[0].address;
    lab.shutdown().await;
    let refused = tokio::net::TcpStream::connect(one).await;
    assert!(refused.is_err(), "listener still open after shutdown");
    assert!(lab.stop_pool("nosuchpool.contoso.lab").await.is_err());
    assert!(lab.start_pool("nosuchpool.contoso.lab").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lab_keeps_its_pki_and_writes_an_answer_file() {
    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::lab();
    let lab = LabEndpoints::start(dir.path(), &profile).await.unwrap();
    let pki = lab.pki_dir();
    let ca = std::fs::read(pki.join("lab-ca.crt.pem")).unwrap();
    let srv = std::fs::read(pki.join("pchat01.contoso.lab.crt.pem")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(pki.join("lab-ca.key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "key readable by others: {mode:o}");
    }
    // Another process reads the answers from the file.
    let r = Resolver::from_answer_file(&lab.answer_file()).unwrap();
    let a = lab
        .addresses()
        .into_iter()
        .find(|a| a.server == "pchat02.contoso.lab" && a.port == 881)
        .unwrap();
    assert_eq!(
        r.resolve("PCHAT02.contoso.lab", 881).await.unwrap(),
        vec![a.address]
    );
    lab.shutdown().await;

    let lab = LabEndpoints::start(dir.path(), &profile).await.unwrap();
    assert_eq!(std::fs::read(pki.join("lab-ca.crt.pem")).unwrap(), ca);
    assert_eq!(
        std::fs::read(pki.join("pchat01.contoso.lab.crt.pem")).unwrap(),
        srv
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_serves_many_connections_at_once() {
    let ca = LabCa::generate("Test CA").unwrap();
    let now = Utc::now();
    let id = ca
        .issue(&names(&[SERVER, POOL]), now - days(1), now + days(90))
        .unwrap();
    let l = tls_listener(&id).await;
    let r = resolver_for(l.local_addr(), 443);
    let mut c = cfg(Some(&ca));
    c.timeout = Duration::from_secs(5);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..150 {
        let (r, c) = (r.clone(), c.clone());
        set.spawn(async move { monitor::probe_target(&target(443), &r, &c).await });
    }
    let mut up = 0;
    while let Some(p) = set.join_next().await {
        if p.unwrap().is_up() {
            up += 1;
        }
    }
    // More than MAX_CONNECTIONS at once are closed at once; 150 fit.
    assert_eq!(up, 150);
    let t0 = Instant::now();
    l.close().await;
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_items_follow_the_snapshot() {
    // The item ids and numbers are the runbook's.
    let rb = pchat_migrate::runbook::Runbook::embedded().unwrap();
    for (id, n) in ITEMS {
        let it = rb
            .items()
            .find(|it| it.id == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(it.checklist, Some(n), "{id}");
        // a probe, or a task whose proof is a probe (38, 40, 57)
        assert!(
            it.kind == pchat_migrate::runbook::ItemKind::Probe
                || it.proven_by.is_some_and(|p| p.is_probe()),
            "{id}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let profile = Profile::lab();
    let lab = LabEndpoints::start(dir.path(), &profile).await.unwrap();
    let mut c = cfg(None);
    c.trusted_cas.push(lab.ca_der());
    c.concurrency = 8;
    let (h, mut rx, _ch) =
        Monitor::spawn(monitor::targets_from_profile(&profile), c, lab.resolver());
    let s = wait_for(&mut rx, "first round", |s| s.round >= 1).await;
    let ev = probe_items::evaluate(&s, &profile);
    assert_eq!(ev.len(), 8);
    for e in &ev {
        // every pool up: the health checks pass, "services stopped" (38, 40) does not
        let stop_check = matches!(e.checklist, 38 | 40);
        assert_eq!(e.passed, !stop_check, "{e:#?}");
        assert!(e.authoritative);
        assert_eq!(e.detail["deployment"], "lab");
    }
    let certs = ev
        .iter()
        .find(|e| e.item_id == "build.certificates")
        .unwrap();
    assert_eq!(
        certs.detail["certificates"].as_array().unwrap().len(),
        6 + 6
    );

    // Legacy pool stopped: item 28 fails, the others still pass.
    lab.stop_pool("gcpool.contoso.lab").await.unwrap();
    let r0 = rx.borrow().round;
    h.probe_now();
    let s = wait_for(&mut rx, "legacy Down", |s| {
        s.round > r0 && s.pool("gcpool.contoso.lab").unwrap().state == PoolState::Down
    })
    .await;
    let ev = probe_items::evaluate(&s, &profile);
    let legacy = ev
        .iter()
        .find(|e| e.item_id == "coexistence.legacy-serving")
        .unwrap();
    assert!(!legacy.passed);
    assert!(legacy.summary.contains("Down"), "{}", legacy.summary);
    let stopped = ev
        .iter()
        .find(|e| e.item_id == "shutdown.stop-legacy")
        .unwrap();
    assert!(stopped.passed, "{}", stopped.summary);
    // 14, 15, 20, 24 and 57 pass; 28 and 40 do not; 38 does
    assert_eq!(ev.iter().filter(|e| e.passed).count(), 6);

    // One of two PChat servers stopped would be Degraded: still visible (20) but DNS still
    // passes. Simulate on the snapshot: mark one port down.
    let mut degraded = (*s).clone();
    let p = degraded
        .pools
        .iter_mut()
        .find(|p| p.fqdn == "pchatpool.contoso.lab")
        .unwrap();
    p.state = PoolState::Degraded;
    p.servers[1].ports[0].outcome = PortOutcome::Refused;
    p.servers[1].ports[0].cert = None;
    let ev = probe_items::evaluate(&degraded, &profile);
    assert!(
        ev.iter()
            .find(|e| e.item_id == "build.pool-visible")
            .unwrap()
            .passed
    );
    let certs = ev
        .iter()
        .find(|e| e.item_id == "build.certificates")
        .unwrap();
    assert!(!certs.passed);
    assert!(
        certs
            .summary
            .contains("pchat02.contoso.lab:5041: no certificate seen"),
        "{}",
        certs.summary
    );

    // Production: port answers only support 20, 24 and 28.
    let mut prod = profile.clone();
    prod.kind = DeploymentKind::Production;
    let ev = probe_items::evaluate(&s, &prod);
    for e in &ev {
        let expect = matches!(e.checklist, 14 | 15);
        assert_eq!(e.authoritative, expect, "{}", e.item_id);
    }
    // the downtime checks of a production pool only support the operator's tick too
    assert!(ev.iter().any(|e| e.checklist == 38 && !e.authoritative));

    // Before the first round nothing is claimed.
    let (h2, rx2, _c2) = Monitor::spawn(
        monitor::targets_from_profile(&profile),
        cfg(None),
        Resolver::fixed(StaticAnswers::default(), true),
    );
    let unknown = rx2.borrow().clone();
    h2.stop().await;
    if unknown.round == 0 {
        assert!(probe_items::evaluate(&unknown, &profile).is_empty());
    }

    h.stop().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_status_once_on_the_lab() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cfg(None);
    c.concurrency = 8;
    let report = pchat_migrate::status::status_once(&Profile::lab(), dir.path(), c)
        .await
        .unwrap();
    assert!(report.all_up(), "{:#?}", report.snapshot);
    assert_eq!(report.snapshot.round, 1);
    assert_eq!(report.probe_items.len(), 5);
    assert!(report.probe_items.iter().all(|e| e.passed));
    let text = pchat_migrate::status::render_text(&report.snapshot);
    assert!(text.contains("Up        pchatpool.contoso.lab"), "{text}");
    assert!(text.contains("pchat-migrate Lab Root CA"), "{text}");
    let items = pchat_migrate::status::render_items(&report.probe_items);
    assert!(
        items.contains("[28] coexistence.legacy-serving   pass"),
        "{items}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["snapshot"]["pools"][3]["state"], "up");
    assert_eq!(json["probe_items"][0]["item_id"], "build.dns");
    // The endpoints are gone afterwards.
    let addr = json["snapshot"]["pools"][3]["servers"][0]["ports"][0]["address"]
        .as_str()
        .unwrap()
        .parse::<SocketAddr>()
        .unwrap();
    assert!(addr.ip().is_loopback());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_server_counts_as_answering() {
    let ca = LabCa::generate("Test CA").unwrap();
    let now = Utc::now();
    let id = ca
        .issue(&names(&[SERVER, POOL]), now - days(1), now + days(90))
        .unwrap();
    let c = cfg(Some(&ca));

    // TLS 1.3: the client finishes, then the server refuses the missing client certificate.
    let l = Listener::bind(
        "127.0.0.1:0".parse().unwrap(),
        Some(id.mtls_server_config(ca.cert_der()).unwrap()),
        "never sent".into(),
    )
    .await
    .unwrap();
    let p = monitor::probe_target(&target(5041), &resolver_for(l.local_addr(), 5041), &c).await;
    assert_eq!(p.outcome, PortOutcome::Up, "{}", p.detail);
    assert_eq!(p.tls_version.as_deref(), Some("TLSv1_3"));
    assert!(p.detail.contains("mutual TLS"), "{}", p.detail);
    assert_eq!(p.cert.as_ref().unwrap().issuer_trusted, Some(true));
    l.close().await;

    // TLS 1.2: the server ends the handshake itself, after showing its certificate.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.cert_der().to_vec().into()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let tls12 = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![id.cert_der().to_vec().into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(id.key_der().to_vec().into()),
        )
        .unwrap();
    let l = Listener::bind(
        "127.0.0.1:0".parse().unwrap(),
        Some(Arc::new(tls12)),
        "x".into(),
    )
    .await
    .unwrap();
    let p = monitor::probe_target(&target(5041), &resolver_for(l.local_addr(), 5041), &c).await;
    assert_eq!(p.outcome, PortOutcome::Up, "{}", p.detail);
    assert!(
        p.detail
            .contains("presented its certificate, then ended the handshake"),
        "{}",
        p.detail
    );
    assert!(p.cert.as_ref().unwrap().name_matches);
    l.close().await;

    // A plain TCP service on a TLS port: connected, but no certificate.
    let l = Listener::bind("127.0.0.1:0".parse().unwrap(), None, "plain banner".into())
        .await
        .unwrap();
    let p = monitor::probe_target(&target(443), &resolver_for(l.local_addr(), 443), &c).await;
    assert_eq!(p.outcome, PortOutcome::TlsFailed, "{}", p.detail);
    assert!(p.cert.is_none());
    // ... and the same listener probed as a plain TCP port answers.
    let mut plain = target(8011);
    plain.tls = false;
    let p = monitor::probe_target(&plain, &resolver_for(l.local_addr(), 8011), &c).await;
    assert_eq!(p.outcome, PortOutcome::Up, "{}", p.detail);
    l.close().await;
}
