//! `Microsoft.Management`: the tenant's management-group hierarchy (API
//! 2021-04-01, from `shared/azure-reference/specs/managementgroups`): list,
//! get (`$expand=children|path|ancestors`, `$recurse=true`), a group's
//! subscriptions and descendants, and `getEntities`, the portal's flat view.
//! A group is visible to a caller who may read it (an assignment at the group
//! or above it, the tenant root `/` included); role assignments at a group
//! are inherited by everything below it (`rbac::lineage`).

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::model::{ArmState, ManagementGroup};
use super::rbac::can;
use super::{Ctx, check_api_version};
use crate::directory::Directory;
use crate::wire::arm_error;

const VERSIONS: &[&str] = &["2023-04-01", "2021-04-01", "2020-10-01", "2020-05-01"];
const READ: &str = "Microsoft.Management/managementGroups/read";

pub fn group_id(name: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{name}")
}

pub fn handle(ctx: &Ctx<'_>) -> Response {
    let segments: Vec<&str> = ctx.path.trim_matches('/').split('/').collect();
    // providers / Microsoft.Management / …
    let rest: Vec<String> = segments
        .iter()
        .skip(2)
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let state = ctx.shared.state.lock().expect("state lock");
    let (arm, directory) = (&state.arm, &state.directory);
    let result = check_api_version(ctx, "managementGroups", VERSIONS).and_then(|()| {
        match (&ctx.method, rest.as_slice()) {
            (&Method::GET, ["managementgroups"]) => Ok(list(ctx, arm, directory)),
            (&Method::GET, ["managementgroups", _]) => {
                let group = visible(ctx, arm, directory, segments[3])?;
                Ok(axum::Json(get(ctx, arm, group)).into_response())
            }
            (&Method::GET, ["managementgroups", _, "subscriptions"]) => {
                let group = visible(ctx, arm, directory, segments[3])?;
                Ok(ctx.paged(subscriptions_of(ctx, arm, group)))
            }
            (&Method::GET, ["managementgroups", _, "descendants"]) => {
                let group = visible(ctx, arm, directory, segments[3])?;
                Ok(ctx.paged(descendants(arm, group)))
            }
            (&Method::POST, ["getentities"]) => Ok(entities(ctx, arm, directory)),
            (&Method::GET | &Method::POST, _) => Err(arm_error(
                StatusCode::NOT_FOUND,
                "InvalidResourceType",
                &format!(
                    "The resource type '{}' could not be found in the namespace 'Microsoft.Management'.",
                    segments.get(2).copied().unwrap_or_default()
                ),
            )),
            _ => Err(arm_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The emulator serves the management-group hierarchy read-only.",
            )),
        }
    });
    result.unwrap_or_else(|response| response)
}

fn may_read(ctx: &Ctx<'_>, arm: &ArmState, directory: &Directory, group: &ManagementGroup) -> bool {
    can(
        arm,
        directory,
        &ctx.caller.oid,
        READ,
        &group_id(&group.name),
    )
}

/// The group, when it exists and the caller may read it; else ARM's 403.
fn visible<'a>(
    ctx: &Ctx<'_>,
    arm: &'a ArmState,
    directory: &Directory,
    name: &str,
) -> Result<&'a ManagementGroup, Response> {
    let group = arm.management_group(name);
    match group {
        Some(group) if may_read(ctx, arm, directory, group) => Ok(group),
        // As ARM: a group the caller cannot read is refused the same way
        // whether or not it exists.
        _ => Err(ctx.authorization_failed(READ, &group_id(name))),
    }
}

fn list(ctx: &Ctx<'_>, arm: &ArmState, directory: &Directory) -> Response {
    let items = arm
        .management_groups
        .iter()
        .filter(|g| may_read(ctx, arm, directory, g))
        .map(|g| {
            json!({
                "id": group_id(&g.name),
                "type": "Microsoft.Management/managementGroups",
                "name": g.name,
                "properties": {
                    "tenantId": ctx.shared.tenant.id,
                    "displayName": g.display_name,
                }
            })
        })
        .collect();
    ctx.paged(items)
}

fn parent_ref(arm: &ArmState, group: &ManagementGroup) -> Value {
    match group
        .parent
        .as_deref()
        .and_then(|p| arm.management_group(p))
    {
        Some(parent) => json!({
            "id": group_id(&parent.name),
            "name": parent.name,
            "displayName": parent.display_name,
        }),
        None => Value::Null,
    }
}

