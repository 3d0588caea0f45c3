//! Custom-role drafts: start from a clone, from scratch or from the portal's
//! JSON; edit; validate everything ARM would refuse (and what it would accept
//! but an admin should hear about) before any write.

use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::least::granted;
use crate::pattern::is_wildcard;
use crate::permissions::{ActionKind, Permission};
use crate::roles::RoleDefinition;
use crate::scope::{Level, Scope};

/// A custom role being written, in the portal's JSON shape
/// (`{"properties": {"roleName", "description", "assignableScopes", "permissions"}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    pub role_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub assignable_scopes: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

#[derive(Serialize, Deserialize)]
struct PortalJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    properties: Draft,
}

/// The JSON did not parse: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    /// ARM would refuse it, or it cannot do what was meant: fix before writing.
    Error,
    /// ARM would accept it, but the admin should know.
    Warning,
}

/// One finding, with where it is (a JSON path such as
/// `permissions[0].actions[2]`) and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    pub field: String,
    pub message: String,
}

/// What validation needs to know of the tenant and of the admin.
pub struct DraftContext<'a> {
    pub catalogue: &'a Catalogue,
    /// Role names already taken in the directory (built-in and custom).
    pub existing_names: &'a [String],
    /// The role being edited (its own name is not a collision).
    pub editing: Option<&'a str>,
    /// Whether the admin may write role definitions at a scope.
    pub can_write: &'a dyn Fn(&Scope) -> bool,
    /// Whether a subscription (by id) is disabled.
    pub subscription_disabled: &'a dyn Fn(&str) -> bool,
}

/// Why `pattern` is broader than a role should be, if it is: a wildcard
/// across every resource provider, or one granting [`BROAD_WILDCARD`]
/// operations or more. Says how many it grants and the providers most of
/// them come from.
pub fn broad_wildcard(catalogue: &Catalogue, pattern: &str, kind: ActionKind) -> Option<String> {
    if !is_wildcard(pattern) {
        return None;
    }
    let found = catalogue.expand(pattern, kind);
    let every_provider = crate::pattern::namespace_of(pattern).is_none();
    if !every_provider && found.len() < BROAD_WILDCARD {
        return None;
    }
    let mut per_provider: std::collections::BTreeMap<&str, usize> = Default::default();
    for index in &found {
        let name = &catalogue.operation(*index).name;
        *per_provider
            .entry(name.split('/').next().unwrap_or(name))
            .or_default() += 1;
    }
    let mut providers: Vec<(&str, usize)> = per_provider.into_iter().collect();
    providers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let named: Vec<String> = providers
        .iter()
        .take(3)
        .map(|(p, n)| format!("{p} {n}"))
        .collect();
    let more = providers.len().saturating_sub(named.len());
    let from = match (named.is_empty(), more) {
        (true, _) => String::new(),
        (false, 0) => format!(" ({})", named.join(", ")),
        (false, more) => format!(" ({}, and {more} more providers)", named.join(", ")),
    };
    let count = found.len();
    let operations = if count == 1 {
        "operation"
    } else {
        "operations"
    };
    Some(if every_provider {
        format!(
            "'{pattern}' grants {count} {operations} across every resource provider in this cloud's catalogue today{from}, and every one a provider adds later. If the role needs only a few, name them instead and remove '{pattern}'."
        )
    } else {
        format!(
            "'{pattern}' grants {count} {operations}{from}. If the role needs only a few, name them instead."
        )
    })
}

/// Operations that change who has access, with what they let a holder do.
pub const ESCALATION: &[(&str, &str)] = &[
    (
        "Microsoft.Authorization/roleAssignments/write",
        "assign roles",
    ),
    (
        "Microsoft.Authorization/roleDefinitions/write",
        "change role definitions",
    ),
    (
        "Microsoft.Authorization/elevateAccess/Action",
        "elevate to User Access Administrator at the root scope",
    ),
];

/// A wildcard grants this many operations or more: say so.
pub const BROAD_WILDCARD: usize = 50;

impl Draft {
    /// A copy of `role` to edit: same permissions, a new name, no scopes yet
    /// (built-in roles are assignable at `/`, which custom roles cannot be).
    pub fn clone_of(role: &RoleDefinition, role_name: &str) -> Self {
        Self {
            role_name: role_name.to_owned(),
            description: role.properties.description.clone(),
            assignable_scopes: if role.is_custom() {
                role.properties.assignable_scopes.clone()
            } else {
                Vec::new()
            },
            permissions: role.properties.permissions.clone(),
        }
    }

