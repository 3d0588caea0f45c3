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

/// Put in a token request's context when the service refused `0` before its
/// expiry (ARM's `ExpiredAuthenticationToken` after a policy change, say):
/// the credential then drops that token from memory and redeems the refresh
/// token instead of handing the refused one out again.
#[derive(Clone)]
pub struct RejectedToken(pub String);

impl std::fmt::Debug for RejectedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RejectedToken(..)")
    }
}

/// Put in a token request's context when the service answered with a claims
/// challenge (`insufficient_claims`): the credential remembers the claims for
/// the next interactive sign-in in its tenant and answers "interaction
/// required" instead of a token.
#[derive(Debug, Clone)]
pub struct ClaimsChallenge(pub String);

/// The [`AuthError`] inside an error this credential returned, if any, so
/// callers can still tell "sign in again" from "interaction required".
/// Pipeline policies wrap errors in context (the retry policy's "will not be
/// retried"), so the layers are peeled until one holds it.
pub fn auth_error(error: azure_core::Error) -> Result<AuthError, azure_core::Error> {
    let mut layer = error;
    loop {
        layer = match layer.into_downcast::<AuthError>() {
            Ok(auth) => return Ok(auth),
            Err(other) if other.downcast_ref::<azure_core::Error>().is_some() => other
                .into_downcast::<azure_core::Error>()
                .expect("checked just above"),
            Err(other) => return Err(other),
        };
    }
}

impl AccountCredential {
    /// The tenant this credential gets tokens in.
    fn tenant(&self) -> azure_core::Result<String> {
        Ok(match &self.tenant {
            Some(tenant) => tenant.clone(),
            None => self
                .accounts
                .list()
                .map_err(|e| Error::new(ErrorKind::Credential, e))?
                .into_iter()
                .find(|a| a.id == self.account)
                .map(|a| a.tenant_id)
                .unwrap_or_default(),
        })
    }
}

#[async_trait::async_trait]
impl TokenCredential for AccountCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let scope = scopes
            .first()
            .ok_or_else(|| Error::with_message(ErrorKind::Credential, "no scope was requested"))?;
        let context = options.as_ref().map(|o| &o.method_options.context);
        if let Some(ClaimsChallenge(claims)) = context.and_then(|c| c.value::<ClaimsChallenge>()) {
            let tenant = self.tenant()?;
            self.accounts.record_claims(&self.account, &tenant, claims);
            return Err(Error::new(
                ErrorKind::Credential,
                AuthError::InteractionRequired {
                    description: "the tenant asks you to sign in again (Conditional Access or a revoked session)".into(),
                    claims: Some(claims.clone()),
                },
            ));
        }
        if let Some(RejectedToken(rejected)) = context.and_then(|c| c.value::<RejectedToken>()) {
            let tenant = self.tenant()?;
            self.accounts
                .forget_access_token(&self.account, &tenant, scope, rejected);
        }
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
