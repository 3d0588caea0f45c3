//! Microsoft Graph v1.0: the signed-in admin, directory roles, users, groups,
//! service principals (search as Graph allows it) and app-role assignments.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::Method;
use futures::{Stream, StreamExt, TryStreamExt};
use rolecall_core::CloudProfile;
use serde::{Deserialize, Serialize};

use crate::arm::odata_literal;
use crate::error::{AzureError, Kind, Result, Service as ServiceName, not_found_as_none};
use crate::service::{Options, Service};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub user_principal_name: String,
    #[serde(default)]
    pub mail: Option<String>,
    /// `Member` or `Guest`.
    #[serde(default)]
    pub user_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub security_enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    /// `User` and/or `Application`.
    #[serde(default)]
    pub allowed_member_types: Vec<String>,
    #[serde(default = "yes")]
    pub is_enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    pub id: String,
    pub app_id: String,
    #[serde(default)]
    pub display_name: String,
    /// `Application`, `ManagedIdentity`, `Legacy`, `SocialIdp`.
    #[serde(default)]
    pub service_principal_type: Option<String>,
    #[serde(default)]
    pub app_roles: Vec<AppRole>,
    #[serde(default)]
    pub app_owner_organization_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    /// Not a GUID: an opaque id Graph makes.
    pub id: String,
    pub app_role_id: String,
    pub principal_id: String,
    #[serde(default)]
    pub principal_display_name: Option<String>,
    /// `User`, `Group` or `ServicePrincipal`.
    #[serde(default)]
    pub principal_type: Option<String>,
    pub resource_id: String,
    #[serde(default)]
    pub resource_display_name: Option<String>,
    /// Graph's `request-id` of the write that returned this (not on the
    /// wire; `None` when listed).
    #[serde(skip)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub created_date_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryRole {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    pub role_template_id: String,
}

/// Directory role templates the onboarding checks name.
pub mod role_templates {
    pub const GLOBAL_ADMINISTRATOR: &str = "62e90394-69f5-4237-9190-012177145e10";
    pub const APPLICATION_ADMINISTRATOR: &str = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
    pub const CLOUD_APPLICATION_ADMINISTRATOR: &str = "158c047a-c907-4556-b7ef-446551a6b5f7";
    /// The roles that may assign app roles of enterprise applications.
    pub const MAY_ASSIGN_APP_ROLES: [&str; 3] = [
        GLOBAL_ADMINISTRATOR,
        APPLICATION_ADMINISTRATOR,
        CLOUD_APPLICATION_ADMINISTRATOR,
    ];
}

/// The Graph client. Cheap to clone; one per signed-in account and tenant.
#[derive(Clone)]
pub struct GraphClient {
    service: Service,
    page_size: Option<u16>,
}

/// `$search` needs this header; without it Graph refuses the query.
const EVENTUAL: (&str, &str) = ("consistencylevel", "eventual");

impl GraphClient {
    pub fn new(
        cloud: &CloudProfile,
        http: reqwest::Client,
        credential: Arc<dyn TokenCredential>,
        options: &Options,
    ) -> Self {
        let base = cloud
            .graph_endpoint
            .join("v1.0/")
            .expect("a validated cloud's Graph endpoint takes a path");
        Self {
            service: Service::new(
                ServiceName::Graph,
                base,
                &cloud.graph_audience,
                http,
                credential,
                options,
            ),
            page_size: options.graph_page_size,
        }
    }

