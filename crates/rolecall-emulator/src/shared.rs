//! What every handler can see: the emulator's state (directory, ARM,
//! tokens, faults), its settings and limits, and the state file it is kept
//! in between runs. `server` binds and routes; this is what it serves from.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::arm::model::ArmState;
use crate::catalogue::Catalogue;
use crate::directory::Directory;
use crate::faults::{FaultState, Faults};
use crate::seed::Tenant;
use crate::tokens::{SigningKey, TokenStore};

/// Behaviour that tests and automation can switch while the emulator runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub auto_sign_in: Option<String>,
    pub access_token_lifetime: Duration,
    /// Seconds a device-code client is told to wait between polls (Entra: 5).
    pub device_code_interval: u64,
    /// Items per page of ARM lists before a `nextLink`.
    pub page_size: usize,
    pub limits: Limits,
    /// Microsoft Entra ID P2 (PIM needs it).
    pub entra_p2: bool,
    /// Interactive sign-ins complete multi-factor authentication (as
    /// admins' tenants usually demand); off, sessions begun now have none.
    pub mfa_at_sign_in: bool,
}

/// Azure's quotas (lower them in tests to reach them quickly).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Role assignments per subscription (Azure: 4,000).
    pub assignments_per_subscription: usize,
    /// Custom roles per directory (Azure: 5,000).
    pub custom_roles: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            assignments_per_subscription: 4000,
            custom_roles: 5000,
        }
    }
}

/// What the tenant's session state says of one access token, beyond its
/// signature and expiry; ARM and Graph each answer these in their own words.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionFacts {
    /// Issued before the user's sessions were revoked.
    pub revoked: bool,
    /// Issued at or before a continuous-access-evaluation event: claims challenge.
    pub challenged: bool,
    /// Older than the run's maximum token age (a failure mode).
    pub too_old: bool,
}

/// Everything that changes while the emulator runs.
#[derive(Debug)]
pub struct State {
    pub directory: Directory,
    pub arm: ArmState,
    /// Graph's app-role assignments (`appRoleAssignedTo`).
    pub app_role_assignments: Vec<crate::graph::AppRoleAssignment>,
    pub faults: Faults,
    pub fault_state: FaultState,
    /// Custom roles written recently, with what reads may still see instead.
    pub propagating_roles: Vec<crate::arm::model::PropagatingRole>,
    pub tokens: TokenStore,
    pub settings: Settings,
}

/// Base URLs of the three hosts, each ending in `/`.
#[derive(Debug, Clone)]
pub struct Urls {
    pub authority: String,
    pub arm: String,
    pub graph: String,
    /// The sign-in pages a system browser opens (`http://127.0.0.1:{port}/`).
    /// A browser does not trust the emulator's private CA, and it only shows
    /// pages here: tokens are still only ever redeemed over HTTPS.
    pub browser: String,
}

/// What every handler can see.
///
/// The token-signing key is not a field: it is made on a thread of its own
/// when the emulator starts ([`Shared::key`] waits for it), so a start (the
/// desktop app's demo, every test) does not wait for RSA key generation.
pub struct Shared {
    pub tenant: Tenant,
    pub urls: Urls,
    /// Token audiences of ARM and Graph (the public clouds' resource ids).
    pub arm_audience: String,
    pub graph_audience: String,
    pub catalogue: Arc<Catalogue>,
    pub state: Mutex<State>,
    pub state_file: Option<std::path::PathBuf>,
    /// Client secrets of the confidential applications (those without
    /// public-client redirect URIs), made at start: kept in memory only.
    pub app_secrets: Vec<AppSecret>,
}

/// One application's client secret, for `grant_type=client_credentials`.
#[derive(Clone)]
pub struct AppSecret {
    pub app_id: String,
    pub display_name: String,
    pub secret: String,
}

impl std::fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppSecret")
            .field("app_id", &self.app_id)
            .field("display_name", &self.display_name)
            .field("secret", &"…")
            .finish()
    }
}

