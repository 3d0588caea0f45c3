//! IPC commands for guided onboarding and offboarding: templates (built-in
//! and the admin's own folder), proposals (preflight + plan), runs with
//! per-item progress, interrupted runs to resume, and reports to export. The
//! logic lives in `rolecall-onboarding` and `rolecall-grants`; this only
//! translates.

use std::collections::HashMap;

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

/// Saves a template to the Downloads folder (to share or edit), returning
/// the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_template(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<String, CommandError> {
    let template = library(&state).find(&id)?;
    let text = serde_json::to_string_pretty(&template).unwrap_or_default();
    crate::downloads::save(&app, &format!("{id}.rolecall-template.json"), &text)
}

/// The people in a CSV file's text (see `rolecall_onboarding::people_from_csv`).
#[tauri::command]
#[specta::specta]
pub async fn people_from_csv(text: String) -> Result<Vec<String>, CommandError> {
    Ok(rolecall_onboarding::people_from_csv(&text))
}

/// Preflight and plan of an onboarding or offboarding; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn prepare_onboarding(
    state: State<'_, AppState>,
    request: OnboardingRequest,
) -> Result<ProposalView, CommandError> {
    let template = library(&state).find(&request.template_id)?;
    let azure = state.azure()?;
    let catalogue = crate::roles::catalogue(&state).await?;
    let inputs: HashMap<String, String> = request
        .inputs
        .into_iter()
        .map(|i| (i.id, i.scope))
        .collect();
    let req = rolecall_onboarding::Request {
        template: &template,
        tasks: request.tasks,
        inputs,
        people: request.people,
    };
    let proposal = if request.offboard {
        rolecall_onboarding::prepare_offboarding(&azure, &req, catalogue).await?
    } else {
        rolecall_onboarding::prepare(&azure, &req, catalogue, &Default::default()).await?
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
    let azure = state.azure()?;
    let proposal =
        rolecall_onboarding::prepare_removal_of_everything(&azure, &person, &scopes, app_roles)
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

async fn keep_undo(
    state: &AppState,
    run: rolecall_grants::Run,
) -> Result<ProposalView, CommandError> {
    let run = rolecall_app::undo::of_run(run)?;
    let azure = state.azure()?;
    let proposal = rolecall_onboarding::prepare_undo(&azure, run).await?;
    let id = state.keep_proposal(proposal.clone());
    Ok(ProposalView::new(id, &proposal))
}

/// Carries out a reviewed proposal, journaled, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn run_proposal(
    state: State<'_, AppState>,
    proposal_id: u32,
    on_progress: Channel<RunProgressView>,
) -> Result<RunReportView, CommandError> {
    let proposal = state.proposal(proposal_id).ok_or_else(|| CommandError::new("PlanExpired", "This plan is no longer available (it is old, or another account, tenant or cloud is in use now); check again."))?;
    if proposal.is_blocked() {
        return Err(CommandError::new(
            "Blocked",
            "A preflight check blocks this; resolve it and check again.",
        ));
    }
    carry_out(&state, &proposal.to_run(), Start::Fresh, &on_progress).await
}

/// Executes (or resumes) `run` journaled, marked as going on meanwhile,
/// streaming progress; keeps its report for export. Planned again as it is
/// written: whatever changed since the review (an assignment removed
/// meanwhile, another account signed in) is seen.
/// How a run is carried out: from the start, or resumed from the journal.
#[derive(Clone, Copy)]
enum Start {
    Fresh,
    /// Its grants are planned again, so what was done reads as in place.
    Resume,
}

async fn carry_out(
    state: &AppState,
    run: &rolecall_grants::Run,
    start: Start,
    on_progress: &Channel<RunProgressView>,
) -> Result<RunReportView, CommandError> {
    use rolecall_grants::runs;
    let azure = state.azure()?;
    // Nothing is written without a journal, and one run is carried out by
    // one holder at a time (this window, another, or rolecall-cli).
    let journal = state.journal_for_writes()?;
    let _claim = journal
        .claim(&run.id)
        .map_err(|e| CommandError::new("Running", e.to_string()))?;
    let _running = state.running(&run.id);
    let options = runs::RunOptions {
        catalogue: Some(crate::roles::catalogue(state).await?),
        ..Default::default()
    }
    .journaled(journal);
    let send = |e: runs::RunEvent| {
        let _ = on_progress.send(e.into());
    };
    let report = match start {
        Start::Resume => runs::resume(&azure, run, &options, &send).await?,
        Start::Fresh => runs::execute(&azure, run, &options, &send).await?,
    };
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
    Ok(unfinished(&state)?
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
        .collect())
}

fn unfinished(state: &AppState) -> Result<Vec<rolecall_grants::journal::Unfinished>, CommandError> {
    state.journal_for_writes()?.unfinished().map_err(|e| {
        CommandError::new(
            "JournalUnreadable",
            format!("the journal cannot be read: {e}"),
        )
    })
}

fn find_unfinished(state: &AppState, run_id: &str) -> Result<rolecall_grants::Run, CommandError> {
    if state.is_running(run_id) {
        return Err(CommandError::new(
            "Running",
            "That run is still going; wait for its report.",
        ));
    }
    unfinished(state)?
        .into_iter()
        .find(|u| u.run.id == run_id)
        .map(|u| u.run)
        .ok_or_else(|| CommandError::new("NotUnfinished", "That run has ended already."))
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
    carry_out(&state, &run, Start::Resume, &on_progress).await
}

/// Leaves an interrupted run as it is: it is no longer offered.
#[tauri::command]
#[specta::specta]
pub async fn discard_run(state: State<'_, AppState>, run_id: String) -> Result<(), CommandError> {
    find_unfinished(&state, &run_id)?;
    state.journal_for_writes()?.discard(&run_id);
    Ok(())
}

/// Saves a run's report to the Downloads folder, returning the file's path.
#[tauri::command]
#[specta::specta]
pub async fn export_report(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    report_id: u32,
    format: ReportFormat,
) -> Result<String, CommandError> {
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
    crate::downloads::save(
        &app,
        &format!("rolecall-report-{stamp}.{}", format.extension()),
        &text,
    )
}
