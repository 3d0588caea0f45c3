//! `rolecall-cli`: Rolecall's engine without the window. Every command the app
//! offers will be here too, with `--json` output for scripts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use futures::TryStreamExt;
use rolecall_azure::arm::{AssignmentFilter, RoleFilter};
use rolecall_core::{CloudProfile, discovery, http};
use serde_json::json;

#[derive(Debug, Parser)]
#[command(
    name = "rolecall-cli",
    version,
    about = "Onboard Azure operators without getting access wrong."
)]
struct Cli {
    /// A built-in Azure cloud.
    #[arg(long, value_enum, global = true, default_value_t = Cloud::Azure, conflicts_with = "cloud_profile")]
    cloud: Cloud,

    /// A custom cloud profile (JSON), such as the one `rolecall-emulator` prints.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "ROLECALL_CLOUD_PROFILE"
    )]
    cloud_profile: Option<PathBuf>,

    /// Tenant id or domain (default: the cloud's default, `organizations` for Azure).
    #[arg(long, global = true, env = "ROLECALL_TENANT")]
    tenant: Option<String>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,

    /// The Entra application (public client) Rolecall signs in as. The default
    /// is the Azure CLI's public client, which works in every tenant without
    /// registering anything; organisations can register their own (see README).
    #[arg(long, global = true, env = "ROLECALL_CLIENT_ID", default_value = DEFAULT_CLIENT_ID)]
    client_id: String,

    /// Keychain service name the accounts are stored under (default: one per
    /// cloud, as the app uses).
    #[arg(long, global = true, env = "ROLECALL_KEYCHAIN_SERVICE", hide = true)]
    keychain_service: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Cloud {
    Azure,
    UsGov,
    China,
}

use rolecall_core::settings::DEFAULT_CLIENT_ID;

/// Roles × members × scopes.
#[derive(Debug, clap::Args)]
struct RoleGrants {
    #[command(flatten)]
    who: Who,
    /// A subscription, resource group or resource id (repeatable).
    #[arg(long = "scope", required = true, value_name = "SCOPE")]
    scopes: Vec<String>,
    /// A role name (exactly as listed) or id (repeatable).
    #[arg(long = "role", required = true, value_name = "ROLE")]
    roles: Vec<String>,
    /// An object id, application id or user principal name (repeatable).
    #[arg(long = "member", required = true, value_name = "MEMBER")]
    members: Vec<String>,
    /// Where every write is recorded (default: Rolecall's data folder).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum RoleAction {
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
    },
}