    fn list<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        eventual: bool,
    ) -> impl Stream<Item = Result<T>> + Send + 'static + use<T> {
        let headers = if eventual {
            vec![(EVENTUAL.0, EVENTUAL.1.to_owned())]
        } else {
            Vec::new()
        };
        let top = self.page_size.map(|n| n.clamp(1, 999).to_string());
        let mut query = query.to_vec();
        if let Some(top) = &top
            && !query.iter().any(|(k, _)| *k == "$top")
        {
            query.push(("$top", top));
        }
        self.service.list(path, &query, headers)
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T> {
        let url = self.service.url(path, query)?;
        self.service.get_json(url, &[]).await
    }

    /// The signed-in admin.
    pub async fn me(&self) -> Result<User> {
        self.get("me", &[]).await
    }

    /// The admin's active directory roles (through groups too).
    pub fn my_directory_roles(
        &self,
    ) -> impl Stream<Item = Result<DirectoryRole>> + Send + 'static + use<> {
        self.list(
            "me/transitiveMemberOf/microsoft.graph.directoryRole",
            &[],
            false,
        )
    }

    /// The first `limit` users whose display name, principal name or mail
    /// has a word starting with `text` (Graph's `$search`).
    pub fn search_users(
        &self,
        text: &str,
        limit: usize,
    ) -> impl Stream<Item = Result<User>> + Send + 'static + use<> {
        self.search(
            "users",
            &["displayName", "userPrincipalName", "mail"],
            text,
            limit,
        )
    }

    pub fn search_groups(
        &self,
        text: &str,
        limit: usize,
    ) -> impl Stream<Item = Result<Group>> + Send + 'static + use<> {
        self.search("groups", &["displayName", "mail"], text, limit)
    }

    pub fn search_service_principals(
        &self,
        text: &str,
        limit: usize,
    ) -> impl Stream<Item = Result<ServicePrincipal>> + Send + 'static + use<> {
        self.search("servicePrincipals", &["displayName"], text, limit)
    }

    fn search<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        collection: &str,
        properties: &[&str],
        text: &str,
        limit: usize,
    ) -> impl Stream<Item = Result<T>> + Send + 'static + use<T> {
        // Graph's $search terms are quoted; a quote or backslash inside is escaped.
        let text = text.replace('\\', "\\\\").replace('"', "\\\"");
        let search = properties
            .iter()
            .map(|p| format!("\"{p}:{text}\""))
            .collect::<Vec<_>>()
            .join(" OR ");
        let limit = limit.max(1);
        let page = limit
            .min(self.page_size.map_or(999, usize::from))
            .min(999)
            .to_string();
        self.list(
            collection,
            &[("$search", &search), ("$count", "true"), ("$top", &page)],
            true,
        )
        .take(limit)
    }

    /// A user by object id or user principal name (a guest's
    /// `…#EXT#@…` included: the name is one path segment, encoded).
    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let Some(id) = segment(id) else {
            return Ok(None);
        };
        not_found_as_none(self.get(&format!("users/{id}"), &[]).await)
    }

    pub async fn group(&self, id: &str) -> Result<Option<Group>> {
        let Some(id) = segment(id) else {
            return Ok(None);
        };
        not_found_as_none(self.get(&format!("groups/{id}"), &[]).await)
    }

    pub async fn service_principal(&self, id: &str) -> Result<Option<ServicePrincipal>> {
        let Some(id) = segment(id) else {
            return Ok(None);
        };
        not_found_as_none(self.get(&format!("servicePrincipals/{id}"), &[]).await)
    }

    /// The enterprise application of an application id (`appId eq '…'`):
    /// pinning by id, never by a display name someone else can copy.
    pub async fn service_principal_by_app_id(
        &self,
        app_id: &str,
    ) -> Result<Option<ServicePrincipal>> {
        let filter = format!("appId eq {}", odata_literal(app_id));
        let mut found: Vec<ServicePrincipal> = self
            .list("servicePrincipals", &[("$filter", &filter)], false)
            .try_collect()
            .await?;
        Ok(found.pop())
    }

    /// Who holds app roles of the enterprise application `resource_id`.
    pub fn app_role_assigned_to(
        &self,
        resource_id: &str,
    ) -> impl Stream<Item = Result<AppRoleAssignment>> + Send + 'static + use<> {
        self.list(
            &format!("servicePrincipals/{resource_id}/appRoleAssignedTo"),
            &[],
            false,
        )
    }

    /// The app roles `principal_id` holds, in every application.
    /// `collection`: `users`, `groups` or `servicePrincipals`.
    pub fn app_role_assignments_of(
        &self,
        collection: &str,
        principal_id: &str,
    ) -> impl Stream<Item = Result<AppRoleAssignment>> + Send + 'static + use<> {
        self.list(
            &format!("{collection}/{principal_id}/appRoleAssignments"),
            &[],
            false,
        )
    }

    /// Grants `app_role_id` of `resource_id` to `principal_id`. A duplicate
    /// comes back as an error of kind `AlreadyExists`.
    pub async fn assign_app_role(
        &self,
        resource_id: &str,
        principal_id: &str,
        app_role_id: &str,
    ) -> Result<AppRoleAssignment> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            principal_id: &'a str,
            resource_id: &'a str,
            app_role_id: &'a str,
        }
        let url = self.service.url(
            &format!("servicePrincipals/{resource_id}/appRoleAssignedTo"),
            &[],
        )?;
        let answer = self
            .service
            .send(
                Method::Post,
                url,
                Some(&Body {
                    principal_id,
                    resource_id,
                    app_role_id,
                }),
                &[],
            )
            .await?;
        let mut created: AppRoleAssignment = answer.json(ServiceName::Graph)?;
        created.request_id = answer.request_id;
        Ok(created)
    }

    /// Removes an app-role assignment, answering the delete's request id;
    /// `None` when it was already gone.
    pub async fn remove_app_role_assignment(
        &self,
        resource_id: &str,
        assignment_id: &str,
    ) -> Result<Option<Deleted>> {
        let url = self.service.url(
            &format!("servicePrincipals/{resource_id}/appRoleAssignedTo/{assignment_id}"),
            &[],
        )?;
        match self
            .service
            .send::<()>(Method::Delete, url, None, &[])
            .await
        {
            Ok(answer) => Ok(Some(Deleted {
                request_id: answer.request_id,
            })),
            Err(AzureError::Api(e)) if e.kind == Kind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A delete Graph carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    /// Graph's `request-id` of the delete, for support.
    pub request_id: Option<String>,
}

/// `text` as one URL path segment: everything but letters, digits and
/// `-._~@` percent-encoded, so `/`, `?`, `#` (a guest's `#EXT#`) and `%`
/// stay inside the segment. `None` for `.` and `..`, which are no names and
/// would move the path (`a@b/../../me` must not read the admin's own user).
pub(crate) fn segment(text: &str) -> Option<String> {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'@');
    if text.is_empty() || text == "." || text == ".." {
        return None;
    }
    Some(percent_encoding::utf8_percent_encode(text, SEGMENT).to_string())
}

#[cfg(test)]
mod segment_tests {
    use super::segment;

    #[test]
    fn names_stay_one_segment() {
        assert_eq!(
            segment("ada_contoso.com#EXT#@contosodemo.onmicrosoft.com").as_deref(),
            Some("ada_contoso.com%23EXT%23@contosodemo.onmicrosoft.com")
        );
        assert_eq!(
            segment("a@b/../../me").as_deref(),
            Some("a@b%2F..%2F..%2Fme")
        );
        assert_eq!(
            segment("x?$select=id").as_deref(),
            Some("x%3F%24select%3Did")
        );
        assert_eq!(segment(".."), None);
        assert_eq!(segment(""), None);
        let url = url::Url::parse("https://graph.microsoft.com/v1.0/")
            .unwrap()
            .join(&format!("users/{}", segment("a@b/../../me").unwrap()))
            .unwrap();
        assert_eq!(url.path(), "/v1.0/users/a@b%2F..%2F..%2Fme");
    }
}
