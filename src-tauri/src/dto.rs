//! What crosses IPC. Every type here is exported to `ui/src/bindings.ts` by
//! specta; nothing secret (no token, no refresh token, no key) may ever be a
//! field of one of them.

use serde::{Deserialize, Serialize};
use specta::Type;

/// Where the app's cloud came from.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum CloudMode {
    /// The built-in emulator seeded with the demo tenant (no real Azure).
    Demo,
    /// A custom cloud profile (for example an emulator started by the tests).
    Custom,
    /// One of Microsoft's clouds.
    Azure,
}

/// The cloud and tenant the app talks to.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CloudSummary {
    pub name: String,
    pub mode: CloudMode,
    pub tenant: String,
    pub authority_host: String,
    pub resource_manager_endpoint: String,
    pub graph_endpoint: String,
}

/// Why Rolecall could not start, for the window's error screen.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StartupProblem {
    /// What failed, with its causes.
    pub what: String,
    /// What the person can do about it.
    pub todo: String,
}

/// How the start went: asked for first, before any other command.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StartupView {
    /// Set when Rolecall could not start: the window shows only this.
    pub problem: Option<StartupProblem>,
    /// What the person should know (settings moved aside, a keychain out of
    /// reach), shown once above the first screen.
    pub notices: Vec<String>,
    /// The folder of the log files.
    pub log_folder: Option<String>,
}

/// What the frame shows in its header.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub cloud: CloudSummary,
}

/// The result of reaching the cloud's sign-in authority.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub issuer: String,
    pub tenant: String,
    pub elapsed_ms: u32,
}

/// Every command's error: what kind it is (the UI matches on this, checked
/// by TypeScript), the code of whoever refused (Azure's, Entra's or
/// Rolecall's), and a message that says what to do.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
}

/// What the window does about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub enum ErrorKind {
    /// What was given is not valid; the message says what to give.
    InvalidInput,
    /// No account is signed in, or its sign-in is gone: sign in.
    SignInRequired,
    /// The tenant asks for an interactive sign-in (MFA, Conditional Access).
    InteractionRequired,
    /// The admin gave up (a sign-in cancelled).
    Cancelled,
    /// The admin lacks a right here.
    Forbidden,
    /// The thing named does not exist (or no longer).
    NotFound,
    /// A plan or report kept for review is gone; review again.
    Expired,
    /// A rule refuses it (a built-in role, one still assigned, a run going on).
    Refused,
    /// Azure or the network did not answer; try again later.
    Unavailable,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// The kind of an error code, decided once here for every command.
    pub fn of(code: &str) -> Self {
        match code {
            "InvalidInput"
            | "InvalidScope"
            | "InvalidSetting"
            | "InvalidTenant"
            | "InvalidCloudProfile"
            | "InvalidJson"
            | "ReadFailed"
            | "BadRequest" => Self::InvalidInput,
            "NotSignedIn"
            | "SignInAgain"
            | "UnknownAccount"
            | "SignInTimedOut"
            | "SignInStateMismatch" => Self::SignInRequired,
            "InteractionRequired" => Self::InteractionRequired,
            "SignInCancelled" => Self::Cancelled,
            "AuthorizationFailed" | "Authorization_RequestDenied" | "Forbidden" => Self::Forbidden,
            "NotFound"
            | "NoTemplate"
            | "NoApp"
            | "NoAppRole"
            | "NotUnfinished"
            | "RoleDefinitionDoesNotExist"
            | "Request_ResourceNotFound" => Self::NotFound,
            "PlanExpired" | "ReportExpired" => Self::Expired,
            "Refused"
            | "BuiltInRole"
            | "RoleDefinitionHasAssignments"
            | "Running"
            | "NoJournal" => Self::Refused,
            "Unreachable"
            | "ServiceUnavailable"
            | "TooManyRequests"
            | "Throttled"
            | "GatewayTimeout"
            | "InternalServerError" => Self::Unavailable,
            _ => Self::Other,
        }
    }
}

impl CommandError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let code = code.into();
        Self {
            kind: ErrorKind::of(&code),
            code,
            message: message.into(),
        }
    }
}

