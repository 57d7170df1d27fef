//! End to end on real SQLite files: lab → export → import (what-if, real) → verify, and the
//! failure modes that matter (altered content, lost role, rerun, cancellation, bad package).

#[path = "common/lab.rs"]
mod lab_common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use lab_common::{RecordingReporter, dump};
use pchat_migrate::chatdata::{
    self, ChatDataError, ExportLevel, ExportOptions, ImportOptions, VerifyOptions, ticks,
};
use pchat_migrate::lab::{self, LabPaths, LabSpec};
use pchat_migrate::progress::NullReporter;

fn small_lab(dir: &Path) -> LabPaths {
    let t = Instant::now();
    // the rehearsal lab: small, without the over-long names the import refuses
    let paths = lab::init(dir, &LabSpec::default(), false, &NullReporter::default()).unwrap();
    eprintln!("lab init (small): {} ms", t.elapsed().as_millis());
    paths
}

fn export_all(paths: &LabPaths) -> PathBuf {
    let zip = paths.export_dir.join("GroupChatExport.zip");
    let t = Instant::now();
    let s = chatdata::export(
        &paths.legacy_db,
        &zip,
        &ExportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    let ms = t.elapsed().as_millis().max(1);
    eprintln!(
        "export: {} messages in {ms} ms ({} msg/s), {} bytes",
        s.messages,
        s.messages as u128 * 1000 / ms,
        s.bytes
    );
    assert_eq!(s.package, zip);
    assert_eq!(s.messages, 20_000);
    assert!(
        s.rooms == 60 && s.categories > 5 && s.users > 200 && s.groups > 0 && s.disabled_rooms > 0,
        "{s:?}"
    );
    zip
}

fn copy_db(src: &Path, dir: &Path, name: &str) -> PathBuf {
    let dst = dir.join(name);
    std::fs::copy(src, &dst).unwrap();
    dst
}

#[test]
fn lab_export_import_verify_and_detect_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let paths = small_lab(dir.path());
    let zip = export_all(&paths);

    // what-if writes nothing but reports what would happen
    let before = dump(&paths.mgc_db);
    let wi = chatdata::import(
        &zip,
        &paths.mgc_db,
        &ImportOptions {
            what_if: true,
            ..ImportOptions::default()
        },
        &NullReporter::default(),
    )
    .unwrap();
    assert!(wi.what_if);
    assert_eq!(dump(&paths.mgc_db), before, "what-if must not write");
    assert_eq!(wi.messages, 20_000);
    for code in [
        "invite-forced-off",
        "federated-principal",
        "topic-dropped",
        "file-posts",
        "root-manager",
        "flattened-category",
    ] {
        assert!(
            wi.warnings.iter().any(|w| w.code == code),
            "missing {code}: {:?}",
            wi.warnings
        );
    }
    assert!(wi.overwritten.is_empty());

    // the real import
    let t = Instant::now();
    let s = chatdata::import(
        &zip,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    let ms = t.elapsed().as_millis().max(1);
    eprintln!(
        "import: {} messages in {ms} ms ({} msg/s)",
        s.messages,
        s.messages as u128 * 1000 / ms
    );
    assert!(!s.what_if);
    assert_eq!((s.messages, s.messages_skipped, s.rooms), (20_000, 0, 60));
    assert_eq!(s.warnings, wi.warnings);

    // verify passes with zero differences
    let t = Instant::now();
    let rep = chatdata::verify(
        &paths.legacy_db,
        &paths.mgc_db,
        &VerifyOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    let ms = t.elapsed().as_millis().max(1);
    eprintln!(
        "verify: {} messages in {ms} ms ({} msg/s)",
        rep.messages_compared,
        rep.messages_compared as u128 * 1000 / ms
    );
    assert!(rep.passed, "{}", rep.to_table());
    assert!(rep.differences.is_empty());
    assert_eq!((rep.rooms_compared, rep.messages_compared), (60, 20_000));
    assert!(rep.categories_compared > 5);
    assert!(rep.target_only.is_empty(), "{:?}", rep.target_only);

    // alter one message's content → verify fails naming the room and the field
    let altered = copy_db(&paths.mgc_db, dir.path(), "altered.db");
    let room: String = {
        let c = rusqlite::Connection::open(&altered).unwrap();
        let (channel, chat): (i64, i64) = c
            .query_row("SELECT channelId, chatId FROM tblChat ORDER BY channelId, chatId LIMIT 1 OFFSET 777", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        c.execute(
            "UPDATE tblChat SET content = content || ' (edited)' WHERE channelId=?1 AND chatId=?2",
            [channel, chat],
        )
        .unwrap();
        c.query_row(
            "SELECT nodeName FROM tblNode WHERE nodeID=?1",
            [channel],
            |r| r.get(0),
        )
        .unwrap()
    };
    let rep = chatdata::verify(
        &paths.legacy_db,
        &altered,
        &VerifyOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    assert!(!rep.passed);
    assert!(
        rep.differences.iter().all(|d| d.name == room),
        "{}",
        rep.to_table()
    );
    assert!(
        rep.differences
            .iter()
            .any(|d| d.kind == "room" && d.field == "content digest")
    );
    let msg = rep
        .differences
        .iter()
        .find(|d| d.field.starts_with("message content"))
        .unwrap_or_else(|| panic!("{}", rep.to_table()));
    assert!(msg.actual.contains("(edited)"), "{msg:?}");
    assert!(rep.to_table().contains(&room));

    // delete a room's manager role → the difference names the room
    let no_manager = copy_db(&paths.mgc_db, dir.path(), "nomanager.db");
    let room: String = {
        let c = rusqlite::Connection::open(&no_manager).unwrap();
        let (node, prin): (i64, i64) = c
            .query_row(
                "SELECT r.prinRoleNodeID, r.prinRolePrinID FROM tblPrincipalRole r JOIN tblRoleType t ON t.rtypeID=r.prinRoleTypeID \
                 JOIN tblNode n ON n.nodeID = r.prinRoleNodeID WHERE t.rtypeDesc='Manager' AND n.nodeType=0 ORDER BY 1,2 LIMIT 1 OFFSET 5",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        c.execute(
            "DELETE FROM tblPrincipalRole WHERE prinRoleNodeID=?1 AND prinRolePrinID=?2 AND prinRoleTypeID=(SELECT rtypeID FROM tblRoleType WHERE rtypeDesc='Manager')",
            [node, prin],
        )
        .unwrap();
        c.query_row(
            "SELECT nodeName FROM tblNode WHERE nodeID=?1",
            [node],
            |r| r.get(0),
        )
        .unwrap()
    };
    let rep = chatdata::verify(
        &paths.legacy_db,
        &no_manager,
        &VerifyOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    assert!(!rep.passed);
    assert_eq!(rep.differences.len(), 1, "{}", rep.to_table());
    let d = &rep.differences[0];
    assert_eq!(
        (
            d.kind.as_str(),
            d.name.as_str(),
            d.field.as_str(),
            d.actual.as_str()
        ),
        ("principal", room.as_str(), "manager", "missing")
    );

    // a lost message is a difference too
    let lost = copy_db(&paths.mgc_db, dir.path(), "lost.db");
    {
        let c = rusqlite::Connection::open(&lost).unwrap();
        c.execute("DELETE FROM tblChat WHERE (channelId, chatId) = (SELECT channelId, MAX(chatId) FROM tblChat GROUP BY channelId ORDER BY 1 LIMIT 1)", [])
            .unwrap();
    }
    let rep = chatdata::verify(
        &paths.legacy_db,
        &lost,
        &VerifyOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    assert!(
        rep.differences.iter().any(|d| d.field == "messages"),
        "{}",
        rep.to_table()
    );
}

#[test]
fn rerunning_the_import_gives_an_identical_database() {
    let dir = tempfile::tempdir().unwrap();
    let paths = small_lab(dir.path());
    let zip = export_all(&paths);
    let first = chatdata::import(
        &zip,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    assert!(first.overwritten.is_empty());
    assert!(!first.already_complete && !first.resumed && first.batches > 0);
    let once = dump(&paths.mgc_db);
    let bytes = std::fs::read(&paths.mgc_db).unwrap();
    let second = chatdata::import(
        &zip,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    assert_eq!(
        dump(&paths.mgc_db),
        once,
        "a second import must leave the same database"
    );
    assert_eq!(
        std::fs::read(&paths.mgc_db).unwrap(),
        bytes,
        "nothing written"
    );
    // the second run recognised the finished import, checked it and wrote nothing
    assert!(second.already_complete && second.batches == 0, "{second:?}");
    assert_eq!(
        (second.messages, second.rooms, &second.warnings),
        (first.messages, first.rooms, &first.warnings)
    );
}

#[test]
fn cancelled_export_leaves_no_package_and_cancelled_import_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let paths = small_lab(dir.path());
    let zip = paths.export_dir.join("cancelled.zip");
    let r = RecordingReporter::cancelling_after(1);
    let err = chatdata::export(&paths.legacy_db, &zip, &ExportOptions::default(), &r).unwrap_err();
    assert!(matches!(err, ChatDataError::Cancelled(_)), "{err}");
    assert!(!zip.exists());
    assert_eq!(
        std::fs::read_dir(&paths.export_dir).unwrap().count(),
        0,
        "no partial file left"
    );

    let zip = export_all(&paths);
    let reference = copy_db(&paths.mgc_db, dir.path(), "reference.db");
    let small_batches = ImportOptions {
        batch_messages: 2_000,
        ..ImportOptions::default()
    };
    chatdata::import(&zip, &reference, &small_batches, &NullReporter::default()).unwrap();
    let want = dump(&reference);

    // cancelled while reading the package (its first progress sample): nothing written
    let before = dump(&paths.mgc_db);
    let r = RecordingReporter::cancelling_after(1);
    let err = chatdata::import(&zip, &paths.mgc_db, &small_batches, &r).unwrap_err();
    assert!(
        matches!(&err, ChatDataError::Cancelled(c) if c.left == pchat_migrate::chatdata::Left::Nothing),
        "{err}"
    );
    assert_eq!(dump(&paths.mgc_db), before);
    // cancelled while publishing (reading reports once per content file): a checkpoint
    let r = RecordingReporter::cancelling_after(4);
    let err = chatdata::import(&zip, &paths.mgc_db, &small_batches, &r).unwrap_err();
    // What the cancel says it left is what the target holds.
    let ChatDataError::Cancelled(c) = &err else {
        panic!("{err}");
    };
    let pchat_migrate::chatdata::Left::PartialImport {
        messages, total, ..
    } = c.left
    else {
        panic!("a cancel while publishing must report a partial import: {c:?}");
    };
    let conn = rusqlite::Connection::open(&paths.mgc_db).unwrap();
    let held: u64 = conn
        .query_row("SELECT COUNT(*) FROM tblChat", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64;
    drop(conn);
    assert_eq!(messages, held, "the cancel misstates what was written");
    assert!(messages > 0 && messages < total, "{c:?}");
    assert_ne!(
        dump(&paths.mgc_db),
        before,
        "part of the import is committed"
    );
    // run again: it resumes and ends exactly like an uninterrupted import
    let s = chatdata::import(
        &zip,
        &paths.mgc_db,
        &small_batches,
        &NullReporter::default(),
    )
    .unwrap();
    assert!(s.resumed, "{s:?}");
    assert_eq!(dump(&paths.mgc_db), want);

    let r = RecordingReporter::cancelling_after(0);
    let err = chatdata::verify(
        &paths.legacy_db,
        &paths.mgc_db,
        &VerifyOptions::default(),
        &r,
    )
    .unwrap_err();
    assert!(matches!(err, ChatDataError::Cancelled(_)), "{err}");
}

#[test]
fn a_damaged_package_writes_nothing_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let paths = small_lab(dir.path());
    let zip = export_all(&paths);
    let bytes = std::fs::read(&zip).unwrap();
    let cut = dir.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let before = dump(&paths.mgc_db);
    let err = chatdata::import(
        &cut,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cut.zip"), "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");
    assert_eq!(dump(&paths.mgc_db), before);
}

#[test]
fn scoped_export_with_start_date_imports_and_verifies_with_the_same_options() {
    let dir = tempfile::tempdir().unwrap();
    let paths = small_lab(dir.path());
    let start = ticks::parse_date("2011-01-01").unwrap();
    let opts = ExportOptions {
        scope: vec!["Engineering".into()],
        start_date_ticks: Some(start),
        disable_exported_nodes: true,
        ..ExportOptions::default()
    };
    let zip = paths.export_dir.join("eng.zip");
    let s = chatdata::export(&paths.legacy_db, &zip, &opts, &NullReporter::default()).unwrap();
    assert!(
        s.rooms > 0 && s.rooms < 60 && s.messages > 0 && s.messages < 20_000,
        "{s:?}"
    );
    // -DisableExportedNodes disabled the exported rooms at the source
    let c = rusqlite::Connection::open(&paths.legacy_db).unwrap();
    let enabled: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM tblNode r JOIN tblNode p ON r.parentID = p.nodeID WHERE r.nodeType=0 AND r.disabled=0 AND p.nodeName='Engineering'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(enabled, 0);
    chatdata::import(
        &zip,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    let vopts = VerifyOptions {
        start_date_ticks: Some(start),
        scope: opts.scope.clone(),
        disable_exported_nodes: true,
        accepted_losses: Vec::new(),
    };
    let rep = chatdata::verify(
        &paths.legacy_db,
        &paths.mgc_db,
        &vopts,
        &NullReporter::default(),
    )
    .unwrap();
    assert!(rep.passed, "{}", rep.to_table());
    assert_eq!(rep.rooms_compared, s.rooms);
    assert_eq!(rep.messages_compared, s.messages);
    // without the cut-off the verifier expects the older messages too
    let rep = chatdata::verify(
        &paths.legacy_db,
        &paths.mgc_db,
        &VerifyOptions {
            start_date_ticks: None,
            ..vopts
        },
        &NullReporter::default(),
    )
    .unwrap();
    assert!(!rep.passed);
}

#[test]
fn levels_split_the_package_by_section() {
    let dir = tempfile::tempdir().unwrap();
    let paths = small_lab(dir.path());
    let users = paths.export_dir.join("users.zip");
    let s = chatdata::export(
        &paths.legacy_db,
        &users,
        &ExportOptions {
            level: ExportLevel::User,
            ..ExportOptions::default()
        },
        &NullReporter::default(),
    )
    .unwrap();
    assert_eq!((s.rooms, s.messages), (0, 0));
    assert!(s.users > 200);
    let rooms = paths.export_dir.join("rooms.zip");
    let s = chatdata::export(
        &paths.legacy_db,
        &rooms,
        &ExportOptions {
            level: ExportLevel::RoomDirectory,
            ..ExportOptions::default()
        },
        &NullReporter::default(),
    )
    .unwrap();
    assert_eq!((s.rooms, s.messages), (60, 0));
    let content = paths.export_dir.join("content.zip");
    let s = chatdata::export(
        &paths.legacy_db,
        &content,
        &ExportOptions {
            level: ExportLevel::Content,
            ..ExportOptions::default()
        },
        &NullReporter::default(),
    )
    .unwrap();
    assert_eq!(s.messages, 20_000);
    // content alone cannot land in rooms that do not exist yet; after the room directory it can
    let none = chatdata::import(
        &content,
        &paths.mgc_db,
        &ImportOptions {
            what_if: true,
            ..ImportOptions::default()
        },
        &NullReporter::default(),
    )
    .unwrap();
    assert_eq!(none.messages, 0);
    assert!(none.warnings.iter().any(|w| w.code == "room-not-on-target"));
    chatdata::import(
        &rooms,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    let s = chatdata::import(
        &content,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    assert_eq!(s.messages, 20_000);
    let rep = chatdata::verify(
        &paths.legacy_db,
        &paths.mgc_db,
        &VerifyOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    assert!(rep.passed, "{}", rep.to_table());
}