    /// Reads the portal's JSON (with or without `id`/`name`), or a bare
    /// properties object.
    pub fn from_json(text: &str) -> Result<Self, JsonError> {
        let error = |e: serde_json::Error| JsonError {
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(error)?;
        let draft = if value.get("properties").is_some() {
            serde_json::from_value::<PortalJson>(value).map(|p| p.properties)
        } else {
            serde_json::from_value::<Draft>(value)
        };
        draft.map_err(|e| JsonError {
            line: 1,
            column: 1,
            message: e.to_string(),
        })
    }

    /// The portal's JSON, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&PortalJson {
            id: None,
            name: None,
            properties: self.clone(),
        })
        .expect("drafts serialise")
    }

    fn block(&mut self) -> &mut Permission {
        if self.permissions.is_empty() {
            self.permissions.push(Permission::default());
        }
        &mut self.permissions[0]
    }

    /// Grants `pattern` (an action or a wildcard) of `kind`.
    pub fn add(&mut self, kind: ActionKind, pattern: &str) {
        let block = self.block();
        let list = match kind {
            ActionKind::Action => &mut block.actions,
            ActionKind::DataAction => &mut block.data_actions,
        };
        if !list.iter().any(|p| p.eq_ignore_ascii_case(pattern)) {
            list.push(pattern.to_owned());
        }
    }

    /// Stops granting `pattern` (removes it from every block).
    pub fn remove(&mut self, kind: ActionKind, pattern: &str) {
        for block in &mut self.permissions {
            let list = match kind {
                ActionKind::Action => &mut block.actions,
                ActionKind::DataAction => &mut block.data_actions,
            };
            list.retain(|p| !p.eq_ignore_ascii_case(pattern));
        }
    }

    /// Excludes `pattern` (`notActions` / `notDataActions`).
    pub fn exclude(&mut self, kind: ActionKind, pattern: &str) {
        let block = self.block();
        let list = match kind {
            ActionKind::Action => &mut block.not_actions,
            ActionKind::DataAction => &mut block.not_data_actions,
        };
        if !list.iter().any(|p| p.eq_ignore_ascii_case(pattern)) {
            list.push(pattern.to_owned());
        }
    }

    /// Everything wrong with the draft, errors first.
    pub fn validate(&self, ctx: &DraftContext<'_>) -> Vec<Issue> {
        let mut issues = Vec::new();
        let mut error = |field: String, message: String| {
            issues.push(Issue {
                severity: Severity::Error,
                field,
                message,
            })
        };
        let name = self.role_name.trim();
        if name.is_empty() {
            error("roleName".into(), "Give the role a name.".into());
        } else if name.chars().count() > 512 {
            error(
                "roleName".into(),
                "A role name has at most 512 characters.".into(),
            );
        } else if ctx.existing_names.iter().any(|n| {
            n.eq_ignore_ascii_case(name) && ctx.editing.is_none_or(|e| !e.eq_ignore_ascii_case(n))
        }) {
            error(
                "roleName".into(),
                format!(
                    "A role named '{name}' already exists in this directory (names are unique per directory, across subscriptions). Choose another name."
                ),
            );
        }

        // Assignable scopes.
        let has_data = self.permissions.iter().any(|p| !p.data_actions.is_empty());
        if self.assignable_scopes.is_empty() {
            error("assignableScopes".into(), "Add at least one assignable scope: a subscription, resource group or management group where the role can be assigned.".into());
        }
        let mut management_groups = 0;
        for (i, text) in self.assignable_scopes.iter().enumerate() {
            let field = format!("assignableScopes[{i}]");
            let scope = match Scope::parse(text) {
                Ok(scope) => scope,
                Err(e) => {
                    error(field, e.to_string());
                    continue;
                }
            };
            match scope.level() {
                Level::Root => error(field.clone(), "Custom roles cannot be assignable at the root ('/'). Choose subscriptions, resource groups or a management group.".into()),
                Level::Resource => error(field.clone(), "Custom roles cannot name a resource as an assignable scope. Use its resource group.".into()),
                Level::ManagementGroup => {
                    management_groups += 1;
                    if management_groups > 1 {
                        error(field.clone(), "A custom role can name only one management group as an assignable scope.".into());
                    }
                    if has_data {
                        error(field.clone(), "A custom role with DataActions cannot be assignable at a management group. Use subscriptions or resource groups, or move the data actions to another role.".into());
                    }
                }
                _ => {}
            }
            if let Some(sub) = scope.subscription_id()
                && (ctx.subscription_disabled)(sub)
            {
                error(
                    field.clone(),
                    format!(
                        "Subscription {sub} is disabled: ARM refuses writes there. Re-enable it or remove this scope."
                    ),
                );
            }
            if !(ctx.can_write)(&scope) {
                error(
                    field,
                    format!(
                        "You lack Microsoft.Authorization/roleDefinitions/write at {scope}: ask for Owner, User Access Administrator or Role Based Access Control Administrator there, or remove this scope."
                    ),
                );
            }
        }

        // Permissions.
        let any_grant = self
            .permissions
            .iter()
            .any(|p| !p.actions.is_empty() || !p.data_actions.is_empty());
        if !any_grant {
            error(
                "permissions".into(),
                "The role grants nothing: add at least one action or data action.".into(),
            );
        }
        for (b, block) in self.permissions.iter().enumerate() {
            for (list, kind, patterns) in [
                ("actions", ActionKind::Action, &block.actions),
                ("notActions", ActionKind::Action, &block.not_actions),
                ("dataActions", ActionKind::DataAction, &block.data_actions),
                (
                    "notDataActions",
                    ActionKind::DataAction,
                    &block.not_data_actions,
                ),
            ] {
                for (i, pattern) in patterns.iter().enumerate() {
                    let field = format!("permissions[{b}].{list}[{i}]");
                    let found = ctx.catalogue.expand(pattern, kind);
                    if !found.is_empty() {
                        continue;
                    }
                    let other = match kind {
                        ActionKind::Action => ActionKind::DataAction,
                        ActionKind::DataAction => ActionKind::Action,
                    };
                    let message = if !ctx.catalogue.expand(pattern, other).is_empty() {
                        match kind {
                            ActionKind::Action => {
                                format!("'{pattern}' is a data action: move it to DataActions.")
                            }
                            ActionKind::DataAction => format!(
                                "'{pattern}' is a control-plane action: move it to Actions."
                            ),
                        }
                    } else if let Some(ns) =
                        pattern.split('/').next().filter(|ns| !ns.contains('*'))
                        && !ctx.catalogue.has_namespace(ns)
                    {
                        format!(
                            "'{pattern}': the resource provider {ns} is not in Azure's provider-operations catalogue, so ARM would refuse the role. Check the spelling, or whether the provider still exists."
                        )
                    } else if is_wildcard(pattern) {
                        format!(
                            "'{pattern}' matches no operation in the catalogue. Check the spelling."
                        )
                    } else {
                        format!(
                            "'{pattern}' is not an operation in the catalogue. Search the catalogue for the right name."
                        )
                    };
                    error(field, message);
                }
            }
        }

        // Warnings: broad wildcards. One across every resource provider is
        // always broad, however few operations the catalogue lists today:
        // it grants every provider's, those added later included.
        for (b, block) in self.permissions.iter().enumerate() {
            for (list, kind, patterns) in [
                ("actions", ActionKind::Action, &block.actions),
                ("dataActions", ActionKind::DataAction, &block.data_actions),
            ] {
                for (i, pattern) in patterns.iter().enumerate() {
                    if let Some(message) = broad_wildcard(ctx.catalogue, pattern, kind) {
                        issues.push(Issue {
                            severity: Severity::Warning,
                            field: format!("permissions[{b}].{list}[{i}]"),
                            message,
                        });
                    }
                }
            }
        }
        issues.extend(self.escalation_warnings());
        issues.sort_by_key(|i| i.severity != Severity::Error);
        issues
    }

    /// Warnings for actions that let a holder change who has access (and so
    /// give themselves more, Owner included): assigning roles, writing role
    /// definitions, elevating to the root scope. Matched against the
    /// operations themselves, so `*` and `Microsoft.Authorization/*` count,
    /// and a `notActions` that takes them out is honoured.
    pub fn escalation_warnings(&self) -> Vec<Issue> {
        let mut out = Vec::new();
        for (operation, what) in ESCALATION {
            for (b, block) in self.permissions.iter().enumerate() {
                let granted_by = block
                    .actions
                    .iter()
                    .position(|p| crate::pattern::matches(p, operation));
                let excluded = block
                    .not_actions
                    .iter()
                    .any(|p| crate::pattern::matches(p, operation));
                if let (Some(i), false) = (granted_by, excluded) {
                    out.push(Issue {
                        severity: Severity::Warning,
                        field: format!("permissions[{b}].actions[{i}]"),
                        message: format!(
                            "'{}' lets whoever holds this role {what} ({operation}): they can give themselves or others more access, Owner included. Keep it only if managing access is the job; otherwise remove it or add it to notActions.",
                            block.actions[i]
                        ),
                    });
                    break;
                }
            }
        }
        out
    }

    /// How many catalogue operations the draft grants in all.
    pub fn granted_count(&self, catalogue: &Catalogue) -> usize {
        granted(catalogue, &self.permissions).len()
    }
}

