//! `azure_core`'s `TokenCredential` over one signed-in account, so the Azure
//! SDK pipeline (bearer policy included) gets Rolecall's tokens.

use std::sync::Arc;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::{Error, ErrorKind};

use crate::AuthError;
use crate::accounts::{AccountId, Accounts};

#[derive(Debug, Clone)]
pub struct AccountCredential {
    accounts: Arc<Accounts>,
    account: AccountId,
    /// `None`: the account's home tenant.
    tenant: Option<String>,
}

impl AccountCredential {
    /// Tokens in the account's home tenant.
    pub fn new(accounts: Arc<Accounts>, account: AccountId) -> Self {
        Self {
            accounts,
            account,
            tenant: None,
        }
    }

    /// Tokens in another tenant the account can reach.
    pub fn in_tenant(accounts: Arc<Accounts>, account: AccountId, tenant: String) -> Self {
        Self {
            accounts,
            account,
            tenant: Some(tenant),
        }
    }
}

/// The [`AuthError`] inside an error this credential returned, if any, so
/// callers can still tell "sign in again" from "interaction required".
pub fn auth_error(error: azure_core::Error) -> Result<AuthError, azure_core::Error> {
    error.into_downcast::<AuthError>()
}

#[async_trait::async_trait]
impl TokenCredential for AccountCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let scope = scopes
            .first()
            .ok_or_else(|| Error::with_message(ErrorKind::Credential, "no scope was requested"))?;
        let answer = match &self.tenant {
            Some(tenant) => {
                self.accounts
                    .access_token_in(&self.account, tenant, scope)
                    .await
            }
            None => self.accounts.access_token(&self.account, scope).await,
        };
        let (token, expires_on) = answer.map_err(|e| Error::new(ErrorKind::Credential, e))?;
        Ok(AccessToken::new(token, expires_on))
    }
}
