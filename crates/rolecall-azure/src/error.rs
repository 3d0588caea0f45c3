//! One error type for every ARM and Graph call. It keeps what Azure said
//! (code, message, status, request id) and adds what the admin should do.

use std::fmt;
use std::time::Duration;

use rolecall_auth::AuthError;
use serde::Serialize;

/// Which Azure service answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Service {
    /// Azure Resource Manager.
    Arm,
    /// Microsoft Graph.
    Graph,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Service::Arm => "Azure Resource Manager",
            Service::Graph => "Microsoft Graph",
        })
    }
}

/// What kind of failure, for callers that act on it (count "exists" as done,
/// retry "principal not found", offer "sign in again").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// The thing asked for does not exist (or the caller may not see it).
    NotFound,
    /// The thing to create exists already; for an idempotent apply, done.
    AlreadyExists,
    /// The caller lacks a right (ARM `AuthorizationFailed`, Graph
    /// `Authorization_RequestDenied`).
    Forbidden,
    /// A member ARM does not find yet: new principals take minutes to
    /// replicate. Worth retrying with backoff.
    PrincipalNotFound,
    /// The request was refused as invalid; the message says which part.
    Invalid,
    /// A state conflict other than "exists" (e.g. a role still assigned).
    Conflict,
    /// A limit of the directory or subscription is reached.
    LimitExceeded,
    /// Still throttled after the retries.
    Throttled,
    /// The token was refused; signing in again helps.
    Unauthorized,
    /// Azure failed (5xx) after the retries.
    ServerError,
    /// Anything else Azure refused.
    Other,
}

/// A right the caller lacks, as ARM names it in `AuthorizationFailed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingRight {
    pub action: String,
    pub scope: String,
}

/// An error answer from ARM or Graph.
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    pub service: Service,
    pub status: u16,
    /// Azure's code, e.g. `AuthorizationFailed`, `Request_ResourceNotFound`.
    pub code: String,
    /// Azure's message, verbatim.
    pub message: String,
    pub kind: Kind,
    /// What the admin should do next, in a sentence.
    pub what_to_do: String,
    /// Set for `AuthorizationFailed`.
    pub missing_right: Option<MissingRight>,
    /// `x-ms-request-id` (ARM) or `request-id` (Graph): what Microsoft
    /// support asks for.
    pub request_id: Option<String>,
    /// The HTTP method and path (no query) that failed.
    pub request: String,
    #[serde(skip)]
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = self.message.trim_end_matches('.');
        write!(f, "{message} ({}). {}", self.code, self.what_to_do)?;
        if let Some(id) = &self.request_id {
            write!(f, " [{} request id {id}]", self.service)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AzureError {
    #[error("{0}")]
    Api(Box<ApiError>),
    /// No token could be had: not signed in, sign in again, MFA, claims challenge.
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(
        "{service} could not be reached ({detail}). Check the network connection and any proxy, then try again."
    )]
    Unreachable { service: Service, detail: String },
    #[error(
        "{service} answered in a way Rolecall does not understand ({detail}). This is a bug in Rolecall; please report it{}.",
        request_id.as_ref().map(|id| format!(" with request id {id}")).unwrap_or_default()
    )]
    Protocol {
        service: Service,
        detail: String,
        request_id: Option<String>,
    },
}

pub type Result<T, E = AzureError> = std::result::Result<T, E>;

impl AzureError {
    /// The Azure answer, when the failure is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            AzureError::Api(e) => Some(e),
            _ => None,
        }
    }

    pub fn kind(&self) -> Option<Kind> {
        self.api().map(|e| e.kind)
    }

    /// PIM refused for want of Microsoft Entra ID P2 (or ID Governance) in the tenant.
    pub fn is_pim_unlicensed(&self) -> bool {
        self.api()
            .is_some_and(|e| e.code == "AadPremiumLicenseRequired")
    }

    /// Azure's request id of the answer, when there was one (for support).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            AzureError::Api(e) => e.request_id.as_deref(),
            AzureError::Protocol { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// A stable code for the UI and `--json` output: Azure's own code for
    /// Azure's answers, Rolecall's for the rest.
    pub fn code(&self) -> String {
        match self {
            AzureError::Api(e) => e.code.clone(),
            AzureError::Auth(e) => e.code().to_owned(),
            AzureError::Unreachable { .. } => "Unreachable".to_owned(),
            AzureError::Protocol { .. } => "Protocol".to_owned(),
        }
    }
}

