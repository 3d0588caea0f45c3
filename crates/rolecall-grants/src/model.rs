//! Grants and members.

use rolecall_azure::arm::PrincipalType;
use serde::{Deserialize, Deserializer, Serialize};

/// Checks done where a grant enters from outside (a report to undo, a
/// journal line, IPC): ids become parts of ARM and Graph paths, so each is
/// parsed here, and refused with what to give instead.
pub(crate) mod checked {
    use super::*;

    /// A scope that [`rolecall_rbac::Scope::parse`] accepts, kept as given.
    pub fn scope<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let text = String::deserialize(d)?;
        rolecall_rbac::Scope::parse(&text)
            .map(|s| s.to_string())
            .map_err(serde::de::Error::custom)
    }

    /// A GUID, as Azure writes object, role and application ids.
    pub fn guid<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let text = String::deserialize(d)?;
        if rolecall_rbac::scope::is_guid(&text) {
            Ok(text)
        } else {
            Err(serde::de::Error::custom(format!(
                "'{text}' is not an id: give a GUID such as 8f3e2b1a-0000-4000-8000-000000000001"
            )))
        }
    }

    /// A custom role's draft whose every assignable scope parses.
    pub fn draft<'de, D: Deserializer<'de>>(d: D) -> Result<rolecall_rbac::draft::Draft, D::Error> {
        let draft = rolecall_rbac::draft::Draft::deserialize(d)?;
        for scope in &draft.assignable_scopes {
            rolecall_rbac::Scope::parse(scope).map_err(serde::de::Error::custom)?;
        }
        Ok(draft)
    }

    /// A role definition: its GUID, or its full id whose scope parses.
    pub fn role<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let text = String::deserialize(d)?;
        let ok = match text.rsplit_once("/providers/Microsoft.Authorization/roleDefinitions/") {
            None => rolecall_rbac::scope::is_guid(&text),
            Some((prefix, guid)) => {
                rolecall_rbac::scope::is_guid(guid)
                    && (prefix.is_empty() || rolecall_rbac::Scope::parse(prefix).is_ok())
            }
        };
        if ok {
            Ok(text)
        } else {
            Err(serde::de::Error::custom(format!(
                "'{text}' is not a role definition id: give the role's GUID"
            )))
        }
    }
}

/// What kind of directory object a member is; ARM's `principalType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberKind {
    User,
    Group,
    /// An enterprise application or a managed identity.
    ServicePrincipal,
}

impl MemberKind {
    pub fn principal_type(self) -> PrincipalType {
        match self {
            MemberKind::User => PrincipalType::User,
            MemberKind::Group => PrincipalType::Group,
            MemberKind::ServicePrincipal => PrincipalType::ServicePrincipal,
        }
    }
}

/// Someone (or something) to grant access to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The object id.
    #[serde(deserialize_with = "checked::guid")]
    pub id: String,
    pub kind: MemberKind,
    pub display_name: String,
    /// The user principal name, or the application id of a service principal.
    #[serde(default)]
    pub detail: Option<String>,
}

impl Member {
    pub fn label(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{} ({detail})", self.display_name),
            None => self.display_name.clone(),
        }
    }
}

/// One Azure role for one member at one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureRoleGrant {
    #[serde(deserialize_with = "checked::scope")]
    pub scope: String,
    /// The role definition's GUID.
    #[serde(deserialize_with = "checked::role")]
    pub role_id: String,
    pub role_name: String,
    pub member: Member,
    #[serde(default)]
    pub description: Option<String>,
    /// Eligible or time-bound, through PIM; none: active and permanent (a
    /// plain role assignment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
}

/// How an Azure role is held when not for good (PIM's assignment type).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// Eligible (the member activates it when needed) rather than active.
    pub eligible: bool,
    /// How long from now, in ISO 8601 (`P90D`, `PT8H`).
    #[serde(default)]
    pub duration: Option<String>,
    /// Until when (RFC 3339); with neither, permanent.
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub justification: Option<String>,
    /// A ticket number, for policies that ask one.
    #[serde(default)]
    pub ticket: Option<String>,
}

impl Schedule {
    /// An end as a person types it: a date alone (`2027-03-01`) means the
    /// end of that day, in UTC; anything else is kept for [`Schedule::check`].
    pub fn until_from(text: &str) -> String {
        let text = text.trim();
        if text.len() == 10 && text.as_bytes().get(4) == Some(&b'-') {
            format!("{text}T23:59:59Z")
        } else {
            text.to_owned()
        }
    }

    /// When it ends if it starts at `start`; none when permanent.
    pub fn ends(&self, start: time::OffsetDateTime) -> Option<time::OffsetDateTime> {
        self.length(start).map(|length| start + length)
    }

