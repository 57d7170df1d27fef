//! The package inspector: every pre-flight warning is produced by a lab case built to trigger
//! it (and not produced once the case is fixed), real packages with only the four known
//! files inspect fine, and the digest is shared by the inspection, the `-WhatIf` import and
//! the real import.

#[path = "common/lab.rs"]
mod lab_common;

use std::io::{Read, Write};
use std::path::PathBuf;

use lab_common::{build, copy, export, spec, what_if};
use pchat_migrate::chatdata::{self, ImportOptions, Inspection, PreflightWarning};
use pchat_migrate::lab::{LabPaths, LabSpec};
use pchat_migrate::progress::NullReporter;
use rusqlite::Connection;

struct Lab {
    _dir: tempfile::TempDir,
    paths: LabPaths,
    pkg: PathBuf,
}

/// A small lab, `fix` applied to its legacy database, exported.
fn lab(spec: &LabSpec, fix: &str) -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let paths = build(dir.path(), spec);
    if !fix.is_empty() {
        Connection::open(&paths.legacy_db)
            .unwrap()
            .execute_batch(fix)
            .unwrap();
    }
    let pkg = export(&paths, "p.zip");
    Lab {
        _dir: dir,
        paths,
        pkg,
    }
}

fn small() -> LabSpec {
    spec(3_000, 30)
}

fn inspect(l: &Lab) -> Inspection {
    chatdata::inspect(&l.pkg, None, &NullReporter::default()).unwrap()
}

fn with_code<'a>(i: &'a Inspection, code: &str) -> Vec<&'a PreflightWarning> {
    i.warnings.iter().filter(|w| w.code == code).collect()
}

fn items(i: &Inspection, code: &str) -> Vec<String> {
    let mut v: Vec<String> = with_code(i, code).iter().map(|w| w.item.clone()).collect();
    v.sort();
    v
}

fn legacy_strings(p: &LabPaths, sql: &str) -> Vec<String> {
    let c = Connection::open(&p.legacy_db).unwrap();
    let mut st = c.prepare(sql).unwrap();
    let mut v: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    v.sort();
    v
}

#[test]
fn flattened_categories_are_listed_with_the_names_they_get() {
    let l = lab(&small(), "");
    let i = inspect(&l);
    // every category two or more levels down, named "Top - Sub[ - Sub2]"
    let want = legacy_strings(
        &l.paths,
        "SELECT p.nodeName || ' - ' || c.nodeName FROM tblNode c JOIN tblNode p ON c.parentID = p.nodeID \
         WHERE c.nodeType = 1 AND p.nodeType = 1 AND p.parentID = 1 AND p.nodeID <> 1 \
         UNION ALL SELECT g.nodeName || ' - ' || p.nodeName || ' - ' || c.nodeName FROM tblNode c \
         JOIN tblNode p ON c.parentID = p.nodeID JOIN tblNode g ON p.parentID = g.nodeID \
         WHERE c.nodeType = 1 AND p.nodeType = 1 AND g.nodeType = 1 AND g.parentID = 1 AND g.nodeID <> 1",
    );
    assert!(!want.is_empty());
    assert_eq!(items(&i, "flattened-category"), want);
    let w = with_code(&i, "flattened-category")[0];
    assert_eq!(w.severity, "warning");
    assert!(w.message.contains("flattened"), "{}", w.message);
    assert_eq!(i.inventory.subcategories as usize, want.len());
    // one level of categories: nothing to flatten
    let flat = lab(
        &LabSpec {
            max_depth: 1,
            long_names: 0,
            ..small()
        },
        "",
    );
    assert!(items(&inspect(&flat), "flattened-category").is_empty());
}

#[test]
fn names_over_256_characters_once_flattened_are_errors() {
    let l = lab(&small(), "");
    let i = inspect(&l);
    let w = with_code(&i, "name-too-long");
    assert_eq!(w.len(), 1, "{:?}", i.warnings);
    assert_eq!(w[0].severity, "error");
    assert!(w[0].item.encode_utf16().count() > 256);
    assert!(w[0].message.contains("256"));
    assert_eq!(i.warning_counts.errors, 1);
    assert!(i.rooms.iter().any(|r| !r.imported && r.name == w[0].item));
    let ok = lab(
        &LabSpec {
            long_names: 0,
            ..small()
        },
        "",
    );
    let i = inspect(&ok);
    assert!(items(&i, "name-too-long").is_empty());
    assert_eq!(i.warning_counts.errors, 0);
}

