import { useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Card,
  CardHeader,
  Text,
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowUndoRegular } from "@fluentui/react-icons";
import type { CommandError, ProposalView, RunReportView } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { FileButton } from "../../components/FileButton";
import { readFile } from "./files";
import { History } from "./History";
import { InterruptedRuns } from "./InterruptedRuns";
import { ReportExports, RunReport, UndoButton, canUndo, failed, when } from "./RunReport";
import { useSessionReports } from "./sessionReports";
import { UndoFlow, preparedOnce } from "./UndoRun";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

function SessionReport({ report }: { report: RunReportView }) {
  const styles = useStyles();
  const backend = useBackend();
  const [open, setOpen] = useState(false);
  const [undoing, setUndoing] = useState(false);
  const failures = [...report.roles, ...report.items].filter((i) => failed(i.outcome)).length;
  return (
    <Card data-testid="session-report">
      <CardHeader
        header={<Text weight="semibold">{report.title}</Text>}
        description={
          <Caption1 className={styles.muted}>
            Finished <time dateTime={report.finished}>{when(report.finished)}</time> by {report.by} ·{" "}
            {report.items.length} grant{report.items.length === 1 ? "" : "s"}
            {report.roles.length > 0 && `, ${report.roles.length} custom role${report.roles.length === 1 ? "" : "s"}`}{" "}
            {failures ? <Badge color="danger">{failures} did not succeed</Badge> : <Badge color="success">Succeeded</Badge>}
          </Caption1>
        }
      />
      {open ? <RunReport report={report} /> : <ReportExports report={report} />}
      <div className={styles.actions}>
        <Button appearance="transparent" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide details" : "Show details"}
        </Button>
        {canUndo(report) && !undoing && <UndoButton onUndo={() => setUndoing(true)} />}
      </div>
      {undoing && <UndoFlow prepare={() => backend.prepareUndo(report.id)} onClose={() => setUndoing(false)} />}
    </Card>
  );
}

/**
 * "Undo a past run…": a run's JSON report (the app's Export JSON, or
 * `rolecall-cli --report FILE.json`), checked, then the same review, run and
 * report as undoing a run of this session.
 */
function UndoFromFile() {
  const styles = useStyles();
  const backend = useBackend();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [undo, setUndo] = useState<{ key: number; name: string; prepare: () => Promise<Result<ProposalView>> } | null>(null);

  const choose = async (f: File) => {
    setProblem(null);
    setUndo(null);
    const read = await readFile(f);
    if ("problem" in read) {
      setProblem(read.problem);
      return;
    }
    const { text } = read;
    setBusy(true);
    const r = await backend.prepareUndoFile(text);
    setBusy(false);
    if (r.status === "error") {
      setProblem(r.error);
      return;
    }
    setUndo({ key: Date.now(), name: f.name, prepare: preparedOnce(r, () => backend.prepareUndoFile(text)) });
  };

  return (
    <div className={styles.section}>
      <div className={styles.actions}>
        <FileButton
          label="Undo a past run…"
          icon={<ArrowUndoRegular />}
          disabled={busy}
          accept=".json,application/json"
          fileLabel="JSON report of the run to undo"
          testId="undo-file"
          onFile={(f) => void choose(f)}
        />
        <Caption1 className={styles.muted}>
          A run's JSON report (Export JSON, or rolecall-cli --report FILE.json): what that run created and is still in
          place is removed, after you review it.
        </Caption1>
      </div>
      <ErrorBar problem={problem} title="The file could not be used" />
      {undo && (
        <>
          <Caption1 data-testid="undo-file-name">From {undo.name}</Caption1>
          <UndoFlow key={undo.key} prepare={undo.prepare} onClose={() => setUndo(null)} />
        </>
      )}
    </div>
  );
}

/**
 * Interrupted runs to resume or discard, the reports of this session, every
 * write from the journal, and undoing a past run from its report file.
 */
export function ActivityScreen() {
  const styles = useStyles();
  const reports = useSessionReports();
  return (
    <div className={styles.page}>
      <section className={styles.section} aria-label="Interrupted runs">
        <Title3 as="h2">Interrupted runs</Title3>
        <InterruptedRuns showEmpty />
      </section>
      <section className={styles.section} aria-label="This session">
        <Title3 as="h2">This session</Title3>
        {reports.length === 0 ? (
          <Caption1 className={styles.muted} data-testid="no-reports">
            No run has finished in this session yet. Reports of onboarding, offboarding and resumed runs appear here with
            Azure's request ids, ready to export.
          </Caption1>
        ) : (
          reports.map((r) => <SessionReport key={r.id} report={r} />)
        )}
      </section>
      <section className={styles.section} aria-label="Everything Rolecall wrote">
        <Title3 as="h2">Everything Rolecall wrote</Title3>
        <History />
      </section>
      <section className={styles.section} aria-label="Undo a past run">
        <Title3 as="h2">Undo a past run</Title3>
        <UndoFromFile />
      </section>
    </div>
  );
}
