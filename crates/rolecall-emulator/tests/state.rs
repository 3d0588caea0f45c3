//! `--state FILE`: the tenant survives a restart, and the file holds no token.

mod common;

use common::{Arm, sign_in_full, start, upn};
use rolecall_emulator::seed::{DEMO_SUB_VOICE, builtin};
use rolecall_emulator::{Emulator, Options, demo_id};
use serde_json::json;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rolecall-state-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("tenant.json")
}

#[tokio::test]
async fn the_tenant_and_its_sessions_survive_a_restart_without_a_token_on_disk() {
    let file = scratch("restart");
    let options = || Options {
        state_file: Some(file.clone()),
        ..Options::default()
    };
    let voice = format!("/subscriptions/{}", demo_id(DEMO_SUB_VOICE));
    let assignment = format!(
        "{voice}/providers/Microsoft.Authorization/roleAssignments/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
    );
    let role = format!(
        "{voice}/providers/Microsoft.Authorization/roleDefinitions/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
    );

    let first = start(options()).await;
    let (_, refresh_token) = sign_in_full(&first, &upn("olivia.owner")).await;
    let olivia = Arm::new(&first, &upn("olivia.owner")).await;
    let (status, _) = olivia
        .put(&assignment, json!({"properties": {
            "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{}", builtin::READER),
            "principalId": demo_id("user:mei.chen"),
            "principalType": "User",
        }}))
        .await;
    assert_eq!(status, 201);
    let (status, _) = olivia
        .put(
            &role,
            json!({"properties": {
                "roleName": "Kept across restarts",
                "permissions": [{"actions": ["Microsoft.Support/supportTickets/read"]}],
                "assignableScopes": [voice],
            }}),
        )
        .await;
    assert_eq!(status, 201);
    first.shutdown().await;

    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(&refresh_token),
        "a usable refresh token was written to the state file"
    );
    assert!(text.contains("Kept across restarts"));

    let second = start(options()).await;
    let (status, body) = common::refresh(&second, &refresh_token).await;
    assert_eq!(status, 200, "the session survives the restart: {body}");
    let olivia = Arm::new(&second, &upn("olivia.owner")).await;
    assert_eq!(olivia.get(&assignment).await.0, 200);
    assert_eq!(
        olivia.get(&role).await.1["properties"]["roleName"],
        "Kept across restarts"
    );
    let (status, reader) = olivia
        .get(&format!(
            "{voice}/providers/Microsoft.Authorization/roleDefinitions/{}",
            builtin::READER
        ))
        .await;
    assert_eq!(
        (status, reader["properties"]["roleName"].as_str()),
        (200, Some("Reader"))
    );
    // The rotation that happened before the restart still holds.
    assert_eq!(
        common::refresh(&second, &refresh_token).await.1["error_codes"][0],
        50173
    );
}

#[tokio::test]
async fn a_file_that_is_not_a_state_is_refused_with_what_to_do() {
    let file = scratch("corrupt");
    std::fs::write(&file, "{\"not\": \"a state\"}").unwrap();
    let error = Emulator::start(Options {
        state_file: Some(file.clone()),
        ..Options::default()
    })
    .await
    .err()
    .expect("refused");
    let message = format!("{error:#}");
    assert!(
        message.contains("is not an emulator state file"),
        "{message}"
    );
    assert!(
        message.contains("delete it to start from the seed"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"not\": \"a state\"}",
        "the file is left as it was"
    );
}
