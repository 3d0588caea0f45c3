//! One azure_core pipeline per service (ARM or Graph): the bearer policy over
//! the session's credential, azure_core's retry policy (429, 408 and 5xx with
//! `Retry-After`, dropped connections), a bound on requests in flight, request
//! ids in the logs, and error answers turned into [`AzureError`].

use std::sync::Arc;
use std::time::Instant;

use azure_core::credentials::{TokenCredential, TokenRequestOptions};
use azure_core::http::headers::{AUTHORIZATION, HeaderName, Headers, WWW_AUTHENTICATE};
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::{Authorizer, BearerTokenAuthorizationPolicy, OnChallenge};
use azure_core::http::{
    ClientMethodOptions, Context, ExponentialRetryOptions, Method, Pipeline, PipelineSendOptions,
    Request, RetryOptions, Transport as SdkTransport, Url,
};
use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use rolecall_auth::AuthError;
use rolecall_auth::credential::{ClaimsChallenge, RejectedToken};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use crate::error::{ApiError, AzureError, Result, Service as ServiceName, classify};
use crate::transport::Transport;

/// How a client behaves under load and failure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests in flight at once per service. ARM allows a few thousand
    /// reads per hour and a tenant's writes share one bucket; eight keeps a
    /// bulk apply quick without tripping its throttling.
    pub max_concurrency: usize,
    /// Retries of 429, 408, 5xx and broken connections, with exponential
    /// backoff, never shorter than the service's `Retry-After`.
    pub max_retries: u32,
    pub initial_delay: std::time::Duration,
    pub max_delay: std::time::Duration,
    /// Give up retrying once this much time has passed since the first try.
    pub max_elapsed: std::time::Duration,
    /// `$top` of Graph lists (Graph's own default, 100, when `None`).
    pub graph_page_size: Option<u16>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_concurrency: 8,
            max_retries: 6,
            initial_delay: std::time::Duration::from_millis(800),
            max_delay: std::time::Duration::from_secs(60),
            max_elapsed: std::time::Duration::from_secs(180),
            graph_page_size: None,
        }
    }
}

fn duration(d: std::time::Duration) -> azure_core::time::Duration {
    azure_core::time::Duration::try_from(d).unwrap_or(azure_core::time::Duration::MAX)
}

/// A successful answer.
pub(crate) struct Answer {
    pub status: u16,
    pub body: azure_core::Bytes,
    pub request_id: Option<String>,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self, service: ServiceName) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| AzureError::Protocol {
            service,
            detail: format!("the answer's JSON does not have the expected shape: {e}"),
            request_id: self.request_id.clone(),
        })
    }
}

/// A page of a list answer: ARM's `nextLink` or Graph's `@odata.nextLink`.
#[derive(serde::Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(default, rename = "nextLink", alias = "@odata.nextLink")]
    next_link: Option<String>,
}

/// On a 401 with a challenge: a claims challenge (Conditional Access, CAE)
/// becomes "interaction required" for the UI's "Sign in again"; any other
/// refusal of a token (expired early, revoked) is retried once with a fresh
/// token from the refresh token.
#[derive(Debug)]
struct Challenge {
    scope: String,
}

#[async_trait::async_trait]
impl OnChallenge for Challenge {
    async fn on_challenge(
        &self,
        context: &Context,
        request: &mut Request,
        authorizer: &dyn Authorizer,
        headers: &Headers,
    ) -> azure_core::Result<()> {
        let challenge = headers
            .get_optional_str(&WWW_AUTHENTICATE)
            .unwrap_or_default();
        if challenge.contains("insufficient_claims") {
            let claims = rolecall_auth::claims_from_challenge(challenge);
            if let Some(claims) = &claims {
                // Tell the credential, which keeps the claims for the next
                // interactive sign-in in its tenant ("Sign in again").
                let context = context.clone().with_value(ClaimsChallenge(claims.clone()));
                let options = TokenRequestOptions {
                    method_options: ClientMethodOptions { context },
                };
                let _ = authorizer.authorize(request, &[&self.scope], options).await;
            }
            return Err(azure_core::Error::new(
                azure_core::error::ErrorKind::Credential,
                AuthError::InteractionRequired {
                    description: "the tenant asks you to sign in again (Conditional Access or a revoked session)".into(),
                    claims,
                },
            ));
        }
        let rejected = request
            .headers()
            .get_optional_str(&AUTHORIZATION)
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_owned();
        let context = context.clone().with_value(RejectedToken(rejected));
        let options = TokenRequestOptions {
            method_options: ClientMethodOptions { context },
        };
        authorizer.authorize(request, &[&self.scope], options).await
    }
}

