//! The modal layers over a screen. Each overlay is its own module and owns its state, its
//! keys, its footer hints and its drawing; it reads the shared context and answers a key with
//! an [`Outcome`]: whether it stays open, and the [`Command`]s the wizard carries out (save,
//! record, run, open another overlay). Nothing here writes to the store or starts a job.

pub mod accept_loss;
pub mod confirm;
pub mod gate;
pub mod help;
pub mod input;
pub mod irreversible;
pub mod message;
pub mod notes;
pub mod preview;
pub mod reason;
pub mod script;
pub mod sessions;
pub mod widgets;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;

use super::ctx::Ctx;
use crate::t;
use crate::wizard::Pending;

pub use accept_loss::AcceptLossOverlay;
pub use confirm::ConfirmOverlay;
pub use gate::GateOverlay;
pub use help::HelpOverlay;
pub use input::{InputOverlay, InputPurpose};
pub use irreversible::IrreversibleOverlay;
pub use message::MessageOverlay;
pub use notes::NotesOverlay;
pub use preview::PreviewOverlay;
pub use reason::ReasonOverlay;
pub use script::{Approval, ScriptReview};
pub use sessions::SessionsOverlay;
pub use widgets::{MAX_CONFIRM_CHARS, MAX_LINE_CHARS};

/// A modal layer over the screen.
pub enum Overlay {
    /// Production: the exact script of a job, to read (and confirm) before it runs.
    Script(Box<ScriptReview>),
    /// A single-line input for a screen.
    Input(InputOverlay),
    /// The `-WhatIf` preview.
    Preview(Box<PreviewOverlay>),
    /// The session picker.
    Sessions(SessionsOverlay),
    /// The key help of the screen.
    Help(HelpOverlay),
    /// The notes editor of one item.
    Notes(NotesOverlay),
    /// A reason for skipped or blocked.
    Reason(ReasonOverlay),
    /// The typed confirmation of a downtime stage.
    Confirm(ConfirmOverlay),
    /// Earlier stages are open.
    Gate(GateOverlay),
    /// A step that ends the rollback option without a passing verify.
    Irreversible(IrreversibleOverlay),
    /// Accept one refused item's loss by name.
    AcceptLoss(AcceptLossOverlay),
    /// A message to read.
    Message(MessageOverlay),
}

/// What the wizard does for an overlay (the overlay itself only changes its own state).
pub enum Command {
    /// Show a line in the status bar (true: an error).
    Status(String, bool),
    /// Ask for an action through the gates.
    Request(Pending),
    /// Record an audit event; once committed, `then` is asked for again.
    RecordEvent {
        /// Event kind (`migration::EVENT_*`).
        kind: &'static str,
        /// Item or stage id.
        subject: String,
        /// JSON or text detail.
        detail: String,
        /// What to ask for once recorded.
        then: Option<Pending>,
    },
    /// Save an item's note.
    SaveNote {
        /// Item id.
        item_id: String,
        /// The whole note.
        text: String,
    },
    /// Hand typed text to the screen that asked for it.
    Input(InputPurpose, String),
    /// Reopen the wizard on another (or a new) session.
    SwitchSession(String),
    /// Run an approved production script.
    RunApproved(Box<Approval>),
    /// Open the newest `-WhatIf` preview.
    OpenPreview,
    /// Open another overlay.
    Open(Overlay),
}

/// How an overlay answered a key.
pub struct Outcome {
    /// Close the overlay.
    pub close: bool,
    /// What the wizard does next, in order.
    pub commands: Vec<Command>,
}

impl Outcome {
    /// Stay open, nothing else.
    pub fn keep() -> Outcome {
        Outcome {
            close: false,
            commands: Vec::new(),
        }
    }

    /// Stay open and do `commands`.
    pub fn keep_with(commands: Vec<Command>) -> Outcome {
        Outcome {
            close: false,
            commands,
        }
    }

    /// Close, nothing else.
    pub fn close() -> Outcome {
        Outcome {
            close: true,
            commands: Vec::new(),
        }
    }

    /// Close and do `commands`.
    pub fn close_with(commands: Vec<Command>) -> Outcome {
        Outcome {
            close: true,
            commands,
        }
    }
}

