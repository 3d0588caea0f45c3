//! Microsoft Graph v1.0: the signed-in user and their directory roles, users,
//! groups and service principals (`$filter`, `$search` with
//! `ConsistencyLevel: eventual`, `$top`, `@odata.nextLink`), and app-role
//! assignments with the admin-role rule and Graph's duplicate error.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::directory::{Directory, role_templates};
use crate::faults::GraphLimit;
use crate::server::Shared;
use crate::tokens::{AccessClaims, TokenProblem, random_token};
use crate::wire::graph_error;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(dispatch).with_state(shared)
}

/// An app-role assignment (`appRoleAssignedTo` of a resource service principal).
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct AppRoleAssignment {
    pub id: String,
    pub app_role_id: String,
    pub created: String,
    pub principal_id: String,
    pub principal_type: String,
    pub principal_display_name: String,
    pub resource_id: String,
    pub resource_display_name: String,
}

impl AppRoleAssignment {
    pub fn wire(&self) -> Value {
        json!({
            "id": self.id,
            "deletedDateTime": null,
            "appRoleId": self.app_role_id,
            "createdDateTime": self.created,
            "principalDisplayName": self.principal_display_name,
            "principalId": self.principal_id,
            "principalType": self.principal_type,
            "resourceDisplayName": self.resource_display_name,
            "resourceId": self.resource_id,
        })
    }
}

struct Ctx<'a> {
    shared: &'a Shared,
    claims: AccessClaims,
    request_id: String,
    method: Method,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    headers: &'a HeaderMap,
    body: Bytes,
}

impl Ctx<'_> {
    fn error(&self, status: StatusCode, code: &str, message: &str) -> Response {
        graph_error(status, code, message, &self.request_id)
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn base(&self) -> String {
        format!("{}v1.0", self.shared.urls.graph)
    }

    /// A collection answer with `@odata.context`, `$top` paging and `@odata.nextLink`.
    fn collection(&self, context: &str, items: Vec<Value>) -> Response {
        let top: usize = self
            .param("$top")
            .and_then(|t| t.parse().ok())
            .unwrap_or(100)
            .clamp(1, 999);
        let start: usize = self
            .param("$skiptoken")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let end = (start + top).min(items.len());
        let total = items.len();
        let page: Vec<Value> = items.into_iter().skip(start).take(end - start).collect();
        let mut body = json!({ "@odata.context": format!("{}/$metadata#{context}", self.base()) });
        if self
            .param("$count")
            .is_some_and(|c| c.eq_ignore_ascii_case("true"))
        {
            body["@odata.count"] = total.into();
        }
        if end < total {
            let mut url = url::Url::parse(&format!("{}/{}", self.base(), self.segments.join("/")))
                .expect("Graph URL");
            {
                let mut pairs = url.query_pairs_mut();
                for (k, v) in self
                    .query
                    .iter()
                    .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
                {
                    pairs.append_pair(k, v);
                }
                pairs.append_pair("$skiptoken", &end.to_string());
            }
            body["@odata.nextLink"] = url.to_string().into();
        }
        body["value"] = Value::Array(page);
        axum::Json(body).into_response()
    }
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut response = handle(&shared, method, &uri, &headers, body, &request_id);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("request-id", value.clone());
        response.headers_mut().insert("client-request-id", value);
    }
    response
}

