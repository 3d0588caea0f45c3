//! IPC commands: translate between the webview and `rolecall-core`, nothing more.

use tauri::State;

use crate::dto::{AppInfo, CommandError, ConnectionCheck};
use crate::state::AppState;

/// Version, cloud and tenant for the frame's header.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        cloud: state.cloud_summary(),
    }
}

/// Reaches the cloud's sign-in authority (OpenID discovery) and reports how it went.
#[tauri::command]
#[specta::specta]
pub async fn check_connection(state: State<'_, AppState>) -> Result<ConnectionCheck, CommandError> {
    let tenant = state.cloud.tenant_or_default().to_owned();
    let found = rolecall_core::discovery::discover(&state.http, &state.cloud, &tenant).await?;
    Ok(ConnectionCheck {
        issuer: found.configuration.issuer,
        tenant,
        elapsed_ms: u32::try_from(found.elapsed.as_millis()).unwrap_or(u32::MAX),
    })
}
