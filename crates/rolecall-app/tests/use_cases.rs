//! Granting and running through the use cases both front ends call, against
//! the emulator: the journal rule, removals numbered as planned, one holder
//! per run.

use std::sync::Mutex;

use rolecall_app::Context;
use rolecall_app::catalogue::Slot;
use rolecall_app::grants::{self, RoleGrants};
use rolecall_grants::{ItemEvent, Journal, Outcome, Status};
use rolecall_testkit::*;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// `roles` for Nadia on the voice subscription, resolved.
async fn for_nadia(azure: &rolecall_azure::Azure, roles: &[&str]) -> Vec<rolecall_grants::Grant> {
    let (scopes, roles, members) = (vec![voice()], strings(roles), vec![user("nadia.novak")]);
    let spec = RoleGrants {
        scopes: &scopes,
        roles: &roles,
        members: &members,
        description: None,
        schedule: None,
    };
    grants::role_grants(azure, &spec).await.unwrap()
}

#[tokio::test]
async fn without_a_journal_nothing_is_written() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = Slot::default();
    let ctx = Context {
        azure: &olivia,
        catalogue: &catalogue,
        journal: None,
    };
    let list = for_nadia(&olivia, &["Reader"]).await;
    let plan = grants::plan(&olivia, list.clone()).await.unwrap();
    assert_eq!(plan.to_create().count(), 1);

    let refused = grants::apply(ctx, &plan, &|_| {}).await.unwrap_err();
    assert_eq!(refused.code, "NoJournal");
    let again = grants::plan(&olivia, list).await.unwrap();
    assert_eq!(again.to_create().count(), 1, "nothing was written");
}

#[tokio::test]
async fn a_removal_removes_what_is_in_place_and_reports_as_planned() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let folder = tempfile::tempdir().unwrap();
    let journal = Journal::open(&folder.path().join("journal.jsonl")).unwrap();
    let catalogue = Slot::default();
    let ctx = Context {
        azure: &olivia,
        catalogue: &catalogue,
        journal: Some(&journal),
    };
    let reader = for_nadia(&olivia, &["Reader"]).await;
    let plan = grants::plan(&olivia, reader.clone()).await.unwrap();
    let made = grants::apply(ctx, &plan, &|_| {}).await.unwrap();
    assert!(matches!(made[0], Outcome::Created { .. }), "{made:?}");

    // The first is not in place, the second is: only the second is removed,
    // and its progress carries its place in the plan.
    let support = for_nadia(&olivia, &["Support Request Contributor"]).await;
    let both = [support, reader.clone()].concat();
    let removal = grants::plan_removal(&olivia, both).await.unwrap();
    assert!(matches!(removal.items[1].status, Status::InPlace { .. }));
    let seen = Mutex::new(Vec::new());
    let record = |event: ItemEvent| {
        if let ItemEvent::Finished { index, .. } = event {
            seen.lock().unwrap().push(index);
        }
    };
    let outcomes = grants::remove_planned(ctx, &removal, &record)
        .await
        .unwrap();
    assert_eq!(outcomes[0], Outcome::AlreadyGone);
    // The removal carries ARM's request id of the delete, for the report.
    assert!(
        matches!(&outcomes[1], Outcome::Removed { request_id: Some(id) } if !id.is_empty()),
        "{outcomes:?}"
    );
    assert_eq!(*seen.lock().unwrap(), [1]);
    let after = grants::plan(&olivia, reader).await.unwrap();
    assert_eq!(after.to_create().count(), 1, "Reader is gone");
}

#[tokio::test]
async fn app_roles_go_only_to_the_members_they_are_made_for() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let ok = grants::app_grants(
        &olivia,
        rolecall_emulator::ACG_APP_ID,
        &strings(&["ProvisioningAPI.ReadUser"]),
        &[user("nadia.novak")],
    )
    .await
    .unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].member().id, user("nadia.novak"));
    // An unknown role value is refused before anything is planned.
    let unknown = grants::app_grants(
        &olivia,
        rolecall_emulator::ACG_APP_ID,
        &strings(&["ProvisioningAPI.NoSuchRole"]),
        &[user("nadia.novak")],
    )
    .await
    .unwrap_err();
    assert!(unknown.message.contains("NoSuchRole"), "{unknown}");
}

#[tokio::test]
async fn a_run_carried_out_elsewhere_is_refused_and_nothing_is_written() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let folder = tempfile::tempdir().unwrap();
    let journal = Journal::open(&folder.path().join("journal.jsonl")).unwrap();
    let catalogue = Slot::default();
    let ctx = Context {
        azure: &olivia,
        catalogue: &catalogue,
        journal: Some(&journal),
    };
    let list = for_nadia(&olivia, &["Reader"]).await;
    let run = rolecall_grants::Run::new(rolecall_grants::RunKind::Apply, "t", list.clone());
    // Another window (or rolecall-cli) holds it.
    let other = Journal::open(journal.path()).unwrap();
    let _held = other.claim(&run.id).unwrap();
    let refused = rolecall_app::onboarding::carry_out(
        ctx,
        &run,
        rolecall_app::onboarding::Start::PlanAgain,
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refused.code, "Running");
    let plan = grants::plan(&olivia, list).await.unwrap();
    assert_eq!(plan.to_create().count(), 1, "nothing was written");
}

