import { Caption1, Field, Input, Radio, RadioGroup, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import type { TemplateView, TermsView } from "../../bindings";
import { AssignmentType, STANDING, choiceProblem, scheduleOf, type AssignmentChoice } from "../../components/AssignmentType";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "640px" },
  // Fluent greys an unchosen radio's label, which reads as disabled: each is a choice.
  label: { color: tokens.colorNeutralForeground1 },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** What the admin chose on the onboarding's Assignment type step. */
export type OnboardingTerms = {
  /** Each grant as the template says, or `choice` for every Azure role. */
  asTemplate: boolean;
  choice: AssignmentChoice;
  /** With `asTemplate`: a justification for the role's PIM settings. */
  justification: string;
  /** YYYY-MM-DD or "". */
  lastDay: string;
};

export const AS_TEMPLATE: OnboardingTerms = {
  asTemplate: true,
  choice: { ...STANDING, kind: "eligible" },
  justification: "",
  lastDay: "",
};

/** Why the terms cannot be reviewed yet; "" when they can. */
export function termsProblem(t: OnboardingTerms): string {
  if (t.lastDay && !/^\d{4}-\d{2}-\d{2}$/.test(t.lastDay)) return "Give the last day as a date, or leave it empty.";
  return t.asTemplate ? "" : choiceProblem(t.choice);
}

/** The terms as the engine takes them. */
export function termsView(t: OnboardingTerms): TermsView {
  const common = { ticket: "", lastDay: t.lastDay };
  if (t.asTemplate) return { choice: "asTemplate", justification: t.justification.trim(), ...common };
  const schedule = scheduleOf(t.choice);
  if (!schedule) return { choice: "standing", justification: "", ...common };
  return { choice: "schedule", schedule, justification: schedule.justification, ...common };
}

/**
 * The onboarding's Assignment type: as the template says (its default and
 * the grants that differ are named), or one choice for every Azure role, as
 * the portal's Add role assignment offers it; and the person's last day,
 * which the review checks their access against. App roles have no
 * assignment type: they stay until removed.
 */
export function TermsStep({ template, value, onChange }: { template: TemplateView; value: OnboardingTerms; onChange: (t: OnboardingTerms) => void }) {
  const styles = useStyles();
  const set = (patch: Partial<OnboardingTerms>) => onChange({ ...value, ...patch });
  const templateSaysPim = template.assignment !== "active, permanent";
  return (
    <div className={styles.page}>
      <RadioGroup
        value={value.asTemplate ? "template" : "choose"}
        onChange={(_, d) => set({ asTemplate: d.value === "template" })}
        aria-label="How the Azure roles are held"
        data-testid="terms-source"
      >
        <Radio
          value="template"
          label={{ className: styles.label, children: `As the template says: ${template.assignment}` }}
          data-testid="terms-as-template"
        />
        <Radio value="choose" label={{ className: styles.label, children: "Choose for every Azure role" }} data-testid="terms-choose" />
      </RadioGroup>
      {value.asTemplate && templateSaysPim && (
        <Field label="Justification" hint="PIM's settings often ask for one; the template's name serves otherwise.">
          <Textarea value={value.justification} onChange={(_, d) => set({ justification: d.value })} data-testid="terms-justification" />
        </Field>
      )}
      {!value.asTemplate && <AssignmentType value={value.choice} onChange={(choice) => set({ choice })} />}
      <Field
        label="Last day (optional)"
        hint="For a contractor or a fixed-term post: the review points out access that ends before it, or outlasts it."
      >
        <Input type="date" value={value.lastDay} onChange={(_, d) => set({ lastDay: d.value })} data-testid="terms-last-day" />
      </Field>
      <Caption1 className={styles.muted}>App roles have no assignment type: they stay until they are removed.</Caption1>
    </div>
  );
}
