//! Everything between `main` and the first screen: the command line, the log
//! file, the folders, and what the window shows when the start went wrong.
//!
//! Invariants:
//! - **No start-up failure is a panic.** `--help` and `--version` answer
//!   before any display is touched; a missing display is said in words; a
//!   failure while opening the app's state (a forced cloud profile that does
//!   not parse, a demo emulator that cannot bind its ports) becomes the
//!   window's error screen ([`StartupReport`]), and the process then exits
//!   with status 1.
//! - **A fresh profile needs nothing prepared.** The config, data, cache and
//!   log folders are created here, from Tauri's path resolver, before anything
//!   is written.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use clap::Parser;

use crate::dto::{StartupProblem, StartupView};
use crate::state::{CLOUD_PROFILE_ENV, CloudSource};

/// Rolecall's command line (`rolecall --help`).
#[derive(Debug, Parser)]
#[command(
    name = "rolecall",
    version,
    about = "Rolecall: onboard Azure operators without getting access wrong.",
    long_about = "Rolecall: onboard Azure operators without getting access wrong.\n\nWith no option the cloud chosen on the sign-in page is used (the demo tenant the first time). The same engine runs from the terminal as `rolecall-cli`."
)]
pub struct Args {
    /// Open the demo tenant (an emulator of Entra ID, ARM and Graph on this
    /// computer), whatever --cloud-profile or ROLECALL_CLOUD_PROFILE say.
    #[arg(long)]
    pub demo: bool,
    /// Use the cloud described by this profile file (JSON, as `rolecall-emulator` prints).
    #[arg(long, value_name = "FILE", env = CLOUD_PROFILE_ENV)]
    pub cloud_profile: Option<PathBuf>,
    /// Set by WebKitWebDriver when it starts the app for a WebDriver session.
    #[arg(long, hide = true)]
    pub automation: bool,
}

impl Args {
    /// Parses the process's arguments; `--help`, `--version` and mistakes are
    /// answered here and end the process (status 0, 0 and 2), with no window.
    pub fn parse_or_exit() -> Self {
        // macOS once added `-psn_…` to apps opened from Finder.
        let args = std::env::args_os().filter(|a| !a.to_string_lossy().starts_with("-psn_"));
        Self::parse_from(args)
    }

    /// The cloud forced on the command line, if any.
    pub fn forced(&self) -> Option<CloudSource> {
        if self.demo {
            Some(CloudSource::Demo)
        } else {
            self.cloud_profile.clone().map(CloudSource::ProfileFile)
        }
    }
}

static AUTOMATED: OnceLock<bool> = OnceLock::new();
static STARTED: OnceLock<std::time::Instant> = OnceLock::new();

/// Logs (at debug level) how far into the start a step ended, so a slow
/// start can be read from the log (`ROLECALL_LOG=rolecall_shell=debug`).
/// The first call sets the clock.
pub fn mark(step: &str) {
    let started = STARTED.get_or_init(std::time::Instant::now);
    tracing::debug!(ms = started.elapsed().as_millis() as u64, step, "start-up");
}

/// Whether WebDriver started this process, recorded once at start: the
/// `--automation` argument, or `TAURI_WEBVIEW_AUTOMATION=true`, which
/// tauri-driver sets and which already makes the webview drivable by
/// WebDriver (so a seam it enables exposes nothing more).
pub fn set_automated(argument: bool) {
    let webview = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    let _ = AUTOMATED.set(argument || webview);
}

/// Whether WebDriver started this process: only then do test seams such as
/// [`crate::save::SAVE_TO_ENV`] count.
pub fn automated() -> bool {
    AUTOMATED.get().copied().unwrap_or(false)
}

/// Shows, unminimises and focuses the main window (a second start of the app).
pub fn bring_to_front(app: &tauri::AppHandle) {
    use tauri::Manager;
    tracing::info!("a second start: bringing the running window to the front");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// On Linux a window needs a display; GTK would panic without one.
pub fn display_missing() -> Option<&'static str> {
    let missing = cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && std::env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty());
    missing.then_some(
        "Rolecall could not start: there is no display to open its window on (neither DISPLAY nor WAYLAND_DISPLAY is set). Start it from your desktop session, or on a headless machine under `xvfb-run rolecall --demo`. `rolecall-cli` works without a display.",
    )
}

/// The app's folders, from Tauri's path resolver (the platform's conventions).
#[derive(Debug, Clone)]
pub struct Folders {
    pub config: PathBuf,
    pub data: PathBuf,
    pub cache: PathBuf,
    pub logs: PathBuf,
}

