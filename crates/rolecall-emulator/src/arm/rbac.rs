//! How ARM decides: wildcard matching of operations, scope ancestry, and a
//! principal's effective permissions through its own and its groups'
//! assignments. Written for the emulator alone (the client's engine is a
//! separate implementation, so the two can check each other).

use super::model::{ArmState, DenyAssignment, EVERYONE, Permission};
use crate::directory::Directory;

/// ARM's operation matching: case-insensitive, `*` stands for any run of
/// characters (`*`, `Microsoft.Support/*`, `*/read`, `Microsoft.Authorization/*/Write`).
pub fn matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match p.split_first() {
            None => a.is_empty(),
            Some((b'*', rest)) => (0..=a.len()).any(|i| go(rest, &a[i..])),
            Some((c, rest)) => a
                .split_first()
                .is_some_and(|(d, tail)| c.eq_ignore_ascii_case(d) && go(rest, tail)),
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

/// Whether `ancestor` is `scope` or one of its parents (`/` is the root).
pub fn scope_covers(ancestor: &str, scope: &str) -> bool {
    let a = ancestor.trim_end_matches('/').to_ascii_lowercase();
    let s = scope.trim_end_matches('/').to_ascii_lowercase();
    a.is_empty() || s == a || s.starts_with(&format!("{a}/"))
}

/// `scope` with its management-group chain in front (root first), so that a
/// plain prefix test sees inheritance down the hierarchy: a subscription under
/// `mg-workloads` reads `/managementgroups/{root}/managementgroups/mg-workloads/subscriptions/{id}`,
/// and an assignment at that group covers it. Lowercase.
pub fn lineage(arm: &ArmState, scope: &str) -> String {
    const GROUPS: &str = "/providers/microsoft.management/managementgroups/";
    let lower = scope.trim_end_matches('/').to_ascii_lowercase();
    let chain = |group: &str| {
        let mut names: Vec<String> = arm
            .ancestors(group)
            .iter()
            .map(|g| g.name.to_ascii_lowercase())
            .collect();
        names.reverse();
        names.push(group.to_ascii_lowercase());
        names
            .iter()
            .map(|n| format!("/managementgroups/{n}"))
            .collect::<String>()
    };
    if let Some(rest) = lower.strip_prefix(GROUPS) {
        let (group, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let mut out = chain(group);
        if !tail.is_empty() {
            out.push('/');
            out.push_str(tail);
        }
        return out;
    }
    if let Some(rest) = lower.strip_prefix("/subscriptions/") {
        let id = rest.split('/').next().unwrap_or_default();
        if let Some(group) = arm.group_of_subscription(id) {
            return format!("{}{lower}", chain(&group.name));
        }
    }
    lower
}

/// Whether `ancestor` is `scope` or above it, management groups included.
pub fn covers(arm: &ArmState, ancestor: &str, scope: &str) -> bool {
    scope_covers(&lineage(arm, ancestor), &lineage(arm, scope))
}

/// The permission blocks that apply to `principal_id` at `scope`: from every
/// assignment at the scope or above, to the principal or a group it is in.
pub fn effective_permissions(
    arm: &ArmState,
    directory: &Directory,
    principal_id: &str,
    scope: &str,
) -> Vec<Permission> {
    let holders = directory.principal_and_groups(principal_id);
    let target = lineage(arm, scope);
    arm.role_assignments
        .iter()
        .filter(|a| {
            holders.contains(&a.principal_id.to_ascii_lowercase())
                && scope_covers(&lineage(arm, &a.scope), &target)
        })
        .filter_map(|a| {
            arm.role_definitions
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(&a.role_definition_name))
        })
        .flat_map(|d| d.permissions.iter().cloned())
        .collect()
}

/// Whether any block allows `action` (matched by an action, not excluded by
/// that same block's notActions), as ARM evaluates control-plane actions.
pub fn allows(permissions: &[Permission], action: &str) -> bool {
    permissions.iter().any(|p| {
        p.actions.iter().any(|pattern| matches(pattern, action))
            && !p.not_actions.iter().any(|pattern| matches(pattern, action))
    })
}

/// The deny assignment that blocks `action` for `principal_id` at `scope`, if any:
/// one at the scope or above (unless it spares child scopes), naming the
/// principal, a group of it, or everyone, and not excluding any of them.
pub fn denied_by<'a>(
    arm: &'a ArmState,
    directory: &Directory,
    principal_id: &str,
    action: &str,
    scope: &str,
) -> Option<&'a DenyAssignment> {
    let holders = directory.principal_and_groups(principal_id);
    let target = lineage(arm, scope);
    arm.deny_assignments.iter().find(|d| {
        let reaches = scope_covers(&lineage(arm, &d.scope), &target)
            && (!d.do_not_apply_to_child_scopes
                || d.scope
                    .trim_end_matches('/')
                    .eq_ignore_ascii_case(scope.trim_end_matches('/')));
        let names = d
            .principals
            .iter()
            .any(|p| p.id == EVERYONE || holders.contains(&p.id.to_ascii_lowercase()));
        let spared = d
            .exclude_principals
            .iter()
            .any(|p| holders.contains(&p.id.to_ascii_lowercase()));
        reaches && names && !spared && allows(&d.permissions, action)
    })
}

