//! Templates: the built-in ones, refusals of bad ones, and the least set of
//! grants they expand to, planned, applied and removed against the emulator.

use std::collections::HashMap;

use rolecall_emulator::demo_id;
use rolecall_grants::{Grant, Member, MemberKind, Outcome};
use rolecall_onboarding::template::TemplateError;
use rolecall_onboarding::{Selection, Template, builtin, expand};
use rolecall_testkit::*;

fn gateway() -> String {
    format!(
        "{}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod",
        voice()
    )
}

fn nadia() -> Member {
    Member {
        id: user("nadia.novak"),
        kind: MemberKind::User,
        display_name: "Nadia Novak".into(),
        detail: Some("nadia.novak@contosodemo.onmicrosoft.com".into()),
    }
}

fn acg() -> Template {
    builtin().into_iter().find(|t| t.id == "acg-staff").unwrap()
}

fn describe(grants: &[Grant]) -> Vec<String> {
    let mut all: Vec<String> = grants
        .iter()
        .map(|g| match g {
            Grant::AzureRole(r) => {
                format!("{} @ {}", r.role_name, r.scope.rsplit('/').next().unwrap())
            }
            Grant::AppRole(a) => a.app_role_value.clone(),
        })
        .collect();
    all.sort();
    all
}

#[test]
fn the_built_in_templates_are_valid() {
    let all = builtin();
    assert_eq!(all.len(), 2);
    let acg = acg();
    assert_eq!(acg.tasks.len(), 7);
    assert_eq!(
        acg.inputs[0].resource_type.as_deref(),
        Some("Microsoft.VoiceServices/communicationsGateways")
    );
    let smtp = all.iter().find(|t| t.id == "acs-smtp-sender").unwrap();
    assert_eq!(smtp.custom_roles[0].actions.len(), 3);
}

#[test]
fn bad_templates_are_refused_with_where_and_why() {
    let unknown_field = r#"{"id": "x", "name": "X", "taks": []}"#;
    match Template::parse(unknown_field, "mine.json").unwrap_err() {
        TemplateError::Json {
            file,
            line,
            message,
            ..
        } => {
            assert_eq!((file.as_str(), line), ("mine.json", 1));
            assert!(message.contains("taks"), "{message}");
        }
        other => panic!("{other}"),
    }
    let dangling = r#"{"id": "x", "name": "X", "inputs": [{"id": "rg", "label": "A group", "kind": "resourceGroup"}],
        "tasks": [{"id": "t", "title": "T", "grants": [{"azureRole": {"role": "Reader", "at": "gateway"}}]}]}"#;
    let error = Template::parse(dangling, "mine.json")
        .unwrap_err()
        .to_string();
    assert!(error.contains("no input 'gateway'"), "{error}");
    let by_name = r#"{"id": "x", "name": "X",
        "tasks": [{"id": "t", "title": "T", "grants": [{"appRole": {"appId": "AzureCommunicationsGateway", "role": "ProvisioningAPI.ReadUser"}}]}]}"#;
    let error = Template::parse(by_name, "mine.json")
        .unwrap_err()
        .to_string();
    assert!(error.contains("pinned by id"), "{error}");
    // The id names a file in the admin's templates folder: no paths.
    let escaping = r#"{"id": "../../.bashrc", "name": "X",
        "tasks": [{"id": "t", "title": "T", "grants": [{"azureRole": {"role": "Reader", "at": "/subscriptions/x"}}]}]}"#;
    let error = Template::parse(escaping, "mine.json")
        .unwrap_err()
        .to_string();
    assert!(error.contains("letters, digits"), "{error}");
}

#[tokio::test]
async fn every_gateway_task_is_the_least_set_of_grants_and_applies_and_offboards() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let catalogue = rolecall_azure::catalogue::provider_operations(&olivia.arm)
        .await
        .unwrap();
    let template = acg();
    let selection = Selection {
        template: &template,
        tasks: template.tasks.iter().map(|t| t.id.clone()).collect(),
        inputs: HashMap::from([("gateway".to_owned(), gateway())]),
        members: vec![nadia()],
    };
    let expansion = expand(&olivia, &selection, Some(&catalogue)).await.unwrap();
    assert_eq!(
        describe(&expansion.grants),
        [
            "Contributor @ rg-voice-gateway",
            "ProvisioningAPI.AdminUser",
            &format!(
                "Support Request Contributor @ {}",
                demo_id("sub:voice-prod")
            ),
        ]
    );
    assert!(
        expansion
            .left_out
            .iter()
            .any(|w| w.starts_with("Reader at")),
        "{:?}",
        expansion.left_out
    );
    assert!(
        expansion
            .left_out
            .iter()
            .any(|w| w.starts_with("ProvisioningAPI.ReadUser"))
    );
    assert_eq!(expansion.warnings.len(), 1, "the tenant-wide warning, once");

    let plan = rolecall_grants::plan(&olivia, expansion.grants.clone())
        .await
        .unwrap();
    assert_eq!(plan.to_create().count(), 3);
    let outcomes = rolecall_grants::apply(&olivia, &plan, &Default::default(), None, &|_| {}).await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Created { .. })),
        "{outcomes:?}"
    );
    assert!(
        rolecall_grants::plan(&olivia, expansion.grants.clone())
            .await
            .unwrap()
            .is_converged()
    );

    // Offboarding: exactly what was granted goes, and the tenant is as before.
    let undone = rolecall_grants::remove(
        &olivia,
        &expansion.grants,
        rolecall_grants::Removes::Any,
        &Default::default(),
        None,
        &|_| {},
    )
    .await;
    assert!(
        undone.iter().all(|o| matches!(o, Outcome::Removed { .. })),
        "{undone:?}"
    );
    let again = rolecall_grants::plan(&olivia, expansion.grants)
        .await
        .unwrap();
    assert_eq!(again.to_create().count(), 3);
}

