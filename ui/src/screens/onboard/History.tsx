import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Card,
  CardHeader,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { ActivityView_Serialize as ActivityView } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { UndoButton, failed, when } from "./RunReport";
import { UndoFlow } from "./UndoRun";

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
  writes: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: "flex", flexDirection: "column", gap: "2px" },
  write: { overflowWrap: "anywhere" },
});

const STATE_BADGE = {
  Interrupted: <Badge color="warning">Interrupted</Badge>,
  Discarded: <Badge color="informative">Discarded</Badge>,
  Done: null,
};

function ActivityCard({ activity, onChanged }: { activity: ActivityView; onChanged: () => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [open, setOpen] = useState(false);
  const [undoing, setUndoing] = useState(false);
  const failures = activity.writes.filter((w) => failed(w.outcome)).length;
  const n = activity.writes.length;
  return (
    <Card data-testid="activity" size="small">
      <CardHeader
        header={<Text weight="semibold">{activity.title}</Text>}
        description={
          <Caption1 className={styles.muted}>
            <time dateTime={activity.began}>{when(activity.began)}</time> · {n} write{n === 1 ? "" : "s"}{" "}
            {STATE_BADGE[activity.state]}
            {failures > 0 && <Badge color="danger">{failures} did not succeed</Badge>}
          </Caption1>
        }
      />
      {open && (
        <ul className={styles.writes} aria-label={`What ${activity.title} wrote`}>
          {activity.writes.map((w, i) => (
            <li key={i} className={styles.write} data-testid="activity-write">
              <Text size={200}>
                {w.summary}: {w.outcome.message}
                {w.outcome.requestId && <span className={styles.muted}> (request id {w.outcome.requestId})</span>}
              </Text>
            </li>
          ))}
        </ul>
      )}
      <div className={styles.actions}>
        {n > 0 && (
          <Button appearance="transparent" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? "Hide details" : "Show details"}
          </Button>
        )}
        {activity.canUndo && !undoing && <UndoButton onUndo={() => setUndoing(true)} />}
      </div>
      {undoing && (
        <UndoFlow
          prepare={() => backend.prepareUndoActivity(activity.id)}
          onClose={() => {
            setUndoing(false);
            onChanged();
          }}
        />
      )}
    </Card>
  );
}

/**
 * Everything Rolecall wrote, from its journal: every wizard's writes and
 * every run, across restarts (and rolecall-cli's, sharing the journal),
 * newest first, with undo where something was created.
 */
export function History() {
  const styles = useStyles();
  const backend = useBackend();
  const [activities, setActivities] = useState<ActivityView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  const load = useCallback(async () => {
    const r = await backend.listActivity();
    if (r.status === "ok") {
      setActivities(r.data);
      setProblem(null);
    } else setProblem(r.error);
  }, [backend]);

  useEffect(() => {
    void load();
  }, [load]);

  if (problem) return <ErrorBar problem={problem} title="The journal could not be read" />;
  if (!activities) return <Spinner size="tiny" label="Reading the journal…" />;
  if (activities.length === 0)
    return (
      <Caption1 className={styles.muted} data-testid="no-activity">
        Rolecall has written nothing yet. Every role assignment, app role, custom role and onboarding it makes is listed
        here, also after a restart.
      </Caption1>
    );
  return (
    <div className={styles.list}>
      {activities.map((a) => (
        <ActivityCard key={a.id} activity={a} onChanged={() => void load()} />
      ))}
    </div>
  );
}
