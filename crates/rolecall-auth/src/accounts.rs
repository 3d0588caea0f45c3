//! Accounts on this computer: their metadata and refresh tokens in the OS
//! keychain, their access tokens in memory only.
//!
//! Keychain entries (under the keychain's service name):
//! - `accounts`: the index, JSON of [`AccountInfo`] (no secrets);
//! - `rt:{account id}`: that account's refresh token, replaced at every
//!   rotation and deleted at sign-out or when Entra refuses it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::interactive::{InteractiveRequest, Opener, sign_in};
use crate::keychain::Keychain;
use crate::token::{TokenResponse, redeem};
use crate::{AuthError, Result};

/// Access tokens are renewed when they have less than this left.
pub const REFRESH_AHEAD: Duration = Duration::from_secs(300);

/// MSAL's home account id: `{object id}.{tenant id}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub String);

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the UI may know of an account: no token, ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub id: AccountId,
    pub username: String,
    pub display_name: String,
    pub tenant_id: String,
    /// The cloud's name, e.g. "Azure" or the emulator's.
    pub cloud: String,
}

/// A tenant an account can reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInfo {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
}

/// The `claims` of a `WWW-Authenticate: Bearer … error="insufficient_claims", claims="…"`
/// challenge, decoded from base64 to the JSON the authorize request takes.
pub fn claims_from_challenge(www_authenticate: &str) -> Option<String> {
    use base64::Engine;
    if !www_authenticate.contains("insufficient_claims") {
        return None;
    }
    let start = www_authenticate.find("claims=\"")? + "claims=\"".len();
    let end = start + www_authenticate[start..].find('"')?;
    let encoded = &www_authenticate[start..end];
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .or_else(|_| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('='))
        })
        .ok()?;
    String::from_utf8(bytes).ok()
}

struct CachedToken {
    token: String,
    expires_at: OffsetDateTime,
}

/// The scopes of the first, interactive sign-in: ARM, plus what keeps the
/// session (refresh token) and names the account (ID token).
pub fn sign_in_scopes(cloud: &rolecall_core::CloudProfile) -> Vec<String> {
    vec![
        format!(
            "{}/.default",
            cloud.resource_manager_audience.trim_end_matches('/')
        ),
        "offline_access".into(),
        "openid".into(),
        "profile".into(),
    ]
}

