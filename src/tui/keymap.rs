//! The keymap: the single table that the key handlers, the footer hints and the `?` help
//! overlay all read, so what the screen says is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use crate::wizard::{Action, Screen};

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Everywhere (unless an overlay takes the keys).
    Global,
    /// The stage list has focus.
    Stages,
    /// The checklist or the detail pane has focus (an item is selected).
    Items,
    /// The pools and coexistence screen.
    Pools,
    /// The pilot screen.
    Pilot,
    /// The troubleshooting screen.
    Troubleshoot,
    /// The downtime window screen.
    Window,
}

/// One key as the handlers match it and the help shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    /// Key code.
    pub code: KeyCode,
    /// Required modifiers (Shift is ignored for characters).
    pub mods: KeyModifiers,
    /// How the screen names the key.
    pub label: &'static str,
}

const fn k(c: char, label: &'static str) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
        label,
    }
}
const fn code(code: KeyCode, label: &'static str) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
        label,
    }
}
const fn ctrl(c: char, label: &'static str) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
        label,
    }
}

/// A binding: keys, action, where it applies, its help message id, and whether the footer
/// shows it.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// The keys (the first is the one the footer names).
    pub keys: &'static [Key],
    /// The action.
    pub action: Action,
    /// Where it applies.
    pub context: Context,
    /// Message id of its description.
    pub help: &'static str,
    /// Shown in the footer.
    pub footer: bool,
}

