import { useCallback, useEffect, useRef, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
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
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwiseRegular } from "@fluentui/react-icons";
import type { CheckView, CommandError, ProposalView, RoleStepState } from "../../bindings";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { KIND_LABEL } from "../../components/MemberPicker";
import { ScopeName, TextWithScopes } from "../../components/ScopeName";
import { PimPolicies, PlanRows } from "../../components/PlanReview";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  permissions: { margin: 0, paddingLeft: tokens.spacingHorizontalL, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

const ROLE_STATE: Record<RoleStepState, { badge: string; color: "brand" | "success" | "warning" | "informative"; words: string }> = {
  toCreate: { badge: "To create", color: "brand", words: "Created first, then assigned; Rolecall waits until Azure reads it back." },
  inPlace: { badge: "Already in place", color: "success", words: "It exists exactly as the template has it; nothing is written." },
  toDeleteIfUnused: {
    badge: "To delete if unused",
    color: "warning",
    words: "Deleted after the removals, unless someone else still holds it.",
  },
  absent: { badge: "Not in the tenant", color: "informative", words: "It does not exist; nothing to delete." },
};

function Check({ check }: { check: CheckView }) {
  const blocker = check.level === "blocker";
  return (
    <MessageBar intent={blocker ? "error" : "warning"} layout="multiline" data-testid={blocker ? "check-blocker" : "check-warning"}>
      <MessageBarBody>
        <MessageBarTitle>{check.title}</MessageBarTitle>
        <TextWithScopes text={check.detail} />
      </MessageBarBody>
    </MessageBar>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Preflight and plan of a proposal, before anything is written: the checks
 * (blockers first), the custom roles, each grant against live state, what
 * the least set leaves out, and the one button that writes.
 */
export function ProposalReview({
  prepare,
  onApply,
}: {
  /** Asks the backend for the proposal (reads only); called again by "Check again". */
  prepare: () => Promise<Result<ProposalView>>;
  onApply: (proposal: ProposalView) => void;
}) {
  const styles = useStyles();
  const [proposal, setProposal] = useState<ProposalView | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [checking, setChecking] = useState(true);
  const latest = useRef(0);
  const prepareRef = useRef(prepare);
  prepareRef.current = prepare;

  const check = useCallback(async () => {
    const ticket = ++latest.current;
    setChecking(true);
    setProblem(null);
    const r = await prepareRef.current();
    if (ticket !== latest.current) return; // a newer check won
    if (r.status === "ok") setProposal(r.data);
    else {
      setProposal(null);
      setProblem(r.error);
    }
    setChecking(false);
  }, []);

  useEffect(() => {
    void check();
  }, [check]);

  const offboard = proposal?.kind === "offboard";
  const blockers = proposal?.checks.filter((c) => c.level === "blocker") ?? [];
  const warnings = proposal?.checks.filter((c) => c.level === "warning") ?? [];
  const rolesToWrite = proposal?.customRoles.filter((r) => r.state === (offboard ? "toDeleteIfUnused" : "toCreate")).length ?? 0;
  const grantsToWrite = proposal?.plan.items.filter((i) => i.state === (offboard ? "InPlace" : "ToCreate")).length ?? 0;
  // A removal's writes count grants only; a custom role left to delete (its grants gone already) is still work.
  const nothingToDo = !!proposal && proposal.writes === 0 && !(offboard && rolesToWrite > 0);
  const reason = !proposal
    ? ""
    : proposal.blocked
      ? `Nothing can be written while ${blockers.length === 1 ? "the blocker above stands" : `the ${blockers.length} blockers above stand`}: resolve ${blockers.length === 1 ? "it" : "them"}, then check again.`
      : nothingToDo
        ? offboard
          ? "Nothing to do: none of this access is held now."
          : "Nothing to do: everything is already in place."
        : "";

  return (
    <div className={styles.page}>
      <ErrorBar problem={problem} title="The review could not be made" />
      {checking && (
        <Spinner size="small" labelPosition="after" label="Checking your rights, the people and what already exists…" />
      )}
      {proposal && !checking && (
        <>
          <div className={styles.section}>
            <Title3 as="h2" data-testid="proposal-title">
              {proposal.title}
            </Title3>
            {proposal.members.length > 0 && (
              <Caption1 className={styles.muted}>
                For{" "}
                {proposal.members
                  .map((m) => `${m.displayName} (${m.label || KIND_LABEL[m.kind]}${m.detail ? `, ${m.detail}` : ""})`)
                  .join("; ")}
              </Caption1>
            )}
          </div>

          <section className={styles.section} aria-label="Checks">
            <Text weight="semibold">Checks</Text>
            {proposal.checks.length === 0 && (
              <MessageBar intent="success" data-testid="checks-passed">
                <MessageBarBody>
                  <MessageBarTitle>Nothing stands in the way</MessageBarTitle>
                  Your rights, the people and the tenant's limits allow all of it.
                </MessageBarBody>
              </MessageBar>
            )}
            {blockers.map((c, i) => (
              <Check key={`b${i}`} check={c} />
            ))}
            {warnings.map((c, i) => (
              <Check key={`w${i}`} check={c} />
            ))}
          </section>

          {proposal.customRoles.length > 0 && (
            <section className={styles.section} aria-label="Custom roles">
              <Text weight="semibold">Custom roles</Text>
              <Table aria-label="Custom roles" size="small">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell style={{ width: "60%" }}>Role</TableHeaderCell>
                    <TableHeaderCell>Now</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {proposal.customRoles.map((r) => (
                    <TableRow key={r.roleName} data-testid="custom-role-row">
                      <TableCell>
                        <Text weight="semibold">{r.roleName}</Text>
                        <Caption1 className={styles.muted} style={{ display: "block" }}>
                          Assignable at <ScopeName id={r.scope} />
                        </Caption1>
                        <ul className={styles.permissions} aria-label={`Permissions of ${r.roleName}`}>
                          {r.permissions.map((p) => (
                            <li key={p}>{p}</li>
                          ))}
                        </ul>
                        <Caption1 className={styles.muted}>{ROLE_STATE[r.state].words}</Caption1>
                      </TableCell>
                      <TableCell>
                        <Badge color={ROLE_STATE[r.state].color}>{ROLE_STATE[r.state].badge}</Badge>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </section>
          )}

          <section className={styles.section} aria-label="Grants">
            <Text weight="semibold">
              {offboard ? "Access" : "Grants"} ({proposal.plan.items.length})
            </Text>
            {proposal.plan.items.length === 0 ? (
              <Caption1 className={styles.muted}>No grant.</Caption1>
            ) : (
              <PlanRows items={proposal.plan.items} rows={{}} offboard={offboard} />
            )}
          </section>
          <PimPolicies policies={proposal.plan.policies} />

          {proposal.leftOut.length > 0 && (
            <section className={styles.section} aria-label="Left out">
              <Text weight="semibold">Left out (redundant)</Text>
              <Caption1 className={styles.muted}>
                {offboard
                  ? "Not part of this removal: the template never gives it alongside what else was chosen, which includes all of it."
                  : "Not granted: something else chosen already gives all of it."}
              </Caption1>
              <ul className={styles.list} data-testid="left-out">
                {proposal.leftOut.map((l) => (
                  <li key={l}>
                    <Text size={200}>
                      <TextWithScopes text={l} />
                    </Text>
                  </li>
                ))}
              </ul>
            </section>
          )}

          <div className={styles.actions}>
            <Button
              appearance="primary"
              data-testid="apply-proposal"
              disabled={proposal.blocked || nothingToDo}
              onClick={() => onApply(proposal)}
            >
              {offboard ? "Remove access" : "Apply"}
            </Button>
            <Button icon={<ArrowClockwiseRegular />} data-testid="recheck" onClick={() => void check()}>
              Check again
            </Button>
            {reason ? (
              <Text data-testid="apply-reason">{reason}</Text>
            ) : (
              <Text data-testid="apply-writes">
                {offboard
                  ? [rolesToWrite && plural(rolesToWrite, "custom role") + " to delete if unused", plural(grantsToWrite, "grant") + " to remove"]
                      .filter(Boolean)
                      .join(", ")
                  : [rolesToWrite && plural(rolesToWrite, "custom role") + " to create", plural(grantsToWrite, "grant") + " to create"]
                      .filter(Boolean)
                      .join(", ")}
                . Nothing is written until you click {offboard ? "Remove access" : "Apply"}.
              </Text>
            )}
          </div>
        </>
      )}
      {!proposal && !checking && problem && (
        <div className={styles.actions}>
          <Button icon={<ArrowClockwiseRegular />} data-testid="recheck" onClick={() => void check()}>
            Check again
          </Button>
        </div>
      )}
    </div>
  );
}
