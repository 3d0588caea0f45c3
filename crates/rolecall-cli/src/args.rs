//! The command line: every command and its arguments (clap), apart from
//! what they do.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use rolecall_core::settings::DEFAULT_CLIENT_ID;

#[derive(Debug, Parser)]
#[command(
    name = "rolecall-cli",
    version,
    about = "Onboard Azure operators without getting access wrong."
)]
pub struct Cli {
    /// A built-in Azure cloud.
    #[arg(long, value_enum, global = true, default_value_t = Cloud::Azure, conflicts_with = "cloud_profile")]
    pub cloud: Cloud,

    /// A custom cloud profile (JSON), such as the one `rolecall-emulator` prints.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "ROLECALL_CLOUD_PROFILE"
    )]
    pub cloud_profile: Option<PathBuf>,

    /// Tenant id or domain (default: the cloud's default, `organizations` for Azure).
    #[arg(long, global = true, env = "ROLECALL_TENANT")]
    pub tenant: Option<String>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// The Entra application (public client) Rolecall signs in as. The default
    /// is the Azure CLI's public client, which works in every tenant without
    /// registering anything; organisations can register their own (see README).
    #[arg(long, global = true, env = "ROLECALL_CLIENT_ID", default_value = DEFAULT_CLIENT_ID)]
    pub client_id: String,

    /// Keychain service name the accounts are stored under (default: one per
    /// cloud, as the app uses).
    #[arg(long, global = true, env = "ROLECALL_KEYCHAIN_SERVICE", hide = true)]
    pub keychain_service: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Cloud {
    Azure,
    UsGov,
    China,
}

