//! The wizard against a production profile whose PowerShell is the stand-in shell
//! (`tests/fake-pwsh/pwsh`, which plays back documented output shapes; no real PowerShell or
//! Lync server is involved): before the export runs, the admin sees the exact script, gives
//! the password in a masked field, and the approval (the script's SHA-256) is recorded; the
//! password reaches the shell on standard input only and nothing in the data directory.

#![cfg(unix)]

#[path = "common/gates.rs"]
mod gates;
#[path = "common/setup.rs"]
mod setup;

use std::path::Path;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pchat_migrate::deployment::{LAB_PROFILE_TOML, Profile};
use pchat_migrate::exec::{ExecutorConfig, Remote};
use pchat_migrate::jobs::{JobEnv, JobKind};
use pchat_migrate::progress::NullReporter;
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::{ItemState, Store};
use pchat_migrate::tui::app::{App, AppMsg, Overlay, Pending};
use pchat_migrate::tui::theme::{Theme, ThemeName};
use pchat_migrate::tui::{WizardSetup, build_app};
use tokio::sync::mpsc::UnboundedReceiver;

const PASSWORD: &str = "W1zard-S3cret-\u{e4}\u{f6}-99";

fn key(app: &mut App, code: KeyCode) {
    app.on_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn pump_until(
    app: &mut App,
    rx: &mut UnboundedReceiver<AppMsg>,
    what: &str,
    done: impl Fn(&App) -> bool,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !done(app) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        match rx.try_recv() {
            Ok(m) => app.on_msg(m),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn files_contain(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle)
            {
                hits.push(p.display().to_string());
            }
        }
    }
    hits
}

#[test]
fn production_export_shows_the_script_takes_a_masked_password_and_records_the_approval() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    // The stand-in shell, playing the successful export.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let shell = bin.join("pwsh");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-pwsh/pwsh"),
        &shell,
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(bin.join("scenario"), "export-ok").unwrap();
    // The package the "server" writes, on the share this computer reads.
    let share = dir.path().join("share");
    let lab = pchat_migrate::lab::init(
        &dir.path().join("src-lab"),
        &pchat_migrate::lab::LabSpec {
            messages: 40,
            rooms: 4,
            ..Default::default()
        },
        false,
        &NullReporter::default(),
    )
    .unwrap();
    std::fs::create_dir_all(&share).unwrap();
    let pkg = share.join("GroupChatExport.zip");
    pchat_migrate::chatdata::export(
        &lab.legacy_db,
        &pkg,
        &Default::default(),
        &NullReporter::default(),
    )
    .unwrap();
    std::fs::write(
        bin.join("package_len"),
        std::fs::metadata(&pkg).unwrap().len().to_string(),
    )
    .unwrap();

    let text = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'");
    let profile = Profile::parse(&text, Path::new("prod.toml")).unwrap();
    let cfg = ExecutorConfig {
        shell: shell.display().to_string(),
        remote: Remote::WinRm,
        computer: "pchat01.contoso.lab".into(),
        user: "CONTOSO\\pchatadmin".into(),
        timeout_secs: 60,
        package_share: share.display().to_string(),
        ..ExecutorConfig::default()
    };
    let data = dir.path().join("data");
    let env = JobEnv::production(profile.clone(), cfg, &data);
    let db = data.join("sessions.db");
    let mut store = Store::open(&db).unwrap();
    let session = store
        .create_session("prod", "production", None, "alice")
        .unwrap();
    let (mut app, mut rx) = build_app(WizardSetup {
        theme: Theme::pick(ThemeName::Mono, true),
        mouse: false,
        job_env: Ok(env),
        job_logs_dir: Some(data.join("logs")),
        data_dir: Some(data.clone()),
        ..setup::wizard_setup(
            profile.clone(),
            Runbook::embedded().unwrap(),
            store,
            session,
        )
    })
    .unwrap();
    std::fs::create_dir_all(data.join("logs")).unwrap();

    let item = app.runbook.job_item(JobKind::Export).unwrap().id.clone();
    gates::pass_gates(&mut app, &["export"]);
    app.request(Pending::RunJob(item.clone()));
    let Some(Overlay::Script(review)) = &app.overlay else {
        panic!("no script review before a production job");
    };
    assert!(
        review
            .display
            .contains("Export-CsPersistentChatData -DBInstance 'gcsql.contoso.lab\\GROUPCHAT'"),
        "{}",
        review.display
    );
    assert!(
        review.password.is_some(),
        "WinRM without a saved credential asks for a password"
    );
    // Enter without a password is refused (the credential is incomplete).
    key(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.overlay, Some(Overlay::Script(_))),
        "ran without a password"
    );
    for c in PASSWORD.chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    pump_until(&mut app, &mut rx, "the export to finish", |a| {
        a.finished.contains_key(&item) && !a.pending.contains(&item)
    });
    assert_eq!(
        app.state_of(&item),
        ItemState::Done,
        "{:?}",
        app.finished.get(&item).map(|f| f.summary.clone())
    );
    app.shutdown();
    drop(app);

    // The password went to the shell on stdin and nowhere else.
    let stdin = std::fs::read(bin.join("record/stdin")).unwrap();
    assert!(String::from_utf8_lossy(&stdin).contains(PASSWORD));
    let hits = files_contain(&data, PASSWORD.as_bytes());
    assert!(hits.is_empty(), "the password leaked into {hits:?}");
    let store = Store::open(&db).unwrap();
    let s = store.session("prod").unwrap().unwrap();
    let approvals: Vec<_> = store
        .audit(s.id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "script-approved")
        .collect();
    assert_eq!(approvals.len(), 1);
    assert!(
        approvals[0].detail.as_deref().unwrap().contains("sha256 "),
        "{:?}",
        approvals[0].detail
    );
}
