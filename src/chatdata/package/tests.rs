use std::io::Write;
use std::path::Path;

use super::*;
use crate::chatdata::ChatDataError;
use crate::chatdata::model::*;

fn sample_directory() -> Directory {
    let p = |id: i64, t: i16, uri: &str, upn: Option<&str>| Principal {
        id,
        guid: Some(format!("00000000-0000-4000-8000-{id:012X}")),
        type_id: Some(t),
        federated: ptype::is_federated(t),
        uri: uri.into(),
        name: Some(format!("Name {id} — Lucía 김")),
        company: Some("Contoso & Co".into()),
        email: upn.map(str::to_string),
        ad_path: Some(format!("CN=N{id},OU=Chat Users,DC=contoso,DC=lab")),
        upn: upn.map(str::to_string),
        disabled: id == 12,
        added_by: Some(1),
        added_on: 633_000_000_000_000_000 + id,
        updated_by: None,
        updated_on: 633_100_000_000_000_000,
        verified_on: "2013-03-30 02:00:00".into(),
    };
    let node = |id: i64, parent: i64, cat: bool, name: &str| Node {
        id,
        guid: format!("10000000-0000-4000-8000-{id:012X}"),
        parent_id: parent,
        is_category: cat,
        name: name.into(),
        desc: format!("desc of {name}\nsecond line"),
        topic: if cat {
            String::new()
        } else {
            format!("topic {name}")
        },
        invite: if id == 3 { Some(false) } else { None },
        logged: Some(true),
        file_post: if cat { None } else { Some(false) },
        disabled: id == 11,
        inheritance: cat,
        scope_change: false,
        override_member: id == 10,
        restrict_child_create: None,
        behavior: if id == 11 {
            enumv::AUDITORIUM
        } else {
            enumv::NORMAL
        },
        visibility: if cat { None } else { Some(enumv::PRIVATE) },
        scope_definer_id: if cat { id } else { parent },
        role_definer_id: 1,
        siop_id: (id == 10).then(|| "AAAAAAAA-0000-4000-8000-000000000001".to_string()),
        added_by: 1,
        added_on: 633_000_000_000_000_000,
        updated_by: 1,
        updated_on: 633_000_000_000_000_001,
        in_scope: true,
    };
    Directory {
        root_id: Some(1),
        principals: vec![
            p(1, ptype::SYSTEM_USER, "ma-grp://contoso.lab/system", None),
            p(5, ptype::GROUP, "ma-grp://contoso.lab/group/g", None),
            p(10, ptype::USER, "sip:a@contoso.lab", Some("a@contoso.lab")),
            p(11, ptype::USER, "sip:b@contoso.lab", Some("b@contoso.lab")),
            p(12, ptype::FEDERATED_USER, "sip:x@fabrikam.com", None),
        ],
        nodes: vec![
            node(1, 1, true, "Root"),
            node(2, 1, true, "Engineering"),
            node(3, 2, true, "Platform <&> 'Ops'"),
            node(10, 3, false, "Build Status 🚂"),
            node(11, 2, false, "주간 회의"),
        ],
        addins: vec![AddIn {
            id: "AAAAAAAA-0000-4000-8000-000000000001".into(),
            name: "Wiki".into(),
            url: "https://wiki/?a=1&b=2".into(),
        }],
        roles: vec![
            RoleAssignment {
                node_id: 1,
                prin_id: 10,
                role: Role::Manager,
            },
            RoleAssignment {
                node_id: 10,
                prin_id: 5,
                role: Role::Member,
            },
            RoleAssignment {
                node_id: 10,
                prin_id: 11,
                role: Role::Manager,
            },
            RoleAssignment {
                node_id: 10,
                prin_id: 11,
                role: Role::Member,
            },
            RoleAssignment {
                node_id: 11,
                prin_id: 10,
                role: Role::Voiced,
            },
            RoleAssignment {
                node_id: 11,
                prin_id: 12,
                role: Role::Member,
            },
        ],
        scopes: vec![
            ScopeEntry {
                node_id: 2,
                prin_id: 5,
            },
            ScopeEntry {
                node_id: 3,
                prin_id: 10,
            },
        ],
        affiliations: vec![
            Affiliation {
                principal_id: 10,
                group_id: 5,
            },
            Affiliation {
                principal_id: 11,
                group_id: 5,
            },
        ],
    }
}

