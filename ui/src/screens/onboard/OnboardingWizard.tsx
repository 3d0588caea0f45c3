import { useCallback, useEffect, useState } from "react";
import {
  Button,
  Caption1,
  Checkbox,
  Tab,
  TabList,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { MemberView, ProposalView, RunReportView, ScopeNode, TemplateView, TermsView } from "../../bindings";
import { useBackend } from "../../backend";
import type { Problem } from "../../components/ErrorBar";
import { MemberPicker } from "../../components/MemberPicker";
import { ScopePicker } from "../../components/ScopePicker";
import { useStepFocus } from "../../components/useStepFocus";
import { PeopleStep, peopleOf } from "./PeopleStep";
import { ProposalReview } from "./ProposalReview";
import { RunProgress, useRun } from "./RunProgress";
import { RunReport } from "./RunReport";
import { TasksStep, fits } from "./TasksStep";
import { TemplateStep, type Mode } from "./TemplateStep";
import { AS_TEMPLATE, TermsStep, termsProblem, termsView, type OnboardingTerms } from "./TermsStep";

const useStyles = makeStyles({
  wizard: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  nav: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  step: { minHeight: "240px", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Flow = "template" | "removeAll" | "undo";
type Step = "template" | "tasks" | "people" | "terms" | "person" | "scopes" | "review" | "apply" | "report";

const STEPS: Record<Flow, { id: Step; label: string }[]> = {
  template: [
    { id: "template", label: "Template" },
    { id: "tasks", label: "Tasks" },
    { id: "people", label: "People" },
    { id: "terms", label: "Assignment type" },
    { id: "review", label: "Review" },
    { id: "apply", label: "Apply" },
    { id: "report", label: "Report" },
  ],
  removeAll: [
    { id: "person", label: "Person" },
    { id: "scopes", label: "Scopes" },
    { id: "review", label: "Review" },
    { id: "apply", label: "Remove" },
    { id: "report", label: "Report" },
  ],
  undo: [
    { id: "review", label: "Review the undo" },
    { id: "apply", label: "Remove" },
    { id: "report", label: "Report" },
  ],
};

/**
 * Guided onboarding and offboarding from a template: template → tasks (and
 * the resources they are about) → people → review (preflight + plan, nothing
 * written) → apply with per-item progress → report. Also "remove all access
 * of a person": person → scopes → the same review, run and report. A
 * report of a run that created something offers "Undo this run": the same
 * review, run and report of removing what it created.
 */
export function OnboardingWizard() {
  const styles = useStyles();
  const backend = useBackend();
  const [flow, setFlow] = useState<Flow>("template");
  const [step, setStep] = useState<Step>("template");
  const stepRef = useStepFocus<HTMLDivElement>(step);

  const [templates, setTemplates] = useState<TemplateView[] | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>("onboard");
  const [inputs, setInputs] = useState<Record<string, ScopeNode | undefined>>({});
  const [tasks, setTasks] = useState<string[]>([]);
  const [members, setMembers] = useState<MemberView[]>([]);
  const [imported, setImported] = useState<string[]>([]);
  /** A CSV row's own terms (its assignment, lastDay… columns), by the person as imported. */
  const [rowTerms, setRowTerms] = useState<Record<string, TermsView>>({});
  const [terms, setTerms] = useState<OnboardingTerms>(AS_TEMPLATE);

  const [person, setPerson] = useState<MemberView | null>(null);
  const [scopes, setScopes] = useState<ScopeNode[]>([]);
  const [appRoles, setAppRoles] = useState(false);

  const [reviewKey, setReviewKey] = useState(0);
  const [proposal, setProposal] = useState<ProposalView | null>(null);
  const [report, setReport] = useState<RunReportView | null>(null);
  /** The run being undone, and the flow to go back to. */
  const [undoing, setUndoing] = useState<{ report: RunReportView; from: Flow } | null>(null);
  const run = useRun();

  const loadTemplates = useCallback(async () => {
    const r = await backend.listTemplates();
    if (r.status === "ok") {
      setTemplates(r.data);
      setLoadProblem(null);
    } else setLoadProblem(r.error);
  }, [backend]);
  useEffect(() => {
    void loadTemplates();
  }, [loadTemplates]);

  const template = templates?.find((t) => t.id === templateId) ?? null;
  const people = peopleOf(members, imported);
  const inputsChosen = !!template && template.inputs.every((i) => fits(i, inputs[i.id]));
  const locked = step === "apply" || step === "report";

  const onboarding = flow === "template" && mode === "onboard";
  const termsWrong = onboarding ? termsProblem(terms) : "";
  const peopleChosen = inputsChosen && tasks.length > 0 && people.length > 0;
  const ready: Record<Step, boolean> = {
    template: !locked,
    tasks: !locked && !!template,
    people: !locked && inputsChosen && tasks.length > 0,
    terms: !locked && peopleChosen,
    review:
      !locked &&
      (flow === "undo"
        ? !!undoing
        : flow === "template"
          ? peopleChosen && !termsWrong
          : !!person && (scopes.length > 0 || appRoles)),
    person: !locked,
    scopes: !locked && !!person,
    apply: step === "apply",
    report: step === "report",
  };
  const missing: Partial<Record<Step, string>> = {
    tasks: "Choose a template.",
    people: !template
      ? "Choose a template."
      : !inputsChosen
        ? `Choose ${template.inputs.filter((i) => !fits(i, inputs[i.id])).map((i) => i.label.replace(/^The /, "the ")).join(" and ")}.`
        : "Choose at least one task.",
    terms: "Add at least one person, or import a CSV.",
    review:
      flow !== "template"
        ? "Choose at least one scope, or include app roles."
        : !peopleChosen
          ? "Add at least one person, or import a CSV."
          : termsWrong,
    scopes: "Choose the person whose access goes.",
  };

  // Taking access away has no assignment type to choose.
  const steps = STEPS[flow].filter((s) => s.id !== "terms" || mode === "onboard");
  const index = steps.findIndex((s) => s.id === step);
  const next = steps[index + 1];
  const go = (s: Step) => {
    if (s === "review") setReviewKey((k) => k + 1);
    setStep(s);
  };

  /** Choosing a template goes on to its tasks, as the portal's wizards do. */
  const chooseTemplate = (t: TemplateView) => {
    if (t.id !== templateId) {
      setTemplateId(t.id);
      setInputs({});
      setTasks([]);
    }
    setStep("tasks");
  };

  const prepare = () =>
    flow === "undo"
      ? backend.prepareUndo(undoing!.report.id)
      : flow === "removeAll"
      ? backend.prepareRemoval(
          person!.id,
          scopes.map((s) => s.id),
          appRoles,
        )
      : backend.prepareOnboarding({
          templateId: template!.id,
          tasks,
          inputs: template!.inputs.map((i) => ({ id: i.id, scope: inputs[i.id]!.id })),
          people,
          offboard: mode === "offboard",
          ...(onboarding && {
            terms: termsView(terms),
            personTerms: imported.filter((p) => rowTerms[p]).map((p) => ({ person: p, terms: rowTerms[p]! })),
          }),
        });

  const apply = async (p: ProposalView) => {
    setProposal(p);
    setReport(null);
    setStep("apply");
    const done = await run.start((channel) => backend.runProposal(p.id, channel));
    if (done) {
      setReport(done);
      setStep("report");
    }
  };

  const startAnother = () => {
    setFlow("template");
    setStep("template");
    setTemplateId(null);
    setMode("onboard");
    setInputs({});
    setTasks([]);
    setMembers([]);
    setImported([]);
    setRowTerms({});
    setTerms(AS_TEMPLATE);
    setPerson(null);
    setScopes([]);
    setAppRoles(false);
    setProposal(null);
    setReport(null);
    setUndoing(null);
  };

  /** The template, its tasks and inputs kept; new people. */
  const sameForAnother = () => {
    setMembers([]);
    setImported([]);
    setRowTerms({});
    setProposal(null);
    setReport(null);
    setUndoing(null);
    setStep("people");
  };

  const undo = (r: RunReportView) => {
    setUndoing({ report: r, from: flow });
    setFlow("undo");
    go("review");
  };

  /** Leaves the undo's review for the report of the run it would undo. */
  const backToReport = () => {
    if (!undoing) return;
    setFlow(undoing.from);
    setReport(undoing.report);
    setUndoing(null);
    setStep("report");
  };

  const removeAll = () => {
    setFlow("removeAll");
    setStep("person");
  };

  return (
    <section
      className={styles.wizard}
      aria-label={
        flow === "template" ? "Onboard from a template" : flow === "undo" ? "Undo a run" : "Remove all access of a person"
      }
    >
      <TabList selectedValue={step} onTabSelect={(_, d) => go(d.value as Step)} aria-label="Steps">
        {steps.map((s) => (
          <Tab key={s.id} value={s.id} disabled={!ready[s.id]}>
            {s.label}
          </Tab>
        ))}
      </TabList>
      <div className={styles.step} ref={stepRef} tabIndex={-1} role="group" aria-label={`Step: ${steps.find((s) => s.id === step)?.label ?? step}`}>
        {step === "template" && (
          <TemplateStep
            templates={templates}
            loadProblem={loadProblem}
            selected={templateId}
            onSelect={chooseTemplate}
            mode={mode}
            onMode={setMode}
            onImported={(t) => {
              setTemplates((all) => [...(all ?? []).filter((x) => x.id !== t.id), t]);
              setTemplateId(t.id);
              setInputs({});
              setTasks([]);
            }}
            onRemoveAll={removeAll}
          />
        )}
        {step === "tasks" && template && (
          <>
            <Caption1 className={styles.muted} data-testid="mode-summary">
              {mode === "offboard"
                ? `Offboarding with ${template.name}: choose the tasks whose access goes.`
                : `Onboarding with ${template.name}: choose what they will do.`}
            </Caption1>
            <TasksStep template={template} inputs={inputs} onInputs={setInputs} tasks={tasks} onTasks={setTasks} offboard={mode === "offboard"} />
          </>
        )}
        {step === "people" && (
          <>
            <Caption1 className={styles.muted}>
              {mode === "offboard"
                ? "Whose access from this template goes: users, groups or applications."
                : "Who gets the access: users, groups or applications."}
            </Caption1>
            <PeopleStep
              members={members}
              onMembers={setMembers}
              imported={imported}
              onImported={setImported}
              rowTerms={rowTerms}
              onRowTerms={setRowTerms}
            />
          </>
        )}
        {step === "terms" && template && (
          <>
            <Caption1 className={styles.muted}>
              How their Azure roles are held: standing, eligible (they activate it when needed, through PIM) or for a
              time. The review checks each role's PIM settings before anything is written.
            </Caption1>
            <TermsStep template={template} value={terms} onChange={setTerms} />
          </>
        )}
        {step === "person" && (
          <>
            <Caption1 className={styles.muted}>
              Whose access goes? Every Azure role they hold directly at the scopes you choose next is removed; roles held at a
              parent scope stay, and the review names them.
            </Caption1>
            <MemberPicker
              selected={person ? [person] : []}
              onChange={(list) => setPerson(list.find((m) => m.id !== person?.id) ?? list[0] ?? null)}
            />
          </>
        )}
        {step === "scopes" && (
          <>
            <Caption1 className={styles.muted}>
              Where: everything {person?.displayName} holds at or below these scopes is removed.
            </Caption1>
            <ScopePicker selected={scopes} onChange={setScopes} />
            <Checkbox
              data-testid="remove-app-roles"
              checked={appRoles}
              onChange={(_, d) => setAppRoles(!!d.checked)}
              label="Also remove their app roles in every application"
            />
          </>
        )}
        {step === "review" && flow === "undo" && undoing && (
          <Caption1 className={styles.muted} data-testid="undo-summary">
            Undoing {undoing.report.title}: only what that run created and is still in place is removed; access that was
            there before it stays.
          </Caption1>
        )}
        {step === "review" && <ProposalReview key={reviewKey} prepare={prepare} onApply={(p) => void apply(p)} />}
        {step === "apply" && proposal && (
          <>
            <RunProgress proposal={proposal} run={run} />
            {!run.running && run.problem && (
              <div className={styles.nav}>
                <Button onClick={() => go("review")}>Back to the review</Button>
              </div>
            )}
          </>
        )}
        {step === "report" && report && (
          <RunReport
            report={report}
            onStartAnother={startAnother}
            onSameForAnother={flow === "template" ? sameForAnother : undefined}
            onCheckAgain={() => go("review")}
            onUndo={() => undo(report)}
          />
        )}
      </div>
      {!locked && (
        <div className={styles.nav}>
          {index > 0 && <Button onClick={() => go(steps[index - 1]!.id)}>Back</Button>}
          {flow === "undo" && index === 0 && <Button onClick={backToReport}>Back to the report</Button>}
          {flow === "removeAll" && index === 0 && (
            <Button
              onClick={() => {
                setFlow("template");
                setStep("template");
              }}
            >
              Back to templates
            </Button>
          )}
          {next && next.id !== "apply" && (
            <Button appearance="primary" data-testid="next-step" disabled={!ready[next.id]} onClick={() => go(next.id)}>
              Next: {next.label}
            </Button>
          )}
          {next && next.id !== "apply" && !ready[next.id] && missing[next.id] && <Text size={200}>{missing[next.id]}</Text>}
          {step === "people" && (
            <Text size={200}>
              {people.length} {people.length === 1 ? "person" : "people"} chosen
            </Text>
          )}
        </div>
      )}
    </section>
  );
}
