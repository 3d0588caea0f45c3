//! azure_core's `HttpClient` over the app's reqwest 0.13 client.
//!
//! azure_core 1.x ships a reqwest *0.12* client behind its default features;
//! Rolecall keeps those off (a second HTTP and TLS stack, and aws-lc, which
//! breaks the Windows and macOS cross-checks) and hands the pipeline this
//! transport instead, built by `rolecall_core::http` with the cloud's TLS
//! rules. Errors are classified the way the SDK's retry policy expects:
//! connection failures as `Connection`, broken answers and time-outs as `Io`,
//! both retried.

use std::collections::HashMap;

use azure_core::error::{Error, ErrorKind};
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::{AsyncRawResponse, Body, HttpClient, Method, Request, StatusCode};

#[derive(Debug, Clone)]
pub struct Transport {
    http: reqwest::Client,
}

impl Transport {
    pub fn new(http: reqwest::Client) -> Self {
        Self { http }
    }
}

fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Delete => reqwest::Method::DELETE,
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Patch => reqwest::Method::PATCH,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        // `Method` is non-exhaustive; Rolecall sends none of the others.
        _ => reqwest::Method::GET,
    }
}

fn transport_error(e: reqwest::Error, what: &'static str) -> Error {
    let kind = if e.is_connect() {
        ErrorKind::Connection
    } else {
        ErrorKind::Io
    };
    // `without_url`: a URL may carry a query the logs should not repeat.
    Error::with_error(kind, e.without_url(), what)
}

#[async_trait::async_trait]
impl HttpClient for Transport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let mut builder = self
            .http
            .request(method(request.method()), request.url().clone());
        for (name, value) in request.headers().iter() {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder = match request.body() {
            Body::Bytes(bytes) if bytes.is_empty() => builder,
            Body::Bytes(bytes) => builder.body(bytes.clone()),
            Body::SeekableStream(_) => {
                return Err(Error::with_message(
                    ErrorKind::Other,
                    "streamed request bodies are not used by Rolecall",
                ));
            }
        };
        let answer = builder
            .send()
            .await
            .map_err(|e| transport_error(e, "the request could not be sent"))?;
        let status = StatusCode::from(answer.status().as_u16());
        let headers: HashMap<HeaderName, HeaderValue> = answer
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((
                    HeaderName::from(name.as_str().to_owned()),
                    HeaderValue::from(value.to_str().ok()?.to_owned()),
                ))
            })
            .collect();
        // Answers are JSON of at most a few megabytes (the provider-operations
        // catalogue); reading them whole keeps a broken connection mid-body a
        // transport error the retry policy sees.
        let body = answer
            .bytes()
            .await
            .map_err(|e| transport_error(e, "the answer broke off"))?;
        Ok(AsyncRawResponse::from_bytes(
            status,
            Headers::from(headers),
            body,
        ))
    }
}
