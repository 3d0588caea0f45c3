//! Sign-in and the token cache against the emulator and the real OS keychain
//! (on Linux the Secret Service: run through `cargo xtask test`, which starts a
//! private D-Bus session with an unlocked gnome-keyring).

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use rolecall_auth::interactive::Opener;
use rolecall_auth::keychain::CHUNK;
use rolecall_auth::{AccountCredential, Accounts, AuthError, Keychain};
use rolecall_core::CloudProfile;
use rolecall_emulator::{AZURE_CLI_CLIENT_ID, Emulator, Options};

const OLIVIA: &str = "olivia.owner@contosodemo.onmicrosoft.com";
const RITA: &str = "rita.reader@contosodemo.onmicrosoft.com";
const ARM: &str = "https://management.azure.com/.default";

struct World {
    emulator: Emulator,
    cloud: CloudProfile,
    keychain: Keychain,
}

impl World {
    async fn new() -> Self {
        let emulator = Emulator::start(Options::default()).await.unwrap();
        let cloud = CloudProfile::from_json(&emulator.profile_json()).unwrap();
        let keychain = Keychain::open(&format!("rolecall-test-{}", uuid::Uuid::new_v4())).unwrap_or_else(|e| {
            panic!("{e}\n(these tests need the OS keychain; on Linux run them with `cargo xtask test`)")
        });
        Self {
            emulator,
            cloud,
            keychain,
        }
    }

    /// A fresh `Accounts`, as after an app restart: nothing in memory.
    fn accounts(&self) -> Arc<Accounts> {
        let http = rolecall_core::http::client_for(&self.cloud).unwrap();
        Arc::new(Accounts::new(
            self.keychain.clone(),
            http,
            self.cloud.clone(),
            AZURE_CLI_CLIENT_ID,
        ))
    }

    /// A "browser": follows /authorize to the loopback redirect, as a real one would.
    fn browser(&self) -> Opener {
        self.browser_rewriting(|location| location)
    }

    /// A browser that lets `rewrite` tamper with the redirect before following it.
    fn browser_rewriting(&self, rewrite: fn(url::Url) -> url::Url) -> Opener {
        let ca = reqwest::Certificate::from_pem(
            self.cloud.ca_certificate_pem.as_ref().unwrap().as_bytes(),
        )
        .unwrap();
        Box::new(move |url| {
            tokio::spawn(async move {
                let emulator = reqwest::Client::builder()
                    .tls_certs_only([ca])
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap();
                let answer = emulator.get(url).send().await.unwrap();
                let location =
                    url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
                let _ = reqwest::Client::new().get(rewrite(location)).send().await;
            });
            Ok(())
        })
    }

    async fn sign_in(&self, accounts: &Accounts, user: &str) -> rolecall_auth::AccountInfo {
        self.emulator.set_auto_sign_in(Some(user));
        let info = accounts
            .sign_in_interactive("organizations", self.browser(), Duration::from_secs(20))
            .await
            .unwrap();
        self.emulator.set_auto_sign_in(None);
        info
    }

    async fn subscriptions_with(&self, token: &str) -> u16 {
        rolecall_core::http::client_for(&self.cloud)
            .unwrap()
            .get(format!(
                "{}subscriptions?api-version=2022-12-01",
                self.cloud.resource_manager_endpoint
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.accounts().sign_out_everywhere();
    }
}

#[tokio::test]
async fn interactive_sign_in_then_a_silent_restart_from_the_keychain() {
    let world = World::new().await;
    let first = world.accounts();
    let olivia = world.sign_in(&first, OLIVIA).await;
    assert_eq!(olivia.username, OLIVIA);
    assert_eq!(olivia.tenant_id, world.emulator.tenant().id);
    let (token, _) = first.access_token(&olivia.id, ARM).await.unwrap();
    assert_eq!(
        first.refresh_count(),
        0,
        "the sign-in's own access token is reused"
    );
    assert_eq!(world.subscriptions_with(&token).await, 200);

    // A restart: nothing in memory, the keychain still holds the session.
    let second = world.accounts();
    assert_eq!(second.list().unwrap(), vec![olivia.clone()]);
    let (token, expires) = second.access_token(&olivia.id, ARM).await.unwrap();
    assert_eq!(second.refresh_count(), 1);
    assert!(expires > time::OffsetDateTime::now_utc() + Duration::from_secs(3000));
    assert_eq!(world.subscriptions_with(&token).await, 200);
}

#[tokio::test]
async fn refresh_tokens_rotate_in_the_keychain() {
    let world = World::new().await;
    let olivia = world.sign_in(&world.accounts(), OLIVIA).await;
    let key = format!("rt:{}", olivia.id);
    let before = world.keychain.get(&key).unwrap().unwrap();
    world
        .accounts()
        .access_token(&olivia.id, ARM)
        .await
        .unwrap();
    let after = world.keychain.get(&key).unwrap().unwrap();
    assert_ne!(
        before, after,
        "the rotated refresh token replaced the old one"
    );
    // And the next restart uses the new one successfully.
    assert!(world.accounts().access_token(&olivia.id, ARM).await.is_ok());
}

#[tokio::test]
async fn a_revoked_session_asks_to_sign_in_again() {
    let world = World::new().await;
    let olivia = world.sign_in(&world.accounts(), OLIVIA).await;
    assert!(world.emulator.revoke_sessions(OLIVIA));
    let accounts = world.accounts();
    let error = accounts.access_token(&olivia.id, ARM).await.unwrap_err();
    assert!(matches!(error, AuthError::SignInAgain { .. }), "{error:?}");
    assert!(error.to_string().contains("Sign in again"), "{error}");
    assert!(error.to_string().contains("AADSTS50173"), "{error}");
    assert!(
        !accounts.has_session(&olivia.id).unwrap(),
        "the dead refresh token is forgotten"
    );
    assert_eq!(
        accounts.list().unwrap().len(),
        1,
        "the account stays listed, to sign in again"
    );
}

#[tokio::test]
async fn mfa_demanded_by_the_tenant_turns_into_interaction_required() {
    let world = World::new().await;
    let olivia = world.sign_in(&world.accounts(), OLIVIA).await;
    assert!(world.emulator.require_mfa(OLIVIA));
    let error = world
        .accounts()
        .access_token(&olivia.id, ARM)
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::InteractionRequired { .. }),
        "{error:?}"
    );
    assert!(
        world.accounts().has_session(&olivia.id).unwrap(),
        "the session is kept for after the interactive step"
    );
}

