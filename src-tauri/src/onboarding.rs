//! IPC commands for guided onboarding and offboarding: templates (built-in
//! and the admin's own folder), proposals (preflight + plan), runs with
//! per-item progress, interrupted runs to resume, and reports to export. The
//! logic lives in `rolecall-onboarding` and `rolecall-grants`; this only
//! translates.

use tauri::State;
use tauri::ipc::Channel;

use crate::dto::*;
use crate::state::AppState;

/// The templates: built in, then the admin's own (`templates` in the app's
/// data folder), as `rolecall-cli` sees them too.
fn library(state: &AppState) -> rolecall_app::templates::Library {
    rolecall_app::templates::Library::new(Some(state.templates_dir()))
}

fn all_templates(
    state: &AppState,
) -> Result<Vec<(rolecall_onboarding::Template, bool)>, CommandError> {
    Ok(library(state)
        .list()?
        .into_iter()
        .map(|(t, origin)| (t, origin == rolecall_app::templates::Origin::BuiltIn))
        .collect())
}

/// Every onboarding template: built in, then the admin's own.
#[tauri::command]
#[specta::specta]
pub async fn list_templates(state: State<'_, AppState>) -> Result<Vec<TemplateView>, CommandError> {
    Ok(all_templates(&state)?
        .iter()
        .map(|(t, builtin)| TemplateView::new(t, *builtin))
        .collect())
}

/// Adds a template file's text to the admin's templates after validating it
/// (same id as a built-in one is refused; same id as one of theirs replaces it).
#[tauri::command]
#[specta::specta]
pub async fn import_template(
    state: State<'_, AppState>,
    file_name: String,
    text: String,
) -> Result<TemplateView, CommandError> {
    let template = library(&state).import(&file_name, &text)?;
    Ok(TemplateView::new(&template, false))
}

/// Saves a template (to share or edit) where the admin chooses (the Save
/// dialog, opened on Downloads): the file's path, or `null` when cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_template(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<Option<String>, CommandError> {
    let template = library(&state).find(&id)?;
    let text = serde_json::to_string_pretty(&template).unwrap_or_default();
    crate::save::save_as(&app, &format!("{id}.rolecall-template.json"), &text).await
}

/// The people in a CSV file's text, each with its line, and the rows left
/// out with why (see `rolecall_onboarding::read_people_csv`).
#[tauri::command]
#[specta::specta]
pub async fn people_from_csv(text: String) -> Result<CsvPeopleView, CommandError> {
    Ok(rolecall_onboarding::read_people_csv(&text).into())
}

/// Preflight and plan of an onboarding or offboarding; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn prepare_onboarding(
    state: State<'_, AppState>,
    request: OnboardingRequest,
) -> Result<ProposalView, CommandError> {
    use rolecall_app::onboarding as use_case;
    let mut ask = use_case::Ask::new(
        library(&state).find(&request.template_id)?,
        request.tasks,
        request
            .inputs
            .into_iter()
            .map(|i| (i.id, i.scope))
            .collect(),
        request.people,
    );
    if let Some(terms) = &request.terms {
        ask.terms = terms.try_into()?;
    }
    for person in request.person_terms.iter().flatten() {
        ask.per_person
            .insert(person.person.clone(), (&person.terms).try_into()?);
    }
    let connected = state.connected()?;
    let proposal = if request.offboard {
        use_case::prepare_offboarding(connected.ctx(), &ask).await?
    } else {
        use_case::prepare_onboarding(connected.ctx(), &ask).await?
    };
    let id = state.keep_proposal(proposal.clone());
    Ok(ProposalView::new(id, &proposal))
}

/// "Remove all access of this person" at the chosen scopes (and every app
/// role they hold, when `app_roles`); writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn prepare_removal(
    state: State<'_, AppState>,
    person: String,
    scopes: Vec<String>,
    app_roles: bool,
) -> Result<ProposalView, CommandError> {
    use rolecall_app::onboarding::AppRoles;
    let app_roles = if app_roles {
        AppRoles::Too
    } else {
        AppRoles::Kept
    };
    let proposal =
        rolecall_app::onboarding::prepare_removal(&state.azure()?, &person, &scopes, app_roles)
            .await?;
    let id = state.keep_proposal(proposal.clone());
    Ok(ProposalView::new(id, &proposal))
}

async fn who(state: &AppState) -> String {
    state
        .connection()
        .session
        .active()
        .ok()
        .flatten()
        .map(|a| a.account.username)
        .unwrap_or_else(|| "an admin".into())
}

/// Undoing a run of this session (by its report): what it created and is
/// still in place, to review; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn prepare_undo(
    state: State<'_, AppState>,
    report_id: u32,
) -> Result<ProposalView, CommandError> {
    let report = state.report(report_id).ok_or_else(|| {
        CommandError::new(
            "ReportExpired",
            "This report is no longer in memory; export it as JSON and undo from the file.",
        )
    })?;
    keep_undo(&state, report.undo()).await
}

/// Undoing a past run from its JSON report (exported by the app or saved
/// with `rolecall-cli --report FILE.json`); writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn prepare_undo_file(
    state: State<'_, AppState>,
    text: String,
) -> Result<ProposalView, CommandError> {
    keep_undo(&state, rolecall_app::undo::of_report(&text)?).await
}

