//! Exports go to the user's Downloads folder (Rolecall has no file dialog
//! plugin: the window may not touch the file system itself).

use crate::dto::CommandError;

/// Writes `text` to `file_name` in the Downloads folder and returns the
/// file's path, or says what went wrong. A fresh profile may have no
/// Downloads folder, nor a `user-dirs.dirs` naming one: then it is
/// `Downloads` in the home folder, created on first use.
pub fn save(app: &tauri::AppHandle, file_name: &str, text: &str) -> Result<String, CommandError> {
    use tauri::Manager;
    let folder = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir().map(|home| home.join("Downloads")))
        .map_err(|e| {
            CommandError::new(
                "NoDownloadsFolder",
                format!("there is no Downloads folder to save to, nor a home folder ({e})"),
            )
        })?;
    let path = folder.join(file_name);
    rolecall_core::files::write_atomic(&path, text.as_bytes()).map_err(|e| {
        CommandError::new(
            "WriteFailed",
            format!("{e}; check that the folder can be written to"),
        )
    })?;
    Ok(path.display().to_string())
}
