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
import type { RunReportView } from "../../bindings";
import { InterruptedRuns } from "./InterruptedRuns";
import { ReportExports, RunReport, when } from "./RunReport";
import { useSessionReports } from "./sessionReports";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  muted: { color: tokens.colorNeutralForeground3 },
});

function SessionReport({ report }: { report: RunReportView }) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const failed = [...report.roles, ...report.items].filter((i) => i.outcome.kind === "Failed" || i.outcome.kind === "Blocked").length;
  return (
    <Card data-testid="session-report">
      <CardHeader
        header={<Text weight="semibold">{report.title}</Text>}
        description={
          <Caption1 className={styles.muted}>
            Finished <time dateTime={report.finished}>{when(report.finished)}</time> by {report.by} ·{" "}
            {report.items.length} grant{report.items.length === 1 ? "" : "s"}
            {report.roles.length > 0 && `, ${report.roles.length} custom role${report.roles.length === 1 ? "" : "s"}`}{" "}
            {failed ? <Badge color="danger">{failed} did not succeed</Badge> : <Badge color="success">Succeeded</Badge>}
          </Caption1>
        }
      />
      {open ? <RunReport report={report} /> : <ReportExports report={report} />}
      <div>
        <Button appearance="transparent" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide details" : "Show details"}
        </Button>
      </div>
    </Card>
  );
}

/** Interrupted runs to resume or discard, and the reports of this session. */
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
    </div>
  );
}
