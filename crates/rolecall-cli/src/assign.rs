//! `assign`, `unassign` and `approle`: grants of Azure roles and app roles.

use futures::TryStreamExt;
use serde_json::json;

use crate::args::*;
use crate::context::*;
use crate::onboard::*;

pub(crate) async fn role_grants(
    azure: &rolecall_azure::Azure,
    spec: &RoleGrants,
    description: Option<&str>,
    schedule: Option<rolecall_grants::Schedule>,
) -> anyhow::Result<Vec<rolecall_grants::Grant>> {
    let spec = rolecall_app::grants::RoleGrants {
        scopes: &spec.scopes,
        roles: &spec.roles,
        members: &spec.members,
        description,
        schedule,
    };
    Ok(rolecall_app::grants::role_grants(azure, &spec).await?)
}
pub(crate) async fn app_grants(
    azure: &rolecall_azure::Azure,
    spec: &AppGrants,
) -> anyhow::Result<Vec<rolecall_grants::Grant>> {
    Ok(rolecall_app::grants::app_grants(azure, &spec.app, &spec.roles, &spec.members).await?)
}
/// Plans, prints the plan, applies unless `dry_run`, prints each outcome;
/// fails when anything was blocked or failed.
pub(crate) async fn grant(
    printer: crate::print::Printer,
    use_cases: rolecall_app::Context<'_>,
    grants: Vec<rolecall_grants::Grant>,
    dry_run: bool,
) -> anyhow::Result<()> {
    let plan = rolecall_app::grants::plan(use_cases.azure, grants).await?;
    if dry_run {
        return printer.show(&plan, |plan| {
            print_plan(crate::print::Printer::Text, plan);
            Ok(())
        });
    }
    let print = |event: rolecall_grants::ItemEvent| {
        if let rolecall_grants::ItemEvent::WaitingForReplication { index, attempt } = event
            && !printer.is_json()
        {
            eprintln!(
                "waiting for the directory to replicate {} (attempt {attempt})",
                plan.items[index].grant.member().label()
            );
        }
    };
    let outcomes = rolecall_app::grants::apply(use_cases, &plan, &print).await?;
    report(
        printer,
        &plan.items.iter().map(|i| &i.grant).collect::<Vec<_>>(),
        &outcomes,
    )
}
/// The report's words for an outcome, with the request id of a write.
pub(crate) fn outcome_text(o: &rolecall_grants::Outcome) -> String {
    match o {
        rolecall_grants::Outcome::Created {
            request_id: Some(id),
            ..
        } => format!("created, request id {id}"),
        other => rolecall_grants::report::outcome_text(other),
    }
}
pub(crate) fn report(
    printer: crate::print::Printer,
    grants: &[&rolecall_grants::Grant],
    outcomes: &[rolecall_grants::Outcome],
) -> anyhow::Result<()> {
    let rows: Vec<_> = grants
        .iter()
        .zip(outcomes)
        .map(|(g, o)| json!({"grant": g, "result": o}))
        .collect();
    printer.show(&rows, |_| {
        for (g, o) in grants.iter().zip(outcomes) {
            let state = outcome_text(o);
            println!("{}  [{state}]", g.describe());
        }
        Ok(())
    })?;
    let bad = outcomes.iter().filter(|o| !o.is_success()).count();
    if bad > 0 {
        anyhow::bail!(
            "{bad} of {} grants were not made; see above",
            outcomes.len()
        );
    }
    Ok(())
}
pub(crate) async fn assign(ctx: &Ctx<'_>, args: &AssignArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let AssignArgs {
        grants,
        pim,
        description,
        dry_run,
    } = args;
    // Flags are checked before anyone is asked anything.
    let schedule = pim.schedule()?;
    let (_, azure) = connect(cli, cloud, &grants.who).await?;
    let journal = journal(grants.journal.as_ref())?;
    let list = role_grants(&azure, grants, description.as_deref(), schedule).await?;
    let use_cases = ctx.use_cases(&azure, Some(&journal));
    grant(ctx.printer(), use_cases, list, *dry_run).await?;
    Ok(())
}

