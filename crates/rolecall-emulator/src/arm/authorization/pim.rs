//! Privileged Identity Management for Azure resources: eligibility and
//! assignment schedule requests, the schedules and instances they make,
//! eligible child resources (role management policies: `pim_policies.rs`;
//! approvals of activations: `approvals.rs`).
//! Shapes follow the 2020-10-01 spec and its examples; behaviour follows
//! the recorded traffic and Microsoft's PIM pages (see the shared reference,
//! "ARM, Privileged Identity Management"). Where no source says what ARM
//! answers, the code says the wording is this emulator's.

use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::pim_policies::policy_rules;
use super::*;
use crate::arm::model::{PimApproval, PimKind, PimRequest, PimSchedule};

pub(super) const PIM_VERSIONS: &[&str] =
    &["2020-10-01", "2020-10-01-preview", "2024-09-01-preview"];

/// PIM needs Microsoft Entra ID P2 or ID Governance. No Microsoft page says
/// what ARM answers without one; `400 AadPremiumLicenseRequired` is what
/// clients meet (mondoohq/mql #8955, seen live; CompassSecurity/EntraFalcon
/// #4), and the message is the retired Graph PIM API's.
/// Whether `oid` (or a group it is in) holds a PIM schedule at, above or
/// below the subscription `subscription_id`.
pub(super) fn reaches(
    arm: &ArmState,
    directory: &Directory,
    oid: &str,
    subscription_id: &str,
) -> bool {
    let sub = format!("/subscriptions/{subscription_id}");
    let holders = directory.principal_and_groups(oid);
    arm.pim.schedules.iter().any(|s| {
        holders
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&s.principal_id))
            && (covers(arm, &s.scope, &sub) || covers(arm, &sub, &s.scope))
    })
}

pub(super) fn licensed(ctx: &Ctx<'_>) -> Result<(), Response> {
    if ctx
        .shared
        .state
        .lock()
        .expect("state lock")
        .settings
        .entra_p2
    {
        return Ok(());
    }
    Err(bad(
        "AadPremiumLicenseRequired",
        "The tenant needs an AAD Premium 2 license.",
    ))
}

/// An assignment can't be shorter than 5 minutes, nor removed within 5 minutes.
const SHORTEST: time::Duration = time::Duration::minutes(5);

// ---------------------------------------------------------------------------
// Time.

pub(super) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// ARM's form: UTC, seven fractional digits.
pub(super) fn stamp(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

pub(super) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// An ISO 8601 duration as ARM reads one (`P365D`, `PT8H`, `P1Y2M`, `P2W`):
/// a year is 365 days and a month 30, as .NET's `XmlConvert` counts them.
/// Rolecall reads them with `rolecall_rbac::duration`; the emulator keeps
/// its own reader, so a mistake in one is not mirrored by the other.
pub fn iso_duration(text: &str) -> Option<time::Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, clock) = match rest.split_once('T') {
        Some((d, c)) => (d, Some(c)),
        None => (rest, None),
    };
    let mut total = time::Duration::ZERO;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let seconds = units.iter().find(|(u, _)| *u == c)?.1;
            let n: f64 = number.parse().ok()?;
            total += time::Duration::seconds_f64(n * seconds);
            number.clear();
            any = true;
        }
        number.is_empty().then_some(())
    };
    const DAY: f64 = 86_400.0;
    take(
        date,
        &[
            ('Y', 365.0 * DAY),
            ('M', 30.0 * DAY),
            ('W', 7.0 * DAY),
            ('D', DAY),
        ],
    )?;
    if let Some(clock) = clock {
        if clock.is_empty() {
            return None;
        }
        take(clock, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    any.then_some(total)
}

/// How long an ended schedule can be renewed.
const RENEWABLE_FOR: time::Duration = time::Duration::days(30);

/// Ends what ran out and starts what is due: an active schedule holds a
/// role assignment while it runs, so ARM's evaluation honours its times.
/// Called before every ARM request (`arm::handle_authenticated`), and
/// after a request makes a schedule, so it holds at once.
pub fn tick(arm: &mut ArmState) {
    if arm.pim.schedules.is_empty() && arm.pim.requests.is_empty() && arm.pim.expired.is_empty() {
        return;
    }
    let at = now();
    super::approvals::expire(arm, at);
    let ended = |s: &PimSchedule| {
        s.end
            .as_deref()
            .and_then(parse_time)
            .is_some_and(|e| e <= at)
    };
    let mut gone = Vec::new();
    let mut expired = Vec::new();
    arm.pim.schedules.retain(|s| {
        if ended(s) {
            if let Some(a) = &s.role_assignment {
                gone.push(a.clone());
            }
            if s.assignment_type.as_deref() != Some("Activated") {
                expired.push(PimSchedule {
                    role_assignment: None,
                    ..s.clone()
                });
            }
            false
        } else {
            true
        }
    });
    arm.pim.expired.extend(expired);
    // Renewable for 30 days after its end.
    arm.pim.expired.retain(|s| {
        s.end
            .as_deref()
            .and_then(parse_time)
            .is_some_and(|e| e + RENEWABLE_FOR > at)
    });
    arm.role_assignments
        .retain(|a| !gone.iter().any(|g| g.eq_ignore_ascii_case(&a.name)));
    let mut new_assignments = Vec::new();
    for s in arm.pim.schedules.iter_mut() {
        let started = parse_time(&s.start).is_some_and(|t| t <= at);
        if s.kind == PimKind::Assignment && started && s.role_assignment.is_none() {
            let name = s.name.clone();
            new_assignments.push(RoleAssignment {
                name: name.clone(),
                scope: s.scope.clone(),
                role_definition_name: s.role.clone(),
                principal_id: s.principal_id.clone(),
                principal_type: s.principal_type.clone(),
                description: None,
                condition: s.condition.clone(),
                condition_version: s.condition_version.clone(),
                created_on: stamp(at),
                updated_on: stamp(at),
                created_by: String::new(),
                updated_by: String::new(),
            });
            s.role_assignment = Some(name);
        }
    }
    arm.role_assignments.extend(new_assignments);
    for r in arm.pim.requests.iter_mut() {
        if r.status == "Granted" && parse_time(&r.start).is_some_and(|t| t <= at) {
            r.status = "Provisioned".into();
        }
    }
}

// ---------------------------------------------------------------------------
// Names, ids and expanded properties.

fn type_name(kind: PimKind, what: &str) -> String {
    let base = match kind {
        PimKind::Eligibility => "RoleEligibility",
        PimKind::Assignment => "RoleAssignment",
    };
    format!("{base}{what}")
}

fn camel(kind: PimKind, what: &str) -> String {
    let mut t = type_name(kind, what);
    t.replace_range(0..1, "r");
    t
}

/// `{scope}/providers/Microsoft.Authorization/{collection}/{name}`.
pub(super) fn item_id(scope: &str, collection: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/{collection}/{name}",
        scope.trim_end_matches('/')
    )
}

