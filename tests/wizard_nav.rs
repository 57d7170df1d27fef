//! The runbook screen's logic without a terminal: `wizard::RunbookNav` driven by typed actions
//! against the embedded runbook and a derived migration. Nothing here imports `tui`: the
//! selection, the filter and what each key asks the wizard to do are checked as values.

use pchat_migrate::migration::{self, Migration};
use pchat_migrate::runbook::{ProvenBy, Runbook};
use pchat_migrate::store::{ItemRecord, ItemState, SessionFacts};
use pchat_migrate::wizard::{Action, FilterKey, Focus, NavEffect, Pending, RunbookNav};

fn runbook() -> Runbook {
    Runbook::embedded().expect("the embedded runbook loads")
}

fn derive(rb: &Runbook, facts: &SessionFacts) -> Migration {
    migration::derive(rb, facts)
}

fn done(facts: &mut SessionFacts, id: &str) {
    facts.records.insert(
        id.to_string(),
        ItemRecord {
            state: ItemState::Done,
            reason: None,
            who: "nav-test".into(),
            at: chrono::Utc::now(),
            note: None,
            note_who: None,
            note_at: None,
        },
    );
}

#[test]
fn moving_through_stages_and_items() {
    let rb = runbook();
    let m = derive(&rb, &SessionFacts::default());
    let mut nav = RunbookNav::default();
    assert_eq!(nav.focus, Focus::Stages);
    assert_eq!(nav.stage(&rb).id, rb.stages[0].id);

    // Down moves the stage; the checklist follows it and starts at its first item.
    assert!(nav.on_action(Action::Down, &rb, &m).is_empty());
    assert_eq!(nav.stage(&rb).id, rb.stages[1].id);
    assert_eq!(
        nav.item(&rb).map(|i| i.id.clone()),
        Some(rb.stages[1].items[0].id.clone())
    );

    // Bottom goes to the last row of the stage list: the rollback list.
    nav.on_action(Action::Bottom, &rb, &m);
    assert_eq!(nav.stage(&rb).id, rb.rollback.id);
    assert_eq!(nav.stage_idx, RunbookNav::stage_count(&rb) - 1);
    // It never goes past it.
    nav.on_action(Action::PageDown, &rb, &m);
    assert_eq!(nav.stage_idx, RunbookNav::stage_count(&rb) - 1);
    nav.on_action(Action::Top, &rb, &m);
    assert_eq!(nav.stage_idx, 0);

    // Enter on a stage asks to open it (through the gates); the wizard answers.
    let effects = nav.on_action(Action::Enter, &rb, &m);
    assert_eq!(
        effects,
        vec![NavEffect::Request(Pending::EnterStage(
            rb.stages[0].id.clone()
        ))]
    );
    // Tab moves the focus through the three panes and back.
    nav.on_action(Action::FocusNext, &rb, &m);
    assert_eq!(nav.focus, Focus::Items);
    nav.on_action(Action::Down, &rb, &m);
    assert_eq!(nav.item_idx, 1);
    nav.on_action(Action::FocusNext, &rb, &m);
    assert_eq!(nav.focus, Focus::Detail);
    // In the detail pane the movement keys scroll the text, not the selection.
    nav.on_action(Action::Down, &rb, &m);
    assert_eq!((nav.item_idx, nav.detail_scroll), (1, 1));
    nav.on_action(Action::Back, &rb, &m);
    assert_eq!(nav.focus, Focus::Items);
    nav.on_action(Action::FocusPrev, &rb, &m);
    assert_eq!(nav.focus, Focus::Stages);
}

#[test]
fn item_keys_ask_for_state_changes_from_the_derived_state() {
    let rb = runbook();
    let mut facts = SessionFacts::default();
    let mut nav = RunbookNav {
        focus: Focus::Items,
        ..RunbookNav::default()
    };
    let first = rb.stages[0].items[0].id.clone();

    let m = derive(&rb, &facts);
    assert_eq!(
        nav.on_action(Action::ToggleDone, &rb, &m),
        vec![NavEffect::Request(Pending::SetState {
            item_id: first.clone(),
            state: ItemState::Done,
            reason: None,
        })]
    );
    // Once the record says done, the same key asks for todo: the key reads the model.
    done(&mut facts, &first);
    let m = derive(&rb, &facts);
    assert_eq!(m.state(&first), ItemState::Done);
    assert_eq!(
        nav.on_action(Action::ToggleDone, &rb, &m),
        vec![NavEffect::Request(Pending::SetState {
            item_id: first.clone(),
            state: ItemState::Todo,
            reason: None,
        })]
    );
    assert_eq!(
        nav.on_action(Action::Skip, &rb, &m),
        vec![NavEffect::AskReason {
            item_id: first.clone(),
            state: ItemState::Skipped,
        }]
    );
    assert_eq!(
        nav.on_action(Action::Notes, &rb, &m),
        vec![NavEffect::EditNotes(first.clone())]
    );
    assert_eq!(
        nav.on_action(Action::CancelJob, &rb, &m),
        vec![NavEffect::CancelJob(first)]
    );
}