    pub fn is_permanent(&self) -> bool {
        self.duration.is_none() && self.until.is_none()
    }

    /// How long it lasts from `start`, if it ends.
    pub fn length(&self, start: time::OffsetDateTime) -> Option<time::Duration> {
        if let Some(d) = &self.duration {
            return rolecall_rbac::duration::parse(d);
        }
        let until = self.until.as_deref()?;
        time::OffsetDateTime::parse(until, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|end| end - start)
    }

    /// PIM's `scheduleInfo.expiration`.
    pub fn expiration(&self) -> serde_json::Value {
        match (&self.duration, &self.until) {
            (Some(d), _) => serde_json::json!({"type": "AfterDuration", "duration": d}),
            (None, Some(u)) => serde_json::json!({"type": "AfterDateTime", "endDateTime": u}),
            (None, None) => serde_json::json!({"type": "NoExpiration"}),
        }
    }

    /// "eligible for 90 days", "active until 2027-03-01", "eligible, permanent".
    pub fn describe(&self) -> String {
        let kind = if self.eligible { "eligible" } else { "active" };
        match (&self.duration, &self.until) {
            (Some(d), _) => format!("{kind} for {}", rolecall_rbac::duration::words(d)),
            (None, Some(u)) => format!("{kind} until {u}"),
            (None, None) => format!("{kind}, permanent"),
        }
    }

    /// Checks what a person typed: a duration ARM reads, an end it reads.
    pub fn check(&self) -> Result<(), String> {
        if let Some(d) = &self.duration
            && rolecall_rbac::duration::parse(d).is_none()
        {
            return Err(format!(
                "'{d}' is not a duration: give one in ISO 8601, such as P90D (90 days) or PT8H (8 hours)"
            ));
        }
        if let Some(u) = &self.until
            && time::OffsetDateTime::parse(u, &time::format_description::well_known::Rfc3339)
                .is_err()
        {
            return Err(format!(
                "'{u}' is not a date and time: give one such as 2027-03-01T00:00:00Z"
            ));
        }
        Ok(())
    }
}

impl AzureRoleGrant {
    /// The full `roleDefinitionId` ARM wants, under the scope's subscription.
    pub fn role_definition_id(&self) -> String {
        let prefix = rolecall_rbac::Scope::parse(&self.scope)
            .ok()
            .and_then(|s| s.subscription_scope())
            .unwrap_or_default();
        format!(
            "{prefix}/providers/Microsoft.Authorization/roleDefinitions/{}",
            self.role_id
        )
    }

    /// Whether `assignment` gives this grant's role to this grant's member
    /// (at whatever scope).
    pub fn is_held_by(&self, assignment: &rolecall_azure::arm::RoleAssignment) -> bool {
        let p = &assignment.properties;
        rolecall_rbac::roles::definition_guid(&p.role_definition_id)
            == rolecall_rbac::roles::definition_guid(&self.role_id)
            && p.principal_id.eq_ignore_ascii_case(&self.member.id)
    }

    /// PIM's request (`properties`) for this grant's schedule: `AdminAssign`
    /// or `AdminRemove` (the same body for Rolecall's writes and for the
    /// commands its reports give).
    pub fn schedule_request(&self, request_type: &str) -> serde_json::Value {
        let mut body = serde_json::json!({
            "principalId": self.member.id,
            "roleDefinitionId": self.role_definition_id(),
            "requestType": request_type,
        });
        if request_type != "AdminRemove"
            && let Some(s) = &self.schedule
        {
            body["scheduleInfo"] = serde_json::json!({"expiration": s.expiration()});
            if let Some(j) = s.justification.as_deref().or(self.description.as_deref()) {
                body["justification"] = j.into();
            }
            if let Some(t) = &s.ticket {
                body["ticketInfo"] = serde_json::json!({"ticketNumber": t});
            }
        }
        body
    }

    /// PIM's collection for this grant's requests (eligible or active).
    pub fn schedule_requests(&self) -> &'static str {
        if self.schedule.as_ref().is_some_and(|s| s.eligible) {
            "roleEligibilityScheduleRequests"
        } else {
            "roleAssignmentScheduleRequests"
        }
    }

    /// ARM's `guid(scope, principal, role)`: the same grant always has the
    /// same assignment name, so a re-run finds its own work.
    pub fn assignment_name(&self) -> String {
        rolecall_rbac::names::role_assignment_name(&self.scope, &self.member.id, &self.role_id)
            .to_string()
    }
}

/// One app role of an enterprise application for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleGrant {
    /// The enterprise application's service principal (object id).
    #[serde(deserialize_with = "checked::guid")]
    pub resource_id: String,
    pub resource_name: String,
    /// Its application id: what pins it, not the display name.
    #[serde(deserialize_with = "checked::guid")]
    pub app_id: String,
    #[serde(deserialize_with = "checked::guid")]
    pub app_role_id: String,
    /// e.g. `ProvisioningAPI.ReadUser`
    pub app_role_value: String,
    pub member: Member,
}

