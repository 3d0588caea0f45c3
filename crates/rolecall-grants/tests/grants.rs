//! Planning, applying, re-running and undoing grants against the emulator.

use std::sync::Mutex;
use std::time::Duration;

use futures::TryStreamExt;
use rolecall_emulator::{ACG_APP_ID, demo_id};
use rolecall_grants::{
    AppRoleGrant, ApplyOptions, AzureRoleGrant, Grant, ItemEvent, Journal, Member, MemberKind,
    Outcome, Removes, Schedule, Status, apply, plan, remove,
};
use rolecall_testkit::*;

const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

fn person(key: &str, name: &str) -> Member {
    Member {
        id: user(key),
        kind: MemberKind::User,
        display_name: name.into(),
        detail: Some(format!("{key}@contosodemo.onmicrosoft.com")),
    }
}

fn operators() -> Member {
    Member {
        id: demo_id("group:acg-operators"),
        kind: MemberKind::Group,
        display_name: "ACG Operators".into(),
        detail: None,
    }
}

fn gateway_rg() -> String {
    format!("{}/resourceGroups/rg-voice-gateway", voice())
}

fn azure_role(scope: &str, role: &str, name: &str, member: Member) -> Grant {
    Grant::AzureRole(AzureRoleGrant {
        scope: scope.into(),
        role_id: role.into(),
        role_name: name.into(),
        member,
        description: Some("Onboarding test".into()),
        schedule: None,
    })
}

fn read_user(member: Member) -> Grant {
    Grant::AppRole(AppRoleGrant {
        resource_id: demo_id("sp:acg"),
        resource_name: "AzureCommunicationsGateway".into(),
        app_id: ACG_APP_ID.into(),
        app_role_id: demo_id("approle:acg:ProvisioningAPI.ReadUser"),
        app_role_value: "ProvisioningAPI.ReadUser".into(),
        member,
    })
}

fn journal() -> Journal {
    let path = std::env::temp_dir()
        .join(format!("rolecall-journal-{}", uuid::Uuid::new_v4()))
        .join("journal.jsonl");
    Journal::open(&path).unwrap()
}

/// Every progress event of a run, in order.
#[derive(Default)]
struct Events(Mutex<Vec<ItemEvent>>);

impl Events {
    fn push(&self, event: ItemEvent) {
        self.0.lock().unwrap().push(event);
    }

