//! Microsoft Graph on the wire: the signed-in user, directory roles, search
//! and filter rules, paging, and app-role assignments with their admin rule.

mod common;

use common::{GRAPH_SCOPE, client, start, token_for, upn};
use rolecall_emulator::directory::role_templates;
use rolecall_emulator::{ACG_APP_ID, Emulator, Options, demo_id};
use serde_json::{Value, json};

struct Graph {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Graph {
    async fn new(emulator: &Emulator, who: &str) -> Self {
        Self {
            client: client(emulator),
            base: format!("{}v1.0", emulator.urls().graph),
            token: token_for(emulator, &upn(who), GRAPH_SCOPE).await,
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.bearer_auth(&self.token).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap()
            },
        )
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.client.get(format!("{}{path}", self.base)))
            .await
    }

    async fn search(&self, path: &str) -> (u16, Value) {
        self.send(
            self.client
                .get(format!("{}{path}", self.base))
                .header("ConsistencyLevel", "eventual"),
        )
        .await
    }

    async fn assign(&self, resource: &str, principal: &str, role: &str) -> (u16, Value) {
        let body = json!({"principalId": principal, "resourceId": resource, "appRoleId": role});
        self.send(
            self.client
                .post(format!(
                    "{}/servicePrincipals/{resource}/appRoleAssignedTo",
                    self.base
                ))
                .json(&body),
        )
        .await
    }
}

#[tokio::test]
async fn me_and_my_directory_roles() {
    let emulator = start(Options::default()).await;
    let carlos = Graph::new(&emulator, "carlos.cloudapps").await;
    let (status, me) = carlos.get("/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["userPrincipalName"], upn("carlos.cloudapps"));
    assert!(
        me["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/v1.0/$metadata#users/$entity")
    );
    let (_, roles) = carlos
        .get("/me/transitiveMemberOf/microsoft.graph.directoryRole")
        .await;
    assert_eq!(
        roles["value"][0]["roleTemplateId"],
        role_templates::CLOUD_APPLICATION_ADMINISTRATOR
    );
    assert_eq!(
        roles["value"][0]["@odata.type"],
        "#microsoft.graph.directoryRole"
    );
    let uma = Graph::new(&emulator, "uma.access").await;
    assert_eq!(
        uma.get("/me/transitiveMemberOf/microsoft.graph.directoryRole")
            .await
            .1["value"],
        json!([])
    );
}

#[tokio::test]
async fn an_arm_token_is_refused_by_graph() {
    let emulator = start(Options::default()).await;
    let mut graph = Graph::new(&emulator, "olivia.owner").await;
    graph.token = token_for(&emulator, &upn("olivia.owner"), common::ARM_SCOPE).await;
    let (status, body) = graph.get("/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert!(
        body["error"]["innerError"]["date"]
            .as_str()
            .is_some_and(|d| !d.ends_with('Z'))
    );
}

#[tokio::test]
async fn search_needs_eventual_consistency_and_filter_finds_apps_by_id() {
    let emulator = start(Options::default()).await;
    let graph = Graph::new(&emulator, "olivia.owner").await;
    let (status, body) = graph.get("/users?$search=\"displayName:mei\"").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("Request_UnsupportedQuery"))
    );
    let (status, body) = graph
        .search("/users?$search=\"displayName:mei\"&$count=true")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["@odata.count"], 1);
    assert_eq!(body["value"][0]["displayName"], "Mei Chen");

    // Pasting an application id finds the enterprise application; its look-alike is not it.
    let (_, found) = graph
        .get(&format!(
            "/servicePrincipals?$filter=appId eq '{ACG_APP_ID}'"
        ))
        .await;
    let apps = found["value"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["displayName"], "AzureCommunicationsGateway");
    assert_eq!(apps[0]["appRoles"].as_array().unwrap().len(), 4);
    let (_, by_name) = graph
        .search("/servicePrincipals?$search=\"displayName:project\"")
        .await;
    assert_eq!(by_name["value"][0]["displayName"], "Project Synergy");
    for unsupported in [
        "department eq 'x' and city eq 'y'",
        "jobTitle eq 'x'",
        "displayName eq 'unterminated",
    ] {
        let (status, body) = graph.get(&format!("/users?$filter={unsupported}")).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("Request_UnsupportedQuery")),
            "{unsupported}"
        );
    }
    let (_, exact) = graph
        .get(&format!(
            "/users?$filter=userPrincipalName eq '{}'",
            upn("tom.baker")
        ))
        .await;
    assert_eq!(exact["value"][0]["id"], demo_id("user:tom.baker"));
    let (_, starts) = graph
        .get("/groups?$filter=startswith(displayName,'acg')")
        .await;
    assert_eq!(starts["value"].as_array().unwrap().len(), 2);
    assert!(
        starts["value"][0].get("members").is_none(),
        "members is a navigation property, not part of a group"
    );
}

