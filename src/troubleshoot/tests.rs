//! Unit tests of the symptom catalog and the check runner.

use super::*;
use crate::deployment::Profile;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap_or_else(|e| panic!("{e}"))
}

const ONE: &str = r#"
[[symptoms]]
id = "x"
title = "T"
sees = "S"
cause = "C"
phrases = ["p"]
items = ["verify.start"]
fix = "F"
source = "L13/x"

[[symptoms.checks]]
kind = "probe"
what = "W"
probe = "tcp:5061"
target = "{{fe_pool_fqdn}}"
expect = "E"
"#;

#[test]
fn troubleshoot_catalog_loads_and_covers_the_known_symptoms() {
    let c = catalog();
    for id in [
        "synthetic-test-timeout-5061",
        "users-do-not-see-rooms",
        "legacy-clients-cannot-connect",
        "principal-not-provisioned",
        "import-warnings",
        "services-not-started",
        "pool-failed-over",
        "precreated-rooms-overwritten",
        "files-missing",
    ] {
        assert!(c.symptom(id).is_some(), "missing {id}");
    }
    let probes: BTreeSet<String> = c
        .symptoms
        .iter()
        .flat_map(|s| s.checks.iter())
        .filter_map(|ch| ch.probe.clone())
        .collect();
    for p in ["dns", "tcp:5061", "tls", "pool-state"] {
        assert!(probes.contains(p), "no check uses the {p} probe");
    }
    let rb = Runbook::embedded().unwrap();
    assert_eq!(c.unknown_items(&rb), Vec::<(String, String)>::new());
}

#[test]
fn troubleshoot_catalog_placeholders_fill_from_the_lab_profile() {
    let mut values = Profile::lab().placeholders("C:\\PChatMigration");
    values.insert(USER_PLACEHOLDER.into(), vec!["sip:jane@contoso.lab".into()]);
    for s in &catalog().symptoms {
        for ch in &s.checks {
            for t in [
                ch.cmdlet.as_ref(),
                ch.target.as_ref(),
                Some(&ch.what),
                Some(&ch.expect),
            ]
            .into_iter()
            .flatten()
            {
                render_line(t, &values).unwrap_or_else(|e| panic!("{}: {t}: {e}", s.id));
            }
        }
        for l in &s.fix_cmdlets {
            render_line(l, &values).unwrap_or_else(|e| panic!("{}: {l}: {e}", s.id));
        }
    }
}

#[test]
fn troubleshoot_catalog_rules_are_enforced() {
    assert!(Catalog::parse(ONE, "t.toml").is_ok());
    let bad = [
        (ONE.replace("tcp:5061", "ping"), "unknown probe"),
        (ONE.replace("tcp:5061", "tcp:0"), "unknown probe"),
        (
            ONE.replace("target = \"{{fe_pool_fqdn}}\"\n", ""),
            "needs a target",
        ),
        (
            ONE.replace("{{fe_pool_fqdn}}", "{{fe_pool}}"),
            "unknown placeholder {{fe_pool}}",
        ),
        (
            ONE.replace("{{fe_pool_fqdn}}", "{{fe_pool_fqdn"),
            "unclosed",
        ),
        (
            ONE.replace("kind = \"probe\"", "kind = \"cmdlet\""),
            "needs cmdlet",
        ),
        (
            ONE.replace("kind = \"probe\"", "kind = \"manual\""),
            "manual check has no",
        ),
        (ONE.replace("id = \"x\"", "id = \"Bad Id\""), "kebab-case"),
        (ONE.replace("fix = \"F\"", "fix = \" \""), "fix is empty"),
        (
            ONE.replace("items = [\"verify.start\"]", "items = []"),
            "items must name",
        ),
        (
            format!(
                "{ONE}{}",
                ONE[ONE.find("[[symptoms]]").unwrap()..ONE.find("[[symptoms.checks]]").unwrap()]
                    .replace("id = \"x\"", "id = \"y\"")
            ),
            "needs at least one check",
        ),
        (format!("{ONE}{ONE}"), "used twice"),
        (
            ONE.replace("phrases = [\"p\"]\n", ""),
            "at least one match key",
        ),
        (
            ONE.replace("cause = \"C\"", "cause = \"\""),
            "cause is empty",
        ),
        (
            ONE.replace("phrases = [\"p\"]", "events = [{ id = 0 }]"),
            "event id 0",
        ),
        (
            ONE.replace(
                "probe = \"tcp:5061\"\ntarget = \"{{fe_pool_fqdn}}\"",
                "database = \"mgc\"\nquery = \"DELETE FROM tblNode\"\nhealthy = \"rows\"",
            )
            .replace("kind = \"probe\"", "kind = \"sql\""),
            "one SELECT",
        ),
        (
            ONE.replace(
                "probe = \"tcp:5061\"\ntarget = \"{{fe_pool_fqdn}}\"",
                "database = \"master\"\nquery = \"SELECT 1\"\nhealthy = \"rows\"",
            )
            .replace("kind = \"probe\"", "kind = \"sql\""),
            "not one of mgc, legacy",
        ),
        (
            ONE.replace(
                "target = \"{{fe_pool_fqdn}}\"",
                "target = \"{{fe_pool_fqdn}}\"\nquery = \"SELECT 1\"",
            ),
            "belong to sql checks",
        ),
    ];
    for (text, needle) in bad {
        let e = Catalog::parse(&text, "t.toml").unwrap_err();
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    }
    let e = Catalog::parse(
        &ONE.replace("expect = \"E\"", "expect = \"E\"\ncolour = 1"),
        "t.toml",
    )
    .unwrap_err();
    match e {
        CatalogError::Parse { line, .. } => assert_eq!(line, 18, "{e}"),
        other => panic!("{other}"),
    }
}