impl Folders {
    pub fn resolve(app: &tauri::AppHandle) -> anyhow::Result<Self> {
        use tauri::Manager;
        let path = app.path();
        Ok(Self {
            config: path.app_config_dir()?,
            data: path.app_data_dir()?,
            cache: path.app_cache_dir()?,
            logs: path.app_log_dir()?,
        })
    }

    /// Creates every folder that is missing (all of them on a fresh profile).
    pub fn create(&self) -> anyhow::Result<()> {
        for dir in [&self.config, &self.data, &self.cache, &self.logs] {
            rolecall_core::files::ensure_dir(dir)?;
        }
        Ok(())
    }
}

/// How long log files are kept: one a day, the last seven.
const LOG_FILES_KEPT: usize = 7;

/// The log file, once its folder is known; until then lines go to stderr only.
static LOG_FILE: OnceLock<Mutex<tracing_appender::rolling::RollingFileAppender>> = OnceLock::new();
static LOG_FOLDER: OnceLock<PathBuf> = OnceLock::new();

/// Writes each log line to stderr and, once [`log_to_folder`] ran, to the file.
#[derive(Clone, Copy)]
struct Tee;

impl std::io::Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(file) = LOG_FILE.get()
            && let Ok(mut file) = file.lock()
        {
            let _ = file.write_all(buf);
        }
        std::io::stderr().write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(file) = LOG_FILE.get()
            && let Ok(mut file) = file.lock()
        {
            let _ = file.flush();
        }
        std::io::stderr().flush()
    }
}

/// While set, a panic is only logged: the start catches it and says what to do.
static QUIET_PANICS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn quiet_panics(on: bool) {
    QUIET_PANICS.store(on, std::sync::atomic::Ordering::SeqCst);
}

/// A panic's message, as text.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unexpected error".into())
}

/// What to tell a person whose window could not be created.
pub fn no_window_message(what: &str) -> String {
    let display = std::env::var("DISPLAY").unwrap_or_default();
    let hint = if cfg!(target_os = "linux") {
        format!(
            " The display '{display}' cannot be reached: start Rolecall from your desktop session, or on a headless machine under `xvfb-run rolecall --demo`."
        )
    } else {
        String::new()
    };
    format!(
        "Rolecall could not start: its window could not be created ({what}).{hint}{}",
        log_folder_hint()
    )
}

/// Starts logging (stderr now; the file once its folder is known) and makes
/// a panic a short message and a log line rather than a backtrace.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROLECALL_LOG").unwrap_or_else(|_| {
                "rolecall=info,rolecall_shell=info,rolecall_app=info,rolecall_core=info".into()
            }),
        )
        .with_ansi(false)
        .with_writer(|| Tee)
        .try_init();
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = panic_text(info.payload());
        tracing::error!("Rolecall hit a bug{location}: {message}");
        if QUIET_PANICS.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        eprintln!(
            "Rolecall hit a bug and stopped what it was doing: {message}. Please report it with the log file{}.",
            log_folder_hint()
        );
    }));
}

/// Adds the rotating log file in `dir` (made by [`Folders::create`]).
pub fn log_to_folder(dir: &Path) -> anyhow::Result<()> {
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("rolecall")
        .filename_suffix("log")
        .max_log_files(LOG_FILES_KEPT)
        .build(dir)?;
    let _ = LOG_FILE.set(Mutex::new(appender));
    let _ = LOG_FOLDER.set(dir.to_owned());
    Ok(())
}

fn log_folder_hint() -> String {
    LOG_FOLDER
        .get()
        .map(|dir| format!(" (log files: {})", dir.display()))
        .unwrap_or_default()
}

/// Whether the start (folders, log file, settings, cloud, keychain) has
/// ended: managed before the window opens, while the start runs on a thread
/// of its own, so the window and its page load meanwhile.
///
/// Invariant: [`StartupReport`], and [`crate::state::AppState`] when the
/// start succeeded, are managed before [`Starting::finish`] is called; the
/// window asks for the report first ([`Starting::report`]) and calls no
/// other command until it has it, so no command meets unmanaged state.
pub struct Starting(tokio::sync::watch::Sender<bool>);

impl Default for Starting {
    fn default() -> Self {
        Self(tokio::sync::watch::Sender::new(false))
    }
}

impl Starting {
    /// Says that the start has ended (its report is managed).
    pub fn finish(&self) {
        self.0.send_replace(true);
    }

    /// Waits until the start has ended (its report, and the state when it
    /// succeeded, are managed).
    pub async fn ended(&self) {
        let mut ended = self.0.subscribe();
        // The sender lives as long as the app: waiting cannot fail.
        let _ = ended.wait_for(|ended| *ended).await;
    }

