//! A plan: each grant against live state, and the admin's own rights checked
//! before anything is written.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use rolecall_azure::arm::AssignmentFilter;
use rolecall_azure::graph::role_templates;
use rolecall_azure::{Azure, Result};
use rolecall_rbac::{ActionKind, Scope};
use serde::Serialize;

use crate::listing::Listings;
use crate::model::Grant;

/// Members at one scope from which one listing beats asking per member
/// (role assignments, eligibility schedules).
const BULK_MEMBERS: usize = 4;

/// The right ARM checks before creating a role assignment.
pub const ASSIGN_ACTION: &str = "Microsoft.Authorization/roleAssignments/write";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Status {
    /// Missing: applying creates it.
    ToCreate,
    /// Exactly this grant exists already. `made_elsewhere`: under another
    /// assignment name than Rolecall's (the portal, a script); it is adopted
    /// as it is.
    #[serde(rename_all = "camelCase")]
    InPlace {
        assignment_id: String,
        #[serde(default)]
        made_elsewhere: bool,
        /// When it ends (RFC 3339), for an eligibility that does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends: Option<String>,
    },
    /// The member holds this role at a parent scope, which covers this one.
    #[serde(rename_all = "camelCase")]
    Inherited { from_scope: String },
    /// Redundant: the member holds another role at this or a parent scope
    /// that grants every operation this one does.
    #[serde(rename_all = "camelCase")]
    Covered { by_role: String, from_scope: String },
    /// The admin may not make it; nothing will be tried.
    Blocked { reason: String },
    /// It is there, and this run leaves it as it is on purpose: an undo
    /// removes only what Rolecall made (its deterministic assignment name).
    Kept { reason: String },
}

impl Status {
    /// The member already has what the grant gives.
    pub fn is_held(&self) -> bool {
        matches!(
            self,
            Status::InPlace { .. }
                | Status::Inherited { .. }
                | Status::Covered { .. }
                | Status::Kept { .. }
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub grant: Grant,
    pub status: Status,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    /// What the role's PIM settings allow, for each eligible or time-bound
    /// (scope, role, assignment type) the plan makes, so the admin sees the
    /// rules the preflight checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<PolicySummary>,
}

/// A role's PIM settings at a scope, for one assignment type, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySummary {
    pub scope: String,
    pub role_name: String,
    pub eligible: bool,
    /// The longest assignment allowed (ISO 8601); none: no limit.
    pub maximum: Option<String>,
    /// Permanent assignments are refused.
    pub expiry_required: bool,
    /// Asked of the admin when assigning.
    pub justification: bool,
    pub ticket: bool,
    /// Eligible only: what activating asks of the person.
    pub activation: Option<Activation>,
}

/// What an eligible person meets when activating the role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Activation {
    /// The longest activation (ISO 8601).
    pub maximum: Option<String>,
    pub mfa: bool,
    pub justification: bool,
    pub ticket: bool,
    pub approval: bool,
}

impl PolicySummary {
    /// Read from the role's policy rules (as `ArmClient::pim_rules` gives
    /// them) for `eligible` or active assignments.
    pub fn from_rules(
        scope: &str,
        role_name: &str,
        eligible: bool,
        rules: &[serde_json::Value],
    ) -> Self {
        let rule = |id: &str| rules.iter().find(|r| r["id"].as_str() == Some(id));
        let enabled = |id: &str, what: &str| {
            rule(id).is_some_and(|r| {
                r["enabledRules"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(what)))
            })
        };
        let maximum = |id: &str| {
            rule(id)
                .and_then(|r| r["maximumDuration"].as_str())
                .filter(|m| {
                    rolecall_rbac::duration::parse(m).is_some_and(|d| d > time::Duration::ZERO)
                })
                .map(str::to_owned)
        };
        let level = if eligible {
            "Eligibility"
        } else {
            "Assignment"
        };
        let expiry = format!("Expiration_Admin_{level}");
        let enablement = format!("Enablement_Admin_{level}");
        let expiry_required =
            rule(&expiry).is_some_and(|r| r["isExpirationRequired"].as_bool() == Some(true));
        Self {
            scope: scope.to_owned(),
            role_name: role_name.to_owned(),
            eligible,
            maximum: maximum(&expiry),
            expiry_required,
            justification: enabled(&enablement, "Justification"),
            ticket: enabled(&enablement, "Ticketing"),
            activation: eligible.then(|| Activation {
                maximum: maximum("Expiration_EndUser_Assignment"),
                mfa: enabled("Enablement_EndUser_Assignment", "MultiFactorAuthentication"),
                justification: enabled("Enablement_EndUser_Assignment", "Justification"),
                ticket: enabled("Enablement_EndUser_Assignment", "Ticketing"),
                approval: rule("Approval_EndUser_Assignment")
                    .is_some_and(|r| r["setting"]["isApprovalRequired"].as_bool() == Some(true)),
            }),
        }
    }

    /// "Eligible: at most 1 year, an end required, justification asked.
    /// Activating: at most 8 hours, with MFA and a justification, no approval."
    pub fn describe(&self) -> String {
        let words = rolecall_rbac::duration::words;
        let and = |parts: Vec<&str>| match parts.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        let mut assign = Vec::new();
        match (&self.maximum, self.expiry_required) {
            (Some(m), true) => assign.push(format!("at most {}", words(m))),
            (Some(m), false) => assign.push(format!(
                "permanent allowed, time-bound at most {}",
                words(m)
            )),
            (None, true) => assign.push("an end required".to_owned()),
            (None, false) => assign.push("permanent allowed".to_owned()),
        }
        let asked: Vec<&str> = [
            (self.justification, "a justification"),
            (self.ticket, "a ticket number"),
        ]
        .into_iter()
        .filter_map(|(on, what)| on.then_some(what))
        .collect();
        if !asked.is_empty() {
            assign.push(format!("{} asked", and(asked)));
        }
        let kind = if self.eligible { "Eligible" } else { "Active" };
        let mut out = format!("{kind}: {}.", assign.join(", "));
        if let Some(a) = &self.activation {
            let with: Vec<&str> = [
                (a.mfa, "MFA"),
                (a.justification, "a justification"),
                (a.ticket, "a ticket number"),
            ]
            .into_iter()
            .filter_map(|(on, what)| on.then_some(what))
            .collect();
            let mut parts = Vec::new();
            if let Some(m) = &a.maximum {
                parts.push(format!("at most {}", words(m)));
            }
            if !with.is_empty() {
                parts.push(format!("with {}", and(with)));
            }
            parts.push(if a.approval {
                "after an approver agrees".to_owned()
            } else {
                "no approval".to_owned()
            });
            out.push_str(&format!(" Activating: {}.", parts.join(", ")));
        }
        out
    }
}

