//! What was done, for people and for automation: Markdown, CSV and JSON,
//! with each grant also as the equivalent Azure CLI, PowerShell and Bicep.

use serde::Serialize;

use crate::apply::Outcome;
use crate::model::{Grant, MemberKind};

/// A report file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Csv,
    Json,
}

impl Format {
    /// By a file's extension: `.csv`, `.json`, else Markdown.
    pub fn from_path(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => Format::Csv,
            Some("json") => Format::Json,
            _ => Format::Markdown,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// One grant and what became of it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Entry {
    pub grant: Grant,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// One custom role and what became of it (in a JSON report, its outcome is
/// an object of its own: `{"role": …, "outcome": {"outcome": "created", …}}`).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RoleEntry {
    pub role: crate::journal::RunRole,
    pub outcome: Outcome,
}

fn principal_type(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::User => "User",
        MemberKind::Group => "Group",
        MemberKind::ServicePrincipal => "ServicePrincipal",
    }
}

/// `text` as one word for a POSIX shell (bash, zsh), in single quotes:
/// nothing inside is expanded when the snippet is pasted.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `text` as one PowerShell string in single quotes (no `$` expansion).
pub fn ps_quote(text: &str) -> String {
    format!(
        "'{}'",
        text.replace('\'', "''")
            .replace(['\u{2018}', '\u{2019}'], "''")
    )
}

/// A JSON object as a Bicep object literal (strings quoted for Bicep).
fn bicep_object(value: &serde_json::Value, indent: usize) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let pad = " ".repeat(indent + 2);
            let mut out = String::from("{\n");
            for (k, v) in map {
                out.push_str(&format!("{pad}{k}: {}\n", bicep_object(v, indent + 2)));
            }
            out.push_str(&format!("{}}}", " ".repeat(indent)));
            out
        }
        serde_json::Value::String(s) => format!("'{}'", bicep_text(s)),
        serde_json::Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// `text` inside a Bicep single-quoted string.
fn bicep_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace("${", "\\${")
}

/// A PIM request with the Azure CLI: `az rest` on ARM (a URL starting with
/// `/` goes to the signed-in cloud's ARM); the Azure CLI has no PIM command.
fn az_pim(g: &crate::model::AzureRoleGrant, request_type: &str) -> String {
    let body = serde_json::json!({ "properties": g.schedule_request(request_type) });
    format!(
        "az rest --method PUT --url {} --body {}",
        sh_quote(&format!(
            "{}/providers/Microsoft.Authorization/{}/{}?api-version=2020-10-01",
            g.scope.trim_end_matches('/'),
            g.schedule_requests(),
            request_name(g, request_type)
        )),
        sh_quote(&body.to_string())
    )
}

/// A request's name: new for each request, stable within a report.
fn request_name(g: &crate::model::AzureRoleGrant, request_type: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!(
            "rolecall-pim:{}:{}:{}:{request_type}:{}",
            g.scope.to_ascii_lowercase(),
            g.member.id.to_ascii_lowercase(),
            g.role_id.to_ascii_lowercase(),
            serde_json::to_string(&g.schedule).unwrap_or_default()
        )
        .as_bytes(),
    )
    .to_string()
}

/// A PIM request with Az PowerShell's `New-AzRole…ScheduleRequest`.
fn powershell_pim(g: &crate::model::AzureRoleGrant, request_type: &str) -> String {
    let schedule = g.schedule.as_ref();
    let cmdlet = if schedule.is_some_and(|s| s.eligible) {
        "New-AzRoleEligibilityScheduleRequest"
    } else {
        "New-AzRoleAssignmentScheduleRequest"
    };
    let mut text = format!(
        "{cmdlet} -Name {} -Scope {} -PrincipalId {} -RoleDefinitionId {} -RequestType {request_type}",
        request_name(g, request_type),
        ps_quote(&g.scope),
        g.member.id,
        ps_quote(&g.role_definition_id())
    );
    if request_type != "AdminRemove"
        && let Some(s) = schedule
    {
        text.push_str(" -ScheduleInfoStartDateTime (Get-Date).ToUniversalTime()");
        match (&s.duration, &s.until) {
            (Some(d), _) => text.push_str(&format!(
                " -ExpirationType AfterDuration -ExpirationDuration {}",
                ps_quote(d)
            )),
            (None, Some(u)) => text.push_str(&format!(
                " -ExpirationType AfterDateTime -ExpirationEndDateTime {}",
                ps_quote(u)
            )),
            (None, None) => text.push_str(" -ExpirationType NoExpiration"),
        }
        if let Some(j) = s.justification.as_deref().or(g.description.as_deref()) {
            text.push_str(&format!(" -Justification {}", ps_quote(j)));
        }
        if let Some(t) = &s.ticket {
            text.push_str(&format!(" -TicketNumber {}", ps_quote(t)));
        }
    }
    text
}

