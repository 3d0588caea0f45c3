import { vi } from "vitest";
import type { Channel } from "@tauri-apps/api/core";
import type {
  AwaitingView,
  AzureRoleGrantView,
  DraftCheckView,
  EndingView,
  MyRoleView,
  OperationView,
  RankedRoleView,
  AssignmentView,
  ExportFormat,
  AppRoleHolderView,
  AppView,
  CommandError,
  GrantView,
  MemberView,
  OutcomeView,
  PlanItemView,
  PlanView,
  ProgressView_Deserialize,
  RoleView,
  CustomRoleView,
  PlaceView,
  ScopeNode,
} from "../bindings";
import { fakeOnboarding, policiesOf } from "./fakeOnboarding";

export const ACG_APP_ID = "8502a0ec-c76d-412f-836c-398018e2312b";
export const VOICE = "/subscriptions/11111111-0000-4000-8000-000000000001";
export const LEGACY = "/subscriptions/11111111-0000-4000-8000-000000000002";
export const GATEWAY_RG = `${VOICE}/resourceGroups/rg-voice-gateway`;
export const GATEWAY = `${GATEWAY_RG}/providers/Microsoft.VoiceServices/communicationsGateways/cgw-contoso-prod`;
export const MESSAGING = "/subscriptions/11111111-0000-4000-8000-000000000003";
export const EMAIL_RG = `${MESSAGING}/resourceGroups/rg-email`;
export const ACS = `${EMAIL_RG}/providers/Microsoft.Communication/communicationServices/acs-contoso-mail`;
/** The scopes as the window names them (from the estate): name · kind · parents. */
export const NAMED = {
  VOICE: "Contoso Voice Production · subscription",
  GATEWAY_RG: "rg-voice-gateway · resource group · Contoso Voice Production",
  GATEWAY: "cgw-contoso-prod · communicationsGateways · rg-voice-gateway · Contoso Voice Production",
  ACS: "acs-contoso-mail · communicationServices · rg-email · Contoso Messaging",
};

const subscriptions: ScopeNode[] = [
  { id: VOICE, name: "Contoso Voice Production", kind: "Subscription", detail: "Enabled" },
  { id: MESSAGING, name: "Contoso Messaging", kind: "Subscription", detail: "Enabled" },
  { id: LEGACY, name: "Contoso Legacy", kind: "Subscription", detail: "Disabled" },
];
export const WORKLOADS = "/providers/Microsoft.Management/managementGroups/mg-workloads";
const ROOT_GROUP = "/providers/Microsoft.Management/managementGroups/contoso-root";
const PLATFORM = "/providers/Microsoft.Management/managementGroups/mg-platform";
const rootGroup: ScopeNode = { id: ROOT_GROUP, name: "Tenant Root Group", kind: "ManagementGroup", detail: "contoso-root" };
/** The management groups, as the demo tenant has them. */
const groupChildren: Record<string, ScopeNode[]> = {
  [ROOT_GROUP]: [
    { id: PLATFORM, name: "Contoso Platform", kind: "ManagementGroup", detail: "mg-platform" },
    { id: WORKLOADS, name: "Contoso Workloads", kind: "ManagementGroup", detail: "mg-workloads" },
  ],
  [PLATFORM]: [subscriptions[2]!],
  [WORKLOADS]: [subscriptions[1]!, subscriptions[0]!],
};
const children: Record<string, ScopeNode[]> = {
  [VOICE]: [{ id: GATEWAY_RG, name: "rg-voice-gateway", kind: "ResourceGroup", detail: "uksouth" }],
  [GATEWAY_RG]: [
    { id: GATEWAY, name: "cgw-contoso-prod", kind: "Resource", detail: "Microsoft.VoiceServices/communicationsGateways" },
    {
      id: `${GATEWAY_RG}/providers/Microsoft.OperationalInsights/workspaces/log-voice`,
      name: "log-voice",
      kind: "Resource",
      detail: "Microsoft.OperationalInsights/workspaces",
    },
  ],
  [MESSAGING]: [{ id: EMAIL_RG, name: "rg-email", kind: "ResourceGroup", detail: "northeurope" }],
  [EMAIL_RG]: [
    { id: ACS, name: "acs-contoso-mail", kind: "Resource", detail: "Microsoft.Communication/communicationServices" },
    {
      id: `${EMAIL_RG}/providers/Microsoft.Communication/emailServices/email-contoso`,
      name: "email-contoso",
      kind: "Resource",
      detail: "Microsoft.Communication/emailServices",
    },
  ],
};

