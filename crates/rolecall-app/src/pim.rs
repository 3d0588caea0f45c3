//! A person's own side of PIM: activating a role they are eligible for
//! (`SelfActivate`), for as long as they need and the role's settings allow,
//! and ending it early (`SelfDeactivate`).

use rolecall_azure::Azure;
use rolecall_azure::arm::{ScheduleInstance, ScheduleKind};

use crate::error::{AppError, Result};

/// What the signed-in person asks to activate.
#[derive(Debug, Clone)]
pub struct Activate {
    pub scope: String,
    /// A role name as Azure lists it, or its id.
    pub role: String,
    /// ISO 8601; none: the longest the role's settings allow (else 1 hour).
    pub duration: Option<String>,
    pub justification: Option<String>,
    pub ticket: Option<String>,
}

/// An activation asked for, as ARM answered it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activated {
    pub scope: String,
    pub role_name: String,
    pub duration: String,
    /// `Provisioned`, `PendingApproval`…
    pub status: String,
    pub request_id: Option<String>,
}

/// The signed-in person's own instance of `role` (a name or an id) among
/// `instances`, which apply at the scope; what else they hold there, named,
/// when it is not found.
fn mine<'a>(
    instances: &'a [ScheduleInstance],
    role: &str,
) -> std::result::Result<&'a ScheduleInstance, Vec<String>> {
    instances
        .iter()
        .find(|i| is_role(role, i.role_name(), &i.properties.role_definition_id))
        .ok_or_else(|| {
            let mut names: Vec<String> =
                instances.iter().map(|i| i.role_name().to_owned()).collect();
            names.sort();
            names.dedup();
            names
        })
}

/// Whether `role` as a person gives it (a name, a GUID or a definition id)
/// is the role named `name` with definition `role_definition_id`.
fn is_role(role: &str, name: &str, role_definition_id: &str) -> bool {
    let role = role.trim();
    let guid = role.rsplit('/').next().unwrap_or(role);
    name.eq_ignore_ascii_case(role)
        || rolecall_rbac::roles::definition_guid(role_definition_id).eq_ignore_ascii_case(guid)
}

/// Activates a role the signed-in person is eligible for at a scope. Only
/// PIM is read (their own eligibilities, `asTarget()`): an eligible person
/// usually cannot read the subscription, its roles or its policies.
pub async fn activate(azure: &Azure, ask: &Activate) -> Result<Activated> {
    if let Some(d) = &ask.duration {
        rolecall_rbac::duration::parse(d).ok_or_else(|| {
            AppError::input(format!(
                "'{d}' is not a duration: give one in ISO 8601, such as PT1H (an hour) or PT8H"
            ))
        })?;
    }
    let (me, eligible) = me_and_mine(azure, ScheduleKind::Eligibility, &ask.scope).await?;
    let eligibility = mine(&eligible, &ask.role).map_err(|held| {
        AppError::new(
            crate::error::ErrorKind::NotFound,
            "NotEligible",
            if held.is_empty() {
                format!(
                    "You are not eligible for any role at {}: ask an admin to make you eligible.",
                    ask.scope
                )
            } else {
                format!(
                    "You are not eligible for '{}' at {}; you are for: {}.",
                    ask.role,
                    ask.scope,
                    held.join(", ")
                )
            },
        )
    })?;
    let role_definition_id = eligibility.properties.role_definition_id.clone();
    let role_name = eligibility.role_name().to_owned();
    // The longest the role's settings allow, where the person may read them.
    let duration = match &ask.duration {
        Some(d) => d.clone(),
        None => azure
            .arm
            .pim_rules(&ask.scope, &role_definition_id)
            .await
            .ok()
            .and_then(|rules| {
                rolecall_grants::PolicySummary::from_rules("", "", true, &rules)
                    .activation
                    .and_then(|a| a.maximum)
            })
            .unwrap_or_else(|| "PT1H".into()),
    };
    let mut body = serde_json::json!({
        "principalId": me.id,
        "roleDefinitionId": role_definition_id,
        "requestType": "SelfActivate",
        "linkedRoleEligibilityScheduleId": eligibility.properties.role_eligibility_schedule_id,
        "scheduleInfo": {
            "expiration": {"type": "AfterDuration", "duration": duration},
        },
    });
    if let Some(j) = &ask.justification {
        body["justification"] = j.clone().into();
    }
    if let Some(t) = &ask.ticket {
        body["ticketInfo"] = serde_json::json!({"ticketNumber": t});
    }
    let made = self_request(azure, &ask.scope, &body).await?;
    Ok(Activated {
        scope: ask.scope.clone(),
        role_name,
        duration,
        status: made.properties.status.clone(),
        request_id: made.request_id,
    })
}

