//! The embedded runbook against `migration.md`: all stages, all 81 checklist items, the four
//! job items, the rollback, and every cmdlet line rendered with the lab profile's values.

use std::collections::{BTreeMap, BTreeSet};

use pchat_migrate::deployment::Profile;
use pchat_migrate::runbook::{
    ItemKind, JobKind, Placeholders, RenderError, Runbook, RunbookError, render_cmdlets,
    render_line,
};

const STAGES: [(&str, &str); 13] = [
    ("plan", "Plan"),
    ("build", "Build the target"),
    ("coexistence", "Coexistence and pilot"),
    ("prepare", "Prepare the source data"),
    ("shutdown", "Shutdown and backups"),
    ("export", "Export"),
    ("import", "Import (-WhatIf first)"),
    ("files", "Copy uploaded files"),
    ("endpoint", "Legacy endpoint"),
    ("verify", "Start and verify"),
    ("decommission", "Decommission"),
    ("enable", "Enable clients and policy"),
    ("hadr", "HA/DR"),
];

/// migration.md §5: the checklist numbers of each stage's group (A–M).
const GROUPS: [(u32, u32); 13] = [
    (1, 11),
    (12, 23),
    (24, 28),
    (29, 37),
    (38, 41),
    (42, 45),
    (46, 49),
    (50, 52),
    (53, 56),
    (57, 66),
    (67, 71),
    (72, 76),
    (77, 81),
];

fn runbook() -> Runbook {
    Runbook::embedded().unwrap_or_else(|e| panic!("embedded runbook: {e}"))
}

/// What the wizard and `pchat-migrate runbook` fill the lab runbook with: the profile's
/// values and the task lines of the job scripts.
fn lab_values() -> Placeholders {
    pchat_migrate::exec::runbook_placeholders(
        &Profile::lab(),
        "C:\\PChatMigration",
        &pchat_migrate::exec::ExecutorConfig::default(),
    )
}

#[test]
fn all_thirteen_stages_in_order_with_their_titles() {
    let rb = runbook();
    let got: Vec<(&str, &str)> = rb
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str()))
        .collect();
    assert_eq!(got, STAGES);
    for (n, s) in rb.stages.iter().enumerate() {
        assert_eq!(s.number as usize, n, "{}", s.id);
        assert_eq!(rb.stage_index(&s.id), Some(n));
    }
}

#[test]
fn downtime_stages_ask_for_their_word() {
    let rb = runbook();
    let downtime: BTreeMap<&str, Option<&str>> = rb
        .stages
        .iter()
        .filter(|s| s.downtime)
        .map(|s| (s.id.as_str(), s.confirm_word.as_deref()))
        .collect();
    assert_eq!(
        downtime,
        BTreeMap::from([
            ("export", Some("EXPORT")),
            ("import", Some("IMPORT")),
            ("shutdown", Some("SHUTDOWN")),
        ])
    );
}

#[test]
fn item_ids_are_unique_and_each_item_belongs_to_its_stage() {
    let rb = runbook();
    let mut seen = BTreeSet::new();
    for stage in rb.stages.iter().chain([&rb.rollback]) {
        assert!(!stage.items.is_empty(), "stage {} has no items", stage.id);
        for item in &stage.items {
            assert!(seen.insert(item.id.clone()), "duplicate id {}", item.id);
            assert_eq!(item.stage_id, stage.id);
            assert!(
                item.id.starts_with(&format!("{}.", stage.id)),
                "{} is in stage {}",
                item.id,
                stage.id
            );
            assert_eq!(rb.item(&item.id), Some(item));
        }
    }
    assert!(rb.items().count() >= 81, "{} items", rb.items().count());
}

#[test]
fn checklist_numbers_1_to_81_each_once_in_their_group() {
    let rb = runbook();
    let mut numbers = BTreeMap::new();
    for (n, stage) in rb.stages.iter().enumerate() {
        let (lo, hi) = GROUPS[n];
        for item in &stage.items {
            let Some(c) = item.checklist else { continue };
            assert!(
                (lo..=hi).contains(&c),
                "{} has §5 number {c}, outside {lo}–{hi}",
                item.id
            );
            assert!(
                numbers.insert(c, item.id.clone()).is_none(),
                "§5 number {c} used twice"
            );
        }
    }
    assert_eq!(
        numbers.keys().copied().collect::<Vec<_>>(),
        (1..=81).collect::<Vec<_>>()
    );
    assert!(rb.rollback.items.iter().all(|i| i.checklist.is_none()));
}

