//! PIM's approvals of activations (`Microsoft.Authorization/roleAssignmentApprovals`,
//! `2021-01-01-preview`): an activation of a role whose policy requires
//! approval waits as `PendingApproval` until an approver records a decision
//! on its one stage. Shapes follow the spec
//! (`authorization-RoleAssignmentApprovalCalls.json`) and its examples (whose
//! ids say `stages` while the paths say `steps`: both are served); behaviour
//! follows Microsoft's "Approve requests for Azure resource roles in PIM" and
//! "Use Role Assignment Approvals … with REST API" pages: the first approver
//! to decide resolves it, a request not decided within 24 hours must be made
//! again. Where no source says what ARM answers, the wording is this
//! emulator's.

use serde::Deserialize;
use serde_json::{Value, json};

use super::*;
use crate::arm::model::{PimApproval, PimKind, PimRequest};
use pim::bad;

pub(super) const APPROVAL_VERSIONS: &[&str] = &["2021-01-01-preview"];

/// How long approvers have (Microsoft: 24 hours, not configurable).
pub(super) const DECIDE_WITHIN: time::Duration = time::Duration::hours(24);

/// Who may decide on an activation of `role` at `scope`: the policy's first
/// stage's primary approvers (users, or groups whose members may), else the
/// tenant's Global Administrators (PIM's default approvers when none are
/// chosen; the emulator has no Privileged Role Administrators).
pub(super) fn approvers(setting: &Value, directory: &Directory) -> Vec<String> {
    let chosen: Vec<String> = setting["approvalStages"][0]["primaryApprovers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    if !chosen.is_empty() {
        return chosen;
    }
    directory
        .directory_role_members
        .iter()
        .filter(|(role, _)| role == crate::directory::role_templates::GLOBAL_ADMINISTRATOR)
        .map(|(_, member)| member.to_ascii_lowercase())
        .collect()
}

/// Where in `requests` the activation request `name` stands (the one an
/// approval decides on).
fn request_index(requests: &[PimRequest], name: &str) -> Option<usize> {
    requests
        .iter()
        .position(|r| r.kind == PimKind::Assignment && r.name.eq_ignore_ascii_case(name))
}

/// The activation request `approval` decides on.
fn request_of<'a>(arm: &'a ArmState, approval: &PimApproval) -> Option<&'a PimRequest> {
    request_index(&arm.pim.requests, &approval.request_name).map(|i| &arm.pim.requests[i])
}

/// Whether `oid` may decide on `approval`: an approver, and not the person
/// it would activate (PIM: approvers cannot approve their own requests).
fn may_decide(approval: &PimApproval, arm: &ArmState, directory: &Directory, oid: &str) -> bool {
    is_approver(approval, directory, oid)
        && !request_of(arm, approval).is_some_and(|r| r.principal_id.eq_ignore_ascii_case(oid))
}

fn is_approver(approval: &PimApproval, directory: &Directory, oid: &str) -> bool {
    let mine = directory.principal_and_groups(oid);
    approval
        .approvers
        .iter()
        .any(|a| mine.iter().any(|m| m.eq_ignore_ascii_case(a)))
}

/// Whether request `r` waits for a decision `oid` may take.
pub(super) fn awaits(arm: &ArmState, directory: &Directory, r: &PimRequest, oid: &str) -> bool {
    r.approval.as_deref().is_some_and(|name| {
        arm.pim.approvals.iter().any(|a| {
            a.name.eq_ignore_ascii_case(name)
                && a.status == "InProgress"
                && may_decide(a, arm, directory, oid)
        })
    })
}

fn approval_id(name: &str) -> String {
    format!("/providers/Microsoft.Authorization/roleAssignmentApprovals/{name}")
}

