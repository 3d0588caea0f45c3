import { useCallback, useEffect, useState } from "react";
import {
  Button,
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
  detail: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
});

/** Reaches the cloud's sign-in authority through the backend and says how it went. */
export function ConnectionCard({ cloudName }: { cloudName?: string }) {
  const styles = useStyles();
  const backend = useBackend();
  const [state, setState] = useState<State>({ kind: "checking" });

  const check = useCallback(async () => {
    setState({ kind: "checking" });
    const result = await backend.checkConnection();
    setState(result.status === "ok" ? { kind: "ok", check: result.data } : { kind: "failed", error: result.error });
  }, [backend]);

  useEffect(() => {
    void check();
  }, [check]);

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
