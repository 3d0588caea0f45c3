//! Error bodies in the exact envelopes each Azure service uses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// ARM's envelope: `{"error":{"code","message"}}`.
pub fn arm_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// Graph's envelope: `{"error":{"code","message","innerError":{date, request-id, client-request-id}}}`.
pub fn graph_error(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    // Graph writes `"date": "2021-10-29T13:56:26"`: no offset.
    let date = now_rfc3339().trim_end_matches('Z').to_owned();
    (
        status,
        axum::Json(json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": date,
                    "request-id": request_id,
                    "client-request-id": request_id
                }
            }
        })),
    )
        .into_response()
}

/// Entra's OAuth error body, as recorded from login.microsoftonline.com:
/// `error`, `error_description` ("AADSTSnnnnn: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …"),
/// `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`, and `suberror` when given.
pub fn entra_error(status: StatusCode, error: &str, aadsts: u32, description: &str) -> Response {
    entra_error_with(status, error, aadsts, description, None)
}

pub fn entra_error_with(
    status: StatusCode,
    error: &str,
    aadsts: u32,
    description: &str,
    suberror: Option<&str>,
) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp = entra_timestamp();
    let mut body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{aadsts}: {description}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"
        ),
        "error_codes": [aadsts],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={aadsts}"),
    });
    if let Some(suberror) = suberror {
        body["suberror"] = suberror.into();
    }
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&format!("1,{aadsts},0,,")) {
        headers.insert("x-ms-clitelem", value);
    }
    response
}

/// `2021-10-29 13:56:27Z`: the form of Entra's error timestamps.
pub fn entra_timestamp() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

/// A Unix time as RFC 3339 with seven fractional digits, as Entra writes grant dates.
pub fn rfc3339_of(unix: u64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].0000000Z");
    time::OffsetDateTime::from_unix_timestamp(unix as i64)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// The current UTC time as RFC 3339, the form Azure's error bodies carry.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn entra_timestamps_look_like_entras() {
        let now = super::entra_timestamp();
        assert_eq!(now.len(), 20, "{now}");
        assert_eq!(&now[10..11], " ");
        assert!(now.ends_with('Z'));
    }

    #[test]
    fn rfc3339_has_the_right_shape() {
        let now = super::now_rfc3339();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20"), "{now}");
        assert!(now.ends_with('Z'), "{now}");
    }
}
