//! Custom roles and app roles: the rules both front ends keep.

use rolecall_azure::Azure;
use rolecall_azure::arm::RoleAssignment;
use rolecall_azure::graph::AppRole;
use rolecall_grants::MemberKind;
use rolecall_rbac::{RoleDefinition, Scope};

use crate::error::{AppError, ErrorKind, Result};

/// The name (GUID) of a new custom role: ARM's `guid(roleName, subscription)`,
/// so the same role made twice in one subscription is one role.
pub fn new_role_id(role_name: &str, subscription_scope: &str) -> String {
    rolecall_rbac::names::arm_guid(&[role_name, subscription_scope]).to_string()
}

/// Whether a draft makes a new custom role or changes an existing one.
#[derive(Debug, Clone, Copy)]
pub enum Saving<'a> {
    /// A new role: its id is [`new_role_id`] of its name and subscription.
    New,
    /// The custom role with this id (its own name is not a collision).
    Edit(&'a str),
}

/// The subscription a draft lives in: that of its first assignable scope.
pub fn draft_subscription(draft: &rolecall_rbac::draft::Draft) -> Result<String> {
    let first = draft.assignable_scopes.first().ok_or_else(|| {
        AppError::input(
            "A custom role needs at least one assignable scope: choose where it may be assigned (assignableScopes).",
        )
    })?;
    let scope = Scope::parse(first).map_err(|e| AppError::input(e.to_string()))?;
    Ok(scope
        .subscription_scope()
        .unwrap_or_else(|| scope.as_str().to_owned()))
}

/// The existing custom role `role` (a name or id) in `subscription`, to
/// edit: a built-in role is refused.
pub async fn editable(azure: &Azure, subscription: &str, role: &str) -> Result<RoleDefinition> {
    let found = rolecall_grants::resolve::role(azure, subscription, role).await?;
    if !found.is_custom() {
        return Err(AppError::new(
            ErrorKind::Refused,
            "BuiltInRole",
            format!(
                "{} is a built-in role; only custom roles can be changed.",
                found.role_name()
            ),
        ));
    }
    Ok(found)
}

/// What a draft's check found.
#[derive(Debug, Clone)]
pub struct DraftCheck {
    /// Everything ARM would refuse (errors) and what is worth knowing (warnings).
    pub issues: Vec<rolecall_rbac::draft::Issue>,
    /// How many catalogue operations the draft grants in all.
    pub granted: usize,
    /// A custom role that already is exactly this draft, if any (its id).
    pub in_place: Option<String>,
    /// A built-in role that already grants all of it (known once a scope is chosen).
    pub built_in: Option<crate::least::BuiltInAlternative>,
}

/// Checks a draft against the live catalogue, the directory's role names
/// and the admin's rights, writing nothing (`editing`: the role being
/// changed, whose own name is no collision).
pub async fn check_draft(
    azure: &Azure,
    catalogue: std::sync::Arc<rolecall_rbac::Catalogue>,
    draft: &rolecall_rbac::draft::Draft,
    editing: Option<&str>,
) -> Result<DraftCheck> {
    use rolecall_grants::custom_roles::{self, Tenant};
    if draft.assignable_scopes.is_empty() {
        // No scope chosen yet (a clone on its Permissions step): what the
        // catalogue alone can say (unknown actions, broad wildcards, rights
        // to change access) is said now; names and rights come with a scope.
        let no_tenant = rolecall_rbac::draft::DraftContext {
            catalogue: &catalogue,
            existing_names: &[],
            editing,
            can_write: &|_| true,
            subscription_disabled: &|_| false,
        };
        return Ok(DraftCheck {
            issues: draft.validate(&no_tenant),
            granted: draft.granted_count(&catalogue),
            in_place: None,
            built_in: None,
        });
    }
    let subscription = draft_subscription(draft)?;
    let tenant = Tenant::load_with(azure, catalogue, &subscription).await?;
    let issues = custom_roles::check(azure, &tenant, draft, editing).await?;
    Ok(DraftCheck {
        issues,
        granted: draft.granted_count(&tenant.catalogue),
        in_place: custom_roles::already_in_place(&tenant, draft).map(|r| r.name.clone()),
        built_in: crate::least::built_in_alternative(
            &tenant.catalogue,
            &tenant.roles,
            &draft.permissions,
        ),
    })
}

