// Guided onboarding through the real window against the harness's emulator:
// Priya gets every Azure Communications Gateway task (the least set: three
// grants), a second run finds nothing to do, then she is offboarded and the
// tenant holds nothing of hers again. The tenant is read back with
// rolecall-cli's `plan --json` (the same engine, from outside the app).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { accessibilityProblems, byTestId, docsScreenshot, launch, screenshot, signIn, signOut, waitForAccount } from "../lib/app.mjs";
import { check, cli, cliAs, cliLogin, cliLogout, click, OLIVIA, searchAndAdd, typeOver } from "../lib/ui.mjs";

const PRIYA = "priya.shah@contosodemo.onmicrosoft.com";
const TASKS = ["deploy", "support", "monitor", "numbers-view", "numbers-change", "numbers-remove", "numbers-admin"];

const FATIMA = "fatima.zahra@contosodemo.onmicrosoft.com";
const MEI = "mei.chen@contosodemo.onmicrosoft.com";

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

  test("makes a person eligible for 90 days, who activates it, then offboards them through PIM (#17)", async () => {
    const rg = gateway.slice(0, gateway.indexOf("/providers/"));
    await review(browser, "onboard", {
      tasks: ["deploy"],
      who: ["mei", "Mei Chen"],
      rows: 1,
      terms: async (b) => {
        await check(b, "terms-choose");
        await check(b, "kind-eligible");
        // Ends: 90 days is the first choice offered.
        assert.match(await (await byTestId(b, "assignment-ends")).getText(), /90 days/);
        await typeOver(b, "assignment-justification", "Gateway rota");
        await screenshot(b, "onboard-11-assignment-type");
      },
    });
    // The row says how it is held; the role's PIM settings at the scope are listed.
    assert.match(await (await byTestId(browser, "grant-schedule", 30_000)).getText(), /eligible for 90 days/);
    const policy = await (await byTestId(browser, "pim-policy", 30_000)).getText();
    assert.match(policy, /Contributor at rg-voice-gateway.*Eligible: at most 365 days\. Activating: at most 8 hours/s);
    await screenshot(browser, "onboard-12-pim-review");
    await click(browser, "apply-proposal");
    await browser.waitUntil(async () => /Onboarding Mei Chen/.test(await (await byTestId(browser, "run-report", 90_000)).getText()), {
      timeout: 90_000,
      timeoutMsg: "the eligible onboarding's report never appeared",
    });

    // Role assignments: her eligibility, with the day it ends.
    await click(browser, "nav-roleAssignments");
    await click(browser, "view-assignments");
    await click(browser, "expand-Contoso Voice Production");
    await check(browser, "scope-rg-voice-gateway");
    const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    let held = "";
    await browser.waitUntil(
      async () => {
        const rows = await browser.$$('[data-testid="assignment-row"]').map((r) => r.getText());
        held = rows.find((r) => r.includes("Mei Chen")) ?? "";
        return /Eligible · ends/.test(held);
      },
      { timeout: 30_000, timeoutMsg: "Role assignments never listed Mei's eligibility" },
    );
    assert.ok([day(89), day(90), day(91)].some((d) => held.includes(`Eligible · ends ${d}`)), held);
    await screenshot(browser, "onboard-13-eligible-in-assignments");

    // Mei activates it herself in the window, for an hour, with a reason:
    // she signs in on this computer (rolecall-cli login shares the
    // keychain), the account panel lists her, and she switches to herself.
    await cliLogin(MEI);
    try {
      await click(browser, "account");
      await click(browser, `switch-${MEI}`);
      await waitForAccount(browser, /Mei Chen/);
      await browser.keys("Escape");
      await click(browser, "nav-roleAssignments");
      await click(browser, "view-my-roles");
      await click(browser, "activate-Contributor");
      await click(browser, "activate-for");
      await (await browser.$('//*[@role="option"][normalize-space()="1 hour"]')).click();
      await typeOver(browser, "activate-justification", "Gateway incident");
      await click(browser, "activate-confirm");
      const activated = await (await byTestId(browser, "activated", 60_000)).getText();
      assert.match(activated, /Contributor/, activated);
      assert.match(await (await byTestId(browser, "my-role-active", 30_000)).getText(), /Active until/);
      await screenshot(browser, "onboard-13b-mei-activated");
      // Back to Olivia for the offboarding.
      await click(browser, "account");
      await click(browser, `switch-${OLIVIA}`);
      await waitForAccount(browser, /Olivia Owner/);
      await browser.keys("Escape");
      const seen = await cli("assignments", "--scope", rg);
      assert.ok(seen.some((r) => r.member === "Mei Chen" && r.holding === "activated" && r.ends), JSON.stringify(seen));

      // Offboarding takes the eligibility through PIM (waiting out PIM's
      // minimum, shortened by the harness), and says the activation runs out.
      await review(browser, "offboard", { tasks: ["deploy"], who: ["mei", "Mei Chen"], rows: 1 });
      const warnings = await browser.$$('[data-testid="check-warning"]').map((w) => w.getText());
      assert.ok(warnings.some((w) => /Running until it ends/.test(w)), warnings.join("\n"));
      await click(browser, "apply-proposal");
      await browser.waitUntil(async () => /Offboarding Mei Chen/.test(await (await byTestId(browser, "run-report", 120_000)).getText()), {
        timeout: 120_000,
        timeoutMsg: "the offboarding's report never appeared",
      });
      const removed = await browser.$$('[data-testid="report-item"]').map((i) => i.getText());
      assert.equal(removed.length, 1, removed.join("\n"));
      assert.match(removed[0], /Azure request id/);
      const after = await cli("assignments", "--scope", rg);
      assert.ok(!after.some((r) => r.member === "Mei Chen" && r.holding === "eligible"), JSON.stringify(after));
      await screenshot(browser, "onboard-14-offboarded-through-pim");
    } finally {
      // She ends her activation (PIM keeps it its minimum first), then signs out.
      try {
        await browser.waitUntil(
          async () => {
            try {
              await cliAs(MEI, "deactivate", "--scope", rg, "--role", "Contributor");
              return true;
            } catch (e) {
              return /NotActivated/.test(String(e.stdout ?? e));
            }
          },
          { timeout: 60_000, interval: 5_000, timeoutMsg: "Mei's activation could not be ended" },
        );
      } finally {
        await cliLogout(MEI);
      }
    }
  });

  test("approves the activation Carlos asked for, which the role's PIM settings send to Olivia (#17)", async () => {
    const rg = gateway.slice(0, gateway.indexOf("/providers/"));
    await click(browser, "nav-onboard");
    await click(browser, "nav-roleAssignments");
    await click(browser, "view-approvals");
    // Who asks for what, where, for how long and why (the demo's request).
    const row = await byTestId(browser, "approval-row", 30_000);
    await browser.waitUntil(async () => /rg-voice-gateway · resource group/.test(await row.getText()), {
      timeout: 20_000,
      timeoutMsg: "the request's scope is never named",
    });
    const asked = await row.getText();
    assert.match(asked, /Carlos Cloud-Apps.*Owner.*rg-voice-gateway.*2 hours.*CHG-2291/s, asked);
    assert.deepEqual(await accessibilityProblems(browser, "approve-requests"), [], "see axe-approve-requests.json");
    await click(browser, "decide");
    await typeOver(browser, "decide-justification", "Change CHG-2291 approved");
    await click(browser, "approve");
    assert.match(await (await byTestId(browser, "decided", 30_000)).getText(), /Approved: Owner for Carlos Cloud-Apps/);
    await byTestId(browser, "approvals-none", 30_000);
    await screenshot(browser, "onboard-15-approved");
    // His Owner there runs now, as an activation that ends.
    const seen = await cli("assignments", "--scope", rg);
    assert.ok(
      seen.some((r) => r.member === "Carlos Cloud-Apps" && r.role === "Owner" && r.holding === "activated" && r.ends),
      JSON.stringify(seen),
    );
  });
});