pub struct Accounts {
    keychain: Keychain,
    http: reqwest::Client,
    cloud: rolecall_core::CloudProfile,
    client_id: String,
    /// Access tokens by (account, tenant, scope).
    access: std::sync::Mutex<HashMap<(AccountId, String, String), CachedToken>>,
    refresh_locks: std::sync::Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>,
    index_lock: std::sync::Mutex<()>,
    refreshes: AtomicUsize,
    /// The last claims challenge each (account, tenant) met, for the next
    /// interactive sign-in there to satisfy.
    pending_claims: std::sync::Mutex<HashMap<(AccountId, String), String>>,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("keychain", &self.keychain)
            .field("cloud", &self.cloud.name)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Accounts {
    pub fn new(
        keychain: Keychain,
        http: reqwest::Client,
        cloud: rolecall_core::CloudProfile,
        client_id: &str,
    ) -> Self {
        Self {
            keychain,
            http,
            cloud,
            client_id: client_id.to_owned(),
            access: Default::default(),
            refresh_locks: Default::default(),
            index_lock: Default::default(),
            refreshes: AtomicUsize::new(0),
            pending_claims: Default::default(),
        }
    }

    pub fn cloud(&self) -> &rolecall_core::CloudProfile {
        &self.cloud
    }

    /// How many refresh-token redemptions this instance has made (for tests
    /// and diagnostics: parallel callers must share one).
    pub fn refresh_count(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// The accounts signed in on this computer, from the keychain.
    pub fn list(&self) -> Result<Vec<AccountInfo>> {
        Ok(match self.keychain.get("accounts")? {
            None => Vec::new(),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| crate::KeychainError::Damaged(format!("accounts index: {e}")))?,
        })
    }

    fn save_index(&self, accounts: &[AccountInfo]) -> Result<()> {
        let bytes = serde_json::to_vec(accounts).expect("account metadata serialises");
        Ok(self.keychain.put("accounts", &bytes)?)
    }

    fn refresh_key(id: &AccountId) -> String {
        format!("rt:{id}")
    }

    /// Interactive sign-in in the browser; the account is then remembered.
    pub async fn sign_in_interactive(
        &self,
        tenant: &str,
        open: Opener,
        timeout: Duration,
    ) -> Result<AccountInfo> {
        self.interactive(tenant, None, None, open, timeout).await
    }

    /// The browser step shared by a first sign-in and a re-authentication.
    async fn interactive(
        &self,
        tenant: &str,
        login_hint: Option<&str>,
        claims: Option<&str>,
        open: Opener,
        timeout: Duration,
    ) -> Result<AccountInfo> {
        let scopes = sign_in_scopes(&self.cloud);
        let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let request = InteractiveRequest {
            http: &self.http,
            cloud: &self.cloud,
            client_id: &self.client_id,
            tenant,
            scopes: &scope_refs,
            login_hint,
            claims,
            timeout,
        };
        let response = sign_in(request, open).await?;
        self.remember(response, &scopes[0])
    }

    /// Starts a device-code sign-in in `tenant`: show the prompt to the admin,
    /// then call [`Accounts::finish_device_code`].
    pub async fn start_device_code(
        &self,
        tenant: &str,
    ) -> Result<(
        crate::device::DeviceCodePrompt,
        crate::device::DeviceCodeSession,
    )> {
        let scopes = sign_in_scopes(&self.cloud);
        let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
        crate::device::start(
            &self.http,
            &self.cloud,
            &self.client_id,
            tenant,
            &scope_refs,
        )
        .await
    }

    /// Waits for the admin to finish a device-code sign-in; the account is then remembered.
    pub async fn finish_device_code(
        &self,
        session: &crate::device::DeviceCodeSession,
        timeout: Duration,
    ) -> Result<AccountInfo> {
        let response =
            crate::device::poll(&self.http, &self.cloud, &self.client_id, session, timeout).await?;
        let scope = session
            .scope
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        self.remember(response, &scope)
    }

    /// Stores what a sign-in produced: metadata, refresh token, access token.
    fn remember(&self, response: TokenResponse, scope: &str) -> Result<AccountInfo> {
        let claims = response.account()?;
        let info = AccountInfo {
            id: AccountId(format!("{}.{}", claims.object_id, claims.tenant_id)),
            username: claims.username,
            display_name: claims.display_name,
            tenant_id: claims.tenant_id,
            cloud: self.cloud.name.clone(),
        };
        let refresh = response.refresh_token.as_deref().ok_or_else(|| {
            AuthError::Protocol("the sign-in returned no refresh token (offline_access)".into())
        })?;
        self.keychain
            .put(&Self::refresh_key(&info.id), refresh.as_bytes())?;
        {
            let _guard = self.index_lock.lock().expect("index lock");
            let mut accounts = self.list()?;
            accounts.retain(|a| a.id != info.id);
            accounts.push(info.clone());
            accounts.sort_by(|a, b| a.username.cmp(&b.username));
            self.save_index(&accounts)?;
        }
        self.cache(&info.id, &info.tenant_id, scope, &response);
        Ok(info)
    }

    fn cache(&self, id: &AccountId, tenant: &str, scope: &str, response: &TokenResponse) {
        let expires_at = response.expires_at();
        self.access.lock().expect("token cache lock").insert(
            (id.clone(), tenant.to_ascii_lowercase(), scope.to_owned()),
            CachedToken {
                token: response.access_token.clone(),
                expires_at,
            },
        );
    }

    /// Drops the in-memory access token for `scope` in `tenant` if it is still
    /// `rejected` (a token the service refused before its expiry), so the next
    /// call redeems the refresh token. Many calls refused with the same token
    /// thus cause one refresh, not one each.
    pub fn forget_access_token(&self, id: &AccountId, tenant: &str, scope: &str, rejected: &str) {
        let mut cache = self.access.lock().expect("token cache lock");
        let key = (id.clone(), tenant.to_ascii_lowercase(), scope.to_owned());
        if cache.get(&key).is_some_and(|t| t.token == rejected) {
            cache.remove(&key);
        }
    }

    fn cached(
        &self,
        id: &AccountId,
        tenant: &str,
        scope: &str,
    ) -> Option<(String, OffsetDateTime)> {
        let cache = self.access.lock().expect("token cache lock");
        cache
            .get(&(id.clone(), tenant.to_ascii_lowercase(), scope.to_owned()))
            .filter(|t| t.expires_at - OffsetDateTime::now_utc() > REFRESH_AHEAD)
            .map(|t| (t.token.clone(), t.expires_at))
    }

    /// An access token for `scope` (e.g. `https://management.azure.com/.default`)
    /// in the account's home tenant. See [`Accounts::access_token_in`].
    pub async fn access_token(
        &self,
        id: &AccountId,
        scope: &str,
    ) -> Result<(String, OffsetDateTime)> {
        let info = self.info(id)?;
        self.access_token_in(id, &info.tenant_id, scope).await
    }

    fn info(&self, id: &AccountId) -> Result<AccountInfo> {
        self.list()?
            .into_iter()
            .find(|a| &a.id == id)
            .ok_or_else(|| AuthError::UnknownAccount(id.to_string()))
    }

    /// An access token for `scope` in `tenant` (the home tenant or another the
    /// account can reach): from memory while it has more than [`REFRESH_AHEAD`]
    /// left, else by redeeming the refresh token against that tenant, one
    /// redemption per account at a time however many callers wait.
    pub async fn access_token_in(
        &self,
        id: &AccountId,
        tenant: &str,
        scope: &str,
    ) -> Result<(String, OffsetDateTime)> {
        if let Some(hit) = self.cached(id, tenant, scope) {
            return Ok(hit);
        }
        let lock = self
            .refresh_locks
            .lock()
            .expect("refresh locks")
            .entry(id.clone())
            .or_default()
            .clone();
        let _one_at_a_time = lock.lock().await;
        // Whoever held the lock before us may have refreshed already.
        if let Some(hit) = self.cached(id, tenant, scope) {
            return Ok(hit);
        }
        self.info(id)?;
        let refresh =
            self.keychain
                .get(&Self::refresh_key(id))?
                .ok_or_else(|| AuthError::SignInAgain {
                    description: "no refresh token is stored for this account".into(),
                })?;
        let refresh = String::from_utf8(refresh)
            .map_err(|_| crate::KeychainError::Damaged("refresh token".into()))?;
        let full_scope = format!("{scope} offline_access");
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let answer = redeem(
            &self.http,
            &self.cloud,
            tenant,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &self.client_id),
                ("refresh_token", &refresh),
                ("scope", &full_scope),
                ("client_info", "1"),
            ],
        )
        .await;
        let response = match answer {
            Ok(response) => response,
            Err(error @ AuthError::SignInAgain { .. }) => {
                // A dead refresh token is worth nothing: forget it, keep the account listed.
                self.keychain.delete(&Self::refresh_key(id))?;
                return Err(error);
            }
            Err(AuthError::InteractionRequired {
                description,
                claims: Some(claims),
            }) => {
                // The token lives on; the next sign-in here must satisfy these claims.
                self.record_claims(id, tenant, &claims);
                return Err(AuthError::InteractionRequired {
                    description,
                    claims: Some(claims),
                });
            }
            Err(error) => return Err(error),
        };
        if let Some(rotated) = &response.refresh_token {
            self.keychain
                .put(&Self::refresh_key(id), rotated.as_bytes())?;
        }
        self.cache(id, tenant, scope, &response);
        let expires_at = response.expires_at();
        Ok((response.access_token, expires_at))
    }

    /// The tenants the account can reach, as ARM lists them (`GET /tenants`).
    pub async fn tenants(&self, id: &AccountId) -> Result<Vec<TenantInfo>> {
        let scope = format!(
            "{}/.default",
            self.cloud.resource_manager_audience.trim_end_matches('/')
        );
        let (token, _) = self.access_token(id, &scope).await?;
        let url = self
            .cloud
            .resource_manager_endpoint
            .join("tenants?api-version=2022-12-01")
            .map_err(|e| AuthError::Protocol(e.to_string()))?;
        let endpoint = url.origin().ascii_serialization();
        let unreachable = |e: reqwest::Error| AuthError::Unreachable {
            endpoint: endpoint.clone(),
            detail: e.without_url().to_string(),
        };
        let page: serde_json::Value = self
            .http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(unreachable)?
            .error_for_status()
            .map_err(unreachable)?
            .json()
            .await
            .map_err(unreachable)?;
        Ok(page["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| TenantInfo {
                tenant_id: t["tenantId"].as_str().unwrap_or_default().to_owned(),
                display_name: t["displayName"].as_str().unwrap_or_default().to_owned(),
                default_domain: t["defaultDomain"].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// Signs the account in again interactively in `tenant`, as a tenant asks
    /// when it demands MFA or answers with a claims challenge (`claims`, the
    /// decoded JSON). The fresh session replaces the stored one.
    pub async fn reauthenticate(
        &self,
        id: &AccountId,
        tenant: &str,
        claims: Option<&str>,
        open: Opener,
        timeout: Duration,
    ) -> Result<AccountInfo> {
        let info = self.info(id)?;
        // A challenge met earlier (a refresh answered with claims, ARM's
        // `insufficient_claims`) is passed on when the caller has none.
        let pending = self.pending_claims(id, tenant);
        let claims = claims.or(pending.as_deref());
        let fresh = self
            .interactive(tenant, Some(&info.username), claims, open, timeout)
            .await?;
        self.pending_claims
            .lock()
            .expect("claims lock")
            .remove(&(id.clone(), tenant.to_ascii_lowercase()));
        // Tokens minted before the challenge are no good any more; keep only
        // the one the fresh sign-in just cached.
        let mut cache = self.access.lock().expect("token cache lock");
        let scope = sign_in_scopes(&self.cloud).swap_remove(0);
        cache.retain(|(account, tenant, cached_scope), _| {
            account != id
                || (tenant.eq_ignore_ascii_case(&fresh.tenant_id) && *cached_scope == scope)
        });
        Ok(fresh)
    }

    /// Remembers a claims challenge the account met in `tenant`.
    pub fn record_claims(&self, id: &AccountId, tenant: &str, claims: &str) {
        self.pending_claims
            .lock()
            .expect("claims lock")
            .insert((id.clone(), tenant.to_ascii_lowercase()), claims.to_owned());
    }

    /// The claims challenge waiting to be satisfied in `tenant`, if any.
    pub fn pending_claims(&self, id: &AccountId, tenant: &str) -> Option<String> {
        self.pending_claims
            .lock()
            .expect("claims lock")
            .get(&(id.clone(), tenant.to_ascii_lowercase()))
            .cloned()
    }

    /// Whether the account can get tokens without an interactive sign-in.
    pub fn has_session(&self, id: &AccountId) -> Result<bool> {
        Ok(self.keychain.get(&Self::refresh_key(id))?.is_some())
    }

    /// Forgets exactly this account: its keychain entries and its tokens in memory.
    pub fn sign_out(&self, id: &AccountId) -> Result<()> {
        self.keychain.delete(&Self::refresh_key(id))?;
        {
            let _guard = self.index_lock.lock().expect("index lock");
            let mut accounts = self.list()?;
            accounts.retain(|a| &a.id != id);
            if accounts.is_empty() {
                self.keychain.delete("accounts")?;
            } else {
                self.save_index(&accounts)?;
            }
        }
        self.access
            .lock()
            .expect("token cache lock")
            .retain(|(account, _, _), _| account != id);
        Ok(())
    }

    /// Forgets every account.
    pub fn sign_out_everywhere(&self) -> Result<()> {
        for account in self.list()? {
            self.sign_out(&account.id)?;
        }
        self.keychain.delete("accounts")?;
        self.access.lock().expect("token cache lock").clear();
        Ok(())
    }
}
