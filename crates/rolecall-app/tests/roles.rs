//! Deleting a custom role as both front ends now do it, against the emulator.

use rolecall_app::ErrorKind;
use rolecall_app::roles::{delete_custom_role, new_role_id};
use rolecall_rbac::roles::RoleProperties;
use rolecall_rbac::{Permission, Scope};
use rolecall_testkit::*;

#[tokio::test]
async fn a_custom_role_found_below_its_scope_is_deleted_where_it_lives_and_the_refusals_hold() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let scratch = tempfile::tempdir().unwrap();
    let journal = rolecall_grants::Journal::open(&scratch.path().join("journal.jsonl")).unwrap();
    let subscription = voice();
    let guid = new_role_id("Gateway log reader", &subscription);
    let properties = RoleProperties {
        role_name: "Gateway log reader".into(),
        role_type: "CustomRole".into(),
        description: "reads logs".into(),
        assignable_scopes: vec![subscription.clone()],
        permissions: vec![Permission {
            actions: vec!["Microsoft.Insights/logs/read".into()],
            ..Default::default()
        }],
    };
    olivia
        .arm
        .put_role_definition(&subscription, &guid, &properties)
        .await
        .unwrap();

    // A built-in role is refused, naming the rule.
    let below = Scope::parse(&format!("{subscription}/resourceGroups/rg-voice-gateway")).unwrap();
    let refused = delete_custom_role(&olivia, &journal, &below, "Reader")
        .await
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.code.as_ref()),
        (ErrorKind::Refused, "BuiltInRole")
    );

    // Found from a resource group below, deleted at its subscription.
    let deleted = delete_custom_role(&olivia, &journal, &below, "Gateway log reader")
        .await
        .unwrap();
    assert_eq!(deleted.name, guid);
    assert!(
        olivia
            .arm
            .role_definition(&subscription, &guid)
            .await
            .unwrap()
            .is_none(),
        "gone where it lived"
    );
}

/// One rule for both front ends: an app role made for users and groups is
/// not given to an application (Graph would refuse it), and is to a user.
#[tokio::test]
async fn app_roles_are_given_only_to_the_members_they_are_made_for() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let (app, roles) = rolecall_grants::resolve::app_roles(
        &olivia,
        rolecall_emulator::ACG_APP_ID,
        &["ProvisioningAPI.ReadUser".to_owned()],
    )
    .await
    .unwrap();
    let grant = |member: rolecall_grants::Member| {
        rolecall_grants::Grant::AppRole(rolecall_grants::AppRoleGrant {
            resource_id: app.id.clone(),
            resource_name: app.display_name.clone(),
            app_id: app.app_id.clone(),
            app_role_id: roles[0].id.clone(),
            app_role_value: "ProvisioningAPI.ReadUser".into(),
            member,
        })
    };
    let relay =
        rolecall_grants::resolve::member(&olivia, &rolecall_emulator::demo_id("sp:smtp-relay"))
            .await
            .unwrap();
    let nadia =
        rolecall_grants::resolve::member(&olivia, "nadia.novak@contosodemo.onmicrosoft.com")
            .await
            .unwrap();
    let refused = rolecall_app::roles::check_app_role_grants(&olivia, &[grant(relay)])
        .await
        .unwrap_err();
    assert!(
        refused.message.contains("users and groups only"),
        "{refused}"
    );
    rolecall_app::roles::check_app_role_grants(&olivia, &[grant(nadia)])
        .await
        .unwrap();
}

