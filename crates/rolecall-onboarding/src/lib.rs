//! Guided onboarding: task-based templates ("this person will deploy,
//! monitor and manage numbers on our gateway") turned into the least set of
//! grants, which `rolecall-grants` then plans against live state, applies and
//! removes.
//!
//! - [`template`]: the file format (documented by `templates/template.schema.json`),
//!   its validation, and the built-in templates.
//! - [`expand`]: a template, the chosen tasks, inputs and members → grants
//!   and the custom roles to create first, with superseded and redundant
//!   grants dropped and the reasons kept.

pub mod expand;
pub mod template;

pub use expand::{Expansion, Selection, expand};
pub use template::{Template, TemplateError, builtin};
