//! Themes: semantic roles mapped to styles. Dark and light use the terminal's ANSI palette
//! (so the admin's colour scheme still applies); mono uses no colour at all and signals
//! state with bold, reverse and underline, for `NO_COLOR` and screen readers. State is never
//! shown by colour alone: every state also has its own marker text.

use ratatui::style::{Color, Modifier, Style};

/// The theme names accepted by `--theme` and `config.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    /// Light text on a dark background.
    Dark,
    /// Dark text on a light background.
    Light,
    /// No colour (also chosen when `NO_COLOR` is set).
    Mono,
}

/// Styles by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Which theme.
    pub name: ThemeName,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text (sources, timestamps).
    pub dim: Style,
    /// Headings and the program name.
    pub title: Style,
    /// Pane borders.
    pub border: Style,
    /// The focused pane's border.
    pub border_focus: Style,
    /// The selected row.
    pub selected: Style,
    /// Done, passed.
    pub ok: Style,
    /// Warnings, skipped, inferred facts.
    pub warn: Style,
    /// Failed, blocked, errors.
    pub error: Style,
    /// Cmdlet lines.
    pub code: Style,
    /// Key names in the footer and help.
    pub key: Style,
}

impl Theme {
    /// The theme for a name; `NO_COLOR` (any non-empty value) forces mono.
    pub fn pick(name: ThemeName, no_color: bool) -> Theme {
        if no_color {
            return Self::mono();
        }
        match name {
            ThemeName::Dark => Self::dark(),
            ThemeName::Light => Self::light(),
            ThemeName::Mono => Self::mono(),
        }
    }

    /// Whether `NO_COLOR` asks for no colour (<https://no-color.org>).
    pub fn no_color_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    fn dark() -> Theme {
        Theme {
            name: ThemeName::Dark,
            text: Style::new().fg(Color::Gray),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            border_focus: Style::new().fg(Color::Cyan),
            selected: Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            code: Style::new().fg(Color::LightMagenta),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }

    fn light() -> Theme {
        Theme {
            name: ThemeName::Light,
            text: Style::new().fg(Color::Black),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Gray),
            border_focus: Style::new().fg(Color::Blue),
            selected: Style::new()
                .bg(Color::LightBlue)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Magenta),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            code: Style::new().fg(Color::Blue),
            key: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
        }
    }

    fn mono() -> Theme {
        let plain = Style::new();
        Theme {
            name: ThemeName::Mono,
            text: plain,
            dim: plain,
            title: plain.add_modifier(Modifier::BOLD),
            border: plain,
            border_focus: plain.add_modifier(Modifier::BOLD),
            selected: plain.add_modifier(Modifier::REVERSED),
            ok: plain,
            warn: plain.add_modifier(Modifier::UNDERLINED),
            error: plain.add_modifier(Modifier::BOLD),
            code: plain,
            key: plain.add_modifier(Modifier::BOLD),
        }
    }

    /// The next theme in the cycle dark → light → mono → dark.
    pub fn next(self) -> Theme {
        match self.name {
            ThemeName::Dark => Self::light(),
            ThemeName::Light => Self::mono(),
            ThemeName::Mono => Self::dark(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_forces_a_theme_without_colours() {
        let t = Theme::pick(ThemeName::Dark, true);
        assert_eq!(t.name, ThemeName::Mono);
        for s in [
            t.text,
            t.dim,
            t.title,
            t.border,
            t.border_focus,
            t.selected,
            t.ok,
            t.warn,
            t.error,
            t.code,
            t.key,
        ] {
            assert_eq!(s.fg, None, "{s:?}");
            assert_eq!(s.bg, None, "{s:?}");
        }
        // State stays visible without colour.
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(t.error.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn light_and_dark_differ_and_cycle() {
        let d = Theme::pick(ThemeName::Dark, false);
        let l = Theme::pick(ThemeName::Light, false);
        assert_ne!(d.text, l.text);
        assert_eq!(d.next().name, ThemeName::Light);
        assert_eq!(l.next().name, ThemeName::Mono);
        assert_eq!(l.next().next().name, ThemeName::Dark);
    }
}
