//! The app's start as a person meets it when something is missing, run as
//! the real binary: the command line answers without a display, and a
//! display that cannot be reached is said in words, with exit status 1 and
//! no Rust backtrace. (A start that reaches the window is covered by the
//! end-to-end suite, `tests/e2e/specs/firstrun.test.mjs`.)

use std::process::Command;

fn rolecall(home: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rolecall"));
    command
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    command
}

fn home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rolecall-start-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_and_version_answer_without_a_display() {
    let home = home("help");
    let help = rolecall(&home).arg("--help").output().unwrap();
    assert!(help.status.success(), "{help:?}");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("--demo") && text.contains("--cloud-profile"),
        "{text}"
    );
    let version = rolecall(&home).arg("--version").output().unwrap();
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("rolecall "));
    let typo = rolecall(&home).arg("--dmeo").output().unwrap();
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("--demo"),
        "clap suggests the flag"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn no_display_and_an_unreachable_display_are_said_in_words() {
    let home = home("display");
    let none = rolecall(&home).output().unwrap();
    assert_eq!(none.status.code(), Some(1));
    let text = String::from_utf8_lossy(&none.stderr);
    assert!(text.contains("there is no display"), "{text}");

    let gone = rolecall(&home)
        .env("DISPLAY", ":4242")
        .env("NO_AT_BRIDGE", "1")
        .output()
        .unwrap();
    assert_eq!(gone.status.code(), Some(1), "{gone:?}");
    let text = String::from_utf8_lossy(&gone.stderr);
    assert!(text.contains("Rolecall could not start"), "{text}");
    assert!(text.contains("':4242' cannot be reached"), "{text}");
    assert!(!text.contains("panicked at"), "no panic message: {text}");
    assert!(
        !text.contains("RUST_BACKTRACE"),
        "no backtrace hint: {text}"
    );
}
