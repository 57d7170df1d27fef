//! Hostile and broken packages: each is refused with an error naming the entry, by the
//! inspector and by the import (what-if and real), and the target database stays byte for
//! byte as it was, with no staging file left behind.

#[path = "common/lab.rs"]
mod lab_common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use lab_common::{build, copy, export, spec, stage_files};
use pchat_migrate::chatdata::package::PackageLimits;
use pchat_migrate::chatdata::{self, ChatDataError, ImportOptions};
use pchat_migrate::progress::NullReporter;

type Entries = Vec<(String, Vec<u8>)>;

fn entries(zip: &Path) -> Entries {
    let mut a = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().to_string(), b)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &Entries) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(name.as_str(), o).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

fn with(base: &Entries, f: impl FnOnce(&mut Entries)) -> Entries {
    let mut e = base.clone();
    f(&mut e);
    e
}

fn replace(e: &mut Entries, name: &str, data: Vec<u8>) {
    let slot = e
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no entry {name}"));
    slot.1 = data;
}

/// Sets the uncompressed size an entry declares (local header and central directory) to
/// `size`, so that the archive lies about how far the entry expands.
fn lie_about_size(bytes: &mut [u8], name: &str, size: u32) {
    let n = name.as_bytes();
    let mut patched = 0;
    let mut i = 0;
    while i + 46 < bytes.len() {
        let sig = u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        if sig == 0x0403_4b50 {
            let len = u16::from_le_bytes(bytes[i + 26..i + 28].try_into().unwrap()) as usize;
            if bytes.get(i + 30..i + 30 + len) == Some(n) {
                bytes[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
        } else if sig == 0x0201_4b50 {
            let len = u16::from_le_bytes(bytes[i + 28..i + 30].try_into().unwrap()) as usize;
            if bytes.get(i + 46..i + 46 + len) == Some(n) {
                bytes[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
        }
        i += 1;
    }
    assert_eq!(patched, 2, "local and central headers of {name}");
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("needle present")
}

fn rfind(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .rposition(|w| w == needle)
        .expect("needle present")
}

fn assert_names(err: &ChatDataError, case: &str, entry_want: &str, needle: &str) {
    match err {
        ChatDataError::Package { entry, message, .. } => {
            assert!(
                entry.contains(entry_want),
                "{case}: the error names entry {entry:?}, expected {entry_want:?}: {message}"
            );
            assert!(
                message.to_lowercase().contains(&needle.to_lowercase()),
                "{case}: {message:?} should say {needle:?}"
            );
        }
        other => panic!("{case}: expected a package error, got {other}"),
    }
}

struct Case {
    name: &'static str,
    package: PathBuf,
    entry: &'static str,
    says: &'static str,
    opts: ImportOptions,
}

#[test]
fn hostile_packages_are_refused_and_the_target_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // two content files, so that a bad second file comes after a good first one
    let paths = build(dir.path(), &spec(60_000, 12));
    let good = export(&paths, "good.zip");
    let base = entries(&good);
    let content: Vec<String> = base
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| n.starts_with("pchat-migrate/Content/"))
        .collect();
    assert!(content.len() >= 2, "{content:?}");
    let last_content = content.last().unwrap().clone();
    let p = |name: &str| dir.path().join(name);
    let mut cases = Vec::new();
    let mut add = |name: &'static str, e: Entries, entry: &'static str, says: &'static str| {
        let path = p(&format!("{name}.zip"));
        write_zip(&path, &e);
        cases.push(Case {
            name,
            package: path,
            entry,
            says,
            opts: ImportOptions::default(),
        });
    };

    add(
        "absolute path",
        with(&base, |e| {
            e.push(("/etc/cron.d/evil".into(), b"x".to_vec()))
        }),
        "/etc/cron.d/evil",
        "absolute",
    );
    add(
        "drive letter",
        with(&base, |e| {
            e.push(("C:\\Windows\\evil.xml".into(), b"x".to_vec()))
        }),
        "C:\\Windows\\evil.xml",
        "absolute",
    );
    add(
        "dot dot",
        with(&base, |e| {
            e.push(("pchat-migrate/../../evil.xml".into(), b"<x/>".to_vec()))
        }),
        "../../evil.xml",
        "..",
    );
    add(
        "declared bomb",
        with(&base, |e| {
            e.push((
                "pchat-migrate/Content/99999.xml".into(),
                vec![b' '; 20 << 20],
            ))
        }),
        "99999.xml",
        "100×",
    );
    add(
        "dtd in the room directory",
        with(&base, |e| {
            let doc = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\
                       <Pool><ChatRooms><ChatRoom isDisabled=\"0\"><Name>&lol2;</Name></ChatRoom></ChatRooms></Pool>";
            replace(e, "ChatRooms.xml", doc.as_bytes().to_vec());
        }),
        "ChatRooms.xml",
        "entity",
    );
    let lc = last_content.clone();
    add(
        "entity in the last content file",
        with(&base, |e| {
            let doc = "<?xml version=\"1.0\"?><!DOCTYPE c [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Content><Room id=\"2\">\
                       <Message id=\"1\" date=\"1\" poster=\"1\" alert=\"0\">&x;</Message></Room></Content>";
            replace(e, &lc, doc.as_bytes().to_vec());
        }),
        "Content/",
        "entity",
    );
    let lc = last_content.clone();
    add(
        "declared latin-1",
        with(&base, |e| {
            let mut doc = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Content><Room id=\"2\"><Message id=\"1\" date=\"1\" poster=\"1\" alert=\"0\">caf".to_vec();
            doc.push(0xE9);
            doc.extend_from_slice(b"</Message></Room></Content>");
            replace(e, &lc, doc);
        }),
        "Content/",
        "encoding",
    );
    let lc = last_content.clone();
    add(
        "invalid utf-8",
        with(&base, |e| {
            let (_, data) = e.iter().find(|(n, _)| *n == lc).unwrap();
            let mut doc = data.clone();
            // inside the text of the first message
            let m = find(&doc, b"<Message ");
            let at = m + find(&doc[m..], b">") + 1;
            doc.splice(at..at, [0xFF, 0xFE]);
            replace(e, &lc, doc);
        }),
        "Content/",
        "utf",
    );
    add(
        "utf-16 without a BOM",
        with(&base, |e| {
            let text = "<?xml version=\"1.0\"?><Pool><ChatRooms/></Pool>";
            let doc: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            replace(e, "ChatRooms.xml", doc);
        }),
        "ChatRooms.xml",
        "",
    );
    add(
        "truncated xml in the last content file",
        with(&base, |e| {
            let (_, data) = e.iter().find(|(n, _)| *n == last_content).unwrap();
            let end = rfind(data, b"</Message>") + b"</Message>".len();
            let cut = data[..end].to_vec();
            replace(e, &last_content, cut);
        }),
        "Content/",
        "truncated",
    );

    // another pool: the manifest names a different pool than the target's
    let other_pool = with(&base, |e| {
        let (_, m) = e
            .iter()
            .find(|(n, _)| n == "pchat-migrate/manifest.json")
            .unwrap();
        let text = String::from_utf8(m.clone())
            .unwrap()
            .replace("pchatpool.contoso.lab", "pchat.fabrikam.com");
        replace(e, "pchat-migrate/manifest.json", text.into_bytes());
    });
    add(
        "another pool",
        other_pool.clone(),
        "manifest.json",
        "pchat.fabrikam.com",
    );
    // ... or a real package's <Pool> names one
    let real_other = vec![
        (
            "ChatRooms.xml".to_string(),
            b"<Pool fqdn=\"gc.fabrikam.com\"><ChatRooms><ChatRoom isDisabled=\"0\"><Name>x</Name><Desc/><Roles/></ChatRoom></ChatRooms></Pool>"
                .to_vec(),
        ),
        (
            "AdUsers.xml".to_string(),
            b"<Pool><AdUsers/></Pool>".to_vec(),
        ),
    ];
    add(
        "another pool (real package)",
        real_other,
        "ChatRooms.xml",
        "gc.fabrikam.com",
    );

    // truncated archive: the central directory is gone
    let bytes = std::fs::read(&good).unwrap();
    let cut = p("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() * 3 / 4]).unwrap();
    cases.push(Case {
        name: "truncated archive",
        package: cut,
        entry: "(archive)",
        says: "truncated",
        opts: ImportOptions::default(),
    });
    // damaged deflate data inside the last content file (central directory intact)
    let mut damaged = bytes.clone();
    let name = last_content.as_bytes();
    let at = damaged
        .windows(name.len())
        .position(|w| w == name)
        .expect("local header of the last content file")
        + name.len()
        + 200;
    for b in &mut damaged[at..at + 64] {
        *b ^= 0x5A;
    }
    let damaged_path = p("damaged.zip");
    std::fs::write(&damaged_path, &damaged).unwrap();
    cases.push(Case {
        name: "damaged entry",
        package: damaged_path,
        entry: "Content/",
        says: "",
        opts: ImportOptions::default(),
    });
    // an entry whose header lies about its size: caught while inflating
    let mut liar = entries(&good);
    liar.push((
        "pchat-migrate/Content/99999.xml".into(),
        vec![b'<'; 8 << 20],
    ));
    let liar_path = p("liar.zip");
    write_zip(&liar_path, &liar);
    let mut lbytes = std::fs::read(&liar_path).unwrap();
    lie_about_size(&mut lbytes, "pchat-migrate/Content/99999.xml", 1000);
    std::fs::write(&liar_path, &lbytes).unwrap();
    cases.push(Case {
        name: "lying size header",
        package: liar_path,
        entry: "99999.xml",
        says: "expands beyond",
        opts: ImportOptions::default(),
    });
    // a configurable limit below the size of the content files
    cases.push(Case {
        name: "over the configured entry limit",
        package: good.clone(),
        entry: "pchat-migrate/",
        says: "limit",
        opts: ImportOptions {
            limits: PackageLimits {
                max_entry_bytes: 256 * 1024,
                ..PackageLimits::default()
            },
            ..ImportOptions::default()
        },
    });

    let target = copy(&paths.mgc_db, dir.path(), "target.db");
    let before = std::fs::read(&target).unwrap();
    let r = NullReporter::default();
    for case in &cases {
        for what_if in [true, false] {
            let opts = ImportOptions {
                what_if,
                ..case.opts.clone()
            };
            let err = chatdata::import(&case.package, &target, &opts, &r).unwrap_err();
            let label = format!("{} (what-if {what_if})", case.name);
            assert_names(&err, &label, case.entry, case.says);
            assert!(
                err.to_string().contains(&*case.package.to_string_lossy()),
                "{label}: the error names the package: {err}"
            );
            assert_eq!(
                std::fs::read(&target).unwrap(),
                before,
                "{label}: the target changed"
            );
            assert!(
                stage_files(&target).is_empty(),
                "{label}: stage left behind"
            );
        }
        // the inspector reports another pool as an error-level warning instead (below)
        if case.opts == ImportOptions::default() && !case.name.starts_with("another pool") {
            let err = chatdata::inspect(&case.package, Some(&target), &r).unwrap_err();
            assert_names(
                &err,
                &format!("{} (inspect)", case.name),
                case.entry,
                case.says,
            );
        }
    }

    // the inspector shows the other pool as an error the import will refuse
    let i = chatdata::inspect(&p("another pool.zip"), Some(&target), &r).unwrap();
    assert!(
        i.warnings
            .iter()
            .any(|w| w.code == "other-pool" && w.severity == "error"),
        "{:?}",
        i.warnings
    );
    // with allow_other_pool the import goes ahead, with the warning in its list
    let s = chatdata::import(
        &p("another pool.zip"),
        &target,
        &ImportOptions {
            allow_other_pool: true,
            ..ImportOptions::default()
        },
        &r,
    )
    .unwrap();
    assert!(s.warnings.iter().any(|w| w.code == "other-pool"));
    assert_eq!(s.messages, 60_000 - s.messages_skipped);
    // and the good package imports as usual
    let fresh = copy(&paths.mgc_db, dir.path(), "fresh.db");
    chatdata::import(&good, &fresh, &ImportOptions::default(), &r).unwrap();
}
