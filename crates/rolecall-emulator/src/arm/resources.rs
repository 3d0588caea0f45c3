//! `Microsoft.Resources`: tenants, subscriptions, resource groups and
//! resources (read-only: the demo tenant's estate is seeded).

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::model::ArmState;
use super::rbac::{can, lineage, scope_covers};
use super::{Ctx, check_api_version};
use crate::directory::Directory;
use crate::wire::arm_error;

const SUBSCRIPTION_VERSIONS: &[&str] = &["2022-12-01", "2021-01-01", "2020-01-01", "2016-06-01"];
/// `Microsoft.Resources` resource groups and resources: what current clients
/// send (the Azure CLI 2.91 sends 2024-11-01) and the versions back to 2019.
const RESOURCE_VERSIONS: &[&str] = &[
    "2024-11-01",
    "2024-07-01",
    "2024-03-01",
    "2023-07-01",
    "2022-09-01",
    "2021-04-01",
    "2021-01-01",
    "2020-06-01",
    "2019-10-01",
];

pub fn handle(ctx: &Ctx<'_>) -> Response {
    if ctx.method == Method::POST {
        return register(ctx);
    }
    if ctx.method != Method::GET {
        return arm_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The emulator serves subscriptions, resource groups and resources read-only.",
        );
    }
    let segments: Vec<&str> = ctx.path.trim_matches('/').split('/').collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let state = ctx.shared.state.lock().expect("state lock");
    let (arm, directory) = (&state.arm, &state.directory);
    let result = match lower.as_slice() {
        ["tenants"] => check_api_version(ctx, "tenants", SUBSCRIPTION_VERSIONS).map(|()| tenants(ctx)),
        ["subscriptions"] => check_api_version(ctx, "subscriptions", SUBSCRIPTION_VERSIONS)
            .map(|()| {
                let visible = arm
                    .subscriptions
                    .iter()
                    .filter(|s| sees_subscription(arm, directory, &ctx.caller.oid, &s.id))
                    .map(|s| s.wire(&ctx.shared.tenant.id))
                    .collect();
                paged_with_next_link(ctx, visible)
            }),
        ["subscriptions", _] => check_api_version(ctx, "subscriptions", SUBSCRIPTION_VERSIONS)
            .and_then(|()| subscription(ctx, arm, directory, segments[1]))
            .map(|s| axum::Json(s.wire(&ctx.shared.tenant.id)).into_response()),
        ["subscriptions", _, "resourcegroups"] => check_api_version(ctx, "resourceGroups", RESOURCE_VERSIONS)
            .and_then(|()| subscription(ctx, arm, directory, segments[1]))
            .map(|sub| {
                let groups = arm
                    .resource_groups
                    .iter()
                    .filter(|g| g.subscription_id.eq_ignore_ascii_case(&sub.id))
                    .filter(|g| can(arm, directory, &ctx.caller.oid, "Microsoft.Resources/subscriptions/resourceGroups/read", &g.scope()))
                    .map(|g| g.wire())
                    .collect();
                ctx.paged(groups)
            }),
        ["subscriptions", _, "resourcegroups", _] => check_api_version(ctx, "resourceGroups", RESOURCE_VERSIONS)
            .and_then(|()| resource_group(ctx, arm, directory, segments[1], segments[3]))
            .map(|wire| axum::Json(wire).into_response()),
        ["subscriptions", _, "resources"] => check_api_version(ctx, "resources", RESOURCE_VERSIONS)
            .and_then(|()| subscription(ctx, arm, directory, segments[1]))
            .and_then(|sub| list_resources(ctx, arm, directory, &sub.id, None)),
        ["subscriptions", _, "resourcegroups", _, "resources"] => check_api_version(ctx, "resources", RESOURCE_VERSIONS)
            .and_then(|()| resource_group(ctx, arm, directory, segments[1], segments[3]))
            .and_then(|_| list_resources(ctx, arm, directory, segments[1], Some(segments[3]))),
        ["subscriptions", _, "resourcegroups", _, "providers", _, _, _] => {
            resource_group(ctx, arm, directory, segments[1], segments[3]).and_then(|_| {
                let resource_type = format!("{}/{}", segments[5], segments[6]);
                arm.resources
                    .iter()
                    .find(|r| r.scope().eq_ignore_ascii_case(ctx.path.trim_end_matches('/')))
                    .filter(|r| can(arm, directory, &ctx.caller.oid, &format!("{}/read", r.resource_type), &r.scope()))
                    .map(|r| axum::Json(r.wire()).into_response())
                    .ok_or_else(|| {
                        arm_error(
                            StatusCode::NOT_FOUND,
                            "ResourceNotFound",
                            &format!(
                                "The Resource '{resource_type}/{}' under resource group '{}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
                                segments[7], segments[3]
                            ),
                        )
                    })
            })
        }
        ["subscriptions", _, "providers", namespace] => check_api_version(ctx, "providers", RESOURCE_VERSIONS)
            .and_then(|()| subscription(ctx, arm, directory, segments[1]))
            .and_then(|sub| provider(arm, &sub.id, segments[3], namespace)),
        _ => Err(arm_error(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            &format!("The resource type could not be found in the namespace for path '{}'.", ctx.path),
        )),
    };
    result.unwrap_or_else(|response| response)
}

