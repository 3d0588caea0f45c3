//! Token endpoint.

use super::*;

/// The one resource a token request asks for, and the scopes granted on it.
pub(super) struct Grant {
    audience: String,
    /// Scopes as the `scope` field of the answer lists them.
    granted: Vec<String>,
    /// The access token's `scp` claim.
    scp: String,
}

pub(super) const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
pub(super) const GRAPH_DEFAULT: [&str; 4] = [
    "AppRoleAssignment.ReadWrite.All",
    "Application.Read.All",
    "Directory.Read.All",
    "User.Read",
];

/// Maps requested scopes to one resource, as Entra does; more than one
/// resource in one request is AADSTS28000.
pub(super) fn resolve_grant(shared: &Shared, scopes: &[String]) -> Result<Grant, Response> {
    let arm = shared.arm_audience.trim_end_matches('/').to_owned();
    let graph = shared.graph_audience.trim_end_matches('/').to_owned();
    // A client that registers the emulator as a cloud (the Azure CLI's
    // `az cloud register`) names its own ARM and Graph URLs as resources.
    let arm_url = shared.urls.arm.trim_end_matches('/');
    let graph_url = shared.urls.graph.trim_end_matches('/');
    // (audience, scope name, the resource as the client wrote it)
    let mut resources: Vec<(String, String, String)> = Vec::new();
    for scope in scopes.iter().filter(|s| !OIDC_SCOPES.contains(&s.as_str())) {
        let (asked, resource, name) = match scope.rsplit_once('/') {
            Some((asked, name)) => (
                asked.to_owned(),
                asked.trim_end_matches('/').to_owned(),
                name.to_owned(),
            ),
            None => (graph.clone(), graph.clone(), scope.clone()), // bare scopes are Graph's
        };
        let audience = if resource.eq_ignore_ascii_case(&arm)
            || resource.eq_ignore_ascii_case(arm_url)
            || resource.eq_ignore_ascii_case("https://management.core.windows.net")
        {
            arm.clone()
        } else if resource.eq_ignore_ascii_case(&graph)
            || resource.eq_ignore_ascii_case(graph_url)
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
        resources.push((audience, name, asked));
    }
    let audience = resources
        .first()
        .map_or(graph.clone(), |(a, _, _)| a.clone());
    // The answer's `scope` names the resource exactly as it was asked
    // (`https://management.azure.com//.default` keeps its two slashes), or
    // MSAL's cache never finds the token again.
    let asked = resources
        .first()
        .map_or(graph.clone(), |(_, _, asked)| asked.clone());
    if resources.iter().any(|(a, _, _)| *a != audience) {
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
    let names: Vec<String> = resources.into_iter().map(|(_, n, _)| n).collect();
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
    granted.extend(scp_names.iter().map(|n| format!("{asked}/{n}")));
    if default {
        granted.push(format!("{asked}/.default"));
    }
    Ok(Grant {
        audience,
        granted,
        scp: scp_names.join(" "),
    })
}

/// The Graph permission a scope names (`User.Read`, or `https://graph…/User.Read`),
/// leaving out OIDC scopes, `.default` and other resources.
pub(super) fn graph_scope_name(scope: &str, graph: &str) -> Option<String> {
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

pub(super) fn invalid_grant(aadsts: u32, message: &str) -> Response {
    entra_error(StatusCode::BAD_REQUEST, "invalid_grant", aadsts, message)
}

pub(super) fn missing(parameter: &str) -> Response {
    entra_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{parameter}'."),
    )
}

pub(super) async fn token(
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
    if grant_type == "client_credentials" {
        return client_credentials(&shared, client_id, get("client_secret"), get("scope"));
    }
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
    // Only a redeemed code carries the sign-in's nonce into the ID token.
    let mut nonce: Option<String> = None;
    // An interactive sign-in does MFA as the tenant's setting says; a
    // refresh keeps what its session did.
    let mut session_mfa = state.settings.mfa_at_sign_in;
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
            nonce = pending.nonce;
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
            session_mfa = grant.mfa;
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
    let refresh_token = with_refresh.then(|| {
        state
            .tokens
            .issue_refresh_token(client_id, &user.id, session_mfa)
    });
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
        amr: if session_mfa {
            vec!["pwd".into(), "mfa".into()]
        } else {
            vec!["pwd".into()]
        },
        ..Default::default()
    };
    let mut body = json!({
        "token_type": "Bearer",
        "scope": grant.granted.join(" "),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": shared.key().sign(&access),
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
            nonce,
        };
        body["id_token"] = shared.key().sign(&id).into();
    }
    token_answer(body)
}

