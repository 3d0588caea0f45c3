//! The token endpoint: redeeming a code or a refresh token, and reading
//! Entra's answer (tokens, `client_info`, the ID token's account claims).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::{AuthError, Result};

/// A token answer. Its `Debug` never shows a token.
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub client_info: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Who signed in, from `client_info` and the ID token (read, not verified:
/// they come straight from the authority over TLS and only label the account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountClaims {
    pub object_id: String,
    pub tenant_id: String,
    pub username: String,
    pub display_name: String,
}

/// One base64url JSON part (a JWT's payload, Entra's `client_info`), read unverified.
pub(crate) fn decode_json(part: &str) -> Option<serde_json::Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl TokenResponse {
    pub fn account(&self) -> Result<AccountClaims> {
        let info = self
            .client_info
            .as_deref()
            .and_then(decode_json)
            .ok_or_else(|| AuthError::Protocol("the token answer has no client_info".into()))?;
        let id = self
            .id_token
            .as_deref()
            .and_then(|t| t.split('.').nth(1))
            .and_then(decode_json)
            .unwrap_or_default();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        Ok(AccountClaims {
            object_id: text(&info["uid"]),
            tenant_id: text(&info["utid"]),
            username: text(&id["preferred_username"]),
            display_name: text(&id["name"]),
        })
    }
}

#[derive(Deserialize)]
struct EntraError {
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u32>,
    #[serde(default)]
    suberror: Option<String>,
    #[serde(default)]
    claims: Option<String>,
}

/// POSTs `form` to `{authority}/{tenant}/oauth2/v2.0/token`.
pub async fn redeem(
    http: &reqwest::Client,
    cloud: &rolecall_core::CloudProfile,
    tenant: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse> {
    let body = post_to_authority(http, cloud, &format!("{tenant}/oauth2/v2.0/token"), form).await?;
    serde_json::from_slice(&body)
        .map_err(|e| AuthError::Protocol(format!("unreadable token answer: {e}")))
}

/// POSTs `form` to `path` on the authority; a success's body, or Entra's
/// error mapped to what the admin can do.
pub(crate) async fn post_to_authority(
    http: &reqwest::Client,
    cloud: &rolecall_core::CloudProfile,
    path: &str,
    form: &[(&str, &str)],
) -> Result<Vec<u8>> {
    let url = cloud
        .authority_host
        .join(path)
        .map_err(|e| AuthError::Protocol(format!("authority URL: {e}")))?;
    let endpoint = url.origin().ascii_serialization();
    let unreachable = |e: reqwest::Error| AuthError::Unreachable {
        endpoint: endpoint.clone(),
        detail: e.without_url().to_string(),
    };
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if status.is_success() {
        Ok(body.to_vec())
    } else {
        Err(entra_error(status, &body))
    }
}

/// Maps an error answer of Entra's token or device-code endpoint to what the
/// admin can do about it.
fn entra_error(status: reqwest::StatusCode, body: &[u8]) -> AuthError {
    let Ok(error) = serde_json::from_slice::<EntraError>(body) else {
        return AuthError::Protocol(format!("the authority answered HTTP {status}"));
    };
    // Keep Entra's first line ("AADSTS50173: …"), not its trace ids.
    let description = error
        .error_description
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    match error.error.as_str() {
        "interaction_required" => AuthError::InteractionRequired {
            description,
            claims: error.claims,
        },
        "invalid_grant"
            if error.suberror.as_deref() == Some("consent_required")
                || error.error_codes.contains(&65001) =>
        {
            AuthError::InteractionRequired {
                description,
                claims: None,
            }
        }
        "invalid_grant" => AuthError::SignInAgain { description },
        _ => AuthError::Refused {
            error: error.error,
            description,
        },
    }
}
