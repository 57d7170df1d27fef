//! Unit tests of loading and validation, on small synthetic runbooks (the embedded runbook is
//! checked in `tests/runbook.rs`).

use super::*;

/// A minimal valid file for stage `n` (or the rollback for `n == 99`).
fn stage_file(n: usize) -> (String, String) {
    let (id, number, extra, checklist) = if n == 99 {
        (
            ROLLBACK_ID,
            99,
            "downtime = true\nconfirm_word = \"ROLLBACK\"\navailable_until = \"decommission\"\n"
                .to_string(),
            String::new(),
        )
    } else {
        let downtime = if (4..=6).contains(&n) {
            "downtime = true\nconfirm_word = \"GO\"\n".to_string()
        } else {
            String::new()
        };
        let lo = load::CHECKLIST_RANGES[n].0;
        (
            STAGE_IDS[n],
            n as u32,
            downtime,
            format!("checklist = {lo}\n"),
        )
    };
    let text = format!(
        "[stage]\nid = \"{id}\"\nnumber = {number}\ntitle = \"T\"\nsummary = \"S\"\n\
         source = \"L13/x\"\n{extra}\n\
         [[items]]\nid = \"{id}.one\"\n{checklist}title = \"Item\"\nkind = \"probe\"\n\
         guidance = \"Do it.\"\ncmdlets = [\"Get-Thing -Name {{{{sip_domain}}}}\"]\n\
         proof = \"Seen.\"\nsource = \"PS/Get-Thing\"\n"
    );
    let name = if n == 99 {
        "rollback.toml".to_string()
    } else {
        format!("{n:02}-{id}.toml")
    };
    (name, text)
}

fn valid_files() -> Vec<(String, String)> {
    (0..13).chain([99]).map(stage_file).collect()
}

fn load(files: &[(String, String)]) -> Result<Runbook, RunbookError> {
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    Runbook::from_sources(&refs)
}

/// Replace `from` by `to` in file `idx` (index into `valid_files()`; 13 is the rollback).
fn edited(idx: usize, from: &str, to: &str) -> Vec<(String, String)> {
    let mut files = valid_files();
    assert!(files[idx].1.contains(from), "fixture lacks {from:?}");
    files[idx].1 = files[idx].1.replacen(from, to, 1);
    files
}

#[test]
fn synthetic_runbook_loads_in_order() {
    let rb = load(&valid_files()).unwrap();
    let ids: Vec<_> = rb.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, STAGE_IDS);
    assert_eq!(rb.rollback.id, "rollback");
    assert_eq!(rb.item("export.one").unwrap().stage_id, "export");
    assert_eq!(rb.item("rollback.one").unwrap().stage_id, "rollback");
    assert_eq!(
        rb.items().count(),
        13,
        "rollback items are not migration items"
    );
    assert_eq!(rb.stage_index("verify"), Some(9));
    assert_eq!(rb.stage_index("rollback"), None);
    assert!(rb.stage("rollback").is_some());
    assert_eq!(
        rb.placeholder_names().into_iter().collect::<Vec<_>>(),
        ["sip_domain"]
    );
}

#[test]
fn files_in_any_order_load_the_same() {
    let mut files = valid_files();
    files.reverse();
    assert_eq!(load(&files).unwrap(), load(&valid_files()).unwrap());
}

#[test]
fn rollback_is_offered_before_decommission_only() {
    let rb = load(&valid_files()).unwrap();
    assert!(rb.rollback_available("import"));
    assert!(rb.rollback_available("verify"));
    assert!(!rb.rollback_available("decommission"));
    assert!(!rb.rollback_available("hadr"));
    assert!(!rb.rollback_available("nonsense"));
}

#[test]
fn duplicate_item_id_is_refused_with_file_and_line() {
    let mut files = valid_files();
    files[3].1.push_str(
        "\n[[items]]\nid = \"prepare.one\"\ntitle = \"T\"\nkind = \"manual\"\n\
         guidance = \"G\"\nproof = \"P\"\nsource = \"S\"\n",
    );
    let err = load(&files).unwrap_err();
    let RunbookError::DuplicateItem {
        file,
        line,
        id,
        first_file,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (id.as_str(), file.as_str()),
        ("prepare.one", "03-prepare.toml")
    );
    assert_eq!(first_file, "03-prepare.toml");
    let second = files[3]
        .1
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("\"prepare.one\""))
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert_eq!(*line, second);
    assert!(
        err.to_string()
            .starts_with(&format!("03-prepare.toml:{second}:")),
        "{err}"
    );
}

