import { act, screen, within } from "@testing-library/react";
import { createDOMRenderer } from "@fluentui/react-components";
import userEvent from "@testing-library/user-event";
import { hydrateRoot, type Root } from "react-dom/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SessionView_Serialize, StartupView_Serialize } from "../bindings";
import { fakeBackend, olivia } from "../test/fakeBackend";
import { RESOLVED_THEMES, THEME_STORAGE_KEY } from "../themeChoice";
import { startEarly, templateId, type EarlyWindow } from "./early";
import { FIRST_START, prerender } from "./prerender";
import { root } from "./root";
import { start } from "../start";

const page = prerender();

/** index.html as the build leaves it: an empty #root and a template per theme. */
function builtPage() {
  document.body.innerHTML =
    '<div id="root"></div>' +
    RESOLVED_THEMES.map((theme) => `<template id="${templateId(theme)}">${page.pages[theme]}</template>`).join("");
}

/** A window whose Tauri bridge answers the start's two questions. */
function bridged(report: StartupView_Serialize, session: SessionView_Serialize) {
  const invoke = vi.fn((command: string) =>
    command === "startup_report"
      ? Promise.resolve(report)
      : command === "get_session"
        ? Promise.resolve(session)
        : Promise.reject(new Error(`unexpected ${command}`)),
  );
  const win = window as unknown as EarlyWindow;
  const saved = win.__TAURI_INTERNALS__;
  win.__TAURI_INTERNALS__ = { ...saved, invoke };
  return {
    win,
    invoke,
    restore: () => {
      win.__TAURI_INTERNALS__ = saved;
      delete win.rolecallEarly;
    },
  };
}

const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

let hydrated: Root | null = null;

afterEach(() => {
  act(() => hydrated?.unmount());
  hydrated = null;
  window.localStorage.clear();
  document.body.innerHTML = "";
});

describe("the start script", () => {
  it("draws the prerendered sign-in page, in the chosen theme, when nobody is signed in", async () => {
    builtPage();
    window.localStorage.setItem(THEME_STORAGE_KEY, "dark");
    const { win, invoke, restore } = bridged(FIRST_START.report, FIRST_START.session);
    try {
      startEarly(win);
      expect(invoke).toHaveBeenCalledWith("startup_report");
      expect(invoke).toHaveBeenCalledWith("get_session");
      await settle();
      const drawn = document.getElementById("root")!;
      expect(within(drawn).getByTestId("sign-in")).toHaveTextContent("Sign in");
      expect(drawn.querySelector("[data-theme]")).toHaveAttribute("data-theme", "dark");
      expect(win.rolecallEarly?.shown).toBe("dark");
      expect(win.rolecallEarly?.answers?.session.active).toBeNull();
    } finally {
      restore();
    }
  });

  it("draws nothing when someone is signed in, the start left a notice, or React came first", async () => {
    const signedIn: SessionView_Serialize = {
      accounts: [olivia],
      active: { accountId: olivia.id, tenantId: olivia.homeTenantId, health: "Ready", message: null },
    };
    const cases: [string, StartupView_Serialize, SessionView_Serialize, boolean][] = [
      ["signed in", FIRST_START.report, signedIn, false],
      ["a notice", { ...FIRST_START.report, notices: ["Your settings were moved aside"] }, FIRST_START.session, false],
      ["a failed start", { problem: { what: "x", todo: "y" }, notices: [], logFolder: null }, FIRST_START.session, false],
      ["React came first", FIRST_START.report, FIRST_START.session, true],
    ];
    for (const [label, report, session, taken] of cases) {
      builtPage();
      const { win, restore } = bridged(report, session);
      try {
        startEarly(win);
        if (taken) win.rolecallEarly!.taken = true;
        await settle();
        expect(document.getElementById("root")!.childElementCount, label).toBe(0);
        expect(win.rolecallEarly?.shown, label).toBeUndefined();
        // The answers are still there for React's first render.
        expect(win.rolecallEarly?.answers?.report, label).toEqual(report);
      } finally {
        restore();
      }
    }
  });

  it("waits for the page to be parsed before drawing into it", async () => {
    builtPage();
    const state = { now: "loading" as DocumentReadyState };
    Object.defineProperty(document, "readyState", { configurable: true, get: () => state.now });
    const { win, restore } = bridged(FIRST_START.report, FIRST_START.session);
    try {
      startEarly(win);
      await settle();
      // The answers are in, but the parser may still be inside a template.
      expect(win.rolecallEarly?.answers).toBeUndefined();
      expect(document.getElementById("root")!.childElementCount).toBe(0);
      state.now = "interactive";
      document.dispatchEvent(new Event("readystatechange"));
      await settle();
      expect(win.rolecallEarly?.shown).toBe("light");
      expect(within(document.getElementById("root")!).getByTestId("sign-in")).toBeInTheDocument();
    } finally {
      delete (document as unknown as { readyState?: unknown }).readyState;
      restore();
    }
  });

  it("settles, drawing nothing, when an answer has a shape it does not know", async () => {
    builtPage();
    // No notices list: reading its length throws.
    const { win, restore } = bridged({ problem: null } as unknown as StartupView_Serialize, {} as SessionView_Serialize);
    try {
      startEarly(win);
      await expect(win.rolecallEarly!.ready).resolves.toBeUndefined();
      expect(document.getElementById("root")!.childElementCount).toBe(0);
    } finally {
      restore();
    }
  });

  it("does nothing without Tauri's bridge (the dev server in a browser)", () => {
    const win = window as unknown as EarlyWindow;
    expect(win.__TAURI_INTERNALS__?.invoke).toBeUndefined();
    startEarly(win);
    expect(win.rolecallEarly).toBeUndefined();
  });
});