/// Request ids as ARM answers them: a subscription's scope carries the
/// `/providers/Microsoft.Subscription` prefix there (recorded), though
/// `properties.scope` does not.
fn request_side_id(scope: &str, collection: &str, name: &str) -> String {
    let id = item_id(scope, collection, name);
    if id.to_ascii_lowercase().starts_with("/subscriptions/") {
        format!("/providers/Microsoft.Subscription{id}")
    } else {
        id
    }
}

pub(super) fn role_id(scope: &str, role: &str) -> String {
    let sub = scope_subscription(scope);
    format!("{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}")
}

fn scope_subscription(scope: &str) -> String {
    let parts: Vec<&str> = scope.trim_start_matches('/').split('/').collect();
    if parts.len() >= 2 && parts[0].eq_ignore_ascii_case("subscriptions") {
        format!("/subscriptions/{}", parts[1])
    } else {
        String::new()
    }
}

pub(super) fn scope_kind(scope: &str) -> &'static str {
    let parts: Vec<&str> = scope
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    match parts.len() {
        0 => "root",
        2 => "subscription",
        4 if parts[0].eq_ignore_ascii_case("providers") => "managementgroup",
        4 => "resourcegroup",
        _ => "resource",
    }
}

pub(super) fn scope_name(arm: &ArmState, scope: &str) -> String {
    let parts: Vec<&str> = scope
        .trim_start_matches('/')
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    match scope_kind(scope) {
        "subscription" => arm
            .subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(parts[1]))
            .map(|s| s.display_name.clone())
            .unwrap_or_default(),
        "managementgroup" => arm
            .management_group(parts[3])
            .map(|g| g.display_name.clone())
            .unwrap_or_default(),
        "root" => "Root".into(),
        _ => parts.last().map(|s| (*s).to_owned()).unwrap_or_default(),
    }
}

fn expanded(
    arm: &ArmState,
    directory: &Directory,
    scope: &str,
    role: &str,
    principal: &str,
) -> Value {
    let definition = arm
        .role_definitions
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(role));
    let (name, email, kind) = if let Some(u) = directory
        .users
        .iter()
        .find(|u| u.id.eq_ignore_ascii_case(principal))
    {
        (
            u.display_name.clone(),
            u.mail.clone().or(Some(u.user_principal_name.clone())),
            "User",
        )
    } else if let Some(g) = directory
        .groups
        .iter()
        .find(|g| g.id.eq_ignore_ascii_case(principal))
    {
        (g.display_name.clone(), None, "Group")
    } else if let Some(s) = directory
        .service_principals
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(principal))
    {
        (s.display_name.clone(), None, "ServicePrincipal")
    } else {
        (String::new(), None, "Unknown")
    };
    json!({
        "scope": {"id": scope, "displayName": scope_name(arm, scope), "type": scope_kind(scope)},
        "roleDefinition": {
            "id": role_id(scope, role),
            "displayName": definition.map(|d| d.role_name.clone()),
            "type": definition.map(|d| d.role_type.clone()),
        },
        "principal": {"id": principal, "displayName": name, "email": email, "type": kind},
    })
}

/// `ticketInfo` as asked; 2020-10-01 and later spell out its empty fields
/// (the spec's examples), the preview sent `{}` back (recorded).
fn ticket_wire(ticket: &Value, api_version: &str) -> Value {
    let mut ticket = ticket.clone();
    if api_version != "2020-10-01-preview"
        && let Some(object) = ticket.as_object_mut()
    {
        object.entry("ticketNumber").or_insert(Value::Null);
        object.entry("ticketSystem").or_insert(Value::Null);
    }
    ticket
}

fn request_wire(ctx: &Ctx<'_>, arm: &ArmState, directory: &Directory, r: &PimRequest) -> Value {
    let collection = camel(r.kind, "ScheduleRequests");
    let schedules = camel(r.kind, "Schedules");
    let target = r
        .target_schedule
        .as_deref()
        .map(|t| request_side_id(&r.scope, &schedules, t));
    let mut properties = json!({
        "scope": r.scope,
        "roleDefinitionId": role_id(&r.scope, &r.role),
        "principalId": r.principal_id,
        "principalType": r.principal_type,
        "requestType": r.request_type,
        "status": r.status,
        "approvalId": r.approval.as_deref().map(|a| format!("/providers/Microsoft.Authorization/roleAssignmentApprovals/{a}")),
        "scheduleInfo": {"startDateTime": r.start, "expiration": r.expiration},
        "ticketInfo": ticket_wire(&r.ticket_info, &ctx.api_version),
        "justification": r.justification,
        "requestorId": r.requestor_id,
        "createdOn": r.created_on,
        "condition": r.condition,
        "conditionVersion": r.condition_version,
        "expandedProperties": expanded(arm, directory, &r.scope, &r.role, &r.principal_id),
    });
    match r.kind {
        PimKind::Eligibility => {
            properties["targetRoleEligibilityScheduleId"] = target.into();
            properties["targetRoleEligibilityScheduleInstanceId"] = Value::Null;
        }
        PimKind::Assignment => {
            properties["targetRoleAssignmentScheduleId"] = target.into();
            properties["targetRoleAssignmentScheduleInstanceId"] = Value::Null;
            properties["linkedRoleEligibilityScheduleId"] = r.linked_eligibility.clone().into();
        }
    }
    json!({
        "properties": properties,
        "name": r.name,
        "id": request_side_id(&r.scope, &collection, &r.name),
        "type": format!("Microsoft.Authorization/{}", type_name(r.kind, "ScheduleRequests")),
    })
}

