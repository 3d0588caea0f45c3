//! rolecall-core's clients against the emulator, over real HTTPS.

use rolecall_core::{CloudProfile, Error, discovery, http};
use rolecall_emulator::{DEMO_TENANT_ID, Emulator, Options};

async fn emulator_and_profile() -> (Emulator, CloudProfile) {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let profile = CloudProfile::from_json(&emulator.profile_json())
        .expect("the printed profile is a valid custom cloud");
    (emulator, profile)
}

#[tokio::test]
async fn the_emulator_profile_is_accepted_and_discovery_works() {
    let (_emulator, cloud) = emulator_and_profile().await;
    let client = http::client_for(&cloud).unwrap();
    let found = discovery::discover(&client, &cloud, cloud.tenant_or_default())
        .await
        .unwrap();
    assert!(
        found
            .configuration
            .issuer
            .ends_with(&format!("/{DEMO_TENANT_ID}/v2.0"))
    );
    assert!(
        found
            .configuration
            .token_endpoint
            .starts_with(cloud.authority_host.as_str())
    );
}

#[tokio::test]
async fn the_custom_ca_is_trusted_for_its_own_cloud_only() {
    let (_emulator, cloud) = emulator_and_profile().await;
    let (_other, other_cloud) = emulator_and_profile().await;
    // A client for the other emulator's cloud trusts only the other CA.
    let client = http::client_for(&other_cloud).unwrap();
    let error = discovery::discover(&client, &cloud, DEMO_TENANT_ID)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "Unreachable", "{error}");
    let message = error.to_string();
    assert!(
        message.contains("certificate"),
        "TLS cause is shown: {message}"
    );
    assert!(
        message.contains("try again"),
        "the admin is told what to do: {message}"
    );
}

#[tokio::test]
async fn an_unknown_tenant_is_reported_with_entras_answer() {
    let (_emulator, cloud) = emulator_and_profile().await;
    let client = http::client_for(&cloud).unwrap();
    let error = discovery::discover(&client, &cloud, "fabrikam.example")
        .await
        .unwrap_err();
    match error {
        Error::UnexpectedResponse { status, detail, .. } => {
            assert_eq!(status, 400);
            assert!(detail.contains("AADSTS90002"), "{detail}");
        }
        other => panic!("unexpected error: {other}"),
    }
}

#[tokio::test]
async fn malformed_tenants_are_refused_before_any_request() {
    let (_emulator, cloud) = emulator_and_profile().await;
    let client = http::client_for(&cloud).unwrap();
    for tenant in ["", "a/b", "x?y"] {
        let error = discovery::discover(&client, &cloud, tenant)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "InvalidCloudProfile", "{tenant}: {error}");
    }
}
