//! The production executor against a stand-in shell (`tests/fake-pwsh/pwsh`): what the shell
//! receives (exact script bytes, credential on stdin only), how its output reaches the job
//! (streamed, framed objects, error records), cancel and time limit (the process tree is
//! gone), quoting of hostile profile values, and that a secret never leaks.
//!
//! Nothing here has run against a real PowerShell or Lync server: the fake plays back the
//! output shapes documented in migration.md and schemas.md §4.5.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pchat_migrate::deployment::{LAB_PROFILE_TOML, Profile};
use pchat_migrate::exec::{
    self, Credential, ExecError, ExecutorConfig, Remote, Secret, Task, quote,
};
use pchat_migrate::jobs::{self, JobEnv, JobError, JobKind};
use pchat_migrate::progress::{NullReporter, ProgressUpdate, Reporter};

// ---- helpers --------------------------------------------------------------------------------

/// Records log lines (with arrival time) and progress; cancels when a line contains a text.
#[derive(Default)]
struct Rec {
    lines: Mutex<Vec<(Instant, String)>>,
    progress: Mutex<Vec<ProgressUpdate>>,
    cancel_on: Option<&'static str>,
    cancel: AtomicBool,
}

impl Rec {
    fn cancelling_on(text: &'static str) -> Rec {
        Rec {
            cancel_on: Some(text),
            ..Rec::default()
        }
    }
    fn text(&self) -> String {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Reporter for Rec {
    fn progress(&self, u: ProgressUpdate) {
        self.progress.lock().unwrap().push(u);
    }
    fn log(&self, line: String) {
        if self.cancel_on.is_some_and(|t| line.contains(t)) {
            self.cancel.store(true, Ordering::Relaxed);
        }
        self.lines.lock().unwrap().push((Instant::now(), line));
    }
    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// A temp dir with its own copy of the fake shell (executable) and a scenario file.
struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new(scenario: &str) -> Fake {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake-pwsh/pwsh");
        let dst = bin.join("pwsh");
        std::fs::copy(&src, &dst).unwrap();
        // The executable bit may be lost in a checkout: set it here.
        std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(bin.join("scenario"), scenario).unwrap();
        Fake { dir }
    }
    fn shell(&self) -> String {
        self.dir.path().join("bin/pwsh").display().to_string()
    }
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }
    fn record(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path("bin/record").join(name)).unwrap_or_default()
    }
    fn argv(&self) -> Vec<String> {
        String::from_utf8(self.record("argv"))
            .unwrap()
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
    /// The script the fake received, decoded from -EncodedCommand.
    fn received_script(&self) -> String {
        let argv = self.argv();
        let i = argv.iter().position(|a| a == "-EncodedCommand").unwrap();
        let bytes = STANDARD.decode(&argv[i + 1]).unwrap();
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    }
    fn set_package_len(&self, n: u64) {
        std::fs::write(self.path("bin/package_len"), n.to_string()).unwrap();
    }
}

/// The lab profile as a production deployment whose work_dir is `work_dir`.
fn production_profile(work_dir: &str) -> Profile {
    let text = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", &format!("work_dir = '{work_dir}'"));
    Profile::parse(&text, Path::new("test.toml")).unwrap()
}

fn cfg(fake: &Fake, remote: Remote) -> ExecutorConfig {
    ExecutorConfig {
        shell: fake.shell(),
        remote,
        computer: if remote == Remote::None {
            String::new()
        } else {
            "pchat01.contoso.lab".into()
        },
        user: "CONTOSO\\pchatadmin".into(),
        timeout_secs: 60,
        ..ExecutorConfig::default()
    }
}

fn env_for(fake: &Fake, c: ExecutorConfig) -> JobEnv {
    JobEnv::production(
        production_profile("C:\\PChatMigration"),
        c,
        &fake.path("data"),
    )
}

const PASSWORD: &str = "Sup3r-S3cret-P\u{e4}ssw\u{f6}rd-42";

fn credential() -> Credential {
    Credential::new("CONTOSO\\pchatadmin".into(), Secret::new(PASSWORD.into())).unwrap()
}

/// Every form of the password that must never show up.
fn leaked_forms() -> Vec<String> {
    let utf16: Vec<u8> = PASSWORD.encode_utf16().flat_map(u16::to_le_bytes).collect();
    vec![
        PASSWORD.to_string(),
        STANDARD.encode(PASSWORD),
        STANDARD.encode(&utf16),
        // Inside a longer base64 value, at another alignment.
        STANDARD.encode(format!("xy{PASSWORD}z"))[4..24].to_string(),
        // The distinctive middle of the password alone.
        "S3cret-P".into(),
    ]
}

fn assert_no_secret(what: &str, text: &str) {
    for f in leaked_forms() {
        assert!(!text.contains(&f), "{what} leaks {f:?}:\n{text}");
    }
}

/// A small real package (our lab writes the documented layout) at `path`.
fn write_package(path: &Path) -> u64 {
    let lab_dir = path.parent().unwrap().join("lab-src");
    let spec = pchat_migrate::lab::LabSpec {
        seed: 7,
        users: 12,
        groups: 2,
        top_categories: 2,
        max_depth: 1,
        rooms: 4,
        messages: 40,
        long_names: 0,
    };
    let paths = pchat_migrate::lab::init(&lab_dir, &spec, false, &NullReporter::default()).unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    pchat_migrate::chatdata::export(
        &paths.legacy_db,
        path,
        &pchat_migrate::chatdata::ExportOptions::default(),
        &NullReporter::default(),
    )
    .unwrap();
    std::fs::metadata(path).unwrap().len()
}

fn pid_alive(pid: i32) -> bool {
    // A zombie is not alive (it runs nothing; only its parent has not reaped it yet).
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !s
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn pids(fake: &Fake) -> Vec<i32> {
    let mut v: Vec<i32> = String::from_utf8(fake.record("kids"))
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    if let Ok(p) = String::from_utf8(fake.record("pid"))
        .unwrap()
        .trim()
        .parse()
    {
        v.push(p);
    }
    v
}

fn wait_for_gone(pids: &[i32]) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        if pids.iter().all(|p| !pid_alive(*p)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

// ---- a PowerShell single-quote tokenizer -----------------------------------------------------

/// Splits a script into the values of its single-quoted literals and everything else
/// (code and comments), the way PowerShell's tokenizer reads single quotes: `'` and the
/// look-alikes U+2018, U+2019, U+201A, U+201B open and close a literal, and two in a row
/// inside it stand for the second one; `#` at the start of a token starts a comment that
/// runs to the end of the line. Fails on double-quoted strings (the scripts use none) and on
/// an unterminated literal.
fn tokenize(script: &str) -> Result<(Vec<String>, String), String> {
    let mut literals = Vec::new();
    let mut other = String::new();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        if quote::is_single_quote(c) {
            let mut v = String::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated single-quoted literal".into()),
                    Some(q) if quote::is_single_quote(q) => {
                        if chars.peek().is_some_and(|n| quote::is_single_quote(*n)) {
                            v.push(chars.next().unwrap());
                        } else {
                            break;
                        }
                    }
                    Some(x) => v.push(x),
                }
            }
            literals.push(v);
        } else if c == '#' && other.chars().last().is_none_or(char::is_whitespace) {
            // A comment runs to the end of the line; quotes in it are not literals. Its text
            // counts as "everything else" (a value must not be there either).
            other.push(c);
            while let Some(&n) = chars.peek() {
                if n == '\n' {
                    break;
                }
                other.push(n);
                chars.next();
            }
        } else if quote::DOUBLE_QUOTES.contains(&c) {
            return Err(format!(
                "double quote outside a single-quoted literal near: {}",
                other
                    .chars()
                    .rev()
                    .take(60)
                    .collect::<String>()
                    .chars()
                    .rev()
                    .collect::<String>()
            ));
        } else {
            other.push(c);
        }
    }
    Ok((literals, other))
}

