import { useEffect, useMemo, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  SearchBox,
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
import type { AssignmentView, ExportFormat, GrantView, ProgressView_Deserialize, ScopeNode } from "../../bindings";
import { useBackend } from "../../backend";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { activeAccount, useSessionIfAny } from "../../session";
import { KIND_LABEL } from "../../components/MemberPicker";
import { ScopeName } from "../../components/ScopeName";
import { ScopePicker } from "../../components/ScopePicker";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  toolbar: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: "anywhere" },
});

/** "Eligible · ends 2027-03-07", "Activated · ends 14:30 UTC", "Active · ends 2027-01-05". */
export function holdingWords(a: Pick<AssignmentView, "holding" | "ends">): string {
  const kind = { Active: "Active", Eligible: "Eligible", Activated: "Activated" }[a.holding];
  if (!a.ends) return `${kind} · permanent`;
  const end = new Date(a.ends);
  if (Number.isNaN(end.getTime())) return `${kind} · ends ${a.ends}`;
  const soon = end.getTime() - Date.now() < 24 * 3600 * 1000;
  const when = soon ? `${end.toISOString().slice(11, 16)} UTC` : end.toISOString().slice(0, 10);
  return `${kind} · ends ${when}`;
}

/**
 * What applies at a scope: made there or inherited, with names; deleted
 * members flagged; filter, remove with confirmation, export.
 */
