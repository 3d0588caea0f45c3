//! `Microsoft.Authorization`: role definitions (built-in and custom), role
//! assignments, the caller's effective permissions, and provider operations.
//! Rules and messages follow the 2022-04-01 spec and the recorded traffic in
//! `shared/azure-reference/recorded`.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::rbac::{can, covers, effective_permissions, lineage, scope_covers};
use super::resources::parse_eq;
use super::{Ctx, arm_timestamp, check_api_version};
use crate::arm::model::{ArmState, Permission, PropagatingRole, RoleAssignment, RoleDefinition};
use crate::directory::Directory;
use crate::faults::{FaultState, roll};
use crate::wire::arm_error;

mod approvals;
mod assignments;
mod definitions;
mod deny;
mod permissions;
pub(crate) mod pim;
mod pim_policies;
use assignments::*;
use definitions::*;
use deny::*;
use permissions::*;

/// The rules of a role management policy nobody has changed, as ARM
/// answers them (for tests and fixtures that show what Rolecall makes of them).
pub fn default_pim_rules() -> Vec<serde_json::Value> {
    pim_policies::default_rules()
}

const ASSIGNMENT_VERSIONS: &[&str] = &[
    "2022-04-01",
    "2020-10-01-preview",
    "2020-04-01-preview",
    "2018-09-01-preview",
    "2015-07-01",
];
const DEFINITION_VERSIONS: &[&str] = &[
    "2022-04-01",
    "2022-05-01-preview",
    "2018-01-01-preview",
    "2015-07-01",
];
const PERMISSION_VERSIONS: &[&str] = &[
    "2022-04-01",
    "2022-05-01-preview",
    "2018-01-01-preview",
    "2015-07-01",
];
const OPERATION_VERSIONS: &[&str] = &["2022-04-01", "2018-01-01-preview", "2015-07-01"];
const DENY_VERSIONS: &[&str] = &["2022-04-01", "2018-07-01-preview", "2015-07-01"];

pub fn handle(ctx: &Ctx<'_>, scope: &str, rest: &str) -> Response {
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let kind = segments[0].to_ascii_lowercase();
    let name = segments.get(1).copied();
    // PIM's ids name a subscription `/providers/Microsoft.Subscription/subscriptions/{id}`.
    let scope = match scope.get(..34) {
        Some(head) if head.eq_ignore_ascii_case("/providers/Microsoft.Subscription/") => {
            &scope[33..]
        }
        _ => scope,
    };
    use crate::arm::model::PimKind;
    let pim_version = |what: &str| {
        check_api_version(ctx, what, pim::PIM_VERSIONS).and_then(|()| pim::licensed(ctx))
    };
    let result = match (kind.as_str(), name, segments.len()) {
        ("roleeligibilityschedulerequests", _, 1..=3) => {
            pim_version("roleEligibilityScheduleRequests").and_then(|()| {
                pim::requests(
                    ctx,
                    scope,
                    PimKind::Eligibility,
                    name,
                    segments.get(2).copied(),
                )
            })
        }
        ("roleassignmentschedulerequests", _, 1..=3) => {
            pim_version("roleAssignmentScheduleRequests").and_then(|()| {
                pim::requests(
                    ctx,
                    scope,
                    PimKind::Assignment,
                    name,
                    segments.get(2).copied(),
                )
            })
        }
        ("roleeligibilityschedules", _, 1 | 2) => pim_version("roleEligibilitySchedules")
            .and_then(|()| pim::schedules(ctx, scope, PimKind::Eligibility, name, false)),
        ("roleeligibilityscheduleinstances", _, 1 | 2) => {
            pim_version("roleEligibilityScheduleInstances")
                .and_then(|()| pim::schedules(ctx, scope, PimKind::Eligibility, name, true))
        }
        ("roleassignmentschedules", _, 1 | 2) => pim_version("roleAssignmentSchedules")
            .and_then(|()| pim::schedules(ctx, scope, PimKind::Assignment, name, false)),
        ("roleassignmentscheduleinstances", _, 1 | 2) => {
            pim_version("roleAssignmentScheduleInstances")
                .and_then(|()| pim::schedules(ctx, scope, PimKind::Assignment, name, true))
        }
        ("rolemanagementpolicies", _, 1 | 2) => pim_version("roleManagementPolicies")
            .and_then(|()| pim_policies::policies(ctx, scope, name)),
        // Their ids say `roleManagementPolicyAssignment` (recorded), which clients follow.
        ("rolemanagementpolicyassignments" | "rolemanagementpolicyassignment", _, 1 | 2) => {
            pim_version("roleManagementPolicyAssignments")
                .and_then(|()| pim_policies::policy_assignments(ctx, scope, name))
        }
        // Approvals live at the root (or under a scope, the spec's second path).
        ("roleassignmentapprovals", _, 1..=4) => {
            check_api_version(ctx, "roleAssignmentApprovals", approvals::APPROVAL_VERSIONS)
                .and_then(|()| pim::licensed(ctx))
                .and_then(|()| {
                    approvals::handle(
                        ctx,
                        name,
                        segments.get(2).copied(),
                        segments.get(3).copied(),
                    )
                })
        }
        ("eligiblechildresources", None, 1) if ctx.method == Method::GET => {
            pim_version("eligibleChildResources")
                .and_then(|()| pim::eligible_child_resources(ctx, scope))
        }
        ("roleassignments", _, 1 | 2) => {
            check_api_version(ctx, "roleAssignments", ASSIGNMENT_VERSIONS)
                .and_then(|()| role_assignments(ctx, scope, name))
        }
        ("roledefinitions", _, 1 | 2) => {
            check_api_version(ctx, "roleDefinitions", DEFINITION_VERSIONS)
                .and_then(|()| role_definitions(ctx, scope, name))
        }
        ("denyassignments", _, 1 | 2) if ctx.method == Method::GET => {
            check_api_version(ctx, "denyAssignments", DENY_VERSIONS)
                .and_then(|()| deny_assignments(ctx, scope, name))
        }
        ("permissions", None, 1) => check_api_version(ctx, "permissions", PERMISSION_VERSIONS)
            .and_then(|()| permissions(ctx, scope)),
        ("elevateaccess", None, 1) if scope.is_empty() && ctx.method == Method::POST => {
            check_api_version(ctx, "elevateAccess", &["2016-07-01", "2015-07-01"])
                .and_then(|()| elevate_access(ctx))
        }
        ("provideroperations", _, 1 | 2) if scope.is_empty() => {
            check_api_version(ctx, "providerOperations", OPERATION_VERSIONS)
                .and_then(|()| provider_operations(ctx, name))
        }
        _ => Err(arm_error(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            &format!(
                "The resource type '{}' could not be found in the namespace 'Microsoft.Authorization'.",
                segments[0]
            ),
        )),
    };
    result.unwrap_or_else(|response| response)
}

