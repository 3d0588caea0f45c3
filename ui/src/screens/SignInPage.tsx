import { useEffect, useState } from "react";
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Body1,
  Button,
  Card,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Spinner,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CloudChoiceView, CommandError, DeviceCodeView, SettingsInfo_Serialize } from "../bindings";
import { useBackend } from "../backend";
import { useSession } from "../session";
import { ConnectionCard } from "./ConnectionCard";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "640px" },
  card: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalXL },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, alignItems: "center" },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeHero700,
    letterSpacing: "0.2em",
  },
});

type CloudKind = CloudChoiceView["kind"];

const CLOUD_LABELS: Record<CloudKind, string> = {
  demo: "Demo tenant (built-in emulator, no real Azure)",
  azure: "Azure (public)",
  usGovernment: "Azure US Government",
  china: "Microsoft Azure operated by 21Vianet (China)",
  custom: "Custom cloud (profile file)",
};

/** Cloud, tenant and client id as typed, before they are saved. */
interface Draft {
  cloud: CloudKind;
  profilePath: string;
  tenant: string;
  clientId: string;
}

function draftOf(info: SettingsInfo_Serialize): Draft {
  const cloud = info.settings.cloud;
  return {
    cloud: cloud.kind,
    profilePath: cloud.kind === "custom" ? cloud.profilePath : "",
    tenant: info.settings.tenant ?? "",
    clientId: info.settings.clientId ?? "",
  };
}

function choiceOf(draft: Draft): CloudChoiceView {
  return draft.cloud === "custom" ? { kind: "custom", profilePath: draft.profilePath.trim() } : { kind: draft.cloud };
}

/**
 * Signing in: the cloud and tenant first (as admins expect from Storage
 * Explorer), then the system browser, a device code, or the Azure CLI's sign-in.
 */
