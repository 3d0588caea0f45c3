// Guided onboarding through the real window against the harness's emulator:
// Priya gets every Azure Communications Gateway task (the least set: three
// grants), a second run finds nothing to do, then she is offboarded and the
// tenant holds nothing of hers again. The tenant is read back with
// rolecall-cli's `plan --json` (the same engine, from outside the app).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { byTestId, launch, screenshot, signIn, signOut } from "../lib/app.mjs";
import { check, cli, click, searchAndAdd } from "../lib/ui.mjs";

const PRIYA = "priya.shah@contosodemo.onmicrosoft.com";
const TASKS = ["deploy", "support", "monitor", "numbers-view", "numbers-change", "numbers-remove", "numbers-admin"];

/** What the CLI's plan says of Priya's ACG grants: each item's state. */
async function priyasStates(gateway) {
  const proposal = await cli("plan", "--template", "acg-staff", "--input", `gateway=${gateway}`, "--member", PRIYA);
  return proposal.plan.items.map((i) => i.status.state).sort();
}

/** Template → tasks (+ the gateway) → Priya → review. */
async function reviewPriya(browser, mode, shots = false) {
  await click(browser, "nav-activity");
  await click(browser, "nav-onboard");
  await click(browser, `mode-${mode}`);
  await click(browser, "template-acg-staff");
  await click(browser, "expand-Contoso Voice Production");
  await click(browser, "expand-rg-voice-gateway");
  await check(browser, "scope-cgw-contoso-prod");
  for (const task of TASKS) await check(browser, `task-${task}`);
  if (shots) await screenshot(browser, "onboard-1-tasks");
  await click(browser, "next-step");
  await searchAndAdd(browser, "priya", "Priya Shah");
  if (shots) await screenshot(browser, "onboard-2-people");
  await click(browser, "next-step");
  await browser.waitUntil(async () => (await browser.$$('[data-testid="plan-row"]')).length === 3, {
    timeout: 60_000,
    timeoutMsg: "the review never showed the three grants of the least set",
  });
}

describe("guided onboarding through the window", () => {
  let browser;
  let gateway;

  before(async () => {
    browser = await launch();
    await byTestId(browser, "sign-in");
    await signIn(browser);
    const voice = (await cli("subscriptions")).find((s) => s.displayName === "Contoso Voice Production");
    gateway = `${voice.id}/resourceGroups/rg-voice-gateway/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod`;
  });
  after(async () => {
    try {
      await signOut(browser);
    } finally {
      await browser?.deleteSession();
    }
  });

  test("onboards a person with every gateway task, then offboards them", async () => {
    assert.deepEqual(await priyasStates(gateway), ["toCreate", "toCreate", "toCreate"], "nothing of Priya's before");

    await reviewPriya(browser, "onboard", true);
    // The tenant-wide app-role warning, before anything is written.
    await byTestId(browser, "check-warning", 30_000);
    assert.equal((await browser.$$('[data-testid="check-blocker"]')).length, 0);
    await screenshot(browser, "onboard-3-review");
    await click(browser, "apply-proposal");
    const report = await byTestId(browser, "run-report", 90_000);
    await browser.waitUntil(async () => (await browser.$$('[data-testid="report-item"]')).length === 3, {
      timeout: 30_000,
      timeoutMsg: "the report never listed three grants",
    });
    const text = await report.getText();
    assert.match(text, /Onboarding Priya Shah with Azure Communications Gateway staff/);
    assert.match(text, /[0-9a-f]{8}-[0-9a-f]{4}-/, "Azure's request ids are in the report");
    await screenshot(browser, "onboard-4-report");
    assert.deepEqual(await priyasStates(gateway), ["inPlace", "inPlace", "inPlace"]);

    // Again: nothing to do, nothing can be applied.
    await reviewPriya(browser, "onboard");
    await browser.waitUntil(async () => !(await (await byTestId(browser, "apply-proposal")).isEnabled()), {
      timeout: 30_000,
      timeoutMsg: "apply stayed enabled with everything in place",
    });
    await screenshot(browser, "onboard-5-rerun");

    // Offboarding takes exactly those three away.
    await reviewPriya(browser, "offboard");
    await screenshot(browser, "onboard-6-offboard-review");
    await click(browser, "apply-proposal");
    await byTestId(browser, "run-report", 90_000);
    await screenshot(browser, "onboard-7-offboarded");
    assert.deepEqual(await priyasStates(gateway), ["toCreate", "toCreate", "toCreate"], "nothing of Priya's after");
  });
});
