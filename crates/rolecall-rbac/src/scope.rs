//! ARM scopes: the root `/`, management groups, subscriptions, resource
//! groups and resources (nested child resources included), parsed with
//! errors that say what is wrong and what a valid scope looks like.

use std::fmt;

/// How high a scope sits in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Root,
    ManagementGroup,
    Subscription,
    ResourceGroup,
    Resource,
}

/// A parsed scope. Comparisons ignore case, as ARM's do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// The scope as given, without a trailing `/` (the root is `/`).
    id: String,
    /// `id` lowercased, for comparisons.
    key: String,
    level: Level,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{scope}' is not an Azure scope: {reason}. A scope looks like /subscriptions/{{subscription id}}, /subscriptions/{{id}}/resourceGroups/{{name}}, a resource id, or /providers/Microsoft.Management/managementGroups/{{name}}."
)]
pub struct ScopeError {
    pub scope: String,
    pub reason: String,
}

/// A GUID in its 8-4-4-4-12 hexadecimal form (any case), as Azure writes ids.
pub fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// ARM's resource-group names: 1–90 letters, digits, `-_.()`, not ending in `.`.
fn valid_resource_group(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 90
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
}

impl Scope {
    pub fn root() -> Self {
        Self {
            id: "/".into(),
            key: "/".into(),
            level: Level::Root,
        }
    }

