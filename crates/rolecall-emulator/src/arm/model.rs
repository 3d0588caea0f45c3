//! ARM's resources as the emulator stores them, and their wire shapes.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub display_name: String,
    /// `Enabled`, `Disabled`, `Warned`, `PastDue` or `Deleted`.
    pub state: String,
}

impl Subscription {
    pub fn scope(&self) -> String {
        format!("/subscriptions/{}", self.id)
    }

    pub fn wire(&self, tenant_id: &str) -> Value {
        json!({
            "id": self.scope(),
            "subscriptionId": self.id,
            "tenantId": tenant_id,
            "displayName": self.display_name,
            "state": self.state,
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "PayAsYouGo_2014-09-01",
                "spendingLimit": "Off"
            },
            "authorizationSource": "RoleBased",
            "managedByTenants": [],
            "tags": {}
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceGroup {
    pub subscription_id: String,
    pub name: String,
    pub location: String,
}

impl ResourceGroup {
    pub fn scope(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription_id, self.name
        )
    }

    pub fn wire(&self) -> Value {
        json!({
            "id": self.scope(),
            "name": self.name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": self.location,
            "properties": {"provisioningState": "Succeeded"}
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    pub subscription_id: String,
    pub resource_group: String,
    /// `Microsoft.VoiceServices/communicationsGateways`
    pub resource_type: String,
    pub name: String,
    pub location: String,
}

impl Resource {
    pub fn scope(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{}/{}",
            self.subscription_id, self.resource_group, self.resource_type, self.name
        )
    }

    pub fn wire(&self) -> Value {
        json!({
            "id": self.scope(),
            "name": self.name,
            "type": self.resource_type,
            "location": self.location,
            "tags": {}
        })
    }
}

/// One block of a role definition's `permissions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
    #[serde(default)]
    pub data_actions: Vec<String>,
    #[serde(default)]
    pub not_data_actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleDefinition {
    /// The definition's GUID (its `name`).
    pub name: String,
    pub role_name: String,
    pub description: String,
    /// `BuiltInRole` or `CustomRole`.
    pub role_type: String,
    pub permissions: Vec<Permission>,
    pub assignable_scopes: Vec<String>,
    pub created_on: Option<String>,
    pub updated_on: Option<String>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl RoleDefinition {
    pub fn is_custom(&self) -> bool {
        self.role_type == "CustomRole"
    }

    /// The `id` ARM answers with: built-ins listed under a subscription carry
    /// its prefix; custom roles always live under their first subscription scope.
    pub fn id_under(&self, scope_prefix: &str) -> String {
        format!(
            "{scope_prefix}/providers/Microsoft.Authorization/roleDefinitions/{}",
            self.name
        )
    }

    pub fn wire(&self, scope_prefix: &str) -> Value {
        json!({
            "id": self.id_under(scope_prefix),
            "name": self.name,
            "type": "Microsoft.Authorization/roleDefinitions",
            "properties": {
                "roleName": self.role_name,
                "type": self.role_type,
                "description": self.description,
                "assignableScopes": self.assignable_scopes,
                "permissions": self.permissions,
                "createdOn": self.created_on,
                "updatedOn": self.updated_on,
                "createdBy": self.created_by,
                "updatedBy": self.updated_by
            }
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// The assignment's GUID (its `name`).
    pub name: String,
    /// Lower-case-insensitive ARM scope, as written at creation.
    pub scope: String,
    /// The role definition's GUID.
    pub role_definition_name: String,
    pub principal_id: String,
    pub principal_type: String,
    pub description: Option<String>,
    pub condition: Option<String>,
    pub condition_version: Option<String>,
    pub created_on: String,
    pub updated_on: String,
    pub created_by: String,
    pub updated_by: String,
}

impl RoleAssignment {
    pub fn id(&self) -> String {
        format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{}",
            self.scope.trim_end_matches('/'),
            self.name
        )
    }

    /// ARM renders `roleDefinitionId` under the subscription of the request
    /// (`prefix`, empty at tenant scope), even for assignments inherited from `/`.
    pub fn role_definition_id(&self, prefix: &str) -> String {
        format!(
            "{prefix}/providers/Microsoft.Authorization/roleDefinitions/{}",
            self.role_definition_name
        )
    }

    pub fn wire(&self, prefix: &str) -> Value {
        json!({
            "id": self.id(),
            "name": self.name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "roleDefinitionId": self.role_definition_id(prefix),
                "principalId": self.principal_id,
                "principalType": self.principal_type,
                "scope": self.scope,
                "condition": self.condition,
                "conditionVersion": self.condition_version,
                "description": self.description,
                "createdOn": self.created_on,
                "updatedOn": self.updated_on,
                "createdBy": self.created_by,
                "updatedBy": self.updated_by,
                "delegatedManagedIdentityResourceId": null
            }
        })
    }
}

/// A principal a deny assignment names (`SystemDefined` with the all-zero id is everyone).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DenyPrincipal {
    pub id: String,
    #[serde(rename = "type")]
    pub principal_type: String,
}

/// The id deny assignments use for "everyone".
pub const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

/// A deny assignment: read-only through ARM (Azure creates them for managed
/// applications, blueprints and deployment stacks).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DenyAssignment {
    pub name: String,
    pub deny_assignment_name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    pub scope: String,
    pub do_not_apply_to_child_scopes: bool,
    pub principals: Vec<DenyPrincipal>,
    pub exclude_principals: Vec<DenyPrincipal>,
    pub is_system_protected: bool,
}

impl DenyAssignment {
    pub fn id(&self) -> String {
        format!(
            "{}/providers/Microsoft.Authorization/denyAssignments/{}",
            self.scope, self.name
        )
    }

    pub fn wire(&self) -> Value {
        json!({
            "id": self.id(),
            "name": self.name,
            "type": "Microsoft.Authorization/denyAssignments",
            "properties": {
                "denyAssignmentName": self.deny_assignment_name,
                "description": self.description,
                "permissions": self.permissions,
                "scope": self.scope,
                "doNotApplyToChildScopes": self.do_not_apply_to_child_scopes,
                "principals": self.principals,
                "excludePrincipals": self.exclude_principals,
                "isSystemProtected": self.is_system_protected,
            }
        })
    }
}

/// Everything ARM holds for the tenant.
/// A management group: a tenant-level container of subscriptions and other
/// groups; role assignments made at it are inherited below it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagementGroup {
    /// The group's id (its `name`); the tenant root group's is the tenant id.
    pub name: String,
    pub display_name: String,
    /// None for the tenant root group.
    pub parent: Option<String>,
    /// Ids of the subscriptions directly under it.
    #[serde(default)]
    pub subscriptions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ArmState {
    /// The hierarchy, root first (an older state file has none: the seed's is kept).
    #[serde(default)]
    pub management_groups: Vec<ManagementGroup>,
    pub subscriptions: Vec<Subscription>,
    pub resource_groups: Vec<ResourceGroup>,
    pub resources: Vec<Resource>,
    pub role_definitions: Vec<RoleDefinition>,
    pub role_assignments: Vec<RoleAssignment>,
    #[serde(default)]
    pub deny_assignments: Vec<DenyAssignment>,
    /// Privileged Identity Management: requests, schedules, changed policies.
    #[serde(default)]
    pub pim: Pim,
}

/// PIM for Azure resources, as ARM keeps it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pim {
    pub requests: Vec<PimRequest>,
    pub schedules: Vec<PimSchedule>,
    /// Policies changed by PATCH (every other one is the default).
    pub policies: Vec<PimPolicy>,
    /// Eligible and assigned (not activated) schedules that ended, kept 30
    /// days for `AdminRenew`/`SelfRenew` (Microsoft: an assignment "might
    /// be renewed and remain visible in an expired state for up to 30
    /// days"). No list shows them: the reference has no wire facts on how.
    #[serde(default)]
    pub expired: Vec<PimSchedule>,
    /// Approvals of activations whose policy asks for one.
    #[serde(default)]
    pub approvals: Vec<PimApproval>,
}

/// A `roleAssignmentApproval` (2021-01-01-preview) of one activation request,
/// with its single stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PimApproval {
    /// The approval's GUID (the request's `approvalId` ends with it).
    pub name: String,
    /// Its one stage's GUID.
    pub stage: String,
    /// The `roleAssignmentScheduleRequest` awaiting it.
    pub request_name: String,
    /// Users or groups who may decide.
    pub approvers: Vec<String>,
    /// `InProgress`, `Completed` or `Expired`.
    pub status: String,
    /// `NotReviewed`, `Approve` or `Deny`.
    pub review_result: String,
    pub reviewed_by: Option<String>,
    pub reviewed_on: Option<String>,
    pub justification: String,
    /// RFC 3339, UTC.
    pub created_on: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PimKind {
    Eligibility,
    Assignment,
}

/// A `roleEligibilityScheduleRequest` or `roleAssignmentScheduleRequest`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PimRequest {
    pub kind: PimKind,
    pub name: String,
    pub scope: String,
    /// The role definition's GUID.
    pub role: String,
    pub principal_id: String,
    pub principal_type: String,
    pub request_type: String,
    pub status: String,
    /// RFC 3339, UTC.
    pub start: String,
    /// `{"type", "duration", "endDateTime"}` as asked.
    pub expiration: serde_json::Value,
    pub justification: Option<String>,
    pub ticket_info: serde_json::Value,
    pub requestor_id: String,
    pub created_on: String,
    /// The schedule it made or acted on.
    pub target_schedule: Option<String>,
    pub linked_eligibility: Option<String>,
    pub condition: Option<String>,
    pub condition_version: Option<String>,
    /// The approval it awaits or had (its GUID).
    #[serde(default)]
    pub approval: Option<String>,
}

/// A `roleEligibilitySchedule` or `roleAssignmentSchedule` made by a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PimSchedule {
    pub kind: PimKind,
    pub name: String,
    pub scope: String,
    pub role: String,
    pub principal_id: String,
    pub principal_type: String,
    /// RFC 3339, UTC.
    pub start: String,
    pub end: Option<String>,
    pub request_name: String,
    pub created_on: String,
    pub updated_on: String,
    /// Assignment schedules: `Assigned` (by an admin) or `Activated` (by its holder).
    pub assignment_type: Option<String>,
    /// The eligibility an activation came from.
    pub linked_eligibility: Option<String>,
    /// The role assignment that carries an active schedule while it runs.
    pub role_assignment: Option<String>,
    pub condition: Option<String>,
    pub condition_version: Option<String>,
}

/// A role management policy changed from the default.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PimPolicy {
    pub scope: String,
    pub role: String,
    pub rules: Vec<serde_json::Value>,
    pub last_modified_by: String,
    pub last_modified: String,
}

