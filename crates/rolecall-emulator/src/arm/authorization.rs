//! `Microsoft.Authorization`: role definitions (built-in and custom), role
//! assignments, the caller's effective permissions, and provider operations.
//! Rules and messages follow the 2022-04-01 spec and the recorded traffic in
//! `shared/azure-reference/recorded`.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::model::{ArmState, Permission, PropagatingRole, RoleAssignment, RoleDefinition};
use super::rbac::{can, effective_permissions, scope_covers};
use super::resources::parse_eq;
use super::{Ctx, arm_timestamp, check_api_version};
use crate::directory::Directory;
use crate::faults::{FaultState, roll};
use crate::wire::arm_error;

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
    let result = match (kind.as_str(), name, segments.len()) {
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
                "The scope '{scope}' is not a subscription, resource group or resource scope."
            ),
        )
    };
    if !parts[0].eq_ignore_ascii_case("subscriptions") || parts.len() < 2 {
        return Err(invalid());
    }
    let sub = super::resources::subscription(ctx, arm, directory, parts[1])?;
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

// ---------------------------------------------------------------------------
// Role assignments

#[derive(Deserialize)]
struct AssignmentBody {
    properties: AssignmentProperties,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentProperties {
    role_definition_id: String,
    principal_id: String,
    principal_type: Option<String>,
    description: Option<String>,
    condition: Option<String>,
    condition_version: Option<String>,
}

fn role_assignments(ctx: &Ctx<'_>, scope: &str, name: Option<&str>) -> Result<Response, Response> {
    let mut state = ctx.shared.state.lock().expect("state lock");
    let state = &mut *state;
    let (arm, directory) = (&mut state.arm, &state.directory);
    let mut views = RoleViews {
        propagating: &state.propagating_roles,
        fault_state: &mut state.fault_state,
        seed: ctx.seed,
    };
    let scope = resolve_scope(ctx, arm, directory, scope)?;
    match (&ctx.method, name) {
        (&Method::GET, None) => {
            require(
                ctx,
                arm,
                directory,
                "Microsoft.Authorization/roleAssignments/read",
                &scope,
            )?;
            let filter = AssignmentFilter::parse(ctx.param("$filter"))?;
            let holders = filter.principal.as_deref().map(|id| {
                // assignedTo() reaches through groups; principalId eq does not.
                if filter.assigned_to {
                    directory.principal_and_groups(id)
                } else {
                    vec![id.to_ascii_lowercase()]
                }
            });
            let at = display_scope(&scope);
            let items = arm
                .role_assignments
                .iter()
                .filter(|a| {
                    scope_covers(&a.scope, at) || (!filter.at_scope && scope_covers(at, &a.scope))
                })
                .filter(|a| {
                    holders
                        .as_ref()
                        .is_none_or(|h| h.contains(&a.principal_id.to_ascii_lowercase()))
                })
                .map(|a| a.wire(&scope.subscription_prefix))
                .collect();
            Ok(ctx.paged(items))
        }
        (&Method::GET, Some(name)) => {
            require(
                ctx,
                arm,
                directory,
                "Microsoft.Authorization/roleAssignments/read",
                &scope,
            )?;
            arm.role_assignments
                .iter()
                .find(|a| {
                    a.name.eq_ignore_ascii_case(name)
                        && a.scope.eq_ignore_ascii_case(display_scope(&scope))
                })
                .map(|a| axum::Json(a.wire(&scope.subscription_prefix)).into_response())
                .ok_or_else(|| not_found_assignment(name))
        }
        (&Method::PUT, Some(name)) => {
            let body: AssignmentBody = ctx.json_body()?;
            create_assignment(
                ctx,
                arm,
                directory,
                &mut views,
                &scope,
                name,
                body.properties,
            )
        }
        (&Method::DELETE, Some(name)) => {
            require(
                ctx,
                arm,
                directory,
                "Microsoft.Authorization/roleAssignments/delete",
                &scope,
            )?;
            let at = display_scope(&scope).to_owned();
            match arm.role_assignments.iter().position(|a| {
                a.name.eq_ignore_ascii_case(name) && a.scope.eq_ignore_ascii_case(&at)
            }) {
                Some(i) => {
                    disabled_check(arm, scope.subscription_id.as_deref())?;
                    let removed = arm.role_assignments.remove(i);
                    Ok(axum::Json(removed.wire(&scope.subscription_prefix)).into_response())
                }
                None => Ok(StatusCode::NO_CONTENT.into_response()),
            }
        }
        _ => Err(method_not_allowed()),
    }
}

fn not_found_assignment(name: &str) -> Response {
    arm_error(
        StatusCode::NOT_FOUND,
        "RoleAssignmentNotFound",
        &format!("The role assignment '{name}' is not found."),
    )
}

fn method_not_allowed() -> Response {
    arm_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The requested method is not allowed for this resource.",
    )
}

