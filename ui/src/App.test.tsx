import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { SCREENS } from "./screens";
import { demoInfo, fakeBackend, okCheck, olivia } from "./test/fakeBackend";

describe("the app frame", () => {
  it("shows the cloud from app_info and flags the demo tenant", async () => {
    render(<App backend={fakeBackend()} />);
    const tenant = await screen.findByTestId("tenant");
    expect(tenant).toHaveTextContent("Contoso Demo (Rolecall emulator)");
    expect(within(tenant).getByText("Demo")).toBeInTheDocument();
    expect(screen.getByRole("banner")).toHaveTextContent("Not signed in");
    // The screens need an account: the sign-in page stands alone.
    await screen.findByTestId("sign-in");
    expect(screen.queryByRole("navigation")).not.toBeInTheDocument();
  });

  it("does not call a custom cloud a demo", async () => {
    const info = { ...demoInfo, cloud: { ...demoInfo.cloud, mode: "Custom" as const, name: "Test cloud" } };
    render(<App backend={fakeBackend({ info })} />);
    expect(await screen.findByTestId("tenant")).toHaveTextContent("Test cloud");
    expect(screen.queryByTestId("demo-badge")).not.toBeInTheDocument();
  });

  it("offers every screen in the navigation pane and opens each", async () => {
    const user = userEvent.setup();
    render(<App backend={fakeBackend({ accounts: [olivia] })} />);
    const nav = await screen.findByRole("navigation");
    await screen.findByTestId("screen-onboard");
    for (const { id, label } of SCREENS) {
      await user.click(within(nav).getByText(label));
      expect(screen.getByTestId(`screen-${id}`)).toBeInTheDocument();
      expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent(label);
    }
  });
});

describe("the start", () => {
  it("draws the frame while the backend starts, and calls nothing but the report and the session until it has", async () => {
    const backend = fakeBackend();
    let finish: (() => void) | undefined;
    const report = backend.startupReport.getMockImplementation()!;
    backend.startupReport.mockImplementation(() => new Promise((done) => (finish = () => void report().then(done))));
    render(<App backend={backend} />);
    expect(await screen.findByRole("banner")).toHaveTextContent("Rolecall");
    expect(backend.appInfo).not.toHaveBeenCalled();
    finish!();
    expect(await screen.findByTestId("tenant")).toHaveTextContent("Contoso Demo (Rolecall emulator)");
    expect(backend.appInfo).toHaveBeenCalledTimes(1);
  });

  it("shows only what failed, what to do and the log folder after a failed start, and quits", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({
      startup: {
        problem: {
          what: "the cloud profile: cannot read /tmp/missing.json: No such file or directory (os error 2)",
          todo: "Check the cloud profile file named above.",
        },
        notices: [],
        logFolder: "/home/me/.local/share/app.rolecall.desktop/logs",
      },
    });
    render(<App backend={backend} />);
    const failure = await screen.findByTestId("startup-failure");
    expect(failure).toHaveTextContent("Rolecall could not start");
    expect(failure).toHaveTextContent("/tmp/missing.json");
    expect(failure).toHaveTextContent("Check the cloud profile file named above.");
    expect(failure).toHaveTextContent("/home/me/.local/share/app.rolecall.desktop/logs");
    // Nothing else is asked of a backend that did not start (the session is
    // asked alongside the report, and answered once the start has ended).
    expect(backend.appInfo).not.toHaveBeenCalled();
    expect(backend.getSettings).not.toHaveBeenCalled();
    expect(screen.queryByRole("navigation")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("startup-quit"));
    expect(backend.quit).toHaveBeenCalledOnce();
  });

  it("shows the start's notices under the header until dismissed", async () => {
    const user = userEvent.setup();
    const notice = "Your settings file could not be used (expected value), so Rolecall started with its default settings.";
    render(<App backend={fakeBackend({ startup: { problem: null, notices: [notice], logFolder: null } })} />);
    const notices = await screen.findByTestId("startup-notices");
    expect(notices).toHaveTextContent(notice);
    expect(await screen.findByTestId("sign-in")).toBeInTheDocument();
    await user.click(within(notices).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByTestId("startup-notices")).not.toBeInTheDocument();
  });
});

describe("the connection card", () => {
  it("reports a successful check with the tenant and the time it took", async () => {
    const backend = fakeBackend();
    render(<App backend={backend} />);
    const card = await screen.findByTestId("connection");
    await waitFor(() => expect(card).toHaveAttribute("data-state", "ok"));
    expect(card).toHaveTextContent(`answered for tenant ${okCheck.tenant} in 12 ms`);
    expect(card).toHaveTextContent(okCheck.issuer);
    expect(backend.checkConnection).toHaveBeenCalledTimes(1);
  });

  it("explains a failure and retries on request", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({
      checks: [
        { status: "error", error: { kind: "Unavailable", code: "Unreachable", message: "could not reach https://x: refused. Check the network connection" } },
        { status: "ok", data: okCheck },
      ],
    });
    render(<App backend={backend} />);
    const card = await screen.findByTestId("connection");
    await waitFor(() => expect(card).toHaveAttribute("data-state", "failed"));
    expect(card).toHaveTextContent("Cannot reach the sign-in authority");
    expect(card).toHaveTextContent("Check the network connection");

    await user.click(within(card).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(card).toHaveAttribute("data-state", "ok"));
    expect(backend.checkConnection).toHaveBeenCalledTimes(2);
  });
});
