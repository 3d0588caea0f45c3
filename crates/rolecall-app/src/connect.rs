//! Connecting to a cloud, the same for the app and the CLI: the keychain's
//! accounts of that cloud (and client id), and the ARM and Graph clients of
//! a signed-in credential.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use rolecall_auth::{Accounts, Keychain, KeychainError};
use rolecall_core::CloudProfile;

/// Which keychain entries a cloud's accounts live under.
#[derive(Debug, Clone, Copy)]
pub enum Keys<'a> {
    /// The cloud's own (`rolecall_auth::keychain::service_for`): built-in
    /// clouds by name, custom ones by authority origin and client id.
    OfCloud,
    /// The demo tenant's, apart from every other cloud (its emulator's port
    /// changes at every start, so its origin cannot name them).
    Demo,
    /// A service named on the command line (tests, automation).
    Service(&'a str),
}

/// The keychain service name `keys` means for `cloud` and `client_id`.
pub fn service(cloud: &CloudProfile, client_id: &str, keys: Keys<'_>) -> String {
    match keys {
        Keys::OfCloud => rolecall_auth::keychain::service_for(cloud, client_id),
        Keys::Demo => "Rolecall (demo tenant)".to_owned(),
        Keys::Service(name) => name.to_owned(),
    }
}

/// The accounts signed in to `cloud` on this computer, signing in with
/// `http` (the cloud's client, `rolecall_core::http::client_for`, which the
/// caller shares with its ARM and Graph clients). A keychain that cannot be
/// reached is not an error here: the accounts answer "unavailable" when
/// used, and the reason comes back for the caller to say.
pub fn accounts(
    cloud: &CloudProfile,
    http: reqwest::Client,
    client_id: &str,
    keys: Keys<'_>,
) -> (Arc<Accounts>, Option<KeychainError>) {
    let (keychain, unreachable) = Keychain::open_or_unavailable(&service(cloud, client_id, keys));
    let accounts = Arc::new(Accounts::new(keychain, http, cloud.clone(), client_id));
    (accounts, unreachable)
}

/// The ARM and Graph clients acting with `credential` in `cloud`.
pub fn azure(
    cloud: &CloudProfile,
    http: reqwest::Client,
    credential: Arc<dyn TokenCredential>,
) -> rolecall_azure::Azure {
    rolecall_azure::Azure::new(cloud, http, credential, &rolecall_azure::Options::default())
}
