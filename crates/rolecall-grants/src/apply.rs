//! Applying a plan, and undoing grants.

use std::time::Duration;

use futures::TryStreamExt;
use rolecall_azure::arm::{AssignmentFilter, NewRoleAssignment};
use rolecall_azure::{Azure, AzureError, Kind, for_each_bounded};
use serde::Serialize;

use crate::journal::Journal;
use crate::model::Removes;
use crate::model::{AppRoleGrant, AzureRoleGrant, Grant};
use crate::plan::{Plan, Status};

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Grants written at once. ARM's write limits are per subscription and
    /// shared by the tenant's tools; a few at a time is quick and polite.
    pub concurrency: usize,
    /// How long to keep retrying a member ARM does not find yet: a user,
    /// group or application created minutes ago (`PrincipalNotFound`).
    pub replication_wait: Duration,
    /// The pause between those retries (the Azure CLI uses 5 s).
    pub replication_retry_every: Duration,
    /// How long to keep retrying a PIM removal of something made less than
    /// five minutes ago (`ActiveDurationTooShort`), at the same pace.
    pub pim_wait: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            replication_wait: Duration::from_secs(180),
            replication_retry_every: Duration::from_secs(5),
            pim_wait: Duration::from_secs(330),
        }
    }
}

/// Outcomes are modelled in `model`; this path stays for callers.
pub use crate::model::Outcome;

/// Progress of one item, numbered as in the plan.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum ItemEvent {
    Started {
        index: usize,
    },
    /// ARM does not find the member yet; retrying.
    WaitingForReplication {
        index: usize,
        attempt: u32,
    },
    /// PIM removes nothing within 5 minutes of making it; retrying.
    WaitingForPim {
        index: usize,
        attempt: u32,
    },
    Finished {
        index: usize,
        outcome: Outcome,
    },
}

