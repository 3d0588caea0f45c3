//! The emulator on the wire: real TLS, real HTTP, Azure's shapes and codes.

use rolecall_emulator::{DEMO_TENANT_ID, Emulator, Options};
use serde_json::Value;

fn client_trusting(emulator: &Emulator) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(emulator.profile().ca_certificate_pem.as_bytes())
        .expect("the CA is PEM");
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap()
}

#[tokio::test]
async fn discovery_for_the_demo_tenant_matches_entra() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let client = client_trusting(&emulator);
    let authority = &emulator.urls().authority;
    for name in [
        DEMO_TENANT_ID,
        "contosodemo.onmicrosoft.com",
        "ContosoDemo.OnMicrosoft.com",
    ] {
        let url = format!("{authority}{name}/v2.0/.well-known/openid-configuration");
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["issuer"], format!("{authority}{DEMO_TENANT_ID}/v2.0"));
        assert_eq!(
            body["token_endpoint"],
            format!("{authority}{DEMO_TENANT_ID}/oauth2/v2.0/token")
        );
        assert_eq!(
            body["id_token_signing_alg_values_supported"],
            serde_json::json!(["RS256"])
        );
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn multi_tenant_discovery_keeps_the_tenantid_placeholder() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let client = client_trusting(&emulator);
    let authority = &emulator.urls().authority;
    let body: Value = client
        .get(format!(
            "{authority}organizations/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["issuer"], format!("{authority}{{tenantid}}/v2.0"));
    assert_eq!(
        body["authorization_endpoint"],
        format!("{authority}organizations/oauth2/v2.0/authorize")
    );
}

#[tokio::test]
async fn an_unknown_tenant_gets_aadsts90002() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let client = client_trusting(&emulator);
    let response = client
        .get(format!(
            "{}fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration",
            emulator.urls().authority
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_tenant");
    assert_eq!(body["error_codes"], serde_json::json!([90002]));
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with("AADSTS90002: Tenant 'fabrikam.onmicrosoft.com' not found."),
        "{description}"
    );
    assert!(body["trace_id"].as_str().unwrap().len() == 36);
}

#[tokio::test]
async fn arm_and_graph_refuse_requests_without_a_token_in_their_own_envelopes() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let client = client_trusting(&emulator);

    let response = client
        .get(format!(
            "{}subscriptions?api-version=2022-12-01",
            emulator.urls().arm
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.starts_with("Bearer authorization_uri="),
        "{challenge}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
    assert_eq!(
        body["error"]["message"],
        "Authentication failed. The 'Authorization' header is missing."
    );

    let response = client
        .get(format!("{}v1.0/me", emulator.urls().graph))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token is empty.");
    assert_eq!(
        body["error"]["innerError"]["request-id"],
        body["error"]["innerError"]["client-request-id"]
    );
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_local_ca_is_refused() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let other = Emulator::start(Options::default()).await.unwrap();
    // Trusting another emulator's CA (a fresh one per start) must not be enough.
    let wrong = client_trusting(&other);
    let error = wrong
        .get(format!(
            "{}organizations/v2.0/.well-known/openid-configuration",
            emulator.urls().authority
        ))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}

#[tokio::test]
async fn it_refuses_to_listen_beyond_loopback() {
    let options = Options {
        bind: "0.0.0.0".parse().unwrap(),
        ..Options::default()
    };
    let error = Emulator::start(options).await.err().expect("refused");
    assert!(error.to_string().contains("loopback"), "{error}");
}

#[tokio::test]
async fn the_profile_names_three_distinct_https_hosts() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let profile = emulator.profile();
    let hosts = [
        &profile.authority_host,
        &profile.resource_manager_endpoint,
        &profile.graph_endpoint,
    ];
    for host in hosts {
        assert!(host.starts_with("https://127.0.0.1:"), "{host}");
        assert!(host.ends_with('/'), "{host}");
    }
    assert_ne!(hosts[0], hosts[1]);
    assert_ne!(hosts[1], hosts[2]);
    assert!(
        profile
            .ca_certificate_pem
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(profile.default_tenant, DEMO_TENANT_ID);
}