    fn all(&self) -> Vec<ItemEvent> {
        self.0.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn plan_apply_and_a_rerun_that_changes_nothing() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let nadia = person("nadia.novak", "Nadia Novak");
    let gateway = format!(
        "{}/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod",
        gateway_rg()
    );
    let grants = vec![
        azure_role(&gateway_rg(), CONTRIBUTOR, "Contributor", nadia.clone()),
        azure_role(&gateway_rg(), CONTRIBUTOR, "Contributor", operators()),
        read_user(nadia.clone()),
        // Rita holds Reader on the whole subscription: covered already.
        azure_role(
            &gateway,
            READER,
            "Reader",
            person("rita.reader", "Rita Reader"),
        ),
    ];

    let first = plan(&olivia, grants.clone()).await.unwrap();
    let states: Vec<_> = first.items.iter().map(|i| &i.status).collect();
    assert_eq!(states[0], &Status::ToCreate);
    assert_eq!(states[1], &Status::ToCreate);
    assert_eq!(states[2], &Status::ToCreate);
    assert!(
        matches!(states[3], Status::Inherited { from_scope } if from_scope.eq_ignore_ascii_case(&voice())),
        "{:?}",
        states[3]
    );

    let journal = journal();
    let log = Events::default();
    let outcomes = apply(
        &olivia,
        &first,
        &ApplyOptions::default(),
        Some(&journal),
        &|e| log.push(e),
    )
    .await;
    assert!(
        matches!(outcomes[0], Outcome::Created { .. }),
        "{outcomes:?}"
    );
    assert!(matches!(outcomes[1], Outcome::Created { .. }));
    assert!(matches!(outcomes[2], Outcome::Created { .. }));
    assert!(matches!(outcomes[3], Outcome::Inherited { .. }));
    let finished = log
        .all()
        .iter()
        .filter(|e| matches!(e, ItemEvent::Finished { .. }))
        .count();
    assert_eq!(finished, 4, "one result per item");
    assert_eq!(
        journal.entries().unwrap().len(),
        3,
        "three writes journaled"
    );

    // Azure holds them, under the deterministic names.
    let Grant::AzureRole(first_grant) = &grants[0] else {
        unreachable!()
    };
    let name = first_grant.assignment_name();
    assert!(
        world
            .emulator
            .with_state(|s| s.arm.role_assignments.iter().any(|a| a.name == name))
    );
    assert!(world.emulator.with_state(|s| {
        s.app_role_assignments
            .iter()
            .any(|a| a.principal_id == nadia.id)
    }));

    // A re-run: everything in place, nothing written.
    let again = plan(&olivia, grants.clone()).await.unwrap();
    assert!(again.is_converged(), "{:?}", again.items);
    let outcomes = apply(
        &olivia,
        &again,
        &ApplyOptions::default(),
        Some(&journal),
        &|_| {},
    )
    .await;
    assert!(
        outcomes[..3].iter().all(|o| *o == Outcome::AlreadyInPlace),
        "{outcomes:?}"
    );
    assert_eq!(
        journal.entries().unwrap().len(),
        3,
        "a re-run writes nothing"
    );

    // Undo: removed, then already gone; the inherited Reader is not touched.
    let undone = remove(
        &olivia,
        &grants,
        Removes::Any,
        &ApplyOptions::default(),
        Some(&journal),
        &|_| {},
    )
    .await;
    assert!(
        undone[..3].iter().all(|o| matches!(
            o,
            Outcome::Removed {
                request_id: Some(_)
            }
        )),
        "{undone:?}"
    );
    assert_eq!(undone[3], Outcome::AlreadyGone);
    let undone = remove(
        &olivia,
        &grants[..3],
        Removes::Any,
        &ApplyOptions::default(),
        Some(&journal),
        &|_| {},
    )
    .await;
    assert!(undone.iter().all(|o| *o == Outcome::AlreadyGone));
    assert!(
        world
            .emulator
            .with_state(|s| s.arm.role_assignments.iter().all(|a| a.name != name))
    );
    assert_eq!(journal.entries().unwrap().len(), 6);
}

#[tokio::test]
async fn an_admin_without_the_right_is_stopped_before_any_write() {
    let world = World::demo().await;
    let grants = vec![
        azure_role(
            &gateway_rg(),
            CONTRIBUTOR,
            "Contributor",
            person("tom.baker", "Tom Baker"),
        ),
        read_user(person("tom.baker", "Tom Baker")),
    ];
    let assignments_before = world.emulator.with_state(|s| s.arm.role_assignments.len());

    // Rita reads; she may grant nothing.
    let rita = world.azure_as(RITA, &Default::default()).await;
    let planned = plan(&rita, grants.clone()).await.unwrap();
    assert_eq!(planned.blocked().count(), 2);
    let Status::Blocked { reason } = &planned.items[0].status else {
        panic!()
    };
    assert!(
        reason.contains("roleAssignments/write") && reason.contains("rg-voice-gateway"),
        "{reason}"
    );
    let outcomes = apply(&rita, &planned, &ApplyOptions::default(), None, &|_| {}).await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Blocked { .. }))
    );

    // Uma administers access on the subscription but holds no directory role.
    let uma = world.azure_as(UMA, &Default::default()).await;
    let planned = plan(&uma, grants).await.unwrap();
    assert_eq!(planned.items[0].status, Status::ToCreate);
    let Status::Blocked { reason } = &planned.items[1].status else {
        panic!()
    };
    assert!(
        reason.contains("Cloud Application Administrator"),
        "{reason}"
    );

    assert_eq!(
        world.emulator.with_state(|s| s.arm.role_assignments.len()),
        assignments_before,
        "planning writes nothing"
    );
}