    pub fn parse(text: &str) -> Result<Self, ScopeError> {
        let fail = |reason: &str| ScopeError {
            scope: text.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(fail("it is empty"));
        }
        if !trimmed.starts_with('/') {
            return Err(fail("it must start with '/'"));
        }
        if trimmed == "/" {
            return Ok(Self::root());
        }
        let id = trimmed.trim_end_matches('/');
        let segments: Vec<&str> = id[1..].split('/').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(fail("it has an empty segment ('//')"));
        }
        // A scope becomes part of a URL path: nothing in it may move the path
        // (`..`, `%2e%2e`), end it (`?`, `#`) or read as a separator (`\`).
        if segments.iter().any(|s| *s == "." || *s == "..") {
            return Err(fail("'.' and '..' are not names"));
        }
        if let Some(c) = id
            .chars()
            .find(|c| matches!(c, '%' | '?' | '#' | '\\') || c.is_control())
        {
            return Err(fail(&format!(
                "'{}' cannot appear in a scope",
                c.escape_default()
            )));
        }
        let level = match segments.as_slice() {
            [p, ns, mgs, name]
                if p.eq_ignore_ascii_case("providers")
                    && ns.eq_ignore_ascii_case("Microsoft.Management")
                    && mgs.eq_ignore_ascii_case("managementGroups") =>
            {
                if name.len() > 90 {
                    return Err(fail("a management group name has at most 90 characters"));
                }
                Level::ManagementGroup
            }
            [subs, rest @ ..] if subs.eq_ignore_ascii_case("subscriptions") => {
                let Some(sub) = rest.first() else {
                    return Err(fail("the subscription id is missing"));
                };
                if !is_guid(sub) {
                    return Err(fail(&format!(
                        "'{sub}' is not a subscription id (a GUID such as 8f3e2b1a-0000-4000-8000-000000000001)"
                    )));
                }
                match &rest[1..] {
                    [] => Level::Subscription,
                    [rgs, rest @ ..] if rgs.eq_ignore_ascii_case("resourceGroups") => {
                        let Some(rg) = rest.first() else {
                            return Err(fail("the resource group name is missing"));
                        };
                        if !valid_resource_group(rg) {
                            return Err(fail(&format!(
                                "'{rg}' is not a valid resource group name"
                            )));
                        }
                        match &rest[1..] {
                            [] => Level::ResourceGroup,
                            [providers, ns, typed @ ..]
                                if providers.eq_ignore_ascii_case("providers") =>
                            {
                                if !ns.contains('.') {
                                    return Err(fail(&format!(
                                        "'{ns}' is not a resource provider namespace (such as Microsoft.Compute)"
                                    )));
                                }
                                if typed.is_empty() || !typed.len().is_multiple_of(2) {
                                    return Err(fail(
                                        "a resource id needs /providers/{Namespace}/{type}/{name} (type and name in pairs)",
                                    ));
                                }
                                Level::Resource
                            }
                            [other, ..] => {
                                return Err(fail(&format!(
                                    "'{other}' cannot follow a resource group; expected 'providers'"
                                )));
                            }
                        }
                    }
                    [providers, ..] if providers.eq_ignore_ascii_case("providers") => {
                        // Subscription-level resources (e.g. /subscriptions/x/providers/Microsoft.Security/pricings/y).
                        if segments.len() < 6 || !(segments.len() - 4).is_multiple_of(2) {
                            return Err(fail(
                                "a resource id needs /providers/{Namespace}/{type}/{name}",
                            ));
                        }
                        Level::Resource
                    }
                    [other, ..] => {
                        return Err(fail(&format!(
                            "'{other}' cannot follow a subscription; expected 'resourceGroups' or 'providers'"
                        )));
                    }
                }
            }
            [first, ..] => {
                return Err(fail(&format!(
                    "it starts with '{first}'; expected 'subscriptions' or 'providers/Microsoft.Management/managementGroups'"
                )));
            }
            [] => unreachable!("segments of a non-root scope"),
        };
        Ok(Self {
            id: id.to_owned(),
            key: id.to_ascii_lowercase(),
            level,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.id
    }

    pub fn level(&self) -> Level {
        self.level
    }

    fn segments(&self) -> Vec<&str> {
        if self.level == Level::Root {
            return Vec::new();
        }
        self.id[1..].split('/').collect()
    }

    /// The subscription id, below the subscription level.
    pub fn subscription_id(&self) -> Option<&str> {
        matches!(
            self.level,
            Level::Subscription | Level::ResourceGroup | Level::Resource
        )
        .then(|| self.segments()[1])
    }

    /// `/subscriptions/{id}` of a scope at or below a subscription.
    pub fn subscription_scope(&self) -> Option<String> {
        self.subscription_id()
            .map(|id| format!("/subscriptions/{id}"))
    }

    pub fn resource_group(&self) -> Option<&str> {
        let segments = self.segments();
        (segments.len() >= 4 && segments[2].eq_ignore_ascii_case("resourceGroups"))
            .then(|| segments[3])
    }

    pub fn management_group(&self) -> Option<&str> {
        (self.level == Level::ManagementGroup).then(|| self.segments()[3])
    }

    /// The scope right above this one in ARM's id hierarchy (a resource's
    /// parent resource, its resource group, the subscription, the root).
    /// Management groups above a subscription are not in its id: see
    /// [`Scope::covers_with`].
    pub fn parent(&self) -> Option<Scope> {
        let segments = self.segments();
        let cut = match self.level {
            Level::Root => return None,
            Level::ManagementGroup | Level::Subscription => return Some(Scope::root()),
            Level::ResourceGroup => 2,
            Level::Resource => {
                // Drop the last type/name pair; the first pair's parent is the RG or subscription.
                let providers = segments
                    .iter()
                    .position(|s| s.eq_ignore_ascii_case("providers"))
                    .expect("resource ids have providers");
                if segments.len() - providers > 4 {
                    segments.len() - 2
                } else {
                    providers
                }
            }
        };
        Some(
            Scope::parse(&format!("/{}", segments[..cut].join("/")))
                .expect("a parent of a valid scope is valid"),
        )
    }

    /// This scope and every scope above it in its id, nearest first.
    pub fn ancestors(&self) -> Vec<Scope> {
        let mut out = vec![self.clone()];
        while let Some(parent) = out.last().and_then(Scope::parent) {
            out.push(parent);
        }
        out
    }

    /// Whether an assignment at `self` applies at `other` (same scope or above
    /// it in the id). Management groups need the hierarchy: [`Scope::covers_with`].
    pub fn covers(&self, other: &Scope) -> bool {
        self.covers_with(other, &|_| None)
    }

    /// As [`Scope::covers`], with `parent_group` naming the management group
    /// directly above a subscription or management group (by id, lowercase).
    pub fn covers_with(
        &self,
        other: &Scope,
        parent_group: &dyn Fn(&str) -> Option<String>,
    ) -> bool {
        match self.level {
            Level::Root => true,
            Level::ManagementGroup => {
                let me = self
                    .management_group()
                    .expect("a group")
                    .to_ascii_lowercase();
                let mut at = match other.level {
                    Level::Root => return false,
                    Level::ManagementGroup => Some(
                        other
                            .management_group()
                            .expect("a group")
                            .to_ascii_lowercase(),
                    ),
                    _ => {
                        let sub = other
                            .subscription_id()
                            .expect("below a subscription")
                            .to_ascii_lowercase();
                        parent_group(&sub)
                    }
                };
                let mut hops = 0;
                while let Some(group) = at {
                    if group == me {
                        return true;
                    }
                    hops += 1;
                    if hops > 16 {
                        return false; // ARM allows six levels; a loop is a bad map
                    }
                    at = parent_group(&group);
                }
                false
            }
            _ => other.key == self.key || other.key.starts_with(&format!("{}/", self.key)),
        }
    }
}

/// Where subscriptions and management groups sit in the management-group
/// tree, which no scope id carries: each one's parent group, by lowercase id
/// (a subscription's GUID, a group's name). Built from what ARM's entities
/// call answers; empty when the admin may read no group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hierarchy {
    parents: std::collections::HashMap<String, String>,
}

