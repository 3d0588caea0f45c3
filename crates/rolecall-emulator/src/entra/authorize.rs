//! Authorization endpoint.

use super::*;

/// Escapes text for HTML element content and attribute values.
pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// An error Entra shows on its own page, because the redirect URI cannot be trusted.
pub(super) fn error_page(aadsts: u32, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\
         <body style=\"font-family:sans-serif;max-width:40rem;margin:4rem auto\"><h1>Sign in</h1>\
         <p role=\"alert\">AADSTS{aadsts}: {}</p></body></html>",
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// How the answer goes back to the client (`response_mode`): a redirect
/// with a query string, or (`form_post`) a page that posts a form to the
/// redirect URI and submits itself, as MSAL asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Query,
    FormPost,
}

impl Mode {
    fn of(params: &Params) -> Self {
        match params.get("response_mode").map(String::as_str) {
            Some("form_post") => Mode::FormPost,
            _ => Mode::Query,
        }
    }
}

/// Sends `pairs` back to `redirect_uri` as `mode` says.
pub(super) fn answer_client(redirect_uri: &str, mode: Mode, pairs: &[(&str, &str)]) -> Response {
    match mode {
        Mode::Query => {
            let mut url = url_with_query(redirect_uri);
            url.query_pairs_mut().extend_pairs(pairs);
            Redirect::to(url.as_str()).into_response()
        }
        Mode::FormPost => {
            let inputs: String = pairs
                .iter()
                .map(|(k, v)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\" />",
                        escape(k),
                        escape(v)
                    )
                })
                .collect();
            let body = format!(
                "<html><head><title>Working...</title></head><body onload=\"javascript:document.forms[0].submit()\">\
                 <form method=\"POST\" name=\"hiddenform\" action=\"{}\">{inputs}\
                 <noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript>\
                 </form></body></html>",
                escape(redirect_uri)
            );
            let mut response = Html(body).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            response
        }
    }
}

/// The error back to the client carrying `error` and `error_description`
/// (and `state`), as the request's response mode says.
pub(super) fn redirect_error(
    redirect_uri: &str,
    mode: Mode,
    state: Option<&str>,
    error: &str,
    aadsts: u32,
    message: &str,
) -> Response {
    let description = format!("AADSTS{aadsts}: {message}");
    let mut pairs = vec![
        ("error", error),
        ("error_description", description.as_str()),
    ];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    answer_client(redirect_uri, mode, &pairs)
}

pub(super) fn url_with_query(redirect_uri: &str) -> url::Url {
    url::Url::parse(redirect_uri).expect("redirect URIs are validated before use")
}

pub(super) type Params = HashMap<String, String>;

pub(super) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    authorize_impl(&shared, &tenant, &params, None)
}

/// The sign-in page posts back here with the chosen user.
pub(super) async fn authorize_form(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(params): Form<Params>,
) -> Response {
    let user = params.get("rolecall_user").cloned();
    authorize_impl(&shared, &tenant, &params, user)
}

pub(super) fn authorize_impl(
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
    let mode = Mode::of(params);
    if get("response_type") != Some("code") {
        return redirect_error(
            redirect_uri,
            mode,
            client_state,
            "unsupported_response_type",
            700054,
            "response_type 'id_token' is not enabled for the application.",
        );
    }
    let Some(scope) = get("scope") else {
        return redirect_error(
            redirect_uri,
            mode,
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
                mode,
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
    let signed_in = user_id.clone();
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
            nonce: get("nonce").map(str::to_owned),
        },
    );
    drop(state);
    let session_state = uuid::Uuid::new_v4().to_string();
    let info = (get("client_info") == Some("1"))
        .then(|| crate::tokens::client_info(&signed_in, &shared.tenant.id));
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = client_state {
        pairs.push(("state", s));
    }
    pairs.push(("session_state", session_state.as_str()));
    if let Some(info) = &info {
        pairs.push(("client_info", info.as_str()));
    }
    answer_client(redirect_uri, mode, &pairs)
}

/// The tenant's enabled users as "Pick an account" buttons, each posting
/// `rolecall_user` (the browser's sign-in page and the device-code page).
pub(super) fn account_buttons(users: &[crate::directory::User]) -> String {
    users
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
        .collect()
}

/// "Pick an account": the tenant's enabled users, each a button that posts
/// the original request back with the choice.
pub(super) fn sign_in_page(
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
    let buttons = account_buttons(users);
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