#[tokio::test]
async fn a_member_created_moments_ago_is_retried_until_the_directory_replicates() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    world.emulator.set_faults(rolecall_emulator::Faults {
        principal_replication: Duration::from_secs(2),
        ..Default::default()
    });
    let newcomer = Member {
        id: world.emulator.create_user("new.operator", "New Operator"),
        kind: MemberKind::User,
        display_name: "New Operator".into(),
        detail: None,
    };
    let grants = vec![azure_role(&gateway_rg(), READER, "Reader", newcomer)];
    let planned = plan(&olivia, grants).await.unwrap();
    let log = Events::default();
    let options = ApplyOptions {
        replication_retry_every: Duration::from_millis(300),
        ..ApplyOptions::default()
    };
    let outcomes = apply(&olivia, &planned, &options, None, &|e| log.push(e)).await;
    assert!(
        matches!(outcomes[0], Outcome::Created { .. }),
        "{outcomes:?}"
    );
    assert!(
        log.all()
            .iter()
            .any(|e| matches!(e, ItemEvent::WaitingForReplication { .. })),
        "the wait was reported"
    );

    // Gave up after the wait allowed: failed, with ARM's code.
    world.emulator.set_faults(rolecall_emulator::Faults {
        principal_replication: Duration::from_secs(600),
        ..Default::default()
    });
    let later = Member {
        id: world
            .emulator
            .create_user("later.operator", "Later Operator"),
        kind: MemberKind::User,
        display_name: "Later Operator".into(),
        detail: None,
    };
    let planned = plan(
        &olivia,
        vec![azure_role(&gateway_rg(), READER, "Reader", later)],
    )
    .await
    .unwrap();
    let options = ApplyOptions {
        replication_wait: Duration::from_millis(700),
        replication_retry_every: Duration::from_millis(200),
        ..ApplyOptions::default()
    };
    let outcomes = apply(&olivia, &planned, &options, None, &|_| {}).await;
    assert!(
        matches!(&outcomes[0], Outcome::Failed { code, .. } if code == "PrincipalNotFound"),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn made_elsewhere_between_plan_and_apply_counts_as_done() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let priya = person("priya.shah", "Priya Shah");
    let planned = plan(
        &olivia,
        vec![azure_role(&gateway_rg(), READER, "Reader", priya.clone())],
    )
    .await
    .unwrap();
    assert_eq!(planned.items[0].status, Status::ToCreate);
    // Someone else assigns it meanwhile, under a random name.
    olivia
        .arm
        .create_role_assignment(
            &gateway_rg(),
            &uuid::Uuid::new_v4().to_string(),
            &rolecall_azure::arm::NewRoleAssignment {
                role_definition_id: role_id(&voice(), READER),
                principal_id: priya.id.clone(),
                principal_type: rolecall_azure::arm::PrincipalType::User,
                description: None,
            },
        )
        .await
        .unwrap();
    let outcomes = apply(&olivia, &planned, &ApplyOptions::default(), None, &|_| {}).await;
    assert_eq!(outcomes, [Outcome::AlreadyInPlace]);
    // And removal finds it whatever its name.
    let undone = remove(
        &olivia,
        &[planned.items[0].grant.clone()],
        Removes::Any,
        &ApplyOptions::default(),
        None,
        &|_| {},
    )
    .await;
    assert!(
        matches!(undone[..], [Outcome::Removed { .. }]),
        "{undone:?}"
    );
}

#[tokio::test]
async fn what_applies_at_a_scope_named_with_inherited_and_orphaned_assignments() {
    use rolecall_grants::listing::{assignments_at, to_csv};
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    // An assignment whose user is then deleted: the portal's "Identity not found".
    let ghost = world.emulator.create_user("ghost.user", "Ghost User");
    let planned = plan(
        &olivia,
        vec![azure_role(
            &gateway_rg(),
            READER,
            "Reader",
            Member {
                id: ghost.clone(),
                kind: MemberKind::User,
                display_name: "Ghost User".into(),
                detail: None,
            },
        )],
    )
    .await
    .unwrap();
    apply(&olivia, &planned, &ApplyOptions::default(), None, &|_| {}).await;
    world
        .emulator
        .with_state(|s| s.directory.users.retain(|u| u.id != ghost));

    let listed = assignments_at(&olivia, &gateway_rg()).await.unwrap();
    let owner = listed
        .iter()
        .find(|l| l.role_name.as_deref() == Some("Owner"))
        .expect("Olivia's Owner on the subscription applies here");
    assert!(owner.inherited);
    assert_eq!(owner.member.as_ref().unwrap().display_name, "Olivia Owner");
    let direct = listed
        .iter()
        .find(|l| l.role_name.as_deref() == Some("Contributor") && !l.inherited)
        .expect("the deploy identity's Contributor is made here");
    assert_eq!(
        direct.member.as_ref().unwrap().kind,
        MemberKind::ServicePrincipal
    );
    let orphan = listed
        .iter()
        .find(|l| l.assignment.properties.principal_id == ghost)
        .unwrap();
    assert!(orphan.member.is_none() && !orphan.inherited);

    let csv = to_csv(&listed);
    assert_eq!(csv.lines().count(), listed.len() + 1);
    assert!(
        csv.lines()
            .any(|l| l.contains("Identity not found") && l.contains(&ghost))
    );
}

#[tokio::test]
async fn member_search_finds_by_name_upn_and_ids_and_flags_what_to_beware_of() {
    use rolecall_grants::resolve::search;
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &Default::default()).await;
    let by_name = search(&azure, "nad", 10).await.unwrap();
    assert_eq!(by_name.len(), 1);
    assert_eq!(by_name[0].member.display_name, "Nadia Novak");
    assert_eq!(by_name[0].label, "User");
    let by_upn = search(&azure, "nadia.novak@contosodemo.onmicrosoft.com", 10)
        .await
        .unwrap();
    assert_eq!(by_upn[0].member.id, user("nadia.novak"));
    let by_app_id = search(&azure, ACG_APP_ID, 10).await.unwrap();
    assert_eq!(
        by_app_id[0].member.display_name,
        "AzureCommunicationsGateway"
    );
    assert_eq!(by_app_id[0].warning, None);
    let identity = search(&azure, "id-voice", 10).await.unwrap();
    assert_eq!(identity[0].label, "Managed identity");
    let look_alike = search(&azure, "Project", 10).await.unwrap();
    let synergy = look_alike
        .iter()
        .find(|f| f.member.display_name == "Project Synergy")
        .unwrap();
    assert!(synergy.warning.as_deref().unwrap().contains(ACG_APP_ID));
}

