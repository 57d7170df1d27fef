//! `pchat-migrate bench`: builds a lab and times the data plane phase by phase.
//!
//! Each phase (lab init, export, import, verify) runs in a **child process** of the same
//! binary (`bench --phase <phase>`), so the peak memory each one reports (`VmHWM` from
//! `/proc/self/status`, Linux only; "n/a" elsewhere) is that phase's own. The parent prints,
//! per phase: messages, messages per second, MB per second of message text, wall time and
//! peak memory, then the end-to-end export → import → verify rate. Before each phase the
//! disk is settled (`sync`, untimed; see [`settle_disk`]).
//!
//! After the pipeline (export, -WhatIf, import, verify) it measures, in the same run and on
//! the same files, the **raw-copy anchor**: SQLite copying the legacy `tblChat` rows into a
//! new database (`ATTACH` + `INSERT INTO … SELECT`, what the `sqlite3` shell would do; timed
//! to the copy's commit, not the count of what was copied), and prints the pipeline's total
//! and its ratio to that anchor. Then two scale checks: the
//! package rewritten as 100 000 small content entries (its own phase, so that the writer's
//! memory is not counted as the inspection's) and inspected, and a pilot CSV of 1 000 000
//! users parsed and imported in the wizard's batches.
//!
//! Targets (issue 13, on an idle 2-core machine): the pipeline within 4× the raw copy, at
//! every size; peak memory under 200 MB; the 100 000-entry package inspected in under 10 s.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::chatdata::{self, ExportOptions, ImportOptions, VerifyOptions};
use crate::lab::{self, LabPaths, LabSpec};

/// The phases, in order.
pub const PHASES: [&str; 9] = [
    "lab-init",
    "export",
    "whatif",
    "import",
    "verify",
    "raw-copy",
    "repack-100k-entries",
    "inspect-100k-entries",
    "pilot-1m-users",
];

/// The phases of the migration pipeline, whose total is compared with the raw copy.
pub const PIPELINE: [&str; 4] = ["export", "whatif", "import", "verify"];

/// Entries of the many-entries package.
pub const MANY_ENTRIES: usize = 100_000;

/// Users of the pilot CSV.
pub const PILOT_USERS: usize = 1_000_000;

/// `bench` flags.
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct BenchArgs {
    /// Lab size: small, medium (the default) or large.
    #[arg(long, value_parser = crate::lab::SIZES, default_value = "medium")]
    pub size: String,
    /// Override the size's message count.
    #[arg(long, value_name = "N")]
    pub messages: Option<u64>,
    /// Work directory (lab databases and package); default: a new folder under the system
    /// temporary directory, removed afterwards unless --keep.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Keep the work directory.
    #[arg(long)]
    pub keep: bool,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// (internal) run one phase in this process and print its result as JSON.
    #[arg(long, hide = true)]
    pub phase: Option<String>,
}

/// One phase's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseResult {
    /// The phase.
    pub phase: String,
    /// Messages handled.
    pub messages: u64,
    /// Message text bytes handled (UTF-8).
    pub text_bytes: u64,
    /// Bytes of the file the phase wrote (legacy database, package, mgc database).
    pub output_bytes: u64,
    /// Wall time in milliseconds.
    pub wall_ms: u64,
    /// Peak resident memory in KiB (`VmHWM`), `None` where not measurable.
    pub peak_kib: Option<u64>,
    /// CPU time (user + system, all threads) in milliseconds, `None` where not measurable.
    /// On a shared machine wall time also counts waiting for a core; CPU time does not.
    pub cpu_ms: Option<u64>,
}

impl PhaseResult {
    fn rate(&self) -> f64 {
        self.messages as f64 * 1000.0 / self.wall_ms.max(1) as f64
    }

    fn mb_per_s(&self) -> f64 {
        self.text_bytes as f64 / 1e6 * 1000.0 / self.wall_ms.max(1) as f64
    }
}

