import { StrictMode, useEffect, type ReactElement, type ReactNode } from "react";
import { RendererProvider, SSRProvider, type GriffelRenderer } from "@fluentui/react-components";
import { App, type FirstState } from "../App";
import type { Backend } from "../backend";
import type { ResolvedTheme } from "../themeChoice";

/** Calls `onCommit` once React's first render is on the page (hydrated or drawn). */
function Committed({ onCommit, children }: { onCommit?: () => void; children: ReactNode }) {
  useEffect(() => onCommit?.(), [onCommit]);
  return children;
}

/**
 * The element React renders into #root: start.tsx and the prerender
 * (prerender.tsx) both build it here, so hydration meets the same tree.
 * Fluent's SSR set-up is part of it on both sides: `RendererProvider` with
 * the document lets Griffel adopt the prerendered <style> elements instead of
 * inserting every rule again, and `SSRProvider` keeps what Fluent draws only
 * in the browser (portals) out of the first render on both sides.
 */
export function root(
  initial: FirstState | undefined,
  {
    renderer,
    targetDocument,
    onCommit,
    prerendering,
    backend,
  }: {
    renderer: GriffelRenderer;
    /** The page's document; none while prerendering. */
    targetDocument?: Document;
    onCommit?: () => void;
    prerendering?: ResolvedTheme;
    backend?: Backend;
  },
): ReactElement {
  return (
    <StrictMode>
      <RendererProvider renderer={renderer} targetDocument={targetDocument}>
        <SSRProvider>
          <Committed onCommit={onCommit}>
            <App initial={initial} prerendering={prerendering} backend={backend} />
          </Committed>
        </SSRProvider>
      </RendererProvider>
    </StrictMode>
  );
}