/// `Ok(None)` for "not found", so a lookup reads as one.
pub(crate) fn not_found_as_none<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(AzureError::Api(e)) if e.kind == Kind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads `action` and `scope` out of ARM's `AuthorizationFailed` message:
/// "… does not have authorization to perform action '{action}' over scope
/// '{scope}' or the scope is invalid. …"
pub fn missing_right(message: &str) -> Option<MissingRight> {
    let quoted_after = |marker: &str| -> Option<String> {
        let rest = &message[message.find(marker)? + marker.len()..];
        let rest = rest.strip_prefix('\'')?;
        Some(rest[..rest.find('\'')?].to_owned())
    };
    Some(MissingRight {
        action: quoted_after("perform action ")?,
        scope: quoted_after("over scope ")?,
    })
}

/// The roles that carry a right admins commonly lack, to name in the advice.
fn roles_granting(action: &str) -> &'static str {
    let action = action.to_ascii_lowercase();
    if action.starts_with("microsoft.authorization/roleassignments/") {
        "Owner, User Access Administrator or Role Based Access Control Administrator"
    } else if action.starts_with("microsoft.authorization/roledefinitions/") {
        "Owner or User Access Administrator"
    } else if action.ends_with("/read") {
        "Reader or any role above it"
    } else {
        "Owner or Contributor, or a role that includes this action"
    }
}

