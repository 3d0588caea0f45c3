import { useEffect, useMemo, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  SearchBox,
  Spinner,
  Text,
  Textarea,
} from "@fluentui/react-components";
import type { RoleView } from "../../../bindings";
import { useBackend } from "../../../backend";
import { type Problem } from "../../../components/ErrorBar";
import { useStyles } from "./styles";
import { EMPTY, fromJson, type DraftModel } from "./model";

export function Basics({
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
