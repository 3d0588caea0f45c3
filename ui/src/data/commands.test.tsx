import { act, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { useCommand, useDebouncedSearch, type Answer } from "./commands";

function Loader({ call }: { call: () => Promise<Answer<string>> }) {
  const { data, error, loading } = useCommand(call, []);
  return (
    <div>
      <span data-testid="loading">{String(loading)}</span>
      <span data-testid="data">{data ?? ""}</span>
      <span data-testid="error">{error ? `${error.code}: ${error.message}` : ""}</span>
    </div>
  );
}

describe("useCommand", () => {
  it("ends loading with the data", async () => {
    render(<Loader call={async () => ({ status: "ok", data: "providers" })} />);
    await waitFor(() => expect(screen.getByTestId("loading")).toHaveTextContent("false"));
    expect(screen.getByTestId("data")).toHaveTextContent("providers");
  });

  it("ends loading with the command's error", async () => {
    render(<Loader call={async () => ({ status: "error", error: { kind: "Forbidden", code: "Forbidden", message: "no right" } })} />);
    await waitFor(() => expect(screen.getByTestId("error")).toHaveTextContent("Forbidden: no right"));
    expect(screen.getByTestId("loading")).toHaveTextContent("false");
  });

  it("ends loading when IPC itself fails", async () => {
    render(<Loader call={() => Promise.reject(new Error("IPC gone"))} />);
    await waitFor(() => expect(screen.getByTestId("error")).toHaveTextContent("Unexpected: IPC gone"));
    expect(screen.getByTestId("loading")).toHaveTextContent("false");
  });
});

function Search({ query, search }: { query: string; search: (q: string) => Promise<Answer<string>> }) {
  const { results, busy } = useDebouncedSearch(query, search, 10);
  return (
    <div>
      <span data-testid="results">{results ?? ""}</span>
      <span data-testid="busy">{String(busy)}</span>
    </div>
  );
}

describe("useDebouncedSearch", () => {
  it("keeps only the answer to the latest query, however late the older one comes", async () => {
    let releaseSlow: (a: Answer<string>) => void = () => {};
    const search = vi.fn((q: string) =>
      q === "sl"
        ? new Promise<Answer<string>>((resolve) => (releaseSlow = resolve))
        : Promise.resolve({ status: "ok" as const, data: `found ${q}` }),
    );
    const { rerender } = render(<Search query="sl" search={search} />);
    await waitFor(() => expect(search).toHaveBeenCalledWith("sl"));
    rerender(<Search query="slow" search={search} />);
    await waitFor(() => expect(screen.getByTestId("results")).toHaveTextContent("found slow"));
    await act(async () => releaseSlow({ status: "ok", data: "found sl" }));
    expect(screen.getByTestId("results")).toHaveTextContent("found slow");
    expect(screen.getByTestId("busy")).toHaveTextContent("false");
  });

  it("clears the results for an empty query without asking", async () => {
    const search = vi.fn(async (q: string) => ({ status: "ok" as const, data: q }));
    const { rerender } = render(<Search query="x" search={search} />);
    await waitFor(() => expect(screen.getByTestId("results")).toHaveTextContent("x"));
    rerender(<Search query="  " search={search} />);
    await waitFor(() => expect(screen.getByTestId("results")).toHaveTextContent(""));
    expect(search).toHaveBeenCalledTimes(1);
  });
});
