//! Listening, TLS and shutdown: three HTTPS hosts (authority, ARM, Graph) on
//! loopback ports, as Azure serves them from three host names.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::catalogue::Catalogue;
use crate::faults::{FaultState, Faults, Host, Verdict};
use crate::seed::{Seed, Tenant};
use crate::tls::LocalCa;
use crate::tokens::{ACCESS_TOKEN_LIFETIME, SigningKey, TokenStore};

use crate::shared::restore;
pub use crate::shared::{Limits, SessionFacts, Settings, Shared, State, Urls};

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct Options {
    /// A loopback address; the emulator refuses anything else.
    pub bind: IpAddr,
    /// Ports for the authority, ARM and Graph hosts; 0 picks a free one.
    pub ports: [u16; 3],
    /// Port of the browser-facing sign-in pages (plain HTTP on loopback); 0 picks a free one.
    pub browser_port: u16,
    pub seed: Seed,
    /// Sign this user (UPN or object id) in at `/authorize` without showing a page.
    pub auto_sign_in: Option<String>,
    /// Lifetime of the access tokens the authority issues.
    pub access_token_lifetime: Duration,
    /// A folder laid out like `shared/azure-reference`: load Azure's full
    /// catalogue of built-in roles and provider operations from it.
    pub reference: Option<std::path::PathBuf>,
    /// Items per page of ARM lists.
    pub page_size: usize,
    /// Azure's failure modes to inject (none by default).
    pub faults: Faults,
    /// Keep the tenant's state in this file: loaded at start when present, and
    /// rewritten (whole, atomically) after every successful write.
    pub state_file: Option<std::path::PathBuf>,
    /// The client secret of every confidential application (client
    /// credentials sign-in); a new random one per application when None.
    pub app_secret: Option<String>,
    /// The tenant has Microsoft Entra ID P2 (or ID Governance), which PIM
    /// needs; without it PIM's APIs refuse every call.
    pub entra_p2: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: [0, 0, 0],
            browser_port: 0,
            seed: Seed::Demo,
            auto_sign_in: None,
            access_token_lifetime: ACCESS_TOKEN_LIFETIME,
            reference: None,
            page_size: 100,
            faults: Faults::default(),
            state_file: None,
            app_secret: None,
            entra_p2: true,
        }
    }
}

/// The cloud profile the emulator prints once ready; `rolecall-core`'s
/// `CloudProfile` reads exactly this JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudProfileJson {
    pub name: String,
    pub kind: &'static str,
    pub authority_host: String,
    pub browser_authority_host: String,
    pub resource_manager_endpoint: String,
    pub resource_manager_audience: String,
    pub graph_endpoint: String,
    pub graph_audience: String,
    pub default_tenant: String,
    pub ca_certificate_pem: String,
}