/// The same grant with the Azure CLI.
pub fn az_command(grant: &Grant) -> String {
    match grant {
        Grant::AzureRole(g) if g.schedule.is_some() => az_pim(g, "AdminAssign"),
        Grant::AzureRole(g) => format!(
            "az role assignment create --assignee-object-id {} --assignee-principal-type {} --role {} --scope {}",
            g.member.id,
            principal_type(g.member.kind),
            g.role_id,
            sh_quote(&g.scope)
        ),
        Grant::AppRole(g) => format!(
            "az rest --method POST --url https://graph.microsoft.com/v1.0/servicePrincipals/{}/appRoleAssignedTo --body '{{\"principalId\":\"{}\",\"resourceId\":\"{}\",\"appRoleId\":\"{}\"}}'",
            g.resource_id, g.member.id, g.resource_id, g.app_role_id
        ),
    }
}

/// The same grant with Az and Microsoft Graph PowerShell.
pub fn powershell(grant: &Grant) -> String {
    match grant {
        Grant::AzureRole(g) if g.schedule.is_some() => powershell_pim(g, "AdminAssign"),
        Grant::AzureRole(g) => format!(
            "New-AzRoleAssignment -ObjectId {} -ObjectType {} -RoleDefinitionId {} -Scope {}",
            g.member.id,
            principal_type(g.member.kind),
            g.role_id,
            ps_quote(&g.scope)
        ),
        Grant::AppRole(g) => format!(
            "New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId {} -PrincipalId {} -ResourceId {} -AppRoleId {}",
            g.resource_id, g.member.id, g.resource_id, g.app_role_id
        ),
    }
}

/// The same grant in Bicep (the app role through Bicep's Microsoft Graph
/// extension). The role assignment's name is the one Rolecall uses, so a
/// deployment and Rolecall converge on one assignment.
pub fn bicep(grant: &Grant) -> String {
    match grant {
        Grant::AzureRole(g) if g.schedule.is_some() => {
            let properties = g.schedule_request("AdminAssign");
            format!(
                "// deploy at (or with `scope:` set to) {scope}; a request is made once: a new\n// deployment needs a new name\nresource request 'Microsoft.Authorization/{kind}@2020-10-01' = {{\n  name: '{name}'\n  properties: {body}\n}}",
                scope = g.scope,
                kind = g.schedule_requests(),
                name = request_name(g, "AdminAssign"),
                body = bicep_object(&properties, 2),
            )
        }
        Grant::AzureRole(g) => format!(
            "// deploy at (or with `scope:` set to) {scope}\nresource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {{\n  name: '{name}'\n  properties: {{\n    roleDefinitionId: '{definition}'\n    principalId: '{principal}'\n    principalType: '{kind}'\n  }}\n}}",
            scope = g.scope,
            name = g.assignment_name(),
            definition = bicep_text(&g.role_definition_id()),
            principal = g.member.id,
            kind = principal_type(g.member.kind),
        ),
        Grant::AppRole(g) => format!(
            "extension microsoftGraphV1\nresource appRole 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {{\n  appRoleId: '{}'\n  principalId: '{}'\n  resourceId: '{}'\n}}",
            g.app_role_id, g.member.id, g.resource_id
        ),
    }
}