/// Everything Rolecall wrote, from the journal (every wizard, runs and
/// batches, across restarts and from `rolecall-cli` when it shares the
/// journal), newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_activity(state: State<'_, AppState>) -> Result<Vec<ActivityView>, CommandError> {
    let history = rolecall_app::activity::history(state.journal_for_writes()?)?;
    Ok(history.iter().map(ActivityView::from).collect())
}

/// Undoing an activity of the journal: what it created and is still in
/// place, to review; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn prepare_undo_activity(
    state: State<'_, AppState>,
    activity_id: String,
) -> Result<ProposalView, CommandError> {
    let run = rolecall_app::activity::undo_of(state.journal_for_writes()?, &activity_id)?;
    keep_undo(&state, run).await
}

async fn keep_undo(
    state: &AppState,
    run: rolecall_grants::Run,
) -> Result<ProposalView, CommandError> {
    let proposal = rolecall_app::onboarding::prepare_undo(&state.azure()?, run).await?;
    let id = state.keep_proposal(proposal.clone());
    Ok(ProposalView::new(id, &proposal))
}

/// Carries out a reviewed proposal, journaled, streaming progress. Its
/// grants are planned again as they are written, so whatever changed while
/// the admin reviewed is seen.
#[tauri::command]
#[specta::specta]
pub async fn run_proposal(
    state: State<'_, AppState>,
    proposal_id: u32,
    on_progress: Channel<RunProgressView>,
) -> Result<RunReportView, CommandError> {
    let proposal = state.proposal(proposal_id).ok_or_else(|| CommandError::new("PlanExpired", "This plan is no longer available (it is old, or another account, tenant or cloud is in use now); check again."))?;
    let run = rolecall_app::onboarding::run_of(&proposal)?;
    let start = rolecall_app::onboarding::Start::PlanAgain;
    carry_out(&state, &run, start, &on_progress).await
}

/// Carries `run` out (marked as going on in this window meanwhile), streaming
/// its progress, and keeps its report for export and undo.
async fn carry_out(
    state: &AppState,
    run: &rolecall_grants::Run,
    start: rolecall_app::onboarding::Start,
    on_progress: &Channel<RunProgressView>,
) -> Result<RunReportView, CommandError> {
    let connected = state.connected()?;
    let _running = state.running(&run.id);
    let send = |e: rolecall_grants::runs::RunEvent| {
        let _ = on_progress.send(e.into());
    };
    let report = rolecall_app::onboarding::carry_out(connected.ctx(), run, start, &send).await?;
    let by = who(state).await;
    let id = state.keep_report(report.clone());
    Ok(RunReportView::new(id, &by, &report))
}

/// Runs that began and did not end, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn unfinished_runs(
    state: State<'_, AppState>,
) -> Result<Vec<UnfinishedView>, CommandError> {
    Ok(
        rolecall_app::onboarding::unfinished(state.journal_for_writes()?)?
            .into_iter()
            .filter(|u| !state.is_running(&u.run.id))
            .map(|u| UnfinishedView {
                kind: u.run.kind.into(),
                total: count(u.run.grants.len() + u.run.custom_roles.len()),
                written: count(u.written),
                run_id: u.run.id,
                title: u.run.title,
                began: u.began,
            })
            .collect(),
    )
}

/// The interrupted run `run_id`, unless this window is carrying it out now.
fn find_unfinished(state: &AppState, run_id: &str) -> Result<rolecall_grants::Run, CommandError> {
    if state.is_running(run_id) {
        return Err(CommandError::new(
            "Running",
            "That run is still going; wait for its report.",
        ));
    }
    Ok(rolecall_app::onboarding::find_unfinished(state.journal_for_writes()?, run_id)?.run)
}

/// Finishes an interrupted run: its grants are planned again, so nothing is
/// written twice.
#[tauri::command]
#[specta::specta]
pub async fn resume_run(
    state: State<'_, AppState>,
    run_id: String,
    on_progress: Channel<RunProgressView>,
) -> Result<RunReportView, CommandError> {
    let run = find_unfinished(&state, &run_id)?;
    let start = rolecall_app::onboarding::Start::Resume;
    carry_out(&state, &run, start, &on_progress).await
}

/// Leaves an interrupted run as it is: it is no longer offered.
#[tauri::command]
#[specta::specta]
pub async fn discard_run(state: State<'_, AppState>, run_id: String) -> Result<(), CommandError> {
    find_unfinished(&state, &run_id)?;
    state.journal_for_writes()?.discard(&run_id);
    Ok(())
}

/// Saves a run's report where the admin chooses (the Save dialog, opened on
/// Downloads): the file's path, or `null` when the admin cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_report(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    report_id: u32,
    format: ReportFormat,
) -> Result<Option<String>, CommandError> {
    use rolecall_grants::report::Format;
    let report = state.report(report_id).ok_or_else(|| {
        CommandError::new(
            "ReportExpired",
            "This report is no longer in memory; the journal still holds every write.",
        )
    })?;
    let format = match format {
        ReportFormat::Markdown => Format::Markdown,
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Json => Format::Json,
    };
    let text = report.render(&who(&state).await, format);
    let stamp = report.finished.replace([':', '-'], "");
    crate::save::save_as(
        &app,
        &format!("rolecall-report-{stamp}.{}", format.extension()),
        &text,
    )
    .await
}
