//! Collect diagnostics through the real binary: one zip with logs, job logs, probe history,
//! the session state and the profile — and no secret anywhere in it.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use pchat_migrate::deployment::LAB_PROFILE_TOML;
use pchat_migrate::paths::Paths;
use pchat_migrate::store::{ItemState, Store};

const SECRETS: [&str; 3] = [
    "Sql-Passw0rd-Top-Level",
    "DOMAIN\\svc-pchat:Cr3dential-Value",
    "tok_4f1b2c3d4e5f",
];

fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn diagnostics_zip_has_everything_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let paths = Paths::in_dir(&data);
    paths.create().unwrap();

    // A profile with secrets at the top level and in a table of its own.
    let profile = dir.path().join("prod.toml");
    std::fs::write(
        &profile,
        format!(
            "sql_password = \"{}\"\n{LAB_PROFILE_TOML}\n[powershell]\nhost = \"mgmt01.contoso.lab\"\n\
             credential = '{}'\nApiToken = \"{}\"\n",
            SECRETS[0], SECRETS[1], SECRETS[2]
        ),
    )
    .unwrap();

    // A session with a note, logs (one leaks a secret), a job log, a probe history.
    {
        let mut s = Store::open(&paths.state_db).unwrap();
        let sess = s
            .create_session("cutover", "lab", Some(profile.to_str().unwrap()), "alice")
            .unwrap();
        s.set_item_state(
            sess.id,
            "plan.single-source",
            ItemState::Done,
            None,
            "alice",
        )
        .unwrap();
        s.set_note(
            sess.id,
            "plan.single-source",
            "checked with the topology owner",
            "alice",
        )
        .unwrap();
    }
    std::fs::write(
        paths.logs_dir.join("crash-20240601.txt"),
        format!("panic while connecting with {}\n", SECRETS[0]),
    )
    .unwrap();
    std::fs::write(
        paths.job_logs_dir.join("job-1-export.log"),
        "exported 20000 messages\n",
    )
    .unwrap();
    std::fs::write(
        data.join("probe-history.jsonl"),
        "{\"probe\":\"tcp:5061\",\"target\":\"lyncpool.contoso.lab\",\"ok\":true}\n",
    )
    .unwrap();

    let zip = dir.path().join("out").join("diag.zip");
    let out = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .arg("--data-dir")
        .arg(&data)
        .arg("--profile")
        .arg(&profile)
        .args([
            "--operator",
            "tester",
            "--session",
            "cutover",
            "diagnostics",
            "--out",
        ])
        .arg(&zip)
        .env_remove("PCHAT_MIGRATE_DATA_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "removed from the profile: powershell.ApiToken, powershell.credential, sql_password"
        ),
        "{stderr}"
    );

    let all = entries(&zip);
    let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
    for want in [
        "README.txt",
        "profile.toml",
        "session.json",
        "logs/crash-20240601.txt",
        "job-logs/job-1-export.log",
        "probe-history/probe-history.jsonl",
        "environment.txt",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    for (name, data) in &all {
        assert!(!contains(name.as_bytes(), "Passw0rd"), "{name}");
        for secret in SECRETS {
            assert!(!contains(data, secret), "{secret:?} found in {name}");
        }
    }
    // Also not in the zip's raw bytes (names, comments, stored entries).
    let raw = std::fs::read(&zip).unwrap();
    for secret in SECRETS {
        assert!(!contains(&raw, secret));
    }

    let get =
        |n: &str| String::from_utf8(all.iter().find(|(x, _)| x == n).unwrap().1.clone()).unwrap();
    let prof = get("profile.toml");
    assert!(
        prof.contains("pchatpool.contoso.lab"),
        "the rest of the profile is kept"
    );
    assert!(prof.contains("mgmt01.contoso.lab"));
    assert!(prof.contains("powershell.ApiToken"), "{prof}");
    assert!(prof.contains("powershell.credential"), "{prof}");
    assert!(prof.contains("sql_password"), "{prof}");
    assert!(get("logs/crash-20240601.txt").contains("<removed>"));
    let session: serde_json::Value = serde_json::from_str(&get("session.json")).unwrap();
    assert_eq!(session["session"]["name"], "cutover");
    assert_eq!(
        session["items"]["plan.single-source"]["note"],
        "checked with the topology owner"
    );
    assert_eq!(session["audit_check"]["intact"], true);
    assert!(get("README.txt").contains(
        "Removed from the profile (secrets): powershell.ApiToken, powershell.credential, \
         sql_password"
    ));
}
