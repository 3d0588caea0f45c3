//! Sign-in and the token cache against the emulator and the real OS keychain
//! (on Linux the Secret Service: run through `cargo xtask test`, which starts a
//! private D-Bus session with an unlocked gnome-keyring).

use std::time::Duration;

use azure_core::credentials::TokenCredential;
use rolecall_auth::interactive::Opener;
use rolecall_auth::keychain::CHUNK;
use rolecall_auth::{AccountCredential, AuthError};
mod common;

use common::{ARM, OLIVIA, RITA, World};

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
    // A redirect with another state does not end the wait; when nothing
    // else comes, the sign-in says why it failed.
    let error = accounts
        .sign_in_interactive("organizations", forger, Duration::from_secs(3))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::StateMismatch), "{error:?}");
    assert!(accounts.list().unwrap().is_empty(), "nothing was stored");
}

/// Anyone who can reach the loopback port could hold it with an idle socket
/// or end the wait with a made-up redirect; neither stops the real sign-in.
#[tokio::test]
async fn an_idle_socket_and_a_foreign_redirect_do_not_stop_the_sign_in() {
    let world = World::new().await;
    let accounts = world.accounts();
    world.emulator.set_auto_sign_in(Some(OLIVIA));
    let follow = world.browser();
    let meddler: Opener = Box::new(move |url: url::Url| {
        let redirect = url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let port: u16 = redirect.rsplit(':').next().unwrap().parse().unwrap();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            // Connects and says nothing, and keeps the socket open.
            let idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            // A made-up redirect with a code and a state of its own.
            let mut foreign = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .unwrap();
            foreign
                .write_all(b"GET /?code=stolen&state=not-yours HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .await
                .unwrap();
            let mut answer = Vec::new();
            use tokio::io::AsyncReadExt;
            foreign.read_to_end(&mut answer).await.unwrap();
            assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 400"));
            // Then the person's browser does its part.
            follow(url).unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(idle);
        });
        Ok(())
    });
    let olivia = accounts
        .sign_in_interactive("organizations", meddler, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(olivia.username, OLIVIA);
}

#[tokio::test]
async fn a_tenant_that_is_not_a_tenant_never_reaches_the_authority() {
    let world = World::new().await;
    let accounts = world.accounts();
    for tenant in [
        "https://evil.example/x",
        "file://host/share/x#",
        "a/../../b",
    ] {
        let opened = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = opened.clone();
        let browser: Opener = Box::new(move |_| {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        });
        let error = accounts
            .sign_in_interactive(tenant, browser, Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(
            matches!(error, AuthError::InvalidTenant(_)),
            "{tenant}: {error:?}"
        );
        assert!(error.to_string().contains("Give a tenant id"), "{error}");
        assert!(
            !opened.load(std::sync::atomic::Ordering::SeqCst),
            "no browser for {tenant}"
        );
    }
    let olivia = world.sign_in(&accounts, OLIVIA).await;
    let error = accounts
        .access_token_in(&olivia.id, "https://evil.example/x", ARM)
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::InvalidTenant(_)), "{error:?}");
    assert!(
        accounts.has_session(&olivia.id).unwrap(),
        "the refresh token stays"
    );
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
    let chunks = world.keychain.chunk_keys("big").unwrap();
    assert_eq!(chunks.len(), 5);
    assert_eq!(
        world.keychain.get(&chunks[0]).unwrap().unwrap().len(),
        CHUNK,
        "stored in pieces Windows accepts"
    );
    assert_eq!(world.keychain.get(&chunks[4]).unwrap().unwrap().len(), 123);

    // A new value goes under a new generation; the old chunks are removed after.
    let bigger: Vec<u8> = (0..(CHUNK * 2 + 1)).map(|i| (i % 13) as u8).collect();
    world.keychain.put("big", &bigger).unwrap();
    assert_eq!(world.keychain.get("big").unwrap().unwrap(), bigger);
    let second = world.keychain.chunk_keys("big").unwrap();
    assert!(second.iter().all(|k| !chunks.contains(k)), "{second:?}");
    for old in &chunks {
        assert!(world.keychain.get(old).unwrap().is_none(), "{old} orphaned");
    }

    // A chunk overwritten by another writer (or half a failed write) is
    // detected, never handed out as a token.
    world.keychain.put(&second[1], &vec![7u8; CHUNK]).unwrap();
    let error = world.keychain.get("big").unwrap_err();
    assert!(
        matches!(error, rolecall_auth::KeychainError::Damaged(_)),
        "{error}"
    );

    // Shrinking to a plain value removes the chunks.
    world.keychain.put("big", b"small").unwrap();
    assert_eq!(world.keychain.get("big").unwrap().unwrap(), b"small");
    for old in &second {
        assert!(world.keychain.get(old).unwrap().is_none());
    }
    world.keychain.put("big", &big).unwrap();
    let last = world.keychain.chunk_keys("big").unwrap();
    world.keychain.delete("big").unwrap();
    assert!(world.keychain.get("big").unwrap().is_none());
    for old in &last {
        assert!(
            world.keychain.get(old).unwrap().is_none(),
            "sign-out leaves no chunk"
        );
    }
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

