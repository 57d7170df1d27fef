//! The troubleshooting catalog, its matcher and the event-log reader, from the outside:
//! the catalog's shape; for every symptom, text written the way its source shows it finds
//! that symptom first; every real exported log under ../shared/fixtures/evtx/ is read
//! without a panic (the damaged one reported); a Get-WinEvent export this test writes, and
//! the production pull through the stand-in shell, find the expected symptoms.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use pchat_migrate::deployment::Profile;
use pchat_migrate::monitor;
use pchat_migrate::runbook::{Runbook, render_line};
use pchat_migrate::troubleshoot::command::read_file;
use pchat_migrate::troubleshoot::matching::rank;
use pchat_migrate::troubleshoot::sql::SqlRequest;
use pchat_migrate::troubleshoot::{Catalog, CheckKind, Probe, USER_PLACEHOLDER};

#[path = "common/cli.rs"]
mod cli;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap_or_else(|e| panic!("{e}"))
}

/// Every symptom has a source, a cause, a match key, a check and a fix, and every check it
/// names exists here: the monitor implements the probe, the cmdlet is a read-only verb,
/// the SQL read is one read-only SELECT, the runbook has the items, the placeholders fill.
#[test]
fn catalog_shape_and_every_check_exists() {
    let c = catalog();
    assert!(c.symptoms.len() >= 40, "{} symptoms", c.symptoms.len());
    let rb = Runbook::embedded().unwrap();
    assert_eq!(c.unknown_items(&rb), Vec::<(String, String)>::new());
    let mut values = Profile::lab().placeholders("C:\\PChatMigration");
    values.insert(USER_PLACEHOLDER.into(), vec!["sip:jane@contoso.lab".into()]);
    let mut kinds = BTreeSet::new();
    for s in &c.symptoms {
        assert!(!s.source.trim().is_empty(), "{}", s.id);
        assert!(
            !s.cause.trim().is_empty() && !s.fix.trim().is_empty(),
            "{}",
            s.id
        );
        assert!(
            !(s.events.is_empty() && s.errors.is_empty() && s.phrases.is_empty()),
            "{} has no match key",
            s.id
        );
        assert!(!s.checks.is_empty(), "{}", s.id);
        for ch in &s.checks {
            kinds.insert(ch.kind.as_str());
            match ch.kind {
                CheckKind::Probe => {
                    let p = Probe::parse(ch.probe.as_deref().unwrap()).unwrap();
                    let target = render_line(ch.target.as_deref().unwrap(), &values)
                        .unwrap_or_else(|e| panic!("{}: {e}", s.id));
                    assert!(!target.is_empty(), "{}", s.id);
                    // The monitor's probe target takes the port these probes use.
                    if let Probe::Tcp(port) = p {
                        assert!(port > 0);
                    }
                }
                CheckKind::Cmdlet => {
                    let line = ch.cmdlet.as_deref().unwrap();
                    let verb = line.split('-').next().unwrap();
                    assert!(
                        ["Get", "Test"].contains(&verb) || line.contains(" -WhatIf"),
                        "{}: a check runs only read-only cmdlets: {line}",
                        s.id
                    );
                    render_line(line, &values).unwrap_or_else(|e| panic!("{}: {e}", s.id));
                }
                CheckKind::Sql => {
                    SqlRequest::from_check(ch).unwrap_or_else(|e| panic!("{}: {e}", s.id));
                }
                CheckKind::Manual => {}
            }
        }
    }
    for k in ["probe", "cmdlet", "sql", "manual"] {
        assert!(kinds.contains(k), "no check of kind {k}");
    }
    // The probes the catalog names are the ones the monitor's engine runs.
    let _ = monitor::MonitorConfig::default();
    // Every symptom has a source naming a Microsoft page (short name) or a URL.
    for s in &c.symptoms {
        assert!(
            s.source.contains("L13/")
                || s.source.contains("PS/")
                || s.source.contains("http")
                || s.source.contains("migration.md"),
            "{}: {}",
            s.id,
            s.source
        );
    }
}