#[tokio::test]
async fn a_disabled_subscription_is_a_blocker_before_any_write() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let old = format!("{}/resourceGroups/rg-old", legacy());
    let planned = plan(
        &olivia,
        vec![azure_role(
            &old,
            READER,
            "Reader",
            person("tom.baker", "Tom Baker"),
        )],
    )
    .await
    .unwrap();
    let Status::Blocked { reason } = &planned.items[0].status else {
        panic!("{:?}", planned.items[0].status)
    };
    assert!(
        reason.contains("Contoso Legacy") && reason.contains("Disabled"),
        "{reason}"
    );
}

/// The role editor checks the admin's right at every assignable scope as it
/// is typed: a text that is no scope (a URL to another host) is answered
/// "no right" without any request, and the draft's own check says why.
#[tokio::test]
async fn rights_are_never_asked_of_a_text_that_is_no_scope() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let rights = rolecall_grants::plan::rights(
        &olivia,
        [voice(), "https://attacker.example/x".to_owned()],
        "Microsoft.Authorization/roleDefinitions/write",
    )
    .await
    .expect("no request to refuse");
    assert_eq!(rights.get(&voice().to_ascii_lowercase()), Some(&true));
    assert_eq!(rights.get("https://attacker.example/x"), Some(&false));
}

#[tokio::test]
async fn a_scope_is_listed_once_for_everyone_who_asks_in_one_plan() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let listings = rolecall_grants::listing::Listings::default();
    let subscription = voice();
    let spelled_otherwise = subscription.to_uppercase();
    world.emulator.reset_observed();
    // Two asking at once (the plan and the limit check) and one after.
    let (first, second) = tokio::join!(
        listings.all(&olivia, &subscription),
        listings.all(&olivia, &spelled_otherwise),
    );
    let third = listings.all(&olivia, &subscription).await.unwrap();
    assert_eq!(world.emulator.observed().requests, 1);
    assert!(!third.is_empty());
    assert_eq!(first.unwrap().len(), third.len());
    assert_eq!(second.unwrap().len(), third.len());
}

#[tokio::test]
async fn an_application_and_its_look_alikes_are_found_together_by_any_of_their_names() {
    let world = World::demo().await;
    let carlos = world.azure_as(CARLOS, &Default::default()).await;
    for typed in ["gateway", "Azure", "Project"] {
        let found = rolecall_grants::resolve::applications(&carlos, typed, 10)
            .await
            .unwrap();
        assert!(
            found.iter().any(|a| a.app_id == ACG_APP_ID),
            "{typed}: {found:?}"
        );
        let look_alike = found
            .iter()
            .find(|a| a.display_name == "Project Synergy")
            .unwrap_or_else(|| panic!("{typed}: no look-alike in {found:?}"));
        assert!(
            rolecall_grants::resolve::look_alike_warning(
                &look_alike.display_name,
                &look_alike.app_id
            )
            .is_some()
        );
    }
    let pinned = rolecall_grants::resolve::applications(&carlos, ACG_APP_ID, 10)
        .await
        .unwrap();
    assert_eq!(pinned.len(), 1);
}

#[tokio::test]
async fn a_listing_says_which_assignments_let_their_holder_manage_access() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let listed = rolecall_grants::listing::assignments_at(&olivia, &voice())
        .await
        .unwrap();
    let owner = listed
        .iter()
        .find(|l| l.role_name.as_deref() == Some("Owner"))
        .expect("the demo has an Owner on Voice");
    assert!(owner.manages_access);
    let reader_like: Vec<_> = listed
        .iter()
        .filter(|l| matches!(l.role_name.as_deref(), Some("Reader" | "Contributor")))
        .collect();
    assert!(
        reader_like.iter().all(|l| !l.manages_access),
        "{reader_like:?}"
    );
}