/// A schedule, or (with `instance`) its one instance, seen from `at`.
fn schedule_wire(
    arm: &ArmState,
    directory: &Directory,
    s: &PimSchedule,
    at: &str,
    via_group: bool,
    instance: bool,
) -> Value {
    let member_type = if via_group {
        "Group"
    } else if s.scope.eq_ignore_ascii_case(at) {
        "Direct"
    } else {
        "Inherited"
    };
    let request = item_id(
        &s.scope,
        &camel(s.kind, "ScheduleRequests"),
        &s.request_name,
    );
    let schedule = item_id(&s.scope, &camel(s.kind, "Schedules"), &s.name);
    let mut properties = json!({
        "scope": s.scope,
        "roleDefinitionId": role_id(&s.scope, &s.role),
        "principalId": s.principal_id,
        "principalType": s.principal_type,
        "status": "Provisioned",
        "startDateTime": s.start,
        "endDateTime": s.end,
        "memberType": member_type,
        "createdOn": s.created_on,
        "condition": s.condition,
        "conditionVersion": s.condition_version,
        "expandedProperties": expanded(arm, directory, &s.scope, &s.role, &s.principal_id),
    });
    let what = if instance {
        "ScheduleInstances"
    } else {
        "Schedules"
    };
    match (s.kind, instance) {
        (PimKind::Eligibility, false) => {
            properties["roleEligibilityScheduleRequestId"] = request.into();
            properties["updatedOn"] = s.updated_on.clone().into();
        }
        (PimKind::Eligibility, true) => properties["roleEligibilityScheduleId"] = schedule.into(),
        (PimKind::Assignment, false) => {
            properties["roleAssignmentScheduleRequestId"] = request.into();
            properties["updatedOn"] = s.updated_on.clone().into();
        }
        (PimKind::Assignment, true) => {
            properties["roleAssignmentScheduleId"] = schedule.into();
            properties["originRoleAssignmentId"] = s
                .role_assignment
                .as_deref()
                .map(|a| item_id(&s.scope, "roleAssignments", a))
                .into();
            properties["linkedRoleEligibilityScheduleInstanceId"] = Value::Null;
        }
    }
    if s.kind == PimKind::Assignment {
        properties["assignmentType"] = s.assignment_type.clone().into();
        properties["linkedRoleEligibilityScheduleId"] = s
            .linked_eligibility
            .as_deref()
            .map(|e| item_id(&s.scope, "roleEligibilitySchedules", e))
            .into();
    }
    json!({
        "properties": properties,
        "name": s.name,
        "id": item_id(&s.scope, &camel(s.kind, what), &s.name),
        "type": format!("Microsoft.Authorization/{}", type_name(s.kind, what)),
    })
}

/// Every role assignment made outside PIM is an assignment schedule (and
/// instance) too, permanent and `Assigned`.
fn plain_schedules(arm: &ArmState) -> Vec<PimSchedule> {
    arm.role_assignments
        .iter()
        .filter(|a| {
            !arm.pim.schedules.iter().any(|s| {
                s.role_assignment
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&a.name))
            })
        })
        .map(|a| PimSchedule {
            kind: PimKind::Assignment,
            name: a.name.clone(),
            scope: a.scope.clone(),
            role: a.role_definition_name.clone(),
            principal_id: a.principal_id.clone(),
            principal_type: a.principal_type.clone(),
            start: a.created_on.clone(),
            end: None,
            request_name: a.name.clone(),
            created_on: a.created_on.clone(),
            updated_on: a.updated_on.clone(),
            assignment_type: Some("Assigned".into()),
            linked_eligibility: None,
            role_assignment: Some(a.name.clone()),
            condition: a.condition.clone(),
            condition_version: a.condition_version.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Filters.

/// `atScope()`, `principalId eq '…'`, `assignedTo('…')`, `asTarget()`,
/// `asRequestor()`, joined by `and`.
#[derive(Default)]
struct Filter {
    at_scope: bool,
    principal: Option<String>,
    assigned_to: Option<String>,
    as_target: bool,
    as_requestor: bool,
    /// Requests awaiting the caller's approval.
    as_approver: bool,
}

pub(super) fn quoted(text: &str) -> Option<String> {
    let start = text.find('\'')?;
    let end = text.rfind('\'')?;
    (end > start).then(|| text[start + 1..end].to_ascii_lowercase())
}

fn parse_filter(filter: Option<&str>) -> Result<Filter, Response> {
    let mut out = Filter::default();
    let Some(filter) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(out);
    };
    for part in filter.split(" and ") {
        let p = part.trim();
        let lower = p.to_ascii_lowercase();
        if lower == "atscope()" {
            out.at_scope = true;
        } else if lower == "astarget()" {
            out.as_target = true;
        } else if lower == "asrequestor()" {
            out.as_requestor = true;
        } else if lower == "asapprover()" {
            out.as_approver = true;
        } else if lower.starts_with("principalid eq") {
            out.principal =
                quoted(p).or_else(|| p.split_whitespace().nth(2).map(str::to_ascii_lowercase));
        } else if lower.starts_with("assignedto(") {
            out.assigned_to = quoted(p);
        } else {
            return Err(arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidFilter",
                &format!(
                    "The filter '{filter}' is not supported. Supported filters are atScope(), principalId eq '{{id}}', assignedTo('{{id}}'), asTarget(), asRequestor() and asApprover()."
                ),
            ));
        }
    }
    Ok(out)
}

/// Whether an item at `item_scope` for `principal` passes `filter` when
/// listed at `at` by `caller`; and whether it came through a group.
/// What a listed item is, for [`passes`].
struct Listed<'a> {
    scope: &'a str,
    principal: &'a str,
    requestor: Option<&'a str>,
}

