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

mod authorize;
mod device;
mod token;
use authorize::*;
use device::*;
use token::*;

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