#[tokio::test]
async fn a_role_held_at_a_management_group_is_inherited_below_it() {
    use rolecall_emulator::seed::builtin;
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let nadia = person("nadia.novak", "Nadia Novak");
    let group = |name: &str| format!("/providers/Microsoft.Management/managementGroups/{name}");
    let root_group = group(rolecall_emulator::DEMO_TENANT_ID);
    world.hold(&nadia.id, builtin::READER, &group("mg-workloads"));
    world.hold(&nadia.id, builtin::CONTRIBUTOR, &root_group);

    // Olivia owns the voice subscription and may read no group: what ARM
    // lists there from a group is above it all the same.
    let planned = plan(
        &olivia,
        vec![azure_role(&gateway_rg(), READER, "Reader", nadia.clone())],
    )
    .await
    .unwrap();
    assert!(
        matches!(&planned.items[0].status, Status::Inherited { from_scope }
            if from_scope.eq_ignore_ascii_case(&group("mg-workloads"))),
        "{:?}",
        planned.items[0].status
    );

    // Elevated (User Access Administrator at the root, as a Global
    // Administrator may make herself), she plans at groups: between groups
    // only the tree tells what is above what.
    world.hold(
        &user("olivia.owner"),
        builtin::USER_ACCESS_ADMINISTRATOR,
        "/",
    );
    let planned = plan(
        &olivia,
        vec![
            azure_role(
                &group("mg-workloads"),
                CONTRIBUTOR,
                "Contributor",
                nadia.clone(),
            ),
            azure_role(&group("mg-workloads"), READER, "Reader", nadia.clone()),
            azure_role(&root_group, READER, "Reader", nadia.clone()),
            azure_role(
                &group("mg-platform"),
                READER,
                "Reader",
                person("rita.reader", "Rita Reader"),
            ),
        ],
    )
    .await
    .unwrap();
    let states: Vec<_> = planned.items.iter().map(|i| &i.status).collect();
    assert!(
        matches!(states[0], Status::Inherited { from_scope } if from_scope.eq_ignore_ascii_case(&root_group)),
        "{:?}",
        states[0]
    );
    assert!(
        matches!(states[1], Status::InPlace { .. }),
        "{:?}",
        states[1]
    );
    assert_eq!(states[2], &Status::ToCreate);
    assert_eq!(states[3], &Status::ToCreate);

    // Applied at a group, then removed: what she holds at or below the
    // group is found through the tree.
    let outcomes = apply(&olivia, &planned, &ApplyOptions::default(), None, &|_| {}).await;
    assert!(
        matches!(outcomes[2], Outcome::Created { .. }),
        "{outcomes:?}"
    );
    let held = rolecall_grants::listing::held_by(
        &olivia,
        &person("rita.reader", "Rita Reader"),
        std::slice::from_ref(&root_group),
        false,
    )
    .await
    .unwrap();
    let scopes: Vec<String> = held
        .grants
        .iter()
        .filter_map(|g| match g {
            Grant::AzureRole(r) => Some(r.scope.to_ascii_lowercase()),
            Grant::AppRole(_) => None,
        })
        .collect();
    assert!(
        scopes.contains(&group("mg-platform").to_ascii_lowercase()),
        "{scopes:?}"
    );
    assert!(
        scopes.contains(&voice().to_ascii_lowercase()),
        "Rita's Reader at voice: {scopes:?}"
    );
}

#[tokio::test]
async fn a_running_pim_activation_is_never_taken_for_standing_access() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let carlos = person("carlos.cloudapps", "Carlos Cloud-Apps");
    // Carlos (eligible for Contributor on the gateway's group in the demo)
    // has activated it for two hours.
    let format = time::format_description::well_known::Rfc3339;
    let now = time::OffsetDateTime::now_utc();
    world.emulator.with_state(|s| {
        s.arm
            .pim
            .schedules
            .push(rolecall_emulator::arm::model::PimSchedule {
                kind: rolecall_emulator::arm::model::PimKind::Assignment,
                name: uuid::Uuid::new_v4().to_string(),
                scope: gateway_rg(),
                role: CONTRIBUTOR.into(),
                principal_id: carlos.id.clone(),
                principal_type: "User".into(),
                start: now.format(&format).unwrap(),
                end: Some((now + time::Duration::hours(2)).format(&format).unwrap()),
                request_name: uuid::Uuid::new_v4().to_string(),
                created_on: now.format(&format).unwrap(),
                updated_on: now.format(&format).unwrap(),
                assignment_type: Some("Activated".into()),
                linked_eligibility: None,
                role_assignment: None,
                condition: None,
                condition_version: None,
            });
    });
    let gateway = format!(
        "{}/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod",
        gateway_rg()
    );
    let planned = plan(
        &olivia,
        vec![
            azure_role(&gateway, CONTRIBUTOR, "Contributor", carlos.clone()),
            azure_role(&gateway_rg(), CONTRIBUTOR, "Contributor", carlos.clone()),
        ],
    )
    .await
    .unwrap();
    // Below the activation: to make, not inherited from it.
    assert_eq!(planned.items[0].status, Status::ToCreate);
    // At it: not in place, and why.
    assert!(
        matches!(&planned.items[1].status, Status::Blocked { reason } if reason.contains("PIM activation")),
        "{:?}",
        planned.items[1].status
    );
}