// ---- tests ------------------------------------------------------------------------------------

#[test]
fn export_runs_remote_streams_and_hands_the_package_to_the_inspector() {
    let fake = Fake::new("export-ok");
    let share = fake.path("share");
    let len = write_package(&share.join("GroupChatExport.zip"));
    fake.set_package_len(len);
    let mut c = cfg(&fake, Remote::WinRm);
    c.package_share = share.display().to_string();
    let env = env_for(&fake, c.clone()).with_credential(credential());
    let shown = exec::script_for(JobKind::Export, &env, &c).unwrap();
    let r = Rec::default();
    let o = jobs::run(JobKind::Export, &env, &r).unwrap();
    assert!(o.passed, "{o:?}");
    // The script that ran is the script that was shown, byte for byte.
    assert_eq!(fake.received_script(), shown.text);
    assert_eq!(shown.display, shown.text);
    assert_eq!(o.detail["script_sha256"].as_str().unwrap(), shown.sha256());
    assert!(!shown.changes_deployment);
    assert!(shown.text.contains("Export-CsPersistentChatData -DBInstance 'gcsql.contoso.lab\\GROUPCHAT' -DBName 'GroupChat' -FileName 'C:\\PChatMigration\\GroupChatExport.zip' -Level 'All' -Report 'C:\\PChatMigration\\export-report.html' -Verbose"));
    assert!(
        shown
            .text
            .contains("Invoke-Command -ComputerName 'pchat01.contoso.lab' -Credential $pcmCred")
    );
    // The credential went on stdin, nowhere else.
    assert_eq!(
        fake.record("stdin"),
        format!("CONTOSO\\pchatadmin\n{PASSWORD}\n").into_bytes()
    );
    for a in fake.argv() {
        assert_no_secret("an argument", &a);
    }
    assert_no_secret("the script", &fake.received_script());
    // Output lines reached the log; steps drove progress.
    let log = r.text();
    assert!(
        log.contains("VERBOSE: Exported categories and rooms."),
        "{log}"
    );
    assert!(
        log.contains("step 2/4: Export-CsPersistentChatData"),
        "{log}"
    );
    assert!(r.progress.lock().unwrap().iter().any(|p| p.total == 4));
    // The package was copied from the share and opened with the inspector's reader.
    assert!(env.package.exists());
    assert_eq!(
        o.detail["package"]["local"].as_str().unwrap(),
        env.package.display().to_string()
    );
    assert_eq!(o.detail["package"]["inspection"]["rooms"], 4);
    assert!(
        o.summary.contains(&env.package.display().to_string()),
        "{}",
        o.summary
    );
    assert_eq!(o.detail["run_as"], "CONTOSO\\pchatadmin");
}