export const roles: RoleView[] = [
  { id: "b24988ac-6180-42a0-ab88-20f7382dd24c", name: "Contributor", description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.", custom: false, privileged: true, permissions: ["*", "not: Microsoft.Authorization/*/Write"] },
  { id: "acdd72a7-3385-48ef-bd42-f606fba81ae7", name: "Reader", description: "View all resources, but does not allow you to make any changes.", custom: false, privileged: false, permissions: ["*/read"] },
  { id: "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e", name: "Support Request Contributor", description: "Lets you create and manage Support requests", custom: false, privileged: false, permissions: ["Microsoft.Support/*"] },
  { id: "9f3c1d2e-0000-4000-8000-00000000abcd", name: "SMTP Sender", description: "Send email through Communication Services", custom: true, privileged: false, permissions: ["Microsoft.Communication/CommunicationServices/Read"] },
];

export const nadia: MemberView = { id: "aaaaaaaa-0000-4000-8000-000000000001", kind: "User", displayName: "Nadia Novak", detail: "nadia.novak@contosodemo.onmicrosoft.com", warning: "", label: "" };
export const tom: MemberView = { id: "aaaaaaaa-0000-4000-8000-000000000002", kind: "User", displayName: "Tom Baker", detail: "tom.baker@contosodemo.onmicrosoft.com", warning: "", label: "" };
export const operators: MemberView = { id: "bbbbbbbb-0000-4000-8000-000000000001", kind: "Group", displayName: "ACG Operators", detail: "", warning: "", label: "" };
export const synergySp: MemberView = {
  id: "cccccccc-0000-4000-8000-000000000002",
  kind: "ServicePrincipal",
  displayName: "Project Synergy",
  detail: "dddddddd-0000-4000-8000-000000000002",
  warning: `Not the AzureCommunicationsGateway application: that one has application id ${ACG_APP_ID}; this one has dddddddd-0000-4000-8000-000000000002.`,
  label: "Service principal",
};
export const deployIdentity: MemberView = {
  id: "cccccccc-0000-4000-8000-000000000003",
  kind: "ServicePrincipal",
  displayName: "id-voice-deploy",
  detail: "dddddddd-0000-4000-8000-000000000003",
  warning: "",
  label: "Managed identity",
};
export const oliviaMember: MemberView = { id: "aaaaaaaa-0000-4000-8000-0000000000aa", kind: "User", displayName: "Olivia Owner", detail: "olivia.owner@contosodemo.onmicrosoft.com", warning: "", label: "" };
export const ghost: MemberView = {
  id: "99999999-0000-4000-8000-000000000009",
  kind: "User",
  displayName: "Identity not found",
  detail: "",
  warning: "The principal was deleted; this assignment grants nothing and can be removed.",
  label: "",
};
export const OWNER_ID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const READER_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
export const members = [nadia, tom, operators, synergySp, oliviaMember, deployIdentity];

export const appRoles = ["ReadUser", "WriteUser", "DeleteUser", "AdminUser"].map((v, i) => ({
  id: `eeeeeeee-0000-4000-8000-00000000000${i}`,
  value: `ProvisioningAPI.${v}`,
  displayName: `${v}`,
  description: `ProvisioningAPI ${v}`,
  members: "users and groups",
}));
export const acg: AppView = { id: "cccccccc-0000-4000-8000-000000000001", appId: ACG_APP_ID, displayName: "AzureCommunicationsGateway", appRoles, warning: "" };
export const synergy: AppView = { id: synergySp.id, appId: synergySp.detail, displayName: "Project Synergy", appRoles, warning: synergySp.warning };

export const catalogue: OperationView[] = [
  "Microsoft.Communication/CommunicationServices/Read",
  "Microsoft.Communication/CommunicationServices/Write",
  "Microsoft.Communication/CommunicationServices/Delete",
  "Microsoft.Communication/EmailServices/read",
  "Microsoft.Communication/EmailServices/write",
  "Microsoft.Support/supportTickets/read",
  "Microsoft.Support/supportTickets/write",
  "Microsoft.Resources/subscriptions/resourceGroups/read",
].map((name) => ({ name, displayName: name.split("/").slice(1).join(" "), description: "", dataAction: false }));

const matches = (pattern: string, name: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(name);

export interface TenantOptions {
  /** The admin may write role definitions (default true). */
  canWriteRoles?: boolean;
  /** The admin holds roleAssignments/write everywhere (default true). */
  canAssign?: boolean;
  /** The admin holds a directory role that may assign app roles (default true). */
  canAssignAppRoles?: boolean;
  /** Members whose first write fails (a transient Azure failure). */
  failOnceFor?: string[];
  /** Grants already in place, as keys from `grantKey`. */
  existing?: string[];
  /** Of those, the ones made outside Rolecall (another assignment name). */
  madeElsewhere?: string[];
  /** The journal holds a run that was interrupted (see `interruptedRun`). */
  interrupted?: boolean;
  /** The admin may read the management groups (the tree starts at the root group). */
  groups?: boolean;
  /** Eligible or time-bound access that ends soon (what PIM lists). */
  ending?: EndingView[];
  /** The signed-in admin's own eligible roles. */
  mine?: MyRoleView[];
  /** Of those, the roles (ids) whose PIM settings ask for approval to activate. */
  needApproval?: string[];
  /** Activations that wait for the signed-in admin's approval. */
  awaiting?: AwaitingView[];
  /** Roles (ids) whose activation asks for MFA, which the session has not done until it signs in again. */
  needMfa?: string[];
}

export const grantKey = (g: GrantView) =>
  g.type === "AzureRole"
    ? `${g.scope.toLowerCase()}|${g.roleId}|${g.member.id}`
    : `${g.resourceId}|${g.appRoleId}|${g.member.id}`;

const summary = (g: GrantView) =>
  g.type === "AzureRole"
    ? `${g.roleName} for ${g.member.displayName} at ${g.scope}`
    : `${g.appRoleValue} of ${g.resourceName} (${g.appId}) for ${g.member.displayName}`;

export type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };
export const ok = <T>(data: T): Result<T> => ({ status: "ok", data });
/**
 * The kinds the Rust side gives the codes the fakes answer with
 * (rolecall_app::views::convert, `ErrorKind::of`).
 */
const KINDS: Record<string, CommandError["kind"]> = {
  InteractionRequired: "InteractionRequired",
  NotSignedIn: "SignInRequired",
  UnknownAccount: "SignInRequired",
  SignInCancelled: "Cancelled",
  PlanExpired: "Expired",
  InvalidSetting: "InvalidInput",
};
export const kindOf = (code: string): CommandError["kind"] => KINDS[code] ?? "Other";
export const fail = <T>(code: string, message: string): Result<T> => ({ status: "error", error: { kind: kindOf(code), code, message } });

/** Deliver a message as Tauri's IPC would: through the channel's handler. */
const deliver = (channel: Channel<ProgressView_Deserialize>, message: ProgressView_Deserialize) =>
  (channel.onmessage as (m: ProgressView_Deserialize) => void)(message);

/**
 * A small tenant behind the access commands, answering as the Rust side
 * does: plans against its state and the admin's rights, applies with
 * per-item progress, remembers what was written.
 */
export function fakeTenant(options: TenantOptions = {}) {
  const canAssign = options.canAssign ?? true;
  const canAssignAppRoles = options.canAssignAppRoles ?? true;
  const failing = new Set(options.failOnceFor ?? []);
  const state = {
    existing: new Set([
      ...(options.existing ?? []),
      // Olivia owns the subscription; a deleted user still holds Reader on the gateway's group.
      `${VOICE.toLowerCase()}|${OWNER_ID}|${oliviaMember.id}`,
      `${GATEWAY_RG.toLowerCase()}|${READER_ID}|${ghost.id}`,
    ]),
    writes: [] as string[],
    /** Keys of grants removed (by offboarding or "remove all access"). */
    removed: [] as string[],
    savedRoles: [] as string[],
    /** Azure request ids handed out, in order. */
    requestIds: [] as string[],
    /** The session completed multi-factor authentication (signing in again does). */
    mfa: false,
  };
  /** A fresh request id, as Azure's `x-ms-request-id` of a write. */
  const requestId = () => {
    const id = `0c1d2e3f-4a5b-4c6d-8e9f-${String(state.requestIds.length + 1).padStart(12, "0")}`;
    state.requestIds.push(id);
    return id;
  };
  const canWriteRoles = options.canWriteRoles ?? true;
  let tenantRoles = [...roles];
  // Where custom roles are assignable, as ARM keeps it: a role is listed at
  // a scope at, above or below one of them (ARM's list), so one assignable
  // only in Messaging is not listed at Voice. Unknown: listed everywhere.
  const roleScopes = new Map<string, string[]>([[roles.find((r) => r.custom)!.id, [EMAIL_RG]]]);
  const related = (a: string, b: string) => {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
  };
  const listedAt = (scope: string) =>
    tenantRoles.filter((r) => !r.custom || !roleScopes.has(r.id) || roleScopes.get(r.id)!.some((s) => related(s, scope)));
  const plans = new Map<number, PlanView>();
  const removals = new Map<number, PlanView>();
  const extensions = new Map<number, PlanView>();
  let nextPlan = 1;

  const status = (g: GrantView): Pick<PlanItemView, "state" | "detail"> => {
    if (g.type === "AzureRole" && !canAssign) {
      return {
        state: "Blocked",
        detail: `You lack 'Microsoft.Authorization/roleAssignments/write' at '${g.scope}'. Owner, User Access Administrator or Role Based Access Control Administrator there (or above) carries it.`,
      };
    }
    if (g.type === "AppRole" && !canAssignAppRoles) {
      return { state: "Blocked", detail: "Assigning app roles needs Cloud Application Administrator, Application Administrator or Global Administrator." };
    }
    return state.existing.has(grantKey(g)) ? { state: "InPlace", detail: "" } : { state: "ToCreate", detail: "" };
  };

  const commands = {
    listSubscriptions: vi.fn(async () => ok(subscriptions)),
    listScopeRoots: vi.fn(async () => ok(options.groups ? [rootGroup] : subscriptions)),
    listChildren: vi.fn(async (scope: string) => ok((options.groups ? groupChildren[scope] : undefined) ?? children[scope] ?? [])),
    listEstate: vi.fn(async () => {
      const places: PlaceView[] = [];
      const walk = (node: ScopeNode, within: string[]) => {
        places.push({ node, within });
        ((options.groups ? groupChildren[node.id] : undefined) ?? children[node.id] ?? []).forEach((child) =>
          walk(child, [...within, node.name]),
        );
      };
      if (options.groups) walk(rootGroup, []);
      else subscriptions.forEach((s) => walk(s, []));
      return ok(places);
    }),
    searchMembers: vi.fn(async (text: string) => {
      const needle = text.trim().toLowerCase();
      return ok(
        members.filter(
          (m) =>
            m.id === needle ||
            m.detail.toLowerCase() === needle ||
            m.displayName.toLowerCase().split(/\s+/).some((w) => w.startsWith(needle)),
        ),
      );
    }),
    listRoles: vi.fn(async (scope: string) => ok(listedAt(scope))),
    checkAssignRights: vi.fn(async (scopes: string[]) =>
      ok(
        scopes.map((scope) => ({
          scope,
          refusal: canAssign
            ? ""
            : `You lack 'Microsoft.Authorization/roleAssignments/write' at '${scope}'. Owner, User Access Administrator or Role Based Access Control Administrator there (or above) carries it.`,
        })),
      ),
    ),
    listCustomRoles: vi.fn(async () =>
      ok(
        tenantRoles
          .filter((r) => r.custom)
          .map((role): CustomRoleView => {
            const assignableScopes = roleScopes.get(role.id) ?? [VOICE];
            const home = subscriptions.find((s) => related(s.id, assignableScopes[0]!)) ?? subscriptions[0]!;
            return { role, subscription: home.id, subscriptionName: home.name, assignableScopes };
          }),
      ),
    ),
    // As the catalogue's search: actions or data actions, as asked.
    searchOperations: vi.fn(async (text: string, data: boolean) => {
      const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
      return ok(catalogue.filter((o) => o.dataAction === data && terms.every((t) => o.name.toLowerCase().includes(t))));
    }),
    // The role step's least-privilege ranking (src-tauri rank_roles). The
    // ranking itself is Rust's (rolecall_app::least, tested against the
    // emulator); the fake keeps its shape: the roles whose patterns cover
    // every action, smallest first by what they match in the fake catalogue.
    rankRoles: vi.fn(async (scope: string, actions: string[]): Promise<Result<RankedRoleView[]>> => {
      const allows = (role: RoleView, action: string) => {
        const grant = role.permissions.filter((p) => !p.startsWith("not: ") && !p.startsWith("data: "));
        const exclude = role.permissions.filter((p) => p.startsWith("not: ")).map((p) => p.slice(5));
        return grant.some((p) => matches(p, action)) && !exclude.some((p) => matches(p, action));
      };
      if (actions.some((a) => !catalogue.some((o) => o.name.toLowerCase() === a.toLowerCase())))
        return fail("InvalidInput", "That is not an operation of this cloud's catalogue: search for it by what it does.");
      const ranked = listedAt(scope)
        .filter((role) => actions.every((a) => allows(role, a)))
        .map((role) => {
          const granted = catalogue.filter((o) => allows(role, o.name)).length;
          return { role, granted, extra: granted - actions.length, beyond: granted > actions.length ? [`Microsoft.Fake: ${granted - actions.length}`] : [] };
        })
        .sort((a, b) => a.granted - b.granted || a.role.name.localeCompare(b.role.name));
      return ok(ranked);
    }),
    listProviders: vi.fn(async () => {
      const byNs = new Map<string, Set<string>>();
      catalogue.forEach((o) => {
        const [ns, type] = o.name.split("/");
        byNs.set(ns!, (byNs.get(ns!) ?? new Set()).add(type!));
      });
      return ok(
        [...byNs.entries()].map(([namespace, types]) => ({
          namespace,
          resourceTypes: [...types],
          operations: catalogue.filter((o) => o.name.startsWith(`${namespace}/`)).length,
        })),
      );
    }),
    providerOperations: vi.fn(async (namespace: string, resourceType: string) =>
      ok(
        catalogue.filter(
          (o) => o.name.startsWith(`${namespace}/`) && (!resourceType || o.name.split("/")[1] === resourceType),
        ),
      ),
    ),
    expandPattern: vi.fn(async (pattern: string, _data: boolean) => {
      const found = catalogue.filter((o) => matches(pattern, o.name)).map((o) => o.name);
      return ok({ count: found.length, sample: found.slice(0, 20) });
    }),
    roleDraft: vi.fn(async (_scope: string, roleId: string, name: string) => {
      const role = tenantRoles.find((r) => r.id === roleId)!;
      const pick = (prefix: string) =>
        role.permissions.filter((p) => (prefix ? p.startsWith(prefix) : !p.includes(": "))).map((p) => p.replace(prefix, ""));
      return ok(
        JSON.stringify({
          properties: {
            roleName: name || role.name,
            description: role.description,
            assignableScopes: role.custom && !name ? [GATEWAY_RG] : [],
            permissions: [{ actions: pick(""), notActions: pick("not: "), dataActions: pick("data: "), notDataActions: [] }],
          },
        }),
      );
    }),
    checkRoleDraft: vi.fn(async (json: string, editing: string): Promise<Result<DraftCheckView>> => {
      let d: { roleName: string; description: string; assignableScopes: string[]; permissions: { actions: string[] }[] };
      try {
        d = (JSON.parse(json) as { properties: typeof d }).properties;
      } catch (e) {
        return ok({ parsed: false, normalized: "", granted: 0, inPlace: "", builtIn: "", builtInExtra: 0, issues: [{ error: true, field: "line 1, column 1", message: (e as Error).message }] });
      }
      const issues: DraftCheckView["issues"] = [];
      if (!d.roleName?.trim()) issues.push({ error: true, field: "roleName", message: "Give the custom role a name." });
      if (tenantRoles.some((r) => r.id !== editing && r.name.toLowerCase() === d.roleName?.trim().toLowerCase()))
        issues.push({ error: true, field: "roleName", message: `A role named "${d.roleName}" already exists in this directory; role names are unique per directory.` });
      if (!d.assignableScopes?.length)
        issues.push({ error: true, field: "assignableScopes", message: "A custom role needs at least one assignable scope." });
      else if (!canWriteRoles)
        issues.push({ error: true, field: "assignableScopes[0]", message: `You lack 'Microsoft.Authorization/roleDefinitions/write' at '${d.assignableScopes[0]}'.` });
      const actions = d.permissions?.[0]?.actions ?? [];
      actions.forEach((a, i) => {
        const field = `permissions[0].actions[${i}]`;
        if (a === "*/read")
          issues.push({ error: false, field, message: "'*/read' grants read access to every resource type: far more than the role may need." });
        else if (!a.includes("*") && !catalogue.some((o) => o.name.toLowerCase() === a.toLowerCase()))
          issues.push({ error: true, field, message: `'${a}' does not match any of the actions supported by the providers.` });
      });
      const granted = catalogue.filter((o) => actions.some((a) => matches(a, o.name))).length;
      const same = tenantRoles.find(
        (r) =>
          r.custom &&
          r.name.toLowerCase() === d.roleName?.trim().toLowerCase() &&
          r.description === d.description &&
          r.permissions.join("|") === actions.join("|"),
      );
      // A built-in role granting the same operations (Rust's rule is
      // rolecall_app::least::built_in_alternative; here only an exact twin).
      const grantedBy = (patterns: string[]) => catalogue.filter((o) => patterns.some((p) => matches(p, o.name))).map((o) => o.name).join("|");
      const twin = d.assignableScopes?.length
        ? tenantRoles.find((r) => !r.custom && granted > 0 && grantedBy(r.permissions.filter((p) => !p.includes(": "))) === grantedBy(actions))
        : undefined;
      return ok({ parsed: true, normalized: json, granted, issues, inPlace: same?.id ?? "", builtIn: twin?.name ?? "", builtInExtra: 0 });
    }),
    saveRoleDraft: vi.fn(async (json: string, editing: string) => {
      const d = (JSON.parse(json) as { properties: { roleName: string; description: string; assignableScopes?: string[]; permissions: { actions: string[] }[] } }).properties;
      const role: RoleView = {
        id: editing || `ffffffff-0000-4000-8000-${String(tenantRoles.length).padStart(12, "0")}`,
        name: d.roleName,
        description: d.description,
        custom: true,
        privileged: false,
        permissions: d.permissions[0]?.actions ?? [],
      };
      tenantRoles = [...tenantRoles.filter((r) => r.id !== role.id), role];
      if (d.assignableScopes?.length) roleScopes.set(role.id, d.assignableScopes);
      state.savedRoles.push(role.name);
      return ok(role);
    }),
    customRoleUsage: vi.fn(async (_scope: string, roleId: string) => ok(roleId === roles.find((r) => r.custom)?.id ? 2 : 0)),
    deleteCustomRole: vi.fn(async (_scope: string, roleId: string) => {
      tenantRoles = tenantRoles.filter((r) => r.id !== roleId);
      return ok(null);
    }),
    findApplications: vi.fn(async (text: string) => {
      const needle = text.trim().toLowerCase();
      const found = [acg, synergy].filter((a) => a.appId === needle || a.displayName.toLowerCase().includes(needle));
      // rolecall_grants::resolve::applications: a well-known application and
      // its look-alikes are found together, whichever name was typed.
      return ok(found.length && needle !== acg.appId ? [acg, synergy] : found);
    }),
    listAppRoleHolders: vi.fn(async (resourceId: string) =>
      ok(
        [...state.existing]
          .filter((k) => k.startsWith(`${resourceId}|`))
          .map((k): AppRoleHolderView => {
            const [, roleId, memberId] = k.split("|");
            const m = members.find((x) => x.id === memberId)!;
            return {
              id: `assignment-${memberId}-${roleId}`,
              appRoleId: roleId!,
              appRoleValue: appRoles.find((r) => r.id === roleId)?.value ?? "",
              principalId: memberId!,
              principalType: m.kind,
              principalDisplayName: m.displayName,
            };
          }),
      ),
    ),
    planGrants: vi.fn(async (grants: GrantView[]) => {
      const plan: PlanView = {
        id: nextPlan++,
        items: grants.map((grant) => ({ grant, summary: summary(grant), ...status(grant) })),
        policies: policiesOf(grants),
      };
      plans.set(plan.id, plan);
      return ok(plan);
    }),
    applyPlan: vi.fn(async (planId: number, channel: Channel<ProgressView_Deserialize>) => {
      const plan = plans.get(planId);
      if (!plan) return { status: "error", error: { kind: "Expired", code: "PlanExpired", message: "review again" } } as Result<OutcomeView[]>;
      const outcomes: OutcomeView[] = [];
      plan.items.forEach((item, index) => {
        let outcome: OutcomeView;
        if (item.state === "InPlace") outcome = { kind: "AlreadyInPlace", code: "", message: "Already in place.", requestId: "" };
        else if (item.state === "Blocked") outcome = { kind: "Blocked", code: "", message: item.detail, requestId: "" };
        else {
          deliver(channel, { index, state: "Running", outcome: null });
          if (failing.delete(item.grant.member.id)) {
            outcome = { kind: "Failed", code: "ServiceUnavailable", message: "Azure failed to answer even after retries; try again in a few minutes.", requestId: requestId() };
          } else {
            state.existing.add(grantKey(item.grant));
            state.writes.push(grantKey(item.grant));
            outcome = { kind: "Created", code: "", message: "Created.", requestId: requestId() };
          }
        }
        deliver(channel, { index, state: "Done", outcome });
        outcomes.push(outcome);
      });
      return ok(outcomes);
    }),
    listRoleAssignments: vi.fn(async (scope: string) =>
      ok(
        [...state.existing]
          .filter((k) => k.startsWith("/subscriptions/"))
          .map((k) => k.split("|") as [string, string, string])
          .filter(([at]) => scope.toLowerCase().startsWith(at))
          .map(([at, roleId, memberId]): AssignmentView => {
            const member = members.find((m) => m.id === memberId) ?? ghost;
            return {
              id: `${at}/providers/Microsoft.Authorization/roleAssignments/${memberId}-${roleId}`,
              scope: at,
              roleId,
              roleName: roleId === OWNER_ID ? "Owner" : (roles.find((r) => r.id === roleId)?.name ?? ""),
              member,
              orphaned: member === ghost,
              inherited: at !== scope.toLowerCase(),
              description: "",
              // Of the fake's roles, only Owner may write role assignments.
              managesAccess: roleId === OWNER_ID,
              // The fake keeps role assignments only (PIM's rows: the end-to-end suite).
              holding: "Active",
              ends: "",
            };
          }),
      ),
    ),
    // The path the Save dialog gave; null when the admin cancelled it.
    exportRoleAssignments: vi.fn(async (_scope: string, format: ExportFormat): Promise<Result<string | null>> =>
      ok(`/home/admin/Downloads/role-assignments-1.${format.toLowerCase()}`),
    ),
    listMyRoles: vi.fn(async () => ok(options.mine ?? [])),
    // PIM activates an eligible role for the longest the demo policy allows (8 hours).
    activateRole: vi.fn(async (scope: string, roleId: string, duration: string, justification: string) => {
      const role = (options.mine ?? []).find((r) => r.scope === scope && r.roleId === roleId);
      if (!role) return fail<string>("NotEligible", `You are not eligible for '${roleId}' at ${scope}.`);
      if (!justification.trim())
        return fail<string>("RoleAssignmentRequestPolicyValidationFailed", 'The following policy rules failed: ["JustificationRule"].');
      if ((options.needMfa ?? []).includes(roleId) && !state.mfa)
        return fail<string>(
          "RoleAssignmentRequestPolicyValidationFailed",
          'The following policy rules failed: ["MfaRule"]. The role\'s PIM settings ask for multi-factor authentication, and this sign-in had none: sign in again (Account → Sign in again, or rolecall-cli login), completing the multi-factor step your organisation\'s sign-in page asks for, then try again.',
        );
      const hours = duration ? Number(/PT(\d+)H/.exec(duration)?.[1] ?? 1) : 8;
      if ((options.needApproval ?? []).includes(roleId)) {
        role.awaitingApproval = true;
        state.writes.push(`ask|${scope}|${roleId}`);
        return ok(`Sent for approval: ${role.roleName} for ${hours} hours starts once an approver approves it (approvers have a day).`);
      }
      role.activeUntil = new Date(Date.now() + hours * 3_600_000).toISOString();
      state.writes.push(`activate|${scope}|${roleId}`);
      return ok(`${role.roleName} is active for ${hours} hour${hours === 1 ? "" : "s"} (Provisioned).`);
    }),
    // Ending within `days`, then what ended within `days` (at most 30), as the engine lists them.
    cancelActivation: vi.fn(async (scope: string, roleId: string) => {
      const role = (options.mine ?? []).find((r) => r.scope === scope && r.roleId === roleId && r.awaitingApproval);
      if (!role) return fail<null>("NothingWaiting", `No activation of '${roleId}' at ${scope} waits for approval: nothing to cancel.`);
      role.awaitingApproval = false;
      state.writes.push(`withdraw|${scope}|${roleId}`);
      return ok(null);
    }),
    listAwaitingApproval: vi.fn(async () => ok([...(options.awaiting ?? [])])),
    // As PIM answers: a decision needs a justification and takes the request off the list.
    decideApproval: vi.fn(async (approvalId: string, approve: boolean, justification: string) => {
      if (!justification.trim()) return fail<null>("Input", "Say why: PIM keeps an approver's justification with the decision.");
      const list = options.awaiting ?? [];
      const at = list.findIndex((a) => a.approvalId === approvalId);
      if (at < 0) return fail<null>("NothingToDecide", "This request waits for no decision of yours any more.");
      list.splice(at, 1);
      state.writes.push(`${approve ? "approve" : "deny"}|${approvalId}`);
      return ok(null);
    }),
    listExpiring: vi.fn(async (days: number) =>
      ok(
        (options.ending ?? []).filter((e) => {
          const from = new Date(e.ends).getTime() - Date.now();
          return e.ended ? -from <= Math.min(days, 30) * 86_400_000 : from <= days * 86_400_000;
        }),
      ),
    ),
    // As the engine plans it: each found in place (or missing when it ended), the new length from today.
    planExtension: vi.fn(async (grants: AzureRoleGrantView[], duration: string, justification: string) => {
      const ended = (g: AzureRoleGrantView) =>
        (options.ending ?? []).some((e) => e.ended && e.grant.member.id === g.member.id && e.grant.roleId === g.roleId);
      const extended: GrantView[] = grants.map((g) => ({
        type: "AzureRole",
        ...g,
        schedule: { eligible: !!g.schedule?.eligible, duration, until: "", justification, ticket: "" },
      }));
      const plan: PlanView = {
        id: nextPlan++,
        items: extended.map((grant, i) => ({
          grant,
          summary: summary(grant),
          state: ended(grants[i]!) ? ("ToCreate" as const) : ("InPlace" as const),
          detail: "",
        })),
        policies: policiesOf(extended),
      };
      extensions.set(plan.id, plan);
      return ok(plan);
    }),
    extendPlanned: vi.fn(async (planId: number, channel: Channel<ProgressView_Deserialize>) => {
      const plan = extensions.get(planId);
      if (!plan) return fail<OutcomeView[]>("PlanExpired", "This extension is no longer available.");
      const outcomes: OutcomeView[] = plan.items.map((item, index) => {
        const renew = item.state === "ToCreate";
        const outcome: OutcomeView = renew
          ? { kind: "Renewed", code: "", message: "Renewed.", requestId: requestId() }
          : { kind: "Extended", code: "", message: "Extended.", requestId: requestId() };
        state.writes.push(`${renew ? "renew" : "extend"}|${grantKey(item.grant)}`);
        deliver(channel, { index, state: "Done", outcome });
        return outcome;
      });
      return ok(outcomes);
    }),
    planRemoval: vi.fn(async (grants: GrantView[]) => {
      const plan: PlanView = {
        id: nextPlan++,
        items: grants.map((grant) => ({
          grant,
          summary: summary(grant),
          state: state.existing.has(grantKey(grant)) ? ("InPlace" as const) : ("ToCreate" as const),
          detail: "",
        })),
        policies: [],
      };
      removals.set(plan.id, plan);
      return ok(plan);
    }),
    removePlanned: vi.fn(async (planId: number, _channel: Channel<ProgressView_Deserialize>) => {
      const plan = removals.get(planId);
      if (!plan) return { status: "error", error: { kind: "Expired", code: "PlanExpired", message: "choose again" } } as Result<OutcomeView[]>;
      return ok(
        plan.items.map((item): OutcomeView =>
          item.state === "InPlace" && state.existing.delete(grantKey(item.grant))
            ? { kind: "Removed", code: "", message: "Removed.", requestId: "" }
            : { kind: "AlreadyGone", code: "", message: "Already gone.", requestId: "" },
        ),
      );
    }),
  };
  const onboarding = fakeOnboarding({
    state,
    options,
    roles: () => tenantRoles,
    setRoles: (next) => {
      tenantRoles = next;
    },
    requestId,
  });
  return { commands: { ...commands, ...onboarding.commands }, state: Object.assign(state, onboarding.state) };
}
