// Opening the real Rolecall window through tauri-driver, and keeping evidence.
// Run through `cargo xtask e2e`, which provides the environment variables below.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { remote } from "webdriverio";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`cargo xtask e2e\``);
  return value;
}

/**
 * Starts the app (a new process per session) with extra command-line
 * arguments; `port` picks another tauri-driver (the fresh profile's).
 */
export async function launch(args = [], { port = Number(required("WEBDRIVER_PORT")) } = {}) {
  return remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryTimeout: 120_000,
    connectionRetryCount: 1,
    capabilities: {
      browserName: "wry",
      "tauri:options": { application: required("ROLECALL_APP"), args },
      // WebKitWebDriver speaks classic WebDriver only, not BiDi.
      "wdio:enforceWebDriverClassic": true,
    },
  });
}

/**
 * Saves a screenshot named after the test step into the artifacts folder.
 *
 * It is taken from the X server (the whole virtual screen, window frame and
 * all), not through WebDriver: WebKitWebDriver's snapshot waits on the web
 * process and was seen to hang for minutes under load, blocking the session.
 */
export async function screenshot(browser, name) {
  const dir = required("E2E_ARTIFACTS");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  // Let WebKit paint what the DOM already holds: two animation frames.
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await promisify(execFile)("import", ["-display", required("DISPLAY"), "-window", "root", file], {
    timeout: 20_000,
  });
  return file;
}

/**
 * Saves the window alone (cropped from the X server's screen) as
 * `docs-screenshot.png` in the artifacts: after a green run `cargo xtask e2e`
 * copies it to docs/screenshot.png, so the README always shows today's app.
 */
export async function docsScreenshot(browser) {
  const whole = await screenshot(browser, "docs-screenshot-screen");
  const { x, y, width, height } = await browser.getWindowRect();
  const file = path.join(required("E2E_ARTIFACTS"), "docs-screenshot.png");
  await promisify(execFile)("convert", [whole, "-crop", `${width}x${height}+${x}+${y}`, "+repage", file], {
    timeout: 20_000,
  });
  return file;
}

/** Waits for an element carrying `data-testid`, and returns it. */
export async function byTestId(browser, id, timeout = 20_000) {
  const element = await browser.$(`[data-testid="${id}"]`);
  await element.waitForExist({ timeout });
  return element;
}

/**
 * Records every IPC answer the webview receives from here on: Tauri delivers
 * each through a callback registered in `__TAURI_INTERNALS__.callbacks`, so
 * wrapping that map's `set` sees results and errors exactly as they arrive.
 * `saveIpc` writes them to the artifacts, where the harness scans for tokens.
 */
export async function captureIpc(browser) {
  await browser.execute(() => {
    const callbacks = window.__TAURI_INTERNALS__.callbacks;
    window.__rolecallIpc = [];
    const set = Map.prototype.set;
    callbacks.set = function (id, callback) {
      return set.call(this, id, (data) => {
        window.__rolecallIpc.push(data);
        return callback(data);
      });
    };
  });
}

/** Writes the IPC answers captured since `captureIpc` to `ipc-<name>.json`. */
export async function saveIpc(browser, name) {
  const captured = await browser.execute(() => JSON.stringify(window.__rolecallIpc ?? []));
  const dir = required("E2E_ARTIFACTS");
  await mkdir(dir, { recursive: true });
  const { writeFile } = await import("node:fs/promises");
  await writeFile(path.join(dir, `ipc-${name}.json`), captured);
  return JSON.parse(captured);
}

/** Waits until the header's account button reads `pattern`. */
export async function waitForAccount(browser, pattern, timeout = 60_000) {
  await browser.waitUntil(async () => pattern.test(await (await byTestId(browser, "account")).getText()), {
    timeout,
    timeoutMsg: `the account never read ${pattern}`,
  });
}

/** Signs in through the sign-in page (the harness's ROLECALL_BROWSER picks Olivia). */
export async function signIn(browser) {
  await (await byTestId(browser, "sign-in-browser")).click();
  await waitForAccount(browser, /Olivia Owner/);
}

/** Signs the active account out through the account panel. */
export async function signOut(browser) {
  await (await byTestId(browser, "account")).click();
  await (await byTestId(browser, "sign-out")).click();
  await byTestId(browser, "sign-in");
  await waitForAccount(browser, /Not signed in/);
}

/**
 * Checks the page with axe-core (WCAG 2.1 A and AA rules; Tabster's focus
 * sentinels left out) and returns its
 * serious and critical violations, each with up to five offending elements;
 * every violation found is also written to `axe-<name>.json` in the artifacts.
 */
export async function accessibilityProblems(browser, name) {
  const { createRequire } = await import("node:module");
  const { readFile, writeFile } = await import("node:fs/promises");
  if (!(await browser.execute(() => typeof window.axe !== "undefined"))) {
    const source = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    await browser.execute(source);
  }
  const answer = await browser.executeAsync((done) => {
    // Tabster (Fluent UI's focus manager) places hidden, focusable "dummy
    // inputs" around focus zones on purpose, to hand focus on: they are not
    // content, and axe's aria-hidden-focus rule would flag each one.
    window.axe
      .run({ exclude: [["[data-tabster-dummy]"]] }, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        resultTypes: ["violations"],
      })
      .then((r) =>
        done(
          JSON.stringify(
            r.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.slice(0, 5).map((n) => `${n.html.slice(0, 160)}: ${n.failureSummary}`),
            })),
          ),
        ),
      )
      .catch((e) => done(JSON.stringify([{ id: "axe-failed", impact: "critical", help: String(e), nodes: [] }])));
  });
  const violations = JSON.parse(answer);
  const dir = required("E2E_ARTIFACTS");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `axe-${name}.json`), JSON.stringify(violations, null, 2));
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}