/// `$filter` of role assignment lists: `atScope()`, `principalId eq '…'`,
/// `assignedTo('…')`, joined by `and`.
struct AssignmentFilter {
    at_scope: bool,
    principal: Option<String>,
    assigned_to: bool,
}

impl AssignmentFilter {
    fn parse(filter: Option<&str>) -> Result<Self, Response> {
        let mut parsed = AssignmentFilter {
            at_scope: false,
            principal: None,
            assigned_to: false,
        };
        let Some(filter) = filter else {
            return Ok(parsed);
        };
        for clause in filter.split(" and ") {
            let clause = clause.trim();
            if clause.eq_ignore_ascii_case("atScope()") {
                parsed.at_scope = true;
            } else if let Some(id) = parse_eq(clause, "principalId") {
                parsed.principal = Some(id);
            } else if let Some(inner) = clause
                .strip_prefix("assignedTo('")
                .and_then(|r| r.strip_suffix("')"))
            {
                parsed.principal = Some(inner.to_owned());
                parsed.assigned_to = true;
            } else {
                return Err(arm_error(
                    StatusCode::BAD_REQUEST,
                    "UnsupportedQuery",
                    &format!(
                        "The filter '{filter}' is not supported. Supported filters are 'atScope()', 'principalId eq {{id}}' and 'assignedTo({{id}})'."
                    ),
                ));
            }
        }
        Ok(parsed)
    }
}

/// The type of a directory object, as `principalType` names it.
fn principal_type_of(directory: &Directory, id: &str) -> Option<&'static str> {
    if directory
        .users
        .iter()
        .any(|u| u.id.eq_ignore_ascii_case(id))
    {
        Some("User")
    } else if directory
        .groups
        .iter()
        .any(|g| g.id.eq_ignore_ascii_case(id))
    {
        Some("Group")
    } else if directory
        .service_principals
        .iter()
        .any(|s| s.id.eq_ignore_ascii_case(id))
    {
        Some("ServicePrincipal")
    } else {
        None
    }
}

