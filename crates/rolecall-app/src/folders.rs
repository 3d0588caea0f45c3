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
    cache: Option<PathBuf>,
}

impl Folders {
    /// Folders under `data` (the app passes Tauri's `app_data_dir`).
    pub fn new(data: impl Into<PathBuf>) -> Self {
        Self {
            data: data.into(),
            cache: None,
        }
    }

    /// With a cache folder (the app passes Tauri's `app_cache_dir`).
    pub fn with_cache(mut self, cache: impl Into<PathBuf>) -> Self {
        self.cache = Some(cache.into());
        self
    }

    /// This user's folders, as the app has them; `None` when the OS names no
    /// data folder for the user.
    pub fn for_user() -> Option<Self> {
        let folders = Self::new(dirs::data_dir()?.join(APP_IDENTIFIER));
        Some(match dirs::cache_dir() {
            Some(cache) => folders.with_cache(cache.join(APP_IDENTIFIER)),
            None => folders,
        })
    }

    /// Where the provider-operations catalogue is kept between runs.
    pub fn catalogue_cache(&self) -> Option<crate::catalogue::CatalogueCache> {
        self.cache
            .as_ref()
            .map(crate::catalogue::CatalogueCache::new)
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