fn handle(
    shared: &Shared,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
    request_id: &str,
) -> Response {
    let unauthorized = |message: &str| {
        graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
            request_id,
        )
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return unauthorized("Access token is empty.");
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !token.contains('.') {
        return unauthorized("IDX14100: JWT is not well formed, there are no dots (.).");
    }
    let claims = match shared
        .key()
        .verify_access_token(token, &shared.graph_audience)
    {
        Ok(claims) => claims,
        Err(TokenProblem::Expired) => {
            return unauthorized("Lifetime validation failed, the token is expired.");
        }
        Err(TokenProblem::WrongAudience) => {
            return unauthorized("Access token validation failure. Invalid audience.");
        }
        Err(TokenProblem::Invalid) => return unauthorized("Access token validation failure."),
    };
    // Revoked sessions, tokens past the run's maximum age, and continuous access evaluation.
    {
        let facts = shared
            .state
            .lock()
            .expect("state lock")
            .session_facts(&claims);
        if facts.revoked || facts.too_old {
            return unauthorized("Lifetime validation failed, the token is expired.");
        }
        if facts.challenged {
            // As recorded from Graph: a 401 with a claims challenge.
            let mut response = unauthorized(
                "Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
            );
            let challenge = format!(
                "Bearer realm=\"\", authorization_uri=\"{}common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"{}\"",
                shared.urls.authority,
                crate::tokens::cae_claims(crate::tokens::now_secs())
            );
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            return response;
        }
    }
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let mut segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    if segments.first().map(String::as_str) != Some("v1.0") {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Invalid version.",
            request_id,
        );
    }
    segments.remove(0);
    // Graph's identity-and-access limits, per application and tenant.
    let (units, write) = graph_cost(&method, &segments);
    let scope_key = format!("{}/{}", claims.tid, claims.appid);
    let charged = {
        let mut state = shared.state.lock().expect("state lock");
        let throttle = state.faults.graph_throttle.clone();
        state
            .fault_state
            .take_graph(&throttle, &scope_key, units, write)
    };
    let used = match charged {
        Ok(used) => used,
        Err((limit, wait)) => return graph_throttled(&scope_key, limit, wait, request_id),
    };
    let ctx = Ctx {
        shared,
        claims,
        request_id: request_id.to_owned(),
        method,
        segments,
        query: url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect(),
        headers,
        body,
    };
    let mut response = route(&ctx).unwrap_or_else(|response| response);
    let headers = response.headers_mut();
    headers.insert(
        "x-ms-resource-unit",
        HeaderValue::from_str(&format!("{units}")).expect("a number"),
    );
    // Said once an application has used 80 % of its limit (as Graph
    // writes it, to one decimal).
    let shown = (used * 10.0).round() / 10.0;
    if shown >= 0.8
        && let Ok(value) = HeaderValue::from_str(&format!("{shown:.1}"))
    {
        headers.insert("x-ms-throttle-limit-percentage", value);
    }
    response
}

/// What one request costs in resource units, and whether it is a write
/// (Microsoft's identity-and-access table: group members 3, transitive
/// members 5, getByIds 3, other reads 1; a write costs 1 unit and 1 write).
fn graph_cost(method: &Method, segments: &[String]) -> (f64, bool) {
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method, segs.as_slice()) {
        (&Method::POST, ["directoryObjects", "getByIds"]) => (3.0, false),
        // Questions asked with POST are reads.
        (
            &Method::POST,
            [
                ..,
                "checkMemberGroups" | "getMemberGroups" | "getMemberObjects",
            ],
        ) => (1.0, false),
        (&Method::GET, ["groups", _, "members", ..]) => (3.0, false),
        (&Method::GET, ["groups", _, "transitiveMembers", ..]) => (5.0, false),
        (&Method::GET | &Method::HEAD, _) => (1.0, false),
        _ => (1.0, true),
    }
}

/// 429 as Graph answers it, with `Retry-After` and the limit that was hit.
fn graph_throttled(scope_key: &str, limit: GraphLimit, wait: u64, request_id: &str) -> Response {
    let mut response = graph_error(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        "Too many requests.",
        request_id,
    );
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        headers.insert(header::RETRY_AFTER, value);
    }
    let (scope, information) = match limit {
        GraphLimit::ResourceUnits => ("ReadWrite", "ResourceUnitLimitExceeded"),
        GraphLimit::Writes => ("Write", "WriteLimitExceeded"),
    };
    if let Ok(value) = HeaderValue::from_str(&format!("Tenant_Application/{scope}/{scope_key}")) {
        headers.insert("x-ms-throttle-scope", value);
    }
    headers.insert(
        "x-ms-throttle-information",
        HeaderValue::from_static(information),
    );
    response
}

