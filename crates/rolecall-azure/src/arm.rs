//! Azure Resource Manager: tenants, subscriptions, resource groups,
//! resources, and `Microsoft.Authorization` (role definitions, role and deny
//! assignments, permissions, provider operations), with the exact
//! api-versions the reference names. Models tolerate unknown fields.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::Method;
use futures::Stream;
use rolecall_core::CloudProfile;
use rolecall_rbac::roles::RoleProperties;
use rolecall_rbac::{Permission, RoleDefinition};
use serde::{Deserialize, Serialize};

use crate::error::{Result, Service as ServiceName, not_found_as_none};
use crate::service::{Options, Service};

/// `Microsoft.Resources` tenants and subscriptions.
pub const SUBSCRIPTIONS_API: &str = "2022-12-01";
/// `Microsoft.Resources` resource groups and resources.
pub const RESOURCES_API: &str = "2022-09-01";
/// `Microsoft.Authorization`: role definitions and assignments, deny
/// assignments, permissions, provider operations.
pub const AUTHORIZATION_API: &str = "2022-04-01";
/// `Microsoft.Management` (management groups).
pub const MANAGEMENT_GROUPS_API: &str = "2021-04-01";
/// Privileged Identity Management for Azure resources (GA).
pub const PIM_API: &str = "2020-10-01";
/// `roleAssignmentApprovals` (PIM's approvals of activations).
pub const APPROVALS_API: &str = "2021-01-01-preview";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub default_domain: String,
}

/// A management group or a subscription, as `getEntities` lists the part of
/// the hierarchy the caller may read.
#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    /// `/providers/Microsoft.Management/managementGroups/{id}` or `/subscriptions/{id}`.
    pub id: String,
    /// `Microsoft.Management/managementGroups` or `/subscriptions`.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub properties: EntityProperties,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityProperties {
    #[serde(default)]
    pub display_name: Option<String>,
    /// The groups above it, the root first.
    #[serde(default)]
    pub parent_display_name_chain: Vec<String>,
    /// Their names (ids), the root first.
    #[serde(default)]
    pub parent_name_chain: Vec<String>,
    #[serde(default)]
    pub parent: Option<EntityParent>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EntityParent {
    /// `/providers/Microsoft.Management/managementGroups/{id}`.
    #[serde(default)]
    pub id: Option<String>,
}

/// The management-group tree the entities describe.
pub fn hierarchy(entities: &[Entity]) -> rolecall_rbac::Hierarchy {
    rolecall_rbac::Hierarchy::from_chains(
        entities
            .iter()
            .map(|e| (e.name.as_str(), e.properties.parent_name_chain.as_slice())),
    )
}

impl Entity {
    /// The name of the group directly above, if any.
    pub fn parent_name(&self) -> Option<&str> {
        self.properties
            .parent_name_chain
            .last()
            .map(String::as_str)
            .or_else(|| {
                let id = self.properties.parent.as_ref()?.id.as_deref()?;
                id.rsplit('/').next()
            })
    }

    pub fn is_management_group(&self) -> bool {
        self.kind
            .eq_ignore_ascii_case("Microsoft.Management/managementGroups")
    }
}

/// PIM's two kinds of schedule: eligible, or active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    Eligibility,
    Assignment,
}

impl ScheduleKind {
    pub fn requests(self) -> &'static str {
        match self {
            ScheduleKind::Eligibility => "roleEligibilityScheduleRequests",
            ScheduleKind::Assignment => "roleAssignmentScheduleRequests",
        }
    }

    pub fn schedules(self) -> &'static str {
        match self {
            ScheduleKind::Eligibility => "roleEligibilitySchedules",
            ScheduleKind::Assignment => "roleAssignmentSchedules",
        }
    }

    pub fn instances(self) -> &'static str {
        match self {
            ScheduleKind::Eligibility => "roleEligibilityScheduleInstances",
            ScheduleKind::Assignment => "roleAssignmentScheduleInstances",
        }
    }
}

