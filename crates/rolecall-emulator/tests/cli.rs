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
