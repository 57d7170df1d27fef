//! The headless commands on a production profile whose PowerShell is the stand-in shell
//! (`tests/fake-pwsh/pwsh`; no real PowerShell or Lync server is involved): export,
//! `-WhatIf`, the gated import and verify run the executor from the command line, their
//! results land in the session, and the import refuses to run without its typed word.

#![cfg(unix)]

use std::path::Path;

use pchat_migrate::deployment::LAB_PROFILE_TOML;
use pchat_migrate::progress::NullReporter;

#[path = "common/cli.rs"]
mod cli;
use cli::{run_production as run, text};

#[test]
fn production_jobs_run_headless_through_the_executor() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let shell = bin.join("pwsh");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-pwsh/pwsh"),
        &shell,
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The "server's" work folder as this computer sees it, with the package the export writes.
    let share = dir.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
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
    let profile = dir.path().join("prod.toml");
    let text_profile = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'")
        + &format!(
            "\n[executor]\nshell = '{}'\nremote = \"winrm\"\ncomputer = \"pchat01.contoso.lab\"\ncredential = 'C:\\creds\\pchat.xml'\ntimeout_secs = 60\npackage_share = '{}'\n",
            shell.display(),
            share.display()
        );
    std::fs::write(&profile, text_profile).unwrap();
    let data = dir.path().join("data");

    let o = run(&data, &profile, "export-ok", &["export"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&data, &profile, "progress", &["import", "--what-if"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("imported room 5 of 5"),
        "the log streamed: {}",
        text(&o)
    );
    // The real import changes the deployment: without its word it does not run.
    let o = run(&data, &profile, "done", &["import", "--accept-warnings"]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("IMPORT"), "{}", text(&o));
    // This scenario answers the cmdlet checks but not the row reads: a verify that did not
    // compare the databases does not pass, and says why (the full comparison is rehearsed in
    // tests/production_rehearsal.rs).
    let o = run(&data, &profile, "verify-ok", &["verify", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], false);
    assert!(
        v["summary"]
            .as_str()
            .unwrap()
            .contains("row reads did not run"),
        "{}",
        v["summary"]
    );
    assert!(
        v["detail"]["checks"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );

    // Everything is in the production session.
    let o = run(&data, &profile, "done", &["audit", "list"]);
    let audit = text(&o);
    for kind in ["job-started", "job-finished", "evidence-added"] {
        assert!(audit.contains(kind), "{kind} missing: {audit}");
    }
    // A server the services probe could not ask (an error record) fails the probe.
    let o = run(&data, &profile, "services-error", &["probe", "services"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("pchat02"), "{}", text(&o));

    let recorded = std::fs::read(bin.join("record/argv")).unwrap();
    assert!(String::from_utf8_lossy(&recorded).contains("-EncodedCommand"));
}
