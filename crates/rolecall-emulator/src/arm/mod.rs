//! Azure Resource Manager: authentication, api-versions, paging and request
//! ids common to every call, then `Microsoft.Resources` ([`resources`]) and
//! `Microsoft.Authorization` ([`authorization`]).
//!
//! ARM paths are case-insensitive and `Microsoft.Authorization` hangs off any
//! scope (`/`, a subscription, a resource group, a resource), so requests are
//! dispatched by parsing the path rather than by axum routes.

pub mod authorization;
pub mod groups;
pub mod model;
pub mod rbac;
pub mod resources;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::faults::Kind;
use crate::server::Shared;
use crate::tokens::{AccessClaims, TokenProblem, now_secs};
use crate::wire::arm_error;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(dispatch).with_state(shared)
}

/// Who is calling, from the verified access token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub oid: String,
    pub upn: String,
    /// The token says its sign-in completed multi-factor authentication.
    pub mfa: bool,
}

/// One request, parsed.
pub struct Ctx<'a> {
    pub shared: &'a Shared,
    pub caller: Caller,
    pub method: Method,
    /// Percent-decoded path, as sent (case kept).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub api_version: String,
    pub body: Bytes,
    /// Snapshots of the settings, taken once so handlers never re-lock the state.
    pub page_size: usize,
    pub limits: crate::server::Limits,
    pub replication_delay: std::time::Duration,
    /// See [`crate::Faults::pim_removal_after`].
    pub pim_removal_after: Option<std::time::Duration>,
    pub role_propagation: std::time::Duration,
    pub seed: u64,
}

impl Ctx<'_> {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request body as `T`, or ARM's 400 for content it cannot read.
    pub fn json_body<T: serde::de::DeserializeOwned>(&self) -> Result<T, Response> {
        serde_json::from_slice(&self.body).map_err(|e| {
            arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestContent",
                &format!("The request content was invalid and could not be deserialized: '{e}'."),
            )
        })
    }

    /// 403 `AuthorizationFailed` in ARM's words.
    pub fn authorization_failed(&self, action: &str, scope: &str) -> Response {
        arm_error(
            StatusCode::FORBIDDEN,
            "AuthorizationFailed",
            &format!(
                "The client '{}' with object id '{}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                self.caller.upn, self.caller.oid
            ),
        )
    }

    /// A list answer: `{"value":[…],"nextLink"?}`, paged with `$skiptoken`
    /// and an absolute `nextLink`, as ARM pages.
    pub fn paged(&self, items: Vec<Value>) -> Response {
        axum::Json(self.paged_value(items)).into_response()
    }

    /// The body of [`Ctx::paged`].
    pub fn paged_value(&self, items: Vec<Value>) -> Value {
        let page_size = self.page_size.max(1);
        let start: usize = self
            .param("$skiptoken")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let end = (start + page_size).min(items.len());
        let page: Vec<Value> = items
            .get(start..end)
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        let mut body = json!({ "value": page });
        if end < items.len() {
            let mut url = url::Url::parse(&self.shared.urls.arm).expect("ARM base URL");
            url.set_path(&self.path);
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
            body["nextLink"] = url.to_string().into();
        }
        body
    }
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let correlation = headers
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut response = handle(&shared, method, &uri, &headers, body);
    let response_headers = response.headers_mut();
    let request_id = uuid::Uuid::new_v4().to_string();
    for (name, value) in [
        ("x-ms-request-id", request_id.as_str()),
        ("x-ms-correlation-request-id", correlation.as_str()),
        ("x-ms-routing-request-id", &format!("EMULATOR:{request_id}")),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            response_headers.insert(name, value);
        }
    }
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response_headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response_headers.insert(header::EXPIRES, HeaderValue::from_static("-1"));
    response
}

