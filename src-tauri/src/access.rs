//! IPC commands for reading the tenant (scopes, members, roles, enterprise
//! applications) and granting access (plan, apply with progress, remove).
//! The logic lives in `rolecall-azure` and `rolecall-grants`; this only
//! translates.

use futures::TryStreamExt;
use rolecall_azure::arm::RoleFilter;
use tauri::State;
use tauri::ipc::Channel;

use crate::dto::{
    AppRoleHolderView, AppRoleView, AppView, AssignmentView, AwaitingView, AzureRoleGrantView,
    CommandError, EndingView, ExportFormat, GrantView, MemberView, MyRoleView, OutcomeView,
    PlanView, ProgressView, RankedRoleView, RoleView, ScopeKind, ScopeNode,
};
use crate::state::AppState;

/// The subscriptions the admin can see: the scope tree's first level.
#[tauri::command]
#[specta::specta]
pub async fn list_subscriptions(
    state: State<'_, AppState>,
) -> Result<Vec<ScopeNode>, CommandError> {
    let azure = state.azure()?;
    let subscriptions: Vec<_> = azure.arm.subscriptions().try_collect().await?;
    Ok(subscriptions
        .into_iter()
        .map(|s| ScopeNode {
            id: s.id,
            name: s.display_name,
            kind: ScopeKind::Subscription,
            detail: s.state,
        })
        .collect())
}

/// The scope tree's first level: the highest management groups the admin
/// may read, then the subscriptions no readable group holds.
#[tauri::command]
#[specta::specta]
pub async fn list_scope_roots(state: State<'_, AppState>) -> Result<Vec<ScopeNode>, CommandError> {
    let places = rolecall_app::estate::roots(&state.azure()?).await?;
    Ok(places
        .into_iter()
        .map(|p| crate::dto::PlaceView::from(p).node)
        .collect())
}

/// The children of a scope: a management group's groups and subscriptions,
/// a subscription's resource groups, a resource group's resources.
#[tauri::command]
#[specta::specta]
pub async fn list_children(
    state: State<'_, AppState>,
    scope: String,
) -> Result<Vec<ScopeNode>, CommandError> {
    let scope = rolecall_rbac::Scope::parse(&scope)?;
    let azure = state.azure()?;
    let subscription = scope.subscription_id().unwrap_or_default().to_owned();
    let nodes = match (scope.level(), scope.resource_group()) {
        (rolecall_rbac::Level::ManagementGroup, _) => {
            let group = scope.management_group().unwrap_or_default();
            rolecall_app::estate::group_children(&azure, group)
                .await?
                .into_iter()
                .map(|p| crate::dto::PlaceView::from(p).node)
                .collect()
        }
        (rolecall_rbac::Level::Subscription, _) => {
            azure
                .arm
                .resource_groups(&subscription)
                .map_ok(|g| ScopeNode {
                    id: g.id,
                    name: g.name,
                    kind: ScopeKind::ResourceGroup,
                    detail: g.location,
                })
                .try_collect()
                .await?
        }
        (rolecall_rbac::Level::ResourceGroup, Some(group)) => {
            azure
                .arm
                .resources(&subscription, Some(group), None)
                .map_ok(|r| ScopeNode {
                    id: r.id,
                    name: r.name,
                    kind: ScopeKind::Resource,
                    detail: r.resource_type,
                })
                .try_collect()
                .await?
        }
        _ => Vec::new(),
    };
    Ok(nodes)
}

/// Every subscription, resource group and resource the admin can see, for
/// searching scopes without expanding the tree.
#[tauri::command]
#[specta::specta]
pub async fn list_estate(
    state: State<'_, AppState>,
) -> Result<Vec<crate::dto::PlaceView>, CommandError> {
    let places = rolecall_app::estate::estate(&state.azure()?).await?;
    Ok(places.into_iter().map(Into::into).collect())
}

/// Whether the admin may assign roles at each scope (asked of ARM as soon
/// as a scope is chosen); writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn check_assign_rights(
    state: State<'_, AppState>,
    scopes: Vec<String>,
) -> Result<Vec<crate::dto::ScopeRightView>, CommandError> {
    for scope in &scopes {
        rolecall_rbac::Scope::parse(scope)?;
    }
    let rights = rolecall_app::grants::assign_rights(&state.azure()?, &scopes).await?;
    Ok(rights
        .into_iter()
        .map(|(scope, why)| crate::dto::ScopeRightView {
            scope,
            refusal: why.unwrap_or_default(),
        })
        .collect())
}

