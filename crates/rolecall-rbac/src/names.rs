//! Deterministic names, so that re-running a plan converges instead of
//! failing with `RoleAssignmentExists` (or duplicating grants).

use uuid::Uuid;

/// The namespace of ARM templates' and Bicep's `guid()`.
pub const ARM_GUID_NAMESPACE: Uuid = Uuid::from_u128(0x11fb06fb_712d_4ddd_98c7_e71bbd588830);

/// ARM's `guid(a, b, …)`: a version-5 UUID over the arguments joined by `-`.
pub fn arm_guid(parts: &[&str]) -> Uuid {
    Uuid::new_v5(&ARM_GUID_NAMESPACE, parts.join("-").as_bytes())
}

/// The name of the role assignment of `role_definition_id` to `principal_id`
/// at `scope`: `guid(scope, principalId, roleDefinitionId)` over lowercased
/// inputs (scope without a trailing `/`, the role's GUID rather than its full
/// id), so that the same grant always gets the same name however the ids
/// were spelled.
pub fn role_assignment_name(scope: &str, principal_id: &str, role_definition_id: &str) -> Uuid {
    let scope = scope.trim().trim_end_matches('/').to_ascii_lowercase();
    let scope = if scope.is_empty() {
        "/".to_owned()
    } else {
        scope
    };
    let role = role_definition_id
        .rsplit('/')
        .next()
        .unwrap_or(role_definition_id)
        .to_ascii_lowercase();
    arm_guid(&[&scope, &principal_id.to_ascii_lowercase(), &role])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_arm_guid_and_is_spelling_independent() {
        // uuid5(11fb06fb-…, "a-b-c"), as ARM's guid('a','b','c') computes it.
        assert_eq!(
            arm_guid(&["a", "b", "c"]),
            Uuid::new_v5(&ARM_GUID_NAMESPACE, b"a-b-c")
        );
        assert_eq!(arm_guid(&["a", "b", "c"]).get_version_num(), 5);
        let scope = "/subscriptions/8F3E2B1A-0000-4000-8000-000000000001/resourceGroups/RG/";
        let a = role_assignment_name(
            scope,
            "0D6C3C2E-0000-4000-8000-00000000000A",
            "/subscriptions/8f3e2b1a-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
        );
        let b = role_assignment_name(
            "/subscriptions/8f3e2b1a-0000-4000-8000-000000000001/resourcegroups/rg",
            "0d6c3c2e-0000-4000-8000-00000000000a",
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
        );
        assert_eq!(a, b);
        let other = role_assignment_name(
            scope,
            "0d6c3c2e-0000-4000-8000-00000000000b",
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
        );
        assert_ne!(a, other);
    }
}
