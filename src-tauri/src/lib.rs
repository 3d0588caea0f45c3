//! The Rolecall desktop shell. It only translates between IPC and the crates
//! under `crates/` (commands, DTOs, events); no domain logic lives here.

mod access;
mod commands;
pub mod dto;
mod onboarding;
mod roles;
mod save;
mod startup;
mod state;

use state::AppState;

/// The app's commands, as `build.rs` also knows them (one permission each).
pub const COMMANDS: &[&str] = include!("../commands.rs.in");

/// Where the generated TypeScript bindings live, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/bindings.ts";

/// The one list of commands: used to serve IPC and to generate the bindings.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new().commands(tauri_specta::collect_commands![
        commands::startup_report,
        commands::quit,
        commands::app_info,
        commands::check_connection,
        commands::get_session,
        commands::sign_in,
        commands::cancel_sign_in,
        commands::start_device_code,
        commands::finish_device_code,
        commands::use_azure_cli,
        commands::switch_account,
        commands::list_tenants,
        commands::switch_tenant,
        commands::reauthenticate,
        commands::sign_out,
        commands::sign_out_everywhere,
        commands::get_settings,
        commands::save_settings,
        access::list_subscriptions,
        access::list_scope_roots,
        access::list_children,
        access::check_assign_rights,
        access::list_estate,
        access::search_members,
        access::list_roles,
        access::rank_roles,
        access::find_applications,
        access::list_app_role_holders,
        access::plan_grants,
        access::apply_plan,
        access::plan_removal,
        access::remove_planned,
        access::list_expiring,
        access::list_my_roles,
        access::activate_role,
        access::cancel_activation,
        access::list_awaiting_approval,
        access::decide_approval,
        access::plan_extension,
        access::extend_planned,
        access::list_role_assignments,
        access::export_role_assignments,
        roles::search_operations,
        roles::expand_pattern,
        roles::role_draft,
        roles::check_role_draft,
        roles::save_role_draft,
        roles::delete_custom_role,
        roles::list_providers,
        roles::provider_operations,
        roles::custom_role_usage,
        roles::list_custom_roles,
        onboarding::list_templates,
        onboarding::import_template,
        onboarding::export_template,
        onboarding::people_from_csv,
        onboarding::prepare_onboarding,
        onboarding::prepare_removal,
        onboarding::prepare_undo,
        onboarding::prepare_undo_file,
        onboarding::list_activity,
        onboarding::prepare_undo_activity,
        onboarding::run_proposal,
        onboarding::unfinished_runs,
        onboarding::resume_run,
        onboarding::discard_run,
        onboarding::export_report
    ])
}

/// Renders the TypeScript bindings exactly as committed in `ui/src/bindings.ts`.
pub fn render_bindings() -> anyhow::Result<String> {
    // tauri-specta exports to a file; give every call its own folder, since
    // tests render concurrently.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("rolecall-bindings-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bindings.ts");
    specta_builder()
        .export(
            specta_typescript::Typescript::default()
                .header("// Generated from the Rust commands and DTOs by tauri-specta. Do not edit:\n// run `cargo xtask bindings` after changing src-tauri/src/{commands,dto}.rs.\n"),
            &path,
        )
        .map_err(|e| anyhow::anyhow!("exporting bindings: {e}"))?;
    let text = std::fs::read_to_string(&path)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(text)
}

/// The app's start: arguments, display, logging, folders, state, window.
/// Returns the process's exit status; nothing on this path panics.
pub fn run() -> i32 {
    let args = startup::Args::parse_or_exit();
    if let Some(message) = startup::display_missing() {
        eprintln!("{message}");
        return 1;
    }
    startup::mark("arguments read");
    startup::init_logging();
    startup::set_automated(args.automation);
    let forced = args.forced();
    let builder = specta_builder();
    // Creating the window's event loop panics inside GTK when the display
    // cannot be reached (a DISPLAY left over from a closed session): caught
    // here and said in words.
    startup::quiet_panics(true);
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        tauri::Builder::default()
            // First: a second start hands its arguments to the running
            // instance, which comes to the front, and ends (two instances
            // must not write one journal).
            .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
                startup::bring_to_front(app)
            }))
            .plugin(
                tauri_plugin_window_state::Builder::default()
                    .with_state_flags(
                        tauri_plugin_window_state::StateFlags::SIZE
                            | tauri_plugin_window_state::StateFlags::POSITION
                            | tauri_plugin_window_state::StateFlags::MAXIMIZED,
                    )
                    .build(),
            )
            .plugin(tauri_plugin_opener::init())
            .plugin(tauri_plugin_dialog::init())
            .invoke_handler(builder.invoke_handler())
            .on_page_load(|_, payload| match payload.event() {
                tauri::webview::PageLoadEvent::Started => startup::mark("page load started"),
                tauri::webview::PageLoadEvent::Finished => startup::mark("page loaded"),
            })
            .setup(move |app| {
                use tauri::Manager;
                startup::mark("window system and plugins ready");
                // The start (the demo tenant's emulator, the keychain, the
                // settings) runs beside the window's creation and its page's
                // loading, not before them: the page waits for it through
                // `startup_report` (see `startup::Starting`).
                app.manage(startup::Starting::default());
                let handle = app.handle().clone();
                let start = move || {
                    let report = match open(&handle, forced) {
                        Ok((state, log_folder)) => {
                            let notices = state.notices.clone();
                            handle.manage(state);
                            startup::StartupReport {
                                problem: None,
                                notices,
                                log_folder: Some(log_folder),
                            }
                        }
                        Err((error, log_folder)) => {
                            startup::StartupReport::failed(&error, log_folder)
                        }
                    };
                    handle.manage(report);
                    startup::mark("state ready");
                    handle.state::<startup::Starting>().finish();
                };
                if let Err(error) = std::thread::Builder::new()
                    .name("start".into())
                    .spawn(start)
                {
                    // No thread to spare: the window says so (an Err here
                    // would make Tauri panic).
                    let error =
                        anyhow::anyhow!("no thread could be started for the start ({error})");
                    app.manage(startup::StartupReport::failed(&error, None));
                    app.state::<startup::Starting>().finish();
                }
                Ok(())
            })
            .build(tauri::generate_context!("tauri.conf.json"))
    }));
    startup::quiet_panics(false);
    let built = match built {
        Ok(built) => built,
        Err(panic) => {
            let what = startup::panic_text(panic.as_ref());
            tracing::error!(%what, "the window could not be created");
            eprintln!("{}", startup::no_window_message(&what));
            return 1;
        }
    };
    let app = match built {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "the window could not be created");
            eprintln!(
                "Rolecall could not start: its window could not be created ({error}). On Linux it needs WebKitGTK 4.1 and a desktop session."
            );
            return 1;
        }
    };
    use tauri::Manager;
    startup::mark("window built");
    let handle = app.handle().clone();
    let code = app.run_return(|_, _| {});
    // A start that failed ends with status 1 however the window was closed.
    // Read after the run: the start happens during it (setup runs once the
    // event loop is up), so before it there is no report yet.
    let failed = handle
        .try_state::<startup::StartupReport>()
        .is_none_or(|report| report.problem.is_some());
    if failed { 1 } else { code }
}

