//! The end-to-end harness: a private session D-Bus with an unlocked
//! gnome-keyring (a real Secret Service), Xvfb, the emulator, tauri-driver with
//! WebKitWebDriver, and the WebdriverIO specs under tests/e2e/specs run by
//! node's test runner. Every process it starts is owned by a guard and stopped
//! on the way out, whether the suite passed, failed or panicked.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::proc::{Guard, cargo, npm, run, wait_for};

/// Builds what the suite drives, then runs it.
pub fn run_suite(root: &Path) -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!("the end-to-end harness runs on Linux (WebKitGTK + tauri-driver)");
    }
    run(npm().args(["run", "build", "--workspace", "ui"]))?;
    let target = target_dir(root)?;
    let app = target.join("debug/rolecall");
    let emulator = target.join("debug/rolecall-emulator");
    let cli = target.join("debug/rolecall-cli");
    // With a target directory shared between checkouts, cargo leaves a fresh
    // build's binary where another checkout last copied its own; removing the
    // copies makes cargo put this checkout's there.
    for stale in [&app, &emulator, &cli] {
        let _ = std::fs::remove_file(stale);
    }
    run(cargo().args([
        "build",
        "--locked",
        "--features",
        "custom-protocol",
        "--bin",
        "rolecall",
        "--bin",
        "rolecall-emulator",
        "--bin",
        "rolecall-cli",
        "--package",
        "rolecall",
        "--package",
        "rolecall-emulator",
        "--package",
        "rolecall-cli",
    ]))?;

    let artifacts = root.join("tests/e2e/artifacts");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts)?;
    let scratch = tempdir("e2e")?;
    let logs = artifacts.join("logs");
    std::fs::create_dir_all(&logs)?;
    let result = Session::start(&scratch, &emulator, &cli, &logs).and_then(|session| {
        let specs = session.run_specs(root, &app, &artifacts);
        drop(session); // every process stopped: their logs are complete
        specs
    });
    // Whatever the outcome: no token may be left outside the keychain.
    let scan =
        crate::scan::no_tokens_in(&[&scratch, &artifacts], &[&scratch.join("data/keyrings")]);
    let _ = std::fs::remove_dir_all(&scratch);
    result?;
    let scanned = scan?;
    // The README's picture, from this green run: it cannot go stale.
    let shot = artifacts.join("docs-screenshot.png");
    if shot.exists() {
        std::fs::copy(&shot, root.join("docs/screenshot.png"))
            .context("copying the README's screenshot to docs/screenshot.png")?;
        println!("docs/screenshot.png: taken from this run");
    }
    println!(
        "token scan: {scanned} files under the app's data, config, cache and log folders and the captured IPC traffic hold no token"
    );
    Ok(())
}

/// `cargo metadata`'s target directory (honours CARGO_TARGET_DIR).
pub(crate) fn target_dir(root: &Path) -> Result<PathBuf> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()?;
    let text = String::from_utf8(output.stdout)?;
    let key = "\"target_directory\":\"";
    let start = text
        .find(key)
        .context("cargo metadata has no target_directory")?
        + key.len();
    let end = start
        + text[start..]
            .find('"')
            .context("unterminated target_directory")?;
    Ok(PathBuf::from(&text[start..end]))
}