#[test]
fn root_category_managers_are_warned_about() {
    let l = lab(&small(), "");
    let i = inspect(&l);
    let want = legacy_strings(
        &l.paths,
        "SELECT p.prinUri FROM tblPrincipalRole r JOIN tblRoleType t ON t.rtypeID = r.prinRoleTypeID \
         JOIN tblPrincipal p ON p.prinID = r.prinRolePrinID WHERE r.prinRoleNodeID = 1 AND t.rtypeDesc = 'Manager'",
    );
    assert_eq!(want.len(), 2);
    assert_eq!(items(&i, "root-manager"), want);
    assert!(with_code(&i, "root-manager")[0].message.contains("every"));
    let fixed = lab(
        &small(),
        "DELETE FROM tblPrincipalRole WHERE prinRoleNodeID = 1",
    );
    assert!(items(&inspect(&fixed), "root-manager").is_empty());
}

#[test]
fn invitations_that_conflict_with_their_category_are_forced_off() {
    let l = lab(&small(), "");
    let i = inspect(&l);
    let conflicting = legacy_strings(
        &l.paths,
        "SELECT r.nodeName FROM tblNode r JOIN tblNode c ON r.parentID = c.nodeID \
         WHERE r.nodeType = 0 AND r.invite = 1 AND c.invite = 0 AND c.parentID = 1",
    );
    assert_eq!(conflicting.len(), 1);
    let got = items(&i, "invite-forced-off");
    assert!(got.contains(&conflicting[0]), "{got:?}");
    assert!(
        with_code(&i, "invite-forced-off")[0]
            .message
            .contains("forces the room off")
    );
    // rooms that inherit their category's setting never conflict
    let fixed = lab(
        &small(),
        "UPDATE tblNode SET invite = NULL WHERE nodeType = 0 AND invite = 1",
    );
    assert!(items(&inspect(&fixed), "invite-forced-off").is_empty());
}

#[test]
fn federated_principals_are_listed_as_disabled_after_the_import() {
    let l = lab(&small(), "");
    let i = inspect(&l);
    assert_eq!(
        items(&i, "federated-principal"),
        [
            "ma-grp://fabrikam.com/group/partners",
            "sip:partner1@fabrikam.com",
            "sip:partner2@fabrikam.com",
            "sip:partner3@fabrikam.com"
        ]
    );
    assert!(
        with_code(&i, "federated-principal")[0]
            .message
            .contains("disabled")
    );
    assert_eq!(i.inventory.federated, 4);
    let fixed = lab(
        &small(),
        "UPDATE tblPrincipal SET prinTypeID = 5 WHERE prinTypeID = 7; \
         UPDATE tblPrincipal SET prinTypeID = 9 WHERE prinTypeID = 11;",
    );
    assert!(items(&inspect(&fixed), "federated-principal").is_empty());
}

#[test]
fn rooms_with_posted_files_must_be_copied_by_hand() {
    let l = lab(&small(), "");
    let i = inspect(&l);
    // rooms (as imported) with file posts, and their counts
    let c = Connection::open(&l.paths.legacy_db).unwrap();
    let per_room: Vec<(String, i64)> = c
        .prepare(
            "SELECT n.nodeName, COUNT(*) FROM tblChat m JOIN tblNode n ON n.nodeID = m.channelID \
             WHERE m.content LIKE '%ma-filelink:%' GROUP BY n.nodeName ORDER BY 1",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!per_room.is_empty());
    let w = with_code(&i, "file-posts");
    assert_eq!(w.len(), per_room.len());
    for (legacy_name, n) in &per_room {
        let hit = w
            .iter()
            .find(|w| w.item == *legacy_name || w.item.ends_with(&format!(" - {legacy_name}")))
            .unwrap_or_else(|| panic!("no file-posts warning for {legacy_name}"));
        assert!(
            hit.message.starts_with(&format!("{n} posted file")),
            "{}",
            hit.message
        );
    }
    assert_eq!(
        i.inventory.file_posts,
        Some(per_room.iter().map(|(_, n)| *n as u64).sum())
    );
    let fixed = lab(
        &small(),
        "UPDATE tblChat SET content = replace(content, 'ma-filelink:', 'file:')",
    );
    assert!(items(&inspect(&fixed), "file-posts").is_empty());
}

