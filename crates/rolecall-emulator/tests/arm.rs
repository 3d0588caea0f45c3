//! ARM on the wire: Microsoft.Resources reads and Microsoft.Authorization
//! rules, enforced like Azure, with Azure's codes and messages.

mod common;

use common::{Arm, reference_dir, start, upn};
use rolecall_emulator::seed::{DEMO_SUB_LEGACY, DEMO_SUB_MESSAGING, DEMO_SUB_VOICE, builtin};
use rolecall_emulator::{DEMO_TENANT_ID, Options, demo_id};
use serde_json::{Value, json};

fn sub(key: &str) -> String {
    format!("/subscriptions/{}", demo_id(key))
}

fn rg(key: &str, group: &str) -> String {
    format!("{}/resourceGroups/{group}", sub(key))
}

fn gateway() -> String {
    format!(
        "{}/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod",
        rg(DEMO_SUB_VOICE, "rg-voice-gateway")
    )
}

fn acs() -> String {
    format!(
        "{}/providers/Microsoft.Communication/communicationServices/acs-contoso-mail",
        rg(DEMO_SUB_MESSAGING, "rg-email")
    )
}

fn assignment(role: &str, principal: &str, principal_type: &str) -> Value {
    json!({"properties": {
        "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "principalId": principal,
        "principalType": principal_type,
    }})
}

fn ids(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn subscriptions_are_listed_to_whoever_has_access_at_above_or_below_them() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let all = olivia
        .get_all("/subscriptions?api-version=2022-12-01")
        .await;
    assert_eq!(all.len(), 3);
    let legacy = all
        .iter()
        .find(|s| s["subscriptionId"] == demo_id(DEMO_SUB_LEGACY))
        .unwrap();
    assert_eq!(legacy["state"], "Disabled");
    assert_eq!(legacy["tenantId"], DEMO_TENANT_ID);
    assert_eq!(legacy["id"], sub(DEMO_SUB_LEGACY));

    let rita = Arm::new(&emulator, &upn("rita.reader")).await;
    assert_eq!(
        rita.get_all("/subscriptions?api-version=2022-12-01")
            .await
            .len(),
        2
    );
    // Nadia only holds Reader on the gateway, through a group: she still sees its subscription.
    let nadia = Arm::new(&emulator, &upn("nadia.novak")).await;
    let hers = nadia.get_all("/subscriptions?api-version=2022-12-01").await;
    assert_eq!(ids(&hers), vec![sub(DEMO_SUB_VOICE)]);
    let (status, body) = nadia
        .get(&format!(
            "{}?api-version=2022-12-01",
            sub(DEMO_SUB_MESSAGING)
        ))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("SubscriptionNotFound"))
    );

    let (status, tenants) = olivia.get("/tenants?api-version=2022-12-01").await;
    assert_eq!(status, 200);
    assert_eq!(tenants["value"][0]["tenantId"], DEMO_TENANT_ID);
}

#[tokio::test]
async fn resources_filter_by_type_and_by_what_the_caller_may_read() {
    let emulator = start(Options::default()).await;
    let filter = "$filter=resourceType eq 'Microsoft.VoiceServices/communicationsGateways'&api-version=2022-09-01";
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let found = olivia
        .get_all(&format!("{}/resources?{filter}", sub(DEMO_SUB_VOICE)))
        .await;
    assert_eq!(ids(&found), vec![gateway()]);
    assert_eq!(
        found[0]["type"],
        "Microsoft.VoiceServices/communicationsGateways"
    );
    let everything = olivia
        .get_all(&format!(
            "{}/resources?api-version=2022-09-01",
            sub(DEMO_SUB_VOICE)
        ))
        .await;
    assert_eq!(everything.len(), 2);

    let nadia = Arm::new(&emulator, &upn("nadia.novak")).await;
    assert_eq!(
        ids(&nadia
            .get_all(&format!(
                "{}/resources?api-version=2022-09-01",
                sub(DEMO_SUB_VOICE)
            ))
            .await),
        vec![gateway()]
    );
    assert!(
        nadia
            .get_all(&format!(
                "{}/resourcegroups?api-version=2022-09-01",
                sub(DEMO_SUB_VOICE)
            ))
            .await
            .is_empty()
    );
    let (status, body) = olivia
        .get(&format!(
            "{}?api-version=2022-09-01",
            rg(DEMO_SUB_VOICE, "rg-nope")
        ))
        .await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (404, Some("Resource group 'rg-nope' could not be found."))
    );
}

