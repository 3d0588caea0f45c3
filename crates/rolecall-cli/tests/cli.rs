//! The real `rolecall-cli` binary against the emulator.

use std::process::Command;

use rolecall_emulator::{DEMO_TENANT_ID, Emulator, Options, demo_id};

/// rolecall-cli with nothing of the person running the tests: their data
/// and cache folders (the default journal, the catalogue) are a scratch
/// folder of this test process.
fn cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rolecall-cli"));
    let scratch = std::env::temp_dir().join(format!("rolecall-cli-home-{}", std::process::id()));
    command
        .env_remove("ROLECALL_CLOUD_PROFILE")
        .env_remove("ROLECALL_TENANT")
        .env("XDG_DATA_HOME", scratch.join("data"))
        .env("XDG_CACHE_HOME", scratch.join("cache"));
    command
}

#[tokio::test]
async fn doctor_reaches_the_emulator_through_a_profile_file() {
    let emulator = Emulator::start(Options::default()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("rolecall-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("cloud.json");
    std::fs::write(&profile, emulator.profile_json()).unwrap();

    let output = tokio::task::spawn_blocking(move || {
        cli()
            .args(["doctor", "--json", "--cloud-profile"])
            .arg(&profile)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["tenant"], DEMO_TENANT_ID);
    assert!(
        answer["issuer"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{DEMO_TENANT_ID}/v2.0"))
    );
}

#[test]
fn a_missing_profile_file_says_which_file() {
    let output = cli()
        .args(["doctor", "--cloud-profile", "/nonexistent/cloud.json"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/cloud.json"), "{stderr}");
}

#[test]
fn json_errors_keep_the_domain_code() {
    let dir = std::env::temp_dir().join(format!("rolecall-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("bad.json");
    std::fs::write(&profile, r#"{"name":"x","authorityHost":"http://127.0.0.1:1/","resourceManagerEndpoint":"https://a/","resourceManagerAudience":"a","graphEndpoint":"https://b/","graphAudience":"b"}"#).unwrap();
    let output = cli()
        .args(["cloud", "--json", "--cloud-profile"])
        .arg(&profile)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["error"]["code"], "InvalidCloudProfile");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("HTTPS")
    );
}

#[tokio::test]
async fn login_accounts_whoami_logout_against_the_emulator() {
    let emulator = Emulator::start(Options {
        auto_sign_in: Some("olivia.owner@contosodemo.onmicrosoft.com".into()),
        ..Options::default()
    })
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("rolecall-cli-login-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("cloud.json");
    std::fs::write(&profile, emulator.profile_json()).unwrap();
    let keychain = format!("rolecall-cli-test-{}", uuid::Uuid::new_v4());
    let exe = env!("CARGO_BIN_EXE_rolecall-cli");
    let browser = format!(
        "{exe} --cloud-profile {} complete-sign-in",
        profile.display()
    );
    let carlos_browser = format!("{browser} --as carlos.cloudapps@contosodemo.onmicrosoft.com");
    let run = move |args: Vec<String>| {
        let profile = profile.clone();
        let keychain = keychain.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                cli()
                    .args(&args)
                    .arg("--cloud-profile")
                    .arg(&profile)
                    .env("ROLECALL_KEYCHAIN_SERVICE", &keychain)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let ok = |output: &std::process::Output| {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout.clone()).unwrap()
    };

    let login = run(vec![
        "login".into(),
        "--json".into(),
        "--timeout".into(),
        "30".into(),
        "--browser-command".into(),
        browser,
    ])
    .await;
    let account: serde_json::Value = serde_json::from_str(&ok(&login)).unwrap();
    assert_eq!(
        account["username"],
        "olivia.owner@contosodemo.onmicrosoft.com"
    );
    assert_eq!(account["tenantId"], DEMO_TENANT_ID);

    let listed: serde_json::Value =
        serde_json::from_str(&ok(&run(vec!["accounts".into(), "--json".into()]).await)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // A new process: the session comes from the keychain, the token goes to Graph.
    let me: serde_json::Value =
        serde_json::from_str(&ok(&run(vec!["whoami".into(), "--json".into()]).await)).unwrap();
    assert_eq!(
        me["graph"]["userPrincipalName"],
        "olivia.owner@contosodemo.onmicrosoft.com"
    );
    let printed =
        String::from_utf8_lossy(&run(vec!["whoami".into(), "--json".into()]).await.stdout)
            .into_owned();
    assert!(!printed.contains("eyJ"), "no token is printed: {printed}");

    // ARM through the same session: subscriptions, assignments, rights.
    let subscriptions: serde_json::Value =
        serde_json::from_str(&ok(
            &run(vec!["subscriptions".into(), "--json".into()]).await
        ))
        .unwrap();
    assert_eq!(subscriptions.as_array().unwrap().len(), 3);
    let voice = format!("/subscriptions/{}", demo_id("sub:voice-prod"));
    let gateway = format!(
        "{voice}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod"
    );
    let applying: serde_json::Value = serde_json::from_str(&ok(&run(vec![
        "assignments".into(),
        "--json".into(),
        "--scope".into(),
        gateway.clone(),
    ])
    .await))
    .unwrap();
    let owner = applying
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["principalId"] == demo_id("user:olivia.owner"))
        .expect("Olivia's Owner reaches the gateway");
    assert_eq!(owner["role"], "Owner");
    assert_eq!(owner["inherited"], true);
    let can: serde_json::Value = serde_json::from_str(&ok(&run(vec![
        "can".into(),
        "Microsoft.Authorization/roleAssignments/write".into(),
        "--json".into(),
        "--scope".into(),
        voice.clone(),
    ])
    .await))
    .unwrap();
    assert_eq!(can["allowed"], true);
    let roles = ok(&run(vec![
        "roles".into(),
        "--scope".into(),
        voice.clone(),
        "--name".into(),
        "support request".into(),
    ])
    .await);
    assert!(roles.contains("Support Request Contributor"), "{roles}");
    // Least privilege: the roles that allow what the person must do, smallest first.
    let ranked: serde_json::Value = serde_json::from_str(&ok(&run(vec![
        "roles".into(),
        "--json".into(),
        "--scope".into(),
        voice.clone(),
        "--need".into(),
        "Microsoft.Support/supportTickets/write".into(),
    ])
    .await))
    .unwrap();
    let ranked = ranked.as_array().unwrap();
    assert_eq!(
        ranked[0]["role"]["name"], "Support Request Contributor",
        "{ranked:?}"
    );
    let sizes: Vec<u64> = ranked
        .iter()
        .map(|r| r["granted"].as_u64().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
    let unknown = run(vec![
        "roles".into(),
        "--scope".into(),
        voice.clone(),
        "--need".into(),
        "Microsoft.Nothing/here/read".into(),
    ])
    .await;
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("not an operation"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
    let bad = run(vec![
        "roles".into(),
        "--json".into(),
        "--scope".into(),
        "/subscriptionz/x".into(),
    ])
    .await;
    assert!(!bad.status.success());

    // Grants: several members at once, re-runs change nothing, undo.
    let journal = std::env::temp_dir()
        .join(format!("rolecall-cli-journal-{}", uuid::Uuid::new_v4()))
        .join("journal.jsonl");
    let rg = format!("{voice}/resourceGroups/rg-voice-gateway");
    let assign = |verb: &str| {
        vec![
            verb.to_owned(),
            "--scope".into(),
            rg.clone(),
            "--role".into(),
            "Contributor".into(),
            "--member".into(),
            "nadia.novak@contosodemo.onmicrosoft.com".into(),
            "--member".into(),
            demo_id("group:acg-operators"),
            "--journal".into(),
            journal.display().to_string(),
        ]
    };
    let first = ok(&run(assign("assign")).await);
    assert_eq!(first.matches("[created, request id ").count(), 2, "{first}");
    let again = ok(&run(assign("assign")).await);
    assert_eq!(again.matches("[already in place]").count(), 2, "{again}");
    let app = |verb: &str| {
        vec![
            "approle".to_owned(),
            verb.to_owned(),
            "--app".into(),
            rolecall_emulator::ACG_APP_ID.into(),
            "--role".into(),
            "ProvisioningAPI.ReadUser".into(),
            "--member".into(),
            "nadia.novak@contosodemo.onmicrosoft.com".into(),
            "--journal".into(),
            journal.display().to_string(),
        ]
    };
    assert!(ok(&run(app("assign")).await).contains("[created, request id "));
    assert!(ok(&run(app("assign")).await).contains("[already in place]"));
    let listed = ok(&run(vec![
        "approle".into(),
        "list".into(),
        "--app".into(),
        rolecall_emulator::ACG_APP_ID.into(),
    ])
    .await);
    assert!(listed.contains("ProvisioningAPI.ReadUser"), "{listed}");
    assert!(ok(&run(app("unassign")).await).contains("[removed]"));
    let removed = ok(&run(assign("unassign")).await);
    assert_eq!(removed.matches("[removed]").count(), 2, "{removed}");
    let written = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        written.lines().count(),
        6,
        "every write journaled: {written}"
    );
    // Custom roles: check, create, refuse the same name, delete.
    let email_rg = format!(
        "/subscriptions/{}/resourceGroups/rg-email",
        demo_id("sub:messaging")
    );
    let draft = journal.with_file_name("smtp-role.json");
    std::fs::write(
        &draft,
        serde_json::json!({"properties": {
            "roleName": "CLI SMTP Sender",
            "description": "Send mail through Communication Services",
            "assignableScopes": [email_rg],
            "permissions": [{"actions": [
                "Microsoft.Communication/CommunicationServices/Read",
                "Microsoft.Communication/CommunicationServices/Write",
                "Microsoft.Communication/EmailServices/write"
            ], "notActions": [], "dataActions": [], "notDataActions": []}]
        }})
        .to_string(),
    )
    .unwrap();
    let file = || {
        vec![
            "--file".to_owned(),
            draft.display().to_string(),
            "--journal".into(),
            journal.display().to_string(),
        ]
    };
    let checked = ok(&run(vec![
        "role".into(),
        "check".into(),
        "--file".into(),
        draft.display().to_string(),
    ])
    .await);
    assert!(checked.contains("no issue"), "{checked}");
    let created = ok(&run([vec!["role".into(), "create".into()], file()].concat()).await);
    assert!(created.contains("created CLI SMTP Sender"), "{created}");
    let again = run([vec!["role".into(), "create".into()], file()].concat()).await;
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .to_lowercase()
            .contains("name")
    );
    // Update it in place: one more action, same role.
    let widened = std::fs::read_to_string(&draft)
        .unwrap()
        .replace("\"Microsoft.Communication/EmailServices/write\"", "\"Microsoft.Communication/EmailServices/write\", \"Microsoft.Communication/EmailServices/read\"");
    std::fs::write(&draft, widened).unwrap();
    let updated = ok(&run([
        vec![
            "role".into(),
            "update".into(),
            "--role".into(),
            "CLI SMTP Sender".into(),
        ],
        file(),
    ]
    .concat())
    .await);
    assert!(updated.contains("updated CLI SMTP Sender"), "{updated}");
    let deleted = ok(&run(vec![
        "role".into(),
        "delete".into(),
        "--scope".into(),
        email_rg.clone(),
        "--role".into(),
        "CLI SMTP Sender".into(),
        "--journal".into(),
        journal.display().to_string(),
    ])
    .await);
    assert!(deleted.contains("deleted"), "{deleted}");
    // Each custom role write is in the journal, in a batch of its own.
    let written: Vec<serde_json::Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|e: &serde_json::Value| e["role"]["roleName"] == "CLI SMTP Sender")
        .collect();
    let actions: Vec<&str> = written
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["createRole", "updateRole", "deleteRole"]);
    assert!(written.iter().all(|e| e["run"].is_string()), "{written:?}");

    // Onboarding with a template: every gateway task for Nadia, then offboarding.
    let listed = ok(&run(vec!["template".into(), "list".into()]).await);
    assert!(
        listed.contains("acg-staff") && listed.contains("acs-smtp-sender"),
        "{listed}"
    );
    let onboard = |verb: &str| {
        vec![
            verb.to_owned(),
            "--template".into(),
            "acg-staff".into(),
            "--input".into(),
            format!("gateway={gateway}"),
            "--member".into(),
            "nadia.novak@contosodemo.onmicrosoft.com".into(),
            "--journal".into(),
            journal.display().to_string(),
        ]
    };
    let planned = ok(&run([onboard("onboard"), vec!["--dry-run".into()]].concat()).await);
    assert_eq!(planned.matches("[to create]").count(), 3, "{planned}");
    // People from a CSV: a row with nobody and a repeat are named by their
    // line in the file, on stderr; the others are planned.
    let people = dir.join("people.csv");
    std::fs::write(
        &people,
        "userPrincipalName\nnadia.novak@contosodemo.onmicrosoft.com\n\n,\nNADIA.NOVAK@contosodemo.onmicrosoft.com\n",
    )
    .unwrap();
    let from_csv = run([
        onboard("onboard"),
        vec![
            "--dry-run".into(),
            "--people-csv".into(),
            people.display().to_string(),
        ],
    ]
    .concat())
    .await;
    let planned = ok(&from_csv);
    assert_eq!(planned.matches("[to create]").count(), 3, "{planned}");
    let said = String::from_utf8_lossy(&from_csv.stderr);
    assert!(
        said.contains("people.csv, line 4: left out, nothing in the userPrincipalName column"),
        "{said}"
    );
    assert!(
        said.contains("people.csv, line 5: left out, NADIA.NOVAK@contosodemo.onmicrosoft.com is on line 2 already"),
        "{said}"
    );
    // Eligible for 90 days, with a last day: the plan says how each grant is
    // held, the role's PIM settings, and what ends before the last day.
    let eligible = run([
        onboard("plan"),
        vec![
            "--task".into(),
            "deploy".into(),
            "--eligible".into(),
            "--duration".into(),
            "P90D".into(),
            "--last-day".into(),
            "2099-12-31".into(),
        ],
    ]
    .concat())
    .await;
    let planned = ok(&eligible);
    assert!(
        planned.contains("(eligible for 90 days)  [to create]"),
        "{planned}"
    );
    assert!(
        planned.contains("PIM settings of Contributor at ")
            && planned.contains("Eligible: at most 365 days. Activating: at most 8 hours"),
        "{planned}"
    );
    let said = String::from_utf8_lossy(&eligible.stderr);
    assert!(
        said.contains("warning: Nadia Novak's last day is 2099-12-31: Before it: Contributor at rg-voice-gateway ends "),
        "{said}"
    );
    let wrong = run([
        onboard("plan"),
        vec!["--last-day".into(), "31/12/2099".into()],
    ]
    .concat())
    .await;
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr)
            .contains("--last-day: '31/12/2099' is not a date: give one such as 2027-06-30"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    // `plan --json`: the proposal for automation, checks included.
    let proposal: serde_json::Value =
        serde_json::from_str(&ok(
            &run([vec!["--json".into()], onboard("plan")].concat()).await
        ))
        .unwrap();
    assert_eq!(proposal["plan"]["items"].as_array().unwrap().len(), 3);
    assert!(
        proposal["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["level"] == "warning"),
        "{proposal}"
    );
    // Someone not in the directory: a blocker, exit status 2, one JSON document.
    let blocked = run([
        vec!["--json".into()],
        onboard("plan"),
        vec![
            "--member".into(),
            "nobody@contosodemo.onmicrosoft.com".into(),
        ],
    ]
    .concat())
    .await;
    assert_eq!(blocked.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&blocked.stdout).unwrap();
    assert!(
        doc["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["level"] == "blocker"
                && c["detail"]
                    .as_str()
                    .unwrap()
                    .contains("nobody@contosodemo.onmicrosoft.com")),
        "{doc}"
    );
    let report = journal.with_file_name("onboarding.md");
    let applied = ok(&run([
        onboard("onboard"),
        vec!["--report".into(), report.display().to_string()],
    ]
    .concat())
    .await);
    assert_eq!(
        applied.matches("[created, request id ").count(),
        3,
        "{applied}"
    );
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(written.matches("| created |").count(), 3, "{written}");
    assert_eq!(written.matches("az role assignment create").count(), 2);
    assert!(written.contains("appRoleAssignedTo"));
    let again = ok(&run(onboard("onboard")).await);
    assert_eq!(again.matches("[already in place]").count(), 3, "{again}");
    assert!(again.contains("nothing to do"), "{again}");
    let gone = ok(&run(onboard("offboard")).await);
    assert_eq!(gone.matches("[removed]").count(), 3, "{gone}");

    // Undo a past run from its JSON report: only what it created goes.
    let json_report = journal.with_file_name("monitor.json");
    ok(&run([
        onboard("apply"),
        vec![
            "--task".into(),
            "monitor".into(),
            "--report".into(),
            json_report.display().to_string(),
        ],
    ]
    .concat())
    .await);
    let undone = ok(&run(vec![
        "offboard".into(),
        "--from-report".into(),
        json_report.display().to_string(),
        "--journal".into(),
        journal.display().to_string(),
    ])
    .await);
    assert_eq!(undone.matches("[removed]").count(), 1, "{undone}");
    let pending = ok(&run(vec![
        "resume".into(),
        "--journal".into(),
        journal.display().to_string(),
    ])
    .await);
    assert!(pending.contains("no interrupted runs"), "{pending}");

    // A name that is not a member says what to give instead.
    let unknown = run(vec![
        "assign".into(),
        "--scope".into(),
        rg.clone(),
        "--role".into(),
        "Reader".into(),
        "--member".into(),
        "Nobody Here".into(),
    ])
    .await;
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("user principal name"));

    // Eligible access through PIM: the flags are checked first, the role's
    // PIM settings before any write, and a re-run finds it in place.
    let pim = |extra: &[&str]| {
        let mut args: Vec<String> = [
            "assign",
            "--scope",
            voice.as_str(),
            "--role",
            "Reader",
            "--member",
            "tom.baker@contosodemo.onmicrosoft.com",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        run(args)
    };
    let no_end = pim(&["--active"]).await;
    assert!(!no_end.status.success());
    assert!(String::from_utf8_lossy(&no_end.stderr).contains("needs --duration"));
    let too_long = pim(&[
        "--eligible",
        "--duration",
        "P400D",
        "--justification",
        "On call",
    ])
    .await;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&too_long.stdout),
        String::from_utf8_lossy(&too_long.stderr)
    );
    assert!(said.contains("at most 365 days"), "{said}");
    let made = ok(&pim(&[
        "--eligible",
        "--duration",
        "P90D",
        "--justification",
        "On call",
    ])
    .await);
    assert!(made.contains("eligible for 90 days"), "{made}");
    let again = ok(&pim(&[
        "--eligible",
        "--duration",
        "P90D",
        "--justification",
        "On call",
    ])
    .await);
    assert!(!again.contains("[created]"), "{again}");
    // It ends within 100 days: listed, with how to extend it; extended past
    // that, it is not.
    let soon = ok(&run(vec!["expiring".into(), "--within".into(), "100d".into()]).await);
    assert!(
        soon.contains("Reader for Tom Baker") && soon.contains("rolecall-cli extend --scope"),
        "{soon}"
    );
    let bad = run(vec!["expiring".into(), "--within".into(), "soon".into()]).await;
    assert!(String::from_utf8_lossy(&bad.stderr).contains("give a number of days (30d)"));
    // `renew` is the same command as `extend`.
    let extend_as = |command: &str, duration: &str| {
        run([
            command,
            "--scope",
            voice.as_str(),
            "--role",
            "Reader",
            "--member",
            "tom.baker@contosodemo.onmicrosoft.com",
            "--eligible",
            "--duration",
            duration,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect())
    };
    let refused = extend_as("extend", "P400D").await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stdout).contains("at most 365 days"),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    let extended = ok(&extend_as("extend", "P200D").await);
    assert!(extended.contains("[extended]"), "{extended}");
    let later = ok(&run(vec!["expiring".into(), "--within".into(), "100d".into()]).await);
    assert!(!later.contains("Reader for Tom Baker"), "{later}");
    // 201 days on, it has ended: `renew` (the same command) gives it back.
    emulator.let_pim_time_pass(time::Duration::days(201));
    let renewed = ok(&extend_as("renew", "P30D").await);
    assert!(renewed.contains("[renewed]"), "{renewed}");
    let back = ok(&run(vec!["expiring".into(), "--within".into(), "31d".into()]).await);
    assert!(back.contains("Reader for Tom Baker"), "{back}");

    // A Global Administrator elevates, sees the management groups, and
    // removes the elevation as the command says.
    let groups = "/providers/Microsoft.Management/managementGroups/mg-workloads";
    let before = run(vec!["assignments".into(), "--scope".into(), groups.into()]).await;
    assert!(!before.status.success(), "no group is hers to read yet");
    let elevated = ok(&run(vec!["elevate-access".into()]).await);
    assert!(elevated.contains("unassign --scope /"), "{elevated}");
    let at_group: serde_json::Value = serde_json::from_str(&ok(&run(vec![
        "assignments".into(),
        "--json".into(),
        "--scope".into(),
        groups.into(),
    ])
    .await))
    .unwrap();
    assert!(
        at_group
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["role"] == "User Access Administrator"
                && a["scope"] == "/"
                && a["inherited"] == true),
        "{at_group}"
    );
    ok(&run(vec![
        "unassign".into(),
        "--scope".into(),
        "/".into(),
        "--role".into(),
        "User Access Administrator".into(),
        "--member".into(),
        "olivia.owner@contosodemo.onmicrosoft.com".into(),
    ])
    .await);
    let after = run(vec!["assignments".into(), "--scope".into(), groups.into()]).await;
    assert!(!after.status.success(), "the elevation is gone");

    // Carlos is eligible for Contributor on the gateway's resource group (the
    // demo's PIM): he activates it for an hour, the listing shows the
    // activation and when it ends, and he ends it early.
    emulator.with_state(|s| {
        s.settings.auto_sign_in = Some("carlos.cloudapps@contosodemo.onmicrosoft.com".into())
    });
    ok(&run(vec![
        "login".into(),
        "--timeout".into(),
        "30".into(),
        "--browser-command".into(),
        carlos_browser,
    ])
    .await);
    let carlos = "carlos.cloudapps@contosodemo.onmicrosoft.com";
    let rg = format!(
        "/subscriptions/{}/resourceGroups/rg-voice-gateway",
        rolecall_emulator::demo_id("sub:voice-prod")
    );
    let as_carlos = |args: &[&str]| {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.extend(["--account".into(), carlos.into()]);
        all
    };
    // Carlos's rows in the resource group's listing, as he reads it.
    let carlos_holds = async || -> Vec<serde_json::Value> {
        let listed: serde_json::Value = serde_json::from_str(&ok(&run(as_carlos(&[
            "assignments",
            "--json",
            "--scope",
            &rg,
        ]))
        .await))
        .unwrap();
        listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["member"].as_str().is_some_and(|m| m.contains("Carlos")))
            .cloned()
            .collect()
    };
    let without_why = run(as_carlos(&[
        "activate",
        "--scope",
        &rg,
        "--role",
        "Contributor",
        "--duration",
        "PT1H",
    ]))
    .await;
    assert!(!without_why.status.success());
    assert!(
        String::from_utf8_lossy(&without_why.stderr).contains("Justification"),
        "the role's settings ask a justification: {}",
        String::from_utf8_lossy(&without_why.stderr)
    );
    let activated = ok(&run(as_carlos(&[
        "activate",
        "--scope",
        &rg,
        "--role",
        "Contributor",
        "--duration",
        "PT1H",
        "--justification",
        "Gateway incident 4711",
    ]))
    .await);
    assert!(
        activated.contains("activated Contributor at") && activated.contains("for 1 hour"),
        "{activated}"
    );
    let his = carlos_holds().await;
    assert!(
        his.iter().any(|a| a["holding"] == "eligible"),
        "the eligibility stays: {his:?}"
    );
    assert!(
        his.iter()
            .any(|a| a["holding"] == "activated" && a["ends"].is_string()),
        "the activation, with its end: {his:?}"
    );
    // PIM ends nothing within five minutes of making it, and says when to try.
    let early = run(as_carlos(&[
        "deactivate",
        "--scope",
        &rg,
        "--role",
        "Contributor",
    ]))
    .await;
    assert!(!early.status.success());
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("(ActiveDurationTooShort)"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );

    // His Owner there needs Olivia's approval (the demo's settings): he
    // withdraws the request the demo holds, asks again, and Olivia approves.
    let withdrawn = ok(&run(as_carlos(&[
        "deactivate",
        "--waiting",
        "--scope",
        &rg,
        "--role",
        "Owner",
    ]))
    .await);
    assert!(
        withdrawn.contains("no longer waits for approval"),
        "{withdrawn}"
    );
    let asked = ok(&run(as_carlos(&[
        "activate",
        "--scope",
        &rg,
        "--role",
        "Owner",
        "--duration",
        "PT2H",
        "--justification",
        "CHG-2291",
    ]))
    .await);
    assert!(asked.contains("waits for an approver"), "{asked}");
    let olivia = "olivia.owner@contosodemo.onmicrosoft.com";
    let waiting: serde_json::Value = serde_json::from_str(&ok(&run(vec![
        "approvals".into(),
        "--json".into(),
        "--account".into(),
        olivia.into(),
    ])
    .await))
    .unwrap();
    let waiting = waiting.as_array().unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0]["roleName"], "Owner");
    assert_eq!(waiting[0]["justification"], "CHG-2291");
    let approval = waiting[0]["approvalId"].as_str().unwrap().to_owned();
    let no_reason = run(vec![
        "approve".into(),
        approval.clone(),
        "--justification".into(),
        " ".into(),
        "--account".into(),
        olivia.into(),
    ])
    .await;
    assert!(!no_reason.status.success());
    let approved = ok(&run(vec![
        "approve".into(),
        approval,
        "--justification".into(),
        "CAB approved".into(),
        "--account".into(),
        olivia.into(),
    ])
    .await);
    assert!(approved.contains("approved"), "{approved}");
    let his = carlos_holds().await;
    assert!(
        his.iter()
            .any(|a| a["role"] == "Owner" && a["holding"] == "activated"),
        "{his:?}"
    );

    ok(&run(vec!["logout".into(), "--all".into()]).await);
    let listed: serde_json::Value =
        serde_json::from_str(&ok(&run(vec!["accounts".into(), "--json".into()]).await)).unwrap();
    assert_eq!(listed, serde_json::json!([]));
    let whoami = run(vec!["whoami".into()]).await;
    assert!(!whoami.status.success());
    assert!(String::from_utf8_lossy(&whoami.stderr).contains("rolecall-cli login"));
}

/// `login --device-code` prints Entra's sentence with the code, and finishes
/// once someone enters the code (and picks the account) on the page.
#[tokio::test]
async fn login_with_a_device_code() {
    use std::io::{BufRead, BufReader};
    let emulator = Emulator::start(Options::default()).await.unwrap();
    emulator.with_state(|s| s.settings.device_code_interval = 1);
    let dir = std::env::temp_dir().join(format!("rolecall-cli-device-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("cloud.json");
    std::fs::write(&profile, emulator.profile_json()).unwrap();
    let keychain = format!("rolecall-cli-test-{}", uuid::Uuid::new_v4());
    let mut child = cli()
        .args([
            "login",
            "--device-code",
            "--json",
            "--timeout",
            "30",
            "--cloud-profile",
        ])
        .arg(&profile)
        .env("ROLECALL_KEYCHAIN_SERVICE", &keychain)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr).lines().next().unwrap().unwrap()
    })
    .await
    .unwrap();
    // "To sign in, use a web browser to open the page URL and enter the code CODE to authenticate."
    let words: Vec<&str> = line.split_whitespace().collect();
    let page = words[words.iter().position(|w| *w == "page").unwrap() + 1];
    let code = words[words.iter().position(|w| *w == "code").unwrap() + 1];
    reqwest::Client::new()
        .post(page)
        .form(&[
            ("otc", code),
            ("rolecall_user", "uma.access@contosodemo.onmicrosoft.com"),
        ])
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success());
    let account: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        account["username"],
        "uma.access@contosodemo.onmicrosoft.com"
    );
    let logout = cli()
        .args(["logout", "--all", "--cloud-profile"])
        .arg(&profile)
        .env("ROLECALL_KEYCHAIN_SERVICE", &keychain)
        .output()
        .unwrap();
    assert!(logout.status.success());
}

