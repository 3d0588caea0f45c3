//! Tenants the emulator can start with. The demo seed is the project's own
//! invention (no real tenant's data). Object ids are UUIDv5 of a readable key
//! ([`demo_id`]) so tests and docs can name them without copying GUIDs around.

use serde::Serialize;

use crate::directory::{
    AppRole, Application, Directory, Group, ServicePrincipal, User, role_templates,
};

/// The demo tenant's id: fixed, so screenshots, docs and tests agree.
pub const DEMO_TENANT_ID: &str = "6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81";
pub const DEMO_DOMAIN: &str = "contosodemo.onmicrosoft.com";

/// Azure Communications Gateway's first-party application (from Microsoft's procedure).
pub const ACG_APP_ID: &str = "8502a0ec-c76d-412f-836c-398018e2312b";
/// The Azure CLI's public client id, which Entra pre-authorises for ARM and Graph.
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

const NAMESPACE: uuid::Uuid = uuid::uuid!("3c1d9b0e-6a57-4f0e-9d55-5b1f6f0a7c21");

/// A stable object id for a readable key such as `user:olivia.owner`.
pub fn demo_id(key: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: String,
    pub display_name: String,
    pub default_domain: String,
}

impl Tenant {
    /// Whether `name` (as it appears in an authority URL) designates this tenant:
    /// its id or its default domain, case-insensitively, as Entra resolves them.
    pub fn answers_to(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.id) || name.eq_ignore_ascii_case(&self.default_domain)
    }
}

/// Which data the emulator starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Seed {
    /// The demo tenant a newcomer meets on first launch.
    Demo,
}

impl Seed {
    pub fn tenant(self) -> Tenant {
        match self {
            Seed::Demo => Tenant {
                id: DEMO_TENANT_ID.into(),
                display_name: "Contoso Demo".into(),
                default_domain: DEMO_DOMAIN.into(),
            },
        }
    }

    pub fn directory(self) -> Directory {
        match self {
            Seed::Demo => demo_directory(),
        }
    }
}

fn user(key: &str, display_name: &str) -> User {
    let upn = format!("{key}@{DEMO_DOMAIN}");
    User {
        id: demo_id(&format!("user:{key}")),
        display_name: display_name.into(),
        user_principal_name: upn.clone(),
        mail: Some(upn),
        user_type: "Member".into(),
        account_enabled: true,
    }
}

fn group(key: &str, display_name: &str, description: &str, members: &[&str]) -> Group {
    Group {
        id: demo_id(&format!("group:{key}")),
        display_name: display_name.into(),
        description: Some(description.into()),
        mail_nickname: key.into(),
        security_enabled: true,
        members: members.iter().map(|k| demo_id(k)).collect(),
    }
}

fn app_role(app: &str, value: &str, display_name: &str, description: &str) -> AppRole {
    AppRole {
        id: demo_id(&format!("approle:{app}:{value}")),
        value: value.into(),
        display_name: display_name.into(),
        description: description.into(),
        allowed_member_types: vec!["User".into()],
        is_enabled: true,
        origin: "Application".into(),
    }
}

