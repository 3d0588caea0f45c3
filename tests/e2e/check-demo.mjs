// `cargo xtask demo --check`: the app started with `--demo` on a fresh
// profile must show its first screen (the sign-in page on the demo tenant).
// Exits non-zero when it does not. Started by crates/xtask (check_demo).
import { launch } from "./lib/app.mjs";

const port = Number(process.env.FRESH_WEBDRIVER_PORT);
const browser = await launch(["--demo"], { port });
try {
  const signIn = await browser.$('[data-testid="sign-in"]');
  await signIn.waitForExist({ timeout: 60_000, timeoutMsg: "the sign-in page never showed" });
  const badge = await browser.$('[data-testid="demo-badge"]');
  await badge.waitForExist({ timeout: 20_000, timeoutMsg: "the demo badge never showed" });
  const failure = await browser.$('[data-testid="startup-failure"]');
  if (await failure.isExisting()) throw new Error(`the start failed: ${await failure.getText()}`);
  console.log("demo check: the first screen (sign-in on the demo tenant) showed on a fresh profile");
} finally {
  await browser.deleteSession();
}
