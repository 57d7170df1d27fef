//! The wizard's logic without a terminal: the typed actions the keymap produces, the screens,
//! and the runbook screen's selection, filter and the effects of its actions. The TUI (`tui`)
//! draws and carries out effects; this module can be driven and tested alone.

mod action;
pub mod nav;

pub use action::{Action, Screen};
pub use nav::{FilterKey, Focus, NavEffect, Pending, RunbookNav};