/// Every binding of the wizard.
pub static BINDINGS: &[Binding] = &[
    Binding {
        keys: &[k('1', "1")],
        action: Action::GoTo(Screen::Runbook),
        context: Context::Global,
        help: "key-screen-runbook",
        footer: false,
    },
    Binding {
        keys: &[k('2', "2")],
        action: Action::GoTo(Screen::Pools),
        context: Context::Global,
        help: "key-screen-pools",
        footer: false,
    },
    Binding {
        keys: &[k('3', "3")],
        action: Action::GoTo(Screen::Pilot),
        context: Context::Global,
        help: "key-screen-pilot",
        footer: false,
    },
    Binding {
        keys: &[k('4', "4")],
        action: Action::GoTo(Screen::Troubleshoot),
        context: Context::Global,
        help: "key-screen-troubleshoot",
        footer: false,
    },
    Binding {
        keys: &[k('5', "5")],
        action: Action::GoTo(Screen::Window),
        context: Context::Global,
        help: "key-screen-window",
        footer: false,
    },
    Binding {
        keys: &[k('W', "W")],
        action: Action::WriteReport,
        context: Context::Global,
        help: "key-write-report",
        footer: false,
    },
    Binding {
        keys: &[k('D', "D")],
        action: Action::CollectDiagnostics,
        context: Context::Global,
        help: "key-diagnostics",
        footer: false,
    },
    Binding {
        keys: &[k('p', "p")],
        action: Action::ProbeNow,
        context: Context::Pools,
        help: "key-probe-now",
        footer: true,
    },
    Binding {
        keys: &[k('x', "x")],
        action: Action::TogglePool,
        context: Context::Pools,
        help: "key-toggle-pool",
        footer: true,
    },
    Binding {
        keys: &[k('/', "/")],
        action: Action::LookupUser,
        context: Context::Pools,
        help: "key-lookup-user",
        footer: true,
    },
    Binding {
        keys: &[k('i', "i")],
        action: Action::ImportTopology,
        context: Context::Pools,
        help: "key-import-topology",
        footer: true,
    },
    Binding {
        keys: &[k('p', "p")],
        action: Action::PilotPass,
        context: Context::Pilot,
        help: "key-pilot-pass",
        footer: true,
    },
    Binding {
        keys: &[k('f', "f")],
        action: Action::PilotFail,
        context: Context::Pilot,
        help: "key-pilot-fail",
        footer: true,
    },
    Binding {
        keys: &[k('a', "a")],
        action: Action::PilotNotApplicable,
        context: Context::Pilot,
        help: "key-pilot-na",
        footer: false,
    },
    Binding {
        keys: &[k('u', "u")],
        action: Action::PilotTodo,
        context: Context::Pilot,
        help: "key-pilot-todo",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Left, "←"), k('h', "h")],
        action: Action::PrevCase,
        context: Context::Pilot,
        help: "key-prev-case",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Right, "→"), k('l', "l")],
        action: Action::NextCase,
        context: Context::Pilot,
        help: "key-next-case",
        footer: true,
    },
    Binding {
        keys: &[k('A', "A")],
        action: Action::PilotAddProfileUsers,
        context: Context::Pilot,
        help: "key-pilot-add",
        footer: true,
    },
    Binding {
        keys: &[k('i', "i")],
        action: Action::PilotImportCsv,
        context: Context::Pilot,
        help: "key-pilot-csv",
        footer: false,
    },
    Binding {
        keys: &[k('r', "r")],
        action: Action::RunChecks,
        context: Context::Troubleshoot,
        help: "key-run-checks",
        footer: true,
    },
    Binding {
        keys: &[k('p', "p")],
        action: Action::MatchText,
        context: Context::Troubleshoot,
        help: "key-ts-match",
        footer: true,
    },
    Binding {
        keys: &[k('e', "e")],
        action: Action::ReadEventLog,
        context: Context::Troubleshoot,
        help: "key-ts-events",
        footer: true,
    },
    Binding {
        keys: &[k('e', "e")],
        action: Action::SavePlan,
        context: Context::Window,
        help: "key-save-plan",
        footer: true,
    },
    Binding {
        keys: &[k('s', "s")],
        action: Action::StepStart,
        context: Context::Window,
        help: "key-step-start",
        footer: true,
    },
    Binding {
        keys: &[k('f', "f")],
        action: Action::StepFinish,
        context: Context::Window,
        help: "key-step-finish",
        footer: true,
    },
    Binding {
        keys: &[k('q', "q"), ctrl('c', "ctrl-c")],
        action: Action::Quit,
        context: Context::Global,
        help: "key-quit",
        footer: true,
    },
    Binding {
        keys: &[k('?', "?")],
        action: Action::Help,
        context: Context::Global,
        help: "key-help",
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Esc, "esc")],
        action: Action::Back,
        context: Context::Global,
        help: "key-back",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Tab, "tab")],
        action: Action::FocusNext,
        context: Context::Global,
        help: "key-focus-next",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::BackTab, "shift-tab")],
        action: Action::FocusPrev,
        context: Context::Global,
        help: "key-focus-prev",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Up, "↑"), k('k', "k")],
        action: Action::Up,
        context: Context::Global,
        help: "key-up",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Down, "↓"), k('j', "j")],
        action: Action::Down,
        context: Context::Global,
        help: "key-down",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::PageUp, "pgup")],
        action: Action::PageUp,
        context: Context::Global,
        help: "key-page-up",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::PageDown, "pgdn")],
        action: Action::PageDown,
        context: Context::Global,
        help: "key-page-down",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::Home, "home"), k('g', "g")],
        action: Action::Top,
        context: Context::Global,
        help: "key-top",
        footer: false,
    },
    Binding {
        keys: &[code(KeyCode::End, "end"), k('G', "G")],
        action: Action::Bottom,
        context: Context::Global,
        help: "key-bottom",
        footer: false,
    },
    Binding {
        keys: &[
            code(KeyCode::Enter, "enter"),
            code(KeyCode::Right, "→"),
            k('l', "l"),
        ],
        action: Action::Enter,
        context: Context::Global,
        help: "key-enter",
        footer: true,
    },
    Binding {
        keys: &[code(KeyCode::Left, "←"), k('h', "h")],
        action: Action::Back,
        context: Context::Global,
        help: "key-left",
        footer: false,
    },
    Binding {
        keys: &[k(' ', "space"), k('d', "d")],
        action: Action::ToggleDone,
        context: Context::Items,
        help: "key-toggle-done",
        footer: true,
    },
    Binding {
        keys: &[k('s', "s")],
        action: Action::Skip,
        context: Context::Items,
        help: "key-skip",
        footer: true,
    },
    Binding {
        keys: &[k('b', "b")],
        action: Action::Block,
        context: Context::Items,
        help: "key-block",
        footer: true,
    },
    Binding {
        keys: &[k('f', "f")],
        action: Action::Fail,
        context: Context::Items,
        help: "key-fail",
        footer: false,
    },
    Binding {
        keys: &[k('u', "u")],
        action: Action::Reset,
        context: Context::Items,
        help: "key-reset",
        footer: false,
    },
    Binding {
        keys: &[k('n', "n")],
        action: Action::Notes,
        context: Context::Items,
        help: "key-notes",
        footer: true,
    },
    Binding {
        keys: &[k('r', "r")],
        action: Action::RunJob,
        context: Context::Items,
        help: "key-run",
        footer: true,
    },
    Binding {
        keys: &[k('c', "c")],
        action: Action::CancelJob,
        context: Context::Items,
        help: "key-cancel",
        footer: false,
    },
    Binding {
        keys: &[k('R', "R")],
        action: Action::Rollback,
        context: Context::Global,
        help: "key-rollback",
        footer: false,
    },
    Binding {
        keys: &[k('/', "/")],
        action: Action::Filter,
        context: Context::Global,
        help: "key-filter",
        footer: true,
    },
    Binding {
        keys: &[k('p', "p")],
        action: Action::Preview,
        context: Context::Items,
        help: "key-preview",
        footer: false,
    },
    Binding {
        keys: &[k('S', "S")],
        action: Action::Sessions,
        context: Context::Global,
        help: "key-sessions",
        footer: false,
    },
    Binding {
        keys: &[k('t', "t")],
        action: Action::CycleTheme,
        context: Context::Global,
        help: "key-theme",
        footer: false,
    },
    Binding {
        keys: &[k('m', "m")],
        action: Action::ToggleMouse,
        context: Context::Global,
        help: "key-mouse",
        footer: false,
    },
];

