//! Least privilege: which roles cover a set of required actions, ranked by
//! how little else they grant, measured in operations of the catalogue.

use crate::catalogue::Catalogue;
use crate::permissions::{ActionKind, Permission};
use crate::roles::RoleDefinition;

/// A set of catalogue operations, one bit each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSet {
    bits: Vec<u64>,
}

impl OperationSet {
    pub fn empty(size: usize) -> Self {
        Self {
            bits: vec![0; size.div_ceil(64)],
        }
    }

    pub fn insert(&mut self, index: u32) {
        self.bits[index as usize / 64] |= 1 << (index % 64);
    }

    pub fn contains(&self, index: u32) -> bool {
        self.bits[index as usize / 64] & (1 << (index % 64)) != 0
    }

    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }

    /// Every operation here is also in `other`.
    pub fn is_subset_of(&self, other: &OperationSet) -> bool {
        self.bits.iter().zip(&other.bits).all(|(a, b)| a & !b == 0)
    }

    /// The operations here that are not in `other`.
    pub fn minus<'a>(&'a self, other: &'a OperationSet) -> impl Iterator<Item = u32> + 'a {
        self.bits
            .iter()
            .zip(other.bits.iter().chain(std::iter::repeat(&0)))
            .enumerate()
            .flat_map(|(word, (a, b))| {
                let left = a & !b;
                (0..64u32)
                    .filter(move |bit| left & (1 << bit) != 0)
                    .map(move |bit| word as u32 * 64 + bit)
            })
    }

    fn union_with(&mut self, other: &OperationSet) {
        for (a, b) in self.bits.iter_mut().zip(&other.bits) {
            *a |= b;
        }
    }
}

/// The catalogue operations a permission list grants (each block's grants
/// minus its exclusions, then the union of the blocks).
pub fn granted(catalogue: &Catalogue, permissions: &[Permission]) -> OperationSet {
    let mut all = OperationSet::empty(catalogue.len());
    for block in permissions {
        let mut set = OperationSet::empty(catalogue.len());
        for kind in [ActionKind::Action, ActionKind::DataAction] {
            let (grant, exclude) = block.patterns(kind);
            let mut excluded = OperationSet::empty(catalogue.len());
            for pattern in exclude {
                for i in catalogue.expand(pattern, kind) {
                    excluded.insert(i);
                }
            }
            for pattern in grant {
                for i in catalogue.expand(pattern, kind) {
                    if !excluded.contains(i) {
                        set.insert(i);
                    }
                }
            }
        }
        all.union_with(&set);
    }
    all
}

/// Roles with what each grants, precomputed once per catalogue.
#[derive(Debug)]
pub struct RoleIndex {
    roles: Vec<RoleDefinition>,
    granted: Vec<usize>,
}

/// A role that covers every required action.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub role: &'a RoleDefinition,
    /// Catalogue operations the role grants.
    pub granted: usize,
    /// Of those, how many were not asked for.
    pub extra: usize,
    /// It can grant access to others (`Microsoft.Authorization/roleAssignments/write`).
    pub privileged: bool,
}

impl RoleIndex {
    pub fn build(catalogue: &Catalogue, roles: Vec<RoleDefinition>) -> Self {
        let granted = roles
            .iter()
            .map(|r| self::granted(catalogue, &r.properties.permissions).len())
            .collect();
        Self { roles, granted }
    }

    pub fn roles(&self) -> &[RoleDefinition] {
        &self.roles
    }

    /// The roles that allow every `(action, kind)` in `required`, least
    /// granting first (ties by name). `required_in_catalogue` is how many
    /// catalogue operations the requirement itself names.
    pub fn rank(
        &self,
        required: &[(&str, ActionKind)],
        required_in_catalogue: usize,
    ) -> Vec<Candidate<'_>> {
        let mut out: Vec<Candidate<'_>> = self
            .roles
            .iter()
            .zip(&self.granted)
            .filter(|(role, _)| required.iter().all(|(a, k)| role.allows(a, *k)))
            .map(|(role, granted)| Candidate {
                role,
                granted: *granted,
                extra: granted.saturating_sub(required_in_catalogue),
                privileged: role.allows(
                    "Microsoft.Authorization/roleAssignments/write",
                    ActionKind::Action,
                ),
            })
            .collect();
        out.sort_by(|a, b| {
            a.granted
                .cmp(&b.granted)
                .then_with(|| a.role.role_name().cmp(b.role.role_name()))
        });
        out
    }
}

/// What a role grants beyond a need: the extra operations counted per
/// resource provider, most first (ties by name).
pub fn beyond(
    catalogue: &Catalogue,
    role: &OperationSet,
    need: &OperationSet,
) -> Vec<(String, usize)> {
    let mut by_namespace: std::collections::BTreeMap<&str, usize> = Default::default();
    for index in role.minus(need) {
        *by_namespace
            .entry(catalogue.operation(index).namespace.as_str())
            .or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = by_namespace
        .into_iter()
        .map(|(ns, n)| (ns.to_owned(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod set_tests {
    use super::OperationSet;

    #[test]
    fn minus_lists_exactly_what_the_other_lacks() {
        let mut a = OperationSet::empty(200);
        let mut b = OperationSet::empty(200);
        for i in [0, 3, 64, 130, 199] {
            a.insert(i);
        }
        for i in [3, 130, 150] {
            b.insert(i);
        }
        assert_eq!(a.minus(&b).collect::<Vec<_>>(), [0, 64, 199]);
        assert_eq!(b.minus(&a).collect::<Vec<_>>(), [150]);
        assert_eq!(a.minus(&a).count(), 0);
    }
}