fn create_assignment(
    ctx: &Ctx<'_>,
    arm: &mut ArmState,
    directory: &Directory,
    views: &mut RoleViews<'_>,
    scope: &Scope,
    name: &str,
    p: AssignmentProperties,
) -> Result<Response, Response> {
    if !is_guid(name) {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRoleAssignmentId",
            &format!(
                "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
            ),
        ));
    }
    require(
        ctx,
        arm,
        directory,
        "Microsoft.Authorization/roleAssignments/write",
        scope,
    )?;
    disabled_check(arm, scope.subscription_id.as_deref())?;
    let definition_name = p
        .role_definition_id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    // A role still propagating may be missing from this read.
    let Some(definition) = arm
        .role_definitions
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(&definition_name))
        .and_then(|d| views.view(d))
    else {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "RoleDefinitionDoesNotExist",
            &format!("The specified role definition with ID '{definition_name}' does not exist."),
        ));
    };
    let at = display_scope(scope).to_owned();
    if definition.is_custom()
        && !definition
            .assignable_scopes
            .iter()
            .any(|s| scope_covers(s, &at))
    {
        // The code name is this emulator's; ARM refuses such an assignment, but
        // no recording of its exact answer is in the reference material.
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRoleAssignmentScope",
            &format!(
                "The role definition '{}' is not assignable at scope '{at}': its assignable scopes are {}.",
                definition.role_name,
                definition.assignable_scopes.join(", ")
            ),
        ));
    }
    if !is_guid(&p.principal_id) {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidPrincipalId",
            "A valid principal ID must be provided for role assignment.",
        ));
    }
    let Some(actual_type) = principal_type_of(directory, &p.principal_id)
        .filter(|_| directory.replicated(&p.principal_id, ctx.replication_delay))
    else {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "PrincipalNotFound",
            &format!(
                "Principal {} does not exist in the directory {}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
                p.principal_id.replace('-', ""),
                ctx.shared.tenant.id
            ),
        ));
    };
    if let Some(given) = &p.principal_type
        && !given.eq_ignore_ascii_case(actual_type)
    {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "UnmatchedPrincipalType",
            &format!(
                "The PrincipalId '{}' has type '{actual_type}' , which is different from specified PrincipalType '{given}'.",
                p.principal_id.replace('-', "")
            ),
        ));
    }
    // The same name again: an update of the description, or a refusal.
    if let Some(existing) = arm
        .role_assignments
        .iter_mut()
        .find(|a| a.name.eq_ignore_ascii_case(name))
    {
        let same = existing.scope.eq_ignore_ascii_case(&at)
            && existing.principal_id.eq_ignore_ascii_case(&p.principal_id)
            && existing
                .role_definition_name
                .eq_ignore_ascii_case(&definition_name);
        if !same {
            return Err(arm_error(
                StatusCode::BAD_REQUEST,
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ));
        }
        existing.description = p.description;
        existing.updated_on = arm_timestamp();
        existing.updated_by = ctx.caller.oid.clone();
        return Ok((
            StatusCode::OK,
            axum::Json(existing.wire(&scope.subscription_prefix)),
        )
            .into_response());
    }
    // The same grant under another name.
    if let Some(twin) = arm.role_assignments.iter().find(|a| {
        a.scope.eq_ignore_ascii_case(&at)
            && a.principal_id.eq_ignore_ascii_case(&p.principal_id)
            && a.role_definition_name
                .eq_ignore_ascii_case(&definition_name)
    }) {
        return Err(arm_error(
            StatusCode::CONFLICT,
            "RoleAssignmentExists",
            &format!(
                "The role assignment already exists. The ID of the existing role assignment is {}.",
                twin.name.replace('-', "")
            ),
        ));
    }
    let limit = ctx.limits.assignments_per_subscription;
    if let Some(sub) = &scope.subscription_id {
        let prefix = format!("/subscriptions/{sub}");
        if arm
            .role_assignments
            .iter()
            .filter(|a| scope_covers(&prefix, &a.scope))
            .count()
            >= limit
        {
            return Err(arm_error(
                StatusCode::BAD_REQUEST,
                "RoleAssignmentLimitExceeded",
                "No more role assignments can be created (code: RoleAssignmentLimitExceeded).",
            ));
        }
    }
    let now = arm_timestamp();
    let assignment = RoleAssignment {
        name: name.to_ascii_lowercase(),
        scope: at,
        role_definition_name: definition.name.clone(),
        principal_id: p.principal_id.to_ascii_lowercase(),
        principal_type: p.principal_type.unwrap_or_else(|| actual_type.to_owned()),
        description: p.description,
        condition: p.condition,
        condition_version: p.condition_version,
        created_on: now.clone(),
        updated_on: now,
        created_by: ctx.caller.oid.clone(),
        updated_by: ctx.caller.oid.clone(),
    };
    let wire = assignment.wire(&scope.subscription_prefix);
    arm.role_assignments.push(assignment);
    Ok((StatusCode::CREATED, axum::Json(wire)).into_response())
}

// ---------------------------------------------------------------------------
// Role definitions

