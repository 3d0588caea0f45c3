//! Exports are saved where the admin says, through the platform's Save dialog
//! (tauri-plugin-dialog, called from Rust: the window itself may not touch the
//! file system), opened on the Downloads folder with a file name given.
//!
//! Invariant: **the window never names a path.** The path comes from the
//! dialog (or, for the end-to-end suite only, from [`SAVE_TO_ENV`] when the
//! process was started by WebDriver), never from an IPC argument.

use std::path::{Path, PathBuf};

use crate::dto::CommandError;

/// For the end-to-end suite, which cannot click inside a native dialog: the
/// folder exports go to, without a dialog. Read only when WebDriver started
/// the app ([`crate::startup::automated`]), so this variable alone, left in a
/// user's environment, never skips the dialog.
pub const SAVE_TO_ENV: &str = "ROLECALL_E2E_SAVE_TO";

/// Asks where to save `text` (suggesting `file_name` in the Downloads folder)
/// and writes it there whole (written aside, then renamed). Returns the saved
/// file's path, or `None` when the admin cancelled the dialog.
pub async fn save_as(
    app: &tauri::AppHandle,
    file_name: &str,
    text: &str,
) -> Result<Option<String>, CommandError> {
    let Some(path) = choose(app, file_name).await? else {
        return Ok(None);
    };
    rolecall_core::files::write_atomic(&path, text.as_bytes()).map_err(|e| {
        CommandError::new(
            "WriteFailed",
            format!("{e}; choose a folder you can write to, or check that the disk is not full"),
        )
    })?;
    tracing::info!(path = %path.display(), "export saved");
    Ok(Some(path.display().to_string()))
}

async fn choose(app: &tauri::AppHandle, file_name: &str) -> Result<Option<PathBuf>, CommandError> {
    if crate::startup::automated()
        && let Some(folder) = std::env::var_os(SAVE_TO_ENV).filter(|f| !f.is_empty())
    {
        return Ok(Some(PathBuf::from(folder).join(file_name)));
    }
    use tauri::Manager;
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Save as")
        .set_file_name(file_name)
        .set_can_create_directories(true);
    if let Some(folder) = start_folder(app) {
        dialog = dialog.set_directory(folder);
    }
    if let Some((label, extension)) = filter(file_name) {
        dialog = dialog.add_filter(label, &[extension]);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen);
    });
    let chosen = rx.await.map_err(|_| {
        CommandError::new(
            "DialogFailed",
            "the Save dialog closed without an answer; try again",
        )
    })?;
    chosen
        .map(|path| {
            path.into_path().map_err(|e| {
                CommandError::new(
                    "DialogFailed",
                    format!("the Save dialog gave a place that is not a file ({e}); choose a folder on this computer"),
                )
            })
        })
        .transpose()
}

/// Downloads when it exists (a fresh profile may have none, nor a
/// `user-dirs.dirs` naming it), else the home folder.
fn start_folder(app: &tauri::AppHandle) -> Option<PathBuf> {
    use tauri::Manager;
    let path = app.path();
    let home = path.home_dir().ok();
    let downloads = path
        .download_dir()
        .ok()
        .or_else(|| home.as_ref().map(|h| h.join("Downloads")));
    downloads.filter(|d| d.is_dir()).or(home)
}

/// The dialog's file-type filter for a suggested name.
fn filter(file_name: &str) -> Option<(&'static str, &'static str)> {
    match Path::new(file_name).extension()?.to_str()? {
        "csv" => Some(("CSV", "csv")),
        "json" => Some(("JSON", "json")),
        "md" => Some(("Markdown", "md")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_export_gets_its_own_file_type() {
        assert_eq!(super::filter("report.md"), Some(("Markdown", "md")));
        assert_eq!(
            super::filter("x.rolecall-template.json"),
            Some(("JSON", "json"))
        );
        assert_eq!(
            super::filter("role-assignments-1.csv"),
            Some(("CSV", "csv"))
        );
        assert_eq!(super::filter("noextension"), None);
    }
}
