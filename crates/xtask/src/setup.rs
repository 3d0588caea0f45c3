//! Installs what is missing, and only that, so it is quick to re-run (every
//! `cargo xtask test` starts with it).

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::proc::{available, cargo, npm, run};

/// Debian/Ubuntu packages the app, its build and the end-to-end harness need.
pub const DEBIAN_PACKAGES: &[&str] = &[
    "pkg-config",
    "build-essential",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libdbus-1-dev",
    "xvfb",
    "webkit2gtk-driver",
    "gnome-keyring",
    "dbus-x11",
    // `import`, for screenshots of the virtual screen in the end-to-end suite.
    "imagemagick",
];

const MIN_NODE: (u32, u32) = (20, 19);

pub fn setup(root: &Path, install_system: bool) -> Result<()> {
    if cfg!(target_os = "linux") {
        linux_packages(install_system)?;
    } else if cfg!(target_os = "macos") && !xcode_tools_present() {
        bail!(
            "the Xcode command-line tools are missing: run `xcode-select --install`, then try again"
        );
    }
    node(root)?;
    rust_targets()?;
    if cfg!(any(target_os = "linux", target_os = "windows")) && !available("tauri-driver") {
        run(cargo().args(["install", "tauri-driver", "--locked"]))?;
    }
    if !available("cargo-deny") {
        run(cargo().args([
            "install",
            "cargo-deny",
            "--locked",
            "--version",
            crate::deny::CARGO_DENY_VERSION,
        ]))?;
    }
    Ok(())
}

/// The targets `cargo xtask test` cross-checks, added through rustup when missing.
pub const CROSS_TARGETS: &[&str] = &["x86_64-pc-windows-msvc", "aarch64-apple-darwin"];

fn rust_targets() -> Result<()> {
    let Ok(output) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        println!(
            "rustup not found: make sure the targets {} are installed for the cross-checks",
            CROSS_TARGETS.join(", ")
        );
        return Ok(());
    };
    let installed = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> = CROSS_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|line| line.trim() == *t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut command = Command::new("rustup");
    command.args(["target", "add"]).args(&missing);
    run(&mut command)
}

fn xcode_tools_present() -> bool {
    Command::new("xcode-select")
        .arg("-p")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_debian_like() -> bool {
    std::fs::read_to_string("/etc/os-release").is_ok_and(|text| {
        text.lines().any(|line| {
            (line.starts_with("ID=") || line.starts_with("ID_LIKE="))
                && (line.contains("debian") || line.contains("ubuntu"))
        })
    })
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn linux_packages(install: bool) -> Result<()> {
    if !is_debian_like() {
        println!(
            "not Debian or Ubuntu: install the equivalents of these packages yourself: {}",
            DEBIAN_PACKAGES.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| !installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !install {
        bail!("missing system packages: {}", missing.join(" "));
    }
    println!("installing system packages: {}", missing.join(" "));
    let root = is_root();
    let apt = |args: &[&str]| {
        let mut command = if root {
            Command::new("apt-get")
        } else {
            Command::new("sudo")
        };
        if !root {
            command.arg("apt-get");
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)
}

#[cfg(unix)]
#[allow(unsafe_code)] // geteuid(2)
fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

fn node(root: &Path) -> Result<()> {
    let version = Command::new("node").arg("--version").output();
    let Ok(output) = version else {
        bail!(
            "Node.js {}.{} or newer is needed for the UI build and was not found: install it (https://nodejs.org, or your package manager), then try again",
            MIN_NODE.0,
            MIN_NODE.1
        );
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text
        .trim()
        .trim_start_matches('v')
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < MIN_NODE {
        bail!(
            "Node.js {} is too old: Vite needs {}.{} or newer",
            text.trim(),
            MIN_NODE.0,
            MIN_NODE.1
        );
    }
    // Install only when node_modules is missing or older than the lock file.
    let lock = root.join("package-lock.json");
    let marker = root.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&marker)) {
        (Ok(lock), Ok(marker)) => marker.modified()? >= lock.modified()?,
        _ => false,
    };
    if !fresh {
        // `npm install`, not `npm ci`: npm 11 records only some platforms' optional
        // binaries (the Tauri CLI's) in the lock file and then its own `npm ci`
        // rejects that lock. `install` follows the lock and fetches the binary
        // for this platform.
        run(npm().args(["install", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}