impl Key {
    fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = if matches!(ev.code, KeyCode::Char(_)) {
            ev.modifiers - KeyModifiers::SHIFT
        } else {
            ev.modifiers
        };
        // BackTab arrives with SHIFT on some terminals.
        let mods = if ev.code == KeyCode::BackTab {
            mods - KeyModifiers::SHIFT
        } else {
            mods
        };
        self.code == ev.code && self.mods == mods
    }
}

/// The action for a key in a context: the context's own bindings first, then the global ones.
pub fn lookup(context: Context, ev: &KeyEvent) -> Option<Action> {
    let find = |ctx: Context| {
        BINDINGS
            .iter()
            .filter(|b| b.context == ctx)
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.action)
    };
    (context != Context::Global)
        .then(|| find(context))
        .flatten()
        .or_else(|| find(Context::Global))
}

/// The bindings the footer shows in a context, in table order.
pub fn footer(context: Context) -> impl Iterator<Item = &'static Binding> {
    // On the other screens the runbook's global hints (open, filter) do not apply.
    let runbook = matches!(context, Context::Stages | Context::Items);
    BINDINGS.iter().filter(move |b| {
        b.footer
            && (b.context == context
                || (b.context == Context::Global
                    && (runbook || matches!(b.action, Action::Quit | Action::Help))))
    })
}

/// All keys of a binding, as the help overlay writes them ("space, d").
pub fn key_labels(b: &Binding) -> String {
    b.keys
        .iter()
        .map(|k| k.label)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn item_keys_only_work_on_items() {
        assert_eq!(
            lookup(Context::Items, &key(KeyCode::Char('s'))),
            Some(Action::Skip)
        );
        assert_eq!(lookup(Context::Stages, &key(KeyCode::Char('s'))), None);
        assert_eq!(
            lookup(Context::Stages, &key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
    }

    #[test]
    fn shifted_letters_and_ctrl_c() {
        let r = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Context::Items, &r), Some(Action::Rollback));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(Context::Items, &c), Some(Action::Quit));
        assert_eq!(
            lookup(Context::Items, &key(KeyCode::Char('c'))),
            Some(Action::CancelJob)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for a in BINDINGS {
            for b in BINDINGS {
                if std::ptr::eq(a, b) || a.context != b.context {
                    continue;
                }
                for ka in a.keys {
                    assert!(
                        !b.keys.contains(ka),
                        "{} bound to {:?} and {:?}",
                        ka.label,
                        a.action,
                        b.action
                    );
                }
            }
        }
    }

    #[test]
    fn every_help_id_exists() {
        for b in BINDINGS {
            assert!(crate::i18n::exists(b.help), "missing message {}", b.help);
        }
    }
}