#[tokio::test]
async fn a_redirect_with_the_wrong_state_is_refused() {
    let world = World::new().await;
    let accounts = world.accounts();
    world.emulator.set_auto_sign_in(Some(OLIVIA));
    let forger = world.browser_rewriting(|mut location| {
        let pairs: Vec<(String, String)> = location
            .query_pairs()
            .into_owned()
            .map(|(k, v)| {
                if k == "state" {
                    (k, "forged".to_string())
                } else {
                    (k, v)
                }
            })
            .collect();
        location.query_pairs_mut().clear().extend_pairs(pairs);
        location
    });
    let error = accounts
        .sign_in_interactive("organizations", forger, Duration::from_secs(20))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::StateMismatch), "{error:?}");
    assert!(accounts.list().unwrap().is_empty(), "nothing was stored");
}

#[tokio::test]
async fn an_abandoned_sign_in_times_out() {
    let world = World::new().await;
    let nobody: Opener = Box::new(|_| Ok(()));
    let error = world
        .accounts()
        .sign_in_interactive("organizations", nobody, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::TimedOut(_)), "{error:?}");
    assert!(error.to_string().contains("Start it again"), "{error}");
}

#[tokio::test]
async fn parallel_callers_share_one_refresh() {
    let world = World::new().await;
    let olivia = world.sign_in(&world.accounts(), OLIVIA).await;
    let restarted = world.accounts();
    let calls = (0..8).map(|_| {
        let accounts = restarted.clone();
        let id = olivia.id.clone();
        tokio::spawn(async move { accounts.access_token(&id, ARM).await.map(|(t, _)| t) })
    });
    let tokens: Vec<String> = futures_join(calls).await;
    assert_eq!(
        restarted.refresh_count(),
        1,
        "one redemption for eight callers"
    );
    assert!(tokens.windows(2).all(|w| w[0] == w[1]));
}

async fn futures_join(
    handles: impl Iterator<Item = tokio::task::JoinHandle<Result<String, AuthError>>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap().unwrap());
    }
    out
}

