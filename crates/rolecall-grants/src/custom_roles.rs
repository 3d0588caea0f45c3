//! Custom roles: validated against the live catalogue and the admin's rights
//! before any write, created or updated, read back until ARM agrees with
//! itself, and deleted only with their assignments in view.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use rolecall_azure::arm::{AssignmentFilter, RoleFilter};
use rolecall_azure::{Azure, AzureError};
use rolecall_rbac::draft::{Draft, DraftContext, Issue, Severity};
use rolecall_rbac::roles::RoleProperties;
use rolecall_rbac::{Catalogue, RoleDefinition, Scope};

/// The right ARM checks before writing a role definition.
pub const WRITE_ACTION: &str = "Microsoft.Authorization/roleDefinitions/write";

/// What validation needs from the tenant, read once.
pub struct Tenant {
    pub catalogue: Arc<Catalogue>,
    /// Every role visible at the subscription (built-in and custom).
    pub roles: Vec<RoleDefinition>,
    /// Subscriptions by id: whether disabled.
    pub disabled: HashMap<String, bool>,
}

impl Tenant {
    /// Reads the catalogue, the roles visible at `subscription` and the
    /// subscriptions' states.
    pub async fn load(azure: &Azure, subscription: &str) -> Result<Self, AzureError> {
        let catalogue = rolecall_azure::catalogue::provider_operations(&azure.arm).await?;
        Self::load_with(azure, Arc::new(catalogue), subscription).await
    }

    /// [`Tenant::load`] with a catalogue read before (it is the same for the
    /// whole cloud, and a few megabytes).
    pub async fn load_with(
        azure: &Azure,
        catalogue: Arc<Catalogue>,
        subscription: &str,
    ) -> Result<Self, AzureError> {
        let (roles, subscriptions) = tokio::try_join!(
            azure
                .arm
                .role_definitions(subscription, &RoleFilter::All)
                .try_collect::<Vec<_>>(),
            azure.arm.subscriptions().try_collect::<Vec<_>>(),
        )?;
        Ok(Self {
            catalogue,
            roles,
            disabled: subscriptions
                .into_iter()
                .map(|s| (s.subscription_id.to_ascii_lowercase(), s.state != "Enabled"))
                .collect(),
        })
    }
}

/// The custom role that already is exactly `draft` (same name, description,
/// permissions and assignable scopes), if one is: a re-run has nothing to do.
pub fn already_in_place<'a>(tenant: &'a Tenant, draft: &Draft) -> Option<&'a RoleDefinition> {
    let scopes = |list: &[String]| {
        let mut v: Vec<String> = list
            .iter()
            .map(|s| s.trim_end_matches('/').to_ascii_lowercase())
            .collect();
        v.sort();
        v
    };
    tenant.roles.iter().find(|r| {
        r.is_custom()
            && r.role_name().eq_ignore_ascii_case(draft.role_name.trim())
            && r.properties.description == draft.description
            && r.properties.permissions == draft.permissions
            && scopes(&r.properties.assignable_scopes) == scopes(&draft.assignable_scopes)
    })
}

/// Everything wrong or worth knowing about `draft`, as ARM and the admin's
/// rights would have it, before anything is written. `editing`: the role
/// being changed (its own name is no collision).
pub async fn check(
    azure: &Azure,
    tenant: &Tenant,
    draft: &Draft,
    editing: Option<&str>,
) -> Result<Vec<Issue>, AzureError> {
    // `rights` asks ARM only about scopes that parse; the others are the
    // draft's own errors ("not an Azure scope"), said by `validate` below.
    let rights =
        crate::plan::rights(azure, draft.assignable_scopes.iter().cloned(), WRITE_ACTION).await?;
    let names: Vec<String> = tenant
        .roles
        .iter()
        .filter(|r| Some(r.name.as_str()) != editing)
        .map(|r| r.role_name().to_owned())
        .collect();
    let can_write = |scope: &Scope| {
        rights
            .get(&scope.as_str().to_ascii_lowercase())
            .copied()
            .unwrap_or(false)
    };
    let disabled = |id: &str| {
        tenant
            .disabled
            .get(&id.to_ascii_lowercase())
            .copied()
            .unwrap_or(false)
    };
    let context = DraftContext {
        catalogue: &tenant.catalogue,
        existing_names: &names,
        editing: None,
        can_write: &can_write,
        subscription_disabled: &disabled,
    };
    Ok(draft.validate(&context))
}

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("the role cannot be written as it is: {}", .0.iter().filter(|i| i.severity == Severity::Error).map(|i| format!("{} ({})", i.message, i.field)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Issue>),
    #[error(
        "ARM took the role but its reads still disagree after {0:?}; it will settle within minutes. Check again before assigning it."
    )]
    NotYetConsistent(Duration),
    #[error(transparent)]
    Azure(#[from] AzureError),
}

