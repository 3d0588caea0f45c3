//! Replays the recorded real traffic in `shared/azure-reference/recorded`
//! against the emulator, with the recording's ids mapped onto the demo
//! tenant: the status, every key the recording shows, and the values that
//! carry meaning must match.

mod common;

use common::{Arm, GRAPH_SCOPE, client, reference_dir, start, token_for, upn};
use rolecall_emulator::seed::{DEMO_SUB_VOICE, builtin};
use rolecall_emulator::{AZURE_CLI_CLIENT_ID, Options, demo_id};
use serde_json::{Value, json};

fn entries(file: &str) -> Vec<Value> {
    let path = reference_dir().join("recorded").join(file);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["entries"].as_array().unwrap().clone()
}

fn entry<'a>(all: &'a [Value], what_starts: &str) -> &'a Value {
    all.iter()
        .find(|e| {
            e["what"]
                .as_str()
                .is_some_and(|w| w.starts_with(what_starts))
        })
        .unwrap_or_else(|| panic!("no recorded entry '{what_starts}'"))
}

/// Keys of `recorded` missing from `ours` (objects recursively, arrays by first element).
fn missing(recorded: &Value, ours: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    match (recorded, ours) {
        (Value::Object(r), Value::Object(o)) => {
            for (k, v) in r {
                match o.get(k) {
                    None => out.push(format!("{at}.{k}")),
                    Some(mine) => out.extend(missing(v, mine, &format!("{at}.{k}"))),
                }
            }
        }
        (Value::Array(r), Value::Array(o)) if !r.is_empty() && !o.is_empty() => {
            out.extend(missing(&r[0], &o[0], &format!("{at}[0]")))
        }
        _ => {}
    }
    out
}

/// The recorded path and query with subscription and resource-group names mapped.
fn map_uri(uri: &str) -> String {
    let path_and_query = uri
        .strip_prefix("https://management.azure.com")
        .unwrap_or(uri);
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut segments: Vec<String> = path.split('/').map(str::to_owned).collect();
    for i in 0..segments.len().saturating_sub(1) {
        let key = segments[i].to_ascii_lowercase();
        if key == "subscriptions" {
            segments[i + 1] = demo_id(DEMO_SUB_VOICE);
        } else if key == "resourcegroups" && segments[i + 1] != "NonExistentResourceGroup" {
            segments[i + 1] = "rg-voice-gateway".into();
        }
    }
    format!("{}?{query}", segments.join("/"))
}

