//! The role assignments that apply at a scope, with names: the portal's
//! "Role assignments" view and its download, plus what it hides (orphans).

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use rolecall_azure::arm::{AssignmentFilter, RoleAssignment, RoleFilter};
use rolecall_azure::{Azure, AzureError, for_each_bounded};
use serde::Serialize;

use crate::model::Member;

/// Every role assignment at and below a scope, listed once and shared by
/// whoever asks within one plan (its live state and the subscription limit
/// check both need a subscription's), even when both ask at once.
#[derive(Debug, Default, Clone)]
pub struct Listings {
    cells: std::sync::Arc<std::sync::Mutex<HashMap<String, Listing>>>,
}

/// One scope's listing: empty until the first answer.
type Listing = std::sync::Arc<tokio::sync::OnceCell<Vec<RoleAssignment>>>;

impl Listings {
    /// `scope`'s assignments (ARM's list with no filter): asked of ARM the
    /// first time; a failure is not kept, so the next caller asks again.
    pub async fn all(&self, azure: &Azure, scope: &str) -> Result<Vec<RoleAssignment>, AzureError> {
        let cell = self
            .cells
            .lock()
            .expect("listings lock")
            .entry(scope.to_ascii_lowercase())
            .or_default()
            .clone();
        let listed = cell
            .get_or_try_init(|| {
                azure
                    .arm
                    .role_assignments(scope, &AssignmentFilter::All)
                    .try_collect::<Vec<_>>()
            })
            .await?;
        Ok(listed.clone())
    }
}

/// One assignment, named.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    pub assignment: RoleAssignment,
    pub role_name: Option<String>,
    /// `None`: the principal no longer exists ("Identity not found").
    pub member: Option<Member>,
    /// Made at a parent scope.
    pub inherited: bool,
    /// Its role lets the holder change who has access
    /// (`Microsoft.Authorization/roleAssignments/write`: Owner, User Access
    /// Administrator, RBAC Administrator, a custom role that grants it).
    pub manages_access: bool,
    /// How it is held: a role assignment, an eligibility (PIM), or an
    /// activation of one.
    pub holding: Holding,
    /// When it ends (RFC 3339); `None`: permanent, or PIM could not tell.
    pub ends: Option<String>,
}

/// How a listed role is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Holding {
    /// A role assignment: standing, or active and time-bound through PIM.
    Active,
    /// Eligible through PIM: no access until the member activates it.
    Eligible,
    /// A role assignment that lasts while a PIM activation runs.
    Activated,
}

/// What applies at `scope`: assignments there and above, each with its role
/// and member names (looked up a few at a time).
pub async fn assignments_at(azure: &Azure, scope: &str) -> Result<Vec<Listed>, AzureError> {
    use rolecall_azure::arm::ScheduleKind;
    let (mut assignments, roles, eligible, active) = tokio::try_join!(
        azure
            .arm
            .role_assignments(scope, &AssignmentFilter::AtScope)
            .try_collect::<Vec<_>>(),
        azure
            .arm
            .role_definitions(scope, &RoleFilter::All)
            .try_collect::<Vec<_>>(),
        azure
            .arm
            .schedule_instances_at(ScheduleKind::Eligibility, scope),
        azure
            .arm
            .schedule_instances_at(ScheduleKind::Assignment, scope),
    )?;
    // A role assignment's PIM instance says whether it is an activation
    // and when it ends.
    let mut pim: HashMap<String, (Holding, Option<String>)> = HashMap::new();
    for i in active {
        if let Some(origin) = &i.properties.origin_role_assignment_id {
            let holding = if i.properties.assignment_type.as_deref() == Some("Activated") {
                Holding::Activated
            } else {
                Holding::Active
            };
            pim.insert(
                origin.to_ascii_lowercase(),
                (holding, i.properties.end_date_time.clone()),
            );
        }
    }
    // Eligibilities listed as their own rows; a group's reaches its members,
    // and is listed once, as the group's.
    for e in eligible
        .into_iter()
        .filter(|e| e.properties.member_type.as_deref() != Some("Group"))
    {
        let p = e.properties;
        pim.insert(
            e.id.to_ascii_lowercase(),
            (Holding::Eligible, p.end_date_time.clone()),
        );
        assignments.push(RoleAssignment {
            id: e.id,
            name: e.name,
            properties: rolecall_azure::arm::RoleAssignmentProperties {
                role_definition_id: p.role_definition_id,
                principal_id: p.principal_id,
                principal_type: p.principal_type.unwrap_or_else(|| "User".into()),
                scope: p.scope,
                description: None,
                condition: None,
                created_on: None,
            },
            request_id: None,
        });
    }
    let roles = rolecall_rbac::effective::RoleSet::new(roles);
    let principals: HashSet<(String, String)> = assignments
        .iter()
        .map(|a| {
            (
                a.properties.principal_id.to_ascii_lowercase(),
                a.properties.principal_type.clone(),
            )
        })
        .collect();
    let looked_up = for_each_bounded(principals, 8, |(id, kind)| async move {
        let member = lookup(azure, &id, &kind).await;
        (id, member)
    })
    .await;
    let mut members = HashMap::new();
    for (id, member) in looked_up {
        members.insert(id, member?);
    }
    let here = rolecall_rbac::Scope::parse(scope).ok();
    Ok(assignments
        .into_iter()
        .map(|a| {
            let inherited = rolecall_rbac::Scope::parse(&a.properties.scope).ok() != here;
            let role = roles.get(&a.properties.role_definition_id);
            Listed {
                role_name: role.map(|r| r.role_name().to_owned()),
                manages_access: role.is_some_and(|r| {
                    r.allows(
                        "Microsoft.Authorization/roleAssignments/write",
                        rolecall_rbac::ActionKind::Action,
                    )
                }),
                member: members
                    .get(&a.properties.principal_id.to_ascii_lowercase())
                    .cloned()
                    .flatten(),
                inherited,
                holding: pim
                    .get(&a.id.to_ascii_lowercase())
                    .map_or(Holding::Active, |(h, _)| *h),
                ends: pim
                    .get(&a.id.to_ascii_lowercase())
                    .and_then(|(_, end)| end.clone()),
                assignment: a,
            }
        })
        .collect())
}