fn scheduled(scope: &str, role: &str, name: &str, member: Member, schedule: Schedule) -> Grant {
    Grant::AzureRole(AzureRoleGrant {
        scope: scope.into(),
        role_id: role.into(),
        role_name: name.into(),
        member,
        description: None,
        schedule: Some(schedule),
    })
}

fn eligible_for(duration: Option<&str>, justification: Option<&str>) -> Schedule {
    Schedule {
        eligible: true,
        duration: duration.map(str::to_owned),
        until: None,
        justification: justification.map(str::to_owned),
        ticket: None,
    }
}

#[tokio::test]
async fn an_eligible_grant_is_planned_made_found_in_place_and_removed_through_pim() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let nadia = person("nadia.novak", "Nadia Novak");
    let grant = scheduled(
        &voice(),
        READER,
        "Reader",
        nadia.clone(),
        eligible_for(Some("P90D"), Some("Gateway on-call")),
    );
    let first = plan(&olivia, vec![grant.clone()]).await.unwrap();
    assert_eq!(first.items[0].status, Status::ToCreate);
    let outcomes = apply(&olivia, &first, &ApplyOptions::default(), None, &|_| {}).await;
    let Outcome::Created { assignment_id, .. } = &outcomes[0] else {
        panic!("{outcomes:?}");
    };
    assert!(
        assignment_id.contains("roleEligibilitySchedules"),
        "{assignment_id}"
    );
    // Eligible is not standing access: no role assignment for her at voice.
    let held: Vec<_> = olivia
        .arm
        .role_assignments(
            &voice(),
            &rolecall_azure::arm::AssignmentFilter::Principal(nadia.id.clone()),
        )
        .try_collect()
        .await
        .unwrap();
    assert!(
        held.iter()
            .all(|a| !a.properties.scope.eq_ignore_ascii_case(&voice())),
        "{held:?}"
    );
    // A re-run finds it; an active grant of the same role is not satisfied by it.
    let again = plan(
        &olivia,
        vec![
            grant.clone(),
            scheduled(
                &voice(),
                READER,
                "Reader",
                nadia.clone(),
                Schedule {
                    eligible: false,
                    ..eligible_for(Some("P30D"), Some("Incident"))
                },
            ),
        ],
    )
    .await
    .unwrap();
    assert!(
        matches!(again.items[0].status, Status::InPlace { .. }),
        "{:?}",
        again.items[0].status
    );
    assert_eq!(again.items[1].status, Status::ToCreate);
    // Removed through PIM once 5 minutes have passed (moved here).
    world.age_pim_schedules();
    let removed = rolecall_grants::remove(
        &olivia,
        std::slice::from_ref(&grant),
        Removes::Any,
        &Default::default(),
        None,
        &|_| {},
    )
    .await;
    assert!(matches!(removed[0], Outcome::Removed { .. }), "{removed:?}");
    let gone = rolecall_grants::remove(
        &olivia,
        std::slice::from_ref(&grant),
        Removes::Any,
        &Default::default(),
        None,
        &|_| {},
    )
    .await;
    assert_eq!(gone[0], Outcome::AlreadyGone);
    let after = plan(&olivia, vec![grant]).await.unwrap();
    assert_eq!(after.items[0].status, Status::ToCreate);
}

#[tokio::test]
async fn the_roles_pim_settings_block_before_anything_is_written() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let tom = person("tom.baker", "Tom Baker");
    let deploy = Member {
        id: demo_id("sp:deploy-identity"),
        kind: MemberKind::ServicePrincipal,
        display_name: "deploy-identity".into(),
        detail: None,
    };
    let planned = plan(
        &olivia,
        vec![
            scheduled(
                &voice(),
                READER,
                "Reader",
                tom.clone(),
                eligible_for(None, Some("x")),
            ),
            scheduled(
                &voice(),
                READER,
                "Reader",
                tom.clone(),
                eligible_for(Some("P400D"), Some("x")),
            ),
            scheduled(
                &voice(),
                READER,
                "Reader",
                tom.clone(),
                Schedule {
                    eligible: false,
                    ..eligible_for(Some("P30D"), None)
                },
            ),
            scheduled(
                &voice(),
                READER,
                "Reader",
                deploy,
                eligible_for(Some("P30D"), Some("x")),
            ),
            scheduled(
                &voice(),
                READER,
                "Reader",
                tom.clone(),
                eligible_for(Some("90 days"), Some("x")),
            ),
        ],
    )
    .await
    .unwrap();
    let reasons: Vec<String> = planned
        .items
        .iter()
        .map(|i| match &i.status {
            Status::Blocked { reason } => reason.clone(),
            other => panic!("not blocked: {other:?}"),
        })
        .collect();
    assert!(
        reasons[0].contains("without an end: at most 365 days"),
        "{}",
        reasons[0]
    );
    assert!(
        reasons[1].contains("at most 365 days; eligible for 400 days was asked"),
        "{}",
        reasons[1]
    );
    assert!(
        reasons[2].contains("require a justification"),
        "{}",
        reasons[2]
    );
    assert!(
        reasons[3].contains("Only users and groups can be eligible"),
        "{}",
        reasons[3]
    );
    assert!(reasons[4].contains("ISO 8601"), "{}", reasons[4]);

    // A tenant without Entra ID P2: said before any write.
    let unlicensed = World::new(rolecall_emulator::Options {
        entra_p2: false,
        ..Default::default()
    })
    .await;
    let olivia = unlicensed.azure_as(OLIVIA, &Default::default()).await;
    let planned = plan(
        &olivia,
        vec![scheduled(
            &voice(),
            READER,
            "Reader",
            tom,
            eligible_for(Some("P30D"), Some("x")),
        )],
    )
    .await
    .unwrap();
    assert!(
        matches!(&planned.items[0].status, Status::Blocked { reason } if reason.contains("Entra ID P2")),
        "{:?}",
        planned.items[0].status
    );
}

