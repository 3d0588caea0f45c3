//! The types that cross IPC, and the CLI's `--json` where it prints a view:
//! one set for both front ends. Nothing secret (no token, no refresh token,
//! no key) may ever be a field of one of them. With the `specta` feature each
//! derives `specta::Type`, from which the shell generates `ui/src/bindings.ts`.
//! How domain values become views, and back, is in `convert` (apart from the
//! types, as rust-analyzer keeps `to_proto` apart from `lsp::ext`).

use serde::{Deserialize, Serialize};

mod convert;
pub use convert::*;

/// Where the app's cloud came from.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum CloudMode {
    /// The built-in emulator seeded with the demo tenant (no real Azure).
    Demo,
    /// A custom cloud profile (for example an emulator started by the tests).
    Custom,
    /// One of Microsoft's clouds.
    Azure,
}

/// The cloud and tenant the app talks to.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartupProblem {
    /// What failed, with its causes.
    pub what: String,
    /// What the person can do about it.
    pub todo: String,
}

/// How the start went: asked for first, before any other command.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub cloud: CloudSummary,
}

/// The result of reaching the cloud's sign-in authority.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCheck {
    pub issuer: String,
    pub tenant: String,
    pub elapsed_ms: u32,
}

/// Every command's error: what kind it is (the UI matches on this, checked
/// by TypeScript), the code of whoever refused (Azure's, Entra's or
/// Rolecall's), and a message that says what to do.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
}

/// What the window does about an error.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// Where an account's tokens come from.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum AccountSource {
    /// Signed in with Rolecall (refresh token in the OS keychain).
    Rolecall,
    /// The Azure CLI's own sign-in.
    AzureCli,
}

/// An account on this computer: names and ids only, never a token.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
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

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveView {
    pub account_id: String,
    pub tenant_id: String,
    pub health: SessionHealth,
    /// What to do, when not ready.
    pub message: Option<String>,
}

/// The accounts and the one in use.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub accounts: Vec<AccountView>,
    pub active: Option<ActiveView>,
}

/// A tenant the active account can reach.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeView {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in_secs: u32,
}

/// Which cloud to sign in to.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
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

/// The settings the admin can change before signing in.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub cloud: CloudChoiceView,
    /// `organizations`, a tenant id or a domain; empty: the cloud's default.
    pub tenant: Option<String>,
    /// Empty: the default client id.
    pub client_id: Option<String>,
}

/// The settings, with what the app decided for the admin.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsInfo {
    pub settings: SettingsView,
    pub default_client_id: String,
    /// The cloud was chosen on the command line; the setting applies next time.
    pub cloud_locked: bool,
}

// ---------------------------------------------------------------------------
// Reading the tenant and granting access.

/// What level of the ARM hierarchy a scope is.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ScopeKind {
    ManagementGroup,
    Subscription,
    ResourceGroup,
    Resource,
}

/// A scope of the whole estate, found by a search, and where it sits.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceView {
    pub node: ScopeNode,
    /// The names of the scopes it is inside, outermost first.
    pub within: Vec<String>,
}

/// Whether the admin may assign roles at a scope, and if not, why.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeRightView {
    pub scope: String,
    /// "" when they may; else what they lack and what to do.
    pub refusal: String,
}

/// One node of the scope picker's tree.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum MemberKind {
    User,
    Group,
    ServicePrincipal,
}

/// A user, group or service principal, as the member picker shows it and as
/// a grant names it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// A role definition as the role picker shows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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

/// A custom role to edit or delete, and where.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRoleView {
    pub role: RoleView,
    /// The subscription it is edited and deleted through (`/subscriptions/{id}`).
    pub subscription: String,
    pub subscription_name: String,
    pub assignable_scopes: Vec<String>,
}