impl Plan {
    pub fn to_create(&self) -> impl Iterator<Item = &PlanItem> {
        self.items.iter().filter(|i| i.status == Status::ToCreate)
    }

    pub fn blocked(&self) -> impl Iterator<Item = &PlanItem> {
        self.items
            .iter()
            .filter(|i| matches!(i.status, Status::Blocked { .. }))
    }

    /// Nothing to write: everything is in place (or inherited).
    pub fn is_converged(&self) -> bool {
        self.items.iter().all(|i| i.status.is_held())
    }
}

/// Why the admin may not assign roles at `scope`, and what to do.
pub fn lacks_assign_right(scope: &str) -> String {
    format!(
        "You lack '{ASSIGN_ACTION}' at '{scope}'. Owner, User Access Administrator or Role Based Access Control Administrator there (or above) carries it; ask someone who holds one to grant it or to do this step."
    )
}

/// Whether the signed-in admin holds `action` at each of `scopes` (ARM's
/// `permissions` there, evaluated by the engine), by lowercased scope.
pub async fn rights(
    azure: &Azure,
    scopes: impl IntoIterator<Item = String>,
    action: &str,
) -> Result<HashMap<String, bool>> {
    let checked = futures::future::try_join_all(scopes.into_iter().map(|scope| async move {
        // A text that is no scope is never sent to ARM: no right there.
        if rolecall_rbac::Scope::parse(&scope).is_err() {
            return Ok((scope.to_ascii_lowercase(), false));
        }
        let permissions: Vec<_> = azure.arm.permissions(&scope).try_collect().await?;
        let allowed = rolecall_rbac::permissions::allows(&permissions, action, ActionKind::Action);
        Ok::<_, rolecall_azure::AzureError>((scope.to_ascii_lowercase(), allowed))
    }))
    .await?;
    Ok(checked.into_iter().collect())
}

/// Checks each grant against live state and the signed-in admin's rights.
/// Reads only; ARM and Graph are asked once per scope, member and
/// application, concurrently within the clients' bound.
pub async fn plan(azure: &Azure, grants: Vec<Grant>) -> Result<Plan> {
    plan_with(azure, grants, None).await
}

/// [`plan`], and given the catalogue, a grant the member's other roles at
/// this or a parent scope already cover is [`Status::Covered`].
pub async fn plan_with(
    azure: &Azure,
    grants: Vec<Grant>,
    catalogue: Option<&rolecall_rbac::Catalogue>,
) -> Result<Plan> {
    plan_sharing(azure, grants, catalogue, &Listings::default()).await
}

/// [`plan_with`], listing a scope's assignments through `listings`, which
/// the caller shares with its other reads of the same moment.
pub async fn plan_sharing(
    azure: &Azure,
    grants: Vec<Grant>,
    catalogue: Option<&rolecall_rbac::Catalogue>,
    listings: &Listings,
) -> Result<Plan> {
    plan_inner(azure, grants, catalogue, listings, Intent::Make).await
}