fn sample_messages() -> Vec<Message> {
    let texts = [
        "hello",
        "line one\r\nline two",
        "bell\u{7} char",
        "<b>bold</b> & \"quotes\" 'apos'",
        "  spaces around  ",
        "ma-filelink://gcpool.contoso.lab/x/y/Q3 report.xlsx",
        "오늘 회의는 3시에 시작합니다 🎉",
        "",
    ];
    let mut out = Vec::new();
    for (room, n) in [(10, 7), (11, 3)] {
        for k in 0..n {
            out.push(Message {
                room_id: room,
                chat_id: k + 1,
                date: 634_000_000_000_000_000 + k * 10,
                poster_id: if k % 2 == 0 { 10 } else { 11 },
                is_alert: k == 2,
                content: texts[(k as usize + room as usize) % texts.len()].into(),
            });
        }
    }
    out
}

fn write_sample(path: &Path) -> Manifest {
    let d = sample_directory();
    let mut w = PackageWriter::create(
        path,
        Manifest {
            level: "All".into(),
            ..Manifest::default()
        },
    )
    .unwrap();
    w.write_directory(
        &d,
        Sections {
            principals: true,
            categories: true,
            rooms: true,
            content: true,
        },
    )
    .unwrap();
    let msgs = sample_messages();
    for room in d.rooms() {
        w.begin_room(room).unwrap();
        for m in msgs.iter().filter(|m| m.room_id == room.id) {
            let guid = d
                .principals
                .iter()
                .find(|p| p.id == m.poster_id)
                .unwrap()
                .guid
                .clone()
                .unwrap();
            w.write_message(m, &guid).unwrap();
        }
    }
    w.finish().unwrap().0
}

fn read_all(path: &Path) -> Result<(PackageContents, Vec<Message>), ChatDataError> {
    let mut r = PackageReader::open(path, PackageLimits::default())?;
    let c = r.read_directory()?;
    let mut msgs = Vec::new();
    r.for_each_message(|m| {
        msgs.push(m.clone());
        Ok(())
    })?;
    Ok((c, msgs))
}

fn make_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(*name, o).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

/// Copies the package at `src` to `out`, every entry's bytes passed through `edit` (name, data).
fn rewrite_zip(src: &Path, out: &Path, edit: impl Fn(&str, Vec<u8>) -> Vec<u8>) {
    let mut z = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        let name = f.name().to_string();
        entries.push((name.clone(), edit(&name, data)));
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    make_zip(out, &refs);
}

fn entry_of(e: ChatDataError) -> (String, String) {
    match e {
        ChatDataError::Package {
            entry,
            message,
            path,
        } => {
            assert!(
                !path.as_os_str().is_empty(),
                "the error names the package file"
            );
            (entry, message)
        }
        other => panic!("expected a package error, got {other}"),
    }
}

#[test]
fn round_trip_keeps_every_field_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    let manifest = write_sample(&path);
    assert_eq!(manifest.counts.messages, 10);
    assert_eq!(manifest.content_files, ["pchat-migrate/Content/00001.xml"]);
    let (c, msgs) = read_all(&path).unwrap();
    let mut want = sample_directory();
    want.roles.sort_unstable();
    assert_eq!(c.directory, want);
    assert_eq!(msgs, sample_messages());
    assert!(c.manifest.is_some());
    assert_eq!(
        c.sections,
        Sections {
            principals: true,
            categories: true,
            rooms: true,
            content: true
        }
    );
    assert!(c.unknown_entries.is_empty());
}

