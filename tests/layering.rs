//! The layers of ARCHITECTURE.md hold. The "Layers" section of ARCHITECTURE.md is the rule:
//! its first table orders the top-level modules of `src/` in layers, its second lists uses
//! refused inside a module. This test reads both tables and every file of `src/`, finds each
//! path the code uses (`use crate::…`, `crate::…`, `super::…` and `self::…` paths, in `use`
//! trees and in expressions, tests included; comments and string literals do not count), and
//! fails naming the file, the line and the path when a module uses one of its own layer or a
//! higher one, uses a module the table does not list, or breaks a rule of the second table;
//! it also fails when `src/` holds a top-level module the table does not list.
//!
//! The checker is plain code over text (no parser crate): the last tests feed it synthetic
//! sources to show that it catches an upward use and that comments, strings, grouped `use`
//! trees, `super::` and inline modules are read right.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rules of ARCHITECTURE.md's "Layers" section.
#[derive(Debug)]
struct Rules {
    /// Each top-level module's layer (1 is the lowest).
    layer: BTreeMap<String, u32>,
    /// Uses refused inside a module.
    inner: Vec<InnerRule>,
}

/// A row of the second table: code under `from` must not use paths under `to`.
#[derive(Debug)]
struct InnerRule {
    from: Vec<String>,
    to: Vec<String>,
    /// Why, as the table says it.
    why: String,
}

/// The names between backticks in a table cell.
fn backticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn segments(path: &str) -> Vec<String> {
    path.split("::").map(|s| s.trim().to_string()).collect()
}

/// Reads the two tables of the "## Layers" section.
fn parse_rules(markdown: &str) -> Result<Rules, String> {
    let lines: Vec<&str> = markdown.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "## Layers")
        .ok_or("ARCHITECTURE.md has no \"## Layers\" section")?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map_or(lines.len(), |e| start + 1 + e);
    let mut layer = BTreeMap::new();
    let mut inner = Vec::new();
    let mut table = "";
    let mut last_layer = 0;
    for (n, line) in lines.iter().enumerate().take(end).skip(start) {
        let line = line.trim();
        if !line.starts_with('|') {
            table = "";
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.iter().all(|c| c.starts_with('-')) {
            continue;
        }
        match (table, cells[0]) {
            ("", "layer") => table = "layers",
            ("", "in") => table = "inner",
            ("layers", number) => {
                let at = format!("ARCHITECTURE.md:{}", n + 1);
                let number: u32 = number
                    .parse()
                    .map_err(|_| format!("{at}: \"{number}\" is not a layer number"))?;
                if number <= last_layer {
                    return Err(format!(
                        "{at}: layer {number} after layer {last_layer}: list the layers lowest first"
                    ));
                }
                last_layer = number;
                let modules = backticked(cells.get(1).copied().unwrap_or(""));
                if modules.is_empty() {
                    return Err(format!("{at}: layer {number} names no module"));
                }
                for m in modules {
                    if let Some(other) = layer.insert(m.clone(), number) {
                        return Err(format!(
                            "{at}: `{m}` is in layer {other} and in layer {number}"
                        ));
                    }
                }
            }
            ("inner", _) => {
                let at = format!("ARCHITECTURE.md:{}", n + 1);
                let (from, to) = match (backticked(cells[0]).first(), cells.get(1)) {
                    (Some(f), Some(t)) if !backticked(t).is_empty() => {
                        (segments(f), segments(&backticked(t)[0]))
                    }
                    _ => return Err(format!("{at}: a rule needs `in` and `must not use`")),
                };
                inner.push(InnerRule {
                    from,
                    to,
                    why: cells.get(2).copied().unwrap_or("").to_string(),
                });
            }
            _ => {}
        }
    }
    if layer.is_empty() {
        return Err("the \"Layers\" section of ARCHITECTURE.md has no layer table".into());
    }
    Ok(Rules { layer, inner })
}

/// One Rust file of `src/`.
struct SourceFile {
    /// `src/…`, for messages.
    label: String,
    /// Its module path below the crate root (`src/tui/screens/mod.rs` → `tui::screens`).
    module: Vec<String>,
    text: String,
}

