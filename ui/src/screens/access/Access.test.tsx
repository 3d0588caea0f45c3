import { describe, expect, it } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { BackendProvider } from "../../backend";
import { SessionProvider } from "../../session";
import { fakeBackend, olivia } from "../../test/fakeBackend";
import { ACG_APP_ID, GATEWAY_RG, WORKLOADS, grantKey, nadia, operators, roles } from "../../test/fakeTenant";
import type { TenantOptions } from "../../test/fakeTenant";
import { AssignRolesWizard } from "./AssignRolesWizard";
import { AppRolesWizard } from "./AppRolesWizard";
import { AssignmentsView } from "./AssignmentsView";
import { Approvals } from "./Approvals";
import { EndingSoon } from "./EndingSoon";
import { MyRoles } from "./MyRoles";
import { RoleAssignmentsScreen } from "./RoleAssignmentsScreen";

function renderWith(ui: React.ReactElement, tenant: TenantOptions = {}) {
  const backend = fakeBackend({ tenant });
  render(<BackendProvider backend={backend}>{ui}</BackendProvider>);
  return backend;
}

const contributor = roles.find((r) => r.name === "Contributor")!;

/** Scope → Role → Members, up to the review. */
async function upToReview(user: ReturnType<typeof userEvent.setup>) {
  const next = () => screen.getByRole("button", { name: /^Next:/ });
  expect(screen.getByRole("button", { name: "Next: Role" })).toBeDisabled();
  await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
  await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
  expect(screen.getByText(GATEWAY_RG)).toBeInTheDocument();
  await user.click(next());

  await user.type(await screen.findByRole("searchbox", { name: "Search roles" }), "contrib");
  const row = await screen.findByRole("checkbox", { name: /^Contributor/ });
  expect(within(row.closest("li")!).getByText("Privileged")).toBeInTheDocument();
  expect(screen.queryByRole("checkbox", { name: /^Reader/ })).not.toBeInTheDocument();
  await user.click(row);
  await user.click(next());

  const search = await screen.findByRole("searchbox", { name: "Search members" });
  await user.type(search, "nad");
  await user.click(await screen.findByRole("button", { name: "Add Nadia Novak" }));
  await user.clear(search);
  await user.type(search, "acg");
  await user.click(await screen.findByRole("button", { name: "Add ACG Operators" }));
  expect(within(screen.getByRole("list", { name: "Selected members" })).getAllByRole("listitem")).toHaveLength(2);
  await user.click(next());
  // A standing assignment unless the admin chooses otherwise.
  expect(screen.getByRole("radio", { name: /^Active, permanent/ })).toBeChecked();
  await user.click(next());
}

/** Members → Assignment type (as it is) → Review. */
async function onToReview(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole("button", { name: "Next: Assignment type" }));
  await user.click(screen.getByRole("button", { name: "Next: Review + assign" }));
}

