//! The one place HTTP clients are built, so every request Rolecall makes to a
//! cloud uses the same TLS rules: system roots for Microsoft's clouds, and for
//! a custom cloud with a CA exactly that CA (its certificate never widens the
//! trust of any other cloud).

use std::time::Duration;

use crate::{CloudProfile, Error, Result};

/// Identifies Rolecall in `User-Agent`, as Azure's own tools do.
pub const USER_AGENT: &str = concat!("rolecall/", env!("CARGO_PKG_VERSION"));

/// Builds the HTTP client for one cloud.
pub fn client_for(cloud: &CloudProfile) -> Result<reqwest::Client> {
    build(builder_for(cloud)?)
}

/// Builds a client from [`builder_for`] after the caller's changes.
pub fn build(builder: reqwest::ClientBuilder) -> Result<reqwest::Client> {
    builder.build().map_err(|e| Error::InvalidCloudProfile {
        reason: format!("no HTTP client could be built: {e}"),
        hint: "This is a bug in Rolecall or the system's TLS library; please report it.",
    })
}

/// The builder behind [`client_for`], for a client that differs in one
/// setting (say, redirects off) but keeps the cloud's TLS rules.
pub fn builder_for(cloud: &CloudProfile) -> Result<reqwest::ClientBuilder> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .https_only(true);
    if let Some(pem) = &cloud.ca_certificate_pem {
        let ca = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
            Error::InvalidCloudProfile {
                reason: format!("caCertificatePem cannot be read: {e}"),
                hint: "Use the certificate exactly as the emulator printed it.",
            }
        })?;
        // Trust this CA and nothing else for this cloud.
        builder = builder.tls_certs_only([ca]);
    }
    Ok(builder)
}
