//! Privileged Identity Management for Azure resources as ARM serves it
//! (2020-10-01): eligibility, activation, the default policy's rules, a
//! changed policy, removal, and expiry that really ends access.

mod common;

use common::{Arm, start, upn};
use rolecall_emulator::seed::{DEMO_SUB_VOICE, builtin};
use rolecall_emulator::{Options, demo_id};
use serde_json::{Value, json};

const V: &str = "api-version=2020-10-01";

fn voice() -> String {
    format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE))
}

fn role(guid: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
        voice()
    )
}

fn request(principal: &str, role_guid: &str, request_type: &str, expiration: Value) -> Value {
    json!({"properties": {
        "principalId": principal,
        "roleDefinitionId": role(role_guid),
        "requestType": request_type,
        "scheduleInfo": {"expiration": expiration},
    }})
}

fn eligibility_url(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{name}?{V}",
        voice()
    )
}

fn assignment_url(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{name}?{V}",
        voice()
    )
}

fn fresh() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn days(n: u32) -> Value {
    json!({"type": "AfterDuration", "duration": format!("P{n}D")})
}

#[tokio::test]
async fn an_eligible_person_activates_and_reads_then_the_admin_removes_the_eligibility() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let nadia_id = demo_id("user:nadia.novak");

    // Eligible for Reader, 90 days: 201, provisioned at once, ids as recorded.
    let name = fresh();
    let (status, made) = olivia
        .put(
            &eligibility_url(&name),
            request(&nadia_id, builtin::READER, "AdminAssign", days(90)),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["properties"]["status"], "Provisioned");
    assert_eq!(made["properties"]["principalType"], "User");
    assert_eq!(made["properties"]["scope"], voice());
    assert!(
        made["properties"]["targetRoleEligibilityScheduleId"]
            .as_str()
            .unwrap()
            .starts_with("/providers/Microsoft.Subscription/subscriptions/"),
        "{made}"
    );
    assert_eq!(
        made["properties"]["expandedProperties"]["roleDefinition"]["displayName"],
        "Reader"
    );

    // The same again: it exists.
    let (status, again) = olivia
        .put(
            &eligibility_url(&fresh()),
            request(&nadia_id, builtin::READER, "AdminAssign", days(90)),
        )
        .await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (400, Some("RoleAssignmentExists"))
    );

    // Eligible is not active: Nadia reads nothing in the subscription yet.
    let nadia = Arm::new(&emulator, &upn("nadia.novak")).await;
    let reads_voice = || async {
        let (status, permissions) = nadia
            .get(&format!(
                "{}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01",
                voice()
            ))
            .await;
        assert_eq!(status, 200, "{permissions}");
        permissions["value"].as_array().unwrap().iter().any(|p| {
            p["actions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "*/read")
        })
    };
    assert!(!reads_voice().await, "eligible is not active");
    let mine = nadia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?$filter=asTarget()&{V}",
            voice()
        ))
        .await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    let end = mine[0]["properties"]["endDateTime"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(end.ends_with('Z'), "{end}");

    // She activates for an hour, with a justification (the default policy asks one).
    let mut activate = request(
        &nadia_id,
        builtin::READER,
        "SelfActivate",
        json!({"type": "AfterDuration", "duration": "PT1H"}),
    );
    let (status, refused) = nadia.put(&assignment_url(&fresh()), activate.clone()).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("JustificationRule"),
        "{refused}"
    );
    activate["properties"]["justification"] = "Gateway incident 4711".into();
    let (status, active) = nadia.put(&assignment_url(&fresh()), activate).await;
    assert_eq!(status, 201, "{active}");
    assert!(reads_voice().await, "activated, Reader holds");
    let instances = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?$filter=assignedTo('{nadia_id}')&{V}",
            voice()
        ))
        .await;
    // Hers: the activation, and the gateway's Reader through ACG Operators.
    let activated: Vec<_> = instances
        .iter()
        .filter(|i| i["properties"]["assignmentType"] == "Activated")
        .collect();
    assert_eq!(activated.len(), 1, "{instances:?}");
    assert_eq!(activated[0]["properties"]["memberType"], "Direct");
    assert!(
        instances
            .iter()
            .any(|i| i["properties"]["memberType"] == "Group")
    );
    // Longer than the activation maximum (8 hours by default): refused.
    let mut long = request(
        &nadia_id,
        builtin::READER,
        "SelfActivate",
        json!({"type": "AfterDuration", "duration": "PT9H"}),
    );
    long["properties"]["justification"] = "more".into();
    let (status, refused) = nadia.put(&assignment_url(&fresh()), long).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("RoleAssignmentRequestPolicyValidationFailed"))
    );

    // The activation ends when its time is up (moved forward here): access ends with it.
    emulator.with_state(|s| {
        for schedule in &mut s.arm.pim.schedules {
            if schedule.assignment_type.as_deref() == Some("Activated") {
                schedule.end = Some("2020-01-01T00:00:00.0000000Z".into());
            }
        }
    });
    assert!(!reads_voice().await, "the activation ran out");

    // Removing the eligibility within 5 minutes is refused; later it works.
    let remove = request(&nadia_id, builtin::READER, "AdminRemove", json!(null));
    let (status, early) = olivia.put(&eligibility_url(&fresh()), remove.clone()).await;
    assert_eq!(
        (status, early["error"]["code"].as_str()),
        (400, Some("ActiveDurationTooShort"))
    );
    emulator.with_state(|s| {
        for schedule in &mut s.arm.pim.schedules {
            schedule.created_on = "2020-01-01T00:00:00.0000000Z".into();
        }
    });
    let (status, removed) = olivia.put(&eligibility_url(&fresh()), remove.clone()).await;
    assert_eq!(status, 201, "{removed}");
    assert_eq!(removed["properties"]["status"], "Revoked");
    let (status, gone) = olivia.put(&eligibility_url(&fresh()), remove).await;
    assert_eq!(
        (status, gone["error"]["code"].as_str()),
        (400, Some("RoleAssignmentDoesNotExist"))
    );
    let left = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleEligibilitySchedules?$filter=atScope()&{V}",
            voice()
        ))
        .await;
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn the_default_policy_refuses_what_it_does_not_allow_and_a_changed_one_allows_it() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let tom_id = demo_id("user:tom.baker");
    let code = |answer: &Value| {
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    // Permanent, or longer than 365 days: the expiration rule.
    for expiration in [json!({"type": "NoExpiration"}), days(400)] {
        let (status, refused) = olivia
            .put(
                &eligibility_url(&fresh()),
                request(&tom_id, builtin::READER, "AdminAssign", expiration),
            )
            .await;
        assert_eq!(status, 400, "{refused}");
        assert_eq!(
            code(&refused),
            "The following policy rules failed: [\"ExpirationRule\"]"
        );
    }
    // Active for 30 days without a justification: the justification rule.
    let (status, refused) = olivia
        .put(
            &assignment_url(&fresh()),
            request(&tom_id, builtin::READER, "AdminAssign", days(30)),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(code(&refused).contains("JustificationRule"));
    // A service principal cannot be eligible.
    let sp = demo_id("sp:deploy-identity");
    let (status, refused) = olivia
        .put(
            &eligibility_url(&fresh()),
            request(&sp, builtin::READER, "AdminAssign", days(30)),
        )
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("InvalidPrincipalType"))
    );
    // Rita (Reader) may not make anyone eligible.
    let rita = Arm::new(&emulator, &upn("rita.reader")).await;
    let (status, _) = rita
        .put(
            &eligibility_url(&fresh()),
            request(&tom_id, builtin::READER, "AdminAssign", days(30)),
        )
        .await;
    assert_eq!(status, 403);

    // The policy, found by role as admins find it, then changed to allow permanent eligibility.
    let found = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleManagementPolicyAssignments?$filter=roleDefinitionId eq '{}'&{V}",
            voice(),
            role(builtin::READER)
        ))
        .await;
    assert_eq!(found.len(), 1, "{found:?}");
    let policy_id = found[0]["properties"]["policyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, policy) = olivia.get(&format!("{policy_id}?{V}")).await;
    assert_eq!(status, 200, "{policy}");
    assert_eq!(policy["properties"]["isOrganizationDefault"], true);
    let (status, changed) = olivia
        .call(
            reqwest::Method::PATCH,
            &format!("{policy_id}?{V}"),
            Some(json!({"properties": {"rules": [{
                "isExpirationRequired": false, "maximumDuration": "PT0S",
                "id": "Expiration_Admin_Eligibility", "ruleType": "RoleManagementPolicyExpirationRule",
                "target": {"caller": "Admin", "operations": ["All"], "level": "Eligibility"}
            }]}})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["properties"]["isOrganizationDefault"], false);
    let rules = changed["properties"]["rules"].as_array().unwrap();
    assert!(rules.len() > 8, "the other rules keep their values");
    let (status, made) = olivia
        .put(
            &eligibility_url(&fresh()),
            request(
                &tom_id,
                builtin::READER,
                "AdminAssign",
                json!({"type": "NoExpiration"}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    // Deleting a policy assignment is refused as recorded: 405, its own body.
    let (status, body) = olivia
        .delete(&format!("{}?{V}", found[0]["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 405);
    assert!(body["message"].as_str().unwrap().contains("DELETE"));
}

#[tokio::test]
async fn requests_in_az_powershells_recorded_form_are_answered_as_recorded() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let sub = demo_id(DEMO_SUB_VOICE);
    // Recorded: `//` in the path, a roleDefinitionId without its leading '/',
    // a start in another offset, the preview api-version.
    let name = fresh();
    let url = format!(
        "//subscriptions/{sub}//providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{name}?api-version=2020-10-01-preview"
    );
    let start = (time::OffsetDateTime::now_utc() + time::Duration::days(30))
        .to_offset(time::UtcOffset::from_hms(-8, 0, 0).unwrap())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, made) = olivia
        .put(
            &url,
            json!({"properties": {
                "scheduleInfo": {"expiration": {"type": "AfterDuration", "duration": "PT1H"}, "startDateTime": start},
                "roleDefinitionId": format!("subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}", builtin::READER),
                "principalId": demo_id("user:lars.eriksson"),
                "requestType": "AdminAssign",
            }}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let p = &made["properties"];
    // A start a month ahead is Granted, not yet Provisioned, and comes back in UTC.
    assert_eq!(p["status"], "Granted");
    assert!(
        p["scheduleInfo"]["startDateTime"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(p["ticketInfo"], json!({}));
    assert_eq!(p["roleDefinitionId"], role(builtin::READER));
    // Cancelled while pending: 200 with no body; its schedule goes.
    let (status, body) = olivia
        .call(
            reqwest::Method::POST,
            &format!(
                "{}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{name}/cancel?api-version=2020-10-01-preview",
                voice()
            ),
            None,
        )
        .await;
    assert_eq!((status, body), (200, Value::Null));
    let (_, again) = olivia
        .get(&format!(
            "{}?{V}",
            eligibility_url(&name).split('?').next().unwrap()
        ))
        .await;
    assert_eq!(again["properties"]["status"], "Canceled");
}

#[tokio::test]
async fn a_tenant_without_entra_p2_has_no_pim_but_keeps_plain_role_assignments() {
    let emulator = start(Options {
        entra_p2: false,
        ..Options::default()
    })
    .await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let (status, refused) = olivia
        .put(
            &eligibility_url(&fresh()),
            request(
                &demo_id("user:tom.baker"),
                builtin::READER,
                "AdminAssign",
                days(30),
            ),
        )
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("AadPremiumLicenseRequired"))
    );
    let (status, _) = olivia
        .get(&format!(
            "{}/providers/Microsoft.Authorization/roleEligibilitySchedules?{V}",
            voice()
        ))
        .await;
    assert_eq!(status, 400);
    let (status, _) = olivia
        .get(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments",
            voice()
        ))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_demo_has_an_eligible_admin_who_can_activate() {
    let emulator = start(Options::default()).await;
    let carlos = Arm::new(&emulator, &upn("carlos.cloudapps")).await;
    let mine = carlos
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?$filter=asTarget()&{V}",
            voice()
        ))
        .await;
    // Contributor for a year, and Owner (permanent, activation approved by Olivia).
    assert_eq!(mine.len(), 2, "{mine:?}");
    let contributor: Vec<&Value> = mine
        .iter()
        .filter(|m| {
            m["properties"]["roleDefinitionId"]
                .as_str()
                .unwrap()
                .ends_with(builtin::CONTRIBUTOR)
        })
        .collect();
    let mine = contributor;
    let scope = mine[0]["properties"]["scope"].as_str().unwrap().to_owned();
    assert!(
        scope.ends_with("/resourceGroups/rg-voice-gateway"),
        "{scope}"
    );
    let mut activate = request(
        &demo_id("user:carlos.cloudapps"),
        builtin::CONTRIBUTOR,
        "SelfActivate",
        json!({"type": "AfterDuration", "duration": "PT2H"}),
    );
    activate["properties"]["justification"] = "Certificate rotation".into();
    let (status, active) = carlos
        .put(
            &format!(
                "{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{}?{V}",
                fresh()
            ),
            activate,
        )
        .await;
    assert_eq!(status, 201, "{active}");
    assert_eq!(
        active["properties"]["linkedRoleEligibilityScheduleId"],
        mine[0]["name"]
    );
    // His activation of Owner waits for Olivia, who finds it among hers.
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let waiting = olivia
        .get_all(&format!(
            "/providers/Microsoft.Authorization/roleAssignmentScheduleRequests?$filter=asApprover()&{V}"
        ))
        .await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0]["properties"]["status"], "PendingApproval");
    assert_eq!(
        waiting[0]["properties"]["expandedProperties"]["roleDefinition"]["displayName"],
        "Owner"
    );
}

#[tokio::test]
async fn what_ended_can_be_renewed_for_30_days_and_then_no_more() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let nadia_id = demo_id("user:nadia.novak");
    let active = |request_type: &str, n: u32| {
        let mut body = request(&nadia_id, builtin::READER, request_type, days(n));
        body["properties"]["justification"] = "Gateway rota".into();
        body
    };
    let (status, made) = olivia
        .put(&assignment_url(&fresh()), active("AdminAssign", 1))
        .await;
    assert_eq!(status, 201, "{made}");
    let held = || async {
        olivia
            .get_all(&format!(
                "{}/providers/Microsoft.Authorization/roleAssignmentSchedules?$filter=principalId eq '{nadia_id}'&{V}",
                voice()
            ))
            .await
            .len()
    };
    assert_eq!(held().await, 1);

    // Two days on it has ended: no longer listed, yet renewable.
    emulator.let_pim_time_pass(time::Duration::days(3));
    assert_eq!(held().await, 0);
    let (status, renewed) = olivia
        .put(&assignment_url(&fresh()), active("AdminRenew", 30))
        .await;
    assert_eq!(status, 201, "{renewed}");
    assert_eq!(renewed["properties"]["requestType"], "AdminRenew");
    assert_eq!(held().await, 1);

    // Ended 31 days ago: PIM has let it go.
    emulator.let_pim_time_pass(time::Duration::days(61));
    assert_eq!(held().await, 0);
    let (status, refused) = olivia
        .put(&assignment_url(&fresh()), active("AdminRenew", 30))
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("RoleAssignmentDoesNotExist")),
        "{refused}"
    );
    // Renewing what never was is refused alike.
    let (status, never) = olivia
        .put(
            &eligibility_url(&fresh()),
            request(&nadia_id, builtin::CONTRIBUTOR, "AdminRenew", days(30)),
        )
        .await;
    assert_eq!(
        (status, never["error"]["code"].as_str()),
        (400, Some("RoleAssignmentDoesNotExist")),
        "{never}"
    );
}