impl SourceFile {
    /// `rel` is the path below `src/`.
    fn new(rel: &Path, text: String) -> SourceFile {
        let mut module: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod") {
            module.pop();
        }
        SourceFile {
            label: format!("src/{}", rel.display()).replace('\\', "/"),
            module,
            text,
        }
    }
}

/// Every `.rs` file under `dir` but the crate roots (`lib.rs`, `main.rs`).
fn source_files(dir: &Path) -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(dir).expect("below src").to_path_buf();
                if rel == Path::new("lib.rs") || rel == Path::new("main.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push(SourceFile::new(&rel, text));
            }
        }
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// `src` with comments and string and character literals blanked (newlines kept, so line
/// numbers stay right). Lifetimes are kept.
fn strip(src: &str) -> Vec<char> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::with_capacity(c.len());
    let blank = |out: &mut Vec<char>, s: &[char]| {
        out.extend(s.iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }));
    };
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied();
        if c[i] == '/' && at(i + 1) == Some('/') {
            let end = (i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len());
            blank(&mut out, &c[i..end]);
            i = end;
            continue;
        }
        if c[i] == '/' && at(i + 1) == Some('*') {
            let (mut depth, mut k) = (1, i + 2);
            while k < c.len() && depth > 0 {
                if c[k] == '/' && at(k + 1) == Some('*') {
                    depth += 1;
                    k += 2;
                } else if c[k] == '*' && at(k + 1) == Some('/') {
                    depth -= 1;
                    k += 2;
                } else {
                    k += 1;
                }
            }
            blank(&mut out, &c[i..k]);
            i = k;
            continue;
        }
        // Raw strings: r"…", r#"…"#, br"…", cr"…".
        if matches!(c[i], 'r' | 'b' | 'c') && (i == 0 || !ident(c[i - 1])) {
            let r = if c[i] == 'r' { i } else { i + 1 };
            if at(r) == Some('r') {
                let mut k = r + 1;
                while at(k) == Some('#') {
                    k += 1;
                }
                let hashes = k - r - 1;
                if at(k) == Some('"') {
                    let mut e = k + 1;
                    while e < c.len() {
                        if c[e] == '"' && (1..=hashes).all(|h| at(e + h) == Some('#')) {
                            e += 1 + hashes;
                            break;
                        }
                        e += 1;
                    }
                    let e = e.min(c.len());
                    blank(&mut out, &c[i..e]);
                    i = e;
                    continue;
                }
            }
        }
        if c[i] == '"' {
            let mut k = i + 1;
            while k < c.len() && c[k] != '"' {
                k += if c[k] == '\\' { 2 } else { 1 };
            }
            let e = (k + 1).min(c.len());
            blank(&mut out, &c[i..e]);
            i = e;
            continue;
        }
        if c[i] == '\'' {
            let end = if at(i + 1) == Some('\\') {
                (i + 3..c.len()).find(|&k| c[k] == '\'').map(|k| k + 1)
            } else if at(i + 2) == Some('\'') {
                Some(i + 3)
            } else {
                None // a lifetime or a label
            };
            if let Some(e) = end {
                blank(&mut out, &c[i..e]);
                i = e;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

/// A path the code uses, resolved from the crate root.
#[derive(Debug)]
struct Use {
    line: usize,
    /// The module the code is in, inline modules included.
    from: Vec<String>,
    /// The path from the crate root (`crate::tui::app::App` → `tui`, `app`, `App`).
    path: Vec<String>,
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

struct Scanner<'a> {
    c: &'a [char],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn word(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(is_ident) {
            self.i += 1;
        }
        (self.i > start).then(|| self.c[start..self.i].iter().collect())
    }

    /// `::`, after optional blanks; consumed when present.
    fn colons(&mut self) -> bool {
        let save = self.i;
        self.skip_ws();
        if self.peek() == Some(':') && self.c.get(self.i + 1) == Some(&':') {
            self.i += 2;
            self.skip_ws();
            true
        } else {
            self.i = save;
            false
        }
    }

    /// A `use` tree or an expression path after `prefix::`; each leaf with its position.
    fn tree(&mut self, prefix: Vec<String>, out: &mut Vec<(Vec<String>, usize)>) {
        self.skip_ws();
        let pos = self.i;
        match self.peek() {
            Some('{') => {
                self.i += 1;
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => return,
                        Some('}') => {
                            self.i += 1;
                            return;
                        }
                        Some(',') => self.i += 1,
                        _ => {
                            let before = self.i;
                            self.tree(prefix.clone(), out);
                            if self.i == before {
                                self.i += 1; // never stall on something unexpected
                            }
                        }
                    }
                }
            }
            Some('*') => {
                self.i += 1;
                out.push((prefix, pos));
            }
            Some(ch) if is_ident(ch) => {
                let mut path = prefix;
                let first = self.word().unwrap_or_default();
                if first != "self" {
                    path.push(first);
                }
                while self.colons() {
                    match self.peek() {
                        Some('{' | '*') => return self.tree(path, out),
                        Some(ch) if is_ident(ch) => path.push(self.word().unwrap_or_default()),
                        _ => break,
                    }
                }
                // `… as name`
                let save = self.i;
                self.skip_ws();
                if self.word().as_deref() == Some("as") {
                    self.skip_ws();
                    self.word();
                } else {
                    self.i = save;
                }
                out.push((path, pos));
            }
            _ => out.push((prefix, pos)),
        }
    }
}