fn get(ctx: &Ctx<'_>, arm: &ArmState, group: &ManagementGroup) -> Value {
    let expand = ctx
        .param("$expand")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let recurse = ctx
        .param("$recurse")
        .is_some_and(|r| r.eq_ignore_ascii_case("true"));
    let no_subscriptions = ctx.param("$filter").is_some_and(|f| {
        f.replace(' ', "")
            .eq_ignore_ascii_case("children.childTypeneSubscription")
    });
    let mut details = json!({
        "version": 1,
        "updatedTime": "2026-01-15T09:00:00.0000000Z",
        "updatedBy": crate::seed::demo_id("user:olivia.owner"),
        "parent": parent_ref(arm, group),
    });
    let ancestors = arm.ancestors(&group.name);
    if expand.split(',').any(|e| e.trim() == "path") {
        let mut path: Vec<Value> = ancestors
            .iter()
            .rev()
            .map(|a| json!({"name": a.name, "displayName": a.display_name}))
            .collect();
        path.push(json!({"name": group.name, "displayName": group.display_name}));
        details["path"] = Value::Array(path);
    }
    if expand.split(',').any(|e| e.trim() == "ancestors") {
        details["managementGroupAncestorsChain"] = ancestors
            .iter()
            .map(|a| json!({"name": a.name, "displayName": a.display_name}))
            .collect();
    }
    let mut properties = json!({
        "tenantId": ctx.shared.tenant.id,
        "displayName": group.display_name,
        "details": details,
    });
    if expand.split(',').any(|e| e.trim() == "children") {
        properties["children"] = Value::Array(children(arm, group, recurse, no_subscriptions));
    }
    json!({
        "id": group_id(&group.name),
        "type": "Microsoft.Management/managementGroups",
        "name": group.name,
        "properties": properties,
    })
}

/// A group's children: groups first, then subscriptions; with `recurse`,
/// each child group carries its own.
fn children(
    arm: &ArmState,
    group: &ManagementGroup,
    recurse: bool,
    no_subscriptions: bool,
) -> Vec<Value> {
    let mut out: Vec<Value> = arm
        .child_groups(&group.name)
        .map(|g| {
            let mut child = json!({
                "type": "Microsoft.Management/managementGroups",
                "id": group_id(&g.name),
                "name": g.name,
                "displayName": g.display_name,
            });
            if recurse {
                child["children"] = Value::Array(children(arm, g, true, no_subscriptions));
            }
            child
        })
        .collect();
    if !no_subscriptions {
        out.extend(arm.subscriptions_under(group).map(|s| {
            json!({
                "type": "/subscriptions",
                "id": format!("/subscriptions/{}", s.id),
                "name": s.id,
                "displayName": s.display_name,
            })
        }));
    }
    out
}

fn subscriptions_of(ctx: &Ctx<'_>, arm: &ArmState, group: &ManagementGroup) -> Vec<Value> {
    arm.subscriptions_under(group)
        .map(|s| {
            json!({
                "id": format!("{}/subscriptions/{}", group_id(&group.name), s.id),
                "type": "Microsoft.Management/managementGroups/subscriptions",
                "name": s.id,
                "properties": {
                    "displayName": s.display_name,
                    "parent": {"id": group_id(&group.name)},
                    "state": if s.state == "Enabled" { "Active" } else { s.state.as_str() },
                    "tenant": ctx.shared.tenant.id,
                }
            })
        })
        .collect()
}

/// Everything below a group, groups and subscriptions, each naming its parent.
fn descendants(arm: &ArmState, group: &ManagementGroup) -> Vec<Value> {
    let mut out = Vec::new();
    let mut queue = vec![group];
    while let Some(g) = queue.pop() {
        for child in arm.child_groups(&g.name) {
            out.push(json!({
                "id": group_id(&child.name),
                "type": "Microsoft.Management/managementGroups",
                "name": child.name,
                "properties": {"displayName": child.display_name, "parent": {"id": group_id(&g.name)}},
            }));
            queue.push(child);
        }
        for s in arm.subscriptions_under(g) {
            out.push(json!({
                "id": format!("/subscriptions/{}", s.id),
                "type": "Microsoft.Management/managementGroups/subscriptions",
                "name": s.id,
                "properties": {"displayName": s.display_name, "parent": {"id": group_id(&g.name)}},
            }));
        }
    }
    out
}

