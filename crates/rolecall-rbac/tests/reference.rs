//! The engine against Azure's full catalogue: 928 built-in roles and 24,680
//! provider operations from the shared reference.

use std::sync::OnceLock;

use proptest::prelude::*;
use rolecall_rbac::catalogue::shared_reference_dir;
use rolecall_rbac::draft::{Draft, DraftContext, Severity};
use rolecall_rbac::effective::{
    Assignment, Deny, EVERYONE, RoleSet, effective, effective_with_denies,
};
use rolecall_rbac::least::RoleIndex;
use rolecall_rbac::{ActionKind, Catalogue, RoleDefinition, Scope};

struct Reference {
    catalogue: Catalogue,
    roles: Vec<RoleDefinition>,
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let dir = shared_reference_dir();
        Reference {
            catalogue: Catalogue::load_dir(&dir.join("provider-operations")).unwrap(),
            roles: rolecall_rbac::roles::load(&dir.join("builtin-roles.json")).unwrap(),
        }
    })
}

fn role(name: &str) -> &'static RoleDefinition {
    reference()
        .roles
        .iter()
        .find(|r| r.role_name() == name)
        .unwrap_or_else(|| panic!("no built-in role {name}"))
}

const SUB: &str = "/subscriptions/8f3e2b1a-0000-4000-8000-000000000001";

#[test]
fn the_whole_catalogue_loads() {
    let r = reference();
    assert_eq!(r.roles.len(), 928);
    assert_eq!(r.catalogue.listed(), 24_680);
    // Some are listed twice (namespace and resource type): 22,520 distinct by name and kind.
    assert_eq!(r.catalogue.len(), 22_520);
    let op = r
        .catalogue
        .get("microsoft.support/supporttickets/WRITE")
        .unwrap();
    assert_eq!(op.namespace, "Microsoft.Support");
    assert_eq!(op.resource_type, "supportTickets");
}

#[test]
fn known_answers() {
    use ActionKind::*;
    assert!(
        role("Support Request Contributor")
            .allows("Microsoft.Support/supportTickets/write", Action)
    );
    assert!(!role("Reader").allows(
        "Microsoft.Communication/CommunicationServices/Write",
        Action
    ));
    assert!(role("Reader").allows("Microsoft.Communication/CommunicationServices/Read", Action));
    // Contributor: everything but granting access (notActions).
    assert!(role("Contributor").allows("Microsoft.Compute/virtualMachines/write", Action));
    assert!(!role("Contributor").allows("Microsoft.Authorization/roleAssignments/write", Action));
    assert!(role("Owner").allows("Microsoft.Authorization/roleAssignments/write", Action));
    assert!(
        role("User Access Administrator")
            .allows("Microsoft.Authorization/roleAssignments/write", Action)
    );
    assert!(
        !role("User Access Administrator")
            .allows("Microsoft.Compute/virtualMachines/write", Action)
    );
    // Data actions are not actions: Owner has no data access to blobs.
    let blob = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
    assert!(!role("Owner").allows(blob, DataAction));
    assert!(role("Storage Blob Data Reader").allows(blob, DataAction));
    assert!(!role("Storage Blob Data Reader").allows(blob, Action));
}

#[test]
fn wildcards_expand_to_the_operations_they_grant() {
    let c = &reference().catalogue;
    let support = c.expand("Microsoft.Support/*", ActionKind::Action);
    assert!(support.len() > 5);
    assert!(
        support
            .iter()
            .all(|i| c.operation(*i).namespace == "Microsoft.Support")
    );
    let reads = c.expand("*/read", ActionKind::Action);
    assert!(reads.len() > 5_000, "{}", reads.len());
    assert!(
        reads
            .iter()
            .all(|i| c.operation(*i).name.to_ascii_lowercase().ends_with("/read"))
    );
    assert_eq!(
        c.expand("*", ActionKind::Action).len() + c.expand("*", ActionKind::DataAction).len(),
        c.len()
    );
    assert!(c.expand("Microsoft.Nope/*", ActionKind::Action).is_empty());
    assert!(
        c.expand("Microsoft.VoiceServices/*", ActionKind::Action)
            .is_empty(),
        "left the live catalogue in 2026-04"
    );
}