pub(crate) async fn unassign(ctx: &Ctx<'_>, args: &UnassignArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let UnassignArgs {
        grants,
        eligible,
        active,
    } = args;
    // What kind of access goes: only the kind matters for a removal.
    let schedule = (*eligible || *active).then_some(rolecall_grants::Schedule {
        eligible: *eligible,
        duration: None,
        until: None,
        justification: None,
        ticket: None,
    });
    let (_, azure) = connect(cli, cloud, &grants.who).await?;
    let journal = journal(grants.journal.as_ref())?;
    let list = role_grants(&azure, grants, None, schedule).await?;
    let use_cases = ctx.use_cases(&azure, Some(&journal));
    let outcomes = rolecall_app::grants::remove(use_cases, &list, &|_| {}).await?;
    report(ctx.printer(), &list.iter().collect::<Vec<_>>(), &outcomes)?;
    Ok(())
}

pub(crate) async fn approle(ctx: &Ctx<'_>, args: &ApproleArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let ApproleArgs { action } = args;
    match action {
        ApproleAction::Assign { grants, dry_run } => {
            let (_, azure) = connect(cli, cloud, &grants.who).await?;
            let journal = journal(grants.journal.as_ref())?;
            let list = app_grants(&azure, grants).await?;
            let use_cases = ctx.use_cases(&azure, Some(&journal));
            grant(ctx.printer(), use_cases, list, *dry_run).await?;
        }
        ApproleAction::Unassign { grants } => {
            let (_, azure) = connect(cli, cloud, &grants.who).await?;
            let journal = journal(grants.journal.as_ref())?;
            let list = app_grants(&azure, grants).await?;
            let use_cases = ctx.use_cases(&azure, Some(&journal));
            let outcomes = rolecall_app::grants::remove(use_cases, &list, &|_| {}).await?;
            report(ctx.printer(), &list.iter().collect::<Vec<_>>(), &outcomes)?;
        }
        ApproleAction::List { who, app } => {
            let (_, azure) = connect(cli, cloud, who).await?;
            let (app, _) = rolecall_grants::resolve::app_roles(&azure, app, &[]).await?;
            let holders: Vec<_> = azure
                .graph
                .app_role_assigned_to(&app.id)
                .try_collect()
                .await?;
            ctx.printer().show(&holders, |holders| {
                for h in holders {
                    let role = app
                        .app_roles
                        .iter()
                        .find(|r| r.id.eq_ignore_ascii_case(&h.app_role_id))
                        .and_then(|r| r.value.clone())
                        .unwrap_or_else(|| h.app_role_id.clone());
                    println!(
                        "{role}  {} {}  {}",
                        h.principal_type.as_deref().unwrap_or_default(),
                        h.principal_id,
                        h.principal_display_name.as_deref().unwrap_or_default()
                    );
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

pub(crate) async fn extend(ctx: &Ctx<'_>, args: &ExtendArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let ExtendArgs {
        grants,
        eligible,
        duration,
        justification,
        dry_run,
    } = args;
    let (_, azure) = connect(cli, cloud, &grants.who).await?;
    let journal = journal(grants.journal.as_ref())?;
    // The kind of access to extend; the plan gives it its new length.
    let kind = rolecall_grants::Schedule {
        eligible: *eligible,
        ..Default::default()
    };
    let list: Vec<rolecall_grants::AzureRoleGrant> = role_grants(&azure, grants, None, Some(kind))
        .await?
        .into_iter()
        .filter_map(|g| match g {
            rolecall_grants::Grant::AzureRole(r) => Some(r),
            rolecall_grants::Grant::AppRole(_) => None,
        })
        .collect();
    let plan =
        rolecall_app::pim::plan_extension(&azure, list, duration, justification.as_deref()).await?;
    let printer = ctx.printer();
    if *dry_run {
        return printer.show(&plan, |plan| {
            print_plan(crate::print::Printer::Text, plan);
            Ok(())
        });
    }
    if !printer.is_json() {
        print_plan(crate::print::Printer::Text, &plan);
    }
    let use_cases = ctx.use_cases(&azure, Some(&journal));
    let outcomes = rolecall_app::pim::extend(use_cases, &plan, &|_| {}).await?;
    report(
        printer,
        &plan.items.iter().map(|i| &i.grant).collect::<Vec<_>>(),
        &outcomes,
    )
}