fn passes(
    arm: &ArmState,
    directory: &Directory,
    filter: &Filter,
    caller: &str,
    at: &str,
    item: Listed<'_>,
) -> Option<bool> {
    let Listed {
        scope: item_scope,
        principal,
        requestor,
    } = item;
    let above = covers(arm, item_scope, at);
    let below = covers(arm, at, item_scope);
    if !(above || (!filter.at_scope && below)) {
        return None;
    }
    let mut via_group = false;
    let mut reaches = |who: &str| -> bool {
        let all = directory.principal_and_groups(who);
        if principal.eq_ignore_ascii_case(who) {
            true
        } else if all.iter().any(|g| g.eq_ignore_ascii_case(principal)) {
            via_group = true;
            true
        } else {
            false
        }
    };
    if let Some(p) = &filter.principal
        && !principal.eq_ignore_ascii_case(p)
    {
        return None;
    }
    if let Some(user) = filter.assigned_to.clone()
        && !reaches(&user)
    {
        return None;
    }
    if filter.as_target && !reaches(caller) {
        return None;
    }
    if filter.as_requestor && !requestor.is_some_and(|r| r.eq_ignore_ascii_case(caller)) {
        return None;
    }
    Some(via_group)
}

/// Lists need the right to read the kind at the scope, unless the caller
/// asks for their own (`asTarget()`), as PIM answers.
fn may_list(
    ctx: &Ctx<'_>,
    arm: &ArmState,
    directory: &Directory,
    scope: &Scope,
    action: &str,
    filter: &Filter,
) -> Result<(), Response> {
    if filter.as_target || filter.as_requestor || filter.as_approver {
        return Ok(());
    }
    if can(
        arm,
        directory,
        &ctx.caller.oid,
        action,
        display_scope(scope),
    ) {
        return Ok(());
    }
    Err(arm_error(
        StatusCode::FORBIDDEN,
        "AuthorizationFailed",
        &format!(
            "The requestor {} does not have permissions for this request. Please use $filter=asTarget() to filter on the requestor's assignments.",
            ctx.caller.oid
        ),
    ))
}

// ---------------------------------------------------------------------------
// Requests.

#[derive(Deserialize)]
struct RequestBody {
    properties: RequestProperties,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestProperties {
    principal_id: String,
    role_definition_id: String,
    request_type: String,
    #[serde(default)]
    schedule_info: Option<ScheduleInfo>,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default)]
    ticket_info: Option<Value>,
    #[serde(default)]
    linked_role_eligibility_schedule_id: Option<String>,
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    condition_version: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ScheduleInfo {
    #[serde(default)]
    start_date_time: Option<String>,
    #[serde(default)]
    expiration: Option<Value>,
}

pub(super) fn bad(code: &str, message: &str) -> Response {
    arm_error(StatusCode::BAD_REQUEST, code, message)
}

fn policy_failed(rules: &[&str]) -> Response {
    let list = rules
        .iter()
        .map(|r| format!("\"{r}\""))
        .collect::<Vec<_>>()
        .join(",");
    bad(
        "RoleAssignmentRequestPolicyValidationFailed",
        &format!("The following policy rules failed: [{list}]"),
    )
}

pub(super) fn requests(
    ctx: &Ctx<'_>,
    scope: &str,
    kind: PimKind,
    name: Option<&str>,
    action: Option<&str>,
) -> Result<Response, Response> {
    let mut state = ctx.shared.state.lock().expect("state lock");
    let state = &mut *state;
    let (arm, directory) = (&mut state.arm, &state.directory);
    let scope = resolve_pim_scope(ctx, arm, directory, scope)?;
    let at = display_scope(&scope).to_owned();
    let collection = camel(kind, "ScheduleRequests");
    let read = format!("Microsoft.Authorization/{collection}/read");
    match (
        &ctx.method,
        name,
        action.map(str::to_ascii_lowercase).as_deref(),
    ) {
        (&Method::GET, None, None) => {
            let filter = parse_filter(ctx.param("$filter"))?;
            may_list(ctx, arm, directory, &scope, &read, &filter)?;
            let items = arm
                .pim
                .requests
                .iter()
                .filter(|r| r.kind == kind)
                .filter(|r| {
                    !filter.as_approver
                        || super::approvals::awaits(arm, directory, r, &ctx.caller.oid)
                })
                .filter(|r| {
                    passes(
                        arm,
                        directory,
                        &filter,
                        &ctx.caller.oid,
                        &at,
                        Listed {
                            scope: &r.scope,
                            principal: &r.principal_id,
                            requestor: Some(&r.requestor_id),
                        },
                    )
                    .is_some()
                })
                .map(|r| request_wire(ctx, arm, directory, r))
                .collect();
            Ok(ctx.paged(items))
        }
        (&Method::GET, Some(name), None) => {
            let found = arm
                .pim
                .requests
                .iter()
                .find(|r| {
                    r.kind == kind
                        && r.name.eq_ignore_ascii_case(name)
                        && r.scope.eq_ignore_ascii_case(&at)
                })
                .ok_or_else(|| not_found(kind, "ScheduleRequest", name))?;
            let own = found.principal_id.eq_ignore_ascii_case(&ctx.caller.oid)
                || found.requestor_id.eq_ignore_ascii_case(&ctx.caller.oid);
            if !own {
                require(ctx, arm, directory, &read, &scope)?;
            }
            Ok(axum::Json(request_wire(ctx, arm, directory, found)).into_response())
        }
        (&Method::PUT, Some(name), None) => {
            let body: RequestBody = ctx.json_body()?;
            let request = make_request(
                ctx,
                arm,
                directory,
                &scope,
                kind,
                name,
                body.properties,
                false,
            )?;
            let wire = request_wire(ctx, arm, directory, &request);
            arm.pim.requests.push(request);
            Ok((StatusCode::CREATED, axum::Json(wire)).into_response())
        }
        (&Method::POST, Some(name), Some("validate")) => {
            let body: RequestBody = ctx.json_body()?;
            let request = make_request(
                ctx,
                arm,
                directory,
                &scope,
                kind,
                name,
                body.properties,
                true,
            )?;
            Ok(axum::Json(request_wire(ctx, arm, directory, &request)).into_response())
        }
        (&Method::POST, Some(name), Some("cancel")) => {
            let Some(index) = arm.pim.requests.iter().position(|r| {
                r.kind == kind
                    && r.name.eq_ignore_ascii_case(name)
                    && r.scope.eq_ignore_ascii_case(&at)
            }) else {
                return Err(not_found(kind, "ScheduleRequest", name));
            };
            if !arm.pim.requests[index]
                .requestor_id
                .eq_ignore_ascii_case(&ctx.caller.oid)
            {
                require(
                    ctx,
                    arm,
                    directory,
                    "Microsoft.Authorization/roleAssignments/write",
                    &scope,
                )?;
            }
            let found = &mut arm.pim.requests[index];
            // Only what has not taken effect can be cancelled (the emulator's wording).
            if !matches!(
                found.status.as_str(),
                "Granted" | "PendingApproval" | "PendingAdminDecision"
            ) {
                return Err(bad(
                    "RequestCannotBeCancelled",
                    &format!(
                        "The request '{name}' is {} and can no longer be cancelled.",
                        found.status
                    ),
                ));
            }
            found.status = "Canceled".into();
            let target = found.target_schedule.clone();
            let approval = found.approval.clone();
            if let Some(a) = arm
                .pim
                .approvals
                .iter_mut()
                .find(|a| Some(&a.name) == approval.as_ref())
            {
                a.status = "Completed".into();
            }
            if let Some(target) = target {
                arm.pim
                    .schedules
                    .retain(|s| !(s.kind == kind && s.name.eq_ignore_ascii_case(&target)));
            }
            // Recorded: 200 with no body.
            Ok(StatusCode::OK.into_response())
        }
        _ => Err(method_not_allowed()),
    }
}

