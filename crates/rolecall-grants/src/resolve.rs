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
            return Ok(group_member(g));
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

/// A Graph user, group or service principal as a grant's member.
pub(crate) fn user_member(u: rolecall_azure::graph::User) -> Member {
    Member {
        id: u.id,
        kind: MemberKind::User,
        display_name: u.display_name,
        detail: Some(u.user_principal_name),
    }
}

pub(crate) fn group_member(g: rolecall_azure::graph::Group) -> Member {
    Member {
        id: g.id,
        kind: MemberKind::Group,
        display_name: g.display_name,
        detail: g.mail,
    }
}

pub(crate) fn sp_member(s: ServicePrincipal) -> Member {
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

/// First-party applications admins are told to pick by application id, and
/// the names of look-alikes seen next to them in tenants.
const KNOWN_APPS: &[(&str, &str, &[&str])] = &[(
    "8502a0ec-c76d-412f-836c-398018e2312b",
    "AzureCommunicationsGateway",
    &["Project Synergy"],
)];

fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A warning when a service principal looks like a well-known application
/// but is not it (another application id), e.g. "Project Synergy" next to
/// AzureCommunicationsGateway.
pub fn look_alike_warning(display_name: &str, app_id: &str) -> Option<String> {
    let name = squash(display_name);
    KNOWN_APPS.iter().find_map(|(known_id, known_name, aliases)| {
        let resembles = name == squash(known_name) || aliases.iter().any(|a| squash(a) == name);
        (resembles && !app_id.eq_ignore_ascii_case(known_id)).then(|| {
            format!(
                "Not the {known_name} application: that one has application id {known_id}; this one has {app_id}. Check with the procedure you follow before choosing it."
            )
        })
    })
}

/// Enterprise applications for what the admin typed: by application id
/// (exactly one), or by name. A search that finds a well-known application,
/// or one of the names it goes by, also finds every application carrying
/// those names, so the real one and its look-alikes are seen side by side
/// whichever name was typed ("gateway" shows "Project Synergy" too).
pub async fn applications(
    azure: &Azure,
    text: &str,
    limit: usize,
) -> Result<Vec<rolecall_azure::graph::ServicePrincipal>, AzureError> {
    let text = text.trim();
    if is_guid(text) {
        return Ok(azure
            .graph
            .service_principal_by_app_id(text)
            .await?
            .into_iter()
            .collect());
    }
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<_> = azure
        .graph
        .search_service_principals(text, limit)
        .try_collect()
        .await?;
    let known = KNOWN_APPS.iter().filter(|(id, name, aliases)| {
        let names = || std::iter::once(name).chain(aliases.iter());
        found.iter().any(|sp| {
            sp.app_id.eq_ignore_ascii_case(id)
                || names().any(|n| squash(n) == squash(&sp.display_name))
        }) || names().any(|n| squash(n) == squash(text))
    });
    let names: Vec<&str> = known
        .flat_map(|(_, name, aliases)| std::iter::once(*name).chain(aliases.iter().copied()))
        .collect();
    // Only the names the first search did not already find are asked for.
    let missing = names.iter().filter(|name| {
        !found
            .iter()
            .any(|sp| squash(&sp.display_name) == squash(name))
    });
    let companions = futures::future::try_join_all(missing.map(|name| {
        azure
            .graph
            .search_service_principals(name, limit)
            .try_collect::<Vec<_>>()
    }))
    .await?;
    for sp in companions.into_iter().flatten() {
        let same_name = names.iter().any(|n| squash(n) == squash(&sp.display_name));
        if same_name && !found.iter().any(|f| f.id == sp.id) {
            found.push(sp);
        }
    }
    Ok(found)
}

/// A member found by a search, and what to beware of.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    pub member: Member,
    pub warning: Option<String>,
    /// What it is, as the portal names it: User, Guest, Group, Service
    /// principal, Managed identity.
    pub label: &'static str,
}

/// Search as you type: by object id or application id (exact), by UPN, or
/// by the start of a word of a display name, UPN or mail across users,
/// groups and service principals (managed identities included). Names
/// several results share are flagged.
pub async fn search(azure: &Azure, text: &str, limit: usize) -> Result<Vec<Found>, AzureError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if is_guid(text) || (text.contains('@') && !text.contains(' ')) {
        return match member(azure, text).await {
            Ok(m) => Ok(vec![found(m)]),
            Err(ResolveError::Azure(e)) => Err(e),
            Err(_) if is_guid(text) => Ok(Vec::new()),
            Err(_) => search_words(azure, text, limit).await,
        };
    }
    search_words(azure, text, limit).await
}

fn label_of(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::User => "User",
        MemberKind::Group => "Group",
        MemberKind::ServicePrincipal => "Service principal",
    }
}

fn found(member: Member) -> Found {
    let label = label_of(member.kind);
    let warning = match member.kind {
        MemberKind::ServicePrincipal => member
            .detail
            .as_deref()
            .and_then(|app_id| look_alike_warning(&member.display_name, app_id)),
        _ => None,
    };
    Found {
        member,
        warning,
        label,
    }
}

async fn search_words(azure: &Azure, text: &str, limit: usize) -> Result<Vec<Found>, AzureError> {
    let (users, groups, sps) = tokio::try_join!(
        azure
            .graph
            .search_users(text, limit)
            .try_collect::<Vec<_>>(),
        azure
            .graph
            .search_groups(text, limit)
            .try_collect::<Vec<_>>(),
        azure
            .graph
            .search_service_principals(text, limit)
            .try_collect::<Vec<_>>(),
    )?;
    let users = users.into_iter().map(|u| {
        let guest = u.user_type.as_deref() == Some("Guest");
        let mut f = found(user_member(u));
        if guest {
            f.label = "Guest";
        }
        f
    });
    let groups = groups.into_iter().map(|g| found(group_member(g)));
    let sps = sps.into_iter().map(|s| {
        let managed = s.service_principal_type.as_deref() == Some("ManagedIdentity");
        let mut f = found(sp_member(s));
        if managed {
            f.label = "Managed identity";
        }
        f
    });
    let mut all: Vec<Found> = users.chain(groups).chain(sps).collect();
    // Display names are not unique: say so where it matters.
    let names: Vec<String> = all
        .iter()
        .map(|f| f.member.display_name.to_lowercase())
        .collect();
    for (i, f) in all.iter_mut().enumerate() {
        let twins = names.iter().filter(|n| **n == names[i]).count();
        if twins > 1 && f.warning.is_none() {
            f.warning = Some(format!(
                "{twins} objects are named \"{}\": check the id before choosing.",
                f.member.display_name
            ));
        }
    }
    all.truncate(limit.max(1) * 3);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::look_alike_warning;

    #[test]
    fn look_alikes_of_the_gateway_app_are_flagged_and_the_real_one_is_not() {
        let acg = "8502a0ec-c76d-412f-836c-398018e2312b";
        let other = "3f0e8d2a-1111-4222-8333-944455556666";
        assert_eq!(look_alike_warning("AzureCommunicationsGateway", acg), None);
        let warning = look_alike_warning("Project Synergy", other).unwrap();
        assert!(
            warning.contains(acg) && warning.contains(other),
            "{warning}"
        );
        assert!(look_alike_warning("Azure Communications Gateway", other).is_some());
        assert_eq!(look_alike_warning("Contoso SMTP Relay", other), None);
        assert_eq!(look_alike_warning("Gateway", other), None);
    }
}