/// How long to wait for ARM's reads to agree after a write.
#[derive(Debug, Clone)]
pub struct Settle {
    /// Consecutive reads that must all show the written role (Terraform
    /// waits for several too: replicas answer in turn).
    pub consistent_reads: u32,
    pub interval: Duration,
    pub timeout: Duration,
}

impl Default for Settle {
    fn default() -> Self {
        Self {
            consistent_reads: 3,
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Validates, then creates (new `guid`) or updates the custom role at its
/// first assignable scope, then waits until ARM reads it back as written.
pub async fn create(
    azure: &Azure,
    tenant: &Tenant,
    draft: &Draft,
    guid: &str,
    settle: &Settle,
) -> Result<RoleDefinition, RoleError> {
    write(azure, tenant, draft, guid, None, settle).await
}

/// [`create`] for the existing custom role `guid`: its own name is not a
/// collision.
pub async fn update(
    azure: &Azure,
    tenant: &Tenant,
    draft: &Draft,
    guid: &str,
    settle: &Settle,
) -> Result<RoleDefinition, RoleError> {
    write(azure, tenant, draft, guid, Some(guid), settle).await
}

async fn write(
    azure: &Azure,
    tenant: &Tenant,
    draft: &Draft,
    guid: &str,
    editing: Option<&str>,
    settle: &Settle,
) -> Result<RoleDefinition, RoleError> {
    let issues = check(azure, tenant, draft, editing).await?;
    if issues.iter().any(|i| i.severity == Severity::Error) {
        return Err(RoleError::Invalid(issues));
    }
    let scope = draft.assignable_scopes.first().cloned().unwrap_or_default();
    let properties = RoleProperties {
        role_name: draft.role_name.clone(),
        role_type: "CustomRole".into(),
        description: draft.description.clone(),
        assignable_scopes: draft.assignable_scopes.clone(),
        permissions: draft.permissions.clone(),
    };
    let written = azure
        .arm
        .put_role_definition(&scope, guid, &properties)
        .await?;
    wait_until_consistent(azure, &scope, guid, &properties, settle).await?;
    Ok(written)
}

async fn wait_until_consistent(
    azure: &Azure,
    scope: &str,
    guid: &str,
    expected: &RoleProperties,
    settle: &Settle,
) -> Result<(), RoleError> {
    let started = tokio::time::Instant::now();
    let mut agreeing = 0;
    loop {
        let read = azure.arm.role_definition(scope, guid).await?;
        let same = read.as_ref().is_some_and(|r| {
            r.properties.role_name == expected.role_name
                && r.properties.permissions == expected.permissions
                && r.properties.assignable_scopes == expected.assignable_scopes
        });
        agreeing = if same { agreeing + 1 } else { 0 };
        if agreeing >= settle.consistent_reads {
            return Ok(());
        }
        if started.elapsed() >= settle.timeout {
            return Err(RoleError::NotYetConsistent(settle.timeout));
        }
        tokio::time::sleep(settle.interval).await;
    }
}

/// The assignments of a custom role anywhere it is assignable: what deleting
/// it would break (ARM refuses while any exists).
pub async fn assignments_of(
    azure: &Azure,
    role: &RoleDefinition,
) -> Result<Vec<rolecall_azure::arm::RoleAssignment>, AzureError> {
    let mut found = Vec::new();
    for scope in &role.properties.assignable_scopes {
        let here: Vec<_> = azure
            .arm
            .role_assignments(scope, &AssignmentFilter::All)
            .try_collect()
            .await?;
        let guid = rolecall_rbac::roles::definition_guid(&role.name);
        found.extend(here.into_iter().filter(|a| {
            rolecall_rbac::roles::definition_guid(&a.properties.role_definition_id) == guid
        }));
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id);
    Ok(found)
}
