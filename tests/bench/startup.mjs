// One measured start of one app, for `cargo xtask bench startup`, which builds
// the apps, starts Xvfb, a Secret Service and a tauri-driver on a fresh
// profile, and passes what this script needs in the environment:
//   BENCH_APP       the binary to start (through tauri-driver)
//   BENCH_ARGS      its arguments, as a JSON array
//   BENCH_SELECTOR  the CSS selector that means "the first screen is there"
//   BENCH_READY     the CSS selector that means "it can be used" (the sign-in
//                   form, which waits for the settings), when that comes later
//   WEBDRIVER_PORT  the tauri-driver to ask
//   BENCH_IDLE_MS   how long to leave the app idle before reading its memory
// It prints one JSON line: the time from the app's process start to the first
// screen, and the memory of the app's process tree after the idle time.
import { readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { remote } from "webdriverio";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through \`cargo xtask bench startup\``);
  return value;
}

const app = realpathSync(required("BENCH_APP"));
const args = JSON.parse(process.env.BENCH_ARGS ?? "[]");
const selector = required("BENCH_SELECTOR");
const ready = process.env.BENCH_READY || selector;
const idleMs = Number(process.env.BENCH_IDLE_MS ?? "8000");

/** Every process's parent, command name and start (ms since the epoch). */
function processes() {
  // The boot time from the uptime (10 ms steps), not /proc/stat's btime,
  // which is rounded to the second.
  const uptimeSeconds = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const bootMs = Date.now() - uptimeSeconds * 1000;
  // The kernel counts start times in clock ticks; USER_HZ is 100 on Linux.
  const ticksPerSecond = 100;
  const all = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may itself hold spaces.
      const close = text.lastIndexOf(")");
      const name = text.slice(text.indexOf("(") + 1, close);
      const fields = text.slice(close + 2).split(" ");
      let exe = null;
      try {
        exe = readlinkSync(`/proc/${entry}/exe`);
      } catch {
        // Another user's process, or one that just ended.
      }
      all.set(Number(entry), {
        pid: Number(entry),
        name,
        exe,
        ppid: Number(fields[1]),
        startMs: bootMs + (Number(fields[19]) / ticksPerSecond) * 1000,
      });
    } catch {
      // It ended while being read.
    }
  }
  return all;
}

/** The app's process (the newest with its binary) and every descendant. */
function tree() {
  const all = processes();
  const roots = [...all.values()].filter((p) => p.exe === app).sort((a, b) => b.startMs - a.startMs);
  if (roots.length === 0) throw new Error(`no process runs ${app}`);
  const found = [roots[0]];
  for (let i = 0; i < found.length; i += 1) {
    for (const p of all.values()) if (p.ppid === found[i].pid) found.push(p);
  }
  return found;
}

/** Resident and proportional set sizes, in KiB. */
function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  let pss = 0;
  try {
    pss = Number(/^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
  } catch {
    // smaps_rollup needs Linux 4.14; without it PSS stays unknown (0).
  }
  return { rss, pss };
}

const sessionStarted = Date.now();
const browser = await remote({
  hostname: "127.0.0.1",
  port: Number(required("WEBDRIVER_PORT")),
  logLevel: "error",
  connectionRetryTimeout: 120_000,
  connectionRetryCount: 1,
  capabilities: {
    browserName: "wry",
    "tauri:options": { application: app, args },
    "wdio:enforceWebDriverClassic": true,
  },
});
try {
  // Polled every 10 ms: the first answer that finds the element is the time.
  await browser.$(selector).waitForExist({ timeout: 60_000, interval: 10 });
  const seen = Date.now();
  await browser.$(ready).waitForExist({ timeout: 60_000, interval: 10 });
  const usable = Date.now();
  const processesNow = tree();
  const started = processesNow[0].startMs;
  // Where the time went, from the page's own clock: when the page began to
  // load, when its scripts had run, and the app's own marks, all from the
  // process start.
  const page = await browser.execute(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return {
      timeOrigin: performance.timeOrigin,
      domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
      marks: performance.getEntriesByType("mark").map((m) => ({ name: m.name, start: m.startTime })),
      // How React started: "hydrated" (over the page the start script drew),
      // "rendered" (nothing drawn before it) or "redrawn" (the two differed).
      firstScreen: document.documentElement.dataset.firstScreen ?? null,
    };
  });
  const fromStart = (pageMs) => Math.round(page.timeOrigin + pageMs - started);
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  const idle = tree().map((p) => ({ name: p.name, pid: p.pid, ...memory(p.pid) }));
  console.log(
    JSON.stringify({
      firstScreenMs: seen - started,
      readyMs: usable - started,
      howReactStarted: page.firstScreen,
      sessionToFirstScreenMs: seen - sessionStarted,
      pageLoadStartMs: fromStart(0),
      domContentLoadedMs: page.domContentLoaded === null ? null : fromStart(page.domContentLoaded),
      marks: page.marks.map((m) => ({ name: m.name, atMs: fromStart(m.start) })),
      processes: idle,
    }),
  );
} finally {
  await browser.deleteSession();
}