#[test]
fn the_four_known_files_have_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    write_sample(&path);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut text = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let users = text("AdUsers.xml");
    assert!(
        users.contains(
            "<Pool><AdUsers><User principalId=\"10\" UserPrincipalName=\"a@contoso.lab\"/>"
        ),
        "{users}"
    );
    assert!(
        text("AdGroups.xml")
            .contains("<Pool><AdGroups><Group principalId=\"5\"/></AdGroups></Pool>")
    );
    let aff = text("AdAffiliations.xml");
    assert!(
        aff.contains("<User id=\"10\"><Groups><Group id=\"5\"/></Groups></User>"),
        "{aff}"
    );
    let rooms = text("ChatRooms.xml");
    assert!(
        rooms.contains("<ChatRoom isDisabled=\"0\"><Name>Build Status 🚂</Name><Desc>desc of Build Status 🚂\nsecond line</Desc><Roles><Principal id=\"5\" isManager=\"0\" isMember=\"1\" isCreator=\"0\"/><Principal id=\"11\" isManager=\"1\" isMember=\"1\" isCreator=\"0\"/></Roles></ChatRoom>"),
        "{rooms}"
    );
}

#[test]
fn a_package_with_only_the_four_known_files_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("real.zip");
    // element forms, a folder, a UTF-16 file, unknown elements, attributes and files
    let users = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<Pool><AdUsers>\r\n  <User><principalId>7</principalId><UserPrincipalName>anna@contoso.lab</UserPrincipalName><Unknown/></User>\r\n  <User principalId=\"8\" UserPrincipalName=\"bob@contoso.lab\" extra=\"x\"/>\r\n</AdUsers></Pool>";
    let mut users16 = vec![0xFF, 0xFE];
    for u in users.encode_utf16() {
        users16.extend_from_slice(&u.to_le_bytes());
    }
    make_zip(
        &path,
        &[
            ("Export/AdUsers.xml", &users16),
            ("Export/AdGroups.xml", b"\xEF\xBB\xBF<Pool><AdGroups><Group principalId=\"20\"/></AdGroups></Pool>"),
            (
                "Export/AdAffiliations.xml",
                b"<Pool><AdAffiliations><User id=\"7\"><Groups><Group id=\"20\"/></Groups></User></AdAffiliations></Pool>",
            ),
            (
                "Export/ChatRooms.xml",
                b"<Pool xmlns=\"urn:x\"><ChatRooms><ChatRoom isDisabled=\"1\"><Name>Ops &amp; Support</Name><Desc>d</Desc><Roles><Principal id=\"7\" isManager=\"1\" isMember=\"0\" isCreator=\"0\"/><Principal><id>20</id><isManager>0</isManager><isMember>1</isMember></Principal></Roles><Future/></ChatRoom></ChatRooms></Pool>",
            ),
            ("Export/readme.txt", b"not xml at all <<<"),
        ],
    );
    let (c, msgs) = read_all(&path).unwrap();
    assert!(msgs.is_empty());
    assert!(c.manifest.is_none());
    let d = &c.directory;
    assert_eq!(d.principals.len(), 3);
    assert_eq!(
        d.principals
            .iter()
            .find(|p| p.id == 7)
            .unwrap()
            .upn
            .as_deref(),
        Some("anna@contoso.lab")
    );
    assert_eq!(
        d.affiliations,
        [Affiliation {
            principal_id: 7,
            group_id: 20
        }]
    );
    let room = d.rooms().next().unwrap();
    assert_eq!(room.name, "Ops & Support");
    assert!(room.disabled);
    assert_eq!(d.roles.len(), 2);
    assert!(
        d.roles
            .iter()
            .any(|r| r.prin_id == 20 && r.role == Role::Member)
    );
    assert_eq!(c.unknown_entries, ["Export/readme.txt"]);
    assert!(
        c.notes.iter().any(|n| n.contains("no content files")),
        "{:?}",
        c.notes
    );
    assert!(c.sections.principals && c.sections.rooms && !c.sections.content);
}

