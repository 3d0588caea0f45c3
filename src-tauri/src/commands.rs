//! IPC commands: translate between the webview and the crates, nothing more.
//! No command returns a token; the session's credentials stay in Rust.

use tauri::State;

use crate::dto::{
    AccountSource, AccountView, ActiveView, AppInfo, CommandError, ConnectionCheck, DeviceCodeView,
    SessionHealth, SessionView, SettingsInfo, SettingsView, StartupView, TenantView,
};
use crate::state::{AppState, SIGN_IN_TIMEOUT, opener};
use rolecall_auth::AuthError;

/// How the start went: the error screen's text, or the notices to show once.
/// Answers whether or not the app's state could be opened.
#[tauri::command]
#[specta::specta]
pub async fn startup_report(app: tauri::AppHandle) -> StartupView {
    // The handle only (no borrowed state): an async command with borrowed
    // arguments must answer a Result, and this one cannot fail.
    use tauri::Manager;
    crate::startup::mark("the page asks how the start went");
    let starting = app.state::<crate::startup::Starting>();
    let report = starting.report(&app).await;
    crate::startup::mark("the start's report answered");
    report
}

/// Closes Rolecall (the error screen's Quit): status 1 after a failed start.
#[tauri::command]
#[specta::specta]
pub fn quit(app: tauri::AppHandle, report: State<'_, crate::startup::StartupReport>) {
    app.exit(i32::from(report.problem.is_some()));
}

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
    let connection = state.connection();
    let tenant = state.cloud_summary().tenant;
    let found =
        rolecall_core::discovery::discover(&connection.http, &connection.cloud, &tenant).await?;
    Ok(ConnectionCheck {
        issuer: found.configuration.issuer,
        tenant,
        elapsed_ms: u32::try_from(found.elapsed.as_millis()).unwrap_or(u32::MAX),
    })
}

/// The accounts on this computer and the one in use, checked: the active
/// account gets a token silently (from memory, or one refresh) or says why not.
#[tauri::command]
#[specta::specta]
pub async fn get_session(
    app: tauri::AppHandle,
    starting: State<'_, crate::startup::Starting>,
) -> Result<SessionView, CommandError> {
    // Asked alongside `startup_report`, before the start may have ended: it
    // waits for the start rather than meet state that is not there yet.
    use tauri::Manager;
    starting.ended().await;
    let Some(state) = app.try_state::<AppState>() else {
        return Err(rolecall_app::AppError::new(
            rolecall_app::ErrorKind::Refused,
            "NotStarted",
            "Rolecall did not start, so there is no sign-in to show.",
        )
        .into());
    };
    let view = session_view(&state).await;
    crate::startup::mark("the session answered");
    view
}

async fn session_view(state: &AppState) -> Result<SessionView, CommandError> {
    let connection = state.connection();
    let session = &connection.session;
    let active = match session.active()? {
        None => None,
        Some(active) => {
            let (health, message) = match session.verify().await {
                Ok(()) => (SessionHealth::Ready, None),
                Err(error) => {
                    let health = match &error {
                        AuthError::InteractionRequired { .. } => SessionHealth::InteractionRequired,
                        AuthError::Unreachable { .. } => SessionHealth::Unreachable,
                        _ => SessionHealth::SignInAgain,
                    };
                    (health, Some(error.to_string()))
                }
            };
            Some(ActiveView {
                account_id: active.account.id.0,
                tenant_id: active.tenant_id,
                health,
                message,
            })
        }
    };
    let accounts = session
        .list()?
        .into_iter()
        .map(|a| AccountView {
            id: a.info.id.0,
            username: a.info.username,
            display_name: a.info.display_name,
            home_tenant_id: a.info.tenant_id,
            source: match a.source {
                rolecall_auth::AccountSource::Rolecall => AccountSource::Rolecall,
                rolecall_auth::AccountSource::AzureCli => AccountSource::AzureCli,
            },
            needs_sign_in: !a.has_session,
        })
        .collect();
    Ok(SessionView { accounts, active })
}

/// Runs a sign-in step until it ends or the admin cancels it.
async fn cancellable<T>(
    state: &AppState,
    step: impl std::future::Future<Output = rolecall_auth::Result<T>>,
) -> Result<T, CommandError> {
    let cancelled = state.sign_in_cancellation();
    tokio::select! {
        done = step => Ok(done?),
        _ = cancelled => Err(CommandError::new("SignInCancelled", "Sign-in was cancelled. Start it again when you are ready.")),
    }
}

/// The tenant the admin typed, or the settings' (the cloud's default).
fn tenant_or_default(state: &AppState, tenant: Option<String>) -> String {
    tenant
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| state.cloud_summary().tenant)
}

/// Signs in with the system browser (auth code + PKCE, loopback redirect) in
/// `tenant` (the settings' tenant or the cloud's default when `None`). Waits
/// until the browser comes back, the admin cancels, or five minutes pass.
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    tenant: Option<String>,
) -> Result<SessionView, CommandError> {
    let tenant = tenant_or_default(&state, tenant);
    let connection = state.connection();
    cancellable(
        &state,
        connection
            .session
            .sign_in(&tenant, opener(), SIGN_IN_TIMEOUT),
    )
    .await?;
    state.remember_active()?;
    session_view(&state).await
}

/// Gives up the sign-in waiting for the browser (or for a device code).
#[tauri::command]
#[specta::specta]
pub fn cancel_sign_in(state: State<'_, AppState>) -> bool {
    state.cancel_sign_in()
}