fn handle(
    shared: &Shared,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match authenticate(shared, headers) {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    // ARM's token buckets: per subscription (or the tenant) and kind of request.
    let kind = match method {
        Method::GET | Method::HEAD => Kind::Reads,
        Method::DELETE => Kind::Deletes,
        _ => Kind::Writes,
    };
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let (bucket, level) = match segments.as_slice() {
        [first, id, ..] if first.eq_ignore_ascii_case("subscriptions") => {
            (format!("/subscriptions/{id}"), "subscription")
        }
        _ => ("tenant".to_owned(), "tenant"),
    };
    let taken = {
        let mut state = shared.state.lock().expect("state lock");
        let throttle = state.faults.throttle.clone();
        state.fault_state.take(&throttle, &bucket, kind)
    };
    let remaining = match taken {
        Ok(left) => left,
        Err(wait) => return throttled(&caller, &bucket, level, kind, wait),
    };
    let mut response = handle_authenticated(shared, caller, method, uri, body);
    if let Ok(value) = HeaderValue::from_str(&remaining.to_string()) {
        response.headers_mut().insert(
            format!("x-ms-ratelimit-remaining-{level}-{}", kind.label())
                .parse::<header::HeaderName>()
                .expect("header name"),
            value,
        );
    }
    response
}

/// 429 with `Retry-After`, in ARM's words.
fn throttled(caller: &Caller, bucket: &str, level: &str, kind: Kind, wait: u64) -> Response {
    let (code, what) = if level == "subscription" {
        (
            "SubscriptionRequestsThrottled",
            format!(
                "subscription '{}'",
                bucket.trim_start_matches("/subscriptions/")
            ),
        )
    } else {
        ("TenantRequestsThrottled", "tenant".to_owned())
    };
    let mut response = arm_error(
        StatusCode::TOO_MANY_REQUESTS,
        code,
        &format!(
            "Number of '{}' requests for {what} actor '{}' exceeded. Please try again after '{wait}' seconds after the last request time of '{}'. See https://aka.ms/ARMThrottling for how to handle throttling.",
            kind.label().trim_end_matches('s'),
            caller.oid,
            crate::wire::now_rfc3339()
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response.headers_mut().insert(
        format!("x-ms-ratelimit-remaining-{level}-{}", kind.label())
            .parse::<header::HeaderName>()
            .expect("header name"),
        HeaderValue::from_static("0"),
    );
    response
}

fn handle_authenticated(
    shared: &Shared,
    caller: Caller,
    method: Method,
    uri: &Uri,
    body: Bytes,
) -> Response {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let mut path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    // ARM reads `//` as `/` (Az PowerShell's recorded PIM calls send
    // `https://management.azure.com//subscriptions/{s}//providers/…`).
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    let Some(api_version) = query
        .iter()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.clone())
    else {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        );
    };
    let (page_size, limits, faults) = {
        let state = shared.state.lock().expect("state lock");
        (
            state.settings.page_size,
            state.settings.limits.clone(),
            state.faults.clone(),
        )
    };
    let ctx = Ctx {
        shared,
        caller,
        method,
        path,
        query,
        api_version,
        body,
        page_size,
        limits,
        replication_delay: faults.principal_replication,
        pim_removal_after: faults.pim_removal_after,
        role_propagation: faults.role_propagation,
        seed: faults.seed,
    };
    // Access that ran out ends, and what is due starts, before anything is answered.
    authorization::pim::tick(&mut shared.state.lock().expect("state lock").arm);
    let lower = ctx.path.to_ascii_lowercase();
    const AUTHZ: &str = "/providers/microsoft.authorization/";
    if let Some(at) = lower.rfind(AUTHZ) {
        let scope = ctx.path[..at].to_owned();
        let rest = ctx.path[at + AUTHZ.len()..].to_owned();
        return authorization::handle(&ctx, &scope, &rest);
    }
    if lower.starts_with("/providers/microsoft.management/") {
        return groups::handle(&ctx);
    }
    resources::handle(&ctx)
}

/// Checks the bearer token as ARM does, with ARM's 401 codes and messages.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Caller, Response> {
    let unauthorized = |code: &str, message: &str, description: &str| {
        let mut response = arm_error(StatusCode::UNAUTHORIZED, code, message);
        let challenge = format!(
            "Bearer authorization_uri=\"{}{}\", error=\"invalid_token\", error_description=\"{description}\"",
            shared.urls.authority, shared.tenant.id
        );
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    };
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            "The authentication failed because of missing 'Authorization' header.",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let claims: AccessClaims = match shared
        .key()
        .verify_access_token(token, &shared.arm_audience)
    {
        Ok(claims) => claims,
        Err(TokenProblem::Expired) => {
            return Err(unauthorized(
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time is earlier than current UTC time.",
                "The access token has expired.",
            ));
        }
        Err(TokenProblem::WrongAudience) => {
            return Err(unauthorized(
                "InvalidAuthenticationTokenAudience",
                &format!(
                    "The access token has been obtained for wrong audience or resource. It should exactly match with one of the allowed audiences '{0}/','{0}'.",
                    shared.arm_audience
                ),
                "The access token has been obtained for wrong audience.",
            ));
        }
        Err(TokenProblem::Invalid) => {
            return Err(unauthorized(
                "InvalidAuthenticationToken",
                "The access token is invalid.",
                "The access token is invalid.",
            ));
        }
    };
    if !claims.tid.eq_ignore_ascii_case(&shared.tenant.id) {
        return Err(unauthorized(
            "InvalidAuthenticationTokenTenant",
            &format!(
                "The access token is from the wrong issuer '{}'. It must match the tenant associated with this subscription.",
                claims.iss
            ),
            "The access token is from the wrong issuer.",
        ));
    }
    let facts = shared
        .state
        .lock()
        .expect("state lock")
        .session_facts(&claims);
    // Tokens issued before a revocation ("revoke sessions") stop working.
    if facts.revoked {
        return Err(unauthorized(
            "InvalidAuthenticationToken",
            "The access token is invalid.",
            "The access token was issued before the user's sessions were revoked.",
        ));
    }
    // Continuous access evaluation: a claims challenge for tokens issued before the event.
    if facts.challenged {
        let mut response = arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
        );
        let challenge = format!(
            "Bearer authorization_uri=\"{}{}/oauth2/authorize\", error=\"insufficient_claims\", claims=\"{}\"",
            shared.urls.authority,
            shared.tenant.id,
            crate::tokens::cae_claims(now_secs())
        );
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        return Err(response);
    }
    // A run can make tokens stop working early (clock skew, policy changes).
    if facts.too_old {
        return Err(unauthorized(
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
            "The access token has expired.",
        ));
    }
    Ok(Caller {
        mfa: claims.amr.iter().any(|a| a == "mfa"),
        // ARM names an application by its application id, a user by UPN.
        upn: if claims.is_app() {
            claims.appid
        } else {
            claims.upn
        },
        oid: claims.oid,
    })
}

/// The api-versions an endpoint family accepts; anything else is refused as ARM does.
pub fn check_api_version(
    ctx: &Ctx<'_>,
    resource_type: &str,
    supported: &[&str],
) -> Result<(), Response> {
    if supported.contains(&ctx.api_version.as_str()) {
        return Ok(());
    }
    Err(arm_error(
        StatusCode::BAD_REQUEST,
        "NoRegisteredProviderFound",
        &format!(
            "No registered resource provider found for location 'global' and API version '{}' for type '{resource_type}'. The supported api-versions are '{}'. The supported locations are ', global'.",
            ctx.api_version,
            supported.join(", ")
        ),
    ))
}

/// The current UTC time as ARM writes `createdOn`/`updatedOn` (seven fractional digits).
pub fn arm_timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
    );
    now.format(&format).unwrap_or_default()
}
