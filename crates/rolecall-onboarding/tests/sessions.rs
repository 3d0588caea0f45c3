//! Guided onboarding end to end against the emulator: preflight for each demo
//! admin, proposals, runs that apply, re-run as no-ops, offboard back to the
//! tenant as it was; a CSV of 50 people; ARM's limits; and a run killed in
//! the middle under faults, then resumed from the journal.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rolecall_emulator::demo_id;
use rolecall_grants::apply::ApplyOptions;
use rolecall_grants::custom_roles::Settle;
use rolecall_grants::plan::Status;
use rolecall_grants::runs::{self, RunOptions};
use rolecall_grants::{Journal, Outcome, RunKind};
use rolecall_onboarding::session::{Level, RoleState};
use rolecall_onboarding::{
    CsvLeftOut, CsvPerson, Limits, Request, Template, builtin, people_from_csv, prepare,
    prepare_offboarding, read_people_csv,
};
use rolecall_rbac::Catalogue;
use rolecall_testkit::*;

fn gateway() -> String {
    format!(
        "{}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod",
        voice()
    )
}

fn acs() -> String {
    format!(
        "{}/resourceGroups/rg-email/providers/Microsoft.Communication/communicationServices/acs-contoso-mail",
        messaging()
    )
}

fn template(id: &str) -> Template {
    builtin().into_iter().find(|t| t.id == id).unwrap()
}

const NADIA: &str = "nadia.novak@contosodemo.onmicrosoft.com";

fn request<'a>(template: &'a Template, input: (&str, String), people: &[&str]) -> Request<'a> {
    Request::new(
        template,
        Vec::new(),
        HashMap::from([(input.0.to_owned(), input.1)]),
        people.iter().map(|p| p.to_string()).collect(),
    )
}

fn options(catalogue: &Arc<Catalogue>) -> RunOptions {
    RunOptions {
        apply: ApplyOptions {
            concurrency: 4,
            replication_wait: Duration::from_secs(60),
            replication_retry_every: Duration::from_millis(200),
            // The tests age PIM's schedules themselves.
            pim_wait: Duration::ZERO,
        },
        settle: Settle {
            consistent_reads: 2,
            interval: Duration::from_millis(100),
            timeout: Duration::from_secs(60),
        },
        catalogue: Some(catalogue.clone()),
        ..Default::default()
    }
}

async fn catalogue(azure: &rolecall_azure::Azure) -> Arc<Catalogue> {
    Arc::new(
        rolecall_azure::catalogue::provider_operations(&azure.arm)
            .await
            .unwrap(),
    )
}

/// The tenant's access, as the emulator holds it: role assignments, app-role
/// assignments and custom roles, sorted.
fn snapshot(world: &World) -> Vec<String> {
    world.emulator.with_state(|s| {
        let mut all: Vec<String> = s
            .arm
            .role_assignments
            .iter()
            .map(|a| {
                format!(
                    "ra {} {} {}",
                    a.scope.to_ascii_lowercase(),
                    a.role_definition_name,
                    a.principal_id
                )
            })
            .chain(
                s.app_role_assignments
                    .iter()
                    .map(|a| format!("app {} {} {}", a.resource_id, a.app_role_id, a.principal_id)),
            )
            .chain(
                s.arm
                    .role_definitions
                    .iter()
                    .filter(|r| r.role_type == "CustomRole")
                    .map(|r| format!("role {} {}", r.name, r.role_name)),
            )
            .collect();
        all.sort();
        all
    })
}

fn temp_journal(name: &str) -> Journal {
    let dir =
        std::env::temp_dir().join(format!("rolecall-sessions-{name}-{}", uuid::Uuid::new_v4()));
    Journal::open(&dir.join("journal.jsonl")).unwrap()
}

#[test]
fn people_come_from_csv_files_as_admins_have_them() {
    // A header naming the column, a byte-order mark, spaces, duplicates.
    let csv = "\u{feff}displayName,userPrincipalName\nNadia,nadia@contoso.com\n Ivan , ivan@contoso.com \nNadia again,NADIA@contoso.com\n,\n";
    assert_eq!(
        people_from_csv(csv),
        ["nadia@contoso.com", "ivan@contoso.com"]
    );
    // No header: the first column.
    assert_eq!(
        people_from_csv("nadia@contoso.com\n5f3c0000-0000-4000-8000-000000000001,extra\n"),
        ["nadia@contoso.com", "5f3c0000-0000-4000-8000-000000000001"]
    );
    // An unknown header is skipped rather than taken for a person.
    assert_eq!(
        people_from_csv("who\nnadia@contoso.com\n"),
        ["nadia@contoso.com"]
    );
    assert!(people_from_csv("").is_empty());
}

#[test]
fn each_person_and_each_row_left_out_keeps_its_line_in_the_file() {
    // The issue's file: a header, four people, an empty row, a repeat, a
    // blank line (not a row) and a row too short for the column.
    let csv = "displayName,userPrincipalName\nNadia,nadia@contoso.com\nIvan,ivan@contoso.com\n,\n\nNadia again,NADIA@contoso.com\nOlga,olga@contoso.com\nShort\nPia,pia@contoso.com\n";
    let read = read_people_csv(csv);
    let person = |text: &str, line| CsvPerson {
        text: text.into(),
        line,
        terms: Default::default(),
    };
    assert_eq!(
        read.people,
        [
            person("nadia@contoso.com", 2),
            person("ivan@contoso.com", 3),
            person("olga@contoso.com", 7),
            person("pia@contoso.com", 9),
        ]
    );
    let left_out = |line, reason: &str| CsvLeftOut {
        line,
        reason: reason.into(),
    };
    assert_eq!(
        read.left_out,
        [
            left_out(4, "nothing in the userPrincipalName column"),
            left_out(6, "NADIA@contoso.com is on line 2 already"),
            left_out(8, "nothing in the userPrincipalName column"),
        ]
    );
    assert_eq!(read.column, "the userPrincipalName column");
}

