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

/// The longest an access token is taken to live, whatever the authority
/// says: Entra's own maximum is 28 hours; a larger `expires_in` (from a
/// broken or hostile authority) must not overflow the clock.
pub const MAX_TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(28 * 3600);

impl TokenResponse {
    /// When the access token expires, `expires_in` clamped to [`MAX_TOKEN_LIFETIME`].
    pub fn expires_at(&self) -> time::OffsetDateTime {
        let lifetime = std::time::Duration::from_secs(self.expires_in).min(MAX_TOKEN_LIFETIME);
        time::OffsetDateTime::now_utc() + lifetime
    }

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

/// Entra's codes for a refresh token that no sign-in can revive: revoked
/// (AADSTS50173, a password change or an admin's revocation), expired after
/// 90 idle days (AADSTS700082), expired (AADSTS70008).
const DEAD_GRANT_CODES: &[u32] = &[50173, 700082, 70008];

/// POSTs `form` to `{authority}/{tenant}/oauth2/v2.0/token`.
pub async fn redeem(
    http: &reqwest::Client,
    cloud: &rolecall_core::CloudProfile,
    tenant: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse> {
    crate::check_tenant(tenant)?;
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
    let url = crate::join_on_origin(&cloud.authority_host, path)?;
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
        // Only a grant that is dead (revoked, expired, a bad token) is
        // "sign in again" and costs the refresh token. Entra also answers MFA
        // and Conditional Access with invalid_grant (AADSTS50076, suberror
        // basic_action or a claims challenge): those keep the token and ask
        // for an interactive sign-in in that tenant only.
        "invalid_grant"
            if error.suberror.as_deref() == Some("bad_token")
                || error
                    .error_codes
                    .iter()
                    .any(|code| DEAD_GRANT_CODES.contains(code)) =>
        {
            AuthError::SignInAgain { description }
        }
        "invalid_grant" => AuthError::InteractionRequired {
            description,
            claims: error.claims,
        },
        _ => AuthError::Refused {
            error: error.error,
            description,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(body: serde_json::Value) -> AuthError {
        entra_error(
            reqwest::StatusCode::BAD_REQUEST,
            body.to_string().as_bytes(),
        )
    }

    #[test]
    fn only_a_dead_grant_costs_the_refresh_token() {
        for body in [
            serde_json::json!({"error": "invalid_grant", "error_description": "AADSTS50173: The provided grant has expired due to it being revoked.", "error_codes": [50173]}),
            serde_json::json!({"error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has expired due to inactivity.", "error_codes": [700082]}),
            serde_json::json!({"error": "invalid_grant", "error_description": "AADSTS9002313: Invalid request.", "error_codes": [9002313], "suberror": "bad_token"}),
        ] {
            assert!(
                matches!(classify(body.clone()), AuthError::SignInAgain { .. }),
                "{body}"
            );
        }
        let mfa = classify(serde_json::json!({
            "error": "invalid_grant",
            "error_description": "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.\r\nTrace ID: x",
            "error_codes": [50076],
            "suberror": "basic_action",
            "claims": "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"p1\"]}}}"
        }));
        let AuthError::InteractionRequired {
            description,
            claims,
        } = mfa
        else {
            panic!("MFA must not sign the admin out: {mfa:?}");
        };
        assert!(description.starts_with("AADSTS50076"), "{description}");
        assert!(!description.contains("Trace ID"), "{description}");
        assert!(claims.unwrap().contains("capolids"));
        // A Conditional Access refusal with no code Rolecall knows: kept too.
        assert!(matches!(
            classify(serde_json::json!({"error": "invalid_grant", "error_codes": [53003]})),
            AuthError::InteractionRequired { .. }
        ));
        assert!(matches!(
            classify(serde_json::json!({"error": "invalid_grant", "suberror": "consent_required"})),
            AuthError::InteractionRequired { .. }
        ));
    }

    #[test]
    fn a_huge_expires_in_is_clamped_not_a_panic() {
        let answer: TokenResponse = serde_json::from_value(serde_json::json!({
            "access_token": "a", "expires_in": u64::MAX
        }))
        .unwrap();
        let at = answer.expires_at();
        assert!(at <= time::OffsetDateTime::now_utc() + MAX_TOKEN_LIFETIME);
        assert!(at > time::OffsetDateTime::now_utc());
    }

    proptest::proptest! {
        /// Any body from an authority is classified, never a panic.
        #[test]
        fn any_error_body_is_classified(body in proptest::collection::vec(proptest::num::u8::ANY, 0..600), status in 400u16..600) {
            let status = reqwest::StatusCode::from_u16(status).unwrap();
            let _ = entra_error(status, &body);
        }
    }
}
