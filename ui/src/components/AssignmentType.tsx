import { Dropdown, Field, Input, Option, Radio, RadioGroup, Textarea, makeStyles, tokens } from "@fluentui/react-components";
import type { ScheduleView } from "../bindings";

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "640px" },
  // Fluent greys an unchosen radio's label, which reads as disabled: each is a choice.
  label: { color: tokens.colorNeutralForeground1 },
});

/** What the admin chose on the Assignment type step, as the portal offers it. */
export type AssignmentChoice = {
  kind: "permanent" | "eligible" | "timeBound";
  /** An ISO 8601 duration, "until" for an end date, or "" for no end. */
  ends: string;
  /** YYYY-MM-DD, when `ends` is "until". */
  until: string;
  justification: string;
};

export const STANDING: AssignmentChoice = { kind: "permanent", ends: "P90D", until: "", justification: "" };

const ENDS: { value: string; label: string }[] = [
  { value: "PT8H", label: "8 hours" },
  { value: "P30D", label: "30 days" },
  { value: "P90D", label: "90 days" },
  { value: "P180D", label: "180 days" },
  { value: "P365D", label: "1 year" },
  { value: "until", label: "On a date…" },
  { value: "", label: "No end (where the role's PIM settings allow it)" },
];

/** Why the choice cannot be reviewed yet; "" when it can. */
export function choiceProblem(choice: AssignmentChoice): string {
  if (choice.kind === "permanent") return "";
  if (choice.kind === "timeBound" && choice.ends === "") return "Time-bound access needs an end: choose a duration or a date.";
  if (choice.ends === "until" && !/^\d{4}-\d{2}-\d{2}$/.test(choice.until)) return "Choose the date the access ends.";
  return "";
}

/** The grant's schedule for the engine; null for a standing assignment. */
export function scheduleOf(choice: AssignmentChoice): ScheduleView | null {
  if (choice.kind === "permanent") return null;
  return {
    eligible: choice.kind === "eligible",
    duration: choice.ends === "until" ? "" : choice.ends,
    // To the end of that day, in UTC, as rolecall-cli reads a date.
    until: choice.ends === "until" ? `${choice.until}T23:59:59Z` : "",
    justification: choice.justification.trim(),
    ticket: "",
  };
}

/** "eligible for 90 days", "active until 2027-03-01", "eligible, permanent". */
export function describeSchedule(s: ScheduleView): string {
  const kind = s.eligible ? "eligible" : "active";
  if (s.duration) return `${kind} for ${ENDS.find((e) => e.value === s.duration)?.label ?? s.duration}`;
  if (s.until) return `${kind} until ${s.until.slice(0, 10)}`;
  return `${kind}, permanent`;
}

/**
 * The portal's Assignment type step: active and permanent (a plain role
 * assignment), eligible, or active and time-bound (both through PIM, which
 * checks the role's settings at the scope before anything is written).
 */
export function AssignmentType({ value, onChange }: { value: AssignmentChoice; onChange: (c: AssignmentChoice) => void }) {
  const styles = useStyles();
  const set = (patch: Partial<AssignmentChoice>) => onChange({ ...value, ...patch });
  const ends = ENDS.filter((e) => value.kind === "eligible" || e.value !== "");
  return (
    <div className={styles.form}>
      <Field label="Assignment type">
        <RadioGroup value={value.kind} onChange={(_, d) => set({ kind: d.value as AssignmentChoice["kind"] })} data-testid="assignment-kind">
          <Radio
            value="permanent"
            label={{ className: styles.label, children: "Active, permanent: a standing role assignment" }}
            data-testid="kind-permanent"
          />
          <Radio
            value="eligible"
            label={{
              className: styles.label,
              children: "Eligible: they activate the role when they need it, for a few hours at a time (PIM)",
            }}
            data-testid="kind-eligible"
          />
          <Radio
            value="timeBound"
            label={{ className: styles.label, children: "Active, time-bound: access that ends by itself (PIM)" }}
            data-testid="kind-timeBound"
          />
        </RadioGroup>
      </Field>
      {value.kind !== "permanent" && (
        <>
          <Field label="Ends" hint="The role's PIM settings at each scope are checked at the review: the longest they allow, and whether an end is required.">
            <Dropdown
              aria-label="Ends"
              data-testid="assignment-ends"
              value={ends.find((e) => e.value === value.ends)?.label ?? ""}
              selectedOptions={[value.ends]}
              onOptionSelect={(_, d) => set({ ends: d.optionValue ?? "P90D" })}
            >
              {ends.map((e) => (
                <Option key={e.value || "none"} value={e.value}>
                  {e.label}
                </Option>
              ))}
            </Dropdown>
          </Field>
          {value.ends === "until" && (
            <Field label="End date (UTC, end of the day)">
              <Input type="date" value={value.until} onChange={(_, d) => set({ until: d.value })} data-testid="assignment-until" />
            </Field>
          )}
          <Field label="Justification" hint="PIM's settings usually ask for one; it is kept with the assignment.">
            <Textarea value={value.justification} onChange={(_, d) => set({ justification: d.value })} data-testid="assignment-justification" />
          </Field>
        </>
      )}
    </div>
  );
}
