//! Device-code sign-in (RFC 8628) for machines without a browser: Rolecall
//! shows a short code and an address, the admin finishes on any other device,
//! and Rolecall polls the token endpoint until they have.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::token::{TokenResponse, redeem};
use crate::{AuthError, Result};

/// What the admin is shown. The user code is meant to be read by a person and
/// is worthless without the device code, which never leaves this crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// Entra's own sentence ("To sign in, use a web browser to open …").
    pub message: String,
    pub expires_in_secs: u64,
}

/// A started device-code sign-in, to be finished with [`poll`].
pub struct DeviceCodeSession {
    device_code: String,
    interval: Duration,
    expires_in: Duration,
    pub(crate) tenant: String,
    pub(crate) scope: String,
}

impl std::fmt::Debug for DeviceCodeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeSession")
            .field("interval", &self.interval)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct DeviceCodeAnswer {
    user_code: String,
    device_code: String,
    verification_uri: String,
    expires_in: u64,
    #[serde(default = "default_interval")]
    interval: u64,
    #[serde(default)]
    message: String,
}

fn default_interval() -> u64 {
    5
}

/// Asks the authority for a device code (`/oauth2/v2.0/devicecode`).
pub async fn start(
    http: &reqwest::Client,
    cloud: &rolecall_core::CloudProfile,
    client_id: &str,
    tenant: &str,
    scopes: &[&str],
) -> Result<(DeviceCodePrompt, DeviceCodeSession)> {
    crate::check_tenant(tenant)?;
    let scope = scopes.join(" ");
    let body = crate::token::post_to_authority(
        http,
        cloud,
        &format!("{tenant}/oauth2/v2.0/devicecode"),
        &[("client_id", client_id), ("scope", scope.as_str())],
    )
    .await?;
    let answer: DeviceCodeAnswer = serde_json::from_slice(&body)
        .map_err(|e| AuthError::Protocol(format!("unreadable device-code answer: {e}")))?;
    let prompt = DeviceCodePrompt {
        user_code: answer.user_code,
        verification_uri: answer.verification_uri,
        message: answer.message,
        expires_in_secs: answer.expires_in,
    };
    let session = DeviceCodeSession {
        device_code: answer.device_code,
        interval: Duration::from_secs(answer.interval.clamp(1, 60)),
        expires_in: Duration::from_secs(answer.expires_in),
        tenant: tenant.to_owned(),
        scope,
    };
    Ok((prompt, session))
}

/// Polls until the admin has finished, the code expires, or `timeout` passes
/// (whichever is first). `authorization_pending` waits one interval;
/// `slow_down` adds five seconds to it, as RFC 8628 asks.
pub async fn poll(
    http: &reqwest::Client,
    cloud: &rolecall_core::CloudProfile,
    client_id: &str,
    session: &DeviceCodeSession,
    timeout: Duration,
) -> Result<TokenResponse> {
    let limit = timeout.min(session.expires_in);
    let deadline = tokio::time::Instant::now() + limit;
    let mut interval = session.interval;
    loop {
        tokio::time::sleep(interval).await;
        let answer = redeem(
            http,
            cloud,
            &session.tenant,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", client_id),
                ("device_code", session.device_code.as_str()),
                ("client_info", "1"),
            ],
        )
        .await;
        match answer {
            Ok(response) => return Ok(response),
            Err(AuthError::Refused { error, .. }) if error == "authorization_pending" => {}
            Err(AuthError::Refused { error, .. }) if error == "slow_down" => {
                interval += Duration::from_secs(5);
            }
            Err(AuthError::Refused { error, .. }) if error == "expired_token" => {
                return Err(AuthError::TimedOut(session.expires_in));
            }
            Err(other) => return Err(other),
        }
        if tokio::time::Instant::now() + interval > deadline {
            return Err(AuthError::TimedOut(limit));
        }
    }
}