#[derive(Deserialize)]
struct DefinitionBody {
    #[serde(default)]
    properties: DefinitionProperties,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DefinitionProperties {
    role_name: Option<String>,
    description: Option<String>,
    #[serde(rename = "type")]
    role_type: Option<String>,
    #[serde(default)]
    permissions: Vec<Permission>,
    #[serde(default)]
    assignable_scopes: Vec<String>,
}

/// Where a definition is listed: built-ins everywhere; custom roles where one
/// of their assignable scopes is at, above or below the scope.
fn definition_visible(d: &RoleDefinition, at: &str) -> bool {
    !d.is_custom()
        || d.assignable_scopes
            .iter()
            .any(|s| scope_covers(s, at) || scope_covers(at, s))
}

fn role_definitions(ctx: &Ctx<'_>, scope: &str, name: Option<&str>) -> Result<Response, Response> {
    let mut state = ctx.shared.state.lock().expect("state lock");
    let state = &mut *state;
    let (arm, directory) = (&mut state.arm, &state.directory);
    state
        .propagating_roles
        .retain(|p| p.until > std::time::Instant::now());
    let mut views = RoleViews {
        propagating: &state.propagating_roles,
        fault_state: &mut state.fault_state,
        seed: ctx.seed,
    };
    let scope = resolve_scope(ctx, arm, directory, scope)?;
    let at = display_scope(&scope).to_owned();
    match (&ctx.method, name) {
        (&Method::GET, None) => {
            require(
                ctx,
                arm,
                directory,
                "Microsoft.Authorization/roleDefinitions/read",
                &scope,
            )?;
            let filter = ctx.param("$filter");
            let by_name = filter.and_then(|f| parse_eq(f, "roleName"));
            let by_type = filter.and_then(|f| parse_eq(f, "type"));
            if filter.is_some() && by_name.is_none() && by_type.is_none() {
                return Err(arm_error(
                    StatusCode::BAD_REQUEST,
                    "UnsupportedQuery",
                    "The filter is not supported. Supported filters are 'roleName eq {name}' and 'type eq {type}'.",
                ));
            }
            let items: Vec<Value> = arm
                .role_definitions
                .iter()
                .filter_map(|d| views.view(d))
                .filter(|d| definition_visible(d, &at))
                .filter(|d| {
                    by_name
                        .as_deref()
                        .is_none_or(|n| d.role_name.eq_ignore_ascii_case(n))
                })
                .filter(|d| {
                    by_type
                        .as_deref()
                        .is_none_or(|t| d.role_type.eq_ignore_ascii_case(t))
                })
                .map(|d| d.wire(&scope.subscription_prefix))
                .collect();
            // ARM answers the whole list at once (the recorded `az role definition list`
            // got every role in one page, with no nextLink).
            Ok(axum::Json(serde_json::json!({ "value": items })).into_response())
        }
        (&Method::GET, Some(name)) => {
            require(
                ctx,
                arm,
                directory,
                "Microsoft.Authorization/roleDefinitions/read",
                &scope,
            )?;
            arm.role_definitions
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(name))
                .and_then(|d| views.view(d))
                .map(|d| axum::Json(d.wire(&scope.subscription_prefix)).into_response())
                .ok_or_else(|| definition_not_found(name))
        }
        (&Method::PUT, Some(name)) => {
            let body: DefinitionBody = ctx.json_body()?;
            let written = put_definition(ctx, arm, directory, &scope, name, body.properties)?;
            if !ctx.role_propagation.is_zero() {
                let (name, previous) = written.1;
                state
                    .propagating_roles
                    .retain(|p| !p.name.eq_ignore_ascii_case(&name));
                state.propagating_roles.push(PropagatingRole {
                    name,
                    previous,
                    until: std::time::Instant::now() + ctx.role_propagation,
                });
            }
            Ok(written.0)
        }
        (&Method::DELETE, Some(name)) => {
            require(
                ctx,
                arm,
                directory,
                "Microsoft.Authorization/roleDefinitions/delete",
                &scope,
            )?;
            let Some(i) = arm
                .role_definitions
                .iter()
                .position(|d| d.name.eq_ignore_ascii_case(name))
            else {
                return Ok(StatusCode::NO_CONTENT.into_response());
            };
            if !arm.role_definitions[i].is_custom() {
                return Err(
                    ctx.authorization_failed("Microsoft.Authorization/roleDefinitions/delete", &at)
                );
            }
            if arm
                .role_assignments
                .iter()
                .any(|a| a.role_definition_name.eq_ignore_ascii_case(name))
            {
                return Err(arm_error(
                    StatusCode::CONFLICT,
                    "RoleDefinitionHasAssignments",
                    "There are existing role assignments referencing role (code: RoleDefinitionHasAssignments).",
                ));
            }
            let removed = arm.role_definitions.remove(i);
            let prefix = custom_role_prefix(&removed);
            Ok(axum::Json(removed.wire(&prefix)).into_response())
        }
        _ => Err(method_not_allowed()),
    }
}

