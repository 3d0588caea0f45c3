//! Custom roles against the emulator: the Communication Services SMTP
//! procedure (clone Reader, keep only what mail needs), checks before any
//! write, waiting out ARM's stale reads, and deletion with assignments.

use std::time::Duration;

use rolecall_emulator::demo_id;
use rolecall_grants::custom_roles::{
    RoleError, Settle, Tenant, assignments_of, check, create, update,
};
use rolecall_rbac::ActionKind;
use rolecall_rbac::draft::{Draft, Severity};
use rolecall_testkit::*;

const SMTP_ACTIONS: [&str; 3] = [
    "Microsoft.Communication/CommunicationServices/Read",
    "Microsoft.Communication/CommunicationServices/Write",
    "Microsoft.Communication/EmailServices/write",
];

fn email_rg() -> String {
    format!("{}/resourceGroups/rg-email", messaging())
}

fn smtp_draft(tenant: &Tenant, name: &str) -> Draft {
    let reader = tenant
        .roles
        .iter()
        .find(|r| r.role_name() == "Reader")
        .unwrap();
    let mut draft = Draft::clone_of(reader, name);
    draft.remove(ActionKind::Action, "*/read");
    for action in SMTP_ACTIONS {
        draft.add(ActionKind::Action, action);
    }
    draft.assignable_scopes = vec![email_rg()];
    draft
}

fn quick_settle() -> Settle {
    Settle {
        consistent_reads: 3,
        interval: Duration::from_millis(200),
        timeout: Duration::from_secs(20),
    }
}

#[tokio::test]
async fn an_smtp_sender_role_cloned_from_reader_is_checked_written_and_read_back() {
    // Azure's full catalogue and built-in roles, as a real tenant has them.
    let world = World::new(rolecall_emulator::Options {
        reference: Some(rolecall_rbac::catalogue::shared_reference_dir()),
        ..Default::default()
    })
    .await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let tenant = Tenant::load(&olivia, &messaging()).await.unwrap();

    // Cloning Reader keeps */read: the check says so before anything else.
    let reader = tenant
        .roles
        .iter()
        .find(|r| r.role_name() == "Reader")
        .unwrap();
    let mut clone = Draft::clone_of(reader, "Contoso SMTP Sender");
    clone.assignable_scopes = vec![email_rg()];
    let issues = check(&olivia, &tenant, &clone, None).await.unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i.severity == Severity::Warning && i.message.contains("*/read")),
        "{issues:?}"
    );

    // The procedure's role: three actions and nothing else.
    let draft = smtp_draft(&tenant, "Contoso SMTP Sender");
    let issues = check(&olivia, &tenant, &draft, None).await.unwrap();
    assert!(
        issues.iter().all(|i| i.severity != Severity::Error),
        "{issues:?}"
    );

    // ARM's replicas lag: reads may show nothing for two seconds.
    world.emulator.set_faults(rolecall_emulator::Faults {
        role_propagation: Duration::from_secs(2),
        ..Default::default()
    });
    let guid = uuid::Uuid::new_v4().to_string();
    let saved = create(&olivia, &tenant, &draft, &guid, &quick_settle())
        .await
        .unwrap();
    assert_eq!(saved.properties.role_name, "Contoso SMTP Sender");
    assert!(
        world
            .emulator
            .with_state(|s| s.arm.role_definitions.iter().any(|r| r.name == guid))
    );

    // Too short a wait says so rather than pretending.
    let mut wider = draft.clone();
    wider.description = "Send mail".into();
    wider.add(
        ActionKind::Action,
        "Microsoft.Communication/EmailServices/read",
    );
    // Half of the reads are stale while the change propagates (two seconds):
    // a hundred agreeing reads in a third of a second cannot happen.
    let impatient = Settle {
        consistent_reads: 100,
        interval: Duration::from_millis(1),
        timeout: Duration::from_millis(300),
    };
    let error = update(&olivia, &tenant, &wider, &guid, &impatient)
        .await
        .unwrap_err();
    assert!(matches!(error, RoleError::NotYetConsistent(_)), "{error}");

    // The same name again is refused before any write.
    let tenant = Tenant::load(&olivia, &messaging()).await.unwrap();
    let before = world.emulator.with_state(|s| s.arm.role_definitions.len());
    let twin = uuid::Uuid::new_v4().to_string();
    let error = create(&olivia, &tenant, &draft, &twin, &quick_settle())
        .await
        .unwrap_err();
    assert!(matches!(&error, RoleError::Invalid(_)), "{error}");
    assert!(error.to_string().to_lowercase().contains("name"), "{error}");
    assert_eq!(
        world.emulator.with_state(|s| s.arm.role_definitions.len()),
        before
    );
}

#[tokio::test]
async fn a_reader_is_told_before_writing_that_they_cannot_create_roles() {
    let world = World::demo().await;
    let rita = world.azure_as(RITA, &Default::default()).await;
    let tenant = Tenant::load(&rita, &voice()).await.unwrap();
    let mut draft = Draft {
        role_name: "Gateway Support".into(),
        ..Default::default()
    };
    draft.add(ActionKind::Action, "Microsoft.Support/*");
    draft.assignable_scopes = vec![voice()];
    let issues = check(&rita, &tenant, &draft, None).await.unwrap();
    assert!(
        issues
            .iter()
            .any(|i| i.severity == Severity::Error && i.field.starts_with("assignableScopes")),
        "{issues:?}"
    );
}

#[tokio::test]
async fn a_role_in_use_shows_its_assignments_before_deletion() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let tenant = Tenant::load(&olivia, &messaging()).await.unwrap();
    let draft = smtp_draft(&tenant, "Mail Relay Sender");
    let guid = uuid::Uuid::new_v4().to_string();
    let role = create(&olivia, &tenant, &draft, &guid, &quick_settle())
        .await
        .unwrap();
    assert!(assignments_of(&olivia, &role).await.unwrap().is_empty());

    // Assigned to the SMTP application's service principal, per the procedure.
    let grant = rolecall_grants::Grant::AzureRole(rolecall_grants::AzureRoleGrant {
        scope: email_rg(),
        role_id: guid.clone(),
        role_name: "Mail Relay Sender".into(),
        member: rolecall_grants::Member {
            id: demo_id("sp:smtp-relay"),
            kind: rolecall_grants::MemberKind::ServicePrincipal,
            display_name: "Contoso SMTP Relay".into(),
            detail: None,
        },
        description: None,
        schedule: None,
    });
    let planned = rolecall_grants::plan(&olivia, vec![grant]).await.unwrap();
    let outcomes =
        rolecall_grants::apply(&olivia, &planned, &Default::default(), None, &|_| {}).await;
    assert!(outcomes[0].is_success(), "{outcomes:?}");
    let using = assignments_of(&olivia, &role).await.unwrap();
    assert_eq!(using.len(), 1);
    assert_eq!(using[0].properties.principal_id, demo_id("sp:smtp-relay"));
}