#[tokio::test]
async fn a_role_assignment_is_created_once_and_re_runs_are_recognised() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let scope = rg(DEMO_SUB_VOICE, "rg-voice-gateway");
    let tom = demo_id("user:tom.baker");
    let name = "5f0cbb3a-1e7b-4c53-9a3e-3f1b1d2a9c10";
    let path = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}");

    let (status, created) = olivia
        .put(&path, assignment(builtin::CONTRIBUTOR, &tom, "User"))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], path);
    assert_eq!(created["properties"]["scope"], scope);
    assert_eq!(created["properties"]["principalType"], "User");
    assert_eq!(
        created["properties"]["roleDefinitionId"],
        format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions/{}",
            sub(DEMO_SUB_VOICE),
            builtin::CONTRIBUTOR
        )
    );
    // As recorded: the PUT's answer says `createdBy: null`; a read says who.
    assert_eq!(created["properties"]["createdBy"], Value::Null);
    let (_, read) = olivia.get(&path).await;
    assert_eq!(
        read["properties"]["createdBy"],
        demo_id("user:olivia.owner")
    );

    // Same name, same grant: an idempotent update.
    let (status, _) = olivia
        .put(&path, assignment(builtin::CONTRIBUTOR, &tom, "User"))
        .await;
    assert_eq!(status, 200);
    // Same grant, another name: Azure's conflict, naming the existing one.
    let other = format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/0d1e7f7a-7c1e-4a4d-8f5b-2a9b6c3d4e5f"
    );
    let (status, body) = olivia
        .put(&other, assignment(builtin::CONTRIBUTOR, &tom, "User"))
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "RoleAssignmentExists");
    assert_eq!(
        body["error"]["message"],
        format!(
            "The role assignment already exists. The ID of the existing role assignment is {}.",
            name.replace('-', "")
        )
    );
    // Same name, another principal: not an update ARM permits.
    let (status, body) = olivia
        .put(
            &path,
            assignment(builtin::CONTRIBUTOR, &demo_id("user:mei.chen"), "User"),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("RoleAssignmentUpdateNotPermitted"))
    );

    let (status, deleted) = olivia.delete(&path).await;
    assert_eq!((status, deleted["name"].as_str()), (200, Some(name)));
    let (status, _) = olivia.delete(&path).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn listing_at_a_scope_shows_inherited_assignments_under_the_queried_subscription() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let at_gateway = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()",
            gateway()
        ))
        .await;
    // From the subscription (Olivia, Uma, Carlos, Rita), the resource group (the
    // deployment identity) and the gateway itself (ACG Operators).
    assert_eq!(at_gateway.len(), 6, "{at_gateway:#?}");
    let operators = at_gateway
        .iter()
        .find(|a| a["properties"]["principalId"] == demo_id("group:acg-operators"))
        .unwrap();
    assert_eq!(operators["properties"]["principalType"], "Group");
    assert!(at_gateway.iter().all(|a| {
        a["properties"]["roleDefinitionId"]
            .as_str()
            .unwrap()
            .starts_with(&sub(DEMO_SUB_VOICE))
    }));

    // atScope() leaves out what is below; no filter includes it.
    let at_sub = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()",
            sub(DEMO_SUB_VOICE)
        ))
        .await;
    let all_sub = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments",
            sub(DEMO_SUB_VOICE)
        ))
        .await;
    assert_eq!((at_sub.len(), all_sub.len()), (4, 6));

    // assignedTo() follows group membership; principalId eq does not.
    let nadia = demo_id("user:nadia.novak");
    let assigned = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments?$filter=assignedTo('{nadia}')",
            sub(DEMO_SUB_VOICE)
        ))
        .await;
    assert_eq!(assigned.len(), 1);
    let direct = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '{nadia}'",
            sub(DEMO_SUB_VOICE)
        ))
        .await;
    assert!(direct.is_empty());
}