#[tokio::test]
async fn removing_all_access_takes_eligible_roles_too() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let priya = person("priya.shah", "Priya Shah");
    let eligible = scheduled(
        &gateway_rg(),
        CONTRIBUTOR,
        "Contributor",
        priya.clone(),
        eligible_for(Some("P30D"), Some("Gateway upgrade")),
    );
    let planned = plan(&olivia, vec![eligible]).await.unwrap();
    let outcomes = apply(&olivia, &planned, &ApplyOptions::default(), None, &|_| {}).await;
    assert!(
        matches!(outcomes[0], Outcome::Created { .. }),
        "{outcomes:?}"
    );

    // Everything Priya holds in the subscription: the eligibility is in it.
    let held = rolecall_grants::listing::held_by(&olivia, &priya, &[voice()], false)
        .await
        .unwrap();
    let found: Vec<_> = held
        .grants
        .iter()
        .filter_map(|g| match g {
            Grant::AzureRole(r) => Some(r),
            Grant::AppRole(_) => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].schedule.as_ref().is_some_and(|s| s.eligible));
    assert_eq!(found[0].role_name, "Contributor");

    // Its removal is planned as in place, whatever the role's PIM rules say
    // of making such a grant (an end date read back is not a request): here
    // the settings changed since to allow 7 days at most.
    let rg = gateway_rg();
    world.emulator.with_state(|s| {
        let mut rules: Vec<serde_json::Value> = Vec::new();
        rules.push(serde_json::json!({
            "isExpirationRequired": true, "maximumDuration": "P7D",
            "id": "Expiration_Admin_Eligibility", "ruleType": "RoleManagementPolicyExpirationRule",
            "target": {"caller": "Admin", "operations": ["All"], "level": "Eligibility"}
        }));
        s.arm
            .pim
            .policies
            .push(rolecall_emulator::arm::model::PimPolicy {
                scope: rg.clone(),
                role: CONTRIBUTOR.into(),
                rules,
                last_modified_by: String::new(),
                last_modified: String::new(),
            });
    });
    let making = plan(&olivia, held.grants.clone()).await.unwrap();
    assert!(
        matches!(making.items[0].status, Status::Blocked { .. }),
        "{:?}",
        making.items[0].status
    );
    let removal = rolecall_grants::plan::plan_removal(&olivia, held.grants.clone())
        .await
        .unwrap();
    assert!(
        matches!(removal.items[0].status, Status::InPlace { .. }),
        "{:?}",
        removal.items[0].status
    );
    // Removed through PIM (once its first 5 minutes have passed), and gone.
    world.age_pim_schedules();
    let removed = remove(
        &olivia,
        &held.grants,
        Removes::Any,
        &ApplyOptions::default(),
        None,
        &|_| {},
    )
    .await;
    assert!(matches!(removed[0], Outcome::Removed { .. }), "{removed:?}");
    let after = rolecall_grants::listing::held_by(&olivia, &priya, &[voice()], false)
        .await
        .unwrap();
    assert!(after.grants.is_empty(), "{:?}", after.grants);
}

