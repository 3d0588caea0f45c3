//! Interactive sign-in: authorization code with PKCE (S256) in the system
//! browser, redirected to a loopback listener (RFC 8252).
//!
//! The listener binds 127.0.0.1 (and ::1 where there is IPv6) on a free port
//! and is registered as `http://localhost:{port}` (Entra matches loopback
//! redirects without their port). Each connection is served on its own task
//! with a read timeout; only the redirect carrying this sign-in's `state`
//! ends the wait (others are answered and ignored), a page tells the admin
//! they can close the tab, and the wait gives up after a timeout.
//! The protocol is small enough that it is written here rather than through
//! the `oauth2` crate, whose 5.x pins reqwest 0.12 (a second HTTP and TLS
//! stack next to the app's reqwest 0.13) and whose token types would need
//! Entra's extra fields (`client_info`, `ext_expires_in`) added anyway.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::RngCore;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

use crate::token::{TokenResponse, redeem};
use crate::{AuthError, Result};

/// Opens the authorization URL for the admin: the OS browser in the app, an
/// HTTP client following redirects in tests.
pub type Opener = Box<dyn FnOnce(Url) -> std::io::Result<()> + Send>;

/// An opener for automation against an authority that signs a chosen user in
/// without a page (the emulator's auto sign-in): fetches the sign-in address
/// (with the cloud's TLS rules; a custom cloud's sign-in pages may be plain
/// HTTP on loopback) and follows its redirect to the loopback listener, as a
/// browser would.
pub fn following_redirects(cloud: &rolecall_core::CloudProfile) -> Result<Opener> {
    let builder = rolecall_core::http::builder_for(cloud)
        .map_err(|e| AuthError::Browser(e.to_string()))?
        .https_only(false)
        .redirect(reqwest::redirect::Policy::none());
    let authority =
        rolecall_core::http::build(builder).map_err(|e| AuthError::Browser(e.to_string()))?;
    Ok(Box::new(move |url: Url| {
        tokio::spawn(async move {
            let answer = match authority.get(url).send().await {
                Ok(answer) => answer,
                Err(e) => return tracing::warn!("the sign-in address did not answer: {e}"),
            };
            let Some(location) = answer
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| Url::parse(l).ok())
            else {
                return tracing::warn!(
                    "the sign-in address did not redirect (status {})",
                    answer.status()
                );
            };
            // The loopback listener is plain HTTP on 127.0.0.1.
            let _ = reqwest::Client::new().get(location).send().await;
        });
        Ok(())
    }))
}

/// Runs `command` (split on spaces) with the sign-in address as its last
/// argument, for automation (`ROLECALL_BROWSER`, `--browser-command`).
pub fn browser_command(command: String) -> Opener {
    Box::new(move |url: Url| {
        let mut parts = command.split_whitespace();
        let program = parts
            .next()
            .ok_or_else(|| std::io::Error::other("the browser command is empty"))?;
        std::process::Command::new(program)
            .args(parts)
            .arg(url.as_str())
            .spawn()
            .map(|_| ())
    })
}

pub struct InteractiveRequest<'a> {
    pub http: &'a reqwest::Client,
    pub cloud: &'a rolecall_core::CloudProfile,
    pub client_id: &'a str,
    /// `organizations`, a tenant id or a domain.
    pub tenant: &'a str,
    pub scopes: &'a [&'a str],
    /// Suggests the account in Entra's page (`login_hint`).
    pub login_hint: Option<&'a str>,
    /// A claims challenge to satisfy (from `WWW-Authenticate`), as JSON.
    pub claims: Option<&'a str>,
    pub timeout: Duration,
}

fn random_url_safe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand_core::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The PKCE pair: a 43-character verifier and its S256 challenge (RFC 7636).
pub fn pkce_pair() -> (String, String) {
    let verifier = random_url_safe(32);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// Runs the whole interactive sign-in and returns the token endpoint's answer.
pub async fn sign_in(request: InteractiveRequest<'_>, open: Opener) -> Result<TokenResponse> {
    crate::check_tenant(request.tenant)?;
    // `localhost` may resolve to 127.0.0.1 or ::1: listen on both (the
    // second only where the machine has IPv6), on one port.
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| AuthError::Loopback(format!("cannot listen on 127.0.0.1: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| AuthError::Loopback(e.to_string()))?
        .port();
    let mut listeners = vec![listener];
    if let Ok(v6) = TcpListener::bind(("::1", port)).await {
        listeners.push(v6);
    }
    let redirect_uri = format!("http://localhost:{port}");
    let (verifier, challenge) = pkce_pair();
    let state = random_url_safe(16);

    let mut url = crate::join_on_origin(
        request.cloud.browser_authority(),
        &format!("{}/oauth2/v2.0/authorize", request.tenant),
    )?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", request.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", &request.scopes.join(" "))
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "select_account");
        if let Some(hint) = request.login_hint {
            q.append_pair("login_hint", hint);
        }
        if let Some(claims) = request.claims {
            q.append_pair("claims", claims);
        }
    }
    open(url).map_err(|e| AuthError::Browser(e.to_string()))?;

    let forged = Arc::new(AtomicBool::new(false));
    let params = tokio::time::timeout(
        request.timeout,
        receive_redirect(listeners, &state, forged.clone()),
    )
    .await
    .map_err(|_| {
        // Nothing with our state came; say so if something else did.
        if forged.load(Ordering::SeqCst) {
            AuthError::StateMismatch
        } else {
            AuthError::TimedOut(request.timeout)
        }
    })??;
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if let Some(error) = get("error") {
        return Err(AuthError::Refused {
            error: error.to_owned(),
            description: get("error_description").unwrap_or_default().to_owned(),
        });
    }
    let code = get("code").ok_or_else(|| {
        AuthError::Protocol("the redirect carried neither a code nor an error".into())
    })?;
    let scope = request.scopes.join(" ");
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", request.client_id),
        ("code", code),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier.as_str()),
        ("scope", scope.as_str()),
        ("client_info", "1"),
    ];
    if let Some(claims) = request.claims {
        form.push(("claims", claims));
    }
    redeem(request.http, request.cloud, request.tenant, &form).await
}

