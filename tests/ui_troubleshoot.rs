//! The troubleshooting screen (tab 4), driven like the admin drives it: open the screen,
//! choose a symptom, press r, and pump the worker and store messages until the results come
//! back. The app is built on a real (in-memory) session store; pool states come from a
//! synthetic monitor snapshot, or from the lab's real loopback endpoints.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pchat_migrate::deployment::{PoolKind, Profile};
use pchat_migrate::lab::endpoints::LabEndpoints;
use pchat_migrate::monitor::{
    DnsStatus, PoolState, PoolStatus, PortOutcome, PortStatus, ServerStatus, StatusSnapshot,
};
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::{EvidenceRecord, Store};
use pchat_migrate::troubleshoot::{CheckKind, CheckResult, CheckStatus};
use pchat_migrate::tui::app::{App, AppMsg};
use pchat_migrate::tui::keymap::Action;
use pchat_migrate::tui::screens::Screen;
use pchat_migrate::tui::{WizardSetup, build_app};
use tokio::sync::mpsc::UnboundedReceiver;

#[path = "common/setup.rs"]
mod setup;
#[macro_use]
#[path = "common/ui.rs"]
mod ui;
use ui::render;

fn app_with(data_dir: Option<std::path::PathBuf>) -> (App, UnboundedReceiver<AppMsg>) {
    let mut store = Store::open_in_memory().unwrap();
    let session = store
        .create_session("rehearsal", "lab", None, "alice")
        .unwrap();
    let _profile = Profile::lab();
    let setup = WizardSetup {
        migration_line: setup::LAB_MIGRATION_LINE.into(),
        data_dir,
        ..setup::wizard_setup(Profile::lab(), Runbook::embedded().unwrap(), store, session)
    };
    let (mut app, rx) = build_app(setup).unwrap();
    app.on_action(Action::GoTo(Screen::Troubleshoot));
    (app, rx)
}

fn port(port: u16, outcome: PortOutcome) -> PortStatus {
    PortStatus {
        port,
        tls: true,
        outcome,
        detail: match outcome {
            PortOutcome::Up => "answers".into(),
            _ => "connection refused".into(),
        },
        dns: DnsStatus::default(),
        address: None,
        connect_ms: Some(1),
        handshake_ms: Some(2),
        tls_version: Some("TLSv1_3".into()),
        cert: None,
        cert_warnings: Vec::new(),
        checked_at: None,
        history: Vec::new(),
    }
}

/// The lab's pools as the monitor would have seen them at 10:00:00 UTC: the Persistent Chat
/// pool in `pchat`, every other pool up.
fn snapshot(pchat: PoolState) -> Arc<StatusSnapshot> {
    let profile = Profile::lab();
    let pools = profile
        .pools
        .iter()
        .map(|p| {
            let state = if p.kind == PoolKind::Lync2013PersistentChat {
                pchat
            } else {
                PoolState::Up
            };
            let outcome = if state == PoolState::Down {
                PortOutcome::Refused
            } else {
                PortOutcome::Up
            };
            PoolStatus {
                fqdn: p.fqdn.clone(),
                kind: p.kind,
                state,
                why: if state == PoolState::Down {
                    "0 of 6 ports answer".into()
                } else {
                    "every port answers".into()
                },
                last_change: None,
                dns: DnsStatus {
                    name: p.fqdn.clone(),
                    ok: true,
                    addresses: vec!["127.0.0.1:5061".parse().unwrap()],
                    error: None,
                },
                servers: p
                    .servers
                    .iter()
                    .map(|s| ServerStatus {
                        fqdn: s.clone(),
                        dns: DnsStatus {
                            name: s.clone(),
                            ok: true,
                            addresses: vec!["127.0.0.1:5061".parse().unwrap()],
                            error: None,
                        },
                        ports: p.ports.iter().map(|&n| port(n, outcome)).collect(),
                        answering: outcome == PortOutcome::Up,
                    })
                    .collect(),
                latency_history_ms: vec![3, 4, 3],
                state_history: vec![state],
                cert_warnings: vec![],
            }
        })
        .collect();
    Arc::new(StatusSnapshot {
        taken_at: chrono::DateTime::from_timestamp(1_735_725_600, 0),
        round: 7,
        round_ms: 12,
        pools,
        dropped_changes: 0,
    })
}