#[test]
fn run_asks_for_the_job_the_probe_or_says_there_is_none() {
    let rb = runbook();
    let m = derive(&rb, &SessionFacts::default());
    let find = |pred: &dyn Fn(&pchat_migrate::runbook::Item) -> bool| {
        rb.stages
            .iter()
            .enumerate()
            .find_map(|(s, st)| st.items.iter().position(pred).map(|i| (s, i)))
            .expect("such an item exists")
    };
    let at = |(s, i): (usize, usize)| RunbookNav {
        focus: Focus::Items,
        stage_idx: s,
        item_idx: i,
        ..RunbookNav::default()
    };

    let with_job = find(&|i| i.job.is_some());
    let mut nav = at(with_job);
    let id = nav.item(&rb).unwrap().id.clone();
    assert_eq!(
        nav.on_action(Action::RunJob, &rb, &m),
        vec![NavEffect::Request(Pending::RunJob(id))]
    );

    let probe = find(&|i| matches!(i.proven_by, Some(ProvenBy::ProbeCapacity)));
    let mut nav = at(probe);
    assert_eq!(
        nav.on_action(Action::RunJob, &rb, &m),
        vec![NavEffect::LegacyProbe]
    );

    let manual = find(&|i| i.job.is_none() && i.proven_by.is_none());
    let mut nav = at(manual);
    assert_eq!(
        nav.on_action(Action::RunJob, &rb, &m),
        vec![NavEffect::Say("status-no-job", true)]
    );
}

#[test]
fn the_filter_matches_across_stages_and_clears() {
    let rb = runbook();
    let m = derive(&rb, &SessionFacts::default());
    let mut nav = RunbookNav::default();
    nav.on_action(Action::Filter, &rb, &m);
    assert!(nav.filter_editing);
    assert_eq!(nav.focus, Focus::Items);
    for c in "whatif".chars() {
        nav.filter_key(FilterKey::Char(c));
    }
    let hits: Vec<String> = nav
        .visible_items(&rb)
        .iter()
        .map(|i| i.id.clone())
        .collect();
    assert!(!hits.is_empty(), "the -WhatIf items match");
    let whatif = rb
        .job_item(pchat_migrate::runbook::JobKind::ImportWhatIf)
        .unwrap();
    assert!(hits.contains(&whatif.id), "{hits:?}");
    // A filter searches every stage, not the selected one: "pool" is in many.
    let mut wide = RunbookNav {
        filter: "pool".into(),
        ..RunbookNav::default()
    };
    wide.clamp(&rb);
    let stages: std::collections::HashSet<_> = wide
        .visible_items(&rb)
        .iter()
        .map(|i| i.stage_id.clone())
        .collect();
    assert!(stages.len() >= 3, "{stages:?}");

    nav.filter_key(FilterKey::Done);
    assert!(!nav.filter_editing);
    assert_eq!(nav.filter, "whatif");
    nav.on_action(Action::Bottom, &rb, &m);
    assert_eq!(nav.item_idx, hits.len() - 1);
    // Back clears the filter first, then moves left.
    nav.on_action(Action::Back, &rb, &m);
    assert!(nav.filter.is_empty());
    assert_eq!(nav.item_idx, 0);
    nav.on_action(Action::Back, &rb, &m);
    assert_eq!(nav.focus, Focus::Stages);

    // A filter that matches nothing leaves no selection, and clamp keeps it at 0.
    nav.on_action(Action::Filter, &rb, &m);
    for c in "no-such-item-anywhere".chars() {
        nav.filter_key(FilterKey::Char(c));
    }
    nav.clamp(&rb);
    assert!(nav.visible_items(&rb).is_empty());
    assert_eq!(nav.item(&rb), None);
    nav.filter_key(FilterKey::Clear);
    assert!(nav.filter.is_empty() && !nav.filter_editing);
}

#[test]
fn rollback_opens_the_list_and_says_when_it_no_longer_applies() {
    let rb = runbook();
    let m = derive(&rb, &SessionFacts::default());
    let mut nav = RunbookNav::default();
    let effects = nav.on_action(Action::Rollback, &rb, &m);
    assert_eq!(nav.stage(&rb).id, rb.rollback.id);
    assert_eq!(nav.focus, Focus::Items);
    assert_eq!(effects.is_empty(), m.rollback_available, "{effects:?}");

    // Every irreversible item done: the list opens to read, and the wizard says so.
    let mut facts = SessionFacts::default();
    for st in &rb.stages {
        for it in st.items.iter().filter(|i| i.irreversible) {
            done(&mut facts, &it.id);
        }
    }
    let m = derive(&rb, &facts);
    assert!(!m.rollback_available);
    let mut nav = RunbookNav::default();
    assert_eq!(
        nav.on_action(Action::Rollback, &rb, &m),
        vec![NavEffect::Say("status-rollback-unavailable", true)]
    );
    assert_eq!(nav.stage(&rb).id, rb.rollback.id);
}

#[test]
fn other_screens_keys_do_nothing_here() {
    let rb = runbook();
    let m = derive(&rb, &SessionFacts::default());
    let mut nav = RunbookNav::default();
    let before = nav.clone();
    for a in [
        Action::ProbeNow,
        Action::PilotPass,
        Action::RunChecks,
        Action::StepStart,
        Action::SavePlan,
    ] {
        assert!(nav.on_action(a, &rb, &m).is_empty(), "{a:?}");
    }
    assert_eq!(nav, before);
}
