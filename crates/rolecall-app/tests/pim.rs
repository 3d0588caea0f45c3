//! A person's own side of PIM against the emulator: Carlos (eligible for
//! Contributor on the gateway's resource group in the demo) activates it for
//! the longest the role allows, holds access while it runs, and ends it.

use rolecall_app::pim::{Activate, activate, deactivate};
use rolecall_testkit::*;

async fn may_deploy(azure: &rolecall_azure::Azure, scope: &str) -> bool {
    // Without any role there ARM does not even show him the subscription.
    rolecall_grants::plan::rights(
        azure,
        [scope.to_owned()],
        "Microsoft.Resources/deployments/write",
    )
    .await
    .map(|r| r[&scope.to_ascii_lowercase()])
    .unwrap_or(false)
}

#[tokio::test]
async fn an_eligible_person_activates_holds_access_and_ends_it() {
    let world = World::demo().await;
    let carlos = world.azure_as(CARLOS, &Default::default()).await;
    // Carlos reads nothing there before he activates: Olivia looks.
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let ask = Activate {
        scope: rg.clone(),
        role: "Contributor".into(),
        duration: None,
        justification: Some("Gateway incident 4711".into()),
        ticket: None,
    };
    assert!(!may_deploy(&carlos, &rg).await);
    // Not eligible at the subscription: ARM refuses, nothing is made.
    let elsewhere = activate(
        &carlos,
        &Activate {
            scope: voice(),
            ..ask.clone()
        },
    )
    .await
    .unwrap_err();
    assert!(
        olivia.arm.activations(&voice()).await.unwrap().is_empty(),
        "{elsewhere:?}"
    );

    // What he may activate, everywhere: Contributor, not active yet; and
    // Owner (permanently eligible), whose activation he asked for waits for
    // Olivia's approval.
    let mine = rolecall_app::pim::my_roles(&carlos).await.unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[0].role_name, "Contributor");
    assert!(mine[0].scope.eq_ignore_ascii_case(&rg));
    assert!(mine[0].eligible_until.is_some());
    assert_eq!(mine[0].active_until, None);
    assert_eq!(mine[0].awaiting_approval, None);
    assert_eq!(mine[1].role_name, "Owner");
    assert!(mine[1].eligible_until.is_none() && mine[1].active_until.is_none());
    assert!(mine[1].awaiting_approval.is_some());

    let made = activate(&carlos, &ask).await.unwrap();
    let mine = rolecall_app::pim::my_roles(&carlos).await.unwrap();
    assert!(mine[0].active_until.is_some(), "{mine:?}");
    // The longest the demo's policy allows for an activation.
    assert_eq!(made.duration, "PT8H");
    assert_eq!(made.status, "Provisioned");
    assert!(made.request_id.is_some());
    assert_eq!(olivia.arm.activations(&rg).await.unwrap().len(), 1);
    // Access while it runs: ARM's own evaluation says he may deploy there.
    assert!(may_deploy(&carlos, &rg).await);

    // Past PIM's five minutes he ends it; access ends with it.
    world.age_pim_schedules();
    deactivate(&carlos, &rg, "Contributor").await.unwrap();
    assert!(olivia.arm.activations(&rg).await.unwrap().is_empty());
    assert!(!may_deploy(&carlos, &rg).await);
}

#[tokio::test]
async fn a_person_with_no_other_access_activates_what_an_admin_made_them_eligible_for() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let mei = rolecall_grants::resolve::member(&olivia, "mei.chen@contosodemo.onmicrosoft.com")
        .await
        .unwrap();
    let grant = rolecall_grants::Grant::AzureRole(rolecall_grants::AzureRoleGrant {
        scope: rg.clone(),
        role_id: "b24988ac-6180-42a0-ab88-20f7382dd24c".into(),
        role_name: "Contributor".into(),
        member: mei,
        description: Some("Gateway rota".into()),
        schedule: Some(rolecall_grants::Schedule {
            eligible: true,
            duration: Some("P90D".into()),
            ..Default::default()
        }),
    });
    let planned = rolecall_grants::plan(&olivia, vec![grant]).await.unwrap();
    let made = rolecall_grants::apply(&olivia, &planned, &Default::default(), None, &|_| {}).await;
    assert!(
        matches!(made[0], rolecall_grants::Outcome::Created { .. }),
        "{made:?}"
    );

    // Mei sees nothing of the subscription; PIM still lets her act on what is hers.
    let mei = world
        .azure_as("mei.chen@contosodemo.onmicrosoft.com", &Default::default())
        .await;
    assert!(!may_deploy(&mei, &rg).await);
    let wrong = activate(&mei, &for_an_hour(rg.clone(), "Owner"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code, "NotEligible");
    assert!(
        wrong.message.contains("you are for: Contributor"),
        "{}",
        wrong.message
    );
    let activated = activate(&mei, &for_an_hour(rg.clone(), "Contributor"))
        .await
        .unwrap();
    assert_eq!(activated.duration, "PT1H");
    assert!(may_deploy(&mei, &rg).await);
}

