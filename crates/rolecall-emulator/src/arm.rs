//! Azure Resource Manager.
//!
//! Built so far: ARM's authentication gate. Every request without a valid
//! bearer token gets ARM's own 401; tokens, tenants, subscriptions and
//! `Microsoft.Authorization` are the emulator issue's next part.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::server::Shared;
use crate::wire::arm_error;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(unauthenticated).with_state(shared)
}

async fn unauthenticated(headers: HeaderMap) -> Response {
    let (code, message, description) = match headers.get(header::AUTHORIZATION) {
        None => (
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            "The authentication failed because of missing 'Authorization' header.",
        ),
        Some(_) => (
            "InvalidAuthenticationToken",
            "The access token is invalid.",
            "The access token is invalid.",
        ),
    };
    let mut response = arm_error(StatusCode::UNAUTHORIZED, code, message);
    let challenge = format!(
        "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"{description}\""
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}
