// Rolecall as a new user starts it: a tauri-driver whose environment is an
// empty home folder and nothing else Rolecall knows (no XDG folder, no
// ROLECALL_* variable, no cloud profile; see FreshProfile in
// crates/xtask/src/e2e.rs). Each start must reach its first screen, and the
// second start must find what the first one saved.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, describe, test } from "node:test";
import { byTestId, launch, screenshot, signIn, signOut, waitForAccount } from "../lib/app.mjs";

const HOME = process.env.FRESH_HOME;
const PORT = Number(process.env.FRESH_WEBDRIVER_PORT);
const CONFIG = () => path.join(HOME, ".config", "app.rolecall.desktop");
const DATA = () => path.join(HOME, ".local", "share", "app.rolecall.desktop");

async function emptyHome() {
  for (const entry of await readdir(HOME)) await rm(path.join(HOME, entry), { recursive: true, force: true });
  assert.deepEqual(await readdir(HOME), [], "the home folder starts empty");
}

/** Starts the app on the fresh profile and waits for its first screen (the sign-in page or the app). */
async function start(args = []) {
  const browser = await launch(args, { port: PORT });
  await browser.waitUntil(
    async () =>
      (await browser.$('[data-testid="sign-in"]').isExisting()) ||
      (await browser.$('[data-testid^="screen-"]').isExisting()) ||
      (await browser.$('[data-testid="startup-failure"]').isExisting()),
    { timeout: 60_000, timeoutMsg: "the first screen never showed" },
  );
  assert.equal(
    await browser.$('[data-testid="startup-failure"]').isExisting(),
    false,
    `the start failed: ${await browser.$('[data-testid="startup-failure"]').getText().catch(() => "")}`,
  );
  return browser;
}

/**
 * How React took the page (ui/src/main.tsx): "hydrated" over the sign-in page
 * the start script drew from the prerender, "rendered" with nothing drawn
 * before it, "redrawn" when the drawn page differed from the app's own.
 */
async function howReactStarted(browser) {
  let how = null;
  await browser.waitUntil(
    async () => (how = await browser.execute(() => document.documentElement.dataset.firstScreen ?? null)) !== null,
    { timeout: 30_000, timeoutMsg: "React never committed its first render" },
  );
  // The inline start script ran (the CSP let it: Tauri hashes it) and asked the start's questions.
  const asked = await browser.execute(() => window.rolecallEarly?.answers !== undefined);
  assert.ok(asked, "the page's start script did not run or got no answers");
  return how;
}

describe("a new user's first start (empty home folder, nothing prepared)", () => {
  let browser;
  after(async () => {
    await browser?.deleteSession().catch(() => {});
  });

  test("plain `rolecall` reaches the sign-in page on the demo tenant, signs in, and the next start is still signed in", async () => {
    assert.ok(HOME && PORT, "run through `cargo xtask e2e`");
    await emptyHome();

    browser = await start();
    await byTestId(browser, "sign-in");
    assert.equal(await (await byTestId(browser, "demo-badge")).getText(), "Demo");
    assert.equal(await browser.$('[data-testid="startup-notices"]').isExisting(), false, "nothing to warn about");
    // The sign-in page comes prerendered: drawn before React runs, then
    // hydrated, not redrawn (the drawn page differed) nor rendered (nothing
    // was drawn: the start's answers took over 250 ms, or the page lacks it).
    assert.equal(await howReactStarted(browser), "hydrated", "the first screen was not the prerendered page (ui/src/firstScreen)");
    await screenshot(browser, "firstrun-1-first-screen");
    // The person's browser (the system's URL opener) completes the sign-in.
    await signIn(browser);
    await browser.deleteSession();
    browser = null;

    // What the first start made, in the platform's folders.
    const settings = JSON.parse(await readFile(path.join(CONFIG(), "settings.json"), "utf8"));
    assert.match(settings.activeAccount ?? "", /\./, "the account in use is remembered");
    assert.ok(existsSync(path.join(CONFIG(), "demo-tenant.json")), "the demo tenant's state is kept");
    const logs = await readdir(path.join(DATA(), "logs"));
    assert.ok(logs.some((name) => name.startsWith("rolecall")), `a log file: ${logs}`);

    browser = await start();
    await waitForAccount(browser, /Olivia Owner/);
    await byTestId(browser, "screen-onboard");
    // Signed in: the start script draws no sign-in page.
    assert.equal(await howReactStarted(browser), "rendered");
    await screenshot(browser, "firstrun-2-second-start");
    await signOut(browser);
    await browser.deleteSession();
    browser = null;
  });

  test("`rolecall --demo` on an empty home folder reaches the sign-in page", async () => {
    await emptyHome();
    browser = await start(["--demo"]);
    await byTestId(browser, "sign-in");
    assert.equal(await (await byTestId(browser, "demo-badge")).getText(), "Demo");
    await browser.deleteSession();
    browser = null;
    assert.ok(existsSync(path.join(CONFIG(), "demo-tenant.json")));
  });

  test("a damaged settings file is kept aside and the app starts with the defaults, saying so", async () => {
    await emptyHome();
    const { mkdir } = await import("node:fs/promises");
    await mkdir(CONFIG(), { recursive: true });
    await writeFile(path.join(CONFIG(), "settings.json"), '{"cloud": {"kind": "demo"}, "tenant": ');
    browser = await start();
    const notices = await byTestId(browser, "startup-notices");
    assert.match(await notices.getText(), /settings file could not be used/);
    await byTestId(browser, "sign-in");
    // A notice is not in the prerendered page: React draws this one.
    assert.equal(await howReactStarted(browser), "rendered");
    await screenshot(browser, "firstrun-3-damaged-settings");
    const kept = (await readdir(CONFIG())).filter((name) => name.startsWith("settings.json.damaged-"));
    assert.equal(kept.length, 1, `the damaged file is kept: ${await readdir(CONFIG())}`);
    assert.equal(await readFile(path.join(CONFIG(), kept[0]), "utf8"), '{"cloud": {"kind": "demo"}, "tenant": ');
    await browser.deleteSession();
    browser = null;
  });

  test("a cloud profile that cannot be read gets the error screen, not a crash", async () => {
    await emptyHome();
    browser = await launch(["--cloud-profile", path.join(HOME, "no-such-profile.json")], { port: PORT });
    const failure = await byTestId(browser, "startup-failure", 60_000);
    const text = await failure.getText();
    assert.match(text, /Rolecall could not start/);
    assert.match(text, /no-such-profile\.json/);
    assert.match(text, /app\.rolecall\.desktop[/\\]logs/, "the log folder is named");
    await screenshot(browser, "firstrun-4-failed-start");
    await browser.deleteSession();
    browser = null;
  });
});