#[tokio::test]
async fn lists_page_with_an_absolute_next_link() {
    let emulator = start(Options {
        page_size: 2,
        ..Options::default()
    })
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let path = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments",
        sub(DEMO_SUB_VOICE)
    );
    let (_, first) = olivia.get(&path).await;
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let next = first["nextLink"].as_str().unwrap();
    assert!(next.starts_with(&emulator.urls().arm), "{next}");
    assert!(next.contains("api-version=2022-04-01"), "{next}");
    assert_eq!(olivia.get_all(&path).await.len(), 6);
}

#[tokio::test]
async fn writes_need_the_callers_own_rights() {
    let emulator = start(Options::default()).await;
    let scope = rg(DEMO_SUB_VOICE, "rg-voice-gateway");
    let path = format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    );
    let body = assignment(builtin::READER, &demo_id("user:lars.eriksson"), "User");

    let rita = Arm::new(&emulator, &upn("rita.reader")).await;
    let (status, denied) = rita.put(&path, body.clone()).await;
    assert_eq!(status, 403);
    assert_eq!(denied["error"]["code"], "AuthorizationFailed");
    assert_eq!(
        denied["error"]["message"],
        format!(
            "The client '{}' with object id '{}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            upn("rita.reader"),
            demo_id("user:rita.reader")
        )
    );
    let carlos = Arm::new(&emulator, &upn("carlos.cloudapps")).await;
    assert_eq!(carlos.put(&path, body.clone()).await.0, 403);
    let uma = Arm::new(&emulator, &upn("uma.access")).await;
    assert_eq!(uma.put(&path, body).await.0, 201);
}

#[tokio::test]
async fn principals_are_checked_against_the_directory() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let path = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        rg(DEMO_SUB_VOICE, "rg-voice-gateway")
    );
    let ghost = "11111111-2222-4333-8444-555555555555";
    let (status, body) = olivia
        .put(&path, assignment(builtin::READER, ghost, "User"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("PrincipalNotFound"))
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with(&format!("Principal 11111111222243338444555555555555 does not exist in the directory {DEMO_TENANT_ID}.")), "{message}");
    assert!(
        message.contains("set the role assignment principalType"),
        "{message}"
    );

    let (status, body) = olivia
        .put(
            &path,
            assignment(builtin::READER, &demo_id("group:acg-support"), "User"),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("UnmatchedPrincipalType"))
    );
    let (status, body) = olivia
        .put(
            &path,
            assignment(
                "00000000-1111-2222-3333-444444444444",
                &demo_id("user:tom.baker"),
                "User",
            ),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("RoleDefinitionDoesNotExist"))
    );
    let bad_name = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/not-a-guid",
        rg(DEMO_SUB_VOICE, "rg-voice-gateway")
    );
    let (status, body) = olivia
        .put(
            &bad_name,
            assignment(builtin::READER, &demo_id("user:tom.baker"), "User"),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("InvalidRoleAssignmentId"))
    );
}

#[tokio::test]
async fn a_disabled_subscription_is_read_only_and_limits_are_enforced() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let tom = demo_id("user:tom.baker");
    let (status, body) = olivia
        .put(&format!("{}/providers/Microsoft.Authorization/roleAssignments/2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", sub(DEMO_SUB_LEGACY)), assignment(builtin::READER, &tom, "User"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("ReadOnlyDisabledSubscription"))
    );

    emulator.with_state(|s| s.settings.limits.assignments_per_subscription = 6);
    let (status, body) = olivia
        .put(&format!("{}/providers/Microsoft.Authorization/roleAssignments/3d4e5f6a-7b8c-4d9e-8f1a-2b3c4d5e6f7a", sub(DEMO_SUB_VOICE)), assignment(builtin::READER, &tom, "User"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("RoleAssignmentLimitExceeded"))
    );
}

#[tokio::test]
async fn permissions_report_the_callers_effective_blocks() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let (status, body) = olivia
        .get(&format!(
            "{}/providers/Microsoft.Authorization/permissions",
            sub(DEMO_SUB_VOICE)
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["value"],
        json!([{"actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": []}])
    );

    let nadia = Arm::new(&emulator, &upn("nadia.novak")).await;
    let (_, body) = nadia
        .get(&format!(
            "{}/providers/Microsoft.Authorization/permissions",
            gateway()
        ))
        .await;
    assert_eq!(body["value"][0]["actions"], json!(["*/read"]));
    let (status, body) = olivia
        .get(&format!(
            "{}/providers/Microsoft.Authorization/permissions",
            rg(DEMO_SUB_VOICE, "NonExistentResourceGroup")
        ))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("ResourceGroupNotFound"))
    );
}