/// [`plan`] of grants to remove: what is in place is found as for making
/// it, but the role's PIM rules (how long, justification) are not asked of
/// a removal.
pub async fn plan_removal(azure: &Azure, grants: Vec<Grant>) -> Result<Plan> {
    plan_inner(azure, grants, None, &Listings::default(), Intent::Remove).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Make,
    Remove,
}

async fn plan_inner(
    azure: &Azure,
    grants: Vec<Grant>,
    catalogue: Option<&rolecall_rbac::Catalogue>,
    listings: &Listings,
    intent: Intent,
) -> Result<Plan> {
    // The admin's rights: ARM's permissions at each scope, and the directory
    // roles that may assign app roles.
    let scopes: HashSet<String> = grants
        .iter()
        .filter_map(|g| match g {
            Grant::AzureRole(r) => Some(r.scope.to_ascii_lowercase()),
            Grant::AppRole(_) => None,
        })
        .collect();
    let wants_arm = grants.iter().any(|g| matches!(g, Grant::AzureRole(_)));
    let wants_apps = grants.iter().any(|g| matches!(g, Grant::AppRole(_)));
    let pairs: HashSet<(String, String)> = grants
        .iter()
        .filter_map(|g| match g {
            Grant::AzureRole(r) => Some((
                r.scope.to_ascii_lowercase(),
                r.member.id.to_ascii_lowercase(),
            )),
            Grant::AppRole(_) => None,
        })
        .collect();
    let resources: HashSet<String> = grants
        .iter()
        .filter_map(|g| match g {
            Grant::AppRole(a) => Some(a.resource_id.clone()),
            Grant::AzureRole(_) => None,
        })
        .collect();

    // Every read at once (one round trip, within the clients' bound): the
    // subscriptions' states, the admin's rights at each scope and in the
    // directory, and live state. Live state is read for every scope; where
    // the admin turns out to lack the right its answer (perhaps a refusal)
    // is not used.
    let subscriptions = async {
        if wants_arm {
            azure.arm.subscriptions().try_collect::<Vec<_>>().await
        } else {
            Ok(Vec::new())
        }
    };
    let directory_roles = async {
        if wants_apps {
            azure
                .graph
                .my_directory_roles()
                .try_collect::<Vec<_>>()
                .await
        } else {
            Ok(Vec::new())
        }
    };
    // Between management groups only the tree tells what is above what.
    let tree = azure.arm.hierarchy_for(&scopes);
    // PIM: the rules for each eligible or time-bound (scope, role), and
    // each eligible member's eligibility schedules there.
    let rule_keys: HashSet<(String, String)> = grants
        .iter()
        .filter_map(|g| match g {
            Grant::AzureRole(r) if r.schedule.is_some() && intent == Intent::Make => {
                Some((r.scope.to_ascii_lowercase(), r.role_definition_id()))
            }
            _ => None,
        })
        .collect();
    let eligible_keys: HashSet<(String, String)> = grants
        .iter()
        .filter_map(|g| match g {
            Grant::AzureRole(r) if r.schedule.as_ref().is_some_and(|s| s.eligible) => Some((
                r.scope.to_ascii_lowercase(),
                r.member.id.to_ascii_lowercase(),
            )),
            _ => None,
        })
        .collect();
    let pim_reads = async {
        tokio::join!(
            futures::future::join_all(rule_keys.iter().map(|(scope, role)| async move {
                (
                    (scope.clone(), role.clone()),
                    azure.arm.pim_rules(scope, role).await,
                )
            })),
            // A scope with many of the run's members is read once, for all
            // of them (as its live assignments are); else per member.
            per_pair(
                &eligible_keys,
                |scope| async move {
                    azure
                        .arm
                        .schedules_at(rolecall_azure::arm::ScheduleKind::Eligibility, &scope)
                        .await
                },
                |scope, member| async move {
                    azure
                        .arm
                        .schedules(
                            rolecall_azure::arm::ScheduleKind::Eligibility,
                            &scope,
                            &member,
                        )
                        .try_collect::<Vec<_>>()
                        .await
                },
                |s: &rolecall_azure::arm::ScheduleInstance| s.properties.principal_id.as_str(),
            ),
        )
    };
    // Role assignments that last only while a PIM activation runs: never
    // standing access, whatever role they carry.
    let activations = futures::future::join_all(scopes.iter().map(|scope| async move {
        if Scope::parse(scope).is_err() {
            return Ok(Vec::new());
        }
        azure.arm.activations(scope).await
    }));
    let (
        subscriptions,
        tree,
        activations,
        (pim_rules, eligibilities),
        may_assign,
        directory_roles,
        live,
        app_live,
    ) = tokio::join!(
        subscriptions,
        tree,
        activations,
        pim_reads,
        rights(azure, scopes.clone(), ASSIGN_ACTION),
        directory_roles,
        live_assignments(azure, &pairs, listings),
        futures::future::join_all(resources.into_iter().map(|resource| async move {
            let found = azure
                .graph
                .app_role_assigned_to(&resource)
                .try_collect::<Vec<_>>()
                .await;
            (resource, found)
        })),
    );
    // Subscriptions that are not enabled are read-only: nothing can be assigned there.
    let disabled: HashMap<String, (String, String)> = subscriptions?
        .into_iter()
        .filter(|s| s.state != "Enabled")
        .map(|s| {
            (
                s.subscription_id.to_ascii_lowercase(),
                (s.display_name, s.state),
            )
        })
        .collect();
    let may_assign = may_assign?;
    let tree = tree?;
    let pim_rules: HashMap<(String, String), Result<Vec<serde_json::Value>>> =
        pim_rules.into_iter().collect();
    let mut eligible_now: HashMap<(String, String), Vec<rolecall_azure::arm::ScheduleInstance>> =
        HashMap::new();
    for (key, found) in eligibilities {
        match found {
            Ok(found) => {
                eligible_now.insert(key, found);
            }
            // Without the licence the rules say so, per grant; nothing is eligible.
            Err(e) if e.is_pim_unlicensed() => {}
            Err(e) => return Err(e),
        }
    }
    let mut activated = Activated::new();
    for found in activations {
        for instance in found? {
            if let Some(origin) = &instance.properties.origin_role_assignment_id {
                activated.insert(
                    origin.to_ascii_lowercase(),
                    instance
                        .properties
                        .end_date_time
                        .clone()
                        .unwrap_or_default(),
                );
            }
        }
    }
    let app_roles_allowed = directory_roles?
        .iter()
        .any(|r| role_templates::MAY_ASSIGN_APP_ROLES.contains(&r.role_template_id.as_str()));
    let mut assignments: HashMap<(String, String), Vec<rolecall_azure::arm::RoleAssignment>> =
        HashMap::new();
    for (pair, found) in live {
        if may_assign[&pair.0] {
            assignments.insert(pair, found?);
        }
    }
    let mut app_assignments: HashMap<String, Vec<rolecall_azure::graph::AppRoleAssignment>> =
        HashMap::new();
    if app_roles_allowed {
        for (resource, found) in app_live {
            app_assignments.insert(resource, found?);
        }
    }

    let items = grants
        .into_iter()
        .map(|grant| {
            let status = match &grant {
                Grant::AzureRole(r) => {
                    let scope = r.scope.to_ascii_lowercase();
                    let off = Scope::parse(&r.scope)
                        .ok()
                        .and_then(|s| s.subscription_id().map(str::to_ascii_lowercase))
                        .and_then(|id| disabled.get(&id));
                    if let Some((name, state)) = off {
                        Status::Blocked {
                            reason: format!(
                                "The subscription '{name}' is {state}, which makes it read-only: nothing can be assigned there until it is enabled again."
                            ),
                        }
                    } else if !may_assign[&scope] {
                        Status::Blocked {
                            reason: lacks_assign_right(&r.scope),
                        }
                    } else if let Some(schedule) = &r.schedule {
                        let member = r.member.id.to_ascii_lowercase();
                        let blocker = match intent {
                            Intent::Make => pim_blocker(
                                r,
                                schedule,
                                &pim_rules[&(scope.clone(), r.role_definition_id())],
                            ),
                            Intent::Remove => None,
                        };
                        blocker.unwrap_or_else(|| {
                            if schedule.eligible {
                                eligibility_status(
                                    r,
                                    eligible_now
                                        .get(&(scope.clone(), member))
                                        .map(Vec::as_slice)
                                        .unwrap_or_default(),
                                    &tree,
                                )
                            } else {
                                azure_role_status(
                                    r,
                                    &assignments[&(scope, member)],
                                    &tree,
                                    &activated,
                                )
                            }
                        })
                    } else {
                        azure_role_status(
                            r,
                            &assignments[&(scope, r.member.id.to_ascii_lowercase())],
                            &tree,
                            &activated,
                        )
                    }
                }
                Grant::AppRole(a) => {
                    if !app_roles_allowed {
                        Status::Blocked {
                            reason: "Assigning app roles needs the Microsoft Entra role Cloud Application Administrator, Application Administrator or Global Administrator; you hold none of them. Ask a Global Administrator to grant one or to do this step.".into(),
                        }
                    } else {
                        app_assignments[&a.resource_id]
                            .iter()
                            .find(|x| {
                                x.principal_id.eq_ignore_ascii_case(&a.member.id)
                                    && x.app_role_id.eq_ignore_ascii_case(&a.app_role_id)
                            })
                            .map_or(Status::ToCreate, |x| Status::InPlace {
                                assignment_id: x.id.clone(),
                                made_elsewhere: false,
                                ends: None,
                            })
                    }
                }
            };
            PlanItem { grant, status }
        })
        .collect();
    let mut items: Vec<PlanItem> = items;
    eligible_to_assign(azure, &mut items, &may_assign).await;
    let mut policies: Vec<PolicySummary> = Vec::new();
    for item in &items {
        let Grant::AzureRole(r) = &item.grant else {
            continue;
        };
        let Some(schedule) = &r.schedule else {
            continue;
        };
        let key = (r.scope.to_ascii_lowercase(), r.role_definition_id());
        if let Some(Ok(rules)) = pim_rules.get(&key)
            && !policies.iter().any(|p| {
                p.scope.eq_ignore_ascii_case(&r.scope)
                    && p.role_name == r.role_name
                    && p.eligible == schedule.eligible
            })
        {
            policies.push(PolicySummary::from_rules(
                &r.scope,
                &r.role_name,
                schedule.eligible,
                rules,
            ));
        }
    }
    let mut plan = Plan { items, policies };
    if let Some(catalogue) = catalogue {
        mark_covered(azure, &mut plan, &assignments, catalogue, &tree, &activated).await?;
    }
    Ok(plan)
}

