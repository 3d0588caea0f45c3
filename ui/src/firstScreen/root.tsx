import { StrictMode, useEffect, type ReactElement, type ReactNode } from "react";
import { App, type FirstState } from "../App";
import type { Backend } from "../backend";
import type { ResolvedTheme } from "../themeChoice";

/** Calls `onCommit` once React's first render is on the page (hydrated or drawn). */
function Committed({ onCommit, children }: { onCommit?: () => void; children: ReactNode }) {
  useEffect(() => onCommit?.(), [onCommit]);
  return children;
}

/**
 * The element React renders into #root: main.tsx and the prerender
 * (prerender.tsx) both build it here, so hydration meets the same tree.
 */
export function root(
  initial: FirstState | undefined,
  {
    onCommit,
    prerendering,
    backend,
  }: { onCommit?: () => void; prerendering?: ResolvedTheme; backend?: Backend } = {},
): ReactElement {
  return (
    <StrictMode>
      <Committed onCommit={onCommit}>
        <App initial={initial} prerendering={prerendering} backend={backend} />
      </Committed>
    </StrictMode>
  );
}
