import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { demoInfo, fabrikam, fakeBackend, olivia } from "./test/fakeBackend";

describe("signing in", () => {
  it("starts on the sign-in page and lands on the app after the browser sign-in", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    render(<App backend={backend} />);
    const page = await screen.findByTestId("sign-in");
    expect(screen.getByTestId("account")).toHaveTextContent("Not signed in");
    expect(screen.queryByTestId("screen-onboard")).not.toBeInTheDocument();

    // The form appears once the settings are read.
    await user.type(await within(page).findByTestId("tenant-input"), "contosodemo.onmicrosoft.com");
    await user.click(within(page).getByRole("button", { name: "Sign in with your browser" }));

    await screen.findByTestId("screen-onboard");
    expect(screen.getByTestId("account")).toHaveTextContent("Olivia Owner");
    // The tenant typed first is saved, then used for the sign-in.
    expect(backend.saveSettings).toHaveBeenCalledWith(
      expect.objectContaining({ tenant: "contosodemo.onmicrosoft.com", clientId: null }),
    );
    expect(backend.signIn).toHaveBeenCalledWith("contosodemo.onmicrosoft.com");
  });

  it("refuses settings the backend rejects, before any sign-in", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({
      settingsError: { kind: "InvalidInput", code: "InvalidSetting", message: "clientId: 'Rolecall' is not an application (client) id. Copy the Application (client) ID" },
    });
    render(<App backend={backend} />);
    const page = await screen.findByTestId("sign-in");
    await user.click(await within(page).findByRole("button", { name: /Advanced/ }));
    await user.type(await within(page).findByTestId("client-id"), "Rolecall");
    await user.click(within(page).getByRole("button", { name: "Sign in with your browser" }));
    expect(await screen.findByTestId("sign-in-error")).toHaveTextContent("Copy the Application (client) ID");
    expect(backend.signIn).not.toHaveBeenCalled();
  });

  it("says why a sign-in failed and stays on the page", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({
      signIn: { kind: "SignInRequired", code: "SignInTimedOut", message: "sign-in was not completed within 300 seconds. Start it again" },
    });
    render(<App backend={backend} />);
    await user.click(await screen.findByRole("button", { name: "Sign in with your browser" }));
    expect(await screen.findByTestId("sign-in-error")).toHaveTextContent("Start it again");
    expect(screen.getByTestId("sign-in")).toBeInTheDocument();
  });

  it("shows the device code to enter elsewhere, then signs in", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend();
    render(<App backend={backend} />);
    await user.click(await screen.findByRole("button", { name: "Sign in with a code" }));
    await screen.findByTestId("screen-onboard");
    expect(backend.startDeviceCode).toHaveBeenCalledWith(null);
    expect(backend.finishDeviceCode).toHaveBeenCalled();
  });

  it("explains what to run when the Azure CLI has no sign-in", async () => {
    const user = userEvent.setup();
    const azure = { ...demoInfo, cloud: { ...demoInfo.cloud, name: "Azure", mode: "Azure" as const } };
    render(<App backend={fakeBackend({ info: azure })} />);
    await user.click(await screen.findByRole("button", { name: "Use my Azure CLI sign-in" }));
    expect(await screen.findByTestId("sign-in-error")).toHaveTextContent("az login");
  });

  it("does not offer the Azure CLI's sign-in on the demo tenant, which az knows nothing of", async () => {
    render(<App backend={fakeBackend()} />);
    expect(await screen.findByRole("button", { name: "Sign in with your browser" })).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("button", { name: "Use my Azure CLI sign-in" })).not.toBeInTheDocument());
  });
});

describe("the account panel", () => {
  it("lists the tenants, asks to sign in again where a tenant demands it, then switches", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({ accounts: [olivia], demandingTenants: [fabrikam.tenantId] });
    render(<App backend={backend} />);
    await user.click(await screen.findByRole("button", { name: "Account: Olivia Owner" }));
    const panel = await screen.findByTestId("account-panel");
    const row = await within(panel).findByTestId(`tenant-${fabrikam.tenantId}`);
    expect(within(panel).getByTestId(`tenant-${olivia.homeTenantId}`)).toHaveTextContent("In use");
    // The tenant in use by its name, its GUID on hover and to copy (#15.6).
    const inUse = within(panel).getByTestId("active-tenant");
    expect(inUse).not.toHaveTextContent(olivia.homeTenantId);
    expect(inUse).toHaveAttribute("title", olivia.homeTenantId);
    await user.click(within(panel).getByRole("button", { name: "Copy the id of the tenant" }));
    expect(await navigator.clipboard.readText()).toBe(olivia.homeTenantId);

    await user.click(within(row).getByRole("button", { name: "Switch" }));
    expect(await within(panel).findByText(/AADSTS50076/)).toBeInTheDocument();
    await user.click(within(row).getByRole("button", { name: "Sign in again" }));
    await waitFor(() =>
      expect(within(panel).getByTestId(`tenant-${fabrikam.tenantId}`)).toHaveTextContent("In use"),
    );
    expect(backend.reauthenticate).toHaveBeenCalledWith(fabrikam.tenantId);
  });

  it("starts the screen afresh after a switch of tenant (nothing of the other tenant stays)", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({ accounts: [olivia] });
    render(<App backend={backend} />);
    await user.click(await screen.findByTestId("nav-appRoles"));
    const search = await screen.findByRole("searchbox");
    await user.type(search, "Gateway");
    expect(search).toHaveValue("Gateway");
    await user.click(screen.getByRole("button", { name: "Account: Olivia Owner" }));
    const panel = await screen.findByTestId("account-panel");
    const row = await within(panel).findByTestId(`tenant-${fabrikam.tenantId}`);
    await user.click(within(row).getByRole("button", { name: "Switch" }));
    await waitFor(() =>
      expect(within(panel).getByTestId(`tenant-${fabrikam.tenantId}`)).toHaveTextContent("In use"),
    );
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.getByRole("searchbox")).toHaveValue(""));
  });

  it("shows an account signed in elsewhere on this computer (rolecall-cli) when opened, and switches to it", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({ accounts: [olivia] });
    render(<App backend={backend} />);
    const trigger = await screen.findByRole("button", { name: "Account: Olivia Owner" });
    const mei = {
      ...olivia,
      id: "oid-mei.6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81",
      username: "mei.chen@contosodemo.onmicrosoft.com",
      displayName: "Mei Chen",
    };
    backend.signedInElsewhere(mei);
    await user.click(trigger);
    const panel = await screen.findByTestId("account-panel");
    await user.click(await within(panel).findByTestId(`switch-${mei.username}`));
    expect(backend.switchAccount).toHaveBeenCalledWith(mei.id);
    await screen.findByRole("button", { name: "Account: Mei Chen" });
  });

  it("signs out and returns to the sign-in page", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({ accounts: [olivia] });
    render(<App backend={backend} />);
    await user.click(await screen.findByRole("button", { name: "Account: Olivia Owner" }));
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    await screen.findByTestId("sign-in");
    expect(backend.signOut).toHaveBeenCalledWith(olivia.id);
    expect(screen.getByTestId("account")).toHaveTextContent("Not signed in");
  });
});