/// A PIM schedule request as ARM answers it.
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleRequest {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub properties: ScheduleRequestProperties,
    /// `x-ms-request-id` of the answer.
    #[serde(skip)]
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleRequestProperties {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub role_definition_id: String,
    #[serde(default)]
    pub principal_id: String,
    #[serde(default)]
    pub request_type: String,
    /// The approval it waits for (`/providers/Microsoft.Authorization/roleAssignmentApprovals/{id}`).
    #[serde(default)]
    pub approval_id: Option<String>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub created_on: Option<String>,
    #[serde(default)]
    pub schedule_info: Option<serde_json::Value>,
    /// Names of its scope, role and principal, as ARM expands them.
    #[serde(default)]
    pub expanded_properties: Option<serde_json::Value>,
    #[serde(default)]
    pub target_role_eligibility_schedule_id: Option<String>,
    #[serde(default)]
    pub target_role_assignment_schedule_id: Option<String>,
}

/// One stage of a PIM approval (`roleAssignmentApprovals/{id}/stages/{id}`).
#[derive(Debug, Clone, Deserialize)]
pub struct ApprovalStage {
    pub id: String,
    #[serde(default)]
    pub properties: ApprovalStageProperties,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStageProperties {
    /// `InProgress` while it waits for a decision; `Completed`, `Expired`…
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub assigned_to_me: bool,
    /// `NotReviewed`, `Approve` or `Deny`.
    #[serde(default)]
    pub review_result: String,
}

/// A `roleAssignmentScheduleInstance` or `roleEligibilityScheduleInstance`
/// (or their schedules, which have the same fields here).
#[derive(Debug, Clone, Deserialize)]
pub struct ScheduleInstance {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub properties: ScheduleInstanceProperties,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInstanceProperties {
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub role_definition_id: String,
    #[serde(default)]
    pub principal_id: String,
    /// `Activated` or `Assigned` (assignment instances only).
    #[serde(default)]
    pub assignment_type: Option<String>,
    /// The role assignment an active instance stands on.
    #[serde(default)]
    pub origin_role_assignment_id: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<String>,
    /// `User`, `Group`, `ServicePrincipal`.
    #[serde(default)]
    pub principal_type: Option<String>,
    /// `Direct`, `Group` or `Inherited`.
    #[serde(default)]
    pub member_type: Option<String>,
    /// An eligibility instance's schedule (what an activation links to).
    #[serde(default)]
    pub role_eligibility_schedule_id: Option<String>,
    /// ARM's names for the scope, role and principal
    /// (`roleDefinition.displayName`…), readable by the principal itself.
    #[serde(default)]
    pub expanded_properties: serde_json::Value,
}

impl ScheduleInstance {
    /// The role's name as ARM expands it; "" when it does not.
    pub fn role_name(&self) -> &str {
        self.properties.expanded_properties["roleDefinition"]["displayName"]
            .as_str()
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// `/subscriptions/{id}`
    pub id: String,
    pub subscription_id: String,
    #[serde(default)]
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: String,
    /// `Enabled`, `Disabled`, `Warned`, `PastDue`, `Deleted`.
    #[serde(default)]
    pub state: String,
}

/// A resource group or a resource (the generic shape ARM lists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    #[serde(default)]
    pub location: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentProperties {
    pub role_definition_id: String,
    pub principal_id: String,
    #[serde(default)]
    pub principal_type: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub created_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    pub id: String,
    pub name: String,
    pub properties: RoleAssignmentProperties,
    /// ARM's `x-ms-request-id` of the write that returned this (not on the
    /// wire; `None` when listed).
    #[serde(skip)]
    pub request_id: Option<String>,
}

impl RoleAssignment {
    /// The engine's view of it, if its scope parses.
    pub fn to_engine(&self) -> Option<rolecall_rbac::effective::Assignment> {
        Some(rolecall_rbac::effective::Assignment {
            scope: rolecall_rbac::Scope::parse(&self.properties.scope).ok()?,
            role_definition_id: self.properties.role_definition_id.clone(),
            principal_id: self.properties.principal_id.clone(),
        })
    }
}

/// A principal type ARM accepts in `principalType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
    ForeignGroup,
    Device,
}

/// The body of a role assignment PUT. `principal_type` is always sent: it
/// lets ARM accept a principal created moments ago (replication delay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRoleAssignment {
    pub role_definition_id: String,
    pub principal_id: String,
    pub principal_type: PrincipalType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenyPrincipal {
    pub id: String,
    #[serde(rename = "type", default)]
    pub principal_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DenyAssignmentProperties {
    #[serde(default)]
    pub deny_assignment_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub do_not_apply_to_child_scopes: bool,
    #[serde(default)]
    pub principals: Vec<DenyPrincipal>,
    #[serde(default)]
    pub exclude_principals: Vec<DenyPrincipal>,
    #[serde(default)]
    pub is_system_protected: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenyAssignment {
    pub id: String,
    pub name: String,
    pub properties: DenyAssignmentProperties,
}

impl DenyAssignment {
    /// The engine's view of it, if its scope parses.
    pub fn to_engine(&self) -> Option<rolecall_rbac::effective::Deny> {
        let p = &self.properties;
        Some(rolecall_rbac::effective::Deny {
            name: p.deny_assignment_name.clone(),
            scope: rolecall_rbac::Scope::parse(&p.scope).ok()?,
            permissions: p.permissions.clone(),
            principals: p.principals.iter().map(|x| x.id.clone()).collect(),
            exclude_principals: p.exclude_principals.iter().map(|x| x.id.clone()).collect(),
            do_not_apply_to_child_scopes: p.do_not_apply_to_child_scopes,
        })
    }
}

/// Which role definitions to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleFilter {
    All,
    /// `roleName eq '…'` (ARM matches it case-insensitively).
    Name(String),
    /// `type eq 'CustomRole'`
    CustomOnly,
}

/// Which role assignments to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentFilter {
    /// At, above and below the scope.
    All,
    /// `atScope()`: at the scope and above it (what applies there).
    AtScope,
    /// `principalId eq '…'`: this principal's own.
    Principal(String),
    /// `assignedTo('…')`: this principal's own and its groups'.
    AssignedTo(String),
}

/// An OData string literal: quoted, inner quotes doubled.
pub fn odata_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The ARM client. Cheap to clone; one per signed-in account and tenant.
#[derive(Clone)]
pub struct ArmClient {
    service: Service,
}

impl ArmClient {
    /// ARM's address for this cloud (`https://management.azure.com/`).
    pub fn endpoint(&self) -> &str {
        self.service.base().as_str()
    }

    pub fn new(
        cloud: &CloudProfile,
        http: reqwest::Client,
        credential: Arc<dyn TokenCredential>,
        options: &Options,
    ) -> Self {
        Self {
            service: Service::new(
                ServiceName::Arm,
                cloud.resource_manager_endpoint.clone(),
                &cloud.resource_manager_audience,
                http,
                credential,
                options,
            ),
        }
    }

    fn list<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> impl Stream<Item = Result<T>> + Send + 'static + use<T> {
        self.service.list(path, query, Vec::new())
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str, api: &str) -> Result<T> {
        let url = self.service.url(path, &[("api-version", api)])?;
        self.service.get_json(url, &[]).await
    }

    pub fn tenants(&self) -> impl Stream<Item = Result<Tenant>> + Send + 'static + use<> {
        self.list("tenants", &[("api-version", SUBSCRIPTIONS_API)])
    }

    pub fn subscriptions(
        &self,
    ) -> impl Stream<Item = Result<Subscription>> + Send + 'static + use<> {
        self.list("subscriptions", &[("api-version", SUBSCRIPTIONS_API)])
    }

    pub async fn subscription(&self, subscription_id: &str) -> Result<Subscription> {
        self.get(
            &format!("subscriptions/{subscription_id}"),
            SUBSCRIPTIONS_API,
        )
        .await
    }

    /// The management groups and subscriptions the caller may read, flat,
    /// each with the chain of groups above it (`POST getEntities`, every page).
    pub async fn management_entities(&self) -> Result<Vec<Entity>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            #[serde(default)]
            value: Vec<Entity>,
            #[serde(default)]
            next_link: Option<String>,
        }
        let mut url = self.service.url(
            "providers/Microsoft.Management/getEntities",
            &[("api-version", MANAGEMENT_GROUPS_API)],
        )?;
        let mut entities = Vec::new();
        // Bounded: a hierarchy is at most 10,000 groups per directory.
        for _ in 0..200 {
            let page: Page = self
                .service
                .send(Method::Post, url.clone(), None::<&()>, &[])
                .await?
                .json(ServiceName::Arm)?;
            entities.extend(page.value);
            match page.next_link.as_deref().map(azure_core::http::Url::parse) {
                Some(Ok(next)) => url = next,
                _ => break,
            }
        }
        Ok(entities)
    }

    /// A Global Administrator gives themself User Access Administrator at
    /// the root scope `/` (the portal's "Access management for Azure
    /// resources"): every management group and subscription becomes theirs
    /// to read and to grant at. Idempotent; anyone else is refused.
    pub async fn elevate_access(&self) -> Result<()> {
        let url = self.service.url(
            "providers/Microsoft.Authorization/elevateAccess",
            &[("api-version", "2016-07-01")],
        )?;
        self.service
            .send(Method::Post, url, None::<&()>, &[])
            .await?;
        Ok(())
    }

    /// [`ArmClient::management_entities`], none when ARM refuses the admin
    /// the groups (no error: most admins hold no role at a group).
    pub async fn readable_management_entities(&self) -> Result<Vec<Entity>> {
        match self.management_entities().await {
            Ok(entities) => Ok(entities),
            Err(error)
                if matches!(
                    error.kind(),
                    Some(crate::error::Kind::Forbidden | crate::error::Kind::NotFound)
                ) =>
            {
                tracing::debug!(%error, "no management groups read");
                Ok(Vec::new())
            }
            Err(error) => Err(error),
        }
    }

    /// The management-group tree the admin may read (empty when none).
    pub async fn hierarchy(&self) -> Result<rolecall_rbac::Hierarchy> {
        Ok(hierarchy(&self.readable_management_entities().await?))
    }

    /// [`ArmClient::hierarchy`] when one of `scopes` is a management group
    /// (what lies above or below one only the tree tells); otherwise the
    /// empty tree, without a request: a scope in a subscription carries
    /// what is above it in its id.
    pub async fn hierarchy_for(
        &self,
        scopes: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> Result<rolecall_rbac::Hierarchy> {
        let wanted = scopes.into_iter().any(|s| {
            rolecall_rbac::Scope::parse(s.as_ref())
                .is_ok_and(|s| s.level() == rolecall_rbac::Level::ManagementGroup)
        });
        if wanted {
            self.hierarchy().await
        } else {
            Ok(rolecall_rbac::Hierarchy::default())
        }
    }

    pub fn resource_groups(
        &self,
        subscription_id: &str,
    ) -> impl Stream<Item = Result<Resource>> + Send + 'static + use<> {
        self.list(
            &format!("subscriptions/{subscription_id}/resourcegroups"),
            &[("api-version", RESOURCES_API)],
        )
    }

    /// Resources in a subscription or one of its resource groups, optionally
    /// of one type (`Microsoft.VoiceServices/communicationsGateways`).
    pub fn resources(
        &self,
        subscription_id: &str,
        resource_group: Option<&str>,
        resource_type: Option<&str>,
    ) -> impl Stream<Item = Result<Resource>> + Send + 'static + use<> {
        let path = match resource_group {
            Some(group) => {
                format!("subscriptions/{subscription_id}/resourceGroups/{group}/resources")
            }
            None => format!("subscriptions/{subscription_id}/resources"),
        };
        let filter = resource_type.map(|t| format!("resourceType eq {}", odata_literal(t)));
        let mut query = vec![("api-version", RESOURCES_API)];
        if let Some(filter) = &filter {
            query.push(("$filter", filter));
        }
        self.list(&path, &query)
    }

    pub fn role_definitions(
        &self,
        scope: &str,
        filter: &RoleFilter,
    ) -> impl Stream<Item = Result<RoleDefinition>> + Send + 'static + use<> {
        let filter = match filter {
            RoleFilter::All => None,
            RoleFilter::Name(name) => Some(format!("roleName eq {}", odata_literal(name))),
            RoleFilter::CustomOnly => Some("type eq 'CustomRole'".to_owned()),
        };
        let mut query = vec![("api-version", AUTHORIZATION_API)];
        if let Some(filter) = &filter {
            query.push(("$filter", filter));
        }
        self.list(&authz(scope, "roleDefinitions"), &query)
    }

    /// A role definition by GUID, `None` when ARM does not have it.
    pub async fn role_definition(&self, scope: &str, guid: &str) -> Result<Option<RoleDefinition>> {
        not_found_as_none(
            self.get(
                &authz(scope, &format!("roleDefinitions/{guid}")),
                AUTHORIZATION_API,
            )
            .await,
        )
    }

    /// Creates or updates a custom role (ARM answers 201 for both).
    pub async fn put_role_definition(
        &self,
        scope: &str,
        guid: &str,
        properties: &RoleProperties,
    ) -> Result<RoleDefinition> {
        #[derive(Serialize)]
        struct Body<'a> {
            properties: &'a RoleProperties,
        }
        let url = self.service.url(
            &authz(scope, &format!("roleDefinitions/{guid}")),
            &[("api-version", AUTHORIZATION_API)],
        )?;
        self.service
            .send(Method::Put, url, Some(&Body { properties }), &[])
            .await?
            .json(ServiceName::Arm)
    }

    /// Deletes a custom role; `None` when it did not exist (204).
    pub async fn delete_role_definition(
        &self,
        scope: &str,
        guid: &str,
    ) -> Result<Option<(RoleDefinition, Option<String>)>> {
        self.delete(&authz(scope, &format!("roleDefinitions/{guid}")))
            .await
    }

    pub fn role_assignments(
        &self,
        scope: &str,
        filter: &AssignmentFilter,
    ) -> impl Stream<Item = Result<RoleAssignment>> + Send + 'static + use<> {
        let filter = match filter {
            AssignmentFilter::All => None,
            AssignmentFilter::AtScope => Some("atScope()".to_owned()),
            AssignmentFilter::Principal(id) => {
                Some(format!("principalId eq {}", odata_literal(id)))
            }
            AssignmentFilter::AssignedTo(id) => Some(format!("assignedTo({})", odata_literal(id))),
        };
        let mut query = vec![("api-version", AUTHORIZATION_API)];
        if let Some(filter) = &filter {
            query.push(("$filter", filter));
        }
        self.list(&authz(scope, "roleAssignments"), &query)
    }

    /// The role assignments that apply at `scope` only while a PIM
    /// activation lasts (`roleAssignmentScheduleInstances` of type
    /// `Activated`, at the scope and above). A tenant without Entra ID P2
    /// has none, and an admin who may not read them learns nothing: both
    /// answer an empty list.
    pub async fn activations(&self, scope: &str) -> Result<Vec<ScheduleInstance>> {
        Ok(self
            .schedule_instances_at(ScheduleKind::Assignment, scope)
            .await?
            .into_iter()
            .filter(|i| i.properties.assignment_type.as_deref() == Some("Activated"))
            .collect())
    }

    /// Every PIM schedule instance of `kind` that applies at `scope` (made
    /// there or above); none where PIM cannot tell (no licence, no right).
    pub async fn schedule_instances_at(
        &self,
        kind: ScheduleKind,
        scope: &str,
    ) -> Result<Vec<ScheduleInstance>> {
        self.schedule_instances(kind, scope, Some("atScope()"))
            .await
    }

    /// PIM's schedule instances of `kind` at `scope` with `filter` (none:
    /// at, above and below the scope); none where PIM cannot tell.
    pub async fn schedule_instances(
        &self,
        kind: ScheduleKind,
        scope: &str,
        filter: Option<&str>,
    ) -> Result<Vec<ScheduleInstance>> {
        pim_or_none(self.pim_list(kind.instances(), scope, filter).await)
    }

    /// The signed-in principal's own PIM schedule instances of `kind` that
    /// apply at `scope` (`asTarget()`): what an eligible person may read
    /// without any other access there. A refusal is an error, not "none".
    pub async fn my_schedule_instances(
        &self,
        kind: ScheduleKind,
        scope: &str,
    ) -> Result<Vec<ScheduleInstance>> {
        self.pim_list(kind.instances(), scope, Some("asTarget()"))
            .await
    }

    /// Every page of a PIM list (`resource` at `scope`, with `filter`).
    async fn pim_list(
        &self,
        resource: &str,
        scope: &str,
        filter: Option<&str>,
    ) -> Result<Vec<ScheduleInstance>> {
        let mut query = vec![("api-version", PIM_API)];
        if let Some(f) = filter {
            query.push(("$filter", f));
        }
        futures::TryStreamExt::try_collect(self.list(&authz(scope, resource), &query)).await
    }

    /// A member's eligibility schedules that apply at `scope` (at it, above
    /// or below it); none in a tenant without PIM or for an admin who may
    /// not read them, as [`ArmClient::activations`].
    pub async fn eligibilities(
        &self,
        scope: &str,
        principal_id: &str,
    ) -> Result<Vec<ScheduleInstance>> {
        pim_or_none(
            futures::TryStreamExt::try_collect(self.schedules(
                ScheduleKind::Eligibility,
                scope,
                principal_id,
            ))
            .await,
        )
    }

    pub async fn role_assignment(&self, scope: &str, name: &str) -> Result<Option<RoleAssignment>> {
        not_found_as_none(
            self.get(
                &authz(scope, &format!("roleAssignments/{name}")),
                AUTHORIZATION_API,
            )
            .await,
        )
    }

    /// Creates a role assignment named `name` (use
    /// `rolecall_rbac::names::role_assignment_name` so re-runs converge).
    pub async fn create_role_assignment(
        &self,
        scope: &str,
        name: &str,
        assignment: &NewRoleAssignment,
    ) -> Result<RoleAssignment> {
        #[derive(Serialize)]
        struct Body<'a> {
            properties: &'a NewRoleAssignment,
        }
        let url = self.service.url(
            &authz(scope, &format!("roleAssignments/{name}")),
            &[("api-version", AUTHORIZATION_API)],
        )?;
        let answer = self
            .service
            .send(
                Method::Put,
                url,
                Some(&Body {
                    properties: assignment,
                }),
                &[],
            )
            .await?;
        let mut created: RoleAssignment = answer.json(ServiceName::Arm)?;
        created.request_id = answer.request_id;
        Ok(created)
    }

    /// Sends a PIM schedule request (`AdminAssign`, `AdminRemove`, …); ARM
    /// answers 201 with the request, its status and the schedule it made.
    pub async fn put_schedule_request(
        &self,
        kind: ScheduleKind,
        scope: &str,
        name: &str,
        properties: &serde_json::Value,
    ) -> Result<ScheduleRequest> {
        let url = self.service.url(
            &authz(scope, &format!("{}/{name}", kind.requests())),
            &[("api-version", PIM_API)],
        )?;
        let answer = self
            .service
            .send(
                Method::Put,
                url,
                Some(&serde_json::json!({ "properties": properties })),
                &[],
            )
            .await?;
        let mut made: ScheduleRequest = answer.json(ServiceName::Arm)?;
        made.request_id = answer.request_id;
        Ok(made)
    }

    /// PIM's requests of `kind` at `scope` with `filter` (`asTarget()`: the
    /// caller's own; `asApprover()`: those awaiting the caller's decision).
    pub async fn schedule_requests(
        &self,
        kind: ScheduleKind,
        scope: &str,
        filter: &str,
    ) -> Result<Vec<ScheduleRequest>> {
        futures::TryStreamExt::try_collect(self.list(
            &authz(scope, kind.requests()),
            &[("api-version", PIM_API), ("$filter", filter)],
        ))
        .await
    }

    /// Cancels a request that has not taken effect (one awaiting approval).
    /// `name` is a request's name as ARM listed it: refused unless it is
    /// one path segment of letters, digits and dashes (a GUID).
    pub async fn cancel_schedule_request(
        &self,
        kind: ScheduleKind,
        scope: &str,
        name: &str,
    ) -> Result<()> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(crate::error::AzureError::Protocol {
                service: crate::error::Service::Arm,
                detail: format!("'{name}' is not the name of a PIM request"),
                request_id: None,
            });
        }
        let url = self.service.url(
            &authz(scope, &format!("{}/{name}/cancel", kind.requests())),
            &[("api-version", PIM_API)],
        )?;
        self.service
            .send(Method::Post, url, None::<&()>, &[])
            .await?;
        Ok(())
    }

    /// The stages of an approval (`approval_id` as a request names it).
    pub async fn approval_stages(&self, approval_id: &str) -> Result<Vec<ApprovalStage>> {
        #[derive(Deserialize)]
        struct Stages {
            #[serde(default)]
            value: Vec<ApprovalStage>,
        }
        approval_path(approval_id)?;
        let stages: Stages = self
            .get(&format!("{approval_id}/stages"), APPROVALS_API)
            .await?;
        Ok(stages.value)
    }

    /// Records the caller's decision on an approval stage (`stage_id` as
    /// [`ArmClient::approval_stages`] gives it).
    pub async fn decide_approval_stage(
        &self,
        stage_id: &str,
        approve: bool,
        justification: &str,
    ) -> Result<ApprovalStage> {
        approval_path(stage_id)?;
        let url = self
            .service
            .url(stage_id, &[("api-version", APPROVALS_API)])?;
        let body = serde_json::json!({"properties": {
            "reviewResult": if approve { "Approve" } else { "Deny" },
            "justification": justification,
        }});
        self.service
            .send(Method::Patch, url, Some(&body), &[])
            .await?
            .json(ServiceName::Arm)
    }

    /// Every schedule of `kind` that applies at `scope` (made there or
    /// above), whoever holds it: one read for many members; none where PIM
    /// cannot tell.
    pub async fn schedules_at(
        &self,
        kind: ScheduleKind,
        scope: &str,
    ) -> Result<Vec<ScheduleInstance>> {
        pim_or_none(
            self.pim_list(kind.schedules(), scope, Some("atScope()"))
                .await,
        )
    }

    /// A member's eligibility (or active) schedules that apply at `scope`:
    /// at it, above or below it (`principalId eq`).
    pub fn schedules(
        &self,
        kind: ScheduleKind,
        scope: &str,
        principal_id: &str,
    ) -> impl Stream<Item = Result<ScheduleInstance>> + Send + 'static + use<> {
        let filter = format!("principalId eq {}", odata_literal(principal_id));
        self.list(
            &authz(scope, kind.schedules()),
            &[("api-version", PIM_API), ("$filter", &filter)],
        )
    }

    /// The PIM rules in force for a role at a scope (its policy's
    /// `effectiveRules`, found through the policy assignment by role).
    pub async fn pim_rules(
        &self,
        scope: &str,
        role_definition_id: &str,
    ) -> Result<Vec<serde_json::Value>> {
        #[derive(Deserialize)]
        struct Assignment {
            #[serde(default)]
            properties: AssignmentProperties,
        }
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct AssignmentProperties {
            #[serde(default)]
            effective_rules: Vec<serde_json::Value>,
        }
        let filter = format!("roleDefinitionId eq {}", odata_literal(role_definition_id));
        let found: Vec<Assignment> = futures::TryStreamExt::try_collect(self.list(
            &authz(scope, "roleManagementPolicyAssignments"),
            &[("api-version", PIM_API), ("$filter", &filter)],
        ))
        .await?;
        Ok(found
            .into_iter()
            .next()
            .map(|a| a.properties.effective_rules)
            .unwrap_or_default())
    }

    /// Deletes a role assignment; `None` when it did not exist (204).
    pub async fn delete_role_assignment(
        &self,
        scope: &str,
        name: &str,
    ) -> Result<Option<RoleAssignment>> {
        let deleted = self
            .delete::<RoleAssignment>(&authz(scope, &format!("roleAssignments/{name}")))
            .await?;
        Ok(deleted.map(|(mut assignment, request_id)| {
            assignment.request_id = request_id;
            assignment
        }))
    }

    pub fn deny_assignments(
        &self,
        scope: &str,
    ) -> impl Stream<Item = Result<DenyAssignment>> + Send + 'static + use<> {
        self.list(
            &authz(scope, "denyAssignments"),
            &[("api-version", AUTHORIZATION_API)],
        )
    }

    /// What the signed-in caller may do at `scope`, as ARM reports it (the
    /// caller evaluates wildcards; see `rolecall_rbac::permissions`).
    pub fn permissions(
        &self,
        scope: &str,
    ) -> impl Stream<Item = Result<Permission>> + Send + 'static + use<> {
        self.list(
            &authz(scope, "permissions"),
            &[("api-version", AUTHORIZATION_API)],
        )
    }

    /// Every resource provider's operations, with resource types: the body
    /// `rolecall_rbac::Catalogue::from_namespaces` takes.
    pub fn provider_operations(
        &self,
    ) -> impl Stream<Item = Result<serde_json::Value>> + Send + 'static + use<> {
        self.list(
            "providers/Microsoft.Authorization/providerOperations",
            &[
                ("api-version", AUTHORIZATION_API),
                ("$expand", "resourceTypes"),
            ],
        )
    }

    /// A DELETE: what ARM answered it deleted, with the request id of the
    /// delete; `None` for 204 (it was not there).
    async fn delete<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Option<(T, Option<String>)>> {
        let url = self
            .service
            .url(path, &[("api-version", AUTHORIZATION_API)])?;
        let answer = self
            .service
            .send::<()>(Method::Delete, url, None, &[])
            .await?;
        if answer.status == 204 || answer.body.is_empty() {
            return Ok(None);
        }
        let deleted = answer.json(ServiceName::Arm)?;
        Ok(Some((deleted, answer.request_id)))
    }
}

