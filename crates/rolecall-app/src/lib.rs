//! Rolecall's use cases, written once for both front ends.
//!
//! The desktop shell (`src-tauri`) and `rolecall-cli` only parse what they
//! are given, call a function here, and present its answer. A rule that both
//! must keep (which templates exist and which ids are taken, when a custom
//! role may be deleted and at which scope, which app roles a member can be
//! given, when there is nothing to undo) lives here, once, with its tests.
//!
//! This crate grows as the shells' own copies move in (issue #14); see
//! `ARCHITECTURE.md`.

pub mod activity;
pub mod catalogue;
pub mod connect;
pub mod context;
pub mod error;
pub mod estate;
pub mod folders;
pub mod grants;
pub mod least;
pub mod onboarding;
pub mod pim;
pub mod roles;
pub mod templates;
pub mod undo;
pub mod views;

pub use context::Context;
pub use error::{AppError, ErrorKind};
pub use folders::Folders;