/// The catalogue is read from ARM once, then kept between runs; a damaged
/// kept copy is read again from ARM and replaced.
#[tokio::test]
async fn the_catalogue_is_kept_between_runs_and_a_damaged_copy_is_replaced() {
    use rolecall_app::catalogue::{CatalogueCache, load};
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let dir = std::env::temp_dir().join(format!("rolecall-catalogue-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cache = CatalogueCache::new(dir.join("cache")).including_loopback();

    world.emulator.reset_observed();
    let first = load(&olivia, Some(&cache)).await.unwrap();
    let asked = world.emulator.observed().requests;
    assert!(asked > 0, "read from ARM the first time");
    let second = load(&olivia, Some(&cache)).await.unwrap();
    assert_eq!(
        world.emulator.observed().requests,
        asked,
        "then from the cache"
    );
    assert_eq!(first.len(), second.len());

    let kept: Vec<_> = std::fs::read_dir(dir.join("cache")).unwrap().collect();
    assert_eq!(kept.len(), 1);
    let file = kept[0].as_ref().unwrap().path();
    std::fs::write(&file, b"[{\"half\": ").unwrap();
    let third = load(&olivia, Some(&cache)).await.unwrap();
    assert!(
        world.emulator.observed().requests > asked,
        "read from ARM again"
    );
    assert_eq!(third.len(), first.len());
    assert!(
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&file).unwrap()).is_ok(),
        "the damaged copy is replaced"
    );

    // The demo's own emulator (loopback) is not kept by default.
    let plain = CatalogueCache::new(dir.join("plain"));
    load(&olivia, Some(&plain)).await.unwrap();
    assert!(!dir.join("plain").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A draft is saved the same way from both front ends: new under its
/// deterministic id, then edited in place; a draft with no scope is refused
/// before anything is asked of Azure.
#[tokio::test]
async fn a_draft_is_created_then_edited_in_place() {
    use rolecall_app::roles::{Saving, draft_subscription, save_draft};
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = rolecall_app::catalogue::load(&olivia, None).await.unwrap();
    let mut draft = rolecall_rbac::draft::Draft {
        role_name: "Gateway support desk".into(),
        description: "support tickets".into(),
        assignable_scopes: vec![voice()],
        permissions: vec![Permission {
            actions: vec!["Microsoft.Support/supportTickets/read".into()],
            ..Default::default()
        }],
    };
    let settle = rolecall_grants::custom_roles::Settle {
        consistent_reads: 1,
        interval: std::time::Duration::from_millis(50),
        timeout: std::time::Duration::from_secs(30),
    };
    let scratch = tempfile::tempdir().unwrap();
    let journal = rolecall_grants::Journal::open(&scratch.path().join("journal.jsonl")).unwrap();
    let made = save_draft(
        &olivia,
        catalogue.clone(),
        &journal,
        &draft,
        Saving::New,
        &settle,
    )
    .await
    .unwrap();
    assert_eq!(made.name, new_role_id("Gateway support desk", &voice()));
    // Checked as both front ends check it: what it grants, and that it is in place now.
    let check =
        rolecall_app::roles::check_draft(&olivia, catalogue.clone(), &draft, Some(&made.name))
            .await
            .unwrap();
    assert!(check.granted >= 1);
    assert_eq!(check.in_place.as_deref(), Some(made.name.as_str()));
    assert!(
        check
            .issues
            .iter()
            .all(|i| i.severity != rolecall_rbac::draft::Severity::Error),
        "{:?}",
        check.issues
    );
    draft.description = "support tickets (EMEA)".into();
    let edited = save_draft(
        &olivia,
        catalogue,
        &journal,
        &draft,
        Saving::Edit(&made.name),
        &settle,
    )
    .await
    .unwrap();
    assert_eq!(edited.name, made.name);
    assert_eq!(edited.properties.description, "support tickets (EMEA)");

    // Both writes are in the journal, read back as a restart would, each a
    // batch of its own; undoing the creation offers to delete the role.
    let reopened = rolecall_grants::Journal::open(journal.path()).unwrap();
    let history = rolecall_app::activity::history(&reopened).unwrap();
    let titles: Vec<&str> = history.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Custom role edited: Gateway support desk",
            "Custom role created: Gateway support desk"
        ]
    );
    assert!(history[0].undo().is_none(), "an edit is not undone");
    let undo = rolecall_app::activity::undo_of(&reopened, &history[1].id).unwrap();
    let proposal = rolecall_app::onboarding::prepare_undo(&olivia, undo)
        .await
        .unwrap();
    assert_eq!(proposal.custom_roles.len(), 1);
    assert_eq!(proposal.custom_roles[0].role.guid, made.name);
    assert_eq!(
        proposal.custom_roles[0].state,
        rolecall_onboarding::session::RoleState::ToDeleteIfUnused
    );
    let nothing = rolecall_app::activity::undo_of(&reopened, &history[0].id).unwrap_err();
    assert!(nothing.message.contains("nothing to undo"), "{nothing}");

    let nowhere = rolecall_rbac::draft::Draft {
        assignable_scopes: Vec::new(),
        ..draft
    };
    let refused = draft_subscription(&nowhere).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidInput);
    assert!(refused.message.contains("assignable scope"), "{refused}");
}

#[tokio::test]
async fn custom_roles_are_found_in_every_subscription_under_their_own() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let rg = format!("{}/resourceGroups/rg-email", messaging());
    let guid = new_role_id("Mail sender", &messaging());
    let properties = RoleProperties {
        role_name: "Mail sender".into(),
        role_type: "CustomRole".into(),
        description: "sends mail".into(),
        assignable_scopes: vec![rg],
        permissions: vec![Permission {
            actions: vec!["Microsoft.Communication/CommunicationServices/Read".into()],
            ..Default::default()
        }],
    };
    olivia
        .arm
        .put_role_definition(&messaging(), &guid, &properties)
        .await
        .unwrap();
    let found = rolecall_app::roles::custom_roles(&olivia).await.unwrap();
    let mail: Vec<_> = found
        .iter()
        .filter(|c| c.definition.role_name() == "Mail sender")
        .collect();
    assert_eq!(mail.len(), 1, "listed once");
    assert_eq!(mail[0].subscription, messaging());
    assert_eq!(mail[0].subscription_name, "Contoso Messaging");
    assert!(
        found
            .iter()
            .all(|c| c.definition.properties.role_type == "CustomRole")
    );
}