/// Classifies an error answer and says what to do about it.
pub(crate) fn classify(
    service: Service,
    status: u16,
    code: &str,
    message: &str,
) -> (Kind, String, Option<MissingRight>) {
    let advice = |kind: Kind, text: &str| (kind, text.to_owned(), None);
    match (service, code) {
        (Service::Arm, "AuthorizationFailed") => {
            let right = missing_right(message);
            let text = match &right {
                Some(MissingRight { action, scope }) => format!(
                    "You lack '{action}' at '{scope}'. Ask an administrator of that scope for a role that includes it ({}), or have them do this step; if it was granted minutes ago, sign in again so Azure sees it.",
                    roles_granting(action)
                ),
                None => "You lack a right this step needs. Ask an Owner or User Access Administrator of the scope.".to_owned(),
            };
            (Kind::Forbidden, text, right)
        }
        (Service::Graph, "Authorization_RequestDenied") => advice(
            Kind::Forbidden,
            "Your Microsoft Entra roles do not allow this. Assigning app roles needs Cloud Application Administrator, Application Administrator or Global Administrator; ask a Global Administrator to grant one or to do this step.",
        ),
        // PIM (roleEligibilityScheduleRequests, roleAssignmentScheduleRequests).
        (Service::Arm, "AadPremiumLicenseRequired") => advice(
            Kind::Other,
            "Eligible and time-bound assignments need Microsoft Entra ID P2 (or ID Governance) in this tenant. Assign the role as active and permanent instead, or ask for the licence.",
        ),
        (Service::Arm, "RoleAssignmentRequestPolicyValidationFailed")
            if message.contains("MfaRule") =>
        {
            let mut text = "The role's PIM settings ask for multi-factor authentication, and this sign-in had none: sign in again (Account → Sign in again, or rolecall-cli login), completing the multi-factor step your organisation's sign-in page asks for, then try again.".to_owned();
            // Other rules failed too (a justification, a ticket, the length).
            if message.matches("Rule\"").count() > 1 {
                text.push_str(" Meet the other rules it names as well (a justification or ticket, a shorter duration).");
            }
            advice(Kind::Unauthorized, &text)
        }
        (Service::Arm, "RoleAssignmentRequestPolicyValidationFailed") => advice(
            Kind::Invalid,
            "The role's PIM settings at this scope refuse this request (the message names the rules): shorten the duration, add a justification or ticket, or ask an Owner to change the role's settings.",
        ),
        (Service::Arm, "SubjectNotFound") => advice(
            Kind::PrincipalNotFound,
            "If the member was created in the last minutes, the directory is still replicating: Rolecall retries for a while. Otherwise check that the member exists in this tenant.",
        ),
        (Service::Arm, "ActiveDurationTooShort") => advice(
            Kind::Conflict,
            "PIM does not remove an assignment within 5 minutes of making it: try again in a few minutes.",
        ),
        (Service::Arm, "RoleAssignmentDoesNotExist") => advice(
            Kind::NotFound,
            "Nothing to remove: the member does not hold this assignment any more.",
        ),
        (Service::Arm, "RoleAssignmentRequestExists") => advice(
            Kind::AlreadyExists,
            "Nothing to do: this request was made already.",
        ),
        (Service::Arm, "RoleAssignmentExists") => advice(
            Kind::AlreadyExists,
            "Nothing to do: this member already has this role at this scope.",
        ),
        (Service::Graph, "Request_BadRequest")
            if message.contains("already exists on the object") =>
        {
            advice(
                Kind::AlreadyExists,
                "Nothing to do: the member already has this app role.",
            )
        }
        (Service::Arm, "PrincipalNotFound") => advice(
            Kind::PrincipalNotFound,
            "If the member was created in the last minutes, the directory is still replicating: Rolecall retries for a while. Otherwise check that the member exists in this tenant.",
        ),
        (Service::Arm, "RoleDefinitionWithSameNameExists" | "RoleDefinitionExists") => advice(
            Kind::AlreadyExists,
            "Custom role names are unique per directory: choose another name, or edit the existing role.",
        ),
        (Service::Arm, "InvalidActionOrNotAction") => advice(
            Kind::Invalid,
            "Remove or correct that action; the permissions step searches the actions Azure knows.",
        ),
        (Service::Arm, "MissingAssignableScopes") => {
            advice(Kind::Invalid, "Add at least one assignable scope.")
        }
        (Service::Arm, "RoleDefinitionNameNullOrEmpty") => {
            advice(Kind::Invalid, "Give the custom role a name.")
        }
        (
            Service::Arm,
            "InvalidRoleAssignmentScope" | "InvalidDataActionsAtManagementGroupScope",
        ) => advice(
            Kind::Invalid,
            "Choose a scope the role may be assigned at (its assignable scopes), or widen the role's assignable scopes.",
        ),
        (Service::Arm, "RoleAssignmentUpdateNotPermitted") => advice(
            Kind::Conflict,
            "An assignment's role, member and scope cannot change: remove it and create a new one.",
        ),
        (Service::Arm, "RoleDefinitionHasAssignments") => advice(
            Kind::Conflict,
            "Remove the role's assignments first (the role assignments view lists them), then delete it.",
        ),
        (Service::Arm, "UnmatchedPrincipalType") => advice(
            Kind::Invalid,
            "The member's type does not match: pick the member again so Rolecall sends its type as Entra reports it.",
        ),
        (Service::Arm, "RoleDefinitionLimitExceeded") => advice(
            Kind::LimitExceeded,
            "The directory has 5,000 custom roles: delete unused ones first.",
        ),
        (Service::Arm, "RoleAssignmentLimitExceeded") => advice(
            Kind::LimitExceeded,
            "The subscription has 4,000 role assignments: remove unused ones, or assign roles to groups instead of each person.",
        ),
        (Service::Arm, "ReadOnlyDisabledSubscription") => advice(
            Kind::Conflict,
            "The subscription is disabled and read-only: re-enable it first.",
        ),
        (
            Service::Arm,
            "RoleDefinitionDoesNotExist" | "RoleAssignmentNotFound" | "DenyAssignmentNotFound",
        ) => advice(
            Kind::NotFound,
            "It may have been deleted, or you may lack read access there; refresh and pick it again.",
        ),
        (Service::Arm, "SubscriptionNotFound") => advice(
            Kind::NotFound,
            "Check the subscription id, and that your account can see it in this tenant.",
        ),
        (Service::Arm, "ResourceGroupNotFound" | "ResourceNotFound") => advice(
            Kind::NotFound,
            "It may have been deleted or renamed; refresh and pick it again.",
        ),
        (Service::Graph, "Request_ResourceNotFound") => advice(
            Kind::NotFound,
            "It may have been deleted, or the id belongs to another tenant; search for it again.",
        ),
        (
            Service::Arm,
            "InvalidPrincipalId"
            | "InvalidRoleAssignmentId"
            | "InvalidRoleDefinitionId"
            | "InvalidRoleDefinitionType"
            | "LinkedInvalidPropertyId"
            | "InvalidRequestContent"
            | "InvalidResourceType"
            | "InvalidFilterInQueryString"
            | "MissingApiVersionParameter"
            | "NoRegisteredProviderFound"
            | "UnsupportedQuery"
            | "MethodNotAllowed"
            | "ProviderNotFound",
        )
        | (Service::Graph, "Request_UnsupportedQuery" | "BadRequest" | "Request_BadRequest") => {
            advice(
                Kind::Invalid,
                "Rolecall sent a request Azure refuses: please report this with the request id.",
            )
        }
        (Service::Arm, "SubscriptionRequestsThrottled" | "TenantRequestsThrottled")
        | (_, "TooManyRequests") => advice(
            Kind::Throttled,
            "Azure is limiting how fast requests may come; Rolecall already waited and retried. Wait a minute, then retry.",
        ),
        (
            _,
            "InvalidAuthenticationToken"
            | "ExpiredAuthenticationToken"
            | "AuthenticationFailed"
            | "InvalidAuthenticationTokenAudience"
            | "InvalidAuthenticationTokenTenant",
        ) => advice(
            Kind::Unauthorized,
            "Azure refused the sign-in: sign in again (account menu).",
        ),
        _ if status == 429 => advice(
            Kind::Throttled,
            "Azure is limiting how fast requests may come; Rolecall already waited and retried. Wait a minute, then retry.",
        ),
        _ if status == 401 => advice(
            Kind::Unauthorized,
            "Azure refused the sign-in: sign in again (account menu).",
        ),
        _ if status == 403 => advice(
            Kind::Forbidden,
            "You lack a right this step needs; ask an administrator of the scope.",
        ),
        _ if status == 404 => advice(Kind::NotFound, "Refresh and pick it again."),
        _ if status >= 500 => advice(
            Kind::ServerError,
            "Azure failed to answer even after retries; try again in a few minutes, and check the Azure status page if it persists.",
        ),
        _ => advice(
            Kind::Other,
            "Azure refused the request; the message above says why.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_missing_right_from_arms_message() {
        let message = "The client 'rita.reader@contosodemo.onmicrosoft.com' with object id '8d2b…' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '/subscriptions/1111/resourceGroups/rg-acg/providers/Microsoft.Authorization/roleAssignments/abc' or the scope is invalid. If access was recently granted, please refresh your credentials.";
        let right = missing_right(message).unwrap();
        assert_eq!(
            right.action,
            "Microsoft.Authorization/roleAssignments/write"
        );
        assert!(
            right
                .scope
                .starts_with("/subscriptions/1111/resourceGroups/rg-acg")
        );
        let (kind, text, _) = classify(Service::Arm, 403, "AuthorizationFailed", message);
        assert_eq!(kind, Kind::Forbidden);
        assert!(text.contains("User Access Administrator"), "{text}");
        assert_eq!(missing_right("Insufficient privileges."), None);
    }

    #[test]
    fn a_pim_refusal_for_want_of_mfa_says_to_sign_in_again_and_names_the_other_rules() {
        let code = "RoleAssignmentRequestPolicyValidationFailed";
        let (kind, text, _) = classify(
            Service::Arm,
            400,
            code,
            "The following policy rules failed: [\"MfaRule\"]",
        );
        assert_eq!(kind, Kind::Unauthorized);
        assert!(
            text.contains("sign in again") && !text.contains("other rules"),
            "{text}"
        );
        let (_, text, _) = classify(
            Service::Arm,
            400,
            code,
            "The following policy rules failed: [\"JustificationRule\",\"MfaRule\"]",
        );
        assert!(text.contains("other rules"), "{text}");
        let (kind, text, _) = classify(
            Service::Arm,
            400,
            code,
            "The following policy rules failed: [\"ExpirationRule\"]",
        );
        assert_eq!(kind, Kind::Invalid);
        assert!(!text.contains("multi-factor"), "{text}");
    }

    #[test]
    fn unknown_codes_fall_back_on_the_status() {
        assert_eq!(
            classify(Service::Graph, 503, "UnknownError", "").0,
            Kind::ServerError
        );
        assert_eq!(
            classify(Service::Arm, 404, "Whatever", "").0,
            Kind::NotFound
        );
        assert_eq!(classify(Service::Arm, 400, "Whatever", "").0, Kind::Other);
    }
}