    /// The start's report, once the start has ended.
    pub async fn report(&self, app: &tauri::AppHandle) -> StartupView {
        use tauri::Manager;
        self.ended().await;
        app.try_state::<StartupReport>().map_or_else(
            || {
                StartupReport::failed(&anyhow::anyhow!("the start ended without a report"), None)
                    .view()
            },
            |report| report.view(),
        )
    }
}

/// What the window shows first: managed from the start, whatever happened.
pub struct StartupReport {
    pub problem: Option<StartupProblem>,
    pub notices: Vec<String>,
    pub log_folder: Option<PathBuf>,
}

impl StartupReport {
    pub fn failed(error: &anyhow::Error, log_folder: Option<PathBuf>) -> Self {
        let what = format!("{error:#}");
        tracing::error!(error = %what, "Rolecall could not start");
        match LOG_FOLDER.get() {
            Some(dir) => eprintln!(
                "Rolecall could not start: {what} (log files: {})",
                dir.display()
            ),
            None => eprintln!("Rolecall could not start: {what}"),
        }
        Self {
            problem: Some(StartupProblem {
                todo: what_to_do(&what),
                what,
            }),
            notices: Vec::new(),
            log_folder,
        }
    }

    pub fn view(&self) -> StartupView {
        StartupView {
            problem: self.problem.clone(),
            notices: self.notices.clone(),
            log_folder: self.log_folder.as_ref().map(|p| p.display().to_string()),
        }
    }
}

/// A plain next step for the failures a start can meet.
fn what_to_do(what: &str) -> String {
    let lower = what.to_ascii_lowercase();
    if lower.contains("profile") {
        "Check the cloud profile file named above (it must be the JSON that `rolecall-emulator` or your cloud's administrator gave you), or start Rolecall without --cloud-profile and ROLECALL_CLOUD_PROFILE to choose the cloud on the sign-in page.".into()
    } else if lower.contains("address") || lower.contains("bind") || lower.contains("port") {
        "Another program may hold the network ports Rolecall needs on this computer; close it, or restart the computer, then open Rolecall again.".into()
    } else if lower.contains("permission denied") || lower.contains("read-only") {
        "Rolecall cannot write to its own folders: check that your user owns the folder named above and that the disk is not full or read-only, then open Rolecall again.".into()
    } else {
        "Close this window and open Rolecall again. If it happens again, send the log file to whoever supports Rolecall for you.".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page asks for the session alongside the report: it must wait for
    /// the start, and be answered once it ends (not hang, not fail early).
    #[tokio::test]
    async fn commands_wait_for_the_start_then_go_on() {
        let starting = std::sync::Arc::new(Starting::default());
        let waiter = {
            let starting = starting.clone();
            tokio::spawn(async move { starting.ended().await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "answered before the start ended");
        starting.finish();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("still waiting after the start ended")
            .unwrap();
        // Asked after the end: answered at once.
        tokio::time::timeout(std::time::Duration::from_secs(1), starting.ended())
            .await
            .expect("a late question waits forever");
    }

    #[test]
    fn help_and_version_answer_without_a_window() {
        for flag in ["--help", "--version"] {
            let error = Args::try_parse_from(["rolecall", flag]).unwrap_err();
            assert_eq!(error.exit_code(), 0, "{flag} ends with status 0");
            let text = error.render().to_string();
            assert!(
                text.contains("rolecall") || text.contains("Rolecall"),
                "{text}"
            );
        }
        let error = Args::try_parse_from(["rolecall", "--no-such-option"]).unwrap_err();
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn demo_wins_over_a_cloud_profile() {
        let args =
            Args::try_parse_from(["rolecall", "--demo", "--cloud-profile", "x.json"]).unwrap();
        assert_eq!(args.forced(), Some(CloudSource::Demo));
    }

    #[test]
    fn webdriver_and_finder_arguments_are_accepted() {
        let args = Args::try_parse_from(["rolecall", "--automation", "--demo"]).unwrap();
        assert_eq!(args.forced(), Some(CloudSource::Demo));
        let args = Args::try_parse_from(["rolecall", "--cloud-profile", "cloud.json"]).unwrap();
        assert_eq!(
            args.forced(),
            Some(CloudSource::ProfileFile("cloud.json".into()))
        );
    }

    #[test]
    fn a_failed_start_says_what_to_do() {
        let error = anyhow::anyhow!("cannot read /x/cloud.json").context("the cloud profile");
        let report = StartupReport::failed(&error, Some("/logs".into()));
        let problem = report.view().problem.unwrap();
        assert!(problem.what.contains("cloud.json"), "{}", problem.what);
        assert!(problem.todo.contains("--cloud-profile"), "{}", problem.todo);
        assert_eq!(report.view().log_folder.as_deref(), Some("/logs"));
    }
}
