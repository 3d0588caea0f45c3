//! "Use my Azure CLI sign-in" through `azure_identity::AzureCliCredential`.
//!
//! The Azure CLI cannot be installed on the test machines, so a stand-in `az`
//! on PATH plays it: it records how it was called and answers as
//! `az account get-access-token -o json` does, with a real token the emulator
//! issued (or fails as `az` does when nobody is signed in). Everything else,
//! the SDK credential running the command through the shell included, is real.
//! One test in this binary: it changes PATH for the whole process.

#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{ARM, OLIVIA, World};
use rolecall_auth::AuthError;

fn fake_az(dir: &std::path::Path, body: &str) {
    let path = dir.join("az");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho \"$@\" >> {}/calls\n{body}\n",
            dir.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test]
async fn the_azure_cli_sign_in_is_used_as_it_is() {
    let world = World::new().await;
    let accounts = world.accounts();
    let olivia = world.sign_in(&accounts, OLIVIA).await;
    let (token, expires) = accounts.access_token(&olivia.id, ARM).await.unwrap();

    let bin = tempdir();
    // SAFETY: the only test in this binary, before any thread reads PATH.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
    };
    fake_az(
        &bin,
        &format!(
            "cat <<'JSON'\n{{\"accessToken\": \"{token}\", \"expiresOn\": \"2030-01-01 00:00:00.000000\", \"expires_on\": {}, \"subscription\": \"x\", \"tenant\": \"{}\", \"tokenType\": \"Bearer\"}}\nJSON",
            expires.unix_timestamp(),
            olivia.tenant_id
        ),
    );
    let tenant = world.emulator.tenant().id.clone();
    let cli = rolecall_auth::azure_cli::connect(&world.cloud, Some(&tenant))
        .await
        .unwrap();
    assert_eq!(cli.info.username, OLIVIA);
    assert_eq!(cli.info.tenant_id, tenant);
    assert!(cli.info.id.0.starts_with("azure-cli:"));
    let calls = std::fs::read_to_string(bin.join("calls")).unwrap();
    assert!(
        calls.contains(&format!(
            "account get-access-token -o json --scope {ARM} --tenant {tenant}"
        )),
        "{calls}"
    );
    // The credential serves the Azure SDK pipeline; ARM accepts its token.
    let again = cli.credential.get_token(&[ARM], None).await.unwrap();
    assert_eq!(world.subscriptions_with(again.token.secret()).await, 200);
    // Rolecall stores nothing for an Azure CLI account.
    assert_eq!(accounts.list().unwrap().len(), 1);

    // Nobody signed in to the Azure CLI: the admin is told what to run.
    fake_az(
        &bin,
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1",
    );
    let error = rolecall_auth::azure_cli::connect(&world.cloud, None)
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::AzureCli { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("az login"), "{message}");
    assert!(!message.contains(&token), "no token in errors");
    // Without a tenant the CLI's default tenant is used: no --tenant flag.
    let last = std::fs::read_to_string(bin.join("calls")).unwrap();
    assert!(!last.lines().last().unwrap().contains("--tenant"), "{last}");
    let _ = std::fs::remove_dir_all(&bin);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rolecall-az-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