/// Users, groups and service principals matching what the admin typed.
#[tauri::command]
#[specta::specta]
pub async fn search_members(
    state: State<'_, AppState>,
    text: String,
) -> Result<Vec<MemberView>, CommandError> {
    let azure = state.azure()?;
    let found = rolecall_grants::resolve::search(&azure, &text, 10).await?;
    Ok(found
        .into_iter()
        .map(|f| MemberView {
            warning: f.warning.unwrap_or_default(),
            label: f.label.to_owned(),
            ..MemberView::from(&f.member)
        })
        .collect())
}

/// Built-in and custom roles usable at `scope`, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_roles(
    state: State<'_, AppState>,
    scope: String,
) -> Result<Vec<RoleView>, CommandError> {
    let scope = rolecall_rbac::Scope::parse(&scope)?;
    let azure = state.azure()?;
    let roles: Vec<_> = azure
        .arm
        .role_definitions(scope.as_str(), &RoleFilter::All)
        .try_collect()
        .await?;
    let mut views: Vec<RoleView> = roles.iter().map(RoleView::from).collect();
    views.sort_by_key(|v| v.name.to_lowercase());
    Ok(views)
}

/// The roles assignable at `scope` that allow every one of `actions`, least
/// granting first, with what each grants beyond them (least-privilege
/// advice for the role step).
#[tauri::command]
#[specta::specta]
pub async fn rank_roles(
    state: State<'_, AppState>,
    scope: String,
    actions: Vec<String>,
) -> Result<Vec<RankedRoleView>, CommandError> {
    let scope = rolecall_rbac::Scope::parse(&scope)?;
    let azure = state.azure()?;
    let catalogue = crate::roles::catalogue(&state).await?;
    let ranked = rolecall_app::least::rank_roles_at(&azure, &catalogue, &scope, &actions).await?;
    Ok(ranked.iter().map(RankedRoleView::from).collect())
}

fn app_view(sp: rolecall_azure::graph::ServicePrincipal) -> AppView {
    AppView {
        warning: rolecall_grants::resolve::look_alike_warning(&sp.display_name, &sp.app_id)
            .unwrap_or_default(),
        app_roles: sp
            .app_roles
            .into_iter()
            // Every enabled role, saying whom it is for; a grant of one to a
            // member it is not made for is refused when planned (one rule
            // with rolecall-cli: rolecall_app::roles::app_role_fits).
            .filter(|r| r.is_enabled && rolecall_app::roles::app_role_members(r) != "nobody")
            .map(|r| AppRoleView {
                members: rolecall_app::roles::app_role_members(&r).to_owned(),
                id: r.id,
                value: r.value.unwrap_or_default(),
                display_name: r.display_name,
                description: r.description,
            })
            .collect(),
        id: sp.id,
        app_id: sp.app_id,
        display_name: sp.display_name,
    }
}

/// Enterprise applications: by application id (exactly one), or by name
/// (each with its application id and a look-alike warning where due).
#[tauri::command]
#[specta::specta]
pub async fn find_applications(
    state: State<'_, AppState>,
    text: String,
) -> Result<Vec<AppView>, CommandError> {
    let found = rolecall_grants::resolve::applications(&state.azure()?, &text, 10).await?;
    Ok(found.into_iter().map(app_view).collect())
}

/// Who holds the application's app roles.
#[tauri::command]
#[specta::specta]
pub async fn list_app_role_holders(
    state: State<'_, AppState>,
    resource_id: String,
) -> Result<Vec<AppRoleHolderView>, CommandError> {
    let azure = state.azure()?;
    let (app, holders) = tokio::try_join!(
        azure.graph.service_principal(&resource_id),
        azure
            .graph
            .app_role_assigned_to(&resource_id)
            .try_collect::<Vec<_>>(),
    )?;
    let roles = app.map(|a| a.app_roles).unwrap_or_default();
    Ok(holders
        .into_iter()
        .map(|h| AppRoleHolderView {
            app_role_value: roles
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&h.app_role_id))
                .and_then(|r| r.value.clone())
                .unwrap_or_default(),
            id: h.id,
            app_role_id: h.app_role_id,
            principal_id: h.principal_id,
            principal_type: h.principal_type.unwrap_or_default(),
            principal_display_name: h.principal_display_name.unwrap_or_default(),
        })
        .collect())
}

