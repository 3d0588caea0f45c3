import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// Fluent renders slowly in jsdom, and CI runs on two shared cores: the
// default 1 s for findBy*/waitFor failed there while a screen was still
// mounting. Waiting longer never makes a wrong screen pass; it only gives a
// right one time to appear.
configure({ asyncUtilTimeout: 10_000 });

// Node-environment tests (// @vitest-environment node) have no window at all.
const browserLike = typeof window !== "undefined";

// jsdom has no matchMedia; the theme hook listens to it.
if (browserLike && !window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// jsdom has no ResizeObserver; Fluent's MessageBar measures itself with one.
// Layout does not exist in jsdom, so an observer that never fires is faithful.
if (browserLike && !("ResizeObserver" in window)) {
  class InertResizeObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  (window as unknown as { ResizeObserver: typeof InertResizeObserver }).ResizeObserver = InertResizeObserver;
}

// `new Channel()` registers its handler with Tauri's IPC, which jsdom lacks.
// Handing out ids is all the UI's code paths need; the fake backend then
// delivers messages through the channel's handler, as the IPC would.
if (browserLike) {
  const w = window as unknown as { __TAURI_INTERNALS__?: { transformCallback: () => number } };
  let next = 0;
  w.__TAURI_INTERNALS__ ??= { transformCallback: () => ++next };
}