async fn lookup(azure: &Azure, id: &str, kind: &str) -> Result<Option<Member>, AzureError> {
    use crate::resolve::{group_member, sp_member, user_member};
    Ok(match kind {
        "User" => azure.graph.user(id).await?.map(user_member),
        "Group" | "ForeignGroup" => azure.graph.group(id).await?.map(group_member),
        _ => azure.graph.service_principal(id).await?.map(sp_member),
    })
}

/// A CSV field, quoted only when it must be. A field a spreadsheet would
/// read as a formula (starting with `= + - @`, a tab or a carriage return;
/// names and descriptions come from the tenant and from files) gets a
/// leading `'`, so opening the export never runs anything.
pub(crate) fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// The portal's "Download role assignments" columns, as CSV, then how each
/// is held (Active, Eligible, Activated) and when it ends.
pub fn to_csv(listed: &[Listed]) -> String {
    let mut out = String::from(
        "RoleAssignmentId,Scope,DisplayName,SignInName,ObjectId,ObjectType,RoleDefinitionName,RoleDefinitionId,Inherited,Description,AssignmentState,EndDateTime\n",
    );
    for l in listed {
        let p = &l.assignment.properties;
        let (name, sign_in) = match &l.member {
            Some(m) => (m.display_name.clone(), m.detail.clone().unwrap_or_default()),
            None => ("Identity not found".to_owned(), String::new()),
        };
        let row = [
            l.assignment.id.as_str(),
            &p.scope,
            &name,
            &sign_in,
            &p.principal_id,
            &p.principal_type,
            l.role_name.as_deref().unwrap_or_default(),
            &p.role_definition_id,
            if l.inherited { "true" } else { "false" },
            p.description.as_deref().unwrap_or_default(),
            match l.holding {
                Holding::Active => "Active",
                Holding::Eligible => "Eligible",
                Holding::Activated => "Activated",
            },
            l.ends.as_deref().unwrap_or_default(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("Reader"), "Reader");
        assert_eq!(csv_field("Ops, EMEA"), "\"Ops, EMEA\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        // Formulas are neutralised, whatever a display name says.
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tcmd"), "'\tcmd");
    }
}

/// Everything a member holds, for "remove all access of this person".
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Held {
    /// Azure roles made at or below the chosen scopes, and app roles in every
    /// application: what removing all access removes.
    pub grants: Vec<crate::model::Grant>,
    /// Roles the member holds above a chosen scope (they reach into it but
    /// belong to the parent): "role at scope", to remove there if meant.
    pub above: Vec<String>,
}

/// What `member` holds directly at or below each of `scopes`, and (when
/// `app_roles`) every app role it holds in any application.
pub async fn held_by(
    azure: &Azure,
    member: &Member,
    scopes: &[String],
    app_roles: bool,
) -> Result<Held, AzureError> {
    use crate::model::{AppRoleGrant, AzureRoleGrant, Grant, MemberKind};
    let mut held = Held::default();
    let mut seen = HashSet::new();
    let mut above: Vec<(String, String)> = Vec::new();
    // What lies below a management group only the tree tells.
    let tree = azure.arm.hierarchy_for(scopes).await?;
    for scope in scopes {
        let target = rolecall_rbac::Scope::parse(scope).ok();
        let subscription = target
            .as_ref()
            .and_then(|s| s.subscription_scope())
            .unwrap_or_else(|| scope.clone());
        let (found, roles, eligible) = tokio::try_join!(
            azure
                .arm
                .role_assignments(scope, &AssignmentFilter::Principal(member.id.clone()))
                .try_collect::<Vec<_>>(),
            azure
                .arm
                .role_definitions(&subscription, &RoleFilter::All)
                .try_collect::<Vec<_>>(),
            azure.arm.eligibilities(scope, &member.id),
        )?;
        let roles = rolecall_rbac::effective::RoleSet::new(roles);
        // Eligible roles are access too: removing everything removes them
        // (through PIM), or the person could activate them the next day.
        for e in eligible {
            let p = &e.properties;
            let at = rolecall_rbac::Scope::parse(&p.scope).ok();
            let below = matches!((&target, &at), (Some(t), Some(at)) if tree.covers(t, at));
            if !below || !seen.insert(e.id.to_ascii_lowercase()) {
                continue;
            }
            held.grants.push(Grant::AzureRole(AzureRoleGrant {
                scope: p.scope.clone(),
                role_id: rolecall_rbac::roles::definition_guid(&p.role_definition_id).to_string(),
                role_name: roles
                    .get(&p.role_definition_id)
                    .map(|r| r.role_name().to_owned())
                    .unwrap_or_else(|| p.role_definition_id.clone()),
                member: member.clone(),
                description: None,
                schedule: Some(crate::model::Schedule {
                    eligible: true,
                    duration: None,
                    until: p.end_date_time.clone(),
                    justification: None,
                    ticket: None,
                }),
            }));
        }
        for a in found {
            let name = roles
                .get(&a.properties.role_definition_id)
                .map(|r| r.role_name().to_owned())
                .unwrap_or_else(|| a.properties.role_definition_id.clone());
            let at = rolecall_rbac::Scope::parse(&a.properties.scope).ok();
            let below = matches!((&target, &at), (Some(t), Some(at)) if tree.covers(t, at));
            // Scopes may overlap (a group and its subscription): an assignment
            // above one chosen scope may be below another, and then it goes.
            if below && seen.insert(a.id.to_ascii_lowercase()) {
                held.grants.push(Grant::AzureRole(AzureRoleGrant {
                    scope: a.properties.scope.clone(),
                    role_id: rolecall_rbac::roles::definition_guid(
                        &a.properties.role_definition_id,
                    )
                    .to_string(),
                    role_name: name,
                    member: member.clone(),
                    description: None,
                    schedule: None,
                }));
            } else if !below {
                above.push((
                    a.id.to_ascii_lowercase(),
                    format!("{name} at {}", a.properties.scope),
                ));
            }
        }
    }
    above.sort();
    above.dedup();
    held.above = above
        .into_iter()
        .filter(|(id, _)| !seen.contains(id))
        .map(|(_, text)| text)
        .collect();
    if app_roles {
        let collection = match member.kind {
            MemberKind::User => "users",
            MemberKind::Group => "groups",
            MemberKind::ServicePrincipal => "servicePrincipals",
        };
        let assignments: Vec<_> = azure
            .graph
            .app_role_assignments_of(collection, &member.id)
            .try_collect()
            .await?;
        let mut apps = HashMap::new();
        for a in assignments {
            if !apps.contains_key(&a.resource_id) {
                let sp = azure.graph.service_principal(&a.resource_id).await?;
                apps.insert(a.resource_id.clone(), sp);
            }
            let Some(app) = apps[&a.resource_id].as_ref() else {
                continue;
            };
            let value = app
                .app_roles
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&a.app_role_id))
                .and_then(|r| r.value.clone())
                .unwrap_or_else(|| "Default access".into());
            held.grants.push(Grant::AppRole(AppRoleGrant {
                resource_id: app.id.clone(),
                resource_name: app.display_name.clone(),
                app_id: app.app_id.clone(),
                app_role_id: a.app_role_id.clone(),
                app_role_value: value,
                member: member.clone(),
            }));
        }
    }
    Ok(held)
}