/// The same removal with the Azure CLI.
pub fn az_remove_command(grant: &Grant) -> String {
    match grant {
        Grant::AzureRole(g) if g.schedule.is_some() => az_pim(g, "AdminRemove"),
        Grant::AzureRole(g) => format!(
            "az role assignment delete --assignee {} --role {} --scope {}",
            g.member.id,
            g.role_id,
            sh_quote(&g.scope)
        ),
        Grant::AppRole(g) => format!(
            "id=$(az rest --url https://graph.microsoft.com/v1.0/servicePrincipals/{res}/appRoleAssignedTo --query \"value[?principalId=='{principal}' && appRoleId=='{role}'].id | [0]\" -o tsv)\naz rest --method DELETE --url https://graph.microsoft.com/v1.0/servicePrincipals/{res}/appRoleAssignedTo/$id",
            res = g.resource_id,
            principal = g.member.id,
            role = g.app_role_id
        ),
    }
}

/// The same removal with Az and Microsoft Graph PowerShell.
pub fn powershell_remove(grant: &Grant) -> String {
    match grant {
        Grant::AzureRole(g) if g.schedule.is_some() => powershell_pim(g, "AdminRemove"),
        Grant::AzureRole(g) => format!(
            "Remove-AzRoleAssignment -ObjectId {} -RoleDefinitionId {} -Scope {}",
            g.member.id,
            g.role_id,
            ps_quote(&g.scope)
        ),
        Grant::AppRole(g) => format!(
            "Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId {res} -All | Where-Object {{ $_.PrincipalId -eq '{principal}' -and $_.AppRoleId -eq '{role}' }} | ForEach-Object {{ Remove-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId {res} -AppRoleAssignmentId $_.Id }}",
            res = g.resource_id,
            principal = g.member.id,
            role = g.app_role_id
        ),
    }
}

/// Bicep declares what exists; a removal is not written in it.
pub fn bicep_remove(grant: &Grant) -> String {
    format!(
        "// Bicep cannot remove: take this grant out of your templates (a deployment does not\n// delete what a template no longer declares), then remove it with the CLI or PowerShell.\n// {}",
        grant.describe()
    )
}

/// A grant, or its removal, with the Azure CLI, PowerShell and Bicep.
pub struct Snippets {
    pub az: String,
    pub powershell: String,
    pub bicep: String,
}

pub fn snippets(grant: &Grant, removing: bool) -> Snippets {
    if removing {
        Snippets {
            az: az_remove_command(grant),
            powershell: powershell_remove(grant),
            bicep: bicep_remove(grant),
        }
    } else {
        Snippets {
            az: az_command(grant),
            powershell: powershell(grant),
            bicep: bicep(grant),
        }
    }
}

/// What became of a grant, in words (reports and the CLI).
pub fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Created { .. } => "created".into(),
        Outcome::AlreadyInPlace => "already in place".into(),
        Outcome::Inherited { from_scope } => format!("inherited from {from_scope}"),
        Outcome::Covered {
            by_role,
            from_scope,
        } => format!("covered by {by_role} at {from_scope}"),
        Outcome::Removed { .. } => "removed".into(),
        Outcome::Extended { .. } => "extended".into(),
        Outcome::Renewed { .. } => "renewed".into(),
        Outcome::Kept { reason } => format!("kept: {reason}"),
        Outcome::AlreadyGone => "already gone".into(),
        Outcome::Blocked { reason } => format!("blocked: {reason}"),
        Outcome::Failed { code, message, .. } => format!("failed ({code}): {message}"),
    }
}

/// The run that undoes what a report's run created: the grants it created
/// (not the ones already in place before it) and the custom roles it
/// created (deleted once nobody holds them). Takes the JSON report of a run
/// (`{"title", "grants": [...], "customRoles": [...]}`) or a bare list of
/// entries.
pub fn undo(report_json: &str) -> Result<crate::journal::Run, String> {
    #[derive(serde::Deserialize)]
    struct RunShape {
        #[serde(default)]
        title: String,
        grants: Vec<Entry>,
        #[serde(default, rename = "customRoles")]
        custom_roles: Vec<RoleEntry>,
    }
    let not_a_report = |e: serde_json::Error| {
        format!(
            "this is not a Rolecall JSON report ({e}); save one with --report FILE.json or the app's Export JSON"
        )
    };
    // A report (an object) or a bare list of entries; each field is checked
    // as it is read (scopes parse, ids are GUIDs), and the first refusal is
    // said as it is, not as "matches no shape".
    let value: serde_json::Value = serde_json::from_str(report_json).map_err(not_a_report)?;
    let (title, entries, roles) = if value.is_array() {
        let entries: Vec<Entry> = serde_json::from_value(value).map_err(not_a_report)?;
        (String::new(), entries, Vec::new())
    } else {
        let run: RunShape = serde_json::from_value(value).map_err(not_a_report)?;
        (run.title, run.grants, run.custom_roles)
    };
    let created = |o: &Outcome| matches!(o, Outcome::Created { .. });
    let grants = entries
        .into_iter()
        .filter(|e| created(&e.outcome))
        .map(|e| e.grant)
        .collect();
    let title = if title.is_empty() {
        "Undoing a past run".to_owned()
    } else {
        format!("Undoing: {title}")
    };
    let mut run = crate::journal::Run::undoing(title, grants);
    run.custom_roles = roles
        .into_iter()
        .filter(|r| created(&r.outcome))
        .map(|r| r.role)
        .collect();
    Ok(run)
}