impl From<rolecall_app::AppError> for CommandError {
    fn from(error: rolecall_app::AppError) -> Self {
        Self::new(error.code.to_owned(), error.message)
    }
}

impl From<rolecall_auth::AuthError> for CommandError {
    fn from(error: rolecall_auth::AuthError) -> Self {
        Self::new(error.code().to_owned(), error.to_string())
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        if let Some(core) = error.downcast_ref::<rolecall_core::Error>() {
            return Self::new(core.code().to_owned(), core.to_string());
        }
        if let Some(auth) = error.downcast_ref::<rolecall_auth::AuthError>() {
            return Self::new(auth.code().to_owned(), auth.to_string());
        }
        Self::new("Error", format!("{error:#}"))
    }
}

/// Where an account's tokens come from.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum AccountSource {
    /// Signed in with Rolecall (refresh token in the OS keychain).
    Rolecall,
    /// The Azure CLI's own sign-in.
    AzureCli,
}

/// An account on this computer: names and ids only, never a token.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub home_tenant_id: String,
    pub source: AccountSource,
    /// Its session is gone (revoked, expired): it must sign in again.
    pub needs_sign_in: bool,
}

/// How the active account is doing in the active tenant.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum SessionHealth {
    /// Tokens come silently.
    Ready,
    /// The session expired or was revoked: sign in again.
    SignInAgain,
    /// The tenant demands an interactive sign-in (MFA, Conditional Access).
    InteractionRequired,
    /// The cloud could not be reached; the session itself may be fine.
    Unreachable,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ActiveView {
    pub account_id: String,
    pub tenant_id: String,
    pub health: SessionHealth,
    /// What to do, when not ready.
    pub message: Option<String>,
}

/// The accounts and the one in use.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub accounts: Vec<AccountView>,
    pub active: Option<ActiveView>,
}

/// A tenant the active account can reach.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub home: bool,
    pub active: bool,
}

/// What the admin is shown for a device-code sign-in (no secret: the user
/// code is meant to be typed by a person and is useless without the device
/// code, which stays in the backend).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeView {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in_secs: u32,
}

/// Which cloud to sign in to.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum CloudChoiceView {
    Demo,
    Azure,
    UsGovernment,
    China,
    #[serde(rename_all = "camelCase")]
    Custom {
        profile_path: String,
    },
}

impl From<&rolecall_core::CloudChoice> for CloudChoiceView {
    fn from(choice: &rolecall_core::CloudChoice) -> Self {
        use rolecall_core::CloudChoice as C;
        match choice {
            C::Demo => Self::Demo,
            C::Azure => Self::Azure,
            C::UsGovernment => Self::UsGovernment,
            C::China => Self::China,
            C::Custom { profile_path } => Self::Custom {
                profile_path: profile_path.display().to_string(),
            },
        }
    }
}

impl From<CloudChoiceView> for rolecall_core::CloudChoice {
    fn from(choice: CloudChoiceView) -> Self {
        match choice {
            CloudChoiceView::Demo => Self::Demo,
            CloudChoiceView::Azure => Self::Azure,
            CloudChoiceView::UsGovernment => Self::UsGovernment,
            CloudChoiceView::China => Self::China,
            CloudChoiceView::Custom { profile_path } => Self::Custom {
                profile_path: profile_path.into(),
            },
        }
    }
}

/// The settings the admin can change before signing in.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub cloud: CloudChoiceView,
    /// `organizations`, a tenant id or a domain; empty: the cloud's default.
    pub tenant: Option<String>,
    /// Empty: the default client id.
    pub client_id: Option<String>,
}

/// The settings, with what the app decided for the admin.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInfo {
    pub settings: SettingsView,
    pub default_client_id: String,
    /// The cloud was chosen on the command line; the setting applies next time.
    pub cloud_locked: bool,
}

impl From<rolecall_core::Error> for CommandError {
    fn from(error: rolecall_core::Error) -> Self {
        Self::new(error.code().to_owned(), error.to_string())
    }
}

// ---------------------------------------------------------------------------
// Reading the tenant and granting access.

