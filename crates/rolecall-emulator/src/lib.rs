//! `rolecall-emulator`: Microsoft Entra ID, Azure Resource Manager and
//! Microsoft Graph as Rolecall's clients see them, on loopback, over HTTPS with
//! a locally generated CA.
//!
//! It is a separate implementation of Azure's side of the wire and shares no
//! code with the clients in `rolecall-core`, so that a misunderstanding of the
//! protocol cannot cancel out between the two. Fidelity to real Azure (the
//! specs and recordings in `shared/azure-reference`) outranks convenience.
//!
//! Use it in-process with [`Emulator::start`], or as the `rolecall-emulator`
//! binary, which prints its cloud profile once ready.

// Handlers return `Result<_, axum::response::Response>`, axum's idiom for early
// error answers; the error being a whole response is the point.
#![allow(clippy::result_large_err)]

pub mod arm;
pub mod catalogue;
pub mod directory;
pub mod entra;
pub mod faults;
pub mod graph;
pub mod seed;
pub mod server;
pub mod shared;
pub mod tls;
pub mod tokens;
pub mod wire;

pub use faults::{Faults, GraphThrottle, Observed, Throttle};
pub use seed::{ACG_APP_ID, AZURE_CLI_CLIENT_ID, DEMO_TENANT_ID, Seed, demo_id};
pub use server::{CloudProfileJson, Emulator, Limits, Options, Settings, State};
pub use shared::AppSecret;

/// Writes `bytes` to `path` whole or not at all (a temporary file beside it,
/// then a rename), creating the folder first: the emulator's state file and
/// profile may be asked for in folders a fresh profile does not have yet.
/// (The emulator stands apart from Rolecall's crates, so it does not use
/// `rolecall_core::files`; both rest on `tempfile`.)
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the folder {}", dir.display()))?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("writing into {}", dir.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    file.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}