fn route(ctx: &Ctx<'_>) -> Result<Response, Response> {
    let segs: Vec<&str> = ctx.segments.iter().map(String::as_str).collect();
    let mut state = ctx.shared.state.lock().expect("state lock");
    let state = &mut *state;
    let directory = &state.directory;
    if ctx.claims.is_app() {
        // An application signed in as itself has no "me", and reads or
        // writes the directory only with application permissions.
        if segs.first() == Some(&"me") {
            return Err(ctx.error(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            ));
        }
        if ctx.claims.roles.is_empty() {
            return Err(ctx.error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ));
        }
    }
    match (&ctx.method, segs.as_slice()) {
        (&Method::GET, ["me"]) => {
            let user = directory
                .user(&ctx.claims.oid)
                .ok_or_else(|| not_found(ctx, &ctx.claims.oid))?;
            let mut body = user_wire(user);
            body["@odata.context"] = format!("{}/$metadata#users/$entity", ctx.base()).into();
            Ok(axum::Json(body).into_response())
        }
        (&Method::GET, ["me", "transitiveMemberOf", "microsoft.graph.directoryRole"]) => {
            let roles = directory
                .directory_roles_of(&ctx.claims.oid)
                .into_iter()
                .map(|template| {
                    json!({
                        "@odata.type": "#microsoft.graph.directoryRole",
                        "id": crate::seed::demo_id(&format!("directoryRole:{template}")),
                        "deletedDateTime": null,
                        "description": null,
                        "displayName": role_templates::display_name(template),
                        "roleTemplateId": template,
                    })
                })
                .collect();
            Ok(ctx.collection("directoryRoles", roles))
        }
        (&Method::GET, ["users"]) => {
            let items = query_objects(
                ctx,
                directory.users.iter().map(user_wire).collect(),
                &[
                    "displayName",
                    "givenName",
                    "surname",
                    "userPrincipalName",
                    "mail",
                    "id",
                    "userType",
                ],
            )?;
            Ok(ctx.collection("users", items))
        }
        (&Method::GET, ["users", id]) => directory
            .user(id)
            .map(|u| axum::Json(user_wire(u)).into_response())
            .ok_or_else(|| not_found(ctx, id)),
        (&Method::GET, ["groups"]) => {
            let items = query_objects(
                ctx,
                directory.groups.iter().map(group_wire).collect(),
                &["displayName", "mail", "mailNickname", "id"],
            )?;
            Ok(ctx.collection("groups", items))
        }
        (&Method::GET, ["groups", id]) => directory
            .groups
            .iter()
            .find(|g| g.id.eq_ignore_ascii_case(id))
            .map(|g| axum::Json(group_wire(g)).into_response())
            .ok_or_else(|| not_found(ctx, id)),
        (&Method::GET, ["servicePrincipals"]) => {
            let items = query_objects(
                ctx,
                directory.service_principals.iter().map(sp_wire).collect(),
                &[
                    "displayName",
                    "appId",
                    "id",
                    "servicePrincipalType",
                    "servicePrincipalNames",
                ],
            )?;
            Ok(ctx.collection("servicePrincipals", items))
        }
        (&Method::POST, ["directoryObjects", "getByIds"]) => get_by_ids(ctx, directory),
        (&Method::GET, ["servicePrincipals", id]) => {
            resource_sp(ctx, directory, id).map(|s| axum::Json(sp_wire(s)).into_response())
        }
        (&Method::GET, ["servicePrincipals", id, "appRoleAssignedTo"]) => {
            let sp = resource_sp(ctx, directory, id)?;
            let items = state
                .app_role_assignments
                .iter()
                .filter(|a| a.resource_id.eq_ignore_ascii_case(&sp.id))
                .map(AppRoleAssignment::wire)
                .collect();
            Ok(ctx.collection(
                &format!("servicePrincipals('{}')/appRoleAssignedTo", sp.id),
                items,
            ))
        }
        // The principal's side: the app roles a user, group or service
        // principal holds (Graph lists them under each).
        (
            &Method::GET,
            [
                kind @ ("users" | "groups" | "servicePrincipals"),
                id,
                "appRoleAssignments",
            ],
        ) => {
            let exists = match *kind {
                "users" => directory.user(id).is_some(),
                "groups" => directory
                    .groups
                    .iter()
                    .any(|g| g.id.eq_ignore_ascii_case(id)),
                _ => directory
                    .service_principals
                    .iter()
                    .any(|s| s.id.eq_ignore_ascii_case(id)),
            };
            if !exists {
                return Err(not_found(ctx, id));
            }
            let items = state
                .app_role_assignments
                .iter()
                .filter(|a| a.principal_id.eq_ignore_ascii_case(id))
                .map(AppRoleAssignment::wire)
                .collect();
            Ok(ctx.collection(&format!("{kind}('{id}')/appRoleAssignments"), items))
        }
        (&Method::POST, ["servicePrincipals", id, "appRoleAssignedTo"]) => {
            let sp = resource_sp(ctx, directory, id)?.clone();
            require_app_role_admin(ctx, directory)?;
            let assignment = new_assignment(ctx, directory, &sp, &state.app_role_assignments)?;
            let mut body = assignment.wire();
            body["@odata.context"] = format!(
                "{}/$metadata#servicePrincipals('{}')/appRoleAssignedTo/$entity",
                ctx.base(),
                sp.id
            )
            .into();
            state.app_role_assignments.push(assignment);
            Ok((StatusCode::CREATED, axum::Json(body)).into_response())
        }
        (&Method::DELETE, ["servicePrincipals", id, "appRoleAssignedTo", assignment]) => {
            let sp = resource_sp(ctx, directory, id)?.clone();
            require_app_role_admin(ctx, directory)?;
            let position = state
                .app_role_assignments
                .iter()
                .position(|a| a.id == *assignment && a.resource_id.eq_ignore_ascii_case(&sp.id))
                .ok_or_else(|| not_found(ctx, assignment))?;
            state.app_role_assignments.remove(position);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(ctx.error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!(
                "Resource not found for the segment '{}'.",
                segs.last().unwrap_or(&"")
            ),
        )),
    }
}

