//! Least-privilege advice where admins choose roles: which roles cover what
//! a person must do, smallest first, and what each grants beyond it; which
//! built-in role already covers a custom role's permissions.

use rolecall_rbac::least::{OperationSet, beyond, granted};
use rolecall_rbac::{ActionKind, Catalogue, Permission, RoleDefinition};

use crate::error::{AppError, Result};

/// How many roles the ranking returns.
pub const RANKED: usize = 10;

/// A role that covers the need.
#[derive(Debug, Clone)]
pub struct RankedRole {
    pub role: RoleDefinition,
    /// Catalogue operations the role grants in all.
    pub granted: usize,
    /// Of those, how many the need does not name.
    pub extra: usize,
    /// The extra ones per resource provider, most first.
    pub beyond: Vec<(String, usize)>,
}

/// The need as catalogue operations: each action must be an operation of
/// the catalogue (or a wildcard that names some); refused with what to do.
fn need(
    catalogue: &Catalogue,
    actions: &[String],
) -> Result<(Vec<(String, ActionKind)>, OperationSet)> {
    if actions.is_empty() {
        return Err(AppError::input(
            "Say what the person must do: add at least one operation (search the catalogue by what it does).",
        ));
    }
    let mut required = Vec::new();
    let mut permission = Permission::default();
    for action in actions {
        let action = action.trim();
        let kind = if let Some(op) = catalogue.get(action) {
            op.kind
        } else if !catalogue.expand(action, ActionKind::Action).is_empty() {
            ActionKind::Action
        } else if !catalogue.expand(action, ActionKind::DataAction).is_empty() {
            ActionKind::DataAction
        } else {
            return Err(AppError::input(format!(
                "'{action}' is not an operation of this cloud's catalogue: search for it by what it does, or check its spelling."
            )));
        };
        match kind {
            ActionKind::Action => permission.actions.push(action.to_owned()),
            ActionKind::DataAction => permission.data_actions.push(action.to_owned()),
        }
        required.push((action.to_owned(), kind));
    }
    let set = granted(catalogue, std::slice::from_ref(&permission));
    Ok((required, set))
}

/// The roles (of `roles`, those assignable where the grant is made) that
/// allow every action of the need, least granting first, at most [`RANKED`].
pub fn rank_roles(
    catalogue: &Catalogue,
    roles: &[RoleDefinition],
    actions: &[String],
) -> Result<Vec<RankedRole>> {
    let (required, need) = need(catalogue, actions)?;
    let mut ranked: Vec<RankedRole> = roles
        .iter()
        .filter(|role| required.iter().all(|(a, k)| role.allows(a, *k)))
        .map(|role| {
            let set = granted(catalogue, &role.properties.permissions);
            RankedRole {
                role: role.clone(),
                granted: set.len(),
                extra: set.minus(&need).count(),
                beyond: beyond(catalogue, &set, &need),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        a.granted
            .cmp(&b.granted)
            .then_with(|| a.role.role_name().cmp(b.role.role_name()))
    });
    ranked.truncate(RANKED);
    Ok(ranked)
}

/// The roles assignable at `scope` (built-in and custom, as ARM lists them
/// there) ranked for `actions`: the use case both front ends call.
pub async fn rank_roles_at(
    azure: &rolecall_azure::Azure,
    catalogue: &Catalogue,
    scope: &rolecall_rbac::Scope,
    actions: &[String],
) -> Result<Vec<RankedRole>> {
    use futures::TryStreamExt;
    let roles: Vec<RoleDefinition> = azure
        .arm
        .role_definitions(scope.as_str(), &rolecall_azure::arm::RoleFilter::All)
        .try_collect()
        .await?;
    rank_roles(catalogue, &roles, actions)
}

/// A built-in role that already grants everything a custom role's
/// permissions do: the one granting least, with how much more it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltInAlternative {
    pub role_name: String,
    /// Operations it grants that the draft does not (0: exactly the same).
    pub extra: usize,
}

/// How much more than the draft a built-in role may grant and still be
/// worth suggesting instead of a new custom role.
const WORTH_SUGGESTING: usize = 5;

/// The built-in role to assign instead of creating `permissions` as a custom
/// role, when one grants all of it and at most a handful more.
pub fn built_in_alternative(
    catalogue: &Catalogue,
    roles: &[RoleDefinition],
    permissions: &[Permission],
) -> Option<BuiltInAlternative> {
    let need = granted(catalogue, permissions);
    if need.is_empty() {
        return None;
    }
    // A role that does not allow one of the first few operations cannot
    // cover them all: a cheap test before each role's whole set is computed.
    let sample: Vec<&rolecall_rbac::Operation> = need
        .minus(&OperationSet::empty(catalogue.len()))
        .take(8)
        .map(|i| catalogue.operation(i))
        .collect();
    roles
        .iter()
        .filter(|r| !r.is_custom())
        .filter(|r| sample.iter().all(|op| r.allows(&op.name, op.kind)))
        .filter_map(|r| {
            let set = granted(catalogue, &r.properties.permissions);
            need.is_subset_of(&set).then(|| BuiltInAlternative {
                role_name: r.role_name().to_owned(),
                extra: set.minus(&need).count(),
            })
        })
        .filter(|a| a.extra <= WORTH_SUGGESTING)
        .min_by(|a, b| {
            a.extra
                .cmp(&b.extra)
                .then_with(|| a.role_name.cmp(&b.role_name))
        })
}