#[cfg(test)]
mod prop {
    use super::*;

    #[test]
    fn actions_that_change_access_are_flagged_wildcards_included() {
        let draft = |actions: &[&str], not_actions: &[&str]| Draft {
            role_name: "x".into(),
            permissions: vec![Permission {
                actions: actions.iter().map(|a| a.to_string()).collect(),
                not_actions: not_actions.iter().map(|a| a.to_string()).collect(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let flagged = |d: &Draft| -> Vec<String> {
            d.escalation_warnings()
                .into_iter()
                .map(|i| i.message)
                .collect()
        };
        assert!(flagged(&draft(&["Microsoft.Communication/*/read"], &[])).is_empty());
        let owner_like = flagged(&draft(&["*"], &[]));
        assert_eq!(owner_like.len(), 3, "{owner_like:?}");
        let authz = flagged(&draft(&["Microsoft.Authorization/*/write"], &[]));
        assert_eq!(authz.len(), 2, "{authz:?}");
        assert!(authz[0].contains("assign roles"), "{authz:?}");
        assert!(
            flagged(&draft(
                &["microsoft.authorization/roleassignments/write"],
                &[]
            ))[0]
                .contains("Owner included")
        );
        // Contributor's shape: everything but Microsoft.Authorization writes.
        let contributor = flagged(&draft(
            &["*"],
            &[
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
            ],
        ));
        assert!(contributor.is_empty(), "{contributor:?}");
    }
    #[test]
    fn a_wildcard_across_every_provider_is_broad_however_few_operations_it_counts() {
        let ops = |ns: &str, names: &[&str]| serde_json::json!({"name": ns, "operations": names.iter().map(|n| serde_json::json!({"name": format!("{ns}/{n}"), "isDataAction": false})).collect::<Vec<_>>(), "resourceTypes": []});
        let catalogue = Catalogue::from_namespaces(&[
            ops(
                "Microsoft.Resources",
                &["subscriptions/read", "resourceGroups/read"],
            ),
            ops(
                "Microsoft.Communication",
                &["CommunicationServices/Read", "CommunicationServices/Write"],
            ),
        ])
        .unwrap();
        // A cloned Reader: three reads in this catalogue, but every provider's.
        let read = broad_wildcard(&catalogue, "*/read", ActionKind::Action).unwrap();
        assert!(read.contains("every resource provider"), "{read}");
        assert!(read.contains("grants 3 operations"), "{read}");
        assert!(
            read.contains("(Microsoft.Resources 2, Microsoft.Communication 1)"),
            "{read}"
        );
        // One provider's few: not broad; a plain action: never.
        assert_eq!(
            broad_wildcard(&catalogue, "Microsoft.Communication/*", ActionKind::Action),
            None
        );
        assert_eq!(
            broad_wildcard(
                &catalogue,
                "Microsoft.Resources/subscriptions/read",
                ActionKind::Action
            ),
            None
        );
    }

    proptest::proptest! {
        /// Any text typed into the JSON tab: a draft or a line and column, never a panic.
        #[test]
        fn any_role_json_is_parsed_or_located(text in "\\PC{0,300}") {
            if let Err(error) = Draft::from_json(&text) {
                proptest::prop_assert!(!error.message.is_empty());
            }
        }
    }
}