/// Every path `text` (the file of module `module`) uses through `crate`, `super` or `self`.
fn uses(module: &[String], text: &str) -> Vec<Use> {
    let c = strip(text);
    let line_of = |pos: usize| {
        1 + c[..pos.min(c.len())]
            .iter()
            .filter(|&&ch| ch == '\n')
            .count()
    };
    let mut out = Vec::new();
    let mut s = Scanner { c: &c, i: 0 };
    // Inline modules (`mod tests { … }`): (brace depth inside, name).
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut depth = 0;
    let mut pending_mod: Option<String> = None;
    while let Some(ch) = s.peek() {
        if ch == '{' {
            depth += 1;
            if let Some(name) = pending_mod.take() {
                inline.push((depth, name));
            }
            s.i += 1;
            continue;
        }
        if ch == '}' {
            if inline.last().is_some_and(|(d, _)| *d == depth) {
                inline.pop();
            }
            depth -= 1;
            s.i += 1;
            continue;
        }
        if ch == ';' {
            pending_mod = None;
        }
        if !is_ident(ch) || (s.i > 0 && (is_ident(c[s.i - 1]) || c[s.i - 1] == '$')) {
            s.i += 1;
            continue;
        }
        let start = s.i;
        let word = s.word().unwrap_or_default();
        if word == "mod" {
            s.skip_ws();
            pending_mod = s.word();
            continue;
        }
        if !matches!(word.as_str(), "crate" | "super" | "self") {
            continue;
        }
        // `a::self` inside a `use` tree is handled by the tree; here only a path's head.
        let before: Vec<&char> = c[..start]
            .iter()
            .rev()
            .filter(|ch| !ch.is_whitespace())
            .take(2)
            .collect();
        if before == [&':', &':'] {
            continue;
        }
        if !s.colons() {
            continue;
        }
        let mut here: Vec<String> = module.to_vec();
        here.extend(inline.iter().map(|(_, n)| n.clone()));
        let mut base = match word.as_str() {
            "crate" => Vec::new(),
            "self" => here.clone(),
            _ => here[..here.len().saturating_sub(1)].to_vec(),
        };
        // super::super::…
        loop {
            let save = s.i;
            if s.word().as_deref() == Some("super") && s.colons() {
                base.pop();
            } else {
                s.i = save;
                break;
            }
        }
        let mut leaves = Vec::new();
        s.tree(base, &mut leaves);
        for (path, pos) in leaves {
            out.push(Use {
                line: line_of(pos),
                from: here.clone(),
                path,
            });
        }
    }
    out
}

