//! Terminal lifecycle: raw mode, the alternate screen, mouse capture and bracketed paste are
//! turned on together and undone together — on quit (the guard's `Drop`), on panic (the
//! hook installed by [`install_panic_hook`]) and on SIGTERM/SIGHUP/SIGINT/SIGQUIT (the event loop quits
//! normally). [`restore`] is idempotent and never panics.

use std::io::{self, Stdout, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// The terminal type the wizard draws on.
pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters raw mode and the alternate screen, enables bracketed paste and (optionally) mouse
/// capture.
///
/// # Errors
/// When stdout is not a terminal or the terminal refuses a mode; whatever was turned on is
/// turned off again before returning.
pub fn setup(mouse: bool) -> io::Result<(Term, TerminalGuard)> {
    ACTIVE.store(true, Ordering::SeqCst);
    let guard = TerminalGuard;
    enable_raw_mode()?;
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    let terminal = Terminal::new(CrosstermBackend::new(out))?;
    Ok((terminal, guard))
}

/// Turns mouse capture on or off while the wizard runs.
pub fn set_mouse(enabled: bool) {
    let mut out = io::stdout();
    let _ = if enabled {
        execute!(out, EnableMouseCapture)
    } else {
        execute!(out, DisableMouseCapture)
    };
}

/// Undoes everything [`setup`] did. Safe to call more than once, from a panic hook or a
/// signal path; errors are ignored because there is nowhere left to report them.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Installs a panic hook that restores the terminal first, then writes a crash report
/// (`crash-<UTC time>.txt`, with the panic message, location and a backtrace) into
/// `crash_dir`, tells the admin where it is, and chains to the previous hook. The session
/// database needs no rescue: every acknowledged change was committed when it was made.
pub fn install_panic_hook(crash_dir: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        let now = chrono::Utc::now();
        let path = crash_dir.join(format!("crash-{}.txt", now.format("%Y%m%dT%H%M%S%.3fZ")));
        let backtrace = std::backtrace::Backtrace::force_capture();
        let report = format!(
            "pchat-migrate {} crashed at {}\n\n{info}\n\nbacktrace:\n{backtrace}\n",
            env!("CARGO_PKG_VERSION"),
            now.to_rfc3339()
        );
        tracing::error!("panic: {info}");
        match std::fs::create_dir_all(&crash_dir).and_then(|()| std::fs::write(&path, report)) {
            Ok(()) => eprintln!(
                "pchat-migrate stopped on an internal error. Your session is intact.\n\
                 A crash report was written to {}",
                path.display()
            ),
            Err(e) => {
                eprintln!("pchat-migrate stopped on an internal error (no crash report: {e})")
            }
        }
        previous(info);
    }));
}
