//! Text fitted to terminal cells: display width (a Hangul or CJK character takes two cells),
//! cutting without splitting a character, durations.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `s` cut to `width` cells, with `…` when cut (nothing at all for `width` 0).
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = ch.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

/// `s` cut (see [`truncate`]) or padded with spaces to exactly `width` cells: a column that
/// stays aligned whatever the language.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = truncate(s, width);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// `h:mm:ss`, or `m:ss` under an hour.
pub fn fmt_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_display_width() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
        // Hangul takes two cells each: never cut a character in half.
        let t = truncate("서버온라인", 5);
        assert_eq!(t.width(), 5);
        assert_eq!(t, "서버…");
    }

    #[test]
    fn fit_pads_and_cuts_by_display_width() {
        assert_eq!(fit("Up", 4), "Up  ");
        assert_eq!(fit("Degraded", 5), "Degr…");
        assert_eq!(fit("알 수 없음", 8).width(), 8);
        assert_eq!(fit("알 수 없음", 5).width(), 5);
        assert_eq!(fit("", 0), "");
    }

    #[test]
    fn fit_pads_and_cuts_to_cells() {
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("서버온라인", 6).width(), 6);
        assert_eq!(fit("서버온", 5), "서버…");
        assert_eq!(fit("서버", 5), "서버 ");
    }
}