const DONE_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolecall</title></head>\
<body style=\"font-family:'Segoe UI',sans-serif;max-width:32rem;margin:4rem auto\"><h1>You are signed in</h1>\
<p>Rolecall has your sign-in. You can close this tab and return to Rolecall.</p></body></html>";

const FOREIGN_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolecall</title></head>\
<body style=\"font-family:'Segoe UI',sans-serif;max-width:32rem;margin:4rem auto\"><h1>Not Rolecall's sign-in</h1>\
<p>This answer does not belong to the sign-in Rolecall is waiting for, so it was ignored.</p></body></html>";

const ERROR_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rolecall</title></head>\
<body style=\"font-family:'Segoe UI',sans-serif;max-width:32rem;margin:4rem auto\"><h1>Sign-in did not complete</h1>\
<p>Return to Rolecall to see why and to try again. You can close this tab.</p></body></html>";

/// How long one connection to the listener may take to send its request
/// head: an idle socket (a port scanner, a pre-connecting browser) must not
/// hold up the real redirect.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Waits for the browser's redirect carrying `state` and answers it. Every
/// connection is served on its own task with [`READ_TIMEOUT`]; a request with
/// `code` or `error` but another state (anyone who can reach the port) gets
/// an error page and the wait goes on (`forged` is set); requests with
/// neither (a favicon, a probe) get a 404.
async fn receive_redirect(
    listeners: Vec<TcpListener>,
    state: &str,
    forged: Arc<AtomicBool>,
) -> Result<Vec<(String, String)>> {
    let (found_tx, mut found_rx) = tokio::sync::mpsc::channel::<Vec<(String, String)>>(1);
    let state: Arc<str> = Arc::from(state);
    let mut accepting = tokio::task::JoinSet::new();
    for listener in listeners {
        let found_tx = found_tx.clone();
        let state = state.clone();
        let forged = forged.clone();
        accepting.spawn(async move {
            loop {
                let (stream, _) = listener
                    .accept()
                    .await
                    .map_err(|e| AuthError::Loopback(e.to_string()))?;
                let found_tx = found_tx.clone();
                let state = state.clone();
                let forged = forged.clone();
                tokio::spawn(async move {
                    if let Some(params) = answer_one(stream, &state, &forged).await {
                        let _ = found_tx.send(params).await;
                    }
                });
            }
            #[allow(unreachable_code)]
            Ok::<(), AuthError>(())
        });
    }
    drop(found_tx);
    let found = tokio::select! {
        found = found_rx.recv() => found,
        failed = accepting.join_next() => match failed {
            Some(Ok(Err(error))) => return Err(error),
            _ => None,
        },
    };
    accepting.abort_all();
    found.ok_or_else(|| AuthError::Loopback("the listener stopped".into()))
}

/// Reads one request head (within [`READ_TIMEOUT`]) and answers it; the
/// redirect's parameters when it carries our `state` and a code or an error.
async fn answer_one(
    mut stream: tokio::net::TcpStream,
    state: &str,
    forged: &AtomicBool,
) -> Option<Vec<(String, String)>> {
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 2048];
    // Read the request head only; the redirect is a GET without a body.
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    if read.is_err() {
        return None; // idle: dropped, the wait goes on
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or("/");
    let params: Vec<(String, String)> = Url::parse(&format!("http://localhost{target}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let has = |k: &str| params.iter().any(|(key, _)| key == k);
    let ours = params.iter().any(|(k, v)| k == "state" && v == state);
    let redirect = has("code") || has("error");
    let (status, page) = match (redirect, ours) {
        (true, true) if has("code") => ("200 OK", DONE_PAGE),
        (true, true) => ("200 OK", ERROR_PAGE),
        (true, false) => {
            forged.store(true, Ordering::SeqCst);
            ("400 Bad Request", FOREIGN_PAGE)
        }
        (false, _) => ("404 Not Found", ""),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    (redirect && ours).then_some(params)
}
