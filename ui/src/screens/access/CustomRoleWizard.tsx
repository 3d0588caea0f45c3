import { useState } from "react";
import {
  Button,
  Tab,
  TabList,
  Text,
} from "@fluentui/react-components";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { useStepFocus } from "../../components/useStepFocus";
import type { RoleView, ScopeNode } from "../../bindings";
import type { ScreenProps } from "../../screens";
import { useStyles } from "./customRole/styles";
import { EMPTY, STEPS, fromJson, toJson, type DraftModel, type Step } from "./customRole/model";
import { Basics } from "./customRole/Basics";
import { Permissions } from "./customRole/Permissions";
import { ScopesStep } from "./customRole/ScopesStep";
import { JsonStep } from "./customRole/JsonStep";
import { Review } from "./customRole/Review";

/**
 * The portal's custom role steps: start from a clone, from scratch or from
 * JSON; every change checked against the live catalogue and the admin's
 * rights before anything is written; then created and read back.
 */
/** The Custom roles screen: the wizard, whose "Assign it now" opens Role assignments. */
export function CustomRolesScreen({ onNavigate }: ScreenProps) {
  return <CustomRoleWizard onAssign={onNavigate && ((role, scope) => onNavigate("roleAssignments", { role, scope }))} />;
}

export function CustomRoleWizard({ onAssign }: { onAssign?: (role: RoleView, scope: ScopeNode) => void }) {
  const styles = useStyles();
  const [step, setStep] = useState<Step>("basics");
  const [draft, setDraft] = useState<DraftModel>(EMPTY);
  const [editing, setEditing] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);
  // The JSON as typed, and the draft it was written from or parsed to: kept
  // while the draft stays that one, written anew when another step changed it.
  const [json, setJson] = useState<{ text: string; from: DraftModel } | null>(null);
  const jsonText = json && json.from === draft ? json.text : toJson(draft);
  const broken = step === "json" ? parseError(jsonText) : null;

  const index = STEPS.findIndex((s) => s.id === step);
  const next = STEPS[index + 1];
  const stepRef = useStepFocus<HTMLDivElement>(step);
  const typed = (text: string) => {
    try {
      const parsed = fromJson(text);
      setDraft(parsed);
      setJson({ text, from: parsed });
    } catch {
      setJson({ text, from: draft });
    }
  };
  return (
    <section className={styles.wizard} aria-label="Custom role">
      <TabList selectedValue={step} onTabSelect={(_, d) => !broken && setStep(d.value as Step)} aria-label="Steps">
        {STEPS.map((s) => (
          <Tab key={s.id} value={s.id} disabled={!!broken && s.id !== step}>
            {s.label}
          </Tab>
        ))}
      </TabList>
      <ErrorBar problem={problem} />
      <div ref={stepRef} tabIndex={-1} role="group" aria-label={`Step: ${STEPS[index]?.label ?? step}`}>
      {step === "basics" && (
        <Basics
          draft={draft}
          editing={editing}
          onDraft={(d, editingId) => {
            setDraft(d);
            setEditing(editingId);
            setProblem(null);
          }}
          onProblem={setProblem}
        />
      )}
      {step === "permissions" && <Permissions draft={draft} editing={editing} onDraft={setDraft} />}
      {step === "scopes" && (
        <ScopesStep scopes={draft.assignableScopes} onChange={(s) => setDraft({ ...draft, assignableScopes: s })} />
      )}
      {step === "json" && <JsonStep text={jsonText} editing={editing} broken={broken} onText={typed} />}
      {step === "review" && <Review draft={draft} editing={editing} onDraft={setDraft} onAssign={onAssign} />}
      </div>
      <div className={styles.nav}>
        {index > 0 && (
          <Button disabled={!!broken} onClick={() => setStep(STEPS[index - 1]!.id)}>
            Back
          </Button>
        )}
        {next && (
          <Button appearance="primary" data-testid="next-step" disabled={!!broken} onClick={() => setStep(next.id)}>
            Next: {next.label}
          </Button>
        )}
        {broken && <Text data-testid="json-blocks">Fix the JSON to move on: it does not parse yet.</Text>}
      </div>
    </section>
  );
}

/** Why `text` is not a draft in the portal's JSON, or null when it is one. */
function parseError(text: string): string | null {
  try {
    fromJson(text);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
