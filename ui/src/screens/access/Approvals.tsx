import { useCallback, useEffect, useState } from "react";
import {
  Button,
  Caption1,
  Field,
  MessageBar,
  MessageBarBody,
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
import type { AwaitingView } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { ScopeName } from "../../components/ScopeName";
import { useStepFocus } from "../../components/useStepFocus";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  form: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "end", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

/**
 * Activations that wait for the signed-in person's decision (a role whose
 * PIM settings ask for approval): who asks for what, where, for how long and
 * why; approve or deny with a justification. Approvers have a day.
 */
export function Approvals({ onCount }: { onCount?: (waiting: number) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [rows, setRows] = useState<AwaitingView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [justification, setJustification] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  // The decision's form opens below the table: the keyboard goes there.
  const form = useStepFocus<HTMLDivElement>(open);

  const load = useCallback(async () => {
    setProblem(null);
    setRows(null);
    const r = await backend.listAwaitingApproval();
    if (r.status === "ok") {
      setRows(r.data);
      onCount?.(r.data.length);
    } else setProblem(r.error);
  }, [backend, onCount]);
  useEffect(() => {
    void load();
  }, [load]);

  const decide = async (a: AwaitingView, approve: boolean) => {
    setBusy(true);
    setProblem(null);
    const r = await backend.decideApproval(a.approvalId, approve, justification);
    setBusy(false);
    if (r.status === "error") {
      setProblem(r.error);
      return;
    }
    setDone(`${approve ? "Approved" : "Denied"}: ${a.roleName} for ${a.requestedBy}.`);
    setOpen(null);
    setJustification("");
    await load();
  };

  return (
    <div className={styles.page}>
      <Caption1 className={styles.muted}>
        Activations of roles whose PIM settings ask for your approval. Nothing is granted until someone decides; a request
        nobody decides within a day must be made again.
      </Caption1>
      <ErrorBar problem={problem} title="The decision was not recorded" />
      {done && (
        <MessageBar intent="success" data-testid="decided">
          <MessageBarBody>{done}</MessageBarBody>
        </MessageBar>
      )}
      {rows === null && !problem && <Spinner size="small" label="Reading the requests that wait for you…" />}
      {rows?.length === 0 && (
        <Caption1 className={styles.muted} data-testid="approvals-none">
          Nothing waits for your approval.
        </Caption1>
      )}
      {rows && rows.length > 0 && (
        <Table aria-label="Requests that wait for your approval" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Who</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Scope</TableHeaderCell>
              <TableHeaderCell>For</TableHeaderCell>
              <TableHeaderCell>Why</TableHeaderCell>
              <TableHeaderCell>Decide</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((a) => (
              <TableRow key={a.approvalId} data-testid="approval-row">
                <TableCell>{a.requestedBy}</TableCell>
                <TableCell>{a.roleName}</TableCell>
                <TableCell>
                  <ScopeName id={a.scope} copy={false} />
                </TableCell>
                <TableCell>{a.lasting}</TableCell>
                <TableCell>{a.justification}</TableCell>
                <TableCell>
                  <Button size="small" data-testid="decide" onClick={() => setOpen(a.approvalId)}>
                    Decide…
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {rows
        ?.filter((a) => a.approvalId === open)
        .map((a) => (
          <div key={a.approvalId} ref={form} tabIndex={-1} className={styles.form} role="group" aria-label={`Decide on ${a.roleName} for ${a.requestedBy}`}>
            <Field label="Justification" hint="Kept with your decision." required>
              <Textarea value={justification} onChange={(_, d) => setJustification(d.value)} data-testid="decide-justification" />
            </Field>
            <Button
              appearance="primary"
              disabled={busy || !justification.trim()}
              data-testid="approve"
              onClick={() => void decide(a, true)}
            >
              Approve
            </Button>
            <Button disabled={busy || !justification.trim()} data-testid="deny" onClick={() => void decide(a, false)}>
              Deny
            </Button>
            <Button appearance="subtle" onClick={() => setOpen(null)}>
              Cancel
            </Button>
          </div>
        ))}
    </div>
  );
}