#[test]
fn missing_stage_is_named() {
    let mut files = valid_files();
    files.remove(7);
    let err = load(&files).unwrap_err();
    assert_eq!(
        err,
        RunbookError::MissingStage {
            id: "files".into(),
            number: 7
        }
    );
    assert!(err.to_string().contains("07-files.toml"), "{err}");
}

#[test]
fn missing_rollback_is_named() {
    let mut files = valid_files();
    files.pop();
    assert_eq!(load(&files).unwrap_err(), RunbookError::MissingRollback);
}

#[test]
fn duplicate_stage_is_refused() {
    let mut files = valid_files();
    let copy = ("copy.toml".to_string(), files[2].1.clone());
    files.push(copy);
    let err = load(&files).unwrap_err();
    assert!(
        matches!(&err, RunbookError::DuplicateStage { id, first_file, .. } if id == "coexistence" && first_file == "02-coexistence.toml"),
        "{err:?}"
    );
}

#[test]
fn bad_toml_names_file_and_line() {
    let files = edited(5, "title = \"Item\"", "title = \"Item");
    let err = load(&files).unwrap_err();
    let RunbookError::Parse { file, line, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(file, "05-export.toml");
    let expected = files[5]
        .1
        .lines()
        .position(|l| l.starts_with("title = \"Item"))
        .unwrap()
        + 1;
    assert_eq!(*line, expected);
    assert!(
        err.to_string()
            .starts_with(&format!("05-export.toml:{expected}:")),
        "{err}"
    );
}

#[test]
fn unknown_key_and_bad_job_are_parse_errors() {
    let err = load(&edited(1, "proof = ", "prooof = ")).unwrap_err();
    assert!(
        matches!(&err, RunbookError::Parse { file, .. } if file == "01-build.toml"),
        "{err:?}"
    );
    let err = load(&edited(
        5,
        "kind = \"probe\"",
        "kind = \"probe\"\njob = \"exprot\"",
    ))
    .unwrap_err();
    assert!(
        matches!(&err, RunbookError::Parse { file, .. } if file == "05-export.toml"),
        "{err:?}"
    );
}

#[test]
fn unknown_stage_and_wrong_number_are_refused() {
    let err = load(&edited(0, "id = \"plan\"", "id = \"planning\"")).unwrap_err();
    assert!(matches!(err, RunbookError::UnknownStage { .. }), "{err:?}");
    let err = load(&edited(0, "number = 0", "number = 3")).unwrap_err();
    assert!(
        matches!(
            err,
            RunbookError::StageNumber {
                number: 3,
                expected: 0,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn item_in_wrong_file_is_refused_with_line() {
    let files = edited(8, "id = \"endpoint.one\"", "id = \"verify.moved\"");
    let err = load(&files).unwrap_err();
    let RunbookError::ItemInWrongStage { line, .. } = &err else {
        panic!("{err:?}")
    };
    let expected = files[8]
        .1
        .lines()
        .position(|l| l.contains("verify.moved"))
        .unwrap()
        + 1;
    assert_eq!(*line, expected);
}

#[test]
fn malformed_item_id_is_refused() {
    for bad in ["endpoint", "endpoint.", "endpoint.Upper", "endpoint.a b"] {
        let err = load(&edited(
            8,
            "id = \"endpoint.one\"",
            &format!("id = \"{bad}\""),
        ))
        .unwrap_err();
        assert!(
            matches!(err, RunbookError::BadItemId { .. }),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn downtime_needs_confirm_word_and_not_otherwise() {
    let err = load(&edited(5, "confirm_word = \"GO\"\n", "")).unwrap_err();
    assert!(
        matches!(&err, RunbookError::ConfirmWord { stage, .. } if stage == "export"),
        "{err:?}"
    );
    let err = load(&edited(
        0,
        "source = \"L13/x\"\n",
        "source = \"L13/x\"\nconfirm_word = \"X\"\n",
    ))
    .unwrap_err();
    assert!(matches!(err, RunbookError::ConfirmWord { .. }), "{err:?}");
}

#[test]
fn checklist_numbers_are_unique_and_in_their_stage() {
    let err = load(&edited(0, "checklist = 1\n", "checklist = 12\n")).unwrap_err();
    assert!(
        matches!(&err, RunbookError::ChecklistWrongStage { number: 12, expected, .. } if expected == "1–11"),
        "{err:?}"
    );
    let mut files = valid_files();
    files[0].1.push_str(
        "\n[[items]]\nid = \"plan.two\"\nchecklist = 1\ntitle = \"T\"\nkind = \"manual\"\n\
         guidance = \"G\"\nproof = \"P\"\nsource = \"S\"\n",
    );
    let err = load(&files).unwrap_err();
    assert!(
        matches!(&err, RunbookError::DuplicateChecklist { number: 1, first_id, .. } if first_id == "plan.one"),
        "{err:?}"
    );
    let err = load(&edited(
        13,
        "title = \"Item\"",
        "checklist = 5\ntitle = \"Item\"",
    ))
    .unwrap_err();
    assert!(
        matches!(err, RunbookError::ChecklistWrongStage { .. }),
        "{err:?}"
    );
}

#[test]
fn jobs_are_unique_and_not_on_rollback() {
    let mut files = edited(5, "kind = \"probe\"", "kind = \"task\"\njob = \"export\"");
    files[6].1 = files[6]
        .1
        .replacen("kind = \"probe\"", "kind = \"task\"\njob = \"export\"", 1);
    let err = load(&files).unwrap_err();
    assert!(
        matches!(&err, RunbookError::BadJob { id, .. } if id == "import.one"),
        "{err:?}"
    );
    let err = load(&edited(
        13,
        "kind = \"probe\"",
        "kind = \"task\"\njob = \"verify\"",
    ))
    .unwrap_err();
    assert!(matches!(err, RunbookError::BadJob { .. }), "{err:?}");
}

#[test]
fn placeholder_syntax_is_checked_in_cmdlets() {
    let err = load(&edited(2, "{{sip_domain}}", "{{sip_domain")).unwrap_err();
    assert!(
        matches!(&err, RunbookError::Placeholder { owner, field, .. } if owner == "coexistence.one" && field == "cmdlets"),
        "{err:?}"
    );
    assert!(err.to_string().contains("unclosed"), "{err}");
    let err = load(&edited(2, "{{sip_domain}}", "{{Sip Domain}}")).unwrap_err();
    assert!(matches!(err, RunbookError::Placeholder { .. }), "{err:?}");
}

#[test]
fn placeholders_outside_cmdlets_are_refused() {
    let err = load(&edited(
        2,
        "guidance = \"Do it.\"",
        "guidance = \"Do {{it}}.\"",
    ))
    .unwrap_err();
    assert!(
        matches!(&err, RunbookError::Placeholder { field, .. } if field == "guidance"),
        "{err:?}"
    );
}

#[test]
fn empty_text_is_refused() {
    let err = load(&edited(9, "proof = \"Seen.\"", "proof = \"  \"")).unwrap_err();
    assert!(
        matches!(&err, RunbookError::EmptyField { field, .. } if field == "proof"),
        "{err:?}"
    );
}

#[test]
fn rollback_needs_a_known_available_until() {
    let err = load(&edited(13, "available_until = \"decommission\"\n", "")).unwrap_err();
    assert!(
        matches!(err, RunbookError::AvailableUntil { .. }),
        "{err:?}"
    );
    let err = load(&edited(13, "\"decommission\"", "\"never\"")).unwrap_err();
    assert!(
        matches!(err, RunbookError::AvailableUntil { .. }),
        "{err:?}"
    );
    let err = load(&edited(
        0,
        "source = \"L13/x\"\n",
        "source = \"L13/x\"\navailable_until = \"hadr\"\n",
    ))
    .unwrap_err();
    assert!(
        matches!(err, RunbookError::AvailableUntil { .. }),
        "{err:?}"
    );
}

#[test]
fn embedded_runbook_loads() {
    let rb = Runbook::embedded().unwrap();
    assert_eq!(rb.stages.len(), 13);
}
