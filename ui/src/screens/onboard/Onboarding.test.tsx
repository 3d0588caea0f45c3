import { beforeEach, describe, expect, it } from "vitest";
import fixtureAnswers from "../../test/fixtures/answers.json";
import fixtureInputs from "../../test/fixtures/inputs.json";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { BackendProvider } from "../../backend";
import { fakeBackend } from "../../test/fakeBackend";
import { INTERRUPTED_RUN, TENANT_WIDE } from "../../test/fakeOnboarding";
import {
  ACS,
  GATEWAY,
  GATEWAY_RG,
  NAMED,
  VOICE,
  acg,
  deployIdentity,
  grantKey,
  nadia,
  roles,
  tom,
  type TenantOptions,
} from "../../test/fakeTenant";
import type { GrantView, MemberView } from "../../bindings";
import { ActivityScreen } from "./ActivityScreen";
import { OnboardScreen } from "./OnboardScreen";
import { OnboardingWizard } from "./OnboardingWizard";
import { clearSessionReports } from "./sessionReports";

type User = ReturnType<typeof userEvent.setup>;
type Backend = ReturnType<typeof fakeBackend>;

function renderWith(ui: React.ReactElement, tenant: TenantOptions = {}, backend: Backend = fakeBackend({ tenant })) {
  render(<BackendProvider backend={backend}>{ui}</BackendProvider>);
  return backend;
}

const ACG_TASKS = ["deploy", "support", "monitor", "numbers-view", "numbers-change", "numbers-remove", "numbers-admin"];
const role = (name: string) => roles.find((r) => r.name === name)!;
const appRole = (value: string) => acg.appRoles.find((r) => r.value === value)!;
const azureKey = (scope: string, name: string, member: MemberView) =>
  grantKey({ type: "AzureRole", scope, roleId: role(name).id, roleName: name, member, description: "" });
const appKey = (value: string, member: MemberView) => {
  const grant: GrantView = {
    type: "AppRole",
    resourceId: acg.id,
    resourceName: acg.displayName,
    appId: acg.appId,
    appRoleId: appRole(value).id,
    appRoleValue: value,
    member,
  };
  return grantKey(grant);
};

const next = () => screen.getByTestId("next-step");
const rows = () => screen.getAllByTestId("plan-row");

/** Template → Tasks: the template (and mode), then the gateway in the tree and the tasks. */
async function chooseAcgTasks(user: User, tasks: string[], mode: "onboard" | "offboard" = "onboard") {
  if (mode === "offboard") await user.click(await screen.findByTestId("mode-offboard"));
  // Choosing the template goes on to its tasks.
  await user.click(await screen.findByTestId("template-acg-staff"));
  await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
  await user.click(await screen.findByRole("button", { name: "Expand rg-voice-gateway" }));
  await user.click(await screen.findByRole("checkbox", { name: /cgw-contoso-prod/ }));
  for (const t of tasks) await user.click(screen.getByTestId(`task-${t}`));
}

async function addMember(user: User, text: string, name: string) {
  const search = screen.getByRole("searchbox", { name: "Search members" });
  await user.clear(search);
  await user.type(search, text);
  await user.click(await screen.findByRole("button", { name: `Add ${name}` }));
}

/** From the template to the review: every ACG task for Nadia. */
async function reviewAcgForNadia(user: User, mode: "onboard" | "offboard" = "onboard", tasks = ACG_TASKS) {
  await chooseAcgTasks(user, tasks, mode);
  await user.click(next());
  await addMember(user, "nad", "Nadia Novak");
  await (mode === "onboard" ? toReview(user) : user.click(next()));
  await screen.findByTestId("proposal-title");
}

/** People → Assignment type (as the template says) → Review. */
async function toReview(user: User) {
  await user.click(next());
  expect(await screen.findByTestId("terms-source")).toBeInTheDocument();
  await user.click(next());
}

beforeEach(() => clearSessionReports());