impl AppRoleGrant {
    /// `role` of the application `app` for `member`.
    pub fn new(
        app: &rolecall_azure::graph::ServicePrincipal,
        role: &rolecall_azure::graph::AppRole,
        member: Member,
    ) -> Self {
        Self {
            resource_id: app.id.clone(),
            resource_name: app.display_name.clone(),
            app_id: app.app_id.clone(),
            app_role_id: role.id.clone(),
            app_role_value: role.value.clone().unwrap_or_default(),
            member,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Grant {
    AzureRole(AzureRoleGrant),
    AppRole(AppRoleGrant),
}

impl Grant {
    /// Checks a grant built from outside input (IPC, flags) as deserialising
    /// one does: its scope parses and its ids are GUIDs; the message says
    /// what to give instead.
    pub fn check(&self) -> Result<(), String> {
        let guid = |what: &str, text: &str| {
            if rolecall_rbac::scope::is_guid(text) {
                Ok(())
            } else {
                Err(format!(
                    "the {what} '{text}' is not an id: give a GUID such as 8f3e2b1a-0000-4000-8000-000000000001"
                ))
            }
        };
        guid("member", &self.member().id)?;
        match self {
            Grant::AzureRole(g) => {
                rolecall_rbac::Scope::parse(&g.scope).map_err(|e| e.to_string())?;
                let role = serde_json::Value::String(g.role_id.clone());
                checked::role(role).map(|_| ()).map_err(|e| e.to_string())
            }
            Grant::AppRole(g) => {
                guid("application's service principal", &g.resource_id)?;
                guid("application id", &g.app_id)?;
                guid("app role", &g.app_role_id)
            }
        }
    }

    pub fn member(&self) -> &Member {
        match self {
            Grant::AzureRole(g) => &g.member,
            Grant::AppRole(g) => &g.member,
        }
    }

    /// One line for progress and reports.
    pub fn describe(&self) -> String {
        match self {
            Grant::AzureRole(g) => {
                let how = g
                    .schedule
                    .as_ref()
                    .map(|s| format!(" ({})", s.describe()))
                    .unwrap_or_default();
                format!(
                    "{} for {} at {}{how}",
                    g.role_name,
                    g.member.label(),
                    g.scope
                )
            }
            Grant::AppRole(g) => format!(
                "{} of {} ({}) for {}",
                g.app_role_value,
                g.resource_name,
                g.app_id,
                g.member.label()
            ),
        }
    }
}

/// What became of one grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    #[serde(rename_all = "camelCase")]
    Created {
        assignment_id: String,
        /// Azure's request id of the write (`x-ms-request-id` / `request-id`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// It was there already (seen in the plan, or Azure said so on write).
    AlreadyInPlace,
    #[serde(rename_all = "camelCase")]
    Inherited { from_scope: String },
    /// Not created: another role the member holds covers it.
    #[serde(rename_all = "camelCase")]
    Covered { by_role: String, from_scope: String },
    /// Azure's request id of the delete, when it answered one (journals
    /// written before it was kept have none).
    #[serde(rename_all = "camelCase")]
    Removed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// An eligible or time-bound assignment made to last longer (PIM's
    /// `AdminExtend`).
    #[serde(rename_all = "camelCase")]
    Extended {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// An eligible or time-bound assignment that had ended, given back
    /// (PIM's `AdminRenew`).
    #[serde(rename_all = "camelCase")]
    Renewed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// Left as it is on purpose (e.g. a custom role others still hold).
    Kept { reason: String },
    /// Nothing to remove.
    AlreadyGone,
    /// Not tried: the plan found the admin lacks the right.
    Blocked { reason: String },
    /// Azure refused or could not be reached; the message says what to do.
    #[serde(rename_all = "camelCase")]
    Failed {
        code: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
}

impl Outcome {
    /// Whether the grant is in the state asked for.
    pub fn is_success(&self) -> bool {
        !matches!(self, Outcome::Blocked { .. } | Outcome::Failed { .. })
    }

    pub(crate) fn failed(error: &rolecall_azure::AzureError) -> Self {
        Outcome::Failed {
            code: error.code(),
            message: error.to_string(),
            request_id: error.request_id().map(str::to_owned),
        }
    }
}

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RunKind {
    /// Creates custom roles, then grants.
    Apply,
    /// Removes grants, then custom roles nobody holds any more.
    Remove,
}

/// A custom role a run creates (`Apply`) or deletes (`Remove`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRole {
    /// The role definition's name: `guid(name, subscription)` for new ones.
    #[serde(deserialize_with = "checked::guid")]
    pub guid: String,
    #[serde(deserialize_with = "checked::draft")]
    pub draft: rolecall_rbac::draft::Draft,
}

/// A run's intent, written before its first write.
///
/// Invariant: its file shape (the journal's `begin` line) is the one every
/// earlier version wrote, `grants` and `toCreate` side by side, so old
/// journals still resume; in memory each grant carries its own flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RunFile", into = "RunFile")]
pub struct Run {
    pub id: String,
    pub kind: RunKind,
    /// What the admin would call it, e.g. "Onboarding Nadia Novak with Azure
    /// Communications Gateway staff".
    pub title: String,
    pub custom_roles: Vec<RunRole>,
    pub grants: Vec<RunGrant>,
    /// For a removal: which assignments it may delete.
    pub removes: Removes,
}

/// One grant of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunGrant {
    pub grant: Grant,
    /// Whether the run set out to create it (the plan said "to create" when
    /// it began): found in place on resume, it is this run's work even when
    /// the crash came between the write and its journal line.
    pub to_create: bool,
}

/// [`Run`] as files hold it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunFile {
    id: String,
    kind: RunKind,
    title: String,
    #[serde(default)]
    custom_roles: Vec<RunRole>,
    grants: Vec<Grant>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    to_create: Vec<bool>,
    #[serde(default)]
    removes: Removes,
}

impl From<RunFile> for Run {
    fn from(file: RunFile) -> Self {
        let grants = file
            .grants
            .into_iter()
            .enumerate()
            .map(|(n, grant)| RunGrant {
                grant,
                to_create: file.to_create.get(n).copied().unwrap_or(false),
            })
            .collect();
        Self {
            id: file.id,
            kind: file.kind,
            title: file.title,
            custom_roles: file.custom_roles,
            grants,
            removes: file.removes,
        }
    }
}

impl From<Run> for RunFile {
    fn from(run: Run) -> Self {
        let to_create = if run.grants.iter().any(|g| g.to_create) {
            run.grants.iter().map(|g| g.to_create).collect()
        } else {
            Vec::new()
        };
        Self {
            id: run.id,
            kind: run.kind,
            title: run.title,
            custom_roles: run.custom_roles,
            grants: run.grants.into_iter().map(|g| g.grant).collect(),
            to_create,
            removes: run.removes,
        }
    }
}

/// Which role assignments a removal deletes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Removes {
    /// Whatever assignment gives the grant (offboarding, "remove all access").
    #[default]
    Any,
    /// Only the assignment under Rolecall's deterministic name for the grant:
    /// an undo removes what Rolecall made, never what someone else made.
    RolecallNamed,
}

impl Run {
    /// A run of `grants`, none of them marked as set out to create.
    pub fn new(kind: RunKind, title: impl Into<String>, grants: Vec<Grant>) -> Self {
        let grants = grants
            .into_iter()
            .map(|grant| RunGrant {
                grant,
                to_create: false,
            })
            .collect();
        Self::of(kind, title, grants)
    }

