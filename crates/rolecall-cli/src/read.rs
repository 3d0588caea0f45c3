//! `subscriptions`, `roles`, `assignments` and `can`: reading the tenant.

use futures::TryStreamExt;
use rolecall_azure::arm::{AssignmentFilter, RoleFilter};
use serde_json::json;

use crate::args::*;
use crate::context::*;

pub(crate) async fn subscriptions(ctx: &Ctx<'_>, args: &SubscriptionsArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let SubscriptionsArgs { who } = args;
    let (_, azure) = connect(cli, cloud, who).await?;
    let all: Vec<_> = azure.arm.subscriptions().try_collect().await?;
    ctx.printer().show(&all, |all| {
        if all.is_empty() {
            println!("this account sees no subscription in this tenant");
        } else {
            for s in all {
                println!("{}  {}  {}", s.subscription_id, s.state, s.display_name);
            }
        };
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn roles(ctx: &Ctx<'_>, args: &RolesArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let RolesArgs {
        who,
        scope,
        custom,
        name,
        need,
    } = args;
    let scope = rolecall_rbac::Scope::parse(scope)?;
    let (_, azure) = connect(cli, cloud, who).await?;
    if !need.is_empty() {
        let catalogue = ctx.catalogue.get(&azure).await?;
        let ranked = rolecall_app::least::rank_roles_at(&azure, &catalogue, &scope, need).await?;
        let views: Vec<rolecall_app::views::RankedRoleView> =
            ranked.iter().map(Into::into).collect();
        return ctx.printer().show(&views, |views| {
            if views.is_empty() {
                println!("no role assignable here allows all of it; a custom role can (rolecall-cli role create)");
            }
            for v in views {
                let beyond = if v.beyond.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", v.beyond.iter().take(3).cloned().collect::<Vec<_>>().join(", "))
                };
                println!(
                    "{}  {}{}  grants {} operations, {} beyond the need{beyond}",
                    v.role.id,
                    v.role.name,
                    if v.role.privileged { " [privileged]" } else { "" },
                    v.granted,
                    v.extra
                );
            }
            Ok(())
        });
    }
    let filter = if *custom {
        RoleFilter::CustomOnly
    } else {
        RoleFilter::All
    };
    let needle = name.as_deref().map(str::to_lowercase);
    let mut roles: Vec<_> = azure
        .arm
        .role_definitions(scope.as_str(), &filter)
        .try_filter(|r| {
            let keep = needle
                .as_deref()
                .is_none_or(|n| r.role_name().to_lowercase().contains(n));
            std::future::ready(keep)
        })
        .try_collect()
        .await?;
    roles.sort_by(|a, b| a.role_name().cmp(b.role_name()));
    ctx.printer().show(&roles, |roles| {
        for r in roles {
            println!("{}  {}  {}", r.name, r.properties.role_type, r.role_name());
        }
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn assignments(ctx: &Ctx<'_>, args: &AssignmentsArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let AssignmentsArgs { who, scope, member } = args;
    let scope = rolecall_rbac::Scope::parse(scope)?;
    let (_, azure) = connect(cli, cloud, who).await?;
    let rows: Vec<serde_json::Value> = match member {
        // What applies here, named, with PIM's eligibilities and activations
        // and when each ends.
        None => rolecall_grants::listing::assignments_at(&azure, scope.as_str())
            .await?
            .into_iter()
            .map(|l| {
                let p = &l.assignment.properties;
                json!({
                    "name": l.assignment.name,
                    "role": l.role_name,
                    "roleDefinitionId": p.role_definition_id,
                    "principalId": p.principal_id,
                    "principalType": p.principal_type,
                    "member": l.member.as_ref().map(|m| m.display_name.clone()),
                    "scope": p.scope,
                    "inherited": l.inherited,
                    "holding": l.holding,
                    "ends": l.ends,
                })
            })
            .collect(),
        Some(id) => {
            let (assignments, roles) = tokio::try_join!(
                azure
                    .arm
                    .role_assignments(scope.as_str(), &AssignmentFilter::AssignedTo(id.clone()))
                    .try_collect::<Vec<_>>(),
                azure
                    .arm
                    .role_definitions(scope.as_str(), &RoleFilter::All)
                    .try_collect::<Vec<_>>(),
            )?;
            let roles = rolecall_rbac::effective::RoleSet::new(roles);
            assignments
                .iter()
                .map(|a| {
                    let p = &a.properties;
                    let inherited = !p.scope.eq_ignore_ascii_case(scope.as_str());
                    json!({
                        "name": a.name,
                        "role": roles.get(&p.role_definition_id).map(|r| r.role_name()),
                        "roleDefinitionId": p.role_definition_id,
                        "principalId": p.principal_id,
                        "principalType": p.principal_type,
                        "scope": p.scope,
                        "inherited": inherited,
                    })
                })
                .collect()
        }
    };
    ctx.printer().show(&rows, |rows| {
        if rows.is_empty() {
            println!("no role assignment applies at {}", scope.as_str());
        } else {
            for row in rows {
                let held = match (row["holding"].as_str(), row["ends"].as_str()) {
                    (Some("eligible"), Some(end)) => format!("  (eligible until {end})"),
                    (Some("eligible"), None) => "  (eligible)".to_owned(),
                    (Some("activated"), Some(end)) => format!("  (activated until {end})"),
                    (_, Some(end)) => format!("  (until {end})"),
                    _ => String::new(),
                };
                println!(
                    "{}  {} {}  at {}{}{held}",
                    row["role"].as_str().unwrap_or("(unknown role)"),
                    row["principalType"].as_str().unwrap_or_default(),
                    row["principalId"].as_str().unwrap_or_default(),
                    row["scope"].as_str().unwrap_or_default(),
                    if row["inherited"] == true {
                        "  (inherited)"
                    } else {
                        ""
                    }
                );
            }
        };
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn can(ctx: &Ctx<'_>, args: &CanArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let CanArgs {
        who,
        action,
        scope,
        data,
    } = args;
    let scope = rolecall_rbac::Scope::parse(scope)?;
    let (info, azure) = connect(cli, cloud, who).await?;
    let permissions: Vec<_> = azure.arm.permissions(scope.as_str()).try_collect().await?;
    let kind = if *data {
        rolecall_rbac::ActionKind::DataAction
    } else {
        rolecall_rbac::ActionKind::Action
    };
    let allowed = rolecall_rbac::permissions::allows(&permissions, action, kind);
    ctx.printer().show(&json!({"account": info.username, "action": action, "scope": scope.as_str(), "allowed": allowed}), |_| {
        if allowed {
            println!("yes: {} may {action} at {}", info.username, scope.as_str());
        } else {
            println!(
                "no: {} may not {action} at {}",
                info.username,
                scope.as_str()
            );
        };
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn elevate_access(
    ctx: &Ctx<'_>,
    args: &crate::args::ElevateAccessArgs,
) -> anyhow::Result<()> {
    let (info, azure) = connect(ctx.cli, &ctx.cloud, &args.who).await?;
    azure.arm.elevate_access().await.map_err(|e| {
        if e.kind() == Some(rolecall_azure::Kind::Forbidden) {
            anyhow::anyhow!(
                "{e}\nOnly a Global Administrator may elevate access; ask one to do it, or to grant you a role at the management group you need."
            )
        } else {
            e.into()
        }
    })?;
    ctx.printer().show(
        &json!({"account": info.username, "role": "User Access Administrator", "scope": "/"}),
        |_| {
            println!(
                "{} holds User Access Administrator at the root scope '/': every management group and subscription. Remove it when done:\n  rolecall-cli unassign --scope / --role \"User Access Administrator\" --member {}",
                info.username, info.username
            );
            Ok(())
        },
    )?;
    Ok(())
}

pub(crate) async fn activate(
    ctx: &Ctx<'_>,
    args: &crate::args::ActivateArgs,
) -> anyhow::Result<()> {
    let (info, azure) = connect(ctx.cli, &ctx.cloud, &args.who).await?;
    let made = rolecall_app::pim::activate(
        &azure,
        &rolecall_app::pim::Activate {
            scope: args.scope.clone(),
            role: args.role.clone(),
            duration: args.duration.clone(),
            justification: args.justification.clone(),
            ticket: args.ticket.clone(),
        },
    )
    .await?;
    ctx.printer().show(&made, |m| {
        if m.status == "PendingApproval" {
            println!(
                "{} asked to activate {} at {} for {}: it waits for an approver, and starts once approved (withdraw it: rolecall-cli deactivate --waiting --scope {} --role {:?}; Azure request id {})",
                info.username,
                m.role_name,
                m.scope,
                rolecall_rbac::duration::words(&m.duration),
                m.scope,
                m.role_name,
                m.request_id.as_deref().unwrap_or("none")
            );
            return Ok(());
        }
        println!(
            "{} activated {} at {} for {} ({}; Azure request id {})",
            info.username,
            m.role_name,
            m.scope,
            rolecall_rbac::duration::words(&m.duration),
            m.status,
            m.request_id.as_deref().unwrap_or("none")
        );
        Ok(())
    })?;
    Ok(())
}

pub(crate) async fn deactivate(
    ctx: &Ctx<'_>,
    args: &crate::args::DeactivateArgs,
) -> anyhow::Result<()> {
    let (info, azure) = connect(ctx.cli, &ctx.cloud, &args.who).await?;
    if args.waiting {
        let request = rolecall_app::pim::cancel_activation(&azure, &args.scope, &args.role).await?;
        return ctx.printer().show(
            &json!({"account": info.username, "scope": args.scope, "role": args.role, "withdrawn": request}),
            |_| {
                println!(
                    "{}'s activation of {} at {} no longer waits for approval (request {request} withdrawn)",
                    info.username, args.role, args.scope
                );
                Ok(())
            },
        );
    }
    let request_id = rolecall_app::pim::deactivate(&azure, &args.scope, &args.role).await?;
    ctx.printer().show(
        &json!({"account": info.username, "scope": args.scope, "role": args.role, "requestId": request_id}),
        |_| {
            println!(
                "{}'s activation of {} at {} has ended (Azure request id {})",
                info.username,
                args.role,
                args.scope,
                request_id.as_deref().unwrap_or("none")
            );
            Ok(())
        },
    )?;
    Ok(())
}

pub(crate) async fn approvals(
    ctx: &Ctx<'_>,
    args: &crate::args::ApprovalsArgs,
) -> anyhow::Result<()> {
    let (_, azure) = connect(ctx.cli, &ctx.cloud, &args.who).await?;
    let waiting = rolecall_app::pim::awaiting_my_approval(&azure).await?;
    ctx.printer().show(&waiting, |waiting| {
        if waiting.is_empty() {
            println!("no activation waits for your approval");
        }
        for a in waiting {
            println!(
                "{}  {} asks for {} at {} for {}: {:?}\n  approve: rolecall-cli approve {} --justification TEXT  (or --deny)",
                a.asked_at,
                a.requested_by,
                a.role_name,
                a.scope,
                rolecall_rbac::duration::words(&a.duration),
                a.justification,
                a.approval_id,
            );
        }
        Ok(())
    })
}

pub(crate) async fn approve(ctx: &Ctx<'_>, args: &crate::args::ApproveArgs) -> anyhow::Result<()> {
    let (info, azure) = connect(ctx.cli, &ctx.cloud, &args.who).await?;
    rolecall_app::pim::decide(&azure, &args.approval, !args.deny, &args.justification).await?;
    let verdict = if args.deny { "denied" } else { "approved" };
    ctx.printer().show(
        &json!({"account": info.username, "approval": args.approval, "decision": verdict}),
        |_| {
            println!("{} {verdict} {}", info.username, args.approval);
            Ok(())
        },
    )
}

/// "30d", "2w", "12h" or ISO 8601.
fn within(text: &str) -> anyhow::Result<time::Duration> {
    let t = text.trim();
    let iso = match t.char_indices().last() {
        Some((i, 'd' | 'D')) if t[..i].parse::<u32>().is_ok() => format!("P{}D", &t[..i]),
        Some((i, 'w' | 'W')) if t[..i].parse::<u32>().is_ok() => format!("P{}W", &t[..i]),
        Some((i, 'h' | 'H')) if t[..i].parse::<u32>().is_ok() => format!("PT{}H", &t[..i]),
        _ => t.to_owned(),
    };
    rolecall_rbac::duration::parse(&iso).ok_or_else(|| {
        anyhow::anyhow!("--within {text}: give a number of days (30d), weeks (2w) or hours (12h), or ISO 8601 (P30D)")
    })
}

pub(crate) async fn expiring(
    ctx: &Ctx<'_>,
    args: &crate::args::ExpiringArgs,
) -> anyhow::Result<()> {
    let within = within(&args.within)?;
    let (_, azure) = connect(ctx.cli, &ctx.cloud, &args.who).await?;
    // What ended is known from Rolecall's own journal; without one (a first
    // run), only what Azure lists.
    let journal = crate::context::journal(args.journal.as_ref()).ok();
    let ending = rolecall_app::pim::expiring(&azure, journal.as_ref(), within).await?;
    ctx.printer().show(&ending, |ending| {
        if ending.is_empty() {
            println!("nothing eligible or time-bound ends or ended within {}", args.within);
        }
        for e in ending {
            let kind = if e.grant.schedule.as_ref().is_some_and(|s| s.eligible) {
                "eligible"
            } else {
                "active"
            };
            println!(
                "{}{}  {} for {} at {}  ({kind}; {}: rolecall-cli extend --scope {} --role {:?} --member {}{} --duration P90D)",
                if e.ended { "ended " } else { "" },
                e.ends,
                e.grant.role_name,
                e.grant.member.label(),
                e.grant.scope,
                if e.ended { "renew" } else { "extend" },
                e.grant.scope,
                e.grant.role_name,
                e.grant.member.id,
                if kind == "eligible" { " --eligible" } else { "" },
            );
        }
        Ok(())
    })?;
    Ok(())
}