#[tokio::test]
async fn collections_page_with_odata_next_link() {
    let emulator = start(Options::default()).await;
    let graph = Graph::new(&emulator, "olivia.owner").await;
    let (_, mut page) = graph.get("/users?$top=5").await;
    let mut users = page["value"].as_array().unwrap().clone();
    while let Some(next) = page["@odata.nextLink"].as_str().map(str::to_owned) {
        assert!(next.starts_with(&emulator.urls().graph), "{next}");
        page = graph.send(graph.client.get(next)).await.1;
        users.extend(page["value"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(users.len(), 12);
}

#[tokio::test]
async fn app_roles_are_assigned_by_application_admins_once() {
    let emulator = start(Options::default()).await;
    let acg = demo_id("sp:acg");
    let read_user = demo_id("approle:acg:ProvisioningAPI.ReadUser");
    let nadia = demo_id("user:nadia.novak");

    // Uma administers Azure access but holds no directory role.
    let uma = Graph::new(&emulator, "uma.access").await;
    let (status, body) = uma.assign(&acg, &nadia, &read_user).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "Authorization_RequestDenied");
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );

    let carlos = Graph::new(&emulator, "carlos.cloudapps").await;
    let (status, created) = carlos.assign(&acg, &nadia, &read_user).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["principalType"], "User");
    assert_eq!(created["resourceDisplayName"], "AzureCommunicationsGateway");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(
        uuid::Uuid::parse_str(&id).is_err(),
        "app-role assignment ids are not GUIDs"
    );

    let (status, body) = carlos.assign(&acg, &nadia, &read_user).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Request_BadRequest");
    assert_eq!(
        body["error"]["message"],
        "Permission being assigned already exists on the object"
    );
    let (status, _) = carlos
        .assign(
            &acg,
            &nadia,
            &demo_id("approle:synergy:ProvisioningAPI.ReadUser"),
        )
        .await;
    assert_eq!(
        status, 400,
        "a role of the look-alike app is not a role of this one"
    );

    let (_, listed) = carlos
        .get(&format!("/servicePrincipals/{acg}/appRoleAssignedTo"))
        .await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let url = format!(
        "{}/servicePrincipals/{acg}/appRoleAssignedTo/{id}",
        carlos.base
    );
    assert_eq!(carlos.send(carlos.client.delete(&url)).await.0, 204);
    assert_eq!(carlos.send(carlos.client.delete(&url)).await.0, 404);
}

#[tokio::test]
async fn graph_refuses_revoked_and_over_age_tokens() {
    let emulator = start(Options::default()).await;
    let graph = Graph::new(&emulator, "olivia.owner").await;
    assert_eq!(graph.get("/me").await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await; // iat has one-second resolution
    assert!(emulator.revoke_sessions(&upn("olivia.owner")));
    let (status, body) = graph.get("/me").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );

    let rita = Graph::new(&emulator, "rita.reader").await;
    emulator.set_faults(rolecall_emulator::Faults {
        token_max_age: Some(std::time::Duration::ZERO),
        ..Default::default()
    });
    let (status, body) = rita.get("/me").await;
    assert_eq!(status, 401);
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );
}

/// The lookups real clients make (the Azure CLI's `az ad sp show --id`,
/// `az role assignment list`'s names): service principals by
/// `servicePrincipalNames/any(c:c eq '{appId}')`, and
/// `POST /directoryObjects/getByIds`, each object typed, unknown ids left out.
#[tokio::test]
async fn service_principal_names_and_get_by_ids_answer_as_graph_does() {
    let emulator = start(Options::default()).await;
    let olivia = Graph::new(&emulator, "olivia.owner").await;
    let (status, found) = olivia
        .get(&format!(
            "/servicePrincipals?$filter=servicePrincipalNames/any(c:c eq '{ACG_APP_ID}')"
        ))
        .await;
    assert_eq!(status, 200, "{found}");
    let found = found["value"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["appId"], ACG_APP_ID);
    assert!(
        found[0]["servicePrincipalNames"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == ACG_APP_ID)
    );
    let sp = found[0]["id"].as_str().unwrap().to_owned();
    // A malformed lambda is still Graph's refusal.
    let (status, _) = olivia
        .get("/servicePrincipals?$filter=servicePrincipalNames/any(c:d eq 'x')")
        .await;
    assert_eq!(status, 400);

    let (_, me) = olivia.get("/me").await;
    let me = me["id"].as_str().unwrap().to_owned();
    let nobody = "00000000-0000-4000-8000-0000000000ff";
    let ask = |body: Value| {
        olivia.send(
            olivia
                .client
                .post(format!("{}/directoryObjects/getByIds", olivia.base))
                .json(&body),
        )
    };
    let (status, got) = ask(json!({"ids": [me, sp, nobody]})).await;
    assert_eq!(status, 200, "{got}");
    assert!(
        got["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/v1.0/$metadata#directoryObjects")
    );
    let types: Vec<&str> = got["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["@odata.type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["#microsoft.graph.user", "#microsoft.graph.servicePrincipal"]
    );
    // Only the types asked for.
    let (_, users) = ask(json!({"ids": [me, sp], "types": ["user"]})).await;
    assert_eq!(users["value"].as_array().unwrap().len(), 1);
    assert_eq!(users["value"][0]["id"], me);
}
