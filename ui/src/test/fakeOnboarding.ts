import { readFileSync, writeFileSync } from "node:fs";
import { vi } from "vitest";
import fixtureAnswers from "./fixtures/answers.json";
import fixtureInputs from "./fixtures/inputs.json";
import type { Channel } from "@tauri-apps/api/core";
import type {
  ActivityView_Serialize as ActivityView,
  AppView,
  CsvPeopleView_Serialize,
  PolicyView,
  ScheduleView,
  CheckView,
  GrantView,
  MemberView,
  OnboardingRequest,
  OutcomeView,
  PlanItemView,
  ProposalView,
  ReportFormat,
  RoleStepView,
  RoleView,
  RunProgressView_Deserialize,
  RunKindView,
  RunReportView,
  TemplateView,
  UnfinishedView,
} from "../bindings";
// Only used inside functions: fakeTenant imports this module, so nothing of
// it may be read while the modules are still being evaluated.
import {
  GATEWAY_RG,
  OWNER_ID,
  VOICE,
  acg,
  fail,
  grantKey,
  members,
  ok,
  synergy,
  tom,
  type Result,
  type TenantOptions,
} from "./fakeTenant";

/** The template file format (crates/rolecall-onboarding/templates). */
export interface TemplateSpec {
  id: string;
  name: string;
  description?: string;
  inputs?: { id: string; label: string; kind: string; resourceType?: string }[];
  customRoles?: {
    id: string;
    name: string;
    description?: string;
    actions?: string[];
    dataActions?: string[];
    assignableAt: string;
  }[];
  tasks: {
    id: string;
    title: string;
    description?: string;
    warning?: string;
    grants: {
      azureRole?: { role: string; at: string };
      appRole?: { appId: string; role: string; supersedes?: string[] };
      customRole?: { role: string; at: string };
    }[];
  }[];
}

const ACG = "8502a0ec-c76d-412f-836c-398018e2312b";
export const TENANT_WIDE = "App roles of the AzureCommunicationsGateway application apply to every gateway in the tenant.";
const numbers = (id: string, title: string, ...roles: { role: string; supersedes?: string[] }[]) => ({
  id,
  title,
  warning: TENANT_WIDE,
  grants: [{ azureRole: { role: "Reader", at: "gateway" } }, ...roles.map((r) => ({ appRole: { appId: ACG, ...r } }))],
});

/** The built-in templates, as shipped (acg-staff.json, acs-smtp-sender.json). */
export const BUILTIN_TEMPLATES: TemplateSpec[] = [
  {
    id: "acg-staff",
    name: "Azure Communications Gateway staff",
    description:
      "People who run an Azure Communications Gateway: deploy and configure it, raise support requests, monitor it, and manage numbers in the Number Management Portal. From Microsoft's procedure for Azure Communications Gateway.",
    inputs: [
      { id: "gateway", label: "The Communications Gateway", kind: "resource", resourceType: "Microsoft.VoiceServices/communicationsGateways" },
    ],
    tasks: [
      {
        id: "deploy",
        title: "Deploy the gateway or change its configuration",
        grants: [{ azureRole: { role: "Contributor", at: "gateway.resourceGroup" } }],
      },
      {
        id: "support",
        title: "Raise support requests",
        grants: [{ azureRole: { role: "Support Request Contributor", at: "gateway.subscription" } }],
      },
      { id: "monitor", title: "Monitor logs and metrics", grants: [{ azureRole: { role: "Reader", at: "gateway" } }] },
      numbers("numbers-view", "View numbers in the Number Management Portal", { role: "ProvisioningAPI.ReadUser" }),
      numbers(
        "numbers-change",
        "Change numbers in the Number Management Portal",
        { role: "ProvisioningAPI.ReadUser" },
        { role: "ProvisioningAPI.WriteUser" },
      ),
      numbers(
        "numbers-remove",
        "Remove numbers in the Number Management Portal",
        { role: "ProvisioningAPI.ReadUser" },
        { role: "ProvisioningAPI.DeleteUser" },
      ),
      numbers("numbers-admin", "Everything in the Number Management Portal", {
        role: "ProvisioningAPI.AdminUser",
        supersedes: ["ProvisioningAPI.ReadUser", "ProvisioningAPI.WriteUser", "ProvisioningAPI.DeleteUser"],
      }),
    ],
  },
  {
    id: "acs-smtp-sender",
    name: "Azure Communication Services SMTP sender",
    description:
      "An Entra application that sends email over SMTP through Azure Communication Services: a custom role with exactly the three documented permissions, assigned on the Communication Services resource. From Microsoft's procedure, without the Reader permissions a cloned role would keep.",
    inputs: [
      { id: "acs", label: "The Communication Services resource", kind: "resource", resourceType: "Microsoft.Communication/communicationServices" },
    ],
    customRoles: [
      {
        id: "smtp-sender",
        name: "Communication Services SMTP Sender",
        description: "Send email over SMTP through Azure Communication Services.",
        actions: [
          "Microsoft.Communication/CommunicationServices/Read",
          "Microsoft.Communication/CommunicationServices/Write",
          "Microsoft.Communication/EmailServices/write",
        ],
        assignableAt: "acs.resourceGroup",
      },
    ],
    tasks: [{ id: "send", title: "Send email over SMTP", grants: [{ customRole: { role: "smtp-sender", at: "acs" } }] }],
  },
];

export const ADMIN_UPN = "olivia.owner@contosodemo.onmicrosoft.com";
export const INTERRUPTED_RUN = "5d0c7a52-run-0000-4000-8000-000000000001";

const view = (t: TemplateSpec, builtin: boolean): TemplateView => ({
  id: t.id,
  name: t.name,
  description: t.description ?? "",
  builtin,
  inputs: (t.inputs ?? []).map((i) => ({ id: i.id, label: i.label, kind: i.kind, resourceType: i.resourceType ?? "" })),
  tasks: t.tasks.map((task) => ({ id: task.id, title: task.title, description: task.description ?? "", warning: task.warning ?? "" })),
  customRoles: (t.customRoles ?? []).map((r) => r.name),
  // The fake's templates set no assignment type: plain role assignments.
  assignment: "active, permanent",
});

/**
 * The review's PIM settings for each eligible or time-bound grant's role and
 * scope: the demo's untouched policy, in the words Rolecall's code gives it
 * (`fixtures/answers.json`).
 */