describe("the role assignment wizard", () => {
  it("finds a scope anywhere in the estate by a word of its name, without expanding the tree", async () => {
    const user = userEvent.setup();
    renderWith(<AssignRolesWizard />);
    await user.type(await screen.findByRole("searchbox", { name: "Filter scopes" }), "acs");
    const matches = await screen.findByTestId("scope-matches");
    expect(matches).toHaveTextContent("acs-contoso-mail");
    expect(matches).toHaveTextContent("in Contoso Messaging › rg-email");
    await user.click(within(matches).getByRole("checkbox", { name: /acs-contoso-mail/ }));
    expect(screen.getByTestId("assign-summary")).toHaveTextContent("1 scope × 0 roles");
    // Every resource type present is offered, expanded or not.
    await user.clear(screen.getByRole("searchbox", { name: "Filter scopes" }));
    await user.click(screen.getByRole("combobox", { name: "Resource type" }));
    expect(await screen.findByRole("option", { name: "Microsoft.VoiceServices/communicationsGateways" })).toBeInTheDocument();
  });

  it("walks an admin who may read the management groups down from the root group, and a group is a scope too", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<AssignRolesWizard />, { groups: true });
    await user.click(await screen.findByRole("button", { name: "Expand Tenant Root Group" }));
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Workloads" }));
    const inside = await screen.findByRole("list", { name: "Inside Contoso Workloads" });
    expect(within(inside).getByRole("checkbox", { name: /Contoso Voice Production/ })).toBeInTheDocument();
    expect(within(inside).queryByRole("checkbox", { name: /Contoso Legacy/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: /^Contoso Workloads/ }));
    expect(screen.getByTestId("assign-summary")).toHaveTextContent("1 scope × 0 roles");
    await waitFor(() => expect(backend.checkAssignRights).toHaveBeenCalledWith([WORKLOADS]));
    // Search finds groups as it finds the rest, with where they sit.
    await user.type(screen.getByRole("searchbox", { name: "Filter scopes" }), "platform");
    expect(await screen.findByTestId("scope-matches")).toHaveTextContent("Contoso Platform");
    expect(screen.getByTestId("scope-matches")).toHaveTextContent("in Tenant Root Group");
  });

  it("makes people eligible for a while through PIM, with a justification, and says so at the review", async () => {
    const user = userEvent.setup();
    const smtp = roles.find((r) => r.custom)!;
    const backend = renderWith(
      <AssignRolesWizard start={{ role: smtp, scope: { id: GATEWAY_RG, name: "rg-voice-gateway", kind: "ResourceGroup", detail: "" } }} />,
    );
    await user.type(await screen.findByRole("searchbox", { name: "Search members" }), "nad");
    await user.click(await screen.findByRole("button", { name: "Add Nadia Novak" }));
    await user.click(screen.getByRole("button", { name: "Next: Assignment type" }));
    await user.click(screen.getByRole("radio", { name: /^Eligible/ }));
    // An end date chosen but not given: the review waits, saying why.
    await user.click(screen.getByRole("combobox", { name: "Ends" }));
    await user.click(screen.getByRole("option", { name: "On a date…" }));
    expect(screen.getByRole("button", { name: "Next: Review + assign" })).toBeDisabled();
    expect(screen.getByText("Choose the date the access ends.")).toBeInTheDocument();
    await user.click(screen.getByRole("combobox", { name: "Ends" }));
    await user.click(screen.getByRole("option", { name: "90 days" }));
    await user.type(screen.getByRole("textbox", { name: /Justification/ }), "Gateway on-call");
    await user.click(screen.getByRole("button", { name: "Next: Review + assign" }));
    expect(await screen.findByTestId("grant-schedule")).toHaveTextContent("eligible for 90 days");
    await waitFor(() => expect(backend.planGrants).toHaveBeenCalled());
    const [sent] = backend.planGrants.mock.calls.at(-1)!;
    expect(sent[0]).toMatchObject({
      type: "AzureRole",
      schedule: { eligible: true, duration: "P90D", until: "", justification: "Gateway on-call", ticket: "" },
    });
  });

  it("tells an admin without the right to assign as soon as the scope is chosen", async () => {
    const user = userEvent.setup();
    renderWith(<AssignRolesWizard />, { canAssign: false });
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    expect(await screen.findByTestId("assign-rights")).toHaveTextContent("roleAssignments/write");
    expect(screen.getByTestId("assign-rights")).toHaveTextContent("You cannot assign roles at the chosen scope");
  });

  it("keeps the keyboard in the wizard: each step takes the focus, arrow keys reach the results, Add returns to the search", async () => {
    const user = userEvent.setup();
    const smtp = roles.find((r) => r.custom)!;
    renderWith(<AssignRolesWizard start={{ role: smtp, scope: { id: GATEWAY_RG, name: "rg-voice-gateway", kind: "ResourceGroup", detail: "" } }} />);
    const search = await screen.findByRole("searchbox", { name: "Search members" });
    await user.click(search);
    await user.keyboard("nad");
    const add = await screen.findByRole("button", { name: "Add Nadia Novak" });
    await user.keyboard("{ArrowDown}");
    expect(add).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(search).toHaveFocus();
    expect(screen.getByText(/1 scope × 1 role × 1 member/)).toBeInTheDocument();
    // Next: the review step has the focus, not the page body.
    await onToReview(user);
    const step = screen.getByRole("group", { name: "Step: Review + assign" });
    expect(step.contains(document.activeElement)).toBe(true);
  });

  it("opens on Members with the role and scope a new custom role handed over", async () => {
    const user = userEvent.setup();
    const smtp = roles.find((r) => r.custom)!;
    const backend = renderWith(
      <AssignRolesWizard start={{ role: smtp, scope: { id: GATEWAY_RG, name: "rg-voice-gateway", kind: "ResourceGroup", detail: "" } }} />,
    );
    expect(screen.getByText(/1 scope × 1 role × 0 members/)).toBeInTheDocument();
    await user.type(await screen.findByRole("searchbox", { name: "Search members" }), "nad");
    await user.click(await screen.findByRole("button", { name: "Add Nadia Novak" }));
    await onToReview(user);
    await user.click(await screen.findByRole("button", { name: "Assign (1)" }));
    expect(await screen.findByTestId("apply-summary")).toHaveTextContent("1 of 1 in place.");
    expect(backend.tenant.writes).toEqual([`${GATEWAY_RG.toLowerCase()}|${smtp.id}|${nadia.id}`]);
  });

  it("plans every role × member × scope, applies them and reports each", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<AssignRolesWizard />);
    await upToReview(user);

    const rows = await screen.findAllByTestId("plan-row");
    expect(rows).toHaveLength(2);
    rows.forEach((r) => expect(within(r).getByText("To create")).toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Assign (2)" }));
    expect(await screen.findByTestId("apply-summary")).toHaveTextContent("2 of 2 in place.");
    screen.getAllByTestId("plan-row").forEach((r) => expect(within(r).getByText("Created")).toBeInTheDocument());
    expect(backend.tenant.writes).toEqual([
      `${GATEWAY_RG.toLowerCase()}|${contributor.id}|${nadia.id}`,
      `${GATEWAY_RG.toLowerCase()}|${contributor.id}|${operators.id}`,
    ]);
    // Every grant sent carries the member's type.
    const sent = backend.planGrants.mock.calls[0]![0];
    expect(sent.map((g) => g.member.kind)).toEqual(["User", "Group"]);
  });

  it("finds the smallest role for what the person must do, and flags a privileged one at the review (least privilege)", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<AssignRolesWizard />);
    await upToReview(user);
    // Contributor was chosen: the review says it is privileged and how to find less.
    const flag = await screen.findByTestId("privileged-role");
    expect(flag).toHaveTextContent("Contributor is a privileged role");
    await user.click(within(flag).getByTestId("find-smaller-role"));

    await user.click(await screen.findByTestId("find-smallest-role"));
    await user.type(screen.getByRole("searchbox", { name: "Search operations the person needs" }), "supportTickets/write");
    await user.click(await screen.findByTestId("need-Microsoft.Support/supportTickets/write"));
    expect(backend.rankRoles).toHaveBeenLastCalledWith(GATEWAY_RG, ["Microsoft.Support/supportTickets/write"]);
    const ranked = await screen.findAllByTestId("ranked-role");
    expect(ranked[0]).toHaveTextContent("Support Request Contributor");
    expect(ranked[0]).toHaveTextContent("Smallest");
    const big = ranked.find((r) => r.textContent?.startsWith("Contributor"))!;
    expect(big).toHaveTextContent("Privileged");
    expect(big).toHaveTextContent(/Grants \d+ more operations than asked/);
    await user.click(within(ranked[0]!).getByRole("button", { name: "Choose" }));
    expect(screen.getByRole("checkbox", { name: /^Support Request Contributor/ })).toBeChecked();
    // Contributor untaken, the review no longer flags anything.
    await user.click(screen.getByRole("checkbox", { name: /^Contributor/ }));
    await user.click(screen.getByRole("tab", { name: "Review + assign" }));
    expect(await screen.findAllByTestId("plan-row")).toHaveLength(2);
    expect(screen.queryByTestId("privileged-role")).not.toBeInTheDocument();
  });

  it("says a re-run has nothing to do", async () => {
    const user = userEvent.setup();
    const existing = [nadia, operators].map((m) =>
      grantKey({ type: "AzureRole", scope: GATEWAY_RG, roleId: contributor.id, roleName: "Contributor", member: m, description: "" }),
    );
    const backend = renderWith(<AssignRolesWizard />, { existing });
    await upToReview(user);
    expect(await screen.findByTestId("all-in-place")).toHaveTextContent("Already in place");
    expect(screen.getByRole("button", { name: /^Assign/ })).toBeDisabled();
    expect(backend.tenant.writes).toEqual([]);
  });

  it("explains a missing right before anything is written", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<AssignRolesWizard />, { canAssign: false });
    await upToReview(user);
    expect(await screen.findByTestId("blocked-summary")).toHaveTextContent("2 of 2 cannot be made with your rights");
    // Each blocked grant says why (and the early warning above the steps said so too).
    expect(screen.getAllByTestId("plan-row").filter((r) => /roleAssignments\/write/.test(r.textContent ?? ""))).toHaveLength(2);
    expect(screen.getByTestId("assign-rights")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /^Assign/ })).toBeDisabled();
    expect(backend.applyPlan).not.toHaveBeenCalled();
  });

  it("retries only what failed", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<AssignRolesWizard />, { failOnceFor: [nadia.id] });
    await upToReview(user);
    await user.click(await screen.findByRole("button", { name: "Assign (2)" }));
    expect(await screen.findByTestId("apply-summary")).toHaveTextContent("1 of 2 in place, 1 failed.");
    expect(screen.getByText(/try again in a few minutes/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Retry failed" }));
    await user.click(await screen.findByRole("button", { name: "Assign (1)" }));
    expect(await screen.findByTestId("apply-summary")).toHaveTextContent("1 of 1 in place.");
    expect(backend.tenant.writes).toHaveLength(2);
  });

  it("names managed identities as such", async () => {
    const user = userEvent.setup();
    renderWith(<AssignRolesWizard />);
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    await user.click(screen.getByRole("button", { name: "Next: Role" }));
    await user.click(await screen.findByRole("checkbox", { name: /^Reader/ }));
    await user.click(screen.getByRole("button", { name: "Next: Members" }));
    await user.type(await screen.findByRole("searchbox", { name: "Search members" }), "id-voice");
    const results = await screen.findByRole("list", { name: "Search results" });
    expect(await within(results).findByText("Managed identity")).toBeInTheDocument();
  });

  it("warns about look-alike applications among members", async () => {
    const user = userEvent.setup();
    renderWith(<AssignRolesWizard />);
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    await user.click(screen.getByRole("button", { name: "Next: Role" }));
    await user.click(await screen.findByRole("checkbox", { name: /^Reader/ }));
    await user.click(screen.getByRole("button", { name: "Next: Members" }));
    await user.type(await screen.findByRole("searchbox", { name: "Search members" }), "project");
    expect(await screen.findByTestId("member-warning")).toHaveTextContent(ACG_APP_ID);
  });
});

