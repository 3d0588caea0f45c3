// Granting access through the real window against the harness's emulator:
// Contributor on a resource group for a user and a group in one run, the
// gateway application's ProvisioningAPI.ReadUser, a re-run that finds
// everything in place, and an admin lacking the right who sees why before
// any write. The emulator's state is checked with rolecall-cli after each.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { accessibilityProblems, byTestId, launch, screenshot, signIn, signOut, waitForAccount } from "../lib/app.mjs";
import { OLIVIA, check, cli, cliLogin, click, searchAndAdd, typeOver } from "../lib/ui.mjs";

const ACG_APP_ID = "8502a0ec-c76d-412f-836c-398018e2312b";
const RITA = "rita.reader@contosodemo.onmicrosoft.com";

/** Scope → Role → Members → Review, in the role assignment wizard. */
async function reviewContributorOnGateway(browser) {
  await click(browser, "nav-roleAssignments");
  await click(browser, "expand-Contoso Voice Production");
  await check(browser, "scope-rg-voice-gateway");
  await screenshot(browser, "access-1-scope");
  await click(browser, "next-step");
  await check(browser, "role-Contributor");
  await screenshot(browser, "access-2-role");
  await click(browser, "next-step");
  await searchAndAdd(browser, "nadia", "Nadia Novak");
  await searchAndAdd(browser, "ACG Op", "ACG Operators");
  await screenshot(browser, "access-3-members");
  await click(browser, "next-step");
  // Assignment type: active and permanent unless chosen otherwise.
  await byTestId(browser, "assignment-kind");
  await click(browser, "next-step");
  await browser.waitUntil(async () => (await browser.$$('[data-testid="plan-row"]')).length === 2, {
    timeout: 30_000,
    timeoutMsg: "the review never showed two grants",
  });
}

/** The app role wizard, up to the review: ReadUser of the gateway's application for Nadia. */
async function reviewReadUserForNadia(browser, role = "ProvisioningAPI.ReadUser", who = ["nadia", "Nadia Novak"]) {
  // A word of the name finds it (Graph splits AzureCommunicationsGateway at
  // its case changes), with the look-alike beside it, flagged.
  await typeOver(browser, "app-search", "gateway");
  await byTestId(browser, `choose-${ACG_APP_ID}`, 30_000);
  await byTestId(browser, "app-warning");
  await typeOver(browser, "app-search", ACG_APP_ID);
  await click(browser, `choose-${ACG_APP_ID}`);
  await check(browser, `approle-${role}`);
  await click(browser, "next-step");
  await searchAndAdd(browser, who[0], who[1]);
  await click(browser, "next-step");
}

const SMTP_ACTIONS = [
  "Microsoft.Communication/CommunicationServices/Read",
  "Microsoft.Communication/CommunicationServices/Write",
  "Microsoft.Communication/EmailServices/write",
];

/**
 * The custom role wizard, up to its JSON step: Reader cloned as "Contoso SMTP
 * Sender", Reader's read-everything wildcard removed, the three SMTP actions added,
 * assignable at rg-email.
 */
async function draftSmtpRole(browser, shots = false) {
  await click(browser, "nav-customRoles");
  await typeOver(browser, "role-name", "Contoso SMTP Sender");
  await click(browser, "clone-Reader");
  await click(browser, "next-step");
  // Reader's */read is flagged where permissions are chosen (issue #15.1).
  const warning = await byTestId(browser, "permission-warnings", 30_000);
  await browser.waitUntil(async () => (await warning.getText()).includes("across every resource provider"), {
    timeout: 30_000,
    timeoutMsg: "no warning about */read on the Permissions step",
  });
  await click(browser, "remove-*/read");
  await typeOver(browser, "operation-search", "communication");
  if (shots) {
    const operations = await browser.$('[aria-label="Operations"]');
    await operations.waitForExist({ timeout: 30_000, timeoutMsg: "no operation list appeared" });
    await screenshot(browser, "role-1-search");
  }
  for (const action of SMTP_ACTIONS) {
    await click(browser, `add-${action}`);
  }
  if (shots) await screenshot(browser, "role-1-permissions");
  await click(browser, "next-step");
  await click(browser, "expand-Contoso Messaging");
  await check(browser, "scope-rg-email");
  await click(browser, "next-step");
}