/// Each (scope, member)'s role assignments (see [`per_pair`]).
async fn live_assignments(
    azure: &Azure,
    pairs: &HashSet<(String, String)>,
    listings: &Listings,
) -> Vec<(
    (String, String),
    Result<Vec<rolecall_azure::arm::RoleAssignment>>,
)> {
    per_pair(
        pairs,
        |scope| async move { listings.all(azure, &scope).await },
        |scope, member| async move {
            azure
                .arm
                .role_assignments(&scope, &AssignmentFilter::Principal(member))
                .try_collect::<Vec<_>>()
                .await
        },
        |a: &rolecall_azure::arm::RoleAssignment| a.properties.principal_id.as_str(),
    )
    .await
}

/// Each (scope, member) pair's items: read once for the whole scope
/// (`whole_scope`) and shared out by `principal_of` where
/// [`BULK_MEMBERS`] or more pairs share it, which is one request (and its
/// pages) instead of one per member; else, or when that read fails, asked
/// per member (`one_member`), so each pair gets its own answer or refusal.
async fn per_pair<'p, T, SF, MF>(
    pairs: impl IntoIterator<Item = &'p (String, String)>,
    whole_scope: impl Fn(String) -> SF,
    one_member: impl Fn(String, String) -> MF,
    principal_of: impl Fn(&T) -> &str,
) -> Vec<((String, String), Result<Vec<T>>)>
where
    T: Clone,
    SF: std::future::Future<Output = Result<Vec<T>>>,
    MF: std::future::Future<Output = Result<Vec<T>>>,
{
    let mut by_scope: HashMap<&str, Vec<&str>> = HashMap::new();
    for (scope, member) in pairs {
        by_scope.entry(scope).or_default().push(member);
    }
    let (whole_scope, one_member, principal_of) = (&whole_scope, &one_member, &principal_of);
    let per_member = |scope: &str, members: Vec<&str>| {
        futures::future::join_all(members.into_iter().map(|member| {
            let key = (scope.to_owned(), member.to_owned());
            let found = one_member(key.0.clone(), key.1.clone());
            async move { (key, found.await) }
        }))
    };
    let per_member = &per_member;
    let answers =
        futures::future::join_all(by_scope.into_iter().map(|(scope, members)| async move {
            if members.len() < BULK_MEMBERS {
                return per_member(scope, members).await;
            }
            match whole_scope(scope.to_owned()).await {
                Ok(all) => members
                    .into_iter()
                    .map(|member| {
                        let mine = all
                            .iter()
                            .filter(|x| principal_of(x).eq_ignore_ascii_case(member))
                            .cloned()
                            .collect();
                        ((scope.to_owned(), member.to_owned()), Ok(mine))
                    })
                    .collect(),
                Err(_) => per_member(scope, members).await,
            }
        }))
        .await;
    answers.into_iter().flatten().collect()
}

