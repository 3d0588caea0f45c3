//! ARM's permission semantics: a role's `permissions` is a list of blocks;
//! each block allows its `actions` minus its `notActions` (and `dataActions`
//! minus `notDataActions`); a role allows what any of its blocks allows.
//! `notActions` are exclusions, not denials: another block or another role
//! can still grant what one block excludes.

use serde::{Deserialize, Serialize};

use crate::pattern::matches;

/// Control-plane action or data-plane action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionKind {
    Action,
    DataAction,
}

/// One block of a role definition's `permissions`, in ARM's wire shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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

impl Permission {
    /// Patterns that grant, and patterns that exclude, for `kind`.
    pub fn patterns(&self, kind: ActionKind) -> (&[String], &[String]) {
        match kind {
            ActionKind::Action => (&self.actions, &self.not_actions),
            ActionKind::DataAction => (&self.data_actions, &self.not_data_actions),
        }
    }

    /// Whether this block allows `action`.
    pub fn allows(&self, action: &str, kind: ActionKind) -> bool {
        let (grant, exclude) = self.patterns(kind);
        grant.iter().any(|p| matches(p, action)) && !exclude.iter().any(|p| matches(p, action))
    }
}

/// Whether any block allows `action`.
pub fn allows(permissions: &[Permission], action: &str, kind: ActionKind) -> bool {
    permissions.iter().any(|p| p.allows(action, kind))
}