/// Writes a draft (checked first against the catalogue, the directory's
/// role names and the admin's rights; nothing is written while anything in
/// it is an error) and waits until ARM reads it back consistently.
///
/// The write is journaled (`createRole` or `updateRole`) as its own batch,
/// so Activity lists it and can undo a creation.
pub async fn save_draft(
    azure: &Azure,
    catalogue: std::sync::Arc<rolecall_rbac::Catalogue>,
    journal: &rolecall_grants::Journal,
    draft: &rolecall_rbac::draft::Draft,
    saving: Saving<'_>,
    settle: &rolecall_grants::custom_roles::Settle,
) -> Result<RoleDefinition> {
    use rolecall_grants::custom_roles::{self, RoleError, Tenant};
    let subscription = draft_subscription(draft)?;
    let tenant = Tenant::load_with(azure, catalogue, &subscription).await?;
    let (guid, action) = match saving {
        Saving::New => (new_role_id(&draft.role_name, &subscription), "createRole"),
        Saving::Edit(guid) => (guid.to_owned(), "updateRole"),
    };
    let saved = match saving {
        Saving::New => custom_roles::create(azure, &tenant, draft, &guid, settle).await,
        Saving::Edit(_) => custom_roles::update(azure, &tenant, draft, &guid, settle).await,
    };
    let saved = saved.map_err(|e| match e {
        RoleError::Azure(e) => AppError::from(e),
        other => AppError::new(ErrorKind::Refused, "RoleNotSaved", other.to_string()),
    })?;
    let role = rolecall_grants::RunRole {
        guid,
        draft: draft.clone(),
    };
    let outcome = rolecall_grants::Outcome::Created {
        assignment_id: saved.id.clone(),
        request_id: None,
    };
    journal.for_batch().record_role(action, &role, &outcome);
    Ok(saved)
}

/// Where a custom role is deleted: at its first assignable scope, where
/// Rolecall (and the portal) create it and ARM lists it, whatever scope the
/// admin found it at.
///
/// Settled here for both front ends: the app deleted at the first assignable
/// scope while `rolecall-cli role delete` deleted at `--scope`; a role found
/// at a resource group but kept at its subscription was then not deleted by
/// the CLI.
pub fn deletion_scope(role: &RoleDefinition, found_at: &Scope) -> String {
    role.properties
        .assignable_scopes
        .first()
        .cloned()
        .unwrap_or_else(|| found_at.as_str().to_owned())
}

/// A custom role of the directory, and the subscription to edit or delete it
/// through (where its first assignable scope is).
#[derive(Debug, Clone)]
pub struct CustomRole {
    pub definition: RoleDefinition,
    /// `/subscriptions/{id}`.
    pub subscription: String,
    pub subscription_name: String,
}

/// Every custom role the admin can see, in every subscription they see,
/// each once (a role assignable in several subscriptions is listed where
/// its first assignable scope is), by name. Listing one subscription's
/// roles misses those assignable only in another.
pub async fn custom_roles(azure: &Azure) -> Result<Vec<CustomRole>> {
    use futures::TryStreamExt;
    let subscriptions: Vec<_> = azure.arm.subscriptions().try_collect().await?;
    let listed = futures::future::try_join_all(subscriptions.iter().map(|s| async move {
        let roles: Vec<RoleDefinition> = azure
            .arm
            .role_definitions(&s.id, &rolecall_azure::arm::RoleFilter::CustomOnly)
            .try_collect()
            .await?;
        Ok::<_, rolecall_azure::AzureError>((s, roles))
    }))
    .await?;
    let mut found: Vec<CustomRole> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (subscription, roles) in listed {
        for definition in roles {
            let guid = rolecall_rbac::roles::definition_guid(&definition.name).to_ascii_lowercase();
            if !seen.insert(guid) {
                continue;
            }
            // Its home: the subscription of its first assignable scope, when
            // the admin sees it; else where it was found.
            let home = definition
                .properties
                .assignable_scopes
                .first()
                .and_then(|s| Scope::parse(s).ok())
                .and_then(|s| s.subscription_scope());
            let (id, name) = match home
                .and_then(|h| subscriptions.iter().find(|s| s.id.eq_ignore_ascii_case(&h)))
            {
                Some(s) => (s.id.clone(), s.display_name.clone()),
                None => (subscription.id.clone(), subscription.display_name.clone()),
            };
            found.push(CustomRole {
                definition,
                subscription: id,
                subscription_name: name,
            });
        }
    }
    found.sort_by_key(|c| c.definition.role_name().to_lowercase());
    Ok(found)
}

