// The sign-in page as a new user's first start shows it, drawn at build time
// (ui/build/firstScreen.ts loads this through Vite's SSR) from the same
// components, in each theme, with Fluent UI's styles collected through
// Griffel's SSR renderer. The start script (early.ts) draws it from index.html
// as soon as the backend says nobody is signed in; start.tsx then hydrates it.
// Only the state that the start script checks (signInIsFirst) is drawn here:
// anything else would not hydrate to the same elements.

import { renderToStaticMarkup, renderToString } from "react-dom/server";
import { createDOMRenderer, renderToStyleElements } from "@fluentui/react-components";
import type { FirstState } from "../App";
import { root } from "./root";
import { RESOLVED_THEMES, type ResolvedTheme } from "../themeChoice";

/** The start's answers that make the sign-in page the first screen (signInIsFirst holds). */
export const FIRST_START: FirstState = {
  report: { problem: null, notices: [], logFolder: null },
  session: { accounts: [], active: null },
};

export interface Prerendered {
  /** Griffel's <style> elements, for <head>: the same atomic classes serve every theme. */
  styles: string;
  /** The markup for #root, per theme (each carries its theme's variables). */
  pages: Record<ResolvedTheme, string>;
}

export function prerender(): Prerendered {
  const renderer = createDOMRenderer();
  const pages = Object.fromEntries(
    RESOLVED_THEMES.map((theme) => [theme, renderToString(root(FIRST_START, { renderer, prerendering: theme }))]),
  ) as Record<ResolvedTheme, string>;
  const styles = renderToStaticMarkup(<>{renderToStyleElements(renderer)}</>);
  return { styles, pages };
}