describe("the app role wizard", () => {
  it("pins the application by id, assigns an app role, and lists it", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<AppRolesWizard />);
    // A word inside the name finds the application, and its look-alike beside it.
    await user.type(await screen.findByRole("searchbox", { name: "Application id or name" }), "gateway");
    expect(await screen.findByTestId("app-warning")).toHaveTextContent(ACG_APP_ID);
    expect(screen.getByRole("button", { name: `Choose AzureCommunicationsGateway (${ACG_APP_ID})` })).toBeInTheDocument();
    const search = screen.getByRole("searchbox", { name: "Application id or name" });
    await user.clear(search);
    await user.type(search, ACG_APP_ID);
    await user.click(await screen.findByRole("button", { name: `Choose AzureCommunicationsGateway (${ACG_APP_ID})` }));
    expect(await screen.findByTestId("chosen-app")).toHaveTextContent(`AzureCommunicationsGateway · application id ${ACG_APP_ID}`);
    await user.click(await screen.findByRole("checkbox", { name: /ProvisioningAPI.ReadUser/ }));
    await user.click(screen.getByRole("button", { name: "Next: Members" }));
    await user.type(await screen.findByRole("searchbox", { name: "Search members" }), "nad");
    await user.click(await screen.findByRole("button", { name: "Add Nadia Novak" }));
    await user.click(screen.getByRole("button", { name: "Next: Review + assign" }));
    await user.click(await screen.findByRole("button", { name: "Assign (1)" }));
    expect(await screen.findByTestId("apply-summary")).toHaveTextContent("1 of 1 in place.");
    expect(backend.tenant.writes).toHaveLength(1);

    await user.click(screen.getByRole("tab", { name: "Current assignments" }));
    const table = await screen.findByRole("table", { name: "Current assignments" });
    expect(within(table).getByText("ProvisioningAPI.ReadUser")).toBeInTheDocument();
  });

  it("blocks an admin without a directory role that may assign app roles", async () => {
    const user = userEvent.setup();
    renderWith(<AppRolesWizard />, { canAssignAppRoles: false });
    await user.type(await screen.findByRole("searchbox", { name: "Application id or name" }), ACG_APP_ID);
    await user.click(await screen.findByRole("button", { name: `Choose AzureCommunicationsGateway (${ACG_APP_ID})` }));
    await user.click(await screen.findByRole("checkbox", { name: /ProvisioningAPI.ReadUser/ }));
    await user.click(screen.getByRole("button", { name: "Next: Members" }));
    await user.type(await screen.findByRole("searchbox", { name: "Search members" }), "nad");
    await user.click(await screen.findByRole("button", { name: "Add Nadia Novak" }));
    await user.click(screen.getByRole("button", { name: "Next: Review + assign" }));
    expect(await screen.findByTestId("blocked-summary")).toBeInTheDocument();
    expect(screen.getByText(/Cloud Application Administrator/)).toBeInTheDocument();
  });
});

