import { useMemo, useState } from "react";
import {
  Button,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Tab,
  TabList,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { GrantView, MemberView, RoleView, ScopeNode } from "../../bindings";
import { MemberPicker } from "../../components/MemberPicker";
import { PlanReview } from "../../components/PlanReview";
import { RolePicker } from "../../components/RolePicker";
import { ScopePicker } from "../../components/ScopePicker";
import { useStepFocus } from "../../components/useStepFocus";
import { useBackend } from "../../backend";
import { useCommand } from "../../data/commands";
import { AssignmentType, STANDING, choiceProblem, scheduleOf, type AssignmentChoice } from "../../components/AssignmentType";

const useStyles = makeStyles({
  wizard: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  nav: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center" },
  step: { minHeight: "240px" },
});

type Step = "scope" | "role" | "members" | "assignment" | "review";
const STEPS: { id: Step; label: string }[] = [
  { id: "scope", label: "Scope" },
  { id: "role", label: "Role" },
  { id: "members", label: "Members" },
  { id: "assignment", label: "Assignment type" },
  { id: "review", label: "Review + assign" },
];

/**
 * Every role for every member at every scope, in the portal's steps. Given
 * a `start` (a custom role just made, and where it may be assigned), it
 * opens on Members with both chosen.
 */
export function AssignRolesWizard({ start }: { start?: { role: RoleView; scope: ScopeNode } }) {
  const styles = useStyles();
  const [step, setStep] = useState<Step>(start ? "members" : "scope");
  const [scopes, setScopes] = useState<ScopeNode[]>(start ? [start.scope] : []);
  const [roles, setRoles] = useState<RoleView[]>(start ? [start.role] : []);
  const [members, setMembers] = useState<MemberView[]>([]);
  const [description, setDescription] = useState("");
  const [assignment, setAssignment] = useState<AssignmentChoice>(STANDING);
  const stepRef = useStepFocus<HTMLDivElement>(step);
  // The admin's right to assign at the chosen scopes, asked as soon as they
  // are chosen: a Reader admin hears it here, not three steps later.
  const backend = useBackend();
  const scopeIds = scopes.map((s) => s.id).join("|");
  const rights = useCommand(() => (scopeIds ? backend.checkAssignRights(scopeIds.split("|")) : null), [backend, scopeIds]);
  const refused = (rights.data ?? []).filter((r) => r.refusal);

  const ready: Record<Step, boolean> = {
    scope: true,
    role: scopes.length > 0,
    members: scopes.length > 0 && roles.length > 0,
    assignment: scopes.length > 0 && roles.length > 0 && members.length > 0,
    review: scopes.length > 0 && roles.length > 0 && members.length > 0 && choiceProblem(assignment) === "",
  };
  const index = STEPS.findIndex((s) => s.id === step);
  const next = STEPS[index + 1];
  const missing: Record<Step, string> = {
    scope: "",
    role: "Choose at least one scope.",
    members: "Choose at least one role.",
    assignment: "Add at least one member.",
    review: members.length === 0 ? "Add at least one member." : choiceProblem(assignment),
  };

  const grants: GrantView[] = useMemo(
    () =>
      step !== "review"
        ? []
        : scopes.flatMap((scope) =>
            roles.flatMap((role) =>
              members.map(
                (member): GrantView => ({
                  type: "AzureRole",
                  scope: scope.id,
                  roleId: role.id,
                  roleName: role.name,
                  member,
                  description,
                  schedule: scheduleOf(assignment),
                }),
              ),
            ),
          ),
    // Recomputed when the review opens, not on every keystroke elsewhere.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [step],
  );

  return (
    <section className={styles.wizard} aria-label="Assign Azure roles">
      <TabList selectedValue={step} onTabSelect={(_, d) => setStep(d.value as Step)} aria-label="Steps">
        {STEPS.map((s) => (
          <Tab key={s.id} value={s.id} disabled={!ready[s.id]}>
            {s.label}
          </Tab>
        ))}
      </TabList>
      {refused.length > 0 && (
        <MessageBar intent="warning" layout="multiline" data-testid="assign-rights">
          <MessageBarBody>
            <MessageBarTitle>You cannot assign roles at {refused.length === scopes.length ? "the chosen scope" : `${refused.length} of the chosen scopes`}</MessageBarTitle>
            {refused.map((r) => (
              <div key={r.scope}>{r.refusal}</div>
            ))}
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.step} ref={stepRef} tabIndex={-1} role="group" aria-label={`Step: ${STEPS[index]?.label ?? step}`}>
        {step === "scope" && <ScopePicker selected={scopes} onChange={setScopes} />}
        {step === "role" && scopes[0] && <RolePicker scope={scopes[0].id} selected={roles} onChange={setRoles} />}
        {step === "members" && (
          <>
            <MemberPicker selected={members} onChange={setMembers} />
            <Field label="Description (optional)" hint="Shown with each assignment in the portal.">
              <Textarea value={description} onChange={(_, d) => setDescription(d.value)} />
            </Field>
          </>
        )}
        {step === "assignment" && <AssignmentType value={assignment} onChange={setAssignment} />}
        {step === "review" && (
          <>
            {roles.some((r) => r.privileged) && (
              <MessageBar intent="warning" layout="multiline" data-testid="privileged-role">
                <MessageBarBody>
                  <MessageBarTitle>
                    {roles
                      .filter((r) => r.privileged)
                      .map((r) => r.name)
                      .join(", ")}{" "}
                    {roles.filter((r) => r.privileged).length === 1 ? "is a privileged role" : "are privileged roles"}
                  </MessageBarTitle>
                  It lets them change access or manage everything at the chosen scopes. If they need less, go back to
                  Role and use “Find the smallest role for what they must do”.
                  <Button appearance="transparent" size="small" data-testid="find-smaller-role" onClick={() => setStep("role")}>
                    Find a smaller role
                  </Button>
                </MessageBarBody>
              </MessageBar>
            )}
            <PlanReview grants={grants} />
          </>
        )}
      </div>
      <div className={styles.nav}>
        <Text data-testid="assign-summary">
          {scopes.length} scope{scopes.length === 1 ? "" : "s"} × {roles.length} role{roles.length === 1 ? "" : "s"} ×{" "}
          {members.length} member{members.length === 1 ? "" : "s"}
        </Text>
        {index > 0 && (
          <Button data-testid="back-step" onClick={() => setStep(STEPS[index - 1]!.id)}>
            Back
          </Button>
        )}
        {next && (
          <Button
            appearance="primary"
            data-testid="next-step"
            disabled={!ready[next.id]}
            onClick={() => setStep(next.id)}
          >
            Next: {next.label}
          </Button>
        )}
        {next && !ready[next.id] && <Text size={200}>{missing[next.id]}</Text>}
      </div>
    </section>
  );
}
