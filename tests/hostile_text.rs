//! Text from hostile or damaged files through the real binary: a topology cut in half is an
//! error naming the line (and merges nothing into the profile); control characters in a
//! topology or a zip entry name never reach the terminal or the profile raw.

use std::io::Write;
use std::process::Output;

#[path = "common/cli.rs"]
mod cli;
use cli::{run, text};

const OWN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/topology/published-pchat.xml"
);

fn no_raw_controls(o: &Output) {
    for (what, bytes) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        assert!(
            !bytes.iter().any(|&b| b == 0x1b || b == 0 || b == 0x07),
            "{what} carries a raw control character: {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

/// Half of a real-shaped topology: exit 2 naming the line, and the profile is not written.
#[test]
fn a_topology_cut_in_half_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(OWN).unwrap();
    // Cut at a line end, so that every tag read is whole and only the closing ones miss.
    let cut = full[..full.len() / 2].rfind('\n').unwrap() + 1;
    let half = dir.path().join("half.xml");
    std::fs::write(&half, &full[..cut]).unwrap();
    let profile = dir.path().join("profile.toml");
    let o = run(
        &dir.path().join("data"),
        &[
            "topology",
            "import",
            half.to_str().unwrap(),
            "--merge-into",
            profile.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("half.xml:") && t.contains("cut short"),
        "names the file, line and what is wrong: {t}"
    );
    assert!(!profile.exists(), "nothing merged");

    // The whole file still reads.
    let whole = dir.path().join("whole.xml");
    std::fs::write(&whole, &full).unwrap();
    let o = run(
        &dir.path().join("data"),
        &["topology", "import", whole.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// A NUL (as a character reference) or an escape sequence in a site name: refused naming
/// the line; the terminal and the profile never see them.
#[test]
fn control_characters_in_a_topology_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read_to_string(OWN).unwrap();
    for (case, name) in [
        ("nul", "Mil&#0;ano"),
        ("escape", "Mil\u{1b}]0;owned\u{7}\u{1b}[31mano"),
        ("char-ref-escape", "Mil&#x1b;[2Jano"),
    ] {
        let doc = full.replace("<Name>Redmond</Name>", &format!("<Name>{name}</Name>"));
        assert_ne!(doc, full);
        let file = dir.path().join(format!("{case}.xml"));
        std::fs::write(&file, doc).unwrap();
        let profile = dir.path().join(format!("{case}.toml"));
        let o = run(
            &dir.path().join("data"),
            &[
                "topology",
                "import",
                file.to_str().unwrap(),
                "--merge-into",
                profile.to_str().unwrap(),
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{case}: {}", text(&o));
        assert!(
            text(&o).contains(&format!("{case}.xml:21:")),
            "{case}: names line 21: {}",
            text(&o)
        );
        no_raw_controls(&o);
        assert!(!profile.exists(), "{case}: nothing merged");
    }
}

/// A zip entry whose name carries an escape sequence: refused, and the name is printed
/// escaped.
#[test]
fn an_escape_sequence_in_a_zip_entry_name_is_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("evil.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    z.start_file(
        "Content/\u{1b}]0;owned\u{7}\u{1b}[31mred.txt",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    z.write_all(b"hello").unwrap();
    z.finish().unwrap();
    let o = run(
        &dir.path().join("data"),
        &["inspect", zip_path.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    no_raw_controls(&o);
    assert!(
        text(&o).contains("\\u{1b}]0;owned"),
        "the name is shown escaped: {}",
        text(&o)
    );
}
