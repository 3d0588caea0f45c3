//! The app's state: the settings file, the cloud in use (in demo mode with
//! the embedded emulator that plays it) and the sign-in session on it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::Context;
use rolecall_auth::Session;
use rolecall_core::{CloudChoice, CloudKind, CloudProfile, Settings};
use rolecall_emulator::Emulator;

use crate::dto::{CloudMode, CloudSummary};

/// Environment variable naming a cloud profile file (JSON, as the emulator prints).
pub const CLOUD_PROFILE_ENV: &str = "ROLECALL_CLOUD_PROFILE";
/// Environment variable naming a command that plays the browser (automation).
pub const BROWSER_ENV: &str = "ROLECALL_BROWSER";

/// How long an interactive or device-code sign-in may take.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// A cloud forced at start-up, which the settings cannot change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudSource {
    /// `--demo`: the demo tenant on an embedded emulator.
    Demo,
    /// `--cloud-profile FILE` or `ROLECALL_CLOUD_PROFILE`.
    ProfileFile(PathBuf),
}

impl CloudSource {
    fn choice(&self) -> CloudChoice {
        match self {
            CloudSource::Demo => CloudChoice::Demo,
            CloudSource::ProfileFile(path) => CloudChoice::Custom {
                profile_path: path.clone(),
            },
        }
    }
}

/// The cloud forced on the command line, else the settings' choice.
fn effective_cloud(forced: Option<&CloudSource>, settings: &Settings) -> CloudChoice {
    forced
        .map(CloudSource::choice)
        .unwrap_or_else(|| settings.cloud.clone())
}

/// One cloud and the session on it. Replaced whole when the admin picks
/// another cloud or client id.
pub struct Connection {
    pub cloud: CloudProfile,
    pub mode: CloudMode,
    pub http: reqwest::Client,
    pub session: Session,
    /// The cloud's provider-operations catalogue, read once when first
    /// needed (kept between runs in the app's cache folder, shared with the CLI).
    pub catalogue: rolecall_app::catalogue::Slot,
    /// What the admin should know about how this connection was opened (a
    /// keychain that cannot be reached, a profile that fell back to the demo).
    pub notices: Vec<String>,
    /// Kept alive while the connection lives in demo mode; dropping it stops it.
    _emulator: Option<Emulator>,
}

impl Connection {
    async fn open(
        choice: &CloudChoice,
        settings: &Settings,
        dir: &std::path::Path,
        cache_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let mut notices = Vec::new();
        let (cloud, emulator) = match choice.profile()? {
            Some(cloud) => (cloud, None),
            None => {
                // The demo tenant keeps its state (refresh tokens only as
                // hashes) next to the settings, so a restart stays signed in.
                let emulator = Emulator::start(rolecall_emulator::Options {
                    state_file: Some(dir.join("demo-tenant.json")),
                    ..Default::default()
                })
                .await
                .context("starting the demo tenant's emulator")?;
                crate::startup::mark("demo emulator started");
                let cloud = CloudProfile::from_json(&emulator.profile_json())?;
                (cloud, Some(emulator))
            }
        };
        let mode = match (cloud.kind, emulator.is_some()) {
            (_, true) => CloudMode::Demo,
            (CloudKind::Custom, false) => CloudMode::Custom,
            _ => CloudMode::Azure,
        };
        let http = rolecall_core::http::client_for(&cloud)?;
        crate::startup::mark("HTTP client made");
        // The built-in demo keeps its accounts apart from any other emulator's,
        // whose tokens would mean nothing to it. A keychain that cannot be
        // reached does not keep the window shut: the person is told, and
        // sign-in says it again when it needs it.
        let keys = match mode {
            CloudMode::Demo => rolecall_app::connect::Keys::Demo,
            _ => rolecall_app::connect::Keys::OfCloud,
        };
        let (accounts, unreachable) =
            rolecall_app::connect::accounts(&cloud, http.clone(), settings.client_id(), keys);
        crate::startup::mark("keychain opened");
        let session = Session::new(accounts);
        let restored = match unreachable {
            Some(error) => Err(error.to_string()),
            None => session
                .restore(
                    settings.active_account.as_deref(),
                    settings.active_tenant.as_deref(),
                )
                .map_err(|e| e.to_string()),
        };
        crate::startup::mark("saved sign-in read");
        if let Err(error) = restored {
            tracing::warn!(%error, "no saved sign-in could be read");
            notices.push(format!(
                "Your saved sign-in could not be read, so you are not signed in: {error}"
            ));
        }
        if settings.use_azure_cli
            && let Err(error) = session
                .use_azure_cli(settings.active_tenant.as_deref())
                .await
        {
            tracing::warn!(%error, "the Azure CLI's sign-in is no longer usable");
        }
        tracing::info!(cloud = %cloud.name, ?mode, "cloud selected");
        Ok(Self {
            cloud,
            mode,
            http,
            session,
            catalogue: rolecall_app::catalogue::Slot::new(Some(
                rolecall_app::catalogue::CatalogueCache::new(cache_dir),
            )),
            notices,
            _emulator: emulator,
        })
    }
}

