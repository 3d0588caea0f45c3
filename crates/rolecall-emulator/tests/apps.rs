//! Applications signing in as themselves (client credentials, as
//! `az login --service-principal` and every automation does): the token's
//! shape, Entra's refusals, and ARM authorising the service principal by its
//! own role assignments.

mod common;

use common::{Arm, claims, client, start, upn};
use rolecall_emulator::seed::{DEMO_SUB_VOICE, builtin};
use rolecall_emulator::{Emulator, Options, demo_id};
use serde_json::{Value, json};

const SECRET: &str = "abc8Q~a-test-secret-of-forty-characters-";

async fn app_token(
    emulator: &Emulator,
    client_id: &str,
    secret: Option<&str>,
    scope: &str,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("scope", scope),
    ];
    if let Some(secret) = secret {
        form.push(("client_secret", secret));
    }
    let response = client(emulator)
        .post(format!(
            "{}{}/oauth2/v2.0/token",
            emulator.urls().authority,
            rolecall_emulator::DEMO_TENANT_ID
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn relay() -> String {
    demo_id("app:smtp-relay")
}

fn with_secret() -> Options {
    Options {
        app_secret: Some(SECRET.into()),
        ..Options::default()
    }
}

#[tokio::test]
async fn an_application_gets_an_app_only_token_with_its_secret() {
    let emulator = start(with_secret()).await;
    let (status, body) = app_token(
        &emulator,
        &relay(),
        Some(SECRET),
        "https://management.azure.com/.default",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Exactly what Entra answers a client-credentials request: no refresh
    // token, no ID token, no scope.
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "ext_expires_in", "token_type"]
    );
    let access = claims(body["access_token"].as_str().unwrap());
    assert_eq!(access["idtyp"], "app");
    assert_eq!(access["oid"], demo_id("sp:smtp-relay"));
    assert_eq!(access["sub"], demo_id("sp:smtp-relay"));
    assert_eq!(access["appid"], relay());
    assert_eq!(access["app_displayname"], "Contoso SMTP Relay");
    assert_eq!(access["aud"], "https://management.azure.com");
    for user_claim in ["scp", "upn", "unique_name", "name"] {
        assert!(
            access.get(user_claim).is_none(),
            "an app token with {user_claim}: {access}"
        );
    }
}

#[tokio::test]
async fn entra_refuses_wrong_secrets_unknown_apps_and_scopes_without_default() {
    let emulator = start(with_secret()).await;
    let arm = "https://management.azure.com/.default";
    let code = |body: &Value| body["error_codes"][0].as_u64().unwrap();

    let (status, body) = app_token(&emulator, &relay(), Some("not-the-secret"), arm).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert_eq!(code(&body), 7000215, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains(&relay())
    );

    let (status, body) = app_token(&emulator, &relay(), None, arm).await;
    assert_eq!((status, code(&body)), (401, 7000218), "{body}");

    let unknown = "11111111-2222-3333-4444-555555555555";
    let (status, body) = app_token(&emulator, unknown, Some(SECRET), arm).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    assert_eq!(code(&body), 700016, "{body}");

    let (status, body) = app_token(
        &emulator,
        &relay(),
        Some(SECRET),
        "https://management.azure.com/user_impersonation",
    )
    .await;
    assert_eq!((status, code(&body)), (400, 1002012), "{body}");

    // A public client (no secret of its own) cannot use the grant.
    let (status, body) = app_token(&emulator, &demo_id("app:rolecall"), Some(SECRET), arm).await;
    assert_eq!((status, code(&body)), (401, 7000215), "{body}");
}

#[tokio::test]
async fn without_a_given_secret_each_start_makes_its_own() {
    let one = start(Options::default()).await;
    let two = start(Options::default()).await;
    let secret = |e: &Emulator| {
        let secrets = e.app_secrets();
        assert_eq!(secrets.len(), 1, "only the confidential app has a secret");
        assert_eq!(secrets[0].app_id, relay());
        secrets[0].secret.clone()
    };
    let (a, b) = (secret(&one), secret(&two));
    assert_ne!(a, b);
    assert_eq!(a.len(), 40);
    // The secret never shows in debug output.
    assert!(!format!("{:?}", one.app_secrets()).contains(&a));
    let (status, _) = app_token(
        &one,
        &relay(),
        Some(&a),
        "https://management.azure.com/.default",
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = app_token(
        &one,
        &relay(),
        Some(&b),
        "https://management.azure.com/.default",
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn arm_authorises_a_service_principal_by_its_own_role_assignments() {
    let emulator = start(with_secret()).await;
    let (_, body) = app_token(
        &emulator,
        &relay(),
        Some(SECRET),
        "https://management.azure.com/.default",
    )
    .await;
    let app = Arm {
        client: client(&emulator),
        base: emulator.urls().arm.clone(),
        token: body["access_token"].as_str().unwrap().to_owned(),
    };
    let sub = format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE));
    let group = format!("{sub}/resourceGroups/rg-voice-gateway");
    // No role anywhere in the subscription: ARM does not show it at all.
    let (status, refused) = app.get(&format!("{group}?api-version=2024-11-01")).await;
    assert_eq!(status, 404, "{refused}");
    assert_eq!(refused["error"]["code"], "SubscriptionNotFound");

    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let assignment = |name: &str, principal: &str| {
        (
            format!("{group}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            json!({"properties": {
                "roleDefinitionId": format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{}", builtin::READER),
                "principalId": principal,
                "principalType": "ServicePrincipal",
            }}),
        )
    };
    let (path, body) = assignment(
        "3b0f2a61-5c1d-4e8a-9f2b-7d6c5e4a3b21",
        &demo_id("sp:smtp-relay"),
    );
    let (status, created) = olivia.put(&path, body).await;
    assert_eq!(status, 201, "{created}");
    let (status, read) = app.get(&format!("{group}?api-version=2024-11-01")).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["name"], "rg-voice-gateway");

    // Reader may not grant access: refused in ARM's words, which name an
    // application by its application id.
    let (path, body) = assignment(
        "4c1a3b72-6d2e-4f9b-8a3c-8e7d6f5b4c32",
        &demo_id("sp:deploy-identity"),
    );
    let (status, refused) = app.put(&path, body).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "AuthorizationFailed");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "The client '{}' with object id '{}'",
            relay(),
            demo_id("sp:smtp-relay")
        )),
        "{message}"
    );
}

#[tokio::test]
async fn graph_has_no_me_for_an_application_and_needs_application_permissions() {
    let emulator = start(with_secret()).await;
    let (_, body) = app_token(
        &emulator,
        &relay(),
        Some(SECRET),
        "https://graph.microsoft.com/.default",
    )
    .await;
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["aud"], "https://graph.microsoft.com");
    let get = |path: &str| {
        client(&emulator)
            .get(format!("{}v1.0/{path}", emulator.urls().graph))
            .bearer_auth(token)
            .send()
    };
    let me = get("me").await.unwrap();
    assert_eq!(me.status().as_u16(), 400);
    let me: Value = me.json().await.unwrap();
    assert_eq!(
        me["error"]["message"],
        "/me request is only valid with delegated authentication flow."
    );
    // The relay holds no application permission on Graph.
    let users = get("users").await.unwrap();
    assert_eq!(users.status().as_u16(), 403);
    let users: Value = users.json().await.unwrap();
    assert_eq!(users["error"]["code"], "Authorization_RequestDenied");
}