/// Creates what `plan` marks to create, reporting each item through
/// `on_event`, recording each write in `journal`. The outcomes come back in
/// the plan's order.
pub async fn apply(
    azure: &Azure,
    plan: &Plan,
    options: &ApplyOptions,
    journal: Option<&Journal>,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Vec<Outcome> {
    // Owned items: futures over borrowed ones trip the compiler's `Send`
    // inference when callers spawn this (Tauri commands do).
    for_each_bounded(
        plan.items.iter().cloned().enumerate(),
        options.concurrency,
        |(index, item)| async move {
            let outcome = match &item.status {
                Status::InPlace { .. } | Status::Kept { .. } => Outcome::AlreadyInPlace,
                Status::Inherited { from_scope } => Outcome::Inherited {
                    from_scope: from_scope.clone(),
                },
                Status::Covered {
                    by_role,
                    from_scope,
                } => Outcome::Covered {
                    by_role: by_role.clone(),
                    from_scope: from_scope.clone(),
                },
                Status::Blocked { reason } => Outcome::Blocked {
                    reason: reason.clone(),
                },
                Status::ToCreate => {
                    on_event(ItemEvent::Started { index });
                    let outcome = match &item.grant {
                        Grant::AzureRole(grant) => match &grant.schedule {
                            None => {
                                create_role_assignment(azure, grant, options, index, on_event).await
                            }
                            Some(schedule) => {
                                request_schedule(azure, grant, schedule, options, index, on_event)
                                    .await
                            }
                        },
                        Grant::AppRole(grant) => assign_app_role(azure, grant).await,
                    };
                    if let Some(journal) = journal {
                        journal.record("assign", &item.grant, &outcome);
                    }
                    outcome
                }
            };
            on_event(ItemEvent::Finished {
                index,
                outcome: outcome.clone(),
            });
            outcome
        },
    )
    .await
}

async fn create_role_assignment(
    azure: &Azure,
    grant: &AzureRoleGrant,
    options: &ApplyOptions,
    index: usize,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Outcome {
    let name = grant.assignment_name();
    let body = NewRoleAssignment {
        role_definition_id: grant.role_definition_id(),
        principal_id: grant.member.id.clone(),
        principal_type: grant.member.kind.principal_type(),
        description: grant.description.clone(),
    };
    let written = while_replicating(options, index, on_event, || {
        azure.arm.create_role_assignment(&grant.scope, &name, &body)
    })
    .await;
    match written {
        Ok(created) => Outcome::Created {
            assignment_id: created.id,
            request_id: created.request_id,
        },
        Err(e) if e.kind() == Some(Kind::AlreadyExists) => Outcome::AlreadyInPlace,
        Err(e) => Outcome::failed(&e),
    }
}

/// `write`, tried again while ARM does not find a member made minutes ago
/// (the directory is replicating), within `options.replication_wait`, and
/// while PIM refuses to remove what it made less than five minutes ago,
/// within `options.pim_wait`; each wait reported; any other answer is
/// returned as it is.
async fn while_replicating<T, F, Fut>(
    options: &ApplyOptions,
    index: usize,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
    mut write: F,
) -> Result<T, AzureError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AzureError>>,
{
    let started = tokio::time::Instant::now();
    let mut attempt = 0;
    let within = |limit: Duration| started.elapsed() + options.replication_retry_every <= limit;
    loop {
        match write().await {
            Err(e)
                if e.kind() == Some(Kind::PrincipalNotFound)
                    && within(options.replication_wait) =>
            {
                attempt += 1;
                on_event(ItemEvent::WaitingForReplication { index, attempt });
                tokio::time::sleep(options.replication_retry_every).await;
            }
            Err(e) if e.code() == "ActiveDurationTooShort" && within(options.pim_wait) => {
                attempt += 1;
                on_event(ItemEvent::WaitingForPim { index, attempt });
                tokio::time::sleep(options.replication_retry_every).await;
            }
            answer => return answer,
        }
    }
}

/// PIM's `AdminAssign` for an eligible or time-bound grant: a request of
/// its own name (a request is made once; a re-run's plan finds the
/// schedule in place), retried while a new member replicates.
async fn request_schedule(
    azure: &Azure,
    grant: &AzureRoleGrant,
    schedule: &crate::model::Schedule,
    options: &ApplyOptions,
    index: usize,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Outcome {
    let kind = schedule_kind(schedule);
    let properties = grant.schedule_request("AdminAssign");
    let name = uuid::Uuid::new_v4().to_string();
    let written = while_replicating(options, index, on_event, || {
        azure
            .arm
            .put_schedule_request(kind, &grant.scope, &name, &properties)
    })
    .await;
    match written {
        Ok(made) => {
            let p = made.properties;
            Outcome::Created {
                assignment_id: p
                    .target_role_eligibility_schedule_id
                    .or(p.target_role_assignment_schedule_id)
                    .unwrap_or(made.id),
                request_id: made.request_id,
            }
        }
        Err(e) if e.kind() == Some(Kind::AlreadyExists) => Outcome::AlreadyInPlace,
        Err(e) => Outcome::failed(&e),
    }
}

fn schedule_kind(schedule: &crate::model::Schedule) -> rolecall_azure::arm::ScheduleKind {
    if schedule.eligible {
        rolecall_azure::arm::ScheduleKind::Eligibility
    } else {
        rolecall_azure::arm::ScheduleKind::Assignment
    }
}

async fn assign_app_role(azure: &Azure, grant: &AppRoleGrant) -> Outcome {
    match azure
        .graph
        .assign_app_role(&grant.resource_id, &grant.member.id, &grant.app_role_id)
        .await
    {
        Ok(created) => Outcome::Created {
            assignment_id: created.id,
            request_id: created.request_id,
        },
        Err(e) if e.kind() == Some(Kind::AlreadyExists) => Outcome::AlreadyInPlace,
        Err(e) => Outcome::failed(&e),
    }
}

/// Makes each eligible or time-bound grant the plan finds in place last as
/// its schedule now asks (PIM's `AdminExtend`, from now for its duration or
/// until its end), journaled as `extend`, and gives back one that has ended
/// (the plan finds it missing: PIM's `AdminRenew`, journaled as `renew`);
/// what the plan found blocked is not tried.
pub async fn extend(
    azure: &Azure,
    plan: &Plan,
    options: &ApplyOptions,
    journal: Option<&Journal>,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Vec<Outcome> {
    for_each_bounded(
        plan.items.iter().cloned().enumerate(),
        options.concurrency,
        |(index, item)| async move {
            let outcome = match (&item.status, &item.grant) {
                (Status::Blocked { reason }, _) => Outcome::Blocked {
                    reason: reason.clone(),
                },
                (status @ (Status::InPlace { .. } | Status::ToCreate), Grant::AzureRole(grant))
                    if grant.schedule.is_some() =>
                {
                    on_event(ItemEvent::Started { index });
                    let schedule = grant.schedule.as_ref().expect("checked");
                    let renew = matches!(status, Status::ToCreate);
                    let (request_type, action) = if renew {
                        ("AdminRenew", "renew")
                    } else {
                        ("AdminExtend", "extend")
                    };
                    let properties = grant.schedule_request(request_type);
                    let name = uuid::Uuid::new_v4().to_string();
                    let written = azure
                        .arm
                        .put_schedule_request(
                            schedule_kind(schedule),
                            &grant.scope,
                            &name,
                            &properties,
                        )
                        .await;
                    let outcome = match written {
                        Ok(made) if renew => Outcome::Renewed {
                            request_id: made.request_id,
                        },
                        Ok(made) => Outcome::Extended {
                            request_id: made.request_id,
                        },
                        // Ended too long ago for PIM to renew (or never there).
                        Err(e) if renew && e.kind() == Some(Kind::NotFound) => Outcome::Failed {
                            code: e.code(),
                            message: "PIM no longer holds it to renew (it keeps what ended for 30 days): make it again with Assign roles or onboarding.".into(),
                            request_id: e.request_id().map(str::to_owned),
                        },
                        Err(e) if e.kind() == Some(Kind::NotFound) => Outcome::AlreadyGone,
                        Err(e) => Outcome::failed(&e),
                    };
                    if let Some(journal) = journal {
                        journal.record(action, &item.grant, &outcome);
                    }
                    outcome
                }
                // Not there any more (someone removed it), or not PIM's.
                _ => Outcome::AlreadyGone,
            };
            on_event(ItemEvent::Finished {
                index,
                outcome: outcome.clone(),
            });
            outcome
        },
    )
    .await
}

/// Removes each grant where it was made (inherited grants stay: they belong
/// to the parent scope), whatever the assignment's name.
pub async fn remove(
    azure: &Azure,
    grants: &[Grant],
    which: Removes,
    options: &ApplyOptions,
    journal: Option<&Journal>,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Vec<Outcome> {
    for_each_bounded(
        grants.iter().cloned().enumerate(),
        options.concurrency,
        |(index, grant)| async move {
            on_event(ItemEvent::Started { index });
            let result = match &grant {
                Grant::AzureRole(g) => match &g.schedule {
                    None => remove_role_assignment(azure, g, which).await,
                    Some(schedule) => {
                        remove_schedule(azure, g, schedule, options, index, on_event).await
                    }
                },
                Grant::AppRole(g) => remove_app_role(azure, g).await,
            };
            let outcome = result.unwrap_or_else(|e| Outcome::failed(&e));
            if let Some(journal) = journal {
                if outcome != Outcome::AlreadyGone {
                    journal.record("remove", &grant, &outcome);
                } else if matches!(&grant, Grant::AzureRole(g) if g.schedule.is_some()) {
                    // Not a write, but what ended is no longer Rolecall's to renew.
                    journal.note_gone(&grant);
                }
            }
            on_event(ItemEvent::Finished {
                index,
                outcome: outcome.clone(),
            });
            outcome
        },
    )
    .await
}

async fn remove_role_assignment(
    azure: &Azure,
    grant: &AzureRoleGrant,
    which: Removes,
) -> Result<Outcome, AzureError> {
    let target = rolecall_rbac::Scope::parse(&grant.scope).ok();
    let existing: Vec<_> = azure
        .arm
        .role_assignments(
            &grant.scope,
            &AssignmentFilter::Principal(grant.member.id.clone()),
        )
        .try_collect()
        .await?;
    let ours = grant.assignment_name();
    let here = existing.into_iter().find(|a| {
        grant.is_held_by(a)
            && rolecall_rbac::Scope::parse(&a.properties.scope).ok() == target
            && (which == Removes::Any || a.name.eq_ignore_ascii_case(&ours))
    });
    let Some(assignment) = here else {
        return Ok(Outcome::AlreadyGone);
    };
    Ok(
        match azure
            .arm
            .delete_role_assignment(&grant.scope, &assignment.name)
            .await?
        {
            Some(removed) => Outcome::Removed {
                request_id: removed.request_id,
            },
            None => Outcome::AlreadyGone,
        },
    )
}

/// PIM's `AdminRemove`: what is gone is done.
async fn remove_schedule(
    azure: &Azure,
    grant: &AzureRoleGrant,
    schedule: &crate::model::Schedule,
    options: &ApplyOptions,
    index: usize,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Result<Outcome, AzureError> {
    let properties = grant.schedule_request("AdminRemove");
    let (kind, scope, properties) = (schedule_kind(schedule), &grant.scope, &properties);
    // Each try is a request of its own (a refused one is not kept).
    let written = while_replicating(options, index, on_event, || {
        let name = uuid::Uuid::new_v4().to_string();
        async move {
            azure
                .arm
                .put_schedule_request(kind, scope, &name, properties)
                .await
        }
    })
    .await;
    match written {
        Ok(made) => Ok(Outcome::Removed {
            request_id: made.request_id,
        }),
        Err(e) if e.kind() == Some(Kind::NotFound) => Ok(Outcome::AlreadyGone),
        Err(e) => Err(e),
    }
}

async fn remove_app_role(azure: &Azure, grant: &AppRoleGrant) -> Result<Outcome, AzureError> {
    let existing: Vec<_> = azure
        .graph
        .app_role_assigned_to(&grant.resource_id)
        .try_collect()
        .await?;
    let Some(assignment) = existing.into_iter().find(|a| {
        a.principal_id.eq_ignore_ascii_case(&grant.member.id)
            && a.app_role_id.eq_ignore_ascii_case(&grant.app_role_id)
    }) else {
        return Ok(Outcome::AlreadyGone);
    };
    Ok(
        match azure
            .graph
            .remove_app_role_assignment(&grant.resource_id, &assignment.id)
            .await?
        {
            Some(removed) => Outcome::Removed {
                request_id: removed.request_id,
            },
            None => Outcome::AlreadyGone,
        },
    )
}

/// Tauri runs commands on other threads: these futures must be `Send`.
#[allow(dead_code)]
fn futures_are_send(azure: &Azure, plan: &Plan, grants: &[Grant]) {
    fn send<T: Send>(_: T) {}
    send(apply(azure, plan, &ApplyOptions::default(), None, &|_| {}));
    send(remove(
        azure,
        grants,
        Removes::Any,
        &ApplyOptions::default(),
        None,
        &|_| {},
    ));
}
