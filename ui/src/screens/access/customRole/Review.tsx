import { useEffect, useState } from "react";
import {
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
} from "@fluentui/react-components";
import type { DraftCheckView, RoleView, ScopeNode } from "../../../bindings";
import { useBackend } from "../../../backend";
import { ErrorBar, type Problem } from "../../../components/ErrorBar";
import { ScopeName } from "../../../components/ScopeName";
import { useStyles } from "./styles";
import { toJson, type DraftModel } from "./model";
import { IssueList } from "./IssueList";

export function Review({
  draft,
  editing,
  onDraft,
  onAssign,
}: {
  draft: DraftModel;
  editing: string;
  onDraft: (d: DraftModel) => void;
  /** "Assign it now": the role just saved, and where it may be assigned. */
  onAssign?: (role: RoleView, scope: ScopeNode) => void;
}) {
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
      <Caption1 className={styles.muted}>
        Assignable at:{" "}
        {draft.assignableScopes.length === 0
          ? "nowhere yet"
          : draft.assignableScopes.map((s, i) => (
              <span key={s}>
                {i > 0 && "; "}
                <ScopeName id={s} />
              </span>
            ))}
      </Caption1>
      {phase === "checking" && <Spinner className={styles.spinner} size="small" label="Checking against the catalogue and your rights…" />}
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
            {check.builtIn && (
              <MessageBar intent="info" data-testid="built-in-alternative">
                <MessageBarBody>
                  <MessageBarTitle>{check.builtIn} already covers this</MessageBarTitle>
                  {check.builtInExtra === 0
                    ? `The built-in role ${check.builtIn} grants exactly these permissions.`
                    : `The built-in role ${check.builtIn} grants all of these and ${check.builtInExtra} operation${check.builtInExtra === 1 ? "" : "s"} more.`}{" "}
                  Assigning it needs no custom role to keep up to date; Microsoft maintains it as providers change.
                </MessageBarBody>
              </MessageBar>
            )}
            <IssueList check={check} draft={draft} onDraft={onDraft} />
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
      {phase === "saving" && <Spinner
          className={styles.spinner}
          size="small"
          label="Writing, then waiting until ARM reads it back consistently…"
        />}
      {check?.inPlace && phase !== "saved" ? null : phase === "saved" && saved ? (
        <MessageBar intent="success" data-testid="role-saved">
          <MessageBarBody>
            <MessageBarTitle>{editing ? "Saved" : "Created"}</MessageBarTitle>
            {saved.name} is in place and ARM reads it back consistently.{" "}
            {onAssign && draft.assignableScopes[0] && (
              <Button size="small" onClick={() => onAssign(saved, scopeNode(draft.assignableScopes[0]!))} data-testid="assign-now">
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

/** The scope tree's node for an ARM id (named by its last segment). */
function scopeNode(id: string): ScopeNode {
  const parts = id.split("/").filter(Boolean);
  const kind: ScopeNode["kind"] = parts.includes("providers")
    ? "Resource"
    : parts.length >= 4 && parts[2]?.toLowerCase() === "resourcegroups"
      ? "ResourceGroup"
      : "Subscription";
  return { id, name: parts[parts.length - 1] ?? id, kind, detail: "" };
}
