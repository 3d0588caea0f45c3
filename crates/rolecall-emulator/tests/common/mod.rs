//! Helpers for the emulator's HTTP tests: sign in through the real
//! authorization-code flow and call ARM with the token.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rolecall_emulator::{AZURE_CLI_CLIENT_ID, Emulator, Options};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const ARM_SCOPE: &str = "https://management.azure.com/.default offline_access openid";
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default offline_access openid";

/// `shared/azure-reference` beside the checkout (or `ROLECALL_AZURE_REFERENCE`).
pub fn reference_dir() -> PathBuf {
    let dir = std::env::var_os("ROLECALL_AZURE_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // At run time, not `env!`: with a target directory shared between
            // checkouts, cargo reuses a test binary built in another clone.
            PathBuf::from(
                std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
            )
            .join("../../../shared/azure-reference")
        });
    assert!(
        dir.join("builtin-roles.json").exists(),
        "the Azure reference data is missing at {}: check out shared/ beside the repository or set ROLECALL_AZURE_REFERENCE",
        dir.display()
    );
    dir
}

pub async fn start(options: Options) -> Emulator {
    Emulator::start(options).await.expect("the emulator starts")
}

pub fn client(emulator: &Emulator) -> reqwest::Client {
    let ca =
        reqwest::Certificate::from_pem(emulator.profile().ca_certificate_pem.as_bytes()).unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs `upn` in (authorization code + PKCE) and returns an access token for `scope`.
pub async fn token_for(emulator: &Emulator, upn: &str, scope: &str) -> String {
    sign_in(emulator, upn, scope).await["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// Signs `upn` in for ARM and returns (access token, refresh token).
pub async fn sign_in_full(emulator: &Emulator, upn: &str) -> (String, String) {
    let body = sign_in(emulator, upn, ARM_SCOPE).await;
    (
        body["access_token"]
            .as_str()
            .expect("an access token")
            .to_owned(),
        body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned(),
    )
}

/// The token endpoint's whole answer to an interactive sign-in of `upn`.
pub async fn sign_in(emulator: &Emulator, upn: &str, scope: &str) -> Value {
    emulator.set_auto_sign_in(Some(upn));
    let client = client(emulator);
    let verifier = "test-verifier-0123456789-0123456789-0123456789";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect = "http://localhost:40000";
    let mut url = url::Url::parse(&format!(
        "{}organizations/oauth2/v2.0/authorize",
        emulator.urls().authority
    ))
    .unwrap();
    url.query_pairs_mut().extend_pairs([
        ("client_id", AZURE_CLI_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", redirect),
        ("scope", scope),
        ("state", "s"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let response = client.get(url).send().await.unwrap();
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code")
        .1
        .into_owned();
    let body: Value = client
        .post(format!(
            "{}organizations/oauth2/v2.0/token",
            emulator.urls().authority
        ))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    emulator.set_auto_sign_in(None);
    body
}

/// Redeems a refresh token for ARM: (status, body).
pub async fn refresh(emulator: &Emulator, refresh_token: &str) -> (u16, Value) {
    let response = client(emulator)
        .post(format!(
            "{}organizations/oauth2/v2.0/token",
            emulator.urls().authority
        ))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", AZURE_CLI_CLIENT_ID),
            ("refresh_token", refresh_token),
            ("scope", ARM_SCOPE),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// An ARM caller signed in as one user.
pub struct Arm {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Arm {
    pub async fn new(emulator: &Emulator, upn: &str) -> Self {
        Self {
            client: client(emulator),
            base: emulator.urls().arm.clone(),
            token: token_for(emulator, upn, ARM_SCOPE).await,
        }
    }

    /// `path` starts with `/`; `api-version` is added unless present.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = if path.contains("api-version=") || path.starts_with("http") {
            if path.starts_with("http") {
                path.to_owned()
            } else {
                format!("{}{}", self.base.trim_end_matches('/'), path)
            }
        } else {
            format!(
                "{}{path}{sep}api-version=2022-04-01",
                self.base.trim_end_matches('/')
            )
        };
        let mut request = self.client.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
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

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    /// Follows `nextLink` until the end and returns every item.
    pub async fn get_all(&self, path: &str) -> Vec<Value> {
        let (status, mut page) = self.get(path).await;
        assert_eq!(status, 200, "{page}");
        let mut items = page["value"].as_array().cloned().unwrap_or_default();
        while let Some(next) = page["nextLink"].as_str().map(str::to_owned) {
            let (status, next_page) = self.get(&next).await;
            assert_eq!(status, 200, "{next_page}");
            items.extend(next_page["value"].as_array().cloned().unwrap_or_default());
            page = next_page;
        }
        items
    }
}

/// The claims of a JWT (its middle part), unverified.
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn upn(key: &str) -> String {
    format!("{key}@contosodemo.onmicrosoft.com")
}