describe("the role assignments view", () => {
  it("lists what applies at a scope, flags orphans, filters, removes and exports", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<AssignmentsView />);
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    const table = await screen.findByRole("table", { name: "Role assignments at this scope" });
    await within(table).findByText("Olivia Owner");
    expect(within(table).getAllByTestId("assignment-row")).toHaveLength(2);
    expect(within(table).getByText("Inherited")).toBeInTheDocument();
    expect(within(table).getByText("Orphaned")).toBeInTheDocument();

    await user.type(screen.getByRole("searchbox", { name: "Filter assignments" }), "owner");
    expect(within(table).getAllByTestId("assignment-row")).toHaveLength(1);
    await user.clear(screen.getByRole("searchbox", { name: "Filter assignments" }));

    await user.click(within(table).getByRole("button", { name: "Remove Reader from Identity not found" }));
    // Asked in the app's own dialog; nothing is removed before the answer.
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Remove Reader from Identity not found?");
    expect(backend.planRemoval).not.toHaveBeenCalled();
    await user.click(within(dialog).getByTestId("confirm-yes"));
    await waitFor(() =>
      expect(within(screen.getByRole("table", { name: "Role assignments at this scope" })).getAllByTestId("assignment-row")).toHaveLength(1),
    );
    expect(backend.planRemoval).toHaveBeenCalledTimes(1);
    expect(backend.planRemoval.mock.calls[0]![0][0]).toMatchObject({ type: "AzureRole", scope: GATEWAY_RG.toLowerCase() });
    expect(backend.removePlanned).toHaveBeenCalledTimes(1);

    await user.click(screen.getByRole("button", { name: "Export CSV…" }));
    expect(await screen.findByTestId("export-saved")).toHaveTextContent("role-assignments-1.csv");

    // Cancelling the Save dialog (the backend answers no path) is neither a
    // save nor a failure: the earlier message goes and no error shows.
    backend.exportRoleAssignments.mockResolvedValueOnce({ status: "ok", data: null });
    await user.click(screen.getByRole("button", { name: "Export JSON…" }));
    await waitFor(() => expect(screen.queryByTestId("export-saved")).not.toBeInTheDocument());
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("warns an admin about to remove their own right to manage access", async () => {
    const user = userEvent.setup();
    const backend = fakeBackend({ accounts: [olivia] });
    render(
      <BackendProvider backend={backend}>
        <SessionProvider>
          <AssignmentsView />
        </SessionProvider>
      </BackendProvider>,
    );
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    const table = await screen.findByRole("table", { name: "Role assignments at this scope" });
    await user.click(await within(table).findByRole("button", { name: "Remove Owner from Olivia Owner" }));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(within(dialog).getByTestId("removing-own-access")).toHaveTextContent("This is your own Owner");
    expect(dialog).toHaveTextContent("a parent of this scope");
    await user.click(within(dialog).getByTestId("confirm-no"));
    expect(backend.planRemoval).not.toHaveBeenCalled();
  });
});