describe("onboarding from a template", () => {
  it("onboards a person with every ACG task: checks, the least plan, apply, and a report with request ids and exports", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);

    // Template: the built-in ones, marked.
    const card = (await screen.findByTestId("template-acg-staff")).closest("[role=listitem]") as HTMLElement;
    expect(within(card).getByText("Built in")).toBeInTheDocument();
    expect(screen.getByTestId("template-acs-smtp-sender")).toBeInTheDocument();
    expect(next()).toBeDisabled();
    await user.click(screen.getByTestId("template-acg-staff"));

    // Tasks: nothing goes on until the gateway and a task are chosen; a resource group is not a gateway.
    expect(await screen.findByText("The Communications Gateway")).toBeInTheDocument();
    expect(next()).toBeDisabled();
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /^rg-voice-gateway/ }));
    expect(screen.getByTestId("input-gateway-wrong")).toHaveTextContent("rg-voice-gateway is not a Microsoft.VoiceServices/communicationsGateways resource");
    await user.click(screen.getByTestId("task-deploy"));
    expect(next()).toBeDisabled();
    await user.click(await screen.findByRole("button", { name: "Expand rg-voice-gateway" }));
    await user.click(await screen.findByRole("checkbox", { name: /cgw-contoso-prod/ }));
    expect(screen.getByTestId("input-gateway")).toHaveTextContent(GATEWAY);
    expect(screen.queryByTestId("task-warning")).not.toBeInTheDocument();
    for (const t of ACG_TASKS.slice(1)) await user.click(screen.getByTestId(`task-${t}`));
    expect(screen.getAllByTestId("task-warning")).toHaveLength(4);
    expect(screen.getAllByTestId("task-warning")[0]).toHaveTextContent(TENANT_WIDE);
    expect(next()).toBeEnabled();
    await user.click(next());

    // People.
    expect(next()).toBeDisabled();
    await addMember(user, "nad", "Nadia Novak");
    await toReview(user);

    // Review: the tenant-wide warning, no blocker; the least set, with what was left out and why.
    expect(await screen.findByTestId("proposal-title")).toHaveTextContent("Onboarding Nadia Novak with Azure Communications Gateway staff");
    expect(backend.prepareOnboarding).toHaveBeenCalledWith({
      templateId: "acg-staff",
      tasks: ACG_TASKS,
      inputs: [{ id: "gateway", scope: GATEWAY }],
      people: [nadia.id],
      offboard: false,
      // As the template says; no CSV row says otherwise.
      terms: { choice: "asTemplate", justification: "", ticket: "", lastDay: "" },
      personTerms: [],
    });
    expect(screen.getByTestId("check-warning")).toHaveTextContent(TENANT_WIDE);
    expect(screen.queryByTestId("check-blocker")).not.toBeInTheDocument();
    expect(rows()).toHaveLength(3);
    // Scopes by name, kind and parents; the id stays on hover (#15.6).
    await waitFor(() => expect(rows()[0]).toHaveTextContent(`Contributor for Nadia Novak (${nadia.detail}) at ${NAMED.GATEWAY_RG}`));
    expect(rows()[1]).toHaveTextContent(`Support Request Contributor for Nadia Novak (${nadia.detail}) at ${NAMED.VOICE}`);
    expect(rows()[0]!.querySelector(`[title="${GATEWAY_RG}"]`)).toHaveTextContent(NAMED.GATEWAY_RG);
    expect(rows()[2]).toHaveTextContent("ProvisioningAPI.AdminUser of AzureCommunicationsGateway");
    rows().forEach((r) => expect(within(r).getByText("To create")).toBeInTheDocument());
    const leftOut = screen.getByTestId("left-out");
    expect(leftOut).toHaveTextContent(`Reader at ${NAMED.GATEWAY}: Contributor at ${NAMED.GATEWAY_RG} already grants all of it`);
    expect(leftOut).toHaveTextContent("ProvisioningAPI.ReadUser: another chosen app role of the same application includes it");
    expect(screen.getByTestId("apply-writes")).toHaveTextContent("3 grants to create");
    // Nothing is written before the admin says so.
    expect(backend.runProposal).not.toHaveBeenCalled();
    expect(backend.tenant.writes).toEqual([]);

    await user.click(screen.getByTestId("apply-proposal"));
    const report = await screen.findByTestId("run-report");
    expect(report).toHaveTextContent("Onboarding Nadia Novak with Azure Communications Gateway staff");
    expect(report).toHaveTextContent("By olivia.owner@contosodemo.onmicrosoft.com");
    const items = within(report).getAllByTestId("report-item");
    expect(items).toHaveLength(3);
    items.forEach((item, i) => {
      expect(within(item).getByText("Created")).toBeInTheDocument();
      expect(within(item).getByTestId("request-id")).toHaveTextContent(backend.tenant.requestIds[i]!);
    });
    expect(backend.tenant.writes).toEqual([
      azureKey(GATEWAY_RG, "Contributor", nadia),
      azureKey(VOICE, "Support Request Contributor", nadia),
      appKey("ProvisioningAPI.AdminUser", nadia),
    ]);

    // The same grant for automation.
    await user.click(within(items[0]!).getByRole("button", { name: "Same with az / PowerShell / Bicep" }));
    expect(within(items[0]!).getByLabelText("Azure CLI")).toHaveTextContent(
      `az role assignment create --assignee-object-id ${nadia.id} --assignee-principal-type User --role ${role("Contributor").id} --scope '${GATEWAY_RG}'`,
    );
    expect(within(items[0]!).getByLabelText("Bicep")).toHaveTextContent("Microsoft.Authorization/roleAssignments@2022-04-01");

    // Exports, each through the backend.
    const ran = await backend.runProposal.mock.results[0]!.value;
    if (ran.status !== "ok") throw new Error("the run failed");
    const id = ran.data.id;
    for (const [format, extension] of [
      ["markdown", "md"],
      ["csv", "csv"],
      ["json", "json"],
    ] as const) {
      await user.click(screen.getByTestId(`export-${format}`));
      await waitFor(() => expect(screen.getByTestId("report-saved")).toHaveTextContent(new RegExp(`rolecall-report-\\w+\\.${extension}$`)));
      expect(backend.exportReport).toHaveBeenLastCalledWith(id, format);
    }
  });

  it("onboards another person with the same template, tasks and gateway in one click", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    await reviewAcgForNadia(user);
    await user.click(screen.getByTestId("apply-proposal"));
    await screen.findByTestId("run-report");
    const first = backend.prepareOnboarding.mock.calls[0]![0];

    await user.click(screen.getByTestId("same-for-another"));
    // Straight to the people step, nobody chosen yet.
    await addMember(user, "tom", "Tom Baker");
    await toReview(user);
    await screen.findByTestId("proposal-title");
    const second = backend.prepareOnboarding.mock.calls[1]![0];
    expect(second).toMatchObject({ templateId: first.templateId, tasks: first.tasks, inputs: first.inputs });
    expect(second.people).toEqual([tom.id]);
  });

  it("has nothing to do the second time: apply stays disabled and says why", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    await reviewAcgForNadia(user);
    await user.click(screen.getByTestId("apply-proposal"));
    await screen.findByTestId("run-report");
    expect(backend.tenant.writes).toHaveLength(3);

    await user.click(screen.getByTestId("start-another"));
    await reviewAcgForNadia(user);
    rows().forEach((r) => expect(within(r).getByText("Already in place")).toBeInTheDocument());
    expect(screen.getByTestId("apply-proposal")).toBeDisabled();
    expect(screen.getByTestId("apply-reason")).toHaveTextContent("Nothing to do: everything is already in place.");
    expect(backend.runProposal).toHaveBeenCalledTimes(1);
    expect(backend.tenant.writes).toHaveLength(3);
  });

  it("shows what another held role covers and what was made outside Rolecall, and checks again on request", async () => {
    const user = userEvent.setup();
    const contributor = azureKey(GATEWAY_RG, "Contributor", nadia);
    const backend = renderWith(<OnboardingWizard />, { existing: [contributor], madeElsewhere: [contributor] });
    await reviewAcgForNadia(user, "onboard", ["deploy", "monitor"]);
    expect(rows()).toHaveLength(1);
    expect(within(rows()[0]!).getByText("Already in place")).toBeInTheDocument();
    expect(rows()[0]).toHaveTextContent("Made outside Rolecall, under another assignment name.");
    expect(screen.getByTestId("apply-proposal")).toBeDisabled();

    // Meanwhile someone gives Nadia Owner on the subscription: Support Request Contributor is covered.
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByTestId("task-support"));
    await user.click(next());
    await toReview(user);
    await screen.findByTestId("proposal-title");
    expect(rows()[1]).toHaveTextContent("To create");
    backend.tenant.existing.add(`${VOICE.toLowerCase()}|8e3af657-a8ff-443c-a75c-2fe8c4bcb635|${nadia.id}`);
    await user.click(screen.getByTestId("recheck"));
    await waitFor(() => expect(within(rows()[1]!).getByText("Covered")).toBeInTheDocument());
    await waitFor(() => expect(rows()[1]).toHaveTextContent(`Owner at ${NAMED.VOICE} already grants all of it.`));
    expect(screen.getByTestId("apply-reason")).toHaveTextContent("Nothing to do");
    expect(backend.prepareOnboarding).toHaveBeenCalledTimes(3);
  });

  it("reports a failed write with Azure's code and request id, and retries only what is still missing", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />, { failOnceFor: [nadia.id] });
    await reviewAcgForNadia(user, "onboard", ["deploy", "support"]);
    await user.click(screen.getByTestId("apply-proposal"));
    const report = await screen.findByTestId("run-report");
    expect(within(report).getByTestId("report-failed")).toHaveTextContent("1 item did not succeed");
    const [failed, created] = within(report).getAllByTestId("report-item") as [HTMLElement, HTMLElement];
    expect(within(failed).getByText("Failed")).toBeInTheDocument();
    expect(failed).toHaveTextContent("try again in a few minutes. (ServiceUnavailable)");
    expect(within(failed).getByTestId("request-id")).toHaveTextContent(backend.tenant.requestIds[0]!);
    expect(within(created).getByText("Created")).toBeInTheDocument();

    await user.click(screen.getByTestId("retry-failed"));
    await screen.findByTestId("proposal-title");
    expect(within(rows()[0]!).getByText("To create")).toBeInTheDocument();
    expect(within(rows()[1]!).getByText("Already in place")).toBeInTheDocument();
    expect(screen.getByTestId("apply-writes")).toHaveTextContent("1 grant to create");
    await user.click(screen.getByTestId("apply-proposal"));
    await screen.findByTestId("report-succeeded");
    expect(backend.tenant.writes).toEqual([azureKey(VOICE, "Support Request Contributor", nadia), azureKey(GATEWAY_RG, "Contributor", nadia)]);
  });

  it("stops at a blocker: the admin's missing right is shown and nothing can be applied", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />, { canAssign: false });
    await reviewAcgForNadia(user, "onboard", ["deploy", "support"]);
    // One blocker per reason: the right is missing at each scope.
    const blockers = screen.getAllByTestId("check-blocker");
    expect(blockers).toHaveLength(2);
    await waitFor(() =>
      expect(blockers[0]).toHaveTextContent(`1 grant(s) cannot be madeYou lack 'Microsoft.Authorization/roleAssignments/write' at '${NAMED.GATEWAY_RG}'`),
    );
    expect(blockers[1]).toHaveTextContent(`You lack 'Microsoft.Authorization/roleAssignments/write' at '${NAMED.VOICE}'`);
    rows().forEach((r) => expect(within(r).getByText("Blocked")).toBeInTheDocument());
    expect(screen.getByTestId("apply-proposal")).toBeDisabled();
    expect(screen.getByTestId("apply-reason")).toHaveTextContent("Nothing can be written while the 2 blockers above stand");
    expect(backend.runProposal).not.toHaveBeenCalled();
  });

  it("onboards as eligible for 90 days with a last day, a CSV row's own terms over them, and shows the PIM settings checked", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    await chooseAcgTasks(user, ["deploy"]);
    await user.click(next());
    await addMember(user, "tom", "Tom Baker");
    // A contractor from a CSV, eligible until her last day; a row with a misspelt type is left out, saying why.
    const csv = new File([fixtureInputs.peopleCsv.contractors], "contractors.csv", { type: "text/csv" });
    await user.upload(screen.getByTestId("import-csv-file"), csv);
    expect(within(await screen.findByTestId("csv-left-out")).getByText(/line 4: .*'elegible' is not an assignment type/)).toBeInTheDocument();
    const chips = screen.getAllByTestId("csv-person");
    expect(chips[0]).toHaveTextContent("nadia.novak@contosodemo.onmicrosoft.com· eligible until 2027-03-31 · last day 2027-03-31");
    expect(chips[1]).not.toHaveTextContent("eligible");

    // Assignment type: the template's way is named; everyone else eligible for 90 days.
    await user.click(next());
    expect(screen.getByRole("radio", { name: "As the template says: active, permanent" })).toBeChecked();
    await user.click(screen.getByRole("radio", { name: "Choose for every Azure role" }));
    await user.click(screen.getByRole("radio", { name: /^Eligible/ }));
    await user.click(screen.getByRole("combobox", { name: "Ends" }));
    await user.click(screen.getByRole("option", { name: "90 days" }));
    await user.type(screen.getByRole("textbox", { name: /Justification/ }), "Gateway rota");
    // Her last day (a date input, as the platform's picker fills it).
    const lastDay = screen.getByTestId("terms-last-day");
    fireEvent.change(lastDay, { target: { value: "2027-06-30" } });
    await user.click(next());

    expect(await screen.findByTestId("proposal-title")).toHaveTextContent("Onboarding 2 people with Azure Communications Gateway staff");
    expect(backend.prepareOnboarding).toHaveBeenLastCalledWith(
      expect.objectContaining({
        terms: {
          choice: "schedule",
          schedule: { eligible: true, duration: "P90D", until: "", justification: "Gateway rota", ticket: "" },
          justification: "Gateway rota",
          ticket: "",
          lastDay: "2027-06-30",
        },
        personTerms: [
          {
            person: "nadia.novak@contosodemo.onmicrosoft.com",
            terms: expect.objectContaining({ choice: "schedule", lastDay: "2027-03-31", schedule: expect.objectContaining({ until: "2027-03-31T23:59:59Z" }) }),
          },
        ],
      }),
    );
    // Each row says how it is held; the settings the preflight read are listed once per role and scope.
    await waitFor(() => expect(rows()[0]).toHaveTextContent("eligible"));
    const policies = screen.getAllByTestId("pim-policy");
    expect(policies).toHaveLength(1);
    expect(policies[0]).toHaveTextContent(`Contributor at ${NAMED.GATEWAY_RG}: ${fixtureAnswers.policySummaries.eligible}`);
  });

  it("offboards without an assignment type to choose", async () => {
    const user = userEvent.setup();
    renderWith(<OnboardingWizard />);
    await chooseAcgTasks(user, ["deploy"], "offboard");
    expect(screen.queryByRole("tab", { name: "Assignment type" })).not.toBeInTheDocument();
    await user.click(next());
    await addMember(user, "tom", "Tom Baker");
    expect(next()).toHaveTextContent("Next: Review");
  });

  it("imports people from a CSV file, blocks on one not in the directory, and goes on once removed", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    await chooseAcgTasks(user, ["deploy"]);
    await user.click(next());
    const csv = new File([fixtureInputs.peopleCsv.team], "team.csv", { type: "text/csv" });
    await user.upload(screen.getByTestId("import-csv-file"), csv);
    const summary = await screen.findByTestId("csv-summary");
    expect(summary).toHaveTextContent("Imported 3 people from team.csv, the userPrincipalName column");
    // The repeated row is not dropped in silence: its line in the file, and why.
    expect(within(summary).getByTestId("csv-left-out")).toHaveTextContent(
      "line 5: nadia.novak@contosodemo.onmicrosoft.com is on line 2 already",
    );
    expect(screen.getAllByTestId("csv-person").map((c) => c.textContent)).toEqual([
      nadia.detail,
      tom.detail,
      "nobody@contosodemo.onmicrosoft.com",
    ]);
    await toReview(user);

    const blocker = await screen.findByTestId("check-blocker");
    expect(blocker).toHaveTextContent("1 of 3 people are not in this directory");
    // Named as in the file, not by a position that matches no line of it.
    expect(blocker).toHaveTextContent("nobody@contosodemo.onmicrosoft.com. Check the spelling");
    expect(screen.getByTestId("apply-proposal")).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("button", { name: "Back" }));
    await user.click(screen.getByRole("button", { name: "Remove nobody@contosodemo.onmicrosoft.com" }));
    await toReview(user);
    expect(await screen.findByTestId("proposal-title")).toHaveTextContent("Onboarding 2 people with Azure Communications Gateway staff");
    expect(screen.queryByTestId("check-blocker")).not.toBeInTheDocument();
    expect(backend.prepareOnboarding).toHaveBeenLastCalledWith(expect.objectContaining({ people: [nadia.detail, tom.detail] }));
    expect(rows()).toHaveLength(2);
    await user.click(screen.getByTestId("apply-proposal"));
    expect(within(await screen.findByTestId("run-report")).getAllByTestId("report-item")).toHaveLength(2);
    expect(backend.tenant.writes).toEqual([azureKey(GATEWAY_RG, "Contributor", nadia), azureKey(GATEWAY_RG, "Contributor", tom)]);
  });

  it("creates the template's custom role first, then assigns it", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    await user.click(await screen.findByTestId("template-acs-smtp-sender"));
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Messaging" }));
    await user.click(await screen.findByRole("button", { name: "Expand rg-email" }));
    await user.click(await screen.findByRole("checkbox", { name: /acs-contoso-mail/ }));
    await user.click(screen.getByTestId("task-send"));
    await user.click(next());
    await addMember(user, "id-voice", "id-voice-deploy");
    await toReview(user);

    const customRole = await screen.findByTestId("custom-role-row");
    expect(customRole).toHaveTextContent("Communication Services SMTP Sender");
    expect(within(customRole).getByText("To create")).toBeInTheDocument();
    expect(within(customRole).getByText("Microsoft.Communication/EmailServices/write")).toBeInTheDocument();
    await waitFor(() =>
      expect(rows()[0]).toHaveTextContent(`Communication Services SMTP Sender for id-voice-deploy (${deployIdentity.detail}) at ${NAMED.ACS}`),
    );
    expect(screen.getByTestId("apply-writes")).toHaveTextContent("1 custom role to create, 1 grant to create");

    await user.click(screen.getByTestId("apply-proposal"));
    const report = await screen.findByTestId("run-report");
    const created = within(report).getByTestId("report-role");
    expect(created).toHaveTextContent("Communication Services SMTP Sender");
    expect(within(created).getByText("Created")).toBeInTheDocument();
    expect(within(created).getByTestId("request-id")).toHaveTextContent(backend.tenant.requestIds[0]!);
    expect(within(within(report).getByTestId("report-item")).getByText("Created")).toBeInTheDocument();
    const listed = await backend.listRoles(ACS);
    expect(listed.status === "ok" && listed.data.some((r) => r.custom && r.name === "Communication Services SMTP Sender")).toBe(true);
  });

  it("offboards: removes what the template gave, and only that", async () => {
    const user = userEvent.setup();
    const given = [azureKey(GATEWAY_RG, "Contributor", nadia), appKey("ProvisioningAPI.AdminUser", nadia)];
    const elsewhere = azureKey(VOICE, "Reader", nadia);
    const backend = renderWith(<OnboardingWizard />, { existing: [...given, elsewhere] });
    await reviewAcgForNadia(user, "offboard", ["deploy", "support", "numbers-admin"]);

    expect(screen.getByTestId("proposal-title")).toHaveTextContent("Offboarding Nadia Novak from Azure Communications Gateway staff");
    expect(rows()).toHaveLength(3);
    expect(within(rows()[0]!).getByText("To remove")).toBeInTheDocument();
    expect(within(rows()[1]!).getByText("Not held")).toBeInTheDocument();
    expect(within(rows()[2]!).getByText("To remove")).toBeInTheDocument();
    expect(screen.getByTestId("apply-proposal")).toHaveTextContent("Remove access");
    expect(backend.prepareOnboarding).toHaveBeenLastCalledWith(expect.objectContaining({ offboard: true }));

    await user.click(screen.getByTestId("apply-proposal"));
    const items = within(await screen.findByTestId("run-report")).getAllByTestId("report-item");
    expect(items).toHaveLength(2);
    items.forEach((i) => expect(within(i).getByText("Removed")).toBeInTheDocument());
    // Each removal names Azure's request id of the delete (#15.12), for support.
    items.forEach((i) => expect(i).toHaveTextContent(/Azure request id \S+/));
    // Said as a removal, not as new access.
    expect(screen.getByTestId("report-succeeded")).toHaveTextContent("Removed access can keep working");
    expect(backend.tenant.removed).toEqual(given);
    expect([...backend.tenant.existing]).toContain(elsewhere);
  });

  it("removes all access of a person at the chosen scopes, app roles included, and names what stays above", async () => {
    const user = userEvent.setup();
    const below = azureKey(GATEWAY_RG, "Contributor", tom);
    const above = azureKey(VOICE, "Reader", tom);
    const app = appKey("ProvisioningAPI.ReadUser", tom);
    const backend = renderWith(<OnboardingWizard />, { existing: [below, above, app] });
    await user.click(await screen.findByTestId("remove-all-access"));
    expect(next()).toBeDisabled();
    await addMember(user, "tom", "Tom Baker");
    await user.click(next());
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /^rg-voice-gateway/ }));
    await user.click(screen.getByTestId("remove-app-roles"));
    await user.click(next());

    expect(await screen.findByTestId("proposal-title")).toHaveTextContent("Removing all access of Tom Baker");
    expect(backend.prepareRemoval).toHaveBeenCalledWith(tom.id, [GATEWAY_RG], true);
    await waitFor(() => expect(screen.getByTestId("check-warning")).toHaveTextContent(`Reader for Tom Baker (${tom.detail}) at ${NAMED.VOICE}`));
    expect(rows()).toHaveLength(2);
    rows().forEach((r) => expect(within(r).getByText("To remove")).toBeInTheDocument());
    expect(rows()[1]).toHaveTextContent("ProvisioningAPI.ReadUser");

    await user.click(screen.getByTestId("apply-proposal"));
    const items = within(await screen.findByTestId("run-report")).getAllByTestId("report-item");
    expect(items).toHaveLength(2);
    expect(backend.tenant.removed.sort()).toEqual([below, app].sort());
    expect([...backend.tenant.existing]).toContain(above);

    await user.click(screen.getByTestId("start-another"));
    expect(await screen.findByTestId("template-acg-staff")).toBeInTheDocument();
  });

  it("imports a template file, refuses a broken one or a built-in id, and exports a template", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    const mine = {
      id: "noc-readers",
      name: "NOC readers",
      inputs: [{ id: "rg", label: "The resource group", kind: "resourceGroup" }],
      tasks: [{ id: "watch", title: "Watch the resources", grants: [{ azureRole: { role: "Reader", at: "rg" } }] }],
    };
    const input = await screen.findByTestId("import-template-file");
    await user.upload(input, new File(["{ not json"], "broken.json", { type: "application/json" }));
    expect(await screen.findByTestId("error-bar")).toHaveTextContent("broken.json");
    await user.upload(input, new File([JSON.stringify({ ...mine, id: "acg-staff" })], "clash.json", { type: "application/json" }));
    await waitFor(() => expect(screen.getByTestId("error-bar")).toHaveTextContent("'acg-staff' is the id of a built-in template"));
    await user.upload(input, new File([JSON.stringify(mine)], "noc.json", { type: "application/json" }));
    expect(await screen.findByTestId("template-imported")).toHaveTextContent("NOC readers");
    expect(backend.importTemplate).toHaveBeenLastCalledWith("noc.json", JSON.stringify(mine));
    const card = screen.getByTestId("template-noc-readers").closest("[role=listitem]") as HTMLElement;
    expect(within(card).getByText("Yours")).toBeInTheDocument();
    expect(screen.getByTestId("template-noc-readers")).toHaveTextContent("Chosen");

    // The imported template works like a built-in one.
    await user.click(next());
    await user.click(await screen.findByRole("button", { name: "Expand Contoso Voice Production" }));
    await user.click(await screen.findByRole("checkbox", { name: /^rg-voice-gateway/ }));
    await user.click(screen.getByTestId("task-watch"));
    await user.click(next());
    await addMember(user, "nad", "Nadia Novak");
    await toReview(user);
    expect(await screen.findByTestId("proposal-title")).toHaveTextContent("Onboarding Nadia Novak with NOC readers");
    await waitFor(() => expect(rows()[0]).toHaveTextContent(`Reader for Nadia Novak (${nadia.detail}) at ${NAMED.GATEWAY_RG}`));

    await user.click(screen.getByRole("tab", { name: "Template" }));
    await user.click(await screen.findByTestId("export-template-acg-staff"));
    expect(await screen.findByTestId("template-saved")).toHaveTextContent("/home/admin/Downloads/acg-staff.rolecall-template.json");
    expect(backend.exportTemplate).toHaveBeenCalledWith("acg-staff");
  });
});

