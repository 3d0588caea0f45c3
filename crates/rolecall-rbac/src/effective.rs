//! Effective permissions of a principal at a scope: the roles assigned to it
//! (directly or through its groups) at that scope or any scope above it.

use std::collections::HashMap;

use crate::permissions::ActionKind;
use crate::roles::{RoleDefinition, definition_guid};
use crate::scope::Scope;

/// A role assignment, as much of it as the engine needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub scope: Scope,
    /// Full id or bare GUID of the role definition.
    pub role_definition_id: String,
    pub principal_id: String,
}

/// Role definitions by GUID (lowercase).
#[derive(Debug, Default, Clone)]
pub struct RoleSet {
    by_guid: HashMap<String, RoleDefinition>,
}

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = RoleDefinition>) -> Self {
        Self {
            by_guid: roles
                .into_iter()
                .map(|r| (definition_guid(&r.name), r))
                .collect(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&RoleDefinition> {
        self.by_guid.get(&definition_guid(id))
    }

    pub fn by_name(&self, role_name: &str) -> Option<&RoleDefinition> {
        self.by_guid
            .values()
            .find(|r| r.role_name().eq_ignore_ascii_case(role_name))
    }

    pub fn iter(&self) -> impl Iterator<Item = &RoleDefinition> {
        self.by_guid.values()
    }
}

/// One assignment that reaches the principal at the scope.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    pub assignment: &'a Assignment,
    pub role: &'a RoleDefinition,
    /// Assigned at a scope above the one asked about.
    pub inherited: bool,
    /// Assigned to this group the principal belongs to, not to the principal.
    pub via_group: Option<&'a str>,
}

/// The principal id deny assignments use for "everyone".
pub const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

/// A deny assignment (Azure creates them for managed applications, blueprints
/// and deployment stacks; nobody can write one through ARM). ARM checks them
/// before role assignments: a denied action stays denied whatever a role says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deny {
    pub name: String,
    pub scope: Scope,
    pub permissions: Vec<crate::Permission>,
    /// Principal ids, or [`EVERYONE`].
    pub principals: Vec<String>,
    pub exclude_principals: Vec<String>,
    pub do_not_apply_to_child_scopes: bool,
}

impl Deny {
    /// Whether this deny assignment reaches `principal_id` (a member of
    /// `groups`) at `scope`: at or above it (only at it when it spares child
    /// scopes), naming the principal, one of its groups or everyone, and
    /// excluding none of them.
    pub fn reaches(
        &self,
        principal_id: &str,
        groups: &[String],
        scope: &Scope,
        parent_group: &dyn Fn(&str) -> Option<String>,
    ) -> bool {
        let at_scope = if self.do_not_apply_to_child_scopes {
            self.scope == *scope
        } else {
            self.scope.covers_with(scope, parent_group)
        };
        let holds = |id: &String| {
            id.eq_ignore_ascii_case(principal_id)
                || groups.iter().any(|g| g.eq_ignore_ascii_case(id))
        };
        at_scope
            && self.principals.iter().any(|p| p == EVERYONE || holds(p))
            && !self.exclude_principals.iter().any(holds)
    }

    pub fn denies(&self, action: &str, kind: ActionKind) -> bool {
        crate::permissions::allows(&self.permissions, action, kind)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Effective<'a> {
    pub grants: Vec<Grant<'a>>,
    /// Deny assignments that reach the principal at the scope.
    pub denials: Vec<&'a Deny>,
}

impl Effective<'_> {
    /// Some role allows `action` and no deny assignment blocks it.
    pub fn allows(&self, action: &str, kind: ActionKind) -> bool {
        self.denied_by(action, kind).is_none()
            && self.grants.iter().any(|g| g.role.allows(action, kind))
    }

    /// The deny assignment that blocks `action`, if one does.
    pub fn denied_by(&self, action: &str, kind: ActionKind) -> Option<&Deny> {
        self.denials
            .iter()
            .copied()
            .find(|d| d.denies(action, kind))
    }

    /// The grants that allow `action` (why the principal may do it).
    pub fn because(&self, action: &str, kind: ActionKind) -> Vec<&Grant<'_>> {
        self.grants
            .iter()
            .filter(|g| g.role.allows(action, kind))
            .collect()
    }
}

/// What `principal_id` (a member of `groups`, transitively) holds at `scope`.
/// `parent_group` places subscriptions and management groups in the
/// management-group tree (`None` above the top).
pub fn effective<'a>(
    principal_id: &'a str,
    groups: &'a [String],
    scope: &Scope,
    assignments: &'a [Assignment],
    roles: &'a RoleSet,
    parent_group: &dyn Fn(&str) -> Option<String>,
) -> Effective<'a> {
    let grants = assignments
        .iter()
        .filter_map(|assignment| {
            let via_group = if assignment.principal_id.eq_ignore_ascii_case(principal_id) {
                None
            } else {
                Some(
                    groups
                        .iter()
                        .find(|g| g.eq_ignore_ascii_case(&assignment.principal_id))?
                        .as_str(),
                )
            };
            if !assignment.scope.covers_with(scope, parent_group) {
                return None;
            }
            let role = roles.get(&assignment.role_definition_id)?;
            Some(Grant {
                inherited: assignment.scope != *scope,
                assignment,
                role,
                via_group,
            })
        })
        .collect();
    Effective {
        grants,
        denials: Vec::new(),
    }
}

/// [`effective`], then the deny assignments among `denies` that reach the
/// principal there.
pub fn effective_with_denies<'a>(
    principal_id: &'a str,
    groups: &'a [String],
    scope: &Scope,
    assignments: &'a [Assignment],
    roles: &'a RoleSet,
    denies: &'a [Deny],
    parent_group: &dyn Fn(&str) -> Option<String>,
) -> Effective<'a> {
    let mut result = effective(
        principal_id,
        groups,
        scope,
        assignments,
        roles,
        parent_group,
    );
    result.denials = denies
        .iter()
        .filter(|d| d.reaches(principal_id, groups, scope, parent_group))
        .collect();
    result
}