/// For each symptom, text as its source shows it (an event, an error, a cmdlet's output, a
/// user's sentence).
const SAMPLES: &[(&str, &str)] = &[
    (
        "synthetic-test-timeout-5061",
        "Test-CsPersistentChatMessage Result : Failure Error : 10060, A connection attempt failed because the connected party did not properly respond after a period of time [2001:4898::1]:5061",
    ),
    (
        "synthetic-test-no-room-or-policy",
        "the synthetic test fails and says the test room is missing",
    ),
    (
        "users-do-not-see-rooms",
        "Users say the chat rooms icon is missing in the Lync client",
    ),
    (
        "legacy-clients-cannot-connect",
        "Since the weekend the Lync 2010 Group Chat client cannot sign in",
    ),
    (
        "principal-not-provisioned",
        "Set-CsPersistentChatRoom : principal not provisioned",
    ),
    (
        "import-warnings",
        "Import-CsPersistentChatData -WhatIf warning: invitations forced to false",
    ),
    (
        "services-not-started",
        "Get-CsWindowsService shows the persistent chat services stopped, RTCCHAT not running",
    ),
    (
        "pool-failed-over",
        "Get-CsPersistentChatState: PoolState : FailedOver",
    ),
    (
        "precreated-rooms-overwritten",
        "the rooms we created before the migration were overwritten after the import",
    ),
    (
        "files-missing",
        "Files posted before the migration are missing; the room shows no files",
    ),
    (
        "federated-users-no-access",
        "Our partners from a federated domain lost access to their rooms",
    ),
    (
        "topology-builder-error",
        "The Lync 2010 Topology Builder shows an error when I open the topology with the 2013 pool",
    ),
    (
        "database-unreachable",
        "Persistent Chat database unreachable: cannot connect to mgc database on the SQL instance",
    ),
    (
        "pchat-db-connection-lost",
        "Log Name: Lync Server Source: LS Persistent Chat Server Event ID: 53530 Level: Error Description: The Persistent Chat database connection was lost.",
    ),
    (
        "domain-too-busy",
        "Notice: Warning 9/29/2014 10:38:13 AM domain is too busy to send us incoming messages.",
    ),
    (
        "lookup-mpop-disconnect",
        "6/11/2010 10:38:41 AM OCS MGC Information 5282 the lookup service account disconnected from the pool",
    ),
    (
        "groupchat-domain-unavailable",
        "All rooms show Connecting and the status bar says the group chat domain is not available",
    ),
    (
        "service-logon-failure",
        "Source: Service Control Manager Event ID: 7000 The Office Communications Server Group Chat service failed to start due to the following error: The service did not start due to a logon failure.",
    ),
    (
        "service-terminated",
        "Source: Service Control Manager Event ID: 7031 The Lync Server Persistent Chat service terminated unexpectedly. It has done this 3 time(s).",
    ),
    (
        "ocs-frontend-stopped-update",
        "Event ID: 7024 The Office Communications Server Front-End service terminated with service-specific error 3286842403 (0xC3E93C23).",
    ),
    (
        "msmq-compliance",
        "Source: MSMQ Event ID: 2116 Message Queuing was unable to create the msmq (MSMQ Configuration) object in the Active Directory",
    ),
    (
        "sql-login-failed",
        "Source: MSSQLSERVER Event ID: 18456 Login failed for user 'CONTOSO\\PCHAT01$'. Reason: Failed to open the explicitly specified database 'mgc'.",
    ),
    (
        "sql-log-full",
        "Source: MSSQL$PCHAT Event ID: 9002 The transaction log for database 'mgc' is full due to 'LOG_BACKUP'.",
    ),
    (
        "export-sql-unreachable",
        "Export-CsPersistentChatData : A network-related or instance-specific error occurred while establishing a connection to SQL Server. The server was not found or was not accessible.",
    ),
    (
        "test-target-not-registrar",
        "WARNING: Failed to read Registrar port number for the given fully qualified domain name (FQDN). Using default Registrar port number. Exception: System.InvalidOperationException: No matching cluster found in topology.",
    ),
    (
        "double-hop-sql",
        "Import-CsPersistentChatData : Login failed for user 'NT AUTHORITY\\ANONYMOUS LOGON'.",
    ),
    (
        "winrm-access-denied",
        "[pchat01.contoso.lab] Connecting to remote server pchat01.contoso.lab failed with the following error message : Access is denied. + FullyQualifiedErrorId : AccessDenied,PSSessionStateBroken",
    ),
    (
        "lync-module-missing",
        "Import-Module : The specified module 'Lync' was not loaded because no valid module file was found in any module directory.",
    ),
    (
        "pchat-port-5041-blocked",
        "chat rooms unavailable for everyone; the firewall team says port 5041 is blocked between the front end and persistent chat",
    ),
    (
        "pchat-certificate",
        "TLS handshake failed to the chat server: the persistent chat certificate has expired",
    ),
    (
        "groupchat-collation",
        "Is our Group Chat database collation unsupported? The SQL collation is Latin1_General_CI_AS",
    ),
    (
        "lookup-uri-multiple-domains",
        "Users in our second SIP domain cannot connect Group Chat, the lookup server URI points to the wrong domain",
    ),
    (
        "admin-tool-global-catalog",
        "The Group Chat admin tool cannot find users when I add members, the search shows no results",
    ),
    (
        "alwayson-not-supported",
        "We put mgc in an AlwaysOn availability group for persistent chat",
    ),
    (
        "cannot-create-room",
        "A user cannot create a chat room; the room management page shows an error",
    ),
    (
        "sba-user-no-room-card",
        "Branch office users on the survivable branch appliance cannot create rooms",
    ),
    (
        "not-pchat-admin",
        "The admin is not allowed to run the persistent chat room cmdlet New-CsPersistentChatRoom",
    ),
    (
        "chat-history-short",
        "After the migration only the last messages are visible in a room; users think the chat history is missing",
    ),
    (
        "rooms-empty-export-level",
        "The rooms were migrated empty: no history after the import, messages not migrated",
    ),
    (
        "legacy-rooms-disabled",
        "After the export the legacy rooms are disabled",
    ),
    (
        "disabled-principals-after-import",
        "After the import several members show as disabled in the chat rooms",
    ),
    (
        "compliance-not-failed-over",
        "After the failover the compliance archive has a gap",
    ),
    (
        "backup-mgc-restoring",
        "Database 'mgc' cannot be opened. It is in the middle of a restore.",
    ),
    (
        "no-active-servers",
        "After the failback no persistent chat server is active, the active servers list is empty",
    ),
    (
        "frontend-pool-down-pchat",
        "Our front end pool is down and persistent chat with it; do we need a paired pool failover?",
    ),
    (
        "lync2010-client-no-rooms",
        "Users on the Lync 2010 client see no chat rooms, and the Mac client has no persistent chat",
    ),
    (
        "import-file-not-found",
        "Import-CsPersistentChatData : Could not find file 'C:\\PChatMigration\\GroupChatExport.zip'.",
    ),
    (
        "endpoint-address-in-use",
        "New-CsPersistentChatEndpoint fails: the SIP address is already in use",
    ),
];

