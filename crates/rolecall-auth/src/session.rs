//! The signed-in session of the app (and of any front end): which account and
//! which tenant are in use, among the accounts on this computer and the Azure
//! CLI's sign-in. Everything that calls Azure asks the session for a
//! credential; no front end handles a token.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_core::credentials::TokenCredential;

use crate::accounts::{AccountId, AccountInfo, Accounts, TenantInfo};
use crate::azure_cli::AzureCliAccount;
use crate::credential::AccountCredential;
use crate::device::{DeviceCodePrompt, DeviceCodeSession};
use crate::interactive::Opener;
use crate::{AuthError, Result};

/// Where an account's tokens come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountSource {
    /// Signed in with Rolecall; the refresh token is in the OS keychain.
    Rolecall,
    /// The Azure CLI's own sign-in (`az login`).
    AzureCli,
}

/// An account as a front end may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStatus {
    pub info: AccountInfo,
    pub source: AccountSource,
    /// It can get tokens without an interactive sign-in.
    pub has_session: bool,
}

#[derive(Debug, Clone)]
enum Active {
    Account {
        id: AccountId,
        tenant: String,
    },
    AzureCli {
        account: AzureCliAccount,
        tenant: String,
    },
}

/// The account and tenant in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveStatus {
    pub account: AccountInfo,
    pub source: AccountSource,
    pub tenant_id: String,
}

pub struct Session {
    accounts: Arc<Accounts>,
    active: Mutex<Option<Active>>,
    device: tokio::sync::Mutex<Option<DeviceCodeSession>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub fn new(accounts: Arc<Accounts>) -> Self {
        Self {
            accounts,
            active: Mutex::new(None),
            device: tokio::sync::Mutex::new(None),
        }
    }

    pub fn accounts(&self) -> &Arc<Accounts> {
        &self.accounts
    }

    fn arm_scope(&self) -> String {
        format!(
            "{}/.default",
            self.accounts
                .cloud()
                .resource_manager_audience
                .trim_end_matches('/')
        )
    }

    /// Picks up where the last run stopped: the remembered account and tenant
    /// when that account is still on this computer (nothing is asked of the
    /// network; [`Session::verify`] does that).
    pub fn restore(&self, account: Option<&str>, tenant: Option<&str>) -> Result<()> {
        let all = self.accounts.list()?;
        let chosen = account
            .and_then(|id| all.iter().find(|a| a.id.0 == id))
            .or(all.first());
        if let Some(info) = chosen {
            let tenant = tenant
                .filter(|_| account == Some(info.id.0.as_str()))
                .unwrap_or(&info.tenant_id);
            *self.active.lock().expect("session lock") = Some(Active::Account {
                id: info.id.clone(),
                tenant: tenant.to_owned(),
            });
        }
        Ok(())
    }

    /// Every account on this computer, and the Azure CLI's when in use.
    pub fn list(&self) -> Result<Vec<AccountStatus>> {
        let mut out = Vec::new();
        if let Some(Active::AzureCli { account, .. }) = &*self.active.lock().expect("session lock")
        {
            out.push(AccountStatus {
                info: account.info.clone(),
                source: AccountSource::AzureCli,
                has_session: true,
            });
        }
        for info in self.accounts.list()? {
            let has_session = self.accounts.has_session(&info.id)?;
            out.push(AccountStatus {
                info,
                source: AccountSource::Rolecall,
                has_session,
            });
        }
        Ok(out)
    }

    pub fn active(&self) -> Result<Option<ActiveStatus>> {
        let active = self.active.lock().expect("session lock").clone();
        Ok(match active {
            None => None,
            Some(Active::AzureCli { account, tenant }) => Some(ActiveStatus {
                account: account.info,
                source: AccountSource::AzureCli,
                tenant_id: tenant,
            }),
            Some(Active::Account { id, tenant }) => self
                .accounts
                .list()?
                .into_iter()
                .find(|a| a.id == id)
                .map(|account| ActiveStatus {
                    account,
                    source: AccountSource::Rolecall,
                    tenant_id: tenant,
                }),
        })
    }

    /// Gets an ARM token for the active account in the active tenant (from
    /// memory, a refresh, or the Azure CLI): proves the session works.
    pub async fn verify(&self) -> Result<()> {
        let credential = self.credential()?;
        credential
            .get_token(&[&self.arm_scope()], None)
            .await
            .map(|_| ())
            .map_err(|e| {
                crate::credential::auth_error(e).unwrap_or_else(|e| AuthError::AzureCli {
                    detail: e.to_string(),
                })
            })
    }

    /// The credential every Azure call of the active session uses.
    pub fn credential(&self) -> Result<Arc<dyn TokenCredential>> {
        let active = self.active.lock().expect("session lock").clone();
        match active {
            None => Err(AuthError::NotSignedIn),
            Some(Active::AzureCli { account, .. }) => Ok(account.credential),
            Some(Active::Account { id, tenant }) => Ok(Arc::new(AccountCredential::in_tenant(
                self.accounts.clone(),
                id,
                tenant,
            ))),
        }
    }

    fn activate(&self, info: &AccountInfo) {
        *self.active.lock().expect("session lock") = Some(Active::Account {
            id: info.id.clone(),
            tenant: info.tenant_id.clone(),
        });
    }