struct Inner {
    name: ServiceName,
    base: Url,
    pipeline: Pipeline,
    permits: Semaphore,
}

/// One service's pipeline, cheap to clone.
#[derive(Clone)]
pub(crate) struct Service {
    inner: Arc<Inner>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
const GRAPH_REQUEST_ID: HeaderName = HeaderName::from_static("request-id");

impl Service {
    pub fn new(
        name: ServiceName,
        base: Url,
        audience: &str,
        http: reqwest::Client,
        credential: Arc<dyn TokenCredential>,
        options: &Options,
    ) -> Self {
        let scope = format!("{}/.default", audience.trim_end_matches('/'));
        let bearer = BearerTokenAuthorizationPolicy::new(credential, [scope.clone()])
            .with_on_challenge(Arc::new(Challenge { scope }));
        let client_options = azure_core::http::ClientOptions {
            retry: RetryOptions::exponential(ExponentialRetryOptions {
                initial_delay: duration(options.initial_delay),
                max_retries: options.max_retries,
                max_total_elapsed: duration(options.max_elapsed),
                max_delay: duration(options.max_delay),
            }),
            transport: Some(SdkTransport::new(Arc::new(Transport::new(http)))),
            ..Default::default()
        };
        let per_try: Vec<Arc<dyn Policy>> = vec![Arc::new(bearer)];
        let pipeline = Pipeline::new(
            Some(env!("CARGO_PKG_NAME")),
            Some(env!("CARGO_PKG_VERSION")),
            client_options,
            Vec::new(),
            per_try,
            None,
        );
        Self {
            inner: Arc::new(Inner {
                name,
                base,
                pipeline,
                permits: Semaphore::new(options.max_concurrency.max(1)),
            }),
        }
    }

    /// The service's base address (its origin is where its token may go).
    pub fn base(&self) -> &Url {
        &self.inner.base
    }

