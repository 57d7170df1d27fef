//! The export's options, one by one: `-Level`, `-Scope`, `-StartDate`,
//! `-DisableExportedNodes` — checked through the inspector and against the legacy database.

#[path = "common/lab.rs"]
mod lab_common;

use std::path::{Path, PathBuf};

use lab_common::build;
use pchat_migrate::chatdata::{self, ExportLevel, ExportOptions, Inspection, ticks};
use pchat_migrate::lab::{LabPaths, LabSpec};
use pchat_migrate::progress::NullReporter;
use rusqlite::Connection;

fn lab(dir: &Path) -> LabPaths {
    build(
        dir,
        &LabSpec {
            messages: 5_000,
            rooms: 30,
            ..LabSpec::default()
        },
    )
}

fn export(paths: &LabPaths, name: &str, opts: &ExportOptions) -> (PathBuf, Inspection) {
    let zip = paths.export_dir.join(name);
    chatdata::export(&paths.legacy_db, &zip, opts, &NullReporter::default()).unwrap();
    let i = chatdata::inspect(&zip, None, &NullReporter::default()).unwrap();
    (zip, i)
}

fn count(db: &Path, sql: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Node ids of the subtree of the top-level category `name` (itself included).
const SUBTREE: &str = "WITH RECURSIVE t(id) AS (SELECT nodeID FROM tblNode WHERE nodeName = ?1 AND parentID = 1 \
                       UNION SELECT n.nodeID FROM tblNode n JOIN t ON n.parentID = t.id AND n.nodeID <> n.parentID) ";

#[test]
fn levels_carry_the_parts_their_names_say() {
    let dir = tempfile::tempdir().unwrap();
    let p = lab(dir.path());
    let level = |l: ExportLevel| ExportOptions {
        level: l,
        ..ExportOptions::default()
    };
    let found = |i: &Inspection, f: &str| i.files_found.iter().any(|x| x.contains(f));

    let (_, all) = export(&p, "all.zip", &level(ExportLevel::All));
    let s = all.sections;
    assert!(s.principals && s.categories && s.rooms && s.content);
    assert_eq!(all.inventory.messages, Some(5_000));
    assert_eq!(all.inventory.rooms, 30);
    for f in [
        "AdUsers.xml",
        "ChatRooms.xml",
        "Categories.xml",
        "Rooms.xml",
        "Content/",
    ] {
        assert!(found(&all, f), "{f}: {:?}", all.files_found);
    }

    let (_, user) = export(&p, "user.zip", &level(ExportLevel::User));
    assert!(user.sections.principals && !user.sections.rooms && !user.sections.content);
    assert!(user.inventory.users > 200);
    assert_eq!((user.inventory.rooms, user.inventory.categories), (0, 0));
    assert_eq!(user.inventory.messages, None);
    assert!(found(&user, "AdAffiliations.xml") && !found(&user, "ChatRooms.xml"));

    let (_, cat) = export(&p, "cat.zip", &level(ExportLevel::Category));
    assert!(cat.sections.categories && !cat.sections.rooms && !cat.sections.principals);
    assert_eq!(cat.inventory.categories, all.inventory.categories);
    assert_eq!(cat.inventory.rooms, 0);
    assert!(
        cat.inventory.scope_entries > 0,
        "scopes travel with categories"
    );
    assert_eq!(cat.inventory.messages, None);

    let (_, dir_) = export(&p, "rooms.zip", &level(ExportLevel::RoomDirectory));
    assert!(dir_.sections.rooms && dir_.sections.categories && !dir_.sections.content);
    assert_eq!(dir_.inventory.rooms, 30);
    assert_eq!(
        dir_.inventory.role_assignments,
        all.inventory.role_assignments
    );
    assert_eq!(dir_.inventory.messages, None);

    let (_, content) = export(&p, "content.zip", &level(ExportLevel::Content));
    assert!(content.sections.content && !content.sections.rooms && !content.sections.categories);
    assert_eq!(content.inventory.messages, Some(5_000));
    assert_eq!(content.inventory.role_assignments, 0);
    assert!(!found(&content, "ChatRooms.xml"));
    // only the principals the content names (the posters) travel with it
    assert!(content.inventory.principals < all.inventory.principals);
}

#[test]
fn scope_limits_the_export_to_the_named_categories() {
    let dir = tempfile::tempdir().unwrap();
    let p = lab(dir.path());
    let opts = ExportOptions {
        scope: vec!["Engineering".into()],
        ..ExportOptions::default()
    };
    let (_, i) = export(&p, "eng.zip", &opts);
    let c = Connection::open(&p.legacy_db).unwrap();
    let n = |sql: &str| -> i64 {
        c.query_row(&format!("{SUBTREE}{sql}"), ["Engineering"], |r| r.get(0))
            .unwrap()
    };
    let rooms = n("SELECT COUNT(*) FROM tblNode WHERE nodeType = 0 AND nodeID IN t");
    let cats = n("SELECT COUNT(*) FROM tblNode WHERE nodeType = 1 AND nodeID IN t");
    let messages = n("SELECT COUNT(*) FROM tblChat WHERE channelID IN t");
    assert!(rooms > 0 && rooms < 30);
    assert_eq!(i.inventory.rooms as i64, rooms);
    assert_eq!(i.inventory.categories as i64, cats);
    assert_eq!(i.inventory.messages, Some(messages as u64));
    assert!(
        i.rooms
            .iter()
            .all(|r| r.category.starts_with("Engineering"))
    );
    // a sub-category by its flattened name
    let sub: String = c
        .query_row(
            "SELECT p.nodeName || ' - ' || s.nodeName FROM tblNode s JOIN tblNode p ON s.parentID = p.nodeID \
             WHERE s.nodeType = 1 AND p.parentID = 1 AND p.nodeID <> 1 ORDER BY s.nodeID LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let (_, i) = export(
        &p,
        "sub.zip",
        &ExportOptions {
            scope: vec![sub.clone()],
            ..ExportOptions::default()
        },
    );
    assert!(
        i.rooms.iter().all(|r| r.category.starts_with(&sub)),
        "{sub}"
    );
    assert!(i.inventory.categories >= 1);
    // an unknown category is an error that lists the real ones
    let err = chatdata::export(
        &p.legacy_db,
        &p.export_dir.join("x.zip"),
        &ExportOptions {
            scope: vec!["Nope".into()],
            ..ExportOptions::default()
        },
        &NullReporter::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"Engineering\""), "{err}");
}

