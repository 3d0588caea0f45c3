//! Azure's failure modes, as a client meets them.

mod common;

use std::time::{Duration, Instant};

use common::{Arm, client, start, token_for, upn};
use rolecall_emulator::seed::{DEMO_SUB_VOICE, builtin};
use rolecall_emulator::{Emulator, Faults, GraphThrottle, Options, Throttle, demo_id};
use serde_json::{Value, json};

fn faults(f: Faults) -> Options {
    Options {
        faults: f,
        ..Options::default()
    }
}

fn voice() -> String {
    format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE))
}

fn reader_for(principal: &str) -> Value {
    json!({"properties": {
        "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{}", builtin::READER),
        "principalId": principal,
        "principalType": "User",
    }})
}

async fn raw(
    arm: &Arm,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = arm
        .client
        .request(method, format!("{}{path}", arm.base.trim_end_matches('/')))
        .bearer_auth(&arm.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn arm_throttles_writes_per_subscription_with_retry_after() {
    let throttle = Throttle {
        writes: (3.0, 0.5),
        ..Throttle::default()
    };
    let emulator = start(faults(Faults {
        throttle,
        ..Faults::default()
    }))
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let people = ["tom.baker", "mei.chen", "lars.eriksson", "priya.shah"];
    let mut remaining = Vec::new();
    let mut last = None;
    for (i, who) in people.iter().enumerate() {
        let path = format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-00000000000{i}?api-version=2022-04-01",
            voice()
        );
        let response = raw(
            &olivia,
            reqwest::Method::PUT,
            &path,
            Some(reader_for(&demo_id(&format!("user:{who}")))),
        )
        .await;
        remaining.push(
            response
                .headers()
                .get("x-ms-ratelimit-remaining-subscription-writes")
                .map(|v| v.to_str().unwrap().to_owned()),
        );
        last = Some(response);
    }
    assert_eq!(
        remaining[..3],
        [Some("2".into()), Some("1".into()), Some("0".into())]
    );
    let throttled = last.unwrap();
    assert_eq!(throttled.status(), 429);
    assert_eq!(throttled.headers()["retry-after"], "2");
    let body: Value = throttled.json().await.unwrap();
    assert_eq!(body["error"]["code"], "SubscriptionRequestsThrottled");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Number of 'write' requests for subscription")
    );

    // Reads have their own bucket; tenant-level calls report the tenant's.
    let read = raw(
        &olivia,
        reqwest::Method::GET,
        &format!("{}/resourcegroups?api-version=2022-09-01", voice()),
        None,
    )
    .await;
    assert_eq!(read.status(), 200);
    assert_eq!(
        read.headers()["x-ms-ratelimit-remaining-subscription-reads"],
        "249"
    );
    let tenant = raw(
        &olivia,
        reqwest::Method::GET,
        "/subscriptions?api-version=2022-12-01",
        None,
    )
    .await;
    assert!(
        tenant
            .headers()
            .contains_key("x-ms-ratelimit-remaining-tenant-reads")
    );
}