#[tokio::test]
async fn access_that_ends_soon_is_listed_and_extended_within_the_roles_settings() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let nadia =
        rolecall_grants::resolve::member(&olivia, "nadia.novak@contosodemo.onmicrosoft.com")
            .await
            .unwrap();
    let grant = rolecall_grants::Grant::AzureRole(rolecall_grants::AzureRoleGrant {
        scope: rg.clone(),
        role_id: "acdd72a7-3385-48ef-bd42-f606fba81ae7".into(),
        role_name: "Reader".into(),
        member: nadia.clone(),
        description: Some("Gateway rota".into()),
        schedule: Some(rolecall_grants::Schedule {
            eligible: true,
            duration: Some("P10D".into()),
            ..Default::default()
        }),
    });
    let planned = rolecall_grants::plan(&olivia, vec![grant]).await.unwrap();
    rolecall_grants::apply(&olivia, &planned, &Default::default(), None, &|_| {}).await;

    // Within 30 days: hers (10 days), not the demo's Carlos (a year).
    let soon = rolecall_app::pim::expiring(&olivia, None, time::Duration::days(30))
        .await
        .unwrap();
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert_eq!(soon[0].grant.member.display_name, "Nadia Novak");
    assert_eq!(soon[0].grant.role_name, "Reader");
    assert!(soon[0].grant.schedule.as_ref().unwrap().eligible);
    let within_a_year_and_more =
        rolecall_app::pim::expiring(&olivia, None, time::Duration::days(400))
            .await
            .unwrap();
    assert_eq!(
        within_a_year_and_more.len(),
        2,
        "{within_a_year_and_more:?}"
    );

    // Longer than the role's settings allow: blocked before anything is written.
    let too_long =
        rolecall_app::pim::plan_extension(&olivia, vec![soon[0].grant.clone()], "P400D", None)
            .await
            .unwrap();
    assert!(
        matches!(&too_long.items[0].status, rolecall_grants::Status::Blocked { reason } if reason.contains("at most 365 days")),
        "{:?}",
        too_long.items[0].status
    );
    // 90 days from now: in place, extended, and no longer ending soon.
    let plan =
        rolecall_app::pim::plan_extension(&olivia, vec![soon[0].grant.clone()], "P90D", None)
            .await
            .unwrap();
    assert!(
        matches!(
            plan.items[0].status,
            rolecall_grants::Status::InPlace { .. }
        ),
        "{:?}",
        plan.items[0].status
    );
    let outcomes =
        rolecall_grants::apply::extend(&olivia, &plan, &Default::default(), None, &|_| {}).await;
    assert!(
        matches!(
            &outcomes[0],
            rolecall_grants::Outcome::Extended {
                request_id: Some(_)
            }
        ),
        "{outcomes:?}"
    );
    let after = rolecall_app::pim::expiring(&olivia, None, time::Duration::days(30))
        .await
        .unwrap();
    assert!(after.is_empty(), "{after:?}");
    let in_89 = rolecall_app::pim::expiring(&olivia, None, time::Duration::days(91))
        .await
        .unwrap();
    assert_eq!(in_89.len(), 1);
}

