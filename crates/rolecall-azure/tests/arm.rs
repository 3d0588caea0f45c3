//! The ARM client against the emulator: paging, the role assignment and
//! custom role lifecycles, and every error Rolecall maps.

use futures::TryStreamExt;
use rolecall_azure::arm::{AssignmentFilter, NewRoleAssignment, PrincipalType, RoleFilter};
use rolecall_azure::{AzureError, Kind, Options};
use rolecall_rbac::Permission;
use rolecall_rbac::roles::RoleProperties;
use rolecall_testkit::*;

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";

fn api(error: AzureError) -> Box<rolecall_azure::ApiError> {
    match error {
        AzureError::Api(api) => api,
        other => panic!("expected an answer from Azure, got: {other}"),
    }
}

#[tokio::test]
async fn lists_follow_next_links_through_every_page() {
    let world = World::new(rolecall_emulator::Options {
        page_size: 2,
        ..Default::default()
    })
    .await;
    let azure = world.azure_as(OLIVIA, &Options::default()).await;

    let subscriptions: Vec<_> = azure.arm.subscriptions().try_collect().await.unwrap();
    assert_eq!(subscriptions.len(), 3, "two pages of 2 + 1");
    assert!(subscriptions.iter().any(|s| s.state == "Disabled"));

    let roles: Vec<_> = azure
        .arm
        .role_definitions(&voice(), &RoleFilter::All)
        .try_collect()
        .await
        .unwrap();
    let served = world.emulator.with_state(|s| s.arm.role_definitions.len());
    assert_eq!(roles.len(), served, "every page, nothing twice");
    let mut names: Vec<_> = roles.iter().map(|r| r.name.clone()).collect();
    names.dedup();
    assert_eq!(names.len(), served);

    let assignments: Vec<_> = azure
        .arm
        .role_assignments(&voice(), &AssignmentFilter::All)
        .try_collect()
        .await
        .unwrap();
    assert!(assignments.len() > 2, "more than one page");

    let groups: Vec<_> = azure
        .arm
        .resource_groups(&voice()[15..])
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["rg-voice-gateway", "rg-voice-monitoring"]
    );
    let gateways: Vec<_> = azure
        .arm
        .resources(
            &voice()[15..],
            None,
            Some("Microsoft.VoiceServices/communicationsGateways"),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(gateways.len(), 1);
    assert_eq!(gateways[0].name, "cgw-contoso-prod");

    let tenants: Vec<_> = azure.arm.tenants().try_collect().await.unwrap();
    assert_eq!(tenants[0].tenant_id, rolecall_emulator::DEMO_TENANT_ID);
}

