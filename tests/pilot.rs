//! The pilot against a real session database: users from the profile and from a CSV file,
//! results stored durably with their audit events, progress, and the evidence it gives the
//! Coexistence stage's items 26, 27 and 66.

use pchat_migrate::deployment::Profile;
use pchat_migrate::pilot::{
    self, ITEM_LEGACY_CLIENT, ITEM_PILOT_POLICY, ITEM_TEST_ROOM, PilotCase, PilotClient,
    PilotOutcome,
};
use pchat_migrate::runbook::Runbook;
use pchat_migrate::store::{Store, StoreError};

#[test]
fn pilot_items_are_the_coexistence_checklist_items_26_27_66() {
    let rb = Runbook::embedded().unwrap();
    for (id, n) in [
        (ITEM_PILOT_POLICY, 26),
        (ITEM_TEST_ROOM, 27),
        (ITEM_LEGACY_CLIENT, 66),
    ] {
        let item = rb.item(id).unwrap_or_else(|| panic!("no item {id}"));
        assert_eq!(item.checklist, Some(n), "{id}");
    }
}

#[test]
fn pilot_from_csv_and_profile_stored_durably_with_audit_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.db");
    let csv = "sip,display_name,client\n\
               sip:pilot01@contoso.lab,\"Pilot, One\",lync2013\n\
               sip:legacy01@contoso.lab,Legacy One,lync2010-groupchat\n\
               sip:newcomer@contoso.lab,,sfb\n";
    let profile = Profile::lab();
    let sid = {
        let mut s = Store::open(&db).unwrap();
        let sess = s.create_session("pilot", "lab", None, "pia").unwrap();
        let (from_profile, _) = pilot::users_from_profile(&profile);
        let added = s
            .add_pilot_users(sess.id, &from_profile, "profile", "pia")
            .unwrap();
        assert_eq!(
            added.added.len(),
            4,
            "the lab profile has four users on Lync 2013"
        );

        let mut from_csv = pilot::users_from_csv(csv, "pilot.csv").unwrap();
        pilot::enrich_from_profile(&mut from_csv, &profile);
        // pilot01 is known to the profile (homed on 2013, policy); legacy01 is homed on the
        // Lync 2010 pool; newcomer is unknown.
        assert_eq!(from_csv[0].homed_on_2013, Some(true));
        assert_eq!(from_csv[1].homed_on_2013, Some(false));
        assert_eq!(from_csv[2].homed_on_2013, None);
        let added = s
            .add_pilot_users(sess.id, &from_csv, "csv:pilot.csv", "pia")
            .unwrap();
        assert_eq!(
            added.added,
            ["sip:legacy01@contoso.lab", "sip:newcomer@contoso.lab"]
        );
        assert_eq!(
            added.updated,
            ["sip:pilot01@contoso.lab"],
            "new display name"
        );

        for case in [
            PilotCase::SignIn,
            PilotCase::SeesRooms,
            PilotCase::JoinsRoom,
            PilotCase::Posts,
            PilotCase::History,
        ] {
            s.set_pilot_result(
                sess.id,
                "sip:pilot01@contoso.lab",
                case,
                PilotOutcome::Pass,
                "",
                "pia",
            )
            .unwrap();
        }
        s.set_pilot_result(
            sess.id,
            "sip:legacy01@contoso.lab",
            PilotCase::Files,
            PilotOutcome::Fail,
            "file link opens a 404 page",
            "pia",
        )
        .unwrap();
        let e = s
            .set_pilot_result(
                sess.id,
                "sip:pilot01@contoso.lab",
                PilotCase::Files,
                PilotOutcome::Pass,
                "",
                "pia",
            )
            .unwrap_err();
        assert!(matches!(e, StoreError::PilotNotApplicable { .. }), "{e}");
        sess.id
    };

    // Reopened: everything is there.
    let mut s = Store::open(&db).unwrap();
    let results = s.pilot_results(sid).unwrap();
    assert_eq!(results.users.len(), 6);
    assert_eq!(
        results
            .user("sip:pilot01@contoso.lab")
            .unwrap()
            .display_name,
        "Pilot, One"
    );
    assert_eq!(
        results.user("sip:newcomer@contoso.lab").unwrap().client,
        PilotClient::SkypeForBusiness
    );
    let files = results
        .get("sip:legacy01@contoso.lab", PilotCase::Files)
        .unwrap();
    assert_eq!(files.result, PilotOutcome::Fail);
    assert_eq!(files.note.as_deref(), Some("file link opens a 404 page"));
    assert_eq!(files.who.as_deref(), Some("pia"));
    assert!(files.at.is_some());

    let p = pilot::progress(&results);
    assert_eq!(p.users, 6);
    assert_eq!(p.users_failing, 1);
    let posts = p
        .per_case
        .iter()
        .find(|c| c.case == PilotCase::Posts)
        .unwrap();
    assert_eq!((posts.counts.pass, posts.counts.todo), (1, 5));
    let files_case = p
        .per_case
        .iter()
        .find(|c| c.case == PilotCase::Files)
        .unwrap();
    assert_eq!((files_case.counts.fail, files_case.counts.na), (1, 5));

    let kinds: Vec<String> = s.audit(sid).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "pilot-users-added").count(),
        2
    );
    assert_eq!(kinds.iter().filter(|k| *k == "pilot-result").count(), 6);
    s.verify_audit(sid).unwrap();

    // Evidence for the coexistence items: 26 fails (legacy01 on 2010, newcomer unknown),
    // 27 passes (pilot01 joined and posted, nobody failed a chat case), 66 fails (files).
    let ev = pilot::record_coexistence_evidence(&mut s, sid, &results, "pia").unwrap();
    let by_item = |id: &str| ev.iter().find(|e| e.item_id == id).unwrap();
    let e26 = by_item(ITEM_PILOT_POLICY);
    assert_eq!(e26.evidence.passed, Some(false));
    assert!(
        e26.evidence
            .summary
            .contains("not homed on 2013: sip:legacy01@contoso.lab")
    );
    assert!(
        e26.evidence
            .summary
            .contains("not in the profile: sip:newcomer@contoso.lab")
    );
    assert_eq!(by_item(ITEM_TEST_ROOM).evidence.passed, Some(true));
    let e66 = by_item(ITEM_LEGACY_CLIENT);
    assert_eq!(e66.evidence.passed, Some(false));
    assert!(
        e66.evidence
            .summary
            .contains("failed: sip:legacy01@contoso.lab")
    );
    assert_eq!(
        s.evidence(sid, ITEM_TEST_ROOM).unwrap()[0].evidence.source,
        "pilot"
    );
}

#[test]
fn pilot_csv_error_names_the_file_line_and_column() {
    let e = pilot::users_from_csv(
        "sip,display_name,client\nsip:a@contoso.lab,A,lync2013\nsip:b@contoso.lab,B,teams\n",
        "pilot.csv",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "pilot.csv line 3, column 3 (client): unknown client \"teams\"; expected one of \
         lync2013, lync2013-basic, sfb, lync2010-groupchat, ocs2007r2-groupchat"
    );
}
