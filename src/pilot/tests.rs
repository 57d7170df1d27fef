//! Unit tests of the pilot rules and the CSV reader.

use super::*;

fn user(sip: &str, client: PilotClient, homed: Option<bool>, policy: Option<bool>) -> PilotUser {
    PilotUser {
        sip: sip.into(),
        display_name: default_display_name(sip),
        client,
        pool: None,
        pchat_policy: policy,
        homed_on_2013: homed,
        source: "test".into(),
        added_at: chrono::Utc::now(),
        added_by: "t".into(),
    }
}

fn matrix(users: Vec<PilotUser>, set: &[(&str, PilotCase, PilotOutcome)]) -> PilotResults {
    let mut results = Vec::new();
    for u in &users {
        for case in PilotCase::ALL {
            let result = set
                .iter()
                .find(|(s, c, _)| *s == u.sip && *c == case)
                .map(|(_, _, r)| *r)
                .unwrap_or(if case.applies_to(u.client) {
                    PilotOutcome::Todo
                } else {
                    PilotOutcome::NotApplicable
                });
            results.push(PilotResultRecord {
                sip: u.sip.clone(),
                case,
                result,
                note: None,
                who: Some("t".into()),
                at: None,
            });
        }
    }
    PilotResults { users, results }
}

#[test]
fn pilot_files_and_legacy_endpoint_apply_to_legacy_clients_only() {
    for c in PilotClient::ALL {
        assert!(PilotCase::SignIn.applies_to(c));
        assert!(PilotCase::History.applies_to(c));
        assert_eq!(PilotCase::Files.applies_to(c), c.is_legacy(), "{c}");
        assert_eq!(
            PilotCase::LegacyEndpoint.applies_to(c),
            c.is_legacy(),
            "{c}"
        );
    }
    assert!(
        PilotCase::Files
            .not_applicable_because(PilotClient::Lync2013)
            .unwrap()
            .contains("cannot post or view files")
    );
}

#[test]
fn pilot_names_round_trip() {
    for c in PilotCase::ALL {
        assert_eq!(c.id().parse::<PilotCase>().unwrap(), c);
    }
    for c in PilotClient::ALL {
        assert_eq!(c.as_str().parse::<PilotClient>().unwrap(), c);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            format!("\"{}\"", c.as_str())
        );
    }
    for o in PilotOutcome::ALL {
        assert_eq!(o.as_str().parse::<PilotOutcome>().unwrap(), o);
    }
    assert_eq!(
        "n/a".parse::<PilotOutcome>().unwrap(),
        PilotOutcome::NotApplicable
    );
    assert!(
        "lync2010"
            .parse::<PilotClient>()
            .unwrap_err()
            .contains("no Persistent Chat")
    );
}

#[test]
fn pilot_progress_counts_per_case_and_per_user() {
    let r = matrix(
        vec![
            user("sip:a@x.com", PilotClient::Lync2013, Some(true), Some(true)),
            user(
                "sip:b@x.com",
                PilotClient::Lync2010GroupChat,
                Some(true),
                Some(true),
            ),
        ],
        &[
            ("sip:a@x.com", PilotCase::SignIn, PilotOutcome::Pass),
            ("sip:a@x.com", PilotCase::Posts, PilotOutcome::Fail),
            ("sip:b@x.com", PilotCase::SignIn, PilotOutcome::Pass),
            ("sip:b@x.com", PilotCase::Files, PilotOutcome::Pass),
        ],
    );
    let p = progress(&r);
    assert_eq!(p.users, 2);
    let sign_in = &p.per_case[0];
    assert_eq!(sign_in.case, PilotCase::SignIn);
    assert_eq!(sign_in.counts.pass, 2);
    let files = p
        .per_case
        .iter()
        .find(|c| c.case == PilotCase::Files)
        .unwrap();
    assert_eq!((files.counts.pass, files.counts.na), (1, 1));
    assert_eq!(p.per_user[0].counts.fail, 1);
    assert_eq!(
        p.per_user[0].counts.na, 2,
        "lync 2013: files and endpoint n/a"
    );
    assert_eq!(p.per_user[1].counts.pass, 2);
    assert_eq!(p.users_failing, 1);
    assert_eq!(p.users_passed, 0);
    assert_eq!(p.totals.total(), 14);
    assert_eq!(p.totals.pass, 3);
    assert_eq!(p.totals.todo, 14 - 3 - 1 - 2);
    assert!(p.totals.percent_done() < 100);
}