/// An enterprise application and its app roles.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleHolderView {
    pub id: String,
    pub app_role_id: String,
    pub app_role_value: String,
    pub principal_id: String,
    pub principal_type: String,
    pub principal_display_name: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureRoleGrantView {
    pub scope: String,
    pub role_id: String,
    pub role_name: String,
    pub member: MemberView,
    /// "" for none.
    pub description: String,
    /// Eligible or time-bound through PIM; null: active and permanent
    /// (serde reads a missing one as null too).
    #[cfg_attr(feature = "specta", specta(optional))]
    pub schedule: Option<ScheduleView>,
}

/// PIM's assignment type for one grant.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleView {
    /// Eligible (activated by its holder when needed) rather than active.
    pub eligible: bool,
    /// ISO 8601 (`P90D`); "" for none.
    pub duration: String,
    /// RFC 3339; "" for none. With neither: permanent.
    pub until: String,
    /// "" for none.
    pub justification: String,
    /// "" for none.
    pub ticket: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleGrantView {
    pub resource_id: String,
    pub resource_name: String,
    pub app_id: String,
    pub app_role_id: String,
    pub app_role_value: String,
    pub member: MemberView,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum GrantView {
    AzureRole(AzureRoleGrantView),
    AppRole(AppRoleGrantView),
}

/// A grant's state before applying.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
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

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanItemView {
    pub grant: GrantView,
    pub state: PlanState,
    /// The parent scope it is inherited from, or why it is blocked; "" else.
    pub detail: String,
    /// One line: "Contributor for Nadia Novak (…) at /subscriptions/…".
    pub summary: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    /// What `apply_plan` takes.
    pub id: u32,
    pub items: Vec<PlanItemView>,
    /// The PIM settings the preflight checked, per role, scope and type.
    pub policies: Vec<PolicyView>,
}

/// What a role's PIM settings at a scope allow, for one assignment type.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyView {
    pub scope: String,
    pub role_name: String,
    pub eligible: bool,
    /// "Eligible: at most 1 year. Activating: at most 8 hours, with a
    /// justification, no approval."
    pub summary: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum OutcomeKind {
    Created,
    AlreadyInPlace,
    Inherited,
    Covered,
    Removed,
    /// Made to last longer (PIM's AdminExtend).
    Extended,
    /// Given back after it ended (PIM's AdminRenew).
    Renewed,
    /// Left as it is on purpose (a custom role others still hold).
    Kept,
    AlreadyGone,
    Blocked,
    Failed,
}

/// What became of one grant.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum ProgressState {
    Running,
    /// The directory has not replicated a new member yet; retrying.
    WaitingForReplication,
    /// PIM removes nothing within 5 minutes of making it; retrying.
    WaitingForPim,
    Done,
}

/// Progress of one item of a plan (by its index), streamed while applying.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressView {
    pub index: u32,
    pub state: ProgressState,
    pub outcome: Option<OutcomeView>,
}

/// One role assignment that applies at a scope, named.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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
    /// Its role lets the holder change who has access (Owner, User Access
    /// Administrator…): removing one's own is worth a second thought.
    pub manages_access: bool,
    /// A role assignment, an eligibility (PIM) or an activation of one.
    pub holding: HoldingView,
    /// When it ends (RFC 3339); "" when it does not.
    pub ends: String,
}

/// A role the signed-in person is eligible for.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyRoleView {
    pub scope: String,
    pub role_id: String,
    pub role_name: String,
    /// RFC 3339; "" when the eligibility is permanent.
    pub eligible_until: String,
    /// RFC 3339 end of the running activation; "" when not active now.
    pub active_until: String,
    /// An activation asked for waits for an approver.
    pub awaiting_approval: bool,
}

/// An activation that waits for the signed-in person's approval.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwaitingView {
    pub approval_id: String,
    pub scope: String,
    pub role_name: String,
    /// Who asked (name and user principal name).
    pub requested_by: String,
    /// ISO 8601 (`PT2H`).
    pub duration: String,
    /// How long, in words ("2 hours", "until 2026-12-07 14:00 UTC").
    pub lasting: String,
    pub justification: String,
    /// RFC 3339.
    pub asked_at: String,
}