#[test]
fn items_on_the_target_that_the_import_overwrites_are_listed() {
    let l = lab(&small(), "");
    let empty = copy(&l.paths.mgc_db, l.paths.legacy_db.parent().unwrap(), "t.db");
    let r = NullReporter::default();
    let i = chatdata::inspect(&l.pkg, Some(&empty), &r).unwrap();
    assert!(items(&i, "overwrite").is_empty(), "empty target");
    // pre-create a category and a room with names the package uses
    let pkg_room = i.rooms.iter().find(|r| r.imported).unwrap().clone();
    let c = Connection::open(&empty).unwrap();
    c.execute_batch(&format!(
        "INSERT INTO tblNode (nodeID,nodeGuid,parentID,nodeType,nodeName,nodeDesc,invite,logged,filePost,disabled,behavior,visibility,nodeAddedBy,nodeAddedOn,nodeUpdatedBy,nodeUpdatedOn) VALUES \
           (50,'G50',1,1,'{cat}','pre-created',1,1,1,0,4,3,1,0,1,0), \
           (51,'G51',50,0,'{room}','pre-created',NULL,NULL,NULL,0,4,6,1,0,1,0);",
        cat = pkg_room.category.replace('\'', "''"),
        room = pkg_room.name.replace('\'', "''"),
    ))
    .unwrap();
    drop(c);
    let i = chatdata::inspect(&l.pkg, Some(&empty), &r).unwrap();
    let mut want = vec![pkg_room.category.clone(), pkg_room.name.clone()];
    want.sort();
    assert_eq!(items(&i, "overwrite"), want);
    assert!(
        with_code(&i, "overwrite")
            .iter()
            .all(|w| w.message.contains("overwrites"))
    );
    // without a target the inspector cannot know
    assert!(items(&inspect(&l), "overwrite").is_empty());
}

#[test]
fn inspection_what_if_and_import_share_one_digest() {
    let l = lab(&small(), "");
    let r = NullReporter::default();
    let target = &l.paths.mgc_db;
    let i = chatdata::inspect(&l.pkg, Some(target), &r).unwrap();
    let wi = chatdata::import(&l.pkg, target, &what_if(), &r).unwrap();
    assert_eq!(wi.warnings, i.warnings);
    assert_eq!(wi.digest, i.digest());
    assert_eq!(wi.package_id, i.package_id);
    let real = chatdata::import(&l.pkg, target, &ImportOptions::default(), &r).unwrap();
    assert_eq!(
        real.digest,
        i.digest(),
        "the acknowledged digest is the imported one"
    );
    assert_eq!(real.warnings, i.warnings);
    // after the import the same package would overwrite everything: a different digest
    let after = chatdata::inspect(&l.pkg, Some(target), &r).unwrap();
    assert_ne!(after.digest(), i.digest());
    assert!(!items(&after, "overwrite").is_empty());
    // the text and JSON forms carry the verdict
    assert!(i.to_text().contains(&i.digest()));
    let json = serde_json::to_value(&i).unwrap();
    assert_eq!(json["warnings"].as_array().unwrap().len(), i.warnings.len());
    assert_eq!(json["inventory"]["messages"], 3_000);
}