impl Hierarchy {
    /// From each entity's name and its chain of parent group names, the root
    /// first (ARM's `parentNameChain`): every link along each chain is known,
    /// even for groups above the ones the admin may read.
    pub fn from_chains<'a>(
        entities: impl IntoIterator<Item = (&'a str, &'a [String])>,
    ) -> Hierarchy {
        let mut parents = std::collections::HashMap::new();
        for (name, chain) in entities {
            let mut below = name.to_ascii_lowercase();
            for group in chain.iter().rev() {
                let group = group.to_ascii_lowercase();
                parents.entry(below).or_insert_with(|| group.clone());
                below = group;
            }
        }
        Hierarchy { parents }
    }

    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// The group directly above a subscription (by GUID) or group (by name).
    pub fn parent_group(&self, id: &str) -> Option<String> {
        self.parents.get(&id.to_ascii_lowercase()).cloned()
    }

    /// Whether an assignment at `above` applies at `below`, groups included.
    pub fn covers(&self, above: &Scope, below: &Scope) -> bool {
        above.covers_with(below, &|id| self.parent_group(id))
    }

    /// Whether an assignment at `at`, which ARM listed for `target` (ARM
    /// lists what applies at a scope and what lies below it), applies at
    /// `target`. A group is never below a subscription or anything in one,
    /// so a group ARM lists there is above it, read from the tree or not.
    pub fn listed_above(&self, at: &Scope, target: &Scope) -> bool {
        self.covers(at, target)
            || (at.level() == Level::ManagementGroup
                && !matches!(target.level(), Level::ManagementGroup | Level::Root))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl std::str::FromStr for Scope {
    type Err = ScopeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "/subscriptions/8f3e2b1a-0000-4000-8000-000000000001";

    #[test]
    fn levels_and_parts() {
        assert_eq!(Scope::parse("/").unwrap().level(), Level::Root);
        let mg = Scope::parse("/providers/Microsoft.Management/managementGroups/contoso").unwrap();
        assert_eq!(mg.level(), Level::ManagementGroup);
        assert_eq!(mg.management_group(), Some("contoso"));
        let sub = Scope::parse(&format!("{SUB}/")).unwrap();
        assert_eq!(sub.as_str(), SUB);
        assert_eq!(
            sub.subscription_id(),
            Some("8f3e2b1a-0000-4000-8000-000000000001")
        );
        let rg = Scope::parse(&format!("{SUB}/resourceGroups/rg-voice")).unwrap();
        assert_eq!(rg.level(), Level::ResourceGroup);
        assert_eq!(rg.resource_group(), Some("rg-voice"));
        let child = Scope::parse(&format!(
            "{SUB}/resourceGroups/rg-voice/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default"
        ))
        .unwrap();
        assert_eq!(child.level(), Level::Resource);
        let chain: Vec<String> = child.ancestors().iter().map(|s| s.to_string()).collect();
        assert_eq!(
            chain,
            vec![
                child.to_string(),
                format!(
                    "{SUB}/resourceGroups/rg-voice/providers/Microsoft.Storage/storageAccounts/st1"
                ),
                format!("{SUB}/resourceGroups/rg-voice"),
                SUB.to_string(),
                "/".to_string(),
            ]
        );
    }

    #[test]
    fn covers_is_case_insensitive_and_segment_aware() {
        let sub = Scope::parse(SUB).unwrap();
        let rg = Scope::parse(&format!("{}/RESOURCEGROUPS/rg-a", SUB.to_uppercase())).unwrap();
        assert!(sub.covers(&rg));
        assert!(!rg.covers(&sub));
        let rg_ab = Scope::parse(&format!("{SUB}/resourceGroups/rg-ab")).unwrap();
        assert!(!rg.covers(&rg_ab), "rg-a does not cover rg-ab");
        let mg = Scope::parse("/providers/Microsoft.Management/managementGroups/contoso").unwrap();
        assert!(!mg.covers(&rg));
        let tree = |id: &str| match id {
            "8f3e2b1a-0000-4000-8000-000000000001" => Some("platform".to_string()),
            "platform" => Some("contoso".to_string()),
            _ => None,
        };
        assert!(mg.covers_with(&rg, &tree));
    }

    #[test]
    fn a_hierarchy_links_every_chain_and_answers_coverage() {
        let sub_id = "8F3E2B1A-0000-4000-8000-000000000001";
        let chain = ["Root".to_string(), "Platform".to_string()];
        let tree = Hierarchy::from_chains([(sub_id, &chain[..]), ("Platform", &chain[..1])]);
        assert_eq!(tree.parent_group(sub_id).as_deref(), Some("platform"));
        assert_eq!(tree.parent_group("platform").as_deref(), Some("root"));
        assert_eq!(tree.parent_group("root"), None);
        let root = Scope::parse("/providers/Microsoft.Management/managementGroups/root").unwrap();
        let platform =
            Scope::parse("/providers/Microsoft.Management/managementGroups/PLATFORM").unwrap();
        let other = Scope::parse("/providers/Microsoft.Management/managementGroups/other").unwrap();
        let rg = Scope::parse(&format!("{SUB}/resourceGroups/rg-a")).unwrap();
        assert!(tree.covers(&root, &rg));
        assert!(tree.covers(&root, &platform));
        assert!(!tree.covers(&platform, &root));
        assert!(!tree.covers(&other, &rg));
        // Listed by ARM for a scope in a subscription, a group is above it,
        // whether the tree knows it or not; between groups only the tree tells.
        assert!(Hierarchy::default().listed_above(&other, &rg));
        assert!(!tree.listed_above(&other, &platform));
        assert!(!tree.listed_above(&rg, &platform));
        assert!(tree.listed_above(&root, &platform));
    }

    #[test]
    fn malformed_scopes_say_what_is_wrong() {
        for (bad, says) in [
            ("", "empty"),
            ("subscriptions/x", "start with '/'"),
            ("/subscriptions/not-a-guid", "not a subscription id"),
            ("/subscriptions", "subscription id is missing"),
            (
                &format!("{SUB}/resourcegroups/bad name"),
                "not a valid resource group name",
            ),
            (
                &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts"),
                "type and name in pairs",
            ),
            (&format!("{SUB}/foo"), "cannot follow a subscription"),
            ("/tenants/x", "expected 'subscriptions'"),
            ("/subscriptions//resourceGroups", "empty segment"),
            (
                &format!(
                    "{SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/x/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e"
                ),
                "'%' cannot appear",
            ),
            (
                &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Web/sites/x/../.."),
                "'.' and '..' are not names",
            ),
            (&format!("{SUB}/resourceGroups/rg?x=1"), "'?' cannot appear"),
            (&format!("{SUB}/resourceGroups/rg#x"), "'#' cannot appear"),
            (&format!("{SUB}\\resourceGroups\\rg"), "cannot appear"),
            (
                "/providers/Microsoft.Management/managementGroups/..",
                "not names",
            ),
        ] {
            let error = Scope::parse(bad).unwrap_err().to_string();
            assert!(error.contains(says), "{bad}: {error}");
            assert!(error.contains("A scope looks like"), "{error}");
        }
    }

    proptest::proptest! {
        /// Any text: parsing never panics, and what it accepts is a path of
        /// plain segments that cannot leave ARM's path when joined to a URL.
        #[test]
        fn parse_never_panics_and_accepts_only_plain_paths(text in "\\PC{0,200}") {
            if let Ok(scope) = Scope::parse(&text) {
                let id = scope.as_str();
                proptest::prop_assert!(id.starts_with('/'));
                proptest::prop_assert!(!id[1..].contains("//"));
                proptest::prop_assert!(!id.contains(['%', '?', '#', '\\']));
                proptest::prop_assert!(!id.split('/').any(|s| s == ".." || s == "."));
                let base = url::Url::parse("https://management.azure.com/").unwrap();
                let joined = base.join(id.trim_start_matches('/')).unwrap();
                proptest::prop_assert_eq!(joined.origin(), base.origin());
            }
        }

        /// Valid scopes with a hostile tail are refused, never shortened.
        #[test]
        fn mutated_scopes_are_refused(tail in "[./%?#\\\\]{1,6}(2e|2E|2f)?") {
            let text = format!("{SUB}/resourceGroups/rg/{tail}");
            let parsed = Scope::parse(&text);
            if let Ok(scope) = parsed {
                proptest::prop_assert!(!scope.as_str().contains(['%', '?', '#', '\\']));
            }
        }
    }
}
