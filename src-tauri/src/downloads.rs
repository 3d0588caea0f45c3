//! Exports go to the user's Downloads folder (Rolecall has no file dialog
//! plugin: the window may not touch the file system itself).

use crate::dto::CommandError;

/// Writes `text` to `file_name` in the Downloads folder and returns the
/// file's path, or says what went wrong.
pub fn save(app: &tauri::AppHandle, file_name: &str, text: &str) -> Result<String, CommandError> {
    use tauri::Manager;
    let folder = app.path().download_dir().map_err(|e| CommandError {
        code: "NoDownloadsFolder".into(),
        message: format!("there is no Downloads folder to save to ({e})"),
    })?;
    let path = folder.join(file_name);
    std::fs::write(&path, text).map_err(|e| CommandError {
        code: "WriteFailed".into(),
        message: format!("{} could not be written: {e}", path.display()),
    })?;
    Ok(path.display().to_string())
}
