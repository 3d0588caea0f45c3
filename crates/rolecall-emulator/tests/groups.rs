//! Management groups as ARM serves them (`Microsoft.Management` 2021-04-01):
//! the demo tenant's hierarchy, who may see it, a Global Administrator's
//! elevation, and role assignments at a group inherited below it.

mod common;

use common::{Arm, start, upn};
use rolecall_emulator::seed::{DEMO_SUB_LEGACY, DEMO_SUB_MESSAGING, DEMO_SUB_VOICE, builtin};
use rolecall_emulator::{DEMO_TENANT_ID, Options, demo_id};
use serde_json::{Value, json};

const V: &str = "api-version=2021-04-01";

fn group(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}")
}

fn sub(key: &str) -> String {
    format!("/subscriptions/{}", demo_id(key))
}

async fn elevate(arm: &Arm) -> u16 {
    arm.call(
        reqwest::Method::POST,
        "/providers/Microsoft.Authorization/elevateAccess?api-version=2016-07-01",
        None,
    )
    .await
    .0
}

fn names(children: &Value) -> Vec<String> {
    children
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_hierarchy_is_seen_only_with_a_role_at_or_above_it() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    // Owner of every subscription, but no role at any group.
    let (status, listed) = olivia
        .get(&format!(
            "/providers/Microsoft.Management/managementGroups?{V}"
        ))
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["value"], json!([]));
    let (status, refused) = olivia.get(&format!("{}?{V}", group("mg-workloads"))).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "AuthorizationFailed");

    // Only a Global Administrator may elevate.
    let rita = Arm::new(&emulator, &upn("rita.reader")).await;
    assert_eq!(elevate(&rita).await, 403);
    assert_eq!(elevate(&olivia).await, 200);
    assert_eq!(elevate(&olivia).await, 200, "elevating twice is harmless");

    let (status, listed) = olivia
        .get(&format!(
            "/providers/Microsoft.Management/managementGroups?{V}"
        ))
        .await;
    assert_eq!(status, 200);
    let mut listed = names(&listed["value"]);
    listed.sort();
    assert_eq!(listed, [DEMO_TENANT_ID, "mg-platform", "mg-workloads"]);

    // The whole tree from the root, as the portal and az ask for it.
    let (status, root) = olivia
        .get(&format!(
            "{}?{V}&$expand=children&$recurse=true",
            group(DEMO_TENANT_ID)
        ))
        .await;
    assert_eq!(status, 200, "{root}");
    assert_eq!(root["properties"]["displayName"], "Tenant Root Group");
    assert_eq!(root["properties"]["details"]["parent"], Value::Null);
    let top = &root["properties"]["children"];
    assert_eq!(names(top), ["mg-platform", "mg-workloads"]);
    let workloads = &top[1];
    assert_eq!(workloads["type"], "Microsoft.Management/managementGroups");
    assert_eq!(
        names(&workloads["children"]),
        [demo_id(DEMO_SUB_VOICE), demo_id(DEMO_SUB_MESSAGING)]
    );
    assert_eq!(workloads["children"][0]["type"], "/subscriptions");
    assert_eq!(
        workloads["children"][0]["displayName"],
        "Contoso Voice Production"
    );

    // One group with its path and ancestors.
    let (_, one) = olivia
        .get(&format!(
            "{}?{V}&$expand=path,ancestors",
            group("mg-platform")
        ))
        .await;
    let details = &one["properties"]["details"];
    assert_eq!(details["parent"]["name"], DEMO_TENANT_ID);
    assert_eq!(details["path"][1]["name"], "mg-platform");
    assert_eq!(
        details["managementGroupAncestorsChain"][0]["displayName"],
        "Tenant Root Group"
    );
    assert!(
        one["properties"].get("children").is_none(),
        "children only when expanded"
    );

    // A group's subscriptions, and the portal's flat view.
    let (_, subs) = olivia
        .get(&format!("{}/subscriptions?{V}", group("mg-platform")))
        .await;
    assert_eq!(subs["value"][0]["name"], demo_id(DEMO_SUB_LEGACY));
    assert_eq!(
        subs["value"][0]["properties"]["parent"]["id"],
        group("mg-platform")
    );
    let (status, entities) = olivia
        .call(
            reqwest::Method::POST,
            &format!("/providers/Microsoft.Management/getEntities?{V}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{entities}");
    assert_eq!(entities["count"], 6, "three groups and three subscriptions");
    let voice = entities["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == demo_id(DEMO_SUB_VOICE))
        .unwrap();
    assert_eq!(
        voice["properties"]["parentNameChain"],
        json!([DEMO_TENANT_ID, "mg-workloads"])
    );
    // User Access Administrator at the root may not delete groups: view.
    assert_eq!(entities["value"][0]["properties"]["permissions"], "view");
}

#[tokio::test]
async fn a_role_at_a_group_is_inherited_by_its_subscriptions_only() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let lars = Arm::new(&emulator, &upn("lars.eriksson")).await;
    let voice_group = format!(
        "{}/resourceGroups/rg-voice-gateway?api-version=2024-11-01",
        sub(DEMO_SUB_VOICE)
    );
    let legacy = format!("{}?api-version=2022-12-01", sub(DEMO_SUB_LEGACY));
    assert_eq!(
        lars.get(&voice_group).await.0,
        404,
        "no access anywhere yet"
    );

    // Writing at a group takes a role there: Owner of the subscriptions is not enough.
    let path = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/6a0c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4",
        group("mg-workloads")
    );
    let body = json!({"properties": {
        "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{}", builtin::READER),
        "principalId": demo_id("user:lars.eriksson"),
        "principalType": "User",
    }});
    let (status, refused) = olivia.put(&path, body.clone()).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(elevate(&olivia).await, 200);
    let (status, created) = olivia.put(&path, body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["properties"]["scope"], group("mg-workloads"));

    // Inherited below the group, not beside it.
    let (status, read) = lars.get(&voice_group).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(lars.get(&legacy).await.0, 404);

    // Listed, with its own scope, among the subscription's assignments.
    let listed = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '{}'",
            sub(DEMO_SUB_VOICE),
            demo_id("user:lars.eriksson")
        ))
        .await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["properties"]["scope"], group("mg-workloads"));

    // An unknown group is ARM's 404, not a scope error.
    let (status, missing) = olivia
        .get(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments",
            group("mg-nope")
        ))
        .await;
    assert_eq!(status, 404, "{missing}");
}

#[tokio::test]
async fn registering_the_management_provider_answers_its_registration() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let path = format!(
        "{}/providers/Microsoft.Management/register?api-version=2024-11-01",
        sub(DEMO_SUB_VOICE)
    );
    let (status, registered) = olivia.call(reqwest::Method::POST, &path, None).await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["namespace"], "Microsoft.Management");
    assert_eq!(registered["registrationState"], "Registered");
    // …and az then reads the registration until it says so.
    let (status, read) = olivia
        .get(&format!(
            "{}/providers/Microsoft.Management?api-version=2024-11-01",
            sub(DEMO_SUB_VOICE)
        ))
        .await;
    assert_eq!(
        (status, &read["registrationState"]),
        (200, &json!("Registered"))
    );
    // Registering takes `{namespace}/register/action`, which Reader lacks.
    let rita = Arm::new(&emulator, &upn("rita.reader")).await;
    let (status, refused) = rita.call(reqwest::Method::POST, &path, None).await;
    assert_eq!(status, 403, "{refused}");
}
