//! Device code (RFC 8628), for machines without a browser.

use super::*;

pub(super) async fn device_code(
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

pub(super) fn page(title: &str, body: &str) -> Response {
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

pub(super) const ENTER_CODE: &str = "<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>\
<form method=\"post\" action=\"/devicelogin\"><label for=\"otc\">Code</label>\
<input id=\"otc\" name=\"otc\" autocomplete=\"off\" autofocus><p><button type=\"submit\">Next</button></p></form>";

pub(super) async fn device_login() -> Response {
    page("Enter code", ENTER_CODE)
}

/// The code, then the account: approves the waiting device-code sign-in.
pub(super) async fn device_login_form(
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
        let buttons = account_buttons(&state.directory.users);
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
pub(super) fn tenant_known(shared: &Shared, tenant: &str) -> bool {
    ["organizations", "common"].contains(&tenant.to_ascii_lowercase().as_str())
        || shared.tenant.answers_to(tenant)
}

pub(super) fn unknown_tenant(tenant: &str) -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_tenant",
        90002,
        &format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

pub(super) async fn jwks(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
) -> Response {
    if !tenant_known(&shared, &tenant) {
        return unknown_tenant(&tenant);
    }
    let issuer = format!("{}{}/v2.0", shared.urls.authority, shared.tenant.id);
    axum::Json(shared.key().jwks(&issuer)).into_response()
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`, shaped like the
/// recorded answer of login.microsoftonline.com. For `organizations` and
/// `common` the issuer keeps the literal `{tenantid}` placeholder, as Entra's does.
pub(super) async fn openid_configuration(
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
