//! `cargo xtask`: the project's tasks, in Rust so they run the same on Linux,
//! Windows and macOS (the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask demo`   installs what is missing and opens the app on the demo tenant
//! - `cargo xtask test`   runs every test and check (what CI runs)
//! - `cargo xtask setup`  only the install part
//! - `cargo xtask bindings` regenerates `ui/src/bindings.ts` from the Rust types
//! - `cargo xtask e2e`    only the end-to-end suite (builds what it needs)
//! - `cargo xtask azure-cli` the real Azure CLI against the emulator
//! - `cargo xtask bench`  the benchmarks (criterion for the engine, the timed
//!   onboarding harness against the emulator, start-up/memory/size beside a
//!   minimal Tauri app)

mod azure_cli;
mod deny;
mod e2e;
mod proc;
mod scan;
mod setup;
mod startup;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use proc::{cargo, npm, run};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Rolecall's developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Install whatever is missing: system packages (Debian/Ubuntu), npm packages, tauri-driver.
    Setup {
        /// Do not install system packages, only report the missing ones.
        #[arg(long)]
        no_system: bool,
    },
    /// Set up, build, and launch the app on the demo tenant (an embedded emulator).
    Demo {
        /// Without a person: start the app as a new user would (fresh
        /// profile, a virtual screen when there is no display), wait for its
        /// first screen, close it; fail if the screen never showed.
        #[arg(long)]
        check: bool,
    },
    /// Run every test and check, as CI does.
    Test {
        /// Skip the end-to-end suite (needs Linux with the setup packages).
        #[arg(long)]
        skip_e2e: bool,
        /// Skip the Windows and macOS cross-checks.
        #[arg(long)]
        skip_cross: bool,
    },
    /// Regenerate ui/src/bindings.ts from the Rust commands and DTOs.
    Bindings,
    /// cargo deny: licences, sources, bans, and advisories from ../shared/rustsec.
    Deny,
    /// Rewrite ui/src/test/fixtures/answers.json (what Rust answers the UI's fakes give).
    Fixtures,
    /// Build the app and run the end-to-end suite through the real window.
    E2e,
    /// Run the real Azure CLI (PyPI azure-cli 2.91, installed once into a
    /// virtual environment outside the repository) against the emulator.
    AzureCli,
    /// Run the benchmarks: the onboarding apply harness against the emulator
    /// (100 ms injected latency; needs the OS keychain), the engine's
    /// criterion benches, and start-up, memory and size beside a minimal
    /// Tauri app (release builds, Linux). `--only` runs one of them.
    Bench {
        #[arg(long, value_enum)]
        only: Option<BenchKind>,
        /// Starts of each app the start-up benchmark times (after one not counted).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

/// One of the benchmarks `cargo xtask bench` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum BenchKind {
    /// Onboarding apply against the emulator with 100 ms injected latency.
    Onboarding,
    /// The engine's criterion benches (rbac engine).
    Engine,
    /// Start-up time, idle memory and binary size beside a minimal Tauri app.
    Startup,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let root = repo_root();
    std::env::set_current_dir(&root)?;
    match cli.task {
        Task::Setup { no_system } => setup::setup(&root, !no_system),
        Task::Demo { check } => demo(&root, check),
        Task::Test {
            skip_e2e,
            skip_cross,
        } => test(&root, skip_e2e, skip_cross),
        Task::Deny => deny::check(&root),
        Task::Fixtures => {
            run(cargo()
                .args([
                    "test",
                    "--quiet",
                    "--package",
                    "rolecall-app",
                    "--test",
                    "ui_fixtures",
                ])
                .env("ROLECALL_UPDATE_FIXTURES", "1"))?;
            println!("wrote ui/src/test/fixtures/answers.json");
            Ok(())
        }
        Task::Bindings => {
            run(cargo()
                .args([
                    "test",
                    "--quiet",
                    "--lib",
                    "--package",
                    "rolecall",
                    "typescript_bindings_are_up_to_date",
                ])
                .env("ROLECALL_UPDATE_BINDINGS", "1"))?;
            println!("wrote ui/src/bindings.ts");
            Ok(())
        }
        Task::E2e => {
            setup::setup(&root, true)?;
            e2e::run_suite(&root)
        }
        Task::AzureCli => azure_cli::check(&root),
        Task::Bench { only, runs } => {
            let wanted = |kind| only.is_none_or(|only| only == kind);
            if wanted(BenchKind::Onboarding) {
                // Network-bound: the dev profile measures the same and reuses the test build.
                let mut harness = cargo();
                harness.args([
                    "bench",
                    "--profile",
                    "dev",
                    "--package",
                    "rolecall-onboarding",
                    "--bench",
                    "apply",
                ]);
                if cfg!(target_os = "linux") {
                    e2e::with_secret_service(&mut harness)?;
                } else {
                    run(&mut harness)?;
                }
            }
            if wanted(BenchKind::Engine) {
                run(cargo().args([
                    "bench",
                    "--package",
                    "rolecall-rbac",
                    "--bench",
                    "engine",
                    "--",
                    "--warm-up-time",
                    "1",
                    "--measurement-time",
                    "3",
                ]))?;
            }
            if wanted(BenchKind::Startup) {
                startup::bench(&root, runs)?;
            }
            Ok(())
        }
    }
}