#[test]
fn troubleshoot_run_checks_uses_the_closures_and_fans_out_per_server() {
    let c = catalog();
    let s = c.symptom("services-not-started").unwrap();
    let values = Profile::lab().placeholders("");
    let mut probed = Vec::new();
    let mut ran = Vec::new();
    let mut probe = |r: &ProbeRequest| {
        probed.push(format!("{} {}", r.probe, r.target));
        if r.target.starts_with("pchat02") {
            CheckOutcome::fail("connection refused")
        } else {
            CheckOutcome::pass("open")
        }
    };
    let mut cmdlet = |l: &str| {
        ran.push(l.to_string());
        CheckOutcome::unknown("no executor")
    };
    let results = run_checks(
        s,
        &mut CheckContext {
            values: &values,
            probe: &mut probe,
            cmdlet: &mut cmdlet,
            sql: &mut |_: &sql::SqlRequest| CheckOutcome::unknown("no database"),
        },
    );
    assert_eq!(
        probed,
        [
            "tcp:5041 pchat01.contoso.lab",
            "tcp:5041 pchat02.contoso.lab"
        ]
    );
    assert_eq!(
        ran[0],
        "Get-CsWindowsService -ComputerName pchat01.contoso.lab"
    );
    assert_eq!(ran.len(), 3);
    assert_eq!(results.len(), 5);
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status == CheckStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].output, "connection refused");
    assert_eq!(failed[0].check, 2);
    assert_eq!(verdict(&results), Some(false));
    let line = summarize(s, &results);
    assert!(line.contains("1 FAILED"), "{line}");
    assert!(line.contains("first failure"), "{line}");
}

#[test]
fn troubleshoot_missing_value_is_not_run_and_manual_stays_manual() {
    let c = catalog();
    let s = c.symptom("users-do-not-see-rooms").unwrap();
    let values = Profile::lab().placeholders(""); // no {{user}}
    let mut probe = |_: &ProbeRequest| CheckOutcome::pass("");
    let mut cmdlet = |_: &str| CheckOutcome::pass("ok");
    let results = run_checks(
        s,
        &mut CheckContext {
            values: &values,
            probe: &mut probe,
            cmdlet: &mut cmdlet,
            sql: &mut |_: &sql::SqlRequest| CheckOutcome::unknown("no database"),
        },
    );
    assert_eq!(results[0].status, CheckStatus::NotRun);
    assert!(
        results[0].output.contains("{{user}}"),
        "{}",
        results[0].output
    );
    assert_eq!(results[1].status, CheckStatus::Passed);
    assert!(results.iter().any(|r| r.status == CheckStatus::Manual));
    assert_eq!(verdict(&results), None);
    // All passing, nothing manual: true.
    let s = c.symptom("pool-failed-over").unwrap();
    let auto: Vec<CheckResult> = run_checks(
        s,
        &mut CheckContext {
            values: &values,
            probe: &mut probe,
            cmdlet: &mut cmdlet,
            sql: &mut |_: &sql::SqlRequest| CheckOutcome::unknown("no database"),
        },
    )
    .into_iter()
    .filter(|r| r.kind != CheckKind::Manual)
    .collect();
    assert_eq!(verdict(&auto), Some(true));
}