#[tokio::test]
async fn preflight_says_what_each_demo_admin_may_do_before_anything_is_written() {
    let world = World::demo().await;
    let acg = template("acg-staff");
    let before = snapshot(&world);
    let mut blockers: HashMap<&str, Vec<String>> = HashMap::new();
    for admin in [OLIVIA, UMA, CARLOS, RITA] {
        let azure = world.azure_as(admin, &Default::default()).await;
        let catalogue = catalogue(&azure).await;
        let proposal = prepare(
            &azure,
            &request(&acg, ("gateway", gateway()), &[NADIA]),
            catalogue,
            &Limits::default(),
        )
        .await
        .unwrap();
        assert_eq!(proposal.members.len(), 1);
        assert!(
            proposal
                .checks
                .iter()
                .any(|c| c.level == Level::Warning && c.detail.contains("tenant")),
            "the tenant-wide app-role warning: {:?}",
            proposal.checks
        );
        blockers.insert(
            admin,
            proposal.blockers().map(|c| c.detail.clone()).collect(),
        );
    }
    assert!(blockers[OLIVIA].is_empty(), "{:?}", blockers[OLIVIA]);
    // Uma administers Azure access, not Entra: the app role is beyond her.
    assert_eq!(blockers[UMA].len(), 1, "{:?}", blockers[UMA]);
    assert!(blockers[UMA][0].contains("Cloud Application Administrator"));
    // Carlos may assign app roles, not Azure roles.
    assert!(
        blockers[CARLOS]
            .iter()
            .any(|b| b.contains("roleAssignments/write"))
    );
    assert!(
        !blockers[CARLOS]
            .iter()
            .any(|b| b.contains("Cloud Application Administrator"))
    );
    // Rita reads only: both scopes and the app role, each said once.
    assert_eq!(blockers[RITA].len(), 3, "{:?}", blockers[RITA]);
    assert_eq!(snapshot(&world), before, "a preflight writes nothing");
}

