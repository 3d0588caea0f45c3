//! Provider operations (what `Microsoft.Authorization/providerOperations`
//! serves and what custom roles are validated against) and built-in roles.
//!
//! The demo's catalogue is small and written for this project. Tests and
//! benchmarks load Azure's full one (`shared/azure-reference`: 928 built-in
//! roles, 24,680 operations) with [`Catalogue::load_reference`].

use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};

use crate::arm::model::{Permission, RoleDefinition};
use crate::arm::rbac::matches;

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// One `providerOperations` document per namespace, as ARM answers it.
    pub namespaces: Vec<Value>,
    /// Every operation name, with whether it is a data action.
    pub operations: Vec<(String, bool)>,
}

impl Catalogue {
    fn from_namespaces(namespaces: Vec<Value>) -> Self {
        let mut operations = Vec::new();
        for ns in &namespaces {
            let mut push = |ops: &Value| {
                for op in ops.as_array().into_iter().flatten() {
                    if let Some(name) = op["name"].as_str() {
                        operations.push((
                            name.to_owned(),
                            op["isDataAction"].as_bool().unwrap_or(false),
                        ));
                    }
                }
            };
            push(&ns["operations"]);
            for rt in ns["resourceTypes"].as_array().into_iter().flatten() {
                push(&rt["operations"]);
            }
        }
        Self {
            namespaces,
            operations,
        }
    }

