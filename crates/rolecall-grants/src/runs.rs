//! A run: custom roles and grants written (or removed) as one journaled
//! unit, so that an interrupted run can be resumed without duplicates or
//! omissions.
//!
//! [`execute`] writes the run's intent to the journal, creates its custom
//! roles (waiting until ARM reads each back), applies the plan, and marks the
//! run ended. [`resume`] takes an unfinished run from the journal, plans its
//! grants again against live state (what was done reads as in place) and
//! finishes it under the same id.

use std::sync::Arc;
use std::time::Duration;

use rolecall_azure::{Azure, AzureError, Kind};
use rolecall_rbac::{Catalogue, Scope};
use serde::Serialize;

use crate::apply::{ApplyOptions, ItemEvent, Outcome};
use crate::custom_roles::{self, RoleError, Settle, Tenant};
use crate::journal::{Journal, Run, RunKind, RunRole};
use crate::model::Grant;
use crate::plan::{Plan, Status};
use crate::report::RoleEntry;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub apply: ApplyOptions,
    pub settle: Settle,
    /// The provider-operations catalogue, if already read (custom roles are
    /// validated against it before they are written).
    pub catalogue: Option<Arc<Catalogue>>,
    /// The plan the admin reviewed, applied as it is; without one the run
    /// plans its grants again first (what was done meanwhile reads as in place).
    pub plan: Option<Plan>,
    /// Where the run's intent, each write and its end are recorded.
    pub journal: Option<Journal>,
}

impl RunOptions {
    /// These options applying `plan` as reviewed.
    pub fn with_plan(mut self, plan: Plan) -> Self {
        self.plan = Some(plan);
        self
    }

    /// These options recording the run in `journal`.
    pub fn journaled(mut self, journal: &Journal) -> Self {
        self.journal = Some(journal.clone());
        self
    }
}

/// Progress of a run: its custom roles, then its grants (numbered as in
/// `run.grants`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum RunEvent {
    #[serde(rename_all = "camelCase")]
    Role {
        index: usize,
        outcome: Outcome,
    },
    Grant {
        event: ItemEvent,
    },
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub run: Run,
    pub started: String,
    pub finished: String,
    /// Each of `run.custom_roles`, in order, with what became of it.
    pub custom_roles: Vec<RoleEntry>,
    /// Each of `run.grants`, in order, with what became of it.
    pub grants: Vec<crate::report::Entry>,
}

impl RunReport {
    pub fn succeeded(&self) -> bool {
        self.outcomes().all(Outcome::is_success)
    }