/// `POST /directoryObjects/getByIds`: the objects of `ids` (users, groups,
/// service principals), of the `types` asked when given, each with its
/// `@odata.type`; unknown ids are left out, as Graph does.
fn get_by_ids(ctx: &Ctx<'_>, directory: &Directory) -> Result<Response, Response> {
    #[derive(serde::Deserialize)]
    struct Ask {
        ids: Vec<String>,
        #[serde(default)]
        types: Vec<String>,
    }
    let ask: Ask = serde_json::from_slice(&ctx.body).map_err(|e| {
        ctx.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            &format!("Invalid request body: {e}. Send {{\"ids\": [...], \"types\": [...]}}."),
        )
    })?;
    if ask.ids.len() > 1000 {
        return Err(ctx.error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Too many ids: getByIds takes at most 1000.",
        ));
    }
    let wanted =
        |kind: &str| ask.types.is_empty() || ask.types.iter().any(|t| t.eq_ignore_ascii_case(kind));
    let typed = |mut value: Value, kind: &str| {
        value["@odata.type"] = format!("#microsoft.graph.{kind}").into();
        value
    };
    let mut found = Vec::new();
    for id in &ask.ids {
        if wanted("user")
            && let Some(u) = directory
                .users
                .iter()
                .find(|u| u.id.eq_ignore_ascii_case(id))
        {
            found.push(typed(user_wire(u), "user"));
        } else if wanted("group")
            && let Some(g) = directory
                .groups
                .iter()
                .find(|g| g.id.eq_ignore_ascii_case(id))
        {
            found.push(typed(group_wire(g), "group"));
        } else if wanted("servicePrincipal")
            && let Some(sp) = directory
                .service_principals
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(id))
        {
            found.push(typed(sp_wire(sp), "servicePrincipal"));
        }
    }
    let body = json!({
        "@odata.context": format!("{}/$metadata#directoryObjects", ctx.base()),
        "value": found,
    });
    Ok(axum::Json(body).into_response())
}

/// A service principal as Graph answers it: `servicePrincipalNames` holds
/// its application id (and would hold identifier URIs).
fn sp_wire(sp: &crate::directory::ServicePrincipal) -> Value {
    let mut value = serde_json::to_value(sp).expect("serialises");
    value["servicePrincipalNames"] = json!([sp.app_id]);
    value
}

fn not_found(ctx: &Ctx<'_>, id: &str) -> Response {
    ctx.error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

fn resource_sp<'d>(
    ctx: &Ctx<'_>,
    directory: &'d Directory,
    id: &str,
) -> Result<&'d crate::directory::ServicePrincipal, Response> {
    directory
        .service_principals
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| not_found(ctx, id))
}