/// A token answer as Entra sends it: JSON, never cached.
fn token_answer(body: serde_json::Value) -> Response {
    let mut response = axum::Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// `grant_type=client_credentials`: an application signs in as itself with
/// its client secret (sent in the body, `client_secret_post`) and gets an
/// app-only token for one resource's `/.default`: `idtyp: app`, its service
/// principal as `oid`, its application permissions as `roles`, no `scp`, and
/// no refresh or ID token.
fn client_credentials(
    shared: &Shared,
    client_id: &str,
    secret: Option<&str>,
    scope: Option<&str>,
) -> Response {
    let tenant_name = &shared.tenant.display_name;
    let state = shared.state.lock().expect("state lock");
    let Some(app) = state
        .directory
        .applications
        .iter()
        .find(|a| a.app_id.eq_ignore_ascii_case(client_id))
    else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        );
    };
    let Some(secret) = secret else {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    };
    let known = shared
        .app_secrets
        .iter()
        .find(|s| s.app_id.eq_ignore_ascii_case(&app.app_id));
    if !known.is_some_and(|k| constant_time_eq(k.secret.as_bytes(), secret.as_bytes())) {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                app.app_id
            ),
        );
    }
    let Some(scope) = scope else {
        return missing("scope");
    };
    let scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
    if scopes.len() != 1 || !scopes[0].ends_with("/.default") {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    }
    let grant = match resolve_grant(shared, &scopes) {
        Ok(grant) => grant,
        Err(response) => return response,
    };
    let Some(sp) = state
        .directory
        .service_principals
        .iter()
        .find(|s| s.app_id.eq_ignore_ascii_case(&app.app_id))
    else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            7000229,
            &format!(
                "The client application {} is missing service principal in the tenant {}.",
                app.app_id, shared.tenant.id
            ),
        );
    };
    if !sp.account_enabled {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            7000112,
            &format!(
                "Application '{}'({}) is disabled.",
                app.app_id, app.display_name
            ),
        );
    }
    // Application permissions: the app roles granted to this service
    // principal on the resource's own service principal (Graph's, say).
    let resource_app = if grant.audience == shared.graph_audience.trim_end_matches('/') {
        "00000003-0000-0000-c000-000000000000"
    } else {
        "797f4846-ba00-4fd7-ba43-dac1f8f63013"
    };
    let mut roles: Vec<String> = Vec::new();
    if let Some(resource) = state
        .directory
        .service_principals
        .iter()
        .find(|s| s.app_id.eq_ignore_ascii_case(resource_app))
    {
        for assignment in state.app_role_assignments.iter().filter(|a| {
            a.principal_id.eq_ignore_ascii_case(&sp.id)
                && a.resource_id.eq_ignore_ascii_case(&resource.id)
        }) {
            if let Some(role) = resource
                .app_roles
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&assignment.app_role_id))
            {
                roles.push(role.value.clone());
            }
        }
    }
    let lifetime = state.settings.access_token_lifetime.as_secs();
    let now = now_secs();
    let tid = shared.tenant.id.clone();
    let access = AccessClaims {
        aud: grant.audience,
        iss: format!("https://sts.windows.net/{tid}/"),
        iat: now,
        nbf: now,
        exp: now + lifetime,
        appid: app.app_id.clone(),
        app_displayname: app.display_name.clone(),
        idtyp: "app".into(),
        oid: sp.id.clone(),
        roles,
        sub: sp.id.clone(),
        tid,
        uti: random_token(16),
        ver: "1.0".into(),
        ..Default::default()
    };
    drop(state);
    token_answer(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": shared.key().sign(&access),
    }))
}

/// Compares two secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
