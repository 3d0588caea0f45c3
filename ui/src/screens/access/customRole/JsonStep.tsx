import { useEffect, useRef, useState } from "react";
import {
  Field,
  Textarea,
} from "@fluentui/react-components";
import type { DraftCheckView } from "../../../bindings";
import { useBackend } from "../../../backend";
import { useDebouncedSearch } from "../../../data/commands";
import { useStyles } from "./styles";
import { fromJson, toJson, type DraftModel } from "./model";
import { IssueList } from "./IssueList";

export function JsonStep({ draft, editing, onDraft }: { draft: DraftModel; editing: string; onDraft: (d: DraftModel) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [text, setText] = useState(() => toJson(draft));
  // Checked as it is typed; only the answer to the latest text counts.
  const checked = useDebouncedSearch(text, (json) => backend.checkRoleDraft(json, editing), 400, [backend, editing]);
  const check: DraftCheckView | null = checked.results;
  const checkedText = useRef("");
  useEffect(() => {
    if (check?.parsed && checkedText.current !== text) {
      try {
        onDraft(fromJson(text));
        checkedText.current = text;
      } catch {
        // Typed on since this answer: the next check brings the draft.
      }
    }
    // Only a new answer for the current text updates the draft.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [check]);

  return (
    <div className={styles.column}>
      <Field label="The role in the portal's JSON: edit it here; it is checked as you type">
        <Textarea data-testid="role-json" className={styles.json} value={text} onChange={(_, d) => setText(d.value)} />
      </Field>
      {check && <IssueList check={check} />}
    </div>
  );
}