export function policiesOf(grants: GrantView[]): PolicyView[] {
  const out: PolicyView[] = [];
  for (const g of grants) {
    if (g.type !== "AzureRole" || !g.schedule) continue;
    const eligible = g.schedule.eligible;
    if (out.some((p) => p.scope === g.scope && p.roleName === g.roleName && p.eligible === eligible)) continue;
    out.push({ scope: g.scope, roleName: g.roleName, eligible, summary: fixtureAnswers.policySummaries[eligible ? "eligible" : "active"] });
  }
  return out;
}

/** `child` is `parent` or below it. */
const within = (parent: string, child: string) => {
  const p = parent.toLowerCase();
  const c = child.toLowerCase();
  return c === p || c.startsWith(`${p}/`);
};

const subscriptionOf = (scope: string) => scope.split("/").slice(0, 3).join("/");

/** Scope references: `gateway`, `gateway.resourceGroup`, `gateway.subscription`. */
function scopeOf(reference: string, inputs: Record<string, string>): string {
  const [input, part = ""] = reference.split(".") as [string, string?];
  const id = inputs[input];
  if (!id) throw new Error(`no value was given for the input '${input}'`);
  const segments = id.split("/");
  if (segments[1]?.toLowerCase() !== "subscriptions" || !segments[2]) throw new Error(`'${id}' is not an ARM scope`);
  if (part === "") return id;
  if (part === "subscription") return subscriptionOf(id);
  if (part === "resourceGroup") {
    if (segments[3]?.toLowerCase() !== "resourcegroups" || !segments[4]) throw new Error(`'${id}' is not inside a resource group`);
    return segments.slice(0, 5).join("/");
  }
  throw new Error(`'${part}' is not a part of a scope (use subscription or resourceGroup)`);
}

/** What the catalogue would say: does `by` grant every operation `role` grants? */
const grantsAllOf = (by: string, role: string) =>
  by === role ||
  by === "Owner" ||
  (by === "Contributor" && !["Owner", "User Access Administrator", "Role Based Access Control Administrator"].includes(role));

const label = (m: MemberView) => (m.detail ? `${m.displayName} (${m.detail})` : m.displayName);

/** `Grant::describe`. */
const describe = (g: GrantView) =>
  g.type === "AzureRole"
    ? `${g.roleName} for ${label(g.member)} at ${g.scope}`
    : `${g.appRoleValue} of ${g.resourceName} (${g.appId}) for ${label(g.member)}`;

const principalType = (m: MemberView) => m.kind;

/** rolecall_grants::report's az, PowerShell and Bicep forms. */
const snippets = (g: GrantView) =>
  g.type === "AzureRole"
    ? {
        az: `az role assignment create --assignee-object-id ${g.member.id} --assignee-principal-type ${principalType(g.member)} --role ${g.roleId} --scope '${g.scope}'`,
        powershell: `New-AzRoleAssignment -ObjectId ${g.member.id} -ObjectType ${principalType(g.member)} -RoleDefinitionId ${g.roleId} -Scope '${g.scope}'`,
        bicep: `// deploy at (or with \`scope:\` set to) ${g.scope}\nresource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n  name: '${assignmentName(g.scope, g.member.id, g.roleId)}'\n  properties: {\n    roleDefinitionId: '${subscriptionOf(g.scope)}/providers/Microsoft.Authorization/roleDefinitions/${g.roleId}'\n    principalId: '${g.member.id}'\n    principalType: '${principalType(g.member)}'\n  }\n}`,
      }
    : {
        az: `az rest --method POST --url https://graph.microsoft.com/v1.0/servicePrincipals/${g.resourceId}/appRoleAssignedTo --body '{"principalId":"${g.member.id}","resourceId":"${g.resourceId}","appRoleId":"${g.appRoleId}"}'`,
        powershell: `New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId ${g.resourceId} -PrincipalId ${g.member.id} -ResourceId ${g.resourceId} -AppRoleId ${g.appRoleId}`,
        bicep: `extension microsoftGraphV1\nresource appRole 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {\n  appRoleId: '${g.appRoleId}'\n  principalId: '${g.member.id}'\n  resourceId: '${g.resourceId}'\n}`,
      };

/**
 * An answer the Rust code gave for `input` (see `fixtures/inputs.json`). A
 * test that needs one not there yet fails saying so; run Vitest once with
 * ROLECALL_RECORD_FIXTURES=1 to add what it asks for, then `cargo xtask
 * fixtures` for the answers.
 */
function fixture<T>(table: string, input: string): T {
  const answers = (fixtureAnswers as unknown as Record<string, Record<string, T>>)[table] ?? {};
  if (input in answers) return answers[input];
  if (process.env.ROLECALL_RECORD_FIXTURES) {
    const file = `${__dirname}/fixtures/inputs.json`;
    const inputs = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    const list = new Set((inputs[table] as string[] | undefined) ?? []);
    list.add(input);
    inputs[table] = [...list].sort();
    writeFileSync(file, `${JSON.stringify(inputs, null, 2)}\n`);
  }
  throw new Error(`No fixture in '${table}' for ${JSON.stringify(input)}: run Vitest with ROLECALL_RECORD_FIXTURES=1, then \`cargo xtask fixtures\`.`);
}

/** `rolecall_rbac::names::role_assignment_name`: Rolecall's name for a role assignment. */
const assignmentName = (scope: string, memberId: string, roleId: string) =>
  fixture<string>("assignmentNames", [scope, memberId, roleId].join("|"));

/** `rolecall_app::roles::new_role_id`: a new custom role's id. */
const newRoleId = (roleName: string, subscription: string) => fixture<string>("newRoleIds", [roleName, subscription].join("|"));

/** An app-role assignment's id: Graph makes one up; so does the fake, from a counter. */
let appRoleAssignments = 0;
const appRoleAssignmentId = () => `a5516000-0000-4000-8000-${String(++appRoleAssignments).padStart(12, "0")}`;

/**
 * `rolecall_onboarding::people_from_csv`, as the Rust code answers it: the
 * CSV texts the tests upload are in `fixtures/inputs.json`, the answers in
 * `fixtures/answers.json` (written by `cargo xtask fixtures`).
 */