#[tokio::test]
async fn the_right_to_assign_is_known_before_anything_is_planned() {
    let world = World::demo().await;
    let (olivia, rita) = (
        world.azure_as(OLIVIA, &Default::default()).await,
        world.azure_as(RITA, &Default::default()).await,
    );
    let scopes = vec![voice()];
    let owner = grants::assign_rights(&olivia, &scopes).await.unwrap();
    assert_eq!(owner, [(voice(), None)]);
    let reader = grants::assign_rights(&rita, &scopes).await.unwrap();
    let why = reader[0].1.as_deref().expect("a Reader may not assign");
    assert!(why.contains("roleAssignments/write"), "{why}");
}

#[tokio::test]
async fn the_estate_holds_the_management_groups_the_admin_may_read() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    // No role at any group yet: subscriptions stand on their own.
    let places = rolecall_app::estate::estate(&olivia).await.unwrap();
    assert!(
        !places
            .iter()
            .any(|p| p.kind == rolecall_app::estate::Kind::ManagementGroup)
    );
    // Reader at the tenant root (as after a Global Administrator's elevation).
    world.emulator.with_state(|s| {
        let mut root = s.arm.role_assignments[0].clone();
        root.name = "9d1e2f30-4a5b-4c6d-8e7f-8091a2b3c4d5".into();
        root.scope = "/".into();
        root.role_definition_name = rolecall_emulator::seed::builtin::READER.into();
        s.arm.role_assignments.push(root);
    });
    let places = rolecall_app::estate::estate(&olivia).await.unwrap();
    let workloads = places
        .iter()
        .find(|p| {
            p.kind == rolecall_app::estate::Kind::ManagementGroup && p.detail == "mg-workloads"
        })
        .expect("the workloads group");
    assert_eq!(workloads.name, "Contoso Workloads");
    assert_eq!(workloads.within, ["Tenant Root Group"]);
    let mail = places
        .iter()
        .find(|p| p.name == "acs-contoso-mail")
        .unwrap();
    assert_eq!(
        mail.within,
        [
            "Tenant Root Group",
            "Contoso Workloads",
            "Contoso Messaging",
            "rg-email"
        ]
    );
}

#[tokio::test]
async fn the_scope_tree_starts_at_the_highest_group_the_admin_may_read() {
    use rolecall_app::estate::{Kind, group_children, roots};
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let names = |places: &[rolecall_app::estate::Place]| {
        places
            .iter()
            .map(|p| (p.name.clone(), p.kind))
            .collect::<Vec<_>>()
    };
    // No role at any group: the subscriptions she sees, by name.
    let first = roots(&olivia).await.unwrap();
    assert!(
        first.iter().all(|p| p.kind == Kind::Subscription),
        "{first:?}"
    );
    assert!(first.iter().any(|p| p.name == "Contoso Voice Production"));
    let sorted: Vec<_> = first.iter().map(|p| p.name.to_lowercase()).collect();
    assert!(sorted.is_sorted(), "{sorted:?}");

    // Reader at the workloads group only: it comes first, and holds the
    // subscriptions under it, which are no longer roots of their own.
    let olivia_id = user("olivia.owner");
    let workloads = "/providers/Microsoft.Management/managementGroups/mg-workloads";
    world.hold(
        &olivia_id,
        rolecall_emulator::seed::builtin::READER,
        workloads,
    );
    let first = roots(&olivia).await.unwrap();
    assert_eq!(first[0].name, "Contoso Workloads");
    assert_eq!(first[0].kind, Kind::ManagementGroup);
    assert!(
        !first.iter().any(|p| p.name == "Contoso Voice Production"),
        "{first:?}"
    );
    let inside = group_children(&olivia, "mg-workloads").await.unwrap();
    assert_eq!(
        names(&inside),
        [
            ("Contoso Messaging".to_string(), Kind::Subscription),
            ("Contoso Voice Production".to_string(), Kind::Subscription)
        ]
    );
    assert_eq!(inside[1].id, voice());
    assert_eq!(inside[1].detail, "Enabled");

    // Reader at the root: one root, the tenant root group, with both groups inside.
    world.hold(&olivia_id, rolecall_emulator::seed::builtin::READER, "/");
    let first = roots(&olivia).await.unwrap();
    assert_eq!(
        names(&first),
        [("Tenant Root Group".to_string(), Kind::ManagementGroup)]
    );
    let inside = group_children(&olivia, &first[0].detail).await.unwrap();
    assert_eq!(
        names(&inside),
        [
            ("Contoso Platform".to_string(), Kind::ManagementGroup),
            ("Contoso Workloads".to_string(), Kind::ManagementGroup)
        ]
    );
}

#[tokio::test]
async fn the_estate_holds_every_resource_with_where_it_sits() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let places = rolecall_app::estate::estate(&olivia).await.unwrap();
    let mail = places
        .iter()
        .find(|p| p.name == "acs-contoso-mail")
        .expect("the ACS resource, though nothing was expanded");
    assert_eq!(mail.kind, rolecall_app::estate::Kind::Resource);
    assert_eq!(mail.within, ["Contoso Messaging", "rg-email"]);
    assert!(
        mail.detail
            .eq_ignore_ascii_case("Microsoft.Communication/communicationServices")
    );
    assert!(
        places
            .iter()
            .any(|p| p.kind == rolecall_app::estate::Kind::Subscription)
    );
}
