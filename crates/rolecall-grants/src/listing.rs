//! The role assignments that apply at a scope, with names: the portal's
//! "Role assignments" view and its download, plus what it hides (orphans).

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use rolecall_azure::arm::{AssignmentFilter, RoleAssignment, RoleFilter};
use rolecall_azure::{Azure, AzureError, for_each_bounded};
use serde::Serialize;

use crate::model::Member;

/// One assignment, named.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    pub assignment: RoleAssignment,
    pub role_name: Option<String>,
    /// `None`: the principal no longer exists ("Identity not found").
    pub member: Option<Member>,
    /// Made at a parent scope.
    pub inherited: bool,
}

/// What applies at `scope`: assignments there and above, each with its role
/// and member names (looked up a few at a time).
pub async fn assignments_at(azure: &Azure, scope: &str) -> Result<Vec<Listed>, AzureError> {
    let (assignments, roles) = tokio::try_join!(
        azure
            .arm
            .role_assignments(scope, &AssignmentFilter::AtScope)
            .try_collect::<Vec<_>>(),
        azure
            .arm
            .role_definitions(scope, &RoleFilter::All)
            .try_collect::<Vec<_>>(),
    )?;
    let roles = rolecall_rbac::effective::RoleSet::new(roles);
    let principals: HashSet<(String, String)> = assignments
        .iter()
        .map(|a| {
            (
                a.properties.principal_id.to_ascii_lowercase(),
                a.properties.principal_type.clone(),
            )
        })
        .collect();
    let looked_up = for_each_bounded(principals, 8, |(id, kind)| async move {
        let member = lookup(azure, &id, &kind).await;
        (id, member)
    })
    .await;
    let mut members = HashMap::new();
    for (id, member) in looked_up {
        members.insert(id, member?);
    }
    let here = rolecall_rbac::Scope::parse(scope).ok();
    Ok(assignments
        .into_iter()
        .map(|a| {
            let inherited = rolecall_rbac::Scope::parse(&a.properties.scope).ok() != here;
            Listed {
                role_name: roles
                    .get(&a.properties.role_definition_id)
                    .map(|r| r.role_name().to_owned()),
                member: members
                    .get(&a.properties.principal_id.to_ascii_lowercase())
                    .cloned()
                    .flatten(),
                inherited,
                assignment: a,
            }
        })
        .collect())
}

async fn lookup(azure: &Azure, id: &str, kind: &str) -> Result<Option<Member>, AzureError> {
    use crate::resolve::{group_member, sp_member, user_member};
    Ok(match kind {
        "User" => azure.graph.user(id).await?.map(user_member),
        "Group" | "ForeignGroup" => azure.graph.group(id).await?.map(group_member),
        _ => azure.graph.service_principal(id).await?.map(sp_member),
    })
}

/// A CSV field, quoted only when it must be.
pub(crate) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The portal's "Download role assignments" columns, as CSV.
pub fn to_csv(listed: &[Listed]) -> String {
    let mut out = String::from(
        "RoleAssignmentId,Scope,DisplayName,SignInName,ObjectId,ObjectType,RoleDefinitionName,RoleDefinitionId,Inherited,Description\n",
    );
    for l in listed {
        let p = &l.assignment.properties;
        let (name, sign_in) = match &l.member {
            Some(m) => (m.display_name.clone(), m.detail.clone().unwrap_or_default()),
            None => ("Identity not found".to_owned(), String::new()),
        };
        let row = [
            l.assignment.id.as_str(),
            &p.scope,
            &name,
            &sign_in,
            &p.principal_id,
            &p.principal_type,
            l.role_name.as_deref().unwrap_or_default(),
            &p.role_definition_id,
            if l.inherited { "true" } else { "false" },
            p.description.as_deref().unwrap_or_default(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("Reader"), "Reader");
        assert_eq!(csv_field("Ops, EMEA"), "\"Ops, EMEA\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