#[test]
fn exactly_the_four_job_items() {
    let rb = runbook();
    let jobs: Vec<(Option<u32>, JobKind)> = rb
        .items()
        .chain(rb.rollback.items.iter())
        .filter_map(|i| i.job.map(|j| (i.checklist, j)))
        .collect();
    assert_eq!(
        jobs,
        [
            (Some(42), JobKind::Export),
            (Some(46), JobKind::ImportWhatIf),
            (Some(48), JobKind::Import),
            (Some(62), JobKind::Verify),
        ]
    );
    for job in JobKind::ALL {
        let item = rb.job_item(job).unwrap();
        assert_eq!(
            item.kind,
            if job == JobKind::Verify {
                ItemKind::Probe
            } else {
                ItemKind::Task
            }
        );
    }
}

#[test]
fn job_cmdlets_are_the_documented_ones() {
    let rb = runbook();
    let values = lab_values();
    let line = |job| render_cmdlets(rb.job_item(job).unwrap(), &values).unwrap();
    assert_eq!(
        line(JobKind::Export),
        [
            r#"Export-CsPersistentChatData -DBInstance 'gcsql.contoso.lab\GROUPCHAT' -DBName 'GroupChat' -FileName 'C:\PChatMigration\GroupChatExport.zip' -Level 'All' -Report 'C:\PChatMigration\export-report.html' -Verbose"#
        ]
    );
    assert_eq!(
        line(JobKind::ImportWhatIf),
        [
            r#"Import-CsPersistentChatData -DBInstance 'pchatsql.contoso.lab\PCHAT' -FileName 'C:\PChatMigration\GroupChatExport.zip' -Report 'C:\PChatMigration\import-whatif-report.html' -WhatIf -Verbose"#
        ]
    );
    assert_eq!(
        line(JobKind::Import),
        [
            r#"Import-CsPersistentChatData -DBInstance 'pchatsql.contoso.lab\PCHAT' -FileName 'C:\PChatMigration\GroupChatExport.zip' -Report 'C:\PChatMigration\import-report.html' -Confirm:$false -Verbose"#
        ]
    );
    for job in [JobKind::Export, JobKind::ImportWhatIf, JobKind::Import] {
        assert!(!line(job).concat().contains("ReplaceExisting"));
    }
}

#[test]
fn rollback_is_present_and_wholly_inferred() {
    let rb = runbook();
    let r = &rb.rollback;
    assert_eq!((r.id.as_str(), r.number), ("rollback", 99));
    assert_eq!(r.title, "Rollback (before Decommission)");
    assert_eq!(r.available_until.as_deref(), Some("decommission"));
    assert!(rb.stage("rollback").is_some());
    assert!(r.items.len() >= 6, "{} rollback items", r.items.len());
    for item in &r.items {
        assert!(item.inferred, "{} not marked inferred", item.id);
        assert!(item.job.is_none());
        assert!(
            item.guidance.contains("documents no Group Chat rollback"),
            "{} does not say the rollback is undocumented",
            item.id
        );
    }
    let cmdlets: String = r
        .items
        .iter()
        .flat_map(|i| i.cmdlets.iter())
        .cloned()
        .collect();
    assert!(cmdlets.contains("Remove-CsPersistentChatEndpoint"));
    assert!(rb.rollback_available("verify"));
    assert!(!rb.rollback_available("decommission"));
}

#[test]
fn inferred_items_say_what_is_inferred() {
    let rb = runbook();
    for item in rb.items().chain(rb.rollback.items.iter()) {
        assert_eq!(
            item.inferred,
            item.guidance.contains("Inferred"),
            "{}: inferred = {} but the guidance {} \"Inferred\"",
            item.id,
            item.inferred,
            if item.inferred { "lacks" } else { "has" }
        );
    }
}

#[test]
fn every_placeholder_resolves_against_the_lab_profile() {
    let rb = runbook();
    let values = lab_values();
    let names = rb.placeholder_names();
    let missing: Vec<_> = names.iter().filter(|n| !values.contains_key(*n)).collect();
    assert!(missing.is_empty(), "lab profile lacks {missing:?}");
    for name in ["start_date", "export_scope"] {
        assert!(
            !names.contains(name),
            "{name} exists only when the admin sets it"
        );
    }
    for item in rb.items().chain(rb.rollback.items.iter()) {
        let lines = render_cmdlets(item, &values).unwrap_or_else(|e| panic!("{}: {e}", item.id));
        assert!(lines.len() >= item.cmdlets.len());
        for l in &lines {
            assert!(!l.contains("{{"), "{}: unfilled {l}", item.id);
        }
    }
}