#[tokio::test]
async fn access_rolecall_made_that_ended_is_listed_from_the_journal_and_renewed() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let nadia =
        rolecall_grants::resolve::member(&olivia, "nadia.novak@contosodemo.onmicrosoft.com")
            .await
            .unwrap();
    let reader = |schedule| rolecall_grants::AzureRoleGrant {
        scope: rg.clone(),
        role_id: "acdd72a7-3385-48ef-bd42-f606fba81ae7".into(),
        role_name: "Reader".into(),
        member: nadia.clone(),
        description: Some("Gateway rota".into()),
        schedule: Some(schedule),
    };
    let scratch = tempfile::tempdir().unwrap();
    let journal = rolecall_grants::Journal::open(&scratch.path().join("journal.jsonl")).unwrap();
    let catalogue = rolecall_app::catalogue::Slot::default();
    let ctx = rolecall_app::Context {
        azure: &olivia,
        catalogue: &catalogue,
        journal: Some(&journal),
    };
    // Rolecall made Nadia eligible until some day...
    let rfc = &time::format_description::well_known::Rfc3339;
    let stamp = |t: time::OffsetDateTime| t.format(rfc).unwrap();
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(10);
    let made = reader(rolecall_grants::Schedule {
        eligible: true,
        until: Some(stamp(until)),
        ..Default::default()
    });
    let planned = rolecall_grants::plan(
        &olivia,
        vec![rolecall_grants::Grant::AzureRole(made.clone())],
    )
    .await
    .unwrap();
    let outcomes =
        rolecall_grants::apply(&olivia, &planned, &Default::default(), None, &|_| {}).await;
    assert!(
        matches!(outcomes[0], rolecall_grants::Outcome::Created { .. }),
        "{outcomes:?}"
    );
    // ...and twelve days have gone by: it ended two days ago, Azure lists it
    // no more, and the journal says when it ended.
    let shift = time::Duration::days(12);
    world.emulator.let_pim_time_pass(shift);
    let ended_on = until - shift;
    journal.record(
        "assign",
        &rolecall_grants::Grant::AzureRole(reader(rolecall_grants::Schedule {
            eligible: true,
            until: Some(stamp(ended_on)),
            ..Default::default()
        })),
        &outcomes[0],
    );
    // The same journal holds a grant in another tenant's subscription (the
    // admin signed in there once): not this session's to tell of.
    journal.record(
        "assign",
        &rolecall_grants::Grant::AzureRole(rolecall_grants::AzureRoleGrant {
            scope: "/subscriptions/0000aaaa-0000-4000-8000-00000000beef".into(),
            ..reader(rolecall_grants::Schedule {
                eligible: true,
                until: Some(stamp(ended_on)),
                ..Default::default()
            })
        }),
        &outcomes[0],
    );

    let listed = rolecall_app::pim::expiring(&olivia, Some(&journal), time::Duration::days(30))
        .await
        .unwrap();
    let ended: Vec<_> = listed.iter().filter(|e| e.ended).collect();
    assert_eq!(ended.len(), 1, "{listed:?}");
    assert_eq!(ended[0].grant.member.display_name, "Nadia Novak");
    assert!(ended[0].grant.schedule.as_ref().unwrap().eligible);
    // Looking back a day only: it ended before that.
    let yesterday = rolecall_app::pim::expiring(&olivia, Some(&journal), time::Duration::days(1))
        .await
        .unwrap();
    assert!(yesterday.iter().all(|e| !e.ended), "{yesterday:?}");

    // Renewing plans it as missing, then gives it back for 90 days.
    let plan =
        rolecall_app::pim::plan_extension(&olivia, vec![ended[0].grant.clone()], "P90D", None)
            .await
            .unwrap();
    assert!(
        matches!(plan.items[0].status, rolecall_grants::Status::ToCreate),
        "{:?}",
        plan.items[0].status
    );
    let outcomes = rolecall_app::pim::extend(ctx, &plan, &|_| {})
        .await
        .unwrap();
    assert!(
        matches!(
            &outcomes[0],
            rolecall_grants::Outcome::Renewed {
                request_id: Some(_)
            }
        ),
        "{outcomes:?}"
    );
    let back = rolecall_app::pim::expiring(&olivia, Some(&journal), time::Duration::days(91))
        .await
        .unwrap();
    let nadias: Vec<_> = back
        .iter()
        .filter(|e| e.grant.member.display_name == "Nadia Novak")
        .collect();
    assert_eq!(nadias.len(), 1, "{back:?}");
    assert!(
        !nadias[0].ended
            && nadias[0].ends > stamp(time::OffsetDateTime::now_utc() + time::Duration::days(89))
    );
    assert!(
        journal
            .entries()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "renew" && e["outcome"] == "renewed")
    );

    // What PIM never held (or let go over 30 days ago) cannot be renewed:
    // said so, nothing made.
    let never = rolecall_grants::AzureRoleGrant {
        scope: rg.clone(),
        ..reader(rolecall_grants::Schedule {
            eligible: false,
            ..Default::default()
        })
    };
    let plan = rolecall_app::pim::plan_extension(&olivia, vec![never], "P30D", Some("Rota"))
        .await
        .unwrap();
    let outcomes = rolecall_app::pim::extend(ctx, &plan, &|_| {})
        .await
        .unwrap();
    assert!(
        matches!(&outcomes[0], rolecall_grants::Outcome::Failed { code, message, .. }
            if code == "RoleAssignmentDoesNotExist" && message.contains("30 days")),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn an_activation_that_needs_approval_waits_is_withdrawn_or_approved_by_the_approver() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    // Reader at the voice subscription asks Olivia to approve activations
    // (as an admin sets it in PIM's role settings); Nadia is eligible.
    nadia_eligible_for_reader(&world, &olivia, |rule| {
        if rule["id"] == "Approval_EndUser_Assignment" {
            rule["setting"]["isApprovalRequired"] = true.into();
            rule["setting"]["approvalStages"][0]["primaryApprovers"] = serde_json::json!([
                {"id": user("olivia.owner"), "userType": "User", "isBackup": false, "description": "Olivia"}
            ]);
        }
    })
    .await;

    let nadia = world
        .azure_as(
            "nadia.novak@contosodemo.onmicrosoft.com",
            &Default::default(),
        )
        .await;
    let ask = Activate {
        scope: voice(),
        role: "Reader".into(),
        duration: Some("PT2H".into()),
        justification: Some("Incident 4711".into()),
        ticket: None,
    };
    let waiting = activate(&nadia, &ask).await.unwrap();
    assert_eq!(waiting.status, "PendingApproval");
    let mine = rolecall_app::pim::my_roles(&nadia).await.unwrap();
    let row = mine.iter().find(|r| r.role_name == "Reader").unwrap();
    assert!(
        row.awaiting_approval.is_some() && row.active_until.is_none(),
        "{row:?}"
    );

    // She withdraws it; nothing waits for Olivia any more.
    rolecall_app::pim::cancel_activation(&nadia, &voice(), "Reader")
        .await
        .unwrap();
    // (Carlos's activation of Owner, from the demo, waits for her too.)
    let from_nadia = |all: Vec<rolecall_app::pim::Awaiting>| {
        all.into_iter()
            .filter(|a| a.requested_by.starts_with("Nadia"))
            .collect::<Vec<_>>()
    };
    assert!(
        from_nadia(
            rolecall_app::pim::awaiting_my_approval(&olivia)
                .await
                .unwrap()
        )
        .is_empty()
    );
    let refused = rolecall_app::pim::cancel_activation(&nadia, &voice(), "Reader")
        .await
        .unwrap_err();
    assert_eq!(refused.code, "NothingWaiting");

    // She asks again; Olivia sees who asks for what, for how long and why.
    activate(&nadia, &ask).await.unwrap();
    let awaiting = from_nadia(
        rolecall_app::pim::awaiting_my_approval(&olivia)
            .await
            .unwrap(),
    );
    assert_eq!(awaiting.len(), 1, "{awaiting:?}");
    let a = &awaiting[0];
    assert!(a.requested_by.starts_with("Nadia Novak"), "{a:?}");
    assert_eq!(
        (
            a.role_name.as_str(),
            a.duration.as_str(),
            a.justification.as_str()
        ),
        ("Reader", "PT2H", "Incident 4711")
    );
    assert!(a.scope.eq_ignore_ascii_case(&voice()));
    // Nobody may approve their own; a decision needs a reason.
    assert!(
        rolecall_app::pim::awaiting_my_approval(&nadia)
            .await
            .unwrap()
            .is_empty()
    );
    let no_reason = rolecall_app::pim::decide(&olivia, &a.approval_id, true, " ")
        .await
        .unwrap_err();
    assert!(no_reason.message.contains("Say why"), "{no_reason:?}");
    rolecall_app::pim::decide(&olivia, &a.approval_id, true, "Known incident")
        .await
        .unwrap();
    let mine = rolecall_app::pim::my_roles(&nadia).await.unwrap();
    let row = mine.iter().find(|r| r.role_name == "Reader").unwrap();
    assert!(
        row.active_until.is_some() && row.awaiting_approval.is_none(),
        "{row:?}"
    );
    // Decided: nothing left to decide.
    let again = rolecall_app::pim::decide(&olivia, &a.approval_id, false, "Changed my mind")
        .await
        .unwrap_err();
    assert_eq!(again.code, "NothingToDecide");
}

