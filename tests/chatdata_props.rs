//! Property tests: the package reader — and the inspector and import built on it — never
//! panic, whatever the bytes: arbitrary files, and arbitrary zips with random entry names,
//! contents and compression, including the known file names filled with random XML.

#[path = "common/lab.rs"]
mod lab_common;

use std::io::Write;
use std::path::Path;

use pchat_migrate::chatdata::package::{PackageLimits, PackageReader};
use pchat_migrate::chatdata::{self, ImportOptions};
use pchat_migrate::progress::NullReporter;
use proptest::prelude::*;

/// Every entry the reader knows, and a few it must refuse or ignore.
const NAMES: &[&str] = &[
    "AdUsers.xml",
    "AdGroups.xml",
    "AdAffiliations.xml",
    "ChatRooms.xml",
    "pchat-migrate/manifest.json",
    "pchat-migrate/Principals.xml",
    "pchat-migrate/AddIns.xml",
    "pchat-migrate/Categories.xml",
    "pchat-migrate/Rooms.xml",
    "pchat-migrate/Content/00001.xml",
    "pchat-migrate/Content/00002.xml",
    "export/ChatRooms.xml",
    "readme.txt",
    "../escape.xml",
    "/abs/ChatRooms.xml",
    "C:\\x.xml",
    "dir/",
];

const ELEMENTS: &[&str] = &[
    "Pool",
    "AdUsers",
    "User",
    "AdGroups",
    "Group",
    "Groups",
    "AdAffiliations",
    "ChatRooms",
    "ChatRoom",
    "Name",
    "Desc",
    "Topic",
    "Roles",
    "Role",
    "Principal",
    "Principals",
    "Uri",
    "UPN",
    "Categories",
    "Category",
    "Rooms",
    "Room",
    "Scope",
    "AddIns",
    "AddIn",
    "Content",
    "Message",
];

const ATTRS: &[&str] = &[
    "id",
    "principalId",
    "UserPrincipalName",
    "isDisabled",
    "isManager",
    "isMember",
    "isCreator",
    "guid",
    "type",
    "federated",
    "parent",
    "category",
    "inScope",
    "invite",
    "behavior",
    "visibility",
    "addin",
    "principal",
    "date",
    "poster",
    "alert",
    "enc",
    "fqdn",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,3}",
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1".to_string()),
        Just("99999999999999999999".to_string()),
        Just("hex".to_string()),
        Just("Manager".to_string()),
        Just("6A2D0C3E-3F1B-4B2A-9C1D-2E3F4A5B6C7D".to_string()),
        Just("&amp;".to_string()),
        Just("&bogus;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("&#0;".to_string()),
        "[a-z ]{0,10}",
        "\\PC{0,6}",
    ]
}

#[derive(Clone, Debug)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<El>,
}

fn element() -> impl Strategy<Value = El> {
    let leaf = (
        prop::sample::select(ELEMENTS),
        prop::collection::vec((prop::sample::select(ATTRS), value()), 0..4),
        value(),
    )
        .prop_map(|(n, a, t)| El {
            name: n.to_string(),
            attrs: a.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            text: t,
            children: Vec::new(),
        });
    leaf.prop_recursive(4, 40, 6, |inner| {
        (
            prop::sample::select(ELEMENTS),
            prop::collection::vec((prop::sample::select(ATTRS), value()), 0..4),
            prop::collection::vec(inner, 0..6),
        )
            .prop_map(|(n, a, c)| El {
                name: n.to_string(),
                attrs: a.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                text: String::new(),
                children: c,
            })
    })
}

fn render(e: &El, out: &mut String) {
    out.push('<');
    out.push_str(&e.name);
    for (k, v) in &e.attrs {
        out.push_str(&format!(" {k}=\"{v}\""));
    }
    out.push('>');
    out.push_str(&e.text);
    for c in &e.children {
        render(c, out);
    }
    out.push_str("</");
    out.push_str(&e.name);
    out.push('>');
}

