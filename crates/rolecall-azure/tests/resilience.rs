//! Azure's failure modes: throttling, 5xx, dropped connections, tokens
//! refused early, claims challenges, and the bound on requests in flight.

use std::time::Duration;

use futures::TryStreamExt;
use rolecall_azure::arm::{NewRoleAssignment, PrincipalType};
use rolecall_azure::{AzureError, Kind, Options, for_each_bounded};
use rolecall_emulator::{Faults, GraphThrottle, Throttle};
use rolecall_testkit::*;

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

fn write_throttle(capacity: f64, refill: f64) -> Faults {
    Faults {
        throttle: Throttle {
            writes: (capacity, refill),
            ..Throttle::default()
        },
        ..Faults::default()
    }
}

async fn grant(azure: &rolecall_azure::Azure, key: &str) -> Result<(), AzureError> {
    let scope = format!("{}/resourceGroups/rg-voice-gateway", voice());
    let principal = user(key);
    let name = rolecall_rbac::names::role_assignment_name(&scope, &principal, READER).to_string();
    azure
        .arm
        .create_role_assignment(
            &scope,
            &name,
            &NewRoleAssignment {
                role_definition_id: role_id(&voice(), READER),
                principal_id: principal,
                principal_type: PrincipalType::User,
                description: None,
            },
        )
        .await
        .map(|_| ())
}

const PEOPLE: [&str; 5] = [
    "nadia.novak",
    "tom.baker",
    "priya.shah",
    "lars.eriksson",
    "mei.chen",
];

#[tokio::test]
async fn throttled_writes_wait_for_retry_after_and_all_land() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &quick()).await;
    // Two writes, then one more per second.
    world.emulator.set_faults(write_throttle(2.0, 1.0));
    world.emulator.reset_observed();
    let results = for_each_bounded(PEOPLE, 5, |key| grant(&azure, key)).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(world.emulator.observed().throttled >= 1, "ARM did throttle");
    let landed = world.emulator.with_state(|s| {
        s.arm
            .role_assignments
            .iter()
            .filter(|a| {
                PEOPLE.iter().any(|k| a.principal_id == user(k)) && a.role_definition_name == READER
            })
            .count()
    });
    assert_eq!(landed, PEOPLE.len());
}

