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
//! - [`session`]: the admin's choices (people typed or from a CSV) → a
//!   [`session::Proposal`]: people resolved, custom roles and grants against
//!   live state, and the preflight checks (rights, disabled subscriptions,
//!   people not found, ARM's limits) as blockers and warnings. Its
//!   [`Proposal::to_run`](session::Proposal::to_run) is what
//!   `rolecall_grants::runs` executes, journals and resumes.
//! - [`terms`]: how the Azure roles are held (as the template says, or the
//!   admin's eligible / active / time-bound choice for everyone or a CSV
//!   row), and the person's last day the grants are checked against.

pub mod expand;
pub mod session;
pub mod template;
pub mod terms;

pub use expand::{Expansion, Selection, expand};
pub use session::{
    Check, CsvLeftOut, CsvPeople, CsvPerson, Level, Limits, Proposal, Request, people_from_csv,
    prepare, prepare_offboarding, prepare_removal_of_everything, prepare_undo, read_people_csv,
};
pub use template::{Template, TemplateError, builtin};
pub use terms::{Choice, Terms};