impl ArmState {
    pub fn management_group(&self, name: &str) -> Option<&ManagementGroup> {
        self.management_groups
            .iter()
            .find(|g| g.name.eq_ignore_ascii_case(name))
    }

    /// A group's ancestors, its parent first (the root last).
    pub fn ancestors(&self, name: &str) -> Vec<&ManagementGroup> {
        let mut out: Vec<&ManagementGroup> = Vec::new();
        let mut at = self.management_group(name).and_then(|g| g.parent.clone());
        // The hierarchy is at most six levels below the root; a loop in a
        // hand-edited state file stops here rather than spinning.
        while let Some(parent) = at.take() {
            let Some(group) = self.management_group(&parent) else {
                break;
            };
            if out.len() > 10 || out.iter().any(|g| g.name.eq_ignore_ascii_case(&group.name)) {
                break;
            }
            out.push(group);
            at = group.parent.clone();
        }
        out
    }

    /// The groups directly under `name`.
    pub fn child_groups<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ManagementGroup> {
        self.management_groups.iter().filter(move |g| {
            g.parent
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(name))
        })
    }

    /// The subscriptions directly under a group (ids it names that exist).
    pub fn subscriptions_under<'a>(
        &'a self,
        group: &'a ManagementGroup,
    ) -> impl Iterator<Item = &'a Subscription> {
        group.subscriptions.iter().filter_map(|id| {
            self.subscriptions
                .iter()
                .find(|s| s.id.eq_ignore_ascii_case(id))
        })
    }

    /// The group a subscription sits directly under, if any.
    pub fn group_of_subscription(&self, subscription_id: &str) -> Option<&ManagementGroup> {
        self.management_groups.iter().find(|g| {
            g.subscriptions
                .iter()
                .any(|s| s.eq_ignore_ascii_case(subscription_id))
        })
    }
}

/// A custom role written recently: until `until`, some reads still see
/// `previous` (or nothing, for a new role), as ARM's replicas catch up.
#[derive(Debug, Clone)]
pub struct PropagatingRole {
    pub name: String,
    pub previous: Option<RoleDefinition>,
    pub until: std::time::Instant,
}