/// Azure's request id of the write, when there was one.
fn request_id(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Created { request_id, .. }
        | Outcome::Removed { request_id }
        | Outcome::Extended { request_id }
        | Outcome::Renewed { request_id }
        | Outcome::Failed { request_id, .. } => request_id.as_deref().unwrap_or(""),
        _ => "",
    }
}

/// A Markdown report: a table of grants and results, then each grant (or,
/// when `removing`, its removal) as Azure CLI, PowerShell and Bicep.
pub fn markdown(title: &str, by: &str, at: &str, entries: &[Entry], removing: bool) -> String {
    let cell = |t: &str| t.replace('|', "\\|").replace('\n', " ");
    let mut out =
        format!("# {title}\n\nBy {by}, {at}.\n\n| Grant | Result | Request id |\n|---|---|---|\n");
    for e in entries {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&e.grant.describe()),
            cell(&outcome_text(&e.outcome)),
            request_id(&e.outcome)
        ));
    }
    out.push_str("\n## The same with other tools\n");
    for e in entries {
        let Snippets {
            az,
            powershell,
            bicep,
        } = snippets(&e.grant, removing);
        out.push_str(&format!(
            "\n### {}\n\n```sh\n{az}\n```\n\n```powershell\n{powershell}\n```\n\n```bicep\n{bicep}\n```\n",
            e.grant.describe(),
        ));
    }
    out
}

