import { useEffect, useMemo, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Tab,
  TabList,
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
import type { AppRoleHolderView, AppView, GrantView, MemberView, ProgressView_Deserialize } from "../../bindings";
import { useBackend } from "../../backend";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { useDebouncedSearch } from "../../data/commands";
import { MemberPicker } from "../../components/MemberPicker";
import { PlanReview } from "../../components/PlanReview";
import { useStepFocus } from "../../components/useStepFocus";

const useStyles = makeStyles({
  wizard: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  list: { listStyleType: "none", margin: 0, padding: 0 },
  row: { padding: `${tokens.spacingVerticalXS} 0`, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  nav: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center" },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Step = "app" | "roles" | "members" | "review" | "holders";

/** Find an enterprise application (pinned by application id), pick app roles and members, apply. */
export function AppRolesWizard() {
  const styles = useStyles();
  const backend = useBackend();
  const [step, setStep] = useState<Step>("app");
  const stepRef = useStepFocus<HTMLDivElement>(step);
  const [text, setText] = useState("");
  const [app, setApp] = useState<AppView | null>(null);
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const [members, setMembers] = useState<MemberView[]>([]);

  const search = useDebouncedSearch(text, (query) => backend.findApplications(query), 250, [backend]);
  const apps: AppView[] | null = search.results;
  const problem: Problem | null = search.error;

  const grants: GrantView[] = useMemo(
    () =>
      step !== "review" || !app
        ? []
        : app.appRoles
            .filter((r) => roleIds.includes(r.id))
            .flatMap((role) =>
              members.map(
                (member): GrantView => ({
                  type: "AppRole",
                  resourceId: app.id,
                  resourceName: app.displayName,
                  appId: app.appId,
                  appRoleId: role.id,
                  appRoleValue: role.value,
                  member,
                }),
              ),
            ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [step],
  );

  const ready: Record<Step, boolean> = {
    app: true,
    roles: !!app,
    members: !!app && roleIds.length > 0,
    review: !!app && roleIds.length > 0 && members.length > 0,
    holders: !!app,
  };

  return (
    <section className={styles.wizard} aria-label="Assign app roles">
      <TabList selectedValue={step} onTabSelect={(_, d) => setStep(d.value as Step)} aria-label="Steps">
        <Tab value="app">Application</Tab>
        <Tab value="roles" disabled={!ready.roles}>
          App roles
        </Tab>
        <Tab value="members" disabled={!ready.members}>
          Members
        </Tab>
        <Tab value="review" disabled={!ready.review}>
          Review + assign
        </Tab>
        <Tab value="holders" disabled={!ready.holders}>
          Current assignments
        </Tab>
      </TabList>
      <div ref={stepRef} tabIndex={-1} role="group" aria-label={`Step: ${step}`}>
      {step === "app" && (
        <div>
          <SearchBox
            aria-label="Application id or name"
            data-testid="app-search"
            style={{ width: "100%", maxWidth: "640px" }}
            placeholder="Application (client) id, e.g. 8502a0ec-c76d-412f-836c-398018e2312b, or a name"
            value={text}
            onChange={(_, d) => setText(d.value)}
          />
          <ErrorBar problem={problem} />
          {apps && (
            <ul className={styles.list} aria-label="Applications">
              {apps.length === 0 && <Caption1>No enterprise application matches.</Caption1>}
              {apps.map((a) => (
                <li key={a.id} className={styles.row}>
                  <Text weight="semibold">{a.displayName}</Text>{" "}
                  {app?.id === a.id && <Badge color="brand">Chosen</Badge>}
                  <br />
                  <Caption1 className={styles.muted}>
                    application id {a.appId} · {a.appRoles.length} app roles
                  </Caption1>
                  {a.warning && (
                    <MessageBar intent="warning" data-testid="app-warning">
                      <MessageBarBody>{a.warning}</MessageBarBody>
                    </MessageBar>
                  )}
                  <div>
                    <Button
                      aria-label={`Choose ${a.displayName} (${a.appId})`}
                      data-testid={`choose-${a.appId}`}
                      onClick={() => {
                        setApp(a);
                        setRoleIds([]);
                        setStep("roles");
                      }}
                    >
                      Choose
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {app && step !== "app" && (
        <Caption1 data-testid="chosen-app">
          <Text weight="semibold">{app.displayName}</Text> · application id {app.appId}
        </Caption1>
      )}
      {step === "roles" && app && (
        <ul className={styles.list} aria-label="App roles">
          {app.appRoles.map((r) => (
            <li key={r.id} className={styles.row}>
              <Checkbox
                data-testid={`approle-${r.value}`}
                checked={roleIds.includes(r.id)}
                onChange={(_, d) => setRoleIds(d.checked ? [...roleIds, r.id] : roleIds.filter((x) => x !== r.id))}
                label={
                  <span>
                    <Text weight="semibold">{r.value}</Text>
                    {r.displayName && r.displayName !== r.value ? ` — ${r.displayName}` : ""}
                  </span>
                }
              />
              <Caption1 className={styles.muted} style={{ display: "block", marginLeft: 32 }}>
                {r.description} · For {r.members}
              </Caption1>
            </li>
          ))}
        </ul>
      )}
      {step === "members" && <MemberPicker selected={members} onChange={setMembers} />}
      {step === "review" && <PlanReview grants={grants} />}
      {step === "holders" && app && <Holders app={app} />}
      </div>
      <div className={styles.nav}>
        {step === "roles" && (
          <Button appearance="primary" data-testid="next-step" disabled={!ready.members} onClick={() => setStep("members")}>
            Next: Members
          </Button>
        )}
        {step === "members" && (
          <Button appearance="primary" data-testid="next-step" disabled={!ready.review} onClick={() => setStep("review")}>
            Next: Review + assign
          </Button>
        )}
      </div>
    </section>
  );
}

/** Who holds the application's app roles, with removal. */
function Holders({ app }: { app: AppView }) {
  const backend = useBackend();
  const [holders, setHolders] = useState<AppRoleHolderView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [asking, setAsking] = useState<AppRoleHolderView | null>(null);

  const load = async () => {
    const r = await backend.listAppRoleHolders(app.id);
    if (r.status === "ok") setHolders(r.data);
    else setProblem(r.error);
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [app.id]);

  const remove = async (h: AppRoleHolderView) => {
    setAsking(null);
    setRemoving(h.id);
    const kind = h.principalType === "Group" ? "Group" : h.principalType === "ServicePrincipal" ? "ServicePrincipal" : "User";
    const grant: GrantView = {
      type: "AppRole",
      resourceId: app.id,
      resourceName: app.displayName,
      appId: app.appId,
      appRoleId: h.appRoleId,
      appRoleValue: h.appRoleValue,
      member: { id: h.principalId, kind, displayName: h.principalDisplayName, detail: "", warning: "", label: "" },
    };
    const planned = await backend.planRemoval([grant]);
    const r = planned.status === "ok" ? await backend.removePlanned(planned.data.id, new Channel<ProgressView_Deserialize>()) : planned;
    if (r.status === "error") setProblem(r.error);
    else if (r.data[0]?.kind === "Failed") setProblem({ kind: "Other", code: r.data[0].code, message: r.data[0].message });
    setRemoving(null);
    await load();
  };

  if (!holders) return problem ? <ErrorBar problem={problem} /> : <Spinner size="small" label="Loading assignments…" />;
  return (
    <>
      <ConfirmDialog
        open={asking !== null}
        title={`Remove ${asking?.appRoleValue ?? ""} from ${asking?.principalDisplayName ?? ""}?`}
        confirm="Remove the app role"
        onConfirm={() => asking && void remove(asking)}
        onCancel={() => setAsking(null)}
      >
        {asking?.principalDisplayName} loses {asking?.appRoleValue} in {app.displayName}; nothing else changes.
      </ConfirmDialog>
      <ErrorBar problem={problem} />
      <Table aria-label="Current assignments" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Member</TableHeaderCell>
            <TableHeaderCell>App role</TableHeaderCell>
            <TableHeaderCell>Remove</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {holders.map((h) => (
            <TableRow key={h.id}>
              <TableCell>
                {h.principalDisplayName} ({h.principalType})
              </TableCell>
              <TableCell>{h.appRoleValue}</TableCell>
              <TableCell>
                <Button
                  size="small"
                  disabled={removing === h.id}
                  aria-label={`Remove ${h.appRoleValue} from ${h.principalDisplayName}`}
                  onClick={() => setAsking(h)}
                >
                  Remove
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  );
}