/// Assigning app roles takes `AppRoleAssignment.ReadWrite.All` in the token
/// and a directory role that may manage enterprise applications.
fn require_app_role_admin(ctx: &Ctx<'_>, directory: &Directory) -> Result<(), Response> {
    // An application needs the application permission itself, no directory role.
    if ctx.claims.is_app() {
        return if ctx
            .claims
            .roles
            .iter()
            .any(|r| r == "AppRoleAssignment.ReadWrite.All")
        {
            Ok(())
        } else {
            Err(ctx.error(
                StatusCode::FORBIDDEN,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ))
        };
    }
    let scoped = ctx
        .claims
        .scp
        .split_whitespace()
        .any(|s| s == "AppRoleAssignment.ReadWrite.All");
    let roles = directory.directory_roles_of(&ctx.claims.oid);
    let admin = roles.iter().any(|r| {
        [
            role_templates::GLOBAL_ADMINISTRATOR,
            role_templates::APPLICATION_ADMINISTRATOR,
            role_templates::CLOUD_APPLICATION_ADMINISTRATOR,
        ]
        .contains(r)
    });
    if scoped && admin {
        Ok(())
    } else {
        Err(ctx.error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewAssignment {
    principal_id: String,
    resource_id: String,
    app_role_id: String,
}

fn new_assignment(
    ctx: &Ctx<'_>,
    directory: &Directory,
    sp: &crate::directory::ServicePrincipal,
    existing: &[AppRoleAssignment],
) -> Result<AppRoleAssignment, Response> {
    let bad = |message: &str| ctx.error(StatusCode::BAD_REQUEST, "Request_BadRequest", message);
    let body: NewAssignment = serde_json::from_slice(&ctx.body)
        .map_err(|e| bad(&format!("Invalid request body: {e}")))?;
    if !body.resource_id.eq_ignore_ascii_case(&sp.id) {
        return Err(bad(
            "The resourceId in the request body does not match the service principal in the URL.",
        ));
    }
    let Some(role) = sp
        .app_roles
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(&body.app_role_id) && r.is_enabled)
    else {
        return Err(bad(&format!(
            "Permission being assigned was not found on application '{}'.",
            sp.app_id
        )));
    };
    let (principal_type, name) = if let Some(u) = directory
        .users
        .iter()
        .find(|u| u.id.eq_ignore_ascii_case(&body.principal_id))
    {
        ("User", u.display_name.clone())
    } else if let Some(g) = directory
        .groups
        .iter()
        .find(|g| g.id.eq_ignore_ascii_case(&body.principal_id))
    {
        ("Group", g.display_name.clone())
    } else if let Some(s) = directory
        .service_principals
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(&body.principal_id))
    {
        ("ServicePrincipal", s.display_name.clone())
    } else {
        return Err(not_found(ctx, &body.principal_id));
    };
    // A role for "User" members also takes groups; one for "Application" takes service principals.
    let allowed = role
        .allowed_member_types
        .iter()
        .any(|t| match principal_type {
            "User" | "Group" => t == "User",
            _ => t == "Application",
        });
    if !allowed {
        return Err(bad(&format!(
            "The app role '{}' cannot be assigned to a {principal_type}.",
            role.value
        )));
    }
    if existing.iter().any(|a| {
        a.resource_id.eq_ignore_ascii_case(&sp.id)
            && a.principal_id.eq_ignore_ascii_case(&body.principal_id)
            && a.app_role_id.eq_ignore_ascii_case(&role.id)
    }) {
        return Err(bad(
            "Permission being assigned already exists on the object",
        ));
    }
    Ok(AppRoleAssignment {
        id: random_token(32),
        app_role_id: role.id.clone(),
        created: crate::wire::now_rfc3339(),
        principal_id: body.principal_id.to_ascii_lowercase(),
        principal_type: principal_type.into(),
        principal_display_name: name,
        resource_id: sp.id.clone(),
        resource_display_name: sp.display_name.clone(),
    })
}

fn user_wire(u: &crate::directory::User) -> Value {
    let (given, surname) = u
        .display_name
        .split_once(' ')
        .unwrap_or((&u.display_name, ""));
    json!({
        "id": u.id,
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": given,
        "surname": surname,
        "jobTitle": null,
        "mail": u.mail,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "userPrincipalName": u.user_principal_name,
        "userType": u.user_type,
        "accountEnabled": u.account_enabled,
    })
}

fn group_wire(g: &crate::directory::Group) -> Value {
    let mut value = serde_json::to_value(g).expect("serialises");
    if let Some(object) = value.as_object_mut() {
        object.remove("members"); // a navigation property, not part of the group
    }
    value["mail"] = Value::Null;
    value["mailEnabled"] = false.into();
    value["groupTypes"] = json!([]);
    value
}

/// `$filter` (`prop eq 'v'`, `startswith(prop,'v')`, joined by `or`) and
/// The tokens Graph's `$search` matches a text's start against, lowercased:
/// it splits at spaces and special characters, at a change from a lowercase
/// letter to an uppercase one (`AzureCommunicationsGateway` is `azure`,
/// `communications`, `gateway`) and between letters and digits.
fn search_tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let splits = match previous {
            None => false,
            Some(p) => {
                !c.is_alphanumeric()
                    || (p.is_lowercase() && c.is_uppercase())
                    || (p.is_alphabetic() && c.is_numeric())
                    || (p.is_numeric() && c.is_alphabetic())
            }
        };
        if splits && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        }
        previous = Some(c);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens.into_iter()
}

