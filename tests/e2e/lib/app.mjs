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

/** Starts the app (a new process per session) with extra command-line arguments. */
export async function launch(args = []) {
  return remote({
    hostname: "127.0.0.1",
    port: Number(required("WEBDRIVER_PORT")),
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

/** Waits for an element carrying `data-testid`, and returns it. */
export async function byTestId(browser, id, timeout = 20_000) {
  const element = await browser.$(`[data-testid="${id}"]`);
  await element.waitForExist({ timeout });
  return element;
}
