//! What crosses IPC. Every type here is exported to `ui/src/bindings.ts` by
//! specta; nothing secret (no token, no refresh token, no key) may ever be a
//! field of one of them.

use serde::Serialize;
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

impl From<rolecall_core::Error> for CommandError {
    fn from(error: rolecall_core::Error) -> Self {
        Self {
            code: error.code().to_owned(),
            message: error.to_string(),
        }
    }
}