#[test]
fn export_without_share_leaves_the_package_on_the_server() {
    let fake = Fake::new("export-ok");
    let c = cfg(&fake, Remote::WinRm);
    let env = env_for(&fake, c).with_credential(credential());
    let o = jobs::run(JobKind::Export, &env, &Rec::default()).unwrap();
    assert!(o.passed);
    assert!(o.summary.contains("package_share"), "{}", o.summary);
    assert!(o.detail["package"]["local"].is_null());
}

#[test]
fn remote_run_without_a_credential_is_a_setup_error() {
    let fake = Fake::new("done");
    let env = env_for(&fake, cfg(&fake, Remote::WinRm));
    let e = jobs::run(JobKind::Verify, &env, &Rec::default()).unwrap_err();
    assert!(
        matches!(e, JobError::Setup(ref m) if m.contains("password of CONTOSO\\pchatadmin")),
        "{e}"
    );
    // Nothing was started.
    assert!(fake.record("argv").is_empty());
}

#[test]
fn a_credential_manager_profile_reads_the_credential_from_standard_input() {
    let fake = Fake::new("done");
    let mut c = cfg(&fake, Remote::WinRm);
    c.credential = "credman:pchat-migrate".into();
    let env = env_for(&fake, c.clone());
    assert_eq!(
        exec::credential_need(&env),
        exec::CredentialNeed::CredMan {
            target: "pchat-migrate".into()
        }
    );
    // The same script as for a typed password: the credential on standard input.
    let script = exec::script_for(JobKind::Verify, &env, &c).unwrap();
    assert!(
        script.text.contains("Windows Credential Manager"),
        "{}",
        script.text
    );
    assert!(script.text.contains("[Console]::OpenStandardInput()"));
    assert!(script.text.contains("-Credential $pcmCred"));
    assert!(!script.text.contains("Import-Clixml"));
    assert!(
        !script.text.contains("pchat-migrate'"),
        "the target is not in the script"
    );
    // Credential Manager exists only on Windows: here that is a set-up error, and nothing ran.
    let e = jobs::run(JobKind::Verify, &env, &Rec::default()).unwrap_err();
    assert!(
        matches!(e, JobError::Setup(ref m) if m.contains("only on Windows")),
        "{e}"
    );
    assert!(fake.record("argv").is_empty());
}