#[tokio::test]
async fn monitoring_alone_is_reader_on_the_gateway() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let template = acg();
    let selection = Selection {
        template: &template,
        tasks: vec!["monitor".into()],
        inputs: HashMap::from([("gateway".to_owned(), gateway())]),
        members: vec![nadia()],
    };
    let expansion = expand(&olivia, &selection, None).await.unwrap();
    assert_eq!(describe(&expansion.grants), ["Reader @ cgw-contoso-prod"]);
    let unknown = Selection {
        tasks: vec!["fly".into()],
        ..selection.clone()
    };
    let error = expand(&olivia, &unknown, None)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("no task 'fly'"), "{error}");
}

#[tokio::test]
async fn the_smtp_sender_template_creates_its_role_then_assigns_it_to_the_application() {
    let world = World::demo().await;
    let olivia = world.azure_as(OLIVIA, &Default::default()).await;
    let template = builtin()
        .into_iter()
        .find(|t| t.id == "acs-smtp-sender")
        .unwrap();
    let acs = format!(
        "{}/resourceGroups/rg-email/providers/Microsoft.Communication/communicationServices/acs-contoso-mail",
        messaging()
    );
    let relay = Member {
        id: demo_id("sp:smtp-relay"),
        kind: MemberKind::ServicePrincipal,
        display_name: "Contoso SMTP Relay".into(),
        detail: None,
    };
    let selection = Selection {
        template: &template,
        tasks: vec!["send".into()],
        inputs: HashMap::from([("acs".to_owned(), acs.clone())]),
        members: vec![relay],
    };
    let expansion = expand(&olivia, &selection, None).await.unwrap();
    assert_eq!(expansion.custom_roles.len(), 1);
    let role = &expansion.custom_roles[0];
    assert_eq!(
        role.draft.permissions[0].actions.len(),
        3,
        "exactly the documented three"
    );

    let tenant = rolecall_grants::custom_roles::Tenant::load(&olivia, &messaging())
        .await
        .unwrap();
    rolecall_grants::custom_roles::create(
        &olivia,
        &tenant,
        &role.draft,
        &role.guid,
        &Default::default(),
    )
    .await
    .unwrap();
    let plan = rolecall_grants::plan(&olivia, expansion.grants.clone())
        .await
        .unwrap();
    let outcomes = rolecall_grants::apply(&olivia, &plan, &Default::default(), None, &|_| {}).await;
    assert!(
        matches!(outcomes[..], [Outcome::Created { .. }]),
        "{outcomes:?}"
    );
    // A second expansion names the same role (deterministic id): a re-run converges.
    let again = expand(&olivia, &selection, None).await.unwrap();
    assert_eq!(again.custom_roles[0].guid, role.guid);
    assert!(
        rolecall_grants::plan(&olivia, again.grants)
            .await
            .unwrap()
            .is_converged()
    );
}

#[test]
fn the_schema_for_editors_describes_the_same_fields() {
    let dir =
        std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("templates");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("template.schema.json")).unwrap())
            .unwrap();
    let properties: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // Every top-level field a template may have, and nothing the loader refuses.
    let mut expected = vec![
        "$schema",
        "id",
        "name",
        "description",
        "inputs",
        "customRoles",
        "assignment",
        "tasks",
    ];
    expected.sort();
    let mut found = properties.clone();
    found.sort();
    assert_eq!(found, expected);
    // The loader reads the folder, skipping the schema itself.
    let loaded = rolecall_onboarding::template::load_dir(&dir).unwrap();
    assert_eq!(loaded.len(), 2);
}

#[test]
fn an_assignment_type_is_read_per_grant_and_as_the_templates_default() {
    let text = r#"{
        "id": "on-call", "name": "On call",
        "assignment": { "type": "eligible", "duration": "P90D" },
        "inputs": [{ "id": "rg", "label": "Group", "kind": "resourceGroup" }],
        "tasks": [{ "id": "t", "title": "T", "grants": [
            { "azureRole": { "role": "Contributor", "at": "rg" } },
            { "azureRole": { "role": "Reader", "at": "rg", "assignment": { "type": "active" } } }
        ] }]
    }"#;
    let template = Template::parse(text, "on-call.json").unwrap();
    let default = template.assignment.as_ref().unwrap().schedule().unwrap();
    assert!(default.eligible);
    assert_eq!(default.duration.as_deref(), Some("P90D"));
    // Active without a duration: a plain role assignment, no PIM.
    assert_eq!(
        template.tasks[0].grants[1].assignment().unwrap().schedule(),
        None
    );
    assert_eq!(
        template.describe_assignment(),
        "eligible for 90 days (Reader: active, permanent)"
    );
    assert_eq!(builtin()[0].describe_assignment(), "active, permanent");
    // It survives the round trip an export makes.
    let again = Template::parse(&serde_json::to_string(&template).unwrap(), "again.json").unwrap();
    assert_eq!(again, template);

    for (bad, says) in [
        (
            r#"{ "type": "eligible", "duration": "90 days" }"#,
            "'90 days' is not a duration PIM accepts",
        ),
        (
            r#"{ "type": "eligible", "duration": "PT1M" }"#,
            "at least 5 minutes",
        ),
        (r#"{ "type": "permanent" }"#, "unknown variant `permanent`"),
        (
            r#"{ "type": "eligible", "until": "2027-01-01" }"#,
            "unknown field `until`",
        ),
    ] {
        let text = text.replacen(r#"{ "type": "eligible", "duration": "P90D" }"#, bad, 1);
        let error = Template::parse(&text, "on-call.json")
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{bad}: {error}");
    }
}
