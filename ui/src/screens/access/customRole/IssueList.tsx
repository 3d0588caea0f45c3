import {
  Badge,
  MessageBar,
  MessageBarBody,
  Text,
} from "@fluentui/react-components";
import type { DraftCheckView } from "../../../bindings";
import { useStyles } from "./styles";

export function IssueList({ check }: { check: DraftCheckView }) {
  const styles = useStyles();
  if (check.issues.length === 0)
    return (
      <MessageBar intent="success" data-testid="draft-ok">
        <MessageBarBody>No issue: ARM would accept this role as it is.</MessageBarBody>
      </MessageBar>
    );
  return (
    <ul className={styles.list} aria-label="Issues" data-testid="draft-issues">
      {check.issues.map((i, n) => (
        <li key={n} className={styles.row}>
          <span>
            <Badge color={i.error ? "danger" : "warning"}>{i.error ? "Error" : "Warning"}</Badge>{" "}
            <span className={styles.code}>{i.field}</span>
            <br />
            <Text>{i.message}</Text>
          </span>
        </li>
      ))}
    </ul>
  );
}
