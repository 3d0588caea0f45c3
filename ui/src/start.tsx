import { createRoot, hydrateRoot, type Root } from "react-dom/client";
import { askEarly, type Backend } from "./backend";
import { commands } from "./bindings";
import type { Early } from "./firstScreen/early";
import { root } from "./firstScreen/root";
import { createDOMRenderer } from "@fluentui/react-components";
import { currentTheme } from "./themeChoice";

/**
 * React takes the page (main.tsx loads this once the start script's answers
 * are in, or it stopped waiting for them): it hydrates the sign-in page the
 * start script drew, or renders afresh.
 */
export function start(early: Early | undefined, backend: Backend = commands): Root {
  // The answers in hand go to the first render as its state. Only answers still
  // on their way are handed over to be awaited, once: an answer nobody awaits
  // would be taken, stale, by the next reload (opening the account panel
  // after a sign-in would find nobody signed in).
  if (!early?.answers) askEarly(backend, early);
  const container = document.getElementById("root")!;
  // The drawn page is what React renders from the same answers, unless the
  // theme changed since: then React takes over those elements instead of
  // drawing them again.
  const hydrate = early?.shown !== undefined && early.shown === currentTheme(window);
  // `data-first-screen` says how React started: "hydrated", "rendered" (nothing
  // was drawn before it), or "redrawn" (a drawn page was replaced: its theme
  // changed meanwhile, or it differed from the app's, which the end-to-end
  // journeys catch). React reports only differences it repairs, not those of
  // an attribute: those stay unseen here.
  const html = document.documentElement;
  // Answers already in: the first render shows the first screen, not an empty frame.
  const app = root(early?.answers, {
    renderer: createDOMRenderer(document),
    targetDocument: document,
    backend,
    onCommit: () => {
      html.dataset.firstScreen ??= hydrate ? "hydrated" : early?.shown ? "redrawn" : "rendered";
      performance.mark("rolecall:react-committed");
    },
  });
  if (hydrate) {
    return hydrateRoot(container, app, {
      onRecoverableError: (error) => {
        console.error("the prerendered first screen differed from the app's", error);
        html.dataset.firstScreen = "redrawn";
      },
    });
  }
  container.replaceChildren();
  const rendered = createRoot(container);
  rendered.render(app);
  return rendered;
}
