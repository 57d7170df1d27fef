//! The real binary on a data directory it cannot write to, or whose session database is
//! damaged: read-only commands still answer, writing commands stop with exit 2 naming the
//! path, and nothing the admin recorded is touched.

#[path = "common/cli.rs"]
mod cli;
use cli::{run, text};

/// A small lab with one export recorded in the session.
fn lab_with_an_export() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &["lab", "init", "--seed", "3", "--messages", "2000"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(dir.path(), &["export"]);
    assert!(o.status.success(), "{}", text(&o));
    dir
}

/// The log file cannot be created (a folder stands in its place, as on a read-only or full
/// disk): the read-only commands answer anyway; a writing command exits 2 naming the file.
#[test]
fn read_only_commands_work_when_the_log_cannot_be_written() {
    let dir = lab_with_an_export();
    let d = dir.path();
    let log = d.join("logs").join("pchat-migrate.log");
    std::fs::remove_file(&log).unwrap();
    std::fs::create_dir_all(&log).unwrap();
    let package = d.join("lab/exports/GroupChatExport.zip");
    let package = package.to_str().unwrap();

    for args in [
        &["paths"][..],
        &["audit", "list"],
        &["audit", "verify"],
        &["report", "--format", "md"],
        &["runbook", "--stage", "export"],
        &["inspect", package],
        &["status", "--once", "--timeout", "1"],
    ] {
        let o = run(d, args);
        let code = o.status.code();
        assert!(
            code == Some(0) || (args[0] == "status" && code == Some(1)),
            "{args:?} exited {code:?}: {}",
            text(&o)
        );
    }
    let o = run(d, &["audit", "list"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("job-finished"),
        "the export is listed: {}",
        text(&o)
    );

    let o = run(d, &["export"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(&log.display().to_string()),
        "the error names the log file: {}",
        text(&o)
    );
}

/// `audit list`/`verify` and `report` only read: they work while another connection holds
/// the database's write lock (as a full disk refuses every write).
#[test]
fn audit_and_report_never_write_the_session_database() {
    let dir = lab_with_an_export();
    let d = dir.path();
    let db = d.join("sessions.db");
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    for args in [
        &["audit", "list"][..],
        &["audit", "verify"],
        &["report", "--format", "md"],
    ] {
        let o = run(d, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o));
    }
    let o = run(d, &["audit", "verify"]);
    assert!(text(&o).contains("intact"), "{}", text(&o));
    holder.execute_batch("ROLLBACK").unwrap();
}

/// A 0-byte `sessions.db` is refused, named, and left as it is; it never becomes a new,
/// empty session whose audit trail "verifies".
#[test]
fn an_empty_session_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("sessions.db");
    std::fs::write(&db, b"").unwrap();
    for args in [&["audit", "verify"][..], &["sessions"], &["report"]] {
        let o = run(d, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let t = text(&o);
        assert!(
            t.contains(&db.display().to_string()) && t.contains("empty"),
            "{args:?} names the file and the problem: {t}"
        );
        assert!(!t.contains("intact"), "{t}");
    }
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "left as it was");
    assert!(!d.join("sessions.db-wal").exists());

    // A new data directory still starts a database, never a 0-byte one.
    let fresh = tempfile::tempdir().unwrap();
    let o = run(fresh.path(), &["sessions", "--new", "first"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        std::fs::metadata(fresh.path().join("sessions.db"))
            .unwrap()
            .len()
            > 0
    );
}

/// `theme = "purple"` in config.toml is an error naming the file and line, not ignored.
#[test]
fn an_unknown_theme_in_the_config_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("config.toml"),
        "operator = \"ann\"\ntheme = \"purple\"\n",
    )
    .unwrap();
    let o = run(d, &["sessions"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("config.toml:2") && text(&o).contains("purple"),
        "{}",
        text(&o)
    );
}

/// A huge profile is refused by its size before it is read; one that is not UTF-8 names
/// the line of the first bad byte.
#[test]
fn huge_or_non_utf8_profiles_are_refused_with_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let big = d.join("big.toml");
    std::fs::write(&big, format!("name = \"{}\"\n", "x".repeat(8 << 20))).unwrap();
    let o = run(d, &["--profile", big.to_str().unwrap(), "runbook"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("limit for a profile"), "{}", text(&o));
    let latin1 = d.join("latin1.toml");
    std::fs::write(&latin1, b"name = \"lab\"\n# Jos\xe9\nkind = \"lab\"\n").unwrap();
    let o = run(d, &["--profile", latin1.to_str().unwrap(), "runbook"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("latin1.toml line 2") && text(&o).contains("UTF-8"),
        "{}",
        text(&o)
    );
}

/// Diagnostics on a full disk (the `.partial` file is a link to /dev/full): a clear error
/// saying nothing was written, and no `.partial` left behind.
#[cfg(unix)]
#[test]
fn diagnostics_on_a_full_disk_leave_nothing_behind() {
    let dir = lab_with_an_export();
    let d = dir.path();
    let out = d.join("diag.zip");
    let partial = d.join("diag.zip.partial");
    std::os::unix::fs::symlink("/dev/full", &partial).unwrap();
    let o = run(d, &["diagnostics", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("diag.zip") && t.contains("nothing was written"),
        "{t}"
    );
    assert!(!out.exists());
    assert!(
        std::fs::symlink_metadata(&partial).is_err(),
        "the .partial is gone"
    );
}