#[tokio::test]
async fn an_activation_refused_for_want_of_mfa_says_to_sign_in_again_with_it() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    // Activating Reader at the voice subscription asks for MFA.
    let planned = nadia_eligible_for_reader(&world, &olivia, |rule| {
        if rule["id"] == "Enablement_EndUser_Assignment" {
            rule["enabledRules"] =
                serde_json::json!(["Justification", "MultiFactorAuthentication"]);
        }
    })
    .await;
    // The review named the rule before anyone activates.
    let policy = planned
        .policies
        .iter()
        .find(|p| p.role_name == "Reader")
        .unwrap();
    assert!(
        policy.activation.as_ref().is_some_and(|a| a.mfa),
        "{policy:?}"
    );

    world
        .emulator
        .with_state(|s| s.settings.mfa_at_sign_in = false);
    let nadia = world
        .azure_as(
            "nadia.novak@contosodemo.onmicrosoft.com",
            &Default::default(),
        )
        .await;
    let refused = activate(&nadia, &for_an_hour(voice(), "Reader"))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "RoleAssignmentRequestPolicyValidationFailed");
    assert!(
        refused
            .message
            .contains("multi-factor authentication, and this sign-in had none: sign in again"),
        "{refused:?}"
    );
}

/// An activation for one hour, with a justification and no ticket.
fn for_an_hour(scope: String, role: &str) -> Activate {
    Activate {
        scope,
        role: role.into(),
        duration: Some("PT1H".into()),
        justification: Some("Incident".into()),
        ticket: None,
    }
}