/// Marks each Azure grant still to create that another role the member
/// holds (here or above) already covers, measured in the catalogue.
async fn mark_covered(
    azure: &Azure,
    plan: &mut Plan,
    assignments: &HashMap<(String, String), Vec<rolecall_azure::arm::RoleAssignment>>,
    catalogue: &rolecall_rbac::Catalogue,
    tree: &rolecall_rbac::Hierarchy,
    activated: &Activated,
) -> Result<()> {
    // The role definitions involved, read once each.
    let mut wanted: HashSet<(String, String)> = HashSet::new();
    // Roles are read in the grant's subscription (its custom roles are
    // there), or at the group itself for a grant at a management group.
    let subscription_of = |scope: &str| {
        Scope::parse(scope)
            .ok()
            .map(|s| s.subscription_scope().unwrap_or_else(|| s.to_string()))
            .unwrap_or_default()
    };
    for item in &plan.items {
        let (Grant::AzureRole(r), Status::ToCreate) = (&item.grant, &item.status) else {
            continue;
        };
        if r.schedule.is_some() {
            continue; // time-bound access is not covered by standing access, nor the reverse
        }
        let subscription = subscription_of(&r.scope);
        let key = (
            r.scope.to_ascii_lowercase(),
            r.member.id.to_ascii_lowercase(),
        );
        let held = assignments.get(&key).map(Vec::as_slice).unwrap_or_default();
        if held.is_empty() {
            continue;
        }
        wanted.insert((subscription.clone(), r.role_id.to_ascii_lowercase()));
        for a in held {
            wanted.insert((
                subscription.clone(),
                rolecall_rbac::roles::definition_guid(&a.properties.role_definition_id)
                    .to_ascii_lowercase(),
            ));
        }
    }
    let definitions: HashMap<(String, String), Option<rolecall_rbac::RoleDefinition>> =
        futures::future::try_join_all(wanted.into_iter().map(|(sub, guid)| async move {
            let found = azure.arm.role_definition(&sub, &guid).await?;
            Ok::<_, rolecall_azure::AzureError>(((sub, guid), found))
        }))
        .await?
        .into_iter()
        .collect();
    // Each role's operations, measured once.
    let sets: HashMap<(String, String), (String, rolecall_rbac::least::OperationSet)> = definitions
        .iter()
        .filter_map(|(key, d)| {
            let d = d.as_ref()?;
            let set = rolecall_rbac::least::granted(catalogue, &d.properties.permissions);
            Some((key.clone(), (d.role_name().to_owned(), set)))
        })
        .collect();
    // A planned role with an operation the catalogue does not list (a new
    // provider, a typo) cannot be proven covered: it is created.
    let fully_known: HashSet<(String, String)> = sets
        .keys()
        .filter(|key| {
            definitions
                .get(*key)
                .and_then(Option::as_ref)
                .is_some_and(|d| every_pattern_known(catalogue, &d.properties.permissions))
        })
        .cloned()
        .collect();
    let granted = |sub: &str, guid: &str| sets.get(&(sub.to_owned(), guid.to_ascii_lowercase()));
    for item in &mut plan.items {
        let (Grant::AzureRole(r), Status::ToCreate) = (&item.grant, &item.status) else {
            continue;
        };
        let subscription = subscription_of(&r.scope);
        let Some((_, needed)) = granted(&subscription, &r.role_id) else {
            continue;
        };
        if !fully_known.contains(&(subscription.clone(), r.role_id.to_ascii_lowercase())) {
            continue;
        }
        let Ok(target) = Scope::parse(&r.scope) else {
            continue;
        };
        let key = (
            r.scope.to_ascii_lowercase(),
            r.member.id.to_ascii_lowercase(),
        );
        let held = assignments.get(&key).map(Vec::as_slice).unwrap_or_default();
        let covering = held.iter().find_map(|a| {
            let at = Scope::parse(&a.properties.scope).ok()?;
            if !tree.listed_above(&at, &target)
                || a.properties.condition.is_some()
                || activated.contains_key(&a.id.to_ascii_lowercase())
            {
                return None;
            }
            let guid = rolecall_rbac::roles::definition_guid(&a.properties.role_definition_id);
            let (name, has) = granted(&subscription, &guid)?;
            (!needed.is_empty() && needed.is_subset_of(has))
                .then(|| (name.clone(), a.properties.scope.clone()))
        });
        if let Some((by_role, from_scope)) = covering {
            item.status = Status::Covered {
                by_role,
                from_scope,
            };
        }
    }
    Ok(())
}

