import { Field, Textarea } from "@fluentui/react-components";
import type { DraftCheckView } from "../../../bindings";
import { useBackend } from "../../../backend";
import { useDebouncedSearch } from "../../../data/commands";
import { useStyles } from "./styles";
import { IssueList } from "./IssueList";

/**
 * The role in the portal's JSON. The text is the wizard's: it is kept as
 * typed (a fix half made included) when the person moves between steps, and
 * the wizard does not let them leave while it does not parse.
 */
export function JsonStep({ text, editing, broken, onText }: { text: string; editing: string; broken: string | null; onText: (text: string) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  // Checked as it is typed; only the answer to the latest text counts.
  const checked = useDebouncedSearch(text, (json) => backend.checkRoleDraft(json, editing), 400, [backend, editing]);
  const check: DraftCheckView | null = checked.results;
  return (
    <div className={styles.column}>
      <Field
        label="The role in the portal's JSON: edit it here; it is checked as you type"
        validationState={broken ? "error" : "none"}
        validationMessage={broken ? `This is not valid JSON yet (${broken}). Fix it to move on; your text is kept as you typed it.` : undefined}
      >
        <Textarea data-testid="role-json" className={styles.json} value={text} onChange={(_, d) => onText(d.value)} />
      </Field>
      {check && <IssueList check={check} />}
    </div>
  );
}