describe("access that ends soon", () => {
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
  const ending = (who: typeof nadia, days: number, eligible: boolean) => ({
    grant: {
      scope: GATEWAY_RG,
      roleId: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
      roleName: "Reader",
      member: who,
      description: "",
      schedule: { eligible, duration: "", until: inDays(days), justification: "", ticket: "" },
    },
    ends: inDays(days),
    ended: days < 0,
  });

  it("lists what ends within the chosen days, soonest first, and extends the chosen ones after a review", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<EndingSoon />, { ending: [ending(nadia, 5, true), ending(operators, 20, false), ending(nadia, 60, false)] });
    await waitFor(() => expect(screen.getAllByTestId("ending-row")).toHaveLength(2));
    expect(backend.listExpiring).toHaveBeenLastCalledWith(30);
    const [first, second] = screen.getAllByTestId("ending-row");
    expect(first).toHaveTextContent(`${inDays(5).slice(0, 10)}Reader EligibleNadia Novak`);
    expect(second).toHaveTextContent("Active");
    // Wider: the one in 60 days too.
    await user.click(screen.getByRole("combobox", { name: "Ends within" }));
    await user.click(screen.getByRole("option", { name: "90 days" }));
    await waitFor(() => expect(screen.getAllByTestId("ending-row")).toHaveLength(3));

    // Nothing is written before the review; the review names the role's PIM settings.
    await user.click(screen.getAllByRole("checkbox", { name: "Extend Reader of Nadia Novak" })[0]!);
    await user.click(screen.getByTestId("review-extension"));
    const [grants, duration] = backend.planExtension.mock.calls.at(-1)!;
    expect(duration).toBe("P90D");
    expect(grants).toHaveLength(1);
    expect(grants[0]!.member.id).toBe(nadia.id);
    expect(await screen.findByTestId("pim-policy")).toHaveTextContent("Eligible: at most 365 days");
    expect(backend.tenant.writes).toHaveLength(0);
    await user.click(screen.getByTestId("apply-extension"));
    expect(await screen.findByTestId("extension-summary")).toHaveTextContent("1 extended of 1.");
    expect(backend.tenant.writes).toEqual([expect.stringMatching(/^extend\|/)]);
  });

  it("lists what Rolecall made that ended lately after what ends soon, and renews it after a review", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<EndingSoon />, {
      ending: [ending(operators, 5, false), ending(nadia, -3, true), ending(nadia, -45, false)],
    });
    // Ended 45 days ago: past PIM's 30 days, not offered.
    await waitFor(() => expect(screen.getAllByTestId("ending-row")).toHaveLength(2));
    const [, ended] = screen.getAllByTestId("ending-row");
    expect(within(ended!).getByTestId("ended")).toHaveTextContent(`Ended ${inDays(-3).slice(0, 10)}`);
    expect(screen.getByTestId("ended-note")).toHaveTextContent("One grant Rolecall made ended in the last 30 days");

    // Renewed with the one still running: the review says which is which.
    await user.click(screen.getByRole("checkbox", { name: "Renew Reader of Nadia Novak" }));
    await user.click(screen.getByRole("checkbox", { name: "Extend Reader of ACG Operators" }));
    await user.click(screen.getByTestId("review-extension"));
    const rows = await screen.findAllByTestId("plan-row");
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/ACG Operators.*To extend$/),
      expect.stringMatching(/Nadia Novak.*eligible for 90 days.*Ended: to renew$/),
    ]);
    expect(backend.tenant.writes).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Extend 1 and renew 1" }));
    expect(await screen.findByTestId("extension-summary")).toHaveTextContent("1 extended, 1 renewed of 2.");
    expect(backend.tenant.writes.sort()).toEqual([expect.stringMatching(/^extend\|/), expect.stringMatching(/^renew\|/)]);
  });

  it("says when nothing ends soon", async () => {
    renderWith(<EndingSoon />, { ending: [] });
    expect(await screen.findByTestId("ending-none")).toHaveTextContent("Nothing eligible or time-bound ends within 30 days, and nothing Rolecall made ended in the last 30 days.");
  });
});