fn not_found(kind: PimKind, what: &str, name: &str) -> Response {
    arm_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        &format!("The {} '{name}' could not be found.", type_name(kind, what)),
    )
}

/// Checks a request against the caller's rights, the principal, the role,
/// the policy and live state, and makes it (and, unless `dry`, its effect).
#[allow(clippy::too_many_arguments)]
fn make_request(
    ctx: &Ctx<'_>,
    arm: &mut ArmState,
    directory: &Directory,
    scope: &Scope,
    kind: PimKind,
    name: &str,
    p: RequestProperties,
    dry: bool,
) -> Result<PimRequest, Response> {
    if !is_guid(name) {
        return Err(bad(
            "InvalidRequestId",
            &format!("The request ID '{name}' is not valid: it must be a GUID."),
        ));
    }
    let at = display_scope(scope).to_owned();
    let request_type = p.request_type.clone();
    let admin = request_type.starts_with("Admin");
    let known = [
        "AdminAssign",
        "AdminRemove",
        "AdminUpdate",
        "AdminExtend",
        "AdminRenew",
        "SelfActivate",
        "SelfDeactivate",
        "SelfExtend",
        "SelfRenew",
    ];
    if !known.contains(&request_type.as_str()) {
        return Err(bad(
            "InvalidRequestType",
            &format!(
                "The request type '{request_type}' is not valid. Valid types are {}.",
                known.join(", ")
            ),
        ));
    }
    if kind == PimKind::Eligibility && !admin {
        return Err(bad(
            "InvalidRequestType",
            "An eligibility is activated with a roleAssignmentScheduleRequest (SelfActivate), not changed by its holder.",
        ));
    }
    if admin {
        require(
            ctx,
            arm,
            directory,
            "Microsoft.Authorization/roleAssignments/write",
            scope,
        )?;
        disabled_check(arm, scope.subscription_id.as_deref())?;
    } else if !p.principal_id.eq_ignore_ascii_case(&ctx.caller.oid) {
        return Err(arm_error(
            StatusCode::FORBIDDEN,
            "AuthorizationFailed",
            &format!(
                "The requestor {} may only activate or deactivate their own roles.",
                ctx.caller.oid
            ),
        ));
    }
    let Some(principal_type) = assignments::principal_type_of(directory, &p.principal_id)
        .filter(|_| directory.replicated(&p.principal_id, ctx.replication_delay))
    else {
        return Err(bad(
            "SubjectNotFound",
            &format!(
                "The subject {} was not found in the directory.",
                p.principal_id
            ),
        ));
    };
    if kind == PimKind::Eligibility && principal_type == "ServicePrincipal" {
        // PIM's rule (users and groups only); the wording is the emulator's.
        return Err(bad(
            "InvalidPrincipalType",
            "Only users and groups can be made eligible: a service principal or managed identity cannot activate a role. Assign it as active, time-bound, instead.",
        ));
    }
    let role = last_segment(&p.role_definition_id).to_ascii_lowercase();
    if !arm
        .role_definitions
        .iter()
        .any(|d| d.name.eq_ignore_ascii_case(&role))
    {
        return Err(bad(
            "RoleDefinitionDoesNotExist",
            &format!("The specified role definition with ID '{role}' does not exist."),
        ));
    }
    let info = p.schedule_info.unwrap_or_default();
    let at_time = now();
    let start = match info.start_date_time.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => parse_time(text).ok_or_else(|| {
            bad(
                "InvalidScheduleInfo",
                &format!("The start time '{text}' is not a valid date and time."),
            )
        })?,
        None => at_time,
    };
    let expiration = info
        .expiration
        .unwrap_or_else(|| json!({"type": "NoExpiration"}));
    let end = match expiration["type"].as_str().unwrap_or("NoExpiration") {
        "AfterDuration" => match expiration["duration"].as_str() {
            // A null duration is taken as no expiration (azure-rest-api-specs #24242).
            None => None,
            Some(d) => Some(
                start
                    + iso_duration(d).ok_or_else(|| {
                        bad(
                            "InvalidScheduleInfo",
                            &format!("The duration '{d}' is not an ISO 8601 duration."),
                        )
                    })?,
            ),
        },
        "AfterDateTime" => {
            let text = expiration["endDateTime"].as_str().unwrap_or_default();
            Some(parse_time(text).ok_or_else(|| {
                bad(
                    "InvalidScheduleInfo",
                    &format!("The end time '{text}' is not a valid date and time."),
                )
            })?)
        }
        "NoExpiration" => None,
        other => {
            return Err(bad(
                "InvalidScheduleInfo",
                &format!(
                    "The expiration type '{other}' is not valid: AfterDuration, AfterDateTime or NoExpiration."
                ),
            ));
        }
    };
    let mut expiration = expiration.clone();
    if let Some(object) = expiration.as_object_mut() {
        object.entry("endDateTime").or_insert(Value::Null);
        object.entry("duration").or_insert(Value::Null);
    }
    let matching = |s: &PimSchedule| {
        s.scope.eq_ignore_ascii_case(&at)
            && s.role.eq_ignore_ascii_case(&role)
            && s.principal_id.eq_ignore_ascii_case(&p.principal_id)
    };
    let mut request = PimRequest {
        kind,
        name: name.to_ascii_lowercase(),
        scope: at.clone(),
        role: role.clone(),
        principal_id: p.principal_id.to_ascii_lowercase(),
        principal_type: principal_type.into(),
        request_type: request_type.clone(),
        status: if start > at_time {
            "Granted".into()
        } else {
            "Provisioned".into()
        },
        start: stamp(start),
        expiration,
        justification: p.justification.clone(),
        ticket_info: p.ticket_info.clone().unwrap_or_else(|| json!({})),
        requestor_id: ctx.caller.oid.clone(),
        created_on: stamp(at_time),
        target_schedule: None,
        linked_eligibility: None,
        condition: p.condition.clone(),
        condition_version: p.condition_version.clone(),
        approval: None,
    };
    if arm
        .pim
        .requests
        .iter()
        .any(|r| r.kind == kind && r.name.eq_ignore_ascii_case(name))
        && !dry
    {
        return Err(arm_error(
            StatusCode::CONFLICT,
            "RoleAssignmentRequestExists",
            &format!("The role assignment request with ID '{name}' already exists."),
        ));
    }
    match request_type.as_str() {
        "AdminRemove" | "SelfDeactivate" => {
            let found = arm.pim.schedules.iter().position(|s| {
                s.kind == kind
                    && matching(s)
                    && (request_type != "SelfDeactivate"
                        || s.assignment_type.as_deref() == Some("Activated"))
            });
            // A plain role assignment is removed with a request too.
            let plain = (kind == PimKind::Assignment && found.is_none())
                .then(|| {
                    arm.role_assignments.iter().position(|a| {
                        a.scope.eq_ignore_ascii_case(&at)
                            && a.role_definition_name.eq_ignore_ascii_case(&role)
                            && a.principal_id.eq_ignore_ascii_case(&p.principal_id)
                    })
                })
                .flatten();
            let made = match (found, plain) {
                (Some(i), _) => arm.pim.schedules[i].created_on.clone(),
                (None, Some(i)) => arm.role_assignments[i].created_on.clone(),
                (None, None) => {
                    return Err(bad(
                        "RoleAssignmentDoesNotExist",
                        "The role assignment does not exist.",
                    ));
                }
            };
            let shortest = ctx
                .pim_removal_after
                .and_then(|d| time::Duration::try_from(d).ok())
                .unwrap_or(SHORTEST);
            if parse_time(&made).is_some_and(|m| at_time - m < shortest) {
                return Err(bad(
                    "ActiveDurationTooShort",
                    "The role assignment cannot be removed within 5 minutes of being made. Try again later.",
                ));
            }
            request.status = "Revoked".into();
            if dry {
                return Ok(request);
            }
            if let Some(i) = found {
                let removed = arm.pim.schedules.remove(i);
                request.target_schedule = Some(removed.name.clone());
                if let Some(a) = removed.role_assignment {
                    arm.role_assignments
                        .retain(|x| !x.name.eq_ignore_ascii_case(&a));
                }
            } else if let Some(i) = plain {
                let removed = arm.role_assignments.remove(i);
                request.target_schedule = Some(removed.name);
            }
            Ok(request)
        }
        _ => {
            // AdminAssign, AdminUpdate, AdminExtend, AdminRenew, SelfActivate, SelfExtend, SelfRenew.
            let level = match kind {
                PimKind::Eligibility => "Eligibility",
                PimKind::Assignment => "Assignment",
            };
            let caller = if admin { "Admin" } else { "EndUser" };
            let rules = policy_rules(arm, &at, &role);
            let rule = |id: &str| {
                rules
                    .iter()
                    .find(|r| r["id"].as_str() == Some(id))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            let mut failed = Vec::new();
            let expiry = rule(&format!("Expiration_{caller}_{level}"));
            let maximum = expiry["maximumDuration"].as_str().and_then(iso_duration);
            match end {
                None if expiry["isExpirationRequired"].as_bool().unwrap_or(false) => {
                    failed.push("ExpirationRule")
                }
                Some(end) => {
                    let length = end - start;
                    if length < SHORTEST
                        || maximum.is_some_and(|m| m > time::Duration::ZERO && length > m)
                    {
                        failed.push("ExpirationRule");
                    }
                }
                None => {}
            }
            let enabled = rule(&format!("Enablement_{caller}_{level}"));
            let wants = |what: &str| {
                enabled["enabledRules"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(what)))
            };
            if wants("Justification")
                && p.justification
                    .as_deref()
                    .is_none_or(|j| j.trim().is_empty())
            {
                failed.push("JustificationRule");
            }
            let ticket = p
                .ticket_info
                .as_ref()
                .and_then(|t| t["ticketNumber"].as_str())
                .unwrap_or_default();
            if wants("Ticketing") && ticket.trim().is_empty() {
                failed.push("TicketingRule");
            }
            // A session without MFA (PowerShell modules catch this text).
            if wants("MultiFactorAuthentication") && !ctx.caller.mfa {
                failed.push("MfaRule");
            }
            if !failed.is_empty() {
                return Err(policy_failed(&failed));
            }
            let existing = arm
                .pim
                .schedules
                .iter()
                .position(|s| s.kind == kind && matching(s));
            let plain_exists = kind == PimKind::Assignment
                && arm.role_assignments.iter().any(|a| {
                    a.scope.eq_ignore_ascii_case(&at)
                        && a.role_definition_name.eq_ignore_ascii_case(&role)
                        && a.principal_id.eq_ignore_ascii_case(&p.principal_id)
                });
            let changes_existing = matches!(
                request_type.as_str(),
                "AdminUpdate" | "AdminExtend" | "AdminRenew" | "SelfExtend" | "SelfRenew"
            );
            let renews = matches!(request_type.as_str(), "AdminRenew" | "SelfRenew");
            if renews && existing.is_none() {
                // What ended lately comes back as a schedule of this request.
                let Some(i) = arm
                    .pim
                    .expired
                    .iter()
                    .position(|s| s.kind == kind && matching(s))
                else {
                    return Err(bad(
                        "RoleAssignmentDoesNotExist",
                        "The role assignment does not exist.",
                    ));
                };
                if dry {
                    return Ok(request);
                }
                let mut s = arm.pim.expired.remove(i);
                s.name = request.name.clone();
                s.start = stamp(start);
                s.end = end.map(stamp);
                s.created_on = stamp(at_time);
                s.updated_on = stamp(at_time);
                s.request_name = request.name.clone();
                request.target_schedule = Some(s.name.clone());
                arm.pim.schedules.push(s);
                tick(arm);
                return Ok(request);
            }
            if changes_existing {
                let Some(i) = existing else {
                    return Err(bad(
                        "RoleAssignmentDoesNotExist",
                        "The role assignment does not exist.",
                    ));
                };
                if dry {
                    return Ok(request);
                }
                let s = &mut arm.pim.schedules[i];
                s.start = stamp(start);
                s.end = end.map(stamp);
                s.updated_on = stamp(at_time);
                s.request_name = request.name.clone();
                request.target_schedule = Some(s.name.clone());
                return Ok(request);
            }
            if existing.is_some() || plain_exists {
                return Err(bad(
                    "RoleAssignmentExists",
                    "The Role assignment already exists.",
                ));
            }
            let mut linked = None;
            if request_type == "SelfActivate" {
                // The holder's eligibility here or above, direct or through a group.
                let mine = directory.principal_and_groups(&p.principal_id);
                let given = p
                    .linked_role_eligibility_schedule_id
                    .as_deref()
                    .map(|l| last_segment(l).to_ascii_lowercase());
                let Some(eligibility) = arm.pim.schedules.iter().find(|s| {
                    s.kind == PimKind::Eligibility
                        && s.role.eq_ignore_ascii_case(&role)
                        && mine.iter().any(|m| m.eq_ignore_ascii_case(&s.principal_id))
                        && covers(arm, &s.scope, &at)
                        && parse_time(&s.start).is_some_and(|t| t <= at_time)
                        && given
                            .as_deref()
                            .is_none_or(|g| s.name.eq_ignore_ascii_case(g))
                }) else {
                    // The wording is the emulator's.
                    return Err(bad(
                        "RoleEligibilityScheduleNotFound",
                        "You are not eligible for this role at this scope, so it cannot be activated.",
                    ));
                };
                linked = Some(eligibility.name.clone());
            }
            request.linked_eligibility = linked.clone();
            let approval = rule("Approval_EndUser_Assignment");
            if request_type == "SelfActivate"
                && approval["setting"]["isApprovalRequired"].as_bool() == Some(true)
            {
                // One activation waiting at a time (demoray/azure-pim-cli).
                let waiting = arm.pim.requests.iter().any(|r| {
                    r.kind == kind
                        && r.status == "PendingApproval"
                        && r.scope.eq_ignore_ascii_case(&at)
                        && r.role.eq_ignore_ascii_case(&role)
                        && r.principal_id.eq_ignore_ascii_case(&p.principal_id)
                });
                if waiting {
                    return Err(bad(
                        "RoleAssignmentRequestExists",
                        "The Role assignment request already exists.",
                    ));
                }
                let approval_name = uuid::Uuid::new_v4().to_string();
                request.status = "PendingApproval".into();
                request.approval = Some(approval_name.clone());
                if dry {
                    return Ok(request);
                }
                arm.pim.approvals.push(PimApproval {
                    name: approval_name,
                    stage: uuid::Uuid::new_v4().to_string(),
                    request_name: request.name.clone(),
                    approvers: super::approvals::approvers(&approval["setting"], directory),
                    status: "InProgress".into(),
                    review_result: "NotReviewed".into(),
                    reviewed_by: None,
                    reviewed_on: None,
                    justification: String::new(),
                    created_on: stamp(at_time),
                });
                return Ok(request);
            }
            request.target_schedule = Some(request.name.clone());
            if dry {
                return Ok(request);
            }
            arm.pim.schedules.push(PimSchedule {
                kind,
                name: request.name.clone(),
                scope: at.clone(),
                role: role.clone(),
                principal_id: request.principal_id.clone(),
                principal_type: principal_type.into(),
                start: stamp(start),
                end: end.map(stamp),
                request_name: request.name.clone(),
                created_on: stamp(at_time),
                updated_on: stamp(at_time),
                assignment_type: (kind == PimKind::Assignment).then(|| {
                    if request_type == "SelfActivate" {
                        "Activated"
                    } else {
                        "Assigned"
                    }
                    .to_owned()
                }),
                linked_eligibility: linked,
                role_assignment: None,
                condition: p.condition.clone(),
                condition_version: p.condition_version.clone(),
            });
            tick(arm);
            Ok(request)
        }
    }
}

