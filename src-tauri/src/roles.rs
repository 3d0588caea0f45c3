//! IPC commands for custom roles: the provider-operations catalogue (search,
//! wildcard expansion), drafts in the portal's JSON (clone, check), create or
//! update (then read back until consistent), delete (refused while assigned).

use std::sync::Arc;

use rolecall_grants::custom_roles;
use rolecall_rbac::draft::{Draft, Severity};
use rolecall_rbac::{ActionKind, Catalogue};
use tauri::State;

use crate::dto::{
    CommandError, DraftCheckView, DraftIssueView, ExpansionView, OperationView, ProviderView,
    RoleView,
};
use crate::state::AppState;

pub(crate) async fn catalogue(state: &AppState) -> Result<Arc<Catalogue>, CommandError> {
    Ok(state.connected()?.ctx().catalogue().await?)
}

fn subscription_of(scope: &str) -> Result<String, CommandError> {
    let scope = rolecall_rbac::Scope::parse(scope)?;
    Ok(scope
        .subscription_scope()
        .unwrap_or_else(|| scope.as_str().to_owned()))
}

fn kind(data: bool) -> ActionKind {
    if data {
        ActionKind::DataAction
    } else {
        ActionKind::Action
    }
}

/// Every custom role in every subscription the admin sees, each with the
/// subscription it is edited and deleted through.
#[tauri::command]
#[specta::specta]
pub async fn list_custom_roles(
    state: State<'_, AppState>,
) -> Result<Vec<crate::dto::CustomRoleView>, CommandError> {
    let found = rolecall_app::roles::custom_roles(&state.azure()?).await?;
    Ok(found.iter().map(Into::into).collect())
}

/// Operations whose name, display name or description hold every word typed.
#[tauri::command]
#[specta::specta]
pub async fn search_operations(
    state: State<'_, AppState>,
    text: String,
    data: bool,
) -> Result<Vec<OperationView>, CommandError> {
    let catalogue = catalogue(&state).await?;
    Ok(catalogue
        .search(&text, Some(kind(data)), 50)
        .into_iter()
        .map(OperationView::from)
        .collect())
}

/// What a pattern (`Microsoft.Support/*`, `*/read`) grants in the catalogue.
#[tauri::command]
#[specta::specta]
pub async fn expand_pattern(
    state: State<'_, AppState>,
    pattern: String,
    data: bool,
) -> Result<ExpansionView, CommandError> {
    let catalogue = catalogue(&state).await?;
    let found = catalogue.expand(&pattern, kind(data));
    Ok(ExpansionView {
        count: u32::try_from(found.len()).unwrap_or(u32::MAX),
        sample: found
            .iter()
            .take(20)
            .map(|i| catalogue.operation(*i).name.clone())
            .collect(),
    })
}

/// A role as a draft in the portal's JSON: a clone under a new name, or
/// (with `name` empty) the custom role itself, to edit.
#[tauri::command]
#[specta::specta]
pub async fn role_draft(
    state: State<'_, AppState>,
    scope: String,
    role_id: String,
    name: String,
) -> Result<String, CommandError> {
    let azure = state.azure()?;
    let role = rolecall_grants::resolve::role(&azure, &subscription_of(&scope)?, &role_id).await?;
    let draft = if name.trim().is_empty() {
        let mut own = Draft::clone_of(&role, role.role_name());
        own.assignable_scopes = role.properties.assignable_scopes.clone();
        own
    } else {
        Draft::clone_of(&role, name.trim())
    };
    Ok(draft.to_json())
}

/// Everything ARM would refuse in the draft (or where its JSON breaks), and
/// what is worth knowing, checked against the live catalogue, the
/// directory's role names and the admin's rights. Writes nothing.
#[tauri::command]
#[specta::specta]
pub async fn check_role_draft(
    state: State<'_, AppState>,
    json: String,
    editing: String,
) -> Result<DraftCheckView, CommandError> {
    let draft = match Draft::from_json(&json) {
        Ok(draft) => draft,
        Err(e) => {
            return Ok(DraftCheckView {
                issues: vec![DraftIssueView {
                    error: true,
                    field: format!("line {}, column {}", e.line, e.column),
                    message: e.message,
                }],
                normalized: String::new(),
                granted: 0,
                parsed: false,
                in_place: String::new(),
                built_in: String::new(),
                built_in_extra: 0,
            });
        }
    };
    let azure = state.azure()?;
    let editing = (!editing.is_empty()).then_some(editing.as_str());
    let check =
        rolecall_app::roles::check_draft(&azure, catalogue(&state).await?, &draft, editing).await?;
    Ok(DraftCheckView {
        issues: check
            .issues
            .into_iter()
            .map(|i| DraftIssueView {
                error: i.severity == Severity::Error,
                field: i.field,
                message: i.message,
            })
            .collect(),
        granted: u32::try_from(check.granted).unwrap_or(u32::MAX),
        normalized: draft.to_json(),
        parsed: true,
        in_place: check.in_place.unwrap_or_default(),
        built_in_extra: check
            .built_in
            .as_ref()
            .map_or(0, |b| u32::try_from(b.extra).unwrap_or(u32::MAX)),
        built_in: check.built_in.map(|b| b.role_name).unwrap_or_default(),
    })
}