/// A real `kill -9` of `rolecall-cli onboard` in the middle of its writes,
/// then `rolecall-cli resume`: every grant ends up present exactly once.
/// (Multi-threaded: the test waits on the processes while the emulator,
/// in this runtime, serves them.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_onboarding_killed_mid_apply_resumes_from_the_journal() {
    let emulator = Emulator::start(Options {
        auto_sign_in: Some("olivia.owner@contosodemo.onmicrosoft.com".into()),
        ..Options::default()
    })
    .await
    .unwrap();
    let people: Vec<String> = (1..=10)
        .map(|n| {
            emulator.create_user(&format!("killed{n}"), &format!("Killed {n}"));
            format!("killed{n}@contosodemo.onmicrosoft.com")
        })
        .collect();
    emulator.with_state(|s| s.directory.users.iter_mut().for_each(|u| u.created = None));
    let dir = std::env::temp_dir().join(format!("rolecall-cli-kill-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("cloud.json");
    std::fs::write(&profile, emulator.profile_json()).unwrap();
    let csv = dir.join("people.csv");
    std::fs::write(&csv, format!("userPrincipalName\n{}\n", people.join("\n"))).unwrap();
    let journal = dir.join("journal.jsonl");
    let keychain = format!("rolecall-cli-test-{}", uuid::Uuid::new_v4());
    let exe = env!("CARGO_BIN_EXE_rolecall-cli");
    let command = |args: &[&str]| {
        let mut c = cli();
        c.args(args)
            .arg("--cloud-profile")
            .arg(&profile)
            .env("ROLECALL_KEYCHAIN_SERVICE", &keychain);
        c
    };
    let browser = format!(
        "{exe} --cloud-profile {} complete-sign-in",
        profile.display()
    );
    let login = command(&["login", "--timeout", "30", "--browser-command", &browser])
        .output()
        .unwrap();
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );

    let voice = format!("/subscriptions/{}", demo_id("sub:voice-prod"));
    let gateway = format!(
        "{voice}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod"
    );
    let input = format!("gateway={gateway}");
    let spec = [
        "--template",
        "acg-staff",
        "--input",
        &input,
        "--task",
        "monitor",
        "--task",
        "support",
        "--people-csv",
        csv.to_str().unwrap(),
        "--journal",
        journal.to_str().unwrap(),
    ];
    // Slow enough to be caught in the middle.
    emulator.set_faults(rolecall_emulator::Faults {
        latency: std::time::Duration::from_millis(250),
        ..Default::default()
    });
    let mut child = command(&[&["onboard"][..], &spec].concat())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let written = |journal: &std::path::Path| {
        std::fs::read_to_string(journal)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"action\":\"assign\""))
            .count()
    };
    let started = std::time::Instant::now();
    while written(&journal) < 3 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the onboarding ended before it was killed"
        );
        assert!(started.elapsed().as_secs() < 120, "no write was journaled");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no end mark.
    child.wait().unwrap();
    let before_resume = written(&journal);
    assert!(
        before_resume < 20,
        "{before_resume} of 20 were written before the kill"
    );
    emulator.set_faults(Default::default());

    let listed = command(&["resume", "--json", "--journal", journal.to_str().unwrap()])
        .output()
        .unwrap();
    let pending: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let pending = pending.as_array().unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let run = pending[0]["run"]["id"].as_str().unwrap().to_owned();
    let resumed = command(&[
        "resume",
        &run,
        "--json",
        "--journal",
        journal.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&resumed.stdout).unwrap();
    let outcomes: Vec<&str> = report["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["created"; 20], "{report}");

    // Every grant exactly once in the tenant, and nothing left to resume.
    let ids: Vec<String> = emulator.with_state(|s| {
        s.directory
            .users
            .iter()
            .filter(|u| u.user_principal_name.starts_with("killed"))
            .map(|u| u.id.clone())
            .collect()
    });
    assert_eq!(ids.len(), 10);
    for id in &ids {
        let held = emulator.with_state(|s| {
            s.arm
                .role_assignments
                .iter()
                .filter(|a| a.principal_id == *id)
                .map(|a| a.role_definition_name.clone())
                .collect::<Vec<_>>()
        });
        assert_eq!(held.len(), 2, "{id}: {held:?}");
        assert_ne!(held[0], held[1]);
    }
    let listed = command(&["resume", "--journal", journal.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listed.stdout).contains("no interrupted runs"));
    let _ = command(&["logout", "--all"]).output();
    let _ = std::fs::remove_dir_all(&dir);
}