    /// `path` relative to the service's base (a leading `/` is allowed),
    /// with `query` pairs encoded. A path that would leave the service's
    /// origin (`https://other/…`, `//other`, `\\other`) is refused here.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url> {
        let mut url = self
            .inner
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| AzureError::Protocol {
                service: self.inner.name,
                detail: format!("'{path}' is not a valid path: {e}"),
                request_id: None,
            })?;
        self.same_origin(&url, "the path")?;
        if !query.is_empty() {
            // Spaces as %20, not form encoding's `+`: OData filters may hold a
            // literal `+` (a mail address), and %20 reads the same everywhere.
            const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'.')
                .remove(b'_')
                .remove(b'~')
                .remove(b'$');
            let encoded = query
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        percent_encoding::utf8_percent_encode(k, COMPONENT),
                        percent_encoding::utf8_percent_encode(v, COMPONENT)
                    )
                })
                .collect::<Vec<_>>()
                .join("&");
            url.set_query(Some(&encoded));
        }
        Ok(url)
    }

    pub async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        headers: &[(&'static str, &str)],
    ) -> Result<Answer> {
        let name = self.inner.name;
        // Invariant: the bearer token only ever goes to this service's origin.
        self.same_origin(&url, "the request")?;
        let mut request = Request::new(url.clone(), method);
        request.insert_header("accept", "application/json");
        for (header, value) in headers {
            request.insert_header(*header, value.to_string());
        }
        if let Some(body) = body {
            let bytes = serde_json::to_vec(body).map_err(|e| AzureError::Protocol {
                service: name,
                detail: format!("the request body could not be written: {e}"),
                request_id: None,
            })?;
            request.insert_header("content-type", "application/json");
            request.set_body(bytes);
        }
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let started = Instant::now();
        let options = PipelineSendOptions {
            skip_checks: true,
            ..Default::default()
        };
        let sent = self
            .inner
            .pipeline
            .send(&Context::new(), &mut request, Some(options))
            .await;
        let request_line = format!("{method} {}", url.path());
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                tracing::warn!(service = %name, request = %request_line, "failed: {error}");
                return Err(transport_failure(name, error));
            }
        };
        let (status, headers, body) = response.deconstruct();
        let status = u16::from(status);
        let request_id = headers
            .get_optional_string(&REQUEST_ID)
            .or_else(|| headers.get_optional_string(&GRAPH_REQUEST_ID));
        tracing::debug!(
            service = %name,
            request = %request_line,
            status,
            request_id = request_id.as_deref().unwrap_or("-"),
            ms = started.elapsed().as_millis() as u64,
            "answered"
        );
        if (200..300).contains(&status) {
            return Ok(Answer {
                status,
                body: body.into(),
                request_id,
            });
        }
        Err(api_error(
            name,
            status,
            &headers,
            &body,
            request_id,
            request_line,
        ))
    }

    pub async fn get_json<T: DeserializeOwned>(
        &self,
        url: Url,
        headers: &[(&'static str, &str)],
    ) -> Result<T> {
        self.send::<()>(Method::Get, url, None, headers)
            .await?
            .json(self.inner.name)
    }

    /// Every item of a list, following `nextLink` / `@odata.nextLink` page
    /// after page as the stream is read. A next link must point at the same
    /// host: the bearer token never leaves the service it was made for.
    pub fn items<T: DeserializeOwned + Send + 'static>(
        &self,
        first: Url,
        headers: Vec<(&'static str, String)>,
    ) -> impl Stream<Item = Result<T>> + Send + 'static + use<T> {
        let service = self.clone();
        stream::try_unfold(Some(first), move |next| {
            let service = service.clone();
            let headers = headers.clone();
            async move {
                let Some(url) = next else {
                    return Ok::<_, AzureError>(None);
                };
                let borrowed: Vec<(&'static str, &str)> =
                    headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let page: Page<T> = service.get_json(url, &borrowed).await?;
                let next = match page.next_link.filter(|l| !l.is_empty()) {
                    None => None,
                    Some(link) => Some(service.next_link(&link)?),
                };
                Ok(Some((stream::iter(page.value.into_iter().map(Ok)), next)))
            }
        })
        .try_flatten()
    }

    /// [`Service::items`] of `path` and `query`; a bad path becomes the
    /// stream's one error.
    pub fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        headers: Vec<(&'static str, String)>,
    ) -> impl Stream<Item = Result<T>> + Send + 'static + use<T> {
        match self.url(path, query) {
            Ok(url) => self.items(url, headers).left_stream(),
            Err(e) => stream::once(futures::future::ready(Err(e))).right_stream(),
        }
    }

    fn next_link(&self, link: &str) -> Result<Url> {
        let url = Url::parse(link).map_err(|e| AzureError::Protocol {
            service: self.inner.name,
            detail: format!("the next link '{link}' is not a URL: {e}"),
            request_id: None,
        })?;
        self.same_origin(&url, "the next link")?;
        Ok(url)
    }

    /// Refuses a URL that is not on the service's own origin (scheme, host
    /// and port): its token is not sent anywhere else.
    fn same_origin(&self, url: &Url, what: &str) -> Result<()> {
        if url.origin() == self.inner.base.origin() {
            return Ok(());
        }
        Err(AzureError::Protocol {
            service: self.inner.name,
            detail: format!(
                "{what} points at {}, not at {}; Rolecall does not send its token elsewhere",
                url.origin().ascii_serialization(),
                self.inner.base.origin().ascii_serialization()
            ),
            request_id: None,
        })
    }
}

/// Runs `each` over `items`, at most `limit` at a time (the service's own
/// bound still applies), returning results in input order.
pub async fn for_each_bounded<I, T, F, Fut>(items: I, limit: usize, each: F) -> Vec<T>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    stream::iter(items)
        .map(each)
        .buffered(limit.max(1))
        .collect()
        .await
}

/// A failure before any answer: the credential (sign in again, MFA), or the
/// network after every retry.
fn transport_failure(service: ServiceName, error: azure_core::Error) -> AzureError {
    use azure_core::error::ErrorKind;
    match error.kind() {
        ErrorKind::Credential => match rolecall_auth::credential::auth_error(error) {
            Ok(auth) => AzureError::Auth(auth),
            Err(other) => AzureError::Auth(AuthError::Refused {
                error: "credential".into(),
                description: other.to_string(),
            }),
        },
        ErrorKind::Io | ErrorKind::Connection => AzureError::Unreachable {
            service,
            detail: error_chain(&error),
        },
        _ => AzureError::Protocol {
            service,
            detail: error_chain(&error),
            request_id: None,
        },
    }
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text
}