/// Starts a device-code sign-in; show the code, then call `finish_device_code`.
#[tauri::command]
#[specta::specta]
pub async fn start_device_code(
    state: State<'_, AppState>,
    tenant: Option<String>,
) -> Result<DeviceCodeView, CommandError> {
    let tenant = tenant_or_default(&state, tenant);
    let prompt = state
        .connection()
        .session
        .start_device_code(&tenant)
        .await?;
    Ok(DeviceCodeView {
        user_code: prompt.user_code,
        verification_uri: prompt.verification_uri,
        message: prompt.message,
        expires_in_secs: u32::try_from(prompt.expires_in_secs).unwrap_or(u32::MAX),
    })
}

/// Waits for the device-code sign-in to be finished on the other device.
#[tauri::command]
#[specta::specta]
pub async fn finish_device_code(state: State<'_, AppState>) -> Result<SessionView, CommandError> {
    let connection = state.connection();
    cancellable(
        &state,
        connection.session.finish_device_code(SIGN_IN_TIMEOUT),
    )
    .await?;
    state.remember_active()?;
    session_view(&state).await
}

/// Uses the Azure CLI's sign-in (`az login`) from now on.
#[tauri::command]
#[specta::specta]
pub async fn use_azure_cli(
    state: State<'_, AppState>,
    tenant: Option<String>,
) -> Result<SessionView, CommandError> {
    let tenant = tenant.filter(|t| !t.trim().is_empty());
    state
        .connection()
        .session
        .use_azure_cli(tenant.as_deref())
        .await?;
    state.remember_active()?;
    session_view(&state).await
}

/// Makes another account on this computer the active one.
#[tauri::command]
#[specta::specta]
pub async fn switch_account(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SessionView, CommandError> {
    state.connection().session.switch_account(&account_id)?;
    state.remember_active()?;
    session_view(&state).await
}

/// The tenants the active account can reach (ARM `/tenants`).
#[tauri::command]
#[specta::specta]
pub async fn list_tenants(state: State<'_, AppState>) -> Result<Vec<TenantView>, CommandError> {
    let connection = state.connection();
    let session = &connection.session;
    let active = session.active()?.ok_or(AuthError::NotSignedIn)?;
    Ok(session
        .tenants()
        .await?
        .into_iter()
        .map(|t| TenantView {
            home: t.tenant_id.eq_ignore_ascii_case(&active.account.tenant_id),
            active: t.tenant_id.eq_ignore_ascii_case(&active.tenant_id)
                || t.default_domain.eq_ignore_ascii_case(&active.tenant_id),
            tenant_id: t.tenant_id,
            display_name: t.display_name,
            default_domain: t.default_domain,
        })
        .collect())
}

/// Switches to another tenant of the active account once a token for it
/// comes silently; an `InteractionRequired` error means "sign in again there".
#[tauri::command]
#[specta::specta]
pub async fn switch_tenant(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Result<SessionView, CommandError> {
    state.connection().session.switch_tenant(&tenant_id).await?;
    state.remember_active()?;
    session_view(&state).await
}

/// Signs the active account in again in `tenant_id` (MFA, Conditional Access).
#[tauri::command]
#[specta::specta]
pub async fn reauthenticate(
    state: State<'_, AppState>,
    tenant_id: String,
) -> Result<SessionView, CommandError> {
    let connection = state.connection();
    cancellable(
        &state,
        connection
            .session
            .reauthenticate(&tenant_id, None, opener(), SIGN_IN_TIMEOUT),
    )
    .await?;
    state.remember_active()?;
    session_view(&state).await
}

/// Signs one account out: exactly its keychain entries and tokens go.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SessionView, CommandError> {
    state.connection().session.sign_out(&account_id)?;
    state.remember_active()?;
    session_view(&state).await
}

/// Signs every account on this computer out.
#[tauri::command]
#[specta::specta]
pub async fn sign_out_everywhere(state: State<'_, AppState>) -> Result<SessionView, CommandError> {
    state.connection().session.sign_out_everywhere()?;
    state.remember_active()?;
    session_view(&state).await
}

/// The cloud, tenant and client id used to sign in.
#[tauri::command]
#[specta::specta]
pub fn get_settings(state: State<'_, AppState>) -> SettingsInfo {
    settings_info(&state)
}

fn settings_info(state: &AppState) -> SettingsInfo {
    let settings = state.settings();
    SettingsInfo {
        settings: SettingsView {
            cloud: (&state.effective_cloud()).into(),
            tenant: settings.tenant.clone(),
            client_id: settings.client_id.clone(),
        },
        default_client_id: rolecall_core::settings::DEFAULT_CLIENT_ID.to_owned(),
        cloud_locked: state.cloud_locked(),
    }
}

/// Validates and saves the settings; another cloud or client id reconnects.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    state: State<'_, AppState>,
    settings: SettingsView,
) -> Result<SettingsInfo, CommandError> {
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let mut next = state.settings();
    let cloud: rolecall_core::CloudChoice = settings.cloud.into();
    // A cloud forced on the command line is shown, not saved: only a cloud
    // the admin picked becomes the setting for the next start.
    if !(state.cloud_locked() && cloud == state.effective_cloud()) {
        next.cloud = cloud;
    }
    next.tenant = blank(settings.tenant);
    next.client_id = blank(settings.client_id);
    state.apply_settings(next).await?;
    Ok(settings_info(&state))
}
