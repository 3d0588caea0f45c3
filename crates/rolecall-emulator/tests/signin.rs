//! Entra sign-in as a public client sees it: authorization code + PKCE over a
//! loopback redirect, the token endpoint, refresh-token rotation, revocation,
//! and Entra's error codes. Everything goes over real HTTPS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rolecall_emulator::{AZURE_CLI_CLIENT_ID, DEMO_TENANT_ID, Emulator, Options, demo_id};
use serde_json::Value;
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://localhost:53117";
const VERIFIER: &str = "a-verifier-that-is-at-least-43-characters-long-0123456789";
const ARM_SCOPE: &str = "https://management.azure.com/.default openid profile offline_access";

fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

fn client(emulator: &Emulator) -> reqwest::Client {
    let ca =
        reqwest::Certificate::from_pem(emulator.profile().ca_certificate_pem.as_bytes()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn authorize_url(emulator: &Emulator, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&format!(
        "{}organizations/oauth2/v2.0/authorize",
        emulator.urls().authority
    ))
    .unwrap();
    let challenge = challenge();
    let mut params = vec![
        ("client_id", AZURE_CLI_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", REDIRECT),
        ("scope", ARM_SCOPE),
        ("state", "st-123"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        params.retain(|(key, _)| key != k);
        params.push((k, v));
    }
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// Follows /authorize to the loopback redirect and returns its query pairs.
async fn redirect_params(client: &reqwest::Client, url: &str) -> Vec<(String, String)> {
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

async fn token(
    client: &reqwest::Client,
    emulator: &Emulator,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = client
        .post(format!(
            "{}organizations/oauth2/v2.0/token",
            emulator.urls().authority
        ))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn signed_in(emulator: &Emulator, client: &reqwest::Client) -> Value {
    let pairs = redirect_params(client, &authorize_url(emulator, &[])).await;
    let code = param(&pairs, "code").to_owned();
    let (status, body) = token(
        client,
        emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("scope", ARM_SCOPE),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn auto(user: &str) -> Options {
    Options {
        auto_sign_in: Some(user.into()),
        ..Options::default()
    }
}

#[tokio::test]
async fn authorization_code_with_pkce_yields_entra_shaped_tokens() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let pairs = redirect_params(&client, &authorize_url(&emulator, &[])).await;
    assert_eq!(param(&pairs, "state"), "st-123");
    let code = param(&pairs, "code").to_owned();
    assert!(code.len() >= 64);

    let (status, body) = token(
        &client,
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("scope", ARM_SCOPE),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(
        body["scope"],
        "openid profile https://management.azure.com/user_impersonation https://management.azure.com/.default"
    );
    let access = claims(body["access_token"].as_str().unwrap());
    let oid = demo_id("user:olivia.owner");
    assert_eq!(access["aud"], "https://management.azure.com");
    assert_eq!(access["oid"], oid.as_str());
    assert_eq!(access["tid"], DEMO_TENANT_ID);
    assert_eq!(access["upn"], "olivia.owner@contosodemo.onmicrosoft.com");
    assert_eq!(access["scp"], "user_impersonation");
    assert_eq!(access["appid"], AZURE_CLI_CLIENT_ID);
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], AZURE_CLI_CLIENT_ID);
    assert_eq!(id["ver"], "2.0");
    let info: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(body["client_info"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        info,
        serde_json::json!({"uid": oid, "utid": DEMO_TENANT_ID})
    );
    assert!(body["refresh_token"].as_str().unwrap().len() > 40);

    // The JWKS verifies the signature, as a resource server would.
    let jwks: Value = client
        .get(format!(
            "{}{DEMO_TENANT_ID}/discovery/v2.0/keys",
            emulator.urls().authority
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["https://management.azure.com"]);
    let header = jsonwebtoken::decode_header(body["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    jsonwebtoken::decode::<Value>(
        body["access_token"].as_str().unwrap(),
        &decoding,
        &validation,
    )
    .unwrap();
}

#[tokio::test]
async fn the_sign_in_page_lists_users_and_signs_in_the_chosen_one() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let client = client(&emulator);
    let page = client
        .get(authorize_url(&emulator, &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Pick an account"));
    assert!(html.contains("rita.reader@contosodemo.onmicrosoft.com"));
    // The page posts the original request back, with the choice.
    let url = url::Url::parse(&authorize_url(&emulator, &[])).unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("rolecall_user".into(), demo_id("user:rita.reader")));
    let response = client
        .post(format!(
            "{}organizations/oauth2/v2.0/authorize",
            emulator.urls().authority
        ))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (status, body) = token(
        &client,
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["upn"],
        "rita.reader@contosodemo.onmicrosoft.com"
    );
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_their_verifier_and_redirect() {
    let emulator = Emulator::start(auto("tom.baker@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let redeem = |code: String, verifier: &'static str, redirect: &'static str| {
        let client = client.clone();
        let emulator = &emulator;
        async move {
            token(
                &client,
                emulator,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", AZURE_CLI_CLIENT_ID),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                ],
            )
            .await
        }
    };

    let code = param(
        &redirect_params(&client, &authorize_url(&emulator, &[])).await,
        "code",
    )
    .to_owned();
    let (status, body) = redeem(
        code.clone(),
        "the-wrong-verifier-but-long-enough-to-be-plausible-000",
        REDIRECT,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(body["error_codes"][0], 501481);
    // The failed attempt spent the code.
    let (_, body) = redeem(code, VERIFIER, REDIRECT).await;
    assert_eq!(body["error_codes"][0], 54005, "{body}");

    let code = param(
        &redirect_params(&client, &authorize_url(&emulator, &[])).await,
        "code",
    )
    .to_owned();
    let (_, body) = redeem(code, VERIFIER, "http://localhost:9").await;
    assert_eq!(body["error_codes"][0], 500112, "{body}");

    let (_, body) = redeem("made-up".into(), VERIFIER, REDIRECT).await;
    assert_eq!(body["error_codes"][0], 9002313);
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with("AADSTS9002313: Invalid request."),
        "{description}"
    );
    assert!(description.contains("\r\nTrace ID: "), "{description}");
}

#[tokio::test]
async fn untrusted_clients_and_redirects_never_leave_entras_page() {
    let emulator = Emulator::start(auto("tom.baker@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    for (extra, code) in [
        (
            vec![("client_id", "11111111-2222-3333-4444-555555555555")],
            "AADSTS700016",
        ),
        (
            vec![("redirect_uri", "https://attacker.example/cb")],
            "AADSTS50011",
        ),
        (
            vec![("redirect_uri", "http://localhost:53117/elsewhere")],
            "AADSTS50011",
        ),
    ] {
        let response = client
            .get(authorize_url(&emulator, &extra))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{extra:?}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.unwrap().contains(code), "{extra:?}");
    }
    // Once the redirect is trusted, errors go back to the client with the state.
    let pairs = redirect_params(
        &client,
        &authorize_url(&emulator, &[("code_challenge_method", "plain")]),
    )
    .await;
    assert_eq!(param(&pairs, "error"), "invalid_request");
    assert_eq!(param(&pairs, "state"), "st-123");
}

#[tokio::test]
async fn refresh_tokens_rotate_and_redeem_for_graph_too() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let first = signed_in(&emulator, &client).await;
    let old = first["refresh_token"].as_str().unwrap().to_owned();

    let (status, second) = token(
        &client,
        &emulator,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("refresh_token", &old),
            (
                "scope",
                "https://graph.microsoft.com/.default offline_access",
            ),
        ],
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let access = claims(second["access_token"].as_str().unwrap());
    assert_eq!(access["aud"], "https://graph.microsoft.com");
    assert_eq!(
        access["scp"],
        "AppRoleAssignment.ReadWrite.All Application.Read.All Directory.Read.All User.Read"
    );
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);

    // The rotated-out token stops working, with Entra's revoked-grant answer.
    let (status, body) = token(
        &client,
        &emulator,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("refresh_token", &old),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"][0], 50173);
    assert_eq!(body["suberror"], "bad_token");
}

#[tokio::test]
async fn revoking_sessions_kills_every_refresh_token_of_that_user() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let olivia = signed_in(&emulator, &client).await;
    emulator.set_auto_sign_in(Some("tom.baker@contosodemo.onmicrosoft.com"));
    let tom = signed_in(&emulator, &client).await;

    assert!(emulator.revoke_sessions("olivia.owner@contosodemo.onmicrosoft.com"));
    let use_rt = |rt: String| {
        let client = client.clone();
        let emulator = &emulator;
        async move {
            token(
                &client,
                emulator,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", AZURE_CLI_CLIENT_ID),
                    ("refresh_token", &rt),
                ],
            )
            .await
        }
    };
    let (status, body) = use_rt(olivia["refresh_token"].as_str().unwrap().into()).await;
    assert_eq!(
        (status, body["error_codes"][0].as_u64()),
        (400, Some(50173))
    );
    let (status, _) = use_rt(tom["refresh_token"].as_str().unwrap().into()).await;
    assert_eq!(status, 200, "other users keep their sessions");
}

#[tokio::test]
async fn one_request_may_ask_for_one_resource_only() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let first = signed_in(&emulator, &client).await;
    let (status, body) = token(
        &client,
        &emulator,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
            (
                "scope",
                "https://management.azure.com/.default https://graph.microsoft.com/User.Read",
            ),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_scope");
    assert_eq!(body["error_codes"][0], 28000);
}

#[tokio::test]
async fn silent_requests_for_unconsented_graph_permissions_need_consent() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let first = signed_in(&emulator, &client).await;
    let refresh = |rt: String, scope: &'static str| {
        let client = client.clone();
        let emulator = &emulator;
        async move {
            token(
                &client,
                emulator,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", AZURE_CLI_CLIENT_ID),
                    ("refresh_token", &rt),
                    ("scope", scope),
                ],
            )
            .await
        }
    };
    let (status, body) = refresh(
        first["refresh_token"].as_str().unwrap().into(),
        "https://graph.microsoft.com/Mail.Read offline_access",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"][0], 65001);
    assert_eq!(body["suberror"], "consent_required");

    // Consented permissions work silently.
    let (status, body) = refresh(
        first["refresh_token"].as_str().unwrap().into(),
        "https://graph.microsoft.com/User.Read offline_access",
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Asking interactively is where the user consents; then silent works.
    let pairs = redirect_params(
        &client,
        &authorize_url(
            &emulator,
            &[(
                "scope",
                "https://graph.microsoft.com/Mail.Read offline_access",
            )],
        ),
    )
    .await;
    let (status, body) = token(
        &client,
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("code", param(&pairs, "code")),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = refresh(
        body["refresh_token"].as_str().unwrap().into(),
        "https://graph.microsoft.com/Mail.Read offline_access",
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_refused_refresh_does_not_spend_the_refresh_token() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let rt = signed_in(&emulator, &client).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = |scope: &'static str| {
        vec![
            ("grant_type", "refresh_token".to_string()),
            ("client_id", AZURE_CLI_CLIENT_ID.to_string()),
            ("refresh_token", rt.clone()),
            ("scope", scope.to_string()),
        ]
    };
    let send = |f: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = format!(
            "{}organizations/oauth2/v2.0/token",
            emulator.urls().authority
        );
        async move {
            client
                .post(url)
                .form(&f)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        send(form(
            "https://management.azure.com/.default https://graph.microsoft.com/User.Read"
        ))
        .await,
        400
    );
    assert_eq!(
        send(form("https://graph.microsoft.com/Mail.Read")).await,
        400
    );
    assert_eq!(
        send(form("https://management.azure.com/.default offline_access")).await,
        200,
        "still usable after refusals"
    );
}

/// The plain-HTTP sign-in pages refuse a request for another host name (a web
/// page that rebound its own name to 127.0.0.1 could otherwise read them).
#[tokio::test]
async fn the_plain_http_pages_answer_only_their_loopback_name() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let browser = url::Url::parse(&emulator.urls().browser).unwrap();
    let port = browser.port().unwrap();
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = |host: String| {
        plain
            .get(format!("{browser}devicelogin"))
            .header("host", host)
            .send()
    };
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        assert_eq!(page(host.clone()).await.unwrap().status(), 200, "{host}");
    }
    for host in [
        format!("attacker.example:{port}"),
        "127.0.0.1".to_owned(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        let answer = page(host.clone()).await.unwrap();
        assert_eq!(answer.status(), 421, "{host}");
    }
    emulator.shutdown().await;
}

/// A client that registers the emulator as a cloud (the Azure CLI) names the
/// emulator's own ARM and Graph URLs as resources, with or without the
/// trailing slash, and in the `//.default` form; the answer's `scope` echoes
/// the resource exactly as asked (else MSAL's cache never matches it), and
/// the token works on the service it names.
#[tokio::test]
async fn the_emulators_own_urls_are_its_arm_and_graph_resources() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    // Each refresh answers a new refresh token, and the old one is spent.
    let rt = std::sync::Mutex::new(
        signed_in(&emulator, &client).await["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let rt = &rt;
    let token = |scope: String| {
        let client = client.clone();
        let current = rt.lock().unwrap().clone();
        let url = format!(
            "{}organizations/oauth2/v2.0/token",
            emulator.urls().authority
        );
        async move {
            let answer = client
                .post(url)
                .form(&[
                    ("grant_type", "refresh_token".to_string()),
                    ("client_id", AZURE_CLI_CLIENT_ID.to_string()),
                    ("refresh_token", current),
                    ("scope", scope),
                ])
                .send()
                .await
                .unwrap();
            let status = answer.status().as_u16();
            let body = answer.json::<Value>().await.unwrap();
            if let Some(next) = body["refresh_token"].as_str() {
                *rt.lock().unwrap() = next.to_owned();
            }
            (status, body)
        }
    };
    let arm = emulator.urls().arm.trim_end_matches('/').to_owned();
    let graph = emulator.urls().graph.trim_end_matches('/').to_owned();

    let (status, body) = token(format!("{graph}//.default")).await;
    assert_eq!(status, 200, "{body}");
    let scope = body["scope"].as_str().unwrap();
    assert!(scope.contains(&format!("{graph}//.default")), "{scope}");
    let me = client
        .get(format!("{graph}/v1.0/me"))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.status(),
        200,
        "a Graph token for the emulator's Graph URL"
    );

    for asked in [format!("{arm}/.default"), format!("{arm}//.default")] {
        let (status, body) = token(asked.clone()).await;
        assert_eq!(status, 200, "{asked}: {body}");
        let scope = body["scope"].as_str().unwrap();
        assert!(
            scope.split(' ').any(|s| s == asked),
            "{asked} not echoed in {scope}"
        );
        let listed = client
            .get(format!("{arm}/subscriptions?api-version=2022-12-01"))
            .bearer_auth(body["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), 200, "an ARM token for {asked}");
    }
    // The public cloud's resource ids keep working, echoed as asked too.
    let (status, body) = token("https://management.azure.com//.default".into()).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["scope"]
            .as_str()
            .unwrap()
            .contains("https://management.azure.com//.default")
    );
    emulator.shutdown().await;
}

/// OIDC's `nonce`: kept with the code and put in the ID token when the code
/// is redeemed (MSAL refuses an ID token whose nonce differs from its own);
/// a sign-in that sent none gets none, and a refresh carries none.
#[tokio::test]
async fn the_authorize_requests_nonce_comes_back_in_the_id_token() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let redeem = |pairs: Vec<(String, String)>| {
        let client = client.clone();
        let emulator = &emulator;
        async move {
            let code = param(&pairs, "code").to_owned();
            token(
                &client,
                emulator,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", AZURE_CLI_CLIENT_ID),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", VERIFIER),
                ],
            )
            .await
        }
    };
    let with = redirect_params(
        &client,
        &authorize_url(&emulator, &[("nonce", "n-0S6_WzA2Mj")]),
    )
    .await;
    let (status, body) = redeem(with).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["id_token"].as_str().unwrap())["nonce"],
        "n-0S6_WzA2Mj"
    );

    let without = redirect_params(&client, &authorize_url(&emulator, &[])).await;
    let (status, body) = redeem(without).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        claims(body["id_token"].as_str().unwrap())
            .get("nonce")
            .is_none()
    );
    emulator.shutdown().await;
}

/// The hidden inputs of a `form_post` page, by name.
fn posted_fields(page: &str) -> Vec<(String, String)> {
    page.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let attr = |name: &str| {
                let start = input.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                input[start..start + input[start..].find('"').unwrap()].to_owned()
            };
            (attr("name"), attr("value"))
        })
        .collect()
}