#[derive(Clone, Debug)]
enum Body {
    Xml(El, u8),
    Bytes(Vec<u8>),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        3 => (element(), 0u8..6).prop_map(|(e, v)| Body::Xml(e, v)),
        1 => prop::collection::vec(any::<u8>(), 0..300).prop_map(Body::Bytes),
    ]
}

fn bytes_of(b: &Body) -> Vec<u8> {
    match b {
        Body::Bytes(v) => v.clone(),
        Body::Xml(e, variant) => {
            let mut s = String::new();
            match variant {
                1 => s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
                2 => s.push_str("<!DOCTYPE x [<!ENTITY a \"b\">]>"),
                3 => s.push_str("<?xml version=\"1.0\" encoding=\"windows-1252\"?>"),
                _ => {}
            }
            render(e, &mut s);
            match variant {
                4 => {
                    // UTF-16 LE with BOM
                    let mut v = vec![0xFF, 0xFE];
                    v.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
                    v
                }
                5 => {
                    // cut short
                    let b = s.into_bytes();
                    b[..b.len() / 2].to_vec()
                }
                _ => s.into_bytes(),
            }
        }
    }
}

fn entries() -> impl Strategy<Value = Vec<(String, Body, bool)>> {
    prop::collection::vec(
        (
            prop_oneof![
                4 => prop::sample::select(NAMES).prop_map(str::to_string),
                1 => "[a-zA-Z0-9/._-]{1,20}",
            ],
            body(),
            any::<bool>(),
        ),
        0..8,
    )
}

fn write_zip(path: &Path, entries: &[(String, Body, bool)]) -> bool {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, body, deflate) in entries {
        let o = zip::write::SimpleFileOptions::default().compression_method(if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        });
        if name.ends_with('/') {
            if z.add_directory(name.as_str(), o).is_err() {
                return false;
            }
            continue;
        }
        if z.start_file(name.as_str(), o).is_err() {
            return false;
        }
        z.write_all(&bytes_of(body)).unwrap();
    }
    z.finish().is_ok()
}

/// Everything that reads a package: must return, never panic.
fn exercise(pkg: &Path, target_template: &Path, dir: &Path) {
    let r = NullReporter::default();
    if let Ok(mut p) = PackageReader::open(pkg, PackageLimits::default())
        && p.read_directory().is_ok()
    {
        let _ = p.for_each_message(|_| Ok(()));
    }
    let _ = chatdata::inspect(pkg, None, &r);
    let target = dir.join("t.db");
    std::fs::copy(target_template, &target).unwrap();
    let _ = chatdata::inspect(pkg, Some(&target), &r);
    let _ = chatdata::import(pkg, &target, &lab_common::what_if(), &r);
    let _ = chatdata::import(pkg, &target, &ImportOptions::default(), &r);
    for f in lab_common::stage_files(&target) {
        let _ = std::fs::remove_file(f);
    }
}

fn empty_target(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("empty-mgc.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    pchat_migrate::lab::schema::create_mgc(&c).unwrap();
    path
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        let template = empty_target(dir.path());
        let pkg = dir.path().join("p.zip");
        std::fs::write(&pkg, &bytes).unwrap();
        exercise(&pkg, &template, dir.path());
        // the same bytes behind a valid zip signature
        let mut with_sig = b"PK\x03\x04".to_vec();
        with_sig.extend_from_slice(&bytes);
        std::fs::write(&pkg, &with_sig).unwrap();
        exercise(&pkg, &template, dir.path());
    }

    #[test]
    fn arbitrary_zips_never_panic(entries in entries(), cut in 0usize..4) {
        let dir = tempfile::tempdir().unwrap();
        let template = empty_target(dir.path());
        let pkg = dir.path().join("p.zip");
        prop_assume!(write_zip(&pkg, &entries));
        exercise(&pkg, &template, dir.path());
        if cut > 0 {
            // and truncated
            let b = std::fs::read(&pkg).unwrap();
            std::fs::write(&pkg, &b[..b.len() * cut / 4]).unwrap();
            exercise(&pkg, &template, dir.path());
        }
    }
}
