//! Role assignments.

use super::*;

#[derive(Deserialize)]
pub(super) struct AssignmentBody {
    properties: AssignmentProperties,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssignmentProperties {
    role_definition_id: String,
    principal_id: String,
    principal_type: Option<String>,
    description: Option<String>,
    condition: Option<String>,
    condition_version: Option<String>,
}

pub(super) fn role_assignments(
    ctx: &Ctx<'_>,
    scope: &str,
    name: Option<&str>,
) -> Result<Response, Response> {
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
            // Compared with their management-group chains in front, each made once.
            let at_line = lineage(arm, at);
            let items = arm
                .role_assignments
                .iter()
                .filter(|a| {
                    let line = lineage(arm, &a.scope);
                    scope_covers(&line, &at_line)
                        || (!filter.at_scope && scope_covers(&at_line, &line))
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

pub(super) fn not_found_assignment(name: &str) -> Response {
    arm_error(
        StatusCode::NOT_FOUND,
        "RoleAssignmentNotFound",
        &format!("The role assignment '{name}' is not found."),
    )
}

pub(super) fn method_not_allowed() -> Response {
    arm_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The requested method is not allowed for this resource.",
    )
}

/// `$filter` of role assignment lists: `atScope()`, `principalId eq '…'`,
/// `assignedTo('…')`, joined by `and`.
pub(super) struct AssignmentFilter {
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
pub(super) fn principal_type_of(directory: &Directory, id: &str) -> Option<&'static str> {
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

pub(super) fn create_assignment(
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
    let definition_name = last_segment(&p.role_definition_id).to_owned();
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
            .any(|s| covers(arm, s, &at))
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
    let mut wire = assignment.wire(&scope.subscription_prefix);
    // As recorded: the PUT's answer has `createdBy: null`; reads show who.
    wire["properties"]["createdBy"] = serde_json::Value::Null;
    arm.role_assignments.push(assignment);
    Ok((StatusCode::CREATED, axum::Json(wire)).into_response())
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
