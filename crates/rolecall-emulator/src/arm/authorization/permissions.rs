//! Permissions and provider operations.

use super::*;

pub(super) fn permissions(ctx: &Ctx<'_>, scope: &str) -> Result<Response, Response> {
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

pub(super) fn provider_operations(
    ctx: &Ctx<'_>,
    namespace: Option<&str>,
) -> Result<Response, Response> {
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