/// One row per grant (its Azure CLI command: the grant, or when
/// `removing` its removal).
pub fn csv(entries: &[Entry], removing: bool) -> String {
    let field = crate::listing::csv_field;
    let mut out = String::from("Grant,Member,MemberId,Result,RequestId,AzureCli\n");
    for e in entries {
        let m = e.grant.member();
        out.push_str(
            &[
                field(&e.grant.describe()),
                field(&m.display_name),
                field(&m.id),
                field(&outcome_text(&e.outcome)),
                field(request_id(&e.outcome)),
                field(&snippets(&e.grant, removing).az),
            ]
            .join(","),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppRoleGrant, AzureRoleGrant, Member};

    fn nadia() -> Member {
        Member {
            id: "5f3c0000-0000-4000-8000-000000000001".into(),
            kind: MemberKind::User,
            display_name: "Nadia Novak".into(),
            detail: Some("nadia@contoso.com".into()),
        }
    }

    fn entries() -> Vec<Entry> {
        vec![
            Entry {
                grant: Grant::AzureRole(AzureRoleGrant {
                    scope: "/subscriptions/1111aaaa-0000-4000-8000-000000000001/resourceGroups/rg-voice".into(),
                    role_id: "b24988ac-6180-42a0-ab88-20f7382dd24c".into(),
                    role_name: "Contributor".into(),
                    member: nadia(),
                    description: None,
                    schedule: None,
                }),
                outcome: Outcome::Created {
                    assignment_id: "x".into(),
                    request_id: Some("0f9e0000-0000-4000-8000-00000000000a".into()),
                },
            },
            Entry {
                grant: Grant::AppRole(AppRoleGrant {
                    resource_id: "6e2c0000-0000-4000-8000-000000000002".into(),
                    resource_name: "AzureCommunicationsGateway".into(),
                    app_id: "8502a0ec-c76d-412f-836c-398018e2312b".into(),
                    app_role_id: "7a1d0000-0000-4000-8000-000000000003".into(),
                    app_role_value: "ProvisioningAPI.AdminUser".into(),
                    member: nadia(),
                }),
                outcome: Outcome::AlreadyInPlace,
            },
        ]
    }

    /// A crafted report whose grant or custom role names a scope on another
    /// host (or a path that climbs out of its resource) is refused as a
    /// whole, saying what is wrong: nothing of it reaches a request.
    #[test]
    fn an_undo_file_with_a_hostile_scope_or_id_is_refused() {
        let good = serde_json::to_value(entries()).unwrap();
        let with = |pointer: &str, value: &str| {
            let mut v = serde_json::json!({"title": "t", "grants": good.clone()});
            *v.pointer_mut(pointer).unwrap() = serde_json::Value::String(value.into());
            v.to_string()
        };
        assert!(
            undo(&serde_json::json!({"title": "t", "grants": good.clone()}).to_string()).is_ok()
        );
        for (pointer, value, says) in [
            (
                "/grants/0/grant/scope",
                "https://attacker.example/x",
                "not an Azure scope",
            ),
            (
                "/grants/0/grant/scope",
                "\\\\attacker.example\\x",
                "not an Azure scope",
            ),
            (
                "/grants/0/grant/scope",
                "/subscriptions/1111aaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/x/%2e%2e/%2e%2e",
                "cannot appear in a scope",
            ),
            ("/grants/0/grant/member/id", "a@b/../../me", "is not an id"),
            (
                "/grants/0/grant/roleId",
                "../../x",
                "not a role definition id",
            ),
            (
                "/grants/1/grant/resourceId",
                "https://attacker.example/",
                "is not an id",
            ),
        ] {
            let error = undo(&with(pointer, value)).unwrap_err();
            assert!(error.contains(says), "{pointer}={value}: {error}");
        }
        let role = serde_json::json!({
            "title": "t",
            "grants": [],
            "customRoles": [{
                "role": {
                    "guid": "0f9e0000-0000-4000-8000-00000000000b",
                    "draft": {"roleName": "x", "assignableScopes": ["https://attacker.example/x"]}
                },
                "outcome": {"outcome": "created", "assignmentId": "x"}
            }]
        });
        let error = undo(&role.to_string()).unwrap_err();
        assert!(error.contains("not an Azure scope"), "{error}");
    }

    proptest::proptest! {
        /// Any text, and any mutation of a real report: `undo` answers with a
        /// run or a message, never a panic.
        #[test]
        fn undo_never_panics(text in "\\PC{0,400}", cut in 0usize..2000, byte in proptest::num::u8::ANY) {
            let _ = undo(&text);
            let real = serde_json::json!({"title": "t", "grants": serde_json::to_value(entries()).unwrap()}).to_string();
            let mut bytes = real.into_bytes();
            let at = cut % bytes.len();
            bytes[at] = byte;
            let _ = undo(&String::from_utf8_lossy(&bytes));
            let _ = undo(&String::from_utf8_lossy(&bytes[..at]));
        }
    }

    /// A scope from a report (names can hold `$`, backquotes and quotes)
    /// pastes as one literal word in each shell: nothing runs.
    #[test]
    fn snippets_quote_every_value_for_their_shell() {
        let mut e = entries();
        let Grant::AzureRole(g) = &mut e[0].grant else {
            unreachable!()
        };
        g.scope = "/subscriptions/1111aaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/a$(touch x)`id`'b\"c".into();
        let az = az_command(&e[0].grant);
        assert!(
            az.ends_with("--scope '/subscriptions/1111aaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/a$(touch x)`id`'\\''b\"c'"),
            "{az}"
        );
        let ps = powershell(&e[0].grant);
        assert!(ps.ends_with("-Scope '/subscriptions/1111aaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Web/sites/a$(touch x)`id`''b\"c'"), "{ps}");
        assert!(az_remove_command(&e[0].grant).contains("--scope '"));
        assert!(powershell_remove(&e[0].grant).contains("-Scope '"));
        assert_eq!(sh_quote("it's"), "'it'\\''s'");
        assert_eq!(ps_quote("it's"), "'it''s'");
    }

    /// An eligible grant is never given as a standing one: its equivalents
    /// are PIM requests (the Azure CLI has none: `az rest`).
    #[test]
    fn an_eligible_grant_reads_as_a_pim_request_everywhere() {
        let mut e = entries();
        let Grant::AzureRole(g) = &mut e[0].grant else {
            unreachable!()
        };
        g.schedule = Some(crate::model::Schedule {
            eligible: true,
            duration: Some("P90D".into()),
            until: None,
            justification: Some("On call, it's fine".into()),
            ticket: None,
        });
        let az = az_command(&e[0].grant);
        assert!(
            az.starts_with("az rest --method PUT --url '/subscriptions/1111aaaa-"),
            "{az}"
        );
        assert!(
            az.contains("/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/"),
            "{az}"
        );
        assert!(
            az.contains(r#""duration":"P90D""#) && az.contains(r#""requestType":"AdminAssign""#),
            "{az}"
        );
        assert!(az.contains("it'\\''s fine"), "quoted for the shell: {az}");
        let ps = powershell(&e[0].grant);
        assert!(
            ps.starts_with("New-AzRoleEligibilityScheduleRequest -Name "),
            "{ps}"
        );
        assert!(ps.contains("-ExpirationType AfterDuration -ExpirationDuration 'P90D' -Justification 'On call, it''s fine'"), "{ps}");
        let b = bicep(&e[0].grant);
        assert!(
            b.contains("'Microsoft.Authorization/roleEligibilityScheduleRequests@2020-10-01'"),
            "{b}"
        );
        assert!(
            b.contains("duration: 'P90D'") && b.contains("justification: 'On call, it\\'s fine'"),
            "{b}"
        );
        let remove = az_remove_command(&e[0].grant);
        assert!(
            remove.contains(r#""requestType":"AdminRemove""#) && !remove.contains("duration"),
            "{remove}"
        );
        assert!(powershell_remove(&e[0].grant).contains("-RequestType AdminRemove"));
    }

    #[test]
    fn each_grant_reads_as_the_command_an_admin_would_type() {
        let e = entries();
        let az = az_command(&e[0].grant);
        assert!(
            az.starts_with("az role assignment create --assignee-object-id 5f3c0000-"),
            "{az}"
        );
        assert!(
            az.contains("--assignee-principal-type User --role b24988ac-")
                && az.contains("--scope '/subscriptions/1111aaaa-")
        );
        assert!(
            az_command(&e[1].grant).contains(
                "servicePrincipals/6e2c0000-0000-4000-8000-000000000002/appRoleAssignedTo"
            )
        );
        assert!(powershell(&e[0].grant).starts_with("New-AzRoleAssignment -ObjectId 5f3c0000-"));
        let Grant::AzureRole(g) = &e[0].grant else {
            unreachable!()
        };
        let b = bicep(&e[0].grant);
        assert!(
            b.contains(&format!("name: '{}'", g.assignment_name())),
            "{b}"
        );
        assert!(b.contains("/subscriptions/1111aaaa-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/b24988ac-"));
        assert!(bicep(&e[1].grant).contains("Microsoft.Graph/appRoleAssignedTo@v1.0"));
    }

    #[test]
    fn reports_list_every_grant_and_its_result() {
        let e = entries();
        let md = markdown(
            "Onboarding",
            "olivia@contoso.com",
            "2026-11-23T22:00:00Z",
            &e,
            false,
        );
        assert!(md.contains("| Contributor for Nadia Novak (nadia@contoso.com) at /subscriptions/1111aaaa-0000-4000-8000-000000000001/resourceGroups/rg-voice | created | 0f9e0000-0000-4000-8000-00000000000a |"), "{md}");
        assert!(md.contains("| already in place |  |"));
        assert_eq!(md.matches("```bicep").count(), 2);
        let removed = markdown(
            "Offboarding",
            "olivia@contoso.com",
            "2026-11-23T22:00:00Z",
            &e,
            true,
        );
        assert!(
            removed.contains("az role assignment delete --assignee 5f3c0000-"),
            "{removed}"
        );
        assert!(removed.contains("Remove-MgServicePrincipalAppRoleAssignedTo"));
        assert!(!removed.contains("az role assignment create"));
        let csv = csv(&e, false);
        assert_eq!(csv.lines().count(), 3);
        assert!(
            csv.lines()
                .nth(1)
                .unwrap()
                .contains(",created,0f9e0000-0000-4000-8000-00000000000a,")
        );
    }
}
