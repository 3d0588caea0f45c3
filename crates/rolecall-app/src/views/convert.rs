//! How Rolecall's domain values become views (and the window's input
//! becomes domain values), and how every error becomes a `CommandError`.

use super::*;

impl ErrorKind {
    /// The kind of an error code, decided once here for every command.
    pub fn of(code: &str) -> Self {
        match code {
            "InvalidInput"
            | "InvalidScope"
            | "InvalidSetting"
            | "InvalidTenant"
            | "InvalidCloudProfile"
            | "InvalidJson"
            | "ReadFailed"
            | "BadRequest" => Self::InvalidInput,
            "NotSignedIn"
            | "SignInAgain"
            | "UnknownAccount"
            | "SignInTimedOut"
            | "SignInStateMismatch" => Self::SignInRequired,
            "InteractionRequired" => Self::InteractionRequired,
            "SignInCancelled" => Self::Cancelled,
            "AuthorizationFailed" | "Authorization_RequestDenied" | "Forbidden" => Self::Forbidden,
            "NotFound"
            | "NoTemplate"
            | "NoApp"
            | "NoAppRole"
            | "NotUnfinished"
            | "RoleDefinitionDoesNotExist"
            | "Request_ResourceNotFound" => Self::NotFound,
            "PlanExpired" | "ReportExpired" => Self::Expired,
            "Refused"
            | "BuiltInRole"
            | "RoleDefinitionHasAssignments"
            | "Running"
            | "Blocked"
            | "NoJournal" => Self::Refused,
            "Unreachable"
            | "ServiceUnavailable"
            | "TooManyRequests"
            | "Throttled"
            | "GatewayTimeout"
            | "InternalServerError" => Self::Unavailable,
            _ => Self::Other,
        }
    }
}

impl CommandError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let code = code.into();
        Self {
            kind: ErrorKind::of(&code),
            code,
            message: message.into(),
        }
    }
}

impl From<crate::AppError> for CommandError {
    fn from(error: crate::AppError) -> Self {
        Self::new(error.code.into_owned(), error.message)
    }
}

impl From<rolecall_auth::AuthError> for CommandError {
    fn from(error: rolecall_auth::AuthError) -> Self {
        Self::new(error.code().to_owned(), error.to_string())
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        if let Some(core) = error.downcast_ref::<rolecall_core::Error>() {
            return Self::new(core.code().to_owned(), core.to_string());
        }
        if let Some(auth) = error.downcast_ref::<rolecall_auth::AuthError>() {
            return Self::new(auth.code().to_owned(), auth.to_string());
        }
        if let Some(azure) = error.downcast_ref::<rolecall_azure::AzureError>() {
            return Self::new(azure.code(), format!("{error:#}"));
        }
        if let Some(app) = error.downcast_ref::<crate::AppError>() {
            return Self::new(app.code.clone().into_owned(), format!("{error:#}"));
        }
        Self::new("Error", format!("{error:#}"))
    }
}

impl From<&rolecall_core::CloudChoice> for CloudChoiceView {
    fn from(choice: &rolecall_core::CloudChoice) -> Self {
        use rolecall_core::CloudChoice as C;
        match choice {
            C::Demo => Self::Demo,
            C::Azure => Self::Azure,
            C::UsGovernment => Self::UsGovernment,
            C::China => Self::China,
            C::Custom { profile_path } => Self::Custom {
                profile_path: profile_path.display().to_string(),
            },
        }
    }
}

impl From<CloudChoiceView> for rolecall_core::CloudChoice {
    fn from(choice: CloudChoiceView) -> Self {
        match choice {
            CloudChoiceView::Demo => Self::Demo,
            CloudChoiceView::Azure => Self::Azure,
            CloudChoiceView::UsGovernment => Self::UsGovernment,
            CloudChoiceView::China => Self::China,
            CloudChoiceView::Custom { profile_path } => Self::Custom {
                profile_path: profile_path.into(),
            },
        }
    }
}

