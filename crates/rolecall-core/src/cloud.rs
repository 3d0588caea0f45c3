//! Azure clouds: the three Microsoft-run ones and custom profiles (the local
//! emulator prints one on start-up).
//!
//! A custom profile may carry its own CA certificate. That CA is trusted for
//! that cloud's endpoints only: [`crate::http::client_for`] builds a client that
//! trusts exactly that CA and nothing else, and the public clouds never see it.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Error, Result};

/// Which family a profile belongs to. Only `Custom` profiles may carry a CA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloudKind {
    AzurePublic,
    AzureUsGovernment,
    AzureChina,
    Custom,
}

/// Everything Rolecall needs to know to talk to one Azure cloud.
///
/// The JSON form (camelCase) is what `rolecall-emulator` prints and what the
/// app and `rolecall-cli --cloud-profile FILE` accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudProfile {
    /// Shown to the admin, e.g. "Azure" or "Rolecall demo tenant (emulator)".
    pub name: String,
    #[serde(default = "custom")]
    pub kind: CloudKind,
    /// Microsoft Entra authority host, e.g. `https://login.microsoftonline.com/`.
    pub authority_host: Url,
    /// Where a system browser is sent to sign in, when it differs from
    /// `authority_host`: a custom cloud whose private CA browsers do not trust
    /// (the emulator) serves its sign-in pages here on loopback. Tokens are
    /// still only redeemed at `authority_host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_authority_host: Option<Url>,
    /// Azure Resource Manager endpoint, e.g. `https://management.azure.com/`.
    pub resource_manager_endpoint: Url,
    /// Token audience for ARM (the scope is this plus `/.default`).
    pub resource_manager_audience: String,
    /// Microsoft Graph endpoint, e.g. `https://graph.microsoft.com/`.
    pub graph_endpoint: Url,
    /// Token audience for Graph.
    pub graph_audience: String,
    /// The tenant to sign in to when none is chosen; `organizations` for the
    /// public clouds, the demo tenant's id for the emulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_tenant: Option<String>,
    /// PEM of a CA that signs this cloud's TLS certificates (custom clouds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate_pem: Option<String>,
}

fn custom() -> CloudKind {
    CloudKind::Custom
}

fn url(s: &str) -> Url {
    Url::parse(s).expect("built-in cloud URLs are valid")
}

impl CloudProfile {
    pub fn azure_public() -> Self {
        Self {
            name: "Azure".into(),
            kind: CloudKind::AzurePublic,
            authority_host: url("https://login.microsoftonline.com/"),
            resource_manager_endpoint: url("https://management.azure.com/"),
            resource_manager_audience: "https://management.azure.com".into(),
            graph_endpoint: url("https://graph.microsoft.com/"),
            graph_audience: "https://graph.microsoft.com".into(),
            default_tenant: Some("organizations".into()),
            ca_certificate_pem: None,
            browser_authority_host: None,
        }
    }

    pub fn azure_us_government() -> Self {
        Self {
            name: "Azure US Government".into(),
            kind: CloudKind::AzureUsGovernment,
            authority_host: url("https://login.microsoftonline.us/"),
            resource_manager_endpoint: url("https://management.usgovcloudapi.net/"),
            resource_manager_audience: "https://management.usgovcloudapi.net".into(),
            graph_endpoint: url("https://graph.microsoft.us/"),
            graph_audience: "https://graph.microsoft.us".into(),
            default_tenant: Some("organizations".into()),
            ca_certificate_pem: None,
            browser_authority_host: None,
        }
    }

    pub fn azure_china() -> Self {
        Self {
            name: "Microsoft Azure operated by 21Vianet".into(),
            kind: CloudKind::AzureChina,
            authority_host: url("https://login.chinacloudapi.cn/"),
            resource_manager_endpoint: url("https://management.chinacloudapi.cn/"),
            resource_manager_audience: "https://management.chinacloudapi.cn".into(),
            graph_endpoint: url("https://microsoftgraph.chinacloudapi.cn/"),
            graph_audience: "https://microsoftgraph.chinacloudapi.cn".into(),
            default_tenant: Some("organizations".into()),
            ca_certificate_pem: None,
            browser_authority_host: None,
        }
    }

    /// Parses and validates a custom profile from its JSON form.
    pub fn from_json(text: &str) -> Result<Self> {
        let mut profile: CloudProfile =
            serde_json::from_str(text).map_err(|e| Error::InvalidCloudProfile {
                reason: e.to_string(),
                hint: "A cloud profile is the JSON object that `rolecall-emulator` prints (authorityHost, resourceManagerEndpoint, graphEndpoint, …).",
            })?;
        // A file is always a custom cloud, whatever `kind` it claims: only
        // Rolecall's own code names Microsoft's clouds (and their keychain
        // entries and trust rules).
        profile.kind = CloudKind::Custom;
        profile.validate()?;
        Ok(profile)
    }

