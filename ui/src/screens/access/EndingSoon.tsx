import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
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
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Channel } from "@tauri-apps/api/core";
import type { EndingView, OutcomeView, PlanView, ProgressView_Deserialize } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { KIND_LABEL } from "../../components/MemberPicker";
import { PimPolicies, PlanRows, rowOf, type Row } from "../../components/PlanReview";
import { ScopeName } from "../../components/ScopeName";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "end", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

const WITHIN = [7, 14, 30, 90];
const BY: { value: string; label: string }[] = [
  { value: "P30D", label: "30 days" },
  { value: "P90D", label: "90 days" },
  { value: "P180D", label: "180 days" },
  { value: "P365D", label: "1 year" },
];

const key = (e: EndingView) => `${e.grant.scope}|${e.grant.roleId}|${e.grant.member.id}|${e.grant.schedule?.eligible}`;

/**
 * Eligible and time-bound access that ends soon, soonest first, then what
 * Rolecall made that ended lately (from its journal: Azure lists it no more),
 * and extending or renewing it the way everything else is written: choose,
 * review (each in place or ended, the role's PIM settings checked), apply.
 */
export function EndingSoon() {
  const styles = useStyles();
  const backend = useBackend();
  const [days, setDays] = useState(30);
  const [rows, setRows] = useState<EndingView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [by, setBy] = useState("P90D");
  const [justification, setJustification] = useState("");
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [progress, setProgress] = useState<Record<number, Row>>({});
  const [outcomes, setOutcomes] = useState<OutcomeView[] | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    setRows(null);
    setProblem(null);
    const r = await backend.listExpiring(days);
    if (r.status === "ok") setRows(r.data);
    else setProblem(r.error);
  }, [backend, days]);
  useEffect(() => {
    void load();
  }, [load]);

  const review = async () => {
    setBusy(true);
    setOutcomes(null);
    setProgress({});
    const grants = (rows ?? []).filter((e) => chosen.has(key(e))).map((e) => e.grant);
    const r = await backend.planExtension(grants, by, justification);
    setBusy(false);
    if (r.status === "ok") setPlan(r.data);
    else setProblem(r.error);
  };

  const extend = async () => {
    if (!plan) return;
    setBusy(true);
    const channel = new Channel<ProgressView_Deserialize>();
    channel.onmessage = (p) => setProgress((current) => ({ ...current, [p.index]: rowOf(p.state, p.outcome) }));
    const r = await backend.extendPlanned(plan.id, channel);
    setBusy(false);
    if (r.status === "ok") {
      setOutcomes(r.data);
      setProgress(Object.fromEntries(r.data.map((o, i) => [i, { state: "done", outcome: o } as Row])));
      setChosen(new Set());
    } else setProblem(r.error);
  };

  const blocked = plan?.items.filter((i) => i.state === "Blocked").length ?? 0;
  const toExtend = plan?.items.filter((i) => i.state === "InPlace").length ?? 0;
  const toRenew = plan?.items.filter((i) => i.state === "ToCreate").length ?? 0;
  const applyLabel =
    toRenew === 0 ? `Extend (${toExtend})` : toExtend === 0 ? `Renew (${toRenew})` : `Extend ${toExtend} and renew ${toRenew}`;
  const ended = rows?.filter((e) => e.ended).length ?? 0;

  return (
    <div className={styles.page}>
      <div className={styles.toolbar}>
        <Field label="Ends within">
          <Dropdown
            aria-label="Ends within"
            data-testid="ending-within"
            value={`${days} days`}
            selectedOptions={[String(days)]}
            onOptionSelect={(_, d) => setDays(Number(d.optionValue ?? 30))}
          >
            {WITHIN.map((d) => (
              <Option key={d} value={String(d)}>{`${d} days`}</Option>
            ))}
          </Dropdown>
        </Field>
        <Button onClick={() => void load()}>Check again</Button>
      </div>
      <ErrorBar problem={problem} />
      {rows === null && !problem && <Spinner size="small" label="Reading PIM's schedules in every subscription…" />}
      {rows?.length === 0 && (
        <Caption1 className={styles.muted} data-testid="ending-none">
          Nothing eligible or time-bound ends within {days} days, and nothing Rolecall made ended in the last{" "}
          {Math.min(days, 30)} days.
        </Caption1>
      )}
      {ended > 0 && (
        <Caption1 className={styles.muted} data-testid="ended-note">
          {ended === 1 ? "One grant" : `${ended} grants`} Rolecall made ended in the last {Math.min(days, 30)} days (from
          its journal: Azure no longer lists them). PIM can renew what ended within 30 days.
        </Caption1>
      )}
      {rows && rows.length > 0 && (
        <Table aria-label="Access that ends soon or ended lately" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Choose</TableHeaderCell>
              <TableHeaderCell>Ends</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Member</TableHeaderCell>
              <TableHeaderCell>Scope</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((e) => (
              <TableRow key={key(e)} data-testid="ending-row">
                <TableCell>
                  <Checkbox
                    aria-label={`${e.ended ? "Renew" : "Extend"} ${e.grant.roleName} of ${e.grant.member.displayName}`}
                    data-testid={`extend-${e.grant.member.displayName}`}
                    checked={chosen.has(key(e))}
                    onChange={(_, d) => {
                      const next = new Set(chosen);
                      if (d.checked) next.add(key(e));
                      else next.delete(key(e));
                      setChosen(next);
                      setPlan(null);
                    }}
                  />
                </TableCell>
                <TableCell>
                  {e.ended ? (
                    <Badge appearance="tint" color="danger" size="small" data-testid="ended">
                      Ended {e.ends.slice(0, 10)}
                    </Badge>
                  ) : (
                    e.ends.slice(0, 10)
                  )}
                </TableCell>
                <TableCell>
                  {e.grant.roleName}{" "}
                  <Badge appearance="tint" size="small" color={e.grant.schedule?.eligible ? "informative" : "warning"}>
                    {e.grant.schedule?.eligible ? "Eligible" : "Active"}
                  </Badge>
                </TableCell>
                <TableCell>
                  <Text>{e.grant.member.displayName}</Text>{" "}
                  <Badge appearance="tint" size="small">
                    {KIND_LABEL[e.grant.member.kind]}
                  </Badge>
                </TableCell>
                <TableCell>
                  <ScopeName id={e.grant.scope} copy={false} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {chosen.size > 0 && !outcomes && (
        <div className={styles.toolbar}>
          <Field label="Extend or renew for, from today">
            <Dropdown
              aria-label="Extend or renew for, from today"
              data-testid="extend-by"
              value={BY.find((b) => b.value === by)?.label ?? by}
              selectedOptions={[by]}
              onOptionSelect={(_, d) => {
                setBy(d.optionValue ?? "P90D");
                setPlan(null);
              }}
            >
              {BY.map((b) => (
                <Option key={b.value} value={b.value}>
                  {b.label}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Justification" hint="PIM's settings may ask for one.">
            <Textarea value={justification} onChange={(_, d) => setJustification(d.value)} data-testid="extend-justification" />
          </Field>
          <Button appearance="primary" data-testid="review-extension" disabled={busy} onClick={() => void review()}>
            Review ({chosen.size})
          </Button>
        </div>
      )}
      {plan && (
        <>
          {blocked > 0 && (
            <MessageBar intent="warning" data-testid="extension-blocked">
              <MessageBarBody>{blocked} cannot be extended or renewed as asked; each row says why.</MessageBarBody>
            </MessageBar>
          )}
          <PlanRows items={plan.items} rows={progress} extension label="Review the extension" />
          <PimPolicies policies={plan.policies} />
          {!outcomes && (
            <div className={styles.toolbar}>
              <Button
                appearance="primary"
                data-testid="apply-extension"
                disabled={busy || toExtend + toRenew === 0}
                onClick={() => void extend()}
              >
                {applyLabel}
              </Button>
              {busy && <Spinner size="tiny" label="Writing…" />}
            </div>
          )}
          {outcomes && (
            <Text data-testid="extension-summary">
              {[
                ["extended", outcomes.filter((o) => o.kind === "Extended").length],
                ["renewed", outcomes.filter((o) => o.kind === "Renewed").length],
              ]
                .filter(([, n]) => n)
                .map(([what, n]) => `${n} ${what}`)
                .join(", ") || "None written"}{" "}
              of {outcomes.length}.
            </Text>
          )}
        </>
      )}
    </div>
  );
}
