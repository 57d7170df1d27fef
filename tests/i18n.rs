//! Translations: the four message files agree on ids and variables, plurals render per
//! language, the status and key lines fit the 80-column screens, the runbook overlays cover
//! every stage and item, and `pchat-migrate i18n check` passes on what ships.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use fluent_templates::fluent_bundle::{FluentResource, FluentValue};
use pchat_migrate::i18n::{self, LANGUAGES};
use pchat_migrate::runbook::{
    INFERRED_MARKERS, Placeholders, Runbook, RunbookError, is_comment, overlay_gaps, render_cmdlets,
};
use unicode_width::UnicodeWidthStr;

const TRANSLATED: [&str; 3] = ["it-IT", "es-ES", "ko-KR"];

/// Widest a status, key, hint or title line may be on the 80-column screens (borders and
/// padding take the rest).
const MAX_CELLS: usize = 76;

fn english() -> Runbook {
    Runbook::embedded().unwrap_or_else(|e| panic!("English runbook: {e}"))
}

#[test]
fn every_language_file_parses() {
    for (lang, ftl) in LANGUAGES {
        if let Err((_, errors)) = FluentResource::try_new(ftl.to_string()) {
            panic!("{lang}/main.ftl does not parse: {errors:?}");
        }
    }
}

#[test]
fn message_ids_are_the_same_in_every_language() {
    for (a, fa) in LANGUAGES {
        for (b, fb) in LANGUAGES {
            let only_a: Vec<_> = i18n::message_ids(fa)
                .difference(&i18n::message_ids(fb))
                .copied()
                .collect();
            assert!(
                only_a.is_empty(),
                "messages in {a} but not in {b}: {only_a:?}"
            );
        }
    }
}

#[test]
fn message_variables_are_the_same_in_every_language() {
    let en = i18n::message_variables(LANGUAGES[0].1);
    assert!(
        en["items-done"].contains("total"),
        "the variable scan works"
    );
    for (lang, ftl) in &LANGUAGES[1..] {
        let vars = i18n::message_variables(ftl);
        for (id, want) in &en {
            let got = vars.get(id).cloned().unwrap_or_default();
            assert_eq!(
                &got, want,
                "{lang} {id}: variables {got:?}, English has {want:?}"
            );
        }
    }
}

#[test]
fn korean_has_no_plural_categories() {
    let ko = i18n::source("ko").unwrap();
    for cat in ["[zero]", "[one]", "[two]", "[few]", "[many]"] {
        assert!(!ko.contains(cat), "Korean uses the plural category {cat}");
    }
}

fn n(v: i64) -> FluentValue<'static> {
    FluentValue::from(v)
}

fn s(v: &str) -> FluentValue<'static> {
    FluentValue::from(v.to_string())
}

#[test]
fn plurals_render_per_language() {
    let cases = [
        ("it-IT", 1, "Filtro \"msmq\": 1 elemento"),
        ("it-IT", 5, "Filtro \"msmq\": 5 elementi"),
        ("es-ES", 1, "Filtro \"msmq\": 1 elemento"),
        ("es-ES", 5, "Filtro \"msmq\": 5 elementos"),
        ("ko-KR", 1, "필터 \"msmq\": 항목 1개"),
        ("ko-KR", 5, "필터 \"msmq\": 항목 5개"),
        ("en-US", 1, "Filter \"msmq\": 1 item"),
        ("en-US", 5, "Filter \"msmq\": 5 items"),
    ];
    for (lang, count, want) in cases {
        let got = i18n::tr_in(
            lang,
            "pane-filter-results",
            &[("filter", s("msmq")), ("count", n(count))],
        );
        assert_eq!(got, want, "{lang}, count {count}");
    }
    let open = [
        ("it-IT", 1, "1 elemento aperto"),
        ("it-IT", 5, "5 elementi aperti"),
        ("es-ES", 1, "1 elemento abierto"),
        ("es-ES", 5, "5 elementos abiertos"),
        ("ko-KR", 1, "열린 항목 1개"),
        ("ko-KR", 5, "열린 항목 5개"),
    ];
    for (lang, count, want) in open {
        assert_eq!(
            i18n::tr_in(lang, "open-count", &[("count", n(count))]),
            want,
            "{lang} open-count {count}"
        );
    }
    for lang in ["it-IT", "es-ES"] {
        let one = i18n::tr_in(lang, "preview-warnings", &[("count", n(1))]);
        let five = i18n::tr_in(lang, "preview-warnings", &[("count", n(5))]);
        assert!(one.starts_with("1 avvis") || one.starts_with("1 advertencia:"));
        assert!(five.starts_with("5 avvisi:") || five.starts_with("5 advertencias:"));
        assert_ne!(one.replace('1', ""), five.replace('5', ""), "{lang}");
    }
}

