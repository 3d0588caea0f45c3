import { useCallback, useEffect, useRef, useState } from "react";
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { RunReportView, UnfinishedView } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { RunReport, when } from "./RunReport";
import { useRun } from "./RunProgress";
import { UndoFlow } from "./UndoRun";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

/**
 * Runs the journal shows began and did not end (a crash, a closed window),
 * each to resume (planned again, so nothing is written twice) or discard.
 * With `showEmpty`, says so when there are none.
 */
export function InterruptedRuns({ showEmpty = false }: { showEmpty?: boolean }) {
  const styles = useStyles();
  const backend = useBackend();
  const [runs, setRuns] = useState<UnfinishedView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [resuming, setResuming] = useState<UnfinishedView | null>(null);
  const [report, setReport] = useState<RunReportView | null>(null);
  const [undoing, setUndoing] = useState(false);
  const run = useRun();
  const latest = useRef(0);

  const load = useCallback(async () => {
    const ticket = ++latest.current;
    const r = await backend.unfinishedRuns();
    if (ticket !== latest.current) return;
    if (r.status === "ok") {
      setRuns(r.data);
      setProblem(null);
    } else setProblem(r.error);
  }, [backend]);

  useEffect(() => {
    void load();
  }, [load]);

  const resume = async (u: UnfinishedView) => {
    setResuming(u);
    setReport(null);
    setUndoing(false);
    const done = await run.start((channel) => backend.resumeRun(u.runId, channel));
    setResuming(null);
    if (done) setReport(done);
    await load();
  };

  const discard = async (u: UnfinishedView) => {
    setProblem(null);
    const r = await backend.discardRun(u.runId);
    if (r.status === "error") setProblem(r.error);
    await load();
  };

  return (
    <div className={styles.list}>
      <ErrorBar problem={problem} title="The journal could not be read" />
      {(runs ?? []).map((u) => (
        <MessageBar key={u.runId} intent="warning" layout="multiline" data-testid="interrupted-run">
          <MessageBarBody>
            <MessageBarTitle>Interrupted: {u.title}</MessageBarTitle>
            {u.kind === "onboard" ? "Onboarding" : "Removal"} began <time dateTime={u.began}>{when(u.began)}</time>;{" "}
            {u.written} of {u.total} written before it stopped. Resuming plans the rest again, so nothing is written twice.
          </MessageBarBody>
          <MessageBarActions>
            <Button
              appearance="primary"
              data-testid={`resume-${u.runId}`}
              disabled={resuming !== null}
              onClick={() => void resume(u)}
            >
              Resume
            </Button>
            <Button data-testid={`discard-${u.runId}`} disabled={resuming !== null} onClick={() => void discard(u)}>
              Discard
            </Button>
          </MessageBarActions>
        </MessageBar>
      ))}
      {resuming && (
        <Spinner
          size="tiny"
          labelPosition="after"
          label={`Resuming ${resuming.title}… ${run.done} done`}
        />
      )}
      <ErrorBar problem={run.problem} title="The run could not be resumed" />
      {showEmpty && runs?.length === 0 && !problem && (
        <MessageBar intent="info" data-testid="no-interrupted">
          <MessageBarBody>
            <MessageBarTitle>No interrupted runs</MessageBarTitle>
            Every write Rolecall makes is journaled: if the app stops in the middle of a run, the run is offered here to
            finish or discard.
          </MessageBarBody>
        </MessageBar>
      )}
      {report && <RunReport report={report} onUndo={undoing ? undefined : () => setUndoing(true)} />}
      {report && undoing && (
        <UndoFlow key={report.id} prepare={() => backend.prepareUndo(report.id)} onClose={() => setUndoing(false)} />
      )}
    </div>
  );
}
