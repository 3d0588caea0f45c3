//! One onboarding (or offboarding), from the admin's choices to a reviewed
//! proposal: the people resolved (each row of a CSV on its own), the least
//! set of grants, the custom roles to create, the plan against live state,
//! and the preflight checks (the admin's rights, disabled subscriptions,
//! people not found, ARM's limits). Nothing is written until the proposal is
//! turned into a [`Run`] and executed (`rolecall_grants::runs`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::TryStreamExt;
use rolecall_azure::Azure;
use rolecall_azure::arm::RoleFilter;
use rolecall_grants::custom_roles::{self, Tenant};
use rolecall_grants::plan::{Plan, Status};
use rolecall_grants::{Grant, Member, Run, RunGrant, RunKind, RunRole};
use rolecall_rbac::draft::Severity;
use rolecall_rbac::{Catalogue, Scope};
use serde::Serialize;

use crate::expand::ExpandError;
use crate::template::Template;
use crate::terms::Terms;

/// ARM's documented limits (Azure subscription and service limits): role
/// assignments per subscription, custom roles per directory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub assignments_per_subscription: usize,
    pub custom_roles_per_directory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            assignments_per_subscription: 4000,
            custom_roles_per_directory: 5000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    /// Nothing is written while one stands.
    Blocker,
    /// Worth knowing; does not stop the run.
    Warning,
}

/// One preflight finding, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub level: Level,
    pub title: String,
    pub detail: String,
}

impl Check {
    fn blocker(title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            level: Level::Blocker,
            title: title.into(),
            detail: detail.into(),
        }
    }
    fn warning(title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            level: Level::Warning,
            title: title.into(),
            detail: detail.into(),
        }
    }
}

/// A custom role of the template, against the tenant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleStep {
    pub role: RunRole,
    pub state: RoleState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum RoleState {
    /// Onboarding creates it first.
    ToCreate,
    /// It exists exactly as the template has it.
    InPlace,
    /// Offboarding deletes it when nobody else holds it by then.
    ToDeleteIfUnused,
    /// Offboarding: it does not exist.
    Absent,
}

/// What the admin chose, before anything is resolved.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub template: &'a Template,
    /// Task ids; every task when empty.
    pub tasks: Vec<String>,
    /// Input id → ARM id.
    pub inputs: HashMap<String, String>,
    /// Each person as typed or imported: object id, application id or UPN.
    pub people: Vec<String>,
    /// How the Azure roles are held, for everyone (as the template says by
    /// default), and the last day, if everyone shares one.
    pub terms: Terms,
    /// A person's own terms over the run's (a CSV row's columns), by the
    /// text they were given as, lowercased.
    pub per_person: HashMap<String, Terms>,
}

impl<'a> Request<'a> {
    /// Everyone on the template's terms.
    pub fn new(
        template: &'a Template,
        tasks: Vec<String>,
        inputs: HashMap<String, String>,
        people: Vec<String>,
    ) -> Self {
        Self {
            template,
            tasks,
            inputs,
            people,
            terms: Terms::default(),
            per_person: HashMap::new(),
        }
    }

    /// The terms a person given as `text` is onboarded on.
    pub fn terms_of(&self, text: &str) -> Terms {
        match self.per_person.get(&text.to_ascii_lowercase()) {
            Some(own) => own.over(&self.terms),
            None => self.terms.clone(),
        }
    }
}

/// A reviewed-before-written onboarding or offboarding.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    pub kind: RunKind,
    pub title: String,
    pub template_id: String,
    pub tasks: Vec<String>,
    pub members: Vec<Member>,
    pub custom_roles: Vec<RoleStep>,
    /// Onboarding: each grant against live state. Offboarding: each grant the
    /// template gives, `InPlace` ones being what is removed.
    pub plan: Plan,
    /// Grants the least set leaves out, and why ("redundant").
    pub left_out: Vec<String>,
    pub checks: Vec<Check>,
}

impl Proposal {
    pub fn blockers(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.level == Level::Blocker)
    }

    pub fn is_blocked(&self) -> bool {
        self.blockers().next().is_some()
    }

    /// What would be written: custom roles to create and grants to create
    /// (onboarding), or grants to remove and custom roles to delete once
    /// unheld (offboarding).
    pub fn writes(&self) -> usize {
        match self.kind {
            RunKind::Apply => {
                self.custom_roles
                    .iter()
                    .filter(|r| r.state == RoleState::ToCreate)
                    .count()
                    + self.plan.to_create().count()
            }
            RunKind::Remove => {
                self.plan
                    .items
                    .iter()
                    .filter(|i| matches!(i.status, Status::InPlace { .. }))
                    .count()
                    + self
                        .custom_roles
                        .iter()
                        .filter(|r| r.state == RoleState::ToDeleteIfUnused)
                        .count()
            }
        }
    }

    /// The run that carries this proposal out. Offboarding removes only what
    /// is in place where the template put it.
    pub fn to_run(&self) -> Run {
        let grants = match self.kind {
            RunKind::Apply => self
                .plan
                .items
                .iter()
                .map(|i| RunGrant {
                    grant: i.grant.clone(),
                    to_create: i.status == Status::ToCreate,
                })
                .collect(),
            RunKind::Remove => self
                .plan
                .items
                .iter()
                .filter(|i| matches!(i.status, Status::InPlace { .. }))
                .map(|i| RunGrant {
                    grant: i.grant.clone(),
                    to_create: false,
                })
                .collect(),
        };
        let mut run = Run::of(self.kind, self.title.clone(), grants);
        run.custom_roles = self
            .custom_roles
            .iter()
            .filter(|r| matches!(r.state, RoleState::ToCreate | RoleState::ToDeleteIfUnused))
            .map(|r| r.role.clone())
            .collect();
        run
    }
}

