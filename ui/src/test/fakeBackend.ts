import { vi } from "vitest";
import type { Backend } from "../backend";
import type { AppInfo, CommandError, ConnectionCheck } from "../bindings";

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

type CheckResult = { status: "ok"; data: ConnectionCheck } | { status: "error"; error: CommandError };

/** A backend with the generated bindings' exact type, answering from the given script. */
export function fakeBackend(options: { info?: AppInfo; checks?: CheckResult[] } = {}) {
  const checks = [...(options.checks ?? [{ status: "ok", data: okCheck }])];
  const backend = {
    appInfo: vi.fn(async () => options.info ?? demoInfo),
    checkConnection: vi.fn(async () => checks.length > 1 ? checks.shift()! : checks[0]),
  } satisfies Backend;
  return backend;
}