pub struct AppState {
    /// What the person should know about this start, shown once in the window.
    pub notices: Vec<String>,
    /// The app's cache folder (the provider-operations catalogue is kept there).
    cache_dir: PathBuf,
    settings_path: PathBuf,
    config_dir: PathBuf,
    settings: Mutex<Settings>,
    /// The cloud forced on the command line, if any.
    forced: Option<CloudSource>,
    connection: RwLock<Arc<Connection>>,
    /// Cancels the sign-in waiting for the browser.
    cancel_sign_in: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    /// Every grant written or removed, in the app's data folder.
    pub journal: Option<rolecall_grants::Journal>,
    /// Plans shown for review, by id, until applied (the latest few), each
    /// bound to the cloud, account and tenant it was made in.
    plans: Mutex<Vec<(u32, Bound<rolecall_grants::Plan>)>>,
    /// Removals shown for review, by id (apart from plans: one is never
    /// applied as the other).
    removals: Mutex<Vec<(u32, Bound<rolecall_grants::Plan>)>>,
    extensions: Mutex<Vec<(u32, Bound<rolecall_grants::Plan>)>>,
    next_plan: std::sync::atomic::AtomicU32,
    /// Onboarding proposals shown for review, by id (the latest few).
    proposals: Mutex<Vec<(u32, Bound<rolecall_onboarding::Proposal>)>>,
    /// Reports of runs, by id, for export (the latest few).
    reports: Mutex<Vec<(u32, rolecall_grants::runs::RunReport)>>,
    /// The admin's own onboarding templates.
    templates_dir: PathBuf,
    /// Runs going on now: not "interrupted", whatever the journal says yet.
    running: Arc<Mutex<std::collections::HashSet<String>>>,
}

/// The parts of a [`rolecall_app::Context`], owned for one command.
pub struct Connected {
    pub azure: rolecall_azure::Azure,
    connection: Arc<Connection>,
    journal: Option<rolecall_grants::Journal>,
}

impl Connected {
    pub fn ctx(&self) -> rolecall_app::Context<'_> {
        rolecall_app::Context {
            azure: &self.azure,
            catalogue: &self.connection.catalogue,
            journal: self.journal.as_ref(),
        }
    }
}

/// Marks a run as going on until dropped.
pub struct Running {
    set: Arc<Mutex<std::collections::HashSet<String>>>,
    id: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.set.lock().expect("running lock").remove(&self.id);
    }
}

/// Keeps `value` under a new id among the latest `keep`.
fn keep_latest<T>(
    list: &Mutex<Vec<(u32, T)>>,
    next: &std::sync::atomic::AtomicU32,
    value: T,
    keep: usize,
) -> u32 {
    let id = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut list = list.lock().expect("list lock");
    list.push((id, value));
    let excess = list.len().saturating_sub(keep);
    list.drain(..excess);
    id
}

/// A reviewed plan and where it was made: the cloud's authority, the account
/// and the tenant. It is applied only where it was made: a switch of account
/// or tenant in between makes it expire.
#[derive(Clone)]
pub struct Bound<T> {
    made_in: String,
    value: T,
}

/// Where something was made: the authority, and the account and tenant in use.
fn place(authority: &str, active: Option<(&str, &str)>) -> String {
    match active {
        Some((account, tenant)) => format!("{authority}|{account}|{}", tenant.to_ascii_lowercase()),
        None => format!("{authority}|"),
    }
}