/// A resource provider's registration (`GET /subscriptions/{id}/providers/{ns}`),
/// which clients read to find a resource type's api-versions before they
/// GET a resource (`az resource show`): the types the estate holds in that
/// namespace, registered, each with the locations used and its api-versions.
fn provider(
    arm: &ArmState,
    sub: &str,
    asked: &str,
    namespace_lower: &str,
) -> Result<Response, Response> {
    let mut types: Vec<(String, Vec<String>)> = Vec::new();
    let mut namespace = None;
    // A provider's registration lists its types whichever subscription holds them.
    for r in &arm.resources {
        let Some((ns, kind)) = r.resource_type.split_once('/') else {
            continue;
        };
        if !ns.eq_ignore_ascii_case(namespace_lower) {
            continue;
        }
        namespace.get_or_insert_with(|| ns.to_owned());
        match types.iter_mut().find(|(t, _)| t.eq_ignore_ascii_case(kind)) {
            Some((_, locations)) if !locations.contains(&r.location) => {
                locations.push(r.location.clone())
            }
            Some(_) => {}
            None => types.push((kind.to_owned(), vec![r.location.clone()])),
        }
    }
    let Some(namespace) = namespace else {
        // A namespace the emulator serves at tenant level: registered, its types listed.
        if let Some((ns, types)) = SERVED_NAMESPACES
            .iter()
            .find(|(ns, _)| ns.eq_ignore_ascii_case(namespace_lower))
        {
            return Ok(axum::Json(json!({
                "id": format!("/subscriptions/{sub}/providers/{ns}"),
                "namespace": ns,
                "registrationState": "Registered",
                "registrationPolicy": "RegistrationRequired",
                "resourceTypes": types.iter().map(|t| json!({
                    "resourceType": t,
                    "locations": [],
                    "apiVersions": PROVIDER_API_VERSIONS,
                    "capabilities": "None",
                })).collect::<Vec<_>>(),
            }))
            .into_response());
        }
        return Err(arm_error(
            StatusCode::NOT_FOUND,
            "InvalidResourceNamespace",
            &format!("The resource namespace '{asked}' is invalid."),
        ));
    };
    let resource_types: Vec<Value> = types
        .into_iter()
        .map(|(resource_type, locations)| {
            json!({
                "resourceType": resource_type,
                "locations": locations,
                "apiVersions": PROVIDER_API_VERSIONS,
                "defaultApiVersion": PROVIDER_API_VERSIONS[0],
                "capabilities": "None",
            })
        })
        .collect();
    Ok(axum::Json(json!({
        "id": format!("/subscriptions/{sub}/providers/{namespace}"),
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": resource_types,
    }))
    .into_response())
}

