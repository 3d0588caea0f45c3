import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
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
import type {
  GrantView,
  OutcomeKind,
  OutcomeView,
  PlanItemView,
  PlanView,
  PolicyView,
  ProgressState,
  ProgressView_Deserialize,
} from "../bindings";
import { useBackend } from "../backend";
import { ErrorBar, type Problem } from "./ErrorBar";
import { GrantText, ScopeName, TextWithScopes } from "./ScopeName";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center" },
  reason: { color: tokens.colorNeutralForeground3, display: "block" },
  policies: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  policyList: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
});

export type Row = { state: "idle" | "running" | "waiting" | "waitingPim" | "done"; outcome?: OutcomeView };

/**
 * The role's PIM settings at each scope, as the preflight read them: the
 * longest assignment, whether an end is required, what activating asks.
 */
export function PimPolicies({ policies }: { policies: PolicyView[] }) {
  const styles = useStyles();
  if (policies.length === 0) return null;
  return (
    <section className={styles.policies} aria-label="PIM settings" data-testid="pim-policies">
      <Text weight="semibold">PIM settings checked</Text>
      <ul className={styles.policyList}>
        {policies.map((p) => (
          <li key={`${p.scope}|${p.roleName}|${p.eligible}`} data-testid="pim-policy">
            <Text size={200}>
              <Text size={200} weight="semibold">
                {p.roleName}
              </Text>{" "}
              at <ScopeName id={p.scope} copy={false} />: {p.summary}
            </Text>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * A grant's state before applying, in words; offboarding reads them as what
 * is removed, an extension as what is extended (in place) or renewed (ended).
 */
export function planBadge(item: PlanItemView, offboard = false, extension = false) {
  switch (item.state) {
    case "ToCreate":
      if (extension) return <Badge color="brand">Ended: to renew</Badge>;
      return offboard ? <Badge color="informative">Not held</Badge> : <Badge color="brand">To create</Badge>;
    case "InPlace":
      if (extension) return <Badge color="brand">To extend</Badge>;
      return offboard ? <Badge color="warning">To remove</Badge> : <Badge color="success">Already in place</Badge>;
    case "Inherited":
      return offboard ? <Badge color="informative">Held above (stays)</Badge> : <Badge color="success">Inherited</Badge>;
    case "Covered":
      return offboard ? <Badge color="informative">Not held</Badge> : <Badge color="success">Covered</Badge>;
    case "Blocked":
      return <Badge color="danger">Blocked</Badge>;
    case "Kept":
      return <Badge color="informative">Kept (not made by that run)</Badge>;
  }
}

export const OUTCOME_LABEL: Record<OutcomeKind, string> = {
  Created: "Created",
  AlreadyInPlace: "Already in place",
  Inherited: "Inherited",
  Covered: "Covered",
  Removed: "Removed",
  Extended: "Extended",
  Renewed: "Renewed",
  Kept: "Kept",
  AlreadyGone: "Already gone",
  Blocked: "Blocked",
  Failed: "Failed",
};

export function outcomeBadge(row: Row | undefined) {
  if (!row || row.state === "idle") return null;
  if (row.state === "running") return <Spinner size="extra-tiny" label="Applying…" />;
  if (row.state === "waiting") return <Spinner size="extra-tiny" label="Waiting for the directory to replicate…" />;
  if (row.state === "waitingPim")
    return <Spinner size="extra-tiny" label="PIM removes nothing within 5 minutes of making it: waiting…" />;
  const o = row.outcome!;
  const color = o.kind === "Failed" || o.kind === "Blocked" ? "danger" : "success";
  return <Badge color={color}>{OUTCOME_LABEL[o.kind]}</Badge>;
}

/** A progress message as a row's state. */
export const rowOf = (state: ProgressState, outcome?: OutcomeView | null): Row => ({
  state: { Running: "running", WaitingForReplication: "waiting", WaitingForPim: "waitingPim", Done: "done" }[state] as Row["state"],
  outcome: outcome ?? undefined,
});

/** The plan's grants: each with what exists now and, while applying, its result. */
export function PlanRows({
  items,
  rows,
  offboard = false,
  extension = false,
  label = "Review",
}: {
  items: PlanItemView[];
  rows: Record<number, Row>;
  offboard?: boolean;
  /** The plan extends what is in place and renews what ended. */
  extension?: boolean;
  label?: string;
}) {
  const styles = useStyles();
  return (
    <Table aria-label={label} size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell style={{ width: "60%" }}>Grant</TableHeaderCell>
          <TableHeaderCell>Now</TableHeaderCell>
          <TableHeaderCell>Result</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((item, i) => (
          <TableRow key={i} data-testid="plan-row">
            <TableCell>
              <Text>
                <GrantText grant={item.grant} />
              </Text>
              {item.detail && (
                <Text size={200} className={styles.reason}>
                  {item.state === "Inherited" ? (
                    <>
                      From <ScopeName id={item.detail} />
                    </>
                  ) : (
                    <TextWithScopes text={item.detail} />
                  )}
                </Text>
              )}
              {rows[i]?.outcome?.kind === "Failed" && (
                <Text size={200} className={styles.reason}>
                  {rows[i]!.outcome!.message}
                </Text>
              )}
            </TableCell>
            <TableCell>{planBadge(item, offboard, extension)}</TableCell>
            <TableCell>{outcomeBadge(rows[i])}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * Review + apply: each grant against live state (and the admin's rights),
 * then applied with per-item progress; failures can be retried.
 */
export function PlanReview({ grants, verb = "Assign" }: { grants: GrantView[]; verb?: string }) {
  const styles = useStyles();
  const backend = useBackend();
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [rows, setRows] = useState<Record<number, Row>>({});
  const [phase, setPhase] = useState<"checking" | "review" | "applying" | "done">("checking");

  const check = useCallback(
    async (which: GrantView[]) => {
      setPhase("checking");
      setRows({});
      setProblem(null);
      const r = await backend.planGrants(which);
      if (r.status === "ok") {
        setPlan(r.data);
        setPhase("review");
      } else {
        setProblem(r.error);
        setPhase("review");
      }
    },
    [backend],
  );

  useEffect(() => {
    void check(grants);
  }, [grants, check]);

  const apply = async () => {
    if (!plan) return;
    setPhase("applying");
    const channel = new Channel<ProgressView_Deserialize>();
    channel.onmessage = (p) => setRows((current) => ({ ...current, [p.index]: rowOf(p.state, p.outcome) }));
    const r = await backend.applyPlan(plan.id, channel);
    if (r.status === "ok") {
      setRows(Object.fromEntries(r.data.map((outcome, i) => [i, { state: "done" as const, outcome }])));
    } else {
      setProblem(r.error);
    }
    setPhase("done");
  };

  const failed =
    plan && phase === "done"
      ? plan.items.filter((_, i) => rows[i]?.outcome?.kind === "Failed").map((item) => item.grant)
      : [];
  const toCreate = plan?.items.filter((i) => i.state === "ToCreate").length ?? 0;
  const blocked = plan?.items.filter((i) => i.state === "Blocked").length ?? 0;
  const made = Object.values(rows).filter((r) => r.outcome && ["Created", "AlreadyInPlace", "Inherited", "Covered"].includes(r.outcome.kind)).length;

  return (
    <div className={styles.page}>
      <ErrorBar problem={problem} />
      {phase === "checking" && <Spinner size="small" label="Checking your rights and what already exists…" />}
      {plan && phase !== "checking" && (
        <>
          {blocked > 0 && (
            <MessageBar intent="warning" data-testid="blocked-summary">
              <MessageBarBody>
                <MessageBarTitle>
                  {blocked} of {plan.items.length} cannot be made with your rights
                </MessageBarTitle>
                Nothing is tried for them; each row says which right is missing and who can help.
              </MessageBarBody>
            </MessageBar>
          )}
          {toCreate === 0 && blocked === 0 && phase === "review" && (
            <MessageBar intent="success" data-testid="all-in-place">
              <MessageBarBody>
                <MessageBarTitle>Already in place</MessageBarTitle>
                Every grant exists already; there is nothing to do.
              </MessageBarBody>
            </MessageBar>
          )}
          <PlanRows items={plan.items} rows={rows} />
          <PimPolicies policies={plan.policies} />
          <div className={styles.actions}>
            {phase === "review" && (
              <Button appearance="primary" data-testid="apply" disabled={toCreate === 0} onClick={() => void apply()}>
                {verb} {toCreate > 0 ? `(${toCreate})` : ""}
              </Button>
            )}
            {phase === "applying" && <Spinner size="tiny" label="Applying…" />}
            {phase === "done" && (
              <Text data-testid="apply-summary">
                {made} of {plan.items.length} in place
                {failed.length > 0 ? `, ${failed.length} failed` : ""}.
              </Text>
            )}
            {failed.length > 0 && <Button onClick={() => void check(failed)}>Retry failed</Button>}
            {phase === "done" && failed.length === 0 && (
              <Button onClick={() => void check(grants)}>Check again</Button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
