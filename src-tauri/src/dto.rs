//! What crosses IPC. Every type here is exported to `ui/src/bindings.ts` by
//! specta; nothing secret (no token, no refresh token, no key) may ever be a
//! field of one of them.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Where the app's cloud came from.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum CloudMode {
    /// The built-in emulator seeded with the demo tenant (no real Azure).
    Demo,
    /// A custom cloud profile (for example an emulator started by the tests).
    Custom,
    /// One of Microsoft's clouds.
    Azure,
}

/// The cloud and tenant the app talks to.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CloudSummary {
    pub name: String,
    pub mode: CloudMode,
    pub tenant: String,
    pub authority_host: String,
    pub resource_manager_endpoint: String,
    pub graph_endpoint: String,
}

/// What the frame shows in its header.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub cloud: CloudSummary,
}

/// The result of reaching the cloud's sign-in authority.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub issuer: String,
    pub tenant: String,
    pub elapsed_ms: u32,
}

/// Every command's error: a stable code and a message that says what to do.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl From<rolecall_auth::AuthError> for CommandError {
    fn from(error: rolecall_auth::AuthError) -> Self {
        Self {
            code: error.code().to_owned(),
            message: error.to_string(),
        }
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        if let Some(core) = error.downcast_ref::<rolecall_core::Error>() {
            return Self {
                code: core.code().to_owned(),
                message: core.to_string(),
            };
        }
        if let Some(auth) = error.downcast_ref::<rolecall_auth::AuthError>() {
            return Self {
                code: auth.code().to_owned(),
                message: auth.to_string(),
            };
        }
        Self {
            code: "Error".into(),
            message: format!("{error:#}"),
        }
    }
}

/// Where an account's tokens come from.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum AccountSource {
    /// Signed in with Rolecall (refresh token in the OS keychain).
    Rolecall,
    /// The Azure CLI's own sign-in.
    AzureCli,
}

/// An account on this computer: names and ids only, never a token.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub home_tenant_id: String,
    pub source: AccountSource,
    /// Its session is gone (revoked, expired): it must sign in again.
    pub needs_sign_in: bool,
}

/// How the active account is doing in the active tenant.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum SessionHealth {
    /// Tokens come silently.
    Ready,
    /// The session expired or was revoked: sign in again.
    SignInAgain,
    /// The tenant demands an interactive sign-in (MFA, Conditional Access).
    InteractionRequired,
    /// The cloud could not be reached; the session itself may be fine.
    Unreachable,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActiveView {
    pub account_id: String,
    pub tenant_id: String,
    pub health: SessionHealth,
    /// What to do, when not ready.
    pub message: Option<String>,
}

/// The accounts and the one in use.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub accounts: Vec<AccountView>,
    pub active: Option<ActiveView>,
}

/// A tenant the active account can reach.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub home: bool,
    pub active: bool,
}

/// What the admin is shown for a device-code sign-in (no secret: the user
/// code is meant to be typed by a person and is useless without the device
/// code, which stays in the backend).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeView {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in_secs: u32,
}

/// Which cloud to sign in to.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CloudChoiceView {
    Demo,
    Azure,
    UsGovernment,
    China,
    #[serde(rename_all = "camelCase")]
    Custom {
        profile_path: String,
    },
}

impl From<&rolecall_core::CloudChoice> for CloudChoiceView {
    fn from(choice: &rolecall_core::CloudChoice) -> Self {
        use rolecall_core::CloudChoice as C;
        match choice {
            C::Demo => Self::Demo,
            C::Azure => Self::Azure,
            C::UsGovernment => Self::UsGovernment,
            C::China => Self::China,
            C::Custom { profile_path } => Self::Custom {
                profile_path: profile_path.display().to_string(),
            },
        }
    }
}

impl From<CloudChoiceView> for rolecall_core::CloudChoice {
    fn from(choice: CloudChoiceView) -> Self {
        match choice {
            CloudChoiceView::Demo => Self::Demo,
            CloudChoiceView::Azure => Self::Azure,
            CloudChoiceView::UsGovernment => Self::UsGovernment,
            CloudChoiceView::China => Self::China,
            CloudChoiceView::Custom { profile_path } => Self::Custom {
                profile_path: profile_path.into(),
            },
        }
    }
}

/// The settings the admin can change before signing in.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub cloud: CloudChoiceView,
    /// `organizations`, a tenant id or a domain; empty: the cloud's default.
    pub tenant: Option<String>,
    /// Empty: the default client id.
    pub client_id: Option<String>,
}

/// The settings, with what the app decided for the admin.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInfo {
    pub settings: SettingsView,
    pub default_client_id: String,
    /// The cloud was chosen on the command line; the setting applies next time.
    pub cloud_locked: bool,
}

impl From<rolecall_core::Error> for CommandError {
    fn from(error: rolecall_core::Error) -> Self {
        Self {
            code: error.code().to_owned(),
            message: error.to_string(),
        }
    }
}
