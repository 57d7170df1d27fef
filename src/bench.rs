//! `pchat-migrate bench`: builds a lab and times the data plane phase by phase.
//!
//! Each phase (lab init, export, import, verify) runs in a **child process** of the same
//! binary (`bench --phase <phase>`), so the peak memory each one reports (`VmHWM` from
//! `/proc/self/status`, Linux only; "n/a" elsewhere) is that phase's own. The parent prints,
//! per phase: messages, messages per second, MB per second of message text, wall time and
//! peak memory, then the end-to-end export → import → verify rate.
//!
//! Targets (issue 3, on the 2-core lab machine): export → import → verify of the large lab
//! (10 M messages) at 200 000 messages per second or more end to end; peak memory under
//! 200 MB at every size.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::chatdata::{self, ExportOptions, ImportOptions, VerifyOptions};
use crate::lab::{self, LabPaths, LabSpec};

/// The phases, in order.
pub const PHASES: [&str; 4] = ["lab-init", "export", "import", "verify"];

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
    /// The largest peak of any phase (KiB).
    pub max_peak_kib: Option<u64>,
    /// How fast the wizard handles a key while the jobs run.
    pub ui_key_latency: Option<crate::tui::bench::KeyLatency>,
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

/// Runs one phase in this process.
///
/// # Errors
/// The phase's error, as text.
pub fn run_phase(phase: &str, dir: &Path, spec: &LabSpec) -> Result<PhaseResult, String> {
    let started = Instant::now();
    let r = TimedLog {
        started,
        on: std::env::var_os("PCHAT_BENCH_LOG").is_some(),
    };
    let paths = LabPaths::in_dir(dir);
    let (messages, text_bytes, output_bytes) = match phase {
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
            let text = chatdata::package::PackageReader::open(
                &package_path(dir),
                chatdata::package::PackageLimits::default(),
            )
            .ok()
            .and_then(|mut p| p.read_directory().ok())
            .and_then(|c| c.manifest)
            .map_or(0, |m| m.rooms.iter().map(|r| r.content.bytes).sum());
            (s.messages, text, s.bytes)
        }
        "import" => {
            let s = chatdata::import(
                &package_path(dir),
                &paths.mgc_db,
                &ImportOptions::default(),
                &r,
            )
            .map_err(|e| e.to_string())?;
            let text = chatdata::package::PackageReader::open(
                &package_path(dir),
                chatdata::package::PackageLimits::default(),
            )
            .ok()
            .and_then(|mut p| p.read_directory().ok())
            .and_then(|c| c.manifest)
            .map_or(0, |m| m.rooms.iter().map(|r| r.content.bytes).sum());
            (s.messages, text, file_len(&paths.mgc_db))
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
        other => return Err(format!("unknown phase \"{other}\"")),
    };
    Ok(PhaseResult {
        phase: phase.into(),
        messages,
        text_bytes,
        output_bytes,
        wall_ms: started.elapsed().as_millis() as u64,
        peak_kib: peak_kib(),
        cpu_ms: cpu_ms(),
    })
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
            "  {:<9} {:>10} msgs  {:>9.0} msg/s  {:>7.1} MB/s  {:>8} ms  cpu {} ms  peak {}",
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
        .filter(|p| p.phase != "lab-init")
        .collect();
    let ms: u64 = pipeline.iter().map(|p| p.wall_ms).sum();
    let msgs = pipeline.first().map_or(0, |p| p.messages);
    report.end_to_end_msgs_per_s = msgs as f64 * 1000.0 / ms.max(1) as f64;
    report.max_peak_kib = report.phases.iter().filter_map(|p| p.peak_kib).max();
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
            "{:<9} {:>10} {:>11} {:>9} {:>10} {:>10} {:>9}",
            "phase", "messages", "msg/s", "MB/s", "wall ms", "cpu ms", "peak MB"
        );
        for p in &report.phases {
            let _ = writeln!(
                out,
                "{:<9} {:>10} {:>11.0} {:>9.1} {:>10} {:>10} {:>9}",
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
            "export → import → verify: {msgs} messages in {ms} ms = {:.0} msg/s end to end (target ≥ 200000); \
             max peak {} (target < 200 MB)",
            report.end_to_end_msgs_per_s,
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