#[test]
fn message_test_success_and_failure() {
    let fake = Fake::new("verify-ok");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let o = jobs::run(JobKind::Verify, &env, &Rec::default()).unwrap();
    // This scenario answers the cmdlet checks, not the row reads: the verify does not pass
    // without its database comparison (rehearsed in tests/production_rehearsal.rs), but every
    // cmdlet check is read.
    assert!(!o.passed, "{}", o.summary);
    assert!(o.summary.contains("row reads"), "{}", o.summary);
    let checks = o.detail["checks"].as_array().unwrap();
    let rooms = checks.iter().find(|c| c["name"] == "rooms").unwrap();
    assert_eq!(rooms["detail"], "3 on the pool");
    let msg = checks
        .iter()
        .find(|c| c["name"] == "synthetic message test")
        .unwrap();
    assert_eq!(msg["passed"], true);
    assert!(
        msg["detail"]
            .as_str()
            .unwrap()
            .starts_with("Success against lyncpool.contoso.lab")
    );
    // The script asked for what the checks read.
    let s = exec::script_for(JobKind::Verify, &env, &env.executor.clone().unwrap()).unwrap();
    assert!(s.text.contains("Test-CsPersistentChatMessage -TargetFqdn 'lyncpool.contoso.lab' -SenderSipAddress 'sip:pilot01@contoso.lab' -ReceiverSipAddress 'sip:pilot02@contoso.lab' -ChatRoomUri 'pchatpool.contoso.lab\\Migration Test Room'"));
    assert!(
        s.text
            .contains("Get-CsWindowsService -ComputerName 'pchat02.contoso.lab'")
    );
    assert!(s.text.contains("Test-CsDatabase -DatabaseType 'PersistentChat' -SqlServerFqdn 'pchatsql.contoso.lab' -SqlInstanceName 'PCHAT'"));

    let fake = Fake::new("verify-message-failure");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let r = Rec::default();
    let o = jobs::run(JobKind::Verify, &env, &r).unwrap();
    assert!(!o.passed);
    assert!(
        o.summary.starts_with(
            "verify FAILED: 1 check(s) failed (first: synthetic message test: Failure"
        ),
        "{}",
        o.summary
    );
    assert!(o.summary.contains("10060"), "{}", o.summary);
    assert!(
        r.text()
            .contains("WARNING: Failed to read Registrar port number")
    );
    assert_eq!(o.detail["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn an_error_record_ends_the_job_with_its_message_and_a_hint() {
    let fake = Fake::new("error-record");
    let env = env_for(&fake, cfg(&fake, Remote::WinRm)).with_credential(credential());
    let r = Rec::default();
    let e = jobs::run(JobKind::Export, &env, &r).unwrap_err();
    let JobError::Exec(ExecError::Script {
        step, fqid, hint, ..
    }) = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(step, "Export-CsPersistentChatData");
    assert!(fqid.starts_with("SqlException"));
    assert!(hint.contains("CredSSP"), "{hint}");
    let msg = e.to_string();
    assert!(
        msg.contains("A network-related or instance-specific error"),
        "{msg}"
    );
    assert!(msg.contains("hint:"), "{msg}");
    assert!(r.text().contains("ERROR in Export-CsPersistentChatData"));
}

#[test]
fn a_non_zero_exit_without_records_names_the_exit_and_stderr() {
    let fake = Fake::new("exit-nonzero");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let r = Rec::default();
    let e = jobs::run(JobKind::Verify, &env, &r).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, JobError::Exec(ExecError::Exit { .. })), "{e:?}");
    assert!(msg.contains("exit code 1"), "{msg}");
    assert!(msg.contains("MissingEndCurlyBrace"), "{msg}");
    assert!(r.text().contains("stderr: At line:1 char:1"));
}

#[test]
fn the_time_limit_ends_the_whole_process_tree() {
    let fake = Fake::new("hang");
    let mut c = cfg(&fake, Remote::None);
    c.timeout_secs = 1;
    let env = env_for(&fake, c);
    let t = Instant::now();
    let e = jobs::run(JobKind::Verify, &env, &Rec::default()).unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(
        matches!(e, JobError::Exec(ExecError::Timeout { secs: 1, .. })),
        "{e:?}"
    );
    assert!(e.to_string().contains("timeout_secs"), "{e}");
    let p = pids(&fake);
    assert_eq!(p.len(), 3, "shell and its two children recorded");
    assert!(wait_for_gone(&p), "still running: {p:?}");
}