#[test]
fn start_date_cuts_the_history_at_the_given_instant() {
    let dir = tempfile::tempdir().unwrap();
    let p = lab(dir.path());
    let cut = ticks::parse_date("2011-06-01").unwrap();
    // one message exactly at the cut-off: it is kept
    Connection::open(&p.legacy_db)
        .unwrap()
        .execute(
            "UPDATE tblChat SET chatDate = ?1 WHERE (channelID, chatID) = \
             (SELECT channelID, chatID FROM tblChat WHERE chatDate < ?1 ORDER BY chatDate DESC LIMIT 1)",
            [cut],
        )
        .unwrap();
    let want = count(
        &p.legacy_db,
        &format!("SELECT COUNT(*) FROM tblChat WHERE chatDate >= {cut}"),
    );
    assert!(want > 0 && want < 5_000);
    let (_, i) = export(
        &p,
        "cut.zip",
        &ExportOptions {
            start_date_ticks: Some(cut),
            ..ExportOptions::default()
        },
    );
    assert_eq!(i.inventory.messages, Some(want as u64));
    assert_eq!(
        i.inventory.first_message.as_deref(),
        Some(ticks::format(cut).as_str())
    );
    assert_eq!(
        i.manifest.as_ref().unwrap().start_date.as_deref(),
        Some(ticks::format(cut).as_str())
    );
    // rooms keep their place even when all their history is older
    assert_eq!(i.inventory.rooms, 30);
}