#[tokio::test]
async fn recorded_arm_traffic_replays() {
    let all = entries("arm-authorization-recorded-excerpts.json");
    let emulator = start(Options {
        reference: Some(reference_dir()),
        ..Options::default()
    })
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let voice = format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE));

    // A custom role PUT at a subscription, dataActions and all.
    let e = entry(&all, "Create custom role (PUT)");
    let mut body = e["request"]["body"].clone();
    body["properties"]["assignableScopes"] = json!([voice]);
    let (status, ours) = olivia
        .put(&map_uri(e["request"]["uri"].as_str().unwrap()), body)
        .await;
    assert_eq!(status, e["response"]["status"], "{ours}");
    assert_eq!(
        missing(&e["response"]["body"], &ours, "$"),
        Vec::<String>::new()
    );
    assert_eq!(ours["properties"]["type"], "CustomRole");
    assert_eq!(
        ours["properties"]["permissions"], e["response"]["body"]["properties"]["permissions"],
        "notActions filled in as []"
    );

    // The whole list in one page, custom and built-in.
    let e = entry(&all, "List role definitions at subscription scope");
    let (status, ours) = olivia
        .get(&map_uri(e["request"]["uri"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    assert!(
        ours.get("nextLink").is_none(),
        "the recording has no nextLink"
    );
    let types: Vec<&str> = ours["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["properties"]["type"].as_str())
        .collect();
    assert!(types.contains(&"CustomRole") && types.contains(&"BuiltInRole"));
    for key in [
        "roleName",
        "type",
        "description",
        "assignableScopes",
        "permissions",
        "createdOn",
        "updatedOn",
        "createdBy",
        "updatedBy",
    ] {
        assert!(ours["value"][0]["properties"].get(key).is_some(), "{key}");
    }

    // Resolving a role by name, case-insensitively, with the CLI's preview api-version.
    let e = entry(&all, "Resolve role by name");
    let (status, ours) = olivia
        .get(&map_uri(e["request"]["uri"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200, "{ours}");
    assert_eq!(
        missing(&e["response"]["body"], &ours, "$"),
        Vec::<String>::new()
    );
    assert_eq!(ours["value"][0]["name"], builtin::READER);

    // A role assignment at a resource group, with principalType.
    let e = entry(&all, "Create role assignment at resource-group scope");
    let mut body = e["request"]["body"].clone();
    body["properties"]["principalId"] = demo_id("user:priya.shah").into();
    body["properties"]["roleDefinitionId"] = format!(
        "{voice}/providers/Microsoft.Authorization/roleDefinitions/{}",
        builtin::READER
    )
    .into();
    let path = map_uri(e["request"]["uri"].as_str().unwrap());
    let (status, ours) = olivia.put(&path, body).await;
    assert_eq!(status, e["response"]["status"], "{ours}");
    assert_eq!(
        missing(&e["response"]["body"], &ours, "$"),
        Vec::<String>::new()
    );
    assert_eq!(
        ours["properties"]["scope"],
        format!("{voice}/resourceGroups/rg-voice-gateway")
    );
    assert_eq!(
        ours["properties"]["updatedBy"],
        demo_id("user:olivia.owner")
    );

    // atScope() at a resource group shows what is inherited, each with its own scope.
    let e = entry(&all, "List role assignments at RG with $filter=atScope()");
    let (status, ours) = olivia
        .get(&map_uri(e["request"]["uri"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        missing(&e["response"]["body_first_item"], &ours["value"][0], "$"),
        Vec::<String>::new()
    );
    assert!(
        ours["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["properties"]["scope"] == voice)
    );

    // The caller's permissions, a missing resource group, an unknown provider.
    for what in [
        "Caller's effective permissions",
        "permissions on a resource in a non-existent RG",
        "providerOperations for unknown namespace",
    ] {
        let e = entry(&all, what);
        let (status, ours) = olivia
            .get(&map_uri(e["request"]["uri"].as_str().unwrap()))
            .await;
        assert_eq!(status, e["response"]["status"], "{what}: {ours}");
        assert_eq!(ours, e["response"]["body"], "{what}");
    }
}

#[tokio::test]
async fn recorded_graph_and_entra_traffic_replays() {
    let arm_entries = entries("arm-authorization-recorded-excerpts.json");
    let entra = entries("entra-token-recorded-excerpts.json");
    let emulator = start(Options::default()).await;
    let http = client(&emulator);

    // az's Graph lookup of a user by UPN.
    let e = entry(&arm_entries, "Graph lookup done by az");
    let token = token_for(&emulator, &upn("olivia.owner"), GRAPH_SCOPE).await;
    let ours: Value = http
        .get(format!(
            "{}v1.0/users?$filter=userPrincipalName eq '{}'",
            emulator.urls().graph,
            upn("tom.baker")
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        missing(&e["response"]["body"], &ours, "$"),
        Vec::<String>::new()
    );

    // Tenant discovery.
    let e = entry(&entra, "OIDC discovery for a tenant");
    let ours: Value = http
        .get(format!(
            "{}{}/v2.0/.well-known/openid-configuration",
            emulator.urls().authority,
            emulator.tenant().id
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        missing(&e["response"]["body"], &ours, "$"),
        Vec::<String>::new()
    );

    // A token answer, and the revoked-grant refusal.
    let e = entry(&entra, "Token success");
    let ours = common::sign_in(&emulator, &upn("olivia.owner"), common::ARM_SCOPE).await;
    assert_eq!(
        missing(&e["response"]["body"], &ours, "$"),
        Vec::<String>::new()
    );
    assert!(emulator.revoke_sessions(&upn("olivia.owner")));
    let e = entry(&entra, "refresh_token grant rejected (revoked)");
    let refused: Value = http
        .post(format!(
            "{}organizations/oauth2/v2.0/token",
            emulator.urls().authority
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("refresh_token", ours["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        missing(&e["response"]["body"], &refused, "$"),
        Vec::<String>::new()
    );
    assert_eq!(refused["error_codes"], e["response"]["body"]["error_codes"]);
    assert_eq!(refused["suberror"], e["response"]["body"]["suberror"]);

    // Graph's claims challenge under continuous access evaluation.
    let e = entry(&entra, "Graph CAE revocation");
    let token = token_for(&emulator, &upn("rita.reader"), GRAPH_SCOPE).await;
    assert!(emulator.claims_challenge(&upn("rita.reader")));
    let response = http
        .get(format!("{}v1.0/me", emulator.urls().graph))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), e["response"]["status"]);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "error=\"insufficient_claims\"",
        "client_id=\"00000003-0000-0000-c000-000000000000\"",
        "claims=\"",
    ] {
        assert!(challenge.contains(part), "{challenge}");
    }
    let ours: Value = response.json().await.unwrap();
    assert_eq!(
        ours["error"]["message"],
        e["response"]["body"]["error"]["message"]
    );
    assert_eq!(
        missing(&e["response"]["body"], &ours, "$"),
        Vec::<String>::new()
    );
}