#[tokio::test]
async fn a_role_assignment_from_creation_to_removal() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &Options::default()).await;
    let scope = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let nadia = user("nadia.novak");
    let name = rolecall_rbac::names::role_assignment_name(&scope, &nadia, CONTRIBUTOR).to_string();
    let new = NewRoleAssignment {
        role_definition_id: role_id(&voice(), CONTRIBUTOR),
        principal_id: nadia.clone(),
        principal_type: PrincipalType::User,
        description: Some("Deploys the gateway".into()),
    };

    assert_eq!(
        azure.arm.role_assignment(&scope, &name).await.unwrap(),
        None
    );
    let created = azure
        .arm
        .create_role_assignment(&scope, &name, &new)
        .await
        .unwrap();
    assert_eq!(created.name, name);
    assert_eq!(created.properties.principal_type, "User");
    assert!(created.properties.scope.eq_ignore_ascii_case(&scope));

    // The same name again converges (a re-run); another name is "exists".
    azure
        .arm
        .create_role_assignment(&scope, &name, &new)
        .await
        .unwrap();
    let twin = uuid::Uuid::new_v4().to_string();
    let error = api(azure
        .arm
        .create_role_assignment(&scope, &twin, &new)
        .await
        .unwrap_err());
    assert_eq!(
        (error.code.as_str(), error.kind),
        ("RoleAssignmentExists", Kind::AlreadyExists)
    );

    // Listed for the member (their own) and at the gateway below (inherited).
    let mine: Vec<_> = azure
        .arm
        .role_assignments(&voice(), &AssignmentFilter::AssignedTo(nadia.clone()))
        .try_collect()
        .await
        .unwrap();
    assert!(mine.iter().any(|a| a.name == name));
    let gateway = format!(
        "{scope}/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod"
    );
    let applying: Vec<_> = azure
        .arm
        .role_assignments(&gateway, &AssignmentFilter::AtScope)
        .try_collect()
        .await
        .unwrap();
    assert!(applying.iter().any(|a| a.name == name));
    let engine = applying
        .iter()
        .find(|a| a.name == name)
        .unwrap()
        .to_engine()
        .unwrap();
    assert_eq!(engine.principal_id, nadia);

    let removed = azure
        .arm
        .delete_role_assignment(&scope, &name)
        .await
        .unwrap();
    let removed = removed.expect("removed");
    assert_eq!(removed.name, name);
    // ARM's request id of the delete, for the report.
    assert!(
        removed
            .request_id
            .as_deref()
            .is_some_and(|id| !id.is_empty()),
        "{removed:?}"
    );
    assert_eq!(
        azure
            .arm
            .delete_role_assignment(&scope, &name)
            .await
            .unwrap(),
        None,
        "204: already gone"
    );
}