impl From<rolecall_azure::AzureError> for CommandError {
    fn from(error: rolecall_azure::AzureError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<rolecall_grants::resolve::ResolveError> for CommandError {
    fn from(error: rolecall_grants::resolve::ResolveError) -> Self {
        match error {
            rolecall_grants::resolve::ResolveError::Azure(e) => e.into(),
            other => Self::new("NotFound", other.to_string()),
        }
    }
}

impl From<rolecall_rbac::ScopeError> for CommandError {
    fn from(error: rolecall_rbac::ScopeError) -> Self {
        Self::new("InvalidScope", error.to_string())
    }
}

/// What level of the ARM hierarchy a scope is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
pub enum ScopeKind {
    Subscription,
    ResourceGroup,
    Resource,
}

/// One node of the scope picker's tree.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScopeNode {
    /// The full ARM id, which is the scope.
    pub id: String,
    pub name: String,
    pub kind: ScopeKind,
    /// The resource type (`Microsoft.VoiceServices/communicationsGateways`),
    /// or the subscription's state, or the resource group's location.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
pub enum MemberKind {
    User,
    Group,
    ServicePrincipal,
}

/// A user, group or service principal, as the member picker shows it and as
/// a grant names it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub id: String,
    pub kind: MemberKind,
    pub display_name: String,
    /// The UPN or mail, or a service principal's application id ("" if none).
    pub detail: String,
    /// What to beware of (a look-alike application, a shared name); "" if nothing.
    pub warning: String,
    /// What it is, as the portal names it (User, Guest, Group, Service
    /// principal, Managed identity); "" when only the kind is known.
    pub label: String,
}

impl From<&rolecall_grants::Member> for MemberView {
    fn from(m: &rolecall_grants::Member) -> Self {
        Self {
            id: m.id.clone(),
            kind: match m.kind {
                rolecall_grants::MemberKind::User => MemberKind::User,
                rolecall_grants::MemberKind::Group => MemberKind::Group,
                rolecall_grants::MemberKind::ServicePrincipal => MemberKind::ServicePrincipal,
            },
            display_name: m.display_name.clone(),
            detail: m.detail.clone().unwrap_or_default(),
            warning: String::new(),
            label: String::new(),
        }
    }
}

impl From<&MemberView> for rolecall_grants::Member {
    fn from(m: &MemberView) -> Self {
        Self {
            id: m.id.clone(),
            kind: match m.kind {
                MemberKind::User => rolecall_grants::MemberKind::User,
                MemberKind::Group => rolecall_grants::MemberKind::Group,
                MemberKind::ServicePrincipal => rolecall_grants::MemberKind::ServicePrincipal,
            },
            display_name: m.display_name.clone(),
            detail: (!m.detail.is_empty()).then(|| m.detail.clone()),
        }
    }
}

/// A role definition as the role picker shows it.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    /// The role definition's GUID.
    pub id: String,
    pub name: String,
    pub description: String,
    pub custom: bool,
    /// Grants the right to change access or everything (Owner, User Access
    /// Administrator, Contributor…): the portal's "privileged" roles.
    pub privileged: bool,
    /// Actions, then "not:" exclusions, then data actions, for the details pane.
    pub permissions: Vec<String>,
}

/// An enterprise application and its app roles.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppView {
    /// The service principal's object id.
    pub id: String,
    pub app_id: String,
    pub display_name: String,
    pub app_roles: Vec<AppRoleView>,
    /// A look-alike warning; "" if none.
    pub warning: String,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleView {
    pub id: String,
    pub value: String,
    pub display_name: String,
    pub description: String,
    /// Whom it can be given to: "users and groups", "applications", or both.
    pub members: String,
}

