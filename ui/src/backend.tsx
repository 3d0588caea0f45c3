import { createContext, useContext, type ReactNode } from "react";
import { commands, type CommandError } from "./bindings";
import type { Early as StartScript } from "./firstScreen/early";

/**
 * The Rust side, as the generated bindings type it. Screens reach it through
 * this context so component tests can hand in a fake with the same type.
 */
export type Backend = typeof commands;

const BackendContext = createContext<Backend>(commands);

export function BackendProvider({ backend, children }: { backend: Backend; children: ReactNode }) {
  return <BackendContext.Provider value={backend}>{children}</BackendContext.Provider>;
}

export function useBackend(): Backend {
  return useContext(BackendContext);
}

type Early = {
  startupReport?: ReturnType<Backend["startupReport"]>;
  getSession?: ReturnType<Backend["getSession"]>;
};
const early = new WeakMap<Backend, Early>();

/**
 * Sends the start's two questions (how did the start go, who is signed in)
 * before React draws anything, so their round trip overlaps the first
 * render instead of following it (effects run after the first paint).
 */
export function askEarly(backend: Backend, asked?: Pick<StartScript, "report" | "session">) {
  early.set(
    backend,
    asked
      ? // The page's start script (firstScreen/early.ts) already asked, through
        // Tauri's bare invoke: the same answers, typed as the bindings type them.
        { startupReport: asked.report, getSession: typedAnswer(asked.session) }
      : { startupReport: backend.startupReport(), getSession: backend.getSession() },
  );
}

/** A bare `invoke` answer as the bindings' typedError types it: a backend error is a value, anything else throws. */
async function typedAnswer<T>(answer: Promise<T>): Promise<{ status: "ok"; data: T } | { status: "error"; error: CommandError }> {
  try {
    return { status: "ok", data: await answer };
  } catch (error) {
    if (error instanceof Error) throw error;
    return { status: "error", error: error as CommandError };
  }
}

/** The answer `askEarly` already asked for, once; later calls ask afresh. */
export function answerOf<K extends keyof Early>(backend: Backend, command: K): NonNullable<Early[K]> {
  const asked = early.get(backend);
  const answer = asked?.[command];
  if (asked && answer) {
    delete asked[command];
    return answer as NonNullable<Early[K]>;
  }
  return backend[command]() as NonNullable<Early[K]>;
}