/// Role definitions as one read sees them while recent writes propagate:
/// each read of a propagating role sees the new or the previous version
/// (or nothing, for a new role), decided by the run's seed.
struct RoleViews<'a> {
    propagating: &'a [PropagatingRole],
    fault_state: &'a mut FaultState,
    seed: u64,
}

impl<'a> RoleViews<'a> {
    fn view<'d>(&mut self, current: &'d RoleDefinition) -> Option<&'d RoleDefinition>
    where
        'a: 'd,
    {
        let Some(p) = self.propagating.iter().find(|p| {
            p.name.eq_ignore_ascii_case(&current.name) && p.until > std::time::Instant::now()
        }) else {
            return Some(current);
        };
        let n = self.fault_state.next_role_read();
        if roll(self.seed, &format!("role:{}", p.name), n) < 0.5 {
            p.previous.as_ref()
        } else {
            Some(current)
        }
    }
}

fn definition_not_found(name: &str) -> Response {
    arm_error(
        StatusCode::NOT_FOUND,
        "RoleDefinitionDoesNotExist",
        &format!("The specified role definition with ID '{name}' does not exist."),
    )
}

/// A custom role's id lives under the subscription of its first assignable
/// scope, wherever it was PUT (the recorded behaviour).
fn custom_role_prefix(d: &RoleDefinition) -> String {
    d.assignable_scopes
        .iter()
        .find_map(|s| {
            let parts: Vec<&str> = s.trim_start_matches('/').split('/').collect();
            (parts.len() >= 2 && parts[0].eq_ignore_ascii_case("subscriptions"))
                .then(|| format!("/subscriptions/{}", parts[1]))
        })
        .unwrap_or_default()
}

/// What a write leaves behind for propagation: the role's name and its previous version.
type Written = (Response, (String, Option<RoleDefinition>));