/// The page a system browser gets is on the emulator's plain-HTTP loopback
/// host (browsers do not trust its CA); picking an account there posts the
/// form back and lands on Rolecall's loopback listener.
#[tokio::test]
async fn a_person_picks_an_account_on_the_browser_page() {
    let world = World::new().await;
    let accounts = world.accounts();
    let opener: Opener = Box::new(move |url| {
        assert_eq!(url.scheme(), "http", "{url}");
        assert_eq!(url.host_str(), Some("127.0.0.1"));
        tokio::spawn(async move {
            let browser = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let page = browser.get(url.clone()).send().await.unwrap();
            let html = page.text().await.unwrap();
            assert!(html.contains("Pick an account"), "{html}");
            assert!(html.contains(RITA), "the page lists the tenant's users");
            // What clicking Rita's button posts: the request's own parameters and the choice.
            let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            form.push(("rolecall_user".into(), RITA.into()));
            let mut action = url.clone();
            action.set_query(None);
            let answer = browser.post(action).form(&form).send().await.unwrap();
            let location = answer.headers()["location"].to_str().unwrap().to_owned();
            assert!(location.starts_with("http://localhost:"), "{location}");
            reqwest::Client::new().get(location).send().await.unwrap();
        });
        Ok(())
    });
    let rita = accounts
        .sign_in_interactive("organizations", opener, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(rita.username, RITA);
}

#[tokio::test]
async fn device_code_sign_in_waits_for_the_person_then_remembers_the_account() {
    let world = World::new().await;
    world
        .emulator
        .with_state(|s| s.settings.device_code_interval = 1);
    let accounts = world.accounts();
    let (prompt, session) = accounts.start_device_code("organizations").await.unwrap();
    assert_eq!(prompt.user_code.len(), 9);
    assert!(prompt.message.contains(&prompt.user_code));
    assert!(
        !format!("{session:?}").contains("device_code"),
        "the device code is not printed"
    );
    let page = prompt.verification_uri.clone();
    let code = prompt.user_code.clone();
    let person = tokio::spawn(async move {
        // The person is slow: the app polls (authorization_pending) meanwhile.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let browser = reqwest::Client::new();
        let wrong = browser
            .post(&page)
            .form(&[("otc", "ZZZZZZZZZ")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(wrong.contains("didn't work"), "{wrong}");
        let pick = browser
            .post(&page)
            .form(&[("otc", code.to_lowercase())])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(pick.contains("Pick an account"), "{pick}");
        let done = browser
            .post(&page)
            .form(&[("otc", code.as_str()), ("rolecall_user", OLIVIA)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(done.contains("signed in"), "{done}");
    });
    let olivia = accounts
        .finish_device_code(&session, Duration::from_secs(30))
        .await
        .unwrap();
    person.await.unwrap();
    assert_eq!(olivia.username, OLIVIA);
    // The session is as good as an interactive one: a restart refreshes silently.
    let restarted = world.accounts();
    let (token, _) = restarted.access_token(&olivia.id, ARM).await.unwrap();
    assert_eq!(world.subscriptions_with(&token).await, 200);
}

#[tokio::test]
async fn an_unfinished_device_code_sign_in_times_out() {
    let world = World::new().await;
    world
        .emulator
        .with_state(|s| s.settings.device_code_interval = 1);
    let accounts = world.accounts();
    let (_, session) = accounts.start_device_code("organizations").await.unwrap();
    let error = accounts
        .finish_device_code(&session, Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::TimedOut(_)), "{error}");
    assert!(accounts.list().unwrap().is_empty());
}

/// The session an app restores: the remembered account, its tenant, and a
/// tenant switch that waits for a token before switching.
#[tokio::test]
async fn the_session_restores_switches_tenants_and_asks_for_mfa_per_tenant() {
    use rolecall_auth::{AccountSource, Session};
    let world = World::new().await;
    let first = Session::new(world.accounts());
    world.emulator.set_auto_sign_in(Some(RITA));
    let rita = first
        .sign_in("organizations", world.browser(), Duration::from_secs(20))
        .await
        .unwrap();
    world.emulator.set_auto_sign_in(Some(OLIVIA));
    let olivia = first
        .sign_in("organizations", world.browser(), Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(first.active().unwrap().unwrap().account, olivia);

    // A restart remembering Rita: she is active again, and works silently.
    let restarted = Session::new(world.accounts());
    restarted
        .restore(Some(&rita.id.0), Some(&rita.tenant_id))
        .unwrap();
    let active = restarted.active().unwrap().unwrap();
    assert_eq!(active.account, rita);
    assert_eq!(active.source, AccountSource::Rolecall);
    restarted.verify().await.unwrap();
    assert_eq!(restarted.list().unwrap().len(), 2);

    // The tenant (by domain) demands MFA: no switch, "interaction required".
    restarted.switch_account(&olivia.id.0).unwrap();
    world.emulator.require_mfa(OLIVIA);
    let error = restarted
        .switch_tenant("contosodemo.onmicrosoft.com")
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::InteractionRequired { .. }),
        "{error}"
    );
    assert_eq!(
        restarted.active().unwrap().unwrap().tenant_id,
        olivia.tenant_id
    );
    // Signing in again in that tenant satisfies it and switches.
    restarted
        .reauthenticate(
            "contosodemo.onmicrosoft.com",
            None,
            world.browser(),
            Duration::from_secs(20),
        )
        .await
        .unwrap();
    assert_eq!(
        restarted.active().unwrap().unwrap().tenant_id,
        "contosodemo.onmicrosoft.com"
    );
    restarted.verify().await.unwrap();

    // Signing out the active account makes the other one active.
    restarted.sign_out(&olivia.id.0).unwrap();
    assert_eq!(restarted.active().unwrap().unwrap().account, rita);
    restarted.sign_out_everywhere().unwrap();
    assert!(restarted.active().unwrap().is_none());
    assert!(matches!(
        restarted.verify().await.unwrap_err(),
        AuthError::NotSignedIn
    ));
}
