//! Turning what an admin types (an object id, an application id, a UPN, a
//! role name) into the exact objects a grant names, or a clear refusal.

use futures::TryStreamExt;
use rolecall_azure::arm::RoleFilter;
use rolecall_azure::graph::{AppRole, ServicePrincipal};
use rolecall_azure::{Azure, AzureError};
use rolecall_rbac::RoleDefinition;

use crate::model::{Member, MemberKind};

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(
        "no user, group or service principal has the id or name '{0}' in this tenant. Give an object id, an application id or a user principal name (name@domain)."
    )]
    NoMember(String),
    #[error(
        "'{0}' is not a role here. Give a role name exactly as listed (`rolecall-cli roles --scope …`) or its id."
    )]
    NoRole(String),
    #[error(
        "no enterprise application has the application id '{0}' in this tenant. Check the id; display names are not unique, so Rolecall only pins applications by id."
    )]
    NoApp(String),
    #[error("the application '{app}' has no enabled app role '{role}'. Its app roles: {known}.")]
    NoAppRole {
        app: String,
        role: String,
        known: String,
    },
    #[error(transparent)]
    Azure(#[from] AzureError),
}

pub fn is_guid(text: &str) -> bool {
    rolecall_rbac::scope::is_guid(text)
}

/// A member by object id (user, group, service principal), by application
/// id (its service principal) or by user principal name.
pub async fn member(azure: &Azure, text: &str) -> Result<Member, ResolveError> {
    let text = text.trim();
    if is_guid(text) {
        let (user, group, sp) = tokio::try_join!(
            azure.graph.user(text),
            azure.graph.group(text),
            azure.graph.service_principal(text),
        )?;
        if let Some(u) = user {
            return Ok(user_member(u));
        }
        if let Some(g) = group {
            return Ok(Member {
                id: g.id,
                kind: MemberKind::Group,
                display_name: g.display_name,
                detail: g.mail,
            });
        }
        if let Some(s) = sp {
            return Ok(sp_member(s));
        }
        if let Some(s) = azure.graph.service_principal_by_app_id(text).await? {
            return Ok(sp_member(s));
        }
    } else if text.contains('@')
        && let Some(u) = azure.graph.user(text).await?
    {
        return Ok(user_member(u));
    }
    Err(ResolveError::NoMember(text.to_owned()))
}

fn user_member(u: rolecall_azure::graph::User) -> Member {
    Member {
        id: u.id,
        kind: MemberKind::User,
        display_name: u.display_name,
        detail: Some(u.user_principal_name),
    }
}

fn sp_member(s: ServicePrincipal) -> Member {
    Member {
        id: s.id,
        kind: MemberKind::ServicePrincipal,
        display_name: s.display_name,
        detail: Some(s.app_id),
    }
}

/// A role definition usable at `scope`, by GUID or exact name.
pub async fn role(azure: &Azure, scope: &str, text: &str) -> Result<RoleDefinition, ResolveError> {
    let text = text.trim();
    let guid = text.rsplit('/').next().unwrap_or(text);
    if is_guid(guid) {
        return azure
            .arm
            .role_definition(scope, guid)
            .await?
            .ok_or_else(|| ResolveError::NoRole(text.to_owned()));
    }
    let mut found: Vec<_> = azure
        .arm
        .role_definitions(scope, &RoleFilter::Name(text.to_owned()))
        .try_collect()
        .await?;
    found
        .pop()
        .ok_or_else(|| ResolveError::NoRole(text.to_owned()))
}

/// An enterprise application by application id, and the named app roles.
pub async fn app_roles(
    azure: &Azure,
    app_id: &str,
    values: &[String],
) -> Result<(ServicePrincipal, Vec<AppRole>), ResolveError> {
    let app = azure
        .graph
        .service_principal_by_app_id(app_id.trim())
        .await?
        .ok_or_else(|| ResolveError::NoApp(app_id.to_owned()))?;
    let roles = values
        .iter()
        .map(|value| {
            app.app_roles
                .iter()
                .find(|r| {
                    r.is_enabled
                        && r.value
                            .as_deref()
                            .is_some_and(|v| v.eq_ignore_ascii_case(value))
                })
                .cloned()
                .ok_or_else(|| ResolveError::NoAppRole {
                    app: app.display_name.clone(),
                    role: value.clone(),
                    known: app
                        .app_roles
                        .iter()
                        .filter_map(|r| r.value.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((app, roles))
}