#[test]
fn cancel_ends_the_whole_process_tree() {
    let fake = Fake::new("hang");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let r = Rec::cancelling_on("VERBOSE: waiting for the cmdlet");
    let t = Instant::now();
    let e = jobs::run(JobKind::Verify, &env, &r).unwrap_err();
    // The verify only reads: cancelling it leaves nothing behind.
    assert!(
        matches!(&e, JobError::Cancelled(c) if c.left == pchat_migrate::chatdata::Left::Nothing),
        "{e:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(10));
    let p = pids(&fake);
    assert_eq!(p.len(), 3);
    assert!(wait_for_gone(&p), "still running: {p:?}");
    assert!(r.text().contains("process tree was stopped"));
}

#[test]
fn output_lines_reach_the_log_as_they_are_written() {
    let fake = Fake::new("progress");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let r = Rec::default();
    let started = Instant::now();
    let o = jobs::run(JobKind::ImportWhatIf, &env, &r).unwrap();
    let done = Instant::now();
    assert!(o.passed, "{}", o.summary);
    let lines = r.lines.lock().unwrap();
    let at = |needle: &str| {
        lines
            .iter()
            .find(|(_, l)| l.contains(needle))
            .map(|(t, _)| *t)
            .unwrap_or_else(|| panic!("no line {needle}"))
    };
    let first = at("imported room 1 of 5");
    let last = at("imported room 5 of 5");
    // The fake sleeps 0.4 s between lines: the first arrives long before the last, and
    // long before the run ends, so it was not buffered until exit.
    assert!(
        last.duration_since(first) >= Duration::from_millis(1200),
        "{:?}",
        last.duration_since(first)
    );
    assert!(done.duration_since(first) >= Duration::from_millis(1200));
    assert!(first.duration_since(started) < Duration::from_secs(5));
    let progress = r.progress.lock().unwrap();
    assert!(
        progress
            .iter()
            .any(|p| p.phase == "Import-CsPersistentChatData -WhatIf")
    );
}

/// Values an attacker (or a typo) could put into the profile.
const HOSTILE: [&str; 12] = [
    "a b'; Write-Host PWNED; '",
    "x\u{2019}; PWNED \u{2018}",
    "x\u{201A}PWNED\u{201B}y",
    "$(PWNED)",
    "`PWNED`n",
    "a;PWNED",
    "line1\nPWNED\r\n# PWNED",
    "\"PWNED\" \u{201C}PWNED\u{201D} \u{201E}",
    "\u{dc}n\u{ef}c\u{f8}d\u{e9} \u{65e5}\u{672c} \u{1F389} PWNED",
    "'' PWNED ''",
    "@' PWNED '@ <# PWNED #>",
    "x' + (PWNED) + '",
];

fn hostile_env(fake: &Fake, v: &str, remote: Remote) -> (JobEnv, ExecutorConfig) {
    let mut p = production_profile("C:\\PChatMigration");
    p.migration.work_dir = format!("C:\\Work {v}");
    for pool in &mut p.pools {
        if pool.sql_instance.is_some() {
            pool.sql_instance = Some(format!("sql.contoso.lab\\{v}"));
        }
        pool.servers.push(format!("srv {v}"));
        if pool.fqdn.starts_with("pchatpool") {
            pool.fqdn = format!("pchatpool {v}");
        }
    }
    p.migration.scope = vec![v.to_string(), "Plain".into()];
    p.migration.test_room = v.to_string();
    p.migration.test_users = vec![format!("sip:{v}"), "sip:b@contoso.lab".into()];
    p.sip_domain = format!("contoso {v}");
    let mut c = cfg(fake, remote);
    c.computer = format!("host {v}");
    c.module = format!("Lync {v}");
    if remote == Remote::WinRm {
        c.credential = format!("C:\\creds {v}.xml");
    }
    let env = JobEnv::production(p, c.clone(), &fake.path("data"));
    (env, c)
}

#[test]
fn hostile_profile_values_stay_inside_single_quoted_literals() {
    let fake = Fake::new("done");
    for v in HOSTILE {
        for remote in [Remote::None, Remote::WinRm] {
            let (env, c) = hostile_env(&fake, v, remote);
            for task in Task::ALL {
                let s = exec::script_for_task(task, &env, &c)
                    .unwrap_or_else(|e| panic!("{task:?} {v:?}: {e}"));
                let (literals, code) =
                    tokenize(&s.text).unwrap_or_else(|e| panic!("{task:?} {v:?}: {e}"));
                assert!(
                    !code.contains("PWNED"),
                    "{task:?} {v:?}: the value escaped its literal:\n{}",
                    s.text
                );
                assert!(
                    literals.iter().any(|l| l.contains(v)),
                    "{task:?} {v:?}: the value is not in any literal"
                );
            }
        }
    }
    // And the shell receives exactly those bytes.
    let (env, c) = hostile_env(&fake, HOSTILE[0], Remote::None);
    let s = exec::script_for(JobKind::Verify, &env, &c).unwrap();
    let _ = jobs::run(JobKind::Verify, &env, &Rec::default());
    assert_eq!(fake.received_script(), s.text);
}

#[test]
fn the_tokenizer_catches_a_broken_quote() {
    // Self-check of the test's tokenizer: naive quoting lets the value out.
    for v in [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[11]] {
        let naive = format!("Get-Item -LiteralPath '{v}'\n");
        let escaped = match tokenize(&naive) {
            Err(_) => true,
            Ok((_, code)) => code.contains("PWNED"),
        };
        assert!(escaped, "{v:?}");
        let safe = format!(
            "Get-Item -LiteralPath {}\n",
            quote::literal(v, "v").unwrap()
        );
        if !v.contains('"') && !v.contains('\u{201C}') {
            let (lits, code) = tokenize(&safe).unwrap();
            assert_eq!(lits, vec![v.to_string()]);
            assert!(!code.contains("PWNED"));
        }
    }
}

#[test]
fn nul_in_a_profile_value_is_refused_without_echoing_it() {
    let fake = Fake::new("done");
    let mut p = production_profile("C:\\PChatMigration");
    p.migration.test_room = "room\0with-hidden-text".into();
    let c = cfg(&fake, Remote::None);
    let env = JobEnv::production(p, c.clone(), &fake.path("data"));
    let e = exec::script_for(JobKind::Verify, &env, &c).unwrap_err();
    assert!(matches!(e, ExecError::Quote(_)), "{e:?}");
    assert!(e.to_string().contains("NUL"));
    assert!(!e.to_string().contains("hidden-text"));
    let je = jobs::run(JobKind::Verify, &env, &Rec::default()).unwrap_err();
    assert!(matches!(je, JobError::Setup(_)), "{je:?}");
    assert!(fake.record("argv").is_empty(), "nothing ran");
}

#[test]
fn a_secret_never_reaches_the_log_the_outcome_an_error_or_the_dry_run() {
    // The fake echoes the password it got on stdin in plain, base64 and UTF-16 forms, on
    // stdout and stderr, in warnings, objects and an error record.
    for scenario in ["secret-fatal", "secret-done"] {
        let fake = Fake::new(scenario);
        let env = env_for(&fake, cfg(&fake, Remote::WinRm)).with_credential(credential());
        let r = Rec::default();
        let res = exec::run_task(Task::Services, &env, &r);
        // The fake did receive it (so the test means something)…
        assert!(
            String::from_utf8(fake.record("stdin"))
                .unwrap()
                .contains(PASSWORD)
        );
        // …and nothing it printed leaked.
        let log = r.text();
        assert!(log.contains("[REDACTED]"), "{log}");
        assert_no_secret("the job log", &log);
        match res {
            Ok(o) => {
                assert_eq!(scenario, "secret-done");
                assert_no_secret("the outcome", &serde_json::to_string(&o).unwrap());
                assert_no_secret("the summary", &o.summary);
                assert!(!o.detail["errors"].as_array().unwrap().is_empty());
            }
            Err(e) => {
                assert_eq!(scenario, "secret-fatal");
                assert_no_secret("the error", &e.to_string());
                assert_no_secret("the error (debug)", &format!("{e:?}"));
            }
        }
        // The environment, printed for debugging, shows no secret either.
        assert_no_secret("JobEnv debug", &format!("{env:?}"));
        // The dry-run files.
        let c = env.executor.clone().unwrap();
        let scripts: Vec<_> = Task::ALL
            .into_iter()
            .map(|t| exec::script_for_task(t, &env, &c).unwrap())
            .collect();
        let out = fake.path("dry-run");
        for p in exec::write_dry_run(&out, &scripts).unwrap() {
            let text = String::from_utf8(std::fs::read(&p).unwrap()).unwrap();
            assert_no_secret("a dry-run file", &text);
            assert!(text.starts_with('\u{feff}'));
        }
    }
}

#[test]
fn jobs_through_the_wizard_runner_stream_into_the_log_tail() {
    let fake = Fake::new("progress");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let (tx, rx) = std::sync::mpsc::channel();
    let log_file = fake.path("job.log");
    let h = jobs::runner::spawn(
        JobKind::ImportWhatIf,
        "import.whatif",
        1,
        env,
        Some(log_file.clone()),
        move |r| {
            let _ = tx.send(r.is_ok());
        },
    );
    // Before the job ends, its first lines are already in the tail.
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < until, "no streamed line");
        if h.log_tail(50)
            .iter()
            .any(|l| l.contains("imported room 1 of 5"))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(rx.try_recv().is_err(), "the job had already finished");
    assert!(rx.recv_timeout(Duration::from_secs(20)).unwrap());
    let file = std::fs::read_to_string(&log_file).unwrap();
    assert!(file.contains("imported room 5 of 5"));
}

