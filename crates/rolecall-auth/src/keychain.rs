//! The OS keychain: Windows Credential Manager, the macOS Keychain, or the
//! Secret Service on Linux, through keyring-core with the store chosen
//! explicitly per OS (keyring-core has no default store, so nothing can fall
//! back to memory).
//!
//! Windows caps a credential at 2,560 bytes, and refresh tokens plus account
//! metadata can exceed that, so values larger than [`CHUNK`] are stored as a
//! manifest entry plus numbered chunk entries, on every OS alike (so the path
//! is exercised by the Linux tests too).

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use sha2::{Digest, Sha256};

/// Largest piece stored in one credential (Windows' limit is 2,560 bytes).
pub const CHUNK: usize = 2048;
const MANIFEST: &[u8] = b"rolecall-chunked:";

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "the OS keychain cannot be reached ({0}). On Linux, Rolecall needs a Secret Service (GNOME Keyring or KWallet) running and unlocked in your session; sign in to the desktop, or run tests through `cargo xtask test`, which starts one."
    )]
    Unavailable(String),
    #[error("the OS keychain refused the operation: {0}")]
    Failed(String),
    #[error("a keychain entry is damaged ({0}); sign out of this account and sign in again")]
    Damaged(String),
}

fn classify(error: keyring_core::Error) -> KeychainError {
    match error {
        keyring_core::Error::NoStorageAccess(e) | keyring_core::Error::PlatformFailure(e) => {
            KeychainError::Unavailable(e.to_string())
        }
        other => KeychainError::Failed(other.to_string()),
    }
}

/// This OS's credential store.
pub fn platform_store() -> Result<Arc<CredentialStore>, KeychainError> {
    #[cfg(target_os = "linux")]
    let store: Result<Arc<CredentialStore>, keyring_core::Error> =
        dbus_secret_service_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>);
    #[cfg(target_os = "windows")]
    let store: Result<Arc<CredentialStore>, keyring_core::Error> =
        windows_native_keyring_store::Store::new().map(|s| s as Arc<CredentialStore>);
    #[cfg(target_os = "macos")]
    let store: Result<Arc<CredentialStore>, keyring_core::Error> =
        apple_native_keyring_store::keychain::Store::new().map(|s| s as Arc<CredentialStore>);
    #[cfg(not(any(target_os = "linux", target_os = "windows", target_os = "macos")))]
    let store: Result<Arc<CredentialStore>, keyring_core::Error> = Err(
        keyring_core::Error::NotSupportedByStore("this OS has no supported keychain".into()),
    );
    store.map_err(classify)
}

/// The keychain service a cloud's accounts live under: "Rolecall" for Azure,
/// "Rolecall (cloud name)" for the other built-in clouds, and for a custom cloud (every
/// profile file is one) its authority's origin and the client id, never its
/// name: a profile that calls itself "Azure" cannot open real Azure's
/// entries, so a refresh token is only ever redeemed at the authority that
/// issued it.
pub fn service_for(cloud: &rolecall_core::CloudProfile, client_id: &str) -> String {
    use rolecall_core::CloudKind;
    match cloud.kind {
        CloudKind::AzurePublic => "Rolecall".to_owned(),
        // Built-in names come from Rolecall's code, never from a file.
        CloudKind::AzureUsGovernment | CloudKind::AzureChina => {
            format!("Rolecall ({})", cloud.name)
        }
        CloudKind::Custom => format!(
            "Rolecall (custom cloud {} as {})",
            cloud.authority_host.origin().ascii_serialization(),
            client_id.to_ascii_lowercase()
        ),
    }
}