#[tokio::test]
async fn graph_throttles_per_application_and_tenant_as_graph_answers() {
    let emulator = start(faults(Faults {
        graph_throttle: GraphThrottle {
            // Five units, then hardly any: getByIds costs 3, a read 1.
            units: (5.0, 0.01),
            ..GraphThrottle::default()
        },
        ..Faults::default()
    }))
    .await;
    let token = token_for(
        &emulator,
        &upn("olivia.owner"),
        "https://graph.microsoft.com/.default openid",
    )
    .await;
    let http = client(&emulator);
    let graph = emulator.urls().graph.clone();
    let read = http
        .get(format!("{graph}v1.0/users?$top=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.headers()["x-ms-resource-unit"], "1");
    let lookup = http
        .post(format!("{graph}v1.0/directoryObjects/getByIds"))
        .bearer_auth(&token)
        .json(&json!({"ids": [demo_id("user:tom.baker")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), 200);
    assert_eq!(lookup.headers()["x-ms-resource-unit"], "3");
    // 4 of 5 units used: past 80 %, Graph says how close the app is.
    assert_eq!(lookup.headers()["x-ms-throttle-limit-percentage"], "0.8");

    let refused = http
        .post(format!("{graph}v1.0/directoryObjects/getByIds"))
        .bearer_auth(&token)
        .json(&json!({"ids": [demo_id("user:tom.baker")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    assert_eq!(
        refused.headers()["x-ms-throttle-information"],
        "ResourceUnitLimitExceeded"
    );
    assert!(
        refused.headers()["x-ms-throttle-scope"]
            .to_str()
            .unwrap()
            .starts_with("Tenant_Application/ReadWrite/")
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert!(body["error"]["innerError"]["request-id"].is_string());
    assert_eq!(emulator.observed().throttled, 1);
}

#[tokio::test]
async fn injected_latency_delays_every_answer() {
    let emulator = start(faults(Faults {
        latency: Duration::from_millis(150),
        ..Faults::default()
    }))
    .await;
    let client = client(&emulator);
    let started = Instant::now();
    let response = client
        .get(format!(
            "{}organizations/v2.0/.well-known/openid-configuration",
            emulator.urls().authority
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

async fn statuses(emulator: &Emulator, token: &str, n: usize) -> Vec<Option<u16>> {
    let client = client(emulator);
    let mut seen = Vec::new();
    for _ in 0..n {
        let answer = client
            .get(format!(
                "{}subscriptions?api-version=2022-12-01",
                emulator.urls().arm
            ))
            .bearer_auth(token)
            .send()
            .await;
        seen.push(answer.ok().map(|r| r.status().as_u16()));
    }
    seen
}

#[tokio::test]
async fn server_errors_and_dropped_connections_follow_the_seed() {
    let chaos = Faults {
        seed: 7,
        server_error_rate: 0.3,
        drop_rate: 0.2,
        ..Faults::default()
    };
    let first = start(faults(chaos.clone())).await;
    let token = token_for(&first, &upn("olivia.owner"), common::ARM_SCOPE).await;
    let a = statuses(&first, &token, 30).await;
    let second = start(faults(chaos)).await;
    let token = token_for(&second, &upn("olivia.owner"), common::ARM_SCOPE).await;
    let b = statuses(&second, &token, 30).await;
    assert_eq!(a, b, "the same seed meets the same faults");
    assert!(a.contains(&None), "some connections were dropped: {a:?}");
    assert!(a.iter().any(|s| matches!(s, Some(500 | 503))), "{a:?}");
    assert!(a.contains(&Some(200)), "{a:?}");

    let broken = start(faults(Faults {
        server_error_rate: 1.0,
        ..Faults::default()
    }))
    .await;
    let token = token_for(&broken, &upn("olivia.owner"), common::ARM_SCOPE).await;
    let response = client(&broken)
        .get(format!(
            "{}subscriptions?api-version=2022-12-01",
            broken.urls().arm
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(matches!(response.status().as_u16(), 500 | 503));
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["code"].as_str().is_some(),
        "ARM's envelope: {body}"
    );
}

#[tokio::test]
async fn a_new_principal_is_not_found_until_it_replicates() {
    let emulator = start(faults(Faults {
        principal_replication: Duration::from_millis(1200),
        ..Faults::default()
    }))
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let newcomer = emulator.create_user("new.starter", "New Starter");
    let path = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e",
        voice()
    );
    let (status, body) = olivia.put(&path, reader_for(&newcomer)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("PrincipalNotFound"))
    );
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, _) = olivia.put(&path, reader_for(&newcomer)).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_new_custom_role_reads_back_inconsistently_for_a_while() {
    let emulator = start(faults(Faults {
        seed: 3,
        role_propagation: Duration::from_millis(1500),
        ..Faults::default()
    }))
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let path = format!(
        "{}/providers/Microsoft.Authorization/roleDefinitions/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        voice()
    );
    let (status, _) = olivia
        .put(&path, json!({"properties": {
            "roleName": "Gateway Watcher",
            "permissions": [{"actions": ["Microsoft.VoiceServices/communicationsGateways/read"]}],
            "assignableScopes": [voice()],
        }}))
        .await;
    assert_eq!(status, 201);
    let mut seen = Vec::new();
    for _ in 0..12 {
        seen.push(olivia.get(&path).await.0);
    }
    assert!(
        seen.contains(&404) && seen.contains(&200),
        "reads flip between missing and present: {seen:?}"
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    for _ in 0..5 {
        assert_eq!(olivia.get(&path).await.0, 200, "consistent once propagated");
    }
}

#[tokio::test]
async fn tokens_can_stop_working_early() {
    let emulator = start(faults(Faults {
        token_max_age: Some(Duration::ZERO),
        ..Faults::default()
    }))
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let (status, body) = olivia.get("/subscriptions?api-version=2022-12-01").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("ExpiredAuthenticationToken"))
    );
}

#[tokio::test]
async fn a_tenant_demanding_mfa_turns_silent_sign_in_into_interaction_required() {
    let emulator = start(Options::default()).await;
    let (_, refresh_token) = common::sign_in_full(&emulator, &upn("olivia.owner")).await;
    assert!(emulator.require_mfa(&upn("olivia.owner")));
    let (status, body) = common::refresh(&emulator, &refresh_token).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "interaction_required");
    assert_eq!(body["error_codes"][0], 50076);
    assert_eq!(body["suberror"], "basic_action");
    // An interactive sign-in satisfies it; silent sign-in works again.
    let (_, fresh) = common::sign_in_full(&emulator, &upn("olivia.owner")).await;
    assert_eq!(common::refresh(&emulator, &fresh).await.0, 200);
}

#[tokio::test]
async fn continuous_access_evaluation_challenges_older_tokens() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    assert!(emulator.claims_challenge(&upn("olivia.owner")));
    let response = raw(
        &olivia,
        reqwest::Method::GET,
        "/subscriptions?api-version=2022-12-01",
        None,
    )
    .await;
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains("error=\"insufficient_claims\""),
        "{challenge}"
    );
    assert!(challenge.contains("claims=\""), "{challenge}");
    // A token issued after the event is accepted (iat has one-second resolution).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let fresh = Arm::new(&emulator, &upn("olivia.owner")).await;
    assert_eq!(
        fresh.get("/subscriptions?api-version=2022-12-01").await.0,
        200
    );
}