describe("interrupted runs and the session's reports", () => {
  it("lists an interrupted run in Activity; Resume finishes it without writing twice and shows the report", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<ActivityScreen />, { interrupted: true });
    const banner = await screen.findByTestId("interrupted-run");
    expect(banner).toHaveTextContent("Interrupted: Onboarding Tom Baker with Azure Communications Gateway staff");
    expect(banner).toHaveTextContent("1 of 3 written");
    expect(screen.queryByTestId("no-interrupted")).not.toBeInTheDocument();
    expect(screen.getByTestId("no-reports")).toBeInTheDocument();

    await user.click(screen.getByTestId(`resume-${INTERRUPTED_RUN}`));
    const report = await screen.findByTestId("run-report");
    const items = within(report).getAllByTestId("report-item");
    expect(items.map((i) => within(i).getByText(/Already in place|Created/).textContent)).toEqual([
      "Already in place",
      "Created",
      "Created",
    ]);
    expect(within(items[1]!).getByTestId("request-id")).toHaveTextContent(backend.tenant.requestIds[0]!);
    expect(backend.tenant.writes).toEqual([azureKey(VOICE, "Support Request Contributor", tom), appKey("ProvisioningAPI.AdminUser", tom)]);
    expect(backend.resumeRun).toHaveBeenCalledWith(INTERRUPTED_RUN, expect.anything());
    expect(await screen.findByTestId("no-interrupted")).toHaveTextContent("No interrupted runs");
    expect(screen.queryByTestId("interrupted-run")).not.toBeInTheDocument();
    // The report joins the session's reports, with its exports.
    const listed = screen.getByTestId("session-report");
    expect(listed).toHaveTextContent("Onboarding Tom Baker with Azure Communications Gateway staff");
    await user.click(within(listed).getByTestId("export-csv"));
    expect(await within(listed).findByTestId("report-saved")).toHaveTextContent(/\.csv$/);
  });

  it("discards an interrupted run without writing anything, then says there are none", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<ActivityScreen />, { interrupted: true });
    await user.click(await screen.findByTestId(`discard-${INTERRUPTED_RUN}`));
    expect(await screen.findByTestId("no-interrupted")).toHaveTextContent("Every write Rolecall makes is journaled");
    expect(backend.discardRun).toHaveBeenCalledWith(INTERRUPTED_RUN);
    expect(backend.resumeRun).not.toHaveBeenCalled();
    expect(backend.tenant.writes).toEqual([]);
  });

  it("offers an interrupted run at the top of the Onboard screen, and lists the wizard's reports in Activity", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardScreen />, { interrupted: true });
    expect(await screen.findByTestId("interrupted-run")).toHaveTextContent("Interrupted: Onboarding Tom Baker");
    expect(screen.getByTestId(`resume-${INTERRUPTED_RUN}`)).toBeEnabled();
    await reviewAcgForNadia(user, "onboard", ["deploy"]);
    await user.click(screen.getByTestId("apply-proposal"));
    await screen.findByTestId("run-report");

    cleanup();
    renderWith(<ActivityScreen />, {}, backend);
    const listed = await screen.findByTestId("session-report");
    expect(listed).toHaveTextContent("Onboarding Nadia Novak with Azure Communications Gateway staff");
    expect(within(listed).queryByTestId("run-report")).not.toBeInTheDocument();
    await user.click(within(listed).getByRole("button", { name: "Show details" }));
    // Named in the report too; the id stays in the exports (and on hover).
    await waitFor(() =>
      expect(within(listed).getByTestId("report-item")).toHaveTextContent(
        `Contributor for Nadia Novak (${nadia.detail}) at ${NAMED.GATEWAY_RG}`,
      ),
    );
    // Not resumed from here: still offered.
    expect(screen.getByTestId("interrupted-run")).toBeInTheDocument();
  });
});