#[test]
fn pilot_coexistence_evidence_rules() {
    let all_pass = |sip: &'static str, client: PilotClient| {
        PilotCase::ALL
            .into_iter()
            .filter(move |c| c.applies_to(client))
            .map(move |c| (sip, c, PilotOutcome::Pass))
    };
    // Nothing yet.
    let ev = coexistence_evidence(&PilotResults::default());
    assert_eq!(ev.len(), 3);
    assert!(ev.iter().all(|e| !e.passed));
    assert_eq!(ev[0].item_id, ITEM_PILOT_POLICY);
    assert_eq!(ev[1].item_id, ITEM_TEST_ROOM);
    assert_eq!(ev[2].item_id, ITEM_LEGACY_CLIENT);

    // Everyone passes; a legacy client among them.
    let mut set: Vec<_> = all_pass("sip:a@x.com", PilotClient::Lync2013).collect();
    set.extend(all_pass("sip:b@x.com", PilotClient::Lync2010GroupChat));
    let users = vec![
        user("sip:a@x.com", PilotClient::Lync2013, Some(true), Some(true)),
        user(
            "sip:b@x.com",
            PilotClient::Lync2010GroupChat,
            Some(true),
            Some(true),
        ),
    ];
    let ev = coexistence_evidence(&matrix(users.clone(), &set));
    assert!(ev.iter().all(|e| e.passed), "{ev:?}");
    assert!(ev[0].summary.starts_with("2 of 2"), "{}", ev[0].summary);

    // A user not homed on 2013 breaks item 26; one without policy too; unknown too.
    let mut u2 = users.clone();
    u2[0].homed_on_2013 = Some(false);
    let ev = coexistence_evidence(&matrix(u2, &set));
    assert!(!ev[0].passed);
    assert!(
        ev[0].summary.contains("not homed on 2013: sip:a@x.com"),
        "{}",
        ev[0].summary
    );
    let mut u3 = users.clone();
    u3[1].pchat_policy = None;
    let ev = coexistence_evidence(&matrix(u3, &set));
    assert!(!ev[0].passed);
    assert!(ev[0].summary.contains("not in the profile: sip:b@x.com"));

    // A failure in posting breaks item 27, and names the user.
    let mut s2 = set.clone();
    s2.retain(|(s, c, _)| !(*s == "sip:a@x.com" && *c == PilotCase::Posts));
    s2.push(("sip:a@x.com", PilotCase::Posts, PilotOutcome::Fail));
    let ev = coexistence_evidence(&matrix(users.clone(), &s2));
    assert!(ev[0].passed);
    assert!(!ev[1].passed);
    assert!(ev[1].summary.contains("sip:a@x.com"), "{}", ev[1].summary);
    assert!(ev[2].passed);

    // A legacy files failure breaks item 66; no legacy user at all too.
    let mut s3 = set.clone();
    s3.retain(|(s, c, _)| !(*s == "sip:b@x.com" && *c == PilotCase::Files));
    s3.push(("sip:b@x.com", PilotCase::Files, PilotOutcome::Fail));
    let ev = coexistence_evidence(&matrix(users.clone(), &s3));
    assert!(!ev[2].passed);
    assert!(ev[2].summary.contains("failed: sip:b@x.com"));
    let ev = coexistence_evidence(&matrix(users[..1].to_vec(), &set));
    assert!(!ev[2].passed);
    assert!(ev[2].summary.contains("no pilot user runs a legacy"));
}

#[test]
fn pilot_users_from_the_lab_profile_are_those_on_2013() {
    let (users, warnings) = users_from_profile(&crate::deployment::Profile::lab());
    let sips: Vec<_> = users.iter().map(|u| u.sip.as_str()).collect();
    // The lab profile's users on lyncpool (Lync 2013); the three homed on the Lync 2010 pool
    // are left out with a warning each.
    assert_eq!(
        sips,
        [
            "sip:pilot01@contoso.lab",
            "sip:pilot02@contoso.lab",
            "sip:pilot03@contoso.lab",
            "sip:sfb01@contoso.lab"
        ]
    );
    assert!(users.iter().all(|u| u.homed_on_2013 == Some(true)));
    // pilot03 has no Persistent Chat policy: kept, so item 26 can say so.
    assert_eq!(
        users
            .iter()
            .filter(|u| u.pchat_policy == Some(false))
            .count(),
        1
    );
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w.contains("legacy01")),
        "{warnings:?}"
    );
}

#[test]
fn pilot_csv_reads_quotes_bom_and_crlf() {
    let text = "\u{feff}SIP,Display_Name,client\r\n\
                sip:jane@contoso.com,\"Doe, Jane\",lync2013\r\n\
                \r\n\
                bob@contoso.com,,lync2010-groupchat\r\n\
                sip:q@contoso.com,\"say \"\"hi\"\"\",sfb\n";
    let users = users_from_csv(text, "p.csv").unwrap();
    assert_eq!(users.len(), 3);
    assert_eq!(users[0].display_name, "Doe, Jane");
    assert_eq!(users[1].sip, "sip:bob@contoso.com");
    assert_eq!(users[1].display_name, "bob");
    assert_eq!(users[1].client, PilotClient::Lync2010GroupChat);
    assert_eq!(users[2].display_name, "say \"hi\"");
    assert!(users.iter().all(|u| u.homed_on_2013.is_none()));
}

#[test]
fn pilot_csv_errors_name_line_and_column() {
    let cases = [
        ("sip,name,client\n", 1, 2, "header"),
        ("", 1, 0, "empty"),
        (
            "sip,display_name,client\nsip:a@x.com,A,lync2099\n",
            2,
            3,
            "unknown client",
        ),
        (
            "sip,display_name,client\nsip:a@x.com,A,lync2013\nnot a sip,B,lync2013\n",
            3,
            1,
            "not a SIP address",
        ),
        ("sip,display_name,client\nsip:a@x.com,A\n", 2, 2, "2 fields"),
        (
            "sip,display_name,client\nsip:a@x.com,\"A,lync2013\n",
            2,
            2,
            "not closed",
        ),
        (
            "sip,display_name,client\nsip:a@x.com,A,lync2013\n\nSIP:A@x.com,B,sfb\n",
            4,
            1,
            "already listed on line 2",
        ),
        (
            "sip,display_name,client\nsip:a@x.com,A,\n",
            2,
            3,
            "client is empty",
        ),
        (
            "sip,display_name,client\nsip:a@x.com,A,lync2010\n",
            2,
            3,
            "no Persistent Chat",
        ),
    ];
    for (text, line, column, needle) in cases {
        let e = users_from_csv(text, "pilot.csv").unwrap_err();
        assert_eq!((e.line, e.column), (line, column), "{text:?}: {e}");
        let msg = e.to_string();
        assert!(msg.contains(needle), "{msg}");
        assert!(msg.starts_with(&format!("pilot.csv line {line}")), "{msg}");
        if column > 0 {
            assert!(msg.contains(&format!("column {column} (")), "{msg}");
        }
    }
}