    /// Every outcome: the custom roles', then the grants'.
    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        let roles = self.custom_roles.iter().map(|r| &r.outcome);
        roles.chain(self.grants.iter().map(|g| &g.outcome))
    }

    /// The grants' outcomes, in order.
    pub fn grant_outcomes(&self) -> Vec<Outcome> {
        self.grants.iter().map(|g| g.outcome.clone()).collect()
    }

    /// The custom roles' outcomes, in order.
    pub fn role_outcomes(&self) -> Vec<Outcome> {
        self.custom_roles
            .iter()
            .map(|r| r.outcome.clone())
            .collect()
    }

    /// The run that removes what this one created (not what was in place
    /// before it), and deletes the custom roles it created once unheld.
    pub fn undo(&self) -> Run {
        let created = |o: &Outcome| matches!(o, Outcome::Created { .. });
        let grants = self
            .grants
            .iter()
            .filter(|e| created(&e.outcome))
            .map(|e| e.grant.clone())
            .collect();
        let mut undo = Run::undoing(format!("Undoing: {}", self.run.title), grants);
        undo.custom_roles = self
            .custom_roles
            .iter()
            .filter(|e| created(&e.outcome))
            .map(|e| e.role.clone())
            .collect();
        undo
    }

    /// Whether the run took access away (its report gives removal commands).
    pub fn removing(&self) -> bool {
        self.run.kind == RunKind::Remove
    }

    /// The report as one JSON document: what [`crate::report::undo`] reads
    /// back.
    pub fn to_json(&self, by: &str) -> serde_json::Value {
        serde_json::json!({
            "title": self.run.title,
            "runId": self.run.id,
            "by": by,
            "started": self.started,
            "finished": self.finished,
            "customRoles": self.custom_roles,
            "grants": self.grants,
        })
    }

    /// The report as a file's text: Markdown (each grant, or its removal, also
    /// as az, PowerShell and Bicep), CSV or JSON.
    pub fn render(&self, by: &str, format: crate::report::Format) -> String {
        use crate::report::{Format, csv, markdown};
        match format {
            Format::Markdown => markdown(
                &self.run.title,
                by,
                &self.finished,
                &self.grants,
                self.removing(),
            ),
            Format::Csv => csv(&self.grants, self.removing()),
            Format::Json => serde_json::to_string_pretty(&self.to_json(by)).unwrap_or_default(),
        }
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Carries out `run`: journals its intent, then (for [`RunKind::Apply`])
/// creates its custom roles and applies `plan` (planned now when `None`), or
/// (for [`RunKind::Remove`]) removes its grants, then deletes its custom
/// roles that nobody holds any more. Ends the run in the journal.
pub async fn execute(
    azure: &Azure,
    run: &Run,
    options: &RunOptions,
    on_event: &(dyn Fn(RunEvent) + Send + Sync),
) -> Result<RunReport, AzureError> {
    let journal = options.journal.as_ref();
    if let Some(journal) = journal {
        journal.begin(run);
    }
    carry_out(azure, run, options.plan.clone(), options, journal, on_event).await
}

/// Finishes a run the journal shows unfinished, under the same id: its
/// grants are planned again (what was done reads as in place) and the rest
/// is written.
pub async fn resume(
    azure: &Azure,
    run: &Run,
    options: &RunOptions,
    on_event: &(dyn Fn(RunEvent) + Send + Sync),
) -> Result<RunReport, AzureError> {
    let journal = options.journal.as_ref();
    let before: Vec<(Grant, Outcome)> = journal
        .and_then(|j| j.written(&run.id).ok())
        .unwrap_or_default();
    let mut report = carry_out(azure, run, None, options, journal, on_event).await?;
    // What it created before it stopped reads "already in place" now: the
    // report says what the run did, so it is "created" again, with its
    // request id from the journal (and undoing the run removes it too). A
    // write the crash caught before its journal line has no request id.
    for (entry, item) in report.grants.iter_mut().zip(&run.grants) {
        let (grant, outcome) = (&entry.grant, &mut entry.outcome);
        if *outcome != Outcome::AlreadyInPlace {
            continue;
        }
        let journaled = before
            .iter()
            .find(|(g, o)| g == grant && matches!(o, Outcome::Created { .. }));
        if let Some((_, earlier)) = journaled {
            *outcome = earlier.clone();
        } else if item.to_create
            && let Some(assignment_id) = made_by_rolecall(azure, grant).await?
        {
            // The crash came between Azure's answer and the journal line.
            // Only what stands under Rolecall's own assignment name is this
            // run's work; someone else's assignment stays "in place".
            *outcome = Outcome::Created {
                assignment_id,
                request_id: None,
            };
        }
    }
    // Custom roles: a run sets out to create only those missing when it
    // began, so one found in place on resume (under the run's own
    // deterministic id) is one it created before it stopped.
    if run.kind == RunKind::Apply {
        for entry in &mut report.custom_roles {
            if entry.outcome == Outcome::AlreadyInPlace {
                entry.outcome = Outcome::Created {
                    assignment_id: format!(
                        "{}/providers/Microsoft.Authorization/roleDefinitions/{}",
                        subscription_of(&entry.role),
                        entry.role.guid
                    ),
                    request_id: None,
                };
            }
        }
    }
    Ok(report)
}

/// The id of the assignment that gives `grant` under Rolecall's own name
/// (an Azure role), or the app-role assignment that gives it (app roles have
/// no names of their own), if there is one.
async fn made_by_rolecall(azure: &Azure, grant: &Grant) -> Result<Option<String>, AzureError> {
    use futures::TryStreamExt;
    match grant {
        Grant::AzureRole(g) => {
            let name = g.assignment_name();
            let found: Vec<_> = azure
                .arm
                .role_assignments(
                    &g.scope,
                    &rolecall_azure::arm::AssignmentFilter::Principal(g.member.id.clone()),
                )
                .try_collect()
                .await?;
            Ok(found
                .into_iter()
                .find(|a| a.name.eq_ignore_ascii_case(&name) && g.is_held_by(a))
                .map(|a| a.id))
        }
        Grant::AppRole(g) => {
            let found: Vec<_> = azure
                .graph
                .app_role_assigned_to(&g.resource_id)
                .try_collect()
                .await?;
            Ok(found
                .into_iter()
                .find(|a| {
                    a.principal_id.eq_ignore_ascii_case(&g.member.id)
                        && a.app_role_id.eq_ignore_ascii_case(&g.app_role_id)
                })
                .map(|a| a.id))
        }
    }
}

async fn carry_out(
    azure: &Azure,
    run: &Run,
    plan: Option<Plan>,
    options: &RunOptions,
    journal: Option<&Journal>,
    on_event: &(dyn Fn(RunEvent) + Send + Sync),
) -> Result<RunReport, AzureError> {
    let started = now();
    let run_journal = journal.map(|j| j.for_run(run));
    let grant_event = |event: ItemEvent| on_event(RunEvent::Grant { event });
    let (roles, outcomes) = match run.kind {
        RunKind::Apply => {
            let roles = create_roles(azure, run, options, run_journal.as_ref(), on_event).await?;
            let mut plan = match plan {
                Some(plan) => plan,
                None => {
                    crate::plan::plan_with(azure, run.grant_list(), options.catalogue.as_deref())
                        .await?
                }
            };
            // A grant of a custom role that could not be made is not tried.
            for item in &mut plan.items {
                if let Some(reason) = missing_role(&roles, &item.grant) {
                    item.status = Status::Blocked { reason };
                }
            }
            let outcomes = crate::apply::apply(
                azure,
                &plan,
                &options.apply,
                run_journal.as_ref(),
                &grant_event,
            )
            .await;
            (roles, outcomes)
        }
        RunKind::Remove => {
            let outcomes = crate::apply::remove(
                azure,
                &run.grant_list(),
                run.removes,
                &options.apply,
                run_journal.as_ref(),
                &grant_event,
            )
            .await;
            let roles = delete_roles(azure, run, run_journal.as_ref(), on_event).await?;
            (roles, outcomes)
        }
    };
    if let Some(journal) = journal {
        journal.end(&run.id);
    }
    let grants = (run.grants.iter().zip(outcomes))
        .map(|(item, outcome)| crate::report::Entry {
            grant: item.grant.clone(),
            outcome,
        })
        .collect();
    Ok(RunReport {
        run: run.clone(),
        started,
        finished: now(),
        custom_roles: roles,
        grants,
    })
}

/// Why `grant` cannot be made: it assigns one of the run's custom roles
/// that failed.
fn missing_role(roles: &[RoleEntry], grant: &Grant) -> Option<String> {
    let Grant::AzureRole(g) = grant else {
        return None;
    };
    roles
        .iter()
        .find(|r| !r.outcome.is_success() && r.role.guid.eq_ignore_ascii_case(&g.role_id))
        .map(|r| {
            format!(
                "The custom role '{}' could not be created, so it cannot be assigned.",
                r.role.draft.role_name
            )
        })
}

fn subscription_of(role: &RunRole) -> String {
    let first = role
        .draft
        .assignable_scopes
        .first()
        .cloned()
        .unwrap_or_default();
    Scope::parse(&first)
        .ok()
        .and_then(|s| s.subscription_scope())
        .unwrap_or(first)
}

async fn tenant(
    azure: &Azure,
    options: &RunOptions,
    subscription: &str,
) -> Result<Tenant, AzureError> {
    match &options.catalogue {
        Some(c) => Tenant::load_with(azure, c.clone(), subscription).await,
        None => Tenant::load(azure, subscription).await,
    }
}

async fn create_roles(
    azure: &Azure,
    run: &Run,
    options: &RunOptions,
    journal: Option<&Journal>,
    on_event: &(dyn Fn(RunEvent) + Send + Sync),
) -> Result<Vec<RoleEntry>, AzureError> {
    let mut outcomes = Vec::new();
    for (index, role) in run.custom_roles.iter().enumerate() {
        let tenant = tenant(azure, options, &subscription_of(role)).await?;
        let exists = tenant.roles.iter().any(|r| {
            rolecall_rbac::roles::definition_guid(&r.name).eq_ignore_ascii_case(&role.guid)
        });
        let outcome = if exists && custom_roles::already_in_place(&tenant, &role.draft).is_some() {
            Outcome::AlreadyInPlace
        } else if exists {
            // Changing a role changes everyone who holds it: not a side effect
            // of onboarding one person.
            Outcome::Blocked {
                reason: format!(
                    "A custom role named '{}' already exists here with other permissions; Rolecall does not change it while onboarding. Edit it in Custom roles, or give the template's role another name.",
                    role.draft.role_name
                ),
            }
        } else {
            let saved =
                custom_roles::create(azure, &tenant, &role.draft, &role.guid, &options.settle)
                    .await;
            let outcome = match saved {
                Ok(written) => Outcome::Created {
                    assignment_id: written.id,
                    request_id: None,
                },
                Err(RoleError::Azure(e)) => Outcome::Failed {
                    code: e.code(),
                    message: e.to_string(),
                    request_id: e.request_id().map(str::to_owned),
                },
                Err(e) => Outcome::Failed {
                    code: "CustomRole".into(),
                    message: e.to_string(),
                    request_id: None,
                },
            };
            if let Some(journal) = journal {
                journal.record_role("createRole", role, &outcome);
            }
            outcome
        };
        on_event(RunEvent::Role {
            index,
            outcome: outcome.clone(),
        });
        outcomes.push(RoleEntry {
            role: role.clone(),
            outcome,
        });
    }
    Ok(outcomes)
}

async fn delete_roles(
    azure: &Azure,
    run: &Run,
    journal: Option<&Journal>,
    on_event: &(dyn Fn(RunEvent) + Send + Sync),
) -> Result<Vec<RoleEntry>, AzureError> {
    let mut outcomes = Vec::new();
    for (index, role) in run.custom_roles.iter().enumerate() {
        let scope = role
            .draft
            .assignable_scopes
            .first()
            .cloned()
            .unwrap_or_default();
        let outcome = delete_role(azure, &scope, role).await?;
        if let Some(journal) = journal
            && outcome != Outcome::AlreadyGone
        {
            journal.record_role("deleteRole", role, &outcome);
        }
        on_event(RunEvent::Role {
            index,
            outcome: outcome.clone(),
        });
        outcomes.push(RoleEntry {
            role: role.clone(),
            outcome,
        });
    }
    Ok(outcomes)
}

/// Deletes a custom role nobody holds; one still held stays, with who
/// holds it counted. ARM may still see an assignment removed a moment ago:
/// `RoleDefinitionHasAssignments` right after is retried briefly.
async fn delete_role(azure: &Azure, scope: &str, role: &RunRole) -> Result<Outcome, AzureError> {
    let Some(definition) = azure.arm.role_definition(scope, &role.guid).await? else {
        return Ok(Outcome::AlreadyGone);
    };
    let holders = custom_roles::assignments_of(azure, &definition).await?;
    if !holders.is_empty() {
        return Ok(Outcome::Kept {
            reason: format!(
                "The custom role '{}' stays: {} other assignment(s) still hold it.",
                role.draft.role_name,
                holders.len()
            ),
        });
    }
    let mut attempt: u64 = 0;
    loop {
        match azure.arm.delete_role_definition(scope, &role.guid).await {
            Ok(Some((_, request_id))) => return Ok(Outcome::Removed { request_id }),
            Ok(None) => return Ok(Outcome::AlreadyGone),
            Err(e) if e.code() == "RoleDefinitionHasAssignments" && attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
            }
            Err(e) if e.kind() == Some(Kind::NotFound) => return Ok(Outcome::AlreadyGone),
            Err(e) => {
                return Ok(Outcome::Failed {
                    code: e.code(),
                    message: e.to_string(),
                    request_id: e.request_id().map(str::to_owned),
                });
            }
        }
    }
}

/// Tauri runs commands on other threads: these futures must be `Send`.
#[allow(dead_code)]
fn futures_are_send(azure: &Azure, run: &Run) {
    fn send<T: Send>(_: T) {}
    send(execute(azure, run, &RunOptions::default(), &|_| {}));
    send(resume(azure, run, &RunOptions::default(), &|_| {}));
}