#[test]
fn the_topology_probe_returns_the_xml_for_the_topology_import() {
    let fake = Fake::new("topology");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let o = exec::run_task(Task::Topology, &env, &Rec::default()).unwrap();
    assert!(o.passed, "{}", o.summary);
    let xml = o.topology_xml.unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(
        xml.contains(
            "<Topology xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008\""
        )
    );
    assert!(fake.received_script().contains("Get-CsTopology -AsXml"));
}

#[test]
fn changing_tasks_ask_for_a_confirmation_word() {
    let fake = Fake::new("done");
    let env = env_for(&fake, cfg(&fake, Remote::None));
    let c = env.executor.clone().unwrap();
    let word = |t: Task| {
        let s = exec::script_for_task(t, &env, &c).unwrap();
        (s.changes_deployment, s.confirm_word)
    };
    assert_eq!(word(Task::Import), (true, Some("IMPORT".into())));
    assert_eq!(word(Task::ImportWhatIf), (false, None));
    assert_eq!(word(Task::Export), (false, None));
    assert_eq!(word(Task::Verify), (false, None));
    assert_eq!(word(Task::StopServices), (true, Some("STOP".into())));
    assert_eq!(word(Task::StartServices), (true, Some("START".into())));
    assert_eq!(word(Task::LegacyEndpoint), (true, Some("ENDPOINT".into())));
    let mut p = env.profile.clone();
    p.migration.disable_exported_nodes = true;
    let env2 = JobEnv::production(p, c.clone(), &fake.path("data"));
    let s = exec::script_for(JobKind::Export, &env2, &c).unwrap();
    assert!(s.changes_deployment && s.text.contains("-DisableExportedNodes"));
    // The real import checks the services and the pool state before it changes anything.
    let s = exec::script_for(JobKind::Import, &env, &c).unwrap();
    let guard = s.text.find("pcm-guard: services not stopped").unwrap();
    let import = s
        .text
        .find("Import-CsPersistentChatData -DBInstance")
        .unwrap();
    assert!(guard < import);
    assert!(s.text.contains("-Confirm:$false"));
}

