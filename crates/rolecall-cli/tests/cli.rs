//! The real `rolecall-cli` binary against the emulator.

use std::process::Command;

use rolecall_emulator::{DEMO_TENANT_ID, Emulator, Options};

fn cli() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rolecall-cli"));
    command
        .env_remove("ROLECALL_CLOUD_PROFILE")
        .env_remove("ROLECALL_TENANT");
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