/// An approver approved the activation `requests[index]`: it runs from now
/// for what it asked, as if it had needed no approval.
pub(super) fn provision_approved(arm: &mut ArmState, index: usize) {
    let at_time = now();
    let r = &mut arm.pim.requests[index];
    let end = match r.expiration["type"].as_str() {
        Some("AfterDuration") => r.expiration["duration"]
            .as_str()
            .and_then(iso_duration)
            .map(|d| at_time + d),
        Some("AfterDateTime") => r.expiration["endDateTime"].as_str().and_then(parse_time),
        _ => None,
    };
    r.status = "Provisioned".into();
    r.target_schedule = Some(r.name.clone());
    let schedule = PimSchedule {
        kind: r.kind,
        name: r.name.clone(),
        scope: r.scope.clone(),
        role: r.role.clone(),
        principal_id: r.principal_id.clone(),
        principal_type: r.principal_type.clone(),
        start: stamp(at_time),
        end: end.map(stamp),
        request_name: r.name.clone(),
        created_on: stamp(at_time),
        updated_on: stamp(at_time),
        assignment_type: Some("Activated".into()),
        linked_eligibility: r.linked_eligibility.clone(),
        role_assignment: None,
        condition: r.condition.clone(),
        condition_version: r.condition_version.clone(),
    };
    arm.pim.schedules.push(schedule);
    tick(arm);
}