#[test]
fn korean_renders_without_plural_artefacts() {
    let en = i18n::message_variables(LANGUAGES[0].1);
    for (id, vars) in &en {
        if !vars.contains("count") {
            continue;
        }
        for count in [0, 1, 2, 5, 21] {
            let args: Vec<(&'static str, FluentValue<'static>)> = vars
                .iter()
                .map(|v| {
                    let name: &'static str = Box::leak(v.clone().into_boxed_str());
                    (name, if v == "count" { n(count) } else { s("x") })
                })
                .collect();
            let got = i18n::tr_in("ko-KR", id, &args);
            assert!(got.contains(&count.to_string()), "ko {id}: {got}");
            for bad in ["{", "}", "[", "*", "$"] {
                assert!(!got.contains(bad), "ko {id} ({count}): {got:?} has {bad:?}");
            }
        }
    }
}

#[test]
fn no_bidi_isolation_marks_in_any_language() {
    for lang in TRANSLATED {
        let got = i18n::tr_in(lang, "items-done", &[("done", n(3)), ("total", n(81))]);
        assert_eq!(got.chars().next(), Some('3'), "{lang}: {got:?}");
        assert!(!got.contains(['\u{2068}', '\u{2069}']), "{lang}");
    }
}

/// A value for each variable, as wide as a typical real one.
fn sample_args(vars: &BTreeSet<String>) -> Vec<(&'static str, FluentValue<'static>)> {
    vars.iter()
        .map(|v| {
            let name: &'static str = Box::leak(v.clone().into_boxed_str());
            let value = match v.as_str() {
                "count" | "done" | "total" | "width" | "height" | "min_width" | "min_height"
                | "mb" | "rate" => n(42),
                "word" => s("SHUTDOWN"),
                _ => s("sample-val"),
            };
            (name, value)
        })
        .collect()
}

#[test]
fn titles_keys_hints_and_statuses_fit_the_screen() {
    let mut too_wide = Vec::new();
    for lang in TRANSLATED {
        let vars = i18n::message_variables(i18n::source(lang).unwrap());
        for (id, v) in &vars {
            if !["title", "key-", "hint-", "status-"]
                .iter()
                .any(|p| id.starts_with(p))
            {
                continue;
            }
            let text = i18n::tr_in(lang, id, &sample_args(v));
            for line in text.lines() {
                let w = UnicodeWidthStr::width(line);
                if w > MAX_CELLS {
                    too_wide.push(format!("{lang} {id}: {w} cells: {line}"));
                }
            }
        }
    }
    assert!(
        too_wide.is_empty(),
        "wider than {MAX_CELLS} cells:\n{}",
        too_wide.join("\n")
    );
}

/// The Pools screen's state column is eight cells wide (its header message is laid out
/// for it): every language's state words fit.
#[test]
fn pool_state_words_fit_their_column() {
    for (lang, _) in LANGUAGES {
        for id in [
            "pool-state-up",
            "pool-state-degraded",
            "pool-state-down",
            "pool-state-unknown",
        ] {
            let w = i18n::tr_in(lang, id, &[]);
            assert!(
                UnicodeWidthStr::width(w.as_str()) <= 8,
                "{lang} {id}: {w:?}"
            );
        }
    }
}

#[test]
fn languages_resolve_flag_then_config_then_system_then_english() {
    let r = i18n::resolve_language_with;
    assert_eq!(r(Some("it"), Some("ko"), Some("es_ES.UTF-8")), "it-IT");
    assert_eq!(r(None, Some("ko"), Some("es_ES.UTF-8")), "ko-KR");
    assert_eq!(r(None, None, Some("es_MX.UTF-8")), "es-ES");
    assert_eq!(r(None, None, Some("C")), "en-US");
    assert_eq!(r(None, Some("fr"), Some("ko_KR.UTF-8")), "ko-KR");
    assert_eq!(r(None, None, None), "en-US");
    for (tag, want) in [
        ("it", "it-IT"),
        ("it-IT", "it-IT"),
        ("es", "es-ES"),
        ("es-ES", "es-ES"),
        ("es-MX", "es-ES"),
        ("ko", "ko-KR"),
        ("ko-KR", "ko-KR"),
        ("en", "en-US"),
        ("EN-gb", "en-US"),
    ] {
        assert_eq!(i18n::normalize(tag), Some(want), "{tag}");
    }
    assert_eq!(i18n::normalize("fr"), None);
    assert_eq!(i18n::normalize(""), None);
}

