// The page's module entry: small on purpose. React, Fluent UI and the app
// (start.tsx, ~800 KB of script that holds the window's thread while it runs)
// load only after the start script's sign-in page has been painted. (Naming
// them in <head> for the window to fetch early was measured slower: WebKit
// then parses them while the page should be painted.)
import type { EarlyWindow } from "./firstScreen/early";
import "./base.css";

/**
 * How long React waits for the start's answers before drawing the frame
 * without them. They usually come a few milliseconds after this script runs;
 * a start slower than this (a keychain that takes its time) gets the frame
 * meanwhile, a quarter of a second later than without the wait.
 */
const ANSWER_WAIT_MS = 250;
/** How long the drawn page may take to be painted before the app loads anyway. */
const PAINT_WAIT_MS = 100;

// Milestones of the start, read by `cargo xtask bench --only startup`.
performance.mark("rolecall:script-run");

// The page's start script (firstScreen/early.ts, inline in index.html) has
// asked the start's questions and may draw the prerendered sign-in page.
const early = (window as EarlyWindow).rolecallEarly;
if (early && !early.answers) {
  // The answers usually come while this loads; if not, wait a moment for
  // them (so the page is drawn once, with them) but no more: a slow start (a
  // keychain that takes its time) gets the frame drawn meanwhile.
  await Promise.race([early.ready, new Promise((resolve) => setTimeout(resolve, ANSWER_WAIT_MS))]);
}
// From here React has the page: the start script draws nothing more.
if (early) early.taken = true;
if (early?.shown) {
  // Let the window paint the drawn page before the app's script runs: the
  // frame's callback comes before the paint, the timeout after it. A hidden
  // window (started minimised, covered) gets no frames: not waited for.
  await Promise.race([
    new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))),
    new Promise((resolve) => setTimeout(resolve, PAINT_WAIT_MS)),
  ]);
  performance.mark("rolecall:first-screen-painted");
}
const { start } = await import("./start");
start(early);