/// Creates (or, with `editing`, updates) the custom role, once nothing in it
/// is an error, and waits until ARM reads it back consistently.
#[tauri::command]
#[specta::specta]
pub async fn save_role_draft(
    state: State<'_, AppState>,
    json: String,
    editing: String,
) -> Result<RoleView, CommandError> {
    use rolecall_app::roles::{Saving, save_draft};
    let draft =
        Draft::from_json(&json).map_err(|e| CommandError::new("InvalidJson", e.to_string()))?;
    let azure = state.azure()?;
    let saving = if editing.is_empty() {
        Saving::New
    } else {
        Saving::Edit(&editing)
    };
    let role = save_draft(
        &azure,
        catalogue(&state).await?,
        state.journal_for_writes()?,
        &draft,
        saving,
        &custom_roles::Settle::default(),
    )
    .await?;
    Ok(RoleView::from(&role))
}

/// Deletes a custom role; refused, naming them, while assignments use it.
#[tauri::command]
#[specta::specta]
pub async fn delete_custom_role(
    state: State<'_, AppState>,
    scope: String,
    role_id: String,
) -> Result<(), CommandError> {
    let scope = rolecall_rbac::Scope::parse(&scope)?;
    let azure = state.azure()?;
    let journal = state.journal_for_writes()?;
    rolecall_app::roles::delete_custom_role(&azure, journal, &scope, &role_id).await?;
    Ok(())
}

/// The catalogue's resource providers, each with its resource types, to
/// browse operations by provider and type.
#[tauri::command]
#[specta::specta]
pub async fn list_providers(state: State<'_, AppState>) -> Result<Vec<ProviderView>, CommandError> {
    let catalogue = catalogue(&state).await?;
    let mut providers: std::collections::BTreeMap<
        String,
        (std::collections::BTreeSet<String>, u32),
    > = std::collections::BTreeMap::new();
    for op in catalogue.operations() {
        let entry = providers.entry(op.namespace.clone()).or_default();
        if !op.resource_type.is_empty() {
            entry.0.insert(op.resource_type.clone());
        }
        entry.1 += 1;
    }
    Ok(providers
        .into_iter()
        .map(|(namespace, (types, operations))| ProviderView {
            namespace,
            resource_types: types.into_iter().collect(),
            operations,
        })
        .collect())
}

/// The operations of one provider, optionally of one resource type ("" for
/// all, "-" for the provider's own operations).
#[tauri::command]
#[specta::specta]
pub async fn provider_operations(
    state: State<'_, AppState>,
    namespace: String,
    resource_type: String,
) -> Result<Vec<OperationView>, CommandError> {
    let catalogue = catalogue(&state).await?;
    Ok(catalogue
        .operations()
        .iter()
        .filter(|o| o.namespace.eq_ignore_ascii_case(&namespace))
        .filter(|o| match resource_type.as_str() {
            "" => true,
            "-" => o.resource_type.is_empty(),
            t => o.resource_type.eq_ignore_ascii_case(t),
        })
        .map(OperationView::from)
        .collect())
}

/// How many role assignments use a custom role (editing it changes their
/// access; deleting it is refused while any exists).
#[tauri::command]
#[specta::specta]
pub async fn custom_role_usage(
    state: State<'_, AppState>,
    scope: String,
    role_id: String,
) -> Result<u32, CommandError> {
    let azure = state.azure()?;
    let role = rolecall_grants::resolve::role(&azure, &subscription_of(&scope)?, &role_id).await?;
    let using = custom_roles::assignments_of(&azure, &role).await?;
    Ok(u32::try_from(using.len()).unwrap_or(u32::MAX))
}
