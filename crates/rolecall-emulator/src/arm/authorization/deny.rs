//! Deny assignments (read-only).

use super::*;

pub(super) fn deny_assignments(
    ctx: &Ctx<'_>,
    scope: &str,
    name: Option<&str>,
) -> Result<Response, Response> {
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
                    p.id == crate::arm::model::EVERYONE
                        || holders.contains(&p.id.to_ascii_lowercase())
                })
            })
        })
        .map(crate::arm::model::DenyAssignment::wire)
        .collect();
    drop(state);
    Ok(ctx.paged(items))
}