#[tokio::test]
async fn tokens_and_api_versions_are_checked_first() {
    let emulator = start(Options::default()).await;
    let mut olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let (status, body) = olivia.get("/subscriptions").await; // 2022-04-01 is not a subscriptions version
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("NoRegisteredProviderFound"))
    );
    let (status, body) = olivia.get("/subscriptions?api-version=").await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = olivia
        .call(
            reqwest::Method::GET,
            &format!("{}subscriptions", emulator.urls().arm),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("MissingApiVersionParameter"))
    );

    olivia.token = common::token_for(&emulator, &upn("olivia.owner"), common::GRAPH_SCOPE).await;
    let (status, body) = olivia.get("/subscriptions?api-version=2022-12-01").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationTokenAudience"))
    );
}

#[tokio::test]
async fn custom_roles_follow_azures_rules_against_the_full_catalogue() {
    let emulator = start(Options {
        reference: Some(reference_dir()),
        ..Options::default()
    })
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let messaging = sub(DEMO_SUB_MESSAGING);
    let role_id = "9c4b6f3e-2d1a-4e8b-a7c6-5d4e3f2a1b0c";
    let path = |scope: &str, id: &str| {
        format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{id}")
    };
    let smtp = |name: &str, actions: Vec<&str>| {
        json!({"properties": {
            "roleName": name,
            "description": "Send email over SMTP through Azure Communication Services",
            "type": "CustomRole",
            "permissions": [{"actions": actions, "notActions": [], "dataActions": [], "notDataActions": []}],
            "assignableScopes": [messaging],
        }})
    };
    let actions = vec![
        "Microsoft.Communication/CommunicationServices/Read",
        "Microsoft.Communication/CommunicationServices/Write",
        "Microsoft.Communication/EmailServices/write",
    ];
    // PUT at a resource group; the id still lives under the subscription.
    let (status, created) = olivia
        .put(
            &path(&rg(DEMO_SUB_MESSAGING, "rg-email"), role_id),
            smtp("SMTP Sender", actions.clone()),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], path(&messaging, role_id));
    assert_eq!(created["properties"]["type"], "CustomRole");
    // As recorded: the PUT's answer says `createdBy: null`; a read says who.
    assert_eq!(created["properties"]["createdBy"], Value::Null);
    let (_, read) = olivia.get(&path(&messaging, role_id)).await;
    assert_eq!(
        read["properties"]["createdBy"],
        demo_id("user:olivia.owner")
    );

    let (status, body) = olivia
        .put(
            &path(&messaging, "8b3a5e2d-1c0f-4d7a-b6e5-4c3d2e1f0a9b"),
            smtp("smtp sender", actions.clone()),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("RoleDefinitionWithSameNameExists"))
    );
    let (status, body) = olivia
        .put(
            &path(&messaging, role_id),
            smtp(
                "SMTP Sender",
                vec!["Microsoft.Communication/NoSuchThing/Read"],
            ),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "'Microsoft.Communication/NoSuchThing/Read' does not match any of the actions supported by the providers."
    );
    let (status, _) = olivia
        .put(
            &path(&messaging, role_id),
            smtp("SMTP Sender", vec!["Microsoft.Support/*", "*/read"]),
        )
        .await;
    assert_eq!(status, 201, "wildcards that name real operations are valid");
    let (status, body) = olivia
        .put(
            &path(&messaging, builtin::READER),
            smtp("Shadow Reader", actions.clone()),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("RoleDefinitionExists"))
    );
    let mut builtin_type = smtp("X", actions.clone());
    builtin_type["properties"]["type"] = "BuiltInRole".into();
    let (_, body) = olivia.put(&path(&messaging, role_id), builtin_type).await;
    assert_eq!(body["error"]["code"], "InvalidRoleDefinitionType");
    let (_, body) = olivia
        .put(&path(&messaging, role_id), smtp("", actions.clone()))
        .await;
    assert_eq!(
        body["error"]["message"],
        "A role definition must have a non-empty, unique name."
    );
    let mut no_scopes = smtp("X", actions.clone());
    no_scopes["properties"]["assignableScopes"] = json!([]);
    let (_, body) = olivia.put(&path(&messaging, role_id), no_scopes).await;
    assert_eq!(body["error"]["code"], "MissingAssignableScopes");
    let rita = Arm::new(&emulator, &upn("rita.reader")).await;
    let (status, _) = rita
        .put(
            &path(&messaging, "7a2b4c6d-8e0f-4a1b-9c3d-5e7f9a1b3c5d"),
            smtp("Rita's", actions.clone()),
        )
        .await;
    assert_eq!(status, 403);

    // Found by name (case-insensitively) and by type, next to all 928 built-ins.
    olivia
        .put(&path(&messaging, role_id), smtp("SMTP Sender", actions))
        .await;
    let by_name = olivia.get_all(&format!("{messaging}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq 'smtp SENDER'")).await;
    assert_eq!(ids(&by_name), vec![path(&messaging, role_id)]);
    let customs = olivia.get_all(&format!("{messaging}/providers/Microsoft.Authorization/roleDefinitions?$filter=type eq 'CustomRole'")).await;
    assert_eq!(customs.len(), 1);
    let all = olivia
        .get_all(&format!(
            "{messaging}/providers/Microsoft.Authorization/roleDefinitions"
        ))
        .await;
    assert_eq!(all.len(), 929);

    // Assigned to the SMTP application, the role cannot be deleted until unassigned.
    let assignment_path = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b",
        acs()
    );
    let (status, body) = olivia
        .put(
            &assignment_path,
            assignment(role_id, &demo_id("sp:smtp-relay"), "ServicePrincipal"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = olivia.delete(&path(&messaging, role_id)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("RoleDefinitionHasAssignments"))
    );
    olivia.delete(&assignment_path).await;
    assert_eq!(olivia.delete(&path(&messaging, role_id)).await.0, 200);
    assert_eq!(olivia.delete(&path(&messaging, role_id)).await.0, 204);
}