export function AssignmentsView() {
  const styles = useStyles();
  const backend = useBackend();
  const [picked, setPicked] = useState<ScopeNode[]>([]);
  const scope = picked[picked.length - 1];
  const [rows, setRows] = useState<AssignmentView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [filter, setFilter] = useState("");
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [asking, setAsking] = useState<AssignmentView | null>(null);
  const me = activeAccount(useSessionIfAny()?.session ?? null)?.account;
  /** The signed-in admin's own assignment (a user's, by their sign-in name). */
  const isMine = (a: AssignmentView) =>
    !!me && a.member.kind === "User" && a.member.detail.toLowerCase() === me.username.toLowerCase();

  const load = async (at: ScopeNode) => {
    setRows(null);
    setProblem(null);
    const r = await backend.listRoleAssignments(at.id);
    if (r.status === "ok") setRows(r.data);
    else setProblem(r.error);
  };
  useEffect(() => {
    if (scope) void load(scope);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scope?.id]);

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (rows ?? []).filter(
      (a) =>
        !needle ||
        a.roleName.toLowerCase().includes(needle) ||
        a.member.displayName.toLowerCase().includes(needle) ||
        a.member.detail.toLowerCase().includes(needle),
    );
  }, [rows, filter]);

  const remove = async (a: AssignmentView) => {
    setAsking(null);
    setBusy(a.id);
    // An eligibility, or an active assignment that ends, is removed through
    // PIM (AdminRemove); a standing one by deleting the role assignment.
    const grant: GrantView = {
      type: "AzureRole",
      scope: a.scope,
      roleId: a.roleId,
      roleName: a.roleName,
      member: a.member,
      description: "",
      ...((a.holding === "Eligible" || a.ends) && {
        schedule: { eligible: a.holding === "Eligible", duration: "", until: a.ends, justification: "", ticket: "" },
      }),
    };
    // The backend plans the removal against live state and keeps it; only
    // that plan's id comes back to be carried out.
    const planned = await backend.planRemoval([grant]);
    const r = planned.status === "ok" ? await backend.removePlanned(planned.data.id, new Channel<ProgressView_Deserialize>()) : planned;
    setBusy(null);
    if (r.status === "error") setProblem(r.error);
    else if (r.data[0]?.kind === "Failed") setProblem({ kind: "Other", code: r.data[0].code, message: r.data[0].message });
    if (scope) await load(scope);
  };

  const exportAs = async (format: ExportFormat) => {
    if (!scope) return;
    const r = await backend.exportRoleAssignments(scope.id, format);
    if (r.status === "ok") setSaved(r.data);
    else setProblem(r.error);
  };

  return (
    <div className={styles.page}>
      <Text>Choose the scope to look at (the last one ticked is shown).</Text>
      <ScopePicker selected={picked} onChange={setPicked} />
      {scope && (
        <>
          <div className={styles.toolbar}>
            <Text weight="semibold">At {scope.name}</Text>
            <SearchBox
              aria-label="Filter assignments"
              placeholder="Filter by role or member"
              value={filter}
              onChange={(_, d) => setFilter(d.value)}
            />
            <Button data-testid="export-Csv" onClick={() => void exportAs("Csv")}>Export CSV…</Button>
            <Button data-testid="export-Json" onClick={() => void exportAs("Json")}>Export JSON…</Button>
          </div>
          {saved && (
            <MessageBar intent="success" data-testid="export-saved">
              <MessageBarBody>Saved to {saved}</MessageBarBody>
            </MessageBar>
          )}
          <ErrorBar problem={problem} />
          {rows === null && !problem ? (
            <Spinner size="small" label="Loading role assignments…" />
          ) : (
            <Table aria-label="Role assignments at this scope" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Role</TableHeaderCell>
                  <TableHeaderCell>Member</TableHeaderCell>
                  <TableHeaderCell>Scope</TableHeaderCell>
                  <TableHeaderCell>Remove</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {shown.map((a) => (
                  <TableRow key={a.id} data-testid="assignment-row">
                    <TableCell>
                      {a.roleName || a.roleId}
                      {(a.holding !== "Active" || a.ends) && (
                        <>
                          <br />
                          <Badge
                            appearance="tint"
                            size="small"
                            color={a.holding === "Eligible" ? "informative" : "warning"}
                            data-testid="assignment-holding"
                          >
                            {holdingWords(a)}
                          </Badge>
                        </>
                      )}
                    </TableCell>
                    <TableCell>
                      <Text>{a.member.displayName}</Text>{" "}
                      <Badge appearance="tint" size="small">
                        {KIND_LABEL[a.member.kind]}
                      </Badge>{" "}
                      {a.orphaned && (
                        <Badge color="warning" size="small">
                          Orphaned
                        </Badge>
                      )}
                      <br />
                      <Caption1 className={styles.muted}>{a.orphaned ? a.member.warning : a.member.detail}</Caption1>
                    </TableCell>
                    <TableCell>
                      {a.inherited ? (
                        <>
                          <Badge appearance="outline">Inherited</Badge>
                          <br />
                          <Caption1 className={styles.muted}>
                            <ScopeName id={a.scope} />
                          </Caption1>
                        </>
                      ) : (
                        <Badge appearance="tint">This scope</Badge>
                      )}
                    </TableCell>
                    <TableCell>
                      <Button
                        size="small"
                        disabled={busy === a.id || a.holding === "Activated"}
                        title={a.holding === "Activated" ? "An activation ends by itself; remove the eligibility it comes from to stop the next one." : undefined}
                        aria-label={`Remove ${a.roleName} from ${a.member.displayName}`}
                        onClick={() => setAsking(a)}
                      >
                        Remove
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
      <ConfirmDialog
        open={asking !== null}
        title={`Remove ${asking?.roleName || asking?.roleId || ""} from ${asking?.member.displayName ?? ""}?`}
        confirm="Remove the assignment"
        onConfirm={() => asking && void remove(asking)}
        onCancel={() => setAsking(null)}
      >
        {asking?.inherited && (
          <Text as="p">
            It was made at <ScopeName id={asking.scope} copy={false} />, a parent of this scope: it is removed there,
            for everything below it too.
          </Text>
        )}
        {asking && isMine(asking) && asking.managesAccess && (
          <MessageBar intent="warning" data-testid="removing-own-access">
            <MessageBarBody>
              This is your own {asking.roleName}: it is what lets you manage access here. Once it is gone you may not be
              able to give it back or change anyone's access at this scope; make sure someone else can.
            </MessageBarBody>
          </MessageBar>
        )}
        <Text as="p">Nothing else changes; the removal is recorded in the journal.</Text>
      </ConfirmDialog>
    </div>
  );
}