fn stage_wire(
    approval: &PimApproval,
    arm: &ArmState,
    directory: &Directory,
    caller: &str,
) -> Value {
    let reviewer = approval.reviewed_by.as_deref().map(|id| {
        let user = directory
            .users
            .iter()
            .find(|u| u.id.eq_ignore_ascii_case(id));
        json!({
            "principalType": "user",
            "principalId": id,
            "principalName": user.map(|u| u.display_name.clone()),
            "userPrincipalName": user.map(|u| u.user_principal_name.clone()),
        })
    });
    json!({
        "id": format!("{}/stages/{}", approval_id(&approval.name), approval.stage),
        "type": "Microsoft.Authorization/roleAssignmentApprovals/stages",
        "name": approval.stage,
        "properties": {
            "displayName": "Approval",
            "assignedToMe": approval.status == "InProgress" && may_decide(approval, arm, directory, caller),
            "status": approval.status,
            "reviewedBy": reviewer,
            "reviewedDateTime": approval.reviewed_on,
            "reviewResult": approval.review_result,
            "justification": approval.justification,
        },
    })
}

fn approval_wire(
    approval: &PimApproval,
    arm: &ArmState,
    directory: &Directory,
    caller: &str,
) -> Value {
    json!({
        "id": approval_id(&approval.name),
        // As the spec's example has it.
        "type": "Microsoft.Authorization/roleAssignmentApprovals/stages",
        "name": approval.name,
        "properties": {"stages": [stage_wire(approval, arm, directory, caller)]},
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Decision {
    review_result: String,
    #[serde(default)]
    justification: Option<String>,
}

/// `PATCH`/`PUT` bodies come as the spec has them (`{"properties": {…}}`)
/// or bare, as Microsoft's how-to page shows.
#[derive(Deserialize)]
#[serde(untagged)]
enum DecisionBody {
    Wrapped { properties: Decision },
    Bare(Decision),
}

/// `GET|PATCH|PUT /providers/Microsoft.Authorization/roleAssignmentApprovals[/{id}[/steps|stages[/{stepId}]]]`.
pub(super) fn handle(
    ctx: &Ctx<'_>,
    name: Option<&str>,
    child: Option<&str>,
    step: Option<&str>,
) -> Result<Response, Response> {
    let mut state = ctx.shared.state.lock().expect("state lock");
    let state = &mut *state;
    let (arm, directory) = (&mut state.arm, &state.directory);
    pim::tick(arm);
    let caller = ctx.caller.oid.clone();
    let visible = |a: &PimApproval, arm: &ArmState| {
        is_approver(a, directory, &caller)
            || request_of(arm, a).is_some_and(|r| {
                r.principal_id.eq_ignore_ascii_case(&caller)
                    || r.requestor_id.eq_ignore_ascii_case(&caller)
            })
    };
    let not_found = |what: &str| {
        arm_error(
            StatusCode::NOT_FOUND,
            "RoleAssignmentApprovalNotFound",
            &format!("The role assignment approval '{what}' was not found."),
        )
    };
    match (
        &ctx.method,
        name,
        child.map(str::to_ascii_lowercase).as_deref(),
        step,
    ) {
        (&Method::GET, None, None, None) => {
            let filter = ctx
                .param("$filter")
                .map(|f| f.trim().to_ascii_lowercase())
                .unwrap_or_default();
            let keep = |a: &PimApproval| match filter.as_str() {
                "asapprover()" => Ok(may_decide(a, arm, directory, &caller)),
                "astarget()" => Ok(request_of(arm, a)
                    .is_some_and(|r| r.principal_id.eq_ignore_ascii_case(&caller))),
                "ascreatedby()" => Ok(request_of(arm, a)
                    .is_some_and(|r| r.requestor_id.eq_ignore_ascii_case(&caller))),
                "" => Ok(visible(a, arm)),
                _ => Err(()),
            };
            let mut items = Vec::new();
            for a in &arm.pim.approvals {
                match keep(a) {
                    Ok(true) => items.push(approval_wire(a, arm, directory, &caller)),
                    Ok(false) => {}
                    Err(()) => {
                        return Err(arm_error(
                            StatusCode::BAD_REQUEST,
                            "InvalidFilter",
                            "Valid values for $filter are 'asApprover()', 'asCreatedBy()' and 'asTarget()'.",
                        ));
                    }
                }
            }
            Ok(ctx.paged(items))
        }
        // The approval, its stages, or one stage, as the caller may see them.
        (&Method::GET, Some(name), child @ (None | Some("steps" | "stages")), step)
            if child.is_some() || step.is_none() =>
        {
            let a = arm
                .pim
                .approvals
                .iter()
                .find(|a| {
                    a.name.eq_ignore_ascii_case(name)
                        && step.is_none_or(|s| a.stage.eq_ignore_ascii_case(s))
                        && visible(a, arm)
                })
                .ok_or_else(|| not_found(name))?;
            let wire = match (child, step) {
                (None, _) => approval_wire(a, arm, directory, &caller),
                (Some(_), None) => json!({"value": [stage_wire(a, arm, directory, &caller)]}),
                (Some(_), Some(_)) => stage_wire(a, arm, directory, &caller),
            };
            Ok(axum::Json(wire).into_response())
        }
        (&Method::PATCH | &Method::PUT, Some(name), Some("steps" | "stages"), Some(step)) => {
            let decision = match ctx.json_body::<DecisionBody>()? {
                DecisionBody::Wrapped { properties } | DecisionBody::Bare(properties) => properties,
            };
            let verdict = match decision.review_result.as_str() {
                "Approve" | "Deny" => decision.review_result.clone(),
                other => {
                    return Err(bad(
                        "InvalidReviewResult",
                        &format!("The review result '{other}' is not valid: Approve or Deny."),
                    ));
                }
            };
            let index = arm
                .pim
                .approvals
                .iter()
                .position(|a| {
                    a.name.eq_ignore_ascii_case(name) && a.stage.eq_ignore_ascii_case(step)
                })
                .ok_or_else(|| not_found(name))?;
            let approval = arm.pim.approvals[index].clone();
            if !is_approver(&approval, directory, &caller) {
                return Err(arm_error(
                    StatusCode::FORBIDDEN,
                    "AuthorizationFailed",
                    &format!("The requestor {caller} is not an approver of this request."),
                ));
            }
            let request = request_index(&arm.pim.requests, &approval.request_name)
                .ok_or_else(|| not_found(name))?;
            if arm.pim.requests[request]
                .principal_id
                .eq_ignore_ascii_case(&caller)
            {
                // PIM: approvers cannot approve their own requests.
                return Err(arm_error(
                    StatusCode::FORBIDDEN,
                    "AuthorizationFailed",
                    "You cannot approve or deny your own request.",
                ));
            }
            if approval.status != "InProgress" {
                return Err(bad(
                    "ApprovalStageNotInProgress",
                    &format!(
                        "This request was {} already and can take no other decision.",
                        approval.review_result
                    ),
                ));
            }
            if verdict == "Approve" {
                pim::provision_approved(arm, request);
            } else {
                arm.pim.requests[request].status = "Denied".into();
            }
            let a = &mut arm.pim.approvals[index];
            a.status = "Completed".into();
            a.review_result = verdict;
            a.reviewed_by = Some(caller.to_ascii_lowercase());
            a.reviewed_on = Some(pim::stamp(pim::now()));
            a.justification = decision.justification.unwrap_or_default();
            let wire = stage_wire(&arm.pim.approvals[index], arm, directory, &caller);
            Ok(axum::Json(wire).into_response())
        }
        _ => Err(method_not_allowed()),
    }
}

/// Approvals nobody decided on within [`DECIDE_WITHIN`] expire; their
/// requests time out (to be made again).
pub(super) fn expire(arm: &mut ArmState, at: time::OffsetDateTime) {
    for a in arm
        .pim
        .approvals
        .iter_mut()
        .filter(|a| a.status == "InProgress")
    {
        let made = pim::parse_time(&a.created_on);
        if made.is_some_and(|m| m + DECIDE_WITHIN <= at) {
            a.status = "Expired".into();
            if let Some(i) = request_index(&arm.pim.requests, &a.request_name) {
                arm.pim.requests[i].status = "TimedOut".into();
            }
        }
    }
}