/// The value kept under `id` if it was made at `here`.
fn find_here<T: Clone>(list: &Mutex<Vec<(u32, Bound<T>)>>, id: u32, here: &str) -> Option<T> {
    find_kept(list, id)
        .filter(|bound| bound.made_in == here)
        .map(|bound| bound.value)
}

fn find_kept<T: Clone>(list: &Mutex<Vec<(u32, T)>>, id: u32) -> Option<T> {
    list.lock()
        .expect("list lock")
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, v)| v.clone())
}

impl AppState {
    /// Reads the settings in `config_dir` and connects to the cloud (a forced
    /// one, or the settings'). What the person should know about the start
    /// (settings moved aside, a profile that fell back to the demo, a
    /// keychain out of reach) is kept for the window: [`AppState::notices`].
    ///
    /// Invariant: the folders exist (`startup::Folders::create`, run first);
    /// on an empty profile this creates the rest it needs; only a forced
    /// cloud that cannot be used, or a demo emulator that cannot start, is
    /// an error.
    pub async fn start(
        config_dir: PathBuf,
        data_dir: PathBuf,
        cache_dir: PathBuf,
        forced: Option<CloudSource>,
    ) -> anyhow::Result<Self> {
        let settings_path = config_dir.join("settings.json");
        let (settings, settings_notice) = Settings::load_or_recover(&settings_path);
        let mut notices: Vec<String> = settings_notice.into_iter().collect();
        let choice = effective_cloud(forced.as_ref(), &settings);
        let connection = match Connection::open(&choice, &settings, &config_dir, &cache_dir).await {
            Ok(connection) => connection,
            // The settings' own custom profile went bad (moved, edited): open
            // the demo and say so, rather than refusing to start; a profile
            // forced on the command line is the person's explicit ask.
            Err(error) if forced.is_none() && choice != CloudChoice::Demo => {
                tracing::warn!(error = %format!("{error:#}"), "the saved cloud cannot be used");
                notices.push(format!(
                    "The cloud in your settings cannot be used ({error:#}), so Rolecall opened the demo tenant. Choose your cloud again on the sign-in page."
                ));
                Connection::open(&CloudChoice::Demo, &settings, &config_dir, &cache_dir).await?
            }
            Err(error) => return Err(error),
        };
        notices.extend(connection.notices.iter().cloned());
        let journal_path = data_dir.join("journal.jsonl");
        let journal = match rolecall_grants::Journal::open(&journal_path) {
            Ok(journal) => Some(journal),
            Err(error) => {
                tracing::error!(%error, "the journal cannot be opened; grants will not be recorded");
                notices.push(format!(
                    "The journal {} cannot be opened ({error}), so what Rolecall writes is not recorded. Check that the folder can be written to.",
                    journal_path.display()
                ));
                None
            }
        };
        Ok(Self {
            notices,
            cache_dir,
            settings_path,
            config_dir,
            settings: Mutex::new(settings),
            forced,
            connection: RwLock::new(Arc::new(connection)),
            cancel_sign_in: Mutex::new(None),
            journal,
            plans: Mutex::new(Vec::new()),
            removals: Mutex::new(Vec::new()),
            extensions: Mutex::new(Vec::new()),
            next_plan: std::sync::atomic::AtomicU32::new(1),
            proposals: Mutex::new(Vec::new()),
            reports: Mutex::new(Vec::new()),
            templates_dir: data_dir.join("templates"),
            running: Arc::default(),
        })
    }

    /// The signed-in admin's ARM and Graph clients.
    pub fn azure(&self) -> Result<rolecall_azure::Azure, rolecall_auth::AuthError> {
        let connection = self.connection();
        let credential = connection.session.credential()?;
        Ok(rolecall_app::connect::azure(
            &connection.cloud,
            connection.http.clone(),
            credential,
        ))
    }

    /// The journal, which every write is recorded in: without it Rolecall
    /// writes nothing (an unrecorded write could not be resumed or undone).
    pub fn journal_for_writes(
        &self,
    ) -> Result<&rolecall_grants::Journal, crate::dto::CommandError> {
        Ok(rolecall_app::context::writable(self.journal.as_ref())?)
    }