/// Changes one rule of Reader's policy at the voice subscription, as an
/// admin would (find the policy by role, PATCH only that rule).
async fn patch_reader_rule(olivia: &Arm, rule: Value) {
    let found = olivia
        .get_all(&format!(
            "{}/providers/Microsoft.Authorization/roleManagementPolicyAssignments?$filter=roleDefinitionId eq '{}'&{V}",
            voice(),
            role(builtin::READER)
        ))
        .await;
    let policy_id = found[0]["properties"]["policyId"].as_str().unwrap();
    let (status, changed) = olivia
        .call(
            reqwest::Method::PATCH,
            &format!("{policy_id}?{V}"),
            Some(json!({"properties": {"rules": [rule]}})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
}

/// `principal` made eligible for Reader on the voice subscription for 90
/// days, by Olivia.
async fn eligible_for_reader(olivia: &Arm, principal: &str) {
    let (status, made) = olivia
        .put(
            &eligibility_url(&fresh()),
            request(principal, builtin::READER, "AdminAssign", days(90)),
        )
        .await;
    assert_eq!(status, 201, "{made}");
}

/// Reader's activations at the voice subscription need `approver`'s approval.
async fn require_approval(olivia: &Arm, approver: &str) {
    patch_reader_rule(
        olivia,
        json!({
            "setting": {"isApprovalRequired": true, "isApprovalRequiredForExtension": false,
                "isRequestorJustificationRequired": true, "approvalMode": "SingleStage",
                "approvalStages": [{"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true,
                    "escalationTimeInMinutes": 0, "isEscalationEnabled": false, "escalationApprovers": [],
                    "primaryApprovers": [{"id": approver, "description": "Olivia", "isBackup": false, "userType": "User"}]}]},
            "id": "Approval_EndUser_Assignment", "ruleType": "RoleManagementPolicyApprovalRule",
            "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment"}
        }),
    )
    .await;
}

#[tokio::test]
async fn an_activation_that_needs_approval_waits_until_an_approver_decides() {
    const A: &str = "api-version=2021-01-01-preview";
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let (olivia_id, nadia_id) = (demo_id("user:olivia.owner"), demo_id("user:nadia.novak"));
    require_approval(&olivia, &olivia_id).await;
    eligible_for_reader(&olivia, &nadia_id).await;

    // Nadia activates: accepted, waiting for approval, no access yet.
    let nadia = Arm::new(&emulator, &upn("nadia.novak")).await;
    let activate = || {
        let mut body = request(
            &nadia_id,
            builtin::READER,
            "SelfActivate",
            json!({"type": "AfterDuration", "duration": "PT2H"}),
        );
        body["properties"]["justification"] = "Incident 4711".into();
        body
    };
    let name = fresh();
    let (status, asked) = nadia.put(&assignment_url(&name), activate()).await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(asked["properties"]["status"], "PendingApproval");
    let approval_id = asked["properties"]["approvalId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        approval_id.starts_with("/providers/Microsoft.Authorization/roleAssignmentApprovals/"),
        "{approval_id}"
    );
    let active = |who: &'static str| {
        let emulator = &emulator;
        async move {
            let me = Arm::new(emulator, &upn(who)).await;
            me.get_all(&format!(
                "{}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?$filter=asTarget()&{V}",
                voice()
            ))
            .await
            .len()
        }
    };
    let before = active("nadia.novak").await;
    assert!(
        !nadia
            .get_all(&format!(
                "{}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?$filter=asTarget()&{V}",
                voice()
            ))
            .await
            .iter()
            .any(|i| i["properties"]["assignmentType"] == "Activated"),
        "nothing activated while it waits"
    );
    // Asking again while it waits: the request exists.
    let (status, again) = nadia.put(&assignment_url(&fresh()), activate()).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (400, Some("RoleAssignmentRequestExists")),
        "{again}"
    );

    // Olivia finds it among the requests awaiting her, and its stage.
    let awaiting = olivia
        .get_all(&format!(
            "/providers/Microsoft.Authorization/roleAssignmentScheduleRequests?$filter=asApprover()&{V}"
        ))
        .await;
    // (Carlos's activation of Owner, from the demo, waits for her too.)
    let awaiting: Vec<&Value> = awaiting
        .iter()
        .filter(|r| r["properties"]["principalId"] == nadia_id.as_str())
        .collect();
    assert_eq!(awaiting.len(), 1, "{awaiting:?}");
    assert_eq!(
        awaiting[0]["properties"]["approvalId"],
        approval_id.as_str()
    );
    let mine = olivia
        .get_all(&format!(
            "/providers/Microsoft.Authorization/roleAssignmentApprovals?$filter=asApprover()&{A}"
        ))
        .await;
    assert_eq!(mine.len(), 2, "Nadia's and the demo's Carlos's");
    let (status, stages) = olivia.get(&format!("{approval_id}/stages?{A}")).await;
    assert_eq!(status, 200, "{stages}");
    let stage = &stages["value"][0];
    assert_eq!(stage["properties"]["status"], "InProgress");
    assert_eq!(stage["properties"]["assignedToMe"], true);
    let stage_id = stage["id"].as_str().unwrap().to_owned();

    // Nadia may not decide on her own request; nor may someone who is no approver.
    let (status, _) = nadia
        .call(
            reqwest::Method::PATCH,
            &format!("{stage_id}?{A}"),
            Some(json!({"properties": {"reviewResult": "Approve", "justification": "me"}})),
        )
        .await;
    assert_eq!(status, 403);
    assert!(
        nadia
            .get_all(&format!("/providers/Microsoft.Authorization/roleAssignmentApprovals?$filter=asApprover()&{A}"))
            .await
            .is_empty()
    );

    // Olivia approves: the activation runs from now, for what was asked.
    let (status, decided) = olivia
        .call(reqwest::Method::PATCH, &format!("{stage_id}?{A}"), Some(json!({"properties": {"reviewResult": "Approve", "justification": "Known incident"}})))
        .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["properties"]["status"], "Completed");
    assert_eq!(
        decided["properties"]["reviewedBy"]["userPrincipalName"],
        upn("olivia.owner")
    );
    let (_, provisioned) = nadia.get(&assignment_url(&name)).await;
    assert_eq!(provisioned["properties"]["status"], "Provisioned");
    assert_eq!(active("nadia.novak").await, before + 1);
    // Decided once: no second decision.
    let (status, twice) = olivia
        .call(
            reqwest::Method::PATCH,
            &format!("{stage_id}?{A}"),
            Some(json!({"properties": {"reviewResult": "Deny"}})),
        )
        .await;
    assert_eq!(status, 400, "{twice}");
    assert!(
        !olivia
            .get_all(&format!("/providers/Microsoft.Authorization/roleAssignmentScheduleRequests?$filter=asApprover()&{V}"))
            .await
            .iter()
            .any(|r| r["properties"]["principalId"] == nadia_id.as_str())
    );
    // An approver who asks for herself cannot decide: not listed, refused.
    eligible_for_reader(&olivia, &olivia_id).await;
    let mut mine = request(
        &olivia_id,
        builtin::READER,
        "SelfActivate",
        json!({"type": "AfterDuration", "duration": "PT1H"}),
    );
    mine["properties"]["justification"] = "Audit".into();
    let (status, asked) = olivia.put(&assignment_url(&fresh()), mine).await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(asked["properties"]["status"], "PendingApproval");
    let own_approval = asked["properties"]["approvalId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !olivia
            .get_all(&format!("/providers/Microsoft.Authorization/roleAssignmentScheduleRequests?$filter=asApprover()&{V}"))
            .await
            .iter()
            .any(|r| r["properties"]["principalId"] == olivia_id.as_str())
    );
    let (_, stages) = olivia.get(&format!("{own_approval}/stages?{A}")).await;
    assert_eq!(stages["value"][0]["properties"]["assignedToMe"], false);
    let own_stage = stages["value"][0]["id"].as_str().unwrap().to_owned();
    let (status, refused) = olivia
        .call(
            reqwest::Method::PATCH,
            &format!("{own_stage}?{A}"),
            Some(json!({"properties": {"reviewResult": "Approve", "justification": "me"}})),
        )
        .await;
    assert_eq!(status, 403, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("your own request")
    );
}

