//! The admin's settings: which cloud and tenant to sign in to, which client id
//! to sign in as, and the account and tenant last used. One small JSON file in
//! the app's config folder; it never holds a secret (account ids are the
//! public `{object id}.{tenant id}` pair).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{CloudProfile, Error, Result};

/// The Azure CLI's public client id: Microsoft first party, pre-authorised
/// for Azure Resource Manager and Microsoft Graph in every tenant.
pub const DEFAULT_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// Which cloud to use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CloudChoice {
    /// The built-in emulator seeded with the demo tenant.
    #[default]
    Demo,
    Azure,
    UsGovernment,
    China,
    /// A cloud profile file (JSON, as `rolecall-emulator` prints).
    #[serde(rename_all = "camelCase")]
    Custom {
        profile_path: PathBuf,
    },
}

impl CloudChoice {
    /// The profile of a Microsoft cloud or a custom file; `None` for the demo,
    /// whose profile exists only once its emulator runs.
    pub fn profile(&self) -> Result<Option<CloudProfile>> {
        Ok(match self {
            CloudChoice::Demo => None,
            CloudChoice::Azure => Some(CloudProfile::azure_public()),
            CloudChoice::UsGovernment => Some(CloudProfile::azure_us_government()),
            CloudChoice::China => Some(CloudProfile::azure_china()),
            CloudChoice::Custom { profile_path } => {
                let text = std::fs::read_to_string(profile_path).map_err(|e| {
                    Error::InvalidCloudProfile {
                        reason: format!("cannot read {}: {e}", profile_path.display()),
                        hint: "Choose the JSON file that `rolecall-emulator` (or your cloud's administrator) gave you.",
                    }
                })?;
                Some(CloudProfile::from_json(&text)?)
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub cloud: CloudChoice,
    /// Tenant to sign in to: `organizations`, a tenant id or a domain. `None`:
    /// the cloud's default.
    pub tenant: Option<String>,
    /// The Entra application Rolecall signs in as. `None`: [`DEFAULT_CLIENT_ID`].
    pub client_id: Option<String>,
    /// The account in use when the app last closed.
    pub active_account: Option<String>,
    /// The tenant in use when the app last closed.
    pub active_tenant: Option<String>,
    /// The Azure CLI's sign-in was in use (nothing of it is stored here).
    pub use_azure_cli: bool,
}

impl Settings {
    pub fn client_id(&self) -> &str {
        self.client_id.as_deref().unwrap_or(DEFAULT_CLIENT_ID)
    }

    /// Reads the file; a missing file is the defaults. A damaged one is an
    /// error that names it (it is never silently replaced).
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::Settings {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Error::Settings {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// Reads the file as [`Settings::load`] does, but never refuses to start:
    /// a file that does not parse or holds a value Rolecall would refuse
    /// (an invalid tenant or client id) is moved aside, kept for the person
    /// beside the original as `settings.json.damaged-<seconds>`, and the
    /// defaults are used. The notice says what happened, for the window.
    pub fn load_or_recover(path: &Path) -> (Self, Option<String>) {
        let problem = match Self::load(path) {
            Ok(settings) => match settings.validate() {
                Ok(()) => return (settings, None),
                Err(error) => error.to_string(),
            },
            Err(Error::Settings { reason, .. }) => reason,
            Err(other) => other.to_string(),
        };
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut aside = path.as_os_str().to_owned();
        aside.push(format!(".damaged-{seconds}"));
        let aside = PathBuf::from(aside);
        let notice = match std::fs::rename(path, &aside) {
            Ok(()) => format!(
                "Your settings file could not be used ({problem}), so Rolecall started with its default settings. The old file is kept as {}; choose your cloud and tenant again on the sign-in page.",
                aside.display()
            ),
            Err(error) => format!(
                "Your settings file {} could not be used ({problem}) nor moved aside ({error}), so Rolecall started with its default settings and cannot save new ones until the file can be replaced: check its permissions.",
                path.display()
            ),
        };
        tracing::warn!(path = %path.display(), %problem, "settings moved aside");
        (Self::default(), Some(notice))
    }

    /// Writes the whole file atomically (a temporary file, then a rename),
    /// creating the config folder on a fresh profile.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).expect("settings serialise");
        crate::files::write_atomic(path, &bytes).map_err(|e| Error::Settings {
            path: path.to_owned(),
            reason: e.source.to_string(),
        })
    }

    /// Checks what the admin typed before it is saved.
    pub fn validate(&self) -> Result<()> {
        if let Some(client_id) = &self.client_id
            && uuid_like(client_id).is_none()
        {
            return Err(Error::InvalidSetting {
                field: "clientId",
                reason: format!("'{client_id}' is not an application (client) id"),
                hint: "Copy the Application (client) ID from the app registration's Overview page in the Entra admin center: 36 characters like 04b07795-8ddb-461a-bbee-02f9e1bf7b46.",
            });
        }
        if let Some(tenant) = self.active_tenant.as_deref().filter(|t| !is_tenant(t)) {
            return Err(Error::InvalidSetting {
                field: "activeTenant",
                reason: format!("'{tenant}' is not a tenant"),
                hint: "Sign in again; Rolecall remembers the tenant you use.",
            });
        }
        if let Some(tenant) = self.tenant.as_deref().filter(|t| !is_tenant(t)) {
            return Err(Error::InvalidSetting {
                field: "tenant",
                reason: format!("'{tenant}' is not a tenant"),
                hint: "Give a tenant id (a GUID), a domain such as contoso.onmicrosoft.com, or leave it empty to pick the tenant when you sign in.",
            });
        }
        Ok(())
    }
}

/// Whether `text` names a tenant as Entra's URLs take one: a tenant id (a
/// GUID), a domain name (`contoso.onmicrosoft.com`), `organizations` or
/// `common`. Anything else (a URL, a path, a query) must never be joined
/// to an authority's address.
pub fn is_tenant(text: &str) -> bool {
    let domain = || {
        text.len() <= 253
            && text.contains('.')
            && text.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    matches!(text, "organizations" | "common") || uuid_like(text).is_some() || domain()
}

fn uuid_like(text: &str) -> Option<()> {
    let parts: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    (parts.len() == 5
        && parts
            .iter()
            .zip(lengths)
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit())))
    .then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_the_defaults_and_a_saved_file_reads_back() {
        let dir = std::env::temp_dir().join(format!("rolecall-settings-{}", std::process::id()));
        let path = dir.join("settings.json");
        let _ = std::fs::remove_file(&path);
        assert_eq!(Settings::load(&path).unwrap(), Settings::default());
        let settings = Settings {
            cloud: CloudChoice::Custom {
                profile_path: "/tmp/cloud.json".into(),
            },
            tenant: Some("contoso.onmicrosoft.com".into()),
            active_account: Some("oid.tid".into()),
            ..Default::default()
        };
        settings.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), settings);
        assert_eq!(settings.client_id(), DEFAULT_CLIENT_ID);
        std::fs::write(&path, b"{not json").unwrap();
        let error = Settings::load(&path).unwrap_err();
        assert!(error.to_string().contains("settings.json"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_or_invalid_file_is_moved_aside_and_the_defaults_are_used() {
        let dir = std::env::temp_dir().join(format!("rolecall-recover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("settings.json");
        // No folder at all: the defaults, nothing said, nothing written.
        assert_eq!(
            Settings::load_or_recover(&path),
            (Settings::default(), None)
        );
        assert!(!dir.exists());
        for damaged in [
            &b"{not json"[..],
            br#"{"tenant":"https://evil.example/x"}"#,
            br#"{"activeTenant":"https://evil.example/x"}"#,
            br#"{"clientId":"not-a-guid"}"#,
            br#"{"cloud":{"kind":"Mars"}}"#,
        ] {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, damaged).unwrap();
            let (settings, notice) = Settings::load_or_recover(&path);
            assert_eq!(settings, Settings::default());
            let notice = notice.expect("a notice for the window");
            assert!(notice.contains("default settings"), "{notice}");
            assert!(!path.exists(), "the damaged file is moved away");
            let kept: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().contains("settings.json.damaged-"))
                .collect();
            assert_eq!(kept.len(), 1, "{kept:?}");
            assert_eq!(std::fs::read(&kept[0]).unwrap(), damaged, "kept as it was");
            assert!(notice.contains(&kept[0].display().to_string()), "{notice}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
        // A good file is read as it is.
        let good = Settings {
            tenant: Some("contoso.onmicrosoft.com".into()),
            ..Default::default()
        };
        good.save(&path).unwrap();
        assert_eq!(Settings::load_or_recover(&path), (good, None));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn tenants_are_ids_domains_or_the_two_keywords() {
        for ok in [
            "organizations",
            "common",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "contoso.onmicrosoft.com",
            "my-org.example",
        ] {
            assert!(is_tenant(ok), "{ok}");
        }
        for bad in [
            "",
            "https://evil.example/x",
            "file://host/share/x#",
            "evil.example/x",
            "contoso.com?x=1",
            "contoso.com#",
            "..",
            "a..b",
            "-a.com",
            "consumers ",
            "contoso",
        ] {
            assert!(!is_tenant(bad), "{bad}");
        }
    }

    #[test]
    fn bad_client_ids_and_tenants_are_refused_with_what_to_do() {
        let bad_client = Settings {
            client_id: Some("Rolecall".into()),
            ..Default::default()
        };
        let error = bad_client.validate().unwrap_err();
        assert_eq!(error.code(), "InvalidSetting");
        assert!(
            error.to_string().contains("Application (client) ID"),
            "{error}"
        );
        for tenant in [
            "organizations",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "contoso.com",
        ] {
            let ok = Settings {
                tenant: Some(tenant.into()),
                ..Default::default()
            };
            ok.validate().unwrap();
        }
        let bad_tenant = Settings {
            tenant: Some("contoso tenant".into()),
            ..Default::default()
        };
        assert!(bad_tenant.validate().is_err());
    }

    proptest::proptest! {
        /// Any bytes as the settings file: defaults or the file, never a
        /// panic, and a refused file is kept aside, never lost.
        #[test]
        fn any_settings_file_starts_rolecall(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let dir = std::env::temp_dir().join(format!("rolecall-settings-prop-{}-{}", std::process::id(), uuid_free_counter()));
            let path = dir.join("settings.json");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            let (_, notice) = Settings::load_or_recover(&path);
            if notice.is_some() {
                let kept = std::fs::read_dir(&dir).unwrap().count();
                proptest::prop_assert_eq!(kept, 1, "the damaged file is kept");
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }

        /// Any text as a cloud profile: a profile or a message saying what
        /// a profile is, never a panic; what parses is custom and HTTPS.
        #[test]
        fn any_cloud_profile_text_is_parsed_or_refused(text in "\\PC{0,300}") {
            match crate::CloudProfile::from_json(&text) {
                Ok(profile) => {
                    proptest::prop_assert_eq!(profile.kind, crate::CloudKind::Custom);
                    proptest::prop_assert_eq!(profile.authority_host.scheme(), "https");
                }
                Err(error) => proptest::prop_assert!(!error.to_string().is_empty()),
            }
        }
    }

    fn uuid_free_counter() -> usize {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}
