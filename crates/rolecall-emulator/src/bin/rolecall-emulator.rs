//! Runs the emulator until interrupted and prints its cloud profile (one line
//! of JSON on standard output) once every host accepts connections.

use std::net::IpAddr;
use std::path::PathBuf;

use std::time::Duration;

use clap::Parser;
use rolecall_emulator::{Emulator, Options, Seed};

/// A local emulator of Microsoft Entra ID, Azure Resource Manager and
/// Microsoft Graph for Rolecall's demo mode and tests.
///
/// Serves three HTTPS hosts (authority, ARM, Graph) on loopback with a CA made
/// afresh at every start. Once ready it prints a cloud profile, one line of
/// JSON with the three addresses, the demo tenant and the CA certificate, that
/// the Rolecall app and `rolecall-cli --cloud-profile FILE` accept as a custom
/// cloud, trusting that CA for that cloud only.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Args {
    /// Loopback address to listen on (127.0.0.1 or ::1; other addresses are refused).
    #[arg(long, default_value = "127.0.0.1", env = "ROLECALL_EMULATOR_BIND")]
    bind: IpAddr,

    /// Port of the Entra authority host (0: any free port).
    #[arg(long, default_value_t = 0)]
    authority_port: u16,

    /// Port of the Azure Resource Manager host (0: any free port).
    #[arg(long, default_value_t = 0)]
    arm_port: u16,

    /// Port of the Microsoft Graph host (0: any free port).
    #[arg(long, default_value_t = 0)]
    graph_port: u16,

    /// Port of the sign-in pages a system browser opens (plain HTTP on
    /// loopback, since browsers do not trust the emulator's CA; 0: any free port).
    #[arg(long, default_value_t = 0)]
    browser_port: u16,

    /// Which tenant to start with.
    #[arg(long, value_enum, default_value_t = Seed::Demo)]
    seed: Seed,

    /// Sign this user (UPN or object id) in at /authorize without showing the
    /// sign-in page, for automation. Without it, a page lists the tenant's users.
    #[arg(long, value_name = "USER")]
    auto_sign_in: Option<String>,

    /// Lifetime of issued access tokens, in seconds (Entra's is 3599).
    #[arg(long, value_name = "SECONDS", default_value_t = 3599)]
    access_token_lifetime: u64,

    /// Load Azure's full catalogue (built-in roles, provider operations) from a
    /// folder laid out like shared/azure-reference, instead of the demo's own.
    #[arg(long, value_name = "DIR")]
    reference: Option<PathBuf>,

    /// Keep the tenant's state in this file: loaded at start when it exists,
    /// rewritten after every successful write (refresh tokens only as hashes).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// Items per page of ARM lists before a nextLink.
    #[arg(long, default_value_t = 100)]
    page_size: usize,

    /// Seed for every injected fault: the same seed and requests meet the same faults.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        help_heading = "Failure modes"
    )]
    fault_seed: u64,

    /// Latency added to every answer, in milliseconds.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0,
        help_heading = "Failure modes"
    )]
    latency_ms: u64,

    /// Share (0 to 1) of ARM and Graph requests answered with a 500 or a 503.
    #[arg(
        long,
        value_name = "RATE",
        default_value_t = 0.0,
        help_heading = "Failure modes"
    )]
    server_error_rate: f64,

    /// Share (0 to 1) of ARM and Graph connections closed without an answer.
    #[arg(
        long,
        value_name = "RATE",
        default_value_t = 0.0,
        help_heading = "Failure modes"
    )]
    drop_rate: f64,

    /// Seconds a principal created during the run stays unknown to ARM (PrincipalNotFound).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0,
        help_heading = "Failure modes"
    )]
    principal_replication: u64,

    /// Seconds during which reads of a custom role just written may still see its old version.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0,
        help_heading = "Failure modes"
    )]
    role_propagation: u64,

    /// ARM and Graph refuse access tokens older than this many seconds (early expiry).
    #[arg(long, value_name = "SECONDS", help_heading = "Failure modes")]
    token_max_age: Option<u64>,

    /// ARM's write bucket per subscription: capacity and refill per second (Azure: 200,10).
    #[arg(long, value_name = "CAPACITY,PER_SECOND", value_parser = parse_bucket, default_value = "200,10", help_heading = "Failure modes")]
    arm_writes: (f64, f64),

    /// ARM's read bucket per subscription (Azure: 250,25).
    #[arg(long, value_name = "CAPACITY,PER_SECOND", value_parser = parse_bucket, default_value = "250,25", help_heading = "Failure modes")]
    arm_reads: (f64, f64),

    /// Graph's resource units per application and tenant (Graph: 3,500 per 10 s for a small tenant).
    #[arg(long, value_name = "CAPACITY,PER_SECOND", value_parser = parse_bucket, default_value = "3500,350", help_heading = "Failure modes")]
    graph_units: (f64, f64),

    /// Graph's writes per application and tenant (Graph: 3,000 per 150 s).
    #[arg(long, value_name = "CAPACITY,PER_SECOND", value_parser = parse_bucket, default_value = "3000,20", help_heading = "Failure modes")]
    graph_writes: (f64, f64),

    /// ARM's delete bucket per subscription (Azure: 200,10).
    #[arg(long, value_name = "CAPACITY,PER_SECOND", value_parser = parse_bucket, default_value = "200,10", help_heading = "Failure modes")]
    arm_deletes: (f64, f64),

    /// Also write the cloud profile to this file (written whole, once ready).
    #[arg(long, value_name = "FILE")]
    profile_out: Option<PathBuf>,

    /// The client secret of every confidential application (apps that sign
    /// in as themselves: `az login --service-principal`, client credentials).
    /// Without it each gets a new random secret, printed on stderr at start.
    #[arg(
        long,
        value_name = "SECRET",
        env = "ROLECALL_EMULATOR_APP_SECRET",
        hide_env_values = true
    )]
    app_secret: Option<String>,

    /// PIM removes nothing made less than this many seconds ago (Azure: 300).
    /// For journeys that cannot wait five minutes.
    #[arg(long, value_name = "SECONDS")]
    pim_removal_after: Option<u64>,

    /// Play a tenant without Microsoft Entra ID P2: PIM's APIs (eligible
    /// and time-bound assignments, their policies) refuse every call.
    #[arg(long)]
    without_entra_p2: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            // ROLECALL_LOG, else RUST_LOG as every Rust program reads it
            // (`RUST_LOG=debug` shows each request), else info.
            tracing_subscriber::EnvFilter::try_from_env("ROLECALL_LOG")
                .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
                .unwrap_or_else(|_| "rolecall_emulator=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let emulator = Emulator::start(Options {
        bind: args.bind,
        ports: [args.authority_port, args.arm_port, args.graph_port],
        browser_port: args.browser_port,
        seed: args.seed,
        auto_sign_in: args.auto_sign_in.clone(),
        access_token_lifetime: std::time::Duration::from_secs(args.access_token_lifetime),
        reference: args.reference.clone(),
        page_size: args.page_size,
        state_file: args.state.clone(),
        app_secret: args.app_secret.clone(),
        entra_p2: !args.without_entra_p2,
        faults: rolecall_emulator::Faults {
            seed: args.fault_seed,
            latency: Duration::from_millis(args.latency_ms),
            server_error_rate: args.server_error_rate,
            drop_rate: args.drop_rate,
            principal_replication: Duration::from_secs(args.principal_replication),
            pim_removal_after: args.pim_removal_after.map(Duration::from_secs),
            role_propagation: Duration::from_secs(args.role_propagation),
            token_max_age: args.token_max_age.map(Duration::from_secs),
            throttle: rolecall_emulator::Throttle {
                reads: args.arm_reads,
                writes: args.arm_writes,
                deletes: args.arm_deletes,
            },
            graph_throttle: rolecall_emulator::GraphThrottle {
                units: args.graph_units,
                writes: args.graph_writes,
            },
        },
    })
    .await?;
    let profile = emulator.profile_json();
    if let Some(path) = &args.profile_out {
        // A reader (a test harness polling for the file) never sees half a profile.
        rolecall_emulator::write_atomic(path, profile.as_bytes())?;
    }
    // The profile on stdout (one line a script reads), the secrets on stderr.
    for app in emulator.app_secrets() {
        eprintln!(
            "client secret of {} (application id {}): {}",
            app.display_name, app.app_id, app.secret
        );
    }
    println!("{profile}");
    shutdown_signal().await;
    emulator.shutdown().await;
    Ok(())
}

fn parse_bucket(text: &str) -> Result<(f64, f64), String> {
    let (capacity, rate) = text
        .split_once(',')
        .ok_or_else(|| format!("'{text}' is not CAPACITY,PER_SECOND (for example 200,10)"))?;
    let number = |s: &str| s.trim().parse::<f64>().map_err(|e| format!("'{s}': {e}"));
    let (capacity, rate) = (number(capacity)?, number(rate)?);
    if capacity < 1.0 || rate <= 0.0 {
        return Err("the capacity must be at least 1 and the refill rate above 0".into());
    }
    Ok((capacity, rate))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
