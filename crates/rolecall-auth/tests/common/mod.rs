//! The test world shared by the sign-in tests: an emulator, its cloud profile,
//! a keychain service of the test's own, and a "browser".

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use rolecall_auth::interactive::Opener;
use rolecall_auth::{Accounts, Keychain};
use rolecall_core::CloudProfile;
use rolecall_emulator::{AZURE_CLI_CLIENT_ID, Emulator, Options};

pub const OLIVIA: &str = "olivia.owner@contosodemo.onmicrosoft.com";
pub const RITA: &str = "rita.reader@contosodemo.onmicrosoft.com";
pub const ARM: &str = "https://management.azure.com/.default";

pub struct World {
    pub emulator: Emulator,
    pub cloud: CloudProfile,
    pub keychain: Keychain,
}

impl World {
    pub async fn new() -> Self {
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
    pub fn accounts(&self) -> Arc<Accounts> {
        let http = rolecall_core::http::client_for(&self.cloud).unwrap();
        Arc::new(Accounts::new(
            self.keychain.clone(),
            http,
            self.cloud.clone(),
            AZURE_CLI_CLIENT_ID,
        ))
    }

    /// A "browser": follows /authorize to the loopback redirect, as a real one would.
    pub fn browser(&self) -> Opener {
        rolecall_auth::interactive::following_redirects(&self.cloud).unwrap()
    }

    /// A browser that lets `rewrite` tamper with the redirect before following it.
    pub fn browser_rewriting(&self, rewrite: fn(url::Url) -> url::Url) -> Opener {
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

    pub async fn sign_in(&self, accounts: &Accounts, user: &str) -> rolecall_auth::AccountInfo {
        self.emulator.set_auto_sign_in(Some(user));
        let info = accounts
            .sign_in_interactive("organizations", self.browser(), Duration::from_secs(20))
            .await
            .unwrap();
        self.emulator.set_auto_sign_in(None);
        info
    }

    pub async fn subscriptions_with(&self, token: &str) -> u16 {
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