/// A person read from a CSV file, with the file's line it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvPerson {
    pub text: String,
    /// 1 for the file's first line, as an editor numbers them.
    pub line: u64,
    /// The row's own terms (`assignment`, `duration`, `until`, `lastDay`,
    /// `justification`, `ticket` columns); the run's where it says nothing.
    pub terms: Terms,
}

/// A row of a CSV file that gave nobody, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvLeftOut {
    pub line: u64,
    pub reason: String,
}

/// What a CSV file of people held: who (in the file's order, each once) and
/// which rows gave nobody. Lines are the file's own, so an admin can find
/// each in an editor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvPeople {
    pub people: Vec<CsvPerson>,
    pub left_out: Vec<CsvLeftOut>,
    /// The column people were read from: its header, or "the first column".
    pub column: String,
}

/// People as a CSV file: one per row, by user principal name, object id or
/// application id. A header naming a column `userPrincipalName`, `upn`,
/// `mail`, `email`, `objectId`, `id`, `appId` or `member` picks that column;
/// otherwise the first column is used (and a first row that is not a person
/// is taken as a header). Under a header, `assignment` (eligible, active or
/// permanent), `duration` (P90D), `until` (2027-06-30), `lastDay`,
/// `justification` and `ticket` columns give a person's own terms; a row
/// whose terms cannot be read is left out, saying what to write. Rows with no value there, rows that cannot be read
/// and repeats are left out, each with its line and the reason; blank lines
/// are not rows.
pub fn read_people_csv(text: &str) -> CsvPeople {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // The reader's own line count misses blank lines before a record; the
    // record's byte offset, past any line ends (and the byte-order mark the
    // reader skips, which the first record's offset includes), gives the
    // editor's line.
    let line_at = |position: Option<&csv::Position>| {
        let bytes = text.as_bytes();
        let mut start = position.map_or(0, |p| p.byte() as usize).min(bytes.len());
        loop {
            if start == 0 && bytes.starts_with("\u{feff}".as_bytes()) {
                start += 3;
            } else if matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            } else {
                break;
            }
        }
        1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
    };
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut left_out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = line_at(record.position());
                rows.push((line, record.iter().map(str::to_owned).collect()));
            }
            Err(error) => left_out.push(CsvLeftOut {
                line: line_at(error.position()),
                reason: format!("it cannot be read as CSV ({error})"),
            }),
        }
    }
    let Some((_, first)) = rows.first() else {
        return CsvPeople {
            left_out,
            column: "the first column".into(),
            ..CsvPeople::default()
        };
    };
    const NAMES: &[&str] = &[
        "userprincipalname",
        "user principal name",
        "upn",
        "mail",
        "email",
        "objectid",
        "object id",
        "id",
        "appid",
        "application id",
        "member",
    ];
    let header = |c: &String| c.trim_start_matches('\u{feff}').to_owned();
    let header_column = NAMES.iter().find_map(|name| {
        first
            .iter()
            .position(|c| header(c).eq_ignore_ascii_case(name))
    });
    let looks_like_person = |c: &str| c.contains('@') || rolecall_rbac::scope::is_guid(c.trim());
    let (column, skip) = match header_column {
        Some(column) => (column, 1),
        None if first.first().is_some_and(|c| !looks_like_person(c)) => (0, 1),
        None => (0, 0),
    };
    let column_name = match header_column {
        Some(column) => format!("the {} column", header(&first[column])),
        None => "the first column".into(),
    };
    // A person's terms, where a header names their columns.
    let named = |names: &[&str]| {
        (skip == 1)
            .then(|| {
                first.iter().position(|c| {
                    names
                        .iter()
                        .any(|n| header(c).replace([' ', '_'], "").eq_ignore_ascii_case(n))
                })
            })
            .flatten()
    };
    let assignment = named(&["assignment", "assignmenttype", "type"]);
    let duration = named(&["duration"]);
    let until = named(&["until", "end", "enddatetime", "expires"]);
    let last_day = named(&["lastday", "enddate", "leaves", "leavingdate"]);
    let justification = named(&["justification", "reason"]);
    let ticket = named(&["ticket", "ticketnumber"]);
    let terms_of = |row: &[String]| -> Result<Terms, String> {
        let cell = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(String::as_str)
                .unwrap_or_default()
        };
        let text = |c: Option<usize>| Some(cell(c).to_owned()).filter(|t| !t.is_empty());
        Ok(Terms {
            choice: crate::terms::choice_of(cell(assignment), cell(duration), cell(until))?,
            justification: text(justification),
            ticket: text(ticket),
            ends: text(last_day)
                .map(|d| crate::terms::parse_date(&d))
                .transpose()?,
        })
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut people = Vec::new();
    for (line, row) in rows.into_iter().skip(skip) {
        let text = row.get(column).map(String::as_str).unwrap_or_default();
        let terms = terms_of(&row);
        if text.is_empty() {
            left_out.push(CsvLeftOut {
                line,
                reason: format!("nothing in {column_name}"),
            });
        } else if let Some(first) = seen.get(&text.to_ascii_lowercase()) {
            left_out.push(CsvLeftOut {
                line,
                reason: format!("{text} is on line {first} already"),
            });
        } else if let Err(why) = &terms {
            left_out.push(CsvLeftOut {
                line,
                reason: format!("{text}: {why}"),
            });
        } else {
            seen.insert(text.to_ascii_lowercase(), line);
            people.push(CsvPerson {
                text: text.to_owned(),
                line,
                terms: terms.unwrap_or_default(),
            });
        }
    }
    left_out.sort_by_key(|l| l.line);
    CsvPeople {
        people,
        left_out,
        column: column_name,
    }
}

