//! Microsoft Entra ID (identity platform v2.0), as a public client sees it.
//!
//! Discovery, JWKS, the authorization endpoint (a sign-in page listing the
//! tenant's users, or automatic sign-in for automation) and the token endpoint
//! (`authorization_code` with PKCE, `refresh_token` with rotation).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::json;

use crate::server::Shared;
use crate::tokens::{
    AccessClaims, CODE_LIFETIME, DEVICE_CODE_LIFETIME, IdClaims, PendingCode, PendingDevice,
    client_info, now_secs, pkce_matches, random_token,
};
use crate::wire::{entra_error, entra_error_with};

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(jwks))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize).post(authorize_form),
        )
        .route("/{tenant}/oauth2/v2.0/token", axum::routing::post(token))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            axum::routing::post(device_code),
        )
        .route("/devicelogin", get(device_login).post(device_login_form))
        .with_state(shared)
}

/// The pages a system browser sees, served on plain HTTP on loopback (a
/// browser does not trust the emulator's CA): "Pick an account" and the
/// device-code page. Nothing here hands out a token.
pub fn browser_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize).post(authorize_form),
        )
        .route("/devicelogin", get(device_login).post(device_login_form))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            loopback_host_only,
        ))
        .with_state(shared)
}

/// The plain-HTTP sign-in pages answer only requests addressed to the
/// loopback by name (`127.0.0.1`, `localhost`, `[::1]` on their own port):
/// a web page that rebinds its own host name to 127.0.0.1 (DNS rebinding)
/// gets 421, not the demo tenant's users.
async fn loopback_host_only(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let port = url::Url::parse(&shared.urls.browser)
        .ok()
        .and_then(|u| u.port());
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let allowed = port.is_some_and(|port| {
        ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|name| host.eq_ignore_ascii_case(&format!("{name}:{port}")))
    });
    if !allowed {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "This sign-in page answers only on this computer's loopback address.",
        )
            .into_response();
    }
    next.run(request).await
}

// ---------------------------------------------------------------------------
// Device code (RFC 8628), for machines without a browser