#[test]
fn cli_script_command_writes_the_dry_run_from_a_profile_with_an_executor_table() {
    let dir = tempfile::tempdir().unwrap();
    let profile = LAB_PROFILE_TOML
        .replace("kind = \"lab\"", "kind = \"production\"")
        .replace("work_dir = \"\"", "work_dir = 'C:\\PChatMigration'")
        + "\n[executor]\nshell = \"powershell.exe\"\nremote = \"winrm\"\ncomputer = \"pchat01.contoso.lab\"\nuser = \"CONTOSO\\\\pchatadmin\"\n";
    let path = dir.path().join("prod.toml");
    std::fs::write(&path, profile).unwrap();
    let out = dir.path().join("review");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--profile")
        .arg(&path)
        .args(["script", "all", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("import.ps1"), "{stdout}");
    assert!(stdout.contains("(confirm word IMPORT)"), "{stdout}");
    let import = std::fs::read_to_string(out.join("import.ps1")).unwrap();
    assert!(
        import.contains("Invoke-Command -ComputerName 'pchat01.contoso.lab' -Credential $pcmCred")
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), Task::ALL.len());
    // A typo in the table is an error naming it.
    std::fs::write(
        &path,
        std::fs::read_to_string(&path)
            .unwrap()
            .replace("remote =", "remot ="),
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--profile")
        .arg(&path)
        .args(["script", "verify"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown field `remot`"));
}
