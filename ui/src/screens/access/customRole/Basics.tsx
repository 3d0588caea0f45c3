import { useEffect, useState } from "react";
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
import type { CustomRoleView, RoleView } from "../../../bindings";
import { useBackend } from "../../../backend";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
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
  // Custom roles in every subscription: one assignable only in another
  // subscription than the first is not listed there.
  const [custom, setCustom] = useState<CustomRoleView[] | null>(null);
  const [deleting, setDeleting] = useState<CustomRoleView | null>(null);
  const [clonedFrom, setClonedFrom] = useState<string | null>(null);
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

  useEffect(() => {
    if (start !== "edit" || custom !== null) return;
    void backend.listCustomRoles().then((r) => {
      if (r.status === "ok") setCustom(r.data);
      else {
        setCustom([]);
        onProblem(r.error);
      }
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend, start, custom]);

  const needle = text.trim().toLowerCase();
  const matches = (name: string) => !needle || name.toLowerCase().includes(needle);
  const shown = (roles ?? []).filter((r) => matches(r.name)).slice(0, 30);
  const shownCustom = (custom ?? []).filter((c) => matches(c.role.name));

  /** `role`, read at `at`, as a draft: cloned under a new name, or itself to edit. */
  const take = async (role: RoleView, at: string | null, asEdit: boolean) => {
    if (!at) return;
    setBusy(true);
    const name = asEdit ? "" : draft.roleName.trim() || `${role.name} (custom)`;
    const r = await backend.roleDraft(at, role.id, name);
    setBusy(false);
    if (r.status !== "ok") return onProblem(r.error);
    const taken = fromJson(r.data);
    // A clone says what it is for in the admin's words, not the original's.
    if (!asEdit) {
      taken.description = draft.description;
      setClonedFrom(role.name);
    } else setClonedFrom(null);
    onDraft(taken, asEdit ? role.id : "");
  };

  const remove = async (c: CustomRoleView) => {
    setDeleting(null);
    setBusy(true);
    const r = await backend.deleteCustomRole(c.subscription, c.role.id);
    setBusy(false);
    if (r.status === "ok") {
      setCustom((all) => (all ?? []).filter((x) => x.role.id !== c.role.id));
      setRoles((all) => (all ?? []).filter((x) => x.id !== c.role.id));
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
      {clonedFrom && !editing && (
        <MessageBar intent="info" data-testid="cloned-from">
          <MessageBarBody>
            Cloned from {clonedFrom}: its permissions are the starting point; say what this role is for in the description.
          </MessageBarBody>
        </MessageBar>
      )}
      {editing && (
        <MessageBar intent="info">
          <MessageBarBody>Editing the existing custom role: saving updates it in place.</MessageBarBody>
        </MessageBar>
      )}
      {(start === "clone" || start === "edit") && (
        <SearchBox
          aria-label="Search roles to start from"
          placeholder={start === "edit" ? "Search custom roles" : "Search roles to clone"}
          value={text}
          onChange={(_, d) => setText(d.value)}
        />
      )}
      {start === "clone" &&
        (roles === null ? (
          <Spinner size="tiny" label="Loading roles…" />
        ) : (
          <ul className={styles.list} aria-label="Roles to start from">
            {shown.length === 0 && <Caption1 data-testid="no-roles">No role matches “{text.trim()}”.</Caption1>}
            {shown.map((r) => (
              <li key={r.id} className={styles.row}>
                <span>
                  <Text weight="semibold">{r.name}</Text> {r.custom && <Badge appearance="outline">Custom</Badge>}
                  <br />
                  <Caption1 className={styles.muted}>{r.description}</Caption1>
                </span>
                <Button size="small" disabled={busy} data-testid={`clone-${r.name}`} onClick={() => void take(r, subscription, false)}>
                  Clone
                </Button>
              </li>
            ))}
          </ul>
        ))}
      {start === "edit" &&
        (custom === null ? (
          <Spinner size="tiny" label="Loading the custom roles of every subscription…" />
        ) : (
          <ul className={styles.list} aria-label="Roles to start from">
            {shownCustom.length === 0 && (
              <Caption1 data-testid="no-roles">
                {custom.length === 0
                  ? "There is no custom role in the subscriptions you can see. Clone a role, or start from scratch or from JSON, to make one."
                  : `No custom role matches “${text.trim()}”.`}
              </Caption1>
            )}
            {shownCustom.map((c) => (
              <li key={c.role.id} className={styles.row}>
                <span>
                  <Text weight="semibold">{c.role.name}</Text>
                  <br />
                  <Caption1 className={styles.muted}>
                    {c.role.description ? `${c.role.description} · ` : ""}
                    {c.subscriptionName || c.subscription}
                  </Caption1>
                </span>
                <span>
                  <Button size="small" disabled={busy} data-testid={`edit-${c.role.name}`} onClick={() => void take(c.role, c.subscription, true)}>
                    Edit
                  </Button>{" "}
                  <Button size="small" disabled={busy} data-testid={`delete-${c.role.name}`} onClick={() => setDeleting(c)}>
                    Delete
                  </Button>
                </span>
              </li>
            ))}
          </ul>
        ))}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete the custom role ${deleting?.role.name ?? ""}?`}
        confirm="Delete the role"
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(null)}
      >
        It is deleted from {deleting?.subscriptionName || deleting?.subscription}. Azure refuses while anyone still holds it; nothing else
        changes.
      </ConfirmDialog>
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