#[test]
fn hostile_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "../x.xml",
        "a/../../x.xml",
        "/etc/passwd",
        "\\windows\\x.xml",
        "C:/x.xml",
    ] {
        let path = dir.path().join("bad.zip");
        make_zip(&path, &[("AdUsers.xml", b"<Pool/>"), (name, b"<x/>")]);
        let Err(e) = PackageReader::open(&path, PackageLimits::default()) else {
            panic!("{name} was accepted");
        };
        let (entry, msg) = entry_of(e);
        assert_eq!(entry, name);
        assert!(msg.contains("absolute") || msg.contains(".."), "{msg}");
    }
}

#[test]
fn dtd_and_entities_are_refused_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dtd.zip");
    make_zip(
        &path,
        &[(
            "AdUsers.xml",
            b"<?xml version=\"1.0\"?><!DOCTYPE Pool [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><Pool><AdUsers><User principalId=\"&b;\"/></AdUsers></Pool>",
        )],
    );
    let (entry, msg) = entry_of(read_all(&path).unwrap_err());
    assert_eq!(entry, "AdUsers.xml");
    assert!(msg.contains("entity"), "{msg}");
    make_zip(
        &path,
        &[(
            "ChatRooms.xml",
            b"<!DOCTYPE Pool SYSTEM \"file:///etc/passwd\"><Pool/>",
        )],
    );
    let (entry, msg) = entry_of(read_all(&path).unwrap_err());
    assert_eq!(entry, "ChatRooms.xml");
    assert!(msg.contains("DOCTYPE"), "{msg}");
}

#[test]
fn compression_bombs_and_oversized_entries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.zip");
    let zeros = vec![b' '; 20 * 1024 * 1024];
    make_zip(
        &path,
        &[("AdUsers.xml", b"<Pool/>"), ("ChatRooms.xml", &zeros)],
    );
    let Err(e) = PackageReader::open(&path, PackageLimits::default()) else {
        panic!("bomb accepted");
    };
    let (entry, msg) = entry_of(e);
    assert_eq!(entry, "ChatRooms.xml");
    assert!(msg.contains("100×"), "{msg}");
    // the size limit applies independently of the ratio
    let limits = PackageLimits {
        max_entry_bytes: 1024,
        max_ratio: 100_000,
        ..PackageLimits::default()
    };
    let Err(e) = PackageReader::open(&path, limits) else {
        panic!("oversized entry accepted");
    };
    assert!(entry_of(e).1.contains("limit"));
}

#[test]
fn truncated_archives_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    write_sample(&path);
    let bytes = std::fs::read(&path).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 10] {
        let t = dir.path().join("t.zip");
        std::fs::write(&t, &bytes[..cut]).unwrap();
        let e = read_all(&t).unwrap_err();
        let (entry, msg) = entry_of(e);
        assert_eq!(entry, "(archive)");
        assert!(msg.contains("truncated"), "{msg}");
    }
}

#[test]
fn altered_content_fails_the_manifest_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    write_sample(&path);
    // rebuild the zip with one message changed
    let altered = dir.path().join("altered.zip");
    rewrite_zip(&path, &altered, |name, data| {
        if name.starts_with(CONTENT_PREFIX) {
            let s = String::from_utf8(data).unwrap();
            s.replacen(">hello<", ">hellO<", 1).into_bytes()
        } else {
            data
        }
    });
    let (entry, msg) = entry_of(read_all(&altered).unwrap_err());
    assert_eq!(entry, MANIFEST);
    assert!(msg.contains("does not match the manifest"), "{msg}");
}