#[test]
fn search_finds_by_name_and_description() {
    let c = &reference().catalogue;
    let hits = c.search("supportTickets/write", None, 20);
    assert_eq!(hits[0].name, "Microsoft.Support/supportTickets/write");
    let hits = c.search("communication email send", Some(ActionKind::Action), 50);
    assert!(
        hits.iter()
            .any(|o| o.name.starts_with("Microsoft.Communication/")),
        "{hits:?}"
    );
    assert!(c.search("   ", None, 10).is_empty());
    assert!(
        c.search("blobs read", Some(ActionKind::DataAction), 100)
            .iter()
            .all(|o| o.kind == ActionKind::DataAction)
    );
}

#[test]
fn least_privilege_ranks_the_narrowest_role_first() {
    let r = reference();
    let index = RoleIndex::build(&r.catalogue, r.roles.clone());
    let required = [("Microsoft.Support/supportTickets/write", ActionKind::Action)];
    let ranked = index.rank(&required, 1);
    assert!(ranked.len() >= 3);
    // Narrower than Contributor and Owner, which also cover it.
    let position = |name: &str| {
        ranked
            .iter()
            .position(|c| c.role.role_name() == name)
            .unwrap()
    };
    assert!(position("Support Request Contributor") < position("Contributor"));
    assert!(position("Contributor") < position("Owner"));
    assert!(ranked.windows(2).all(|w| w[0].granted <= w[1].granted));
    let owner = &ranked[position("Owner")];
    assert!(owner.privileged);
    assert!(!ranked[position("Support Request Contributor")].privileged);
    // Nothing covers an operation that does not exist... except the "*" roles.
    let none = index.rank(&[("Microsoft.Nope/things/write", ActionKind::Action)], 0);
    assert!(none.iter().all(|c| {
        c.role
            .properties
            .permissions
            .iter()
            .any(|p| p.actions.iter().any(|a| a == "*"))
    }));
}

#[test]
fn effective_permissions_through_inheritance_and_groups() {
    let r = reference();
    let roles = RoleSet::new(r.roles.clone());
    let reader = role("Reader").name.clone();
    let contributor = role("Contributor").name.clone();
    let rg = Scope::parse(&format!("{SUB}/resourceGroups/rg-voice")).unwrap();
    let assignments = vec![
        Assignment {
            scope: Scope::parse(SUB).unwrap(),
            role_definition_id: reader.clone(),
            principal_id: "user-1".into(),
        },
        Assignment {
            scope: rg.clone(),
            role_definition_id: format!(
                "{SUB}/providers/Microsoft.Authorization/roleDefinitions/{contributor}"
            ),
            principal_id: "group-ops".into(),
        },
        Assignment {
            scope: Scope::parse(&format!("{SUB}/resourceGroups/rg-other")).unwrap(),
            role_definition_id: contributor.clone(),
            principal_id: "user-1".into(),
        },
    ];
    let groups = vec!["group-ops".to_string()];
    let none = |_: &str| None;
    let at_rg = effective("user-1", &groups, &rg, &assignments, &roles, &none);
    assert_eq!(
        at_rg.grants.len(),
        2,
        "inherited Reader and the group's Contributor; not rg-other's"
    );
    assert!(at_rg.allows(
        "Microsoft.Compute/virtualMachines/write",
        ActionKind::Action
    ));
    let why = at_rg.because(
        "Microsoft.Compute/virtualMachines/write",
        ActionKind::Action,
    );
    assert_eq!(why.len(), 1);
    assert_eq!(why[0].via_group, Some("group-ops"));
    assert!(!why[0].inherited);
    let read = at_rg.because("Microsoft.Compute/virtualMachines/read", ActionKind::Action);
    assert!(read.iter().any(|g| g.inherited && g.via_group.is_none()));
    // Without the group: only Reader.
    let alone = effective("user-1", &[], &rg, &assignments, &roles, &none);
    assert!(!alone.allows(
        "Microsoft.Compute/virtualMachines/write",
        ActionKind::Action
    ));
    // At the subscription, the resource group's assignment does not reach up.
    let at_sub = effective(
        "user-1",
        &groups,
        &Scope::parse(SUB).unwrap(),
        &assignments,
        &roles,
        &none,
    );
    assert!(!at_sub.allows(
        "Microsoft.Compute/virtualMachines/write",
        ActionKind::Action
    ));
}