#[test]
fn every_overlay_parses_names_known_ids_and_covers_every_item() {
    let en = english();
    for lang in TRANSLATED {
        let rb = Runbook::embedded_for(lang).unwrap_or_else(|e| panic!("{lang}: {e}"));
        let gaps = overlay_gaps(&en, lang).unwrap_or_else(|e| panic!("{lang}: {e}"));
        assert!(
            gaps.is_empty(),
            "{lang}: untranslated runbook text:\n{}",
            gaps.iter()
                .map(|g| format!("  {} {}: {}", g.file, g.id, g.fields.join(", ")))
                .collect::<Vec<_>>()
                .join("\n")
        );
        // Only text changes: ids, kinds, cmdlets, jobs, sources are the English ones.
        let stages = |r: &Runbook| {
            r.stages
                .iter()
                .chain([&r.rollback])
                .cloned()
                .collect::<Vec<_>>()
        };
        for (t, e) in stages(&rb).iter().zip(stages(&en).iter()) {
            assert_eq!(
                (&t.id, t.number, t.downtime, &t.confirm_word, &t.source),
                (&e.id, e.number, e.downtime, &e.confirm_word, &e.source)
            );
            assert_ne!(
                t.summary, e.summary,
                "{lang} stage {}: summary untranslated",
                e.id
            );
            assert_eq!(t.items.len(), e.items.len());
            for (ti, ei) in t.items.iter().zip(&e.items) {
                assert_eq!(
                    (&ti.id, ti.kind, ti.job, &ti.source, ti.inferred),
                    (&ei.id, ei.kind, ei.job, &ei.source, ei.inferred)
                );
                // Cmdlet lines stay English; `#` comment lines are prose and translated.
                assert_eq!(ti.cmdlets.len(), ei.cmdlets.len(), "{lang} {}", ei.id);
                for (t, e) in ti.cmdlets.iter().zip(&ei.cmdlets) {
                    if is_comment(e) {
                        assert!(is_comment(t), "{lang} {}: {t}", ei.id);
                        assert_ne!(t, e, "{lang} {}: comment line untranslated", ei.id);
                    } else {
                        assert_eq!(t, e, "{lang} {}: a cmdlet line changed", ei.id);
                    }
                }
                assert_ne!(
                    ti.title, ei.title,
                    "{lang} {}: title is the English one",
                    ei.id
                );
                assert_ne!(ti.guidance, ei.guidance, "{lang} {}: guidance", ei.id);
                assert_ne!(ti.proof, ei.proof, "{lang} {}: proof", ei.id);
                assert_eq!(ti.pitfalls.len(), ei.pitfalls.len());
            }
        }
    }
}

#[test]
fn inferences_stay_flagged_in_every_language() {
    let en = english();
    for lang in TRANSLATED {
        let marker = INFERRED_MARKERS
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, m)| *m)
            .unwrap();
        let rb = Runbook::embedded_for(lang).unwrap();
        for e in en.items().chain(en.rollback.items.iter()) {
            let t = rb.item(&e.id).unwrap();
            assert_eq!(
                t.guidance.matches(marker).count(),
                e.guidance.matches("Inferred:").count(),
                "{lang} {}: the guidance must keep each \"Inferred:\" as \"{marker}\"",
                e.id
            );
        }
    }
}