export function peopleFromCsv(text: string): CsvPeopleView_Serialize {
  const name = Object.entries(fixtureInputs.peopleCsv).find(([, csv]) => csv === text)?.[0];
  const answer = name && (fixtureAnswers.peopleFromCsv as unknown as Record<string, CsvPeopleView_Serialize>)[name];
  if (!answer) {
    throw new Error("No fixture for this CSV: add it to ui/src/test/fixtures/inputs.json and run `cargo xtask fixtures`.");
  }
  return answer;
}

export interface TenantContext {
  state: { existing: Set<string>; writes: string[]; removed: string[] };
  options: TenantOptions;
  roles: () => RoleView[];
  setRoles: (roles: RoleView[]) => void;
  requestId: () => string;
}

interface Kept {
  view: ProposalView;
  /** Each custom role's definition, by name. */
  definitions: Map<string, { id: string; description: string; permissions: string[] }>;
}

interface Pending {
  view: UnfinishedView;
  grants: GrantView[];
}

type Definition = { id: string; description: string; permissions: string[] };

/** What a run did, as the backend keeps it behind a report (`RunReport`). */
interface RunRecord {
  runId: string;
  kind: RunKindView;
  title: string;
  by: string;
  started: string;
  finished: string;
  roles: { step: RoleStepView; definition: Definition; outcome: OutcomeView }[];
  grants: { grant: GrantView; outcome: OutcomeView }[];
}

/** What an undo takes away: the grants and custom roles a run created. */
interface UndoRun {
  title: string;
  grants: GrantView[];
  roles: { name: string; scope: string; definition: Definition }[];
}

/** `Outcome` as serde writes it (`{"outcome": "created", ...}`). */
function outcomeJson(o: OutcomeView, assignmentId: string): Record<string, unknown> {
  const requestId = o.requestId ? { requestId: o.requestId } : {};
  switch (o.kind) {
    case "Created":
      return { outcome: "created", assignmentId, ...requestId };
    case "AlreadyInPlace":
      return { outcome: "alreadyInPlace" };
    case "Inherited":
      return { outcome: "inherited", fromScope: o.message.replace(/^Already granted at (.*)\.$/, "$1") };
    case "Covered":
      return { outcome: "covered", byRole: "", fromScope: "" };
    case "Removed":
      return { outcome: "removed", ...requestId };
    case "Extended":
      return { outcome: "extended", ...requestId };
    case "Renewed":
      return { outcome: "renewed", ...requestId };
    case "Kept":
      return { outcome: "kept", reason: o.message };
    case "AlreadyGone":
      return { outcome: "alreadyGone" };
    case "Blocked":
      return { outcome: "blocked", reason: o.message };
    case "Failed":
      return { outcome: "failed", code: o.code, message: o.message, ...requestId };
  }
}

/** `Grant` as serde writes it. */
function grantJson(g: GrantView): Record<string, unknown> {
  const member = { id: g.member.id, kind: g.member.kind, displayName: g.member.displayName, detail: g.member.detail || null };
  return g.type === "AzureRole"
    ? { type: "azureRole", scope: g.scope, roleId: g.roleId, roleName: g.roleName, member, description: g.description || null }
    : {
        type: "appRole",
        resourceId: g.resourceId,
        resourceName: g.resourceName,
        appId: g.appId,
        appRoleId: g.appRoleId,
        appRoleValue: g.appRoleValue,
        member,
      };
}

const str = (v: unknown): v is string => typeof v === "string";

/** A `Grant` as serde writes it, as the window's view of it. */
function grantFrom(v: Record<string, unknown>): GrantView {
  const m = v.member as Record<string, unknown>;
  const member: MemberView = {
    id: m.id as string,
    kind: m.kind as MemberView["kind"],
    displayName: m.displayName as string,
    detail: str(m.detail) ? m.detail : "",
    warning: "",
    label: "",
  };
  return v.type === "azureRole"
    ? { type: "AzureRole", scope: v.scope as string, roleId: v.roleId as string, roleName: v.roleName as string, member, description: str(v.description) ? v.description : "" }
    : {
        type: "AppRole",
        resourceId: v.resourceId as string,
        resourceName: v.resourceName as string,
        appId: v.appId as string,
        appRoleId: v.appRoleId as string,
        appRoleValue: v.appRoleValue as string,
        member,
      };
}

/**
 * `rolecall_app::undo::of_report`, as the Rust code answers it for the texts
 * in `fixtures/inputs.json`: the run undoing a JSON report's, or why not.
 */
export function undoFromReport(text: string): UndoRun | { error: string } {
  type Answer = { error: string } | { run: { title: string; grants: Record<string, unknown>[]; customRoles: { guid: string; draft: Record<string, unknown> }[] } };
  const answer = fixture<Answer>("undoReports", text);
  if ("error" in answer) return answer;
  return {
    title: answer.run.title,
    grants: answer.run.grants.map(grantFrom),
    roles: answer.run.customRoles.map(({ guid, draft }) => {
      const scopes = (draft.assignableScopes as string[] | undefined) ?? [];
      const permissions = ((draft.permissions as Record<string, string[] | undefined>[] | undefined) ?? []).flatMap((p) => [...(p.actions ?? []), ...(p.dataActions ?? [])]);
      return {
        name: draft.roleName as string,
        scope: scopes[0] ?? "",
        definition: { id: guid, description: str(draft.description) ? draft.description : "", permissions },
      };
    }),
  };
}

type RoleAt = { scope: string; roleId: string; roleName: string };

/**
 * Templates, proposals, journaled runs, interrupted runs and reports, as
 * src-tauri/src/onboarding.rs answers them, over the fake tenant's state.
 */