/// ARM's `{"error":{"code","message"}}` and Graph's (same, plus
/// `innerError`), classified.
fn api_error(
    service: ServiceName,
    status: u16,
    headers: &Headers,
    body: &[u8],
    request_id: Option<String>,
    request: String,
) -> AzureError {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: Inner,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let (code, message) = match serde_json::from_slice::<Envelope>(body) {
        Ok(Envelope { error }) => (error.code, error.message),
        Err(_) => (
            format!("Http{status}"),
            format!("{service} answered HTTP {status} without an error description"),
        ),
    };
    let (kind, what_to_do, missing_right) = classify(service, status, &code, &message);
    let retry_after = headers
        .get_optional_str(&HeaderName::from_static("retry-after"))
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    tracing::info!(service = %service, %request, status, code = %code, request_id = request_id.as_deref().unwrap_or("-"), "Azure refused");
    AzureError::Api(Box::new(ApiError {
        service,
        status,
        code,
        message,
        kind,
        what_to_do,
        missing_right,
        request_id,
        request,
        retry_after,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Never asked for a token: the tests below send nothing.
    #[derive(Debug)]
    struct Unused;

    #[async_trait::async_trait]
    impl TokenCredential for Unused {
        async fn get_token(
            &self,
            _: &[&str],
            _: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<azure_core::credentials::AccessToken> {
            unreachable!("no request is sent")
        }
    }

    fn arm() -> Service {
        Service::new(
            ServiceName::Arm,
            Url::parse("https://management.azure.com/").unwrap(),
            "https://management.azure.com/",
            reqwest::Client::new(),
            Arc::new(Unused),
            &Options::default(),
        )
    }

    #[test]
    fn next_links_stay_on_the_service_host() {
        let arm = arm();
        assert!(
            arm.next_link(
                "https://management.azure.com/subscriptions?api-version=2022-12-01&%24skiptoken=x"
            )
            .is_ok()
        );
        let elsewhere = arm
            .next_link("https://evil.example/subscriptions?%24skiptoken=x")
            .unwrap_err();
        assert!(
            elsewhere
                .to_string()
                .contains("does not send its token elsewhere"),
            "{elsewhere}"
        );
        assert!(
            arm.next_link("http://management.azure.com/x").is_err(),
            "not over plain HTTP either"
        );
    }

    #[test]
    fn paths_that_leave_the_service_origin_are_refused() {
        let arm = arm();
        for path in [
            "https://attacker.example/x/providers/Microsoft.Authorization/permissions",
            "/https://attacker.example/x",
            "http://management.azure.com/subscriptions",
            "https://management.azure.com:8443/subscriptions",
        ] {
            let error = arm.url(path, &[]).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("does not send its token elsewhere"),
                "{path}: {error}"
            );
        }
        // Whatever else a path holds, a URL made from it stays on the host.
        for path in [
            "//attacker.example/x",
            "\\\\attacker.example\\x",
            "/\\attacker.example/x",
            "/subscriptions/x",
        ] {
            if let Ok(url) = arm.url(path, &[]) {
                assert_eq!(url.host_str(), Some("management.azure.com"), "{path}");
            }
        }
    }

    #[tokio::test]
    async fn a_request_to_another_origin_is_never_sent() {
        // The credential panics if asked for a token: the refusal comes first.
        let error = arm()
            .send::<()>(
                Method::Get,
                Url::parse(
                    "https://attacker.example/providers/Microsoft.Authorization/permissions",
                )
                .unwrap(),
                None,
                &[],
            )
            .await
            .err()
            .expect("refused");
        assert!(
            error
                .to_string()
                .contains("does not send its token elsewhere"),
            "{error}"
        );
    }

    #[test]
    fn paths_and_queries_are_encoded() {
        let url = arm()
            .url(
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions",
                &[("$filter", "roleName eq 'A & B'+c")],
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://management.azure.com/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName%20eq%20%27A%20%26%20B%27%2Bc"
        );
    }

    proptest::proptest! {
        /// Any error answer from ARM or Graph: classified with advice, never a panic.
        #[test]
        fn any_error_body_is_classified(body in proptest::collection::vec(proptest::num::u8::ANY, 0..400), status in 400u16..600, graph in proptest::bool::ANY) {
            let service = if graph { ServiceName::Graph } else { ServiceName::Arm };
            let error = api_error(service, status, &Headers::new(), &body, None, "GET /x".into());
            proptest::prop_assert!(!error.to_string().is_empty());
        }
    }
}
