//! OpenID Connect discovery of the Entra authority: the first call of every
//! sign-in, and a cheap, unauthenticated check that a cloud is reachable and
//! trusted.

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::ChainDisplay;
use crate::{CloudProfile, Error, Result};

/// The fields of `/.well-known/openid-configuration` Rolecall relies on.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct OpenIdConfiguration {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub tenant_region_scope: Option<String>,
}

/// The outcome of [`discover`], with how long the round trip took.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub configuration: OpenIdConfiguration,
    pub elapsed: Duration,
}

/// `GET {authority}/{tenant}/v2.0/.well-known/openid-configuration`.
pub async fn discover(
    client: &reqwest::Client,
    cloud: &CloudProfile,
    tenant: &str,
) -> Result<Discovery> {
    if tenant.is_empty() || tenant.contains(['/', '?', '#']) {
        return Err(Error::InvalidCloudProfile {
            reason: format!("'{tenant}' is not a tenant id or domain"),
            hint: "Give a tenant id (a GUID), a domain such as contoso.onmicrosoft.com, or 'organizations'.",
        });
    }
    let url = cloud
        .authority_host
        .join(&format!("{tenant}/v2.0/.well-known/openid-configuration"))
        .map_err(|e| Error::InvalidCloudProfile {
            reason: format!("authorityHost cannot be joined with a path: {e}"),
            hint: "The authority host must be an absolute https:// address.",
        })?;
    let endpoint = url.origin().ascii_serialization();
    let started = Instant::now();
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|e| Error::Unreachable {
            endpoint: endpoint.clone(),
            detail: ChainDisplay(&e.without_url()).to_string(),
        })?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(Error::UnexpectedResponse {
            endpoint,
            status: status.as_u16(),
            detail: body.chars().take(300).collect(),
        });
    }
    let configuration =
        response
            .json::<OpenIdConfiguration>()
            .await
            .map_err(|e| Error::UnexpectedResponse {
                endpoint,
                status: status.as_u16(),
                detail: format!(
                    "not an OpenID configuration: {}",
                    ChainDisplay(&e.without_url())
                ),
            })?;
    Ok(Discovery {
        configuration,
        elapsed: started.elapsed(),
    })
}
