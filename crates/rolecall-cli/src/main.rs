//! `rolecall-cli`: Rolecall's engine without the window. Every command the app
//! offers will be here too, with `--json` output for scripts.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
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

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Cloud {
    Azure,
    UsGov,
    China,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check that the cloud's sign-in authority is reachable and trusted.
    Doctor,
    /// Show the cloud profile in use.
    Cloud,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_output = cli.json;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if json_output {
                let code = error
                    .downcast_ref::<rolecall_core::Error>()
                    .map_or("Error", rolecall_core::Error::code);
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

fn load_cloud(cli: &Cli) -> anyhow::Result<CloudProfile> {
    Ok(match &cli.cloud_profile {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("cannot read the cloud profile {}: {e}", path.display())
            })?;
            CloudProfile::from_json(&text)?
        }
        None => match cli.cloud {
            Cloud::Azure => CloudProfile::azure_public(),
            Cloud::UsGov => CloudProfile::azure_us_government(),
            Cloud::China => CloudProfile::azure_china(),
        },
    })
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let cloud = load_cloud(&cli)?;
    let tenant = cli
        .tenant
        .clone()
        .unwrap_or_else(|| cloud.tenant_or_default().to_owned());
    match cli.command {
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
