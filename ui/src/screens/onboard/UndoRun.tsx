import { useState } from "react";
import { Button, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { CommandError, ProposalView, RunReportView } from "../../bindings";
import { useBackend } from "../../backend";
import { ProposalReview } from "./ProposalReview";
import { RunProgress, useRun } from "./RunProgress";
import { RunReport } from "./RunReport";

const useStyles = makeStyles({
  flow: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };
type Step = "review" | "apply" | "report";

/**
 * Undoing a run: the proposal removing what it created (`prepareUndo`,
 * `prepareUndoFile`), reviewed, then carried out with progress and
 * reported, as offboarding is in the wizard.
 */
export function UndoFlow({ prepare, onClose }: { prepare: () => Promise<Result<ProposalView>>; onClose?: () => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [step, setStep] = useState<Step>("review");
  const [reviewKey, setReviewKey] = useState(0);
  const [proposal, setProposal] = useState<ProposalView | null>(null);
  const [report, setReport] = useState<RunReportView | null>(null);
  const run = useRun();

  const review = () => {
    setReviewKey((k) => k + 1);
    setStep("review");
  };

  const apply = async (p: ProposalView) => {
    setProposal(p);
    setReport(null);
    setStep("apply");
    const done = await run.start((channel) => backend.runProposal(p.id, channel));
    if (done) {
      setReport(done);
      setStep("report");
    }
  };

  return (
    <section className={styles.flow} data-testid="undo-flow" aria-label="Undo a run">
      {step === "review" && (
        <>
          <Caption1 className={styles.muted}>
            Only what that run created and is still in place is removed; access that was there before it stays.
          </Caption1>
          <ProposalReview key={reviewKey} prepare={prepare} onApply={(p) => void apply(p)} />
        </>
      )}
      {step === "apply" && proposal && (
        <>
          <RunProgress proposal={proposal} run={run} />
          {!run.running && run.problem && (
            <div className={styles.actions}>
              <Button onClick={review}>Back to the review</Button>
            </div>
          )}
        </>
      )}
      {step === "report" && report && <RunReport report={report} onCheckAgain={review} />}
      {onClose && !run.running && (
        <div className={styles.actions}>
          <Button data-testid="close-undo" onClick={onClose}>
            {step === "report" ? "Close" : "Cancel"}
          </Button>
        </div>
      )}
    </section>
  );
}

/**
 * A proposal function that answers the first time with a result already
 * fetched (a file checked before the review opens) and asks again after.
 */
export function preparedOnce(
  first: Result<ProposalView>,
  again: () => Promise<Result<ProposalView>>,
): () => Promise<Result<ProposalView>> {
  let pending: Result<ProposalView> | null = first;
  return () => {
    if (pending) {
      const r = pending;
      pending = null;
      return Promise.resolve(r);
    }
    return again();
  };
}