/// Whether every action and data action pattern of `permissions` grants at
/// least one operation the catalogue lists.
fn every_pattern_known(
    catalogue: &rolecall_rbac::Catalogue,
    permissions: &[rolecall_rbac::Permission],
) -> bool {
    permissions.iter().all(|p| {
        let one = |actions: Vec<String>, data_actions: Vec<String>| {
            !rolecall_rbac::least::granted(
                catalogue,
                &[rolecall_rbac::Permission {
                    actions,
                    data_actions,
                    ..Default::default()
                }],
            )
            .is_empty()
        };
        p.actions.iter().all(|a| one(vec![a.clone()], Vec::new()))
            && p.data_actions
                .iter()
                .all(|a| one(Vec::new(), vec![a.clone()]))
    })
}

/// Role assignment ids (lowercase) that stand on a running PIM activation,
/// with the activation's end.
type Activated = HashMap<String, String>;

/// `existing` is what ARM listed for the grant's scope and member.
fn azure_role_status(
    grant: &crate::model::AzureRoleGrant,
    existing: &[rolecall_azure::arm::RoleAssignment],
    tree: &rolecall_rbac::Hierarchy,
    activated: &Activated,
) -> Status {
    let Ok(target) = Scope::parse(&grant.scope) else {
        return Status::Blocked {
            reason: format!("'{}' is not a valid scope.", grant.scope),
        };
    };
    let mut inherited = None;
    for a in existing {
        if !grant.is_held_by(a) {
            continue;
        }
        let Ok(at) = Scope::parse(&a.properties.scope) else {
            continue;
        };
        // An activation is not standing access: not in place, not inherited.
        if let Some(end) = activated.get(&a.id.to_ascii_lowercase()) {
            if at == target {
                return Status::Blocked {
                    reason: format!(
                        "{} holds this role here only through a PIM activation, which ends {}; it is not standing access, and ARM makes no second assignment of the same role beside it. Plan this again once the activation has ended.",
                        grant.member.display_name,
                        if end.is_empty() {
                            "when its holder ends it".to_owned()
                        } else {
                            format!("at {end}")
                        }
                    ),
                };
            }
            continue;
        }
        if at == target {
            return Status::InPlace {
                assignment_id: a.id.clone(),
                made_elsewhere: !a.name.eq_ignore_ascii_case(&grant.assignment_name()),
                ends: None,
            };
        }
        if tree.listed_above(&at, &target) {
            inherited = Some(a.properties.scope.clone());
        }
    }
    match inherited {
        Some(from_scope) => Status::Inherited { from_scope },
        None => Status::ToCreate,
    }
}