#[test]
fn troubleshoot_record_attaches_evidence_to_the_first_item() {
    let c = catalog();
    let s = c.symptom("pool-failed-over").unwrap();
    let values = Profile::lab().placeholders("");
    let mut probe = |_: &ProbeRequest| CheckOutcome::fail("FailedOver");
    let mut cmdlet = |_: &str| CheckOutcome::fail("PoolState : FailedOver");
    let results = run_checks(
        s,
        &mut CheckContext {
            values: &values,
            probe: &mut probe,
            cmdlet: &mut cmdlet,
            sql: &mut |_: &sql::SqlRequest| CheckOutcome::unknown("no database"),
        },
    );
    let mut store = Store::open_in_memory().unwrap();
    let sess = store.create_session("t", "lab", None, "x").unwrap();
    let ev = record(&mut store, sess.id, s, &results, "alice").unwrap();
    assert_eq!(ev.item_id, "hadr.pool-state");
    assert_eq!(ev.evidence.source, "troubleshoot: pool-failed-over");
    assert_eq!(ev.evidence.passed, Some(false));
    assert_eq!(ev.evidence.detail["checks"][0]["output"], "FailedOver");
    let stored = store.evidence(sess.id, "hadr.pool-state").unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        store.item_records(sess.id).unwrap().is_empty(),
        "note left alone"
    );
}

#[test]
fn troubleshoot_overlays_translate_everything_and_keep_the_keys() {
    let en = catalog();
    for (lang, _) in overlay::EMBEDDED_OVERLAYS {
        assert_eq!(overlay::gaps(&en, lang).unwrap(), Vec::new(), "{lang}");
        let tr = Catalog::embedded_for(lang).unwrap();
        assert_eq!(tr.symptoms.len(), en.symptoms.len());
        for (a, b) in en.symptoms.iter().zip(&tr.symptoms) {
            assert_eq!(a.id, b.id);
            assert_ne!(a.title, b.title, "{lang} {}", a.id);
            // What the product prints and the checks that run stay English.
            assert_eq!(a.events, b.events);
            assert_eq!(a.errors, b.errors);
            assert_eq!(a.source, b.source);
            for (x, y) in a.checks.iter().zip(&b.checks) {
                assert_eq!(
                    (&x.cmdlet, &x.probe, &x.query),
                    (&y.cmdlet, &y.probe, &y.query)
                );
            }
        }
        // Matching still finds a symptom from its English error text.
        let r = matching::rank(&tr, "The Persistent Chat database connection was lost");
        assert_eq!(
            r.best().unwrap().symptom.id,
            "pchat-db-connection-lost",
            "{lang}"
        );
    }
}

#[test]
fn troubleshoot_overlay_errors_name_the_file_and_symptom() {
    let en = catalog();
    let e =
        overlay::apply(en.clone(), "it-IT", "[symptoms.\"nope\"]\ntitle = \"x\"\n").unwrap_err();
    assert!(
        e.to_string().contains("it-IT/symptoms.toml:1") && e.to_string().contains("nope"),
        "{e}"
    );
    let bad_ph = "[symptoms.\"legacy-clients-cannot-connect\"]\nchecks = [{ what = \"x {{sip_domain}}\", expect = \"y\" }]\n";
    let e = overlay::apply(en.clone(), "it-IT", bad_ph).unwrap_err();
    assert!(e.to_string().contains("other placeholders"), "{e}");
    let e = overlay::apply(
        en.clone(),
        "it-IT",
        "[symptoms.\"files-missing\"]\ntitle = \" \"\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("title is empty"), "{e}");
    let e = overlay::apply(
        en.clone(),
        "it-IT",
        "[symptoms.\"files-missing\"]\ncolour = 1\n",
    )
    .unwrap_err();
    assert!(matches!(e, CatalogError::Parse { line: 2, .. }), "{e}");
    // A partial overlay: the rest is listed as a gap and shown in English.
    let partial = "[symptoms.\"files-missing\"]\ntitle = \"Mancano file\"\n";
    let gaps = overlay::gaps_in(&en, "it-IT", partial).unwrap();
    let g = gaps.iter().find(|g| g.id == "files-missing").unwrap();
    assert_eq!(g.fields, ["sees", "cause", "fix", "checks"]);
    assert_eq!(gaps.len(), en.symptoms.len());
    let c = overlay::apply(en.clone(), "it-IT", partial).unwrap();
    let s = c.symptom("files-missing").unwrap();
    assert_eq!(s.title, "Mancano file");
    assert_eq!(s.sees, en.symptom("files-missing").unwrap().sees);
    // Phrases in the language are added as match keys.
    let c = overlay::apply(
        en,
        "it-IT",
        "[symptoms.\"files-missing\"]\nphrases = [\"allegati spariti dopo la migrazione\"]\n",
    )
    .unwrap();
    let r = matching::rank(&c, "gli allegati sono spariti dopo la migrazione");
    assert_eq!(r.best().unwrap().symptom.id, "files-missing");
}