/// Deletes the custom role `role` (a name or id) found at `scope`, refusing
/// a built-in role and one still assigned (the refusal lists where).
/// Returns the deleted role.
pub async fn delete_custom_role(
    azure: &Azure,
    journal: &rolecall_grants::Journal,
    scope: &Scope,
    role: &str,
) -> Result<RoleDefinition> {
    let subscription = scope
        .subscription_scope()
        .unwrap_or_else(|| scope.as_str().to_owned());
    let found = rolecall_grants::resolve::role(azure, &subscription, role).await?;
    if !found.is_custom() {
        return Err(AppError::new(
            ErrorKind::Refused,
            "BuiltInRole",
            format!(
                "{} is a built-in role; only custom roles can be deleted.",
                found.role_name()
            ),
        ));
    }
    let using = rolecall_grants::custom_roles::assignments_of(azure, &found).await?;
    if !using.is_empty() {
        return Err(still_assigned(&found, &using));
    }
    let at = deletion_scope(&found, scope);
    let deleted = azure.arm.delete_role_definition(&at, &found.name).await?;
    let role = rolecall_grants::RunRole {
        guid: found.name.clone(),
        draft: rolecall_rbac::draft::Draft {
            role_name: found.role_name().to_owned(),
            assignable_scopes: vec![at],
            ..Default::default()
        },
    };
    journal.for_batch().record_role(
        "deleteRole",
        &role,
        &rolecall_grants::Outcome::Removed {
            request_id: deleted.and_then(|(_, id)| id),
        },
    );
    Ok(found)
}

fn still_assigned(role: &RoleDefinition, using: &[RoleAssignment]) -> AppError {
    let places = using
        .iter()
        .take(5)
        .map(|a| format!("{} at {}", a.properties.principal_id, a.properties.scope))
        .collect::<Vec<_>>()
        .join("; ");
    AppError::new(
        ErrorKind::Refused,
        "RoleDefinitionHasAssignments",
        format!(
            "{} is assigned {} time(s) ({places}{}): remove those assignments first.",
            role.role_name(),
            using.len(),
            if using.len() > 5 { "; …" } else { "" }
        ),
    )
}

/// Whether an app role can be given to a member of this kind: users and
/// groups take roles whose `allowedMemberTypes` hold "User", applications
/// (service principals, managed identities) those holding "Application", as
/// Microsoft Graph requires; a disabled role to nobody.
///
/// Settled here for both front ends: the app listed only roles for users,
/// so an application's roles could not be given to an application, while
/// the CLI took any enabled role for any member, which Graph then refused.
pub fn app_role_fits(role: &AppRole, member: MemberKind) -> bool {
    let wanted = match member {
        MemberKind::User | MemberKind::Group => "User",
        MemberKind::ServicePrincipal => "Application",
    };
    role.is_enabled
        && role
            .allowed_member_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(wanted))
}

/// Refuses giving `role` to `member` when it cannot take it, saying why.
pub fn check_app_role(role: &AppRole, member: &rolecall_grants::Member) -> Result<()> {
    if app_role_fits(role, member.kind) {
        return Ok(());
    }
    let name = role.value.as_deref().unwrap_or(&role.display_name);
    let reason = if !role.is_enabled {
        "it is disabled".to_owned()
    } else {
        format!(
            "it is for {} only",
            role.allowed_member_types
                .iter()
                .map(|t| if t == "User" {
                    "users and groups"
                } else {
                    "applications"
                })
                .collect::<Vec<_>>()
                .join(" and ")
        )
    };
    Err(AppError::input(format!(
        "the app role {name} cannot be given to {}: {reason}.",
        member.label()
    )))
}