/// Built-in roles that carry `roleAssignments/write`: Owner, User Access
/// Administrator, Role Based Access Control Administrator.
const ASSIGNING_ROLES: [(&str, &str); 3] = [
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    (
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "User Access Administrator",
    ),
    (
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Role Based Access Control Administrator",
    ),
];

/// Where the admin may not assign but is eligible (PIM) for a role that
/// may, the blocked grants say to activate it first. Read only when
/// something is blocked for want of the right (the admin's own
/// eligibilities, `asTarget()`); a failure to read them changes nothing.
async fn eligible_to_assign(
    azure: &Azure,
    items: &mut [PlanItem],
    may_assign: &HashMap<String, bool>,
) {
    let lacking: HashSet<String> = may_assign
        .iter()
        .filter(|(_, may)| !**may)
        .map(|(scope, _)| scope.clone())
        .filter(|scope| Scope::parse(scope).is_ok())
        .collect();
    if lacking.is_empty() {
        return;
    }
    let found = futures::future::join_all(lacking.iter().map(|scope| async move {
        let mine = azure
            .arm
            .my_schedule_instances(rolecall_azure::arm::ScheduleKind::Eligibility, scope)
            .await
            .unwrap_or_default();
        let role = mine.iter().find_map(|e| {
            let guid = rolecall_rbac::roles::definition_guid(&e.properties.role_definition_id);
            ASSIGNING_ROLES
                .iter()
                .find(|(id, _)| guid.eq_ignore_ascii_case(id))
                .map(|(_, name)| (*name, e.properties.scope.clone()))
        });
        (scope.clone(), role)
    }))
    .await;
    let hints: HashMap<String, String> = found
        .into_iter()
        .filter_map(|(scope, role)| {
            role.map(|(name, at)| {
                (
                    scope,
                    format!(
                        " You are eligible for {name} at {at}: activate it first (Role assignments → My roles, or rolecall-cli activate --scope {at} --role \"{name}\"), then check again."
                    ),
                )
            })
        })
        .collect();
    for item in items {
        if let (Grant::AzureRole(r), Status::Blocked { reason }) = (&item.grant, &mut item.status)
            && *reason == lacks_assign_right(&r.scope)
            && let Some(hint) = hints.get(&r.scope.to_ascii_lowercase())
        {
            reason.push_str(hint);
        }
    }
}