/// Rewrites `path`'s manifest as layout version 1 wrote it (no `"digest"`, per-room
/// `"sha256"` holding SHA-256 digests of the sample's messages), with `alter` applied to
/// the manifest text last.
fn as_version_1(path: &Path, out: &Path, alter: impl Fn(String) -> String) {
    use crate::chatdata::digest::{ContentDigest, DigestAlgorithm};
    let d = sample_directory();
    rewrite_zip(path, out, |name, data| {
        if name != MANIFEST {
            return data;
        }
        let mut m: serde_json::Value = serde_json::from_slice(&data).unwrap();
        m["version"] = 1.into();
        m.as_object_mut().unwrap().remove("digest");
        for room in m["rooms"].as_array_mut().unwrap() {
            let id = room["id"].as_i64().unwrap();
            let mut sha = ContentDigest::with(DigestAlgorithm::Sha256);
            for msg in sample_messages().iter().filter(|x| x.room_id == id) {
                let guid = d.principals.iter().find(|p| p.id == msg.poster_id);
                let guid = guid.and_then(|p| p.guid.clone()).unwrap();
                sha.update(msg.date, &guid, msg.is_alert, &msg.content);
            }
            let room = room.as_object_mut().unwrap();
            room.remove("digest");
            room.insert("sha256".into(), sha.finish().digest.into());
        }
        alter(serde_json::to_string_pretty(&m).unwrap()).into_bytes()
    });
}

#[test]
fn a_version_1_package_with_sha256_digests_is_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    let written = write_sample(&path);
    assert_eq!(written.version, FORMAT_VERSION);
    assert_eq!(
        written.digest,
        crate::chatdata::digest::DigestAlgorithm::Blake3
    );
    let v1 = dir.path().join("v1.zip");
    as_version_1(&path, &v1, |m| m);
    let (c, msgs) = read_all(&v1).expect("a faithful version 1 package reads");
    assert_eq!(msgs, sample_messages());
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("layout 1") && n.contains("SHA-256 digests")),
        "the inspection says which hash it checked: {:?}",
        c.notes
    );
    let m = c.manifest.unwrap();
    assert_eq!(m.version, 1);
    assert_eq!(m.digest, crate::chatdata::digest::DigestAlgorithm::Sha256);
    // its SHA-256 digests are checked: one changed digit is found and named as SHA-256
    let altered = dir.path().join("v1-altered.zip");
    as_version_1(&path, &altered, |m| {
        let at = m.find("\"sha256\": \"").unwrap() + 11;
        let mut b = m.into_bytes();
        b[at] = if b[at] == b'0' { b'1' } else { b'0' };
        String::from_utf8(b).unwrap()
    });
    let (entry, msg) = entry_of(read_all(&altered).unwrap_err());
    assert_eq!(entry, MANIFEST);
    assert!(msg.contains("does not match the manifest"), "{msg}");
    assert!(msg.contains("SHA-256"), "{msg}");
}

#[test]
fn entry_names_are_classified() {
    assert_eq!(classify("AdUsers.xml"), EntryKind::AdUsers);
    assert_eq!(classify("Export/adusers.XML"), EntryKind::AdUsers);
    assert_eq!(
        classify("pchat-migrate/Content/00001.xml"),
        EntryKind::Content
    );
    assert_eq!(
        classify("x/pchat-migrate/manifest.json"),
        EntryKind::Manifest
    );
    assert_eq!(classify("Other.xml"), EntryKind::Unknown);
    assert!(unsafe_name("a/b.xml").is_none());
}

