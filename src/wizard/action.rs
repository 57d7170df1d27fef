//! What the admin asks for, as typed actions: the keymap (`tui::keymap`) turns keys into these,
//! tests and the headless runbook model ([`super::nav`]) take them directly.

use crate::t;

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Quit the wizard (state is already saved).
    Quit,
    /// Open the key help overlay.
    Help,
    /// Go back: close an overlay, clear the filter, or move focus left.
    Back,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Move the selection up.
    Up,
    /// Move the selection down.
    Down,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Open: a stage's checklist, or an item's detail.
    Enter,
    /// Toggle the selected item between done and todo.
    ToggleDone,
    /// Mark skipped (asks for a reason).
    Skip,
    /// Mark blocked (asks for a reason).
    Block,
    /// Mark failed.
    Fail,
    /// Back to todo.
    Reset,
    /// Edit the item's notes.
    Notes,
    /// Run (or retry) the item's job.
    RunJob,
    /// Cancel the item's running job.
    CancelJob,
    /// Jump to the rollback list.
    Rollback,
    /// Filter items by text.
    Filter,
    /// Open the latest `-WhatIf` preview (and acknowledge its warnings).
    Preview,
    /// Open the session picker.
    Sessions,
    /// Show one of the wizard's screens.
    GoTo(Screen),
    /// Write the sign-off report (Markdown and HTML) into the data directory.
    WriteReport,
    /// Collect diagnostics into one zip.
    CollectDiagnostics,
    /// Pools: probe every pool now.
    ProbeNow,
    /// Pools: stop or start the selected lab pool (rehearse the shutdown).
    TogglePool,
    /// Pools: look up a user's verdict by SIP URI.
    LookupUser,
    /// Pools: import a topology file (Get-CsTopology -AsXml or .tbxml).
    ImportTopology,
    /// Pilot: the selected test case passed.
    PilotPass,
    /// Pilot: the selected test case failed (asks for a note).
    PilotFail,
    /// Pilot: the selected test case does not apply.
    PilotNotApplicable,
    /// Pilot: back to todo.
    PilotTodo,
    /// Pilot: previous test case.
    PrevCase,
    /// Pilot: next test case.
    NextCase,
    /// Pilot: add the profile's users on Lync 2013 as pilot users.
    PilotAddProfileUsers,
    /// Pilot: import pilot users from a CSV file.
    PilotImportCsv,
    /// Troubleshoot: run the selected symptom's checks.
    RunChecks,
    /// Troubleshoot: paste or type an error, an event or a sentence to match.
    MatchText,
    /// Troubleshoot: read an exported event log file and match its events.
    ReadEventLog,
    /// Window: estimate the downtime window and save the plan.
    SavePlan,
    /// Window: mark the selected step started.
    StepStart,
    /// Window: mark the selected step finished.
    StepFinish,
    /// Cycle dark / light / mono.
    CycleTheme,
    /// Mouse capture on or off (off lets the terminal select text).
    ToggleMouse,
}

/// The screens, in tab order (keys 1–5).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Screen {
    /// Stages, checklists, item detail.
    #[default]
    Runbook,
    /// Pool status, client × pool reach, user lookup.
    Pools,
    /// Pilot users and their test cases.
    Pilot,
    /// Known symptoms, their checks and fixes.
    Troubleshoot,
    /// The downtime window: plan against actual.
    Window,
}

impl Screen {
    /// Every screen in tab order.
    pub const ALL: [Screen; 5] = [
        Screen::Runbook,
        Screen::Pools,
        Screen::Pilot,
        Screen::Troubleshoot,
        Screen::Window,
    ];

    /// The tab title.
    pub fn title(self) -> String {
        match self {
            Screen::Runbook => t!("screen-runbook"),
            Screen::Pools => t!("screen-pools"),
            Screen::Pilot => t!("screen-pilot"),
            Screen::Troubleshoot => t!("screen-troubleshoot"),
            Screen::Window => t!("screen-window"),
        }
    }

    /// The key that opens it.
    pub fn key(self) -> char {
        match self {
            Screen::Runbook => '1',
            Screen::Pools => '2',
            Screen::Pilot => '3',
            Screen::Troubleshoot => '4',
            Screen::Window => '5',
        }
    }
}