fn select(app: &mut App, id: &str) {
    app.on_action(Action::Top);
    for _ in 0..40 {
        if app.troubleshoot.selected_symptom().unwrap().id == id {
            return;
        }
        app.on_action(Action::Down);
    }
    panic!("no symptom {id} in the list");
}

/// Presses r and applies worker and store messages until the run is recorded (bounded).
fn run_checks(app: &mut App, rx: &mut UnboundedReceiver<AppMsg>) {
    app.on_action(Action::RunChecks);
    assert!(app.troubleshoot.running.is_some(), "r starts a run");
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.troubleshoot.running.is_some() {
        assert!(
            Instant::now() < deadline,
            "the checks did not come back in time"
        );
        match rx.try_recv() {
            Ok(msg) => app.on_msg(msg),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

/// The evidence of an item as the store has it (read on the store thread).
fn stored(app: &App, item: &str) -> Vec<EvidenceRecord> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (sid, item) = (app.session.id, item.to_string());
    app.submit_store(move |store| {
        let _ = tx.send(store.evidence(sid, &item).unwrap());
    });
    rx.recv_timeout(Duration::from_secs(10)).unwrap()
}

fn checks(ev: &EvidenceRecord) -> Vec<CheckResult> {
    serde_json::from_value(ev.evidence.detail["checks"].clone()).unwrap()
}

#[test]
fn pool_state_check_answers_from_the_monitor_and_is_recorded_and_shown() {
    let (mut app, mut rx) = app_with(None);
    app.on_snapshot(snapshot(PoolState::Down));
    select(&mut app, "pool-failed-over");
    run_checks(&mut app, &mut rx);

    let ev = stored(&app, "hadr.pool-state");
    assert_eq!(ev.len(), 1, "one run recorded on the symptom's first item");
    assert_eq!(ev[0].evidence.source, "troubleshoot: pool-failed-over");
    assert_eq!(ev[0].who, "alice");
    assert_eq!(
        ev[0].evidence.passed,
        Some(false),
        "a Down pool fails the run"
    );
    let results = checks(&ev[0]);
    assert_eq!(results[0].status, CheckStatus::Failed);
    assert_eq!(
        results[0].command.as_deref(),
        Some("pool-state pchatpool.contoso.lab")
    );
    assert!(
        results[0]
            .output
            .contains("is Down: 0 of 6 ports answer (from the last monitor round at 10:00:00 UTC)"),
        "{}",
        results[0].output
    );
    assert_eq!(results[1].kind, CheckKind::Cmdlet);
    assert_eq!(results[1].status, CheckStatus::NotRun);
    assert_eq!(
        results[1].output,
        "cmdlet not run: lab deployment; run it on the server: \
         Get-CsPersistentChatState -Identity PersistentChatServer:pchatpool.contoso.lab"
    );
    assert_eq!(results[2].status, CheckStatus::Manual);
    // The app holds what the store holds, and the screen shows it with text markers.
    assert_eq!(app.evidence_of("hadr.pool-state")[0].id, ev[0].id);
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("[FAIL] 1. pool-state pchatpool.contoso.lab"),
        "{screen}"
    );
    assert!(
        screen.contains(
            "[NOT RUN] 2. Get-CsPersistentChatState -Identity PersistentChatServer:pchatpool.contoso.lab"
        ),
        "{screen}"
    );
    assert!(
        screen.contains("✗ The pool state is FailedOver"),
        "{screen}"
    );

    // A pool that answers does not make "Normal" a pass: the monitor cannot see it.
    app.on_snapshot(snapshot(PoolState::Up));
    run_checks(&mut app, &mut rx);
    let ev = stored(&app, "hadr.pool-state");
    assert_eq!(ev.len(), 2);
    let results = checks(&ev[0]);
    assert_eq!(
        results[0].status,
        CheckStatus::Unknown,
        "{}",
        results[0].output
    );
    assert_eq!(ev[0].evidence.passed, None);
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("[?] 1. pool-state pchatpool.contoso.lab"),
        "{screen}"
    );
    assert!(
        screen.contains("? The pool state is FailedOver"),
        "{screen}"
    );
}