/// A running emulator. Dropping it stops the listeners.
pub struct Emulator {
    profile: CloudProfileJson,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Emulator {
    /// Binds the three hosts and starts serving. Returns once every listener
    /// is bound, so the profile's addresses accept connections immediately.
    pub async fn start(options: Options) -> anyhow::Result<Self> {
        if !options.bind.is_loopback() {
            bail!(
                "the emulator only listens on loopback addresses (127.0.0.1 or ::1), not {}; it holds a demo tenant's tokens and must not be reachable from the network",
                options.bind
            );
        }
        // RSA key generation takes 50 to 500 ms: begun now on a thread of its
        // own, awaited only by the first token or JWKS request.
        std::thread::spawn(|| drop(SigningKey::shared()));
        let ca = LocalCa::generate().context("generating the emulator's local CA")?;
        let acceptor = ca
            .acceptor()
            .context("loading the emulator's TLS certificate")?;

        let mut listeners = Vec::new();
        let mut urls = Vec::new();
        for port in options.ports {
            let addr = SocketAddr::new(options.bind, port);
            let listener = TcpListener::bind(addr).await.with_context(|| {
                format!("binding {addr}; choose another port or pass 0 for any free one")
            })?;
            let local = listener.local_addr()?;
            let host = match local.ip() {
                IpAddr::V4(ip) => ip.to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
            };
            urls.push(format!("https://{host}:{}/", local.port()));
            listeners.push(listener);
        }
        let browser_listener =
            TcpListener::bind(SocketAddr::new(options.bind, options.browser_port))
                .await
                .with_context(|| {
                    format!(
                        "binding the sign-in pages' port {}; choose another or pass 0",
                        options.browser_port
                    )
                })?;
        let browser = {
            let local = browser_listener.local_addr()?;
            match local.ip() {
                IpAddr::V4(ip) => format!("http://{ip}:{}/", local.port()),
                IpAddr::V6(ip) => format!("http://[{ip}]:{}/", local.port()),
            }
        };
        let urls = Urls {
            authority: urls[0].clone(),
            arm: urls[1].clone(),
            graph: urls[2].clone(),
            browser,
        };
        let tenant = options.seed.tenant();
        let arm_audience = "https://management.azure.com".to_string();
        let graph_audience = "https://graph.microsoft.com".to_string();
        let profile = CloudProfileJson {
            name: format!("{} (Rolecall emulator)", tenant.display_name),
            kind: "Custom",
            authority_host: urls.authority.clone(),
            browser_authority_host: urls.browser.clone(),
            resource_manager_endpoint: urls.arm.clone(),
            resource_manager_audience: arm_audience.clone(),
            graph_endpoint: urls.graph.clone(),
            graph_audience: graph_audience.clone(),
            default_tenant: tenant.id.clone(),
            ca_certificate_pem: ca.ca_pem.clone(),
        };
        let mut arm = options.seed.arm();
        let catalogue = match &options.reference {
            None => Catalogue::demo(),
            Some(dir) => {
                let (catalogue, builtins) = Catalogue::load_reference(dir).with_context(|| {
                    format!("loading the reference catalogue from {}", dir.display())
                })?;
                arm.role_definitions.retain(|d| d.is_custom());
                arm.role_definitions.extend(builtins);
                catalogue
            }
        };
        let state = State {
            directory: options.seed.directory(),
            arm,
            app_role_assignments: Vec::new(),
            faults: options.faults.clone(),
            fault_state: FaultState::default(),
            propagating_roles: Vec::new(),
            tokens: TokenStore::default(),
            settings: Settings {
                auto_sign_in: options.auto_sign_in.clone(),
                access_token_lifetime: options.access_token_lifetime,
                device_code_interval: 5,
                page_size: options.page_size,
                limits: Limits::default(),
                entra_p2: options.entra_p2,
                mfa_at_sign_in: true,
            },
        };
        let mut state = state;
        if let Some(path) = options.state_file.as_deref().filter(|p| p.exists()) {
            restore(path, &tenant.id, &mut state)?;
        }
        let app_secrets = state
            .directory
            .applications
            .iter()
            .filter(|a| a.public_client_redirect_uris.is_empty())
            .map(|a| crate::shared::AppSecret {
                app_id: a.app_id.clone(),
                display_name: a.display_name.clone(),
                secret: options
                    .app_secret
                    .clone()
                    .unwrap_or_else(crate::shared::AppSecret::generate),
            })
            .collect();
        let shared = Arc::new(Shared {
            app_secrets,
            state_file: options.state_file.clone(),
            tenant,
            urls,
            arm_audience,
            graph_audience,
            catalogue: Arc::new(catalogue),
            state: Mutex::new(state),
        });
        let routers = [
            crate::entra::router(shared.clone()),
            crate::arm::router(shared.clone()),
            crate::graph::router(shared.clone()),
        ];

        let (shutdown, watcher) = watch::channel(false);
        shared.persist().context("writing the initial state file")?;
        let hosts = [Host::Authority, Host::Arm, Host::Graph];
        let mut tasks: Vec<JoinHandle<()>> = listeners
            .into_iter()
            .zip(routers)
            .zip(hosts)
            .map(|((listener, router), host)| {
                tokio::spawn(serve(
                    listener,
                    acceptor.clone(),
                    router,
                    host,
                    shared.clone(),
                    watcher.clone(),
                ))
            })
            .collect();
        let mut stop = watcher.clone();
        let pages = crate::entra::browser_router(shared.clone());
        tasks.push(tokio::spawn(async move {
            let served = axum::serve(browser_listener, pages)
                .with_graceful_shutdown(async move {
                    let _ = stop.changed().await;
                })
                .await;
            if let Err(error) = served {
                tracing::warn!(%error, "the sign-in pages stopped");
            }
        }));
        tracing::info!(browser = %shared.urls.browser, authority = %shared.urls.authority, arm = %shared.urls.arm, graph = %shared.urls.graph, "emulator ready");
        Ok(Self {
            profile,
            shared,
            shutdown,
            tasks,
        })
    }

    pub fn profile(&self) -> &CloudProfileJson {
        &self.profile
    }

    /// The cloud profile as one line of JSON.
    pub fn profile_json(&self) -> String {
        serde_json::to_string(&self.profile).expect("the profile serialises")
    }

    pub fn urls(&self) -> &Urls {
        &self.shared.urls
    }

    /// The confidential applications' client secrets (client credentials).
    pub fn app_secrets(&self) -> &[crate::shared::AppSecret] {
        &self.shared.app_secrets
    }

    pub fn tenant(&self) -> &Tenant {
        &self.shared.tenant
    }

    /// Runs `f` on the live state (for tests that check or arrange it).
    pub fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.shared.state.lock().expect("state lock"))
    }

    /// Moves every PIM schedule (running or ended) `by` into the past, as
    /// if that time had gone by: what ran out ends at the next request.
    pub fn let_pim_time_pass(&self, by: time::Duration) {
        let rfc = &time::format_description::well_known::Rfc3339;
        let earlier = |t: &mut String| {
            if let Ok(then) = time::OffsetDateTime::parse(t, rfc) {
                *t = (then - by).format(rfc).unwrap_or_default();
            }
        };
        self.with_state(|s| {
            let pim = &mut s.arm.pim;
            for schedule in pim.schedules.iter_mut().chain(&mut pim.expired) {
                earlier(&mut schedule.start);
                earlier(&mut schedule.created_on);
                if let Some(end) = schedule.end.as_mut() {
                    earlier(end);
                }
            }
        });
    }

    /// Signs `user` (UPN or object id) in at `/authorize` without a page, or shows the page again.
    pub fn set_auto_sign_in(&self, user: Option<&str>) {
        self.with_state(|s| s.settings.auto_sign_in = user.map(str::to_owned));
    }

    /// Replaces the failure modes in force.
    pub fn set_faults(&self, faults: Faults) {
        self.with_state(|s| s.faults = faults);
    }

    /// What was done to ARM and Graph requests since the start or the last
    /// [`Emulator::reset_observed`].
    pub fn observed(&self) -> crate::faults::Observed {
        self.with_state(|s| s.fault_state.observed)
    }

    pub fn reset_observed(&self) {
        self.with_state(|s| {
            let in_flight = s.fault_state.observed.in_flight;
            s.fault_state.observed = crate::faults::Observed {
                in_flight,
                ..Default::default()
            };
        });
    }

    /// Makes the next silent sign-in of `user` fail with `interaction_required`
    /// (AADSTS50076) until they sign in interactively.
    pub fn require_mfa(&self, user: &str) -> bool {
        self.with_state(|s| {
            let Some(id) = s.directory.user(user).map(|u| u.id.to_ascii_lowercase()) else {
                return false;
            };
            s.tokens.mfa_required.insert(id);
            true
        })
    }

    /// Continuous access evaluation: ARM and Graph answer the access tokens of
    /// `user` issued until now with a claims challenge; new tokens work.
    pub fn claims_challenge(&self, user: &str) -> bool {
        self.with_state(|s| {
            let Some(id) = s.directory.user(user).map(|u| u.id.to_ascii_lowercase()) else {
                return false;
            };
            s.tokens.cae_events.insert(id, crate::tokens::now_secs());
            true
        })
    }

    /// Creates a user now (ARM finds it only after the replication delay). Returns its id.
    pub fn create_user(&self, key: &str, display_name: &str) -> String {
        let upn = format!("{key}@{}", self.shared.tenant.default_domain);
        let id = uuid::Uuid::new_v4().to_string();
        self.with_state(|s| {
            s.directory.users.push(crate::directory::User {
                id: id.clone(),
                display_name: display_name.into(),
                user_principal_name: upn.clone(),
                mail: Some(upn),
                user_type: "Member".into(),
                account_enabled: true,
                created: Some(std::time::Instant::now()),
            })
        });
        if let Err(error) = self.shared.persist() {
            tracing::error!(%error, "could not write the state file");
        }
        id
    }

    /// Revokes every refresh token of `user` (UPN or object id), as "revoke sessions" does.
    pub fn revoke_sessions(&self, user: &str) -> bool {
        self.with_state(|s| {
            let Some(id) = s.directory.user(user).map(|u| u.id.clone()) else {
                return false;
            };
            s.tokens.revoke_user(&id);
            true
        })
    }

    /// Stops accepting, lets open requests finish, and waits for the listeners.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// The answer of a host in trouble, in that service's envelope.
