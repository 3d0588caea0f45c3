// Sign-in through the real window against the harness's emulator: the
// browser sign-in (auth code + PKCE, loopback redirect), the account panel
// with the account's tenants, a restart that is still signed in (the refresh
// token comes back from the real Secret Service), and sign-out. Every IPC
// answer is captured for the harness's token scan.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { byTestId, captureIpc, launch, saveIpc, screenshot, signIn, signOut, waitForAccount } from "../lib/app.mjs";

describe("sign-in, restart, sign-out", () => {
  test("signs in with the browser and sees the account's tenants", async () => {
    const browser = await launch();
    try {
      await captureIpc(browser);
      await byTestId(browser, "sign-in");
      assert.match(await (await byTestId(browser, "account")).getText(), /Not signed in/);
      await screenshot(browser, "signin-1-page");
      await signIn(browser);
      await (await byTestId(browser, "screen-onboard")).waitForDisplayed();
      await (await byTestId(browser, "account")).click();
      const tenants = await byTestId(browser, "tenants");
      await tenants.waitForDisplayed();
      assert.match(await tenants.getText(), /contosodemo\.onmicrosoft\.com · home tenant/);
      assert.match(await (await byTestId(browser, "signed-in-as")).getText(), /Olivia Owner/);
      await screenshot(browser, "signin-2-account-panel");
      const ipc = await saveIpc(browser, "signin-first-run");
      assert.ok(ipc.length > 0, "IPC answers were captured");
    } finally {
      await browser.deleteSession();
    }
  });

  test("a restart is still signed in, silently, and sign-out returns to the sign-in page", async () => {
    const browser = await launch();
    try {
      await captureIpc(browser);
      await waitForAccount(browser, /Olivia Owner/);
      await (await byTestId(browser, "screen-onboard")).waitForDisplayed();
      await screenshot(browser, "signin-3-after-restart");
      await signOut(browser);
      await screenshot(browser, "signin-4-signed-out");
      await saveIpc(browser, "signin-second-run");
    } finally {
      await browser.deleteSession();
    }
  });

  test("after sign-out a restart stays signed out", async () => {
    const browser = await launch();
    try {
      await byTestId(browser, "sign-in");
      // Give a silent sign-in every chance to (wrongly) happen.
      await (await byTestId(browser, "connection")).waitForDisplayed();
      assert.match(await (await byTestId(browser, "account")).getText(), /Not signed in/);
    } finally {
      await browser.deleteSession();
    }
  });
});
