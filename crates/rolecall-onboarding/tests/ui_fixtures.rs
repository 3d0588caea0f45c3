//! The UI's component tests answer with what Rolecall's own code answers:
//! this test reads the inputs in `ui/src/test/fixtures/inputs.json`, runs
//! them through the real functions, and checks `answers.json` beside it is
//! what they give (`ROLECALL_UPDATE_FIXTURES=1`, which `cargo xtask
//! fixtures` sets, rewrites it). The fakes then never re-implement a rule.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    // At run time: with a target directory shared between checkouts, cargo
    // may run a test binary another clone built.
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or(env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../ui/src/test/fixtures")
}

#[test]
fn ui_fixtures_are_up_to_date() {
    let dir = fixtures();
    let inputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("inputs.json")).unwrap()).unwrap();
    let mut people: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, csv) in inputs["peopleCsv"].as_object().unwrap() {
        people.insert(
            name.clone(),
            rolecall_onboarding::people_from_csv(csv.as_str().unwrap()),
        );
    }
    let answers = serde_json::to_string_pretty(&serde_json::json!({
        "_about": "Written by crates/rolecall-onboarding/tests/ui_fixtures.rs from inputs.json: do not edit; run `cargo xtask fixtures`.",
        "peopleFromCsv": people,
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