/// The demo directory: four admins with different rights (so every preflight
/// outcome can be shown), staff to onboard, groups, and the applications of
/// the two onboarding procedures, including a look-alike of AzureCommunicationsGateway.
fn demo_directory() -> Directory {
    let mut guest = user("sam.partner_fabrikam.com#EXT#", "Sam Partner (Fabrikam)");
    guest.user_type = "Guest".into();
    guest.mail = Some("sam.partner@fabrikam.example".into());
    let users = vec![
        // Admins.
        user("olivia.owner", "Olivia Owner"),
        user("uma.access", "Uma Access-Admin"),
        user("carlos.cloudapps", "Carlos Cloud-Apps"),
        user("rita.reader", "Rita Reader"),
        // People to onboard.
        user("nadia.novak", "Nadia Novak"),
        user("tom.baker", "Tom Baker"),
        user("priya.shah", "Priya Shah"),
        user("lars.eriksson", "Lars Eriksson"),
        user("mei.chen", "Mei Chen"),
        user("diego.alvarez", "Diego Alvarez"),
        user("fatima.zahra", "Fatima Zahra"),
        guest,
    ];
    let groups = vec![
        group(
            "acg-operators",
            "ACG Operators",
            "Run the Communications Gateway day to day",
            &["user:nadia.novak", "user:tom.baker"],
        ),
        group(
            "acg-support",
            "ACG Support",
            "Raise support requests for voice services",
            &["user:priya.shah"],
        ),
        group(
            "email-senders",
            "Email Senders",
            "Applications and people that send mail through Communication Services",
            &[],
        ),
        group(
            "platform-admins",
            "Platform Admins",
            "Azure platform team",
            &["user:olivia.owner"],
        ),
        group(
            "app-admins",
            "Application Admins",
            "Manage enterprise applications",
            &["user:carlos.cloudapps"],
        ),
    ];
    let acg_roles = vec![
        app_role(
            "acg",
            "ProvisioningAPI.ReadUser",
            "ProvisioningAPI.ReadUser",
            "View the configuration of numbers in the Number Management Portal",
        ),
        app_role(
            "acg",
            "ProvisioningAPI.WriteUser",
            "ProvisioningAPI.WriteUser",
            "Change the configuration of numbers in the Number Management Portal",
        ),
        app_role(
            "acg",
            "ProvisioningAPI.DeleteUser",
            "ProvisioningAPI.DeleteUser",
            "Remove numbers in the Number Management Portal",
        ),
        app_role(
            "acg",
            "ProvisioningAPI.AdminUser",
            "ProvisioningAPI.AdminUser",
            "Everything in the Number Management Portal",
        ),
    ];
    let synergy_roles = vec![
        app_role(
            "synergy",
            "ProvisioningAPI.ReadUser",
            "ProvisioningAPI.ReadUser",
            "Read",
        ),
        app_role(
            "synergy",
            "ProvisioningAPI.AdminUser",
            "ProvisioningAPI.AdminUser",
            "Admin",
        ),
    ];
    let microsoft = Some("f8cdef31-a31e-4b4a-93e4-5f571e91255a".to_string()); // Microsoft Services tenant
    let service_principals = vec![
        ServicePrincipal {
            id: demo_id("sp:acg"),
            app_id: ACG_APP_ID.into(),
            display_name: "AzureCommunicationsGateway".into(),
            service_principal_type: "Application".into(),
            publisher_name: Some("Microsoft Services".into()),
            app_owner_organization_id: microsoft.clone(),
            app_roles: acg_roles,
            account_enabled: true,
        },
        ServicePrincipal {
            id: demo_id("sp:synergy"),
            app_id: demo_id("app:synergy"),
            display_name: "Project Synergy".into(),
            service_principal_type: "Application".into(),
            publisher_name: Some("Microsoft Services".into()),
            app_owner_organization_id: microsoft,
            app_roles: synergy_roles,
            account_enabled: true,
        },
        ServicePrincipal {
            id: demo_id("sp:smtp-relay"),
            app_id: demo_id("app:smtp-relay"),
            display_name: "Contoso SMTP Relay".into(),
            service_principal_type: "Application".into(),
            publisher_name: Some("Contoso Demo".into()),
            app_owner_organization_id: Some(DEMO_TENANT_ID.into()),
            app_roles: vec![],
            account_enabled: true,
        },
        ServicePrincipal {
            id: demo_id("sp:deploy-identity"),
            app_id: demo_id("app:deploy-identity"),
            display_name: "id-voice-deploy".into(),
            service_principal_type: "ManagedIdentity".into(),
            publisher_name: None,
            app_owner_organization_id: None,
            app_roles: vec![],
            account_enabled: true,
        },
    ];
    let loopback = vec!["http://localhost".to_string()];
    let applications = vec![
        Application {
            id: demo_id("application:rolecall"),
            app_id: demo_id("app:rolecall"),
            display_name: "Rolecall".into(),
            sign_in_audience: "AzureADMultipleOrgs".into(),
            public_client_redirect_uris: loopback.clone(),
        },
        Application {
            id: demo_id("application:azure-cli"),
            app_id: AZURE_CLI_CLIENT_ID.into(),
            display_name: "Microsoft Azure CLI".into(),
            sign_in_audience: "AzureADMultipleOrgs".into(),
            public_client_redirect_uris: loopback,
        },
        Application {
            id: demo_id("application:smtp-relay"),
            app_id: demo_id("app:smtp-relay"),
            display_name: "Contoso SMTP Relay".into(),
            sign_in_audience: "AzureADMyOrg".into(),
            public_client_redirect_uris: vec![],
        },
    ];
    let directory_role_members = vec![
        (
            role_templates::GLOBAL_ADMINISTRATOR.to_string(),
            demo_id("user:olivia.owner"),
        ),
        // Carlos holds it through a group, as many tenants grant it.
        (
            role_templates::CLOUD_APPLICATION_ADMINISTRATOR.to_string(),
            demo_id("group:app-admins"),
        ),
    ];
    Directory {
        users,
        groups,
        applications,
        service_principals,
        directory_role_members,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_directory_gives_each_admin_a_different_standing() {
        let d = Seed::Demo.directory();
        let roles = |key: &str| d.directory_roles_of(&demo_id(&format!("user:{key}")));
        assert_eq!(
            roles("olivia.owner"),
            vec![role_templates::GLOBAL_ADMINISTRATOR]
        );
        assert_eq!(
            roles("carlos.cloudapps"),
            vec![role_templates::CLOUD_APPLICATION_ADMINISTRATOR]
        );
        assert!(roles("uma.access").is_empty());
        assert!(roles("rita.reader").is_empty());
        assert!(d.users.len() >= 12 && d.groups.len() >= 5);
    }

    #[test]
    fn the_look_alike_shares_names_but_not_the_application_id() {
        let d = Seed::Demo.directory();
        let acg = d
            .service_principals
            .iter()
            .find(|s| s.app_id == ACG_APP_ID)
            .unwrap();
        let synergy = d
            .service_principals
            .iter()
            .find(|s| s.display_name == "Project Synergy")
            .unwrap();
        assert_ne!(acg.app_id, synergy.app_id);
        assert!(
            synergy
                .app_roles
                .iter()
                .any(|r| r.value == "ProvisioningAPI.AdminUser")
        );
        assert_eq!(acg.app_roles.len(), 4);
    }
}
