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
        created: None,
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
        created: None,
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
            created: None,
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
            created: None,
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
            created: None,
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
            created: None,
        },
    ];
    let loopback = vec!["http://localhost".to_string()];
    // What an admin consented to for Rolecall (and what the Azure CLI is pre-authorised for).
    let consented: Vec<String> = [
        "User.Read",
        "Directory.Read.All",
        "AppRoleAssignment.ReadWrite.All",
        "Application.Read.All",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let applications = vec![
        Application {
            id: demo_id("application:rolecall"),
            app_id: demo_id("app:rolecall"),
            display_name: "Rolecall".into(),
            sign_in_audience: "AzureADMultipleOrgs".into(),
            public_client_redirect_uris: loopback.clone(),
            consented_graph_scopes: consented.clone(),
        },
        Application {
            id: demo_id("application:azure-cli"),
            app_id: AZURE_CLI_CLIENT_ID.into(),
            display_name: "Microsoft Azure CLI".into(),
            sign_in_audience: "AzureADMultipleOrgs".into(),
            public_client_redirect_uris: loopback,
            consented_graph_scopes: consented,
        },
        Application {
            id: demo_id("application:smtp-relay"),
            app_id: demo_id("app:smtp-relay"),
            display_name: "Contoso SMTP Relay".into(),
            sign_in_audience: "AzureADMyOrg".into(),
            public_client_redirect_uris: vec![],
            consented_graph_scopes: vec![],
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
    fn each_demo_admin_has_the_azure_rights_the_preflight_cases_need() {
        use crate::arm::rbac::can;
        let (arm, directory) = (Seed::Demo.arm(), Seed::Demo.directory());
        let voice = format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE));
        let write = "Microsoft.Authorization/roleAssignments/write";
        let who = |key: &str| demo_id(&format!("user:{key}"));
        assert!(can(&arm, &directory, &who("olivia.owner"), write, &voice));
        assert!(can(
            &arm,
            &directory,
            &who("uma.access"),
            write,
            &format!("{voice}/resourceGroups/rg-voice-gateway")
        ));
        assert!(!can(
            &arm,
            &directory,
            &who("carlos.cloudapps"),
            write,
            &voice
        ));
        assert!(!can(&arm, &directory, &who("rita.reader"), write, &voice));
        assert!(can(
            &arm,
            &directory,
            &who("rita.reader"),
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            &voice
        ));
        // Nadia reads the gateway through the ACG Operators group, not directly.
        let gateway = format!(
            "{voice}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod"
        );
        assert!(can(
            &arm,
            &directory,
            &who("nadia.novak"),
            "Microsoft.VoiceServices/communicationsGateways/read",
            &gateway
        ));
        assert!(!can(
            &arm,
            &directory,
            &who("nadia.novak"),
            "Microsoft.VoiceServices/communicationsGateways/read",
            &voice
        ));
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

// ---------------------------------------------------------------------------
// Azure Resource Manager

use crate::arm::model::{
    ArmState, DenyAssignment, DenyPrincipal, EVERYONE, ManagementGroup, Permission, Resource,
    ResourceGroup, RoleAssignment, RoleDefinition, Subscription,
};

/// Well-known built-in role definition ids (the same in every tenant).
pub mod builtin {
    pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    pub const USER_ACCESS_ADMINISTRATOR: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
    pub const SUPPORT_REQUEST_CONTRIBUTOR: &str = "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e";
    pub const RBAC_ADMINISTRATOR: &str = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
}

fn builtin_role(
    name: &str,
    role_name: &str,
    description: &str,
    actions: &[&str],
    not_actions: &[&str],
) -> RoleDefinition {
    RoleDefinition {
        name: name.into(),
        role_name: role_name.into(),
        description: description.into(),
        role_type: "BuiltInRole".into(),
        permissions: vec![Permission {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
            ..Permission::default()
        }],
        assignable_scopes: vec!["/".into()],
        created_on: Some("2015-02-02T21:55:09.8806423Z".into()),
        updated_on: Some("2025-01-01T00:00:00.0000000Z".into()),
        created_by: None,
        updated_by: None,
    }
}

/// The built-in roles the demo needs, written for this project. Loading the
/// full reference catalogue (`--reference`) replaces them with all of Azure's.
pub fn demo_builtin_roles() -> Vec<RoleDefinition> {
    vec![
        builtin_role(
            builtin::OWNER,
            "Owner",
            "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
            &["*"],
            &[],
        ),
        builtin_role(
            builtin::CONTRIBUTOR,
            "Contributor",
            "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
            &["*"],
            &[
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
            ],
        ),
        builtin_role(
            builtin::READER,
            "Reader",
            "View all resources, but does not allow you to make any changes.",
            &["*/read"],
            &[],
        ),
        builtin_role(
            builtin::USER_ACCESS_ADMINISTRATOR,
            "User Access Administrator",
            "Lets you manage user access to Azure resources.",
            &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
            &[],
        ),
        builtin_role(
            builtin::SUPPORT_REQUEST_CONTRIBUTOR,
            "Support Request Contributor",
            "Lets you create and manage Support requests",
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
        builtin_role(
            builtin::RBAC_ADMINISTRATOR,
            "Role Based Access Control Administrator",
            "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
            &[
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "*/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
    ]
}

impl Seed {
    pub fn arm(self) -> ArmState {
        match self {
            Seed::Demo => demo_arm(),
        }
    }
}

pub const DEMO_SUB_VOICE: &str = "sub:voice-prod";
pub const DEMO_SUB_MESSAGING: &str = "sub:messaging";
pub const DEMO_SUB_LEGACY: &str = "sub:legacy";

fn demo_arm() -> ArmState {
    let voice = demo_id(DEMO_SUB_VOICE);
    let messaging = demo_id(DEMO_SUB_MESSAGING);
    let legacy = demo_id(DEMO_SUB_LEGACY);
    let subscriptions = vec![
        Subscription {
            id: voice.clone(),
            display_name: "Contoso Voice Production".into(),
            state: "Enabled".into(),
        },
        Subscription {
            id: messaging.clone(),
            display_name: "Contoso Messaging".into(),
            state: "Enabled".into(),
        },
        Subscription {
            id: legacy.clone(),
            display_name: "Contoso Legacy".into(),
            state: "Disabled".into(),
        },
    ];
    let rg = |sub: &str, name: &str, location: &str| ResourceGroup {
        subscription_id: sub.into(),
        name: name.into(),
        location: location.into(),
    };
    let resource_groups = vec![
        rg(&voice, "rg-voice-gateway", "uksouth"),
        rg(&voice, "rg-voice-monitoring", "uksouth"),
        rg(&messaging, "rg-email", "northeurope"),
        rg(&legacy, "rg-old", "westeurope"),
    ];
    let resource =
        |sub: &str, group: &str, resource_type: &str, name: &str, location: &str| Resource {
            subscription_id: sub.into(),
            resource_group: group.into(),
            resource_type: resource_type.into(),
            name: name.into(),
            location: location.into(),
        };
    let resources = vec![
        resource(
            &voice,
            "rg-voice-gateway",
            "Microsoft.VoiceServices/communicationsGateways",
            "cgw-contoso-prod",
            "uksouth",
        ),
        resource(
            &voice,
            "rg-voice-monitoring",
            "Microsoft.OperationalInsights/workspaces",
            "log-voice-prod",
            "uksouth",
        ),
        resource(
            &messaging,
            "rg-email",
            "Microsoft.Communication/communicationServices",
            "acs-contoso-mail",
            "global",
        ),
        resource(
            &messaging,
            "rg-email",
            "Microsoft.Communication/emailServices",
            "email-contoso",
            "global",
        ),
    ];
    let assign = |key: &str, scope: String, role: &str, principal: &str, principal_type: &str| {
        RoleAssignment {
            name: demo_id(&format!("assignment:{key}")),
            scope,
            role_definition_name: role.into(),
            principal_id: demo_id(principal),
            principal_type: principal_type.into(),
            description: None,
            condition: None,
            condition_version: None,
            created_on: "2026-01-15T09:00:00.0000000Z".into(),
            updated_on: "2026-01-15T09:00:00.0000000Z".into(),
            created_by: demo_id("user:olivia.owner"),
            updated_by: demo_id("user:olivia.owner"),
        }
    };
    let sub = |id: &str| format!("/subscriptions/{id}");
    let gateway = resources[0].scope();
    let role_assignments = vec![
        assign(
            "olivia-voice",
            sub(&voice),
            builtin::OWNER,
            "user:olivia.owner",
            "User",
        ),
        assign(
            "olivia-messaging",
            sub(&messaging),
            builtin::OWNER,
            "user:olivia.owner",
            "User",
        ),
        assign(
            "olivia-legacy",
            sub(&legacy),
            builtin::OWNER,
            "user:olivia.owner",
            "User",
        ),
        assign(
            "uma-voice",
            sub(&voice),
            builtin::USER_ACCESS_ADMINISTRATOR,
            "user:uma.access",
            "User",
        ),
        assign(
            "uma-messaging",
            sub(&messaging),
            builtin::USER_ACCESS_ADMINISTRATOR,
            "user:uma.access",
            "User",
        ),
        assign(
            "carlos-voice",
            sub(&voice),
            builtin::READER,
            "user:carlos.cloudapps",
            "User",
        ),
        assign(
            "rita-voice",
            sub(&voice),
            builtin::READER,
            "user:rita.reader",
            "User",
        ),
        assign(
            "rita-messaging",
            sub(&messaging),
            builtin::READER,
            "user:rita.reader",
            "User",
        ),
        assign(
            "operators-gateway",
            gateway.clone(),
            builtin::READER,
            "group:acg-operators",
            "Group",
        ),
        assign(
            "deploy-identity",
            format!("{}/resourceGroups/rg-voice-gateway", sub(&voice)),
            builtin::CONTRIBUTOR,
            "sp:deploy-identity",
            "ServicePrincipal",
        ),
    ];
    // Like the deny assignments Azure makes for managed deployments: nobody but
    // the deployment identity may delete the gateway.
    let deny_assignments = vec![DenyAssignment {
        name: demo_id("deny:gateway-delete"),
        deny_assignment_name: "Protect the production gateway from deletion".into(),
        description: "Created by the voice deployment; only its identity may delete the gateway."
            .into(),
        permissions: vec![Permission {
            actions: vec!["Microsoft.VoiceServices/communicationsGateways/delete".into()],
            ..Permission::default()
        }],
        scope: gateway.clone(),
        do_not_apply_to_child_scopes: false,
        principals: vec![DenyPrincipal {
            id: EVERYONE.into(),
            principal_type: "SystemDefined".into(),
        }],
        exclude_principals: vec![DenyPrincipal {
            id: demo_id("sp:deploy-identity"),
            principal_type: "ServicePrincipal".into(),
        }],
        is_system_protected: true,
    }];
    // The tenant root group (named by the tenant id, as Azure names it) with
    // a platform group (the legacy subscription) and a workloads group (the
    // voice and messaging subscriptions). Nobody holds a role at a group
    // until one is granted (a Global Administrator elevates first, as in Azure).
    let management_groups = vec![
        ManagementGroup {
            name: DEMO_TENANT_ID.into(),
            display_name: "Tenant Root Group".into(),
            parent: None,
            subscriptions: vec![],
        },
        ManagementGroup {
            name: "mg-platform".into(),
            display_name: "Contoso Platform".into(),
            parent: Some(DEMO_TENANT_ID.into()),
            subscriptions: vec![legacy.clone()],
        },
        ManagementGroup {
            name: "mg-workloads".into(),
            display_name: "Contoso Workloads".into(),
            parent: Some(DEMO_TENANT_ID.into()),
            subscriptions: vec![voice.clone(), messaging.clone()],
        },
    ];
    ArmState {
        management_groups,
        subscriptions,
        resource_groups,
        resources,
        role_definitions: demo_builtin_roles(),
        role_assignments,
        deny_assignments,
        pim: demo_pim(&voice),
    }
}

/// Carlos may activate Contributor on the gateway's resource group for up
/// to 8 hours (eligible for a year from the tenant's first start), so the
/// demo shows an eligible assignment's whole life. He is also eligible for
/// Owner there, whose PIM settings ask Olivia to approve each activation
/// (eligible permanently, as break-glass roles often are), and has asked to
/// activate it: the demo's admin finds it under Approve requests.
fn demo_pim(voice: &str) -> crate::arm::model::Pim {
    use crate::arm::model::{Pim, PimApproval, PimKind, PimPolicy, PimRequest, PimSchedule};
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
    );
    let now = time::OffsetDateTime::now_utc();
    let at = |t: time::OffsetDateTime| t.format(&format).unwrap_or_default();
    let (start, end) = (at(now), at(now + time::Duration::days(365)));
    let scope = format!("/subscriptions/{voice}/resourceGroups/rg-voice-gateway");
    let carlos = demo_id("user:carlos.cloudapps");
    let olivia = demo_id("user:olivia.owner");
    let request =
        |name: &str, role: &str, request_type: &str, expiration: serde_json::Value, why: &str| {
            PimRequest {
                kind: if request_type == "SelfActivate" {
                    PimKind::Assignment
                } else {
                    PimKind::Eligibility
                },
                name: name.to_owned(),
                scope: scope.clone(),
                role: role.into(),
                principal_id: carlos.clone(),
                principal_type: "User".into(),
                request_type: request_type.into(),
                status: "Provisioned".into(),
                start: start.clone(),
                expiration,
                justification: Some(why.into()),
                ticket_info: serde_json::json!({}),
                requestor_id: if request_type == "SelfActivate" {
                    carlos.clone()
                } else {
                    olivia.clone()
                },
                created_on: start.clone(),
                target_schedule: Some(name.to_owned()),
                linked_eligibility: None,
                condition: None,
                condition_version: None,
                approval: None,
            }
        };
    let eligibility = |name: &str, role: &str, end: Option<String>| PimSchedule {
        kind: PimKind::Eligibility,
        name: name.to_owned(),
        scope: scope.clone(),
        role: role.into(),
        principal_id: carlos.clone(),
        principal_type: "User".into(),
        start: start.clone(),
        end,
        request_name: name.to_owned(),
        created_on: start.clone(),
        updated_on: start.clone(),
        assignment_type: None,
        linked_eligibility: None,
        role_assignment: None,
        condition: None,
        condition_version: None,
    };
    let contributor = demo_id("pim:carlos-gateway-contributor");
    let owner = demo_id("pim:carlos-gateway-owner");
    let asked = demo_id("pim:carlos-gateway-owner-activation");
    let approval = demo_id("pim:carlos-gateway-owner-approval");
    // Owner there: permanent eligibility allowed, activation approved by Olivia.
    let mut rules = crate::arm::authorization::default_pim_rules();
    for rule in &mut rules {
        match rule["id"].as_str() {
            Some("Expiration_Admin_Eligibility") => {
                rule["isExpirationRequired"] = false.into();
                rule["maximumDuration"] = "PT0S".into();
            }
            Some("Approval_EndUser_Assignment") => {
                rule["setting"]["isApprovalRequired"] = true.into();
                rule["setting"]["approvalStages"][0]["primaryApprovers"] = serde_json::json!([
                    {"id": olivia, "description": "Olivia Owner", "isBackup": false, "userType": "User"}
                ]);
            }
            _ => {}
        }
    }
    let mut activation = request(
        &asked,
        builtin::OWNER,
        "SelfActivate",
        serde_json::json!({"type": "AfterDuration", "duration": "PT2H", "endDateTime": null}),
        "Certificate rotation on the gateway (CHG-2291)",
    );
    activation.status = "PendingApproval".into();
    activation.target_schedule = None;
    activation.linked_eligibility = Some(owner.clone());
    activation.approval = Some(approval.clone());
    Pim {
        requests: vec![
            request(
                &contributor,
                builtin::CONTRIBUTOR,
                "AdminAssign",
                serde_json::json!({"type": "AfterDuration", "duration": "P365D", "endDateTime": null}),
                "On call for the gateway",
            ),
            request(
                &owner,
                builtin::OWNER,
                "AdminAssign",
                serde_json::json!({"type": "NoExpiration", "duration": null, "endDateTime": null}),
                "Break-glass for the gateway",
            ),
            activation,
        ],
        schedules: vec![
            eligibility(&contributor, builtin::CONTRIBUTOR, Some(end)),
            eligibility(&owner, builtin::OWNER, None),
        ],
        policies: vec![PimPolicy {
            scope: scope.clone(),
            role: builtin::OWNER.into(),
            rules,
            last_modified_by: olivia.clone(),
            last_modified: start.clone(),
        }],
        expired: Vec::new(),
        approvals: vec![PimApproval {
            name: approval,
            stage: demo_id("pim:carlos-gateway-owner-approval-stage"),
            request_name: asked,
            approvers: vec![olivia.clone()],
            status: "InProgress".into(),
            review_result: "NotReviewed".into(),
            reviewed_by: None,
            reviewed_on: None,
            justification: String::new(),
            created_on: start.clone(),
        }],
    }
}