#[tokio::test]
async fn a_cloned_reader_is_warned_about_before_any_scope_is_chosen() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let reader = rolecall_grants::resolve::role(&olivia, &voice(), "Reader")
        .await
        .unwrap();
    // As the wizard has it on its Permissions step: no assignable scope yet.
    let mut draft = rolecall_rbac::draft::Draft::clone_of(&reader, "Contoso SMTP Sender");
    draft.assignable_scopes.clear();
    let catalogue = rolecall_app::catalogue::load(&olivia, None).await.unwrap();
    let check = rolecall_app::roles::check_draft(&olivia, catalogue, &draft, None)
        .await
        .unwrap();
    let warned: Vec<_> = check
        .issues
        .iter()
        .filter(|i| i.severity == rolecall_rbac::draft::Severity::Warning)
        .collect();
    assert!(
        warned.iter().any(|i| i.field == "permissions[0].actions[0]"
            && i.message.contains("across every resource provider")),
        "{:?}",
        check.issues
    );
    assert!(check.granted > 0);
    assert!(
        check.issues.iter().any(|i| i.field == "assignableScopes"),
        "the missing scope is still an error"
    );
}

/// Least-privilege advice against the demo tenant's live catalogue and roles:
/// the roles that cover a need come smallest first, each allowing all of
/// it; an unknown operation is refused; a custom role that is a built-in
/// one under another name is pointed at it.
#[tokio::test]
async fn the_smallest_role_for_a_need_comes_first_and_built_in_twins_are_named() {
    use futures::TryStreamExt;
    use rolecall_app::least::{RANKED, built_in_alternative, rank_roles};
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = rolecall_app::catalogue::load(&olivia, None).await.unwrap();
    let roles: Vec<_> = olivia
        .arm
        .role_definitions(&voice(), &rolecall_azure::arm::RoleFilter::All)
        .try_collect()
        .await
        .unwrap();
    let need = vec!["Microsoft.Support/supportTickets/write".to_owned()];
    let ranked = rank_roles(&catalogue, &roles, &need).unwrap();
    assert!(!ranked.is_empty() && ranked.len() <= RANKED);
    for pair in ranked.windows(2) {
        assert!(pair[0].granted <= pair[1].granted, "smallest first");
    }
    for r in &ranked {
        assert!(
            r.role.allows(&need[0], rolecall_rbac::ActionKind::Action),
            "{} does not cover the need",
            r.role.role_name()
        );
        assert_eq!(r.extra, r.granted - 1, "one operation asked for");
        assert_eq!(r.beyond.iter().map(|(_, n)| n).sum::<usize>(), r.extra);
    }
    let names: Vec<&str> = ranked.iter().map(|r| r.role.role_name()).collect();
    assert_eq!(names[0], "Support Request Contributor", "{names:?}");
    let owner = names.iter().position(|n| *n == "Owner");
    let contributor = names.iter().position(|n| *n == "Contributor");
    assert!(owner.is_none() || owner > contributor, "{names:?}");

    let unknown =
        rank_roles(&catalogue, &roles, &["Microsoft.Nothing/here/read".into()]).unwrap_err();
    assert_eq!(unknown.kind, ErrorKind::InvalidInput);
    assert!(unknown.message.contains("not an operation"), "{unknown}");
    assert!(rank_roles(&catalogue, &roles, &[]).is_err());

    // Reader's own permissions as a "new" custom role: Reader already is it.
    let reader = roles.iter().find(|r| r.role_name() == "Reader").unwrap();
    let twin = built_in_alternative(&catalogue, &roles, &reader.properties.permissions).unwrap();
    assert_eq!((twin.role_name.as_str(), twin.extra), ("Reader", 0));
    // The SMTP sender's three actions are no built-in role's.
    let smtp = [Permission {
        actions: vec![
            "Microsoft.Communication/CommunicationServices/Read".into(),
            "Microsoft.Communication/CommunicationServices/Write".into(),
            "Microsoft.Communication/EmailServices/write".into(),
        ],
        ..Default::default()
    }];
    assert_eq!(built_in_alternative(&catalogue, &roles, &smtp), None);
}
