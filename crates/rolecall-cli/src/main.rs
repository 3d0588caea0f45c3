//! `rolecall-cli`: Rolecall's engine without the window. Every command the app
//! offers is here too, with `--json` output for scripts. Arguments live in
//! `args`, what each command group does in its own module; this file only
//! dispatches.

mod account;
mod args;
mod assign;
mod context;
mod onboard;
mod print;
mod read;
mod role;

use std::process::ExitCode;

use clap::Parser;
use serde_json::json;

use args::{Cli, Command};
use context::{Ctx, load_cloud};

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
                    .or_else(|| {
                        error
                            .downcast_ref::<rolecall_app::AppError>()
                            .map(|e| e.code.clone().into_owned())
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

async fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = Ctx::new(&cli, load_cloud(&cli)?);
    match &cli.command {
        Command::Cloud => account::cloud(&ctx).await?,
        Command::Login(args) => account::login(&ctx, args).await?,
        Command::Accounts => account::accounts(&ctx).await?,
        Command::Whoami(args) => account::whoami(&ctx, args).await?,
        Command::Subscriptions(args) => read::subscriptions(&ctx, args).await?,
        Command::Roles(args) => read::roles(&ctx, args).await?,
        Command::Assignments(args) => read::assignments(&ctx, args).await?,
        Command::Can(args) => read::can(&ctx, args).await?,
        Command::ElevateAccess(args) => read::elevate_access(&ctx, args).await?,
        Command::Activate(args) => read::activate(&ctx, args).await?,
        Command::Deactivate(args) => read::deactivate(&ctx, args).await?,
        Command::Approvals(args) => read::approvals(&ctx, args).await?,
        Command::Approve(args) => read::approve(&ctx, args).await?,
        Command::Expiring(args) => read::expiring(&ctx, args).await?,
        Command::Extend(args) => assign::extend(&ctx, args).await?,
        Command::Assign(args) => assign::assign(&ctx, args).await?,
        Command::Unassign(args) => assign::unassign(&ctx, args).await?,
        Command::Role(args) => role::role(&ctx, args).await?,
        Command::Template(args) => onboard::template(&ctx, args).await?,
        Command::Onboard(args) => onboard::onboard(&ctx, args).await?,
        Command::Plan(args) => onboard::plan(&ctx, args).await?,
        Command::Offboard(args) => onboard::offboard(&ctx, args).await?,
        Command::Resume(args) => onboard::resume(&ctx, args).await?,
        Command::Approle(args) => assign::approle(&ctx, args).await?,
        Command::Logout(args) => account::logout(&ctx, args).await?,
        Command::CompleteSignIn(args) => account::complete_sign_in(&ctx, args).await?,
        Command::Doctor => account::doctor(&ctx).await?,
    }
    Ok(())
}