#[test]
fn deny_assignments_win_over_roles_except_for_the_excluded() {
    let r = reference();
    let roles = RoleSet::new(r.roles.clone());
    let owner = role("Owner").name.clone();
    let rg = Scope::parse(&format!("{SUB}/resourceGroups/rg-voice")).unwrap();
    let gateway = Scope::parse(&format!(
        "{SUB}/resourceGroups/rg-voice/providers/Microsoft.VoiceServices/communicationsGateways/cg-1"
    ))
    .unwrap();
    let assignments = vec![Assignment {
        scope: Scope::parse(SUB).unwrap(),
        role_definition_id: owner,
        principal_id: "user-1".into(),
    }];
    let deny = |principals: &[&str], excluded: &[&str], child_scopes_spared: bool| Deny {
        name: "managed app lock".into(),
        scope: rg.clone(),
        permissions: vec![rolecall_rbac::Permission {
            actions: vec!["*/delete".into()],
            ..Default::default()
        }],
        principals: principals.iter().map(|p| p.to_string()).collect(),
        exclude_principals: excluded.iter().map(|p| p.to_string()).collect(),
        do_not_apply_to_child_scopes: child_scopes_spared,
    };
    let delete = "Microsoft.VoiceServices/communicationsGateways/delete";
    let none = |_: &str| None;
    let groups = vec!["group-publisher".to_string()];
    let check = |denies: &[Deny], scope: &Scope| {
        effective_with_denies(
            "user-1",
            &groups,
            scope,
            &assignments,
            &roles,
            denies,
            &none,
        )
        .allows(delete, ActionKind::Action)
    };
    // Owner alone may delete the gateway.
    assert!(check(&[], &gateway));
    // Denied to everyone at the resource group, and below it.
    let everyone = [deny(&[EVERYONE], &[], false)];
    assert!(!check(&everyone, &gateway));
    let why = effective_with_denies(
        "user-1",
        &groups,
        &gateway,
        &assignments,
        &roles,
        &everyone,
        &none,
    );
    assert_eq!(
        why.denied_by(delete, ActionKind::Action).unwrap().name,
        "managed app lock"
    );
    assert!(why.allows(
        "Microsoft.VoiceServices/communicationsGateways/write",
        ActionKind::Action
    ));
    // Not above its scope.
    assert!(check(&everyone, &Scope::parse(SUB).unwrap()));
    // Sparing child scopes: denied at the group, not at the gateway.
    let spared = [deny(&[EVERYONE], &[], true)];
    assert!(!check(&spared, &rg));
    assert!(check(&spared, &gateway));
    // Excluding a group of the principal spares the principal.
    assert!(check(
        &[deny(&[EVERYONE], &["group-publisher"], false)],
        &gateway
    ));
    // Naming someone else does not reach the principal.
    assert!(check(&[deny(&["user-2"], &[], false)], &gateway));
    assert!(!check(&[deny(&["group-publisher"], &[], false)], &gateway));
}

fn context<'a>(
    catalogue: &'a Catalogue,
    names: &'a [String],
    can_write: &'a dyn Fn(&Scope) -> bool,
) -> DraftContext<'a> {
    DraftContext {
        catalogue,
        existing_names: names,
        editing: None,
        can_write,
        subscription_disabled: &|sub: &str| sub == "8f3e2b1a-0000-4000-8000-00000000000d",
    }
}

#[test]
fn cloning_reader_into_an_smtp_sender_role() {
    let r = reference();
    let names: Vec<String> = r.roles.iter().map(|r| r.role_name().to_owned()).collect();
    let yes = |_: &Scope| true;
    let ctx = context(&r.catalogue, &names, &yes);
    let mut draft = Draft::clone_of(role("Reader"), "ACS SMTP Sender");
    draft.assignable_scopes.push(SUB.into());
    // The ACS procedure's three permissions.
    for action in [
        "Microsoft.Communication/CommunicationServices/Read",
        "Microsoft.Communication/CommunicationServices/Write",
        "Microsoft.Communication/EmailServices/write",
    ] {
        draft.add(ActionKind::Action, action);
    }
    let issues = draft.validate(&ctx);
    assert!(
        issues.iter().all(|i| i.severity == Severity::Warning),
        "{issues:?}"
    );
    // Cloning Reader keeps */read: the admin hears how much that grants.
    assert!(
        issues.iter().any(|i| i.message.contains("'*/read' grants")
            && i.message.contains("every resource provider")),
        "{issues:?}"
    );
    draft.remove(ActionKind::Action, "*/read");
    assert!(draft.validate(&ctx).is_empty());
    assert_eq!(draft.granted_count(&r.catalogue), 3);
    // Round trip through the portal's JSON.
    let again = Draft::from_json(&draft.to_json()).unwrap();
    assert_eq!(again, draft);
}