#[test]
fn each_symptom_is_found_first_from_its_sources_text() {
    let c = catalog();
    let ids: BTreeSet<&str> = SAMPLES.iter().map(|(id, _)| *id).collect();
    for s in &c.symptoms {
        assert!(ids.contains(s.id.as_str()), "no sample for {}", s.id);
    }
    let mut wrong = Vec::new();
    for (id, text) in SAMPLES {
        let r = rank(&c, text);
        match r.best() {
            Some(m) if m.symptom.id == *id => {}
            other => wrong.push(format!(
                "{id}: got {:?} (score {:?}); runners-up {:?}",
                other.map(|m| &m.symptom.id),
                other.map(|m| m.score),
                r.matches
                    .iter()
                    .skip(1)
                    .take(2)
                    .map(|m| (&m.symptom.id, m.score))
                    .collect::<Vec<_>>()
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn shared_evtx() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/evtx");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} is missing: CI must have ../shared", dir.display());
    }
    eprintln!(
        "SKIPPED: {} is absent; the real event logs were not read",
        dir.display()
    );
    None
}

/// Every real exported log is read without a panic; none holds Lync events; the damaged
/// one is reported as damaged (and its readable records still counted).
#[test]
fn every_shared_evtx_is_read_without_panic_and_the_damaged_one_is_reported() {
    let Some(dir) = shared_evtx() else { return };
    let c = catalog();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "evtx"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    let mut damaged = 0;
    for f in &files {
        let r = read_file(f, &c).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(r.records > 0, "{}", f.display());
        assert_eq!(r.kept, 0, "{}: no Lync events expected", f.display());
        if r.damage.is_some() {
            damaged += 1;
            assert!(
                f.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .contains("bad_chunk"),
                "{}",
                f.display()
            );
        }
    }
    assert_eq!(damaged, 1);
    // The command says so, in words, and exits 1.
    let bad = dir.join("sample_with_a_bad_chunk_magic.evtx");
    let o = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .args(["troubleshoot", "events"])
        .arg(&bad)
        .env(
            "PCHAT_MIGRATE_DATA_DIR",
            tempfile::tempdir().unwrap().path(),
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the file is damaged"), "{err}");
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("no Lync, Persistent Chat or Group Chat events"),
    );
}

#[test]
fn a_file_that_is_not_an_event_log_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.evtx");
    std::fs::write(&f, b"ElfFile\0 but then nothing a parser can use").unwrap();
    let e = read_file(&f, &catalog()).unwrap_err().to_string();
    assert!(
        e.contains("notes.evtx") && e.contains("not a readable Windows event log"),
        "{e}"
    );
    let truncated = dir.path().join("half.evtx");
    if let Some(d) = shared_evtx() {
        let bytes = std::fs::read(d.join("system.evtx")).unwrap();
        std::fs::write(&truncated, &bytes[..70_000]).unwrap();
        // A cut file reads what it can, or says it cannot: never a panic.
        let _ = read_file(&truncated, &catalog());
    }
    let json = dir.path().join("bad.json");
    std::fs::write(&json, "[{\"not\": \"an event\"}]").unwrap();
    let e = read_file(&json, &catalog()).unwrap_err().to_string();
    assert!(e.contains("bad.json") && e.contains("Get-WinEvent"), "{e}");
}

/// A Get-WinEvent export written here (Windows PowerShell 5.1's shape, UTF-16 as Out-File
/// writes it) finds the expected symptoms, grouped with counts and first/last times.
#[test]
fn a_written_get_winevent_export_finds_the_expected_symptoms() {
    let events = r#"[
 {"Id":53530,"ProviderName":"LS Persistent Chat Server","LogName":"Lync Server","MachineName":"pchat01.contoso.lab","LevelDisplayName":"Error","TimeCreated":"/Date(1714809600000)/","Message":"The Persistent Chat database connection was lost."},
 {"Id":53530,"ProviderName":"LS Persistent Chat Server","LogName":"Lync Server","MachineName":"pchat02.contoso.lab","LevelDisplayName":"Error","TimeCreated":"/Date(1714813200000)/","Message":"The Persistent Chat database connection was lost."},
 {"Id":18456,"ProviderName":"MSSQLSERVER","LogName":"Application","MachineName":"pchatsql.contoso.lab","LevelDisplayName":"Information","TimeCreated":"/Date(1714810000000)/","Message":"Login failed for user 'CONTOSO\\PCHAT01$'."},
 {"Id":7036,"ProviderName":"Service Control Manager","LogName":"System","MachineName":"pchat01.contoso.lab","LevelDisplayName":"Information","TimeCreated":"/Date(1714810000000)/","Message":"The Windows Update service entered the running state."},
 {"Id":1000,"ProviderName":"Application Error","LogName":"Application","MachineName":"pchat01.contoso.lab","LevelDisplayName":"Error","TimeCreated":"/Date(1714810000000)/","Message":"Faulting application name: notepad.exe"}
]"#;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pchat-events.json");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(events.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&f, bytes).unwrap();
    let r = read_file(&f, &catalog()).unwrap();
    assert_eq!(r.records, 5);
    assert_eq!(r.kept, 3, "{r:?}");
    let g = &r.groups[0];
    assert_eq!((g.id, g.count), (53530, 2));
    assert_eq!(g.computers.len(), 2);
    assert_eq!(g.first.unwrap().timestamp(), 1_714_809_600);
    assert_eq!(g.last.unwrap().timestamp(), 1_714_813_200);
    assert_eq!(g.symptoms[0].id, "pchat-db-connection-lost");
    let found = r.matched_symptoms();
    assert_eq!(found[0], "pchat-db-connection-lost", "{found:?}");
    assert!(found.contains(&"sql-login-failed".to_string()), "{found:?}");
    // The same through the command, as JSON.
    let o = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .args(["troubleshoot", "events", "--json"])
        .arg(&f)
        .env("PCHAT_MIGRATE_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["groups"][0]["symptoms"][0]["id"],
        "pchat-db-connection-lost"
    );
}

