//! Microsoft Entra ID (identity platform v2.0), as a public client sees it.
//!
//! Built so far: tenant discovery. The authorize/token endpoints, JWKS and
//! signed tokens are the emulator issue's next part.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::server::Shared;
use crate::wire::entra_error;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .with_state(shared)
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
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        );
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
