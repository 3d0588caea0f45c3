//! Guided onboarding and offboarding, undo and resume: proposals (preflight
//! and plan, reads only) and runs (journaled, claimed, one holder at a time).

use std::collections::HashMap;

use rolecall_azure::Azure;
use rolecall_grants::journal::Unfinished;
use rolecall_grants::runs::{self, RunEvent, RunReport};
use rolecall_grants::{Journal, Plan, Run, RunKind};
use rolecall_onboarding::{Proposal, Template};

use crate::context::Context;
use crate::error::{AppError, ErrorKind, Result};

/// What the admin asks of a template: its tasks (every one when empty), its
/// inputs (input id → ARM id) and the people, as typed or imported.
#[derive(Debug, Clone)]
pub struct Ask {
    pub template: Template,
    pub tasks: Vec<String>,
    pub inputs: HashMap<String, String>,
    pub people: Vec<String>,
    /// How the Azure roles are held (as the template says by default).
    pub terms: rolecall_onboarding::Terms,
    /// A person's own terms (a CSV row's), by the text they were given as.
    pub per_person: HashMap<String, rolecall_onboarding::Terms>,
}

impl Ask {
    /// Everyone on the template's terms.
    pub fn new(
        template: Template,
        tasks: Vec<String>,
        inputs: HashMap<String, String>,
        people: Vec<String>,
    ) -> Self {
        Self {
            template,
            tasks,
            inputs,
            people,
            terms: Default::default(),
            per_person: HashMap::new(),
        }
    }

    fn request(&self) -> rolecall_onboarding::Request<'_> {
        rolecall_onboarding::Request {
            template: &self.template,
            tasks: self.tasks.clone(),
            inputs: self.inputs.clone(),
            people: self.people.clone(),
            terms: self.terms.clone(),
            per_person: self
                .per_person
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
        }
    }
}

/// Preflight and plan of onboarding the people of `ask`; writes nothing.
pub async fn prepare_onboarding(ctx: Context<'_>, ask: &Ask) -> Result<Proposal> {
    let catalogue = ctx.catalogue().await?;
    Ok(
        rolecall_onboarding::prepare(ctx.azure, &ask.request(), catalogue, &Default::default())
            .await?,
    )
}

/// Preflight and plan of offboarding them: what the template put in place
/// is removed, its custom roles deleted once nobody holds them.
pub async fn prepare_offboarding(ctx: Context<'_>, ask: &Ask) -> Result<Proposal> {
    let catalogue = ctx.catalogue().await?;
    Ok(rolecall_onboarding::prepare_offboarding(ctx.azure, &ask.request(), catalogue).await?)
}

/// "Remove all access of this person" at `scopes` (and every app role they
/// hold, with [`AppRoles::Too`]); writes nothing.
pub async fn prepare_removal(
    azure: &Azure,
    person: &str,
    scopes: &[String],
    app_roles: AppRoles,
) -> Result<Proposal> {
    Ok(rolecall_onboarding::prepare_removal_of_everything(
        azure,
        person,
        scopes,
        app_roles == AppRoles::Too,
    )
    .await?)
}

/// Whether removing all of a person's access takes their app roles too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppRoles {
    Too,
    Kept,
}

/// Undoing a past run: what it created and is still in place, to review;
/// refused when it created nothing. Writes nothing.
pub async fn prepare_undo(azure: &Azure, run: Run) -> Result<Proposal> {
    let run = crate::undo::of_run(run)?;
    Ok(rolecall_onboarding::prepare_undo(azure, run).await?)
}

/// How a run's grants are written.
pub enum Start {
    /// The reviewed plan as it is: for a front end that plans and applies in
    /// one breath (the CLI). Only an onboarding's plan is kept; a removal
    /// is always planned again.
    Reviewed(Plan),
    /// Planned again as it is written, so whatever changed while the admin
    /// reviewed (an assignment removed meanwhile) is seen: the window.
    PlanAgain,
    /// An interrupted run finished under its id: planned again, so what was
    /// done before it stopped reads as in place.
    Resume,
}

impl Start {
    /// The reviewed plan of `proposal` (see [`Start::Reviewed`]).
    pub fn reviewed(proposal: &Proposal) -> Self {
        match proposal.kind {
            RunKind::Apply => Self::Reviewed(proposal.plan.clone()),
            RunKind::Remove => Self::PlanAgain,
        }
    }
}

/// The run that carries out a reviewed proposal: refused while a preflight
/// blocker stands.
pub fn run_of(proposal: &Proposal) -> Result<Run> {
    if proposal.is_blocked() {
        return Err(AppError::new(
            ErrorKind::Refused,
            "Blocked",
            format!(
                "{} preflight blocker(s) stand; nothing was written. Resolve them and check again.",
                proposal.blockers().count()
            ),
        ));
    }
    Ok(proposal.to_run())
}

/// Executes (or resumes) `run`: nothing is written without the journal, and
/// one holder carries a run out at a time (this window, another, or
/// rolecall-cli), through the journal's lock on its id.
pub async fn carry_out(
    ctx: Context<'_>,
    run: &Run,
    start: Start,
    on_event: &(dyn Fn(RunEvent) + Send + Sync),
) -> Result<RunReport> {
    let journal = ctx.journal()?;
    let _claim = journal.claim(&run.id)?;
    let options = runs::RunOptions {
        catalogue: Some(ctx.catalogue().await?),
        ..Default::default()
    }
    .journaled(journal);
    let report = match start {
        Start::Reviewed(plan) => {
            runs::execute(ctx.azure, run, &options.with_plan(plan), on_event).await
        }
        Start::PlanAgain => runs::execute(ctx.azure, run, &options, on_event).await,
        Start::Resume => runs::resume(ctx.azure, run, &options, on_event).await,
    };
    Ok(report?)
}

/// Runs that began and did not end, oldest first.
pub fn unfinished(journal: &Journal) -> Result<Vec<Unfinished>> {
    journal.unfinished().map_err(|e| {
        AppError::new(
            ErrorKind::Storage,
            "JournalUnreadable",
            format!("the journal cannot be read: {e}"),
        )
    })
}

/// The interrupted run with id `run_id`.
pub fn find_unfinished(journal: &Journal, run_id: &str) -> Result<Unfinished> {
    unfinished(journal)?
        .into_iter()
        .find(|u| u.run.id == run_id)
        .ok_or_else(|| {
            AppError::new(
                ErrorKind::NotFound,
                "NotUnfinished",
                format!("no interrupted run has the id {run_id}: it has ended already, or was never begun"),
            )
        })
}