/// Folders, log file, then the app's state: on failure, the error and the
/// log folder (when it was reached) for the error screen.
fn open(
    app: &tauri::AppHandle,
    forced: Option<state::CloudSource>,
) -> Result<(AppState, std::path::PathBuf), (anyhow::Error, Option<std::path::PathBuf>)> {
    let folders = startup::Folders::resolve(app).map_err(|e| (e, None))?;
    let logs = folders.logs.clone();
    folders.create().map_err(|e| (e, None))?;
    if let Err(error) = startup::log_to_folder(&folders.logs) {
        tracing::warn!(error = %format!("{error:#}"), "no log file: logging to stderr only");
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), logs = %logs.display(), "Rolecall starting");
    tauri::async_runtime::block_on(AppState::start(
        folders.config,
        folders.data,
        folders.cache,
        forced,
    ))
    .map(|state| (state, logs.clone()))
    .map_err(|e| (e, Some(logs)))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn root() -> PathBuf {
        // At run time: with a target directory shared between checkouts,
        // cargo reuses a test binary built in another clone.
        PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
        )
    }

    /// Fails when `ui/src/bindings.ts` no longer matches the Rust commands and
    /// DTOs. `ROLECALL_UPDATE_BINDINGS=1` (what `cargo xtask bindings` sets)
    /// rewrites the file instead.
    #[test]
    fn typescript_bindings_are_up_to_date() {
        let fresh = super::render_bindings().unwrap();
        let path = root().join(super::BINDINGS_PATH);
        if std::env::var_os("ROLECALL_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run `cargo xtask bindings` and commit the result",
            super::BINDINGS_PATH
        );
    }

    /// The names the generated bindings invoke, in order.
    fn invoked_commands(bindings: &str) -> Vec<String> {
        bindings
            .split("__TAURI_INVOKE")
            .skip(2) // the text before the import, and the import itself
            .filter_map(|call| {
                let start = call.find("(\"")? + 2;
                let end = start + call[start..].find('"')?;
                Some(call[start..end].to_owned())
            })
            .collect()
    }

    #[test]
    fn build_script_and_ipc_register_the_same_commands() {
        let mut invoked = invoked_commands(&super::render_bindings().unwrap());
        invoked.sort();
        let mut listed: Vec<String> = super::COMMANDS.iter().map(|c| c.to_string()).collect();
        listed.sort();
        assert_eq!(
            invoked, listed,
            "src-tauri/commands.rs.in and specta_builder() disagree"
        );
    }

    #[test]
    fn the_window_is_granted_only_the_apps_own_commands() {
        let text = std::fs::read_to_string(root().join("src-tauri/capabilities/main-window.json"))
            .unwrap();
        let capability: serde_json::Value = serde_json::from_str(&text).unwrap();
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().expect("plain permission identifiers only"))
            .collect();
        let expected: Vec<String> = super::COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        assert_eq!(
            granted, expected,
            "no plugin or core permission may be granted to the webview"
        );
    }

    #[test]
    fn tauri_conf_keeps_the_security_baseline() {
        let text = std::fs::read_to_string(root().join("tauri.conf.json")).unwrap();
        let conf: serde_json::Value = serde_json::from_str(&text).unwrap();
        let app = &conf["app"];
        assert_eq!(app["withGlobalTauri"], false);
        let csp = app["security"]["csp"].as_str().expect("a CSP string");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
        }
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert!(
            !csp.contains("http:") || csp.contains("http://ipc.localhost"),
            "no plain-HTTP origins: {csp}"
        );
        assert_eq!(
            app["security"]["capabilities"],
            serde_json::json!(["main-window"])
        );
    }
}
