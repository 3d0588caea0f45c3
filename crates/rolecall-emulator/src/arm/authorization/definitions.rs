//! Role definitions.

use super::*;

#[derive(Deserialize)]
pub(super) struct DefinitionBody {
    #[serde(default)]
    properties: DefinitionProperties,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct DefinitionProperties {
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
pub(super) fn definition_visible(arm: &ArmState, d: &RoleDefinition, at: &str) -> bool {
    !d.is_custom()
        || d.assignable_scopes
            .iter()
            .any(|s| covers(arm, s, at) || covers(arm, at, s))
}

pub(super) fn role_definitions(
    ctx: &Ctx<'_>,
    scope: &str,
    name: Option<&str>,
) -> Result<Response, Response> {
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
                .filter(|d| definition_visible(arm, d, &at))
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
pub(super) struct RoleViews<'a> {
    pub(super) propagating: &'a [PropagatingRole],
    pub(super) fault_state: &'a mut FaultState,
    pub(super) seed: u64,
}

impl<'a> RoleViews<'a> {
    pub(super) fn view<'d>(&mut self, current: &'d RoleDefinition) -> Option<&'d RoleDefinition>
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

pub(super) fn definition_not_found(name: &str) -> Response {
    arm_error(
        StatusCode::NOT_FOUND,
        "RoleDefinitionDoesNotExist",
        &format!("The specified role definition with ID '{name}' does not exist."),
    )
}

/// A custom role's id lives under the subscription of its first assignable
/// scope, wherever it was PUT (the recorded behaviour).
pub(super) fn custom_role_prefix(d: &RoleDefinition) -> String {
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
pub(super) type Written = (Response, (String, Option<RoleDefinition>));

pub(super) fn put_definition(
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
    let mut wire = definition.wire(&custom_role_prefix(&definition));
    // As recorded: the PUT's answer has `createdBy: null`; reads show who.
    wire["properties"]["createdBy"] = serde_json::Value::Null;
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
