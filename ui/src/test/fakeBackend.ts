import { vi } from "vitest";
import type { Backend } from "../backend";
import { fakeTenant, kindOf, type TenantOptions } from "./fakeTenant";
import type {
  AccountView,
  AppInfo,
  CommandError,
  ConnectionCheck,
  DeviceCodeView,
  SessionView_Serialize,
  SettingsInfo_Serialize,
  SettingsView_Deserialize,
  StartupView_Serialize,
  TenantView,
} from "../bindings";

export const demoInfo: AppInfo = {
  version: "0.1.0",
  cloud: {
    name: "Contoso Demo (Rolecall emulator)",
    mode: "Demo",
    tenant: "6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81",
    authorityHost: "https://127.0.0.1:1/",
    resourceManagerEndpoint: "https://127.0.0.1:2/",
    graphEndpoint: "https://127.0.0.1:3/",
  },
};

export const okCheck: ConnectionCheck = {
  issuer: "https://127.0.0.1:1/6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81/v2.0",
  tenant: "6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81",
  elapsedMs: 12,
};

export const olivia: AccountView = {
  id: "oid-olivia.6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81",
  username: "olivia.owner@contosodemo.onmicrosoft.com",
  displayName: "Olivia Owner",
  homeTenantId: "6d1f5a2c-8e3b-4c7a-9f10-2b5e7c3d4a81",
  source: "Rolecall",
  needsSignIn: false,
};

export const fabrikam: TenantView = {
  tenantId: "11111111-2222-3333-4444-555555555555",
  displayName: "Fabrikam",
  defaultDomain: "fabrikam.onmicrosoft.com",
  home: false,
  active: false,
};

type Ok<T> = { status: "ok"; data: T };
type Err = { status: "error"; error: CommandError };
type CheckResult = Ok<ConnectionCheck> | Err;

const ok = <T>(data: T): Ok<T> => ({ status: "ok", data });
const err = (code: string, message: string): Err => ({ status: "error", error: { kind: kindOf(code), code, message } });

export interface FakeOptions {
  info?: AppInfo;
  checks?: CheckResult[];
  /** Accounts already on this computer; the first is active. */
  accounts?: AccountView[];
  /** What the browser sign-in produces (an account, or an error). */
  signIn?: AccountView | CommandError;
  /** Tenants that demand an interactive sign-in before a switch. */
  demandingTenants?: string[];
  /** Settings save answers with this error. */
  settingsError?: CommandError;
  /** The tenant behind the access commands. */
  tenant?: TenantOptions;
  /** How the start went (a good start with no notices unless given). */
  startup?: StartupView_Serialize;
}

/**
 * A backend with the generated bindings' exact type: a small model of the
 * session (accounts, active account and tenant) that answers as the Rust
 * commands do, so component tests exercise the UI's flows.
 */
export function fakeBackend(options: FakeOptions = {}) {
  const checks = [...(options.checks ?? [{ status: "ok", data: okCheck }])];
  let accounts = [...(options.accounts ?? [])];
  let active: { accountId: string; tenantId: string } | null = accounts[0]
    ? { accountId: accounts[0].id, tenantId: accounts[0].homeTenantId }
    : null;
  const demanding = new Set(options.demandingTenants ?? []);
  let settings: SettingsInfo_Serialize = {
    settings: { cloud: { kind: "demo" }, tenant: null, clientId: null },
    defaultClientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    cloudLocked: false,
  };
  const view = (): SessionView_Serialize => ({
    accounts,
    active: active ? { ...active, health: "Ready", message: null } : null,
  });
  const signedIn = (account: AccountView) => {
    accounts = [...accounts.filter((a) => a.id !== account.id), account];
    active = { accountId: account.id, tenantId: account.homeTenantId };
    return ok(view());
  };
  const device: DeviceCodeView = {
    userCode: "ABCD2EFGH",
    verificationUri: "http://127.0.0.1:4/devicelogin",
    message: "To sign in, use a web browser to open the page http://127.0.0.1:4/devicelogin and enter the code ABCD2EFGH to authenticate.",
    expiresInSecs: 900,
  };
  const tenant = fakeTenant(options.tenant);
  const backend = {
    ...tenant.commands,
    startupReport: vi.fn(
      async (): Promise<StartupView_Serialize> =>
        options.startup ?? { problem: null, notices: [], logFolder: "/home/me/.local/share/app.rolecall.desktop/logs" },
    ),
    quit: vi.fn(async () => undefined),
    appInfo: vi.fn(async () => options.info ?? demoInfo),
    checkConnection: vi.fn(async () => (checks.length > 1 ? checks.shift()! : checks[0])),
    getSession: vi.fn(async () => ok(view())),
    signIn: vi.fn(async (_tenant: string | null) => {
      const outcome = options.signIn ?? olivia;
      return "code" in outcome ? ({ status: "error", error: outcome } as Err) : signedIn(outcome);
    }),
    cancelSignIn: vi.fn(async () => true),
    startDeviceCode: vi.fn(async (_tenant: string | null) => ok(device)),
    finishDeviceCode: vi.fn(async () => signedIn(olivia)),
    useAzureCli: vi.fn(async (_tenant: string | null) =>
      err("AzureCli", "the Azure CLI gave no token: az not found on PATH. Sign in with `az login`"),
    ),
    switchAccount: vi.fn(async (accountId: string) => {
      const account = accounts.find((a) => a.id === accountId);
      return account ? signedIn(account) : err("UnknownAccount", "no such account");
    }),
    listTenants: vi.fn(async () => {
      if (!active) return err("NotSignedIn", "no account is signed in");
      const current = accounts.find((a) => a.id === active!.accountId)!;
      const home: TenantView = {
        tenantId: current.homeTenantId,
        displayName: "Contoso Demo",
        defaultDomain: "contosodemo.onmicrosoft.com",
        home: true,
        active: false,
      };
      return ok([home, fabrikam].map((t) => ({ ...t, active: t.tenantId === active!.tenantId })));
    }),
    switchTenant: vi.fn(async (tenantId: string) => {
      if (demanding.has(tenantId)) {
        return err("InteractionRequired", "the tenant requires you to sign in again interactively (AADSTS50076)");
      }
      active = { ...active!, tenantId };
      return ok(view());
    }),
    reauthenticate: vi.fn(async (tenantId: string) => {
      demanding.delete(tenantId);
      tenant.state.mfa = true;
      active = { ...active!, tenantId };
      return ok(view());
    }),
    signOut: vi.fn(async (accountId: string) => {
      accounts = accounts.filter((a) => a.id !== accountId);
      active = accounts[0] ? { accountId: accounts[0].id, tenantId: accounts[0].homeTenantId } : null;
      return ok(view());
    }),
    signOutEverywhere: vi.fn(async () => {
      accounts = [];
      active = null;
      return ok(view());
    }),
    getSettings: vi.fn(async () => settings),
    saveSettings: vi.fn(async (next: SettingsView_Deserialize) => {
      if (options.settingsError) return { status: "error", error: options.settingsError } as Err;
      settings = {
        ...settings,
        settings: { cloud: next.cloud, tenant: next.tenant ?? null, clientId: next.clientId ?? null },
      };
      return ok(settings);
    }),
  } satisfies Backend;
  return Object.assign(backend, {
    tenant: tenant.state,
    /** Another program on this computer (rolecall-cli) signed `account` in. */
    signedInElsewhere: (account: AccountView) => {
      accounts = [...accounts.filter((a) => a.id !== account.id), account];
    },
  });
}