/// Namespaces the emulator serves at tenant level, always registered.
const SERVED_NAMESPACES: &[(&str, &[&str])] = &[
    ("Microsoft.Management", &["managementGroups", "getEntities"]),
    (
        "Microsoft.Authorization",
        &[
            "roleAssignments",
            "roleDefinitions",
            "permissions",
            "denyAssignments",
        ],
    ),
    (
        "Microsoft.Resources",
        &["subscriptions", "resourceGroups", "tenants"],
    ),
];

/// `POST /subscriptions/{id}/providers/{namespace}/register`, which the Azure
/// CLI sends before its management-group commands: every provider the
/// emulator knows is registered already, so this answers its registration.
fn register(ctx: &Ctx<'_>) -> Response {
    let segments: Vec<&str> = ctx.path.trim_matches('/').split('/').collect();
    let result = match segments.as_slice() {
        [subs, id, providers, namespace, register]
            if subs.eq_ignore_ascii_case("subscriptions")
                && providers.eq_ignore_ascii_case("providers")
                && register.eq_ignore_ascii_case("register") =>
        {
            let state = ctx.shared.state.lock().expect("state lock");
            let (arm, directory) = (&state.arm, &state.directory);
            check_api_version(ctx, "providers", RESOURCE_VERSIONS)
                .and_then(|()| subscription(ctx, arm, directory, id))
                .and_then(|sub| {
                    let action = format!("{namespace}/register/action");
                    let scope = format!("/subscriptions/{}", sub.id);
                    if !can(arm, directory, &ctx.caller.oid, &action, &scope) {
                        return Err(ctx.authorization_failed(&action, &scope));
                    }
                    provider(arm, &sub.id, namespace, &namespace.to_ascii_lowercase())
                })
        }
        _ => Err(arm_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The emulator serves subscriptions, resource groups and resources read-only.",
        )),
    };
    result.unwrap_or_else(|response| response)
}

/// The api-versions the emulator answers a seeded resource's GET with.
const PROVIDER_API_VERSIONS: &[&str] = &["2023-04-03", "2023-01-31", "2022-12-01-preview"];

/// The subscription and tenant list schemas (2022-12-01) require `nextLink`;
/// the last page carries it as null.
fn paged_with_next_link(ctx: &Ctx<'_>, items: Vec<Value>) -> Response {
    let mut value = ctx.paged_value(items);
    if value.get("nextLink").is_none() {
        value["nextLink"] = Value::Null;
    }
    axum::Json(value).into_response()
}

fn tenants(ctx: &Ctx<'_>) -> Response {
    let t = &ctx.shared.tenant;
    paged_with_next_link(
        ctx,
        vec![json!({
            "id": format!("/tenants/{}", t.id),
            "tenantId": t.id,
            "countryCode": "GB",
            "displayName": t.display_name,
            "domains": [t.default_domain],
            "tenantCategory": "Home",
            "defaultDomain": t.default_domain,
            "tenantType": "AAD"
        })],
    )
}

/// ARM lists and shows a subscription to anyone with an assignment at, above
/// or below it (directly or through a group).
pub fn sees_subscription(
    arm: &ArmState,
    directory: &Directory,
    oid: &str,
    subscription_id: &str,
) -> bool {
    let scope = lineage(arm, &format!("/subscriptions/{subscription_id}"));
    let holders = directory.principal_and_groups(oid);
    arm.role_assignments.iter().any(|a| {
        holders.contains(&a.principal_id.to_ascii_lowercase()) && {
            let line = lineage(arm, &a.scope);
            scope_covers(&line, &scope) || scope_covers(&scope, &line)
        }
    })
}