/// The whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// The lab spec.
    pub spec: Option<LabSpec>,
    /// Per phase.
    pub phases: Vec<PhaseResult>,
    /// Messages per second over export + import + verify.
    pub end_to_end_msgs_per_s: f64,
    /// The largest peak of the pipeline phases (KiB).
    pub max_peak_kib: Option<u64>,
    /// How fast the wizard handles a key while the jobs run.
    pub ui_key_latency: Option<crate::tui::bench::KeyLatency>,
    /// Wall time of export + -WhatIf + import + verify (ms).
    pub pipeline_ms: u64,
    /// Wall time of the raw copy of `tblChat` (ms).
    pub raw_copy_ms: u64,
    /// `pipeline_ms / raw_copy_ms` (target ≤ 4).
    pub ratio_to_raw_copy: f64,
    /// CPU time of export + -WhatIf + import + verify (ms, all threads).
    pub pipeline_cpu_ms: Option<u64>,
    /// CPU time of the raw copy (ms).
    pub raw_copy_cpu_ms: Option<u64>,
}

/// CPU time of this process (user + system, all threads) in ms, from `/proc/self/stat`
/// (clock ticks of 10 ms, the Linux USER_HZ); `None` off Linux.
pub fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the command name (which is in parentheses and may hold spaces)
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) * 10)
}

