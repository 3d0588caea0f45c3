//! Granting access: grants built from what the admin named, planned against
//! live state, applied or removed, each write journaled.

use rolecall_azure::Azure;
use rolecall_grants::{AppRoleGrant, AzureRoleGrant, Grant, ItemEvent, Outcome, Plan, Removes};

use crate::context::Context;
use crate::error::Result;

/// Azure roles named by the admin: every role at every scope for every member.
#[derive(Debug, Clone, Default)]
pub struct RoleGrants<'a> {
    pub scopes: &'a [String],
    /// Role names or ids.
    pub roles: &'a [String],
    /// UPNs, object ids, application ids or display names.
    pub members: &'a [String],
    /// The assignments' description (why it was given).
    pub description: Option<&'a str>,
    /// Eligible or time-bound through PIM; none: active and permanent.
    pub schedule: Option<rolecall_grants::Schedule>,
}

/// The grants `spec` names, each member, scope and role resolved (and
/// refused when it cannot be found).
pub async fn role_grants(azure: &Azure, spec: &RoleGrants<'_>) -> Result<Vec<Grant>> {
    if let Some(schedule) = &spec.schedule {
        schedule.check().map_err(crate::AppError::input)?;
    }
    let members =
        futures::future::try_join_all(spec.members.iter().map(|m| resolve_member(azure, m)))
            .await?;
    let mut grants = Vec::new();
    for scope in spec.scopes {
        let scope = rolecall_rbac::Scope::parse(scope)
            .map_err(|e| crate::AppError::input(e.to_string()))?;
        for role in spec.roles {
            let role = rolecall_grants::resolve::role(azure, scope.as_str(), role).await?;
            for member in &members {
                grants.push(Grant::AzureRole(AzureRoleGrant {
                    scope: scope.as_str().to_owned(),
                    role_id: role.name.clone(),
                    role_name: role.role_name().to_owned(),
                    member: member.clone(),
                    description: spec.description.map(str::to_owned),
                    schedule: spec.schedule.clone(),
                }));
            }
        }
    }
    Ok(grants)
}

async fn resolve_member(azure: &Azure, text: &str) -> Result<rolecall_grants::Member> {
    Ok(rolecall_grants::resolve::member(azure, text).await?)
}

/// An enterprise application's app roles for members: each role refused for
/// a member it is not made for ([`crate::roles::check_app_role`]).
pub async fn app_grants(
    azure: &Azure,
    app: &str,
    roles: &[String],
    members: &[String],
) -> Result<Vec<Grant>> {
    let (app, roles) = rolecall_grants::resolve::app_roles(azure, app, roles).await?;
    let members =
        futures::future::try_join_all(members.iter().map(|m| resolve_member(azure, m))).await?;
    let mut grants = Vec::new();
    for member in &members {
        for role in &roles {
            crate::roles::check_app_role(role, member)?;
            let grant = AppRoleGrant::new(&app, role, member.clone());
            grants.push(Grant::AppRole(grant));
        }
    }
    Ok(grants)
}

/// Grants from outside (the window, a file) checked as untrusted input: each
/// scope parses, each id is a GUID.
pub fn checked(grants: Vec<Grant>) -> Result<Vec<Grant>> {
    for grant in &grants {
        grant.check().map_err(crate::AppError::input)?;
    }
    Ok(grants)
}

/// The grants against live state and the admin's rights; writes nothing.
/// App roles given to members they are not made for are refused first.
pub async fn plan(azure: &Azure, grants: Vec<Grant>) -> Result<Plan> {
    crate::roles::check_app_role_grants(azure, &grants).await?;
    Ok(rolecall_grants::plan(azure, grants).await?)
}

/// For each of `scopes`, why the admin may not assign roles there (`None`:
/// they may), asked of ARM before anyone is chosen, so a wizard says it on
/// its first step rather than at the review.
pub async fn assign_rights(
    azure: &Azure,
    scopes: &[String],
) -> Result<Vec<(String, Option<String>)>> {
    let rights = rolecall_grants::plan::rights(
        azure,
        scopes.iter().cloned(),
        rolecall_grants::plan::ASSIGN_ACTION,
    )
    .await?;
    Ok(scopes
        .iter()
        .map(|scope| {
            let allowed = rights
                .get(&scope.to_ascii_lowercase())
                .copied()
                .unwrap_or(false);
            let why = (!allowed).then(|| rolecall_grants::plan::lacks_assign_right(scope));
            (scope.clone(), why)
        })
        .collect())
}

