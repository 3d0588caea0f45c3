//! The Entra directory the emulator holds: users, groups, applications,
//! service principals with their app roles, and directory-role memberships.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// When the object was created during this run (None: seeded). ARM only
    /// finds it once the replication delay has passed.
    #[serde(skip)]
    pub created: Option<std::time::Instant>,
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    pub mail: Option<String>,
    /// `Member` or `Guest`.
    pub user_type: String,
    pub account_enabled: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// When the object was created during this run (None: seeded). ARM only
    /// finds it once the replication delay has passed.
    #[serde(skip)]
    pub created: Option<std::time::Instant>,
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub mail_nickname: String,
    pub security_enabled: bool,
    /// Object ids of direct members (users, groups, service principals).
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: String,
    pub value: String,
    pub display_name: String,
    pub description: String,
    pub allowed_member_types: Vec<String>,
    pub is_enabled: bool,
    pub origin: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// When the object was created during this run (None: seeded). ARM only
    /// finds it once the replication delay has passed.
    #[serde(skip)]
    pub created: Option<std::time::Instant>,
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    /// `Application` or `ManagedIdentity`.
    pub service_principal_type: String,
    pub publisher_name: Option<String>,
    pub app_owner_organization_id: Option<String>,
    pub app_roles: Vec<AppRole>,
    pub account_enabled: bool,
}

/// An app registration (the Entra "application" object).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub sign_in_audience: String,
    /// Public-client redirect URIs; `http://localhost` matches any port, as in Entra.
    #[serde(default)]
    pub public_client_redirect_uris: Vec<String>,
    /// Delegated Microsoft Graph permissions consented for this client (scope
    /// names such as `User.Read`). An interactive sign-in adds what it asked for.
    #[serde(default)]
    pub consented_graph_scopes: Vec<String>,
}

/// Well-known directory role templates (the ids are Entra's own).
pub mod role_templates {
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
    pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
    pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";

    /// Display names, as `directoryRole.displayName` carries them.
    pub fn display_name(template_id: &str) -> Option<&'static str> {
        match template_id {
            GLOBAL_ADMINISTRATOR => Some("Global Administrator"),
            APPLICATION_ADMINISTRATOR => Some("Application Administrator"),
            CLOUD_APPLICATION_ADMINISTRATOR => Some("Cloud Application Administrator"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Directory {
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub applications: Vec<Application>,
    pub service_principals: Vec<ServicePrincipal>,
    /// (role template id, member object id)
    pub directory_role_members: Vec<(String, String)>,
}

impl Directory {
    pub fn user(&self, id_or_upn: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.id.eq_ignore_ascii_case(id_or_upn)
                || u.user_principal_name.eq_ignore_ascii_case(id_or_upn)
        })
    }

    /// Public clients that may sign users in: registered applications, plus the
    /// Azure CLI's well-known first-party client (Rolecall can borrow its id).
    pub fn public_client(&self, client_id: &str) -> Option<&Application> {
        self.applications.iter().find(|a| {
            a.app_id.eq_ignore_ascii_case(client_id) && !a.public_client_redirect_uris.is_empty()
        })
    }

    /// Every group `object_id` belongs to, directly or through nested groups.
    pub fn transitive_groups(&self, object_id: &str) -> Vec<&Group> {
        let mut found: Vec<&Group> = Vec::new();
        let mut frontier = vec![object_id.to_owned()];
        while let Some(member) = frontier.pop() {
            for group in &self.groups {
                if group
                    .members
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(&member))
                    && !found.iter().any(|g| g.id == group.id)
                {
                    found.push(group);
                    frontier.push(group.id.clone());
                }
            }
        }
        found
    }

    /// Whether ARM can see `object_id` yet (it replicates from the directory late).
    pub fn replicated(&self, object_id: &str, delay: std::time::Duration) -> bool {
        let created = self
            .users
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(object_id))
            .map(|u| u.created)
            .or_else(|| {
                self.groups
                    .iter()
                    .find(|g| g.id.eq_ignore_ascii_case(object_id))
                    .map(|g| g.created)
            })
            .or_else(|| {
                self.service_principals
                    .iter()
                    .find(|s| s.id.eq_ignore_ascii_case(object_id))
                    .map(|s| s.created)
            })
            .flatten();
        created.is_none_or(|at| at.elapsed() >= delay)
    }

    /// `object_id` and the ids of every group it belongs to, lower-cased: who
    /// an assignment to any of them reaches.
    pub fn principal_and_groups(&self, object_id: &str) -> Vec<String> {
        let mut holders = vec![object_id.to_ascii_lowercase()];
        holders.extend(
            self.transitive_groups(object_id)
                .iter()
                .map(|g| g.id.to_ascii_lowercase()),
        );
        holders
    }

    /// Directory role templates held by `object_id`, directly or through groups.
    pub fn directory_roles_of(&self, object_id: &str) -> Vec<&str> {
        let holders = self.principal_and_groups(object_id);
        let mut roles: Vec<&str> = self
            .directory_role_members
            .iter()
            .filter(|(_, member)| holders.iter().any(|h| h.eq_ignore_ascii_case(member)))
            .map(|(role, _)| role.as_str())
            .collect();
        roles.sort_unstable();
        roles.dedup();
        roles
    }
}

/// Whether `redirect_uri` is allowed by a registered public-client URI. For
/// loopback URIs Entra ignores the port (RFC 8252 §7.3); the path must match.
pub fn redirect_uri_allowed(registered: &[String], redirect_uri: &str) -> bool {
    let strip_port = |uri: &str| -> Option<String> {
        let rest = uri.strip_prefix("http://localhost")?;
        let rest = match rest.strip_prefix(':') {
            Some(after) => after.trim_start_matches(|c: char| c.is_ascii_digit()),
            None => rest,
        };
        Some(format!(
            "http://localhost{}",
            if rest.is_empty() { "/" } else { rest }
        ))
    };
    registered.iter().any(|r| {
        r == redirect_uri
            || matches!((strip_port(r), strip_port(redirect_uri)), (Some(a), Some(b)) if a == b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_ignore_the_port_but_not_the_path() {
        let registered = vec!["http://localhost".to_string()];
        assert!(redirect_uri_allowed(&registered, "http://localhost:53117"));
        assert!(redirect_uri_allowed(&registered, "http://localhost:53117/"));
        assert!(!redirect_uri_allowed(
            &registered,
            "http://localhost:53117/callback"
        ));
        assert!(!redirect_uri_allowed(&registered, "http://127.0.0.1:53117"));
        assert!(!redirect_uri_allowed(&registered, "https://evil.example/"));
        assert!(!redirect_uri_allowed(
            &registered,
            "http://localhost.evil.example/"
        ));
    }
}