// ---------------------------------------------------------------------------
// Schedules and instances.

pub(super) fn schedules(
    ctx: &Ctx<'_>,
    scope: &str,
    kind: PimKind,
    name: Option<&str>,
    instances: bool,
) -> Result<Response, Response> {
    let mut state = ctx.shared.state.lock().expect("state lock");
    let state = &mut *state;
    let (arm, directory) = (&mut state.arm, &state.directory);
    if ctx.method != Method::GET {
        return Err(method_not_allowed());
    }
    let scope = resolve_pim_scope(ctx, arm, directory, scope)?;
    let at = display_scope(&scope).to_owned();
    let what = if instances {
        "ScheduleInstances"
    } else {
        "Schedules"
    };
    let read = format!("Microsoft.Authorization/{}/read", camel(kind, what));
    let mut all: Vec<PimSchedule> = arm
        .pim
        .schedules
        .iter()
        .filter(|s| s.kind == kind)
        .cloned()
        .collect();
    if kind == PimKind::Assignment {
        all.extend(plain_schedules(arm));
    }
    if instances {
        // An instance exists once its schedule has begun.
        let at_time = now();
        all.retain(|s| parse_time(&s.start).is_none_or(|t| t <= at_time));
    }
    match name {
        None => {
            let filter = parse_filter(ctx.param("$filter"))?;
            may_list(ctx, arm, directory, &scope, &read, &filter)?;
            let items = all
                .iter()
                .filter_map(|s| {
                    passes(
                        arm,
                        directory,
                        &filter,
                        &ctx.caller.oid,
                        &at,
                        Listed {
                            scope: &s.scope,
                            principal: &s.principal_id,
                            requestor: None,
                        },
                    )
                    .map(|via_group| schedule_wire(arm, directory, s, &at, via_group, instances))
                })
                .collect();
            Ok(ctx.paged(items))
        }
        Some(name) => {
            let found = all
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(name) && s.scope.eq_ignore_ascii_case(&at))
                .ok_or_else(|| not_found(kind, &what[..what.len() - 1], name))?;
            if !found.principal_id.eq_ignore_ascii_case(&ctx.caller.oid) {
                require(ctx, arm, directory, &read, &scope)?;
            }
            Ok(
                axum::Json(schedule_wire(arm, directory, found, &at, false, instances))
                    .into_response(),
            )
        }
    }
}

