// The page's start script. The build (ui/build/firstScreen.ts) bundles this
// file on its own and inlines it at the top of index.html's <head>, so it runs
// as the window begins to parse the page, long before React and Fluent UI
// (about 800 KB of script) have loaded and run. It:
//   1. asks the backend the start's two questions (how did the start go, who
//      is signed in) at once;
//   2. when the answers mean the first screen is the sign-in page (the start
//      went well, with no notice, and nobody is signed in, as on a new user's
//      first start), draws that page from the markup prerendered at build time
//      in the window's theme;
//   3. leaves the answers, and what it drew, on `window.rolecallEarly` for
//      main.tsx and start.tsx, which hydrates the drawn page (React takes over
//      the same elements) or renders afresh.
// Nothing here may throw into the page: without the Tauri bridge (a browser,
// the dev server's first paint), or with anything unexpected, it does
// nothing and React starts as it always did.

import type { SessionView_Serialize, StartupView_Serialize } from "../bindings";
import { currentTheme, type ResolvedTheme } from "../themeChoice.ts";

/** What the start script leaves for main.tsx. */
export interface Early {
  /** The backend's raw answers (Tauri's `invoke`), asked at once. */
  report: Promise<StartupView_Serialize>;
  session: Promise<SessionView_Serialize>;
  /** Settles once the answers are in and the page is drawn, or not (never rejects). */
  ready: Promise<void>;
  /** Both answers, once in (not when either failed). */
  answers?: { report: StartupView_Serialize; session: SessionView_Serialize };
  /** The prerendered sign-in page was drawn, in this theme. */
  shown?: ResolvedTheme;
  /** React has the page: nothing more is drawn from here. */
  taken?: boolean;
}

type Invoke = (command: string, args?: Record<string, unknown>) => Promise<unknown>;

export type EarlyWindow = Pick<Window, "document" | "localStorage" | "matchMedia" | "performance"> & {
  __TAURI_INTERNALS__?: { invoke?: Invoke };
  rolecallEarly?: Early;
};

/** The id of the <template> holding the prerendered sign-in page in `theme`. */
export function templateId(theme: ResolvedTheme): string {
  return `first-screen-${theme}`;
}

/**
 * Whether these answers make the sign-in page, as the prerender drew it, the
 * first screen: the frame shows the sign-in page when no account is active,
 * and the prerender drew it with no notice and no failure.
 */
export function signInIsFirst(report: StartupView_Serialize, session: SessionView_Serialize): boolean {
  return report.problem === null && report.notices.length === 0 && session.active === null;
}

/** Settles once the page is parsed: the templates and #root are all there. */
function parsed(document: Document): Promise<void> {
  if (document.readyState !== "loading") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (document.readyState === "loading") return;
      document.removeEventListener("readystatechange", done);
      resolve();
    };
    document.addEventListener("readystatechange", done);
  });
}

export function startEarly(win: EarlyWindow): void {
  const invoke = win.__TAURI_INTERNALS__?.invoke;
  if (typeof invoke !== "function") return;
  const report = invoke("startup_report") as Promise<StartupView_Serialize>;
  const session = invoke("get_session") as Promise<SessionView_Serialize>;
  const early: Early = { report, session, ready: Promise.resolve() };
  win.rolecallEarly = early;
  early.ready = Promise.all([report, session, parsed(win.document)]).then(
    ([report, session]) => {
      early.answers = { report, session };
      win.performance.mark("rolecall:answered");
      if (early.taken || !signInIsFirst(report, session)) return;
      const theme = currentTheme(win);
      const template = win.document.getElementById(templateId(theme)) as HTMLTemplateElement | null;
      const root = win.document.getElementById("root");
      if (template?.tagName !== "TEMPLATE" || !root || root.firstChild) return;
      root.append(template.content.cloneNode(true));
      early.shown = theme;
      win.performance.mark("rolecall:first-screen-drawn");
    },
    // A failed answer is React's to show (main.tsx adopts the same promises).
    () => undefined,
  )
    // Nor may an answer of an unexpected shape stop the page: main.tsx awaits this.
    .catch(() => undefined);
}
