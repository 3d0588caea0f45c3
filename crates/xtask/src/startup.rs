//! `cargo xtask bench --only startup`: Rolecall's start-up time, idle memory
//! and size beside a minimal Tauri 2 app (tests/bench/minimal-app), measured
//! the same way in one run.
//!
//! Both are release builds with the same profile and the same tauri crate.
//! Each start is a new process on a fresh profile (an empty home folder, as a
//! new user has), under Xvfb with a Secret Service, started by tauri-driver;
//! tests/bench/startup.mjs finds the first screen through WebDriver (polled
//! every 10 ms) and times it from the app's process start, waits 8 s, then
//! reads the memory of the app's process tree (the app, WebKit's web and
//! network processes) from /proc. The apps are started in turns, after one
//! start of each that is not counted (cold disk caches), and the medians are
//! printed as a Markdown table for docs/benchmarks.md.
//!
//! A benchmark, not a test: nothing here fails on a slow figure.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::e2e::{
    FreshProfile, SecretService, display_env, scratch_env, start_xvfb, target_dir, tempdir,
};
use crate::proc::{cargo, npm, run};

/// One app as the harness starts it.
struct Subject {
    label: &'static str,
    binary: PathBuf,
    args: &'static [&'static str],
    /// What "the first screen is there" means for this app.
    selector: &'static str,
    /// What "it can be used" means, when that comes later (Rolecall's
    /// sign-in form waits for the settings); `None`: the first screen.
    ready: Option<&'static str>,
}

/// What one start measured.
#[derive(Debug, Clone)]
struct Start {
    first_screen_ms: f64,
    /// When it could be used (the ready selector was there).
    ready_ms: f64,
    /// How React started over the page (`data-first-screen`), for Rolecall.
    how: Option<String>,
    /// When the page began to load, and its DOMContentLoaded ended, from the process start.
    page_load_ms: f64,
    dom_loaded_ms: f64,
    /// The page's own milestones (`performance.mark`): name and time from the process start.
    marks: Vec<(String, f64)>,
    /// Per process kind (the app, WebKitWebProcess, WebKitNetworkProcess, …): RSS and PSS in KiB.
    processes: Vec<(String, u64, u64)>,
}

impl Start {
    /// When the page marked its first screen painted (`…first-screen-painted`),
    /// if it did: both apps mark it the same way, after the paint.
    fn painted_ms(&self) -> Option<f64> {
        self.marks
            .iter()
            .find(|(name, _)| name.ends_with("first-screen-painted"))
            .map(|m| m.1)
    }

    fn total_pss(&self) -> u64 {
        self.processes.iter().map(|p| p.2).sum()
    }
    fn total_rss(&self) -> u64 {
        self.processes.iter().map(|p| p.1).sum()
    }
}

