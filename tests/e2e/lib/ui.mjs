// Acting in the window as a person would, and reading the tenant back with
// rolecall-cli: shared by the specs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { byTestId } from "./app.mjs";

export const OLIVIA = "olivia.owner@contosodemo.onmicrosoft.com";
const cliPath = () => process.env.ROLECALL_BROWSER.split(" ")[0];

/** rolecall-cli against the harness's emulator, as Olivia (from the app's keychain entries), JSON out. */
export async function cli(...args) {
  const { stdout } = await promisify(execFile)(
    cliPath(),
    ["--cloud-profile", process.env.E2E_CLOUD_PROFILE, "--json", ...args, "--account", OLIVIA],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

/** rolecall-cli as `user` (signed in with `cliLogin`), JSON out. */
export async function cliAs(user, ...args) {
  const { stdout } = await promisify(execFile)(
    cliPath(),
    ["--cloud-profile", process.env.E2E_CLOUD_PROFILE, "--json", ...args, "--account", user],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

/** Signs `user` out of this computer through rolecall-cli. */
export async function cliLogout(user) {
  await promisify(execFile)(cliPath(), ["--cloud-profile", process.env.E2E_CLOUD_PROFILE, "logout", user], { timeout: 60_000 });
}

/** Signs `user` in on this computer through rolecall-cli (the app's keychain entries are shared). */
export async function cliLogin(user) {
  await promisify(execFile)(
    cliPath(),
    [
      "--cloud-profile",
      process.env.E2E_CLOUD_PROFILE,
      "login",
      "--timeout",
      "60",
      "--browser-command",
      `${cliPath()} complete-sign-in --as ${user}`,
    ],
    { timeout: 90_000 },
  );
}

/** Fluent draws its own box over a transparent native checkbox: click that input as a script would. */
export async function check(browser, id) {
  const input = await byTestId(browser, id);
  await browser.execute((el) => el.click(), input);
  await browser.waitUntil(async () => (await input.isSelected()) === true, {
    timeout: 10_000,
    timeoutMsg: `${id} did not become checked`,
  });
}

export async function click(browser, id) {
  const element = await byTestId(browser, id);
  await element.waitForEnabled({ timeout: 20_000 });
  await element.click();
}

/**
 * Types into a (React-controlled) search box as a person would: select what
 * is there and type over it. WebDriver's clear empties the DOM value behind
 * React's back, so the next keystrokes were read as an edit of the old text.
 */
export async function typeOver(browser, id, text) {
  const box = await byTestId(browser, id);
  await box.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  // One element-send-keys: a key array loses repeated letters ("mm") in WebKitWebDriver.
  await box.addValue(text);
}

export async function searchAndAdd(browser, text, name) {
  await typeOver(browser, "member-search", text);
  await click(browser, `add-${name}`);
}
