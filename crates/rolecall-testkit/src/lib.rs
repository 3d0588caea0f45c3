//! Admins signed in against the emulator for tests: real HTTPS, real
//! sign-in through the loopback, refresh tokens in the real OS keychain (on
//! Linux, run the tests through `cargo xtask test`, which starts one).

use std::sync::Arc;
use std::time::Duration;

use rolecall_auth::{AccountCredential, Accounts, Keychain};
use rolecall_azure::{Azure, Options};
use rolecall_core::CloudProfile;
use rolecall_emulator::{AZURE_CLI_CLIENT_ID, Emulator, demo_id};

pub const OLIVIA: &str = "olivia.owner@contosodemo.onmicrosoft.com";
pub const UMA: &str = "uma.access@contosodemo.onmicrosoft.com";
pub const CARLOS: &str = "carlos.cloudapps@contosodemo.onmicrosoft.com";
pub const RITA: &str = "rita.reader@contosodemo.onmicrosoft.com";

pub fn voice() -> String {
    format!("/subscriptions/{}", demo_id("sub:voice-prod"))
}
pub fn messaging() -> String {
    format!("/subscriptions/{}", demo_id("sub:messaging"))
}
pub fn legacy() -> String {
    format!("/subscriptions/{}", demo_id("sub:legacy"))
}
pub fn user(key: &str) -> String {
    demo_id(&format!("user:{key}"))
}
pub fn role_id(scope: &str, guid: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
}

pub struct World {
    pub emulator: Emulator,
    pub cloud: CloudProfile,
    pub keychain: Keychain,
    pub accounts: Arc<Accounts>,
}

impl World {
    pub async fn new(options: rolecall_emulator::Options) -> Self {
        let emulator = Emulator::start(options).await.unwrap();
        let cloud = CloudProfile::from_json(&emulator.profile_json()).unwrap();
        let keychain = Keychain::open(&format!("rolecall-test-{}", uuid::Uuid::new_v4()))
            .unwrap_or_else(|e| {
                panic!("{e}\n(these tests need the OS keychain; on Linux run them with `cargo xtask test`)")
            });
        let accounts = Arc::new(Accounts::new(
            keychain.clone(),
            rolecall_core::http::client_for(&cloud).unwrap(),
            cloud.clone(),
            AZURE_CLI_CLIENT_ID,
        ));
        Self {
            emulator,
            cloud,
            keychain,
            accounts,
        }
    }

    pub async fn demo() -> Self {
        Self::new(rolecall_emulator::Options::default()).await
    }

    /// Gives `principal_id` the built-in role `role_guid` at `scope` in the
    /// emulator's state, as another admin would have (a precondition, not
    /// what the test is about).
    pub fn hold(&self, principal_id: &str, role_guid: &str, scope: &str) {
        self.emulator.with_state(|s| {
            s.arm
                .role_assignments
                .push(rolecall_emulator::arm::model::RoleAssignment {
                    name: uuid::Uuid::new_v4().to_string(),
                    scope: scope.into(),
                    role_definition_name: role_guid.into(),
                    principal_id: principal_id.into(),
                    principal_type: "User".into(),
                    description: None,
                    condition: None,
                    condition_version: None,
                    created_on: "2026-01-01T00:00:00.0000000Z".into(),
                    updated_on: "2026-01-01T00:00:00.0000000Z".into(),
                    created_by: String::new(),
                    updated_by: String::new(),
                });
        });
    }

    /// Every PIM schedule as if made long ago: past PIM's rule that nothing
    /// is removed within 5 minutes of being made (no test waits for it).
    pub fn age_pim_schedules(&self) {
        self.emulator.with_state(|s| {
            for schedule in &mut s.arm.pim.schedules {
                schedule.created_on = "2020-01-01T00:00:00.0000000Z".into();
            }
        });
    }

    /// Signs `user` in (browser flow, auto sign-in) and returns their clients.
    pub async fn azure_as(&self, user: &str, options: &Options) -> Azure {
        self.emulator.set_auto_sign_in(Some(user));
        let browser = rolecall_auth::interactive::following_redirects(&self.cloud).unwrap();
        let info = self
            .accounts
            .sign_in_interactive("organizations", browser, Duration::from_secs(20))
            .await
            .unwrap();
        self.emulator.set_auto_sign_in(None);
        let credential = Arc::new(AccountCredential::new(self.accounts.clone(), info.id));
        Azure::new(
            &self.cloud,
            rolecall_core::http::client_for(&self.cloud).unwrap(),
            credential,
            options,
        )
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.accounts.sign_out_everywhere();
    }
}

/// Quick retries, so failure-mode tests do not wait long.
pub fn quick() -> Options {
    Options {
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(2),
        max_retries: 8,
        ..Options::default()
    }
}

/// No retries: the first failure surfaces.
pub fn no_retries() -> Options {
    Options {
        max_retries: 0,
        ..Options::default()
    }
}
