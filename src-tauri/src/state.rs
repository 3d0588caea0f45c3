//! The app's state: which cloud it talks to, and (in demo mode) the embedded
//! emulator that plays that cloud.

use anyhow::Context;
use rolecall_core::{CloudKind, CloudProfile};
use rolecall_emulator::Emulator;

use crate::dto::{CloudMode, CloudSummary};

/// Environment variable naming a cloud profile file (JSON, as the emulator prints).
pub const CLOUD_PROFILE_ENV: &str = "ROLECALL_CLOUD_PROFILE";

/// Where the cloud comes from, decided once at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudSource {
    /// The demo tenant on an embedded emulator.
    Demo,
    /// A cloud profile file (JSON, as the emulator prints).
    ProfileFile(std::path::PathBuf),
}

impl CloudSource {
    /// `--demo` wins, then `--cloud-profile FILE`, then `ROLECALL_CLOUD_PROFILE`;
    /// with none of them a newcomer gets the demo tenant.
    pub fn from_args_and_env(args: &[String]) -> anyhow::Result<Self> {
        if args.iter().any(|a| a == "--demo") {
            return Ok(Self::Demo);
        }
        if let Some(i) = args.iter().position(|a| a == "--cloud-profile") {
            let file = args
                .get(i + 1)
                .context("--cloud-profile needs a file name")?;
            return Ok(Self::ProfileFile(file.into()));
        }
        Ok(match std::env::var_os(CLOUD_PROFILE_ENV) {
            Some(path) => Self::ProfileFile(path.into()),
            None => Self::Demo,
        })
    }
}

pub struct AppState {
    pub cloud: CloudProfile,
    pub mode: CloudMode,
    pub http: reqwest::Client,
    /// Kept alive for the app's lifetime in demo mode; dropping it stops it.
    _emulator: Option<Emulator>,
}

impl AppState {
    /// Connects to the chosen cloud (starting the embedded emulator for the demo).
    pub async fn start(source: CloudSource) -> anyhow::Result<Self> {
        let (cloud, emulator) = match source {
            CloudSource::ProfileFile(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading the cloud profile {}", path.display()))?;
                (CloudProfile::from_json(&text)?, None)
            }
            CloudSource::Demo => {
                let emulator = Emulator::start(rolecall_emulator::Options::default())
                    .await
                    .context("starting the demo tenant's emulator")?;
                let cloud = CloudProfile::from_json(&emulator.profile_json())?;
                (cloud, Some(emulator))
            }
        };
        let mode = match (cloud.kind, emulator.is_some()) {
            (_, true) => CloudMode::Demo,
            (CloudKind::Custom, false) => CloudMode::Custom,
            _ => CloudMode::Azure,
        };
        let http = rolecall_core::http::client_for(&cloud)?;
        tracing::info!(cloud = %cloud.name, ?mode, "cloud selected");
        Ok(Self {
            cloud,
            mode,
            http,
            _emulator: emulator,
        })
    }

    pub fn cloud_summary(&self) -> CloudSummary {
        CloudSummary {
            name: self.cloud.name.clone(),
            mode: self.mode,
            tenant: self.cloud.tenant_or_default().to_owned(),
            authority_host: self.cloud.authority_host.to_string(),
            resource_manager_endpoint: self.cloud.resource_manager_endpoint.to_string(),
            graph_endpoint: self.cloud.graph_endpoint.to_string(),
        }
    }
}
