//! The provider-operations catalogue, read from ARM and kept between runs.
//!
//! Reading it costs a request with a large answer every time the app or the
//! CLI starts a check; it changes when Azure adds operations, not from one
//! run to the next. So ARM's answer is kept as it came in the cache folder,
//! one file per cloud, for a day; a kept answer is parsed and checked as
//! ARM's own would be (a damaged or empty file is read again from ARM and
//! replaced), and nothing depends on it being there.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use rolecall_azure::Azure;
use rolecall_rbac::Catalogue;
use sha2::{Digest, Sha256};

use crate::error::Result;

/// How long a kept catalogue is used before ARM is asked again.
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// Where catalogues are kept: the app's cache folder.
#[derive(Debug, Clone)]
pub struct CatalogueCache {
    dir: PathBuf,
    max_age: Duration,
    loopback: bool,
}

impl CatalogueCache {
    /// Kept for clouds on the network. An emulator on loopback (the demo, a
    /// test's) is not kept: its port changes at every start, and its
    /// catalogue is on this computer already.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            max_age: MAX_AGE,
            loopback: false,
        }
    }

    /// Keeps loopback clouds' catalogues too (for tests of the cache).
    pub fn including_loopback(mut self) -> Self {
        self.loopback = true;
        self
    }

    fn keeps(&self, endpoint: &str) -> bool {
        self.loopback
            || !url::Url::parse(endpoint)
                .ok()
                .and_then(|u| u.host().map(|h| h.to_owned()))
                .is_some_and(|h| match h {
                    url::Host::Ipv4(ip) => ip.is_loopback(),
                    url::Host::Ipv6(ip) => ip.is_loopback(),
                    url::Host::Domain(d) => d == "localhost",
                })
    }

    /// The file of the cloud whose ARM is at `endpoint`.
    fn file(&self, endpoint: &str) -> PathBuf {
        let key = Sha256::digest(endpoint.to_ascii_lowercase().as_bytes());
        let key: String = key.iter().take(8).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("provider-operations-{key}.json"))
    }

    fn read(&self, endpoint: &str) -> Option<Catalogue> {
        let file = self.file(endpoint);
        let age = std::fs::metadata(&file)
            .ok()?
            .modified()
            .ok()?
            .elapsed()
            .ok()?;
        if age > self.max_age {
            return None;
        }
        let namespaces: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
        let catalogue = Catalogue::from_namespaces(&namespaces).ok()?;
        (!catalogue.is_empty()).then_some(catalogue)
    }
}

/// A cloud's catalogue, read once (per connection in the window, per
/// process in the CLI) and kept between runs in `cache` where given.
#[derive(Debug, Default)]
pub struct Slot {
    cell: tokio::sync::OnceCell<Arc<Catalogue>>,
    cache: Option<CatalogueCache>,
}

impl Slot {
    pub fn new(cache: Option<CatalogueCache>) -> Self {
        Self {
            cell: tokio::sync::OnceCell::new(),
            cache,
        }
    }

    /// The catalogue: the one read already, else [`load`]ed now.
    pub async fn get(&self, azure: &Azure) -> Result<Arc<Catalogue>> {
        Ok(self
            .cell
            .get_or_try_init(|| load(azure, self.cache.as_ref()))
            .await?
            .clone())
    }
}

/// The catalogue of the signed-in cloud: the kept one when fresh and sound,
/// else ARM's (then kept). `cache` is `None` where nothing may be written.
pub async fn load(azure: &Azure, cache: Option<&CatalogueCache>) -> Result<Arc<Catalogue>> {
    let endpoint = azure.arm.endpoint().to_owned();
    let cache = cache.filter(|c| c.keeps(&endpoint));
    if let Some(kept) = cache.and_then(|c| c.read(&endpoint)) {
        return Ok(Arc::new(kept));
    }
    let namespaces: Vec<serde_json::Value> = azure.arm.provider_operations().try_collect().await?;
    let catalogue = Catalogue::from_namespaces(&namespaces).map_err(|e| {
        crate::AppError::new(
            crate::ErrorKind::Azure,
            "Protocol",
            format!("the provider-operations list could not be read: {e}"),
        )
    })?;
    if let Some(cache) = cache
        && !catalogue.is_empty()
        && let Ok(bytes) = serde_json::to_vec(&namespaces)
        && let Err(error) = rolecall_core::files::write_atomic(&cache.file(&endpoint), &bytes)
    {
        // Only a lost speed-up: the next run reads ARM again.
        tracing::warn!(%error, "the catalogue could not be kept");
    }
    Ok(Arc::new(catalogue))
}
