//! Role definitions in ARM's wire shape (`2022-04-01`), built-in and custom.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::permissions::{ActionKind, Permission, allows};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleProperties {
    pub role_name: String,
    #[serde(rename = "type", default)]
    pub role_type: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub assignable_scopes: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

/// A role definition as ARM returns it (`id`, `name`, `type`, `properties`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDefinition {
    pub id: String,
    /// The definition's GUID.
    pub name: String,
    #[serde(rename = "type", default)]
    pub resource_type: String,
    pub properties: RoleProperties,
}

impl RoleDefinition {
    pub fn role_name(&self) -> &str {
        &self.properties.role_name
    }

    pub fn is_custom(&self) -> bool {
        self.properties.role_type.eq_ignore_ascii_case("CustomRole")
    }

    /// Whether the role allows `action` (ARM semantics: any block's grants
    /// minus that block's exclusions).
    pub fn allows(&self, action: &str, kind: ActionKind) -> bool {
        allows(&self.properties.permissions, action, kind)
    }
}

/// The GUID of a role definition, lowercased, from its bare GUID or any of
/// its ids (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/{guid}`).
pub fn definition_guid(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_ascii_lowercase()
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read role definitions from {path}: {reason}")]
pub struct RolesError {
    pub path: String,
    pub reason: String,
}

/// Parses `{"value": [role definitions]}` (a list answer, or the shared
/// reference's `builtin-roles.json`).
pub fn from_list(json: &[u8]) -> Result<Vec<RoleDefinition>, serde_json::Error> {
    #[derive(Deserialize)]
    struct List {
        value: Vec<RoleDefinition>,
    }
    Ok(serde_json::from_slice::<List>(json)?.value)
}

pub fn load(path: &Path) -> Result<Vec<RoleDefinition>, RolesError> {
    let fail = |reason: String| RolesError {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    from_list(&bytes).map_err(|e| fail(e.to_string()))
}
