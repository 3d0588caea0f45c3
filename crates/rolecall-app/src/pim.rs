//! A person's own side of PIM: activating a role they are eligible for
//! (`SelfActivate`), for as long as they need and the role's settings allow,
//! and ending it early (`SelfDeactivate`).

use rolecall_azure::Azure;
use rolecall_azure::arm::{ScheduleInstance, ScheduleKind};

use crate::error::{AppError, Result};

/// What the signed-in person asks to activate.
#[derive(Debug, Clone)]
pub struct Activate {
    pub scope: String,
    /// A role name as Azure lists it, or its id.
    pub role: String,
    /// ISO 8601; none: the longest the role's settings allow (else 1 hour).
    pub duration: Option<String>,
    pub justification: Option<String>,
    pub ticket: Option<String>,
}

/// An activation asked for, as ARM answered it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activated {
    pub scope: String,
    pub role_name: String,
    pub duration: String,
    /// `Provisioned`, `PendingApproval`…
    pub status: String,
    pub request_id: Option<String>,
}

/// The signed-in person's own instance of `role` (a name or an id) among
/// `instances`, which apply at the scope; what else they hold there, named,
/// when it is not found.
fn mine<'a>(
    instances: &'a [ScheduleInstance],
    role: &str,
) -> std::result::Result<&'a ScheduleInstance, Vec<String>> {
    let role = role.trim();
    let guid = role.rsplit('/').next().unwrap_or(role);
    instances
        .iter()
        .find(|i| {
            i.role_name().eq_ignore_ascii_case(role)
                || rolecall_rbac::roles::definition_guid(&i.properties.role_definition_id)
                    .eq_ignore_ascii_case(guid)
        })
        .ok_or_else(|| {
            let mut names: Vec<String> =
                instances.iter().map(|i| i.role_name().to_owned()).collect();
            names.sort();
            names.dedup();
            names
        })
}

/// Activates a role the signed-in person is eligible for at a scope. Only
/// PIM is read (their own eligibilities, `asTarget()`): an eligible person
/// usually cannot read the subscription, its roles or its policies.
pub async fn activate(azure: &Azure, ask: &Activate) -> Result<Activated> {
    rolecall_rbac::Scope::parse(&ask.scope).map_err(|e| AppError::input(e.to_string()))?;
    if let Some(d) = &ask.duration {
        rolecall_rbac::duration::parse(d).ok_or_else(|| {
            AppError::input(format!(
                "'{d}' is not a duration: give one in ISO 8601, such as PT1H (an hour) or PT8H"
            ))
        })?;
    }
    let (me, eligible) = tokio::try_join!(
        async { Ok::<_, AppError>(azure.graph.me().await?) },
        async {
            Ok::<_, AppError>(
                azure
                    .arm
                    .my_schedule_instances(ScheduleKind::Eligibility, &ask.scope)
                    .await?,
            )
        },
    )?;
    let eligibility = mine(&eligible, &ask.role).map_err(|held| {
        AppError::new(
            crate::error::ErrorKind::NotFound,
            "NotEligible",
            if held.is_empty() {
                format!(
                    "You are not eligible for any role at {}: ask an admin to make you eligible.",
                    ask.scope
                )
            } else {
                format!(
                    "You are not eligible for '{}' at {}; you are for: {}.",
                    ask.role,
                    ask.scope,
                    held.join(", ")
                )
            },
        )
    })?;
    let role_definition_id = eligibility.properties.role_definition_id.clone();
    let role_name = eligibility.role_name().to_owned();
    // The longest the role's settings allow, where the person may read them.
    let duration = match &ask.duration {
        Some(d) => d.clone(),
        None => azure
            .arm
            .pim_rules(&ask.scope, &role_definition_id)
            .await
            .ok()
            .and_then(|rules| {
                rolecall_grants::PolicySummary::from_rules("", "", true, &rules)
                    .activation
                    .and_then(|a| a.maximum)
            })
            .unwrap_or_else(|| "PT1H".into()),
    };
    let mut body = serde_json::json!({
        "principalId": me.id,
        "roleDefinitionId": role_definition_id,
        "requestType": "SelfActivate",
        "linkedRoleEligibilityScheduleId": eligibility.properties.role_eligibility_schedule_id,
        "scheduleInfo": {
            "expiration": {"type": "AfterDuration", "duration": duration},
        },
    });
    if let Some(j) = &ask.justification {
        body["justification"] = j.clone().into();
    }
    if let Some(t) = &ask.ticket {
        body["ticketInfo"] = serde_json::json!({"ticketNumber": t});
    }
    let made = azure
        .arm
        .put_schedule_request(
            ScheduleKind::Assignment,
            &ask.scope,
            &uuid::Uuid::new_v4().to_string(),
            &body,
        )
        .await?;
    Ok(Activated {
        scope: ask.scope.clone(),
        role_name,
        duration,
        status: made.properties.status.clone(),
        request_id: made.request_id,
    })
}

/// Ends the signed-in person's running activation of a role at a scope.
pub async fn deactivate(azure: &Azure, scope: &str, role: &str) -> Result<Option<String>> {
    rolecall_rbac::Scope::parse(scope).map_err(|e| AppError::input(e.to_string()))?;
    let (me, active) = tokio::try_join!(
        async { Ok::<_, AppError>(azure.graph.me().await?) },
        async {
            Ok::<_, AppError>(
                azure
                    .arm
                    .my_schedule_instances(ScheduleKind::Assignment, scope)
                    .await?,
            )
        },
    )?;
    let activated: Vec<ScheduleInstance> = active
        .into_iter()
        .filter(|i| i.properties.assignment_type.as_deref() == Some("Activated"))
        .collect();
    let running = mine(&activated, role).map_err(|_| {
        AppError::new(
            crate::error::ErrorKind::NotFound,
            "NotActivated",
            format!("You have no running activation of '{role}' at {scope}: nothing to end."),
        )
    })?;
    let body = serde_json::json!({
        "principalId": me.id,
        "roleDefinitionId": running.properties.role_definition_id,
        "requestType": "SelfDeactivate",
    });
    let made = azure
        .arm
        .put_schedule_request(
            ScheduleKind::Assignment,
            scope,
            &uuid::Uuid::new_v4().to_string(),
            &body,
        )
        .await?;
    Ok(made.request_id)
}
