//! Running commands, and owning background processes so that each one (and
//! everything it spawned) is stopped when its guard is dropped, on success,
//! error or panic alike.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// `cargo`, the same one that runs xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `npm` (`npm.cmd` on Windows).
pub fn npm() -> Command {
    Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs a command to completion, inheriting the terminal; fails on non-zero exit.
pub fn run(command: &mut Command) -> Result<()> {
    let text = describe(command);
    println!("$ {text}");
    let status = command
        .status()
        .with_context(|| format!("could not start `{text}`; is it installed and on PATH?"))?;
    if !status.success() {
        bail!("`{text}` failed ({status})");
    }
    Ok(())
}

/// Whether a program can be started (it is on PATH and runs `--version`).
pub fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A background process that is stopped with everything it spawned when dropped.
pub struct Guard {
    name: String,
    child: Option<Child>,
}

impl Guard {
    /// Starts `command` in its own process group (Unix), so that stopping it
    /// also stops its children (tauri-driver → WebKitWebDriver → the app).
    pub fn spawn(name: &str, command: &mut Command) -> Result<Self> {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let child = command
            .spawn()
            .with_context(|| format!("could not start {name} (`{}`)", describe(command)))?;
        Ok(Self {
            name: name.to_owned(),
            child: Some(child),
        })
    }

    pub fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("a live child")
    }

    /// Fails if the process has already exited (it was meant to keep running).
    pub fn ensure_running(&mut self) -> Result<()> {
        let name = self.name.clone();
        if let Some(status) = self.child_mut().try_wait()? {
            bail!("{name} exited early ({status})");
        }
        Ok(())
    }

    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        #[cfg(unix)]
        #[allow(unsafe_code)] // kill(2) of the process group this guard started
        {
            let group = child.id() as libc::pid_t;
            // SAFETY: kill(2) on a process group we created; no memory is touched.
            unsafe { libc::kill(-group, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    // The leader is gone; make sure no straggler in its group survives.
                    unsafe { libc::kill(-group, libc::SIGKILL) };
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        let _ = child.kill();
        let _ = child.wait();
        eprintln!("stopped {}", self.name);
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until `ready()` holds, failing with `what` after `timeout`.
pub fn wait_for(
    what: &str,
    timeout: Duration,
    mut ready: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if ready()? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("timed out after {} s waiting for {what}", timeout.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
