import { useState } from "react";
import {
  Button,
  Tab,
  TabList,
} from "@fluentui/react-components";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import type { ScreenProps } from "../../screens";
import { useStyles } from "./customRole/styles";
import { EMPTY, STEPS, type DraftModel, type Step } from "./customRole/model";
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
  return <CustomRoleWizard onAssign={onNavigate && (() => onNavigate("roleAssignments"))} />;
}

export function CustomRoleWizard({ onAssign }: { onAssign?: () => void }) {
  const styles = useStyles();
  const [step, setStep] = useState<Step>("basics");
  const [draft, setDraft] = useState<DraftModel>(EMPTY);
  const [editing, setEditing] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);

  const index = STEPS.findIndex((s) => s.id === step);
  const next = STEPS[index + 1];
  return (
    <section className={styles.wizard} aria-label="Custom role">
      <TabList selectedValue={step} onTabSelect={(_, d) => setStep(d.value as Step)} aria-label="Steps">
        {STEPS.map((s) => (
          <Tab key={s.id} value={s.id}>
            {s.label}
          </Tab>
        ))}
      </TabList>
      <ErrorBar problem={problem} />
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
      {step === "permissions" && <Permissions draft={draft} onDraft={setDraft} />}
      {step === "scopes" && (
        <ScopesStep scopes={draft.assignableScopes} onChange={(s) => setDraft({ ...draft, assignableScopes: s })} />
      )}
      {step === "json" && <JsonStep draft={draft} editing={editing} onDraft={setDraft} />}
      {step === "review" && <Review draft={draft} editing={editing} onAssign={onAssign} />}
      <div className={styles.nav}>
        {index > 0 && <Button onClick={() => setStep(STEPS[index - 1]!.id)}>Back</Button>}
        {next && (
          <Button appearance="primary" data-testid="next-step" onClick={() => setStep(next.id)}>
            Next: {next.label}
          </Button>
        )}
      </div>
    </section>
  );
}
