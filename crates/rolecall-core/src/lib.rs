//! Rolecall's domain logic, free of any UI framework.
//!
//! Everything the desktop app and `rolecall-cli` do is implemented here (or in
//! sibling crates under `crates/`) so that it builds and tests in seconds and
//! never depends on Tauri. See `ARCHITECTURE.md` for the code map.

pub mod cloud;
pub mod discovery;
pub mod error;
pub mod files;
pub mod http;
pub mod settings;

pub use cloud::{CloudKind, CloudProfile};
pub use error::{Error, Result};
pub use settings::{CloudChoice, Settings, is_tenant};