async fn device_code(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(form): Form<Params>,
) -> Response {
    if !tenant_known(&shared, &tenant) {
        return unknown_tenant(&tenant);
    }
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client_id) = get("client_id") else {
        return missing("client_id");
    };
    let Some(scope) = get("scope") else {
        return missing("scope");
    };
    let mut state = shared.state.lock().expect("state lock");
    if state.directory.public_client(client_id).is_none() {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'.",
                shared.tenant.display_name
            ),
        );
    }
    let scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
    if let Err(response) = resolve_grant(&shared, &scopes) {
        return response;
    }
    let device_code = random_token(48);
    let user_code = crate::tokens::user_code();
    state.tokens.device_codes.insert(
        device_code.clone(),
        PendingDevice {
            user_code: user_code.clone(),
            client_id: client_id.to_owned(),
            scopes,
            issued_at: now_secs(),
            approved_user: None,
        },
    );
    let interval = state.settings.device_code_interval;
    drop(state);
    let verification_uri = format!("{}devicelogin", shared.urls.browser);
    let mut response = axum::Json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": DEVICE_CODE_LIFETIME.as_secs(),
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    }))
    .into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:'Segoe UI',sans-serif;background:#f2f2f2}}main{{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}}\
         ul{{list-style:none;padding:0}}button{{width:100%;text-align:left;padding:.6rem;margin:.2rem 0;border:1px solid #ccc;background:#fff;cursor:pointer}}\
         input{{font-size:1.2rem;padding:.4rem;width:100%;box-sizing:border-box}}\
         button:hover,button:focus{{background:#e6f0fa}}span{{color:#555;font-size:.9em}}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    );
    let mut response = Html(html).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

const ENTER_CODE: &str = "<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>\
<form method=\"post\" action=\"/devicelogin\"><label for=\"otc\">Code</label>\
<input id=\"otc\" name=\"otc\" autocomplete=\"off\" autofocus><p><button type=\"submit\">Next</button></p></form>";

async fn device_login() -> Response {
    page("Enter code", ENTER_CODE)
}

/// The code, then the account: approves the waiting device-code sign-in.
async fn device_login_form(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<Params>,
) -> Response {
    let code: String = form
        .get("otc")
        .map(|c| c.trim().to_ascii_uppercase().replace('-', ""))
        .unwrap_or_default();
    let mut state = shared.state.lock().expect("state lock");
    let now = now_secs();
    let found = state
        .tokens
        .device_codes
        .iter()
        .find(|(_, p)| p.user_code == code && now <= p.issued_at + DEVICE_CODE_LIFETIME.as_secs())
        .map(|(k, _)| k.clone());
    let Some(device) = found else {
        drop(state);
        return page(
            "Enter code",
            &format!(
                "<p role=\"alert\">That code didn't work. Check the code and try again.</p>{ENTER_CODE}"
            ),
        );
    };
    let choice = state
        .settings
        .auto_sign_in
        .clone()
        .or_else(|| form.get("rolecall_user").cloned());
    let Some(choice) = choice else {
        let buttons: String = state
            .directory
            .users
            .iter()
            .filter(|u| u.account_enabled)
            .map(|u| {
                format!(
                    "<li><button type=\"submit\" name=\"rolecall_user\" value=\"{}\" data-upn=\"{}\"><strong>{}</strong><br><span>{}</span></button></li>",
                    escape(&u.id),
                    escape(&u.user_principal_name),
                    escape(&u.display_name),
                    escape(&u.user_principal_name)
                )
            })
            .collect();
        drop(state);
        return page(
            "Pick an account",
            &format!(
                "<h1>Pick an account</h1><form method=\"post\" action=\"/devicelogin\"><input type=\"hidden\" name=\"otc\" value=\"{}\"><ul>{buttons}</ul></form>",
                escape(&code)
            ),
        );
    };
    let Some(user_id) = state.directory.user(&choice).map(|u| u.id.clone()) else {
        drop(state);
        return error_page(
            50034,
            "The user account does not exist in this directory. To sign into this application, the account must be added to the directory.",
        );
    };
    if let Some(pending) = state.tokens.device_codes.get_mut(&device) {
        pending.approved_user = Some(user_id);
    }
    drop(state);
    page(
        "Signed in",
        "<h1>You're signed in</h1><p>You have signed in to the application on your device. You may now close this window.</p>",
    )
}

/// Whether the tenant segment of a path designates this tenant.
fn tenant_known(shared: &Shared, tenant: &str) -> bool {
    ["organizations", "common"].contains(&tenant.to_ascii_lowercase().as_str())
        || shared.tenant.answers_to(tenant)
}

fn unknown_tenant(tenant: &str) -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
        &format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

async fn jwks(State(shared): State<Arc<Shared>>, Path(tenant): Path<String>) -> Response {
    if !tenant_known(&shared, &tenant) {
        return unknown_tenant(&tenant);
    }
    let issuer = format!("{}{}/v2.0", shared.urls.authority, shared.tenant.id);
    axum::Json(shared.key.jwks(&issuer)).into_response()
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`, shaped like the
/// recorded answer of login.microsoftonline.com. For `organizations` and
/// `common` the issuer keeps the literal `{tenantid}` placeholder, as Entra's does.
async fn openid_configuration(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
) -> Response {
    let tid = if ["organizations", "common"].contains(&tenant.to_ascii_lowercase().as_str()) {
        "{tenantid}".to_string()
    } else if shared.tenant.answers_to(&tenant) {
        shared.tenant.id.clone()
    } else {
        return unknown_tenant(&tenant);
    };
    let authority = shared.urls.authority.trim_end_matches('/');
    let path_tenant = if tid == "{tenantid}" {
        tenant.as_str()
    } else {
        tid.as_str()
    };
    let graph = shared.urls.graph.trim_end_matches('/');
    let graph_host = graph.trim_start_matches("https://");
    axum::Json(json!({
        "token_endpoint": format!("{authority}/{path_tenant}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{authority}/{path_tenant}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{authority}/{tid}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{graph}/oidc/userinfo"),
        "authorization_endpoint": format!("{authority}/{path_tenant}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{authority}/{path_tenant}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{authority}/{path_tenant}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": "EU",
        "cloud_instance_name": "rolecall.emulator",
        "cloud_graph_host_name": graph_host,
        "msgraph_host": graph_host,
        "rbac_url": "https://pas.windows.net"
    }))
    .into_response()
}

// ---------------------------------------------------------------------------
// Authorization endpoint

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An error Entra shows on its own page, because the redirect URI cannot be trusted.
fn error_page(aadsts: u32, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\
         <body style=\"font-family:sans-serif;max-width:40rem;margin:4rem auto\"><h1>Sign in</h1>\
         <p role=\"alert\">AADSTS{aadsts}: {}</p></body></html>",
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// A redirect back to the client carrying `error` and `error_description`.
fn redirect_error(
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    aadsts: u32,
    message: &str,
) -> Response {
    let mut url = url_with_query(redirect_uri);
    url.query_pairs_mut()
        .append_pair("error", error)
        .append_pair("error_description", &format!("AADSTS{aadsts}: {message}"));
    if let Some(state) = state {
        url.query_pairs_mut().append_pair("state", state);
    }
    Redirect::to(url.as_str()).into_response()
}

fn url_with_query(redirect_uri: &str) -> url::Url {
    url::Url::parse(redirect_uri).expect("redirect URIs are validated before use")
}

type Params = HashMap<String, String>;

async fn authorize(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    authorize_impl(&shared, &tenant, &params, None)
}

/// The sign-in page posts back here with the chosen user.
async fn authorize_form(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(params): Form<Params>,
) -> Response {
    let user = params.get("rolecall_user").cloned();
    authorize_impl(&shared, &tenant, &params, user)
}

fn authorize_impl(
    shared: &Shared,
    tenant: &str,
    params: &Params,
    chosen: Option<String>,
) -> Response {
    let get = |k: &str| params.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if !tenant_known(shared, tenant) {
        return error_page(
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let state = shared.state.lock().expect("state lock");
    // Until the client and redirect URI are known good, errors stay on Entra's page.
    let Some(client_id) = get("client_id") else {
        return error_page(
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let Some(app) = state.directory.public_client(client_id) else {
        return error_page(
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                shared.tenant.display_name
            ),
        );
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(
            900144,
            "The request body must contain the following parameter: 'redirect_uri'.",
        );
    };
    if url::Url::parse(redirect_uri).is_err()
        || !crate::directory::redirect_uri_allowed(&app.public_client_redirect_uris, redirect_uri)
    {
        return error_page(
            50011,
            &format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."
            ),
        );
    }
    let client_state = get("state");
    if get("response_type") != Some("code") {
        return redirect_error(
            redirect_uri,
            client_state,
            "unsupported_response_type",
            700054,
            "response_type 'id_token' is not enabled for the application.",
        );
    }
    let Some(scope) = get("scope") else {
        return redirect_error(
            redirect_uri,
            client_state,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    };
    let challenge = get("code_challenge").unwrap_or("");
    match get("code_challenge_method") {
        _ if challenge.is_empty() => {}
        Some("S256") => {}
        _ => {
            return redirect_error(
                redirect_uri,
                client_state,
                "invalid_request",
                501491,
                "Invalid size of Code_Challenge parameter, or unsupported Code_Challenge_Method: only S256 is accepted.",
            );
        }
    }

    // Who signs in: the automation setting, the page's choice, or the page itself.
    let user_id = match (&state.settings.auto_sign_in, chosen) {
        (Some(upn), _) => state.directory.user(upn).map(|u| u.id.clone()),
        (None, Some(choice)) => state.directory.user(&choice).map(|u| u.id.clone()),
        (None, None) => {
            let page = sign_in_page(shared, tenant, params, &state.directory.users);
            drop(state);
            return page;
        }
    };
    drop(state);
    let Some(user_id) = user_id else {
        return error_page(
            50034,
            "The user account does not exist in this directory. To sign into this application, the account must be added to the directory.",
        );
    };
    let code = random_token(64);
    let mut state = shared.state.lock().expect("state lock");
    // Signing in interactively is where a user consents to what the app asks for.
    let graph = shared.graph_audience.trim_end_matches('/').to_owned();
    let asked: Vec<String> = scope
        .split_whitespace()
        .filter_map(|s| graph_scope_name(s, &graph))
        .collect();
    if let Some(app) = state
        .directory
        .applications
        .iter_mut()
        .find(|a| a.app_id.eq_ignore_ascii_case(client_id))
    {
        for name in asked {
            if !app
                .consented_graph_scopes
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&name))
            {
                app.consented_graph_scopes.push(name);
            }
        }
    }
    state.tokens.codes.insert(
        code.clone(),
        PendingCode {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: challenge.to_owned(),
            scopes: scope.split_whitespace().map(str::to_owned).collect(),
            user_id,
            issued_at: now_secs(),
        },
    );
    drop(state);
    let mut url = url_with_query(redirect_uri);
    url.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = client_state {
        url.query_pairs_mut().append_pair("state", s);
    }
    url.query_pairs_mut()
        .append_pair("session_state", &uuid::Uuid::new_v4().to_string());
    Redirect::to(url.as_str()).into_response()
}

/// "Pick an account": the tenant's enabled users, each a button that posts
/// the original request back with the choice.
fn sign_in_page(
    shared: &Shared,
    tenant: &str,
    params: &Params,
    users: &[crate::directory::User],
) -> Response {
    let hidden: String = params
        .iter()
        .filter(|(k, _)| k.as_str() != "rolecall_user")
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let buttons: String = users
        .iter()
        .filter(|u| u.account_enabled)
        .map(|u| {
            format!(
                "<li><button type=\"submit\" name=\"rolecall_user\" value=\"{}\" data-upn=\"{}\"><strong>{}</strong><br><span>{}</span></button></li>",
                escape(&u.id),
                escape(&u.user_principal_name),
                escape(&u.display_name),
                escape(&u.user_principal_name)
            )
        })
        .collect();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title>\
         <style>body{{font-family:'Segoe UI',sans-serif;background:#f2f2f2}}main{{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}}\
         ul{{list-style:none;padding:0}}button{{width:100%;text-align:left;padding:.6rem;margin:.2rem 0;border:1px solid #ccc;background:#fff;cursor:pointer}}\
         button:hover,button:focus{{background:#e6f0fa}}span{{color:#555;font-size:.9em}}</style></head>\
         <body><main><h1>Pick an account</h1><p>{} &middot; Rolecall emulator</p>\
         <form method=\"post\" action=\"/{}/oauth2/v2.0/authorize\">{hidden}<ul>{buttons}</ul></form></main></body></html>",
        escape(&shared.tenant.display_name),
        escape(tenant)
    );
    let mut response = Html(body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

// ---------------------------------------------------------------------------
// Token endpoint

/// The one resource a token request asks for, and the scopes granted on it.
struct Grant {
    audience: String,
    /// Scopes as the `scope` field of the answer lists them.
    granted: Vec<String>,
    /// The access token's `scp` claim.
    scp: String,
}

const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
const GRAPH_DEFAULT: [&str; 4] = [
    "AppRoleAssignment.ReadWrite.All",
    "Application.Read.All",
    "Directory.Read.All",
    "User.Read",
];

/// Maps requested scopes to one resource, as Entra does; more than one
/// resource in one request is AADSTS28000.
fn resolve_grant(shared: &Shared, scopes: &[String]) -> Result<Grant, Response> {
    let arm = shared.arm_audience.trim_end_matches('/').to_owned();
    let graph = shared.graph_audience.trim_end_matches('/').to_owned();
    let mut resources: Vec<(String, String)> = Vec::new(); // (audience, scope name)
    for scope in scopes.iter().filter(|s| !OIDC_SCOPES.contains(&s.as_str())) {
        let (resource, name) = match scope.rsplit_once('/') {
            Some((resource, name)) => (resource.trim_end_matches('/').to_owned(), name.to_owned()),
            None => (graph.clone(), scope.clone()), // bare scopes are Graph's
        };
        let audience = if resource.eq_ignore_ascii_case(&arm)
            || resource.eq_ignore_ascii_case("https://management.core.windows.net")
        {
            arm.clone()
        } else if resource.eq_ignore_ascii_case(&graph)
            || resource == "00000003-0000-0000-c000-000000000000"
        {
            graph.clone()
        } else {
            return Err(entra_error(
                StatusCode::BAD_REQUEST,
                "invalid_resource",
                500011,
                &format!(
                    "The resource principal named {resource} was not found in the tenant named {}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
                    shared.tenant.display_name
                ),
            ));
        };
        resources.push((audience, name));
    }
    let audience = resources.first().map_or(graph.clone(), |(a, _)| a.clone());
    if resources.iter().any(|(a, _)| *a != audience) {
        return Err(entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            28000,
            &format!(
                "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {} is not valid.",
                scopes.join(" ")
            ),
        ));
    }
    let names: Vec<String> = resources.into_iter().map(|(_, n)| n).collect();
    let (scp_names, default) = if audience == arm {
        (
            vec!["user_impersonation".to_string()],
            names.iter().any(|n| n == ".default"),
        )
    } else if names.is_empty() || names.iter().any(|n| n == ".default") {
        (
            GRAPH_DEFAULT.iter().map(|s| s.to_string()).collect(),
            names.iter().any(|n| n == ".default"),
        )
    } else {
        (names.clone(), false)
    };
    let mut granted: Vec<String> = scopes
        .iter()
        .filter(|s| OIDC_SCOPES.contains(&s.as_str()) && s.as_str() != "offline_access")
        .cloned()
        .collect();
    granted.extend(scp_names.iter().map(|n| format!("{audience}/{n}")));
    if default {
        granted.push(format!("{audience}/.default"));
    }
    Ok(Grant {
        audience,
        granted,
        scp: scp_names.join(" "),
    })
}

/// The Graph permission a scope names (`User.Read`, or `https://graph…/User.Read`),
/// leaving out OIDC scopes, `.default` and other resources.
fn graph_scope_name(scope: &str, graph: &str) -> Option<String> {
    if OIDC_SCOPES.contains(&scope) {
        return None;
    }
    let name = match scope.rsplit_once('/') {
        Some((resource, name)) if resource.trim_end_matches('/').eq_ignore_ascii_case(graph) => {
            name
        }
        Some(_) => return None,
        None => scope,
    };
    (name != ".default").then(|| name.to_owned())
}

fn invalid_grant(aadsts: u32, message: &str) -> Response {
    entra_error(StatusCode::BAD_REQUEST, "invalid_grant", aadsts, message)
}

fn missing(parameter: &str) -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{parameter}'."),
    )
}

async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(form): Form<Params>,
) -> Response {
    if !tenant_known(&shared, &tenant) {
        return unknown_tenant(&tenant);
    }
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(grant_type) = get("grant_type") else {
        return missing("grant_type");
    };
    let Some(client_id) = get("client_id") else {
        return missing("client_id");
    };
    let requested: Option<Vec<String>> =
        get("scope").map(|s| s.split_whitespace().map(str::to_owned).collect());

    let mut state = shared.state.lock().expect("state lock");
    if state.directory.public_client(client_id).is_none() {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'.",
                shared.tenant.display_name
            ),
        );
    }
    let mut spent_refresh: Option<String> = None;
    let (user_id, scopes, with_refresh) = match grant_type {
        "authorization_code" => {
            let Some(code) = get("code") else {
                return missing("code");
            };
            if state.tokens.redeemed_codes.contains(code) {
                return invalid_grant(
                    54005,
                    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                );
            }
            let Some(pending) = state.tokens.codes.remove(code) else {
                return invalid_grant(9002313, "Invalid request. Request is malformed or invalid.");
            };
            // A code is spent by any redemption attempt, good or bad.
            state.tokens.redeemed_codes.insert(code.to_owned());
            if now_secs() > pending.issued_at + CODE_LIFETIME.as_secs() {
                return invalid_grant(
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                );
            }
            if !pending.client_id.eq_ignore_ascii_case(client_id) {
                return invalid_grant(70000, "Provided grant is invalid or malformed.");
            }
            if get("redirect_uri") != Some(pending.redirect_uri.as_str()) {
                return invalid_grant(
                    500112,
                    &format!(
                        "The reply address '{}' does not match the reply address '{}' provided when requesting Authorization code.",
                        get("redirect_uri").unwrap_or(""),
                        pending.redirect_uri
                    ),
                );
            }
            if !pending.code_challenge.is_empty()
                && !get("code_verifier").is_some_and(|v| pkce_matches(v, &pending.code_challenge))
            {
                return invalid_grant(
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                );
            }
            let scopes = requested.unwrap_or(pending.scopes);
            let offline = scopes.iter().any(|s| s == "offline_access");
            // An interactive sign-in satisfies the MFA a tenant demanded.
            state
                .tokens
                .mfa_required
                .remove(&pending.user_id.to_ascii_lowercase());
            (pending.user_id, scopes, offline)
        }
        "refresh_token" => {
            let Some(presented) = get("refresh_token") else {
                return missing("refresh_token");
            };
            let key = crate::tokens::token_key(presented);
            let refresh = key.as_str();
            let revoked_msg = |issued: u64, valid_from: u64| {
                format!(
                    "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
                    crate::wire::rfc3339_of(issued),
                    crate::wire::rfc3339_of(valid_from)
                )
            };
            if let Some(old) = state.tokens.retired_refresh.get(refresh) {
                let valid_from = state
                    .tokens
                    .valid_from
                    .get(&old.user_id.to_ascii_lowercase())
                    .copied()
                    .unwrap_or(now_secs());
                return entra_error_with(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    50173,
                    &revoked_msg(old.issued_at, valid_from),
                    Some("bad_token"),
                );
            }
            let Some(grant) = state.tokens.refresh.get(refresh).cloned() else {
                return invalid_grant(9002313, "Invalid request. Request is malformed or invalid.");
            };
            if !grant.client_id.eq_ignore_ascii_case(client_id) {
                return invalid_grant(70000, "Provided grant is invalid or malformed.");
            }
            if state
                .tokens
                .mfa_required
                .contains(&grant.user_id.to_ascii_lowercase())
            {
                // The refresh token stays valid; only an interactive sign-in satisfies MFA.
                return entra_error_with(
                    StatusCode::BAD_REQUEST,
                    "interaction_required",
                    50076,
                    "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'.",
                    Some("basic_action"),
                );
            }
            // Rotated only once every check below has passed: a refused
            // request leaves the client its refresh token.
            spent_refresh = Some(refresh.to_owned());
            let scopes =
                requested.unwrap_or_else(|| vec!["openid".into(), "offline_access".into()]);
            (grant.user_id, scopes, true)
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let Some(device) = get("device_code") else {
                return missing("device_code");
            };
            let Some(pending) = state.tokens.device_codes.get(device).cloned() else {
                return invalid_grant(70000, "Provided grant is invalid or malformed.");
            };
            if !pending.client_id.eq_ignore_ascii_case(client_id) {
                return invalid_grant(70000, "Provided grant is invalid or malformed.");
            }
            if now_secs() > pending.issued_at + DEVICE_CODE_LIFETIME.as_secs() {
                state.tokens.device_codes.remove(device);
                return entra_error(
                    StatusCode::BAD_REQUEST,
                    "expired_token",
                    70020,
                    "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
                );
            }
            let Some(user_id) = pending.approved_user else {
                return entra_error(
                    StatusCode::BAD_REQUEST,
                    "authorization_pending",
                    70016,
                    "The provided request has not yet been authorized by the user. The user must input their code.",
                );
            };
            state.tokens.device_codes.remove(device);
            state
                .tokens
                .mfa_required
                .remove(&user_id.to_ascii_lowercase());
            let offline = pending.scopes.iter().any(|s| s == "offline_access");
            (user_id, pending.scopes, offline)
        }
        other => {
            return entra_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{other}'."),
            );
        }
    };
    let grant = match resolve_grant(&shared, &scopes) {
        Ok(grant) => grant,
        Err(response) => return response,
    };
    // Silent requests may only use permissions someone consented to.
    if grant.audience == shared.graph_audience.trim_end_matches('/')
        && let Some(app) = state.directory.public_client(client_id)
    {
        let graph = grant.audience.clone();
        if scopes
            .iter()
            .filter_map(|s| graph_scope_name(s, &graph))
            .any(|name| {
                !app.consented_graph_scopes
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&name))
            })
        {
            return entra_error_with(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                65001,
                &format!(
                    "The user or administrator has not consented to use the application with ID '{client_id}' named '{}'. Send an interactive authorization request for this user and resource.",
                    app.display_name
                ),
                Some("consent_required"),
            );
        }
    }
    let Some(user) = state.directory.user(&user_id).cloned() else {
        return invalid_grant(50034, "The user account does not exist in this directory.");
    };
    if !user.account_enabled {
        return invalid_grant(50057, "The user account is disabled.");
    }
    // Rotation: the presented refresh token is retired; the answer carries its successor.
    if let Some(key) = spent_refresh
        && let Some(old) = state.tokens.refresh.remove(&key)
    {
        state.tokens.retired_refresh.insert(key, old);
    }
    let lifetime = state.settings.access_token_lifetime.as_secs();
    let refresh_token = with_refresh.then(|| state.tokens.issue_refresh_token(client_id, &user.id));
    drop(state);

    let now = now_secs();
    let tid = shared.tenant.id.clone();
    let access = AccessClaims {
        aud: grant.audience.clone(),
        iss: format!("https://sts.windows.net/{tid}/"),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: client_id.to_owned(),
        idtyp: "user".into(),
        name: user.display_name.clone(),
        oid: user.id.clone(),
        scp: grant.scp,
        sub: user.id.clone(),
        tid: tid.clone(),
        upn: user.user_principal_name.clone(),
        unique_name: user.user_principal_name.clone(),
        uti: random_token(16),
        ver: "1.0".into(),
    };
    let mut body = json!({
        "token_type": "Bearer",
        "scope": grant.granted.join(" "),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": shared.key.sign(&access),
        "client_info": client_info(&user.id, &tid),
    });
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = refresh_token.into();
    }
    if scopes.iter().any(|s| s == "openid") {
        let id = IdClaims {
            aud: client_id.to_owned(),
            iss: format!("{}{tid}/v2.0", shared.urls.authority),
            iat: now,
            nbf: now,
            exp: now + 3600,
            name: user.display_name.clone(),
            oid: user.id.clone(),
            preferred_username: user.user_principal_name.clone(),
            sub: user.id.clone(),
            tid,
            uti: random_token(16),
            ver: "2.0".into(),
        };
        body["id_token"] = shared.key.sign(&id).into();
    }
    let mut response = axum::Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
