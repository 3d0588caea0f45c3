//! `azure_core`'s `TokenCredential` over one signed-in account, so the Azure
//! SDK pipeline (bearer policy included) gets Rolecall's tokens.

use std::sync::Arc;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::{Error, ErrorKind};

use crate::accounts::{AccountId, Accounts};

#[derive(Debug, Clone)]
pub struct AccountCredential {
    accounts: Arc<Accounts>,
    account: AccountId,
}

impl AccountCredential {
    pub fn new(accounts: Arc<Accounts>, account: AccountId) -> Self {
        Self { accounts, account }
    }
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
        let (token, expires_on) = self
            .accounts
            .access_token(&self.account, scope)
            .await
            .map_err(|e| Error::with_message(ErrorKind::Credential, e.to_string()))?;
        Ok(AccessToken::new(token, expires_on))
    }
}
