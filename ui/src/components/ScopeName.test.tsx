import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { BackendProvider } from "../backend";
import { fakeBackend } from "../test/fakeBackend";
import { WORKLOADS } from "../test/fakeTenant";
import { ScopeName } from "./ScopeName";

afterEach(() => vi.useRealTimers());

describe("a scope's name", () => {
  it("reads the estate again when it lacks a scope and the last read is not fresh (a group just made readable)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const backend = fakeBackend();
    const group = { id: WORKLOADS, name: "Contoso Workloads", kind: "ManagementGroup" as const, detail: "mg-workloads" };
    const first = render(
      <BackendProvider backend={backend}>
        <ScopeName id={WORKLOADS} copy={false} />
      </BackendProvider>,
    );
    // Read once, without the group: the id's own name stands in.
    expect(await screen.findByText("mg-workloads · management group")).toBeInTheDocument();
    expect(backend.listEstate).toHaveBeenCalledTimes(1);
    first.unmount();

    // The admin elevates; a later screen meets the group's id again.
    backend.listEstate.mockResolvedValue({ status: "ok", data: [{ node: group, within: ["Tenant Root Group"] }] });
    vi.setSystemTime(Date.now() + 60_000);
    render(
      <BackendProvider backend={backend}>
        <ScopeName id={WORKLOADS} copy={false} />
      </BackendProvider>,
    );
    expect(await screen.findByText("Contoso Workloads · management group · Tenant Root Group")).toBeInTheDocument();
    expect(backend.listEstate).toHaveBeenCalledTimes(2);
  });
});