describe("the prerendered sign-in page", () => {
  it.each(RESOLVED_THEMES)("is taken over by React as it is, in the %s theme, and then works", async (theme) => {
    document.body.innerHTML = `<div id="root">${page.pages[theme]}</div>`;
    if (theme !== "light") window.localStorage.setItem(THEME_STORAGE_KEY, theme);
    const container = document.getElementById("root")!;
    const drawn = within(container).getByTestId("sign-in");
    const mismatches: unknown[] = [];
    const backend = fakeBackend();
    // Fluent sees jsdom's DOM while prerendering here, so it puts the theme's
    // <style> in <head> instead of the markup (the build's Node prerender has
    // it in the markup): its development check then reports "conflicting ids".
    // Only that message is expected; firstScreen.node.test.tsx checks the
    // build's own markup, and the end-to-end journeys its hydration.
    const errors = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).includes("conflicting ids")) mismatches.push(args);
    });
    await act(async () => {
      hydrated = hydrateRoot(
        container,
        root(FIRST_START, { renderer: createDOMRenderer(document), targetDocument: document, backend }),
        {
          onRecoverableError: (error) => mismatches.push(error),
        },
      );
    });
    // The form comes with the settings, as on any start: React owns the page.
    await within(drawn).findByTestId("tenant-input");
    expect(mismatches).toEqual([]);
    // The same element: React adopted the page instead of drawing another.
    expect(screen.getByTestId("sign-in")).toBe(drawn);
    expect(backend.getSettings).toHaveBeenCalled();
    // The start's answers came with the page: not asked again.
    expect(backend.getSession).not.toHaveBeenCalled();
    expect(backend.startupReport).not.toHaveBeenCalled();
    errors.mockRestore();
  });
});

describe("React taking the drawn page (start.tsx)", () => {
  it("keeps the start's answers for the first render only: a later reload asks the backend", async () => {
    builtPage();
    const user = userEvent.setup();
    const { win, restore } = bridged(FIRST_START.report, FIRST_START.session);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      startEarly(win);
      await settle();
      const early = win.rolecallEarly!;
      expect(early.shown).toBe("light");
      const backend = fakeBackend();
      await act(async () => {
        hydrated = start(early, backend);
      });
      await user.click(await screen.findByTestId("sign-in-browser"));
      await screen.findByTestId("screen-onboard");
      // Opening the account panel reloads the session: from the backend, not
      // the start's answer (nobody signed in), which would send Olivia back
      // to the sign-in page.
      await user.click(screen.getByTestId("account"));
      expect(await screen.findByTestId("signed-in-as")).toHaveTextContent("Olivia Owner");
      expect(screen.queryByTestId("sign-in")).not.toBeInTheDocument();
      expect(document.documentElement.dataset.firstScreen).toBe("hydrated");
    } finally {
      errors.mockRestore();
      restore();
      delete document.documentElement.dataset.firstScreen;
    }
  });
});
