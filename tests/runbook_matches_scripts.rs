//! What the runbook shows an admin to run is what the job runs: with a production profile
//! that sets every export option, the cmdlet and every parameter of each runbook command line
//! equal those of the job script for the same task, compared through the real binary
//! (`pchat-migrate runbook` against `pchat-migrate script TASK`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use pchat_migrate::deployment::LAB_PROFILE_TOML;

fn bin(data: &Path, profile: &Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .arg("--data-dir")
        .arg(data)
        .arg("--profile")
        .arg(profile)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// `Cmdlet -A 'x' -B @('y','z') -C:$false -D` → (Cmdlet, {A: 'x', B: @('y','z'), C: $false, D: ""}).
fn parse(line: &str) -> (String, BTreeMap<String, String>) {
    // the call ends where a pipeline begins (the script projects data steps' output)
    let mut quoted = false;
    let cut = line
        .char_indices()
        .find(|&(_, c)| {
            if c == '\'' {
                quoted = !quoted;
            }
            c == '|' && !quoted
        })
        .map_or(line.len(), |(i, _)| i);
    let line = line[..cut].trim();
    let (cmdlet, mut rest) = line.split_once(' ').unwrap_or((line, ""));
    let mut params = BTreeMap::new();
    while let Some(r) = rest.trim_start().strip_prefix('-') {
        let end = r.find([' ', ':']).unwrap_or(r.len());
        let name = r[..end].to_string();
        let mut after = &r[end..];
        let colon = after.starts_with(':');
        if colon {
            after = &after[1..];
        } else {
            after = after.trim_start();
        }
        // the value runs to the next " -Name" outside quotes and brackets
        let mut depth = 0i32;
        let mut quoted = false;
        let mut cut = after.len();
        let bytes = after.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\'' => quoted = !quoted,
                b'(' | b'[' if !quoted => depth += 1,
                b')' | b']' if !quoted => depth -= 1,
                b'-' if !quoted && depth == 0 && (i == 0 || bytes[i - 1] == b' ') => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        params.insert(name, after[..cut].trim().to_string());
        rest = &after[cut..];
    }
    (cmdlet.to_string(), params)
}

#[test]
fn every_runbook_command_line_of_a_task_is_its_job_script_line() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("prod.toml");
    let text = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'")
        .replace(
            "scope = []",
            "scope = [\"Engineering\", \"Legal & Compliance\"]",
        )
        .replace("start_date = \"\"", "start_date = \"2012-01-01\"")
        .replace("export_level = \"All\"", "export_level = \"RoomDirectory\"")
        .replace(
            "disable_exported_nodes = false",
            "disable_exported_nodes = true",
        );
    std::fs::write(&profile, text).unwrap();
    let data = dir.path().join("data");
    let runbook = bin(&data, &profile, &["runbook"]);
    for (task, cmdlets) in [
        ("export", vec!["Export-CsPersistentChatData"]),
        ("import-whatif", vec!["Import-CsPersistentChatData"]),
        ("import", vec!["Import-CsPersistentChatData"]),
        ("stop-services", vec!["Stop-CsWindowsService"]),
        ("start-services", vec!["Start-CsWindowsService"]),
        ("legacy-endpoint", vec!["New-CsPersistentChatEndpoint"]),
        ("test-message", vec!["Test-CsPersistentChatMessage"]),
    ] {
        let script = bin(&data, &profile, &["script", task]);
        if task == "test-message" {
            // no credentials on the line: the script checks each test user's registration
            // (Set-CsTestUserCredential) before it runs the test, as items 27 and 65 say
            let guard = script
                .find("Get-CsTestUserCredential")
                .expect("no registration check");
            assert!(guard < script.find("Test-CsPersistentChatMessage").unwrap());
            assert!(!script.contains("-SenderCredential"));
            assert!(runbook.contains("Set-CsTestUserCredential -SipAddress"));
        }
        for cmdlet in cmdlets {
            let in_script: Vec<_> = script
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with(cmdlet))
                .map(parse)
                .collect();
            assert!(!in_script.is_empty(), "{task}: no {cmdlet} in the script");
            let in_runbook: Vec<_> = runbook
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with(cmdlet))
                .map(parse)
                .collect();
            for s in &in_script {
                assert!(
                    in_runbook.contains(s),
                    "{task}: the script runs {s:?}, the runbook shows {in_runbook:?}"
                );
            }
        }
    }
    // The export line carries every option the profile sets.
    let export = runbook
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Export-CsPersistentChatData"))
        .map(parse)
        .unwrap();
    for p in [
        "DBInstance",
        "DBName",
        "FileName",
        "Level",
        "Scope",
        "StartDate",
        "DisableExportedNodes",
        "Report",
    ] {
        assert!(export.1.contains_key(p), "-{p} missing: {export:?}");
    }
    assert_eq!(export.1["Scope"], "@('Engineering','Legal & Compliance')");
}

#[test]
fn the_parser_reads_each_kind_of_value() {
    let (c, p) = parse(
        "Export-CsPersistentChatData -DBInstance 'a\\b' -Scope @('x','y-z') -StartDate ([datetime]::ParseExact('2010-01-01','yyyy-MM-dd',[cultureinfo]::InvariantCulture)) -Confirm:$false -Verbose",
    );
    assert_eq!(c, "Export-CsPersistentChatData");
    assert_eq!(p["DBInstance"], "'a\\b'");
    assert_eq!(p["Scope"], "@('x','y-z')");
    assert!(p["StartDate"].starts_with("([datetime]"));
    assert_eq!(p["Confirm"], "$false");
    assert_eq!(p["Verbose"], "");
}
