//! The template file format and its validation.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Template {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable id, e.g. `acg-staff`.
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// What the admin picks when using the template (e.g. the gateway).
    #[serde(default)]
    pub inputs: Vec<Input>,
    /// Custom roles the template creates before assigning them.
    #[serde(default)]
    pub custom_roles: Vec<CustomRoleSpec>,
    /// How its Azure roles are assigned unless a grant says otherwise;
    /// without it, active and permanent (a plain role assignment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Assignment>,
    /// What a person may need to do, in words an operator understands.
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Input {
    pub id: String,
    pub label: String,
    pub kind: InputKind,
    /// For a resource: its type, e.g. `Microsoft.VoiceServices/communicationsGateways`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InputKind {
    Resource,
    ResourceGroup,
    Subscription,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomRoleSpec {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub data_actions: Vec<String>,
    /// A scope reference (see [`scope_of`]) where it may be assigned.
    pub assignable_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Task {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Shown when the task is chosen (e.g. app roles apply tenant-wide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    pub grants: Vec<GrantSpec>,
}

/// PIM's assignment type for a template's Azure role: eligible (the person
/// activates it when needed) or active, for a duration or without end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Assignment {
    #[serde(rename = "type")]
    pub kind: AssignmentKind,
    /// ISO 8601 (`P90D`), counted from when it is applied; none: permanent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AssignmentKind {
    Eligible,
    Active,
}

impl Assignment {
    /// The grant's schedule: none for active and permanent (a plain role
    /// assignment, as without PIM).
    pub fn schedule(&self) -> Option<rolecall_grants::Schedule> {
        let eligible = self.kind == AssignmentKind::Eligible;
        (eligible || self.duration.is_some()).then(|| rolecall_grants::Schedule {
            eligible,
            duration: self.duration.clone(),
            ..Default::default()
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GrantSpec {
    /// A built-in or existing custom role, by name, at a scope reference.
    AzureRole {
        role: String,
        at: String,
        /// Overrides the template's `assignment` for this grant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignment: Option<Assignment>,
    },
    /// An app role of an enterprise application, pinned by application id.
    #[serde(rename_all = "camelCase")]
    AppRole {
        app_id: String,
        role: String,
        /// App roles of the same application this one makes unnecessary.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        supersedes: Vec<String>,
    },
    /// One of the template's `customRoles` (by id), at a scope reference.
    CustomRole {
        role: String,
        at: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignment: Option<Assignment>,
    },
}

impl GrantSpec {
    /// The assignment type this grant asks for itself, if any.
    pub fn assignment(&self) -> Option<&Assignment> {
        match self {
            GrantSpec::AzureRole { assignment, .. } | GrantSpec::CustomRole { assignment, .. } => {
                assignment.as_ref()
            }
            GrantSpec::AppRole { .. } => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{file}: line {line}, column {column}: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("template '{template}': {message}")]
    Invalid { template: String, message: String },
    #[error("{0}")]
    Io(String),
}

const REFERENCE_PARTS: [&str; 3] = ["", "subscription", "resourceGroup"];

/// Splits a scope reference: `gateway`, `gateway.resourceGroup`,
/// `gateway.subscription`.
fn split_reference(reference: &str) -> (&str, &str) {
    reference.split_once('.').unwrap_or((reference, ""))
}

/// The ARM scope a reference names, given the inputs' ARM ids.
pub fn scope_of(reference: &str, inputs: &HashMap<String, String>) -> Result<String, String> {
    let (input, part) = split_reference(reference);
    let id = inputs
        .get(input)
        .ok_or_else(|| format!("no value was given for the input '{input}'"))?;
    let scope = rolecall_rbac::Scope::parse(id).map_err(|e| e.to_string())?;
    match part {
        "" => Ok(scope.as_str().to_owned()),
        "subscription" => scope
            .subscription_scope()
            .ok_or_else(|| format!("'{id}' is not inside a subscription")),
        "resourceGroup" => match (scope.subscription_id(), scope.resource_group()) {
            (Some(s), Some(g)) => Ok(format!("/subscriptions/{s}/resourceGroups/{g}")),
            _ => Err(format!("'{id}' is not inside a resource group")),
        },
        other => Err(format!(
            "'{other}' is not a part of a scope (use subscription or resourceGroup)"
        )),
    }
}

impl Template {
    /// Reads a template file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, TemplateError> {
        let template: Template = serde_json::from_str(text).map_err(|e| TemplateError::Json {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned(),
        })?;
        template.validate()?;
        Ok(template)
    }

    /// What a loader checks beyond the JSON shape: unique ids, references to
    /// inputs and custom roles that exist, application ids that are GUIDs.
    pub fn validate(&self) -> Result<(), TemplateError> {
        let fail = |message: String| TemplateError::Invalid {
            template: self.id.clone(),
            message,
        };
        if self.id.trim().is_empty() || self.name.trim().is_empty() {
            return Err(fail("a template needs an id and a name".into()));
        }
        // The id names the file in the admin's templates folder.
        if self.id.starts_with('.')
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(fail(
                "the id may only hold letters, digits, '-', '_' and '.', and not start with '.' (e.g. acg-staff)"
                    .into(),
            ));
        }
        if self.tasks.is_empty() {
            return Err(fail("a template needs at least one task".into()));
        }
        let inputs: HashSet<&str> = self.inputs.iter().map(|i| i.id.as_str()).collect();
        if inputs.len() != self.inputs.len() {
            return Err(fail("two inputs share an id".into()));
        }
        let roles: HashSet<&str> = self.custom_roles.iter().map(|r| r.id.as_str()).collect();
        let check_reference = |reference: &str, what: &str| {
            let (input, part) = split_reference(reference);
            if !inputs.contains(input) {
                return Err(fail(format!(
                    "{what} refers to '{reference}', but there is no input '{input}'"
                )));
            }
            if !REFERENCE_PARTS.contains(&part) {
                return Err(fail(format!(
                    "{what} refers to '{reference}': after the input comes nothing, '.subscription' or '.resourceGroup'"
                )));
            }
            Ok(())
        };
        let check_assignment = |assignment: Option<&Assignment>, what: &str| {
            if let Some(d) = assignment.and_then(|a| a.duration.as_deref())
                && rolecall_rbac::duration::parse(d).is_none_or(|d| d < time::Duration::minutes(5))
            {
                return Err(fail(format!(
                    "{what}: '{d}' is not a duration PIM accepts: give one in ISO 8601 of at least 5 minutes, such as P90D (90 days) or PT8H (8 hours)"
                )));
            }
            Ok(())
        };
        check_assignment(self.assignment.as_ref(), "the template's assignment")?;
        for role in &self.custom_roles {
            check_reference(&role.assignable_at, &format!("custom role '{}'", role.id))?;
            if role.actions.is_empty() && role.data_actions.is_empty() {
                return Err(fail(format!("custom role '{}' grants nothing", role.id)));
            }
        }
        let mut task_ids = HashSet::new();
        for task in &self.tasks {
            if !task_ids.insert(task.id.as_str()) {
                return Err(fail(format!("two tasks share the id '{}'", task.id)));
            }
            if task.grants.is_empty() {
                return Err(fail(format!("task '{}' grants nothing", task.id)));
            }
            for grant in &task.grants {
                let what = format!("task '{}'", task.id);
                check_assignment(grant.assignment(), &what)?;
                match grant {
                    GrantSpec::AzureRole { at, .. } => check_reference(at, &what)?,
                    GrantSpec::CustomRole { role, at, .. } => {
                        check_reference(at, &what)?;
                        if !roles.contains(role.as_str()) {
                            return Err(fail(format!(
                                "{what} assigns the custom role '{role}', which customRoles does not define"
                            )));
                        }
                    }
                    GrantSpec::AppRole { app_id, .. } => {
                        if !rolecall_rbac::scope::is_guid(app_id) {
                            return Err(fail(format!(
                                "{what}: '{app_id}' is not an application id (a GUID); applications are pinned by id, never by name"
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// How its Azure roles are held, in words: "eligible for 90 days",
    /// "active, permanent", with the grants that say otherwise named.
    pub fn describe_assignment(&self) -> String {
        let words = |a: Option<&Assignment>| match a.and_then(Assignment::schedule) {
            Some(s) => s.describe(),
            None => "active, permanent".to_owned(),
        };
        let default = words(self.assignment.as_ref());
        let mut others: Vec<String> = Vec::new();
        for grant in self.tasks.iter().flat_map(|t| &t.grants) {
            let (GrantSpec::AzureRole { role, .. } | GrantSpec::CustomRole { role, .. }) = grant
            else {
                continue;
            };
            // Only the grants held otherwise than the template's default.
            let Some(own) = grant.assignment().map(|a| words(Some(a))) else {
                continue;
            };
            let own = (own != default).then(|| format!("{role}: {own}"));
            if let Some(own) = own.filter(|o| !others.contains(o)) {
                others.push(own);
            }
        }
        if others.is_empty() {
            default
        } else {
            format!("{default} ({})", others.join("; "))
        }
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
}

/// The templates shipped with Rolecall.
pub fn builtin() -> Vec<Template> {
    [
        (
            "acg-staff.json",
            include_str!("../templates/acg-staff.json"),
        ),
        (
            "acs-smtp-sender.json",
            include_str!("../templates/acs-smtp-sender.json"),
        ),
    ]
    .into_iter()
    .map(|(file, text)| Template::parse(text, file).expect("built-in templates are valid"))
    .collect()
}

/// The admin's own templates: every `*.json` in `dir` but the schema.
pub fn load_dir(dir: &Path) -> Result<Vec<Template>, TemplateError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| TemplateError::Io(format!("{} cannot be read: {e}", dir.display())))?;
    let mut templates = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !name.ends_with(".json") || name.ends_with(".schema.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| TemplateError::Io(format!("{} cannot be read: {e}", path.display())))?;
        templates.push(Template::parse(&text, &path.display().to_string())?);
    }
    templates.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(templates)
}

#[cfg(test)]
mod prop {
    use super::*;
    proptest::proptest! {
        /// Any text as an imported template: a template or a message with
        /// the file, line and column, never a panic.
        #[test]
        fn any_template_text_is_parsed_or_refused(text in "\\PC{0,300}") {
            if let Err(error) = Template::parse(&text, "mine.json") {
                proptest::prop_assert!(error.to_string().contains("mine.json"), "{}", error);
            }
        }
    }
}