/// A content-only package of `entries` entries of `per` messages each in room 42 (chatID =
/// date = entry × 1000 + position); `extra(k, i)` may add a message before position `i`.
fn content_package(
    path: &Path,
    entries: i64,
    per: i64,
    extra: impl Fn(i64, i64) -> Option<String>,
) {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for k in 1..=entries {
        let mut x = String::from("<Content><Room id=\"42\">");
        for i in 0..per {
            if let Some(m) = extra(k, i) {
                x.push_str(&m);
            }
            let id = k * 1000 + i;
            x.push_str(&format!(
                "<Message id=\"{id}\" date=\"{id}\" poster=\"7\" alert=\"0\">m{id}</Message>"
            ));
        }
        x.push_str("</Room></Content>");
        files.push((format!("pchat-migrate/Content/{k:05}.xml"), x.into_bytes()));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    make_zip(path, &refs);
}

#[test]
fn content_read_by_workers_arrives_in_order_up_to_the_first_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.zip");
    // entry 6 fails half-way; entries 7–9 (read ahead by the workers) must not show
    content_package(&path, 9, 300, |k, i| {
        (k == 6 && i == 150)
            .then(|| "<Message id=\"bad\" date=\"1\" poster=\"7\" alert=\"0\">x</Message>".into())
    });
    let mut r = PackageReader::open(&path, PackageLimits::default()).unwrap();
    r.read_directory().unwrap();
    let mut ids = Vec::new();
    let err = r
        .for_each_message(|m| {
            ids.push(m.chat_id);
            Ok(())
        })
        .unwrap_err();
    let (entry, message) = entry_of(err);
    assert_eq!(entry, "pchat-migrate/Content/00006.xml");
    assert!(message.contains("id=\"bad\""), "{message}");
    let want: Vec<i64> = (1..=5)
        .flat_map(|k| (0..300).map(move |i| k * 1000 + i))
        .chain((0..150).map(|i| 6000 + i))
        .collect();
    assert_eq!(ids, want);
    // without the failure every message comes, in entry order
    content_package(&path, 9, 300, |_, _| None);
    let (_, msgs) = read_all(&path).unwrap();
    let want: Vec<i64> = (1..=9)
        .flat_map(|k| (0..300).map(move |i| k * 1000 + i))
        .collect();
    assert_eq!(msgs.iter().map(|m| m.chat_id).collect::<Vec<_>>(), want);
}

#[test]
fn a_message_from_a_guid_the_package_does_not_define_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("guid.zip");
    content_package(&path, 2, 10, |k, i| {
        (k == 2 && i == 5).then(|| {
            "<Message id=\"1\" date=\"1\" poster=\"{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}\" alert=\"0\">x</Message>".into()
        })
    });
    let err = read_all(&path).unwrap_err();
    let (entry, message) = entry_of(err);
    assert_eq!(entry, "pchat-migrate/Content/00002.xml");
    assert!(
        message.contains("{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}")
            && message.contains("does not define"),
        "{message}"
    );
}

#[test]
fn message_numbers_parse_alike_on_the_fast_and_the_general_path() {
    use super::reader::parse_num;
    let ok = [
        ("0", Some(0)),
        ("633785679668741355", Some(633_785_679_668_741_355)), // 18 digits: fast path
        ("9223372036854775807", Some(i64::MAX)),               // 19 digits: general path
        ("-5", Some(-5)),
        ("+7", Some(7)),
        (" 42\n", Some(42)),
        ("", None),
        ("  ", None),
    ];
    for (s, want) in ok {
        assert_eq!(parse_num(s, "date").unwrap(), want, "{s:?}");
    }
    for bad in ["9223372036854775808", "12a", "1 2", "٣"] {
        let e = parse_num(bad, "date").unwrap_err().to_string();
        assert!(e.contains("date=") && e.contains("not a number"), "{e}");
    }
    // what the error quotes is escaped
    let e = parse_num("1\u{1b}[31m", "id").unwrap_err().to_string();
    assert!(!e.contains('\u{1b}'), "{e:?}");
}

#[test]
fn a_manifest_digest_of_non_ascii_text_is_refused_naming_the_manifest() {
    // the message quotes the first characters of the manifest's digest: a byte cut inside a
    // multi-byte character would panic
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.zip");
    write_sample(&path);
    let odd = dir.path().join("odd.zip");
    rewrite_zip(&path, &odd, |name, data| {
        if name != MANIFEST {
            return data;
        }
        let mut m: serde_json::Value = serde_json::from_slice(&data).unwrap();
        m["rooms"][0]["digest"] = "aéééééééé\u{1b}[31m".into();
        serde_json::to_vec(&m).unwrap()
    });
    let (entry, msg) = entry_of(read_all(&odd).unwrap_err());
    assert_eq!(entry, MANIFEST);
    assert!(msg.contains("does not match the manifest"), "{msg}");
    assert!(msg.contains("aéééééé"), "{msg}");
    assert!(!msg.contains('\u{1b}'), "{msg:?}");
}