/// Ends the signed-in person's running activation of a role at a scope.
pub async fn deactivate(azure: &Azure, scope: &str, role: &str) -> Result<Option<String>> {
    let (me, active) = me_and_mine(azure, ScheduleKind::Assignment, scope).await?;
    let activated: Vec<ScheduleInstance> = active
        .into_iter()
        .filter(|i| i.properties.assignment_type.as_deref() == Some("Activated"))
        .collect();
    let running = mine(&activated, role).map_err(|_| {
        AppError::new(
            crate::error::ErrorKind::NotFound,
            "NotActivated",
            format!("You have no running activation of '{role}' at {scope}: nothing to end."),
        )
    })?;
    let body = serde_json::json!({
        "principalId": me.id,
        "roleDefinitionId": running.properties.role_definition_id,
        "requestType": "SelfDeactivate",
    });
    Ok(self_request(azure, scope, &body).await?.request_id)
}

/// The signed-in person, and their own PIM instances of `kind` at `scope`
/// (a scope that is no Azure scope is refused before anything is asked).
async fn me_and_mine(
    azure: &Azure,
    kind: ScheduleKind,
    scope: &str,
) -> Result<(rolecall_azure::graph::User, Vec<ScheduleInstance>)> {
    rolecall_rbac::Scope::parse(scope).map_err(|e| AppError::input(e.to_string()))?;
    Ok(tokio::try_join!(
        azure.graph.me(),
        azure.arm.my_schedule_instances(kind, scope),
    )?)
}

/// A person's own request (`SelfActivate`, `SelfDeactivate`) at `scope`,
/// under a new request name.
async fn self_request(
    azure: &Azure,
    scope: &str,
    body: &serde_json::Value,
) -> Result<rolecall_azure::arm::ScheduleRequest> {
    Ok(azure
        .arm
        .put_schedule_request(
            ScheduleKind::Assignment,
            scope,
            &uuid::Uuid::new_v4().to_string(),
            body,
        )
        .await?)
}

/// Access through PIM that ends soon: an eligibility or a time-bound active
/// assignment (not an activation, which is meant to end), as a grant that
/// can be planned for extension.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ending {
    /// Its schedule says eligible or active and `until` its end.
    pub grant: rolecall_grants::AzureRoleGrant,
    /// RFC 3339.
    pub ends: String,
    /// It ended already: planning its extension renews it.
    pub ended: bool,
}

/// How long PIM keeps an ended assignment to renew (Microsoft: "remain
/// visible in an expired state for up to 30 days").
pub const RENEWABLE_FOR: time::Duration = time::Duration::days(30);

