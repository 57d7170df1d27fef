//! The headless commands, run as the real binary against a lab in a temp data directory:
//! export → -WhatIf → import (gated on the acknowledgement) → verify, their exit codes and
//! JSON, and that the results land in the same session the wizard opens.

#[path = "common/cli.rs"]
mod cli;
use cli::{run, text};

#[test]
fn export_preview_import_verify_headless() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let o = run(d, &["lab", "init", "--seed", "7"]);
    assert!(o.status.success(), "{}", text(&o));

    // The import refuses to run before a preview.
    let o = run(d, &["export"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(d, &["import"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("-WhatIf"), "{}", text(&o));

    let o = run(d, &["import", "--what-if", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["kind"], "import-whatif");
    let warnings = v["detail"]["warnings"].as_array().unwrap().len();
    assert!(warnings > 0, "the lab raises warnings");

    // Warnings must be acknowledged before the real import.
    let o = run(d, &["import"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--accept-warnings"), "{}", text(&o));
    let o = run(d, &["import", "--accept-warnings"]);
    assert!(o.status.success(), "{}", text(&o));

    let out = d.join("verify.json");
    let o = run(d, &["verify", "--json", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], true);
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(file["passed"], true);

    // Alter one message in the target: verify fails (exit 1) and names the room.
    let mgc = rusqlite::Connection::open(d.join("lab").join("mgc.db")).unwrap();
    let (room, channel): (String, i64) = mgc
        .query_row(
            "SELECT n.nodeName, c.channelId FROM tblChat c JOIN tblNode n ON n.nodeID = c.channelId ORDER BY c.channelId, c.chatId LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    mgc.execute(
        "UPDATE tblChat SET content = content || ' (edited)' WHERE channelId = ?1 AND chatId = (SELECT MIN(chatId) FROM tblChat WHERE channelId = ?1)",
        [channel],
    )
    .unwrap();
    drop(mgc);
    let o = run(d, &["verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(&room),
        "verify did not name room {room}:\n{}",
        text(&o)
    );

    // The session has it all, and the audit trail is intact.
    let o = run(d, &["sessions"]);
    assert!(text(&o).contains("lab"), "{}", text(&o));
    let o = run(d, &["audit", "list"]);
    let audit = text(&o);
    assert!(audit.contains("whatif-acknowledged"), "{audit}");
    assert!(audit.contains("ci-operator"), "{audit}");
    let o = run(d, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn bad_profile_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("prod.toml");
    std::fs::write(
        &profile,
        "name = \"x\"\nkind = \"production\"\nsip_domain = 5\n",
    )
    .unwrap();
    let o = run(
        dir.path(),
        &["--profile", profile.to_str().unwrap(), "runbook"],
    );
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(t.contains("prod.toml:3:"), "{t}");
}

#[cfg(unix)]
#[test]
fn output_cut_short_by_a_pipe_exits_quietly() {
    // a one-page pipe is smaller than the runbook's ~20 KB
    let dir = tempfile::tempdir().unwrap();
    let err = cli::stderr_when_cut_short(dir.path(), &["runbook"]);
    assert!(!err.contains("panicked"), "{err}");
}

/// Issue 10 §2 headless, on a named-size lab (which holds one over-long room name): the
/// preview's errors and warnings apart, the import refused until each loss is accepted by
/// name, verify passing with the loss listed, and the report's verdict after it.
#[test]
fn a_refused_room_is_an_accepted_loss_headless() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(d, &["lab", "init", "--size", "small"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(d, &["export"]);
    assert!(o.status.success(), "{}", text(&o));

    let o = run(d, &["import", "--what-if", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "errors are a finding: {}",
        text(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], 1, "{v}");
    let warnings = v["warnings"].as_u64().unwrap();
    assert!(warnings > 0);
    let all = v["detail"]["warnings"].as_array().unwrap();
    assert_eq!(
        all.iter().filter(|w| w["severity"] == "warning").count() as u64,
        warnings,
        "the count is the list"
    );
    assert_eq!(
        v["errors"].as_u64().unwrap() + warnings + v["notes"].as_u64().unwrap(),
        all.len() as u64
    );
    let room = all.iter().find(|w| w["severity"] == "error").unwrap()["item"]
        .as_str()
        .unwrap()
        .to_string();

    // --accept-warnings alone refuses, naming the room.
    let o = run(d, &["import", "--accept-warnings"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains(&room), "{}", text(&o));
    assert!(text(&o).contains("--accept-losses"), "{}", text(&o));

    let o = run(d, &["import", "--accept-warnings", "--accept-losses"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("accepting the loss of name-too-long"),
        "{}",
        text(&o)
    );

    let o = run(d, &["verify", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], true, "{}", v["summary"]);
    let losses = v["detail"]["accepted_losses"].as_array().unwrap();
    assert_eq!(losses.len(), 1);
    assert_eq!(losses[0]["item"], room.as_str());
    assert_eq!(losses[0]["code"], "name-too-long");

    // The audit trail has the acceptance; the report states the verdict with its reasons.
    let o = run(d, &["audit", "list"]);
    assert!(text(&o).contains("loss-accepted"), "{}", text(&o));
    let o = run(d, &["report"]);
    let md = String::from_utf8_lossy(&o.stdout).to_string();
    let verdict = md
        .find("## Verdict")
        .expect("the report ends with a verdict");
    assert!(verdict > md.find("## Audit trail").unwrap());
    assert!(md[verdict..].contains("NOT READY"), "{}", &md[verdict..]);
    assert!(
        md[verdict..].contains("items of stages 0–9 are open"),
        "{}",
        &md[verdict..]
    );
    assert!(!md[verdict..].contains("no verify"), "{}", &md[verdict..]);
    assert!(md.contains("1 error (items not imported; 1 accepted by name as losses)"));
}

#[test]
fn a_lab_reset_is_recorded_and_voids_what_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        let o = run(d, args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        text(&o)
    };
    ok(&["lab", "init", "--seed", "7"]);
    ok(&["export"]);
    ok(&["import", "--what-if"]);
    ok(&["import", "--accept-warnings"]);
    ok(&["verify"]);
    assert!(ok(&["report"]).contains("**Verification:** **passed**: "));

    // While the session database is locked (a wizard is open) the reset is refused and the
    // target keeps its rows: a reset the sessions cannot record does not happen.
    let mgc = d.join("lab").join("mgc.db");
    let rows = || -> i64 {
        rusqlite::Connection::open(&mgc)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM tblChat", [], |r| r.get(0))
            .unwrap()
    };
    let before = rows();
    assert!(before > 0);
    {
        let lock = rusqlite::Connection::open(d.join("sessions.db")).unwrap();
        lock.execute_batch("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE;")
            .unwrap();
        let o = run(d, &["lab", "reset-target"]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains("the lab was left as it was"),
            "{}",
            text(&o)
        );
        assert_eq!(rows(), before);
    }

    let out = ok(&["lab", "reset-target"]);
    assert!(out.contains("recorded in the lab sessions (lab)"), "{out}");
    assert_eq!(rows(), 0);
    let report = ok(&["report"]);
    for want in [
        "— stale: the lab's mgc database was emptied after this verify (lab reset-target)",
        "- the import is not done: the lab's mgc database was emptied after this import (lab reset-target): import again",
        "no longer describes the target: the lab's mgc database was emptied after this verify",
        "**[48] Import for real** (`import.run`): **todo**",
    ] {
        assert!(report.contains(want), "{want}\n{report}");
    }
    // the preview still stands: import and verify again, and they count
    let first = ok(&["import"]);
    assert!(first.starts_with("imported "), "{first}");
    // A second run writes nothing and its evidence says so.
    let again = ok(&["import"]);
    assert!(
        again.contains("already imported before, nothing written by this run (target checked)"),
        "{again}"
    );
    ok(&["verify"]);
    let report = ok(&["report"]);
    assert!(!report.contains("stale"), "{report}");

    // init --force replaces the legacy data too: the preview no longer stands either.
    let out = ok(&["lab", "init", "--force", "--seed", "8"]);
    assert!(
        out.contains("the export, the -WhatIf, the import and the verify"),
        "{out}"
    );
    let o = run(d, &["import"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no longer stands"), "{}", text(&o));
    let report = ok(&["report"]);
    assert!(
        report.contains("**[42] Export the legacy Group Chat data** (`export.run`): **todo**"),
        "{report}"
    );
    // A lab folder removed by hand and created again by the next command is a re-creation
    // too: the import made before it no longer stands.
    ok(&["export"]);
    ok(&["import", "--what-if"]);
    ok(&["import", "--accept-warnings"]);
    std::fs::remove_dir_all(d.join("lab")).unwrap();
    let out = ok(&["export"]);
    assert!(
        out.contains("The lab is missing: creating the lab deployment"),
        "{out}"
    );
    assert!(out.contains("recorded in the lab sessions (lab)"), "{out}");
    let report = ok(&["report"]);
    assert!(
        report.contains("**[48] Import for real** (`import.run`): **todo**"),
        "{report}"
    );
    assert!(ok(&["audit", "list"]).contains("lab reset"));
    ok(&["audit", "verify"]);
}

#[test]
fn a_package_removed_after_the_export_unticks_the_package_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [&["lab", "init", "--seed", "7"][..], &["export"]] {
        let o = run(d, args);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
    }
    let item44 = "**[44] Check the export package and inspect its contents** (`export.file`): ";
    let report = || text(&run(d, &["report"]));
    assert!(
        report().contains(&format!("{item44}**done**")),
        "{}",
        report()
    );
    let package = d.join("lab").join("exports").join("GroupChatExport.zip");
    std::fs::remove_file(&package).unwrap();
    let r = report();
    assert!(r.contains(&format!("{item44}**todo**")), "{r}");
    assert!(
        r.contains(&format!(
            "proof stale: the package {} is no longer on disk: export again",
            package.display()
        )),
        "{r}"
    );
}