/// Roles × members × scopes.
#[derive(Debug, clap::Args)]
pub struct RoleGrants {
    #[command(flatten)]
    pub who: Who,
    /// A management group, subscription, resource group or resource id (repeatable).
    #[arg(long = "scope", required = true, value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// A role name (exactly as listed) or id (repeatable).
    #[arg(long = "role", required = true, value_name = "ROLE")]
    pub roles: Vec<String>,
    /// An object id, application id or user principal name (repeatable).
    #[arg(long = "member", required = true, value_name = "MEMBER")]
    pub members: Vec<String>,
    /// Where every write is recorded (default: Rolecall's data folder).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum RoleAction {
    /// Report everything ARM would refuse, and what is worth knowing, without writing.
    Check {
        #[command(flatten)]
        who: Who,
        /// The draft, in the portal's JSON format.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// Check, then create the custom role and wait until ARM reads it back.
    Create {
        #[command(flatten)]
        who: Who,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Where the write is recorded (default: Rolecall's data folder).
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
    },
    /// Check, then update an existing custom role in place and wait until ARM reads it back.
    Update {
        #[command(flatten)]
        who: Who,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// The role to update: its current name or id.
        #[arg(long)]
        role: String,
        /// Where the write is recorded (default: Rolecall's data folder).
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
    },
    /// Delete a custom role; refused, with the list, while it is assigned.
    Delete {
        #[command(flatten)]
        who: Who,
        /// One of the role's assignable scopes.
        #[arg(long)]
        scope: String,
        /// The role's name or id.
        #[arg(long)]
        role: String,
        /// Where the write is recorded (default: Rolecall's data folder).
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateAction {
    /// The templates: built in, and your own (the app's templates folder, or --templates DIR).
    List {
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// One template's inputs and tasks.
    Show {
        id: String,
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct Onboarding {
    #[command(flatten)]
    pub who: Who,
    /// The template's id (`rolecall-cli template list`).
    #[arg(long)]
    pub template: Option<String>,
    /// Your own templates' folder, besides the built-in ones (default: the app's, where
    /// the window's imports go).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// A task id (repeatable); every task when omitted.
    #[arg(long = "task", value_name = "TASK")]
    pub tasks: Vec<String>,
    /// An input, as id=ARM id (repeatable), e.g. gateway=/subscriptions/…/communicationsGateways/cgw.
    #[arg(long = "input", value_name = "ID=SCOPE")]
    pub inputs: Vec<String>,
    /// An object id, application id or user principal name (repeatable).
    #[arg(long = "member", value_name = "MEMBER")]
    pub members: Vec<String>,
    /// A CSV file of people (a `userPrincipalName`, `objectId` … column, or
    /// the first one), besides any --member.
    #[arg(long, value_name = "FILE")]
    pub people_csv: Option<PathBuf>,
    /// Where every write is recorded (default: Rolecall's data folder).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Save what was done: Markdown (each grant also as az, PowerShell and
    /// Bicep), or CSV / JSON by the file's extension.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct Offboarding {
    #[command(flatten)]
    pub spec: Onboarding,
    /// Remove everything the member holds directly at each --scope (and
    /// with --app-roles, every app role they hold), whatever granted it.
    #[arg(long, requires = "members")]
    pub everything: bool,
    /// With --everything: where (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// With --everything: also every app role the member holds.
    #[arg(long)]
    pub app_roles: bool,
    /// Undo what a past run created, from its JSON report (`--report x.json`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["everything", "template"])]
    pub from_report: Option<PathBuf>,
    /// Show the plan only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApproleAction {
    /// Grant app roles of an enterprise application to members.
    Assign {
        #[command(flatten)]
        grants: AppGrants,
        /// Show the plan only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove those app-role assignments.
    Unassign {
        #[command(flatten)]
        grants: AppGrants,
    },
    /// List who holds the application's app roles.
    List {
        #[command(flatten)]
        who: Who,
        /// The application (client) id, e.g. 8502a0ec-c76d-412f-836c-398018e2312b.
        #[arg(long)]
        app: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct AppGrants {
    #[command(flatten)]
    pub who: Who,
    /// The application (client) id: applications are pinned by id, never by name.
    #[arg(long)]
    pub app: String,
    /// An app role value, e.g. ProvisioningAPI.ReadUser (repeatable).
    #[arg(long = "role", required = true, value_name = "VALUE")]
    pub roles: Vec<String>,
    /// An object id, application id or user principal name (repeatable).
    #[arg(long = "member", required = true, value_name = "MEMBER")]
    pub members: Vec<String>,
    /// Where every write is recorded (default: Rolecall's data folder).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// Which sign-in a command uses.
#[derive(Debug, clap::Args)]
pub struct Who {
    /// The account (its username); the only one when omitted.
    #[arg(long, conflicts_with = "azure_cli")]
    pub account: Option<String>,
    /// Use the Azure CLI's sign-in (`az login`) instead of a Rolecall account.
    #[arg(long)]
    pub azure_cli: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that the cloud's sign-in authority is reachable and trusted.
    Doctor,
    /// Show the cloud profile in use.
    Cloud,
    /// Sign in interactively in the browser; the account is remembered in the OS keychain.
    Login(LoginArgs),
    /// List the accounts signed in on this computer.
    Accounts,
    /// Show who an account is, by asking Microsoft Graph (a real token round trip).
    Whoami(WhoamiArgs),
    /// List the subscriptions the account can see.
    Subscriptions(SubscriptionsArgs),
    /// List role definitions (built-in and custom) usable at a scope.
    Roles(RolesArgs),
    /// List the role assignments that apply at a scope (at it and inherited).
    #[command(visible_alias = "list")]
    Assignments(AssignmentsArgs),
    /// Say whether the signed-in account may perform an action at a scope,
    /// e.g. `can Microsoft.Authorization/roleAssignments/write --scope /subscriptions/…`.
    Can(CanArgs),
    /// As a Global Administrator, give yourself User Access Administrator at
    /// the root scope `/` (the portal's "Access management for Azure
    /// resources"), to see and grant at every management group and
    /// subscription. Remove it when done: `unassign --scope / --role
    /// "User Access Administrator" --member <you>`.
    ElevateAccess(ElevateAccessArgs),
    /// Activate a role you are eligible for (PIM's SelfActivate), for as long
    /// as you need and its settings allow.
    Activate(ActivateArgs),
    /// End your running activation of a role early (PIM's SelfDeactivate),
    /// or, with --waiting, withdraw one that waits for approval.
    Deactivate(DeactivateArgs),
    /// Activations that wait for your approval (PIM's approvers), oldest first.
    Approvals(ApprovalsArgs),
    /// Approve (or, with --deny, deny) an activation that waits for you.
    Approve(ApproveArgs),
    /// Eligible and time-bound access that ends soon, soonest first, then
    /// what Rolecall made that ended lately (renewable).
    Expiring(ExpiringArgs),
    /// Make eligible or time-bound access last longer (PIM's AdminExtend),
    /// or give back what ended lately (AdminRenew), its role's PIM settings
    /// checked first.
    #[command(alias = "renew")]
    Extend(ExtendArgs),
    /// Sign an account out (its keychain entries are removed), or every account with --all.
    Logout(LogoutArgs),
    /// Grant Azure roles: every --role for every --member at every --scope.
    /// Your own right to assign is checked first, existing grants are left
    /// alone, and a re-run changes nothing.
    Assign(AssignArgs),
    /// Remove Azure role assignments made at exactly these scopes.
    Unassign(UnassignArgs),
    /// Custom roles: check a draft (the portal's JSON) against the live
    /// catalogue and your rights, create it, or delete one.
    Role(RoleArgs),
    /// Onboarding templates: list them, show one.
    Template(TemplateArgs),
    /// Onboard people with a template: the chosen tasks become the least set
    /// of grants; preflight (your rights, disabled subscriptions, people not
    /// found, ARM's limits) and the plan against live state come first;
    /// nothing is written while a blocker stands (`--dry-run`: plan only).
    /// Exit status: 0 done, 2 blocked by the preflight (nothing written), 3
    /// some writes failed (see the report).
    #[command(visible_alias = "apply")]
    Onboard(OnboardArgs),
    /// The preflight and plan of an onboarding, writing nothing (same as
    /// `onboard --dry-run`); `--json` for automation.
    Plan(PlanArgs),
    /// Remove what a template's tasks grant (`--template`), everything a
    /// person holds at scopes (`--everything`), or what a past run created
    /// (`--from-report`), with the same preflight and plan.
    Offboard(OffboardArgs),
    /// Runs that began and never ended (a crash, a closed window): list them,
    /// resume one (its grants are planned again, so nothing is written
    /// twice), or discard it.
    Resume(ResumeArgs),
    /// App roles of enterprise applications (Microsoft Graph).
    Approle(ApproleArgs),
    /// Play the browser for a sign-in address: follow it to the loopback
    /// redirect. Only useful against a cloud that signs in without a page,
    /// such as `rolecall-emulator --auto-sign-in`.
    #[command(hide = true)]
    CompleteSignIn(CompleteSignInArgs),
}

#[derive(Debug, clap::Args)]
pub struct LoginArgs {
    /// Instead of opening the system browser, run this command with the
    /// sign-in address as its last argument (for automation).
    #[arg(long, env = "ROLECALL_BROWSER", value_name = "COMMAND")]
    pub browser_command: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    /// Sign in on another device instead (for machines without a browser):
    /// a code and an address are printed; enter the code there.
    #[arg(long, conflicts_with = "browser_command")]
    pub device_code: bool,
}

#[derive(Debug, clap::Args)]
pub struct WhoamiArgs {
    #[command(flatten)]
    pub who: Who,
}

#[derive(Debug, clap::Args)]
pub struct SubscriptionsArgs {
    #[command(flatten)]
    pub who: Who,
}

#[derive(Debug, clap::Args)]
pub struct RolesArgs {
    #[command(flatten)]
    pub who: Who,
    /// A management group, subscription, resource group or resource id.
    #[arg(long)]
    pub scope: String,
    /// Custom roles only.
    #[arg(long)]
    pub custom: bool,
    /// Only roles whose name contains this text (case-insensitive).
    #[arg(long)]
    pub name: Option<String>,
    /// What the person must do: an operation of the catalogue (repeatable).
    /// Lists the roles that allow all of it, least granting first, with what
    /// each grants beyond it.
    #[arg(long = "need", value_name = "OPERATION")]
    pub need: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct AssignmentsArgs {
    #[command(flatten)]
    pub who: Who,
    /// A management group, subscription, resource group or resource id.
    #[arg(long)]
    pub scope: String,
    /// Only this member's (object id), including through their groups.
    #[arg(long)]
    pub member: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct CanArgs {
    #[command(flatten)]
    pub who: Who,
    /// An ARM action (a data action with --data).
    pub action: String,
    /// A management group, subscription, resource group or resource id.
    #[arg(long)]
    pub scope: String,
    /// The action is a data action.
    #[arg(long)]
    pub data: bool,
}

#[derive(Debug, clap::Args)]
pub struct ActivateArgs {
    #[command(flatten)]
    pub who: Who,
    /// Where the role is eligible (or below it).
    #[arg(long)]
    pub scope: String,
    /// The role, by name as Azure lists it or by id.
    #[arg(long)]
    pub role: String,
    /// How long, in ISO 8601 (PT1H, PT8H); the longest the role's PIM settings allow when omitted.
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Why (the role's PIM settings usually ask for one).
    #[arg(long, value_name = "TEXT")]
    pub justification: Option<String>,
    /// A ticket number, where the settings ask for one.
    #[arg(long, value_name = "NUMBER")]
    pub ticket: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ExpiringArgs {
    #[command(flatten)]
    pub who: Who,
    /// How far ahead (and back, for what Rolecall made that ended, at most
    /// 30 days): 30d, 2w, or ISO 8601 (P30D).
    #[arg(long, default_value = "30d", value_name = "DURATION")]
    pub within: String,
    /// The journal that says what Rolecall made (default: the app's).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExtendArgs {
    #[command(flatten)]
    pub grants: RoleGrants,
    /// Extend an eligibility (else an active, time-bound assignment).
    #[arg(long)]
    pub eligible: bool,
    /// How long from now, in ISO 8601 (P90D).
    #[arg(long, value_name = "DURATION")]
    pub duration: String,
    /// Why (the role's PIM settings may ask for one).
    #[arg(long, value_name = "TEXT")]
    pub justification: Option<String>,
    /// Show the plan only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct DeactivateArgs {
    #[command(flatten)]
    pub who: Who,
    #[arg(long)]
    pub scope: String,
    #[arg(long)]
    pub role: String,
    /// Withdraw the activation that waits for an approver instead.
    #[arg(long)]
    pub waiting: bool,
}

#[derive(Debug, clap::Args)]
pub struct ApprovalsArgs {
    #[command(flatten)]
    pub who: Who,
}

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    pub who: Who,
    /// The approval's id, as `rolecall-cli approvals` lists it.
    pub approval: String,
    /// Why (PIM keeps it with the decision).
    #[arg(long, value_name = "TEXT")]
    pub justification: String,
    /// Deny it instead.
    #[arg(long)]
    pub deny: bool,
}

#[derive(Debug, clap::Args)]
pub struct ElevateAccessArgs {
    #[command(flatten)]
    pub who: Who,
}

#[derive(Debug, clap::Args)]
pub struct LogoutArgs {
    /// The account (its username).
    pub account: Option<String>,
    #[arg(long, conflicts_with = "account")]
    pub all: bool,
}

#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    #[command(flatten)]
    pub grants: RoleGrants,
    #[command(flatten)]
    pub pim: PimArgs,
    /// Why (shown in the portal with the assignment).
    #[arg(long)]
    pub description: Option<String>,
    /// Show the plan only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct UnassignArgs {
    #[command(flatten)]
    pub grants: RoleGrants,
    /// Remove an eligibility (through PIM) rather than a role assignment.
    #[arg(long, conflicts_with = "active")]
    pub eligible: bool,
    /// Remove an active, time-bound assignment (through PIM).
    #[arg(long)]
    pub active: bool,
}

/// Eligible or time-bound access through Privileged Identity Management
/// (the tenant needs Microsoft Entra ID P2). Without these: active and
/// permanent.
#[derive(Debug, clap::Args)]
pub struct PimArgs {
    /// Make the members eligible: they activate the role when they need it.
    #[arg(long, conflicts_with = "active")]
    pub eligible: bool,
    /// Active and time-bound (give --duration or --until).
    #[arg(long)]
    pub active: bool,
    /// How long, in ISO 8601: P90D (90 days), PT8H (8 hours).
    #[arg(long, value_name = "DURATION", conflicts_with = "until")]
    pub duration: Option<String>,
    /// Until when: 2027-03-01 (to the end of that day, UTC) or 2027-03-01T17:00:00Z.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Why (the role's PIM settings often ask for one).
    #[arg(long, value_name = "TEXT")]
    pub justification: Option<String>,
    /// A ticket number, where the role's PIM settings ask for one.
    #[arg(long, value_name = "NUMBER")]
    pub ticket: Option<String>,
}

impl PimArgs {
    /// The schedule the flags ask for; none for a standing assignment.
    pub fn schedule(&self) -> anyhow::Result<Option<rolecall_grants::Schedule>> {
        let timed = self.duration.is_some() || self.until.is_some();
        if !self.eligible && !self.active && !timed {
            if self.justification.is_some() || self.ticket.is_some() {
                anyhow::bail!(
                    "--justification and --ticket go with --eligible or a time-bound --active assignment; for a standing one, use --description"
                );
            }
            return Ok(None);
        }
        if self.active && !timed {
            anyhow::bail!(
                "an active assignment through PIM needs --duration (such as P30D) or --until; leave out --active for a standing, permanent one"
            );
        }
        let until = self
            .until
            .as_deref()
            .map(rolecall_grants::Schedule::until_from);
        let schedule = rolecall_grants::Schedule {
            eligible: self.eligible,
            duration: self.duration.clone(),
            until,
            justification: self.justification.clone(),
            ticket: self.ticket.clone(),
        };
        schedule.check().map_err(anyhow::Error::msg)?;
        Ok(Some(schedule))
    }
}

#[derive(Debug, clap::Args)]
pub struct RoleArgs {
    #[command(subcommand)]
    pub action: RoleAction,
}

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    #[command(subcommand)]
    pub action: TemplateAction,
}

#[derive(Debug, clap::Args)]
pub struct OnboardArgs {
    #[command(flatten)]
    pub spec: Onboarding,
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Show the preflight and plan only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub spec: Onboarding,
    #[command(flatten)]
    pub terms: TermsArgs,
}

/// How a template's Azure roles are held: as the template says unless
/// --eligible, --active or --standing; a CSV's `assignment`, `duration`,
/// `until` and `lastDay` columns set a person's own.
#[derive(Debug, clap::Args)]
pub struct TermsArgs {
    #[command(flatten)]
    pub pim: PimArgs,
    /// Active and permanent (plain role assignments), whatever the template says.
    #[arg(long, conflicts_with_all = ["eligible", "active", "duration", "until"])]
    pub standing: bool,
    /// The people's last day (2027-06-30): time-bound access that ends
    /// before it, and access that outlasts it, are pointed out.
    #[arg(long, value_name = "DATE")]
    pub last_day: Option<String>,
}

impl TermsArgs {
    pub fn terms(&self) -> anyhow::Result<rolecall_onboarding::Terms> {
        use rolecall_onboarding::Choice;
        let p = &self.pim;
        let choice = if self.standing {
            Choice::Standing
        } else if p.eligible || p.active || p.duration.is_some() || p.until.is_some() {
            match p.schedule()? {
                Some(s) => Choice::Schedule(s),
                None => Choice::AsTemplate,
            }
        } else {
            Choice::AsTemplate
        };
        Ok(rolecall_onboarding::Terms {
            choice,
            justification: p.justification.clone(),
            ticket: p.ticket.clone(),
            ends: self
                .last_day
                .as_deref()
                .map(rolecall_onboarding::terms::parse_date)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--last-day: {e}"))?,
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct OffboardArgs {
    #[command(flatten)]
    pub off: Offboarding,
}

#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The run's id; lists the unfinished runs when omitted.
    pub run: Option<String>,
    #[command(flatten)]
    pub who: Who,
    /// Forget the run instead of resuming it.
    #[arg(long)]
    pub discard: bool,
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ApproleArgs {
    #[command(subcommand)]
    pub action: ApproleAction,
}

#[derive(Debug, clap::Args)]
pub struct CompleteSignInArgs {
    pub url: String,
    /// Pick this account (UPN or object id) on the sign-in page, as a
    /// person clicking it would.
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
}