#[tokio::test]
async fn gateway_staff_onboard_rerun_and_offboard_back_to_where_the_tenant_was() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let acg = template("acg-staff");
    let req = request(&acg, ("gateway", gateway()), &[NADIA]);
    let journal = temp_journal("acg");
    let before = snapshot(&world);

    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
    assert_eq!(proposal.writes(), 3, "{:?}", proposal.plan);
    assert!(
        proposal
            .left_out
            .iter()
            .any(|l| l.starts_with("ProvisioningAPI.ReadUser"))
    );
    assert_eq!(
        proposal.title,
        "Onboarding Nadia Novak with Azure Communications Gateway staff"
    );
    let report = runs::execute(
        &olivia,
        &proposal.to_run(),
        &options(&catalogue)
            .with_plan(proposal.plan.clone())
            .journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(report.succeeded(), "{report:?}");
    let created: Vec<_> = report
        .grant_outcomes()
        .iter()
        .filter_map(|o| match o {
            Outcome::Created { request_id, .. } => Some(request_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(created.len(), 3);
    assert!(
        created.iter().all(Option::is_some),
        "every write has Azure's request id"
    );
    assert!(journal.unfinished().unwrap().is_empty());
    let after_onboarding = snapshot(&world);
    assert_eq!(after_onboarding.len(), before.len() + 3);

    // A second onboarding finds everything in place and writes nothing.
    let again = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert_eq!(again.writes(), 0, "{:?}", again.plan);
    assert!(again.plan.is_converged());

    // Offboarding removes exactly those three.
    let off = prepare_offboarding(&olivia, &req, catalogue.clone())
        .await
        .unwrap();
    assert_eq!(off.writes(), 3);
    let undone = runs::execute(
        &olivia,
        &off.to_run(),
        &options(&catalogue).journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(
        undone
            .grant_outcomes()
            .iter()
            .all(|o| matches!(o, Outcome::Removed { .. })),
        "{undone:?}"
    );
    assert_eq!(snapshot(&world), before);
    // Offboarding again has nothing to remove.
    let nothing = prepare_offboarding(&olivia, &req, catalogue).await.unwrap();
    assert_eq!(nothing.writes(), 0);
}

#[tokio::test]
async fn smtp_senders_get_their_custom_role_made_first_and_lose_it_when_nobody_holds_it() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let smtp = template("acs-smtp-sender");
    let relay = demo_id("sp:smtp-relay");
    let req = request(&smtp, ("acs", acs()), &[&relay]);
    let before = snapshot(&world);

    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
    assert_eq!(proposal.custom_roles.len(), 1);
    assert_eq!(proposal.custom_roles[0].state, RoleState::ToCreate);
    assert_eq!(proposal.writes(), 2, "the role, then its assignment");
    let report = runs::execute(&olivia, &proposal.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:?}");
    assert!(matches!(
        report.role_outcomes()[..],
        [Outcome::Created { .. }]
    ));

    let again = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert_eq!(again.custom_roles[0].state, RoleState::InPlace);
    assert_eq!(again.writes(), 0);

    let off = prepare_offboarding(&olivia, &req, catalogue.clone())
        .await
        .unwrap();
    assert_eq!(off.custom_roles[0].state, RoleState::ToDeleteIfUnused);
    assert!(off.checks.iter().all(|c| c.level == Level::Warning));
    let undone = runs::execute(&olivia, &off.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert!(undone.succeeded(), "{undone:?}");
    assert!(
        matches!(undone.role_outcomes()[..], [Outcome::Removed { .. }]),
        "{undone:?}"
    );
    assert_eq!(snapshot(&world), before);
}

/// A template whose custom role could hand out access is shown with a
/// warning in preflight (not silently), before anything is written.
#[tokio::test]
async fn a_template_role_that_can_assign_roles_is_flagged_before_anything_is_written() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let mut smtp = template("acs-smtp-sender");
    smtp.custom_roles[0]
        .actions
        .push("Microsoft.Authorization/roleAssignments/write".into());
    let relay = demo_id("sp:smtp-relay");
    let req = request(&smtp, ("acs", acs()), &[&relay]);
    let before = snapshot(&world);
    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    let warning = proposal
        .checks
        .iter()
        .find(|c| c.level == Level::Warning && c.detail.contains("assign roles"))
        .unwrap_or_else(|| panic!("no warning: {:?}", proposal.checks));
    assert!(
        warning.title.contains("Communication Services SMTP Sender"),
        "{warning:?}"
    );
    assert!(warning.detail.contains("Owner included"), "{warning:?}");
    assert_eq!(snapshot(&world), before, "nothing written");
}

#[tokio::test]
async fn an_admins_own_template_leaves_out_what_their_roles_already_cover() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let own = Template::parse(
        r#"{
          "id": "gateway-watchers", "name": "Gateway watchers",
          "inputs": [{"id": "rg", "label": "Resource group", "kind": "resourceGroup"}],
          "tasks": [
            {"id": "look", "title": "Look at the resource group", "grants": [{"azureRole": {"role": "Reader", "at": "rg"}}]},
            {"id": "support", "title": "Open support requests", "grants": [{"azureRole": {"role": "Support Request Contributor", "at": "rg"}}]}
          ]
        }"#,
        "gateway-watchers.json",
    )
    .unwrap();
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    // Olivia herself is Owner of the subscription: both are covered.
    let mine = prepare(
        &olivia,
        &request(&own, ("rg", rg.clone()), &[OLIVIA]),
        catalogue.clone(),
        &Limits::default(),
    )
    .await
    .unwrap();
    assert_eq!(mine.writes(), 0, "{:?}", mine.plan);
    assert!(
        mine.plan.items.iter().all(|i| matches!(
            &i.status,
            Status::Covered { by_role, .. } if by_role == "Owner"
        )),
        "{:?}",
        mine.plan
    );

    // Nadia gets both: neither role includes all of the other.
    let hers = prepare(
        &olivia,
        &request(&own, ("rg", rg), &[NADIA]),
        catalogue.clone(),
        &Limits::default(),
    )
    .await
    .unwrap();
    assert_eq!(hers.writes(), 2, "{:?} {:?}", hers.plan, hers.left_out);
    let report = runs::execute(&olivia, &hers.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert!(report.succeeded());
    let off = prepare_offboarding(
        &olivia,
        &request(
            &own,
            ("rg", format!("{}/resourceGroups/rg-voice-gateway", voice())),
            &[NADIA],
        ),
        catalogue.clone(),
    )
    .await
    .unwrap();
    assert_eq!(off.writes(), 2);
}

#[tokio::test]
async fn fifty_people_from_a_csv_each_get_the_grant_once() {
    let world = World::demo().await;
    let keys: Vec<String> = (1..=50).map(|n| format!("operator{n:02}")).collect();
    for key in &keys {
        world.emulator.create_user(key, &format!("Operator {key}"));
    }
    // Created long enough ago for ARM to see them.
    world
        .emulator
        .with_state(|s| s.directory.users.iter_mut().for_each(|u| u.created = None));
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let acg = template("acg-staff");
    let mut csv = String::from("displayName,userPrincipalName\n");
    for key in &keys {
        csv.push_str(&format!(
            "Operator {key},{key}@contosodemo.onmicrosoft.com\n"
        ));
    }
    csv.push_str("Nobody,nobody@contosodemo.onmicrosoft.com\n");
    let people = people_from_csv(&csv);
    assert_eq!(people.len(), 51);
    let mut req = request(&acg, ("gateway", gateway()), &[]);
    req.tasks = vec!["monitor".into()];
    req.people = people;

    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    let blockers: Vec<_> = proposal.blockers().collect();
    assert_eq!(blockers.len(), 1, "{blockers:?}");
    assert!(
        blockers[0].title.starts_with("1 of 51 people"),
        "{blockers:?}"
    );
    assert!(
        blockers[0]
            .detail
            .contains("nobody@contosodemo.onmicrosoft.com.")
    );

    req.people.pop();
    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
    assert_eq!(proposal.members.len(), 50);
    assert_eq!(proposal.writes(), 50);
    assert_eq!(
        proposal.title,
        "Onboarding 50 people with Azure Communications Gateway staff"
    );
    let report = runs::execute(&olivia, &proposal.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:?}");
    let readers = world.emulator.with_state(|s| {
        s.arm
            .role_assignments
            .iter()
            .filter(|a| a.scope.eq_ignore_ascii_case(&gateway()))
            .count()
    });
    let again = prepare(&olivia, &req, catalogue, &Limits::default())
        .await
        .unwrap();
    assert_eq!(again.writes(), 0);
    assert!(readers >= 50);
}

#[tokio::test]
async fn arms_limits_are_blockers_before_the_write_that_would_hit_them() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let used = world.emulator.with_state(|s| {
        let voice = voice().to_ascii_lowercase();
        s.arm
            .role_assignments
            .iter()
            .filter(|a| a.scope.to_ascii_lowercase().starts_with(&voice))
            .count()
    });
    let acg = template("acg-staff");
    let req = request(&acg, ("gateway", gateway()), &[NADIA]);
    // Two Azure roles to create, one left.
    let tight = Limits {
        assignments_per_subscription: used + 1,
        ..Limits::default()
    };
    let proposal = prepare(&olivia, &req, catalogue.clone(), &tight)
        .await
        .unwrap();
    let blocker = proposal
        .blockers()
        .find(|c| c.title.contains("role assignments"))
        .unwrap_or_else(|| panic!("{:?}", proposal.checks));
    assert!(
        blocker
            .detail
            .contains("creates 2 there but only 1 can still be made"),
        "{}",
        blocker.detail
    );

    // The custom-role limit of the directory.
    let customs = world.emulator.with_state(|s| {
        s.arm
            .role_definitions
            .iter()
            .filter(|r| r.role_type == "CustomRole")
            .count()
    });
    let smtp = template("acs-smtp-sender");
    let full = Limits {
        custom_roles_per_directory: customs,
        ..Limits::default()
    };
    let relay = demo_id("sp:smtp-relay");
    let proposal = prepare(
        &olivia,
        &request(&smtp, ("acs", acs()), &[&relay]),
        catalogue,
        &full,
    )
    .await
    .unwrap();
    assert!(
        proposal
            .blockers()
            .any(|c| c.title.contains("no custom roles left")),
        "{:?}",
        proposal.checks
    );
}

#[tokio::test]
async fn a_run_killed_halfway_under_faults_resumes_from_the_journal_with_every_grant_once() {
    let world = World::demo().await;
    let keys: Vec<String> = (1..=8).map(|n| format!("late{n}")).collect();
    for key in &keys {
        world.emulator.create_user(key, &format!("Late {key}"));
    }
    let olivia = world.azure_as(OLIVIA, &quick()).await;
    let catalogue = catalogue(&olivia).await;
    let acg = template("acg-staff");
    let mut req = request(&acg, ("gateway", gateway()), &[]);
    req.people = keys
        .iter()
        .map(|k| format!("{k}@contosodemo.onmicrosoft.com"))
        .collect();
    req.tasks = vec!["monitor".into(), "support".into()];
    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert_eq!(proposal.writes(), 16, "{:?}", proposal.checks);

    // Azure at its worst: slow, throttled writes, 5xx, dropped connections,
    // people the directory has not replicated to ARM yet.
    world.emulator.set_faults(rolecall_emulator::Faults {
        seed: 7,
        latency: Duration::from_millis(40),
        server_error_rate: 0.1,
        drop_rate: 0.05,
        principal_replication: Duration::from_millis(600),
        throttle: rolecall_emulator::Throttle {
            writes: (4.0, 8.0),
            ..Default::default()
        },
        ..Default::default()
    });
    let journal = temp_journal("kill");
    let run = proposal.to_run();
    let task = {
        let (olivia, journal, run, options) = (
            olivia.clone(),
            journal.clone(),
            run.clone(),
            options(&catalogue),
        );
        tokio::spawn(async move {
            runs::execute(&olivia, &run, &options.clone().journaled(&journal), &|_| {}).await
        })
    };
    // Killed once a few grants are written.
    let started = tokio::time::Instant::now();
    loop {
        let written = journal
            .unfinished()
            .unwrap()
            .first()
            .map_or(0, |u| u.written);
        if written >= 3 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run made no progress"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    task.abort();
    let _ = task.await;

    let pending = journal.unfinished().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].run, run);
    assert!(
        pending[0].written >= 3 && pending[0].written < 16,
        "{}",
        pending[0].written
    );

    let report = runs::resume(
        &olivia,
        &pending[0].run,
        &options(&catalogue).journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(report.succeeded(), "{report:?}");
    assert!(journal.unfinished().unwrap().is_empty());
    // The resumed run's report tells the whole run: all 16 created, those
    // before the kill with Azure's request id from the journal.
    let created: Vec<_> = report
        .grant_outcomes()
        .iter()
        .filter_map(|o| match o {
            Outcome::Created { request_id, .. } => Some(request_id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(created.len(), 16, "{report:?}");
    // Only a write the kill caught between Azure's answer and its journal
    // line (at most the 4 in flight) goes without its request id.
    assert!(
        created.iter().filter(|id| id.is_none()).count() <= 4,
        "{report:?}"
    );
    assert_eq!(report.undo().grants.len(), 16);

    // Every grant present exactly once.
    world.emulator.set_faults(Default::default());
    for grant in run.grant_list() {
        let rolecall_grants::Grant::AzureRole(g) = &grant else {
            unreachable!()
        };
        let n = world.emulator.with_state(|s| {
            s.arm
                .role_assignments
                .iter()
                .filter(|a| {
                    a.scope.eq_ignore_ascii_case(&g.scope)
                        && a.principal_id.eq_ignore_ascii_case(&g.member.id)
                        && a.role_definition_name.eq_ignore_ascii_case(&g.role_id)
                })
                .count()
        });
        assert_eq!(n, 1, "{}", grant.describe());
    }
    assert_eq!(run.kind, RunKind::Apply);
}

#[tokio::test]
async fn removing_all_access_of_a_person_takes_everything_they_hold_directly() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let acg = template("acg-staff");
    let proposal = prepare(
        &olivia,
        &request(&acg, ("gateway", gateway()), &[NADIA]),
        catalogue.clone(),
        &Limits::default(),
    )
    .await
    .unwrap();
    runs::execute(&olivia, &proposal.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    let nadia = user("nadia.novak");
    let direct_before = |world: &World| {
        world.emulator.with_state(|s| {
            s.arm
                .role_assignments
                .iter()
                .filter(|a| a.principal_id.eq_ignore_ascii_case(&nadia))
                .count()
                + s.app_role_assignments
                    .iter()
                    .filter(|a| a.principal_id.eq_ignore_ascii_case(&nadia))
                    .count()
        })
    };
    let held = direct_before(&world);
    assert!(held >= 3);

    let everything = rolecall_onboarding::prepare_removal_of_everything(
        &olivia,
        NADIA,
        // Overlapping scopes: the group's subscription holds the support role.
        &[
            format!("{}/resourceGroups/rg-voice-gateway", voice()),
            voice(),
        ],
        true,
    )
    .await
    .unwrap();
    assert!(!everything.is_blocked(), "{:?}", everything.checks);
    assert_eq!(everything.writes(), held, "{:?}", everything.plan);
    let report = runs::execute(&olivia, &everything.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert!(
        report
            .grant_outcomes()
            .iter()
            .all(|o| matches!(o, Outcome::Removed { .. })),
        "{report:?}"
    );
    assert_eq!(direct_before(&world), 0);

    // Rita may read but not remove: a blocker, nothing written.
    let rita = world.azure_as(RITA, &Default::default()).await;
    let olivias =
        rolecall_onboarding::prepare_removal_of_everything(&rita, OLIVIA, &[voice()], false)
            .await
            .unwrap();
    assert!(olivias.is_blocked());
}

#[tokio::test]
async fn a_custom_role_of_the_same_name_with_other_permissions_is_left_alone() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let smtp = template("acs-smtp-sender");
    let relay = demo_id("sp:smtp-relay");
    let req = request(&smtp, ("acs", acs()), &[&relay]);
    let first = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    let role = first.custom_roles[0].role.clone();
    // Someone made a role with the template's name by hand, with one
    // permission fewer, and others may hold it.
    let scope = role.draft.assignable_scopes[0].clone();
    let mut permissions = role.draft.permissions.clone();
    permissions[0].actions.pop();
    olivia
        .arm
        .put_role_definition(
            &scope,
            &role.guid,
            &rolecall_rbac::roles::RoleProperties {
                role_name: role.draft.role_name.clone(),
                role_type: "CustomRole".into(),
                description: "made by hand".into(),
                assignable_scopes: role.draft.assignable_scopes.clone(),
                permissions: permissions.clone(),
            },
        )
        .await
        .unwrap();
    let before = snapshot(&world);
    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    let blocker = proposal
        .blockers()
        .find(|c| c.title.contains("exists with other permissions"))
        .unwrap_or_else(|| panic!("{:?}", proposal.checks));
    assert!(blocker.detail.contains("Edit it in Custom roles"));
    // Even a run that skips the preflight does not change the role.
    let report = runs::execute(&olivia, &proposal.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert!(
        matches!(report.role_outcomes()[..], [Outcome::Blocked { .. }]),
        "{report:?}"
    );
    assert!(
        matches!(report.grant_outcomes()[..], [Outcome::Blocked { .. }]),
        "{report:?}"
    );
    assert_eq!(snapshot(&world), before);
}

#[tokio::test]
async fn undoing_a_run_removes_what_it_created_and_nothing_that_was_there_before() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let acg = template("acg-staff");
    let before = snapshot(&world);
    let onboard = |tasks: &[&str]| {
        let mut req = request(&acg, ("gateway", gateway()), &[NADIA]);
        req.tasks = tasks.iter().map(|t| t.to_string()).collect();
        req
    };
    let run = |tasks: &'static [&'static str]| {
        let (olivia, catalogue, req) = (&olivia, catalogue.clone(), onboard(tasks));
        async move {
            let proposal = prepare(olivia, &req, catalogue.clone(), &Limits::default())
                .await
                .unwrap();
            runs::execute(olivia, &proposal.to_run(), &options(&catalogue), &|_| {})
                .await
                .unwrap()
        }
    };
    let first = run(&["monitor"]).await;
    let after_first = snapshot(&world);
    let second = run(&["monitor", "support"]).await;
    assert!(second.grant_outcomes().contains(&Outcome::AlreadyInPlace));

    // The second run's undo leaves the Reader the first run made.
    let undo = rolecall_onboarding::prepare_undo(&olivia, second.undo())
        .await
        .unwrap();
    assert_eq!(undo.writes(), 1, "{:?}", undo.plan);
    runs::execute(&olivia, &undo.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert_eq!(snapshot(&world), after_first);

    // The first, from its JSON report as exported.
    let exported = serde_json::json!({
        "title": first.run.title,
        "grants": first.grants,
        "customRoles": [],
    })
    .to_string();
    let from_file = rolecall_grants::report::undo(&exported).unwrap();
    let undo = rolecall_onboarding::prepare_undo(&olivia, from_file)
        .await
        .unwrap();
    assert_eq!(undo.writes(), 1);
    runs::execute(&olivia, &undo.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert_eq!(snapshot(&world), before);
    // Undoing again: nothing left, and said so.
    let again = rolecall_onboarding::prepare_undo(&olivia, second.undo())
        .await
        .unwrap();
    assert_eq!(again.writes(), 0);
    assert!(again.checks.iter().any(|c| c.title == "Nothing to undo"));
}

/// A crafted report: it calls an Owner assignment someone made by hand (under
/// another name) "Reader for a contractor". The review shows the tenant's
/// names and says they differ, and the undo leaves that assignment: an undo
/// removes only what Rolecall made.
#[tokio::test]
async fn a_crafted_undo_file_shows_the_tenants_names_and_removes_nothing_it_did_not_make() {
    const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let nadia = rolecall_grants::resolve::member(&olivia, NADIA)
        .await
        .unwrap();
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    assign_by_hand(&olivia, &rg, OWNER, &nadia.id).await;
    let before = snapshot(&world);
    let crafted = serde_json::json!({
        "title": "Reader for a contractor",
        "grants": [{
            "grant": {
                "type": "azureRole",
                "scope": rg,
                "roleId": OWNER,
                "roleName": "Reader for a contractor",
                "member": {"id": nadia.id, "kind": "User", "displayName": "A contractor"}
            },
            "outcome": "created",
            "assignmentId": "x"
        }]
    })
    .to_string();
    let undo = rolecall_onboarding::prepare_undo(
        &olivia,
        rolecall_grants::report::undo(&crafted).unwrap(),
    )
    .await
    .unwrap();
    let item = &undo.plan.items[0];
    let rolecall_grants::Grant::AzureRole(g) = &item.grant else {
        panic!("{item:?}")
    };
    assert_eq!(g.role_name, "Owner", "the tenant's role name is shown");
    assert_eq!(g.member.display_name, "Nadia Novak");
    assert!(
        matches!(item.status, Status::Kept { .. }),
        "not Rolecall's assignment: {:?}",
        item.status
    );
    let differs: Vec<_> = undo
        .checks
        .iter()
        .filter(|c| c.title.contains("differs"))
        .collect();
    assert_eq!(differs.len(), 2, "{:?}", undo.checks);
    assert_eq!(undo.writes(), 0);
    runs::execute(&olivia, &undo.to_run(), &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert_eq!(snapshot(&world), before, "the hand-made Owner stays");

    // Even a removal run handed that grant directly removes only
    // Rolecall's own assignment name.
    let forced = rolecall_grants::Run::undoing("forced", vec![item.grant.clone()]);
    let report = runs::execute(&olivia, &forced, &options(&catalogue), &|_| {})
        .await
        .unwrap();
    assert_eq!(report.grant_outcomes(), [Outcome::AlreadyGone]);
    assert_eq!(snapshot(&world), before);
}

/// On resume, a grant the run set out to create but finds made by someone
/// else (another assignment name) is not reported as the run's work, so an
/// undo of that report could not take it either.
#[tokio::test]
async fn a_resumed_run_does_not_claim_what_someone_else_made() {
    const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let nadia = rolecall_grants::resolve::member(&olivia, NADIA)
        .await
        .unwrap();
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let grant = |rg: &str| {
        rolecall_grants::Grant::AzureRole(rolecall_grants::AzureRoleGrant {
            scope: rg.to_owned(),
            role_id: READER.into(),
            role_name: "Reader".into(),
            member: nadia.clone(),
            description: None,
            schedule: None,
        })
    };
    // Someone made Nadia's Reader by hand while the run was down.
    assign_by_hand(&olivia, &rg, READER, &nadia.id).await;
    let mut run = rolecall_grants::Run::new(RunKind::Apply, "interrupted", vec![grant(&rg)]);
    run.grants[0].to_create = true;
    let journal = temp_journal("resume-someone-else");
    let report = runs::resume(
        &olivia,
        &run,
        &options(&catalogue).journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(
        report.grant_outcomes(),
        [Outcome::AlreadyInPlace],
        "not the run's work"
    );
    assert!(report.undo().grants.is_empty(), "so its undo takes nothing");
}

/// A role assignment someone made outside Rolecall (the portal, a script):
/// under a random name, not Rolecall's deterministic one.
async fn assign_by_hand(azure: &rolecall_azure::Azure, scope: &str, role: &str, user: &str) {
    azure
        .arm
        .create_role_assignment(
            scope,
            &uuid::Uuid::new_v4().to_string(),
            &rolecall_azure::arm::NewRoleAssignment {
                role_definition_id: format!(
                    "{}/providers/Microsoft.Authorization/roleDefinitions/{role}",
                    voice()
                ),
                principal_id: user.to_owned(),
                principal_type: rolecall_azure::arm::PrincipalType::User,
                description: Some("made by hand".into()),
            },
        )
        .await
        .unwrap();
}

/// The emulator's PIM schedules of `kind` for `principal`, as "scope role end".
fn schedules_of(
    world: &World,
    kind: rolecall_emulator::arm::model::PimKind,
    principal: &str,
) -> Vec<String> {
    world.emulator.with_state(|s| {
        let mut all: Vec<String> = s
            .arm
            .pim
            .schedules
            .iter()
            .filter(|x| x.kind == kind && x.principal_id.eq_ignore_ascii_case(principal))
            .map(|x| {
                format!(
                    "{} {} {}",
                    x.scope.to_ascii_lowercase(),
                    x.role,
                    x.end.is_some()
                )
            })
            .collect();
        all.sort();
        all
    })
}

#[tokio::test]
async fn a_template_that_makes_people_eligible_shows_the_pim_rules_applies_and_offboards_through_pim()
 {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let mut acg = template("acg-staff");
    // Eligible for 90 days unless a grant says otherwise; Reader stays standing.
    acg.assignment = Some(rolecall_onboarding::template::Assignment {
        kind: rolecall_onboarding::template::AssignmentKind::Eligible,
        duration: Some("P90D".into()),
    });
    for task in &mut acg.tasks {
        for grant in &mut task.grants {
            if let rolecall_onboarding::template::GrantSpec::AzureRole {
                role, assignment, ..
            } = grant
                && role == "Reader"
            {
                *assignment = Some(rolecall_onboarding::template::Assignment {
                    kind: rolecall_onboarding::template::AssignmentKind::Active,
                    duration: None,
                });
            }
        }
    }
    acg.validate().unwrap();
    let mut req = request(&acg, ("gateway", gateway()), &[NADIA]);
    req.tasks = vec!["deploy".into(), "monitor".into()];
    req.terms.ends = Some(rolecall_onboarding::terms::parse_date("2099-12-31").unwrap());
    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
    let schedules: Vec<_> = proposal
        .plan
        .items
        .iter()
        .filter_map(|i| match &i.grant {
            rolecall_grants::Grant::AzureRole(r) => {
                Some((r.role_name.as_str(), r.schedule.clone()))
            }
            _ => None,
        })
        .collect();
    assert!(schedules.iter().any(|(role, s)| {
        *role == "Contributor"
            && s.as_ref()
                .is_some_and(|s| s.eligible && s.duration.as_deref() == Some("P90D"))
    }));
    assert!(
        schedules
            .iter()
            .any(|(role, s)| *role == "Reader" && s.is_none())
    );
    // The rules the preflight read, in words: the demo's default policy.
    let [policy] = proposal.plan.policies.as_slice() else {
        panic!(
            "one eligible role, one policy: {:?}",
            proposal.plan.policies
        );
    };
    assert_eq!(policy.role_name, "Contributor");
    assert_eq!(
        policy.describe(),
        "Eligible: at most 365 days. Activating: at most 8 hours, with a justification, no approval."
    );
    // The last day is far off: the eligibility ends before it, Reader does not end.
    let last_day = proposal
        .checks
        .iter()
        .find(|c| c.title == "Nadia Novak's last day is 2099-12-31")
        .expect("the last day is checked");
    assert_eq!(last_day.level, Level::Warning);
    assert!(
        last_day
            .detail
            .contains("Before it: Contributor at rg-voice-gateway ends "),
        "{}",
        last_day.detail
    );
    assert!(
        last_day.detail.contains("Role assignments → Ending soon"),
        "says where to extend it: {}",
        last_day.detail
    );
    assert!(
        last_day
            .detail
            .contains("After it: Reader at cgw-contoso-prod does not end."),
        "{}",
        last_day.detail
    );

    let journal = temp_journal("eligible");
    let report = runs::execute(
        &olivia,
        &proposal.to_run(),
        &options(&catalogue)
            .with_plan(proposal.plan.clone())
            .journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(report.succeeded(), "{report:?}");
    let nadia = user("nadia.novak");
    use rolecall_emulator::arm::model::PimKind;
    assert_eq!(
        schedules_of(&world, PimKind::Eligibility, &nadia),
        vec![format!(
            "{}/resourcegroups/rg-voice-gateway {} true",
            voice().to_ascii_lowercase(),
            rolecall_emulator::seed::builtin::CONTRIBUTOR
        )]
    );
    // The Role assignments view lists her eligibility, with its end, beside
    // what is active there.
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let listed = rolecall_grants::listing::assignments_at(&olivia, &rg)
        .await
        .unwrap();
    let hers: Vec<_> = listed
        .iter()
        .filter(|l| l.assignment.properties.principal_id == nadia)
        .collect();
    assert_eq!(hers.len(), 1, "{hers:?}");
    assert_eq!(hers[0].holding, rolecall_grants::listing::Holding::Eligible);
    assert_eq!(hers[0].role_name.as_deref(), Some("Contributor"));
    let ends = hers[0].ends.as_deref().expect("it ends");
    let ends =
        time::OffsetDateTime::parse(ends, &time::format_description::well_known::Rfc3339).unwrap();
    let days = (ends - time::OffsetDateTime::now_utc()).whole_days();
    assert!((89..=90).contains(&days), "{days} days");
    assert!(
        rolecall_grants::listing::to_csv(&listed).contains(",Eligible,"),
        "the download says how each is held"
    );
    // Planned again: the eligibility is in place, nothing to write.
    let again = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert_eq!(again.writes(), 0, "{:?}", again.plan);
    // The review says when the eligibility ends.
    assert!(
        again.plan.items.iter().any(|i| matches!(
            &i.status,
            Status::InPlace { ends: Some(end), .. } if end.len() >= 10
        )),
        "{:?}",
        again.plan
    );

    // Offboarding takes the eligibility through PIM and Reader as it was made
    // (past PIM's five minutes).
    world.age_pim_schedules();
    let off = prepare_offboarding(&olivia, &req, catalogue.clone())
        .await
        .unwrap();
    assert!(!off.is_blocked(), "{:?}", off.checks);
    assert_eq!(off.writes(), 2, "{:?}", off.plan);
    let undone = runs::execute(
        &olivia,
        &off.to_run(),
        &options(&catalogue).journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(undone.succeeded(), "{undone:?}");
    assert!(schedules_of(&world, PimKind::Eligibility, &nadia).is_empty());
    assert!(!snapshot(&world).iter().any(|s| s.ends_with(&nadia)));
}

#[tokio::test]
async fn the_admins_terms_stand_over_the_template_for_everyone_or_one_csv_row() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let acg = template("acg-staff");
    // Two people from a CSV: Nadia eligible until her last day (in 200
    // days, within the policy's year), Diego as the run says.
    let day = (time::OffsetDateTime::now_utc() + time::Duration::days(200)).date();
    let csv = format!(
        "userPrincipalName,assignment,until,lastDay\n\
        nadia.novak@contosodemo.onmicrosoft.com,eligible,{day},{day}\n\
        diego.alvarez@contosodemo.onmicrosoft.com,,,\n\
        mei.chen@contosodemo.onmicrosoft.com,elegible,,\n"
    );
    let read = read_people_csv(&csv);
    assert_eq!(read.people.len(), 2);
    assert_eq!(read.left_out.len(), 1);
    assert_eq!(read.left_out[0].line, 4);
    assert!(
        read.left_out[0]
            .reason
            .contains("'elegible' is not an assignment type"),
        "{:?}",
        read.left_out
    );
    let mut req = request(&acg, ("gateway", gateway()), &[]);
    req.tasks = vec!["deploy".into()];
    for p in read.people {
        req.per_person.insert(p.text.to_ascii_lowercase(), p.terms);
        req.people.push(p.text);
    }
    // Everyone else: active for 30 days, with a justification the policy asks.
    req.terms.choice = rolecall_onboarding::Choice::Schedule(rolecall_grants::Schedule {
        eligible: false,
        duration: Some("P30D".into()),
        ..Default::default()
    });
    req.terms.justification = Some("Gateway rota".into());
    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    assert!(!proposal.is_blocked(), "{:?}", proposal.checks);
    let by_person: HashMap<String, Option<rolecall_grants::Schedule>> = proposal
        .plan
        .items
        .iter()
        .filter_map(|i| match &i.grant {
            rolecall_grants::Grant::AzureRole(r) => {
                Some((r.member.display_name.clone(), r.schedule.clone()))
            }
            _ => None,
        })
        .collect();
    let nadia = by_person["Nadia Novak"].clone().unwrap();
    assert!(nadia.eligible);
    assert_eq!(nadia.until, Some(format!("{day}T23:59:59Z")));
    assert_eq!(nadia.justification.as_deref(), Some("Gateway rota"));
    let diego = by_person["Diego Alvarez"].clone().unwrap();
    assert!(!diego.eligible);
    assert_eq!(diego.duration.as_deref(), Some("P30D"));
    // Nadia's access ends on her last day: nothing to point out.
    assert!(
        !proposal.checks.iter().any(|c| c.title.contains("last day")),
        "{:?}",
        proposal.checks
    );
    assert_eq!(
        proposal.plan.policies.len(),
        2,
        "{:?}",
        proposal.plan.policies
    );

    // Standing for everyone, over the template and the rows alike.
    req.terms.choice = rolecall_onboarding::Choice::Standing;
    req.per_person.clear();
    let standing = prepare(&olivia, &req, catalogue, &Limits::default())
        .await
        .unwrap();
    assert!(standing.plan.items.iter().all(|i| match &i.grant {
        rolecall_grants::Grant::AzureRole(r) => r.schedule.is_none(),
        _ => true,
    }));
    assert!(standing.plan.policies.is_empty());
}

#[tokio::test]
async fn offboarding_finds_a_role_whichever_way_it_was_given() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = catalogue(&olivia).await;
    let mut acg = template("acg-staff");
    acg.assignment = Some(rolecall_onboarding::template::Assignment {
        kind: rolecall_onboarding::template::AssignmentKind::Eligible,
        duration: Some("P90D".into()),
    });
    let mut req = request(&acg, ("gateway", gateway()), &[NADIA]);
    req.tasks = vec!["deploy".into()];
    // Onboarded standing (the admin chose so, or the template said so then).
    req.terms.choice = rolecall_onboarding::Choice::Standing;
    let before = snapshot(&world);
    let proposal = prepare(&olivia, &req, catalogue.clone(), &Limits::default())
        .await
        .unwrap();
    let journal = temp_journal("either-way");
    let report = runs::execute(
        &olivia,
        &proposal.to_run(),
        &options(&catalogue).journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(report.succeeded(), "{report:?}");
    // The template now says eligible; offboarding still finds the assignment.
    req.terms.choice = rolecall_onboarding::Choice::AsTemplate;
    let off = prepare_offboarding(&olivia, &req, catalogue.clone())
        .await
        .unwrap();
    assert_eq!(off.writes(), 1, "{:?}", off.plan);
    assert_eq!(off.plan.items.len(), 1, "the form not held is not shown");
    let rolecall_grants::Grant::AzureRole(r) = &off.plan.items[0].grant else {
        panic!("an Azure role");
    };
    assert_eq!(r.schedule, None);
    let undone = runs::execute(
        &olivia,
        &off.to_run(),
        &options(&catalogue).journaled(&journal),
        &|_| {},
    )
    .await
    .unwrap();
    assert!(undone.succeeded(), "{undone:?}");
    assert_eq!(snapshot(&world), before);
}