/// `POST getEntities`: every group the caller may read, flat, with its
/// permissions and chain of parents (`$filter=name eq '…'` and
/// `contains(name|displayName,'…')`, `$search=ParentAndFirstLevelChildren`
/// with `groupName`, and `$view=GroupsOnly` are honoured; subscriptions are
/// listed under `$view=FullHierarchy|SubscriptionsOnly`).
fn entities(ctx: &Ctx<'_>, arm: &ArmState, directory: &Directory) -> Response {
    let view = ctx
        .param("$view")
        .unwrap_or("FullHierarchy")
        .to_ascii_lowercase();
    let filter = ctx.param("$filter").map(str::to_owned);
    let search = ctx.param("$search").map(str::to_ascii_lowercase);
    let around = ctx.param("groupName").map(str::to_owned);
    let permission = |scope: &str| {
        let oid = &ctx.caller.oid;
        if can(
            arm,
            directory,
            oid,
            "Microsoft.Management/managementGroups/delete",
            scope,
        ) {
            "delete"
        } else if can(
            arm,
            directory,
            oid,
            "Microsoft.Management/managementGroups/write",
            scope,
        ) {
            "edit"
        } else if can(arm, directory, oid, READ, scope) {
            "view"
        } else {
            "noaccess"
        }
    };
    let mut items: Vec<Value> = Vec::new();
    if view != "subscriptionsonly" {
        for g in arm
            .management_groups
            .iter()
            .filter(|g| may_read(ctx, arm, directory, g))
        {
            let ancestors = arm.ancestors(&g.name);
            let child_groups = arm.child_groups(&g.name).count();
            let id = group_id(&g.name);
            items.push(json!({
                "id": id,
                "type": "Microsoft.Management/managementGroups",
                "name": g.name,
                "properties": {
                    "tenantId": ctx.shared.tenant.id,
                    "displayName": g.display_name,
                    "parent": g.parent.as_deref().map(|p| json!({"id": group_id(p)})),
                    "permissions": permission(&id),
                    "inheritedPermissions": g.parent.as_deref().map_or("noaccess", |p| permission(&group_id(p))),
                    "numberOfDescendants": descendants(arm, g).len(),
                    "numberOfChildren": child_groups + g.subscriptions.len(),
                    "numberOfChildGroups": child_groups,
                    "parentDisplayNameChain": ancestors.iter().rev().map(|a| a.display_name.clone()).collect::<Vec<_>>(),
                    "parentNameChain": ancestors.iter().rev().map(|a| a.name.clone()).collect::<Vec<_>>(),
                }
            }));
        }
    }
    if view == "fullhierarchy" || view == "subscriptionsonly" {
        for g in arm
            .management_groups
            .iter()
            .filter(|g| may_read(ctx, arm, directory, g))
        {
            let mut chain: Vec<&ManagementGroup> = arm.ancestors(&g.name);
            chain.reverse();
            chain.push(g);
            for s in arm.subscriptions_under(g) {
                let scope = format!("/subscriptions/{}", s.id);
                items.push(json!({
                    "id": scope,
                    "type": "/subscriptions",
                    "name": s.id,
                    "properties": {
                        "tenantId": ctx.shared.tenant.id,
                        "displayName": s.display_name,
                        "parent": {"id": group_id(&g.name)},
                        "permissions": permission(&scope),
                        "inheritedPermissions": permission(&group_id(&g.name)),
                        "parentDisplayNameChain": chain.iter().map(|a| a.display_name.clone()).collect::<Vec<_>>(),
                        "parentNameChain": chain.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
                    }
                }));
            }
        }
    }
    if let Some(filter) = filter {
        items.retain(|item| entity_matches(item, &filter));
    }
    if let (Some(search), Some(around)) = (search.as_deref(), around.as_deref()) {
        let parent_of_around = arm
            .management_group(around)
            .and_then(|g| g.parent.clone())
            .unwrap_or_default();
        let under = group_id(around).to_ascii_lowercase();
        items.retain(|item| {
            let name = item["name"].as_str().unwrap_or_default();
            let parent = item["properties"]["parent"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match search {
                "parentandfirstlevelchildren" => {
                    name.eq_ignore_ascii_case(&parent_of_around) || parent == under
                }
                "parentonly" => name.eq_ignore_ascii_case(&parent_of_around),
                "childrenonly" => parent == under,
                _ => true,
            }
        });
    }
    let count = items.len();
    let mut page = ctx.paged_value(items);
    page["count"] = count.into();
    if page.get("nextLink").is_none() {
        page["nextLink"] = Value::Null;
    }
    axum::Json(page).into_response()
}

/// `name eq '…'`, `contains(name,'…')`, `contains(displayName,'…')`, case-insensitive.
fn entity_matches(item: &Value, filter: &str) -> bool {
    let f = filter.trim();
    let quoted = |s: &str| {
        s.trim()
            .trim_end_matches(')')
            .trim()
            .trim_matches('\'')
            .to_ascii_lowercase()
    };
    let name = item["name"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let display = item["properties"]["displayName"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let lower = f.to_ascii_lowercase();
    if let Some(value) = lower.strip_prefix("name eq ") {
        return name == quoted(value);
    }
    if let Some(value) = lower.strip_prefix("contains(name,") {
        return name.contains(&quoted(value));
    }
    if let Some(value) = lower.strip_prefix("contains(displayname,") {
        return display.contains(&quoted(value));
    }
    true
}