impl AppSecret {
    /// A secret shaped like Entra's (40 characters, `Q~` after the first four).
    pub fn generate() -> String {
        let head: String = crate::tokens::random_token(3).chars().take(3).collect();
        let tail: String = crate::tokens::random_token(27).chars().take(34).collect();
        format!("{head}8Q~{tail}")
    }
}

/// What `--state` keeps: everything a run can change. Built-in roles come
/// from the seed or the reference catalogue at every start; refresh tokens
/// are kept only as hashes.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Snapshot {
    tenant_id: String,
    directory: Directory,
    arm: ArmState,
    app_role_assignments: Vec<crate::graph::AppRoleAssignment>,
    tokens: TokenStore,
}

impl State {
    /// The session facts for an access token's claims.
    pub fn session_facts(&self, claims: &crate::tokens::AccessClaims) -> SessionFacts {
        let oid = claims.oid.to_ascii_lowercase();
        SessionFacts {
            revoked: self
                .tokens
                .valid_from
                .get(&oid)
                .is_some_and(|from| claims.iat < *from),
            challenged: self
                .tokens
                .cae_events
                .get(&oid)
                .is_some_and(|at| claims.iat <= *at),
            too_old: self
                .faults
                .token_max_age
                .is_some_and(|age| claims.iat + age.as_secs() <= crate::tokens::now_secs()),
        }
    }
}

impl Shared {
    /// Writes the state file, if there is one: to a sibling file, then renamed
    /// over the old one, so a crash never leaves half a state behind.
    pub fn persist(&self) -> anyhow::Result<()> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let bytes = {
            let state = self.state.lock().expect("state lock");
            let mut arm = state.arm.clone();
            arm.role_definitions.retain(|d| d.is_custom());
            let snapshot = Snapshot {
                tenant_id: self.tenant.id.clone(),
                directory: state.directory.clone(),
                arm,
                app_role_assignments: state.app_role_assignments.clone(),
                tokens: TokenStore {
                    refresh: state.tokens.refresh.clone(),
                    retired_refresh: state.tokens.retired_refresh.clone(),
                    valid_from: state.tokens.valid_from.clone(),
                    cae_events: state.tokens.cae_events.clone(),
                    mfa_required: state.tokens.mfa_required.clone(),
                    ..TokenStore::default()
                },
            };
            serde_json::to_vec(&snapshot)?
        };
        crate::write_atomic(path, &bytes)
    }
}

/// Reads a state file written by [`Shared::persist`] into `state`.
pub(crate) fn restore(
    path: &std::path::Path,
    tenant_id: &str,
    state: &mut State,
) -> anyhow::Result<()> {
    let text = std::fs::read(path)
        .with_context(|| format!("reading the state file {}", path.display()))?;
    let snapshot: Snapshot = serde_json::from_slice(&text).with_context(|| {
        format!(
            "{} is not an emulator state file: move it away or delete it to start from the seed",
            path.display()
        )
    })?;
    if !snapshot.tenant_id.eq_ignore_ascii_case(tenant_id) {
        bail!(
            "{} holds tenant {}, not {tenant_id}: use another file for another seed",
            path.display(),
            snapshot.tenant_id
        );
    }
    let builtins: Vec<_> = state
        .arm
        .role_definitions
        .drain(..)
        .filter(|d| !d.is_custom())
        .collect();
    let seeded_groups = std::mem::take(&mut state.arm.management_groups);
    state.arm = snapshot.arm;
    state.arm.role_definitions.splice(0..0, builtins);
    // A state file from before management groups keeps the seed's hierarchy.
    if state.arm.management_groups.is_empty() {
        state.arm.management_groups = seeded_groups;
    }
    state.directory = snapshot.directory;
    state.app_role_assignments = snapshot.app_role_assignments;
    state.tokens = snapshot.tokens;
    Ok(())
}

impl Shared {
    /// The tenant's token-signing key (one per process), waiting for its
    /// generation to end if a token is asked for within the first moments.
    pub fn key(&self) -> Arc<SigningKey> {
        SigningKey::shared()
    }
}