    /// Interactive sign-in in the browser; the new account becomes active.
    pub async fn sign_in(
        &self,
        tenant: &str,
        open: Opener,
        timeout: Duration,
    ) -> Result<AccountInfo> {
        let info = self
            .accounts
            .sign_in_interactive(tenant, open, timeout)
            .await?;
        self.activate(&info);
        Ok(info)
    }

    /// Starts a device-code sign-in; [`Session::finish_device_code`] waits for it.
    pub async fn start_device_code(&self, tenant: &str) -> Result<DeviceCodePrompt> {
        let (prompt, session) = self.accounts.start_device_code(tenant).await?;
        *self.device.lock().await = Some(session);
        Ok(prompt)
    }

    pub async fn finish_device_code(&self, timeout: Duration) -> Result<AccountInfo> {
        let guard = self.device.lock().await;
        let session = guard
            .as_ref()
            .ok_or_else(|| AuthError::Protocol("no device-code sign-in was started".into()))?;
        let info = self.accounts.finish_device_code(session, timeout).await?;
        drop(guard);
        *self.device.lock().await = None;
        self.activate(&info);
        Ok(info)
    }

    /// Uses the Azure CLI's sign-in from now on.
    pub async fn use_azure_cli(&self, tenant: Option<&str>) -> Result<AccountInfo> {
        let account = crate::azure_cli::connect(self.accounts.cloud(), tenant).await?;
        let info = account.info.clone();
        *self.active.lock().expect("session lock") = Some(Active::AzureCli {
            tenant: info.tenant_id.clone(),
            account,
        });
        Ok(info)
    }

    /// Makes another account on this computer the active one (its home tenant).
    pub fn switch_account(&self, id: &str) -> Result<AccountInfo> {
        let info = self
            .accounts
            .list()?
            .into_iter()
            .find(|a| a.id.0 == id)
            .ok_or_else(|| AuthError::UnknownAccount(id.to_owned()))?;
        self.activate(&info);
        Ok(info)
    }

    /// The tenants the active account can reach.
    pub async fn tenants(&self) -> Result<Vec<TenantInfo>> {
        let active = self.active.lock().expect("session lock").clone();
        match active {
            None => Err(AuthError::NotSignedIn),
            Some(Active::Account { id, .. }) => self.accounts.tenants(&id).await,
            // The Azure CLI's tenants are `az account tenant list`'s business;
            // Rolecall shows the one it was asked for.
            Some(Active::AzureCli { account, .. }) => Ok(vec![TenantInfo {
                tenant_id: account.info.tenant_id.clone(),
                display_name: String::new(),
                default_domain: String::new(),
            }]),
        }
    }

    /// Switches the active account to `tenant`, once a token for it was
    /// obtained silently. When the tenant demands an interactive sign-in
    /// (MFA, Conditional Access), the session stays where it was and the
    /// error says so: call [`Session::reauthenticate`].
    pub async fn switch_tenant(&self, tenant: &str) -> Result<()> {
        let active = self.active.lock().expect("session lock").clone();
        match active {
            None => Err(AuthError::NotSignedIn),
            Some(Active::AzureCli { .. }) => self.use_azure_cli(Some(tenant)).await.map(|_| ()),
            Some(Active::Account { id, .. }) => {
                self.accounts
                    .access_token_in(&id, tenant, &self.arm_scope())
                    .await?;
                *self.active.lock().expect("session lock") = Some(Active::Account {
                    id,
                    tenant: tenant.to_owned(),
                });
                Ok(())
            }
        }
    }

    /// Signs the active account in again, interactively, in `tenant` (and
    /// makes that tenant active).
    pub async fn reauthenticate(
        &self,
        tenant: &str,
        claims: Option<&str>,
        open: Opener,
        timeout: Duration,
    ) -> Result<AccountInfo> {
        let active = self.active.lock().expect("session lock").clone();
        let Some(Active::Account { id, .. }) = active else {
            return Err(AuthError::NotSignedIn);
        };
        let info = self
            .accounts
            .reauthenticate(&id, tenant, claims, open, timeout)
            .await?;
        *self.active.lock().expect("session lock") = Some(Active::Account {
            id: info.id.clone(),
            tenant: tenant.to_owned(),
        });
        Ok(info)
    }

    /// Signs one account out (its keychain entries and tokens go); the Azure
    /// CLI's is only let go of (`az logout` is the CLI's business).
    pub fn sign_out(&self, id: &str) -> Result<()> {
        let mut active = self.active.lock().expect("session lock");
        let was_active = match &*active {
            Some(Active::Account { id: a, .. }) => a.0 == id,
            Some(Active::AzureCli { account, .. }) => account.info.id.0 == id,
            None => false,
        };
        if !id.starts_with(crate::azure_cli::ACCOUNT_ID_PREFIX) {
            self.accounts.sign_out(&AccountId(id.to_owned()))?;
        }
        if was_active {
            *active = self.accounts.list()?.first().map(|info| Active::Account {
                id: info.id.clone(),
                tenant: info.tenant_id.clone(),
            });
        }
        Ok(())
    }

    /// Signs every account out.
    pub fn sign_out_everywhere(&self) -> Result<()> {
        self.accounts.sign_out_everywhere()?;
        *self.active.lock().expect("session lock") = None;
        Ok(())
    }
}