#[test]
fn multi_valued_placeholder_renders_one_line_per_server() {
    let rb = runbook();
    let values = lab_values();
    let servers = &values["pchat_server"];
    assert_eq!(servers.len(), 2);
    let lines = render_cmdlets(rb.item("verify.start").unwrap(), &values).unwrap();
    let starts: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with("Start-CsWindowsService"))
        .collect();
    assert_eq!(starts.len(), servers.len());
    for (line, server) in starts.iter().zip(servers) {
        assert_eq!(
            **line,
            format!("Start-CsWindowsService -ComputerName '{server}' -Verbose")
        );
    }
    let fe = render_cmdlets(rb.item("coexistence.fe-services").unwrap(), &values).unwrap();
    assert_eq!(fe.len(), values["fe_server"].len());
}

#[test]
fn literal_powershell_braces_survive_rendering() {
    let rb = runbook();
    let values = lab_values();
    let lines = render_cmdlets(rb.item("enable.policy").unwrap(), &values).unwrap();
    assert!(
        lines.contains(&"Get-CsUser -Filter {PersistentChatPolicy -eq $Null}".to_string()),
        "{lines:?}"
    );
    let room = render_cmdlets(rb.item("coexistence.test-room").unwrap(), &values).unwrap();
    assert!(
        room.iter().any(|l| l.contains(
            r#"-AllowedMembers @{Add="sip:pilot01@contoso.lab", "sip:pilot02@contoso.lab"}"#
        )),
        "{room:?}"
    );
    let line = r#"Set-CsPersistentChatActiveServer -ActiveServers @{Add="{{pchat_server}}"}"#;
    assert_eq!(
        render_line(line, &values).unwrap(),
        [
            r#"Set-CsPersistentChatActiveServer -ActiveServers @{Add="pchat01.contoso.lab"}"#,
            r#"Set-CsPersistentChatActiveServer -ActiveServers @{Add="pchat02.contoso.lab"}"#,
        ]
    );
}

#[test]
fn missing_name_errors_naming_it() {
    let err = render_line("Get-CsUser -Identity {{no_such_name}}", &lab_values()).unwrap_err();
    assert_eq!(
        err,
        RenderError::Missing {
            name: "no_such_name".into()
        }
    );
    assert!(err.to_string().contains("{{no_such_name}}"), "{err}");
}

#[test]
fn unclosed_placeholder_errors() {
    let err = render_line("Get-CsUser -Identity {{lookup_uri", &lab_values()).unwrap_err();
    assert!(
        matches!(err, RenderError::Unclosed { column: 22, .. }),
        "{err:?}"
    );
}

#[test]
fn two_multi_valued_names_in_one_line_error() {
    let err = render_line("{{pchat_server}} {{fe_server}}", &lab_values()).unwrap_err();
    assert!(matches!(err, RenderError::TwoMultiValued { .. }), "{err:?}");
}

#[test]
fn from_sources_reports_duplicate_missing_and_bad_toml() {
    let files = pchat_migrate::runbook::EMBEDDED_FILES;

    // A duplicate id: give the second item of the export file the first one's id.
    let (name, text) = files[5];
    let dup = text.replacen("id = \"export.report\"", "id = \"export.run\"", 1);
    let mut set = files.to_vec();
    set[5] = (name, &dup);
    let err = Runbook::from_sources(&set).unwrap_err();
    assert!(
        matches!(&err, RunbookError::DuplicateItem { id, file, .. } if id == "export.run" && file == "05-export.toml"),
        "{err:?}"
    );

    // A missing stage.
    let mut set = files.to_vec();
    set.remove(9);
    let err = Runbook::from_sources(&set).unwrap_err();
    assert!(
        matches!(&err, RunbookError::MissingStage { id, number: 9 } if id == "verify"),
        "{err:?}"
    );

    // Bad TOML: the error names the file and the line.
    let (name, text) = files[3];
    let broken = text.replacen("kind = \"manual\"", "kind = manual", 1);
    let line = broken.lines().position(|l| l == "kind = manual").unwrap() + 1;
    let mut set = files.to_vec();
    set[3] = (name, &broken);
    let err = Runbook::from_sources(&set).unwrap_err();
    assert!(
        matches!(&err, RunbookError::Parse { file, line: l, .. } if file == "03-prepare.toml" && *l == line),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("03-prepare.toml:{line}:")),
        "{err}"
    );
}

#[test]
fn every_item_has_its_text() {
    let rb = runbook();
    for item in rb.items().chain(rb.rollback.items.iter()) {
        assert!(!item.proof.trim().is_empty(), "{}", item.id);
        assert!(!item.source.trim().is_empty(), "{}", item.id);
        if item.kind != ItemKind::Manual {
            assert!(
                !item.cmdlets.is_empty(),
                "{} ({:?}) has no cmdlet line",
                item.id,
                item.kind
            );
        }
    }
}