/// The people of a CSV file alone (see [`read_people_csv`]).
pub fn people_from_csv(text: &str) -> Vec<String> {
    read_people_csv(text)
        .people
        .into_iter()
        .map(|p| p.text)
        .collect()
}

/// Resolves each person, with the text they were given as; the ones not
/// found become blockers.
async fn people(
    azure: &Azure,
    people: &[String],
    checks: &mut Vec<Check>,
) -> Result<Vec<(Member, String)>, ExpandError> {
    let found = rolecall_azure::for_each_bounded(
        people.iter().cloned().enumerate(),
        8,
        |(n, text)| async move {
            (
                n,
                text.clone(),
                rolecall_grants::resolve::member(azure, &text).await,
            )
        },
    )
    .await;
    let mut members: Vec<(Member, String)> = Vec::new();
    let mut missing = Vec::new();
    for (n, text, result) in found {
        match result {
            Ok(m)
                if !members
                    .iter()
                    .any(|(x, _)| x.id.eq_ignore_ascii_case(&m.id)) =>
            {
                members.push((m, text))
            }
            Ok(_) => {}
            // Named as the admin gave them (a CSV row's line is shown where
            // the file is imported), in the order they were given.
            Err(rolecall_grants::resolve::ResolveError::NoMember(_)) => missing.push((n, text)),
            // Throttling, the network, an expired sign-in: not "not found".
            Err(e) => return Err(e.into()),
        }
    }
    missing.sort();
    let missing: Vec<String> = missing.into_iter().map(|(_, text)| text).collect();
    if !missing.is_empty() {
        checks.push(Check::blocker(
            format!(
                "{} of {} people are not in this directory",
                missing.len(),
                people.len()
            ),
            format!(
                "{}. Check the spelling, give an object id or user principal name, invite them as guests first, or remove them from the list.",
                missing.join(", ")
            ),
        ));
    }
    if people.is_empty() {
        checks.push(Check::blocker(
            "Nobody is chosen",
            "Pick at least one person, group or application, or import a CSV.",
        ));
    }
    Ok(members)
}

/// Builds an onboarding proposal: resolve, expand, check, plan. Reads only.
pub async fn prepare(
    azure: &Azure,
    request: &Request<'_>,
    catalogue: Arc<Catalogue>,
    limits: &Limits,
) -> Result<Proposal, ExpandError> {
    prepare_as(azure, request, catalogue, limits, RunKind::Apply).await
}

/// Builds an offboarding proposal: what the template gives the people, as it
/// stands now; what is in place where the template puts it is removed, and
/// the template's custom roles are deleted once nobody holds them. Reads
/// only.
pub async fn prepare_offboarding(
    azure: &Azure,
    request: &Request<'_>,
    catalogue: Arc<Catalogue>,
) -> Result<Proposal, ExpandError> {
    prepare_as(
        azure,
        request,
        catalogue,
        &Limits::default(),
        RunKind::Remove,
    )
    .await
}