async function contributorsOnGateway(scope) {
  const rows = await cli("assignments", "--scope", scope);
  // Role assignments only: the demo's eligible Carlos is not one.
  return rows
    .filter((r) => r.role === "Contributor" && !r.inherited && r.holding !== "eligible")
    .map((r) => r.principalType)
    .sort();
}

describe("granting access through the window", () => {
  let browser;
  let gatewayGroup;

  before(async () => {
    const profile = JSON.parse(await readFile(process.env.E2E_CLOUD_PROFILE, "utf8"));
    assert.ok(profile.defaultTenant);
    browser = await launch();
    await byTestId(browser, "sign-in");
    await signIn(browser);
  });
  after(async () => {
    try {
      await signOut(browser);
    } finally {
      await browser?.deleteSession();
    }
  });

  test("Contributor on a resource group for a user and a group in one run, then a re-run finds it in place", async () => {
    const subscriptions = await cli("subscriptions");
    const voice = subscriptions.find((s) => s.displayName === "Contoso Voice Production");
    gatewayGroup = `${voice.id}/resourceGroups/rg-voice-gateway`;
    assert.deepEqual(await contributorsOnGateway(gatewayGroup), ["ServicePrincipal"], "only the deploy identity before");

    await reviewContributorOnGateway(browser);
    // Scopes by name, kind and parents, not raw ids (#15.6).
    await browser.waitUntil(
      async () =>
        (await browser.$$('[data-testid="plan-row"]').map((r) => r.getText())).every(
          (t) => t.includes("rg-voice-gateway · resource group · Contoso Voice Production") && !t.includes("/subscriptions/"),
        ),
      { timeout: 30_000, timeoutMsg: "the review still shows raw scope ids" },
    );
    await screenshot(browser, "access-4-review");
    assert.deepEqual(await accessibilityProblems(browser, "access-review"), [], "see axe-access-review.json");
    await click(browser, "apply");
    const summary = await byTestId(browser, "apply-summary", 60_000);
    assert.match(await summary.getText(), /2 of 2 in place\./);
    await screenshot(browser, "access-5-applied");
    assert.deepEqual(await contributorsOnGateway(gatewayGroup), ["Group", "ServicePrincipal", "User"]);

    // The same again, from the start: nothing to do.
    await click(browser, "nav-onboard");
    await reviewContributorOnGateway(browser);
    await byTestId(browser, "all-in-place", 30_000);
    assert.equal(await (await byTestId(browser, "apply")).isEnabled(), false);
    await screenshot(browser, "access-6-rerun");
  });

  test("finds the smallest role for a support ticket against the live catalogue, and flags a privileged one", async () => {
    // A fresh wizard: away and back.
    await click(browser, "nav-onboard");
    await click(browser, "nav-roleAssignments");
    await click(browser, "expand-Contoso Voice Production");
    await check(browser, "scope-rg-voice-gateway");
    await click(browser, "next-step");
    await click(browser, "find-smallest-role");
    await typeOver(browser, "need-search", "supportTickets/write");
    await click(browser, "need-Microsoft.Support/supportTickets/write");
    await browser.waitUntil(async () => (await browser.$$('[data-testid="ranked-role"]')).length > 1, {
      timeout: 30_000,
      timeoutMsg: "no ranking of the roles that cover a support ticket",
    });
    const ranked = await browser.$$('[data-testid="ranked-role"]').map((r) => r.getText());
    assert.match(ranked[0], /^Support Request Contributor/, ranked.join("\n---\n"));
    assert.ok(ranked.some((r) => /^Owner[\s\S]*Privileged/.test(r)), ranked.join("\n---\n"));
    await screenshot(browser, "access-2b-smallest-role");
    await click(browser, "choose-role-Owner");
    await click(browser, "next-step");
    await searchAndAdd(browser, "nadia", "Nadia Novak");
    await click(browser, "next-step");
    await click(browser, "next-step");
    assert.match(await (await byTestId(browser, "privileged-role", 30_000)).getText(), /Owner is a privileged role/);
    await click(browser, "nav-onboard");
  });

  test("exports what applies at the resource group as CSV, through the export's save step (#15.4)", async () => {
    // The harness answers the Save dialog with a folder (ROLECALL_E2E_SAVE_TO,
    // honoured only under WebDriver); the file must hold the grants just made.
    await click(browser, "nav-roleAssignments");
    await click(browser, "view-assignments");
    await click(browser, "expand-Contoso Voice Production");
    await check(browser, "scope-rg-voice-gateway");
    await click(browser, "export-Csv");
    const saved = await byTestId(browser, "export-saved", 30_000);
    const text = await saved.getText();
    const file = text.slice(text.indexOf("/"));
    assert.ok(file.startsWith(process.env.ROLECALL_E2E_SAVE_TO), `saved to ${file}`);
    const csv = await readFile(file, "utf8");
    const lines = csv.trim().split(/\r?\n/);
    assert.match(lines[0], /Role/);
    assert.ok(lines.some((l) => l.includes("Nadia Novak") && l.includes("Contributor")), csv);
    assert.ok(lines.some((l) => l.includes("ACG Operators") && l.includes("Contributor")), csv);
    await click(browser, "nav-onboard");
  });

  test("ProvisioningAPI.ReadUser on the gateway's application, pinned by application id", async () => {
    await click(browser, "nav-appRoles");
    await typeOver(browser, "app-search", "Project");
    await byTestId(browser, "app-warning", 30_000);
    await screenshot(browser, "access-7-look-alike");
    await reviewReadUserForNadia(browser);
    await click(browser, "apply");
    assert.match(await (await byTestId(browser, "apply-summary", 60_000)).getText(), /1 of 1 in place\./);
    await screenshot(browser, "access-8-app-role");
    const holders = await cli("approle", "list", "--app", ACG_APP_ID);
    assert.ok(
      holders.some((h) => h.principalDisplayName === "Nadia Novak"),
      `Nadia holds an app role: ${JSON.stringify(holders)}`,
    );

    // Again: already in place.
    await click(browser, "nav-onboard");
    await click(browser, "nav-appRoles");
    await reviewReadUserForNadia(browser);
    await byTestId(browser, "all-in-place", 30_000);
    assert.equal(await (await byTestId(browser, "apply")).isEnabled(), false);
    await screenshot(browser, "access-8b-app-role-rerun");
    assert.equal((await cli("approle", "list", "--app", ACG_APP_ID)).length, holders.length);
  });

  test("clones Reader into an SMTP sender role (the Communication Services procedure) and assigns it to the SMTP application", async () => {
    await draftSmtpRole(browser, true);
    await byTestId(browser, "draft-ok", 30_000);
    await screenshot(browser, "role-2-json");
    await click(browser, "next-step");
    await click(browser, "save-role");
    await byTestId(browser, "role-saved", 60_000);
    await screenshot(browser, "role-3-created");
    const messaging = (await cli("subscriptions")).find((s) => s.displayName === "Contoso Messaging");
    const custom = await cli("roles", "--scope", messaging.id, "--custom");
    const created = custom.find((r) => r.properties.roleName === "Contoso SMTP Sender");
    assert.ok(created, "ARM holds the role");
    assert.deepEqual(created.properties.permissions[0].actions.sort(), [...SMTP_ACTIONS].sort());

    // Assign it now: the role and its assignable scope come along (issue
    // #15.9); the procedure assigns it on the Communication Services resource
    // itself, to the SMTP application.
    await click(browser, "assign-now");
    const summary = await byTestId(browser, "assign-summary", 30_000);
    await browser.waitUntil(async () => (await summary.getText()).startsWith("1 scope × 1 role"), {
      timeout: 10_000,
      timeoutMsg: "the new role and its scope did not come along",
    });
    await click(browser, "back-step");
    await click(browser, "back-step");
    await click(browser, "expand-Contoso Messaging");
    await click(browser, "expand-rg-email");
    const rgEmail = await byTestId(browser, "scope-rg-email");
    await browser.execute((el) => el.click(), rgEmail);
    await browser.waitUntil(async () => !(await rgEmail.isSelected()), { timeout: 10_000, timeoutMsg: "rg-email stayed chosen" });
    await check(browser, "scope-acs-contoso-mail");
    await click(browser, "next-step");
    await click(browser, "next-step");
    await searchAndAdd(browser, "Contoso SMTP", "Contoso SMTP Relay");
    await click(browser, "next-step");
    await click(browser, "next-step");
    await click(browser, "apply");
    assert.match(await (await byTestId(browser, "apply-summary", 60_000)).getText(), /1 of 1 in place\./);
    await screenshot(browser, "role-4-assigned");
    const acs = `${messaging.id}/resourceGroups/rg-email/providers/Microsoft.Communication/communicationServices/acs-contoso-mail`;
    const rows = await cli("assignments", "--scope", acs);
    assert.ok(
      rows.some((r) => r.role === "Contoso SMTP Sender" && r.principalType === "ServicePrincipal"),
      JSON.stringify(rows),
    );

    // Again, the same role: already in place, nothing to write.
    await click(browser, "nav-onboard");
    await draftSmtpRole(browser);
    await click(browser, "next-step");
    await byTestId(browser, "role-in-place", 30_000);
    await screenshot(browser, "role-5-rerun");
    assert.equal(
      (await cli("roles", "--scope", messaging.id, "--custom")).filter((r) => r.properties.roleName === "Contoso SMTP Sender").length,
      1,
    );
  });

  test("an admin without the right sees why before anything is written", async () => {
    // Rita (Reader) signs in on this computer through the CLI, then the app switches to her.
    await cliLogin(RITA);
    await browser.refresh();
    await (await byTestId(browser, "account")).click();
    await click(browser, `switch-${RITA}`);
    await waitForAccount(browser, /Rita Reader/);
    await browser.keys("Escape");
    const before = await contributorsOnGateway(gatewayGroup);

    await reviewContributorOnGateway(browser);
    const blocked = await byTestId(browser, "blocked-summary", 30_000);
    assert.match(await blocked.getText(), /2 of 2 cannot be made with your rights/);
    const review = await (await browser.$('[aria-label="Review"]')).getText();
    assert.match(review, /roleAssignments\/write/);
    assert.equal(await (await byTestId(browser, "apply")).isEnabled(), false);
    await screenshot(browser, "access-9-blocked");
    assert.deepEqual(await contributorsOnGateway(gatewayGroup), before, "nothing was written");

    // App roles: Rita holds no directory role that may assign them.
    const holders = (await cli("approle", "list", "--app", ACG_APP_ID)).length;
    await click(browser, "nav-appRoles");
    await reviewReadUserForNadia(browser, "ProvisioningAPI.WriteUser", ["tom", "Tom Baker"]);
    const appBlocked = await byTestId(browser, "blocked-summary", 30_000);
    assert.match(await appBlocked.getText(), /cannot be made with your rights/);
    assert.match(await (await browser.$('[aria-label="Review"]')).getText(), /Cloud Application Administrator/);
    await screenshot(browser, "access-10-app-role-blocked");
    assert.equal((await cli("approle", "list", "--app", ACG_APP_ID)).length, holders, "nothing was written");

    // Custom roles: Rita may not write role definitions at the gateway's group.
    const roles = await cli("roles", "--scope", gatewayGroup, "--custom");
    await click(browser, "nav-customRoles");
    await typeOver(browser, "role-name", "Rita Gateway Reader");
    await click(browser, "clone-Reader");
    await click(browser, "next-step");
    await click(browser, "next-step");
    await click(browser, "expand-Contoso Voice Production");
    await check(browser, "scope-rg-voice-gateway");
    await click(browser, "next-step");
    await click(browser, "next-step");
    const roleIssues = await byTestId(browser, "draft-issues", 30_000);
    assert.match(await roleIssues.getText(), /roleDefinitions\/write/);
    assert.equal(await (await byTestId(browser, "save-role")).isEnabled(), false);
    await screenshot(browser, "access-11-role-blocked");
    assert.equal((await cli("roles", "--scope", gatewayGroup, "--custom")).length, roles.length);

    // Back to Olivia, and Rita signed out, for the specs after this one.
    await (await byTestId(browser, "account")).click();
    await click(browser, "sign-out");
    await waitForAccount(browser, /Olivia Owner/);
  });

  test("an elevated Global Administrator walks the management groups, grants at one, and sees it inherited below", async () => {
    const MEI = "mei.chen@contosodemo.onmicrosoft.com";
    const workloads = "/providers/Microsoft.Management/managementGroups/mg-workloads";
    const voice = (await cli("subscriptions")).find((s) => s.displayName === "Contoso Voice Production");
    // As in the portal's "Access management for Azure resources".
    await cli("elevate-access");
    try {
      await click(browser, "nav-onboard");
      await click(browser, "nav-roleAssignments");
      // The tree starts at the root group now; subscriptions sit in their groups.
      await click(browser, "expand-Tenant Root Group");
      await click(browser, "expand-Contoso Workloads");
      await byTestId(browser, "scope-Contoso Voice Production", 30_000);
      await check(browser, "scope-Contoso Workloads");
      await screenshot(browser, "access-12-management-group");
      await click(browser, "next-step");
      await check(browser, "role-Reader");
      await click(browser, "next-step");
      await searchAndAdd(browser, "mei", "Mei Chen");
      await click(browser, "next-step");
      await click(browser, "next-step");
      await browser.waitUntil(
        async () => (await browser.$$('[data-testid="plan-row"]').map((r) => r.getText())).some((t) => t.includes("Contoso Workloads · management group · Tenant Root Group")),
        { timeout: 30_000, timeoutMsg: "the review does not name the management group" },
      );
      await click(browser, "apply");
      assert.match(await (await byTestId(browser, "apply-summary", 60_000)).getText(), /1 of 1 in place\./);
      const atVoice = await cli("assignments", "--scope", voice.id);
      assert.ok(
        atVoice.some((a) => a.role === "Reader" && a.inherited && a.scope.toLowerCase() === workloads.toLowerCase()),
        `Mei's Reader reaches the voice subscription from the group: ${JSON.stringify(atVoice)}`,
      );

      // The same role for her on a resource group below: already inherited.
      await click(browser, "nav-onboard");
      await click(browser, "nav-roleAssignments");
      await click(browser, "expand-Tenant Root Group");
      await click(browser, "expand-Contoso Workloads");
      await click(browser, "expand-Contoso Voice Production");
      await check(browser, "scope-rg-voice-gateway");
      await click(browser, "next-step");
      await check(browser, "role-Reader");
      await click(browser, "next-step");
      await searchAndAdd(browser, "mei", "Mei Chen");
      await click(browser, "next-step");
      await click(browser, "next-step");
      await byTestId(browser, "all-in-place", 30_000);
      const row = await (await byTestId(browser, "plan-row")).getText();
      assert.match(row, /Inherited/);
      assert.match(row, /From Contoso Workloads · management group/);
    } finally {
      // The specs after this one start from the demo tenant as it was.
      await cli("unassign", "--scope", workloads, "--role", "Reader", "--member", MEI).catch(() => {});
      await cli("unassign", "--scope", "/", "--role", "User Access Administrator", "--member", OLIVIA);
    }
  });

  test("makes a person eligible for 90 days through PIM, the role's settings checked first, and a re-run finds it", async () => {
    const eligibleReader = async () => {
      await click(browser, "nav-onboard");
      await click(browser, "nav-roleAssignments");
      await click(browser, "expand-Contoso Voice Production");
      await check(browser, "scope-rg-voice-gateway");
      await click(browser, "next-step");
      await check(browser, "role-Reader");
      await click(browser, "next-step");
      await searchAndAdd(browser, "diego", "Diego Alvarez");
      await click(browser, "next-step");
      await check(browser, "kind-eligible");
      await typeOver(browser, "assignment-justification", "Gateway on-call rota");
      await screenshot(browser, "access-13-eligible");
      await click(browser, "next-step");
    };
    await eligibleReader();
    const row = await byTestId(browser, "plan-row", 30_000);
    await browser.waitUntil(async () => (await row.getText()).includes("eligible for 90 days"), {
      timeout: 30_000,
      timeoutMsg: "the review does not say eligible for 90 days",
    });
    await click(browser, "apply");
    assert.match(await (await byTestId(browser, "apply-summary", 60_000)).getText(), /1 of 1 in place\./);
    // The same again: PIM's eligibility is found in place.
    await eligibleReader();
    await byTestId(browser, "all-in-place", 30_000);
    await click(browser, "nav-onboard");
  });
});