describe("my eligible roles", () => {
  it("lists the admin's own eligible roles and activates one with a justification", async () => {
    const user = userEvent.setup();
    const mine = [
      {
        scope: GATEWAY_RG,
        roleId: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        roleName: "Owner",
        eligibleUntil: "2027-03-07T09:00:00Z",
        activeUntil: "",
        awaitingApproval: false,
      },
    ];
    const backend = renderWith(<MyRoles />, { mine });
    const row = await screen.findByTestId("my-role");
    expect(row).toHaveTextContent("Owner");
    expect(row).toHaveTextContent("2027-03-07");
    await user.click(screen.getByTestId("activate-Owner"));
    // The keyboard lands in the form that opened.
    expect(screen.getByTestId("activate-justification")).toHaveFocus();
    // Without a reason the role's settings refuse, and the window says why.
    await user.click(screen.getByTestId("activate-confirm"));
    expect(await screen.findByText(/JustificationRule/)).toBeInTheDocument();
    await user.type(screen.getByTestId("activate-justification"), "Onboard the new gateway staff");
    await user.click(screen.getByRole("combobox", { name: "For" }));
    await user.click(screen.getByRole("option", { name: "2 hours" }));
    await user.click(screen.getByTestId("activate-confirm"));
    expect(await screen.findByTestId("activated")).toHaveTextContent("Owner is active for 2 hours");
    expect(backend.activateRole).toHaveBeenLastCalledWith(GATEWAY_RG, mine[0]!.roleId, "PT2H", "Onboard the new gateway staff");
    expect(await screen.findByTestId("my-role-active")).toHaveTextContent(/Active until \d\d:\d\d UTC/);
  });

  it("says how to become eligible when there is nothing to activate", async () => {
    renderWith(<MyRoles />, { mine: [] });
    expect(await screen.findByTestId("my-roles-none")).toHaveTextContent("You are not eligible for any Azure role");
  });

  it("says an activation that needs approval waits for an approver, and withdraws it", async () => {
    const user = userEvent.setup();
    const owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const mine = [
      { scope: GATEWAY_RG, roleId: owner, roleName: "Owner", eligibleUntil: "", activeUntil: "", awaitingApproval: false },
    ];
    const backend = renderWith(<MyRoles />, { mine, needApproval: [owner] });
    await user.click(await screen.findByTestId("activate-Owner"));
    await user.type(screen.getByTestId("activate-justification"), "Gateway incident");
    await user.click(screen.getByTestId("activate-confirm"));
    expect(await screen.findByTestId("activated")).toHaveTextContent("Sent for approval: Owner");
    // Not active: waiting, and it can be withdrawn.
    expect(await screen.findByTestId("my-role-waiting")).toHaveTextContent("Waiting for approval");
    expect(screen.queryByTestId("my-role-active")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("withdraw-Owner"));
    expect(await screen.findByTestId("activated")).toHaveTextContent("Your request to activate Owner was withdrawn.");
    expect(await screen.findByTestId("activate-Owner")).toBeInTheDocument();
    expect(backend.tenant.writes).toEqual([`ask|${GATEWAY_RG}|${owner}`, `withdraw|${GATEWAY_RG}|${owner}`]);
  });
});

