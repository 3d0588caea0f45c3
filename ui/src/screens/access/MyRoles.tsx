import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { MyRoleView } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { ScopeName } from "../../components/ScopeName";
import { useSessionIfAny } from "../../session";
import { useStepFocus } from "../../components/useStepFocus";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  form: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "end", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

const FOR: { value: string; label: string }[] = [
  { value: "", label: "As long as the role allows" },
  { value: "PT1H", label: "1 hour" },
  { value: "PT2H", label: "2 hours" },
  { value: "PT4H", label: "4 hours" },
  { value: "PT8H", label: "8 hours" },
];

const keyOf = (r: MyRoleView) => `${r.scope}|${r.roleId}`;

/**
 * The signed-in person's own eligible roles (PIM), and activating one for
 * as long as needed: an admin eligible for Owner activates it here before
 * granting access, as the portal's "My roles" offers it.
 */
export function MyRoles() {
  const styles = useStyles();
  const backend = useBackend();
  const [rows, setRows] = useState<MyRoleView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [duration, setDuration] = useState("");
  const [justification, setJustification] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const session = useSessionIfAny();
  // The activation's form opens below the table: the keyboard goes there.
  const form = useStepFocus<HTMLDivElement>(open);
  const tenantId = session?.session?.active?.tenantId;
  // PIM's MfaRule: this sign-in had no multi-factor step; a new one can.
  const needsMfa =
    problem?.code === "RoleAssignmentRequestPolicyValidationFailed" && /multi-factor/.test(problem.message);
  const signInAgain = async () => {
    if (!session || !tenantId) return;
    if (await session.run("reauthenticate", () => backend.reauthenticate(tenantId))) {
      setProblem(null);
      setDone("Signed in again: activate the role now.");
    }
  };

  const load = useCallback(async () => {
    setRows(null);
    const r = await backend.listMyRoles();
    if (r.status === "ok") setRows(r.data);
    else setProblem(r.error);
  }, [backend]);
  useEffect(() => {
    void load();
  }, [load]);

  const withdraw = async (role: MyRoleView) => {
    setBusy(true);
    setProblem(null);
    const r = await backend.cancelActivation(role.scope, role.roleId);
    setBusy(false);
    if (r.status === "error") {
      setProblem(r.error);
      return;
    }
    setDone(`Your request to activate ${role.roleName} was withdrawn.`);
    await load();
  };

  const activate = async (role: MyRoleView) => {
    setBusy(true);
    setProblem(null);
    const r = await backend.activateRole(role.scope, role.roleId, duration, justification);
    setBusy(false);
    if (r.status === "error") {
      setProblem(r.error);
      return;
    }
    setDone(r.data);
    setOpen(null);
    setJustification("");
    await load();
  };

  return (
    <div className={styles.page}>
      <Caption1 className={styles.muted}>
        Roles you are eligible for through PIM: they give nothing until you activate one, for a few hours at a time.
      </Caption1>
      <ErrorBar problem={problem} title="That did not work" />
      {needsMfa && session && tenantId && (
        <div className={styles.form}>
          <Button appearance="primary" data-testid="sign-in-again" disabled={session.busy !== null} onClick={() => void signInAgain()}>
            Sign in again
          </Button>
        </div>
      )}
      {done && (
        <MessageBar intent="success" data-testid="activated">
          <MessageBarBody>{done}</MessageBarBody>
        </MessageBar>
      )}
      {rows === null && !problem && <Spinner size="small" label="Reading your eligible roles…" />}
      {rows?.length === 0 && (
        <Caption1 className={styles.muted} data-testid="my-roles-none">
          You are not eligible for any Azure role: an admin can make you eligible (Assign roles, Assignment type Eligible).
        </Caption1>
      )}
      {rows && rows.length > 0 && (
        <Table aria-label="Your eligible roles" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Scope</TableHeaderCell>
              <TableHeaderCell>Eligible until</TableHeaderCell>
              <TableHeaderCell>Now</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((r) => (
              <TableRow key={keyOf(r)} data-testid="my-role">
                <TableCell>{r.roleName}</TableCell>
                <TableCell>
                  <ScopeName id={r.scope} copy={false} />
                </TableCell>
                <TableCell>{r.eligibleUntil ? r.eligibleUntil.slice(0, 10) : "Permanent"}</TableCell>
                <TableCell>
                  {r.activeUntil ? (
                    <Badge color="success" data-testid="my-role-active">
                      Active until {r.activeUntil.slice(11, 16)} UTC
                    </Badge>
                  ) : r.awaitingApproval ? (
                    <span className={styles.form}>
                      <Badge color="warning" data-testid="my-role-waiting">
                        Waiting for approval
                      </Badge>
                      <Button size="small" disabled={busy} data-testid={`withdraw-${r.roleName}`} onClick={() => void withdraw(r)}>
                        Withdraw
                      </Button>
                    </span>
                  ) : (
                    <Button size="small" data-testid={`activate-${r.roleName}`} onClick={() => setOpen(keyOf(r))}>
                      Activate…
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {rows
        ?.filter((r) => keyOf(r) === open)
        .map((r) => (
          <div key={keyOf(r)} ref={form} tabIndex={-1} className={styles.form} role="group" aria-label={`Activate ${r.roleName}`}>
            <Field label="For">
              <Dropdown
                aria-label="For"
                data-testid="activate-for"
                value={FOR.find((f) => f.value === duration)?.label ?? duration}
                selectedOptions={[duration]}
                onOptionSelect={(_, d) => setDuration(d.optionValue ?? "")}
              >
                {FOR.map((f) => (
                  <Option key={f.value || "longest"} value={f.value}>
                    {f.label}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            <Field label="Justification" hint="The role's PIM settings usually ask for one.">
              <Textarea value={justification} onChange={(_, d) => setJustification(d.value)} data-testid="activate-justification" />
            </Field>
            <Button appearance="primary" disabled={busy} data-testid="activate-confirm" onClick={() => void activate(r)}>
              Activate {r.roleName}
            </Button>
            <Button onClick={() => setOpen(null)}>Cancel</Button>
          </div>
        ))}
    </div>
  );
}
