//! The `rolecall-emulator` binary: documented options and the printed profile.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn help_documents_every_option() {
    let output = Command::new(env!("CARGO_BIN_EXE_rolecall-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for option in [
        "--bind",
        "--authority-port",
        "--arm-port",
        "--graph-port",
        "--seed",
        "--auto-sign-in",
        "--access-token-lifetime",
        "--reference",
        "--state",
        "--page-size",
        "--fault-seed",
        "--latency-ms",
        "--server-error-rate",
        "--drop-rate",
        "--principal-replication",
        "--role-propagation",
        "--token-max-age",
        "--arm-writes",
        "--arm-reads",
        "--arm-deletes",
        "--profile-out",
    ] {
        assert!(help.contains(option), "--help does not mention {option}");
    }
}

#[test]
fn it_prints_a_cloud_profile_once_ready_and_refuses_bad_buckets() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rolecall-emulator"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let profile: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(profile["kind"], "Custom");
    assert!(
        profile["caCertificatePem"]
            .as_str()
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );

    let output = Command::new(env!("CARGO_BIN_EXE_rolecall-emulator"))
        .args(["--arm-writes", "200"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("CAPACITY,PER_SECOND"));
}

/// `RUST_LOG=debug` (as for any Rust program) logs every request: method,
/// path, status and request id, so a client's failure can be read from the
/// emulator's side; the query string (which can carry codes) is left out.
#[tokio::test]
async fn rust_log_debug_logs_each_request_with_its_request_id() {
    let log = std::env::temp_dir().join(format!(
        "rolecall-emulator-log-{}-{}.txt",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rolecall-emulator"))
        .env_remove("ROLECALL_LOG")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let profile: serde_json::Value = serde_json::from_str(&line).unwrap();
    let ca =
        reqwest::Certificate::from_pem(profile["caCertificatePem"].as_str().unwrap().as_bytes())
            .unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let arm = profile["resourceManagerEndpoint"]
        .as_str()
        .unwrap()
        .trim_end_matches('/');
    // No token: ARM's 401, with its request id.
    let answer = client
        .get(format!(
            "{arm}/subscriptions?api-version=2022-12-01&secret=hidden"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let request_id = answer.headers()["x-ms-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    // The line is written as the answer leaves; give the writer a moment.
    let mut text = String::new();
    for _ in 0..50 {
        text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains(&request_id) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&log);
    let line = text
        .lines()
        .find(|l| l.contains(&request_id))
        .unwrap_or_else(|| panic!("no log line names request {request_id}:\n{text}"));
    assert!(line.contains("GET /subscriptions 401"), "{line}");
    assert!(
        !text.contains("secret=hidden"),
        "the query string is logged:\n{text}"
    );
}
