import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { BackendProvider } from "../../backend";
import { fakeBackend } from "../../test/fakeBackend";
import type { TenantOptions } from "../../test/fakeTenant";
import { CustomRoleWizard } from "./CustomRoleWizard";

function renderWizard(tenant: TenantOptions = {}) {
  const backend = fakeBackend({ tenant });
  const onAssign = vi.fn();
  render(
    <BackendProvider backend={backend}>
      <CustomRoleWizard onAssign={onAssign} />
    </BackendProvider>,
  );
  return { backend, onAssign };
}

const next = () => screen.getByTestId("next-step");

describe("the custom role wizard", () => {
  it("clones Reader into an SMTP sender role with only what mail needs, creates it, then offers to assign it", async () => {
    const user = userEvent.setup();
    const { backend, onAssign } = renderWizard();
    await user.type(screen.getByTestId("role-name"), "Contoso SMTP Sender");
    await user.type(screen.getByRole("textbox", { name: "Description" }), "Sends mail through Contoso's ACS");
    await user.click(await screen.findByTestId("clone-Reader"));
    // The clone says what it came from, and keeps the admin's own description.
    expect(await screen.findByTestId("cloned-from")).toHaveTextContent("Cloned from Reader");
    expect(screen.getByRole("textbox", { name: "Description" })).toHaveValue("Sends mail through Contoso's ACS");
    await user.click(next());

    // Reader's */read came along: see what it grants, then drop it.
    const actions = await screen.findByRole("list", { name: "Actions" });
    expect(within(actions).getByText("*/read")).toBeInTheDocument();
    await user.click(within(actions).getByRole("button", { name: "What does */read grant?" }));
    expect(await within(actions).findByText(/Grants 4 operations/)).toBeInTheDocument();
    await user.click(screen.getByTestId("remove-*/read"));
    await user.type(screen.getByRole("searchbox", { name: "Search operations" }), "communication");
    for (const name of [
      "Microsoft.Communication/CommunicationServices/Read",
      "Microsoft.Communication/CommunicationServices/Write",
      "Microsoft.Communication/EmailServices/write",
    ]) {
      await user.click(await screen.findByTestId(`add-${name}`));
    }
    expect(within(screen.getByRole("list", { name: "Actions" })).getAllByRole("listitem")).toHaveLength(3);
    await user.click(next());

    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    await user.click(next());

    const json = (await screen.findByTestId("role-json")) as HTMLTextAreaElement;
    expect(json.value).toContain("Microsoft.Communication/EmailServices/write");
    expect(json.value).toContain("rg-voice-gateway");
    expect(await screen.findByTestId("draft-ok")).toBeInTheDocument();
    await user.click(next());

    expect(await screen.findByText(/grants 3 operations/)).toBeInTheDocument();
    await user.click(await screen.findByTestId("save-role"));
    expect(await screen.findByTestId("role-saved")).toHaveTextContent("reads it back consistently");
    expect(backend.tenant.savedRoles).toEqual(["Contoso SMTP Sender"]);
    // "Assign it now" hands the new role and where it may be assigned to Role assignments.
    await user.click(screen.getByTestId("assign-now"));
    expect(onAssign).toHaveBeenCalledWith(
      expect.objectContaining({ name: "Contoso SMTP Sender", custom: true }),
      expect.objectContaining({ name: "rg-voice-gateway", kind: "ResourceGroup" }),
    );

    // The same role again: already in place, nothing to write.
    await user.click(screen.getByRole("tab", { name: "JSON" }));
    await user.click(screen.getByRole("tab", { name: "Review + create" }));
    expect(await screen.findByTestId("role-in-place")).toHaveTextContent("Already in place");
    expect(screen.queryByTestId("save-role")).not.toBeInTheDocument();
  });

  it("stops before writing when the name is taken, there is no scope, or the admin may not write there", async () => {
    const user = userEvent.setup();
    const { backend } = renderWizard({ canWriteRoles: false });
    await user.type(screen.getByTestId("role-name"), "Reader");
    await user.click(screen.getByRole("radio", { name: "Start from scratch" }));
    await user.click(screen.getByRole("button", { name: "Start with no permissions" }));
    await user.click(screen.getByRole("tab", { name: "Review + create" }));
    const issues = await screen.findByTestId("draft-issues");
    expect(issues).toHaveTextContent("already exists in this directory");
    expect(issues).toHaveTextContent("at least one assignable scope");
    expect(screen.getByTestId("save-role")).toBeDisabled();

    await user.click(screen.getByRole("tab", { name: "Assignable scopes" }));
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    await user.click(screen.getByRole("tab", { name: "Review + create" }));
    expect(await screen.findByText(/roleDefinitions\/write/)).toBeInTheDocument();
    expect(screen.getByTestId("save-role")).toBeDisabled();
    expect(backend.saveRoleDraft).not.toHaveBeenCalled();
  });

  it("warns about a cloned Reader's */read where permissions are chosen and at the review, and removes it in one click", async () => {
    const user = userEvent.setup();
    renderWizard();
    await user.type(screen.getByTestId("role-name"), "Contoso SMTP Sender");
    await user.click(await screen.findByTestId("clone-Reader"));
    await user.click(next());
    const warnings = await screen.findByTestId("permission-warnings");
    expect(warnings).toHaveTextContent("*/read");
    expect(warnings).toHaveTextContent("grants read access to every resource type");

    // Still there at the review, with the same one-click fix.
    await user.click(screen.getByRole("tab", { name: "Review + create" }));
    expect(await screen.findByTestId("draft-issues")).toHaveTextContent("*/read");
    await user.click(screen.getByTestId("fix-remove-*/read"));
    await user.click(screen.getByRole("tab", { name: "Permissions" }));
    expect(within(screen.getByRole("list", { name: "Actions" })).queryByText("*/read")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId("permission-warnings")).not.toBeInTheDocument());
  });

  it("says when a built-in role already grants what the custom role would (least privilege)", async () => {
    const user = userEvent.setup();
    renderWizard();
    await user.type(screen.getByTestId("role-name"), "Contoso readers");
    await user.click(await screen.findByTestId("clone-Reader"));
    await user.click(next());
    await user.click(next());
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /rg-voice-gateway/ }));
    await user.click(screen.getByRole("tab", { name: "Review + create" }));
    const twin = await screen.findByTestId("built-in-alternative");
    expect(twin).toHaveTextContent("Reader already covers this");
    expect(twin).toHaveTextContent("The built-in role Reader grants exactly these permissions.");
  });

  it("never drops typed JSON, and does not move on while it does not parse", async () => {
    const user = userEvent.setup();
    renderWizard();
    await user.type(screen.getByTestId("role-name"), "Typed Role");
    await user.click(screen.getByRole("tab", { name: "JSON" }));
    const json = (await screen.findByTestId("role-json")) as HTMLTextAreaElement;
    const valid = json.value.replace('"description": ""', '"description": "typed here"');
    fireEvent.change(json, { target: { value: valid.replace(/\n\s*/g, " ") } });
    const typedValid = json.value;
    // A slip: the text no longer parses. Moving on is refused, saying why.
    const broken = typedValid.replace('"Typed Role"', '"Typed Role');
    fireEvent.change(json, { target: { value: broken } });
    expect(screen.getByTestId("json-blocks")).toHaveTextContent("Fix the JSON to move on");
    expect(next()).toBeDisabled();
    expect(screen.getByRole("tab", { name: "Review + create" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Back" })).toBeDisabled();
    expect(json.value).toBe(broken);

    // Fixed: the review uses it, and the JSON step shows the text as typed.
    fireEvent.change(json, { target: { value: typedValid } });
    expect(next()).toBeEnabled();
    await user.click(next());
    expect(await screen.findByText(/typed here/)).toBeInTheDocument();
    await user.click(screen.getByRole("tab", { name: "JSON" }));
    expect(((await screen.findByTestId("role-json")) as HTMLTextAreaElement).value).toBe(typedValid);
  });

  it("checks JSON as it is typed and says where it breaks", async () => {
    const user = userEvent.setup();
    renderWizard();
    await user.type(screen.getByTestId("role-name"), "Typo Role");
    await user.click(screen.getByRole("tab", { name: "JSON" }));
    const json = (await screen.findByTestId("role-json")) as HTMLTextAreaElement;
    fireEvent.change(json, { target: { value: json.value.replace('"actions": []', '"actions": ["Microsoft.Support/ticketz/write"]') } });
    expect(await screen.findByTestId("draft-issues")).toHaveTextContent("does not match any of the actions");
    fireEvent.change(json, { target: { value: "{ \"properties\": " } });
    expect(await screen.findByText(/line 1, column/)).toBeInTheDocument();
  });
});

describe("browsing the catalogue", () => {
  it("lists a provider's operations by resource type and adds one", async () => {
    const user = userEvent.setup();
    renderWizard();
    await user.type(screen.getByTestId("role-name"), "Support Desk");
    await user.click(screen.getByRole("tab", { name: "Permissions" }));
    await user.click(await screen.findByRole("combobox", { name: "Provider" }));
    await user.click(await screen.findByRole("option", { name: /Microsoft.Support/ }));
    await user.click(await screen.findByRole("combobox", { name: "Resource type" }));
    await user.click(await screen.findByRole("option", { name: "supportTickets" }));
    const list = await screen.findByRole("list", { name: "Operations of Microsoft.Support" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(2);
    await user.click(within(list).getByTestId("add-Microsoft.Support/supportTickets/write"));
    expect(within(screen.getByRole("list", { name: "Actions" })).getByText("Microsoft.Support/supportTickets/write")).toBeInTheDocument();
  });
});

describe("the catalogue browser when the catalogue cannot be read", () => {
  it("stops loading and says why", async () => {
    const user = userEvent.setup();
    const { backend } = renderWizard();
    backend.listProviders.mockResolvedValueOnce({
      status: "error",
      error: { kind: "Unavailable", code: "ServiceUnavailable", message: "Azure failed to answer even after retries" },
    });
    await user.type(screen.getByTestId("role-name"), "Support Desk");
    await user.click(screen.getByRole("tab", { name: "Permissions" }));
    expect(await screen.findByText(/Azure failed to answer even after retries/)).toBeInTheDocument();
    expect(screen.queryByText("Loading providers…")).not.toBeInTheDocument();
  });
});

describe("editing a custom role", () => {
  it("warns that the role is assigned before saving changes", async () => {
    const user = userEvent.setup();
    const { backend } = renderWizard();
    await user.click(screen.getByRole("radio", { name: "Edit or delete a custom role" }));
    const list = await screen.findByRole("list", { name: "Roles to start from" });
    await user.click(await within(list).findByRole("button", { name: "Edit" }));
    // Unchanged, it is already in place; a new description is a change.
    await user.type(screen.getByRole("textbox", { name: "Description" }), " (EMEA)");
    await user.click(screen.getByRole("tab", { name: "Review + create" }));
    expect(await screen.findByTestId("role-in-use")).toHaveTextContent("Assigned 2 times");
    expect(backend.customRoleUsage).toHaveBeenCalled();
    expect(screen.getByTestId("save-role")).toHaveTextContent("Save");
  });

  it("finds custom roles in every subscription, and deletes one after a question in the app's own dialog", async () => {
    const user = userEvent.setup();
    const { backend } = renderWizard();
    await user.click(screen.getByRole("radio", { name: "Edit or delete a custom role" }));
    // "SMTP Sender" is assignable only in Contoso Messaging, not the first subscription.
    await user.type(screen.getByRole("searchbox", { name: "Search roles to start from" }), "smtp");
    const list = await screen.findByRole("list", { name: "Roles to start from" });
    expect(await within(list).findByText("SMTP Sender")).toBeInTheDocument();
    expect(list).toHaveTextContent("Contoso Messaging");

    await user.click(screen.getByTestId("delete-SMTP Sender"));
    const dialog = await screen.findByTestId("confirm-dialog");
    expect(dialog).toHaveTextContent("Delete the custom role SMTP Sender?");
    await user.click(within(dialog).getByTestId("confirm-no"));
    expect(backend.deleteCustomRole).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("delete-SMTP Sender"));
    await user.click(within(await screen.findByTestId("confirm-dialog")).getByTestId("confirm-yes"));
    expect(backend.deleteCustomRole).toHaveBeenCalledWith("/subscriptions/11111111-0000-4000-8000-000000000003", expect.any(String));
    expect(await screen.findByTestId("no-roles")).toHaveTextContent("There is no custom role in the subscriptions you can see");
  });
});
