//! Tests that need something from outside the project (the `../shared` fixtures, Debian's
//! `chromium`) ask [`available`] first. A missing dependency is never a silent pass: with
//! `CI=true` the test fails naming what is missing; elsewhere the test is recorded as skipped
//! and, when the test binary exits, a closing line after libtest's summary names every
//! skipped test and why (libtest has no run-time "ignored" outcome).

use std::path::Path;
use std::sync::{Mutex, Once};

/// `(test, reason)` of every test skipped in this binary.
static SKIPPED: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
static REGISTER: Once = Once::new();

/// Whether `CI` says this is a CI run (`true` or `1`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `true` when `path` exists. Otherwise, under CI, panics naming `what` and `hint`; outside
/// CI records the calling test as skipped (see the module docs) and returns `false`.
pub fn available(path: &Path, what: &str, hint: &str) -> bool {
    if path.exists() {
        return true;
    }
    let reason = format!("{what} not found at {} ({hint})", path.display());
    assert!(!in_ci(), "CI=true: {reason}");
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .unwrap_or("a test")
        .to_string();
    eprintln!("SKIPPED {test}: {reason}");
    SKIPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((test, reason));
    REGISTER.call_once(register_summary);
    false
}

#[cfg(unix)]
fn register_summary() {
    extern "C" fn summary() {
        print_summary();
    }
    // SAFETY: registers a plain function that only writes to stderr.
    unsafe {
        libc::atexit(summary);
    }
}

/// Elsewhere (the Windows build's lint) the `SKIPPED` line printed at each skip stands
/// alone: the tests run on Linux, where the closing summary is printed.
#[cfg(not(unix))]
fn register_summary() {}

/// The closing line(s): runs after libtest printed its summary.
#[cfg(unix)]
fn print_summary() {
    let skipped = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    if skipped.is_empty() {
        return;
    }
    eprintln!(
        "\nSKIPPED {} test(s) counted as passed above (CI=true makes them fail):",
        skipped.len()
    );
    for (test, reason) in skipped.iter() {
        eprintln!("  skipped {test}: {reason}");
    }
}
