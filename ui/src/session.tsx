import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { CommandError, SessionView_Serialize } from "./bindings";
import { answerOf, useBackend } from "./backend";

/** The accounts on this computer and the one in use, as the backend reports them. */
export type Session = SessionView_Serialize;

type Result = { status: "ok"; data: Session } | { status: "error"; error: CommandError };

export interface SessionState {
  /** `null` until the backend first answered. */
  session: Session | null;
  /** An action is running (sign-in waits for the browser meanwhile). */
  busy: string | null;
  error: CommandError | null;
  clearError: () => void;
  reload: () => Promise<void>;
  /** Runs a backend action that answers with the new session. */
  run: (label: string, action: () => Promise<Result>) => Promise<boolean>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ initial, children }: { initial?: Session; children: ReactNode }) {
  const backend = useBackend();
  // The start script's answer (firstScreen/early.ts), when it came first.
  const [session, setSession] = useState<Session | null>(initial ?? null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  const run = useCallback(async (label: string, action: () => Promise<Result>) => {
    setBusy(label);
    setError(null);
    try {
      const result = await action();
      if (result.status === "ok") {
        setSession(result.data);
        return true;
      }
      setError(result.error);
      return false;
    } finally {
      setBusy(null);
    }
  }, []);

  const reload = useCallback(async () => {
    const result = await answerOf(backend, "getSession");
    performance.mark("rolecall:session");
    if (result.status === "ok") setSession(result.data);
    else {
      setError(result.error);
      setSession((s) => s ?? { accounts: [], active: null });
    }
  }, [backend]);

  useEffect(() => {
    if (!initial) void reload();
  }, [reload, initial]);

  const value = useMemo(
    () => ({ session, busy, error, clearError: () => setError(null), reload, run }),
    [session, busy, error, reload, run],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The session where there is one (screens tested alone have none). */
export function useSessionIfAny(): SessionState | null {
  return useContext(SessionContext);
}

/** The active account, when one is signed in and usable or recoverable. */
export function activeAccount(session: Session | null) {
  if (!session?.active) return null;
  const account = session.accounts.find((a) => a.id === session.active!.accountId);
  return account ? { account, active: session.active } : null;
}