/// Checks every app-role grant of `grants` against its application's app
/// roles (each application read once): the member must be of a kind the role
/// is made for. The first refusal says which and why.
pub async fn check_app_role_grants(azure: &Azure, grants: &[rolecall_grants::Grant]) -> Result<()> {
    let mut apps: std::collections::HashMap<String, rolecall_azure::graph::ServicePrincipal> =
        std::collections::HashMap::new();
    for grant in grants {
        let rolecall_grants::Grant::AppRole(g) = grant else {
            continue;
        };
        if !apps.contains_key(&g.resource_id) {
            let app = azure
                .graph
                .service_principal(&g.resource_id)
                .await?
                .ok_or_else(|| {
                    AppError::new(
                        ErrorKind::NotFound,
                        "NoApp",
                        format!(
                            "the application {} ({}) is not in this tenant",
                            g.resource_name, g.resource_id
                        ),
                    )
                })?;
            apps.insert(g.resource_id.clone(), app);
        }
        let app = &apps[&g.resource_id];
        let role = app
            .app_roles
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(&g.app_role_id))
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::NotFound,
                    "NoAppRole",
                    format!("{} has no app role {}", app.display_name, g.app_role_id),
                )
            })?;
        check_app_role(role, &g.member)?;
    }
    Ok(())
}

/// Who an app role can be given to, in words.
pub fn app_role_members(role: &AppRole) -> &'static str {
    let users = role.allowed_member_types.iter().any(|t| t == "User");
    let apps = role.allowed_member_types.iter().any(|t| t == "Application");
    match (users, apps) {
        (true, true) => "users, groups and applications",
        (true, false) => "users and groups",
        (false, true) => "applications",
        (false, false) => "nobody",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(types: &[&str], enabled: bool) -> AppRole {
        serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-4000-8000-000000000001",
            "value": "ProvisioningAPI.ReadUser",
            "displayName": "Read users",
            "isEnabled": enabled,
            "allowedMemberTypes": types,
        }))
        .unwrap()
    }

    fn member(kind: MemberKind) -> rolecall_grants::Member {
        rolecall_grants::Member {
            id: "00000000-0000-4000-8000-000000000002".into(),
            kind,
            display_name: "X".into(),
            detail: None,
        }
    }

    #[test]
    fn app_roles_go_to_the_members_they_are_made_for() {
        let users = role(&["User"], true);
        let apps = role(&["Application"], true);
        let both = role(&["User", "Application"], true);
        for kind in [MemberKind::User, MemberKind::Group] {
            assert!(app_role_fits(&users, kind));
            assert!(!app_role_fits(&apps, kind));
            assert!(app_role_fits(&both, kind));
        }
        assert!(app_role_fits(&apps, MemberKind::ServicePrincipal));
        assert!(!app_role_fits(&users, MemberKind::ServicePrincipal));
        assert!(!app_role_fits(&role(&["User"], false), MemberKind::User));
        let refused = check_app_role(&users, &member(MemberKind::ServicePrincipal)).unwrap_err();
        assert!(
            refused.message.contains("users and groups only"),
            "{refused}"
        );
    }

    #[test]
    fn a_new_roles_id_is_its_name_and_subscription() {
        let a = new_role_id(
            "SMTP Sender",
            "/subscriptions/1111aaaa-0000-4000-8000-000000000001",
        );
        assert_eq!(
            a,
            new_role_id(
                "SMTP Sender",
                "/subscriptions/1111aaaa-0000-4000-8000-000000000001"
            )
        );
        assert_ne!(
            a,
            new_role_id(
                "SMTP Sender",
                "/subscriptions/2222bbbb-0000-4000-8000-000000000002"
            )
        );
    }
}