fn custom(name: &str, scopes: Vec<String>, actions: &[&str]) -> RoleProperties {
    RoleProperties {
        role_name: name.into(),
        role_type: "CustomRole".into(),
        description: "Test role".into(),
        assignable_scopes: scopes,
        permissions: vec![Permission {
            actions: actions.iter().map(|a| a.to_string()).collect(),
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn a_custom_role_from_creation_to_deletion() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &Options::default()).await;
    let guid = uuid::Uuid::new_v4().to_string();
    let props = custom(
        "SMTP Sender (test)",
        vec![messaging()],
        &["Microsoft.Communication/CommunicationServices/Read"],
    );
    let created = azure
        .arm
        .put_role_definition(&messaging(), &guid, &props)
        .await
        .unwrap();
    assert!(created.is_custom());
    assert_eq!(created.id, role_id(&messaging(), &guid));

    let found: Vec<_> = azure
        .arm
        .role_definitions(&messaging(), &RoleFilter::Name("smtp sender (TEST)".into()))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "roleName eq matches case-insensitively");
    let customs: Vec<_> = azure
        .arm
        .role_definitions(&messaging(), &RoleFilter::CustomOnly)
        .try_collect()
        .await
        .unwrap();
    assert!(customs.iter().all(|r| r.is_custom()) && customs.iter().any(|r| r.name == guid));

    let mut wider = props.clone();
    wider.permissions[0]
        .actions
        .push("Microsoft.Communication/CommunicationServices/Write".into());
    let updated = azure
        .arm
        .put_role_definition(&messaging(), &guid, &wider)
        .await
        .unwrap();
    assert_eq!(updated.properties.permissions[0].actions.len(), 2);

    assert!(
        azure
            .arm
            .delete_role_definition(&messaging(), &guid)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        azure
            .arm
            .delete_role_definition(&messaging(), &guid)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        azure
            .arm
            .role_definition(&messaging(), &guid)
            .await
            .unwrap()
            .is_none()
    );
}

/// Every ARM error code Rolecall maps, provoked for real, with Azure's code
/// kept and advice added.
#[tokio::test]
async fn arm_errors_keep_azures_code_and_say_what_to_do() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Options::default()).await;
    let rita = world.azure_as(RITA, &Options::default()).await;
    let rg = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let assignment = |principal: &str, role: &str, kind| NewRoleAssignment {
        role_definition_id: role_id(&voice(), role),
        principal_id: principal.into(),
        principal_type: kind,
        description: None,
    };
    let fresh = || uuid::Uuid::new_v4().to_string();
    let mut seen = Vec::new();
    let mut check = |error: AzureError, code: &str, kind: Kind| {
        let text = error.to_string();
        let api = api(error);
        assert_eq!(api.code, code, "{text}");
        assert_eq!(api.kind, kind, "{text}");
        assert!(
            api.request_id.is_some(),
            "ARM's x-ms-request-id is kept: {text}"
        );
        assert!(
            text.contains(code) && text.contains(&api.what_to_do),
            "{text}"
        );
        seen.push(code.to_owned());
        api
    };

    // A reader may not grant access; the advice names the right and the scope.
    let error = rita
        .arm
        .create_role_assignment(
            &rg,
            &fresh(),
            &assignment(&user("nadia.novak"), READER, PrincipalType::User),
        )
        .await
        .unwrap_err();
    let denied = check(error, "AuthorizationFailed", Kind::Forbidden);
    let right = denied.missing_right.unwrap();
    assert_eq!(
        right.action,
        "Microsoft.Authorization/roleAssignments/write"
    );
    assert!(
        right
            .scope
            .to_ascii_lowercase()
            .starts_with(&rg.to_ascii_lowercase())
    );
    assert!(denied.what_to_do.contains("User Access Administrator"));

    // A member created moments ago is not replicated yet.
    world.emulator.set_faults(rolecall_emulator::Faults {
        principal_replication: std::time::Duration::from_secs(600),
        ..Default::default()
    });
    let newcomer = world.emulator.create_user("new.hire", "New Hire");
    let error = olivia
        .arm
        .create_role_assignment(
            &rg,
            &fresh(),
            &assignment(&newcomer, READER, PrincipalType::User),
        )
        .await
        .unwrap_err();
    check(error, "PrincipalNotFound", Kind::PrincipalNotFound);
    world.emulator.set_faults(Default::default());

    let error = olivia
        .arm
        .create_role_assignment(
            &rg,
            &fresh(),
            &assignment(&user("nadia.novak"), READER, PrincipalType::Group),
        )
        .await
        .unwrap_err();
    check(error, "UnmatchedPrincipalType", Kind::Invalid);

    let name = fresh();
    olivia
        .arm
        .create_role_assignment(
            &rg,
            &name,
            &assignment(&user("tom.baker"), READER, PrincipalType::User),
        )
        .await
        .unwrap();
    let error = olivia
        .arm
        .create_role_assignment(
            &rg,
            &name,
            &assignment(&user("tom.baker"), CONTRIBUTOR, PrincipalType::User),
        )
        .await
        .unwrap_err();
    check(error, "RoleAssignmentUpdateNotPermitted", Kind::Conflict);

    let error = olivia
        .arm
        .create_role_assignment(
            &format!("{}/resourceGroups/rg-old", legacy()),
            &fresh(),
            &assignment(&user("tom.baker"), READER, PrincipalType::User),
        )
        .await
        .unwrap_err();
    check(error, "ReadOnlyDisabledSubscription", Kind::Conflict);

    let error = olivia
        .arm
        .create_role_assignment(
            &rg,
            "not-a-guid",
            &assignment(&user("tom.baker"), READER, PrincipalType::User),
        )
        .await
        .unwrap_err();
    check(error, "InvalidRoleAssignmentId", Kind::Invalid);

    world
        .emulator
        .with_state(|s| s.settings.limits.assignments_per_subscription = 1);
    let error = olivia
        .arm
        .create_role_assignment(
            &rg,
            &fresh(),
            &assignment(&user("priya.shah"), READER, PrincipalType::User),
        )
        .await
        .unwrap_err();
    check(error, "RoleAssignmentLimitExceeded", Kind::LimitExceeded);
    world
        .emulator
        .with_state(|s| s.settings.limits.assignments_per_subscription = 4000);

    // Custom roles.
    let smtp = fresh();
    olivia
        .arm
        .put_role_definition(
            &voice(),
            &smtp,
            &custom(
                "Gateway Support",
                vec![rg.clone()],
                &["Microsoft.Support/*"],
            ),
        )
        .await
        .unwrap();
    let error = olivia
        .arm
        .put_role_definition(
            &voice(),
            &fresh(),
            &custom("gateway support", vec![voice()], &["Microsoft.Support/*"]),
        )
        .await
        .unwrap_err();
    check(
        error,
        "RoleDefinitionWithSameNameExists",
        Kind::AlreadyExists,
    );
    let error = olivia
        .arm
        .put_role_definition(
            &voice(),
            &fresh(),
            &custom("Bogus", vec![voice()], &["Microsoft.Support/ticketz/write"]),
        )
        .await
        .unwrap_err();
    check(error, "InvalidActionOrNotAction", Kind::Invalid);
    let error = olivia
        .arm
        .put_role_definition(
            &voice(),
            &fresh(),
            &custom("Nowhere", vec![], &["Microsoft.Support/*"]),
        )
        .await
        .unwrap_err();
    check(error, "MissingAssignableScopes", Kind::Invalid);
    let error = olivia
        .arm
        .put_role_definition(
            &voice(),
            &fresh(),
            &custom("", vec![voice()], &["Microsoft.Support/*"]),
        )
        .await
        .unwrap_err();
    check(error, "RoleDefinitionNameNullOrEmpty", Kind::Invalid);
    // Assignable only at rg-voice-gateway: not at the other resource group.
    let error = olivia
        .arm
        .create_role_assignment(
            &format!("{}/resourceGroups/rg-voice-monitoring", voice()),
            &fresh(),
            &NewRoleAssignment {
                role_definition_id: role_id(&voice(), &smtp),
                principal_id: user("tom.baker"),
                principal_type: PrincipalType::User,
                description: None,
            },
        )
        .await
        .unwrap_err();
    check(error, "InvalidRoleAssignmentScope", Kind::Invalid);
    olivia
        .arm
        .create_role_assignment(
            &rg,
            &fresh(),
            &NewRoleAssignment {
                role_definition_id: role_id(&voice(), &smtp),
                principal_id: user("tom.baker"),
                principal_type: PrincipalType::User,
                description: None,
            },
        )
        .await
        .unwrap();
    let error = olivia
        .arm
        .delete_role_definition(&voice(), &smtp)
        .await
        .unwrap_err();
    check(error, "RoleDefinitionHasAssignments", Kind::Conflict);
    let error = olivia
        .arm
        .create_role_assignment(
            &rg,
            &fresh(),
            &assignment(&user("tom.baker"), &fresh(), PrincipalType::User),
        )
        .await
        .unwrap_err();
    check(error, "RoleDefinitionDoesNotExist", Kind::NotFound);
    world
        .emulator
        .with_state(|s| s.settings.limits.custom_roles = 1);
    let error = olivia
        .arm
        .put_role_definition(
            &voice(),
            &fresh(),
            &custom("One Too Many", vec![voice()], &["Microsoft.Support/*"]),
        )
        .await
        .unwrap_err();
    check(error, "RoleDefinitionLimitExceeded", Kind::LimitExceeded);

    // Lookups.
    let missing = uuid::Uuid::new_v4().to_string();
    let error = olivia.arm.subscription(&missing).await.unwrap_err();
    check(error, "SubscriptionNotFound", Kind::NotFound);
    let error = olivia
        .arm
        .resources(&voice()[15..], Some("rg-nowhere"), None)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    check(error, "ResourceGroupNotFound", Kind::NotFound);
    let error = olivia
        .arm
        .role_assignments(
            &rg,
            &AssignmentFilter::Principal("not a guid' or 1 eq 1".into()),
        )
        .try_collect::<Vec<_>>()
        .await;
    // The quote is escaped as OData wants: ARM sees one literal, finds nothing.
    assert!(matches!(error.as_deref(), Ok([])), "{error:?}");

    assert_eq!(seen.len(), 17, "{seen:?}");
}
