//! What Rolecall grants, and how it grants it safely.
//!
//! - [`model`]: a [`Grant`] is one Azure role for one member at one scope, or
//!   one app role of an enterprise application for one member.
//! - [`plan`]: the grants against live state: already in place (directly or
//!   inherited), to create, or blocked because the admin lacks the right;
//!   checked before anything is written.
//! - [`apply`]: creates what the plan says, a bounded number at a time, with
//!   per-item progress; a member the directory has not replicated yet is
//!   retried with backoff; "already exists" counts as done; names are
//!   deterministic so a re-run converges. [`apply::remove`] undoes.
//! - [`journal`]: an append-only record of every write and its outcome, and
//!   of each run's intent, so an interrupted run is found and resumed.
//! - [`runs`]: custom roles and grants written or removed as one journaled
//!   run; [`runs::resume`] finishes an interrupted one.

pub mod apply;
pub mod custom_roles;
pub mod journal;
pub mod listing;
pub mod model;
pub mod plan;
pub mod report;
pub mod resolve;
pub mod runs;

pub use apply::{ApplyOptions, ItemEvent, Outcome, apply, remove};
pub use journal::{Journal, Removes, Run, RunGrant, RunKind, RunRole};
pub use model::{AppRoleGrant, AzureRoleGrant, Grant, Member, MemberKind, Schedule};
pub use plan::{Plan, PlanItem, PolicySummary, Status, plan};