#[derive(Debug, Subcommand)]
enum TemplateAction {
    /// The templates: built in, and those in --templates DIR.
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
struct Onboarding {
    #[command(flatten)]
    who: Who,
    /// The template's id (`rolecall-cli template list`).
    #[arg(long)]
    template: Option<String>,
    /// Your own templates' folder, besides the built-in ones.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// A task id (repeatable); every task when omitted.
    #[arg(long = "task", value_name = "TASK")]
    tasks: Vec<String>,
    /// An input, as id=ARM id (repeatable), e.g. gateway=/subscriptions/…/communicationsGateways/cgw.
    #[arg(long = "input", value_name = "ID=SCOPE")]
    inputs: Vec<String>,
    /// An object id, application id or user principal name (repeatable).
    #[arg(long = "member", value_name = "MEMBER")]
    members: Vec<String>,
    /// A CSV file of people (a `userPrincipalName`, `objectId` … column, or
    /// the first one), besides any --member.
    #[arg(long, value_name = "FILE")]
    people_csv: Option<PathBuf>,
    /// Where every write is recorded (default: Rolecall's data folder).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Save what was done: Markdown (each grant also as az, PowerShell and
    /// Bicep), or CSV / JSON by the file's extension.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct Offboarding {
    #[command(flatten)]
    spec: Onboarding,
    /// Remove everything the member holds directly at each --scope (and
    /// with --app-roles, every app role they hold), whatever granted it.
    #[arg(long, requires = "members")]
    everything: bool,
    /// With --everything: where (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// With --everything: also every app role the member holds.
    #[arg(long)]
    app_roles: bool,
    /// Undo what a past run created, from its JSON report (`--report x.json`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["everything", "template"])]
    from_report: Option<PathBuf>,
    /// Show the plan only; write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Subcommand)]
enum ApproleAction {
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
struct AppGrants {
    #[command(flatten)]
    who: Who,
    /// The application (client) id: applications are pinned by id, never by name.
    #[arg(long)]
    app: String,
    /// An app role value, e.g. ProvisioningAPI.ReadUser (repeatable).
    #[arg(long = "role", required = true, value_name = "VALUE")]
    roles: Vec<String>,
    /// An object id, application id or user principal name (repeatable).
    #[arg(long = "member", required = true, value_name = "MEMBER")]
    members: Vec<String>,
    /// Where every write is recorded (default: Rolecall's data folder).
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
}

/// Which sign-in a command uses.
#[derive(Debug, clap::Args)]
struct Who {
    /// The account (its username); the only one when omitted.
    #[arg(long, conflicts_with = "azure_cli")]
    account: Option<String>,
    /// Use the Azure CLI's sign-in (`az login`) instead of a Rolecall account.
    #[arg(long)]
    azure_cli: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that the cloud's sign-in authority is reachable and trusted.
    Doctor,
    /// Show the cloud profile in use.
    Cloud,
    /// Sign in interactively in the browser; the account is remembered in the OS keychain.
    Login {
        /// Instead of opening the system browser, run this command with the
        /// sign-in address as its last argument (for automation).
        #[arg(long, env = "ROLECALL_BROWSER", value_name = "COMMAND")]
        browser_command: Option<String>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 300)]
        timeout: u64,
        /// Sign in on another device instead (for machines without a browser):
        /// a code and an address are printed; enter the code there.
        #[arg(long, conflicts_with = "browser_command")]
        device_code: bool,
    },
    /// List the accounts signed in on this computer.
    Accounts,
    /// Show who an account is, by asking Microsoft Graph (a real token round trip).
    Whoami {
        #[command(flatten)]
        who: Who,
    },
    /// List the subscriptions the account can see.
    Subscriptions {
        #[command(flatten)]
        who: Who,
    },
    /// List role definitions (built-in and custom) usable at a scope.
    Roles {
        #[command(flatten)]
        who: Who,
        /// A subscription, resource group or resource id.
        #[arg(long)]
        scope: String,
        /// Custom roles only.
        #[arg(long)]
        custom: bool,
        /// Only roles whose name contains this text (case-insensitive).
        #[arg(long)]
        name: Option<String>,
    },
    /// List the role assignments that apply at a scope (at it and inherited).
    #[command(visible_alias = "list")]
    Assignments {
        #[command(flatten)]
        who: Who,
        /// A subscription, resource group or resource id.
        #[arg(long)]
        scope: String,
        /// Only this member's (object id), including through their groups.
        #[arg(long)]
        member: Option<String>,
    },
    /// Say whether the signed-in account may perform an action at a scope,
    /// e.g. `can Microsoft.Authorization/roleAssignments/write --scope /subscriptions/…`.
    Can {
        #[command(flatten)]
        who: Who,
        /// An ARM action (a data action with --data).
        action: String,
        /// A subscription, resource group or resource id.
        #[arg(long)]
        scope: String,
        /// The action is a data action.
        #[arg(long)]
        data: bool,
    },
    /// Sign an account out (its keychain entries are removed), or every account with --all.
    Logout {
        /// The account (its username).
        account: Option<String>,
        #[arg(long, conflicts_with = "account")]
        all: bool,
    },
    /// Grant Azure roles: every --role for every --member at every --scope.
    /// Your own right to assign is checked first, existing grants are left
    /// alone, and a re-run changes nothing.
    Assign {
        #[command(flatten)]
        grants: RoleGrants,
        /// Why (shown in the portal with the assignment).
        #[arg(long)]
        description: Option<String>,
        /// Show the plan only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove Azure role assignments made at exactly these scopes.
    Unassign {
        #[command(flatten)]
        grants: RoleGrants,
    },
    /// Custom roles: check a draft (the portal's JSON) against the live
    /// catalogue and your rights, create it, or delete one.
    Role {
        #[command(subcommand)]
        action: RoleAction,
    },
    /// Onboarding templates: list them, show one.
    Template {
        #[command(subcommand)]
        action: TemplateAction,
    },
    /// Onboard people with a template: the chosen tasks become the least set
    /// of grants; preflight (your rights, disabled subscriptions, people not
    /// found, ARM's limits) and the plan against live state come first;
    /// nothing is written while a blocker stands (`--dry-run`: plan only).
    /// Exit status: 0 done, 2 blocked by the preflight (nothing written), 3
    /// some writes failed (see the report).
    #[command(visible_alias = "apply")]
    Onboard {
        #[command(flatten)]
        spec: Onboarding,
        /// Show the preflight and plan only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The preflight and plan of an onboarding, writing nothing (same as
    /// `onboard --dry-run`); `--json` for automation.
    Plan {
        #[command(flatten)]
        spec: Onboarding,
    },
    /// Remove what a template's tasks grant (`--template`), everything a
    /// person holds at scopes (`--everything`), or what a past run created
    /// (`--from-report`), with the same preflight and plan.
    Offboard {
        #[command(flatten)]
        off: Offboarding,
    },
    /// Runs that began and never ended (a crash, a closed window): list them,
    /// resume one (its grants are planned again, so nothing is written
    /// twice), or discard it.
    Resume {
        /// The run's id; lists the unfinished runs when omitted.
        run: Option<String>,
        #[command(flatten)]
        who: Who,
        /// Forget the run instead of resuming it.
        #[arg(long)]
        discard: bool,
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
    },
    /// App roles of enterprise applications (Microsoft Graph).
    Approle {
        #[command(subcommand)]
        action: ApproleAction,
    },
    /// Play the browser for a sign-in address: follow it to the loopback
    /// redirect. Only useful against a cloud that signs in without a page,
    /// such as `rolecall-emulator --auto-sign-in`.
    #[command(hide = true)]
    CompleteSignIn {
        url: String,
        /// Pick this account (UPN or object id) on the sign-in page, as a
        /// person clicking it would.
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr, quiet by default: `RUST_LOG=rolecall_azure=debug`
    // shows every Azure request with its request id (never a token).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let json_output = cli.json;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // The proposal or report is printed already (as JSON, one document):
        // only the reason goes to stderr, and the exit status says which.
        Err(error) if error.downcast_ref::<Stopped>().is_some() => {
            let stopped = error.downcast_ref::<Stopped>().expect("checked");
            eprintln!("error: {}", stopped.message);
            ExitCode::from(stopped.status)
        }
        Err(error) => {
            if json_output {
                let code = error
                    .downcast_ref::<rolecall_core::Error>()
                    .map(|e| e.code().to_owned())
                    .or_else(|| {
                        error
                            .downcast_ref::<rolecall_auth::AuthError>()
                            .map(|e| e.code().to_owned())
                    })
                    .or_else(|| {
                        error
                            .downcast_ref::<rolecall_azure::AzureError>()
                            .map(rolecall_azure::AzureError::code)
                    })
                    .unwrap_or_else(|| "Error".to_owned());
                println!(
                    "{}",
                    json!({"error": {"code": code, "message": format!("{error:#}")}})
                );
            } else {
                eprintln!("error: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// A run stopped with its proposal or report already printed: exit status 2
/// when a preflight blocker stands (nothing written), 3 when some writes
/// failed (see the report; run again or `resume`).
#[derive(Debug)]
struct Stopped {
    status: u8,
    message: String,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Stopped {}

fn load_cloud(cli: &Cli) -> anyhow::Result<CloudProfile> {
    use rolecall_core::CloudChoice;
    let choice = match &cli.cloud_profile {
        Some(path) => CloudChoice::Custom {
            profile_path: path.clone(),
        },
        None => match cli.cloud {
            Cloud::Azure => CloudChoice::Azure,
            Cloud::UsGov => CloudChoice::UsGovernment,
            Cloud::China => CloudChoice::China,
        },
    };
    Ok(choice
        .profile()?
        .expect("only the demo has no profile, and the CLI never chooses it"))
}

fn accounts_for(cli: &Cli, cloud: &CloudProfile) -> anyhow::Result<Arc<rolecall_auth::Accounts>> {
    let service = cli
        .keychain_service
        .clone()
        .unwrap_or_else(|| rolecall_auth::keychain::service_for(cloud, &cli.client_id));
    let keychain = rolecall_auth::Keychain::open(&service)?;
    Ok(Arc::new(rolecall_auth::Accounts::new(
        keychain,
        http::client_for(cloud)?,
        cloud.clone(),
        &cli.client_id,
    )))
}

fn pick_account(
    accounts: &rolecall_auth::Accounts,
    name: Option<&str>,
) -> anyhow::Result<rolecall_auth::AccountInfo> {
    let all = accounts.list()?;
    match name {
        Some(name) => all
            .into_iter()
            .find(|a| a.username.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{name} is not signed in on this computer; run `rolecall-cli login`"
                )
            }),
        None => match all.len() {
            0 => anyhow::bail!("no account is signed in; run `rolecall-cli login`"),
            1 => Ok(all.into_iter().next().expect("one account")),
            _ => anyhow::bail!(
                "several accounts are signed in; choose one with --account (see `rolecall-cli accounts`)"
            ),
        },
    }
}

/// The account a command acts as, and its ARM and Graph clients (in the
/// `--tenant` given, else the account's home tenant).
async fn connect(
    cli: &Cli,
    cloud: &CloudProfile,
    who: &Who,
) -> anyhow::Result<(rolecall_auth::AccountInfo, rolecall_azure::Azure)> {
    use rolecall_auth::AccountCredential;
    let (info, credential): (_, Arc<dyn azure_core::credentials::TokenCredential>) = if who
        .azure_cli
    {
        let az = rolecall_auth::azure_cli::connect(cloud, cli.tenant.as_deref()).await?;
        (az.info, az.credential)
    } else {
        let accounts = accounts_for(cli, cloud)?;
        let info = pick_account(&accounts, who.account.as_deref())?;
        let credential = match &cli.tenant {
            Some(tenant) => AccountCredential::in_tenant(accounts, info.id.clone(), tenant.clone()),
            None => AccountCredential::new(accounts, info.id.clone()),
        };
        (info, Arc::new(credential))
    };
    let azure = rolecall_azure::Azure::new(
        cloud,
        http::client_for(cloud)?,
        credential,
        &rolecall_azure::Options::default(),
    );
    Ok((info, azure))
}

/// The journal of writes: `--journal`, else `journal.jsonl` in the data
/// folder the desktop app uses too.
fn journal(path: Option<&PathBuf>) -> anyhow::Result<rolecall_grants::Journal> {
    let path = match path {
        Some(path) => path.clone(),
        None => dirs::data_dir()
            .ok_or_else(|| {
                anyhow::anyhow!("no data folder is known for this user; give --journal FILE")
            })?
            .join("app.rolecall.desktop")
            .join("journal.jsonl"),
    };
    rolecall_grants::Journal::open(&path)
        .map_err(|e| anyhow::anyhow!("the journal {} cannot be opened: {e}", path.display()))
}

async fn role_grants(
    azure: &rolecall_azure::Azure,
    spec: &RoleGrants,
    description: Option<&str>,
) -> anyhow::Result<Vec<rolecall_grants::Grant>> {
    let mut members = Vec::new();
    for text in &spec.members {
        members.push(rolecall_grants::resolve::member(azure, text).await?);
    }
    let mut grants = Vec::new();
    for scope in &spec.scopes {
        let scope = rolecall_rbac::Scope::parse(scope)?;
        for role in &spec.roles {
            let role = rolecall_grants::resolve::role(azure, scope.as_str(), role).await?;
            for member in &members {
                grants.push(rolecall_grants::Grant::AzureRole(
                    rolecall_grants::AzureRoleGrant {
                        scope: scope.as_str().to_owned(),
                        role_id: role.name.clone(),
                        role_name: role.role_name().to_owned(),
                        member: member.clone(),
                        description: description.map(str::to_owned),
                    },
                ));
            }
        }
    }
    Ok(grants)
}

async fn app_grants(
    azure: &rolecall_azure::Azure,
    spec: &AppGrants,
) -> anyhow::Result<Vec<rolecall_grants::Grant>> {
    let (app, roles) = rolecall_grants::resolve::app_roles(azure, &spec.app, &spec.roles).await?;
    let mut grants = Vec::new();
    for text in &spec.members {
        let member = rolecall_grants::resolve::member(azure, text).await?;
        for role in &roles {
            // Users and groups take roles made for users, applications those
            // made for applications (as Graph requires).
            rolecall_app::roles::check_app_role(role, &member)?;
            grants.push(rolecall_grants::Grant::AppRole(
                rolecall_grants::AppRoleGrant {
                    resource_id: app.id.clone(),
                    resource_name: app.display_name.clone(),
                    app_id: app.app_id.clone(),
                    app_role_id: role.id.clone(),
                    app_role_value: role.value.clone().unwrap_or_default(),
                    member: member.clone(),
                },
            ));
        }
    }
    Ok(grants)
}

/// Plans, prints the plan, applies unless `dry_run`, prints each outcome;
/// fails when anything was blocked or failed.
async fn grant(
    json_output: bool,
    azure: &rolecall_azure::Azure,
    grants: Vec<rolecall_grants::Grant>,
    journal: &rolecall_grants::Journal,
    dry_run: bool,
) -> anyhow::Result<()> {
    let plan = rolecall_grants::plan(azure, grants).await?;
    if dry_run {
        if json_output {
            println!("{}", serde_json::to_string(&plan)?);
        } else {
            print_plan(false, &plan);
        }
        return Ok(());
    }
    let print = |event: rolecall_grants::ItemEvent| {
        if let rolecall_grants::ItemEvent::WaitingForReplication { index, attempt } = event
            && !json_output
        {
            eprintln!(
                "waiting for the directory to replicate {} (attempt {attempt})",
                plan.items[index].grant.member().label()
            );
        }
    };
    let outcomes = rolecall_grants::apply(
        azure,
        &plan,
        &rolecall_grants::ApplyOptions::default(),
        Some(journal),
        &print,
    )
    .await;
    report(
        json_output,
        &plan.items.iter().map(|i| &i.grant).collect::<Vec<_>>(),
        &outcomes,
    )
}

/// The report's words for an outcome, with the request id of a write.
fn outcome_text(o: &rolecall_grants::Outcome) -> String {
    match o {
        rolecall_grants::Outcome::Created {
            request_id: Some(id),
            ..
        } => format!("created, request id {id}"),
        other => rolecall_grants::report::outcome_text(other),
    }
}

fn report(
    json_output: bool,
    grants: &[&rolecall_grants::Grant],
    outcomes: &[rolecall_grants::Outcome],
) -> anyhow::Result<()> {
    if json_output {
        let rows: Vec<_> = grants
            .iter()
            .zip(outcomes)
            .map(|(g, o)| json!({"grant": g, "result": o}))
            .collect();
        println!("{}", serde_json::to_string(&rows)?);
    } else {
        for (g, o) in grants.iter().zip(outcomes) {
            let state = outcome_text(o);
            println!("{}  [{state}]", g.describe());
        }
    }
    let bad = outcomes.iter().filter(|o| !o.is_success()).count();
    if bad > 0 {
        anyhow::bail!(
            "{bad} of {} grants were not made; see above",
            outcomes.len()
        );
    }
    Ok(())
}

/// The templates: built in, then the admin's own from `--templates DIR`, or
/// else from the app's templates folder (what the app imported is here too).
fn library(dir: Option<&PathBuf>) -> rolecall_app::templates::Library {
    let dir = dir
        .cloned()
        .or_else(|| rolecall_app::Folders::for_user().map(|f| f.templates()));
    rolecall_app::templates::Library::new(dir)
}

fn templates(dir: Option<&PathBuf>) -> anyhow::Result<Vec<rolecall_onboarding::Template>> {
    Ok(library(dir).list()?.into_iter().map(|(t, _)| t).collect())
}

fn find_template(dir: Option<&PathBuf>, id: &str) -> anyhow::Result<rolecall_onboarding::Template> {
    Ok(library(dir).find(id)?)
}

/// The proposal (preflight + plan) of onboarding, or offboarding, the
/// people of `spec` with its template.
async fn onboarding(
    azure: &rolecall_azure::Azure,
    spec: &Onboarding,
    offboard: bool,
) -> anyhow::Result<rolecall_onboarding::Proposal> {
    let id = spec
        .template
        .as_deref()
        .ok_or_else(|| {
            anyhow::anyhow!(
                "give --template ID (`rolecall-cli template list`); to offboard without one, use --everything --scope S or --from-report FILE"
            )
        })?;
    let template = find_template(spec.templates.as_ref(), id)?;
    let mut inputs = std::collections::HashMap::new();
    for pair in &spec.inputs {
        let (id, scope) = pair
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--input {pair}: write it as id=ARM id"))?;
        inputs.insert(id.to_owned(), scope.to_owned());
    }
    if let Some(missing) = template.inputs.iter().find(|i| !inputs.contains_key(&i.id)) {
        anyhow::bail!(
            "the template needs --input {}=… ({})",
            missing.id,
            missing.label
        );
    }
    let mut people = spec.members.clone();
    if let Some(path) = &spec.people_csv {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", path.display()))?;
        people.extend(rolecall_onboarding::people_from_csv(&text));
    }
    if people.is_empty() {
        anyhow::bail!("give --member (repeatable) or --people-csv FILE");
    }
    let catalogue = catalogue(azure).await?;
    let request = rolecall_onboarding::Request {
        template: &template,
        tasks: spec.tasks.clone(),
        inputs,
        people,
    };
    Ok(if offboard {
        rolecall_onboarding::prepare_offboarding(azure, &request, catalogue).await?
    } else {
        rolecall_onboarding::prepare(azure, &request, catalogue, &Default::default()).await?
    })
}

fn print_plan(json_output: bool, plan: &rolecall_grants::Plan) {
    use rolecall_grants::Status;
    if json_output {
        return;
    }
    for item in &plan.items {
        let state = match &item.status {
            Status::ToCreate => "to create".to_owned(),
            Status::InPlace {
                made_elsewhere: true,
                ..
            } => "in place (made outside Rolecall)".to_owned(),
            Status::InPlace { .. } => "in place".to_owned(),
            Status::Inherited { from_scope } => format!("inherited from {from_scope}"),
            Status::Covered {
                by_role,
                from_scope,
            } => format!("covered by {by_role} at {from_scope}"),
            Status::Blocked { reason } => format!("blocked: {reason}"),
            Status::Kept { reason } => format!("kept: {reason}"),
        };
        println!("{}  [{state}]", item.grant.describe());
    }
}

/// Prints the proposal; unless `dry_run`, carries it out (refused while a
/// blocker stands), prints and saves the report.
async fn carry_out(
    json_output: bool,
    azure: &rolecall_azure::Azure,
    proposal: &rolecall_onboarding::Proposal,
    spec: &Onboarding,
    dry_run: bool,
) -> anyhow::Result<()> {
    if json_output && dry_run {
        println!("{}", serde_json::to_string(proposal)?);
    } else if !json_output {
        println!("{}", proposal.title);
        for c in &proposal.checks {
            let level = match c.level {
                rolecall_onboarding::Level::Blocker => "blocker",
                rolecall_onboarding::Level::Warning => "warning",
            };
            eprintln!("{level}: {}: {}", c.title, c.detail);
        }
        for why in &proposal.left_out {
            eprintln!("left out: {why}");
        }
        for r in &proposal.custom_roles {
            println!("custom role {}  [{:?}]", r.role.draft.role_name, r.state);
        }
        print_plan(false, &proposal.plan);
    }
    if proposal.is_blocked() {
        return Err(Stopped {
            status: 2,
            message: format!(
                "{} blocker(s) stand; nothing was written. Resolve them and run again.",
                proposal.blockers().count()
            ),
        }
        .into());
    }
    if dry_run {
        return Ok(());
    }
    if proposal.writes() == 0 && !json_output {
        println!("nothing to do: everything is already as asked");
    }
    let plan = (proposal.kind == rolecall_grants::RunKind::Apply).then(|| proposal.plan.clone());
    execute(json_output, azure, &proposal.to_run(), plan, spec).await
}

/// The cloud's provider-operations catalogue, read once per process (the
/// preflight and the run both need it; it is a few megabytes).
async fn catalogue(
    azure: &rolecall_azure::Azure,
) -> anyhow::Result<std::sync::Arc<rolecall_rbac::Catalogue>> {
    static CATALOGUE: tokio::sync::OnceCell<std::sync::Arc<rolecall_rbac::Catalogue>> =
        tokio::sync::OnceCell::const_new();
    Ok(CATALOGUE
        .get_or_try_init(|| async {
            rolecall_azure::catalogue::provider_operations(&azure.arm)
                .await
                .map(std::sync::Arc::new)
        })
        .await?
        .clone())
}

async fn run_options(
    azure: &rolecall_azure::Azure,
) -> anyhow::Result<rolecall_grants::runs::RunOptions> {
    Ok(rolecall_grants::runs::RunOptions {
        catalogue: Some(catalogue(azure).await?),
        ..Default::default()
    })
}

fn progress(json_output: bool) -> impl Fn(rolecall_grants::runs::RunEvent) + Send + Sync {
    move |event| {
        use rolecall_grants::ItemEvent;
        use rolecall_grants::runs::RunEvent;
        if json_output {
            return;
        }
        if let RunEvent::Grant {
            event: ItemEvent::WaitingForReplication { index, attempt },
        } = event
        {
            eprintln!("item {index}: waiting for the directory to replicate (attempt {attempt})");
        }
    }
}

async fn execute(
    json_output: bool,
    azure: &rolecall_azure::Azure,
    run: &rolecall_grants::Run,
    plan: Option<rolecall_grants::Plan>,
    spec: &Onboarding,
) -> anyhow::Result<()> {
    let journal = journal(spec.journal.as_ref())?;
    let _claim = journal.claim(&run.id)?;
    let report = rolecall_grants::runs::execute(
        azure,
        run,
        plan,
        &run_options(azure).await?,
        Some(&journal),
        &progress(json_output),
    )
    .await?;
    if let Some(path) = &spec.report {
        save_run_report(path, &report)?;
    }
    print_report(json_output, &report)
}

fn print_report(
    json_output: bool,
    report: &rolecall_grants::runs::RunReport,
) -> anyhow::Result<()> {
    if json_output {
        println!("{}", serde_json::to_string(&report.to_json(&local_user()))?);
    } else {
        for (role, outcome) in report.run.custom_roles.iter().zip(&report.roles) {
            println!(
                "custom role {}  [{}]",
                role.draft.role_name,
                outcome_text(outcome)
            );
        }
        for (grant, outcome) in report.run.grants.iter().zip(&report.outcomes) {
            println!("{}  [{}]", grant.describe(), outcome_text(outcome));
        }
    }
    let bad = report
        .roles
        .iter()
        .chain(&report.outcomes)
        .filter(|o| !o.is_success())
        .count();
    if bad > 0 {
        return Err(Stopped {
            status: 3,
            message: format!(
                "{bad} of {} writes were not made; see the report. Run it again once resolved: what was made reads as in place.",
                report.roles.len() + report.outcomes.len()
            ),
        }
        .into());
    }
    Ok(())
}

/// Who ran it, as the report names them: the operating-system user.
fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "an admin".into())
}

/// Saves what a run did as Markdown, CSV or JSON, by the file's extension.
fn save_run_report(
    path: &std::path::Path,
    report: &rolecall_grants::runs::RunReport,
) -> anyhow::Result<()> {
    let format = rolecall_grants::report::Format::from_path(path);
    rolecall_core::files::write_atomic(path, report.render(&local_user(), format).as_bytes())
        .map_err(|e| anyhow::anyhow!("the report cannot be saved: {e}"))?;
    eprintln!("report saved to {}", path.display());
    Ok(())
}

/// Opens `url` with the configured command, or the system browser.
fn opener(command: Option<String>) -> rolecall_auth::interactive::Opener {
    use rolecall_auth::interactive::{browser_command, system_browser};
    match command {
        Some(command) => browser_command(command),
        None => Box::new(|url: url::Url| {
            eprintln!("Opening your browser to sign in. If it does not open, visit:\n{url}");
            system_browser()(url)
        }),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let cloud = load_cloud(&cli)?;
    let tenant = cli
        .tenant
        .clone()
        .unwrap_or_else(|| cloud.tenant_or_default().to_owned());
    match &cli.command {
        Command::Cloud => {
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&cloud)?);
            } else {
                println!("{}", cloud.name);
                println!("  authority:        {}", cloud.authority_host);
                println!("  resource manager: {}", cloud.resource_manager_endpoint);
                println!("  graph:            {}", cloud.graph_endpoint);
                println!("  tenant:           {tenant}");
                let ca = if cloud.ca_certificate_pem.is_some() {
                    "its own (custom cloud)"
                } else {
                    "system roots"
                };
                println!("  trusts:           {ca}");
            }
        }
        Command::Login {
            browser_command,
            timeout,
            device_code,
        } => {
            let accounts = accounts_for(&cli, &cloud)?;
            let timeout = Duration::from_secs(*timeout);
            let info = if *device_code {
                let (prompt, session) = accounts.start_device_code(&tenant).await?;
                eprintln!("{}", prompt.message);
                accounts.finish_device_code(&session, timeout).await?
            } else {
                accounts
                    .sign_in_interactive(&tenant, opener(browser_command.clone()), timeout)
                    .await?
            };
            if cli.json {
                println!("{}", serde_json::to_string(&info)?);
            } else {
                println!(
                    "signed in as {} ({}) in tenant {}",
                    info.display_name, info.username, info.tenant_id
                );
            }
        }
        Command::Accounts => {
            let accounts = accounts_for(&cli, &cloud)?;
            let all = accounts.list()?;
            if cli.json {
                println!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                println!("no account is signed in on this computer");
            } else {
                for a in all {
                    let state = if accounts.has_session(&a.id)? {
                        ""
                    } else {
                        "  (sign in again)"
                    };
                    println!(
                        "{}  {}  tenant {}{state}",
                        a.username, a.display_name, a.tenant_id
                    );
                }
            }
        }
        Command::Whoami { who } => {
            let (info, azure) = connect(&cli, &cloud, who).await?;
            let me = azure.graph.me().await?;
            if cli.json {
                println!(
                    "{}",
                    json!({"account": info, "graph": {"id": me.id, "userPrincipalName": me.user_principal_name, "displayName": me.display_name}})
                );
            } else {
                println!(
                    "{} ({}), object id {}",
                    me.display_name, me.user_principal_name, me.id
                );
            }
        }
        Command::Subscriptions { who } => {
            let (_, azure) = connect(&cli, &cloud, who).await?;
            let all: Vec<_> = azure.arm.subscriptions().try_collect().await?;
            if cli.json {
                println!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                println!("this account sees no subscription in this tenant");
            } else {
                for s in all {
                    println!("{}  {}  {}", s.subscription_id, s.state, s.display_name);
                }
            }
        }
        Command::Roles {
            who,
            scope,
            custom,
            name,
        } => {
            let scope = rolecall_rbac::Scope::parse(scope)?;
            let (_, azure) = connect(&cli, &cloud, who).await?;
            let filter = if *custom {
                RoleFilter::CustomOnly
            } else {
                RoleFilter::All
            };
            let needle = name.as_deref().map(str::to_lowercase);
            let mut roles: Vec<_> = azure
                .arm
                .role_definitions(scope.as_str(), &filter)
                .try_filter(|r| {
                    let keep = needle
                        .as_deref()
                        .is_none_or(|n| r.role_name().to_lowercase().contains(n));
                    std::future::ready(keep)
                })
                .try_collect()
                .await?;
            roles.sort_by(|a, b| a.role_name().cmp(b.role_name()));
            if cli.json {
                println!("{}", serde_json::to_string(&roles)?);
            } else {
                for r in roles {
                    println!("{}  {}  {}", r.name, r.properties.role_type, r.role_name());
                }
            }
        }
        Command::Assignments { who, scope, member } => {
            let scope = rolecall_rbac::Scope::parse(scope)?;
            let (_, azure) = connect(&cli, &cloud, who).await?;
            let filter = match member {
                Some(id) => AssignmentFilter::AssignedTo(id.clone()),
                None => AssignmentFilter::AtScope,
            };
            let (assignments, roles) = tokio::try_join!(
                azure
                    .arm
                    .role_assignments(scope.as_str(), &filter)
                    .try_collect::<Vec<_>>(),
                azure
                    .arm
                    .role_definitions(scope.as_str(), &RoleFilter::All)
                    .try_collect::<Vec<_>>(),
            )?;
            let roles = rolecall_rbac::effective::RoleSet::new(roles);
            let rows: Vec<_> = assignments
                .iter()
                .map(|a| {
                    let p = &a.properties;
                    let inherited = !p.scope.eq_ignore_ascii_case(scope.as_str());
                    json!({
                        "name": a.name,
                        "role": roles.get(&p.role_definition_id).map(|r| r.role_name()),
                        "roleDefinitionId": p.role_definition_id,
                        "principalId": p.principal_id,
                        "principalType": p.principal_type,
                        "scope": p.scope,
                        "inherited": inherited,
                    })
                })
                .collect();
            if cli.json {
                println!("{}", serde_json::to_string(&rows)?);
            } else if rows.is_empty() {
                println!("no role assignment applies at {}", scope.as_str());
            } else {
                for row in rows {
                    println!(
                        "{}  {} {}  at {}{}",
                        row["role"].as_str().unwrap_or("(unknown role)"),
                        row["principalType"].as_str().unwrap_or_default(),
                        row["principalId"].as_str().unwrap_or_default(),
                        row["scope"].as_str().unwrap_or_default(),
                        if row["inherited"] == true {
                            "  (inherited)"
                        } else {
                            ""
                        }
                    );
                }
            }
        }
        Command::Can {
            who,
            action,
            scope,
            data,
        } => {
            let scope = rolecall_rbac::Scope::parse(scope)?;
            let (info, azure) = connect(&cli, &cloud, who).await?;
            let permissions: Vec<_> = azure.arm.permissions(scope.as_str()).try_collect().await?;
            let kind = if *data {
                rolecall_rbac::ActionKind::DataAction
            } else {
                rolecall_rbac::ActionKind::Action
            };
            let allowed = rolecall_rbac::permissions::allows(&permissions, action, kind);
            if cli.json {
                println!(
                    "{}",
                    json!({"account": info.username, "action": action, "scope": scope.as_str(), "allowed": allowed})
                );
            } else if allowed {
                println!("yes: {} may {action} at {}", info.username, scope.as_str());
            } else {
                println!(
                    "no: {} may not {action} at {}",
                    info.username,
                    scope.as_str()
                );
            }
        }
        Command::Assign {
            grants,
            description,
            dry_run,
        } => {
            let (_, azure) = connect(&cli, &cloud, &grants.who).await?;
            let journal = journal(grants.journal.as_ref())?;
            let list = role_grants(&azure, grants, description.as_deref()).await?;
            grant(cli.json, &azure, list, &journal, *dry_run).await?;
        }
        Command::Unassign { grants } => {
            let (_, azure) = connect(&cli, &cloud, &grants.who).await?;
            let journal = journal(grants.journal.as_ref())?;
            let list = role_grants(&azure, grants, None).await?;
            let outcomes = rolecall_grants::remove(
                &azure,
                &list,
                rolecall_grants::Removes::Any,
                4,
                Some(&journal),
                &|_| {},
            )
            .await;
            report(cli.json, &list.iter().collect::<Vec<_>>(), &outcomes)?;
        }
        Command::Role { action } => match action {
            RoleAction::Check { who, file }
            | RoleAction::Create { who, file }
            | RoleAction::Update { who, file, .. } => {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", file.display()))?;
                let draft = rolecall_rbac::draft::Draft::from_json(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                let first = draft.assignable_scopes.first().cloned().ok_or_else(|| {
                    anyhow::anyhow!(
                        "the draft has no assignable scope; add one to assignableScopes"
                    )
                })?;
                let subscription = rolecall_rbac::Scope::parse(&first)?
                    .subscription_scope()
                    .unwrap_or(first);
                let (_, azure) = connect(&cli, &cloud, who).await?;
                let tenant =
                    rolecall_grants::custom_roles::Tenant::load(&azure, &subscription).await?;
                let editing = match action {
                    RoleAction::Update { role, .. } => {
                        let found =
                            rolecall_grants::resolve::role(&azure, &subscription, role).await?;
                        if !found.is_custom() {
                            anyhow::bail!(
                                "{} is a built-in role; only custom roles can be updated",
                                found.role_name()
                            );
                        }
                        Some(found.name)
                    }
                    _ => None,
                };
                let issues = rolecall_grants::custom_roles::check(
                    &azure,
                    &tenant,
                    &draft,
                    editing.as_deref(),
                )
                .await?;
                let errors = issues
                    .iter()
                    .filter(|i| i.severity == rolecall_rbac::draft::Severity::Error)
                    .count();
                if matches!(action, RoleAction::Check { .. }) || errors > 0 {
                    if cli.json {
                        println!("{}", serde_json::to_string(&issues)?);
                    } else if issues.is_empty() {
                        println!("no issue: ARM would accept this role as it is");
                    } else {
                        for i in &issues {
                            println!("{:?}  {}  {}", i.severity, i.field, i.message);
                        }
                    }
                    if errors > 0 {
                        anyhow::bail!(
                            "{errors} issue(s) must be fixed before the role can be written"
                        );
                    }
                } else {
                    let guid = editing.clone().unwrap_or_else(|| {
                        rolecall_app::roles::new_role_id(&draft.role_name, &subscription)
                    });
                    let role = rolecall_grants::custom_roles::save(
                        &azure,
                        &tenant,
                        &draft,
                        &guid,
                        editing.is_some(),
                        &Default::default(),
                    )
                    .await?;
                    let verb = if editing.is_some() {
                        "updated"
                    } else {
                        "created"
                    };
                    if cli.json {
                        println!("{}", serde_json::to_string(&role)?);
                    } else {
                        println!(
                            "{verb} {} ({}); ARM reads it back consistently",
                            role.role_name(),
                            role.id
                        );
                    }
                }
            }
            RoleAction::Delete { who, scope, role } => {
                let scope = rolecall_rbac::Scope::parse(scope)?;
                let (_, azure) = connect(&cli, &cloud, who).await?;
                // Deleted where it lives (its first assignable scope),
                // refused for a built-in role or one still assigned.
                let found = rolecall_app::roles::delete_custom_role(&azure, &scope, role).await?;
                println!("deleted {}", found.role_name());
            }
        },
        Command::Template { action } => match action {
            TemplateAction::List { templates: dir } => {
                let all = templates(dir.as_ref())?;
                if cli.json {
                    println!("{}", serde_json::to_string(&all)?);
                } else {
                    for t in all {
                        println!("{}  {} ({} tasks)", t.id, t.name, t.tasks.len());
                    }
                }
            }
            TemplateAction::Show { id, templates: dir } => {
                let t = find_template(dir.as_ref(), id)?;
                if cli.json {
                    println!("{}", serde_json::to_string_pretty(&t)?);
                } else {
                    println!("{}\n{}\n", t.name, t.description);
                    for i in &t.inputs {
                        println!("input {}: {}", i.id, i.label);
                    }
                    for task in &t.tasks {
                        println!("task {}: {}", task.id, task.title);
                    }
                }
            }
        },
        Command::Onboard { spec, dry_run } => {
            let (_, azure) = connect(&cli, &cloud, &spec.who).await?;
            let proposal = onboarding(&azure, spec, false).await?;
            carry_out(cli.json, &azure, &proposal, spec, *dry_run).await?;
        }
        Command::Plan { spec } => {
            let (_, azure) = connect(&cli, &cloud, &spec.who).await?;
            let proposal = onboarding(&azure, spec, false).await?;
            carry_out(cli.json, &azure, &proposal, spec, true).await?;
        }
        Command::Offboard { off } => {
            let spec = &off.spec;
            let (_, azure) = connect(&cli, &cloud, &spec.who).await?;
            if let Some(path) = &off.from_report {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", path.display()))?;
                let run = rolecall_app::undo::of_report(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let proposal = rolecall_onboarding::prepare_undo(&azure, run).await?;
                carry_out(cli.json, &azure, &proposal, spec, off.dry_run).await?;
                return Ok(());
            }
            let proposal = if off.everything {
                let [person] = spec.members.as_slice() else {
                    anyhow::bail!("--everything takes one --member");
                };
                rolecall_onboarding::prepare_removal_of_everything(
                    &azure,
                    person,
                    &off.scopes,
                    off.app_roles,
                )
                .await?
            } else {
                onboarding(&azure, spec, true).await?
            };
            carry_out(cli.json, &azure, &proposal, spec, off.dry_run).await?;
        }
        Command::Resume {
            run,
            who,
            discard,
            journal: path,
        } => {
            let journal = journal(path.as_ref())?;
            let pending = journal.unfinished()?;
            let Some(id) = run else {
                if cli.json {
                    println!("{}", serde_json::to_string(&pending)?);
                } else if pending.is_empty() {
                    println!("no interrupted runs");
                } else {
                    for u in &pending {
                        println!(
                            "{}  {}  began {}, {} of {} written",
                            u.run.id,
                            u.run.title,
                            u.began,
                            u.written,
                            u.run.grants.len() + u.run.custom_roles.len()
                        );
                    }
                }
                return Ok(());
            };
            let found = pending
                .into_iter()
                .find(|u| &u.run.id == id)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "no unfinished run has the id {id}; `rolecall-cli resume` lists them"
                    )
                })?;
            if *discard {
                journal.discard(id);
                eprintln!("discarded {id}; what it wrote stays in Azure and in the journal");
                return Ok(());
            }
            let (_, azure) = connect(&cli, &cloud, who).await?;
            // The app (or another rolecall-cli) may be carrying it out now.
            let _claim = journal.claim(&found.run.id)?;
            let report = rolecall_grants::runs::resume(
                &azure,
                &found.run,
                &run_options(&azure).await?,
                Some(&journal),
                &progress(cli.json),
            )
            .await?;
            print_report(cli.json, &report)?;
        }
        Command::Approle { action } => match action {
            ApproleAction::Assign { grants, dry_run } => {
                let (_, azure) = connect(&cli, &cloud, &grants.who).await?;
                let journal = journal(grants.journal.as_ref())?;
                let list = app_grants(&azure, grants).await?;
                grant(cli.json, &azure, list, &journal, *dry_run).await?;
            }
            ApproleAction::Unassign { grants } => {
                let (_, azure) = connect(&cli, &cloud, &grants.who).await?;
                let journal = journal(grants.journal.as_ref())?;
                let list = app_grants(&azure, grants).await?;
                let outcomes = rolecall_grants::remove(
                    &azure,
                    &list,
                    rolecall_grants::Removes::Any,
                    4,
                    Some(&journal),
                    &|_| {},
                )
                .await;
                report(cli.json, &list.iter().collect::<Vec<_>>(), &outcomes)?;
            }
            ApproleAction::List { who, app } => {
                let (_, azure) = connect(&cli, &cloud, who).await?;
                let (app, _) = rolecall_grants::resolve::app_roles(&azure, app, &[]).await?;
                let holders: Vec<_> = azure
                    .graph
                    .app_role_assigned_to(&app.id)
                    .try_collect()
                    .await?;
                if cli.json {
                    println!("{}", serde_json::to_string(&holders)?);
                } else {
                    for h in holders {
                        let role = app
                            .app_roles
                            .iter()
                            .find(|r| r.id.eq_ignore_ascii_case(&h.app_role_id))
                            .and_then(|r| r.value.clone())
                            .unwrap_or_else(|| h.app_role_id.clone());
                        println!(
                            "{role}  {} {}  {}",
                            h.principal_type.as_deref().unwrap_or_default(),
                            h.principal_id,
                            h.principal_display_name.as_deref().unwrap_or_default()
                        );
                    }
                }
            }
        },
        Command::Logout { account, all } => {
            let accounts = accounts_for(&cli, &cloud)?;
            if *all {
                accounts.sign_out_everywhere()?;
                println!("signed out of every account on this computer");
            } else {
                let info = pick_account(&accounts, account.as_deref())?;
                accounts.sign_out(&info.id)?;
                println!("signed out {}", info.username);
            }
        }
        Command::CompleteSignIn { url, as_user } => {
            // Trust the cloud's CA like every other call, but do not follow the
            // redirect to the loopback with that client: it is plain HTTP.
            let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
            let client = match &cloud.ca_certificate_pem {
                Some(pem) => {
                    client.tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes())?])
                }
                None => client,
            }
            .build()?;
            let answer = match as_user {
                // The page's form posts the request's own parameters and the choice.
                Some(user) => {
                    let page = url::Url::parse(url)?;
                    let mut form: Vec<(String, String)> = page.query_pairs().into_owned().collect();
                    form.push(("rolecall_user".into(), user.clone()));
                    let mut action = page.clone();
                    action.set_query(None);
                    client.post(action).form(&form).send().await?
                }
                None => client.get(url.as_str()).send().await?,
            };
            let location = answer
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| anyhow::anyhow!("the authority answered {} without a redirect: it wants a person at a browser", answer.status()))?
                .to_owned();
            if !location.starts_with("http://localhost:") {
                anyhow::bail!(
                    "refusing to follow a redirect that is not to the loopback: {location}"
                );
            }
            reqwest::Client::new().get(location).send().await?;
        }
        Command::Doctor => {
            let client = http::client_for(&cloud)?;
            let found = discovery::discover(&client, &cloud, &tenant).await?;
            let millis = found.elapsed.as_millis();
            if cli.json {
                println!(
                    "{}",
                    json!({
                        "cloud": cloud.name,
                        "tenant": tenant,
                        "issuer": found.configuration.issuer,
                        "elapsedMs": millis,
                    })
                );
            } else {
                println!(
                    "ok: {} answered for tenant {tenant} in {millis} ms (issuer {})",
                    cloud.name, found.configuration.issuer
                );
            }
        }
    }
    Ok(())
}