/// Macros exported at the crate root (`#[macro_export] macro_rules! t`), by the top-level
/// module that defines them: `crate::t!` is a use of that module.
fn root_macros(files: &[SourceFile]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for f in files {
        let text: String = strip(&f.text).into_iter().collect();
        for (at, _) in text.match_indices("#[macro_export]") {
            let rest = &text[at..];
            if let Some(m) = rest.find("macro_rules!") {
                let name: String = rest[m + "macro_rules!".len()..]
                    .trim_start()
                    .chars()
                    .take_while(|&ch| is_ident(ch))
                    .collect();
                out.insert(name, f.module[0].clone());
            }
        }
    }
    out
}

/// What breaks the rules, one line each.
fn check(rules: &Rules, files: &[SourceFile]) -> Vec<String> {
    let mut broken = Vec::new();
    let modules: BTreeSet<&str> = files.iter().map(|f| f.module[0].as_str()).collect();
    for m in &modules {
        if !rules.layer.contains_key(*m) {
            broken.push(format!(
                "src/{m}: the module `{m}` is not in ARCHITECTURE.md's layer table: add it to the layer its uses allow"
            ));
        }
    }
    let macros = root_macros(files);
    for f in files {
        let lines: Vec<&str> = f.text.lines().collect();
        for u in uses(&f.module, &f.text) {
            let Some(first) = u.path.first() else {
                continue;
            };
            let written = format!("crate::{}", u.path.join("::"));
            let source = lines.get(u.line - 1).map_or("", |l| l.trim());
            let at = format!("{}:{}", f.label, u.line);
            let target = macros.get(first).unwrap_or(first);
            let me = &u.from[0];
            if target != me {
                match (rules.layer.get(me), rules.layer.get(target)) {
                    (Some(&lf), Some(&lt)) if lt >= lf => broken.push(format!(
                        "{at}: `{me}` (layer {lf}) uses `{written}` of `{target}` (layer {lt}); a module may use only lower layers\n    {source}"
                    )),
                    (Some(_), None) => broken.push(format!(
                        "{at}: `{me}` uses `{written}`, but `{target}` is not in ARCHITECTURE.md's layer table\n    {source}"
                    )),
                    _ => {}
                }
            }
            for rule in &rules.inner {
                if u.from.starts_with(&rule.from) && u.path.starts_with(&rule.to) {
                    broken.push(format!(
                        "{at}: `{}` must not use `{}` ({}), but uses `{written}`\n    {source}",
                        rule.from.join("::"),
                        rule.to.join("::"),
                        rule.why
                    ));
                }
            }
        }
    }
    broken
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn real_rules() -> Rules {
    let md = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    parse_rules(&md).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_layers_of_architecture_md_hold() {
    let rules = real_rules();
    let files = source_files(&root().join("src"));
    assert!(files.len() > 50, "src/ was read ({} files)", files.len());
    let found: usize = files.iter().map(|f| uses(&f.module, &f.text).len()).sum();
    assert!(found > 500, "the paths of src/ were found ({found})");
    let broken = check(&rules, &files);
    assert!(
        broken.is_empty(),
        "{} uses break the layers of ARCHITECTURE.md:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn the_layer_table_reads_as_written() {
    let rules = real_rules();
    let l = |m: &str| {
        *rules
            .layer
            .get(m)
            .unwrap_or_else(|| panic!("`{m}` is in the table"))
    };
    let lowest = *rules.layer.values().min().unwrap();
    let highest = *rules.layer.values().max().unwrap();
    assert_eq!((l("progress"), l("i18n")), (lowest, lowest));
    assert_eq!(l("cli"), highest);
    // The seam sits below both executors, and the jobs above them.
    assert!(l("executor") < l("exec") && l("executor") < l("lab"));
    assert!(l("jobs") > l("exec") && l("jobs") > l("lab"));
    let rule = rules
        .inner
        .iter()
        .find(|r| r.from == ["tui", "screens"])
        .expect("the tui::screens rule");
    assert_eq!(rule.to, ["tui", "app"]);
    assert!(
        rules
            .inner
            .iter()
            .any(|r| r.from == ["chatdata", "preflight"])
    );
}

// The checker, on synthetic sources.

const DOC: &str = "# Architecture\n\n## Layers\n\ntext\n\n\
| layer | modules | what |\n|---|---|---|\n\
| 1 | `low`, `words` | leaves |\n\
| 2 | `high`, `peer` | the rest |\n\n\
| in | must not use | why |\n|---|---|---|\n\
| `high::screens` | `high::app` | screens draw what they are given |\n\
| `peer::a` | `peer::b` | later |\n\n\
## Modules\n\n| 9 | `ignored` | x |\n";

fn file(rel: &str, text: &str) -> SourceFile {
    SourceFile::new(Path::new(rel), text.to_string())
}

fn check_doc(files: &[SourceFile]) -> Vec<String> {
    check(&parse_rules(DOC).unwrap(), files)
}

#[test]
fn an_upward_use_is_caught_with_file_line_and_path() {
    let broken = check_doc(&[
        file("low.rs", "//! A leaf.\n\nuse crate::high::Thing;\n"),
        file("high/mod.rs", "pub struct Thing;\n"),
    ]);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].starts_with(
            "src/low.rs:3: `low` (layer 1) uses `crate::high::Thing` of `high` (layer 2)"
        ),
        "{}",
        broken[0]
    );
    assert!(
        broken[0].ends_with("use crate::high::Thing;"),
        "{}",
        broken[0]
    );
    // A path in an expression, a same-layer use, a module not in the table, and the other
    // way round (allowed).
    let broken = check_doc(&[
        file("low.rs", "fn f() {\n    let x = crate::high::make();\n}\n"),
        file("high/mod.rs", "use crate::low::f;\nuse crate::peer::P;\n"),
        file("peer.rs", "fn g() { super::stray::go(); }\n"),
        file("stray.rs", "\n"),
    ]);
    let text = broken.join("\n");
    assert!(
        text.contains("src/low.rs:2: `low` (layer 1) uses `crate::high::make`"),
        "{text}"
    );
    assert!(
        text.contains(
            "src/high/mod.rs:2: `high` (layer 2) uses `crate::peer::P` of `peer` (layer 2)"
        ),
        "{text}"
    );
    assert!(
        text.contains("src/peer.rs:1: `peer` uses `crate::stray::go`, but `stray` is not in"),
        "{text}"
    );
    assert!(
        text.contains("src/stray: the module `stray` is not in ARCHITECTURE.md's layer table"),
        "{text}"
    );
    assert!(!text.contains("crate::low::f"), "{text}");
    assert_eq!(broken.len(), 4, "{text}");
}

#[test]
fn comments_strings_and_macros_are_read_right() {
    let src = r###"
//! Mentions crate::high::A in a doc comment.
/* crate::high::B /* nested crate::high::C */ still crate::high::D */
fn f<'a>(x: &'a str) -> char {
    let _ = "crate::high::E \" crate::high::F";
    let _ = r#"crate::high::G "quoted" crate::high::H"#;
    let _ = b"crate::high::I";
    let _ = '"'; let _ = '\''; let _ = crate::words::t!("ok");
    'outer: loop { break 'outer; }
    crate::t!("id")
}
"###;
    let broken = check_doc(&[
        file("low.rs", src),
        file(
            "words.rs",
            "#[macro_export]\nmacro_rules! t { ($id:expr) => { $crate::words::tr($id) }; }\n",
        ),
    ]);
    // Only the two real paths count: `words` is of the same layer as `low`, and `crate::t!`
    // is the macro `words` exports.
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(
        broken[0].starts_with(
            "src/low.rs:8: `low` (layer 1) uses `crate::words::t` of `words` (layer 1)"
        ),
        "{}",
        broken[0]
    );
    assert!(
        broken[1]
            .starts_with("src/low.rs:10: `low` (layer 1) uses `crate::t` of `words` (layer 1)"),
        "{}",
        broken[1]
    );
    // From a higher layer the macro is fine…
    let broken = check_doc(&[
        file("high/mod.rs", "fn f() -> String { crate::t!(\"id\") }\n"),
        file(
            "words.rs",
            "#[macro_export]\nmacro_rules! t { ($i:expr) => { $i }; }\n",
        ),
    ]);
    assert!(broken.is_empty(), "{broken:?}");
    // …and from `low`, of the same layer, it is not.
    let broken = check_doc(&[
        file("low.rs", "fn f() -> String { crate::t!(\"id\") }\n"),
        file(
            "words.rs",
            "#[macro_export]\nmacro_rules! t { ($i:expr) => { $i }; }\n",
        ),
    ]);
    assert_eq!(broken.len(), 1, "{broken:?}");
}

