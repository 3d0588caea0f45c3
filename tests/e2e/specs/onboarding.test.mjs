// Guided onboarding through the real window against the harness's emulator:
// Priya gets every Azure Communications Gateway task (the least set: three
// grants), a second run finds nothing to do, then she is offboarded and the
// tenant holds nothing of hers again. The tenant is read back with
// rolecall-cli's `plan --json` (the same engine, from outside the app).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { accessibilityProblems, byTestId, docsScreenshot, launch, screenshot, signIn, signOut } from "../lib/app.mjs";
import { check, cli, click, searchAndAdd } from "../lib/ui.mjs";

const PRIYA = "priya.shah@contosodemo.onmicrosoft.com";
const TASKS = ["deploy", "support", "monitor", "numbers-view", "numbers-change", "numbers-remove", "numbers-admin"];

const FATIMA = "fatima.zahra@contosodemo.onmicrosoft.com";

/** What the CLI's plan says of a person's ACG grants for `tasks` (all when empty): each item's state. */
async function states(gateway, who = PRIYA, tasks = []) {
  const proposal = await cli(
    "plan",
    "--template",
    "acg-staff",
    "--input",
    `gateway=${gateway}`,
    "--member",
    who,
    ...tasks.flatMap((t) => ["--task", t]),
  );
  return proposal.plan.items.map((i) => i.status.state).sort();
}
const priyasStates = (gateway) => states(gateway);

/** Template → tasks (+ the gateway) → a person → review, expecting `rows` grants. */
async function review(browser, mode, { tasks = TASKS, who = ["priya", "Priya Shah"], rows = 3, shots = false, terms = null } = {}) {
  await click(browser, "nav-activity");
  await click(browser, "nav-onboard");
  await click(browser, `mode-${mode}`);
  await click(browser, "template-acg-staff");
  await click(browser, "expand-Contoso Voice Production");
  await click(browser, "expand-rg-voice-gateway");
  await check(browser, "scope-cgw-contoso-prod");
  for (const task of tasks) await check(browser, `task-${task}`);
  if (shots) await screenshot(browser, "onboard-1-tasks");
  await click(browser, "next-step");
  await searchAndAdd(browser, who[0], who[1]);
  if (shots) await screenshot(browser, "onboard-2-people");
  await click(browser, "next-step");
  if (mode === "onboard") {
    // Assignment type: as the template says, unless the journey chooses.
    await byTestId(browser, "terms-source");
    if (terms) await terms(browser);
    await click(browser, "next-step");
  }
  await browser.waitUntil(async () => (await browser.$$('[data-testid="plan-row"]')).length === rows, {
    timeout: 60_000,
    timeoutMsg: `the review never showed the ${rows} grant(s) of the least set`,
  });
}
const reviewPriya = (browser, mode, shots = false) => review(browser, mode, { shots });

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
    assert.deepEqual(await accessibilityProblems(browser, "onboard-review"), [], "see axe-onboard-review.json");
    await docsScreenshot(browser);
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
    const offboarded = await byTestId(browser, "run-report", 90_000);
    await browser.waitUntil(async () => /Offboarding Priya Shah/.test(await offboarded.getText()), {
      timeout: 90_000,
      timeoutMsg: "the offboarding's report never appeared",
    });
    // Every removal names Azure's request id of its delete (#15.12).
    const removals = await browser.$$('[data-testid="report-item"]').map((i) => i.getText());
    assert.equal(removals.length, 3, removals.join("\n---\n"));
    for (const removal of removals) assert.match(removal, /Azure request id [0-9a-f-]{8,}/, removal);
    await screenshot(browser, "onboard-7-offboarded");
    assert.deepEqual(await priyasStates(gateway), ["toCreate", "toCreate", "toCreate"], "nothing of Priya's after");
  });

  test("undoes a run from its report: only what that run created goes", async () => {
    assert.deepEqual(await states(gateway, FATIMA, ["monitor"]), ["toCreate"]);
    await review(browser, "onboard", { tasks: ["monitor"], who: ["fatima", "Fatima Zahra"], rows: 1 });
    await click(browser, "apply-proposal");
    await byTestId(browser, "run-report", 90_000);
    assert.deepEqual(await states(gateway, FATIMA, ["monitor"]), ["inPlace"]);

    await click(browser, "undo-run");
    await browser.waitUntil(async () => (await browser.$$('[data-testid="plan-row"]')).length === 1, {
      timeout: 60_000,
      timeoutMsg: "the undo's review never showed the one grant",
    });
    await screenshot(browser, "onboard-8-undo-review");
    await click(browser, "apply-proposal");
    await browser.waitUntil(async () => /Undoing: Onboarding Fatima Zahra/.test(await (await byTestId(browser, "run-report")).getText()), {
      timeout: 90_000,
      timeoutMsg: "the undo's report never appeared",
    });
    await screenshot(browser, "onboard-9-undone");
    assert.deepEqual(await states(gateway, FATIMA, ["monitor"]), ["toCreate"]);
  });

  test("after a restart, Activity still lists every write, from the journal (#15.13)", async () => {
    await browser.deleteSession();
    browser = await launch();
    await click(browser, "nav-activity");
    await browser.waitUntil(async () => (await browser.$$('[data-testid="activity"]')).length >= 4, {
      timeout: 30_000,
      timeoutMsg: "Activity did not list the earlier runs after a restart",
    });
    const titles = await browser.$$('[data-testid="activity"]').map((a) => a.getText());
    // Newest first: the undo, then the onboarding it undid, then the earlier ones.
    assert.match(titles[0], /Undoing: Onboarding Fatima Zahra/);
    assert.match(titles[1], /Onboarding Fatima Zahra/);
    assert.ok(titles.some((t) => /Offboarding/.test(t)), titles.join("\n---\n"));
    await screenshot(browser, "onboard-10-activity-after-restart");
    assert.deepEqual(await accessibilityProblems(browser, "activity-history"), [], "see axe-activity-history.json");
  });
});
