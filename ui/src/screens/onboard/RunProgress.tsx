import { useCallback, useRef, useState } from "react";
import {
  Caption1,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Channel } from "@tauri-apps/api/core";
import type { CommandError, ProposalView, RunProgressView_Deserialize, RunReportView } from "../../bindings";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { PlanRows, outcomeBadge, rowOf, type Row } from "../../components/PlanReview";
import { addSessionReport } from "./sessionReports";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
});

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };
export type RunCall = (channel: Channel<RunProgressView_Deserialize>) => Promise<Result<RunReportView>>;

/**
 * A run (`runProposal`, `resumeRun`) with its progress: custom roles and
 * grants by index, as the backend streams them. A finished run's report
 * joins the session's reports.
 */
export function useRun() {
  const [roles, setRoles] = useState<Record<number, Row>>({});
  const [grants, setGrants] = useState<Record<number, Row>>({});
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const busy = useRef(false);

  const start = useCallback(async (call: RunCall): Promise<RunReportView | null> => {
    if (busy.current) return null;
    busy.current = true;
    setRunning(true);
    setRoles({});
    setGrants({});
    setProblem(null);
    const channel = new Channel<RunProgressView_Deserialize>();
    channel.onmessage = (p) =>
      (p.role ? setRoles : setGrants)((current) => ({ ...current, [p.index]: rowOf(p.state, p.outcome) }));
    try {
      const r = await call(channel);
      if (r.status === "ok") {
        addSessionReport(r.data);
        return r.data;
      }
      setProblem(r.error);
      return null;
    } finally {
      busy.current = false;
      setRunning(false);
    }
  }, []);

  const done = Object.values(roles).concat(Object.values(grants)).filter((r) => r.state === "done").length;
  return { roles, grants, running, problem, done, start };
}

/** The custom roles a proposal's run creates or deletes, in order. */
export const runRoles = (p: ProposalView) => p.customRoles.filter((r) => r.state === "toCreate" || r.state === "toDeleteIfUnused");

/** The grants a proposal's run carries out, in order: everything reviewed, or (offboarding) what is held. */
export const runItems = (p: ProposalView) =>
  p.kind === "onboard" ? p.plan.items : p.plan.items.filter((i) => i.state === "InPlace");

/** Per-item progress of a proposal's run: custom roles first, then each grant. */
export function RunProgress({ proposal, run }: { proposal: ProposalView; run: ReturnType<typeof useRun> }) {
  const styles = useStyles();
  const roles = runRoles(proposal);
  const items = runItems(proposal);
  const total = roles.length + items.length;
  return (
    <div className={styles.page} aria-busy={run.running}>
      <Text weight="semibold">{proposal.title}</Text>
      {run.running && (
        <Spinner
          size="tiny"
          labelPosition="after"
          label={`${proposal.kind === "onboard" ? "Applying" : "Removing"}… ${run.done} of ${total} done`}
        />
      )}
      <ErrorBar problem={run.problem} title="The run stopped" />
      {run.problem && (
        <Caption1 className={styles.muted}>
          Every write made so far is journaled; if the run was cut short it is offered to resume at the top of this page
          and in Activity.
        </Caption1>
      )}
      {roles.length > 0 && (
        <Table aria-label="Custom roles progress" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell style={{ width: "60%" }}>Custom role</TableHeaderCell>
              <TableHeaderCell>Result</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {roles.map((r, i) => (
              <TableRow key={i} data-testid="progress-role">
                <TableCell>
                  <Text>{r.roleName}</Text>
                  <Caption1 className={styles.muted} style={{ display: "block" }}>
                    {r.scope}
                  </Caption1>
                </TableCell>
                <TableCell>{outcomeBadge(run.roles[i] ?? (run.running ? { state: "running" } : undefined))}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <PlanRows items={items} rows={run.grants} offboard={proposal.kind === "offboard"} label="Progress" />
    </div>
  );
}