#[test]
fn grouped_and_relative_paths_resolve() {
    let u = uses(
        &["high".into(), "screens".into()],
        "use crate::{low, peer::{a::B, c as d}, high::app::{self, X}};\n\
         use super::app::Y;\nuse self::own::Z;\nuse super::super::low::W;\n\
         mod tests {\n    use super::*;\n    use super::super::app::V;\n}\n\
         fn f() { let _ = super::app::call(); }\n",
    );
    let got: Vec<(usize, String)> = u.iter().map(|u| (u.line, u.path.join("::"))).collect();
    let want = [
        (1, "low"),
        (1, "peer::a::B"),
        (1, "peer::c"),
        (1, "high::app"),
        (1, "high::app::X"),
        (2, "high::app::Y"),
        (3, "high::screens::own::Z"),
        (4, "low::W"),
        (6, "high::screens"),
        (7, "high::app::V"),
        (9, "high::app::call"),
    ];
    let want: Vec<(usize, String)> = want.iter().map(|(l, p)| (*l, p.to_string())).collect();
    assert_eq!(got, want);
    assert_eq!(u[9].from, ["high", "screens", "tests"]);
    // `pub(crate)` and `$crate` are no paths to check.
    assert!(
        uses(
            &["low".into()],
            "pub(crate) fn f() {}\nmacro_rules! m { () => { $crate::high::x() } }\n"
        )
        .is_empty()
    );
}