describe("activating a role that asks for MFA", () => {
  it("offers to sign in again when the sign-in had no multi-factor step, then activates", async () => {
    const user = userEvent.setup();
    const owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const mine = [
      { scope: GATEWAY_RG, roleId: owner, roleName: "Owner", eligibleUntil: "", activeUntil: "", awaitingApproval: false },
    ];
    const backend = fakeBackend({ accounts: [olivia], tenant: { mine, needMfa: [owner] } });
    render(
      <BackendProvider backend={backend}>
        <SessionProvider>
          <MyRoles />
        </SessionProvider>
      </BackendProvider>,
    );
    await user.click(await screen.findByTestId("activate-Owner"));
    await user.type(screen.getByTestId("activate-justification"), "Gateway incident");
    await user.click(screen.getByTestId("activate-confirm"));
    expect(await screen.findByTestId("error-bar")).toHaveTextContent("multi-factor authentication");
    await user.click(screen.getByTestId("sign-in-again"));
    expect(backend.reauthenticate).toHaveBeenCalledWith(olivia.homeTenantId);
    expect(await screen.findByTestId("activated")).toHaveTextContent("Signed in again: activate the role now.");
    expect(screen.queryByTestId("error-bar")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("activate-confirm"));
    expect(await screen.findByTestId("my-role-active")).toHaveTextContent(/Active until/);
  });
});