pub(crate) fn tempdir(label: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("rolecall-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["data", "config", "cache", "runtime", "home"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("runtime"), std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}

/// A private X server on a free display number, for windows on a machine without one.
pub(crate) fn start_xvfb(logs: &Path) -> Result<(Guard, String)> {
    let display = free_display();
    let mut command = Command::new("Xvfb");
    command
        .arg(format!(":{display}"))
        .args(["-screen", "0", "1440x900x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(logs.join("xvfb.log"))?);
    let mut xvfb = Guard::spawn("Xvfb", &mut command)?;
    wait_for("Xvfb", Duration::from_secs(20), || {
        xvfb.ensure_running()?;
        Ok(Path::new(&format!("/tmp/.X11-unix/X{display}")).exists())
    })?;
    Ok((xvfb, format!(":{display}")))
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn free_display() -> u32 {
    (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .unwrap_or(99)
}

/// A private D-Bus session with gnome-keyring as its Secret Service, its
/// default (login) keyring unlocked: a real OS keychain for the tests, kept
/// under a scratch folder. Stopped (keyring first, then the bus) when dropped.
pub struct SecretService {
    _keyring: Guard,
    _bus: Guard,
}

impl SecretService {
    /// Starts the bus and the keyring; adds `DBUS_SESSION_BUS_ADDRESS` to `env`,
    /// which must already point `XDG_DATA_HOME` and `XDG_RUNTIME_DIR` into `scratch`.
    pub fn start(scratch: &Path, logs: &Path, env: &mut Vec<(String, String)>) -> Result<Self> {
        let log =
            |name: &str| -> Result<Stdio> { Ok(std::fs::File::create(logs.join(name))?.into()) };
        let with_env = |command: &mut Command, env: &[(String, String)]| {
            for (k, v) in env {
                command.env(k, v);
            }
        };
        let socket = scratch.join("runtime/bus");
        let mut bus_cmd = Command::new("dbus-daemon");
        bus_cmd
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::piped())
            .stderr(log("dbus.log")?);
        with_env(&mut bus_cmd, env);
        let mut bus = Guard::spawn("dbus-daemon", &mut bus_cmd)?;
        let mut address = String::new();
        BufReader::new(
            bus.child_mut()
                .stdout
                .take()
                .context("dbus-daemon stdout")?,
        )
        .read_line(&mut address)?;
        let address = address.trim().to_owned();
        if address.is_empty() {
            bail!("dbus-daemon did not print its address");
        }
        env.push(("DBUS_SESSION_BUS_ADDRESS".into(), address));

        let mut keyring_cmd = Command::new("gnome-keyring-daemon");
        keyring_cmd
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(log("gnome-keyring.log")?);
        with_env(&mut keyring_cmd, env);
        let mut keyring = Guard::spawn("gnome-keyring-daemon", &mut keyring_cmd)?;
        {
            // gnome-keyring makes a login keyring (the default collection) only
            // for a non-empty password; this one guards a throwaway test keyring.
            let mut stdin = keyring.child_mut().stdin.take().context("keyring stdin")?;
            stdin.write_all(b"rolecall-test-keyring")?;
        }
        // Ask the bus who owns the name first: calling the Secret Service before our
        // keyring has claimed it would make D-Bus start a second, locked one.
        let dbus_send = |args: &[&str]| -> Result<String> {
            let mut probe = Command::new("dbus-send");
            probe.args(["--session", "--print-reply"]).args(args);
            with_env(&mut probe, env);
            Ok(String::from_utf8_lossy(&probe.output()?.stdout).into_owned())
        };
        wait_for(
            "an unlocked default keyring on the Secret Service",
            Duration::from_secs(20),
            || {
                keyring.ensure_running()?;
                let owned = dbus_send(&[
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])?
                .contains("boolean true");
                if !owned {
                    return Ok(false);
                }
                Ok(dbus_send(&[
                    "--dest=org.freedesktop.secrets",
                    "/org/freedesktop/secrets",
                    "org.freedesktop.Secret.Service.ReadAlias",
                    "string:default",
                ])?
                .contains("/org/freedesktop/secrets/collection/"))
            },
        )?;
        Ok(Self {
            _keyring: keyring,
            _bus: bus,
        })
    }
}

/// A scratch folder with the XDG layout the Secret Service and the app use.
pub fn scratch_env(scratch: &Path) -> Vec<(String, String)> {
    let path = |sub: &str| scratch.join(sub).to_string_lossy().into_owned();
    vec![
        ("XDG_DATA_HOME".into(), path("data")),
        ("XDG_CONFIG_HOME".into(), path("config")),
        ("XDG_CACHE_HOME".into(), path("cache")),
        ("XDG_RUNTIME_DIR".into(), path("runtime")),
        ("HOME".into(), path("home")),
    ]
}

/// Runs `command` with a private Secret Service (Linux), for tests that use the OS keychain.
pub fn with_secret_service(command: &mut Command) -> Result<()> {
    let scratch = tempdir("keychain")?;
    let mut env = scratch_env(&scratch);
    // The daemons' logs stay in the scratch folder, removed afterwards.
    let result = SecretService::start(&scratch, &scratch, &mut env).and_then(|_session| {
        for (k, v) in &env {
            // Only the bus: the tests keep their own HOME and caches.
            if k == "DBUS_SESSION_BUS_ADDRESS" {
                command.env(k, v);
            }
        }
        crate::proc::run(command)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// What WebKitGTK needs under Xvfb, for the app wherever a test starts it:
/// no accessibility bus, and software rendering (there is no GPU).
const DISPLAY_SWITCHES: [(&str, &str); 4] = [
    ("NO_AT_BRIDGE", "1"),
    ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ("LIBGL_ALWAYS_SOFTWARE", "1"),
];

/// [`DISPLAY_SWITCHES`] as environment entries.
pub(crate) fn display_env() -> impl Iterator<Item = (String, String)> {
    DISPLAY_SWITCHES
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
}

/// The processes of one run, stopped in reverse order of start when dropped.
struct Session {
    env: Vec<(String, String)>,
    webdriver_port: u16,
    fresh: FreshProfile,
    // Field order is drop order: the drivers (and the apps under them) first, the bus last.
    _fresh_driver: Guard,
    _driver: Guard,
    _emulator: Guard,
    profile: PathBuf,
    _xvfb: Guard,
    _secrets: SecretService,
}

impl Session {
    fn start(scratch: &Path, emulator_bin: &Path, cli_bin: &Path, logs: &Path) -> Result<Self> {
        // Daemons' chatter goes to log files kept with the screenshots.
        let log =
            |name: &str| -> Result<Stdio> { Ok(std::fs::File::create(logs.join(name))?.into()) };
        // A private environment: the app's data, config, cache and keyring all
        // live under the scratch folder and vanish with it.
        let mut env = scratch_env(scratch);
        env.extend(display_env());
        let with_env = |command: &mut Command, env: &[(String, String)]| {
            for (k, v) in env {
                command.env(k, v);
            }
        };

        // 1. An X server for the window (first, so that services the bus starts get a display too).
        let (xvfb, display) = start_xvfb(logs)?;
        env.push(("DISPLAY".into(), display));

        // 2. A private session bus with an unlocked gnome-keyring (the Secret Service).
        let secrets = SecretService::start(scratch, logs, &mut env)?;

        // 4. The emulator, which writes its cloud profile once every host listens.
        let profile = scratch.join("cloud.json");
        let mut emulator_cmd = Command::new(emulator_bin);
        emulator_cmd
            .arg("--profile-out")
            .arg(&profile)
            // The journeys offboard what they just made: PIM's five minutes
            // become twenty seconds (the app waits, and says so).
            .args(["--pim-removal-after", "20"])
            .stdout(Stdio::null())
            .stderr(log("emulator.log")?);
        with_env(&mut emulator_cmd, &env);
        let mut emulator = Guard::spawn("rolecall-emulator", &mut emulator_cmd)?;
        wait_for(
            "the emulator's cloud profile",
            Duration::from_secs(30),
            || {
                emulator.ensure_running()?;
                Ok(profile.exists())
            },
        )?;
        env.push((
            "ROLECALL_CLOUD_PROFILE".into(),
            profile.to_string_lossy().into_owned(),
        ));
        // The "system browser" of the app: picks Olivia on whichever
        // emulator's sign-in page the app opens (the harness's or the demo's).
        env.push((
            "ROLECALL_BROWSER".into(),
            format!(
                "{} complete-sign-in --as olivia.owner@contosodemo.onmicrosoft.com",
                cli_bin.display()
            ),
        ));

        // The Save dialog's answer (a native dialog WebDriver cannot reach):
        // the app honours it only when WebDriver started it.
        env.push((
            "ROLECALL_E2E_SAVE_TO".into(),
            scratch.join("saved").to_string_lossy().into_owned(),
        ));

        // 5. tauri-driver, which starts WebKitWebDriver, which starts the app.
        let webdriver_port = free_port()?;
        let native_port = free_port()?;
        let mut driver_cmd = Command::new("tauri-driver");
        driver_cmd
            .args([
                "--port",
                &webdriver_port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(log("tauri-driver.log")?)
            .stderr(log("app-and-webdriver.log")?);
        with_env(&mut driver_cmd, &env);
        let mut driver = Guard::spawn("tauri-driver", &mut driver_cmd)?;
        wait_for("tauri-driver", Duration::from_secs(20), || {
            driver.ensure_running()?;
            Ok(TcpStream::connect(("127.0.0.1", webdriver_port)).is_ok())
        })?;

        // 6. A second tauri-driver for the app as a new user starts it: an
        // empty home folder, no XDG variable, no ROLECALL_* variable, no
        // cloud profile; only the display, the session bus (the user's
        // keyring) and the system's URL opener.
        let (fresh, fresh_driver) = FreshProfile::start(scratch, cli_bin, &env, logs)?;

        Ok(Self {
            env,
            webdriver_port,
            fresh,
            _fresh_driver: fresh_driver,
            _driver: driver,
            _emulator: emulator,
            profile,
            _xvfb: xvfb,
            _secrets: secrets,
        })
    }

    fn run_specs(&self, root: &Path, app: &Path, artifacts: &Path) -> Result<()> {
        let mut command = npm();
        command
            .args(["test", "--workspace", "tests/e2e"])
            .current_dir(root)
            .env("ROLECALL_APP", app)
            .env("WEBDRIVER_PORT", self.webdriver_port.to_string())
            .env("E2E_ARTIFACTS", artifacts)
            .env("E2E_CLOUD_PROFILE", &self.profile);
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command
            .env(
                "FRESH_WEBDRIVER_PORT",
                self.fresh.webdriver_port.to_string(),
            )
            .env("FRESH_HOME", &self.fresh.home);
        let mut specs = Guard::spawn("e2e specs", &mut command)?;
        // Bounded: a hung WebDriver call must not eat CI's time limit.
        let deadline = std::time::Instant::now() + Duration::from_secs(15 * 60);
        let status = loop {
            if let Some(status) = specs.child_mut().try_wait()? {
                break status;
            }
            if std::time::Instant::now() > deadline {
                bail!("the end-to-end specs did not finish within 15 minutes");
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        std::io::stdout().flush()?;
        println!("screenshots: {}", artifacts.display());
        if !status.success() {
            bail!("end-to-end specs failed ({status})");
        }
        Ok(())
    }
}

/// The profile of a person who has never run Rolecall: an empty home folder
/// (nothing under it, not even `.config`), and a system URL opener
/// (`xdg-open`) that plays the person's browser on the sign-in page.
pub(crate) struct FreshProfile {
    home: PathBuf,
    bin: PathBuf,
    pub(crate) webdriver_port: u16,
}

impl FreshProfile {
    /// Makes the profile and starts its own tauri-driver, whose environment
    /// is [`FreshProfile::env`] and nothing else.
    pub(crate) fn start(
        scratch: &Path,
        cli_bin: &Path,
        harness: &[(String, String)],
        logs: &Path,
    ) -> Result<(Self, Guard)> {
        let log =
            |name: &str| -> Result<Stdio> { Ok(std::fs::File::create(logs.join(name))?.into()) };
        let mut fresh = Self::new(scratch, cli_bin)?;
        fresh.webdriver_port = free_port()?;
        let native_port = free_port()?;
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &fresh.webdriver_port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env_clear()
            .envs(fresh.env(harness))
            .stdout(log("tauri-driver-fresh.log")?)
            .stderr(log("app-fresh-profile.log")?);
        let mut driver = Guard::spawn("tauri-driver (fresh profile)", &mut command)?;
        wait_for(
            "tauri-driver (fresh profile)",
            Duration::from_secs(20),
            || {
                driver.ensure_running()?;
                Ok(TcpStream::connect(("127.0.0.1", fresh.webdriver_port)).is_ok())
            },
        )?;
        Ok((fresh, driver))
    }

    fn new(scratch: &Path, cli_bin: &Path) -> Result<Self> {
        let home = scratch.join("fresh-home");
        let bin = scratch.join("fresh-bin");
        std::fs::create_dir_all(&home)?;
        std::fs::create_dir_all(&bin)?;
        let opener = bin.join("xdg-open");
        std::fs::write(
            &opener,
            format!(
                "#!/bin/sh\n# The person's browser: picks Olivia on the demo's sign-in page.\nexec '{}' complete-sign-in --as olivia.owner@contosodemo.onmicrosoft.com \"$1\"\n",
                cli_bin.display()
            ),
        )?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755))?;
        }
        Ok(Self {
            home,
            bin,
            webdriver_port: 0,
        })
    }

    /// The whole environment of the fresh driver and the app it starts.
    fn env(&self, harness: &[(String, String)]) -> Vec<(String, String)> {
        let path = std::env::var("PATH").unwrap_or_default();
        let mut env = vec![
            ("HOME".to_owned(), self.home.to_string_lossy().into_owned()),
            ("PATH".to_owned(), format!("{}:{path}", self.bin.display())),
            ("LANG".to_owned(), "C.UTF-8".to_owned()),
        ];
        // What a desktop session gives every program: the display and the
        // session bus (with the user's keyring), and the software-rendering
        // switches WebKitGTK needs under Xvfb.
        for (k, v) in harness {
            if k == "DISPLAY"
                || k == "DBUS_SESSION_BUS_ADDRESS"
                || DISPLAY_SWITCHES.iter().any(|(name, _)| k == name)
            {
                env.push((k.clone(), v.clone()));
            }
        }
        env
    }
}

/// `cargo xtask demo --check`: the README's first command as a new user meets
/// it, without a person. The app (built as `demo` builds it) is started with
/// `--demo` on a fresh profile (empty home folder, nothing else Rolecall
/// knows), on this display or a virtual one when there is none, with a
/// Secret Service as a desktop session has; it must show its first screen
/// (the sign-in page on the demo tenant), then it is closed.
pub fn check_demo(root: &Path) -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!("the first-screen check drives WebKitGTK through tauri-driver and runs on Linux");
    }
    let target = target_dir(root)?;
    let app = target.join("debug/rolecall");
    let cli = target.join("debug/rolecall-cli");
    let scratch = tempdir("demo-check")?;
    let logs = scratch.join("logs");
    std::fs::create_dir_all(&logs)?;
    let result = (|| -> Result<()> {
        let mut env = scratch_env(&scratch);
        let _xvfb = match std::env::var("DISPLAY") {
            Ok(display) if !display.is_empty() => {
                env.push(("DISPLAY".into(), display));
                None
            }
            _ => {
                let (guard, display) = start_xvfb(&logs)?;
                env.push(("DISPLAY".into(), display));
                Some(guard)
            }
        };
        env.extend(display_env());
        let _secrets = SecretService::start(&scratch, &logs, &mut env)?;
        let (fresh, _driver) = FreshProfile::start(&scratch, &cli, &env, &logs)?;
        let mut command = Command::new("node");
        command
            .arg(root.join("tests/e2e/check-demo.mjs"))
            .current_dir(root.join("tests/e2e"))
            .env("ROLECALL_APP", &app)
            .env("FRESH_WEBDRIVER_PORT", fresh.webdriver_port.to_string())
            .env("FRESH_HOME", &fresh.home)
            .env("E2E_ARTIFACTS", scratch.join("artifacts"));
        for (k, v) in &env {
            if k == "DISPLAY" {
                command.env(k, v);
            }
        }
        run(&mut command)
    })();
    if result.is_err() {
        let log = std::fs::read_to_string(logs.join("app-fresh-profile.log")).unwrap_or_default();
        eprintln!("--- the app's output ---\n{log}");
    }
    let _ = std::fs::remove_dir_all(&scratch);
    result
}
