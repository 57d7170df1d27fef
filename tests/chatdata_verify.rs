//! The verifier: no difference after a clean migration although the documented conversions
//! changed names, invitations, principals and roles; one precise difference (room or
//! category, field) for each kind of damage done to the target afterwards.

#[path = "common/lab.rs"]
mod lab_common;

use std::path::{Path, PathBuf};

use lab_common::{build, copy, export};
use pchat_migrate::chatdata::{
    self, Difference, ImportOptions, VerifyOptions, VerifyReport, mirror,
};
use pchat_migrate::lab::{LabPaths, LabSpec};
use pchat_migrate::progress::NullReporter;
use rusqlite::Connection;

struct Migrated {
    dir: tempfile::TempDir,
    paths: LabPaths,
}

fn migrated() -> Migrated {
    let dir = tempfile::tempdir().unwrap();
    let spec = LabSpec {
        messages: 4_000,
        rooms: 24,
        ..LabSpec::default()
    };
    let paths = build(dir.path(), &spec);
    let pkg = export(&paths, "p.zip");
    chatdata::import(
        &pkg,
        &paths.mgc_db,
        &ImportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    Migrated { dir, paths }
}

fn verify(m: &Migrated, target: &Path) -> VerifyReport {
    chatdata::verify(
        &m.paths.legacy_db,
        target,
        &VerifyOptions::default(),
        &NullReporter::default(),
    )
    .unwrap()
}

/// A copy of the migrated target with `sql` applied.
fn damaged(m: &Migrated, name: &str, sql: &str) -> PathBuf {
    let t = copy(&m.paths.mgc_db, m.dir.path(), name);
    Connection::open(&t)
        .unwrap()
        .execute_batch(&format!("PRAGMA foreign_keys = OFF; {sql}"))
        .unwrap();
    t
}

fn one(r: &VerifyReport) -> &Difference {
    assert!(!r.passed);
    assert_eq!(r.differences.len(), 1, "{}", r.to_table());
    &r.differences[0]
}

fn q(t: &Path, sql: &str) -> String {
    Connection::open(t)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_clean_migration_passes_although_the_conversions_changed_things() {
    let m = migrated();
    let r = verify(&m, &m.paths.mgc_db);
    assert!(r.passed, "{}", r.to_table());
    assert_eq!(r.messages_compared, 4_000);
    assert_eq!(r.rooms_compared, 24);
    // the lab exercised the documented conversions
    let t = &m.paths.mgc_db;
    let c = Connection::open(t).unwrap();
    let n = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert!(
        n("SELECT COUNT(*) FROM tblNode WHERE nodeType = 1 AND nodeName LIKE '% - %'") > 0,
        "flattened category names"
    );
    assert!(
        n("SELECT COUNT(*) FROM tblNode WHERE nodeType = 0 AND nodeName LIKE '% - %'") > 0,
        "prefixed room names"
    );
    assert!(
        n(
            "SELECT COUNT(*) FROM tblPrincipal WHERE prinUri LIKE '%fabrikam.com%' AND prinDisabled = 1"
        ) >= 3,
        "federated principals disabled"
    );
    assert!(
        n("SELECT COUNT(*) FROM tblNode WHERE nodeType = 0 AND invite = 0") > 0,
        "invitations forced off"
    );
    assert_eq!(
        n(
            "SELECT COUNT(*) FROM tblNode WHERE nodeType = 0 AND (logged IS NOT NULL OR filePost IS NOT NULL)"
        ),
        0,
        "room-level history and upload settings dropped"
    );
    let rooms = n("SELECT COUNT(*) FROM tblNode WHERE nodeType = 0");
    assert_eq!(
        n(
            "SELECT MIN(c) FROM (SELECT COUNT(*) c FROM tblPrincipalRole r JOIN tblRoleType t ON t.rtypeID = r.prinRoleTypeID \
           JOIN tblNode n ON n.nodeID = r.prinRoleNodeID WHERE t.rtypeDesc = 'Manager' AND n.nodeType = 0 \
           GROUP BY r.prinRolePrinID ORDER BY c DESC LIMIT 2)"
        ),
        rooms,
        "the two root-category managers manage every room"
    );
    // the report as JSON names kind, room and field for each difference
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["passed"], true);
}

#[test]
fn an_altered_message_is_found_and_shown() {
    let m = migrated();
    let t = damaged(
        &m,
        "altered.db",
        "UPDATE tblChat SET content = content || ' (edited)' WHERE (channelId, chatId) = \
         (SELECT channelId, chatId FROM tblChat ORDER BY channelId, chatId LIMIT 1 OFFSET 1234)",
    );
    let room = q(
        &t,
        "SELECT nodeName FROM tblNode WHERE nodeID = (SELECT channelId FROM tblChat WHERE content LIKE '% (edited)')",
    );
    let r = verify(&m, &t);
    assert!(!r.passed);
    assert!(
        r.differences.iter().all(|d| d.name == room),
        "{}",
        r.to_table()
    );
    assert!(r.differences.iter().any(|d| d.field == "content digest"));
    let msg = r
        .differences
        .iter()
        .find(|d| d.field.starts_with("message content"))
        .unwrap_or_else(|| panic!("{}", r.to_table()));
    assert!(msg.actual.contains("(edited)") && !msg.expected.contains("(edited)"));
    // a message moved in time is a different message
    let t = damaged(
        &m,
        "moved.db",
        "UPDATE tblChat SET chatDate = chatDate + 1 WHERE (channelId, chatId) = \
         (SELECT channelId, chatId FROM tblChat ORDER BY channelId, chatId LIMIT 1 OFFSET 77)",
    );
    let r = verify(&m, &t);
    assert!(
        r.differences.iter().any(|d| d.field == "content digest"),
        "{}",
        r.to_table()
    );
    // and a lost one shows in the count
    let t = damaged(
        &m,
        "lost.db",
        "DELETE FROM tblChat WHERE (channelId, chatId) = \
         (SELECT channelId, MAX(chatId) FROM tblChat GROUP BY channelId ORDER BY 1 LIMIT 1)",
    );
    let r = verify(&m, &t);
    assert!(
        r.differences.iter().any(|d| d.field == "messages"),
        "{}",
        r.to_table()
    );
}

#[test]
fn a_missing_room_is_a_difference_naming_it() {
    let m = migrated();
    let room = q(
        &m.paths.mgc_db,
        "SELECT nodeName FROM tblNode WHERE nodeType = 0 ORDER BY nodeID LIMIT 1 OFFSET 3",
    );
    let t = damaged(
        &m,
        "noroom.db",
        &format!(
            "DELETE FROM tblChat WHERE channelId = (SELECT nodeID FROM tblNode WHERE nodeName = '{r}'); \
             DELETE FROM tblPrincipalRole WHERE prinRoleNodeID = (SELECT nodeID FROM tblNode WHERE nodeName = '{r}'); \
             DELETE FROM tblNode WHERE nodeName = '{r}';",
            r = room.replace('\'', "''")
        ),
    );
    let d = one(&verify(&m, &t)).clone();
    assert_eq!(
        (
            d.kind.as_str(),
            d.name.as_str(),
            d.field.as_str(),
            d.actual.as_str()
        ),
        ("room", room.as_str(), "exists", "missing")
    );
}

#[test]
fn a_dropped_manager_is_a_difference_naming_room_and_principal() {
    let m = migrated();
    let t = damaged(
        &m,
        "nomanager.db",
        "DELETE FROM tblPrincipalRole WHERE (prinRoleNodeID, prinRolePrinID, prinRoleTypeID) = \
         (SELECT r.prinRoleNodeID, r.prinRolePrinID, r.prinRoleTypeID FROM tblPrincipalRole r \
          JOIN tblRoleType t ON t.rtypeID = r.prinRoleTypeID JOIN tblNode n ON n.nodeID = r.prinRoleNodeID \
          JOIN tblPrincipal p ON p.prinID = r.prinRolePrinID \
          WHERE t.rtypeDesc = 'Manager' AND n.nodeType = 0 AND p.prinUri LIKE 'sip:%' ORDER BY 1, 2 LIMIT 1 OFFSET 4)",
    );
    let r = verify(&m, &t);
    let d = one(&r);
    assert_eq!(
        (d.kind.as_str(), d.field.as_str(), d.actual.as_str()),
        ("principal", "manager", "missing")
    );
    assert!(
        d.expected.starts_with("sip:"),
        "the principal is named: {d:?}"
    );
    // a member added by hand is reported the other way round
    let t = damaged(
        &m,
        "extra.db",
        "INSERT INTO tblPrincipalRole SELECT n.nodeID, p.prinID, t.rtypeID, 1 FROM tblNode n, tblPrincipal p, tblRoleType t \
         WHERE n.nodeType = 0 AND p.prinUri = 'sip:pilot01@contoso.lab' AND t.rtypeDesc = 'Voiced' \
         AND n.behavior = 4 ORDER BY n.nodeID LIMIT 1",
    );
    let d = one(&verify(&m, &t)).clone();
    assert_eq!(
        (d.field.as_str(), d.expected.as_str()),
        ("voiced", "absent")
    );
}

#[test]
fn changed_room_and_category_settings_are_differences_naming_the_field() {
    let m = migrated();
    let room = q(
        &m.paths.mgc_db,
        "SELECT nodeName FROM tblNode WHERE nodeType = 0 AND disabled = 0 AND behavior = 4 AND visibility = 3 \
         AND invite IS NULL ORDER BY nodeID LIMIT 1",
    );
    let set = |field: &str, sql_set: &str| {
        let t = damaged(
            &m,
            &format!("{field}.db"),
            &format!(
                "UPDATE tblNode SET {sql_set} WHERE nodeName = '{}'",
                room.replace('\'', "''")
            ),
        );
        let d = one(&verify(&m, &t)).clone();
        assert_eq!(
            (d.kind.as_str(), d.name.as_str(), d.field.as_str()),
            ("room", room.as_str(), field),
            "{d:?}"
        );
        d
    };
    let d = set("disabled", "disabled = 1");
    assert_eq!((d.expected.as_str(), d.actual.as_str()), ("false", "true"));
    set("visibility", "visibility = 6");
    set("behavior", "behavior = 5");
    set("description", "nodeDesc = 'changed by hand'");
    set("invite", "invite = 0");
    set("logged", "logged = 1");
    // a category setting
    let cat = q(
        &m.paths.mgc_db,
        "SELECT nodeName FROM tblNode WHERE nodeType = 1 AND nodeID <> 1 ORDER BY nodeID LIMIT 1",
    );
    let t = damaged(
        &m,
        "cat.db",
        &format!(
            "UPDATE tblNode SET filePost = 1 - filePost WHERE nodeName = '{}'",
            cat.replace('\'', "''")
        ),
    );
    let d = one(&verify(&m, &t)).clone();
    assert_eq!(
        (d.kind.as_str(), d.name.as_str(), d.field.as_str()),
        ("category", cat.as_str(), "filePost")
    );
    // a scope principal dropped from a category
    let t = damaged(
        &m,
        "scope.db",
        "DELETE FROM tblScopePrincipal WHERE (scopeNodeID, scopePrinID) = \
         (SELECT scopeNodeID, scopePrinID FROM tblScopePrincipal ORDER BY 1, 2 LIMIT 1)",
    );
    let r = verify(&m, &t);
    assert!(
        r.differences
            .iter()
            .all(|d| d.field == "scope (allowed)" && d.actual == "missing"),
        "{}",
        r.to_table()
    );
    // an add-in's URL
    let t = damaged(
        &m,
        "addin.db",
        "UPDATE tblSiopWhiteList SET siopUrl = 'https://evil.example/' WHERE siopID = (SELECT MIN(siopID) FROM tblSiopWhiteList)",
    );
    let d = one(&verify(&m, &t)).clone();
    assert_eq!((d.kind.as_str(), d.field.as_str()), ("addin", "url"));
    // a room manager disabled on the target
    let t = damaged(
        &m,
        "disabled.db",
        "UPDATE tblPrincipal SET prinDisabled = 1 WHERE prinID = (SELECT r.prinRolePrinID FROM tblPrincipalRole r \
         JOIN tblPrincipal p ON p.prinID = r.prinRolePrinID WHERE p.prinDisabled = 0 AND p.prinUri LIKE 'sip:%' LIMIT 1)",
    );
    let r = verify(&m, &t);
    assert!(
        r.differences
            .iter()
            .all(|d| d.kind == "principal" && d.field == "disabled" && d.name.starts_with("sip:")),
        "{}",
        r.to_table()
    );
    assert_eq!(r.differences.len(), 1, "{}", r.to_table());
}

/// The production verify's row copies (`chatdata::mirror`): the queries read the lab's
/// databases, and the copies verify exactly like the databases they were read from.
#[test]
fn the_queries_read_the_lab_databases_and_the_copies_verify_like_them() {
    let dir = tempfile::tempdir().unwrap();
    let lab = dir.path().join("lab");
    let spec = LabSpec {
        messages: 2_000,
        ..LabSpec::default()
    };
    pchat_migrate::lab::init(&lab, &spec, false, &NullReporter::default()).unwrap();
    let paths = LabPaths::in_dir(&lab);
    let pkg = dir.path().join("p.zip");
    let r = NullReporter::default();
    chatdata::export(&paths.legacy_db, &pkg, &Default::default(), &r).unwrap();
    chatdata::import(&pkg, &paths.mgc_db, &Default::default(), &r).unwrap();

    let mut m = mirror::Mirror::create(&dir.path().join("mirror")).unwrap();
    for q in mirror::queries(None) {
        let db = match q.side {
            mirror::Side::Legacy => &paths.legacy_db,
            mirror::Side::Mgc => &paths.mgc_db,
        };
        let c = Connection::open(db).unwrap();
        let mut st = c.prepare(&q.sql).unwrap();
        let names: Vec<String> = st.column_names().iter().map(|s| s.to_string()).collect();
        m.insert(&q, &serde_json::to_string(&names).unwrap())
            .unwrap();
        let n = names.len();
        let mut rows = st.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let vals: Vec<serde_json::Value> = (0..n)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => serde_json::Value::Null,
                    rusqlite::types::ValueRef::Integer(x) => x.into(),
                    rusqlite::types::ValueRef::Real(x) => x.into(),
                    rusqlite::types::ValueRef::Text(t) => {
                        String::from_utf8_lossy(t).into_owned().into()
                    }
                    rusqlite::types::ValueRef::Blob(_) => serde_json::Value::Null,
                })
                .collect();
            m.insert(&q, &serde_json::to_string(&vals).unwrap())
                .unwrap();
        }
    }
    assert!(m.rows() > 2_000);
    let (l, g) = m.finish().unwrap();
    let opts = chatdata::VerifyOptions::default();
    let want = chatdata::verify(&paths.legacy_db, &paths.mgc_db, &opts, &r).unwrap();
    let got = chatdata::verify(&l, &g, &opts, &r).unwrap();
    assert!(want.passed, "{:?}", want.differences);
    assert_eq!(
        (got.passed, got.rooms_compared, got.messages_compared),
        (want.passed, want.rooms_compared, want.messages_compared)
    );
    // a row of the wrong shape is refused, naming the table
    let mut m = mirror::Mirror::create(&dir.path().join("bad")).unwrap();
    let q = &mirror::queries(None)[0];
    let e = m.insert(q, "[\"nothing\"]").unwrap_err().to_string();
    assert!(e.contains(q.table) && e.contains("no column"), "{e}");
    let mut m = mirror::Mirror::create(&dir.path().join("short")).unwrap();
    let header = serde_json::to_string(&q.columns).unwrap();
    m.insert(q, &header).unwrap();
    let e = m.insert(q, "[1]").unwrap_err().to_string();
    assert!(e.contains(q.table), "{e}");
}