impl Overlay {
    /// A short name for logs and tests.
    pub fn name(&self) -> &'static str {
        match self {
            Overlay::Script(_) => "script",
            Overlay::Input(_) => "input",
            Overlay::Preview(_) => "preview",
            Overlay::Sessions(_) => "sessions",
            Overlay::Help(_) => "help",
            Overlay::Notes(_) => "notes",
            Overlay::Reason(_) => "reason",
            Overlay::Confirm(_) => "confirm",
            Overlay::Gate(_) => "gate",
            Overlay::Irreversible(_) => "irreversible",
            Overlay::AcceptLoss(_) => "accept-loss",
            Overlay::Message(_) => "message",
        }
    }

    /// A message overlay.
    pub fn message(title: String, body: String) -> Overlay {
        MessageOverlay::overlay(title, body)
    }

    /// Gives a key to the overlay.
    pub fn on_key(&mut self, k: KeyEvent, ctx: &Ctx) -> Outcome {
        match self {
            Overlay::Script(o) => o.on_key(k),
            Overlay::Input(o) => o.on_key(k),
            Overlay::Preview(o) => o.on_key(k, ctx),
            Overlay::Sessions(o) => o.on_key(k, ctx),
            Overlay::Help(o) => o.on_key(k),
            Overlay::Notes(o) => o.on_key(k),
            Overlay::Reason(o) => o.on_key(k),
            Overlay::Confirm(o) => o.on_key(k),
            Overlay::Gate(o) => o.on_key(k),
            Overlay::Irreversible(o) => o.on_key(k),
            Overlay::AcceptLoss(o) => o.on_key(k, ctx),
            Overlay::Message(o) => o.on_key(k),
        }
    }

    /// Gives pasted text to the overlay (ignored by those without a text field).
    pub fn on_paste(&mut self, text: &str) {
        match self {
            Overlay::Script(o) => o.on_paste(text),
            Overlay::Input(o) => o.on_paste(text),
            Overlay::Preview(o) => o.on_paste(text),
            Overlay::Sessions(o) => o.on_paste(text),
            Overlay::Notes(o) => o.on_paste(text),
            Overlay::Reason(o) => o.on_paste(text),
            Overlay::Confirm(o) => o.on_paste(text),
            Overlay::Irreversible(o) => o.on_paste(text),
            Overlay::AcceptLoss(o) => o.on_paste(text),
            Overlay::Help(_) | Overlay::Gate(_) | Overlay::Message(_) => {}
        }
    }

    /// Draws the overlay over `area` (the whole terminal).
    pub fn draw(&self, f: &mut Frame, area: Rect, ctx: &Ctx) {
        match self {
            Overlay::Script(o) => o.draw(f, area, ctx),
            Overlay::Input(o) => o.draw(f, area, ctx),
            Overlay::Preview(o) => o.draw(f, area, ctx),
            Overlay::Sessions(o) => o.draw(f, area, ctx),
            Overlay::Help(o) => o.draw(f, area, ctx),
            Overlay::Notes(o) => o.draw(f, area, ctx),
            Overlay::Reason(o) => o.draw(f, area, ctx),
            Overlay::Confirm(o) => o.draw(f, area, ctx),
            Overlay::Gate(o) => o.draw(f, area, ctx),
            Overlay::Irreversible(o) => o.draw(f, area, ctx),
            Overlay::AcceptLoss(o) => o.draw(f, area, ctx),
            Overlay::Message(o) => o.draw(f, area, ctx),
        }
    }

    /// The footer's key hints while the overlay is open.
    pub fn hints(&self) -> Vec<(String, String)> {
        let pair = |k: &str, id: &str| (k.to_string(), t!(id));
        match self {
            Overlay::Sessions(_) => vec![
                pair("enter", "key-submit"),
                pair("n", "key-new-session"),
                pair("esc", "key-close"),
            ],
            Overlay::Notes(_) => vec![pair("esc", "key-save-close"), pair("ctrl-s", "key-save")],
            Overlay::Reason(_)
            | Overlay::Confirm(_)
            | Overlay::Input(_)
            | Overlay::Irreversible(_)
            | Overlay::AcceptLoss(_) => {
                vec![
                    pair("enter", "key-submit"),
                    pair("esc", "key-cancel-overlay"),
                ]
            }
            Overlay::Script(_) => vec![
                pair("enter", "key-submit"),
                pair("tab", "key-next-field"),
                pair("pgup/pgdn", "key-scroll"),
                pair("esc", "key-cancel-overlay"),
            ],
            Overlay::Gate(_) => vec![pair("o", "key-override"), pair("esc", "key-cancel-overlay")],
            Overlay::Preview(p) if p.filter_editing => {
                vec![
                    pair("enter", "key-keep-filter"),
                    pair("esc", "key-clear-filter"),
                ]
            }
            Overlay::Preview(_) => vec![
                pair("enter", "key-fold"),
                pair("/", "key-filter"),
                pair("a", "key-acknowledge"),
                pair("L", "key-accept-loss"),
                pair("esc", "key-close"),
            ],
            Overlay::Help(_) | Overlay::Message(_) => {
                vec![pair("j/k g/G", "key-scroll"), pair("esc", "key-close")]
            }
        }
    }
}