    /// A run of `grants` as given, each with its own flag.
    pub fn of(kind: RunKind, title: impl Into<String>, grants: Vec<RunGrant>) -> Self {
        Self {
            id: new_run_id(),
            kind,
            title: title.into(),
            custom_roles: Vec::new(),
            grants,
            removes: Removes::Any,
        }
    }

    /// Its grants, without their flags.
    pub fn grant_list(&self) -> Vec<Grant> {
        self.grants.iter().map(|g| g.grant.clone()).collect()
    }

    /// Undoing: a removal of what a run made, and only that.
    pub fn undoing(title: impl Into<String>, grants: Vec<Grant>) -> Self {
        Self {
            removes: Removes::RolecallNamed,
            ..Self::new(RunKind::Remove, title, grants)
        }
    }
}
pub(crate) fn new_run_id() -> String {
    // Time-ordered and unique enough for one admin's journal, without a
    // random source: nanoseconds since the epoch and a process counter.
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!(
        "run-{nanos:x}-{:x}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(test)]
mod outcome_shape {
    use super::Outcome;

    /// A removal's request id is new: journals and reports written before it
    /// still read, and a removal without one is written as before.
    #[test]
    fn removals_keep_their_file_shape() {
        let old: Outcome = serde_json::from_str(r#"{"outcome":"removed"}"#).unwrap();
        assert_eq!(old, Outcome::Removed { request_id: None });
        assert_eq!(
            serde_json::to_string(&old).unwrap(),
            r#"{"outcome":"removed"}"#
        );
        let new = Outcome::Removed {
            request_id: Some("7f3c".into()),
        };
        assert_eq!(
            serde_json::to_string(&new).unwrap(),
            r#"{"outcome":"removed","requestId":"7f3c"}"#
        );
    }
}