/// Whether `principal_id` may perform `action` at `scope`: some role allows it
/// and no deny assignment blocks it.
pub fn can(
    arm: &ArmState,
    directory: &Directory,
    principal_id: &str,
    action: &str,
    scope: &str,
) -> bool {
    allows(
        &effective_permissions(arm, directory, principal_id, scope),
        action,
    ) && denied_by(arm, directory, principal_id, action, scope).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_arm() {
        assert!(matches("*", "Microsoft.Support/supportTickets/write"));
        assert!(matches(
            "*/read",
            "Microsoft.Resources/subscriptions/resourceGroups/read"
        ));
        assert!(!matches(
            "*/read",
            "Microsoft.Resources/subscriptions/resourceGroups/write"
        ));
        assert!(matches(
            "Microsoft.Support/*",
            "microsoft.support/supportTickets/WRITE"
        ));
        assert!(matches(
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(!matches(
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/roleAssignments/read"
        ));
        assert!(!matches(
            "Microsoft.Support/*",
            "Microsoft.SupportX/tickets/read"
        ));
    }

    #[test]
    fn scopes_cover_their_descendants_only() {
        assert!(scope_covers(
            "/subscriptions/s1",
            "/subscriptions/S1/resourceGroups/rg"
        ));
        assert!(scope_covers("/", "/subscriptions/s1"));
        assert!(!scope_covers("/subscriptions/s1", "/subscriptions/s10"));
        assert!(!scope_covers(
            "/subscriptions/s1/resourceGroups/rg",
            "/subscriptions/s1"
        ));
    }

    #[test]
    fn deny_assignments_block_everyone_but_the_excluded() {
        use crate::seed::{Seed, demo_id};
        let (arm, directory) = (Seed::Demo.arm(), Seed::Demo.directory());
        let gateway = &arm.resources[0].scope();
        let delete = "Microsoft.VoiceServices/communicationsGateways/delete";
        // Olivia is Owner, yet the gateway's deny assignment stops the delete.
        assert!(allows(
            &effective_permissions(&arm, &directory, &demo_id("user:olivia.owner"), gateway),
            delete
        ));
        assert!(!can(
            &arm,
            &directory,
            &demo_id("user:olivia.owner"),
            delete,
            gateway
        ));
        assert!(can(
            &arm,
            &directory,
            &demo_id("user:olivia.owner"),
            "Microsoft.VoiceServices/communicationsGateways/write",
            gateway
        ));
        // Its deployment identity is excluded (and holds Contributor on the group).
        assert!(can(
            &arm,
            &directory,
            &demo_id("sp:deploy-identity"),
            delete,
            gateway
        ));
    }

    #[test]
    fn not_actions_subtract_within_their_own_block_only() {
        let contributor = Permission {
            actions: vec!["*".into()],
            not_actions: vec!["Microsoft.Authorization/*/Write".into()],
            ..Permission::default()
        };
        assert!(!allows(
            std::slice::from_ref(&contributor),
            "Microsoft.Authorization/roleAssignments/write"
        ));
        let uaa = Permission {
            actions: vec!["Microsoft.Authorization/*".into()],
            ..Permission::default()
        };
        assert!(allows(
            &[contributor, uaa],
            "Microsoft.Authorization/roleAssignments/write"
        ));
    }
}
