//! `role`: custom roles checked against the catalogue, created, updated, deleted.

use crate::args::*;
use crate::context::*;

pub(crate) async fn role(ctx: &Ctx<'_>, args: &RoleArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let RoleArgs { action } = args;
    match action {
        RoleAction::Check { who, file }
        | RoleAction::Create { who, file, .. }
        | RoleAction::Update { who, file, .. } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", file.display()))?;
            let draft = rolecall_rbac::draft::Draft::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let subscription = rolecall_app::roles::draft_subscription(&draft)?;
            let (_, azure) = connect(cli, cloud, who).await?;
            let catalogue = ctx.catalogue.get(&azure).await?;
            let editing = match action {
                RoleAction::Update { role, .. } => Some(
                    rolecall_app::roles::editable(&azure, &subscription, role)
                        .await?
                        .name,
                ),
                _ => None,
            };
            let issues = rolecall_app::roles::check_draft(
                &azure,
                catalogue.clone(),
                &draft,
                editing.as_deref(),
            )
            .await?
            .issues;
            let errors = issues
                .iter()
                .filter(|i| i.severity == rolecall_rbac::draft::Severity::Error)
                .count();
            if matches!(action, RoleAction::Check { .. }) || errors > 0 {
                ctx.printer().show(&issues, |issues| {
                    if issues.is_empty() {
                        println!("no issue: ARM would accept this role as it is");
                    } else {
                        for i in issues {
                            println!("{:?}  {}  {}", i.severity, i.field, i.message);
                        }
                    };
                    Ok(())
                })?;
                if errors > 0 {
                    anyhow::bail!("{errors} issue(s) must be fixed before the role can be written");
                }
            } else {
                use rolecall_app::roles::{Saving, save_draft};
                let saving = match &editing {
                    Some(guid) => Saving::Edit(guid),
                    None => Saving::New,
                };
                let journal = match action {
                    RoleAction::Create { journal, .. } | RoleAction::Update { journal, .. } => {
                        journal.as_ref()
                    }
                    _ => None,
                };
                let journal = self::journal(journal)?;
                let role = save_draft(
                    &azure,
                    catalogue,
                    &journal,
                    &draft,
                    saving,
                    &Default::default(),
                )
                .await?;
                let verb = if editing.is_some() {
                    "updated"
                } else {
                    "created"
                };
                ctx.printer().show(&role, |role| {
                    println!(
                        "{verb} {} ({}); ARM reads it back consistently",
                        role.role_name(),
                        role.id
                    );
                    Ok(())
                })?;
            }
        }
        RoleAction::Delete {
            who,
            scope,
            role,
            journal,
        } => {
            let scope = rolecall_rbac::Scope::parse(scope)?;
            let journal = self::journal(journal.as_ref())?;
            let (_, azure) = connect(cli, cloud, who).await?;
            // Deleted where it lives (its first assignable scope),
            // refused for a built-in role or one still assigned.
            let found =
                rolecall_app::roles::delete_custom_role(&azure, &journal, &scope, role).await?;
            println!("deleted {}", found.role_name());
        }
    }
    Ok(())
}
