import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  Text,
} from "@fluentui/react-components";
import type { DraftCheckView } from "../../../bindings";
import { useStyles } from "./styles";
import { patternAt, patternIn, withoutPattern, type DraftModel } from "./model";

/**
 * The check's issues, each with where it is; given the draft, an issue about
 * one permission offers to remove it in one click.
 */
export function IssueList({ check, draft, onDraft }: { check: DraftCheckView; draft?: DraftModel; onDraft?: (d: DraftModel) => void }) {
  const styles = useStyles();
  if (check.issues.length === 0)
    return (
      <MessageBar intent="success" data-testid="draft-ok">
        <MessageBarBody>No issue: ARM would accept this role as it is.</MessageBarBody>
      </MessageBar>
    );
  return (
    <ul className={styles.list} aria-label="Issues" data-testid="draft-issues">
      {check.issues.map((i, n) => {
        const at = patternAt(i.field);
        const pattern = at && draft ? patternIn(draft, at) : undefined;
        return (
          <li key={n} className={styles.row}>
            <span>
              <Badge color={i.error ? "danger" : "warning"}>{i.error ? "Error" : "Warning"}</Badge>{" "}
              <span className={styles.code}>{pattern ?? i.field}</span>
              <br />
              <Text>{i.message}</Text>
            </span>
            {at && pattern !== undefined && draft && onDraft && (
              <Button size="small" data-testid={`fix-remove-${pattern}`} onClick={() => onDraft(withoutPattern(draft, at))}>
                Remove {pattern}
              </Button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
