import { createContext, useContext, type ReactNode } from "react";
import { commands } from "./bindings";

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