/// Who holds one of an application's app roles.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleHolderView {
    pub id: String,
    pub app_role_id: String,
    pub app_role_value: String,
    pub principal_id: String,
    pub principal_type: String,
    pub principal_display_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AzureRoleGrantView {
    pub scope: String,
    pub role_id: String,
    pub role_name: String,
    pub member: MemberView,
    /// "" for none.
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleGrantView {
    pub resource_id: String,
    pub resource_name: String,
    pub app_id: String,
    pub app_role_id: String,
    pub app_role_value: String,
    pub member: MemberView,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(tag = "type")]
pub enum GrantView {
    AzureRole(AzureRoleGrantView),
    AppRole(AppRoleGrantView),
}

impl From<&GrantView> for rolecall_grants::Grant {
    fn from(g: &GrantView) -> Self {
        match g {
            GrantView::AzureRole(r) => Self::AzureRole(rolecall_grants::AzureRoleGrant {
                scope: r.scope.clone(),
                role_id: r.role_id.clone(),
                role_name: r.role_name.clone(),
                member: (&r.member).into(),
                description: (!r.description.is_empty()).then(|| r.description.clone()),
            }),
            GrantView::AppRole(a) => Self::AppRole(rolecall_grants::AppRoleGrant {
                resource_id: a.resource_id.clone(),
                resource_name: a.resource_name.clone(),
                app_id: a.app_id.clone(),
                app_role_id: a.app_role_id.clone(),
                app_role_value: a.app_role_value.clone(),
                member: (&a.member).into(),
            }),
        }
    }
}

impl From<&rolecall_grants::Grant> for GrantView {
    fn from(g: &rolecall_grants::Grant) -> Self {
        match g {
            rolecall_grants::Grant::AzureRole(r) => Self::AzureRole(AzureRoleGrantView {
                scope: r.scope.clone(),
                role_id: r.role_id.clone(),
                role_name: r.role_name.clone(),
                member: (&r.member).into(),
                description: r.description.clone().unwrap_or_default(),
            }),
            rolecall_grants::Grant::AppRole(a) => Self::AppRole(AppRoleGrantView {
                resource_id: a.resource_id.clone(),
                resource_name: a.resource_name.clone(),
                app_id: a.app_id.clone(),
                app_role_id: a.app_role_id.clone(),
                app_role_value: a.app_role_value.clone(),
                member: (&a.member).into(),
            }),
        }
    }
}

/// A grant's state before applying.
#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum PlanState {
    ToCreate,
    InPlace,
    Inherited,
    /// Redundant: another role the member holds covers it.
    Covered,
    Blocked,
    /// There, and left as it is on purpose (an undo keeps what it did not make).
    Kept,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanItemView {
    pub grant: GrantView,
    pub state: PlanState,
    /// The parent scope it is inherited from, or why it is blocked; "" else.
    pub detail: String,
    /// One line: "Contributor for Nadia Novak (…) at /subscriptions/…".
    pub summary: String,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    /// What `apply_plan` takes.
    pub id: u32,
    pub items: Vec<PlanItemView>,
}

impl PlanView {
    pub fn new(id: u32, plan: &rolecall_grants::Plan) -> Self {
        use rolecall_grants::Status;
        Self {
            id,
            items: plan
                .items
                .iter()
                .map(|item| {
                    let (state, detail) = match &item.status {
                        Status::ToCreate => (PlanState::ToCreate, String::new()),
                        Status::InPlace { made_elsewhere, .. } => (
                            PlanState::InPlace,
                            if *made_elsewhere {
                                "Made outside Rolecall, under another assignment name.".to_owned()
                            } else {
                                String::new()
                            },
                        ),
                        Status::Kept { reason } => (PlanState::Kept, reason.clone()),
                        Status::Inherited { from_scope } => {
                            (PlanState::Inherited, from_scope.clone())
                        }
                        Status::Covered {
                            by_role,
                            from_scope,
                        } => (
                            PlanState::Covered,
                            format!("{by_role} at {from_scope} already grants all of it."),
                        ),
                        Status::Blocked { reason } => (PlanState::Blocked, reason.clone()),
                    };
                    PlanItemView {
                        grant: (&item.grant).into(),
                        state,
                        detail,
                        summary: item.grant.describe(),
                    }
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum OutcomeKind {
    Created,
    AlreadyInPlace,
    Inherited,
    Covered,
    Removed,
    /// Left as it is on purpose (a custom role others still hold).
    Kept,
    AlreadyGone,
    Blocked,
    Failed,
}

/// What became of one grant.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeView {
    pub kind: OutcomeKind,
    /// Azure's code for a failure; "" else.
    pub code: String,
    /// What happened, and for a failure what to do.
    pub message: String,
    /// Azure's request id of the write, for support; "" when none.
    pub request_id: String,
}

impl From<&rolecall_grants::Outcome> for OutcomeView {
    fn from(o: &rolecall_grants::Outcome) -> Self {
        use rolecall_grants::Outcome as O;
        let (kind, code, message) = match o {
            O::Created { .. } => (OutcomeKind::Created, "", "Created.".to_owned()),
            O::Covered {
                by_role,
                from_scope,
            } => (
                OutcomeKind::Covered,
                "",
                format!("Not needed: {by_role} at {from_scope} already grants all of it."),
            ),
            O::AlreadyInPlace => (
                OutcomeKind::AlreadyInPlace,
                "",
                "Already in place.".to_owned(),
            ),
            O::Inherited { from_scope } => (
                OutcomeKind::Inherited,
                "",
                format!("Already granted at {from_scope}."),
            ),
            O::Removed => (OutcomeKind::Removed, "", "Removed.".to_owned()),
            O::Kept { reason } => (OutcomeKind::Kept, "", reason.clone()),
            O::AlreadyGone => (OutcomeKind::AlreadyGone, "", "Already gone.".to_owned()),
            O::Blocked { reason } => (OutcomeKind::Blocked, "", reason.clone()),
            O::Failed { code, message, .. } => {
                (OutcomeKind::Failed, code.as_str(), message.clone())
            }
        };
        let request_id = match o {
            O::Created { request_id, .. } | O::Failed { request_id, .. } => {
                request_id.clone().unwrap_or_default()
            }
            _ => String::new(),
        };
        Self {
            kind,
            code: code.to_owned(),
            message,
            request_id,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Type, PartialEq, Eq)]
pub enum ProgressState {
    Running,
    /// The directory has not replicated a new member yet; retrying.
    WaitingForReplication,
    Done,
}

/// Progress of one item of a plan (by its index), streamed while applying.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProgressView {
    pub index: u32,
    pub state: ProgressState,
    pub outcome: Option<OutcomeView>,
}

impl From<rolecall_grants::ItemEvent> for ProgressView {
    fn from(e: rolecall_grants::ItemEvent) -> Self {
        use rolecall_grants::ItemEvent as E;
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        match e {
            E::Started { index: i } => Self {
                index: index(i),
                state: ProgressState::Running,
                outcome: None,
            },
            E::WaitingForReplication { index: i, .. } => Self {
                index: index(i),
                state: ProgressState::WaitingForReplication,
                outcome: None,
            },
            E::Finished { index: i, outcome } => Self {
                index: index(i),
                state: ProgressState::Done,
                outcome: Some((&outcome).into()),
            },
        }
    }
}

/// One role assignment that applies at a scope, named.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView {
    pub id: String,
    /// Where it was made (the viewed scope, or a parent).
    pub scope: String,
    pub role_id: String,
    /// "" when the role is not visible here.
    pub role_name: String,
    pub member: MemberView,
    /// The principal no longer exists (the portal's "Identity not found").
    pub orphaned: bool,
    pub inherited: bool,
    pub description: String,
}

impl From<&rolecall_grants::listing::Listed> for AssignmentView {
    fn from(l: &rolecall_grants::listing::Listed) -> Self {
        let p = &l.assignment.properties;
        let member = match &l.member {
            Some(m) => MemberView::from(m),
            None => MemberView {
                id: p.principal_id.clone(),
                kind: match p.principal_type.as_str() {
                    "Group" | "ForeignGroup" => MemberKind::Group,
                    "ServicePrincipal" => MemberKind::ServicePrincipal,
                    _ => MemberKind::User,
                },
                display_name: "Identity not found".into(),
                detail: String::new(),
                warning:
                    "The principal was deleted; this assignment grants nothing and can be removed."
                        .into(),
                label: String::new(),
            },
        };
        Self {
            id: l.assignment.id.clone(),
            scope: p.scope.clone(),
            role_id: p
                .role_definition_id
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
            role_name: l.role_name.clone().unwrap_or_default(),
            orphaned: l.member.is_none(),
            member,
            inherited: l.inherited,
            description: p.description.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// One provider operation.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OperationView {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub data_action: bool,
}

impl From<&rolecall_rbac::Operation> for OperationView {
    fn from(o: &rolecall_rbac::Operation) -> Self {
        Self {
            name: o.name.clone(),
            display_name: o.display_name.clone(),
            description: o.description.clone(),
            data_action: o.kind == rolecall_rbac::ActionKind::DataAction,
        }
    }
}

/// What a wildcard grants: how many operations, and the first few.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ExpansionView {
    pub count: u32,
    pub sample: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftIssueView {
    /// An error blocks writing; otherwise a warning worth reading.
    pub error: bool,
    /// Where: a JSON path (`permissions[0].actions[2]`) or a line and column.
    pub field: String,
    pub message: String,
}

/// A draft checked.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DraftCheckView {
    pub issues: Vec<DraftIssueView>,
    /// The JSON parsed (else `issues` holds where it broke).
    pub parsed: bool,
    /// The draft re-serialised in the portal's format ("" if it did not parse).
    pub normalized: String,
    /// How many catalogue operations the draft grants.
    pub granted: u32,
    /// A custom role exactly like the draft exists already (its id); "" if not.
    pub in_place: String,
}

impl From<&rolecall_rbac::RoleDefinition> for RoleView {
    fn from(r: &rolecall_rbac::RoleDefinition) -> Self {
        let privileged = r.allows(
            "Microsoft.Authorization/roleAssignments/write",
            rolecall_rbac::ActionKind::Action,
        ) || r
            .properties
            .permissions
            .iter()
            .any(|p| p.actions.iter().any(|a| a == "*"));
        let permissions = r
            .properties
            .permissions
            .iter()
            .flat_map(|p| {
                p.actions
                    .iter()
                    .cloned()
                    .chain(p.not_actions.iter().map(|a| format!("not: {a}")))
                    .chain(p.data_actions.iter().map(|a| format!("data: {a}")))
                    .chain(p.not_data_actions.iter().map(|a| format!("not data: {a}")))
            })
            .collect();
        Self {
            id: r.name.clone(),
            name: r.properties.role_name.clone(),
            description: r.properties.description.clone(),
            custom: r.is_custom(),
            privileged,
            permissions,
        }
    }
}

/// A resource provider of the catalogue.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
    /// `Microsoft.Communication`
    pub namespace: String,
    /// `CommunicationServices`, `EmailServices`…
    pub resource_types: Vec<String>,
    pub operations: u32,
}

#[cfg(test)]
mod error_kind_tests {
    use super::*;

    #[test]
    fn errors_are_kinded_where_they_come_from() {
        let auth = |e: rolecall_auth::AuthError| CommandError::from(e).kind;
        assert_eq!(
            auth(rolecall_auth::AuthError::InteractionRequired {
                description: "AADSTS50076".into(),
                claims: None
            }),
            ErrorKind::InteractionRequired
        );
        assert_eq!(
            auth(rolecall_auth::AuthError::NotSignedIn),
            ErrorKind::SignInRequired
        );
        assert_eq!(
            auth(rolecall_auth::AuthError::SignInAgain {
                description: "AADSTS50173".into()
            }),
            ErrorKind::SignInRequired
        );
        assert_eq!(
            auth(rolecall_auth::AuthError::InvalidTenant("x".into())),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            CommandError::from(rolecall_rbac::Scope::parse("x").unwrap_err()).kind,
            ErrorKind::InvalidInput
        );
        assert_eq!(
            CommandError::new("PlanExpired", "again").kind,
            ErrorKind::Expired
        );
        assert_eq!(
            CommandError::new("SignInCancelled", "ok").kind,
            ErrorKind::Cancelled
        );
        assert_eq!(CommandError::new("Whatever", "?").kind, ErrorKind::Other);
    }
}
