//! The live catalogue: every provider operation and every role definition,
//! read from ARM into the RBAC engine's types.

use futures::TryStreamExt;
use rolecall_rbac::{Catalogue, RoleDefinition};

use crate::arm::{ArmClient, RoleFilter};
use crate::error::{AzureError, Result, Service};

/// Provider operations of every namespace (`$expand=resourceTypes`), indexed
/// for search.
pub async fn provider_operations(arm: &ArmClient) -> Result<Catalogue> {
    let namespaces: Vec<serde_json::Value> = arm.provider_operations().try_collect().await?;
    Catalogue::from_namespaces(&namespaces).map_err(|e| AzureError::Protocol {
        service: Service::Arm,
        detail: format!("the provider-operations list could not be read: {e}"),
        request_id: None,
    })
}

/// Built-in and custom role definitions visible at `scope` (a subscription:
/// custom roles are listed where they are assignable).
pub async fn role_definitions(arm: &ArmClient, scope: &str) -> Result<Vec<RoleDefinition>> {
    arm.role_definitions(scope, &RoleFilter::All)
        .try_collect()
        .await
}