/// Named secrets under one service name (Rolecall's, or a test's own).
#[derive(Clone)]
pub struct Keychain {
    /// The OS's store, or why it could not be reached when opened.
    store: Result<Arc<CredentialStore>, String>,
    service: String,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Keychain {
    /// The keychain of this OS, for `service` (normally "Rolecall").
    pub fn open(service: &str) -> Result<Self, KeychainError> {
        Ok(Self::with_store(platform_store()?, service))
    }

    pub fn with_store(store: Arc<CredentialStore>, service: &str) -> Self {
        Self {
            store: Ok(store),
            service: service.to_owned(),
        }
    }

    /// The keychain of this OS when it can be reached; otherwise one whose
    /// every call answers [`KeychainError::Unavailable`], with the reason.
    /// For the app's start: a locked or missing keychain must not keep the
    /// window from opening, it is said where sign-in needs it.
    pub fn open_or_unavailable(service: &str) -> (Self, Option<KeychainError>) {
        match platform_store() {
            Ok(store) => (Self::with_store(store, service), None),
            Err(error) => {
                let reason = match &error {
                    KeychainError::Unavailable(reason)
                    | KeychainError::Failed(reason)
                    | KeychainError::Damaged(reason) => reason.clone(),
                };
                let keychain = Self {
                    store: Err(reason),
                    service: service.to_owned(),
                };
                (keychain, Some(error))
            }
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, key: &str) -> Result<Entry, KeychainError> {
        match &self.store {
            Ok(store) => store.build(&self.service, key, None).map_err(classify),
            Err(reason) => Err(KeychainError::Unavailable(reason.clone())),
        }
    }

    fn read_one(&self, key: &str) -> Result<Option<Vec<u8>>, KeychainError> {
        match self.entry(key)?.get_secret() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn delete_one(&self, key: &str) -> Result<(), KeychainError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }

    /// Stores `secret` under `key`, in chunks when it is large.
    ///
    /// Chunks go under a fresh generation (`{key}#{generation}#{i}`) before
    /// the manifest that names them (`rolecall-chunked:v2:{generation}:
    /// {count}:{length}:{sha256}`), and the old generation's chunks are only
    /// removed after it: a failed write leaves the old value whole, two
    /// writers (the app and the CLI) never mix their chunks, and a mixed or
    /// torn value is detected by its length and hash, never handed out.
    pub fn put(&self, key: &str, secret: &[u8]) -> Result<(), KeychainError> {
        let old = self.manifest(key).unwrap_or(None);
        if secret.len() <= CHUNK && !secret.starts_with(MANIFEST) {
            self.entry(key)?.set_secret(secret).map_err(classify)?;
        } else {
            let generation = format!(
                "{:016x}",
                rand_core::RngCore::next_u64(&mut rand_core::OsRng)
            );
            let pieces: Vec<&[u8]> = secret.chunks(CHUNK).collect();
            if pieces.len() > MAX_CHUNKS {
                return Err(KeychainError::Failed(format!(
                    "{key}: {} bytes is more than Rolecall keeps in the keychain",
                    secret.len()
                )));
            }
            for (i, piece) in pieces.iter().enumerate() {
                self.entry(&chunk_key(key, Some(&generation), i))?
                    .set_secret(piece)
                    .map_err(classify)?;
            }
            let manifest = Manifest {
                generation: Some(generation),
                count: pieces.len(),
                length: Some(secret.len()),
                sha256: Some(hex(&Sha256::digest(secret))),
            };
            self.entry(key)?
                .set_secret(manifest.to_bytes().as_slice())
                .map_err(classify)?;
        }
        if let Some(old) = old {
            self.delete_chunks(key, &old)?;
        }
        Ok(())
    }

    /// The manifest under `key`, if its value is one.
    fn manifest(&self, key: &str) -> Result<Option<Manifest>, KeychainError> {
        match self.read_one(key)? {
            Some(value) if value.starts_with(MANIFEST) => Manifest::parse(&value)
                .map(Some)
                .ok_or_else(|| KeychainError::Damaged(format!("{key}: unreadable chunk manifest"))),
            _ => Ok(None),
        }
    }

    fn delete_chunks(&self, key: &str, manifest: &Manifest) -> Result<(), KeychainError> {
        for i in 0..manifest.count {
            self.delete_one(&chunk_key(key, manifest.generation.as_deref(), i))?;
        }
        Ok(())
    }

    /// The secret under `key`, reassembled from its chunks if it has any.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KeychainError> {
        let Some(value) = self.read_one(key)? else {
            return Ok(None);
        };
        if !value.starts_with(MANIFEST) {
            return Ok(Some(value));
        }
        let manifest = Manifest::parse(&value)
            .ok_or_else(|| KeychainError::Damaged(format!("{key}: unreadable chunk manifest")))?;
        let count = manifest.count;
        // Bounded by MAX_CHUNKS in Manifest::parse: no allocation from an unchecked number.
        let mut secret = Vec::with_capacity(manifest.length.unwrap_or(count * CHUNK));
        for i in 0..count {
            let piece = self
                .read_one(&chunk_key(key, manifest.generation.as_deref(), i))?
                .ok_or_else(|| {
                    KeychainError::Damaged(format!("{key}: chunk {i} of {count} is missing"))
                })?;
            if piece.len() > CHUNK {
                return Err(KeychainError::Damaged(format!(
                    "{key}: chunk {i} is too large"
                )));
            }
            secret.extend_from_slice(&piece);
        }
        if let Some(length) = manifest.length
            && secret.len() != length
        {
            return Err(KeychainError::Damaged(format!(
                "{key}: {} bytes where the manifest says {length}",
                secret.len()
            )));
        }
        if let Some(sha) = &manifest.sha256
            && hex(&Sha256::digest(&secret)) != *sha
        {
            return Err(KeychainError::Damaged(format!(
                "{key}: the chunks do not match their manifest (two writers at once, or a failed write)"
            )));
        }
        Ok(Some(secret))
    }

    /// The entries that hold `key`'s chunks, as its manifest names them
    /// (none for a plain value): for diagnostics and tests.
    pub fn chunk_keys(&self, key: &str) -> Result<Vec<String>, KeychainError> {
        Ok(match self.manifest(key)? {
            Some(manifest) => (0..manifest.count)
                .map(|i| chunk_key(key, manifest.generation.as_deref(), i))
                .collect(),
            None => Vec::new(),
        })
    }

    /// Removes `key` and its chunks; absent keys are fine.
    pub fn delete(&self, key: &str) -> Result<(), KeychainError> {
        if let Ok(Some(manifest)) = self.manifest(key) {
            self.delete_chunks(key, &manifest)?;
        }
        self.delete_one(key)
    }
}

/// At most this many chunks (128 KiB) make one value; a manifest naming more
/// is damaged.
const MAX_CHUNKS: usize = 64;

fn chunk_key(key: &str, generation: Option<&str>, i: usize) -> String {
    match generation {
        Some(generation) => format!("{key}#{generation}#{i}"),
        // Values written before generations: `{key}#{i}`.
        None => format!("{key}#{i}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a chunked value's manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Manifest {
    /// `None` for a manifest written before generations (`rolecall-chunked:{count}`).
    generation: Option<String>,
    count: usize,
    length: Option<usize>,
    sha256: Option<String>,
}

impl Manifest {
    fn to_bytes(&self) -> Vec<u8> {
        format!(
            "{}v2:{}:{}:{}:{}",
            String::from_utf8_lossy(MANIFEST),
            self.generation.as_deref().unwrap_or_default(),
            self.count,
            self.length.unwrap_or_default(),
            self.sha256.as_deref().unwrap_or_default()
        )
        .into_bytes()
    }

    fn parse(value: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(value.strip_prefix(MANIFEST)?).ok()?;
        let manifest = match text.strip_prefix("v2:") {
            Some(v2) => {
                let mut parts = v2.split(':');
                let generation = parts.next()?;
                let count: usize = parts.next()?.parse().ok()?;
                let length: usize = parts.next()?.parse().ok()?;
                let sha256 = parts.next()?;
                let ok = parts.next().is_none()
                    && !generation.is_empty()
                    && generation.chars().all(|c| c.is_ascii_hexdigit())
                    && sha256.len() == 64
                    && length <= count * CHUNK
                    && length > count.saturating_sub(1) * CHUNK;
                ok.then(|| Self {
                    generation: Some(generation.to_owned()),
                    count,
                    length: Some(length),
                    sha256: Some(sha256.to_owned()),
                })?
            }
            None => Self {
                generation: None,
                count: text.parse().ok()?,
                length: None,
                sha256: None,
            },
        };
        (manifest.count <= MAX_CHUNKS).then_some(manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rolecall_core::CloudProfile;

    #[test]
    fn a_profile_file_cannot_open_a_real_clouds_keychain_entries() {
        let client = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
        let azure = service_for(&CloudProfile::azure_public(), client);
        let gov = service_for(&CloudProfile::azure_us_government(), client);
        assert_eq!(azure, "Rolecall");
        for (kind, name) in [
            ("AzurePublic", "Azure"),
            ("Custom", "Azure US Government"),
            ("AzureUsGovernment", "Azure US Government"),
        ] {
            let file = serde_json::json!({
                "name": name,
                "kind": kind,
                "authorityHost": "https://login.attacker.example/",
                "resourceManagerEndpoint": "https://management.azure.com/",
                "resourceManagerAudience": "https://management.azure.com/",
                "graphEndpoint": "https://graph.microsoft.com/",
                "graphAudience": "https://graph.microsoft.com/",
            });
            let Ok(profile) = CloudProfile::from_json(&file.to_string()) else {
                continue; // refused outright is fine too
            };
            assert_eq!(profile.kind, rolecall_core::CloudKind::Custom, "{kind}");
            let service = service_for(&profile, client);
            assert_ne!(service, azure);
            assert_ne!(service, gov);
            assert!(
                service.contains("https://login.attacker.example"),
                "{service}"
            );
        }
        // Another client id in the same custom cloud: other entries.
        let file = r#"{"name":"x","authorityHost":"https://login.example/","resourceManagerEndpoint":"https://arm.example/","resourceManagerAudience":"https://arm.example/","graphEndpoint":"https://graph.example/","graphAudience":"https://graph.example/"}"#;
        let profile = CloudProfile::from_json(file).unwrap();
        assert_ne!(
            service_for(&profile, client),
            service_for(&profile, "11111111-2222-3333-4444-555555555555")
        );
    }

    #[test]
    fn manifests_are_bounded_and_checked() {
        let good = Manifest {
            generation: Some("00ff".into()),
            count: 3,
            length: Some(2 * CHUNK + 5),
            sha256: Some("a".repeat(64)),
        };
        assert_eq!(Manifest::parse(&good.to_bytes()), Some(good));
        assert_eq!(
            Manifest::parse(b"rolecall-chunked:2").map(|m| m.count),
            Some(2),
            "a value written before generations still reads"
        );
        for bad in [
            &b"rolecall-chunked:99999999999"[..],
            b"rolecall-chunked:v2:00ff:1000000:5:aaaa",
            b"rolecall-chunked:v2:00ff:2:99999:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            b"rolecall-chunked:v2:../x:1:5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            b"rolecall-chunked:v2:00ff:1:5",
        ] {
            assert_eq!(Manifest::parse(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    proptest::proptest! {
        /// Any bytes as a manifest: parsed within bounds or refused, never a panic.
        #[test]
        fn any_manifest_is_bounded(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..120)) {
            let value = [MANIFEST, &tail].concat();
            if let Some(manifest) = Manifest::parse(&value) {
                proptest::prop_assert!(manifest.count <= MAX_CHUNKS);
            }
        }
    }
}