#[tokio::test]
async fn graph_throttling_is_waited_out_in_a_bulk_app_role_run() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &quick()).await;
    let gateway = azure
        .graph
        .service_principal_by_app_id(rolecall_emulator::ACG_APP_ID)
        .await
        .unwrap()
        .expect("the gateway's enterprise application");
    let role = gateway
        .app_roles
        .iter()
        .find(|r| r.value.as_deref() == Some("ProvisioningAPI.ReadUser"))
        .unwrap()
        .id
        .clone();
    // Two writes, then one more per second, as Graph's write limit would.
    world.emulator.set_faults(Faults {
        graph_throttle: GraphThrottle {
            writes: (2.0, 1.0),
            ..GraphThrottle::default()
        },
        ..Faults::default()
    });
    world.emulator.reset_observed();
    let results = for_each_bounded(PEOPLE, 5, |key| {
        let (gateway, role) = (&gateway.id, &role);
        let azure = &azure;
        async move { azure.graph.assign_app_role(gateway, &user(key), role).await }
    })
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(
        world.emulator.observed().throttled >= 1,
        "Graph did throttle"
    );
    let landed = world.emulator.with_state(|s| {
        s.app_role_assignments
            .iter()
            .filter(|a| PEOPLE.iter().any(|k| a.principal_id == user(k)) && a.app_role_id == role)
            .count()
    });
    assert_eq!(landed, PEOPLE.len());
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_says_so() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &no_retries()).await;
    world.emulator.set_faults(write_throttle(1.0, 0.01));
    grant(&azure, "nadia.novak").await.unwrap();
    let error = grant(&azure, "tom.baker").await.unwrap_err();
    let AzureError::Api(api) = error else {
        panic!()
    };
    assert_eq!(api.code, "SubscriptionRequestsThrottled");
    assert_eq!(api.kind, Kind::Throttled);
    assert!(api.retry_after.unwrap() >= Duration::from_secs(1));
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &quick()).await;
    world.emulator.set_faults(Faults {
        seed: 7,
        server_error_rate: 0.3,
        drop_rate: 0.2,
        ..Faults::default()
    });
    world.emulator.reset_observed();
    for _ in 0..10 {
        let subscriptions: Vec<_> = azure.arm.subscriptions().try_collect().await.unwrap();
        assert_eq!(subscriptions.len(), 3);
        azure.graph.me().await.unwrap();
    }
    let observed = world.emulator.observed();
    assert!(
        observed.server_errors >= 1 && observed.dropped >= 1,
        "{observed:?}"
    );

    // Without retries the same failures surface, classified.
    let fragile = world.azure_as(OLIVIA, &no_retries()).await;
    let mut kinds = Vec::new();
    for _ in 0..30 {
        match fragile.arm.subscriptions().try_collect::<Vec<_>>().await {
            Ok(_) => {}
            Err(AzureError::Unreachable { .. }) => kinds.push("unreachable"),
            Err(AzureError::Api(api)) if api.kind == Kind::ServerError => kinds.push("server"),
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert!(
        kinds.contains(&"unreachable") && kinds.contains(&"server"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn a_token_refused_before_its_expiry_is_replaced_once() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &Options::default()).await;
    azure.graph.me().await.unwrap();
    // From now on ARM and Graph refuse tokens older than three seconds (long
    // enough for the fresh token to serve all six calls on a slow machine).
    world.emulator.set_faults(Faults {
        token_max_age: Some(Duration::from_secs(3)),
        ..Faults::default()
    });
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let before = world.accounts.refresh_count();
    let results = for_each_bounded(0..6, 6, |_| async {
        azure.arm.subscriptions().try_collect::<Vec<_>>().await
    })
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        world.accounts.refresh_count() - before,
        1,
        "six refused calls, one refresh"
    );
}

#[tokio::test]
async fn a_claims_challenge_asks_the_admin_to_sign_in_again() {
    let world = World::demo().await;
    let azure = world.azure_as(OLIVIA, &Options::default()).await;
    azure
        .arm
        .subscriptions()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert!(world.emulator.claims_challenge(OLIVIA));
    let error = azure
        .arm
        .subscriptions()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    match error {
        AzureError::Auth(rolecall_auth::AuthError::InteractionRequired { claims, .. }) => {
            assert!(
                claims.unwrap().contains("nbf"),
                "the challenge's claims go to the sign-in"
            );
        }
        other => panic!("expected interaction required, got: {other}"),
    }

    // "Sign in again" (which passes no claims of its own) carries the
    // challenge's claims to Entra's sign-in page, then clears them.
    let olivia = world.accounts.list().unwrap().remove(0);
    let pending = world
        .accounts
        .pending_claims(&olivia.id, &olivia.tenant_id)
        .expect("the credential kept the challenge's claims");
    assert!(pending.contains("nbf"), "{pending}");
    let opened = std::sync::Arc::new(std::sync::Mutex::new(None::<url::Url>));
    let browser = {
        let opened = opened.clone();
        let follow = rolecall_auth::interactive::following_redirects(&world.cloud).unwrap();
        Box::new(move |url: url::Url| {
            *opened.lock().unwrap() = Some(url.clone());
            follow(url)
        }) as rolecall_auth::interactive::Opener
    };
    tokio::time::sleep(Duration::from_millis(1100)).await; // tokens carry whole seconds
    world.emulator.set_auto_sign_in(Some(OLIVIA));
    world
        .accounts
        .reauthenticate(
            &olivia.id,
            &olivia.tenant_id,
            None,
            browser,
            Duration::from_secs(20),
        )
        .await
        .unwrap();
    let url = opened
        .lock()
        .unwrap()
        .clone()
        .expect("the browser was opened");
    let sent: Option<String> = url
        .query_pairs()
        .find(|(k, _)| k == "claims")
        .map(|(_, v)| v.into_owned());
    assert_eq!(sent.as_deref(), Some(pending.as_str()));
    assert!(
        world
            .accounts
            .pending_claims(&olivia.id, &olivia.tenant_id)
            .is_none()
    );
    azure
        .arm
        .subscriptions()
        .try_collect::<Vec<_>>()
        .await
        .expect("signed in again, ARM answers");
}

#[tokio::test]
async fn no_more_requests_in_flight_than_the_bound() {
    let world = World::demo().await;
    let azure = world
        .azure_as(
            OLIVIA,
            &Options {
                max_concurrency: 3,
                ..Options::default()
            },
        )
        .await;
    world.emulator.set_faults(Faults {
        latency: Duration::from_millis(100),
        ..Faults::default()
    });
    world.emulator.reset_observed();
    let results = for_each_bounded(0..12, 12, |_| azure.graph.me()).await;
    assert!(results.iter().all(Result::is_ok));
    let observed = world.emulator.observed();
    assert_eq!(observed.requests, 12);
    assert_eq!(observed.max_in_flight, 3, "{observed:?}");
}