/// The grants against live state and the admin's rights; writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn plan_grants(
    state: State<'_, AppState>,
    grants: Vec<GrantView>,
) -> Result<PlanView, CommandError> {
    let grants = rolecall_app::grants::checked(grants.iter().map(Into::into).collect())?;
    let plan = rolecall_app::grants::plan(&state.azure()?, grants).await?;
    let view = PlanView::new(0, &plan);
    let id = state.keep_plan(plan);
    Ok(PlanView { id, ..view })
}

/// Applies a reviewed plan, streaming each item's progress.
#[tauri::command]
#[specta::specta]
pub async fn apply_plan(
    state: State<'_, AppState>,
    plan_id: u32,
    on_progress: Channel<ProgressView>,
) -> Result<Vec<OutcomeView>, CommandError> {
    let plan = state.plan(plan_id).ok_or_else(|| CommandError::new("PlanExpired", "This plan is no longer available (it is old, or another account, tenant or cloud is in use now); review the grants again."))?;
    let connected = state.connected()?;
    let send = |event: rolecall_grants::ItemEvent| {
        let _ = on_progress.send(event.into());
    };
    let outcomes = rolecall_app::grants::apply(connected.ctx(), &plan, &send).await?;
    Ok(outcomes.iter().map(Into::into).collect())
}

/// What removing `grants` would do against live state (each "in place" item
/// is removed where it was made); writes nothing. The plan is kept on this
/// side: `remove_planned` takes its id, never grants from the window.
#[tauri::command]
#[specta::specta]
pub async fn plan_removal(
    state: State<'_, AppState>,
    grants: Vec<GrantView>,
) -> Result<PlanView, CommandError> {
    let grants = rolecall_app::grants::checked(grants.iter().map(Into::into).collect())?;
    let plan = rolecall_app::grants::plan_removal(&state.azure()?, grants).await?;
    let view = PlanView::new(0, &plan);
    let id = state.keep_removal(plan);
    Ok(PlanView { id, ..view })
}

/// Removes what a reviewed removal plan found in place, streaming each
/// item's progress; the rest is reported as it was planned.
#[tauri::command]
#[specta::specta]
pub async fn remove_planned(
    state: State<'_, AppState>,
    plan_id: u32,
    on_progress: Channel<ProgressView>,
) -> Result<Vec<OutcomeView>, CommandError> {
    let plan = state.removal(plan_id).ok_or_else(|| CommandError::new("PlanExpired", "This removal is no longer available (it is old, or another account, tenant or cloud is in use now); choose what to remove again."))?;
    let connected = state.connected()?;
    let send = |event: rolecall_grants::ItemEvent| {
        let _ = on_progress.send(event.into());
    };
    let outcomes = rolecall_app::grants::remove_planned(connected.ctx(), &plan, &send).await?;
    Ok(outcomes.iter().map(Into::into).collect())
}

/// The signed-in person's own eligible roles, each with its running activation.
#[tauri::command]
#[specta::specta]
pub async fn list_my_roles(state: State<'_, AppState>) -> Result<Vec<MyRoleView>, CommandError> {
    let mine = rolecall_app::pim::my_roles(&state.azure()?).await?;
    Ok(mine.iter().map(Into::into).collect())
}

/// Activates one of them for `duration` (ISO 8601; "" for the longest the
/// role allows), with a justification: PIM's answer in words.
#[tauri::command]
#[specta::specta]
pub async fn activate_role(
    state: State<'_, AppState>,
    scope: String,
    role_id: String,
    duration: String,
    justification: String,
) -> Result<String, CommandError> {
    let some = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    let made = rolecall_app::pim::activate(
        &state.azure()?,
        &rolecall_app::pim::Activate {
            scope,
            role: role_id,
            duration: some(&duration),
            justification: some(&justification),
            ticket: None,
        },
    )
    .await?;
    if made.status == "PendingApproval" {
        return Ok(format!(
            "Sent for approval: {} for {} starts once an approver approves it (approvers have a day).",
            made.role_name,
            rolecall_rbac::duration::words(&made.duration),
        ));
    }
    Ok(format!(
        "{} is active for {} ({}).",
        made.role_name,
        rolecall_rbac::duration::words(&made.duration),
        made.status
    ))
}

/// Withdraws the signed-in person's activation of a role that waits for
/// approval.
#[tauri::command]
#[specta::specta]
pub async fn cancel_activation(
    state: State<'_, AppState>,
    scope: String,
    role_id: String,
) -> Result<(), CommandError> {
    rolecall_app::pim::cancel_activation(&state.azure()?, &scope, &role_id).await?;
    Ok(())
}