/// A scope, checked to exist and be visible to the caller.
struct Scope {
    /// As the caller wrote it (empty for the tenant root `/`).
    text: String,
    /// `/subscriptions/{id}` when under a subscription, else empty.
    subscription_prefix: String,
    subscription_id: Option<String>,
}

fn resolve_scope(
    ctx: &Ctx<'_>,
    arm: &ArmState,
    directory: &Directory,
    scope: &str,
) -> Result<Scope, Response> {
    resolve_scope_for(ctx, arm, directory, scope, false)
}

/// [`resolve_scope`] for PIM's own resources: a principal eligible at, above
/// or below a subscription reaches it there (to read its own schedules and
/// activate) without any role assignment that would show it the
/// subscription elsewhere — the point of eligibility.
fn resolve_pim_scope(
    ctx: &Ctx<'_>,
    arm: &ArmState,
    directory: &Directory,
    scope: &str,
) -> Result<Scope, Response> {
    resolve_scope_for(ctx, arm, directory, scope, true)
}

fn resolve_scope_for(
    ctx: &Ctx<'_>,
    arm: &ArmState,
    directory: &Directory,
    scope: &str,
    pim: bool,
) -> Result<Scope, Response> {
    let text = scope.trim_end_matches('/').to_owned();
    let parts: Vec<&str> = text.trim_start_matches('/').split('/').collect();
    if text.is_empty() {
        return Ok(Scope {
            text,
            subscription_prefix: String::new(),
            subscription_id: None,
        });
    }
    let invalid = || {
        arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidResourceType",
            &format!(
                "The scope '{scope}' is not a management group, subscription, resource group or resource scope."
            ),
        )
    };
    // A management group: `/providers/Microsoft.Management/managementGroups/{id}`.
    if parts.len() == 4
        && parts[0].eq_ignore_ascii_case("providers")
        && parts[1].eq_ignore_ascii_case("Microsoft.Management")
        && parts[2].eq_ignore_ascii_case("managementGroups")
    {
        if arm.management_group(parts[3]).is_none() {
            return Err(arm_error(
                StatusCode::NOT_FOUND,
                "ManagementGroupNotFound",
                &format!("The management group '{}' could not be found.", parts[3]),
            ));
        }
        return Ok(Scope {
            text,
            subscription_prefix: String::new(),
            subscription_id: None,
        });
    }
    if !parts[0].eq_ignore_ascii_case("subscriptions") || parts.len() < 2 {
        return Err(invalid());
    }
    let sub = match super::resources::subscription(ctx, arm, directory, parts[1]) {
        Ok(sub) => sub,
        Err(hidden) if pim => arm
            .subscriptions
            .iter()
            .find(|s| {
                s.id.eq_ignore_ascii_case(parts[1])
                    && pim::reaches(arm, directory, &ctx.caller.oid, &s.id)
            })
            .ok_or(hidden)?,
        Err(hidden) => return Err(hidden),
    };
    let prefix = format!("/subscriptions/{}", parts[1]);
    if parts.len() >= 4 {
        if !parts[2].eq_ignore_ascii_case("resourceGroups") {
            return Err(invalid());
        }
        let group = parts[3];
        if !arm.resource_groups.iter().any(|g| {
            g.subscription_id.eq_ignore_ascii_case(&sub.id) && g.name.eq_ignore_ascii_case(group)
        }) {
            return Err(arm_error(
                StatusCode::NOT_FOUND,
                "ResourceGroupNotFound",
                &format!("Resource group '{group}' could not be found."),
            ));
        }
        if parts.len() > 4
            && !arm
                .resources
                .iter()
                .any(|r| r.scope().eq_ignore_ascii_case(&text))
        {
            return Err(arm_error(
                StatusCode::NOT_FOUND,
                "ResourceNotFound",
                &format!(
                    "The Resource '{}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
                    parts[5..].join("/")
                ),
            ));
        }
    } else if parts.len() == 3 {
        return Err(invalid());
    }
    Ok(Scope {
        text,
        subscription_prefix: prefix,
        subscription_id: Some(sub.id.clone()),
    })
}

