import { useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Text,
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowDownloadRegular, ArrowUndoRegular, CopyRegular } from "@fluentui/react-icons";
import type { OutcomeView, ReportFormat, ReportItemView, RunReportView } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { OUTCOME_LABEL } from "../../components/PlanReview";
import { GrantText } from "../../components/ScopeName";

const useStyles = makeStyles({
  report: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  list: { listStyleType: "none", margin: 0, padding: 0 },
  item: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} 0`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  line: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  code: {
    margin: 0,
    padding: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
});

/** An ISO time as the admin's locale writes it (the text itself if it is not one). */
export function when(iso: string) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Only these did not succeed; everything else (Kept included) did. */
export const failed = (outcome: OutcomeView) => outcome.kind === "Failed" || outcome.kind === "Blocked";

/** The run created something (a grant or a custom role), so there is something to undo. */
export const canUndo = (report: RunReportView) =>
  report.items.some((i) => i.outcome.kind === "Created") || report.roles.some((r) => r.outcome.kind === "Created");

/** "Undo this run": removes what the run created, after a review. */
export function UndoButton({ onUndo, disabled }: { onUndo: () => void; disabled?: boolean }) {
  return (
    <Button icon={<ArrowUndoRegular />} data-testid="undo-run" disabled={disabled} onClick={onUndo}>
      Undo this run
    </Button>
  );
}

export function OutcomeBadge({ outcome }: { outcome: OutcomeView }) {
  const bad = failed(outcome);
  return (
    <Badge color={bad ? "danger" : outcome.kind === "Created" || outcome.kind === "Removed" ? "brand" : "success"}>
      {OUTCOME_LABEL[outcome.kind]}
    </Badge>
  );
}

/** What an outcome's badge does not say already. */
function OutcomeDetail({ outcome }: { outcome: OutcomeView }) {
  const styles = useStyles();
  const plain = ["Created.", "Removed.", "Already in place.", "Already gone."].includes(outcome.message);
  return (
    <>
      {!plain && outcome.message && (
        <Caption1 className={styles.muted}>
          {outcome.message}
          {outcome.code && ` (${outcome.code})`}
        </Caption1>
      )}
      {outcome.requestId && (
        <Caption1 className={styles.muted} data-testid="request-id">
          Azure request id <code>{outcome.requestId}</code>
        </Caption1>
      )}
    </>
  );
}

const copy = (text: string) => void navigator.clipboard?.writeText(text).catch(() => undefined);

/** The same grant with the Azure CLI, PowerShell and Bicep, for automation. */
function Snippets({ item }: { item: ReportItemView }) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  const forms: [string, string][] = [
    ["Azure CLI", item.az],
    ["PowerShell", item.powershell],
    ["Bicep", item.bicep],
  ];
  return (
    <div>
      <Button size="small" appearance="transparent" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "Hide" : "Same with az / PowerShell / Bicep"}
      </Button>
      {open &&
        forms.map(([name, text]) => (
          <div key={name}>
            <div className={styles.line}>
              <Caption1>{name}</Caption1>
              <Button size="small" appearance="subtle" icon={<CopyRegular />} aria-label={`Copy ${name}`} onClick={() => copy(text)} />
            </div>
            <pre className={styles.code} aria-label={name}>
              {text}
            </pre>
          </div>
        ))}
    </div>
  );
}

const FORMATS: { format: ReportFormat; label: string }[] = [
  { format: "markdown", label: "Markdown" },
  { format: "csv", label: "CSV" },
  { format: "json", label: "JSON" },
];

/** Export as Markdown, CSV or JSON, where the Save dialog says. */
export function ReportExports({ report }: { report: RunReportView }) {
  const styles = useStyles();
  const backend = useBackend();
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (format: ReportFormat) => {
    setBusy(true);
    setProblem(null);
    setSaved(null);
    const r = await backend.exportReport(report.id, format);
    setBusy(false);
    if (r.status === "ok") setSaved(r.data);
    else setProblem(r.error);
  };
  return (
    <>
      <div className={styles.actions}>
        {FORMATS.map(({ format, label }) => (
          <Button
            key={format}
            icon={<ArrowDownloadRegular />}
            disabled={busy}
            data-testid={`export-${format}`}
            onClick={() => void save(format)}
          >
            Export {label}…
          </Button>
        ))}
      </div>
      <ErrorBar problem={problem} title="The report could not be saved" />
      {saved && (
        <MessageBar intent="success" data-testid="report-saved">
          <MessageBarBody>
            <MessageBarTitle>Saved</MessageBarTitle>
            {saved}
          </MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

/**
 * What a run did: who, when, each custom role and grant with its outcome
 * and Azure's request id, the same grants as az / PowerShell / Bicep, and
 * exports.
 */
export function RunReport({
  report,
  onStartAnother,
  onSameForAnother,
  onCheckAgain,
  onUndo,
}: {
  report: RunReportView;
  onStartAnother?: () => void;
  /** The same template, tasks and inputs, for other people. */
  onSameForAnother?: () => void;
  /** Offered when something failed: plan again, so only what is missing is tried. */
  onCheckAgain?: () => void;
  /** Offered when the run created something: review removing it again. */
  onUndo?: () => void;
}) {
  const styles = useStyles();
  const failures = [...report.roles.map((r) => r.outcome), ...report.items.map((i) => i.outcome)].filter(failed).length;
  const undo = onUndo && canUndo(report);
  return (
    <section className={styles.report} data-testid="run-report" aria-label={`Report: ${report.title}`}>
      <div>
        <Title3 as="h2">{report.title}</Title3>
        <br />
        <Caption1 className={styles.muted}>
          By {report.by} · started <time dateTime={report.started}>{when(report.started)}</time> · finished{" "}
          <time dateTime={report.finished}>{when(report.finished)}</time> · run {report.runId}
        </Caption1>
      </div>
      {report.succeeded ? (
        <MessageBar intent="success" data-testid="report-succeeded">
          <MessageBarBody>
            <MessageBarTitle>Done</MessageBarTitle>
            Every item succeeded or was already as it should be.{" "}
            {report.kind === "offboard"
              ? "Removed access can keep working for up to ten minutes, until Azure's caches expire."
              : "New access can take up to ten minutes to take effect."}
          </MessageBarBody>
        </MessageBar>
      ) : (
        <MessageBar intent="warning" layout="multiline" data-testid="report-failed">
          <MessageBarBody>
            <MessageBarTitle>
              {failures} item{failures === 1 ? "" : "s"} did not succeed
            </MessageBarTitle>
            Each says why. Checking again plans everything anew, so only what is still missing is tried.
          </MessageBarBody>
          {onCheckAgain && (
            <MessageBarActions>
              <Button data-testid="retry-failed" onClick={onCheckAgain}>
                Check again
              </Button>
            </MessageBarActions>
          )}
        </MessageBar>
      )}
      {report.roles.length > 0 && (
        <div>
          <Text weight="semibold">Custom roles</Text>
          <ul className={styles.list} aria-label="Custom roles">
            {report.roles.map((r, i) => (
              <li key={i} className={styles.item} data-testid="report-role">
                <div className={styles.line}>
                  <Text>{r.roleName}</Text>
                  <OutcomeBadge outcome={r.outcome} />
                </div>
                <OutcomeDetail outcome={r.outcome} />
              </li>
            ))}
          </ul>
        </div>
      )}
      <div>
        <Text weight="semibold">Grants ({report.items.length})</Text>
        {report.items.length === 0 && (
          <Caption1 className={styles.muted} style={{ display: "block" }}>
            No grant was part of this run.
          </Caption1>
        )}
        <ul className={styles.list} aria-label="Grants">
          {report.items.map((item, i) => (
            <li key={i} className={styles.item} data-testid="report-item">
              <div className={styles.line}>
                <Text>
                  <GrantText grant={item.grant} />
                </Text>
                <OutcomeBadge outcome={item.outcome} />
              </div>
              <OutcomeDetail outcome={item.outcome} />
              <Snippets item={item} />
            </li>
          ))}
        </ul>
      </div>
      <ReportExports report={report} />
      {(onStartAnother || undo) && (
        <div className={styles.actions}>
          {onSameForAnother && (
            <Button appearance="primary" data-testid="same-for-another" onClick={onSameForAnother}>
              Same template for another person
            </Button>
          )}
          {onStartAnother && (
            <Button appearance={onSameForAnother ? "secondary" : "primary"} data-testid="start-another" onClick={onStartAnother}>
              Start another
            </Button>
          )}
          {undo && <UndoButton onUndo={onUndo} />}
        </div>
      )}
    </section>
  );
}