#[test]
fn lab_cmdlets_are_not_run_and_show_the_line_to_run_by_hand() {
    let (mut app, mut rx) = app_with(None);
    app.on_snapshot(snapshot(PoolState::Up));
    select(&mut app, "services-not-started");
    // The detail shows the lines filled from the deployment, once per server.
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("PS> Get-CsWindowsService -ComputerName pchat02.contoso.lab"),
        "{screen}"
    );
    run_checks(&mut app, &mut rx);
    let ev = stored(&app, "verify.start");
    let results = checks(&ev[0]);
    let cmdlets: Vec<&CheckResult> = results
        .iter()
        .filter(|r| r.kind == CheckKind::Cmdlet)
        .collect();
    assert_eq!(cmdlets.len(), 3, "two servers and the topology line");
    for r in &cmdlets {
        assert_eq!(r.status, CheckStatus::NotRun, "{r:?}");
        let line = r.command.as_deref().unwrap();
        assert!(!line.contains("{{"), "filled: {line}");
        assert_eq!(
            r.output,
            format!("cmdlet not run: lab deployment; run it on the server: {line}")
        );
    }
    assert_eq!(
        cmdlets[0].command.as_deref(),
        Some("Get-CsWindowsService -ComputerName pchat01.contoso.lab")
    );
    // The probes passed from the monitor's round, yet the run is not a pass: the cmdlets
    // were not run.
    let probes: Vec<&CheckResult> = results
        .iter()
        .filter(|r| r.kind == CheckKind::Probe)
        .collect();
    assert_eq!(probes.len(), 2);
    assert!(
        probes.iter().all(|r| r.status == CheckStatus::Passed),
        "{probes:?}"
    );
    assert!(
        probes[0]
            .output
            .contains("from the last monitor round at 10:00:00 UTC"),
        "{}",
        probes[0].output
    );
    assert_eq!(ev[0].evidence.passed, None);
    assert!(
        ev[0].evidence.summary.contains("3 not run"),
        "{}",
        ev[0].evidence.summary
    );
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("[NOT RUN] 1. Get-CsWindowsService -ComputerName pchat01.contoso.lab"),
        "{screen}"
    );
    assert!(
        screen.contains("[PASS] 2. tcp:5041 pchat01.contoso.lab"),
        "{screen}"
    );
}

#[test]
fn screen_at_both_sizes() {
    let (mut app, mut rx) = app_with(None);
    app.on_snapshot(snapshot(PoolState::Down));
    snap!("troubleshoot_fresh_80x24", render(&mut app, 80, 24));
    select(&mut app, "pool-failed-over");
    run_checks(&mut app, &mut rx);
    snap!("troubleshoot_80x24", render(&mut app, 80, 24));
    snap!("troubleshoot_160x48", render(&mut app, 160, 48));
    // The detail scrolls to its end and back (at 80×24 it does not fit).
    render(&mut app, 80, 24);
    app.on_action(Action::Enter);
    app.on_action(Action::Bottom);
    assert!(app.troubleshoot.scroll > 0);
    let screen = render(&mut app, 80, 24);
    assert!(screen.contains("Source: L13/"), "{screen}");
    app.on_action(Action::Top);
    assert_eq!(app.troubleshoot.scroll, 0);
    app.on_action(Action::Back);
    assert!(!app.troubleshoot.detail_focus);
}

#[test]
fn lab_probes_run_live_against_the_lab_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let lab = rt
        .block_on(LabEndpoints::start(
            &dir.path().join("lab"),
            &Profile::lab(),
        ))
        .unwrap();
    let (mut app, mut rx) = app_with(Some(dir.path().to_path_buf()));
    // The monitor has probed once in this run (so the lab's answer file is current); its
    // snapshot says the pool is down, which the live probes must not repeat.
    let mut snap = (*snapshot(PoolState::Up)).clone();
    for p in &mut snap.pools {
        for s in &mut p.servers {
            for pt in &mut s.ports {
                pt.outcome = PortOutcome::Refused;
            }
        }
    }
    app.on_snapshot(Arc::new(snap));
    select(&mut app, "synthetic-test-timeout-5061");
    run_checks(&mut app, &mut rx);
    let ev = stored(&app, "coexistence.test-room");
    let results = checks(&ev[0]);
    for r in results.iter().take(3) {
        assert_eq!(r.status, CheckStatus::Passed, "{r:?}");
        assert!(r.output.contains("live probe at"), "{}", r.output);
    }
    assert!(
        results[2].output.contains("TLS handshake completes"),
        "{}",
        results[2].output
    );

    // Stop the Front End pool: the same checks now fail.
    rt.block_on(lab.stop_pool("lyncpool.contoso.lab")).unwrap();
    run_checks(&mut app, &mut rx);
    let ev = stored(&app, "coexistence.test-room");
    assert_eq!(ev.len(), 2);
    let results = checks(&ev[0]);
    assert_eq!(
        results[1].command.as_deref(),
        Some("tcp:5061 lyncpool.contoso.lab")
    );
    assert_eq!(results[1].status, CheckStatus::Failed, "{:?}", results[1]);
    assert_eq!(ev[0].evidence.passed, Some(false));
    rt.block_on(lab.shutdown());
}