// ---------------------------------------------------------------------------
// Eligible child resources.

/// `eligibleChildResources`: the subscriptions and resource groups below a
/// scope where the caller may manage PIM (`$filter=resourceType eq '…'`).
pub(super) fn eligible_child_resources(ctx: &Ctx<'_>, scope: &str) -> Result<Response, Response> {
    let state = ctx.shared.state.lock().expect("state lock");
    let (arm, directory) = (&state.arm, &state.directory);
    let scope = resolve_pim_scope(ctx, arm, directory, scope)?;
    let at = display_scope(&scope).to_owned();
    let filter = ctx
        .param("$filter")
        .unwrap_or_default()
        .replace('+', " ")
        .to_ascii_lowercase();
    let wants = |kind: &str| filter.is_empty() || filter.contains(&format!("'{kind}'"));
    let mut items = Vec::new();
    if wants("subscription") {
        for s in &arm.subscriptions {
            let id = s.scope();
            if !id.eq_ignore_ascii_case(&at)
                && covers(arm, &at, &id)
                && can(
                    arm,
                    directory,
                    &ctx.caller.oid,
                    "Microsoft.Authorization/roleAssignments/write",
                    &id,
                )
            {
                items.push(json!({"id": id, "name": s.display_name, "type": "subscription"}));
            }
        }
    }
    if wants("resourcegroup") {
        for g in &arm.resource_groups {
            let id = g.scope();
            if covers(arm, &at, &id)
                && can(
                    arm,
                    directory,
                    &ctx.caller.oid,
                    "Microsoft.Authorization/roleAssignments/write",
                    &id,
                )
            {
                items.push(json!({"id": id, "name": g.name, "type": "resourcegroup"}));
            }
        }
    }
    Ok(ctx.paged(items))
}

#[cfg(test)]
mod tests {
    use super::iso_duration;

    #[test]
    fn iso_durations_read_as_arm_reads_them() {
        assert_eq!(iso_duration("PT8H"), Some(time::Duration::hours(8)));
        assert_eq!(iso_duration("P365D"), Some(time::Duration::days(365)));
        assert_eq!(iso_duration("P1Y"), Some(time::Duration::days(365)));
        assert_eq!(iso_duration("P2W"), Some(time::Duration::days(14)));
        assert_eq!(
            iso_duration("P1DT30M"),
            Some(time::Duration::minutes(24 * 60 + 30))
        );
        assert_eq!(iso_duration("PT0S"), Some(time::Duration::ZERO));
        for bad in ["", "P", "PT", "8H", "P8H", "PT8", "P1X"] {
            assert_eq!(iso_duration(bad), None, "{bad}");
        }
    }
}