impl From<rolecall_core::Error> for CommandError {
    fn from(error: rolecall_core::Error) -> Self {
        Self::new(error.code().to_owned(), error.to_string())
    }
}

impl From<rolecall_azure::AzureError> for CommandError {
    fn from(error: rolecall_azure::AzureError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<rolecall_grants::resolve::ResolveError> for CommandError {
    fn from(error: rolecall_grants::resolve::ResolveError) -> Self {
        match error {
            rolecall_grants::resolve::ResolveError::Azure(e) => e.into(),
            other => Self::new("NotFound", other.to_string()),
        }
    }
}

impl From<rolecall_rbac::ScopeError> for CommandError {
    fn from(error: rolecall_rbac::ScopeError) -> Self {
        Self::new("InvalidScope", error.to_string())
    }
}

impl From<&rolecall_grants::Member> for MemberView {
    fn from(m: &rolecall_grants::Member) -> Self {
        Self {
            id: m.id.clone(),
            kind: match m.kind {
                rolecall_grants::MemberKind::User => MemberKind::User,
                rolecall_grants::MemberKind::Group => MemberKind::Group,
                rolecall_grants::MemberKind::ServicePrincipal => MemberKind::ServicePrincipal,
            },
            display_name: m.display_name.clone(),
            detail: m.detail.clone().unwrap_or_default(),
            warning: String::new(),
            label: String::new(),
        }
    }
}

impl From<&MemberView> for rolecall_grants::Member {
    fn from(m: &MemberView) -> Self {
        Self {
            id: m.id.clone(),
            kind: match m.kind {
                MemberKind::User => rolecall_grants::MemberKind::User,
                MemberKind::Group => rolecall_grants::MemberKind::Group,
                MemberKind::ServicePrincipal => rolecall_grants::MemberKind::ServicePrincipal,
            },
            display_name: m.display_name.clone(),
            detail: (!m.detail.is_empty()).then(|| m.detail.clone()),
        }
    }
}

impl From<&ScheduleView> for rolecall_grants::Schedule {
    fn from(s: &ScheduleView) -> Self {
        let some = |t: &str| (!t.trim().is_empty()).then(|| t.trim().to_owned());
        rolecall_grants::Schedule {
            eligible: s.eligible,
            duration: some(&s.duration),
            until: some(&s.until).map(|u| rolecall_grants::Schedule::until_from(&u)),
            justification: some(&s.justification),
            ticket: some(&s.ticket),
        }
    }
}

impl From<&rolecall_grants::Schedule> for ScheduleView {
    fn from(s: &rolecall_grants::Schedule) -> Self {
        ScheduleView {
            eligible: s.eligible,
            duration: s.duration.clone().unwrap_or_default(),
            until: s.until.clone().unwrap_or_default(),
            justification: s.justification.clone().unwrap_or_default(),
            ticket: s.ticket.clone().unwrap_or_default(),
        }
    }
}

impl From<&rolecall_onboarding::Terms> for TermsView {
    fn from(t: &rolecall_onboarding::Terms) -> Self {
        use rolecall_onboarding::Choice;
        let (choice, schedule) = match &t.choice {
            Choice::AsTemplate => (TermsChoice::AsTemplate, None),
            Choice::Standing => (TermsChoice::Standing, None),
            Choice::Schedule(s) => (TermsChoice::Schedule, Some(s.into())),
        };
        TermsView {
            choice,
            schedule,
            justification: t.justification.clone().unwrap_or_default(),
            ticket: t.ticket.clone().unwrap_or_default(),
            last_day: t.ends.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

impl TryFrom<&TermsView> for rolecall_onboarding::Terms {
    type Error = crate::AppError;

    /// Refused, saying what to write, when a duration, an end or a last
    /// day cannot be read.
    fn try_from(t: &TermsView) -> Result<Self, Self::Error> {
        use rolecall_onboarding::Choice;
        let some = |t: &str| (!t.trim().is_empty()).then(|| t.trim().to_owned());
        let choice = match (t.choice, &t.schedule) {
            (TermsChoice::AsTemplate, _) => Choice::AsTemplate,
            (TermsChoice::Standing, _) => Choice::Standing,
            (TermsChoice::Schedule, Some(s)) => {
                let schedule = rolecall_grants::Schedule::from(s);
                schedule.check().map_err(crate::AppError::input)?;
                Choice::Schedule(schedule)
            }
            (TermsChoice::Schedule, None) => {
                return Err(crate::AppError::input(
                    "choose eligible or active, and for how long",
                ));
            }
        };
        Ok(rolecall_onboarding::Terms {
            choice,
            justification: some(&t.justification),
            ticket: some(&t.ticket),
            ends: some(&t.last_day)
                .map(|d| rolecall_onboarding::terms::parse_date(&d))
                .transpose()
                .map_err(crate::AppError::input)?,
        })
    }
}

impl From<&GrantView> for rolecall_grants::Grant {
    fn from(g: &GrantView) -> Self {
        match g {
            GrantView::AzureRole(r) => Self::AzureRole(r.into()),
            GrantView::AppRole(a) => Self::AppRole(rolecall_grants::AppRoleGrant {
                resource_id: a.resource_id.clone(),
                resource_name: a.resource_name.clone(),
                app_id: a.app_id.clone(),
                app_role_id: a.app_role_id.clone(),
                app_role_value: a.app_role_value.clone(),
                member: (&a.member).into(),
            }),
        }
    }
}

impl From<&rolecall_grants::Grant> for GrantView {
    fn from(g: &rolecall_grants::Grant) -> Self {
        match g {
            rolecall_grants::Grant::AzureRole(r) => Self::AzureRole(r.into()),
            rolecall_grants::Grant::AppRole(a) => Self::AppRole(AppRoleGrantView {
                resource_id: a.resource_id.clone(),
                resource_name: a.resource_name.clone(),
                app_id: a.app_id.clone(),
                app_role_id: a.app_role_id.clone(),
                app_role_value: a.app_role_value.clone(),
                member: (&a.member).into(),
            }),
        }
    }
}

impl PlanView {
    pub fn new(id: u32, plan: &rolecall_grants::Plan) -> Self {
        use rolecall_grants::Status;
        Self {
            id,
            policies: plan
                .policies
                .iter()
                .map(|p| PolicyView {
                    scope: p.scope.clone(),
                    role_name: p.role_name.clone(),
                    eligible: p.eligible,
                    summary: p.describe(),
                })
                .collect(),
            items: plan
                .items
                .iter()
                .map(|item| {
                    let (state, detail) = match &item.status {
                        Status::ToCreate => (PlanState::ToCreate, String::new()),
                        Status::InPlace {
                            made_elsewhere,
                            ends,
                            ..
                        } => (
                            PlanState::InPlace,
                            match (made_elsewhere, ends) {
                                (_, Some(end)) => {
                                    format!("Ends {}.", end.get(..10).unwrap_or(end))
                                }
                                (true, None) => {
                                    "Made outside Rolecall, under another assignment name."
                                        .to_owned()
                                }
                                (false, None) => String::new(),
                            },
                        ),
                        Status::Kept { reason } => (PlanState::Kept, reason.clone()),
                        Status::Inherited { from_scope } => {
                            (PlanState::Inherited, from_scope.clone())
                        }
                        Status::Covered {
                            by_role,
                            from_scope,
                        } => (
                            PlanState::Covered,
                            format!("{by_role} at {from_scope} already grants all of it."),
                        ),
                        Status::Blocked { reason } => (PlanState::Blocked, reason.clone()),
                    };
                    PlanItemView {
                        grant: (&item.grant).into(),
                        state,
                        detail,
                        summary: item.grant.describe(),
                    }
                })
                .collect(),
        }
    }
}

impl From<&rolecall_grants::Outcome> for OutcomeView {
    fn from(o: &rolecall_grants::Outcome) -> Self {
        use rolecall_grants::Outcome as O;
        let (kind, code, message) = match o {
            O::Created { .. } => (OutcomeKind::Created, "", "Created.".to_owned()),
            O::Covered {
                by_role,
                from_scope,
            } => (
                OutcomeKind::Covered,
                "",
                format!("Not needed: {by_role} at {from_scope} already grants all of it."),
            ),
            O::AlreadyInPlace => (
                OutcomeKind::AlreadyInPlace,
                "",
                "Already in place.".to_owned(),
            ),
            O::Inherited { from_scope } => (
                OutcomeKind::Inherited,
                "",
                format!("Already granted at {from_scope}."),
            ),
            O::Removed { .. } => (OutcomeKind::Removed, "", "Removed.".to_owned()),
            O::Extended { .. } => (OutcomeKind::Extended, "", "Extended.".to_owned()),
            O::Renewed { .. } => (OutcomeKind::Renewed, "", "Renewed.".to_owned()),
            O::Kept { reason } => (OutcomeKind::Kept, "", reason.clone()),
            O::AlreadyGone => (OutcomeKind::AlreadyGone, "", "Already gone.".to_owned()),
            O::Blocked { reason } => (OutcomeKind::Blocked, "", reason.clone()),
            O::Failed { code, message, .. } => {
                (OutcomeKind::Failed, code.as_str(), message.clone())
            }
        };
        let request_id = match o {
            O::Created { request_id, .. }
            | O::Removed { request_id }
            | O::Extended { request_id }
            | O::Renewed { request_id }
            | O::Failed { request_id, .. } => request_id.clone().unwrap_or_default(),
            _ => String::new(),
        };
        Self {
            kind,
            code: code.to_owned(),
            message,
            request_id,
        }
    }
}

impl From<rolecall_grants::ItemEvent> for ProgressView {
    fn from(e: rolecall_grants::ItemEvent) -> Self {
        use rolecall_grants::ItemEvent as E;
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        match e {
            E::Started { index: i } => Self {
                index: index(i),
                state: ProgressState::Running,
                outcome: None,
            },
            E::WaitingForReplication { index: i, .. } => Self {
                index: index(i),
                state: ProgressState::WaitingForReplication,
                outcome: None,
            },
            E::WaitingForPim { index: i, .. } => Self {
                index: index(i),
                state: ProgressState::WaitingForPim,
                outcome: None,
            },
            E::Finished { index: i, outcome } => Self {
                index: index(i),
                state: ProgressState::Done,
                outcome: Some((&outcome).into()),
            },
        }
    }
}

impl From<&rolecall_grants::listing::Listed> for AssignmentView {
    fn from(l: &rolecall_grants::listing::Listed) -> Self {
        let p = &l.assignment.properties;
        let member = match &l.member {
            Some(m) => MemberView::from(m),
            None => MemberView {
                id: p.principal_id.clone(),
                kind: match p.principal_type.as_str() {
                    "Group" | "ForeignGroup" => MemberKind::Group,
                    "ServicePrincipal" => MemberKind::ServicePrincipal,
                    _ => MemberKind::User,
                },
                display_name: "Identity not found".into(),
                detail: String::new(),
                warning:
                    "The principal was deleted; this assignment grants nothing and can be removed."
                        .into(),
                label: String::new(),
            },
        };
        Self {
            id: l.assignment.id.clone(),
            scope: p.scope.clone(),
            role_id: p
                .role_definition_id
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
            role_name: l.role_name.clone().unwrap_or_default(),
            orphaned: l.member.is_none(),
            member,
            inherited: l.inherited,
            description: p.description.clone().unwrap_or_default(),
            holding: match l.holding {
                rolecall_grants::listing::Holding::Active => HoldingView::Active,
                rolecall_grants::listing::Holding::Eligible => HoldingView::Eligible,
                rolecall_grants::listing::Holding::Activated => HoldingView::Activated,
            },
            ends: l.ends.clone().unwrap_or_default(),
            manages_access: l.manages_access,
        }
    }
}

impl From<&rolecall_rbac::Operation> for OperationView {
    fn from(o: &rolecall_rbac::Operation) -> Self {
        Self {
            name: o.name.clone(),
            display_name: o.display_name.clone(),
            description: o.description.clone(),
            data_action: o.kind == rolecall_rbac::ActionKind::DataAction,
        }
    }
}

impl From<crate::estate::Place> for PlaceView {
    fn from(p: crate::estate::Place) -> Self {
        use crate::estate::Kind;
        Self {
            node: ScopeNode {
                id: p.id,
                name: p.name,
                kind: match p.kind {
                    Kind::ManagementGroup => ScopeKind::ManagementGroup,
                    Kind::Subscription => ScopeKind::Subscription,
                    Kind::ResourceGroup => ScopeKind::ResourceGroup,
                    Kind::Resource => ScopeKind::Resource,
                },
                detail: p.detail,
            },
            within: p.within,
        }
    }
}

impl From<&crate::roles::CustomRole> for CustomRoleView {
    fn from(c: &crate::roles::CustomRole) -> Self {
        Self {
            role: (&c.definition).into(),
            subscription: c.subscription.clone(),
            subscription_name: c.subscription_name.clone(),
            assignable_scopes: c.definition.properties.assignable_scopes.clone(),
        }
    }
}

impl From<&rolecall_rbac::RoleDefinition> for RoleView {
    fn from(r: &rolecall_rbac::RoleDefinition) -> Self {
        let privileged = r.allows(
            "Microsoft.Authorization/roleAssignments/write",
            rolecall_rbac::ActionKind::Action,
        ) || r
            .properties
            .permissions
            .iter()
            .any(|p| p.actions.iter().any(|a| a == "*"));
        let permissions = r
            .properties
            .permissions
            .iter()
            .flat_map(|p| {
                p.actions
                    .iter()
                    .cloned()
                    .chain(p.not_actions.iter().map(|a| format!("not: {a}")))
                    .chain(p.data_actions.iter().map(|a| format!("data: {a}")))
                    .chain(p.not_data_actions.iter().map(|a| format!("not data: {a}")))
            })
            .collect();
        Self {
            id: r.name.clone(),
            name: r.properties.role_name.clone(),
            description: r.properties.description.clone(),
            custom: r.is_custom(),
            privileged,
            permissions,
        }
    }
}

impl TemplateView {
    pub fn new(t: &rolecall_onboarding::Template, builtin: bool) -> Self {
        use rolecall_onboarding::template::InputKind;
        Self {
            id: t.id.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
            builtin,
            assignment: t.describe_assignment(),
            inputs: t
                .inputs
                .iter()
                .map(|i| TemplateInputView {
                    id: i.id.clone(),
                    label: i.label.clone(),
                    kind: match i.kind {
                        InputKind::Resource => "resource",
                        InputKind::ResourceGroup => "resourceGroup",
                        InputKind::Subscription => "subscription",
                    }
                    .into(),
                    resource_type: i.resource_type.clone().unwrap_or_default(),
                })
                .collect(),
            tasks: t
                .tasks
                .iter()
                .map(|task| TaskView {
                    id: task.id.clone(),
                    title: task.title.clone(),
                    description: task.description.clone(),
                    warning: task.warning.clone().unwrap_or_default(),
                })
                .collect(),
            custom_roles: t.custom_roles.iter().map(|r| r.name.clone()).collect(),
        }
    }
}

impl From<rolecall_grants::RunKind> for RunKindView {
    fn from(kind: rolecall_grants::RunKind) -> Self {
        match kind {
            rolecall_grants::RunKind::Apply => RunKindView::Onboard,
            rolecall_grants::RunKind::Remove => RunKindView::Offboard,
        }
    }
}

impl ProposalView {
    pub fn new(id: u32, p: &rolecall_onboarding::Proposal) -> Self {
        use rolecall_onboarding::session::RoleState;
        Self {
            id,
            kind: p.kind.into(),
            title: p.title.clone(),
            members: p.members.iter().map(Into::into).collect(),
            custom_roles: p
                .custom_roles
                .iter()
                .map(|r| RoleStepView {
                    role_name: r.role.draft.role_name.clone(),
                    scope: r
                        .role
                        .draft
                        .assignable_scopes
                        .first()
                        .cloned()
                        .unwrap_or_default(),
                    permissions: r
                        .role
                        .draft
                        .permissions
                        .iter()
                        .flat_map(|p| p.actions.iter().chain(&p.data_actions).cloned())
                        .collect(),
                    state: match r.state {
                        RoleState::ToCreate => RoleStepState::ToCreate,
                        RoleState::InPlace => RoleStepState::InPlace,
                        RoleState::ToDeleteIfUnused => RoleStepState::ToDeleteIfUnused,
                        RoleState::Absent => RoleStepState::Absent,
                    },
                })
                .collect(),
            plan: PlanView::new(id, &p.plan),
            left_out: p.left_out.clone(),
            checks: p
                .checks
                .iter()
                .map(|c| CheckView {
                    level: match c.level {
                        rolecall_onboarding::Level::Blocker => CheckLevel::Blocker,
                        rolecall_onboarding::Level::Warning => CheckLevel::Warning,
                    },
                    title: c.title.clone(),
                    detail: c.detail.clone(),
                })
                .collect(),
            blocked: p.is_blocked(),
            writes: u32::try_from(p.writes()).unwrap_or(u32::MAX),
        }
    }
}

impl From<rolecall_grants::runs::RunEvent> for RunProgressView {
    fn from(e: rolecall_grants::runs::RunEvent) -> Self {
        use rolecall_grants::runs::RunEvent;
        match e {
            RunEvent::Role { index, outcome } => Self {
                role: true,
                index: u32::try_from(index).unwrap_or(u32::MAX),
                state: ProgressState::Done,
                outcome: Some((&outcome).into()),
            },
            RunEvent::Grant { event } => {
                let p: ProgressView = event.into();
                Self {
                    role: false,
                    index: p.index,
                    state: p.state,
                    outcome: p.outcome,
                }
            }
        }
    }
}

impl RunReportView {
    pub fn new(id: u32, by: &str, r: &rolecall_grants::runs::RunReport) -> Self {
        use rolecall_grants::report::{Snippets, snippets};
        let removing = r.removing();
        Self {
            id,
            run_id: r.run.id.clone(),
            kind: r.run.kind.into(),
            title: r.run.title.clone(),
            by: by.to_owned(),
            started: r.started.clone(),
            finished: r.finished.clone(),
            succeeded: r.succeeded(),
            roles: r
                .custom_roles
                .iter()
                .map(|e| RoleOutcomeView {
                    role_name: e.role.draft.role_name.clone(),
                    outcome: (&e.outcome).into(),
                })
                .collect(),
            items: r
                .grants
                .iter()
                .map(
                    |rolecall_grants::report::Entry {
                         grant: g,
                         outcome: o,
                     }| {
                        let Snippets {
                            az,
                            powershell,
                            bicep,
                        } = snippets(g, removing);
                        ReportItemView {
                            grant: g.into(),
                            summary: g.describe(),
                            outcome: o.into(),
                            az,
                            powershell,
                            bicep,
                        }
                    },
                )
                .collect(),
        }
    }
}

pub fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn input_error(message: String) -> CommandError {
    CommandError::new("InvalidInput", message)
}

impl From<rolecall_onboarding::expand::ExpandError> for CommandError {
    fn from(e: rolecall_onboarding::expand::ExpandError) -> Self {
        use rolecall_onboarding::expand::ExpandError;
        match e {
            ExpandError::Azure(e) => e.into(),
            ExpandError::Resolve(e) => e.into(),
            other => input_error(other.to_string()),
        }
    }
}

impl From<rolecall_onboarding::CsvPeople> for CsvPeopleView {
    fn from(read: rolecall_onboarding::CsvPeople) -> Self {
        let line = |l: u64| u32::try_from(l).unwrap_or(u32::MAX);
        Self {
            people: read
                .people
                .into_iter()
                .map(|p| CsvPersonView {
                    text: p.text,
                    line: line(p.line),
                    terms: (&p.terms).into(),
                })
                .collect(),
            left_out: read
                .left_out
                .into_iter()
                .map(|l| CsvLeftOutView {
                    line: line(l.line),
                    reason: l.reason,
                })
                .collect(),
            column: read.column,
        }
    }
}

impl From<&rolecall_grants::journal::Activity> for ActivityView {
    fn from(a: &rolecall_grants::journal::Activity) -> Self {
        let state = match (&a.kind, &a.ended, a.discarded) {
            (Some(_), _, true) => ActivityState::Discarded,
            (Some(_), None, false) => ActivityState::Interrupted,
            _ => ActivityState::Done,
        };
        let writes = a
            .writes
            .iter()
            .map(|w| {
                let summary = match (&w.grant, &w.role) {
                    (Some(grant), _) => grant.describe(),
                    (None, Some(role)) => format!("Custom role {}", role.role_name),
                    (None, None) => w.action.clone(),
                };
                let mut outcome = OutcomeView::from(&w.outcome);
                // A custom role's outcome says what was done to the role.
                match w.action.as_str() {
                    "createRole" => outcome.message = "Created.".into(),
                    "updateRole" => outcome.message = "Edited.".into(),
                    "deleteRole" => outcome.message = "Deleted.".into(),
                    _ => {}
                }
                WrittenView {
                    at: w.at.clone(),
                    summary,
                    outcome,
                    removing: matches!(w.action.as_str(), "remove" | "deleteRole"),
                }
            })
            .collect();
        Self {
            id: a.id.clone(),
            title: a.title.clone(),
            kind: a.kind.map(Into::into),
            began: a.began.clone(),
            state,
            writes,
            can_undo: a.undo().is_some(),
        }
    }
}

impl From<&crate::least::RankedRole> for RankedRoleView {
    fn from(r: &crate::least::RankedRole) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            role: RoleView::from(&r.role),
            granted: count(r.granted),
            extra: count(r.extra),
            beyond: r
                .beyond
                .iter()
                .map(|(namespace, n)| format!("{namespace}: {n}"))
                .collect(),
        }
    }
}

#[cfg(test)]
mod error_kind_tests {
    use super::*;

    #[test]
    fn errors_are_kinded_where_they_come_from() {
        let auth = |e: rolecall_auth::AuthError| CommandError::from(e).kind;
        assert_eq!(
            auth(rolecall_auth::AuthError::InteractionRequired {
                description: "AADSTS50076".into(),
                claims: None
            }),
            ErrorKind::InteractionRequired
        );
        assert_eq!(
            auth(rolecall_auth::AuthError::NotSignedIn),
            ErrorKind::SignInRequired
        );
        assert_eq!(
            auth(rolecall_auth::AuthError::SignInAgain {
                description: "AADSTS50173".into()
            }),
            ErrorKind::SignInRequired
        );
        assert_eq!(
            auth(rolecall_auth::AuthError::InvalidTenant("x".into())),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            CommandError::from(rolecall_rbac::Scope::parse("x").unwrap_err()).kind,
            ErrorKind::InvalidInput
        );
        assert_eq!(
            CommandError::new("PlanExpired", "again").kind,
            ErrorKind::Expired
        );
        assert_eq!(
            CommandError::new("SignInCancelled", "ok").kind,
            ErrorKind::Cancelled
        );
        assert_eq!(CommandError::new("Whatever", "?").kind, ErrorKind::Other);
    }
}

#[cfg(test)]
mod grant_view_tests {
    use super::*;

    /// What the window sends comes back whole: a schedule typed in the
    /// wizard is never dropped on the way to the engine (nor on the way back).
    #[test]
    fn a_scheduled_grant_survives_the_trip_through_its_view() {
        let grant = rolecall_grants::Grant::AzureRole(rolecall_grants::AzureRoleGrant {
            scope: "/subscriptions/8f3e2b1a-0000-4000-8000-000000000001".into(),
            role_id: "acdd72a7-3385-48ef-bd42-f606fba81ae7".into(),
            role_name: "Reader".into(),
            member: rolecall_grants::Member {
                id: "8f3e2b1a-0000-4000-8000-0000000000aa".into(),
                kind: rolecall_grants::MemberKind::User,
                display_name: "Nadia Novak".into(),
                detail: None,
            },
            description: None,
            schedule: Some(rolecall_grants::Schedule {
                eligible: true,
                duration: Some("P90D".into()),
                until: None,
                justification: Some("On call".into()),
                ticket: None,
            }),
        });
        let view = GrantView::from(&grant);
        let json = serde_json::to_string(&view).unwrap();
        assert!(
            json.contains(r#""schedule":{"eligible":true,"duration":"P90D""#),
            "{json}"
        );
        let back: GrantView = serde_json::from_str(&json).unwrap();
        assert_eq!(rolecall_grants::Grant::from(&back), grant);
        // An older caller that sends no schedule asks for a standing assignment.
        let plain = json.replace(
            r#","schedule":{"eligible":true,"duration":"P90D","until":"","justification":"On call","ticket":""}"#,
            "",
        );
        let GrantView::AzureRole(r) = serde_json::from_str::<GrantView>(&plain).unwrap() else {
            unreachable!()
        };
        assert_eq!(r.schedule, None);
    }
}

impl From<&AzureRoleGrantView> for rolecall_grants::AzureRoleGrant {
    fn from(r: &AzureRoleGrantView) -> Self {
        rolecall_grants::AzureRoleGrant {
            scope: r.scope.clone(),
            role_id: r.role_id.clone(),
            role_name: r.role_name.clone(),
            member: (&r.member).into(),
            description: (!r.description.is_empty()).then(|| r.description.clone()),
            schedule: r.schedule.as_ref().map(Into::into),
        }
    }
}

impl From<&rolecall_grants::AzureRoleGrant> for AzureRoleGrantView {
    fn from(r: &rolecall_grants::AzureRoleGrant) -> Self {
        AzureRoleGrantView {
            scope: r.scope.clone(),
            role_id: r.role_id.clone(),
            role_name: r.role_name.clone(),
            member: (&r.member).into(),
            description: r.description.clone().unwrap_or_default(),
            schedule: r.schedule.as_ref().map(Into::into),
        }
    }
}

impl From<&crate::pim::Ending> for EndingView {
    fn from(e: &crate::pim::Ending) -> Self {
        EndingView {
            grant: (&e.grant).into(),
            ends: e.ends.clone(),
            ended: e.ended,
        }
    }
}

impl From<&crate::pim::MyRole> for MyRoleView {
    fn from(r: &crate::pim::MyRole) -> Self {
        MyRoleView {
            scope: r.scope.clone(),
            role_id: r.role_id.clone(),
            role_name: r.role_name.clone(),
            eligible_until: r.eligible_until.clone().unwrap_or_default(),
            active_until: r.active_until.clone().unwrap_or_default(),
            awaiting_approval: r.awaiting_approval.is_some(),
        }
    }
}

impl From<&crate::pim::Awaiting> for AwaitingView {
    fn from(a: &crate::pim::Awaiting) -> Self {
        AwaitingView {
            approval_id: a.approval_id.clone(),
            scope: a.scope.clone(),
            role_name: a.role_name.clone(),
            requested_by: a.requested_by.clone(),
            duration: a.duration.clone(),
            lasting: match (a.until.get(..10), a.until.get(11..16)) {
                _ if !a.duration.is_empty() => rolecall_rbac::duration::words(&a.duration),
                (Some(day), Some(time)) => format!("until {day} {time} UTC"),
                _ if !a.until.is_empty() => format!("until {}", a.until),
                _ => "for as long as the role allows".into(),
            },
            justification: a.justification.clone(),
            asked_at: a.asked_at.clone(),
        }
    }
}
