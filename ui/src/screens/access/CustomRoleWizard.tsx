import { useEffect, useMemo, useRef, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Radio,
  RadioGroup,
  SearchBox,
  Spinner,
  Switch,
  Tab,
  TabList,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { DraftCheckView, OperationView, RoleView, ScopeNode } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { useCommand, useDebouncedSearch } from "../../data/commands";
import type { ScreenProps } from "../../screens";
import { ScopePicker } from "../../components/ScopePicker";

const useStyles = makeStyles({
  wizard: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "720px" },
  list: { listStyleType: "none", margin: 0, padding: 0 },
  row: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalXXS} 0`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, wordBreak: "break-all" },
  json: { fontFamily: tokens.fontFamilyMonospace, minHeight: "320px" },
  nav: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center" },
  muted: { color: tokens.colorNeutralForeground3 },
});

type Block = { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] };
type DraftModel = { roleName: string; description: string; assignableScopes: string[]; permissions: Block[] };
type ListKey = keyof Block;

const EMPTY: DraftModel = {
  roleName: "",
  description: "",
  assignableScopes: [],
  permissions: [{ actions: [], notActions: [], dataActions: [], notDataActions: [] }],
};

const LISTS: { key: ListKey; label: string }[] = [
  { key: "actions", label: "Actions" },
  { key: "notActions", label: "Excluded actions (NotActions)" },
  { key: "dataActions", label: "Data actions" },
  { key: "notDataActions", label: "Excluded data actions (NotDataActions)" },
];

const toJson = (d: DraftModel) => JSON.stringify({ properties: d }, null, 2);

function fromJson(text: string): DraftModel {
  const value = JSON.parse(text) as { properties?: Partial<DraftModel> } & Partial<DraftModel>;
  const p = value.properties ?? value;
  const blocks = (p.permissions ?? []).map((b) => ({
    actions: b.actions ?? [],
    notActions: b.notActions ?? [],
    dataActions: b.dataActions ?? [],
    notDataActions: b.notDataActions ?? [],
  }));
  return {
    roleName: p.roleName ?? "",
    description: p.description ?? "",
    assignableScopes: p.assignableScopes ?? [],
    permissions: blocks.length ? blocks : EMPTY.permissions,
  };
}

type Step = "basics" | "permissions" | "scopes" | "json" | "review";
const STEPS: { id: Step; label: string }[] = [
  { id: "basics", label: "Basics" },
  { id: "permissions", label: "Permissions" },
  { id: "scopes", label: "Assignable scopes" },
  { id: "json", label: "JSON" },
  { id: "review", label: "Review + create" },
];

/**
 * The portal's custom role steps: start from a clone, from scratch or from
 * JSON; every change checked against the live catalogue and the admin's
 * rights before anything is written; then created and read back.
 */
/** The Custom roles screen: the wizard, whose "Assign it now" opens Role assignments. */
export function CustomRolesScreen({ onNavigate }: ScreenProps) {
  return <CustomRoleWizard onAssign={onNavigate && (() => onNavigate("roleAssignments"))} />;
}

export function CustomRoleWizard({ onAssign }: { onAssign?: () => void }) {
  const styles = useStyles();
  const [step, setStep] = useState<Step>("basics");
  const [draft, setDraft] = useState<DraftModel>(EMPTY);
  const [editing, setEditing] = useState("");
  const [problem, setProblem] = useState<Problem | null>(null);

  const index = STEPS.findIndex((s) => s.id === step);
  const next = STEPS[index + 1];
  return (
    <section className={styles.wizard} aria-label="Custom role">
      <TabList selectedValue={step} onTabSelect={(_, d) => setStep(d.value as Step)} aria-label="Steps">
        {STEPS.map((s) => (
          <Tab key={s.id} value={s.id}>
            {s.label}
          </Tab>
        ))}
      </TabList>
      <ErrorBar problem={problem} />
      {step === "basics" && (
        <Basics
          draft={draft}
          editing={editing}
          onDraft={(d, editingId) => {
            setDraft(d);
            setEditing(editingId);
            setProblem(null);
          }}
          onProblem={setProblem}
        />
      )}
      {step === "permissions" && <Permissions draft={draft} onDraft={setDraft} />}
      {step === "scopes" && (
        <ScopesStep scopes={draft.assignableScopes} onChange={(s) => setDraft({ ...draft, assignableScopes: s })} />
      )}
      {step === "json" && <JsonStep draft={draft} editing={editing} onDraft={setDraft} />}
      {step === "review" && <Review draft={draft} editing={editing} onAssign={onAssign} />}
      <div className={styles.nav}>
        {index > 0 && <Button onClick={() => setStep(STEPS[index - 1]!.id)}>Back</Button>}
        {next && (
          <Button appearance="primary" data-testid="next-step" onClick={() => setStep(next.id)}>
            Next: {next.label}
          </Button>
        )}
      </div>
    </section>
  );
}

function Basics({
  draft,
  editing,
  onDraft,
  onProblem,
}: {
  draft: DraftModel;
  editing: string;
  onDraft: (d: DraftModel, editing: string) => void;
  onProblem: (p: Problem | null) => void;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const [start, setStart] = useState<"clone" | "scratch" | "json" | "edit">("clone");
  const [subscription, setSubscription] = useState<string | null>(null);
  const [roles, setRoles] = useState<RoleView[] | null>(null);
  const [text, setText] = useState("");
  const [pasted, setPasted] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      const subs = await backend.listSubscriptions();
      if (subs.status !== "ok") return onProblem(subs.error);
      const first = subs.data.find((s) => s.detail === "Enabled") ?? subs.data[0];
      if (!first) return;
      setSubscription(first.id);
      const r = await backend.listRoles(first.id);
      if (r.status === "ok") setRoles(r.data);
      else onProblem(r.error);
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend]);

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (roles ?? [])
      .filter((r) => (start === "edit" ? r.custom : true))
      .filter((r) => !needle || r.name.toLowerCase().includes(needle))
      .slice(0, 30);
  }, [roles, text, start]);

  const take = async (role: RoleView, asEdit: boolean) => {
    if (!subscription) return;
    setBusy(true);
    const name = asEdit ? "" : draft.roleName.trim() || `${role.name} (custom)`;
    const r = await backend.roleDraft(subscription, role.id, name);
    setBusy(false);
    if (r.status === "ok") onDraft(fromJson(r.data), asEdit ? role.id : "");
    else onProblem(r.error);
  };

  const remove = async (role: RoleView) => {
    if (!subscription || !window.confirm(`Delete the custom role ${role.name}?`)) return;
    const r = await backend.deleteCustomRole(subscription, role.id);
    if (r.status === "ok") {
      setRoles((all) => (all ?? []).filter((x) => x.id !== role.id));
      onProblem(null);
    } else onProblem(r.error);
  };

  return (
    <div className={styles.column}>
      <RadioGroup value={start} onChange={(_, d) => setStart(d.value as typeof start)} aria-label="Start from" layout="horizontal">
        <Radio value="clone" label="Clone a role" />
        <Radio value="scratch" label="Start from scratch" />
        <Radio value="json" label="Start from JSON" />
        <Radio value="edit" label="Edit or delete a custom role" />
      </RadioGroup>
      <Field label="Custom role name" required>
        <Input
          data-testid="role-name"
          value={draft.roleName}
          onChange={(_, d) => onDraft({ ...draft, roleName: d.value }, editing)}
        />
      </Field>
      <Field label="Description">
        <Textarea value={draft.description} onChange={(_, d) => onDraft({ ...draft, description: d.value }, editing)} />
      </Field>
      {editing && (
        <MessageBar intent="info">
          <MessageBarBody>Editing the existing custom role: saving updates it in place.</MessageBarBody>
        </MessageBar>
      )}
      {(start === "clone" || start === "edit") && (
        <>
          <SearchBox
            aria-label="Search roles to start from"
            placeholder={start === "edit" ? "Search custom roles" : "Search roles to clone"}
            value={text}
            onChange={(_, d) => setText(d.value)}
          />
          {roles === null ? (
            <Spinner size="tiny" label="Loading roles…" />
          ) : (
            <ul className={styles.list} aria-label="Roles to start from">
              {shown.map((r) => (
                <li key={r.id} className={styles.row}>
                  <span>
                    <Text weight="semibold">{r.name}</Text> {r.custom && <Badge appearance="outline">Custom</Badge>}
                    <br />
                    <Caption1 className={styles.muted}>{r.description}</Caption1>
                  </span>
                  <span>
                    {start === "clone" ? (
                      <Button size="small" disabled={busy} data-testid={`clone-${r.name}`} onClick={() => void take(r, false)}>
                        Clone
                      </Button>
                    ) : (
                      <>
                        <Button size="small" disabled={busy} onClick={() => void take(r, true)}>
                          Edit
                        </Button>{" "}
                        <Button size="small" disabled={busy} onClick={() => void remove(r)}>
                          Delete
                        </Button>
                      </>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {start === "scratch" && (
        <Button onClick={() => onDraft({ ...EMPTY, roleName: draft.roleName, description: draft.description }, "")}>
          Start with no permissions
        </Button>
      )}
      {start === "json" && (
        <>
          <Field label="Paste the role's JSON (the portal's format)">
            <Textarea className={styles.json} value={pasted} onChange={(_, d) => setPasted(d.value)} />
          </Field>
          <Button
            onClick={() => {
              try {
                onDraft(fromJson(pasted), "");
              } catch (e) {
                onProblem({ kind: "InvalidInput", code: "InvalidJson", message: `The JSON does not parse: ${(e as Error).message}` });
              }
            }}
          >
            Use this JSON
          </Button>
        </>
      )}
    </div>
  );
}

function Permissions({ draft, onDraft }: { draft: DraftModel; onDraft: (d: DraftModel) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [text, setText] = useState("");
  const [data, setData] = useState(false);
  const [expanded, setExpanded] = useState<Record<string, string>>({});
  const block = draft.permissions[0]!;
  const search = useDebouncedSearch(text, (query) => backend.searchOperations(query, data), 200, [backend, data]);
  const found = search.results;

  const change = (key: ListKey, next: string[]) =>
    onDraft({ ...draft, permissions: [{ ...block, [key]: next }, ...draft.permissions.slice(1)] });
  const add = (key: ListKey, name: string) => {
    if (!block[key].some((a) => a.toLowerCase() === name.toLowerCase())) change(key, [...block[key], name]);
  };
  const expand = async (pattern: string, isData: boolean) => {
    const r = await backend.expandPattern(pattern, isData);
    if (r.status === "ok")
      setExpanded((e) => ({
        ...e,
        [pattern]: `${r.data.count} operation${r.data.count === 1 ? "" : "s"}${r.data.count ? `: ${r.data.sample.slice(0, 5).join(", ")}${r.data.count > 5 ? ", …" : ""}` : ""}`,
      }));
  };

  return (
    <div className={styles.column}>
      {LISTS.map(({ key, label }) => (
        <div key={key}>
          <Text weight="semibold">
            {label} ({block[key].length})
          </Text>
          <ul className={styles.list} aria-label={label}>
            {block[key].map((a) => (
              <li key={a} className={styles.row}>
                <span>
                  <span className={styles.code}>{a}</span>
                  {a.includes("*") && (
                    <>
                      <br />
                      {expanded[a] ? (
                        <Caption1 className={styles.muted}>Grants {expanded[a]}</Caption1>
                      ) : (
                        <Button size="small" appearance="transparent" onClick={() => void expand(a, key.toLowerCase().includes("data"))}>
                          What does {a} grant?
                        </Button>
                      )}
                    </>
                  )}
                </span>
                <Button size="small" aria-label={`Remove ${a}`} data-testid={`remove-${a}`} onClick={() => change(key, block[key].filter((x) => x !== a))}>
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ))}
      <Text weight="semibold">Add permissions</Text>
      <Switch checked={data} onChange={(_, d) => setData(d.checked)} label="Data actions" />
      <SearchBox
        aria-label="Search operations"
        data-testid="operation-search"
        placeholder="Search the provider-operations catalogue, e.g. communication email"
        value={text}
        onChange={(_, d) => setText(d.value)}
        style={{ width: "100%", maxWidth: "640px" }}
      />
      {found && <OperationRows label="Operations" ops={found} onAdd={add} />}
      <Text weight="semibold">Or browse by provider and resource type</Text>
      <Browse onAdd={add} />
    </div>
  );
}

/** Operations with Add and Exclude. */
function OperationRows({
  label,
  ops,
  onAdd,
}: {
  label: string;
  ops: OperationView[];
  onAdd: (key: ListKey, name: string) => void;
}) {
  const styles = useStyles();
  return (
    <ul className={styles.list} aria-label={label}>
      {ops.length === 0 && <Caption1>No operation matches.</Caption1>}
      {ops.map((o) => (
        <li key={o.name} className={styles.row}>
          <span>
            <span className={styles.code}>{o.name}</span>
            <br />
            <Caption1 className={styles.muted}>{o.displayName || o.description}</Caption1>
          </span>
          <span>
            <Button size="small" data-testid={`add-${o.name}`} onClick={() => onAdd(o.dataAction ? "dataActions" : "actions", o.name)}>
              Add
            </Button>{" "}
            <Button size="small" onClick={() => onAdd(o.dataAction ? "notDataActions" : "notActions", o.name)}>
              Exclude
            </Button>
          </span>
        </li>
      ))}
    </ul>
  );
}

const ALL_TYPES = "(all resource types)";
const OWN = "(the provider's own operations)";

/** Browse the catalogue: a provider, then one of its resource types. */
function Browse({ onAdd }: { onAdd: (key: ListKey, name: string) => void }) {
  const backend = useBackend();
  const [provider, setProvider] = useState("");
  const [type, setType] = useState(ALL_TYPES);
  const listed = useCommand(() => backend.listProviders(), [backend]);
  const operations = useCommand(
    () =>
      provider ? backend.providerOperations(provider, type === ALL_TYPES ? "" : type === OWN ? "-" : type) : null,
    [backend, provider, type],
  );
  const providers = listed.data;
  const ops = provider ? operations.data : null;

  const chosen = providers?.find((p) => p.namespace === provider);
  if (listed.error) return <ErrorBar problem={listed.error} title="The catalogue could not be read" />;
  if (!providers) return <Spinner size="tiny" label="Loading providers…" />;
  return (
    <div>
      <div style={{ display: "flex", gap: 12, flexWrap: "wrap" }}>
        <Dropdown
          aria-label="Provider"
          data-testid="provider"
          placeholder="Choose a provider"
          value={provider}
          selectedOptions={provider ? [provider] : []}
          onOptionSelect={(_, d) => {
            setProvider(d.optionValue ?? "");
            setType(ALL_TYPES);
          }}
        >
          {providers.map((p) => (
            <Option key={p.namespace} value={p.namespace} text={p.namespace}>
              {p.namespace} ({p.operations})
            </Option>
          ))}
        </Dropdown>
        {chosen && (
          <Dropdown
            aria-label="Resource type"
            value={type}
            selectedOptions={[type]}
            onOptionSelect={(_, d) => setType(d.optionValue ?? ALL_TYPES)}
          >
            {[ALL_TYPES, OWN, ...chosen.resourceTypes].map((t) => (
              <Option key={t} value={t}>
                {t}
              </Option>
            ))}
          </Dropdown>
        )}
      </div>
      {provider && ops && <OperationRows label={`Operations of ${provider}`} ops={ops} onAdd={onAdd} />}
    </div>
  );
}

function ScopesStep({ scopes, onChange }: { scopes: string[]; onChange: (s: string[]) => void }) {
  const selected: ScopeNode[] = scopes.map((id) => ({
    id,
    name: id.split("/").pop() ?? id,
    kind: id.toLowerCase().includes("/resourcegroups/") ? "ResourceGroup" : "Subscription",
    detail: "",
  }));
  return (
    <div>
      <Text>Where the role may be assigned. Your right to write roles is checked at each in Review + create.</Text>
      <ScopePicker selected={selected} onChange={(nodes) => onChange(nodes.map((n) => n.id))} />
    </div>
  );
}

function IssueList({ check }: { check: DraftCheckView }) {
  const styles = useStyles();
  if (check.issues.length === 0)
    return (
      <MessageBar intent="success" data-testid="draft-ok">
        <MessageBarBody>No issue: ARM would accept this role as it is.</MessageBarBody>
      </MessageBar>
    );
  return (
    <ul className={styles.list} aria-label="Issues" data-testid="draft-issues">
      {check.issues.map((i, n) => (
        <li key={n} className={styles.row}>
          <span>
            <Badge color={i.error ? "danger" : "warning"}>{i.error ? "Error" : "Warning"}</Badge>{" "}
            <span className={styles.code}>{i.field}</span>
            <br />
            <Text>{i.message}</Text>
          </span>
        </li>
      ))}
    </ul>
  );
}

function JsonStep({ draft, editing, onDraft }: { draft: DraftModel; editing: string; onDraft: (d: DraftModel) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [text, setText] = useState(() => toJson(draft));
  // Checked as it is typed; only the answer to the latest text counts.
  const checked = useDebouncedSearch(text, (json) => backend.checkRoleDraft(json, editing), 400, [backend, editing]);
  const check: DraftCheckView | null = checked.results;
  const checkedText = useRef("");
  useEffect(() => {
    if (check?.parsed && checkedText.current !== text) {
      try {
        onDraft(fromJson(text));
        checkedText.current = text;
      } catch {
        // Typed on since this answer: the next check brings the draft.
      }
    }
    // Only a new answer for the current text updates the draft.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [check]);

  return (
    <div className={styles.column}>
      <Field label="The role in the portal's JSON: edit it here; it is checked as you type">
        <Textarea data-testid="role-json" className={styles.json} value={text} onChange={(_, d) => setText(d.value)} />
      </Field>
      {check && <IssueList check={check} />}
    </div>
  );
}

function Review({ draft, editing, onAssign }: { draft: DraftModel; editing: string; onAssign?: () => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [check, setCheck] = useState<DraftCheckView | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [phase, setPhase] = useState<"checking" | "ready" | "saving" | "saved">("checking");
  const [saved, setSaved] = useState<RoleView | null>(null);
  const [usage, setUsage] = useState(0);

  useEffect(() => {
    if (!editing || !draft.assignableScopes[0]) return;
    void backend
      .customRoleUsage(draft.assignableScopes[0], editing)
      .then((r) => r.status === "ok" && setUsage(r.data));
  }, [backend, editing, draft.assignableScopes]);

  useEffect(() => {
    void (async () => {
      const r = await backend.checkRoleDraft(toJson(draft), editing);
      if (r.status === "ok") setCheck(r.data);
      else setProblem(r.error);
      setPhase("ready");
    })();
  }, [backend, draft, editing]);

  const save = async () => {
    setPhase("saving");
    const r = await backend.saveRoleDraft(toJson(draft), editing);
    if (r.status === "ok") {
      setSaved(r.data);
      setPhase("saved");
    } else {
      setProblem(r.error);
      setPhase("ready");
    }
  };

  const errors = check?.issues.filter((i) => i.error).length ?? 0;
  return (
    <div className={styles.column}>
      <Text>
        <Text weight="semibold">{draft.roleName || "(no name)"}</Text> — {draft.description}
      </Text>
      <Caption1 className={styles.muted}>Assignable at: {draft.assignableScopes.join(", ") || "nowhere yet"}</Caption1>
      {phase === "checking" && <Spinner size="small" label="Checking against the catalogue and your rights…" />}
      {check && check.inPlace && phase !== "saved" ? (
        <MessageBar intent="success" data-testid="role-in-place">
          <MessageBarBody>
            <MessageBarTitle>Already in place</MessageBarTitle>
            A custom role with this name, these permissions and these assignable scopes exists: there is nothing to
            write.
          </MessageBarBody>
        </MessageBar>
      ) : (
        check && (
          <>
            <Text>It grants {check.granted} operation{check.granted === 1 ? "" : "s"} of the catalogue.</Text>
            <IssueList check={check} />
          </>
        )
      )}
      {usage > 0 && phase !== "saved" && (
        <MessageBar intent="warning" data-testid="role-in-use">
          <MessageBarBody>
            <MessageBarTitle>
              Assigned {usage} time{usage === 1 ? "" : "s"}
            </MessageBarTitle>
            Saving changes the access of everyone who holds this role, wherever it is assigned.
          </MessageBarBody>
        </MessageBar>
      )}
      <ErrorBar problem={problem} />
      {phase === "saving" && <Spinner size="small" label="Writing, then waiting until ARM reads it back consistently…" />}
      {check?.inPlace && phase !== "saved" ? null : phase === "saved" && saved ? (
        <MessageBar intent="success" data-testid="role-saved">
          <MessageBarBody>
            <MessageBarTitle>{editing ? "Saved" : "Created"}</MessageBarTitle>
            {saved.name} is in place and ARM reads it back consistently.{" "}
            {onAssign && (
              <Button size="small" onClick={onAssign} data-testid="assign-now">
                Assign it now
              </Button>
            )}
          </MessageBarBody>
        </MessageBar>
      ) : (
        <div>
          <Button
            appearance="primary"
            data-testid="save-role"
            disabled={phase !== "ready" || !check || errors > 0}
            onClick={() => void save()}
          >
            {editing ? "Save" : "Create"}
          </Button>{" "}
          {errors > 0 && <Text>Fix the {errors} error{errors === 1 ? "" : "s"} first; nothing has been written.</Text>}
        </div>
      )}
    </div>
  );
}
