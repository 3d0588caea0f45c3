//! What every command starts from: the cloud, the keychain's accounts, a
//! signed-in connection, the journal, the browser.

use std::path::PathBuf;
use std::sync::Arc;

use rolecall_core::{CloudProfile, http};

use crate::args::*;

/// The parsed command line and the cloud it names, for every command.
pub struct Ctx<'a> {
    pub cli: &'a Cli,
    pub cloud: CloudProfile,
    pub tenant: String,
    /// The cloud's provider-operations catalogue, read once per process and
    /// kept between runs in the app's cache folder (shared with the app).
    pub catalogue: rolecall_app::catalogue::Slot,
}

impl<'a> Ctx<'a> {
    pub fn new(cli: &'a Cli, cloud: CloudProfile) -> Self {
        let tenant = cli
            .tenant
            .clone()
            .unwrap_or_else(|| cloud.tenant_or_default().to_owned());
        let cache = rolecall_app::Folders::for_user().and_then(|f| f.catalogue_cache());
        Self {
            cli,
            cloud,
            tenant,
            catalogue: rolecall_app::catalogue::Slot::new(cache),
        }
    }

    /// Text for people, or JSON for scripts (`--json`).
    pub fn printer(&self) -> crate::print::Printer {
        crate::print::Printer::new(self.cli.json)
    }

    /// What the use cases work with: `azure`, the catalogue, `journal`.
    pub fn use_cases<'b>(
        &'b self,
        azure: &'b rolecall_azure::Azure,
        journal: Option<&'b rolecall_grants::Journal>,
    ) -> rolecall_app::Context<'b> {
        rolecall_app::Context {
            azure,
            catalogue: &self.catalogue,
            journal,
        }
    }
}

pub(crate) fn load_cloud(cli: &Cli) -> anyhow::Result<CloudProfile> {
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
pub(crate) fn accounts_for(
    cli: &Cli,
    cloud: &CloudProfile,
    http: reqwest::Client,
) -> anyhow::Result<Arc<rolecall_auth::Accounts>> {
    use rolecall_app::connect::{Keys, accounts};
    let keys = match &cli.keychain_service {
        Some(name) => Keys::Service(name),
        None => Keys::OfCloud,
    };
    let (accounts, unreachable) = accounts(cloud, http, &cli.client_id, keys);
    // A command cannot go on without its sign-in: say so now.
    if let Some(error) = unreachable {
        return Err(error.into());
    }
    Ok(accounts)
}
pub(crate) fn pick_account(
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
pub(crate) async fn connect(
    cli: &Cli,
    cloud: &CloudProfile,
    who: &Who,
) -> anyhow::Result<(rolecall_auth::AccountInfo, rolecall_azure::Azure)> {
    use rolecall_auth::AccountCredential;
    let http = http::client_for(cloud)?;
    let (info, credential): (_, Arc<dyn azure_core::credentials::TokenCredential>) = if who
        .azure_cli
    {
        let az = rolecall_auth::azure_cli::connect(cloud, cli.tenant.as_deref()).await?;
        (az.info, az.credential)
    } else {
        let accounts = accounts_for(cli, cloud, http.clone())?;
        let info = pick_account(&accounts, who.account.as_deref())?;
        let credential = match &cli.tenant {
            Some(tenant) => AccountCredential::in_tenant(accounts, info.id.clone(), tenant.clone()),
            None => AccountCredential::new(accounts, info.id.clone()),
        };
        (info, Arc::new(credential))
    };
    let azure = rolecall_app::connect::azure(cloud, http, credential);
    Ok((info, azure))
}
/// The journal of writes: `--journal`, else `journal.jsonl` in the data
/// folder the desktop app uses too.
pub(crate) fn journal(path: Option<&PathBuf>) -> anyhow::Result<rolecall_grants::Journal> {
    let path = match path {
        Some(path) => path.clone(),
        None => rolecall_app::Folders::for_user()
            .ok_or_else(|| {
                anyhow::anyhow!("no data folder is known for this user; give --journal FILE")
            })?
            .journal(),
    };
    rolecall_grants::Journal::open(&path)
        .map_err(|e| anyhow::anyhow!("the journal {} cannot be opened: {e}", path.display()))
}
/// Who ran it, as the report names them: the operating-system user.
pub(crate) fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "an admin".into())
}
/// Opens `url` with the configured command, or the system browser.
pub(crate) fn opener(command: Option<String>) -> rolecall_auth::interactive::Opener {
    match command {
        Some(command) => rolecall_auth::interactive::browser_command(command),
        None => Box::new(|url: url::Url| {
            eprintln!("Opening your browser to sign in. If it does not open, visit:\n{url}");
            open::that_detached(url.as_str())
        }),
    }
}