/// What ends within `within` from now, in every subscription the admin
/// reads (and the groups above them), soonest first; after it, with
/// `journal`, what Rolecall made that ended within `within` (at most
/// [`RENEWABLE_FOR`]) and is not back, most recent first. Azure's lists no
/// longer show what ended, so those come from the journal's writes.
pub async fn expiring(
    azure: &Azure,
    journal: Option<&rolecall_grants::journal::Journal>,
    within: time::Duration,
) -> Result<Vec<Ending>> {
    use futures::TryStreamExt;
    let now = time::OffsetDateTime::now_utc();
    let horizon = now + within;
    let subscriptions: Vec<_> = azure.arm.subscriptions().try_collect().await?;
    // The journal holds every tenant's and account's writes: what ended is
    // told only of subscriptions this session reads.
    let readable: std::collections::HashSet<String> = subscriptions
        .iter()
        .map(|s| s.subscription_id.to_ascii_lowercase())
        .collect();
    let read = rolecall_azure::for_each_bounded(subscriptions, 4, |s| async move {
        let scope = format!("/subscriptions/{}", s.subscription_id);
        tokio::try_join!(
            azure
                .arm
                .schedule_instances(ScheduleKind::Eligibility, &scope, None),
            azure
                .arm
                .schedule_instances(ScheduleKind::Assignment, &scope, None),
            azure
                .arm
                .role_definitions(&scope, &rolecall_azure::arm::RoleFilter::All)
                .try_collect::<Vec<_>>(),
        )
    })
    .await;
    let mut seen = std::collections::HashSet::new();
    // (scope, role guid, principal, eligible) of everything live.
    let mut live = std::collections::HashSet::new();
    let mut found: Vec<(ScheduleInstance, bool, Option<String>)> = Vec::new();
    for answer in read {
        let (eligible, active, roles) = answer?;
        let roles = rolecall_rbac::effective::RoleSet::new(roles);
        let named = |i: &ScheduleInstance| {
            Some(i.role_name().to_owned())
                .filter(|n| !n.is_empty())
                .or_else(|| {
                    roles
                        .get(&i.properties.role_definition_id)
                        .map(|r| r.role_name().to_owned())
                })
        };
        let active = active
            .into_iter()
            .filter(|i| i.properties.assignment_type.as_deref() != Some("Activated"));
        for (instance, is_eligible) in eligible
            .into_iter()
            .map(|i| (i, true))
            .chain(active.map(|i| (i, false)))
        {
            // A group's reaches its members: listed once, as the group's.
            if instance.properties.member_type.as_deref() == Some("Group") {
                continue;
            }
            let p = &instance.properties;
            live.insert(live_key(
                &p.scope,
                &rolecall_rbac::roles::definition_guid(&p.role_definition_id),
                &p.principal_id,
                is_eligible,
            ));
            let Some(end) = instance.properties.end_date_time.as_deref().and_then(|e| {
                time::OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339).ok()
            }) else {
                continue;
            };
            if end < now || end > horizon || !seen.insert(instance.id.to_ascii_lowercase()) {
                continue;
            }
            let name = named(&instance);
            found.push((instance, is_eligible, name));
        }
    }
    // Members by id, a few at a time.
    let ids: std::collections::HashSet<String> = found
        .iter()
        .map(|(i, _, _)| i.properties.principal_id.to_ascii_lowercase())
        .collect();
    let members = rolecall_azure::for_each_bounded(ids, 8, |id| async move {
        let member = rolecall_grants::resolve::member(azure, &id).await;
        (id, member)
    })
    .await;
    let mut by_id = std::collections::HashMap::new();
    for (id, member) in members {
        let member = match member {
            Ok(m) => m,
            Err(rolecall_grants::resolve::ResolveError::NoMember(_)) => rolecall_grants::Member {
                id: id.clone(),
                kind: rolecall_grants::MemberKind::User,
                display_name: format!("Not found in the directory ({id})"),
                detail: None,
            },
            Err(e) => return Err(e.into()),
        };
        by_id.insert(id, member);
    }
    let mut out: Vec<Ending> = found
        .into_iter()
        .map(|(instance, eligible, role_name)| {
            let p = instance.properties;
            let guid = rolecall_rbac::roles::definition_guid(&p.role_definition_id).to_owned();
            Ending {
                ends: p.end_date_time.clone().unwrap_or_default(),
                grant: rolecall_grants::AzureRoleGrant {
                    scope: p.scope.clone(),
                    role_name: role_name.unwrap_or_else(|| guid.clone()),
                    role_id: guid,
                    member: by_id[&p.principal_id.to_ascii_lowercase()].clone(),
                    description: None,
                    schedule: Some(rolecall_grants::Schedule {
                        eligible,
                        until: p.end_date_time,
                        ..Default::default()
                    }),
                },
                ended: false,
            }
        })
        .collect();
    out.sort_by(|a, b| a.ends.cmp(&b.ends));
    if let Some(journal) = journal {
        let since = now - within.min(RENEWABLE_FOR);
        let mut ended: Vec<Ending> = journal
            .time_bound()
            .map_err(|e| AppError::input(format!("the journal could not be read: {e}")))?
            .into_iter()
            .filter(|t| t.ends <= now && t.ends > since)
            .filter(|t| {
                rolecall_rbac::Scope::parse(&t.grant.scope)
                    .ok()
                    .and_then(|s| s.subscription_id().map(str::to_ascii_lowercase))
                    .is_some_and(|id| readable.contains(&id))
            })
            .filter_map(|t| {
                let eligible = t.grant.schedule.as_ref().is_some_and(|s| s.eligible);
                let g = &t.grant;
                if live.contains(&live_key(&g.scope, &g.role_id, &g.member.id, eligible)) {
                    return None;
                }
                let ends = t
                    .ends
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok()?;
                let mut grant = t.grant;
                grant.schedule = Some(rolecall_grants::Schedule {
                    eligible,
                    until: Some(ends.clone()),
                    ..Default::default()
                });
                Some(Ending {
                    grant,
                    ends,
                    ended: true,
                })
            })
            .collect();
        ended.sort_by(|a, b| b.ends.cmp(&a.ends));
        out.extend(ended);
    }
    Ok(out)
}