#[test]
fn disable_exported_nodes_disables_exactly_what_was_exported() {
    let dir = tempfile::tempdir().unwrap();
    let p = lab(dir.path());
    let disabled = |sql_filter: &str| {
        let c = Connection::open(&p.legacy_db).unwrap();
        c.query_row(
            &format!("{SUBTREE}SELECT COUNT(*) FROM tblNode WHERE disabled = 1 AND {sql_filter}"),
            ["Engineering"],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
    };
    let outside_before = disabled("nodeID NOT IN t");
    let inside_before = disabled("nodeID IN t");
    assert!(inside_before < 5, "most of the subtree starts enabled");
    // a User export exports no category or room: nothing is disabled
    export(
        &p,
        "users.zip",
        &ExportOptions {
            level: ExportLevel::User,
            disable_exported_nodes: true,
            ..ExportOptions::default()
        },
    );
    assert_eq!(disabled("nodeID NOT IN t"), outside_before);
    assert_eq!(disabled("nodeID IN t"), inside_before);
    // a scoped export disables its categories and rooms, and nothing else
    let (_, i) = export(
        &p,
        "eng.zip",
        &ExportOptions {
            scope: vec!["Engineering".into()],
            disable_exported_nodes: true,
            ..ExportOptions::default()
        },
    );
    assert_eq!(disabled("nodeID IN t AND disabled = 0"), 0);
    let subtree = Connection::open(&p.legacy_db)
        .unwrap()
        .query_row(
            &format!("{SUBTREE}SELECT COUNT(*) FROM t"),
            ["Engineering"],
            |r| r.get::<_, i64>(0),
        )
        .unwrap();
    assert_eq!(disabled("nodeID IN t"), subtree);
    assert_eq!(
        disabled("nodeID NOT IN t"),
        outside_before,
        "other nodes untouched"
    );
    assert_eq!(
        count(
            &p.legacy_db,
            "SELECT disabled FROM tblNode WHERE nodeID = 1"
        ),
        0,
        "the root is never disabled"
    );
    // the package itself records the rooms as they were when exported
    assert!(i.inventory.disabled_rooms < i.inventory.rooms);
}

#[test]
fn unknown_scope_and_missing_database_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let r = NullReporter::default();
    let err = chatdata::export(
        &dir.path().join("nope.db"),
        &dir.path().join("o.zip"),
        &ExportOptions::default(),
        &r,
    )
    .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let spec = LabSpec {
        messages: 50,
        rooms: 4,
        users: 10,
        ..LabSpec::small()
    };
    let paths = pchat_migrate::lab::init(dir.path(), &spec, false, &r).unwrap();
    let opts = ExportOptions {
        scope: vec!["No Such Category".into()],
        ..ExportOptions::default()
    };
    let out = dir.path().join("o.zip");
    let err = chatdata::export(&paths.legacy_db, &out, &opts, &r).unwrap_err();
    assert!(matches!(err, chatdata::ChatDataError::Options(_)), "{err}");
    assert!(err.to_string().contains("\"No Such Category\""), "{err}");
    assert!(!out.exists() && !dir.path().join("o.zip.partial").exists());
}

#[test]
fn a_message_that_is_not_text_stops_the_export_naming_room_and_chat_id_and_leaves_no_package() {
    let dir = tempfile::tempdir().unwrap();
    let paths = lab(dir.path());
    // a room read by the second reading thread (rooms alternate between two), half-way
    let c = Connection::open(&paths.legacy_db).unwrap();
    let (room, name, chat): (i64, String, i64) = c
        .query_row(
            "SELECT n.nodeID, n.nodeName, (SELECT MAX(chatID) / 2 FROM tblChat WHERE channelID = n.nodeID) \
             FROM tblNode n WHERE n.nodeType = 0 AND EXISTS (SELECT 1 FROM tblChat WHERE channelID = n.nodeID) \
             ORDER BY n.nodeID LIMIT 1 OFFSET 3",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    c.execute(
        "UPDATE tblChat SET content = CAST(x'41ff42' AS TEXT) WHERE channelID = ?1 AND chatID = ?2",
        [room, chat],
    )
    .unwrap();
    drop(c);
    let zip = paths.export_dir.join("bad.zip");
    let export_error = || {
        chatdata::export(
            &paths.legacy_db,
            &zip,
            &ExportOptions::default(),
            &NullReporter::default(),
        )
        .unwrap_err()
        .to_string()
    };
    let err = export_error();
    assert!(
        err.contains(&name)
            && err.contains(&format!("chatID {chat}"))
            && err.contains("not valid text"),
        "{err}"
    );
    assert!(!zip.exists(), "no package is left behind");
    // a date that is not a number is named by its row too, for the export and the verify
    let c = Connection::open(&paths.legacy_db).unwrap();
    c.execute(
        "UPDATE tblChat SET content = 'fixed', chatDate = 'yesterday' WHERE channelID = ?1 AND chatID = ?2",
        [room, chat],
    )
    .unwrap();
    drop(c);
    let err = export_error();
    let cell = format!("chatID {chat}: chatDate holds text where the schema has an integer");
    assert!(err.contains(&name) && err.contains(&cell), "{err}");
    assert!(!zip.exists(), "no package is left behind");
    let err = chatdata::verify(
        &paths.legacy_db,
        &paths.mgc_db,
        &chatdata::VerifyOptions::default(),
        &NullReporter::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains(&format!("room id {room}, {cell}")), "{err}");
    let left: Vec<_> = std::fs::read_dir(&paths.export_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing half-written is left: {left:?}");
}
