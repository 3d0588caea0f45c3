import { useCallback, useEffect, useState } from "react";
import {
  Button,
  Caption1,
  Card,
  CardHeader,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError, ConnectionCheck } from "../bindings";
import { useBackend } from "../backend";

type State =
  | { kind: "checking" }
  | { kind: "ok"; check: ConnectionCheck }
  | { kind: "failed"; error: CommandError };

const useStyles = makeStyles({
  card: { maxWidth: "720px" },
  detail: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  line: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: tokens.spacingHorizontalS },
});

/**
 * Reaches the cloud's sign-in authority through the backend and says how it
 * went. `compact` (where work happens): one quiet line while all is well,
 * the details on request; a failure is always said in full.
 */
export function ConnectionCard({ cloudName, compact = false }: { cloudName?: string; compact?: boolean }) {
  const styles = useStyles();
  const backend = useBackend();
  const [state, setState] = useState<State>({ kind: "checking" });
  const [details, setDetails] = useState(false);

  const check = useCallback(async () => {
    setState({ kind: "checking" });
    const result = await backend.checkConnection();
    setState(result.status === "ok" ? { kind: "ok", check: result.data } : { kind: "failed", error: result.error });
  }, [backend]);

  useEffect(() => {
    void check();
  }, [check]);

  if (compact && state.kind !== "failed")
    return (
      <div data-testid="connection" data-state={state.kind} className={styles.line}>
        {state.kind === "checking" ? (
          <Spinner size="extra-tiny" labelPosition="after" label="Reaching the sign-in authority…" />
        ) : (
          <>
            <Caption1 className={styles.detail}>
              Connected to {cloudName ?? "the cloud"} ({state.check.elapsedMs} ms)
            </Caption1>
            <Button size="small" appearance="transparent" aria-expanded={details} onClick={() => setDetails(!details)}>
              {details ? "Hide details" : "Details"}
            </Button>
            {details && (
              <Caption1 className={styles.detail}>
                Tenant {state.check.tenant} · issuer {state.check.issuer}
              </Caption1>
            )}
          </>
        )}
      </div>
    );
  return (
    <Card className={styles.card} data-testid="connection" data-state={state.kind}>
      <CardHeader header={<Text weight="semibold">Connection</Text>} />
      {state.kind === "checking" && <Spinner size="tiny" labelPosition="after" label="Reaching the sign-in authority…" />}
      {state.kind === "ok" && (
        <MessageBar intent="success">
          <MessageBarBody>
            <MessageBarTitle>Connected</MessageBarTitle>
            {cloudName ?? "The cloud"} answered for tenant {state.check.tenant} in {state.check.elapsedMs} ms.
            <div className={styles.detail}>Issuer: {state.check.issuer}</div>
          </MessageBarBody>
        </MessageBar>
      )}
      {state.kind === "failed" && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Cannot reach the sign-in authority</MessageBarTitle>
            {state.error.message}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void check()}>Try again</Button>
          </MessageBarActions>
        </MessageBar>
      )}
    </Card>
  );
}