/// The repository root, found at run time from the working directory.
///
/// Not from `env!("CARGO_MANIFEST_DIR")`: with a cargo target directory shared
/// between checkouts (as CI reuses one), cargo may run an xtask binary that
/// another checkout built, and a compile-time path would then point there.
fn repo_root() -> PathBuf {
    let cwd = std::env::current_dir().expect("a working directory");
    cwd.ancestors()
        .find(|dir| {
            dir.join("crates/xtask/Cargo.toml").exists() && dir.join("tauri.conf.json").exists()
        })
        .unwrap_or_else(|| {
            panic!(
                "run cargo xtask inside the Rolecall repository (from {})",
                cwd.display()
            )
        })
        .to_path_buf()
}

/// The app as `demo` (and the end-to-end suite) runs it: the debug build
/// serving the bundled UI, with the CLI beside it.
fn build_app() -> Result<()> {
    run(npm().args(["run", "build", "--workspace", "ui"]))?;
    run(cargo().args([
        "build",
        "--locked",
        "--features",
        "custom-protocol",
        "--package",
        "rolecall",
        "--package",
        "rolecall-cli",
        "--bin",
        "rolecall",
        "--bin",
        "rolecall-cli",
    ]))
}

fn demo(root: &Path, check: bool) -> Result<()> {
    setup::setup(root, true)?;
    if check {
        build_app()?;
        return e2e::check_demo(root);
    }
    run(npm().args(["run", "build", "--workspace", "ui"]))?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        bail!(
            "no display: the app needs a desktop session (DISPLAY or WAYLAND_DISPLAY). On a headless machine use `xvfb-run cargo xtask demo`, or run `cargo xtask test` for the test suite."
        );
    }
    println!("launching Rolecall on the demo tenant (close the window to stop)");
    run(cargo().args([
        "run",
        "--features",
        "custom-protocol",
        "--bin",
        "rolecall",
        "--",
        "--demo",
    ]))
}

struct Step {
    name: &'static str,
    seconds: f64,
}

fn test(root: &Path, skip_e2e: bool, skip_cross: bool) -> Result<()> {
    let started = Instant::now();
    let mut steps: Vec<Step> = Vec::new();
    let result = run_checks(root, skip_e2e, skip_cross, &mut steps);
    println!();
    for s in &steps {
        println!("  {:>6.1} s  {}", s.seconds, s.name);
    }
    println!("  {:>6.1} s  in all", started.elapsed().as_secs_f64());
    // A plain closing line that any CI reader understands.
    let failed = usize::from(result.is_err());
    println!("checks: {} passed, {failed} failed", steps.len());
    result
}

fn run_checks(root: &Path, skip_e2e: bool, skip_cross: bool, steps: &mut Vec<Step>) -> Result<()> {
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<()>| -> Result<()> {
        println!("\n==> {name}");
        let t = Instant::now();
        f().with_context(|| format!("step failed: {name}"))?;
        steps.push(Step {
            name,
            seconds: t.elapsed().as_secs_f64(),
        });
        Ok(())
    };

    step("setup", &mut || setup::setup(root, true))?;
    step("rustfmt", &mut || {
        run(cargo().args(["fmt", "--all", "--check"]))
    })?;
    step("clippy", &mut || {
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step(
        "cargo test (all crates, bindings staleness; a private Secret Service on Linux)",
        &mut || {
            let mut command = cargo();
            command.args(["test", "--workspace", "--locked"]);
            if cfg!(target_os = "linux") {
                e2e::with_secret_service(&mut command)
            } else {
                run(&mut command)
            }
        },
    )?;
    step(
        "cargo deny (licences, sources, bans; advisories from ../shared/rustsec)",
        &mut || deny::check(root),
    )?;
    step("ui typecheck", &mut || {
        run(npm().args(["run", "typecheck", "--workspace", "ui"]))
    })?;
    step("ui lint (ESLint, React's rules of hooks)", &mut || {
        run(npm().args(["run", "lint", "--workspace", "ui"]))
    })?;
    step("ui tests (Vitest)", &mut || {
        run(npm().args(["test", "--workspace", "ui"]))
    })?;
    if skip_cross {
        println!("\n(skipping the Windows and macOS cross-checks: --skip-cross)");
    } else {
        step(
            "cargo check --target x86_64-pc-windows-msvc (whole workspace)",
            &mut || {
                run(cargo().args([
                    "check",
                    "--workspace",
                    "--locked",
                    "--target",
                    "x86_64-pc-windows-msvc",
                ]))
            },
        )?;
        step(
            "cargo check --target aarch64-apple-darwin (crates without the Tauri shell)",
            &mut || {
                run(cargo().args([
                    "check",
                    "--locked",
                    "--target",
                    "aarch64-apple-darwin",
                    "--package",
                    "rolecall-app",
                    "--package",
                    "rolecall-core",
                    "--package",
                    "rolecall-auth",
                    "--package",
                    "rolecall-emulator",
                    "--package",
                    "rolecall-cli",
                    "--package",
                    "rolecall-rbac",
                    "--package",
                    "rolecall-azure",
                    "--package",
                    "rolecall-grants",
                    "--package",
                    "rolecall-onboarding",
                    "--package",
                    "xtask",
                ]))
            },
        )?;
    }
    if skip_e2e {
        println!("\n(skipping the first-screen check and the end-to-end suite: --skip-e2e)");
    } else if !cfg!(target_os = "linux") {
        println!(
            "\n(skipping the end-to-end suite: it drives WebKitGTK through tauri-driver, which runs on Linux here)"
        );
    } else {
        step(
            "the README's first command as a new user meets it (cargo xtask demo --check)",
            &mut || {
                build_app()?;
                e2e::check_demo(root)
            },
        )?;
        step("end-to-end (real window, WebDriver)", &mut || {
            e2e::run_suite(root)
        })?;
    }
    Ok(())
}
