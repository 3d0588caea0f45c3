//! Microsoft Graph v1.0.
//!
//! Built so far: Graph's authentication gate (401 `InvalidAuthenticationToken`
//! in Graph's envelope). Users, groups, service principals and app-role
//! assignments are the emulator issue's next part.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::server::Shared;
use crate::wire::graph_error;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(unauthenticated).with_state(shared)
}

async fn unauthenticated(headers: HeaderMap) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let message = if headers.contains_key(header::AUTHORIZATION) {
        "IDX14100: JWT is not well formed, there are no dots (.)."
    } else {
        "Access token is empty."
    };
    graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
        &request_id,
    )
}