#[test]
fn a_package_with_only_the_four_known_files_inspects_and_says_what_is_missing() {
    let l = lab(&small(), "");
    // keep AdUsers, AdGroups, AdAffiliations and ChatRooms only, as a real export might be
    let mut a = zip::ZipArchive::new(std::fs::File::open(&l.pkg).unwrap()).unwrap();
    let real = l.pkg.with_file_name("real.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&real).unwrap());
    for k in 0..a.len() {
        let mut f = a.by_index(k).unwrap();
        if f.name().starts_with("pchat-migrate/") {
            continue;
        }
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        z.start_file(f.name(), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(&b).unwrap();
    }
    z.finish().unwrap();
    let i = chatdata::inspect(&real, Some(&l.paths.mgc_db), &NullReporter::default()).unwrap();
    assert!(!i.written_by_pchat_migrate);
    assert_eq!(i.files_found.len(), 4, "{:?}", i.files_found);
    let missing = i.files_missing.join("\n");
    for what in ["manifest", "Categories.xml", "no chat history"] {
        assert!(missing.contains(what), "{missing}");
    }
    assert_eq!(i.inventory.messages, None);
    assert_eq!(i.inventory.rooms, 30);
    assert!(i.inventory.users > 200 && i.inventory.groups > 0);
    // the rooms cannot be created without their categories: errors, not a failure
    assert_eq!(items(&i, "room-without-category").len(), 30);
    assert_eq!(items(&i, "principal-without-guid").len(), 1);
    assert!(i.to_text().contains("no chat history"));
}

#[test]
fn the_cli_inspects_as_json_and_verify_writes_its_report_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let exe = env!("CARGO_BIN_EXE_pchat-migrate");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, _) = run(&["lab", "init", "--messages", "2000", "--rooms", "12"]);
    assert_eq!(code, Some(0));
    assert_eq!(run(&["export"]).0, Some(0));
    let pkg = data.join("lab/exports/GroupChatExport.zip");
    let mgc = data.join("lab/mgc.db");
    let (code, out) = run(&[
        "inspect",
        pkg.to_str().unwrap(),
        "--target",
        mgc.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, Some(0), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["inventory"]["messages"], 2000);
    assert_eq!(v["digest"].as_str().unwrap().len(), 64);
    assert_eq!(run(&["import", "--what-if"]).0, Some(0));
    assert_eq!(run(&["import", "--accept-warnings"]).0, Some(0));
    let report = dir.path().join("verify.json");
    let (code, _) = run(&["verify", "--out", report.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["messages_compared"], 2000);
    // a package that is not a zip: exit code 2 and an error naming the file
    let bogus = dir.path().join("bogus.zip");
    std::fs::write(&bogus, b"not a zip").unwrap();
    let (code, _) = run(&["inspect", bogus.to_str().unwrap()]);
    assert_eq!(code, Some(2));
}

/// A package of 20 000 one-message content entries reads whole, with the same rooms and
/// counts as the original (each entry is read once, in order; its cost no longer grows
/// with the number of entries — `pchat-migrate bench` times 100 000 of them).
#[test]
fn a_package_with_many_small_entries_inspects_whole() {
    let dir = tempfile::tempdir().unwrap();
    let paths = build(dir.path(), &spec(20_000, 12));
    let zip = export(&paths, "GroupChatExport.zip");
    let many = dir.path().join("many.zip");
    assert_eq!(
        pchat_migrate::bench::repack_into_entries(&zip, &many, usize::MAX).unwrap(),
        20_000
    );
    let r = NullReporter::default();
    let a = chatdata::inspect(&zip, None, &r).unwrap();
    let b = chatdata::inspect(&many, None, &r).unwrap();
    assert_eq!(b.inventory.messages, Some(20_000));
    let digests = |i: &Inspection| {
        i.rooms
            .iter()
            .map(|r| (r.name.clone(), r.messages, r.file_posts))
            .collect::<Vec<_>>()
    };
    assert_eq!(digests(&a), digests(&b));
    // entries of several rooms each, rooms cut across entries: the same messages in the same
    // order (the manifest's room digests are checked on the way)
    let seven = dir.path().join("seven.zip");
    assert_eq!(
        pchat_migrate::bench::repack_into_entries(&zip, &seven, 7).unwrap(),
        7
    );
    let c = chatdata::inspect(&seven, None, &r).unwrap();
    assert_eq!(c.inventory.messages, Some(20_000));
    assert_eq!(digests(&a), digests(&c));
}