fn cli(args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .args(args)
        .env("PCHAT_MIGRATE_DATA_DIR", data.path())
        .env("PCHAT_MIGRATE_LANG", "en")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn match_command_explains_ranks_and_says_no_match() {
    let o = cli(
        &[
            "troubleshoot",
            "match",
            "Event",
            "ID:",
            "53530",
            "The",
            "Persistent",
            "Chat",
            "database",
            "connection",
            "was",
            "lost",
        ],
        None,
    );
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("1. Event 53530"), "{out}");
    assert!(out.contains("why: event ID 53530"), "{out}");
    assert!(
        out.contains("cause:") && out.contains("fix:") && out.contains("source:"),
        "{out}"
    );
    // Standard input, JSON.
    let o = cli(
        &["troubleshoot", "match", "--json"],
        Some("Set-CsPersistentChatRoom : principal not provisioned\n"),
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["matched"], true);
    assert_eq!(v["matches"][0]["id"], "principal-not-provisioned");
    assert!(
        v["matches"][0]["why"][0]
            .as_str()
            .unwrap()
            .contains("principal not provisioned")
    );
    // No match: exit 1, the closest candidates.
    let o = cli(
        &[
            "troubleshoot",
            "match",
            "--json",
            "the",
            "database",
            "is",
            "slow",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["matched"], false);
    assert!(!v["closest"].as_array().unwrap().is_empty(), "{v}");
    let o = cli(
        &["troubleshoot", "match", "the", "database", "is", "slow"],
        None,
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("closest candidates"));
}

/// `troubleshoot check` runs what can run here (the lab's SQL reads) and records the
/// results on the session; `diagnostics` carries them.
#[test]
fn check_command_records_evidence_that_diagnostics_carries() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
            .args(args)
            .env("PCHAT_MIGRATE_DATA_DIR", data)
            .env("PCHAT_MIGRATE_LANG", "en")
            .output()
            .unwrap()
    };
    let o = run(&["lab", "init", "--size", "small", "--messages", "200"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["troubleshoot", "check", "legacy-rooms-disabled", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(v["recorded_on"], "export.disabled-nodes-note");
    let check = &v["checks"][0];
    assert_eq!(check["kind"], "sql");
    assert!(
        check["output"]
            .as_str()
            .unwrap()
            .contains("legacy database"),
        "{check}"
    );
    assert_ne!(check["status"], "not-run", "{check}");
    let zip_path = dir.path().join("diag.zip");
    let o = run(&["diagnostics", "--out", zip_path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut session = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("session.json").unwrap(), &mut session).unwrap();
    assert!(
        session.contains("troubleshoot: legacy-rooms-disabled"),
        "evidence in the zip"
    );
}

/// Production: the events task through the stand-in shell (`tests/fake-pwsh/pwsh`, its
/// `events` scenario plays back the task's output shape): the script is read-only
/// Get-WinEvent, the grouped events find the expected symptoms, and the server whose log
/// could not be read is named (exit 1).
#[cfg(unix)]
#[test]
fn production_pull_through_the_executor_finds_the_expected_symptoms() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let shell = dir.path().join("pwsh");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-pwsh/pwsh"),
        &shell,
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    let profile = dir.path().join("prod.toml");
    std::fs::write(
        &profile,
        pchat_migrate::deployment::LAB_PROFILE_TOML
            .replace("kind = \"lab\"", "kind = \"production\"")
            .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'")
            + &format!(
                "\n[executor]\nshell = '{}'\nremote = \"none\"\ntimeout_secs = 60\n",
                shell.display()
            ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
            .arg("--profile")
            .arg(&profile)
            .args(args)
            .env("PCHAT_MIGRATE_DATA_DIR", dir.path().join("data"))
            .env("PCHAT_MIGRATE_LANG", "en")
            .env("FAKE_PWSH_SCENARIO", "events")
            .env("FAKE_PWSH_RECORD", dir.path().join("record"))
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    // The script for review: read-only, every server, the hours asked for.
    let o = run(&["script", "events"]);
    let script = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(script.contains("# Changes the deployment: no"), "{script}");
    for server in [
        "pchat01.contoso.lab",
        "pchat02.contoso.lab",
        "gc01.contoso.lab",
        "gc02.contoso.lab",
    ] {
        assert!(
            script.contains(&format!("Get-PcmEvents -Computer '{server}' -Hours 24")),
            "{server}"
        );
    }
    for verb in [
        "Set-Cs",
        "Remove-",
        "Clear-EventLog",
        "Stop-",
        "Start-",
        "New-Cs",
    ] {
        assert!(!script.contains(verb), "{verb} in a read-only script");
    }
    let o = run(&["troubleshoot", "pull", "--hours", "48", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let groups = v["report"]["groups"].as_array().unwrap();
    let first: Vec<String> = groups
        .iter()
        .filter_map(|g| g["symptoms"][0]["id"].as_str().map(str::to_string))
        .collect();
    for want in [
        "pchat-db-connection-lost",
        "service-logon-failure",
        "msmq-compliance",
        "lookup-mpop-disconnect",
    ] {
        assert!(first.contains(&want.to_string()), "{want}: {first:?}");
    }
    let g = groups.iter().find(|g| g["id"] == 53530).unwrap();
    assert_eq!(g["count"], 14);
    assert!(
        v["pull"]["detail"]["unread"][0]
            .as_str()
            .unwrap()
            .contains("RPC server is unavailable")
    );
    // The hours reached the script that ran.
    let argv = std::fs::read(dir.path().join("record/argv")).unwrap();
    let enc = String::from_utf8_lossy(&argv)
        .split('\0')
        .skip_while(|a| *a != "-EncodedCommand")
        .nth(1)
        .unwrap()
        .to_string();
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(enc)
        .unwrap();
    let units: Vec<u16> = raw
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let ran = String::from_utf16_lossy(&units);
    assert!(
        ran.contains("Get-PcmEvents -Computer 'gc02.contoso.lab' -Hours 48"),
        "{ran}"
    );
    assert_eq!(
        ran.matches("Get-WinEvent -ComputerName $Computer").count(),
        1
    );
}

/// Production: a symptom's cmdlet lines run through the executor's read-only check task
/// (values quoted, only Get-/Test- cmdlets); what they return is recorded, and the verdict
/// is left to the admin.
#[cfg(unix)]
#[test]
fn production_check_runs_catalog_cmdlets_read_only_through_the_executor() {
    use base64::Engine;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let shell = dir.path().join("pwsh");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-pwsh/pwsh"),
        &shell,
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    let profile = dir.path().join("prod.toml");
    std::fs::write(
        &profile,
        pchat_migrate::deployment::LAB_PROFILE_TOML
            .replace("kind = \"lab\"", "kind = \"production\"")
            .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'")
            + &format!(
                "\n[executor]\nshell = '{}'\nremote = \"none\"\ntimeout_secs = 60\n",
                shell.display()
            ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .arg("--profile")
        .arg(&profile)
        .args(["troubleshoot", "check", "endpoint-address-in-use", "--json"])
        .env("PCHAT_MIGRATE_DATA_DIR", dir.path().join("data"))
        .env("FAKE_PWSH_SCENARIO", "check")
        .env("FAKE_PWSH_RECORD", dir.path().join("record"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2);
    for c in checks {
        assert_eq!(
            c["status"], "unknown",
            "ran, verdict left to the admin: {c}"
        );
        assert!(
            c["output"]
                .as_str()
                .unwrap()
                .contains("ran through the executor"),
            "{c}"
        );
    }
    assert!(
        checks[1]["output"]
            .as_str()
            .unwrap()
            .contains("pchatpool.contoso.lab")
    );
    // The last script that ran: the catalog line, typed and quoted.
    let argv = std::fs::read(dir.path().join("record/argv")).unwrap();
    let enc = String::from_utf8_lossy(&argv)
        .split('\0')
        .skip_while(|a| *a != "-EncodedCommand")
        .nth(1)
        .unwrap()
        .to_string();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(enc)
        .unwrap();
    let units: Vec<u16> = raw
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let script = String::from_utf16_lossy(&units);
    assert!(
        script.contains("        Get-CsPersistentChatEndpoint\n"),
        "{script}"
    );
    assert!(script.contains("# Changes the deployment: no"));
    // Lines the check task refuses are not run (never a pass).
    for bad in [
        "Set-CsPersistentChatState -Identity x -PoolState Normal",
        "Get-CsUser -Identity $(Remove-Item C:\\x)",
        "Get-CsUser | ForEach-Object { $_ }",
    ] {
        assert!(pchat_migrate::exec::CheckCall::parse(bad).is_err(), "{bad}");
    }
    let c = pchat_migrate::exec::CheckCall::parse(
        "Get-CsUser -Identity \"sip:o'brien@contoso.lab\" | select RegistrarPool,PersistentChatPolicy",
    )
    .unwrap();
    assert_eq!(
        c.call.render().unwrap(),
        "Get-CsUser -Identity 'sip:o''brien@contoso.lab'"
    );
    assert_eq!(c.select, ["RegistrarPool", "PersistentChatPolicy"]);
}

/// `troubleshoot list --json | head -c 64` exits quietly (the print-only actions take the
/// default SIGPIPE), instead of panicking on a closed pipe.
#[cfg(unix)]
#[test]
fn printing_actions_cut_short_by_a_pipe_exit_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["troubleshoot", "list", "--json"][..],
        &["troubleshoot", "match", "--json", "database"][..],
    ] {
        let err = cli::stderr_when_cut_short(dir.path(), args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
