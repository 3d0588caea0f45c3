import { useCallback, useState } from "react";
import {
  Avatar,
  Badge,
  Button,
  Divider,
  MessageBar,
  MessageBarBody,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { PersonRegular } from "@fluentui/react-icons";
import type { CommandError, TenantView } from "./bindings";
import { useBackend } from "./backend";
import { CopyId } from "./components/ScopeName";
import { activeAccount, useSession } from "./session";

const useStyles = makeStyles({
  screenReaderOnly: {
    position: "absolute",
    width: "1px",
    height: "1px",
    overflow: "hidden",
    clip: "rect(0 0 0 0)",
    whiteSpace: "nowrap",
  },
  trigger: {
    color: tokens.colorNeutralForegroundOnBrand,
    ":hover": { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorBrandBackgroundHover },
    ":hover:active": { color: tokens.colorNeutralForegroundOnBrand, backgroundColor: tokens.colorBrandBackgroundPressed },
  },
  surface: { width: "360px", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS, justifyContent: "space-between" },
  who: { display: "flex", flexDirection: "column", minWidth: 0 },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  list: { listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
});

/**
 * The header's account button and panel: the active account and its tenants
 * (switch, or sign in again where a tenant demands it), the other accounts on
 * this computer, add an account, sign out.
 */
export function AccountPanel({ onAddAccount }: { onAddAccount: () => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const { session, busy, run, reload } = useSession();
  const [open, setOpen] = useState(false);
  const [tenants, setTenants] = useState<TenantView[] | null>(null);
  const [tenantError, setTenantError] = useState<CommandError | null>(null);
  /** Tenants that answered "interaction required" to a switch. */
  const [demanding, setDemanding] = useState<string[]>([]);
  const current = activeAccount(session);

  const loadTenants = useCallback(async () => {
    setTenants(null);
    setTenantError(null);
    const result = await backend.listTenants();
    if (result.status === "ok") setTenants(result.data);
    else setTenantError(result.error);
  }, [backend]);

  if (!current) {
    return (
      <div data-testid="account" className={styles.row}>
        <Avatar icon={<PersonRegular />} color="neutral" size={24} aria-hidden />
        <Text className={styles.trigger}>Not signed in</Text>
      </div>
    );
  }
  const { account, active } = current;
  const others = session!.accounts.filter((a) => a.id !== account.id);

  async function switchTenant(tenant: TenantView) {
    const result = await backend.switchTenant(tenant.tenantId);
    if (result.status === "ok") {
      await run("tenant", async () => result);
      await loadTenants();
    } else if (result.error.kind === "InteractionRequired") {
      setDemanding((d) => [...d, tenant.tenantId]);
      setTenantError(result.error);
    } else {
      setTenantError(result.error);
    }
  }

  async function signInAgain(tenantId: string) {
    if (await run("reauthenticate", () => backend.reauthenticate(tenantId))) {
      setDemanding((d) => d.filter((t) => t !== tenantId));
      setTenantError(null);
      await loadTenants();
    }
  }

  return (
    <Popover
      open={open}
      onOpenChange={(_, data) => {
        setOpen(data.open);
        // Accounts signed in elsewhere on this computer (rolecall-cli login)
        // share the keychain: read the list afresh each time it is shown.
        if (data.open) void Promise.all([loadTenants(), reload()]);
      }}
      positioning="below-end"
      inline
    >
      <PopoverTrigger disableButtonEnhancement>
        <Button
          appearance="transparent"
          className={styles.trigger}
          data-testid="account"
          icon={<Avatar name={account.displayName || account.username} size={24} color="colorful" aria-hidden />}
        >
          {/* Named by what it shows (no aria-label that would differ from the
              visible text, WCAG 2.5.3), with "Account:" for screen readers. */}
          <span className={styles.screenReaderOnly}>Account:</span> {account.displayName || account.username}
          {active.health !== "Ready" && (
            <Badge appearance="filled" color="danger" size="small" aria-label="needs attention">
              !
            </Badge>
          )}
        </Button>
      </PopoverTrigger>
      <PopoverSurface className={styles.surface} data-testid="account-panel" aria-label="Accounts">
        <div className={styles.who}>
          <Text weight="semibold" data-testid="signed-in-as">
            {account.displayName}
          </Text>
          <Text className={styles.muted}>{account.username}</Text>
          <Text className={styles.muted} size={200}>
            {account.source === "AzureCli" ? "Azure CLI sign-in · " : ""}Tenant{" "}
            <span title={active.tenantId} data-testid="active-tenant">
              {tenants?.find((t) => t.tenantId === active.tenantId)?.displayName || active.tenantId}
            </span>
            <CopyId id={active.tenantId} what="the tenant" />
          </Text>
        </div>
        {active.health !== "Ready" && (
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>{active.message}</MessageBarBody>
          </MessageBar>
        )}
        <Divider />
        <Text weight="semibold">Tenants</Text>
        {tenants === null && !tenantError && <Spinner size="tiny" label="Loading tenants…" labelPosition="after" />}
        {tenantError && (
          <MessageBar intent={tenantError.kind === "InteractionRequired" ? "warning" : "error"} layout="multiline">
            <MessageBarBody>{tenantError.message}</MessageBarBody>
          </MessageBar>
        )}
        {tenants && (
          <ul className={styles.list} data-testid="tenants">
            {tenants.map((tenant) => (
              <li key={tenant.tenantId} className={styles.row} data-testid={`tenant-${tenant.tenantId}`}>
                <span className={styles.who}>
                  <Text>{tenant.displayName || tenant.tenantId}</Text>
                  <Text className={styles.muted} size={200}>
                    {tenant.defaultDomain || tenant.tenantId}
                    {tenant.home ? " · home tenant" : ""}
                  </Text>
                </span>
                {tenant.active ? (
                  <Badge appearance="tint" color="brand">
                    In use
                  </Badge>
                ) : demanding.includes(tenant.tenantId) ? (
                  <Button size="small" disabled={busy !== null} onClick={() => void signInAgain(tenant.tenantId)}>
                    Sign in again
                  </Button>
                ) : (
                  <Button size="small" disabled={busy !== null} onClick={() => void switchTenant(tenant)}>
                    Switch
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
        {others.length > 0 && (
          <>
            <Divider />
            <Text weight="semibold">Other accounts</Text>
            <ul className={styles.list}>
              {others.map((other) => (
                <li key={other.id} className={styles.row}>
                  <span className={styles.who}>
                    <Text>{other.displayName}</Text>
                    <Text className={styles.muted} size={200}>
                      {other.username}
                      {other.needsSignIn ? " · sign in again" : ""}
                    </Text>
                  </span>
                  <Button
                    size="small"
                    data-testid={`switch-${other.username}`}
                    disabled={busy !== null}
                    onClick={() => void run("account", () => backend.switchAccount(other.id))}
                  >
                    Switch
                  </Button>
                </li>
              ))}
            </ul>
          </>
        )}
        <Divider />
        <div className={styles.actions}>
          <Button
            onClick={() => {
              setOpen(false);
              onAddAccount();
            }}
          >
            Add another account
          </Button>
          <Button
            data-testid="sign-out"
            disabled={busy !== null}
            onClick={() => void run("signOut", () => backend.signOut(account.id)).then(() => setOpen(false))}
          >
            Sign out
          </Button>
          {session!.accounts.length > 1 && (
            <Button
              appearance="subtle"
              disabled={busy !== null}
              onClick={() => void run("signOutAll", () => backend.signOutEverywhere()).then(() => setOpen(false))}
            >
              Sign out everywhere
            </Button>
          )}
        </div>
      </PopoverSurface>
    </Popover>
  );
}