fn live_key(
    scope: &str,
    role: &str,
    principal: &str,
    eligible: bool,
) -> (String, String, String, bool) {
    (
        scope.trim_end_matches('/').to_ascii_lowercase(),
        role.to_ascii_lowercase(),
        principal.to_ascii_lowercase(),
        eligible,
    )
}

/// [`expiring`] within a number of days, with what ended that the
/// context's journal knows of.
pub async fn expiring_within_days(ctx: crate::Context<'_>, days: u32) -> Result<Vec<Ending>> {
    expiring(
        ctx.azure,
        ctx.journal().ok(),
        time::Duration::days(days.into()),
    )
    .await
}

/// The plan of extending `grants` (eligible or time-bound ones, as
/// [`expiring`] gives them) by `duration` from now: each found in place or
/// not, the role's PIM settings checked as for making it. Writes nothing.
pub async fn plan_extension(
    azure: &Azure,
    grants: Vec<rolecall_grants::AzureRoleGrant>,
    duration: &str,
    justification: Option<&str>,
) -> Result<rolecall_grants::Plan> {
    rolecall_rbac::duration::parse(duration).ok_or_else(|| {
        AppError::input(format!(
            "'{duration}' is not a duration: give one in ISO 8601, such as P90D (90 days)"
        ))
    })?;
    let grants = grants
        .into_iter()
        .map(|mut g| {
            let eligible = g.schedule.as_ref().is_some_and(|s| s.eligible);
            g.schedule = Some(rolecall_grants::Schedule {
                eligible,
                duration: Some(duration.to_owned()),
                justification: justification.map(str::to_owned),
                ..Default::default()
            });
            rolecall_grants::Grant::AzureRole(g)
        })
        .collect();
    Ok(rolecall_grants::plan(azure, grants).await?)
}

/// Carries out a reviewed extension plan, journaled.
pub async fn extend(
    ctx: crate::Context<'_>,
    plan: &rolecall_grants::Plan,
    on_event: &(dyn Fn(rolecall_grants::ItemEvent) + Send + Sync),
) -> Result<Vec<rolecall_grants::Outcome>> {
    let journal = ctx.journal()?.for_batch();
    Ok(rolecall_grants::apply::extend(
        ctx.azure,
        plan,
        &rolecall_grants::ApplyOptions::default(),
        Some(&journal),
        on_event,
    )
    .await)
}