#[test]
fn the_user_looked_up_on_the_pools_screen_fills_the_user_checks() {
    let (mut app, mut rx) = app_with(None);
    select(&mut app, "users-do-not-see-rooms");
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("No user chosen"), "{screen}");
    assert!(
        screen.contains("PS> Get-CsUser -Identity {{user}} | select"),
        "as written until a user is chosen: {screen}"
    );
    app.pools.lookup(&mut app.ctx, "pilot01@contoso.lab");
    let screen = render(&mut app, 160, 48);
    assert!(
        screen.contains("sip:pilot01@contoso.lab (the last lookup"),
        "{screen}"
    );
    run_checks(&mut app, &mut rx);
    let ev = stored(&app, "enable.policy");
    let results = checks(&ev[0]);
    assert_eq!(
        results[0].command.as_deref(),
        Some(
            "Get-CsUser -Identity sip:pilot01@contoso.lab | select RegistrarPool,PersistentChatPolicy"
        )
    );
    assert_eq!(results[0].status, CheckStatus::NotRun);
    assert!(
        results.iter().all(|r| r.status != CheckStatus::Passed),
        "{results:?}"
    );
}

/// A stand-in shell that plays back the service status task: pchat01's services running,
/// pchat02's stopped; it counts its runs in `runs` next to itself.
#[cfg(unix)]
fn fake_services_shell(dir: &std::path::Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("pwsh");
    let script = r#"#!/usr/bin/env bash
here="$(cd "$(dirname "$0")" && pwd)"
echo run >> "$here/runs"
cat > /dev/null
enc=""; prev=""
for a in "$@"; do
  if [ "$prev" = "-EncodedCommand" ]; then enc="$a"; fi
  prev="$a"
done
dec="$(printf '%s' "$enc" | base64 -d 2>/dev/null | tr -d '\000')"
mark="$(printf '%s' "$dec" | grep -ao '@@pcm-[0-9a-f]\{16\}' | head -n 1)"
say() { printf '%s %s\n' "$mark" "$*"; }
if printf '%s' "$dec" | grep -q "check data"; then
  say "BEGIN 2/2 check data"
  say 'JSON check {"Identity":"PersistentChatServer:pchatpool.contoso.lab","PoolFqdn":"pchatpool.contoso.lab"}'
  say "END 2/2 check"
  say DONE
  exit 0
fi
say "BEGIN 1/3 pool data"
say 'JSON pool {"Identity":"PersistentChatServer:pchatpool.contoso.lab","PoolFqdn":"pchatpool.contoso.lab"}'
say "END 1/3 pool"
n=2
for st in Running Stopped; do
  say "BEGIN $n/3 services-$((n-1)) data"
  for s in RTCCHAT RTCCOMPLIANCE; do
    say "JSON services-$((n-1)) {\"Name\":\"$s\",\"DisplayName\":\"Lync Server $s\",\"Status\":\"$st\"}"
  done
  say "END $n/3 services-$((n-1))"
  n=$((n+1))
done
say DONE
"#;
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[cfg(unix)]
#[test]
fn production_runs_services_through_their_task_and_other_lines_through_the_check_task() {
    use pchat_migrate::exec::{ExecutorConfig, Remote};
    use pchat_migrate::jobs::JobEnv;
    let dir = tempfile::tempdir().unwrap();
    let shell = fake_services_shell(dir.path());
    let text = pchat_migrate::deployment::LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'");
    let profile = Profile::parse(&text, std::path::Path::new("test.toml")).unwrap();
    let cfg = ExecutorConfig {
        shell,
        remote: Remote::None,
        timeout_secs: 60,
        ..ExecutorConfig::default()
    };
    let env = JobEnv::production(profile.clone(), cfg, &dir.path().join("data"));
    let mut store = Store::open_in_memory().unwrap();
    let session = store
        .create_session("cutover", "production", None, "bob")
        .unwrap();
    let (mut app, mut rx) = build_app(WizardSetup {
        mouse: false,
        job_env: Ok(env),
        ..setup::wizard_setup(profile, Runbook::embedded().unwrap(), store, session)
    })
    .unwrap();
    app.on_action(Action::GoTo(Screen::Troubleshoot));
    select(&mut app, "services-not-started");
    run_checks(&mut app, &mut rx);
    let ev = stored(&app, "verify.start");
    let results = checks(&ev[0]);
    let cmdlet = |n: usize| {
        results
            .iter()
            .filter(|r| r.kind == CheckKind::Cmdlet)
            .nth(n)
            .unwrap()
    };
    assert_eq!(cmdlet(0).status, CheckStatus::Passed, "{:?}", cmdlet(0));
    assert!(
        cmdlet(0).output.contains("service status task"),
        "{:?}",
        cmdlet(0)
    );
    assert_eq!(cmdlet(1).status, CheckStatus::Failed, "{:?}", cmdlet(1));
    assert!(
        cmdlet(1).output.contains("RTCCHAT Stopped"),
        "{:?}",
        cmdlet(1)
    );
    // Any other read-only line runs through the check task: what it returned is shown, the
    // verdict is the admin's.
    assert_eq!(cmdlet(2).status, CheckStatus::Unknown, "{:?}", cmdlet(2));
    assert!(
        cmdlet(2)
            .output
            .starts_with("ran through the executor; 1 object(s)")
            && cmdlet(2)
                .output
                .contains("PersistentChatServer:pchatpool.contoso.lab"),
        "{:?}",
        cmdlet(2)
    );
    let runs = std::fs::read_to_string(dir.path().join("runs")).unwrap();
    assert_eq!(
        runs.lines().count(),
        2,
        "one service task run answers both servers, one check task run"
    );
    assert_eq!(ev[0].evidence.passed, Some(false));
    // A line that changes something (the import's -WhatIf writes a report) is not run.
    select(&mut app, "import-warnings");
    run_checks(&mut app, &mut rx);
    let ev = stored(&app, "import.fix-warnings");
    let results = checks(&ev[0]);
    let first = results
        .iter()
        .find(|r| r.kind == CheckKind::Cmdlet)
        .unwrap();
    assert_eq!(first.status, CheckStatus::NotRun, "{first:?}");
    assert!(
        first.output.contains("read-only catalog cmdlets"),
        "{first:?}"
    );
    let runs = std::fs::read_to_string(dir.path().join("runs")).unwrap();
    assert_eq!(runs.lines().count(), 2, "nothing ran for it");
}

/// A paste on the screen (bracketed paste, no dialog) ranks the symptoms: the list shows
/// the matches with their scores and why, the detail says why it matched; esc gives the
/// whole catalog back. Text that fits nothing shows the closest candidates.
#[test]
fn pasted_error_ranks_the_symptoms_and_esc_clears_it() {
    let (mut app, _rx) = app_with(None);
    app.on_event(crossterm::event::Event::Paste(
        "Log Name: Lync Server\nSource: LS Persistent Chat Server\nEvent ID: 53530\nThe Persistent Chat database connection was lost.".into(),
    ));
    let q = app.troubleshoot.query.clone().expect("a query");
    assert!(!q.no_match);
    assert_eq!(q.ranked[0].0, "pchat-db-connection-lost");
    let screen = render(&mut app, 160, 48);
    assert!(screen.contains("Matching symptoms"), "{screen}");
    assert!(screen.contains("Why it matched"), "{screen}");
    snap!("troubleshoot_match_80x24", render(&mut app, 80, 24));
    app.on_action(Action::Back);
    assert!(app.troubleshoot.query.is_none());
    // Typed through the dialog: p, the text, enter.
    app.on_action(Action::MatchText);
    app.on_event(crossterm::event::Event::Paste(
        "the database is slow".into(),
    ));
    app.on_event(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter),
    ));
    let q = app.troubleshoot.query.clone().expect("a query");
    assert!(q.no_match, "{q:?}");
    assert!(!q.ranked.is_empty());
    assert!(render(&mut app, 160, 48).contains("No match"));
}

