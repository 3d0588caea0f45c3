//! The UI's component tests answer with what Rolecall's own code answers:
//! this test reads the inputs in `ui/src/test/fixtures/inputs.json`, runs
//! them through the real functions, and checks `answers.json` beside it is
//! what they give (`ROLECALL_UPDATE_FIXTURES=1`, which `cargo xtask
//! fixtures` sets, rewrites it). The fakes then never re-implement a rule:
//! reading a people CSV, Rolecall's names for assignments and new roles,
//! undoing a run from its JSON report, the review's words for PIM settings.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    // At run time: with a target directory shared between checkouts, cargo
    // may run a test binary another clone built.
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../ui/src/test/fixtures")
}

/// `inputs[table]` as a list of strings (absent: none).
fn list(inputs: &Value, table: &str) -> Vec<String> {
    inputs[table]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The answers for every input of `table`, each split on `|` into its parts.
fn answer_parts(
    inputs: &Value,
    table: &str,
    parts: usize,
    answer: impl Fn(&[&str]) -> Value,
) -> BTreeMap<String, Value> {
    list(inputs, table)
        .into_iter()
        .map(|input| {
            let split: Vec<&str> = input.split('|').collect();
            assert_eq!(split.len(), parts, "{table}: '{input}' needs {parts} parts");
            let value = answer(&split);
            (input, value)
        })
        .collect()
}

#[test]
fn ui_fixtures_are_up_to_date() {
    let dir = fixtures();
    let inputs: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("inputs.json")).unwrap()).unwrap();
    // As `people_from_csv` answers over IPC.
    let mut people: BTreeMap<String, Value> = BTreeMap::new();
    for (name, csv) in inputs["peopleCsv"].as_object().unwrap() {
        let read = rolecall_onboarding::read_people_csv(csv.as_str().unwrap());
        people.insert(
            name.clone(),
            json!(rolecall_app::views::CsvPeopleView::from(read)),
        );
    }
    let assignment_names = answer_parts(&inputs, "assignmentNames", 3, |p| {
        json!(rolecall_rbac::names::role_assignment_name(p[0], p[1], p[2]).to_string())
    });
    let new_role_ids = answer_parts(&inputs, "newRoleIds", 2, |p| {
        json!(rolecall_app::roles::new_role_id(p[0], p[1]))
    });
    let undo_reports: BTreeMap<String, Value> = list(&inputs, "undoReports")
        .into_iter()
        .map(|text| {
            let answer = match rolecall_app::undo::of_report(&text) {
                Ok(run) => {
                    // Its id is new at every run (not part of the answer).
                    let mut run = serde_json::to_value(run).unwrap();
                    run.as_object_mut().unwrap().remove("id");
                    json!({ "run": run })
                }
                Err(error) => json!({"error": error.message}),
            };
            (text, answer)
        })
        .collect();
    // What the review says of the demo's PIM settings (a role nobody changed).
    let rules = rolecall_emulator::arm::authorization::default_pim_rules();
    let policy = |eligible: bool| {
        json!(rolecall_grants::PolicySummary::from_rules("", "", eligible, &rules).describe())
    };
    let policy_summaries = json!({"eligible": policy(true), "active": policy(false)});
    let answers = serde_json::to_string_pretty(&json!({
        "_about": "Written by crates/rolecall-app/tests/ui_fixtures.rs from inputs.json: do not edit; run `cargo xtask fixtures`.",
        "peopleFromCsv": people,
        "assignmentNames": assignment_names,
        "newRoleIds": new_role_ids,
        "undoReports": undo_reports,
        "policySummaries": policy_summaries,
    }))
    .unwrap()
        + "\n";
    let path = dir.join("answers.json");
    if std::env::var_os("ROLECALL_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &answers).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == answers,
        "{} is stale: run `cargo xtask fixtures` and commit the result",
        path.display()
    );
}
