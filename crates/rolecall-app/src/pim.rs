//! A person's own side of PIM: activating a role they are eligible for
//! (`SelfActivate`), for as long as they need and the role's settings allow,
//! and ending it early (`SelfDeactivate`).

use rolecall_azure::Azure;
use rolecall_azure::arm::ScheduleKind;

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

/// Activates a role the signed-in person is eligible for at a scope.
pub async fn activate(azure: &Azure, ask: &Activate) -> Result<Activated> {
    rolecall_rbac::Scope::parse(&ask.scope).map_err(|e| AppError::input(e.to_string()))?;
    let (me, role) = tokio::try_join!(
        async { Ok::<_, AppError>(azure.graph.me().await?) },
        async {
            Ok::<_, AppError>(rolecall_grants::resolve::role(azure, &ask.scope, &ask.role).await?)
        },
    )?;
    let role_definition_id = format!(
        "{}/providers/Microsoft.Authorization/roleDefinitions/{}",
        rolecall_rbac::Scope::parse(&ask.scope)
            .ok()
            .and_then(|s| s.subscription_scope())
            .unwrap_or_default(),
        role.name
    );
    let duration = match &ask.duration {
        Some(d) => {
            rolecall_rbac::duration::parse(d).ok_or_else(|| {
                AppError::input(format!(
                    "'{d}' is not a duration: give one in ISO 8601, such as PT1H (an hour) or PT8H"
                ))
            })?;
            d.clone()
        }
        // The longest the role's settings allow, as the portal offers it.
        None => azure
            .arm
            .pim_rules(&ask.scope, &role_definition_id)
            .await
            .ok()
            .and_then(|rules| {
                let summary = rolecall_grants::PolicySummary::from_rules("", "", true, &rules);
                summary.activation.and_then(|a| a.maximum)
            })
            .unwrap_or_else(|| "PT1H".into()),
    };
    let mut body = serde_json::json!({
        "principalId": me.id,
        "roleDefinitionId": role_definition_id,
        "requestType": "SelfActivate",
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
        role_name: role.role_name().to_owned(),
        duration,
        status: made.properties.status.clone(),
        request_id: made.request_id,
    })
}

/// Ends the signed-in person's running activation of a role at a scope.
pub async fn deactivate(azure: &Azure, scope: &str, role: &str) -> Result<Option<String>> {
    rolecall_rbac::Scope::parse(scope).map_err(|e| AppError::input(e.to_string()))?;
    let (me, role) = tokio::try_join!(
        async { Ok::<_, AppError>(azure.graph.me().await?) },
        async { Ok::<_, AppError>(rolecall_grants::resolve::role(azure, scope, role).await?) },
    )?;
    let body = serde_json::json!({
        "principalId": me.id,
        "roleDefinitionId": format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions/{}",
            rolecall_rbac::Scope::parse(scope)
                .ok()
                .and_then(|s| s.subscription_scope())
                .unwrap_or_default(),
            role.name
        ),
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