/// Eligible or time-bound access that ends soon.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndingView {
    /// Its schedule says eligible or active, and `until` its end.
    pub grant: AzureRoleGrantView,
    /// RFC 3339.
    pub ends: String,
    /// It has ended already (renewing gives it back).
    pub ended: bool,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum HoldingView {
    Active,
    Eligible,
    Activated,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// One provider operation.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationView {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub data_action: bool,
}

/// What a wildcard grants: how many operations, and the first few.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpansionView {
    pub count: u32,
    pub sample: Vec<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftIssueView {
    /// An error blocks writing; otherwise a warning worth reading.
    pub error: bool,
    /// Where: a JSON path (`permissions[0].actions[2]`) or a line and column.
    pub field: String,
    pub message: String,
}

/// A draft checked.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
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
    /// A built-in role that already grants all of the draft ("" if none), and
    /// how many operations more (0: exactly these permissions).
    pub built_in: String,
    pub built_in_extra: u32,
}

/// A role that covers what the person must do, ranked by how little else it grants.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RankedRoleView {
    pub role: RoleView,
    /// Catalogue operations it grants in all.
    pub granted: u32,
    /// Of those, how many go beyond the need.
    pub extra: u32,
    /// The extra ones by provider, most first: "Microsoft.Compute: 1,204".
    pub beyond: Vec<String>,
}

/// A person of a CSV file, with the file's line (1 for its first).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvPersonView {
    pub text: String,
    pub line: u32,
    /// The row's own terms (its assignment, lastDay… columns); `asTemplate`
    /// and empty texts where it says nothing.
    pub terms: TermsView,
}

/// Which way the Azure roles of an onboarding are held.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum TermsChoice {
    /// Each grant as the template says.
    AsTemplate,
    /// Active and permanent: plain role assignments.
    Standing,
    /// `schedule`, for every Azure role.
    Schedule,
}

/// An onboarding's terms, for everyone or one person.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TermsView {
    pub choice: TermsChoice,
    /// With `schedule`: eligible or active, and how long.
    #[cfg_attr(feature = "specta", specta(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleView>,
    /// "" for none (the template's words serve).
    pub justification: String,
    /// "" for none.
    pub ticket: String,
    /// The person's last day, YYYY-MM-DD; "" when not known.
    pub last_day: String,
}

impl Default for TermsView {
    fn default() -> Self {
        Self {
            choice: TermsChoice::AsTemplate,
            schedule: None,
            justification: String::new(),
            ticket: String::new(),
            last_day: String::new(),
        }
    }
}

/// A person's own terms over the onboarding's (from a CSV row).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonTermsView {
    /// The person as given in `people`.
    pub person: String,
    pub terms: TermsView,
}

/// A row of a CSV file that gave nobody, and why.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvLeftOutView {
    pub line: u32,
    pub reason: String,
}

/// What a CSV file of people held (`rolecall_onboarding::read_people_csv`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvPeopleView {
    pub people: Vec<CsvPersonView>,
    pub left_out: Vec<CsvLeftOutView>,
    /// "the userPrincipalName column", "the first column".
    pub column: String,
}