/// Reader's PIM settings at the voice subscription changed by `change` (as
/// an admin sets them), then Nadia made eligible for it for 90 days by
/// Olivia; the plan that did it.
async fn nadia_eligible_for_reader(
    world: &World,
    olivia: &rolecall_azure::Azure,
    change: impl Fn(&mut serde_json::Value),
) -> rolecall_grants::Plan {
    let reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    let mut rules = rolecall_emulator::arm::authorization::default_pim_rules();
    rules.iter_mut().for_each(change);
    world.emulator.with_state(|s| {
        s.arm
            .pim
            .policies
            .push(rolecall_emulator::arm::model::PimPolicy {
                scope: voice(),
                role: reader.into(),
                rules,
                last_modified_by: user("olivia.owner"),
                last_modified: "2026-12-01T00:00:00Z".into(),
            });
    });
    let nadia = rolecall_grants::resolve::member(olivia, "nadia.novak@contosodemo.onmicrosoft.com")
        .await
        .unwrap();
    let planned = rolecall_grants::plan(
        olivia,
        vec![rolecall_grants::Grant::AzureRole(
            rolecall_grants::AzureRoleGrant {
                scope: voice(),
                role_id: reader.into(),
                role_name: "Reader".into(),
                member: nadia,
                description: Some("Gateway rota".into()),
                schedule: Some(rolecall_grants::Schedule {
                    eligible: true,
                    duration: Some("P90D".into()),
                    ..Default::default()
                }),
            },
        )],
    )
    .await
    .unwrap();
    let made = rolecall_grants::apply(olivia, &planned, &Default::default(), None, &|_| {}).await;
    assert!(
        matches!(made[0], rolecall_grants::Outcome::Created { .. }),
        "{made:?}"
    );
    planned
}