#[test]
fn an_unknown_overlay_id_is_an_error_naming_file_and_id() {
    let overlay = "[stage]\ntitle = \"Piano\"\n\n[items.\"plan.no-such-item\"]\ntitle = \"x\"\n";
    let err = english()
        .with_overlay("it-IT", &[("00-plan.toml", overlay)])
        .unwrap_err();
    assert!(
        matches!(&err, RunbookError::OverlayUnknownItem { id, line: 4, .. } if id == "plan.no-such-item"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("i18n/it-IT/00-plan.toml:4"), "{msg}");
    assert!(msg.contains("plan.no-such-item"), "{msg}");

    // An item of another stage is unknown in this file too.
    let overlay = "[items.\"build.msmq\"]\ntitle = \"x\"\n";
    assert!(matches!(
        english().with_overlay("it-IT", &[("00-plan.toml", overlay)]),
        Err(RunbookError::OverlayUnknownItem { .. })
    ));
    // A file the English runbook does not have.
    assert!(matches!(
        english().with_overlay("it-IT", &[("99-extra.toml", "")]),
        Err(RunbookError::OverlayUnknownFile { .. })
    ));
    // Unknown keys, empty text and placeholders are refused.
    let bad = [
        "[items.\"plan.ntfs\"]\nsource = \"x\"\n",
        "[items.\"plan.ntfs\"]\ntitle = \" \"\n",
        "[items.\"plan.ntfs\"]\nproof = \"{{pchat_server}}\"\n",
    ];
    for overlay in bad {
        assert!(
            english()
                .with_overlay("it-IT", &[("00-plan.toml", overlay)])
                .is_err(),
            "{overlay}"
        );
    }
}

#[test]
fn a_missing_field_falls_back_to_english_and_is_listed() {
    let en = english();
    let overlay = "[items.\"plan.ntfs\"]\ntitle = \"Verificare che il volume sia NTFS\"\npitfalls = [\"uno\", \"due\"]\n";
    let rb = en
        .clone()
        .with_overlay("it-IT", &[("00-plan.toml", overlay)])
        .unwrap();
    let (t, e) = (rb.item("plan.ntfs").unwrap(), en.item("plan.ntfs").unwrap());
    assert_eq!(t.title, "Verificare che il volume sia NTFS");
    assert_eq!(t.guidance, e.guidance);
    // English has one pitfall here: a list of another length is not used.
    assert_eq!(t.pitfalls, e.pitfalls);
    let gaps = pchat_migrate::runbook::overlay_gaps_in(&en, "it-IT", &[("00-plan.toml", overlay)])
        .unwrap();
    let ntfs = gaps.iter().find(|g| g.id == "plan.ntfs").unwrap();
    assert_eq!(ntfs.fields, ["guidance", "proof", "pitfalls", "comments"]);
    assert!(gaps.iter().any(|g| g.id == "stage plan"));
    assert!(gaps.iter().any(|g| g.file == "rollback.toml"));
}

/// The runbook's `#` cmdlet lines are prose: an overlay without them leaves English in
/// `runbook --lang` and in the detail pane, and `i18n check` lists the item.
#[test]
fn comment_lines_are_translated_by_the_overlay_or_listed() {
    let en = english();
    let english_line = &en.item("plan.ntfs").unwrap().cmdlets[0];
    assert!(
        english_line.starts_with("# On {{pchat_server}}"),
        "{english_line}"
    );

    let without = "[items.\"plan.ntfs\"]\ntitle = \"Verificare NTFS\"\n";
    let gaps = pchat_migrate::runbook::overlay_gaps_in(&en, "it-IT", &[("00-plan.toml", without)])
        .unwrap();
    let ntfs = gaps.iter().find(|g| g.id == "plan.ntfs").unwrap();
    assert!(ntfs.fields.contains(&"comments".to_string()), "{ntfs:?}");
    let rb = en
        .clone()
        .with_overlay("it-IT", &[("00-plan.toml", without)])
        .unwrap();
    assert_eq!(&rb.item("plan.ntfs").unwrap().cmdlets[0], english_line);

    let with = "[items.\"plan.ntfs\"]\ncomments = [\"# Su {{pchat_server}}: verificare che il volume sia NTFS\"]\n";
    let gaps =
        pchat_migrate::runbook::overlay_gaps_in(&en, "it-IT", &[("00-plan.toml", with)]).unwrap();
    let ntfs = gaps.iter().find(|g| g.id == "plan.ntfs").unwrap();
    assert!(!ntfs.fields.contains(&"comments".to_string()), "{ntfs:?}");
    let rb = en
        .clone()
        .with_overlay("it-IT", &[("00-plan.toml", with)])
        .unwrap();
    let values: Placeholders = [("pchat_server".to_string(), vec!["pc01".to_string()])]
        .into_iter()
        .collect();
    assert_eq!(
        render_cmdlets(rb.item("plan.ntfs").unwrap(), &values).unwrap(),
        ["# Su pc01: verificare che il volume sia NTFS"]
    );

    // A translation that loses a placeholder, a cmdlet or a parameter, or is not a comment,
    // is refused with the file and the item.
    let bad = [
        "[items.\"plan.ntfs\"]\ncomments = [\"# Su ogni server: verificare NTFS\"]\n",
        "[items.\"plan.ntfs\"]\ncomments = [\"Su {{pchat_server}}: verificare NTFS\"]\n",
        "[items.\"plan.ntfs\"]\ncomments = [\"# \"]\n",
    ];
    for overlay in bad {
        let err = english()
            .with_overlay("it-IT", &[("00-plan.toml", overlay)])
            .unwrap_err()
            .to_string();
        assert!(err.contains("i18n/it-IT/00-plan.toml"), "{err}");
        assert!(err.contains("plan.ntfs"), "{err}");
    }
    let item = en.item("build.admins").unwrap();
    let check = item
        .cmdlets
        .iter()
        .find(|l| l.contains("Get-CsAdminRoleAssignment"))
        .unwrap();
    let kept = pchat_migrate::runbook::kept_tokens(check);
    assert!(
        kept.contains("Get-CsAdminRoleAssignment") && kept.contains("-Identity"),
        "{kept:?}"
    );
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pchat-migrate"))
        .args(args)
        .env("PCHAT_MIGRATE_DATA_DIR", dir)
        .env_remove("PCHAT_MIGRATE_LANG")
        .env("LANG", "C.UTF-8")
        .env_remove("LANGUAGE")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("run pchat-migrate")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn i18n_check_passes_on_what_ships() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["i18n", "check"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for lang in TRANSLATED {
        assert!(
            text(&o).contains(&format!("{lang}: complete")),
            "{}",
            text(&o)
        );
    }
    let o = run(dir.path(), &["i18n", "check", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["complete"], true);
    assert_eq!(v["languages"].as_array().map(Vec::len), Some(3));
    // The screens were drawn and checked: English outside the messages, broken borders.
    for l in v["languages"].as_array().unwrap() {
        assert_eq!(l["english_on_screen"], serde_json::json!([]), "{l}");
        assert_eq!(l["broken_borders"], serde_json::json!([]), "{l}");
    }
}

/// `runbook --lang` prints the comment lines of the language's overlay: none of them is an
/// English comment line.
#[test]
fn runbook_prints_comment_lines_in_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let comments = |o: &Output| -> Vec<String> {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    let en = run(dir.path(), &["runbook"]);
    assert!(en.status.success(), "{}", text(&en));
    let english = comments(&en);
    assert!(english.len() > 30, "{english:?}");
    for lang in ["it", "es", "ko"] {
        let o = run(dir.path(), &["--lang", lang, "runbook"]);
        assert!(o.status.success(), "{}", text(&o));
        let got = comments(&o);
        assert_eq!(got.len(), english.len(), "{lang}");
        let still_english: Vec<&String> = got.iter().filter(|l| english.contains(l)).collect();
        assert!(
            still_english.is_empty(),
            "{lang}: English comment lines:\n{still_english:#?}"
        );
    }
}

#[test]
fn lang_flag_then_config_choose_the_runbook_language() {
    let dir = tempfile::tempdir().unwrap();
    let title = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    let en = english();
    let plan = |lang: &str| Runbook::embedded_for(lang).unwrap().stages[0].title.clone();

    let o = run(dir.path(), &["runbook", "--stage", "plan"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(title(&o), format!("== 0 {} ==", en.stages[0].title));

    std::fs::write(dir.path().join("config.toml"), "lang = \"ko\"\n").unwrap();
    let o = run(dir.path(), &["runbook", "--stage", "plan"]);
    assert_eq!(title(&o), format!("== 0 {} ==", plan("ko")), "{}", text(&o));

    let o = run(
        dir.path(),
        &["--lang", "es-MX", "runbook", "--stage", "plan"],
    );
    assert_eq!(title(&o), format!("== 0 {} ==", plan("es")), "{}", text(&o));

    let o = run(dir.path(), &["--lang", "fr", "paths"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no translation"), "{}", text(&o));
}