/// e reads an event log on a worker thread; the report's symptoms become the list.
#[test]
fn event_log_file_is_read_off_the_ui_task_and_matched() {
    let (mut app, mut rx) = app_with(None);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("events.json");
    std::fs::write(
        &f,
        r#"[{"Id":18456,"ProviderName":"MSSQLSERVER","LogName":"Application","MachineName":"sql","LevelDisplayName":"Error","TimeCreated":"2024-05-04T10:00:00Z","Message":"Login failed for user 'CONTOSO\\PCHAT01$'."}]"#,
    )
    .unwrap();
    app.on_action(Action::ReadEventLog);
    app.on_event(crossterm::event::Event::Paste(f.display().to_string()));
    app.on_event(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter),
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.troubleshoot.reading.is_some() && Instant::now() < deadline {
        if let Ok(msg) = rx.try_recv() {
            app.on_msg(msg);
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let q = app.troubleshoot.query.clone().expect("the report");
    assert_eq!(q.ranked[0].0, "sql-login-failed", "{q:?}");
    assert!(q.ranked[0].2[0].contains("event 18456"), "{q:?}");
}

/// e with a number of hours: in production the servers' logs are pulled through the
/// executor (the stand-in shell plays the events task back) and matched; in the lab the
/// screen says a production profile is needed.
#[cfg(unix)]
#[test]
fn event_pull_from_the_screen_in_production_and_not_in_the_lab() {
    use pchat_migrate::exec::{ExecutorConfig, Remote};
    use pchat_migrate::jobs::JobEnv;
    use std::os::unix::fs::PermissionsExt;
    let enter = || {
        crossterm::event::Event::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        ))
    };
    let (mut lab, _rx) = app_with(None);
    lab.on_action(Action::ReadEventLog);
    lab.on_event(crossterm::event::Event::Paste("24".into()));
    lab.on_event(enter());
    assert!(lab.troubleshoot.reading.is_none());
    let status = lab
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("production profile"), "{status}");

    let dir = tempfile::tempdir().unwrap();
    let shell = dir.path().join("pwsh");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-pwsh/pwsh"),
        &shell,
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("scenario"), "events").unwrap();
    let text = pchat_migrate::deployment::LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'");
    let profile = Profile::parse(&text, std::path::Path::new("test.toml")).unwrap();
    let cfg = ExecutorConfig {
        shell: shell.display().to_string(),
        remote: Remote::None,
        timeout_secs: 60,
        ..ExecutorConfig::default()
    };
    let env = JobEnv::production(profile.clone(), cfg, &dir.path().join("data"));
    let mut store = Store::open_in_memory().unwrap();
    let session = store
        .create_session("cutover", "production", None, "bob")
        .unwrap();
    let (mut app, mut rx) = build_app(WizardSetup {
        mouse: false,
        job_env: Ok(env),
        ..setup::wizard_setup(profile, Runbook::embedded().unwrap(), store, session)
    })
    .unwrap();
    app.on_action(Action::GoTo(Screen::Troubleshoot));
    app.on_action(Action::ReadEventLog);
    app.on_event(crossterm::event::Event::Paste("48".into()));
    app.on_event(enter());
    assert!(app.troubleshoot.reading.is_some(), "off the UI task");
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.troubleshoot.reading.is_some() && Instant::now() < deadline {
        if let Ok(msg) = rx.try_recv() {
            app.on_msg(msg);
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let q = app.troubleshoot.query.clone().expect("the pulled report");
    let ids: Vec<&str> = q.ranked.iter().map(|(id, _, _)| id.as_str()).collect();
    for want in [
        "pchat-db-connection-lost",
        "msmq-compliance",
        "lookup-mpop-disconnect",
    ] {
        assert!(ids.contains(&want), "{want}: {ids:?}");
    }
}