/// What removing `grants` would do against live state: each one in place is
/// removed where it was made. Writes nothing.
pub async fn plan_removal(azure: &Azure, grants: Vec<Grant>) -> Result<Plan> {
    Ok(rolecall_grants::plan::plan_removal(azure, grants).await?)
}

/// Creates what a reviewed plan marks to create, journaled; the outcomes
/// come back in the plan's order.
pub async fn apply(
    ctx: Context<'_>,
    plan: &Plan,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Result<Vec<Outcome>> {
    let journal = ctx.journal()?.for_batch();
    Ok(rolecall_grants::apply(
        ctx.azure,
        plan,
        &rolecall_grants::ApplyOptions::default(),
        Some(&journal),
        on_event,
    )
    .await)
}

/// Removes `grants` wherever they were made (whatever the assignment's
/// name), journaled.
pub async fn remove(
    ctx: Context<'_>,
    grants: &[Grant],
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Result<Vec<Outcome>> {
    let journal = ctx.journal()?.for_batch();
    Ok(rolecall_grants::remove(
        ctx.azure,
        grants,
        Removes::Any,
        &Default::default(),
        Some(&journal),
        on_event,
    )
    .await)
}

/// Removes what a reviewed removal plan found in place; the rest is
/// reported gone. Outcomes and progress are numbered as in the plan.
pub async fn remove_planned(
    ctx: Context<'_>,
    plan: &Plan,
    on_event: &(dyn Fn(ItemEvent) + Send + Sync),
) -> Result<Vec<Outcome>> {
    let in_place: Vec<usize> = plan
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i.status, rolecall_grants::Status::InPlace { .. }))
        .map(|(n, _)| n)
        .collect();
    let grants: Vec<Grant> = in_place
        .iter()
        .map(|n| plan.items[*n].grant.clone())
        .collect();
    let renumber = |event: ItemEvent| on_event(in_plan(event, &in_place));
    let mut removed = remove(ctx, &grants, &renumber).await?.into_iter();
    Ok(plan
        .items
        .iter()
        .map(|item| match item.status {
            rolecall_grants::Status::InPlace { .. } => {
                removed.next().unwrap_or(Outcome::AlreadyGone)
            }
            _ => Outcome::AlreadyGone,
        })
        .collect())
}

/// An event about the `n`th of the removed grants, numbered as in the plan.
fn in_plan(event: ItemEvent, in_place: &[usize]) -> ItemEvent {
    let at = |index: usize| in_place.get(index).copied().unwrap_or(index);
    match event {
        ItemEvent::Started { index } => ItemEvent::Started { index: at(index) },
        ItemEvent::Finished { index, outcome } => ItemEvent::Finished {
            index: at(index),
            outcome,
        },
        ItemEvent::WaitingForReplication { index, attempt } => ItemEvent::WaitingForReplication {
            index: at(index),
            attempt,
        },
        ItemEvent::WaitingForPim { index, attempt } => ItemEvent::WaitingForPim {
            index: at(index),
            attempt,
        },
    }
}

#[cfg(test)]
mod tests {
    use rolecall_grants::ItemEvent;

    #[test]
    fn progress_of_a_removal_is_numbered_as_in_the_plan() {
        let in_place = [1, 4];
        let started = super::in_plan(ItemEvent::Started { index: 1 }, &in_place);
        assert!(matches!(started, ItemEvent::Started { index: 4 }));
        let waiting = super::in_plan(
            ItemEvent::WaitingForReplication {
                index: 0,
                attempt: 2,
            },
            &in_place,
        );
        assert!(matches!(
            waiting,
            ItemEvent::WaitingForReplication {
                index: 1,
                attempt: 2
            }
        ));
    }
}