#[tokio::test]
async fn a_removal_pim_refuses_for_five_minutes_waits_and_then_goes() {
    // PIM's five minutes, shortened to two seconds for this test.
    let world = World::new(rolecall_emulator::Options {
        faults: rolecall_emulator::Faults {
            pim_removal_after: Some(Duration::from_secs(2)),
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let nadia = person("nadia.novak", "Nadia Novak");
    let grant = scheduled(
        &voice(),
        READER,
        "Reader",
        nadia,
        eligible_for(Some("P90D"), Some("Gateway on-call")),
    );
    let made = plan(&olivia, vec![grant.clone()]).await.unwrap();
    let outcomes = apply(&olivia, &made, &ApplyOptions::default(), None, &|_| {}).await;
    assert!(
        matches!(outcomes[0], Outcome::Created { .. }),
        "{outcomes:?}"
    );

    // Without waiting: PIM's own answer, and what to do.
    let quick = ApplyOptions {
        pim_wait: Duration::ZERO,
        ..ApplyOptions::default()
    };
    let refused = rolecall_grants::remove(
        &olivia,
        std::slice::from_ref(&grant),
        Removes::Any,
        &quick,
        None,
        &|_| {},
    )
    .await;
    let Outcome::Failed { code, .. } = &refused[0] else {
        panic!("{refused:?}");
    };
    assert_eq!(code, "ActiveDurationTooShort");

    // Waiting (and saying so) until PIM lets it go.
    let patient = ApplyOptions {
        replication_retry_every: Duration::from_millis(250),
        pim_wait: Duration::from_secs(30),
        ..ApplyOptions::default()
    };
    let log = Events::default();
    let removed = rolecall_grants::remove(
        &olivia,
        std::slice::from_ref(&grant),
        Removes::Any,
        &patient,
        None,
        &|e| log.push(e),
    )
    .await;
    assert!(matches!(removed[0], Outcome::Removed { .. }), "{removed:?}");
    assert!(
        log.all()
            .iter()
            .any(|e| matches!(e, ItemEvent::WaitingForPim { index: 0, .. })),
        "the wait is reported"
    );
}

#[tokio::test]
async fn many_people_eligible_at_one_scope_are_read_in_one_listing() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let people = [
        ("nadia.novak", "Nadia Novak"),
        ("tom.baker", "Tom Baker"),
        ("priya.shah", "Priya Shah"),
        ("lars.eriksson", "Lars Eriksson"),
        ("mei.chen", "Mei Chen"),
    ];
    let grants: Vec<Grant> = people
        .iter()
        .map(|(key, name)| {
            scheduled(
                &voice(),
                READER,
                "Reader",
                person(key, name),
                eligible_for(Some("P30D"), None),
            )
        })
        .collect();
    // Nadia is eligible already; the others not yet.
    let first = plan(&olivia, grants[..1].to_vec()).await.unwrap();
    apply(&olivia, &first, &ApplyOptions::default(), None, &|_| {}).await;
    world.emulator.reset_observed();
    let planned = plan(&olivia, grants.clone()).await.unwrap();
    let states: Vec<_> = planned.items.iter().map(|i| i.status.clone()).collect();
    assert!(matches!(states[0], Status::InPlace { .. }), "{states:?}");
    assert!(
        states[1..].iter().all(|s| *s == Status::ToCreate),
        "{states:?}"
    );
    // One listing of the scope's eligibilities, not one per person.
    let asked = world.emulator.observed().requests;
    let per_person = plan(&olivia, grants[..3].to_vec()).await.unwrap();
    assert!(matches!(per_person.items[0].status, Status::InPlace { .. }));
    let asked_three = world.emulator.observed().requests - asked;
    assert!(
        asked < asked_three,
        "five people at one scope cost {asked} requests; three asked one by one cost {asked_three}"
    );
}

#[tokio::test]
async fn an_admin_eligible_for_owner_is_told_to_activate_it_first() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    // Rita (a Reader) is made eligible for Owner on the voice subscription.
    let owner = scheduled(
        &voice(),
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Owner",
        person("rita.reader", "Rita Reader"),
        eligible_for(Some("P30D"), Some("Platform on-call")),
    );
    let made = plan(&olivia, vec![owner]).await.unwrap();
    apply(&olivia, &made, &ApplyOptions::default(), None, &|_| {}).await;

    let rita = world.azure_as(RITA, &Default::default()).await;
    let grants = vec![
        azure_role(
            &gateway_rg(),
            READER,
            "Reader",
            person("nadia.novak", "Nadia Novak"),
        ),
        azure_role(
            &messaging(),
            READER,
            "Reader",
            person("nadia.novak", "Nadia Novak"),
        ),
    ];
    let planned = plan(&rita, grants).await.unwrap();
    let Status::Blocked { reason } = &planned.items[0].status else {
        panic!("{:?}", planned.items[0].status);
    };
    assert!(
        reason.contains("You are eligible for Owner at ")
            && reason.contains("rolecall-cli activate"),
        "{reason}"
    );
    // Where she is not eligible, the reason is as before.
    let Status::Blocked { reason } = &planned.items[1].status else {
        panic!("{:?}", planned.items[1].status);
    };
    assert!(!reason.contains("eligible"), "{reason}");
}
