//! "Use my Azure CLI sign-in": tokens from `az account get-access-token`
//! through `azure_identity::AzureCliCredential`, for admins who already signed
//! in with the Azure CLI. Rolecall stores nothing for such an account: the
//! Azure CLI keeps its own tokens, and every token comes from it on demand.

use std::sync::Arc;

use azure_core::credentials::{TokenCredential, TokenRequestOptions};
use azure_identity::{AzureCliCredential, AzureCliCredentialOptions};

use crate::accounts::{AccountId, AccountInfo};
use crate::{AuthError, Result};

/// Ids of Azure CLI accounts start with this (Rolecall's own are `{oid}.{tid}`).
pub const ACCOUNT_ID_PREFIX: &str = "azure-cli:";

/// The account the Azure CLI is signed in as, and a credential for it.
#[derive(Debug, Clone)]
pub struct AzureCliAccount {
    pub info: AccountInfo,
    pub credential: Arc<dyn TokenCredential>,
}

/// Asks the Azure CLI for an ARM token in `tenant` (its default tenant when
/// `None`) and reads who it belongs to from the token's claims.
pub async fn connect(
    cloud: &rolecall_core::CloudProfile,
    tenant: Option<&str>,
) -> Result<AzureCliAccount> {
    if let Some(tenant) = tenant {
        crate::check_tenant(tenant)?;
    }
    let options = AzureCliCredentialOptions {
        tenant_id: tenant
            .filter(|t| !matches!(*t, "organizations" | "common"))
            .map(str::to_owned),
        ..Default::default()
    };
    let credential = AzureCliCredential::new(Some(options)).map_err(|e| AuthError::AzureCli {
        detail: e.to_string(),
    })?;
    let scope = format!(
        "{}/.default",
        cloud.resource_manager_audience.trim_end_matches('/')
    );
    let token = credential
        .get_token(&[&scope], None::<TokenRequestOptions<'_>>)
        .await
        .map_err(|e| AuthError::AzureCli {
            detail: first_line(&e.to_string()),
        })?;
    let claims = token
        .token
        .secret()
        .split('.')
        .nth(1)
        .and_then(crate::token::decode_json)
        .ok_or_else(|| AuthError::AzureCli {
            detail: "the Azure CLI returned a token Rolecall cannot read".into(),
        })?;
    let text = |k: &str| claims[k].as_str().unwrap_or_default().to_owned();
    let username = [text("upn"), text("unique_name"), text("preferred_username")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let info = AccountInfo {
        id: AccountId(format!(
            "{ACCOUNT_ID_PREFIX}{}.{}",
            text("oid"),
            text("tid")
        )),
        username,
        display_name: text("name"),
        tenant_id: text("tid"),
        cloud: cloud.name.clone(),
    };
    Ok(AzureCliAccount { info, credential })
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no answer")
        .to_owned()
}