/// A resource provider of the catalogue.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderView {
    /// `Microsoft.Communication`
    pub namespace: String,
    /// `CommunicationServices`, `EmailServices`…
    pub resource_types: Vec<String>,
    pub operations: u32,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInputView {
    pub id: String,
    pub label: String,
    /// `resource`, `resourceGroup` or `subscription`.
    pub kind: String,
    /// For a resource: its type ("" else).
    pub resource_type: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub id: String,
    pub title: String,
    pub description: String,
    /// "" when none.
    pub warning: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Shipped with Rolecall (else: from the admin's templates folder).
    pub builtin: bool,
    /// How its Azure roles are held unless the admin chooses otherwise:
    /// "eligible for 90 days", "active, permanent".
    pub assignment: String,
    pub inputs: Vec<TemplateInputView>,
    pub tasks: Vec<TaskView>,
    /// Names of the custom roles it creates.
    pub custom_roles: Vec<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputValue {
    pub id: String,
    /// The ARM id chosen for it.
    pub scope: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnboardingRequest {
    pub template_id: String,
    /// Task ids; every task when empty.
    pub tasks: Vec<String>,
    pub inputs: Vec<InputValue>,
    /// Object ids, application ids or user principal names.
    pub people: Vec<String>,
    /// Take away what the template gives, instead of granting it.
    pub offboard: bool,
    /// How the Azure roles are held; as the template says when missing.
    #[cfg_attr(feature = "specta", specta(optional))]
    #[serde(default)]
    pub terms: Option<TermsView>,
    /// People's own terms (CSV rows), over `terms`.
    #[cfg_attr(feature = "specta", specta(optional))]
    #[serde(default)]
    pub person_terms: Option<Vec<PersonTermsView>>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum CheckLevel {
    Blocker,
    Warning,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckView {
    pub level: CheckLevel,
    pub title: String,
    /// What is wrong and what to do about it.
    pub detail: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum RoleStepState {
    ToCreate,
    InPlace,
    ToDeleteIfUnused,
    Absent,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleStepView {
    pub role_name: String,
    /// Where it is created (its first assignable scope).
    pub scope: String,
    /// Its actions and data actions.
    pub permissions: Vec<String>,
    pub state: RoleStepState,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum RunKindView {
    Onboard,
    Offboard,
}

/// A proposal: reviewed before anything is written.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalView {
    pub id: u32,
    pub kind: RunKindView,
    pub title: String,
    pub members: Vec<MemberView>,
    pub custom_roles: Vec<RoleStepView>,
    pub plan: PlanView,
    /// Grants the least set leaves out, and why.
    pub left_out: Vec<String>,
    pub checks: Vec<CheckView>,
    /// A blocker stands: nothing can be written.
    pub blocked: bool,
    /// How many writes applying makes (0: nothing to do).
    pub writes: u32,
}

/// Progress of a run: a custom role (`role`) or a grant, by index.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunProgressView {
    pub role: bool,
    pub index: u32,
    pub state: ProgressState,
    pub outcome: Option<OutcomeView>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportItemView {
    /// The grant itself, for the window to name its scope (the summary keeps ids).
    pub grant: GrantView,
    pub summary: String,
    pub outcome: OutcomeView,
    /// The same grant with the Azure CLI, PowerShell and Bicep.
    pub az: String,
    pub powershell: String,
    pub bicep: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleOutcomeView {
    pub role_name: String,
    pub outcome: OutcomeView,
}

/// What a run did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReportView {
    pub id: u32,
    pub run_id: String,
    pub kind: RunKindView,
    pub title: String,
    /// Who ran it (the signed-in admin).
    pub by: String,
    pub started: String,
    pub finished: String,
    pub succeeded: bool,
    pub roles: Vec<RoleOutcomeView>,
    pub items: Vec<ReportItemView>,
}

/// Where an activity of the journal stands.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum ActivityState {
    /// A run that ended, or a wizard's batch (which is done when written).
    Done,
    /// A run that began and did not end (or goes on now elsewhere).
    Interrupted,
    /// An interrupted run the admin chose not to resume.
    Discarded,
}

/// One write of an activity.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WrittenView {
    pub at: String,
    /// "Reader for Nadia Novak at …", "Custom role Contoso SMTP Sender".
    pub summary: String,
    /// What became of it ("Edited." and "Deleted." for a custom role).
    pub outcome: OutcomeView,
    pub removing: bool,
}

/// A group of writes from the journal: a run or one wizard's batch.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    pub id: String,
    pub title: String,
    /// A run's kind; `null` for a wizard's batch.
    pub kind: Option<RunKindView>,
    pub began: String,
    pub state: ActivityState,
    pub writes: Vec<WrittenView>,
    /// Whether it created something an undo could remove.
    pub can_undo: bool,
}

/// A run that began and did not end (a crash, a closed window).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnfinishedView {
    pub run_id: String,
    pub title: String,
    pub kind: RunKindView,
    pub began: String,
    pub total: u32,
    /// Writes the journal shows were made before it stopped.
    pub written: u32,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReportFormat {
    Markdown,
    Csv,
    Json,
}