    /// Checks the rules every profile must follow before any request is made.
    pub fn validate(&self) -> Result<()> {
        let endpoints = [
            ("authorityHost", &self.authority_host),
            ("resourceManagerEndpoint", &self.resource_manager_endpoint),
            ("graphEndpoint", &self.graph_endpoint),
        ];
        for (field, endpoint) in endpoints {
            if endpoint.scheme() != "https" {
                return Err(Error::InvalidCloudProfile {
                    reason: format!("{field} is {endpoint}, which is not HTTPS"),
                    hint: "Azure sends bearer tokens over HTTPS only; give the https:// address.",
                });
            }
            if endpoint.host_str().is_none_or(str::is_empty) {
                return Err(Error::InvalidCloudProfile {
                    reason: format!("{field} has no host"),
                    hint: "Give an absolute address such as https://management.azure.com/.",
                });
            }
        }
        if let Some(browser) = &self.browser_authority_host {
            let loopback = matches!(
                browser.host(),
                Some(url::Host::Ipv4(ip)) if ip.is_loopback()
            ) || matches!(browser.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
                || browser.host_str() == Some("localhost");
            if self.kind != CloudKind::Custom
                || !(browser.scheme() == "https" || (browser.scheme() == "http" && loopback))
            {
                return Err(Error::InvalidCloudProfile {
                    reason: format!("browserAuthorityHost {browser} is not allowed here"),
                    hint: "Only custom clouds may name separate sign-in pages, over HTTPS or on a loopback address.",
                });
            }
        }
        if self.ca_certificate_pem.is_some() && self.kind != CloudKind::Custom {
            return Err(Error::InvalidCloudProfile {
                reason: format!("the built-in cloud {:?} cannot carry its own CA", self.kind),
                hint: "Only custom clouds may name a CA; remove caCertificatePem or set kind to Custom.",
            });
        }
        if let Some(pem) = &self.ca_certificate_pem
            && !pem.contains("-----BEGIN CERTIFICATE-----")
        {
            return Err(Error::InvalidCloudProfile {
                reason: "caCertificatePem is not a PEM certificate".into(),
                hint: "Paste the whole certificate, including the BEGIN/END CERTIFICATE lines.",
            });
        }
        Ok(())
    }

    /// Where the browser goes to sign in (see `browser_authority_host`).
    pub fn browser_authority(&self) -> &Url {
        self.browser_authority_host
            .as_ref()
            .unwrap_or(&self.authority_host)
    }

    /// The tenant used when the admin has not chosen one.
    pub fn tenant_or_default(&self) -> &str {
        self.default_tenant.as_deref().unwrap_or("organizations")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emulator_like() -> String {
        serde_json::json!({
            "name": "Local emulator",
            "authorityHost": "https://127.0.0.1:8443/",
            "resourceManagerEndpoint": "https://127.0.0.1:8444/",
            "resourceManagerAudience": "https://management.azure.com",
            "graphEndpoint": "https://127.0.0.1:8445/",
            "graphAudience": "https://graph.microsoft.com",
            "defaultTenant": "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "caCertificatePem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        })
        .to_string()
    }

    #[test]
    fn custom_profile_round_trips_through_json() {
        let profile = CloudProfile::from_json(&emulator_like()).unwrap();
        assert_eq!(profile.kind, CloudKind::Custom);
        assert_eq!(
            profile.tenant_or_default(),
            "72f988bf-86f1-41af-91ab-2d7cd011db47"
        );
        let again = CloudProfile::from_json(&serde_json::to_string(&profile).unwrap()).unwrap();
        assert_eq!(profile, again);
    }

    #[test]
    fn plain_http_endpoints_are_refused_with_a_hint() {
        let text = emulator_like().replace("https://127.0.0.1:8444/", "http://127.0.0.1:8444/");
        let err = CloudProfile::from_json(&text).unwrap_err();
        let message = err.to_string();
        assert_eq!(err.code(), "InvalidCloudProfile");
        assert!(message.contains("resourceManagerEndpoint"), "{message}");
        assert!(message.contains("HTTPS"), "{message}");
    }

    #[test]
    fn unknown_fields_and_garbage_ca_are_refused() {
        let mut value: serde_json::Value = serde_json::from_str(&emulator_like()).unwrap();
        value["armEndpoint"] = "https://x/".into();
        let err = CloudProfile::from_json(&value.to_string()).unwrap_err();
        assert!(err.to_string().contains("armEndpoint"), "{err}");

        let mut value: serde_json::Value = serde_json::from_str(&emulator_like()).unwrap();
        value["caCertificatePem"] = "not a certificate".into();
        let err = CloudProfile::from_json(&value.to_string()).unwrap_err();
        assert!(err.to_string().contains("BEGIN/END CERTIFICATE"), "{err}");
    }

    #[test]
    fn built_in_clouds_are_valid_and_cannot_carry_a_ca() {
        for cloud in [
            CloudProfile::azure_public(),
            CloudProfile::azure_us_government(),
            CloudProfile::azure_china(),
        ] {
            cloud.validate().unwrap();
            let mut tampered = cloud.clone();
            tampered.ca_certificate_pem = Some("-----BEGIN CERTIFICATE-----".into());
            assert!(tampered.validate().is_err());
        }
        assert_eq!(
            CloudProfile::azure_us_government().graph_endpoint.as_str(),
            "https://graph.microsoft.us/"
        );
    }
}
