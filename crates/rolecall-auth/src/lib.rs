//! Signing admins in to Microsoft Entra ID and keeping them signed in.
//!
//! - [`interactive`]: authorization code + PKCE in the system browser, with a
//!   loopback redirect.
//! - [`keychain`]: the OS keychain (Credential Manager, Keychain, Secret
//!   Service), large values chunked.
//! - [`accounts`]: accounts and their refresh tokens in the keychain, access
//!   tokens in memory only, refreshed ahead of expiry with one refresh in
//!   flight per account.
//! - [`device`]: device-code sign-in for machines without a browser.
//! - [`azure_cli`]: "use my Azure CLI sign-in" (`AzureCliCredential`).
//! - [`session`]: the account and tenant in use; hands out credentials.
//! - [`credential`]: an `azure_core` `TokenCredential` over an account.
//!
//! No token ever leaves this crate except as the `AccessToken` handed to the
//! Azure SDK pipeline; every type that holds one hides it from `Debug`.

pub mod accounts;
pub mod azure_cli;
pub mod credential;
pub mod device;
pub mod interactive;
pub mod keychain;
pub mod session;
pub mod token;

use std::time::Duration;

pub use accounts::{AccountId, AccountInfo, Accounts, TenantInfo, claims_from_challenge};
pub use credential::AccountCredential;
pub use keychain::{Keychain, KeychainError};
pub use session::{AccountSource, AccountStatus, ActiveStatus, Session};

pub type Result<T, E = AuthError> = std::result::Result<T, E>;

/// What can go wrong signing in, each with what the admin can do.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("sign-in was not completed within {} seconds. Start it again and finish it in the browser.", .0.as_secs())]
    TimedOut(Duration),
    #[error(
        "the sign-in answer did not match the request (state mismatch), so it was ignored. Start the sign-in again."
    )]
    StateMismatch,
    #[error(
        "the browser could not be opened: {0}. Open the sign-in address by hand, or use device-code sign-in."
    )]
    Browser(String),
    #[error("Rolecall could not listen for the sign-in answer on this computer: {0}")]
    Loopback(String),
    #[error("could not reach {endpoint}: {detail}. Check the network connection, then try again.")]
    Unreachable { endpoint: String, detail: String },
    #[error("sign-in was refused ({error}): {description}")]
    Refused { error: String, description: String },
    #[error("your sign-in has expired or was revoked ({description}). Sign in again.")]
    SignInAgain { description: String },
    #[error(
        "the tenant requires you to sign in again interactively (for example for multi-factor authentication or consent): {description}"
    )]
    InteractionRequired {
        description: String,
        claims: Option<String>,
    },
    #[error(
        "the Azure CLI gave no token: {detail}. Sign in with `az login` (in the same cloud and tenant), or sign in with Rolecall instead."
    )]
    AzureCli { detail: String },
    #[error("no account is signed in. Sign in first.")]
    NotSignedIn,
    #[error("no account {0} is signed in on this computer. Sign in first.")]
    UnknownAccount(String),
    #[error("the authority's answer was not understood: {0}")]
    Protocol(String),
    #[error(
        "'{0}' is not a tenant. Give a tenant id (a GUID), a domain such as contoso.onmicrosoft.com, or leave it empty to pick the tenant when you sign in."
    )]
    InvalidTenant(String),
    #[error(transparent)]
    Keychain(#[from] KeychainError),
}

impl AuthError {
    /// A stable code for the UI and `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::TimedOut(_) => "SignInTimedOut",
            AuthError::StateMismatch => "SignInStateMismatch",
            AuthError::Browser(_) => "BrowserUnavailable",
            AuthError::Loopback(_) => "LoopbackUnavailable",
            AuthError::Unreachable { .. } => "Unreachable",
            AuthError::Refused { .. } => "SignInRefused",
            AuthError::SignInAgain { .. } => "SignInAgain",
            AuthError::InteractionRequired { .. } => "InteractionRequired",
            AuthError::AzureCli { .. } => "AzureCli",
            AuthError::UnknownAccount(_) => "UnknownAccount",
            AuthError::NotSignedIn => "NotSignedIn",
            AuthError::Protocol(_) => "Protocol",
            AuthError::InvalidTenant(_) => "InvalidTenant",
            AuthError::Keychain(_) => "Keychain",
        }
    }
}

/// Refuses a tenant that is not an id, a domain, `organizations` or
/// `common` before it becomes part of an authority URL.
pub(crate) fn check_tenant(tenant: &str) -> Result<()> {
    if rolecall_core::is_tenant(tenant) {
        Ok(())
    } else {
        Err(AuthError::InvalidTenant(tenant.to_owned()))
    }
}

/// `path` joined to `base`, refused unless it stays on `base`'s origin: a
/// refresh token or a sign-in is only ever sent to the cloud's own authority.
pub(crate) fn join_on_origin(base: &url::Url, path: &str) -> Result<url::Url> {
    let url = base
        .join(path)
        .map_err(|e| AuthError::Protocol(format!("authority URL: {e}")))?;
    if url.origin() != base.origin() {
        return Err(AuthError::Protocol(format!(
            "'{path}' would leave the authority {}; Rolecall does not send a sign-in elsewhere",
            base.origin().ascii_serialization()
        )));
    }
    Ok(url)
}
