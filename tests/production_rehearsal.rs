//! A production rehearsal of the room-by-room verify: the real binary, a production profile,
//! and the PowerShell stand-in in its "rehearsal" scenario (`tests/fake-pwsh/rehearse.py`),
//! which answers the verify script's SqlClient reads and room listings from the lab's SQLite
//! databases. It proves our script, our queries, our streaming and our comparison; it cannot
//! prove how Microsoft's cmdlets or a real SQL Server behave.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Output;

use pchat_migrate::deployment::LAB_PROFILE_TOML;
use pchat_migrate::progress::NullReporter;

#[path = "common/cli.rs"]
mod cli;
use cli::text;

struct Rehearsal {
    _dir: tempfile::TempDir,
    data: PathBuf,
    profile: PathBuf,
    mgc: PathBuf,
}

fn run(r: &Rehearsal, args: &[&str]) -> Output {
    cli::run_production(&r.data, &r.profile, "rehearsal", args)
}

/// A lab exported and imported (what the cmdlets would have done), and a production profile
/// whose shell is the stand-in answering from those files.
fn rehearsal() -> Rehearsal {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for f in ["pwsh", "rehearse.py"] {
        let to = bin.join(f);
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fake-pwsh")
                .join(f),
            &to,
        )
        .unwrap();
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let lab = pchat_migrate::lab::init(
        &dir.path().join("lab"),
        &pchat_migrate::lab::LabSpec {
            messages: 3_000,
            rooms: 24,
            ..Default::default()
        },
        false,
        &NullReporter::default(),
    )
    .unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let pkg = work.join("GroupChatExport.zip");
    let r = NullReporter::default();
    pchat_migrate::chatdata::export(&lab.legacy_db, &pkg, &Default::default(), &r).unwrap();
    pchat_migrate::chatdata::import(&pkg, &lab.mgc_db, &Default::default(), &r).unwrap();
    std::fs::write(
        bin.join("rehearsal.json"),
        serde_json::json!({
            "databases": { "GroupChat": lab.legacy_db, "mgc": lab.mgc_db },
            "mgc": "mgc",
            "pool": "pchatpool.contoso.lab",
        })
        .to_string(),
    )
    .unwrap();
    let profile = dir.path().join("prod.toml");
    let text = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace(
            "work_dir = \"\"",
            &format!("work_dir = '{}'", work.display()),
        )
        + &format!(
            "\n[executor]\nshell = '{}'\ntimeout_secs = 120\n",
            bin.join("pwsh").display()
        );
    std::fs::write(&profile, text).unwrap();
    Rehearsal {
        data: dir.path().join("data"),
        profile,
        mgc: lab.mgc_db.clone(),
        _dir: dir,
    }
}

#[test]
fn production_verify_compares_room_by_room_and_names_what_differs() {
    let r = rehearsal();
    let o = run(&r, &["verify", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["detail"];
    // the same fields as the lab verify
    for k in [
        "passed",
        "categories_compared",
        "rooms_compared",
        "messages_compared",
        "differences",
        "accepted_losses",
    ] {
        assert!(d.get(k).is_some(), "{k} missing: {d}");
    }
    assert_eq!(d["passed"], true, "{}", v["summary"]);
    assert_eq!(d["database_comparison"], "compared");
    assert!(d["rooms_compared"].as_u64().unwrap() >= 20, "{d}");
    assert_eq!(d["messages_compared"], 3_000);
    assert!(d["rows_copied"].as_u64().unwrap() > 3_000);
    assert_eq!(d["room_list_differences"].as_array().unwrap().len(), 0);

    // Damage the target: a changed message, a missing manager, a flipped disabled flag.
    let c = rusqlite::Connection::open(&r.mgc).unwrap();
    let (room_msg, room_mgr, room_dis): (String, String, String);
    {
        let name = |sql: &str| -> String { c.query_row(sql, [], |x| x.get(0)).unwrap() };
        room_msg = name(
            "SELECT n.nodeName FROM tblNode n WHERE n.nodeID = (SELECT channelId FROM tblChat ORDER BY channelId, chatId LIMIT 1)",
        );
        c.execute(
            "UPDATE tblChat SET content = content || ' (altered)' WHERE rowid = (SELECT rowid FROM tblChat ORDER BY channelId, chatId LIMIT 1)",
            [],
        )
        .unwrap();
        let (node, prin): (i64, i64) = c
            .query_row(
                "SELECT r.prinRoleNodeID, r.prinRolePrinID FROM tblPrincipalRole r JOIN tblRoleType t ON t.rtypeID = r.prinRoleTypeID \
                 JOIN tblNode n ON n.nodeID = r.prinRoleNodeID WHERE t.rtypeDesc = 'Manager' AND n.nodeType = 0 ORDER BY n.nodeID DESC LIMIT 1",
                [],
                |x| Ok((x.get(0)?, x.get(1)?)),
            )
            .unwrap();
        room_mgr = name(&format!(
            "SELECT nodeName FROM tblNode WHERE nodeID = {node}"
        ));
        c.execute(
            "DELETE FROM tblPrincipalRole WHERE prinRoleNodeID = ?1 AND prinRolePrinID = ?2 AND prinRoleTypeID = \
             (SELECT rtypeID FROM tblRoleType WHERE rtypeDesc = 'Manager')",
            [node, prin],
        )
        .unwrap();
        let node: i64 = c
            .query_row(
                "SELECT nodeID FROM tblNode WHERE nodeType = 0 AND nodeName NOT IN (?1, ?2) ORDER BY nodeID LIMIT 1",
                [&room_msg, &room_mgr],
                |x| x.get(0),
            )
            .unwrap();
        room_dis = name(&format!(
            "SELECT nodeName FROM tblNode WHERE nodeID = {node}"
        ));
        c.execute(
            "UPDATE tblNode SET disabled = 1 - disabled WHERE nodeID = ?1",
            [node],
        )
        .unwrap();
    }
    drop(c);
    let o = run(&r, &["verify", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["detail"];
    assert_eq!(d["passed"], false);
    let diffs = d["differences"].as_array().unwrap();
    let has = |list: &[serde_json::Value], room: &str, field: &str| {
        list.iter()
            .any(|x| x["name"] == room && x["field"].as_str().is_some_and(|f| f.starts_with(field)))
    };
    assert!(has(diffs, &room_msg, "message"), "{diffs:#?}");
    assert!(has(diffs, &room_mgr, "manager"), "{diffs:#?}");
    assert!(has(diffs, &room_dis, "disabled"), "{diffs:#?}");
    // level 1 (no database rights needed) sees the manager and the flag too
    let l1 = d["room_list_differences"].as_array().unwrap();
    assert!(has(l1, &room_mgr, "manager"), "{l1:#?}");
    assert!(has(l1, &room_dis, "disabled"), "{l1:#?}");
    assert!(
        v["summary"].as_str().unwrap().contains("FAILED"),
        "{}",
        v["summary"]
    );
}