#[tokio::test]
async fn two_accounts_and_signing_out_one_leaves_the_other() {
    let world = World::new().await;
    let accounts = world.accounts();
    let olivia = world.sign_in(&accounts, OLIVIA).await;
    let rita = world.sign_in(&accounts, RITA).await;
    assert_eq!(accounts.list().unwrap().len(), 2);

    accounts.sign_out(&olivia.id).unwrap();
    assert_eq!(accounts.list().unwrap(), vec![rita.clone()]);
    assert!(
        world
            .keychain
            .get(&format!("rt:{}", olivia.id))
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        accounts.access_token(&olivia.id, ARM).await,
        Err(AuthError::UnknownAccount(_))
    ));
    // Rita's session is untouched, also after a restart.
    assert!(world.accounts().access_token(&rita.id, ARM).await.is_ok());

    accounts.sign_out_everywhere().unwrap();
    assert!(accounts.list().unwrap().is_empty());
    assert!(world.keychain.get("accounts").unwrap().is_none());
    assert!(
        world
            .keychain
            .get(&format!("rt:{}", rita.id))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn large_secrets_are_chunked_and_reassembled() {
    let world = World::new().await;
    let big: Vec<u8> = (0..(CHUNK * 4 + 123)).map(|i| (i % 251) as u8).collect();
    world.keychain.put("big", &big).unwrap();
    assert_eq!(world.keychain.get("big").unwrap().unwrap(), big);
    assert_eq!(
        world.keychain.get("big#0").unwrap().unwrap().len(),
        CHUNK,
        "stored in pieces Windows accepts"
    );
    assert_eq!(world.keychain.get("big#4").unwrap().unwrap().len(), 123);

    // Shrinking to a plain value removes the chunks.
    world.keychain.put("big", b"small").unwrap();
    assert_eq!(world.keychain.get("big").unwrap().unwrap(), b"small");
    assert!(world.keychain.get("big#0").unwrap().is_none());
    world.keychain.put("big", &big).unwrap();
    world.keychain.delete("big").unwrap();
    assert!(world.keychain.get("big").unwrap().is_none());
    assert!(world.keychain.get("big#3").unwrap().is_none());
}

#[tokio::test]
async fn the_azure_sdk_credential_serves_tokens() {
    let world = World::new().await;
    let accounts = world.accounts();
    let olivia = world.sign_in(&accounts, OLIVIA).await;
    let credential = AccountCredential::new(accounts.clone(), olivia.id.clone());
    let token = credential.get_token(&[ARM], None).await.unwrap();
    assert!(token.expires_on > time::OffsetDateTime::now_utc());
    assert_eq!(world.subscriptions_with(token.token.secret()).await, 200);
    let shown = format!("{credential:?} {accounts:?}");
    assert!(
        !shown.contains(token.token.secret()),
        "Debug shows no token"
    );
}

#[tokio::test]
async fn the_accounts_tenants_and_tokens_per_tenant() {
    let world = World::new().await;
    let accounts = world.accounts();
    let olivia = world.sign_in(&accounts, OLIVIA).await;
    let tenants = accounts.tenants(&olivia.id).await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].tenant_id, world.emulator.tenant().id);
    assert_eq!(tenants[0].default_domain, "contosodemo.onmicrosoft.com");

    // A token for the tenant by its domain is a separate cache entry, redeemed once.
    let before = accounts.refresh_count();
    let (token, _) = accounts
        .access_token_in(&olivia.id, "contosodemo.onmicrosoft.com", ARM)
        .await
        .unwrap();
    assert_eq!(world.subscriptions_with(&token).await, 200);
    accounts
        .access_token_in(&olivia.id, "contosodemo.onmicrosoft.com", ARM)
        .await
        .unwrap();
    assert_eq!(accounts.refresh_count(), before + 1);

    let error = accounts
        .access_token_in(&olivia.id, "fabrikam.onmicrosoft.com", ARM)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("AADSTS90002"), "{error}");
}

#[tokio::test]
async fn a_claims_challenge_is_answered_by_signing_in_again() {
    let world = World::new().await;
    let accounts = world.accounts();
    let olivia = world.sign_in(&accounts, OLIVIA).await;
    let (old, _) = accounts.access_token(&olivia.id, ARM).await.unwrap();
    assert!(world.emulator.claims_challenge(OLIVIA));

    // ARM refuses the old token with a challenge; the client reads the claims from it.
    let response = rolecall_core::http::client_for(&world.cloud)
        .unwrap()
        .get(format!(
            "{}subscriptions?api-version=2022-12-01",
            world.cloud.resource_manager_endpoint
        ))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    let claims = rolecall_auth::claims_from_challenge(&challenge).expect("a claims challenge");
    assert!(claims.contains("\"access_token\""), "{claims}");

    tokio::time::sleep(Duration::from_millis(1100)).await; // tokens carry whole seconds
    world.emulator.set_auto_sign_in(Some(OLIVIA));
    accounts
        .reauthenticate(
            &olivia.id,
            &olivia.tenant_id,
            Some(&claims),
            world.browser(),
            Duration::from_secs(20),
        )
        .await
        .unwrap();
    world.emulator.set_auto_sign_in(None);
    let (fresh, _) = accounts.access_token(&olivia.id, ARM).await.unwrap();
    assert_ne!(fresh, old);
    assert_eq!(world.subscriptions_with(&fresh).await, 200);
}

#[test]
fn only_insufficient_claims_challenges_carry_claims() {
    assert_eq!(
        rolecall_auth::claims_from_challenge(
            "Bearer authorization_uri=\"x\", error=\"invalid_token\""
        ),
        None
    );
    let encoded =
        "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYzNTUxNTc4NiJ9fX0=";
    let header = format!("Bearer realm=\"\", error=\"insufficient_claims\", claims=\"{encoded}\"");
    assert_eq!(
        rolecall_auth::claims_from_challenge(&header).as_deref(),
        Some("{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"1635515786\"}}}")
    );
}
