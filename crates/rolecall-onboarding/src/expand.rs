//! A template's chosen tasks, for chosen people, as the least set of grants.

use std::collections::{HashMap, HashSet};

use rolecall_azure::{Azure, AzureError};
use rolecall_grants::resolve::{self, ResolveError};
use rolecall_grants::{AppRoleGrant, AzureRoleGrant, Grant, Member};
use rolecall_rbac::draft::Draft;
use rolecall_rbac::{Catalogue, Permission, Scope};
use serde::Serialize;

use crate::template::{GrantSpec, Template, scope_of};

/// What the admin chose.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    pub template: &'a Template,
    /// Task ids.
    pub tasks: Vec<String>,
    /// Input id → the ARM id chosen for it.
    pub inputs: HashMap<String, String>,
    pub members: Vec<Member>,
}

/// A custom role the template creates before it is assigned.
#[derive(Debug, Clone, Serialize)]
pub struct NewCustomRole {
    /// `guid(name, subscription)`: a re-run names the same role.
    pub guid: String,
    pub draft: Draft,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Expansion {
    pub grants: Vec<Grant>,
    pub custom_roles: Vec<NewCustomRole>,
    /// The chosen tasks' warnings, once each.
    pub warnings: Vec<String>,
    /// Grants left out because another chosen grant covers them, and why.
    pub left_out: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExpandError {
    #[error("template '{template}' has no task '{task}'")]
    UnknownTask { template: String, task: String },
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Azure(#[from] AzureError),
}

/// One Azure role at one scope, before it is multiplied by the members.
struct RoleAt {
    scope: String,
    role_id: String,
    role_name: String,
    permissions: Vec<Permission>,
    /// As the template (or its grant) asks; the admin's terms may change it.
    schedule: Option<rolecall_grants::Schedule>,
}

/// The grants the chosen tasks need, for every member, least first:
/// duplicates merged, app roles another chosen app role supersedes left
/// out, and (given the catalogue) an Azure role left out when another chosen
/// one at the same or a parent scope grants everything it grants.
pub async fn expand(
    azure: &Azure,
    selection: &Selection<'_>,
    catalogue: Option<&Catalogue>,
) -> Result<Expansion, ExpandError> {
    let resolved = resolve_template(
        azure,
        selection.template,
        &selection.tasks,
        &selection.inputs,
        catalogue,
    )
    .await?;
    Ok(resolved.for_members(&selection.members))
}

/// A template's chosen tasks resolved against the tenant (its roles by name,
/// its applications by id), before any member: [`Resolved::for_members`]
/// makes the grants. Needs no member, so it can run while people are looked up.
pub struct Resolved {
    template_name: String,
    out: Expansion,
    roles: Vec<RoleAt>,
    app_grants: Vec<(
        rolecall_azure::graph::ServicePrincipal,
        rolecall_azure::graph::AppRole,
    )>,
}

impl Resolved {
    /// The grants for `members`, each member getting every resolved grant,
    /// its Azure roles held as the template says.
    pub fn for_members(self, members: &[Member]) -> Expansion {
        self.for_members_with(members, |_| crate::terms::Terms::default())
    }

    /// [`Resolved::for_members`], each member's Azure roles held on the
    /// admin's `terms` for them.
    pub fn for_members_with(
        self,
        members: &[Member],
        terms: impl Fn(&Member) -> crate::terms::Terms,
    ) -> Expansion {
        let mut out = self.out;
        for member in members {
            let terms = terms(member);
            for r in &self.roles {
                out.grants.push(Grant::AzureRole(AzureRoleGrant {
                    scope: r.scope.clone(),
                    role_id: r.role_id.clone(),
                    role_name: r.role_name.clone(),
                    member: member.clone(),
                    description: Some(format!("Rolecall onboarding: {}", self.template_name)),
                    schedule: terms.schedule(r.schedule.clone()),
                }));
            }
            for (app, role) in &self.app_grants {
                let grant = AppRoleGrant::new(app, role, member.clone());
                out.grants.push(Grant::AppRole(grant));
            }
        }
        out
    }
}

/// An Azure role of the template: one to look up by name, or one known
/// already (the template's own custom role).
enum Slot {
    Lookup {
        at: String,
        role: String,
        schedule: Option<rolecall_grants::Schedule>,
    },
    Ready(RoleAt),
}

/// Resolves the chosen tasks of `template`: every role and application is
/// looked up at once (one round trip, within the clients' bound).
pub async fn resolve_template(
    azure: &Azure,
    template: &Template,
    tasks: &[String],
    inputs: &HashMap<String, String>,
    catalogue: Option<&Catalogue>,
) -> Result<Resolved, ExpandError> {
    let mut out = Expansion::default();
    let mut specs: Vec<&GrantSpec> = Vec::new();
    for id in tasks {
        let task = template.task(id).ok_or_else(|| ExpandError::UnknownTask {
            template: template.id.clone(),
            task: id.clone(),
        })?;
        if let Some(w) = &task.warning
            && !out.warnings.contains(w)
        {
            out.warnings.push(w.clone());
        }
        specs.extend(task.grants.iter());
    }
    let scope = |reference: &str| scope_of(reference, inputs).map_err(ExpandError::Input);
    // A grant's own assignment type, else the template's.
    let schedule = |spec: &GrantSpec| {
        spec.assignment()
            .or(template.assignment.as_ref())
            .and_then(|a| a.schedule())
    };

    // Azure roles (built-in by name, the template's custom roles by spec).
    let mut slots: Vec<Slot> = Vec::new();
    let mut seen = HashSet::new();
    for spec in &specs {
        match spec {
            GrantSpec::AzureRole { role, at, .. } => {
                let at = scope(at)?;
                if !seen.insert((at.to_ascii_lowercase(), role.to_ascii_lowercase())) {
                    continue;
                }
                slots.push(Slot::Lookup {
                    at,
                    role: role.clone(),
                    schedule: schedule(spec),
                });
            }
            GrantSpec::CustomRole { role, at, .. } => {
                let at = scope(at)?;
                let grant_spec = *spec;
                let spec = template
                    .custom_roles
                    .iter()
                    .find(|r| &r.id == role)
                    .expect("validated: the custom role exists");
                let assignable = scope(&spec.assignable_at)?;
                let subscription = Scope::parse(&assignable)
                    .ok()
                    .and_then(|s| s.subscription_scope())
                    .unwrap_or_default();
                let guid = rolecall_rbac::names::arm_guid(&[&spec.name, &subscription]).to_string();
                let permissions = vec![Permission {
                    actions: spec.actions.clone(),
                    data_actions: spec.data_actions.clone(),
                    ..Default::default()
                }];
                if !out.custom_roles.iter().any(|r| r.guid == guid) {
                    out.custom_roles.push(NewCustomRole {
                        guid: guid.clone(),
                        draft: Draft {
                            role_name: spec.name.clone(),
                            description: spec.description.clone(),
                            assignable_scopes: vec![assignable],
                            permissions: permissions.clone(),
                        },
                    });
                }
                if seen.insert((at.to_ascii_lowercase(), guid.clone())) {
                    slots.push(Slot::Ready(RoleAt {
                        scope: at,
                        role_id: guid,
                        role_name: spec.name.clone(),
                        permissions,
                        schedule: schedule(grant_spec),
                    }));
                }
            }
            GrantSpec::AppRole { .. } => {}
        }
    }

    // App roles: by application, superseded ones left out.
    let mut by_app: Vec<(String, Vec<String>)> = Vec::new();
    let mut superseded: HashSet<(String, String)> = HashSet::new();
    for spec in &specs {
        if let GrantSpec::AppRole {
            app_id,
            role,
            supersedes,
        } = spec
        {
            let app = app_id.to_ascii_lowercase();
            for s in supersedes {
                superseded.insert((app.clone(), s.to_ascii_lowercase()));
            }
            match by_app.iter_mut().find(|(a, _)| *a == app) {
                Some((_, list)) if !list.iter().any(|r| r.eq_ignore_ascii_case(role)) => {
                    list.push(role.clone())
                }
                Some(_) => {}
                None => by_app.push((app, vec![role.clone()])),
            }
        }
    }
    let mut wanted_apps = Vec::new();
    for (app_id, wanted) in by_app {
        let kept: Vec<String> = wanted
            .into_iter()
            .filter(|r| {
                let gone = superseded.contains(&(app_id.clone(), r.to_ascii_lowercase()));
                if gone {
                    out.left_out.push(format!(
                        "{r}: another chosen app role of the same application includes it"
                    ));
                }
                !gone
            })
            .collect();
        wanted_apps.push((app_id, kept));
    }

    let at: Vec<String> = slots
        .iter()
        .map(|slot| match slot {
            Slot::Ready(role) => role.scope.clone(),
            Slot::Lookup { at, .. } => at.clone(),
        })
        .collect();
    let roles = futures::future::try_join_all(slots.into_iter().map(|slot| async move {
        Ok::<_, ExpandError>(match slot {
            Slot::Ready(role) => role,
            Slot::Lookup { at, role, schedule } => {
                let found = resolve::role(azure, &at, &role).await?;
                RoleAt {
                    scope: at,
                    role_id: found.name.clone(),
                    role_name: found.role_name().to_owned(),
                    permissions: found.properties.permissions.clone(),
                    schedule,
                }
            }
        })
    }));
    let apps = futures::future::try_join_all(wanted_apps.iter().map(|(app_id, kept)| async move {
        Ok::<_, ExpandError>(resolve::app_roles(azure, app_id, kept).await?)
    }));
    // Whether a group covers a scope in a subscription only the tree tells.
    let tree = async { Ok::<_, ExpandError>(azure.arm.hierarchy_for(&at).await?) };
    let (roles, apps, tree) = tokio::try_join!(roles, apps, tree)?;
    let roles = drop_covered(roles, catalogue, &tree, &mut out.left_out);
    let app_grants = apps
        .into_iter()
        .flat_map(|(app, app_roles)| app_roles.into_iter().map(move |role| (app.clone(), role)))
        .collect();
    Ok(Resolved {
        template_name: template.name.clone(),
        out,
        roles,
        app_grants,
    })
}

/// Leaves out each role another kept role covers: at the same or a parent
/// scope, granting every operation it grants (measured in the catalogue).
fn drop_covered(
    roles: Vec<RoleAt>,
    catalogue: Option<&Catalogue>,
    tree: &rolecall_rbac::Hierarchy,
    left_out: &mut Vec<String>,
) -> Vec<RoleAt> {
    let Some(catalogue) = catalogue else {
        return roles;
    };
    let sets: Vec<_> = roles
        .iter()
        .map(|r| rolecall_rbac::least::granted(catalogue, &r.permissions))
        .collect();
    let scopes: Vec<Option<Scope>> = roles.iter().map(|r| Scope::parse(&r.scope).ok()).collect();
    let mut dropped = vec![false; roles.len()];
    for a in 0..roles.len() {
        for b in 0..roles.len() {
            if a == b || dropped[b] {
                continue;
            }
            let (Some(sa), Some(sb)) = (&scopes[a], &scopes[b]) else {
                continue;
            };
            // Held the same way: eligibility is not access, and a role that
            // ends does not stand in for one that does not.
            let (ha, hb) = (&roles[a].schedule, &roles[b].schedule);
            let same_way = ha.as_ref().map(|s| s.eligible) == hb.as_ref().map(|s| s.eligible)
                && (hb.as_ref().is_none_or(|s| s.is_permanent())
                    || ha.as_ref().is_some_and(|s| !s.is_permanent()));
            let covers = same_way && tree.covers(sb, sa) && sets[a].is_subset_of(&sets[b]);
            // Of two equal grants at the same scope, keep the first.
            let equal = covers && sa == sb && sets[b].is_subset_of(&sets[a]);
            if covers && (!equal || b < a) {
                dropped[a] = true;
                left_out.push(format!(
                    "{} at {}: {} at {} already grants all of it",
                    roles[a].role_name, roles[a].scope, roles[b].role_name, roles[b].scope
                ));
                break;
            }
        }
    }
    roles
        .into_iter()
        .zip(dropped)
        .filter_map(|(r, d)| (!d).then_some(r))
        .collect()
}
