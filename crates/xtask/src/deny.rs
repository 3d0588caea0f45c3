//! `cargo deny` over the dependency graph: licences, sources, bans, and
//! RustSec advisories from the offline copy of the database in
//! `../shared/rustsec` (machines here cannot reach GitHub). See `deny.toml`
//! for every exception and why.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::proc::{cargo, run};

/// The cargo-deny `setup` installs: its flags and its database layout are
/// what this module relies on.
pub const CARGO_DENY_VERSION: &str = "0.20.2";

/// The folder cargo-deny looks for the default RustSec database in, under
/// its `db-path`: named after the database's URL, as cargo-deny names it.
const DEFAULT_DB_DIR: &str = "advisory-db-3157b0e258782691";

pub fn check(root: &Path) -> Result<()> {
    let bundle = root
        .parent()
        .map(|p| p.join("shared/rustsec/advisory-db.bundle"))
        .filter(|p| p.exists());
    // Every crate's manifest, for every platform, without the network later.
    run(cargo().args(["fetch", "--locked"]))?;
    let Some(bundle) = bundle else {
        println!(
            "no ../shared/rustsec/advisory-db.bundle beside this clone: checking licences, bans and sources only (advisories need the offline database)"
        );
        return run(Command::new("cargo").args([
            "deny",
            "--offline",
            "--locked",
            "check",
            "bans",
            "licenses",
            "sources",
        ]));
    };
    let scratch = std::env::temp_dir().join(format!("rolecall-deny-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let db = scratch.join(DEFAULT_DB_DIR);
    std::fs::create_dir_all(&scratch)?;
    let result = (|| -> Result<()> {
        run(Command::new("git")
            .args(["clone", "--quiet", "-c", "advice.detachedHead=false"])
            .arg(&bundle)
            .arg(&db))?;
        // The bundle holds one commit without its parent: mark the clone
        // shallow, as cargo-deny reads the head commit's date.
        let head = Command::new("git")
            .arg("-C")
            .arg(&db)
            .args(["rev-parse", "HEAD"])
            .output()
            .context("git rev-parse in the advisory database")?;
        std::fs::write(db.join(".git/shallow"), &head.stdout)?;
        run(Command::new("cargo")
            .args(["deny", "--offline", "--locked", "check"])
            .env("ROLECALL_ADVISORY_DBS", &scratch))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}