    /// Reads `provider-operations/*.json` and `builtin-roles.json` from a
    /// folder laid out like `shared/azure-reference`.
    pub fn load_reference(dir: &Path) -> anyhow::Result<(Catalogue, Vec<RoleDefinition>)> {
        let ops_dir = dir.join("provider-operations");
        let mut namespaces = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(&ops_dir)
            .with_context(|| format!("reading {}", ops_dir.display()))?
            .collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path)?;
                namespaces.push(
                    serde_json::from_str(&text)
                        .with_context(|| format!("parsing {}", path.display()))?,
                );
            }
        }
        let roles_path = dir.join("builtin-roles.json");
        let roles: Value = serde_json::from_str(
            &std::fs::read_to_string(&roles_path)
                .with_context(|| format!("reading {}", roles_path.display()))?,
        )?;
        let roles = roles["value"]
            .as_array()
            .context("builtin-roles.json has no value array")?
            .iter()
            .map(role_from_wire)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok((Self::from_namespaces(namespaces), roles))
    }

    pub fn namespace(&self, name: &str) -> Option<&Value> {
        self.namespaces.iter().find(|ns| {
            ns["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Whether a role's action (or data action) names at least one real
    /// operation, wildcards included, as ARM requires of custom roles.
    pub fn pattern_is_valid(&self, pattern: &str, data: bool) -> bool {
        if pattern == "*" {
            return !data || self.operations.iter().any(|(_, d)| *d);
        }
        self.operations
            .iter()
            .any(|(name, is_data)| *is_data == data && matches(pattern, name))
    }

    /// The project's own small catalogue for the demo tenant.
    pub fn demo() -> Self {
        let ns = |name: &str, display: &str, ops: &[(&str, &str)], resource_types: Vec<Value>| {
            json!({
                "displayName": display,
                "id": format!("/providers/Microsoft.Authorization/providerOperations/{name}"),
                "name": name,
                "type": "Microsoft.Authorization/providerOperations",
                "operations": ops.iter().map(|(op, text)| operation(op, text, false)).collect::<Vec<_>>(),
                "resourceTypes": resource_types,
            })
        };
        let rt = |name: &str, display: &str, ops: &[(&str, &str)]| {
            json!({
                "name": name,
                "displayName": display,
                "operations": ops.iter().map(|(op, text)| operation(op, text, op.contains("/data/") || op.ends_with("/send/action"))).collect::<Vec<_>>(),
            })
        };
        Self::from_namespaces(vec![
            ns(
                "Microsoft.Authorization",
                "Microsoft Authorization",
                &[(
                    "Microsoft.Authorization/elevateAccess/action",
                    "Grants the caller User Access Administrator access at the tenant scope",
                )],
                vec![
                    rt(
                        "roleAssignments",
                        "Role assignments",
                        &[
                            (
                                "Microsoft.Authorization/roleAssignments/read",
                                "Get role assignment",
                            ),
                            (
                                "Microsoft.Authorization/roleAssignments/write",
                                "Create role assignment",
                            ),
                            (
                                "Microsoft.Authorization/roleAssignments/delete",
                                "Delete role assignment",
                            ),
                        ],
                    ),
                    rt(
                        "roleDefinitions",
                        "Role definitions",
                        &[
                            (
                                "Microsoft.Authorization/roleDefinitions/read",
                                "Get role definition",
                            ),
                            (
                                "Microsoft.Authorization/roleDefinitions/write",
                                "Create or update custom role definition",
                            ),
                            (
                                "Microsoft.Authorization/roleDefinitions/delete",
                                "Delete custom role definition",
                            ),
                        ],
                    ),
                    rt(
                        "permissions",
                        "Permissions",
                        &[(
                            "Microsoft.Authorization/permissions/read",
                            "List all permissions the caller has at a scope",
                        )],
                    ),
                    rt(
                        "providerOperations",
                        "Provider operations",
                        &[(
                            "Microsoft.Authorization/providerOperations/read",
                            "Get operations for all resource providers",
                        )],
                    ),
                ],
            ),
            ns(
                "Microsoft.Resources",
                "Microsoft Resources",
                &[],
                vec![
                    rt(
                        "subscriptions",
                        "Subscriptions",
                        &[("Microsoft.Resources/subscriptions/read", "Get subscription")],
                    ),
                    rt(
                        "subscriptions/resourceGroups",
                        "Resource groups",
                        &[
                            (
                                "Microsoft.Resources/subscriptions/resourceGroups/read",
                                "Get resource group",
                            ),
                            (
                                "Microsoft.Resources/subscriptions/resourceGroups/write",
                                "Create or update resource group",
                            ),
                            (
                                "Microsoft.Resources/subscriptions/resourceGroups/delete",
                                "Delete resource group",
                            ),
                        ],
                    ),
                    rt(
                        "subscriptions/resourceGroups/resources",
                        "Resources",
                        &[(
                            "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
                            "Get resources in a resource group",
                        )],
                    ),
                    rt(
                        "deployments",
                        "Deployments",
                        &[
                            ("Microsoft.Resources/deployments/read", "Get deployment"),
                            (
                                "Microsoft.Resources/deployments/write",
                                "Create or update deployment",
                            ),
                        ],
                    ),
                    rt(
                        "tenants",
                        "Tenants",
                        &[("Microsoft.Resources/tenants/read", "Get tenants")],
                    ),
                ],
            ),
            ns(
                "Microsoft.Support",
                "Microsoft Support",
                &[(
                    "Microsoft.Support/register/action",
                    "Registers Support Resource Provider",
                )],
                vec![rt(
                    "supportTickets",
                    "Support Ticket",
                    &[
                        (
                            "Microsoft.Support/supportTickets/read",
                            "Reads Support Ticket",
                        ),
                        (
                            "Microsoft.Support/supportTickets/write",
                            "Writes Support Ticket",
                        ),
                    ],
                )],
            ),
            ns(
                "Microsoft.Communication",
                "Azure Communication Services",
                &[(
                    "Microsoft.Communication/Register/Action",
                    "Registers Microsoft.Communication resource provider",
                )],
                vec![
                    rt(
                        "CommunicationServices",
                        "Communication Services",
                        &[
                            (
                                "Microsoft.Communication/CommunicationServices/Read",
                                "Reads a Communication resource",
                            ),
                            (
                                "Microsoft.Communication/CommunicationServices/Write",
                                "Creates or updates a Communication resource",
                            ),
                            (
                                "Microsoft.Communication/CommunicationServices/Delete",
                                "Deletes a Communication resource",
                            ),
                            (
                                "Microsoft.Communication/CommunicationServices/ListKeys/action",
                                "Lists the keys of a Communication resource",
                            ),
                        ],
                    ),
                    rt(
                        "EmailServices",
                        "Email Services",
                        &[
                            (
                                "Microsoft.Communication/EmailServices/read",
                                "Get an email service",
                            ),
                            (
                                "Microsoft.Communication/EmailServices/write",
                                "Create or update an email service",
                            ),
                            (
                                "Microsoft.Communication/EmailServices/delete",
                                "Delete an email service",
                            ),
                        ],
                    ),
                ],
            ),
            ns(
                "Microsoft.VoiceServices",
                "Azure Communications Gateway",
                &[(
                    "Microsoft.VoiceServices/register/action",
                    "Registers the subscription for Microsoft.VoiceServices",
                )],
                vec![
                    rt(
                        "communicationsGateways",
                        "Communications Gateways",
                        &[
                            (
                                "Microsoft.VoiceServices/communicationsGateways/read",
                                "Read a communications gateway",
                            ),
                            (
                                "Microsoft.VoiceServices/communicationsGateways/write",
                                "Create or update a communications gateway",
                            ),
                            (
                                "Microsoft.VoiceServices/communicationsGateways/delete",
                                "Delete a communications gateway",
                            ),
                        ],
                    ),
                    rt(
                        "communicationsGateways/testLines",
                        "Test lines",
                        &[
                            (
                                "Microsoft.VoiceServices/communicationsGateways/testLines/read",
                                "Read a test line",
                            ),
                            (
                                "Microsoft.VoiceServices/communicationsGateways/testLines/write",
                                "Create or update a test line",
                            ),
                        ],
                    ),
                ],
            ),
            ns(
                "Microsoft.Insights",
                "Azure Monitor",
                &[],
                vec![
                    rt(
                        "metrics",
                        "Metrics",
                        &[("Microsoft.Insights/metrics/read", "Read metrics")],
                    ),
                    rt(
                        "logs",
                        "Logs",
                        &[("Microsoft.Insights/logs/read", "Read logs")],
                    ),
                    rt(
                        "alertRules",
                        "Alert rules",
                        &[
                            ("Microsoft.Insights/alertRules/read", "Read an alert rule"),
                            (
                                "Microsoft.Insights/alertRules/write",
                                "Create or update an alert rule",
                            ),
                        ],
                    ),
                ],
            ),
            ns(
                "Microsoft.OperationalInsights",
                "Log Analytics",
                &[],
                vec![rt(
                    "workspaces",
                    "Workspaces",
                    &[
                        (
                            "Microsoft.OperationalInsights/workspaces/read",
                            "Get a workspace",
                        ),
                        (
                            "Microsoft.OperationalInsights/workspaces/query/read",
                            "Run queries over the data in the workspace",
                        ),
                    ],
                )],
            ),
        ])
    }
}

fn operation(name: &str, text: &str, data: bool) -> Value {
    json!({
        "name": name,
        "displayName": text,
        "description": text,
        "origin": null,
        "properties": null,
        "isDataAction": data,
    })
}

/// A role definition from its ARM wire form.
pub fn role_from_wire(value: &Value) -> anyhow::Result<RoleDefinition> {
    let p = &value["properties"];
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Ok(RoleDefinition {
        name: text(&value["name"]).context("a role definition without a name")?,
        role_name: text(&p["roleName"]).unwrap_or_default(),
        description: text(&p["description"]).unwrap_or_default(),
        role_type: text(&p["type"]).unwrap_or_else(|| "BuiltInRole".into()),
        permissions: serde_json::from_value::<Vec<Permission>>(p["permissions"].clone())
            .unwrap_or_default(),
        assignable_scopes: serde_json::from_value(p["assignableScopes"].clone())
            .unwrap_or_default(),
        created_on: text(&p["createdOn"]),
        updated_on: text(&p["updatedOn"]),
        created_by: text(&p["createdBy"]),
        updated_by: text(&p["updatedBy"]),
    })
}