/// `response_mode=form_post` (what MSAL asks for): a 200 HTML page whose form
/// posts `code`, `state`, `session_state` and `client_info` to the redirect
/// URI and submits itself; errors come back the same way. `query` still
/// redirects.
#[tokio::test]
async fn form_post_answers_with_a_self_submitting_form() {
    let emulator = Emulator::start(auto("olivia.owner@contosodemo.onmicrosoft.com"))
        .await
        .unwrap();
    let client = client(&emulator);
    let url = authorize_url(
        &emulator,
        &[("response_mode", "form_post"), ("client_info", "1")],
    );
    let answer = client.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = answer.text().await.unwrap();
    assert!(page.contains(&format!("action=\"{REDIRECT}\"")), "{page}");
    assert!(page.contains("document.forms[0].submit()"), "{page}");
    let fields = posted_fields(&page);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["code", "state", "session_state", "client_info"]);
    assert_eq!(param(&fields, "state"), "st-123");
    let info: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(param(&fields, "client_info"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(info["utid"], DEMO_TENANT_ID);
    // The posted code is redeemable like a redirected one.
    let (status, body) = token(
        &client,
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("code", param(&fields, "code")),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["oid"],
        info["uid"]
    );

    // An error after the redirect URI is trusted is posted back too.
    let bad = authorize_url(
        &emulator,
        &[("response_mode", "form_post"), ("response_type", "token")],
    );
    let page = client.get(bad).send().await.unwrap().text().await.unwrap();
    let fields = posted_fields(&page);
    assert_eq!(param(&fields, "error"), "unsupported_response_type");
    assert!(param(&fields, "error_description").starts_with("AADSTS700054"));
    assert_eq!(param(&fields, "state"), "st-123");
    emulator.shutdown().await;
}