export function SignInPage({
  onSettingsSaved,
  demo = false,
}: {
  onSettingsSaved?: () => void;
  /** The demo tenant: an emulator the Azure CLI has never signed in to. */
  demo?: boolean;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const { busy, error, run, session } = useSession();
  const [info, setInfo] = useState<SettingsInfo_Serialize | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [settingsError, setSettingsError] = useState<CommandError | null>(null);
  const [device, setDevice] = useState<DeviceCodeView | null>(null);

  useEffect(() => {
    let live = true;
    void backend.getSettings().then((next) => {
      if (!live) return;
      setInfo(next);
      setDraft(draftOf(next));
    });
    return () => {
      live = false;
    };
  }, [backend]);

  /** Saves what changed; `false` when the backend refused it (the error is shown). */
  async function saveDraft(): Promise<boolean> {
    if (!draft || !info) return false;
    const before = draftOf(info);
    if (JSON.stringify(before) === JSON.stringify(draft)) return true;
    const result = await backend.saveSettings({
      cloud: choiceOf(draft),
      tenant: draft.tenant.trim() || null,
      clientId: draft.clientId.trim() || null,
    });
    if (result.status === "error") {
      setSettingsError(result.error);
      return false;
    }
    setSettingsError(null);
    setInfo(result.data);
    setDraft(draftOf(result.data));
    onSettingsSaved?.();
    return true;
  }

  async function signInWithBrowser() {
    if (!(await saveDraft())) return;
    await run("browser", () => backend.signIn(draft?.tenant.trim() || null));
  }

  async function signInWithCode() {
    if (!(await saveDraft())) return;
    const started = await backend.startDeviceCode(draft?.tenant.trim() || null);
    if (started.status === "error") {
      setSettingsError(started.error);
      return;
    }
    setDevice(started.data);
    await run("device", () => backend.finishDeviceCode());
    setDevice(null);
  }

  async function signInWithAzureCli() {
    if (!(await saveDraft())) return;
    await run("azureCli", () => backend.useAzureCli(draft?.tenant.trim() || null));
  }

  const needsAgain = session?.active && session.active.health !== "Ready" ? session.active : null;
  const shownError = settingsError ?? error;

  return (
    <section className={styles.page} aria-labelledby="sign-in-title" data-testid="sign-in">
      <Title2 as="h1" id="sign-in-title">
        Sign in
      </Title2>
      <Body1>
        Sign in with an account that can manage access in your tenant. Rolecall keeps your sign-in in this
        computer&apos;s keychain; tokens never reach this window.
      </Body1>
      {needsAgain && (
        <MessageBar intent="warning" layout="multiline" data-testid="sign-in-again">
          <MessageBarBody>
            <MessageBarTitle>Sign in again</MessageBarTitle>
            {needsAgain.message}
          </MessageBarBody>
        </MessageBar>
      )}
      {shownError && (
        <MessageBar intent="error" layout="multiline" data-testid="sign-in-error">
          <MessageBarBody>
            <MessageBarTitle>{shownError.kind === "Cancelled" ? "Cancelled" : "Sign-in did not work"}</MessageBarTitle>
            {shownError.message}
          </MessageBarBody>
        </MessageBar>
      )}
      {draft && info && (
        <Card className={styles.card}>
          <Field
            label="Cloud"
            hint={info.cloudLocked ? "Chosen on the command line for this run; a change here applies next time." : undefined}
          >
            <Select
              data-testid="cloud"
              value={draft.cloud}
              disabled={busy !== null}
              onChange={(_, data) => setDraft({ ...draft, cloud: data.value as CloudKind })}
            >
              {(Object.keys(CLOUD_LABELS) as CloudKind[]).map((kind) => (
                <option key={kind} value={kind}>
                  {CLOUD_LABELS[kind]}
                </option>
              ))}
            </Select>
          </Field>
          {draft.cloud === "custom" && (
            <Field label="Cloud profile file" hint="The JSON file that rolecall-emulator prints, or your cloud's own profile." required>
              <Input
                data-testid="profile-path"
                value={draft.profilePath}
                disabled={busy !== null}
                onChange={(_, data) => setDraft({ ...draft, profilePath: data.value })}
              />
            </Field>
          )}
          <Field
            label="Tenant"
            hint="A tenant id or domain (contoso.onmicrosoft.com). Leave empty to pick the tenant in the browser, then switch between your tenants after signing in."
          >
            <Input
              data-testid="tenant-input"
              value={draft.tenant}
              placeholder="organizations"
              disabled={busy !== null}
              onChange={(_, data) => setDraft({ ...draft, tenant: data.value })}
            />
          </Field>
          <Accordion collapsible>
            <AccordionItem value="advanced">
              <AccordionHeader>Advanced: application (client) id</AccordionHeader>
              <AccordionPanel>
                <Field
                  label="Application (client) id"
                  hint={`Empty: ${info.defaultClientId} (the Azure CLI's public client, usable in every tenant). Organisations can register their own; see the README.`}
                >
                  <Input
                    data-testid="client-id"
                    value={draft.clientId}
                    disabled={busy !== null}
                    onChange={(_, data) => setDraft({ ...draft, clientId: data.value })}
                  />
                </Field>
              </AccordionPanel>
            </AccordionItem>
          </Accordion>
          {busy === null ? (
            <div className={styles.actions}>
              <Button appearance="primary" data-testid="sign-in-browser" onClick={() => void signInWithBrowser()}>
                Sign in with your browser
              </Button>
              <Button data-testid="sign-in-code" onClick={() => void signInWithCode()}>
                Sign in with a code
              </Button>
              {!demo && (
                <Link as="button" data-testid="sign-in-azure-cli" onClick={() => void signInWithAzureCli()}>
                  Use my Azure CLI sign-in
                </Link>
              )}
            </div>
          ) : (
            <div className={styles.actions} data-testid="sign-in-waiting">
              <Spinner
                size="tiny"
                labelPosition="after"
                label={
                  busy === "browser"
                    ? "Finish signing in in your browser…"
                    : busy === "device"
                      ? "Waiting for you to enter the code…"
                      : "Asking the Azure CLI…"
                }
              />
              {busy !== "azureCli" && <Button onClick={() => void backend.cancelSignIn()}>Cancel</Button>}
            </div>
          )}
          {device && (
            <MessageBar intent="info" layout="multiline" data-testid="device-code">
              <MessageBarBody>
                <MessageBarTitle>Sign in on another device</MessageBarTitle>
                <div>
                  Open <Text weight="semibold">{device.verificationUri}</Text> and enter
                </div>
                <div className={styles.code} aria-label={`Code ${device.userCode.split("").join(" ")}`}>
                  {device.userCode}
                </div>
              </MessageBarBody>
            </MessageBar>
          )}
        </Card>
      )}
      <ConnectionCard />
    </section>
  );
}
