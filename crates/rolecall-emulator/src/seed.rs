//! Tenants the emulator can start with. The demo seed is the project's own
//! invention (no real tenant's data); it grows with the emulator.

use serde::Serialize;

/// The demo tenant's id: fixed, so screenshots, docs and tests agree.
pub const DEMO_TENANT_ID: &str = "6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: String,
    pub display_name: String,
    pub default_domain: String,
}

impl Tenant {
    /// Whether `name` (as it appears in an authority URL) designates this tenant:
    /// its id or its default domain, case-insensitively, as Entra resolves them.
    pub fn answers_to(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.id) || name.eq_ignore_ascii_case(&self.default_domain)
    }
}

/// Which data the emulator starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Seed {
    /// The demo tenant a newcomer meets on first launch.
    Demo,
}

impl Seed {
    pub fn tenant(self) -> Tenant {
        match self {
            Seed::Demo => Tenant {
                id: DEMO_TENANT_ID.into(),
                display_name: "Contoso Demo".into(),
                default_domain: "contosodemo.onmicrosoft.com".into(),
            },
        }
    }
}