    /// What the use cases work with now: the signed-in admin's clients, this
    /// connection's catalogue, the journal.
    pub fn connected(&self) -> Result<Connected, rolecall_auth::AuthError> {
        Ok(Connected {
            azure: self.azure()?,
            connection: self.connection(),
            journal: self.journal.clone(),
        })
    }

    /// Where plans are made now: the cloud's authority, account and tenant.
    fn made_in(&self) -> String {
        let connection = self.connection();
        let active = connection.session.active().ok().flatten();
        place(
            connection.cloud.authority_host.as_str(),
            active
                .as_ref()
                .map(|a| (a.account.id.0.as_str(), a.tenant_id.as_str())),
        )
    }

    fn bind<T>(&self, value: T) -> Bound<T> {
        Bound {
            made_in: self.made_in(),
            value,
        }
    }

    /// The value kept under `id`, if it was made where the app is now.
    fn here<T: Clone>(&self, list: &Mutex<Vec<(u32, Bound<T>)>>, id: u32) -> Option<T> {
        find_here(list, id, &self.made_in())
    }

    /// Keeps a plan for "apply", returning its id.
    pub fn keep_plan(&self, plan: rolecall_grants::Plan) -> u32 {
        keep_latest(&self.plans, &self.next_plan, self.bind(plan), 8)
    }

    /// The plan kept under `id`, unless another account, tenant or cloud is
    /// in use than when it was made.
    pub fn plan(&self, id: u32) -> Option<rolecall_grants::Plan> {
        self.here(&self.plans, id)
    }

    /// Keeps a removal plan for `remove_planned`, returning its id.
    pub fn keep_removal(&self, plan: rolecall_grants::Plan) -> u32 {
        keep_latest(&self.removals, &self.next_plan, self.bind(plan), 8)
    }

    pub fn removal(&self, id: u32) -> Option<rolecall_grants::Plan> {
        self.here(&self.removals, id)
    }

    pub fn keep_extension(&self, plan: rolecall_grants::Plan) -> u32 {
        keep_latest(&self.extensions, &self.next_plan, self.bind(plan), 8)
    }

    pub fn extension(&self, id: u32) -> Option<rolecall_grants::Plan> {
        self.here(&self.extensions, id)
    }

    /// Keeps an onboarding proposal for "apply", returning its id (plans and
    /// proposals share the numbering).
    pub fn keep_proposal(&self, proposal: rolecall_onboarding::Proposal) -> u32 {
        keep_latest(&self.proposals, &self.next_plan, self.bind(proposal), 8)
    }

    pub fn proposal(&self, id: u32) -> Option<rolecall_onboarding::Proposal> {
        self.here(&self.proposals, id)
    }

    pub fn keep_report(&self, report: rolecall_grants::runs::RunReport) -> u32 {
        keep_latest(&self.reports, &self.next_plan, report, 16)
    }

    pub fn report(&self, id: u32) -> Option<rolecall_grants::runs::RunReport> {
        find_kept(&self.reports, id)
    }

    /// Marks `run_id` as going on until the guard is dropped.
    pub fn running(&self, run_id: &str) -> Running {
        self.running
            .lock()
            .expect("running lock")
            .insert(run_id.to_owned());
        Running {
            set: self.running.clone(),
            id: run_id.to_owned(),
        }
    }

    pub fn is_running(&self, run_id: &str) -> bool {
        self.running.lock().expect("running lock").contains(run_id)
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.templates_dir.clone()
    }

    pub fn connection(&self) -> Arc<Connection> {
        self.connection.read().expect("connection lock").clone()
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().expect("settings lock").clone()
    }

    pub fn cloud_locked(&self) -> bool {
        self.forced.is_some()
    }

    /// The cloud in use: the forced one, or the settings'.
    pub fn effective_cloud(&self) -> CloudChoice {
        effective_cloud(self.forced.as_ref(), &self.settings())
    }

