import { useCallback, useEffect, useRef, useState } from "react";
import type { CommandError } from "../bindings";

/** What every command answers through the generated bindings. */
export type Answer<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

/** A command's answer as a screen shows it. */
export interface Loaded<T> {
  data: T | null;
  error: CommandError | null;
  loading: boolean;
  /** Asks again (after the admin fixed something). */
  reload: () => void;
}

/** A rejected promise (IPC itself failed) as the admin reads it. */
export function asCommandError(thrown: unknown): CommandError {
  if (thrown && typeof thrown === "object" && "code" in thrown && "message" in thrown) {
    return thrown as CommandError;
  }
  return { kind: "Other", code: "Unexpected", message: thrown instanceof Error ? thrown.message : String(thrown) };
}

/**
 * Runs `call` when `deps` change (and on `reload`), and always ends in data or
 * an error: a refused command or a rejected promise surfaces as `error`, and
 * `loading` never stays on. An answer that arrives after newer `deps` (or
 * after the screen is gone) is dropped. `call` returning `null` means
 * "nothing to ask yet".
 */
export function useCommand<T>(call: () => Promise<Answer<T>> | null, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [loading, setLoading] = useState(false);
  const [round, setRound] = useState(0);
  useEffect(() => {
    // Cleared by a newer round or by unmounting: this answer is then stale.
    let live = true;
    const pending = call();
    if (!pending) {
      setLoading(false);
      return;
    }
    setLoading(true);
    pending
      .then((answer) => {
        if (!live) return;
        if (answer.status === "ok") {
          setData(answer.data);
          setError(null);
        } else setError(answer.error);
      })
      .catch((thrown: unknown) => live && setError(asCommandError(thrown)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // `call` is recreated on every render; `deps` say when to ask again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload };
}

/**
 * Searches as the admin types: `search(query)` runs `delay` ms after the last
 * keystroke, only the answer to the latest query is kept (a slow answer to an
 * older one is dropped), an empty query clears the results, and a refusal or
 * a rejected promise surfaces as `error`.
 */
export function useDebouncedSearch<T>(
  query: string,
  search: (query: string) => Promise<Answer<T>>,
  delay = 250,
  extraDeps: readonly unknown[] = [],
): { results: T | null; error: CommandError | null; busy: boolean } {
  const [results, setResults] = useState<T | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);

  useEffect(() => {
    const text = query.trim();
    const ticket = ++latest.current;
    if (!text) {
      setResults(null);
      setError(null);
      setBusy(false);
      return;
    }
    const timer = setTimeout(() => {
      setBusy(true);
      search(text)
        .then((answer) => {
          if (ticket !== latest.current) return; // a newer keystroke won
          if (answer.status === "ok") {
            setResults(answer.data);
            setError(null);
          } else setError(answer.error);
        })
        .catch((thrown: unknown) => ticket === latest.current && setError(asCommandError(thrown)))
        .finally(() => ticket === latest.current && setBusy(false));
    }, delay);
    return () => clearTimeout(timer);
    // `search` is recreated on every render; the query and `extraDeps` say when to ask.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, delay, ...extraDeps]);

  return { results, error, busy };
}