/// Peak resident set of this process (`VmHWM`, KiB); `None` off Linux.
pub fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn spec_of(args: &BenchArgs) -> Result<LabSpec, String> {
    let mut spec =
        LabSpec::preset(&args.size).ok_or_else(|| format!("unknown size \"{}\"", args.size))?;
    if let Some(n) = args.messages {
        spec.messages = n;
    }
    Ok(spec)
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn package_path(dir: &Path) -> PathBuf {
    LabPaths::in_dir(dir).export_dir.join("bench.zip")
}

/// Prints the data plane's log lines with the time since the phase started (the bench
/// child's stderr), when `PCHAT_BENCH_LOG` is set.
struct TimedLog {
    started: Instant,
    on: bool,
}

impl crate::progress::Reporter for TimedLog {
    fn progress(&self, _update: crate::progress::ProgressUpdate) {}
    fn log(&self, line: String) {
        if self.on {
            eprintln!("    [{:>6} ms] {line}", self.started.elapsed().as_millis());
        }
    }
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// When a phase's timed work ended and the process's CPU time then (ms).
type Stop = (Instant, Option<u64>);

/// Runs one phase in this process.
///
/// # Errors
/// The phase's error, as text.
pub fn run_phase(phase: &str, dir: &Path, spec: &LabSpec) -> Result<PhaseResult, String> {
    let mut started = Instant::now();
    // when and at what CPU time a phase's timed work ended, if before the match arm returns
    let mut stopped: Option<Stop> = None;
    let r = TimedLog {
        started,
        on: std::env::var_os("PCHAT_BENCH_LOG").is_some(),
    };
    let paths = LabPaths::in_dir(dir);
    // A figure read after the clock stopped (the export and import phases take the text
    // bytes from the package's manifest, which is not part of their work).
    type After = Box<dyn FnOnce(&Path) -> u64>;
    let mut after: Option<After> = None;
    let (messages, mut text_bytes, output_bytes) = match phase {
        "lab-init" => {
            lab::init(dir, spec, true, &r).map_err(|e| e.to_string())?;
            let c = rusqlite::Connection::open_with_flags(
                &paths.legacy_db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .map_err(|e| e.to_string())?;
            let (n, b): (i64, i64) = c
                .query_row(
                    "SELECT COUNT(*), IFNULL(SUM(LENGTH(CAST(content AS BLOB))), 0) FROM tblChat",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .map_err(|e| e.to_string())?;
            (n as u64, b as u64, file_len(&paths.legacy_db))
        }
        "export" => {
            let s = chatdata::export(
                &paths.legacy_db,
                &package_path(dir),
                &ExportOptions::default(),
                &r,
            )
            .map_err(|e| e.to_string())?;
            after = Some(Box::new(move |p: &Path| {
                manifest_text_bytes(&package_path(p))
            }));
            (s.messages, 0, s.bytes)
        }
        "import" => {
            let s = chatdata::import(
                &package_path(dir),
                &paths.mgc_db,
                &ImportOptions::default(),
                &r,
            )
            .map_err(|e| e.to_string())?;
            after = Some(Box::new(move |p: &Path| {
                manifest_text_bytes(&package_path(p))
            }));
            (s.messages, 0, file_len(&paths.mgc_db))
        }
        "verify" => {
            let v = chatdata::verify(
                &paths.legacy_db,
                &paths.mgc_db,
                &VerifyOptions::default(),
                &r,
            )
            .map_err(|e| e.to_string())?;
            // the refused over-long rooms are the only expected differences
            let unexpected: Vec<_> = v
                .differences
                .iter()
                .filter(|d| !d.expected.contains("the import refuses it"))
                .collect();
            if !unexpected.is_empty() {
                return Err(format!(
                    "verify found {} unexpected differences, first: {:?}",
                    unexpected.len(),
                    unexpected[0]
                ));
            }
            (v.messages_compared, v.bytes_compared, 0)
        }
        "whatif" => {
            let s = chatdata::import(
                &package_path(dir),
                &paths.mgc_db,
                &ImportOptions {
                    what_if: true,
                    ..ImportOptions::default()
                },
                &r,
            )
            .map_err(|e| e.to_string())?;
            (s.messages, 0, 0)
        }
        "raw-copy" => {
            let (counts, at) = raw_copy(&paths.legacy_db, &dir.join("raw-copy.db"))?;
            // the clock stops when the copy is committed, before the counting read
            stopped = Some(at);
            counts
        }
        // The fixture of the next phase, in a process of its own so that the inspection's
        // peak memory is its own: writing 100 000 deflated entries takes a deflate state per
        // entry, which glibc's allocator does not give back between entries.
        "repack-100k-entries" => {
            let many = dir.join("many-entries.zip");
            let n = repack_into_entries(&package_path(dir), &many, MANY_ENTRIES)?;
            (n as u64, 0, file_len(&many))
        }
        "inspect-100k-entries" => {
            let many = dir.join("many-entries.zip");
            let n = chatdata::package::PackageReader::open(
                &many,
                chatdata::package::PackageLimits::default(),
            )
            .map_err(|e| e.to_string())?
            .content_count();
            // Timed from here: the inspection only.
            started = Instant::now();
            let i = chatdata::inspect(&many, None, &r).map_err(|e| e.to_string())?;
            eprintln!(
                "    inspect of a package of {n} content entries: {} ms (target < 10 000 ms)",
                started.elapsed().as_millis()
            );
            (i.inventory.messages.unwrap_or(0), 0, file_len(&many))
        }
        "pilot-1m-users" => pilot_csv(dir, PILOT_USERS, &mut started)?,
        other => return Err(format!("unknown phase \"{other}\"")),
    };
    let (wall_ms, cpu) = match stopped {
        Some((at, cpu)) => ((at - started).as_millis() as u64, cpu),
        None => (started.elapsed().as_millis() as u64, cpu_ms()),
    };
    if let Some(f) = after {
        text_bytes = f(dir);
    }
    Ok(PhaseResult {
        phase: phase.into(),
        messages,
        text_bytes,
        output_bytes,
        wall_ms,
        peak_kib: peak_kib(),
        cpu_ms: cpu,
    })
}

/// Message text bytes of a package, from its manifest (0 when unreadable).
fn manifest_text_bytes(package: &Path) -> u64 {
    chatdata::package::PackageReader::open(package, chatdata::package::PackageLimits::default())
        .ok()
        .and_then(|mut p| p.read_directory().ok())
        .and_then(|c| c.manifest)
        .map_or(0, |m| m.rooms.iter().map(|r| r.content.bytes).sum())
}

/// Writes the page cache's dirty pages to disk before a phase starts (`sync(2)`, Unix only),
/// outside every phase's time. Otherwise the kernel writes the previous phases' output back
/// while the next phase runs (at the large size the lab, the package and the -WhatIf's stage
/// are 2.3 GB, past the kernel's background threshold), and a phase's time depends on what ran
/// before it: the 10 M import took 8.2 s after the -WhatIf and 5.2 s on a settled disk. On a
/// server the phases run minutes apart. The raw-copy anchor gets the same settled start.
fn settle_disk() {
    #[cfg(unix)]
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe {
        libc::sync();
    }
}

/// The raw-copy anchor: a new SQLite file gets the legacy `tblChat` rows with one
/// `INSERT INTO … SELECT` through `ATTACH` (as the `sqlite3` shell would copy them; same
/// schema, default settings). Returns (rows, text bytes, file size) and the instant and CPU
/// time (ms) at which the copy was committed: the rows and bytes are counted after that,
/// outside the anchor's time (counting reads the whole table again, about a fifth of the
/// copy's time).
fn raw_copy(legacy: &Path, out: &Path) -> Result<((u64, u64, u64), Stop), String> {
    let _ = std::fs::remove_file(out);
    let c = rusqlite::Connection::open(out).map_err(|e| e.to_string())?;
    c.execute(
        "ATTACH DATABASE ?1 AS old",
        [legacy.to_str().ok_or("a legacy path that is not UTF-8")?],
    )
    .map_err(|e| e.to_string())?;
    let sql: String = c
        .query_row(
            "SELECT sql FROM old.sqlite_master WHERE type = 'table' AND name = 'tblChat'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    c.execute_batch(&format!(
        "{sql}; INSERT INTO main.tblChat SELECT * FROM old.tblChat;"
    ))
    .map_err(|e| e.to_string())?;
    let copied = (Instant::now(), cpu_ms());
    let (n, b): (i64, i64) = c
        .query_row(
            "SELECT COUNT(*), IFNULL(SUM(LENGTH(CAST(content AS BLOB))), 0) FROM main.tblChat",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| e.to_string())?;
    drop(c);
    let size = file_len(out);
    let _ = std::fs::remove_file(out);
    Ok(((n as u64, b as u64, size), copied))
}

/// Rewrites a package into at most `entries` content entries of (nearly) equal numbers of
/// messages, at least one each, in the same order, with the manifest's list of content files
/// updated: the shape of a package with very many small entries. Returns the number of
/// entries written.
///
/// # Errors
/// The package cannot be read or the new one written.
pub fn repack_into_entries(src: &Path, dst: &Path, entries: usize) -> Result<usize, String> {
    use std::io::Read;
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let mut a =
        zip::ZipArchive::new(std::fs::File::open(src).map_err(|x| e(&x))?).map_err(|x| e(&x))?;
    let mut z = zip::ZipWriter::new(std::fs::File::create(dst).map_err(|x| e(&x))?);
    let o = zip::write::SimpleFileOptions::default();
    let is_content = |name: &str| name.starts_with("pchat-migrate/Content/");
    // one read buffer, reused from entry to entry
    let mut data = String::new();
    let read = |a: &mut zip::ZipArchive<std::fs::File>,
                i: usize,
                data: &mut String|
     -> Result<String, String> {
        let mut f = a.by_index(i).map_err(|x| e(&x))?;
        data.clear();
        f.read_to_string(data).map_err(|x| e(&x))?;
        Ok(f.name().to_string())
    };
    // first pass: the other files copied, the manifest kept, the messages counted; one entry in
    // memory at a time (holding every message took 2.4 GB at 10 M)
    let mut manifest: Option<serde_json::Value> = None;
    let mut total = 0usize;
    for i in 0..a.len() {
        let name = read(&mut a, i, &mut data)?;
        if name.ends_with("manifest.json") {
            manifest = Some(serde_json::from_str(&data).map_err(|x| e(&x))?);
        } else if is_content(&name) {
            total += data.matches("<Message ").count();
        } else {
            z.start_file(name.as_str(), o).map_err(|x| e(&x))?;
            z.write_all(data.as_bytes()).map_err(|x| e(&x))?;
        }
    }
    // second pass: the messages, in package order, `per` to an entry
    let per = total.div_ceil(entries.max(1)).max(1);
    let mut files: Vec<String> = Vec::new();
    let mut body = String::new();
    let (mut in_entry, mut room) = (0usize, String::new());
    let close = |z: &mut zip::ZipWriter<std::fs::File>,
                 body: &mut String,
                 files: &mut Vec<String>|
     -> Result<(), String> {
        let entry = format!("pchat-migrate/Content/{:06}.xml", files.len() + 1);
        body.push_str("</Room></Content>");
        z.start_file(entry.as_str(), o).map_err(|x| e(&x))?;
        z.write_all(body.as_bytes()).map_err(|x| e(&x))?;
        body.clear();
        files.push(entry);
        Ok(())
    };
    for i in 0..a.len() {
        if !a.name_for_index(i).is_some_and(is_content) {
            continue;
        }
        read(&mut a, i, &mut data)?;
        for r in data.split("<Room ").skip(1) {
            let Some((head, rest)) = r.split_once('>') else {
                continue;
            };
            let inner = rest.split("</Room>").next().unwrap_or("");
            for m in inner.split("<Message ").skip(1) {
                if in_entry == 0 {
                    body.push_str("<Content>");
                } else if room != head {
                    body.push_str("</Room>");
                }
                if in_entry == 0 || room != head {
                    body.push_str("<Room ");
                    body.push_str(head);
                    body.push('>');
                    head.clone_into(&mut room);
                }
                body.push_str("<Message ");
                body.push_str(m);
                in_entry += 1;
                if in_entry == per {
                    close(&mut z, &mut body, &mut files)?;
                    in_entry = 0;
                }
            }
        }
    }
    if in_entry > 0 {
        close(&mut z, &mut body, &mut files)?;
    }
    let mut manifest = manifest.ok_or("the package has no manifest")?;
    manifest["content_files"] = serde_json::json!(files);
    z.start_file("pchat-migrate/manifest.json", o)
        .map_err(|x| e(&x))?;
    z.write_all(manifest.to_string().as_bytes())
        .map_err(|x| e(&x))?;
    z.finish().map_err(|x| e(&x))?;
    Ok(files.len())
}

/// A pilot CSV of `n` users, parsed, then added to a session database in the wizard's
/// batches ([`crate::tui::screens::pilot::IMPORT_BATCH`]); prints the longest batch, which
/// is how long a tick queued during the import can wait. Returns (users, CSV bytes, db size).
fn pilot_csv(dir: &Path, n: usize, started: &mut Instant) -> Result<(u64, u64, u64), String> {
    let csv = dir.join("pilot-users.csv");
    {
        let mut w =
            std::io::BufWriter::new(std::fs::File::create(&csv).map_err(|e| e.to_string())?);
        let _ = writeln!(w, "sip,display_name,client");
        for i in 0..n {
            let _ = writeln!(w, "sip:bulk{i:07}@contoso.lab,Bulk User {i},lync2013");
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    // Timed from here: reading the file and the batches, not writing the file.
    *started = Instant::now();
    let users = crate::pilot::users_from_csv_file(&csv)?;
    let db = dir.join("pilot-sessions.db");
    let _ = std::fs::remove_file(&db);
    let mut store = crate::store::Store::open(&db).map_err(|e| e.to_string())?;
    let session = store
        .create_session("bench", "lab", None, "bench")
        .map_err(|e| e.to_string())?;
    let mut longest = std::time::Duration::ZERO;
    for batch in users.chunks(crate::tui::screens::pilot::IMPORT_BATCH) {
        let t = Instant::now();
        store
            .add_pilot_users(session.id, batch, "csv:pilot-users.csv", "bench")
            .map_err(|e| e.to_string())?;
        longest = longest.max(t.elapsed());
    }
    eprintln!(
        "    pilot: {} users in batches of {}; longest batch {} ms (a tick waits at most that)",
        users.len(),
        crate::tui::screens::pilot::IMPORT_BATCH,
        longest.as_millis()
    );
    drop(store);
    let out = (users.len() as u64, file_len(&csv), file_len(&db));
    let _ = std::fs::remove_file(&csv);
    Ok(out)
}

/// The `bench` command.
///
/// # Errors
/// Set-up problems and failed phases, as text.
pub fn run(args: &BenchArgs, data_dir: Option<&Path>) -> Result<ExitCode, String> {
    let spec = spec_of(args)?;
    if let Some(phase) = &args.phase {
        let dir = args.dir.as_ref().ok_or("--phase needs --dir")?;
        let res = run_phase(phase, dir, &spec)?;
        println!(
            "{}",
            serde_json::to_string(&res).map_err(|e| e.to_string())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (dir, temp) = match &args.dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!("pchat-bench-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    eprintln!(
        "bench: {} lab ({} messages, {} rooms, {} users) in {}",
        args.size,
        spec.messages,
        spec.rooms,
        spec.users,
        dir.display()
    );
    let mut report = BenchReport {
        spec: Some(spec.clone()),
        ..BenchReport::default()
    };
    for phase in PHASES {
        settle_disk();
        let mut cmd = Command::new(&exe);
        if let Some(d) = data_dir {
            cmd.arg("--data-dir").arg(d);
        }
        cmd.args(["bench", "--size", &args.size, "--phase", phase, "--dir"])
            .arg(&dir);
        if let Some(n) = args.messages {
            cmd.args(["--messages", &n.to_string()]);
        }
        let out = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot start the {phase} phase: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text.lines().rev().find(|l| l.starts_with('{'));
        let res: PhaseResult = match (out.status.success(), line) {
            (true, Some(l)) => serde_json::from_str(l).map_err(|e| e.to_string())?,
            _ => {
                return Err(format!(
                    "the {phase} phase failed ({}); see its messages above",
                    out.status
                ));
            }
        };
        eprintln!(
            "  {:<20} {:>10} msgs  {:>9.0} msg/s  {:>7.1} MB/s  {:>8} ms  cpu {} ms  peak {}",
            res.phase,
            res.messages,
            res.rate(),
            res.mb_per_s(),
            res.wall_ms,
            res.cpu_ms
                .map_or_else(|| "n/a".to_string(), |c| c.to_string()),
            res.peak_kib
                .map_or_else(|| "n/a".to_string(), |k| format!("{} MB", k / 1024))
        );
        report.phases.push(res);
    }
    let pipeline: Vec<&PhaseResult> = report
        .phases
        .iter()
        .filter(|p| PIPELINE.contains(&p.phase.as_str()))
        .collect();
    let ms: u64 = pipeline.iter().map(|p| p.wall_ms).sum();
    let msgs = pipeline.first().map_or(0, |p| p.messages);
    report.end_to_end_msgs_per_s = msgs as f64 * 1000.0 / ms.max(1) as f64;
    report.pipeline_ms = ms;
    report.raw_copy_ms = report
        .phases
        .iter()
        .find(|p| p.phase == "raw-copy")
        .map_or(0, |p| p.wall_ms);
    report.ratio_to_raw_copy = ms as f64 / report.raw_copy_ms.max(1) as f64;
    report.pipeline_cpu_ms = pipeline.iter().map(|p| p.cpu_ms).sum();
    report.raw_copy_cpu_ms = report
        .phases
        .iter()
        .find(|p| p.phase == "raw-copy")
        .and_then(|p| p.cpu_ms);
    report.max_peak_kib = pipeline.iter().filter_map(|p| p.peak_kib).max();
    // The wizard's answer to a key while the same jobs run on this lab (target: < 50 ms).
    eprintln!("  ui        pressing keys in the wizard while export, -WhatIf and verify run…");
    let ui = crate::tui::bench::key_latency(&dir)?;
    eprintln!(
        "  ui        {} key presses: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ui.presses, ui.p50_ms, ui.p99_ms, ui.max_ms
    );
    report.ui_key_latency = Some(ui);
    let mut out = std::io::stdout().lock();
    if args.json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        let _ = writeln!(
            out,
            "{:<20} {:>10} {:>11} {:>9} {:>10} {:>10} {:>9}",
            "phase", "messages", "msg/s", "MB/s", "wall ms", "cpu ms", "peak MB"
        );
        for p in &report.phases {
            let _ = writeln!(
                out,
                "{:<20} {:>10} {:>11.0} {:>9.1} {:>10} {:>10} {:>9}",
                p.phase,
                p.messages,
                p.rate(),
                p.mb_per_s(),
                p.wall_ms,
                p.cpu_ms
                    .map_or_else(|| "n/a".to_string(), |c| c.to_string()),
                p.peak_kib.map_or_else(
                    || "n/a".to_string(),
                    |k| format!("{:.0}", k as f64 / 1024.0)
                )
            );
        }
        let _ = writeln!(
            out,
            "total export → -WhatIf → import → verify: {msgs} messages in {ms} ms = {:.0} msg/s",
            report.end_to_end_msgs_per_s
        );
        let _ = writeln!(
            out,
            "raw copy of tblChat (SQLite INSERT … SELECT, same run): {} ms; ratio {:.2} (target ≤ 4)",
            report.raw_copy_ms, report.ratio_to_raw_copy
        );
        // On a shared machine wall time counts waiting for a core; CPU time does not (it
        // also counts the second thread's work, which wall time hides on an idle machine).
        if let (Some(p), Some(c)) = (report.pipeline_cpu_ms, report.raw_copy_cpu_ms) {
            let _ = writeln!(
                out,
                "cpu time: pipeline {p} ms, raw copy {c} ms; ratio {:.2}",
                p as f64 / c.max(1) as f64
            );
        }
        let _ = writeln!(
            out,
            "max peak of the pipeline phases {} (target < 200 MB)",
            report.max_peak_kib.map_or_else(
                || "n/a".to_string(),
                |k| format!("{:.0} MB", k as f64 / 1024.0)
            )
        );
    }
    if temp && !args.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(ExitCode::SUCCESS)
}