pub fn bench(root: &Path, runs: usize) -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!("the start-up benchmark drives WebKitGTK through tauri-driver and runs on Linux");
    }
    if runs == 0 {
        bail!("--runs must be at least 1");
    }
    run(npm().args(["run", "build", "--workspace", "ui"]))?;
    run(cargo().args([
        "build",
        "--release",
        "--locked",
        "--package",
        "rolecall",
        "--package",
        "rolecall-bench-minimal",
        "--features",
        "rolecall/custom-protocol,rolecall-bench-minimal/custom-protocol",
        "--bin",
        "rolecall",
        "--bin",
        "rolecall-bench-minimal",
    ]))?;
    let target = target_dir(root)?;
    let subjects = [
        Subject {
            label: "minimal Tauri 2 app",
            binary: target.join("release/rolecall-bench-minimal"),
            args: &[],
            selector: "[data-testid=\"first-screen\"]",
            ready: None,
        },
        Subject {
            label: "Rolecall --demo",
            binary: target.join("release/rolecall"),
            args: &["--demo"],
            // The sign-in page on the demo tenant, as `demo --check` waits for.
            selector: "[data-testid=\"sign-in\"]",
            // Its form, which needs the settings (and React) to be drawn.
            ready: Some("[data-testid=\"sign-in-browser\"]"),
        },
    ];

    let scratch = tempdir("bench-startup")?;
    let logs = scratch.join("logs");
    std::fs::create_dir_all(&logs)?;
    let result = (|| -> Result<Vec<Vec<Start>>> {
        let mut env = scratch_env(&scratch);
        let (_xvfb, display) = start_xvfb(&logs)?;
        env.push(("DISPLAY".into(), display));
        env.extend(display_env());
        let _secrets = SecretService::start(&scratch, &logs, &mut env)?;
        let mut starts: Vec<Vec<Start>> = vec![Vec::new(); subjects.len()];
        for round in 0..=runs {
            for (i, subject) in subjects.iter().enumerate() {
                let start = measure(
                    root,
                    subject,
                    &scratch.join(format!("run-{round}-{i}")),
                    &env,
                    &logs,
                )
                .with_context(|| format!("starting {} (round {round})", subject.label))?;
                // Round 0 warms the disk caches and is not counted.
                if round > 0 {
                    starts[i].push(start);
                }
            }
        }
        Ok(starts)
    })();
    if result.is_err() {
        for name in ["app-fresh-profile.log", "tauri-driver-fresh.log"] {
            let log = std::fs::read_to_string(logs.join(name)).unwrap_or_default();
            eprintln!("--- {name} ---\n{log}");
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let starts = result?;
    report(&subjects, &starts, runs)
}

/// One start of `subject` on a new fresh profile under `dir`.
fn measure(
    root: &Path,
    subject: &Subject,
    dir: &Path,
    env: &[(String, String)],
    logs: &Path,
) -> Result<Start> {
    std::fs::create_dir_all(dir)?;
    // The CLI only plays the browser if something opened one; nothing does here.
    let (fresh, _driver) = FreshProfile::start(dir, Path::new("/bin/false"), env, logs)?;
    let args = serde_json::to_string(subject.args)?;
    let mut command = Command::new("node");
    command
        .arg(root.join("tests/bench/startup.mjs"))
        .current_dir(root)
        .env("WEBDRIVER_PORT", fresh.webdriver_port.to_string())
        .env("BENCH_APP", &subject.binary)
        .env("BENCH_ARGS", args)
        .env("BENCH_SELECTOR", subject.selector)
        .env("BENCH_READY", subject.ready.unwrap_or(subject.selector))
        .env("BENCH_IDLE_MS", "8000")
        .stderr(Stdio::inherit());
    let output = command
        .output()
        .context("running node tests/bench/startup.mjs")?;
    if !output.status.success() {
        bail!("tests/bench/startup.mjs failed ({})", output.status);
    }
    let text = String::from_utf8(output.stdout)?;
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .context("tests/bench/startup.mjs printed no result")?;
    parse(line)
}

fn parse(line: &str) -> Result<Start> {
    let value: serde_json::Value = serde_json::from_str(line)?;
    let first_screen_ms = value["firstScreenMs"]
        .as_f64()
        .context("no firstScreenMs in the result")?;
    let mut processes: Vec<(String, u64, u64)> = Vec::new();
    for p in value["processes"]
        .as_array()
        .context("no processes in the result")?
    {
        let name = p["name"].as_str().unwrap_or("?").to_owned();
        let rss = p["rss"].as_u64().unwrap_or(0);
        let pss = p["pss"].as_u64().unwrap_or(0);
        // Processes of one kind (two web processes, say) are added up.
        match processes.iter_mut().find(|q| q.0 == name) {
            Some(q) => {
                q.1 += rss;
                q.2 += pss;
            }
            None => processes.push((name, rss, pss)),
        }
    }
    let marks = value["marks"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|m| {
                    (
                        m["name"].as_str().unwrap_or("?").to_owned(),
                        m["atMs"].as_f64().unwrap_or(f64::NAN),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Start {
        first_screen_ms,
        ready_ms: value["readyMs"].as_f64().unwrap_or(first_screen_ms),
        how: value["howReactStarted"].as_str().map(str::to_owned),
        marks,
        page_load_ms: value["pageLoadStartMs"].as_f64().unwrap_or(f64::NAN),
        dom_loaded_ms: value["domContentLoadedMs"].as_f64().unwrap_or(f64::NAN),
        processes,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn mib(kib: f64) -> f64 {
    kib / 1024.0
}

fn report(subjects: &[Subject], starts: &[Vec<Start>], runs: usize) -> Result<()> {
    println!(
        "\nStart-up, idle memory and size ({runs} starts each, medians; memory after 8 s idle)\n"
    );
    println!(
        "| app | first screen | process tree PSS | process tree RSS | processes (RSS) | release binary |"
    );
    println!("|---|---:|---:|---:|---|---:|");
    let mut summary: Vec<(f64, f64, f64, Option<f64>)> = Vec::new();
    for (subject, starts) in subjects.iter().zip(starts) {
        let first = median(starts.iter().map(|s| s.first_screen_ms).collect());
        let pss = median(starts.iter().map(|s| s.total_pss() as f64).collect());
        let rss = median(starts.iter().map(|s| s.total_rss() as f64).collect());
        let mut kinds: Vec<String> = Vec::new();
        for (name, _, _) in &starts[0].processes {
            let per = median(
                starts
                    .iter()
                    .map(|s| {
                        s.processes
                            .iter()
                            .find(|p| &p.0 == name)
                            .map_or(0.0, |p| p.1 as f64)
                    })
                    .collect(),
            );
            kinds.push(format!("{name} {:.0}", mib(per)));
        }
        let size = std::fs::metadata(&subject.binary)
            .with_context(|| format!("reading {}", subject.binary.display()))?
            .len() as f64;
        println!(
            "| {} | {first:.0} ms | {:.0} MiB | {:.0} MiB | {} | {:.1} MiB |",
            subject.label,
            mib(pss),
            mib(rss),
            kinds.join(" + "),
            size / 1024.0 / 1024.0
        );
        let painted: Vec<f64> = starts.iter().filter_map(Start::painted_ms).collect();
        let painted = (painted.len() == starts.len()).then(|| median(painted));
        summary.push((first, pss, size, painted));
    }
    println!("\nWhere the time went (medians, from the process start):\n");
    for (subject, starts) in subjects.iter().zip(starts) {
        let page = median(starts.iter().map(|s| s.page_load_ms).collect());
        let dom = median(starts.iter().map(|s| s.dom_loaded_ms).collect());
        let first = median(starts.iter().map(|s| s.first_screen_ms).collect());
        let ready = median(starts.iter().map(|s| s.ready_ms).collect());
        println!(
            "- {}: the page starts loading at {page:.0} ms, DOMContentLoaded at {dom:.0} ms, the first screen is there at {first:.0} ms, usable at {ready:.0} ms",
            subject.label
        );
        let mut hows: Vec<&str> = starts.iter().filter_map(|s| s.how.as_deref()).collect();
        hows.sort_unstable();
        hows.dedup();
        if !hows.is_empty() {
            println!("    React started: {}", hows.join(", "));
        }
        // The page's own milestones (WebKitGTK reports no resource timing
        // for the app's tauri:// and ipc:// requests, so these are the clock).
        for (name, _) in &starts[0].marks {
            let at = median(
                starts
                    .iter()
                    .filter_map(|s| s.marks.iter().find(|m| &m.0 == name).map(|m| m.1))
                    .collect(),
            );
            println!("    {at:>6.0} ms  {name}");
        }
    }
    if let [minimal, rolecall] = summary.as_slice() {
        if let (Some(theirs), Some(ours)) = (minimal.3, rolecall.3) {
            // WebDriver sees an element only when the page's thread is free,
            // which Rolecall's script then holds: the page's own mark says
            // when a person sees it.
            println!(
                "\nFirst screen painted (the page's own mark, after the paint): minimal app {theirs:.0} ms, Rolecall {ours:.0} ms ({:.2}×)",
                ours / theirs
            );
        }
        println!(
            "\nRolecall against the minimal app: first screen {:.2}× (goal ≤ 1.5×), idle memory (PSS) {:.2}× (goal ≤ 1.1×); release binary {:.1} MiB (goal < 20 MB = 19.1 MiB)",
            rolecall.0 / minimal.0,
            rolecall.1 / minimal.1,
            rolecall.2 / 1024.0 / 1024.0
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_of_one_kind_are_added_up() {
        let start = parse(
            r#"{"firstScreenMs":412.5,"readyMs":500,"howReactStarted":"hydrated","pageLoadStartMs":200,"domContentLoadedMs":300,"marks":[{"name":"rolecall:session","atMs":330}],"processes":[{"name":"rolecall","rss":1000,"pss":800},{"name":"WebKitWebProces","rss":300,"pss":200},{"name":"WebKitWebProces","rss":100,"pss":50}]}"#,
        )
        .unwrap();
        assert_eq!(start.first_screen_ms, 412.5);
        assert_eq!(start.painted_ms(), None);
        assert_eq!(start.ready_ms, 500.0);
        assert_eq!(start.how.as_deref(), Some("hydrated"));
        assert_eq!(start.marks, vec![("rolecall:session".to_owned(), 330.0)]);
        assert_eq!(start.processes.len(), 2);
        assert_eq!(start.total_pss(), 1050);
        assert_eq!(start.total_rss(), 1400);
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
