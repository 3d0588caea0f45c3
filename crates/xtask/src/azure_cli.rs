//! `cargo xtask azure-cli`: the real Azure CLI against the emulator
//! (tests/azure-cli/check.py), the judge of the emulator's fidelity.
//!
//! azure-cli comes from PyPI into a virtual environment outside the
//! repository (the user's cache folder, `ROLECALL_AZURE_CLI_VENV` to choose
//! another): the first run needs the package registry, later runs reuse it.
//! Not part of `cargo xtask test`: it needs that one download, and az's
//! start-up makes it minutes long.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::e2e::{target_dir, tempdir};
use crate::proc::{cargo, run};

/// The azure-cli release the check is pinned to (what issue #16 names).
const AZURE_CLI: &str = "azure-cli==2.91.*";

fn venv_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ROLECALL_AZURE_CLI_VENV") {
        return Ok(PathBuf::from(dir));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .or_else(|| std::env::var_os("LOCALAPPDATA").map(PathBuf::from))
        .context("no cache folder (set HOME, or ROLECALL_AZURE_CLI_VENV)")?;
    Ok(cache.join("rolecall/azure-cli-venv"))
}

fn venv_bin(venv: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

pub fn check(root: &Path) -> Result<()> {
    let venv = venv_dir()?;
    let python = venv_bin(&venv, "python");
    let az = if cfg!(windows) {
        venv.join("Scripts/az.bat")
    } else {
        venv_bin(&venv, "az")
    };
    if !az.exists() {
        println!("installing {AZURE_CLI} into {} (once)", venv.display());
        let system_python = if cfg!(windows) { "python" } else { "python3" };
        run(Command::new(system_python).arg("-m").arg("venv").arg(&venv))
            .context("making the virtual environment (is Python 3 with venv installed?)")?;
        run(Command::new(&python).args(["-m", "pip", "install", "--quiet", AZURE_CLI]))
            .context("installing azure-cli from PyPI")?;
    }
    run(cargo().args([
        "build",
        "--locked",
        "--package",
        "rolecall-emulator",
        "--bin",
        "rolecall-emulator",
    ]))?;
    let emulator = target_dir(root)?.join(if cfg!(windows) {
        "debug/rolecall-emulator.exe"
    } else {
        "debug/rolecall-emulator"
    });
    let work = tempdir("azure-cli")?;
    let status = Command::new(&python)
        .arg(root.join("tests/azure-cli/check.py"))
        .env("ROLECALL_EMULATOR", &emulator)
        .env("AZ", &az)
        .env("WORK", &work)
        .status()
        .context("running tests/azure-cli/check.py")?;
    if status.success() {
        let _ = std::fs::remove_dir_all(&work);
        Ok(())
    } else {
        bail!(
            "the Azure CLI check failed ({} check(s)); az's configuration and the emulator's log are in {}",
            status.code().unwrap_or(-1),
            work.display()
        )
    }
}