fn put_definition(
    ctx: &Ctx<'_>,
    arm: &mut ArmState,
    directory: &Directory,
    scope: &Scope,
    name: &str,
    p: DefinitionProperties,
) -> Result<Written, Response> {
    let bad = |code: &str, message: String| arm_error(StatusCode::BAD_REQUEST, code, &message);
    if !is_guid(name) {
        return Err(bad(
            "InvalidRoleDefinitionId",
            format!(
                "The role definition ID '{name}' is not valid. The role definition ID must be a GUID."
            ),
        ));
    }
    require(
        ctx,
        arm,
        directory,
        "Microsoft.Authorization/roleDefinitions/write",
        scope,
    )?;
    if let Some(t) = &p.role_type
        && !t.eq_ignore_ascii_case("CustomRole")
    {
        return Err(bad(
            "InvalidRoleDefinitionType",
            format!(
                "The role definition '{name}' request is not valid. The Role definition type value '{t}' is not supported. The supported values are 'CustomRole'."
            ),
        ));
    }
    let role_name = p.role_name.unwrap_or_default();
    if role_name.trim().is_empty() {
        return Err(bad(
            "RoleDefinitionNameNullOrEmpty",
            "A role definition must have a non-empty, unique name.".into(),
        ));
    }
    if p.assignable_scopes.is_empty() || p.assignable_scopes.iter().any(|s| s.trim().is_empty()) {
        return Err(bad(
            "MissingAssignableScopes",
            "A role definition must have at least one assignable scope and all assignable scopes must be neither null nor empty.".into(),
        ));
    }
    if let Some(existing) = arm
        .role_definitions
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
        && !existing.is_custom()
    {
        return Err(arm_error(
            StatusCode::CONFLICT,
            "RoleDefinitionExists",
            "The role definition ID is already in use by a built-in role.",
        ));
    }
    // Every assignable scope must exist, be writable by the caller, and be live.
    for (i, assignable) in p.assignable_scopes.iter().enumerate() {
        let is_management_group = assignable
            .to_ascii_lowercase()
            .starts_with("/providers/microsoft.management/managementgroups/");
        if is_management_group {
            if p.permissions
                .iter()
                .any(|b| !b.data_actions.is_empty() || !b.not_data_actions.is_empty())
            {
                // ARM refuses data actions in roles assignable at management
                // groups; the code name is this emulator's (no recording).
                return Err(bad(
                    "InvalidDataActionsAtManagementGroupScope",
                    format!(
                        "'{assignable}' is a management group: a custom role with DataActions or NotDataActions cannot have a management group as an assignable scope."
                    ),
                ));
            }
            return Err(bad(
                "LinkedInvalidPropertyId",
                format!(
                    "Property id '{assignable}' at path 'properties.assignableScopes[{i}]' is invalid: the management group does not exist."
                ),
            ));
        }
        let resolved = resolve_scope(ctx, arm, directory, assignable).map_err(|_| {
            bad(
                "LinkedInvalidPropertyId",
                format!("Property id '{assignable}' at path 'properties.assignableScopes[{i}]' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'."),
            )
        })?;
        require(
            ctx,
            arm,
            directory,
            "Microsoft.Authorization/roleDefinitions/write",
            &resolved,
        )?;
        disabled_check(arm, resolved.subscription_id.as_deref())?;
    }
    let catalogue = &ctx.shared.catalogue;
    for block in &p.permissions {
        for (list, data) in [
            (&block.actions, false),
            (&block.not_actions, false),
            (&block.data_actions, true),
            (&block.not_data_actions, true),
        ] {
            if let Some(invalid) = list.iter().find(|a| !catalogue.pattern_is_valid(a, data)) {
                return Err(bad(
                    "InvalidActionOrNotAction",
                    format!(
                        "'{invalid}' does not match any of the actions supported by the providers."
                    ),
                ));
            }
        }
    }
    if arm.role_definitions.iter().any(|d| {
        d.is_custom()
            && d.role_name.eq_ignore_ascii_case(&role_name)
            && !d.name.eq_ignore_ascii_case(name)
    }) {
        return Err(arm_error(
            StatusCode::CONFLICT,
            "RoleDefinitionWithSameNameExists",
            "A custom role with the same name already exists in this directory.",
        ));
    }
    let now = arm_timestamp();
    let position = arm
        .role_definitions
        .iter()
        .position(|d| d.name.eq_ignore_ascii_case(name));
    let limit = ctx.limits.custom_roles;
    if position.is_none()
        && arm
            .role_definitions
            .iter()
            .filter(|d| d.is_custom())
            .count()
            >= limit
    {
        return Err(bad(
            "RoleDefinitionLimitExceeded",
            "Role definition limit exceeded. No more role definitions can be created.".into(),
        ));
    }
    let permissions = p.permissions;
    let definition = RoleDefinition {
        name: name.to_ascii_lowercase(),
        role_name,
        description: p.description.unwrap_or_default(),
        role_type: "CustomRole".into(),
        permissions,
        assignable_scopes: p.assignable_scopes,
        created_on: Some(
            position
                .and_then(|i| arm.role_definitions[i].created_on.clone())
                .unwrap_or_else(|| now.clone()),
        ),
        updated_on: Some(now),
        created_by: Some(
            position
                .and_then(|i| arm.role_definitions[i].created_by.clone())
                .unwrap_or_else(|| ctx.caller.oid.clone()),
        ),
        updated_by: Some(ctx.caller.oid.clone()),
    };
    let wire = definition.wire(&custom_role_prefix(&definition));
    let key = definition.name.clone();
    let previous = match position {
        Some(i) => Some(std::mem::replace(&mut arm.role_definitions[i], definition)),
        None => {
            arm.role_definitions.push(definition);
            None
        }
    };
    Ok((
        (StatusCode::CREATED, axum::Json(wire)).into_response(),
        (key, previous),
    ))
}

// ---------------------------------------------------------------------------
// Deny assignments (read-only)