#[tokio::test]
async fn provider_operations_come_from_the_catalogue() {
    let emulator = start(Options {
        reference: Some(reference_dir()),
        ..Options::default()
    })
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let (status, support) = olivia.get("/providers/Microsoft.Authorization/providerOperations/Microsoft.Support?$expand=resourceTypes").await;
    assert_eq!(status, 200);
    assert_eq!(support["name"], "Microsoft.Support");
    assert!(
        support["resourceTypes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|rt| rt["name"] == "supportTickets")
    );
    // Names match case-insensitively, and the spec's default for $expand is resourceTypes.
    let (_, bare) = olivia
        .get("/providers/Microsoft.Authorization/providerOperations/microsoft.support")
        .await;
    assert!(bare.get("resourceTypes").is_some());
    let (status, body) = olivia.get("/providers/Microsoft.Authorization/providerOperations/InvalidProvider?$expand=resourceTypes").await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (404, Some("Provider 'InvalidProvider' not found."))
    );
    let (_, all) = olivia
        .get("/providers/Microsoft.Authorization/providerOperations?$expand=resourceTypes")
        .await;
    assert_eq!(
        all["value"].as_array().unwrap().len(),
        100,
        "paged by the default page size"
    );
}

#[tokio::test]
async fn custom_role_quota_and_management_group_rules_hold() {
    let emulator = start(Options {
        reference: Some(reference_dir()),
        ..Options::default()
    })
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let voice = sub(DEMO_SUB_VOICE);
    let role = |name: &str, scopes: Value, data: Value| {
        json!({"properties": {
            "roleName": name,
            "permissions": [{"actions": ["Microsoft.Support/supportTickets/read"], "dataActions": data}],
            "assignableScopes": scopes,
        }})
    };
    let path = |id: &str| format!("{voice}/providers/Microsoft.Authorization/roleDefinitions/{id}");

    // DataActions cannot go with a management group as an assignable scope.
    let (status, body) = olivia
        .put(
            &path("6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f"),
            role(
                "Blob reader everywhere",
                json!(["/providers/Microsoft.Management/managementGroups/contoso"]),
                json!(["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]),
            ),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("management group"),
        "{body}"
    );

    // The directory's custom-role quota (5,000 in Azure; lowered here).
    emulator.with_state(|s| s.settings.limits.custom_roles = 1);
    let (status, _) = olivia
        .put(
            &path("7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a"),
            role("First", json!([voice]), json!([])),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = olivia
        .put(
            &path("8e9f0a1b-2c3d-4e4f-8a5b-6c7d8e9f0a1b"),
            role("Second", json!([voice]), json!([])),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("RoleDefinitionLimitExceeded"))
    );
    // Updating an existing custom role is not a new one.
    let (status, _) = olivia
        .put(
            &path("7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a"),
            role("First, renamed", json!([voice]), json!([])),
        )
        .await;
    assert_eq!(status, 201);
}

/// What current clients send to `Microsoft.Resources` (the Azure CLI 2.91):
/// api-version 2024-11-01, an empty `$filter=` that means no filter, and
/// `$expand=createdTime,changedTime,provisioningState`, whose fields appear
/// only when asked (the 2024-11-01 spec's `GenericResourceExpanded`).
#[tokio::test]
async fn resources_answer_current_clients_api_version_filter_and_expand() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let sub = format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE));
    let (status, groups) = olivia
        .get(&format!("{sub}/resourcegroups?api-version=2024-11-01"))
        .await;
    assert_eq!(status, 200, "{groups}");
    assert!(!groups["value"].as_array().unwrap().is_empty());

    let (status, plain) = olivia
        .get(&format!("{sub}/resources?api-version=2024-11-01&$filter="))
        .await;
    assert_eq!(status, 200, "{plain}");
    let plain = plain["value"].as_array().unwrap().clone();
    assert!(!plain.is_empty());
    assert!(plain.iter().all(|r| r.get("createdTime").is_none()));

    let (status, expanded) = olivia
        .get(&format!(
            "{sub}/resources?api-version=2024-11-01&$filter=&$expand=createdTime,changedTime,provisioningState"
        ))
        .await;
    assert_eq!(status, 200, "{expanded}");
    let expanded = expanded["value"].as_array().unwrap();
    assert_eq!(
        expanded.len(),
        plain.len(),
        "an empty $filter filters nothing"
    );
    for r in expanded {
        assert_eq!(r["provisioningState"], "Succeeded", "{r}");
        let created = r["createdTime"].as_str().unwrap();
        assert!(
            created.ends_with('Z') && created.len() == "2026-01-01T00:00:00.0000000Z".len(),
            "{created}"
        );
        assert!(r["changedTime"].is_string());
    }
    // A version ARM never had is still refused as ARM refuses it.
    let (status, refused) = olivia
        .get(&format!("{sub}/resources?api-version=2030-01-01"))
        .await;
    assert_eq!(status, 400, "{refused}");
}