/// A role the signed-in person is eligible for, and whether an activation
/// of it runs now.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyRole {
    pub scope: String,
    pub role_id: String,
    pub role_name: String,
    /// When the eligibility ends (RFC 3339); none: permanent.
    pub eligible_until: Option<String>,
    /// When the running activation ends; none: not active now.
    pub active_until: Option<String>,
    /// An activation asked for waits for an approver (its request's name).
    pub awaiting_approval: Option<String>,
}

/// The signed-in person's eligible roles everywhere (PIM's `asTarget()` at
/// the root, which an eligible person may read), each with its running
/// activation.
pub async fn my_roles(azure: &Azure) -> Result<Vec<MyRole>> {
    let (eligible, active, waiting) = tokio::try_join!(
        async {
            Ok::<_, AppError>(
                azure
                    .arm
                    .my_schedule_instances(ScheduleKind::Eligibility, "")
                    .await?,
            )
        },
        async {
            Ok::<_, AppError>(
                azure
                    .arm
                    .my_schedule_instances(ScheduleKind::Assignment, "")
                    .await?,
            )
        },
        // Best effort: the roles are listed even when the requests cannot be read.
        async {
            Ok::<_, AppError>(my_waiting(azure).await.unwrap_or_else(|e| {
                tracing::warn!(code = %e.code, "activations awaiting approval not read");
                Vec::new()
            }))
        },
    )?;
    // The same role at the same scope as the eligibility `e`.
    let same = |scope: &str, role_definition_id: &str, e: &ScheduleInstance| {
        scope.eq_ignore_ascii_case(&e.properties.scope)
            && rolecall_rbac::roles::definition_guid(role_definition_id).eq_ignore_ascii_case(
                &rolecall_rbac::roles::definition_guid(&e.properties.role_definition_id),
            )
    };
    let mut out: Vec<MyRole> = eligible
        .iter()
        .map(|e| MyRole {
            scope: e.properties.scope.clone(),
            role_id: rolecall_rbac::roles::definition_guid(&e.properties.role_definition_id)
                .to_string(),
            role_name: e.role_name().to_owned(),
            eligible_until: e.properties.end_date_time.clone(),
            active_until: active
                .iter()
                .find(|a| {
                    a.properties.assignment_type.as_deref() == Some("Activated")
                        && same(&a.properties.scope, &a.properties.role_definition_id, e)
                })
                .map(|a| a.properties.end_date_time.clone().unwrap_or_default()),
            awaiting_approval: waiting
                .iter()
                .find(|w| same(&w.properties.scope, &w.properties.role_definition_id, e))
                .map(|w| w.name.clone()),
        })
        .collect();
    out.sort_by(|a, b| (&a.role_name, &a.scope).cmp(&(&b.role_name, &b.scope)));
    out.dedup_by(|a, b| a.scope.eq_ignore_ascii_case(&b.scope) && a.role_id == b.role_id);
    Ok(out)
}