/// `$search` (`"prop:text"`, only with `ConsistencyLevel: eventual`).
fn query_objects(
    ctx: &Ctx<'_>,
    items: Vec<Value>,
    searchable: &[&str],
) -> Result<Vec<Value>, Response> {
    let mut items = items;
    if let Some(search) = ctx.param("$search") {
        let eventual = ctx
            .headers
            .get("ConsistencyLevel")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
        if !eventual {
            return Err(ctx.error(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
            ));
        }
        let terms: Vec<(String, String)> = search
            .split(" OR ")
            .filter_map(|t| {
                let t = t.trim().trim_matches('"');
                let (prop, text) = t.split_once(':')?;
                Some((prop.to_owned(), text.to_lowercase()))
            })
            .collect();
        if terms.is_empty()
            || terms
                .iter()
                .any(|(p, _)| !searchable.iter().any(|s| s.eq_ignore_ascii_case(p)))
        {
            return Err(ctx.error(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                &format!("Unsupported query: $search={search}"),
            ));
        }
        // Graph's $search matches the start of any token of the property.
        items.retain(|item| {
            terms.iter().any(|(prop, text)| {
                item[prop.as_str()].as_str().is_some_and(|v| {
                    search_tokens(v).any(|token| token.starts_with(text.as_str()))
                        || v.to_lowercase().starts_with(text.as_str())
                })
            })
        });
    }
    if let Some(filter) = ctx.param("$filter") {
        let mut clauses = Vec::new();
        for clause in filter.split(" or ") {
            let parsed = parse_clause(clause.trim())
                .filter(|(prop, _, _)| searchable.iter().any(|s| s.eq_ignore_ascii_case(prop)));
            clauses.push(parsed.ok_or_else(|| {
                ctx.error(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    &format!("Unsupported or invalid query filter clause specified: '{clause}'."),
                )
            })?);
        }
        items.retain(|item| {
            clauses.iter().any(|(prop, value, how)| match how {
                Match::StartsWith => item[prop.as_str()]
                    .as_str()
                    .is_some_and(|v| v.to_lowercase().starts_with(&value.to_lowercase())),
                Match::Equals => item[prop.as_str()]
                    .as_str()
                    .is_some_and(|v| v.eq_ignore_ascii_case(value)),
                Match::Any => item[prop.as_str()].as_array().is_some_and(|values| {
                    values
                        .iter()
                        .any(|v| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(value)))
                }),
            })
        });
    }
    Ok(items)
}

/// How a `$filter` clause compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Equals,
    StartsWith,
    /// A collection property holds the value: `prop/any(c:c eq 'v')`.
    Any,
}

/// `prop eq 'v'`, `startswith(prop,'v')`, `prop/any(c:c eq 'v')`.
fn parse_clause(clause: &str) -> Option<(String, String, Match)> {
    // An OData string literal: quoted, with any inner quote doubled.
    let literal = |text: &str| -> Option<String> {
        let inner = text.trim().strip_prefix('\'')?.strip_suffix('\'')?;
        (!inner.replace("''", "").contains('\'')).then(|| inner.replace("''", "'"))
    };
    if let Some(inner) = clause
        .strip_prefix("startswith(")
        .and_then(|c| c.strip_suffix(')'))
    {
        let (prop, value) = inner.split_once(',')?;
        return Some((prop.trim().to_owned(), literal(value)?, Match::StartsWith));
    }
    if let Some((prop, lambda)) = clause.split_once("/any(")
        && let Some(lambda) = lambda.strip_suffix(')')
    {
        let (var, test) = lambda.split_once(':')?;
        let (left, value) = test.split_once(" eq ")?;
        if left.trim() != var.trim() || prop.contains(char::is_whitespace) {
            return None;
        }
        return Some((prop.trim().to_owned(), literal(value)?, Match::Any));
    }
    let (prop, rest) = clause.split_once(" eq ")?;
    let prop = prop.trim();
    if prop.contains(char::is_whitespace) {
        return None;
    }
    Some((prop.to_owned(), literal(rest)?, Match::Equals))
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn search_tokens_split_as_graph_splits() {
        let tokens: Vec<String> = super::search_tokens("AzureCommunicationsGateway").collect();
        assert_eq!(tokens, ["azure", "communications", "gateway"]);
        let tokens: Vec<String> = super::search_tokens("id-voice-deploy2 (EMEA)").collect();
        assert_eq!(tokens, ["id", "voice", "deploy", "2", "emea"]);
    }
}