/// What PIM listed, or nothing where it cannot tell: a tenant without
/// Microsoft Entra ID P2, or an admin who may not read it. Any other
/// failure is one.
fn pim_or_none<T>(listed: Result<Vec<T>>) -> Result<Vec<T>> {
    match listed {
        Err(error)
            if error.is_pim_unlicensed() || error.kind() == Some(crate::error::Kind::Forbidden) =>
        {
            tracing::debug!(%error, "nothing read from PIM");
            Ok(Vec::new())
        }
        other => other,
    }
}

/// An approval's (or its stage's) id, as ARM gave it, before it is put in a
/// URL: nothing but a path under PIM's approvals.
fn approval_path(id: &str) -> Result<()> {
    const ROOT: &str = "/providers/Microsoft.Authorization/roleAssignmentApprovals/";
    let ok = id.len() > ROOT.len()
        && id
            .get(..ROOT.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(ROOT))
        && id[ROOT.len()..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/');
    if ok {
        Ok(())
    } else {
        Err(crate::error::AzureError::Protocol {
            service: crate::error::Service::Arm,
            detail: format!("'{id}' is not the id of a PIM approval"),
            request_id: None,
        })
    }
}

fn authz(scope: &str, rest: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/{rest}",
        scope.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::approval_path;

    #[test]
    fn only_pim_approval_ids_become_request_paths() {
        let ok = "/providers/Microsoft.Authorization/roleAssignmentApprovals/488a6d0e-0a63-4946-86e3-1f5bbc934661";
        assert!(approval_path(ok).is_ok());
        assert!(
            approval_path(&format!("{ok}/stages/4135f961-be78-4005-8101-c72a5af307a2")).is_ok()
        );
        for bad in [
            "",
            "/providers/Microsoft.Authorization/roleAssignmentApprovals/",
            "//evil.example/providers/Microsoft.Authorization/roleAssignmentApprovals/x",
            "https://evil.example/providers/Microsoft.Authorization/roleAssignmentApprovals/x",
            "/providers/Microsoft.Authorization/roleAssignmentApprovals/x?api-version=1",
            "/providers/Microsoft.Authorization/roleAssignmentApprovals/../../subscriptions",
            // A multi-byte character where the prefix ends.
            "/providers/Microsoft.Authorization/roleAssignmentApproval\u{e9}x",
            "/subscriptions/x/providers/Microsoft.Authorization/roleAssignments/y",
        ] {
            assert!(approval_path(bad).is_err(), "{bad}");
        }
    }
}