/// The signed-in person's activations that wait for an approver.
async fn my_waiting(azure: &Azure) -> Result<Vec<rolecall_azure::arm::ScheduleRequest>> {
    let mine = match azure
        .arm
        .schedule_requests(ScheduleKind::Assignment, "", "asTarget()")
        .await
    {
        Ok(mine) => mine,
        // No PIM in the tenant: nothing waits.
        Err(e) if e.is_pim_unlicensed() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    Ok(mine
        .into_iter()
        .filter(|r| {
            r.properties.status == "PendingApproval" && r.properties.request_type == "SelfActivate"
        })
        .collect())
}

/// Withdraws the signed-in person's activation of `role` at `scope` that
/// waits for an approver. Returns the request's name.
pub async fn cancel_activation(azure: &Azure, scope: &str, role: &str) -> Result<String> {
    rolecall_rbac::Scope::parse(scope).map_err(|e| AppError::input(e.to_string()))?;
    let waiting = my_waiting(azure).await?;
    let role = role.trim();
    let named = |r: &rolecall_azure::arm::ScheduleRequest| {
        let name = r
            .properties
            .expanded_properties
            .as_ref()
            .and_then(|e| e["roleDefinition"]["displayName"].as_str())
            .unwrap_or_default();
        is_role(role, name, &r.properties.role_definition_id)
    };
    let found = waiting
        .iter()
        .find(|r| {
            r.properties
                .scope
                .eq_ignore_ascii_case(scope.trim_end_matches('/'))
                && named(r)
        })
        .ok_or_else(|| {
            AppError::new(
                crate::error::ErrorKind::NotFound,
                "NothingWaiting",
                format!(
                    "No activation of '{role}' at {scope} waits for approval: nothing to cancel."
                ),
            )
        })?;
    // The scope asked (checked above), not the one the answer gave.
    azure
        .arm
        .cancel_schedule_request(
            ScheduleKind::Assignment,
            scope.trim_end_matches('/'),
            &found.name,
        )
        .await?;
    Ok(found.name.clone())
}

/// An activation that waits for the signed-in person's decision.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Awaiting {
    /// The approval's id (what [`decide`] takes).
    pub approval_id: String,
    pub scope: String,
    pub role_name: String,
    /// Who asked: their name and user principal name.
    pub requested_by: String,
    /// How long, in ISO 8601 (`PT2H`); "" when asked until a time.
    pub duration: String,
    /// Until when (RFC 3339), when asked so rather than for a duration.
    pub until: String,
    pub justification: String,
    /// When it was asked (RFC 3339).
    pub asked_at: String,
}

/// The activations waiting for the signed-in person's approval, oldest first
/// (`asApprover()` at the root; PIM gives approvers a day to decide).
pub async fn awaiting_my_approval(azure: &Azure) -> Result<Vec<Awaiting>> {
    let requests = match azure
        .arm
        .schedule_requests(ScheduleKind::Assignment, "", "asApprover()")
        .await
    {
        Ok(r) => r,
        Err(e) if e.is_pim_unlicensed() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut out: Vec<Awaiting> = requests
        .into_iter()
        .filter(|r| r.properties.status == "PendingApproval")
        .filter_map(|r| {
            let p = r.properties;
            let expanded = p.expanded_properties.unwrap_or_default();
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            let principal = &expanded["principal"];
            let who = match (text(&principal["displayName"]), text(&principal["email"])) {
                (name, mail) if !name.is_empty() && !mail.is_empty() => format!("{name} ({mail})"),
                (name, _) if !name.is_empty() => name,
                _ => p.principal_id.clone(),
            };
            let role_name = Some(text(&expanded["roleDefinition"]["displayName"]))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| {
                    rolecall_rbac::roles::definition_guid(&p.role_definition_id).to_string()
                });
            Some(Awaiting {
                approval_id: p.approval_id?,
                scope: p.scope,
                role_name,
                requested_by: who,
                duration: p
                    .schedule_info
                    .as_ref()
                    .and_then(|i| i["expiration"]["duration"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
                until: p
                    .schedule_info
                    .as_ref()
                    .and_then(|i| i["expiration"]["endDateTime"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
                justification: p.justification.unwrap_or_default(),
                asked_at: p.created_on.unwrap_or_default(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.asked_at.cmp(&b.asked_at));
    Ok(out)
}

/// Approves (or denies) an activation waiting for the signed-in person, with
/// a justification (PIM's settings usually ask approvers for one).
pub async fn decide(
    azure: &Azure,
    approval_id: &str,
    approve: bool,
    justification: &str,
) -> Result<()> {
    if justification.trim().is_empty() {
        return Err(AppError::input(
            "Say why: PIM keeps an approver's justification with the decision.",
        ));
    }
    let stages = azure.arm.approval_stages(approval_id).await?;
    let open = stages
        .iter()
        .find(|s| s.properties.status == "InProgress" && s.properties.assigned_to_me)
        .ok_or_else(|| {
            AppError::new(
                crate::error::ErrorKind::NotFound,
                "NothingToDecide",
                "This request waits for no decision of yours any more (someone decided, it was withdrawn, or its day to decide ran out).",
            )
        })?;
    azure
        .arm
        .decide_approval_stage(&open.id, approve, justification.trim())
        .await?;
    Ok(())
}
