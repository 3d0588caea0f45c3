//! Where Rolecall keeps what it writes, the same for the app and the CLI:
//! the app's data folder (`app.rolecall.desktop` under the OS's data
//! folder, as Tauri's path resolver names it) holds the journal and the
//! admin's own templates.

use std::path::{Path, PathBuf};

/// The app's identifier (tauri.conf.json), which names its folders.
pub const APP_IDENTIFIER: &str = "app.rolecall.desktop";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    data: PathBuf,
}

impl Folders {
    /// Folders under `data` (the app passes Tauri's `app_data_dir`).
    pub fn new(data: impl Into<PathBuf>) -> Self {
        Self { data: data.into() }
    }

    /// This user's folders, as the app has them; `None` when the OS names no
    /// data folder for the user.
    pub fn for_user() -> Option<Self> {
        dirs::data_dir().map(|d| Self::new(d.join(APP_IDENTIFIER)))
    }

    pub fn data(&self) -> &Path {
        &self.data
    }

    /// Every write, one JSON line each.
    pub fn journal(&self) -> PathBuf {
        self.data.join("journal.jsonl")
    }

    /// The admin's own onboarding templates.
    pub fn templates(&self) -> PathBuf {
        self.data.join("templates")
    }
}