/// `tblChat` of a copy of `db` rewritten in the row order `order` gives (an `ORDER BY` over
/// its columns): the table order the one-pass reading sees changes, the rows do not.
fn reordered(db: &Path, dir: &Path, name: &str, order: &str) -> PathBuf {
    let t = copy(db, dir, name);
    Connection::open(&t)
        .unwrap()
        .execute_batch(&format!(
            "CREATE TEMP TABLE rows AS SELECT * FROM tblChat; DELETE FROM tblChat; \
             INSERT INTO tblChat SELECT * FROM rows ORDER BY {order}; DROP TABLE rows;"
        ))
        .unwrap();
    t
}

#[test]
fn the_verdict_does_not_depend_on_the_order_rows_are_stored_in() {
    let m = migrated();
    let baseline = verify(&m, &m.paths.mgc_db);
    assert!(baseline.passed, "{}", baseline.to_table());
    let dir = m.dir.path();
    // rooms interleaved (as in a database filled in posting order), rooms reversed, one
    // room's rows split in two with the others between, and a room stored newest first
    let orders = [
        ("interleaved", "chatDate, rowid"),
        ("reversed", "2 DESC, rowid"),
        (
            "split",
            "(1 = (SELECT MIN(channelId) FROM rows) AND 2 > 50), rowid",
        ),
        (
            "newest-first",
            "1, CASE WHEN 1 = (SELECT MAX(channelId) FROM rows) THEN -2 ELSE 2 END",
        ),
    ];
    for (name, order) in orders {
        // the legacy tables name their columns channelID / chatID: positions work for both
        let legacy = reordered(&m.paths.legacy_db, dir, &format!("legacy-{name}.db"), order);
        let target = reordered(&m.paths.mgc_db, dir, &format!("mgc-{name}.db"), order);
        let r = chatdata::verify(
            &legacy,
            &target,
            &VerifyOptions::default(),
            &NullReporter::default(),
        )
        .unwrap();
        assert!(r.passed, "{name}: {}", r.to_table());
        assert_eq!(r.messages_compared, baseline.messages_compared, "{name}");
        assert_eq!(r.bytes_compared, baseline.bytes_compared, "{name}");
        // and a changed message is still found, in the room and at the position it has
        let changed = copy(&target, dir, &format!("mgc-{name}-changed.db"));
        Connection::open(&changed)
            .unwrap()
            .execute_batch(
                "UPDATE tblChat SET content = content || ' (edited)' \
                 WHERE rowid = (SELECT rowid FROM tblChat ORDER BY channelId DESC, chatId LIMIT 1 OFFSET 3)",
            )
            .unwrap();
        let r = chatdata::verify(
            &legacy,
            &changed,
            &VerifyOptions::default(),
            &NullReporter::default(),
        )
        .unwrap();
        let room = q(
            &changed,
            "SELECT nodeName FROM tblNode WHERE nodeID = (SELECT channelId FROM tblChat WHERE content LIKE '% (edited)')",
        );
        assert!(!r.passed, "{name}");
        assert!(
            r.differences.iter().all(|d| d.name == room),
            "{name}: {}",
            r.to_table()
        );
        let msg = r
            .differences
            .iter()
            .find(|d| d.field.starts_with("message content"))
            .unwrap_or_else(|| panic!("{name}: {}", r.to_table()));
        assert!(msg.actual.contains("(edited)"), "{name}: {}", r.to_table());
    }
}