export function fakeOnboarding(ctx: TenantContext) {
  const { state, options } = ctx;
  const canAssign = options.canAssign ?? true;
  const canAssignAppRoles = options.canAssignAppRoles ?? true;
  const canWriteRoles = options.canWriteRoles ?? true;
  const failing = new Set(options.failOnceFor ?? []);
  const madeElsewhere = new Set(options.madeElsewhere ?? []);
  const apps: AppView[] = [acg, synergy];
  const own: TemplateSpec[] = [];
  const proposals = new Map<number, Kept>();
  const reports = new Map<number, RunReportView>();
  /** What each report's run did, by report id (what `undo` and the JSON export read). */
  const records = new Map<number, RunRecord>();
  const unfinished: Pending[] = [];
  let nextProposal = 1;
  let nextReport = 1;
  let nextRun = 1;
  let tick = 0;
  const clock = () => new Date(Date.UTC(2026, 2, 2, 10, 15, tick++)).toISOString().replace(".000Z", "Z");

  if (options.interrupted) {
    // A run that stopped after its first write (the app was closed).
    const support = ctx.roles().find((r) => r.name === "Support Request Contributor")!;
    const contributor = ctx.roles().find((r) => r.name === "Contributor")!;
    const admin = acg.appRoles.find((r) => r.value === "ProvisioningAPI.AdminUser")!;
    const description = "Rolecall onboarding: Azure Communications Gateway staff";
    const grants: GrantView[] = [
      { type: "AzureRole", scope: GATEWAY_RG, roleId: contributor.id, roleName: contributor.name, member: tom, description },
      { type: "AzureRole", scope: VOICE, roleId: support.id, roleName: support.name, member: tom, description },
      { type: "AppRole", resourceId: acg.id, resourceName: acg.displayName, appId: acg.appId, appRoleId: admin.id, appRoleValue: admin.value, member: tom },
    ];
    state.existing.add(grantKey(grants[0]!));
    unfinished.push({
      view: {
        runId: INTERRUPTED_RUN,
        title: "Onboarding Tom Baker with Azure Communications Gateway staff",
        kind: "onboard",
        began: "2026-03-02T09:58:41Z",
        total: 3,
        written: 1,
      },
      grants,
    });
  }

  const templates = () => [...BUILTIN_TEMPLATES.map((t) => ({ t, builtin: true })), ...own.map((t) => ({ t, builtin: false }))];
  const roleName = (id: string) => (id === OWNER_ID ? "Owner" : (ctx.roles().find((r) => r.id === id)?.name ?? id));
  const resolve = (text: string) => {
    const t = text.trim().toLowerCase();
    return members.find((m) => m.id.toLowerCase() === t || (m.detail !== "" && m.detail.toLowerCase() === t));
  };
  const deliver = (channel: Channel<RunProgressView_Deserialize>, message: RunProgressView_Deserialize) =>
    (channel.onmessage as (m: RunProgressView_Deserialize) => void)(message);

  /** One grant against the fake's state and the admin's rights (`plan::plan_with`). */
  const planItem = (grant: GrantView): PlanItemView => {
    const item = (s: PlanItemView["state"], detail = ""): PlanItemView => ({ grant, state: s, detail, summary: describe(grant) });
    if (grant.type === "AppRole") {
      if (!canAssignAppRoles)
        return item("Blocked", "Assigning app roles needs Cloud Application Administrator, Application Administrator or Global Administrator.");
      return item(state.existing.has(grantKey(grant)) ? "InPlace" : "ToCreate");
    }
    if (!canAssign)
      return item(
        "Blocked",
        `You lack 'Microsoft.Authorization/roleAssignments/write' at '${grant.scope}'. Owner, User Access Administrator or Role Based Access Control Administrator there (or above) carries it.`,
      );
    const key = grantKey(grant);
    if (state.existing.has(key))
      return item("InPlace", madeElsewhere.has(key) ? "Made outside Rolecall, under another assignment name." : "");
    const held = [...state.existing]
      .filter((k) => k.startsWith("/subscriptions/"))
      .map((k) => k.split("|") as [string, string, string])
      .filter(([at, , memberId]) => memberId === grant.member.id && within(at, grant.scope));
    const same = held.find(([, roleId]) => roleId === grant.roleId);
    if (same) return item("Inherited", same[0]);
    const cover = held.find(([, roleId]) => grantsAllOf(roleName(roleId), grant.roleName));
    if (cover) return item("Covered", `${roleName(cover[1])} at ${cover[0]} already grants all of it.`);
    return item("ToCreate");
  };

  /** `expand`: the least set of grants the chosen tasks need. */
  const expand = (t: TemplateSpec, tasks: string[], inputs: Record<string, string>) => {
    const warnings: string[] = [];
    const leftOut: string[] = [];
    const specs: TemplateSpec["tasks"][number]["grants"] = [];
    for (const id of tasks) {
      const task = t.tasks.find((x) => x.id === id);
      if (!task) throw new Error(`template '${t.id}' has no task '${id}'`);
      if (task.warning && !warnings.includes(task.warning)) warnings.push(task.warning);
      specs.push(...task.grants);
    }
    const roles: RoleAt[] = [];
    const custom: { name: string; scope: string; id: string; description: string; permissions: string[] }[] = [];
    const seen = new Set<string>();
    for (const spec of specs) {
      if (spec.azureRole) {
        const at = scopeOf(spec.azureRole.at, inputs);
        const role = ctx.roles().find((r) => r.name.toLowerCase() === spec.azureRole!.role.toLowerCase());
        if (!role) throw new Error(`there is no role named '${spec.azureRole.role}' at ${at}`);
        if (seen.has(`${at.toLowerCase()}|${role.id}`)) continue;
        seen.add(`${at.toLowerCase()}|${role.id}`);
        roles.push({ scope: at, roleId: role.id, roleName: role.name });
      } else if (spec.customRole) {
        const at = scopeOf(spec.customRole.at, inputs);
        const def = (t.customRoles ?? []).find((r) => r.id === spec.customRole!.role);
        if (!def) throw new Error(`template '${t.id}': custom role '${spec.customRole.role}' is not defined`);
        const assignable = scopeOf(def.assignableAt, inputs);
        const exists = ctx.roles().find((r) => r.custom && r.name.toLowerCase() === def.name.toLowerCase());
        const id = exists?.id ?? newRoleId(def.name, subscriptionOf(assignable));
        if (!custom.some((c) => c.id === id))
          custom.push({
            name: def.name,
            scope: assignable,
            id,
            description: def.description ?? "",
            permissions: [...(def.actions ?? []), ...(def.dataActions ?? [])],
          });
        if (seen.has(`${at.toLowerCase()}|${id}`)) continue;
        seen.add(`${at.toLowerCase()}|${id}`);
        roles.push({ scope: at, roleId: id, roleName: def.name });
      }
    }
    // Covered roles left out: another kept role at the same or a parent scope grants all of it.
    const dropped = roles.map(() => false);
    roles.forEach((a, i) => {
      const by = roles.findIndex(
        (b, j) =>
          j !== i &&
          !dropped[j] &&
          within(b.scope, a.scope) &&
          grantsAllOf(b.roleName, a.roleName) &&
          // Of two equal grants at the same scope, keep the first.
          !(a.roleName === b.roleName && a.scope.toLowerCase() === b.scope.toLowerCase() && j > i),
      );
      if (by >= 0) {
        dropped[i] = true;
        leftOut.push(`${a.roleName} at ${a.scope}: ${roles[by]!.roleName} at ${roles[by]!.scope} already grants all of it`);
      }
    });
    const kept = roles.filter((_, i) => !dropped[i]);
    // App roles: superseded ones left out.
    const wanted: { appId: string; role: string }[] = [];
    const superseded = new Set<string>();
    for (const spec of specs) {
      if (!spec.appRole) continue;
      const appId = spec.appRole.appId.toLowerCase();
      (spec.appRole.supersedes ?? []).forEach((s) => superseded.add(`${appId}|${s.toLowerCase()}`));
      if (!wanted.some((w) => w.appId === appId && w.role.toLowerCase() === spec.appRole!.role.toLowerCase()))
        wanted.push({ appId, role: spec.appRole.role });
    }
    const appGrants: { app: AppView; id: string; value: string }[] = [];
    for (const w of wanted) {
      if (superseded.has(`${w.appId}|${w.role.toLowerCase()}`)) {
        leftOut.push(`${w.role}: another chosen app role of the same application includes it`);
        continue;
      }
      const app = apps.find((a) => a.appId === w.appId);
      if (!app) throw new Error(`no enterprise application has the application id ${w.appId}`);
      const role = app.appRoles.find((r) => r.value.toLowerCase() === w.role.toLowerCase());
      if (!role) throw new Error(`${app.displayName} has no app role '${w.role}'`);
      appGrants.push({ app, id: role.id, value: role.value });
    }
    return { warnings, leftOut, roles: kept, custom, appGrants };
  };

  /** Resolves each person; the ones not found become one blocker. */
  const people = (wanted: string[], checks: CheckView[]) => {
    const found: MemberView[] = [];
    const missing: string[] = [];
    wanted.forEach((text) => {
      const m = resolve(text);
      if (!m) missing.push(text);
      else if (!found.some((f) => f.id === m.id)) found.push(m);
    });
    if (missing.length)
      checks.push({
        level: "blocker",
        title: `${missing.length} of ${wanted.length} people are not in this directory`,
        detail: `${missing.join(", ")}. Check the spelling, give an object id or user principal name, invite them as guests first, or remove them from the list.`,
      });
    if (!wanted.length)
      checks.push({ level: "blocker", title: "Nobody is chosen", detail: "Pick at least one person, group or application, or import a CSV." });
    return found;
  };

  const blockersOf = (items: PlanItemView[], title: (n: number) => string, checks: CheckView[]) => {
    const reasons = new Map<string, number>();
    items.filter((i) => i.state === "Blocked").forEach((i) => reasons.set(i.detail, (reasons.get(i.detail) ?? 0) + 1));
    reasons.forEach((n, reason) => checks.push({ level: "blocker", title: title(n), detail: reason }));
  };

  const keep = (
    partial: Omit<ProposalView, "id" | "blocked" | "writes">,
    definitions: Kept["definitions"] = new Map(),
  ): ProposalView => {
    const onboard = partial.kind === "onboard";
    const writes = onboard
      ? partial.customRoles.filter((r) => r.state === "toCreate").length + partial.plan.items.filter((i) => i.state === "ToCreate").length
      : partial.plan.items.filter((i) => i.state === "InPlace").length;
    const id = nextProposal++;
    const proposal: ProposalView = {
      ...partial,
      id,
      plan: { ...partial.plan, id },
      blocked: partial.checks.some((c) => c.level === "blocker"),
      writes,
    };
    proposals.set(id, { view: proposal, definitions });
    return proposal;
  };

  const report = (
    runId: string,
    title: string,
    started: string,
    roles: { step: RoleStepView; definition: Definition; outcome: OutcomeView }[],
    items: { grant: GrantView; summary: string; outcome: OutcomeView }[],
  ) => {
    // Kept (a custom role others still hold) is a success.
    const success = (o: OutcomeView) => o.kind !== "Failed" && o.kind !== "Blocked";
    const r: RunReportView = {
      id: nextReport++,
      runId,
      // As the backend's titles say: a removal run offboards, undoes or removes all access.
      kind: /^(Offboarding|Undoing|Removing)/.test(title) ? "offboard" : "onboard",
      title,
      by: ADMIN_UPN,
      started,
      finished: clock(),
      succeeded: roles.every((x) => success(x.outcome)) && items.every((x) => success(x.outcome)),
      roles: roles.map((x) => ({ roleName: x.step.roleName, outcome: x.outcome })),
      items: items.map((i) => ({ grant: i.grant, summary: i.summary, outcome: i.outcome, ...snippets(i.grant) })),
    };
    reports.set(r.id, r);
    records.set(r.id, {
      runId,
      kind: r.kind,
      title,
      by: r.by,
      started,
      finished: r.finished,
      roles,
      grants: items.map((i) => ({ grant: i.grant, outcome: i.outcome })),
    });
    return r;
  };

  /** The app's "Export JSON" of a report (src-tauri export_report), for tests to undo from a file. */
  const reportJson = (reportId: number): string => {
    const r = records.get(reportId);
    if (!r) throw new Error(`no report ${reportId}`);
    const assignment = (g: GrantView) =>
      g.type === "AzureRole"
        ? `${g.scope}/providers/Microsoft.Authorization/roleAssignments/${assignmentName(g.scope, g.member.id, g.roleId)}`
        : appRoleAssignmentId();
    return JSON.stringify(
      {
        title: r.title,
        runId: r.runId,
        by: r.by,
        started: r.started,
        finished: r.finished,
        customRoles: r.roles.map((x) => ({
          role: {
            guid: x.definition.id,
            draft: {
              roleName: x.step.roleName,
              description: x.definition.description,
              assignableScopes: [x.step.scope],
              permissions: [{ actions: x.definition.permissions, notActions: [], dataActions: [], notDataActions: [] }],
            },
          },
          outcome: outcomeJson(x.outcome, `${subscriptionOf(x.step.scope)}/providers/Microsoft.Authorization/roleDefinitions/${x.definition.id}`),
        })),
        grants: r.grants.map((g) => ({ grant: grantJson(g.grant), ...outcomeJson(g.outcome, assignment(g.grant)) })),
      },
      null,
      2,
    );
  };

  /** `rolecall_onboarding::prepare_undo` (and the command's "created nothing" refusal). */
  const prepareUndoOf = (undo: UndoRun): Result<ProposalView> => {
    if (!undo.grants.length && !undo.roles.length) return fail("InvalidInput", "That run created nothing, so there is nothing to undo.");
    const checks: CheckView[] = [];
    const items = undo.grants.map(planItem);
    const reasons = [...new Set(items.filter((i) => i.state === "Blocked").map((i) => i.detail))];
    reasons.forEach((detail) => checks.push({ level: "blocker", title: "Some access cannot be removed by you", detail }));
    const customRoles: RoleStepView[] = undo.roles.map((r) => ({
      roleName: r.name,
      scope: r.scope,
      permissions: r.definition.permissions,
      state: ctx.roles().some((x) => x.id === r.definition.id) ? "toDeleteIfUnused" : "absent",
    }));
    const found: MemberView[] = [];
    undo.grants.forEach((g) => {
      if (!found.some((m) => m.id.toLowerCase() === g.member.id.toLowerCase())) found.push(g.member);
    });
    const writes = items.filter((i) => i.state === "InPlace").length;
    if (writes === 0 && !customRoles.some((r) => r.state === "toDeleteIfUnused"))
      checks.push({ level: "warning", title: "Nothing to undo", detail: "What that run created is gone already." });
    return ok(
      keep(
        { kind: "offboard", title: undo.title, members: found, customRoles, plan: { id: 0, items, policies: [] }, leftOut: [], checks },
        new Map(undo.roles.map((r) => [r.name, r.definition])),
      ),
    );
  };

  const outcome = (kind: OutcomeView["kind"], message: string, requestId = "", code = ""): OutcomeView => ({ kind, code, message, requestId });

  /** One grant written (or found there), with progress through the channel. */
  const write = (channel: Channel<RunProgressView_Deserialize>, index: number, item: PlanItemView): OutcomeView => {
    let o: OutcomeView;
    switch (item.state) {
      case "InPlace":
        o = outcome("AlreadyInPlace", "Already in place.");
        break;
      case "Inherited":
        o = outcome("Inherited", `Already granted at ${item.detail}.`);
        break;
      case "Covered":
        o = outcome("Covered", `Not needed: ${item.detail}`);
        break;
      case "Blocked":
        o = outcome("Blocked", item.detail);
        break;
      case "Kept":
        o = outcome("Kept", item.detail);
        break;
      case "ToCreate":
        deliver(channel, { role: false, index, state: "Running", outcome: null });
        if (failing.delete(item.grant.member.id)) {
          o = outcome("Failed", "Azure failed to answer even after retries; try again in a few minutes.", ctx.requestId(), "ServiceUnavailable");
        } else {
          state.existing.add(grantKey(item.grant));
          state.writes.push(grantKey(item.grant));
          o = outcome("Created", "Created.", ctx.requestId());
        }
    }
    deliver(channel, { role: false, index, state: "Done", outcome: o });
    return o;
  };

  const commands = {
    listTemplates: vi.fn(async () => ok(templates().map(({ t, builtin }) => view(t, builtin)))),
    importTemplate: vi.fn(async (fileName: string, text: string): Promise<Result<TemplateView>> => {
      let t: TemplateSpec;
      try {
        t = JSON.parse(text) as TemplateSpec;
      } catch (e) {
        return fail("InvalidInput", `${fileName}: line 1, column 1: ${(e as Error).message}`);
      }
      const invalid = (message: string) => fail<TemplateView>("InvalidInput", `template '${t.id ?? ""}': ${message}`);
      if (!t.id || !t.name) return invalid("a template needs an id and a name");
      if (!Array.isArray(t.tasks) || !t.tasks.length) return invalid("a template needs at least one task");
      const empty = t.tasks.find((task) => !task.grants?.length);
      if (empty) return invalid(`task '${empty.id}' grants nothing`);
      if (BUILTIN_TEMPLATES.some((b) => b.id === t.id))
        return fail("InvalidInput", `'${t.id}' is the id of a built-in template; give yours another id.`);
      const at = own.findIndex((o) => o.id === t.id);
      if (at >= 0) own.splice(at, 1, t);
      else own.push(t);
      return ok(view(t, false));
    }),
    exportTemplate: vi.fn(async (id: string): Promise<Result<string | null>> =>
      templates().some(({ t }) => t.id === id)
        ? ok(`/home/admin/Downloads/${id}.rolecall-template.json`)
        : fail<string | null>("InvalidInput", `there is no template '${id}'`),
    ),
    peopleFromCsv: vi.fn(async (text: string) => ok(peopleFromCsv(text))),
    prepareOnboarding: vi.fn(async (request: OnboardingRequest): Promise<Result<ProposalView>> => {
      const t = templates().find(({ t }) => t.id === request.templateId)?.t;
      if (!t) return fail("InvalidInput", `there is no template '${request.templateId}'`);
      const inputs = Object.fromEntries(request.inputs.map((i) => [i.id, i.scope]));
      const missing = (t.inputs ?? []).find((i) => !inputs[i.id]);
      if (missing) return fail("InvalidInput", `Choose ${missing.label} (input '${missing.id}') first.`);
      const tasks = request.tasks.length ? request.tasks : t.tasks.map((x) => x.id);
      const checks: CheckView[] = [];
      const found = people(request.people, checks);
      let expansion: ReturnType<typeof expand>;
      try {
        expansion = expand(t, tasks, inputs);
      } catch (e) {
        return fail("InvalidInput", (e as Error).message);
      }
      // As the backend: the template's warnings are about granting, not taking away.
      if (!request.offboard)
        expansion.warnings.forEach((w) => checks.push({ level: "warning", title: "Read before you apply", detail: w }));
      found
        .filter((m) => m.kind === "ServicePrincipal" && m.warning)
        .forEach((m) => checks.push({ level: "warning", title: `Check ${m.displayName}`, detail: m.warning }));
      const onboard = !request.offboard;
      const customRoles: RoleStepView[] = expansion.custom.map((c) => {
        const exists = ctx.roles().some((r) => r.id === c.id);
        const step = (state: RoleStepView["state"]): RoleStepView => ({ roleName: c.name, scope: c.scope, permissions: c.permissions, state });
        if (!onboard) return step(exists ? "toDeleteIfUnused" : "absent");
        if (exists) return step("inPlace");
        if (!canWriteRoles)
          checks.push({
            level: "blocker",
            title: `The custom role '${c.name}' cannot be created`,
            detail: `You lack 'Microsoft.Authorization/roleDefinitions/write' at '${c.scope}'.`,
          });
        return step("toCreate");
      });
      const description = `Rolecall onboarding: ${t.name}`;
      // The admin's terms, a CSV row's over everyone's (the fake's templates
      // say nothing: without terms, plain role assignments).
      const scheduleOf = (member: MemberView): ScheduleView | undefined => {
        const own = request.personTerms?.find((p) => [member.id, member.detail].some((x) => x.toLowerCase() === p.person.toLowerCase()))?.terms;
        const terms = own && own.choice !== "asTemplate" ? own : request.terms;
        if (!onboard || terms?.choice !== "schedule" || !terms.schedule) return undefined;
        return { ...terms.schedule, justification: terms.justification || terms.schedule.justification };
      };
      const grants: GrantView[] = found.flatMap((member) => [
        ...expansion.roles.map(
          (r): GrantView => ({ type: "AzureRole", scope: r.scope, roleId: r.roleId, roleName: r.roleName, member, description, schedule: scheduleOf(member) }),
        ),
        ...expansion.appGrants.map(
          (a): GrantView => ({
            type: "AppRole",
            resourceId: a.app.id,
            resourceName: a.app.displayName,
            appId: a.app.appId,
            appRoleId: a.id,
            appRoleValue: a.value,
            member,
          }),
        ),
      ]);
      const items = grants.map(planItem);
      blockersOf(items, (n) => (onboard ? `${n} grant(s) cannot be made` : `${n} grant(s) cannot be removed`), checks);
      if (!onboard)
        items
          .filter((i) => i.state === "Inherited")
          .forEach((i) =>
            checks.push({
              level: "warning",
              title: "Held at a parent scope",
              detail: `${i.summary}: made at ${i.detail}, which Rolecall does not remove here. Remove it there if it should go too.`,
            }),
          );
      const who = found.length === 1 ? found[0]!.displayName : `${found.length} people`;
      return ok(
        keep(
          {
            kind: onboard ? "onboard" : "offboard",
            title: onboard ? `Onboarding ${who} with ${t.name}` : `Offboarding ${who} from ${t.name}`,
            members: found,
            customRoles,
            plan: { id: 0, items, policies: onboard ? policiesOf(grants) : [] },
            leftOut: expansion.leftOut,
            checks,
          },
          new Map(expansion.custom.map((c) => [c.name, { id: c.id, description: c.description, permissions: c.permissions }])),
        ),
      );
    }),
    prepareRemoval: vi.fn(async (person: string, scopes: string[], appRoles: boolean): Promise<Result<ProposalView>> => {
      if (!scopes.length && !appRoles) return fail("InvalidInput", "Choose at least one scope, or include app roles.");
      const bad = scopes.find((s) => !s.toLowerCase().startsWith("/subscriptions/"));
      if (bad) return fail("InvalidInput", `'${bad}' is not an ARM scope`);
      const member = resolve(person);
      if (!member) return fail("NoMember", `Nobody in this directory matches '${person}'. Check the spelling, or give an object id or user principal name.`);
      const grants: GrantView[] = [];
      const checks: CheckView[] = [];
      for (const key of state.existing) {
        const [at, id, memberId] = key.split("|") as [string, string, string];
        if (memberId !== member.id) continue;
        if (at.startsWith("/subscriptions/")) {
          const grant: GrantView = { type: "AzureRole", scope: at, roleId: id, roleName: roleName(id), member, description: "" };
          if (scopes.some((s) => within(s, at))) grants.push(grant);
          else if (scopes.some((s) => within(at, s)))
            checks.push({
              level: "warning",
              title: "Held at a parent scope",
              detail: `${describe(grant)}: it reaches the chosen scope from above and stays; remove it there if it should go too.`,
            });
        } else if (appRoles) {
          const app = apps.find((a) => a.id === at);
          const role = app?.appRoles.find((r) => r.id === id);
          if (app && role)
            grants.push({ type: "AppRole", resourceId: app.id, resourceName: app.displayName, appId: app.appId, appRoleId: role.id, appRoleValue: role.value, member });
        }
      }
      const items = grants.map(planItem);
      const reasons = [...new Set(items.filter((i) => i.state === "Blocked").map((i) => i.detail))];
      reasons.forEach((detail) => checks.push({ level: "blocker", title: "Some access cannot be removed by you", detail }));
      if (!items.length)
        checks.push({ level: "warning", title: "Nothing to remove", detail: `${member.displayName} holds no access directly at the chosen scopes.` });
      return ok(
        keep({
          kind: "offboard",
          title: `Removing all access of ${member.displayName}`,
          members: [member],
          customRoles: [],
          plan: { id: 0, items, policies: [] },
          leftOut: [],
          checks,
        }),
      );
    }),
    prepareUndo: vi.fn(async (reportId: number): Promise<Result<ProposalView>> => {
      const r = records.get(reportId);
      if (!r) return fail("ReportExpired", "This report is no longer in memory; export it as JSON and undo from the file.");
      return prepareUndoOf({
        title: `Undoing: ${r.title}`,
        grants: r.grants.filter((g) => g.outcome.kind === "Created").map((g) => g.grant),
        roles: r.roles
          .filter((x) => x.outcome.kind === "Created")
          .map((x) => ({ name: x.step.roleName, scope: x.step.scope, definition: x.definition })),
      });
    }),
    // The journal's history (src-tauri list_activity): every run the fake
    // carried out, newest first, whatever the window remembers.
    listActivity: vi.fn(async (): Promise<Result<ActivityView[]>> =>
      ok(
        [...records.values()].reverse().map((r) => ({
          id: r.runId,
          title: r.title,
          kind: r.kind,
          began: r.started,
          state: "Done" as const,
          writes: [
            ...r.roles.map((x) => ({ at: r.finished, summary: `Custom role ${x.step.roleName}`, outcome: x.outcome, removing: r.kind === "offboard" })),
            ...r.grants.map((g) => ({ at: r.finished, summary: describe(g.grant), outcome: g.outcome, removing: r.kind === "offboard" })),
          ],
          canUndo: [...r.roles, ...r.grants].some((x) => x.outcome.kind === "Created"),
        })),
      ),
    ),
    prepareUndoActivity: vi.fn(async (activityId: string): Promise<Result<ProposalView>> => {
      const found = [...records.values()].find((r) => r.runId === activityId);
      if (!found) return fail("InvalidInput", "That activity is not in the journal any more; refresh Activity.");
      const undo = {
        title: `Undoing: ${found.title}`,
        grants: found.grants.filter((g) => g.outcome.kind === "Created").map((g) => g.grant),
        roles: found.roles
          .filter((x) => x.outcome.kind === "Created")
          .map((x) => ({ name: x.step.roleName, scope: x.step.scope, definition: x.definition })),
      };
      if (!undo.grants.length && !undo.roles.length) return fail("InvalidInput", "That activity created nothing, so there is nothing to undo.");
      return prepareUndoOf(undo);
    }),
    prepareUndoFile: vi.fn(async (text: string): Promise<Result<ProposalView>> => {
      const undo = undoFromReport(text);
      return "error" in undo ? fail("InvalidInput", undo.error) : prepareUndoOf(undo);
    }),
    runProposal: vi.fn(async (proposalId: number, channel: Channel<RunProgressView_Deserialize>): Promise<Result<RunReportView>> => {
      const kept = proposals.get(proposalId);
      if (!kept) return fail("PlanExpired", "This plan is no longer available; check again.");
      const p = kept.view;
      if (p.blocked) return fail("Blocked", "A preflight check blocks this; resolve it and check again.");
      const started = clock();
      const runId = `5d0c7a52-run-0000-4000-9000-${String(nextRun++).padStart(12, "0")}`;
      const roles = p.customRoles.filter((r) => r.state === "toCreate" || r.state === "toDeleteIfUnused");
      const roleOutcomes: OutcomeView[] = [];
      const items: { grant: GrantView; summary: string; outcome: OutcomeView }[] = [];
      if (p.kind === "onboard") {
        roles.forEach((r, index) => {
          const def = kept.definitions.get(r.roleName)!;
          let o: OutcomeView;
          if (ctx.roles().some((x) => x.id === def.id)) o = outcome("AlreadyInPlace", "Already in place.");
          else {
            ctx.setRoles([
              ...ctx.roles(),
              { id: def.id, name: r.roleName, description: def.description, custom: true, privileged: false, permissions: def.permissions },
            ]);
            o = outcome("Created", "Created.", ctx.requestId());
          }
          roleOutcomes.push(o);
          deliver(channel, { role: true, index, state: "Done", outcome: o });
        });
        p.plan.items.forEach((item, index) => items.push({ grant: item.grant, summary: item.summary, outcome: write(channel, index, item) }));
      } else {
        p.plan.items
          .filter((i) => i.state === "InPlace")
          .forEach((item, index) => {
            deliver(channel, { role: false, index, state: "Running", outcome: null });
            const key = grantKey(item.grant);
            let o: OutcomeView;
            if (state.existing.delete(key)) {
              state.removed.push(key);
              // As ARM and Graph answer a delete: with its request id.
              o = outcome("Removed", "Removed.", ctx.requestId());
            } else o = outcome("AlreadyGone", "Already gone.");
            deliver(channel, { role: false, index, state: "Done", outcome: o });
            items.push({ grant: item.grant, summary: item.summary, outcome: o });
          });
        roles.forEach((r, index) => {
          const def = kept.definitions.get(r.roleName)!;
          const holders = [...state.existing].filter((k) => k.split("|")[1] === def.id).length;
          let o: OutcomeView;
          if (!ctx.roles().some((x) => x.id === def.id)) o = outcome("AlreadyGone", "Already gone.");
          else if (holders) o = outcome("Kept", `The custom role '${r.roleName}' stays: ${holders} other assignment(s) still hold it.`);
          else {
            ctx.setRoles(ctx.roles().filter((x) => x.id !== def.id));
            o = outcome("Removed", "Removed.");
          }
          roleOutcomes.push(o);
          deliver(channel, { role: true, index, state: "Done", outcome: o });
        });
      }
      return ok(
        report(
          runId,
          p.title,
          started,
          roles.map((r, i) => ({ step: r, definition: kept.definitions.get(r.roleName)!, outcome: roleOutcomes[i]! })),
          items,
        ),
      );
    }),
    unfinishedRuns: vi.fn(async () => ok(unfinished.map((u) => u.view))),
    resumeRun: vi.fn(async (runId: string, channel: Channel<RunProgressView_Deserialize>): Promise<Result<RunReportView>> => {
      const at = unfinished.findIndex((u) => u.view.runId === runId);
      if (at < 0) return fail("NotUnfinished", "That run has ended already.");
      const [run] = unfinished.splice(at, 1) as [Pending];
      const started = clock();
      // Planned again, so nothing is written twice.
      const items = run.grants.map((grant, index) => {
        const item = planItem(grant);
        return { grant, summary: item.summary, outcome: write(channel, index, item) };
      });
      return ok(report(run.view.runId, run.view.title, started, [], items));
    }),
    discardRun: vi.fn(async (runId: string): Promise<Result<null>> => {
      const at = unfinished.findIndex((u) => u.view.runId === runId);
      if (at < 0) return fail("NotUnfinished", "That run has ended already.");
      unfinished.splice(at, 1);
      return ok(null);
    }),
    exportReport: vi.fn(async (reportId: number, format: ReportFormat): Promise<Result<string | null>> => {
      const r = reports.get(reportId);
      if (!r) return fail("ReportExpired", "This report is no longer in memory; the journal still holds every write.");
      const extension = { markdown: "md", csv: "csv", json: "json" }[format];
      return ok(`/home/admin/Downloads/rolecall-report-${r.finished.replace(/[:-]/g, "")}.${extension}`);
    }),
  };
  return { commands, state: { reports, unfinished, proposals, templates: own, reportJson } };
}