#[test]
fn rules_inside_a_module_are_checked() {
    let broken = check_doc(&[
        file(
            "high/screens/mod.rs",
            "use super::app::App;\nuse crate::high::keymap::K;\n",
        ),
        file(
            "high/screens/list.rs",
            "use crate::high::{app::Msg, theme};\n",
        ),
        file("high/app.rs", "use crate::high::screens::list;\n"),
        file("peer/a.rs", "fn f() { super::b::go(); }\n"),
    ]);
    let text = broken.join("\n");
    assert!(text.contains("src/high/screens/mod.rs:1: `high::screens` must not use `high::app` (screens draw what they are given), but uses `crate::high::app::App`"), "{text}");
    assert!(text.contains("src/high/screens/list.rs:1:"), "{text}");
    assert!(
        text.contains("src/peer/a.rs:1: `peer::a` must not use `peer::b` (later), but uses `crate::peer::b::go`"),
        "{text}"
    );
    assert_eq!(broken.len(), 3, "{text}");
}

#[test]
fn a_table_that_cannot_be_the_rule_is_refused() {
    let doc = |rows: &str| {
        format!("## Layers\n\n| layer | modules | what |\n|---|---|---|\n{rows}\n## Next\n")
    };
    assert!(
        parse_rules("# no layers\n")
            .unwrap_err()
            .contains("no \"## Layers\" section")
    );
    let e = parse_rules(&doc("| 2 | `a` | x |\n| 1 | `b` | y |\n")).unwrap_err();
    assert!(e.contains("lowest first"), "{e}");
    let e = parse_rules(&doc("| 1 | `a` | x |\n| 2 | `a` | y |\n")).unwrap_err();
    assert!(e.contains("`a` is in layer 1 and in layer 2"), "{e}");
    let e = parse_rules(&doc("| one | `a` | x |\n")).unwrap_err();
    assert!(e.contains("\"one\" is not a layer number"), "{e}");
    let e = parse_rules(&doc("| 1 | none | x |\n")).unwrap_err();
    assert!(e.contains("names no module"), "{e}");
}
