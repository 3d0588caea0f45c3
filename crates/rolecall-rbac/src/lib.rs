//! Rolecall's RBAC engine, pure: no network, no Tauri.
//!
//! - [`pattern`]: ARM action wildcards, case-insensitive.
//! - [`permissions`]: `actions` minus `notActions` (and data actions), per block.
//! - [`scope`]: scope parsing and the hierarchy, with errors that say what to do.
//! - [`catalogue`]: the provider-operations catalogue, wildcard expansion, search.
//! - [`roles`]: role definitions in ARM's wire shape.
//! - [`effective`]: what a principal holds at a scope (inherited, through groups).
//! - [`draft`]: custom-role drafts, the portal's JSON, validation before writing.
//! - [`least`]: the roles that cover required actions, least granting first.
//! - [`names`]: deterministic role-assignment names (ARM's `guid()`).
//! - [`duration`]: ISO 8601 durations as ARM and PIM read them.

pub mod catalogue;
pub mod draft;
pub mod duration;
pub mod effective;
pub mod least;
pub mod names;
pub mod pattern;
pub mod permissions;
pub mod roles;
pub mod scope;

pub use catalogue::{Catalogue, Operation};
pub use permissions::{ActionKind, Permission};
pub use roles::RoleDefinition;
pub use scope::{Hierarchy, Level, Scope, ScopeError};