fn fault_response(host: Host, status: u16) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode};
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match (host, status) {
        (Host::Graph, StatusCode::SERVICE_UNAVAILABLE) => crate::wire::graph_error(
            status,
            "serviceNotAvailable",
            "Service unavailable.",
            &uuid::Uuid::new_v4().to_string(),
        ),
        (Host::Graph, _) => crate::wire::graph_error(
            status,
            "generalException",
            "General exception while processing.",
            &uuid::Uuid::new_v4().to_string(),
        ),
        (_, StatusCode::SERVICE_UNAVAILABLE) => crate::wire::arm_error(
            status,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please retry the request later.",
        ),
        _ => crate::wire::arm_error(
            status,
            "InternalServerError",
            &format!(
                "Encountered internal server error. Diagnostic information: timestamp '{}', tracking id '{}'.",
                crate::wire::now_rfc3339(),
                uuid::Uuid::new_v4()
            ),
        ),
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    response
}

async fn serve(
    listener: TcpListener,
    acceptor: tokio_native_tls::TlsAcceptor,
    router: Router,
    host: Host,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let (tcp, _) = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        let shared = shared.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let tls =
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(error)) => {
                        tracing::debug!(%error, "TLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                };
            // Faults first: latency, then a dropped connection, a 5xx, or the service.
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    let shared = shared.clone();
                    async move {
                        // The request log: method, path (no query: it can carry
                        // codes), status, request id, time (`ROLECALL_LOG` or
                        // `RUST_LOG` at debug), so a failing client can be
                        // diagnosed from the emulator's side.
                        let started = std::time::Instant::now();
                        let method = request.method().clone();
                        let path = request.uri().path().to_owned();
                        let log = move |status: Option<u16>, request_id: Option<&str>| {
                            let ms = started.elapsed().as_millis() as u64;
                            match status {
                                Some(status) => tracing::debug!(
                                    target: "rolecall_emulator::requests",
                                    host = ?host, %method, %path, status,
                                    request_id = request_id.unwrap_or("-"), ms,
                                    "{method} {path} {status}"
                                ),
                                None => tracing::debug!(
                                    target: "rolecall_emulator::requests",
                                    host = ?host, %method, %path, ms,
                                    "{method} {path} dropped (fault injection)"
                                ),
                            }
                        };
                        let request_id = |response: &axum::response::Response| {
                            let headers = response.headers();
                            headers
                                .get("x-ms-request-id")
                                .or_else(|| headers.get("request-id"))
                                .and_then(|v| v.to_str().ok())
                                .map(str::to_owned)
                        };
                        let (latency, verdict) = {
                            let mut state = shared.state.lock().expect("state lock");
                            let faults = state.faults.clone();
                            let verdict = state.fault_state.verdict(&faults, host);
                            if host != Host::Authority {
                                let observed = &mut state.fault_state.observed;
                                observed.in_flight += 1;
                                observed.max_in_flight =
                                    observed.max_in_flight.max(observed.in_flight);
                            }
                            (faults.latency, verdict)
                        };
                        // Counts this request out of `in_flight` however it ends.
                        let _served = InFlight {
                            shared: (host != Host::Authority).then(|| shared.clone()),
                        };
                        if !latency.is_zero() {
                            tokio::time::sleep(latency).await;
                        }
                        match verdict {
                            Verdict::Drop => {
                                log(None, None);
                                Err(std::io::Error::new(
                                    std::io::ErrorKind::ConnectionAborted,
                                    "fault injection: connection dropped",
                                ))
                            }
                            Verdict::Fail(status) => {
                                let response = fault_response(host, status);
                                log(Some(status), request_id(&response).as_deref());
                                Ok(response)
                            }
                            Verdict::Serve => {
                                let writes = request.method() != hyper::Method::GET
                                    && request.method() != hyper::Method::HEAD;
                                let service = TowerToHyperService::new(router);
                                use hyper::service::Service as _;
                                let response = match service.call(request).await {
                                    Ok(response) => response,
                                    Err(never) => match never {},
                                };
                                // Saved before the answer leaves: a client that saw
                                // success finds it after a restart.
                                if writes
                                    && response.status().is_success()
                                    && let Err(error) = shared.persist()
                                {
                                    tracing::error!(%error, "could not write the state file");
                                }
                                log(
                                    Some(response.status().as_u16()),
                                    request_id(&response).as_deref(),
                                );
                                Ok(response)
                            }
                        }
                    }
                },
            );
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = shutdown.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
}

/// Decrements [`crate::faults::Observed::in_flight`] when a request ends.
struct InFlight {
    shared: Option<Arc<Shared>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(shared) = &self.shared
            && let Ok(mut state) = shared.state.lock()
        {
            let observed = &mut state.fault_state.observed;
            observed.in_flight = observed.in_flight.saturating_sub(1);
        }
    }
}