/// The activations waiting for the signed-in person's approval, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn list_awaiting_approval(
    state: State<'_, AppState>,
) -> Result<Vec<AwaitingView>, CommandError> {
    let waiting = rolecall_app::pim::awaiting_my_approval(&state.azure()?).await?;
    Ok(waiting.iter().map(Into::into).collect())
}

/// Approves or denies one of them, with a justification.
#[tauri::command]
#[specta::specta]
pub async fn decide_approval(
    state: State<'_, AppState>,
    approval_id: String,
    approve: bool,
    justification: String,
) -> Result<(), CommandError> {
    rolecall_app::pim::decide(&state.azure()?, &approval_id, approve, &justification).await?;
    Ok(())
}

/// Eligible and time-bound access that ends within `days`, soonest first,
/// then what Rolecall made that ended within `days` (at most 30), to renew.
#[tauri::command]
#[specta::specta]
pub async fn list_expiring(
    state: State<'_, AppState>,
    days: u32,
) -> Result<Vec<EndingView>, CommandError> {
    let connected = state.connected()?;
    let ending = rolecall_app::pim::expiring_within_days(connected.ctx(), days).await?;
    Ok(ending.iter().map(Into::into).collect())
}

/// The plan of extending `grants` by `duration` from now (each found in
/// place, the role's PIM settings checked); kept here, `extend_planned`
/// takes its id. Writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn plan_extension(
    state: State<'_, AppState>,
    grants: Vec<AzureRoleGrantView>,
    duration: String,
    justification: String,
) -> Result<PlanView, CommandError> {
    let grants = grants.iter().map(Into::into).collect();
    let justification = Some(justification.trim()).filter(|j| !j.is_empty());
    let plan = rolecall_app::pim::plan_extension(&state.azure()?, grants, &duration, justification)
        .await?;
    let view = PlanView::new(0, &plan);
    let id = state.keep_extension(plan);
    Ok(PlanView { id, ..view })
}

/// Extends what a reviewed extension plan found in place and renews what it
/// found ended, streaming progress.
#[tauri::command]
#[specta::specta]
pub async fn extend_planned(
    state: State<'_, AppState>,
    plan_id: u32,
    on_progress: Channel<ProgressView>,
) -> Result<Vec<OutcomeView>, CommandError> {
    let plan = state.extension(plan_id).ok_or_else(|| CommandError::new("PlanExpired", "This extension is no longer available (it is old, or another account, tenant or cloud is in use now); choose what to extend again."))?;
    let connected = state.connected()?;
    let send = |event: rolecall_grants::ItemEvent| {
        let _ = on_progress.send(event.into());
    };
    let outcomes = rolecall_app::pim::extend(connected.ctx(), &plan, &send).await?;
    Ok(outcomes.iter().map(Into::into).collect())
}

/// The role assignments that apply at `scope` (made there or inherited),
/// with role and member names; deleted members flagged.
#[tauri::command]
#[specta::specta]
pub async fn list_role_assignments(
    state: State<'_, AppState>,
    scope: String,
) -> Result<Vec<AssignmentView>, CommandError> {
    let scope = rolecall_rbac::Scope::parse(&scope)?;
    let azure = state.azure()?;
    let listed = rolecall_grants::listing::assignments_at(&azure, scope.as_str()).await?;
    Ok(listed.iter().map(Into::into).collect())
}

/// Saves the role assignments at `scope` as CSV (the portal's columns) or
/// JSON where the admin chooses (the Save dialog, opened on Downloads): the
/// file's path, or `null` when the admin cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_role_assignments(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    scope: String,
    format: ExportFormat,
) -> Result<Option<String>, CommandError> {
    let scope = rolecall_rbac::Scope::parse(&scope)?;
    let azure = state.azure()?;
    let listed = rolecall_grants::listing::assignments_at(&azure, scope.as_str()).await?;
    let (text, extension) = match format {
        ExportFormat::Csv => (rolecall_grants::listing::to_csv(&listed), "csv"),
        ExportFormat::Json => (
            serde_json::to_string_pretty(
                &listed.iter().map(AssignmentView::from).collect::<Vec<_>>(),
            )
            .unwrap_or_default(),
            "json",
        ),
    };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    crate::save::save_as(
        &app,
        &format!("role-assignments-{stamp}.{extension}"),
        &text,
    )
    .await
}
