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
) -> anyhow::Result<Vec<rolecall_grants::Grant>> {
    let mut members = Vec::new();
    for text in &spec.members {
        members.push(rolecall_grants::resolve::member(azure, text).await?);
    }
    let mut grants = Vec::new();
    for scope in &spec.scopes {
        let scope = rolecall_rbac::Scope::parse(scope)?;
        for role in &spec.roles {
            let role = rolecall_grants::resolve::role(azure, scope.as_str(), role).await?;
            for member in &members {
                grants.push(rolecall_grants::Grant::AzureRole(
                    rolecall_grants::AzureRoleGrant {
                        scope: scope.as_str().to_owned(),
                        role_id: role.name.clone(),
                        role_name: role.role_name().to_owned(),
                        member: member.clone(),
                        description: description.map(str::to_owned),
                    },
                ));
            }
        }
    }
    Ok(grants)
}
pub(crate) async fn app_grants(
    azure: &rolecall_azure::Azure,
    spec: &AppGrants,
) -> anyhow::Result<Vec<rolecall_grants::Grant>> {
    let (app, roles) = rolecall_grants::resolve::app_roles(azure, &spec.app, &spec.roles).await?;
    let mut grants = Vec::new();
    for text in &spec.members {
        let member = rolecall_grants::resolve::member(azure, text).await?;
        for role in &roles {
            // Users and groups take roles made for users, applications those
            // made for applications (as Graph requires).
            rolecall_app::roles::check_app_role(role, &member)?;
            grants.push(rolecall_grants::Grant::AppRole(
                rolecall_grants::AppRoleGrant {
                    resource_id: app.id.clone(),
                    resource_name: app.display_name.clone(),
                    app_id: app.app_id.clone(),
                    app_role_id: role.id.clone(),
                    app_role_value: role.value.clone().unwrap_or_default(),
                    member: member.clone(),
                },
            ));
        }
    }
    Ok(grants)
}
/// Plans, prints the plan, applies unless `dry_run`, prints each outcome;
/// fails when anything was blocked or failed.
pub(crate) async fn grant(
    printer: crate::print::Printer,
    azure: &rolecall_azure::Azure,
    grants: Vec<rolecall_grants::Grant>,
    journal: &rolecall_grants::Journal,
    dry_run: bool,
) -> anyhow::Result<()> {
    let plan = rolecall_grants::plan(azure, grants).await?;
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
    let outcomes = rolecall_grants::apply(
        azure,
        &plan,
        &rolecall_grants::ApplyOptions::default(),
        Some(journal),
        &print,
    )
    .await;
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
        description,
        dry_run,
    } = args;
    let (_, azure) = connect(cli, cloud, &grants.who).await?;
    let journal = journal(grants.journal.as_ref())?;
    let list = role_grants(&azure, grants, description.as_deref()).await?;
    grant(ctx.printer(), &azure, list, &journal, *dry_run).await?;
    Ok(())
}

pub(crate) async fn unassign(ctx: &Ctx<'_>, args: &UnassignArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let UnassignArgs { grants } = args;
    let (_, azure) = connect(cli, cloud, &grants.who).await?;
    let journal = journal(grants.journal.as_ref())?;
    let list = role_grants(&azure, grants, None).await?;
    let outcomes = rolecall_grants::remove(
        &azure,
        &list,
        rolecall_grants::Removes::Any,
        4,
        Some(&journal),
        &|_| {},
    )
    .await;
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
            grant(ctx.printer(), &azure, list, &journal, *dry_run).await?;
        }
        ApproleAction::Unassign { grants } => {
            let (_, azure) = connect(cli, cloud, &grants.who).await?;
            let journal = journal(grants.journal.as_ref())?;
            let list = app_grants(&azure, grants).await?;
            let outcomes = rolecall_grants::remove(
                &azure,
                &list,
                rolecall_grants::Removes::Any,
                4,
                Some(&journal),
                &|_| {},
            )
            .await;
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