describe("requests that wait for my approval", () => {
  const asked = (who: string) => ({
    approvalId: `/providers/Microsoft.Authorization/roleAssignmentApprovals/${who}`,
    scope: GATEWAY_RG,
    roleName: "Owner",
    requestedBy: `${who} (${who.toLowerCase()}@contoso.com)`,
    duration: "PT2H",
    lasting: "2 hours",
    justification: "Gateway incident 4711",
    askedAt: "2026-12-07T09:00:00Z",
  });

  it("lists who asks for what, where, for how long and why, and approves one only with a justification", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<Approvals />, { awaiting: [asked("Nadia"), asked("Carlos")] });
    const rows = await screen.findAllByTestId("approval-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent(/^Nadia \(nadia@contoso\.com\)Owner.*rg-voice-gateway/);
    expect(rows[0]).toHaveTextContent("2 hoursGateway incident 4711");
    await user.click(within(rows[0]!).getByTestId("decide"));
    // The keyboard lands in the form that opened.
    expect(screen.getByTestId("decide-justification")).toHaveFocus();
    // No decision without a reason.
    expect(screen.getByTestId("approve")).toBeDisabled();
    await user.type(screen.getByTestId("decide-justification"), "Known incident");
    await user.click(screen.getByTestId("approve"));
    expect(await screen.findByTestId("decided")).toHaveTextContent("Approved: Owner for Nadia");
    await waitFor(() => expect(screen.getAllByTestId("approval-row")).toHaveLength(1));
    expect(backend.tenant.writes).toEqual([`approve|${asked("Nadia").approvalId}`]);
  });

  it("counts what waits on the Role assignments tab, and the count follows the decisions", async () => {
    const user = userEvent.setup();
    renderWith(<RoleAssignmentsScreen />, { awaiting: [asked("Nadia"), asked("Carlos")] });
    // (Fluent draws a tab's content twice, once hidden to reserve its width.)
    expect((await screen.findAllByTestId("approvals-count"))[0]).toHaveTextContent("2");
    await user.click(screen.getByTestId("view-approvals"));
    await user.click((await screen.findAllByTestId("decide"))[0]!);
    await user.type(screen.getByTestId("decide-justification"), "No incident");
    await user.click(screen.getByTestId("deny"));
    expect(await screen.findByTestId("decided")).toHaveTextContent("Denied: Owner for Nadia");
    await waitFor(() => expect(screen.getAllByTestId("approvals-count")[0]).toHaveTextContent("1"));
  });

  it("says when nothing waits", async () => {
    renderWith(<Approvals />, { awaiting: [] });
    expect(await screen.findByTestId("approvals-none")).toHaveTextContent("Nothing waits for your approval.");
  });
});