/// A subscription the caller can see, or ARM's 404.
pub fn subscription<'a>(
    ctx: &Ctx<'_>,
    arm: &'a ArmState,
    directory: &Directory,
    id: &str,
) -> Result<&'a super::model::Subscription, Response> {
    arm.subscriptions
        .iter()
        .find(|s| {
            s.id.eq_ignore_ascii_case(id)
                && sees_subscription(arm, directory, &ctx.caller.oid, &s.id)
        })
        .ok_or_else(|| {
            arm_error(
                StatusCode::NOT_FOUND,
                "SubscriptionNotFound",
                &format!("The subscription '{id}' could not be found."),
            )
        })
}

fn resource_group(
    ctx: &Ctx<'_>,
    arm: &ArmState,
    directory: &Directory,
    sub: &str,
    name: &str,
) -> Result<Value, Response> {
    let sub = subscription(ctx, arm, directory, sub)?;
    let group = arm
        .resource_groups
        .iter()
        .find(|g| {
            g.subscription_id.eq_ignore_ascii_case(&sub.id) && g.name.eq_ignore_ascii_case(name)
        })
        .ok_or_else(|| {
            arm_error(
                StatusCode::NOT_FOUND,
                "ResourceGroupNotFound",
                &format!("Resource group '{name}' could not be found."),
            )
        })?;
    if !can(
        arm,
        directory,
        &ctx.caller.oid,
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        &group.scope(),
    ) {
        return Err(ctx.authorization_failed(
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            &group.scope(),
        ));
    }
    Ok(group.wire())
}

/// Resources the caller can read, with `$filter=resourceType eq '…'`.
fn list_resources(
    ctx: &Ctx<'_>,
    arm: &ArmState,
    directory: &Directory,
    sub: &str,
    group: Option<&str>,
) -> Result<Response, Response> {
    // An empty `$filter=` (clients build the query that way) is no filter.
    let expand: Vec<String> = ctx
        .param("$expand")
        .unwrap_or_default()
        .split(',')
        .map(|f| f.trim().to_ascii_lowercase())
        .filter(|f| !f.is_empty())
        .collect();
    let type_filter = match ctx.param("$filter").filter(|f| !f.trim().is_empty()) {
        None => None,
        Some(filter) => Some(parse_eq(filter, "resourceType").ok_or_else(|| {
            arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidFilterInQueryString",
                &format!("Invalid $filter '{filter}' specified in the query string."),
            )
        })?),
    };
    let items = arm
        .resources
        .iter()
        .filter(|r| r.subscription_id.eq_ignore_ascii_case(sub))
        .filter(|r| group.is_none_or(|g| r.resource_group.eq_ignore_ascii_case(g)))
        .filter(|r| {
            type_filter
                .as_deref()
                .is_none_or(|t| r.resource_type.eq_ignore_ascii_case(t))
        })
        .filter(|r| {
            can(
                arm,
                directory,
                &ctx.caller.oid,
                &format!("{}/read", r.resource_type),
                &r.scope(),
            )
        })
        .map(|r| expanded(r.wire(), &expand))
        .collect();
    Ok(ctx.paged(items))
}

/// `$expand=createdTime,changedTime,provisioningState`: those fields, only
/// when asked (the seeded estate has existed since the demo's epoch).
fn expanded(mut wire: Value, expand: &[String]) -> Value {
    const SEEDED: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    for field in expand {
        match field.as_str() {
            "createdtime" => wire["createdTime"] = crate::wire::rfc3339_of(SEEDED).into(),
            "changedtime" => wire["changedTime"] = crate::wire::rfc3339_of(SEEDED).into(),
            "provisioningstate" => wire["provisioningState"] = "Succeeded".into(),
            _ => {}
        }
    }
    wire
}

/// Parses `field eq 'value'` (case-insensitive keyword and field).
pub fn parse_eq(filter: &str, field: &str) -> Option<String> {
    let rest = filter.trim();
    let (name, rest) = rest.split_once(char::is_whitespace)?;
    if !name.eq_ignore_ascii_case(field) {
        return None;
    }
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix("eq")
        .or_else(|| rest.strip_prefix("EQ"))?
        .trim();
    let value = rest.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(value.replace("''", "'"))
}