fn display_scope(scope: &Scope) -> &str {
    if scope.text.is_empty() {
        "/"
    } else {
        &scope.text
    }
}

fn require(
    ctx: &Ctx<'_>,
    arm: &ArmState,
    directory: &Directory,
    action: &str,
    scope: &Scope,
) -> Result<(), Response> {
    if can(
        arm,
        directory,
        &ctx.caller.oid,
        action,
        display_scope(scope),
    ) {
        Ok(())
    } else {
        Err(ctx.authorization_failed(action, display_scope(scope)))
    }
}

/// The last segment of an ARM id: a role definition's GUID, a schedule's name.
fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok() && text.len() == 36
}

fn disabled_check(arm: &ArmState, subscription_id: Option<&str>) -> Result<(), Response> {
    match subscription_id.and_then(|id| {
        arm.subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(id))
    }) {
        Some(sub) if sub.state != "Enabled" => Err(arm_error(
            StatusCode::CONFLICT,
            "ReadOnlyDisabledSubscription",
            &format!(
                "The subscription '{}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.",
                sub.id
            ),
        )),
        _ => Ok(()),
    }
}

/// `POST /providers/Microsoft.Authorization/elevateAccess`: a Global
/// Administrator gives themself User Access Administrator at the root scope
/// `/` (every management group and subscription), as Azure does; anyone else
/// is refused. Idempotent.
fn elevate_access(ctx: &Ctx<'_>) -> Result<Response, Response> {
    const ACTION: &str = "Microsoft.Authorization/elevateAccess/action";
    let mut state = ctx.shared.state.lock().expect("state lock");
    let state = &mut *state;
    let global_admin = state
        .directory
        .directory_roles_of(&ctx.caller.oid)
        .contains(&crate::directory::role_templates::GLOBAL_ADMINISTRATOR);
    if !global_admin {
        return Err(ctx.authorization_failed(ACTION, "/"));
    }
    let uaa = crate::seed::builtin::USER_ACCESS_ADMINISTRATOR;
    let held = state.arm.role_assignments.iter().any(|a| {
        a.scope.trim_end_matches('/').is_empty()
            && a.role_definition_name.eq_ignore_ascii_case(uaa)
            && a.principal_id.eq_ignore_ascii_case(&ctx.caller.oid)
    });
    if !held {
        let now = arm_timestamp();
        state.arm.role_assignments.push(RoleAssignment {
            name: uuid::Uuid::new_v4().to_string(),
            scope: "/".into(),
            role_definition_name: uaa.into(),
            principal_id: ctx.caller.oid.to_ascii_lowercase(),
            principal_type: "User".into(),
            description: None,
            condition: None,
            condition_version: None,
            created_on: now.clone(),
            updated_on: now,
            created_by: ctx.caller.oid.clone(),
            updated_by: ctx.caller.oid.clone(),
        });
    }
    Ok(StatusCode::OK.into_response())
}