async fn prepare_as(
    azure: &Azure,
    request: &Request<'_>,
    catalogue: Arc<Catalogue>,
    limits: &Limits,
    kind: RunKind,
) -> Result<Proposal, ExpandError> {
    let template = request.template;
    let mut checks = Vec::new();
    for input in &template.inputs {
        if !request.inputs.contains_key(&input.id) {
            return Err(ExpandError::Input(format!(
                "Choose {} (input '{}') first.",
                input.label, input.id
            )));
        }
    }
    let tasks = if request.tasks.is_empty() {
        template.tasks.iter().map(|t| t.id.clone()).collect()
    } else {
        request.tasks.clone()
    };
    if tasks.is_empty() {
        return Err(ExpandError::Input("Choose at least one task.".into()));
    }
    // The people and the template's roles and applications are looked up
    // at once: neither needs the other.
    let (members, resolved) = tokio::join!(
        people(azure, &request.people, &mut checks),
        crate::expand::resolve_template(azure, template, &tasks, &request.inputs, Some(&catalogue)),
    );
    let (members, given_as): (Vec<Member>, Vec<String>) = members?.into_iter().unzip();
    let terms: HashMap<String, Terms> = members
        .iter()
        .zip(&given_as)
        .map(|(m, text)| (m.id.to_ascii_lowercase(), request.terms_of(text)))
        .collect();
    let terms_of = |m: &Member| {
        terms
            .get(&m.id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    };
    let expansion = resolved?.for_members_with(&members, terms_of);
    if kind == RunKind::Apply {
        let now = time::OffsetDateTime::now_utc();
        checks.extend(
            members
                .iter()
                .filter_map(|m| last_day_check(m, terms_of(m).ends?, &expansion.grants, now)),
        );
    }
    // The template's warnings are about granting; taking away needs none.
    if kind == RunKind::Apply {
        for w in &expansion.warnings {
            checks.push(Check::warning("Read before you apply", w.clone()));
        }
    }
    for m in &members {
        if let Some(w) = look_alike(m) {
            checks.push(Check::warning(format!("Check {}", m.display_name), w));
        }
    }

    // Custom roles against the tenant.
    let mut custom_roles = Vec::new();
    for role in &expansion.custom_roles {
        let first = role
            .draft
            .assignable_scopes
            .first()
            .cloned()
            .unwrap_or_default();
        let subscription = Scope::parse(&first)
            .ok()
            .and_then(|s| s.subscription_scope())
            .unwrap_or(first);
        let tenant = Tenant::load_with(azure, catalogue.clone(), &subscription).await?;
        let exists = tenant.roles.iter().find(|r| {
            rolecall_rbac::roles::definition_guid(&r.name).eq_ignore_ascii_case(&role.guid)
        });
        let run_role = RunRole {
            guid: role.guid.clone(),
            draft: role.draft.clone(),
        };
        let state = match kind {
            RunKind::Apply if custom_roles::already_in_place(&tenant, &role.draft).is_some() => {
                RoleState::InPlace
            }
            RunKind::Apply if exists.is_some() => {
                checks.push(Check::blocker(
                    format!("The custom role '{}' exists with other permissions", role.draft.role_name),
                    "Rolecall does not change an existing role while onboarding: everyone who holds it would change too. Edit it in Custom roles to match the template, or give the template's role another name.",
                ));
                RoleState::ToCreate
            }
            RunKind::Apply => {
                let issues = custom_roles::check(
                    azure,
                    &tenant,
                    &role.draft,
                    exists.map(|r| r.name.as_str()),
                )
                .await?;
                for issue in &issues {
                    let check = if issue.severity == Severity::Error {
                        Check::blocker(
                            format!(
                                "The custom role '{}' cannot be created",
                                role.draft.role_name
                            ),
                            issue.message.clone(),
                        )
                    } else {
                        // Broad wildcards, actions that change access: the
                        // admin reviews them before anything is written.
                        Check::warning(
                            format!("The custom role '{}'", role.draft.role_name),
                            issue.message.clone(),
                        )
                    };
                    checks.push(check);
                }
                RoleState::ToCreate
            }
            RunKind::Remove if exists.is_some() => RoleState::ToDeleteIfUnused,
            RunKind::Remove => RoleState::Absent,
        };
        custom_roles.push(RoleStep {
            role: run_role,
            state,
        });
    }
    if kind == RunKind::Apply && custom_roles.iter().any(|r| r.state == RoleState::ToCreate) {
        custom_role_limit(azure, limits, &custom_roles, &mut checks).await?;
    }

    // The plan's reads and the subscriptions' assignment counts, at once.
    let subscriptions = if kind == RunKind::Apply {
        subscriptions_of(&expansion.grants)
    } else {
        Vec::new()
    };
    // A subscription's assignments, listed for both when both need them.
    let listings = rolecall_grants::listing::Listings::default();
    // The plan, and for an offboarding what it leaves running.
    let plan = async {
        match kind {
            RunKind::Apply => rolecall_grants::plan::plan_sharing(
                azure,
                expansion.grants,
                Some(&catalogue),
                &listings,
            )
            .await
            .map(|plan| (plan, Vec::new())),
            RunKind::Remove => offboarding_plan(azure, expansion.grants).await,
        }
    };
    let (plan, usage) = tokio::join!(plan, assignments_used(azure, &subscriptions, &listings));
    let (plan, running) = plan?;
    checks.extend(running.into_iter().map(|note| {
        Check::warning(
            "Running until it ends",
            format!("{note} Removing the eligibility stops the next activation; this one ends by itself, or its holder ends it."),
        )
    }));
    checks.extend(blocked_checks(&plan, |n| {
        if kind == RunKind::Apply {
            format!("{n} grant(s) cannot be made")
        } else {
            format!("{n} grant(s) cannot be removed")
        }
    }));
    if kind == RunKind::Apply {
        assignment_limit(limits, &plan, &usage?, &mut checks);
    } else {
        for item in &plan.items {
            if let Status::Inherited { from_scope } = &item.status {
                checks.push(Check::warning(
                    "Held at a parent scope",
                    format!(
                        "{}: made at {from_scope}, which Rolecall does not remove here. Remove it there if it should go too.",
                        item.grant.describe()
                    ),
                ));
            }
        }
    }

    let who = match members.as_slice() {
        [one] => one.display_name.clone(),
        many => format!("{} people", many.len()),
    };
    let title = match kind {
        RunKind::Apply => format!("Onboarding {who} with {}", template.name),
        RunKind::Remove => format!("Offboarding {who} from {}", template.name),
    };
    Ok(Proposal {
        kind,
        title,
        template_id: template.id.clone(),
        tasks,
        members,
        custom_roles,
        plan,
        left_out: expansion.left_out,
        checks,
    })
}

/// A person's Azure roles against their last day: time-bound ones that end
/// before it (they lose access while still here) and ones that outlast it
/// (access nobody takes away), in one warning.
fn last_day_check(
    member: &Member,
    last_day: time::Date,
    grants: &[Grant],
    now: time::OffsetDateTime,
) -> Option<Check> {
    let leaves = last_day
        .with_hms(23, 59, 59)
        .expect("a valid time")
        .assume_utc();
    let mut early = Vec::new();
    let mut outlast = Vec::new();
    for grant in grants {
        let Grant::AzureRole(r) = grant else { continue };
        if !r.member.id.eq_ignore_ascii_case(&member.id) {
            continue;
        }
        let at = r
            .scope
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("/");
        let what = format!("{} at {at}", r.role_name);
        match r.schedule.as_ref().and_then(|s| s.ends(now)) {
            Some(end) if end < leaves => early.push(format!("{what} ends {}", end.date())),
            Some(end) if end.date() > last_day => {
                outlast.push(format!("{what} ends {}", end.date()))
            }
            Some(_) => {}
            None => outlast.push(format!("{what} does not end")),
        }
    }
    let mut detail = Vec::new();
    if !early.is_empty() {
        detail.push(format!(
            "Before it: {}. Extend it then (Role assignments → Ending soon, or rolecall-cli expiring), or choose an end on their last day.",
            early.join("; ")
        ));
    }
    if !outlast.is_empty() {
        detail.push(format!(
            "After it: {}. Choose an end on their last day, or offboard them then.",
            outlast.join("; ")
        ));
    }
    (!detail.is_empty()).then(|| {
        Check::warning(
            format!("{}'s last day is {last_day}", member.display_name),
            detail.join(" "),
        )
    })
}

/// What offboarding finds of the template's grants: an Azure role is looked
/// for both as a role assignment and as an eligibility, whichever way it was
/// given (the template may have changed since, or the admin chose), and the
/// forms held are removed; when neither is, the template's form is shown.
async fn offboarding_plan(
    azure: &Azure,
    grants: Vec<Grant>,
) -> rolecall_azure::Result<(Plan, Vec<String>)> {
    let mut forms = Vec::new();
    let mut origin = Vec::new();
    for (n, grant) in grants.into_iter().enumerate() {
        if let Grant::AzureRole(r) = &grant {
            let eligible = r.schedule.as_ref().is_some_and(|s| s.eligible);
            let mut other = r.clone();
            other.schedule = (!eligible).then(|| rolecall_grants::Schedule {
                eligible: true,
                ..Default::default()
            });
            forms.push(Grant::AzureRole(other));
            origin.push((n, false));
        }
        forms.push(grant);
        origin.push((n, true));
    }
    let plan = rolecall_grants::plan::plan_removal(azure, forms).await?;
    let held_at = |n: usize| {
        plan.items
            .iter()
            .zip(&origin)
            .any(|(item, (m, _))| *m == n && item.status.is_held())
    };
    let mut items = Vec::new();
    let mut notes = Vec::new();
    for (item, (n, templates)) in plan.items.iter().zip(&origin) {
        if item.status.is_held() || (*templates && !held_at(*n)) {
            items.push(item.clone());
        } else if let Status::Blocked { reason } = &item.status
            && held_at(*n)
        {
            // A form not held that cannot be touched (an activation running
            // on it): said, not a blocker of what can go.
            notes.push(format!("{}: {reason}", item.grant.describe()));
        }
    }
    Ok((
        Plan {
            items,
            ..Default::default()
        },
        notes,
    ))
}

/// The plan's blocked grants as blockers, one per reason (the reason names
/// the scope and what to do), titled by how many grants it stops.
fn blocked_checks(plan: &Plan, title: impl Fn(usize) -> String) -> Vec<Check> {
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for item in plan.blocked() {
        let Status::Blocked { reason } = &item.status else {
            continue;
        };
        match reasons.iter_mut().find(|(r, _)| *r == reason.as_str()) {
            Some((_, n)) => *n += 1,
            None => reasons.push((reason, 1)),
        }
    }
    reasons
        .into_iter()
        .map(|(reason, n)| Check::blocker(title(n), reason))
        .collect()
}

fn look_alike(member: &Member) -> Option<String> {
    if member.kind != rolecall_grants::MemberKind::ServicePrincipal {
        return None;
    }
    rolecall_grants::resolve::look_alike_warning(
        &member.display_name,
        member.detail.as_deref().unwrap_or_default(),
    )
}

/// Blocks when a subscription has fewer assignments left than the plan
/// creates there; warns when fewer than a tenth of the limit would be left.
/// The subscriptions `grants` assign in, each once.
fn subscriptions_of(grants: &[Grant]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in grants {
        if let Grant::AzureRole(r) = g
            && let Some(sub) = Scope::parse(&r.scope)
                .ok()
                .and_then(|s| s.subscription_scope())
            && !out.iter().any(|s| s.eq_ignore_ascii_case(&sub))
        {
            out.push(sub.to_ascii_lowercase());
        }
    }
    out
}

/// How many role assignments each subscription holds (ARM counts the ones at
/// the subscription and below against its limit), read at once.
async fn assignments_used(
    azure: &Azure,
    subscriptions: &[String],
    listings: &rolecall_grants::listing::Listings,
) -> Result<HashMap<String, usize>, ExpandError> {
    let counted =
        futures::future::try_join_all(subscriptions.iter().map(|subscription| async move {
            let all = listings.all(azure, subscription).await?;
            let within = Scope::parse(subscription).ok();
            let used = all
                .iter()
                .filter(|a| {
                    let at = Scope::parse(&a.properties.scope).ok();
                    matches!((&within, &at), (Some(w), Some(at)) if w.covers(at))
                })
                .count();
            Ok::<_, ExpandError>((subscription.clone(), used))
        }))
        .await?;
    Ok(counted.into_iter().collect())
}

fn assignment_limit(
    limits: &Limits,
    plan: &Plan,
    usage: &HashMap<String, usize>,
    checks: &mut Vec<Check>,
) {
    let mut creating: HashMap<String, usize> = HashMap::new();
    for item in plan.to_create() {
        if let Grant::AzureRole(r) = &item.grant
            && let Some(sub) = Scope::parse(&r.scope)
                .ok()
                .and_then(|s| s.subscription_scope())
        {
            *creating.entry(sub.to_ascii_lowercase()).or_default() += 1;
        }
    }
    for (subscription, n) in creating {
        let used = usage.get(&subscription).copied().unwrap_or_default();
        let left = limits.assignments_per_subscription.saturating_sub(used);
        if n > left {
            checks.push(Check::blocker(
                "Too many role assignments for the subscription",
                format!(
                    "{subscription} holds {used} of its {} role assignments; this creates {n} there but only {left} can still be made. Remove assignments nobody needs (for example orphaned ones in Role assignments), or assign to a group instead of each person.",
                    limits.assignments_per_subscription
                ),
            ));
        } else if left - n < limits.assignments_per_subscription / 10 {
            checks.push(Check::warning(
                "The subscription is near its role-assignment limit",
                format!(
                    "{subscription} will hold {} of its {} role assignments. Consider groups instead of assignments per person.",
                    used + n,
                    limits.assignments_per_subscription
                ),
            ));
        }
    }
}

/// Blocks when the directory has no custom role left to create.
async fn custom_role_limit(
    azure: &Azure,
    limits: &Limits,
    roles: &[RoleStep],
    checks: &mut Vec<Check>,
) -> Result<(), ExpandError> {
    // Custom roles are listed where they are assignable: count the distinct
    // ones over every subscription the admin can read.
    let subscriptions: Vec<_> = azure.arm.subscriptions().try_collect().await?;
    let mut seen = HashSet::new();
    for s in subscriptions {
        let scope = format!("/subscriptions/{}", s.subscription_id);
        let custom: Vec<_> = azure
            .arm
            .role_definitions(&scope, &RoleFilter::CustomOnly)
            .try_collect()
            .await?;
        seen.extend(custom.into_iter().map(|r| r.name.to_ascii_lowercase()));
    }
    let creating = roles
        .iter()
        .filter(|r| r.state == RoleState::ToCreate)
        .count();
    let left = limits.custom_roles_per_directory.saturating_sub(seen.len());
    if creating > left {
        checks.push(Check::blocker(
            "The directory has no custom roles left",
            format!(
                "It holds {} of its {} custom roles. Delete custom roles nobody uses (Custom roles shows how many assignments each has), then check again.",
                seen.len(),
                limits.custom_roles_per_directory
            ),
        ));
    }
    Ok(())
}

/// "Remove all access of this person": every Azure role they hold directly
/// at or below `scopes`, and (when `app_roles`) every app role they hold, as
/// an offboarding proposal. Roles reaching in from above are warnings: they
/// belong to the parent scope. Reads only.
pub async fn prepare_removal_of_everything(
    azure: &Azure,
    person: &str,
    scopes: &[String],
    app_roles: bool,
) -> Result<Proposal, ExpandError> {
    let mut checks = Vec::new();
    if scopes.is_empty() && !app_roles {
        return Err(ExpandError::Input(
            "Choose at least one scope, or include app roles.".into(),
        ));
    }
    for scope in scopes {
        Scope::parse(scope).map_err(|e| ExpandError::Input(e.to_string()))?;
    }
    let member = rolecall_grants::resolve::member(azure, person).await?;
    let held = rolecall_grants::listing::held_by(azure, &member, scopes, app_roles).await?;
    for above in &held.above {
        checks.push(Check::warning(
            "Held at a parent scope",
            format!("{above}: it reaches the chosen scope from above and stays; remove it there if it should go too."),
        ));
    }
    let plan = rolecall_grants::plan::plan_removal(azure, held.grants).await?;
    checks.extend(blocked_checks(&plan, |_| {
        "Some access cannot be removed by you".to_owned()
    }));
    if plan.items.is_empty() {
        checks.push(Check::warning(
            "Nothing to remove",
            format!(
                "{} holds no access directly at the chosen scopes.",
                member.display_name
            ),
        ));
    }
    Ok(Proposal {
        kind: RunKind::Remove,
        title: format!("Removing all access of {}", member.display_name),
        template_id: String::new(),
        tasks: Vec::new(),
        members: vec![member],
        custom_roles: Vec::new(),
        plan,
        left_out: Vec::new(),
        checks,
    })
}

/// Reads each grant's member, role and application names again from the
/// tenant (by id), replacing what the run's file says; every difference is a
/// warning.
async fn names_from_the_tenant(azure: &Azure, run: &mut Run) -> Result<Vec<Check>, ExpandError> {
    let mut checks = Vec::new();
    let mut differs = |what: &str, said: &str, is: &str| {
        if said != is {
            checks.push(Check::warning(
                "A name in the report differs from the tenant",
                format!("The report says {what} '{said}'; the tenant says '{is}'. The tenant's name is shown."),
            ));
        }
    };
    let mut members: HashMap<String, Option<Member>> = HashMap::new();
    let mut roles: HashMap<(String, String), Option<String>> = HashMap::new();
    for RunGrant { grant, .. } in &mut run.grants {
        let id = grant.member().id.to_ascii_lowercase();
        if !members.contains_key(&id) {
            let found = match rolecall_grants::resolve::member(azure, &id).await {
                // Found by this very object id (not an application id that
                // happens to match).
                Ok(m) if m.id.eq_ignore_ascii_case(&id) => Some(m),
                Ok(_) | Err(rolecall_grants::resolve::ResolveError::NoMember(_)) => None,
                Err(other) => return Err(other.into()),
            };
            members.insert(id.clone(), found);
        }
        let member = match grant {
            Grant::AzureRole(g) => &mut g.member,
            Grant::AppRole(g) => &mut g.member,
        };
        match &members[&id] {
            Some(found) => {
                differs("the member", &member.display_name, &found.display_name);
                *member = found.clone();
            }
            None => {
                member.display_name = format!("Not found in the directory ({})", member.id);
                member.detail = None;
            }
        }
        match grant {
            Grant::AzureRole(g) => {
                let at = Scope::parse(&g.scope)
                    .ok()
                    .and_then(|s| s.subscription_scope())
                    .unwrap_or_else(|| g.scope.clone());
                let guid = rolecall_rbac::roles::definition_guid(&g.role_id).to_owned();
                let key = (at.to_ascii_lowercase(), guid.to_ascii_lowercase());
                if !roles.contains_key(&key) {
                    let name = azure
                        .arm
                        .role_definition(&at, &guid)
                        .await?
                        .map(|d| d.properties.role_name);
                    roles.insert(key.clone(), name);
                }
                match &roles[&key] {
                    Some(name) => {
                        differs("the role", &g.role_name, name);
                        g.role_name = name.clone();
                    }
                    None => g.role_name = format!("Unknown role ({guid})"),
                }
            }
            Grant::AppRole(g) => match azure.graph.service_principal(&g.resource_id).await? {
                Some(sp) => {
                    differs("the application", &g.resource_name, &sp.display_name);
                    g.resource_name = sp.display_name.clone();
                    g.app_id = sp.app_id.clone();
                    let value = sp
                        .app_roles
                        .iter()
                        .find(|r| r.id.eq_ignore_ascii_case(&g.app_role_id))
                        .map(|r| r.value.clone().unwrap_or_else(|| r.display_name.clone()))
                        .unwrap_or_else(|| format!("Unknown app role ({})", g.app_role_id));
                    differs("the app role", &g.app_role_value, &value);
                    g.app_role_value = value;
                }
                None => {
                    g.resource_name = format!("Not found in the directory ({})", g.resource_id);
                }
            },
        }
    }
    Ok(checks)
}

/// Undoing a past run (`rolecall_grants::report::undo` of its report, or the
/// run itself): what it created and is still in place is removed, its
/// custom roles deleted once nobody holds them. Reads only.
pub async fn prepare_undo(azure: &Azure, mut undo: Run) -> Result<Proposal, ExpandError> {
    // The report or journal says what the run made; the names in it are
    // only what it says. Every name shown is read again from the tenant,
    // and a difference is said, so a crafted file cannot dress one removal
    // up as another.
    let mut checks = names_from_the_tenant(azure, &mut undo).await?;
    let mut plan = rolecall_grants::plan::plan_removal(azure, undo.grant_list()).await?;
    if undo.removes == rolecall_grants::Removes::RolecallNamed {
        for item in &mut plan.items {
            if let Status::InPlace {
                made_elsewhere: true,
                ..
            } = item.status
            {
                item.status = Status::Kept {
                    reason: "This access was made outside that run (under another assignment name than Rolecall's), so undoing the run leaves it.".into(),
                };
            }
        }
    }
    checks.extend(blocked_checks(&plan, |_| {
        "Some access cannot be removed by you".to_owned()
    }));
    let mut custom_roles = Vec::new();
    for role in &undo.custom_roles {
        let scope = role
            .draft
            .assignable_scopes
            .first()
            .cloned()
            .unwrap_or_default();
        let found = azure.arm.role_definition(&scope, &role.guid).await?;
        let mut role = role.clone();
        let state = match &found {
            // Only a custom role is ever deleted by an undo.
            Some(definition) if definition.properties.role_type == "CustomRole" => {
                if definition.properties.role_name != role.draft.role_name {
                    checks.push(Check::warning(
                        "A name in the report differs from the tenant",
                        format!(
                            "The report calls the custom role {} '{}'; the tenant calls it '{}'. The tenant's name is shown.",
                            role.guid, role.draft.role_name, definition.properties.role_name
                        ),
                    ));
                    role.draft.role_name = definition.properties.role_name.clone();
                }
                RoleState::ToDeleteIfUnused
            }
            Some(definition) => {
                checks.push(Check::warning(
                    "Not a custom role",
                    format!(
                        "The report names {} ('{}'), which is a built-in role: an undo never deletes it.",
                        role.guid, definition.properties.role_name
                    ),
                ));
                RoleState::Absent
            }
            None => RoleState::Absent,
        };
        custom_roles.push(RoleStep { role, state });
    }
    let mut members: Vec<Member> = Vec::new();
    for RunGrant { grant: g, .. } in &undo.grants {
        if !members
            .iter()
            .any(|m| m.id.eq_ignore_ascii_case(&g.member().id))
        {
            members.push(g.member().clone());
        }
    }
    let mut proposal = Proposal {
        kind: RunKind::Remove,
        title: undo.title,
        template_id: String::new(),
        tasks: Vec::new(),
        members,
        custom_roles,
        plan,
        left_out: Vec::new(),
        checks,
    };
    if proposal.writes() == 0 {
        proposal.checks.push(Check::warning(
            "Nothing to undo",
            "What that run created is gone already.",
        ));
    }
    Ok(proposal)
}

#[cfg(test)]
mod prop {
    use super::*;
    proptest::proptest! {
        /// Any text as a people CSV: a list of non-empty names, never a panic.
        #[test]
        fn any_csv_gives_a_list(text in "\\PC{0,400}") {
            for person in people_from_csv(&text) {
                proptest::prop_assert!(!person.trim().is_empty());
            }
        }

        /// Unquoted rows over several lines (blank ones, CRLF, a BOM): each
        /// person's line is a line of the file that holds them.
        #[test]
        fn each_person_is_on_its_line(text in "[a-z0-9@.,; \\n\\r\\t\u{feff}é-]{0,300}") {
            let lines: Vec<&str> = text.split('\n').collect();
            for person in read_people_csv(&text).people {
                let line = lines.get(person.line as usize - 1).copied().unwrap_or_default();
                proptest::prop_assert!(line.contains(&person.text), "{person:?} not on {line:?}");
            }
        }

        /// Rows of people with blank lines between: every line number is the row's.
        #[test]
        fn lines_survive_blank_lines(blanks in proptest::collection::vec(0usize..3, 1..12)) {
            let mut text = String::from("userPrincipalName\n");
            let mut expected = Vec::new();
            for (n, blank) in blanks.iter().enumerate() {
                text.push_str(&"\r\n".repeat(*blank));
                expected.push(text.matches('\n').count() as u64 + 1);
                text.push_str(&format!("p{n}@contoso.com\n"));
            }
            let lines: Vec<u64> = read_people_csv(&text).people.iter().map(|p| p.line).collect();
            proptest::prop_assert_eq!(lines, expected);
        }
    }
}
