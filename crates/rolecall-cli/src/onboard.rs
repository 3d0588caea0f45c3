//! `template`, `onboard`, `plan`, `offboard` and `resume`: guided onboarding.

use std::path::PathBuf;

use crate::Stopped;
use crate::args::*;
use crate::assign::*;
use crate::context::*;

/// The templates: built in, then the admin's own from `--templates DIR`, or
/// else from the app's templates folder (what the app imported is here too).
pub(crate) fn library(dir: Option<&PathBuf>) -> rolecall_app::templates::Library {
    let dir = dir
        .cloned()
        .or_else(|| rolecall_app::Folders::for_user().map(|f| f.templates()));
    rolecall_app::templates::Library::new(dir)
}
pub(crate) fn templates(
    dir: Option<&PathBuf>,
) -> anyhow::Result<Vec<rolecall_onboarding::Template>> {
    Ok(library(dir).list()?.into_iter().map(|(t, _)| t).collect())
}
pub(crate) fn find_template(
    dir: Option<&PathBuf>,
    id: &str,
) -> anyhow::Result<rolecall_onboarding::Template> {
    Ok(library(dir).find(id)?)
}
/// The proposal (preflight + plan) of onboarding, or offboarding, the
/// people of `spec` with its template.
pub(crate) async fn onboarding(
    use_cases: rolecall_app::Context<'_>,
    spec: &Onboarding,
    terms: Option<&TermsArgs>,
    direction: Direction,
) -> anyhow::Result<rolecall_onboarding::Proposal> {
    let id = spec
        .template
        .as_deref()
        .ok_or_else(|| {
            anyhow::anyhow!(
                "give --template ID (`rolecall-cli template list`); to offboard without one, use --everything --scope S or --from-report FILE"
            )
        })?;
    let template = find_template(spec.templates.as_ref(), id)?;
    let mut inputs = std::collections::HashMap::new();
    for pair in &spec.inputs {
        let (id, scope) = pair
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--input {pair}: write it as id=ARM id"))?;
        inputs.insert(id.to_owned(), scope.to_owned());
    }
    if let Some(missing) = template.inputs.iter().find(|i| !inputs.contains_key(&i.id)) {
        anyhow::bail!(
            "the template needs --input {}=… ({})",
            missing.id,
            missing.label
        );
    }
    let mut people = spec.members.clone();
    let mut per_person = std::collections::HashMap::new();
    if let Some(path) = &spec.people_csv {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", path.display()))?;
        let read = rolecall_onboarding::read_people_csv(&text);
        for left in &read.left_out {
            eprintln!(
                "{}, line {}: left out, {}",
                path.display(),
                left.line,
                left.reason
            );
        }
        for p in read.people {
            per_person.insert(p.text.clone(), p.terms);
            people.push(p.text);
        }
    }
    if people.is_empty() {
        anyhow::bail!("give --member (repeatable) or --people-csv FILE");
    }
    let mut ask = rolecall_app::onboarding::Ask::new(template, spec.tasks.clone(), inputs, people);
    if let Some(terms) = terms {
        ask.terms = terms.terms()?;
    }
    ask.per_person = per_person;
    Ok(match direction {
        Direction::Onboard => rolecall_app::onboarding::prepare_onboarding(use_cases, &ask).await?,
        Direction::Offboard => {
            rolecall_app::onboarding::prepare_offboarding(use_cases, &ask).await?
        }
    })
}
/// Whether a template's grants are given or taken away.
#[derive(Clone, Copy)]
pub(crate) enum Direction {
    Onboard,
    Offboard,
}
pub(crate) fn print_plan(printer: crate::print::Printer, plan: &rolecall_grants::Plan) {
    use rolecall_grants::Status;
    if printer.is_json() {
        return;
    }
    for item in &plan.items {
        let state = match &item.status {
            Status::ToCreate => "to create".to_owned(),
            Status::InPlace {
                made_elsewhere: true,
                ..
            } => "in place (made outside Rolecall)".to_owned(),
            Status::InPlace {
                ends: Some(end), ..
            } => format!("in place, ends {end}"),
            Status::InPlace { .. } => "in place".to_owned(),
            Status::Inherited { from_scope } => format!("inherited from {from_scope}"),
            Status::Covered {
                by_role,
                from_scope,
            } => format!("covered by {by_role} at {from_scope}"),
            Status::Blocked { reason } => format!("blocked: {reason}"),
            Status::Kept { reason } => format!("kept: {reason}"),
        };
        println!("{}  [{state}]", item.grant.describe());
    }
    for p in &plan.policies {
        println!(
            "PIM settings of {} at {}: {}",
            p.role_name,
            p.scope,
            p.describe()
        );
    }
}
/// Prints the proposal; unless `dry_run`, carries it out (refused while a
/// blocker stands), prints and saves the report.
pub(crate) async fn carry_out(
    ctx: &Ctx<'_>,
    azure: &rolecall_azure::Azure,
    proposal: &rolecall_onboarding::Proposal,
    spec: &Onboarding,
    dry_run: bool,
) -> anyhow::Result<()> {
    let printer = ctx.printer();
    if printer.is_json() && dry_run {
        println!("{}", serde_json::to_string(proposal)?);
    } else if !printer.is_json() {
        println!("{}", proposal.title);
        for c in &proposal.checks {
            let level = match c.level {
                rolecall_onboarding::Level::Blocker => "blocker",
                rolecall_onboarding::Level::Warning => "warning",
            };
            eprintln!("{level}: {}: {}", c.title, c.detail);
        }
        for why in &proposal.left_out {
            eprintln!("left out: {why}");
        }
        for r in &proposal.custom_roles {
            println!("custom role {}  [{:?}]", r.role.draft.role_name, r.state);
        }
        print_plan(crate::print::Printer::Text, &proposal.plan);
    }
    if proposal.is_blocked() {
        return Err(Stopped {
            status: 2,
            message: format!(
                "{} blocker(s) stand; nothing was written. Resolve them and run again.",
                proposal.blockers().count()
            ),
        }
        .into());
    }
    if dry_run {
        return Ok(());
    }
    if proposal.writes() == 0 && !printer.is_json() {
        println!("nothing to do: everything is already as asked");
    }
    let journal = journal(spec.journal.as_ref())?;
    let use_cases = ctx.use_cases(azure, Some(&journal));
    // Planned a moment ago, in this same command: applied as reviewed.
    let start = rolecall_app::onboarding::Start::reviewed(proposal);
    let run = rolecall_app::onboarding::run_of(proposal)?;
    let report =
        rolecall_app::onboarding::carry_out(use_cases, &run, start, &progress(printer)).await?;
    if let Some(path) = &spec.report {
        save_run_report(path, &report)?;
    }
    print_report(printer, &report)
}
pub(crate) fn progress(
    printer: crate::print::Printer,
) -> impl Fn(rolecall_grants::runs::RunEvent) + Send + Sync {
    move |event| {
        use rolecall_grants::ItemEvent;
        use rolecall_grants::runs::RunEvent;
        if printer.is_json() {
            return;
        }
        match event {
            RunEvent::Grant {
                event: ItemEvent::WaitingForReplication { index, attempt },
            } => eprintln!(
                "item {index}: waiting for the directory to replicate (attempt {attempt})"
            ),
            RunEvent::Grant {
                event: ItemEvent::WaitingForPim { index, attempt },
            } => eprintln!(
                "item {index}: PIM removes nothing within 5 minutes of making it; waiting (attempt {attempt})"
            ),
            _ => {}
        }
    }
}
pub(crate) fn print_report(
    printer: crate::print::Printer,
    report: &rolecall_grants::runs::RunReport,
) -> anyhow::Result<()> {
    printer.show(&report.to_json(&local_user()), |_| {
        for e in &report.custom_roles {
            let (name, outcome) = (&e.role.draft.role_name, outcome_text(&e.outcome));
            println!("custom role {name}  [{outcome}]");
        }
        for e in &report.grants {
            println!("{}  [{}]", e.grant.describe(), outcome_text(&e.outcome));
        }
        Ok(())
    })?;
    let bad = report.outcomes().filter(|o| !o.is_success()).count();
    if bad > 0 {
        return Err(Stopped {
            status: 3,
            message: format!(
                "{bad} of {} writes were not made; see the report. Run it again once resolved: what was made reads as in place.",
                report.outcomes().count()
            ),
        }
        .into());
    }
    Ok(())
}
/// Saves what a run did as Markdown, CSV or JSON, by the file's extension.
pub(crate) fn save_run_report(
    path: &std::path::Path,
    report: &rolecall_grants::runs::RunReport,
) -> anyhow::Result<()> {
    let format = rolecall_grants::report::Format::from_path(path);
    rolecall_core::files::write_atomic(path, report.render(&local_user(), format).as_bytes())
        .map_err(|e| anyhow::anyhow!("the report cannot be saved: {e}"))?;
    eprintln!("report saved to {}", path.display());
    Ok(())
}
pub(crate) async fn template(ctx: &Ctx<'_>, args: &TemplateArgs) -> anyhow::Result<()> {
    let TemplateArgs { action } = args;
    match action {
        TemplateAction::List { templates: dir } => {
            let all = templates(dir.as_ref())?;
            ctx.printer().show(&all, |all| {
                for t in all {
                    println!("{}  {} ({} tasks)", t.id, t.name, t.tasks.len());
                }
                Ok(())
            })?;
        }
        TemplateAction::Show { id, templates: dir } => {
            let t = find_template(dir.as_ref(), id)?;
            ctx.printer().show(&t, |t| {
                println!("{}\n{}\n", t.name, t.description);
                for i in &t.inputs {
                    println!("input {}: {}", i.id, i.label);
                }
                for task in &t.tasks {
                    println!("task {}: {}", task.id, task.title);
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

pub(crate) async fn onboard(ctx: &Ctx<'_>, args: &OnboardArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let OnboardArgs {
        spec,
        terms,
        dry_run,
    } = args;
    let (_, azure) = connect(cli, cloud, &spec.who).await?;
    let proposal = onboarding(
        ctx.use_cases(&azure, None),
        spec,
        Some(terms),
        Direction::Onboard,
    )
    .await?;
    carry_out(ctx, &azure, &proposal, spec, *dry_run).await?;
    Ok(())
}

pub(crate) async fn plan(ctx: &Ctx<'_>, args: &PlanArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let PlanArgs { spec, terms } = args;
    let (_, azure) = connect(cli, cloud, &spec.who).await?;
    let proposal = onboarding(
        ctx.use_cases(&azure, None),
        spec,
        Some(terms),
        Direction::Onboard,
    )
    .await?;
    carry_out(ctx, &azure, &proposal, spec, true).await?;
    Ok(())
}

pub(crate) async fn offboard(ctx: &Ctx<'_>, args: &OffboardArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let OffboardArgs { off } = args;
    let spec = &off.spec;
    let (_, azure) = connect(cli, cloud, &spec.who).await?;
    if let Some(path) = &off.from_report {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", path.display()))?;
        let run = rolecall_app::undo::of_report(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let proposal = rolecall_app::onboarding::prepare_undo(&azure, run).await?;
        carry_out(ctx, &azure, &proposal, spec, off.dry_run).await?;
        return Ok(());
    }
    let proposal = if off.everything {
        let [person] = spec.members.as_slice() else {
            anyhow::bail!("--everything takes one --member");
        };
        use rolecall_app::onboarding::AppRoles;
        let app_roles = if off.app_roles {
            AppRoles::Too
        } else {
            AppRoles::Kept
        };
        rolecall_app::onboarding::prepare_removal(&azure, person, &off.scopes, app_roles).await?
    } else {
        onboarding(ctx.use_cases(&azure, None), spec, None, Direction::Offboard).await?
    };
    carry_out(ctx, &azure, &proposal, spec, off.dry_run).await?;
    Ok(())
}

pub(crate) async fn resume(ctx: &Ctx<'_>, args: &ResumeArgs) -> anyhow::Result<()> {
    let (cli, cloud) = (ctx.cli, &ctx.cloud);
    let ResumeArgs {
        run,
        who,
        discard,
        journal: path,
    } = args;
    let journal = journal(path.as_ref())?;
    let pending = rolecall_app::onboarding::unfinished(&journal)?;
    let Some(id) = run else {
        ctx.printer().show(&pending, |pending| {
            if pending.is_empty() {
                println!("no interrupted runs");
            } else {
                for u in pending {
                    println!(
                        "{}  {}  began {}, {} of {} written",
                        u.run.id,
                        u.run.title,
                        u.began,
                        u.written,
                        u.run.grants.len() + u.run.custom_roles.len()
                    );
                }
            };
            Ok(())
        })?;
        return Ok(());
    };
    let found = pending
        .into_iter()
        .find(|u| &u.run.id == id)
        .ok_or_else(|| {
            anyhow::anyhow!("no unfinished run has the id {id}; `rolecall-cli resume` lists them")
        })?;
    if *discard {
        journal.discard(id);
        eprintln!("discarded {id}; what it wrote stays in Azure and in the journal");
        return Ok(());
    }
    let (_, azure) = connect(cli, cloud, who).await?;
    // Claimed first: the app (or another rolecall-cli) may be carrying it out now.
    let report = rolecall_app::onboarding::carry_out(
        ctx.use_cases(&azure, Some(&journal)),
        &found.run,
        rolecall_app::onboarding::Start::Resume,
        &progress(ctx.printer()),
    )
    .await?;
    print_report(ctx.printer(), &report)?;
    Ok(())
}
