//! Rolecall's clients for Azure Resource Manager and Microsoft Graph, on
//! azure_core 1.x pipelines. No Tauri dependency.
//!
//! - [`service`]: the pipeline per service: bearer policy over the session's
//!   credential (a token refused before expiry is replaced once; a claims
//!   challenge becomes "sign in again"), azure_core's retry policy (429, 408,
//!   5xx with `Retry-After`, dropped connections), a bound on requests in
//!   flight, request ids in the logs, `nextLink` / `@odata.nextLink` paging
//!   as streams that never follow a link to another host.
//! - [`transport`]: azure_core's `HttpClient` over the app's reqwest client.
//! - [`arm`], [`graph`]: the typed calls, exact api-versions.
//! - [`error`]: one error type keeping Azure's code, message and request id,
//!   plus what to do.
//! - [`catalogue`]: provider operations and role definitions, live, into the
//!   RBAC engine.

pub mod arm;
pub mod catalogue;
pub mod error;
pub mod graph;
pub mod service;
pub mod transport;

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use rolecall_core::CloudProfile;

pub use arm::ArmClient;
pub use error::{ApiError, AzureError, Kind, MissingRight, Result, Service};
pub use graph::GraphClient;
pub use service::{Options, for_each_bounded};

/// Both clients for one signed-in account and tenant.
#[derive(Clone)]
pub struct Azure {
    pub arm: ArmClient,
    pub graph: GraphClient,
}

impl Azure {
    /// `http` comes from `rolecall_core::http::client_for(cloud)` (the cloud's
    /// TLS rules); `credential` from `Session::credential()`.
    pub fn new(
        cloud: &CloudProfile,
        http: reqwest::Client,
        credential: Arc<dyn TokenCredential>,
        options: &Options,
    ) -> Self {
        Self {
            arm: ArmClient::new(cloud, http.clone(), credential.clone(), options),
            graph: GraphClient::new(cloud, http, credential, options),
        }
    }
}