fn deny_assignments(ctx: &Ctx<'_>, scope: &str, name: Option<&str>) -> Result<Response, Response> {
    let state = ctx.shared.state.lock().expect("state lock");
    let (arm, directory) = (&state.arm, &state.directory);
    let scope = resolve_scope(ctx, arm, directory, scope)?;
    require(
        ctx,
        arm,
        directory,
        "Microsoft.Authorization/denyAssignments/read",
        &scope,
    )?;
    let at = display_scope(&scope).to_owned();
    if let Some(name) = name {
        return arm
            .deny_assignments
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name) && d.scope.eq_ignore_ascii_case(&at))
            .map(|d| axum::Json(d.wire()).into_response())
            .ok_or_else(|| {
                // The code name is this emulator's; no recording shows ARM's.
                arm_error(
                    StatusCode::NOT_FOUND,
                    "DenyAssignmentNotFound",
                    &format!("The deny assignment '{name}' is not found."),
                )
            });
    }
    // $filter: atScope(), principalId eq '…', denyAssignmentName eq '…', joined by `and`.
    let mut at_scope = false;
    let mut principal = None;
    let mut by_name = None;
    if let Some(filter) = ctx.param("$filter") {
        for clause in filter.split(" and ").map(str::trim) {
            if clause.eq_ignore_ascii_case("atScope()") {
                at_scope = true;
            } else if let Some(id) = parse_eq(clause, "principalId") {
                principal = Some(directory.principal_and_groups(&id));
            } else if let Some(n) = parse_eq(clause, "denyAssignmentName") {
                by_name = Some(n);
            } else {
                return Err(arm_error(
                    StatusCode::BAD_REQUEST,
                    "UnsupportedQuery",
                    &format!(
                        "The filter '{filter}' is not supported. Supported filters are 'atScope()', 'principalId eq {{id}}' and 'denyAssignmentName eq {{name}}'."
                    ),
                ));
            }
        }
    }
    let items = arm
        .deny_assignments
        .iter()
        .filter(|d| scope_covers(&d.scope, &at) || (!at_scope && scope_covers(&at, &d.scope)))
        .filter(|d| {
            by_name
                .as_deref()
                .is_none_or(|n| d.deny_assignment_name.eq_ignore_ascii_case(n))
        })
        .filter(|d| {
            principal.as_ref().is_none_or(|holders| {
                d.principals.iter().any(|p| {
                    p.id == super::model::EVERYONE || holders.contains(&p.id.to_ascii_lowercase())
                })
            })
        })
        .map(super::model::DenyAssignment::wire)
        .collect();
    drop(state);
    Ok(ctx.paged(items))
}

// ---------------------------------------------------------------------------
// Permissions and provider operations

fn permissions(ctx: &Ctx<'_>, scope: &str) -> Result<Response, Response> {
    let state = ctx.shared.state.lock().expect("state lock");
    let scope = resolve_scope(ctx, &state.arm, &state.directory, scope)?;
    let blocks: Vec<Value> = effective_permissions(
        &state.arm,
        &state.directory,
        &ctx.caller.oid,
        display_scope(&scope),
    )
    .into_iter()
    .map(|p| serde_json::to_value(p).expect("permissions serialise"))
    .collect();
    drop(state);
    Ok(ctx.paged(blocks))
}

fn provider_operations(ctx: &Ctx<'_>, namespace: Option<&str>) -> Result<Response, Response> {
    // The spec's default for $expand is resourceTypes.
    let expand = ctx
        .param("$expand")
        .is_none_or(|e| e.eq_ignore_ascii_case("resourceTypes"));
    let shape = |ns: &Value| {
        let mut ns = ns.clone();
        if !expand && let Some(object) = ns.as_object_mut() {
            object.remove("resourceTypes");
        }
        ns
    };
    let catalogue = &ctx.shared.catalogue;
    match namespace {
        Some(name) => catalogue
            .namespace(name)
            .map(|ns| axum::Json(shape(ns)).into_response())
            .ok_or_else(|| {
                arm_error(
                    StatusCode::NOT_FOUND,
                    "ProviderNotFound",
                    &format!("Provider '{name}' not found."),
                )
            }),
        None => Ok(ctx.paged(catalogue.namespaces.iter().map(shape).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_like_arm() {
        let f = AssignmentFilter::parse(Some("atScope() and assignedTo('abc')"))
            .ok()
            .unwrap();
        assert!(f.at_scope && f.assigned_to);
        assert_eq!(f.principal.as_deref(), Some("abc"));
        let f = AssignmentFilter::parse(Some("principalId eq 'x-y'"))
            .ok()
            .unwrap();
        assert!(!f.at_scope && !f.assigned_to);
        assert_eq!(f.principal.as_deref(), Some("x-y"));
        assert!(AssignmentFilter::parse(Some("roleName eq 'Reader'")).is_err());
    }
}