/// Why PIM would refuse an eligible or time-bound grant, read from the
/// role's settings at the scope before anything is written (the same rules
/// ARM applies: `RoleAssignmentRequestPolicyValidationFailed`).
fn pim_blocker(
    grant: &crate::model::AzureRoleGrant,
    schedule: &crate::model::Schedule,
    rules: &Result<Vec<serde_json::Value>>,
) -> Option<Status> {
    let blocked = |reason: String| Some(Status::Blocked { reason });
    if let Err(reason) = schedule.check() {
        return blocked(reason);
    }
    if schedule.eligible && grant.member.kind == crate::model::MemberKind::ServicePrincipal {
        return blocked(format!(
            "Only users and groups can be eligible: {} is a service principal or managed identity, which cannot activate a role. Make it active and time-bound instead.",
            grant.member.display_name
        ));
    }
    let rules = match rules {
        Ok(rules) => rules,
        Err(e) => {
            let why = e
                .api()
                .map(|a| a.what_to_do.clone())
                .unwrap_or_else(|| e.to_string());
            return blocked(why);
        }
    };
    let level = if schedule.eligible {
        "Eligibility"
    } else {
        "Assignment"
    };
    let rule = |id: String| rules.iter().find(|r| r["id"].as_str() == Some(id.as_str()));
    let kind = if schedule.eligible {
        "eligible"
    } else {
        "active"
    };
    let role = &grant.role_name;
    if let Some(expiry) = rule(format!("Expiration_Admin_{level}")) {
        let required = expiry["isExpirationRequired"].as_bool().unwrap_or(false);
        let maximum = expiry["maximumDuration"].as_str().filter(|m| {
            rolecall_rbac::duration::parse(m).is_some_and(|d| d > time::Duration::ZERO)
        });
        let now = time::OffsetDateTime::now_utc();
        match schedule.length(now) {
            None if required => {
                return blocked(format!(
                    "{role}'s PIM settings at this scope do not allow {kind} assignments without an end{}. Give a duration or an end date.",
                    maximum
                        .map(|m| format!(": at most {}", rolecall_rbac::duration::words(m)))
                        .unwrap_or_default()
                ));
            }
            Some(length) if length < time::Duration::minutes(5) => {
                return blocked(
                    "PIM assignments last at least 5 minutes: give a longer duration or a later end."
                        .into(),
                );
            }
            Some(length) => {
                if let Some(max) = maximum
                    && rolecall_rbac::duration::parse(max).is_some_and(|m| length > m)
                {
                    return blocked(format!(
                        "{role}'s PIM settings at this scope allow {kind} assignments of at most {}; {} was asked. Shorten it, or ask an Owner to change the role's settings.",
                        rolecall_rbac::duration::words(max),
                        schedule.describe()
                    ));
                }
            }
            None => {}
        }
    }
    if let Some(enabled) = rule(format!("Enablement_Admin_{level}")) {
        let wants = |what: &str| {
            enabled["enabledRules"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(what)))
        };
        let justification = schedule
            .justification
            .as_deref()
            .or(grant.description.as_deref())
            .is_some_and(|j| !j.trim().is_empty());
        if wants("Justification") && !justification {
            return blocked(format!(
                "{role}'s PIM settings at this scope require a justification for {kind} assignments: give one."
            ));
        }
        if wants("Ticketing")
            && schedule
                .ticket
                .as_deref()
                .is_none_or(|t| t.trim().is_empty())
        {
            return blocked(format!(
                "{role}'s PIM settings at this scope require a ticket number for {kind} assignments: give one."
            ));
        }
    }
    None
}

/// An eligible grant against the member's eligibility schedules: in place
/// at the scope, inherited from above, else to make. Active access does not
/// make someone eligible, nor the reverse.
fn eligibility_status(
    grant: &crate::model::AzureRoleGrant,
    schedules: &[rolecall_azure::arm::ScheduleInstance],
    tree: &rolecall_rbac::Hierarchy,
) -> Status {
    let Ok(target) = Scope::parse(&grant.scope) else {
        return Status::Blocked {
            reason: format!("'{}' is not a valid scope.", grant.scope),
        };
    };
    let mut inherited = None;
    for s in schedules {
        let p = &s.properties;
        if rolecall_rbac::roles::definition_guid(&p.role_definition_id)
            != rolecall_rbac::roles::definition_guid(&grant.role_id)
            || !p.principal_id.eq_ignore_ascii_case(&grant.member.id)
        {
            continue;
        }
        let Ok(at) = Scope::parse(&p.scope) else {
            continue;
        };
        if at == target {
            return Status::InPlace {
                assignment_id: s.id.clone(),
                made_elsewhere: false,
                ends: p.end_date_time.clone(),
            };
        }
        if tree.listed_above(&at, &target) {
            inherited = Some(p.scope.clone());
        }
    }
    match inherited {
        Some(from_scope) => Status::Inherited { from_scope },
        None => Status::ToCreate,
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_policy_reads_as_the_portals_settings_page_says_it() {
        // Permanent eligibility allowed; activation with MFA, a ticket and an approver.
        let rules = vec![
            json!({"id": "Expiration_Admin_Eligibility", "isExpirationRequired": false, "maximumDuration": "P180D"}),
            json!({"id": "Enablement_Admin_Eligibility", "enabledRules": ["Ticketing"]}),
            json!({"id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT4H"}),
            json!({"id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication", "Justification", "Ticketing"]}),
            json!({"id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": true}}),
            json!({"id": "Expiration_Admin_Assignment", "isExpirationRequired": true}),
        ];
        let eligible = PolicySummary::from_rules("/s", "Owner", true, &rules);
        assert_eq!(
            eligible.describe(),
            "Eligible: permanent allowed, time-bound at most 180 days, a ticket number asked. Activating: at most 4 hours, with MFA, a justification and a ticket number, after an approver agrees."
        );
        let active = PolicySummary::from_rules("/s", "Owner", false, &rules);
        assert_eq!(active.describe(), "Active: an end required.");
        assert!(active.activation.is_none());
    }
}