    /// Validates and saves new settings; a new cloud or client id opens a new
    /// connection (and its own keychain entries) before anything is replaced.
    pub async fn apply_settings(&self, next: Settings) -> anyhow::Result<()> {
        next.validate()?;
        let current = self.settings();
        let reconnect = (next.cloud != current.cloud && self.forced.is_none())
            || next.client_id() != current.client_id();
        if reconnect {
            next.cloud.profile()?; // a bad profile file is refused before anything changes
            let choice = effective_cloud(self.forced.as_ref(), &next);
            let connection =
                Connection::open(&choice, &next, &self.config_dir, &self.cache_dir).await?;
            *self.connection.write().expect("connection lock") = Arc::new(connection);
        }
        next.save(&self.settings_path)?;
        *self.settings.lock().expect("settings lock") = next;
        Ok(())
    }

    /// Remembers the active account and tenant for the next start.
    pub fn remember_active(&self) -> anyhow::Result<()> {
        let active = self.connection().session.active()?;
        let mut settings = self.settings.lock().expect("settings lock");
        settings.active_account = active
            .as_ref()
            .filter(|a| a.source == rolecall_auth::AccountSource::Rolecall)
            .map(|a| a.account.id.0.clone());
        settings.active_tenant = active.as_ref().map(|a| a.tenant_id.clone());
        settings.use_azure_cli = active
            .as_ref()
            .is_some_and(|a| a.source == rolecall_auth::AccountSource::AzureCli);
        settings.save(&self.settings_path)?;
        Ok(())
    }

    /// A receiver that fires when the admin cancels the sign-in in progress.
    pub fn sign_in_cancellation(&self) -> tokio::sync::oneshot::Receiver<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        *self.cancel_sign_in.lock().expect("cancel lock") = Some(tx);
        rx
    }

    pub fn cancel_sign_in(&self) -> bool {
        self.cancel_sign_in
            .lock()
            .expect("cancel lock")
            .take()
            .is_some_and(|tx| tx.send(()).is_ok())
    }

    pub fn cloud_summary(&self) -> CloudSummary {
        let connection = self.connection();
        let cloud = &connection.cloud;
        let tenant = self
            .settings()
            .tenant
            .unwrap_or_else(|| cloud.tenant_or_default().to_owned());
        CloudSummary {
            name: cloud.name.clone(),
            mode: connection.mode,
            tenant,
            authority_host: cloud.authority_host.to_string(),
            resource_manager_endpoint: cloud.resource_manager_endpoint.to_string(),
            graph_endpoint: cloud.graph_endpoint.to_string(),
        }
    }
}

/// The browser for interactive sign-in: a command from `ROLECALL_BROWSER`
/// (automation, the end-to-end tests) or the system browser, through Tauri's
/// opener plugin (the OS's URL handler: `xdg-open`, `open`, the shell's).
pub fn opener() -> rolecall_auth::interactive::Opener {
    match std::env::var(BROWSER_ENV) {
        Ok(command) if !command.trim().is_empty() => {
            rolecall_auth::interactive::browser_command(command)
        }
        _ => Box::new(|url| {
            tauri_plugin_opener::open_url(url.as_str(), None::<&str>).map_err(std::io::Error::other)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan reviewed in one tenant is not applied after a switch to
    /// another (or to another account or cloud): it has expired.
    #[test]
    fn a_plan_is_applied_only_where_it_was_made() {
        let list = Mutex::new(Vec::new());
        let next = std::sync::atomic::AtomicU32::new(1);
        let contoso = place(
            "https://login.microsoftonline.com/",
            Some(("olivia", "Contoso-Tenant")),
        );
        let id = keep_latest(
            &list,
            &next,
            Bound {
                made_in: contoso.clone(),
                value: "the plan",
            },
            8,
        );
        assert_eq!(find_here(&list, id, &contoso), Some("the plan"));
        assert_eq!(
            find_here(
                &list,
                id,
                &place(
                    "https://login.microsoftonline.com/",
                    Some(("olivia", "contoso-tenant"))
                )
            ),
            Some("the plan"),
            "tenant ids compare without case"
        );
        for elsewhere in [
            place(
                "https://login.microsoftonline.com/",
                Some(("olivia", "fabrikam")),
            ),
            place(
                "https://login.microsoftonline.com/",
                Some(("rita", "contoso-tenant")),
            ),
            place(
                "https://login.microsoftonline.us/",
                Some(("olivia", "contoso-tenant")),
            ),
            place("https://login.microsoftonline.com/", None),
        ] {
            assert_eq!(find_here(&list, id, &elsewhere), None, "{elsewhere}");
        }
    }
}