describe("undoing a run", () => {
  /** The report id of the nth run (0-based) the backend answered. */
  async function reportId(backend: Backend, n = 0) {
    const ran = await backend.runProposal.mock.results[n]!.value;
    if (ran.status !== "ok") throw new Error("the run failed");
    return ran.data.id as number;
  }
  const sorted = (keys: Iterable<string>) => [...keys].sort();
  /** The session report card whose run has exactly this title. */
  const sessionCard = (title: string) => {
    const card = screen.getAllByTestId("session-report").find((c) => within(c).queryAllByText(title).length > 0);
    if (!card) throw new Error(`no session report '${title}'`);
    return card;
  };
  const ONBOARD_NADIA = "Onboarding Nadia Novak with Azure Communications Gateway staff";

  it("undoes an onboarding from its report: removes only what the run created, and the tenant is as before", async () => {
    const user = userEvent.setup();
    const support = azureKey(VOICE, "Support Request Contributor", nadia);
    const backend = renderWith(<OnboardingWizard />, { existing: [support] });
    const before = sorted(backend.tenant.existing);
    await reviewAcgForNadia(user, "onboard", ["deploy", "support", "numbers-admin"]);
    await user.click(screen.getByTestId("apply-proposal"));
    const report = await screen.findByTestId("run-report");
    expect(within(report).getAllByTestId("report-item").map((i) => within(i).getByText(/Created|Already in place/).textContent)).toEqual([
      "Created",
      "Already in place",
      "Created",
    ]);
    const created = [azureKey(GATEWAY_RG, "Contributor", nadia), appKey("ProvisioningAPI.AdminUser", nadia)];
    expect(sorted(backend.tenant.existing)).toEqual(sorted([...before, ...created]));

    await user.click(within(report).getByTestId("undo-run"));
    expect(backend.prepareUndo).toHaveBeenCalledWith(await reportId(backend));
    expect(await screen.findByTestId("proposal-title")).toHaveTextContent(`Undoing: ${ONBOARD_NADIA}`);
    expect(screen.getByTestId("undo-summary")).toHaveTextContent(`Undoing ${ONBOARD_NADIA}`);
    // What the run created, to remove; the Support Request Contributor that was there before is not part of it.
    expect(rows()).toHaveLength(2);
    await waitFor(() => expect(rows()[0]).toHaveTextContent(`Contributor for Nadia Novak (${nadia.detail}) at ${NAMED.GATEWAY_RG}`));
    expect(rows()[1]).toHaveTextContent("ProvisioningAPI.AdminUser of AzureCommunicationsGateway");
    rows().forEach((r) => expect(within(r).getByText("To remove")).toBeInTheDocument());
    expect(screen.queryByText(/Support Request Contributor for Nadia/)).not.toBeInTheDocument();
    expect(screen.getByTestId("apply-writes")).toHaveTextContent("2 grants to remove");
    expect(backend.tenant.removed).toEqual([]);

    await user.click(screen.getByTestId("apply-proposal"));
    const undone = await screen.findByTestId("run-report");
    expect(undone).toHaveTextContent(`Undoing: ${ONBOARD_NADIA}`);
    expect(within(undone).getByTestId("report-succeeded")).toBeInTheDocument();
    const items = within(undone).getAllByTestId("report-item");
    expect(items).toHaveLength(2);
    items.forEach((i) => expect(within(i).getByText("Removed")).toBeInTheDocument());
    // The undo created nothing: nothing to undo in turn.
    expect(within(undone).queryByTestId("undo-run")).not.toBeInTheDocument();
    expect(sorted(backend.tenant.removed)).toEqual(sorted(created));
    expect(sorted(backend.tenant.existing)).toEqual(before);
    expect(backend.tenant.existing.has(support)).toBe(true);
  });

  it("goes back from the undo's review to the report without writing", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    await reviewAcgForNadia(user, "onboard", ["deploy"]);
    await user.click(screen.getByTestId("apply-proposal"));
    await user.click(within(await screen.findByTestId("run-report")).getByTestId("undo-run"));
    await screen.findByTestId("proposal-title");
    await user.click(screen.getByRole("button", { name: "Back to the report" }));
    expect(await screen.findByTestId("run-report")).toHaveTextContent(ONBOARD_NADIA);
    expect(backend.runProposal).toHaveBeenCalledTimes(1);
    expect(backend.tenant.removed).toEqual([]);
  });

  it("offers no undo for a run that created nothing", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />, { existing: [azureKey(GATEWAY_RG, "Contributor", tom)] });
    await chooseAcgTasks(user, ["deploy"], "offboard");
    // Offboarding speaks of removal, not of what the person will do.
    expect(screen.getByRole("region", { name: "Tasks" })).toHaveTextContent("Which tasks' access goes?");
    expect(screen.queryByText("What will they do?")).not.toBeInTheDocument();
    await user.click(next());
    await addMember(user, "tom", "Tom Baker");
    await user.click(next());
    await screen.findByTestId("proposal-title");
    await user.click(screen.getByTestId("apply-proposal"));
    const report = await screen.findByTestId("run-report");
    expect(within(report).getByText("Removed")).toBeInTheDocument();
    expect(within(report).queryByTestId("undo-run")).not.toBeInTheDocument();
    expect(backend.prepareUndo).not.toHaveBeenCalled();
  });

  it("undoes a past run from its exported JSON report in Activity", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    const before = sorted(backend.tenant.existing);
    await reviewAcgForNadia(user, "onboard", ["deploy", "numbers-view"]);
    await user.click(screen.getByTestId("apply-proposal"));
    await screen.findByTestId("run-report");
    const json = backend.tenant.reportJson(await reportId(backend));
    expect(JSON.parse(json)).toMatchObject({ title: ONBOARD_NADIA, grants: [{ outcome: "created" }, { outcome: "created" }] });

    cleanup();
    clearSessionReports();
    renderWith(<ActivityScreen />, {}, backend);
    await user.upload(await screen.findByTestId("undo-file"), new File([json], "rolecall-report.json", { type: "application/json" }));
    expect(backend.prepareUndoFile).toHaveBeenCalledWith(json);
    const flow = await screen.findByTestId("undo-flow");
    expect(screen.getByTestId("undo-file-name")).toHaveTextContent("From rolecall-report.json");
    expect(await within(flow).findByTestId("proposal-title")).toHaveTextContent(`Undoing: ${ONBOARD_NADIA}`);
    expect(within(flow).getAllByTestId("plan-row")).toHaveLength(2);
    within(flow)
      .getAllByTestId("plan-row")
      .forEach((r) => expect(within(r).getByText("To remove")).toBeInTheDocument());
    expect(screen.queryByTestId("error-bar")).not.toBeInTheDocument();

    await user.click(within(flow).getByTestId("apply-proposal"));
    const report = await within(flow).findByTestId("run-report");
    within(report)
      .getAllByTestId("report-item")
      .forEach((i) => expect(within(i).getByText("Removed")).toBeInTheDocument());
    expect(sorted(backend.tenant.existing)).toEqual(before);
    // The undo's report joins the session's reports.
    expect(await screen.findByTestId("session-report")).toHaveTextContent(`Undoing: ${ONBOARD_NADIA}`);

    // A bare list of entries works too; by now it is all gone again.
    await user.click(within(flow).getByTestId("close-undo"));
    const bare = JSON.stringify(JSON.parse(json).grants);
    await user.upload(screen.getByTestId("undo-file"), new File([bare], "entries.json", { type: "application/json" }));
    const again = await screen.findByTestId("undo-flow");
    expect(await within(again).findByTestId("proposal-title")).toHaveTextContent("Undoing a past run");
    expect(within(again).getByTestId("check-warning")).toHaveTextContent("Nothing to undo");
    expect(within(again).getByTestId("apply-proposal")).toBeDisabled();
  });

  it("lists what was written before a restart, from the journal, and undoes it from there (#15.13)", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    const before = sorted(backend.tenant.existing);
    await reviewAcgForNadia(user, "onboard", ["deploy", "numbers-view"]);
    await user.click(screen.getByTestId("apply-proposal"));
    await screen.findByTestId("run-report");

    // A restart: the window remembers nothing, the journal everything.
    cleanup();
    clearSessionReports();
    renderWith(<ActivityScreen />, {}, backend);
    expect(await screen.findByTestId("no-reports")).toBeInTheDocument();
    const history = within(screen.getByRole("region", { name: "Everything Rolecall wrote" }));
    const card = await history.findByTestId("activity");
    expect(card).toHaveTextContent(ONBOARD_NADIA);
    expect(card).toHaveTextContent("2 writes");
    await user.click(within(card).getByRole("button", { name: "Show details" }));
    expect(within(card).getAllByTestId("activity-write")).toHaveLength(2);
    within(card)
      .getAllByTestId("activity-write")
      .forEach((w) => expect(w).toHaveTextContent("Created."));

    await user.click(within(card).getByTestId("undo-run"));
    expect(backend.prepareUndoActivity).toHaveBeenCalledTimes(1);
    const flow = await within(card).findByTestId("undo-flow");
    expect(await within(flow).findByTestId("proposal-title")).toHaveTextContent(`Undoing: ${ONBOARD_NADIA}`);
    await user.click(within(flow).getByTestId("apply-proposal"));
    await within(flow).findByTestId("run-report");
    expect(sorted(backend.tenant.existing)).toEqual(before);
    await user.click(within(flow).getByTestId("close-undo"));
    // The undo is in the journal too, newest first; it created nothing to undo.
    await waitFor(() => expect(history.getAllByTestId("activity")).toHaveLength(2));
    const [undo] = history.getAllByTestId("activity");
    expect(undo).toHaveTextContent(`Undoing: ${ONBOARD_NADIA}`);
    expect(within(undo!).queryByTestId("undo-run")).not.toBeInTheDocument();
  });

  it("refuses a file that is not a Rolecall JSON report, or one whose run created nothing", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<ActivityScreen />);
    const input = await screen.findByTestId("undo-file");
    await user.upload(input, new File(["{ not json"], "broken.json", { type: "application/json" }));
    expect(await screen.findByTestId("error-bar")).toHaveTextContent("this is not a Rolecall JSON report");
    expect(screen.getByTestId("error-bar")).toHaveTextContent("InvalidInput");
    expect(screen.queryByTestId("undo-flow")).not.toBeInTheDocument();

    await user.upload(input, new File([JSON.stringify({ id: "acg-staff", name: "A template", tasks: [] })], "template.json", { type: "application/json" }));
    await waitFor(() => expect(backend.prepareUndoFile).toHaveBeenCalledTimes(2));
    expect(await screen.findByTestId("error-bar")).toHaveTextContent("this is not a Rolecall JSON report");

    const nothing = {
      title: "Onboarding Tom Baker with Azure Communications Gateway staff",
      grants: [
        {
          grant: {
            type: "azureRole",
            scope: GATEWAY_RG,
            roleId: role("Contributor").id,
            roleName: "Contributor",
            member: { id: tom.id, kind: "User", displayName: tom.displayName, detail: tom.detail },
            description: null,
          },
          outcome: "alreadyInPlace",
        },
      ],
      customRoles: [],
    };
    await user.upload(input, new File([JSON.stringify(nothing)], "nothing.json", { type: "application/json" }));
    await waitFor(() => expect(screen.getByTestId("error-bar")).toHaveTextContent("That run created nothing, so there is nothing to undo."));
    expect(screen.queryByTestId("undo-flow")).not.toBeInTheDocument();
    expect(backend.runProposal).not.toHaveBeenCalled();
  });

  it("says there is nothing to undo once what the run created is gone, and keeps apply disabled", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    await reviewAcgForNadia(user, "onboard", ["deploy"]);
    await user.click(screen.getByTestId("apply-proposal"));
    await user.click(within(await screen.findByTestId("run-report")).getByTestId("undo-run"));
    await screen.findByTestId("proposal-title");
    await user.click(screen.getByTestId("apply-proposal"));
    await screen.findByTestId("report-succeeded");
    expect(backend.tenant.removed).toEqual([azureKey(GATEWAY_RG, "Contributor", nadia)]);

    // Activity still lists the first run, with its undo; undoing it again finds nothing left.
    cleanup();
    renderWith(<ActivityScreen />, {}, backend);
    await screen.findAllByTestId("session-report");
    const card = sessionCard(ONBOARD_NADIA);
    expect(within(sessionCard(`Undoing: ${ONBOARD_NADIA}`)).queryByTestId("undo-run")).not.toBeInTheDocument();
    await user.click(within(card).getByTestId("undo-run"));
    expect(await within(card).findByTestId("proposal-title")).toHaveTextContent(`Undoing: ${ONBOARD_NADIA}`);
    expect(within(card).getByTestId("check-warning")).toHaveTextContent("Nothing to undoWhat that run created is gone already.");
    expect(within(within(card).getByTestId("plan-row")).getByText("Not held")).toBeInTheDocument();
    expect(within(card).getByTestId("apply-proposal")).toBeDisabled();
    expect(within(card).getByTestId("apply-reason")).toHaveTextContent("Nothing to do");
    expect(backend.runProposal).toHaveBeenCalledTimes(2);

    await user.click(within(card).getByTestId("close-undo"));
    expect(within(card).queryByTestId("undo-flow")).not.toBeInTheDocument();
  });

  it("keeps a custom role others still hold (a success), and deletes it once nobody does", async () => {
    const user = userEvent.setup();
    const backend = renderWith(<OnboardingWizard />);
    const SMTP = "Communication Services SMTP Sender";
    const smtpRole = async () => {
      const listed = await backend.listRoles(ACS);
      return listed.status === "ok" && listed.data.some((r) => r.custom && r.name === SMTP);
    };
    const onboardSmtp = async (search: string, name: string) => {
      await user.click(await screen.findByTestId("template-acs-smtp-sender"));
      await user.click(await screen.findByRole("button", { name: "Expand Contoso Messaging" }));
      await user.click(await screen.findByRole("button", { name: "Expand rg-email" }));
      await user.click(await screen.findByRole("checkbox", { name: /acs-contoso-mail/ }));
      await user.click(screen.getByTestId("task-send"));
      await user.click(next());
      await addMember(user, search, name);
      await toReview(user);
      await screen.findByTestId("proposal-title");
      await user.click(screen.getByTestId("apply-proposal"));
      return screen.findByTestId("run-report");
    };
    const first = await onboardSmtp("id-voice", "id-voice-deploy");
    expect(within(within(first).getByTestId("report-role")).getByText("Created")).toBeInTheDocument();
    await user.click(screen.getByTestId("start-another"));
    const second = await onboardSmtp("nad", "Nadia Novak");
    // The role was in place already: this run did not create it.
    expect(within(second).queryByTestId("report-role")).not.toBeInTheDocument();
    expect(within(within(second).getByTestId("report-item")).getByText("Created")).toBeInTheDocument();
    expect(await smtpRole()).toBe(true);

    cleanup();
    renderWith(<ActivityScreen />, {}, backend);
    await screen.findAllByTestId("session-report");
    const FIRST = "Onboarding id-voice-deploy with Azure Communication Services SMTP sender";
    const SECOND = "Onboarding Nadia Novak with Azure Communication Services SMTP sender";

    // Undoing the first run: its grant goes; the role it created stays, as Nadia holds it.
    let card = sessionCard(FIRST);
    await user.click(within(card).getByTestId("undo-run"));
    const role1 = await within(card).findByTestId("custom-role-row");
    expect(within(role1).getByText("To delete if unused")).toBeInTheDocument();
    expect(within(card).getByTestId("apply-writes")).toHaveTextContent("1 custom role to delete if unused, 1 grant to remove");
    await user.click(within(card).getByTestId("apply-proposal"));
    let report = await within(card).findByTestId("run-report");
    expect(within(report).getByTestId("report-succeeded")).toHaveTextContent("Done");
    const kept = within(report).getByTestId("report-role");
    expect(within(kept).getByText("Kept")).toBeInTheDocument();
    expect(kept).toHaveTextContent(`The custom role '${SMTP}' stays: 1 other assignment(s) still hold it.`);
    expect(within(within(report).getByTestId("report-item")).getByText("Removed")).toBeInTheDocument();
    expect(await smtpRole()).toBe(true);
    // Listed as succeeded in the session.
    expect(within(sessionCard(`Undoing: ${FIRST}`)).getByText("Succeeded")).toBeInTheDocument();
    // It removed and kept, created nothing: no undo of it.
    expect(within(sessionCard(`Undoing: ${FIRST}`)).queryByTestId("undo-run")).not.toBeInTheDocument();

    // Undoing the second: it did not create the role, so only Nadia's grant goes.
    card = sessionCard(SECOND);
    await user.click(within(card).getByTestId("undo-run"));
    await within(card).findByTestId("proposal-title");
    expect(within(card).queryByTestId("custom-role-row")).not.toBeInTheDocument();
    await user.click(within(card).getByTestId("apply-proposal"));
    report = await within(card).findByTestId("run-report");
    expect(within(within(report).getByTestId("report-item")).getByText("Removed")).toBeInTheDocument();
    expect(await smtpRole()).toBe(true);

    // Undoing the first again: no grant is left, but the role it created can go now.
    card = sessionCard(FIRST);
    await user.click(within(card).getByTestId("close-undo"));
    await user.click(within(card).getByTestId("undo-run"));
    await within(card).findByTestId("proposal-title");
    expect(within(card).queryByTestId("check-warning")).not.toBeInTheDocument();
    expect(within(within(card).getByTestId("plan-row")).getByText("Not held")).toBeInTheDocument();
    expect(within(card).getByTestId("apply-proposal")).toBeEnabled();
    await user.click(within(card).getByTestId("apply-proposal"));
    report = await within(card).findByTestId("run-report");
    expect(within(within(report).getByTestId("report-role")).getByText("Removed")).toBeInTheDocument();
    expect(await smtpRole()).toBe(false);
    expect(backend.tenant.existing.size).toBe(2); // Olivia's Owner and the deleted user's Reader, as at the start
  });
});

describe("the Onboard screen", () => {
  it("says the connection is fine in one line, with the details on request", async () => {
    const user = userEvent.setup();
    renderWith(<OnboardScreen />);
    const line = await screen.findByTestId("connection");
    await waitFor(() => expect(line).toHaveAttribute("data-state", "ok"));
    expect(line).toHaveTextContent(/Connected to .* \(\d+ ms\)/);
    expect(line).not.toHaveTextContent("issuer");
    await user.click(within(line).getByRole("button", { name: "Details" }));
    expect(line).toHaveTextContent("issuer");
  });
});