#[test]
fn drafts_arm_would_refuse_are_caught_before_writing() {
    let r = reference();
    let names: Vec<String> = r.roles.iter().map(|r| r.role_name().to_owned()).collect();
    let only_sub = |s: &Scope| s.subscription_id() == Some("8f3e2b1a-0000-4000-8000-000000000001");
    let ctx = context(&r.catalogue, &names, &only_sub);
    let mut draft = Draft {
        role_name: "reader".into(), // taken, case-insensitively
        assignable_scopes: vec![
            "/".into(),
            "/providers/Microsoft.Management/managementGroups/contoso".into(),
            "/subscriptions/8f3e2b1a-0000-4000-8000-00000000000d".into(),
            "/subscriptions/oops".into(),
        ],
        ..Default::default()
    };
    draft.add(
        ActionKind::Action,
        "Microsoft.VoiceServices/communicationsGateways/read",
    );
    draft.add(
        ActionKind::Action,
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    );
    draft.add(
        ActionKind::DataAction,
        "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
    );
    draft.add(ActionKind::Action, "Microsoft.Support/supportTickets/wrte");
    let issues = draft.validate(&ctx);
    let says = |field: &str, text: &str| {
        assert!(
            issues.iter().any(|i| i.severity == Severity::Error
                && i.field == field
                && i.message.contains(text)),
            "{field} should say {text:?}: {issues:#?}"
        )
    };
    says("roleName", "already exists");
    says("assignableScopes[0]", "root");
    says(
        "assignableScopes[1]",
        "DataActions cannot be assignable at a management group",
    );
    says("assignableScopes[1]", "roleDefinitions/write");
    says("assignableScopes[2]", "disabled");
    says("assignableScopes[3]", "not a subscription id");
    says(
        "permissions[0].actions[0]",
        "Microsoft.VoiceServices is not in Azure's provider-operations catalogue",
    );
    says("permissions[0].actions[1]", "move it to DataActions");
    says(
        "permissions[0].actions[2]",
        "not an operation in the catalogue",
    );
    let bad =
        Draft::from_json("{\n  \"properties\": {\n    \"roleName\": \"x\",\n  }\n}").unwrap_err();
    assert_eq!(bad.line, 4, "{bad}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A role allows every concrete action its own permissions name, unless
    /// the same block excludes it and no other block grants it.
    #[test]
    fn a_role_allows_what_it_names(index in 0usize..928, pick in any::<prop::sample::Index>()) {
        let role = &reference().roles[index];
        let named: Vec<(&String, usize, ActionKind)> = role.properties.permissions.iter().enumerate()
            .flat_map(|(b, p)| p.actions.iter().map(move |a| (a, b, ActionKind::Action))
                .chain(p.data_actions.iter().map(move |a| (a, b, ActionKind::DataAction))))
            .collect();
        prop_assume!(!named.is_empty());
        let (action, block, kind) = named[pick.index(named.len())];
        let excluded = role.properties.permissions[block].patterns(kind).1.iter()
            .any(|n| rolecall_rbac::pattern::matches(n, action));
        if !excluded {
            prop_assert!(role.allows(action, kind), "{} should allow {}", role.role_name(), action);
        }
    }

    /// Every operation a role's patterns expand to is allowed by the role,
    /// and case never matters.
    #[test]
    fn expansion_agrees_with_allows(index in 0usize..928) {
        let r = reference();
        let role = &r.roles[index];
        let granted = rolecall_rbac::least::granted(&r.catalogue, &role.properties.permissions);
        for (i, op) in r.catalogue.operations().iter().enumerate().step_by(97) {
            let allowed = role.allows(&op.name, op.kind);
            prop_assert_eq!(granted.contains(i as u32), allowed, "{} / {}", role.role_name(), op.name);
            prop_assert_eq!(role.allows(&op.name.to_uppercase(), op.kind), allowed);
        }
    }
}