#[tokio::test]
async fn a_denied_or_cancelled_activation_gives_nothing_and_an_undecided_one_times_out() {
    const A: &str = "api-version=2021-01-01-preview";
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let (olivia_id, nadia_id) = (demo_id("user:olivia.owner"), demo_id("user:nadia.novak"));
    require_approval(&olivia, &olivia_id).await;
    eligible_for_reader(&olivia, &nadia_id).await;
    let nadia = Arm::new(&emulator, &upn("nadia.novak")).await;
    let ask = || async {
        let name = fresh();
        let mut body = request(
            &nadia_id,
            builtin::READER,
            "SelfActivate",
            json!({"type": "AfterDuration", "duration": "PT1H"}),
        );
        body["properties"]["justification"] = "Incident".into();
        let (status, asked) = nadia.put(&assignment_url(&name), body).await;
        assert_eq!(status, 201, "{asked}");
        (
            name,
            asked["properties"]["approvalId"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let status_of = |name: String| {
        let nadia = &nadia;
        async move { nadia.get(&assignment_url(&name)).await.1["properties"]["status"].clone() }
    };

    // Denied (the body bare, as Microsoft's how-to page shows it).
    let (name, approval) = ask().await;
    let (_, stages) = olivia.get(&format!("{approval}/steps?{A}")).await;
    let step = stages["value"][0]["name"].as_str().unwrap().to_owned();
    let (status, _) = olivia
        .call(
            reqwest::Method::PATCH,
            &format!("{approval}/steps/{step}?{A}"),
            Some(json!({"reviewResult": "Deny", "justification": "No incident"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(status_of(name).await, "Denied");

    // Cancelled by Nadia before anyone decides.
    let (name, _) = ask().await;
    let (status, _) = nadia
        .call(reqwest::Method::POST, &format!("{}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{name}/cancel?{V}", voice()), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(status_of(name).await, "Canceled");

    // Nobody decides for a day: it times out, to be asked again.
    let (name, _) = ask().await;
    emulator.with_state(|s| {
        for a in &mut s.arm.pim.approvals {
            a.created_on = "2020-01-01T00:00:00Z".into();
        }
    });
    assert_eq!(status_of(name).await, "TimedOut");
    let (name, _) = ask().await;
    assert_eq!(status_of(name).await, "PendingApproval");
}

#[tokio::test]
async fn a_role_that_asks_for_mfa_refuses_an_activation_from_a_session_without_it() {
    let emulator = start(Options::default()).await;
    let olivia = Arm::new(&emulator, &upn("olivia.owner")).await;
    let nadia_id = demo_id("user:nadia.novak");
    // Reader at the subscription: activation asks for MFA and a justification.
    patch_reader_rule(
        &olivia,
        json!({
            "enabledRules": ["Justification", "MultiFactorAuthentication"],
            "id": "Enablement_EndUser_Assignment", "ruleType": "RoleManagementPolicyEnablementRule",
            "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment"}
        }),
    )
    .await;
    eligible_for_reader(&olivia, &nadia_id).await;
    let activate = || {
        let mut body = request(
            &nadia_id,
            builtin::READER,
            "SelfActivate",
            json!({"type": "AfterDuration", "duration": "PT1H"}),
        );
        body["properties"]["justification"] = "Incident".into();
        body
    };

    // Nadia signed in without MFA: her token says so, and PIM refuses.
    emulator.with_state(|s| s.settings.mfa_at_sign_in = false);
    let without = Arm::new(&emulator, &upn("nadia.novak")).await;
    let (status, refused) = without.put(&assignment_url(&fresh()), activate()).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(
        refused["error"]["code"],
        "RoleAssignmentRequestPolicyValidationFailed"
    );
    assert_eq!(
        refused["error"]["message"],
        "The following policy rules failed: [\"MfaRule\"]"
    );
    // Signed in again, completing MFA: it runs.
    emulator.with_state(|s| s.settings.mfa_at_sign_in = true);
    let with = Arm::new(&emulator, &upn("nadia.novak")).await;
    let (status, made) = with.put(&assignment_url(&fresh()), activate()).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["properties"]["status"], "Provisioned");
}