/// `az resource show` reads the provider's registration for the type's
/// api-versions, then GETs the resource with one of them: both answer.
#[tokio::test]
async fn a_seeded_resource_can_be_shown_as_the_azure_cli_shows_it() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let sub = format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE));
    let (status, provider) = olivia
        .get(&format!(
            "{sub}/providers/Microsoft.VoiceServices?api-version=2022-09-01"
        ))
        .await;
    assert_eq!(status, 200, "{provider}");
    assert_eq!(provider["namespace"], "Microsoft.VoiceServices");
    assert_eq!(provider["registrationState"], "Registered");
    let types = provider["resourceTypes"].as_array().unwrap();
    let gateways = types
        .iter()
        .find(|t| t["resourceType"] == "communicationsGateways")
        .unwrap_or_else(|| panic!("{provider}"));
    let version = gateways["apiVersions"][0].as_str().unwrap();
    let (status, gateway) = olivia
        .get(&format!(
            "{sub}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod?api-version={version}"
        ))
        .await;
    assert_eq!(status, 200, "{gateway}");
    assert_eq!(gateway["name"], "cgw-contoso-prod");
    let (status, unknown) = olivia
        .get(&format!(
            "{sub}/providers/Microsoft.Nothing?api-version=2022-09-01"
        ))
        .await;
    assert_eq!(status, 404, "{unknown}");
    assert_eq!(unknown["error"]["code"], "InvalidResourceNamespace");
}
